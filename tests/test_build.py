"""The CLI end to end: build 2022 into a temporary folder and read what a reader gets.

Also: the build's output layout is named in paths.py only (a grep of the package, not slow).
"""

import ast
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import GOOD_CHAPTER, make_book

import jaarverslag
from jaarverslag import paths
from jaarverslag.cli import main

slow = pytest.mark.slow


@slow
def test_manifest_names_the_outputs_inputs_and_chapter_times(built, manifest):
    entry = manifest["editions"]["wijkkracht"]
    assert (built / entry["html"]).is_file() and entry["html"] == "wijkkracht/html/index.html"
    assert (built / entry["pdf"]).is_file() and entry["pdf"] == "wijkkracht/jaarverslag-2022-wijkkracht.pdf"
    assert "data/2022/clienten.csv" in entry["inputs"]
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in entry["inputs"].values())
    assert "notebooks/clienten.ipynb" in entry["inputs"] and "_quarto.yml" in entry["inputs"]
    assert set(entry["chapters"]) >= {"clienten", "jongerenwerk", "mantelzorg", "wijkhuizen"}
    for chapter in entry["chapters"].values():
        assert chapter["seconds"] > 0 and (built / chapter["notebook"]).is_file()


@slow
def test_executed_notebooks_carry_the_injected_parameters(built, manifest):
    notebook = json.loads((built / manifest["editions"]["wijkkracht"]["chapters"]["clienten"]["notebook"])
                          .read_text(encoding="utf-8"))
    assert notebook["metadata"]["papermill"]["parameters"]["year"] == 2022


@slow
def test_the_pdf_holds_the_headline_figure(pdf_text):
    assert "6.421" in pdf_text


@slow
def test_the_html_has_an_index_and_one_page_per_chapter(html_pages):
    assert {"index.html", "clienten.html", "jongerenwerk.html", "mantelzorg.html",
            "wijkhuizen.html"} <= set(html_pages)
    index = html_pages["index.html"]
    assert index.html["lang"] == "nl"
    assert "Jaarverslag 2022" in index.get_text()
    linked = {a["href"].split("#")[0] for a in index.find_all("a", href=True)}
    assert {"clienten.html", "wijkhuizen.html"} <= linked


@slow
def test_every_image_has_alt_text(html_pages):
    images = [img for page in html_pages.values() for img in page.find_all("img")]
    assert images, "the report should have charts"
    assert all(img.get("alt", "").strip() for img in images)


@slow
def test_nothing_is_loaded_from_the_internet(html_pages, built):
    for name, page in html_pages.items():
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src")):
            for element in page.find_all(tag):
                assert not re.match(r"^(https?:)?//", element.get(attr, "")), (name, element)
        for style in page.find_all("style"):
            assert not re.search(r"(url\(|@import)\s*['\"]?(https?:)?//", style.get_text()), name
    for css in built.rglob("*.css"):
        assert not re.search(r"(url\(|@import)\s*['\"]?(https?:)?//", css.read_text()), css


@slow
def test_tables_are_real_tables_with_dutch_numbers(html_pages):
    tables = html_pages["clienten.html"].find_all("table")
    assert tables
    cells = [td.get_text(strip=True) for t in tables for td in t.find_all(["td", "th"])]
    assert "6.421" in cells and "12.064" in cells and "3.747" in cells


@slow
@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="pdffonts (poppler-utils) is not installed")
def test_every_font_in_the_pdf_is_embedded(built, manifest):
    listing = subprocess.run(["pdffonts", str(built / manifest["editions"]["wijkkracht"]["pdf"])],
                             capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert listing
    for line in listing:
        assert re.search(r"\s+yes\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", line), line


@slow
def test_manifest_and_colophon_say_where_the_report_came_from(built, manifest, html_pages, pdf_text):
    prov = manifest["editions"]["wijkkracht"]["provenance"]
    assert prov["year"] == 2022
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", prov["built_at"])
    assert re.fullmatch(r"([0-9a-f]{12}( \(gewijzigd\))?|onbekend \(geen git\))", prov["git_commit"])
    assert {"python", "pandas", "pandera", "papermill", "nbconvert", "weasyprint", "jaarverslag"} <= set(
        prov["versions"])
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", prov["data_hash"])
    colophon = " ".join(page.get_text(" ") for page in html_pages.values())
    flat_pdf = " ".join(pdf_text.split())
    for shown in (prov["data_hash"], prov["git_commit"], prov["versions"]["python"], "Gegevensjaar"):
        assert shown in colophon
        assert shown in flat_pdf or shown.replace(" ", "") in flat_pdf.replace(" ", "")


@slow
def test_the_manifest_says_which_renderer_made_the_edition_and_how(manifest):
    entry = manifest["editions"]["wijkkracht"]
    assert entry["renderer"] == "embedded" and entry["pdf_route"] == "weasyprint"
    versions = entry["provenance"]["versions"]
    assert entry["renderer_version"] == f"jaarverslag {versions['jaarverslag']}, WeasyPrint {versions['weasyprint']}"


@slow
def test_html_only_publishes_the_book_without_a_pdf_until_a_full_build(tmp_path, data_copy):
    book = make_book(tmp_path / "book", {"clienten": GOOD_CHAPTER})
    out = tmp_path / "out"
    build = ["build", "--year", "2022", "--data-dir", str(data_copy), "--book", str(book), "--out", str(out)]
    edition = out / "2022" / "wijkkracht"

    def published() -> tuple[dict, set[str], str]:
        entry = json.loads((out / "2022" / "manifest.json").read_text(encoding="utf-8"))["editions"]["wijkkracht"]
        pages = "".join(p.read_text(encoding="utf-8") for p in (edition / "html").glob("*.html"))
        return entry, {p.name for p in edition.iterdir()}, pages

    assert main([*build, "--html-only"]) == 0
    entry, files, pages = published()
    assert entry["pdf"] is None and entry["pdf_route"] is None and "WeasyPrint" not in entry["renderer_version"]
    assert files == {"html", "notebooks"} and ".pdf" not in pages and "Download als PDF" not in pages
    workbook = sorted(p.name for p in (edition / "html" / "cijfers").glob("*.xlsx"))
    assert workbook == ["jaarverslag-2022-wijkkracht-cijfers.xlsx"]  # named as with a PDF

    assert main([*build, "--html-only"]) == 0
    assert published()[0]["up_to_date"] is True

    assert main(build) == 0  # a PDF asked for now: rendered, though no chapter changed
    entry, files, pages = published()
    assert entry["up_to_date"] is False and entry["pdf"] == "wijkkracht/jaarverslag-2022-wijkkracht.pdf"
    assert entry["pdf_route"] == "weasyprint" and "jaarverslag-2022-wijkkracht.pdf" in files
    assert 'href="../jaarverslag-2022-wijkkracht.pdf">Download als PDF' in pages
    assert all(c["cached"] for c in entry["chapters"].values())


# ---- the output layout is named in one place ------------------------------------

PACKAGE = Path(jaarverslag.__file__).parent
# Names of the output layout, and of the project's folders when joined into a path by hand.
LAYOUT = {paths.CACHE, paths.RUN, paths.LOCK, paths.MANIFEST, paths.FAILED, paths.OLD_SUFFIX}
JOINED = {paths.TEXTS, paths.HTML, paths.EXECUTED, paths.QUARTO, paths.DATA, paths.NOTEBOOKS, paths.BUILD,
          paths.BOOK, "docs"}
# look.py's own screenshots (build/look/html/), and the package's Quarto templates
# (render/templates/quarto/): folders of their own, not of the build.
ALLOWED = {("look.py", "html"), ("render/quarto.py", "quarto")}


def hand_built(source: str) -> list[tuple[int, str]]:
    """(line, name) of every layout name in `source` that is not asked from paths.py: a layout
    name as a string, a project or layout folder joined with `/` or given to `Path(...)`, the PDF's name."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and node.value in LAYOUT:
            found.append((node.lineno, node.value))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            found += [(node.lineno, side.value) for side in (node.left, node.right)
                      if isinstance(side, ast.Constant) and side.value in JOINED]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Path":
            found += [(node.lineno, arg.value) for arg in node.args
                      if isinstance(arg, ast.Constant) and arg.value in JOINED]
        elif isinstance(node, ast.JoinedStr):
            text = [part.value for part in node.values if isinstance(part, ast.Constant)]
            if text and str(text[0]).startswith("jaarverslag-") and str(text[-1]).endswith(".pdf"):
                found.append((node.lineno, "jaarverslag-<jaar>-<editie>.pdf"))
    return found


def test_the_layout_check_finds_a_name_built_by_hand():
    sample = ('lock = year / ".build.lock"\nkept = year / "_mislukt" / slug\npage = folder / "tekst" / name\n'
              'doc = Path("docs") / "data.md"\npdf = f"jaarverslag-{year}-{slug}.pdf"\n')
    assert sorted(hand_built(sample)) == [(1, ".build.lock"), (2, "_mislukt"), (3, "tekst"), (4, "docs"),
                                          (5, "jaarverslag-<jaar>-<editie>.pdf")]
    assert hand_built("lock = paths.lock_file(year)\nkind = 'tekst'\n") == []


def test_no_module_but_paths_builds_a_layout_path_by_hand():
    found = {}
    for module in sorted(PACKAGE.rglob("*.py")):
        if module == PACKAGE / "paths.py":
            continue
        rel = module.relative_to(PACKAGE).as_posix()
        names = [(line, name) for line, name in hand_built(module.read_text(encoding="utf-8"))
                 if (rel, name) not in ALLOWED]
        if names:
            found[rel] = names
    assert not found, f"name these through paths.py: {found}"
