"""The fuzzing suite: hostile files and random inputs, each held to estate's promise.

The promise: one clear line (exit 2) or a result; every data row accounted for (a system, or an issue
naming its row); every output well-formed; no output replaced by a broken one. The corpus is built at
test time (as ``badfiles`` builds its bad files), so nothing opaque is stored in the repository.
"""

from __future__ import annotations

import csv
import io
import json
import os
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from estate.cli import main
from estate.errors import InputFileError
from estate.reading import read_inventory

FUZZ = settings(max_examples=int(os.environ.get("ESTATE_FUZZ_EXAMPLES", "30")), deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
"""30 examples a property in the suite (seconds); ``ESTATE_FUZZ_EXAMPLES=1000`` for a longer hunt."""


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def accounted_rows(inventory) -> set[int]:
    return set(inventory.systems["source_row"].astype(int)) | set(inventory.issues["source_row"].dropna().astype(int))


# --- the corpus ---------------------------------------------------------------------------------


def stray_cell(folder: Path) -> Path:
    path = folder / "stray.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Systems"
    book.active.append(["System", "Vendor"])
    book.active.append(["Payroll", "MHR"])
    book.active["XFD1048576"] = "x"
    book.save(path)
    return path


def stray_column(folder: Path) -> Path:
    path = folder / "wide.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Systems"
    book.active.append(["System", "Vendor"])
    book.active.append(["Payroll", "MHR"])
    book.active["XFD2"] = "x"  # the last column, same row: 16,384 wide, 2 rows: small, read
    book.save(path)
    return path


def unterminated_quotes(folder: Path) -> Path:
    rows = ["Title: Eden systems", "", "System,Vendor,Annual cost"]
    rows += [f'Sys{i},"V{i},{i}' if i % 7 == 3 else f"Sys{i},V{i},{i}" for i in range(1, 41)]
    path = folder / "quotes.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def control_characters(folder: Path) -> Path:
    path = folder / "controls.csv"
    names = ["Pay\x01roll", "Fin\x0bance", "Re\x1bvs", "Plan\x7fning", "Bell\x07", "Tab\there", "Cr\rhere"]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["System", "Vendor", "Product", "Capability", "Annual cost"])
    for i, name in enumerate(names):
        writer.writerow([name, f"V\x02{i}", f"P\x1f{i}", "Payroll" if i % 2 else "Finance", 100 * (i + 1)])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def markup_and_formulas(folder: Path) -> Path:
    path = folder / "markup.csv"
    path.write_text("System,Vendor,Annual cost\n[bold]Pay[/]roll,=cmd|' /C calc'!A0,abc[/x]\n"
                    "@SUM(A1),+1+1,-2-\n$x^$ system,$\\frac{a}{$,=1+1\n", encoding="utf-8")
    return path


def long_fields(folder: Path) -> Path:
    path = folder / "long.csv"
    path.write_text("System,Vendor,Notes\n" + "S" * 40_000 + ",V," + '"' + "n\n" * 1_000 + '"' + "\nB,V,x\n",
                    encoding="utf-8")
    return path


def mixed_encoding(folder: Path) -> Path:
    path = folder / "mixed.csv"
    path.write_bytes("System,Vendor,Annual cost\nA,V,£100\n".encode() + b"B\xe9,V,\xa3200\nC,V,\xc2\xa3300\n")
    return path


def hidden_copy(folder: Path) -> Path:
    path = folder / "hidden.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "Systems"
    book.active.append(["System", "Vendor"])
    book.active.append(["Payroll", "MHR"])
    old = book.create_sheet("Systems (old)")
    old.append(["System", "Vendor"])
    old.append(["Payroll", "Northgate"])
    old.sheet_state = "hidden"
    book.save(path)
    return path


def absurd_numbers(folder: Path) -> Path:
    path = folder / "absurd.csv"
    path.write_text("System,Vendor,Annual cost,Users,Notice months\nA,V,1e308,1e300,1e30\nB,V,-inf,nan,5\n"
                    "C,V,99999999999999999999999,3,3\n", encoding="utf-8")
    return path


CORPUS: dict[str, tuple[Callable[[Path], Path], int | None]] = {
    # builder, and the data rows it holds (None: refused as a whole, in one line)
    "stray cell": (stray_cell, None),
    "stray column": (stray_column, 1),
    "unterminated quotes": (unterminated_quotes, 40),
    "control characters": (control_characters, 7),
    "markup and formulas": (markup_and_formulas, 3),
    "long fields": (long_fields, 2),
    "mixed encoding": (mixed_encoding, 3),
    "hidden copy": (hidden_copy, 1),
    "absurd numbers": (absurd_numbers, 3),
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_the_corpus_gives_one_line_or_a_plan_with_every_row(tmp_path: Path, name: str) -> None:
    build, rows = CORPUS[name]
    source = build(tmp_path)
    out = tmp_path / "plan.xlsx"
    out.write_bytes(b"an older plan")
    started = time.perf_counter()
    result = run("plan", source, "--out", out)
    assert time.perf_counter() - started < 30
    assert "Traceback" not in result.output and "internal error" not in result.output, result.output
    if rows is None:
        lines = result.output.strip().splitlines()
        assert result.exit_code == 2 and len(lines) == 1 and source.name in lines[0], result.output
        assert out.read_bytes() == b"an older plan"  # nothing replaced by a broken file
        return
    assert result.exit_code == 0, result.output
    inventory = read_inventory(source)
    assert len(inventory.systems) <= rows
    data_rows = set(inventory.systems["source_row"].astype(int))
    reported = set(inventory.issues.loc[inventory.issues["severity"] != "info", "source_row"].dropna().astype(int))
    assert len(data_rows | reported) >= rows  # every data row is a system or has an issue naming it
    for suffix in (".graphml", ".gexf", ".json"):
        graph = tmp_path / f"estate{suffix}"
        assert run("graph", source, "--out", graph).exit_code == 0
        if suffix == ".json":
            json.loads(graph.read_text(encoding="utf-8"))
        else:
            ET.parse(graph)
    report = tmp_path / "issues.csv"
    assert run("validate", source, "--report", report).exit_code in (0, 1)
    for row in csv.reader(io.StringIO(report.read_text(encoding="utf-8-sig"))):
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


# --- random inputs ------------------------------------------------------------------------------

cell_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)


@FUZZ
@given(names=st.lists(cell_text.filter(lambda t: t.strip() != ""), min_size=1, max_size=8),
       vendors=st.lists(cell_text, min_size=8, max_size=8))
def test_every_row_of_a_well_quoted_csv_is_accounted_for(tmp_path_factory, names: list[str],
                                                         vendors: list[str]) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["System", "Vendor", "Annual cost"])
    starts = []
    line = 2
    for name, vendor in zip(names, vendors, strict=False):
        starts.append(line)
        row = io.StringIO(newline="")
        csv.writer(row).writerow([name, vendor, "100"])
        writer.writerow([name, vendor, "100"])
        line += len(io.StringIO(row.getvalue(), newline="").readlines())  # the physical lines it takes
    path = folder / "random.csv"
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    try:
        inventory = read_inventory(path)
    except InputFileError:
        return  # one clear line (say, a file of nothing but separators)
    # Every row is a system or has an issue naming its first line (a totals or note row is skipped, said).
    assert set(starts) <= accounted_rows(inventory)
    assert len(inventory.systems) <= len(names)
    if len(inventory.systems):
        from estate.graph import build_graph, write_graph

        out = write_graph(build_graph(inventory.systems), folder / "g.graphml")
        ET.parse(out)


@FUZZ
@given(data=st.binary(max_size=600), quote=st.sampled_from([b'"', b"", b'""', b'"\n']))
def test_random_bytes_as_a_csv_give_a_result_or_one_line(tmp_path_factory, data: bytes, quote: bytes) -> None:
    path = tmp_path_factory.mktemp("bytes") / "random.csv"
    path.write_bytes(b"System,Vendor,Annual cost\n" + quote + data)
    try:
        inventory = read_inventory(path)
    except InputFileError as error:
        assert "\n" not in str(error)
        return
    assert inventory.systems["source_row"].ge(2).all()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.tuples(st.integers(0, 1_048_575), st.integers(0, 16_383)), min_size=1, max_size=4))
def test_stray_cells_anywhere_give_a_result_or_one_line_quickly(tmp_path_factory, cells) -> None:
    import xlsxwriter

    path = tmp_path_factory.mktemp("stray") / "stray.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("Systems")
    sheet.write_row(0, 0, ["System", "Vendor"])
    sheet.write_row(1, 0, ["Payroll", "MHR"])
    for row, column in cells:
        if row > 1 or column > 1:
            sheet.write_string(row, column, "x")
    book.close()
    started = time.perf_counter()
    try:
        inventory = read_inventory(path)
    except InputFileError as error:
        assert "stray" in str(error) and "\n" not in str(error)
    else:
        assert "Payroll" in set(inventory.systems["system"])
    assert time.perf_counter() - started < 10
