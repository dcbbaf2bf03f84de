"""What one edition of the report sees: a year, and optionally one gemeente."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from . import names, paths
from .paths import year_dir
from .style import fmt_int

if TYPE_CHECKING:
    import pandas as pd

    from .style import Figure

# The data and suppress modules (pandas, pandera) are loaded by the methods that read data:
# an Edition is made before a build knows whether it has anything to do.


@dataclass(frozen=True)
class Edition:
    """One edition. The year must have data and the gemeente must be one of the year's
    (`names`): " hengelo " becomes "Hengelo", "Enschede" is refused with the list."""

    year: int
    gemeente: str | None = None
    data_dir: Path | str | None = None
    suppress_below: int | None = None  # public editions: counts 1..N-1 shown as "<N"

    def __post_init__(self) -> None:
        object.__setattr__(self, "year", names.year(self.year, self.data_dir))
        if self.gemeente is not None:
            object.__setattr__(self, "gemeente", names.gemeente(self.gemeente, self.year, self.data_dir))

    @property
    def name(self) -> str:
        return self.gemeente or "Wijkkracht"

    @property
    def slug(self) -> str:
        """The edition's name in file and folder names: a whitelist slug, never empty
        (`names.gemeente` refuses a gemeente whose slug would be)."""
        return paths.slug(self.name)

    @property
    def subtitle(self) -> str:
        return f"Editie gemeente {self.gemeente}" if self.gemeente else "Wijkkracht, sociaal werk in Twente"

    def per_gemeente(self, start: bool = False, also: str = "") -> str:
        """How prose says "for each gemeente": per gemeente in the report of the whole
        organisation, in the gemeente in its own edition. `also` adds a second grouping.

        >>> Edition(2022).per_gemeente(start=True), Edition(2022, "Hengelo").per_gemeente()
        ('Per gemeente', 'in Hengelo')
        >>> Edition(2022).per_gemeente(also="per groep"), Edition(2022, "Hengelo").per_gemeente(also="per groep")
        ('per gemeente en per groep', 'in Hengelo, per groep')
        """
        text = f"in {self.gemeente}" if self.gemeente else "per gemeente"
        if also:
            text += f", {also}" if self.gemeente else f" en {also}"
        return text[:1].upper() + text[1:] if start else text

    @property
    def in_gemeente(self) -> str:
        """" in Hengelo" after a subject in one gemeente's edition, nothing for the whole organisation:
        f"Wijkkracht{ed.in_gemeente} ondersteunde ..."."""
        return f" in {self.gemeente}" if self.gemeente else ""

    def load(self, dataset: str) -> pd.DataFrame:
        """A validated dataset, limited to this edition's gemeente where it has one."""
        from .data import read as data

        frame = data.load(self.year, dataset, self._dir)
        if self.gemeente and "gemeente" in frame.columns:
            frame = frame[frame["gemeente"] == self.gemeente].reset_index(drop=True)
        return frame

    def previous(self) -> Edition | None:
        """The same edition a year earlier, when the data has that year and, for a gemeente's
        edition, that gemeente (same data folder); else None, and the report says nothing
        about a previous year."""
        if not year_dir(self.year - 1, self._dir).is_dir():
            return None
        if self.gemeente is not None:
            from .data import read as data

            try:
                if self.gemeente not in data.gemeenten(self.year - 1, self._dir):
                    return None  # a gemeente new this year: nothing to compare with
            except data.DataError as err:
                if all(p.missing for p in err.problems):
                    return None
                raise
        return replace(self, year=self.year - 1)

    def fmt_count(self, value: Figure) -> str:
        """A count of people in a sentence, as this edition shows it: "<N" when small.

        >>> Edition(2022, suppress_below=5).fmt_count(3), Edition(2022).fmt_count(3)
        ('<5', '3')
        """
        from .chapters.toolkit import suppress

        hidden = suppress.shown(value, self.suppress_below)  # "<N", or the value itself
        return str(hidden) if isinstance(hidden, suppress.Suppressed) else fmt_int(value)

    @property
    def suppression_rule(self) -> str | None:
        """The rule for small numbers in words, or None when this edition shows every count."""
        from .chapters.toolkit import suppress

        return suppress.rule(self.suppress_below) if self.suppress_below else None

    @property
    def gemeenten(self) -> list[str]:
        from .data import read as data

        found = data.gemeenten(self.year, self._dir)
        return [g for g in found if self.gemeente in (None, g)]

    @property
    def _dir(self) -> Path | None:
        return Path(self.data_dir) if self.data_dir else None
