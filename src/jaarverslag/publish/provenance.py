"""Where a report came from: data hash, code version, packages, build date.

The colofon tells a reader who made the report, when, and from which data
(`colophon`); the complete technical provenance follows it in a small
"Verantwoording" block (`verantwoording`). With `SOURCE_DATE_EPOCH` set (the
reproducible-builds convention) the build date is that moment, in UTC, so two
builds of the same commit and data make the same bytes.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path
from typing import Any

from .. import fingerprint, paths
from ..style import fmt_date

KEY_PACKAGES = ("jaarverslag", "pandas", "pandera", "matplotlib", "papermill", "nbconvert", "weasyprint")


def folder_files(folder: Path) -> list[Path]:
    """The files of a data folder, hidden ones aside, in a fixed order."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def inputs(files: list[Path]) -> dict[str, str]:
    """Each input file (relative to the project where possible) with its sha256."""
    return {paths.relative(path): fingerprint.file_digest(path) for path in files}


def data_hash(folder: Path) -> str:
    """One hash over every data file of a year: names and contents."""
    return fingerprint.folder_digest(folder, folder_files(folder))


def git_commit() -> str:
    """The commit the report was built from, marked when the tree has uncommitted changes."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=paths.root(), capture_output=True, text=True,
                              check=True).stdout.strip()
    try:
        commit = git("rev-parse", "--short=12", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "onbekend (geen git)"
    return f"{commit} (gewijzigd)" if dirty else commit


def package_versions() -> dict[str, str]:
    """Python and the packages the colophon names, with their versions."""
    return dict(fingerprint.versions(KEY_PACKAGES))


def build_time(now: dt.datetime | None = None) -> dt.datetime:
    """When the report is made: `now`, else `SOURCE_DATE_EPOCH` (seconds since 1970, UTC) when
    set, else the clock. A value that is no whole number is refused in one Dutch sentence.

    >>> os.environ["SOURCE_DATE_EPOCH"] = "1677628800"
    >>> build_time().isoformat()
    '2023-03-01T00:00:00+00:00'
    >>> del os.environ["SOURCE_DATE_EPOCH"]
    """
    if now is not None:
        return now
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not epoch.isdigit():
            from ..errors import JaarverslagError, Kind

            raise JaarverslagError(f"SOURCE_DATE_EPOCH moet een geheel aantal seconden sinds 1970 zijn, "
                                   f"niet {epoch[:40]!r}.", Kind.USAGE)
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime.now().astimezone()


def provenance(year: int, data_folder: Path, now: dt.datetime | None = None) -> dict[str, Any]:
    return {
        "year": year,
        "built_at": build_time(now).isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "versions": package_versions(),
        "data_hash": "sha256:" + data_hash(data_folder),
        "data_files": len(folder_files(data_folder)),
    }


def colophon(prov: dict[str, Any], organisation: str = "Wijkkracht",
             suppression_rule: str | None = None) -> dict[str, str]:
    """The colofon as a reader looks for it: who made the report, when, from which data.

    >>> colophon({"year": 2022, "built_at": "2023-03-01T09:30:00+01:00", "data_files": 38})
    ... # doctest: +NORMALIZE_WHITESPACE
    {'Uitgave': 'Wijkkracht',
     'Verschenen': '1 maart 2023',
     'Cijfers': 'de eigen registraties van Wijkkracht over 2022 (38 bestanden met cijfers en teksten), bij het maken van
                 dit verslag gecontroleerd op volledigheid en samenhang'}
    """
    built = dt.datetime.fromisoformat(prov["built_at"])
    files = prov.get("data_files")
    counted = f" ({files} bestanden met cijfers en teksten)" if files else ""
    shown = {
        "Uitgave": organisation,
        "Verschenen": fmt_date(built.date()),
        "Cijfers": f"de eigen registraties van {organisation} over {prov['year']}{counted}, "
                   "bij het maken van dit verslag gecontroleerd op volledigheid en samenhang",
    }
    if suppression_rule:
        shown["Kleine aantallen"] = suppression_rule
    return shown


def verantwoording(prov: dict[str, Any]) -> dict[str, str]:
    """The technical provenance, complete, for whoever checks how the report was made."""
    built = dt.datetime.fromisoformat(prov["built_at"])
    versions = prov["versions"]
    return {
        "Gegevensjaar": str(prov["year"]),
        "Gemaakt op": f"{fmt_date(built.date())}, {built:%H:%M}",
        "Versie van de code (git)": prov["git_commit"],
        "Python": versions["python"],
        "Pakketten": ", ".join(f"{k} {v}" for k, v in versions.items() if k != "python"),
        "Controlegetal van de gegevens": prov["data_hash"],
    }
