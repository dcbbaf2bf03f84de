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

The package's own code is in the reads, not in the key (its version number does
not change when a file is edited): every notebook runs in a fresh kernel, and
records every module of the package it loaded (`inkernel`). A changed toolkit
module re-runs the chapters that import it, a changed `edition.py` every chapter.

Why trace reads rather than key a chapter on the dataset files it declares: a
chapter also reads its prose pages (`data/<jaar>/tekst/*.md`), `gemeenten.csv`
through the checks of the data it loads, files it opens itself, and the project's
modules it imports, and none of these is a declared dataset. A coarser key misses
those changes, and these tests in `tests/test_cache.py` fail with it:
`test_a_changed_data_file_or_prose_page_reruns_only_the_chapters_that_read_it` and
`test_a_file_a_chapter_opens_itself_or_a_project_module_it_imports_reruns_it`. So the
tracing stays.

Keys and kept reads name files by their place, not by where the project happens
to lie: the notebook and data folder relative to the project, a read as
"data:2022/clienten.csv" or "project:notebooks/hulp.py" (`trace.Places`), and the
hashes are taken of the files of the project that looks an entry up. So an
analyst who copies or moves last year's project uses the copied cache exactly
where the copy's files are the same, and validates and runs the rest, as a fresh
project would. An entry that no build could have written (unreadable, not its
JSON, its notebook missing or another one) is named in one line on stderr,
removed, and made again by the same build.

The validation of a year's data is cached the same way (by the files it read and
the package's source, `validate_cached`), and `render_key` says whether a
published edition is still exactly what a build would make.

Layout, under `<out>/.cache/` (hidden, so it is never part of a report):

    chapters/<key>.json    the files read with their hashes, run time, notebook hash
    chapters/<key>.ipynb   the executed notebook
    validated/<key>.json   the files a successful validation read
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import paths
from ..errors import JaarverslagError
from ..fingerprint import canonical, digest, file_digest, package_digest, versions
from . import trace

if TYPE_CHECKING:
    from ..data.schema import Problem

FORMAT = 2  # bump when the meaning of a key or entry changes (2: reads and keys relative to the project)

# Libraries whose version can change a chapter's outputs (tables, charts, notebook format).
CHAPTER_PACKAGES = ("jaarverslag", "pandas", "numpy", "matplotlib", "ipykernel", "ipython",
                    "papermill", "nbclient", "nbformat", "openpyxl", "pandera")
RENDER_PACKAGES = ("nbconvert", "mistune", "weasyprint", "pydyf", "tinycss2", "jinja2", "beautifulsoup4",
                   "pyyaml")
MISSING = "ontbreekt"
NOT_A_FILE = "geen bestand"


def environment(packages: tuple[str, ...]) -> dict[str, str]:
    """The Python (version and implementation) and package versions a key depends on."""
    return {**versions(packages), "implementation": sys.implementation.name}


class Hashes:
    """sha256 of files and folder listings (absolute paths), each computed once per build."""

    def __init__(self) -> None:
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
            if not stat.S_ISREG(os.stat(dep).st_mode):
                return NOT_A_FILE  # a folder, device or pipe is never read to its end
            return file_digest(dep)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return MISSING

    def all(self, deps: Iterable[str]) -> dict[str, str]:
        return {dep: self(dep) for dep in deps}

    def forget(self, deps: Iterable[str]) -> None:
        for dep in deps:
            self._seen.pop(dep, None)


def changed_since(deps: Iterable[str], started: float) -> bool:
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


def chapter_key(source: Path, parameters: dict[str, Any], kernel: str) -> str:
    """The notebook by its place in the project (absolute only outside it) and its bytes,
    the parameters it is given, the kernel and the versions: the same in a copied project."""
    source = Path(source).resolve()
    return digest(canonical({
        "format": FORMAT,
        "notebook": paths.relative(source),
        "notebook_sha256": digest(source.read_bytes()),
        "parameters": parameters,
        "kernel": kernel,
        "versions": environment(CHAPTER_PACKAGES),
    }))


@dataclass(frozen=True)
class Entry:
    key: str
    chapter: str
    seconds: float
    notebook_sha256: str
    reads: dict[str, str]  # path (or ls:folder) in this project -> sha256 or MISSING
    path: Path  # the cached executed notebook


class Damaged(Exception):
    """A cache entry that no build wrote like this: ignored, reported in one line, removed."""


class Cache:
    """Executed chapters and validations, under `root` (usually `<out>/.cache`).

    The entries keep what was read relative to its place (`trace.Places`), and are
    checked against the files of the project that looks them up. An entry that is
    damaged (unreadable, not the JSON a build writes, its notebook missing or not the
    one it names) is reported in one line on stderr, removed, and made again.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.hashes = Hashes()
        # The files whose validation passed in this process, with their sha256: a build tells
        # its chapter kernels, which then skip the rules for the very same bytes (`data.read.trust`).
        self.passed: dict[str, str] = {}
        self._reported: set[Path] = set()

    @property
    def charts(self) -> Path:
        """Where chapter kernels keep the charts they drew (`chapters.toolkit.drawn`)."""
        return self.root / "charts"

    # ---- chapters ----

    def _chapter(self, key: str) -> tuple[Path, Path]:
        folder = self.root / "chapters"
        return folder / f"{key}.json", folder / f"{key}.ipynb"

    def lookup(self, key: str, places: trace.Places | None = None, chapter: str | None = None) -> Entry | None:
        """The entry for this key if everything it read is unchanged, else None."""
        places = places or trace.Places.of()
        meta_file, notebook = self._chapter(key)
        try:
            meta = _read_meta(meta_file)
            if meta is None:
                return None
            name = _field(meta, "chapter", str, "tekst")
            seconds = _field(meta, "seconds", (int, float), "getal")
            sha = _field(meta, "notebook_sha256", str, "tekst")
            reads = _reads(meta, places)
            try:
                content = notebook.read_bytes()
            except FileNotFoundError:
                raise Damaged("het uitgevoerde notebook ontbreekt") from None
            except OSError as err:
                raise Damaged(f"het notebook is onleesbaar: {err.strerror or err}") from None
            if digest(content) != sha:
                if _stored_sha(meta_file) != sha:
                    return None  # another build stored this chapter again meanwhile: no damage
                raise Damaged("het notebook is niet het notebook dat het noemt")
        except Damaged as why:
            self._damaged([meta_file, notebook], f"van hoofdstuk '{chapter}'" if chapter else "van een hoofdstuk",
                          str(why), "het hoofdstuk wordt opnieuw uitgevoerd")
            return None
        if any(self.hashes(dep) != sha for dep, sha in reads.items()):
            return None
        _touch(meta_file)  # used: `prune` keeps it
        return Entry(key, name, seconds, sha, reads, notebook)

    def store(self, key: str, chapter: str, notebook: Path, seconds: float, reads: list[str],
              started: float, places: trace.Places | None = None) -> Entry | None:
        """Keep a successful run. Skipped when an input changed while it ran."""
        if changed_since(reads, started):
            return None
        places = places or trace.Places.of()
        self.hashes.forget(reads)  # hash what is there now, not what an earlier chapter saw
        hashes = self.hashes.all(reads)
        meta_file, target = self._chapter(key)
        content = Path(notebook).read_bytes()
        seconds, sha = round(seconds, 3), digest(content)
        meta = {"format": FORMAT, "chapter": chapter, "seconds": seconds, "notebook_sha256": sha,
                "reads": {places.portable(dep): sha for dep, sha in hashes.items()},
                "stored_at": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
        self._write(target, content)
        self._write(meta_file, (json.dumps(meta, indent=1, ensure_ascii=False) + "\n").encode())
        self._reported.discard(meta_file)
        return Entry(key, chapter, seconds, sha, hashes, target)

    def restore(self, entry: Entry, target: Path, source: Path | None = None) -> bool:
        """Write the cached notebook to target, as a run of `source` into target would have written it."""
        import nbformat

        content = entry.path.read_bytes()
        if digest(content) != entry.notebook_sha256:
            return False  # another build replaced it meanwhile; run the chapter again
        try:
            nb = nbformat.reads(content.decode("utf-8"), as_version=nbformat.NO_CONVERT)
            papermill = nb.get("metadata", {}).get("papermill")
        except Exception:  # noqa: BLE001 - whatever nbformat raises on a file that is no notebook
            self._damaged([entry.path.with_suffix(".json"), entry.path], f"van hoofdstuk '{entry.chapter}'",
                          "het notebook is geen notebook", "het hoofdstuk wordt opnieuw uitgevoerd")
            return False
        if isinstance(papermill, dict):  # the paths of this run, as a run here would record them
            if "output_path" in papermill:
                papermill["output_path"] = str(target)
            if source is not None and "input_path" in papermill:
                papermill["input_path"] = str(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(nbformat.writes(nb), encoding="utf-8")
        return True

    def prune(self, unused_days: float = 30) -> int:
        """Remove entries no build used for `unused_days`, and what killed builds left behind."""
        now = time.time()
        removed = 0
        for meta in [*self.root.glob("chapters/*.json"), *self.root.glob("validated/*.json"),
                     *self.charts.glob("*.json")]:
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

    def validated(self, key: str, places: trace.Places | None = None, year: int | None = None) -> bool:
        places = places or trace.Places.of()
        meta_file = self.root / "validated" / f"{key}.json"
        try:
            meta = _read_meta(meta_file)
            if meta is None:
                return False
            reads = _reads(meta, places)
        except Damaged as why:
            self._damaged([meta_file], f"van de controle van {year}" if year else "van een controle", str(why),
                          "de gegevens worden opnieuw gecontroleerd")
            return False
        if not all(self.hashes(dep) == sha for dep, sha in reads.items()):
            return False
        _touch(meta_file)
        self.passed.update((dep, sha) for dep, sha in reads.items() if not dep.startswith(trace.LISTING))
        return True

    def store_validated(self, key: str, reads: list[str], started: float,
                        places: trace.Places | None = None) -> None:
        if changed_since(reads, started):
            return
        places = places or trace.Places.of()
        hashed = self.hashes.all(reads)
        self.passed.update((dep, sha) for dep, sha in hashed.items() if not dep.startswith(trace.LISTING))
        meta = {"format": FORMAT, "reads": {places.portable(dep): sha for dep, sha in hashed.items()}}
        meta_file = self.root / "validated" / f"{key}.json"
        self._write(meta_file, json.dumps(meta, indent=1).encode())
        self._reported.discard(meta_file)

    # ---- files ----

    def _damaged(self, files: list[Path], of: str, why: str, then: str) -> None:
        """Say once, in one line, that an entry was damaged; remove it, so that it is made again."""
        if files[0] not in self._reported:
            self._reported.add(files[0])
            print(f"Cache-item {paths.relative(files[0])} {of} was beschadigd ({why}) en is genegeerd; "
                  f"{then}.", file=sys.stderr)
        for file in files:
            try:
                paths.inside(file.parent, self.root)
                file.unlink(missing_ok=True)
            except (OSError, JaarverslagError):  # left in place: the next store replaces it
                continue

    def _write(self, path: Path, content: bytes) -> None:
        """Write atomically, in a folder inside the cache (a link in its place is replaced, not followed)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        paths.inside(path.parent, self.root)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(content)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _read_meta(file: Path) -> dict[str, Any] | None:
    """An entry's JSON; None when there is none, Damaged when it is not what a build writes."""
    try:
        text = file.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as err:
        raise Damaged(f"onleesbaar: {err.strerror or err}") from None
    try:
        meta = json.loads(text)
    except ValueError:
        raise Damaged("geen geldige JSON") from None
    if not isinstance(meta, dict):
        raise Damaged("geen JSON-object")
    if meta.get("format") != FORMAT:
        raise Damaged(f"formaat {meta.get('format')!r} in plaats van {FORMAT}")
    return meta


def _stored_sha(meta_file: Path) -> str | None:
    """The notebook hash the entry names now (None when that cannot be read)."""
    try:
        return json.loads(meta_file.read_bytes()).get("notebook_sha256")
    except (OSError, ValueError, AttributeError):
        return None


def _field(meta: dict[str, Any], name: str, kind: type | tuple[type, ...], what: str) -> Any:
    value = meta.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise Damaged(f"'{name}' ontbreekt of is geen {what}")
    return value


def _reads(meta: dict[str, Any], places: trace.Places) -> dict[str, str]:
    """The files an entry read, as paths in this project, with their recorded hashes."""
    reads = _field(meta, "reads", dict, "lijst van gelezen bestanden")
    if not all(isinstance(dep, str) and isinstance(sha, str) for dep, sha in reads.items()):
        raise Damaged("'reads' bevat iets anders dan namen met controlegetallen")
    try:
        return {places.located(dep): sha for dep, sha in reads.items()}
    except ValueError as err:
        raise Damaged(str(err)) from None


def validation_key(year: int, data_dir: Path | None) -> str:
    """The year, the data folder by its place in the project (absolute only outside it), the code."""
    folder = Path(data_dir) if data_dir else paths.data_dir()
    return digest(canonical({
        "format": FORMAT, "year": year, "data_dir": paths.relative(folder.resolve()),
        "package": package_digest(), "versions": environment(CHAPTER_PACKAGES),
    }))


def validate_cached(year: int, data_dir: Path | None, cache: Cache | None) -> list[Problem]:
    """`data.read.validate_year`, skipped when the files it read last time are unchanged.

    `data` (pandas, pandera) is loaded only when validation runs, so a build with
    nothing to do starts fast.
    """
    if cache is None:
        from ..data.read import validate_year as validate

        return validate(year, data_dir)
    places = trace.Places.of(data_dir)
    key = validation_key(year, data_dir)
    if cache.validated(key, places, year):
        return []
    from ..data.read import validate_year as validate

    started = time.time()
    with trace.capture([places.project, places.data], [places.data]) as reads:
        problems = validate(year, data_dir)
    if not problems:
        cache.store_validated(key, reads, started, places)
    return problems


def render_key(**parts: object) -> str:
    """Everything a rendered edition depends on besides its build time."""
    return digest(canonical({"format": FORMAT, "package": package_digest(),
                             "versions": environment(CHAPTER_PACKAGES + RENDER_PACKAGES), **parts}))


def _touch(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:
        pass
