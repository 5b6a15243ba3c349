"""Tests of estate.template: the blank collection workbook."""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
import types
from datetime import datetime
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from estate.errors import ParameterError
from estate.schema import CRITICALITY, HOSTING, LIFECYCLE, SYSTEMS, TABLES, normalise_header
from estate.template import write_template

SHEETS = ["Instructions", *(t.sheet for t in TABLES.values()), "Lists"]
VALIDATED_ROWS = 2000
NUMBER_FORMATS = {
    "money": "£#,##0",
    "date": "dd/mm/yyyy",
    "count": "#,##0",
    "percent": "0%",
}


def _capabilities() -> pd.DataFrame:
    """A taxonomy as load_capabilities returns it, longer than an inline list allows."""
    names = [f"Capability number {i:03d}" for i in range(300)] + ["Revenues and benefits", "Finance"]
    return pd.DataFrame(
        {
            "code": [f"C{i:03d}" for i in range(len(names))],
            "name": names,
            "parent": "",
            "sector": "local government",
            "synonyms": "",
            "description": "",
        }
    )


@pytest.fixture
def taxonomy(monkeypatch: pytest.MonkeyPatch) -> pd.DataFrame:
    """Make load_capabilities return the small taxonomy, whether or not estate.reference exists."""
    frame = _capabilities()
    try:
        module = importlib.import_module("estate.reference")
    except ModuleNotFoundError:
        module = types.ModuleType("estate.reference")
        monkeypatch.setitem(sys.modules, "estate.reference", module)
    monkeypatch.setattr(module, "load_capabilities", lambda: frame.copy(), raising=False)
    return frame


@pytest.fixture
def template(tmp_path: Path, taxonomy: pd.DataFrame) -> Path:
    return write_template(tmp_path / "collection.xlsx")


@pytest.fixture
def book(template: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(template)


def _validations(sheet) -> dict[str, object]:
    """Header name to the data validation over its column."""
    headers = {cell.column_letter: cell.value for cell in sheet[1]}
    found = {}
    for validation in sheet.data_validations.dataValidation:
        for cell_range in validation.sqref.ranges:
            letter = cell_range.coord.split(":")[0].rstrip("0123456789")
            found[headers[letter]] = validation
    return found


def test_returns_the_path_written(tmp_path: Path, taxonomy: pd.DataFrame) -> None:
    path = write_template(str(tmp_path / "out.xlsx"))
    assert path == tmp_path / "out.xlsx"
    assert path.is_file()


def test_sheet_names_and_order(book: openpyxl.Workbook) -> None:
    assert book.sheetnames == SHEETS
    assert book.active.title == "Instructions"
    assert book["Lists"].sheet_state == "hidden"
    assert all(book[name].sheet_state == "visible" for name in SHEETS[:-1])


def test_extra_sheets_are_not_mistaken_for_tables() -> None:
    for name in ("Instructions", "Lists"):
        for table in TABLES.values():
            assert normalise_header(name) not in table.sheet_keys()


@pytest.mark.parametrize("table", TABLES.values(), ids=lambda t: t.key)
def test_headers_are_the_schema_names(book: openpyxl.Workbook, table) -> None:
    sheet = book[table.sheet]
    assert tuple(cell.value for cell in sheet[1]) == table.names
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref.startswith("A1:")


@pytest.mark.parametrize("table", TABLES.values(), ids=lambda t: t.key)
def test_required_headers_have_their_own_colour(book: openpyxl.Workbook, table) -> None:
    sheet = book[table.sheet]
    colours = {f.required: set() for f in table.fields}
    for field, cell in zip(table.fields, sheet[1]):
        colours[field.required].add(cell.fill.fgColor.rgb)
    assert all(len(found) == 1 for found in colours.values())
    if len(colours) == 2:
        assert colours[True] != colours[False]


@pytest.mark.parametrize("table", TABLES.values(), ids=lambda t: t.key)
def test_header_comments_give_description_and_unit(book: openpyxl.Workbook, table) -> None:
    sheet = book[table.sheet]
    for field, cell in zip(table.fields, sheet[1]):
        assert cell.comment is not None
        assert field.description in cell.comment.text
        assert field.unit in cell.comment.text


def test_choice_drop_downs(book: openpyxl.Workbook) -> None:
    validations = _validations(book["Systems"])
    for name, choice in (("hosting", HOSTING), ("lifecycle", LIFECYCLE), ("criticality", CRITICALITY)):
        validation = validations[name]
        assert validation.type == "list"
        assert validation.formula1 == '"' + ",".join(choice.canonical) + '"'
        assert len(validation.formula1) <= 257


def test_capability_drop_down_uses_the_lists_sheet(book: openpyxl.Workbook, taxonomy: pd.DataFrame) -> None:
    validation = _validations(book["Systems"])["capability"]
    assert validation.type == "list"
    assert validation.formula1 == f"Lists!$A$2:$A${len(taxonomy) + 1}"
    assert validation.errorStyle == "information" or not validation.showErrorMessage
    lists = book["Lists"]
    names = [row[0] for row in lists.iter_rows(min_row=2, max_col=1, values_only=True)]
    assert names == taxonomy["name"].tolist()


def test_default_capabilities_come_from_the_bundled_taxonomy(tmp_path: Path) -> None:
    reference = pytest.importorskip("estate.reference")
    expected = list(dict.fromkeys(n.strip() for n in reference.load_capabilities()["name"] if n.strip()))
    book = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx"))
    names = [row[0] for row in book["Lists"].iter_rows(min_row=2, max_col=1, values_only=True)]
    assert names == expected
    assert _validations(book["Systems"])["capability"].formula1 == f"Lists!$A$2:$A${len(expected) + 1}"


def test_capabilities_argument_overrides_the_taxonomy(tmp_path: Path) -> None:
    path = write_template(tmp_path / "t.xlsx", capabilities=["Finance", " Finance ", "", "Waste"])
    book = openpyxl.load_workbook(path)
    names = [row[0] for row in book["Lists"].iter_rows(min_row=2, max_col=1, values_only=True)]
    assert names == ["Finance", "Waste"]
    assert _validations(book["Systems"])["capability"].formula1 == "Lists!$A$2:$A$3"


def test_no_capabilities_means_no_capability_drop_down(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx", capabilities=[]))
    assert "capability" not in _validations(book["Systems"])


@pytest.mark.parametrize("table", TABLES.values(), ids=lambda t: t.key)
def test_every_typed_column_is_validated_over_enough_rows(book: openpyxl.Workbook, table) -> None:
    validations = _validations(book[table.sheet])
    expected = {
        "count": ("whole", "warning"),
        "money": ("decimal", "warning"),
        "months": ("decimal", "warning"),
        "percent": ("decimal", "warning"),
        "date": ("date", "warning"),
        "choice": ("list", "warning"),
    }
    for field in table.fields:
        if field.kind not in expected:
            continue
        validation = validations[field.name]
        assert (validation.type, validation.errorStyle) == expected[field.kind], field.name
        (cell_range,) = validation.sqref.ranges
        assert cell_range.min_row == 2
        assert cell_range.max_row >= 1 + VALIDATED_ROWS
        if field.kind in ("count", "money"):
            assert (validation.operator, validation.formula1) == ("greaterThanOrEqual", "0")
    months = [f.name for f in table.fields if f.kind == "months"]
    for name in months:
        assert (validations[name].formula1, validations[name].formula2) == ("0", "120")


@pytest.mark.parametrize("table", TABLES.values(), ids=lambda t: t.key)
def test_example_rows_hold_typed_values_and_formats(book: openpyxl.Workbook, table) -> None:
    sheet = book[table.sheet]
    for column, field in enumerate(table.fields, start=1):
        for row, example in enumerate(field.example, start=2):
            cell = sheet.cell(row, column)
            if example in ("", None):
                assert cell.value is None
                continue
            if field.kind == "date":
                assert cell.value == datetime.fromisoformat(example)
            elif field.kind in ("money", "count", "months"):
                assert cell.value == example
            elif field.kind == "percent":
                assert cell.value == pytest.approx(float(example.rstrip("%")) / 100)
            else:
                assert cell.value == example
            if field.kind in NUMBER_FORMATS:
                assert cell.number_format == NUMBER_FORMATS[field.kind], field.name


def test_example_rows_are_plain(book: openpyxl.Workbook) -> None:
    for table in TABLES.values():
        for cell in book[table.sheet][2]:
            assert not cell.font.i
            colour = cell.font.color
            assert colour is None or (colour.type, colour.theme) == ("theme", 1)  # the default text colour


def test_example_organisations_are_on_the_organisations_sheet(book: openpyxl.Workbook) -> None:
    organisations = {row[0] for row in book["Organisations"].iter_rows(min_row=2, values_only=True)}
    for table in TABLES.values():
        if "organisation" not in table.names:
            continue
        column = table.names.index("organisation")
        for row in book[table.sheet].iter_rows(min_row=2, values_only=True):
            assert row[column] in organisations


def test_no_example_rows(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx", example_rows=False, capabilities=["X"]))
    for table in TABLES.values():
        assert book[table.sheet].max_row == 1
    text = " ".join(str(c) for row in book["Instructions"].iter_rows(values_only=True) for c in row if c)
    assert "worked examples" not in text


def test_instructions_list_every_column_from_the_schema(book: openpyxl.Workbook) -> None:
    rows = list(book["Instructions"].iter_rows(values_only=True))
    (start,) = [i for i, row in enumerate(rows) if row[:2] == ("Sheet", "Column")]
    header = rows[start]
    listed = [dict(zip(header, row)) for row in rows[start + 1:] if row[0]]
    expected = [(t.sheet, f.name) for t in TABLES.values() for f in t.fields]
    assert [(r["Sheet"], r["Column"]) for r in listed] == expected
    by_column = {(r["Sheet"], r["Column"]): r for r in listed}
    for table in TABLES.values():
        for field in table.fields:
            row = by_column[table.sheet, field.name]
            assert row["Required"] == ("yes" if field.required else "no")
            assert row["What it holds"] == field.description
            assert (row["Unit"] or "") == field.unit
            if field.choice is not None:
                assert row["Allowed values"] == ", ".join(field.choice.canonical)


def test_instructions_headings_are_not_inventory_headers(book: openpyxl.Workbook) -> None:
    rows = list(book["Instructions"].iter_rows(values_only=True))
    headings = [row for row in rows if row[:1] == ("Sheet",)]
    assert headings
    for row in headings:
        for cell in filter(None, row):
            assert all(table.match_header(cell) is None for table in TABLES.values()), cell


def test_instructions_give_money_and_date_formats(book: openpyxl.Workbook) -> None:
    text = " ".join(str(c) for row in book["Instructions"].iter_rows(values_only=True) for c in row if c)
    for sample in ("£12,500", "12.5k", "£1.2m", "31/03/2027", "Mar 2027", "2027/28", "overwrite"):
        assert sample in text


def test_properties_and_reproducible_output(tmp_path: Path, taxonomy: pd.DataFrame) -> None:
    first = write_template(tmp_path / "a.xlsx")
    second = write_template(tmp_path / "b.xlsx")
    assert first.read_bytes() == second.read_bytes()
    properties = openpyxl.load_workbook(first).properties
    assert properties.title
    assert properties.subject
    assert properties.created == datetime(2024, 1, 1)


def test_inline_lists_fit_excel_limits() -> None:
    for field in SYSTEMS.fields:
        if field.choice is not None:
            assert len(",".join(field.choice.canonical)) <= 255


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    book = openpyxl.load_workbook(write_template(tmp_path / "t.xlsx", capabilities=["=1+1", "@cap"]))
    lists = book["Lists"]
    assert (lists["A2"].value, lists["A2"].data_type) == ("=1+1", "s")
    assert lists["A3"].value == "@cap"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"path": "out.xls"}, "'path' parameter of write_template must end in '.xlsx'"),
        ({"path": "out.xlsx", "capabilities": "Finance"}, "'capabilities' parameter"),
        ({"path": "out.xlsx", "capabilities": ["Finance", 3]}, "'capabilities' parameter"),
        ({"path": "out.xlsx", "example_rows": "yes"}, "'example_rows' parameter"),
    ],
)
def test_bad_arguments(tmp_path: Path, arguments: dict, message: str) -> None:
    arguments = {**arguments, "path": tmp_path / arguments["path"]}
    arguments.setdefault("capabilities", ["Finance"])
    with pytest.raises(ParameterError, match=message):
        write_template(**arguments)


def test_missing_folder_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        write_template(tmp_path / "no such folder" / "t.xlsx", capabilities=["Finance"])


def test_libreoffice_opens_and_converts_it(template: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    out = tmp_path / "converted"
    profile = tmp_path / "profile"
    result = subprocess.run(
        [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
         "--convert-to", "xlsx", "--outdir", str(out), str(template)],
        capture_output=True, text=True, timeout=180, check=False,
    )
    assert result.returncode == 0, result.stderr
    converted = out / template.name
    assert converted.is_file()
    book = openpyxl.load_workbook(converted)
    assert [name for name in book.sheetnames] == SHEETS
    assert tuple(c.value for c in book["Systems"][1]) == SYSTEMS.names
    assert "capability" in _validations(book["Systems"])
