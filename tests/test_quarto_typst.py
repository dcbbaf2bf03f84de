"""The Quarto route's Typst template, compiled without Quarto.

Quarto (1.9 and later) fills its pandoc template with our partials
(render/templates/quarto/_extensions/jaarverslag/) and the book's metadata, then
puts the chapters after them, one document for the whole book. Here `fill` does
the pandoc part for the few template constructs the partials use, the body is
what Quarto's Typst writer makes of a book with two chapters (headings with
labels, a table and a chart as Quarto floats), and the `typst` package from PyPI
compiles it: the PDF must look like the embedded one (cover, contents, running
header, page numbers, colofon, A4, Source Sans 3).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import RENDER_PROJECT, render_meta

from jaarverslag.book import read_book
from jaarverslag.render.quarto import TYPST_FORMAT, stage_quarto

typst = pytest.importorskip("typst")
pytestmark = pytest.mark.skipif(shutil.which("pdffonts") is None or shutil.which("pdftotext") is None,
                                reason="poppler-utils (pdffonts, pdftotext) ontbreekt")

FIXTURE = RENDER_PROJECT
META = render_meta({"Gegevensjaar": "2022", "Versie (git)": "abc1234 (gewijzigd)", "Python": "3.11.7"})

# What Quarto's Typst writer makes of two chapters: the second is long enough for a second page.
BODY = """
= Over dit jaarverslag <over-dit-jaarverslag>
Wijkkracht is er voor inwoners die even een steuntje in de rug kunnen gebruiken.

== Hoe dit verslag is opgebouwd <hoe-dit-verslag-is-opgebouwd>
Het verslag opent met het voorwoord.

= Cliënten <clienten>
In 2022 hielpen wij #strong[6.421] cliënten.

== Per wijk <per-wijk>
#figure([
#table(
  columns: 3,
  align: (left,right,right,),
  table.header([Wijk], [2021], [2022],),
  table.hline(),
  [Noord], [1.234], [1.300],
  [Zuid], [987], [1.021],
)
], caption: figure.caption(position: top, [Cliënten per wijk]), kind: "quarto-float-tbl", supplement: "Tabel")

#figure([
#box(image("grafiek.svg", alt: "Staafdiagram van het aantal cliënten per jaar"))
], caption: figure.caption(position: bottom, [Cliënten per jaar]), kind: "quarto-float-fig", supplement: "Figuur")

== Toelichting <toelichting>
""" + "Een ontbrekend gegeven tellen wij nooit als nul; er staat dan onbekend. " * 60 + "\n"

CHART = ('<svg xmlns="http://www.w3.org/2000/svg" width="600" height="300" viewBox="0 0 600 300">'
         '<rect x="40" y="60" width="120" height="240" fill="#0072B2"/>'
         '<rect x="200" y="30" width="120" height="270" fill="#E69F00"/></svg>')


def fill(template: str, meta: dict[str, Any]) -> str:
    """Pandoc's template language, as far as the partials use it: $x$ and $x.y$, $if(x)$…$endif$,
    $for(x)$…$it$…$endfor$."""
    def get(path: str, scope: dict[str, Any]) -> Any:
        value: Any = scope
        for part in path.split("."):
            if not isinstance(value, dict) or part not in value:
                return None
            value = value[part]
        return value

    def render(text: str, scope: dict[str, Any]) -> str:
        text = re.sub(r"\$for\(([\w.-]+)\)\$\n?(.*?)\$endfor\$\n?",
                      lambda m: "".join(render(m.group(2), {**scope, "it": it}) for it in get(m.group(1), scope) or []),
                      text, flags=re.S)
        text = re.sub(r"\$if\(([\w.-]+)\)\$\n?(.*?)\$endif\$\n?",
                      lambda m: render(m.group(2), scope) if get(m.group(1), scope) else "", text, flags=re.S)
        return re.sub(r"\$([\w.-]+)\$", lambda m: str(get(m.group(1), scope)), text)

    return render(template, meta)


def pdftotext(pdf: Path, page: int) -> str:
    return subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Path:
    """The staged project's Typst partials, filled with its _quarto.yml, around BODY, compiled."""
    book = read_book(FIXTURE / "_quarto.yml")
    stage = stage_quarto(book, [FIXTURE / c for c in book.notebooks], tmp_path_factory.mktemp("typst"), meta=META)
    config = yaml.safe_load((stage / "_quarto.yml").read_text(encoding="utf-8"))
    metadata = {**config["format"][TYPST_FORMAT], "title": config["book"]["title"],
                "subtitle": config["book"]["subtitle"], "lang": config["lang"]}
    partials = stage / "_extensions" / "jaarverslag"
    (stage / "grafiek.svg").write_text(CHART, encoding="utf-8")
    source = stage / "jaarverslag.typ"
    source.write_text("\n".join([
        (partials / "typst-template.typ").read_text(encoding="utf-8"),
        f'#set page(paper: "{metadata["papersize"]}")',  # Quarto's page.typ
        fill((partials / "typst-show.typ").read_text(encoding="utf-8"), metadata),
        BODY,
    ]), encoding="utf-8")
    out = stage / "jaarverslag.pdf"
    out.write_bytes(typst.compile(str(source), font_paths=[str(stage / p) for p in metadata["font-paths"]]))
    return out


def test_every_font_is_the_embedded_house_font(pdf):
    rows = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert rows
    for row in rows:
        name, emb = row.split()[0], row.split()[-5]
        assert "SourceSans3" in name and emb == "yes", row


def test_pages_cover_contents_chapters_and_colofon(pdf):
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages == 6  # cover, contents, a chapter, a chapter over two pages, colofon
    assert "(A4)" in info
    cover = pdftotext(pdf, 1)
    assert "WIJKKRACHT" in cover and "Jaarverslag 2022" in cover and "sociaal werk in Twente" in cover
    assert "pagina" not in cover  # no header or footer on the cover
    contents = pdftotext(pdf, 2)
    assert "Inhoud" in contents
    assert re.search(r"Cliënten[ .]+\S*4", contents) and re.search(r"Colofon[ .]+\S*6", contents)
    assert "pagina 2 van 6" in contents
    second = pdftotext(pdf, 5)
    assert second.lstrip().startswith("Cliënten")  # the running header on a chapter's next page
    assert "Jaarverslag 2022" in second and "pagina 5 van 6" in second
    colofon = pdftotext(pdf, 6)
    assert "Colofon" in colofon and "Uitgave van Wijkkracht" in colofon
    assert re.search(r"Versie \(git\)\s+abc1234 \(gewijzigd\)", colofon)
    assert "Lettertype: Source Sans 3" in colofon
