"""Checks across datasets and years: figures in one file that must agree with another
(errors), states a new year makes unlikely (warnings), and the prose pages.

- `CHECKS`: totals and references across the files of one year; `validate` lists each,
  with the files that must agree and whether they do (`cross_totals`).
- `WARNINGS`: what is allowed but unlikely, such as a wijkhuis still 'verwacht' a year on;
  named with file, row, column and value, and never a reason to refuse the data.
- `text_problem`: a prose page that is missing, empty, or still the draft `new-year` wrote.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pandas as pd

from ..paths import year_dir
from .read import DataError, display_path, find_file, load, read_dataset
from .schema import Problem, line_of


class CrossCheck(Protocol):
    """A rule across datasets: said in words for docs/data.md, and checked on a year's frames."""

    @property
    def datasets(self) -> tuple[str, str]:
        """The two datasets whose files must agree."""
        ...

    def describe(self) -> str: ...

    def problems(self, frames: dict[str, pd.DataFrame], folder: Path) -> list[Problem]: ...


def _file(folder: Path, name: str) -> str:
    """The dataset's file as a problem names it (it exists: its rows were read)."""
    return display_path(find_file(folder, name) or folder / f"{name}.csv")


@dataclass(frozen=True)
class SumsTo:
    """The rows of `part` add up, per key, to the `whole` figure (where it is given).

    With `absent_is_unknown`, a key without any row in `part` has no figures there
    (shown as "geen gegevens"), which is no error; without it, no rows add up to 0.
    """

    part: str
    part_column: str
    whole: str
    whole_column: str
    key: str
    absent_is_unknown: bool = False

    @property
    def datasets(self) -> tuple[str, str]:
        return (self.whole, self.part)

    def describe(self) -> str:
        absent = (f"; een `{self.key}` zonder rijen in `{self.part}` heeft daar geen gegevens"
                  if self.absent_is_unknown else "")
        return (f"`{self.part_column}` in `{self.part}` telt per `{self.key}` op tot `{self.whole_column}` "
                f"in `{self.whole}` (waar dat is ingevuld{absent}).")

    def problems(self, frames: dict[str, pd.DataFrame], folder: Path) -> list[Problem]:
        if self.part not in frames or self.whole not in frames:
            return []
        sums = frames[self.part].groupby(self.key)[self.part_column].sum()
        whole_file = _file(folder, self.whole)
        part_file = _file(folder, self.part)
        found = []
        for index, row in frames[self.whole].iterrows():
            stated = row[self.whole_column]
            if pd.isna(stated) or (self.absent_is_unknown and row[self.key] not in sums.index):
                continue
            total = int(sums.get(row[self.key], 0))
            if total != stated:
                found.append(Problem(
                    whole_file, line_of(index), self.whole_column, stated,
                    f"de {self.part_column} in {part_file} voor {row[self.key]} tellen op tot "
                    f"{total}, niet tot {stated}"))
        return found


@dataclass(frozen=True)
class RefersTo:
    """Every value of `column` in `child` is a key of `parent`."""

    child: str
    parent: str
    column: str

    @property
    def datasets(self) -> tuple[str, str]:
        return (self.child, self.parent)

    def describe(self) -> str:
        return f"elke `{self.column}` in `{self.child}` staat in `{self.parent}`."

    def problems(self, frames: dict[str, pd.DataFrame], folder: Path) -> list[Problem]:
        if self.child not in frames or self.parent not in frames:
            return []
        known = set(frames[self.parent][self.column])
        child_file = _file(folder, self.child)
        return [
            Problem(child_file, line_of(index), self.column, value,
                    f"komt niet voor in {self.parent} ({', '.join(sorted(known))})")
            for index, value in frames[self.child][self.column].items() if value not in known
        ]


@dataclass(frozen=True)
class OnlyWhereFlagged:
    """`child` has rows only for keys whose `flag` in `parent` is yes (else they'd never be shown)."""

    child: str
    parent: str
    flag: str
    key: str

    @property
    def datasets(self) -> tuple[str, str]:
        return (self.child, self.parent)

    def describe(self) -> str:
        return f"`{self.child}` heeft alleen rijen voor een `{self.key}` met `{self.flag}` = ja in `{self.parent}`."

    def problems(self, frames: dict[str, pd.DataFrame], folder: Path) -> list[Problem]:
        if self.child not in frames or self.parent not in frames:
            return []
        parent = frames[self.parent]
        silent = set(parent.loc[~parent[self.flag].astype(bool), self.key])
        child_file = _file(folder, self.child)
        return [
            Problem(child_file, line_of(index), self.key, value,
                    f"staat in {self.parent} met {self.flag} = nee: deze rij zou nooit getoond worden")
            for index, value in frames[self.child][self.key].items() if value in silent
        ]


@dataclass(frozen=True)
class RowsWhereFlagged:
    """Every key whose `flag` in `parent` is yes has rows in `child`: yes means the list is kept.

    So `child` may be empty (a header only) just when no key is flagged.
    """

    child: str
    parent: str
    flag: str
    key: str

    @property
    def datasets(self) -> tuple[str, str]:
        return (self.parent, self.child)

    def describe(self) -> str:
        return f"elke `{self.key}` met `{self.flag}` = ja in `{self.parent}` heeft rijen in `{self.child}`."

    def problems(self, frames: dict[str, pd.DataFrame], folder: Path) -> list[Problem]:
        if self.child not in frames or self.parent not in frames:
            return []
        parent, listed = frames[self.parent], set(frames[self.child][self.key])
        parent_file = _file(folder, self.parent)
        child_file = _file(folder, self.child)
        return [
            Problem(parent_file, line_of(index), self.flag, "ja",
                    f"{row[self.key]} heeft geen rijen in {child_file}; vul die in, of zet hier 'nee'")
            for index, row in parent.iterrows() if row[self.flag] is True and row[self.key] not in listed
        ]


CHECKS: list[CrossCheck] = [
    SumsTo("leeftijd", "clienten", "clienten", "clienten", "gemeente", absent_is_unknown=True),
    RefersTo("wijkhuis_activiteiten", "wijkhuizen", "wijkhuis"),
    SumsTo("wijkhuis_activiteiten", "deelnemers", "wijkhuizen", "deelnemers_totaal", "wijkhuis"),
    OnlyWhereFlagged("oco_beperking", "oco", "beperking_geregistreerd", "gemeente"),
    RowsWhereFlagged("oco_beperking", "oco", "beperking_geregistreerd", "gemeente"),
]


def cross_checks(frames: dict[str, pd.DataFrame], folder: Path) -> list[Problem]:
    return [problem for check in CHECKS for problem in check.problems(frames, folder)]


# ---- the cross-file totals, each with the files that must agree ---------------------

@dataclass(frozen=True)
class Totals:
    """One rule of `CHECKS` on a year: its files, and its problems or why it could not be checked."""

    check: CrossCheck
    files: tuple[str, ...]
    problems: list[Problem] = field(default_factory=list)
    unchecked: tuple[str, ...] = ()  # files with problems of their own: the rule waits for them

    def __str__(self) -> str:
        rule = self.check.describe().replace("`", "").removesuffix(".")
        head = f"{' en '.join(self.files)} moeten kloppen: {rule}"
        if self.unchecked:
            return (f"{head}. Nog niet gecontroleerd: los eerst de problemen in "
                    f"{' en '.join(self.unchecked)} op.")
        if self.problems:
            count = "1 probleem" if len(self.problems) == 1 else f"{len(self.problems)} problemen"
            return f"{head}. Klopt niet ({count}):"
        return f"{head}. Klopt."


def cross_totals(year: int, data_dir: Path | str | None = None) -> list[Totals]:
    """Every rule of `CHECKS` on the files of `year`: checked where both files are in order.

    A rule whose files still have problems of their own is listed as not yet checked, so
    the analyst sees every total that must agree in the first round, not after fixing the rest.
    """
    folder = year_dir(year, data_dir)
    base, trouble = read_dataset("gemeenten", folder, [])
    known = list(base["gemeente"].dropna()) if base is not None and not trouble else []
    frames: dict[str, pd.DataFrame] = {}
    for name in sorted({name for check in CHECKS for name in check.datasets}):
        frame, found = read_dataset(name, folder, known)
        if frame is not None and not found:
            frames[name] = frame
    found_totals = []
    for check in CHECKS:
        files = tuple(_file(folder, name) for name in check.datasets)
        waiting = tuple(f for name, f in zip(check.datasets, files, strict=True) if name not in frames)
        found_totals.append(Totals(check, files, [] if waiting else check.problems(frames, folder), waiting))
    return found_totals


# ---- warnings: allowed, but unlikely in a new year -------------------------------------

@dataclass(frozen=True)
class StillExpected:
    """A row whose `column` still says `value` ('verwacht') although its `date` lies before the
    year, or the year before said the same of it: carried over by `new-year` and not updated?"""

    dataset: str
    key: str
    column: str
    value: str
    date: str

    def describe(self) -> str:
        return (f"`{self.column}` = {self.value} in `{self.dataset}` terwijl `{self.date}` vóór het jaar ligt, of "
                f"het jaar ervoor ook al {self.value} zei: een waarschuwing (is het overgenomen en niet bijgewerkt?), "
                "geen fout.")

    def warnings(self, year: int, data_dir: Path | str | None = None) -> list[Problem]:
        now = _loaded(year, self.dataset, data_dir)
        if now is None:
            return []  # not readable yet: its problems are reported as errors
        before = _loaded(year - 1, self.dataset, data_dir)
        said_before = set() if before is None else set(before.loc[before[self.column] == self.value, self.key])
        shown = display_path(find_file(year_dir(year, data_dir), self.dataset) or Path(self.dataset))
        found = []
        for index, row in now.iterrows():
            if row[self.column] != self.value:
                continue
            when = row[self.date]
            past = isinstance(when, str) and when[:4].isdigit() and int(when[:4]) < year
            if not past and row[self.key] not in said_before:
                continue
            why = (f"de {self.date} ({when}) ligt vóór {year}" if past
                   else f"ook in {year - 1} stond {row[self.key]} op '{self.value}'")
            found.append(Problem(
                shown, line_of(index), self.column, self.value,
                f"{row[self.key]} staat nog op '{self.value}', maar {why}; is het overgenomen uit het jaar ervoor? "
                f"Zet de echte {self.date} en 'geopend' als het inmiddels open is (een waarschuwing, geen fout)"))
        return found


def _loaded(year: int, name: str, data_dir: Path | str | None) -> pd.DataFrame | None:
    """The dataset with each row at its index in the file (`line_of` holds), or None if it can't be read."""
    folder = year_dir(year, data_dir)
    if not folder.is_dir():
        return None
    try:
        known = list(load(year, "gemeenten", data_dir)["gemeente"])
    except DataError:
        return None
    frame, found = read_dataset(name, folder, known)
    return frame if frame is not None and not found else None


WARNINGS: list[StillExpected] = [
    StillExpected("wijkhuizen", "wijkhuis", "opening_status", "verwacht", "opening"),
]


def warnings(year: int, data_dir: Path | str | None = None) -> list[Problem]:
    """What is allowed but unlikely in the year's data; never a reason to refuse it."""
    return [problem for rule in WARNINGS for problem in rule.warnings(year, data_dir)]


# ---- the prose pages ------------------------------------------------------------------

DRAFT = "concept: true"  # the front matter `new-year` writes on a page still to be written
_FRONT_MATTER = re.compile(r"\A\ufeff?\s*---[ \t]*\n(.*?)\n---[ \t]*(\n|\Z)", re.DOTALL)


def is_draft(text: str) -> bool:
    """A page that still opens with the front matter `new-year` wrote (`concept: ...`).

    >>> is_draft("---\\nconcept: true\\n---\\nSchrijf hier ..."), is_draft("## Algemeen\\n\\nDe Raad ...")
    (True, False)
    """
    block = _FRONT_MATTER.match(text)
    return block is not None and any(line.strip().lower().startswith("concept:")
                                     for line in block.group(1).splitlines())


def draft_body(text: str) -> str:
    """A draft page without the front matter `new-year` wrote (the page itself when it has none).

    >>> draft_body("---\\nconcept: true\\n---\\nSchrijf hier ...")
    'Schrijf hier ...'
    """
    block = _FRONT_MATTER.match(text)
    return text[block.end():] if block is not None else text


def text_problem(page: Path) -> Problem | None:
    """What keeps a prose page out of the report: missing, empty, or still a draft."""
    shown = display_path(page)
    if not page.is_file():
        return Problem(shown, None, None, None, "tekst ontbreekt of is leeg (Markdown, UTF-8, zonder de titel)",
                       missing=True)
    text = page.read_text(encoding="utf-8-sig")
    if not text.strip():
        return Problem(shown, None, None, None, "tekst ontbreekt of is leeg (Markdown, UTF-8, zonder de titel)")
    if is_draft(text):
        return Problem(shown, None, None, None,
                       f"is nog een concept ('{DRAFT}' bovenaan): schrijf de tekst en haal daarna de drie regels "
                       "bovenaan (---, concept: true, ---) weg")
    return None


def by_file(problems: Sequence[Problem]) -> dict[str, list[Problem]]:
    """Problems grouped per file, in the order the files first appear."""
    groups: dict[str, list[Problem]] = {}
    for problem in problems:
        groups.setdefault(problem.file, []).append(problem)
    return groups
