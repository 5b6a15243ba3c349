"""Reading cell values as people type them.

The inventory reader hands each column of raw cells to :func:`parse_column`,
which reads it according to its schema kind (:mod:`estate.schema`) and returns
a :class:`Parsed`: the values, and for each cell either nothing, a *problem*
(the cell could not be read and its value is missing) or a *note* (the cell
was read, but with an assumption the user should see).

Raw cells are what python-calamine returns from a workbook (``None``, ``''``,
``float``, ``int``, ``bool``, ``str``, ``datetime.datetime``, ``datetime.date``,
``datetime.time``, ``datetime.timedelta``) or the strings of a CSV file.

Conventions
-----------
* Blank-like cells (:data:`BLANK_WORDS`: ``''``, ``'-'``, ``'n/a'``, ``'tbc'``,
  ``'unknown'``...) read as missing, with neither a problem nor a note.
* Spreadsheet errors such as ``#REF!`` are problems; ``#N/A`` is blank.
* Money, counts, months and percentages are ``float64``; dates are
  ``datetime64[ns]`` at midnight; text and choices are ``object`` (``str`` or
  NaN). Problems and notes are ``object`` Series (``str`` or NaN). All three
  Series keep the index of the input.
* Work is done once per distinct cell: a column is factorised to its unique
  values, each is read, and the results are mapped back. Cells that already
  are numbers take a vectorised path.

Examples
--------
>>> import pandas as pd
>>> from estate.schema import SYSTEMS
>>> parsed = parse_column(pd.Series(["£12,500", "12.5k", "lots", "n/a"]),
...                       SYSTEMS.field("annual_cost"))
>>> parsed.values.tolist()
[12500.0, 12500.0, nan, nan]
>>> parsed.problems.tolist()
[nan, nan, 'cannot read as money', nan]
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Literal

import numpy as np
import pandas as pd

from estate.errors import ParameterError
from estate.schema import Choice, Field, normalise_header

__all__ = [
    "BLANK_WORDS",
    "Parsed",
    "is_blank",
    "parse_choice",
    "parse_column",
    "parse_count",
    "parse_date",
    "parse_money",
    "parse_months",
    "parse_percent",
    "parse_text",
]

BLANK_WORDS: frozenset[str] = frozenset(
    {
        "", "-", "–", "—", "n/a", "na", "none", "nil", "null", "tbc", "tba",
        "unknown", "not known", "?", "#n/a",
    }
)
"""Cell texts (stripped, whitespace collapsed, lower case) that mean "no value"."""

# ---------------------------------------------------------------------------
# The result and the shared engine
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Parsed:
    """A column read from raw cells.

    Parameters
    ----------
    values : pandas.Series
        The values read, with the input's index: ``float64`` for money,
        counts, months and percentages, ``datetime64[ns]`` for dates and
        ``object`` (``str`` or NaN) for text and choices.
    problems : pandas.Series
        ``object``; NaN where the cell is fine, else why it could not be read
        (its value is then missing).
    notes : pandas.Series
        ``object``; NaN where the cell is fine, else the assumption made in
        reading it (its value is kept).
    """

    values: pd.Series
    problems: pd.Series
    notes: pd.Series

    def to_frame(self) -> pd.DataFrame:
        """The three Series as columns ``value``, ``problem`` and ``note``.

        Examples
        --------
        >>> parse_count(pd.Series(["1-100"])).to_frame().columns.tolist()
        ['value', 'problem', 'note']
        """
        return pd.DataFrame({"value": self.values, "problem": self.problems, "note": self.notes})


_Out = Literal["float", "date", "object"]
_Result = tuple[object, str | None, str | None]
"""What a cell parser returns: value (None if missing), problem, note."""
_Numbers = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]

_BLANK: _Result = (None, None, None)
_WHITESPACE = re.compile(r"\s+")
_EXCEL_ERROR = re.compile(
    r"#(?:div/0!|value!|ref!|name\?|num!|null!|spill!|calc!|field!|blocked!|connect!|busy!|unknown!"
    r"|getting_data)"
)
_DASHES = str.maketrans({"–": "-", "—": "-", "−": "-", "‐": "-", "‑": "-", "‒": "-", "’": "'", "‘": "'"})


def _plain(text: str) -> str:
    """Lower case, with typographic dashes and quotes made ASCII."""
    text = text.lower()
    return text if text.isascii() else text.translate(_DASHES)


def _clean(text: str) -> str:
    """Strip a string and collapse its runs of whitespace to one space."""
    stripped = text.strip()
    if "  " not in stripped and stripped.isprintable():  # no tabs, newlines or odd spaces: nothing to do
        return stripped
    return _WHITESPACE.sub(" ", stripped)


def _as_series(raw: pd.Series | Iterable[object]) -> pd.Series:
    if isinstance(raw, pd.Series):
        return raw
    return pd.Series(list(raw), dtype=object)


def _empty(out: _Out, n: int) -> np.ndarray:
    if out == "float":
        return np.full(n, np.nan, dtype="float64")
    if out == "date":
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    return np.full(n, np.nan, dtype=object)


def _to_array(out: _Out, values: list[object]) -> np.ndarray:
    if out == "float":
        return np.array([np.nan if v is None else v for v in values], dtype="float64")
    if out == "date":
        nat = np.datetime64("NaT")
        return np.array([nat if v is None else v for v in values], dtype="datetime64[ns]")
    array = np.empty(len(values), dtype=object)
    array[:] = [np.nan if v is None else v for v in values]
    return array


def _text_array(texts: list[str | None]) -> np.ndarray:
    array = np.empty(len(texts), dtype=object)
    array[:] = [np.nan if t is None else t for t in texts]
    return array


def _numbers_of(series: pd.Series) -> np.ndarray:
    """Each cell as a float where it is a number or a numeric string, else NaN.

    Booleans are not numbers here: a tick box in a money column is a problem.
    """
    n = len(series)
    kind = series.dtype.kind
    if kind in "iuf":
        return series.to_numpy(dtype="float64", na_value=np.nan)
    if kind not in "OUS" and not isinstance(series.dtype, pd.StringDtype):
        return np.full(n, np.nan)
    try:
        numbers = np.array(pd.to_numeric(series, errors="coerce").to_numpy(dtype="float64", na_value=np.nan))
    except (TypeError, ValueError):  # unhashable or exotic objects: read them one by one
        return np.full(n, np.nan)
    maybe_bool = np.flatnonzero((numbers == 0.0) | (numbers == 1.0))
    if maybe_bool.size:
        cells = series.to_numpy(dtype=object)[maybe_bool]
        is_bool = np.fromiter((isinstance(c, (bool, np.bool_)) for c in cells), bool, len(cells))
        numbers[maybe_bool[is_bool]] = np.nan
    return numbers


class _Flag:
    """A boolean cell, kept apart from the numbers 0 and 1 it would equal when factorised."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = bool(value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Flag) and other.value == self.value

    def __hash__(self) -> int:
        return hash((_Flag, self.value))


def _factorise(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes (-1 for missing) and unique cells, with True apart from 1 and False apart from 0."""
    try:
        codes, uniques = pd.factorize(cells)
    except TypeError:  # an unhashable cell: compare cells by their text instead
        cells = np.array([c if _is_missing(c) else str(c) for c in cells], dtype=object)
        codes, uniques = pd.factorize(cells)
    if any(isinstance(u, (int, float, Decimal, np.number, np.bool_)) and u in (0, 1) for u in uniques):
        flags = np.flatnonzero([isinstance(c, (bool, np.bool_)) for c in cells])
        if not flags.size:
            return np.asarray(codes), np.asarray(uniques, dtype=object)
        cells = cells.copy()
        for at in flags:
            cells[at] = _Flag(cells[at])
        codes, uniques = pd.factorize(cells)
        uniques = np.array([u.value if isinstance(u, _Flag) else u for u in uniques], dtype=object)
    return np.asarray(codes), np.asarray(uniques, dtype=object)


def _is_missing(cell: object) -> bool:
    try:
        return bool(pd.isna(cell))
    except (TypeError, ValueError):
        return False


def _read_cell(cell: object, parser: Callable[[object], _Result], keep: frozenset[str]) -> _Result:
    if isinstance(cell, str):
        text = _clean(cell)
        key = text.lower()
        if key in keep:
            return parser(text)
        if key in BLANK_WORDS:
            return _BLANK
        if _EXCEL_ERROR.fullmatch(key):
            return None, f"spreadsheet error {text.upper()}", None
        return parser(text)
    if _is_missing(cell):
        return _BLANK
    return parser(cell)


def _parse(
    raw: pd.Series | Iterable[object],
    parser: Callable[[object], _Result],
    *,
    out: _Out,
    numbers: _Numbers | None = None,
    keep: frozenset[str] = frozenset(),
) -> Parsed:
    """Read a column: numbers in bulk, every other distinct cell once."""
    series = _as_series(raw)
    n = len(series)
    values = _empty(out, n)
    problems = np.full(n, np.nan, dtype=object)
    notes = np.full(n, np.nan, dtype=object)
    fast = np.zeros(n, dtype=bool)
    if numbers is not None and n:
        as_numbers = _numbers_of(series)
        fast = np.isfinite(as_numbers)
        if fast.any():
            values[fast], problems[fast], notes[fast] = numbers(as_numbers[fast])
    rest = np.flatnonzero(~fast)
    if rest.size:
        codes, uniques = _factorise(series.to_numpy(dtype=object)[rest])
        results = [_read_cell(cell, parser, keep) for cell in uniques]
        results.append(_BLANK)  # code -1 (a missing cell) indexes this last entry
        values[rest] = _to_array(out, [r[0] for r in results])[codes]
        problems[rest] = _text_array([r[1] for r in results])[codes]
        notes[rest] = _text_array([r[2] for r in results])[codes]
    index = series.index
    return Parsed(
        values=pd.Series(values, index=index, name=series.name),
        problems=pd.Series(problems, index=index, name=series.name, dtype=object),
        notes=pd.Series(notes, index=index, name=series.name, dtype=object),
    )


def _note_array(n: int) -> np.ndarray:
    return np.full(n, np.nan, dtype=object)


def _format_number(value: float | Decimal) -> str:
    """``7501`` → ``'7,501'``, ``2.5`` → ``'2.5'``."""
    number = float(value)
    if number.is_integer():
        return f"{number:,.0f}"
    return f"{number:,.2f}".rstrip("0").rstrip(".")


def _is_real_number(cell: object) -> bool:
    return isinstance(cell, (int, float, Decimal, np.integer, np.floating)) and not isinstance(
        cell, (bool, np.bool_)
    )


def _check_parameter(name: str, function: str, ok: bool, expected: str, got: object) -> None:
    if not ok:
        raise ParameterError(
            f"The {name!r} parameter of {function} must be {expected}. Got {got!r} instead."
        )


# ---------------------------------------------------------------------------
# Numbers written as text
# ---------------------------------------------------------------------------

_NUMBER = (
    r"(?:[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?"  # 12,500 or 12,500.00
    r"|[0-9]{1,3}(?: [0-9]{3})+(?:\.[0-9]+)?"  # 12 500
    r"|[0-9]+(?:\.[0-9]+)?"  # 12500 or 12500.00
    r"|\.[0-9]+)"  # .5
)
_SCALE = r"(?:thousand|k|million|mill|mil|mn|m|billion|bn|b)"
_SCALES = {
    "k": 3, "thousand": 3,
    "m": 6, "mn": 6, "mil": 6, "mill": 6, "million": 6,
    "b": 9, "bn": 9, "billion": 9,
}
_AMOUNT = rf"({_NUMBER})\s*({_SCALE})?"
_SINGLE = re.compile(rf"(-)?\s*{_AMOUNT}")
_RANGE = re.compile(rf"{_AMOUNT}\s*(?:-|to)\s*{_AMOUNT}")
_BETWEEN = re.compile(rf"between\s+{_AMOUNT}\s+and\s+{_AMOUNT}")
_PREFIX = re.compile(
    r"(?:c\.|ca\.|c(?=[\s0-9£$€])|circa|approx(?:imately)?\.?|about|around|roughly|~|"
    r"est(?:imated?)?\.?:?|estimate:?)\s*"
)


def _decimal(number: str, scale: str | None) -> Decimal:
    value = Decimal(number.replace(",", "").replace(" ", ""))
    if scale:
        value = value.scaleb(_SCALES[scale])
    return value


def _strip_prefixes(text: str) -> str:
    while True:
        match = _PREFIX.match(text)
        if not match or match.end() == 0:
            return text
        text = text[match.end():]


def _strip_suffixes(text: str, suffix: re.Pattern[str]) -> str:
    while True:
        match = suffix.search(text)
        if not match or match.start() == 0 and match.end() == len(text):
            return text.strip()
        text = text[: match.start()].rstrip()


def _strip_qualifiers(text: str, suffix: re.Pattern[str]) -> str:
    """Remove qualifying words before and after a number ("c.", "approx", "pa")."""
    while True:
        before = text
        if text and not (text[0].isdigit() or text[0] in "-(."):
            text = _strip_prefixes(text)
        if text and not text[-1].isdigit():
            text = _strip_suffixes(text, suffix)
        if text == before:
            return text


def _amounts(text: str) -> tuple[Decimal, Decimal | None] | None:
    """A single amount ``(value, None)`` or a range ``(low, high)``; None if neither."""
    match = _SINGLE.fullmatch(text)
    if match:
        value = _decimal(match.group(2), match.group(3))
        return (-value if match.group(1) else value), None
    match = _RANGE.fullmatch(text) or _BETWEEN.fullmatch(text)
    if match:
        low_scale = match.group(2) or match.group(4)  # "10-20k" means 10k-20k
        return _decimal(match.group(1), low_scale), _decimal(match.group(3), match.group(4))
    return None


# ---------------------------------------------------------------------------
# Money
# ---------------------------------------------------------------------------

_CURRENCY_NAMES = {"GBP": "pounds sterling", "USD": "US dollars", "EUR": "euros"}
_CURRENCY_WORDS = {
    "£": "GBP", "gbp": "GBP", "pounds sterling": "GBP", "pounds": "GBP", "pound": "GBP",
    "sterling": "GBP", "stg": "GBP",
    "us$": "USD", "$": "USD", "usd": "USD", "us dollars": "USD", "us dollar": "USD",
    "dollars": "USD", "dollar": "USD",
    "€": "EUR", "eur": "EUR", "euros": "EUR", "euro": "EUR",
}
_MONEY_SUFFIX = re.compile(
    r"\s*\(?(?:pa|p\.a\.?|p/a|per annum|per year|per yr|a year|a yr|/\s*yr|/\s*year|/\s*annum|/\s*pa"
    r"|annually|yearly|each year|\+\s*vat|plus vat|(?:ex|exc|excl|excluding|inc|incl|including)\.?\s*vat"
    r"|est\.?|estimated|approx\.?)\)?$"
)
_ZERO_WORDS = frozenset({"free", "nil cost", "no cost", "zero", "nil", "no charge", "free of charge", "nothing",
                         "zero cost", "£nil"})
_INCLUDED = re.compile(
    r"(?:inc\.?|incl\.?|included|inclusive|including"
    r"|(?:included|inc\.?|incl\.?|bundled|covered)\s+(?:in|within|with|under|by)\b.*"
    r"|part of\b.*|bundled\b.*)"
)
_INCLUDED_NOTE = "included in another cost: read as 0"
_FUNDERS = (r"(?:nhs\s*e|nhs england|nhs\s*ei|nhs\s*x|nhs digital|nhs\s*d|nhs|icb|ics|ccg|the icb|dhsc|dwp|"
            r"home office|government|central government|nationally|national|centrally|central)")
_FUNDED = re.compile(
    rf"(?:{_FUNDERS}[\s-]*funded|funded\s+(?:by|via|through|from)\s+{_FUNDERS}|funded\s+(?:centrally|nationally)"
    rf"|paid\s+(?:by|for\s+by)\s+{_FUNDERS}|free\s+(?:of\s+charge\s+)?to\s+(?:the\s+)?nhs(?:\s+bodies)?)"
    r"(?:\s*\(.*\))?"
)
"""A cost another body pays: ``NHSE funded``, ``ICB funded``, ``funded by NHS England``, ``centrally funded``. Not
``self funded`` or ``part funded``, which the organisation pays (in part)."""
_FUNDED_NOTE = "paid by another body (funded nationally or by a partner): read as 0 for this organisation"
_PLAIN_MONEY = re.compile(rf"(£|\$|€)?\s*({_NUMBER})\s*({_SCALE})?")


@lru_cache(maxsize=16)
def _currency_pattern(currency: str) -> re.Pattern[str]:
    words = set(_CURRENCY_WORDS) | {currency.lower()}
    symbols = sorted((w for w in words if not w.isalpha() and " " not in w), key=len, reverse=True)
    names = sorted((w for w in words if w not in symbols), key=len, reverse=True)
    return re.compile(
        "|".join(re.escape(s) for s in symbols)
        + "|(?<![a-z])(?:"
        + "|".join(re.escape(w) for w in names)
        + ")(?![a-z])"
    )


def _money_cell(currency: str) -> Callable[[object], _Result]:
    cannot = "cannot read as money"
    pattern = _currency_pattern(currency)

    def parse(cell: object) -> _Result:
        if not isinstance(cell, str):
            if _is_real_number(cell) and np.isfinite(float(cell)):  # type: ignore[arg-type]
                return float(cell), None, None  # type: ignore[arg-type]
            return None, cannot, None
        text = _plain(cell)
        match = _PLAIN_MONEY.fullmatch(text)
        if match:  # the usual shapes, "£12,500", "12.5k", "$3,000,000", read without the loops below
            symbol, number, scale = match.groups()
            value = _decimal(number, scale) if scale else float(number.replace(",", "").replace(" ", ""))
            code = _CURRENCY_WORDS[symbol] if symbol else currency
            if code == currency:
                return float(value), None, None
            return float(value), None, f"{_CURRENCY_NAMES[code]} taken as plan currency without conversion"
        if text in _ZERO_WORDS:
            return 0.0, None, None
        if _INCLUDED.fullmatch(text):
            return 0.0, None, _INCLUDED_NOTE
        if _FUNDED.fullmatch(text):
            return 0.0, None, _FUNDED_NOTE
        found = {_CURRENCY_WORDS.get(m, currency) for m in pattern.findall(text)}
        if found:
            text = _clean(pattern.sub(" ", text))
        text = _strip_qualifiers(text, _MONEY_SUFFIX).replace("( ", "(").replace(" )", ")")
        if text in _ZERO_WORDS:
            return 0.0, None, None
        if _INCLUDED.fullmatch(text):
            return 0.0, None, _INCLUDED_NOTE
        negative = text.startswith("(") and text.endswith(")")
        if negative:
            text = _strip_prefixes(text[1:-1].strip())
        amounts = _amounts(text)
        if amounts is None or negative and (amounts[1] is not None or amounts[0] < 0):
            return None, cannot, None
        if len(found) > 1:
            return None, f"{cannot}: more than one currency", None
        notes = []
        low, high = amounts
        if high is None:
            value = -low if negative else low
        else:
            value = (low + high) / 2
            notes.append(f"range {_clean(cell)} read as its midpoint {_format_number(value)}")
        other = found - {currency}
        if other:
            code = other.pop()
            notes.append(f"{_CURRENCY_NAMES.get(code, code)} taken as plan currency without conversion")
        return float(value), None, ("; ".join(notes) or None)

    return parse


def _money_numbers(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return values, _note_array(len(values)), _note_array(len(values))


def parse_money(raw: pd.Series, *, currency: str = "GBP") -> Parsed:
    """Read amounts of money as people type them.

    Parameters
    ----------
    raw : pandas.Series
        Raw cells: numbers, or text such as ``£12,500``, ``12.5k``, ``£1.2m``,
        ``$3,000,000``, ``12500.00 GBP``, ``(1,200)``, ``c. £10k pa``.
    currency : str, default="GBP"
        The plan's currency, as a three-letter code. Amounts marked with
        another currency are taken as they are, with a note: nothing is
        converted.

    Returns
    -------
    Parsed
        ``float64`` values.

    Notes
    -----
    * Scales ``k``, ``m``/``million``, ``bn`` multiply by a thousand, a million
      and a billion; ``(1,200)`` and ``-1,200`` are negative.
    * Commas separate thousands only before groups of three digits: ``12,5``
      is a problem, not 125. Spaces may separate thousands (``12 500``).
    * Qualifiers (``c.``, ``circa``, ``approx``, ``~``, ``about``, ``est.``,
      ``pa``, ``p.a.``, ``per annum``, ``/yr``, ``+VAT``, ``ex VAT``,
      ``inc VAT``...) are ignored.
    * A range ``£10k-£20k`` reads as its midpoint, with a note.
    * ``free``, ``nil cost`` and ``no cost`` read as 0; ``included``,
      ``inc.`` and ``included in ...`` read as 0 with a note.
    * A cost another body pays (``NHSE funded``, ``ICB funded``, ``funded
      by NHS England``, ``centrally funded``) reads as 0 with a note: the
      organisation pays nothing for it (``self funded`` is still a problem).

    Examples
    --------
    >>> parsed = parse_money(pd.Series(["£12,500", "1.2m", "(1,200)", "£10k-£20k",
    ...                                 "$3,000,000", "12,5", None]))
    >>> parsed.values.tolist()
    [12500.0, 1200000.0, -1200.0, 15000.0, 3000000.0, nan, nan]
    >>> parsed.notes[3]
    'range £10k-£20k read as its midpoint 15,000'
    >>> parsed.notes[4]
    'US dollars taken as plan currency without conversion'
    >>> parsed.problems[5]
    'cannot read as money'
    >>> funded = parse_money(pd.Series(["NHSE funded", "ICB funded", "self funded"]))
    >>> funded.values.tolist()[:2], funded.notes[0], funded.problems[2]
    ([0.0, 0.0], 'paid by another body (funded nationally or by a partner): read as 0 for this organisation', \
'cannot read as money')
    """
    ok = isinstance(currency, str) and re.fullmatch(r"[A-Z]{3}", currency) is not None
    _check_parameter("currency", "parse_money", ok, "a three-letter code such as 'GBP'", currency)
    return _parse(raw, _money_cell(currency), out="float", numbers=_money_numbers)


# ---------------------------------------------------------------------------
# Counts
# ---------------------------------------------------------------------------

_COUNT_UNITS = re.compile(
    r"\s+(?:named |concurrent |active |licensed |registered )?(?:users?|staff|people|persons|employees"
    r"|licen[cs]es?|seats|fte|racks?|heads|headcount|members|approx\.?|est\.?|estimated)$"
)
_NOT_USERS = re.compile(r"\b(?:all|every|everyone|everybody|whole|entire|wide|unlimited|enterprise)\b")
_AT_LEAST = re.compile(
    rf"(?:(?:over|more than|greater than|>=?|at least|in excess of|min\.?|minimum|above)\s*{_AMOUNT}"
    rf"|{_AMOUNT}\s*(?:\+|plus|or more|and over|and above))"
)
_AT_MOST = re.compile(
    rf"(?:<=?|under|up to|upto|fewer than|less than|below|max\.?|maximum|no more than)\s*{_AMOUNT}"
)


def _half_up(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def _count_value(value: Decimal) -> _Result:
    if value < 0:
        return None, "negative number", None
    if value != value.to_integral_value():
        return float(value), None, "not a whole number"
    return float(value), None, None


def _count_cell(cell: object) -> _Result:
    cannot = "cannot read as a number"
    if not isinstance(cell, str):
        if _is_real_number(cell) and np.isfinite(float(cell)):  # type: ignore[arg-type]
            return _count_value(Decimal(str(cell)))
        return None, cannot, None
    shown = cell if cell.isascii() else cell.translate(_DASHES)
    text = shown.lower()
    previous = None
    while previous != text:
        previous = text
        text = _COUNT_UNITS.sub("", _strip_prefixes(text)).strip()
    amounts = _amounts(text)
    if amounts is not None:
        low, high = amounts
        if high is None:
            return _count_value(low)
        middle = _half_up((low + high) / 2)
        return float(middle), None, f"band {shown} read as its midpoint {_format_number(middle)}"
    match = _AT_LEAST.fullmatch(text)
    if match:
        number, scale = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        value = _decimal(number, scale)
        return float(value), None, f"{shown} read as its lower bound {_format_number(value)}"
    match = _AT_MOST.fullmatch(text)
    if match:
        value = _decimal(match.group(1), match.group(2))
        return float(value), None, f"{shown} read as its upper bound {_format_number(value)}"
    if _NOT_USERS.search(text) and not re.search(r"[0-9]", text):
        return None, "not a number of users", None
    return None, cannot, None


def _count_numbers(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    problems, notes = _note_array(len(values)), _note_array(len(values))
    negative = values < 0
    problems[negative] = "negative number"
    notes[~negative & (values != np.floor(values))] = "not a whole number"
    return np.where(negative, np.nan, values), problems, notes


def parse_count(raw: pd.Series) -> Parsed:
    """Read counts (users, staff, racks) as people type them.

    Parameters
    ----------
    raw : pandas.Series
        Raw cells: numbers, or text such as ``1,200``, ``approx 200``,
        ``1-100``, ``50,000+``, ``<100``.

    Returns
    -------
    Parsed
        ``float64`` values.

    Notes
    -----
    * A band ``1-100`` reads as its midpoint rounded half up (51), with a note.
    * ``50,000+``, ``over 50,000``, ``more than 50000``, ``>50000`` read as
      the lower bound; ``<100``, ``under 100``, ``up to 100``, ``fewer than
      100`` as the stated bound; both with a note.
    * A number that is not whole is kept, with a note; a negative one is a
      problem, as are ``all staff`` and ``everyone``.

    Examples
    --------
    >>> parsed = parse_count(pd.Series(["1,200", "c.200", "1-100", "50,000+", "everyone", -3]))
    >>> parsed.values.tolist()
    [1200.0, 200.0, 51.0, 50000.0, nan, nan]
    >>> parsed.notes.tolist()[2:4]
    ['band 1-100 read as its midpoint 51', '50,000+ read as its lower bound 50,000']
    >>> parsed.problems.tolist()[4:]
    ['not a number of users', 'negative number']
    """
    return _parse(raw, _count_cell, out="float", numbers=_count_numbers)


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}
_MONTH = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_TIME = r"(?:[ t][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?(?:z|[+-][0-9]{2}:?[0-9]{2})?)?"
_ISO = re.compile(rf"([0-9]{{4}})[-/.]([0-9]{{1,2}})[-/.]([0-9]{{1,2}}){_TIME}")
_NUMERIC = re.compile(rf"([0-9]{{1,2}})[/.-]([0-9]{{1,2}})[/.-]([0-9]{{4}}|[0-9]{{2}}){_TIME}")
_DAY_MONTH_YEAR = re.compile(rf"([0-9]{{1,2}})[ ./-]*{_MONTH}[ ,./-]*([0-9]{{4}}|[0-9]{{2}})")
_MONTH_DAY_YEAR = re.compile(rf"{_MONTH}[ ./-]*([0-9]{{1,2}}),?[ ]*([0-9]{{4}})")
_MONTH_YEAR = re.compile(rf"{_MONTH}[ ,./'-]*([0-9]{{4}}|[0-9]{{2}})")
_MONTH_NUMBER_YEAR = re.compile(r"([0-9]{1,2})[/.-]([0-9]{4})")
_YEAR_PAIR = re.compile(r"(fy|financial year|fin year)?\s*'?([0-9]{4}|[0-9]{2})\s*([/-])\s*([0-9]{4}|[0-9]{2})")
_ORDINAL = re.compile(r"\b([0-9]{1,2})(?:st|nd|rd|th)\b")
_WEEKDAY = re.compile(r"^(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*,?\s+")
_END_OF = re.compile(r"^(?:end of|end|by end of|by)\s+")
_ROLLING = re.compile(r"\b(?:rolling|ongoing|evergreen|perpetual|indefinite|open[- ]ended|no end date)\b")
_ROLLING_PROBLEM = "no end date (rolling contract)"
_YEAR_PROBLEM = "year outside 1900 to 2199"
_FINANCIAL_YEAR_NOTE = "financial year read as its last day"
_EXCEL_ORIGIN = np.datetime64("1899-12-30", "D")
_LAST_SERIAL = 2958465  # 31 December 9999


def _show(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _last_day(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def _date_result(year: int, month: int, day: int, note: str | None = None) -> _Result:
    if not 1900 <= year <= 2199:
        return None, _YEAR_PROBLEM, None
    try:
        value = dt.date(year, month, day)
    except ValueError:
        return None, "no such date", None
    return np.datetime64(value, "ns"), None, note


def _month_result(year: int, month: int) -> _Result:
    if not 1 <= month <= 12:
        return None, "no such date", None
    if not 1900 <= year <= 2199:
        return None, _YEAR_PROBLEM, None
    last = _last_day(year, month)
    return _date_result(last.year, last.month, last.day)


def _full_year(digits: str) -> int:
    return int(digits) if len(digits) == 4 else 2000 + int(digits)


def _date_cell(first_month: int) -> Callable[[object], _Result]:
    cannot = "cannot read as a date"

    def parse(cell: object) -> _Result:
        if isinstance(cell, dt.datetime):  # also pandas.Timestamp
            return _date_result(cell.year, cell.month, cell.day)
        if isinstance(cell, dt.date):
            return _date_result(cell.year, cell.month, cell.day)
        if isinstance(cell, np.datetime64):
            return parse(pd.Timestamp(cell))
        if not isinstance(cell, str):
            return None, cannot, None
        shown = cell if cell.isascii() else cell.translate(_DASHES)
        text = shown.lower()
        if _ROLLING.search(text):
            return None, _ROLLING_PROBLEM, None
        text = _END_OF.sub("", _WEEKDAY.sub("", _ORDINAL.sub(r"\1", text))).strip()
        match = _ISO.fullmatch(text)
        if match:
            year, month, day = (int(g) for g in match.groups())
            return _date_result(year, month, day)
        match = _NUMERIC.fullmatch(text)
        if match:
            first, second, year = int(match.group(1)), int(match.group(2)), _full_year(match.group(3))
            if not 1900 <= year <= 2199:
                return None, _YEAR_PROBLEM, None
            if _valid(year, second, first):
                return _date_result(year, second, first)
            if _valid(year, first, second):
                note = f"month-first date {shown} read as {_show(dt.date(year, first, second))}"
                return _date_result(year, first, second, note)
            return None, "no such date", None
        match = _DAY_MONTH_YEAR.fullmatch(text)
        if match:
            day, month, year = int(match.group(1)), _MONTHS[match.group(2)], _full_year(match.group(3))
            return _date_result(year, month, day)
        match = _MONTH_DAY_YEAR.fullmatch(text)
        if match:
            return _date_result(int(match.group(3)), _MONTHS[match.group(1)], int(match.group(2)))
        match = _MONTH_YEAR.fullmatch(text)
        if match:
            return _month_result(_full_year(match.group(2)), _MONTHS[match.group(1)])
        match = _MONTH_NUMBER_YEAR.fullmatch(text)
        if match:
            return _month_result(int(match.group(2)), int(match.group(1)))
        match = _YEAR_PAIR.fullmatch(text)
        if match:
            return _year_pair(match, first_month)
        if re.fullmatch(r"[0-9]{4}", text):  # "end 2027": the bare year left once words are gone
            year = int(text)
            return _date_result(year, 12, 31, f"year {year} read as 31 Dec {year}")
        bracket = _AFTER_DATE.fullmatch(shown.strip()) if len(shown) <= 80 else None
        if bracket:  # "31/03/2027 (ext +1+1)": the date, its remark left out and said
            value, problem, _ = parse(bracket.group(1))
            if value is not None:
                remark = bracket.group(2)
                why = (" (an option to extend is not assumed taken)"
                       if re.search(r"ext|option|\+\s*[0-9]", remark, re.IGNORECASE) else "")
                return value, None, f"date read as {_show(pd.Timestamp(value).date())}; '{remark}' left out{why}"
            return value, problem, None
        return None, cannot, None

    return parse


_AFTER_DATE = re.compile(r"([^()\[\]]*?[0-9][^()\[\]]*?)\s*(\([^()]*\)|\[[^\[\]]*\])")
"""A date followed by a remark in brackets: ``31/03/2027 (ext +1+1)``."""


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def _year_pair(match: re.Match[str], first_month: int) -> _Result:
    """``2027/28``, ``FY 27/28`` (a financial year) or ``2027-03`` (a month)."""
    prefix, first, _, second = match.groups()
    start = _full_year(first)
    follows = int(second) == (start + 1 if len(second) == 4 else (start + 1) % 100)
    if follows and (prefix or len(first) == 4 or len(second) == 2):
        if not 1900 <= start <= 2198:
            return None, _YEAR_PROBLEM, None
        last = dt.date(start + 1, first_month, 1) - dt.timedelta(days=1)
        return _date_result(last.year, last.month, last.day, _FINANCIAL_YEAR_NOTE)
    if not prefix and len(first) == 4 and len(second) <= 2:
        return _month_result(start, int(second))
    return None, "cannot read as a date", None


def _date_numbers(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Excel serial numbers, and whole numbers 1900 to 2199 as years."""
    n = len(values)
    out = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    problems, notes = _note_array(n), _note_array(n)
    whole = values == np.floor(values)
    is_year = whole & (values >= 1900) & (values <= 2199)
    is_serial = ~is_year & (values >= 1) & (values < _LAST_SERIAL + 1)
    problems[~is_year & ~is_serial] = "cannot read as a date"
    if is_year.any():
        years = values[is_year].astype("int64")
        ends = (years - 1969).astype("datetime64[Y]").astype("datetime64[D]") - np.timedelta64(1, "D")
        out[is_year] = ends.astype("datetime64[ns]")
        unique, inverse = np.unique(years, return_inverse=True)
        notes[is_year] = _text_array([f"year {y} read as 31 Dec {y}" for y in unique])[inverse]
    if is_serial.any():
        days = _EXCEL_ORIGIN + np.floor(values[is_serial]).astype("int64").astype("timedelta64[D]")
        years = days.astype("datetime64[Y]").astype("int64") + 1970
        inside = (years >= 1900) & (years <= 2199)
        serial_at = np.flatnonzero(is_serial)
        out[serial_at[inside]] = days[inside].astype("datetime64[ns]")
        problems[serial_at[~inside]] = _YEAR_PROBLEM
    return out, problems, notes


def parse_date(raw: pd.Series, *, first_month: int = 4) -> Parsed:
    """Read dates as people type them.

    Parameters
    ----------
    raw : pandas.Series
        Raw cells: Excel dates, Excel serial numbers, or text such as
        ``2027-03-31``, ``31/03/2027``, ``31 Mar 2027``, ``Mar 2027``,
        ``2027/28``.
    first_month : int, default=4
        The month financial years start in (April).

    Returns
    -------
    Parsed
        ``datetime64[ns]`` values at midnight; NaT where missing.

    Notes
    -----
    * Numeric dates are day first (UK): ``31/03/2027``, ``31-03-2027``,
      ``31.03.27`` (two-digit years are 20yy). Only when day first is
      impossible and month first is possible (``12/31/2027``) is the date
      read month first, with a note.
    * A month without a day (``Mar 2027``, ``03/2027``, ``2027-03``) reads as
      the last day of that month.
    * A financial year (``2027/28``, ``2027-28``, ``FY 27/28``) reads as its
      last day, the day before ``first_month`` of its second year, with a
      note. ``2011-12`` is the financial year, not December 2011.
    * A bare year (``2027``, as text or as a number) reads as 31 December,
      with a note. Other numbers from 1 to 2,958,465 are Excel serial numbers
      (day 0 is 30 December 1899), so the serials 1900 to 2199, days in 1905
      and 1906, cannot be given as numbers.
    * Years must be from 1900 to 2199. ``rolling``, ``ongoing`` and
      ``evergreen`` are problems: "no end date (rolling contract)".

    Examples
    --------
    >>> parsed = parse_date(pd.Series([46112, "31/03/2027", "Mar 2027", "2027/28",
    ...                                "12/31/2027", "rolling"]))
    >>> parsed.values.dt.strftime("%Y-%m-%d").tolist()
    ['2026-03-31', '2027-03-31', '2027-03-31', '2028-03-31', '2027-12-31', nan]
    >>> parsed.notes.tolist()[3:5]
    ['financial year read as its last day', 'month-first date 12/31/2027 read as 31 Dec 2027']
    >>> parsed.problems[5]
    'no end date (rolling contract)'
    """
    ok = isinstance(first_month, (int, np.integer)) and not isinstance(first_month, bool)
    ok = ok and 1 <= first_month <= 12
    _check_parameter("first_month", "parse_date", ok, "an int in [1, 12]", first_month)
    series = _as_series(raw)
    if series.dtype.kind == "M":  # already datetimes: no need to read cell by cell
        return _from_datetimes(series)
    return _parse(series, _date_cell(int(first_month)), out="date", numbers=_date_numbers)


def _from_datetimes(series: pd.Series) -> Parsed:
    stamps = series.dt.tz_localize(None) if series.dt.tz is not None else series
    stamps = stamps.dt.normalize()
    outside = (stamps.notna() & ((stamps.dt.year < 1900) | (stamps.dt.year > 2199))).to_numpy()
    problems = _note_array(len(series))
    problems[outside] = _YEAR_PROBLEM
    values = stamps.mask(outside).astype("datetime64[ns]")  # masked first: year 3000 does not fit in ns
    index, name = series.index, series.name
    return Parsed(
        values=values,
        problems=pd.Series(problems, index=index, name=name, dtype=object),
        notes=pd.Series(_note_array(len(series)), index=index, name=name, dtype=object),
    )


# ---------------------------------------------------------------------------
# Months
# ---------------------------------------------------------------------------

_MONTH_UNITS = {
    **dict.fromkeys(("m", "mo", "mos", "mth", "mths", "mnth", "mnths", "month", "months"), "months"),
    **dict.fromkeys(("y", "yr", "yrs", "year", "years"), "years"),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), "weeks"),
    **dict.fromkeys(("d", "day", "days"), "days"),
}
_DURATION = re.compile(
    r"([0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*(" + "|".join(sorted(_MONTH_UNITS, key=len, reverse=True)) + r")?\.?"
)
_NOTICE = re.compile(r"\s*(?:'s?|s')?\s*(?:notice(?: period)?|written notice)$")
_NO_MONTHS = frozenset({"none", "nil", "no notice", "zero", "nil notice", "no notice period"})


def _months_cell(cell: object) -> _Result:
    cannot = "cannot read as a number of months"
    if isinstance(cell, dt.timedelta):
        days = Decimal(str(cell / dt.timedelta(days=1)))
        months = round(float(days * 12 / 365), 2)
        return months, None, f"{_format_number(days)} days read as {_format_number(months)} months"
    if not isinstance(cell, str):
        return None, cannot, None
    text = _plain(cell)
    if text in _NO_MONTHS:
        return 0.0, None, None
    text = _NOTICE.sub("", _strip_prefixes(text)).strip()
    match = _DURATION.fullmatch(text)
    if not match:
        return None, cannot, None
    number = Decimal(match.group(1))
    unit = _MONTH_UNITS.get(match.group(2) or "m")
    if unit == "months":
        return float(number), None, None
    if unit == "years":
        return float(number * 12), None, None
    months = round(float(number * 12 / (365 if unit == "days" else 52)), 2)
    return months, None, f"{_clean(cell)} read as {_format_number(months)} months"


def _months_numbers(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    problems = _note_array(len(values))
    negative = values < 0
    problems[negative] = "negative number"
    return np.where(negative, np.nan, values), problems, _note_array(len(values))


def parse_months(raw: pd.Series) -> Parsed:
    """Read durations in months, such as notice periods.

    Parameters
    ----------
    raw : pandas.Series
        Raw cells: numbers of months, or text such as ``6 months``, ``6m``,
        ``1 year``, ``90 days``, ``4 weeks``, ``none``.

    Returns
    -------
    Parsed
        ``float64`` months.

    Notes
    -----
    Years are 12 months. Days are converted at 12/365 months a day and weeks
    at 12/52 months a week, rounded to 2 decimals, with a note. ``none`` and
    ``nil`` read as 0 here (no notice), not as blank.

    Examples
    --------
    >>> parsed = parse_months(pd.Series(["6 months", "1 yr", "2 years", "90 days", "none", "soon"]))
    >>> parsed.values.tolist()
    [6.0, 12.0, 24.0, 2.96, 0.0, nan]
    >>> parsed.notes[3]
    '90 days read as 2.96 months'
    """
    return _parse(raw, _months_cell, out="float", numbers=_months_numbers, keep=_NO_MONTHS)


# ---------------------------------------------------------------------------
# Percentages
# ---------------------------------------------------------------------------

_PERCENT = re.compile(r"(-)?\s*([0-9]+(?:\.[0-9]+)?|\.[0-9]+)\s*(?:%|percent|per cent|pc)")
_PERCENT_NOTE = "read as a percentage"
_PERCENT_PROBLEM = "percentage outside 0% to 100%"


def _percent_cell(cell: object) -> _Result:
    if not isinstance(cell, str):
        return None, "cannot read as a percentage", None
    match = _PERCENT.fullmatch(_strip_prefixes(_plain(cell)))
    if not match:
        return None, "cannot read as a percentage", None
    value = Decimal(match.group(2))
    if match.group(1) and value != 0 or value > 100:
        return None, _PERCENT_PROBLEM, None
    return float(value / 100), None, None


def _percent_numbers(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    problems, notes = _note_array(len(values)), _note_array(len(values))
    outside = (values < 0) | (values > 100)
    scaled = ~outside & (values > 1)
    problems[outside] = _PERCENT_PROBLEM
    notes[scaled] = _PERCENT_NOTE
    fractions = np.where(scaled, values / 100, values)
    return np.where(outside, np.nan, fractions), problems, notes


def parse_percent(raw: pd.Series) -> Parsed:
    """Read percentages as fractions.

    Parameters
    ----------
    raw : pandas.Series
        Raw cells: ``45%``, ``0.45`` or ``45``.

    Returns
    -------
    Parsed
        ``float64`` fractions from 0 to 1.

    Notes
    -----
    A number from 0 to 1 is a fraction already; a number above 1 and up to
    100 is read as a percentage, with a note. Anything negative or above
    100% is a problem.

    Examples
    --------
    >>> parsed = parse_percent(pd.Series(["45%", 0.45, 45, 150]))
    >>> parsed.values.tolist()
    [0.45, 0.45, 0.45, nan]
    >>> parsed.notes[2], parsed.problems[3]
    ('read as a percentage', 'percentage outside 0% to 100%')
    """
    return _parse(raw, _percent_cell, out="float", numbers=_percent_numbers)


# ---------------------------------------------------------------------------
# Text and choices
# ---------------------------------------------------------------------------


def _as_text(cell: object) -> str:
    """A cell as the text a person would see in it."""
    if isinstance(cell, str):
        return _clean(cell)
    if isinstance(cell, (bool, np.bool_)):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, (float, np.floating)):
        number = float(cell)
        if number.is_integer() and abs(number) < 1e16:
            return str(int(number))
        return repr(number)
    if isinstance(cell, (int, np.integer)):
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        if (cell.hour, cell.minute, cell.second, cell.microsecond) == (0, 0, 0, 0):
            return cell.date().isoformat()
        return cell.isoformat(sep=" ")
    if isinstance(cell, (dt.date, dt.time)):
        return cell.isoformat()
    if isinstance(cell, np.datetime64):
        return _as_text(pd.Timestamp(cell))
    return _clean(str(cell))


def _text_cell(cell: object) -> _Result:
    text = _as_text(cell)
    return (text or None), None, None


def parse_text(raw: pd.Series) -> Parsed:
    """Read free text: trimmed, with runs of whitespace collapsed.

    Parameters
    ----------
    raw : pandas.Series
        Raw cells.

    Returns
    -------
    Parsed
        ``object`` values: ``str`` or NaN. Numbers read as they show
        (``7.0`` as ``"7"``), dates as ISO text (``"2027-03-31"``) and
        blank-like cells (``"N/A"``, ``"tbc"``) as NaN.

    Examples
    --------
    >>> parse_text(pd.Series(["  Civic   Centre ", 7.0, "N/A", None])).values.tolist()
    ['Civic Centre', '7', nan, nan]
    """
    return _parse(raw, _text_cell, out="object")


def parse_choice(raw: pd.Series, choice: Choice) -> Parsed:
    """Read one of a fixed list of values, recognised by its synonyms.

    Parameters
    ----------
    raw : pandas.Series
        Raw cells.
    choice : Choice
        The list, such as :data:`estate.schema.HOSTING`.

    Returns
    -------
    Parsed
        ``object`` values: the canonical value or NaN. A cell matching no
        wording is a problem listing the canonical values.

    Examples
    --------
    >>> from estate.schema import CRITICALITY
    >>> parsed = parse_choice(pd.Series(["Mission Critical", 2, "Tier 3", "meh"]), CRITICALITY)
    >>> parsed.values.tolist()
    ['critical', 'high', 'medium', nan]
    >>> parsed.problems[3]
    'not one of: critical, high, medium, low'
    """
    lookup = choice.lookup()
    problem = "not one of: " + ", ".join(choice.canonical)

    def parse(cell: object) -> _Result:
        value = lookup.get(normalise_header(_as_text(cell)))
        return (value, None, None) if value is not None else (None, problem, None)

    return _parse(raw, parse, out="object")


# ---------------------------------------------------------------------------
# Dispatch and blanks
# ---------------------------------------------------------------------------


def parse_column(raw: pd.Series, field: Field, *, currency: str = "GBP", first_month: int = 4) -> Parsed:
    """Read a column of raw cells according to its schema field's kind.

    Parameters
    ----------
    raw : pandas.Series
        Raw cells, as read from a workbook or a CSV file.
    field : Field
        The schema column (:mod:`estate.schema`) the cells belong to.
    currency : str, default="GBP"
        The plan's currency, for money fields.
    first_month : int, default=4
        The month financial years start in, for date fields.

    Returns
    -------
    Parsed
        Values, problems and notes, with the index of ``raw``.

    Examples
    --------
    >>> from estate.schema import SYSTEMS
    >>> parse_column(pd.Series(["Mar 2027"]), SYSTEMS.field("contract_end")).values[0]
    Timestamp('2027-03-31 00:00:00')
    >>> parse_column(pd.Series(["SaaS"]), SYSTEMS.field("hosting")).values[0]
    'saas'
    """
    kind = field.kind
    if kind == "money":
        return parse_money(raw, currency=currency)
    if kind == "count":
        return parse_count(raw)
    if kind == "date":
        return parse_date(raw, first_month=first_month)
    if kind == "months":
        return parse_months(raw)
    if kind == "percent":
        return parse_percent(raw)
    if kind == "choice":
        if field.choice is None:
            raise ParameterError(f"Field {field.name!r} is of kind 'choice' but has no choice list.")
        return parse_choice(raw, field.choice)
    if kind == "text":
        return parse_text(raw)
    raise ParameterError(f"Field {field.name!r} has unknown kind {kind!r}.")


def is_blank(raw: pd.Series) -> pd.Series:
    """Which cells are blank-like: missing, empty, or a word in :data:`BLANK_WORDS`.

    Parameters
    ----------
    raw : pandas.Series
        Raw cells.

    Returns
    -------
    pandas.Series of bool
        With the index of ``raw``.

    Examples
    --------
    >>> is_blank(pd.Series([None, "", " - ", "N/A", "tbc", 0, "Finance"])).tolist()
    [True, True, True, True, True, False, False]
    """
    series = _as_series(raw)
    if series.dtype.kind in "iufbmM":
        return pd.Series(series.isna().to_numpy(), index=series.index, name=series.name, dtype=bool)
    codes, uniques = _factorise(series.to_numpy(dtype=object))
    blank = [_clean(u).lower() in BLANK_WORDS if isinstance(u, str) else _is_missing(u) for u in uniques]
    blank.append(True)
    mask = np.array(blank, dtype=bool)[codes]
    return pd.Series(mask, index=series.index, name=series.name, dtype=bool)
