"""The book as `_quarto.yml` describes it: title, author, language and chapters.

`_quarto.yml` is the one description of the jaarverslag. Quarto reads it, and so
does the embedded renderer, through `read_book`. Nothing else keeps a second
list of chapters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import JaarverslagError, Kind

# How long one cell of a chapter may run when _quarto.yml does not say (`jaarverslag: cell-timeout:`).
DEFAULT_CELL_TIMEOUT = 600.0


class BookError(JaarverslagError):
    """`_quarto.yml` does not describe a book we can render."""

    kind = Kind.PROJECT


@dataclass(frozen=True)
class Book:
    """A Quarto book. `chapters` are relative to `root`; the first is the home page."""

    title: str
    author: str
    lang: str
    chapters: tuple[Path, ...]
    root: Path = Path(".")
    source: Path | None = None  # the `_quarto.yml` this was read from
    cell_timeout: float = DEFAULT_CELL_TIMEOUT  # seconds one chapter cell may run

    @property
    def index(self) -> Path:
        """The home page (`index.qmd`), as an absolute path."""
        return self.root / self.chapters[0]

    @property
    def notebooks(self) -> tuple[Path, ...]:
        """The chapter notebooks, relative to `root`, in book order."""
        return self.chapters[1:]


def _flatten(entries: object) -> list[str]:
    """Chapter entries in order; Quarto allows `- part: ...` groups with their own list."""
    if not isinstance(entries, list):
        raise BookError(f"book.chapters in _quarto.yml is geen lijst: {entries!r}; zet elk hoofdstuk op een "
                        "eigen regel die met '- ' begint.")
    out: list[str] = []
    for entry in entries:
        if isinstance(entry, str):
            out.append(entry)
        elif isinstance(entry, dict):
            if "file" in entry:
                out.append(entry["file"])
            elif isinstance(entry.get("part"), str) and entry["part"].endswith((".qmd", ".md")):
                out.append(entry["part"])
            out.extend(_flatten(entry.get("chapters", [])))
        else:
            raise BookError(f"onbekend hoofdstuk in _quarto.yml: {entry!r}")
    return out


def _check_chapter(book_file: Path, chapter: object) -> None:
    """A chapter is a file in the book's folder (or below it): a build reads, copies and
    renders it, so an entry like ../../x.ipynb or /etc/x is refused, and so is a typo."""
    folder = book_file.resolve().parent
    if not isinstance(chapter, str) or not chapter.strip():
        raise BookError(f"{book_file}: hoofdstuk {chapter!r} onder book.chapters is geen bestandsnaam; noem "
                        "elk hoofdstuk met zijn pad vanaf de map van _quarto.yml, bv. notebooks/clienten.ipynb.")
    where = (folder / chapter).resolve()
    if folder not in where.parents:
        raise BookError(f"{book_file}: hoofdstuk {chapter!r} ligt buiten de map van het boek ({folder}); "
                        "zet het hoofdstuk in die map (bv. in notebooks/) en noem het vanaf daar.")
    if not where.is_file():
        raise BookError(f"{book_file}: hoofdstuk {chapter!r} bestaat niet; "
                        "controleer de naam onder book.chapters, of zet het bestand op die plek.")


def read_book(path: Path) -> Book:
    """Read a Quarto book description.

    Raises `BookError` when the file is missing or no YAML, has no `book.chapters`,
    when the first chapter is not the home page `index.qmd` (Quarto requires that),
    or when a chapter is not a file in the book's folder.
    """
    path = Path(path)
    if not path.is_file():
        raise BookError(f"De boekbeschrijving {path} bestaat niet; geef met --book een _quarto.yml op, "
                        "of laat --book weg voor die van het project.")
    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        raise BookError(f"{path} is geen leesbare YAML ({' '.join(str(err).split())}); "
                        "herstel het bestand.") from None
    book = (config.get("book") if isinstance(config, dict) else None) or {}
    if not isinstance(book, dict):
        raise BookError(f"{path}: book is geen lijst van instellingen; zie _quarto.yml van het project.")
    chapters = _flatten(book.get("chapters") or [])
    if not chapters:
        raise BookError(f"{path}: geen hoofdstukken onder book.chapters")
    for chapter in chapters:
        _check_chapter(path, chapter)
    if Path(chapters[0]).name != "index.qmd":
        raise BookError(f"{path}: het eerste hoofdstuk moet index.qmd zijn, niet {chapters[0]}")
    if len(set(chapters)) != len(chapters):
        raise BookError(f"{path}: een hoofdstuk staat er meer dan eens in")
    author = book.get("author", "")
    if isinstance(author, list):
        author = ", ".join(a if isinstance(a, str) else a.get("name", "") for a in author)
    elif isinstance(author, dict):
        author = author.get("name", "")
    return Book(
        title=str(book.get("title", "")),
        author=str(author),
        lang=str(config.get("lang", "nl")),
        chapters=tuple(Path(c) for c in chapters),
        root=path.resolve().parent,
        source=path.resolve(),
        cell_timeout=_cell_timeout(config, path),
    )


def _cell_timeout(config: dict[str, Any], path: Path) -> float:
    """`jaarverslag: cell-timeout: SECONDS` in _quarto.yml, else DEFAULT_CELL_TIMEOUT.

    A top-level key of our own: Quarto keeps project keys it does not know (as
    quartodoc's `quartodoc:`), but validates `execute:` and `book:` strictly.
    """
    ours = config.get("jaarverslag") or {}
    value = ours.get("cell-timeout", DEFAULT_CELL_TIMEOUT) if isinstance(ours, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < math.inf:
        raise BookError(f"{path}: jaarverslag.cell-timeout moet een aantal seconden groter dan 0 zijn, "
                        f"niet {value!r}; bv. 'cell-timeout: 120' onder 'jaarverslag:'.")
    return float(value)
