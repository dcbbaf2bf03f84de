"""Vrijwilligers en ontmoeting: volunteers per gemeente, and the meeting groups' activities."""

from __future__ import annotations

import pandas as pd

from ..charts import Chart, bars
from ..datasets import by_name
from ..edition import Edition
from ..style import fmt_int, is_missing
from ..tables import GroupedTable, Table, ranked_for, top_title


def kerncijfers(ed: Edition) -> dict[str, int | None]:
    frame = ed.load("vrijwilligers")
    groepen = ed.load("ontmoetingsgroepen")
    return {
        "vrijwilligers": int(frame["vrijwilligers"].sum()) if len(frame) else None,
        "activiteiten": len(groepen),
    }


def vrijwilligers(ed: Edition) -> Table:
    frame = ed.load("vrijwilligers").rename(columns=by_name("vrijwilligers").titles)
    activiteiten = ed.load("vrijwilligers_activiteiten")
    frame[top_title(activiteiten, "vrijwilligersactiviteiten")] = ranked_for(
        activiteiten, "activiteit", frame["Gemeente"]
    )
    return Table(frame, f"Vrijwilligers en hun activiteiten per gemeente, {ed.year}")


def vrijwilligers_grafiek(ed: Edition) -> Chart | None:
    frame = ed.load("vrijwilligers").set_index("gemeente")["vrijwilligers"]
    if frame.empty:
        return None
    return bars(
        frame,
        caption=f"Vrijwilligers per gemeente, {ed.year}",
        subject=f"het aantal vrijwilligers per gemeente in {ed.year}",
        xlabel="Vrijwilligers",
    )


def ontmoetingsgroepen(ed: Edition) -> pd.DataFrame:
    return ed.load("ontmoetingsgroepen")


def meetings_cell(frequentie, bijeenkomsten):
    """The meetings as reported: a frequency word, or the count (formatted on display)."""
    return frequentie if isinstance(frequentie, str) else bijeenkomsten


def participants_cell(deelnemers, per_bijeenkomst):
    """Participants, with the per-meeting figure where the team gave one.

    >>> participants_cell(4231, 226)
    '4.231 (per bijeenkomst 226)'
    >>> participants_cell(168, pd.NA)
    168
    """
    if is_missing(per_bijeenkomst):
        return deelnemers
    return f"{fmt_int(deelnemers)} (per bijeenkomst {fmt_int(per_bijeenkomst)})"


def ontmoetingsgroepen_tabel(ed: Edition) -> GroupedTable:
    frame = ontmoetingsgroepen(ed)
    titles = by_name("ontmoetingsgroepen").titles
    meetings = map(meetings_cell, frame["frequentie"], frame["bijeenkomsten"])
    participants = map(participants_cell, frame["deelnemers"], frame["deelnemers_per_bijeenkomst"])
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
        notes=_notes(frame),
    )


def _notes(frame: pd.DataFrame) -> list[str]:
    notes = ["Aantal bijeenkomsten: het aantal in het jaar, of hoe vaak de activiteit samenkwam."]
    if frame["deelnemers_per_bijeenkomst"].notna().any():
        notes.append(
            "Tussen haakjes: het aantal deelnemers per bijeenkomst, zoals het team het opgaf."
        )
    if frame["deelnemers"].isna().any():
        notes.append("Onbekend: het aantal deelnemers is niet opgegeven.")
    return notes
