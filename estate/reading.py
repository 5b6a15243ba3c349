"""Read organisations' inventory spreadsheets into an :class:`~estate.Inventory`.

The reader takes spreadsheets as people really fill them in: ``.xlsx`` and
``.xlsm`` workbooks (read with python-calamine) and ``.csv`` files (UTF-8,
UTF-8 with a byte-order mark, or Windows-1252), one organisation a file or a
combined file with an organisation column, and folders of them.

How a sheet is read
-------------------
1. Every file first passes :func:`estate.safety.check_file`: a file that is not
   a spreadsheet, is corrupt, password-protected, an XML or zip bomb, or over
   the size limit is refused with one line naming it.
2. Each sheet is matched to an inventory table (:data:`estate.schema.TABLES`)
   by its name, or else by its header row. The header row is the row among the
   first :data:`HEADER_SEARCH_ROWS` whose cells name the most columns of a
   table (headers are compared through :func:`estate.schema.normalise_header`
   against each column's synonyms and any mapping the user gives).
3. Rows above the header are titles; a labelled cell there
   (``Organisation: Eden District Council``) names the organisation. Below it,
   blank rows are skipped, and so are totals rows and note rows, each reported
   as an ``info`` issue. Every other row is a data row.
4. Each mapped column is parsed by its kind (:mod:`estate.values`), once over
   the rows of every file for that table (files share most of their distinct
   values). A value that cannot be read becomes missing and is reported as a
   ``warning``; the row is kept. A column no synonym knows is kept as ``extra: <header>`` and
   reported with the nearest column it might be.
5. A Systems row with neither a system name nor a product cannot be loaded: it
   is reported as an ``error`` and is not in ``systems``. So every data row is
   in exactly one place: its table, or an ``error`` issue.
6. Contracts, integrations (the Integrations sheet, and the ``integrations``
   column of Systems) and sites are linked to systems by ``system_id`` or by
   name within the organisation; a reference to nothing is a ``warning``.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "eden.csv").write_text(
...     "Organisation: Eden District Council\\n"
...     "\\n"
...     "Application,Supplier,Annual cost,Users\\n"
...     "Revenues,Capita,£85k,40\\n"
...     "Finance,Unit4,\\"£120,000\\",55\\n", encoding="utf-8")
>>> inventory = read_inventory([folder])
>>> inventory.systems[["organisation", "system", "annual_cost", "source_row"]]
            organisation    system  annual_cost  source_row
0  Eden District Council   Finance     120000.0           5
1  Eden District Council  Revenues      85000.0           4
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import defusedxml.ElementTree
import numpy as np
import pandas as pd

from estate._cells import SheetCells, scan_workbook
from estate.errors import (
    EstateError,
    FileTooLargeError,
    InputFileError,
    NoHeaderError,
    NotASpreadsheetError,
    ParameterError,
    UnsafeFileError,
)
from estate.inventory import DERIVED_COLUMNS, ISSUE_COLUMNS, Inventory, dtype_for, empty_issues, empty_table
from estate.outputs import display_name, printable, written_by_estate
from estate.safety import DEFAULT_MAX_BYTES, check_file, find_input_files, load_yaml
from estate.schema import HOSTING, SYSTEMS, TABLES, Table, is_vendor_product_heading, normalise_header
from estate.values import (
    _FINANCIAL_YEAR_NOTE,
    _FUNDED_NOTE,
    _INCLUDED_NOTE,
    _PERCENT_NOTE,
    Parsed,
    is_blank,
    parse_column,
    parse_date,
    parse_money,
)

__all__ = ["HEADER_SEARCH_ROWS", "HeaderMap", "read_header_map", "read_inventory", "split_vendor_product"]

HEADER_SEARCH_ROWS = 30
"""How many rows from the top of a sheet are searched for the header row."""

MIN_HEADER_MATCHES = 2
"""A header row must name at least this many columns of a table."""

HeaderMap = Mapping[str, str]
"""A user's own header wordings: header as written → ``field`` or ``table.field``."""

_TOTALS = re.compile(r"^\s*(?:(?:grand|overall)\s+|sub\s*(?:-\s*)?)?(?:totals?|sum)\b(.*)$", re.IGNORECASE | re.DOTALL)
# What may follow the word in a totals label ("Total annual cost", "Sum of costs", "Total (excl. VAT)"); a
# name such as "Total Mobile" or "Sum Payroll" goes on with another word and is a system.
_TOTALS_REST = re.compile(
    r"\s*(?:$|[^\w\s]|\d|(?:for|of|to|all|the|annual|yearly|cost|costs|spend|spending|amount|value|estate|systems?"
    r"|budget|excl|incl|excluding|including|per|in|by|across|row|line|£|gbp)\b)", re.IGNORECASE)
_NOTE = re.compile(
    r"^\s*(notes?\b|nb\b|n\.b\.|\*|source\b|sources\b|please\b|all costs\b|costs\b.*\b(exclude|include|are)\b"
    r"|figures\b|prepared by\b|last updated\b|completed by\b|key\b\s*:)",
    re.IGNORECASE,
)
_ORG_LABEL = re.compile(
    r"^\s*(organi[sz]ation(\s+name)?|council|authority|trust|body|partner|organi[sz]ation\s*/\s*body)\s*[:\-–]\s*(.+)$",
    re.IGNORECASE,
)
_ORG_LABEL_ALONE = {normalise_header(w) for w in ("organisation", "organization", "organisation name",
                                                   "organization name", "council", "authority", "trust", "body")}
_LIST_SPLIT = re.compile(r"[;\n|]")  # the parts are stripped after (a leading \s* would backtrack on long spaces)
_ROUTINE_NOTES = frozenset({_FINANCIAL_YEAR_NOTE, _PERCENT_NOTE, _INCLUDED_NOTE, _FUNDED_NOTE})
"""Notes on values read the way the person plainly meant: info, not warnings."""
_LARGEST = {"money": 1e12, "count": 1e9, "months": 1200.0}
"""Largest plausible values by kind: more than the UK's public spending a year, the world's people, a century."""
_KEY_FIELDS = frozenset({"organisation", "system", "product", "source", "target", "site"})


@dataclass
class _Issues:
    """Collects data issues as plain tuples and column arrays; turned into a DataFrame once."""

    rows: list[tuple[Any, ...]] = field(default_factory=list)
    chunks: list[tuple[Any, ...]] = field(default_factory=list)

    def add(self, file: str, sheet: str, row: int | None, column: str, severity: str, problem: str,
            value: object = "") -> None:
        self.rows.append((file, sheet, row, column, severity, problem, _as_text(value)))

    def add_many(self, file: str | np.ndarray, sheet: str | np.ndarray, rows: np.ndarray, column: str,
                 severity: str, problems: str | np.ndarray, values: list[str] | np.ndarray) -> None:
        """One issue per element of ``rows``; ``file``, ``sheet`` and ``problems`` are one a row or one for all."""
        if len(rows):
            self.chunks.append((file, sheet, rows, column, severity, problems, values))

    def to_frame(self) -> pd.DataFrame:
        if not self.chunks and not self.rows:
            return empty_issues()
        columns: list[list[np.ndarray]] = [[] for _ in ISSUE_COLUMNS]
        chunks = list(self.chunks)
        if self.rows:
            chunks.append(tuple(zip(*self.rows, strict=True)))
        for chunk in chunks:
            n = len(chunk[2])
            for parts, part in zip(columns, chunk, strict=True):
                array = np.empty(n, dtype=object)
                array[:] = part  # one value for all (a str) or one a row
                parts.append(array)
        out = pd.DataFrame({name: np.concatenate(parts) for name, parts in zip(ISSUE_COLUMNS, columns, strict=True)})
        out["source_row"] = pd.array(out["source_row"], dtype="Int64")
        for column in ("source_file", "sheet", "column", "severity", "problem", "value"):
            out[column] = out[column].fillna("").astype(str)
        rank = out["severity"].map({s: i for i, s in enumerate(("error", "warning", "info"))})
        out = out.assign(_rank=rank).sort_values(
            ["source_file", "sheet", "source_row", "_rank", "column", "problem", "value"], na_position="first",
            kind="stable")
        return out.drop(columns="_rank").reset_index(drop=True)


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if np.isnan(value):
            return ""
        if value.is_integer():
            return str(int(value))
    return str(value)


# ----------------------------------------------------------------------------------------------
# Header mapping supplied by the user


def read_header_map(path: str | Path) -> dict[str, str]:
    """Read a user's header mapping file.

    Parameters
    ----------
    path : str or Path
        A CSV or YAML file. A CSV has columns ``header`` and ``field`` (a
        column name such as ``annual_cost``, or ``table.field`` to apply it to
        one table only). A YAML file is a mapping of header to field.

    Returns
    -------
    dict of str to str

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "headers.csv"
    >>> _ = p.write_text("header,field\\nYearly outlay,annual_cost\\n", encoding="utf-8")
    >>> read_header_map(p)
    {'Yearly outlay': 'annual_cost'}
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(path, "header mapping file not found")
    if path.suffix.lower() in (".yaml", ".yml"):
        data = load_yaml(path.read_text(encoding="utf-8-sig"), path)
        if not isinstance(data, dict):
            raise InputFileError(path, "a header mapping must be 'header: field' lines")
        mapping = {str(k): str(v) for k, v in data.items()}
    else:
        try:
            frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig").fillna("")
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputFileError(path, f"cannot read the header mapping: {exc}") from None
        columns = {normalise_header(c): c for c in frame.columns}
        if "header" not in columns or "field" not in columns:
            raise InputFileError(path, "a header mapping CSV needs the columns 'header' and 'field'")
        mapping = dict(zip(frame[columns["header"]], frame[columns["field"]], strict=True))
    _check_header_map(mapping, source=path.name)
    return mapping


def _check_header_map(mapping: HeaderMap, *, source: str = "header map") -> None:
    for header, target in mapping.items():
        table_key, _, name = target.rpartition(".")
        tables = [TABLES[table_key]] if table_key in TABLES else list(TABLES.values())
        if table_key and table_key not in TABLES:
            raise ParameterError(f"{source}: '{header}' maps to unknown table '{table_key}'")
        if not any(name in t.names for t in tables):
            raise ParameterError(f"{source}: '{header}' maps to '{target}', which is not an inventory column")


def _user_headers(mapping: HeaderMap | None, table: Table) -> dict[str, str]:
    out: dict[str, str] = {}
    for header, target in (mapping or {}).items():
        table_key, _, name = target.rpartition(".")
        if (not table_key or table_key == table.key) and name in table.names:
            out[normalise_header(header)] = name
    return out


# ----------------------------------------------------------------------------------------------
# Loading raw grids


@dataclass(frozen=True)
class _Grid:
    """One sheet as raw cells: ``cells`` is an object array, ``rows`` the row numbers people see.

    ``uncached`` holds the (0-based) rows and columns of formula cells with no
    saved value, which read as blank.
    """

    file: str
    sheet: str
    cells: np.ndarray
    rows: np.ndarray
    uncached: tuple[np.ndarray, np.ndarray] = field(
        default=(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)), repr=False)
    hidden: bool = False
    longest: int | None = None  # no cell holds more characters than this (None: not known)
    empty: np.ndarray = field(init=False, repr=False)
    # Each cell's code among the grid's distinct cells (-1 for missing ones) and those cells; None when a
    # cell cannot be hashed. Blanks and repeated headers are then found once a distinct cell. Cells are
    # Python's own types (the csv module's text, calamine's values), whose equal values are alike for
    # both tests (1, 1.0 and True are neither blank nor text).
    codes: np.ndarray | None = field(init=False, repr=False, default=None)
    uniques: np.ndarray | None = field(init=False, repr=False, default=None)
    _folded: list[Any] = field(init=False, repr=False, default_factory=list)  # numbers of folded texts, and texts

    def __post_init__(self) -> None:
        flat = self.cells.ravel()
        try:
            codes, uniques = pd.factorize(flat)
        except TypeError:  # an unhashable cell: look at them one by one
            object.__setattr__(self, "empty", _blank_mask(self.cells))
            return
        uniques = np.asarray(uniques, dtype=object)
        blank = np.append(_blank_mask(uniques), False)[codes]
        missing = np.flatnonzero(codes < 0)  # None and NaN, but also NaT or pd.NA, which are not blank
        if len(missing):
            blank[missing] = _blank_mask(flat[missing])
        object.__setattr__(self, "empty", blank.reshape(self.cells.shape))
        object.__setattr__(self, "codes", codes.reshape(self.cells.shape))
        object.__setattr__(self, "uniques", uniques)

    def text_equals(self, start: int, column: int, text: str) -> np.ndarray:
        """:func:`_text_equals` of the cells of ``column`` from row ``start`` on, each distinct cell folded once."""
        if self.codes is None or self.uniques is None:
            return _text_equals(self.cells[start:, column], text)
        if not self._folded:  # each distinct folded text numbered once (-1: not text), for every column's test
            numbers: dict[str, int] = {}
            folded = [numbers.setdefault(u.strip().casefold(), len(numbers)) if u.__class__ is str else -1
                      for u in self.uniques]
            self._folded.extend([np.array(folded + [-1], dtype=np.int64), numbers])
        number = self._folded[1].get(text, -2)  # -2: no cell folds to it
        return self._folded[0][self.codes[start:, column]] == number  # code -1 (a missing cell): the last, -1


_FORMULA_WITHOUT_VALUE = re.compile(rb"<c\b([^>]*)>\s*<f\b[^>]*(?:/>|>[^<]*</f>)\s*(?:<v\s*/>|<v>\s*</v>)?\s*</c>")
_TEXT_RESULT = re.compile(rb'\bt="str"')
_CELL_REFERENCE = re.compile(rb'\br="([A-Z]{1,3})([0-9]+)"')
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


def _uncached_formulas(path: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The formula cells with no saved value, by sheet name: (0-based rows, 0-based columns).

    The reader takes a formula's value as the workbook saved it. Excel saves
    one for every formula; a file written by a script (openpyxl, for one)
    saves the formulas alone, and such a cell would read as blank without a
    word. Only worksheets with a formula are searched (a regular expression
    over their XML: a ``<c>`` holding an ``<f>`` and no ``<v>``, or an empty
    one, unless the cell says its result is text: an empty text result is a
    value).
    """
    found: dict[str, list[tuple[int, int]]] = {}
    with zipfile.ZipFile(path) as archive:
        for part in archive.namelist():
            if not (part.startswith("xl/worksheets/") and part.endswith(".xml")):
                continue
            data = archive.read(part)
            if b"<f" not in data:
                continue
            cells = []
            for match in _FORMULA_WITHOUT_VALUE.finditer(data):
                reference = _CELL_REFERENCE.search(match.group(1))
                if reference is not None and _TEXT_RESULT.search(match.group(1)) is None:
                    letters, number = reference.groups()
                    column = 0
                    for letter in letters:
                        column = column * 26 + letter - 64
                    cells.append((int(number) - 1, column - 1))
            if cells:
                found[part] = cells
        if not found:
            return {}
        book = defusedxml.ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = defusedxml.ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(_RELATIONSHIP)}
    out = {}
    for sheet in book.iter(f"{_MAIN_NS}sheet"):
        target = targets.get(sheet.get(_RELATIONSHIP_ID), "")
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        if part in found:
            rows, columns = zip(*sorted(found[part]), strict=True)
            out[sheet.get("name", "")] = (np.array(rows, dtype=np.int64), np.array(columns, dtype=np.int64))
    return out


MAX_GRID_RATIO = 4
"""A sheet is laid out as a grid from A1 to its last cell; past this many times the cells it holds
(and :data:`MIN_GRID_CELLS`), the grid is refused as the sign of a stray cell far from the data."""

MIN_GRID_CELLS = 1_000_000
"""A grid up to this many cells is always read, however sparse."""

BYTES_PER_CELL = 16
"""The cells a workbook may hold are its size limit (``max_bytes``) divided by this (3,276,800 at
50 MB): memory is bounded by the cells present, not by how well they compress."""


def _check_cells(path: Path, scanned: dict[str, SheetCells], max_bytes: int) -> None:
    """Refuse a workbook holding more cells than the budget, or a sheet whose grid a stray cell inflates."""
    budget = max(max_bytes // BYTES_PER_CELL, 100_000)
    present = sum(sheet.present for sheet in scanned.values())
    if present > budget:
        raise FileTooLargeError(
            path, f"holds {present:,} cells, over the {budget:,} a file may hold at the "
                  f"{max_bytes / 1024 / 1024:,.0f} MB size limit: split the file, or raise the limit with --max-size")
    def sparse(sheet: SheetCells) -> bool:
        return sheet.grid_cells > max(MAX_GRID_RATIO * sheet.present, MIN_GRID_CELLS)

    if any(sparse(sheet) for sheet in scanned.values()):
        scanned = scan_workbook(path, exact=True)  # a formatted, empty cell far out is no stray value
    for sheet in scanned.values():
        if sparse(sheet):
            raise UnsafeFileError(
                path, f"sheet '{sheet.name}' holds {sheet.present:,} cells but reaches {sheet.last_cell} "
                      f"(a grid of {sheet.grid_cells:,} cells): a stray value far from the data? In Excel, "
                      "Ctrl+End goes to the last cell: delete the rows and columns beyond the table, and save again")


def _load_xlsx(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> list[_Grid]:
    from python_calamine import CalamineWorkbook

    try:
        scanned = scan_workbook(path)
        _check_cells(path, scanned, max_bytes)
        uncached = _uncached_formulas(path)
        workbook = CalamineWorkbook.from_path(str(path))
        grids = []
        for name in workbook.sheet_names:
            if name not in scanned:  # a chartsheet or a dialog sheet: no cells
                continue
            data = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            width = max((len(r) for r in data), default=0)
            cells = np.empty((len(data), width), dtype=object)
            if width and all(len(r) == width for r in data):  # the usual case: every row as wide
                cells[:] = data
            else:
                cells[:] = ""
                for i, row in enumerate(data):
                    cells[i, : len(row)] = row
            grids.append(_Grid(display_name(path), name, cells, np.arange(1, len(data) + 1),
                               **({"uncached": uncached[name]} if name in uncached else {}),
                               hidden=scanned[name].hidden))
    except EstateError:
        raise
    except Exception as exc:  # calamine raises its own errors for corrupt parts
        raise NotASpreadsheetError(path, f"corrupt workbook: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    return grids


def _decode_csv(path: Path, issues: _Issues) -> str:
    """The CSV's text: UTF-8 (with or without a BOM), else Windows-1252, decided for the file and, when a
    UTF-8 file holds a few other bytes, line by line; a file or line not read as UTF-8 is reported."""
    raw = path.read_bytes()
    name = display_name(path)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    lines = raw.split(b"\n")
    good = [_utf8(line) for line in lines]
    if not any(text is not None and not text.isascii() for text in good):
        # No UTF-8 character anywhere: a Windows-1252 file (Excel's "CSV" on Windows).
        issues.add(name, "", None, "", "info", "not UTF-8: read as Windows-1252 (Excel's CSV on Windows)")
        return _cp1252(raw)
    # UTF-8 with a few lines in another encoding (pasted from elsewhere): only those lines are read as 1252.
    bad = [i for i, text in enumerate(good) if text is None]
    for i in bad:
        issues.add(name, "", i + 1, "", "warning", "line is not UTF-8 like the rest of the file: read as Windows-1252; "
                   "check its accented letters and symbols", _cp1252(lines[i])[:200])
    return "\n".join(text if text is not None else _cp1252(line) for text, line in zip(good, lines, strict=True))


def _utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def _cp1252(data: bytes) -> str:
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # every byte decodes; cp1252 leaves five undefined


_CSV_FIELD_LIMIT = 2**31 - 1  # the csv module refuses fields over 131,072 characters by default
_MAX_QUOTE_REPAIRS = 1000


def _swallows_rows(inner: list[str], delimiter: str, width: int) -> bool:
    """Whether the continuation lines of a quoted, multi-line cell look like rows of their own.

    A quote opened and never closed pairs with the next quote in the file,
    however far: the lines between become one cell. A real multi-line cell
    (an address, a note) does not hold lines with a row's worth of separators
    and no quotes.
    """
    return any(line.count(delimiter) >= width - 1 and '"' not in line for line in inner[:-1]) if len(
        inner) > 1 else False


def _regular_delimiter(text: str) -> str:
    """The delimiter most lines have the same number of (``,`` when none does), for text the sniffer refuses.

    >>> _regular_delimiter("Council - IT systems\\nSystem;Department;Users\\nPay;Finance;30\\nPhones;ICT;x\\n")
    ';'
    >>> _regular_delimiter("just a title\\n")
    ','
    """
    best, score = ",", 0
    lines = [line for line in text.splitlines() if line.strip()]
    for candidate in ",;\t|":
        counts = [line.count(candidate) for line in lines]
        common = pd.Series([c for c in counts if c]).value_counts()
        lines_alike = int(common.iloc[0]) if len(common) else 0
        if lines_alike > score:
            best, score = candidate, lines_alike
    return best


def _load_csv(path: Path, issues: _Issues) -> list[_Grid]:
    text = _decode_csv(path, issues)
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:  # lines of different shapes (a title line above the table): the most regular delimiter
        delimiter = _regular_delimiter(text[:8192])
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    lines = io.StringIO(text, newline="").readlines()
    records: list[list[str]] = []
    numbers: list[int] = []
    first = 0  # index of the next physical line to read
    repairs = 0
    width = 2  # the most fields a record has had so far
    name = display_name(path)
    try:  # Most files: every record on one line of its own, all read in one go.
        records = list(csv.reader(lines, delimiter=delimiter, strict=True))
        single = len(records) == len(lines)
    except csv.Error:
        single = False
    if single:
        numbers = list(range(1, len(records) + 1))
        first = len(lines)
    else:
        records = []
    while first < len(lines):
        # Strict, so that a quote never closed is an error at the end of the file instead of a last
        # field silently holding every line after it.
        reader = csv.reader(iter(lines[first:]) if first else iter(lines), delimiter=delimiter, strict=True)
        start = 1
        try:
            for record in reader:
                if reader.line_num > start and _swallows_rows(lines[first + start:first + reader.line_num],
                                                              delimiter, width):
                    raise csv.Error("unexpected end of data: a quote swallows whole rows")
                records.append(record)
                numbers.append(first + start)
                width = max(width, len(record))
                start = reader.line_num + 1
            break
        except csv.Error as exc:
            problem = str(exc)
        at = first + start - 1  # the index of the line where the record that failed starts
        end = max(first + reader.line_num, at + 1)
        swallowed = "end of data" in problem or _swallows_rows(lines[at + 1:end], delimiter, width)
        if swallowed and repairs < _MAX_QUOTE_REPAIRS:
            # This line opens a quote it never closes. Read it with its quotes as plain text, then go on
            # from the next line, so that one stray quote does not swallow the rest of the file.
            repairs += 1
            records.append(next(csv.reader([lines[at]], delimiter=delimiter, quoting=csv.QUOTE_NONE)))
            numbers.append(at + 1)
            issues.add(name, "", at + 1, "", "warning", "a quote (\") opened on this line is never closed: the "
                       "line is read with its quotes as text; check its values", lines[at].rstrip("\r\n")[:200])
            first = at + 1
            continue
        # Anything else a strict reader refuses (text after a closing quote, ``"a"b``) is read leniently,
        # as spreadsheet applications do.
        lenient = csv.reader(iter(lines[at:end]), delimiter=delimiter)
        start = 1
        for record in lenient:
            records.append(record)
            numbers.append(at + start)
            start = lenient.line_num + 1
        first = end
    lengths = set(map(len, records))
    width = max(lengths, default=0)
    if len(lengths) == 1 and width:  # a rectangle: one step
        cells = np.empty((len(records), width), dtype=object)
        cells[:] = records
    else:
        cells = np.empty((len(records), width), dtype=object)
        cells[:] = ""
        for i, record in enumerate(records):
            cells[i, : len(record)] = record
    # A cell is no longer than its line when every record is one line (else than the file).
    longest = max(map(len, lines), default=0) if len(records) == len(lines) else len(text)
    return [_Grid(display_name(path), "", cells, np.asarray(numbers, dtype=np.int64), longest=longest)]


# ----------------------------------------------------------------------------------------------
# Finding the table and its header row


def _blank_mask(cells: np.ndarray) -> np.ndarray:
    """Cells with nothing in them (empty, whitespace only or missing).

    >>> _blank_mask(np.array([["", " x ", None], [float("nan"), "  ", 0]], dtype=object)).tolist()
    [[True, False, True], [True, True, False]]
    """
    flat = cells.ravel()
    empty = np.fromiter(
        (c is None or (c.__class__ is str and not c.strip()) or (c.__class__ is float and c != c) for c in flat),
        dtype=bool, count=flat.size)
    return empty.reshape(cells.shape)


@dataclass(frozen=True)
class _Header:
    table: Table
    row: int  # index into the grid
    columns: dict[int, str]  # grid column → canonical field
    extras: dict[int, str]  # grid column → header as written
    duplicates: dict[int, str]  # grid column → field already mapped by an earlier column
    combined: int | None = None  # grid column of a "Supplier / Product" column, read as product and vendor


def _sheet_keys(table: Table) -> tuple[str, ...]:
    """``table.sheet_keys()``, worked out once for each inventory table."""
    if TABLES.get(table.key) is table:
        return _table_sheet_keys(table.key)
    return table.sheet_keys()


@lru_cache(maxsize=None)
def _table_sheet_keys(table_key: str) -> tuple[str, ...]:
    return TABLES[table_key].sheet_keys()


def _header_names(table: Table) -> dict[str, str]:
    """Normalised header → column, as ``table.match_header`` reads them (a normalised header normalises to itself)."""
    if TABLES.get(table.key) is table:
        return _table_header_names(table.key)
    return {key: column.name for column in table.fields for key in column.header_keys()}


@lru_cache(maxsize=None)
def _table_header_names(table_key: str) -> dict[str, str]:
    return {key: column.name for column in TABLES[table_key].fields for key in column.header_keys()}


@lru_cache(maxsize=65536)
def _header_key(text: str) -> str:
    """:func:`normalise_header` of a text cell, remembered: header texts repeat across files."""
    return normalise_header(text)


def _row_keys(row: np.ndarray) -> list[tuple[int, str]]:
    """(column, normalised header) of each non-blank text cell of a row."""
    return [(j, _header_key(cell)) for j, cell in enumerate(row) if isinstance(cell, str) and cell.strip()]


def _match_row(keys: list[tuple[int, str]], names: dict[str, str]) -> dict[int, str]:
    """Grid column → field for each cell whose key ``names`` knows.

    Two columns read as one field (``Service Area`` and ``Business Function``, both capability): the field
    goes to the column whose wording comes first among its synonyms (``names`` lists each field's wordings
    in that order: its own name, then the closest), the earlier column on a tie; the other is kept as an
    extra column and reported.

    >>> _match_row([(0, "servicearea"), (1, "businessfunction"), (2, "system")],
    ...            {"system": "system", "businessfunction": "capability", "servicearea": "capability"})
    {1: 'capability', 2: 'system'}
    """
    best: dict[str, tuple[str, int]] = {}  # field → (its wording, column)
    rank: dict[str, int] | None = None
    for j, key in keys:
        name = names.get(key)
        if name is None:
            continue
        if name in best:  # a second column claims the field: rank the wordings (rare, so only then)
            if rank is None:
                rank = {k: i for i, k in enumerate(names)}
            if rank[key] >= rank[best[name][0]]:
                continue
        best[name] = (key, j)
    return dict(sorted((j, name) for name, (_, j) in best.items()))


def _find_header(grid: _Grid, header_map: HeaderMap | None) -> _Header | None:
    """The best (table, header row) for a grid, or None."""
    sheet_key = normalise_header(grid.sheet)
    named = [t for t in TABLES.values() if sheet_key and sheet_key in _sheet_keys(t)]
    candidates = named or list(TABLES.values())
    best: tuple[int, int, int, Table, dict[int, str]] | None = None
    limit = min(HEADER_SEARCH_ROWS, grid.cells.shape[0])
    # A sheet named for the table, or a CSV, may have a header of one required column.
    least = 1 if named or not grid.sheet else MIN_HEADER_MATCHES
    # A row with fewer text cells than that cannot be the header.
    rows = [(i, keys) for i in range(limit) if len(keys := _row_keys(grid.cells[i])) >= least]
    for order, table in enumerate(candidates):
        # The user's wordings first (so that they also rank first when two columns claim a field), then
        # the synonyms.
        user = _user_headers(header_map, table)
        lookup = {**user, **{k: v for k, v in _header_names(table).items() if k not in user}} if user else \
            _header_names(table)
        required = {f.name for f in table.fields if f.required}
        for i, keys in rows:
            found = _match_row(keys, lookup)
            names = set(found.values())
            enough = len(found) >= least
            if not enough or not (required & names or (table is SYSTEMS and "product" in names)):
                continue
            # More matched columns wins; then the table the sheet is named for; then the earlier row.
            score = (len(found), -order, -i)
            if best is None or score > (best[0], best[1], best[2]):
                best = (len(found), -order, -i, table, found)
    if best is None:
        return None
    _, _, neg_row, table, found = best
    row = -neg_row
    lookup = {**_header_names(table), **_user_headers(header_map, table)}
    if _join_sub_header(grid, row, lookup):  # a header over two rows: read as one, on the second
        row += 1
        found = _match_row(_row_keys(grid.cells[row]), lookup)
    extras: dict[int, str] = {}
    duplicates: dict[int, str] = {}
    user = _user_headers(header_map, table)
    nonblank_cols = ~grid.empty[row:].all(axis=0) if grid.cells.shape[0] > row else []
    for j, cell in enumerate(grid.cells[row]):
        if j in found:
            continue
        text = _as_text(cell).strip()
        name = (user.get(normalise_header(text)) or table.match_header(text)) if text else None
        if name is not None:
            duplicates[j] = text
        elif text and (joint := _joint_heading(text, lookup)) is not None and joint not in found.values():
            found[j] = joint  # "Location / Hosting": two wordings of one field
        elif text:
            extras[j] = text
        elif len(nonblank_cols) and nonblank_cols[j]:
            extras[j] = f"column {_column_letter(j)}"
    found = dict(sorted(found.items()))
    combined = None
    if table is SYSTEMS and not {"vendor", "product"} & set(found.values()):
        combined = next((j for j, text in extras.items() if is_vendor_product_heading(text)), None)
        if combined is not None:
            del extras[combined]
            found = dict(sorted({**found, combined: "product"}.items()))
    return _Header(table, row, found, extras, duplicates, combined)


def _joint_heading(text: str, lookup: dict[str, str]) -> str | None:
    """The field a heading names in two wordings joined by ``/`` or ``|`` (``Location / Hosting``), or None.

    >>> _joint_heading("Location / Hosting", _header_names(SYSTEMS))
    'hosting'
    >>> _joint_heading("Supplier / Hosting", _header_names(SYSTEMS)) is None
    True
    """
    parts = [p for p in re.split(r"\s*[/|]\s*", text) if p.strip()]
    if len(parts) < 2:
        return None
    names = {lookup.get(_header_key(p)) for p in parts}
    return names.pop() if len(names) == 1 and None not in names else None





def split_vendor_product(cell: object) -> tuple[object, object]:
    """The (vendor, product) of a ``Supplier / Product`` cell, split at its first ``/`` (or `` - ``, `` : ``).

    A cell without a separator is taken as the product: the matcher reads a supplier's name in it.

    Examples
    --------
    >>> split_vendor_product("Idox / Uniform")
    ('Idox', 'Uniform')
    >>> split_vendor_product("Capita / Academy Revenues & Benefits")
    ('Capita', 'Academy Revenues & Benefits')
    >>> split_vendor_product("Jobs Go Public")
    (None, 'Jobs Go Public')
    >>> split_vendor_product(None)
    (None, None)
    """
    if not isinstance(cell, str) or not cell.strip():
        return None, cell
    text = cell.strip()
    found = [(i, len(sep)) for sep in ("/", " - ", " \u2013 ", " : ") if (i := text.find(sep)) > 0]
    if not found:
        return None, text
    at, width = min(found)
    vendor, product = text[:at].strip(), text[at + width:].strip()
    return (vendor, product) if vendor and product else (None, text)


def _join_sub_header(grid: _Grid, row: int, lookup: dict[str, str]) -> bool:
    """Join a header written over two rows into its second row; whether it was one.

    The row below a header is its second row when it holds text only (no figures), in two or more
    cells, at least one of them under a blank header cell, each such cell in a group: a group heading
    merged across columns (``Contract`` over ``Start`` and ``End``; ``Annual cost (£)`` over ``Licence``
    and ``Support``), with a heading of its own below it and below every column up to this one.
    Each column's heading becomes its group's heading and its own (``Contract End``), or under a money
    group its own as a cost (``Hosting`` under ``Costs (£)``: ``Hosting cost``), or its own alone
    when only that names an inventory column; a column with nothing in the second row keeps the first
    row's heading (a cell merged down both rows).

    Examples
    --------
    >>> cells = np.array([["System", "Contract", None, "Cost (£)", None],
    ...                   [None, "Start", "End", "Licence", "Support"],
    ...                   ["Payroll", "2020-04-01", "2027-03-31", "100", "20"]], dtype=object)
    >>> grid = _Grid("f.xlsx", "Systems", cells, np.arange(1, 4))
    >>> _join_sub_header(grid, 0, _header_names(SYSTEMS))
    True
    >>> grid.cells[1].tolist()
    ['System', 'Contract Start', 'Contract End', 'Licence', 'Support']
    """
    below = row + 1
    if below >= grid.cells.shape[0]:
        return False
    top, second = grid.cells[row], grid.cells[below]
    texts = [_as_text(c).strip() for c in second]
    filled = [j for j, t in enumerate(texts) if t]
    if len(filled) < 2 or any(not isinstance(second[j], str) or _is_figure(second[j]) or _DIGITS.search(texts[j])
                              for j in filled):
        return False
    heads = [_as_text(c).strip() for c in top]
    under_blank = [j for j in filled if not heads[j]]
    if not under_blank:
        return False
    for j in under_blank:  # each is in a group: headings below every column back to the group's own, which has one
        k = j - 1
        while k >= 0 and not heads[k]:
            if not texts[k]:
                return False  # a gap: a stray cell far to the right, not a group's column
            k -= 1
        if k < 0 or not texts[k]:
            return False
    group = ""
    joined: list[str] = []
    for j, (head, sub) in enumerate(zip(heads, texts, strict=True)):
        if head:
            group = head if sub else ""  # a group heading has headings of its own below it
        if not sub:
            joined.append(head)
            continue
        both = f"{group} {sub}".strip()
        # under a money group ("Costs (£ p.a.)" over "Licence", "Support", "Hosting") a heading is a cost:
        # "Hosting" there is the hosting cost, not where the system runs
        costed = f"{sub} cost" if group and _MONEY_GROUP.search(group) else None
        if lookup.get(_header_key(both)) is not None:
            joined.append(both)
        elif costed is not None and lookup.get(_header_key(costed)) not in (None, lookup.get(_header_key(sub))):
            joined.append(costed)
        else:
            joined.append(sub if lookup.get(_header_key(sub)) is not None else both)
    for j, text in enumerate(joined):
        if text:
            grid.cells[below, j] = text
            grid.empty[below, j] = False
    return True


_ASSET_TYPE_HEADINGS = frozenset({"assettype", "typeofasset", "assetclass", "assetcategory", "assetformat",
                                  "informationassettype", "format"})
"""Headings of an asset register's column saying what kind of asset a row is."""
_NOT_SOFTWARE = frozenset(normalise_header(w) for w in (
    "paper", "paper records", "paper files", "hard copy", "physical", "physical records", "manual", "manual records",
    "shared drive", "network drive", "network folder", "network share", "filing cabinet"))
"""Kinds of information asset that are no system (a register's paper files and shared-drive folders)."""

_DIGITS = re.compile(r"\d{3,}|\d+[/.-]\d+")
_MONEY_GROUP = re.compile(r"\bcosts?\b|\bspend\b|£|\bcharges?\b|\bfees?\b", re.IGNORECASE)
"""A group heading over columns of money (``Costs (£ p.a.)``, ``Annual spend``)."""


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _suggest(header: str, table: Table) -> str:
    if TABLES.get(table.key) is table:  # the same headers come back file after file
        return _suggest_for(header, table.key)
    return _suggestion(header, table)


@lru_cache(maxsize=1024)
def _suggest_for(header: str, table_key: str) -> str:
    return _suggestion(header, TABLES[table_key])


def _suggestion(header: str, table: Table) -> str:
    from rapidfuzz import fuzz, process

    choices = {}
    for column in table.fields:
        for key in column.header_keys():
            choices[key] = column.name
    match = process.extractOne(normalise_header(header), list(choices), scorer=fuzz.WRatio, score_cutoff=80)
    if match is None:
        return f"column '{header}' is not an inventory column: kept as an extra attribute"
    return (f"column '{header}' is not an inventory column: kept as an extra attribute "
            f"(did you mean '{choices[match[0]]}'? map it with --header-map)")


def _label_organisation(cells: np.ndarray) -> str | None:
    """An organisation named in a labelled cell among title rows."""
    for row in cells:
        texts = [(_as_text(c).strip()) for c in row]
        for j, text in enumerate(texts):
            if not text:
                continue
            match = _ORG_LABEL.match(text)
            if match and match.group(3).strip():
                return match.group(3).strip()
            if normalise_header(text) in _ORG_LABEL_ALONE:
                rest = next((t for t in texts[j + 1:] if t), "")
                if rest:
                    return rest
    return None


_BODY_NAME = re.compile(
    r"^[A-Z][\w&',.()\- ]{1,80}?\b(?:council|nhs(?:\s+foundation)?\s+trust|trust|fire\s+(?:and|&)\s+rescue"
    r"(?:\s+service)?|constabulary|police|authority|board|partnership|agency|service|commissioner)$",
    re.IGNORECASE)


def _title_organisation(cells: np.ndarray) -> str | None:
    """An organisation named alone in the first title cell above a header (``Burnley Borough Council``).

    >>> _title_organisation(np.array([["Burnley Borough Council", None], ["ICT register", None]], dtype=object))
    'Burnley Borough Council'
    >>> _title_organisation(np.array([["ICT Application Register 2026", None]], dtype=object)) is None
    True
    """
    for row in cells:
        for cell in row:
            text = " ".join(_as_text(cell).split())
            if text:
                return text if len(text.split()) <= 10 and _BODY_NAME.match(text) else None
    return None


def _title_texts(cells: np.ndarray) -> tuple[str, ...]:
    """The text cells above a header, each once: where a file may name its organisation without a label."""
    texts = (" ".join(_as_text(c).split()) for row in cells for c in row)
    return tuple(dict.fromkeys(t for t in texts if t and not _is_figure(t)))


def _organisation_from_name(stem: str) -> str:
    text = re.sub(r"[_\-]+", " ", stem).strip()
    text = re.sub(r"\s+", " ", text)
    return text.title() if text.islower() else text


# ----------------------------------------------------------------------------------------------
# Data rows


@dataclass(frozen=True)
class _Piece:
    """The data rows of one sheet, cells not yet parsed: a table's pieces are parsed together."""

    file: str
    sheet: str
    rows: np.ndarray  # int64, the row numbers people see
    cells: dict[str, np.ndarray]  # field → raw cells
    empty: dict[str, np.ndarray]  # field → which of those cells are blank
    extras: dict[str, np.ndarray]  # "extra: <header>" → cells, blanks as NaN
    file_org: str | None  # the organisation of a row that names none
    org_column: bool  # whether the sheet has an organisation column
    codes: dict[str, np.ndarray] | None = None  # field → each cell's code among ``uniques`` (its grid's)
    uniques: np.ndarray | None = None


def _report_uncached(grid: _Grid, header: _Header, issues: _Issues) -> None:
    """A warning for each formula cell below the header that has no saved value (it reads as blank)."""
    rows, columns = grid.uncached
    below = rows > header.row
    names = {**{j: f"extra: {text}" for j, text in {**header.extras, **header.duplicates}.items()}, **header.columns}
    for j in np.unique(columns[below]).tolist():
        at = rows[below & (columns == j)]
        numbers = np.where(at < len(grid.rows), grid.rows[np.minimum(at, max(len(grid.rows) - 1, 0))], at + 1)
        letters = _column_letter(j)
        issues.add_many(grid.file, grid.sheet, numbers.astype(np.int64), names.get(j, letters), "warning",
                        "a formula with no saved value, read as blank: open the file in Excel and save it, so "
                        "that its values are stored", [f"{letters}{n}" for n in numbers.tolist()])


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _keep_line_breaks(values: pd.Series, raw: np.ndarray) -> pd.Series:
    """A text column whose cells keep their line breaks: each line cleaned, blank lines dropped.

    A product cell may list one product a line (``"Microsoft Defender⏎Sophos Central"``); the
    matcher splits on line breaks, so they must not become spaces.
    """
    texts = [i for i, c in enumerate(raw) if c.__class__ is str and ("\n" in c or "\r" in c)]
    if not texts:
        return values
    values = values.copy()
    for i in texts:
        if not pd.isna(values.iloc[i]):
            lines = (" ".join(line.split()) for line in _LINE_BREAK.split(raw[i]))
            values.iloc[i] = "\n".join(line for line in lines if line)
    return values


def _read_grid(grid: _Grid, header: _Header, *, file_org: str | None, issues: _Issues) -> _Piece:
    _report_uncached(grid, header, issues)
    table = header.table
    body = grid.cells[header.row + 1:]
    rows = grid.rows[header.row + 1:]
    sheet = grid.sheet
    filled = ~grid.empty[header.row + 1:]
    counts = filled.sum(axis=1)
    keep = counts > 0

    # Totals, repeated headers and note rows are not data rows.
    n = len(body)
    first_cell = body[np.arange(n), filled.argmax(axis=1)] if n else np.array([], dtype=object)
    is_total = _each_distinct(first_cell, lambda c: c.__class__ is str and _is_totals_label(c)) & keep
    # "Total Service Delivery": a label naming what it totals is a totals row when nothing else in the row is
    # text (a system called "Total Mobile" has a supplier, a date, users as words...), only figures.
    labelled = _each_distinct(first_cell, lambda c: c.__class__ is str and _TOTALS.match(c) is not None) & keep
    for i in np.flatnonzero(labelled & ~is_total):
        cells = [c for c in body[i][filled[i]]]
        is_total[i] = len(cells) > 1 and all(_is_figure(c) for c in cells[1:])
    repeated = np.zeros(n, dtype=bool)
    if n:
        same = np.zeros(n, dtype=np.int64)
        for j in header.columns:
            same += grid.text_equals(header.row + 1, j, _as_text(grid.cells[header.row, j]).strip().casefold())
        repeated = (same >= min(MIN_HEADER_MATCHES, len(header.columns))) & keep
    key_columns = {j for j, name in header.columns.items() if name in _KEY_FIELDS}
    note = np.zeros(n, dtype=bool)
    for i in np.flatnonzero(keep & (counts == 1) & ~is_total & ~repeated):
        j = int(filled[i].argmax())
        cell = body[i, j]
        text = _as_text(cell).strip()
        wordy = isinstance(cell, str) and sum(ch.isalpha() for ch in text) >= 2
        if _NOTE.match(text) or (wordy and j not in key_columns) or (len(text) > 40 and " " in text):
            note[i] = True
    subtotal = _subtotal_rows(body, filled, header, keep & ~is_total & ~repeated & ~note, ~keep | is_total)
    for mask, what in ((is_total, "totals row skipped"), (repeated, "repeated header row skipped"),
                       (note, "note row skipped"),
                       (subtotal, "subtotal row skipped (its figure is the sum of the rows above it)")):
        for i in np.flatnonzero(mask):
            issues.add(grid.file, sheet, int(rows[i]), "", "info", what,
                       " | ".join(_as_text(c) for c in body[i] if _as_text(c).strip())[:200])
    data = keep & ~is_total & ~repeated & ~note & ~subtotal
    codes = grid.codes[header.row + 1:][data] if grid.codes is not None else None
    body = body[data]
    rows = rows[data]
    empty = ~filled[data]
    _report_long_text(grid, header, body, rows, issues)

    for j, name in header.duplicates.items():
        issues.add(grid.file, sheet, int(grid.rows[header.row]), name, "warning",
                   f"column '{name}' repeats a column already read: kept as an extra attribute")
    extras = {}
    for j, text in {**header.extras, **header.duplicates}.items():
        extras[f"extra: {text}"] = pd.Series(body[:, j], dtype=object).map(
            lambda c: np.nan if (c == "" or c is None) else c).to_numpy()
    for text in header.extras.values():
        issues.add(grid.file, sheet, int(grid.rows[header.row]), text, "info", _suggest(text, table))
    _report_headings(grid, header, issues)
    cells = {name: body[:, j] for j, name in header.columns.items()}
    blank = {name: empty[:, j] for j, name in header.columns.items()}
    if header.combined is not None:  # "Supplier / Product": one column read as two fields
        split = [split_vendor_product(c) for c in body[:, header.combined]]
        cells["vendor"] = np.array([v for v, _ in split] + [None], dtype=object)[:-1]
        cells["product"] = np.array([p for _, p in split] + [None], dtype=object)[:-1]
        blank["vendor"] = np.array([v is None for v, _ in split], dtype=bool)
        codes = None
        heading = _as_text(grid.cells[header.row, header.combined]).strip()
        issues.add(grid.file, sheet, int(grid.rows[header.row]), heading, "info",
                   f"column '{heading}' read as vendor and product, split at the first '/'")
        # the cell as written, kept: matching reads a split "supplier" that is a product as one (estate.matching)
        extras[f"extra: {heading}"] = pd.Series(body[:, header.combined], dtype=object).map(
            lambda c: np.nan if (c == "" or c is None) else c).to_numpy()
    return _Piece(grid.file, sheet, rows.astype(np.int64), cells, blank, extras, file_org,
                  "organisation" in header.columns.values(),
                  None if codes is None else {name: codes[:, j] for j, name in header.columns.items()},
                  grid.uniques)


MAX_CELL_TEXT = 32_767
"""The most characters an Excel cell holds: longer text is cut to this in the plan workbook."""


def _report_long_text(grid: _Grid, header: _Header, body: np.ndarray, rows: np.ndarray, issues: _Issues) -> None:
    """A warning for each cell longer than an Excel cell holds (the plan cuts it), naming where it is."""
    if not body.size or (grid.longest is not None and grid.longest <= MAX_CELL_TEXT):
        return
    lengths = pd.Series(body.ravel(), dtype=object).str.len().to_numpy(dtype=float, na_value=0.0)
    long = np.flatnonzero(lengths > MAX_CELL_TEXT)
    if not len(long):
        return
    names = {**{j: f"extra: {text}" for j, text in {**header.extras, **header.duplicates}.items()}, **header.columns}
    width = body.shape[1]
    for i, j in zip((long // width).tolist(), (long % width).tolist(), strict=True):
        issues.add(grid.file, grid.sheet, int(rows[i]), names.get(j, _column_letter(j)), "warning",
                   f"{int(lengths[i * width + j]):,} characters, more than the {MAX_CELL_TEXT:,} an Excel cell holds: "
                   f"cut to {MAX_CELL_TEXT:,} in the plan workbook", str(body[i, j])[:200] + "…")


def _subtotal_rows(body: np.ndarray, filled: np.ndarray, header: _Header, rows: np.ndarray,
                   breaks: np.ndarray) -> np.ndarray:
    """Which rows are subtotals however they are labelled (``Clinical systems: 28``): a label and figures only.

    A row is a subtotal when its one text cell (under the system's or the product's name, or in a column that
    is no inventory field) is followed only by money, and one of its amounts is the sum
    (to 50p) of that column over the two or more rows above it in its block: a block ends at a blank row, a
    totals row or the header. A system with a name and a cost only could cost exactly that sum, but only
    where no other cell of the row is filled; such a row is reported, never dropped unseen.
    """
    n = len(body)
    out = np.zeros(n, dtype=bool)
    money = [j for j, name in header.columns.items() if header.table.field(name).kind == "money"]
    if not n or not money:
        return out
    other = np.ones(filled.shape[1], dtype=bool)
    other[money] = False
    # The label stands where a system's name would, or in a column that is no field (a group's name).
    named = [j for j, name in header.columns.items() if name not in ("system", "product") and j not in money]
    label_only = (filled[:, other].sum(axis=1) == 1) & ~filled[:, named].any(axis=1)
    candidates = rows & label_only & filled[:, money].any(axis=1)
    if not candidates.any():
        return out
    from estate.values import parse_money

    block = np.cumsum(breaks)
    for j in money:
        amounts = parse_money(pd.Series(body[:, j], dtype=object)).values.to_numpy(dtype=float, na_value=np.nan)
        amounts = np.where(rows, np.nan_to_num(amounts, nan=0.0), 0.0)
        counted = (rows & (amounts > 0)).astype(np.int64)
        above = pd.Series(amounts).groupby(block).cumsum().to_numpy() - amounts
        seen = pd.Series(counted).groupby(block).cumsum().to_numpy() - counted
        out |= candidates & (amounts > 0) & (seen >= 2) & (np.abs(above - amounts) <= 0.5)
    return out


_FIGURE = re.compile(r"[£$€]? ?-?[\d,]*\.?\d+ ?[km]?", re.IGNORECASE)


def _is_figure(cell: object) -> bool:
    """Whether a cell holds a figure: a number, or text that is only one (``£12,500``, ``12.5k``).

    >>> [_is_figure(c) for c in (12500, 3.5, "£12,500", "12.5k", " 40 ", "Idox", "2 sites", True)]
    [True, True, True, True, True, False, False, False]
    """
    if isinstance(cell, bool):
        return False
    if isinstance(cell, (int, float, np.integer, np.floating)):
        return True
    if not isinstance(cell, str):
        return False
    text = cell.strip()  # (stripped first: spaces around a regex's optional parts backtrack on long text)
    return len(text) <= 40 and _FIGURE.fullmatch(text) is not None


def _is_totals_label(text: str) -> bool:
    """Whether a row's first cell labels a totals row: ``Total``, ``Grand total:``, ``Sum of costs``.

    >>> [_is_totals_label(t) for t in ("Total", "TOTAL:", "Sub-total", "Grand total annual cost", "Sum",
    ...                                "Total (excl. VAT)", "Total Mobile", "Sum Payroll", "Totally Digital")]
    [True, True, True, True, True, True, False, False, False]
    """
    found = _TOTALS.match(text)
    return found is not None and _TOTALS_REST.match(found.group(1)) is not None


HEADINGS_NOTE = "headings read as inventory fields (check each means what estate takes it for)"
"""The problem of the note listing the headings a sheet's columns were read as, when not the fields' own names."""


def _report_headings(grid: _Grid, header: _Header, issues: _Issues) -> None:
    """One note a sheet: each heading read as a field under another name (``'Department' as organisation``)."""
    renamed = []
    for j, name in sorted(header.columns.items()):
        heading = " ".join(_as_text(grid.cells[header.row, j]).split())
        if normalise_header(heading) != normalise_header(name):
            renamed.append(f"'{heading}' as {name}")
    if renamed:
        issues.add(grid.file, grid.sheet, int(grid.rows[header.row]), "", "info", HEADINGS_NOTE, "; ".join(renamed))


def _each_distinct(cells: np.ndarray, test: Callable[[object], bool]) -> np.ndarray:
    """``test`` of each cell, called once a distinct cell (a missing cell is never a hit).

    >>> _each_distinct(np.array(["Total", "x", None, "Total"], dtype=object), lambda c: c == "Total").tolist()
    [True, False, False, True]
    """
    try:
        codes, uniques = pd.factorize(np.asarray(cells, dtype=object))
    except TypeError:  # an unhashable cell: test them one by one
        codes, uniques = np.arange(len(cells)), cells
    hit = np.fromiter((bool(test(c)) for c in uniques), dtype=bool, count=len(uniques))
    return np.append(hit, False)[codes]


def _text_equals(cells: np.ndarray, text: str) -> np.ndarray:
    """Which cells hold ``text``, ignoring case and surrounding space (each distinct cell compared once).

    >>> _text_equals(np.array([" Cost ", "cost", 3, None, "Costs", " Cost "], dtype=object), "cost").tolist()
    [True, True, False, False, False, True]
    """
    try:
        codes, uniques = pd.factorize(np.asarray(cells, dtype=object))
    except TypeError:  # an unhashable cell: compare them one by one
        codes, uniques = np.arange(len(cells)), cells
    hit = np.fromiter((c.__class__ is str and c.strip().casefold() == text for c in uniques), dtype=bool,
                      count=len(uniques))
    return np.append(hit, False)[codes]  # code -1 (a missing cell) is never the text


def _build_table(key: str, pieces: list[_Piece], issues: _Issues, *, currency: str,
                 first_month: int) -> pd.DataFrame:
    """One table from its sheets: each column parsed once over all of them, issues with each row's place."""
    pieces = [p for p in pieces if len(p.rows)]
    if not pieces:
        return _concat(key, [])
    table = TABLES[key]
    sizes = np.array([len(p.rows) for p in pieces], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)])
    n = int(starts[-1])
    files = np.repeat(np.array([p.file for p in pieces], dtype=object), sizes)
    sheets = np.repeat(np.array([p.sheet for p in pieces], dtype=object), sizes)
    rows = np.concatenate([p.rows for p in pieces])
    where = (files, sheets, rows)

    columns: dict[str, np.ndarray] = {}
    named_site: np.ndarray | None = None  # which hosting cells name a site rather than a hosting model
    hosting = np.empty(0, dtype=object)
    for column in table.fields:
        name = column.name
        present = [i for i, p in enumerate(pieces) if name in p.cells]
        if not present:
            columns[name] = pd.Series(np.nan, index=pd.RangeIndex(n), dtype=dtype_for(column.kind)).to_numpy()
            continue
        if len(present) == len(pieces):
            raw = np.concatenate([p.cells[name] for p in pieces])
            empty = np.concatenate([p.empty[name] for p in pieces])
        else:  # sheets without the column: blank cells, which read as missing with no issue
            raw = np.full(n, None, dtype=object)
            empty = np.ones(n, dtype=bool)
            for i in present:
                raw[starts[i]:starts[i + 1]] = pieces[i].cells[name]
                empty[starts[i]:starts[i + 1]] = pieces[i].empty[name]
        cells = pd.Series(raw, dtype=object)
        # One sheet (a combined CSV): its grid already knows each cell's distinct value.
        known = (pieces[0].codes[name], pieces[0].uniques) if len(pieces) == 1 and pieces[0].codes else None
        if column.kind == "money":
            parsed = _parse_distinct(cells, lambda c: parse_money(c, currency=currency), known)
        elif column.kind == "date":
            parsed = _parse_distinct(cells, lambda c: parse_date(c, first_month=first_month), known)
        else:
            parsed = _parse_distinct(cells, lambda c, column=column: parse_column(c, column), known)
        values = parsed.values
        if name == "product":
            values = _keep_line_breaks(values, raw)
        problems = parsed.problems
        if column.kind in _LARGEST:
            # 1e308 is a number, not an amount: it would make every total inf. Left blank, and said.
            numbers = pd.to_numeric(values, errors="coerce")
            absurd = numbers.notna() & ~(numbers.abs() <= _LARGEST[column.kind])
            if absurd.any():
                values = values.where(~absurd)
                problems = problems.where(~absurd, f"implausible {column.kind} (over {_LARGEST[column.kind]:,.0f} "
                                                   "or not finite): left blank; check the cell")
        if name == "hosting":
            # A hosting cell that names no hosting model names a site (checked against Sites later).
            unknown = problems.notna() & ~is_blank(cells)
            if unknown.any():
                values = values.copy()
                values[unknown] = "named site"
                problems = problems.where(~unknown)
                named_site, hosting = unknown.to_numpy(dtype=bool), raw
        columns[name] = values.to_numpy()
        problem_array = problems.to_numpy(dtype=object)
        _report(issues, where, name, raw, problem_array, "warning")
        notes = parsed.notes.to_numpy(dtype=object)
        if not pd.isna(notes).all():
            routine = np.isin(notes, list(_ROUTINE_NOTES))
            _report(issues, where, name, raw, np.where(routine, None, notes), "warning")
            _report(issues, where, name, raw, np.where(routine, notes, None), "info")
        if column.kind != "text":
            # Words such as TBC or N/A leave a value blank: say so, so nothing is blank unseen. A cell
            # with text that parsed to nothing and no problem is exactly such a word.
            stated = pd.isna(columns[name]) & ~empty & pd.isna(problem_array)
            if stated.any():
                _report(issues, where, name, raw, np.where(stated, "no value given: left blank", None), "info")
    if named_site is not None and "site" in table.names:
        site = columns["site"]
        fill = pd.isna(site) & named_site
        if fill.any():
            site = site.astype(object)
            site[fill] = [_as_text(c).strip() or np.nan for c in hosting[fill]]
            columns["site"] = site

    # The organisation: the row's own cell, else the file's.
    if "organisation" in columns and key != "organisations":
        organisation = columns["organisation"]
        file_orgs = np.repeat(np.array([p.file_org for p in pieces], dtype=object), sizes)
        missing = pd.isna(organisation) & ~pd.isna(file_orgs)
        if missing.any():
            said = missing & np.repeat(np.array([p.org_column for p in pieces], dtype=bool), sizes)
            if said.any():
                problems_said = np.repeat(np.array(
                    [f"organisation blank: taken as '{p.file_org}' from the file" for p in pieces], dtype=object),
                    sizes)[said]
                issues.add_many(files[said], sheets[said], rows[said], "organisation", "warning", problems_said,
                                np.full(int(said.sum()), "", dtype=object))
            organisation = organisation.astype(object)
            organisation[missing] = file_orgs[missing]
            columns["organisation"] = organisation

    # Object columns stay object (as the table's are): no need to infer a dtype only to undo it.
    frame = pd.DataFrame({name: pd.Series(values, dtype=object, copy=False) if values.dtype == object else values
                          for name, values in {"source_file": files, "source_sheet": sheets, "source_row": rows,
                                               **columns}.items()})
    if any(p.extras for p in pieces):
        frame = pd.concat([frame, _stack_extras(pieces)], axis=1)
    return _concat(key, [frame])


def _parse_distinct(cells: pd.Series, parse: Callable[[pd.Series], Parsed],
                    known: tuple[np.ndarray, np.ndarray] | None = None) -> Parsed:
    """``parse(cells)``, each distinct text read once when every cell is text (a CSV's always are).

    The parsers read each cell on its own, so reading the distinct texts and
    putting each row's result back gives the same values, problems and notes.
    ``known`` is each cell's code among some distinct cells and those cells
    (its grid's), when known: the column's distinct cells are then found
    from the codes, without hashing the cells again.

    >>> from estate.values import parse_money
    >>> parsed = _parse_distinct(pd.Series(["£1k", "x", "£1k", ""], dtype=object), parse_money)
    >>> parsed.values.tolist()[:3], parsed.problems.notna().tolist()
    ([1000.0, nan, 1000.0], [False, True, False, False])
    """
    raw = cells.to_numpy(dtype=object)
    if not len(raw):
        return parse(cells)
    if known is not None and len(known[0]) == len(raw) and known[0].min() >= 0:
        seen = np.zeros(len(known[1]), dtype=bool)
        seen[known[0]] = True
        uniques = known[1][seen]
        codes = (np.cumsum(seen) - 1)[known[0]]  # each cell's place among the column's distinct cells
        if pd.api.types.infer_dtype(uniques, skipna=False) != "string":
            return parse(cells)
    elif pd.api.types.infer_dtype(raw, skipna=False) != "string":
        return parse(cells)
    else:
        codes, uniques = pd.factorize(raw)
    once = parse(pd.Series(np.asarray(uniques, dtype=object), dtype=object))

    def back(series: pd.Series) -> pd.Series:
        return pd.Series(series.to_numpy()[codes], index=cells.index, name=cells.name, dtype=series.dtype)

    return Parsed(values=back(once.values), problems=back(once.problems), notes=back(once.notes))


def _stack_extras(pieces: list[_Piece]) -> pd.DataFrame:
    """The pieces' extra columns one under another, as concatenating a DataFrame of each piece's gives.

    Each piece's columns take the dtype a DataFrame of them would have. Pieces whose columns have the same
    names and dtypes are stacked first, so only a few frames are concatenated (which settles the dtype of a
    column that pieces hold with different dtypes, or lack), and the rows are then put back in order.
    """
    groups: dict[tuple[tuple[str, Any], ...], list[tuple[int, int, dict[str, pd.Series]]]] = {}
    start = 0
    for piece in pieces:
        size = len(piece.rows)
        columns = {name: pd.Series(values) for name, values in piece.extras.items()}
        signature = tuple((name, column.dtype) for name, column in columns.items())
        groups.setdefault(signature, []).append((start, size, columns))
        start += size
    frames = []
    positions = []
    for signature, members in groups.items():
        stacked = {name: pd.concat([columns[name] for _, _, columns in members], ignore_index=True)
                   for name, _ in signature}
        frames.append(pd.DataFrame(stacked, index=pd.RangeIndex(sum(size for _, size, _ in members))))
        positions.extend(np.arange(first, first + size) for first, size, _ in members)
    out = pd.concat(frames, ignore_index=True, sort=False)
    return out.take(np.argsort(np.concatenate(positions), kind="stable")).reset_index(drop=True)


def _report(issues: _Issues, where: tuple[np.ndarray, np.ndarray, np.ndarray], column: str, cells: np.ndarray,
            reasons: object, severity: str) -> None:
    """Report each cell whose reason is not missing, at its file, sheet and row."""
    reasons = np.asarray(reasons, dtype=object)
    bad = ~pd.isna(reasons)
    if not bad.any():
        return
    files, sheets, rows = where
    issues.add_many(files[bad], sheets[bad], rows[bad], column, severity, reasons[bad],
                    [_as_text(c) for c in cells[bad]])


# ----------------------------------------------------------------------------------------------
# Per-table checks after all files are read


def _finish_systems(frame: pd.DataFrame, issues: _Issues) -> tuple[pd.DataFrame, pd.Series | None]:
    """Name, cost and duplicate checks; the rows that cannot be loaded go to issues.

    Returns the rows kept and their :func:`_fingerprint` (None when there are none).
    """
    if frame.empty:
        return empty_table("systems"), None
    frame = frame.copy()
    no_name = frame["system"].isna()
    has_product = frame["product"].notna()
    derived = no_name & has_product
    for r in frame.loc[derived].itertuples():
        issues.add(r.source_file, r.source_sheet, r.source_row, "system", "warning",
                   "no system name: named after its product", r.product)
    frame.loc[derived, "system"] = frame.loc[derived, "product"]
    unusable = no_name & ~has_product
    if "organisation" in frame:
        no_org = frame["organisation"].isna() & ~unusable
        for r in frame.loc[no_org].itertuples():
            issues.add(r.source_file, r.source_sheet, r.source_row, "organisation", "error",
                       "no organisation: add an organisation column or name it in the file; row not loaded",
                       r.system)
        unusable |= no_org
    for r in frame.loc[no_name & ~has_product].itertuples():
        described = " | ".join(_as_text(getattr(r, c)) for c in ("vendor", "capability", "annual_cost")
                               if _as_text(getattr(r, c)))
        issues.add(r.source_file, r.source_sheet, r.source_row, "system", "error",
                   "no system name or product: row not loaded", described)
    # An information asset register lists paper files and shared-drive folders beside systems: not systems.
    kinds = [c for c in frame.columns if isinstance(c, str) and c.startswith("extra: ")
             and normalise_header(c[len("extra: "):]) in _ASSET_TYPE_HEADINGS]
    for column in kinds:
        kind = frame[column].map(lambda v: normalise_header(v) if isinstance(v, str) else "")
        not_software = kind.isin(_NOT_SOFTWARE) & ~unusable
        for i in np.flatnonzero(not_software.to_numpy()):
            r = frame.iloc[i]
            issues.add(r["source_file"], r["source_sheet"], r["source_row"], column[len("extra: "):], "info",
                       f"a {r[column]} information asset, not a system: row not loaded", _as_text(r["system"]))
        unusable |= not_software
    frame = frame.loc[~unusable]

    parts = ["licence_cost", "support_cost", "hosting_cost", "staff_cost"]
    money = parts + ["annual_cost", "exit_cost"]
    for column in money:
        negative = frame[column] < 0
        if not negative.any():
            continue
        for r in frame.loc[negative].itertuples():
            issues.add(r.source_file, r.source_sheet, r.source_row, column, "warning",
                       "negative cost: ignored", getattr(r, column))
        frame.loc[negative, column] = np.nan
    breakdown = frame[parts].sum(axis=1, min_count=1)
    stated = frame["annual_cost"]
    differs = stated.notna() & breakdown.notna() & ((stated - breakdown).abs() > np.maximum(1.0, 0.01 * stated))
    for r, total in zip(frame.loc[differs].itertuples(), breakdown[differs], strict=True):
        issues.add(r.source_file, r.source_sheet, r.source_row, "annual_cost", "warning",
                   f"annual cost differs from the sum of its parts ({total:,.0f}): the annual cost is used",
                   r.annual_cost)
    frame["annual_cost"] = stated.where(stated.notna(), breakdown)

    # Duplicate rows: the same values in every column read, apart from where they came from.
    fingerprint = _fingerprint(frame)
    dup = fingerprint.duplicated(keep="first")
    if dup.any():
        first = pd.DataFrame({"file": frame["source_file"], "row": frame["source_row"]}).groupby(
            fingerprint.to_numpy(), sort=False).first()
        for r, fp in zip(frame.loc[dup].itertuples(), fingerprint[dup], strict=True):
            file, row = first.loc[fp]
            where = f"row {row}" if file == r.source_file else f"{file} row {row}"
            issues.add(r.source_file, r.source_sheet, r.source_row, "", "warning",
                       f"duplicate of {where}: both kept, check it is not counted twice", r.system)
    # A row pasted again and given an id of its own (an asset register's next Asset ID): the same apart from it.
    if "system_id" in frame and frame["system_id"].notna().any():
        again = _fingerprint(frame.drop(columns=["system_id"]))
        copied = again.duplicated(keep="first") & ~dup
        if copied.any():
            first = pd.DataFrame({"file": frame["source_file"], "row": frame["source_row"],
                                  "id": frame["system_id"]}).groupby(again.to_numpy(), sort=False).first()
            for r, fp in zip(frame.loc[copied].itertuples(), again[copied], strict=True):
                file, row, first_id = first.loc[fp]
                where = f"row {row}" if file == r.source_file else f"{file} row {row}"
                issues.add(r.source_file, r.source_sheet, r.source_row, "system_id", "warning",
                           f"same as {where} (id {first_id}) in every column but its id: both kept, check it is "
                           "not one system counted twice", r.system_id)
    return frame, fingerprint


def _fingerprint(frame: pd.DataFrame) -> pd.Series:
    """A hash of each row's content, leaving out where it came from."""
    content = frame.drop(columns=[c for c in ("source_file", "source_sheet", "source_row") if c in frame])
    text = pd.DataFrame({name: _as_str(column) for name, column in content.items()}, index=content.index)
    return pd.util.hash_pandas_object(text, index=False)


def _as_str(column: pd.Series) -> pd.Series:
    """``column.astype(str)``; a float column is converted once per distinct value (bit for bit, so -0.0 too)."""
    if column.dtype != np.float64:
        return column.astype(str)
    codes, bits = pd.factorize(column.to_numpy().view(np.int64))
    text = pd.Series(bits.view(np.float64)).astype(str)
    return pd.Series(text.array.take(codes), index=column.index, name=column.name)


def _system_keys(frame: pd.DataFrame, fingerprint: pd.Series | None = None) -> pd.Series:
    """Keys unique across the inventory, the same whatever the row or file order.

    ``fingerprint`` is :func:`_fingerprint` of ``frame`` if already computed.
    """
    base = frame["organisation"].astype(str) + "/" + frame["system_id"].fillna(frame["system"]).astype(str)
    repeated = base.duplicated(keep=False)
    if not repeated.any():
        return base
    content = _fingerprint(frame) if fingerprint is None else fingerprint
    # Only repeated keys are numbered, each among its repeats: sort just those rows.
    order = pd.DataFrame({"base": base[repeated], "content": content[repeated],
                          "file": frame["source_file"][repeated], "row": frame["source_row"][repeated]}).sort_values(
        ["base", "content", "file", "row"])
    rank = order.groupby("base").cumcount() + 1
    keys = order["base"].where(rank == 1, order["base"] + "#" + rank.astype(str))
    return base.where(~repeated, keys.reindex(frame.index)).rename("base")


def _normalised(values: pd.Series) -> pd.Series:
    """:func:`normalise_header` of each text value ("" for anything else), computed once per distinct value."""
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    keys = np.array([normalise_header(u) if isinstance(u, str) else "" for u in uniques] + [""], dtype=object)
    return pd.Series(keys[codes], index=values.index, dtype=object)


def _resolver(systems: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(organisation, normalised system id, name or product) → system key; ids beat names beat products.

    ``systems`` are sorted by organisation, then system key (as :func:`_assemble` leaves them).
    """
    lookup: dict[tuple[str, str], str] = {}
    columns = ["organisation", "system_key", "product", "system", "system_id"]
    # Later rows overwrite earlier ones, so the first key wins among repeats. A look-up names its
    # organisation, so only the order of keys within one organisation matters: the rows backwards.
    ordered = systems[columns].iloc[::-1]
    orgs = ordered["organisation"].to_numpy(dtype=object)
    system_keys = ordered["system_key"].to_numpy(dtype=object)
    for column in ("product", "system", "system_id"):
        keys = _normalised(ordered[column]).to_numpy(dtype=object)
        named = keys != ""
        lookup.update(zip(zip(orgs[named], keys[named], strict=True), system_keys[named], strict=True))
    return lookup


def _link(frame: pd.DataFrame, column: str, lookup: dict[tuple[str, str], str], issues: _Issues, what: str, *,
          org_column: str = "organisation", reported_as: str | None = None) -> pd.Series:
    """The system key each reference in ``column`` names; a reference to nothing is a warning."""
    orgs = frame["organisation"]
    if org_column in frame:
        orgs = frame[org_column].where(frame[org_column].notna(), orgs)
    names = _normalised(frame[column]).to_numpy(dtype=object)
    keys = pd.Series([lookup.get((org, name)) if name else None
                      for org, name in zip(orgs.to_numpy(dtype=object), names, strict=True)],
                     index=frame.index, dtype=object)
    dangling = keys.isna() & frame[column].notna()
    for r, org in zip(frame.loc[dangling].itertuples(), orgs[dangling], strict=True):
        value = getattr(r, column)
        issues.add(r.source_file, r.source_sheet, r.source_row, reported_as or column, "warning",
                   f"{what} refers to system '{value}', which is not in the Systems of {org}", value)
    return keys


def _integrations_from_systems(systems: pd.DataFrame) -> pd.DataFrame:
    """One integration row per system named in a Systems row's ``integrations`` cell."""
    listed = systems.loc[systems["integrations"].notna(), ["source_file", "source_sheet", "source_row",
                                                           "organisation", "system", "system_key", "integrations"]]
    targets = listed["integrations"].astype(str).str.split(_LIST_SPLIT.pattern, regex=True)
    out = listed.assign(target=targets).explode("target")
    out["target"] = out["target"].str.strip()
    out = out.loc[out["target"].fillna("").ne("")].drop(columns="integrations")
    return out.rename(columns={"system": "source", "system_key": "source_key"}).assign(listed_in="Systems")


def _link_sites(systems: pd.DataFrame, sites: pd.DataFrame, issues: _Issues) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Give sites a ``site_key`` and systems the key of the site they run at.

    A system's site is looked for first in its own organisation's Sites, then as
    the one site of that name anywhere (a county data centre may host a
    district's systems). A named site that no Sites sheet lists keeps its name
    with no key, reported as ``info``.
    """
    sites = sites.assign(site_key=sites["organisation"].astype(str) + "/" + sites["site"].astype(str))
    own = {(o, normalise_header(s)): k for o, s, k in zip(sites["organisation"], sites["site"], sites["site_key"],
                                                          strict=True)}
    anywhere = pd.Series(sites["site_key"].to_numpy(), index=sites["site"].map(normalise_header))
    unique = anywhere[~anywhere.index.duplicated(keep=False)].to_dict()
    if own or unique:
        names = _normalised(systems["site"]).to_numpy(dtype=object)
        keys = [own.get((o, n)) or unique.get(n) if n else None
                for o, n in zip(systems["organisation"].to_numpy(dtype=object), names, strict=True)]
    else:  # no Sites sheet: no system has a site key
        keys = [None] * len(systems)
    systems = systems.assign(site_key=pd.Series(keys, index=systems.index, dtype=object))
    if len(sites):
        unknown = systems["site_key"].isna() & systems["site"].notna()
        for r in systems.loc[unknown].itertuples():
            issues.add(r.source_file, r.source_sheet, r.source_row, "site", "info",
                       "site is not listed in any Sites sheet", r.site)
    return systems, sites


# ----------------------------------------------------------------------------------------------
# The entry point


def read_inventory(
    paths: str | Path | Iterable[str | Path],
    *,
    header_map: HeaderMap | str | Path | None = None,
    keep_going: bool = False,
    max_bytes: int = DEFAULT_MAX_BYTES,
    currency: str = "GBP",
    first_month: int = 4,
) -> Inventory:
    """Read inventory files and folders into an :class:`~estate.Inventory`.

    Parameters
    ----------
    paths : str, Path or iterable of them
        Files (``.xlsx``, ``.xlsm``, ``.csv``) and folders of them.
    header_map : mapping or path, optional
        The user's own header wordings, header → field (or ``table.field``),
        for headers no synonym foresees; or a file read by
        :func:`read_header_map`.
    keep_going : bool, default=False
        Whether to go on past a file that cannot be read. Its problem is then
        an ``error`` issue with no row; otherwise it is raised.
    max_bytes : int, default=50 MiB
        Files larger than this are refused.
    currency : str, default="GBP"
        The plan currency; amounts typed in another are flagged.
    first_month : int, default=4
        First month of the financial year, for dates typed as ``2027/28``.

    Returns
    -------
    Inventory

    Raises
    ------
    InputFileError
        A file cannot be read (unless ``keep_going``), or no file holds a
        Systems table.

    Notes
    -----
    A formula cell is read through the value the workbook saved with it.
    Excel saves one for every formula; a workbook written by a script
    (openpyxl, for one) may not, and then the cell reads as blank, with a
    ``warning`` issue naming its file, sheet, row, column and cell.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "copeland.csv"
    >>> _ = p.write_text("System,Product,Contract end\\nPlanning,Idox Uniform,31/03/2027\\n", encoding="utf-8")
    >>> inv = read_inventory(p)
    >>> inv.systems.loc[0, ["organisation", "product", "contract_end"]].tolist()
    ['Copeland', 'Idox Uniform', Timestamp('2027-03-31 00:00:00')]
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    elif isinstance(paths, (pd.DataFrame, pd.Series, bytes, Mapping)) or not isinstance(paths, Iterable):
        raise ParameterError("The 'paths' parameter of read_inventory must be a file or folder, or a list of them. "
                             f"Got {type(paths).__name__} instead.")
    paths = list(paths)
    wrong = next((p for p in paths if not isinstance(p, (str, os.PathLike))), None)
    if wrong is not None:
        raise ParameterError("The 'paths' parameter of read_inventory must be a file or folder, or a list of them. "
                             f"Got a list holding {type(wrong).__name__} instead.")
    if header_map is not None and not isinstance(header_map, Mapping):
        header_map = read_header_map(header_map)
    elif header_map is not None:
        _check_header_map(header_map)
    if not isinstance(first_month, int) or not 1 <= first_month <= 12:
        raise ParameterError(f"The 'first_month' parameter of read_inventory must be an int in [1, 12]. "
                             f"Got {first_month!r} instead.")
    paths = list(paths)
    files, skipped = find_input_files(paths)
    given = {Path(p).resolve() for p in paths if not Path(p).is_dir()}
    issues = _Issues()
    for path, reason in skipped:
        issues.add(display_name(path), "", None, "", "info", f"file not read: {reason}")
    parts: dict[str, list[_Piece]] = {key: [] for key in TABLES}
    read_files: list[str] = []
    hints: dict[tuple[str, str], tuple[str, ...]] = {}
    org_columns: dict[tuple[str, str], tuple[str, str, tuple[str, ...]]] = {}
    for path in files:
        try:
            kind = check_file(path, max_bytes=max_bytes)
            output = written_by_estate(path)
            if output is not None:
                # Estate's own plans and reports are never read back as inventories (they list systems too).
                note = f"a {output} written by estate, not an inventory"
                if path.resolve() in given:
                    raise InputFileError(path, f"{note} (give the inventories the {output} was made from)")
                issues.add(display_name(path), "", None, "", "info", f"file not read: {note}")
                continue
            grids = _load_xlsx(path, max_bytes) if kind == "xlsx" else _load_csv(path, issues)
            found = _read_file(path, grids, header_map=header_map, issues=issues, hints=hints,
                               columns=org_columns)
        except InputFileError as exc:
            if not keep_going:
                raise
            issues.add(display_name(path), "", None, "", "error", f"file not read: {exc.problem}")
            continue
        read_files.append(display_name(path))
        for key, piece in found:
            parts[key].append(piece)

    # Each column is parsed once over all the files: they share most of their distinct values.
    tables = {key: _build_table(key, pieces, issues, currency=currency, first_month=first_month)
              for key, pieces in parts.items()}
    if not len(tables["systems"]) and not parts["systems"]:
        if files and not read_files:
            pass  # every file failed and was reported
        elif files:
            raise NoHeaderError(Path(files[0]) if len(files) == 1 else Path(", ".join(p.name for p in files)),
                                "no Systems table found: give a sheet with a header such as 'System', "
                                "'Vendor', 'Annual cost'")
    tables = _assemble(tables, issues, hints=hints, org_columns=org_columns)
    return Inventory(**tables, issues=issues.to_frame(), files=tuple(sorted(read_files)))


def _read_file(path: Path, grids: list[_Grid], *, header_map: HeaderMap | None,
               issues: _Issues, hints: dict | None = None, columns: dict | None = None) -> list[tuple[str, _Piece]]:
    """The tables of one file's sheets.

    ``hints`` gets, for each (file, organisation) taken from the file's name, the texts that may name
    its organisation (the name, the title cells); ``columns`` gets, for each (file, sheet) of systems with
    an organisation column, its heading, the file's own organisation and those texts. :func:`_assemble`
    settles both against the Organisations sheet.
    """
    hints = {} if hints is None else hints
    columns = {} if columns is None else columns
    found: list[tuple[str, _Piece]] = []
    headed: list[tuple[_Grid, _Header]] = []
    queue = list(grids)
    while queue:
        grid = queue.pop(0)
        if grid.cells.size == 0 or grid.empty.all():
            continue
        header = _find_header(grid, header_map)
        if header is not None and not grid.hidden and header.row > 1:
            # The best header may be a second table's (it names more columns): is there a first one above?
            above = _Grid(grid.file, grid.sheet, grid.cells[:header.row], grid.rows[:header.row])
            first = _find_header(above, header_map)
            if first is not None and (~above.empty[first.row + 1:]).any():
                top, bottom, _ = _split_grid(grid, header.row, header_map)
                issues.add(display_name(path), grid.sheet, int(bottom.rows[0]), "", "info",
                           f"a second table starts here, under its own header: read as {header.table.key}")
                queue[:0] = [top, bottom]
                continue
        if header is not None and not grid.hidden:
            lower = _second_table(grid, header, header_map)
            if lower is not None:
                top, bottom, table = _split_grid(grid, lower, header_map)
                grid = top
                if table is not None:
                    issues.add(display_name(path), grid.sheet, int(bottom.rows[0]), "", "info",
                               f"a second table starts here, under its own header: read as {table.key}")
                    queue.insert(0, bottom)
                else:  # a table of something else (a summary, a key): its rows are not systems
                    filled = np.flatnonzero(~bottom.empty.all(axis=1))
                    issues.add_many(display_name(path), grid.sheet, bottom.rows[filled], "", "warning",
                                    f"row of a second table (from row {int(bottom.rows[0])}) whose header names no "
                                    "inventory table: not read; move it to a sheet of its own if it holds systems",
                                    [" | ".join(_as_text(c) for c in bottom.cells[i] if _as_text(c).strip())[:200]
                                     for i in filled.tolist()])
        if grid.hidden:  # an old copy is often hidden: never read as data without a word
            if header is not None:
                issues.add(display_name(path), grid.sheet, None, "", "warning",
                           f"hidden sheet not read, though it has a {header.table.key} header: unhide it in Excel "
                           "(right-click a sheet tab > Unhide) if it holds current data")
            else:
                issues.add(display_name(path), grid.sheet, None, "", "info", "hidden sheet not read")
            continue
        if header is None:
            sheet_key = normalise_header(grid.sheet)
            if any(sheet_key in _sheet_keys(t) for t in TABLES.values()) and sheet_key:
                issues.add(display_name(path), grid.sheet, None, "", "warning",
                           "sheet named like an inventory table has no recognisable header row: not read")
            else:
                issues.add(display_name(path), grid.sheet, None, "", "info", "sheet not read: no inventory header found")
            continue
        headed.append((grid, header))
    if not headed:
        raise NoHeaderError(path, "no sheet has a recognisable header row (such as 'System', 'Vendor', "
                                  "'Annual cost'); map unusual headers with --header-map")
    # The file's organisation: a labelled cell above any header, else the file's name.
    label = None
    for grid, header in headed:
        label = label or _label_organisation(grid.cells[: header.row])
    for grid, header in headed:
        sheet_org = None
        sheet_key = normalise_header(grid.sheet)
        if grid.sheet and not any(sheet_key in _sheet_keys(t) for t in TABLES.values()) and len(
                [h for g, h in headed if h.table is header.table]) > 1:
            sheet_org = grid.sheet.strip()  # one sheet an organisation
        file_org = _label_organisation(grid.cells[: header.row]) or sheet_org or label or _title_organisation(
            grid.cells[: header.row])
        if file_org is None:  # the file's name: a listed organisation named in it or in the titles wins later
            file_org = _organisation_from_name(printable(path.stem))
            hints[(display_name(path), file_org)] = (printable(path.stem), *_title_texts(grid.cells[: header.row]))
        piece = _read_grid(grid, header, file_org=file_org, issues=issues)
        if piece.org_column and header.table is SYSTEMS:
            heading = next(_as_text(grid.cells[header.row, j]).strip() for j, name in header.columns.items()
                           if name == "organisation")
            columns[(display_name(path), grid.sheet)] = (heading, file_org, (printable(path.stem),
                                                                            *_title_texts(grid.cells[: header.row])))
        found.append((header.table.key, piece))
    return found


_ANY_TABLE = " "  # a sheet name that names no table: any table's header, of two columns at least


def _second_table(grid: _Grid, header: _Header, header_map: HeaderMap | None) -> int | None:
    """The grid row where a second table starts below the first, or None.

    A second table starts after a blank row, with a row of text only that is
    a header of its own: it names at least two columns of a table and they
    are not the first table's headers repeated (a repeated header row is
    skipped as such).
    """
    n = grid.cells.shape[0]
    if n <= header.row + 2:
        return None
    blank = grid.empty.all(axis=1)
    after_blank = np.zeros(n, dtype=bool)
    after_blank[header.row + 2:] = blank[header.row + 1:-1] & ~blank[header.row + 2:]
    own = {_header_key(_as_text(grid.cells[header.row, j]).strip()) for j in header.columns}
    for i in np.flatnonzero(after_blank).tolist():
        row = grid.cells[i]
        filled = ~grid.empty[i]
        if filled.sum() < MIN_HEADER_MATCHES or not all(isinstance(c, str) for c in row[filled]):
            continue
        keys = _row_keys(row)
        if {key for _, key in keys} <= own:
            continue  # the first table's header again
        known = max(len(_match_row(keys, {**_header_names(t), **_user_headers(header_map, t)}))
                    for t in TABLES.values())
        if known >= MIN_HEADER_MATCHES:
            return i
    return None


def _split_grid(grid: _Grid, at: int, header_map: HeaderMap | None) -> tuple[_Grid, _Grid, Table | None]:
    """The grid above row ``at``, the grid from it down, and the table the lower one's header names (or None)."""
    rows, columns = grid.uncached
    top = _Grid(grid.file, grid.sheet, grid.cells[:at], grid.rows[:at], (rows[rows < at], columns[rows < at]),
                grid.hidden, grid.longest)
    bottom = _Grid(grid.file, grid.sheet, grid.cells[at:], grid.rows[at:],
                   (rows[rows >= at] - at, columns[rows >= at]), grid.hidden, grid.longest)
    header = _find_header(_Grid(grid.file, _ANY_TABLE, grid.cells[at:at + 1], grid.rows[at:at + 1]), header_map)
    return top, bottom, header.table if header is not None else None


def _concat(key: str, frames: list[pd.DataFrame]) -> pd.DataFrame:
    base = empty_table(key)
    base = base.drop(columns=[c for c in DERIVED_COLUMNS.get(key, ()) if c in base])
    frames = [f for f in frames if len(f)]
    if not frames:
        return base
    out = pd.concat(frames, ignore_index=True, sort=False)
    ordered = list(base.columns) + sorted(c for c in out.columns if c not in base.columns)
    out = out.reindex(columns=ordered)
    for column in base.columns:
        if out[column].dtype != base[column].dtype:
            out[column] = out[column].astype(base[column].dtype)
    return out


def _skip_template_examples(tables: dict[str, pd.DataFrame], issues: _Issues) -> None:
    """Drop the collection template's example rows left in a return, each reported (estate.template_examples)."""
    from estate.template_examples import EXAMPLE_NOTE, find_example_rows

    for key, frame in tables.items():
        if key not in TABLES or frame.empty:
            continue
        examples = find_example_rows(frame, TABLES[key]).to_numpy()
        if not examples.any():
            continue
        chosen = frame.loc[examples]
        label = next((c for c in ("system", "site", "source", "organisation") if c in chosen), None)
        values = chosen[label].map(_as_text).to_numpy(dtype=object) if label else np.full(len(chosen), "", object)
        issues.add_many(chosen["source_file"].to_numpy(dtype=object), chosen["source_sheet"].to_numpy(dtype=object),
                        chosen["source_row"].to_numpy(), "", "info", EXAMPLE_NOTE, values)
        tables[key] = frame.loc[~examples].reset_index(drop=True)


def _words(text: str) -> tuple[str, ...]:
    return tuple(w for w in re.split(r"[\W_]+", text.casefold().replace("&", " and ")) if w)


def _names_organisation(texts: tuple[str, ...], aliases: dict[tuple[str, ...], str]) -> str | None:
    """The one listed organisation whose name or short name the texts (a file's name, its titles) contain.

    Names are compared word by word (``burnley-bc-ict-register`` names ``Burnley``; ``Burnley`` alone does
    not name ``Burnley Leisure``); None when no organisation, or more than one, is named.
    """
    found: set[str] = set()
    for text in texts:
        words = _words(text)
        for alias, organisation in aliases.items():
            n = len(alias)
            if n and any(words[i:i + n] == alias for i in range(len(words) - n + 1)):
                found.add(organisation)
    return found.pop() if len(found) == 1 else None


def _settle_organisations(systems: pd.DataFrame, names: dict[str, str], issues: _Issues, *,
                          hints: dict[tuple[str, str], tuple[str, ...]],
                          org_columns: dict[tuple[str, str], tuple[str, str, tuple[str, ...]]],
                          report: bool = True) -> pd.DataFrame:
    """Each file's organisation settled against the Organisations sheet's names.

    * An organisation taken from a file's name (``ELHT_Applications.xlsx``) becomes the listed organisation
      the file's name or title rows name (``ELHT``, short for East Lancashire Hospitals NHS Trust).
    * An organisation column none of whose values is a listed organisation (``Department``: Finance, ICT)
      holds the organisation's departments: the rows are the file's organisation's, and the column is kept
      as an extra attribute, with a warning.
    """
    aliases = {normalise_header(alias): organisation for alias, organisation in names.items()}
    by_words = {_words(alias): organisation for alias, organisation in names.items()}
    known = set(aliases)
    files = systems["source_file"].to_numpy(dtype=object)
    sheets = systems["source_sheet"].to_numpy(dtype=object)
    organisation = systems["organisation"].to_numpy(dtype=object).copy()
    for (file, sheet), (heading, file_org, texts) in sorted(org_columns.items()):
        rows = (files == file) & (sheets == sheet)
        values = pd.unique(organisation[rows][pd.notna(organisation[rows])])
        if not len(values) or any(normalise_header(v) in known for v in values):
            continue
        owner = aliases.get(normalise_header(file_org)) or _names_organisation(texts, by_words)
        if owner is None:
            continue
        extra = f"extra: {heading}"
        column = systems[extra].to_numpy(dtype=object).copy() if extra in systems else np.full(
            len(systems), np.nan, dtype=object)
        column[rows] = organisation[rows]
        systems = systems.assign(**{extra: column})
        organisation[rows] = owner
        shown = ", ".join(sorted(str(v) for v in values)[:5]) + (", ..." if len(values) > 5 else "")
        issues.add(file, sheet, None, heading, "warning",
                   f"column '{heading}' names none of the organisations on the Organisations sheet ({shown}): "
                   f"read as a part of {owner}, not as organisations, and kept as an extra attribute", shown)
    for (file, file_org), texts in sorted(hints.items()):
        if normalise_header(file_org) in known:
            continue
        owner = _names_organisation(texts, by_words)
        rows = (files == file) & (organisation == file_org)
        if owner is None or not rows.any():
            continue
        organisation[rows] = owner
        if report:
            issues.add(file, "", None, "organisation", "info",
                       f"organisation taken as '{owner}' (named in the file's name or titles), from the "
                       f"Organisations sheet", file_org)
    return systems.assign(organisation=organisation)


def _assemble(tables: dict[str, pd.DataFrame], issues: _Issues, *,
              hints: dict[tuple[str, str], tuple[str, ...]] | None = None,
              org_columns: dict[tuple[str, str], tuple[str, str, tuple[str, ...]]] | None = None,
              ) -> dict[str, pd.DataFrame]:
    _skip_template_examples(tables, issues)
    organisations = tables["organisations"]
    systems = tables["systems"]

    # Organisation names given by short name or code in the Systems sheets become the full names.
    if len(organisations):
        aliases: dict[str, str] = {}
        for r in organisations.itertuples():
            if isinstance(r.organisation, str):
                for alias in (r.organisation, r.short_name):
                    if isinstance(alias, str):
                        aliases[normalise_header(alias)] = r.organisation
        if len(systems) and (hints or org_columns):
            names = {alias: r.organisation for r in organisations.itertuples() if isinstance(r.organisation, str)
                     for alias in (r.organisation, r.short_name) if isinstance(alias, str)}
            for key in ("systems", "contracts", "integrations", "sites"):
                if len(tables[key]) and "organisation" in tables[key]:
                    tables[key] = _settle_organisations(tables[key], names, issues, hints=hints or {},
                                                        org_columns=org_columns or {} if key == "systems" else {},
                                                        report=key == "systems")
        for key in ("systems", "contracts", "integrations", "sites"):
            frame = tables[key]
            if len(frame) and "organisation" in frame:
                mapped = frame["organisation"].map(lambda v: aliases.get(normalise_header(v), v)
                                                   if isinstance(v, str) else v)
                tables[key] = frame.assign(organisation=mapped)
        systems = tables["systems"]

    systems, fingerprint = _finish_systems(systems, issues)
    if len(systems):
        systems = systems.assign(system_key=_system_keys(systems, fingerprint))
        systems = systems.sort_values(["organisation", "system_key"], kind="stable").reset_index(drop=True)
    else:
        systems = empty_table("systems")
    lookup = _resolver(systems) if len(systems) else {}

    contracts = tables["contracts"]
    if len(contracts):
        contracts = contracts.assign(system_key=_link(contracts, "system", lookup, issues, "contract"))
    integrations = tables["integrations"]
    if len(integrations):
        integrations = integrations.assign(
            source_key=_link(integrations, "source", lookup, issues, "integration"),
            target_key=_link(integrations, "target", lookup, issues, "integration",
                             org_column="target_organisation"),
            listed_in="Integrations",
        )
    listed = _integrations_from_systems(systems) if len(systems) else pd.DataFrame()
    if len(listed):
        listed["target_key"] = _link(listed, "target", lookup, issues, "integration", reported_as="integrations")
        integrations = pd.concat([integrations, listed], ignore_index=True, sort=False) if len(
            integrations) else listed
    systems, sites = _link_sites(systems, tables["sites"], issues) if len(systems) else (systems, tables["sites"])
    out = {"organisations": organisations, "systems": systems, "contracts": contracts,
           "integrations": integrations, "sites": sites}
    for key in ("organisations", "contracts", "integrations", "sites"):
        frame = out[key]
        if len(frame):
            if key == "organisations":
                frame = _drop_unusable(frame, "organisation", issues, "no organisation name")
            elif key == "contracts":
                frame = _drop_unusable(frame, "system", issues, "contract names no system")
            elif key == "sites":
                frame = _drop_unusable(frame, "site", issues, "no site name")
            elif key == "integrations":
                frame = _drop_unusable(frame, "target", issues, "integration has no target", also="source")
            sort = [c for c in ("organisation", "source_file", "source_sheet", "source_row") if c in frame]
            out[key] = frame.sort_values(sort, kind="stable").reset_index(drop=True)
        else:
            out[key] = empty_table(key)
    from estate.reorganisation import check_reorganisation

    for r in check_reorganisation(out["organisations"], out["systems"]).itertuples(index=False):
        issues.add(r.source_file, r.sheet, r.source_row, r.column, r.severity, r.problem, r.value)
    return out


def _drop_unusable(frame: pd.DataFrame, column: str, issues: _Issues, problem: str, *,
                   also: str | None = None) -> pd.DataFrame:
    bad = frame[column].isna()
    if also is not None:
        bad |= frame[also].isna()
    for r in frame.loc[bad].itertuples():
        issues.add(r.source_file, r.source_sheet, r.source_row, column, "error", f"{problem}: row not loaded", "")
    return frame.loc[~bad]
