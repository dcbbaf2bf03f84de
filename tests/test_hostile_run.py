"""Builds that hang, are stopped, or meet a file system that will not cooperate.

As a hostile user (see hostile.py): a chapter that never ends, a build killed at
the worst moment of publishing, a read-only or full output folder. Each ends in
one Dutch sentence, the last good report stays whole and readable by others, and
no kernel (or its connection file, which holds the kernel's key) is left behind.
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import ended, orphaned_fork_servers, processes_in
from hostile import REPO, Project, Result, assert_refused, state

from jaarverslag.book import DEFAULT_CELL_TIMEOUT, BookError, read_book
from jaarverslag.publish import swap as publish

pytestmark = pytest.mark.slow

HANG = "import time\ntime.sleep(3600)"


def add_chapter(project: Project, name: str, code: str, *, alone: bool = False) -> None:
    """A chapter notebook `name` with one cell of `code`, listed in the copy's _quarto.yml after
    the others, or `alone` in place of them (so that a short cell time limit is its alone)."""
    from conftest import notebook

    (project.root / "notebooks" / f"{name}.ipynb").write_text(json.dumps(notebook(code)), encoding="utf-8")
    book = project.root / "_quarto.yml"
    text = book.read_text(encoding="utf-8")
    if alone:
        text = re.sub(r"    - notebooks/\w+\.ipynb\n", "", text)
        book.write_text(text.replace("    - index.qmd\n", f"    - index.qmd\n    - notebooks/{name}.ipynb\n"),
                        encoding="utf-8")
        return
    book.write_text(text.replace("    - notebooks/tot_slot.ipynb\n",
                                 f"    - notebooks/tot_slot.ipynb\n    - notebooks/{name}.ipynb\n"), encoding="utf-8")


@pytest.fixture
def private(tmp_path_factory) -> dict[str, str]:
    """A temp folder and a Jupyter runtime folder of the build's own, to see what it leaves there."""
    base = tmp_path_factory.mktemp("kernel-places")
    places = {"TMPDIR": base / "tmp", "JUPYTER_RUNTIME_DIR": base / "runtime"}
    for folder in places.values():
        folder.mkdir()
    return {name: str(folder) for name, folder in places.items()}


def connection_files(project: Project, private: dict[str, str]) -> list[Path]:
    """Kernel connection files (they hold the kernel's key) under build/ and in the build's temp folders."""
    found = list(project.build.rglob("kernel-*.json"))
    for folder in private.values():
        found += [p for p in Path(folder).rglob("*.json")]
    return found


def kernels_of(project: Project) -> list[int]:
    """Kernels of builds of this project, and fork servers whose build is gone (conftest)."""
    return processes_in(project.root) + orphaned_fork_servers()


def assert_nothing_left(project: Project, private: dict[str, str]) -> None:
    deadline = time.monotonic() + 120  # kernels of a killed build end when they see it gone; on a loaded machine later
    while kernels_of(project) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not kernels_of(project), "a kernel process is still running"
    assert not connection_files(project, private), "a kernel connection file was left behind"
    run = project.build / ".run"
    assert not run.exists() or not any(run.iterdir()), "a connection folder was left behind"


# ---- execution limits ----

def test_a_hanging_chapter_is_stopped_and_named_with_its_cell(hostile: Project, private: dict[str, str]) -> None:
    add_chapter(hostile, "traag", HANG, alone=True)
    before = state(hostile)
    started = time.monotonic()
    result = hostile.run("build", "--year", "2022", "--timeout", "3", env=private)
    assert time.monotonic() - started < 120
    assert_refused(hostile, result, "Hoofdstuk 'traag' liep in cel 3 langer dan 3 s en is gestopt", before=before)
    assert "--timeout" in result.err and "_mislukt" in result.err
    assert (hostile.build / "2022" / "_mislukt" / "wijkkracht" / "traag.ipynb").is_file()
    assert len(result.err.strip().splitlines()) == 1, result.err  # one sentence, no log lines
    assert_nothing_left(hostile, private)


def test_the_default_cell_timeout_is_read_from_quarto_yml(hostile: Project, private: dict[str, str]) -> None:
    add_chapter(hostile, "traag", HANG, alone=True)
    book = hostile.root / "_quarto.yml"
    book.write_text(book.read_text(encoding="utf-8") + "jaarverslag:\n  cell-timeout: 2\n", encoding="utf-8")
    before = state(hostile)
    result = hostile.run("build", "--year", "2022", env=private)
    assert_refused(hostile, result, "Hoofdstuk 'traag' liep in cel 3 langer dan 2 s", before=before)


def test_a_kernel_whose_cell_timed_out_is_ended_and_the_next_notebook_runs(tmp_path: Path) -> None:
    from conftest import make_book
    from nbclient.exceptions import CellTimeoutError

    from jaarverslag.run.kernels import Job, Runner

    make_book(tmp_path / "boek", {"traag": HANG, "snel": "x = 1"})
    pool = Runner(1, files=tmp_path / ".run")

    def job(name: str) -> Job:
        return Job(None, tmp_path / "boek" / "notebooks" / f"{name}.ipynb", tmp_path / "uit" / f"{name}.ipynb",
                   {}, [], [], [], timeout=2)

    try:
        slow = pool.submit(job("traag"))
        slow.wait()
        assert isinstance(slow.error, CellTimeoutError)
        fast = pool.submit(job("snel"))
        fast.wait()
        assert fast.error is None and pool.started_kernels == 2
        assert processes_in(tmp_path) == [], "a kernel is still running"
    finally:
        pool.stop()
    assert not list((tmp_path / ".run").iterdir())


@pytest.mark.parametrize("spares", [1, 2])
def test_a_spare_kernel_has_its_libraries_loaded_sees_nothing_of_the_notebook_before_and_stops_with_the_runner(
        tmp_path: Path, spares: int) -> None:
    from conftest import make_book

    from jaarverslag.run.kernels import PRELOAD, Job, Runner

    look = f"import sys\nprint(sorted(m for m in {PRELOAD!r} if m in sys.modules), 'x' in dir(), flush=True)\nx = 1"
    make_book(tmp_path / "boek", {"eerste": look, "tweede": look})
    make_book(tmp_path / "ander", {"derde": look})
    pool = Runner(1, files=tmp_path / ".run", spares=spares)

    def run(book: str, name: str) -> str:
        job = pool.submit(Job(None, tmp_path / book / "notebooks" / f"{name}.ipynb",
                              tmp_path / "uit" / f"{name}.ipynb", {}, [], [], []))
        job.wait()
        assert job.error is None, job.error
        cells = json.loads(job.target.read_text(encoding="utf-8"))["cells"]
        return "".join("".join(o.get("text", "")) for c in cells if c["cell_type"] == "code" for o in c["outputs"])

    def settled(started: int) -> None:
        """Once the spares after the last notebook are up: `started` kernels so far, the spares running."""
        deadline = time.monotonic() + 120  # not timed: a spare may still be starting
        while ((pool.started_kernels, len(processes_in(tmp_path))) != (started, spares)
               and time.monotonic() < deadline):
            time.sleep(0.1)
        assert pool.started_kernels == started
        assert len(processes_in(tmp_path)) == spares, "only the spares run between notebooks"

    try:
        first = run("boek", "eerste")  # in a kernel of its own; a spare is started after it
        assert first.strip().endswith("False"), first
        settled(1 + spares)
        spare = run("boek", "tweede")
        assert spare.strip() == f"{sorted(PRELOAD)} False", "not a spare, or it saw the notebook before it"
        settled(2 + spares)  # one spare taken, one started
        assert run("ander", "derde").strip().endswith("False")  # another folder: not those spares
        settled(3 + 2 * spares)  # a new kernel for it (the other spares ended), and new spares after it
    finally:
        pool.stop()
    assert processes_in(tmp_path) == [], "the spare kernel outlived its runner"
    assert not list((tmp_path / ".run").iterdir())


def test_the_cell_timeout_in_quarto_yml_must_be_a_number_of_seconds(tmp_path: Path) -> None:
    from conftest import make_book

    book = make_book(tmp_path, {"een": "1"})
    assert read_book(book).cell_timeout == DEFAULT_CELL_TIMEOUT
    assert read_book(REPO / "_quarto.yml").cell_timeout == 120
    for value, expected in (("45", 45.0), ("0.5", 0.5)):
        book.write_text(book.read_text(encoding="utf-8").split("jaarverslag:")[0]
                        + f"jaarverslag:\n  cell-timeout: {value}\n", encoding="utf-8")
        assert read_book(book).cell_timeout == expected
    for value in ("0", "-3", "twee", "true", "[1]", ".inf", ".nan"):
        book.write_text(book.read_text(encoding="utf-8").split("jaarverslag:")[0]
                        + f"jaarverslag:\n  cell-timeout: {value}\n", encoding="utf-8")
        with pytest.raises(BookError, match="cell-timeout moet een aantal seconden groter dan 0 zijn"):
            read_book(book)


# ---- kernels and their connection files on every way out ----

def test_a_failing_chapter_leaves_no_kernel_and_no_connection_file(hostile: Project, private: dict[str, str]) -> None:
    add_chapter(hostile, "kapot", "raise ValueError('kapot')")
    before = state(hostile)
    result = hostile.run("build", "--year", "2022", env=private)
    assert_refused(hostile, result, "Hoofdstuk 'kapot' faalde in cel", before=before)
    assert_nothing_left(hostile, private)


def test_a_killed_builds_connection_files_go_at_the_next_start_even_with_nothing_to_build(hostile: Project) -> None:
    """A SIGKILL leaves its kernels' keys in build/.run; the next build removes them, also one
    that starts no kernel because the report is up to date."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True, check=True).stdout.strip()
    left = hostile.build / ".run" / f"{dead}-abc123"
    left.mkdir(parents=True)
    (left / "kernel-0.json").write_text('{"key": "geheim"}', encoding="utf-8")
    result = hostile.run("build", "--year", "2022")
    assert result.code == 0, result.said
    assert not left.exists()


def test_a_stop_request_ends_a_wait_whose_keyboardinterrupt_python_swallowed() -> None:
    """Ctrl-C raised inside a finalizer (garbage collection in the main thread) is swallowed by
    Python, and a build then waited for its chapter forever (seen in CI); the flag is not lost."""
    from jaarverslag.run.kernels import Job, stop_requested

    job = Job(None, Path("traag.ipynb"), Path("uit.ipynb"), {}, [], [], [])
    stop_requested.set()
    try:
        with pytest.raises(KeyboardInterrupt):
            job.wait()
    finally:
        stop_requested.clear()


def test_the_command_gives_a_caller_its_signal_handlers_back(hostile: Project) -> None:
    from jaarverslag.cli import main

    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    main(["validate", "--year", "2022", "--project", str(hostile.root)])
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_a_stopped_build_leaves_no_kernel_and_no_connection_file(hostile: Project, private: dict[str, str],
                                                                 sig: int) -> None:
    running = Path(private["TMPDIR"]).parent / "loopt"  # beside the project's folder: not in outside()
    # alone: the rebuild after SIGKILL has a 1 s cell limit, which must not fall on real chapters
    add_chapter(hostile, "traag", f"from pathlib import Path\nPath({str(running)!r}).touch()\n{HANG}", alone=True)
    before = state(hostile)
    environ = {k: v for k, v in os.environ.items() if k != "JAARVERSLAG_PROJECT"}
    process = subprocess.Popen([sys.executable, "-X", "faulthandler", "-m", "jaarverslag.cli", "build", "--year",
                                "2022"], cwd=hostile.root, env={**environ, "CI": "true", **private},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # Stopped while the hanging cell runs in its kernel (the cell says so), not after a guess of
    # how long a kernel takes to start on this machine today.
    deadline = time.monotonic() + 300
    while not running.exists():
        assert process.poll() is None and time.monotonic() < deadline, process.communicate()
        time.sleep(0.05)
    process.send_signal(sig)
    out, err = ended(process)
    assert hostile.published() == before[0] and hostile.outside() == before[1]
    if sig == signal.SIGKILL:
        # Nothing runs to clean up: the kernels end when they see their parent gone, and the
        # next build removes the dead build's connection folder before it starts a kernel.
        assert list(hostile.build.glob(".run/*/kernel-*.json"))
        result = hostile.run("build", "--year", "2022", "--timeout", "1", env=private)
        assert result.code == 1 and "liep in cel 3 langer dan 1 s" in result.err, result.said
    else:
        assert process.returncode == 130, err
        assert "Afgebroken" in err and "Traceback" not in out + err
    assert_nothing_left(hostile, private)


# ---- publishing: readable, and never a gap that a crash makes permanent ----

def modes(tree: Path) -> dict[str, int]:
    return {str(p.relative_to(tree)): stat.S_IMODE(p.stat().st_mode) for p in [tree, *tree.rglob("*")]}


def test_a_published_edition_is_readable_by_others(hostile: Project) -> None:
    edition = hostile.build / "2022" / "wijkkracht"
    index = hostile.root / "index.qmd"
    index.write_text(index.read_text(encoding="utf-8") + "\nEen zin erbij.\n", encoding="utf-8")
    old = os.umask(0o022)
    try:
        result = hostile.run("build", "--year", "2022")  # renders and publishes a new edition
    finally:
        os.umask(old)
    assert result.code == 0, result.said
    assert "Een zin erbij." in (edition / "html" / "index.html").read_text(encoding="utf-8")
    found = modes(edition)
    assert found[str(Path("."))] == 0o755
    assert {m for p, m in found.items() if (edition / p).is_dir()} == {0o755}
    assert {m for p, m in found.items() if (edition / p).is_file()} == {0o644}


def test_an_edition_published_with_mode_0700_is_made_readable_on_the_next_build(hostile: Project) -> None:
    edition = hostile.build / "2022" / "hengelo"
    edition.chmod(0o700)  # as builds before this fix left it
    before = hostile.published()
    result = hostile.run("build", "--year", "2022", "--gemeente", "Hengelo")
    assert result.code == 0, result.said
    assert stat.S_IMODE(edition.stat().st_mode) == 0o755
    assert {k: v for k, v in hostile.published().items() if k.startswith("hengelo")} == \
        {k: v for k, v in before.items() if k.startswith("hengelo")}


def test_published_modes_follow_the_umask(tmp_path: Path) -> None:
    staging = Path(__import__("tempfile").mkdtemp(dir=tmp_path))
    (staging / "html").mkdir(mode=0o700)
    (staging / "html" / "index.html").write_text("<p>x</p>")
    (staging / "html" / "index.html").chmod(0o600)
    old = os.umask(0o027)
    try:
        publish.publish(staging, tmp_path / "wijkkracht")
    finally:
        os.umask(old)
    found = modes(tmp_path / "wijkkracht")
    assert found == {".": 0o750, "html": 0o750, "html/index.html": 0o640}


def make_edition(folder: Path, text: str) -> Path:
    (folder / "html").mkdir(parents=True)
    (folder / "html" / "index.html").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize("exchange", [True, False])
def test_publish_replaces_the_edition_with_or_without_exchange(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               exchange: bool) -> None:
    if not exchange:
        monkeypatch.setattr(publish, "_exchange", lambda a, b: False)
    final = make_edition(tmp_path / "wijkkracht", "oud")
    staging = make_edition(tmp_path / ".wijkkracht-abc", "nieuw")
    publish.publish(staging, final)
    assert (final / "html" / "index.html").read_text(encoding="utf-8") == "nieuw"
    assert not publish.old_copy(final).exists()


def test_a_failed_second_rename_puts_the_old_edition_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(publish, "_exchange", lambda a, b: False)
    final = make_edition(tmp_path / "wijkkracht", "oud")
    staging = make_edition(tmp_path / ".wijkkracht-abc", "nieuw")
    real = os.rename

    def rename(src: str | Path, dst: str | Path) -> None:
        if Path(src) == staging:
            raise OSError(28, "No space left on device", str(dst))
        real(src, dst)

    monkeypatch.setattr(publish.os, "rename", rename)
    with pytest.raises(OSError):
        publish.publish(staging, final)
    assert (final / "html" / "index.html").read_text(encoding="utf-8") == "oud"
    assert not publish.old_copy(final).exists()


def test_recover_after_a_kill_after_the_second_rename(tmp_path: Path) -> None:
    final = make_edition(tmp_path / "wijkkracht", "nieuw")
    make_edition(publish.old_copy(final), "oud")
    assert publish.recover(tmp_path) == []
    assert (final / "html" / "index.html").read_text(encoding="utf-8") == "nieuw"
    assert not publish.old_copy(final).exists()


KILLED_MID_SWAP = textwrap.dedent("""
    import os, signal, sys
    from jaarverslag.publish import swap as publish
    publish._exchange = lambda a, b: False  # a file system without RENAME_EXCHANGE
    real = os.rename
    def rename(src, dst):
        real(src, dst)
        if str(dst).endswith(publish.OLD_SUFFIX):  # the edition is aside, the new one not yet in
            os.kill(os.getpid(), signal.SIGKILL)
    os.rename = rename
    from jaarverslag.cli import main
    sys.exit(main(["build", "--year", "2022"]))
""")


def test_a_kill_between_the_two_renames_is_recovered_at_the_next_start(hostile: Project) -> None:
    year = hostile.build / "2022"
    before = hostile.published()
    index = hostile.root / "index.qmd"
    original = index.read_text(encoding="utf-8")
    index.write_text(original + "\nEen zin erbij.\n", encoding="utf-8")  # so the build publishes
    environ = {k: v for k, v in os.environ.items() if k != "JAARVERSLAG_PROJECT"}
    killed = subprocess.run([sys.executable, "-c", KILLED_MID_SWAP], cwd=hostile.root, env={**environ, "CI": "true"},
                            capture_output=True, text=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert not (year / "wijkkracht").exists()  # the gap the kill made permanent...
    assert (year / ".wijkkracht.oud" / "html" / "index.html").is_file()  # ...and its journal
    index.write_text(original, encoding="utf-8")
    # The next build puts the edition back as it starts, before a chapter fails: what is
    # published then is exactly the report from before the killed build, manifest and all.
    add_chapter(hostile, "kapot", "raise ValueError('kapot')")
    outside = hostile.outside()
    result = hostile.run("build", "--year", "2022")
    assert_refused(hostile, result, "Hoofdstuk 'kapot' faalde", before=(before, outside))
    assert not (year / ".wijkkracht.oud").exists()


# ---- an output folder that is read-only or full ----

IN_NAMESPACE = textwrap.dedent("""
    # Run as root in a private mount namespace: mount, run jaarverslag, report what build/ holds.
    import json, os, subprocess, sys
    sys.path.insert(0, sys.argv[1])
    from pathlib import Path
    from hostile import Project
    root, setup, args = Path(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
    subprocess.run(["sh", "-ec", setup], cwd=root, check=True)
    environ = {k: v for k, v in os.environ.items() if k != "JAARVERSLAG_PROJECT"}
    done = subprocess.run([sys.executable, "-m", "jaarverslag.cli", *args], cwd=root, capture_output=True,
                          text=True, env={**environ, "CI": "true"})
    published = Project(root, root.parent / "sentinel").published()
    print(json.dumps({"code": done.returncode, "out": done.stdout, "err": done.stderr,
                      "published": {k: v.hex() for k, v in published.items()}}))
""")


def can_mount() -> bool:
    if not shutil.which("unshare") or os.geteuid() != 0:
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs none /mnt"], capture_output=True)
    return probe.returncode == 0


def in_namespace(project: Project, setup: str, *args: str) -> tuple[Result, dict[str, bytes]]:
    """`jaarverslag ARGS` after the mounts in `setup`; returns its result and the published tree it saw."""
    done = subprocess.run(["unshare", "-m", sys.executable, "-c", IN_NAMESPACE, str(REPO / "tests"),
                           str(project.root), setup, json.dumps(args)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    return Result(seen["code"], seen["out"], seen["err"]), {k: bytes.fromhex(v) for k, v in seen["published"].items()}


needs_mounts = pytest.mark.skipif(not can_mount(), reason="needs root and a private mount namespace (unshare -m)")


@needs_mounts
def test_a_read_only_output_folder_is_one_sentence(hostile: Project) -> None:
    index = hostile.root / "index.qmd"
    index.write_text(index.read_text(encoding="utf-8") + "\nEen zin erbij.\n", encoding="utf-8")
    before = state(hostile)
    result, seen = in_namespace(hostile, "mount --bind build/2022 build/2022 && mount -o remount,bind,ro build/2022",
                                "build", "--year", "2022")
    assert seen == before[0]
    assert_refused(hostile, result, f"Geen toestemming om {hostile.build / '2022'}", before=before)
    assert len(result.err.strip().splitlines()) == 1, result.err


@needs_mounts
def test_a_full_disk_is_one_sentence_and_the_last_report_stays(hostile: Project) -> None:
    index = hostile.root / "index.qmd"
    index.write_text(index.read_text(encoding="utf-8") + "\nEen zin erbij.\n", encoding="utf-8")
    before = state(hostile)
    # build/2022 on a small file system of its own, with the report on it and no room left.
    setup = ("copy=$(mktemp -d) && cp -a build/2022/. $copy/ && "
             "mount -t tmpfs -o size=$(( $(du -sk build/2022 | cut -f1) + 2048 ))k none build/2022 && "
             "cp -a $copy/. build/2022/ && rm -rf $copy && "
             "(dd if=/dev/zero of=build/2022/.vol bs=4k 2>/dev/null || true)")
    result, seen = in_namespace(hostile, setup, "build", "--year", "2022")
    assert seen == before[0], "the last report changed on the full disk"
    assert_refused(hostile, result, f"De schijf is vol: {hostile.build}", before=before)
    assert len(result.err.strip().splitlines()) == 1, result.err


def test_a_full_disk_while_publishing_is_one_sentence_in_process(hostile: Project, monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """Without mounts too: the swap itself fails for want of room (as a rename on a full disk can)."""
    from jaarverslag.cli import main

    index = hostile.root / "index.qmd"
    index.write_text(index.read_text(encoding="utf-8") + "\nEen zin erbij.\n", encoding="utf-8")
    before = state(hostile)

    def full(a: Path, b: Path) -> bool:
        raise OSError(errno.ENOSPC, "No space left on device", str(b))

    monkeypatch.setattr(publish, "_exchange", full)
    monkeypatch.delenv("JAARVERSLAG_PROJECT", raising=False)
    code = main(["build", "--year", "2022", "--html-only", "--project", str(hostile.root)])
    err = capsys.readouterr().err
    assert_refused(hostile, Result(code, "", err),
                   f"De schijf is vol: {hostile.build / '2022' / 'wijkkracht'} kon niet worden geschreven",
                   before=before)
    assert len(err.strip().splitlines()) == 1, err
    assert not list((hostile.build / "2022").glob(".wijkkracht*")), "staging or an old copy was left behind"
