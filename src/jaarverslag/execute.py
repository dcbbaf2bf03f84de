"""Running the chapter notebooks with papermill, a few at a time."""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import papermill as pm

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


def run_chapter(source: Path, target: Path, parameters: dict) -> Run:
    target.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    try:
        pm.execute_notebook(
            str(source), str(target), parameters=parameters, kernel_name=KERNEL,
            progress_bar=False, log_output=False, cwd=str(source.parent),
        )
    except pm.PapermillExecutionError as err:
        raise ChapterError(source.stem, err.exec_count or err.cell_index,
                           f"{err.ename}: {err.evalue}", target) from None
    return Run(source.stem, target, time.perf_counter() - started)


def run_chapters(sources: list[Path], out_dir: Path, parameters: dict,
                 jobs: int | None = None) -> list[Run]:
    """Run every chapter; the first failure (in book order) is raised after all have stopped."""
    jobs = jobs or min(len(sources), os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(run_chapter, s, out_dir / s.name, parameters) for s in sources]
        errors = [f.exception() for f in futures]
    for error in errors:
        if error is not None:
            raise error
    return [f.result() for f in futures]
