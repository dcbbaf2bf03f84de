"""Backtest: the prose pages and the closing page match the published 2022 report."""

import re

import nbformat
import pytest
from IPython.display import Markdown

from jaarverslag import Edition
from jaarverslag.chapters import tot_slot
from jaarverslag.chapters.toolkit import prose
from jaarverslag.paths import NOTEBOOKS_DIR

ED = Edition(2022)


def test_voorwoord_keeps_the_quote_and_signature():
    text = prose.read(ED, "voorwoord")
    assert "> **Met elkaar én voor elkaar! Dat is de kracht van Wijkkracht.**" in text.splitlines()
    assert text.rstrip().endswith("**Cevdet Örnek**\\\ndirecteur-bestuurder")
    assert text.startswith("Het lijkt erop dat wij het ergste, wat Covid 19 betreft, in 2022")
    assert text.count("energiecises") == 2  # as published


def test_voorwoord_sections():
    headings = re.findall(r"^(#+) (.+)$", prose.read(ED, "voorwoord"), flags=re.M)
    assert headings == [
        ("##", "Nieuwe voorzieningen"),
        ("##", "Samenwerkingen"),
        ("##", "Effect oorlog Oekraïne en energiecises"),
        ("##", "Tevreden cliënten"),
        ("##", "Kwaliteitslabel Sterk Sociaal Werk"),
        ("##", "Nieuw Hengelose Model"),
    ]


def test_raad_van_toezicht_keeps_the_quote_and_signature():
    text = prose.read(ED, "raad_van_toezicht")
    quote = (
        "> ***We zijn ook verheugd dat Wijkkracht het Kwaliteitslabel Sociaal Werk Nederland "
        "heeft behaald***"
    )
    assert quote in text.splitlines()
    assert text.rstrip().endswith(
        "Namens de Raad van Toezicht,\\\nDrs. Anne C.G. Offereins, Voorzitter"
    )
    assert re.findall(r"^## (.+)$", text, flags=re.M) == ["Algemeen", "Tenslotte"]


@pytest.mark.parametrize("name", ["voorwoord", "raad_van_toezicht"])
def test_prose_has_no_chapter_title(name):
    assert not re.search(r"^# ", prose.read(ED, name), flags=re.M)


def test_prose_text_is_markdown():
    shown = prose.text(ED, "raad_van_toezicht")
    assert isinstance(shown, Markdown)
    assert shown.data == prose.read(ED, "raad_van_toezicht")


def test_a_draft_from_new_year_shows_as_a_draft_in_the_notebook(data_copy):
    page = data_copy / "2022" / "tekst" / "voorwoord.md"
    page.write_text("---\nconcept: true\n---\nSchrijf hier het voorwoord van 2022.\n", encoding="utf-8")
    shown = prose.text(Edition(2022, data_dir=data_copy), "voorwoord")
    assert shown.data.startswith("> **Concept.**") and "concept: true`" in shown.data
    assert shown.data.endswith("Schrijf hier het voorwoord van 2022.\n") and "\n---\n" not in shown.data
    assert "<blockquote>" in shown._repr_html_()


def test_missing_prose_names_the_file(tmp_path):
    (tmp_path / "2022").mkdir()
    with pytest.raises(prose.ProseError, match=r"2022/tekst/voorwoord\.md"):
        prose.text(Edition(2022, data_dir=tmp_path), "voorwoord")


def test_websites_as_published():
    assert list(tot_slot.websites(ED)["website"]) == [
        "www.wijkracht.nl",
        "www.wijkrachtborne.nl",
        "www.wijkrachtdinkelland.nl",
        "www.wijkrachthaaksbergen.nl",
        "www.wijkrachthengelo.nl",
        "www.wijkrachtoldenzaal.nl",
    ]
    links = tot_slot.websites_lijst(ED).data.splitlines()
    assert links[0] == "- [www.wijkracht.nl](http://www.wijkracht.nl)"
    assert len(links) == 6


def test_websites_of_a_gemeente_edition_keep_the_main_site():
    assert list(tot_slot.websites(Edition(2022, "Hengelo"))["website"]) == [
        "www.wijkracht.nl",
        "www.wijkrachthengelo.nl",
    ]


CHAPTERS = [
    "voorwoord",
    "raad_van_toezicht",
    "dienstverlening",
    "jeugd",
    "vrijwilligers",
    "tot_slot",
]


@pytest.mark.parametrize("name", CHAPTERS)
def test_notebook_is_thin_and_types_no_figure(name):
    nb = nbformat.read(NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    assert [c.metadata.get("tags") for c in nb.cells].count(["parameters"]) == 1
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None
        if "parameters" not in cell.metadata.get("tags", []):
            assert not re.search(r"\d", cell.source), cell.source
