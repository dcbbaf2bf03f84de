"""Jongerenwerk: Skillz street rounds, and what the youth workers saw."""

from __future__ import annotations

import pandas as pd

from ..data.contract import by_name
from ..edition import Edition
from .toolkit.compare import for_edition
from .toolkit.tables import Ranked, Table

# Which column of the published table each kind of list fills, and the label that
# says what it is. Street work counts problem areas and hang-outs; Haaksbergen
# works with a group approach and reports its themes and overlast meter instead.
SIGNAL_COLUMNS = {
    "probleemgebied": ("Top 3 probleemgebieden", None),
    "groepsaanpak": ("Top 3 probleemgebieden", "Groepsaanpak"),
    "hangplek": ("Hangplekken", None),
    "overlastmeter": ("Hangplekken", "Groepsaanpak: Overlastmeter"),
}


TITLES = by_name("skillz").titles


def has_data(ed: Edition) -> bool:
    return bool(len(ed.load("skillz")) or len(ed.load("jongerenwerk_signalen")))


@for_edition(key="Gemeente", compare_columns=[TITLES["jongeren_gesproken"]])
def skillz(ed: Edition) -> Table:
    frame = ed.load("skillz").rename(columns=TITLES)
    # Rounds are walks of the street team, not people: never hidden.
    return Table(frame, f"Skillz jongerenwerk, {ed.year}",
                 counts=(TITLES["jongeren_gesproken"], TITLES["korte_contacten"]))


def signalen(ed: Edition) -> Table:
    frame = ed.load("jongerenwerk_signalen").sort_values("rang", kind="stable")
    rows: dict[str, dict[str, Ranked]] = {}
    for (gemeente, soort), group in frame.groupby(["gemeente", "soort"], sort=False):
        column, label = SIGNAL_COLUMNS[str(soort)]
        rows.setdefault(str(gemeente), {})[column] = Ranked(tuple(group["omschrijving"]), label)
    columns = list(dict.fromkeys(c for c, _ in SIGNAL_COLUMNS.values()))
    table = pd.DataFrame([{"Gemeente": g, **{c: cells.get(c) for c in columns}} for g, cells in rows.items()],
                         columns=["Gemeente", *columns])
    notes = []
    if (frame["soort"].isin(["groepsaanpak", "overlastmeter"])).any():
        aanpak = ", ".join(frame.loc[frame["soort"] == "groepsaanpak", "gemeente"].unique())
        notes.append(f"{aanpak}: het jongerenwerk werkt hier met een groepsaanpak. De eerste kolom noemt de "
                     "thema's van die aanpak, de tweede de uitkomst van de overlastmeter, op volgorde van "
                     "hoe vaak die uitkomst voorkwam.")
    return Table(table, f"Probleemgebieden Skillz jongeren en hangplekken, {ed.year}", notes=notes)
