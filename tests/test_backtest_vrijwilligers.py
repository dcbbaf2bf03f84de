"""Backtest: the chapter 'Vrijwilligers en ontmoeting' reproduces the published 2022 figures."""

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from jaarverslag import Edition
from jaarverslag.chapters import vrijwilligers
from jaarverslag.chapters.toolkit.charts import Chart
from jaarverslag.chapters.toolkit.tables import GroupedTable

ED = Edition(2022)
NA = pd.NA

# gemeente, groep, activiteit, frequentie, bijeenkomsten, deelnemers, deelnemers per bijeenkomst
ONTMOETINGSGROEPEN = [
    ("Borne", "Samen erop uit", "Fietstochten", NA, 14, 168, NA),
    ("Borne", "Samen erop uit", "Scootmobieltochten", NA, 6, 15, NA),
    ("Borne", "Samen erop uit", "Samen eten", NA, 48, 12, NA),
    ("Borne", "Samen erop uit", "Alzheimer Café", NA, 4, NA, NA),
    ("Borne", "Samen erop uit", "Ontmoetingsgroep Letterbak", "Wekelijks", NA, 26, NA),
    ("Haaksbergen", NA, "Activiteiten JMZ", NA, 10, 45, NA),
    ("Haaksbergen", NA, "Buurtsportcoach activiteiten", NA, 212, 1245, NA),
    ("Haaksbergen", NA, "Opstapactiviteiten", NA, 22, 352, NA),
    ("Haaksbergen", NA, "Evenementen", NA, 3, 2832, NA),
    ("Haaksbergen", NA, "Ziens", NA, 141, 1742, NA),
    ("Hengelo", NA, "Activiteiten JMZ", NA, 19, 195, NA),
    ("Hengelo", NA, "Alzheimer Café", NA, 7, 99, NA),
    ("Hengelo", NA, "AVEM groepen", "Wekelijks", NA, 229, NA),
    ("Hengelo", "Gezonde Levensstijl", "Voel je goed", NA, 40, 19, NA),
    ("Hengelo", "Gezonde Levensstijl", "Empowerment", NA, 20, 14, NA),
    ("Hengelo", "Gezonde Levensstijl", "Nationale Diabetes Challenge", NA, 20, 3, NA),
    ("Hengelo", "Gezonde Levensstijl", "Sport en bewegen", NA, 15, 5, NA),
    ("Hengelo", "Gezonde Levensstijl", "Wandelchallenge", NA, 20, 16, NA),
    ("Hengelo", "Gezonde Levensstijl", "Wandelgroepen", NA, 52, 17, NA),
    ("Hengelo", "Gezonde Levensstijl", "Wereldmeiden", NA, 12, 15, NA),
    ("Hengelo", "Gezonde Levensstijl", "Mantelzorg Café", NA, 13, 104, NA),
    ("Hengelo", "Gezonde Levensstijl", "MBvO Cursussen", NA, 265, 367, NA),
    ("Hengelo", "Gezonde Levensstijl", "#Meedoen bijeenkomsten of Activiteiten", NA, 37, 97, NA),
    ("Hengelo", "Menthol", "Menthol fietslessen", NA, 29, 113, NA),
    ("Hengelo", "Menthol", "Participatieverklaring", NA, 19, 202, NA),
    ("Hengelo", "Menthol", "Ontmoetingsruimten", NA, 70, 664, 28),
    ("Hengelo", "Menthol", "Ontmoetingscafé ASS", NA, 8, 28, NA),
    ("Hengelo", "Menthol", "Sociëteiten", NA, 213, 4231, 226),
    ("Hengelo", "Menthol", "Vriendenkringen – Activiteiten", NA, 74, 502, NA),
]


def test_vrijwilligers():
    table = vrijwilligers.vrijwilligers(ED)
    expected = pd.DataFrame(
        {
            "Gemeente": ["Borne", "Dinkelland", "Haaksbergen", "Hengelo"],
            "Aantal vrijwilligers": pd.array([100, 9, 281, 804], dtype="Int64"),
        }
    )
    pd.testing.assert_frame_equal(table.frame[["Gemeente", "Aantal vrijwilligers"]], expected)
    column = "Top 5 vrijwilligersactiviteiten"
    got = {
        g: cell.items for g, cell in zip(table.frame["Gemeente"], table.frame[column], strict=True)
    }
    assert got == {
        "Borne": (
            "Ondersteuning en contact bij mensen die geen netwerk (meer) hebben.",
            "Thuisadministratie",
            "Praktische hulp",
            "Seniorenvoorlichters; gesprekken bij mensen thuis.",
            "Ontmoetingsgroep Borne",
        ),
        "Dinkelland": ("Thuisadministratie (TAFD)",),
        "Haaksbergen": ("Overige", "ANWB Automaatje", "Inzet Maatje", "Taalhuis", "Ziens"),
        "Hengelo": ("GOO", "Taalcoach NT2", "Bezoeken", "Praktische hulp", "Sociëteit"),
    }


def test_vrijwilligers_chart_has_alt_text_with_the_table_figures():
    chart = vrijwilligers.vrijwilligers_grafiek(ED)
    assert isinstance(chart, Chart)
    assert "Hengelo (804)" in chart.alt and "Dinkelland (9)" in chart.alt
    assert vrijwilligers.vrijwilligers_grafiek(Edition(2022, "Oldenzaal")) is None


def test_ontmoetingsgroepen_data():
    columns = [
        "gemeente",
        "groep",
        "activiteit",
        "frequentie",
        "bijeenkomsten",
        "deelnemers",
        "deelnemers_per_bijeenkomst",
    ]
    expected = pd.DataFrame(ONTMOETINGSGROEPEN, columns=columns).astype(
        {
            "gemeente": "str",
            "groep": "str",
            "activiteit": "str",
            "frequentie": object,
            "bijeenkomsten": "Int64",
            "deelnemers": "Int64",
            "deelnemers_per_bijeenkomst": "Int64",
        }
    )
    got = vrijwilligers.ontmoetingsgroepen(ED)
    pd.testing.assert_frame_equal(
        got[["bijeenkomsten", "deelnemers", "deelnemers_per_bijeenkomst"]],
        expected[["bijeenkomsten", "deelnemers", "deelnemers_per_bijeenkomst"]],
    )
    for column in ["gemeente", "groep", "activiteit", "frequentie"]:
        assert [None if pd.isna(v) else v for v in got[column]] == [
            None if pd.isna(v) else v for v in expected[column]
        ], column


def test_unknown_participants_are_missing_and_shown_as_onbekend():
    frame = vrijwilligers.ontmoetingsgroepen(ED)
    alzheimer = frame[(frame["gemeente"] == "Borne") & (frame["activiteit"] == "Alzheimer Café")]
    assert alzheimer["deelnemers"].isna().all()
    html = vrijwilligers.ontmoetingsgroepen_tabel(ED)._repr_html_()
    assert (
        '<th scope="row">Alzheimer Café</th><td class="num" style="text-align:right">4</td>'
        '<td class="num" style="text-align:right"><span class="jv-unknown">onbekend</span></td>'
    ) in html


def test_participants_with_a_per_meeting_figure():
    assert vrijwilligers.participants_cell(664, 28) == "664 (per bijeenkomst 28)"
    assert vrijwilligers.participants_cell(4231, 226) == "4.231 (per bijeenkomst 226)"
    table = vrijwilligers.ontmoetingsgroepen_tabel(ED)
    shown = dict(zip(table.frame["Activiteit"], table.frame["Aantal deelnemers"], strict=True))
    assert shown["Ontmoetingsruimten"] == "664 (per bijeenkomst 28)"
    assert shown["Sociëteiten"] == "4.231 (per bijeenkomst 226)"
    html = table._repr_html_()
    assert '<td class="num" style="text-align:right">4.231 (per bijeenkomst 226)</td>' in html
    assert '<td class="num" style="text-align:right">2.832</td>' in html


def test_meetings_are_a_count_or_a_frequency_word():
    table = vrijwilligers.ontmoetingsgroepen_tabel(ED)
    shown = dict(zip(table.frame["Activiteit"], table.frame["Aantal bijeenkomsten"], strict=True))
    assert shown["Ontmoetingsgroep Letterbak"] == "Wekelijks"
    assert shown["AVEM groepen"] == "Wekelijks"
    assert shown["MBvO Cursussen"] == 265


def test_ontmoetingsgroepen_is_one_table_with_group_rows():
    soup = BeautifulSoup(vrijwilligers.ontmoetingsgroepen_tabel(ED)._repr_html_(), "html.parser")
    tables = soup.find_all("table")
    assert len(tables) == 1 and tables[0]["class"] == ["jv-table"]
    headings = [th.get_text() for th in soup.thead.find_all("th")]
    assert headings == ["Activiteit", "Aantal bijeenkomsten", "Aantal deelnemers"]
    bodies = soup.find_all("tbody")
    assert len(bodies) == 3
    groups = [(tuple(tr["class"]), tr.th.get_text()) for tr in soup.find_all("tr", class_="group")]
    assert groups == [
        (("group",), "Borne"),
        (("group", "subgroup"), "Samen erop uit"),
        (("group",), "Haaksbergen"),
        (("group",), "Hengelo"),
        (("group", "subgroup"), "Gezonde Levensstijl"),
        (("group", "subgroup"), "Menthol"),
    ]
    for tr in soup.find_all("tr", class_="group"):
        cells = tr.find_all(["th", "td"])
        assert len(cells) == 1
        assert cells[0]["colspan"] == "3" and cells[0]["scope"] == "rowgroup"
    leaves = [
        tr
        for tr in soup.tbody.find_next_siblings("tbody")[-1].find_all("tr")
        if "group" not in (tr.get("class") or [])
    ]
    last = leaves[-1]
    assert last.th["scope"] == "row" and last.th.get_text() == "Vriendenkringen – Activiteiten"
    assert [td.get_text() for td in last.find_all("td")] == ["74", "502"]
    # the last row sits under Hengelo / Menthol
    assert bodies[-1].find_all("tr", class_="subgroup")[-1].th.get_text() == "Menthol"
    assert len(soup.find_all("tr")) == 1 + 6 + len(ONTMOETINGSGROEPEN)


def test_grouped_table_refuses_an_order_that_would_mislead():
    after = pd.DataFrame({"g": ["A", "A", "A"], "s": ["x", None, None], "v": [1, 2, 3]})
    with pytest.raises(ValueError, match="vooraan"):
        GroupedTable(after, groups=["g", "s"], caption="t")
    apart = pd.DataFrame({"g": ["A", "B", "A"], "v": [1, 2, 3]})
    with pytest.raises(ValueError, match="niet bij elkaar"):
        GroupedTable(apart, groups=["g"], caption="t")


def test_kerncijfers():
    assert vrijwilligers.kerncijfers(ED) == {
        "vrijwilligers": 100 + 9 + 281 + 804,
        "activiteiten": len(ONTMOETINGSGROEPEN),
    }
