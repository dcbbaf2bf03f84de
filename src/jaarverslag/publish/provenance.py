"""Where a report came from: data hash, code version, packages, build date."""

from __future__ import annotations

import datetime as dt
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


def provenance(year: int, data_folder: Path, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or dt.datetime.now().astimezone()
    return {
        "year": year,
        "built_at": now.isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "versions": package_versions(),
        "data_hash": "sha256:" + data_hash(data_folder),
    }


def colophon(prov: dict[str, Any]) -> dict[str, str]:
    """The provenance as the reader sees it, in Dutch."""
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
