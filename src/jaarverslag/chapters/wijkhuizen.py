"""Wijkhuizen Hengelo: the three locations, their activities and participants."""

from __future__ import annotations

import pandas as pd

from ..charts import Chart, bars
from ..edition import Edition
from ..frequency import parse_frequency
from ..style import UNKNOWN, fmt_date, fmt_int
from ..tables import Table, with_total


def locaties(ed: Edition) -> pd.DataFrame:
    return ed.load("wijkhuizen")


def activiteiten(ed: Edition) -> pd.DataFrame:
    """Activities of the edition's wijkhuizen, with the meeting frequency understood."""
    frame = ed.load("wijkhuis_activiteiten")
    frame = frame[frame["wijkhuis"].isin(locaties(ed)["wijkhuis"])].reset_index(drop=True)
    frame["per_jaar_max"] = frame["frequentie"].map(
        lambda f: parse_frequency(f).per_year if isinstance(f, str) else pd.NA).astype("Int64")
    return frame


def opening(row: pd.Series) -> str:
    text = fmt_date(row["opening"])
    return text if row["opening_status"] == "geopend" else f"{text} (verwacht)"


def deelnemers(ed: Edition) -> pd.Series:
    return activiteiten(ed).groupby("wijkhuis", sort=False)["deelnemers"].sum()


def locaties_tabel(ed: Edition) -> Table:
    frame = locaties(ed)
    table = pd.DataFrame({
        "Wijkhuis": frame["wijkhuis"],
        "Gebouw": frame["gebouw"],
        "Wijk": frame["wijk"],
        "Opening": frame.apply(opening, axis=1),
        "Activiteiten": frame["wijkhuis"].map(activiteiten(ed)["wijkhuis"].value_counts()).astype("Int64"),
        "Deelnemers": frame["wijkhuis"].map(deelnemers(ed)).astype("Int64"),
    })
    return Table(with_total(table, "Wijkhuis"), f"De wijkhuizen in Hengelo, {ed.year}", total=True,
                 notes=["Opening volgens de brief van de gemeente Hengelo over 'Versterken Voorliggend'."])


def activiteiten_tabellen(ed: Edition) -> list[Table]:
    """One table per wijkhuis: each activity, how often it meets, and its participants."""
    tables = []
    for wijkhuis, group in activiteiten(ed).groupby("wijkhuis", sort=False):
        frame = pd.DataFrame({
            "Activiteit": group["activiteit"],
            "Bijeenkomsten": [meeting_text(f, n) for f, n in zip(group["frequentie"], group["bijeenkomsten"])],
            "Aantal deelnemers": group["deelnemers"],
        })
        tables.append(Table(with_total(frame, "Activiteit"), f"Wijkhuis {wijkhuis}: activiteiten, {ed.year}",
                            total=True))
    return tables


def meeting_text(frequentie, bijeenkomsten) -> str:
    """How often an activity met, as the team reported it: a frequency word or a count."""
    if isinstance(frequentie, str):
        return frequentie
    if pd.isna(bijeenkomsten):
        return UNKNOWN
    return f"{fmt_int(bijeenkomsten)} {'bijeenkomst' if bijeenkomsten == 1 else 'bijeenkomsten'}"


def deelnemers_grafiek(ed: Edition) -> Chart:
    return bars(deelnemers(ed), caption=f"Grafiek: deelnemers per wijkhuis, {ed.year}. "
                "De cijfers staan in de tabel hierboven.",
                subject=f"het aantal deelnemers per wijkhuis in Hengelo in {ed.year}", xlabel="Deelnemers")
