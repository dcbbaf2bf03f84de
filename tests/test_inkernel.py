"""What a chapter kernel runs of ours (`jaarverslag.run.inkernel`), tested in this process.

An IPython `InteractiveShell` stands in for the kernel's shell. The round trip
through real kernels is in tests/test_cache.py.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

from jaarverslag.run import inkernel, trace


@pytest.fixture
def shell(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[InteractiveShell]:
    """An IPython shell in this process (no history file), in a folder of the test's own."""
    from traitlets.config import Config

    monkeypatch.chdir(tmp_path)
    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    shell = InteractiveShell(config=config)
    try:
        yield shell
    finally:
        trace.end()
        if shell.history_manager is not None:
            shell.history_manager.end_session()


def test_after_every_cell_the_kernel_writes_what_the_notebook_read_so_far(
        shell: InteractiveShell, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project, elsewhere, data = tmp_path / "project", tmp_path / "elders", tmp_path / "project" / "data"
    for folder in (project, elsewhere, data):
        folder.mkdir(exist_ok=True)
    for name in ("a.csv", "b.csv"):
        (data / name).write_text("x\n1\n", encoding="utf-8")
    (elsewhere / "c.csv").write_text("x\n", encoding="utf-8")
    out = tmp_path / "reads.json"
    for key, value in inkernel.instructions([str(project)], [], [str(data)], str(out)).items():
        monkeypatch.setenv(key, value)

    inkernel.load_ipython_extension(shell)
    assert inkernel.ENV not in os.environ, "the notebook does not see the instructions"
    before = json.loads(out.read_text(encoding="utf-8"))  # written before the first cell
    assert trace.LISTING + str(data) in before and not [r for r in before if r.endswith(".csv")]
    assert inkernel.__file__ in before  # the package's loaded modules count as read

    shell.run_cell(f"open({str(data / 'a.csv')!r}).read(); open({str(elsewhere / 'c.csv')!r}).read()")
    first = inkernel.reads(str(out))
    assert str(data / "a.csv") in first and str(elsewhere / "c.csv") not in first  # only under the roots
    shell.run_cell(f"open({str(data / 'b.csv')!r}).read(); open({str(data / 'nieuw.csv')!r}, 'w').write('1')")
    second = inkernel.reads(str(out))
    assert {str(data / "a.csv"), str(data / "b.csv")} <= set(second)
    assert str(data / "nieuw.csv") not in second  # written, not read
    assert not list(tmp_path.glob("*.part"))


def test_loaded_by_hand_without_instructions_it_records_nothing(shell: InteractiveShell,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(inkernel.ENV, raising=False)
    inkernel.load_ipython_extension(shell)  # e.g. %load_ext in JupyterLab
    assert trace.so_far() == []


def test_the_data_files_that_passed_the_builds_validation_are_trusted_in_the_kernel(
        shell: InteractiveShell, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jaarverslag.data import read

    monkeypatch.setattr(read, "_trusted", {})
    passed = {str(tmp_path / "data" / "2022" / "clienten.csv"): "ab" * 32}
    for key, value in inkernel.instructions([str(tmp_path)], [], [], str(tmp_path / "reads.json"),
                                            passed=passed).items():
        monkeypatch.setenv(key, value)
    inkernel.load_ipython_extension(shell)
    assert read._trusted == passed
