"""Systems serving several capabilities (CONTRACT §2; issue 10, build point 1): one system, one cost."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

import estate
import estate.coverage as coverage
from estate.assumptions import load_assumptions
from estate.coverage import (
    capability_names,
    codes_of,
    join_codes,
    product_modules,
    served_capabilities,
    split_capabilities,
)
from estate.matching import match_issues, match_systems, read_mapping
from estate.options import generate_options
from estate.overlaps import find_overlaps

ERP_CELL = "Finance; HR; Procurement"
ROWS = [  # organisation, system, product, capability, users, annual cost
    ("County", "Corporate ERP", "Oracle E-Business Suite", ERP_CELL, 50, 90_000.0),
    ("Alpha District", "HR", "iTrent", "HR", 28, 40_000.0),
    ("Beta District", "HR and payroll", "ResourceLink", "HR", 30, 50_000.0),
    ("Alpha District", "Ledger", "Capita Integra", "Finance", 20, 30_000.0),
    ("Beta District", "Financials", "Civica Financials", "Finance", 60, 80_000.0),
]
RUN_COST = 90_000.0 + 40_000.0 + 50_000.0 + 30_000.0 + 80_000.0  # 290,000: the ERP's cost once


def write_place(folder: Path, rows=ROWS, *, extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["organisation,system,product,capability,users,annual_cost,contract_end"]
    lines += [f'{o},{s},{p},"{c}",{u},{cost:.0f},2028-03-31' for o, s, p, c, u, cost in rows]
    (folder / "systems.csv").write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def place(tmp_path_factory) -> Path:
    return write_place(tmp_path_factory.mktemp("multicap") / "place")


@pytest.fixture(scope="module")
def plan(place: Path) -> estate.Plan:
    return estate.make_plan(place)


def key_of(plan: estate.Plan, system: str) -> str:
    matched = plan.matched
    return str(matched.loc[matched["system"] == system, "system_key"].iloc[0])


# --------------------------------------------------------------------------- the module's own functions


def test_module_exports_sorted():
    assert coverage.__all__ == sorted(coverage.__all__)


def test_split_and_join():
    assert split_capabilities("Finance;HR\r\nProcurement;;") == ["Finance", "HR", "Procurement"]
    assert codes_of("A;B;A") == ("A", "B")
    assert codes_of(("A", "B")) == ("A", "B")
    assert join_codes([]) is None


def test_served_shares_add_up_to_one_system():
    frame = pd.DataFrame({"system_key": ["x", "y"], "capability_codes": ["A;B;C", "A"]})
    served = served_capabilities(frame)
    assert served["share"].groupby(served["system_key"]).sum().tolist() == pytest.approx([1.0, 1.0])
    assert served.loc[served["system_key"] == "x", "capability_code"].tolist() == ["A", "B", "C"]


# --------------------------------------------------------------------------- reading and matching


def test_every_capability_kept_primary_first(plan):
    erp = plan.matched.loc[plan.matched["system"] == "Corporate ERP"].iloc[0]
    assert erp["capability_code"] == "CORP-FIN"
    assert codes_of(erp["capability_codes"]) == ("CORP-FIN", "CORP-HR", "CORP-PROC")
    assert (plan.matched["system"] == "Corporate ERP").sum() == 1  # one system, not one a capability


def test_soft_separated_parts_each_served():
    systems = pd.DataFrame({"system_key": ["a/1"], "organisation": ["a"], "product": ["Oracle E-Business Suite"],
                            "capability": ["Finance/HR/Payroll"]})
    matched = match_systems(systems)
    assert codes_of(matched.loc[0, "capability_codes"])[:2] == ("CORP-FIN", "CORP-HR")


def test_unresolvable_part_is_a_data_issue(tmp_path):
    rows = [*ROWS[:1], ("County", "Odd", "Capita Integra", "Finance; Zzqx wibble", 5, 1_000.0)]
    plan = estate.make_plan(write_place(tmp_path / "odd", rows))
    odd = plan.matched.loc[plan.matched["system"] == "Odd"].iloc[0]
    assert codes_of(odd["capability_codes"]) == ("CORP-FIN",)
    issues = plan.issues()
    found = issues.loc[issues["column"].eq("capability") & issues["value"].astype(str).str.contains("Zzqx")]
    assert len(found) == 1
    assert int(found["source_row"].iloc[0]) == 3  # the line of the row in the CSV
    assert "Zzqx wibble" in found["problem"].iloc[0]
    # The row is still one system, in Systems.
    assert (plan.systems_table()["system"] == "Odd").sum() == 1


def test_mapping_lists_several_capabilities(tmp_path):
    path = tmp_path / "mapping.csv"
    path.write_text("raw_text,product,vendor,capability\nCorpSys,Capita Integra,,CORP-FIN; HR and payroll\n",
                    encoding="utf-8")
    systems = pd.DataFrame({"system_key": ["a/1"], "organisation": ["a"], "product": ["CorpSys"]})
    matched = match_systems(systems, mapping=read_mapping(path))
    assert matched.loc[0, "capability_method"] == "user override"
    assert codes_of(matched.loc[0, "capability_codes"]) == ("CORP-FIN", "CORP-HR")
    path.write_text("raw_text,product,vendor,capability\nCorpSys,Capita Integra,,CORP-FIN; nonsense\n",
                    encoding="utf-8")
    with pytest.raises(estate.errors.ParameterError, match="row 2, column 'capability': 'nonsense'"):
        match_systems(systems, mapping=path)


def test_product_modules_only_where_the_catalogue_knows_and_nobody_else_does_the_job():
    frame = pd.DataFrame({
        "system_key": ["A/erp", "A/proc", "B/erp", "B/ledger"], "organisation": ["A", "A", "B", "B"],
        "product_id": ["unit4-erp", "atamis", "oracle-ebs", "capita-integra"],
        "capability_code": ["CORP-FIN", "CORP-PROC", "CORP-FIN", "CORP-FIN"]})
    # Unit4 lists finance, HR and procurement: A runs procurement elsewhere, so only HR is added; Capita
    # Integra is a finance-only product and gets nothing.
    assert product_modules(frame).tolist() == ["CORP-HR", None, "CORP-HR;CORP-PROC", None]
    systems = frame.drop(columns="product_id").assign(
        product=["Unit4 ERP", "Atamis", "Oracle E-Business Suite", "Capita Integra"],
        capability=["Finance", "Procurement", "Finance", "Finance"])
    matched = match_systems(systems)
    assert matched["module_codes"].tolist()[0] == "CORP-HR"
    assert codes_of(matched.loc[0, "capability_codes"]) == ("CORP-FIN", "CORP-HR")
    assert matched.loc[0, "capability_confidence"] == 1.0  # the primary capability's confidence is unchanged


# --------------------------------------------------------------------------- overlaps


def test_overlaps_count_under_each_capability_cost_once(plan):
    long = plan.overlaps.capability_by_organisation
    county = long.loc[long["organisation"] == "County"].set_index("capability_code")
    assert sorted(county.index) == ["CORP-FIN", "CORP-HR", "CORP-PROC"]
    # 90,000 shared in thirds, in pennies, the remainder to the primary capability.
    assert county["annual_cost"].to_dict() == {"CORP-FIN": 30_000.0, "CORP-HR": 30_000.0, "CORP-PROC": 30_000.0}
    assert long["annual_cost"].sum() == pytest.approx(RUN_COST)
    assert county["users"].tolist() == [50.0, 50.0, 50.0]
    hr = plan.overlaps.capability_overlaps.set_index("capability_code").loc["CORP-HR"]
    assert (hr["organisations"], hr["systems"]) == (3, 3)
    odd = pd.DataFrame({"organisation": ["X"], "system_key": ["X/1"], "capability_code": ["CORP-FIN"],
                        "capability_codes": ["CORP-FIN;CORP-HR;CORP-PROC"], "annual_cost": [100.0]})
    shares = find_overlaps(odd, as_of="2026-04-01").capability_by_organisation
    assert shares["annual_cost"].tolist() == [33.34, 33.33, 33.33]


# --------------------------------------------------------------------------- options


def option_of(plan: estate.Plan, capability: str, target: str) -> pd.Series:
    o = plan.options.options
    found = o.loc[(o["capability_code"] == capability) & (o["target"] == target)]
    assert len(found) == 1, (capability, target, o[["option_id", "capability_code", "target"]])
    return found.iloc[0]


def effects_of(plan: estate.Plan, option_id: str) -> dict[str, str]:
    e = plan.options.effects
    block = e.loc[e["option_id"] == option_id]
    return dict(zip(block["system_key"], block["effect"], strict=True))


def test_erp_is_a_candidate_survivor_for_hr(plan):
    erp = key_of(plan, "Corporate ERP")
    hr = option_of(plan, "CORP-HR", erp)
    assert effects_of(plan, hr["option_id"]) == {erp: "survive", key_of(plan, "HR"): "retire",
                                                 key_of(plan, "HR and payroll"): "retire"}
    assert hr["run_cost_before"] == pytest.approx(90_000.0 + 40_000.0 + 50_000.0)
    assert hr["received_users"] == pytest.approx(28 + 30)


def test_finance_only_survivor_does_not_retire_the_erp(plan):
    civica = key_of(plan, "Financials")
    erp = key_of(plan, "Corporate ERP")
    fin = option_of(plan, "CORP-FIN", civica)
    assert effects_of(plan, fin["option_id"]) == {civica: "survive", key_of(plan, "Ledger"): "retire"}
    assert fin["run_cost_before"] == pytest.approx(80_000.0 + 30_000.0)  # the ERP is not in the base
    assert "Corporate ERP (County) stays: it also runs HR and payroll and Procurement and contract management, " \
        "which Civica Financials does not" in fin["rationale"]
    assert not (plan.options.effects["system_key"].eq(erp) & plan.options.effects["effect"].eq("retire")).any()


def test_combined_option_counts_the_erp_once(plan):
    erp = key_of(plan, "Corporate ERP")
    both = option_of(plan, "CORP-FIN;CORP-HR", erp)
    assert both["capability_name"] == "Finance and ERP; HR and payroll"
    assert effects_of(plan, both["option_id"]) == {
        erp: "survive", key_of(plan, "HR"): "retire", key_of(plan, "HR and payroll"): "retire",
        key_of(plan, "Ledger"): "retire", key_of(plan, "Financials"): "retire"}
    assert both["run_cost_before"] == pytest.approx(RUN_COST)
    # Users once per organisation and capability: Alpha 20 (finance) + 28 (HR), Beta 60 + 30.
    assert both["received_users"] == pytest.approx(20 + 28 + 60 + 30)
    assert "Moving: Finance and ERP (2 systems); HR and payroll (2 systems)." in both["rationale"]
    # Its saving is not the sum of the two single options' (the ERP's base would be counted twice).
    fin = option_of(plan, "CORP-FIN", erp)
    hr = option_of(plan, "CORP-HR", erp)
    assert fin["run_cost_before"] + hr["run_cost_before"] - both["run_cost_before"] == pytest.approx(90_000.0)


def chosen_ids(plan: estate.Plan) -> list[str]:
    chosen = plan.portfolio.chosen
    return sorted(chosen["option_id"] if isinstance(chosen, pd.DataFrame) else chosen)


def test_survivor_once_in_the_recommended_plan(tmp_path):
    # Ten times the costs: now options pay, and the ERP survives in three candidates (finance, HR, both).
    rows = [(o, s, p, c, u, cost * 10) for o, s, p, c, u, cost in ROWS]
    plan = estate.make_plan(write_place(tmp_path / "dear", rows))
    chosen = chosen_ids(plan)
    assert chosen
    e = plan.options.effects
    picked = e.loc[e["option_id"].isin(chosen)]
    assert picked.loc[picked["effect"] == "survive", "system_key"].value_counts().max() == 1
    assert picked.loc[picked["effect"] == "retire", "system_key"].value_counts().max() == 1
    assert (plan.systems_table()["fate"] == "Survivor").sum() == len(chosen)
    # Were every option on the ERP worth a lot, the solver still takes one of them: the combined one, which
    # is worth more than either single one (its figures add up; the ERP's base is in it once).
    erp = key_of(plan, "Corporate ERP")
    on_erp = e.loc[(e["system_key"] == erp) & (e["effect"] == "survive"), "option_id"].tolist()
    assert len(on_erp) == 3
    o = plan.options.options
    npv = o["option_id"].map(lambda i: 1_000.0 if i in on_erp else -1.0)
    npv = npv.where(o["capability_code"] != "CORP-FIN;CORP-HR", 1_500.0)
    picked = estate.select_portfolio(o.assign(npv=npv.to_numpy()), e)
    assert list(picked.chosen["option_id"] if isinstance(picked.chosen, pd.DataFrame) else picked.chosen) \
        == o.loc[o["capability_code"] == "CORP-FIN;CORP-HR", "option_id"].tolist()


def test_systems_sheet_shows_every_capability_and_one_cost(plan, tmp_path):
    out = tmp_path / "plan.xlsx"
    estate.write_plan(plan, out)
    book = CalamineWorkbook.from_path(str(out))
    rows = book.get_sheet_by_name("Systems").to_python(skip_empty_area=False)
    header = rows[0]
    frame = pd.DataFrame(rows[1:], columns=header)
    erp = frame.loc[frame["System"] == "Corporate ERP"]
    assert len(erp) == 1
    assert erp["Capability"].iloc[0] == "Finance and ERP; HR and payroll; Procurement and contract management"
    assert float(erp["Annual cost"].iloc[0]) == 90_000.0
    assert pd.to_numeric(frame["Annual cost"]).sum() == pytest.approx(RUN_COST)
    summary = {r[0]: r[1] for r in book.get_sheet_by_name("Summary").to_python() if r}
    assert float(summary["Annual run cost"]) == pytest.approx(RUN_COST)


def test_row_order_does_not_change_the_plan(plan, tmp_path):
    again = estate.make_plan(write_place(tmp_path / "reversed", list(reversed(ROWS))))
    columns = ["option_id", "capability_code", "target", "systems_retired", "run_cost_before", "annual_saving",
               "npv"]
    key = dict(zip(plan.matched["system"], plan.matched["system_key"], strict=True))
    rekey = {v: key[s] for s, v in zip(again.matched["system"], again.matched["system_key"], strict=True)}
    theirs = again.options.options[columns].copy()
    theirs["target"] = theirs["target"].map(rekey)
    theirs["systems_retired"] = theirs["systems_retired"].map(
        lambda text: "; ".join(sorted(rekey[k] for k in text.split("; "))) if text else text)
    ours = plan.options.options[columns].copy()
    ours["systems_retired"] = ours["systems_retired"].map(
        lambda text: "; ".join(sorted(text.split("; "))) if text else text)
    pd.testing.assert_frame_equal(ours.sort_values(["capability_code", "target"]).reset_index(drop=True),
                                  theirs.sort_values(["capability_code", "target"]).reset_index(drop=True),
                                  check_exact=False, rtol=1e-9)
    ids = lambda p: sorted(p.portfolio.chosen["option_id"] if isinstance(p.portfolio.chosen, pd.DataFrame)  # noqa: E731
                           else p.portfolio.chosen)
    assert len(ids(plan)) == len(ids(again))


def test_generate_options_takes_a_matched_frame_with_several_capabilities():
    matched = pd.DataFrame({
        "system_key": ["C/erp", "A/hr", "B/hr"], "organisation": ["C", "A", "B"],
        "capability_code": ["CORP-FIN", "CORP-HR", "CORP-HR"],
        "capability_codes": ["CORP-FIN;CORP-HR", "CORP-HR", "CORP-HR"],
        "product_id": ["oracle-ebs", "itrent", "resourcelink"],
        "product_name": ["Oracle E-Business Suite", "iTrent", "ResourceLink"],
        "users": [50.0, 28.0, 30.0], "annual_cost": [90_000.0, 40_000.0, 50_000.0]})
    result = generate_options(matched, assumptions=load_assumptions())
    o = result.options
    hr = o.loc[(o["target"] == "C/erp") & (o["capability_code"] == "CORP-HR")]
    assert len(hr) == 1 and hr["systems_retired"].iloc[0] == "A/hr; B/hr"
    # iTrent cannot take the ERP: the ERP stays in the HR options built on iTrent.
    itrent = o.loc[(o["target"] == "A/hr") & (o["capability_code"] == "CORP-HR")]
    assert itrent["systems_retired"].iloc[0] == "B/hr"
    assert "stays: it also runs Finance and ERP, which iTrent does not" in itrent["rationale"].iloc[0]


def test_an_option_names_the_jobs_that_move_with_the_systems_it_retires_whole(monkeypatch):
    # Two Microsoft 365 tenancies, each serving three jobs: an option grouped by one job moves the whole
    # tenancy, so its name says what else moves (before, the Cumbria sample's option moving them read "Video
    # conferencing" for three councils' tenancies moved onto the fire service's). Codes are unchanged.
    matched = pd.DataFrame({
        "system_key": ["A/m365", "B/o365", "B/zoom"], "organisation": ["A", "B", "B"],
        "capability_code": ["XC-COLLAB", "XC-COLLAB", "XC-VIDEO"],
        "capability_codes": ["XC-COLLAB;XC-VIDEO;XC-INTRANET", "XC-COLLAB;XC-VIDEO;XC-INTRANET", "XC-VIDEO"],
        "product_id": ["microsoft-365", "microsoft-365", "zoom"],
        "product_name": ["Microsoft 365", "Microsoft 365", "Zoom"],
        "users": [600.0, 300.0, 40.0], "annual_cost": [200_000.0, 120_000.0, 6_000.0]})
    o = generate_options(matched, assumptions=load_assumptions()).options.set_index(["capability_code", "target"])
    assert o.loc[("XC-VIDEO", "A/m365"), "systems_retired"] == "B/o365; B/zoom"
    assert o.loc[("XC-VIDEO", "A/m365"), "capability_name"] == \
        "Video conferencing (with Collaboration and office productivity, Intranet)"
    # Grouped by intranet, the move is the collaboration one (B's tenancy alone, whole): listed once, under the
    # earlier id, whose rationale names the other capability.
    assert ("XC-INTRANET", "A/m365") not in o.index
    collab = o.loc[("XC-COLLAB", "A/m365")]
    assert collab["capability_name"] == "Collaboration and office productivity (with Video conferencing, Intranet)"
    assert collab["systems_retired"] == "B/o365"
    assert collab["rationale"].endswith(" It is also the option for Intranet, listed once.")
    # Without the rule, the intranet option is there: the same system retired, the same figures.
    import estate.options

    monkeypatch.setattr(estate.options, "_copies", lambda options, members, names: np.zeros(len(options), dtype=bool))
    every = generate_options(matched, assumptions=load_assumptions()).options.set_index(["capability_code", "target"])
    numbers = ["run_cost_before", "run_cost_after", "annual_saving", "one_off_cost", "npv"]
    intranet = every.loc[("XC-INTRANET", "A/m365")]
    assert intranet["systems_retired"] == "B/o365"
    assert intranet[numbers].tolist() == every.loc[("XC-COLLAB", "A/m365"), numbers].tolist()
    assert len(every) == len(o) + 1
    # An option retiring only single-job systems keeps its plain name.
    assert o.loc[("XC-VIDEO", "B/o365"), "systems_retired"] == "B/zoom"
    assert o.loc[("XC-VIDEO", "B/o365"), "capability_name"] == "Video conferencing"


@pytest.mark.parametrize("place_name", ["cumbria", "surrey"])
def test_sample_never_retires_a_multi_capability_system_onto_a_survivor_lacking_one(place_name):
    from estate.fit import fit_profiles

    plan = estate.make_plan(Path(__file__).resolve().parents[1] / "inventories" / place_name)
    matched = plan.matched.set_index("system_key")
    served = matched["capability_codes"].map(codes_of)
    assert (served.map(len) > 1).sum() > 0  # the sample has such systems ("Finance/HR/Payroll", suites)
    profiles = fit_profiles(plan.matched.reset_index(drop=True))
    jobs = pd.Series(profiles["jobs"].to_numpy(), index=plan.matched["system_key"].to_numpy())
    chosen = set(plan.portfolio.chosen["option_id"]) if isinstance(plan.portfolio.chosen, pd.DataFrame) \
        else set(plan.portfolio.chosen)
    e = plan.options.effects
    e = e.loc[e["option_id"].isin(chosen) & ~e["system_key"].str.startswith("site:")]
    survivors = e.loc[e["effect"] == "survive"].set_index("option_id")["system_key"]
    retired = e.loc[(e["effect"] == "retire") & e["option_id"].isin(survivors.index)]
    checked = 0
    for option_id, key in zip(retired["option_id"], retired["system_key"], strict=True):
        codes = served[key]
        if len(codes) < 2:
            continue
        survivor = survivors[option_id]
        if matched.at[key, "product_id"] == matched.at[survivor, "product_id"]:
            continue  # the same product does each job
        mine = jobs[key]
        does = set(jobs[survivor]) | set(served[survivor])
        for code in codes:
            job = code if code in mine else (mine[0] if mine else code)
            assert job in does, (option_id, key, code, survivor)
        checked += 1
    assert np.isfinite(checked)


def test_capability_names_one_rule_for_options_and_overlaps():
    """The matching's name (the alphabetically first where rows disagree, whatever their order), else the
    taxonomy's, else the code; every code a system serves, sorted."""
    frame = pd.DataFrame({
        "system_key": ["a", "b", "c", "d"],
        "capability_code": ["CORP-HR", "CORP-HR", "CORP-FIN", None],
        "capability_name": ["Payroll and people", "HR (ours)", None, "Orphan name"],
        "capability_codes": ["CORP-HR;LOCAL-1", "CORP-HR", "CORP-FIN", None],
    })
    expected = {"CORP-FIN": "Finance and ERP", "CORP-HR": "HR (ours)", "LOCAL-1": "LOCAL-1"}
    assert capability_names(frame).to_dict() == expected
    assert capability_names(frame.iloc[::-1]).to_dict() == expected
    assert capability_names(frame, codes=["LOCAL-1", "CORP-HR", "NHS-EPR"]).tolist() == [
        "LOCAL-1", "HR (ours)", "Electronic patient record and PAS"]
