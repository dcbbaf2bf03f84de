"""Notebooks go into git clean: no outputs, no execution counts, no metadata of one run.

Checked twice: the notebooks in notebooks/ as they are on disk, and every notebook
as git tracks it (the index: what the next commit holds). The fixture notebooks in
tests/fixtures/ keep their outputs on purpose and are skipped.

The nbstripout hook in .pre-commit-config.yaml cleans a notebook on every commit
(`make install-hooks`). By hand: `.venv/bin/pre-commit run nbstripout --files notebooks/*.ipynb`.
"""

from __future__ import annotations

import copy
import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from jaarverslag.paths import NOTEBOOKS_DIR, PROJ_ROOT

PRE_COMMIT = PROJ_ROOT / ".pre-commit-config.yaml"
FIXTURES = "tests/fixtures/"
FIX = "strip it: `.venv/bin/pre-commit run nbstripout --files notebooks/*.ipynb` (and `make install-hooks` once)"


def _on_disk() -> list[Path]:
    return sorted(p for p in NOTEBOOKS_DIR.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def _git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=PROJ_ROOT, capture_output=True, check=False)


def _tracked() -> list[str]:
    """Notebooks git tracks, fixtures left out; [] outside a git checkout."""
    try:
        listed = _git("ls-files", "-z", "--", "*.ipynb")
    except FileNotFoundError:  # no git on this machine
        return []
    if listed.returncode != 0:
        return []
    names = [n for n in listed.stdout.decode("utf-8").split("\0") if n]
    return sorted(n for n in names if not n.startswith(FIXTURES))


def _staged(name: str) -> str:
    """A notebook as the git index holds it."""
    shown = _git("show", f":{name}")
    assert shown.returncode == 0, shown.stderr.decode()
    return shown.stdout.decode("utf-8")


NOTEBOOKS = [pytest.param(("disk", p.relative_to(PROJ_ROOT).as_posix()), id=f"disk:{p.name}") for p in _on_disk()]
NOTEBOOKS += [pytest.param(("git", n), id=f"git:{n}") for n in _tracked()]


def _read(where: str, name: str) -> dict:
    text = (PROJ_ROOT / name).read_text(encoding="utf-8") if where == "disk" else _staged(name)
    return json.loads(text)


def test_there_are_notebooks_to_check():
    assert _on_disk(), f"no notebooks in {NOTEBOOKS_DIR}"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_no_outputs_and_no_execution_counts(notebook):
    where, name = notebook
    nb = _read(where, name)
    dirty = [f"cell {c.get('id', i)}: " + ", ".join(
                 (["outputs"] if c.get("outputs") else []) + (["execution_count"] if c.get("execution_count") else []))
             for i, c in enumerate(nb["cells"])
             if c.get("outputs") or c.get("execution_count") is not None]
    assert not dirty, f"{name} ({where}) has results of a run in it: {'; '.join(dirty)}.\n  {FIX}"


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_cell_keeps_its_id(notebook):
    where, name = notebook
    ids = [c.get("id") for c in _read(where, name)["cells"]]
    assert all(ids) and len(set(ids)) == len(ids), f"{name} ({where}): cell ids missing or repeated: {ids}"


# ---- the hook itself ----------------------------------------------------------

def _hook() -> dict:
    config = yaml.safe_load(PRE_COMMIT.read_text(encoding="utf-8"))
    hooks = [h for repo in config["repos"] for h in repo.get("hooks", []) if h["id"] == "nbstripout"]
    assert len(hooks) == 1, f"{PRE_COMMIT.name} must have one nbstripout hook"
    return hooks[0]


def _strip_command() -> list[str]:
    """The hook's command, run with this Python (the hook calls .venv/bin/nbstripout)."""
    hook = _hook()
    program, *options = shlex.split(hook["entry"])
    assert Path(program).name == "nbstripout", hook["entry"]
    return [sys.executable, "-m", "nbstripout", *options, *hook.get("args", [])]


def _strip(paths: list[Path], *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([*_strip_command(), *extra, *map(str, paths)], cwd=PROJ_ROOT,
                          capture_output=True, text=True, check=False)


def test_notebooks_are_exactly_what_the_hook_leaves(tmp_path):
    """No volatile metadata either (language version, papermill, timings, ...)."""
    paths = _on_disk()
    for name in _tracked():
        copy_path = tmp_path / name
        copy_path.parent.mkdir(parents=True, exist_ok=True)
        copy_path.write_text(_staged(name), encoding="utf-8")
        paths.append(copy_path)
    result = _strip(paths, "--verify")
    assert result.returncode == 0, f"the nbstripout hook would change these notebooks:\n{result.stdout}\n  {FIX}"


def _as_after_a_run(nb: dict) -> dict:
    """What JupyterLab or papermill leave in a notebook after Run All and Save."""
    ran = copy.deepcopy(nb)
    ran["metadata"]["language_info"] = {
        "codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
        "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
        "pygments_lexer": "ipython3", "version": "3.11.7"}
    ran["metadata"]["papermill"] = {"parameters": {"year": 2022}, "duration": 1.5}
    ran["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    count = 0
    for cell in ran["cells"]:
        cell["metadata"].update({"execution": {"iopub.status.idle": "2023-01-01T00:00:00Z"},
                                 "ExecuteTime": {"end_time": "2023-01-01"}, "scrolled": True,
                                 "collapsed": False, "papermill": {"status": "completed"}})
        if cell["cell_type"] == "code":
            count += 1
            cell["execution_count"] = count
            cell["outputs"] = [{"output_type": "execute_result", "execution_count": count, "metadata": {},
                                "data": {"text/plain": ["42"]}},
                               {"output_type": "stream", "name": "stderr", "text": ["warning\n"]}]
    return ran


def test_the_hook_strips_a_run_and_keeps_ids_and_tags(tmp_path):
    """Run, save, commit: the notebook in git is the one before the run, cell ids and tags included."""
    originals, paths = {}, []
    for source in _on_disk():
        nb = json.loads(source.read_text(encoding="utf-8"))
        originals[source.name] = nb
        ran = tmp_path / source.name
        ran.write_text(json.dumps(_as_after_a_run(nb), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        paths.append(ran)
    result = _strip(paths)
    assert result.returncode == 0, result.stderr
    for path in paths:
        stripped = json.loads(path.read_text(encoding="utf-8"))
        assert stripped == originals[path.name], f"stripping a run of {path.name} does not give back the original"
        tags = [c["metadata"].get("tags", []) for c in stripped["cells"]]
        assert ["parameters"] in tags


def test_the_hook_leaves_the_fixture_notebooks_alone():
    """tests/fixtures/ holds executed notebooks for the renderer tests; the hook must not strip them."""
    import re

    exclude = _hook().get("exclude")
    assert exclude and re.search(exclude, "tests/fixtures/render/project/notebooks/clienten.ipynb")
    assert not re.search(exclude, "notebooks/clienten.ipynb")


def test_the_notebooks_name_a_kernel_jupyter_can_start():
    """All chapters name one kernel, and it is installed here (`make` installs `jaarverslag`)."""
    from jupyter_client.kernelspec import KernelSpecManager

    names = {json.loads(p.read_text(encoding="utf-8"))["metadata"]["kernelspec"]["name"] for p in _on_disk()}
    assert len(names) == 1, f"the chapter notebooks name different kernels: {sorted(names)}"
    installed = KernelSpecManager().find_kernel_specs()
    assert names <= set(installed), (
        f"kernel {names} is not installed (have: {sorted(installed)}); run `make lab` or "
        "`.venv/bin/python -m ipykernel install --sys-prefix --name jaarverslag`")
