"""The build cache: a chapter is run again only when something it read has changed.

A cached chapter is looked up in two steps, as ccache's "direct mode" does:

1. Its *key* is a hash of what is known before it runs: the notebook's bytes and
   path, the parameters (year, gemeente, data_dir, suppress_below), the kernel, and
   the versions of Python, jaarverslag and the libraries that shape its outputs.
2. Under that key the cache keeps the executed notebook and the list of files the
   run actually read (`trace`): data files and prose pages (also those looked for
   and missing), other files opened under the project, book or data folder,
   folders listed there, and the source files of the project modules it had
   loaded, each with its sha256. The entry counts only while every one of those
   still hashes the same.

So a changed data file re-runs only the chapters that read it, and a changed
module only the chapters that had it loaded. Quarto's freeze looks at the
source file alone. Only chapters that ran without error are stored.

The validation of a year's data is cached the same way (by the files it read and
the package's source), and `render_key` says whether a published edition is still
exactly what a build would make.

Layout, under `<out>/.cache/` (hidden, so it is never part of a report):

    chapters/<key>.json    the files read with their hashes, run time, notebook hash
    chapters/<key>.ipynb   the executed notebook
    validated/<key>.json   the files a successful validation read
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from . import trace

FORMAT = 1  # bump when the meaning of a key or entry changes

# Libraries whose version can change a chapter's outputs (tables, charts, notebook format).
CHAPTER_PACKAGES = ("jaarverslag", "pandas", "numpy", "matplotlib", "ipykernel", "ipython",
                    "papermill", "nbclient", "nbformat", "openpyxl", "pandera")
RENDER_PACKAGES = ("nbconvert", "mistune", "weasyprint", "pydyf", "tinycss2", "jinja2", "beautifulsoup4",
                   "pyyaml")
MISSING = "ontbreekt"


def digest(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def canonical(value) -> str:
    """JSON with sorted keys: the same value always hashes the same."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


@functools.cache
def versions(names: tuple[str, ...]) -> dict[str, str]:
    found = {"python": platform.python_version(), "implementation": sys.implementation.name}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = MISSING
    return found


def package_source_hash() -> str:
    """One hash over every file of the jaarverslag package (code, templates, fonts)."""
    root = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


class Hashes:
    """sha256 of files and folder listings, each computed once per build."""

    def __init__(self):
        self._seen: dict[str, str] = {}

    def __call__(self, dep: str) -> str:
        if dep not in self._seen:
            self._seen[dep] = self._hash(dep)
        return self._seen[dep]

    @staticmethod
    def _hash(dep: str) -> str:
        if dep.startswith(trace.LISTING):
            try:
                names = sorted(os.listdir(dep[len(trace.LISTING):]))
            except OSError:
                return MISSING
            return digest("\n".join(n for n in names if not n.startswith(".")))
        try:
            with open(dep, "rb") as f:
                return hashlib.file_digest(f, "sha256").hexdigest()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return MISSING

    def all(self, deps) -> dict[str, str]:
        return {dep: self(dep) for dep in deps}

    def forget(self, deps) -> None:
        for dep in deps:
            self._seen.pop(dep, None)


def changed_since(deps, started: float) -> bool:
    """Was any of these files written after `started` (time.time())? Then the run may
    have read another version than the one we hashed: do not cache it."""
    for dep in deps:
        path = dep[len(trace.LISTING):] if dep.startswith(trace.LISTING) else dep
        try:
            if os.stat(path).st_mtime >= started:
                return True
        except OSError:
            continue
    return False


def chapter_key(source: Path, parameters: dict, kernel: str) -> str:
    source = Path(source).resolve()
    return digest(canonical({
        "format": FORMAT,
        "notebook": str(source),
        "notebook_sha256": digest(source.read_bytes()),
        "parameters": parameters,
        "kernel": kernel,
        "versions": versions(CHAPTER_PACKAGES),
    }))


@dataclass(frozen=True)
class Entry:
    key: str
    chapter: str
    seconds: float
    notebook_sha256: str
    reads: dict[str, str]  # path (or ls:folder) -> sha256 or MISSING
    path: Path  # the cached executed notebook


class Cache:
    """Executed chapters and validations, under `root` (usually `<out>/.cache`)."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.hashes = Hashes()

    # ---- chapters ----

    def _chapter(self, key: str) -> tuple[Path, Path]:
        folder = self.root / "chapters"
        return folder / f"{key}.json", folder / f"{key}.ipynb"

    def lookup(self, key: str) -> Entry | None:
        """The entry for this key if everything it read is unchanged, else None."""
        meta_file, notebook = self._chapter(key)
        try:
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if meta.get("format") != FORMAT or not notebook.is_file():
            return None
        reads = meta["reads"]
        if any(self.hashes(dep) != sha for dep, sha in reads.items()):
            return None
        _touch(meta_file)  # used: `prune` keeps it
        return Entry(key, meta["chapter"], meta["seconds"], meta["notebook_sha256"], reads, notebook)

    def store(self, key: str, chapter: str, notebook: Path, seconds: float, reads: list[str],
              started: float) -> Entry | None:
        """Keep a successful run. Skipped when an input changed while it ran."""
        if changed_since(reads, started):
            return None
        self.hashes.forget(reads)  # hash what is there now, not what an earlier chapter saw
        hashes = self.hashes.all(reads)
        meta_file, target = self._chapter(key)
        content = Path(notebook).read_bytes()
        meta = {"format": FORMAT, "chapter": chapter, "seconds": round(seconds, 3),
                "notebook_sha256": digest(content), "reads": hashes,
                "stored_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        _write_atomic(target, content)
        _write_atomic(meta_file, (json.dumps(meta, indent=1, ensure_ascii=False) + "\n").encode())
        return Entry(key, chapter, meta["seconds"], meta["notebook_sha256"], hashes, target)

    def restore(self, entry: Entry, target: Path) -> bool:
        """Write the cached notebook to target, as a run into target would have written it."""
        import nbformat

        content = entry.path.read_bytes()
        if digest(content) != entry.notebook_sha256:
            return False  # another build replaced it meanwhile; run the chapter again
        nb = nbformat.reads(content.decode("utf-8"), as_version=nbformat.NO_CONVERT)
        papermill = nb.get("metadata", {}).get("papermill")
        if papermill is not None and "output_path" in papermill:
            papermill["output_path"] = str(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(nbformat.writes(nb), encoding="utf-8")
        return True

    def prune(self, unused_days: float = 30) -> int:
        """Remove entries no build used for `unused_days`, and what killed builds left behind."""
        now = time.time()
        removed = 0
        for meta in [*self.root.glob("chapters/*.json"), *self.root.glob("validated/*.json")]:
            try:
                if meta.stat().st_mtime < now - unused_days * 86400:
                    meta.unlink()
                    meta.with_suffix(".ipynb").unlink(missing_ok=True)
                    removed += 1
            except OSError:
                continue
        for left in [*self.root.glob("tmp/*"), *self.root.glob("*/.*-*")]:
            try:
                if left.stat().st_mtime < now - 86400:
                    shutil.rmtree(left) if left.is_dir() else left.unlink()
            except OSError:
                continue
        for notebook in self.root.glob("chapters/*.ipynb"):  # its entry was pruned or never written
            if not notebook.with_suffix(".json").exists() and notebook.stat().st_mtime < now - 86400:
                notebook.unlink(missing_ok=True)
        return removed

    # ---- validation ----

    def validated(self, key: str) -> bool:
        meta_file = self.root / "validated" / f"{key}.json"
        try:
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        if not all(self.hashes(dep) == sha for dep, sha in meta["reads"].items()):
            return False
        _touch(meta_file)
        return True

    def store_validated(self, key: str, reads: list[str], started: float) -> None:
        if changed_since(reads, started):
            return
        meta = {"format": FORMAT, "reads": self.hashes.all(reads)}
        _write_atomic(self.root / "validated" / f"{key}.json", json.dumps(meta, indent=1).encode())


def validation_key(year: int, data_dir: Path | None) -> str:
    return digest(canonical({
        "format": FORMAT, "year": year,
        "data_dir": str(Path(data_dir).resolve()) if data_dir else None,
        "package": package_source_hash(), "versions": versions(CHAPTER_PACKAGES),
    }))


def validate_year(year: int, data_dir: Path | None, cache: Cache | None) -> list:
    """`data.validate_year`, skipped when the files it read last time are unchanged."""
    from . import paths
    from .data import validate_year as validate

    if cache is None:
        return validate(year, data_dir)
    data_root = Path(data_dir or paths.data_dir()).resolve()
    key = validation_key(year, data_dir)
    if cache.validated(key):
        return []
    started = time.time()
    with trace.capture([paths.root(), data_root], [data_root]) as reads:
        problems = validate(year, data_dir)
    if not problems:
        cache.store_validated(key, reads, started)
    return problems


def render_key(**parts) -> str:
    """Everything a rendered edition depends on besides its build time."""
    return digest(canonical({"format": FORMAT, "package": package_source_hash(),
                             "versions": versions(CHAPTER_PACKAGES + RENDER_PACKAGES), **parts}))


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:
        pass


def _write_atomic(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
