"""Scenarios (estate.scenarios, estate plan --scenario): overrides laid over the base, planned side by side."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from estate.cli import main
from estate.errors import ParameterError
from estate.examples import two_councils
from estate.plan import make_plan
from estate.scenarios import compare_scenarios, plan_scenarios, scenario_assumptions

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def base():
    return make_plan(two_councils())


def test_a_scenario_overrides_only_what_it_names(base, tmp_path: Path) -> None:
    path = tmp_path / "cautious.toml"
    path.write_text("discount_rate = 0.06\n[bias_mitigation]\nvalue = 0.4\nsource = \"risk workshop\"\n")
    name, assumptions = scenario_assumptions(path, base.assumptions)
    assert name == "cautious"
    assert assumptions.discount_rate == 0.06 and assumptions.bias_mitigation == 0.4
    assert assumptions.sources["bias_mitigation"] == "risk workshop"
    same = {k: v for k, v in assumptions.to_dict().items() if k not in ("discount_rate", "bias_mitigation")}
    assert same == {k: v for k, v in base.assumptions.to_dict().items() if k in same}


def test_scenarios_are_planned_and_compared(base, tmp_path: Path) -> None:
    (tmp_path / "cautious.toml").write_text("bias_mitigation = 0.2\nuncertain_costs_high = 2.0\n")
    (tmp_path / "ambitious.toml").write_text("bias_mitigation = 1.0\n")
    plans = plan_scenarios(base, [tmp_path / "cautious.toml", tmp_path / "ambitious.toml"])
    table = compare_scenarios(base, plans).set_index("scenario")
    assert list(table.index) == ["base", "cautious", "ambitious"]
    # Each row is its own plan's headline: recomputed here from each plan.
    for name, plan in (("base", base), *plans.items()):
        assert table.loc[name, "npv"] == pytest.approx(plan.headline()["NPV"])
        assert table.loc[name, "npv_p50"] == pytest.approx(plan.sensitivity().value("NPV P50"))
    assert table.loc["cautious", "npv"] < table.loc["base", "npv"] < table.loc["ambitious", "npv"]
    assert table.loc["base", "overrides"] == "none"
    assert "bias_mitigation = 0.2" in table.loc["cautious", "overrides"]


def test_scenario_names_must_differ(base, tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.toml").write_text("discount_rate = 0.03\n")
    (tmp_path / "x.toml").write_text("discount_rate = 0.04\n")
    with pytest.raises(ParameterError, match="'x' is taken"):
        plan_scenarios(base, [tmp_path / "a" / "x.toml", tmp_path / "x.toml"])


def test_estate_plan_with_scenarios_writes_a_scenarios_sheet(tmp_path: Path) -> None:
    (tmp_path / "cautious.toml").write_text("bias_mitigation = 0.2\n")
    (tmp_path / "ambitious.yaml").write_text("bias_mitigation: 1.0\nmigrations_per_organisation: 0\n")
    out = tmp_path / "plan.xlsx"
    result = CliRunner().invoke(main, ["plan", str(ROOT / "inventories" / "cumbria"), "--out", str(out),
                                       "--scenario", str(tmp_path / "cautious.toml"),
                                       "--scenario", str(tmp_path / "ambitious.yaml")])
    assert result.exit_code == 0, result.output
    book = CalamineWorkbook.from_path(str(out))
    assert "Scenarios" in book.sheet_names
    rows = book.get_sheet_by_name("Scenarios").to_python()
    header = rows[0]
    assert header[:2] == ["Scenario", "Assumptions changed"]
    assert [row[0] for row in rows[1:]] == ["base", "cautious", "ambitious"]
    npv = header.index("NPV")
    assert rows[2][npv] < rows[1][npv] < rows[3][npv]


def test_a_bad_scenario_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text("discount = 0.03\n")
    result = CliRunner().invoke(main, ["plan", str(ROOT / "inventories" / "cumbria"), "--out",
                                       str(tmp_path / "plan.xlsx"), "--scenario", str(tmp_path / "bad.toml")])
    assert result.exit_code != 0
    assert "discount_rate" in result.output and "Traceback" not in result.output
