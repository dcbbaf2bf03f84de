"""Column types and rules for the datasets, as pandera schemas.

A dataset's columns are declared once with the helpers below. Reading turns the
cells of a file into typed values (`coerce`), pandera then checks the rules, and
every broken rule becomes a `Problem` that names file, line, column and value.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from ..markup import web_href
from .frequency import is_frequency

if TYPE_CHECKING:
    import pandera.pandas as pa

COUNT = "aantal"
TEXT = "tekst"
FREQUENCY = "frequentie"
DATE = "datum"
BOOL = "ja/nee"
WEBSITE = "website"

_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")
_INT = re.compile(r"^\d+$")
# The contract says ja or nee, and nothing else: not True/False, 1/0 or WAAR as text, and so no
# mixture of them in one column. (An .xlsx cell that Excel holds as a truth value is read as ja/nee.)
YES, NO = "ja", "nee"
_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
# A website as printed: a bare domain (www.wijkkracht.nl) or an http(s) address, with an
# optional path of plain URL characters. No other scheme (javascript:), no markup.
# More digits than this can't be held as a whole number (Int64 ends near 9,2 * 10^18).
_MAX_DIGITS = 18


class ExcelDate(str):
    """A cell that Excel stores as a date, as ISO text (2022-03-01): a date, never a number."""


class ExcelFormula(str):
    """A formula that Excel saved without its outcome (the text is the formula itself)."""


def dutch_int(value: int) -> str:
    """A whole number with Dutch thousands separators.

    >>> dutch_int(20000), dutch_int(7)
    ('20.000', '7')
    """
    return f"{value:,}".replace(",", ".")


def too_large(maximum: int) -> str:
    """The rule a count above its plausible maximum breaks."""
    return f"mag niet groter zijn dan {dutch_int(maximum)} (een plausibele bovengrens; klopt het cijfer?)"


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    column: str | None
    value: object
    rule: str
    missing: bool = False  # a whole file, folder or page is absent (not a broken rule inside one)

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"regel {self.line}")
        if self.column is not None:
            where.append(f"kolom '{self.column}'")
        if self.value is not None and str(self.value) != "" and not (
                isinstance(self.value, float) and pd.isna(self.value)):
            where.append(f"waarde '{self.value}'")
        return ", ".join(where) + f": {self.rule}"


@dataclass(frozen=True)
class Field:
    """One column: its name, kind, Dutch title and meaning."""

    name: str
    kind: str
    title: str
    description: str
    required: bool = True
    gemeente: bool = False  # must be one of the year's gemeenten
    allowed: tuple[str, ...] = ()
    maximum: int | None = None  # a count's plausible upper bound: above it, a typo is likelier than a fact


def count(name: str, title: str, description: str, *, maximum: int, required: bool = True) -> Field:
    """A count column; `maximum` is the largest figure that is still plausible (2022 has the real ones)."""
    return Field(name, COUNT, title, description, required, maximum=maximum)


def text(name: str, title: str, description: str, required: bool = True, allowed: Iterable[str] = ()) -> Field:
    return Field(name, TEXT, title, description, required, allowed=tuple(allowed))


def gemeente(name: str = "gemeente", description: str = "Gemeente waar het werk is gedaan.",
             required: bool = True) -> Field:
    return Field(name, TEXT, "Gemeente", description, required, gemeente=True)


def rank(description: str = "Plaats in de top, 1 is het vaakst genoemd.", maximum: int = 50) -> Field:
    return Field("rang", COUNT, "Rang", description, maximum=maximum)


def website(name: str = "website", title: str = "Website",
            description: str = "Adres zoals gepubliceerd, zonder http://.") -> Field:
    return Field(name, WEBSITE, title, description)


def frequency(name: str = "frequentie", title: str = "Frequentie", required: bool = False) -> Field:
    return Field(name, FREQUENCY, title,
                 "Hoe vaak het samenkomt, in woorden: 'wekelijks', '2x per maand', ...",
                 required)


def date(name: str, title: str, description: str) -> Field:
    return Field(name, DATE, title, description)


def flag(name: str, title: str, description: str) -> Field:
    return Field(name, BOOL, title, description)


@dataclass(frozen=True)
class Rule:
    """A rule across the rows of one table, with the column a violation is reported on."""

    column: str
    message: str
    failing_rows: Callable[[pd.DataFrame], pd.Series[bool]]


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    source: str
    fields: tuple[Field, ...]
    key: tuple[str, ...] = ()
    ranked_by: tuple[str, ...] | None = None  # groups whose `rang` runs 1..N
    rules: tuple[Rule, ...] = field(default=())
    may_be_empty: bool = False  # a file with only a header is refused unless this says it may be
    max_rows: int = 2000  # far above any real year; a larger file is a wrong file or a wrong export

    @property
    def max_bytes(self) -> int:
        """The largest file that can hold `max_rows` rows (1 kB a row is generous), checked before reading."""
        return self.max_rows * 1000

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def titles(self) -> dict[str, str]:
        """Column name to the Dutch heading a reader sees."""
        return {f.name: f.title for f in self.fields}

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def schema(self, gemeenten: list[str]) -> pa.DataFrameSchema:
        import pandera.pandas as pa  # here, not at the top: a chapter kernel reading checked data needs none

        columns = {f.name: _column(f, gemeenten) for f in self.fields}
        checks = [_as_check(rule) for rule in self.rules]
        if self.ranked_by is not None:
            checks.append(_as_check(_ranks_rule(self.ranked_by)))
        unique = list(self.key) or None
        return pa.DataFrameSchema(columns, checks=checks, unique=unique, name=self.name,
                                  title=self.title, description=self.source)


def _column(f: Field, gemeenten: list[str]) -> pa.Column:
    import pandera.pandas as pa

    checks = []
    if f.kind == COUNT:
        checks.append(pa.Check.ge(0, error="moet 0 of meer zijn"))
        if f.maximum is not None:
            checks.append(pa.Check.le(f.maximum, error=too_large(f.maximum)))
    if f.gemeente:
        checks.append(pa.Check.isin(gemeenten, error=f"is geen gemeente van dit jaar ({', '.join(gemeenten)})"))
    if f.allowed:
        checks.append(pa.Check.isin(list(f.allowed), error=f"moet een van {', '.join(f.allowed)} zijn"))
    return pa.Column(_dtype(f), checks=checks, nullable=not f.required, title=f.title,
                     description=f.description)


def _dtype(f: Field) -> str:
    # "str" is pandas' own text dtype (object before pandas 3), as in frames built from lists.
    return {COUNT: "Int64", BOOL: "boolean"}.get(f.kind, "str")


def _as_check(rule: Rule) -> pa.Check:
    import pandera.pandas as pa

    # A rule can't judge a row with an empty cell; that cell is reported on its own.
    return pa.Check(lambda df: ~rule.failing_rows(df).fillna(False).astype(bool), error=rule.message)


def _ranks_rule(by: tuple[str, ...]) -> Rule:
    def failing(df: pd.DataFrame) -> pd.Series[bool]:
        groups = df.groupby(list(by), sort=False, dropna=False)["rang"] if by else [(None, df["rang"])]
        bad = pd.Series(False, index=df.index)
        for _, ranks in groups:
            if sorted(ranks.dropna().astype(int)) != list(range(1, len(ranks) + 1)):
                bad[ranks.index] = True
        return bad

    where = " per " + " en ".join(by) if by else ""
    return Rule("rang", f"de rangen{where} moeten 1, 2, ... N lopen, zonder gat of dubbele", failing)


# ---- reading cells ----------------------------------------------------------

def coerce(dataset: Dataset, raw: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Turn the text cells of a file into typed columns, noting every cell that won't."""
    problems: list[Problem] = []
    missing = [c for c in dataset.columns if c not in raw.columns]
    extra = [c for c in raw.columns if c not in dataset.columns]
    for c in missing:
        problems.append(Problem(file, 1, c, None, f"kolom ontbreekt (verwacht: {', '.join(dataset.columns)})"))
    for c in extra:
        problems.append(Problem(file, 1, c, None, f"onbekende kolom (verwacht: {', '.join(dataset.columns)})"))
    if missing:
        return raw, problems

    out = {}
    for f in dataset.fields:
        values = []
        for index, cell in raw[f.name].items():
            value, rule = _read_cell(f, cell)
            if rule:
                problems.append(Problem(file, line_of(index), f.name, cell, rule))
            values.append(value)
        out[f.name] = pd.Series(values, index=raw.index, dtype=_dtype(f))
    return pd.DataFrame(out, index=raw.index), problems


def _read_cell(f: Field, cell: object) -> tuple[object, str | None]:
    if isinstance(cell, ExcelFormula):
        return pd.NA, "is een formule zonder opgeslagen uitkomst: open het bestand in Excel en sla het op"
    text = "" if cell is None or (isinstance(cell, float) and pd.isna(cell)) else str(cell).strip()
    if text == "":
        return pd.NA, (None if not f.required else "mag niet leeg zijn")
    if f.kind == COUNT:
        if isinstance(cell, ExcelDate):
            return pd.NA, "is een datum in Excel, verwacht een aantal: maak de cel 'Getal' of 'Standaard'"
        return _read_count(f, text)
    if f.kind == FREQUENCY:
        return (text, None) if is_frequency(text) else (
            pd.NA, "onbekende frequentie: gebruik dagelijks, wekelijks, maandelijks of 'Nx per week/maand'")
    if f.kind == DATE:
        if _DATE.match(text):
            return text, None
        if isinstance(cell, ExcelDate):  # a date with a time of day
            return pd.NA, "is in Excel een datum met tijdstip; verwacht alleen een datum als 2022-03-01"
        return pd.NA, "moet een datum zijn als 2022-03-01 of 2022-03"
    if f.kind == BOOL:
        low = text.lower()
        if low in (YES, NO):
            return low == YES, None
        return pd.NA, "moet 'ja' of 'nee' zijn (de gegevensafspraak kent geen True/False, 1/0 of waar/onwaar)"
    if f.kind == WEBSITE:
        # One rule for what a website is: the one that makes its link (markup.web_href).
        return (text, None) if web_href(text) is not None else (
            pd.NA, "moet een webadres zijn als www.wijkkracht.nl of https://www.wijkkracht.nl/pagina")
    return text, None


def _read_count(f: Field, text: str) -> tuple[object, str | None]:
    if _THOUSANDS.match(text):  # Dutch thousands separator: "1.380" is 1380, never 1.38
        digits = text.replace(".", "")
    elif _INT.match(text.lstrip("-")):
        digits = text
    elif re.fullmatch(r"-?\d+\.0+", text):  # Excel writes whole numbers as 12.0
        digits = text.split(".")[0]
    else:
        return pd.NA, "moet een geheel getal zijn (zonder komma of decimalen)"
    # Judge the length before making a number of it: 10^20 fits no Int64 column.
    if len(digits.lstrip("-").lstrip("0")) > _MAX_DIGITS:
        if digits.startswith("-"):
            return pd.NA, "moet 0 of meer zijn"
        return pd.NA, too_large(f.maximum) if f.maximum is not None else "is te groot voor een aantal"
    return int(digits), None


def line_of(index: Hashable) -> int:
    """The line in the file: row 0 of the data sits under the header on line 2.

    `index` is a row label of a frame read here (`read_raw` numbers the rows), so a whole number.
    """
    if not isinstance(index, numbers.Integral):
        raise TypeError(f"row label {index!r} is not a row number")
    return int(index) + 2


def check(dataset: Dataset, df: pd.DataFrame, file: str, gemeenten: list[str],
          unreadable: Sequence[Problem] = ()) -> list[Problem]:
    """Run the pandera schema and translate its failures into problems.

    Cells in `unreadable` were already reported by `coerce` and are not reported again.
    """
    import pandera.pandas as pa

    try:
        dataset.schema(gemeenten).validate(df, lazy=True)
    except pa.errors.SchemaErrors as err:
        seen = {(p.line, p.column) for p in unreadable}
        return [p for p in _problems(dataset, err.failure_cases, df, file)
                if (p.line, p.column) not in seen]
    return []


def _problems(dataset: Dataset, cases: pd.DataFrame, df: pd.DataFrame, file: str) -> list[Problem]:
    rule_columns = {r.message: r.column for r in dataset.rules}
    if dataset.ranked_by is not None:
        rule_columns[_ranks_rule(dataset.ranked_by).message] = "rang"
    found: dict[tuple[int, str | None, str], Problem] = {}
    # Plain tuples: a named one's `index` field would read as tuple.index to the type checker.
    columns = ["check", "index", "column", "failure_case"]
    for check_name, label, failed_column, failure_case in cases[columns].itertuples(index=False, name=None):
        if check_name in ("dtype('Int64')", "dtype('boolean')") or pd.isna(label):
            continue  # a cell that failed to read is already reported by coerce()
        index, column, rule = int(label), failed_column, str(check_name)
        if rule in rule_columns:
            column = rule_columns[rule]
        elif rule == "multiple_fields_uniqueness":
            column = ", ".join(dataset.key)
            rule = f"komt dubbel voor: elke combinatie van {column} mag maar één keer voorkomen"
            value: object = ", ".join(str(df.at[index, c]) for c in dataset.key)
            found.setdefault((index, column, rule), Problem(file, line_of(index), column, value, rule))
            continue
        elif rule == "not_nullable":
            rule = "mag niet leeg zijn"
        value = df.at[index, column] if column in df.columns else failure_case
        found.setdefault((index, column, rule), Problem(file, line_of(index), column, value, rule))
    return sorted(found.values(), key=lambda p: (p.line or 0, p.column or ""))
