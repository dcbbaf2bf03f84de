"""Kernels: each chapter notebook runs in a kernel of its own, a few notebooks at a time.

A `Runner` has `size` worker threads (one per core by default). Each takes the
next `Job` by priority, starts a new kernel for it, and runs the notebook there
with plain papermill: a fresh kernel per notebook, as `papermill` itself does,
so no notebook sees what another left behind. The kernel loads `inkernel` as an
IPython extension, which records what the notebook reads for the cache. It is
forked from this process's fork server (`forks`), which has the libraries loaded.

`make bench` measured whether keeping kernels warm between notebooks paid for
the code that resets them: it won the cold build by 1.24x, under the 1.3x that
issue 11 asked of it, so every notebook gets a fresh kernel.

A runner with `spares` (the preview's) keeps that many new kernels started ahead,
with the libraries the chapters import (`PRELOAD`) loaded (a forked kernel has them
already), so that the next notebook's kernel is ready when an edit comes in: still
a kernel no notebook has run in. Two, so that the next save finds one ready while
the one after it starts. A build has no idle moments to hide that start in, and
does without.

A cell that runs past its time limit (`Job.timeout`, papermill's
`execution_timeout`) stops with its kernel. `stop` (Ctrl-C, SIGTERM) ends every
running kernel at once; the workers are daemon threads.

A kernel's connection file holds the key that lets anyone who reads it run code
in the kernel. So ours are never written to Jupyter's runtime folder or the temp
folder, but to a private folder of this process (`connection_folder`, 0700, under
the output folder's `.run/` in a build); it is removed when the kernels stop, on
every way out, and a folder left by a killed process is removed at the next start.
"""

from __future__ import annotations

import atexit
import functools
import heapq
import itertools
import os
import shutil
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import paths
from ..errors import JaarverslagError, Kind
from . import inkernel

if TYPE_CHECKING:
    from jupyter_client import KernelManager

    from .cache import Entry

KERNEL = "python3"

# What a spare kernel imports while it waits: the installed libraries every chapter uses (about
# 1 s of a kernel's start), never the project's own modules, which may change before it is used.
# The last five are markup (`markup`: Markdown and its sanitiser), the SVG charts and the dates
# of the texts: 0.05 to 0.1 s of each chapter that uses them.
PRELOAD = ("pandas", "pandera.pandas", "matplotlib.figure", "matplotlib.backends.backend_agg", "babel.numbers",
           "IPython.display", "mistune", "nh3", "html.parser", "matplotlib.backends.backend_svg", "babel.dates")

# Set by the command's Ctrl-C and SIGTERM handler. A KeyboardInterrupt raised while the main
# thread runs a finalizer (a client's __del__ during garbage collection) is swallowed by
# Python; this flag is not, so a build waiting for its chapters stops all the same.
stop_requested = threading.Event()


class KernelError(JaarverslagError):
    """The kernel could not be started or stopped answering."""

    kind = Kind.CHAPTER


def connection_folder(base: Path | None = None) -> Path:
    """A new private folder (0700) of this process for kernel connection files.

    `base/<pid>-<random>` (a build passes `<output folder>/.run`), after removing
    the folders there of processes that are gone (killed builds); without a base,
    a folder in the temp folder. Whoever makes it removes it (`remove_folder`).
    """
    if base is None:
        return Path(tempfile.mkdtemp(prefix=f"jaarverslag-kernels-{os.getpid()}-"))
    remove_stale(base)
    return Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=base))


def remove_stale(base: Path) -> None:
    """Remove the connection folders in `base` of processes that are gone: a killed build
    could not remove its own, and they hold its kernels' keys."""
    base = Path(base)
    base.mkdir(parents=True, exist_ok=True)
    for folder in base.iterdir():
        pid = folder.name.partition("-")[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def remove_folder(folder: Path | None) -> None:
    """Remove a connection folder and what is left in it (files of kernels that did not stop cleanly)."""
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def kernel_manager(folder: Path, **options: Any) -> KernelManager:
    """A KernelManager whose connection file lies in our private `folder`, not in a shared one,
    and whose kernel is forked from this process's fork server (`forks`)."""
    from jupyter_client import KernelManager

    from .forks import ForkProvisioner

    km = KernelManager(kernel_name=KERNEL, connection_file=str(Path(folder) / f"kernel-{uuid.uuid4().hex}.json"),
                       kernel_id=str(uuid.uuid4()), **options)
    km.provisioner = ForkProvisioner(kernel_id=km.kernel_id, kernel_spec=km.kernel_spec, parent=km)
    return km


def start_kernel(km: KernelManager, cwd: Path | str, *extra: str, env: dict[str, str] | None = None) -> None:
    """Launch `km`'s kernel as nbclient would (in the notebook's folder, no history file on disk),
    and building the same project as this process, wherever its notebook lies."""
    km.start_kernel(cwd=str(cwd), env={**os.environ, paths.ENV: str(paths.root()), **(env or {})},
                    extra_arguments=["--HistoryManager.hist_file=:memory:", *extra])


def cancel_pending_tasks() -> None:
    """After a cell timeout: cancel what nbclient left pending in this thread's event loop.

    nbclient cancels its output-polling task on other errors, not on a timeout; left
    pending, it would wake up in the next notebook's run of the loop, and asyncio
    complains about it when the process ends.
    """
    import asyncio

    from jupyter_core.utils import ensure_event_loop

    loop = ensure_event_loop()
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending and not loop.is_running():
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))


@dataclass(frozen=True)
class Setting:
    """What a kernel is started with before it knows its notebook (see `inkernel`): the folder
    it runs in, what its reads are recorded under, the data that passed the build's
    validation and where charts are kept. A spare serves only a job with the same."""

    cwd: str
    roots: tuple[str, ...]
    exclude: tuple[str, ...]
    data_roots: tuple[str, ...]
    passed: tuple[tuple[str, str], ...] = ()  # data files that passed the build's validation, and their sha256
    charts: str = ""  # where charts drawn before are kept (the cache's charts/), if anywhere


class Kernel:
    """One notebook's kernel: started, then ended once, from whichever thread gets there first.

    A `kill` before or while it starts wins: no kernel is left running (one whose
    connection file had been removed would write its own, and leave it behind).
    """

    def __init__(self, folder: Path) -> None:
        # The client asynchronous, as nbclient's own, so that it notices a kernel that dies mid-cell.
        self.km = kernel_manager(folder, client_class="jaarverslag.run.client.ReadyClient")
        self.reads = Path(folder) / f"reads-{uuid.uuid4().hex}.json"  # where `inkernel` writes what was read
        self.setting: Setting | None = None
        self._ending = threading.Lock()
        self._ended = False

    def start(self, setting: Setting, preload: tuple[str, ...] = ()) -> None:
        with self._ending:
            if self._ended:
                raise KernelError("de kernel is gestopt voordat hij startte")
            env = inkernel.instructions(list(setting.roots), list(setting.exclude), list(setting.data_roots),
                                        str(self.reads), preload, dict(setting.passed), setting.charts)
            # No warning on the terminal about plain TCP on localhost for every kernel (errors still show).
            start_kernel(self.km, setting.cwd, f"--ext={inkernel.__name__}", "--IPKernelApp.log_level=ERROR",
                         env=env)
            self.setting = setting

    def kill(self) -> None:
        with self._ending:
            if self._ended:
                return
            self._ended = True
            try:
                if self.km.has_kernel:
                    self.km.shutdown_kernel(now=True)
            except Exception:  # a kernel that is already gone is stopped enough
                pass


ENGINE = "jaarverslag"


@functools.cache
def _engine() -> str:
    """Register papermill's own nbclient engine, run in a kernel we started, with its client closed after.

    Given a started kernel, nbclient leaves its client's sockets open; they would close
    whenever the garbage collector gets to them, in whichever thread runs then.
    """
    import logging

    from nbclient.exceptions import CellTimeoutError
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    # nbclient's own log lines (e.g. "Timeout waiting for execute reply") are not for the
    # user: the error they belong to reaches the CLI as one sentence. Shown if logging is set up.
    logger = logging.getLogger(__name__)
    logger.addHandler(logging.NullHandler())

    class StartedKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, log_output: bool = False,
                                     stdout_file: Any = None, stderr_file: Any = None, start_timeout: int = 60,
                                     execution_timeout: float | None = None, **kwargs: Any) -> Any:
            client = PapermillNotebookClient(
                nb_man, km=kwargs["km"], kernel_name=kernel_name, log=logger, log_output=log_output,
                stdout_file=stdout_file, stderr_file=stderr_file, startup_timeout=start_timeout,
                timeout=execution_timeout)
            try:
                return client.execute()
            except CellTimeoutError:
                cancel_pending_tasks()
                raise
            finally:
                if client.kc is not None:
                    client.kc.stop_channels()

    papermill_engines.register(ENGINE, StartedKernelEngine)
    return ENGINE


def run_notebook(job: Job, kernel: Kernel) -> list[str]:
    """Run the job's notebook into its target in `kernel` (started here unless it was started
    ahead) with papermill; return the files it read. Raises papermill's
    PapermillExecutionError, or nbclient's CellTimeoutError when a cell runs longer than
    `job.timeout` (the notebook so far is written either way). The kernel ends with it."""
    import papermill as pm

    try:
        job.target.parent.mkdir(parents=True, exist_ok=True)
        if kernel.setting is None:
            kernel.start(job.setting)
        elif kernel.setting != job.setting:
            raise KernelError("de kernel is voor een ander notebook gestart")
        pm.execute_notebook(str(job.source), str(job.target), parameters=job.parameters, kernel_name=KERNEL,
                            engine_name=_engine(), km=kernel.km, progress_bar=False, log_output=False,
                            execution_timeout=job.timeout)  # no `cwd`: papermill would chdir this whole process
        return inkernel.reads(str(kernel.reads))
    finally:
        kernel.kill()
        kernel.reads.unlink(missing_ok=True)


@dataclass(eq=False)
class Job:
    """One notebook to run. When `done` is set, `reads` holds what it read, or `error` why it failed."""

    key: str | None
    source: Path
    target: Path
    parameters: dict[str, Any]
    roots: list[str]
    exclude: list[str]
    data_roots: list[str]
    on_start: Callable[[Job], None] | None = None
    on_done: Callable[[Job], None] | None = None  # runs in the worker, e.g. to store in the cache
    priority: int = 0
    ahead: bool = False  # run ahead of need (prefetch) until a build asks for it
    timeout: float | None = None  # seconds one cell may run; None: no limit
    passed: tuple[tuple[str, str], ...] = ()  # data that passed validation (`Setting.passed`)
    charts: str = ""  # `Setting.charts`
    done: threading.Event = field(default_factory=threading.Event)
    reads: list[str] | None = None
    error: BaseException | None = None
    started: float = 0.0  # time.time() when it started
    seconds: float = 0.0
    entry: Entry | None = None  # the cache entry it was stored as, if any

    @property
    def chapter(self) -> str:
        return self.source.stem

    @property
    def setting(self) -> Setting:
        """Its kernel's: in the notebook's folder, recording reads as the job asks."""
        return Setting(str(self.source.parent), tuple(self.roots), tuple(self.exclude), tuple(self.data_roots),
                       self.passed, self.charts)

    def wait(self) -> None:
        while not self.done.wait(0.25):  # short waits: Ctrl-C and SIGTERM get through at once
            if stop_requested.is_set():
                raise KeyboardInterrupt


def _callback(function: Callable[[Job], None] | None, job: Job) -> None:
    """Progress and cache callbacks must never stop a worker (its jobs would wait forever)."""
    if function is None:
        return
    try:
        function(job)
    except Exception:  # noqa: BLE001
        import logging

        logging.getLogger(__name__).warning("callback for %s failed", job.chapter, exc_info=True)


class Runner:
    """`size` worker threads, each running one job at a time in a new kernel, by priority.

    Jobs with the same key are run once: `submit` returns the job already queued or
    running (and raises its priority). Workers are daemon threads and every kernel
    is ours: `stop` ends them at once. With `spares`, kernels are started ahead after
    each job, for the next jobs with the same `Setting`.
    """

    def __init__(self, size: int, *, files: Path | None = None, spares: int = 0) -> None:
        self.size = max(1, size)
        self.spares = spares
        self._spares: list[Kernel] = []  # started ahead, oldest first, no notebook run in them yet
        self._files = files  # where the connection folder goes (see `connection_folder`)
        self._folder: Path | None = None
        # the atexit hook that removes the folder should `stop` never be reached
        self._forget: Callable[[], None] | None = None
        self._lock = threading.Condition()
        self._queue: list[tuple[int, int, Job]] = []
        self._order = itertools.count()
        self._by_key: dict[str, Job] = {}
        self._workers: list[threading.Thread] = []
        self._kernels: set[Kernel] = set()
        self._stopped = False
        self.started_kernels = 0

    def submit(self, job: Job) -> Job:
        with self._lock:
            if self._stopped:
                raise KernelError("de kernels zijn al gestopt")
            same = self._by_key.get(job.key) if job.key else None
            if same is not None and not (same.done.is_set() and same.error is not None):
                if not job.ahead:
                    same.ahead = False  # a build waits for it now
                if not same.done.is_set() and job.priority < same.priority:
                    same.priority = job.priority
                    heapq.heappush(self._queue, (job.priority, next(self._order), same))
                return same
            if job.key:
                self._by_key[job.key] = job
            heapq.heappush(self._queue, (job.priority, next(self._order), job))
            if len(self._workers) < self.size:
                worker = threading.Thread(target=self._work, name=f"kernel-{len(self._workers) + 1}",
                                          daemon=True)
                self._workers.append(worker)
                worker.start()
            self._lock.notify()
            return job

    def _next(self) -> Job | None:
        with self._lock:
            while True:
                if self._stopped:
                    return None
                while self._queue:
                    priority, _, job = heapq.heappop(self._queue)
                    if job.started or job.done.is_set() or priority != job.priority:
                        continue  # a stale copy of a job whose priority was raised
                    job.started = time.time()
                    return job
                self._lock.wait()

    def _work(self) -> None:
        while (job := self._next()) is not None:
            self._run(job)

    def _kernel(self, setting: Setting) -> Kernel:
        """A kernel for a job: the oldest spare started with the job's `setting`, else a new one.
        Spares started for other notebooks end. Known to `stop` from now on."""
        with self._lock:
            started = [k for k in self._spares if k.setting is not None]  # (None: being launched)
            match = next((k for k in started if k.setting == setting), None)
            other = [k for k in started if k.setting != setting]
            self._spares = [k for k in self._spares if k is not match and k not in other]
            kernel = match if match is not None and not self._stopped else self._new_kernel()
        for spare in other:
            self._drop(spare)
        return kernel

    def _new_kernel(self) -> Kernel:
        """(Holding the lock.) A new kernel, not started yet, in this runner's private folder."""
        if self._stopped:
            raise KernelError("gestopt")
        if self._folder is None:
            self._folder = connection_folder(self._files)
            self._forget = functools.partial(remove_folder, self._folder)
            atexit.register(self._forget)
        kernel = Kernel(self._folder)
        self._kernels.add(kernel)
        self.started_kernels += 1
        return kernel

    def _drop(self, kernel: Kernel) -> None:
        with self._lock:
            self._kernels.discard(kernel)
        kernel.kill()

    def _start_spares(self, setting: Setting) -> None:
        """Start kernels for the next jobs like this one, up to `spares` of them."""
        with self._lock:
            if not self.spares or self._stopped:
                return
            other = [k for k in self._spares if k.setting is not None and k.setting != setting]
            self._spares = [k for k in self._spares if k not in other]
            new = [self._new_kernel() for _ in range(self.spares - len(self._spares))]
            self._spares += new
        for kernel in other:
            self._drop(kernel)
        for kernel in new:
            try:
                kernel.start(setting, PRELOAD)
            except Exception:  # noqa: BLE001 - one spare less: the next job starts its own
                with self._lock:
                    self._spares = [k for k in self._spares if k is not kernel]
                self._drop(kernel)

    def _run(self, job: Job) -> None:
        _callback(job.on_start, job)
        clock = time.perf_counter()
        kernel = None
        try:
            kernel = self._kernel(job.setting)
            job.reads = run_notebook(job, kernel)
        except BaseException as err:  # noqa: BLE001 - reported to whoever waits for the job
            job.error = err  # execute._chapter_error names it: a cell, a timeout, a full disk
        finally:
            if kernel is not None:
                with self._lock:
                    self._kernels.discard(kernel)
        job.seconds = time.perf_counter() - clock
        try:
            _callback(job.on_done, job)
        finally:
            job.done.set()
        self._start_spares(job.setting)

    def stop(self) -> None:
        """Stop every kernel now; queued jobs are dropped."""
        with self._lock:
            self._stopped = True
            dropped = [job for _, _, job in self._queue]
            self._queue.clear()
            kernels = list(self._kernels)
            self._kernels.clear()
            self._spares = []
            folder, self._folder = self._folder, None
            forget, self._forget = self._forget, None
            self._lock.notify_all()
        for kernel in kernels:
            kernel.kill()
        remove_folder(folder)  # with the connection file of a kernel still starting, if any
        if forget is not None:
            atexit.unregister(forget)
        for job in dropped:
            if not job.done.is_set() and not job.started:
                job.error = KernelError("gestopt")
                job.done.set()
