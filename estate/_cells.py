"""Count the cells a workbook's sheets hold, from their XML, before any parser builds a grid.

A spreadsheet parser lays a sheet out as a dense grid from its first to its
last cell: one stray value at ``XFD1048576`` in a 2 KB file asks for
17 billion cells (hundreds of GB). :func:`scan_workbook` streams each
worksheet's XML once (in chunks, never whole) and gives, for each sheet, how
many cells hold a value, the extent those cells span and whether the sheet is
hidden, so that the reader can refuse a sheet whose grid would be far larger
than what it holds, and bound the cells a file may hold, before anything is
allocated.

Examples
--------
>>> import tempfile, pathlib, openpyxl
>>> path = pathlib.Path(tempfile.mkdtemp()) / "stray.xlsx"
>>> book = openpyxl.Workbook()
>>> book.active.title = "Systems"
>>> book.active.append(["System", "Vendor"])
>>> book.active["XFD1048576"] = "x"
>>> book.save(path)
>>> sheet = scan_workbook(path)["Systems"]
>>> sheet.present, sheet.last_cell, f"{sheet.grid_cells:,}"
(3, 'XFD1048576', '17,179,869,184')
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import defusedxml.ElementTree

__all__ = ["SheetCells", "column_letters", "scan_workbook"]

_CHUNK = 1024 * 1024
# A cell that holds something: a <c> element that is not self-closing (an empty, styled cell is <c .../>).
# [^>]* cannot run past the tag's end, so each match is linear in the tag's length.
_VALUE_CELL = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"[^>]*(?<!/)>')
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIP_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


@dataclass(frozen=True)
class SheetCells:
    """What one worksheet holds: cells with a value, the rows and columns they span, and its visibility."""

    name: str
    hidden: bool
    present: int  # cells holding a value (or a formula)
    last_row: int  # 1-based; 0 for an empty sheet
    last_column: int  # 1-based; 0 for an empty sheet

    @property
    def grid_cells(self) -> int:
        """Cells of the dense grid from A1 to the last row and column: what a parser allocates."""
        return self.last_row * self.last_column

    @property
    def last_cell(self) -> str:
        """The bottom-right corner of that grid, as Excel names it (``XFD1048576``)."""
        return f"{column_letters(self.last_column)}{self.last_row}" if self.present else ""


def column_letters(number: int) -> str:
    """Excel's letters for a 1-based column number.

    >>> column_letters(1), column_letters(26), column_letters(27), column_letters(16384)
    ('A', 'Z', 'AA', 'XFD')
    """
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def scan_workbook(path: str | Path, *, exact: bool = False) -> dict[str, SheetCells]:
    """Each worksheet's :class:`SheetCells`, by sheet name, read from the workbook's XML.

    The workbook must already have passed :func:`estate.safety.check_file`
    (a zip of well-formed structure parts, with no XML bomb). Chartsheets and
    parts the workbook does not list are left out. The fast scan (the
    default) may take a formatted, empty cell for the sheet's last cell;
    ``exact=True`` looks at each cell (slower), to confirm a sheet the fast
    scan finds too sparse.
    """
    with zipfile.ZipFile(path) as archive:
        book = defusedxml.ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = defusedxml.ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(_RELATIONSHIP)}
        names = set(archive.namelist())
        out: dict[str, SheetCells] = {}
        for sheet in book.iter(f"{_MAIN_NS}sheet"):
            target = targets.get(sheet.get(_RELATIONSHIP_ID), "")
            part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            name = sheet.get("name", "")
            hidden = sheet.get("state", "visible") != "visible"
            if part not in names:
                continue
            present, last_row, last_column = (_scan_exactly if exact else _scan_part)(archive, part)
            out[name] = SheetCells(name, hidden, present, last_row, last_column)
    return out


_FAST_COLUMN = re.compile(rb'<c r="([A-Z]{1,3})')
_LAST_ROW = re.compile(rb'<c r="[A-Z]{1,3}([0-9]{1,7})"')


def _scan_part(archive: zipfile.ZipFile, part: str) -> tuple[int, int, int]:
    """Cells with a value, the last row and the last column of one worksheet part, streamed.

    A fast pass counts values and takes the columns of every cell (empty,
    styled cells too, so the extent can only be overestimated) where each
    ``<c>`` starts with its reference, as Excel and the common libraries
    write it; a sheet it cannot read that way is scanned exactly.
    """
    present = last_row = 0
    columns: set[bytes] = set()
    for body in _bodies(archive, part):
        cells = _FAST_COLUMN.findall(body)
        if len(cells) != body.count(b"<c ") + body.count(b"<c>"):
            return _scan_exactly(archive, part)
        if cells:
            columns.update(cells)
            present += body.count(b"<v>") + body.count(b"<v ") + body.count(b"<is>")
            last = body.rfind(b'<c r="')
            found = _LAST_ROW.match(body, last)
            if found:
                last_row = max(last_row, int(found.group(1)))
    return present, last_row, max((_column_number(c) for c in columns), default=0)


def _scan_exactly(archive: zipfile.ZipFile, part: str) -> tuple[int, int, int]:
    """:func:`_scan_part` cell by cell: only cells holding something, wherever their reference stands."""
    present = last_row = 0
    columns: set[bytes] = set()
    for body in _bodies(archive, part):
        found = _VALUE_CELL.findall(body)
        if found:
            present += len(found)
            columns.update(letters for letters, _ in found)
            last_row = max(last_row, max(int(row) for _, row in found))
    return present, last_row, max((_column_number(c) for c in columns), default=0)


def _bodies(archive: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    """A part's bytes in chunks of about 1 MB, each ending before a tag the chunk's end would cut."""
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            data = tail + chunk
            cut = data.rfind(b"<")
            if cut > 0:
                yield data[:cut]
                tail = data[cut:]
            else:
                yield data
                tail = b""
    if tail:
        yield tail
