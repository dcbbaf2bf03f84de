"""One error vocabulary: every error a user can cause is a `JaarverslagError`.

Each carries a `Kind` and a Dutch sentence that says what is wrong and what to
do. Code deep in the package raises it; the CLI catches it once, prints the
sentence and exits non-zero (`--debug` shows the traceback). No code branches on
the text of a message: it branches on the kind, or on the error's own fields.
"""

from __future__ import annotations

import errno
import sys
from enum import Enum
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell


class Kind(Enum):
    DATA = "gegevens"  # a data file or prose page breaks a rule
    NAME = "naam"  # a gemeente, year or other name that is not in the data
    PROJECT = "project"  # no project folder, or an output folder in a wrong place
    BUSY = "bezig"  # another build of the same year holds the lock
    CHAPTER = "hoofdstuk"  # a chapter notebook raised
    TIMEOUT = "tijd"  # a chapter cell ran past its time limit
    RENDER = "opmaak"  # HTML, PDF or Quarto could not be made
    DISK = "schijf"  # the output folder cannot be written (read-only, full)
    USAGE = "opdracht"  # the command line itself is wrong


EXIT_CODES = {Kind.USAGE: 2}


class JaarverslagError(Exception):
    """An error a user can cause and fix. `str(err)` is the sentence the user sees."""

    kind: Kind = Kind.DATA

    def __init__(self, message: str, kind: Kind | None = None) -> None:
        super().__init__(message)
        if kind is not None:
            self.kind = kind

    @property
    def exit_code(self) -> int:
        return EXIT_CODES.get(self.kind, 1)


def from_os_error(err: OSError) -> JaarverslagError | None:
    """The sentence for an OS error a user can cause (a full disk, a read-only folder), else None.

    >>> str(from_os_error(OSError(28, "No space left on device", "build/2022")))[:57]
    'De schijf is vol: build/2022 kon niet worden geschreven. '
    """
    where = err.filename or "de uitvoermap"
    if err.errno == errno.ENOSPC or err.errno == errno.EDQUOT:
        where = err.filename2 or where  # a copy or rename fails on its target, which filename2 names
        return JaarverslagError(f"De schijf is vol: {where} kon niet worden geschreven. Maak ruimte vrij en "
                                "bouw opnieuw; het vorige verslag is niet aangeraakt.", Kind.DISK)
    if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return JaarverslagError(f"Geen toestemming om {where} te schrijven (alleen-lezen of van een andere "
                                "gebruiker). Kies een andere uitvoermap met --out, of maak deze schrijfbaar.",
                                Kind.DISK)
    return None


def in_kernel() -> None:
    """In a notebook kernel: show a `JaarverslagError` as its sentence, not as a traceback.

    papermill still marks the cell as failed and names the error; the analyst in
    JupyterLab sees one line that says what to fix.
    """
    shell = _shell() if sys.modules.get("IPython") else None
    if shell is None or getattr(shell, "_jaarverslag_errors", False):
        return

    def show(shell: InteractiveShell, etype: type[BaseException], value: BaseException, tb: TracebackType | None,
             tb_offset: int | None = None) -> list[str]:
        sentence = [str(value)]  # the error output's whole "traceback"
        shell._showtraceback(etype, value, sentence)
        return sentence

    shell.set_custom_exc((JaarverslagError,), show)
    shell._jaarverslag_errors = True  # type: ignore[attr-defined]  # our own mark on IPython's shell: install once


def _shell() -> InteractiveShell | None:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()
