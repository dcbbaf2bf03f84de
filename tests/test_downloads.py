"""The figures to download (render/downloads.py): a CSV under every table with the figures it
shows, hidden counts still hidden, and one workbook per edition with a sheet per table.

The unit tests make a chapter of their own (a notebook with a table's output, as a chapter
shows it); the built reports are the 2022 report (`built`) and the 2023 report that compares
with 2022 (`report_with_previous_year`), each made once per test run.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from jaarverslag import Edition
from jaarverslag.chapters import clienten, dienstverlening, jeugd, vrijwilligers, wijkhuizen
from jaarverslag.chapters.toolkit.compare import compare
from jaarverslag.chapters.toolkit.suppress import is_small, suppress_table
from jaarverslag.chapters.toolkit.tables import Table, with_total
from jaarverslag.render import downloads
from jaarverslag.render.html import Chapter, Site

LINK = "Download de cijfers (CSV)"
SITE = Site(title="Jaarverslag 2022", subtitle="", organisation="Wijkkracht", year=2022, colophon=(),
            pdf_href="../jaarverslag-2022-wijkkracht.pdf")


def read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path.name} has no UTF-8 byte order mark"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))


# A figure as a page or a CSV writes it: a count (6.421 or 6421), a change (+12, −4), a percentage
# (10,1%), a hidden count (<10, x). List numbers ("1. ") are the list's, not figures.
_FIGURE = re.compile(r"<\d+|(?<![\w.])x(?!\w)|[+\u2212-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?|[+\u2212-]?\d+(?:,\d+)?")


def figures_in(text: str) -> Counter[str]:
    """The figures in a text, normalised: no sign, no thousands point, no % sign."""
    text = re.sub(r"(?:^|(?<=\s))\d+\.\s", " ", text)  # "1. Informatie" numbers a list item
    found = Counter()
    for token in _FIGURE.findall(text):
        found[token.lstrip("+\u2212-").replace(".", "")] += 1
    return found


def csv_text(value: str) -> str:
    """A CSV value as the page writes it: whole numbers with a thousands point, so the page's
    '6.421' and the CSV's '6421' read the same."""
    return f"{int(value):,}".replace(",", ".") if re.fullmatch(r"-?\d+", value) else value


def pages_and_downloads(html_dir: Path):
    """Every table of every page with the CSV its link points to."""
    for page in sorted(html_dir.glob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for table in soup.select("main table"):
            wrap = table.find_parent(class_="jv-table-wrap")
            link = wrap.find_next_sibling() if wrap is not None else None
            yield page.name, table, link


# ---- a chapter of our own ---------------------------------------------------------


def chapter_with(tables: list[Table], folder: Path) -> Chapter:
    """A chapter whose notebook shows `tables`, as an executed chapter keeps them."""
    cells = []
    for table in tables:
        data, metadata = table._repr_mimebundle_()
        output = nbformat.v4.new_output("display_data", data=data, metadata=metadata)
        cells.append(nbformat.v4.new_code_cell(source="t", outputs=[output]))
    path = folder / "proef.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    body = "<h1 id='proef'>Proef</h1>" + "".join(t._repr_html_() for t in tables)
    return Chapter(slug="proef", title="Proef", body=body, source=path)


def counts(rows):
    frame = pd.DataFrame(rows, columns=["Gemeente", "Cliënten"]).astype({"Cliënten": "Int64"})
    return Table(with_total(frame, "Gemeente"), "Cliënten, 2022", total=True, sums_published=True)


def test_hidden_counts_stay_hidden_in_the_csv_and_the_workbook(tmp_path):
    table = suppress_table(counts([("Borne", 3), ("Hengelo", 40), ("Losser", 25)]), 5)
    (chapter,), workbook = downloads.publish([chapter_with([table], tmp_path)], tmp_path / "html", SITE)
    link = BeautifulSoup(chapter.body, "html.parser").select_one("p.jv-download a")
    assert link.get_text() == LINK
    rows = read_csv(tmp_path / "html" / link["href"])
    assert rows == [["Gemeente", "Cliënten"], ["Borne", "<5"], ["Hengelo", "40"], ["Losser", "x"], ["Totaal", "68"]]
    sheet = load_workbook(tmp_path / "html" / workbook.href)["Cliënten"]
    values = [c.value for c in sheet["B"]][3:]
    assert values == ["<5", 40, "x", 68] and 3 not in values and 25 not in values


def test_a_compared_table_gives_the_figure_and_the_change(tmp_path):
    now = counts([("Borne", 112), ("Hengelo", 96)])
    before = counts([("Borne", 100), ("Hengelo", 100)])
    table = compare(now, before, key="Gemeente", columns=["Cliënten"], year=2022, previous_year=2021)
    (chapter,), workbook = downloads.publish([chapter_with([table], tmp_path)], tmp_path / "html", SITE)
    cell = BeautifulSoup(chapter.body, "html.parser").select_one("td[data-label]")
    assert cell["data-label"] == "Cliënten 2022 (verschil met 2021)"
    assert cell.get_text(" ", strip=True) == "112 +12 (+12,0%)"
    href = BeautifulSoup(chapter.body, "html.parser").select_one("p.jv-download a")["href"]
    rows = read_csv(tmp_path / "html" / href)
    assert rows[0] == ["Gemeente", "Cliënten 2022", "Cliënten 2022: verschil met 2021",
                       "Cliënten 2022: verschil met 2021 (%)"]
    assert rows[1:] == [["Borne", "112", "12", "12,0"], ["Hengelo", "96", "-4", "-4,0"], ["Totaal", "208", "8", "4,0"]]
    sheet = load_workbook(tmp_path / "html" / workbook.href)["Cliënten"]
    assert sheet["D5"].value == pytest.approx(-0.04) and sheet["D5"].number_format == "0.0%"


def test_a_table_without_figures_is_read_from_the_page_and_publishing_twice_changes_nothing(tmp_path):
    chapter = chapter_with([counts([("Borne", 7)])], tmp_path)
    chapter = Chapter(slug="proef", title="Proef", source=None, body=chapter.body + (
        "<table><thead><tr><th>Wie</th><th>Hoeveel</th></tr></thead>"
        "<tbody><tr><td>Borne</td><td>1.204</td></tr></tbody></table>"))
    (once,), _ = downloads.publish([chapter], tmp_path / "html", SITE)
    (twice,), workbook = downloads.publish([once], tmp_path / "html", SITE)
    assert twice.body == once.body and twice.body.count('class="jv-download"') == 2
    names = sorted(p.name for p in (tmp_path / "html" / "cijfers").iterdir())
    assert names == ["jaarverslag-2022-wijkkracht-cijfers.xlsx", "proef-1-clienten-2022.csv",
                     "proef-2-proef-tabel-2.csv"]
    assert read_csv(tmp_path / "html" / "cijfers" / names[2]) == [["Wie", "Hoeveel"], ["Borne", "1.204"]]
    markdown = BeautifulSoup(twice.body, "html.parser").select("table")[-1]  # a scope for each header cell
    assert [th.get("scope") for th in markdown.select("th")] == ["col", "col"]
    assert workbook is not None and workbook.tables == 2


def test_every_table_of_a_public_edition_hides_its_small_counts_in_its_figures():
    ed = Edition(2022, "Borne", suppress_below=10)
    tables = [clienten.totalen(ed), clienten.leeftijd_tabel(ed), dienstverlening.oco(ed), jeugd.loes(ed),
              vrijwilligers.vrijwilligers(ed), wijkhuizen.locaties_tabel(ed)]
    hidden = 0
    for table in tables:
        figures = table.figures()
        columns = [i for i, c in enumerate(figures.columns) if c in set(table.counts or ())]
        for row in figures.rows:
            assert not any(is_small(row[i], 10) for i in columns), (table.caption, row)
            hidden += sum(row[i] in ("<10", "x") for i in columns)
    assert hidden, "a public edition of Borne has small counts to hide"


def test_the_pdf_links_the_workbook_beside_it():
    assert SITE.pdf_downloads == [("Alle cijfers in één Excel-bestand",
                                   "html/cijfers/jaarverslag-2022-wijkkracht-cijfers.xlsx")]


def test_the_workbook_is_the_same_with_source_date_epoch(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    figures = [("Proef", counts([("Borne", 7)]).figures())]
    first = downloads.workbook_bytes(figures, title="T", year=2022)
    assert downloads.workbook_bytes(figures, title="T", year=2022) == first
    # openpyxl's own save dates "modified" now: the bytes would differ when a second passes
    with zipfile.ZipFile(io.BytesIO(first)) as book:
        core = book.read("docProps/core.xml").decode()
    stamps = re.findall(r"<dcterms:(created|modified)[^>]*>([^<]+)<", core)
    assert dict(stamps) == {"created": "2023-11-14T22:13:20Z", "modified": "2023-11-14T22:13:20Z"}


# ---- the built reports ------------------------------------------------------------


@pytest.fixture(scope="module", params=["report-2022", "report-2023-vorig-jaar"])
def html_dir(request) -> Path:
    if request.param == "report-2022":
        built, manifest = request.getfixturevalue("built"), request.getfixturevalue("manifest")
        return (built / manifest["editions"]["wijkkracht"]["html"]).parent
    return request.getfixturevalue("report_with_previous_year")


def test_every_table_links_to_a_csv_with_the_figures_it_shows(html_dir):
    seen = 0
    for page, table, link in pages_and_downloads(html_dir):
        caption = table.caption.get_text(" ", strip=True)
        assert link is not None and link.a is not None and link.a.get_text() == LINK, (page, caption)
        rows = read_csv(html_dir / link.a["href"])
        body = [tr for tr in table.select("tbody tr") if not tr.select("th[scope=rowgroup]")]
        assert len(rows) == len(body) + 1, (page, caption)
        for tr, row in zip(body, rows[1:], strict=True):
            shown = figures_in(" ".join(c.get_text(" ", strip=True) for c in tr.find_all(["th", "td"])))
            given = figures_in(" ".join(csv_text(v) for v in row))
            assert shown == given, (page, caption, tr.get_text(" | ", strip=True), row)
        seen += 1
    assert seen >= 15, f"only {seen} tables in {html_dir}"


def test_every_header_cell_has_its_scope(html_dir):
    for page in html_dir.glob("*.html"):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for th in soup.select("table th"):
            want = {"col"} if th.find_parent("thead") else {"row", "rowgroup"}
            assert th.get("scope") in want, (page.name, str(th)[:80])


def test_the_edition_has_a_workbook_with_a_sheet_per_table(html_dir):
    tables = list(pages_and_downloads(html_dir))
    index = BeautifulSoup((html_dir / "index.html").read_text(encoding="utf-8"), "html.parser")
    href = index.select_one("p.downloads a")["href"]
    assert href.endswith("-cijfers.xlsx") and (html_dir / href).is_file()
    book = load_workbook(html_dir / href)
    assert book.sheetnames[0] == "Inhoud" and len(book.sheetnames) == len(tables) + 1
    captions = {sheet["A1"].value for sheet in book.worksheets[1:]}
    assert captions == {t.caption.get_text(" ", strip=True) for _, t, _ in tables}
    for sheet in book.worksheets[1:]:
        words = re.sub(r"\W", "", sheet.title.split(" (")[0])
        assert len(sheet.title) <= 31 and words in re.sub(r"\W", "", sheet["A1"].value), sheet.title


def test_the_pdf_links_the_workbook_beside_it_on_its_edition_page(built, manifest):
    from pypdf import PdfReader

    edition = manifest["editions"]["wijkkracht"]
    pdf = built / edition["pdf"]
    uris = [annot.get_object()["/A"]["/URI"] for page in PdfReader(pdf).pages for annot in page.get("/Annots", [])
            if "/URI" in annot.get_object().get("/A", {})]
    workbooks = [uri for uri in uris if uri.endswith("-cijfers.xlsx")]
    assert workbooks == [f"html/{downloads.FOLDER}/{pdf.stem}-cijfers.xlsx"]  # relative: it works offline
    assert (pdf.parent / workbooks[0]).is_file()
    assert not [uri for uri in uris if uri.startswith("file:")]  # nothing points into the machine that built it
