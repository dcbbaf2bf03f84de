"""Editions per gemeente: only that gemeente's figures, no empty sections or chapters,
the Wijkhuysen letter in Hengelo's edition, and a gemeente without figures in a dataset."""

import hashlib
import json

import nbformat
import pytest
from bs4 import BeautifulSoup
from conftest import edit, text_of_pdf

from jaarverslag import Edition, section
from jaarverslag.chapters import clienten, dienstverlening, jeugd, jongerenwerk, mantelzorg, vrijwilligers, wijkhuizen
from jaarverslag.chapters.toolkit.sections import OMITTED_MIME, chapter
from jaarverslag.chapters.toolkit.tables import Table
from jaarverslag.data.read import gemeenten, validate_year
from jaarverslag.render.html import present_chapters

OTHERS_THAN_HENGELO = ("Borne", "Dinkelland", "Haaksbergen", "Oldenzaal")
CHAPTERS = (clienten, dienstverlening, jeugd, jongerenwerk, mantelzorg, vrijwilligers, wijkhuizen)


# ---- every edition, from the one build of the test run (conftest.built, slow) -------------

@pytest.fixture(scope="session")
def every_edition(built, manifest):
    return built, manifest["editions"]


def pages(year_out, entry) -> dict[str, BeautifulSoup]:
    folder = (year_out / entry["html"]).parent
    return {p.stem: BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser") for p in folder.glob("*.html")}


def pdf_text(year_out, entry) -> str:
    return text_of_pdf(year_out / entry["pdf"])


def row_headers(soup) -> list[str]:
    """What names a row or a group of rows in the tables: where a gemeente would show."""
    cells = soup.select("table tbody th")
    return [" ".join(th.get_text(" ", strip=True).split()) for th in cells]


@pytest.mark.slow
def test_every_gemeente_gets_its_own_edition(every_edition):
    year_out, built = every_edition
    assert set(built) == {"wijkkracht", "borne", "dinkelland", "haaksbergen", "hengelo", "oldenzaal"}
    manifest = json.loads((year_out / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["editions"]) == set(built)
    folders = {slug: entry["html"].split("/")[0] for slug, entry in manifest["editions"].items()}
    assert folders == {slug: slug for slug in built}  # each in its own folder
    pdfs = {slug: entry["pdf"] for slug, entry in manifest["editions"].items()}
    assert len(set(pdfs.values())) == 6
    for slug, pdf in pdfs.items():
        assert pdf == f"{slug}/jaarverslag-2022-{slug}.pdf" and (year_out / pdf).is_file()
        assert manifest["editions"][slug]["gemeente"] == (None if slug == "wijkkracht" else slug.capitalize())
    digests = {hashlib.sha256((year_out / pdf).read_bytes()).hexdigest() for pdf in pdfs.values()}
    assert len(digests) == 6  # none overwrote another


@pytest.mark.slow
def test_the_hengelo_edition_holds_hengelo_only(every_edition):
    year_out, built = every_edition
    html = pages(year_out, built["hengelo"])
    assert "3.747" in [td.get_text(strip=True) for td in html["clienten"].select("table td")]
    assert "6.421" not in html["clienten"].get_text()
    for name in ("clienten", "dienstverlening", "jeugd", "jongerenwerk", "mantelzorg", "vrijwilligers", "wijkhuizen"):
        headers = row_headers(html[name])
        assert headers, name
        for other in OTHERS_THAN_HENGELO:
            assert not any(other in h for h in headers), (name, other)
    cover = html["index"].select_one("h1").get_text(" ", strip=True)
    assert "Hengelo" in cover
    first_page = text_of_pdf(year_out / built["hengelo"]["pdf"], page=1)
    assert "Hengelo" in first_page


@pytest.mark.slow
def test_the_hengelo_edition_reports_on_the_letter(every_edition):
    year_out, built = every_edition
    page = pages(year_out, built["hengelo"])["wijkhuizen"].get_text(" ")
    text = " ".join(pdf_text(year_out, built["hengelo"]).split())
    for shown in ("€ 140.000", "€ 104.978", "€ 244.978", "dementerende ouderen", "LVB", "GGZ",
                  "14 september 2020", "19 april 2022", "Restant van de post innovatie en voorliggend",
                  "December circulaire middelen versterken wijkteams", "zeven dagen per week"):
        assert shown in " ".join(page.replace("\u00a0", " ").split()), shown
        assert shown in text.replace("\u00a0", " "), shown


@pytest.mark.slow
def test_the_whole_organisation_has_no_letter(every_edition):
    year_out, built = every_edition
    page = pages(year_out, built["wijkkracht"])["wijkhuizen"].get_text(" ")
    assert "140.000" not in page and "Voor wie" not in page and "Financiering" not in page


@pytest.mark.slow
def test_a_chapter_without_data_is_left_out(every_edition):
    year_out, built = every_edition
    html = pages(year_out, built["borne"])
    assert "mantelzorg" not in html and "wijkhuizen" not in html
    for page in html.values():
        linked = {a["href"].split("#")[0] for a in page.find_all("a", href=True)}
        assert "mantelzorg.html" not in linked and "wijkhuizen.html" not in linked
    text = pdf_text(year_out, built["borne"])
    assert "Mantelzorg" not in text and "Wijkhuizen Hengelo" not in text
    assert set(built["borne"]["chapters"]) >= {"mantelzorg", "wijkhuizen"}  # run, and left out on purpose
    oldenzaal = pages(year_out, built["oldenzaal"])
    assert not {"dienstverlening", "jongerenwerk", "mantelzorg", "vrijwilligers", "wijkhuizen"} & set(oldenzaal)


@pytest.mark.slow
@pytest.mark.parametrize("slug", ["borne", "dinkelland", "haaksbergen", "hengelo", "oldenzaal"])
def test_no_section_heading_without_something_under_it(every_edition, slug):
    year_out, built = every_edition
    for name, page in pages(year_out, built[slug]).items():
        if name in ("index", "voorwoord", "raad_van_toezicht", "tot_slot"):
            continue
        for h2 in page.select("article h2"):
            following = []
            for sibling in h2.find_all_next():
                if sibling.name == "h2":
                    break
                following.append(sibling)
            assert any(t.name in ("table", "figure") for t in following), (slug, name, h2.get_text())
    assert "Twents Carmel College" not in pages(year_out, built["borne"])["jeugd"].get_text()
    assert "Twents Carmel College" in pages(year_out, built["oldenzaal"])["jeugd"].get_text()


# ---- the chapters and helpers, fast ----------------------------------------------------

def test_chapters_know_when_they_have_nothing():
    assert not mantelzorg.has_data(Edition(2022, "Borne"))
    assert not wijkhuizen.has_data(Edition(2022, "Borne"))
    assert all(m.has_data(Edition(2022)) for m in CHAPTERS)
    assert all(m.has_data(Edition(2022, "Hengelo")) for m in CHAPTERS)


def test_totals_are_the_gemeentes_own():
    hengelo = Edition(2022, "Hengelo")
    assert clienten.kerncijfers(hengelo)["clienten"] == 3747
    assert clienten.totalen(hengelo).frame["Gemeente"].tolist() == ["Hengelo"]  # its row is its total
    assert clienten.leeftijd_tabel(hengelo).frame["Hengelo"].iloc[-1] == 3747
    assert clienten.per_gemeente_grafiek(hengelo) is None  # one bar says nothing the table doesn't
    assert dienstverlening.kerncijfers(Edition(2022, "Borne"))["buurtbemiddeling_meldingen"] == 12


def test_an_empty_section_shows_nothing_at_all():
    empty = section("Skillz jongerenwerk", "Het straatteam ...", jongerenwerk.skillz(Edition(2022, "Dinkelland")))
    assert empty.empty and repr(empty) == "(sectie zonder gegevens)"
    full = section("Skillz jongerenwerk", "Het straatteam ...", jongerenwerk.skillz(Edition(2022, "Borne")))
    assert not full.empty and full.markdown() == "## Skillz jongerenwerk\n\nHet straatteam ..."
    # A sentence about an empty table goes with it; a list of tables counts as its tables.
    assert section("X", None, "In 2022 ...", None, [Table(clienten.totalen(Edition(2022)).frame.iloc[0:0], "")]).empty


def notebook_with(outputs) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Mantelzorg"), nbformat.v4.new_code_cell("...")]
    nb.cells[1].outputs = [nbformat.from_dict(o) for o in outputs]
    return nb


def test_the_renderer_leaves_out_a_chapter_that_says_so(tmp_path):
    status = chapter(Edition(2022, "Borne"), mantelzorg.has_data(Edition(2022, "Borne")))
    assert status.omitted and status.reason == "geen gegevens voor Borne in 2022"
    marker = {"output_type": "display_data", "metadata": {},
              "data": {OMITTED_MIME: {"weggelaten": True, "reden": status.reason}, "text/plain": "..."}}
    shown = {"output_type": "display_data", "metadata": {}, "data": {"text/html": "<table></table>"}}
    leeg, vol = tmp_path / "mantelzorg.ipynb", tmp_path / "clienten.ipynb"
    nbformat.write(notebook_with([marker]), leeg)
    nbformat.write(notebook_with([shown]), vol)
    assert present_chapters([vol, leeg]) == [vol]


# ---- a gemeente of the year without figures in a dataset ---------------------------------

@pytest.fixture
def with_losser(data_copy):
    """Losser in gemeenten.csv and clienten.csv, and nowhere else."""
    folder = data_copy / "2022"
    edit(folder / "gemeenten.csv", "Oldenzaal\n", "Oldenzaal\nLosser\n")
    edit(folder / "clienten.csv", "Oldenzaal,333,228,2481,260,70\n",
         "Oldenzaal,333,228,2481,260,70\nLosser,120,80,400,60,15\n")
    return data_copy


def test_a_gemeente_with_no_age_rows_is_no_error(with_losser):
    assert validate_year(2022, with_losser) == []
    assert "Losser" in gemeenten(2022, with_losser)


def test_a_gemeente_without_figures_is_named_not_crashed_on(with_losser):
    ed = Edition(2022, data_dir=with_losser)
    totals = clienten.totalen(ed).frame.set_index("Gemeente")
    assert totals.loc["Losser", "Cliënten"] == 120 and totals.loc["Totaal", "Cliënten"] == 6541
    assert "Losser (120)" in clienten.per_gemeente_grafiek(ed).alt
    for table in (clienten.bron_aanmelding(ed), clienten.leefgebieden(ed), clienten.leeftijd_tabel(ed)):
        assert "Geen gegevens voor: Losser." in table.notes, table.caption
        assert "Losser" not in table.frame.iloc[:, 0].tolist() and "Losser" not in table.frame.columns
    assert "Losser" not in clienten.leeftijd_grafiek(ed).alt
    assert "Geen gegevens voor" not in " ".join(clienten.totalen(ed).notes)
    # Every chapter still runs, for the whole organisation and for Losser's own edition.
    losser = Edition(2022, "Losser", with_losser)
    for edition in (ed, losser):
        for module in CHAPTERS:
            for name in dir(module):
                function = getattr(module, name)
                if callable(function) and getattr(function, "__module__", "") == module.__name__ \
                        and not name.startswith("_") and _takes_only_an_edition(function):
                    function(edition)
    # Twents Carmel College has a location in Losser: its figures (for all locations) are in Losser's edition.
    assert [m.__name__.rsplit(".", 1)[-1] for m in CHAPTERS if m.has_data(losser)] == ["clienten", "jeugd"]
    assert clienten.leeftijd_tabel(losser).frame.empty and clienten.leeftijd_grafiek(losser) is None
    assert clienten.bron_aanmelding(losser).frame.empty  # in Losser's edition: left out, not noted


def _takes_only_an_edition(function) -> bool:
    import inspect

    try:
        parameters = list(inspect.signature(function).parameters.values())
    except (TypeError, ValueError):
        return False
    required = [p for p in parameters if p.default is inspect.Parameter.empty]
    return len(required) == 1 and required[0].name == "ed"
