"""Warm kernels: chapter notebooks run one after another in kernels started ahead.

Starting a kernel and importing pandas, matplotlib and jaarverslag costs about a
second; a chapter itself takes a tenth of that. So a `KernelPool` starts a few
kernels (one per core) once, imports the package in them, and runs every notebook
through papermill in one of them, as `papermill` would with a fresh kernel:
the same parameter injection, cell metadata, error banner and exceptions.
`make bench` times a cold build with the pool against plain papermill two notebooks at a
time: the pool is kept because it wins that by at least 1.3x (issue 11).

Before each notebook the kernel is put back into the state of a fresh kernel; that
code runs in the kernel and lives in `inkernel`, which says what "fresh" means and
which modules each notebook loads afresh. This side calls it with one fixed
expression whose arguments are literals (`inkernel_call`). Tests
(`tests/test_cache.py`) prove that every chapter gives the same notebook in a
reused kernel as in a fresh one. A kernel in which a notebook failed, or a cell
ran past its time limit (`Job.timeout`, papermill's `execution_timeout`), is
stopped and replaced. With `reuse=False` every notebook gets a new kernel, still
started before it is needed.

A kernel's connection file holds the key that lets anyone who reads it run code
in the kernel. So ours are never written to Jupyter's runtime folder or the temp
folder, but to a private folder of this process (`connection_folder`, 0700, under
the output folder's `.run/` in a build); it is removed when the kernels stop, on
every way out, and a folder left by a killed process is removed at the next start.
"""

from __future__ import annotations

import ast
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

if TYPE_CHECKING:
    from jupyter_client import KernelManager

    from .cache import Entry

KERNEL = "python3"
ENGINE = "jaarverslag-warm"
_engine_registered = False

# Set by the command's Ctrl-C and SIGTERM handler. A KeyboardInterrupt raised while the main
# thread runs a finalizer (a client's __del__ during garbage collection) is swallowed by
# Python; this flag is not, so a build waiting for its chapters stops all the same.
stop_requested = threading.Event()


class KernelError(JaarverslagError):
    """The kernel could not be started or stopped answering."""

    kind = Kind.CHAPTER


def inkernel_call(function: str, *args: str | list[str]) -> str:
    """The one expression a kernel evaluates: a function of `inkernel` on literal arguments.

    >>> inkernel_call("finish", ["/p/data"])
    "__import__('jaarverslag.run.inkernel', fromlist=['_']).finish(['/p/data'])"
    """
    from . import inkernel

    if function not in inkernel.__all__:
        raise ValueError(f"{function} is not called in a kernel")
    for arg in args:
        if ast.literal_eval(repr(arg)) != arg:
            raise ValueError(f"{arg!r} is not a literal")
    return f"__import__({inkernel.__name__!r}, fromlist=['_']).{function}({', '.join(map(repr, args))})"


def _register_engine() -> None:
    """A papermill engine that runs in our started kernel instead of starting one."""
    global _engine_registered
    if _engine_registered:
        return
    import logging

    from nbclient.exceptions import CellTimeoutError
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    # nbclient's own log lines (e.g. "Timeout waiting for execute reply") are not for the
    # user: the error they belong to reaches the CLI as one sentence. Shown if logging is set up.
    logger = logging.getLogger(__name__)
    logger.addHandler(logging.NullHandler())

    class WarmKernelEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, log_output: bool = False,
                                     stdout_file: Any = None, stderr_file: Any = None, start_timeout: int = 60,
                                     execution_timeout: float | None = None, kernel: Kernel | None = None,
                                     **kwargs: Any) -> Any:
            if kernel is None:
                raise KernelError("geen kernel gegeven")
            client = PapermillNotebookClient(
                nb_man, km=kernel.km, kernel_name=kernel_name, log=logger, log_output=log_output,
                stdout_file=stdout_file, stderr_file=stderr_file, startup_timeout=start_timeout,
                timeout=execution_timeout)
            client.kc = kernel.kc  # already started and warm: nbclient neither starts nor stops it
            try:
                return client.execute()
            except CellTimeoutError:
                cancel_pending_tasks()
                raise

    papermill_engines.register(ENGINE, WarmKernelEngine)
    _engine_registered = True


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
    """A KernelManager whose connection file lies in our private `folder`, not in a shared one."""
    from jupyter_client import KernelManager

    return KernelManager(kernel_name=KERNEL, connection_file=str(Path(folder) / f"kernel-{uuid.uuid4().hex}.json"),
                         **options)


def start_kernel(km: KernelManager, cwd: Path | str, *extra: str) -> None:
    """Launch `km`'s kernel as nbclient would (in the notebook's folder, no history file on disk),
    and building the same project as this process, wherever its notebook lies."""
    km.start_kernel(cwd=str(cwd), env={**os.environ, paths.ENV: str(paths.root())},
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


class Kernel:
    """One warmed kernel and its client, once `start`ed; its connection file lies in `folder`."""

    def __init__(self, cwd: Path, folder: Path) -> None:
        from jupyter_core.utils import run_sync

        self.cwd = str(cwd)
        self.runs = 0
        self._ending = threading.Lock()
        self._ended = False
        self._sync = run_sync
        self.kc: Any = None  # an AsyncKernelClient once started
        # The process is managed synchronously (so any thread can end it); the client is
        # asynchronous, as nbclient's own, so that it notices a kernel that dies mid-cell.
        self.km = kernel_manager(folder, client_class="jupyter_client.asynchronous.AsyncKernelClient")

    def start(self) -> None:
        """Launch the kernel and warm it up. A `kill` before or while it launches wins:
        no kernel is left running (one whose connection file had been removed would
        write its own, and leave it behind)."""
        with self._ending:
            if self._ended:
                raise KernelError("de kernel is gestopt voordat hij startte")
            # No warning on the terminal about plain TCP on localhost for every kernel (errors still show).
            start_kernel(self.km, self.cwd, "--IPKernelApp.log_level=ERROR")
        try:
            _register_engine()  # imports papermill here while the kernel starts
            self.kc = self.km.client()
            # No heartbeat thread and no stdin: nbclient asks the manager whether the kernel lives.
            self.kc.start_channels(shell=True, iopub=True, stdin=False, hb=False, control=False)
            self._sync(self.kc.wait_for_ready)(timeout=60)
            self.call("warm_up")
        except BaseException:
            self.stop()
            raise

    def call(self, function: str, *args: str | list[str], timeout: float = 120) -> Any:
        """Call a function of `inkernel` in the kernel silently (no execution count, no output);
        return its value."""
        expression = inkernel_call(function, *args)
        msg_id = self.kc.execute("", silent=True, store_history=False,
                                 user_expressions={"r": expression}, allow_stdin=False)
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise KernelError(f"de kernel antwoordt niet op {function}")
            try:
                reply = self._sync(self.kc.get_shell_msg)(timeout=min(remaining, 1.0))
            except Exception:  # queue.Empty
                if not self.km.is_alive():
                    raise KernelError("de kernel is gestopt") from None
                continue
            if reply["parent_header"].get("msg_id") == msg_id:
                break
        value = reply["content"].get("user_expressions", {}).get("r", {})
        if value.get("status") != "ok":
            raise KernelError(f"{function} in de kernel: {value.get('ename')}: {value.get('evalue')}")
        return ast.literal_eval(value["data"]["text/plain"])

    def run(self, source: Path, target: Path, parameters: dict[str, Any], roots: list[str], exclude: list[str],
            data_roots: list[str], timeout: float | None = None) -> list[str]:
        """Run one notebook into target as papermill does; return the files it read.

        Raises papermill's PapermillExecutionError, or nbclient's CellTimeoutError when a
        cell runs longer than `timeout` seconds (the notebook so far is written either way).
        """
        import papermill as pm

        _register_engine()
        self.runs += 1
        self.call("reset", str(source.parent), roots, exclude)
        pm.execute_notebook(str(source), str(target), parameters=parameters, kernel_name=KERNEL,
                            engine_name=ENGINE, kernel=self, progress_bar=False, log_output=False,
                            execution_timeout=timeout)
        reads: list[str] = self.call("finish", data_roots)
        return reads

    def kill(self) -> None:
        """End the kernel process, once, from any thread (the client is left to its owner)."""
        with self._ending:
            if self._ended:
                return
            self._ended = True
            try:
                if self.km.has_kernel:
                    self.km.shutdown_kernel(now=True)
            except Exception:  # a kernel that is already gone is stopped enough
                pass

    def stop(self) -> None:
        """End the kernel and close the client; only from the thread that uses the client."""
        self.kill()
        try:
            if self.kc is not None:
                self.kc.stop_channels()
        except Exception:
            pass


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
    done: threading.Event = field(default_factory=threading.Event)
    reads: list[str] | None = None
    error: BaseException | None = None
    started: float = 0.0  # time.time() when it started
    seconds: float = 0.0
    entry: Entry | None = None  # the cache entry it was stored as, if any

    @property
    def chapter(self) -> str:
        return self.source.stem

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


class KernelPool:
    """`size` worker threads, each with its own warm kernel, taking jobs by priority.

    Kernels start when the first job arrives. Jobs with the same key are run once:
    `submit` returns the job already queued or running (and raises its priority).
    Workers are daemon threads and every kernel is ours: `stop` ends them at once.
    """

    def __init__(self, size: int, *, reuse: bool = True, files: Path | None = None) -> None:
        self.size = max(1, size)
        self.reuse = reuse
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
        kernel: Kernel | None = None
        try:
            while True:
                if kernel is None:
                    try:
                        kernel = self._start()
                    except BaseException as err:  # noqa: BLE001 - the job that needed it reports it
                        job = self._next()
                        if job is None:
                            return
                        # A full or read-only output folder (the connection folder) is told as such.
                        job.error = err if isinstance(err, OSError) else KernelError(f"de kernel start niet: {err}")
                        job.done.set()
                        continue
                    if kernel is None:
                        return  # stopped while it started
                job = self._next()
                if job is None:
                    return
                self._run(kernel, job)
                if job.error is not None or not self.reuse:
                    self._retire(kernel)
                    kernel = None
        finally:
            if kernel is not None:
                self._retire(kernel)

    def _start(self) -> Kernel | None:
        with self._lock:
            cwd = self._queue[0][2].source.parent if self._queue else Path.cwd()
            if self._stopped:
                return None
            if self._folder is None:
                self._folder = connection_folder(self._files)
                self._forget = functools.partial(remove_folder, self._folder)
                atexit.register(self._forget)
            kernel = Kernel(cwd, self._folder)
            self._kernels.add(kernel)  # from now on `stop` ends it, even while it starts
        try:
            kernel.start()
        except BaseException:
            with self._lock:
                self._kernels.discard(kernel)
            raise
        with self._lock:
            self.started_kernels += 1
            stopped = self._stopped
        if stopped:
            kernel.stop()
            return None
        return kernel

    def _run(self, kernel: Kernel, job: Job) -> None:
        _callback(job.on_start, job)
        clock = time.perf_counter()
        try:
            job.target.parent.mkdir(parents=True, exist_ok=True)
            job.reads = kernel.run(job.source, job.target, job.parameters, job.roots, job.exclude,
                                   job.data_roots, job.timeout)
        except BaseException as err:  # noqa: BLE001 - reported to whoever waits for the job
            job.error = err
        job.seconds = time.perf_counter() - clock
        try:
            _callback(job.on_done, job)
        finally:
            job.done.set()

    def _retire(self, kernel: Kernel) -> None:
        with self._lock:
            self._kernels.discard(kernel)
        kernel.stop()

    def stop(self) -> None:
        """Stop every kernel now; queued jobs are dropped."""
        with self._lock:
            self._stopped = True
            dropped = [job for _, _, job in self._queue]
            self._queue.clear()
            kernels = list(self._kernels)
            self._kernels.clear()
            folder, self._folder = self._folder, None
            forget, self._forget = self._forget, None
            self._lock.notify_all()
        for kernel in kernels:
            kernel.kill()  # its worker sees the kernel die and closes the client itself
        remove_folder(folder)  # with the connection file of a kernel still starting, if any
        if forget is not None:
            atexit.unregister(forget)
        for job in dropped:
            if not job.done.is_set() and not job.started:
                job.error = KernelError("gestopt")
                job.done.set()
