"""Where things live. Nothing else in the package hard-codes a path."""

from pathlib import Path

PROJ_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = PROJ_ROOT / "data"
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"
BUILD_DIR = PROJ_ROOT / "build"
BOOK_FILE = PROJ_ROOT / "_quarto.yml"


def year_dir(year: int, data_dir: Path | None = None) -> Path:
    return Path(data_dir or DATA_DIR) / str(year)
