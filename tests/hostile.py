"""A hostile user's workbench, shared by tests/test_hostile_*.py.

Each test gets its own copy of a small project (the shipped 2022 data, the real
`clienten` and `tot_slot` chapters, and a good report already built in its
`build/`), with a sentinel folder beside it. It runs `jaarverslag` as a user
would, from the project folder (in this process through the CLI's `main`, or in
a new process where a test needs one), and then asserts four things:

- the exit code;
- the message (one Dutch sentence on stderr, never a traceback);
- that the published tree under `build/` is byte-identical (`published`);
- that nothing outside `build/` was written, changed or deleted (`outside`):
  the project's own files and the sentinel folder beside it.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHAPTERS = ("clienten", "tot_slot")


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str

    @property
    def said(self) -> str:
        return self.out + self.err


@dataclass(frozen=True)
class Project:
    root: Path  # the project folder, a copy
    sentinel: Path  # a folder beside it that no build may touch

    @property
    def data(self) -> Path:
        return self.root / "data" / "2022"

    @property
    def build(self) -> Path:
        return self.root / "build"

    def run(self, *args: str, timeout: float = 300, env: dict | None = None, cwd: Path | None = None,
            fresh: bool = False) -> Result:
        """`jaarverslag ARGS` from the project folder (or `cwd`), as a user runs it.

        In this process through the CLI's own `main` (what the user sees is what it
        prints and returns), or in a new process with `fresh` or an `env` of its own.
        """
        if fresh or env is not None:
            environ = {k: v for k, v in os.environ.items() if k != "JAARVERSLAG_PROJECT"}
            environ.update(CI="true", **(env or {}))
            done = subprocess.run([sys.executable, "-m", "jaarverslag.cli", *args], cwd=cwd or self.root,
                                  capture_output=True, text=True, timeout=timeout, env=environ)
            return Result(done.returncode, done.stdout, done.stderr)
        return _in_process(list(args), cwd or self.root)

    def published(self) -> dict[str, bytes]:
        """Every published file under build/ with its bytes (not the cache, locks or staging)."""
        def shown(path: Path) -> bool:
            parts = path.relative_to(self.build).parts
            return path.is_file() and "_mislukt" not in parts and not any(p.startswith(".") for p in parts)

        return {str(p.relative_to(self.build)): p.read_bytes()
                for p in sorted(self.build.rglob("*")) if shown(p)}

    def outside(self) -> dict[str, bytes]:
        """Every file beside build/: the project's own and the sentinel's, with their bytes."""
        base = self.root.parent
        found = {}
        for path in sorted(base.rglob("*")):
            if path == self.build or self.build in path.parents:
                continue
            if path.is_symlink() or path.is_file():
                found[str(path.relative_to(base))] = path.read_bytes() if path.is_file() else b"->link"
            elif path.is_dir():
                found[str(path.relative_to(base)) + "/"] = b""
        return found


def _in_process(args: list[str], cwd: Path) -> Result:
    """`jaarverslag.cli.main(args)` as if started in `cwd`: its exit code and what it printed."""
    from jaarverslag.cli import main

    out, err = io.StringIO(), io.StringIO()
    saved = {name: os.environ.get(name) for name in ("JAARVERSLAG_PROJECT", "CI")}
    here = os.getcwd()
    os.environ.pop("JAARVERSLAG_PROJECT", None)
    os.environ["CI"] = "true"
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(args)
            except SystemExit as stop:  # argparse refuses the command line this way
                code = stop.code if isinstance(stop.code, int) else 1
    finally:
        os.chdir(here)
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return Result(code, out.getvalue(), err.getvalue())


def make_base(folder: Path) -> Path:
    """A small project in folder/proj: two real chapters, the 2022 data, and its good report built."""
    root = folder / "proj"
    (root / "notebooks").mkdir(parents=True)
    shutil.copytree(REPO / "data" / "2022", root / "data" / "2022")
    shutil.copy(REPO / "index.qmd", root / "index.qmd")
    for name in CHAPTERS:
        shutil.copy(REPO / "notebooks" / f"{name}.ipynb", root / "notebooks" / f"{name}.ipynb")
    listed = "\n".join(f"    - notebooks/{name}.ipynb" for name in CHAPTERS)
    (root / "_quarto.yml").write_text(
        "project:\n  type: book\n  output-dir: build/_book\nbook:\n  title: Jaarverslag\n"
        "  author: Wijkkracht, sociaal werk in Twente\n"
        f"  chapters:\n    - index.qmd\n{listed}\nlang: nl\nexecute:\n  enabled: false\n", encoding="utf-8")
    project = Project(root, folder / "sentinel")
    for args in (["build", "--year", "2022"], ["build", "--year", "2022", "--gemeente", "Hengelo"]):
        result = project.run(*args)
        assert result.code == 0, result.said
    return root


def copy_project(base: Path, folder: Path) -> Project:
    """A private copy of the base project, with a sentinel folder beside it."""
    root = folder / "proj"
    shutil.copytree(base, root, symlinks=True)
    sentinel = folder / "sentinel"
    sentinel.mkdir()
    (sentinel / "bewaar.txt").write_text("niet aankomen\n", encoding="utf-8")
    return Project(root, sentinel)


def assert_refused(project: Project, result: Result, message: str, *, code: int = 1,
                   before: tuple[dict, dict]) -> None:
    """Refused with `message`, as one sentence and no traceback, and nothing published or touched."""
    assert result.code == code, result.said
    assert message in result.err, result.said
    assert "Traceback" not in result.said, result.said
    published, outside = before
    assert project.published() == published, "the published report changed"
    assert project.outside() == outside, "something outside build/ changed"


def state(project: Project) -> tuple[dict, dict]:
    """What `assert_refused` compares with: the published tree and everything outside build/."""
    return project.published(), project.outside()
