"""Tests of estate.assumptions: the packaged defaults, user files, overrides and the sheet round trip."""

from __future__ import annotations

import dataclasses
import tomllib
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

import estate.assumptions as assumptions_module
from estate.assumptions import ALLOCATION_RULES, ASSUMPTION_COLUMNS, Assumptions, load_assumptions
from estate.errors import EstateError, ParameterError

EXPECTED_DEFAULTS = {
    "currency": "GBP",
    "first_month": 4,
    "first_year": 2027,
    "horizon_years": 10,
    "discount_rate": 0.035,
    "price_base_year": 2026,
    "vat_basis": "excluding recoverable VAT: councils recover most VAT (VAT Act 1994 s.33); NHS trusts recover it only "
                 "on contracted-out services, so add irrecoverable VAT to their costs",
    "indexation": "none: real prices, no inflation applied over the appraisal",
    "cost_bias": 2.0,
    "saving_bias": 0.41,
    "bias_mitigation": 0.5,
    "scale_elasticity": 0.8,
    "max_survivor_scale": 5.0,
    "licence_volume_discount": 0.1,
    "support_fixed_share": 0.5,
    "hosting_fixed_share": 0.5,
    "staff_fixed_share": 0.5,
    "staff_saving_cashable": 0.0,
    "fit_max_cost_ratio": 5.0,
    "divided_move_saving_share": 0.2,
    "migration_months": 12,
    "double_running_months": 3.0,
    "assessment_planning_per_option": 25_000.0,
    "stakeholder_engagement_per_partner": 5_000.0,
    "data_migration_per_system": 20_000.0,
    "epr_replacement_per_user": 4_000.0,
    "erp_replacement_per_user": 1_500.0,
    "platform_replacement_per_user": 250.0,
    "training_per_user": 40.0,
    "integration_rework_per_interface": 8_000.0,
    "vendor_management_per_contract": 3_000.0,
    "joint_procurement_cost": 30_000.0,
    "volume_discount": 0.08,
    "hosting_move_per_system": 6_000.0,
    "hosting_destination_share": 0.4,
    "default_site_exit_cost": 50_000.0,
    "default_users": 50,
    "default_exit_fraction": 0.5,
    "default_notice_months": 6,
    "default_contract_months": 24,
    "allocation_rule": "users",
    "under_used_site_threshold": 0.5,
    "minimum_option_npv": 0.0,
    "uncertain_savings_low": 0.7,
    "uncertain_savings_likely": 1.0,
    "uncertain_savings_high": 1.1,
    "uncertain_costs_low": 0.9,
    "uncertain_costs_likely": 1.0,
    "uncertain_costs_high": 1.6,
    "uncertain_delay_low": 0.0,
    "uncertain_delay_likely": 0.0,
    "uncertain_delay_high": 1.0,
    "common_cause_correlation": 0.5,
    "cost_delay_correlation": 0.6,
    "monte_carlo_draws": 10000,
    "monte_carlo_seed": 20270401,
    "shared_service_across_successors": "no",
    "shared_service_years": 3,
    "shared_service_charge": 0.1,
    "partition_one_off_share": 0.5,
    "partition_run_cost_uplift": 0.25,
    "monolithic_data_factor": 2.0,
    "vesting_window_months": 6,
    "start_window_years": 5,
    "migrations_per_organisation": 2,
    "migrations_at_once": 6,
    "decisions_as_of": None,  # blank: the date the plan is made
    "predecessors_act_jointly": "no",
}

ILLUSTRATIVE = {
    "first_year", "scale_elasticity", "max_survivor_scale", "fit_max_cost_ratio", "migration_months",
    "divided_move_saving_share",
    "licence_volume_discount", "support_fixed_share", "platform_replacement_per_user", "hosting_fixed_share",
    "staff_fixed_share", "double_running_months",
    "assessment_planning_per_option", "stakeholder_engagement_per_partner", "data_migration_per_system",
    "training_per_user", "integration_rework_per_interface", "vendor_management_per_contract",
    "joint_procurement_cost", "volume_discount", "hosting_move_per_system", "hosting_destination_share",
    "default_site_exit_cost",
    "default_users", "default_exit_fraction", "default_notice_months", "default_contract_months",
    "under_used_site_threshold", "shared_service_years", "shared_service_charge", "partition_one_off_share",
    "partition_run_cost_uplift", "monolithic_data_factor", "vesting_window_months",
}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- the module and the file


def test_all_is_sorted_and_exported():
    assert list(assumptions_module.__all__) == sorted(assumptions_module.__all__)
    for name in assumptions_module.__all__:
        assert hasattr(assumptions_module, name)


def test_defaults_are_the_documented_values():
    assert load_assumptions().to_dict() == EXPECTED_DEFAULTS


def test_types_of_defaults():
    a = load_assumptions()
    for f in dataclasses.fields(Assumptions):
        if f.name in ("sources", "decisions_as_of"):
            continue
        value = getattr(a, f.name)
        expected = {"str": str, "int": int, "float": float}[f.type]
        assert type(value) is expected, f.name


def test_packaged_file_has_every_parameter_with_metadata():
    text = resources.files("estate").joinpath("data", "assumptions.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    assert list(data) == list(EXPECTED_DEFAULTS)
    for name, entry in data.items():
        assert set(entry) == {"value", "unit", "source", "description"}, name
        assert all(str(entry[k]).strip() for k in ("unit", "source", "description")), name


def test_illustrative_defaults_say_so():
    frame = load_assumptions().to_frame().set_index("Parameter")
    for name in ILLUSTRATIVE:
        assert "Illustrative" in frame.loc[name, "Source"], name
    for name in ("discount_rate", "horizon_years", "cost_bias", "saving_bias", "bias_mitigation",
                 "staff_saving_cashable"):
        assert "Green Book" in frame.loc[name, "Source"], name
    # Every default cites its source or says it is illustrative (issue 10).
    for name, source in frame["Source"].items():
        assert source.strip(), name


def test_factors():
    a = load_assumptions()
    assert a.cost_factor == pytest.approx(1 + 2.0 * (1 - 0.5))  # 2.0
    assert a.saving_factor == pytest.approx(1 - 0.41 * (1 - 0.5))  # 0.795
    b = load_assumptions(cost_bias=0.4, saving_bias=0.2, bias_mitigation=0.25)
    assert b.cost_factor == pytest.approx(1.3) and b.saving_factor == pytest.approx(0.85)


def test_frozen():
    a = load_assumptions()
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.discount_rate = 0.05  # type: ignore[misc]


# --------------------------------------------------------------------------- the Assumptions sheet


def test_to_frame_columns_and_stable_order():
    frame = load_assumptions().to_frame()
    assert tuple(frame.columns) == ASSUMPTION_COLUMNS
    assert frame["Parameter"].tolist() == list(EXPECTED_DEFAULTS)
    assert frame["Value"].tolist() == list(EXPECTED_DEFAULTS.values())
    assert frame["Value"].dtype == object
    assert load_assumptions(discount_rate=0.05).to_frame()["Parameter"].tolist() == list(EXPECTED_DEFAULTS)


def test_from_frame_round_trip():
    a = load_assumptions(discount_rate=0.05, allocation_rule="spend", first_year=2030)
    frame = a.to_frame()
    back = Assumptions.from_frame(frame)
    assert back == a
    assert back.sources["discount_rate"] == "set by the user"
    assert "discount_rate" in back.sources and "horizon_years" not in back.sources


def test_from_frame_as_a_spreadsheet_returns_it():
    """Spreadsheets store numbers as floats and may hand back numeric text."""
    frame = load_assumptions().to_frame()
    frame["Value"] = [float(v) if isinstance(v, (int, float)) else v for v in frame["Value"]]
    frame.loc[frame["Parameter"] == "discount_rate", "Value"] = "0.04"
    frame.columns = [c.upper() for c in frame.columns]
    back = Assumptions.from_frame(frame)
    assert back.first_year == 2027 and isinstance(back.first_year, int)
    assert back.discount_rate == 0.04


def test_from_frame_subset_keeps_defaults():
    back = Assumptions.from_frame(pd.DataFrame({"Parameter": ["horizon_years"], "Value": [20]}))
    assert back.horizon_years == 20 and back.discount_rate == 0.035


@pytest.mark.parametrize(
    "frame, match",
    [
        (pd.DataFrame({"Name": ["x"], "Value": [1]}), "'Parameter' and 'Value'"),
        (pd.DataFrame({"Parameter": ["discount"], "Value": [0.1]}), "unknown assumption 'discount'"),
        (pd.DataFrame({"Parameter": ["horizon_years"] * 2, "Value": [5, 6]}), "each parameter once"),
        (pd.DataFrame({"Parameter": ["first_year"], "Value": [2027.5]}), "'first_year' parameter"),
        (pd.DataFrame({"Parameter": ["discount_rate"], "Value": [None]}), "'discount_rate' parameter"),
    ],
)
def test_from_frame_refuses(frame, match):
    with pytest.raises(ParameterError, match=match):
        Assumptions.from_frame(frame)


def test_from_frame_refuses_non_frames():
    with pytest.raises(ParameterError, match="must be a DataFrame"):
        Assumptions.from_frame({"Parameter": []})  # type: ignore[arg-type]


# --------------------------------------------------------------------------- user files and overrides


def test_toml_file_overrides_a_subset(tmp_path):
    path = write(tmp_path, "mine.toml", 'discount_rate = 0.03\n\n[bias_mitigation]\nvalue = 0.5\n'
                                        'source = "Risk workshop"\nunit = "fraction"\n')
    a = load_assumptions(path)
    assert a.discount_rate == 0.03 and a.bias_mitigation == 0.5 and a.horizon_years == 10
    frame = a.to_frame().set_index("Parameter")
    assert frame.loc["bias_mitigation", "Source"] == "Risk workshop"
    assert frame.loc["discount_rate", "Source"] == "user file mine.toml"
    assert "Green Book" in frame.loc["horizon_years", "Source"]


def test_yaml_file_and_keywords(tmp_path):
    path = write(tmp_path, "mine.yaml", "horizon_years: 15\nallocation_rule: Equal\ncurrency: eur\n")
    a = load_assumptions(path, horizon_years=20)
    assert a.horizon_years == 20  # keywords beat the file
    assert a.allocation_rule == "equal" and a.currency == "EUR"
    assert load_assumptions(write(tmp_path, "empty.yml", "")) == load_assumptions()


@pytest.mark.parametrize(
    "text, match",
    [
        ("discount = 0.03\n", r"mine.toml: .*unknown assumption 'discount' \(did you mean 'discount_rate'\?\)"),
        ("discount_rate = 3.5\n", r"mine.toml: The 'discount_rate' parameter of load_assumptions must be a float "
                                  r"in \[0, 1\]. Got 3.5 instead."),
        ("discount_rate = \"3.5%\"\n", "'discount_rate' parameter"),
        ("horizon_years = 10.5\n", "'horizon_years' parameter of load_assumptions must be an int"),
        ("horizon_years = true\n", "'horizon_years' parameter"),
        ("allocation_rule = \"headcount\"\n", "one of 'users', 'spend', 'equal'"),
        ("currency = \"pounds\"\n", "three-letter currency code"),
        ("[discount_rate]\nvalue = 0.03\nunit = \"percent\"\n", "must be in 'fraction a year'"),
        ("[discount_rate]\nsource = \"x\"\n", "has no 'value'"),
        ("[discount_rate]\nvalue = 0.03\nnote = \"x\"\n", "unknown key 'note'"),
        ("discount_rate = \n", "mine.toml: not a valid TOML file"),
    ],
)
def test_bad_files_one_line(tmp_path, text, match):
    path = write(tmp_path, "mine.toml", text)
    with pytest.raises(ParameterError, match=match) as caught:
        load_assumptions(path)
    assert "\n" not in str(caught.value)


def test_bad_yaml(tmp_path):
    with pytest.raises(ParameterError, match="mine.yaml: not a valid YAML file"):
        load_assumptions(write(tmp_path, "mine.yaml", "a: [1, 2\n"))
    with pytest.raises(ParameterError, match="must map parameter names"):
        load_assumptions(write(tmp_path, "list.yaml", "- 1\n- 2\n"))


def test_bad_paths(tmp_path):
    with pytest.raises(ParameterError, match=r"must be a \.toml, \.yaml or \.yml file"):
        load_assumptions(write(tmp_path, "mine.txt", "x"))
    with pytest.raises(ParameterError, match="must be an existing file"):
        load_assumptions(tmp_path / "missing.toml")
    with pytest.raises(ParameterError, match="'path' parameter"):
        load_assumptions(42)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "overrides",
    [
        {"first_month": 13}, {"first_month": 0}, {"horizon_years": 0}, {"discount_rate": -0.01},
        {"saving_bias": 1.5}, {"bias_mitigation": 2}, {"scale_elasticity": 1.2}, {"migration_months": -1},
        {"max_survivor_scale": 0.5},
        {"volume_discount": True}, {"training_per_user": -40}, {"default_users": 0},
        {"default_users": 12.5}, {"allocation_rule": 3}, {"minimum_option_npv": float("nan")},
        {"minimum_option_npv": "lots"}, {"first_year": "2027/28"},
    ],
)
def test_bad_values(overrides):
    (name,) = overrides
    with pytest.raises(ParameterError, match=f"The '{name}' parameter of load_assumptions must be") as caught:
        load_assumptions(**overrides)
    assert isinstance(caught.value, (EstateError, ValueError))


def test_good_edge_values():
    a = load_assumptions(first_month=1, discount_rate=0, minimum_option_npv=-1e6, default_users=1.0,
                         allocation_rule=" Spend ")
    assert a.first_month == 1 and a.discount_rate == 0.0 and a.default_users == 1
    assert a.allocation_rule == "spend" and a.allocation_rule in ALLOCATION_RULES


def test_unknown_keyword():
    with pytest.raises(ParameterError, match="unknown assumption 'horizon'"):
        load_assumptions(horizon=5)


# --------------------------------------------------------------------------- decisions_as_of, a date


def test_decisions_as_of_is_a_date_from_every_source(tmp_path):
    import datetime

    day = datetime.date(2026, 12, 7)
    assert load_assumptions().decisions_as_of is None
    assert load_assumptions(decisions_as_of="2026-12-07").decisions_as_of == day
    assert load_assumptions(decisions_as_of="07/12/2026").decisions_as_of == day
    assert load_assumptions(decisions_as_of=datetime.datetime(2026, 12, 7)).decisions_as_of == day
    assert load_assumptions(decisions_as_of="").decisions_as_of is None
    toml = load_assumptions(write(tmp_path, "a.toml", "decisions_as_of = 2026-12-07\n"))
    yaml = load_assumptions(write(tmp_path, "a.yaml", "decisions_as_of: 2026-12-07\n"))
    text = load_assumptions(write(tmp_path, "b.toml", '[decisions_as_of]\nvalue = "2026-12-07"\nsource = "board"\n'))
    assert toml.decisions_as_of == yaml.decisions_as_of == text.decisions_as_of == day
    assert text.sources["decisions_as_of"] == "board"
    frame = text.to_frame()
    assert Assumptions.from_frame(frame) == text
    blank = load_assumptions().to_frame()
    assert Assumptions.from_frame(blank).decisions_as_of is None
    for bad in ("soon", 20261207, "2026-13-01", True):
        with pytest.raises(ParameterError, match="'decisions_as_of'.*a date"):
            load_assumptions(decisions_as_of=bad)


def test_decisions_date_is_today_when_blank(monkeypatch):
    import datetime

    monkeypatch.setattr(assumptions_module, "_today", lambda: datetime.date(2026, 12, 7))
    assert load_assumptions().decisions_date == datetime.date(2026, 12, 7)
    assert load_assumptions(decisions_as_of="2025-01-31").decisions_date == datetime.date(2025, 1, 31)
