"""The plan in words: readable targets and descriptions, defaults by kind, live inputs, counts that reconcile."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import estate
from estate.cli import main
from estate.narrative import counts_in_words, default_kinds, default_text, live_and_replan, money_text, option_words

SAMPLE = Path(__file__).resolve().parents[1] / "inventories" / "cumbria"


@pytest.fixture(scope="module")
def plan() -> estate.plan.Plan:
    return estate.make_plan(SAMPLE)


def test_money_text() -> None:
    assert money_text(0.4) == "£0" and money_text(-0.4) == "£0"
    assert money_text(-2_500_000.6) == "-£2,500,001"
    assert money_text(float("nan")) == "n/a"
    assert money_text(12, "JPY") == "12 JPY"


def test_default_text_never_shows_a_raw_float_or_a_time() -> None:
    assert default_text("exit_cost", 18863.013698630137) == "£18,863"
    assert default_text("exit_cost", 18863.5, "EUR") == "€18,864"
    assert default_text("notice_months", 6) == "6 months"
    assert default_text("contract_end", pd.Timestamp("2029-03-30 00:00:00")) == "30/03/2029"
    assert default_text("contract_end", None) == ""


def test_option_words_name_every_target(plan: estate.plan.Plan) -> None:
    table = plan.options_table()
    words = option_words(plan, table)
    assert words.index.equals(table.index)
    keys = table["target"].astype(str)
    # No key is shown: system keys (organisation/id), unlisted products and sites all read as names.
    assert not words["target"].str.contains("unlisted:").any()
    for key, target, kind in zip(keys, words["target"], table["type"], strict=True):
        assert target != key or "/" not in key, (kind, key)
    site = table["type"].eq("hosting consolidation")
    sites = plan.inventory.sites.set_index("site_key")
    for key, target in zip(keys[site], words.loc[site, "target"], strict=True):
        assert target == f"{sites.loc[key, 'site']}, {sites.loc[key, 'organisation']}"
    unlisted = keys.str.startswith("unlisted:")
    assert unlisted.any()
    assert (words.loc[unlisted, "target"] == table.loc[unlisted, "target_label"]).all()
    # Descriptions say what happens, by type.
    rationalisation = table.index[table["type"] == "rationalisation"][0]
    n = int(table.loc[rationalisation, "n_retired"])
    assert words.loc[rationalisation, "description"].startswith(table.loc[rationalisation, "lead_organisation"] + " keeps ")
    assert words.loc[rationalisation, "description"].endswith(f"retires {n} other" + ("" if n == 1 else "s"))
    joint = table.index[table["type"] == "joint procurement"][0]
    partners = len(table.loc[joint, "partners"].split("; "))
    assert words.loc[joint, "description"].startswith(f"{partners} organisations buy ")


def test_default_kinds_count_by_hand(plan: estate.plan.Plan) -> None:
    d = plan.options.defaults_used
    kinds = default_kinds(d)
    assert kinds["count"].sum() == len(d)
    for row in kinds.itertuples():
        same = d[(d["column"] == row.column) & (d["note"] == row.note)]
        assert row.count == len(same) and row.organisations == same["organisation"].nunique()
    assert kinds["count"].is_monotonic_decreasing


def test_live_and_replan_split_every_assumption(plan: estate.plan.Plan) -> None:
    live, replan = live_and_replan(plan.assumptions, {"discount_rate", "training_per_user"})
    names = plan.assumptions.to_frame()["Parameter"].tolist()
    listed_live = live.split(": ", 1)[1].rstrip(".").split(", ")
    assert sorted(listed_live) == ["discount_rate", "training_per_user"]
    others = [n for n in names if n not in listed_live]
    assert f"the other {len(others)} ({', '.join(others[:4])}, ...; blank under 'In formulas'" in replan


def test_validate_and_plan_reconcile_their_counts(plan: estate.plan.Plan, tmp_path: Path) -> None:
    inventory, matched = plan.inventory, plan.matched
    rows = len(inventory.systems)
    per_row = matched.groupby(["source_file", "source_sheet", "source_row"]).size()
    split = per_row[per_row > 1]
    systems_cost = inventory.systems["annual_cost"].sum()
    sites_cost = inventory.sites["annual_cost"].sum()
    assert rows + int(split.sum()) - len(split) == len(matched)  # by hand: each split row adds its parts less one
    text = counts_in_words(inventory, matched)
    assert text.startswith(f"{rows:,} system rows read, {len(split):,} rows listing several products split into "
                           f"{int(split.sum()):,}: {len(matched):,} systems.")
    assert f"£{systems_cost:,.0f} a year on systems plus £{sites_cost:,.0f} on {len(inventory.sites)} hosting sites" \
        in text
    assert f"= £{systems_cost + sites_cost:,.0f}, the plan's annual run cost" in text
    assert systems_cost + sites_cost == pytest.approx(plan.headline()["Annual run cost"])

    runner = CliRunner()
    validated = runner.invoke(main, ["validate", str(SAMPLE)])
    assert f"{rows:,} system rows read; the plan counts one system a product" in validated.output
    planned = runner.invoke(main, ["plan", str(SAMPLE), "--out", str(tmp_path / "plan.xlsx")])
    assert planned.exit_code == 0, planned.output
    assert text in planned.output
    systems_line = next(line for line in planned.output.splitlines() if line.startswith("Systems "))
    assert re.search(rf"\b{len(matched):,}\b", systems_line)
