"""Builds that fail, are killed or race never damage the last good report."""

import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import GOOD_CHAPTER, ended, make_book, snapshot

from jaarverslag.build import BuildBusy, build_report
from jaarverslag.run.execute import ChapterError

pytestmark = pytest.mark.slow



def slow_chapter(running: Path, until: str = "time.sleep(120)") -> str:
    """A chapter that says it runs (it makes the file `running`), then takes its time."""
    return f"import time\nfrom pathlib import Path\nPath({str(running)!r}).touch()\n{until}"


@pytest.fixture(scope="module")
def good_report(tmp_path_factory):
    """A good report, built once from a one-chapter book."""
    folder = tmp_path_factory.mktemp("good")
    book = make_book(folder / "good", {"een": GOOD_CHAPTER})
    build_report(2022, out_root=folder / "out", book_file=book)
    return folder / "out"


@pytest.fixture
def published(good_report, tmp_path):
    """A copy of the good report in out/, for one test to try to damage."""
    shutil.copytree(good_report, tmp_path / "out", symlinks=True)
    return tmp_path / "out"


def start_build(book, out) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-X", "faulthandler", "-m", "jaarverslag.cli", "build", "--year", "2022", "--out", str(out),
         "--book", str(book)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def wait_until_running(running: Path, process: subprocess.Popen, seconds: float = 300) -> None:
    """Until the build's kernel runs the slow chapter's cell: it holds the year's lock and its staging
    folder then, however loaded the machine is. (`seconds` only ends a build that never gets there.)"""
    deadline = time.monotonic() + seconds
    while not running.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the build never started its slow chapter"
        time.sleep(0.05)


def test_a_failing_chapter_names_chapter_cell_error_and_notebook(published, tmp_path):
    before = snapshot(published)
    book = make_book(tmp_path / "bad", {"een": GOOD_CHAPTER, "kapot": "x = 1\nraise ValueError('kapotte cel')"})
    with pytest.raises(ChapterError) as err:
        build_report(2022, out_root=published, book_file=book)
    message = str(err.value)
    assert "Hoofdstuk 'kapot'" in message and "cel" in message
    assert "ValueError: kapotte cel" in message
    assert err.value.notebook.is_file() and str(err.value.notebook) in message
    assert "kapotte cel" in err.value.notebook.read_text(encoding="utf-8")
    assert snapshot(published) == before


def test_the_cli_exits_non_zero_on_a_failing_chapter(published, tmp_path):
    book = make_book(tmp_path / "bad", {"kapot": "1 / 0"})
    result = subprocess.run([sys.executable, "-m", "jaarverslag.cli", "build", "--year", "2022",
                             "--out", str(published), "--book", str(book)], capture_output=True, text=True)
    assert result.returncode == 1
    assert "Hoofdstuk 'kapot'" in result.stderr and "ZeroDivisionError" in result.stderr


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT, signal.SIGTERM])
def test_a_killed_build_leaves_the_last_good_report(published, tmp_path, sig):
    before = snapshot(published)
    book = make_book(tmp_path / "slow", {"traag": slow_chapter(tmp_path / "loopt")})
    process = start_build(book, published)
    wait_until_running(tmp_path / "loopt", process)
    os.killpg(process.pid, sig)
    ended(process)
    assert process.returncode != 0
    assert snapshot(published) == before
    # the next build cleans up what the killed one left and publishes normally
    good = make_book(tmp_path / "good2", {"twee": GOOD_CHAPTER})
    build_report(2022, out_root=published, book_file=good)
    assert not list((published / "2022").glob(".wijkkracht-*"))
    assert (published / "2022" / "wijkkracht" / "html" / "twee.html").is_file()


def test_a_second_build_of_the_same_year_is_refused_while_one_runs(published, tmp_path):
    before = snapshot(published)
    book = make_book(tmp_path / "slow", {"traag": slow_chapter(tmp_path / "loopt")})
    process = start_build(book, published)
    try:
        wait_until_running(tmp_path / "loopt", process)
        with pytest.raises(BuildBusy, match="Er loopt al een build van 2022"):
            build_report(2022, out_root=published, book_file=book)
        result = subprocess.run([sys.executable, "-m", "jaarverslag.cli", "build", "--year", "2022",
                                 "--out", str(published), "--book", str(book)], capture_output=True, text=True)
        assert result.returncode == 1 and "Er loopt al een build van 2022" in result.stderr
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
    assert snapshot(published) == before


def test_a_waiting_build_goes_ahead_when_the_first_is_done(published, tmp_path, monkeypatch):
    go = tmp_path / "verder"
    # The first build's chapter runs until the second build says it waits: no race with a clock.
    book = make_book(tmp_path / "short", {"kort": slow_chapter(
        tmp_path / "loopt", until=f"while not Path({str(go)!r}).exists():\n    time.sleep(0.05)")})
    process = start_build(book, published)
    wait_until_running(tmp_path / "loopt", process)

    class Stderr(io.StringIO):
        def write(self, text: str) -> int:
            if "deze wacht daarop" in text:
                go.touch()
            return super().write(text)

    said = Stderr()
    monkeypatch.setattr(sys, "stderr", said)
    entry = build_report(2022, out_root=published, book_file=book, wait=300)
    assert "Er loopt al een build van 2022; deze wacht daarop" in said.getvalue()
    assert process.wait(timeout=120) == 0
    assert entry["chapters"]["kort"]["cached"]  # what the first build made, not run again
