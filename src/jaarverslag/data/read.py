"""Reading a year's data: find each file, read it as the analyst saved it, validate it.

Files are CSV (UTF-8, with or without BOM; ',' or ';' as Dutch Excel saves it)
or .xlsx (read cell by cell as Excel means it: dates, whole numbers, ja/nee). One
dataset has one file: both a .csv and an .xlsx is refused. A file larger than its
dataset can be is refused before it is read. Loading never returns data that broke
a rule: it raises `DataError` with every problem, each naming file, line, column and value.

A build validates the year once, before its chapters run, and tells each chapter's
kernel which files passed (`trust`, from `run.inkernel`): reading the same bytes
again, a chapter skips the rules (and never imports pandera); a file that changed
since is checked as ever. Outside a build (JupyterLab, papermill by hand) every
file is checked.

A process also remembers the datasets it read without a problem (`_clean`): the
same bytes, read again against the same gemeenten (the preview validating after an
edit to one file, a second copy of the data), give the frame read then, without
reading and checking them again. The file's place is still checked each time (a
regular file, no link out of the folder, not too large). Reading and the rules are
the package's code, which a running process does not reload, so the bytes, the kind
of file and the gemeenten are all a clean read depends on.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import os
from collections import OrderedDict
from itertools import zip_longest
from pathlib import Path

import pandas as pd

from ..errors import JaarverslagError, Kind
from ..fingerprint import file_digest
from ..paths import relative, texts_dir, year_dir
from ..run import trace
from . import schema
from .contract import DATASETS, TEXTS, by_name
from .schema import Dataset, ExcelDate, ExcelFormula, Problem

SUFFIXES = (".csv", ".xlsx")
Stamp = tuple[tuple[str, int, int], ...]  # per file of a dataset: suffix, modification time (ns), size


_trusted: dict[str, str] = {}  # file -> sha256 of the bytes the build validated
Read = tuple[str, str, str, tuple[str, ...]]  # dataset, suffix, sha256 of the bytes, the year's gemeenten
_clean: OrderedDict[Read, pd.DataFrame] = OrderedDict()  # the frames of clean reads, the latest last
CLEAN_KEPT = 512  # about 13 copies of a year's 38 datasets; a few MB


def trust(passed: dict[str, str]) -> None:
    """(In a chapter kernel of a build.) These files, with these sha256s, passed validation."""
    _trusted.update(passed)


class DataError(JaarverslagError):
    """The data breaks rules; `problems` names each (file, line, column, value, rule)."""

    kind = Kind.DATA

    def __init__(self, problems: list[Problem], heading: str = "") -> None:
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        count = "1 probleem" if len(problems) == 1 else f"{len(problems)} problemen"
        super().__init__(f"{heading or 'De gegevens zijn niet in orde'}: {count}:\n{lines}")


def candidates(folder: Path, name: str) -> list[Path]:
    """The dataset's files that exist (.csv, .xlsx). Every place looked at is recorded for the
    build cache (`trace`), also where nothing was found: a file added there later is a change too."""
    found: list[Path] = []
    for suffix in SUFFIXES:
        candidate = folder / f"{name}{suffix}"
        trace.record(candidate)
        if candidate.exists():
            found.append(candidate)
    return found


def find_file(folder: Path, name: str) -> Path | None:
    """The dataset's file (the .csv when there are two; `read_dataset` refuses that)."""
    found = candidates(folder, name)
    return found[0] if found else None


def _stamp(folder: Path, name: str) -> Stamp:
    """What tells a changed file from the one read before: each candidate's time and size."""
    return tuple((p.suffix, p.stat().st_mtime_ns, p.stat().st_size) for p in candidates(folder, name))


def display_path(path: Path) -> str:
    return relative(path)


def file_size(size: int) -> str:
    """A file size the Dutch way.

    >>> file_size(2_000_000), file_size(31_457_280), file_size(900)
    ('2 MB', '31,5 MB', '900 bytes')
    """
    if size < 100_000:
        return f"{size} bytes"
    megabytes = f"{size / 1_000_000:.1f}".replace(".", ",")
    return f"{megabytes.removesuffix(',0')} MB"


def _misplaced(path: Path, dataset: Dataset | None) -> list[Problem]:
    """What is wrong with the file before its bytes are read: not a regular file, a link out of
    its folder, or larger than its dataset can be."""
    shown = display_path(path)
    if not path.is_file():  # a folder, or a pipe or device that would never end
        return [Problem(shown, None, None, None, "is geen gewoon bestand; zet hier het bestand met de "
                        "gegevens neer")]
    if not path.resolve().is_relative_to(path.parent.resolve()):  # a link: its target would be published
        return [Problem(shown, None, None, None, "is een koppeling naar een bestand buiten de gegevensmap; "
                        "zet het bestand zelf hier neer")]
    size = path.stat().st_size
    if dataset is not None and size > dataset.max_bytes:
        return [Problem(
            shown, None, None, None,
            f"is {file_size(size)} groot, meer dan de {file_size(dataset.max_bytes)} die past bij "
            f"'{dataset.title}' (hoogstens {dataset.max_rows} rijen); is dit het goede bestand?")]
    return []


def read_raw(path: Path, dataset: Dataset | None = None) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The cells of a file as text, header from the first line, and problems found in reading
    (a frame with problems still has rows worth checking; None has none).

    With a `dataset`, a file larger than it can be (`max_bytes`, `max_rows`) is refused
    without being read whole.
    """
    refused = _misplaced(path, dataset)
    return (None, refused) if refused else _cells(path, dataset)


def _cells(path: Path, dataset: Dataset | None) -> tuple[pd.DataFrame | None, list[Problem]]:
    """`read_raw` for a file in its place (`_misplaced` found nothing)."""
    shown = display_path(path)
    max_rows = dataset.max_rows if dataset is not None else None
    if path.suffix == ".xlsx":
        return read_xlsx(path, max_rows)
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
    ragged = _ragged_rows(content, sep, shown)
    if ragged:
        # Rows longer than the header: a column name missing from the header says more.
        header = next(csv.reader(io.StringIO(content), delimiter=sep, skipinitialspace=True))
        _, named = (schema.coerce(dataset, pd.DataFrame(columns=[c.strip() for c in header]), shown)
                    if dataset is not None else (None, []))
        return None, [p for p in named if p.line == 1] or ragged
    try:
        frame = pd.read_csv(io.StringIO(content), sep=sep, dtype=str, keep_default_na=False, index_col=False,
                            skipinitialspace=True, quoting=csv.QUOTE_MINIMAL, skip_blank_lines=False)
    except pd.errors.ParserError:
        return None, [Problem(shown, None, None, None, "is geen geldige CSV; open het in Excel en sla het op als "
                                                       "'CSV UTF-8 (door komma's gescheiden)'")]
    frame.columns = [str(c).strip() for c in frame.columns]
    # Empty lines (also ",,," as Excel leaves them) are no rows; dropped after reading so
    # that each row keeps its index, and with it its line number in the file (line_of).
    blank = frame.fillna("").astype(str).apply(lambda column: column.str.strip().eq("")).all(axis=1)
    frame = frame[~blank]
    if max_rows is not None and len(frame) > max_rows:
        return None, [_too_many_rows(shown, len(frame), max_rows)]
    return frame, []


def _too_many_rows(shown: str, rows: int | str, max_rows: int) -> Problem:
    return Problem(shown, None, None, None, f"heeft {rows} rijen, meer dan de {max_rows} die passen bij deze "
                   "dataset; is dit het goede bestand?")


def read_xlsx(path: Path, max_rows: int | None = None) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The cells of the first sheet as text, as Excel means them (see `_excel_text`).

    The file is read twice, streaming: once for the values Excel saved, once for the
    formulas, to tell an empty cell from a formula saved without its outcome.
    """
    import openpyxl  # only needed for .xlsx files
    from openpyxl.utils import get_column_letter

    shown = display_path(path)
    try:
        values_book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        formula_book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as err:  # openpyxl raises many kinds for a broken workbook
        return None, [_unreadable_xlsx(shown, err)]
    try:
        values = values_book.worksheets[0].iter_rows(values_only=True)
        formulas = formula_book.worksheets[0].iter_rows(values_only=True)
        header = next(values, None)
        next(formulas, None)
        if header is None or all(_excel_text(c) == "" for c in header):
            return None, [Problem(shown, None, None, None, "het bestand is leeg")]
        width = max(i + 1 for i, c in enumerate(header) if _excel_text(c) != "")
        columns = [_excel_text(c).strip() for c in header[:width]]
        rows: list[list[str]] = []
        index: list[int] = []
        problems: list[Problem] = []
        for number, (row, written) in enumerate(zip_longest(values, formulas, fillvalue=()), start=2):
            cells = [_excel_cell(v, f) for v, f in zip_longest(row, written)]
            cells += [""] * (width - len(cells))
            if all(str(c).strip() == "" for c in cells):
                continue  # an empty row, as a CSV's blank line
            for column, cell in enumerate(cells[width:], start=width + 1):
                if str(cell).strip() != "":
                    problems.append(Problem(shown, number, get_column_letter(column), cell,
                                            "staat buiten de kolommen van de kopregel; zet de waarde in een "
                                            "kolom met een naam of verwijder haar"))
            if max_rows is not None and len(rows) >= max_rows:
                return None, [_too_many_rows(shown, f"meer dan {max_rows}", max_rows)]
            rows.append(cells[:width])
            index.append(number - 2)  # line_of(index) gives back the row number in Excel
        # Data on another sheet would be left out without a word: name those sheets.
        for sheet in values_book.worksheets[1:]:
            if any(_excel_text(v) != "" for row in sheet.iter_rows(values_only=True) for v in row):
                problems.append(Problem(shown, None, None, sheet.title,
                                        "is een tweede werkblad met gegevens, dat niet gelezen wordt; zet alles op "
                                        "het eerste werkblad en verwijder de andere"))
    except Exception as err:  # a damaged sheet shows only while it is read
        return None, [_unreadable_xlsx(shown, err)]
    finally:
        values_book.close()
        formula_book.close()
    return pd.DataFrame(rows, columns=columns, index=index, dtype=object), problems


def _unreadable_xlsx(shown: str, err: Exception) -> Problem:
    return Problem(shown, None, None, None, f"is geen leesbaar Excel-bestand ({type(err).__name__}: {err}); "
                   "sla het opnieuw op als Excel-werkmap (.xlsx)")


def _excel_cell(value: object, written: object) -> str:
    """A cell's value; a formula that Excel saved without its outcome is marked as one."""
    if value is None and isinstance(written, str) and written.startswith("="):
        return ExcelFormula(written)
    return _excel_text(value)


def _excel_text(value: object) -> str:
    """An Excel value as the text a CSV would hold.

    >>> _excel_text(12.0), _excel_text(12.5), _excel_text(True), _excel_text(None)
    ('12', '12.5', 'ja', '')
    >>> _excel_text(dt.datetime(2022, 3, 1)), _excel_text(dt.datetime(2022, 3, 1, 9, 30))
    ('2022-03-01', '2022-03-01 09:30')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return ExcelDate(value.date().isoformat())
        return ExcelDate(value.isoformat(sep=" ", timespec="minutes"))
    if isinstance(value, dt.date):
        return ExcelDate(value.isoformat())
    if isinstance(value, dt.time):
        return ExcelDate(value.isoformat(timespec="minutes"))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _ragged_rows(content: str, sep: str, shown: str) -> list[Problem]:
    """Rows with more cells than the header: pandas would quietly make the first an index."""
    rows = csv.reader(io.StringIO(content), delimiter=sep, skipinitialspace=True)
    width = len(next(rows, []))
    return [Problem(shown, rows.line_num, None, sep.join(row),
                    f"heeft {len(row)} cellen, de kopregel {width}; staat er een scheidingsteken te veel?")
            for row in rows if len(row) > width and any(cell.strip() for cell in row[width:])]


def read_dataset(name: str, folder: Path, gemeenten: list[str]) -> tuple[pd.DataFrame | None, list[Problem]]:
    dataset = by_name(name)
    found = candidates(folder, name)
    if not found:
        return None, [Problem(display_path(folder / f"{name}.csv"), None, None, None,
                              f"bestand ontbreekt (dataset '{dataset.title}')", missing=True)]
    if len(found) > 1:
        return None, [Problem(display_path(found[0]), None, None, None,
                              f"twee bestanden voor één dataset: {display_path(found[0])} en "
                              f"{display_path(found[1])}; verwijder er één")]
    path = found[0]
    refused = _misplaced(path, dataset)
    if refused:
        return None, refused
    sha = file_digest(path)
    key = (name, path.suffix, sha, tuple(gemeenten))
    if key in _clean:
        _clean.move_to_end(key)
        return _clean[key].copy(), []
    typed, problems = _read_and_check(dataset, path, gemeenten, trusted=_trusted.get(os.path.abspath(path)) == sha)
    if typed is not None and not problems and file_digest(path) == sha:  # not changed while it was read
        _clean[key] = typed.copy()
        while len(_clean) > CLEAN_KEPT:
            _clean.popitem(last=False)
    return typed, problems


def _read_and_check(dataset: Dataset, path: Path, gemeenten: list[str],
                    trusted: bool) -> tuple[pd.DataFrame | None, list[Problem]]:
    """The file (in its place) read, typed and checked against the rules (not when the build
    vouched for its bytes)."""
    raw, problems = _cells(path, dataset)
    if raw is None:
        return None, problems
    typed, unread = schema.coerce(dataset, raw, display_path(path))
    problems += unread
    if any(p.line == 1 for p in problems):  # header problems: the rows can't be read
        return None, problems
    if typed.empty and not dataset.may_be_empty:
        return None, [Problem(display_path(path), None, None, None,
                              "bevat geen rijen, alleen de kopregel; vul de gegevens in")]
    if not trusted:
        problems += schema.check(dataset, typed, display_path(path), gemeenten, problems)
    return typed, sorted(problems, key=lambda p: p.line or 0)


def gemeenten(year: int, data_dir: Path | str | None = None) -> list[str]:
    """The year's gemeenten, in the order of gemeenten.csv."""
    return list(load(year, "gemeenten", data_dir)["gemeente"])


def load(year: int, name: str, data_dir: Path | str | None = None) -> pd.DataFrame:
    """One validated dataset of a year. Raises DataError naming every problem."""
    folder = year_dir(year, data_dir)
    stamp = _stamp(folder, name)
    if name != "gemeenten":
        candidates(folder, "gemeenten")  # read too: rows are checked against it (recorded, see candidates)
    return _load(str(folder.resolve()), name, stamp).copy()


@functools.lru_cache(maxsize=256)
def _load(folder: str, name: str, stamp: Stamp) -> pd.DataFrame:
    folder_path = Path(folder)
    known = [] if name == "gemeenten" else _gemeenten_of(folder_path)
    frame, problems = read_dataset(name, folder_path, known)
    if problems:
        raise DataError(problems)
    assert frame is not None  # read_dataset gives no frame only with a problem that says why
    # The index held each row's line in the file (empty lines skipped); users of the data get 0..n-1.
    return frame.reset_index(drop=True)


def _gemeenten_of(folder: Path) -> list[str]:
    return list(_load(str(folder), "gemeenten", _stamp(folder, "gemeenten"))["gemeente"])


def validate_year(year: int, data_dir: Path | str | None = None) -> list[Problem]:
    """Every problem in a year's data at once: per file, then across files."""
    from .checks import cross_checks, text_problem

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
        page = texts_dir(folder) / f"{name}.md"
        trace.record(page)
        problem = text_problem(page)  # missing, empty, or still the draft new-year wrote
        if problem is not None:
            problems.append(problem)
    return problems
