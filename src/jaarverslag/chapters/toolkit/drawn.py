"""Charts drawn before: a chart is drawn once for the same figures, code and fonts.

Drawing takes most of a chart chapter's time (a chart is saved three times: wide as
SVG and PNG, narrow as SVG). In a chapter kernel of a build or a preview, `folder`
is the build cache's `charts/` (set by `run.inkernel`), and `remembered` keeps each
chart there under a key of everything it is drawn from: the function and its
arguments (the figures, captions, years), the package's own files (the chart code,
the house style and its fonts), the versions of the drawing libraries and the
matplotlib settings file. An edit that leaves a chart's figures alone, such as a
changed column the chart does not show, then costs no drawing. A kept chart that
cannot be read is drawn again. Elsewhere (JupyterLab, papermill by hand) `folder`
is None and every chart is drawn.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ... import paths
from ...errors import JaarverslagError
from ...fingerprint import canonical, file_digest, package_digest, versions
from ...run import trace

if TYPE_CHECKING:
    from .charts import Chart

folder: Path | None = None  # where charts are kept; None: draw every one
F = TypeVar("F", bound=Callable[..., "Chart"])


def remembered(function: F) -> F:
    """A chart function whose charts are kept in `folder` and taken from there when asked again."""

    @functools.wraps(function)
    def chart(*args: Any, **kwargs: Any) -> Chart:
        here = folder
        if here is None or not _own(here):
            return function(*args, **kwargs)
        try:
            file = here / f"{_key(function.__qualname__, args, kwargs)}.json"
        except (pickle.PicklingError, TypeError, AttributeError):  # an argument with no stable bytes
            return function(*args, **kwargs)
        kept = _read(file)
        if kept is not None:
            return kept
        made = function(*args, **kwargs)
        _write(file, made)
        return made

    return chart  # type: ignore[return-value]


def _own(here: Path) -> bool:
    """The folder lies in the cache it belongs to: a link in its place to elsewhere is never followed."""
    try:
        paths.inside(here, here.parent)
    except JaarverslagError:
        return False
    return True


def _key(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    drawn_from = pickle.dumps((name, args, sorted(kwargs.items())), protocol=5)
    return hashlib.sha256(_code().encode() + drawn_from).hexdigest()


@functools.cache
def _code() -> str:
    """What a chart looks like besides its arguments: our code and fonts, the libraries, the settings.

    Hashing the package is no read of the chapter's: it would make each chart chapter
    depend on every file of the package (`trace.unrecorded`).
    """
    import matplotlib

    settings = matplotlib.matplotlib_fname()
    with trace.unrecorded():
        return canonical({"package": package_digest(), "versions": versions(("matplotlib", "numpy", "pillow")),
                          "matplotlibrc": file_digest(settings) if os.path.isfile(settings) else ""})


def _read(file: Path) -> Chart | None:
    from .charts import Chart

    try:
        kept = json.loads(file.read_text(encoding="utf-8"))
        chart = Chart(kept["svg"].encode("utf-8"), kept["alt"], kept["caption"], base64.b64decode(kept["png"]),
                      kept["narrow"].encode("utf-8"))
        os.utime(file)  # used: the cache's `prune` keeps it
        return chart
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # not kept, or damaged: drawn again


def _write(file: Path, chart: Chart) -> None:
    kept = {"svg": chart.svg.decode("utf-8"), "alt": chart.alt, "caption": chart.caption,
            "png": base64.b64encode(chart.png).decode("ascii"), "narrow": chart.narrow.decode("utf-8")}
    partial = None
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, partial = tempfile.mkstemp(prefix=f".{file.stem}-", dir=file.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(kept, out)
        os.replace(partial, file)  # whole or not at all, also with two kernels at once
    except OSError:  # a full or read-only cache: the chart is drawn next time too
        if partial is not None:
            Path(partial).unlink(missing_ok=True)
