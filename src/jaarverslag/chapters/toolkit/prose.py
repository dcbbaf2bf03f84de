"""Prose pages kept per year as Markdown: data/<year>/tekst/<name>.md.

The voorwoord and the word of the Raad van Toezicht change every year and carry
no figures from the data, so they are text files next to the year's data, not
notebook cells. The chapter's H1 stays in the notebook; the file holds the rest.

A page may carry Markdown, and no more: `text` shows it as HTML cleaned by nh3
(`markup.clean_prose`), so a <script>, an event handler or a javascript: link in
the file never reaches a reader.
"""

from __future__ import annotations

from pathlib import Path

from IPython.display import Markdown

from ... import markup
from ...data import checks
from ...data.read import display_path
from ...edition import Edition
from ...errors import JaarverslagError, Kind
from ...paths import TEXTS, year_dir
from ...run import trace

FOLDER = TEXTS  # data/<year>/tekst/ (paths.py)


class ProseError(JaarverslagError):
    """A prose page the chapter needs is missing."""

    kind = Kind.DATA


def path(year: int, name: str, data_dir: Path | str | None = None) -> Path:
    return year_dir(year, Path(data_dir) if data_dir else None) / FOLDER / f"{name}.md"


def read(ed: Edition, name: str) -> str:
    """The Markdown of a prose page for the edition's year. Raises ProseError naming the file."""
    file = path(ed.year, name, ed.data_dir)
    trace.record(file)  # for the build cache: the chapter depends on this page
    if not file.is_file():
        raise ProseError(
            f"tekst '{name}' voor {ed.year} ontbreekt: {display_path(file)} bestaat niet "
            f"(Markdown, UTF-8, zonder de titel van het hoofdstuk)"
        )
    return file.read_text(encoding="utf-8-sig")


class Prose(Markdown):
    """A prose page as a notebook shows it: its Markdown (`data`), rendered and cleaned as HTML.

    The HTML is what the report shows. The Markdown goes along for renderers that
    prefer it (Quarto), but only when it is plain Markdown (`markup.plain_markdown`):
    a page with HTML of its own is shown as its cleaned HTML everywhere.
    """

    def _repr_html_(self) -> str:
        return markup.clean_prose(markup.markdown_html(self.data))

    def _repr_markdown_(self) -> str | None:
        return self.data if markup.plain_markdown(self.data) else None


DRAFT_NOTE = ("> **Concept.** Deze tekst is nog niet af. Een build weigert hem tot de drie regels bovenaan "
              "het bestand (`---`, `concept: true`, `---`) weg zijn.\n\n")


def text(ed: Edition, name: str) -> Prose:
    """The page; a draft that `new-year` wrote shows as such (in JupyterLab: a build refuses it)."""
    source = read(ed, name)
    if checks.is_draft(source):
        return Prose(DRAFT_NOTE + checks.draft_body(source))
    return Prose(source)
