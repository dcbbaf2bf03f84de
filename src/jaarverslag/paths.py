"""Where things live. Nothing else in the package hard-codes a path.

The project is the folder that holds `_quarto.yml`: the one given with
`--project`, else the one in `JAARVERSLAG_PROJECT` (set for the chapter kernels
a build starts), else the nearest one upward from the working folder. So a
second checkout, or a copied project folder, builds its own data even when it
shares an environment with the first.

Every write and every delete of a build goes through `inside`, which resolves
the path and refuses one outside the output root. Names that become folder or
file names go through `slug`, a whitelist.
"""

from __future__ import annotations

import contextlib
import os
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from .errors import JaarverslagError, Kind

BOOK = "_quarto.yml"
ENV = "JAARVERSLAG_PROJECT"

_chosen: Path | None = None


def find_root(start: Path | None = None) -> Path | None:
    """The nearest folder from `start` (default: the working folder) upward that holds `_quarto.yml`."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / BOOK).is_file():
            return folder
    return None


def root() -> Path:
    """The project folder (see the module's doc)."""
    if _chosen is not None:
        return _chosen
    env = os.environ.get(ENV)
    if env and (Path(env) / BOOK).is_file():
        return Path(env).resolve()
    found = find_root()
    if found is None:
        raise JaarverslagError(
            f"Geen project gevonden: er staat geen {BOOK} in {Path.cwd()} of een map erboven. "
            "Ga naar de projectmap, of geef die op met --project MAP.", Kind.PROJECT)
    return found


@contextlib.contextmanager
def project(folder: Path | str | None) -> Iterator[Path]:
    """Use `folder` (or the one found from the working folder) as the project inside the block.

    Also sets `JAARVERSLAG_PROJECT`, so the kernels a build starts see the same project.
    """
    global _chosen
    if folder is not None and not (Path(folder) / BOOK).is_file():
        raise JaarverslagError(f"{folder} is geen project: er staat geen {BOOK} in. "
                               "Geef de map op die _quarto.yml, data/ en notebooks/ bevat.", Kind.PROJECT)
    chosen = Path(folder).resolve() if folder is not None else root()
    before, before_env = _chosen, os.environ.get(ENV)
    _chosen = chosen
    os.environ[ENV] = str(chosen)
    try:
        yield chosen
    finally:
        _chosen = before
        if before_env is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = before_env


def data_dir() -> Path:
    return root() / "data"


def notebooks_dir() -> Path:
    return root() / "notebooks"


def build_dir() -> Path:
    return root() / "build"


def book_file() -> Path:
    return root() / BOOK


_project_data = data_dir


def year_dir(year: int, data_dir: Path | str | None = None) -> Path:
    return Path(data_dir or _project_data()) / str(int(year))


def relative(path: Path | str, *roots: Path | str) -> str:
    """`path` relative to the first of `roots` (default: the project) that holds it, else as given.

    What messages, the manifest and the cache show: the same in a copied project.
    """
    path = Path(path)
    bases = roots or (root(),)
    # As written first (a link is shown where it is, not where it points), then resolved.
    for mine, theirs in ((Path(os.path.abspath(path)), lambda b: Path(os.path.abspath(b))),
                         (path.resolve(), lambda b: Path(b).resolve())):
        for base in bases:
            try:
                return mine.relative_to(theirs(base)).as_posix()
            except ValueError:
                continue
    return str(path)


def inside(path: Path | str, out_root: Path | str) -> Path:
    """`path`, resolved, after checking that it lies inside `out_root`: every write and delete
    of a build goes through here, so nothing outside the output folder is ever touched."""
    base = Path(out_root).resolve()
    resolved = Path(path).resolve()
    if resolved != base and base not in resolved.parents:
        raise JaarverslagError(f"Geweigerd: {path} ligt buiten de uitvoermap {out_root}; "
                               "een build schrijft en verwijdert alleen daarbinnen.", Kind.PROJECT)
    return resolved


def slug(name: str) -> str:
    """A name as it may appear in a file or folder name: lowercase ASCII letters, digits and '-'.

    >>> slug("Hengelo"), slug("Wijkkracht"), slug("Sint-Michielsgestel"), slug("Súdwest-Fryslân")
    ('hengelo', 'wijkkracht', 'sint-michielsgestel', 'sudwest-fryslan')
    >>> slug("./../../x")
    'x'
    """
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def __getattr__(name: str) -> Path:
    """`PROJ_ROOT`, `DATA_DIR`, ... as attributes, for tests and scripts: found when asked."""
    lookup = {"PROJ_ROOT": root, "DATA_DIR": data_dir, "NOTEBOOKS_DIR": notebooks_dir,
              "BUILD_DIR": build_dir, "BOOK_FILE": book_file}
    if name in lookup:
        return lookup[name]()
    raise AttributeError(name)
