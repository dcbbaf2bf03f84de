"""The cache moves with the project, as a hostile (or just busy) analyst uses it.

Analysts copy last year's project folder, build/.cache included. A copy must then
validate and run exactly as a fresh project would: its own data is checked, and
the copied cache counts only where the copy's files are the same. A damaged cache
entry or manifest is named in one line, ignored and made again; the next build
is clean.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import edit
from hostile import CHAPTERS, Project, assert_refused, state

from jaarverslag import paths
from jaarverslag.build import _parameters
from jaarverslag.edition import Edition
from jaarverslag.run import cache as cache_mod
from jaarverslag.run.kernels import KERNEL

DAMAGED = "beschadigd"
# A build that renders the HTML alone: these tests look at the cache, not at the PDF.
HTML_BUILD = ("build", "--year", "2022", "--html-only")


def manifest(project: Project) -> dict:
    return json.loads((project.build / "2022" / "manifest.json").read_text(encoding="utf-8"))["editions"]["wijkkracht"]


def ran(project: Project) -> set[str]:
    """The chapters the last build of the whole organisation's edition ran itself (not from the
    cache); a chapter the build ran ahead of need and then took from the cache is not among them."""
    return {name for name, chapter in manifest(project)["chapters"].items() if not chapter["cached"]}


def stored(project: Project) -> dict[str, bytes]:
    """The cache entries of the whole organisation's chapters, as they are now."""
    return {name: chapter_entry(project, name).read_bytes() for name in CHAPTERS}


def changed(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    """The chapters whose cache entry was written again: the chapters that ran."""
    return {name for name in before if after[name] != before[name]}


def without_manifest(published: dict[str, bytes]) -> dict[str, bytes]:
    return {name: content for name, content in published.items() if name != "2022/manifest.json"}


def chapter_entry(project: Project, chapter: str) -> Path:
    """The cache entry (its .json) of a chapter of the whole organisation's 2022 edition."""
    with paths.project(project.root):
        key = cache_mod.chapter_key(project.root / "notebooks" / f"{chapter}.ipynb",
                                    _parameters(Edition(2022), None), KERNEL)
    entry = project.build / ".cache" / "chapters" / f"{key}.json"
    assert entry.is_file(), f"no cache entry for {chapter}"
    return entry


def validated_entry(project: Project) -> Path:
    with paths.project(project.root):
        key = cache_mod.validation_key(2022, None)
    entry = project.build / ".cache" / "validated" / f"{key}.json"
    assert entry.is_file(), "no cache entry for the validation of 2022"
    return entry


# ---- a copy checks its own data ----

def test_a_copy_with_broken_data_is_refused_by_build_as_by_validate(hostile: Project) -> None:
    edit(hostile.data / "clienten.csv", "Borne,718,", "Borne,719,")  # the ages of Borne add up to 718
    checked = hostile.run("validate", "--year", "2022")
    assert checked.code == 1, checked.said
    problem = next(line.strip() for line in checked.err.splitlines() if "clienten.csv, regel" in line)
    assert "719" in problem and "718" in problem

    before = state(hostile)
    assert_refused(hostile, hostile.run("build", "--year", "2022"), problem, before=before)


def test_a_copy_with_other_data_runs_the_chapters_that_read_it(hostile: Project) -> None:
    before = stored(hostile)
    edit(hostile.data / "websites.csv", "www.wijkrachtborne.nl", "www.wijkrachtborne.org")
    result = hostile.run(*HTML_BUILD)
    assert result.code == 0, result.said
    assert changed(before, stored(hostile)) == {"tot_slot"}  # clienten read nothing that changed
    page = (hostile.build / "2022" / "wijkkracht" / "html" / "tot_slot.html").read_text(encoding="utf-8")
    assert "wijkrachtborne.org" in page


def test_a_moved_project_takes_every_chapter_from_its_cache_and_publishes_the_same_bytes(hostile: Project) -> None:
    before = without_manifest(hostile.published())
    moved = Project(hostile.root.parent / "verhuisd" / "jaarverslag-2023", hostile.sentinel)
    moved.root.parent.mkdir()
    shutil.move(hostile.root, moved.root)

    result = moved.run("build", "--year", "2022", "--progress")
    assert result.code == 0, result.said
    assert "niets veranderd" in result.err
    entry = manifest(moved)
    assert entry["up_to_date"] is True and ran(moved) == set()
    assert all(not Path(read).is_absolute() for c in entry["chapters"].values() for read in c["reads"])
    assert all(not Path(name).is_absolute() for name in entry["inputs"])
    assert without_manifest(moved.published()) == before
    kept = json.loads(chapter_entry(moved, "clienten").read_text(encoding="utf-8"))["reads"]
    assert "data:2022/clienten.csv" in kept
    assert not any(str(moved.root) in read or str(hostile.root) in read for read in kept)


# ---- damaged entries: one line each, ignored, made again ----

def damaged_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if DAMAGED in line]


def assert_rebuilt_and_clean(project: Project, damaged: list[str], expected: list[str]) -> None:
    """Each damaged thing named in exactly one line, and the next build clean and from the cache."""
    assert len(damaged) == len(expected), damaged
    for name in expected:
        assert sum(name in line for line in damaged) == 1, (name, damaged)
    assert all("Traceback" not in line for line in damaged)
    again = project.run(*HTML_BUILD)
    assert again.code == 0, again.said
    assert damaged_lines(again.said) == [], again.said
    assert manifest(project)["up_to_date"] is True and ran(project) == set()


def builds_and_repairs_every_damaged_entry(hostile) -> None:
    """The build succeeds, names each damaged entry once, runs and stores both chapters again."""
    before = stored(hostile)
    result = hostile.run(*HTML_BUILD)
    assert result.code == 0, result.said
    assert "Traceback" not in result.said
    assert changed(before, stored(hostile)) == {"clienten", "tot_slot"}  # run and stored again
    assert_rebuilt_and_clean(hostile, damaged_lines(result.err),
                             ["hoofdstuk 'clienten'", "hoofdstuk 'tot_slot'", "controle van 2022", "manifest.json"])


def test_damaged_json_of_chapters_validation_and_manifest_is_named_once_and_rebuilt(hostile: Project) -> None:
    clienten, tot_slot = chapter_entry(hostile, "clienten"), chapter_entry(hostile, "tot_slot")
    clienten.write_bytes(clienten.read_bytes()[:40])  # cut off halfway
    tot_slot.write_text(json.dumps({"format": cache_mod.FORMAT}), encoding="utf-8")  # keys missing
    validated_entry(hostile).write_text("{\"format\": ", encoding="utf-8")
    (hostile.build / "2022" / "manifest.json").write_text("{\"year\": 2022, \"editions\": {", encoding="utf-8")

    builds_and_repairs_every_damaged_entry(hostile)


def test_damaged_notebooks_and_wrong_types_are_named_once_and_rebuilt(hostile: Project) -> None:
    clienten, tot_slot = chapter_entry(hostile, "clienten"), chapter_entry(hostile, "tot_slot")
    clienten.with_suffix(".ipynb").unlink()  # the executed notebook is gone
    tot_slot.with_suffix(".ipynb").write_text("{\"cells\": []}", encoding="utf-8")  # not the one it names
    validated = validated_entry(hostile)
    validated.write_text(json.dumps({"format": cache_mod.FORMAT, "reads": ["data:2022/clienten.csv"]}),
                         encoding="utf-8")
    entry = json.loads((hostile.build / "2022" / "manifest.json").read_text(encoding="utf-8"))
    entry["editions"]["wijkkracht"]["chapters"] = ["clienten", "tot_slot"]  # a list, not the chapters
    (hostile.build / "2022" / "manifest.json").write_text(json.dumps(entry), encoding="utf-8")

    builds_and_repairs_every_damaged_entry(hostile)


def test_a_kept_read_outside_its_place_counts_as_damage_not_as_a_file_to_read(hostile: Project) -> None:
    entry = chapter_entry(hostile, "tot_slot")
    meta = json.loads(entry.read_text(encoding="utf-8"))
    meta["reads"]["data:../../sentinel/bewaar.txt"] = cache_mod.MISSING
    entry.write_text(json.dumps(meta), encoding="utf-8")
    before = stored(hostile)

    result = hostile.run(*HTML_BUILD)
    assert result.code == 0, result.said
    assert changed(before, stored(hostile)) == {"tot_slot"}
    assert_rebuilt_and_clean(hostile, damaged_lines(result.err), ["hoofdstuk 'tot_slot'"])
