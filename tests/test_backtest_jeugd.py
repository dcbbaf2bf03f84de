"""Backtest: the chapter 'Jongeren, school en opvoeding' reproduces the published 2022 figures."""

import pandas as pd

from jaarverslag import Edition
from jaarverslag.chapters import jeugd
from jaarverslag.chapters.toolkit.wording import in_woorden, opsomming
from jaarverslag.data import read as data

ED = Edition(2022)


def test_schoolmaatschappelijk_werk_leefgebieden():
    table = jeugd.leefgebieden(ED)
    assert list(table.frame.columns) == ["Gemeente", "Top 3 leefgebieden"]
    got = {
        g: cell.items
        for g, cell in zip(table.frame["Gemeente"], table.frame["Top 3 leefgebieden"], strict=True)
    }
    assert got == {
        "Dinkelland": (
            "Identiteit, opkomen voor jezelf",
            "Samengestelde gezinsproblematiek",
            "Opvoeden",
        ),
        "Haaksbergen": ("School/leren", "Identiteit, opkomen voor jezelf", "Sociale relatie"),
        "Hengelo": ("Identiteit, opkomen voor jezelf", "Sociale relatie", "Stress"),
        "Oldenzaal": ("Identiteit, opkomen voor jezelf", "School/leren", "Sociale relatie"),
    }


def test_twents_carmel_college_sentence_is_the_published_one():
    assert jeugd.scholen_tekst(ED).data == (
        "We zijn aanwezig op zes locaties van het Twents Carmel College, "
        "verdeeld over drie gemeenten (Dinkelland, Losser en Oldenzaal)."
    )


def test_twents_carmel_college_table():
    table = jeugd.scholen_tabel(ED)
    expected = pd.DataFrame(
        {"School": ["Twents Carmel College"], "Aantal cliënten": pd.array([132], dtype="Int64")}
    )
    pd.testing.assert_frame_equal(table.frame[["School", "Aantal cliënten"]], expected)
    assert table.frame.loc[0, "Top 5 leefgebieden"].items == (
        "Relatie ouder-kind",
        "Sociale vaardigheden met anderen",
        "Echtscheidingsproblematiek loyaliteitsconflict",
        "Stress gerelateerd aan thuis",
        "Stress",
    )


def test_losser_is_a_school_location_not_a_wijkkracht_gemeente():
    assert "Losser" not in data.gemeenten(2022)
    assert "Losser" in set(data.load(2022, "smw_scholen_gemeenten")["gemeente_locatie"])
    assert data.validate_year(2022) == []


def test_school_shows_in_editions_of_its_gemeenten_only():
    assert jeugd.scholen_tekst(Edition(2022, "Oldenzaal")).data == jeugd.scholen_tekst(ED).data
    assert jeugd.scholen_tekst(Edition(2022, "Hengelo")).data == ""
    assert jeugd.scholen_tabel(Edition(2022, "Hengelo")).frame.empty


def test_loes():
    table = jeugd.loes(ED)
    expected = pd.DataFrame(
        {
            "Gemeente": ["Borne", "Haaksbergen", "Hengelo", "Hengelo collectief", "Oldenzaal"],
            "Aantal contacten/activiteiten": pd.array([8, 81, 183, 133, 11], dtype="Int64"),
        }
    )
    pd.testing.assert_frame_equal(
        table.frame[["Gemeente", "Aantal contacten/activiteiten"]], expected
    )
    got = {
        g: cell.items
        for g, cell in zip(
            table.frame["Gemeente"], table.frame["Kenmerk of vraag over"], strict=True
        )
    }
    assert got == {
        "Borne": ("Vraag over aanbod ouder", "Ouderschap", "Ongehoorzaamheid & Seks en verkering"),
        "Haaksbergen": ("Echtscheiding", "Vraag over aanbod professional", "Ouderschap"),
        "Hengelo": (
            "Vraag over aanbod",
            "Ouderschap",
            "Relatieproblemen/scheiding & Regels en grenzen",
        ),
        "Hengelo collectief": ("Loes zoekt ouders op", "Ontmoetingsgroep", "Loes Themabijeenkomst"),
        "Oldenzaal": ("Vraag over aanbod", "Ouderschap", "Ongehoorzaamheid"),
    }


def test_loes_hengelo_collectief_is_a_row_of_its_own_in_the_html():
    html = jeugd.loes(ED)._repr_html_()
    assert '<th scope="row">Hengelo collectief</th><td class="num" style="text-align:right">133</td>' in html
    assert "<li>Ongehoorzaamheid &amp; Seks en verkering</li>" in html


def test_loes_collectief_is_data_not_a_label():
    frame = data.load(2022, "loes")
    assert frame[frame["doelgroep"] == "collectief"]["gemeente"].tolist() == ["Hengelo"]


def test_numbers_in_words():
    assert [in_woorden(n) for n in (1, 3, 6, 12, 13, 1380)] == [
        "één",
        "drie",
        "zes",
        "twaalf",
        "13",
        "1.380",
    ]
    assert opsomming(["Oldenzaal"]) == "Oldenzaal"
