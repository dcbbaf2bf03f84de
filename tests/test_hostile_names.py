"""Names that become paths or filters, as a hostile user gives them: one gate (names.py).

A gemeente is one of the year's (matched without regard to case and spaces,
published under its canonical name) or refused with the list; a year has data;
the output folder is none of the project's; a chapter is a file in the book's
folder; and every write and delete of a build stays inside build/.
"""

import json
import os
import subprocess
import sys

import pytest
from hostile import assert_refused, state

from jaarverslag import Edition
from jaarverslag.errors import JaarverslagError, Kind
from jaarverslag.names import edition_name_problems

GEMEENTEN = "Borne, Dinkelland, Haaksbergen, Hengelo, Oldenzaal"
ESCAPE = "./../../../somewhere"


# ---- a gemeente from the command line --------------------------------------------

def test_a_gemeente_not_of_the_year_is_refused_with_the_list(hostile):
    before = state(hostile)
    result = hostile.run("build", "--year", "2022", "--gemeente", "Enschede")
    assert_refused(hostile, result, "'Enschede' is geen gemeente van 2022", before=before)
    assert GEMEENTEN in result.err and "klaar" not in result.said


def test_a_near_miss_gets_a_suggestion(hostile):
    before = state(hostile)
    result = hostile.run("build", "--year", "2022", "--gemeente", "Hengeloo")
    assert_refused(hostile, result, "'Hengeloo' is geen gemeente van 2022; bedoelt u Hengelo?", before=before)


def test_case_and_spaces_make_no_second_edition(hostile):
    before = hostile.published()
    result = hostile.run("build", "--year", "2022", "--gemeente", " hengelo ")
    assert result.code == 0, result.said
    assert "editie hengelo" in result.out
    after = hostile.published()
    assert after.keys() == before.keys()  # the Hengelo edition again, no folder " hengelo " or such beside it
    whole = [k for k in before if k.startswith("2022/wijkkracht/")]
    assert whole and all(after[k] == before[k] for k in whole)  # the other edition untouched
    entry = json.loads(after["2022/manifest.json"])["editions"]["hengelo"]
    assert entry["gemeente"] == "Hengelo" and entry["pdf"] == "hengelo/jaarverslag-2022-hengelo.pdf"
    assert "Jaarverslag 2022 gemeente Hengelo" in (hostile.build / "2022" / entry["html"]).read_text(encoding="utf-8")


@pytest.mark.parametrize("name", [ESCAPE, "../sentinel", "hengelo/../../../sentinel", str(os.sep), ""])
def test_a_gemeente_with_path_parts_is_refused_and_nothing_outside_build_is_touched(hostile, name):
    before = state(hostile)
    result = hostile.run("build", "--year", "2022", "--gemeente", name)
    assert_refused(hostile, result, f"{name!r} is geen gemeente van 2022", before=before)
    assert (hostile.sentinel / "bewaar.txt").read_text(encoding="utf-8") == "niet aankomen\n"


# ---- a gemeente from the data ------------------------------------------------------

def _add_gemeente(hostile, name: str) -> None:
    listed = hostile.data / "gemeenten.csv"
    listed.write_text(listed.read_text(encoding="utf-8") + f"{name}\n", encoding="utf-8")


def test_a_path_in_gemeenten_csv_is_refused_by_validate(hostile):
    _add_gemeente(hostile, ESCAPE)
    before = state(hostile)
    result = hostile.run("validate", "--year", "2022")
    assert_refused(hostile, result, ESCAPE, before=before)


def test_a_path_in_gemeenten_csv_is_refused_by_build_all(hostile):
    _add_gemeente(hostile, ESCAPE)
    before = state(hostile)
    result = hostile.run("build", "--year", "2022", "--all")
    assert_refused(hostile, result, ESCAPE, before=before)
    assert "klaar" not in result.said


def test_the_build_gate_refuses_names_that_cannot_name_a_folder():
    """Defence in depth: the data rules refuse these too, the build gate does so anyway."""
    problems = edition_name_problems(["Hengelo", ESCAPE, "Den Ham", "Den-Ham", "???", "Wijkkracht", "Ha\x00ksbergen"])
    assert set(problems) == {ESCAPE, "Den Ham", "Den-Ham", "???", "Wijkkracht", "Ha\x00ksbergen"}
    assert "dezelfde map (den-ham)" in problems["Den Ham"]


# ---- a gemeente or year from a notebook parameter ------------------------------------

def _papermill(hostile, tmp_path_factory, *parameters: str):
    """`papermill notebooks/clienten.ipynb out.ipynb -p ...` from the project folder, as an analyst runs it."""
    out = tmp_path_factory.mktemp("papermill") / "out.ipynb"
    environ = {k: v for k, v in os.environ.items() if k != "JAARVERSLAG_PROJECT"}
    done = subprocess.run([sys.executable, "-m", "papermill", "notebooks/clienten.ipynb", str(out), *parameters],
                          cwd=hostile.root, capture_output=True, text=True, timeout=300, env=environ)
    notebook = json.loads(out.read_text(encoding="utf-8"))
    errors = [o for c in notebook["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
    return done, notebook, errors


def test_papermill_with_a_gemeente_not_of_the_year_shows_one_sentence(hostile, tmp_path_factory):
    done, _, errors = _papermill(hostile, tmp_path_factory, "-p", "gemeente", "enschede")
    assert done.returncode != 0
    [error] = errors
    assert error["ename"] == "JaarverslagError"
    assert error["traceback"] == [error["evalue"]]  # the sentence, not 40 lines of traceback
    assert error["evalue"].startswith("'enschede' is geen gemeente van 2022.") and GEMEENTEN in error["evalue"]


def test_papermill_with_a_year_without_data_shows_one_sentence(hostile, tmp_path_factory):
    done, _, errors = _papermill(hostile, tmp_path_factory, "-p", "year", "2031")
    assert done.returncode != 0
    [error] = errors
    assert error["traceback"] == [error["evalue"]]
    assert error["evalue"] == ("Geen gegevens voor 2031: de map data/2031 ontbreekt. Er zijn gegevens voor 2022; "
                               "kies een van die jaren.")


def test_papermill_with_a_lowercase_gemeente_reports_on_the_canonical_one(hostile, tmp_path_factory):
    done, notebook, errors = _papermill(hostile, tmp_path_factory, "-p", "gemeente", "hengelo")
    assert done.returncode == 0 and not errors, done.stderr[-2000:]
    shown = json.dumps(notebook["cells"], ensure_ascii=False)
    assert "Wijkkracht in Hengelo" in shown and "0 cliënten" not in shown


def test_an_edition_takes_the_canonical_name_and_refuses_the_rest():
    assert Edition(2022, " hengelo ").gemeente == "Hengelo"
    assert Edition(2022, "HENGELO").slug == "hengelo" and Edition(2022).slug == "wijkkracht"
    with pytest.raises(JaarverslagError, match="bedoelt u Oldenzaal") as err:
        Edition(2022, "oldenzal")
    assert err.value.kind is Kind.NAME
    with pytest.raises(JaarverslagError, match="Geen geldig jaar: 'twee'"):
        Edition("twee")


# ---- a year and a data folder ---------------------------------------------------------

def test_a_year_without_data_is_refused_with_the_years_that_have_it(hostile):
    before = state(hostile)
    result = hostile.run("build", "--year", "2031")
    assert_refused(hostile, result, "Geen gegevens voor 2031: de map data/2031 ontbreekt. Er zijn gegevens voor 2022",
                   before=before)
    assert len(result.err.strip().splitlines()) == 1


def test_a_data_dir_that_does_not_exist_is_refused(hostile):
    before = state(hostile)
    result = hostile.run("build", "--year", "2022", "--data-dir", "gegevens")
    assert_refused(hostile, result, "De gegevensmap gegevens bestaat niet", before=before)


# ---- the output folder ----------------------------------------------------------------------

@pytest.mark.parametrize(("out", "message"), [
    (".", "is de projectmap"),
    ("..", "is de projectmap"),  # the sentinel's folder
    ("data", "ligt in data/"),
    ("notebooks/uit", "ligt in notebooks/"),
    ("../sentinel/bewaar.txt", "is een bestand, geen map"),
])
def test_an_output_folder_in_a_wrong_place_is_refused(hostile, out, message):
    before = state(hostile)
    result = hostile.run("build", "--year", "2022", "--out", out)
    assert_refused(hostile, result, message, before=before)


def test_a_link_in_build_pointing_outside_is_never_followed(hostile):
    """A lock file or a stale staging folder that is a link outside: refused, not truncated or deleted."""
    year = hostile.build / "2022"
    (year / ".build.lock").unlink(missing_ok=True)
    (year / ".build.lock").symlink_to(hostile.sentinel / "bewaar.txt")
    before = state(hostile)
    result = hostile.run("build", "--year", "2022")
    assert_refused(hostile, result, "ligt buiten de uitvoermap", before=before)
    (year / ".build.lock").unlink()
    (year / ".wijkkracht-oud1234").symlink_to(hostile.sentinel, target_is_directory=True)
    result = hostile.run("build", "--year", "2022")
    assert_refused(hostile, result, "ligt buiten de uitvoermap", before=before)
    assert (hostile.sentinel / "bewaar.txt").read_text(encoding="utf-8") == "niet aankomen\n"


# ---- the book's chapters ----------------------------------------------------------------------

@pytest.mark.parametrize(("chapter", "message"), [
    ("../../x.ipynb", "ligt buiten de map van het boek"),
    ("../sentinel/x.ipynb", "ligt buiten de map van het boek"),
    ("notebooks/bestaat_niet.ipynb", "bestaat niet"),
])
def test_a_chapter_outside_the_book_or_missing_is_refused(hostile, chapter, message):
    (hostile.sentinel / "x.ipynb").write_text((hostile.root / "notebooks" / "clienten.ipynb").read_text(
        encoding="utf-8"), encoding="utf-8")
    book = hostile.root / "_quarto.yml"
    book.write_text(book.read_text(encoding="utf-8").replace(
        "    - notebooks/tot_slot.ipynb\n", f"    - notebooks/tot_slot.ipynb\n    - {chapter}\n"), encoding="utf-8")
    before = state(hostile)
    result = hostile.run("build", "--year", "2022")
    assert_refused(hostile, result, f"hoofdstuk '{chapter}' {message}", before=before)
