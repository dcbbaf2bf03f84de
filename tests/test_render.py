"""The embedded renderer: fixture notebooks -> HTML book and PDF (and Quarto staging).

The fixture book (tests/fixtures/render/project, made by make_fixtures.py) has
the outputs real chapters make, plus things that must never reach a reader.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest
import yaml
from bs4 import BeautifulSoup
from conftest import RENDER_PROJECT, render_meta
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from pypdf import PdfReader

from jaarverslag.book import Book, BookError, read_book
from jaarverslag.errors import JaarverslagError
from jaarverslag.paths import PROJ_ROOT
from jaarverslag.render import (
    HOUSE_FONT,
    QuartoNotFound,
    Rendered,
    RenderError,
    render,
    render_html,
    render_quarto,
    stage_quarto,
)

FIXTURE = RENDER_PROJECT
META = render_meta({
    "Gegevensjaar": "2022",
    "Gebouwd op": "27 november 2026",
    "Versie (git)": "abc1234 (gewijzigd)",
    "Python": "3.11.7",
    "Gegevens-hash": "sha256:0123456789abcdef",
}, pdf_href="../jaarverslag-2022.pdf")
TWENTE = [
    "Almelo", "Borne", "Dinkelland", "Enschede", "Haaksbergen", "Hellendoorn", "Hengelo",
    "Hof van Twente", "Losser", "Oldenzaal", "Rijssen-Holten", "Tubbergen", "Twenterand",
    "Wierden",
]
LEAKS = ["import jaarverslag", "debug: 6421", "UserWarning", "Figure size", "edition =",
         "# Parameters", "IPython.core.display"]


@pytest.fixture(scope="module")
def book() -> Book:
    return read_book(FIXTURE / "_quarto.yml")


@pytest.fixture(scope="module")
def chapters(book) -> list[Path]:
    return [FIXTURE / c for c in book.notebooks]


@pytest.fixture(scope="module")
def site(book, chapters, tmp_path_factory) -> dict:
    """One render of the fixture book: html/ and, beside it, the PDF that html links to."""
    root = tmp_path_factory.mktemp("render")
    rendered = render("embedded", book, chapters, root, pdf_name="jaarverslag-2022.pdf", meta=META)
    pages = {p.name: BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser")
             for p in sorted((root / "html").glob("*.html"))}
    return {"root": root, "index": rendered.html, "pdf": rendered.pdf, "pages": pages, "rendered": rendered}


def test_the_embedded_renderer_says_what_it_made_and_with_what(site):
    rendered = site["rendered"]
    assert rendered.html == site["root"] / "html" / "index.html" and rendered.html.is_file()
    assert rendered.pdf == site["root"] / "jaarverslag-2022.pdf" and rendered.pdf.is_file()
    assert (rendered.renderer, rendered.pdf_route) == ("embedded", "weasyprint")
    assert re.fullmatch(r"jaarverslag \S+, WeasyPrint \d+\.\d+(\.\d+)?", rendered.version)
    with pytest.raises(AttributeError):  # frozen
        rendered.pdf = None
    fields = rendered.manifest_fields(lambda p: p.relative_to(site["root"]).as_posix())
    assert fields == {"renderer": "embedded", "renderer_version": rendered.version, "pdf_route": "weasyprint",
                      "html": "html/index.html", "pdf": "jaarverslag-2022.pdf"}


def test_an_unknown_renderer_is_refused(book, chapters, tmp_path):
    with pytest.raises(JaarverslagError, match="Onbekende renderer 'pandoc'"):
        render("pandoc", book, chapters, tmp_path, pdf_name="x.pdf", meta=META)


def test_importing_the_renderers_loads_nothing_heavy():
    """A build with nothing to render imports the build and `render.result`, not the renderers."""
    code = ("import sys, jaarverslag.build, jaarverslag.render; "
            "print(sorted(m for m in ('nbformat', 'nbconvert', 'weasyprint', 'bs4', 'jinja2', "
            "'jaarverslag.render.html', 'jaarverslag.render.quarto') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=PROJ_ROOT).stdout.strip()
    assert loaded == "[]"


# ---------------------------------------------------------------- the book


def test_read_book_of_the_project():
    book = read_book(PROJ_ROOT / "_quarto.yml")
    assert book.chapters[0] == Path("index.qmd")
    assert all(str(c).startswith("notebooks/") and c.suffix == ".ipynb" for c in book.notebooks)
    assert book.lang == "nl"
    assert book.root == PROJ_ROOT
    assert book.index.exists()


def test_read_book_fixture(book):
    assert book.title == "Jaarverslag"
    assert book.author == "Wijkkracht, sociaal werk in Twente"
    assert [c.stem for c in book.notebooks] == ["voorwoord", "clienten", "wijkhuizen"]
    with pytest.raises(AttributeError):  # frozen
        book.title = "x"


def test_read_book_flattens_parts_and_requires_index(tmp_path):
    chapters = ["index.qmd", {"part": "Deel", "chapters": ["a.ipynb", "b.ipynb"]}]
    config = {"book": {"title": "T", "chapters": chapters}}
    (tmp_path / "_quarto.yml").write_text(yaml.safe_dump(config))
    for name in ("index.qmd", "a.ipynb", "b.ipynb"):  # read_book refuses a chapter that does not exist
        (tmp_path / name).touch()
    book = read_book(tmp_path / "_quarto.yml")
    assert [str(c) for c in book.chapters] == ["index.qmd", "a.ipynb", "b.ipynb"]
    (tmp_path / "_quarto.yml").write_text(yaml.safe_dump({"book": {"chapters": ["a.ipynb"]}}))
    with pytest.raises(BookError):
        read_book(tmp_path / "_quarto.yml")


def test_index_qmd_is_neutral():
    """The home page text holds no figures and no gemeente: those come from data."""
    text = (PROJ_ROOT / "index.qmd").read_text(encoding="utf-8")
    body = re.sub(r"\A---.*?---", "", text, flags=re.S)
    assert not re.search(r"\d", body)
    assert not [g for g in TWENTE if g in body]
    assert body.lstrip().startswith("# ")


# ---------------------------------------------------------------- HTML


def test_pages_exist(site, chapters):
    assert site["index"].name == "index.html"
    assert set(site["pages"]) == {"index.html"} | {f"{c.stem}.html" for c in chapters}
    assert (site["root"] / "html" / "assets" / "css" / "jaarverslag.css").exists()
    fonts = site["root"] / "html" / "assets" / "fonts"
    assert (fonts / HOUSE_FONT.name).exists() and (fonts / "OFL.txt").exists()


def test_every_page_has_the_essentials(site):
    for name, soup in site["pages"].items():
        assert soup.html["lang"] == "nl", name
        assert soup.title and soup.title.string.strip(), name
        skip = soup.find("a", class_="skip-link")
        assert skip.get_text() == "Naar de inhoud" and skip["href"] == "#inhoud", name
        assert soup.find("main", id="inhoud"), name
        assert len(soup.find_all("h1")) == 1, name
        assert soup.find("a", string="Download als PDF")["href"] == "../jaarverslag-2022.pdf"
        assert soup.find("nav", attrs={"aria-label": "Hoofdstukken"}), name
        assert not soup.find("script"), name


def test_titles_and_pager(site):
    pages = site["pages"]
    assert pages["clienten.html"].title.string.startswith("Cliënten — Jaarverslag 2022")
    assert pages["clienten.html"].h1.get_text() == "Cliënten"
    pager = pages["clienten.html"].find("nav", class_="pager")
    assert pager.find("a", rel="prev")["href"] == "voorwoord.html"
    assert pager.find("a", rel="next")["href"] == "wijkhuizen.html"
    assert "Vorige" in pager.get_text() and "Volgende" in pager.get_text()
    assert pages["voorwoord.html"].find("a", rel="prev")["href"] == "index.html"
    assert pages["wijkhuizen.html"].find("a", rel="next") is None


def test_links_resolve(site):
    html_dir = site["root"] / "html"
    for name, soup in site["pages"].items():
        for a in soup.find_all("a", href=True):
            parts = urlsplit(a["href"])
            if parts.scheme in ("http", "https", "mailto"):
                continue
            target = (html_dir / unquote(parts.path)).resolve() if parts.path else html_dir / name
            assert target.exists(), f"{name}: {a['href']}"
            if parts.fragment and target.suffix == ".html":
                doc = site["pages"][target.name]
                assert doc.find(id=parts.fragment), f"{name}: #{parts.fragment} in {target.name}"


def test_chapter_links_become_pages(site):
    voorwoord = site["pages"]["voorwoord.html"]
    assert voorwoord.find("a", string="Cliënten", href="clienten.html")
    assert voorwoord.find("a", href="https://www.example.org/")  # links to websites stay


def test_index_page(site):
    index = site["pages"]["index.html"]
    assert index.h1.get_text(" ", strip=True) == "Jaarverslag 2022"
    assert "Wijkkracht, sociaal werk in Twente" in index.get_text()
    toc = index.find("section", class_="toc")
    assert toc.find("h2").get_text() == "Inhoud"
    assert [a["href"] for a in toc.find_all("a")] == [
        "voorwoord.html", "clienten.html", "wijkhuizen.html", "#colofon"]
    # The intro from index.qmd, headings one level down, Pandoc attributes gone.
    intro = index.find("section", class_="intro")
    assert intro.find("h2").get_text() == "Over dit jaarverslag"
    assert "{.unnumbered}" not in index.get_text()
    colophon = index.find(id="colofon").find_parent("section")
    assert [dt.get_text() for dt in colophon.find_all("dt")] == list(META["colophon"])
    assert "abc1234 (gewijzigd)" in colophon.get_text()


def test_images_have_alt(site):
    imgs = [img for soup in site["pages"].values() for img in soup.find_all("img")]
    assert imgs
    for img in imgs:
        assert img.get("alt", "").strip(), img


def test_offline(site):
    pattern = re.compile(r"^\s*(https?:)?//", re.I)
    for name, soup in site["pages"].items():
        for el in soup.find_all(src=True):
            assert not pattern.match(el["src"]), f"{name}: {el['src']}"
        for el in soup.find_all(["link", "script"]):
            assert not pattern.match(el.get("href", "") or el.get("src", "")), f"{name}: {el}"
        for style in soup.find_all("style"):
            assert not re.search(r"url\(\s*['\"]?(https?:)?//|@import", style.get_text())
    for css in (site["root"] / "html" / "assets").rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        assert "@import" not in text
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", text):
            assert not pattern.match(url), url
            assert (css.parent / url).resolve().exists(), url


def test_tables_keep_class_numbers_and_get_a_region(site):
    page = site["pages"]["clienten.html"]
    tables = page.find_all("table", class_="jv-table")
    assert len(tables) == 4
    for table in tables:
        wrap = table.parent
        assert "jv-table-wrap" in wrap["class"]
        assert wrap["role"] == "region" and wrap["tabindex"] == "0"
        assert wrap["aria-label"].endswith(table.caption.get_text())
    nums = [td.get_text() for td in page.find_all("td", class_="num")]
    assert "6.421" in nums and "2.140" in nums and "33,3%" in nums
    total = page.find("tr", class_="total")
    assert total.th.get_text() == "Totaal" and "6.421" in total.get_text()
    assert page.find("ol", class_="jv-rank").find_all("li")[0].get_text() == "Geldzaken"
    assert page.find("tr", class_="group") and page.find("p", class_="jv-note")


def test_markdown_output_is_rendered(site):
    voorwoord = site["pages"]["voorwoord.html"]
    assert voorwoord.find("strong", string="6.421")
    assert "**" not in voorwoord.get_text()
    wijkhuizen = site["pages"]["wijkhuizen.html"]
    assert wijkhuizen.find("h2", string="Bezoek per wijkhuis")  # a heading inside a Markdown output


def test_no_code_or_streams_leak(site):
    for name, soup in site["pages"].items():
        text = str(soup)
        for leak in LEAKS:
            assert leak not in text, f"{leak!r} in {name}"
        assert not soup.find("pre"), name


def test_sidebar_lists_sections_of_current_chapter(site):
    nav = site["pages"]["clienten.html"].find("nav", class_="nav-side")
    current = nav.find("li", class_="is-current")
    assert current.a["aria-current"] == "page"
    assert [a.get_text() for a in current.find_all("a")[1:]] == [
        "Aantal cliënten", "Leeftijd en ondersteuning"]


def test_pdf_href_can_be_hidden(book, chapters, tmp_path):
    render_html(book, chapters[:1], tmp_path, meta={**META, "pdf_href": None})
    assert "Download als PDF" not in (tmp_path / "index.html").read_text(encoding="utf-8")


def _notebook(tmp_path: Path, name: str, cells: list) -> Path:
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(new_notebook(cells=cells), path)
    return path


def test_error_output_stops_the_render(book, tmp_path):
    bad = _notebook(tmp_path, "kapot", [
        new_markdown_cell("# Kapot"),
        new_code_cell("1/0", outputs=[new_output("error", ename="ZeroDivisionError",
                                                 evalue="division by zero", traceback=[])]),
    ])
    with pytest.raises(RenderError, match="kapot.*ZeroDivisionError"):
        render_html(book, [bad], tmp_path / "out", meta=META)


def test_chapter_without_heading_gets_a_title(book, tmp_path):
    nb = _notebook(tmp_path, "tot_slot", [new_markdown_cell("Alleen tekst.")])
    render_html(book, [nb], tmp_path / "out", meta=META)
    page = (tmp_path / "out" / "tot_slot.html").read_text(encoding="utf-8")
    assert "<h1" in page and "Tot slot" in page


def test_internet_images_are_refused(book, tmp_path):
    nb = _notebook(tmp_path, "extern", [new_markdown_cell("# Extern\n\n![logo](https://example.org/x.png)")])
    with pytest.raises(RenderError, match="internet"):
        render_html(book, [nb], tmp_path / "out", meta=META)


# ---------------------------------------------------------------- PDF


@pytest.fixture(scope="module")
def pdf(site):
    reader = PdfReader(site["pdf"])
    texts = [page.extract_text() or "" for page in reader.pages]
    return {"reader": reader, "texts": texts, "path": site["pdf"]}


def _outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    found = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return found


def test_pdf_is_a4_with_metadata(pdf):
    reader = pdf["reader"]
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(595.3, abs=1)
        assert float(page.mediabox.height) == pytest.approx(841.9, abs=1)
    assert reader.metadata.title == "Jaarverslag 2022 — Wijkkracht"
    assert reader.metadata.author == "Wijkkracht"
    assert reader.trailer["/Root"]["/Lang"] == "nl"


def test_pdf_cover_footer_and_page_numbers(pdf):
    texts, n = pdf["texts"], len(pdf["texts"])
    assert "Jaarverslag 2022" in texts[0] and "Wijkkracht" in texts[0]
    assert "pagina" not in texts[0]  # no footer on the cover
    for i, text in enumerate(texts[1:], start=2):
        assert f"pagina {i} van {n}" in text
        assert "Jaarverslag 2022 — Wijkkracht" in text
    assert "Colofon" in texts[-1] and "abc1234 (gewijzigd)" in texts[-1]


def test_pdf_contains_the_numbers_and_no_leaks(pdf):
    text = "\n".join(pdf["texts"])
    for number in ["6.421", "2.140", "104.060", "33,3%"]:
        assert number in text
    for leak in LEAKS:
        assert leak not in text


def test_pdf_outline_and_contents_page_numbers(pdf):
    outline = _outline(pdf["reader"])
    titles = [(d, t) for d, t, _ in outline]
    for entry in [(0, "Inhoud"), (0, "Voorwoord"), (0, "Cliënten"), (1, "Aantal cliënten"),
                  (0, "Wijkhuizen"), (0, "Colofon")]:
        assert entry in titles
    toc = pdf["texts"][1]
    assert "Inhoud" in toc
    for depth, title, page in outline:
        if depth == 0 and title != "Inhoud":
            assert re.search(rf"{re.escape(title)}\W*{page}\b", toc), (title, page)
            assert title in pdf["texts"][page - 1]  # each chapter starts on its own page


def test_pdf_long_table_repeats_its_header(pdf):
    pages = [t for t in pdf["texts"] if "Wijkhuis" in t and "Bezoekers" in t]
    assert len(pages) >= 2  # the 40-row table runs over two pages, header on both
    last = next(t for t in pdf["texts"] if "Wijkhuis 40" in t)
    assert "Bezoekers" in last


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="pdffonts (poppler-utils) ontbreekt")
def test_pdf_embeds_only_the_house_font(pdf):
    out = subprocess.run(["pdffonts", str(pdf["path"])], capture_output=True, text=True, check=True)
    rows = out.stdout.splitlines()[2:]
    assert rows
    for row in rows:
        cols = row.split()
        name = cols[0]
        emb = cols[-5]
        assert emb == "yes", row
        assert "Source-Sans-3" in name or "SourceSans3" in name, row


# ---------------------------------------------------------------- Quarto


def test_stage_quarto(book, chapters, tmp_path):
    stage = stage_quarto(book, chapters, tmp_path, meta=META)
    assert stage == tmp_path / "quarto-src"
    config = yaml.safe_load((stage / "_quarto.yml").read_text(encoding="utf-8"))
    assert config["book"]["title"] == "Jaarverslag 2022"
    assert config["project"]["output-dir"] == "../quarto-book"
    assert config["book"]["chapters"] == [str(c) for c in book.chapters]
    assert config["lang"] == "nl"
    assert config["execute"]["enabled"] is False
    assert config["format"]["jaarverslag-typst"]["papersize"] == "a4"
    staged_index = (stage / "index.qmd").read_text(encoding="utf-8")
    assert staged_index.startswith(book.index.read_text(encoding="utf-8").rstrip("\n"))
    for rel in book.notebooks:
        staged = nbformat.read(stage / rel, as_version=4)
        tags = [t for c in staged.cells for t in c.metadata.get("tags", [])]
        assert "parameters" not in tags and "injected-parameters" not in tags
        streams = [o for c in staged.cells if c.cell_type == "code" for o in c.outputs
                   if o.output_type == "stream"]
        assert not streams


def test_render_quarto_needs_quarto(book, chapters, tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(QuartoNotFound, match="quarto"):
        render_quarto(book, chapters, tmp_path, meta=META)


@pytest.mark.skipif(shutil.which("quarto") is None, reason="quarto is niet geïnstalleerd")
def test_render_quarto(book, chapters, tmp_path):
    result = render_quarto(book, chapters, tmp_path, meta=META)
    assert result.html.exists() and result.renderer == "quarto" and result.version.startswith("Quarto ")
    assert "6.421" in result.html.parent.joinpath("clienten.html").read_text(encoding="utf-8")
    if result.pdf is not None:
        assert result.pdf.exists() and result.pdf_route in ("typst", "latex")


FAKE_QUARTO = """#!/bin/sh
# A stand-in for quarto: its version, and a book (and a PDF unless NOPDF) in the staged output-dir.
if [ "$1" = "--version" ]; then echo "{version}"; exit 0; fi
out="$2/../quarto-book"; mkdir -p "$out"
case "$4" in
  html) echo "<html></html>" > "$out/index.html" ;;
  *) [ -n "$NOPDF" ] && {{ echo "ERROR: geen PDF" >&2; exit 1; }}; echo "%PDF-1.7" > "$out/Jaarverslag.pdf" ;;
esac
"""


@pytest.mark.parametrize(("version", "nopdf", "route"), [("1.9.2", "", "typst"), ("1.4.550", "", "latex"),
                                                          ("1.9.2", "1", None)])
def test_the_quarto_route_says_what_it_made_and_with_what(book, chapters, tmp_path, monkeypatch,
                                                          version, nopdf, route):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    quarto = bin_dir / "quarto"
    quarto.write_text(FAKE_QUARTO.format(version=version), encoding="utf-8")
    quarto.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setenv("NOPDF", nopdf)
    rendered = render("quarto", book, chapters, tmp_path / "editie", pdf_name="niet-gebruikt.pdf", meta=META)
    assert isinstance(rendered, Rendered)
    assert rendered.html == tmp_path / "editie" / "quarto" / "quarto-book" / "index.html"
    assert (rendered.renderer, rendered.version, rendered.pdf_route) == ("quarto", f"Quarto {version}", route)
    assert (rendered.pdf is None) == (route is None)
    if route is not None:
        assert rendered.pdf.name == "Jaarverslag.pdf"


def test_stage_quarto_leaves_out_a_chapter_without_data(book, chapters, tmp_path):
    """A gemeente edition drops chapters without its data from the Quarto book too."""
    from jaarverslag.chapters.toolkit.sections import OMITTED_MIME

    empty = nbformat.read(chapters[-1], as_version=4)
    empty.cells.append(nbformat.v4.new_code_cell(outputs=[nbformat.v4.new_output(
        "display_data", data={OMITTED_MIME: {"weggelaten": True, "reden": "geen gegevens"}})]))
    marked = tmp_path / "in" / chapters[-1].name
    marked.parent.mkdir()
    nbformat.write(empty, marked)
    stage = stage_quarto(book, [*chapters[:-1], marked], tmp_path / "out", meta=META)
    config = yaml.safe_load((stage / "_quarto.yml").read_text(encoding="utf-8"))
    assert config["book"]["chapters"] == [str(c) for c in book.chapters[:-1]]
    assert not (stage / book.notebooks[-1]).exists()
