"""The code a warm kernel runs between notebooks (`jaarverslag.run.inkernel`), tested in this process.

An IPython `InteractiveShell` stands in for the kernel's shell. The whole round
trip through a real kernel is in tests/test_cache.py (a reused kernel starts each
notebook as a fresh one does).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from IPython.core.interactiveshell import InteractiveShell

from jaarverslag.run import inkernel
from jaarverslag.run.inkernel import Fresh, WarningScope, pandas_options, unload
from jaarverslag.run.kernels import inkernel_call


@pytest.fixture
def shell(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[InteractiveShell]:
    """An IPython shell in this process (no history file), in a folder of the test's own."""
    from traitlets.config import Config

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    shell = InteractiveShell(config=config)
    try:
        yield shell
    finally:
        if shell.history_manager is not None:
            shell.history_manager.end_session()


def test_the_build_calls_the_kernel_with_one_fixed_expression_of_literals() -> None:
    assert inkernel_call("reset", "/p/notebooks", ["/p"], []) == \
        "__import__('jaarverslag.run.inkernel', fromlist=['_']).reset('/p/notebooks', ['/p'], [])"
    assert eval(inkernel_call("finish", [])) == []  # the real module's function: nothing was recorded
    with pytest.raises(ValueError, match="not called in a kernel"):
        inkernel_call("unload", [])
    with pytest.raises(ValueError):
        inkernel_call("finish", Path("/p"))  # no literal: refused


def test_pandas_options_a_notebook_changed_are_put_back(shell: InteractiveShell) -> None:
    import pandas as pd

    fresh = Fresh.take(shell)
    pd.set_option("display.max_rows", 3)
    pd.set_option("display.float_format", "{:.1f}".format)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pd.set_option("mode.chained_assignment", None)  # a deprecated one too
    fresh.restore(shell, os.getcwd())
    assert pandas_options() == fresh.pandas
    assert pd.get_option("display.max_rows") == 60 and pd.get_option("display.float_format") is None


def test_matplotlib_settings_and_figures_a_notebook_left_are_put_back(shell: InteractiveShell) -> None:
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    fresh = Fresh.take(shell)
    width = mpl.rcParams["lines.linewidth"]
    mpl.rcParams["lines.linewidth"] = width + 7
    plt.figure()
    fresh.restore(shell, os.getcwd())
    assert mpl.rcParams["lines.linewidth"] == width and plt.get_fignums() == []


def test_namespace_folder_path_and_environment_are_put_back(shell: InteractiveShell, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JV_PROEF", "vers")
    sys.path.insert(0, os.getcwd())  # as in a kernel: its folder first (the fixture restores sys.path)
    fresh = Fresh.take(shell)
    shell.run_cell("lekt = 1\nimport os, sys\nos.environ['JV_PROEF'] = 'lek'\nos.chdir('/')\n"
                   "sys.path.append('/lek')")
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    fresh.restore(shell, str(notebooks))
    assert "lekt" not in shell.user_ns
    assert os.environ["JV_PROEF"] == "vers" and "/lek" not in sys.path
    assert Path.cwd() == notebooks and sys.path[0] == str(notebooks)  # the notebook's folder, as papermill's cwd


def test_warning_filters_go_with_their_notebook_and_its_warnings_show_again() -> None:
    def warn() -> None:
        warnings.warn("let op", UserWarning, stacklevel=1)  # one place: shown once per notebook

    scope = WarningScope()
    with warnings.catch_warnings(record=True) as shown:
        warnings.simplefilter("default")  # as a kernel shows a UserWarning: once per place
        fresh = list(warnings.filters)
        for _ in range(2):  # two notebooks in one kernel
            scope.enter()
            warn()
            warn()
            warnings.simplefilter("ignore")
            scope.leave()
            assert warnings.filters == fresh
    assert [str(w.message) for w in shown] == ["let op", "let op"]


def _module(name: str, file: str | None = None, **names: object) -> ModuleType:
    module = ModuleType(name)
    module.__file__ = file
    vars(module).update(names)
    return module


def test_unload_takes_chapter_code_and_new_project_modules_and_what_stays_holds_of_them(tmp_path: Path) -> None:
    def section() -> None:
        """What `jv.section` is once the package loaded it on first use."""

    section.__module__ = "jaarverslag.chapters.toolkit.sections"
    chapters = _module("jaarverslag.chapters")
    sections = _module("jaarverslag.chapters.toolkit.sections", section=section)
    edition = _module("jaarverslag.edition", Edition=object)
    package = _module("jaarverslag", chapters=chapters, edition=edition, section=section)
    library = _module("pandas", f"{sys.prefix}/lib/pandas/__init__.py")
    in_the_venv = _module("installed", f"{sys.prefix}/lib/installed.py")  # a venv may lie in the project
    modules = {
        "jaarverslag": package, "jaarverslag.edition": edition, "jaarverslag.chapters": chapters,
        "jaarverslag.chapters.toolkit.sections": sections, "pandas": library, "installed": in_the_venv,
        "jaarverslag.render.html": _module("jaarverslag.render.html"),  # first loaded by the notebook
        "hulp": _module("hulp", str(tmp_path / "notebooks" / "hulp.py")),  # the project's own module
        "waarschuwer": _module("waarschuwer", "/elders/waarschuwer.py"),  # a library outside the project
    }
    kept = {"jaarverslag", "jaarverslag.edition", "jaarverslag.chapters", "jaarverslag.chapters.toolkit.sections",
            "pandas"}
    gone = unload([str(tmp_path), os.path.dirname(sys.prefix)], kept, modules)
    assert gone == ["hulp", "jaarverslag.chapters", "jaarverslag.chapters.toolkit.sections",
                    "jaarverslag.render.html"]
    assert sorted(modules) == ["installed", "jaarverslag", "jaarverslag.edition", "pandas", "waarschuwer"]
    assert sorted(n for n in vars(package) if not n.startswith("__")) == ["edition"]  # no stale `section`
    assert edition.Edition is object


KEPT_MODULES = """
import importlib, json, pkgutil, sys
import jaarverslag.chapters as chapters
for m in pkgutil.walk_packages(chapters.__path__, "jaarverslag.chapters."):
    importlib.import_module(m.name)
from jaarverslag.run.inkernel import in_package, is_chapter_code
print(json.dumps(sorted(n for n in sys.modules if in_package(n) and not is_chapter_code(n))))
"""


def test_what_stays_loaded_in_a_kernel_loads_no_chapter_code() -> None:
    """The rule's condition: a module that stays loaded between notebooks imports no chapter code
    when it is loaded (else it would hold on to a version that was unloaded)."""
    def run(code: str) -> str:
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              timeout=120).stdout

    staying = json.loads(run(KEPT_MODULES))
    assert "jaarverslag.edition" in staying and "jaarverslag.run.trace" in staying
    loaded = json.loads(run(f"import importlib, json, sys\nfor n in {staying!r}: importlib.import_module(n)\n"
                            "print(json.dumps(sorted(sys.modules)))"))
    assert [n for n in loaded if inkernel.is_chapter_code(n)] == []
