"""How often an activity meets, as the teams write it: a word or a count.

Teams report either a frequency word ("wekelijks", "2x per maand") or the number
of meetings in the year. Both are kept; this module understands the words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PERIODS = {"dag": 365, "week": 52, "maand": 12, "jaar": 1}
_WORDS = {"dagelijks": (1, "dag"), "wekelijks": (1, "week"),
          "maandelijks": (1, "maand"), "jaarlijks": (1, "jaar")}
_PATTERN = re.compile(r"^(\d+)\s*x\s*per\s*(dag|week|maand|mnd|jaar)$")


@dataclass(frozen=True)
class Frequency:
    times: int
    per: str

    @property
    def per_year(self) -> int:
        """Meetings in a full year at this rate (an upper bound, not a count)."""
        return self.times * PERIODS[self.per]

    def __str__(self) -> str:
        for word, (times, per) in _WORDS.items():
            if (times, per) == (self.times, self.per):
                return word
        return f"{self.times}x per {self.per}"


def parse_frequency(text: str) -> Frequency:
    """Read a frequency word.

    >>> parse_frequency("Wekelijks")
    Frequency(times=1, per='week')
    >>> parse_frequency("2x per mnd")
    Frequency(times=2, per='maand')
    >>> str(parse_frequency("2x per maand"))
    '2x per maand'
    """
    word = " ".join(str(text).strip().lower().split())
    if word in _WORDS:
        return Frequency(*_WORDS[word])
    match = _PATTERN.match(word)
    if match and int(match.group(1)) > 0:
        per = "maand" if match.group(2) == "mnd" else match.group(2)
        return Frequency(int(match.group(1)), per)
    raise ValueError(
        f"onbekende frequentie {text!r}: gebruik dagelijks, wekelijks, maandelijks, "
        "jaarlijks of 'Nx per dag/week/maand/jaar'"
    )


def is_frequency(text: str) -> bool:
    try:
        parse_frequency(text)
    except ValueError:
        return False
    return True
