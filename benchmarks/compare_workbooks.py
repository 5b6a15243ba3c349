"""Check that two plan workbooks hold the same cells: every sheet, every cell's value, formula, type and style.

Used to show that a change to the writer (``estate/_xlsx.py``, ``estate/workbook.py``) leaves the workbook
unchanged. First each part of the two files is compared uncompressed, byte for byte: a sheet whose XML is
identical (with identical shared strings and styles) holds identical cells, which is the cheap check and
the usual case at millions of cells. A sheet whose XML differs is then read with openpyxl (``read_only``)
in both files and compared cell by cell: the value (a formula's text for a formula cell), the data type,
and the style (number format, font, fill, border, alignment, protection). Parts other than sheets that
differ are listed (``docProps/core.xml`` holds the time the file was written, so it differs between runs).

Exit status 0 when every sheet holds the same cells, 1 otherwise (the first differences are printed)::

    python benchmarks/compare_workbooks.py before.xlsx after.xlsx
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from itertools import zip_longest
from pathlib import Path

_SHARED = ("xl/sharedStrings.xml", "xl/styles.xml")


def _parts(path: Path) -> dict[str, zipfile.ZipInfo]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: info for info in archive.infolist()}


def _same_part(a: zipfile.ZipFile, b: zipfile.ZipFile, name: str) -> bool:
    """The uncompressed bytes of part ``name`` are the same in both files (read in pieces)."""
    if a.getinfo(name).file_size != b.getinfo(name).file_size or a.getinfo(name).CRC != b.getinfo(name).CRC:
        return False
    with a.open(name) as x, b.open(name) as y:
        while True:
            chunk = x.read(1 << 24)
            if chunk != y.read(1 << 24):
                return False
            if not chunk:
                return True


def _sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name -> its part in the file (``xl/worksheets/sheetN.xml``)."""
    from openpyxl.reader.excel import ExcelReader

    reader = ExcelReader(str(path), read_only=True)
    reader.read_manifest()
    reader.read_strings()
    reader.read_workbook()
    return {sheet.name: rel.target for sheet, rel in reader.parser.find_sheets()}


def _style(cell: object, cache: dict) -> tuple:
    key = tuple(getattr(cell, "_style", ()) or ())
    if key not in cache:
        cache[key] = (cell.number_format, repr(cell.font), repr(cell.fill), repr(cell.border),
                      repr(cell.alignment), repr(cell.protection))
    return cache[key]


def _compare_cells(before: Path, after: Path, sheet: str, limit: int) -> list[str]:
    """Cell-by-cell differences of one sheet (at most ``limit``), read with openpyxl."""
    from openpyxl import load_workbook

    problems: list[str] = []
    books = [load_workbook(path, read_only=True) for path in (before, after)]
    caches: list[dict] = [{}, {}]
    try:
        rows = zip_longest(*(book[sheet].iter_rows() for book in books), fillvalue=())
        for r, (row_a, row_b) in enumerate(rows, start=1):
            cells_a = {c.column: c for c in row_a if getattr(c, "value", None) is not None or getattr(c, "_style", None)}
            cells_b = {c.column: c for c in row_b if getattr(c, "value", None) is not None or getattr(c, "_style", None)}
            for col in sorted(set(cells_a) | set(cells_b)):
                a, b = cells_a.get(col), cells_b.get(col)
                seen_a = None if a is None else (a.value, a.data_type, _style(a, caches[0]))
                seen_b = None if b is None else (b.value, b.data_type, _style(b, caches[1]))
                if seen_a != seen_b:
                    problems.append(f"{sheet}!R{r}C{col}: {seen_a!r} != {seen_b!r}")
                    if len(problems) >= limit:
                        return problems
    finally:
        for book in books:
            book.close()
    return problems


def compare(before: Path, after: Path, limit: int = 20, cells: bool = False) -> list[str]:
    """Differences between the cells of two workbooks (empty when they hold the same cells).

    ``cells`` compares every sheet cell by cell even when its XML is identical.
    """
    problems: list[str] = []
    sheets_a, sheets_b = _sheet_parts(before), _sheet_parts(after)
    if list(sheets_a) != list(sheets_b):
        return [f"sheets differ: {list(sheets_a)} != {list(sheets_b)}"]
    parts_a, parts_b = _parts(before), _parts(after)
    with zipfile.ZipFile(before) as a, zipfile.ZipFile(after) as b:
        same = {name: _same_part(a, b, name) for name in sorted(set(parts_a) & set(parts_b))}
    for name in sorted(set(parts_a) ^ set(parts_b)):
        print(f"part only in one file: {name}")
    for name, equal in same.items():
        if not equal and not name.startswith("xl/worksheets/sheet"):
            print(f"part differs: {name}")
    shared_same = all(same.get(name, False) for name in _SHARED)
    for sheet, target in sheets_a.items():
        part = target.lstrip("/")
        if cells or not (shared_same and same.get(part, False)):
            found = _compare_cells(before, after, sheet, limit - len(problems))
            print(f"{sheet}: compared cell by cell, {len(found)} differences")
            problems += found
            if len(problems) >= limit:
                break
        else:
            print(f"{sheet}: identical XML")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--cells", action="store_true", help="compare every sheet cell by cell")
    parser.add_argument("--limit", type=int, default=20, help="stop after this many differences")
    args = parser.parse_args()
    problems = compare(args.before, args.after, args.limit, args.cells)
    for problem in problems:
        print(problem)
    print("SAME CELLS" if not problems else f"DIFFERENT: {len(problems)} differences shown")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
