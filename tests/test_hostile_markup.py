"""Text from the data and the prose pages never runs in a reader's browser.

Data is escaped where it meets markup (tables, captions, alt text, Markdown
sentences); a website from the data links only as an http(s) address or a bare
domain; prose and every chapter body are cleaned by nh3 with an allow-list. Every
published page is parsed and checked: no event handler, no javascript: address,
no script, frame or plug-in. A failing Quarto is one Dutch sentence without colours.
"""

from __future__ import annotations

import os
import shutil
import stat
import textwrap
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from conftest import edit
from hostile import REPO, assert_refused, state
from IPython.core.formatters import DisplayFormatter

from jaarverslag import Edition, markup
from jaarverslag.chapters import jeugd, tot_slot, wijkhuizen
from jaarverslag.chapters.toolkit import prose
from jaarverslag.chapters.toolkit.charts import bars
from jaarverslag.chapters.toolkit.tables import GroupedTable, Ranked, Table
from jaarverslag.render.html import notebook_body

IMG = "<img src=x onerror=alert(1)>"
LINK = "[klik](javascript:alert(1))"
HOSTILE_DATA = [IMG, LINK, '"><svg onload=alert(1)>', "<script>alert(1)</script>", "a & b < c > d",
                "*vet* _schuin_ `code` $x$ @noot {.klasse} ~sub~ ^sup^ #kop | pijp \\ slash"]

# A prose page that tries everything a Markdown file can carry.
HOSTILE_PROSE = textwrap.dedent("""\
    Een gewone alinea met **vet** en een [goede link](https://www.example.org/).

    <script>alert("voorwoord")</script>

    <p onclick="alert(2)">Klik op deze alinea.</p>

    Een <a href="javascript:alert(3)">javascript-link</a> en een [Markdown-link](javascript:alert(4)).

    <img src=x onerror=alert(5)> <iframe src="https://example.org"></iframe>
    <a href=" JaVa&#x09;Script:alert(6)">verstopt</a> <object data="x.swf"></object> <embed src="x.swf">
    <svg onload=alert(7)><circle r="1"/></svg> <details open ontoggle=alert(8)>open</details>
    <form action="javascript:alert(9)"><input onfocus=alert(10) autofocus></form>

    [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxMSk8L3NjcmlwdD4=) [vb](vbscript:msgbox)
    """)

DANGEROUS_TAGS = ("script", "iframe", "object", "embed", "frame", "frameset", "applet", "base", "form")


def unsafe_markup(soup: BeautifulSoup) -> list[str]:
    """What in a page could run code: event handlers, javascript:/vbscript: addresses, data: other
    than an image, and elements that run or load code."""
    found = [f"<{el.name}>" for el in soup.find_all(DANGEROUS_TAGS)]
    for el in soup.find_all(True):
        for name, value in el.attrs.items():
            value = " ".join(value) if isinstance(value, list) else str(value)
            if name.lower().startswith("on"):
                found.append(f"<{el.name} {name}>")
            if name.lower() in ("href", "src", "action", "formaction", "data", "xlink:href", "srcdoc"):
                compact = "".join(ch for ch in value if ch > " ").lower()
                if compact.startswith(("javascript:", "vbscript:")):
                    found.append(f"<{el.name} {name}={value[:40]}>")
                if compact.startswith("data:") and not (el.name == "img" and name == "src"
                                                        and compact.startswith("data:image/")):
                    found.append(f"<{el.name} {name}={value[:40]}>")
    return found


def html_of(markdown_source: str) -> BeautifulSoup:
    return BeautifulSoup(markup.markdown_html(markdown_source), "html.parser")


# ---- escaping data where it meets markup ---------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE_DATA)
def test_data_in_a_markdown_sentence_is_shown_as_written(value):
    soup = html_of(f"De school {markup.md_text(value)} doet mee.")
    assert soup.get_text().strip() == f"De school {value} doet mee."
    assert [el.name for el in soup.find_all(True)] == ["p"]


@pytest.mark.parametrize("value", HOSTILE_DATA)
def test_data_in_a_table_is_text(value):
    frame = pd.DataFrame({"Gemeente": [value], "Top 3": [Ranked((value, "b"), label=value)], "Aantal": [3]})
    table = Table(frame, caption=value, notes=[value])
    soup = BeautifulSoup(markup.clean_body(table._repr_html_()), "html.parser")
    assert unsafe_markup(soup) == []
    assert soup.caption.get_text() == value
    assert soup.find("th", scope="row").get_text() == value
    assert soup.find("div", class_="jv-table-wrap")["aria-label"] == value
    assert soup.find("p", class_="jv-note").get_text() == value
    assert soup.find("ol").li.get_text() == value


def test_grouped_table_headers_are_text():
    frame = pd.DataFrame({"Gemeente": [IMG], "Groep": [LINK], "Activiteit": [IMG], "Deelnemers": [3]})
    table = GroupedTable(frame, groups=["Gemeente", "Groep"], caption=IMG, notes=[LINK])
    soup = BeautifulSoup(table._repr_html_(), "html.parser")
    assert unsafe_markup(soup) == []
    assert [th.get_text() for th in soup.find_all("th", scope="rowgroup")] == [IMG, LINK]


def test_chart_labels_alt_text_and_caption_are_text():
    chart = bars(pd.Series([3, 5], index=[IMG, "$x^{ y $"]), caption=IMG, subject=LINK, xlabel="$")
    data, metadata = DisplayFormatter().format(chart)
    output = nbformat.v4.new_output("display_data", data=data, metadata=metadata)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(outputs=[output])])
    soup = BeautifulSoup(notebook_body(nb, "hostile"), "html.parser")  # as the embedded renderer shows it
    assert unsafe_markup(soup) == []
    assert soup.figcaption.get_text() == IMG
    assert IMG in soup.img["alt"] and LINK in soup.img["alt"]
    assert soup.img["src"].startswith("data:image/svg+xml;base64,")


def test_a_school_name_in_the_sentence_is_text(monkeypatch):
    hostile = pd.DataFrame({"school": [IMG], "locaties": [2], "gemeenten": [[LINK, "Losser"]]})
    monkeypatch.setattr(jeugd, "scholen", lambda ed: hostile)
    soup = html_of(jeugd.scholen_tekst(Edition(2022)).data)
    assert unsafe_markup(soup) == [] and not soup.find(["img", "a"])
    assert soup.get_text().strip() == f"We zijn aanwezig op twee locaties van het {IMG}, verdeeld over twee " \
        f"gemeenten ({LINK} en Losser)."


def test_the_assignment_in_the_wijkhuizen_sentence_is_text(monkeypatch):
    opdracht = pd.DataFrame({"jaar": [2022], "gemeente": ["Hengelo"], "opdracht": [f"{IMG} {LINK}"],
                             "dagen_per_week": [5]})
    monkeypatch.setattr(wijkhuizen, "_letter", lambda ed, dataset: opdracht)
    soup = html_of(wijkhuizen.opdracht_tekst(Edition(2022, "Hengelo")).data)
    assert unsafe_markup(soup) == [] and not soup.find(["img", "a"])
    assert soup.em.get_text() == f"{IMG} {LINK}"


# ---- links from data -------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "href"), [
    ("www.wijkracht.nl", "http://www.wijkracht.nl"),
    ("wijkracht-borne.nl", "http://wijkracht-borne.nl"),
    ("https://www.wijkracht.nl/hengelo?pagina=2#contact", "https://www.wijkracht.nl/hengelo?pagina=2#contact"),
    ("HTTP://WWW.WIJKRACHT.NL", "HTTP://WWW.WIJKRACHT.NL"),
    ("wijkracht.nl/borne", "http://wijkracht.nl/borne"),
])
def test_a_website_links_as_an_http_address_or_bare_domain(value, href):
    assert markup.web_href(value) == href


@pytest.mark.parametrize("value", [
    "javascript:alert(1)", "JavaScript:alert(1)", "java\tscript:alert(1)", "vbscript:msgbox", "data:text/html,x",
    "ftp://www.wijkracht.nl", "mailto:info@wijkracht.nl", "//www.wijkracht.nl", "www.wijkracht.nl/\"onclick=x",
    "http://www.wijkracht.nl/a b", "http://www.wijkracht.nl/(x)", "http://x.nl/<script>", "wijkracht", "",
    "http://user:pw@x.nl", LINK, IMG, "-x.nl", "www.wijkracht.nl)",
])
def test_anything_else_is_no_website(value):
    assert markup.web_href(value) is None


def test_a_website_that_is_no_address_is_refused_naming_file_and_value(monkeypatch):
    # The data schema refuses it first; the chapter makes no link of it either way.
    monkeypatch.setattr(tot_slot, "websites", lambda ed: pd.DataFrame({"website": ["javascript:alert(1)"]}))
    with pytest.raises(markup.LinkError, match=r"websites\.csv: website 'javascript:alert\(1\)' is geen webadres"):
        tot_slot.websites_lijst(Edition(2022))


def test_every_website_the_data_schema_accepts_makes_a_link():
    from jaarverslag.data.contract import by_name
    from jaarverslag.data.schema import coerce

    values = ["www.wijkracht.nl", "wijkracht.nl/borne", "https://wijkracht.nl:8080/a-b_c/~d%20?x=1&y=2#z"]
    frame, problems = coerce(by_name("websites"), pd.DataFrame({"website": values, "gemeente": ""}), "websites.csv")
    assert problems == []
    assert [markup.web_href(v) is not None for v in frame["website"]] == [True] * len(values)


def test_the_websites_list_is_as_published():
    assert tot_slot.websites_lijst(Edition(2022)).data.splitlines()[0] == (
        "- [www.wijkracht.nl](http://www.wijkracht.nl)")


def test_a_build_with_a_javascript_website_is_refused(hostile):
    edit(hostile.data / "websites.csv", "www.wijkrachtborne.nl", "javascript:alert(1)")
    before = state(hostile)
    result = hostile.run("build", "--year", "2022")
    assert_refused(hostile, result, "websites.csv", before=before)
    assert "javascript:alert(1)" in result.err


# ---- sanitising: prose pages and chapter bodies --------------------------------------------------


def test_a_prose_page_keeps_its_markdown_and_loses_the_rest(data_copy):
    (data_copy / "2022" / "tekst" / "voorwoord.md").write_text(HOSTILE_PROSE, encoding="utf-8")
    page = prose.text(Edition(2022, data_dir=data_copy), "voorwoord")
    soup = BeautifulSoup(page._repr_html_(), "html.parser")
    assert unsafe_markup(soup) == []
    assert not soup.find(["img", "svg", "details", "input", "p"], attrs={"onclick": True})
    assert soup.strong.get_text() == "vet"
    assert soup.find("a", href="https://www.example.org/").get_text() == "goede link"
    assert "Klik op deze alinea." in soup.get_text()
    assert 'alert("voorwoord")' not in soup.get_text()  # a script goes with its content
    assert page._repr_markdown_() is None  # Quarto gets the cleaned HTML, not the raw page


def test_a_plain_prose_page_is_its_markdown():
    page = prose.text(Edition(2022), "voorwoord")
    assert page._repr_markdown_() == prose.read(Edition(2022), "voorwoord")
    assert BeautifulSoup(page._repr_html_(), "html.parser").blockquote.strong


@pytest.mark.parametrize(("dirty", "clean"), [
    ('<p onclick="x()">p</p>', "<p>p</p>"),
    ('<a href="javascript:alert(1)">a</a>', "<a>a</a>"),
    ('<a href="java&#x09;script:alert(1)">a</a>', "<a>a</a>"),
    ('<a href="data:text/html,x">a</a>', "<a>a</a>"),
    ('<img src="data:text/html,x" alt="a">', '<img alt="a">'),
    ('<img src="data:image/png;base64,iVBO" alt="a">', '<img src="data:image/png;base64,iVBO" alt="a">'),
    ("<script>alert(1)</script>x", "x"),
    ('<iframe src="https://x.nl">f</iframe>x', "x"),
    ('<svg onload="alert(1)"><circle/></svg>x', "x"),
    ('<div style="position:fixed;margin-bottom:1em">x</div>', '<div style="margin-bottom:1em">x</div>'),
    ('<a href="clienten.html#aantal" class="jv-url">c</a>', '<a href="clienten.html#aantal" class="jv-url">c</a>'),
])
def test_clean_body(dirty, clean):
    assert markup.clean_body(dirty) == clean


def test_clean_prose_allows_less_than_a_chapter_body():
    assert markup.clean_prose('<div role="region" tabindex="0" style="margin-bottom:1em">x</div>') == "<div>x</div>"
    assert markup.clean_prose("<figure><figcaption>f</figcaption></figure>") == "f"


def test_our_own_tables_pass_the_body_cleaner_unchanged():
    frame = pd.DataFrame({"Gemeente": ["Borne", "Totaal"], "Aantal": [3, 4]})
    html = Table(frame, caption="Cliënten", total=True, notes=["Een noot."])._repr_html_()
    parsed = str(BeautifulSoup(html, "html.parser"))
    assert str(BeautifulSoup(markup.clean_body(html), "html.parser")) == parsed


def test_hidden_counts_and_the_rule_of_an_edition_pass_the_body_cleaner(monkeypatch):
    from jaarverslag.chapters.toolkit import sections
    from jaarverslag.chapters.toolkit.suppress import Suppressed
    from jaarverslag.chapters.toolkit.tables import cell_html

    for value in (Suppressed(5), Suppressed(5, primary=False)):
        assert markup.clean_body(cell_html(value)) == cell_html(value)
    shown = []
    monkeypatch.setattr(sections, "display", lambda obj, **kw: shown.append(obj))
    sections.chapter(Edition(2022, "Hengelo", suppress_below=5))._ipython_display_()
    (note,) = shown
    assert markup.clean_body(note.data) == note.data.replace("margin-bottom: 1.5em", "margin-bottom:1.5em")


# ---- every published page, hostile and real ---------------------------------------------------------


def _pages(folder: Path) -> dict[str, BeautifulSoup]:
    return {str(p.relative_to(folder)): BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser")
            for p in sorted(folder.rglob("*.html"))}


def test_hostile_data_and_prose_never_reach_a_page_as_markup(hostile):
    # Hostile text in a data column the clienten chapter shows, and a hostile voorwoord and index.
    edit(hostile.data / "bron_aanmelding.csv", "Borne,1,Eigen initiatief", f"Borne,1,{IMG}")
    edit(hostile.data / "bron_aanmelding.csv", "Borne,2,Gemeente Borne", f"Borne,2,{LINK}")
    (hostile.data / "tekst" / "voorwoord.md").write_text(HOSTILE_PROSE, encoding="utf-8")
    with (hostile.root / "index.qmd").open("a", encoding="utf-8") as index:
        index.write('\n<a href="javascript:alert(12)">inleiding</a> <img src=x onerror=alert(13)>\n')
    shutil.copy(REPO / "notebooks" / "voorwoord.ipynb", hostile.root / "notebooks" / "voorwoord.ipynb")
    edit(hostile.root / "_quarto.yml", "    - notebooks/clienten.ipynb", "    - notebooks/voorwoord.ipynb\n"
         "    - notebooks/clienten.ipynb")

    result = hostile.run("build", "--year", "2022", fresh=True)  # what the user sees on stderr
    assert result.code == 0, result.said
    assert ("inleiding: weggelaten, want niet toegestaan in het verslag: href=javascript:, "
            "src=x (een bestand op schijf), onerror=") in result.err
    assert "Failed to load" not in result.err  # a relative image is never looked for on disk

    pages = _pages(hostile.build)
    assert "2022/wijkkracht/html/voorwoord.html" in pages
    for name, soup in pages.items():
        assert unsafe_markup(soup) == [], name
    clienten = pages["2022/wijkkracht/html/clienten.html"]
    shown = [li.get_text() for li in clienten.select("table li")]
    assert IMG in shown and LINK in shown  # data stays visible, as text
    voorwoord = pages["2022/wijkkracht/html/voorwoord.html"]
    assert "Klik op deze alinea." in voorwoord.get_text()
    assert voorwoord.find("a", href="https://www.example.org/")


def test_no_page_of_the_real_report_carries_code(html_pages):
    assert len(html_pages) >= 10
    for name, soup in html_pages.items():
        assert unsafe_markup(soup) == [], name


# ---- Quarto's errors are sentences ---------------------------------------------------------------------

FAKE_QUARTO = """#!/bin/sh
if [ "$1" = "--version" ]; then {version}; fi
printf '\\033[31mERROR:\\033[39m \\033[1mYAMLError: bad indentation of a mapping entry\\033[22m' >&2
printf ' (_quarto.yml, 12:3)\\n' >&2
printf '\\nStack trace:\\n    at renderProject (file:///quarto.js:1:2)\\n' >&2
exit 1
"""


def _fake_quarto(folder: Path, version: str = "echo 1.6.40; exit 0") -> dict:
    folder.mkdir()
    script = folder / "quarto"
    script.write_text(FAKE_QUARTO.format(version=version), encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return {"PATH": f"{folder}{os.pathsep}{os.environ.get('PATH', '')}"}


def test_a_failing_quarto_is_one_sentence_without_colours(hostile, tmp_path):
    env = _fake_quarto(tmp_path / "bin")
    before = state(hostile)
    result = hostile.run("build", "--year", "2022", "--renderer", "quarto", env=env)
    assert_refused(hostile, result, "Quarto kon het HTML-boek niet maken", before=before)
    assert "YAMLError: bad indentation of a mapping entry" in result.err
    assert "\x1b" not in result.said and "Stack trace" not in result.err
    assert len(result.err.strip().splitlines()) == 1, result.err

    debug = hostile.run("build", "--year", "2022", "--renderer", "quarto", "--debug", env=env)
    assert "Stack trace" in debug.err and "\x1b" not in debug.err  # --debug: Quarto's whole output


def test_a_quarto_that_does_not_run_is_one_sentence(hostile, tmp_path):
    env = _fake_quarto(tmp_path / "bin", version="echo 'kapot' >&2; exit 3")
    before = state(hostile)
    result = hostile.run("build", "--year", "2022", "--renderer", "quarto", env=env)
    assert_refused(hostile, result, "werkt niet", before=before)
    assert "kapot" in result.err and len(result.err.strip().splitlines()) == 1, result.err


def test_quarto_failed_is_a_render_error_with_the_whole_output_apart(tmp_path, monkeypatch):
    from jaarverslag.book import read_book
    from jaarverslag.render import RenderError, render_quarto
    from jaarverslag.render.quarto import QuartoFailed

    monkeypatch.setenv("PATH", _fake_quarto(tmp_path / "bin")["PATH"])
    project = Path(__file__).parent / "fixtures" / "render" / "project"
    book = read_book(project / "_quarto.yml")
    with pytest.raises(QuartoFailed) as caught:
        render_quarto(book, [project / c for c in book.notebooks], tmp_path / "out", meta={"title": "Proef"})
    err = caught.value
    assert isinstance(err, RenderError)
    assert str(err).startswith("Quarto kon het HTML-boek niet maken (afsluitcode 1): YAMLError: bad indentation")
    assert "\x1b" not in str(err) and "\n" not in str(err)
    assert "Stack trace:" in err.details and "\x1b" not in err.details
