"""Tests of estate.fit_overrides: the user's word on the fit test, by hand."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import estate.fit_overrides as fo
from estate.assumptions import load_assumptions
from estate.cli import main
from estate.errors import InputFileError, ParameterError
from estate.fit_overrides import check_fit_overrides, read_fit_overrides, resolve_fit_overrides
from estate.options import generate_options
from estate.plan import make_plan
from test_options import CARLISLE_REV, EDEN_REV, two_districts  # tests/ is on sys.path under pytest

DEFAULTS = load_assumptions()


def test_all_is_sorted_and_exported():
    assert fo.__all__ == sorted(fo.__all__)
    assert all(hasattr(fo, name) for name in fo.__all__)


def ledger_and_spend() -> pd.DataFrame:
    """A's Unit4 ERP (a platform) and B's Spend (unlisted): the rules let neither take the other's work."""
    return pd.DataFrame({
        "system_key": ["A/1", "B/1"], "organisation": ["A", "B"], "system": ["Financials", "Spend"],
        "capability_code": ["CORP-FIN"] * 2, "product_id": ["unit4-erp", "unlisted:spendmanagement"],
        "product_name": ["Unit4 ERP", "Spend"], "users": [50.0, 500.0], "annual_cost": [100_000.0, 50_000.0]})


def overrides(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["retired", "survivor", "decision", "reason"])


def test_an_allowed_pair_is_generated_and_says_why():
    assert generate_options(ledger_and_spend(), assumptions=DEFAULTS).options.empty  # the rules refuse both ways
    result = generate_options(ledger_and_spend(), assumptions=DEFAULTS, fit_overrides=overrides(
        ("A: Financials", "Spend", "allow", "its ledger already runs there")))
    option = result.options.set_index("option_id").loc["SP-001"]
    assert option["target"] == "B/1" and option["systems_retired"] == "A/1"
    # By hand: Spend's 50,000 is all 'other'; it takes A's 50 users on its own 500: ratio 1.1, and
    # 50,000 x 1.1 ^ 0.8 = 53,961.52; the saving is 100,000 + 50,000 - 53,961.52.
    assert option["run_cost_before"] == pytest.approx(150_000.0)
    assert option["annual_saving"] == pytest.approx(150_000.0 - 50_000.0 * 1.1 ** 0.8)
    assert "Financials (A) fits by the user's override: its ledger already runs there." in option["rationale"]
    assert "Why it fits" not in option["rationale"]  # the rules' sentence is not claimed for it
    used = result.fit_overrides_used
    assert used[["option_id", "system_key", "survivor_key", "decision", "source_row"]].values.tolist() == [
        ["SP-001", "A/1", "B/1", "allow", 2]]


def test_a_forbidden_pair_is_never_generated():
    plain = generate_options(two_districts(), assumptions=DEFAULTS)
    assert plain.options["option_id"].tolist() == ["SP-001", "SP-002"]  # each keeps one and retires the other
    told = overrides(("Academy", "OpenRevenues", "forbid", "Eden's benefits data may not leave its tenancy"))
    result = generate_options(two_districts(), assumptions=DEFAULTS, fit_overrides=told)
    # Only Carlisle onto Eden's Academy is left; renumbered SP-001, with the same figures as SP-002 before.
    assert result.options["option_id"].tolist() == ["SP-001"]
    left, before = result.options.iloc[0], plain.options.iloc[1]
    assert left["target"] == EDEN_REV and left["systems_retired"] == CARLISLE_REV
    assert left["npv"] == pytest.approx(before["npv"]) and left["annual_saving"] == pytest.approx(
        before["annual_saving"])
    # Forbid wins where rows disagree on a pair.
    both = overrides(("Academy", "OpenRevenues", "allow", "yes"), ("Eden District Council: REV", "civica-openrevenues",
                                                                    "forbid", "no"))
    assert generate_options(two_districts(), assumptions=DEFAULTS, fit_overrides=both).options["target"].tolist() \
        == [EDEN_REV]


def test_a_forbidden_member_is_left_running_with_the_users_reason():
    # Three districts on revenues: forbidding one pair leaves that system running in the option, named so.
    matched = pd.concat([two_districts(), two_districts().iloc[[1]].assign(
        system_key="Copeland/REV", organisation="Copeland", system="REV", users=30.0, annual_cost=70_000.0)],
        ignore_index=True)
    result = generate_options(matched, assumptions=DEFAULTS, fit_overrides=overrides(
        ("Copeland: REV", "OpenRevenues", "forbid", "Copeland leaves the partnership in 2028")))
    kept_carlisle = result.options.loc[result.options["target"] == CARLISLE_REV].iloc[0]
    assert kept_carlisle["systems_retired"] == EDEN_REV
    assert ("REV (Copeland) may not go onto it by the user's override: Copeland leaves the partnership in 2028"
            in kept_carlisle["rationale"])
    assert result.fit_overrides_used["decision"].tolist() == ["forbid"]


def test_names_resolve_to_systems_and_products():
    systems = ledger_and_spend()
    pairs = resolve_fit_overrides(check_fit_overrides(overrides(
        ("  financials ", "unlisted:SPENDMANAGEMENT", "Allow", "r1"),   # a system name; a product id, any case
        ("Unit4 ERP", "b: spend", "forbid", "r2"),                      # a product name; Organisation: System
        ("Spend", "Spend", "allow", "r3"),                              # itself: no pair
    )), systems)
    assert pairs[["system_key", "target", "decision", "reason", "source_row"]].values.tolist() == [
        ["A/1", "B/1", "forbid", "r2", 3]]  # one pair, named twice: forbid wins


@pytest.mark.parametrize(("text", "message"), [
    ("retired,survivor,decision,reason\nA: Financials,Spend,allow,ok\nC: Ledger,Spend,allow,why\n",
     "fit.csv: row 3, column 'retired': 'C: Ledger' names no system"),
    ("retired,survivor,decision,reason\nA: Financials,Nowhere,allow,ok\n",
     "fit.csv: row 2, column 'survivor': 'Nowhere' names no system"),
    ("retired,survivor,decision,reason\nA: Financials,Spend,perhaps,ok\n",
     "fit.csv: row 2, column 'decision': 'perhaps' is not allow or forbid"),
    ("retired,survivor,decision,reason\nA: Financials,Spend,allow,\n", "fit.csv: row 2, column 'reason': blank"),
    ("retired,survivor,decision\nA: Financials,Spend,allow\n", "fit.csv: needs the columns retired, survivor, "
                                                               "decision, reason; missing reason"),
])
def test_bad_rows_are_one_line_naming_file_row_and_column(tmp_path: Path, text: str, message: str):
    path = tmp_path / "fit.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputFileError) as caught:
        resolve_fit_overrides(read_fit_overrides(path), ledger_and_spend())
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


def test_a_bad_data_frame_is_one_line():
    with pytest.raises(ParameterError, match=r"^fit overrides, row 3, column 'survivor': blank$"):
        check_fit_overrides(overrides(("A", "B", "allow", "x"), ("A", None, "allow", "y")))
    with pytest.raises(ParameterError, match="row 2, column 'retired': 'Z' names no system"):
        generate_options(ledger_and_spend(), assumptions=DEFAULTS, fit_overrides=overrides(("Z", "Spend", "allow",
                                                                                             "x")))


@pytest.fixture()
def place(tmp_path: Path) -> Path:
    folder = tmp_path / "place"
    folder.mkdir()
    (folder / "a.csv").write_text("System,Product,Capability,Users,Annual cost,Contract end\n"
                                  "Financials,Unit4 ERP,Finance,50,100000,2029-03-31\n", encoding="utf-8")
    (folder / "b.csv").write_text("System,Product,Capability,Users,Annual cost,Contract end\n"
                                  "Spend,Spend Manager,Finance,500,50000,2029-03-31\n", encoding="utf-8")
    (tmp_path / "fit.csv").write_text("retired,survivor,decision,reason\n"
                                      "a: Financials,Spend Manager,allow,=1+1 the ledger runs there\n",
                                      encoding="utf-8")
    return folder


def test_the_cli_workbook_and_a_re_plan_keep_the_overrides(place: Path, tmp_path: Path):
    from python_calamine import CalamineWorkbook

    out = tmp_path / "plan.xlsx"
    result = CliRunner().invoke(main, ["plan", str(place), "--out", str(out), "--fit-overrides",
                                       str(tmp_path / "fit.csv")])
    assert result.exit_code == 0, result.output
    assert "Recommended options        1" in result.output
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Fit overrides").to_python()
    assert rows[0] == ["Retired", "Survivor", "Decision", "Reason", "Options it changed", "Source file", "Source row"]
    assert rows[1][:6] == ["a: Financials", "Spend Manager", "allow", "=1+1 the ledger runs there", "SP-001",
                           "fit.csv"]  # the reason stays text, not a formula
    import openpyxl

    cell = openpyxl.load_workbook(out)["Fit overrides"]["D2"]
    assert cell.data_type == "s"
    # Planned again with the workbook's Assumptions sheet: the overrides come with it, and so does the option.
    again = make_plan(place, assumptions=out)
    assert again.fit_overrides[["retired", "survivor", "decision", "reason"]].values.tolist() == [
        ["a: Financials", "Spend Manager", "allow", "=1+1 the ledger runs there"]]
    assert again.options.options["option_id"].tolist() == ["SP-001"]
    assert not math.isclose(again.headline()["NPV"], 0.0)
    # Without overrides nothing is consolidated, and the workbook has no Fit overrides sheet.
    plain = make_plan(place)
    assert plain.options.options.empty and plain.fit_overrides is None
    plain.write(tmp_path / "plain.xlsx")
    assert "Fit overrides" not in CalamineWorkbook.from_path(str(tmp_path / "plain.xlsx")).sheet_names
