"""Wijkhuizen Hengelo: the three locations, their activities and participants; in the
gemeente's own edition also the assignment, focus groups and subsidy from its letter."""

from __future__ import annotations

from typing import Any

import pandas as pd
from IPython.display import Markdown

from ..data.frequency import parse_frequency
from ..edition import Edition
from ..markup import md_text
from ..style import UNKNOWN, fmt_date, fmt_eur, fmt_int
from .toolkit.charts import Chart, bars_from_table
from .toolkit.compare import for_edition
from .toolkit.tables import Table, with_total
from .toolkit.wording import in_woorden, opsomming

DEELNEMERS = "Deelnemers"


def has_data(ed: Edition) -> bool:
    return len(locaties(ed)) > 0


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


@for_edition(key="Wijkhuis", compare_columns=[DEELNEMERS])
def locaties_tabel(ed: Edition) -> Table:
    frame = locaties(ed)
    table = pd.DataFrame({
        "Wijkhuis": frame["wijkhuis"],
        "Gebouw": frame["gebouw"],
        "Wijk": frame["wijk"],
        "Opening": frame.apply(opening, axis=1) if len(frame) else pd.Series(dtype=str),
        "Activiteiten": frame["wijkhuis"].map(activiteiten(ed)["wijkhuis"].value_counts()).astype("Int64"),
        DEELNEMERS: frame["wijkhuis"].map(deelnemers(ed)).astype("Int64"),
    })
    # Activities are a number of activities, not of people: never hidden.
    return Table(with_total(table, "Wijkhuis"), f"De wijkhuizen in Hengelo, {ed.year}", total=True,
                 counts=(DEELNEMERS,),
                 notes=["Opening volgens de brief van de gemeente Hengelo over 'Versterken Voorliggend'."])


@for_edition(key="Activiteit", compare_columns=["Aantal deelnemers"])
def activiteiten_tabel(ed: Edition, wijkhuis: str) -> Table:
    """One wijkhuis: each activity, how often it meets, and its participants."""
    group = activiteiten(ed)
    group = group[group["wijkhuis"] == wijkhuis]
    frame = pd.DataFrame({
        "Activiteit": group["activiteit"],
        "Bijeenkomsten": [meeting_text(f, n) for f, n in zip(group["frequentie"], group["bijeenkomsten"], strict=True)],
        "Aantal deelnemers": group["deelnemers"],
    })
    return Table(with_total(frame.reset_index(drop=True), "Activiteit"),
                 f"Wijkhuis {wijkhuis}: activiteiten, {ed.year}", total=True)


def activiteiten_tabellen(ed: Edition) -> list[Table]:
    """One table per wijkhuis, in the order of the activities file."""
    return [activiteiten_tabel(ed, w) for w in activiteiten(ed)["wijkhuis"].drop_duplicates()]


def meeting_text(frequentie: object, bijeenkomsten: Any) -> str:
    """How often an activity met, as the team reported it: a frequency word or a count."""
    if isinstance(frequentie, str):
        return frequentie
    if pd.isna(bijeenkomsten):
        return UNKNOWN
    return f"{fmt_int(bijeenkomsten)} {'bijeenkomst' if bijeenkomsten == 1 else 'bijeenkomsten'}"


def deelnemers_grafiek(ed: Edition) -> Chart | None:
    """Participants per wijkhuis, from the table as shown; both years when it compares. Also
    for a single wijkhuis."""
    return bars_from_table(locaties_tabel(ed), DEELNEMERS, year=ed.year, fewest=1,
                           caption="Grafiek: deelnemers per wijkhuis, {years}. De cijfers staan in de tabel hierboven.",
                           subject="het aantal deelnemers per wijkhuis in Hengelo", xlabel="Deelnemers")


# ---- the gemeente's letter: only in the gemeente's own edition ---------------
# The report of the whole organisation is the published one, which has none of this.

def _letter(ed: Edition, dataset: str) -> pd.DataFrame:
    frame = ed.load(dataset)
    return frame if ed.gemeente else frame.iloc[0:0]


def opdracht_tekst(ed: Edition) -> Markdown:
    """The assignment in a few sentences, every figure from the data; empty without it."""
    opdracht = _letter(ed, "wijkhuizen_opdracht")
    if opdracht.empty:
        return Markdown("")
    o = opdracht.iloc[0]
    n = len(locaties(ed))
    return Markdown(
        f"In {o['jaar']} gaf de gemeente {md_text(o['gemeente'])} Wijkkracht de opdracht "
        f"*{md_text(o['opdracht'])}*: het aanbod voor ontmoeting en dagbesteding dicht bij huis versterken, "
        "zodat inwoners langer zelfstandig blijven en minder vaak een geïndiceerde "
        f"maatwerkvoorziening nodig hebben. Dat werd een structuur van {in_woorden(n)} wijkhuizen, "
        f"die {in_woorden(int(o['dagen_per_week']))} dagen per week open zijn."
    )


def tijdlijn_tabel(ed: Edition) -> Table:
    frame = _letter(ed, "wijkhuizen_tijdlijn")
    table = pd.DataFrame({
        "Wanneer": [fmt_date(d).replace(" ", "\u00a0") for d in frame["datum"]],  # a date on one line
        "Fase": frame["fase"],
        "Wat": frame["gebeurtenis"],
    })
    return Table(table, f"De opdracht 'Versterken Voorliggend' in de tijd (brief van de gemeente {ed.name})",
                 counts=(), formats={"Fase": lambda f: "" if pd.isna(f) else fmt_int(f)},
                 notes=["Fase 1: voorbereiding. Fase 2: de wijkhuizen openen. Fase 3 (de laatste): "
                        "de wijkhuizen bekendmaken, deelname stimuleren en de resultaten in beeld brengen."])


def doelgroepen_tabel(ed: Edition) -> Table:
    frame = _letter(ed, "wijkhuizen_doelgroepen")
    table = pd.DataFrame({"Doelgroep": frame["doelgroep"], "Wie": frame["omschrijving"]})
    return Table(table, "Voor wie de wijkhuizen er vooral zijn", counts=())


def subsidie_tabel(ed: Edition) -> Table:
    frame = _letter(ed, "wijkhuizen_subsidie")
    table = with_total(pd.DataFrame({"Ten laste van": frame["post"], "Bedrag": frame["bedrag"]}),
                       "Ten laste van")
    besluiten = sorted({fmt_date(d) for d in frame["besluit"]})
    fasen = sorted({int(f) for f in frame["fase"]})
    notes = [f"Besluit van de gemeente {ed.name} op {opsomming(besluiten)}."] if besluiten else []
    fase = f"fase {opsomming([str(f) for f in fasen])}" if fasen else ""
    # Euros are no counts of people: never hidden.
    return Table(table, f"Subsidie voor {fase} van de wijkhuizen", total=True, counts=(),
                 formats={"Bedrag": fmt_eur}, notes=notes)
