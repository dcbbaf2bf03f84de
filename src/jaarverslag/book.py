"""The book as `_quarto.yml` describes it: title, author, language and chapters.

`_quarto.yml` is the one description of the jaarverslag. Quarto reads it, and so
does the embedded renderer, through `read_book`. Nothing else keeps a second
list of chapters.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import JaarverslagError, Kind


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

    @property
    def index(self) -> Path:
        """The home page (`index.qmd`), as an absolute path."""
        return self.root / self.chapters[0]

    @property
    def notebooks(self) -> tuple[Path, ...]:
        """The chapter notebooks, relative to `root`, in book order."""
        return self.chapters[1:]


def _flatten(entries: list) -> list[str]:
    """Chapter entries in order; Quarto allows `- part: ...` groups with their own list."""
    out: list[str] = []
    for entry in entries or []:
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


def read_book(path: Path) -> Book:
    """Read a Quarto book description.

    Raises `BookError` when the file has no `book.chapters`, or when the first
    chapter is not the home page `index.qmd` (Quarto requires that).
    """
    path = Path(path)
    config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    book = config.get("book") or {}
    chapters = _flatten(book.get("chapters") or [])
    if not chapters:
        raise BookError(f"{path}: geen hoofdstukken onder book.chapters")
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
    )
