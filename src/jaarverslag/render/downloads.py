"""The figures to download: a CSV per table, and one workbook (.xlsx) per edition.

Every table of the HTML book gets a link "Download de cijfers (CSV)" under it, to a
file with exactly the figures it shows: UTF-8 with a byte order mark and `;` between
the fields, so Dutch Excel opens it as it is. A hidden count stays hidden ("<5", "x").
The edition's workbook (`<pdf name>-cijfers.xlsx`) has a sheet per table, named after
it, with the full caption above the figures and an "Inhoud" sheet listing them all.

The figures come from the chapter's executed notebook: each table's output carries
them in its metadata (`tables.TABLE_META`, made by `Table.figures`), so a download
holds whole numbers as numbers instead of text read back from the page. A table
without them (one written in Markdown) is read from its HTML cells.

Everything lands in `<html>/cijfers/`; the links are relative, so they work offline
and from the PDF, which sits beside `html/` (`pdf_links`).

While it walks the tables of a page, `publish` also gives each cell its column heading
as `data-label` (`label_cells`): the label a narrow screen shows when a table of records
reflows into a block per row (`screen.css`, docs/tabellen.md). A table that does not say
how a narrow screen shows it (one written in Markdown) gets a kind from its width.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jaarverslag.chapters.toolkit.tables import TABLE_META, Figures

if TYPE_CHECKING:
    from bs4 import Tag

    from jaarverslag.render.html import Chapter, Site

FOLDER = "cijfers"  # under the HTML book's folder
LINK_TEXT = "Download de cijfers (CSV)"
WORKBOOK_TEXT = "Alle cijfers in één Excel-bestand"
# A sheet's name: at most 31 characters, none of these (Excel's own rules).
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_MAX = 31


@dataclass(frozen=True)
class Workbook:
    """The edition's workbook: its link from the HTML pages, its file name, the tables in it."""

    href: str
    name: str
    tables: int


def workbook_name(site: Site) -> str:
    """The workbook's file name, after the edition's files or else its PDF
    (`jaarverslag-2022-hengelo-cijfers.xlsx`)."""
    from jaarverslag.render.html import slugify

    stem = site.file_stem or (Path(site.pdf_href).stem if site.pdf_href else slugify(site.title))
    return f"{stem}-cijfers.xlsx"


def pdf_links(site: Site) -> list[tuple[str, str]]:
    """The downloads as the PDF's edition page links them: (text, address relative to the PDF,
    which sits beside the `html/` folder)."""
    return [(WORKBOOK_TEXT, f"html/{FOLDER}/{workbook_name(site)}")]


# ---------------------------------------------------------------- the figures of a chapter


def notebook_figures(path: Path | None, name: str) -> list[Figures]:
    """The figures of each table a chapter's executed notebook shows, in order."""
    if path is None or not Path(path).exists():
        return []
    import nbformat

    from jaarverslag.render.html import strip_notebook

    nb = strip_notebook(nbformat.read(Path(path), as_version=4), name)
    found = []
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = out.get("metadata", {}).get(TABLE_META)
            if isinstance(data, dict):
                found.append(Figures.from_json(data))
    return found


def _cell_text(cell: Tag) -> str:
    items = cell.find_all("li")
    if items:
        return " ".join(f"{i}. {' '.join(li.get_text(' ', strip=True).split())}" for i, li in enumerate(items, 1))
    return " ".join(cell.get_text(" ", strip=True).split())


def html_figures(table: Tag, caption: str) -> Figures:
    """A table's figures read from its HTML cells, as text (for a table without metadata)."""
    head = table.find("thead")
    columns = [_cell_text(th) for th in head.find_all("th")] if head is not None else []
    rows = []
    for tr in table.find_all("tr"):
        if tr.find_parent("thead") is not None:
            continue
        cells = tr.find_all(["th", "td"])
        rows.append(tuple(_cell_text(c) for c in cells))
    if not columns and rows:
        columns, rows = list(rows[0]), rows[1:]
    return Figures(caption, tuple(columns), tuple(rows))


# ---------------------------------------------------------------- the files


def csv_bytes(figures: Figures) -> bytes:
    """The figures as CSV for Dutch Excel: UTF-8 with BOM, `;`, a percentage with a decimal comma.

    >>> csv_bytes(Figures("T", ("Gemeente", "Cliënten", "Verschil (%)"), (("Borne", 791, 10.2),),
    ...                   ("Verschil (%)",))).decode("utf-8-sig")
    'Gemeente;Cliënten;Verschil (%)\\r\\nBorne;791;10,2\\r\\n'
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(figures.columns)
    for row in figures.rows:
        writer.writerow([_csv_value(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def _csv_value(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return str(value)


def sheet_name(caption: str, year: int | None, taken: set[str]) -> str:
    """A sheet's name after its table: the caption without its year, shortened at a word to
    Excel's 31 characters, unique in the workbook.

    >>> sheet_name("Cliënten en contacten per gemeente, 2022, vergeleken met 2021", 2022, set())
    'Cliënten en contacten per'
    >>> sheet_name("Mantelzorg, 2022", 2022, {"Mantelzorg"})
    'Mantelzorg (2)'
    """
    text = re.sub(r",\s*vergeleken met \d{4}$", "", caption)
    if year is not None:
        text = re.sub(rf",\s*{year}$", "", text)
    text = " ".join(_SHEET_FORBIDDEN.sub(" ", text).split()).strip("'") or "Tabel"
    if len(text) > _SHEET_MAX:
        cut = text[:_SHEET_MAX + 1].rsplit(" ", 1)[0].rstrip(",;:-–")
        text = cut if len(cut) >= 10 else text[:_SHEET_MAX]
    name, n = text, 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f" ({n})"
        name, n = text[:_SHEET_MAX - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def _build_time() -> dt.datetime:
    """When the workbook says it was made: SOURCE_DATE_EPOCH when set (reproducible builds), else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).replace(tzinfo=None)
    return dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def workbook_bytes(tables: Sequence[tuple[str, Figures]], *, title: str, year: int | None) -> bytes:
    """The workbook: an "Inhoud" sheet, then a sheet per table (chapter, figures) with its caption
    in A1 and its figures from row 3; whole numbers as numbers, percentages as percentages."""
    from openpyxl import Workbook as XlsxWorkbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.writer.excel import ExcelWriter

    made = _build_time()
    book = XlsxWorkbook()
    book.properties.title = title
    book.properties.creator = "jaarverslag"
    book.properties.created = made
    book.properties.modified = made
    contents = book.active
    assert contents is not None
    contents.title = "Inhoud"
    contents.append([title])
    contents["A1"].font = Font(bold=True, size=13)
    contents.append([])
    contents.append(["Hoofdstuk", "Tabel", "Blad"])
    for cell in contents[3]:
        cell.font = Font(bold=True)
    taken = {"Inhoud"}
    for chapter, figures in tables:
        name = sheet_name(figures.caption, year, taken)
        contents.append([chapter, figures.caption, name])
        link = contents.cell(row=contents.max_row, column=3)
        link.hyperlink = f"#'{name}'!A1"
        sheet = book.create_sheet(name)
        sheet["A1"] = figures.caption
        sheet["A1"].font = Font(bold=True, size=12)
        sheet.append([])
        sheet.append(list(figures.columns))
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        percent = {i for i, c in enumerate(figures.columns) if c in set(figures.percent)}
        for row in figures.rows:
            sheet.append([v / 100 if i in percent and isinstance(v, float) else v for i, v in enumerate(row)])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, float):
                    cell.number_format = "0.0%"
                elif isinstance(cell.value, int):
                    cell.number_format = "#,##0"
        sheet.freeze_panes = "B4"
        for i, column in enumerate(figures.columns, 1):
            longest = max([len(str(column))] + [len(str(r[i - 1])) for r in figures.rows if i - 1 < len(r)])
            sheet.column_dimensions[get_column_letter(i)].width = min(max(10, longest + 2), 60)
    for letter, width in (("A", 22), ("B", 70), ("C", 34)):
        contents.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    # Not book.save: it dates the workbook "modified" now, and two builds would differ.
    ExcelWriter(book, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    return _fixed_zip(buffer.getvalue(), made)


def _fixed_zip(data: bytes, when: dt.datetime) -> bytes:
    """The same zip with every entry dated `when`, so two builds give the same bytes."""
    stamp = max(when, dt.datetime(1980, 1, 1)).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def _write(path: Path, content: bytes, written: set[Path]) -> None:
    written.add(path)
    if path.exists() and path.read_bytes() == content:
        return
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(content)
    tmp.replace(path)


# ---------------------------------------------------------------- the page


_KINDS = ("jv-fit", "jv-blocks", "jv-scroll")


def _heading_text(th: Tag) -> str:
    """A column heading as a label: a compared column's "Cliënten 2023 (verschil met 2022)"."""
    change = th.find(class_="jv-change")
    sub = " ".join(change.get_text(" ", strip=True).split()) if change is not None else ""
    if change is not None:
        change.extract()
    text = " ".join(th.get_text(" ", strip=True).split())
    return f"{text} ({sub})" if sub else text


def label_cells(table: Tag) -> None:
    """Each body cell gets its column heading as `data-label`; the table's region gets a narrow
    kind when it has none (`jv-fit` up to three columns, else `jv-blocks`); a header cell
    without a scope (a table written in Markdown) gets one: `col` in the head, `row` in the body."""
    import copy

    for th in table.find_all("th"):
        if not th.get("scope"):
            th["scope"] = "col" if th.find_parent("thead") is not None else "row"
    head = table.find("thead")
    headings = [_heading_text(copy.copy(th)) for th in head.find_all("th")] if head is not None else []
    for tr in table.find_all("tr"):
        if tr.find_parent("thead") is not None:
            continue
        cells = tr.find_all(["th", "td"], recursive=False)
        if len(cells) != len(headings):
            continue  # a group's header row, across the table
        for cell, heading in zip(cells, headings, strict=True):
            cell["data-label"] = heading
    wrap = table.parent
    if wrap is not None and "jv-table-wrap" in (wrap.get("class") or []):
        classes = list(wrap.get("class") or [])
        if not any(k in classes for k in _KINDS):
            kind = "jv-fit" if len(headings) <= 3 else "jv-blocks"
            wrap["class"] = " ".join([*classes, kind, f"jv-cols-{min(len(headings), 8)}"])


# ---------------------------------------------------------------- the hook


def _file_name(slug: str, n: int, caption: str) -> str:
    """A table's CSV: its chapter, its number there and its caption (without the comparison),
    shortened at a word.

    >>> _file_name("clienten", 1, "Cliënten per gemeente, 2023, vergeleken met 2022")
    'clienten-1-clienten-per-gemeente-2023.csv'
    """
    from jaarverslag.render.html import slugify

    words = slugify(re.sub(r",\s*vergeleken met \d{4}$", "", caption))
    if len(words) > 50:
        words = words[:51].rsplit("-", 1)[0]
    return f"{slug}-{n}-{words}.csv"


def publish(chapters: Iterable[Chapter], out_dir: Path, site: Site) -> tuple[list[Chapter], Workbook | None]:
    """Write the downloads of the HTML book in `out_dir` and link each table to its CSV (and
    label its cells, `label_cells`).

    Returns the chapters with a link under each table and the workbook (None when the book
    has no table). Files of tables no longer in the book are removed; running it again on
    its own result changes nothing.
    """
    from bs4 import BeautifulSoup

    folder = Path(out_dir) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    written: set[Path] = set()
    sheets: list[tuple[str, Figures]] = []
    result = []
    for chapter in chapters:
        soup = BeautifulSoup(chapter.body, "html.parser")
        for old in soup.select("p.jv-download"):
            old.decompose()
        known = notebook_figures(chapter.source, chapter.slug)
        n = 0
        for table in soup.find_all("table"):
            if table.find_parent("table") is not None:
                continue
            n += 1
            label_cells(table)
            caption_tag = table.find("caption")
            caption = " ".join(caption_tag.get_text(" ", strip=True).split()) if caption_tag else ""
            caption = caption or f"{chapter.title}, tabel {n}"
            match = next((f for f in known if f.caption == caption), None)
            if match is not None:
                known.remove(match)
            figures = match if match is not None else html_figures(table, caption)
            name = _file_name(chapter.slug, n, caption)
            _write(folder / name, csv_bytes(figures), written)
            sheets.append((chapter.title, figures))
            wrap = table.parent if table.parent is not None and "jv-table-wrap" in (table.parent.get("class") or []) \
                else table
            link = BeautifulSoup(
                f'<p class="jv-download"><a href="{FOLDER}/{escape(name)}" download '
                f'aria-label="{escape(LINK_TEXT)}: {escape(caption)}">{escape(LINK_TEXT)}</a></p>',
                "html.parser")
            wrap.insert_after(link)
        result.append(replace(chapter, body=str(soup)))
    workbook = None
    if sheets:
        name = workbook_name(site)
        _write(folder / name, workbook_bytes(sheets, title=site.running_title, year=site.year), written)
        workbook = Workbook(href=f"{FOLDER}/{name}", name=name, tables=len(sheets))
    for stale in folder.iterdir():
        if stale not in written:
            stale.unlink()
    return result, workbook
