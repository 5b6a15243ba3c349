"""Rough edges a newcomer hits: reprs, integer counts, argument errors, edited Assumptions, headings read."""

from __future__ import annotations

import tomllib
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import estate
from estate import Inventory
from estate.errors import ParameterError
from estate.examples import two_councils
from estate.plan import make_plan
from estate.reading import HEADINGS_NOTE, read_inventory
from estate.workbook import read_assumptions_sheet, write_plan

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def plan() -> estate.plan.Plan:
    return make_plan(two_councils())


def test_headline_counts_are_integers(plan: estate.plan.Plan) -> None:
    head = plan.headline()
    for key in ("Organisations", "Systems", "Recommended options"):
        assert type(head[key]) is int, key
    assert head["Systems"] == len(plan.matched) and head["Organisations"] == plan.matched["organisation"].nunique()
    assert isinstance(head["NPV"], float)


def test_reprs_are_one_line_of_counts(plan: estate.plan.Plan) -> None:
    text = repr(plan)
    assert "\n" not in text and len(text) < 300
    assert text.startswith(f"Plan(organisations={plan.headline()['Organisations']}, systems={len(plan.matched)}, "
                           f"options={len(plan.options.options)}, recommended={len(plan.recommended)}")
    inventory = repr(plan.inventory)
    assert inventory.startswith(f"Inventory(files={len(plan.inventory.files)}, organisations=2, "
                                f"systems={len(plan.inventory.systems)}")
    assert repr(plan.options).startswith(f"Options(options={len(plan.options.options)}, types=")
    grid = plan.roadmap.by_year
    assert repr(plan.roadmap) == (f"Roadmap(options={len(grid)}, years={grid['start'].min()} to "
                                  f"{grid['end'].max()}, events={len(plan.roadmap.events)})")
    assert repr(Inventory()) == ("Inventory(files=0, organisations=0, systems=0, contracts=0, integrations=0, sites=0, "
                                 "issues=0 (0 to fix))")


def test_notebook_displays_are_short_and_escaped(tmp_path: Path) -> None:
    plan = make_plan(two_councils(eden_system="<script>alert(1)</script>"))
    for thing in (plan, plan.inventory, plan.options, plan.roadmap):
        shown = thing._repr_html_()
        assert shown.startswith("<div><strong>") and "<table" in shown and len(shown) < 20_000
        assert "<script>" not in shown
    assert "&lt;script&gt;" in plan.inventory._repr_html_()


def test_make_plan_names_a_wrong_argument() -> None:
    frame = pd.DataFrame({"system": ["Payroll"]})
    with pytest.raises(ParameterError, match=r"The 'source' parameter of make_plan must be an Inventory .* or "
                                             r"paths: .* Got DataFrame instead\."):
        make_plan(frame)
    with pytest.raises(ParameterError, match="Got a list holding int instead"):
        make_plan([1, 2])
    with pytest.raises(ParameterError, match="'assumptions' parameter of make_plan .* Got float instead"):
        make_plan(two_councils(), assumptions=0.035)  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="The 'paths' parameter of read_inventory .* Got DataFrame instead"):
        read_inventory(frame)  # type: ignore[arg-type]
    # A generator of paths is read once, in full.
    assert len(make_plan(p for p in [ROOT / "inventories" / "cumbria"]).matched) > 1000


def _edit(path: Path, out: Path, parameter: str, value: object, *, column: int = 2) -> int:
    book = openpyxl.load_workbook(path)
    ws = book["Assumptions"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == parameter)
    ws.cell(row, column).value = value
    book.save(out)
    return row


def test_an_edited_assumptions_sheet_names_the_cell(plan: estate.plan.Plan, tmp_path: Path) -> None:
    written = write_plan(plan, tmp_path / "plan.xlsx")
    _edit(written, tmp_path / "percent.xlsx", "discount_rate", "3.5%")
    assert read_assumptions_sheet(tmp_path / "percent.xlsx").discount_rate == pytest.approx(0.035)
    _edit(written, tmp_path / "money.xlsx", "training_per_user", "£1,250")
    assert read_assumptions_sheet(tmp_path / "money.xlsx").training_per_user == 1250
    row = _edit(written, tmp_path / "bad.xlsx", "discount_rate", 3.5)
    with pytest.raises(ParameterError) as caught:
        read_assumptions_sheet(tmp_path / "bad.xlsx")
    assert str(caught.value).startswith(f"bad.xlsx, sheet 'Assumptions', cell B{row} (discount_rate): The "
                                        "'discount_rate' parameter")
    row = _edit(written, tmp_path / "name.xlsx", "horizon_years", "horizon_yeers", column=1)
    with pytest.raises(ParameterError, match=rf"cell A{row} \(horizon_yeers\): .*did you mean 'horizon_years'"):
        read_assumptions_sheet(tmp_path / "name.xlsx")
    # The CLI says the same in one line.
    from click.testing import CliRunner

    from estate.cli import main

    result = CliRunner().invoke(main, ["plan", str(ROOT / "inventories" / "cumbria"), "--assumptions",
                                       str(tmp_path / "bad.xlsx"), "--out", str(tmp_path / "again.xlsx")])
    assert result.exit_code == 2 and f"cell B{_row(written, 'discount_rate')}" in result.output


def _row(path: Path, parameter: str) -> int:
    ws = openpyxl.load_workbook(path)["Assumptions"]
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == parameter)


def test_headings_read_as_other_fields_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "eden.csv"
    path.write_text("Department,Application,Supplier,annual_cost\nEden District Council,Revenues,Capita,1000\n",
                    encoding="utf-8")
    inventory = read_inventory(path)
    assert inventory.systems["organisation"].tolist() == ["Eden District Council"]
    notes = inventory.issues[inventory.issues["problem"] == HEADINGS_NOTE]
    assert len(notes) == 1 and notes["severity"].iloc[0] == "info" and notes["source_row"].iloc[0] == 1
    # Each heading that is not the field's own name, in the sheet's order; annual_cost is its own name.
    assert notes["value"].iloc[0] == "'Department' as organisation; 'Application' as system; 'Supplier' as vendor"
    assert not inventory.has_problems


def test_notebooks_extra_and_readme() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == ">=3.11"
    assert any(d.startswith("jupyterlab") for d in project["optional-dependencies"]["notebooks"])
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for words in ("Python 3.11", "python3 -m venv .venv", "pip install -e '.[notebooks]'", "jupyter lab notebooks/",
                  "--pdf pack.pdf"):
        assert words in readme, words
