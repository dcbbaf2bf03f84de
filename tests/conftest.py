import shutil
from pathlib import Path

import pytest

from jaarverslag.paths import DATA_DIR


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A private copy of the shipped data (data_dir with a 2022 folder), safe to break."""
    shutil.copytree(DATA_DIR / "2022", tmp_path / "data" / "2022")
    return tmp_path / "data"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
