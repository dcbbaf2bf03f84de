"""The README and docs/ say what is true: chapters, commands, make targets and links exist.

A README that names files that don't exist is worse than none. These tests read
the documentation the analyst reads and check it against the code:

- every chapter in `_quarto.yml` exists, and each notebook has exactly one
  `parameters` cell, with `year = 2022` and the parameters a build injects;
- every `jaarverslag` command and option has help text and is documented, and
  every `jaarverslag ...` line in a code block of the docs is a valid command;
- every `make X` in the docs is a Makefile target, and `make help` lists every
  target that has a `##` description;
- every relative link points to a file that exists, and every doc is linked
  from the README;
- every module of the package is placed in docs/ontwerp.md;
- the CHANGELOG's latest version is the one in pyproject.toml.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import shlex
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from jaarverslag.book import read_book
from jaarverslag.cli import parser
from jaarverslag.paths import BOOK_FILE, PROJ_ROOT

README = PROJ_ROOT / "README.md"
DOCS = sorted((PROJ_ROOT / "docs").glob("*.md"))
CHANGELOG = PROJ_ROOT / "CHANGELOG.md"
MAKEFILE = PROJ_ROOT / "Makefile"
PACKAGE = PROJ_ROOT / "src" / "jaarverslag"
DESIGN = PROJ_ROOT / "docs" / "ontwerp.md"

# What `jaarverslag build` passes to every chapter (build.py), so what each parameters cell must define.
BUILD_PARAMETERS = {"year", "gemeente", "data_dir", "suppress_below"}


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _all_docs() -> list[Path]:
    return [README, CHANGELOG, *DOCS]


def _rel(path: Path) -> str:
    return path.relative_to(PROJ_ROOT).as_posix()


# ---- markdown helpers ----------------------------------------------------------

FENCE = re.compile(r"^(```|~~~)[^\n]*\n(.*?)^\1[ \t]*$", re.M | re.S)


def code_blocks(text: str) -> list[tuple[str, str]]:
    """(info string, body) of every fenced code block."""
    found = []
    for match in FENCE.finditer(text):
        info = match.group(0).splitlines()[0].strip("`~ ").strip()
        found.append((info, match.group(2)))
    return found


def inline_code(text: str) -> list[str]:
    """The `code spans` of the prose (fenced blocks left out)."""
    return re.findall(r"`([^`\n]+)`", FENCE.sub("", text))


def links(text: str) -> list[str]:
    """Targets of [text](target) links in the prose (fenced blocks and code spans left out)."""
    prose = re.sub(r"`[^`\n]*`", "", FENCE.sub("", text))
    return re.findall(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)", prose)


def test_the_markdown_helpers():
    text = "Zie [a](docs/a.md) en `make lint`.\n\n```bash\nmake test  # alles\n```\n"
    assert code_blocks(text) == [("bash", "make test  # alles\n")]
    assert inline_code(text) == ["make lint"]
    assert links(text) == ["docs/a.md"]


# ---- chapters ------------------------------------------------------------------

BOOK = read_book(BOOK_FILE)


def test_the_book_has_chapters():
    assert BOOK.notebooks, "_quarto.yml lists no chapter notebooks"


@pytest.mark.parametrize("chapter", BOOK.chapters, ids=str)
def test_every_chapter_in_the_book_exists(chapter):
    assert (BOOK.root / chapter).is_file(), f"_quarto.yml lists {chapter}, which does not exist"


def _parameters_cells(path: Path) -> list[dict]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]


def _assigned(source: str) -> dict[str, object]:
    """Names assigned in a cell, with their value where it is a literal."""
    values: dict[str, object] = {}
    for node in ast.parse(source).body:
        # `year = 2022`, or typed as the chapters write it (`year: int = 2022`, which papermill shows)
        pairs = [(t, node.value) for t in node.targets] if isinstance(node, ast.Assign) else (
            [(node.target, node.value)] if isinstance(node, ast.AnnAssign) and node.value is not None else [])
        for target, value in pairs:
            if isinstance(target, ast.Name):
                try:
                    values[target.id] = ast.literal_eval(value)
                except ValueError:
                    values[target.id] = value
    return values


@pytest.mark.parametrize("notebook", [c for c in BOOK.chapters if c.suffix == ".ipynb"], ids=str)
def test_papermill_shows_the_type_of_every_parameter(notebook):
    """`papermill --help-notebook` lists each parameter with its type, not 'Unknown type'."""
    from papermill.translators import PythonTranslator

    (cell,) = _parameters_cells(BOOK.root / notebook)
    shown = {p.name: p.inferred_type_name for p in PythonTranslator.inspect({"source": "".join(cell["source"])})}
    assert set(shown) == BUILD_PARAMETERS, f"{notebook}: papermill sees the parameters {sorted(shown)}"
    assert shown["year"] == "int" and shown["gemeente"] == "Optional[str]", shown
    assert "None" not in shown.values(), f"{notebook}: a parameter without a type: {shown}"


@pytest.mark.parametrize("notebook", [c for c in BOOK.chapters if c.suffix == ".ipynb"], ids=str)
def test_every_chapter_has_one_parameters_cell_with_the_defaults(notebook):
    cells = _parameters_cells(BOOK.root / notebook)
    assert len(cells) == 1, f"{notebook}: {len(cells)} cells tagged 'parameters'; papermill and Quarto need one"
    (cell,) = cells
    assert cell["cell_type"] == "code", f"{notebook}: the parameters cell must be a code cell"
    values = _assigned("".join(cell["source"]))
    assert values.get("year") == 2022, f"{notebook}: the parameters cell must say `year = 2022`"
    missing = BUILD_PARAMETERS - set(values)
    assert not missing, f"{notebook}: the parameters cell does not define {sorted(missing)}"


@pytest.mark.parametrize("gemeente", [None, "Hengelo"])
def test_the_build_injects_exactly_the_parameters_the_cells_define(gemeente):
    """BUILD_PARAMETERS above is what the build really hands every chapter (not a word in its source)."""
    from jaarverslag.build import _parameters
    from jaarverslag.edition import Edition

    injected = _parameters(Edition(2022, gemeente), None)
    assert set(injected) == BUILD_PARAMETERS, "the build passes other parameters than the cells define"
    assert injected["year"] == 2022 and injected["gemeente"] == gemeente


# ---- the command line ------------------------------------------------------------

def _subcommands() -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _help_of_subcommands() -> dict[str, str | None]:
    action = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    return {a.dest: a.help for a in action._choices_actions}


def _documented() -> str:
    return "\n".join(_text(p) for p in [README, *DOCS])


def test_there_are_commands():
    assert {"build", "validate", "new-year"} <= set(_subcommands())


@pytest.mark.parametrize("command", sorted(_subcommands()))
def test_every_command_has_help_and_is_documented(command):
    helps = _help_of_subcommands()
    assert helps.get(command), f"`jaarverslag {command}` has no help text in cli.py"
    assert re.search(rf"jaarverslag {re.escape(command)}\b", _documented()), (
        f"`jaarverslag {command}` appears nowhere in the README or docs/")


@pytest.mark.parametrize("command", sorted(_subcommands()))
def test_every_option_has_help_and_is_documented(command):
    sub = _subcommands()[command]
    documented = _documented()
    for action in sub._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        name = max(action.option_strings, key=len) if action.option_strings else action.dest
        assert action.help, f"`jaarverslag {command}`: {name} has no help text"
        if action.option_strings:  # --progress/--no-progress: one of the spellings will do
            assert any(re.search(rf"{re.escape(o)}(?![\w-])", documented) for o in action.option_strings), (
                f"`jaarverslag {command} {name}` appears nowhere in the README or docs/")


def _documented_commands() -> list[tuple[str, str]]:
    """Every `jaarverslag ...` line in a shell code block of the README or docs."""
    found = []
    for path in [README, *DOCS]:
        for info, body in code_blocks(_text(path)):
            if info not in ("bash", "sh", "shell", "console"):
                continue
            for line in body.splitlines():
                words = shlex.split(line, comments=True)
                if words and Path(words[0]).name == "jaarverslag":
                    found.append((_rel(path), " ".join(words[1:])))
    return found


def test_the_docs_show_commands():
    assert len(_documented_commands()) >= 5


@pytest.mark.parametrize("where,arguments", _documented_commands(), ids=lambda v: v.replace(" ", "_"))
def test_every_documented_command_is_valid(where, arguments, capsys):
    try:
        parser().parse_args(shlex.split(arguments))
    except SystemExit:
        pytest.fail(f"{where}: `jaarverslag {arguments}` is not a valid command:\n{capsys.readouterr().err}")


# ---- make ----------------------------------------------------------------------

def _targets() -> set[str]:
    names = set()
    for line in _text(MAKEFILE).splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+(?:\s+[A-Za-z0-9_.-]+)*)\s*:(?!=)", line)
        if match and not match.group(1).startswith("."):
            names.update(match.group(1).split())
    return names


def _described_targets() -> set[str]:
    return {m.group(1) for m in re.finditer(r"^([A-Za-z0-9_-]+)\s*:[^=\n]*##", _text(MAKEFILE), re.M)}


def _make_mentions(text: str) -> set[str]:
    """Targets in `make X` of code spans and shell code blocks (make's options and VAR=value skipped)."""
    snippets = inline_code(text)
    snippets += [body for info, body in code_blocks(text) if info in ("bash", "sh", "shell", "console", "")]
    found = set()
    for snippet in snippets:
        for line in snippet.splitlines():
            for match in re.finditer(r"(?:^|[\s;&|(])make((?:\s+[^\s#;&|)]+)+)", line.split("#")[0]):
                try:  # VAR="a b" is one word, as the shell reads it
                    words = shlex.split(match.group(1))
                except ValueError:
                    words = match.group(1).split()
                found.update(w for w in words if not w.startswith("-") and "=" not in w)
    return found


def test_the_make_mentions_are_found():
    assert _make_mentions("Draai `make report YEAR=2023` of:\n```bash\nmake -s test lint  # x\n```\n") == {
        "report", "test", "lint"}


@pytest.mark.parametrize("doc", _all_docs(), ids=_rel)
def test_every_make_target_in_the_docs_exists(doc):
    missing = _make_mentions(_text(doc)) - _targets()
    assert not missing, f"{_rel(doc)} mentions `make {', '.join(sorted(missing))}`, not a target in the Makefile"


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_help_lists_every_described_target():
    shown = subprocess.run(["make", "-s", "--no-print-directory", "help"], cwd=PROJ_ROOT,
                           capture_output=True, text=True, check=True).stdout
    listed = set(re.findall(r"^\s*make\s+(\S+)", shown, re.M))
    assert _described_targets(), "no target in the Makefile has a ## description"
    assert _described_targets() <= listed, f"`make help` leaves out {sorted(_described_targets() - listed)}"


def test_the_readme_names_the_two_commands_up_front():
    first = "\n".join(_text(README).splitlines()[:40])
    assert "make report" in first and "make test" in first


# ---- links ---------------------------------------------------------------------

@pytest.mark.parametrize("doc", _all_docs(), ids=_rel)
def test_every_relative_link_points_to_a_file(doc):
    broken = []
    for target in links(_text(doc)):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # http:, https:, mailto:, or an anchor in the same page
        path = (doc.parent / target.split("#")[0]).resolve()
        if not path.exists():
            broken.append(target)
    assert not broken, f"{_rel(doc)} links to files that do not exist: {broken}"


def test_every_doc_is_linked_from_the_readme():
    linked = {(README.parent / t.split("#")[0]).resolve() for t in links(_text(README))}
    unlinked = [_rel(p) for p in [*DOCS, CHANGELOG] if p.resolve() not in linked]
    assert not unlinked, f"the README does not link to {unlinked}"


# ---- design and changelog ------------------------------------------------------

def _modules() -> list[str]:
    """Modules of the package as docs/ontwerp.md names them: `build.py`, `render/html.py`,
    `chapters/toolkit/tables.py`, and the chapter modules together as `chapters/`."""
    names = set()
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).parts
        if parts[0] == "chapters" and len(parts) == 2:
            names.add("chapters/")
        elif path.name != "__init__.py":
            names.add("/".join(parts))
    return sorted(names)


def _design_table_names() -> set[str]:
    """What the design's tables of the package's modules name in their first column."""
    package = _text(DESIGN).split("## Waar alles staat", 1)[1].split("Buiten het pakket", 1)[0]
    return set(re.findall(r"^\| `([\w/]+(?:\.py|/))` \|", package, re.M))


@pytest.mark.parametrize("module", _modules())
def test_every_module_is_placed_in_the_design(module):
    assert module in _design_table_names(), f"docs/ontwerp.md does not say what `{module}` does"


def test_the_design_names_no_module_that_is_gone():
    """A module moved or removed is taken out of the design too."""
    assert _design_table_names() - set(_modules()) == set()


def test_every_subpackage_says_what_its_modules_do():
    """A stage's `__init__` docstring names each of its modules, so the tree reads as the design."""
    for init in PACKAGE.glob("*/**/__init__.py"):
        doc = ast.get_docstring(ast.parse(_text(init))) or ""
        for module in init.parent.glob("*.py"):
            if module.name != "__init__.py" and init.parent.name != "chapters":
                assert f"`{module.stem}`" in doc, f"{_rel(init)} does not name `{module.stem}`"


def test_the_design_has_its_diagram():
    assert [info for info, _ in code_blocks(_text(DESIGN))].count("mermaid") == 1


def test_the_changelog_names_the_version_of_the_package():
    version = tomllib.loads(_text(PROJ_ROOT / "pyproject.toml"))["project"]["version"]
    released = re.findall(r"^## \[(\d+\.\d+\.\d+[^\]]*)\]", _text(CHANGELOG), re.M)
    assert released, "CHANGELOG.md has no released version (`## [x.y.z] - date`)"
    assert released[0] == version, f"CHANGELOG.md's latest version is {released[0]}, pyproject.toml says {version}"


def test_environment_yml_lists_the_same_packages_as_pyproject():
    """Conda users get the same packages as `make` installs from pyproject.toml."""
    import yaml

    project = tomllib.loads((PROJ_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["dev"]
    names = {re.split(r"[<>=\[ ]", spec)[0].lower() for spec in wanted}
    env = yaml.safe_load((PROJ_ROOT / "environment.yml").read_text(encoding="utf-8"))
    listed = set()
    for dep in env["dependencies"]:
        for spec in dep["pip"] if isinstance(dep, dict) else [dep]:
            listed.add(re.split(r"[<>= ]", spec)[0].lower())
    assert names - listed == set()
