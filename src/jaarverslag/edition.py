"""What one edition of the report sees: a year, and optionally one gemeente."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import data


@dataclass(frozen=True)
class Edition:
    year: int
    gemeente: str | None = None
    data_dir: Path | str | None = None
    suppress_below: int | None = None  # public editions: counts 1..N-1 shown as "<N"

    @property
    def name(self) -> str:
        return self.gemeente or "Wijkkracht"

    @property
    def slug(self) -> str:
        """The edition's name in file and folder names."""
        return self.name.lower().replace(" ", "-")

    @property
    def subtitle(self) -> str:
        return f"Editie gemeente {self.gemeente}" if self.gemeente else "Wijkkracht, sociaal werk in Twente"

    def load(self, dataset: str) -> pd.DataFrame:
        """A validated dataset, limited to this edition's gemeente where it has one."""
        frame = data.load(self.year, dataset, self._dir)
        if self.gemeente and "gemeente" in frame.columns:
            frame = frame[frame["gemeente"] == self.gemeente].reset_index(drop=True)
        return frame

    @property
    def gemeenten(self) -> list[str]:
        found = data.gemeenten(self.year, self._dir)
        return [g for g in found if self.gemeente in (None, g)]

    @property
    def _dir(self) -> Path | None:
        return Path(self.data_dir) if self.data_dir else None
