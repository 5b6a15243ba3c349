"""The packaged product classes (issue 10, build point 2): every catalogue product has a kind and its jobs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import estate
from estate.fit import fit_profiles, fits, load_product_classes
from estate.matching import match_systems
from estate.reading import read_inventory
from estate.reference import load_capabilities, load_catalogue

INVENTORIES = Path(__file__).resolve().parents[1] / "inventories"

# The line-of-business and corporate capabilities whose products must all have a class (the brief's list).
CORE = ("CORP-FIN", "CORP-HR", "CORP-PROC", "LG-REVBEN", "ESD-170", "ESD-148", "ESD-152", "ESD-58", "ESD-23",
        "ESD-28", "HSG-HM", "ESD-38", "ESD-109", "ESD-34", "CORP-DOCS", "CORP-CRM", "XC-CONTACT", "CORP-ITSM",
        "NHS-EPR", "NHS-PACS", "NHS-LIMS", "NHS-MATERNITY", "POL-RMS", "POL-CAD", "FIRE-MOB", "CORP-GIS", "XC-PAY")


def test_every_catalogue_product_has_a_class():
    classes = load_product_classes()
    catalogue = load_catalogue()
    assert {code for code in CORE} <= set(load_capabilities()["code"])
    core = catalogue.loc[catalogue["capability"].isin(CORE), "product_id"]
    assert len(core) > 100
    assert set(core) <= set(classes["product_id"])
    assert set(catalogue["product_id"]) <= set(classes["product_id"])


@pytest.mark.parametrize("place", ["cumbria", "surrey"])
def test_every_product_two_systems_use_in_the_samples_has_a_class(place):
    matched = match_systems(read_inventory(INVENTORIES / place).systems)
    with_capability = matched.loc[matched["capability_code"].notna() & matched["product_id"].notna()]
    counts = with_capability["product_id"].value_counts()
    used_twice = set(counts.index[counts >= 2])
    assert len(used_twice) > 10
    assert used_twice - set(load_product_classes()["product_id"]) == set()


@pytest.mark.parametrize(("product", "jobs", "absent"), [
    ("oracle-fusion-erp", {"CORP-FIN", "CORP-PROC"}, "CORP-HR"),
    ("oracle-fusion-hcm", {"CORP-HR"}, "CORP-FIN"),
    ("sap-s4hana", {"CORP-FIN", "CORP-PROC"}, "CORP-HR"),
    ("sap-hcm", {"CORP-HR"}, "CORP-FIN"),
    ("workday-hcm", {"CORP-HR"}, "CORP-FIN"),
    ("workday-financials", {"CORP-FIN"}, "CORP-HR"),
    ("idox-uniform", {"ESD-170", "ESD-101", "ESD-100", "ESD-34", "ESD-83", "LG-LLC"}, "CORP-FIN"),
])
def test_suites_do_the_jobs_their_modules_do_and_no_more(product, jobs, absent):
    row = load_product_classes().set_index("product_id").loc[product]
    assert row["product_class"] == "platform"
    assert jobs <= set(row["jobs"])
    assert absent not in row["jobs"]


def system(product_id, capability, users=100.0, cost=100_000.0):
    return {"product_id": product_id, "capability_code": capability, "users": users, "annual_cost": cost,
            "product_name": product_id}


@pytest.mark.parametrize(("survivor", "member", "capability", "expected"), [
    # Finer jobs keep apart what a coarse capability lumps together.
    (system("tranman", "CORP-FLEET", 200), system("unlisted:allstar", "CORP-FLEET", 70), "CORP-FLEET",
     "does a different job (CORP-FUELCARD"),
    (system("vsphere", "CORP-HOSTING", 30), system("apache-tomcat", "CORP-HOSTING", 50, 4_650), "CORP-HOSTING",
     "does a different job (CORP-SERVERSW"),
    (system("planon", "CORP-FM", 300), system("unlisted:saffron", "CORP-FM", 150, 8_600), "CORP-FM",
     "does a different job (CORP-CATERING"),
    (system("unlisted:uniflow", "XC-HYBRIDMAIL", 360), system("docmail", "XC-HYBRIDMAIL", 20), "XC-HYBRIDMAIL",
     "does a different job (XC-HYBRIDMAIL"),
    (system("oracle-fusion-erp", "CORP-FIN", 8_000), system("unlisted:plics", "CORP-HOSTING", 200), "CORP-FIN",
     "does a different job (NHS-COSTING"),
    # A VPN client does not replace a firewall, nor an Apple-only tool Windows device management.
    (system("cisco-secure-client", "CORP-NETSEC", 128, 12_950), system("palo-alto-ngfw", "CORP-NETSEC", 23, 47_350),
     "CORP-NETSEC", "is a platform, which a point solution does not replace"),
    (system("jamf-pro", "XC-EUC", 252, 5_200), system("intune", "XC-EUC", 49, 7_600), "XC-EUC",
     "is a platform, which a point solution does not replace"),
    # A module (Firmstep) does not take a CRM platform; an e-tendering portal does not take purchase to pay.
    (system("firmstep", "CORP-CRM", 119), system("salesforce-service-cloud", "CORP-CRM", 107), "CORP-CRM",
     "is a platform, which a module does not replace"),
    (system("in-tend", "CORP-PROC", 100), system("proactis", "CORP-PROC", 60), "CORP-PROC",
     "does a different job (CORP-PROC"),
    # Like for like fits.
    (system("oracle-fusion-erp", "CORP-FIN", 8_000, 2e6), system("unit4-erp", "CORP-FIN", 300, 120_000),
     "CORP-FIN", ""),
    (system("oracle-fusion-hcm", "CORP-HR", 8_000, 9e5), system("itrent", "CORP-HR", 200, 60_000), "CORP-HR", ""),
    (system("idox-uniform", "ESD-170", 150), system("nec-assure", "ESD-170", 140), "ESD-170", ""),
    (system("idox-uniform", "ESD-34", 150), system("unlisted:lalpac", "ESD-34", 10), "ESD-34", ""),
    (system("healthroster", "NHS-ROSTER", 900), system("unlisted:bankstaff", "NHS-ROSTER", 70), "NHS-ROSTER", ""),
])
def test_finer_jobs_and_classes(survivor, member, capability, expected):
    profile = fit_profiles(pd.DataFrame([survivor, member]))
    ok, why = fits(profile.iloc[[1]], profile.iloc[[0]], capability=[capability])
    assert bool(ok[0]) == (expected == "")
    assert expected in str(why[0])


DISTRICTS_AND_COUNTY = """organisation,system,product,capability,users,annual_cost,contract_end
County,Corporate ERP,Oracle Fusion Cloud ERP,"Finance; Procurement",8000,2000000,2028-03-31
County,HR and payroll,Oracle Fusion Cloud HCM,HR,8000,900000,2028-03-31
Alpha District,Financials,Unit4 ERP,Finance,300,120000,2028-03-31
Alpha District,Payroll,iTrent,HR,200,60000,2028-03-31
Beta District,Ledger,Civica Financials,Finance,150,80000,2028-03-31
Beta District,HR,iTrent,HR,120,50000,2028-03-31
"""


def test_districts_unit4_civica_and_itrent_move_onto_the_county_oracle_platforms(tmp_path):
    (tmp_path / "systems.csv").write_text(DISTRICTS_AND_COUNTY, encoding="utf-8")
    plan = estate.make_plan(tmp_path)
    keys = dict(zip(plan.matched["system"], plan.matched["system_key"], strict=True))
    assert dict(zip(plan.matched["system"], plan.matched["product_id"], strict=True))["Corporate ERP"] \
        == "oracle-fusion-erp"
    options, effects = plan.options.options, plan.options.effects

    def members(capability: str, survivor: str) -> tuple[dict[str, str], str]:
        found = options.loc[(options["capability_code"] == capability) & (options["target"] == keys[survivor])]
        assert len(found) == 1
        block = effects.loc[effects["option_id"] == found["option_id"].iloc[0]]
        return dict(zip(block["system_key"], block["effect"], strict=True)), str(found["rationale"].iloc[0])

    finance, why = members("CORP-FIN", "Corporate ERP")
    assert finance == {keys["Corporate ERP"]: "survive", keys["Financials"]: "retire", keys["Ledger"]: "retire"}
    assert "Why it fits: Oracle Fusion Cloud ERP (a platform, any sector) does the job of every system it takes" \
        in why
    hr, why = members("CORP-HR", "HR and payroll")
    assert hr == {keys["HR and payroll"]: "survive", keys["Payroll"]: "retire", keys["HR"]: "retire"}
    assert "Oracle Fusion Cloud HCM (a platform, any sector)" in why
    # The finance ERP does not do HR: no option retires an iTrent onto it.
    onto_erp = options.loc[options["target"] == keys["Corporate ERP"], "option_id"]
    retired = effects.loc[effects["option_id"].isin(onto_erp) & effects["effect"].eq("retire"), "system_key"]
    assert not set(retired) & {keys["Payroll"], keys["HR"]}
