"""Every figure of the published 2022 report is in the rebuilt HTML and in the PDF's text."""

import re

import pytest
from conftest import PUBLISHED

from jaarverslag.style import fmt_int

pytestmark = pytest.mark.slow

# A figure is a run of digits standing on its own, not part of a word ("2x", "2e").
FIGURE = re.compile(r"(?<![\w.#])\d+(?![\w]|[.,]\d)")
# Top lists run to 5 and are written "1. Eigen initiatief": such a rank is not a figure.
RANK = re.compile(r"[1-5]\.\s")
YEARS = range(2000, 2031)  # the seed has no count in this range, only years
YEAR = re.compile(r"(?<![\w.])20[0-3]\d(?![\w]|\.\d)")
DUTCH_NUMBER = re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{3})*(?![\w]|\.\d)")


def published_figures() -> list[int]:
    text = re.sub(r"<[^>]+>", " ", PUBLISHED.read_text(encoding="utf-8"))
    text = re.sub(r"\(?https?://\S+", " ", text)
    return sorted({int(m.group()) for m in FIGURE.finditer(text) if not RANK.match(text, m.start())})


def numbers_in(text: str) -> set[str]:
    return set(DUTCH_NUMBER.findall(text)) | set(YEAR.findall(text))


def shown_as(figure: int) -> str:
    """How the report writes a figure: years plain (2022), counts the Dutch way (6.421)."""
    return str(figure) if figure in YEARS else fmt_int(figure)


def test_the_walk_finds_the_published_figures():
    figures = published_figures()
    assert {6421, 3747, 12064, 1380, 491, 523, 118, 4231, 664, 132, 1658} <= set(figures)
    assert len(figures) == 144  # distinct figures in the published text


def test_every_published_figure_is_in_the_html(html_pages):
    shown = set().union(*(numbers_in(page.get_text(" ")) for page in html_pages.values()))
    missing = [shown_as(n) for n in published_figures() if shown_as(n) not in shown]
    assert missing == []


def test_every_published_figure_is_in_the_pdf(pdf_text):
    shown = numbers_in(pdf_text)
    missing = [shown_as(n) for n in published_figures() if shown_as(n) not in shown]
    assert missing == []
