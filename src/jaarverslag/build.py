"""One build: validate the data, run the chapters, render, publish atomically.

The report is built in a staging folder next to its final place and swapped in
only when every step succeeded, so a failed or killed build leaves the last good
report as it was.

Builds are incremental (`cache.py`): validation and chapters are skipped when
nothing they read has changed, and when every chapter and every other input of
the render (book, pages, data, code, versions: the `render_key`) is as it was
for the published edition, that edition is left exactly as it is. Its manifest
entry then keeps the provenance of the build that made it (`built_at` says when
the files were made) and records `"up_to_date": true` with the time of the check
in `checked_at`. `cache=False` (`--no-cache`) builds everything afresh.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import FileLock, Timeout

from . import names, paths
from .book import Book, read_book
from .edition import Edition
from .errors import JaarverslagError, Kind
from .paths import year_dir
from .publish import provenance
from .publish.swap import make_readable, publish, recover, write_manifest
from .render.result import EMBEDDED, QUARTO, RENDERERS
from .run import cache as cache_mod
from .run.execute import ChapterError, cached_chapters, prefetch, run_chapters, session
from .run.kernels import remove_stale
from .run.progress import QUIET, Progress

if TYPE_CHECKING:
    from .run.execute import Run

# A manifest entry: what an edition was made from and with (see `_build_into`), as JSON.
Entry = dict[str, Any]


class BuildBusy(JaarverslagError):
    kind = Kind.BUSY


def build_report(year: int, *, gemeente: str | None = None, renderer: str = "embedded",
                 out_root: Path | None = None, data_dir: Path | None = None,
                 jobs: int | None = None, wait: float = 0, book_file: Path | None = None,
                 suppress_below: int | None = None, cache: bool = True,
                 progress: bool | Progress | None = None, timeout: float | None = None,
                 pdf: bool = True) -> Entry:
    """Build one edition of a year's report into out_root/<year>/<edition>/; return its manifest entry.

    `book_file` is the `_quarto.yml` to build; its folder holds the chapters it lists.
    `suppress_below` hides counts from 1 to N-1 (see the chapters' tables).
    `cache=False` neither uses nor fills the build cache in out_root/.cache.
    `pdf=False` publishes the HTML book alone (quicker to check): no PDF, and no link to one.
    `progress` shows progress on stderr; None: only on a terminal and not in CI.
    """
    book_file = Path(book_file or paths.book_file())
    out_root = names.out_root(out_root or paths.build_dir(), data_dir=data_dir, book_file=book_file)
    if renderer not in RENDERERS:
        raise JaarverslagError(f"Onbekende renderer {renderer!r}; kies uit {', '.join(RENDERERS)}.", Kind.USAGE)
    _renderer_present(renderer)
    year = names.year(year, data_dir)  # a year that has data, before anything is read or written
    book = read_book(book_file)  # every chapter a file in the book's folder
    store = _cache(out_root, cache)
    check_data(year, data_dir, store)
    # After validation: the gemeente is checked against a sound gemeenten.csv, and
    # published under its canonical name (names.py).
    edition = Edition(year, gemeente, data_dir, suppress_below)

    year_out = _below(paths.year_out(out_root, year), out_root)
    year_out.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(_below(paths.lock_file(year_out), year_out)))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if not wait:
            raise BuildBusy(f"Er loopt al een build van {year} (slot: {lock.lock_file}). "
                            "Wacht tot die klaar is, of geef --wait SECONDEN op.") from None
        print(f"Er loopt al een build van {year}; deze wacht daarop (hoogstens {wait:g} s).",
              file=sys.stderr)
        try:
            lock.acquire(timeout=wait)
        except Timeout:
            raise BuildBusy(f"Na {wait:g} s loopt de andere build van {year} nog (slot: {lock.lock_file}). "
                            "Probeer het later opnieuw.") from None
    try:
        return _build_locked(edition, book, renderer, year_out, data_dir, jobs, store, _progress(progress),
                             timeout=timeout or book.cell_timeout, pdf=pdf)
    finally:
        lock.release()


def check_data(year: int, data_dir: Path | None, store: cache_mod.Cache | None) -> None:
    """The year's data and what last year's has are sound, else a `DataError` naming every problem."""
    problems = cache_mod.validate_cached(year, data_dir, store)
    if year_dir(year - 1, data_dir).is_dir():
        # The chapters compare with last year, so what it has must be sound; a dataset or
        # text it lacks is simply not compared (it may be new this year).
        problems += [p for p in cache_mod.validate_cached(year - 1, data_dir, store)
                     if not p.missing]
    if problems:
        from .data.read import DataError

        raise DataError(problems)


def _renderer_present(renderer: str) -> None:
    """Quarto, when asked for, is on PATH and new enough, before any data is read or chapter runs."""
    if renderer == QUARTO:
        from .render.quarto import find_quarto

        find_quarto()


def _cache(out_root: Path, enabled: bool) -> cache_mod.Cache | None:
    return cache_mod.Cache(_below(paths.cache_dir(out_root), out_root)) if enabled else None


def _below(path: Path, root: Path) -> Path:
    """`path`, after checking that it lies strictly below `root` (resolved, see `paths.inside`).

    Every folder and file a build writes or deletes is named through here, so a
    name, a link or a '..' never makes it touch anything outside the output folder.
    """
    if paths.inside(path, root) == Path(root).resolve():
        raise JaarverslagError(f"Geweigerd: {path} is de uitvoermap zelf; een build schrijft en verwijdert "
                               "alleen mappen en bestanden daarbinnen.", Kind.PROJECT)
    return Path(path)


def _progress(progress: bool | Progress | None) -> Progress:
    return progress if isinstance(progress, Progress) else Progress(progress)


def _label(edition: Edition) -> str:
    return f"{edition.year} {edition.slug}"


def _parameters(edition: Edition, data_dir: Path | None) -> dict[str, Any]:
    """What the chapter notebooks are given. The project's own data folder is given as None:
    the notebook finds it in its project, so a copied project's chapters are the same."""
    folder = Path(data_dir).resolve() if data_dir else None
    return {"year": edition.year, "gemeente": edition.gemeente,
            "data_dir": str(folder) if folder and folder != paths.data_dir().resolve() else None,
            "suppress_below": edition.suppress_below}


def chapter_parameters(edition: Edition, data_dir: Path | None) -> dict[str, Any]:
    """What a build gives the chapter notebooks of `edition` (also `jaarverslag preview`)."""
    return _parameters(edition, data_dir)


def edition_meta(edition: Edition, prov: dict[str, Any]) -> dict[str, Any]:
    """What the renderers show of `edition` (also `jaarverslag preview`)."""
    return _meta(edition, prov)


def _build_locked(edition: Edition, book: Book, renderer: str, year_out: Path,
                  data_dir: Path | None, jobs: int | None, store: cache_mod.Cache | None = None,
                  report: Progress = QUIET, *, timeout: float | None = None, pdf: bool = True) -> Entry:
    recover(year_out)  # an edition a killed swap left aside is put back first (publish/swap.py)
    for stale in year_out.glob(f"{paths.staging_prefix(edition.slug)}*"):  # left by a killed build
        shutil.rmtree(_below(stale, year_out), ignore_errors=True)
    started = time.perf_counter()
    prov = provenance.provenance(edition.year, year_dir(edition.year, data_dir))
    current = _up_to_date(edition, book, renderer, year_out, data_dir, store, prov, pdf=pdf)
    if current is not None:
        # An edition published before modes were set is 0700.
        make_readable(_below(paths.edition_dir(year_out, edition.slug), year_out))
        entry = {**current, "up_to_date": True, "checked_at": prov["built_at"],
                 "seconds": round(time.perf_counter() - started, 3),
                 "chapters": {name: {**chapter, "cached": True} for name, chapter in current["chapters"].items()}}
        write_manifest(_below(paths.manifest_file(year_out), year_out), edition, entry)
        report.done(_label(edition), time.perf_counter() - started, up_to_date=True)
        return entry
    staging = _below(Path(tempfile.mkdtemp(prefix=paths.staging_prefix(edition.slug), dir=year_out)), year_out)
    try:
        entry = _build_into(staging, edition, book, renderer, data_dir, jobs, store, report, prov,
                            timeout=timeout, pdf=pdf)
        entry["seconds"] = round(time.perf_counter() - started, 3)
        publish(staging, _below(paths.edition_dir(year_out, edition.slug), year_out))
        write_manifest(_below(paths.manifest_file(year_out), year_out), edition, entry)
        report.done(_label(edition), time.perf_counter() - started)
        if store is not None:
            store.prune()
        return entry
    except ChapterError as err:
        kept = _keep_failed_notebooks(staging, _below(paths.failed_dir(year_out, edition.slug), year_out))
        raise err.kept(kept / err.notebook.name) from None
    finally:
        shutil.rmtree(_below(staging, year_out), ignore_errors=True)


def _meta(edition: Edition, prov: dict[str, Any], *, pdf: bool = True) -> dict[str, Any]:
    """What the renderers show of the edition: title, subtitle, colophon, the link to the PDF
    (None when the build makes none), and the name its files are called after."""
    name = paths.pdf_name(edition.year, edition.slug)
    return {
        "title": f"Jaarverslag {edition.year}" + (f" gemeente {edition.gemeente}" if edition.gemeente else ""),
        "subtitle": edition.subtitle,
        "organisation": "Wijkkracht",
        "year": edition.year,
        "colophon": provenance.colophon(prov, suppression_rule=edition.suppression_rule),  # for readers
        "verantwoording": provenance.verantwoording(prov),  # the technical provenance, after it
        "pdf_href": f"../{name}" if pdf else None,  # from html/ to the PDF beside it
        "file_stem": Path(name).stem,  # the workbook's name, also without a PDF
    }


def _render_key(edition: Edition, book: Book, renderer: str, prov: dict[str, Any],
                chapters: list[list[Any]], *, pdf: bool) -> str | None:
    """What the rendered edition depends on, but its build time; None when a chapter's is unknown."""
    if any(sha is None for _, _, sha in chapters):
        return None
    pages = [book.source, *[book.root / c for c in book.chapters]]
    return cache_mod.render_key(
        edition=[edition.year, edition.gemeente, edition.suppress_below, edition.slug],
        renderer=renderer,
        pages={paths.relative(p): cache_mod.digest(p.read_bytes()) for p in pages if p},
        chapters=chapters,
        provenance={k: v for k, v in prov.items() if k != "built_at"},
        meta={k: v for k, v in _meta(edition, prov, pdf=pdf).items() if k not in ("colophon", "verantwoording")},
    )


def _up_to_date(edition: Edition, book: Book, renderer: str, year_out: Path, data_dir: Path | None,
                store: cache_mod.Cache | None, prov: dict[str, Any], *, pdf: bool) -> Entry | None:
    """The published edition's manifest entry when a build now would make the same edition."""
    entry = _published_entry(paths.manifest_file(year_out), edition.slug)
    if store is None or entry is None:
        return None
    if not entry.get("render_key") or entry.get("renderer") != renderer:
        return None
    sources = [book.root / c for c in book.notebooks]
    entries = [e for e in cached_chapters(sources, _parameters(edition, data_dir), store) if e is not None]
    if len(entries) != len(sources):  # a chapter would run
        return None
    key = _render_key(edition, book, renderer, prov, [[s.stem, e.key, e.notebook_sha256]
                                                      for s, e in zip(sources, entries, strict=True)], pdf=pdf)
    published = [entry["html"], entry.get("pdf"), *[c["notebook"] for c in entry["chapters"].values()]]
    if key != entry["render_key"] or not all((year_out / p).is_file() for p in published if p):
        return None
    return entry


def _published_entry(manifest: Path, slug: str) -> Entry | None:
    """This edition's entry in the year's manifest, None when it has none. A manifest no build
    wrote like this is named in one line on stderr: the edition is then made and listed afresh."""
    try:
        found = json.loads(manifest.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:
        _damaged_manifest(manifest, "onleesbaar" if isinstance(err, OSError) else "geen geldige JSON")
        return None
    editions = found.get("editions") if isinstance(found, dict) else None
    if not isinstance(editions, dict):
        _damaged_manifest(manifest, "zonder lijst van edities")
        return None
    entry = editions.get(slug)
    if entry is None:
        return None
    chapters = entry.get("chapters") if isinstance(entry, dict) else None
    if not (isinstance(chapters, dict) and isinstance(entry.get("html"), str)
            and isinstance(entry.get("pdf"), (str, type(None)))
            and isinstance(entry.get("render_key"), (str, type(None)))
            and all(isinstance(c, dict) and isinstance(c.get("notebook"), str) for c in chapters.values())):
        _damaged_manifest(manifest, f"de editie {slug} is onvolledig")
        return None
    return entry


def _damaged_manifest(manifest: Path, why: str) -> None:
    print(f"{paths.relative(manifest)} was beschadigd ({why}) en is genegeerd; de editie wordt opnieuw "
          "gemaakt en het manifest opnieuw geschreven.", file=sys.stderr)


def _warm_renderer(renderer: str) -> None:
    """Import the renderer in the background while the chapters run in their kernels."""
    def load() -> None:
        try:
            from .render import warm

            warm(renderer)
        except Exception:  # the render step itself reports what is wrong
            pass

    threading.Thread(target=load, name="warm-renderer", daemon=True).start()


def _reads(run: Run, data_root: Path) -> list[str]:
    """The data files (and prose pages) a chapter read, as the manifest shows them."""
    found = []
    for dep in run.reads:
        path = Path(dep)
        if dep.startswith("ls:") or not path.is_file() or not path.is_relative_to(data_root):
            continue
        found.append(paths.relative(path, paths.root(), data_root))
    return found


def _build_into(staging: Path, edition: Edition, book: Book, renderer: str,
                data_dir: Path | None, jobs: int | None, store: cache_mod.Cache | None = None,
                report: Progress = QUIET, prov: dict[str, Any] | None = None, *,
                timeout: float | None = None, pdf: bool = True) -> Entry:
    """Run the chapters into `staging` and render them there; return the edition's manifest entry."""
    sources = [book.root / c for c in book.notebooks]
    parameters = _parameters(edition, data_dir)
    label = _label(edition)
    _warm_renderer(renderer)
    out_root = staging.parent.parent
    runs = run_chapters(sources, paths.executed_dir(staging), parameters, jobs, cache=store, progress=report,
                        label=label, roots=[book.root], exclude=[out_root, staging.parent],
                        timeout=timeout or book.cell_timeout, files=_below(paths.run_dir(out_root), out_root),
                        passed=store.passed if store is not None else None)
    executed = [run.notebook for run in runs]

    data_folder = year_dir(edition.year, data_dir)
    prov = prov or provenance.provenance(edition.year, data_folder)
    report.step(label, "HTML en PDF maken" if pdf else "HTML maken")
    from .render import render

    if renderer == EMBEDDED and store is not None:
        # The published pages, linked: the render replaces only those that change.
        _link_pages(paths.html_dir(paths.edition_dir(staging.parent, edition.slug)), paths.html_dir(staging))

    rendered = render(renderer, book, executed, staging, pdf_name=paths.pdf_name(edition.year, edition.slug),
                      meta=_meta(edition, prov, pdf=pdf), pdf=pdf)

    book_files = [book.source, *[book.root / c for c in book.chapters]]
    inputs = [p for p in book_files if p is not None] + list(provenance.folder_files(data_folder))
    def published(path: Path) -> str:
        """Where a staged file will be once published, relative to the manifest."""
        return str(Path(edition.slug) / Path(path).relative_to(staging))

    data_root = Path(data_dir or paths.data_dir()).resolve()
    return {
        "gemeente": edition.gemeente,
        **rendered.manifest_fields(published),  # renderer, its version, the PDF's route, html, pdf
        "chapters": {run.chapter: {"notebook": published(run.notebook), "seconds": round(run.seconds, 3),
                                   "cached": run.cached, "reads": _reads(run, data_root)}
                     for run in runs},
        "inputs": provenance.inputs(inputs),
        "provenance": prov,
        "render_key": _render_key(edition, book, renderer, prov,
                                  [[r.chapter, r.key, r.notebook_sha256] for r in runs], pdf=pdf) if store else None,
        "up_to_date": False,
        "checked_at": prov["built_at"],
    }


def _link_pages(published: Path, staged: Path) -> None:
    """The published HTML book's pages in the staging folder, hard-linked where the file system
    can (copied where not): an unchanged page is then published as the same file, untouched.
    Only the pages (`*.html`), which the render replaces or removes: anything else is made afresh."""
    if not published.is_dir() or published.is_symlink():
        return
    staged.mkdir(parents=True, exist_ok=True)
    for source in sorted(published.glob("*.html")):
        if source.is_symlink() or not source.is_file():
            continue
        try:
            os.link(source, staged / source.name)
        except OSError:
            shutil.copy2(source, staged / source.name)


def editions_of(year: int, data_dir: Path | None = None) -> list[str | None]:
    """The whole organisation (None) and every gemeente of the year's data."""
    from .data.read import gemeenten

    return [None, *gemeenten(year, data_dir)]


def build_all(years: list[int], *, every_gemeente: bool = False, gemeente: str | None = None,
              **options: Any) -> dict[int, dict[str, Entry]]:
    """Build several years and editions; returns {year: {edition: manifest entry}}.

    Each edition is built and published on its own, so one failing edition leaves
    the others (and the last good copy of itself) in place. The editions share
    one runner, and while one edition renders, it already runs (and caches) the
    chapters of the next.
    """
    built: dict[int, dict[str, Entry]] = {}
    _renderer_present(options.get("renderer", "embedded"))
    options["progress"] = _progress(options.get("progress"))
    data_dir = options.get("data_dir")
    out_root = names.out_root(options.get("out_root") or paths.build_dir(), data_dir=data_dir,
                              book_file=options.get("book_file") or paths.book_file())
    years = [names.year(year, data_dir) for year in years]  # every year has data, before one is built
    store = _cache(out_root, options.get("cache", True))
    run_dir = _below(paths.run_dir(out_root), out_root)
    remove_stale(run_dir)  # at every start, also one that needs no kernel
    with session(options.get("jobs"), files=run_dir):
        for year in years:
            if every_gemeente or store is not None:
                problems = cache_mod.validate_cached(year, data_dir, store)
                if problems:
                    from .data.read import DataError

                    raise DataError(problems)
            wanted = editions_of(year, data_dir) if every_gemeente else [gemeente]
            # Every name checked (and made canonical) before any edition is built or published.
            wanted = [None if name is None else names.gemeente(name, year, data_dir) for name in wanted]
            if store is not None and not _busy(paths.year_out(options.get("out_root") or paths.build_dir(), year),
                                               options):
                _prefetch(year, wanted, store, options)
            for name in wanted:
                entry = build_report(year, gemeente=name, **options)
                built.setdefault(year, {})[Edition(year, name, data_dir).slug] = entry
    return built


def _busy(year_out: Path, options: dict[str, Any]) -> bool:
    """Another build holds this year's lock and we would not wait: running ahead is wasted."""
    if options.get("wait") or not paths.lock_file(year_out).exists():
        return False
    lock = FileLock(str(_below(paths.lock_file(year_out), year_out.parent)))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    lock.release()
    return False


def _prefetch(year: int, wanted: list[str | None], store: cache_mod.Cache, options: dict[str, Any]) -> None:
    """Queue the chapters of every wanted edition, in order, in the session's kernels."""
    book = read_book(options.get("book_file") or paths.book_file())
    sources = [book.root / c for c in book.notebooks]
    data_dir = options.get("data_dir")
    out_root = Path(options.get("out_root") or paths.build_dir())
    for order, name in enumerate(wanted, start=1):
        edition = Edition(year, name, data_dir, options.get("suppress_below"))
        prefetch(sources, _parameters(edition, data_dir), store, priority=order,
                 progress=options["progress"], label=_label(edition), roots=[book.root],
                 exclude=[out_root], timeout=options.get("timeout") or book.cell_timeout, passed=store.passed)


def _keep_failed_notebooks(staging: Path, keep: Path) -> Path:
    """Keep the executed notebooks of a failed build where the error message points."""
    shutil.rmtree(keep, ignore_errors=True)
    shutil.copytree(paths.executed_dir(staging), keep)
    return keep
