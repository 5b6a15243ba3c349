"""Outputs never replace an input, are never half-written, and are never read back as inventories."""

from __future__ import annotations

import errno
import hashlib
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner

import estate.outputs
from estate.cli import main
from estate.errors import OutputFileError
from estate.outputs import atomic_write, check_not_input, written_by_estate

ROWS = ("System,Vendor,Product,Capability,Annual cost\n"
        "Payroll,MHR,iTrent,Payroll,10000\n"
        "Finance,Unit4,Unit4 ERP,Finance,20000\n"
        "Planning,Idox,Uniform,Planning,15000\n")


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_error_line(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2, result.output
    assert len(lines) == 1 and lines[0].startswith("estate: error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    inventories = tmp_path / "returns"
    inventories.mkdir()
    (inventories / "eden.csv").write_text(ROWS, encoding="utf-8")
    (inventories / "carlisle.csv").write_text(ROWS.replace("MHR", "Zellis").replace("10000", "12000"),
                                             encoding="utf-8")
    return inventories


def systems_of(plan: Path) -> pd.DataFrame:
    frame = pd.read_excel(plan, sheet_name="Systems", engine="openpyxl")
    return frame[["Source file", "Source row", "Organisation", "System"]].sort_values(
        ["Source file", "Source row"]).reset_index(drop=True)


# --- --out naming an input --------------------------------------------------------------------------


def test_out_naming_an_input_workbook_is_refused_and_the_input_unchanged(folder: Path, tmp_path: Path) -> None:
    inventory = tmp_path / "inv.xlsx"
    pd.read_csv(folder / "eden.csv").to_excel(inventory, sheet_name="Systems", index=False)
    before = digest(inventory)
    line = one_error_line(run("plan", inventory, "--out", inventory))
    assert "inv.xlsx" in line and "input" in line
    assert digest(inventory) == before
    # The same file reached through a folder, and through another spelling of its path.
    moved = folder / "inv.xlsx"
    inventory.rename(moved)
    one_error_line(run("plan", folder, "--out", folder / "sub" / ".." / "inv.xlsx"))
    assert digest(moved) == before
    one_error_line(run("validate", folder, "--report", moved))
    assert digest(moved) == before


def test_check_not_input_allows_a_new_name_and_an_earlier_plan(folder: Path) -> None:
    check_not_input(folder / "plan.xlsx", [folder])
    with pytest.raises(OutputFileError, match="names an input file"):
        check_not_input(folder / "eden.csv", [folder])
    with pytest.raises(OutputFileError, match="names an input folder"):
        check_not_input(folder, [folder])


# --- estate's outputs are not read back -------------------------------------------------------------


def test_planning_twice_into_the_inventory_folder_gives_the_same_systems(folder: Path) -> None:
    out = folder / "plan.xlsx"
    first = run("plan", folder, "--out", out)
    assert first.exit_code == 0, first.output
    systems = systems_of(out)
    assert len(systems) == 6 and set(systems["Source file"]) == {"eden.csv", "carlisle.csv"}
    report = folder / "issues.xlsx"
    assert run("validate", folder, "--report", report).exit_code in (0, 1)
    assert run("validate", folder, "--report", folder / "issues.csv").exit_code in (0, 1)
    second = run("plan", folder, "--out", out)
    assert second.exit_code == 0, second.output
    pd.testing.assert_frame_equal(systems_of(out), systems)
    issues = pd.read_excel(out, sheet_name="Data issues", engine="openpyxl")
    notes = issues.loc[issues["Source file"].isin(["plan.xlsx", "issues.xlsx", "issues.csv"]), "Problem"]
    assert sorted(notes) == ["file not read: a plan written by estate, not an inventory",
                             "file not read: a report written by estate, not an inventory",
                             "file not read: a report written by estate, not an inventory"]


def test_a_plan_given_as_an_input_is_refused_in_one_line(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan.xlsx"
    assert run("plan", folder, "--out", out).exit_code == 0
    assert written_by_estate(out) == "plan"
    line = one_error_line(run("plan", out, "--out", tmp_path / "again.xlsx"))
    assert "a plan written by estate, not an inventory" in line
    assert not (tmp_path / "again.xlsx").exists()


def test_the_template_is_not_an_output(tmp_path: Path) -> None:
    assert run("template", tmp_path / "collect.xlsx").exit_code == 0
    assert written_by_estate(tmp_path / "collect.xlsx") is None


# --- atomic writes ----------------------------------------------------------------------------------


def test_atomic_write_leaves_nothing_behind_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        with atomic_write(target) as temporary:
            temporary.write_text("half", encoding="utf-8")
            raise KeyboardInterrupt
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def _half_written(position: int):
    """A writer that writes part of its file (argument ``position``), then fails."""
    def write(*args, **kwargs):
        Path(args[position]).write_bytes(b"PK\x03\x04 half a file")
        raise RuntimeError("the disk went away")
    return write


@pytest.mark.parametrize("command, name, module, attribute, position", [
    ("plan", "plan.xlsx", "estate.workbook", "_write_summary", None),
    ("graph", "estate.graphml", "networkx", "write_graphml", 1),
    ("graph", "estate.gexf", "networkx", "write_gexf", 1),
    ("validate", "issues.csv", "pandas", "DataFrame.to_csv", 1),
    ("validate", "issues.xlsx", "estate.report", "_write_report_workbook", 2),
])
def test_a_failure_mid_write_leaves_the_older_file_intact(folder: Path, tmp_path: Path, monkeypatch, command, name,
                                                          module, attribute, position) -> None:
    import importlib

    out = tmp_path / name
    option = "--report" if command == "validate" else "--out"
    assert run(command, folder, option, out).exit_code in (0, 1)
    before = digest(out)
    target = importlib.import_module(module)
    if "." in attribute:
        owner, attribute = attribute.split(".")
        target = getattr(target, owner)
    if position is None:
        def fail(*args, **kwargs):
            raise RuntimeError("interrupted while writing")
        monkeypatch.setattr(target, attribute, fail)
    else:
        monkeypatch.setattr(target, attribute, _half_written(position))
    result = CliRunner().invoke(main, [command, str(folder), option, str(out)])
    assert result.exit_code == 3 and "Traceback" not in result.output, result.output
    assert digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({"returns", name})


def test_a_failed_template_or_chart_leaves_the_older_file(folder: Path, tmp_path: Path, monkeypatch) -> None:
    template = tmp_path / "collect.xlsx"
    assert run("template", template).exit_code == 0
    before = digest(template)
    monkeypatch.setattr(estate.outputs.os, "replace", _raise(errno.ENOSPC))
    line = one_error_line(run("template", template))
    assert "no space left" in line
    assert digest(template) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["collect.xlsx", "returns"]


def _raise(code: int):
    def replace(*args, **kwargs):
        raise OSError(code, os.strerror(code))
    return replace


@pytest.mark.parametrize("code, words", [(errno.EACCES, "permission denied"), (errno.ENOSPC, "no space left"),
                                         (errno.EROFS, "permission denied")])
def test_destinations_that_cannot_be_written_give_one_line(folder: Path, tmp_path: Path, monkeypatch, code,
                                                           words) -> None:
    out = tmp_path / "plan.xlsx"
    out.write_bytes(b"an older plan")
    monkeypatch.setattr(estate.outputs.os, "replace", _raise(code))
    line = one_error_line(run("plan", folder, "--out", out))
    assert words in line and "plan.xlsx" in line
    assert out.read_bytes() == b"an older plan"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.xlsx", "returns"]


def test_a_missing_output_folder_is_one_line(folder: Path, tmp_path: Path) -> None:
    for args in (("plan", folder, "--out", tmp_path / "no" / "plan.xlsx"),
                 ("graph", folder, "--out", tmp_path / "no" / "g.graphml"),
                 ("template", tmp_path / "no" / "t.xlsx")):
        line = one_error_line(run(*args))
        assert "does not exist" in line


@pytest.mark.skipif(sys.platform == "win32" or (hasattr(os, "geteuid") and os.geteuid() == 0),
                    reason="needs a folder the user cannot write (root writes anywhere)")
def test_a_read_only_folder_is_one_line(folder: Path, tmp_path: Path) -> None:  # pragma: no cover - not as root
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        assert "permission denied" in one_error_line(run("plan", folder, "--out", locked / "plan.xlsx"))
    finally:
        locked.chmod(0o755)


def test_a_closed_pipe_is_not_an_error(folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan.xlsx"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "MPLBACKEND": "Agg"}
    command = [sys.executable, "-m", "estate.cli", "plan", str(folder), "--out", str(out)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as process:
        first = process.stdout.readline()  # like `| head -1`: one line, then the pipe is closed
        process.stdout.close()
        error = process.stderr.read()
        code = process.wait(timeout=120)
    assert first.startswith(b"Organisations")
    assert code == 0, error
    assert b"error" not in error and b"Traceback" not in error
    assert written_by_estate(out) == "plan"


# --- odd names, odd text ----------------------------------------------------------------------------


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="the file system needs names in UTF-8")
def test_a_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    folder = tmp_path / "returns"
    folder.mkdir()
    name = os.fsdecode(b"caf\xe9 council.csv")
    (folder / name).write_text(ROWS, encoding="utf-8")
    assert run("validate", folder).exit_code == 0
    out = tmp_path / os.fsdecode(b"plan\xff.xlsx")
    result = run("plan", folder, "--out", out)
    assert result.exit_code == 0, result.output
    assert set(systems_of(out)["Source file"]) == {"caf\ufffd council.csv"}
    assert run("graph", folder, "--out", tmp_path / "g.graphml").exit_code == 0
    bad = folder / os.fsdecode(b"broken\xff.xlsx")
    bad.write_bytes(b"not a workbook")
    line = one_error_line(run("validate", bad))
    assert "broken\ufffd.xlsx" in line


def test_max_size_nan_is_one_line(folder: Path) -> None:
    for value in ("nan", "inf"):
        result = run("validate", folder, "--max-size", value)
        assert result.exit_code == 2 and "not a size in MB" in result.output


CONTROL = ("System,Vendor,Product,Capability,Annual cost\n"
           "Pay\x01roll,MH\x0bR,iTrent,Payroll,100\n"
           "Fin\x02ance,Unit4,ERP\x1f,Finance,200\n"
           "Rev\x1bs,Unit4,ERP,Finance,5\n")


def test_graphml_from_names_with_control_characters_is_well_formed(tmp_path: Path) -> None:
    source = tmp_path / "odd.csv"
    source.write_text(CONTROL, encoding="utf-8")
    for suffix in (".graphml", ".gexf", ".json"):
        out = tmp_path / f"estate{suffix}"
        result = run("graph", source, "--out", out)
        assert result.exit_code == 0, result.output
        if suffix == ".json":
            import json
            json.loads(out.read_text(encoding="utf-8"))
            continue
        root = ET.parse(out).getroot()  # a strict XML parser
        if suffix == ".graphml":
            graph = nx.read_graphml(out)
            assert {"system:Odd/Pay\\x01roll", "system:Odd/Fin\\x02ance"} <= set(graph.nodes)
            ids = [edge.get("id") for edge in root.iter("{http://graphml.graphdrawing.org/xmlns}edge")]
            assert len(ids) == graph.number_of_edges() > 5 and len(set(ids)) == len(ids)
        else:
            nx.read_gexf(out)


def test_graphml_edge_ids_are_unique_on_the_sample(tmp_path: Path) -> None:
    from estate.graph import read_graph

    sample = Path(__file__).resolve().parents[1] / "inventories" / "cumbria" / "copeland-bc-systems.csv"
    out = tmp_path / "estate.graphml"
    assert run("graph", sample, "--out", out).exit_code == 0
    ids = [edge.get("id") for edge in ET.parse(out).getroot().iter("{http://graphml.graphdrawing.org/xmlns}edge")]
    assert len(set(ids)) == len(ids) > 50
    relations = {key for _, _, key in read_graph(out).edges(keys=True)}
    assert "operates" in relations and not any(key.startswith("e") and key[1:].isdigit() for key in relations)


def test_console_markup_in_a_value_prints_as_written(tmp_path: Path) -> None:
    source = tmp_path / "markup.csv"
    source.write_text("System,Vendor,Annual cost\n[bold]Pay[/]roll,MHR,abc[/x]\n", encoding="utf-8")
    result = run("validate", source)
    assert result.exit_code == 1, result.output
    assert "abc[/x]" in result.output


def test_report_csv_neutralises_every_formula_start(tmp_path: Path) -> None:
    source = tmp_path / "formulas.csv"
    source.write_text("System,Vendor,Annual cost\nA,X,=1+1\nB,X,+abc\nC,X,-3x\nD,X,@SUM(1)\n", encoding="utf-8")
    report = tmp_path / "issues.csv"
    assert run("validate", source, "--report", report).exit_code == 1
    values = pd.read_csv(report, encoding="utf-8-sig", dtype=str)["Value"].dropna().tolist()
    assert sorted(values) == ["'+abc", "'-3x", "'=1+1", "'@SUM(1)"]


@pytest.mark.parametrize("rows", [1, 2])
def test_one_and_two_row_inventories_plan(tmp_path: Path, rows: int) -> None:
    for header, lines in (("System,Annual cost", ["Thing,100", "Other,200"]),
                          ("System,Product", ["Foo,Bar", "Baz,Qux"]),
                          ("Organisation,System,Annual cost", ["A,x,1", "B,y,2"])):
        source = tmp_path / "tiny.csv"
        source.write_text("\n".join([header, *lines[:rows]]) + "\n", encoding="utf-8")
        out = tmp_path / "plan.xlsx"
        result = run("plan", source, "--out", out)
        assert result.exit_code == 0, result.output
        assert len(systems_of(out)) == rows


def test_names_with_dollar_signs_are_never_read_as_mathtext(tmp_path: Path) -> None:
    folder = tmp_path / "returns"
    folder.mkdir()
    (folder / "m.csv").write_text(
        "Organisation,System,Vendor,Product,Capability,Annual cost\n"
        "$\\frac{a}{$ Council,Payroll,MHR,iTrent,Payroll,100\n"
        "$x^$ Trust,Payroll,MHR,iTrent,Payroll,200\n"
        "$x^$ Trust,Pay2,Zellis,ResourceLink,Payroll,200\n", encoding="utf-8")
    from estate.charts import PLAN_CHARTS, write_charts
    from estate.plan import make_plan

    plan = make_plan(folder)
    written = write_charts(plan, tmp_path / "charts", formats=["png"], dpi=20)  # mathtext raised here
    assert sorted(written) == sorted(PLAN_CHARTS)
    plan.write(tmp_path / "plan.xlsx", charts=written)
