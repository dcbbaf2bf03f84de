"""Charts can be read at every size (issue 13): text in a chart is at least 11 CSS px on a
phone, on a desktop and on paper; small multiples share one scale; ticks are Dutch numbers.

The charts draw their text as outlines, each glyph run scaled from matplotlib's path size
(`TextToPath.FONT_SCALE`), so a text's size is read from the SVG and multiplied by how
much the page scales the picture: its width as drawn over the SVG's own width. Chromium
says which picture it took (`currentSrc`, the narrow one on a phone) and how wide it
drew it; WeasyPrint's layout says the same for the PDF.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.textpath import TextToPath

from jaarverslag.chapters import clienten
from jaarverslag.chapters.toolkit import charts
from jaarverslag.chapters.toolkit.charts import NARROW, WIDE, bars, fmt_tick, small_multiples
from jaarverslag.edition import Edition
from jaarverslag.look import CHROMIUM_FLAGS

SMALLEST = 11  # CSS px: the table text beside a chart on a phone is no smaller
WIDTHS = (375, 768, 1280)
CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [f for f in CHROMIUM_FLAGS if f != "--headless"]  # playwright adds its own headless mode
ED = Edition(2022)


def svg_text(svg: str) -> tuple[float, list[float]]:
    """An SVG's width in its own units, and the size of every text in it, in the same units."""
    view = re.search(r'viewBox="0 0 ([\d.]+) [\d.]+"', svg)
    assert view is not None
    sizes = [float(s) * TextToPath.FONT_SCALE for s in re.findall(r"scale\(([\d.]+) -\1\)", svg)]
    texts = len(re.findall(r'<g id="text_\d+">', svg))
    assert texts and len(sizes) >= texts, "a text that is not drawn as scaled outlines cannot be measured"
    return float(view.group(1)), sizes


def smallest_px(svg: str, drawn_width: float) -> float:
    """The smallest text of `svg` in CSS px, the picture drawn `drawn_width` px wide."""
    width, sizes = svg_text(svg)
    return min(sizes) * drawn_width / width


def data_uri_svg(uri: str) -> str:
    assert uri.startswith("data:image/svg+xml;base64,"), uri[:60]
    return base64.b64decode(uri.split(",", 1)[1]).decode("utf-8")


def tick_labels(svg: str) -> list[str]:
    """The x axis's tick labels, from the comment matplotlib writes before each text."""
    return re.findall(r'<g id="xtick_\d+">.*?<!-- (.*?) -->', svg, flags=re.S)


# ---- the tick formatter and the scale: no browser ----

def test_ticks_are_dutch_numbers_by_babel():
    assert fmt_tick(0.5) == "0,5"
    assert fmt_tick(6421) == "6.421"
    assert fmt_tick(0.25) == "0,25" and fmt_tick(1380.0) == "1.380"
    assert fmt_tick(-0.0) == "0" and fmt_tick(0.1 + 0.2) == "0,3"


@pytest.mark.parametrize("largest", [0, 1, 2, 3, 7])
def test_small_counts_get_distinct_ticks(largest):
    """A tick below 1 was cut to a whole number ("0, 0, 1, 1"); a count axis now has whole
    ticks, each written once, in both drawings."""
    chart = bars(pd.Series({"a": largest, "b": min(largest, 1)}), caption="c", subject="s", xlabel="x")
    for svg in (chart.svg, chart.narrow):
        labels = tick_labels(svg.decode("utf-8"))
        assert len(labels) >= 2 and len(labels) == len(set(labels)), labels


def test_a_fraction_on_a_count_axis_keeps_its_decimals():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    charts._count_axis(ax.xaxis, 3)
    formatter = ax.xaxis.get_major_formatter()
    assert [formatter(x, 0) for x in (0, 0.5, 1, 1.5, 2500)] == ["0", "0,5", "1", "1,5", "2.500"]
    plt.close(fig)


def test_the_report_charts_write_thousands_the_dutch_way():
    chart = clienten.per_gemeente_grafiek(ED)
    assert chart is not None
    for svg in (chart.svg, chart.narrow):
        labels = tick_labels(svg.decode("utf-8"))
        assert "2.000" in labels and not any("," in t for t in labels), labels


def drawn_figures(monkeypatch, make) -> list[Figure]:
    """The figures a chart function draws, wide and narrow, instead of their files."""
    figures: list[Figure] = []

    def keep(draw, alt, caption):
        with charts._style():
            figures.extend(draw(layout) for layout in (WIDE, NARROW))

    monkeypatch.setattr(charts, "_chart", keep)
    make()
    for fig in figures:
        fig.canvas.draw()
    return figures


def px_per_count(fig: Figure) -> Iterator[tuple[str, float]]:
    """Per panel (by its title, on the left in the house style), and per bar with a length:
    how many pixels one count is."""
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        for bar in ax.patches:
            if isinstance(bar, Rectangle) and bar.get_width() > 0:
                yield ax.get_title(loc="left"), bar.get_window_extent().width / bar.get_width()


def test_small_multiples_share_one_scale(monkeypatch):
    frame = pd.DataFrame({"Groot": [554, 970], "Klein": [70, 12]}, index=["a", "b"])
    frame.columns.name = "gemeente"
    figures = drawn_figures(monkeypatch, lambda: small_multiples(frame, caption="c", subject="s", xlabel="x"))
    assert len(figures) == 2
    for fig in figures:
        visible = [ax for ax in fig.axes if ax.get_visible()]
        assert len(visible) == 2 and len({ax.get_xlim() for ax in visible}) == 1
        scales = dict(px_per_count(fig))
        assert set(scales) == {"Groot", "Klein"}
        assert scales["Klein"] == pytest.approx(scales["Groot"], rel=1e-6)


def test_the_age_chart_draws_oldenzaals_70_shorter_than_hengelos_554(monkeypatch):
    """The issue's example: one scale for every gemeente in the real 2022 chart."""
    figures = drawn_figures(monkeypatch, lambda: clienten.leeftijd_grafiek(ED))
    for fig in figures:
        widths = {(ax.get_title(loc="left"), round(bar.get_width())): bar.get_window_extent().width
                  for ax in fig.axes if ax.get_visible() for bar in ax.patches}
        assert widths[("Oldenzaal", 70)] / widths[("Hengelo", 554)] == pytest.approx(70 / 554, rel=1e-3)
        assert len({round(s, 6) for _, s in px_per_count(fig)}) == 1


# ---- the 2022 report in a browser and in print ----

@pytest.fixture(scope="module")
def chart_pages(built, manifest) -> list[Path]:
    folder = (built / manifest["editions"]["wijkkracht"]["html"]).parent
    pages = [p for p in sorted(folder.glob("*.html")) if 'class="jv-chart"' in p.read_text(encoding="utf-8")]
    assert {p.name for p in pages} >= {"clienten.html", "wijkhuizen.html"}
    return pages


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium ontbreekt")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield browser
        browser.close()


FIGURES_JS = """[...document.querySelectorAll('figure.jv-chart img')].map(img => ({
    src: img.currentSrc, narrow: img.currentSrc !== img.src,
    width: img.getBoundingClientRect().width,
    table: (() => { const td = document.querySelector('table.jv-table td');
                    return td ? parseFloat(getComputedStyle(td).fontSize) : null; })()}))"""


@pytest.mark.parametrize("width", WIDTHS)
def test_chart_text_is_at_least_11px_on_screen(browser, chart_pages, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, offline=True)
    page = context.new_page()
    seen, small = 0, []
    try:
        for html in chart_pages:
            page.goto(html.as_uri(), wait_until="load")
            page.evaluate("document.fonts.ready")
            for fig in page.evaluate(FIGURES_JS):
                seen += 1
                assert fig["narrow"] == (width < 600), (html.name, width)  # the phone takes the narrow chart
                px = smallest_px(data_uri_svg(fig["src"]), fig["width"])
                if px < SMALLEST:
                    small.append(f"{html.name} @ {width}px: {px:.1f}px (beeld {fig['width']:.0f}px breed)")
    finally:
        context.close()
    assert seen == 4  # cliënten (2), vrijwilligers, wijkhuizen
    assert not small, "\n".join(small)


def test_chart_text_is_at_least_11px_in_print(html_pages):
    """The PDF's charts as WeasyPrint lays them out with the print stylesheet: the column's
    width, and the height cap that may shrink a tall chart (object-fit: contain)."""
    from weasyprint import CSS, HTML
    from weasyprint.formatting_structure import boxes

    from jaarverslag.render.html import CSS_DIR, stylesheet

    figures = [f for page in html_pages.values() for f in page.find_all("figure", class_="jv-chart")]
    assert len(figures) == 4
    doc = f'<html lang="nl"><body><section class="chapter">{"".join(map(str, figures))}</section></body></html>'
    laid_out = HTML(string=doc).render(stylesheets=[CSS(string=stylesheet("print"), base_url=str(CSS_DIR) + "/")])

    def replaced(box: boxes.Box) -> Iterator[boxes.ReplacedBox]:
        if isinstance(box, boxes.ReplacedBox):
            yield box
        for child in getattr(box, "children", []):
            yield from replaced(child)

    images = [box for page in laid_out.pages for box in replaced(page._page_box)]
    assert len(images) == 4
    wides = [data_uri_svg(f.img["src"]) for f in figures]  # the <img>: WeasyPrint takes no <source>
    for svg, box in zip(wides, images, strict=True):
        w, h = (float(v) * 4 / 3 for v in re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"', svg).groups())
        drawn = min(box.width, box.height * w / h)  # contained in its box
        assert smallest_px(svg, drawn) >= SMALLEST, (drawn, box.width, box.height)
