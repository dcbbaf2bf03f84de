"""Runs inside a chapter kernel, not in the build: it records what the notebook reads.

Every notebook runs in a kernel of its own, started for it (`kernels.run_notebook`)
with this module as an IPython extension (`--ext`), so it is loaded before the
first cell. It reads its instructions from the environment (`ENV`, JSON: the roots
and exclusions to watch, the data roots to list, the file to write), starts the
recording (`trace.begin`), and after every cell writes the reads so far to that
file. The build reads the file once the notebook has run: the reads of the last
cell are written before the kernel answers that cell.

A build also names the data files that passed its validation, with their sha256
(`data.read.trust`): the notebook skips the rules for the same bytes.

Charts are kept in the build cache's `charts/` (`chapters.toolkit.drawn`).

A kernel started ahead of its notebook (a runner's spare, `kernels.Runner`) also
imports the `preload` modules while it waits: installed libraries only, never the
project's code, which may still change before the notebook runs.
"""

from __future__ import annotations

import importlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import trace

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

ENV = "JAARVERSLAG_TRACE"


def instructions(roots: list[str], exclude: list[str], data_roots: list[str], out: str,
                 preload: tuple[str, ...] = (), passed: dict[str, str] | None = None,
                 charts: str = "") -> dict[str, str]:
    """The environment a chapter kernel needs for this module: what to watch, where to write,
    what to import before the notebook comes, the data files that passed validation, and
    where charts drawn before are kept."""
    return {ENV: json.dumps({"roots": roots, "exclude": exclude, "data_roots": data_roots, "out": out,
                             "preload": list(preload), "passed": passed or {}, "charts": charts})}


def load_ipython_extension(shell: InteractiveShell) -> None:
    """IPython calls this when the kernel starts with `--ext jaarverslag.run.inkernel`."""
    raw = os.environ.pop(ENV, None)  # the notebook does not see it
    if raw is None:
        return  # loaded by hand (e.g. in JupyterLab): nothing to record
    config: dict[str, Any] = json.loads(raw)
    trace.install()
    trace.begin(config["roots"], config["exclude"])
    out: str = config["out"]

    def write(*_: object) -> None:
        partial = out + ".part"
        with open(partial, "w", encoding="utf-8") as file:
            json.dump(trace.so_far(config["data_roots"]), file)
        os.replace(partial, out)  # whole or not at all

    if config.get("passed"):
        from ..data import read

        read.trust(config["passed"])
    if config.get("charts"):
        from ..chapters.toolkit import drawn

        drawn.folder = Path(config["charts"])
    for module in config.get("preload", ()):
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001 - the notebook's own import will say what is wrong
            pass
    write()
    shell.events.register("post_run_cell", write)


def reads(out: str) -> list[str]:
    """What the kernel wrote: the files the notebook read."""
    with open(out, encoding="utf-8") as file:
        found: list[str] = json.load(file)
    return found
