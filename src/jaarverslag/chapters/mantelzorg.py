"""Mantelzorg: sign-ups, for whom people care, and how heavy it weighs."""

from __future__ import annotations

import pandas as pd

from ..edition import Edition
from ..tables import Table, ranked


def aanmeldingen(ed: Edition) -> pd.DataFrame:
    frame = ed.load("mantelzorg_aanmeldingen")
    return frame.pivot(index="gemeente", columns="regeling", values="aanmeldingen").reindex(
        [g for g in ed.gemeenten if g in set(frame["gemeente"])])


def overzicht(ed: Edition) -> Table:
    counts = aanmeldingen(ed)
    van = ranked(ed.load("mantelzorg_van"), "relatie")
    zwaarte = ranked(ed.load("mantelzorg_zwaarte"), "zwaarte")
    frame = pd.DataFrame({
        "Gemeente": counts.index,
        "Aanmeldingen JMZ": counts.get("JMZ").astype("Int64").values,
        "Aanmeldingen MV": counts.get("MV").astype("Int64").values,
        "Mantelzorg van": van.reindex(counts.index).values,
        "Zwaarte mantelzorg": zwaarte.reindex(counts.index).values,
    })
    return Table(frame, f"Mantelzorg, {ed.year}", notes=[
        "JMZ: aanmeldingen voor activiteiten voor jonge mantelzorgers. "
        "MV: aanmeldingen voor Mantelzorg Info & Activiteiten."])
