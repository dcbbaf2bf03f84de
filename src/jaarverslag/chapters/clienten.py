"""Cliënten: totals, how people found us, what they came for, and their ages."""

from __future__ import annotations

import pandas as pd

from ..charts import Chart, bars, small_multiples
from ..datasets import AGE_GROUPS, by_name
from ..edition import Edition
from ..tables import Table, ranked, with_total


def kerncijfers(ed: Edition) -> dict[str, int]:
    """Totals over the edition's gemeenten, per column of clienten.csv."""
    frame = ed.load("clienten")
    return {c: int(frame[c].sum()) for c in frame.columns if c != "gemeente"}


def totalen(ed: Edition) -> Table:
    frame = with_total(ed.load("clienten"), "gemeente").rename(columns=by_name("clienten").titles)
    return Table(frame, f"Cliënten en contacten per gemeente, {ed.year}", total=True)


def per_gemeente_grafiek(ed: Edition) -> Chart:
    frame = ed.load("clienten").set_index("gemeente")["clienten"]
    return bars(frame, caption=f"Grafiek: cliënten per gemeente, {ed.year}. De cijfers staan in de tabel hieronder.",
                subject=f"het aantal cliënten per gemeente in {ed.year}", xlabel="Cliënten")


def bron_aanmelding(ed: Edition) -> Table:
    lists = ranked(ed.load("bron_aanmelding"), "bron")
    frame = pd.DataFrame({"Gemeente": lists.index, "Top 3 bronnen van aanmelding": lists.values})
    return Table(frame, f"Hoe kwamen mensen bij ons terecht, {ed.year}")


def leefgebieden(ed: Edition) -> Table:
    lists = ranked(ed.load("leefgebieden"), "leefgebied")
    frame = pd.DataFrame({"Gemeente": lists.index, "Top 3 leefgebieden": lists.values})
    return Table(frame, f"Waar mensen hulp bij zochten, {ed.year}")


def leeftijd(ed: Edition) -> pd.DataFrame:
    """Clients per age group (rows, youngest first) and gemeente (columns)."""
    frame = ed.load("leeftijd").pivot(index="leeftijdsgroep", columns="gemeente", values="clienten")
    frame = frame.reindex(index=list(AGE_GROUPS), columns=ed.gemeenten).dropna(axis=1, how="all")
    frame.index.name, frame.columns.name = "Leeftijd", "gemeente"
    return frame.astype("Int64")


def leeftijd_tabel(ed: Edition) -> Table:
    frame = with_total(leeftijd(ed).reset_index(), "Leeftijd")
    frame.columns.name = None
    return Table(frame, f"Leeftijdsopbouw van de cliënten per gemeente, {ed.year}", total=True)


def leeftijd_grafiek(ed: Edition) -> Chart:
    return small_multiples(leeftijd(ed), caption=f"Grafiek: leeftijdsopbouw per gemeente, {ed.year}. "
                           "Elke gemeente heeft een eigen schaal; de cijfers staan in de tabel hieronder.",
                           subject=f"het aantal cliënten per leeftijdsgroep in {ed.year}",
                           xlabel="Aantal cliënten per leeftijdsgroep (elke gemeente op eigen schaal)")
