"""What a piece of work read, recorded while it runs: the inputs of the build cache.

A chapter's cached output is only valid while everything it read is unchanged. No
hand-kept list says what that is; it is recorded at run time:

- `record(path)`: `data.read.find_file`, `data.read.validate_year` and `prose.read` note every
  data file or prose page they look for, also when it is missing (so adding it later
  counts as a change);
- an audit hook (`install`, in the chapter kernels) notes every other file opened
  for reading, and every folder listed, under the watched roots (project, book, data);
- `finish` adds the source files of the project's modules that are loaded, and
  the listing of the data root (which years exist).

Recording is off unless `begin` (or `capture`) started it, so the hooks cost next to
nothing outside a build. One recording at a time per process: the kernels run one
chapter at a time, the build validates in one thread.

What is recorded is absolute; the cache keeps it relative to its place (`Places`),
so that a copied or moved project finds its own files under the same names.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

LISTING = "ls:"  # prefix of a recorded folder listing, e.g. "ls:/work/main/data"
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # jaarverslag/

_state: _Recording | None = None
_hook_installed = False


class _Recording:
    def __init__(self, roots: Iterable[Path | str], exclude: Iterable[Path | str], thread: int | None):
        self.roots = tuple(_norm(r) for r in roots)
        self.exclude = tuple(_norm(e) for e in exclude) + _never()
        self.thread = thread
        self.found: set[str] = set()
        self.busy = False


def _norm(path: Path | str) -> str:
    return os.path.join(os.path.abspath(os.fspath(path)), "")


def _never() -> tuple[str, ...]:
    """Python's own files and the installed packages are versions, not inputs."""
    places = {sys.prefix, sys.base_prefix, sys.exec_prefix}
    return tuple(_norm(p) for p in places)


def begin(roots: Iterable[Path | str], exclude: Iterable[Path | str] = (), *, this_thread: bool = False) -> None:
    """Start recording reads under `roots` (not under `exclude`)."""
    global _state
    _state = _Recording(roots, exclude, threading.get_ident() if this_thread else None)


def record(path: Path | str) -> None:
    """Note that the running work depends on `path` (a file, present or not)."""
    state = _state
    if state is None or (state.thread is not None and state.thread != threading.get_ident()):
        return
    state.found.add(os.path.abspath(os.fspath(path)))


def finish(data_roots: Iterable[Path | str] = ()) -> list[str]:
    """Stop recording; the sorted paths read, plus `ls:` entries for folders listed (`so_far`)."""
    found = so_far(data_roots)
    end()
    return found


def so_far(data_roots: Iterable[Path | str] = ()) -> list[str]:
    """The sorted paths read so far, plus `ls:` entries for folders listed.

    The project's loaded modules (the jaarverslag package, and any module whose file
    is under a watched root) are added, as is a listing of each data root.
    """
    state = _state
    if state is None:
        return []
    found = set(state.found)
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        if not file:
            continue
        name = getattr(module, "__name__", "")
        if name == "jaarverslag" or name.startswith("jaarverslag.") or _watched(state, os.path.abspath(file)):
            found.add(os.path.abspath(file))
    for root in data_roots:
        found.add(LISTING + os.path.abspath(os.fspath(root)))
    return sorted(p for p in found if "__pycache__" not in p)


@contextlib.contextmanager
def capture(roots: Iterable[Path | str], data_roots: Iterable[Path | str] = ()) -> Iterator[list[str]]:
    """Record the explicit `record` calls of this thread, e.g. around `validate_year`.

    The list it yields is filled in when the block ends.
    """
    begin(roots, this_thread=True)
    found: list[str] = []
    try:
        yield found
    finally:
        state = _state
        found.extend(sorted(state.found) if state else [])
        found.extend(LISTING + os.path.abspath(os.fspath(r)) for r in data_roots)
        end()


def end() -> None:
    global _state
    _state = None


@contextlib.contextmanager
def unrecorded() -> Iterator[None]:
    """Reads in this block are no inputs of the work (e.g. hashing the package for a key)."""
    state = _state
    if state is None or state.busy:
        yield
        return
    state.busy = True
    try:
        yield
    finally:
        state.busy = False


def _watched(state: _Recording, path: str) -> bool:
    if "__pycache__" in path or not path.startswith(state.roots):
        return False
    return not path.startswith(state.exclude)


def _hook(event: str, args: tuple) -> None:
    state = _state
    if state is None or state.busy:
        return
    if event == "open":
        path, mode, flags = args
        if not isinstance(path, (str, bytes, os.PathLike)):
            return  # a file descriptor
        if isinstance(mode, str):
            if any(c in mode for c in "wax+"):
                return
        elif isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR):
            return
        prefix = ""
    elif event in ("os.listdir", "os.scandir"):
        path = args[0] if args else "."
        if path is None or isinstance(path, int):
            path = "."
        prefix = LISTING
    else:
        return
    if state.thread is not None and state.thread != threading.get_ident():
        return
    state.busy = True
    try:
        full = os.path.abspath(os.fsdecode(path))
        if _watched(state, os.path.join(full, "") if prefix else full):
            state.found.add(prefix + full)
    except Exception:  # a hook must never break the code it watches
        pass
    finally:
        state.busy = False


def install() -> None:
    """Add the audit hook (once per process; Python cannot remove it again)."""
    global _hook_installed
    if not _hook_installed:
        sys.addaudithook(_hook)
        _hook_installed = True


@dataclass(frozen=True)
class Places:
    """The folders a build's reads are kept relative to: its project and its data folder.

    "data:2022/clienten.csv" is clienten.csv of 2022 in whichever data folder the
    build reads, "project:notebooks/hulp.py" a file of whichever project builds, and
    "ls:data:." the listing of the data folder. So a copied or moved project looks
    up its own files, and a copy whose files differ from the original's misses.
    Reads elsewhere stay absolute, and so do the jaarverslag package's own files:
    they are the code that ran, wherever it is installed, even inside the project.
    """

    project: str
    data: str

    @classmethod
    def of(cls, data_dir: Path | str | None = None) -> Places:
        """The current project, and `data_dir` (default: the project's data folder)."""
        from .. import paths

        data = Path(data_dir) if data_dir else paths.data_dir()
        return cls(str(paths.root().resolve()), str(data.resolve()))

    def _roots(self) -> list[tuple[str, str]]:
        """Most specific first: the data folder usually lies inside the project."""
        return sorted((("data", self.data), ("project", self.project)), key=lambda r: -len(r[1]))

    def portable(self, dep: str) -> str:
        """A recorded read as the cache keeps it: relative to its place where it has one."""
        prefix = LISTING if dep.startswith(LISTING) else ""
        path = dep[len(prefix):]
        candidates = list(dict.fromkeys((os.path.abspath(path), os.path.realpath(path))))
        if any(_within(c, _PACKAGE) for c in candidates):
            return dep
        for candidate in candidates:
            for name, root in self._roots():
                if _within(candidate, root):
                    return f"{prefix}{name}:{Path(os.path.relpath(candidate, root)).as_posix()}"
        return dep

    def located(self, dep: str) -> str:
        """A kept read back as a path in this project (or data folder); ValueError when it
        points outside its place (a damaged entry)."""
        prefix = LISTING if dep.startswith(LISTING) else ""
        name, sep, rest = dep[len(prefix):].partition(":")
        roots = dict(self._roots())
        if not sep or name not in roots:
            return dep  # absolute: outside every place
        path = os.path.normpath(os.path.join(roots[name], *rest.split("/")))
        if not _within(path, roots[name]):
            raise ValueError(f"{dep} ligt buiten {name}")  # `portable` never writes that: damaged
        return prefix + path


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(os.path.join(root, ""))
