"""Bytes that can be reproduced: with SOURCE_DATE_EPOCH set (the reproducible-builds
convention), two builds of the same commit and data give byte-identical HTML and PDF.

The first build is the run's shared 2022 report (`built`, dated by SOURCE_DATE_EPOCH, made
by `--all` in whichever test process came first). The second is made here, into a temp
folder, from a copy of its build cache, so the chapters are not run again: what is compared
is everything the render makes from them (the colofon's dates, the PDF's metadata,
structure tree and fonts).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import SOURCE_DATE_EPOCH
from pypdf import PdfReader

from jaarverslag.cli import main


def published(year: Path) -> dict[str, bytes]:
    edition = year / "wijkkracht"
    return {str(p.relative_to(edition)): p.read_bytes() for p in sorted(edition.rglob("*"))
            if p.suffix in (".html", ".pdf")}


def test_a_second_build_with_source_date_epoch_gives_the_same_bytes(built, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
    cache = built.parent / ".cache"
    assert cache.is_dir()
    shutil.copytree(cache, tmp_path / ".cache")
    assert main(["build", "--year", "2022", "--out", str(tmp_path)]) == 0
    first, second = built, tmp_path / "2022"

    a, b = published(first), published(second)
    assert any(name.endswith(".pdf") for name in a) and sum(name.endswith(".html") for name in a) > 5
    assert a.keys() == b.keys()
    assert [name for name in a if a[name] != b[name]] == []

    # The build's time is the epoch, and says so where a reader and a machine look.
    entry = json.loads((first / "manifest.json").read_text(encoding="utf-8"))["editions"]["wijkkracht"]
    assert entry["provenance"]["built_at"] == "2023-03-01T00:00:00+00:00"
    index = a["html/index.html"].decode("utf-8")
    assert "1 maart 2023" in index and "Verantwoording" in index
    pdf = PdfReader(next(first.glob("wijkkracht/*.pdf")))
    assert pdf.metadata.creation_date == pdf.metadata.modification_date
    assert pdf.metadata.creation_date.isoformat().startswith("2023-03-01T00:00:00")
