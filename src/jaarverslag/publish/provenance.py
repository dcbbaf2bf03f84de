"""Where a report came from: data hash, code version, packages, build date."""

from __future__ import annotations

import datetime as dt
import hashlib
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .. import paths
from ..style import fmt_date

KEY_PACKAGES = ("jaarverslag", "pandas", "pandera", "matplotlib", "papermill", "nbconvert", "weasyprint")


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def folder_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def inputs(files: list[Path]) -> dict[str, str]:
    """Each input file (relative to the project where possible) with its sha256."""
    out = {}
    for path in files:
        out[paths.relative(path)] = file_hash(path)
    return out


def data_hash(folder: Path) -> str:
    """One hash over every data file of a year: names and contents."""
    digest = hashlib.sha256()
    for path in folder_files(folder):
        digest.update(str(path.relative_to(folder)).encode())
        digest.update(file_hash(path).encode())
    return digest.hexdigest()


def git_commit() -> str:
    """The commit the report was built from, marked when the tree has uncommitted changes."""
    def git(*args):
        return subprocess.run(["git", *args], cwd=paths.root(), capture_output=True, text=True,
                              check=True).stdout.strip()
    try:
        commit = git("rev-parse", "--short=12", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "onbekend (geen git)"
    return f"{commit} (gewijzigd)" if dirty else commit


def package_versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for name in KEY_PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "niet geïnstalleerd"
    return found


def provenance(year: int, data_folder: Path, now: dt.datetime | None = None) -> dict:
    now = now or dt.datetime.now().astimezone()
    return {
        "year": year,
        "built_at": now.isoformat(timespec="seconds"),
        "git_commit": git_commit(),
        "versions": package_versions(),
        "data_hash": "sha256:" + data_hash(data_folder),
    }


def colophon(prov: dict) -> dict[str, str]:
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
