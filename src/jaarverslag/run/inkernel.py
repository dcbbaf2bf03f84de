"""Runs inside a chapter kernel, not in the build: a warm kernel's side of each notebook.

The build (`kernels.Kernel`) calls the three functions of `__all__`, each through one
fixed expression whose arguments are plain literals (`kernels.inkernel_call`):

- `warm_up()`, once in a new kernel: import what the chapters import, then remember
  the state of a fresh kernel that has imported the package (`Fresh`);
- `reset(cwd, roots, exclude)`, before each notebook: back to that state, and start
  recording what the notebook reads (`trace`);
- `finish(data_roots)`, after it: stop recording, and return the files it read.

Back to the fresh state means:

- the IPython namespace is cleared (`InteractiveShell.reset(new_session=True)`), so the
  execution count starts at 1 again and nothing of the last notebook is left;
- the working folder, `sys.path` and `os.environ` are as they were;
- each notebook runs inside its own `warnings.catch_warnings()` (`WarningScope`, entered
  by `reset` and left by `finish`): the filters it sets go with it, and a warning shown
  in the last notebook is shown again;
- matplotlib's figures are closed and its `rcParams` are as they were;
- pandas' options are as they were (`pandas.get_option` / `set_option` over every option);
- modules, by the rule below (`unload`).

Which modules a notebook gets afresh:

- chapter code: `jaarverslag.chapters` and everything under it, the chapter modules and
  their toolkit, is unloaded before every notebook; so is every other module of the
  package, or of the project (a file under the book, project or data folder), that was
  not loaded at warm-up. A notebook imports its own afresh, and `trace.finish` records
  exactly those it loaded: a change to a toolkit module re-runs only the chapters that
  import it (`run/cache.py`).
- the rest of the package (`edition`, `style`, `data`, `run`, ...) and the libraries stay
  loaded; every chapter records them as read, so a change there re-runs every chapter.
  They import chapter code inside functions only, never at module level: a module that
  stays would otherwise hold on to chapter code that was unloaded.
- a name a staying module of the package holds from unloaded code (such as
  `jaarverslag.section`, which the package loads on first use) is forgotten with it, so
  the next notebook loads the module again, and records it.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
import warnings
from collections.abc import Collection, Iterable, MutableMapping
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

from . import trace

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

__all__ = ["finish", "reset", "warm_up"]

PACKAGE = "jaarverslag"
CHAPTER_CODE = "jaarverslag.chapters"
WARM = ("IPython.display", "pandas", "jaarverslag")  # and then all chapter code


def in_package(name: str) -> bool:
    """Is this module one of jaarverslag's own?"""
    return name == PACKAGE or name.startswith(PACKAGE + ".")


def is_chapter_code(name: str) -> bool:
    """Is this module chapter code (a chapter module or the toolkit), unloaded before every notebook?

    >>> [is_chapter_code(n) for n in ("jaarverslag.chapters.toolkit.tables", "jaarverslag.edition")]
    [True, False]
    """
    return name == CHAPTER_CODE or name.startswith(CHAPTER_CODE + ".")


@dataclass(frozen=True)
class Fresh:
    """What a fresh kernel has once a notebook imported the package: what `restore` puts back."""

    namespace: dict[str, Any]  # e.g. `_`, `__doc__`: IPython's reset drops a few of them
    cwd: str
    path: list[str]
    environ: dict[str, str]
    filters: list[Any]  # warnings.filters
    modules: frozenset[str]
    rc: dict[str, Any] | None  # matplotlib.rcParams, if matplotlib is loaded
    pandas: dict[str, Any] | None  # every pandas option, if pandas is loaded

    @classmethod
    def take(cls, shell: InteractiveShell) -> Fresh:
        rc = None
        if "matplotlib" in sys.modules:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # reading a deprecated setting warns
                rc = dict(sys.modules["matplotlib"].rcParams)
        return cls(dict(shell.user_ns), os.getcwd(), list(sys.path), dict(os.environ), list(warnings.filters),
                   frozenset(sys.modules), rc, pandas_options() if "pandas" in sys.modules else None)

    def restore(self, shell: InteractiveShell, cwd: str) -> None:
        """Put everything back but the modules, with `cwd` (the notebook's folder) as working folder."""
        shell.reset(new_session=True)
        for key, value in self.namespace.items():
            shell.user_ns.setdefault(key, value)
        os.chdir(cwd)
        sys.path[:] = [cwd if p == self.cwd else p for p in self.path]
        if dict(os.environ) != self.environ:
            os.environ.clear()
            os.environ.update(self.environ)
        if warnings.filters != self.filters:  # only when a notebook's scope was not left
            warnings.filters[:] = self.filters  # type: ignore[index]  # a list, typeshed says Sequence
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")
        if self.rc is not None:
            rc_params = sys.modules["matplotlib"].rcParams
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if dict(rc_params) != self.rc:
                    rc_params.update(self.rc)
        if self.pandas is not None:
            set_pandas_options(self.pandas)


def pandas_options() -> dict[str, Any]:
    """Every registered pandas option with its value, through pandas' public `options` and `get_option`."""
    import pandas as pd

    group = type(pd.options)

    def keys(options: Any, prefix: str = "") -> list[str]:
        found = []
        for name in dir(options):
            value = getattr(options, name)
            found += keys(value, f"{prefix}{name}.") if isinstance(value, group) else [prefix + name]
        return found

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecated options warn when read
        return {key: pd.get_option(key) for key in keys(pd.options)}


def set_pandas_options(values: dict[str, Any]) -> None:
    """Give pandas these option values again; only the ones that differ are set."""
    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for key, value in values.items():
            if pd.get_option(key) != value:
                pd.set_option(key, value)


class WarningScope:
    """One notebook's warning filters: `enter` starts them as they are, `leave` takes its changes away.

    A `warnings.catch_warnings()` open from `enter` to `leave`; entering and leaving it
    also makes Python forget which warnings it has shown, so they show again.
    """

    def __init__(self) -> None:
        self._context: warnings.catch_warnings | None = None

    def enter(self) -> None:
        self.leave()
        self._context = warnings.catch_warnings()
        self._context.__enter__()

    def leave(self) -> None:
        context, self._context = self._context, None
        if context is not None:
            context.__exit__(None, None, None)


def unload(roots: Iterable[str], kept: Collection[str],
           modules: MutableMapping[str, ModuleType] | None = None) -> list[str]:
    """Unload the chapter code, and the modules of the package or under `roots` not in `kept`
    (those loaded at warm-up); forget what the modules that stay hold of them. Returns the names.
    """
    modules = sys.modules if modules is None else modules
    places = tuple(os.path.join(r, "") for r in roots)
    installed = tuple(os.path.join(p, "") for p in {sys.prefix, sys.base_prefix})  # may lie in the project
    gone: dict[str, ModuleType] = {}
    for name, module in list(modules.items()):
        if name in kept and not is_chapter_code(name):
            continue
        file = os.path.abspath(getattr(module, "__file__", None) or "/")
        if in_package(name) or (file.startswith(places) and not file.startswith(installed)):
            gone[name] = module
            del modules[name]
    unloaded = {id(module) for module in gone.values()}
    parents = {name.rpartition(".")[0] for name in gone}
    for name, module in list(modules.items()):
        if in_package(name) or name in parents:
            _forget(module, unloaded, gone)
    return sorted(gone)


def _forget(module: ModuleType, unloaded: set[int], gone: Collection[str]) -> None:
    """Remove the names in `module` that are an unloaded module or were defined in one."""
    namespace = vars(module)
    for attribute, value in list(namespace.items()):
        try:
            stale = id(value) in unloaded or (not isinstance(value, ModuleType) and value.__module__ in gone)
        except Exception:  # noqa: BLE001 - no readable (or hashable) __module__: not defined in a module
            stale = False
        if stale:
            del namespace[attribute]


# ---------------------------------------------------------------- what the build calls

_fresh: Fresh | None = None
_scope = WarningScope()


def warm_up() -> None:
    """In a new kernel: import what chapters import, then remember this as the fresh state."""
    global _fresh
    from IPython import get_ipython

    trace.install()
    names = list(WARM)
    try:
        chapters = importlib.import_module(CHAPTER_CODE)
        names += [m.name for m in pkgutil.walk_packages(chapters.__path__, CHAPTER_CODE + ".")]
    except Exception:  # noqa: BLE001 - a broken module fails in the notebook that uses it
        pass
    for name in names:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001
            pass
    _fresh = Fresh.take(get_ipython())


def reset(cwd: str, roots: list[str], exclude: list[str]) -> None:
    """Before a notebook (run in `cwd`): back to the fresh state, and record reads under `roots`."""
    from IPython import get_ipython

    if _fresh is None:
        raise RuntimeError("warm_up() has not run in this kernel")
    _scope.leave()
    _fresh.restore(get_ipython(), cwd)
    unload(roots, _fresh.modules)
    _scope.enter()
    trace.begin(roots, exclude)


def finish(data_roots: list[str]) -> list[str]:
    """After a notebook: its warning filters go, and the files it read (`trace.finish`)."""
    _scope.leave()
    return trace.finish(data_roots)
