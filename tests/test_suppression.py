"""Small numbers in public editions: counts 1..N-1 shown as "<N", the cells that would give
them away hidden too ("x"), 0 stays 0, and the report says which rule it used."""

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from test_yoy import make_previous_year

from jaarverslag import Edition
from jaarverslag.build import build_report
from jaarverslag.chapters import clienten, dienstverlening, jeugd, jongerenwerk, mantelzorg, vrijwilligers, wijkhuizen
from jaarverslag.chapters.toolkit.suppress import SECONDARY, Suppressed, hidden_cells, is_small, rule, suppress_table
from jaarverslag.chapters.toolkit.tables import Table, with_total

GEMEENTEN = [None, "Borne", "Dinkelland", "Haaksbergen", "Hengelo", "Oldenzaal"]


def frame(**columns):
    return pd.DataFrame(columns).astype({c: "Int64" for c in columns if c != "naam"})


# ---- the rule on plain frames ---------------------------------------------------

def test_small_counts_are_hidden_and_zero_stays():
    f = frame(naam=["a", "b", "c"], n=[3, 0, 12])
    primary, hidden = hidden_cells(f, 5, counts=["n"])
    assert primary == hidden == {(0, "n")}


def test_one_hidden_cell_in_a_line_with_a_total_hides_the_next_smallest():
    f = frame(naam=["a", "b", "c", "d", "Totaal"], n=[3, 40, 25, 0, 68])
    primary, hidden = hidden_cells(f, 5, counts=["n"], total_row=True)
    assert primary == {(0, "n")}
    assert hidden == {(0, "n"), (2, "n")}  # 25, the smallest positive other cell; not the 0


def test_without_another_cell_the_total_is_hidden():
    f = frame(naam=["a", "b", "Totaal"], n=[3, 0, 3])
    _, hidden = hidden_cells(f, 5, counts=["n"], total_row=True)
    assert hidden == {(0, "n"), (2, "n")}  # the total is 3 itself: primary too
    f = frame(naam=["a", "b", "Totaal"], n=[3, 0, 30])  # (a total that does not add up, to test the rule)
    _, hidden = hidden_cells(f, 5, counts=["n"], total_row=True)
    assert hidden == {(0, "n"), (2, "n")}


def test_two_hidden_cells_in_a_line_are_enough():
    f = frame(naam=["a", "b", "c", "Totaal"], n=[3, 4, 50, 57])
    _, hidden = hidden_cells(f, 5, counts=["n"], total_row=True)
    assert hidden == {(0, "n"), (1, "n")}


def test_hiding_iterates_over_rows_and_columns_until_stable():
    # A total column and a total row: hiding 20 (for the 3 in column x) leaves row b with one
    # hidden cell, so its next-smallest (30) goes too, and so on until every line is safe.
    f = frame(naam=["a", "b", "Totaal"], x=[3, 20, 23], y=[50, 30, 80], totaal=[53, 50, 103])
    primary, hidden = hidden_cells(f, 5, counts=["x", "y", "totaal"], total_row=True, total_column="totaal")
    assert primary == {(0, "x")}
    assert hidden == {(0, "x"), (1, "x"), (0, "y"), (1, "y")}
    rows = [[(i, c) for c in ("x", "y", "totaal")] for i in range(3)]
    columns = [[(i, c) for i in range(3)] for c in ("x", "y", "totaal")]
    for line in rows + columns:
        assert sum(cell in hidden for cell in line) != 1, line


def test_sums_published_elsewhere_count_as_a_total():
    f = frame(naam=["a", "b", "c"], n=[9, 100, 281])
    assert hidden_cells(f, 10, counts=["n"])[1] == {(0, "n")}
    assert hidden_cells(f, 10, counts=["n"], sums_published=True)[1] == {(0, "n"), (1, "n")}


def test_derived_cells_go_with_their_sources():
    f = frame(naam=["a", "b"], now=[3, 50], before=[12, 40])
    f["verschil"] = [-9, 10]
    _, hidden = hidden_cells(f, 5, counts=["now", "before"], derived={"verschil": ("now", "before")})
    assert hidden == {(0, "now"), (0, "verschil")}


def test_the_rule_in_words():
    assert rule(10) == ("Kleine aantallen (1 tot en met 9) staan als <10. Met x is een aantal verborgen dat "
                        "anders uit een totaal terug te rekenen zou zijn.")
    assert str(Suppressed(10)) == "<10" and str(Suppressed(10, primary=False)) == SECONDARY


# ---- tables: the frame is what the reader sees -----------------------------------------

def test_a_table_shows_hidden_cells_and_keeps_no_copy_of_them():
    rows = pd.DataFrame({"Gemeente": ["a", "b", "c"], "Cliënten": [3, 40, 25]}).astype({"Cliënten": "Int64"})
    table = suppress_table(Table(with_total(rows, "Gemeente"), "Proef", total=True), 5)
    assert [str(v) for v in table.frame["Cliënten"]] == ["<5", "40", SECONDARY, "68"]
    html = table._repr_html_()
    assert "&lt;5" in html and ">3<" not in html and ">25<" not in html
    assert ">3<" not in repr(table) and " 25" not in repr(table)  # the text/plain output in the notebooks
    assert table.notes[-1] == rule(5)
    assert 'class="num" style="text-align:right"><span class="jv-suppressed"' in html  # still aligned as a figure


def test_default_off_changes_nothing():
    ed = Edition(2022)
    assert ed.suppress_below is None and ed.suppression_rule is None
    assert not any(isinstance(v, Suppressed) for v in vrijwilligers.vrijwilligers(ed).frame["Aantal vrijwilligers"])
    assert ed.fmt_count(9) == "9"


def test_the_chapters_hide_what_they_must():
    ed = Edition(2022, suppress_below=10)
    rows = vrijwilligers.vrijwilligers(ed).frame.set_index("Gemeente")["Aantal vrijwilligers"]
    assert rows["Dinkelland"] == Suppressed(10)
    # The total (1.194) is in the sentence above the table: the smallest other gemeente goes too.
    assert rows["Borne"] == Suppressed(10, primary=False)
    assert rows["Hengelo"] == 804
    ages = clienten.leeftijd_tabel(ed).frame.set_index("Leeftijd")["Dinkelland"]
    assert ages["t/m 17 jaar"] == Suppressed(10) and ages["70+"] == Suppressed(10, primary=False)
    assert ages["Totaal"] == 243
    assert ed.fmt_count(9) == "<10" and ed.fmt_count(0) == "0" and ed.fmt_count(1194) == "1.194"


def test_charts_show_what_the_tables_show():
    chart = vrijwilligers.vrijwilligers_grafiek(Edition(2022, suppress_below=10))
    assert "Dinkelland (9)" not in chart.alt and "Borne (100)" not in chart.alt
    assert "2 aantallen zijn verborgen" in chart.alt
    age = clienten.leeftijd_grafiek(Edition(2022, suppress_below=10))
    assert "Dinkelland: 30-39 jaar (43)" in age.alt


def test_meeting_counts_and_euros_are_no_people_and_stay():
    hengelo = Edition(2022, "Hengelo", suppress_below=200)
    skillz = jongerenwerk.skillz(hengelo).frame
    assert skillz.loc[0, "Aantal rondes"] == 108  # rounds of the street team
    assert skillz.loc[0, "Individuele korte contacten"] == Suppressed(200)
    assert "€ 104.978" in wijkhuizen.subsidie_tabel(hengelo)._repr_html_()


def every_table(ed):
    yield from (clienten.totalen(ed), clienten.leeftijd_tabel(ed), clienten.leeftijd_vergelijking(ed),
                dienstverlening.thuisadministratie(ed), dienstverlening.oco(ed),
                dienstverlening.maatschappelijke_begeleiding(ed), dienstverlening.buurtbemiddeling(ed),
                dienstverlening.ouderenwerk(ed), jeugd.scholen_tabel(ed), jeugd.loes(ed), jongerenwerk.skillz(ed),
                mantelzorg.overzicht(ed), vrijwilligers.vrijwilligers(ed), wijkhuizen.locaties_tabel(ed),
                *wijkhuizen.activiteiten_tabellen(ed))


def check_table(table, below):
    """No small count shows, every line with a total has 0 or at least 2 hidden cells, and the rule is stated."""
    shown = table.frame
    if shown.empty:
        return
    assert not any(is_small(v, below) for c in table.counts for v in shown[c]), table.caption
    hidden = {(i, c) for c in shown.columns for i, v in shown[c].items() if isinstance(v, Suppressed)}
    if hidden:
        assert any(n.startswith(rule(below, secondary=False)) for n in table.notes), table.caption
    data_rows = list(shown.index[:-1] if table.total else shown.index)
    if table.total or table.sums_published:
        for c in table.counts:
            line = [(i, c) for i in data_rows] + ([(shown.index[-1], c)] if table.total else [])
            others = [shown.at[cell] for cell in line if cell not in hidden]
            # Alone is fine only where the sum (in a sentence) is that small count itself: "<N" there too.
            alone = not table.total and all(v == 0 for v in others)
            assert sum(cell in hidden for cell in line) != 1 or alone, (table.caption, c)


@pytest.mark.parametrize("gemeente", GEMEENTEN)
@pytest.mark.parametrize("below", [5, 10, 50])
def test_no_table_of_any_edition_shows_a_small_count(gemeente, below):
    for table in every_table(Edition(2022, gemeente, suppress_below=below)):
        check_table(table, below)


def test_with_last_year_the_changes_are_hidden_with_their_counts(data_copy):
    make_previous_year(data_copy)
    ed = Edition(2022, data_dir=data_copy, suppress_below=10)
    rows = vrijwilligers.vrijwilligers(ed).frame.set_index("Gemeente")
    assert rows.loc["Dinkelland", "Aantal vrijwilligers 2022"] == Suppressed(10)
    assert rows.loc["Dinkelland", "Aantal vrijwilligers 2021"] == Suppressed(10)  # 8 last year
    assert isinstance(rows.loc["Dinkelland", "Verschil"], Suppressed)
    assert isinstance(rows.loc["Borne", "Verschil"], Suppressed)  # its 2022 figure is hidden
    for table in every_table(ed):
        check_table(table, 10)
    # The age table of all gemeenten together publishes each row's total: the per-gemeente table
    # hides as if it showed them.
    assert clienten.leeftijd_vergelijking(ed).frame["Alle gemeenten 2022"].iloc[-1] == 6421


# ---- the built report ------------------------------------------------------------

@pytest.fixture(scope="module")
def public_edition(tmp_path_factory):
    out = tmp_path_factory.mktemp("openbaar")
    entry = build_report(2022, gemeente="Borne", suppress_below=10, out_root=out, jobs=1, pdf=False)  # pages only
    return (out / "2022" / entry["html"]).parent


@pytest.mark.slow
def test_the_built_edition_states_the_rule_and_hides(public_edition):
    page = BeautifulSoup((public_edition / "jeugd.html").read_text(encoding="utf-8"), "html.parser")
    text = page.get_text(" ")
    assert "In deze uitgave: kleine aantallen (1 tot en met 9) staan als <10." in text
    cells = [td.get_text(strip=True) for td in page.select("table td")]
    assert "<10" in cells and "8" not in cells  # LOES in Borne: 8 contacts
    assert page.select_one(".jv-suppression-rule") is not None  # the line at the top of the chapter
    assert any("staan als <10" in p.get_text() for p in page.select(".jv-table-wrap p.jv-note"))  # under the table
