"""Checks across datasets: figures in one file that must agree with another."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pandas as pd

from .read import display_path, find_file
from .schema import Problem, line_of


class CrossCheck(Protocol):
    """A rule across datasets: said in words for docs/data.md, and checked on a year's frames."""

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
