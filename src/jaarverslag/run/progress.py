"""Progress of a build on stderr: per edition and chapter, what runs, what is cached, what is done.

Shown on a terminal only: quiet when stderr is not a terminal or the `CI`
variable is set (the result is printed on stdout either way), unless asked for
with `enabled=True` (`jaarverslag build --progress`).

    [2022 wijkkracht] 10 hoofdstukken: 7 uit de cache, 3 uitvoeren
    [2022 wijkkracht]   uit de cache: voorwoord, raad_van_toezicht, ...
    [2022 wijkkracht]   bezig    clienten
    [2022 wijkkracht]   klaar    clienten (0,5 s)  1/3
    [2022 wijkkracht] HTML en PDF maken
    [2022 wijkkracht] klaar in 4,1 s
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Sequence
from typing import TextIO


def _seconds(value: float) -> str:
    """
    >>> _seconds(1.25)
    '1,2 s'
    """
    return f"{value:.1f}".replace(".", ",") + " s"


def on_terminal(stream: TextIO | None = None) -> bool:
    stream = stream or sys.stderr
    if os.environ.get("CI"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Progress:
    def __init__(self, enabled: bool | None = None, stream: TextIO | None = None) -> None:
        self.stream = stream
        self.enabled = on_terminal(stream) if enabled is None else enabled
        self._lock = threading.Lock()
        self._todo: dict[str, int] = {}
        self._done: dict[str, int] = {}

    def _say(self, label: str, text: str) -> None:
        if not self.enabled:
            return
        with self._lock:
            stream = self.stream or sys.stderr
            try:
                print(f"[{label}] {text}", file=stream, flush=True)
            except (OSError, ValueError):  # stderr closed (e.g. `| head`): the build goes on
                self.enabled = False

    def chapters(self, label: str, total: int, cached: int, names: Sequence[str] = ()) -> None:
        """How many chapters there are and how many come from the cache (`names`: which)."""
        self._todo[label], self._done[label] = total - cached, 0
        if cached == total:
            self._say(label, f"{total} hoofdstukken, alle uit de cache")
            return
        self._say(label, f"{total} hoofdstukken: {cached} uit de cache, {total - cached} uitvoeren")
        if names:
            self._say(label, f"  uit de cache: {', '.join(names)}")

    def running(self, label: str, chapter: str, ahead: bool = False) -> None:
        self._say(label, f"  bezig    {chapter}" + (" (vooruit)" if ahead else ""))

    def finished(self, label: str, chapter: str, seconds: float, failed: bool = False,
                 ahead: bool = False) -> None:
        if ahead:
            state = "fout" if failed else "klaar"
            self._say(label, f"  {state:<8} {chapter} ({_seconds(seconds)}, vooruit)")
            return
        with self._lock:
            self._done[label] = self._done.get(label, 0) + 1
            count = f"{self._done[label]}/{self._todo.get(label, '?')}"
        state = "FOUT" if failed else "klaar"
        self._say(label, f"  {state:<8} {chapter} ({_seconds(seconds)})  {count}")

    def step(self, label: str, text: str) -> None:
        self._say(label, text)

    def done(self, label: str, seconds: float, up_to_date: bool = False) -> None:
        if up_to_date:
            self._say(label, f"al bij: niets veranderd, het gepubliceerde verslag blijft ({_seconds(seconds)})")
        else:
            self._say(label, f"klaar in {_seconds(seconds)}")


QUIET = Progress(enabled=False)
