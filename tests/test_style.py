import datetime as dt

import pandas as pd
import pytest

from jaarverslag.style import SERIES, fmt_date, fmt_int, fmt_pct, fmt_signed


@pytest.mark.parametrize("value, text", [
    (0, "0"), (7, "7"), (999, "999"), (1000, "1.000"), (6421, "6.421"), (12064, "12.064"),
    (1234567, "1.234.567"), (-1380, "-1.380"), (None, "onbekend"), (pd.NA, "onbekend"),
    (float("nan"), "onbekend"),
])
def test_whole_numbers_are_written_the_dutch_way(value, text):
    assert fmt_int(value) == text


def test_percentages_use_a_decimal_comma():
    assert fmt_pct(0.125) == "12,5%"
    assert fmt_pct(1 / 3, digits=0) == "33%"
    assert fmt_pct(0.05, signed=True) == "+5,0%"
    assert fmt_pct(None) == "onbekend"


def test_changes_carry_their_sign():
    assert [fmt_signed(v) for v in (12, 0, -1380)] == ["+12", "0", "-1.380"]


@pytest.mark.parametrize("value, text", [
    (dt.date(2022, 3, 1), "1 maart 2022"),
    (dt.date(2021, 9, 1), "1 september 2021"),
    ("2022-12-31", "31 december 2022"),
    ("2022-04", "april 2022"),
])
def test_dates_are_written_the_dutch_way(value, text):
    assert fmt_date(value) == text


def test_palette_is_the_okabe_ito_set():
    assert SERIES[:3] == ["#0072B2", "#E69F00", "#009E73"]
