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
DUTCH_NUMBER = re.compile(r"(?<![\w.])\d{1,3}(?:\.\d{3})*(?![\w]|\.\d)")


def published_figures() -> list[int]:
    text = re.sub(r"<[^>]+>", " ", PUBLISHED.read_text(encoding="utf-8"))
    text = re.sub(r"\(?https?://\S+", " ", text)
    return sorted({int(m.group()) for m in FIGURE.finditer(text) if not RANK.match(text, m.start())})


def numbers_in(text: str) -> set[str]:
    return set(DUTCH_NUMBER.findall(text))


def test_the_walk_finds_the_published_figures():
    figures = published_figures()
    assert {6421, 3747, 12064, 1380, 491, 523, 118, 4231, 664, 132, 1658} <= set(figures)
    assert len(figures) > 150


def test_every_published_figure_is_in_the_html(html_pages):
    shown = set().union(*(numbers_in(page.get_text(" ")) for page in html_pages.values()))
    missing = [fmt_int(n) for n in published_figures() if fmt_int(n) not in shown]
    assert missing == []


def test_every_published_figure_is_in_the_pdf(pdf_text):
    shown = numbers_in(pdf_text)
    missing = [fmt_int(n) for n in published_figures() if fmt_int(n) not in shown]
    assert missing == []
