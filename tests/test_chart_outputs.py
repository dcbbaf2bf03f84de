"""A chart is a Jupyter display every Quarto format understands, and the embedded renderer
reads the same output: SVG and PNG, caption and alt text where Quarto reads them, a short
text, and never the chart's repr; plus the narrow chart for a phone, in a mime type of its
own that only the embedded renderer reads."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import matplotlib.image
import nbformat
import pytest
from bs4 import BeautifulSoup
from IPython.core.formatters import DisplayFormatter
from nbformat.v4 import new_code_cell, new_notebook, new_output

from jaarverslag import markup
from jaarverslag.chapters import clienten
from jaarverslag.chapters.toolkit.charts import NARROW_MEDIA, NARROW_MIME, PNG_DPI, Chart
from jaarverslag.edition import Edition
from jaarverslag.render.html import lift_figure_options, notebook_body, strip_notebook

ED = Edition(2022)


@pytest.fixture(scope="module")
def chart() -> Chart:
    made = clienten.per_gemeente_grafiek(ED)
    assert made is not None
    return made


def display_output(obj: object) -> nbformat.NotebookNode:
    """`obj` as a kernel puts it in the executed notebook: its mime bundle and metadata."""
    data, metadata = DisplayFormatter().format(obj)
    return new_output("display_data", data=data, metadata=metadata)


def section_notebook(chart: Chart) -> nbformat.NotebookNode:
    """A chapter's section cell: heading (Markdown), the chart, then its table."""
    heading = new_output("display_data", data={"text/markdown": "## Cliënten", "text/plain": "Cliënten"})
    cell = new_code_cell("jv.section(...)", outputs=[heading, display_output(chart),
                                                     display_output(clienten.totalen(ED))])
    return new_notebook(cells=[cell])


def test_a_chart_is_svg_png_and_a_short_text(chart):
    data, metadata = DisplayFormatter().format(chart)
    # no text/html: Quarto would prefer it; the narrow chart in a type no other renderer shows
    assert set(data) == {"image/svg+xml", "image/png", "text/plain", NARROW_MIME}
    assert data[NARROW_MIME].lstrip().startswith("<?xml") and data[NARROW_MIME] != data["image/svg+xml"]
    assert data["image/svg+xml"].lstrip().startswith("<?xml") and "<svg" in data["image/svg+xml"]
    png = base64.b64decode(data["image/png"], validate=True)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    pixels = matplotlib.image.imread(io.BytesIO(png), format="png")
    width_pt = float(re.search(r'<svg[^>]*\bwidth="([\d.]+)pt"', data["image/svg+xml"]).group(1))
    assert pixels.shape[1] == pytest.approx(width_pt / 72 * PNG_DPI, rel=0.02)  # 2x a 96-dpi screen
    assert data["text/plain"] == chart.caption and len(data["text/plain"]) < 200
    assert "svg" not in data["text/plain"] and "Chart(" not in data["text/plain"]
    assert metadata == {"fig-cap": chart.caption, "fig-alt": chart.alt, NARROW_MIME: {"media": NARROW_MEDIA}}
    assert len(repr(chart)) < 200 and "svg" not in repr(chart)


def test_a_chart_is_the_same_bytes_every_time(chart):
    again = clienten.per_gemeente_grafiek(ED)
    assert (again.svg, again.png, again.narrow) == (chart.svg, chart.png, chart.narrow)  # no dates or versions
    assert b"Software" not in chart.png and b"<dc:date>" not in chart.svg


def test_quarto_gets_caption_and_alt_as_cell_options(chart):
    """Quarto reads them only as cell options: one list entry per output, "" for no chart."""
    nb = lift_figure_options(strip_notebook(section_notebook(chart), "clienten"))
    options = nb.cells[0].metadata
    assert options["fig-cap"] == ["", markup.md_text(chart.caption), ""]
    assert options["fig-alt"] == ["", chart.alt, ""]


def test_a_caption_from_data_is_no_markdown_for_quarto(chart):
    tricky = Chart(chart.svg, "alt", "[klik](javascript:x) *vet*", chart.png)
    nb = lift_figure_options(new_notebook(cells=[new_code_cell(outputs=[display_output(tricky)])]))
    assert nb.cells[0].metadata["fig-cap"] == [r"\[klik\](javascript:x) \*vet\*"]


def test_a_cell_without_a_chart_gets_no_figure_options():
    nb = lift_figure_options(new_notebook(cells=[new_code_cell(outputs=[display_output(clienten.totalen(ED))])]))
    assert "fig-cap" not in nb.cells[0].metadata and "fig-alt" not in nb.cells[0].metadata


def test_the_embedded_renderer_shows_the_chart_as_a_figure(chart):
    soup = BeautifulSoup(notebook_body(section_notebook(chart), "clienten"), "html.parser")
    figure = soup.find("figure", class_="jv-chart")
    assert figure.img["alt"] == chart.alt
    assert figure.figcaption.get_text() == chart.caption
    src = figure.img["src"]
    assert src.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(src.split(",", 1)[1]) == chart.svg  # the SVG, not the PNG, on screen and in the PDF
    assert len(soup.find_all("img")) == 1
    # On a phone the browser takes the narrow chart: a <picture> around the same <img>.
    source = figure.picture.source
    assert figure.picture.img is figure.img and source["media"] == NARROW_MEDIA
    assert base64.b64decode(source["srcset"].split(",", 1)[1]) == chart.narrow


def test_a_chart_without_a_narrow_variant_is_a_plain_figure(chart):
    """A notebook made before the narrow charts (or by hand) still shows its chart."""
    plain = Chart(chart.svg, chart.alt, chart.caption, chart.png)
    assert NARROW_MIME not in DisplayFormatter().format(plain)[0]
    soup = BeautifulSoup(notebook_body(section_notebook(plain), "clienten"), "html.parser")
    figure = soup.find("figure", class_="jv-chart")
    assert figure.picture is None and figure.img["alt"] == chart.alt


def test_a_narrow_variant_from_elsewhere_is_no_way_in(chart):
    """The <source> passes the same fence as an <img>: only a picture as a data URI."""
    out = display_output(chart)
    out.data[NARROW_MIME] = "x"
    out.metadata[NARROW_MIME] = {"media": "(max-width: 600px)"}
    nb = new_notebook(cells=[new_code_cell(outputs=[out])])
    body = notebook_body(nb, "clienten").replace(
        "data:image/svg+xml;base64,eA==", "javascript:alert(1)")  # as if the template let it through
    assert "javascript" not in markup.clean_body(body)
    assert markup.refused('<picture><source srcset="javascript:alert(1)"></picture>') == ["srcset=javascript:"]


def test_figures_in_tables_are_right_aligned_for_pandoc_too(chart):
    """Pandoc's HTML reader (Quarto's HTML-table processing) reads alignment from a cell's
    style, not from our class; the embedded renderer keeps the style."""
    soup = BeautifulSoup(notebook_body(section_notebook(chart), "clienten"), "html.parser")
    numbers = soup.find_all("td", class_="num")
    assert numbers
    assert all(re.search(r"text-align:\s*right", td.get("style", "")) for td in numbers)


def executed_chart_outputs(folder: Path) -> list[dict]:
    return [out for path in sorted(folder.rglob("*.ipynb"))
            for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"
            for out in cell.outputs if "image/svg+xml" in out.get("data", {})]


def test_no_executed_chapter_carries_a_chart_repr(built):
    folder = built / "wijkkracht" / "notebooks"
    texts = [str(out.get("data", {}).get("text/plain", "")) + str(out.get("text", ""))
             for path in sorted(folder.rglob("*.ipynb"))
             for cell in nbformat.read(path, as_version=4).cells if cell.cell_type == "code"
             for out in cell.outputs]
    assert texts and not [t for t in texts if "Chart(" in t or "<svg" in t or "<?xml" in t]
    charts = executed_chart_outputs(folder)
    assert len(charts) == 4  # cliënten (2), vrijwilligers, wijkhuizen
    for out in charts:
        assert out.metadata["fig-alt"] and out.metadata["fig-cap"] and "text/html" not in out.data
        assert base64.b64decode(out.data["image/png"]).startswith(b"\x89PNG")


def test_every_chart_of_the_report_is_a_figure_on_its_page_and_in_the_pdf(built, html_pages, pdf_text):
    charts = executed_chart_outputs(built / "wijkkracht" / "notebooks")
    figures = {(f.img["alt"], f.figcaption.get_text())
               for page in html_pages.values() for f in page.find_all("figure", class_="jv-chart")}
    assert figures == {(out.metadata["fig-alt"], out.metadata["fig-cap"]) for out in charts}
    flat = " ".join(pdf_text.split())
    assert all(" ".join(out.metadata["fig-cap"].split()) in flat for out in charts)


FIXTURE = Path(__file__).parent / "fixtures" / "render" / "project"


def test_the_fixture_book_has_a_chart_as_the_chapters_make_it():
    """The renderer tests' book (make_fixtures.py) shows its chart as `Chart` does."""
    nb = nbformat.read(FIXTURE / "notebooks" / "clienten.ipynb", as_version=4)
    outputs = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs
               if "image/svg+xml" in out.get("data", {})]
    assert len(outputs) == 1 and set(outputs[0].metadata) == {"fig-cap", "fig-alt"}
    assert set(outputs[0].data) == {"image/svg+xml", "image/png", "text/plain"}


def test_the_staged_quarto_chapter_has_the_chart_and_its_options(tmp_path):
    from jaarverslag.book import read_book
    from jaarverslag.render.quarto import stage_quarto

    book = read_book(FIXTURE / "_quarto.yml")
    stage = stage_quarto(book, [FIXTURE / c for c in book.notebooks], tmp_path, meta={"title": "Jaarverslag 2022"})
    staged = nbformat.read(stage / "notebooks" / "clienten.ipynb", as_version=4)
    [cell] = [c for c in staged.cells if c.cell_type == "code"
              and any("image/svg+xml" in o.get("data", {}) for o in c.outputs)]
    [out] = cell.outputs
    assert cell.metadata["fig-cap"] == [out.metadata["fig-cap"]] == ["Cliënten per gemeente, 2022"]
    assert cell.metadata["fig-alt"] == [out.metadata["fig-alt"]]
    assert "text/html" not in out.data and out.data["image/png"]


def test_a_chart_is_drawn_once_for_the_same_figures_code_and_fonts(tmp_path, monkeypatch):
    """In a build's kernel (`drawn.folder` set) a chart comes from the cache when nothing it is
    drawn from changed; another figure, a damaged kept chart or other code draws it again."""
    import pandas as pd

    from jaarverslag.chapters.toolkit import charts, drawn

    drawings = []
    real = charts._chart
    monkeypatch.setattr(charts, "_chart", lambda *args: drawings.append(args[2]) or real(*args))
    values = pd.Series({"Borne": 718, "Hengelo": 3747}, name="clienten")

    def draw(figures: pd.Series) -> Chart:
        return charts.bars(figures, caption="Cliënten per gemeente", subject="cliënten", xlabel="Cliënten")

    first = draw(values)
    assert len(drawings) == 1 and not (tmp_path / "charts").exists()  # outside a build: none kept
    monkeypatch.setattr(drawn, "folder", tmp_path / "charts")
    assert draw(values) == first and len(drawings) == 2  # kept now
    assert draw(values.copy()) == first and len(drawings) == 2  # the same figures: not drawn again
    draw(values.replace(718, 719))
    assert len(drawings) == 3  # another figure
    for kept in (tmp_path / "charts").glob("*.json"):
        kept.write_text('{"svg": 1', encoding="utf-8")
    assert draw(values) == first and len(drawings) == 4  # damaged: drawn again, and kept again
    assert draw(values) == first and len(drawings) == 4
    monkeypatch.setattr(drawn, "_code", lambda: "andere code of lettertypen")
    assert draw(values) == first and len(drawings) == 5
    assert not list((tmp_path / "charts").glob(".*")), "a half-written chart was left"
    elsewhere = tmp_path / "elders"
    elsewhere.mkdir()
    monkeypatch.setattr(drawn, "folder", tmp_path / "cache" / "charts")
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "charts").symlink_to(elsewhere)  # a link put in the cache's place
    assert draw(values) == first and len(drawings) == 6
    assert not list(elsewhere.iterdir()), "a chart was kept through a link, outside the cache"


def test_a_chart_whose_arguments_have_no_stable_bytes_is_drawn_not_refused(tmp_path, monkeypatch):
    from jaarverslag.chapters.toolkit import drawn

    monkeypatch.setattr(drawn, "folder", tmp_path / "charts")
    made = drawn.remembered(lambda how: f"getekend {how()}")
    assert made(lambda: "nu") == "getekend nu"  # a lambda cannot be pickled: no key, drawn as ever
    assert not (tmp_path / "charts").exists()
