"""One build: validate the data, run the chapters, render, publish atomically.

The report is built in a staging folder next to its final place and swapped in
only when every step succeeded, so a failed or killed build leaves the last good
report as it was.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from filelock import FileLock, Timeout

from . import provenance
from .book import Book, read_book
from .data import DataError, gemeenten, validate_year
from .edition import Edition
from .execute import ChapterError, run_chapters
from .paths import BOOK_FILE, BUILD_DIR, year_dir

RENDERERS = ("embedded", "quarto")


class BuildBusy(Exception):
    pass


def build_report(year: int, *, gemeente: str | None = None, renderer: str = "embedded",
                 out_root: Path = BUILD_DIR, data_dir: Path | None = None,
                 jobs: int | None = None, wait: float = 0, book_file: Path = BOOK_FILE,
                 suppress_below: int | None = None) -> dict:
    """Build one edition of a year's report into out_root/<year>/<edition>/; return its manifest entry.

    `book_file` is the `_quarto.yml` to build; its folder holds the chapters it lists.
    `suppress_below` hides counts from 1 to N-1 (see the chapters' tables).
    """
    if renderer not in RENDERERS:
        raise ValueError(f"onbekende renderer {renderer!r}; kies uit {', '.join(RENDERERS)}")
    edition = Edition(year, gemeente, data_dir, suppress_below)
    problems = validate_year(year, data_dir)
    if problems:
        raise DataError(problems)

    year_out = Path(out_root) / str(year)
    year_out.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(year_out / ".build.lock"))
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        raise BuildBusy(f"Er loopt al een build van {year} (slot: {lock.lock_file}). "
                        "Wacht tot die klaar is, of geef --wait SECONDEN op.") from None
    try:
        return _build_locked(edition, read_book(book_file), renderer, year_out, data_dir, jobs)
    finally:
        lock.release()


def _build_locked(edition: Edition, book: Book, renderer: str, year_out: Path,
                  data_dir: Path | None, jobs: int | None) -> dict:
    for stale in year_out.glob(f".{edition.slug}-*"):  # left by a killed build
        shutil.rmtree(stale, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{edition.slug}-", dir=year_out))
    try:
        entry = _build_into(staging, edition, book, renderer, data_dir, jobs)
        publish(staging, year_out / edition.slug)
        write_manifest(year_out / "manifest.json", edition, entry)
        return entry
    except ChapterError as err:
        kept = _keep_failed_notebooks(staging, year_out / "_mislukt" / edition.slug)
        raise ChapterError(err.chapter, err.cell, err.error, kept / err.notebook.name) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _build_into(staging: Path, edition: Edition, book: Book, renderer: str,
                data_dir: Path | None, jobs: int | None) -> dict:
    sources = [book.root / c for c in book.notebooks]
    parameters = {"year": edition.year, "gemeente": edition.gemeente,
                  "data_dir": str(Path(data_dir).resolve()) if data_dir else None,
                  "suppress_below": edition.suppress_below}
    started = time.perf_counter()
    runs = run_chapters(sources, staging / "notebooks", parameters, jobs)
    executed = [run.notebook for run in runs]

    data_folder = year_dir(edition.year, data_dir)
    prov = provenance.provenance(edition.year, data_folder)
    pdf_name = f"jaarverslag-{edition.year}-{edition.slug}.pdf"
    meta = {
        "title": f"Jaarverslag {edition.year}" + (f" gemeente {edition.gemeente}" if edition.gemeente else ""),
        "subtitle": edition.subtitle,
        "organisation": "Wijkkracht",
        "year": edition.year,
        "colophon": provenance.colophon(prov),
        "pdf_href": f"../{pdf_name}",
    }
    if renderer == "quarto":
        from .render import render_quarto

        outputs = render_quarto(book, executed, staging / "quarto", meta=meta)
        html, pdf = outputs["html"], outputs.get("pdf")
    else:
        from .render import render_html, render_pdf

        html = render_html(book, executed, staging / "html", meta=meta)
        pdf = render_pdf(book, executed, staging / pdf_name, meta=meta)

    inputs = [book.source, *[book.root / c for c in book.chapters], *provenance.folder_files(data_folder)]
    def published(path: Path) -> str:
        """Where a staged file will be once published, relative to the manifest."""
        return str(Path(edition.slug) / Path(path).relative_to(staging))

    return {
        "gemeente": edition.gemeente,
        "renderer": renderer,
        "html": published(html),
        "pdf": published(pdf) if pdf else None,
        "chapters": {run.chapter: {"notebook": published(run.notebook), "seconds": round(run.seconds, 3)}
                     for run in runs},
        "seconds": round(time.perf_counter() - started, 3),
        "inputs": provenance.inputs(inputs),
        "provenance": prov,
    }


def editions_of(year: int, data_dir: Path | None = None) -> list[str | None]:
    """The whole organisation (None) and every gemeente of the year's data."""
    return [None, *gemeenten(year, data_dir)]


def build_all(years: list[int], *, every_gemeente: bool = False, gemeente: str | None = None,
              **options) -> dict[int, dict[str, dict]]:
    """Build several years and editions; returns {year: {edition: manifest entry}}.

    Each edition is built and published on its own, so one failing edition leaves
    the others (and the last good copy of itself) in place.
    """
    built: dict[int, dict[str, dict]] = {}
    for year in years:
        if every_gemeente:
            problems = validate_year(year, options.get("data_dir"))
            if problems:
                raise DataError(problems)
            wanted = editions_of(year, options.get("data_dir"))
        else:
            wanted = [gemeente]
        for name in wanted:
            entry = build_report(year, gemeente=name, **options)
            built.setdefault(year, {})[Edition(year, name).slug] = entry
    return built


def write_manifest(path: Path, edition: Edition, entry: dict) -> None:
    """Add or replace this edition in the year's manifest, atomically."""
    manifest = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    manifest["year"] = edition.year
    manifest.setdefault("editions", {})[edition.slug] = entry
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


_RENAME_EXCHANGE = 2


def publish(staging: Path, final: Path) -> None:
    """Put staging where final is, in one step where the system allows it."""
    if final.exists() and _exchange(staging, final):
        return  # staging now holds the previous report and is removed by the caller
    if final.exists():
        old = final.with_name(f".{final.name}-oud-{os.getpid()}")
        os.rename(final, old)
        os.rename(staging, final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(staging, final)


def _exchange(a: Path, b: Path) -> bool:
    """Linux renameat2(RENAME_EXCHANGE): swap two paths atomically."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    return renameat2(at_fdcwd, bytes(a), at_fdcwd, bytes(b), _RENAME_EXCHANGE) == 0


def _keep_failed_notebooks(staging: Path, keep: Path) -> Path:
    """Keep the executed notebooks of a failed build where the error message points."""
    shutil.rmtree(keep, ignore_errors=True)
    shutil.copytree(staging / "notebooks", keep)
    return keep
