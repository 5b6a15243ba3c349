"""Tests of estate._xlsx: columns streamed into a worksheet read back as XlsxWriter's own cells do.

The oracle is XlsxWriter itself: the same values written cell by cell through
its public ``write_*`` methods (as ``estate.workbook._put`` writes small
tables) must read back identically, through openpyxl (formulas and stored
values, number formats) and python-calamine.
"""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

import estate._xlsx as xlsx
from estate._xlsx import PlanWorkbook, PlanWorksheet, Rows, branches, cat, per_row
from estate.workbook import _put, _stored

N = 14
LONG = "x" * 40_000


def value_columns() -> dict[str, pd.Series]:
    """One column of each kind a plan writes, with the awkward values of each."""
    floats = [1.5, np.nan, np.inf, -0.0, 1e20, 0.1 + 0.2, 12.0, -3.25, 1 / 3, 2.0**53, -np.inf, 7e-9, 4650850.0, 0.0]
    mixed = ["text", 3, 2.5, date(2027, 4, 1), datetime(2028, 3, 31, 12, 0), Decimal("1.10"), None, np.bool_(True),
             "=1+1", "\t@cmd", "bell\x07", LONG, "  spaced  ", pd.Timestamp("2030-01-01", tz="Europe/London")]
    return {
        "float": pd.Series(floats),
        "int": pd.Series([1, None, 3, 4, 5, None, 7, 8, 9, 10, 11, 12, 13, 14], dtype="Int64"),
        "bool": pd.Series([True, False] * 7),
        "nullable bool": pd.Series([True, None, False] + [True] * 11, dtype="boolean"),
        "dates": pd.Series(pd.to_datetime(["2027-04-01", None, "1900-01-15", "1900-03-01"] + ["2031-12-31"] * 10)),
        "aware": pd.Series(pd.date_range("2027-01-01 09:30", periods=N, freq="D", tz=timezone.utc)),
        "text": pd.Series(["a", None, "b & <c>", "a", "=SUM(A1)", "+1", "-1", "@x", "\r\n", "", "é", "a", "z", "a"]),
        "str dtype": pd.Series(["p", None, "q"] * 4 + ["p", "p"], dtype="str"),
        "category": pd.Series(["u", "v"] * 7, dtype="category"),
        "mixed": pd.Series(mixed, dtype=object),
        "empty": pd.Series([None] * N, dtype=object),
    }


def formula_columns() -> dict[str, tuple[object, pd.Series]]:
    """Formulas (one for all rows, or one a row with None for none) and the values they store."""
    rows = np.arange(2, N + 2).astype(str).astype(object)
    some = np.where(np.arange(N) % 3 == 0, None, "A" + rows + '*2+IF(B' + rows + '<>"x",1,0)')
    return {
        "number": ("A2+1", pd.Series(np.linspace(-1.5, 11, N))),
        "text": ('IF(A2>0,"Yes","No")', pd.Series(["Yes", "No"] * 7)),
        "blank": ('IF(A2>0,"","")', pd.Series([""] * 7 + [None] * 7, dtype=object)),
        "some rows": (some, pd.Series([1.0, 2.0, "kept & <text>", np.nan] * 3 + [5.0, 6.0], dtype=object)),
        # Rows: the pieces joined by each row's number, written without building each row's formula first.
        "rows": (cat("A", Rows(("B", ""), 2, N), '&"<&>"&', Rows(("C", ""), 2, N)),
                 pd.Series(["x<&>y", "", None, 3.5] * 3 + [1.0, "z"], dtype=object)),
        # A choice between text and Rows, none in some rows, stored values of every kind.
        "choice": (branches(N, (np.arange(N) % 4 == 0, lambda: 'IF(A2>0,"a&b","")'),
                            (np.arange(N) % 4 == 1, lambda: cat("SUM(A", Rows(("", ":B", ""), 2, N), ")"))),
                   pd.Series([1.0, -2.5, "kept", None, "a&b", 7.0, 8.0, 9.0, "", 10.0, 11.0, np.nan, 1e20, 0.0],
                             dtype=object)),
        # Rows of a block starting elsewhere are written row by row.
        "other block": (cat("D", Rows(("", "+1"), 7, N)), pd.Series(np.arange(N, dtype=float))),
    }


def write(path: Path, streamed: bool, book_class: type = xlsxwriter.Workbook, tmpdir: Path | None = None) -> Path:
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    book = book_class(str(path), options | ({"tmpdir": str(tmpdir)} if tmpdir else {}))
    book.set_properties({"created": datetime(2026, 1, 1)})
    formats = [None, book.add_format({"num_format": "#,##0.00"}), book.add_format({"num_format": "dd/mm/yyyy"})]
    ws = book.add_worksheet("Data", worksheet_class=PlanWorksheet)
    columns = [(name, values, None) for name, values in value_columns().items()]
    columns += [(f"formula {name}", values, formulas) for name, (formulas, values) in formula_columns().items()]
    for j, (name, values, formulas) in enumerate(columns):
        fmt = formats[j % 3]
        ws.write_string(0, j, name)
        if streamed:
            ws.column(1, j, values, fmt, formulas)
            continue
        every = per_row(formulas) if formulas is not None else None
        for i, value in enumerate(values.tolist()):
            formula = every if isinstance(every, str) or every is None else every[i]
            if formula is None:
                _put(ws, 1 + i, j, value, fmt)
            else:
                ws.write_formula(1 + i, j, "=" + formula, fmt, _stored(value))
    book.close()
    return path


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("xlsx")
    return write(folder / "streamed.xlsx", True), write(folder / "cells.xlsx", False)


def cells(path: Path, data_only: bool) -> list[tuple[object, ...]]:
    sheet = openpyxl.load_workbook(path, data_only=data_only)["Data"]
    return [(c.coordinate, c.value, c.data_type, c.number_format) for row in sheet.iter_rows() for c in row]


def close(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return a == b or abs(a - b) <= 1e-15 * max(1.0, abs(a))  # XlsxWriter keeps 16 digits, the stream 17
    return a == b and type(a) is type(b)


@pytest.mark.parametrize("data_only", [False, True], ids=["formulas", "stored values"])
def test_streamed_cells_read_back_as_xlsxwriter_writes_them(books: tuple[Path, Path], data_only: bool) -> None:
    streamed, reference = (cells(path, data_only) for path in books)
    assert len(streamed) == len(reference) > N * 10
    for got, want in zip(streamed, reference, strict=True):
        assert got[0] == want[0] and got[2:] == want[2:], (got, want)
        assert close(got[1], want[1]), (got, want)


def test_streamed_cells_read_back_through_calamine(books: tuple[Path, Path]) -> None:
    streamed, reference = (CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Data").to_python()
                           for path in books)
    assert len(streamed) == len(reference) == N + 1
    for got, want in zip(streamed, reference, strict=True):
        assert len(got) == len(want)
        assert all(close(a, b) for a, b in zip(got, want, strict=True)), (got, want)


def test_text_stays_text_and_long_text_is_cut(books: tuple[Path, Path]) -> None:
    sheet = openpyxl.load_workbook(books[0])["Data"]
    header = [c.value for c in sheet[1]]
    text = [c.value for c in sheet[sheet.cell(1, header.index("text") + 1).column_letter]][1:]
    assert text[4:8] == ["=SUM(A1)", "+1", "-1", "@x"]
    assert all(c.data_type == "s" for c in sheet[sheet.cell(1, header.index("text") + 1).column_letter][1:]
               if c.value is not None)
    mixed = [c.value for c in sheet[sheet.cell(1, header.index("mixed") + 1).column_letter]][1:]
    assert mixed[8:10] == ["=1+1", "\t@cmd"]
    assert mixed[11] == "x" * 32_767


def test_shared_strings_and_dimension_match(books: tuple[Path, Path]) -> None:
    def parts(path: Path) -> tuple[str, str]:
        with zipfile.ZipFile(path) as z:
            sst = z.read("xl/sharedStrings.xml").decode()
            sheet = z.read("xl/worksheets/sheet1.xml").decode()
        counts = re.search(r'<sst [^>]*count="(\d+)" uniqueCount="(\d+)"', sst)
        assert counts is not None
        return counts.groups(), re.search(r'<dimension ref="([^"]+)"', sheet).group(1)  # type: ignore[union-attr]

    assert parts(books[0]) == parts(books[1])


def test_numpy_not_a_time_is_blank(tmp_path: Path) -> None:
    book = xlsxwriter.Workbook(str(tmp_path / "nat.xlsx"))
    ws = book.add_worksheet("Data", worksheet_class=PlanWorksheet)
    ws.column(0, 0, pd.Series([np.datetime64("NaT"), np.datetime64("2027-04-01"), "x"], dtype=object))
    book.close()
    values = [row[0].value for row in openpyxl.load_workbook(tmp_path / "nat.xlsx")["Data"].iter_rows()]
    assert values == [None, 46478, "x"]  # blank, the serial day of 1 April 2027 (no date format), text


def test_cells_below_streamed_rows_are_refused(tmp_path: Path) -> None:
    book = xlsxwriter.Workbook(str(tmp_path / "bad.xlsx"))
    ws = book.add_worksheet("Data", worksheet_class=PlanWorksheet)
    ws.write_string(0, 0, "header")
    ws.column(1, 0, pd.Series([1.0, 2.0]))
    ws.write_string(2, 1, "in the way")
    with pytest.raises(RuntimeError, match="below row 1 of a streamed table"):
        book.close()
    ws.fh.close()  # the sheet's temporary file, left open by the failed close


def test_a_column_must_have_the_block_s_rows(tmp_path: Path) -> None:
    book = xlsxwriter.Workbook(str(tmp_path / "bad.xlsx"))
    ws = book.add_worksheet("Data", worksheet_class=PlanWorksheet)
    ws.column(1, 0, pd.Series([1.0, 2.0]))
    with pytest.raises(ValueError, match="a column of 3 rows in a block of 2"):
        ws.column(1, 1, pd.Series([1.0, 2.0, 3.0]))
    book.close()


def test_branches_build_only_the_formulas_some_row_uses() -> None:
    built: list[str] = []

    def build(name: str) -> str:
        built.append(name)
        return name

    out = per_row(branches(4, (np.array([False] * 4), lambda: build("never")),
                   (np.array([True, False, True, False]), lambda: build("first")),
                   (np.array([True, True, False, False]), lambda: build("second"))))
    assert out.tolist() == ["first", "second", "first", None]
    assert built == ["first", "second"]


def test_cat_joins_text_and_arrays_row_by_row() -> None:
    refs = np.array(["A2", "A3"], dtype=object)
    assert cat("SUM(", "B1,", refs, ")").tolist() == ["SUM(B1,A2)", "SUM(B1,A3)"]
    assert cat("a", "b") == "ab"
    assert cat() == ""
    assert cat(refs, "-", refs).tolist() == ["A2-A2", "A3-A3"]


@pytest.mark.parametrize("distinct_min", [0, 10**9], ids=["repeats printed once", "every number printed"])
def test_plan_workbook_zips_the_parts_xlsxwriter_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                        distinct_min: int) -> None:
    monkeypatch.setattr(xlsx, "_DISTINCT_MIN", distinct_min)  # numbers repeated in a chunk: each printed once
    monkeypatch.setattr(xlsx, "_DEFLATE_CHUNK", 1000)  # parts compressed in several pieces, joined
    monkeypatch.setattr(xlsx, "_CHUNK_ROWS", 3)  # the streamed rows in several pieces too, between the file's
    monkeypatch.setattr(xlsx, "_DEFLATE_BACKLOG", 2000)  # and the rendering held while they wait
    (tmp_path / "parts").mkdir()
    ours = write(tmp_path / "ours.xlsx", True, PlanWorkbook, tmp_path / "parts")
    theirs = write(tmp_path / "theirs.xlsx", True)
    with zipfile.ZipFile(ours) as a, zipfile.ZipFile(theirs) as b:
        assert a.testzip() is None  # every part's CRC-32 checks
        assert a.namelist() == b.namelist()
        assert max(info.file_size for info in a.infolist()) > 3000
        for info, want in zip(a.infolist(), b.infolist(), strict=True):
            assert a.read(info) == b.read(want), info.filename
            assert (info.compress_type, info.date_time, info.external_attr) == \
                   (want.compress_type, want.date_time, want.external_attr)
    assert cells(ours, False) == cells(theirs, False)
    assert not list((tmp_path / "parts").iterdir())  # XlsxWriter's temporary files are gone


def test_plan_workbook_refuses_a_file_over_the_zip_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx, "_ZIP_LIMIT", 2000)  # stands for 4 GB, which needs the ZIP64 extensions
    (tmp_path / "parts").mkdir()
    with pytest.raises(xlsxwriter.exceptions.FileSizeError, match="ZIP64"):
        write(tmp_path / "big.xlsx", True, PlanWorkbook, tmp_path / "parts")
    assert not list((tmp_path / "parts").iterdir())


def test_plan_workbook_writes_xlsxwriter_s_shared_strings(tmp_path: Path) -> None:
    strings = ["plain", "a_x0041_b", "_x00e9_", "_x12G4_", "bell\x07", "nul\x00", "\ufffe", " lead", "trail ", "end\n",
               "in\nside", "tab\t", "a & b", "<r>rich?</r>", "1 < 2 > 0", 'say "hi"', "é ü", "", "=1+1", "x" * 40_000]

    def shared(book_class: type) -> bytes:
        path = tmp_path / f"{book_class.__name__}.xlsx"
        book = book_class(str(path), {"strings_to_formulas": False})
        ws = book.add_worksheet("Data", worksheet_class=PlanWorksheet)
        ws.write_string(0, 0, "header")
        ws.column(1, 0, pd.Series(strings * 2, dtype=object))
        book.close()
        with zipfile.ZipFile(path) as z:
            return z.read("xl/sharedStrings.xml")

    ours = shared(PlanWorkbook)
    assert ours == shared(xlsxwriter.Workbook)
    assert b"_x005F_x0041_" in ours and b"_x0007_" in ours and b'xml:space="preserve"> lead' in ours


def test_cat_of_rows_is_rows_and_equals_joining_their_texts() -> None:
    a, b = Rows(("A", ""), 3, 4), Rows(("", ":B", ""), 3, 4)
    joined = cat("SUM(", a, ",", b, ")*", a)
    assert joined == Rows(("SUM(A", ",", ":B", ")*A", ""), 3, 4)
    assert per_row(joined).tolist() == [f"SUM(A{r},{r}:B{r})*A{r}" for r in range(3, 7)]
    other = Rows(("C", ""), 10, 4)  # another block's rows: joined row by row
    assert cat(a, "-", other).tolist() == [f"A{r}-C{r + 7}" for r in range(3, 7)]
    choice = branches(4, (np.array([True, False, True, False]), lambda: a), (np.array([False, True, False, False]),
                                                                           lambda: "1"))
    assert per_row(choice).tolist() == ["A3", "1", "A5", None]
    assert branches(4, (np.array([True] * 4), lambda: a)) is a  # one formula for every row is that formula


@pytest.mark.parametrize("arrays", [1, 2, 3, 4, 5])
def test_cat_equals_joining_array_by_array(arrays: int) -> None:
    refs = [np.array([f"{letter}{row}" for row in range(2, 6)], dtype=object) for letter in "ABCDE"[:arrays]]
    for texts in (["SUM(", "+", "*", "-", "/", ")"], ["", "", "", "", "", ""], ["x", "", "100%", "", "{}", "y"]):
        parts: list[object] = [texts[0]]
        for k, column in enumerate(refs):
            parts += [column, texts[k + 1]]
        want = parts[0]
        for part in parts[1:]:
            want = want + part  # numpy joins an object array and text element by element
        assert cat(*parts).tolist() == want.tolist()
