"""Backtest: the Dienstverlening chapter reproduces the published 2022 figures.

Expected values are typed from the published Jaarverslag 2022, so a changed figure fails.
"""

import shutil

import pandas as pd
import pytest

from jaarverslag import Edition
from jaarverslag.chapters import dienstverlening
from jaarverslag.chapters.toolkit.tables import Fact, Ranked
from jaarverslag.data.read import validate_year
from jaarverslag.paths import year_dir

ED = Edition(2022)


def lists(table, column):
    return {
        g: cell.items for g, cell in zip(table.frame["Gemeente"], table.frame[column], strict=True)
    }


def test_thuisadministratie():
    table = dienstverlening.thuisadministratie(ED)
    expected = pd.DataFrame(
        {
            "Gemeente": ["Borne", "Dinkelland", "Haaksbergen", "Hengelo"],
            "Aantal cliënten": pd.array([78, 31, 178, 184], dtype="Int64"),
        }
    )
    pd.testing.assert_frame_equal(table.frame[["Gemeente", "Aantal cliënten"]], expected)
    assert list(table.frame.columns) == ["Gemeente", "Aantal cliënten", "Top 3 hulpvragen"]
    assert lists(table, "Top 3 hulpvragen") == {
        "Borne": ("Formulierenhulp", "Opruimen en ordenen", "Budgetbeheer"),
        "Dinkelland": ("Post doornemen", "Ordenen administratie", "Formulieren invullen"),
        "Haaksbergen": ("Formulierenhulp", "Post doornemen", "Schulden"),
        "Hengelo": (
            "Ondersteuning bij administratie zonder schuld",
            "Ondersteuning bij administratie met betalingsachterstanden",
            "Brievenhulp",
        ),
    }


def test_oco():
    table = dienstverlening.oco(ED)
    expected = pd.DataFrame(
        {
            "Gemeente": ["Borne", "Haaksbergen", "Hengelo"],
            "Aantal cliënten": pd.array([74, 118, 100], dtype="Int64"),
        }
    )
    pd.testing.assert_frame_equal(table.frame[["Gemeente", "Aantal cliënten"]], expected)
    assert lists(table, "Ondersteuning") == {
        "Borne": (
            "Informatie en advies bij enkelvoudige vragen",
            "Bemiddeling",
            "Zorg en/of ondersteuning",
        ),
        "Haaksbergen": (
            "Zorg en/of ondersteuning",
            "Informatie en advies bij enkelvoudige vragen",
            "Bemiddeling",
        ),
        "Hengelo": (
            "Geven van informatie en advies",
            "Gesprekken voorbereiden met bv. Gemeente, instellingen en zorgaanbieders etc.",
            "Ondersteuning bij aanvragen van voorzieningen",
        ),
    }
    beperking = dict(zip(table.frame["Gemeente"], table.frame["Beperking bij cliënt"], strict=True))
    assert beperking["Borne"] == Ranked(
        ("Lichamelijke beperking", "Geen beperking", "Psychisch-psychiatrisch GGZ")
    )
    assert beperking["Haaksbergen"] == Ranked(
        ("ASS", "Psychisch-psychiatrisch-GGZ", "Lichamelijke beperking")
    )


def test_oco_hengelo_beperking_is_a_fact_not_an_empty_cell():
    table = dienstverlening.oco(ED)
    hengelo = table.frame.set_index("Gemeente").loc["Hengelo", "Beperking bij cliënt"]
    assert hengelo == Fact("Wordt niet geregistreerd.")
    html = table._repr_html_()
    assert '<span class="jv-fact">Wordt niet geregistreerd.</span>' in html
    assert "jv-unknown" not in html


@pytest.fixture
def data_copy(tmp_path):
    shutil.copytree(year_dir(2022), tmp_path / "2022")
    return tmp_path


def test_oco_list_for_a_gemeente_that_does_not_register_is_an_error(data_copy):
    with open(data_copy / "2022" / "oco_beperking.csv", "a", encoding="utf-8") as f:
        f.write("Hengelo,1,ASS\n")
    problems = [str(p) for p in validate_year(2022, data_copy)]
    assert len(problems) == 1 and "waarde 'Hengelo'" in problems[0]


def test_oco_registered_but_no_list_shows_unknown(data_copy):
    path = data_copy / "2022" / "oco.csv"
    path.write_text(
        path.read_text(encoding="utf-8").replace("Hengelo,100,nee", "Hengelo,100,ja"),
        encoding="utf-8",
    )
    html = dienstverlening.oco(Edition(2022, data_dir=data_copy))._repr_html_()
    assert '<span class="jv-unknown">onbekend</span>' in html


def test_maatschappelijke_begeleiding():
    table = dienstverlening.maatschappelijke_begeleiding(ED)
    expected = pd.DataFrame(
        {
            "Gemeente": ["Haaksbergen", "Hengelo"],
            "Aantal spreekuren": pd.array([110, 845], dtype="Int64"),
            "Aantal cliënten": pd.array([351, 1420], dtype="Int64"),
        }
    )
    pd.testing.assert_frame_equal(
        table.frame[["Gemeente", "Aantal spreekuren", "Aantal cliënten"]], expected
    )
    assert lists(table, "Top 5 acties") == {
        "Haaksbergen": (
            "Gemeente",
            "Menzis - Ziektekostenverzekering",
            "Belastingdienst",
            "Kwijtschelding GBT/GBLT",
            "Vervoer school - inburgering",
        ),
        "Hengelo": (
            "Gemeente",
            "Menzis - Ziektekostenverzekering",
            "Belastingdienst",
            "IND-VO-COA",
            "Kwijtschelding GBT/GBLT",
        ),
    }


def test_buurtbemiddeling():
    table = dienstverlening.buurtbemiddeling(ED)
    expected = pd.DataFrame(
        {
            "Gemeente": ["Borne", "Haaksbergen", "Hengelo"],
            "Aantal meldingen": pd.array([12, 20, 97], dtype="Int64"),
        }
    )
    pd.testing.assert_frame_equal(table.frame[["Gemeente", "Aantal meldingen"]], expected)
    assert lists(table, "Aard van de klachten") == {
        "Borne": ("Tuin of buiten problemen", "Pesten, treiteren, lastigvallen", "Geluidsoverlast"),
        "Haaksbergen": (
            "Tuin of buiten problemen",
            "Geluidsoverlast",
            "Pesten, treiteren, lastigvallen",
        ),
        "Hengelo": (
            "Geluidsoverlast",
            "Pesten, treiteren, lastigvallen",
            "Tuin of buiten problemen",
        ),
    }
    assert lists(table, "Wijken") == {
        "Borne": ("Wensink", "Bornsche Maten", "Stroom-Esch"),
        "Haaksbergen": ("Centrum Zuidwest", "Zienesch-Wolferink", "Centrum Noordoost"),
        "Hengelo": ("Noord (Klein Driene – Sterrenbuurt)", "Berflo Es", "Groot-Driene"),
    }


def test_ouderenwerk():
    table = dienstverlening.ouderenwerk(ED)
    expected = pd.DataFrame(
        {
            "Gemeente": ["Borne", "Haaksbergen", "Hengelo"],
            "Aantal cliënten": pd.array([147, 128, 362], dtype="Int64"),
        }
    )
    pd.testing.assert_frame_equal(table.frame[["Gemeente", "Aantal cliënten"]], expected)
    assert lists(table, "Top 3 probleemgebieden") == {
        "Borne": ("Vrijtijdsbesteding/dagbesteding", "Eenzaamheid", "Wonen"),
        "Haaksbergen": ("Eenzaamheid", "Gezondheid", "Vrijtijdsbesteding/dagbesteding"),
        "Hengelo": ("Gezondheid", "Eenzaamheid", "Vrijtijdsbesteding/dagbesteding"),
    }


def test_kerncijfers_are_sums_and_unknown_is_not_zero():
    assert dienstverlening.kerncijfers(ED) == {
        "thuisadministratie_clienten": 78 + 31 + 178 + 184,
        "oco_clienten": 74 + 118 + 100,
        "begeleiding_spreekuren": 110 + 845,
        "begeleiding_clienten": 351 + 1420,
        "buurtbemiddeling_meldingen": 12 + 20 + 97,
        "ouderenwerk_clienten": 147 + 128 + 362,
    }
    dinkelland = dienstverlening.kerncijfers(Edition(2022, "Dinkelland"))
    assert dinkelland["thuisadministratie_clienten"] == 31
    assert dinkelland["oco_clienten"] is None
