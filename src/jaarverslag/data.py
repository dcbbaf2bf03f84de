"""Reading a year's data: find each file, read it as the analyst saved it, validate it.

Files are CSV (UTF-8, with or without BOM; ',' or ';' as Dutch Excel saves it)
or .xlsx. Loading never returns data that broke a rule: it raises `DataError`
with every problem, each naming file, line, column and value.
"""

from __future__ import annotations

import csv
import functools
import io
from pathlib import Path

import pandas as pd

from . import schema, trace
from .datasets import DATASETS, TEXTS, by_name
from .errors import JaarverslagError, Kind
from .paths import relative, year_dir
from .schema import Problem


class DataError(JaarverslagError):
    """The data breaks rules; `problems` names each (file, line, column, value, rule)."""

    kind = Kind.DATA

    def __init__(self, problems: list[Problem], heading: str = ""):
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        count = "1 probleem" if len(problems) == 1 else f"{len(problems)} problemen"
        super().__init__(f"{heading or 'De gegevens zijn niet in orde'}: {count}:\n{lines}")


def find_file(folder: Path, name: str) -> Path | None:
    """The dataset's file. Every place looked at is recorded for the build cache (`trace`),
    also where nothing was found: a file added there later is a change too."""
    for suffix in (".csv", ".xlsx"):
        candidate = folder / f"{name}{suffix}"
        trace.record(candidate)
        if candidate.exists():
            return candidate
    return None


def display_path(path: Path) -> str:
    return relative(path)


def read_raw(path: Path) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The cells of a file as text, header from the first line."""
    shown = display_path(path)
    if path.suffix == ".xlsx":
        try:
            return pd.read_excel(path, dtype=str, keep_default_na=False), []
        except Exception as err:  # openpyxl raises many kinds for a broken workbook
            return None, [Problem(shown, None, None, None, f"is geen leesbaar Excel-bestand ({err})")]
    data = path.read_bytes()
    try:
        content = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        text = data.splitlines()[line - 1].decode("utf-8", errors="replace")
        return None, [Problem(shown, line, None, text,
                              "is geen UTF-8; sla het bestand op als 'CSV UTF-8 (door komma's gescheiden)'")]
    if not content.strip():
        return None, [Problem(shown, None, None, None, "het bestand is leeg")]
    first = content.splitlines()[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    try:
        frame = pd.read_csv(io.StringIO(content), sep=sep, dtype=str, keep_default_na=False,
                            skipinitialspace=True, quoting=csv.QUOTE_MINIMAL)
    except pd.errors.ParserError as err:
        return None, [Problem(shown, None, None, None, f"is geen geldige CSV ({err})")]
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame, []


def read_dataset(name: str, folder: Path, gemeenten: list[str]) -> tuple[pd.DataFrame | None, list[Problem]]:
    dataset = by_name(name)
    path = find_file(folder, name)
    if path is None:
        return None, [Problem(display_path(folder / f"{name}.csv"), None, None, None,
                              f"bestand ontbreekt (dataset '{dataset.title}')", missing=True)]
    raw, problems = read_raw(path)
    if raw is None:
        return None, problems
    typed, problems = schema.coerce(dataset, raw, display_path(path))
    if any(p.line == 1 for p in problems):  # header problems: the rows can't be read
        return None, problems
    problems += schema.check(dataset, typed, display_path(path), gemeenten, problems)
    return typed, sorted(problems, key=lambda p: p.line or 0)


def gemeenten(year: int, data_dir: Path | None = None) -> list[str]:
    """The year's gemeenten, in the order of gemeenten.csv."""
    return list(load(year, "gemeenten", data_dir)["gemeente"])


def load(year: int, name: str, data_dir: Path | None = None) -> pd.DataFrame:
    """One validated dataset of a year. Raises DataError naming every problem."""
    folder = year_dir(year, data_dir)
    path = find_file(folder, name)
    if name != "gemeenten":
        find_file(folder, "gemeenten")  # read too: rows are checked against it (recorded, see find_file)
    stamp = (path.stat().st_mtime_ns, path.stat().st_size) if path else None
    return _load(str(folder.resolve()), name, stamp).copy()


@functools.lru_cache(maxsize=256)
def _load(folder: str, name: str, stamp) -> pd.DataFrame:
    folder_path = Path(folder)
    known = [] if name == "gemeenten" else _gemeenten_of(folder_path)
    frame, problems = read_dataset(name, folder_path, known)
    if problems:
        raise DataError(problems)
    return frame


def _gemeenten_of(folder: Path) -> list[str]:
    path = find_file(folder, "gemeenten")
    stamp = (path.stat().st_mtime_ns, path.stat().st_size) if path else None
    return list(_load(str(folder), "gemeenten", stamp)["gemeente"])


def validate_year(year: int, data_dir: Path | None = None) -> list[Problem]:
    """Every problem in a year's data at once: per file, then across files."""
    from .checks import cross_checks

    folder = year_dir(year, data_dir)
    if not folder.is_dir():
        return [Problem(display_path(folder), None, None, None, f"map met gegevens voor {year} ontbreekt",
                        missing=True)]
    frames: dict[str, pd.DataFrame] = {}
    base, problems = read_dataset("gemeenten", folder, [])
    known = list(base["gemeente"].dropna()) if base is not None and not problems else []
    if base is not None:
        frames["gemeenten"] = base
    for name in DATASETS:
        if name == "gemeenten":
            continue
        frame, found = read_dataset(name, folder, known)
        problems += found
        if frame is not None and not found:
            frames[name] = frame
    problems += cross_checks(frames, folder)
    for name in TEXTS:
        page = folder / "tekst" / f"{name}.md"
        trace.record(page)
        if not page.is_file() or not page.read_text(encoding="utf-8-sig").strip():
            problems.append(Problem(display_path(page), None, None, None,
                                    "tekst ontbreekt of is leeg (Markdown, UTF-8, zonder de titel)",
                                    missing=not page.is_file()))
    return problems
