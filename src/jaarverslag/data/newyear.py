"""Starting a year: a template for every dataset, so the analyst only types numbers, and a
draft of every prose page in `tekst/`, which validation refuses until it is written.

The templates follow the data contract exactly: a ja/nee column holds `ja` or `nee`.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from ..errors import JaarverslagError, Kind
from ..paths import texts_dir, year_dir
from .checks import DRAFT
from .contract import DATASETS, TEXTS
from .read import DataError, load
from .schema import BOOL, COUNT, FREQUENCY, NO, YES, Dataset

# What each prose page is, for its draft.
PAGES = {
    "voorwoord": "het voorwoord van de directeur-bestuurder",
    "raad_van_toezicht": "het woord van de Raad van Toezicht",
}


def carried_columns(dataset: Dataset) -> list[str]:
    """Columns that name a row (gemeente, wijkhuis, rank, ...) and stay from year to year.

    Figures, frequencies and the items of a top list are what changes: left empty.
    """
    if dataset.ranked_by is not None:
        return [c for c in dataset.key]
    return [f.name for f in dataset.fields if f.kind not in (COUNT, FREQUENCY)]


def new_year(year: int, data_dir: Path | None = None) -> list[Path]:
    """Create data/<year>/ with one template per dataset, rows filled in from the year before,
    and data/<year>/tekst/ with a draft of each prose page. Returns the templates (CSV files);
    `drafts(folder)` names the pages."""
    target, previous = year_dir(year, data_dir), year_dir(year - 1, data_dir)
    if target.exists():
        raise JaarverslagError(f"{target} bestaat al; new-year overschrijft geen gegevens. Kies een ander jaar, "
                               "of verwijder die map zelf als u echt opnieuw wilt beginnen.", Kind.NAME)
    if not previous.is_dir():
        raise JaarverslagError(f"{previous} ontbreekt: new-year vult de nieuwe sjablonen uit het jaar ervoor. "
                               "Maak eerst dat jaar, of kies het jaar erna.", Kind.NAME)
    # Every dataset of the year before is read before anything is written: a broken one
    # stops new-year with its problems, and leaves no half-made folder that blocks a second try.
    carried = {}
    try:
        for name, dataset in DATASETS.items():
            keep = carried_columns(dataset)
            carried[name] = (keep, load(year - 1, name, data_dir)[keep].drop_duplicates())
    except DataError as err:
        raise DataError(err.problems, f"new-year vult de sjablonen uit {year - 1}, maar die gegevens zijn niet "
                                      "in orde; herstel ze eerst") from None
    target.mkdir(parents=True)
    written: list[Path] = []
    for name, dataset in DATASETS.items():
        keep, rows = carried[name]
        path = target / f"{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(dataset.columns)
            for row in rows.itertuples(index=False):
                values = dict(zip(keep, row, strict=True))
                writer.writerow(["" if c not in values else _cell(dataset, c, values[c]) for c in dataset.columns])
        written.append(path)
    write_drafts(year, target)
    return written


def _cell(dataset: Dataset, column: str, value: object) -> str:
    """A carried value as the contract writes it: ja/nee for a ja/nee column (pandas holds a
    numpy bool there, which is no Python bool), empty for unknown.

    >>> from .contract import by_name
    >>> _cell(by_name("oco"), "beperking_geregistreerd", __import__("numpy").bool_(False))
    'nee'
    """
    if value is None or value is pd.NA or value != value:
        return ""
    if dataset.field(column).kind == BOOL:
        return YES if bool(value) else NO
    return str(value)


def draft(name: str, year: int) -> str:
    """A page still to be written: front matter that marks it a draft, and what to write."""
    what = PAGES.get(name, f"de tekst '{name}'")
    return (f"---\n{DRAFT}\n---\n\n"
            f"Schrijf hier {what} van {year}, in Markdown en zonder de titel van het hoofdstuk "
            f"(zie data/{year - 1}/tekst/{name}.md als voorbeeld, en docs/volgend-jaar.md, stap 3).\n\n"
            f"Is de tekst af, haal dan de drie regels bovenaan weg (---, {DRAFT}, ---): tot dan weigert "
            "`jaarverslag validate` deze pagina, en bouwt `jaarverslag build` het verslag niet.\n")


def write_drafts(year: int, folder: Path) -> list[Path]:
    """data/<year>/tekst/<name>.md for every prose page, each a draft (`checks.is_draft`)."""
    pages = texts_dir(folder)
    pages.mkdir(exist_ok=True)
    made = []
    for name in TEXTS:
        page = pages / f"{name}.md"
        page.write_text(draft(name, year), encoding="utf-8")
        made.append(page)
    return made


def drafts(folder: Path) -> list[Path]:
    """The prose pages of a year's folder."""
    return [texts_dir(folder) / f"{name}.md" for name in TEXTS]
