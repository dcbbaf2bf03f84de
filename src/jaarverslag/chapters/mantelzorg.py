"""Mantelzorg: sign-ups, for whom people care, and how heavy it weighs."""

from __future__ import annotations

import pandas as pd

from ..edition import Edition
from .toolkit.compare import for_edition
from .toolkit.tables import Table, ranked

REGELINGEN = ("JMZ", "MV")


def has_data(ed: Edition) -> bool:
    return len(ed.load("mantelzorg_aanmeldingen")) > 0


def aanmeldingen(ed: Edition) -> pd.DataFrame:
    """Sign-ups per gemeente (rows, in the order of gemeenten.csv) and regeling (columns)."""
    frame = ed.load("mantelzorg_aanmeldingen")
    wide = frame.pivot(index="gemeente", columns="regeling", values="aanmeldingen")
    return wide.reindex(index=[g for g in ed.gemeenten if g in set(frame["gemeente"])],
                        columns=list(REGELINGEN)).astype("Int64")


@for_edition(key="Gemeente", compare_columns={f"Aanmeldingen {r}": r for r in REGELINGEN})
def overzicht(ed: Edition) -> Table:
    counts = aanmeldingen(ed)
    van = ranked(ed.load("mantelzorg_van"), "relatie")
    zwaarte = ranked(ed.load("mantelzorg_zwaarte"), "zwaarte")
    frame = pd.DataFrame({
        "Gemeente": counts.index,
        **{f"Aanmeldingen {r}": counts[r].values for r in REGELINGEN},
        "Mantelzorg van": van.reindex(counts.index).values,
        "Zwaarte mantelzorg": zwaarte.reindex(counts.index).values,
    })
    return Table(frame, f"Mantelzorg, {ed.year}", notes=[
        "JMZ: aanmeldingen voor activiteiten voor jonge mantelzorgers. "
        "MV: aanmeldingen voor Mantelzorg Info & Activiteiten."])
