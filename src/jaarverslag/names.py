"""The gate for every name a user gives that becomes a path or a filter.

A gemeente (from the command line, from gemeenten.csv or from a notebook
parameter) is one of the year's gemeenten: matched without regard to case or
surrounding spaces and returned under its canonical name, or refused with the
list and, for a near miss, "bedoelt u Hengelo?". A year is one that has a data
folder. An output folder is none of the project's own folders. Folder and file
names are made afterwards from `paths.slug` of the canonical name only.
"""

from __future__ import annotations

import difflib
import functools
import numbers
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from . import paths
from .errors import JaarverslagError, Kind

WHOLE = "Wijkkracht"  # the edition of the whole organisation; no gemeente may take its folder
PROTECTED = paths.OWN_FOLDERS  # project folders a build never writes


def data_folder(data_dir: Path | str | None = None) -> Path:
    """The folder with one subfolder per year: `data_dir`, or the project's data/; it must exist."""
    folder = Path(data_dir) if data_dir else paths.data_dir()
    if not folder.is_dir():
        raise JaarverslagError(f"De gegevensmap {folder} bestaat niet of is geen map. Geef met --data-dir een "
                               "bestaande map op met een submap per jaar (standaard: data/ van het project).",
                               Kind.NAME)
    return folder


def years_in(folder: Path) -> list[int]:
    """The years that have a data folder in `folder`."""
    return sorted(int(p.name) for p in folder.iterdir() if p.is_dir() and re.fullmatch(r"\d{4}", p.name))


def year(value: object, data_dir: Path | str | None = None) -> int:
    """`value` as a year that has data, else a sentence naming the folder and the years that exist."""
    number = _as_year(value)
    folder = data_folder(data_dir)
    if paths.year_dir(number, folder).is_dir():
        return number
    found = years_in(folder)
    have = (f"Er zijn gegevens voor {', '.join(map(str, found))}; kies een van die jaren" if found
            else f"Er staat nog geen jaar in {paths.relative(folder)}")
    start = (f", of begin {number} met: jaarverslag new-year {number}"
             if paths.year_dir(number - 1, folder).is_dir() else "")
    raise JaarverslagError(f"Geen gegevens voor {number}: de map {paths.relative(paths.year_dir(number, folder))} "
                           f"ontbreekt. {have}{start}.", Kind.NAME)


def _as_year(value: object) -> int:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise JaarverslagError(f"Geen geldig jaar: {_shown(value)}. Geef een jaar als getal, bv. 2022.", Kind.NAME)


def gemeente(name: object, year: int, data_dir: Path | str | None = None) -> str:
    """The canonical name of gemeente `name` in `year`'s gemeenten.csv.

    Refused with the year's list (and a suggestion for a near miss) when it is
    not one of them; refused too when the listed name cannot name an edition's
    folder (see `edition_name_problems`).
    """
    folder = paths.year_dir(year, data_dir)
    from .data import read as data

    listed = data.find_file(folder, "gemeenten")  # recorded for the build cache: the answer depends on it
    stamp = (listed.stat().st_mtime_ns, listed.stat().st_size) if listed else None
    known = _known(str(folder), stamp, year, data_dir)
    canonical = known.by_key.get(_key(name))
    if canonical is not None and canonical not in known.problems:
        return canonical
    source = paths.relative(listed or folder / "gemeenten.csv")
    if canonical is None:
        close = difflib.get_close_matches(_key(name), list(known.by_key), n=1, cutoff=0.6)
        guess = f"; bedoelt u {known.by_key[close[0]]}?" if close else "."
        choices = ", ".join(known.names) or "(geen)"
        raise JaarverslagError(f"{_shown(name)} is geen gemeente van {year}{guess} Kies een gemeente uit {source}: "
                               f"{choices}.", Kind.NAME)
    raise JaarverslagError(f"De gemeente {_shown(canonical)} in {source} kan geen editie worden: "
                           f"{known.problems[canonical]}. Verbeter de naam in dat bestand.", Kind.NAME)


def edition_name_problems(names: list[str]) -> dict[str, str]:
    """Why a gemeente's name cannot name an edition's folder, per name that cannot.

    >>> edition_name_problems(["Hengelo", "./../x", "Den Ham", "Den-Ham", "..."])["./../x"]
    "er staat een '/' of '\\\\' in"
    >>> sorted(edition_name_problems(["Hengelo", "Den Ham", "Den-Ham", "---"]))
    ['---', 'Den Ham', 'Den-Ham']
    """
    problems: dict[str, str] = {}
    owners: dict[str, list[str]] = {}
    for name in names:
        slug = paths.slug(name)
        if "/" in name or "\\" in name:
            problems[name] = "er staat een '/' of '\\' in"
        elif ".." in name:
            problems[name] = "er staat '..' in"
        elif any(unicodedata.category(c).startswith("C") for c in name):
            problems[name] = "er staat een onzichtbaar teken in"
        elif not slug:
            problems[name] = "er staat geen letter of cijfer in"
        elif slug == paths.slug(WHOLE):
            problems[name] = f"dat is de naam van het verslag van heel {WHOLE}"
        owners.setdefault(slug, []).append(name)
    for slug, same in owners.items():
        if slug and len(same) > 1:
            for name in same:
                others = ", ".join(_shown(o) for o in same if o != name)
                problems.setdefault(name, f"die krijgt dezelfde map ({slug}) als {others}" if others
                                    else "die staat er meer dan eens in")
    return problems


@dataclass(frozen=True)
class _Known:
    names: tuple[str, ...]
    by_key: dict[str, str]  # matching key -> canonical name
    problems: dict[str, str]  # canonical name -> why it cannot name an edition


@functools.lru_cache(maxsize=32)
def _known(folder: str, stamp: tuple[int, int] | None, year: int, data_dir: Path | str | None) -> _Known:
    """The lookup for one gemeenten file as it is now (`stamp`): Editions are made often."""
    from .data import read as data

    names = tuple(data.gemeenten(year, data_dir))
    return _Known(names, {_key(n): n for n in names}, edition_name_problems(list(names)))


def _key(name: object) -> str:
    """What two spellings of one gemeente share: Unicode form, case and spaces aside.

    >>> _key(" hengelo "), _key("HENGELO"), _key("Den  Ham")
    ('hengelo', 'hengelo', 'den ham')
    """
    return " ".join(unicodedata.normalize("NFC", str(name)).split()).casefold()


def _shown(value: object) -> str:
    """A name as a message quotes it: in quotes, control characters escaped, not too long."""
    text = str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def out_root(out: Path | str, *, data_dir: Path | str | None = None, book_file: Path | str | None = None) -> Path:
    """The output folder of a build, after checking it is a place a build may write and delete in.

    Not the project folder, nor a folder above it (a build would replace folders
    there), nor a folder of the project's own (data/, notebooks/, src/, ...), nor
    the data or book folder given.
    """
    out = Path(out)
    where = out.resolve()
    if out.exists() and not out.is_dir():
        raise JaarverslagError(f"De uitvoermap {out} is een bestand, geen map. Kies met --out een map.", Kind.PROJECT)
    project = paths.root().resolve()
    book_root = Path(book_file).resolve().parent if book_file else project
    for folder in {project, book_root}:
        if where == folder or where in folder.parents:
            raise JaarverslagError(f"De uitvoermap {out} is de projectmap {folder} of een map erboven; een build "
                                   "vervangt en verwijdert mappen in zijn uitvoermap. Kies een eigen map, bv. "
                                   "build/ (standaard) of een nieuwe map.", Kind.PROJECT)
    own = [project / name for name in PROTECTED] + ([Path(data_dir)] if data_dir else [])
    for folder in own:
        folder = folder.resolve()
        if where == folder or folder in where.parents or where in folder.parents:
            raise JaarverslagError(f"De uitvoermap {out} ligt in {paths.relative(folder)}/ of bevat die map, en "
                                   "daar schrijft een build niet. Kies een eigen map, bv. build/ (standaard) of een "
                                   "nieuwe map.", Kind.PROJECT)
    return out
