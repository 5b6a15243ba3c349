"""Reorganisation: successor columns, their data issues, boundaries, vesting and divided systems."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest

import estate
from estate.reorganisation import check_reorganisation, system_successors
from estate.template import write_template

ORGANISATIONS = """Organisation,Short name,Successor,Vesting date
Shire County Council,Shire,North Shire Council; South Shire Council,01/04/2028
Northtown District Council,Northtown,North Shire Council,01/04/2028
Southtown District Council,Southtown,South Shire Council,01/04/2028
"""

SYSTEMS = """Organisation,System,Product,Capability,Annual cost,Contract end,Successor,Shared with,Data partitioning
Shire,Adult social care,Liquidlogic Adults,Adult social care,400000,31/03/2029,,,monolithic
Shire,Highways,Confirm,Highways,100000,31/03/2028,North Shire Council,,segmented
Northtown,Revenues,Capita Academy,Revenues and benefits,90000,31/03/2027,,Southtown,
Southtown,Finance,Unit4,Finance,50000,31/03/2030,South Shire Council,,single database
"""


def _place(folder: Path, organisations: str = ORGANISATIONS, systems: str = SYSTEMS) -> Path:
    (folder / "organisations.csv").write_text(organisations, encoding="utf-8")
    (folder / "systems.csv").write_text(systems, encoding="utf-8")
    return folder


def _reorg_issues(inventory: estate.Inventory) -> pd.DataFrame:
    issues = inventory.issues
    return issues[issues["column"].isin(["successor", "shared_with", "vesting_date"])]


def test_columns_are_read(tmp_path):
    inv = estate.read_inventory(_place(tmp_path))
    systems = inv.systems.set_index("system")
    assert systems.loc["Highways", "successor"] == "North Shire Council"
    assert systems.loc["Revenues", "shared_with"] == "Southtown"
    assert systems.loc["Adult social care", "data_partitioning"] == "monolithic"
    assert systems.loc["Finance", "data_partitioning"] == "monolithic"  # 'single database' is a synonym
    assert systems.loc["Highways", "data_partitioning"] == "segmented"
    orgs = inv.organisations.set_index("organisation")
    assert orgs.loc["Shire County Council", "successor"] == "North Shire Council; South Shire Council"
    assert orgs.loc["Shire County Council", "vesting_date"] == pd.Timestamp("2028-04-01")
    assert _reorg_issues(inv).empty  # a clean reorganisation has no data issue


def test_divided_and_shared_systems(tmp_path):
    inv = estate.read_inventory(_place(tmp_path))
    table = system_successors(inv.systems, inv.organisations).set_index("system_key")
    county = "Shire County Council/"
    # The divided county's system with no successor of its own goes to both.
    assert table.loc[county + "Adult social care", "successors"] == "North Shire Council; South Shire Council"
    assert table.loc[county + "Adult social care", "divided"]
    # Its own successor overrides the county's two.
    assert table.loc[county + "Highways", "successors"] == "North Shire Council"
    assert not table.loc[county + "Highways", "divided"]
    # A shared instance between districts going different ways is divided; the sharer's short name is read.
    revenues = table.loc["Northtown District Council/Revenues"]
    assert revenues["divided"] and revenues["shared"]
    assert revenues["sharers"] == "Southtown District Council"
    assert revenues["host"] == "North Shire Council"
    assert not table.loc["Southtown District Council/Finance", "divided"]


def test_system_successor_not_of_its_organisation(tmp_path):
    systems = SYSTEMS.replace("Southtown,Finance,Unit4,Finance,50000,31/03/2030,South Shire Council",
                              "Southtown,Finance,Unit4,Finance,50000,31/03/2030,North Shire Council")
    issues = _reorg_issues(estate.read_inventory(_place(tmp_path, systems=systems)))
    assert len(issues) == 1
    row = issues.iloc[0]
    assert (row["source_file"], row["source_row"], row["column"], row["severity"]) == (
        "systems.csv", 5, "successor", "warning")
    assert "North Shire Council is not one of its organisation's successors (South Shire Council)" in row["problem"]


def test_two_vesting_dates_for_one_successor(tmp_path):
    organisations = ORGANISATIONS.replace("Southtown District Council,Southtown,South Shire Council,01/04/2028",
                                          "Southtown District Council,Southtown,South Shire Council,01/04/2027")
    issues = _reorg_issues(estate.read_inventory(_place(tmp_path, organisations=organisations)))
    # The county and Southtown both name South Shire, with different dates: both rows are reported.
    assert sorted(issues["source_row"].tolist()) == [2, 4]
    assert set(issues["problem"]) == {"successor South Shire Council is given 2 vesting dates: 01/04/2027, 01/04/2028"}
    assert set(issues["column"]) == {"vesting_date"}


def test_sharer_that_is_not_an_organisation(tmp_path):
    systems = SYSTEMS.replace(",Southtown,\n", ",Southtown; Nowhere Council,\n")
    issues = _reorg_issues(estate.read_inventory(_place(tmp_path, systems=systems)))
    assert issues[["source_row", "column", "problem"]].values.tolist() == [
        [4, "shared_with", "shared with an organisation that is not in the inventory: Nowhere Council"]]


def test_past_vesting_date_is_valid(tmp_path):
    organisations = ORGANISATIONS.replace("01/04/2028", "01/04/2023")
    inv = estate.read_inventory(_place(tmp_path, organisations=organisations))
    assert _reorg_issues(inv).empty


def test_check_without_reorganisation_columns():
    systems = pd.DataFrame({"source_file": "a.csv", "source_sheet": "", "source_row": [2],
                            "organisation": ["A"], "system": ["x"]})
    assert check_reorganisation(None, systems).empty
    assert check_reorganisation(pd.DataFrame({"organisation": ["A"]}), systems).empty


def test_template_has_reorganisation_drop_downs(tmp_path):
    path = write_template(tmp_path / "collection.xlsx")
    book = openpyxl.load_workbook(path)
    headers = [c.value for c in book["Systems"][1]]
    for name in ("successor", "shared_with", "data_partitioning"):
        assert name in headers
    organisations = [c.value for c in book["Organisations"][1]]
    assert organisations[:1] == ["organisation"] and "successor" in organisations and "vesting_date" in organisations
    successor_col = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[organisations.index("successor")]

    def source(header: str) -> str:
        letter = openpyxl.utils.get_column_letter(headers.index(header) + 1)
        for dv in book["Systems"].data_validations.dataValidation:
            if any(str(r).startswith(f"{letter}2") for r in dv.sqref.ranges):
                return dv.formula1
        raise AssertionError(header)

    assert source("successor") == f"Organisations!${successor_col}$2:${successor_col}$2001"
    assert source("shared_with") == "Organisations!$A$2:$A$2001"
    assert source("data_partitioning") == '"segmented,monolithic"'


# --------------------------------------------------------------------------- #
# Merger scenarios with one, two and three successors (CONTRACT §4, issue #11's bars)
# --------------------------------------------------------------------------- #

PRODUCTS = {  # capability: (product a, product b), by which councils run them
    "Finance": ("Unit4 ERP", "Oracle E-Business Suite"),
    "Revenues and benefits": ("Capita Academy", "Civica OpenRevenues"),
    "Human resources and payroll": ("MHR iTrent", "Zellis ResourceLink"),
    "Planning and building control": ("Idox Uniform", "Northgate Assure"),
    "Waste management": ("Bartec Collective", "Whitespace Work Software"),
}
COUNTY_ONLY = {"Adult social care": "Liquidlogic Adults", "Highways": "Yotta Alloy",
               "Children's social care": "Liquidlogic Children's"}


def _scenario(folder: Path, councils: dict[str, str], *, vesting: str = "01/04/2028", county: str | None = None,
              shared: tuple[str, str] | None = None, monolithic: bool = True, contract_end: str = "31/03/2031",
              expired: tuple[str, ...] = (), critical: bool = True) -> Path:
    """A place: each council (name -> successors) runs every district capability; the county its own too.

    Councils alternate between the two products of a capability, so that options are plentiful; users and
    costs grow with the council's position so that every figure differs.
    """
    orgs = ["Organisation,Successor,Vesting date"]
    rows = ["Organisation,System,Product,Capability,Users,Annual cost,Contract end,Notice months,Criticality,"
            "Shared with,Data partitioning"]
    for i, (name, successor) in enumerate(councils.items()):
        orgs.append(f"{name},{successor},{vesting}")
        capabilities = dict(PRODUCTS)
        for j, (capability, products) in enumerate(capabilities.items()):
            product = products[(i + j) % 2]
            users = 40 + 15 * i + 5 * j
            cost = 250_000 + 20_000 * i + 10_000 * j
            end = "31/03/2026" if capability in expired else contract_end
            crit = "critical" if critical and capability == "Revenues and benefits" else "medium"
            share = ""
            if shared is not None and name == shared[0] and capability == "Revenues and benefits":
                share = shared[1]
            if shared is not None and name == shared[1] and capability == "Revenues and benefits":
                continue  # the sharer uses the host's instance
            rows.append(f"{name},{capability} system,{product},{capability},{users},{cost},{end},6,{crit},{share},"
                        f"{'monolithic' if monolithic else 'segmented'}")
        if name == county:
            for k, (capability, product) in enumerate(COUNTY_ONLY.items()):
                rows.append(f"{name},{capability} system,{product},{capability},{900 + 50 * k},{400_000 + 50_000 * k},"
                            f"{contract_end},12,critical,,{'monolithic' if k == 0 else 'segmented'}")
    (folder / "organisations.csv").write_text("\n".join(orgs) + "\n", encoding="utf-8")
    (folder / "systems.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


TWO = "North Shire Council; South Shire Council"
SCENARIOS = {
    "county absorbing its districts": dict(councils={
        "Shire County Council": "Shire Council", "Ayton District Council": "Shire Council",
        "Beeton District Council": "Shire Council", "Ceeton District Council": "Shire Council"},
        county="Shire County Council"),
    "two successors from one county": dict(councils={
        "Shire County Council": TWO, "Ayton District Council": "North Shire Council",
        "Beeton District Council": "North Shire Council", "Ceeton District Council": "South Shire Council",
        "Deeton District Council": "South Shire Council"}, county="Shire County Council"),
    "three successors from one county": dict(councils={
        "Shire County Council": "North Shire Council; South Shire Council; West Shire Council",
        "Ayton District Council": "North Shire Council", "Beeton District Council": "North Shire Council",
        "Ceeton District Council": "South Shire Council", "Deeton District Council": "South Shire Council",
        "Eeton District Council": "West Shire Council", "Feeton District Council": "West Shire Council"},
        county="Shire County Council"),
    "councils unwinding a shared service": dict(councils={
        "Ayton District Council": "North Shire Council", "Beeton District Council": "North Shire Council",
        "Ceeton District Council": "South Shire Council", "Deeton District Council": "South Shire Council"},
        shared=("Beeton District Council", "Ceeton District Council")),
    "distressed council with expired contracts": dict(councils={
        "Shire County Council": TWO, "Ayton District Council": "North Shire Council",
        "Beeton District Council": "South Shire Council", "Ceeton District Council": "North Shire Council"},
        county="Shire County Council",
        expired=("Finance", "Human resources and payroll"), contract_end="30/09/2027"),
}


DECIDED = estate.load_assumptions(decisions_as_of="2026-12-07")  # the day the plans are made, fixed for the tests


@pytest.fixture(scope="module")
def scenario_plans(tmp_path_factory):
    plans = {}
    for name, spec in SCENARIOS.items():
        folder = tmp_path_factory.mktemp(name.replace(" ", "-"))
        plans[name] = estate.make_plan(_scenario(folder, **spec), assumptions=DECIDED)
    return plans


def _successors_of_options(plan) -> pd.Series:
    """For each recommended option, the successors its systems go to (computed here from the inputs)."""
    orgs = plan.inventory.organisations.set_index("organisation")["successor"]
    systems = plan.matched.set_index("system_key")
    effects = plan.options.effects[plan.options.effects["option_id"].isin(plan.recommended)]
    out = {}
    for option_id, block in effects.groupby("option_id"):
        names: set[str] = set()
        for key, org in zip(block["system_key"], block["organisation"], strict=True):
            own = systems.loc[key, "successor"] if key in systems.index else None
            cell = own if isinstance(own, str) and own else orgs.get(org)
            names |= {n.strip() for n in str(cell).split(";")} if isinstance(cell, str) else set()
            sharers = systems.loc[key, "shared_with"] if key in systems.index else None
            if isinstance(sharers, str):
                for sharer in sharers.split(";"):
                    names |= {n.strip() for n in str(orgs.get(sharer.strip(), "")).split(";") if n.strip()}
        out[option_id] = names
    return pd.Series(out, dtype=object)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_no_recommended_option_spans_two_successors(scenario_plans, name):
    plan = scenario_plans[name]
    assert plan.recommended, "the scenario should give the plan something to recommend"
    spans = _successors_of_options(plan)
    assert (spans.map(len) <= 1).all(), spans[spans.map(len) > 1].to_dict()


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_divided_and_shared_systems_are_never_kept(scenario_plans, name):
    plan = scenario_plans[name]
    table = plan.systems_table()
    orgs = plan.inventory.organisations.set_index("organisation")["successor"]
    divided_orgs = {o for o, s in orgs.items() if ";" in str(s)}
    # Computed from the inputs: a divided council's system, or a shared instance across successors.
    divided = table["organisation"].isin(divided_orgs) & table["successor"].isna()
    if "shared_with" in table:
        sharer = table["shared_with"].map(lambda s: orgs.get(s) if isinstance(s, str) else None)
        divided |= sharer.notna() & sharer.ne(table["organisation"].map(orgs))
    expected = {"two successors from one county": 8, "three successors from one county": 8,
                "councils unwinding a shared service": 1, "distressed council with expired contracts": 8,
                "county absorbing its districts": 0}[name]
    assert int(divided.sum()) == expected
    assert not table.loc[divided, "fate"].eq("Keep").any()
    assert set(table.loc[divided, "fate"]) <= {"Split", "Retire"}


def test_single_successor_merger_plans_as_before(tmp_path):
    spec = SCENARIOS["county absorbing its districts"]
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with_successor = estate.make_plan(_scenario(tmp_path / "a", **spec, vesting="01/04/2023"))
    folder = _scenario(tmp_path / "b", **spec, vesting="01/04/2023")
    (folder / "organisations.csv").unlink()  # the same councils with no reorganisation at all
    without = estate.make_plan(folder)
    columns = ["option_id", "type", "target", "partners", "systems_retired", "annual_saving", "one_off_cost", "npv"]
    a = with_successor.options_table()[columns + ["recommended"]]
    b = without.options_table()[columns + ["recommended"]]
    pd.testing.assert_frame_equal(a, b)
    assert with_successor.reorganisation.excluded.empty
    assert with_successor.vesting().empty  # vesting is past
    assert set(with_successor.systems_table()["fate"]) == set(without.systems_table()["fate"])


def _notice_by(end: pd.Timestamp, months: int) -> pd.Timestamp:
    return end - pd.DateOffset(months=months)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_every_contract_decision_before_vesting_is_on_the_vesting_sheet(scenario_plans, name):
    plan = scenario_plans[name]
    start = pd.Timestamp(plan.assumptions.decisions_as_of)  # "still ahead" of the day the plan is made
    vesting = plan.inventory.organisations.set_index("organisation")["vesting_date"]
    expected = set()
    for r in plan.inventory.systems.itertuples():  # by hand: notice due, or the end, before a vesting still ahead
        day = vesting.get(r.organisation)
        if pd.isna(day) or day <= start or pd.isna(r.contract_end):
            continue
        notice = 6 if pd.isna(r.notice_months) else int(r.notice_months)
        if _notice_by(r.contract_end, notice) < day or r.contract_end < day:
            expected.add((r.organisation, r.system, r.contract_end))
    sheet = plan.vesting()
    listed = set(zip(sheet["organisation"], sheet["system"], sheet["contract_end"], strict=True))
    assert listed == expected
    if name == "distressed council with expired contracts":
        assert len(expected) == 4 * 5 + 3  # every contract ends before vesting (30/09/2027); the county's 3 too
        expired = sheet[sheet["status"] == "expired"]
        assert len(expired) == 2 * 4  # finance and HR expired in 2026 at each of the four councils
        assert expired["decision"].str.startswith("Expired on 31/03/2026").all()
        issues = plan.issues()
        flagged = issues[issues["problem"].str.startswith("contract already expired")]
        assert len(flagged) == 8 and set(flagged["column"]) == {"contract_end"}
        assert set(flagged["severity"]) == {"warning"}
    if name == "county absorbing its districts":  # contracts end 2031, notice 6 or 12 months: nothing before 2028
        assert sheet.empty


def test_vesting_decisions_by_hand():
    orgs = pd.DataFrame({"organisation": ["Eden", "Fell"], "successor": ["East", "East"],
                         "vesting_date": pd.to_datetime(["2028-04-01", "2026-04-01"])})
    systems = pd.DataFrame({
        "system_key": ["Eden/a", "Eden/b", "Eden/c", "Eden/d", "Eden/e", "Fell/a"],
        "organisation": ["Eden"] * 5 + ["Fell"], "system": ["a", "b", "c", "d", "e", "a"],
        "contract_end": pd.to_datetime(["2026-12-31", "2027-06-30", "2028-01-31", "2028-09-30", "2028-10-31",
                                        "2026-12-31"]),
        "notice_months": [3.0, 3.0, 3.0, 6.0, 6.0, 3.0],
        "criticality": ["low", "low", "low", "critical", "low", "low"]})
    from estate.reorganisation import vesting_decisions

    v = vesting_decisions(systems, orgs, as_of=pd.Timestamp("2027-04-01"), default_notice_months=6,
                          options_of_system=pd.Series({"Eden/b": "SP-001"}))
    got = v.set_index("system")
    # e: notice by 30/04/2028, after vesting: not listed. Fell's vesting is past: nothing listed for it.
    assert list(got.index) == ["a", "b", "c", "d"]
    assert got.loc["a", "status"] == "expired"
    assert got.loc["b", "status"] == "notice passed"  # notice by 30/03/2027, before the plan's first day
    assert got.loc["b", "notice_by"] == pd.Timestamp("2027-03-30")
    assert got.loc["b", "decision"].startswith("Include in option SP-001: its notice date (30/03/2027) has passed")
    assert got.loc["c", "status"] == "ends before vesting"
    assert got.loc["d", "status"] == "notice due before vesting"
    assert got.loc["d", "notice_by"] == pd.Timestamp("2028-03-30")
    assert got.loc["d", "decision"].startswith("Day-one critical: extend to carry over vesting (01/04/2028)")


def test_critical_systems_are_not_retired_around_vesting(tmp_path):
    spec = dict(SCENARIOS["two successors from one county"])
    # Contracts ending in March 2028 retire at vesting (1 April 2028): inside the six-month window, when the
    # predecessors act jointly before vesting (their options start on the plan's first day).
    folder = _scenario(tmp_path, **spec, contract_end="31/03/2028")
    plan = estate.make_plan(folder, assumptions=estate.load_assumptions(decisions_as_of="2026-12-07",
                                                                        predecessors_act_jointly="yes"))
    excluded = plan.reorganisation.excluded
    critical = excluded[excluded["reason"].str.startswith("retires day-one critical")]
    assert len(critical)
    assert not set(critical["option_id"]) & set(plan.options.options["option_id"])
    effects = plan.options.effects
    crit = set(plan.matched.loc[plan.matched["criticality"].eq("critical"), "system_key"])
    retiring = effects[effects["effect"].eq("retire") & effects["system_key"].isin(crit)]
    window = pd.DateOffset(months=6)
    day = pd.Timestamp("2028-04-01")
    assert not retiring["retire_date"].between(day - window, day + window).any()
    # Held to vesting (the default), the same options retire a year later, outside the window: none is dropped.
    held = estate.make_plan(folder, assumptions=DECIDED)
    assert not held.reorganisation.excluded["reason"].str.startswith("retires day-one critical").any()
    assert set(critical["option_id"]) <= set(held.options.options["option_id"])
    effects = held.options.effects
    retiring = effects[effects["effect"].eq("retire") & effects["system_key"].isin(crit)]
    assert len(retiring) and not pd.to_datetime(retiring["retire_date"]).between(day - window, day + window).any()


def test_shared_service_across_successors_is_allowed_by_an_assumption(tmp_path):
    folder = _scenario(tmp_path, **SCENARIOS["councils unwinding a shared service"])
    off = estate.make_plan(folder, assumptions=DECIDED)
    on = estate.make_plan(folder, assumptions=estate.load_assumptions(shared_service_across_successors="yes",
                                                                      decisions_as_of="2026-12-07"))
    assert "shared service" not in set(off.options.options["type"])
    across = on.options.options[on.options.options["rationale"].str.contains("across successors")]
    assert len(across) and len(across) == len(off.reorganisation.excluded)
    shared = across[across["type"] == "shared service"]  # a joint procurement across them stays one: nobody hosts
    assert set(across["type"]) == {"shared service", "joint procurement"}
    platforms = shared[shared["type"].ne("joint procurement") & shared["rationale"].str.contains(" pay ")]
    assert len(platforms) and platforms["rationale"].str.contains("hosts and the others buy the service").all()
    terms = on.reorganisation.services.set_index("option_id")
    for option, r in platforms.set_index("option_id").iterrows():  # the end date: 3 years from its start, less a day
        t = terms.loc[option]
        end = pd.Timestamp(year=int(t["start_year"]) + 3, month=4, day=1) - pd.Timedelta(days=1)
        assert t["end_date"] == end and t["renewal_year"] == t["start_year"] + 3
        assert f"to {end:%d/%m/%Y}" in r["rationale"] and "re-contract" in r["rationale"]
    assert on.reorganisation.excluded.empty


SHARED_ON = dict(shared_service_across_successors="yes", decisions_as_of="2026-12-07")


@pytest.fixture(scope="module")
def shared_plans(tmp_path_factory):
    """The shared-service scenario with shared services allowed: as is, free of charge, renewal past the horizon."""
    folder = _scenario(tmp_path_factory.mktemp("shared"), **SCENARIOS["councils unwinding a shared service"])
    return {name: estate.make_plan(folder, assumptions=estate.load_assumptions(**SHARED_ON, **extra))
            for name, extra in (("plan", {}), ("free", {"shared_service_charge": 0.0}),
                                ("long", {"shared_service_years": 20}))}


def test_shared_service_charge_moves_partner_shares_not_totals(shared_plans):
    """Buyers pay the host 10% of their share of the run cost after, every year from the start; it nets to zero."""
    plan, free = shared_plans["plan"], shared_plans["free"]
    assert plan.recommended == free.recommended  # the charge moves no option's figures, so not the portfolio
    successor = plan.inventory.organisations.set_index("organisation")["successor"]  # each district goes wholly
    table = plan.options.options.set_index("option_id")
    effects = plan.options.effects
    shares = plan.options.partner_shares.set_index(["option_id", "organisation"])
    shares_free = free.options.partner_shares.set_index(["option_id", "organisation"])
    r, h, first = plan.assumptions.discount_rate, plan.assumptions.horizon_years, plan.assumptions.first_year
    checked = 0
    for option in plan.recommended:
        if table.loc[option, "type"] != "shared service":
            continue
        survivor = effects[(effects["option_id"] == option) & (effects["effect"] == "survive")]
        if not len(survivor):
            continue
        host = successor[survivor["organisation"].iloc[0]]
        mine = shares.loc[option]
        roles = pd.Series({org: "host" if successor[org] == host else "buyer" for org in mine.index})
        if not (roles == "buyer").any():
            continue
        w = mine["cost_share"]
        after = table.loc[option, "run_cost_after"]
        paid = 0.1 * w[roles == "buyer"] * after  # by hand: 10% of each buyer's share of the run cost after
        received = paid.sum() * w[roles == "host"] / w[roles == "host"].sum()
        expected = pd.concat([-paid, received]).reindex(mine.index)
        assert np.allclose(mine["service_charge"], expected, atol=1e-6)
        assert list(mine["service_role"]) == list(roles)
        assert mine["service_charge"].sum() == pytest.approx(0.0, abs=1e-6)
        start = int(table.loc[option, "start_year"]) - first
        factor = sum(1 / (1 + r) ** t for t in range(start, h))  # the charge runs from the start to the horizon
        before = shares_free.loc[option]
        assert np.allclose(mine["annual_saving"] - before["annual_saving"], expected, atol=1e-6)
        assert np.allclose(mine["npv"] - before["npv"], expected * factor, atol=1e-4)
        assert plan.reorganisation.services.set_index("option_id").loc[option, "service_charge"] == \
            pytest.approx(paid.sum())
        checked += 1
    assert checked >= 2
    # The portfolio's totals do not move; the partners' rows still add up to them, and each partner's figures move.
    for key in ("Recommended annual saving", "One-off cost", "NPV"):
        assert plan.headline()[key] == pytest.approx(free.headline()[key], rel=1e-12)
    p, q = plan.partners.partners.set_index("organisation"), free.partners.partners.set_index("organisation")
    chosen = table.loc[list(plan.recommended)]
    for column, total in (("annual_saving", "annual_saving"), ("npv", "npv"), ("one_off_cost", "one_off_cost")):
        assert p[column].sum() == pytest.approx(chosen[total].sum(), rel=1e-12), column
    assert not np.allclose(p["npv"], q["npv"]) and not np.allclose(p["annual_saving"], q["annual_saving"])
    s, t = plan.successors().set_index("successor"), free.successors().set_index("successor")
    assert not np.allclose(s["npv"], t["npv"])  # each successor's view moves, its sum does not
    assert s["npv"].sum() == pytest.approx(t["npv"].sum(), rel=1e-12)


def test_shared_service_renewal_after_the_end_date_is_costed(shared_plans):
    """At the end date the buyers re-contract: vendor_management_per_contract a buyer successor, after bias."""
    plan, long = shared_plans["plan"], shared_plans["long"]
    a = plan.assumptions
    terms = plan.reorganisation.services.set_index("option_id")
    later = long.reorganisation.services.set_index("option_id")
    flows = plan.options.cash_flows.set_index(["option_id", "year"])
    flows_long = long.options.cash_flows.set_index(["option_id", "year"])
    checked = 0
    for option, t in terms.iterrows():
        if not t["n_buyers"] or later.loc[option, "start_year"] != t["start_year"]:
            continue
        renewal = int(t["renewal_year"])
        assert renewal == t["start_year"] + 3
        extra = flows.loc[option, "costs"] - flows_long.loc[option, "costs"]
        amount = 3_000.0 * t["n_buyers"] * a.cost_factor  # by hand: one renewal a buyer successor, after bias
        if renewal < a.first_year + a.horizon_years:
            assert extra.loc[renewal] == pytest.approx(amount)
            assert t["renewal_cost"] == pytest.approx(amount)
            npv_gap = long.options.options.set_index("option_id").loc[option, "npv"] - \
                plan.options.options.set_index("option_id").loc[option, "npv"]
            assert npv_gap == pytest.approx(amount / (1 + a.discount_rate) ** (renewal - a.first_year))
            checked += 1
        assert np.allclose(extra.drop(index=renewal, errors="ignore"), 0.0, atol=1e-6)
    assert checked >= 2


def test_shared_service_workbook_recalculates(shared_plans, tmp_path):
    plan = shared_plans["plan"]
    path = plan.write(tmp_path / "plan.xlsx")
    book = openpyxl.load_workbook(path)
    assert "Shared services" in book.sheetnames
    again = _recalculate(path, tmp_path)
    for sheet, columns in (("Partner shares", ("Service charge a year", "PV of service charge", "Annual saving",
                                               "NPV", "Cashable saving")),
                           ("Partners", ("Annual saving", "NPV", "Cashable saving", "Non-cashable saving")),
                           ("Shared services", ("Renewal cost before bias", "Service charge a year")),
                           ("Cash flows", ("Costs", "Net")), ("Options", ("One-off cost", "NPV"))):
        stored = pd.read_excel(path, sheet_name=sheet, engine="openpyxl")
        recalculated = pd.read_excel(again, sheet_name=sheet, engine="openpyxl")
        for column in columns:
            assert np.allclose(recalculated[column].astype(float).fillna(0), stored[column].astype(float).fillna(0),
                               atol=0.01), (sheet, column)
    services = pd.read_excel(path, sheet_name="Shared services", engine="openpyxl")
    assert book["Shared services"]["K2"].value.startswith("=") or book["Shared services"]["L2"].value.startswith("=")
    partners = pd.read_excel(path, sheet_name="Partners", engine="openpyxl")
    options = pd.read_excel(path, sheet_name="Options", engine="openpyxl")
    chosen = options[options["Recommended"] == "Yes"]
    for column in ("Annual saving", "One-off cost", "NPV"):
        assert partners[column].sum() == pytest.approx(chosen[column].sum(), abs=0.01)
    assert len(services) == len(plan.reorganisation.services)


def test_divisions_costed_by_hand(scenario_plans):
    plan = scenario_plans["two successors from one county"]
    a = plan.assumptions
    table = plan.reorganisation.divisions
    row = table[(table["system"] == "Adult social care system")].set_index("method")
    cost, k, m = 400_000.0, 2, 2.0  # monolithic
    r, h, y = 0.035, 10, 3
    pv = lambda n: sum((1 + r) ** -t for t in range(n))  # noqa: E731
    cf = 1 + 2.0 * (1 - 0.5)  # the default optimism-bias cost factor (bias_mitigation 0.5)
    partition = (k - 1) * (0.5 * cost * m + 20_000) * cf
    assert row.loc["partition", "one_off_cost"] == pytest.approx(partition)
    assert row.loc["partition", "present_cost"] == pytest.approx(partition + 0.25 * cost * (k - 1) * pv(h))
    host = (k - 1) * (0.5 * cost * m / k + 20_000) * cf
    charge = 0.1 * cost * (k - 1) / k
    assert row.loc["host then migrate", "present_cost"] == pytest.approx(
        host / (1 + r) ** y + charge * pv(y) + 0.25 * cost * (k - 1) * (pv(h) - pv(y)))
    assert not row.loc["move each part", "available"]  # no district runs adult social care
    assert row["chosen"].sum() == 1
    assert row.loc[row["chosen"], "present_cost"].iloc[0] == row["present_cost"].min()
    # A county system whose capability every successor has elsewhere can move part by part.
    finance = table[table["system"] == "Finance system"].set_index("method")
    assert finance.loc["move each part", "available"]
    fin = finance.loc["move each part", "annual_cost"]
    fm = 2.0 if finance.loc["move each part", "data_partitioning"] == "monolithic" else 1.0
    one_off = (0.5 * fin * fm + k * 20_000) * cf
    assert finance.loc["move each part", "present_cost"] == pytest.approx(
        one_off - 0.2 * fin * a.saving_factor * pv(h))
    assert row.loc["host then migrate", "present_cost"] == pytest.approx(1_025_648, abs=1)  # docs/reorganisation.md


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_successor_view_adds_up_to_the_partners(scenario_plans, name):
    plan = scenario_plans[name]
    view = plan.successors()
    partners = plan.partners.partners
    for column in ("run_cost_today", "annual_saving", "one_off_cost", "npv"):
        assert view[column].sum() == pytest.approx(partners[column].sum(), abs=0.01), column
    chosen = plan.reorganisation.divisions
    chosen = chosen[chosen["chosen"]] if len(chosen) else chosen
    assert view["division_one_off"].sum() == pytest.approx(chosen["one_off_cost"].sum() if len(chosen) else 0)
    assert (view["run_cost_after"] == view["run_cost_today"] - view["annual_saving"]
            + view["division_annual_change"]).all()
    if name == "two successors from one county":
        north = view.set_index("successor").loc["North Shire Council"]
        systems = plan.matched
        ayton_beeton = systems[systems["organisation"].isin(["Ayton District Council", "Beeton District Council"])]
        county = systems[systems["organisation"] == "Shire County Council"]
        assert north["run_cost_today"] == pytest.approx(ayton_beeton["annual_cost"].sum()
                                                        + county["annual_cost"].sum() / 2)
        assert north["systems"] == len(ayton_beeton) and north["divided_systems"] == len(county)


def _recalculate(source: Path, out_dir: Path) -> Path:
    """``source`` recalculated by LibreOffice (the workbook tests' helper, with a private profile)."""
    from test_workbook import recalculate

    return recalculate([source], out_dir / "recalculated", out_dir / "profile")[0]


def test_workbook_reorganisation_sheets_recalculate(scenario_plans, tmp_path):
    plan = scenario_plans["distressed council with expired contracts"]
    path = plan.write(tmp_path / "plan.xlsx")
    book = openpyxl.load_workbook(path)
    assert {"Vesting", "Divided systems", "Successors"} <= set(book.sheetnames)
    vesting = pd.read_excel(path, sheet_name="Vesting", engine="openpyxl")
    assert list(vesting.columns[:5]) == ["Organisation", "System", "Contract end", "Notice by", "Decision"]
    assert len(vesting) == len(plan.vesting())
    systems = pd.read_excel(path, sheet_name="Systems", engine="openpyxl")
    assert "Split" in set(systems["Fate"])
    stored = pd.read_excel(path, sheet_name="Divided systems", engine="openpyxl")
    assert book["Divided systems"]["F2"].value.startswith("=")  # present cost is a formula
    again = pd.read_excel(_recalculate(path, tmp_path), sheet_name="Divided systems", engine="openpyxl")
    for column in ("Present cost", "One-off cost", "Annual cost change", "Service charge a year"):
        assert np.allclose(again[column].astype(float), stored[column].astype(float), atol=0.01, equal_nan=True), column
    assert np.allclose(stored["Present cost"].astype(float),
                       plan.reorganisation.divisions["present_cost"].astype(float), atol=0.01, equal_nan=True)
    successors = pd.read_excel(path, sheet_name="Successors", engine="openpyxl")
    partners = pd.read_excel(path, sheet_name="Partners", engine="openpyxl")
    recalculated = pd.read_excel(tmp_path / "recalculated" / "plan.xlsx", sheet_name="Successors", engine="openpyxl")
    assert book["Successors"]["H2"].value.startswith("=SUMIFS(")  # annual saving over Successor shares
    for column in ("Run cost today", "Annual saving", "One-off cost", "NPV", "Division one-off cost",
                   "Division annual cost change", "Run cost after"):
        assert np.allclose(recalculated[column].astype(float), successors[column].astype(float), atol=0.01), column
        if column in partners:
            assert successors[column].sum() == pytest.approx(partners[column].sum(), abs=0.01), column
    view = plan.successors()
    assert np.allclose(successors["Division one-off cost"], view["division_one_off"], atol=0.01)
    assert np.allclose(successors["Annual saving"], view["annual_saving"], atol=0.01)
    # Each successor's view on Partners too: beside the organisations, after a blank column, the same sums.
    again = pd.read_excel(tmp_path / "recalculated" / "plan.xlsx", sheet_name="Partners", engine="openpyxl")
    header = list(partners.columns)
    assert header[:2] == ["Organisation", "Successor"]
    gap = header.index("Successor authority") - 1
    assert header[gap].startswith("Unnamed") and partners.iloc[:, gap].isna().all()
    organisations = partners.loc[partners["Organisation"].notna()]
    assert len(organisations) == len(plan.partners.partners)
    successor_of = plan.inventory.organisations.set_index("organisation")["successor"]
    county = organisations.set_index("Organisation").loc["Shire County Council", "Successor"]
    assert county == "North Shire Council; South Shire Council (divided: 1/2 each)"
    for org, text in organisations.set_index("Organisation")["Successor"].items():
        assert text.split(" (divided")[0] == successor_of[org].replace(";", "; ").replace("  ", " ")
    block = partners.loc[partners["Successor authority"].notna()]
    rows, check = block.iloc[:-1], block.iloc[-1]
    assert check["Successor authority"].startswith("Check:")
    assert list(rows["Successor authority"]) == list(view["successor"])
    options = pd.read_excel(path, sheet_name="Options", engine="openpyxl")
    chosen = options[options["Recommended"] == "Yes"]
    for theirs, mine, total in (("Run cost today", "Inherited run cost", None),
                                ("Annual saving", "Successor annual saving", "Annual saving"),
                                ("One-off cost", "Successor one-off cost", "One-off cost"),
                                ("NPV", "Successor NPV", "NPV")):
        assert rows[mine].sum() == pytest.approx(organisations[theirs].sum(), abs=0.01), mine
        assert partners[mine].sum() == pytest.approx(partners[theirs].sum(), abs=0.01), mine  # check row adds 0
        assert check[mine] == pytest.approx(0.0, abs=0.01)
        if total:
            assert rows[mine].sum() == pytest.approx(chosen[total].sum(), abs=0.01), mine
        assert np.allclose(again[mine].astype(float).fillna(0), partners[mine].astype(float).fillna(0), atol=0.01)
    assert rows["Inherited run cost"].sum() == pytest.approx(plan.headline()["Annual run cost"], abs=0.01)
    for mine, column in (("Systems inherited", "systems"), ("Divided systems inherited", "divided_systems"),
                         ("Divided-system liabilities (one-off)", "division_one_off"),
                         ("Successor run cost after", "run_cost_after")):
        assert np.allclose(rows[mine].astype(float), view[column].astype(float), atol=0.01), mine
    sheet = book["Partners"]
    last = openpyxl.utils.get_column_letter(len(header))
    assert sheet.print_area == f"'Partners'!$A$1:${last}${max(len(organisations), len(block)) + 1}"
    assert sheet.print_title_rows == "$1:$1" and sheet.page_setup.orientation == "landscape"
    assert sheet[f"{openpyxl.utils.get_column_letter(header.index('Successor NPV') + 1)}{len(block) + 1}"].value \
        .startswith("=SUM(")


def test_plain_plan_has_an_empty_vesting_sheet(tmp_path):
    from estate.examples import two_councils

    plan = estate.make_plan(two_councils())
    path = plan.write(tmp_path / "plan.xlsx")
    book = openpyxl.load_workbook(path)
    assert "Vesting" in book.sheetnames and "Divided systems" not in book.sheetnames
    assert book["Vesting"]["A1"].value == "Organisation"
    # A plan without successors has Partners as before: no Successor column, no successors' block.
    header = [cell.value for cell in book["Partners"][1]]
    assert header == ["Organisation", "Run cost today", "Annual saving", "One-off cost", "NPV", "Transfer",
                      "NPV after transfer", "Position", "Options", "Cashable saving", "Non-cashable saving"]
    assert book["Partners"].print_area == f"'Partners'!$A$1:$H${len(plan.partners.partners) + 1}"
    assert "Shared services" not in book.sheetnames


def test_successor_chart(scenario_plans, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from estate.charts import plot_successor_estates, write_charts

    plan = scenario_plans["three successors from one county"]
    ax = plot_successor_estates(plan)
    assert [t.get_text().split("\n")[0] for t in ax.get_yticklabels()] == [
        "North Shire Council", "South Shire Council", "West Shire Council"]
    written = write_charts(plan, tmp_path, formats=["png"], dpi=30)
    assert "successor_estates" in written and written["successor_estates"].is_file()


# --------------------------------------------------------------------------- #
# The forward-looking sample: inventories/surrey (tools/make_surrey.py)
# --------------------------------------------------------------------------- #

ROOT = Path(__file__).resolve().parents[1]
SURREY = ROOT / "inventories" / "surrey"


def test_surrey_sample_is_freshly_generated(tmp_path):
    import subprocess
    import sys

    subprocess.run([sys.executable, str(ROOT / "tools" / "make_surrey.py"), str(tmp_path)], check=True)
    for path in sorted(tmp_path.iterdir()):
        assert path.read_bytes() == (SURREY / path.name).read_bytes(), path.name


@pytest.fixture(scope="module")
def surrey():
    return estate.make_plan(SURREY, assumptions=DECIDED)


def test_surrey_sample_plan(surrey):
    plan = surrey
    assert plan.inventory.issues.empty or not plan.inventory.issues["severity"].isin(["error", "warning"]).any()
    spans = _successors_of_options(plan)
    assert len(spans) and (spans.map(len) <= 1).all()
    table = plan.systems_table().set_index("system_key")
    county = table[table["organisation"] == "Surrey County Council"]
    # Every county system but highways (which goes to West Surrey by its own successor) is divided.
    assert not county.drop("Surrey County Council/Highways system")["fate"].eq("Keep").any()
    assert table.loc["Waverley Borough Council/Waverley human resources and payroll", "fate"] in {"Split", "Retire"}
    vesting = plan.vesting()
    woking = vesting[(vesting["organisation"] == "Woking Borough Council") & (vesting["status"] == "expired")]
    assert set(woking["system"]) >= {"Woking finance", "Woking customer relationship management"}
    view = plan.successors()
    assert list(view["successor"]) == ["East Surrey Council", "West Surrey Council"]
    assert view["run_cost_today"].sum() == pytest.approx(plan.matched["annual_cost"].sum())


def test_surrey_with_default_assumptions_lists_its_decisions(tmp_path, monkeypatch):
    """Planned in the shadow year with no assumptions file, the Vesting sheet lists the decisions before vesting."""
    import datetime

    import openpyxl

    from estate import assumptions as assumptions_module
    from estate.cli import main
    from estate.workbook import read_assumptions_sheet

    monkeypatch.setattr(assumptions_module, "_today", lambda: datetime.date(2026, 12, 7))
    out = tmp_path / "surrey.xlsx"
    from click.testing import CliRunner

    result = CliRunner().invoke(main, ["plan", str(SURREY), "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out, read_only=True)  # read-only keeps the file open until closed
    names = set(pd.read_csv(SURREY / "organisations.csv").iloc[:, 0])
    rows = [r for r in book["Vesting"].iter_rows(values_only=True) if r and r[0] in names]
    book.close()
    # By hand from the CSVs: every contract whose notice (its months, else 6) or end falls before 1 April 2027.
    vesting = pd.Timestamp("2027-04-01")
    expected = 0
    for path in sorted(SURREY.glob("*-systems.csv")):
        frame = pd.read_csv(path)
        ends = pd.to_datetime(frame["Contract end"], dayfirst=True)
        notice = frame["Notice months"].fillna(6).astype(int)
        expected += sum(1 for end, n in zip(ends, notice, strict=True)
                        if pd.notna(end) and (end - pd.DateOffset(months=int(n)) < vesting or end < vesting))
    assert expected > 5 and len(rows) == expected
    again = read_assumptions_sheet(out)  # the day the plan was made is recorded, and reads back
    assert again.decisions_as_of == datetime.date(2026, 12, 7)
    # The same plan made after vesting: no decision is due.
    monkeypatch.setattr(assumptions_module, "_today", lambda: datetime.date(2027, 5, 1))
    assert estate.make_plan(SURREY).vesting().empty


def test_a_part_moves_only_onto_a_platform_that_can_take_it(surrey):
    divisions = surrey.reorganisation.divisions
    moves = divisions[divisions["method"] == "move each part"].set_index("system")
    systems = surrey.matched
    orgs = surrey.inventory.organisations.set_index("organisation")["successor"]
    districts = systems[systems["organisation"] != "Surrey County Council"]
    for name in ("Finance system", "Human resources and payroll system", "Adult social care system"):
        county = systems[(systems["organisation"] == "Surrey County Council") & (systems["system"] == name)].iloc[0]
        part = county["users"] / 2
        ok = True
        for successor in ("East Surrey Council", "West Surrey Council"):  # by hand: the biggest platform of each
            mine = districts[(districts["organisation"].map(orgs) == successor)
                             & (districts["capability_code"] == county["capability_code"])
                             & districts["shared_with"].isna()]
            ok &= bool(len(mine)) and mine["users"].max() + part <= 5 * mine["users"].max()
        assert moves.loc[name, "available"] == ok, name
    assert not moves.loc["Adult social care system", "available"]  # no district runs adult social care
    # With a stricter like-for-like rule the county's ERP can no longer move onto district systems.
    strict = surrey.assumptions
    from dataclasses import replace

    from estate.reorganisation import divisions as division_table

    tight = division_table(surrey.matched, surrey.reorganisation.successors, replace(strict, max_survivor_scale=2.0))
    tight = tight[tight["method"] == "move each part"].set_index("system")
    assert not tight.loc["Finance system", "available"]  # 450 users a part onto ~190: more than twice


def test_no_reorganisation_fast_path_matches_the_general_one():
    systems = pd.DataFrame({"system_key": ["A/x", "B/y"], "organisation": ["A", "B"],
                            "shared_with": [None, "A"]})
    quick = system_successors(systems, None)
    assert quick["successors"].tolist() == ["", ""] and not quick["divided"].any()
    assert quick["shared"].tolist() == [False, True] and quick["sharers"].tolist() == ["", "A"]
    # The general path (an organisation with a successor elsewhere) gives the same rows for these systems.
    general = system_successors(systems, pd.DataFrame({"organisation": ["C"], "successor": ["North"]}))
    pd.testing.assert_frame_equal(quick, general, check_dtype=False)


def test_organisations_without_successor_bind_no_option():
    from estate.reorganisation import cross_successor_options

    orgs = pd.DataFrame({"organisation": ["Ayton", "Beeton", "Police"], "successor": ["North", "South", None]})
    systems = pd.DataFrame({"system_key": ["Ayton/x", "Beeton/x", "Police/x"],
                            "organisation": ["Ayton", "Beeton", "Police"]})
    effects = pd.DataFrame({"option_id": ["SP-1", "SP-1", "SP-2", "SP-2", "HC-1"],
                            "system_key": ["Ayton/x", "Police/x", "Ayton/x", "Beeton/x", "site:Beeton/dc"],
                            "organisation": ["Ayton", "Police", "Ayton", "Beeton", "Beeton"]})
    crossing = cross_successor_options(effects, system_successors(systems, orgs), orgs)
    # A district with the police is one successor; two districts going different ways are two; a site counts
    # with its organisation's successor.
    assert crossing.to_dict() == {"SP-2": "North; South"}


# --------------------------------------------------------------------------- #
# The new authorities' options start from vesting (build point 4, last sentence)
# --------------------------------------------------------------------------- #


def test_options_of_predecessors_start_from_vesting(tmp_path):
    """Vesting on 1 April 2028: each option of the predecessors starts in 2028/29, its flows a year later."""
    spec = dict(SCENARIOS["councils unwinding a shared service"])
    folder = _scenario(tmp_path, **spec, contract_end="31/03/2028")  # the costing retires on 1 April 2028
    fixed = dict(decisions_as_of="2026-12-07", start_window_years=1)  # no phasing: only vesting moves options
    jointly = estate.make_plan(folder, assumptions=estate.load_assumptions(predecessors_act_jointly="yes", **fixed))
    vesting = estate.make_plan(folder, assumptions=estate.load_assumptions(**fixed))
    assert jointly.reorganisation.earliest.empty
    held = vesting.reorganisation.earliest.set_index("option_id")
    assert len(held) and set(held["earliest_year"]) == {2028}
    assert set(held.index) == set(vesting.options.options["option_id"])  # every option is of predecessors
    before = jointly.options.options.set_index("option_id")
    after = vesting.options.options.set_index("option_id")
    r = vesting.assumptions.discount_rate
    h = vesting.assumptions.horizon_years
    checked = 0
    for option in held.index:
        if before.loc[option, "start_year"] != 2027:
            continue
        flows = jointly.options.cash_flows.query("option_id == @option").sort_values("t")
        net = (flows["savings"] - flows["costs"]).to_numpy()
        assert len(net) == h
        # By hand: every amount one year later, the last year's lost past the horizon, discounted at r.
        expected = sum(net[t - 1] / (1 + r) ** t for t in range(1, h))
        assert after.loc[option, "npv"] == pytest.approx(expected, rel=1e-9, abs=1e-6), option
        assert after.loc[option, "start_year"] == 2028
        assert after.loc[option, "npv"] != pytest.approx(before.loc[option, "npv"])
        checked += 1
    assert checked >= 2
    effects = vesting.options.effects
    retiring = effects[effects["effect"].eq("retire")]
    assert (pd.to_datetime(retiring["retire_date"]) >= pd.Timestamp("2028-04-01")).all()
    assert (pd.to_datetime(effects["saving_start"]).dropna() >= pd.Timestamp("2028-04-01")).all()
    chosen = vesting.schedule.table.set_index("option_id")
    assert len(chosen) and (chosen["start_year"] >= 2028).all() and set(chosen["reason"]) == {"vesting"}
    # LibreOffice recalculates the workbook's live formulas to the held figures, held options not recommended too.
    path = vesting.write(tmp_path / "held.xlsx")
    again = pd.read_excel(_recalculate(path, tmp_path / "lo"), sheet_name="Options", engine="openpyxl")
    again = again.set_index("Option").sort_index()
    for header, column in (("NPV", "npv"), ("One-off cost", "one_off_cost"), ("PV of savings", "pv_savings"),
                           ("PV of costs", "pv_costs")):
        assert np.allclose(again[header].astype(float), after.sort_index()[column].astype(float), atol=0.01), header


@pytest.mark.parametrize(("vesting", "first_full", "opens"), [
    ("01/04/2028", 2028, "the first day of 2028/29"),
    ("01/10/2027", 2028, "mid-year (in 2027/28)"),
    ("31/03/2029", 2029, "mid-year (in 2028/29)"),
])
def test_mid_year_vesting_starts_options_in_the_first_full_year(tmp_path, vesting, first_full, opens):
    """A vesting date that is not the first day of a financial year opens the next one; the reason says so."""
    spec = dict(SCENARIOS["councils unwinding a shared service"])
    folder = _scenario(tmp_path, **spec, vesting=vesting, contract_end="31/03/2028")
    plan = estate.make_plan(folder, assumptions=estate.load_assumptions(decisions_as_of="2026-12-07",
                                                                        start_window_years=1))
    day = pd.Timestamp(pd.to_datetime(vesting, dayfirst=True))
    # By hand: the first 1 April on or after the vesting date.
    by_hand = day.year if (day.month, day.day) == (4, 1) else day.year + (day.month >= 4)
    assert by_hand == first_full
    held = plan.reorganisation.earliest
    assert len(held) and set(held["earliest_year"]) == {first_full}
    assert set(held["earliest_start"]) == {pd.Timestamp(year=first_full, month=4, day=1)}
    assert held["reason"].str.contains(f"vesting on {day:%d/%m/%Y}, {opens}", regex=False).all()
    chosen = plan.schedule.table
    assert len(chosen) and (chosen["start_year"] >= first_full).all()
    label = f"{first_full}/{(first_full + 1) % 100:02d}"
    vested = chosen[chosen["reason"].eq("vesting")]
    assert len(vested) and vested["detail"].str.contains(label, regex=False).all()
    if day.month != 4 or day.day != 1:  # mid-year: the months before the first full year are not counted
        assert vested["detail"].str.contains("first full financial year", regex=False).all()
        days = (pd.Timestamp(year=first_full, month=4, day=1) - day).days  # 183 (2028 is a leap year), 1
        assert days in (183, 1)
        assert vested["detail"].str.contains(f"the {days} day", regex=False).all()
        assert vested["detail"].str.contains("not counted", regex=False).all()
    effects = plan.options.effects
    first_day = pd.Timestamp(year=first_full, month=4, day=1)
    assert (pd.to_datetime(effects.loc[effects["effect"].eq("retire"), "retire_date"]) >= first_day).all()
    assert (pd.to_datetime(effects["saving_start"]).dropna() >= first_day).all()
    flows = plan.options.cash_flows[plan.options.cash_flows["option_id"].isin(chosen["option_id"])]
    assert (flows.loc[flows["year"] < first_full, ["savings", "costs"]].abs().to_numpy() < 1e-9).all()
    # The Vesting sheet lists every contract decision before the vesting date itself (not the first full year).
    expected = set()
    for r in plan.inventory.systems.itertuples():
        if _notice_by(r.contract_end, int(r.notice_months)) < day or r.contract_end < day:
            expected.add((r.organisation, r.system))
    sheet = plan.vesting()
    assert set(zip(sheet["organisation"], sheet["system"], strict=True)) == expected
    assert len(expected) == 4 * 5 - 1  # every contract's notice is due by 30/09/2027, the day before the earliest
    if len(sheet):
        assert (sheet["options_start"] == f"{label}, the first full financial year from vesting").all()
    # The workbook's Options and Roadmap say the same.
    path = plan.write(tmp_path / "plan.xlsx")
    for name in ("Options", "Roadmap"):
        frame = pd.read_excel(path, sheet_name=name, engine="openpyxl")
        reasons = frame.loc[frame["Start set by"].astype(str).str.startswith("vesting"), "Start set by"]
        assert len(reasons) and reasons.str.contains(f"vesting on {day:%d/%m/%Y}", regex=False).all()
