"""The CLI end to end: build 2022 into a temporary folder and read what a reader gets."""

import json
import re
import shutil
import subprocess

import pytest

pytestmark = pytest.mark.slow


def test_manifest_names_the_outputs_inputs_and_chapter_times(built, manifest):
    entry = manifest["editions"]["wijkkracht"]
    assert (built / entry["html"]).is_file() and entry["html"].endswith("index.html")
    assert (built / entry["pdf"]).is_file() and entry["pdf"].endswith(".pdf")
    assert "data/2022/clienten.csv" in entry["inputs"]
    assert all(re.fullmatch(r"[0-9a-f]{64}", h) for h in entry["inputs"].values())
    assert "notebooks/clienten.ipynb" in entry["inputs"] and "_quarto.yml" in entry["inputs"]
    assert set(entry["chapters"]) >= {"clienten", "jongerenwerk", "mantelzorg", "wijkhuizen"}
    for chapter in entry["chapters"].values():
        assert chapter["seconds"] > 0 and (built / chapter["notebook"]).is_file()


def test_executed_notebooks_carry_the_injected_parameters(built, manifest):
    notebook = json.loads((built / manifest["editions"]["wijkkracht"]["chapters"]["clienten"]["notebook"])
                          .read_text(encoding="utf-8"))
    assert notebook["metadata"]["papermill"]["parameters"]["year"] == 2022


def test_the_pdf_holds_the_headline_figure(pdf_text):
    assert "6.421" in pdf_text


def test_the_html_has_an_index_and_one_page_per_chapter(html_pages):
    assert {"index.html", "clienten.html", "jongerenwerk.html", "mantelzorg.html",
            "wijkhuizen.html"} <= set(html_pages)
    index = html_pages["index.html"]
    assert index.html["lang"] == "nl"
    assert "Jaarverslag 2022" in index.get_text()
    linked = {a["href"].split("#")[0] for a in index.find_all("a", href=True)}
    assert {"clienten.html", "wijkhuizen.html"} <= linked


def test_every_image_has_alt_text(html_pages):
    images = [img for page in html_pages.values() for img in page.find_all("img")]
    assert images, "the report should have charts"
    assert all(img.get("alt", "").strip() for img in images)


def test_nothing_is_loaded_from_the_internet(html_pages, built):
    for name, page in html_pages.items():
        for tag, attr in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src")):
            for element in page.find_all(tag):
                assert not re.match(r"^(https?:)?//", element.get(attr, "")), (name, element)
        for style in page.find_all("style"):
            assert not re.search(r"(url\(|@import)\s*['\"]?(https?:)?//", style.get_text()), name
    for css in built.rglob("*.css"):
        assert not re.search(r"(url\(|@import)\s*['\"]?(https?:)?//", css.read_text()), css


def test_tables_are_real_tables_with_dutch_numbers(html_pages):
    tables = html_pages["clienten.html"].find_all("table")
    assert tables
    cells = [td.get_text(strip=True) for t in tables for td in t.find_all(["td", "th"])]
    assert "6.421" in cells and "12.064" in cells and "3.747" in cells


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="pdffonts (poppler-utils) is not installed")
def test_every_font_in_the_pdf_is_embedded(built, manifest):
    listing = subprocess.run(["pdffonts", str(built / manifest["editions"]["wijkkracht"]["pdf"])],
                             capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert listing
    for line in listing:
        assert re.search(r"\s+yes\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", line), line


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
