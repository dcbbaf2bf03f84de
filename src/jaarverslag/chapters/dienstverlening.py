"""Dienstverlening: thuisadministratie, OCO, maatschappelijke begeleiding,
buurtbemiddeling and ouderenwerk, per gemeente."""

from __future__ import annotations

import pandas as pd

from ..data.contract import by_name
from ..edition import Edition
from .toolkit.compare import for_edition
from .toolkit.tables import Fact, Table, count_and_top, ranked_for

NIET_GEREGISTREERD = "Wordt niet geregistreerd."
DATASETS = ("thuisadministratie", "oco", "maatschappelijke_begeleiding", "buurtbemiddeling", "ouderenwerk")
CLIENTEN = "Aantal cliënten"


def has_data(ed: Edition) -> bool:
    return any(len(ed.load(name)) for name in DATASETS)


def _total(ed: Edition, dataset: str, column: str) -> int | None:
    """The sum over the edition's gemeenten; None where there are no figures (never 0)."""
    frame = ed.load(dataset)
    return int(frame[column].sum()) if len(frame) else None


def kerncijfers(ed: Edition) -> dict[str, int | None]:
    return {
        "thuisadministratie_clienten": _total(ed, "thuisadministratie", "clienten"),
        "oco_clienten": _total(ed, "oco", "clienten"),
        "begeleiding_spreekuren": _total(ed, "maatschappelijke_begeleiding", "spreekuren"),
        "begeleiding_clienten": _total(ed, "maatschappelijke_begeleiding", "clienten"),
        "buurtbemiddeling_meldingen": _total(ed, "buurtbemiddeling", "meldingen"),
        "ouderenwerk_clienten": _total(ed, "ouderenwerk", "clienten"),
    }


def _counts(ed: Edition, dataset: str) -> pd.DataFrame:
    """A per-gemeente count file, with the schema's Dutch headings."""
    return ed.load(dataset).rename(columns=by_name(dataset).titles)


# Every table below has its totals in the sentence above it (kerncijfers): sums_published.

@for_edition(key="Gemeente", compare_columns=[CLIENTEN])
def thuisadministratie(ed: Edition) -> Table:
    return count_and_top(ed, "thuisadministratie", "thuisadministratie_hulpvragen", item="hulpvraag",
                         noun="hulpvragen", caption=f"Ondersteuningsvragen thuisadministratie, {ed.year}")


@for_edition(key="Gemeente", compare_columns=[CLIENTEN])
def oco(ed: Edition) -> Table:
    counts = ed.load("oco")
    beperking = ed.load("oco_beperking")
    beperkingen = ranked_for(beperking, "beperking", counts["gemeente"])
    frame = pd.DataFrame(
        {
            "Gemeente": counts["gemeente"],
            CLIENTEN: counts["clienten"],
            "Ondersteuning": ranked_for(
                ed.load("oco_ondersteuning"), "ondersteuning", counts["gemeente"]
            ),
            "Beperking bij cliënt": [
                lst if registered else Fact(NIET_GEREGISTREERD)
                for lst, registered in zip(
                    beperkingen, counts["beperking_geregistreerd"], strict=True
                )
            ],
        }
    )
    return Table(frame, f"Onafhankelijke Cliënt Ondersteuning (OCO), {ed.year}", sums_published=True)


@for_edition(key="Gemeente", compare_columns=[CLIENTEN])
def maatschappelijke_begeleiding(ed: Edition) -> Table:
    # Spreekuren are meetings, not people: never hidden.
    return count_and_top(ed, "maatschappelijke_begeleiding", "maatschappelijke_begeleiding_acties", item="actie",
                         noun="acties", caption=f"Maatschappelijke begeleiding, {ed.year}", counts=(CLIENTEN,))


@for_edition(key="Gemeente", compare_columns=["Aantal meldingen"])
def buurtbemiddeling(ed: Edition) -> Table:
    frame = _counts(ed, "buurtbemiddeling")
    frame["Aard van de klachten"] = ranked_for(
        ed.load("buurtbemiddeling_klachten"), "klacht", frame["Gemeente"]
    )
    frame["Wijken"] = ranked_for(ed.load("buurtbemiddeling_wijken"), "wijk", frame["Gemeente"])
    return Table(frame, f"Buurtbemiddeling: meldingen, aard van de klachten en wijken, {ed.year}",
                 sums_published=True)


@for_edition(key="Gemeente", compare_columns=[CLIENTEN])
def ouderenwerk(ed: Edition) -> Table:
    return count_and_top(ed, "ouderenwerk", "ouderenwerk_probleemgebieden", item="probleemgebied",
                         noun="probleemgebieden", caption=f"Ouderenwerk, {ed.year}")
