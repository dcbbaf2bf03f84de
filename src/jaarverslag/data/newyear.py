"""Starting a year: a template for every dataset, so the analyst only types numbers."""

from __future__ import annotations

import csv
from pathlib import Path

from ..errors import JaarverslagError, Kind
from ..paths import year_dir
from .contract import DATASETS
from .read import load
from .schema import COUNT, FREQUENCY, Dataset


def carried_columns(dataset: Dataset) -> list[str]:
    """Columns that name a row (gemeente, wijkhuis, rank, ...) and stay from year to year.

    Figures, frequencies and the items of a top list are what changes: left empty.
    """
    if dataset.ranked_by is not None:
        return [c for c in dataset.key]
    return [f.name for f in dataset.fields if f.kind not in (COUNT, FREQUENCY)]


def new_year(year: int, data_dir: Path | None = None) -> list[Path]:
    """Create data/<year>/ with one template per dataset, rows filled in from the year before."""
    target, previous = year_dir(year, data_dir), year_dir(year - 1, data_dir)
    if target.exists():
        raise JaarverslagError(f"{target} bestaat al; new-year overschrijft geen gegevens. Kies een ander jaar, "
                               "of verwijder die map zelf als u echt opnieuw wilt beginnen.", Kind.NAME)
    if not previous.is_dir():
        raise JaarverslagError(f"{previous} ontbreekt: new-year vult de nieuwe sjablonen uit het jaar ervoor. "
                               "Maak eerst dat jaar, of kies het jaar erna.", Kind.NAME)
    target.mkdir(parents=True)
    written: list[Path] = []
    for name, dataset in DATASETS.items():
        keep = carried_columns(dataset)
        rows = load(year - 1, name, data_dir)[keep].drop_duplicates()
        path = target / f"{name}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(dataset.columns)
            for row in rows.itertuples(index=False):
                values = dict(zip(keep, row, strict=True))
                writer.writerow(["" if c not in values else _text(values[c]) for c in dataset.columns])
        written.append(path)
    return written


def _text(value: object) -> str:
    if value is True or value is False:
        return "ja" if value else "nee"
    return "" if value is None or value != value else str(value)
