"""Dutch phrases from numbers and lists, as the report's sentences write them."""

from __future__ import annotations

from collections.abc import Sequence

from ...style import fmt_int

_WORDS = ("nul", "één", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen", "tien", "elf", "twaalf")


def in_woorden(n: int) -> str:
    """A small number in words, as Dutch prose writes it; larger numbers as figures.

    >>> in_woorden(6), in_woorden(3), in_woorden(132)
    ('zes', 'drie', '132')
    """
    return _WORDS[n] if 0 <= n < len(_WORDS) else fmt_int(n)


def opsomming(items: Sequence[str]) -> str:
    """Items as a Dutch list: commas, and "en" before the last.

    >>> opsomming(["Dinkelland", "Losser", "Oldenzaal"])
    'Dinkelland, Losser en Oldenzaal'
    """
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} en {items[-1]}"
