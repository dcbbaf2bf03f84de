import json
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from jaarverslag.cli import main
from jaarverslag.paths import DATA_DIR

# The published 2022 report as text (a copy of the seed), the ground truth of the backtests.
PUBLISHED = Path(__file__).parent / "fixtures" / "jaarverslag_2022_gepubliceerd.txt"


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A private copy of the shipped data (data_dir with a 2022 folder), safe to break."""
    shutil.copytree(DATA_DIR / "2022", tmp_path / "data" / "2022")
    return tmp_path / "data"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# ---- one real build of 2022, shared by the end-to-end tests ----

@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build")
    assert main(["build", "--year", "2022", "--out", str(out)]) == 0
    return out / "2022"


@pytest.fixture(scope="session")
def manifest(built) -> dict:
    return json.loads((built / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def html_pages(built, manifest) -> dict[str, BeautifulSoup]:
    folder = (built / manifest["editions"]["wijkkracht"]["html"]).parent
    return {p.name: BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser")
            for p in sorted(folder.glob("*.html"))}


@pytest.fixture(scope="session")
def pdf_text(built, manifest) -> str:
    pdf = built / manifest["editions"]["wijkkracht"]["pdf"]
    return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)


# ---- a small book of our own, for builds that must fail, hang or race ----

def notebook(code: str) -> dict:
    """A chapter notebook: a title, the parameters cell and one cell of `code`."""
    cells = [
        {"cell_type": "markdown", "id": "title", "metadata": {}, "source": "# Proef"},
        {"cell_type": "code", "id": "params", "metadata": {"tags": ["parameters"]}, "execution_count": None,
         "outputs": [], "source": "year = 2022\ngemeente = None\ndata_dir = None\nsuppress_below = None"},
        {"cell_type": "code", "id": "body", "metadata": {}, "execution_count": None, "outputs": [],
         "source": code},
    ]
    return {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}}


def make_book(folder: Path, chapters: dict[str, str]) -> Path:
    """A book folder with _quarto.yml, index.qmd and one notebook per chapter; returns _quarto.yml."""
    from jaarverslag.paths import PROJ_ROOT

    (folder / "notebooks").mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJ_ROOT / "index.qmd", folder / "index.qmd")
    for name, code in chapters.items():
        (folder / "notebooks" / f"{name}.ipynb").write_text(json.dumps(notebook(code)), encoding="utf-8")
    listed = "\n".join(f"    - notebooks/{name}.ipynb" for name in chapters)
    (folder / "_quarto.yml").write_text(
        "project:\n  type: book\nbook:\n  title: Proef\n  chapters:\n    - index.qmd\n"
        f"{listed}\nlang: nl\nexecute:\n  enabled: false\n", encoding="utf-8")
    return folder / "_quarto.yml"


GOOD_CHAPTER = "from jaarverslag.chapters import clienten\nclienten.totalen(__import__('jaarverslag').Edition(year))"


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every published file under folder with its content: to prove a report was left untouched.

    Locks, hidden staging folders of running or killed builds, and the notebooks kept
    from failed builds (_mislukt/) are not part of a report.
    """
    def published(path: Path) -> bool:
        parts = path.relative_to(folder).parts
        return path.is_file() and "_mislukt" not in parts and not any(p.startswith(".") for p in parts)

    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if published(p)}


# ---- a copied project with a sentinel beside it, for tests as a hostile user (hostile.py) ----

@pytest.fixture(scope="session")
def hostile_base(tmp_path_factory) -> Path:
    from hostile import make_base

    return make_base(tmp_path_factory.mktemp("hostile-base"))


@pytest.fixture
def hostile(hostile_base, tmp_path):
    from hostile import copy_project

    return copy_project(hostile_base, tmp_path)
