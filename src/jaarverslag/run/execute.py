"""Running the chapter notebooks with papermill: a few at a time, each in a fresh kernel, cached.

`run_chapters` takes each chapter from the cache when nothing it read has changed
(`cache.py`), and runs the others in a `Runner` (`kernels.py`): one notebook per
core at a time, each in a new kernel. `session` keeps one runner for several
builds (every edition of `build_all`), and `prefetch` lets it run the chapters of
the editions still to come while the current one renders.

Every cell has a time limit (`timeout`, from `--timeout` or `_quarto.yml`): a cell
that runs longer is stopped with its kernel, and the build fails with a
`ChapterTimeout` that names the chapter, the cell and the executed notebook.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import paths
from ..errors import JaarverslagError, Kind, from_os_error
from . import cache as cache_mod
from . import trace
from .kernels import KERNEL, Job, Runner
from .progress import QUIET, Progress

Folders = Iterable[Path | str]  # roots and exclusions of the trace


class ChapterError(JaarverslagError):
    """A chapter notebook raised. Names the chapter, cell, error and executed notebook."""

    kind = Kind.CHAPTER

    def __init__(self, chapter: str, cell: int | None, error: str, notebook: Path) -> None:
        self.chapter, self.cell, self.error, self.notebook = chapter, cell, error, notebook
        where = f"cel {cell}" if cell is not None else "onbekende cel"
        super().__init__(
            f"Hoofdstuk '{chapter}' faalde in {where}: {error}\n"
            f"  Het uitgevoerde notebook met de fout staat in: {notebook}"
        )

    def kept(self, notebook: Path) -> ChapterError:
        """The same error, pointing at a copy of the executed notebook kept elsewhere."""
        return ChapterError(self.chapter, self.cell, self.error, notebook)


class ChapterTimeout(ChapterError):
    """A cell of a chapter ran longer than its time limit; it was stopped, with its kernel."""

    kind = Kind.TIMEOUT

    def __init__(self, chapter: str, cell: int | None, seconds: float | None, notebook: Path) -> None:
        # `seconds` is the limit that was passed: set whenever a cell can time out
        seconds = seconds or 0.0
        self.chapter, self.cell, self.seconds, self.notebook = chapter, cell, seconds, notebook
        self.error = f"langer dan {seconds:g} s"
        where = f"cel {cell}" if cell is not None else "een cel"
        JaarverslagError.__init__(
            self, f"Hoofdstuk '{chapter}' liep in {where} langer dan {seconds:g} s en is gestopt. Zoek de "
                  f"oorzaak in het notebook in {notebook}, of geef meer tijd met --timeout SECONDEN (of met "
                  "cell-timeout onder jaarverslag: in _quarto.yml).")

    def kept(self, notebook: Path) -> ChapterTimeout:
        return ChapterTimeout(self.chapter, self.cell, self.seconds, notebook)


def _timed_out(err: BaseException | None) -> bool:
    """nbclient's CellTimeoutError: a cell ran past `execution_timeout`."""
    from nbclient.exceptions import CellTimeoutError

    return isinstance(err, CellTimeoutError)


def _hung_cell(notebook: Path) -> int | None:
    """The cell that was running when time ran out, numbered as papermill numbers a failing cell.

    papermill stamps each cell's start time as it starts it and writes the notebook
    when execution stops, so it is the last cell with a start time.
    """
    import json

    try:
        cells = json.loads(Path(notebook).read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return None
    started = [(i, c) for i, c in enumerate(cells) if c.get("metadata", {}).get("papermill", {}).get("start_time")]
    if not started:
        return None
    index, cell = started[-1]
    return cell.get("execution_count") or index


@dataclass(frozen=True)
class Run:
    chapter: str
    notebook: Path
    seconds: float  # how long the run took; for a cached chapter, the run that made the cache
    cached: bool = False
    reads: tuple[str, ...] = ()  # what the run read (files, `ls:` folders), when known
    key: str | None = None  # its cache key
    notebook_sha256: str | None = field(default=None, compare=False)  # of the cached notebook


def run_chapter(source: Path, target: Path, parameters: dict[str, Any], *, timeout: float | None = None,
                files: Path | None = None) -> Run:
    """Execute one chapter notebook into `target` (named as the notebook) in a new kernel of its own."""
    if target.name != source.name:
        raise ValueError(f"{target} is not named as {source.name}")
    return run_chapters([source], target.parent, parameters, 1, timeout=timeout, files=files)[0]


# ---- the kernels of a session ----

_SESSION: contextvars.ContextVar[Runner | None] = contextvars.ContextVar("runner", default=None)


@contextlib.contextmanager
def session(jobs: int | None = None, *, files: Path | None = None, spares: int = 0) -> Iterator[Runner]:
    """One runner for every build inside the block (e.g. all editions of a year), so that
    `prefetch` can queue the chapters of the editions still to come.

    `files`: where their connection files go (`kernels.connection_folder`); `spares`: keep
    that many kernels started ahead for the next chapters (the preview, which waits for edits).
    """
    current = _SESSION.get()
    if current is not None:
        yield current
        return
    runner = Runner(jobs or len(os.sched_getaffinity(0)) or 1, files=files, spares=spares)
    token = _SESSION.set(runner)
    try:
        yield runner
    finally:
        _SESSION.reset(token)
        runner.stop()


@dataclass(frozen=True)
class Watch:
    """Where reads count as inputs (roots), where not (exclude), which data roots to list, and
    the places the cache keeps reads relative to (the project and its data folder)."""

    roots: tuple[str, ...]
    exclude: tuple[str, ...]
    data_roots: tuple[str, ...]
    places: trace.Places

    @classmethod
    def of(cls, sources: list[Path], parameters: dict[str, Any], roots: Folders = (), exclude: Folders = ()) -> Watch:
        project = paths.root()
        data_root = Path(parameters.get("data_dir") or paths.data_dir()).resolve()
        found = {str(Path(r).resolve()) for r in (project, data_root, *roots)}
        found |= {str(Path(s).resolve().parent) for s in sources}
        skip = {str(Path(e).resolve()) for e in exclude} | {str(project / ".git")}
        return cls(tuple(sorted(found)), tuple(sorted(skip)), (str(data_root),),
                   trace.Places(str(project.resolve()), str(data_root)))


def _chapter_error(job: Job) -> JaarverslagError:
    err = job.error
    if isinstance(err, ChapterError):
        return err
    if _timed_out(err):
        return ChapterTimeout(job.chapter, _hung_cell(job.target), job.timeout, job.target)
    if isinstance(err, OSError) and from_os_error(err) is not None:
        # A full or read-only output folder: e.g. no room for the executed notebook (papermill's
        # write names no file) or for the kernels' connection folder.
        err.filename = err.filename or str(job.target)
        named = from_os_error(err)
        if named is not None:
            return named
    ename, evalue = getattr(err, "ename", None), getattr(err, "evalue", None)
    if ename is not None:  # papermill's PapermillExecutionError
        cell = getattr(err, "exec_count", None) or getattr(err, "cell_index", None)
        return ChapterError(job.chapter, cell, f"{ename}: {evalue}", job.target)
    return ChapterError(job.chapter, None, f"{type(err).__name__}: {err}", job.target)


def _started(progress: Progress, label: str) -> Callable[[Job], None]:
    return lambda job: progress.running(label, job.chapter, ahead=job.ahead)


def _stored(cache: cache_mod.Cache | None, progress: Progress, label: str,
            places: trace.Places) -> Callable[[Job], None]:
    """A job's on_done: keep a successful run in the cache, report it."""

    def on_done(job: Job) -> None:
        if job.error is None and cache is not None and job.key:
            try:
                job.entry = cache.store(job.key, job.chapter, job.target, job.seconds, job.reads or [], job.started,
                                        places)
            except OSError:
                job.entry = None  # a cache that cannot be written is no reason to fail the build
        progress.finished(label, job.chapter, job.seconds, failed=job.error is not None, ahead=job.ahead)

    return on_done


def _restored(cache: cache_mod.Cache, key: str | None, source: Path, target: Path,
              places: trace.Places) -> Run | None:
    """The chapter copied from the cache into target; None when it has to run."""
    if key is None:
        return None
    entry = cache.lookup(key, places, Path(source).stem)
    try:
        if entry is None or not cache.restore(entry, target, source):
            return None
    except (OSError, ValueError):  # a damaged cache entry: run the chapter instead
        return None
    return Run(target.stem, target, entry.seconds, True, tuple(entry.reads), key, entry.notebook_sha256)


def cached_chapters(sources: list[Path], parameters: dict[str, Any],
                    cache: cache_mod.Cache) -> list[cache_mod.Entry | None]:
    """The valid cache entry of each chapter, or None where it would have to run."""
    places = Watch.of(sources, parameters).places
    return [cache.lookup(cache_mod.chapter_key(s, parameters, KERNEL), places, s.stem) for s in sources]


def run_chapters(sources: list[Path], out_dir: Path, parameters: dict[str, Any], jobs: int | None = None, *,
                 cache: cache_mod.Cache | None = None, progress: Progress = QUIET, label: str = "",
                 roots: Folders = (), exclude: Folders = (), timeout: float | None = None,
                 files: Path | None = None, passed: Mapping[str, str] | None = None) -> list[Run]:
    """Run every chapter into out_dir, `jobs` at a time; the first failure in book order is raised.

    With a `cache`, a chapter whose inputs are unchanged is copied from it instead,
    and every successful run is stored. Kernels come from the current `session`,
    or are started for this call (their connection files under `files`). Every
    kernel is ours and its worker thread a daemon: on Ctrl-C or SIGTERM the kernels
    are stopped and the build ends at once. A cell may run `timeout` seconds. `passed`:
    the data files that passed the build's validation, with their sha256 (`data.read.trust`).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    watch = Watch.of(sources, parameters, roots, exclude)
    keys = [cache_mod.chapter_key(s, parameters, KERNEL) if cache else None for s in sources]
    runs: dict[int, Run] = {}
    if cache is not None:
        for i, source in enumerate(sources):
            run = _restored(cache, keys[i], source, out_dir / source.name, watch.places)
            if run is not None:
                runs[i] = run
    progress.chapters(label, len(sources), len(runs), [runs[i].chapter for i in sorted(runs)])
    todo = [i for i in range(len(sources)) if i not in runs]
    errors: dict[int, JaarverslagError] = {}
    if todo:
        shared = _SESSION.get()
        runner = shared or Runner(min(jobs or len(os.sched_getaffinity(0)) or 1, len(todo)), files=files)

        def job_for(i: int, key: str | None) -> Job:
            return Job(key, Path(sources[i]), out_dir / sources[i].name, parameters, list(watch.roots),
                       list(watch.exclude), list(watch.data_roots), timeout=timeout, passed=_sorted(passed),
                       charts=str(cache.charts) if cache else "",
                       on_start=_started(progress, label), on_done=_stored(cache, progress, label, watch.places))

        try:
            mine = {i: job_for(i, keys[i]) for i in todo}
            submitted = {i: runner.submit(job) for i, job in mine.items()}
            for i in todo:
                job = submitted[i]
                job.wait()
                if job is not mine[i] and _timed_out(job.error):  # run ahead and hung: do not wait twice
                    errors[i] = _taken_over(job, mine[i].target)
                    continue
                if job is not mine[i]:  # run ahead by `prefetch`: take it from the cache
                    run = (_restored(cache, keys[i], sources[i], mine[i].target, watch.places)
                           if cache and job.error is None else None)
                    if run is not None:
                        runs[i] = run
                        continue
                    job = runner.submit(job_for(i, None))  # not cached: run it here after all
                    job.wait()
                if job.error is not None:
                    errors[i] = _chapter_error(job)
                else:
                    runs[i] = Run(sources[i].stem, job.target, job.seconds, False, tuple(job.reads or ()),
                                  keys[i], job.entry.notebook_sha256 if job.entry else None)
        except BaseException:
            runner.stop()
            raise
        finally:
            if shared is None:
                runner.stop()
    for i in range(len(sources)):
        if i in errors:
            raise errors[i]
    return [runs[i] for i in range(len(sources))]


def _sorted(passed: Mapping[str, str] | None) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((passed or {}).items()))


def _taken_over(job: Job, target: Path) -> ChapterTimeout:
    """The timeout of a chapter that `prefetch` ran ahead, with its notebook moved to `target`."""
    try:
        shutil.move(job.target, target)
    except OSError:
        pass  # the message then points at a notebook that is not there; the cause is still named
    shutil.rmtree(job.target.parent, ignore_errors=True)
    return ChapterTimeout(job.chapter, _hung_cell(target), job.timeout, target)


def prefetch(sources: list[Path], parameters: dict[str, Any], cache: cache_mod.Cache, *, priority: int = 1,
             progress: Progress = QUIET, label: str = "", roots: Folders = (), exclude: Folders = (),
             timeout: float | None = None, passed: Mapping[str, str] | None = None) -> int:
    """Queue the uncached chapters of an edition in the session's kernels, to be cached.

    For `build_all`: the next editions' chapters run while this one renders. Does
    nothing outside a `session`. Returns how many chapters were queued.
    """
    runner = _SESSION.get()
    if runner is None or cache is None:
        return 0
    watch = Watch.of(sources, parameters, roots, exclude)
    queued = 0
    for source in sources:
        key = cache_mod.chapter_key(source, parameters, KERNEL)
        if cache.lookup(key, watch.places, Path(source).stem) is not None:
            continue
        folder = cache.root / "tmp" / uuid.uuid4().hex
        store = _stored(cache, progress, label, watch.places)

        def on_done(job: Job, store: Callable[[Job], None] = store, folder: Path = folder) -> None:
            try:
                store(job)
            finally:
                if not _timed_out(job.error):  # a build waiting for a hung chapter takes its notebook
                    shutil.rmtree(folder, ignore_errors=True)

        runner.submit(Job(key, Path(source), folder / Path(source).name, parameters, list(watch.roots),
                        list(watch.exclude), list(watch.data_roots), priority=priority, ahead=True,
                        timeout=timeout, passed=_sorted(passed), charts=str(cache.charts),
                        on_start=_started(progress, label), on_done=on_done))
        queued += 1
    return queued
