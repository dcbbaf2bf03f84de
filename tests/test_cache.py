"""The build cache and the kernels: fast builds that give exactly what a fresh run gives.

Small books (conftest.make_book) on a private copy of the data. No test looks at a clock.
The builds make the HTML book alone (`pdf=False`): what is cached and rerun is the same
with a PDF, and the no-change test keeps the PDF to show it is not rendered again.
"""

import io
import json
import os
import shutil
from pathlib import Path

import pytest
from conftest import GOOD_CHAPTER, edit, make_book, snapshot

import jaarverslag.render
import jaarverslag.run.kernels
from jaarverslag.build import build_report
from jaarverslag.cli import main
from jaarverslag.run import trace
from jaarverslag.run.execute import ChapterError, run_chapter, run_chapters
from jaarverslag.run.progress import Progress

EDITION = "import jaarverslag as jv\ned = jv.Edition(year, gemeente, data_dir, suppress_below)\n"
CLIENTEN = EDITION + "from jaarverslag.chapters import clienten\nclienten.totalen(ed)"
GRAFIEK = EDITION + "from jaarverslag.chapters import clienten\nclienten.per_gemeente_grafiek(ed)"
SKILLZ = EDITION + "ed.load('skillz')"
TEKST = EDITION + "from jaarverslag.chapters.toolkit import prose\nprose.text(ed, 'voorwoord')"


def chapters_run(entry: dict) -> set[str]:
    return {name for name, chapter in entry["chapters"].items() if not chapter["cached"]}


def comparable(path: Path) -> dict:
    """An executed notebook without what differs between two fresh runs too: papermill's
    timings and paths, and the random id papermill gives the injected parameters cell."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    for key in ("start_time", "end_time", "duration", "input_path", "output_path"):
        nb["metadata"].get("papermill", {}).pop(key, None)
    for cell in nb["cells"]:
        cell["metadata"].pop("papermill", None)
        cell["metadata"].pop("execution", None)
        if "injected-parameters" in cell["metadata"].get("tags", []):
            cell["id"] = "injected-parameters"
    return nb


def fresh_run(book: Path, chapter: str, parameters: dict, out: Path) -> Path:
    """The chapter as plain papermill runs it: a new kernel of its own."""
    source = book.parent / "notebooks" / f"{chapter}.ipynb"
    return run_chapter(source, out / f"{chapter}.ipynb", parameters).notebook


def parameters(data_dir: Path, **changes) -> dict:
    return {"year": 2022, "gemeente": None, "data_dir": str(data_dir.resolve()), "suppress_below": None,
            **changes}


# ---- what a rebuild runs ----

def test_a_no_change_rebuild_runs_no_chapter_and_leaves_the_report(tmp_path: Path, data_copy: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    book = make_book(tmp_path / "book", {"clienten": CLIENTEN, "tekst": TEKST})
    out = tmp_path / "out"
    first = build_report(2022, out_root=out, book_file=book, data_dir=data_copy)
    assert chapters_run(first) == {"clienten", "tekst"} and first["up_to_date"] is False
    before = snapshot(out)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a kernel started or the report was rendered again")

    monkeypatch.setattr(jaarverslag.run.kernels.Kernel, "__init__", refuse)
    monkeypatch.setattr(jaarverslag.render, "render_html", refuse)
    monkeypatch.setattr(jaarverslag.render, "render_pdf", refuse)
    again = build_report(2022, out_root=out, book_file=book, data_dir=data_copy)

    assert again["up_to_date"] is True and chapters_run(again) == set()
    assert again["provenance"] == first["provenance"]  # the files are the ones that build made
    assert again["checked_at"] >= first["provenance"]["built_at"]
    manifest = json.loads((out / "2022" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["editions"]["wijkkracht"]["up_to_date"] is True
    after = snapshot(out)
    assert after.pop("2022/manifest.json") and before.pop("2022/manifest.json")
    assert after == before


def test_a_changed_notebook_reruns_only_that_chapter(tmp_path: Path, data_copy: Path) -> None:
    book = make_book(tmp_path / "book", {"clienten": CLIENTEN, "tekst": TEKST})
    out = tmp_path / "out"
    build_report(2022, pdf=False, out_root=out, book_file=book, data_dir=data_copy)
    edit(book.parent / "notebooks" / "tekst.ipynb", "# Proef", "# Proef, herzien")
    entry = build_report(2022, pdf=False, out_root=out, book_file=book, data_dir=data_copy)
    assert chapters_run(entry) == {"tekst"}
    page = (out / "2022" / "wijkkracht" / "html" / "tekst.html").read_text(encoding="utf-8")
    assert "Proef, herzien" in page


def test_a_changed_data_file_or_prose_page_reruns_only_the_chapters_that_read_it(tmp_path: Path,
                                                                                 data_copy: Path) -> None:
    """A key from the datasets a chapter declares would miss the prose page (no dataset) and
    gemeenten.csv (read by the checks of the data a chapter loads)."""
    book = make_book(tmp_path / "book", {"clienten": CLIENTEN, "skillz": SKILLZ, "tekst": TEKST})
    out = tmp_path / "out"
    first = build_report(2022, pdf=False, out_root=out, book_file=book, data_dir=data_copy)
    reads = {name: chapter["reads"] for name, chapter in first["chapters"].items()}
    assert any(r.endswith("2022/skillz.csv") for r in reads["skillz"])
    assert not any(r.endswith("skillz.csv") for r in reads["clienten"] + reads["tekst"])
    assert any(r.endswith("tekst/voorwoord.md") for r in reads["tekst"])

    edit(data_copy / "2022" / "skillz.csv", "Borne,78,590", "Borne,78,591")
    entry = build_report(2022, pdf=False, out_root=out, book_file=book, data_dir=data_copy)
    assert chapters_run(entry) == {"skillz"}
    assert "591" in (out / "2022" / "wijkkracht" / "html" / "skillz.html").read_text(encoding="utf-8")

    page = data_copy / "2022" / "tekst" / "voorwoord.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nEen nagekomen zin.\n", encoding="utf-8")
    entry = build_report(2022, pdf=False, out_root=out, book_file=book, data_dir=data_copy)
    assert chapters_run(entry) == {"tekst"}

    # chapters that load data also read gemeenten.csv (their rows are checked against it)
    assert [any(r.endswith("2022/gemeenten.csv") for r in reads[n]) for n in ("clienten", "skillz", "tekst")] \
        == [True, True, False]
    # the cache goes by content: a file written again with the same text is no change
    edit(data_copy / "2022" / "gemeenten.csv", "Borne", "Borne")
    assert chapters_run(build_report(2022, pdf=False, out_root=out, book_file=book, data_dir=data_copy)) == set()


def test_a_parameter_change_reruns_the_chapters(tmp_path: Path, data_copy: Path) -> None:
    book = make_book(tmp_path / "book", {"clienten": CLIENTEN, "tekst": TEKST})
    out = tmp_path / "out"
    build_report(2022, pdf=False, out_root=out, book_file=book, data_dir=data_copy)
    hidden = build_report(2022, pdf=False, out_root=out, book_file=book, data_dir=data_copy, suppress_below=1000)
    assert chapters_run(hidden) == {"clienten", "tekst"}
    borne = build_report(2022, gemeente="Borne", pdf=False, out_root=out, book_file=book, data_dir=data_copy)
    assert chapters_run(borne) == {"clienten", "tekst"}
    # back to the first parameters: its chapters come from the cache, but the published
    # wijkkracht edition is the one with hidden counts, so it is made again
    back = build_report(2022, pdf=False, out_root=out, book_file=book, data_dir=data_copy)
    assert chapters_run(back) == set() and back["up_to_date"] is False


def test_no_cache_runs_everything_and_keeps_no_cache(tmp_path: Path, data_copy: Path) -> None:
    book = make_book(tmp_path / "book", {"tekst": TEKST})
    out = tmp_path / "out"
    build_report(2022, pdf=False, out_root=out, book_file=book, data_dir=data_copy, cache=False)
    entry = build_report(2022, pdf=False, out_root=out, book_file=book, data_dir=data_copy, cache=False)
    assert chapters_run(entry) == {"tekst"} and entry["up_to_date"] is False
    assert not (out / ".cache").exists()


def test_a_file_a_chapter_opens_itself_or_a_project_module_it_imports_reruns_it(tmp_path: Path,
                                                                                data_copy: Path) -> None:
    """Reads the chapter does itself (not through jaarverslag.data.read) and its own modules:
    no declared dataset would name them."""
    (data_copy / "2022" / "noot.txt").write_text("eerste noot", encoding="utf-8")
    book = make_book(tmp_path / "book", {
        "noot": "from pathlib import Path\nprint(open(Path(data_dir) / '2022' / 'noot.txt').read())",
        "hulp": "import hulp\nprint(hulp.TEKST)",
        "tekst": TEKST,
    })
    (book.parent / "notebooks" / "hulp.py").write_text("TEKST = 'eerste hulp'\n", encoding="utf-8")
    out = tmp_path / "out"
    build_report(2022, pdf=False, out_root=out, book_file=book, data_dir=data_copy)

    (data_copy / "2022" / "noot.txt").write_text("tweede noot", encoding="utf-8")
    assert chapters_run(build_report(2022, pdf=False, out_root=out, book_file=book, data_dir=data_copy)) == {"noot"}
    (book.parent / "notebooks" / "hulp.py").write_text("TEKST = 'tweede hulp'\n", encoding="utf-8")
    entry = build_report(2022, pdf=False, out_root=out, book_file=book, data_dir=data_copy)
    assert chapters_run(entry) == {"hulp"}
    assert "tweede hulp" in (out / "2022" / entry["chapters"]["hulp"]["notebook"]).read_text(encoding="utf-8")


# ---- failures ----

def test_a_failing_chapter_is_not_cached(tmp_path: Path, data_copy: Path) -> None:
    book = make_book(tmp_path / "book", {"een": GOOD_CHAPTER, "kapot": "raise ValueError('kapotte cel')"})
    out = tmp_path / "out"
    with pytest.raises(ChapterError, match="kapot"):
        build_report(2022, pdf=False, out_root=out, book_file=book, data_dir=data_copy)
    entries = (out / ".cache" / "chapters").glob("*.json")
    cached = {json.loads(p.read_text(encoding="utf-8"))["chapter"] for p in entries}
    assert cached == {"een"}

    stream = io.StringIO()
    with pytest.raises(ChapterError, match="kapotte cel") as err:
        build_report(2022, pdf=False, out_root=out, book_file=book, data_dir=data_copy,
                     progress=Progress(enabled=True, stream=stream))
    assert "1 uit de cache, 1 uitvoeren" in stream.getvalue()
    assert "kapotte cel" in err.value.notebook.read_text(encoding="utf-8")


# ---- cached equals fresh, and every notebook has a fresh kernel ----

def test_cached_notebooks_equal_fresh_runs(tmp_path: Path, data_copy: Path) -> None:
    chapters = {"clienten": CLIENTEN, "grafiek": GRAFIEK, "tekst": TEKST}
    book = make_book(tmp_path / "book", chapters)
    out = tmp_path / "out"
    first = build_report(2022, pdf=False, out_root=out, book_file=book, data_dir=data_copy, jobs=1)
    fresh = {name: fresh_run(book, name, parameters(data_copy), tmp_path / "fresh") for name in chapters}
    for name in chapters:
        assert comparable(out / "2022" / first["chapters"][name]["notebook"]) == comparable(fresh[name]), name

    edit(book.parent / "index.qmd", "Over dit jaarverslag", "Over dit verslag")  # a render input only
    again = build_report(2022, pdf=False, out_root=out, book_file=book, data_dir=data_copy)
    assert chapters_run(again) == set() and again["up_to_date"] is False
    for name in chapters:
        restored = out / "2022" / again["chapters"][name]["notebook"]
        assert comparable(restored) == comparable(fresh[name]), name
        assert json.loads(restored.read_text(encoding="utf-8"))["metadata"]["papermill"]["output_path"].endswith(
            f"notebooks/{name}.ipynb")


VUIL = """import os, sys, warnings
import matplotlib as mpl, matplotlib.pyplot as plt, pandas as pd
sys.path.insert(0, LIB)
import waarschuwer
import jaarverslag.chapters.clienten as clienten
waarschuwer.waarschuw()
lekt = 1
pd.set_option("display.max_rows", 3)
pd.set_option("display.float_format", "{:.1f}".format)
os.environ["JV_LEK"] = "1"
os.chdir("/")
sys.path.append("/lek")
warnings.simplefilter("ignore")
mpl.rcParams["lines.linewidth"] = 9
plt.figure()
clienten.LEK = 1"""

SCHOON = """import os, sys, warnings
from pathlib import Path
import matplotlib as mpl, matplotlib.pyplot as plt, pandas as pd
sys.path.insert(0, LIB)
import waarschuwer
import jaarverslag.chapters.clienten as clienten
waarschuwer.waarschuw()
leaks = {
    "namespace": "lekt" in globals(),
    "pandas": pd.get_option("display.max_rows") != 60 or pd.get_option("display.float_format") is not None,
    "environ": "JV_LEK" in os.environ, "cwd": Path.cwd().name != "notebooks", "sys.path": "/lek" in sys.path,
    "warnings": any(f[0] == "ignore" and f[2] is Warning and f[1] is None for f in warnings.filters),
    "rcParams": mpl.rcParams["lines.linewidth"] != 1.5, "figures": plt.get_fignums() != [],
    "module": hasattr(clienten, "LEK"),
}
assert not any(leaks.values()), leaks
print(sorted(k for k in globals() if not k.startswith("_i")))"""


def test_a_notebook_sees_nothing_that_the_one_before_it_left_behind(tmp_path: Path, data_copy: Path) -> None:
    # a library outside the project: its warning must show again in the next notebook
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "waarschuwer.py").write_text(
        "import warnings\n\ndef waarschuw():\n    warnings.warn('let op', UserWarning)\n", encoding="utf-8")
    book = make_book(tmp_path / "book", {f"{name}": f"LIB = {str(lib)!r}\n" + code
                                         for name, code in (("vuil", VUIL), ("schoon", SCHOON))})
    runs = run_chapters([book.parent / "notebooks" / f"{n}.ipynb" for n in ("vuil", "schoon")],
                        tmp_path / "uit", parameters(data_copy), jobs=1)  # one at a time: vuil, then schoon
    body = [c for c in comparable(runs[1].notebook)["cells"] if c["cell_type"] == "code"]
    assert body[0]["execution_count"] == 1  # counting starts again
    assert any(o.get("name") == "stderr" and "let op" in "".join(o["text"]) for o in body[-1]["outputs"])


def test_each_notebook_records_the_chapter_code_it_uses(tmp_path: Path, data_copy: Path) -> None:
    """Also chapter code the package loads on first use (`jv.section`): so a changed toolkit
    module re-runs the chapters that use it, no other."""
    uses = "import jaarverslag as jv\nprint(jv.section.__module__)"
    book = make_book(tmp_path / "book", {"een": uses, "twee": uses, "kaal": "import jaarverslag as jv\njv.fmt_int(1)"})
    runs = run_chapters([book.parent / "notebooks" / f"{n}.ipynb" for n in ("een", "twee", "kaal")],
                        tmp_path / "uit", parameters(data_copy), jobs=1)
    sections = [[r for r in run.reads if r.endswith("chapters/toolkit/sections.py")] for run in runs]
    assert [len(found) for found in sections] == [1, 1, 0]
    assert not any("/chapters/" in r for r in runs[2].reads)


# ---- validation, progress, the CLI, the trace ----

def test_validation_is_skipped_while_the_files_it_read_are_unchanged(tmp_path: Path, data_copy: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import jaarverslag.data.read

    book = make_book(tmp_path / "book", {"tekst": TEKST})
    out = tmp_path / "out"
    build_report(2022, pdf=False, out_root=out, book_file=book, data_dir=data_copy)
    calls = []
    real = jaarverslag.data.read.validate_year
    monkeypatch.setattr(jaarverslag.data.read, "validate_year", lambda *a: calls.append(a) or real(*a))
    build_report(2022, pdf=False, out_root=out, book_file=book, data_dir=data_copy)
    assert calls == []
    edit(data_copy / "2022" / "skillz.csv", "Borne,78,590", "Borne,78,591")
    build_report(2022, pdf=False, out_root=out, book_file=book, data_dir=data_copy)
    assert len(calls) == 1


def test_the_validation_and_render_keys_cover_the_code_of_the_whole_package() -> None:
    """They hash every file of the package (fingerprint.package_digest), of every subpackage."""
    from jaarverslag import fingerprint

    names = {p.relative_to(fingerprint.PACKAGE).as_posix() for p in fingerprint.package_files()}
    assert {"fingerprint.py", "data/read.py", "chapters/toolkit/tables.py", "render/html.py", "run/cache.py"} <= names
    assert not any(n.endswith(".pyc") for n in names)


def test_progress_is_quiet_off_a_terminal_and_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    assert Progress(stream=io.StringIO()).enabled is False

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert Progress(stream=Terminal()).enabled is True
    monkeypatch.setenv("CI", "true")
    assert Progress(stream=Terminal()).enabled is False

    stream = io.StringIO()
    shown = Progress(enabled=True, stream=stream)
    shown.chapters("2022 wijkkracht", 3, 1)
    shown.running("2022 wijkkracht", "clienten")
    shown.finished("2022 wijkkracht", "clienten", 0.5)
    lines = stream.getvalue().splitlines()
    assert lines[0] == "[2022 wijkkracht] 3 hoofdstukken: 1 uit de cache, 2 uitvoeren"
    assert "clienten" in lines[1] and "1/2" in lines[2]


def test_the_cli_passes_cache_and_progress_options(monkeypatch: pytest.MonkeyPatch) -> None:
    import jaarverslag.build

    seen = {}
    monkeypatch.setattr(jaarverslag.build, "build_all", lambda years, **kw: seen.update(kw) or {})
    assert main(["build", "--year", "2022", "--no-cache", "--progress"]) == 0
    assert seen["cache"] is False and seen["progress"] is True
    assert main(["build", "--year", "2022", "--no-progress"]) == 0
    assert seen["cache"] is True and seen["progress"] is False
    assert main(["build", "--year", "2022"]) == 0
    assert seen["progress"] is None and seen["pdf"] is True  # progress: decided by the terminal
    assert main(["build", "--year", "2022", "--html-only"]) == 0
    assert seen["pdf"] is False


def test_the_trace_records_reads_and_listings_under_the_roots_only(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.csv").write_text("x", encoding="utf-8")
    (tmp_path / "uit").mkdir()
    trace.install()
    trace.begin([tmp_path], [tmp_path / "uit"])
    (tmp_path / "in" / "a.csv").read_text(encoding="utf-8")
    os.listdir(tmp_path / "in")
    (tmp_path / "in" / "b.csv").write_text("geschreven, niet gelezen", encoding="utf-8")
    (tmp_path / "uit" / "c.csv").write_text("x", encoding="utf-8")
    (tmp_path / "uit" / "c.csv").read_text(encoding="utf-8")
    trace.record(tmp_path / "in" / "ontbreekt.csv")
    found = trace.finish()
    ours = [f for f in found if str(tmp_path) in f]
    assert ours == sorted([str(tmp_path / "in" / "a.csv"), str(tmp_path / "in" / "ontbreekt.csv"),
                           trace.LISTING + str(tmp_path / "in")])
    assert any(f.endswith("jaarverslag/run/trace.py") for f in found)  # the project's loaded modules
    shutil.rmtree(tmp_path / "uit")


def test_a_chapter_whose_kernel_dies_is_named_and_the_others_still_run(tmp_path: Path, data_copy: Path) -> None:
    book = make_book(tmp_path / "book", {"dood": "import os\nos._exit(3)", "tekst": TEKST})
    out = tmp_path / "out"
    with pytest.raises(ChapterError, match="Hoofdstuk 'dood'.*DeadKernelError"):
        build_report(2022, pdf=False, out_root=out, book_file=book, data_dir=data_copy, jobs=1)
    entries = (out / ".cache" / "chapters").glob("*.json")
    assert {json.loads(p.read_text(encoding="utf-8"))["chapter"] for p in entries} == {"tekst"}


def test_prune_removes_entries_no_build_used_for_a_month(tmp_path: Path) -> None:
    from jaarverslag.run.cache import Cache

    cache = Cache(tmp_path / ".cache")
    notebook = tmp_path / "een.ipynb"
    notebook.write_text("{}", encoding="utf-8")
    cache.store("oud", "een", notebook, 1.0, [], started=float("inf"))
    cache.store("nieuw", "een", notebook, 1.0, [], started=float("inf"))
    month_ago = os.stat(notebook).st_mtime - 31 * 86400
    os.utime(tmp_path / ".cache" / "chapters" / "oud.json", (month_ago, month_ago))
    assert cache.prune() == 1
    assert sorted(p.name for p in (tmp_path / ".cache" / "chapters").iterdir()) == ["nieuw.ipynb", "nieuw.json"]
    assert cache.lookup("nieuw") is not None
