"""Write large tables into XlsxWriter worksheets a column at a time.

XlsxWriter keeps one Python object a cell and writes each cell's XML in a
Python loop when the workbook closes: about 12 microseconds a cell, which is
most of the time of a plan with millions of cells. :class:`PlanWorksheet`
takes a table's data rows a whole column at a time instead (values, or
formulas with the values they store), classifies and escapes them with numpy
and pandas, and writes the rows' XML in chunks when the workbook closes, in
place of XlsxWriter's own row loop. Everything else on the sheet (headers,
widths, frozen panes, filters, conditional formats, small blocks of cells)
goes through XlsxWriter's public methods as usual.

The cells written are those XlsxWriter writes for the same calls
(``write_number``, ``write_string``, ``write_datetime``, ``write_blank``,
``write_formula``): strings go to the workbook's shared-string table, dates
are serial numbers under their date format, a formula stores its value
(``t="str"`` for text results). Text is never turned into a formula.

This relies on four private parts of XlsxWriter 3: the worksheet's
``_write_rows`` (overridden to add the streamed rows after the rows it
writes), its ``_prepare_formula`` (overridden: the formulas given carry the
``_xlfn.`` prefixes they need already), its ``_write_page_setup`` (wrapped to
write ``fitToWidth="1"``, which XlsxWriter leaves implicit) and the
shared-string table's ``_get_shared_string_index``. ``tests/test_workbook.py``
writes and reads back every kind of cell, and ``tests/test_pages.py`` reads
the print setup back, so a change in them fails the tests.

Examples
--------
>>> import numpy as np
>>> cat("SUM(", np.array(["A2", "A3"], dtype=object), ")")
array(['SUM(A2)', 'SUM(A3)'], dtype=object)
>>> branches(3, (np.array([True, False, False]), lambda: "1"), (np.array([True, True, False]), lambda: "2"))
array(['1', '2', None], dtype=object)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import pandas as pd
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

if TYPE_CHECKING:
    from xlsxwriter.format import Format

__all__ = ["Formula", "PlanWorksheet", "branches", "cat"]

Formula: TypeAlias = "str | np.ndarray"
"""A formula for every row (text), or one a row (an object array; None where a row has none)."""

_CHUNK_ROWS = 20_000
_MAX_STRING = 32_767  # UTF-16 code units in a cell, as Excel and XlsxWriter allow
_EPOCH = pd.Timestamp("1899-12-30")
_DAY = pd.Timedelta(days=1)

# Kinds of cell.
_BLANK, _NUMBER, _STRING, _F_NUMBER, _F_TEXT, _F_BLANK, _DATE = range(7)  # _DATE: only while classifying


def cat(*parts: Formula) -> Formula:
    """Join text and per-row text arrays row by row (adjacent pieces of text are joined first)."""
    merged: list[Formula] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] = merged[-1] + part
        else:
            merged.append(part)
    if not merged:
        return ""
    out = merged[0]
    for part in merged[1:]:
        out = out + part
    return out


def branches(n_rows: int, *cases: tuple[Any, Callable[[], Formula]]) -> np.ndarray:
    """One formula a row: that of the first case whose mask holds for the row, else None.

    A case's formula is built only if its mask holds somewhere, so that the
    assumptions it names are recorded as used only when a cell uses them.
    """
    out = np.full(n_rows, None, dtype=object)
    free = np.ones(n_rows, dtype=bool)
    for mask, build in cases:
        rows = np.broadcast_to(np.asarray(mask, dtype=bool), (n_rows,)) & free
        if rows.any():
            formula = build()
            out[rows] = formula[rows] if isinstance(formula, np.ndarray) else formula
            free &= ~rows
    return out


# --------------------------------------------------------------------------- #
# Classifying values
# --------------------------------------------------------------------------- #


def _escape(texts: np.ndarray) -> np.ndarray:
    """XML-escape text for an element's content (as XlsxWriter does: &, < and >)."""
    return np.array([t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") if ("&" in t or "<" in t or ">"
                     in t) else t for t in texts.tolist()], dtype=object)


def _clip(text: str) -> str:
    """Text cut to the longest a cell holds (XlsxWriter cuts it the same way)."""
    if len(text) <= _MAX_STRING // 2:
        return text
    encoded = text.encode("utf-16-le")
    return text if len(encoded) <= 2 * _MAX_STRING else encoded[:2 * _MAX_STRING].decode("utf-16-le", "ignore")


def _number_text(numbers: np.ndarray, point: str = "") -> np.ndarray:
    """Finite numbers as XML text, exactly (``repr``); ``point`` follows whole numbers (``"12"`` or ``"12.0"``).

    XlsxWriter writes a number cell's whole numbers without a decimal point
    and a formula's stored value as Python prints it (``"12.0"``).
    """
    out = np.empty(len(numbers), dtype=object)
    whole = (numbers == np.round(numbers)) & (np.abs(numbers) < 1e16)  # as "%.16G" prints them
    out[whole] = numbers[whole].astype(np.int64).astype(str).astype(object) + point
    out[~whole] = [repr(x) for x in numbers[~whole].tolist()]
    return out


def _serial(stamps: pd.Series) -> np.ndarray:
    """Excel serial day numbers (1900 system, as XlsxWriter counts them) of timestamps."""
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_localize(None)
    days = ((stamps - _EPOCH) / _DAY).to_numpy(dtype=float)
    return np.where(days <= 60, days - 1, days)  # Excel's day 60 is 29 February 1900, which did not exist


def _element_kind(value: object) -> int:
    if value is None or value is pd.NA or value is pd.NaT:
        return _BLANK
    if isinstance(value, str):
        return _STRING
    if isinstance(value, (bool, np.bool_)):
        return _STRING
    if isinstance(value, (date, np.datetime64)):  # datetime and pd.Timestamp are dates too
        return _DATE
    if isinstance(value, (int, float, np.integer, np.floating)):
        return _NUMBER if np.isfinite(float(value)) else _BLANK
    return _STRING


def _as_text(value: object) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "Yes" if value else "No"
    return value if isinstance(value, str) else str(value)


def _classify(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Kind, number and text of each value, as XlsxWriter's ``write_*`` would store it.

    Missing values (None, NaN, NaT, infinities) are blank; text is text;
    booleans are "Yes" and "No"; dates and times are serial numbers; other
    numbers are numbers; anything else is its text.
    """
    n = len(values)
    kind = np.full(n, _BLANK, dtype=np.int8)
    number = np.full(n, np.nan)
    text = np.full(n, None, dtype=object)
    if not n:
        return kind, number, text
    dtype = values.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        values = values.astype(object)
        dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):  # "Yes" and "No", as text
        values = values.astype(object)
        dtype = values.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        number = _serial(values)
    elif pd.api.types.is_numeric_dtype(dtype):
        number = values.to_numpy(dtype=float, na_value=np.nan, copy=True)
    else:
        raw = values.to_numpy(dtype=object)
        inferred = pd.api.types.infer_dtype(raw, skipna=True)
        if inferred == "string":
            present = pd.notna(raw)
            kind[present] = _STRING
            text[present] = raw[present]
            return kind, number, text
        if inferred == "empty":
            return kind, number, text
        kinds = np.array([_element_kind(v) for v in raw.tolist()], dtype=np.int8)
        strings = kinds == _STRING
        text[strings] = [_as_text(v) for v in raw[strings].tolist()]
        numbers = kinds == _NUMBER
        number[numbers] = np.array(raw[numbers].tolist(), dtype=float)
        dates = kinds == _DATE
        if dates.any():
            stamps = pd.Series([pd.Timestamp(v).tz_localize(None) if getattr(v, "tzinfo", None) else pd.Timestamp(v)
                                for v in raw[dates].tolist()])
            number[dates] = _serial(stamps)
            kinds[dates] = np.where(np.isfinite(number[dates]), _NUMBER, _BLANK)  # numpy's NaT is missing too
        kind[:] = kinds
        return kind, number, text
    finite = np.isfinite(number)
    kind[finite] = _NUMBER
    number[~finite] = np.nan
    return kind, number, text


# --------------------------------------------------------------------------- #
# Columns of cells and blocks of rows
# --------------------------------------------------------------------------- #


@dataclass
class _CellColumn:
    """One column of a block: each row's kind, number and text, and formula."""

    fmt: Format | None
    kind: np.ndarray
    number: np.ndarray
    text: np.ndarray  # shared-string index (as text) of strings; escaped text of formulas' text results
    formula: np.ndarray | None  # escaped formula text, where a row has one

    def render(self, letter: str, numbers: np.ndarray, start: int, stop: int) -> np.ndarray:
        """The ``<c>`` elements of rows ``start``..``stop - 1`` ("" for a cell left out)."""
        kind, number, text = self.kind[start:stop], self.number[start:stop], self.text[start:stop]
        formula = self.formula[start:stop] if self.formula is not None else None
        style = f' s="{self.fmt._get_xf_index()}"' if self.fmt is not None else ""
        ref = '<c r="' + letter
        out = np.full(stop - start, "", dtype=object)

        def put(code: int, lead: str, *parts: Callable[[np.ndarray], np.ndarray], end: str = "</v></c>") -> None:
            # out[rows] = ref + row number + lead + parts joined by "</f><v>" + end, for the rows of one kind
            rows = kind == code
            if not rows.any():
                return
            at = numbers[rows].tolist()
            if not parts:
                cells = [f"{ref}{r}{lead}" for r in at]
            elif len(parts) == 1:
                cells = [f"{ref}{r}{lead}{a}{end}" for r, a in zip(at, parts[0](rows).tolist(), strict=True)]
            else:
                cells = [f"{ref}{r}{lead}{a}</f><v>{b}{end}" for r, a, b in
                         zip(at, parts[0](rows).tolist(), parts[1](rows).tolist(), strict=True)]
            out[rows] = np.array(cells, dtype=object)

        if style:  # a blank cell is written only to carry its format
            put(_BLANK, f'"{style}/>')
        put(_NUMBER, f'"{style}><v>', lambda rows: _number_text(number[rows]))
        put(_STRING, f'"{style} t="s"><v>', lambda rows: text[rows])
        if formula is not None:
            put(_F_NUMBER, f'"{style}><f>', lambda rows: formula[rows], lambda rows: _number_text(number[rows], ".0"))
            put(_F_TEXT, f'"{style} t="str"><f>', lambda rows: formula[rows], lambda rows: text[rows])
            put(_F_BLANK, f'"{style}><f>', lambda rows: formula[rows], end="</f><v></v></c>")
        return out


class _Block:
    """The data rows of one table: its first sheet row and its columns."""

    def __init__(self, first_row: int, n_rows: int) -> None:
        self.first_row = first_row
        self.n_rows = n_rows
        self.columns: dict[int, _CellColumn] = {}

    def write(self, fh: Any) -> None:
        order = sorted(self.columns)
        letters = [xl_col_to_name(col) for col in order]
        for start in range(0, self.n_rows, _CHUNK_ROWS):
            stop = min(self.n_rows, start + _CHUNK_ROWS)
            numbers = np.arange(self.first_row + 1 + start, self.first_row + 1 + stop).astype(str).astype(object)
            grid = np.empty((stop - start, len(order) + 2), dtype=object)
            grid[:, 0] = '<row r="' + numbers + '">'
            for k, (col, letter) in enumerate(zip(order, letters, strict=True)):
                grid[:, k + 1] = self.columns[col].render(letter, numbers, start, stop)
            grid[:, -1] = "</row>"
            fh.write("".join(grid.ravel().tolist()))


class PlanWorksheet(Worksheet):  # type: ignore[misc]
    """An XlsxWriter worksheet that also takes whole columns of a table's data rows.

    :meth:`column` stores a column; the rows are written after the cells
    written through XlsxWriter's own methods, which must all lie above the
    first streamed row (a table's header, for instance).
    """

    def __init__(self) -> None:
        super().__init__()
        self._blocks: dict[int, _Block] = {}

    def _prepare_formula(self, formula: str, *args: Any, **kwargs: Any) -> str:
        # XlsxWriter runs some 150 regular expressions over every formula to add the _xlfn. prefix of newer
        # functions; the formulas written here carry the prefix already.
        return formula[1:] if formula.startswith("=") else formula

    def _write_page_setup(self) -> None:
        # XlsxWriter leaves out fitToWidth="1" (the file format's default); readers such as openpyxl then report
        # no width at all. Say it: a sheet fitted to one page wide carries fitToWidth="1".
        if not (self.fit_page and self.fit_width == 1):
            super()._write_page_setup()
            return
        write = self._xml_empty_tag

        def tag(name: str, attributes: list[tuple[str, Any]] | None = None) -> None:
            if name == "pageSetup":
                attributes = list(attributes or [])
                at = sum(1 for key, _ in attributes if key in ("paperSize", "scale"))
                attributes.insert(at, ("fitToWidth", 1))
            write(name, attributes)

        self._xml_empty_tag = tag
        try:
            super()._write_page_setup()
        finally:
            del self._xml_empty_tag

    def column(self, first_row: int, col: int, values: pd.Series, fmt: Format | None = None,
               formulas: Formula | None = None) -> None:
        """Store one column of data rows from ``first_row`` (0-based) down, one row a value.

        ``formulas`` (without the leading ``=``), where given, replaces a
        row's value by a formula that stores that value; a row whose formula
        is None gets the value itself.
        """
        values = pd.Series(values).reset_index(drop=True)
        n = len(values)
        block = self._blocks.get(first_row)
        if block is None:
            block = self._blocks[first_row] = _Block(first_row, n)
            if n:
                self._check_dimensions(first_row, col)
        elif block.n_rows != n:
            raise ValueError(f"a column of {n} rows in a block of {block.n_rows}")
        if n:
            self._check_dimensions(first_row + n - 1, col)
        block.columns[col] = self._cells(values, fmt, formulas)

    def _cells(self, values: pd.Series, fmt: Format | None, formulas: Formula | None) -> _CellColumn:
        n = len(values)
        if formulas is None:
            has = np.zeros(n, dtype=bool)
        elif isinstance(formulas, str):
            has = np.ones(n, dtype=bool)
        else:
            has = pd.notna(np.asarray(formulas, dtype=object))
        kind = np.full(n, _BLANK, dtype=np.int8)
        number = np.full(n, np.nan)
        text = np.full(n, None, dtype=object)
        plain = ~has
        if plain.any():
            k, x, t = _classify(values[plain])
            kind[plain], number[plain], text[plain] = k, x, self._shared(k, t)
        formula = None
        if has.any():
            k, x, t = _classify(values[has])
            # A formula stores a number, its text result, or nothing; any text shown is its result.
            stored_text = (k == _STRING) & np.array([s != "" if isinstance(s, str) else False for s in t.tolist()],
                                                    dtype=bool)
            kind[has] = np.select([k == _NUMBER, stored_text], [_F_NUMBER, _F_TEXT], _F_BLANK)
            number[has] = x
            if stored_text.any():
                text[np.flatnonzero(has)[stored_text]] = _escape(t[stored_text])
            formula = np.full(n, None, dtype=object)
            given = np.full(n, formulas, dtype=object) if isinstance(formulas, str) else np.asarray(formulas,
                                                                                                      dtype=object)
            formula[has] = _escape(given[has])
        return _CellColumn(fmt, kind, number, text, formula)

    def _shared(self, kind: np.ndarray, text: np.ndarray) -> np.ndarray:
        """Shared-string indexes (as text) of the string cells, added to the workbook's table in order."""
        out = np.full(len(kind), None, dtype=object)
        strings = kind == _STRING
        if strings.any():
            codes, uniques = pd.factorize(text[strings])
            index = [str(self.str_table._get_shared_string_index(_clip(u))) for u in uniques.tolist()]
            self.str_table.count += int(strings.sum()) - len(uniques)
            out[strings] = np.array(index, dtype=object)[codes]
        return out

    def _write_rows(self) -> None:
        if not self._blocks:
            super()._write_rows()
            return
        blocks = [self._blocks[row] for row in sorted(self._blocks) if self._blocks[row].n_rows]
        first = blocks[0].first_row if blocks else self.dim_rowmax + 1
        if any(cells and row >= first for row, cells in self.table.items()):
            raise RuntimeError(f"worksheet {self.name!r}: a cell written below row {first} of a streamed table")
        bottom = self.dim_rowmax
        try:
            self.dim_rowmax = first - 1  # XlsxWriter's own rows stop above the streamed ones
            if self.dim_rowmax >= self.dim_rowmin:
                super()._write_rows()
        finally:
            self.dim_rowmax = bottom
        for k, block in enumerate(blocks):
            if k and block.first_row < blocks[k - 1].first_row + blocks[k - 1].n_rows:
                raise RuntimeError(f"worksheet {self.name!r}: streamed tables overlap")
            block.write(self.fh)
