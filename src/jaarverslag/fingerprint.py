"""Fingerprints: sha256 of bytes, files and folders, and the versions of the packages.

One way to say "the same": the keys of the build cache (`run/cache.py`) and the
provenance in the colophon (`publish/provenance.py`) are made from these. Light to
import (no pandas): a build with nothing to do computes its keys with it.

>>> digest("jaarverslag")[:12]
'91f3fc89d0e9'
>>> canonical({"b": 1, "a": [2, "é"]})
'{"a": [2, "é"], "b": 1}'
"""

from __future__ import annotations

import functools
import hashlib
import json
import platform
from collections.abc import Iterable
from pathlib import Path

NOT_INSTALLED = "niet geïnstalleerd"
PACKAGE = Path(__file__).resolve().parent  # the jaarverslag package: its code, templates and fonts


def digest(data: bytes | str) -> str:
    """The sha256 of bytes, or of text as UTF-8, in hex."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def canonical(value: object) -> str:
    """JSON with sorted keys: the same value always gives the same text, and so the same digest."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def file_digest(path: Path | str) -> str:
    """The sha256 of a file's content, read in blocks."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def folder_digest(folder: Path, files: Iterable[Path]) -> str:
    """One sha256 over `files` in `folder`: each one's name relative to the folder and its sha256,
    in the order given (sorted by the callers), so a renamed, added or changed file changes it."""
    h = hashlib.sha256()
    for path in files:
        h.update(str(Path(path).relative_to(folder)).encode())
        h.update(file_digest(path).encode())
    return h.hexdigest()


def package_files() -> list[Path]:
    """Every file of the jaarverslag package (all subpackages, templates, fonts), compiled files aside."""
    return sorted(p for p in PACKAGE.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")


def package_digest() -> str:
    """One sha256 over the package's own files: its code as it is on disk now."""
    return folder_digest(PACKAGE, package_files())


@functools.cache
def versions(names: tuple[str, ...]) -> dict[str, str]:
    """Python's version and the installed version of each package (`NOT_INSTALLED` if absent)."""
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = NOT_INSTALLED
    return found
