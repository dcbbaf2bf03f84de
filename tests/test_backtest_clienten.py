"""The Cliënten chapter against the published 2022 report (figures typed from the seed)."""

import pandas as pd
import pytest

from jaarverslag import Edition
from jaarverslag.chapters import clienten

ED = Edition(2022)
GEMEENTEN = ["Borne", "Dinkelland", "Haaksbergen", "Hengelo", "Oldenzaal"]


def test_totals_per_gemeente_are_the_published_ones():
    expected = pd.DataFrame({
        "Gemeente": GEMEENTEN + ["Totaal"],
        "Cliënten": [718, 243, 1380, 3747, 333, 6421],
        "Waarvan nieuwe cliënten": [452, 137, 559, 1893, 228, 3269],
        "Aantal contactmomenten": [2981, 2767, 4064, 12064, 2481, 24357],
        "Afgesloten dossiers": [375, 153, 474, 1893, 260, 3155],
        "Aantal doorverwijzingen": [88, 28, 111, 445, 70, 742],
    }).astype({c: "Int64" for c in ["Cliënten", "Waarvan nieuwe cliënten", "Aantal contactmomenten",
                                     "Afgesloten dossiers", "Aantal doorverwijzingen"]})
    table = clienten.totalen(ED)
    pd.testing.assert_frame_equal(table.frame, expected, check_dtype=True)
    assert table.total


def test_the_headline_figure_is_6421():
    assert clienten.kerncijfers(ED)["clienten"] == 6421
    assert "6.421" in clienten.totalen(ED)._repr_html_()


@pytest.mark.parametrize("function, expected", [
    (clienten.bron_aanmelding, {
        "Borne": ("Eigen initiatief", "Gemeente Borne", "Eigen netwerk"),
        "Dinkelland": ("Eigen initiatief", "Schakel", "Gemeente Dinkelland"),
        "Haaksbergen": ("Eigen initiatief", "Eigen netwerk", "Gemeente Haaksbergen"),
        "Hengelo": ("Eigen initiatief", "Wijkkracht", "Gemeente Hengelo"),
        "Oldenzaal": ("Sociaal Team", "Gemeente Oldenzaal", "Eigen initiatief"),
    }),
    (clienten.leefgebieden, {
        "Borne": ("Geld, financiën", "Vrijtijds- of dagbesteding", "Gezondheid"),
        "Dinkelland": ("Geld, financiën", "Wonen", "Gezondheid"),
        "Haaksbergen": ("Gezondheid", "Geld, financiën", "Stress"),
        "Hengelo": ("Gezondheid", "Stress", "Wonen"),
        "Oldenzaal": ("Stress", "Wonen", "Geld, financiën"),
    }),
])
def test_top_three_lists_are_the_published_ones(function, expected):
    frame = function(ED).frame
    assert dict(zip(frame["Gemeente"], (cell.items for cell in frame.iloc[:, 1]), strict=True)) == expected


def test_age_structure_is_the_published_one():
    expected = pd.DataFrame({
        "Borne": [59, 76, 88, 75, 80, 67, 273, 718],
        "Dinkelland": [8, 40, 43, 36, 41, 40, 35, 243],
        "Haaksbergen": [156, 135, 158, 175, 215, 193, 348, 1380],
        "Hengelo": [277, 437, 545, 497, 554, 467, 970, 3747],
        "Oldenzaal": [52, 53, 53, 70, 55, 38, 12, 333],
    }, dtype="Int64")
    expected.insert(0, "Leeftijd", ["t/m 17 jaar", "18-29 jaar", "30-39 jaar", "40-49 jaar",
                                    "50-59 jaar", "60-69 jaar", "70+", "Totaal"])
    pd.testing.assert_frame_equal(clienten.leeftijd_tabel(ED).frame, expected, check_names=False)


def test_charts_say_what_they_show():
    chart = clienten.per_gemeente_grafiek(ED)
    assert "Hengelo (3.747)" in chart.alt and "Dinkelland (243)" in chart.alt
    age = clienten.leeftijd_grafiek(ED)
    assert "Hengelo: 70+ (970)" in age.alt and "Oldenzaal: 40-49 jaar (70)" in age.alt
    assert age.svg.startswith(b"<?xml") and age.png.startswith(b"\x89PNG")
