"""What a chapter shows of itself: sections that leave themselves out, and chapters that do.

An edition for one gemeente has no figures for some sections (Skillz in
Dinkelland) or whole chapters (Mantelzorg in Borne). Such a section is left out,
heading and introduction included, rather than shown empty; such a chapter is
left out of the book:

    jv.chapter(ed, mantelzorg.has_data(ed))        # in the cell that makes `ed`

    jv.section(
        "Skillz jongerenwerk",
        "Het straatteam van Skillz maakt rondes ...",   # the prose stays in the notebook
        jongerenwerk.skillz(ed),
    )

`chapter` shows, for a chapter without data, a marker output
(`OMITTED_MIME`) that the renderers read to drop the chapter from pages,
navigation and contents; in an edition that hides small numbers it states the rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from html import escape

from IPython.display import HTML, Markdown, display

from ...edition import Edition

OMITTED_MIME = "application/vnd.jaarverslag.leeg+json"


def _is_empty(part: object) -> bool:
    """A figure part with nothing to show: None, or a table without rows."""
    if part is None:
        return True
    frame = getattr(part, "frame", None)
    return frame is not None and len(frame) == 0


def _is_text(part: object) -> bool:
    return isinstance(part, (str, Markdown))


def _flatten(parts: Iterable[object]) -> list[object]:
    out: list[object] = []
    for part in parts:
        if isinstance(part, (list, tuple)):
            out.extend(_flatten(part))
        else:
            out.append(part)
    return out


@dataclass
class Section:
    """A heading, its introduction and its tables and charts; nothing at all when none of
    its tables or charts has anything to show. Text parts (str is Markdown) never count
    as something to show: a sentence about an empty table is left out with it."""

    title: str | None
    intro: str | None
    parts: list[object] = field(default_factory=list)
    level: int = 2

    @property
    def figures(self) -> list[object]:
        return [p for p in self.parts if not _is_text(p)]

    @property
    def empty(self) -> bool:
        return all(_is_empty(p) for p in self.figures)

    def markdown(self) -> str:
        head = f"{'#' * self.level} {self.title}" if self.title else ""
        return "\n\n".join(t for t in (head, self.intro) if t)

    def _ipython_display_(self) -> None:
        if self.empty:
            return
        if self.markdown():
            display(Markdown(self.markdown()))
        for part in self.parts:
            if _is_empty(part) and not _is_text(part):
                continue
            display(Markdown(part) if isinstance(part, str) else part)

    def __repr__(self) -> str:
        return "(sectie zonder gegevens)" if self.empty else self.markdown()


def section(title: str | None, intro: str | None, *parts: object, level: int = 2) -> Section:
    """A section (see `Section`). `parts` are tables, charts, Markdown, or lists of them."""
    return Section(title, intro, _flatten(parts), level)


@dataclass
class ChapterStatus:
    """Whether a chapter has anything for this edition, shown as the renderers need it."""

    edition: Edition
    has_data: bool

    @property
    def omitted(self) -> bool:
        return not self.has_data

    @property
    def reason(self) -> str:
        return f"geen gegevens voor {self.edition.name} in {self.edition.year}"

    def _ipython_display_(self) -> None:
        if self.omitted:
            display({OMITTED_MIME: {"weggelaten": True, "reden": self.reason},
                     "text/plain": f"Dit hoofdstuk wordt weggelaten: {self.reason}."}, raw=True)
        elif self.edition.suppression_rule:
            rule = self.edition.suppression_rule
            # A div, not a p: right under the title a p would be styled as the chapter's lead.
            display(HTML('<div class="jv-note jv-suppression-rule" role="note" style="margin-bottom: 1.5em">'
                         f'In deze uitgave: {escape(rule[:1].lower() + rule[1:])}</div>'))

    def __repr__(self) -> str:
        return f"Hoofdstuk weggelaten: {self.reason}" if self.omitted else "Hoofdstuk met gegevens"


def chapter(ed: Edition, has_data: bool = True) -> ChapterStatus:
    """Put in the cell that makes `ed`: leaves the chapter out of the book when it has no data
    for this edition, and states the rule for small numbers when the edition has one."""
    return ChapterStatus(ed, bool(has_data))
