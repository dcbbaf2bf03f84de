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
