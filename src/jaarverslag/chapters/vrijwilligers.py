"""Vrijwilligers en ontmoeting: volunteers per gemeente, and the meeting groups' activities."""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..data.contract import by_name
from ..edition import Edition
from ..style import fmt_int, is_missing
from .toolkit.charts import Chart, bars_from_table
from .toolkit.compare import for_edition
from .toolkit.suppress import Suppressed, is_small, rule, shown
from .toolkit.tables import GroupedTable, Table, count_and_top

VRIJWILLIGERS = "Aantal vrijwilligers"


def has_data(ed: Edition) -> bool:
    return bool(len(ed.load("vrijwilligers")) or len(ed.load("ontmoetingsgroepen")))


def kerncijfers(ed: Edition) -> dict[str, int | None]:
    frame = ed.load("vrijwilligers")
    groepen = ed.load("ontmoetingsgroepen")
    return {
        "vrijwilligers": int(frame["vrijwilligers"].sum()) if len(frame) else None,
        "activiteiten": len(groepen),
    }


@for_edition(key="Gemeente", compare_columns=[VRIJWILLIGERS])
def vrijwilligers(ed: Edition) -> Table:
    return count_and_top(ed, "vrijwilligers", "vrijwilligers_activiteiten", item="activiteit",
                         noun="vrijwilligersactiviteiten",
                         caption=f"Vrijwilligers en hun activiteiten per gemeente, {ed.year}")


def vrijwilligers_grafiek(ed: Edition) -> Chart | None:
    """Volunteers per gemeente, from the table as shown; both years when it compares."""
    return bars_from_table(vrijwilligers(ed), VRIJWILLIGERS, year=ed.year,
                           caption="Vrijwilligers per gemeente, {years}",
                           subject="het aantal vrijwilligers per gemeente", xlabel="Vrijwilligers")


def ontmoetingsgroepen(ed: Edition) -> pd.DataFrame:
    return ed.load("ontmoetingsgroepen")


def meetings_cell(frequentie: object, bijeenkomsten: object) -> object:
    """The meetings as reported: a frequency word, or the count (formatted on display)."""
    return frequentie if isinstance(frequentie, str) else bijeenkomsten


def participants_cell(deelnemers: object, per_bijeenkomst: object, below: int | None = None) -> object:
    """Participants, with the per-meeting figure where the team gave one; a small number
    as "<N" when the edition hides small numbers (`below`).

    >>> participants_cell(4231, 226)
    '4.231 (per bijeenkomst 226)'
    >>> participants_cell(168, pd.NA)
    168
    >>> participants_cell(3, pd.NA, below=5)
    Suppressed(below=5, primary=True)
    """
    deelnemers, per_bijeenkomst = shown(deelnemers, below), shown(per_bijeenkomst, below)
    if is_missing(per_bijeenkomst):
        return deelnemers

    def text(n: Any) -> str:
        return str(n) if isinstance(n, Suppressed) else fmt_int(n)
    return f"{text(deelnemers)} (per bijeenkomst {text(per_bijeenkomst)})"


def ontmoetingsgroepen_tabel(ed: Edition) -> GroupedTable:
    frame = ontmoetingsgroepen(ed)
    titles = by_name("ontmoetingsgroepen").titles
    meetings = map(meetings_cell, frame["frequentie"], frame["bijeenkomsten"])
    participants = [participants_cell(n, per, ed.suppress_below)
                    for n, per in zip(frame["deelnemers"], frame["deelnemers_per_bijeenkomst"], strict=True)]
    table = pd.DataFrame(
        {
            titles["gemeente"]: frame["gemeente"],
            titles["groep"]: frame["groep"],
            titles["activiteit"]: frame["activiteit"],
            titles["bijeenkomsten"]: pd.Series(list(meetings), dtype=object),
            titles["deelnemers"]: pd.Series(list(participants), dtype=object),
        }
    )
    return GroupedTable(
        table,
        groups=[titles["gemeente"], titles["groep"]],
        caption=f"Ontmoetingsgroepen: activiteiten, bijeenkomsten en deelnemers, {ed.year}",
        numeric=(titles["bijeenkomsten"], titles["deelnemers"]),
        notes=_notes(frame, ed.suppress_below),
    )


def _notes(frame: pd.DataFrame, below: int | None = None) -> list[str]:
    notes = ["Aantal bijeenkomsten: het aantal in het jaar, of hoe vaak de activiteit samenkwam."]
    if frame["deelnemers_per_bijeenkomst"].notna().any():
        notes.append(
            "Tussen haakjes: het aantal deelnemers per bijeenkomst, zoals het team het opgaf."
        )
    if frame["deelnemers"].isna().any():
        notes.append("Onbekend: het aantal deelnemers is niet opgegeven.")
    if below and any(is_small(n, below) for n in frame["deelnemers"]):
        notes.append(rule(below, secondary=False))
    return notes
