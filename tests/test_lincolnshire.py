"""The test place tests/data/lincolnshire: one NHS integrated care system's registers as their IT, IG and finance
teams keep them (illustrative rows, typed by hand in tools/make_lincolnshire.py, not generated from estate's
catalogue). What must hold: every row accounted for, each organisation's cost as the register's own arithmetic gives
it, products and capabilities read right (checked by hand), and no option that joins systems that cannot replace
each other."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from estate.matching import match_systems
from estate.reading import read_inventory
from places import contents, load_tool

ROOT = Path(__file__).resolve().parents[1]
PLACE = ROOT / "tests" / "data" / "lincolnshire"
GENERATOR = ROOT / "tools" / "make_lincolnshire.py"

make = load_tool(GENERATOR)
ULHT, LPFT, LCHS, EMAS, ICB = make.ULHT, make.LPFT, make.LCHS, make.EMAS, make.ICB


@pytest.fixture(scope="module")
def inventory():
    return read_inventory(PLACE)


@pytest.fixture(scope="module")
def matched(inventory):
    return match_systems(inventory.systems)


@pytest.fixture(scope="module")
def plan():
    from estate.plan import make_plan
    return make_plan(PLACE)


def test_committed_files_equal_a_fresh_generation(tmp_path):
    make.main(tmp_path)
    assert contents(tmp_path) == contents(PLACE)


def test_every_data_row_is_a_system_and_nothing_else_is(inventory):
    # The registers' own rows, counted from the generator's tables (the LCHS Microsoft line is there twice).
    # The ICB's paper files and shared-drive folder are information assets, not systems: reported, not loaded.
    not_systems = [r for r in make.ICB_ROWS if r[2] in ("Paper", "Shared drive")]
    expected = {ULHT: len(make.ULHT_ROWS), LPFT: len(make.LPFT_ROWS), LCHS: len(make.LCHS_ROWS) + 1,
                EMAS: len(make.EMAS_ROWS), ICB: len(make.ICB_ROWS) - len(not_systems)}
    assert expected == {ULHT: 41, LPFT: 36, LCHS: 31, EMAS: 30, ICB: 23}
    assert inventory.systems.groupby("organisation").size().to_dict() == expected
    issues = inventory.issues
    assert not (issues["severity"] == "error").any()
    assets = issues[issues["problem"].str.contains("information asset, not a system")]
    assert sorted(zip(assets["source_row"], assets["value"])) == [(28, "Personnel files"),
                                                                  (29, "Commissioning shared drive")]
    skipped = issues[issues["problem"].str.contains("totals row skipped")]
    assert skipped.groupby("source_file").size().to_dict() == {"LCHS_IT_contracts_register_Nov26.csv": 1,
                                                               "ULHT IAR 2026-27 v3.xlsx": 1}
    # The copies are kept and said: the one pasted under a new asset ID as well as the identical one.
    twice = issues[issues["problem"].str.contains("counted twice")]
    assert sorted(zip(twice["source_file"], twice["source_row"])) == [
        ("LCHS_IT_contracts_register_Nov26.csv", 13), ("ULHT IAR 2026-27 v3.xlsx", 48)]
    # The ICB's data-flow map is not read as systems, and says so.
    flows = issues[(issues["sheet"] == "Data Flows")]
    assert flows["problem"].str.contains("not read").all() and len(flows) == 1


def test_each_organisations_cost_is_what_its_register_adds_up_to(inventory):
    figure = make.figure  # the generator's own reading of a typed cost: "NHSE funded", "incl.", "TBC" add nothing
    expected = {
        ULHT: sum(figure(r[11]) for r in make.ULHT_ROWS),
        LPFT: sum(figure(r[6]) for r in make.LPFT_ROWS),
        LCHS: sum(figure(r[8]) for r in make.LCHS_ROWS) + figure(make.LCHS_ROWS[7][8]),
        EMAS: sum(figure(v) for r in make.EMAS_ROWS for v in (r[5], r[6], r[7])),
        ICB: sum(figure(r[17]) for r in make.ICB_ROWS),  # the paper and shared-drive rows cost "-"
    }
    assert expected == {ULHT: 3_226_200, LPFT: 1_211_100, LCHS: 1_343_100, EMAS: 2_273_300, ICB: 1_312_100}
    assert inventory.systems.groupby("organisation")["annual_cost"].sum().round(2).to_dict() == expected


def test_layouts_are_read_as_meant(inventory):
    systems = inventory.systems
    emas = systems[systems["organisation"] == EMAS].set_index("system")
    epcr = emas.loc["ePCR"]  # "Hosting" under "Costs (£ p.a.)" is a cost; the Hosting column is where it runs
    assert (epcr["licence_cost"], epcr["support_cost"], epcr["hosting_cost"], epcr["hosting"]) == (
        265000, 48000, 31000, "cloud")
    assert emas.loc["Triage", "contract_end"] == pd.Timestamp("2028-03-31")  # serial 46843
    assert emas.loc["Computer aided dispatch", "criticality"] == "critical"  # "Cat 1"
    ulht = systems[systems["organisation"] == ULHT].set_index("system_id")
    assert ulht.loc["IA-001", ["system", "annual_cost", "hosting"]].tolist() == [
        "Medway PAS (System C)", 612000, "on-premises"]
    assert ulht.loc["IA-001", "contract_end"] == pd.Timestamp("2027-03-31")  # (ext +1+1) left out, and said
    assert ulht.loc["IA-025", ["annual_cost", "hosting"]].tolist() == [0, "cloud"]  # ESR: NHSE funded, N3/HSCN
    lpft = systems[systems["organisation"] == LPFT].set_index("system")
    assert lpft.loc["RiO", "users"] == 2100  # "Licensed users"
    assert lpft.loc["Old telephony", "lifecycle"] == "end-of-life"  # "Decommissioning"
    lchs = systems[systems["organisation"] == LCHS].set_index("system")
    assert lchs.loc["SystmOne Community", ["annual_cost", "contract_end"]].tolist() == [
        402000, pd.Timestamp("2027-03-31")]
    icb = systems[systems["organisation"] == ICB].set_index("system")
    assert icb.loc["Lincolnshire Care Portal", "contract_end"] == pd.Timestamp("2029-03-31")  # serial 47208
    assert icb.loc["Lincolnshire Care Portal", "hosting"] == "cloud"  # "Location / Hosting"


# Checked by hand: (organisation, system) -> product read. The catalogue's product where the register names one
# the catalogue has; None where the row names no product the reader can know.
PRODUCTS = {
    (ULHT, "Medway PAS (System C)"): "careflow-epr",       # the product only in the asset's name
    (ULHT, "Nervecentre eObs"): "nervecentre",
    (ULHT, "EPMA (JAC)"): "jac-pharmacy",
    (ULHT, "Digital dictation (Medisec)"): "medisec-dictation",
    (ULHT, "Datix (DCIQ)"): "datix",                        # kept against its description: RLDatix confirms it
    (ULHT, "Power BI"): "power-bi",
    (ULHT, "IT service desk"): "servicenow-itsm",            # named in the Description
    (ULHT, "Telephony"): "mivoice-business",                 # "Mitel MiVoice Business and switchboard"
    (ULHT, "Pharmacy stock control"): "ascribe-pharmacy",    # "Ascribe Pharmacy: dispensary, stock, aseptics"
    (ULHT, "Finance ledger"): "oracle-ebs",                  # "Oracle E-Business Suite via NHS SBS"
    (ULHT, "SystmOne (Therapies)"): "systmone",
    (ULHT, "Somerset Cancer Register"): "unlisted:somersetcancerregister",
    (LPFT, "RiO"): "rio",
    (LPFT, "RiO Mental Health Act module"): "rio",           # "RiO MHA": a module of RiO
    (LPFT, "Occupational health"): "cority",                 # "Civica / Cority": Cority, whatever the supplier
    (LPFT, "Telephony"): "teams-phone",
    (LCHS, "SystmOne Community"): "systmone",                # SystmOne units, one contract each
    (LCHS, "SystmOne Child Health"): "systmone",
    (LCHS, "Adastra"): "adastra",                            # under the grouping "Clinical system"
    (LCHS, "Airmid"): "airmid",
    (LCHS, "Accurx Plus"): "accurx",
    (LCHS, "EMIS Web (prison healthcare)"): "emis-web",
    (LCHS, "MiVoice Business"): "mivoice-business",          # under the grouping "Infrastructure"
    (LCHS, "Veeam Backup for Microsoft 365"): "veeam-backup-m365",
    (LCHS, "Civica Costmaster"): "unlisted:costmaster",
    (EMAS, "Computer aided dispatch"): "cleric-cad",
    (EMAS, "ePCR"): "siren-epcr",
    (EMAS, "Finance"): "unit4-erp",                          # "Business World"
    (EMAS, "Radio"): None,                                   # Airwave: a radio service, no catalogue product
    (ICB, "GP clinical system (79 practices)"): "systmone",
    (ICB, "GP clinical system (2 practices)"): "emis-web",
    (ICB, "Accurx"): "accurx",                               # "Accurx / Accurx Plus"
    (ICB, "Eclipse Live"): "unlisted:eclipselive",           # not the Eclipse IDE
    (ICB, "E-learning"): "elfh-hub",
}


def test_products_read_right(matched):
    got = {key: matched.loc[(matched["organisation"] == key[0]) & (matched["system"] == key[1]), "product_id"]
           for key in PRODUCTS}
    got = {key: sorted(v.dropna().tolist()) for key, v in got.items()}
    wrong = {key: (got[key], want) for key, want in PRODUCTS.items()
             if (got[key] != [] if want is None else want not in got[key])}
    assert not wrong
    camhs = matched[(matched["organisation"] == LPFT) & (matched["system"] == "Community and CAMHS records")]
    assert camhs["product_id"].tolist() == ["systmone", "rio"]  # "TPP SystmOne / Access RiO": two products


CAPABILITIES = {
    (ULHT, "Nervecentre eObs"): "NHS-OBS",                   # what its description says, not the EPR
    (ULHT, "Nervecentre Patient Flow"): "NHS-FLOW",
    (ULHT, "Datix (DCIQ)"): "CORP-RISK",
    (LCHS, "Adastra"): "NHS-ED",                             # not "Clinical system" read as an EPR
    (LCHS, "Lexacom Echo"): "NHS-DICTATION",
    (LCHS, "MiVoice Business"): "XC-TELEPHONY",              # not "Infrastructure" read as hosting
    (LCHS, "Mimecast"): "CORP-EMAILSEC",
    (LCHS, "Civica Costmaster"): None,                       # not "Finance": a costing system is no ledger
    (LCHS, "Tunstall Telehealth"): None,
    (EMAS, "Computer aided dispatch"): "NHS-AMBCAD",
}


def test_capabilities_read_right(matched):
    for (organisation, system), code in CAPABILITIES.items():
        rows = matched[(matched["organisation"] == organisation) & (matched["system"] == system)]
        assert len(rows), (organisation, system)
        for got in rows["capability_code"]:  # the Datix row is there twice
            assert (pd.isna(got) if code is None else got == code), (organisation, system, got)


def test_the_plan_counts_every_row_and_joins_only_systems_that_can_replace_each_other(plan):
    matched = plan.matched
    # 163 rows, 2 of them no systems (paper, a shared drive); "TPP SystmOne / Access RiO" is two systems.
    assert len(matched) == 162 and matched.drop_duplicates(["source_file", "source_row"]).shape[0] == 161
    effects = plan.options.effects.merge(matched[["system_key", "system", "product_id"]], on="system_key")
    # The community trust's main SystmOne unit (£402,000, no users given) is retired onto nothing: not onto the
    # prison's £7,800 EMIS Web, not into the practices' nationally funded SystmOne. (Once it was, and recommended.)
    community = effects[(effects["organisation"] == LCHS) & (effects["system"] == "SystmOne Community")]
    assert not (community["effect"] == "retire").any()
    # Nor is any recommended option's survivor a product guessed from a name.
    recommended = effects[effects["option_id"].isin(plan.recommended)]
    assert not recommended.loc[recommended["effect"] == "survive", "product_id"].str.startswith("unlisted:").any()
    # No recommended option retires a system onto one of another organisation's costing or finance systems read
    # from a grouping ("Civica Costmaster" under "Finance").
    costmaster = matched.loc[matched["product_id"] == "unlisted:costmaster", "system_key"]
    assert not recommended["system_key"].isin(costmaster).any()
