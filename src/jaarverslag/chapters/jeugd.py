"""Jongeren, school en opvoeding: schoolmaatschappelijk werk and LOES opvoedondersteuning."""

from __future__ import annotations

import pandas as pd
from IPython.display import Markdown

from ..edition import Edition
from ..markup import md_text
from .toolkit.compare import for_edition
from .toolkit.tables import Table, ranked_for, top_title
from .toolkit.wording import in_woorden, opsomming

# How a LOES row is labelled: individual contacts under the gemeente's name, the
# collective activities (counted apart in Hengelo) as "<gemeente> collectief".
DOELGROEP_LABEL = {"individueel": "{gemeente}", "collectief": "{gemeente} collectief"}


def has_data(ed: Edition) -> bool:
    return bool(len(ed.load("smw_leefgebieden")) or len(scholen(ed)) or len(ed.load("loes")))


def leefgebieden(ed: Edition) -> Table:
    frame = ed.load("smw_leefgebieden")
    gemeenten = frame["gemeente"].drop_duplicates()
    table = pd.DataFrame(
        {
            "Gemeente": gemeenten.values,
            top_title(frame, "leefgebieden"): ranked_for(frame, "leefgebied", gemeenten),
        }
    )
    return Table(table, f"Schoolmaatschappelijk werk: leefgebieden per gemeente, {ed.year}")


def scholen(ed: Edition) -> pd.DataFrame:
    """Schools with their figures and the gemeenten of their locations, as a list per school.

    A school's figures are not split per gemeente, so an edition for one gemeente
    shows the schools with a location there, with their figures for all locations.
    """
    frame = ed.load("smw_scholen")
    places = (
        ed.load("smw_scholen_gemeenten").groupby("school", sort=False)["gemeente_locatie"].agg(list)
    )
    frame["gemeenten"] = frame["school"].map(places).map(lambda g: g if isinstance(g, list) else [])
    if ed.gemeente:
        frame = frame[frame["gemeenten"].map(lambda g: ed.gemeente in g)]
    return frame.reset_index(drop=True)


def scholen_tekst(ed: Edition) -> Markdown:
    sentences = []
    frame = scholen(ed)
    for school, count, places in zip(frame["school"], frame["locaties"], frame["gemeenten"], strict=True):
        locaties = f"{in_woorden(count)} {'locatie' if count == 1 else 'locaties'}"
        n = len(places)
        waar = f"verdeeld over {in_woorden(n)} gemeenten" if n > 1 else "in de gemeente"
        gemeenten = opsomming([md_text(g) for g in places])
        sentences.append(f"We zijn aanwezig op {locaties} van het {md_text(school)}, {waar} ({gemeenten}).")
    return Markdown(" ".join(sentences))


@for_edition(key="School", compare_columns=["Aantal cliënten"])
def scholen_tabel(ed: Edition) -> Table:
    frame = scholen(ed)
    lists = ed.load("smw_scholen_leefgebieden")
    table = pd.DataFrame(
        {
            "School": frame["school"],
            "Aantal cliënten": frame["clienten"],
            top_title(lists, "leefgebieden"): ranked_for(
                lists, "leefgebied", frame["school"], by="school"
            ),
        }
    )
    return Table(
        table, f"Schoolmaatschappelijk werk op school: cliënten en leefgebieden, {ed.year}"
    )


@for_edition(key="Gemeente", compare_columns=["Aantal contacten/activiteiten"])
def loes(ed: Edition) -> Table:
    counts = ed.load("loes")
    kenmerken = ed.load("loes_kenmerken")
    keys = list(zip(counts["gemeente"], counts["doelgroep"], strict=True))
    table = pd.DataFrame(
        {
            "Gemeente": [DOELGROEP_LABEL[d].format(gemeente=g) for g, d in keys],
            "Aantal contacten/activiteiten": counts["contacten"],
            "Kenmerk of vraag over": ranked_for(
                kenmerken, "kenmerk", keys, by=["gemeente", "doelgroep"]
            ),
        }
    )
    notes = []
    if (counts["doelgroep"] == "collectief").any():
        notes.append(
            "Collectief: activiteiten voor groepen ouders, "
            "apart geteld van de individuele contacten."
        )
    if kenmerken["kenmerk"].str.contains(" & ", regex=False).any():
        notes.append("Met '&' staan twee kenmerken samen op één plaats, zoals het team ze opgaf.")
    return Table(table, f"LOES opvoedondersteuning, {ed.year}", notes=notes)
