"""A corpus of bad inputs: each is refused with its own message, and nothing is published.

A small good report is built first; every bad input then tries to replace it.
"""

import shutil

import pytest
from conftest import GOOD_CHAPTER, edit, make_book, snapshot

from jaarverslag.build import build_report
from jaarverslag.data.read import DataError
from jaarverslag.errors import JaarverslagError
from jaarverslag.paths import DATA_DIR


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A good report in out/, and the book that made it."""
    root = tmp_path_factory.mktemp("published")
    book = make_book(root / "book", {"een": GOOD_CHAPTER})
    build_report(2022, out_root=root / "out", book_file=book)
    return root / "out", book


def csv(name):
    return f"2022/{name}.csv"


def remove(path):
    path.unlink()


def write(content):
    return lambda path: path.write_text(content, encoding="utf-8")


def replace(old, new):
    return lambda path: edit(path, old, new)


CASES = {
    "missing file": ("skillz", remove, "skillz.csv: bestand ontbreekt"),
    "missing column": ("skillz", replace(",korte_contacten", ""),
                       "skillz.csv, regel 1, kolom 'korte_contacten': kolom ontbreekt"),
    "unknown column": ("skillz", replace("korte_contacten", "korte_contacten,opmerking"),
                       "kolom 'opmerking': onbekende kolom"),
    "text in a count": ("skillz", replace("Borne,78,590", "Borne,78,veel"),
                        "skillz.csv, regel 2, kolom 'jongeren_gesproken', waarde 'veel': moet een geheel getal zijn"),
    "a decimal in a count": ("skillz", replace("Borne,78,590", 'Borne,78,"59,5"'),
                             "regel 2, kolom 'jongeren_gesproken', waarde '59,5': moet een geheel getal zijn"),
    "negative count": ("skillz", replace("Hengelo,108,1658,121", "Hengelo,108,1658,-121"),
                       "skillz.csv, regel 4, kolom 'korte_contacten', waarde '-121': moet 0 of meer zijn"),
    "empty required cell": ("skillz", replace("Borne,78,", "Borne,,"),
                            "skillz.csv, regel 2, kolom 'rondes': mag niet leeg zijn"),
    "duplicate gemeente row": ("skillz", replace("Hengelo,108", "Borne,108"),
                               "skillz.csv, regel 4, kolom 'gemeente', waarde 'Borne': komt dubbel voor"),
    "unknown gemeente": ("skillz", replace("Haaksbergen,41", "Losser,41"),
                         "skillz.csv, regel 3, kolom 'gemeente', waarde 'Losser': is geen gemeente van dit jaar"),
    "new clients above clients": ("clienten", replace("Dinkelland,243,137", "Dinkelland,243,337"),
                                  "clienten.csv, regel 3, kolom 'nieuwe_clienten', waarde '337': "
                                  "mag niet groter zijn dan 'clienten'"),
    "age groups that don't add up": ("leeftijd", replace("Borne,70+,273", "Borne,70+,274"),
                                     "clienten.csv, regel 2, kolom 'clienten', waarde '718': de clienten in "
                                     "data/2022/leeftijd.csv voor Borne tellen op tot 719, niet tot 718"),
    "wijkhuis activities that don't add up": (
        "wijkhuis_activiteiten", replace("Hasselo,Hasselerzon,wekelijks,,40", "Hasselo,Hasselerzon,wekelijks,,41"),
        "wijkhuizen.csv, regel 2, kolom 'deelnemers_totaal', waarde '491': de deelnemers in "
        "data/2022/wijkhuis_activiteiten.csv voor Hasselo tellen op tot 492, niet tot 491"),
    "duplicate ranks": ("bron_aanmelding", replace("Borne,2,Gemeente Borne", "Borne,1,Gemeente Borne"),
                        "bron_aanmelding.csv, regel 3, kolom 'rang', waarde '1': de rangen per gemeente moeten "
                        "1, 2, ... N lopen"),
    "a gap in the ranks": ("bron_aanmelding", replace("Borne,3,Eigen netwerk", "Borne,4,Eigen netwerk"),
                           "bron_aanmelding.csv, regel 4, kolom 'rang', waarde '4': de rangen per gemeente"),
    "unknown age group": ("leeftijd", replace("Borne,70+", "Borne,70-79 jaar"),
                          "leeftijd.csv, regel 8, kolom 'leeftijdsgroep', waarde '70-79 jaar': moet een van"),
    "unknown frequency word": ("wijkhuis_activiteiten", replace("Hasselo,Gym,wekelijks", "Hasselo,Gym,soms"),
                               "kolom 'frequentie', waarde 'soms': onbekende frequentie"),
    "frequency and meeting count both given": (
        "wijkhuis_activiteiten", replace("Hasselo,Gym,wekelijks,,14", "Hasselo,Gym,wekelijks,12,14"),
        "kolom 'frequentie', waarde 'wekelijks': vul óf 'frequentie' óf 'bijeenkomsten' in"),
    "activity of an unknown wijkhuis": (
        "wijkhuis_activiteiten", replace("Weidedorp,Wandelgroep", "Woolde,Wandelgroep"),
        "kolom 'wijkhuis', waarde 'Woolde': komt niet voor in wijkhuizen"),
    "wrong encoding": ("mantelzorg_van", lambda p: p.write_bytes("gemeente,rang,relatie\nHengelo,1,Cliënt\n"
                                                                 .encode("latin-1")),
                       "mantelzorg_van.csv, regel 2, waarde 'Hengelo,1,Cli\ufffdnt': is geen UTF-8"),
    "empty file": ("mantelzorg_zwaarte", write(""), "mantelzorg_zwaarte.csv: het bestand is leeg"),
    "a status that is not allowed": ("wijkhuizen", replace("geopend", "open"),
                                 "wijkhuizen.csv, regel 2, kolom 'opening_status', waarde 'open': moet een van"),
    "a top list where nothing is registered": (
        "oco_beperking", lambda p: p.write_text(p.read_text(encoding="utf-8") + "Hengelo,1,ASS\n", encoding="utf-8"),
        "oco_beperking.csv, regel 8, kolom 'gemeente', waarde 'Hengelo': staat in oco met "
        "beperking_geregistreerd = nee"),
    "a date that is no date": ("wijkhuizen", replace("2021-09-01", "1 september 2021"),
                               "kolom 'opening', waarde '1 september 2021': moet een datum zijn"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_refused_by_name_and_nothing_is_published(case, published, tmp_path):
    out, book = published
    before = snapshot(out)
    shutil.copytree(DATA_DIR / "2022", tmp_path / "2022")
    name, breaks, message = CASES[case]
    breaks(tmp_path / csv(name))
    with pytest.raises(DataError) as err:
        build_report(2022, out_root=out, book_file=book, data_dir=tmp_path)
    text = str(err.value).replace(str(tmp_path), "data")
    assert message in text
    assert snapshot(out) == before


def test_a_missing_prose_page_is_named(published, tmp_path):
    out, book = published
    before = snapshot(out)
    shutil.copytree(DATA_DIR / "2022", tmp_path / "2022")
    (tmp_path / "2022" / "tekst" / "voorwoord.md").write_text("\n", encoding="utf-8")
    with pytest.raises(DataError, match="tekst/voorwoord.md: tekst ontbreekt of is leeg"):
        build_report(2022, out_root=out, book_file=book, data_dir=tmp_path)
    assert snapshot(out) == before


def test_a_missing_year_is_named(published, tmp_path):
    out, book = published
    with pytest.raises(JaarverslagError, match="Geen gegevens voor 2022: de map .*2022 ontbreekt"):
        build_report(2022, out_root=out, book_file=book, data_dir=tmp_path)


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 15
