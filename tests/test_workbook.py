"""Tests of estate.workbook: the plan workbook's sheets, live formulas, text safety and row limit.

The oracle for the formulas is LibreOffice: each workbook is recalculated with
``soffice --headless --convert-to xlsx`` (with a private profile that turns on
recalculation on load, which is off by default for .xlsx files), and every
formula cell's recalculated value is compared with the value stored beside it
and with the library's own figures. All the workbooks of this module are
recalculated in one LibreOffice run.
"""

from __future__ import annotations

import dataclasses
import math
import re
import shutil
import struct
import subprocess
import zipfile
import zlib
from datetime import date, datetime
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

import estate
import estate.workbook as workbook
from estate.appraisal import npv, payback_years
from estate.errors import InputFileError, ParameterError
from estate.plan import make_plan
from estate.workbook import MAX_SHEET_ROWS, SHEETS, read_assumptions_sheet, write_plan

TOLERANCE = 0.01

# CONTRACT §4: the sheets and the column headers each must have.
REQUIRED_HEADERS = {
    "Options": ["Option", "Type", "Capability", "Target", "Lead organisation", "Partners", "Systems retired",
                "Run cost before", "Run cost after", "Annual saving", "One-off cost", "NPV", "Payback years", "Start",
                "Recommended"],
    "Cash flows": ["Option", "Year", "Savings", "Costs", "Net", "Discount factor", "Present value"],
    "Systems": ["Source file", "Source row", "Organisation", "System", "Vendor", "Product", "Capability",
                "Annual cost", "Users", "Contract end", "Match confidence", "Option", "Fate"],
    "Partners": ["Organisation", "Run cost today", "Annual saving", "One-off cost", "NPV"],
    "Assumptions": ["Parameter", "Value", "Unit", "Source"],
    "Data issues": ["Source file", "Sheet", "Source row", "Column", "Severity", "Problem", "Value"],
}
HEADLINE = ("Organisations", "Systems", "Annual run cost", "Recommended options", "Recommended annual saving",
            "Saving as share of run cost", "Run cost in scope", "Saving as share of run cost in scope",
            "Annual saving before optimism bias", "Cashable saving before optimism bias",
            "Non-cashable saving before optimism bias", "One-off cost", "NPV", "Payback years",
            "Business as usual: run cost over the appraisal (PV)", "Recommended plan: run cost and one-off costs (PV)")

ADDED = "JP-001"  # an option the portfolio leaves out, recommended by hand in the edited workbook
EVIL_ORGANISATION = "=Evil*Council?"  # a formula, and wildcards a SUMIFS criterion would misread
INJECTED = (EVIL_ORGANISATION, '=HYPERLINK("http://evil","x")', "+44 helpdesk", "-minus system", "@SUM(A1:A2)",
            "\t=1+1", "\r@cmd")
HEADER = ["Organisation", "System", "Product", "Capability", "Users", "Licence cost", "Support cost", "Annual cost",
          "Contract end", "Notice months", "Exit cost", "Site", "System ID", "Staff cost"]
# Three councils: shared platforms, joint procurements, a rationalisation and a hosting consolidation.
FILES = {
    "eden.xlsx": ([
        ["Eden District Council", "Revenues", "Capita Academy", "Revenues and benefits", 40, None, None, 85000,
         "30/09/2030", 6, 20000, None, "E1"],
        ["Eden District Council", "Finance", "Unit4 ERP", "Finance", 100, 150000, 20000, 200000, "31/03/2029", 6,
         None, None, "E2", 15000],
        ["Eden District Council", "CRM one", "Salesforce", "Customer relationship management", 30, None, None, 40000,
         "31/12/2028", 3, 5000, None, "E3"],
        ["Eden District Council", "CRM two", "Microsoft Dynamics 365", "Customer relationship management", 20, None,
         None, 30000, None, None, None, None, "E4"],
    ], None),
    "carlisle.xlsx": ([
        ["Carlisle City Council", "Revenues", "Civica OpenRevenues", "Revenues and benefits", 60, None, None, 120000,
         "31/03/2031", 6, 50000, "Civic Centre server room", "C1"],
        ["Carlisle City Council", "Finance", "Unit4 ERP", "Finance", 50, 80000, 10000, 120000, "30/06/2028", 3, None,
         "Civic Centre server room", "C2", 12000],
        ["Carlisle City Council", '=HYPERLINK("http://evil","x")', "Salesforce", "Customer relationship management",
         25, None, None, 35000, "31/03/2030", 6, 10000, "Main DC", "C3"],
    ], [["Carlisle City Council", "Civic Centre server room", 60000, "20%", 40000],
        ["Carlisle City Council", "Main DC", 200000, "70%", 100000]]),
    "evil.xlsx": ([
        [EVIL_ORGANISATION, "+44 helpdesk", "Capita Academy", "Revenues and benefits", 35, None, None, 70000,
         "31/03/2029", 6, None, None, "V1"],
        [EVIL_ORGANISATION, "-minus system", "Unit4 ERP", "Finance", 70, None, None, 150000, "31/03/2032", 12, 30000,
         None, "V2"],
        [EVIL_ORGANISATION, "@SUM(A1:A2)", "Microsoft Dynamics 365", "Customer relationship management", 15, None,
         None, 25000, "31/03/2028", 6, None, None, "V3"],
    ], None),
}


# --------------------------------------------------------------------------- #
# Helpers
# --------------------------------------------------------------------------- #


def write_inventory(folder: Path) -> Path:
    """The councils' returns as .xlsx files, text written as text."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, (rows, sites) in FILES.items():
        book = xlsxwriter.Workbook(folder / name, {"strings_to_formulas": False, "strings_to_numbers": False,
                                                   "strings_to_urls": False})
        for sheet, header, body in (("Systems", HEADER, rows),
                                    ("Sites", ["Organisation", "Site", "Annual cost", "Utilisation", "Exit cost"],
                                     sites)):
            if body is None:
                continue
            ws = book.add_worksheet(sheet)
            ws.write_row(0, 0, header)
            for i, row in enumerate(body, start=1):
                for j, value in enumerate(row):
                    if isinstance(value, str):
                        ws.write_string(i, j, value)
                    elif value is not None:
                        ws.write_number(i, j, value)
        book.close()
    return folder


def write_png(path: Path, width: int = 8, height: int = 6) -> Path:
    """A tiny valid PNG, without an imaging library."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\x1f\x38\x64" * width for _ in range(height))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return path


def many_systems_plan() -> estate.plan.Plan:
    """Twelve in-house systems (no options) and nine data issues: for the row limit."""
    n = 12
    systems = pd.DataFrame({
        "source_file": ["big.csv"] * n, "source_sheet": [""] * n, "source_row": list(range(2, n + 2)),
        "organisation": ["North" if i % 2 else "@South" for i in range(n)],
        "system": [f"-system {i}" for i in range(n)], "product": ["In-house"] * n, "capability": ["Finance"] * n,
        "users": [10.0] * n, "annual_cost": [1000.0 * (i + 1) for i in range(n)],
        "system_key": [f"key {i:02d}" for i in range(n)],
    })
    issues = pd.DataFrame({
        "source_file": ["big.csv"] * 9, "sheet": [""] * 9, "source_row": pd.array(range(20, 29), dtype="Int64"),
        "column": ["users"] * 9, "severity": ["warning"] * 9, "problem": [f"cannot read {i}" for i in range(9)],
        "value": ["=cmd|' /C calc'!A0"] * 9,
    })
    return make_plan(estate.Inventory(systems=systems, issues=issues))


def recalculate(sources: list[Path], out_dir: Path, profile: Path) -> list[Path]:
    """Recalculate workbooks with LibreOffice; returns the recalculated copies."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    settings = profile / "user" / "registrymodifications.xcu"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
        '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>\n'
        '</oor:items>\n', encoding="utf-8")
    out_dir.mkdir(parents=True, exist_ok=True)
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "xlsx",
                    "--outdir", str(out_dir), *map(str, sources)], check=True, capture_output=True, timeout=300)
    out = [out_dir / source.name for source in sources]
    assert all(path.is_file() for path in out)
    return out


def as_number(value: object) -> float | None:
    """A cell value as a number (dates as Excel serials); None for blanks and empty text."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return float((value - date(1899, 12, 30)).days)
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    return None


def rows_of(book: CalamineWorkbook, sheet: str) -> list[list[object]]:
    return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def table(book: CalamineWorkbook, sheet: str) -> pd.DataFrame:
    """A sheet whose header is its first row, as a DataFrame ('' read as missing)."""
    rows = rows_of(book, sheet)
    frame = pd.DataFrame(rows[1:], columns=rows[0])
    return frame.replace("", np.nan)


def summary(book: CalamineWorkbook) -> dict[str, object]:
    return {row[0]: row[1] for row in rows_of(book, "Summary") if row and row[0] in HEADLINE}


def formula_cells(path: Path) -> dict[tuple[str, int, int], str]:
    """(sheet, row, column) -> formula, 0-based, of every formula cell."""
    book = openpyxl.load_workbook(path)
    found = {}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    found[(ws.title, cell.row - 1, cell.column - 1)] = str(cell.value)
    return found


def cell_at(rows: list[list[object]], r: int, c: int) -> object:
    return rows[r][c] if r < len(rows) and c < len(rows[r]) else None


def differences(formulas: dict[tuple[str, int, int], str], first: Path, second: Path) -> dict[tuple[str, int, int],
                                                                                               float]:
    """|first - second| at every formula cell (inf where one is blank or text and the other is not)."""
    a, b = CalamineWorkbook.from_path(str(first)), CalamineWorkbook.from_path(str(second))
    cache: dict[tuple[int, str], list[list[object]]] = {}
    out = {}
    for (sheet, r, c) in formulas:
        x = cell_at(cache.setdefault((0, sheet), rows_of(a, sheet)), r, c)
        y = cell_at(cache.setdefault((1, sheet), rows_of(b, sheet)), r, c)
        nx, ny = as_number(x), as_number(y)
        if nx is None or ny is None:
            same = (x in ("", None) and y in ("", None)) or (nx is None and ny is None and x == y)
            out[(sheet, r, c)] = 0.0 if same else math.inf
        else:
            out[(sheet, r, c)] = abs(nx - ny)
    return out


def by_option(frame: pd.DataFrame, key: str = "Option") -> pd.DataFrame:
    return frame.set_index(key).sort_index()


# --------------------------------------------------------------------------- #
# Fixtures: one plan, its workbooks, one LibreOffice run
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("workbook")


@pytest.fixture(scope="module")
def plan(folder: Path) -> estate.plan.Plan:
    made = make_plan(write_inventory(folder / "inventory"))
    # Names a reader would trim: written straight into the matched systems.
    matched = made.matched.copy()
    matched.loc[matched["system"] == "CRM one", "system"] = "\t=1+1"
    matched.loc[matched["system"] == "CRM two", "system"] = "\r@cmd"
    return dataclasses.replace(made, matched=matched)


@pytest.fixture(scope="module")
def chart(folder: Path) -> Path:
    return write_png(folder / "chart.png")


@pytest.fixture(scope="module")
def written(plan: estate.plan.Plan, folder: Path, chart: Path) -> Path:
    return write_plan(plan, folder / "plan.xlsx", charts={"Estate graph": chart})


@pytest.fixture(scope="module")
def edited(written: Path, folder: Path) -> Path:
    """The plan with discount_rate and bias_mitigation changed on the Assumptions sheet, and one more option
    recommended on the Options sheet (saved by openpyxl: no cached values)."""
    book = openpyxl.load_workbook(written)
    for row in book["Assumptions"].iter_rows(min_row=2):
        if row[0].value == "discount_rate":
            row[1].value = 0.05
        elif row[0].value == "bias_mitigation":
            row[1].value = 0.5
    options = book["Options"]
    column = [cell.value for cell in options[1]].index("Recommended")
    row = next(row for row in options.iter_rows(min_row=2) if row[column].value == "No" and row[0].value == ADDED)
    row[column].value = "Yes"
    path = folder / "edited.xlsx"
    book.save(path)
    return path


@pytest.fixture(scope="module")
def split(folder: Path) -> tuple[estate.plan.Plan, Path]:
    """A plan of 12 systems and 9 issues written with a limit of 5 rows a sheet."""
    big = many_systems_plan()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(workbook, "MAX_SHEET_ROWS", 5)
        path = write_plan(big, folder / "split.xlsx")
    return big, path


@pytest.fixture(scope="module")
def recalculated(written: Path, edited: Path, split: tuple[estate.plan.Plan, Path],
                 folder: Path) -> dict[str, Path]:
    out = recalculate([written, edited, split[1]], folder / "recalculated", folder / "profile")
    return dict(zip(("plan", "edited", "split"), out, strict=True))


# --------------------------------------------------------------------------- #
# Sheets and headers
# --------------------------------------------------------------------------- #


def test_sheets_and_headers_follow_the_contract(written: Path) -> None:
    book = CalamineWorkbook.from_path(str(written))
    assert set(SHEETS) <= set(book.sheet_names)
    assert book.sheet_names[0] == "Summary"
    for sheet, headers in REQUIRED_HEADERS.items():
        header = rows_of(book, sheet)[0]
        assert len(set(header)) == len(header), sheet
        if sheet == "Options":  # the decision first (test_options_lead_with_the_decision), the contract's order after
            assert set(headers) <= set(header)
        else:
            assert [h for h in header if h in headers] == headers, sheet
    assert set(summary(book)) == set(HEADLINE)
    overlaps = rows_of(book, "Overlaps")[0]
    assert "Capability" in overlaps and EVIL_ORGANISATION in overlaps and "Carlisle City Council" in overlaps
    roadmap = rows_of(book, "Roadmap")[0]
    assert roadmap[0] == "Option" and "2027/28" in roadmap and "2036/37" in roadmap
    events = table(book, "Roadmap events")
    assert {"start", "retire"} <= set(events["Event"])


def test_every_system_and_issue_is_on_the_plan(plan: estate.plan.Plan, written: Path) -> None:
    book = CalamineWorkbook.from_path(str(written))
    systems = table(book, "Systems")
    expected = plan.systems_table()
    assert systems["System key"].tolist() == expected["system_key"].tolist()
    assert systems["Source row"].astype(int).tolist() == expected["source_row"].astype(int).tolist()
    assert set(systems["Fate"]) <= {"Retire", "Survivor", "Re-contract", "Keep"}
    issues, defaults = table(book, "Data issues"), table(book, "Defaults used")
    kinds = plan.options.defaults_used.groupby(["column", "note"]).ngroups
    assert len(issues) == len(plan.issues(defaults=False)) + kinds
    assert len(defaults) == len(plan.options.defaults_used) == len(plan.issues()) - len(plan.issues(defaults=False))
    options = table(book, "Options")
    assert sorted(options.loc[options["Recommended"] == "Yes", "Option"]) == sorted(plan.recommended)
    assert len(table(book, "Cash flows")) == len(plan.options.cash_flows)
    assert len(table(book, "Partners")) == len(plan.partners.partners)


def test_run_cost_counts_the_hosting_sites(recalculated: dict[str, Path]) -> None:
    # By hand from FILES: the systems cost 355,000 (Eden) + 275,000 (Carlisle) + 245,000 = 875,000 a year and
    # Carlisle's two sites 60,000 + 200,000; after LibreOffice recalculates, the Summary and Partners agree.
    book = CalamineWorkbook.from_path(str(recalculated["plan"]))
    sites = table(book, "Sites")
    assert sites["Site"].tolist() == ["Civic Centre server room", "Main DC"]
    assert sites["Annual cost"].astype(float).tolist() == [60_000.0, 200_000.0]
    assert as_number(summary(book)["Annual run cost"]) == pytest.approx(1_135_000.0)
    partners = table(book, "Partners").set_index("Organisation")["Run cost today"].astype(float)
    assert partners["Carlisle City Council"] == pytest.approx(275_000.0 + 260_000.0)
    assert partners["Eden District Council"] == pytest.approx(355_000.0)


def test_the_run_cost_in_scope_and_the_saving_as_a_share_of_it(plan: estate.plan.Plan,
                                                               recalculated: dict[str, Path]) -> None:
    # In scope: each system some candidate option retires, keeps as survivor or re-contracts, once, plus the
    # sites a closure would close (summed here from the inventory's own costs, not the options' figures).
    effects = plan.options.effects
    touched = set(effects.loc[effects["effect"] != "move", "system_key"])
    systems = plan.matched.loc[plan.matched["system_key"].isin(touched), "annual_cost"].astype(float).sum()
    closing = [key.removeprefix("site:") for key in touched if key.startswith("site:")]
    sites = plan.inventory.sites.set_index("site_key").reindex(closing)["annual_cost"].astype(float).sum()
    book = CalamineWorkbook.from_path(str(recalculated["plan"]))
    head = summary(book)
    assert as_number(head["Run cost in scope"]) == pytest.approx(systems + sites)
    assert as_number(head["Saving as share of run cost in scope"]) == pytest.approx(
        as_number(head["Recommended annual saving"]) / (systems + sites))
    edited = summary(CalamineWorkbook.from_path(str(recalculated["edited"])))  # follows the edited saving live
    assert as_number(edited["Saving as share of run cost in scope"]) == pytest.approx(
        as_number(edited["Recommended annual saving"]) / (systems + sites))


def test_assumptions_have_a_name_each_and_derived_factors(plan: estate.plan.Plan, written: Path) -> None:
    book = openpyxl.load_workbook(written)
    sheet = book["Assumptions"]
    rows = {row[0].value: row for row in sheet.iter_rows(min_row=2) if row[0].value}
    for name in plan.assumptions.to_dict():
        target = book.defined_names[name].attr_text
        assert target == f"Assumptions!$B${rows[name][1].row}", name
    for name in ("cost_factor", "saving_factor"):
        assert book.defined_names[name].attr_text.startswith("Assumptions!$B$")
        assert str(rows[name][1].value).startswith("=")
    in_formulas = {name for name, row in rows.items() if row[5].value == "Yes"}
    assert {"discount_rate", "cost_bias", "saving_bias", "bias_mitigation", "scale_elasticity", "volume_discount",
            "training_per_user", "allocation_rule"} <= in_formulas
    assert "default_users" not in in_formulas  # a decision input: plan again to change it


def test_formulas_refer_to_the_assumptions_and_use_known_functions(written: Path) -> None:
    formulas = formula_cells(written)
    headers = {sheet: rows_of(CalamineWorkbook.from_path(str(written)), sheet)[0]
               for sheet in ("Options", "Cash flows", "Partners")}

    def column(sheet: str, header: str) -> list[str]:
        j = headers[sheet].index(header)
        return [f for (s, r, c), f in formulas.items() if s == sheet and c == j and r > 0]

    for sheet, header in (("Options", "Run cost after"), ("Options", "Annual saving"), ("Options", "One-off cost"),
                          ("Options", "NPV"), ("Options", "Payback years"), ("Cash flows", "Savings"),
                          ("Cash flows", "Costs"), ("Cash flows", "Net"), ("Cash flows", "Discount factor"),
                          ("Cash flows", "Present value"), ("Partners", "Annual saving"),
                          ("Partners", "One-off cost"), ("Partners", "NPV")):
        assert column(sheet, header), (sheet, header)
    assert all("discount_rate" in f for f in column("Cash flows", "Discount factor"))
    assert all("saving_factor" in f for f in column("Cash flows", "Savings"))
    assert all("cost_factor" in f for f in column("Cash flows", "Costs"))
    assert not any("NPV(" in f for f in formulas.values())  # Excel's NPV() discounts year 0
    # Formulas are written as Excel stores them: newer functions carry their _xlfn. prefix.
    allowed = {"SUMIFS", "SUMIF", "COUNTIFS", "COUNTIF", "COUNTA", "IF", "AND", "OR", "MIN", "MAX", "SUM", "YEAR",
               "MONTH", "DATE", "EDATE", "SUBSTITUTE", "_xlfn.MINIFS", "_xlfn.MAXIFS", "IRR", "IFERROR"}
    used = {name for f in formulas.values() for name in re.findall(r"([A-Za-z_][A-Za-z0-9_.]*)\(", f)}
    assert used <= allowed, used - allowed


def test_formula_columns_are_formulas_in_every_row(plan: estate.plan.Plan, written: Path) -> None:
    formulas = formula_cells(written)
    book = CalamineWorkbook.from_path(str(written))
    for sheet, headers, n in (
        ("Options", ["Run cost after", "Annual saving", "One-off cost", "NPV", "Payback years"],
         len(plan.options.options)),
        ("Cash flows", ["Savings", "Costs", "Net", "Discount factor", "Present value"], len(plan.options.cash_flows)),
        ("Partners", ["Annual saving", "One-off cost", "NPV"], len(plan.partners.partners)),
    ):
        header = rows_of(book, sheet)[0]
        for name in headers:
            j = header.index(name)
            assert all((sheet, r, j) in formulas for r in range(1, n + 1)), (sheet, name)


# --------------------------------------------------------------------------- #
# LibreOffice agrees with the stored values and with the library
# --------------------------------------------------------------------------- #


def test_recalculated_formulas_equal_the_stored_values(written: Path, recalculated: dict[str, Path]) -> None:
    formulas = formula_cells(written)
    assert len(formulas) > 1000
    gaps = differences(formulas, written, recalculated["plan"])
    worst = max(gaps, key=gaps.__getitem__)
    assert gaps[worst] <= TOLERANCE, (worst, formulas[worst], gaps[worst])


def test_recalculated_figures_equal_the_library(plan: estate.plan.Plan, recalculated: dict[str, Path]) -> None:
    book = CalamineWorkbook.from_path(str(recalculated["plan"]))
    options = by_option(table(book, "Options"))
    library = plan.options.options.set_index("option_id").sort_index()
    for header, column in (("Run cost before", "run_cost_before"), ("Run cost after", "run_cost_after"),
                           ("Annual saving", "annual_saving"), ("One-off cost", "one_off_cost"), ("NPV", "npv"),
                           ("PV of savings", "pv_savings"), ("PV of costs", "pv_costs"),
                           ("Cashable saving", "cashable_saving"), ("Non-cashable saving", "non_cashable_saving")):
        np.testing.assert_allclose(options[header].astype(float), library[column], atol=TOLERANCE, err_msg=header)
    assert (library["non_cashable_saving"] > 0).any()  # the staff-time rule is exercised
    np.testing.assert_allclose(options["Payback years"].astype(float), library["payback_years"], atol=TOLERANCE)

    flows = table(book, "Cash flows").sort_values(["Option", "t"]).reset_index(drop=True)
    expected = plan.options.cash_flows.sort_values(["option_id", "t"]).reset_index(drop=True)
    assert flows["Option"].tolist() == expected["option_id"].tolist()
    for header, column in (("Savings", "savings"), ("Costs", "costs"), ("Net", "net"),
                           ("Discount factor", "discount_factor"), ("Present value", "present_value"),
                           ("Cumulative net", "cumulative_net")):
        np.testing.assert_allclose(flows[header].astype(float), expected[column], atol=TOLERANCE, err_msg=header)

    partners = table(book, "Partners").set_index("Organisation").sort_index()
    mine = plan.partners.partners.set_index("organisation").sort_index()
    assert partners.index.tolist() == mine.index.tolist()
    for header, column in (("Run cost today", "run_cost_today"), ("Annual saving", "annual_saving"),
                           ("One-off cost", "one_off_cost"), ("NPV", "npv"), ("Transfer", "transfer"),
                           ("NPV after transfer", "npv_after_transfer")):
        np.testing.assert_allclose(partners[header].astype(float), mine[column], atol=TOLERANCE, err_msg=header)
    assert partners["Position"].tolist() == mine["position"].tolist()

    shares = table(book, "Partner shares").set_index(["Option", "Organisation"]).sort_index()
    expected_shares = plan.options.partner_shares.set_index(["option_id", "organisation"]).sort_index()
    for header, column in (("Run cost after", "run_cost_after"), ("Saving share", "saving_share"),
                           ("Cost share", "cost_share"), ("NPV", "npv")):
        np.testing.assert_allclose(shares[header].astype(float), expected_shares[column], atol=TOLERANCE)

    headline = plan.headline()
    for label, value in summary(book).items():
        assert as_number(value) == pytest.approx(headline[label], abs=TOLERANCE), label


def test_partners_add_up_to_the_recommended_options(recalculated: dict[str, Path], written: Path) -> None:
    for path in (written, recalculated["plan"]):
        book = CalamineWorkbook.from_path(str(path))
        options = table(book, "Options")
        chosen = options[options["Recommended"] == "Yes"]
        partners = table(book, "Partners")
        for header in ("Annual saving", "One-off cost", "NPV", "Cashable saving", "Non-cashable saving"):
            assert partners[header].astype(float).sum() == pytest.approx(chosen[header].astype(float).sum(),
                                                                          abs=TOLERANCE)
        assert partners["Transfer"].astype(float).sum() == pytest.approx(0.0, abs=TOLERANCE)
        assert as_number(summary(book)["NPV"]) == pytest.approx(partners["NPV"].astype(float).sum(), abs=TOLERANCE)


def test_editing_an_assumption_moves_the_figures_as_the_appraisal_would(
        plan: estate.plan.Plan, recalculated: dict[str, Path]) -> None:
    a = plan.assumptions
    new = dataclasses.replace(a, discount_rate=0.05, bias_mitigation=0.5)
    book = CalamineWorkbook.from_path(str(recalculated["edited"]))
    options = by_option(table(book, "Options"))
    npvs, paybacks = {}, {}
    for option_id, flows in plan.options.cash_flows.groupby("option_id"):
        # The decisions stay; savings and costs scale with the optimism-bias factors.
        net = (flows["savings"] * new.saving_factor / a.saving_factor
               - flows["costs"] * new.cost_factor / a.cost_factor).to_numpy()
        npvs[option_id] = npv(net, rate=0.05)
        paybacks[option_id] = payback_years(net)
    expected = pd.Series(npvs).sort_index()
    np.testing.assert_allclose(options["NPV"].astype(float), expected, atol=TOLERANCE)
    np.testing.assert_allclose(options["Payback years"].astype(float), pd.Series(paybacks).sort_index(),
                               atol=TOLERANCE)
    assert not np.allclose(expected, plan.options.options.set_index("option_id").sort_index()["npv"])
    assert ADDED not in plan.recommended
    chosen = expected[[*plan.recommended, ADDED]].sum()  # the hand-recommended option counts everywhere
    assert as_number(summary(book)["NPV"]) == pytest.approx(chosen, abs=TOLERANCE)
    assert table(book, "Partners")["NPV"].astype(float).sum() == pytest.approx(chosen, abs=TOLERANCE)
    factors = {row[0]: row[1] for row in rows_of(book, "Assumptions") if row and row[0] in ("cost_factor",
                                                                                              "saving_factor")}
    assert factors["cost_factor"] == pytest.approx(new.cost_factor)
    assert factors["saving_factor"] == pytest.approx(new.saving_factor)


# --------------------------------------------------------------------------- #
# Text stays text
# --------------------------------------------------------------------------- #


def test_text_from_the_inputs_is_never_a_formula(written: Path) -> None:
    values = CalamineWorkbook.from_path(str(written))
    book = openpyxl.load_workbook(written)
    found = {text: 0 for text in INJECTED}
    for ws in book.worksheets:
        rows = rows_of(values, ws.title)
        for row in ws.iter_rows():
            for cell in row:
                text = cell_at(rows, cell.row - 1, cell.column - 1)
                if text in found:
                    found[text] += 1
                    assert cell.data_type == "s", (ws.title, cell.coordinate, text)
    assert all(found.values()), found
    organisations = table(values, "Partners")["Organisation"].tolist()
    assert EVIL_ORGANISATION in organisations


# --------------------------------------------------------------------------- #
# The row limit
# --------------------------------------------------------------------------- #


def test_large_tables_continue_on_numbered_sheets(split: tuple[estate.plan.Plan, Path],
                                                  recalculated: dict[str, Path]) -> None:
    big, path = split
    assert MAX_SHEET_ROWS == 1_048_575  # the patch did not leak
    book = CalamineWorkbook.from_path(str(path))
    assert [n for n in book.sheet_names if n.startswith("Systems")] == ["Systems", "Systems 2", "Systems 3"]
    assert [n for n in book.sheet_names if n.startswith("Data issues")] == ["Data issues", "Data issues 2"]
    systems = pd.concat([table(book, n) for n in ("Systems", "Systems 2", "Systems 3")], ignore_index=True)
    assert [len(table(book, n)) for n in ("Systems", "Systems 2", "Systems 3")] == [5, 5, 2]
    assert systems["System key"].tolist() == big.systems_table()["system_key"].tolist()
    assert systems["System"].tolist() == [f"-system {i}" for i in range(12)]
    issues = pd.concat([table(book, n) for n in ("Data issues", "Data issues 2")], ignore_index=True)
    assert issues["Problem"].tolist() == big.issues()["problem"].tolist()
    assert set(issues["Value"]) == {"=cmd|' /C calc'!A0"}

    after = CalamineWorkbook.from_path(str(recalculated["split"]))
    figures = summary(after)
    assert as_number(figures["Systems"]) == 12
    assert as_number(figures["Annual run cost"]) == pytest.approx(78_000.0)
    assert figures["Payback years"] in ("", None)
    partners = table(after, "Partners").set_index("Organisation")["Run cost today"].astype(float)
    assert partners.to_dict() == big.partners.partners.set_index("organisation")["run_cost_today"].to_dict()
    formulas = formula_cells(path)
    gaps = differences(formulas, path, recalculated["split"])
    assert max(gaps.values()) <= TOLERANCE


def test_other_sheets_over_the_limit_are_refused(plan: estate.plan.Plan, folder: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workbook, "MAX_SHEET_ROWS", 5)
    with pytest.raises(ParameterError, match="rows, more than the 5 a worksheet holds"):
        write_plan(plan, folder / "refused.xlsx")


# --------------------------------------------------------------------------- #
# Determinism, read-back, errors
# --------------------------------------------------------------------------- #


def test_the_same_plan_gives_the_same_workbook(plan: estate.plan.Plan, written: Path, folder: Path,
                                               chart: Path) -> None:
    again = plan.write(folder / "again.xlsx", charts={"Estate graph": chart})
    first, second = openpyxl.load_workbook(written), openpyxl.load_workbook(again)
    assert first.sheetnames == second.sheetnames
    for a, b in zip(first.worksheets, second.worksheets, strict=True):
        assert [[c.value for c in row] for row in a.iter_rows()] == [[c.value for c in row] for row in b.iter_rows()]
    cached_a, cached_b = CalamineWorkbook.from_path(str(written)), CalamineWorkbook.from_path(str(again))
    for name in first.sheetnames:
        assert rows_of(cached_a, name) == rows_of(cached_b, name)
    with zipfile.ZipFile(written) as za, zipfile.ZipFile(again) as zb:
        assert za.namelist() == zb.namelist()
        assert za.read("docProps/core.xml") == zb.read("docProps/core.xml")
        assert any(name.startswith("xl/media/") for name in za.namelist())  # the chart


def test_assumptions_read_back(plan: estate.plan.Plan, written: Path, edited: Path) -> None:
    again = read_assumptions_sheet(written)
    assert again == plan.assumptions
    assert dict(again.sources) == dict(plan.assumptions.sources)
    changed = read_assumptions_sheet(edited)
    assert (changed.discount_rate, changed.bias_mitigation) == (0.05, 0.5)
    assert dataclasses.replace(changed, discount_rate=plan.assumptions.discount_rate,
                               bias_mitigation=plan.assumptions.bias_mitigation) == plan.assumptions
    # make_plan takes an earlier plan's workbook as the assumptions.
    assert estate.plan._load_assumptions(edited) == changed


def test_errors_are_one_clear_line(plan: estate.plan.Plan, folder: Path) -> None:
    with pytest.raises(ParameterError, match="must be a .xlsx file name"):
        write_plan(plan, folder / "plan.xls")
    with pytest.raises(ParameterError, match="existing image files"):
        write_plan(plan, folder / "nochart.xlsx", charts={"Missing": folder / "missing.png"})
    drawing = folder / "drawing.svg"
    drawing.write_text("<svg/>", encoding="utf-8")
    with pytest.raises(ParameterError, match="existing image files"):
        write_plan(plan, folder / "svg.xlsx", charts={"Vector": drawing})
    with pytest.raises(ParameterError, match="must be a Plan"):
        write_plan(plan.options, folder / "options.xlsx")
    with pytest.raises(ParameterError, match="cannot write|Cannot write"):
        write_plan(plan, folder / "no such folder" / "plan.xlsx")
    other = folder / "other.xlsx"
    book = xlsxwriter.Workbook(other)
    book.add_worksheet("Sheet1").write_string(0, 0, "nothing here")
    book.close()
    with pytest.raises(ParameterError, match="no 'Assumptions' sheet"):
        read_assumptions_sheet(other)
    text = folder / "assumptions.csv"
    text.write_text("Parameter,Value\ndiscount_rate,0.03\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="assumptions.csv"):
        read_assumptions_sheet(text)
