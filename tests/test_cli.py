"""The command line, tested in-process by exit code and output."""

from __future__ import annotations

import subprocess
from pathlib import Path
import sys

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

import badfiles
from estate.cli import main


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def write(path, rows, sheet="Systems"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    wb.save(path)
    return path


@pytest.mark.parametrize("command", [[], ["template"], ["validate"], ["graph"], ["plan"]])
def test_every_command_has_help(command):
    result = run(*command, "--help")
    assert result.exit_code == 0 and "Usage:" in result.output


def test_validate_exit_codes_clean_and_with_issues(tmp_path):
    clean = write(tmp_path / "clean.xlsx", [["System", "Vendor", "Annual cost"], ["Finance", "Unit4", 1000]])
    result = run("validate", clean)
    assert result.exit_code == 0, result.output
    assert "1 organisations, 1 systems, £1,000 a year; 0 errors, 0 warnings" in result.output
    messy = write(tmp_path / "messy.xlsx", [["System", "Annual cost"], ["Finance", "£12,5oo"]])
    result = run("validate", messy)
    assert result.exit_code == 1
    assert "cannot read as money" in result.output and "£12,5oo" in result.output


@pytest.mark.parametrize("builder", [
    badfiles.make_not_a_spreadsheet, badfiles.make_corrupt_zip, badfiles.make_password_protected,
    badfiles.make_xml_bomb, badfiles.make_zip_bomb, badfiles.make_empty, badfiles.make_binary_csv,
    badfiles.make_legacy_xls, badfiles.make_no_header,
])
def test_a_bad_file_gives_one_line_and_exit_2(tmp_path, builder):
    path = builder(tmp_path)
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"estate: error: {path.name}: "), result.stderr
    assert "Traceback" not in result.output


def test_oversized_file_is_refused_with_the_limit(tmp_path):
    path = badfiles.make_oversized(tmp_path, size=2 * 1024 * 1024)
    result = CliRunner().invoke(main, ["validate", str(path), "--max-size", "1"])
    assert result.exit_code == 2 and "size limit" in result.stderr


def test_keep_going_reports_the_bad_file_and_reads_the_rest(tmp_path):
    write(tmp_path / "good.xlsx", [["System", "Vendor"], ["Finance", "Unit4"]])
    badfiles.make_corrupt_zip(tmp_path, "broken.xlsx")
    assert CliRunner().invoke(main, ["validate", str(tmp_path)]).exit_code == 2
    result = run("validate", tmp_path, "--keep-going")
    assert result.exit_code == 1
    assert "broken.xlsx" in result.output and "file not read" in result.output


def test_missing_path_is_one_line(tmp_path):
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "nowhere.xlsx")])
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1


def test_report_xlsx_keeps_formula_like_text_as_text(tmp_path):
    path = write(tmp_path / "o.xlsx", [["System", "Vendor", "Annual cost"], ["=HYPERLINK(\"x\")", "@evil", "=1+1"],
                                       ["+Payroll", "-MHR", "lots"]])
    report = tmp_path / "report.xlsx"
    result = run("validate", path, "--report", report)
    assert result.exit_code == 1
    wb = openpyxl.load_workbook(report)
    ws = wb["Data issues"]
    values = [c for row in ws.iter_rows(min_row=2) for c in row]
    risky = [c for c in values if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert risky and all(c.data_type == "s" for c in risky)
    assert "=1+1" in {c.value for c in risky}
    summary = pd.read_excel(report, sheet_name="Summary", engine="calamine")
    assert summary["Systems"].tolist() == [2]


def test_report_csv_defuses_formulas(tmp_path):
    path = write(tmp_path / "o.xlsx", [["System", "Annual cost"], ["A", "=1+1"]])
    report = tmp_path / "issues.csv"
    assert run("validate", path, "--report", report).exit_code == 1
    frame = pd.read_csv(report, encoding="utf-8-sig")
    assert frame.loc[frame["Column"] == "annual_cost", "Value"].tolist() == ["'=1+1"]


def test_template_writes_a_workbook_that_reads_back(tmp_path):
    import openpyxl

    out = tmp_path / "collect.xlsx"
    result = run("template", out)
    assert result.exit_code == 0 and out.exists()
    check = run("validate", out)  # only the worked examples: skipped, so no systems
    assert check.exit_code == 2, check.output
    assert "example row of the collection template" in check.output
    book = openpyxl.load_workbook(out)
    ws = book["Systems"]
    headers = [c.value for c in ws[1]]
    for header, value in (("organisation", "Eden District Council"), ("system", "Payroll"), ("annual_cost", 5000)):
        ws.cell(4, headers.index(header) + 1, value)
    book.save(out)
    check = run("validate", out)
    assert check.exit_code == 0, check.output
    assert "1 organisations, 1 systems" in check.output


def test_template_refuses_a_non_xlsx_name(tmp_path):
    result = CliRunner().invoke(main, ["template", str(tmp_path / "t.csv")])
    assert result.exit_code == 2 and "xlsx" in result.output


def test_console_script_runs_as_a_process(tmp_path):
    clean = write(tmp_path / "clean.xlsx", [["System", "Vendor"], ["Finance", "Unit4"]])
    done = subprocess.run([sys.executable, "-m", "estate.cli", "validate", str(clean)], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr


SAMPLE = Path(__file__).resolve().parents[1] / "inventories" / "cumbria"


@pytest.mark.parametrize("suffix", [".graphml", ".gexf", ".json"])
def test_graph_writes_a_file_networkx_reads_back(tmp_path, suffix):
    import networkx as nx

    from estate.graph import read_graph

    out = tmp_path / f"estate{suffix}"
    result = run("graph", SAMPLE, "--out", out)
    assert result.exit_code == 0, result.output
    graph = nx.read_graphml(out) if suffix == ".graphml" else read_graph(out)
    nodes = int(result.output.split(": ")[1].split(" nodes")[0].replace(",", ""))
    assert graph.number_of_nodes() == nodes > 1000


def test_graph_refuses_an_unknown_format(tmp_path):
    result = CliRunner().invoke(main, ["graph", str(SAMPLE), "--out", str(tmp_path / "g.txt")])
    assert result.exit_code == 2 and ".graphml" in result.output


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    out = tmp_path_factory.mktemp("plan") / "plan.xlsx"
    result = run("plan", SAMPLE, "--out", out)
    return out, result


def test_plan_writes_the_workbook_and_prints_the_headline(planned):
    out, result = planned
    assert result.exit_code == 0, result.output
    for figure in ("Organisations", "Systems", "Annual run cost", "Recommended annual saving", "Run cost in scope",
                   "One-off cost", "NPV", "Payback"):
        assert figure in result.output
    with pd.ExcelFile(out, engine="calamine") as book:
        sheets = book.sheet_names
    for name in ("Summary", "Options", "Cash flows", "Systems", "Overlaps", "Partners", "Roadmap", "Assumptions",
                 "Data issues"):
        assert name in sheets


def test_every_input_row_is_in_systems_or_data_issues(planned):
    from estate.reading import read_inventory

    out, _ = planned
    inventory = read_inventory([SAMPLE])
    systems = pd.read_excel(out, sheet_name="Systems", engine="calamine")
    issues = pd.read_excel(out, sheet_name="Data issues", engine="calamine")
    loaded = set(zip(systems["Source file"], systems["Source row"]))
    refused = issues[issues["Severity"] == "error"]
    refused = set(zip(refused["Source file"], refused["Source row"].astype("Int64")))
    expected = set(zip(inventory.systems["source_file"], inventory.systems["source_row"]))
    assert loaded == expected and not loaded & refused
    # Split multi-product rows give one system per product, each citing the row.
    assert len(systems) >= len(inventory.systems)


def test_plan_again_with_the_assumptions_sheet_of_an_earlier_plan(planned, tmp_path):
    import openpyxl

    out, _ = planned
    edited = tmp_path / "edited.xlsx"
    wb = openpyxl.load_workbook(out)
    ws = wb["Assumptions"]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[header.index("Parameter")].value == "discount_rate":
            row[header.index("Value")].value = 0.05
    wb.save(edited)
    result = run("plan", SAMPLE, "--out", tmp_path / "again.xlsx", "--assumptions", edited)
    assert result.exit_code == 0, result.output
    assert "at 5.0%" in result.output


def test_plan_with_a_bad_file_is_one_line_and_exit_2(tmp_path):
    path = badfiles.make_xml_bomb(tmp_path)
    result = CliRunner().invoke(main, ["plan", str(path), "--out", str(tmp_path / "p.xlsx")])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "xml_bomb.xlsx" in result.stderr
    assert not (tmp_path / "p.xlsx").exists()


def test_plan_prints_the_headline_in_the_plans_currency(tmp_path):
    folder = tmp_path / "place"
    folder.mkdir()
    for name, product, users, cost in (("Eden", "Capita Academy", 40, 85000), ("Carlisle", "Civica OpenRevenues",
                                                                               60, 120000)):
        (folder / f"{name}.csv").write_text(
            "System,Product,Capability,Users,Annual cost,Contract end\n"
            f"Revenues,{product},Revenues and benefits,{users},{cost},2029-03-31\n", encoding="utf-8")
    (tmp_path / "euro.toml").write_text('currency = "EUR"\n', encoding="utf-8")
    result = run("plan", folder, "--out", tmp_path / "plan.xlsx", "--assumptions", tmp_path / "euro.toml")
    assert result.exit_code == 0, result.output
    headline = result.output.split("Annual run cost", 1)[1].split("Data issues", 1)[0]
    assert "€205,000" in headline and "£" not in headline and "nan" not in headline
