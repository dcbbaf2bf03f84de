"""Cliënten: totals, how people found us, what they came for, and their ages."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from ..data.contract import AGE_GROUPS, by_name
from ..edition import Edition
from .toolkit import suppress
from .toolkit.charts import Chart, bars_from_table, small_multiples
from .toolkit.compare import compare, for_edition, previous_table
from .toolkit.suppress import suppress_table
from .toolkit.tables import Table, missing_note, ranked, with_total

CLIENTEN = by_name("clienten").titles["clienten"]  # "Cliënten"


def has_data(ed: Edition) -> bool:
    return len(ed.load("clienten")) > 0


def kerncijfers(ed: Edition) -> dict[str, int]:
    """Totals over the edition's gemeenten, per column of clienten.csv."""
    frame = ed.load("clienten")
    return {c: int(frame[c].sum()) for c in frame.columns if c != "gemeente"}


@for_edition(key="Gemeente", compare_columns=[CLIENTEN])
def totalen(ed: Edition) -> Table:
    frame = ed.load("clienten")
    several = len(frame) > 1  # one gemeente: its row is the total
    if several:
        frame = with_total(frame, "gemeente")
    frame = frame.rename(columns=by_name("clienten").titles)
    # The totals are in the sentence above the table too (kerncijfers).
    return Table(frame, f"Cliënten en contacten per gemeente, {ed.year}", total=several, sums_published=True)


def per_gemeente_grafiek(ed: Edition) -> Chart | None:
    """Clients per gemeente, from the table as shown; both years when it compares."""
    return bars_from_table(totalen(ed), CLIENTEN, year=ed.year,
                           caption="Grafiek: cliënten per gemeente, {years}. De cijfers staan in de tabel hieronder.",
                           subject="het aantal cliënten per gemeente", xlabel="Cliënten")


def _lists(ed: Edition, dataset: str, item: str, heading: str, caption: str) -> Table:
    lists = ranked(ed.load(dataset), item)
    frame = pd.DataFrame({"Gemeente": lists.index, heading: lists.values})
    return Table(frame, caption, notes=missing_note(ed.gemeenten, list(lists.index)))


def bron_aanmelding(ed: Edition) -> Table:
    return _lists(ed, "bron_aanmelding", "bron", "Top 3 bronnen van aanmelding",
                  f"Hoe kwamen mensen bij ons terecht, {ed.year}")


def leefgebieden(ed: Edition) -> Table:
    return _lists(ed, "leefgebieden", "leefgebied", "Top 3 leefgebieden",
                  f"Waar mensen hulp bij zochten, {ed.year}")


def leeftijd(ed: Edition) -> pd.DataFrame:
    """Clients per age group (rows, youngest first) and gemeente (columns); a gemeente
    without age figures has no column."""
    frame = ed.load("leeftijd").pivot(index="leeftijdsgroep", columns="gemeente", values="clienten")
    frame = frame.reindex(index=list(AGE_GROUPS), columns=ed.gemeenten).dropna(axis=1, how="all")
    frame.index.name, frame.columns.name = "Leeftijd", "gemeente"
    return frame.astype("Int64")


ALLE = "Alle gemeenten"  # all gemeenten together, in the comparison of the age structure


def _leeftijd_plain(ed: Edition, together: bool = False) -> Table:
    """Clients per age group and gemeente, every figure; `together` adds the column of all gemeenten."""
    wide = leeftijd(ed)
    if wide.columns.empty:
        return Table(pd.DataFrame(columns=["Leeftijd"]), f"Leeftijdsopbouw van de cliënten, {ed.year}")
    notes = missing_note(ed.gemeenten, list(wide.columns))
    frame = wide.reset_index()
    if together:
        frame[ALLE] = wide.sum(axis=1).astype("Int64").values
    frame = with_total(frame, "Leeftijd")
    frame.columns.name = None
    return Table(frame, f"Leeftijdsopbouw van de cliënten per gemeente, {ed.year}", total=True, notes=notes,
                 total_column=ALLE if together else None)


def _alle(ed: Edition) -> Table:
    wide = leeftijd(ed)
    frame = pd.DataFrame({"Leeftijd": wide.index, ALLE: wide.sum(axis=1).astype("Int64").values})
    return Table(with_total(frame, "Leeftijd") if len(wide.columns) else frame.iloc[0:0],
                 f"Leeftijdsopbouw van alle cliënten samen, {ed.year}", total=True)


def _alle_vergeleken(ed: Edition) -> Table | None:
    """All gemeenten together, compared with last year; None without last year's ages or with
    fewer than two gemeenten (then the age table compares the gemeente's own column)."""
    if len(leeftijd(ed).columns) < 2:
        return None
    before = previous_table(_alle, ed)
    if before is None or before.frame.empty:
        return None
    return compare(_alle(ed), before, key="Leeftijd", columns=[ALLE], year=ed.year, previous_year=ed.year - 1)


def _hidden_together(ed: Edition) -> set[object]:
    """Rows whose all-gemeenten figure the age table had to hide (so the comparison hides it too)."""
    if not ed.suppress_below:
        return set()
    wide = _leeftijd_plain(ed, together=True)
    _, hidden = suppress.hidden_cells(wide.frame, ed.suppress_below, counts=wide.counts or (), total_row=True,
                                      total_column=ALLE)
    return {row for row, column in hidden if column == ALLE}


def leeftijd_tabel(ed: Edition) -> Table:
    """Clients per age group and gemeente. With last year's data, an edition for one gemeente
    compares that gemeente's column; with several gemeenten the comparison is a table of its
    own (`leeftijd_vergelijking`): five comparisons side by side would not fit on a page."""
    gemeenten = list(leeftijd(ed).columns)
    if len(gemeenten) == 1:
        return for_edition(key="Leeftijd", compare_columns=gemeenten)(_leeftijd_plain)(ed)
    if _alle_vergeleken(ed) is None or not ed.suppress_below:
        return suppress_table(_leeftijd_plain(ed), ed.suppress_below)
    # The other table publishes each row's total: hide as if this table showed it, then leave it out.
    shown = suppress_table(_leeftijd_plain(ed, together=True), ed.suppress_below)
    return replace(shown, frame=shown.frame.drop(columns=ALLE), total_column=None,
                   counts=tuple(c for c in shown.counts or () if c != ALLE),
                   numeric=tuple(c for c in shown.numeric or () if c != ALLE))


def leeftijd_vergelijking(ed: Edition) -> Table:
    """The age structure of all gemeenten together, this year and last; no rows (left out) without
    last year's data or with one gemeente."""
    table = _alle_vergeleken(ed)
    if table is None:
        return Table(pd.DataFrame(columns=["Leeftijd"]), f"Leeftijdsopbouw van alle cliënten samen, {ed.year}")
    assert table.comparison is not None  # compare() records what it compared
    now = table.comparison.columns[ALLE][0]
    return suppress_table(table, ed.suppress_below, also={(row, now) for row in _hidden_together(ed)})


def leeftijd_grafiek(ed: Edition) -> Chart | None:
    """One panel per gemeente, from the table as shown. Both years where the table compares a
    gemeente's own column (an edition for one gemeente)."""
    table = leeftijd_tabel(ed)
    if table.frame.empty:
        return None
    gemeenten = list(leeftijd(ed).columns)
    shown = table.rows.set_index("Leeftijd")
    previous = years = None
    when = f"{ed.year}"
    if table.comparison:
        ((now, before, _),) = table.comparison.columns.values()
        current = shown[[now]].set_axis(gemeenten, axis=1)
        previous = shown[[before]].set_axis(gemeenten, axis=1)
        years = (table.comparison.year, table.comparison.previous_year)
        when = f"{years[0]} en {years[1]}"
    else:
        current = shown[gemeenten]
    current.columns.name = "gemeente"
    if len(gemeenten) == 1:
        return small_multiples(current, previous=previous, years=years,
                               caption=f"Grafiek: leeftijdsopbouw van de cliënten in {gemeenten[0]}, {when}. "
                               "De cijfers staan in de tabel hieronder.",
                               subject=f"het aantal cliënten per leeftijdsgroep in {ed.year}",
                               xlabel="Aantal cliënten per leeftijdsgroep")
    return small_multiples(current, previous=previous, years=years,
                           caption=f"Grafiek: leeftijdsopbouw per gemeente, {when}. "
                           "Alle gemeenten staan op dezelfde schaal; de cijfers staan in de tabel hieronder.",
                           subject=f"het aantal cliënten per leeftijdsgroep in {ed.year}",
                           xlabel="Aantal cliënten per leeftijdsgroep (dezelfde schaal voor elke gemeente)")
