"""Write large tables into XlsxWriter worksheets a column at a time.

XlsxWriter keeps one Python object a cell and writes each cell's XML in a
Python loop when the workbook closes: about 12 microseconds a cell, which is
most of the time of a plan with millions of cells. :class:`PlanWorksheet`
takes a table's data rows a whole column at a time instead (values, or
formulas with the values they store), classifies and escapes them with numpy
and pandas, and writes the rows' XML in chunks when the workbook closes, in
place of XlsxWriter's own row loop: each row one ``str.join``, by the row's
number, of the text between its number's appearances (:class:`_Line`).
Formulas made of the row number alone (:class:`Rows`, :class:`Choice`) are
never built row by row before that. Everything else on the sheet (headers,
widths, frozen panes, filters, conditional formats, small blocks of cells)
goes through XlsxWriter's public methods as usual.

The cells written are those XlsxWriter writes for the same calls
(``write_number``, ``write_string``, ``write_datetime``, ``write_blank``,
``write_formula``): strings go to the workbook's shared-string table, dates
are serial numbers under their date format, a formula stores its value
(``t="str"`` for text results). Text is never turned into a formula.

:class:`PlanWorkbook` zips the parts XlsxWriter writes (each sheet's XML,
the styles, the shared strings) itself, at zlib level 1, in background
threads while the sheets are still being written: the streamed rows are
compressed as they are rendered, without going through XlsxWriter's
temporary file, and the XML above and below them as soon as it is complete;
XlsxWriter compresses every part one after the other, at zipfile's default
level, once all are written. The parts are the same.

This relies on these private parts of XlsxWriter 3: the worksheet's
``_write_rows`` (overridden to add the streamed rows after the rows it
writes), its ``_prepare_formula`` (overridden: the formulas given carry the
``_xlfn.`` prefixes they need already), its ``_write_page_setup`` (wrapped to
write ``fitToWidth="1"``, which XlsxWriter leaves implicit), its
``_assemble_xml_file`` (wrapped: once it returns, the sheet's file ``fh.name``
is complete), its ``fh`` (flushed where the streamed rows go, which do not
go into it) and the shared-string table's ``string_table`` (string to index,
in order of first use), ``unique_count`` and ``count`` (filled as its
``_get_shared_string_index`` fills them, a column's new strings at once); the
workbook's ``_store_workbook`` (wrapped to zip the parts after it),
``_get_packager`` (XlsxWriter's own hook for another packager) and the
packager's ``_create_package`` (which returns the parts as ``(file, name in
the zip, binary)``; given none back, XlsxWriter writes an empty zip that
:class:`PlanWorkbook` then replaces) and ``_write_shared_strings_file``
(replaced by its few lines, with a shared-string writer whose
``_write_sst_strings`` writes the strings XlsxWriter's ``_write_si`` would
leave as they are at once, and hands it the others). ``tests/test_xlsx.py``
writes every kind of cell through them and compares the cells, and every
part of the zip, with XlsxWriter's own; ``tests/test_workbook.py`` reads the
cells back, and ``tests/test_pages.py`` the print setup, so a change in them
fails the tests.

Examples
--------
>>> import numpy as np
>>> cat("SUM(", np.array(["A2", "A3"], dtype=object), ")")
array(['SUM(A2)', 'SUM(A3)'], dtype=object)
>>> per_row(branches(3, (np.array([True, False, False]), lambda: "1"), (np.array([True, True, False]), lambda: "2")))
array(['1', '2', None], dtype=object)
>>> cat("SUM(", Rows(("A", ""), 2, 3), ")")
Rows(pieces=('SUM(A', ')'), first=2, n_rows=3)
>>> per_row(cat("SUM(", Rows(("A", ""), 2, 3), ")"))
array(['SUM(A2)', 'SUM(A3)', 'SUM(A4)'], dtype=object)
"""

from __future__ import annotations

import os
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import repeat
from datetime import date
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import pandas as pd
from xlsxwriter.packager import Packager
from xlsxwriter.sharedstrings import SharedStrings
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

if TYPE_CHECKING:
    from xlsxwriter.format import Format

__all__ = ["Choice", "Formula", "PlanWorkbook", "PlanWorksheet", "Rows", "branches", "cat", "per_row"]

@dataclass(frozen=True)
class Rows:
    """Text of each row of a block that is made of the row's sheet number alone: ``pieces`` joined by it.

    ``Rows(("A", ""), 2, 3)`` stands for ``A2``, ``A3`` and ``A4``: the
    references of a column's cells (``first`` is the sheet row number, from
    1, of the first row). :func:`cat` of such text and plain text is again
    :class:`Rows`, found without a pass over the rows, and the rows' text is
    built only when the cells are written, one ``str.join`` a cell.
    """

    pieces: tuple[str, ...]
    first: int
    n_rows: int

    def texts(self) -> list[str]:
        """The text of each row."""
        pieces = self.pieces
        if len(pieces) == 1:
            return [pieces[0]] * self.n_rows
        return [number.join(pieces) for number in map(str, range(self.first, self.first + self.n_rows))]


@dataclass(frozen=True, eq=False)  # an array of cases: compared, and hashed, as the object it is
class Choice:
    """One formula a row, out of a few: ``formulas[case[i]]`` for row ``i``, none where ``case[i]`` is -1.

    What :func:`branches` gives when each of its formulas is text or
    :class:`Rows`: the rows' formulas are built when the cells are written.
    """

    case: np.ndarray
    formulas: tuple[str | Rows, ...]


Formula: TypeAlias = "str | Rows | Choice | np.ndarray"
"""A formula for every row (text, or :class:`Rows`), or one a row (:class:`Choice`, or an object array; None where
a row has none)."""

_CHUNK_ROWS = 20_000
_DISTINCT_MIN = 64  # values of a column below which repeats are not looked for
_MAX_STRING = 32_767  # UTF-16 code units in a cell, as Excel and XlsxWriter allow
_EPOCH = pd.Timestamp("1899-12-30")
_DAY = pd.Timedelta(days=1)

# Kinds of cell.
_BLANK, _NUMBER, _STRING, _F_NUMBER, _F_TEXT, _F_BLANK, _DATE = range(7)  # _DATE: only while classifying


def per_row(formula: Formula) -> str | np.ndarray:
    """A formula as text (the same for every row) or an object array of each row's (None where a row has none)."""
    if isinstance(formula, str):
        return formula
    if isinstance(formula, Rows):
        out = np.empty(formula.n_rows, dtype=object)
        out[:] = formula.texts()
        return out
    if isinstance(formula, Choice):
        out = np.full(len(formula.case), None, dtype=object)
        for k, part in enumerate(formula.formulas):
            rows = formula.case == k
            out[rows] = part if isinstance(part, str) else per_row(part)[rows]
        return out
    return np.asarray(formula, dtype=object)


def cat(*parts: Formula) -> Formula:
    """Join text and per-row text row by row (adjacent pieces of text are joined first).

    Text and :class:`Rows` of one block give :class:`Rows`, at once; with
    any other array each row is joined once from its pieces (rather than
    array by array).
    """
    merged: list[Formula] = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] = merged[-1] + part
        else:
            merged.append(part)
    if not merged:
        return ""
    if len(merged) == 1:
        return merged[0]
    lazy = [part for part in merged if not isinstance(part, str)]
    if all(isinstance(part, Rows) for part in lazy) and len({(p.first, p.n_rows) for p in lazy}) == 1:
        pieces = [""]
        for part in merged:
            if isinstance(part, str):
                pieces[-1] += part
            else:
                pieces[-1] += part.pieces[0]
                pieces.extend(part.pieces[1:])
        return Rows(tuple(pieces), lazy[0].first, lazy[0].n_rows)
    # text, rows, text, rows, ..., text (text "" between adjacent arrays and at the ends)
    texts: list[str] = [""]
    rows: list[list[str]] = []
    for part in merged:
        if isinstance(part, str):
            texts[-1] = part
        else:
            rows.append(part.texts() if isinstance(part, Rows) else per_row(part).tolist())
            texts.append("")
    n_rows = len(rows[0])
    out = np.empty(n_rows, dtype=object)
    if len(rows) == 1:
        c0, c1 = texts
        out[:] = [f"{c0}{a}{c1}" for a in rows[0]]
    elif len(rows) == 2:
        c0, c1, c2 = texts
        out[:] = [f"{c0}{a}{c1}{b}{c2}" for a, b in zip(*rows, strict=True)]
    elif len(rows) == 3:
        c0, c1, c2, c3 = texts
        out[:] = [f"{c0}{a}{c1}{b}{c2}{c}{c3}" for a, b, c in zip(*rows, strict=True)]
    else:
        pieces = [piece for k, column in enumerate(rows) for piece in (repeat(texts[k], n_rows), column)]
        out[:] = list(map("".join, zip(*pieces, repeat(texts[-1], n_rows), strict=True)))
    return out


def branches(n_rows: int, *cases: tuple[Any, Callable[[], Formula]]) -> Formula:
    """One formula a row: that of the first case whose mask holds for the row, else None.

    A case's formula is built only if its mask holds somewhere, so that the
    assumptions it names are recorded as used only when a cell uses them.
    Text and :class:`Rows` formulas give a :class:`Choice` (or the formula
    itself when it is the one for every row); see :func:`per_row`.
    """
    case = np.full(n_rows, -1, dtype=np.int8)
    formulas: list[Formula] = []
    free = np.ones(n_rows, dtype=bool)
    for mask, build in cases:
        rows = np.broadcast_to(np.asarray(mask, dtype=bool), (n_rows,)) & free
        if rows.any():
            case[rows] = len(formulas)
            formulas.append(build())
            free &= ~rows
    if all(isinstance(formula, (str, Rows)) for formula in formulas):
        if len(formulas) == 1 and not free.any():
            return formulas[0]
        return Choice(case, tuple(formulas))  # type: ignore[arg-type]
    out = np.full(n_rows, None, dtype=object)
    for k, formula in enumerate(formulas):
        rows = case == k
        built = per_row(formula)
        out[rows] = built[rows] if isinstance(built, np.ndarray) else built
    return out


# --------------------------------------------------------------------------- #
# Classifying values
# --------------------------------------------------------------------------- #


def _escape(texts: np.ndarray) -> np.ndarray:
    """XML-escape text for an element's content (as XlsxWriter does: &, < and >).

    The texts are escaped joined together, in three passes over one string,
    rather than one by one (most need nothing: then they are returned as
    they are).
    """
    items = texts.tolist()
    joined = "\x00".join(items)
    if "&" not in joined and "<" not in joined and ">" not in joined:
        return texts
    escaped = joined.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").split("\x00")
    if len(escaped) != len(items):  # a text holds the separator
        escaped = [t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") for t in items]
    out = np.empty(len(items), dtype=object)
    out[:] = escaped
    return out


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
    ints = numbers[whole].astype(np.int64).tolist()
    out[whole] = [f"{i}{point}" for i in ints] if point else list(map(str, ints))
    out[~whole] = list(map(float.__repr__, numbers[~whole].tolist()))
    return out


_Piece: TypeAlias = "list[str] | tuple[np.ndarray, list[str]]"
"""Text of each row of a chunk: a list, or each row's code and the distinct texts."""


def _index_piece(indexes: np.ndarray) -> _Piece:
    """Shared-string indexes as text, each distinct index's once."""
    codes, distinct = pd.factorize(indexes)
    return codes, list(map(str, distinct.tolist()))


def _number_piece(numbers: np.ndarray, point: str = "") -> _Piece:
    """:func:`_number_text` of each number, as a :data:`_Piece`.

    A column repeats many of its numbers (zeros, years, the same costs on
    many rows): when under half of them are distinct, each distinct number
    is printed once, and the piece is the rows' codes and those texts
    (``0.0`` and ``-0.0``, which hash alike, both print as ``"0"``).
    """
    if len(numbers) > _DISTINCT_MIN:
        codes, distinct = pd.factorize(numbers)
        if 2 * len(distinct) < len(numbers):
            return codes, _number_text(distinct, point).tolist()
    return _number_text(numbers, point).tolist()


def _serial(stamps: pd.Series) -> np.ndarray:
    """Excel serial day numbers (1900 system, as XlsxWriter counts them) of timestamps."""
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_localize(None)
    days = ((stamps - _EPOCH) / _DAY).to_numpy(dtype=float)
    return np.where(days <= 60, days - 1, days)  # Excel's day 60 is 29 February 1900, which did not exist


def _string_codes(values: pd.Series) -> tuple[np.ndarray, Any] | None:
    """For a column :func:`_classify` finds text in (strings and missing values): each row's code and the strings.

    The codes are ``pd.factorize``'s, -1 for a missing value; None for any other column.
    """
    dtype = values.dtype
    if not len(values) or isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(dtype) or \
            pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        return None
    raw = values.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(raw, skipna=True) != "string":
        return None
    return pd.factorize(raw)


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
    """One column of a block: each row's kind, number and text, and formula.

    A row's formula is ``sources[case[row]]`` (none where ``case`` is -1):
    either escaped pieces to join with the row's number (text for every row
    is one piece), or an object array of each row's escaped formula.
    """

    fmt: Format | None
    kind: np.ndarray
    number: np.ndarray
    text: np.ndarray  # escaped text of formulas' text results
    sst: np.ndarray  # shared-string index of strings
    case: np.ndarray | None
    sources: list[tuple[str, ...] | np.ndarray]

    def add_to(self, line: _Line, letter: str, numbers: list[str], start: int, stop: int) -> None:
        """Add the cells of rows ``start``..``stop - 1`` to ``line``.

        A chunk of one kind of cell (and formula) goes in as text and pieces
        around the row numbers. In a mixed chunk whose every cell is written,
        each cell's text after its own reference is a piece (a formula's own
        references joined in, row by row); with cells left out, each row's
        whole cell is (:meth:`render`).
        """
        n = stop - start
        width = len(self.sources) + 1
        group = self.kind[start:stop].astype(np.intp) * width
        if self.case is not None:
            group += self.case[start:stop] + 1
        first = int(group[0])
        style = f' s="{self.fmt._get_xf_index()}"' if self.fmt is not None else ""
        if (group == first).all():
            code, source = divmod(first, width)
            if code == _BLANK and not style:
                return  # a blank cell is written only to carry its format
            line.text('<c r="' + letter)
            line.number()
            formula = self.sources[source - 1] if source else ()
            if isinstance(formula, tuple) and len(formula) > 1:  # its pieces joined by the row's number
                line.text(self._lead(code, style) + formula[0])
                for piece in formula[1:-1]:
                    line.number()
                    line.text(piece)
                line.number()
                line.text(formula[-1])
                self._stored(line, code, slice(None), start, stop)
            else:
                line.add(self._rest(code, source, style, slice(None), numbers, start, stop))
            return
        counts = np.bincount(group)
        if counts[0] and not style:  # cells left out: no reference in some rows
            line.piece(self.render(letter, numbers, start, stop))
            return
        line.text('<c r="' + letter)
        line.number()
        at_all: np.ndarray | None = None
        parts = []
        for g in np.flatnonzero(counts).tolist():
            code, source = divmod(g, width)
            rows = group == g
            at: list[str] = []
            if source and len(self.sources[source - 1]) > 1 and isinstance(self.sources[source - 1], tuple):
                at_all = np.asarray(numbers, dtype=object) if at_all is None else at_all
                at = at_all[rows].tolist()  # the rows' numbers, to join a formula's pieces by
            parts.append((rows, _joined(self._rest(code, source, style, rows, at, start, stop))))
        line.piece(_combined(n, parts))

    @staticmethod
    def _lead(code: int, style: str) -> str:
        if code == _F_TEXT:
            return f'"{style} t="str"><f>'
        return f'"{style}><f>'

    def _stored(self, line: _Line, code: int, rows: Any, start: int, stop: int) -> None:
        """A formula cell's end, after its formula: its stored value."""
        line.add(self._value(code, rows, start, stop))

    def _value(self, code: int, rows: Any, start: int, stop: int) -> list[str | _Piece]:
        if code == _F_BLANK:
            return ["</f><v></v></c>"]
        value = _number_piece(self.number[start:stop][rows], ".0") if code == _F_NUMBER else \
            self.text[start:stop][rows].tolist()
        return ["</f><v>", value, "</v></c>"]

    def _rest(self, code: int, source: int, style: str, rows: Any, at: list[str], start: int,
              stop: int) -> list[str | _Piece]:
        """A cell's text after its own reference, in rows ``rows`` (numbers ``at``): text and pieces."""
        if code == _BLANK:
            return [f'"{style}/>']
        if code == _NUMBER:
            return [f'"{style}><v>', _number_piece(self.number[start:stop][rows]), "</v></c>"]
        if code == _STRING:
            return [f'"{style} t="s"><v>', _index_piece(self.sst[start:stop][rows]), "</v></c>"]
        lead = self._lead(code, style)
        formula = self.sources[source - 1]
        value = self._value(code, rows, start, stop)
        if isinstance(formula, tuple) and len(formula) > 1:  # joined by each row's number, with the text around it
            pieces = (lead + formula[0], *formula[1:-1], formula[-1] + value[0])
            return [[r.join(pieces) for r in at], *value[1:]]
        text: str | _Piece = formula[0] if isinstance(formula, tuple) else formula[start:stop][rows].tolist()
        return [lead, text, *value]

    def render(self, letter: str, numbers: list[str], start: int, stop: int) -> list[str]:
        """The ``<c>`` elements of rows ``start``..``stop - 1`` of a mixed chunk with cells left out ("" for those).

        ``numbers`` are the rows' numbers (as text). The cells of each kind
        (and formula) are their reference and then :meth:`_rest`, as
        :meth:`add_to` writes them where every cell is written.
        """
        width = len(self.sources) + 1
        group = self.kind[start:stop].astype(np.intp) * width
        if self.case is not None:
            group += self.case[start:stop] + 1
        style = f' s="{self.fmt._get_xf_index()}"' if self.fmt is not None else ""
        ref = '<c r="' + letter
        at_all = np.asarray(numbers, dtype=object)
        out = np.full(stop - start, "", dtype=object)
        for g in np.flatnonzero(np.bincount(group)).tolist():
            code, source = divmod(g, width)
            if code == _BLANK and not style:
                continue  # a blank cell is written only to carry its format
            rows = group == g
            at = at_all[rows].tolist()
            rest = _joined(self._rest(code, source, style, rows, at, start, stop))
            out[rows] = [f"{ref}{r}{tail}" for r, tail in zip(
                at, repeat(rest) if isinstance(rest, str) else _rows_of(rest))]
        return out.tolist()


def _formula_sources(formulas: Formula | None, n_rows: int, first: int) -> tuple[
        np.ndarray | None, list[tuple[str, ...] | np.ndarray]]:
    """Each row's formula as a case (-1: none) and the escaped sources of :class:`_CellColumn`.

    ``first`` is the sheet row number of the block's first row: :class:`Rows`
    of another block are written out row by row.
    """
    if formulas is None:
        return None, []
    if isinstance(formulas, Choice):
        case, parts = formulas.case, formulas.formulas
    elif isinstance(formulas, (str, Rows)):
        case, parts = np.zeros(n_rows, dtype=np.int8), (formulas,)
    else:
        array = np.asarray(formulas, dtype=object)
        case, parts = np.where(pd.notna(array), 0, -1).astype(np.int8), (array,)
    sources: list[tuple[str, ...] | np.ndarray] = []
    for k, part in enumerate(parts):
        if isinstance(part, Rows) and (part.first, part.n_rows) != (first, n_rows):
            part = per_row(part)
        if isinstance(part, str):
            part = Rows((part,), first, n_rows)
        if isinstance(part, Rows):
            sources.append(tuple(_escape(np.array(part.pieces, dtype=object)).tolist()))
            continue
        rows = case == k
        escaped = np.full(n_rows, None, dtype=object)
        escaped[rows] = _escape(np.asarray(part, dtype=object)[rows])
        sources.append(escaped)
    return case, sources


class _Line:
    """The rows of a chunk as items, each row's XML being its items joined by its row number.

    A row's XML holds its number many times (``<row r="7">``, each cell's
    ``r="B7"``, the references of formulas of the row number alone), and
    little else changes from row to row: each stretch between two of them is
    an item, the same text for every row or a :data:`_Piece`; a row is then
    one ``str.join``, by its number, of its items, without building each
    cell's text. A piece of each distinct value's text and the rows' codes
    (repeated numbers, shared strings) is joined with the text around it
    once a distinct value, then taken for every row.
    """

    def __init__(self, n_rows: int) -> None:
        self.n_rows = n_rows
        self.items: list[str | list[str]] = []
        self.parts: list[str | _Piece] = [""]  # the current item: text and pieces, text first and last

    def text(self, text: str) -> None:
        self.parts[-1] += text

    def piece(self, piece: _Piece) -> None:
        self.parts += [piece, ""]

    def add(self, parts: list[str | _Piece]) -> None:
        for part in parts:
            if isinstance(part, str):
                self.text(part)
            else:
                self.piece(part)

    def number(self) -> None:
        """The row's number: the current item ends."""
        self.items.append(self._item(self.parts))
        self.parts = [""]

    def _item(self, parts: list[str | _Piece]) -> str | list[str]:
        if len(parts) == 1:
            return parts[0]  # type: ignore[return-value]
        if len(parts) == 3:
            before, piece, after = parts
            if isinstance(piece, tuple):  # each distinct value's text once, taken for every row
                codes, distinct = piece
                joined = np.array([f"{before}{d}{after}" for d in distinct], dtype=object)
                return joined[codes].tolist()
            return piece if not before and not after else [f"{before}{d}{after}" for d in piece]  # type: ignore
        pieces = [_rows_of(part) if not isinstance(part, str) else repeat(part, self.n_rows) for part in parts]
        return list(map("".join, zip(*pieces)))

    def xml(self, numbers: list[str]) -> str:
        """The chunk's rows, ``numbers`` being their numbers (as text)."""
        self.number()
        items = [repeat(item, self.n_rows) if isinstance(item, str) else item for item in self.items]
        return "".join(map(str.join, numbers, zip(*items)))


def _joined(parts: list[str | _Piece]) -> str | _Piece:
    """Text and pieces joined, row by row: text, or a piece (each distinct value's text once, if one piece)."""
    texts = [part for part in parts if isinstance(part, str)]
    if len(texts) == len(parts):
        return "".join(texts)
    if len(parts) - len(texts) == 1:
        k = next(i for i, part in enumerate(parts) if not isinstance(part, str))
        before, after = "".join(parts[:k]), "".join(parts[k + 1:])  # type: ignore[arg-type]
        piece = parts[k]
        if isinstance(piece, tuple):
            return piece[0], [f"{before}{d}{after}" for d in piece[1]]
        return [f"{before}{d}{after}" for d in piece]  # type: ignore[union-attr]
    if len(parts) == 5 and isinstance(parts[0], str) and isinstance(parts[2], str) and isinstance(parts[4], str):
        c0, a, c1, b, c2 = parts  # text, piece, text, piece, text: a formula and its stored value
        return [f"{c0}{x}{c1}{y}{c2}" for x, y in zip(_rows_of(a), _rows_of(b), strict=True)]  # type: ignore
    n_rows = len(_rows_of(next(part for part in parts if not isinstance(part, str))))  # type: ignore[arg-type]
    return list(map("".join, zip(*(repeat(part, n_rows) if isinstance(part, str) else _rows_of(part)
                                   for part in parts))))


def _combined(n_rows: int, parts: list[tuple[np.ndarray, str | _Piece]]) -> _Piece:
    """Pieces of some rows each (``rows`` masks that cover every row once) as one piece: codes, distinct texts."""
    codes = np.empty(n_rows, dtype=np.intp)
    distinct: list[str] = []
    for rows, piece in parts:
        if isinstance(piece, str):
            codes[rows] = len(distinct)
            distinct.append(piece)
        elif isinstance(piece, tuple):
            codes[rows] = piece[0] + len(distinct)
            distinct += piece[1]
        else:
            codes[rows] = np.arange(len(distinct), len(distinct) + len(piece))
            distinct += piece
    return codes, distinct


def _rows_of(piece: _Piece) -> list[str]:
    if isinstance(piece, tuple):
        codes, distinct = piece
        return np.array(distinct, dtype=object)[codes].tolist()  # type: ignore[no-any-return]
    return piece


class _Block:
    """The data rows of one table: its first sheet row and its columns."""

    def __init__(self, first_row: int, n_rows: int) -> None:
        self.first_row = first_row
        self.n_rows = n_rows
        self.columns: dict[int, _CellColumn] = {}

    def write(self, fh: Any) -> None:
        for chunk in self.chunks():
            fh.write(chunk)

    def chunks(self) -> Iterator[str]:
        """The rows' XML, ``_CHUNK_ROWS`` rows at a time."""
        order = sorted(self.columns)
        letters = [xl_col_to_name(col) for col in order]
        for start in range(0, self.n_rows, _CHUNK_ROWS):
            stop = min(self.n_rows, start + _CHUNK_ROWS)
            numbers = list(map(str, range(self.first_row + 1 + start, self.first_row + 1 + stop)))
            line = _Line(stop - start)
            line.text('<row r="')
            line.number()
            line.text('">')
            for col, letter in zip(order, letters, strict=True):
                self.columns[col].add_to(line, letter, numbers, start, stop)
            line.text("</row>")
            yield line.xml(numbers)


class PlanWorksheet(Worksheet):  # type: ignore[misc]
    """An XlsxWriter worksheet that also takes whole columns of a table's data rows.

    :meth:`column` stores a column; the rows are written after the cells
    written through XlsxWriter's own methods, which must all lie above the
    first streamed row (a table's header, for instance).
    """

    def __init__(self) -> None:
        super().__init__()
        self._blocks: dict[int, _Block] = {}
        self._deflater: _Deflater | None = None  # where the XML goes to be zipped, from PlanWorkbook

    def _assemble_xml_file(self) -> None:
        super()._assemble_xml_file()
        if self._deflater is not None and self.internal_fh:
            self._deflater.part(self.fh.name).add_file()  # the sheet's file is complete

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
        block.columns[col] = self._cells(values, fmt, formulas, first_row + 1)

    def _cells(self, values: pd.Series, fmt: Format | None, formulas: Formula | None, first: int) -> _CellColumn:
        n = len(values)
        case, sources = _formula_sources(formulas, n, first)
        has = case >= 0 if case is not None else np.zeros(n, dtype=bool)
        kind = np.full(n, _BLANK, dtype=np.int8)
        number = np.full(n, np.nan)
        text = np.full(n, None, dtype=object)
        sst = np.full(n, -1, dtype=np.int64)
        plain = ~has
        every = case is not None and bool(has.all())  # the usual case of a formula column: no copy to pick rows
        strings = None if has.any() else _string_codes(values)
        if strings is not None:  # a column of text: its strings (and missing values) found in one pass
            kind[strings[0] >= 0] = _STRING
            sst[:] = self._shared_index(*strings)
        elif not every:
            k, x, t = _classify(values[plain] if has.any() else values)
            kind[plain], number[plain], sst[plain] = k, x, self._shared(k, t)
        if case is not None and has.any():
            k, x, t = _classify(values if every else values[has])
            # A formula stores a number, its text result, or nothing; any text shown is its result.
            stored_text = (k == _STRING) & (t != "")  # the text of a string is a str
            kind[has] = np.select([k == _NUMBER, stored_text], [_F_NUMBER, _F_TEXT], _F_BLANK)
            number[has] = x
            if stored_text.any():
                text[np.flatnonzero(has)[stored_text]] = _escape(t[stored_text])
        return _CellColumn(fmt, kind, number, text, sst, case, sources)

    def _shared(self, kind: np.ndarray, text: np.ndarray) -> np.ndarray:
        """Shared-string indexes of the string cells (-1 elsewhere), added to the workbook's table in order."""
        out = np.full(len(kind), -1, dtype=np.int64)
        strings = kind == _STRING
        if strings.any():
            out[strings] = self._shared_index(*pd.factorize(text[strings]))
        return out

    def _shared_index(self, codes: np.ndarray, uniques: Any) -> np.ndarray:
        """Shared-string index of each row's string (``uniques[codes]``; -1 where the code is -1, no string).

        The strings new to the workbook's table are added in order of first use.
        """
        if not len(uniques):
            return np.full(len(codes), -1, dtype=np.int64)
        long = _MAX_STRING // 2
        clipped = [u if len(u) <= long else _clip(u) for u in uniques.tolist()]
        table = self.str_table  # XlsxWriter's: string -> index in order of first use, and the counts
        new = dict.fromkeys(u for u in clipped if u not in table.string_table)
        table.string_table.update(zip(new, range(table.unique_count, table.unique_count + len(new))))
        table.unique_count += len(new)
        present = codes >= 0
        table.count += int(present.sum())
        index = np.array(list(map(table.string_table.__getitem__, clipped)), dtype=np.int64)[codes]
        return np.where(present, index, -1)

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
        if self._deflater is None or not self.internal_fh:
            for block in blocks:
                block.write(self.fh)
            return
        # Zipped by PlanWorkbook: the rows go to the zip as they are rendered, between the file's XML above them
        # (complete now) and below them (written next), without going through the file.
        self.fh.flush()
        part = self._deflater.part(self.fh.name)
        part.add_file(self.fh.buffer.tell())
        for block in blocks:
            for chunk in block.chunks():
                part.add_bytes(chunk.encode("utf-8"))


# --------------------------------------------------------------------------- #
# The zip container, compressed while the next sheet is written
# --------------------------------------------------------------------------- #

_DEFLATE_LEVEL = 1
"""zlib level of the parts: 1 is about three times as fast as zipfile's default (6), for files about a third larger."""
_DEFLATE_CHUNK = 1 << 24  # bytes of a file compressed as one piece (pieces of one part are compressed in parallel)
_DEFLATE_THREADS = 2
_ZIP_LIMIT = zipfile.ZIP64_LIMIT  # sizes and offsets zipfile writes without the ZIP64 extensions (2 GB)
_ZIP_TIME = (0, (1980 - 1980) << 9 | 1 << 5 | 31)  # 31 January 1980, 00:00: XlsxWriter's date for every part


_DEFLATE_BACKLOG = 1 << 28  # bytes of rendered XML waiting to be compressed before the rendering waits
_FINAL_BLOCK = zlib.compressobj(_DEFLATE_LEVEL, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)  # an empty last block


def _deflate(data: bytes) -> bytes:
    """Raw deflate of ``data``, ending byte-aligned (a sync flush) so that pieces can be joined.

    Pieces compressed apart and joined, then :data:`_FINAL_BLOCK`, make one
    deflate stream.
    """
    compressor = zlib.compressobj(_DEFLATE_LEVEL, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


def _read(filename: str, start: int, stop: int) -> bytes:
    with open(filename, "rb") as fh:
        fh.seek(start)
        return fh.read(stop - start)


class _Part:
    """One part of the zip: its XML as pieces, each compressed (and its CRC-32 chained) in the background."""

    def __init__(self, deflater: _Deflater, filename: str) -> None:
        self.deflater = deflater
        self.filename = filename
        self.size = 0
        self.done = 0  # bytes of the file given so far
        self.pieces: list[Future] = []
        self.crc: Future | None = None
        self.closed = False

    def _add(self, load: Callable[[], bytes], size: int) -> Future:
        previous = self.crc
        self.crc = self.deflater.ordered.submit(lambda: zlib.crc32(load(), previous.result() if previous else 0))
        piece = self.deflater.pool.submit(lambda: _deflate(load()))
        self.pieces.append(piece)
        self.size += size
        return piece

    def add_bytes(self, data: bytes) -> None:
        """Rendered XML that is not in the file: it goes here, between the file's pieces around it."""
        self.deflater.wait_for_room(self._add(lambda: data, len(data)), len(data))

    def add_file(self, stop: int | None = None) -> None:
        """The file from where the last piece ended to ``stop`` (its end by default), now complete."""
        stop = os.path.getsize(self.filename) if stop is None else stop
        for start in range(self.done, stop, _DEFLATE_CHUNK):
            end = min(stop, start + _DEFLATE_CHUNK)
            self._add(lambda start=start, end=end: _read(self.filename, start, end), end - start)
        self.done = stop

    def close(self) -> None:
        """The rest of the file added: the part is complete."""
        if not self.closed:
            self.add_file()
            self.closed = True

    def result(self) -> tuple[int, int, list[bytes]]:
        """Size, CRC-32 and deflated pieces of the part."""
        self.close()
        return self.size, self.crc.result() if self.crc else 0, [piece.result() for piece in self.pieces] + [
            _FINAL_BLOCK]


class _Deflater:
    """Compresses the parts in background threads (zlib and file reads let other threads run meanwhile).

    A part's CRC-32 is chained piece after piece in one more thread, which
    takes them in order.
    """

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(_DEFLATE_THREADS, thread_name_prefix="estate-deflate")
        self.ordered = ThreadPoolExecutor(1, thread_name_prefix="estate-crc")
        self.parts: dict[str, _Part] = {}
        self._waiting: list[tuple[Future, int]] = []
        self._backlog = 0

    def part(self, filename: str) -> _Part:
        if filename not in self.parts:
            self.parts[filename] = _Part(self, filename)
        return self.parts[filename]

    def wait_for_room(self, piece: Future, size: int) -> None:
        """Hold the rendering while more than :data:`_DEFLATE_BACKLOG` bytes wait to be compressed."""
        self._waiting.append((piece, size))
        self._backlog += size
        while self._backlog > _DEFLATE_BACKLOG:
            oldest, done = self._waiting.pop(0)
            oldest.result()
            self._backlog -= done

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.ordered.shutdown(wait=True, cancel_futures=True)


_SPECIAL_CHARACTER = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff&<>]")
_ESCAPE = re.compile(r"_x[0-9a-fA-F]{4}_")
"""What XlsxWriter's ``_write_si`` changes in a shared string: control characters and XML's special characters
(a rich string starts with ``<``), and its escapes; it also marks leading or trailing white space. Searched
for apart: a class of characters alone, and text starting ``_x``, are each found faster than either of them."""


def _special_strings(strings: list[str]) -> np.ndarray:
    """Which strings XlsxWriter's ``_write_si`` would change or mark (:data:`_SPECIAL_CHARACTER`, :data:`_ESCAPE`,
    white space at an end).

    Searches over the strings joined by newlines (which neither search
    matches, so a match lies inside one string).
    """
    special = np.array([s[:1].isspace() or s[-1:].isspace() for s in strings], dtype=bool)
    joined = "\n".join(strings)
    found = [match.start() for match in _SPECIAL_CHARACTER.finditer(joined)]
    if "_x" in joined:
        found += [match.start() for match in _ESCAPE.finditer(joined)]
    if found:
        starts = np.cumsum([0] + [len(s) + 1 for s in strings[:-1]])
        special[np.searchsorted(starts, found, side="right") - 1] = True
    return special


class _PlanSharedStrings(SharedStrings):  # type: ignore[misc]
    """XlsxWriter's shared-string table, with the strings it writes as they are written in one go.

    XlsxWriter writes each string through a few regular expressions and
    calls (some 7 microseconds a string); a string none of them would change
    (see :func:`_special_strings`) is written here as it would write it, and
    any other through XlsxWriter's own ``_write_si``.
    """

    def _write_sst_strings(self) -> None:
        strings = self.string_table.string_array
        plain: list[str] = []
        for string, special in zip(strings, _special_strings(strings).tolist(), strict=True):
            if special:
                self.fh.write("".join(plain))
                plain = []
                self._write_si(string)
            else:
                plain.append(f"<si><t>{string}</t></si>")
        self.fh.write("".join(plain))


class _PlanPackager(Packager):  # type: ignore[misc]
    """XlsxWriter's packager, whose parts are zipped by :class:`PlanWorkbook` (it hands XlsxWriter none).

    Its shared strings are written by :class:`_PlanSharedStrings`.
    """

    def __init__(self, workbook: PlanWorkbook) -> None:
        super().__init__()
        self._plan_workbook = workbook

    def _create_package(self) -> list:
        self._plan_workbook._parts = super()._create_package()
        return []

    def _write_shared_strings_file(self) -> None:  # XlsxWriter's, with the faster table
        sst = _PlanSharedStrings()
        sst.string_table = self.workbook.str_table
        if not self.workbook.str_table.count:
            return
        sst._set_xml_writer(self._filename("xl/sharedStrings.xml"))
        sst._assemble_xml_file()


class PlanWorkbook(Workbook):  # type: ignore[misc]
    """An XlsxWriter workbook whose zip is compressed in background threads, at a fast zlib level.

    XlsxWriter writes each part of the file (a sheet's XML, the styles, the
    shared strings) to a temporary file, then compresses them one after the
    other with zipfile's default level. Here the parts are compressed in
    pieces, in two threads, while the sheets are written: a
    :class:`PlanWorksheet`'s streamed rows as they are rendered (they skip the
    temporary file), the rest of a part's XML once it is complete. The parts
    are then stored in XlsxWriter's order, with its names and dates; their
    content is what XlsxWriter writes.
    """

    def __init__(self, filename: str, options: dict | None = None) -> None:
        super().__init__(filename, options)
        self._parts: list = []
        self._deflater: _Deflater | None = None

    def _get_packager(self) -> Packager:
        if self.in_memory or self.allow_zip64:  # XlsxWriter's own zip
            return super()._get_packager()
        self._deflater = _Deflater()
        for sheet in self.worksheets():
            if isinstance(sheet, PlanWorksheet):
                sheet._deflater = self._deflater
        return _PlanPackager(self)

    def _store_workbook(self) -> None:
        try:
            super()._store_workbook()  # writes the parts, and a zip without them
            if self._deflater is not None:
                self._store_parts()
        finally:
            if self._deflater is not None:
                self._deflater.close()
                self._deflater = None
            for part in self._parts:
                if isinstance(part[0], str) and os.path.exists(part[0]):
                    os.remove(part[0])
            self._parts = []

    def _store_parts(self) -> None:
        """The zip file of the parts (XlsxWriter's temporary files): local headers, data, central directory."""
        assert self._deflater is not None
        for filename, _, _ in self._parts:  # every part's pieces queued before waiting for the first
            self._deflater.part(filename).close()
        entries: list[bytes] = []
        with open(self.filename, "wb") as fh:
            for filename, name, _ in self._parts:
                size, crc, pieces = self._deflater.part(filename).result()
                packed = sum(len(piece) for piece in pieces)
                offset = fh.tell()
                if max(size, packed, offset) > _ZIP_LIMIT or len(self._parts) > zipfile.ZIP_FILECOUNT_LIMIT:
                    raise zipfile.LargeZipFile("a part or the file is over 2 GB")  # as zipfile refuses it
                encoded = name.encode("ascii")
                mode = os.stat(filename).st_mode & 0xFFFF
                fields = (20, 0, zipfile.ZIP_DEFLATED, *_ZIP_TIME, crc, packed, size, len(encoded), 0)
                fh.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + encoded)
                for piece in pieces:
                    fh.write(piece)
                entries.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 3 << 8 | 20, *fields, 0, 0, 0,
                                           mode << 16, offset) + encoded)
                os.remove(filename)
            start = fh.tell()
            directory = b"".join(entries)
            if max(start, len(directory)) > _ZIP_LIMIT:
                raise zipfile.LargeZipFile("the file is over 2 GB")
            fh.write(directory)
            fh.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), start, 0))
