"""Fixtures and helpers shared by the tests, and how the tests are sorted and spread.

- **Reports built once per run.** The real 2022 report (every edition, through the CLI)
  and the hostile workbench's small project are built once per test run, also when
  pytest-xdist runs the tests in several processes: the first process that needs one
  builds it under a file lock in the run's temp folder, the others wait and read it
  (`once_per_run`). Tests only read them.
- **Slow or fast.** A test is marked `slow` when it builds a report, starts a kernel or
  a browser: from the fixtures it uses (`SLOW_FIXTURES`), from the build and run
  functions it calls (`STARTS_KERNELS`, looked up in its code and the helpers of its
  module), every notebook run by nbval, and an explicit `@pytest.mark.slow` where none
  of that shows. `make test-fast` runs the rest (`-m "not slow"`).
- **One process per file** (`--dist loadfile` in pyproject.toml): the cells of a notebook run
  in one kernel (nbval), and a fixture of module scope is made once. (`loadgroup` would keep
  fewer tests together, but pytest-xdist 3.8 cannot rename a test's id under pytest 9, so its
  groups are silently ignored.)
"""

import inspect
import json
import os
import shutil
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path
from types import CodeType

import pytest
from bs4 import BeautifulSoup
from filelock import FileLock

from jaarverslag.cli import main
from jaarverslag.paths import DATA_DIR

# The published 2022 report as text (a copy of the seed), the ground truth of the backtests.
PUBLISHED = Path(__file__).parent / "fixtures" / "jaarverslag_2022_gepubliceerd.txt"


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A private copy of the shipped data (data_dir with a 2022 folder), safe to break."""
    shutil.copytree(DATA_DIR / "2022", tmp_path / "data" / "2022")
    return tmp_path / "data"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# ---- built once per test run, shared by every process of it ----

def once_per_run(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], object]) -> Path:
    """A folder `make` fills once per test run: in one process, or in the first of the
    pytest-xdist processes that asks (the others wait on its lock and reuse it).

    If making it failed in another process, this fails with that error rather than
    building it again.
    """
    if "PYTEST_XDIST_WORKER" not in os.environ:
        folder = tmp_path_factory.mktemp(name)
        make(folder)
        return folder
    run = tmp_path_factory.getbasetemp().parent  # pytest-N/, shared by this run's processes
    folder, done, failed = run / name, run / f"{name}.done", run / f"{name}.failed"
    with FileLock(run / f"{name}.lock"):  # let go also when the process holding it dies
        if failed.exists():
            pytest.fail(f"{name} could not be made (in another process): {failed.read_text()}", pytrace=False)
        if not done.exists():
            try:
                folder.mkdir()
                make(folder)
            except BaseException as error:
                failed.write_text(f"{type(error).__name__}: {error}", encoding="utf-8")
                raise
            done.touch()
    return folder


# The shared report's date, as a reproducible build sets it: test_reproducible builds it again.
SOURCE_DATE_EPOCH = "1677628800"  # 1 March 2023, 00:00 UTC


def build_every_edition(out: Path) -> None:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
        assert main(["build", "--year", "2022", "--all", "--out", str(out)]) == 0


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """The 2022 report as `jaarverslag build --year 2022 --all` makes it: every edition, dated
    by SOURCE_DATE_EPOCH."""
    return once_per_run(tmp_path_factory, "report-2022", build_every_edition) / "2022"


def build_with_previous_year(folder: Path) -> None:
    """data/2022 as it is and a made-up data/2023 (2022 times 1.1, see test_yoy), built for 2023:
    the HTML book, which its tests read (`--html-only`; the 2022 report has the PDF)."""
    from test_yoy import make_previous_year

    data = folder / "data"
    shutil.copytree(DATA_DIR / "2022", data / "2022")
    make_previous_year(data, year=2023, factor=1.1, source=2022)
    assert main(["build", "--year", "2023", "--data-dir", str(data), "--out", str(folder / "out"), "--html-only"]) == 0


@pytest.fixture(scope="session")
def report_with_previous_year(tmp_path_factory) -> Path:
    """The whole organisation's 2023 edition of a report that compares with 2022: its html/ folder."""
    out = once_per_run(tmp_path_factory, "report-2023-vorig-jaar", build_with_previous_year) / "out" / "2023"
    entry = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["editions"]["wijkkracht"]
    return (out / entry["html"]).parent


@pytest.fixture(scope="session")
def manifest(built) -> dict:
    return json.loads((built / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def html_pages(built, manifest) -> dict[str, BeautifulSoup]:
    folder = (built / manifest["editions"]["wijkkracht"]["html"]).parent
    return {p.name: BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser")
            for p in sorted(folder.glob("*.html"))}


def text_of_pdf(pdf: Path, *, page: int | None = None) -> str:
    """A PDF's text as a reader's tool extracts it (poppler's pdftotext, in reading order), or one page's."""
    if shutil.which("pdftotext") is None:  # these checks must fail, not skip, where it is missing
        pytest.fail("pdftotext ontbreekt: installeer poppler-utils (make system-deps)", pytrace=False)
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *pages, str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture(scope="session")
def pdf_text(built, manifest, tmp_path_factory) -> str:
    """The text of the whole organisation's PDF, read once per run (it takes seconds)."""
    def extract(folder: Path) -> None:
        text = text_of_pdf(built / manifest["editions"]["wijkkracht"]["pdf"])
        (folder / "wijkkracht.txt").write_text(text, encoding="utf-8")

    return (once_per_run(tmp_path_factory, "report-2022-pdf", extract) / "wijkkracht.txt").read_text(encoding="utf-8")


# ---- a small book of our own, for builds that must fail, hang or race ----

def notebook(code: str) -> dict:
    """A chapter notebook: a title, the parameters cell and one cell of `code`."""
    cells = [
        {"cell_type": "markdown", "id": "title", "metadata": {}, "source": "# Proef"},
        {"cell_type": "code", "id": "params", "metadata": {"tags": ["parameters"]}, "execution_count": None,
         "outputs": [], "source": "year = 2022\ngemeente = None\ndata_dir = None\nsuppress_below = None"},
        {"cell_type": "code", "id": "body", "metadata": {}, "execution_count": None, "outputs": [],
         "source": code},
    ]
    return {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}}


RENDER_PROJECT = Path(__file__).parent / "fixtures" / "render" / "project"  # a small executed book


def render_meta(colophon: dict[str, str], **more: object) -> dict:
    """What a renderer is given for the fixture book: the cover's facts and this colofon."""
    return {"title": "Jaarverslag 2022", "subtitle": "Wijkkracht, sociaal werk in Twente",
            "organisation": "Wijkkracht", "year": 2022, "colophon": colophon, **more}


def ended(process: subprocess.Popen, timeout: float = 60) -> tuple[str, str]:
    """The output of a build started with `python -X faulthandler`, once it ends. One that does
    not end within `timeout` seconds fails the test with where each of its threads was."""
    try:
        return process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGABRT)  # faulthandler prints every thread's stack
        _, err = process.communicate(timeout=60)
        pytest.fail(f"the build did not end within {timeout} s; its threads were at:\n{err[-8000:]}")


def processes_in(folder: Path) -> list[int]:
    """Kernels of a build under `folder`: one that jupyter_client started names its connection
    file on its command line; one forked by the fork server has the server's command line and
    runs in its notebook's folder. (Not what a kernel itself starts for a moment.)"""
    mine = str(folder).encode()
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                line = (proc / "cmdline").read_bytes()
                forked = b"forkserver.py" in line and (os.readlink(proc / "cwd") + "/").startswith(f"{folder}/")
                if mine in line or forked:
                    found.append(int(proc.name))
            except OSError:  # ended while we looked, or another user's
                pass
    return found


def orphaned_fork_servers() -> list[int]:
    """Fork servers (run/forkserver.py) whose process is gone: each names its own on its command line."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0") if proc.name.isdigit() else []
        except OSError:
            continue
        server = next((i for i, arg in enumerate(args) if arg.endswith(b"forkserver.py")), None)
        if server is not None and not Path(f"/proc/{int(args[server + 2])}").exists():
            found.append(int(proc.name))
    return found


def make_book(folder: Path, chapters: dict[str, str]) -> Path:
    """A book folder with _quarto.yml, index.qmd and one notebook per chapter; returns _quarto.yml."""
    from jaarverslag.paths import PROJ_ROOT

    (folder / "notebooks").mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJ_ROOT / "index.qmd", folder / "index.qmd")
    for name, code in chapters.items():
        (folder / "notebooks" / f"{name}.ipynb").write_text(json.dumps(notebook(code)), encoding="utf-8")
    listed = "\n".join(f"    - notebooks/{name}.ipynb" for name in chapters)
    (folder / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: Proef\n  chapters:\n    - index.qmd\n"
        f"{listed}\nlang: nl\nexecute:\n  enabled: false\n", encoding="utf-8")
    return folder / "_quarto.yml"


GOOD_CHAPTER = "from jaarverslag.chapters import clienten\nclienten.totalen(__import__('jaarverslag').Edition(year))"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every published file under folder with its content: to prove a report was left untouched.

    Locks, hidden staging folders of running or killed builds, and the notebooks kept
    from failed builds (_mislukt/) are not part of a report.
    """
    def published(path: Path) -> bool:
        parts = path.relative_to(folder).parts
        return path.is_file() and "_mislukt" not in parts and not any(p.startswith(".") for p in parts)

    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if published(p)}


# ---- a copied project with a sentinel beside it, for tests as a hostile user (hostile.py) ----

@pytest.fixture(scope="session")
def hostile_base(tmp_path_factory) -> Path:
    from hostile import make_base

    return once_per_run(tmp_path_factory, "hostile-base", make_base) / "proj"


@pytest.fixture
def hostile(hostile_base, tmp_path):
    from hostile import copy_project

    return copy_project(hostile_base, tmp_path)


# ---- slow or fast ----

# Fixtures that build a report or start a kernel or a browser (a test using one is slow).
SLOW_FIXTURES = {"built", "manifest", "html_pages", "pdf_text", "every_edition", "hostile", "hostile_base",
                 "published", "public_edition", "browser", "report_with_previous_year"}
# Functions that build a report or run a chapter in a kernel (a test calling one is slow).
STARTS_KERNELS = {"build_report", "build_all", "run_chapter", "run_chapters", "Runner"}


def names_used(function, module: str, seen: set | None = None) -> set[str]:
    """The global and attribute names a function's code uses, with those of the functions of
    its own module that it calls (a test's helpers)."""
    seen = set() if seen is None else seen
    seen.add(function)
    names: set[str] = set()
    codes = [function.__code__]
    while codes:
        code = codes.pop()
        names.update(code.co_names)
        codes += [c for c in code.co_consts if isinstance(c, CodeType)]  # nested functions, lambdas
    for name in list(names):
        helper = function.__globals__.get(name)
        if inspect.isfunction(helper) and helper.__module__ == module and helper not in seen:
            names |= names_used(helper, module, seen)
    return names


def asks_for_slow_fixture(item: pytest.Item) -> bool:
    """A fixture of the test that takes a slow one by name (`request.getfixturevalue("built")`)."""
    definitions = getattr(getattr(item, "_fixtureinfo", None), "name2fixturedefs", {})
    for definition in (d for defs in definitions.values() for d in defs):
        code = getattr(definition.func, "__code__", None)
        if code is not None and SLOW_FIXTURES & set(code.co_consts):
            return True
    return False


def is_slow(item: pytest.Item) -> bool:
    if item.path.suffix == ".ipynb":  # a notebook cell, run by nbval in a kernel
        return True
    if SLOW_FIXTURES & set(getattr(item, "fixturenames", ())) or asks_for_slow_fixture(item):
        return True
    function = getattr(item, "function", None)
    return function is not None and bool(STARTS_KERNELS & names_used(function, function.__module__))


# Run first, in this order: the file that builds the shared reports, then the longest files that
# need none of them, so the other process runs those while the first builds (pytest-xdist hands
# out the files in the order collected). The rest follow as collected.
FIRST = ("test_a11y.py", "test_cache.py", "test_hostile_run.py", "test_failures.py", "test_hostile_cache.py")


@pytest.hookimpl(tryfirst=True)  # before `-m` selects on the marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if is_slow(item):
            item.add_marker(pytest.mark.slow)
    items.sort(key=lambda item: FIRST.index(item.path.name) if item.path.name in FIRST else len(FIRST))
