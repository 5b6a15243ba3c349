"""The test place tests/data/east-lancashire: five real bodies' registers as their IT teams write them (illustrative
rows, typed by hand in tools/make_east_lancashire.py, not generated from estate's catalogue). What must hold: every
row accounted for, each organisation's cost as the register's own arithmetic gives it, products and capabilities read
right (checked by hand), and no recommended option joining systems that cannot replace each other."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from estate.matching import match_systems
from estate.reading import read_inventory
from places import contents, load_tool

ROOT = Path(__file__).resolve().parents[1]
PLACE = ROOT / "tests" / "data" / "east-lancashire"
GENERATOR = ROOT / "tools" / "make_east_lancashire.py"

BURNLEY = "Burnley Borough Council"
ROSSENDALE = "Rossendale Borough Council"
BWD = "Blackburn with Darwen Borough Council"
ELHT = "East Lancashire Hospitals NHS Trust"
LFRS = "Lancashire Fire and Rescue Service"


make = load_tool(GENERATOR)


@pytest.fixture(scope="module")
def inventory():
    return read_inventory(PLACE)


@pytest.fixture(scope="module")
def matched(inventory):
    return match_systems(inventory.systems)


def test_committed_files_equal_a_fresh_generation(tmp_path):
    make.main(tmp_path)
    assert contents(tmp_path) == contents(PLACE)


def test_every_data_row_is_a_system_and_nothing_else_is(inventory):
    # The registers' own rows, counted from the generator's tables (not from estate).
    expected = {BURNLEY: sum(len(rows) for _, rows in make.BURNLEY), ROSSENDALE: len(make.ROSSENDALE),
                BWD: len(make.BWD), ELHT: len(make.ELHT), LFRS: sum(len(rows) for _, rows in make.LFRS)}
    assert expected == {BURNLEY: 47, ROSSENDALE: 41, BWD: 45, ELHT: 53, LFRS: 41}
    assert inventory.systems.groupby("organisation").size().to_dict() == expected
    assert not (inventory.issues["severity"] == "error").any()
    skipped = inventory.issues[inventory.issues["problem"].str.contains("totals row skipped|subtotal row skipped")]
    assert skipped.groupby("source_file").size().to_dict() == {
        "burnley-bc-ict-application-register-2026.xlsx": 8,  # 7 service areas' subtotals and TOTAL
        "ELHT_Clinical_and_Corporate_Applications.xlsx": 2,  # "Clinical systems: 29", "Corporate systems: 24"
        "LFRS Systems.xlsx": 3,  # "Total Service Delivery", ...
        "Rossendale_Systems_List.csv": 1}


def test_each_organisations_cost_is_what_its_register_adds_up_to(inventory):
    figure = make._figure  # the generator's own reading of a typed cost, as its subtotal rows use it
    expected = {
        BURNLEY: sum(figure(r[4]) for _, rows in make.BURNLEY for r in rows),
        ROSSENDALE: sum(figure(r[4]) for r in make.ROSSENDALE),
        BWD: sum(figure(v) for r in make.BWD for v in (r[6], r[7]) if v is not None),
        ELHT: sum(figure(r[7]) for r in make.ELHT),
        LFRS: sum(figure(r[4]) for _, rows in make.LFRS for r in rows),
    }
    assert expected == {BURNLEY: 705_550, ROSSENDALE: 440_650, BWD: 2_022_050, ELHT: 4_197_250, LFRS: 1_030_200}
    got = inventory.systems.groupby("organisation")["annual_cost"].sum().round(2).to_dict()
    assert got == expected


def test_layouts_are_read_as_meant(inventory):
    systems = inventory.systems
    bwd = systems[systems["organisation"] == BWD].set_index("system")
    planning = bwd.loc["Planning"]
    assert (planning["licence_cost"], planning["support_cost"]) == (54000, 16000)
    assert planning["contract_end"] == pd.Timestamp("2027-03-31")
    assert bwd.loc["Education Management", "contract_end"] == pd.Timestamp("2027-08-31")  # serial 46630
    burnley = systems[systems["organisation"] == BURNLEY].set_index("system")
    assert burnley.loc["Uniform", ["vendor", "product"]].tolist() == ["Idox", "Uniform"]
    assert burnley.loc["Committee management", "capability"] == "Agendas, minutes, decisions"
    assert burnley.loc["Waste & recycling", "annual_cost"] == 38_000
    elht = systems[systems["organisation"] == ELHT].set_index("system")
    assert elht.loc["Electronic Patient Record", "contract_end"] == pd.Timestamp("2027-03-31")
    assert elht.loc["Electronic Patient Record", "annual_cost"] == 1_200_000
    ross = systems[systems["organisation"] == ROSSENDALE]
    assert set(ross["extra: Department"]) >= {"Finance", "ICT", "Planning"}
    assert ross.set_index("source_row").loc[5, "contract_end"] == pd.Timestamp("2027-03-31")  # (ext +1+1)


# Checked by hand: (organisation, system) -> product read. The catalogue's product where the register names one
# the catalogue has; None where the row names no product the reader can know.
PRODUCTS = {
    (BURNLEY, "Financials"): "civica-financials",          # "Civica / Financials"
    (BURNLEY, "Council Tax / NNDR / HB"): "capita-academy",
    (BURNLEY, "Uniform"): "idox-uniform",
    (BURNLEY, "LLPG"): "aligned-assets-symphony",
    (BURNLEY, "Committee management"): "modern-gov",
    (BURNLEY, "Health & safety"): "unlisted:assure",      # Evotix's Assure, not NEC's (Northgate) Assure
    (BURNLEY, "Virtual servers"): "vsphere",
    (ROSSENDALE, "Uniform 10.4 (Idox)"): "idox-uniform",   # the product only in the system name
    (ROSSENDALE, "Microsoft 365"): "microsoft-365",        # used for "Email, Office, Teams"
    (ROSSENDALE, "Granicus Firmstep"): "firmstep",         # used for "CRM and e-forms"
    (ROSSENDALE, "Civica APP"): "civica-app",
    (ROSSENDALE, "Parking - Chipside"): "mipermit",
    (BWD, "Finance"): "oracle-fusion-erp",
    (BWD, "Revenues & Benefits"): "nec-revenues-benefits",  # "Northgate iWorld / Capita One": two products
    (ELHT, "Electronic Patient Record"): "oracle-health-millennium",
    (ELHT, "PACS"): "sectra-pacs",
    (ELHT, "Pathology LIMS"): "winpath",
    (ELHT, "Clinical correspondence"): "unlisted:prism",  # Synertec's Prism, not Capita's library system
    (ELHT, "Clinical coding"): "medicode",                # "3M Medicode" from 3M, now Solventum
    (ELHT, "Costing"): "unlisted:costing",
    (LFRS, "Finance"): "unit4-erp",                       # "Business World (Agresso)" under "What it does"
    (LFRS, "Payroll"): "itrent",                          # "iTrent payroll"
    (LFRS, "Servers"): "vsphere",
    (LFRS, "Endpoint protection"): "sophos-intercept-x",  # "Intercept X": the name reads as Sophos's too
    (LFRS, "Airwave"): None,
}


def test_products_read_right(matched):
    got = {key: matched.loc[(matched["organisation"] == key[0]) & (matched["system"] == key[1]), "product_id"]
           for key in PRODUCTS}
    got = {key: sorted(v.dropna().tolist()) for key, v in got.items()}
    wrong = {key: (got[key], want) for key, want in PRODUCTS.items()
             if (got[key] != [] if want is None else want not in got[key])}
    assert not wrong
    bwd_revs = matched[(matched["organisation"] == BWD) & (matched["system"] == "Revenues & Benefits")]
    assert sorted(bwd_revs["product_id"]) == ["capita-one", "nec-revenues-benefits"]


CAPABILITIES = {
    (BURNLEY, "Uniform"): "ESD-170",                # planning (with building control, environmental health)
    (BURNLEY, "Health & safety"): "CORP-RISK",
    (ELHT, "Electronic Patient Record"): "NHS-EPR",
    (ELHT, "Clinical correspondence"): "NHS-DICTATION",
    (ELHT, "Costing"): None,                        # "Costing" is not "Hosting"
    (ROSSENDALE, "Bartec Collective"): "ESD-142",
    (LFRS, "CFRMIS"): "FIRE-PROT",
    (LFRS, "Finance"): "CORP-FIN",
}


def test_capabilities_read_right(matched):
    for (organisation, system), code in CAPABILITIES.items():
        rows = matched[(matched["organisation"] == organisation) & (matched["system"] == system)]
        assert len(rows) == 1, (organisation, system)
        got = rows["capability_code"].iloc[0]
        assert (pd.isna(got) if code is None else got == code), (organisation, system, got)


def test_the_plan_counts_every_row_and_its_options_join_only_systems_read_with_confidence():
    from estate.plan import make_plan

    plan = make_plan(PLACE)
    # 227 rows; the 11 that list two products are two systems each (Liquidlogic LAS; ContrOCC ...).
    matched = plan.matched
    assert len(matched) == 238
    assert matched.drop_duplicates(["source_file", "source_row"]).shape[0] == 227
    assert matched["split_from"].dropna().nunique() == 11 and matched["split_from"].notna().sum() == 22
    effects = plan.options.effects
    touched = effects[effects["option_id"].isin(plan.recommended)].merge(
        matched[["system_key", "product_id", "capability_confidence"]], on="system_key")
    assert len(touched) and (touched["capability_confidence"] >= 0.6).all()
    survivors = touched[touched["effect"] == "survive"]
    assert not survivors["product_id"].str.startswith("unlisted:").any()  # no survivor is a product we guessed
    # The trust's costing system (once read as hosting) is in no option at all.
    costing = matched.loc[(matched["organisation"] == ELHT) & (matched["system"] == "Costing"), "system_key"]
    assert not effects["system_key"].isin(costing).any()


def test_the_no_product_warning_does_not_call_a_filled_product_cell_blank(matched):
    from estate.matching import match_issues

    issues = match_issues(matched)
    burnley = issues[issues["problem"].str.contains(f"systems of {BURNLEY} have no product", regex=False)]
    assert burnley["value"].tolist() == ["Purchase to Pay"]  # "Civica / Purchasing": the cell names no product
    assert "(none named in the product cell or the system name)" in burnley["problem"].iloc[0]
