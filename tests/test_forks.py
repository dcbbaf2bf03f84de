"""Kernels forked from the fork server (run/forks.py): the same kernel as one jupyter_client starts.

A notebook prints what a chapter could notice of how its kernel was started; it runs
once in a forked kernel and once in a kernel started as jupyter_client starts it
(the fork server switched off), and both print the same.
"""

import json
from pathlib import Path

import pytest
from conftest import make_book

import jaarverslag.run.forks
from jaarverslag.run.execute import run_chapter

STATE = """import json, os, signal, sys, warnings
import matplotlib
forked = b"forkserver.py" in open("/proc/self/cmdline", "rb").read()
seen = {
    "globals": sorted(k for k in globals() if not k.startswith("_")),
    "name": __name__, "argv": sys.argv[1:2], "path": sys.path, "cwd": os.getcwd(),
    "environ": sorted(set(os.environ) - {"JPY_PARENT_PID", "PYTEST_CURRENT_TEST"}),
    "backend": matplotlib.get_backend(), "own session": os.getsid(0) == os.getpid(),
    "signals": [str(signal.getsignal(s)) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD)],
    "stdin": os.isatty(0), "warnings": len(warnings.filters),
}
print(json.dumps([forked, seen]))"""


def printed(notebook: Path) -> list:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    text = "".join("".join(o.get("text", "")) for c in cells if c["cell_type"] == "code" for o in c["outputs"])
    return json.loads(text)


def test_a_forked_kernel_is_started_as_jupyter_client_starts_one(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    make_book(tmp_path / "boek", {"staat": STATE})
    source = tmp_path / "boek" / "notebooks" / "staat.ipynb"
    forked, seen = printed(run_chapter(source, tmp_path / "fork" / "staat.ipynb", {}).notebook)
    monkeypatch.setattr(jaarverslag.run.forks, "usable", lambda: False)
    started, plain = printed(run_chapter(source, tmp_path / "plain" / "staat.ipynb", {}).notebook)
    assert (forked, started) == (True, False)
    assert seen == plain
    assert seen["cwd"] == str(source.parent) and seen["own session"]
