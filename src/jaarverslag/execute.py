"""Running the chapter notebooks with papermill, a few at a time."""

from __future__ import annotations

import os
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import papermill as pm
from jupyter_client import KernelManager

KERNEL = "python3"


class ChapterError(Exception):
    """A chapter notebook raised. Names the chapter, cell, error and executed notebook."""

    def __init__(self, chapter: str, cell: int | None, error: str, notebook: Path):
        self.chapter, self.cell, self.error, self.notebook = chapter, cell, error, notebook
        where = f"cel {cell}" if cell is not None else "onbekende cel"
        super().__init__(
            f"Hoofdstuk '{chapter}' faalde in {where}: {error}\n"
            f"  Het uitgevoerde notebook met de fout staat in: {notebook}"
        )


@dataclass(frozen=True)
class Run:
    chapter: str
    notebook: Path
    seconds: float


def run_chapter(source: Path, target: Path, parameters: dict, km: KernelManager | None = None) -> Run:
    """Execute one chapter notebook into target. The kernel is ours, so it can be stopped."""
    km = km or KernelManager(kernel_name=KERNEL)
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        pm.execute_notebook(
            str(source), str(target), parameters=parameters, kernel_name=KERNEL, km=km,
            progress_bar=False, log_output=False, cwd=str(source.parent),
        )
    except pm.PapermillExecutionError as err:
        raise ChapterError(source.stem, err.exec_count or err.cell_index,
                           f"{err.ename}: {err.evalue}", target) from None
    finally:
        _stop(km)
    return Run(source.stem, target, time.perf_counter() - started)


def run_chapters(sources: list[Path], out_dir: Path, parameters: dict,
                 jobs: int | None = None) -> list[Run]:
    """Run every chapter, `jobs` at a time; the first failure in book order is raised.

    Workers are daemon threads and every kernel is ours: on Ctrl-C or SIGTERM the
    kernels are stopped and the build ends at once instead of waiting for them.
    """
    jobs = jobs or min(len(sources), os.cpu_count() or 1)
    managers = [KernelManager(kernel_name=KERNEL) for _ in sources]
    todo: queue.Queue[int] = queue.Queue()
    for i in range(len(sources)):
        todo.put(i)
    results: dict[int, Run | BaseException] = {}

    def work() -> None:
        while True:
            try:
                i = todo.get_nowait()
            except queue.Empty:
                return
            try:
                results[i] = run_chapter(sources[i], out_dir / sources[i].name, parameters, managers[i])
            except BaseException as err:  # reported in book order below
                results[i] = err

    workers = [threading.Thread(target=work, daemon=True) for _ in range(jobs)]
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    except BaseException:
        while not todo.empty():
            todo.get_nowait()
        for km in managers:
            _stop(km)
        raise
    for i in range(len(sources)):
        if isinstance(results[i], BaseException):
            raise results[i]
    return [results[i] for i in range(len(sources))]


def _stop(km: KernelManager) -> None:
    try:
        if km.has_kernel:
            km.shutdown_kernel(now=True)
    except Exception:  # a kernel that is already gone is stopped enough
        pass
