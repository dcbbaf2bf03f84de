"""Every error a user can cause is one Dutch sentence and a non-zero exit; --debug adds the traceback."""

import pytest
from hostile import assert_refused, state

from jaarverslag.errors import JaarverslagError, Kind


@pytest.mark.parametrize(("args", "message"), [
    (["build"], "geef een van deze opties op: --year --years"),
    (["validate"], "deze opties ontbreken: --year"),
    (["build", "--year", "twee"], "geen geldig jaar (bv. 2022): 'twee'"),
    (["build", "--year", "99999"], "geen geldig jaar (bv. 2022): '99999'"),
    (["build", "--years", "2021-x"], "geen geldige jaren"),
    (["build", "--year", "2022", "--renderer", "latex"], "ongeldige keuze"),
    (["build", "--year", "2022", "--timeout", "0"], "moet groter dan 0 zijn"),
    (["build", "--year", "2022", "--onzin"], "onbekende opties"),
    (["build", "--year", "2022", "--jobs", "0"], "moet tussen 1 en 64 liggen: '0'"),
    (["build", "--year", "2022", "--suppress-below", "-3"], "moet tussen 2 en 100 liggen: '-3'"),
    (["build", "--year", "2022", "--suppress-below", "99999999999999999999"], "moet tussen 2 en 100 liggen"),
    (["build", "--year", "2022", "--wait", "-1"], "moet 0 of meer zijn: '-1'"),
    (["build", "--year", "2022", "--timeout", "nan"], "moet groter dan 0 zijn"),
    (["opnieuw"], "ongeldige keuze"),
])
def test_a_wrong_command_line_is_one_dutch_sentence(hostile, args, message):
    before = state(hostile)
    result = hostile.run(*args)
    assert_refused(hostile, result, message, code=2, before=before)
    assert len(result.err.strip().splitlines()) == 1, result.err


def test_outside_a_project_the_command_says_where_to_go(hostile):
    before = state(hostile)
    result = hostile.run("build", "--year", "2022", cwd=hostile.sentinel)
    assert_refused(hostile, result, "Geen project gevonden", before=before)
    assert "--project" in result.err


def test_project_option_builds_from_anywhere(hostile):
    result = hostile.run("validate", "--year", "2022", "--project", str(hostile.root), cwd=hostile.sentinel)
    assert result.code == 0, result.said
    assert "in orde" in result.out


def test_project_option_must_name_a_project(hostile):
    before = state(hostile)
    result = hostile.run("validate", "--year", "2022", "--project", str(hostile.sentinel))
    assert_refused(hostile, result, "is geen project", before=before)


def test_new_year_never_overwrites_a_year(hostile):
    before = state(hostile)
    result = hostile.run("new-year", "2022")
    assert_refused(hostile, result, "bestaat al; new-year overschrijft geen gegevens", before=before)


def test_debug_shows_the_traceback_too(hostile):
    result = hostile.run("new-year", "2022", "--debug", fresh=True)
    assert result.code == 1
    assert "Traceback" in result.err
    assert "bestaat al" in result.err


def test_an_error_kind_decides_the_exit_code_not_its_text():
    assert JaarverslagError("x", Kind.USAGE).exit_code == 2
    assert JaarverslagError("gebruik", Kind.DATA).exit_code == 1
