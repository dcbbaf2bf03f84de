"""Accessibility of the HTML book, checked in real headless Chromium with axe-core.

Opens every page of the fixture book, of the 2022 report and of a report that compares
with the year before (2023 made from 2022, `report_with_previous_year`) at desktop
(1280 px), tablet (768 px) and phone (375 px) width, in one browser (each page loaded
once and resized to each width, for all the checks), and asserts that
axe finds no serious or critical violations (colour contrast included), that the page
never scrolls sideways, that no element is wider than the element it sits in (a cross
table may scroll inside its region, with its cue shown: docs/tabellen.md), and that the
house font is loaded. Skipped where Debian's chromium is not installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import RENDER_PROJECT, render_meta

from jaarverslag.book import read_book
from jaarverslag.look import CHROMIUM_FLAGS
from jaarverslag.render import render_html

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [f for f in CHROMIUM_FLAGS if f != "--headless"]  # playwright adds its own headless mode
FIXTURE = RENDER_PROJECT
META = render_meta({"Gegevensjaar": "2022", "Versie (git)": "abc1234"}, subtitle="Editie gemeente Hengelo",
                   pdf_href="../jaarverslag-2022.pdf")
WIDTHS = (1280, 768, 375)
# What does not fit, on the page as shown: a table wider than its region (a cross table may
# scroll, when it says so above its first column), an element sticking out of its parent,
# the page scrolling sideways. Hidden and positioned elements, and what a cross table
# scrolls, are left out.
NOT_FITTING = """() => {
  const problems = [];
  const name = (el) => `${el.tagName.toLowerCase()}.${[...el.classList].join(".")} "${
    (el.textContent || "").trim().slice(0, 50)}"`;
  for (const wrap of document.querySelectorAll(".jv-table-wrap")) {
    const over = wrap.scrollWidth - wrap.clientWidth;
    if (over <= 1) continue;
    const caption = wrap.querySelector(".jv-caption");
    const cue = caption !== null && getComputedStyle(caption, "::after").display !== "none";
    if (!wrap.classList.contains("jv-scroll")) problems.push(`${name(wrap)} is ${over}px wider than its column`);
    else if (!cue) problems.push(`${name(wrap)} scrolls ${over}px without saying so`);
  }
  for (const el of document.body.querySelectorAll("*")) {
    const parent = el.parentElement;
    if (parent === null || el.closest(".jv-scroll table")) continue;
    const head = el.closest("thead");  // a table shown as blocks keeps its headings, hidden, for screen readers
    if (head !== null && getComputedStyle(head).position === "absolute") continue;
    const style = getComputedStyle(el);
    if (["absolute", "fixed"].includes(style.position) || style.display === "none") continue;
    const r = el.getBoundingClientRect(), p = parent.getBoundingClientRect();
    if (r.width > 0 && r.height > 0 && (r.right > p.right + 1 || r.left < p.left - 1)) {
      problems.push(`${name(el)} sticks out of ${name(parent)} (${Math.round(r.left)}-${Math.round(r.right)}px in ${
        Math.round(p.left)}-${Math.round(p.right)}px)`);
    }
  }
  return problems;
}"""

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium ontbreekt")


@pytest.fixture(scope="module", params=["fixture", "report-2022", "report-2023-vorig-jaar"])
def pages(request, tmp_path_factory) -> list[Path]:
    """The fixture book, the real 2022 report as `make report` builds it, and a 2023 report
    that compares with 2022 (its tables show the change under each figure)."""
    if request.param == "report-2022":
        built, manifest = request.getfixturevalue("built"), request.getfixturevalue("manifest")
        return sorted((built / manifest["editions"]["wijkkracht"]["html"]).parent.glob("*.html"))
    if request.param == "report-2023-vorig-jaar":
        return sorted(request.getfixturevalue("report_with_previous_year").glob("*.html"))
    book = read_book(FIXTURE / "_quarto.yml")
    out = tmp_path_factory.mktemp("a11y")
    render_html(book, [FIXTURE / c for c in book.notebooks], out, meta=META)
    return sorted(out.glob("*.html"))


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield browser
        browser.close()


@dataclass(frozen=True)
class Seen:
    """A page as loaded at one width: what does not fit, the fonts, and what axe found serious."""

    name: str
    overflow: int  # px the page scrolls sideways
    not_fitting: list[str]
    house_font: bool
    loaded_fonts: list[str]
    serious: list[dict]  # axe's serious and critical violations
    axe_report: str


_seen: dict[tuple[Path, ...], dict[int, list[Seen]]] = {}


def seen(browser, pages: list[Path], width: int) -> list[Seen]:
    """Every page as seen at `width`, for both tests below. Each page is loaded once and
    resized to each width (a load with its fonts, and axe put in the page, take a good part of
    a second; the pages have no script that reads the width). At each width the layout is
    measured first, then axe runs, on the page as laid out at that width."""
    key = tuple(pages)
    if key not in _seen:
        from axe_playwright_python.base import AxeResults
        from axe_playwright_python.sync_playwright import DEFAULT_OPTIONS, Axe

        script = Axe().axe_script
        found: dict[int, list[Seen]] = {w: [] for w in WIDTHS}
        context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900}, offline=True)
        page = context.new_page()
        try:
            for html in pages:
                page.goto(html.as_uri(), wait_until="load")
                page.evaluate("document.fonts.ready")
                axe_in_page = False
                for w in WIDTHS:
                    page.set_viewport_size({"width": w, "height": 900})
                    overflow = page.evaluate(
                        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
                    not_fitting = page.evaluate(NOT_FITTING)
                    house_font = page.evaluate("document.fonts.check('16px \"Source Sans 3\"')")
                    loaded = page.evaluate("[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
                    if not axe_in_page:
                        page.evaluate(script)
                        axe_in_page = True
                    results = AxeResults(page.evaluate("options => axe.run(document, options)", DEFAULT_OPTIONS))
                    serious = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
                    found[w].append(Seen(html.name, overflow, not_fitting, house_font, loaded, serious,
                                         results.generate_report() if serious else ""))
        finally:
            context.close()
        _seen[key] = found
    return _seen[key][width]


@pytest.mark.parametrize("width", WIDTHS)
def test_axe_finds_no_serious_violations(browser, pages, width):
    problems = [f"{p.name} @ {width}px\n{p.axe_report}" for p in seen(browser, pages, width) if p.serious]
    assert not problems, "\n\n".join(problems)


@pytest.mark.parametrize("width", WIDTHS)
def test_pages_fit_the_screen_and_use_the_house_font(browser, pages, width):
    for page in seen(browser, pages, width):
        assert page.overflow <= 0, f"{page.name} schuift {page.overflow}px opzij op {width}px"
        assert not page.not_fitting, f"{page.name} @ {width}px:\n" + "\n".join(page.not_fitting)
        assert page.house_font, page.name
        assert any("Source Sans 3" in f for f in page.loaded_fonts), (page.name, page.loaded_fonts)


def test_phone_menu_and_focusable_tables(browser, pages):
    """At 375 px the chapter list sits in a closed <details>; tables can be reached by keyboard;
    a table of records is a labelled block per row, and a table that scrolls says so."""
    context = browser.new_context(viewport={"width": 375, "height": 800}, offline=True)
    page = context.new_page()
    try:
        chapter = next(p for p in pages if p.name == "clienten.html")
        page.goto(chapter.as_uri(), wait_until="load")
        assert not page.is_visible("nav.nav-side")
        assert not page.is_visible("details.nav-mobile nav")
        page.click("details.nav-mobile summary")
        assert page.is_visible("details.nav-mobile nav a[href='wijkhuizen.html']")
        wraps = page.locator(".jv-table-wrap")
        blocks = page.locator(".jv-blocks table tbody tr")
        assert blocks.count(), "a table of records on the clienten page"
        assert blocks.first.evaluate("el => getComputedStyle(el).display") == "block"
        cell = blocks.first.locator("td").first
        assert cell.get_attribute("data-label")  # its column heading, shown before it
        assert cell.evaluate("el => getComputedStyle(el, '::before').content") not in ("none", "normal", "")
        scrolling = [i for i in range(wraps.count())
                     if wraps.nth(i).evaluate("el => el.scrollWidth > el.clientWidth")]
        for i in scrolling:  # only a cross table scrolls, and it says so
            assert wraps.nth(i).evaluate("el => el.classList.contains('jv-scroll')")
            assert wraps.nth(i).locator(".jv-caption").evaluate(
                "el => getComputedStyle(el, '::after').display") == "block"
        wide = wraps.nth(scrolling[0] if scrolling else 0)
        wide.focus()
        assert page.evaluate("document.activeElement.classList.contains('jv-table-wrap')")
        page.keyboard.press("Tab")  # the skip link is first in the tab order of a fresh page
        page.goto(chapter.as_uri(), wait_until="load")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Naar de inhoud"
    finally:
        context.close()
