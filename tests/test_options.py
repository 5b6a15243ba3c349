"""Tests of estate.options: the generators, the cost model and the worked example of docs/costing.md.

The hand-worked figures are those of docs/costing.md; numpy-financial and estate.appraisal are the
oracles for every option's NPV; Hypothesis checks the properties.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path

import numpy as np
import numpy_financial as npf
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import estate.options as options_module
from estate.appraisal import CASH_FLOW_COLUMNS, appraise_flows, discount_factors, option_cash_flows
from estate.assumptions import load_assumptions
from estate.errors import ParameterError
from estate.inventory import Inventory
from estate.options import (
    DEFAULTS_USED_COLUMNS,
    EFFECT_COLUMNS,
    OPTION_COLUMNS,
    PARTNER_SHARE_COLUMNS,
    Options,
    generate_options,
)
from estate.portfolio import select_portfolio

DOC = Path(__file__).resolve().parent.parent / "docs" / "costing.md"
DEFAULTS = load_assumptions()
CARLISLE = "Carlisle City Council"
EDEN = "Eden District Council"
CARLISLE_REV = f"{CARLISLE}/REV"
EDEN_REV = f"{EDEN}/REV"


def system(key: str, organisation: str, **values) -> dict:
    row = {"system_key": key, "organisation": organisation, "system": key.split("/")[-1],
           "source_file": f"{organisation}.xlsx", "source_sheet": "Systems", "source_row": 5}
    row.update(values)
    return row


def frame(*rows: dict) -> pd.DataFrame:
    out = pd.DataFrame(list(rows))
    if "contract_end" in out:
        out["contract_end"] = pd.to_datetime(out["contract_end"])
    return out


def two_districts() -> pd.DataFrame:
    """The worked example of docs/costing.md."""
    common = {"capability_code": "LG-REVBEN", "capability_name": "Revenues and benefits", "notice_months": 6.0}
    return frame(
        system(CARLISLE_REV, CARLISLE, product_id="civica-openrevenues", product_name="OpenRevenues", users=60.0,
               annual_cost=120_000.0, contract_end="2031-03-31", exit_cost=50_000.0, **common),
        system(EDEN_REV, EDEN, product_id="capita-academy", product_name="Academy", users=40.0,
               annual_cost=85_000.0, contract_end="2030-09-30", exit_cost=20_000.0, **common),
    )


INTERFACES = {EDEN_REV: 2, CARLISLE_REV: 3}


@functools.lru_cache(maxsize=None)
def worked() -> Options:
    """The worked example, costed once (Options is frozen; tests only read it)."""
    return generate_options(two_districts(), assumptions=DEFAULTS, interfaces=INTERFACES)


def option(result: Options, option_id: str) -> pd.Series:
    return result.options.set_index("option_id").loc[option_id]


def effect(result: Options, option_id: str, key: str) -> pd.Series:
    effects = result.effects
    return effects.loc[(effects["option_id"] == option_id) & (effects["system_key"] == key)].iloc[0]


def cents(value: float) -> float:
    return round(float(value), 2)


# --------------------------------------------------------------------------- module surface


def test_all_is_sorted_and_exported():
    assert list(options_module.__all__) == sorted(options_module.__all__)
    for name in options_module.__all__:
        assert hasattr(options_module, name)


def test_output_columns():
    result = generate_options(two_districts(), assumptions=DEFAULTS)
    assert tuple(result.options.columns) == OPTION_COLUMNS
    assert tuple(result.effects.columns) == EFFECT_COLUMNS
    assert tuple(result.cash_flows.columns) == ("option_id", *CASH_FLOW_COLUMNS)
    assert list(result.one_off_by_year.columns) == ["option_id", "year", "amount"]
    assert list(result.one_off_breakdown.columns) == ["option_id", "category", "amount_before_bias", "amount"]
    assert tuple(result.partner_shares.columns) == PARTNER_SHARE_COLUMNS
    assert tuple(result.defaults_used.columns) == DEFAULTS_USED_COLUMNS
    assert result.to_frame().equals(result.options)
    assert list(result.partner_npv.columns) == ["option_id", "organisation", "npv"]


# --------------------------------------------------------------------------- the worked example


def test_worked_example_options():
    result = worked()
    assert result.options["option_id"].tolist() == ["SP-001", "SP-002"]
    sp1 = option(result, "SP-001")
    assert sp1["target"] == CARLISLE_REV and sp1["systems_retired"] == EDEN_REV
    assert sp1["lead_organisation"] == CARLISLE and sp1["partners"] == f"{CARLISLE}; {EDEN}"
    assert sp1["n_partners"] == 2 and sp1["n_retired"] == 1 and sp1["type"] == "shared platform"
    # Run costs, by hand.
    scale = (100 / 60) ** 0.8
    assert round(scale, 9) == 1.504800752
    assert sp1["run_cost_after"] == pytest.approx(120_000 * scale, rel=1e-12)
    assert cents(sp1["run_cost_before"]) == 205_000.00
    assert cents(sp1["run_cost_after"]) == 180_576.09
    assert cents(sp1["annual_saving"]) == 24_423.91
    # Appraisal (bias factors with the defaults: costs x 2.0, savings x 0.795).
    assert cents(sp1["pv_savings"]) == 102_051.63
    assert cents(sp1["pv_costs"]) == 199_609.17
    assert cents(sp1["npv"]) == -97_557.54
    assert cents(sp1["one_off_cost"]) == 213_700.00
    assert math.isnan(sp1["payback_years"])  # still behind after ten years
    assert sp1["start_year"] == 2027 and sp1["end_year"] == 2030 and not bool(sp1["meets_minimum_npv"])
    assert sp1["cashable_saving"] == sp1["annual_saving"] and sp1["non_cashable_saving"] == 0.0
    assert "Why it fits: OpenRevenues (a platform, council)" in sp1["rationale"]
    # SP-002.
    sp2 = option(result, "SP-002")
    assert round((100 / 40) ** 0.8, 9) == 2.081383019
    assert cents(sp2["run_cost_after"]) == 176_917.56
    assert cents(sp2["annual_saving"]) == 28_082.44
    assert cents(sp2["npv"]) == -127_230.63
    assert not bool(sp2["meets_minimum_npv"]) and sp2["end_year"] == 2031


def test_rationale_compares_costs_a_user_when_the_survivor_is_cheaper():
    """The saving rests partly on the survivor's rates reaching the users it takes on: the rationale says so."""
    result = worked()
    # SP-001: Carlisle's 120,000 / 60 = 2,000 a user takes Eden's 85,000 / 40 = 2,125 a user.
    assert option(result, "SP-001")["rationale"].endswith(
        " Cost a user a year: £2,000 on the survivor against £2,125 on the system it retires; the saving assumes "
        "its rates reach the 40 users it takes on.")
    # SP-002: Eden survives, dearer a user than Carlisle: its rates make the saving smaller, not larger.
    assert "Cost a user" not in option(result, "SP-002")["rationale"]


def test_worked_example_paths():
    result = worked()
    eden = effect(result, "SP-001", EDEN_REV)
    assert eden["effect"] == "retire" and eden["path"] == "at contract end"
    assert eden["natural_end"] == pd.Timestamp("2030-09-30")
    assert eden["retire_date"] == pd.Timestamp("2030-10-01")
    assert eden["exit_cost_paid"] == 0.0
    assert cents(eden["uplift"]) == 60_576.09 and cents(eden["net_saving"]) == 24_423.91
    assert cents(eden["npv_contract_end"]) == -27_557.54
    assert cents(eden["npv_early_exit"]) == -29_769.41
    assert eden["replacement_class"] == "platform"
    # Hand arithmetic of the two paths, as printed.
    df = discount_factors(10)
    saving = (1 - 0.41 * 0.5) * (85_000 - (120_000 * (100 / 60) ** 0.8 - 120_000))
    assert round(saving, 2) == 19_417.01
    assert round(df[1:].sum(), 9) == 7.607686509 and round(df[4:].sum(), 9) == 4.806049528
    assert round(182 / 365, 9) == 0.498630137
    own = 21_250 + 3_000 + 40 * 40 + 2 * 8_000 + 20_000 + 40 * 250
    assert own == 71_850
    end = saving * (182 / 365 * df[3] + df[4:].sum()) - own * 2.0 * df[3]
    early = saving * df[1:].sum() - (own + 20_000) * 2.0 * df[1]
    assert end == pytest.approx(eden["npv_contract_end"], rel=1e-12)
    assert early == pytest.approx(eden["npv_early_exit"], rel=1e-12)
    # The option's NPV is Eden's own NPV less the year-0 costs.
    assert option(result, "SP-001")["npv"] == pytest.approx(end - 35_000 * 2.0, rel=1e-12)
    survivor = effect(result, "SP-001", CARLISLE_REV)
    assert survivor["effect"] == "survive" and survivor["net_saving"] == 0.0 and pd.isna(survivor["retire_date"])

    carlisle = effect(result, "SP-002", CARLISLE_REV)
    assert carlisle["path"] == "at contract end" and carlisle["exit_cost_paid"] == 0.0
    assert carlisle["retire_date"] == pd.Timestamp("2031-04-01")
    assert cents(carlisle["npv_contract_end"]) == -57_230.63
    assert cents(carlisle["npv_early_exit"]) == -109_188.09


def test_worked_example_cash_flows_and_one_offs():
    result = worked()
    flows = result.cash_flows.loc[result.cash_flows["option_id"] == "SP-001"]
    assert flows["label"].tolist()[:2] == ["2027/28", "2028/29"]
    assert [cents(v) for v in flows["costs"]] == [70_000.00, 0.0, 0.0, 143_700.00] + [0.0] * 6
    assert [cents(v) for v in flows["savings"]] == [0.0, 0.0, 0.0, 9_681.91] + [19_417.01] * 6
    assert [cents(v) for v in flows["cumulative_net"]] == [
        -70_000.00, -70_000.00, -70_000.00, -204_018.09, -184_601.09, -165_184.08, -145_767.07, -126_350.06,
        -106_933.05, -87_516.05]
    assert [cents(v) for v in flows["present_value"]] == [
        -70_000.00, 0.0, 0.0, -120_876.64, 16_920.80, 16_348.60, 15_795.75, 15_261.59, 14_745.50, 14_246.86]
    breakdown = result.one_off_breakdown.loc[result.one_off_breakdown["option_id"] == "SP-001"]
    assert dict(zip(breakdown["category"], breakdown["amount_before_bias"], strict=True)) == {
        "assessment_planning": 25_000.0, "stakeholder_engagement": 10_000.0, "parallel_running": 21_250.0,
        "vendor_management": 3_000.0, "training": 1_600.0, "integration_rework": 16_000.0,
        "data_migration": 20_000.0, "replacement_programme": 10_000.0,
    }
    assert breakdown["amount"].to_numpy() == pytest.approx(breakdown["amount_before_bias"].to_numpy() * 2.0)
    by_year = result.one_off_by_year.loc[result.one_off_by_year["option_id"] == "SP-001"]
    assert by_year["year"].tolist() == [2027, 2030]
    assert by_year["amount"].to_numpy() == pytest.approx([70_000.0, 143_700.0])


def test_worked_example_partners():
    result = worked()
    shares = result.partner_shares.loc[result.partner_shares["option_id"] == "SP-001"].set_index("organisation")
    assert shares["cost_share"].tolist() == pytest.approx([0.6, 0.4])
    assert [cents(v) for v in shares["run_cost_after"]] == [108_345.65, 72_230.44]
    assert [cents(v) for v in shares["annual_saving"]] == [11_654.35, 12_769.56]
    assert [round(v, 6) for v in shares["saving_share"]] == [0.477170, 0.522830]
    assert [cents(v) for v in shares["one_off_cost"]] == [128_220.00, 85_480.00]
    assert [cents(v) for v in shares["npv"]] == [-71_069.57, -26_487.97]


def test_doc_quotes_the_figures():
    text = DOC.read_text(encoding="utf-8")
    for figure in ("1.504800752", "180,576.09", "24,423.91", "60,576.09", "−27,557.54", "−29,769.41", "102,051.63",
                   "199,609.17", "−97,557.54", "213,700", "−71,069.57", "−26,487.97", "2.081383019",
                   "176,917.56", "−57,230.63", "−109,188.09", "−127,230.63", "0.498630137", "7.607686509",
                   "4.806049528", "19,417.01", "71,850"):
        assert figure in text, figure


# --------------------------------------------------------------------------- timing and paths


def one_pair(**retired) -> pd.DataFrame:
    """A survivor with many users and one retired system of another organisation."""
    base = {"capability_code": "CAP", "notice_months": 3.0}
    retired_row = {"product_id": "beta", "users": 10.0, "annual_cost": 50_000.0, **base}
    retired_row.update(retired)
    return frame(
        system("A/keep", "A", product_id="alpha", users=1_000.0, annual_cost=100_000.0,
               contract_end="2040-03-31", **base),
        system("B/old", "B", **retired_row),
    )


def retired_effect(result: Options) -> pd.Series:
    sp = result.options.loc[result.options["target"] == "A/keep", "option_id"].iloc[0]
    return effect(result, sp, "B/old")


def test_contract_ending_soon_retires_at_contract_end():
    result = generate_options(one_pair(contract_end="2028-06-30", exit_cost=40_000.0), assumptions=DEFAULTS)
    row = retired_effect(result)
    assert row["path"] == "at contract end" and row["exit_cost_paid"] == 0.0
    assert row["retire_date"] == pd.Timestamp("2028-07-01")
    assert row["npv_contract_end"] > row["npv_early_exit"]


def test_contract_ending_far_out_with_small_exit_cost_exits_early():
    result = generate_options(one_pair(contract_end="2034-03-31", exit_cost=1_000.0), assumptions=DEFAULTS)
    row = retired_effect(result)
    assert row["path"] == "early exit" and row["exit_cost_paid"] == 1_000.0
    assert row["retire_date"] == pd.Timestamp("2028-04-01")
    assert row["natural_end"] == pd.Timestamp("2034-03-31")
    assert row["npv_early_exit"] > row["npv_contract_end"]


def test_large_exit_cost_waits():
    result = generate_options(one_pair(contract_end="2030-03-31", exit_cost=500_000.0), assumptions=DEFAULTS)
    assert retired_effect(result)["path"] == "at contract end"


def test_contract_ending_exactly_at_migration_end_has_no_early_path():
    result = generate_options(one_pair(contract_end="2028-03-31", exit_cost=0.0), assumptions=DEFAULTS)
    row = retired_effect(result)
    assert row["path"] == "at contract end" and math.isnan(row["npv_early_exit"])
    assert row["retire_date"] == pd.Timestamp("2028-04-01")


@pytest.mark.parametrize(
    "end, notice, rolled",
    [
        ("2027-09-30", 6.0, "2028-09-30"),  # notice would be due 30/03/2027, before the start
        ("2027-09-30", 5.0, "2027-09-30"),  # notice due 30/04/2027: in time
        ("2027-08-31", 5.0, "2028-08-31"),  # due 31/03/2027: too late by a day
        ("2027-09-30", 5.5, "2028-09-30"),  # part months count as whole months
        ("2020-02-29", 3.0, "2028-02-29"),  # rolled eight years, onto a 29 February again
        ("2028-02-29", 0.0, "2028-02-29"),
    ],
)
def test_roll_forward_for_notice(end, notice, rolled):
    a = load_assumptions(migration_months=0)
    result = generate_options(one_pair(contract_end=end, notice_months=notice, exit_cost=10_000_000.0),
                              assumptions=a)
    row = retired_effect(result)
    assert row["natural_end"] == pd.Timestamp(rolled)
    assert row["retire_date"] == pd.Timestamp(rolled) + pd.Timedelta(days=1)


def test_roll_forward_from_29_february_to_28_february():
    a = load_assumptions(migration_months=0, first_year=2022)
    result = generate_options(one_pair(contract_end="2020-02-29", exit_cost=10_000_000.0), assumptions=a)
    assert retired_effect(result)["natural_end"] == pd.Timestamp("2023-02-28")


def test_roll_forward_to_the_end_of_migration():
    """A contract that ends before migration is done renews a year at a time."""
    result = generate_options(one_pair(contract_end="2026-12-31", exit_cost=10_000_000.0), assumptions=DEFAULTS)
    assert retired_effect(result)["natural_end"] == pd.Timestamp("2028-12-31")


def test_savings_prorated_from_the_retirement_day():
    a = load_assumptions(migration_months=0, bias_mitigation=1.0)
    result = generate_options(one_pair(contract_end="2027-09-30", notice_months=0.0, exit_cost=10_000_000.0),
                              assumptions=a)
    sp = retired_effect(result)["option_id"]
    row = retired_effect(result)
    flows = result.cash_flows.loc[result.cash_flows["option_id"] == sp]
    # Retired on 1 October 2027: 183 of 366 days of 2027/28.
    assert flows["savings"].iloc[0] == pytest.approx(row["net_saving"] * 0.5, rel=1e-12)
    assert flows["savings"].iloc[1] == pytest.approx(row["net_saving"], rel=1e-12)


# --------------------------------------------------------------------------- defaults


def test_defaults_used_are_listed():
    matched = frame(
        system("A/keep", "A", capability_code="CAP", product_id="alpha", users=100.0, annual_cost=100_000.0,
               contract_end="2031-03-31", notice_months=3.0, exit_cost=1.0),
        system("B/old", "B", capability_code="CAP", product_id="beta", users=None, annual_cost=None,
               contract_end=None, notice_months=None, exit_cost=None, source_row=12),
        system("C/spare", "C", capability_code="OTHER", product_id="gamma", users=None, annual_cost=None),
    )
    result = generate_options(matched, assumptions=DEFAULTS)
    used = result.defaults_used
    assert set(used["system_key"]) == {"B/old"}  # A has everything; C is in no option
    rows = used.set_index("column")
    assert list(rows.index) == ["users", "annual_cost", "contract_end", "notice_months", "exit_cost"]
    assert rows.loc["users", "default"] == 50.0
    assert rows.loc["annual_cost", "default"] == 0.0
    assert rows.loc["contract_end", "default"] == pd.Timestamp("2029-03-31")
    assert rows.loc["notice_months", "default"] == 6
    assert rows.loc["exit_cost", "default"] == 0.0  # half of nothing
    assert (used["source_file"] == "B.xlsx").all() and (used["source_row"] == 12).all()
    assert "counted as 0" in rows.loc["annual_cost", "note"]
    # B costs nothing, so the option saves nothing from it but pays for its users on the platform.
    sp = result.options.loc[result.options["target"] == "A/keep"].iloc[0]
    assert sp["annual_saving"] < 0
    b = effect(result, sp["option_id"], "B/old")
    assert b["users"] == 50.0 and b["annual_cost"] == 0.0 and b["notice_months"] == 6


def test_default_exit_cost_is_a_fraction_of_the_remaining_contract():
    result = generate_options(one_pair(contract_end="2030-03-31", exit_cost=None), assumptions=DEFAULTS)
    row = retired_effect(result)
    # From 1 April 2028 to 1 April 2030: 730 days.
    assert row["exit_cost"] == pytest.approx(0.5 * 50_000 * 730 / 365)
    assert "exit_cost" in set(result.defaults_used["column"])


def test_contracts_sheet_fills_missing_terms():
    contracts = pd.DataFrame({
        "system_key": ["B/old", "B/old"], "contract_end": pd.to_datetime(["2029-03-31", "2033-03-31"]),
        "notice_months": [3.0, 9.0], "exit_cost": [1_000.0, 2_000.0],
    })
    matched = one_pair(contract_end=None, notice_months=None, exit_cost=None)
    result = generate_options(matched, assumptions=DEFAULTS, inventory=Inventory(contracts=contracts))
    row = retired_effect(result)
    assert row["contract_end"] == pd.Timestamp("2033-03-31")
    assert row["notice_months"] == 9 and row["exit_cost"] == 3_000.0
    assert "B/old" not in set(result.defaults_used["system_key"])


# --------------------------------------------------------------------------- generators


def estate_of_four() -> pd.DataFrame:
    """Four councils, a shared capability, a common product, a council with two products."""
    cap = {"capability_code": "CORP-FIN", "capability_name": "Finance"}
    return frame(
        system("A/fin", "A", product_id="unit4", product_name="Unit4 ERP", users=200.0, annual_cost=300_000.0,
               licence_cost=200_000.0, support_cost=40_000.0, contract_end="2030-03-31", **cap),
        system("B/fin", "B", product_id="unit4", product_name="Unit4 ERP", users=100.0, annual_cost=150_000.0,
               contract_end="2029-09-30", **cap),
        system("C/fin", "C", product_id="oracle", product_name="Oracle Fusion", users=300.0,
               annual_cost=400_000.0, lifecycle="end-of-life", contract_end="2031-03-31", **cap),
        system("C/fin2", "C", product_id="sap", product_name="SAP", users=170.0, annual_cost=30_000.0,
               contract_end="2028-12-31", **cap),
        system("D/fin", "D", product_id=None, product_name="In-house ledger", users=50.0, annual_cost=20_000.0,
               **cap),
        system("D/gis", "D", capability_code="CORP-GIS", capability_name="GIS", product_id="esri",
               users=10.0, annual_cost=5_000.0),
    )


@functools.lru_cache(maxsize=None)
def four(rule: str = "users") -> Options:
    """estate_of_four costed once per allocation rule."""
    return generate_options(estate_of_four(), assumptions=load_assumptions(allocation_rule=rule))


def test_shared_platform_survivors_and_groups():
    organisations = pd.DataFrame({"organisation": ["A", "B", "C", "D"],
                                  "successor": ["North; South", "North", "South", None]})
    result = generate_options(estate_of_four(), assumptions=DEFAULTS, groups=[{"A", "B", "Z"}, {"A"}],
                              inventory=Inventory(organisations=organisations))
    sp = result.options.loc[result.options["type"] == "shared platform"]
    # Survivors: A/fin for unit4 (most users), C/fin2 for sap; not C/fin (end-of-life) nor D/fin (in-house).
    assert set(sp["target"]) == {"A/fin", "C/fin2"}
    groups = {(t, p) for t, p in zip(sp["target"], sp["partners"], strict=True)}
    assert groups == {
        ("A/fin", "A; B; C; D"),  # all
        ("A/fin", "A; B"),  # the natural grouping and the successor North, tried once
        ("A/fin", "A; C"),  # successor South
        # C/fin2 (SAP, 170 users, 30,000) cannot take A/fin (200 users, 300,000) nor C/fin (300 users, 400,000):
        # more users and over 5 times its cost (estate.fit rule 4). With A and C only it takes nothing.
        ("C/fin2", "B; C; D"),
    }
    small = sp.loc[sp["target"] == "C/fin2"].iloc[0]
    assert small["systems_retired"] == "B/fin; D/fin"
    assert "Left running, as SAP cannot take them" in small["rationale"] and "is bigger than SAP" in small["rationale"]
    both = sp.loc[sp["partners"] == "A; B"].iloc[0]
    assert "a natural grouping; successor authority North" in both["rationale"]
    everyone = sp.loc[(sp["target"] == "A/fin") & (sp["partners"] == "A; B; C; D")].iloc[0]
    assert everyone["systems_retired"] == "B/fin; C/fin; C/fin2; D/fin" and everyone["n_retired"] == 4
    assert sp["option_id"].tolist() == [f"SP-00{i}" for i in range(1, 5)]
    # Sorted by capability, survivor key, then group.
    assert sp["target"].tolist() == ["A/fin"] * 3 + ["C/fin2"]
    assert sp["partners"].tolist()[:3] == ["A; B", "A; B; C; D", "A; C"]


def test_groups_from_partner_groups_frame():
    """The frame estate.overlaps.partner_groups returns works as well as sets."""
    groups = pd.DataFrame({"organisation": ["A", "B", "C", "D"], "group": [1, 1, 2, 2], "group_size": [2] * 4})
    by_frame = generate_options(estate_of_four(), assumptions=DEFAULTS, groups=groups)
    by_sets = generate_options(estate_of_four(), assumptions=DEFAULTS, groups=[{"A", "B"}, {"C", "D"}])
    pd.testing.assert_frame_equal(by_frame.options, by_sets.options)
    assert "A; B" in set(by_frame.options["partners"]) and "C; D" in set(by_frame.options["partners"])


def test_survivor_is_the_most_used_in_the_group():
    """When the product's busiest system is outside a group, the group's own busiest one survives."""
    cap = {"capability_code": "CAP"}
    matched = frame(
        system("A/x", "A", product_id="p", users=500.0, annual_cost=10.0, **cap),
        system("B/x", "B", product_id="p", users=50.0, annual_cost=10.0, **cap),
        system("C/x", "C", product_id="q", users=5.0, annual_cost=10.0, **cap),
    )
    result = generate_options(matched, assumptions=load_assumptions(max_survivor_scale=1000),
                              groups=[{"B", "C"}])
    sp = result.options.loc[result.options["type"] == "shared platform"]
    assert set(zip(sp["target"], sp["partners"], strict=True)) == {
        ("A/x", "A; B; C"), ("C/x", "A; B; C"), ("B/x", "B; C"), ("C/x", "B; C")}


def test_a_survivor_may_not_grow_beyond_the_maximum_scale():
    cap = {"capability_code": "CAP"}
    matched = frame(
        system("A/big", "A", product_id="p", users=1_000.0, annual_cost=10.0, **cap),
        system("B/small", "B", product_id="q", users=100.0, annual_cost=10.0, **cap),
        system("C/small", "C", product_id="r", users=120.0, annual_cost=10.0, **cap),
    )
    # All three: 1,220 users; B would grow 12.2 times, C 10.2 times, A 1.22 times.
    result = generate_options(matched, assumptions=DEFAULTS, groups=[{"B", "C"}])
    sp = result.options
    assert set(zip(sp["target"], sp["partners"], strict=True)) == {
        ("A/big", "A; B; C"), ("B/small", "B; C"), ("C/small", "B; C")}
    relaxed = generate_options(matched, assumptions=load_assumptions(max_survivor_scale=12.5))
    assert set(relaxed.options["target"]) == {"A/big", "B/small", "C/small"}


def test_the_scale_bound_drops_only_what_the_full_screen_drops(monkeypatch):
    """A shared platform whose survivor's own product alone brings more users than ``max_survivor_scale``
    allows is dropped before its members are paired with it; the options are those of the full screen."""
    cap = {"capability_code": "CAP", "annual_cost": 10.0}
    matched = frame(
        system("A/p", "A", product_id="p", users=100.0, **cap),
        system("B/p", "B", product_id="p", users=90.0, **cap),
        system("B/p2", "B", product_id="p", users=80.0, **cap),
        system("C/p", "C", product_id="p", users=150.0, lifecycle="end-of-life", **cap),
        system("D/q", "D", product_id="q", users=500.0, **cap),
    )
    a = load_assumptions(max_survivor_scale=1.8)
    seen = []
    real = options_module._surely_too_big

    def spy(candidates, coded, assumptions):
        out = real(candidates, coded, assumptions)
        seen.append(dict(zip(candidates["target"], out.tolist(), strict=True)))
        return out

    monkeypatch.setattr(options_module, "_surely_too_big", spy)
    bounded = generate_options(matched, assumptions=a)
    # By hand. A/p (100 users): B's largest p system no bigger than it (B/p, 90) always fits it, so it takes at
    # least 90: 100 + 90 > 1.8 x 100, dropped unpaired (C/p, bigger, is not counted in the bound). D/q (500):
    # no other q system, no bound; paired, it takes 100 + 90 + 150 = 340: 840 <= 1.8 x 500, kept.
    assert seen[0] == {"A/p": True, "D/q": False}
    sp = bounded.options.loc[bounded.options["type"] == "shared platform"]
    assert sp["target"].tolist() == ["D/q"] and sp["received_users"].tolist() == [340.0]
    monkeypatch.setattr(options_module, "_surely_too_big", lambda candidates, coded, assumptions: np.zeros(
        len(candidates), dtype=bool))
    unbounded = generate_options(matched, assumptions=a)
    for name in ("options", "effects", "cash_flows", "partner_shares", "defaults_used"):
        pd.testing.assert_frame_equal(getattr(bounded, name), getattr(unbounded, name))


def test_rationalisation():
    # C/fin is end-of-life, so only SAP (C/fin2) may survive; but C/fin is bigger than it (300 users against 170,
    # 400,000 against 30,000): SAP cannot take its work, so there is no rationalisation.
    assert not (four().options["type"] == "rationalisation").any()
    # With a survivor that fits (C/fin2 as big as C/fin), it is RW-001.
    matched = estate_of_four()
    matched.loc[matched["system_key"] == "C/fin2", ["users", "annual_cost"]] = [300.0, 120_000.0]
    result = generate_options(matched, assumptions=DEFAULTS)
    rw = result.options.loc[result.options["type"] == "rationalisation"]
    assert rw["target"].tolist() == ["C/fin2"]
    row = rw.iloc[0]
    assert row["option_id"] == "RW-001" and row["systems_retired"] == "C/fin" and row["partners"] == "C"
    shares = result.partner_shares.loc[result.partner_shares["option_id"] == "RW-001"]
    assert shares["cost_share"].tolist() == [1.0] and shares["npv"].iloc[0] == pytest.approx(row["npv"])


def test_joint_procurement():
    result = four()
    jp = result.options.loc[result.options["type"] == "joint procurement"]
    assert jp["option_id"].tolist() == ["JP-001"]
    row = jp.iloc[0]
    assert row["target"] == "unit4" and row["target_label"] == "Unit4 ERP" and row["lead_organisation"] == "A"
    assert row["n_retired"] == 0 and row["systems_retired"] == ""
    # A: 8% of licence + support (240,000); B: no breakdown, 8% of its annual cost (150,000).
    assert row["annual_saving"] == pytest.approx(0.08 * 240_000 + 0.08 * 150_000)
    assert row["run_cost_before"] == 450_000.0
    assert row["run_cost_after"] == pytest.approx(450_000 - 31_200)
    effects = result.effects.loc[result.effects["option_id"] == "JP-001"].set_index("system_key")
    assert set(effects["effect"]) == {"recontract"}
    assert effects.loc["A/fin", "saving_start"] == pd.Timestamp("2030-04-01")
    assert effects.loc["B/fin", "saving_start"] == pd.Timestamp("2029-10-01")
    # Cash flows by hand: year 0 = (30,000 + 2 x 5,000) x 2.0 (cost factor 1 + 2.0 x (1 - 0.5)); vendor management in each start year.
    flows = result.cash_flows.loc[result.cash_flows["option_id"] == "JP-001"].set_index("year")
    assert flows.loc[2027, "costs"] == pytest.approx(80_000.0)
    assert flows.loc[2029, "costs"] == pytest.approx(6_000.0) and flows.loc[2030, "costs"] == pytest.approx(6_000.0)
    b_part = 12_000 * 182 / 365  # B saves from 1 October 2029
    assert flows.loc[2029, "savings"] == pytest.approx(0.795 * b_part)
    assert flows.loc[2030, "savings"] == pytest.approx(0.795 * 31_200)
    shares = result.partner_shares.loc[result.partner_shares["option_id"] == "JP-001"].set_index("organisation")
    assert shares.loc["A", "annual_saving"] == pytest.approx(19_200) and shares.loc["A", "cost_share"] == 2 / 3


def test_hosting_consolidation():
    matched = frame(
        system("E/a", "E", site_key="E/room", users=10.0, annual_cost=1_000.0),
        system("E/b", "E", site_key="E/room", users=30.0, annual_cost=1_000.0),
        system("F/a", "F", site_key="F/room", users=30.0, annual_cost=1_000.0),
        system("F/b", "F", site_key="F/empty", users=30.0, annual_cost=1_000.0),
    )
    sites = pd.DataFrame({
        "site_key": ["E/room", "E/dc", "E/full", "E/half", "F/room", "F/empty", "G/idle"],
        "organisation": ["E", "E", "E", "E", "F", "F", "G"],
        "site": ["Room", "DC", "Full", "Half", "Room", "Empty", "Idle"],
        "utilisation": [0.2, 0.6, 1.0, 0.4, None, 0.1, 0.1],
        "annual_cost": [40_000.0, 90_000.0, 1.0, 1.0, 20_000.0, None, 5.0],
        "exit_cost": [10_000.0, None, None, None, None, None, None],
        "under_used": [False, False, False, True, True, False, False],
    })
    result = generate_options(matched, assumptions=DEFAULTS, sites=sites)
    hc = result.options.loc[result.options["type"] == "hosting consolidation"].set_index("option_id")
    # E/half is under-used but hosts nothing; G/idle hosts nothing; F/room has no utilisation but is flagged;
    # F/empty is under-used but has no cost given: closing it would save nothing, so it is not an option.
    assert hc["target"].tolist() == ["E/room", "F/room"]
    e = hc.loc["HC-001"]
    assert e["target_label"] == "close Room; move its systems to E/dc"  # not Full (full), not Half (under-used)
    # The destination keeps 40% of the closed site's running cost (hosting_destination_share): 16,000.
    assert e["run_cost_before"] == 40_000.0 and e["annual_saving"] == 24_000.0 and e["run_cost_after"] == 16_000.0
    assert e["systems_retired"] == "site:E/room" and e["n_retired"] == 1
    assert e["one_off_cost"] == pytest.approx((2 * 6_000 + 10_000) * 2.0)
    flows = result.cash_flows.loc[result.cash_flows["option_id"] == "HC-001"]
    assert flows["savings"].tolist() == pytest.approx([0.0] + [24_000 * 0.795] * 9)
    assert flows["costs"].tolist() == pytest.approx([0.0, 22_000 * 2.0] + [0.0] * 8)
    moves = result.effects.loc[result.effects["option_id"] == "HC-001"].set_index("system_key")
    assert moves.loc["E/a", "effect"] == "move" and moves.loc["E/a", "destination"] == "E/dc"
    assert moves.loc["site:E/room", "effect"] == "retire" and moves.loc["site:E/room", "path"] == "site closure"
    assert hc.loc["HC-002", "target_label"].endswith("to cloud")  # F has no healthy site
    # F/room: no exit cost given (the default).
    listed = result.defaults_used.loc[result.defaults_used["system_key"] == "site:F/room"]
    assert listed["column"].tolist() == ["exit_cost"] and listed["default"].tolist() == [50_000.0]


def test_hosting_destination_needs_room():
    # Room holds 10 racks at 30%: 3 racks in use. Big (20 racks at 90%) has 2 free: no room.
    # Mid (10 racks at 60%) has 4 free: the destination. Without racks room is not measured.
    matched = frame(system("E/a", "E", site_key="E/room", users=10.0, annual_cost=1_000.0),
                    system("E/b", "E", site_key="E/room", users=10.0, annual_cost=1_000.0))
    sites = pd.DataFrame({"site_key": ["E/room", "E/big", "E/mid"], "organisation": ["E"] * 3,
                          "site": ["Room", "Big", "Mid"], "utilisation": [0.3, 0.9, 0.6],
                          "racks": [10.0, 20.0, 10.0], "annual_cost": [50_000.0, 1.0, 1.0], "exit_cost": [0.0] * 3})
    a = load_assumptions(hosting_destination_share=0.25)
    hc = generate_options(matched, assumptions=a, sites=sites).options.set_index("option_id").loc["HC-001"]
    assert hc["target_label"] == "close Room; move its systems to E/mid"
    assert "Not E/big has 2 racks free for the 3 in use: no room." in hc["rationale"]
    assert hc["annual_saving"] == pytest.approx(37_500.0) and hc["run_cost_after"] == pytest.approx(12_500.0)
    # Mid full too (1 rack free): no site of E has room, so the systems go to cloud.
    sites.loc[2, "racks"] = 2.5
    hc = generate_options(matched, assumptions=a, sites=sites).options.set_index("option_id").loc["HC-001"]
    assert hc["target_label"].endswith("to cloud") and "not E/mid has 1 racks free" in hc["rationale"]
    # No racks given: room is not measured and the busiest healthy site is taken.
    hc = generate_options(matched, assumptions=a, sites=sites.drop(columns="racks")).options.iloc[0]
    assert hc["target_label"].endswith("to E/big")


def test_hosting_from_the_inventory_sites():
    matched = frame(system("E/a", "E", site_key="E/room", users=10.0, annual_cost=1_000.0))
    sites = pd.DataFrame({"site_key": ["E/room"], "organisation": ["E"], "site": ["Room"], "utilisation": [0.3],
                          "annual_cost": [1_000.0], "exit_cost": [0.0], "source_file": ["e.xlsx"],
                          "source_sheet": ["Sites"], "source_row": [4]})
    result = generate_options(matched, assumptions=DEFAULTS, inventory=Inventory(sites=sites))
    assert result.options["option_id"].tolist() == ["HC-001"]
    assert generate_options(matched, assumptions=load_assumptions(under_used_site_threshold=0.3),
                            inventory=Inventory(sites=sites)).options.empty


def test_interfaces_as_blast_radius_frame():
    blast = pd.DataFrame({"system_key": [EDEN_REV], "fan_in": [1], "fan_out": [1], "total": [1]})
    with_frame = generate_options(two_districts(), assumptions=DEFAULTS, interfaces=blast)
    with_mapping = worked()
    assert option(with_frame, "SP-001")["npv"] == pytest.approx(option(with_mapping, "SP-001")["npv"])
    fans = generate_options(two_districts(), assumptions=DEFAULTS,
                            interfaces=blast.drop(columns=["fan_in", "fan_out"]).assign(total=2))
    assert option(fans, "SP-001")["npv"] == pytest.approx(option(with_mapping, "SP-001")["npv"])
    series = generate_options(two_districts(), assumptions=DEFAULTS, interfaces=pd.Series(INTERFACES))
    assert option(series, "SP-001")["npv"] == pytest.approx(option(with_mapping, "SP-001")["npv"])
    none = generate_options(two_districts(), assumptions=DEFAULTS)
    assert option(none, "SP-001")["one_off_cost"] == pytest.approx(213_700 - 16_000 * 2.0)


def test_no_options():
    result = generate_options(frame(system("A/x", "A", capability_code="C", product_id="p")), assumptions=DEFAULTS)
    assert result.options.empty and result.effects.empty and result.cash_flows.empty
    assert tuple(result.options.columns) == OPTION_COLUMNS


def test_portfolio_accepts_the_options():
    result = four()
    portfolio = select_portfolio(result.options, result.effects, one_off_by_year=result.one_off_by_year,
                                 partner_npv=result.partner_npv)
    assert portfolio.status == "optimal"


# --------------------------------------------------------------------------- oracles and properties


@pytest.mark.parametrize("rule", ["users", "spend", "equal"])
def test_partner_npvs_add_up_exactly(rule):
    result = four(rule)
    sums = result.partner_shares.groupby("option_id")[["npv", "one_off_cost", "saving_share", "cost_share",
                                                       "annual_saving", "run_cost_before", "run_cost_after"]].sum()
    options = result.options.set_index("option_id")
    for option_id, row in options.iterrows():
        total = sums.loc[option_id]
        scale = max(1.0, abs(row["pv_savings"]) + abs(row["pv_costs"]))
        assert abs(total["npv"] - row["npv"]) <= 1e-9 * scale, option_id
        assert total["one_off_cost"] == pytest.approx(row["one_off_cost"], rel=1e-12)
        assert total["saving_share"] == pytest.approx(1.0, rel=1e-12)
        assert total["cost_share"] == pytest.approx(1.0, rel=1e-12)
        assert total["annual_saving"] == pytest.approx(row["annual_saving"], rel=1e-9, abs=1e-6)
        assert total["run_cost_before"] == pytest.approx(row["run_cost_before"], rel=1e-12)
        assert total["run_cost_after"] == pytest.approx(row["run_cost_after"], rel=1e-9, abs=1e-6)


def test_every_options_cash_flows_rebuild_its_npv():
    result = generate_options(estate_of_four(), assumptions=load_assumptions(discount_rate=0.05),
                              interfaces={"B/fin": 4}, groups=[{"A", "B"}, {"A", "C"}])
    assert len(result.options) >= 5
    for row in result.options.itertuples():
        flows = result.cash_flows.loc[result.cash_flows["option_id"] == row.option_id]
        assert flows["t"].tolist() == list(range(10))
        assert npf.npv(0.05, flows["net"].to_numpy()) == pytest.approx(row.npv, rel=1e-12, abs=1e-6)
        assert flows["costs"].sum() == pytest.approx(row.one_off_cost, rel=1e-12)
        # The same flows through estate.appraisal, year by year.
        rebuilt = option_cash_flows(first_year=2027, horizon_years=10, rate=0.05,
                                    one_off_by_year=dict(zip(flows["year"], flows["costs"], strict=True)),
                                    savings_by_year=dict(zip(flows["year"], flows["savings"], strict=True)))
        pd.testing.assert_frame_equal(rebuilt, flows.drop(columns="option_id").reset_index(drop=True))
        measures = appraise_flows(rebuilt)
        assert measures.npv == pytest.approx(row.npv, rel=1e-12, abs=1e-6)
        assert measures.pv_savings == pytest.approx(row.pv_savings, rel=1e-12, abs=1e-6)
        assert (math.isnan(measures.payback_years) and math.isnan(row.payback_years)) or \
            measures.payback_years == pytest.approx(row.payback_years)
        by_year = result.one_off_by_year.loc[result.one_off_by_year["option_id"] == row.option_id]
        assert by_year["amount"].sum() == pytest.approx(row.one_off_cost, rel=1e-12)


def test_effects_rebuild_each_options_savings():
    """savings_y = saving_factor x sum of net_saving x year_fraction(saving_start, no end, y)."""
    from estate.appraisal import year_fractions

    result = four()
    for row in result.options.itertuples():
        effects = result.effects.loc[(result.effects["option_id"] == row.option_id)
                                     & (result.effects["net_saving"] != 0)]
        fractions = year_fractions(effects["saving_start"].to_numpy()[:, None], None,
                                   np.arange(2027, 2037)[None, :])
        expected = 0.795 * (effects["net_saving"].to_numpy()[:, None] * fractions).sum(axis=0)
        flows = result.cash_flows.loc[result.cash_flows["option_id"] == row.option_id, "savings"].to_numpy()
        assert flows == pytest.approx(expected, rel=1e-12, abs=1e-6)
        assert effects["net_saving"].sum() == pytest.approx(row.annual_saving, rel=1e-9, abs=1e-6)


def test_inputs_are_not_changed():
    matched = estate_of_four()
    before = matched.copy()
    generate_options(matched, assumptions=DEFAULTS, groups=[{"A", "B"}])
    pd.testing.assert_frame_equal(matched, before)


def test_ids_do_not_depend_on_row_order():
    matched = estate_of_four()
    first = generate_options(matched, assumptions=DEFAULTS, groups=[{"A", "B"}, {"C", "A"}])
    for seed in range(3):
        shuffled = matched.sample(frac=1.0, random_state=seed).reset_index(drop=True)
        again = generate_options(shuffled, assumptions=DEFAULTS, groups=[{"A", "C"}, {"B", "A"}])
        pd.testing.assert_frame_equal(first.options, again.options)
        pd.testing.assert_frame_equal(first.effects, again.effects)
        pd.testing.assert_frame_equal(first.partner_shares, again.partner_shares)
        pd.testing.assert_frame_equal(first.cash_flows, again.cash_flows)


system_rows = st.fixed_dictionaries({
    "organisation": st.sampled_from(["A", "B", "C"]),
    "product_id": st.sampled_from(["p", "q", "r", None]),
    "users": st.one_of(st.none(), st.floats(min_value=0, max_value=5_000)),
    "annual_cost": st.one_of(st.none(), st.floats(min_value=0, max_value=1e6)),
    "months": st.one_of(st.none(), st.integers(min_value=-60, max_value=150)),
    "exit_cost": st.one_of(st.none(), st.floats(min_value=0, max_value=1e6)),
})


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(rows=[{"organisation": "A", "product_id": "p", "users": None, "annual_cost": None, "months": None,
                "exit_cost": None}, {"organisation": "A", "product_id": "q", "users": 5e-324, "annual_cost": None,
                                     "months": None, "exit_cost": None}], elasticity=1.0)
@given(rows=st.lists(system_rows, min_size=2, max_size=6), elasticity=st.floats(min_value=0, max_value=1))
def test_saving_never_exceeds_the_retired_systems_cost(rows, elasticity):
    records = []
    for i, r in enumerate(rows):
        end = None if r["months"] is None else pd.Timestamp("2027-04-01") + pd.DateOffset(months=r["months"])
        records.append(system(f"{r['organisation']}/s{i}", r["organisation"], capability_code="CAP",
                              product_id=r["product_id"], users=r["users"], annual_cost=r["annual_cost"],
                              contract_end=end, exit_cost=r["exit_cost"]))
    result = generate_options(frame(*records), assumptions=load_assumptions(scale_elasticity=elasticity))
    effects = result.effects
    for row in result.options.itertuples():
        mine = effects.loc[effects["option_id"] == row.option_id]
        retired_cost = mine.loc[mine["effect"] == "retire", "annual_cost"].sum()
        if row.type == "joint procurement":
            assert 0 <= row.annual_saving <= row.run_cost_before + 1e-9
        else:
            assert row.annual_saving <= retired_cost + 1e-6 * max(1.0, retired_cost)
        assert row.run_cost_before == pytest.approx(mine["annual_cost"].sum(), rel=1e-12, abs=1e-9)
        assert (mine["retire_date"].dropna() >= pd.Timestamp("2028-04-01")).all()
        partners = result.partner_shares.loc[result.partner_shares["option_id"] == row.option_id]
        assert partners["npv"].sum() == pytest.approx(row.npv, rel=1e-9, abs=1e-6)
        assert np.isfinite(row.npv)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(rows=[  # B's one system is the survivor of both groups, each retiring a different neighbour's system
    {"organisation": o, "product_id": p, "users": u, "annual_cost": c, "months": None, "exit_cost": 0.0}
    for o, p, u, c in (("A", "p", 100.0, 300_000.0), ("B", "q", 400.0, 200_000.0), ("C", "r", 100.0, 300_000.0))
], groups=True)
@given(rows=st.lists(system_rows, min_size=2, max_size=9), groups=st.booleans())
def test_no_system_survives_in_two_recommended_options(rows, groups):
    # CONTRACT §4, on random estates: the chosen portfolio retires each system at most once and keeps each
    # survivor in at most one option (the shared platform and the rationalisation of one organisation may
    # both keep it; only one may be chosen).
    records = [system(f"{r['organisation']}/s{i}", r["organisation"], capability_code="CAP",
                      product_id=r["product_id"], users=r["users"], annual_cost=r["annual_cost"],
                      exit_cost=r["exit_cost"]) for i, r in enumerate(rows)]
    result = generate_options(frame(*records), assumptions=DEFAULTS,
                              groups=[{"A", "B"}, {"B", "C"}] if groups else None)
    chosen = select_portfolio(result.options, result.effects).chosen
    mine = result.effects.loc[result.effects["option_id"].isin(chosen)]
    for effect in ("survive", "retire"):
        keys = mine.loc[mine["effect"] == effect, "system_key"]
        assert not keys.duplicated().any(), (effect, keys[keys.duplicated()].tolist())
    assert not set(mine.loc[mine["effect"] == "survive", "system_key"]) & set(
        mine.loc[mine["effect"] == "retire", "system_key"])


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"matched": pd.DataFrame({"system": ["x"]})}, "'matched' parameter of generate_options must be a DataFrame"),
        ({"matched": [1, 2]}, "'matched' parameter"),
        ({"matched": pd.DataFrame({"system_key": ["a", "a"], "organisation": ["A", "A"]})}, "unique"),
        ({"matched": pd.DataFrame({"system_key": ["a", None], "organisation": ["A", "A"]})}, "missing"),
        ({"assumptions": {"discount_rate": 0.035}}, "'assumptions' parameter"),
        ({"groups": "AB"}, "'groups' parameter"),
        ({"groups": pd.DataFrame({"org": ["A"]})}, "'groups' parameter"),
        ({"groups": ["AB"]}, "'groups' parameter"),
        ({"interfaces": pd.DataFrame({"key": ["a"]})}, "'interfaces' parameter"),
        ({"interfaces": 3}, "'interfaces' parameter"),
        ({"sites": pd.DataFrame({"name": ["x"]})}, "'sites' parameter"),
        ({"sites": [1]}, "'sites' parameter"),
    ],
)
def test_bad_arguments(kwargs, match):
    arguments = {"matched": two_districts(), "assumptions": DEFAULTS, **kwargs}
    matched = arguments.pop("matched")
    with pytest.raises(ParameterError, match=match):
        generate_options(matched, **arguments)


def test_the_survivors_cost_grows_kind_by_kind_without_a_cap():
    # Survivor A: 100 users; licence 40,000, support 10,000, hosting 6,000, staff 8,000, other 6,000 (of 70,000).
    # Retired: B (80 users, 60,000, of which staff 12,000) and C (60 users at B's organisation, 20,000):
    # B's organisation counts its users once for the capability: R = max(80, 60) = 80, not 140.
    matched = frame(
        system("A/x", "A", capability_code="CAP", product_id="p", users=100.0, annual_cost=70_000.0,
               licence_cost=40_000.0, support_cost=10_000.0, hosting_cost=6_000.0, staff_cost=8_000.0),
        system("B/x", "B", capability_code="CAP", product_id="q", users=80.0, annual_cost=60_000.0,
               staff_cost=12_000.0),
        system("B/y", "B", capability_code="CAP", product_id="r", users=60.0, annual_cost=20_000.0),
    )
    result = generate_options(matched, assumptions=DEFAULTS)
    row = result.options.set_index("target").loc["A/x"]
    assert row["type"] == "shared platform" and row["systems_retired"] == "B/x; B/y"
    assert row["received_users"] == 80.0
    ratio = (100 + 80) / 100
    after = (40_000 * (1 + 80 / 100 * (1 - 0.1))  # licences for the new users at A's unit price less 10%
             + 10_000 * (0.5 + 0.5 * ratio) + 6_000 * (0.5 + 0.5 * ratio) + 8_000 * (0.5 + 0.5 * ratio)
             + 6_000 * ratio ** 0.8)
    assert row["run_cost_after"] == pytest.approx(after, rel=1e-12)
    assert row["annual_saving"] == pytest.approx(150_000 - after, rel=1e-12)  # no cap: 32% of the 150,000 touched
    # Staff time released (12,000 less A's staff growth 8,000 x 0.5 x 0.8) is non-cashable; the rest is cash.
    assert row["non_cashable_saving"] == pytest.approx(12_000 - 8_000 * 0.5 * 0.8, rel=1e-12)
    assert row["cashable_saving"] == pytest.approx(row["annual_saving"] - row["non_cashable_saving"], rel=1e-12)
    cash = generate_options(matched, assumptions=load_assumptions(staff_saving_cashable=1.0)).options
    assert cash.set_index("target").loc["A/x", "non_cashable_saving"] == pytest.approx(0.0)


def test_an_epr_replacement_is_costed_as_a_programme():
    # Two trusts' acute EPRs (Oracle Health Millennium): retiring one costs epr_replacement_per_user a user.
    common = {"capability_code": "NHS-EPR", "product_id": "oracle-health-millennium", "contract_end": "2029-03-31"}
    matched = frame(system("T1/epr", "T1", users=6_000.0, annual_cost=4_000_000.0, **common),
                    system("T2/epr", "T2", users=5_000.0, annual_cost=3_500_000.0, **common))
    result = generate_options(matched, assumptions=DEFAULTS)
    sp = result.options.set_index("target").loc["T1/epr", "option_id"]
    breakdown = result.one_off_breakdown.set_index(["option_id", "category"])
    assert breakdown.loc[(sp, "replacement_programme"), "amount_before_bias"] == pytest.approx(5_000 * 4_000.0)
    assert result.effects.set_index(["option_id", "system_key"]).loc[(sp, "T2/epr"), "replacement_class"] \
        == "EPR platform"


def test_site_bound_infrastructure_is_not_a_shared_platform_across_organisations() -> None:
    """Two districts' vSphere clusters: no shared platform (that is a data-centre move, costed as a hosting
    consolidation), while two clusters inside one organisation are still a rationalisation and the same
    product is still a joint procurement."""
    from estate.fit import SITE_BOUND_JOBS

    common = {"capability_code": "CORP-HOSTING", "capability_name": "Hosting and data centre", "notice_months": 6.0,
              "contract_end": "2029-03-31"}
    systems = frame(
        system(f"{CARLISLE}/VM", CARLISLE, product_id="vsphere", product_name="VMware vSphere", users=20.0,
               annual_cost=90_000.0, **common),
        system(f"{EDEN}/VM", EDEN, product_id="vsphere", product_name="VMware vSphere", users=10.0,
               annual_cost=60_000.0, **common),
        system(f"{EDEN}/HV", EDEN, product_id="hyper-v", product_name="Hyper-V", users=5.0,
               annual_cost=30_000.0, **common),
    )
    assert "CORP-HOSTING" in SITE_BOUND_JOBS
    options = generate_options(systems, assumptions=DEFAULTS).options
    kinds = options.groupby("type").size().to_dict()
    assert "shared platform" not in kinds
    assert kinds.get("joint procurement") == 1
    rationalised = options.loc[options["type"] == "rationalisation"]
    assert len(rationalised) == 2  # Eden keeps vSphere or keeps Hyper-V: one candidate a survivor product
    assert set(rationalised["lead_organisation"]) == {EDEN}


# --------------------------------------------------------------------------- the same move from two groupings


def test_the_same_move_from_two_groupings_is_listed_once(monkeypatch):
    # C's 5,000-user system is too big for A's to take, so the grouping of all three (A, B, C) proposes exactly
    # what the user's grouping (A, B) does: B's system onto A's. Listed once, under the earlier id.
    matched = frame(
        system("A/rb", "A", capability_code="LG-REVBEN", product_id="nec-revenues-benefits",
               product_name="NEC Revenues and Benefits", users=100, annual_cost=100_000),
        system("B/rb", "B", capability_code="LG-REVBEN", product_id="civica-openrevenues",
               product_name="OpenRevenues", users=20, annual_cost=60_000),
        system("C/rb", "C", capability_code="LG-REVBEN", product_id="capita-academy", product_name="Academy",
               users=5_000, annual_cost=900_000))
    a = load_assumptions()
    kept = generate_options(matched, assumptions=a, groups=[["A", "B"]])
    monkeypatch.setattr(options_module, "_copies", lambda options, members, names: np.zeros(len(options), dtype=bool))
    every = generate_options(matched, assumptions=a, groups=[["A", "B"]])
    assert every.options["option_id"].tolist() == ["SP-001", "SP-002", "SP-003"]
    first, copy = option(every, "SP-001"), option(every, "SP-002")
    assert copy["systems_retired"] == first["systems_retired"] == "B/rb"
    numbers = ["run_cost_before", "run_cost_after", "annual_saving", "one_off_cost", "npv"]
    assert copy[numbers].tolist() == first[numbers].tolist()
    assert kept.options["option_id"].tolist() == ["SP-001", "SP-003"]
    for table in (kept.effects, kept.cash_flows, kept.partner_shares, kept.one_off_by_year, kept.one_off_breakdown):
        assert "SP-002" not in set(table["option_id"])
    assert option(kept, "SP-001")["rationale"].endswith(
        "The same move arises from 1 other grouping of the organisations; it is listed once.")
    assert option(kept, "SP-001")[numbers].tolist() == first[numbers].tolist()
    assert len(kept.cash_flows) == 2 * a.horizon_years
    pd.testing.assert_frame_equal(kept.defaults_used, every.defaults_used)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 6).flatmap(lambda n: st.tuples(st.just(n), st.lists(st.tuples(
    st.integers(0, max(n - 1, 0)), st.sampled_from(["a", "B", "b", "é", "a b", "Z", "10", "9", "", "x/y"])),
    max_size=0 if n == 0 else 20))))
def test_joined_by_is_each_candidates_distinct_names_sorted(case):
    n, pairs = case
    cand = np.array([c for c, _ in pairs], dtype=np.int64)
    names = np.array([name for _, name in pairs], dtype=object)
    expected = ["; ".join(sorted({name for c, name in pairs if c == i})) for i in range(n)]
    assert options_module._joined_by(cand, names, n) == expected
