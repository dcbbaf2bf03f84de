"""Builds that fail, are killed or race never damage the last good report."""

import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import GOOD_CHAPTER, make_book, snapshot

from jaarverslag.build import BuildBusy, build_report
from jaarverslag.run.execute import ChapterError

pytestmark = pytest.mark.slow

SLOW_CHAPTER = "import time\ntime.sleep(120)"


@pytest.fixture
def published(tmp_path):
    """A good report in out/, built from a one-chapter book."""
    book = make_book(tmp_path / "good", {"een": GOOD_CHAPTER})
    build_report(2022, out_root=tmp_path / "out", book_file=book)
    return tmp_path / "out"


def start_build(book, out) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "jaarverslag.cli", "build", "--year", "2022", "--out", str(out), "--book", str(book)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def wait_for_staging(out, process, seconds=60):
    """Until the build has started running chapters in its staging folder."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if list((out / "2022").glob(".wijkkracht-*/notebooks")):
            time.sleep(1.0)  # let the kernel start on the slow chapter
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.1)
    raise AssertionError("the build never started its chapters")


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
    book = make_book(tmp_path / "slow", {"traag": SLOW_CHAPTER})
    process = start_build(book, published)
    wait_for_staging(published, process)
    os.killpg(process.pid, sig)
    assert process.wait(timeout=60) != 0
    assert snapshot(published) == before
    # the next build cleans up what the killed one left and publishes normally
    good = make_book(tmp_path / "good2", {"twee": GOOD_CHAPTER})
    build_report(2022, out_root=published, book_file=good)
    assert not list((published / "2022").glob(".wijkkracht-*"))
    assert (published / "2022" / "wijkkracht" / "html" / "twee.html").is_file()


def test_a_second_build_of_the_same_year_is_refused_while_one_runs(published, tmp_path):
    before = snapshot(published)
    book = make_book(tmp_path / "slow", {"traag": SLOW_CHAPTER})
    process = start_build(book, published)
    try:
        wait_for_staging(published, process)
        with pytest.raises(BuildBusy, match="Er loopt al een build van 2022"):
            build_report(2022, out_root=published, book_file=book)
        result = subprocess.run([sys.executable, "-m", "jaarverslag.cli", "build", "--year", "2022",
                                 "--out", str(published), "--book", str(book)], capture_output=True, text=True)
        assert result.returncode == 1 and "Er loopt al een build van 2022" in result.stderr
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
    assert snapshot(published) == before


def test_a_waiting_build_goes_ahead_when_the_first_is_done(published, tmp_path, capsys):
    book = make_book(tmp_path / "short", {"kort": "import time\ntime.sleep(3)"})
    process = start_build(book, published)
    wait_for_staging(published, process)
    entry = build_report(2022, out_root=published, book_file=book, wait=120)
    assert "Er loopt al een build van 2022; deze wacht daarop" in capsys.readouterr().err
    assert process.wait(timeout=120) == 0
    assert entry["chapters"]["kort"]["seconds"] >= 3
