"""Tests of estate.fit: like-for-like survivors, and estate.costing's cost kinds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import estate.costing as costing_module
import estate.fit as fit_module
from estate.assumptions import load_assumptions
from estate.errors import ParameterError
from estate.fit import PRODUCT_CLASSES, fit_codes, fit_profiles, fits, fits_by_position, load_product_classes
from estate.reference import load_capabilities, load_catalogue


def test_all_is_sorted_and_exported():
    for module in (fit_module, costing_module):
        assert list(module.__all__) == sorted(module.__all__)
        for name in module.__all__:
            assert hasattr(module, name)


def test_the_packaged_product_classes_are_valid():
    classes = load_product_classes()
    assert set(classes["product_class"]) <= set(PRODUCT_CLASSES)
    codes = set(load_capabilities()["code"])
    assert all(job in codes for jobs in classes["jobs"] for job in jobs)
    assert classes["source"].str.len().gt(0).all()  # every row says where it comes from
    # Catalogue products are named by their catalogue id (unlisted ones by the id matching gives them).
    catalogue = set(load_catalogue()["product_id"])
    listed = classes.loc[~classes["product_id"].str.startswith("unlisted:"), "product_id"]
    assert not set(listed) - catalogue - {"oracle-health-millennium", "symphony-edis", "jac-pharmacy",
                                          "ascribe-pharmacy", "dynamics-365-customer-service",
                                          "civica-openrevenues", "nec-revenues-benefits", "symology-insight",
                                          "yotta-alloy", "bartec-collective", "mivoice-business", "sectra-pacs",
                                          "exchange-online", "exchange-server", "active-directory", "entra-id",
                                          "citrix-virtual-apps", "veeam-backup-replication", "kofax-capture",
                                          "niche-rms", "kainos-evolve", "sharepoint-online", "egress-protect",
                                          "liquidlogic-lcs", "ivanti-service-manager", "cleric-cad",
                                          "avaya-contact-center", "microsoft-teams", "webex", "zoom",
                                          "adobe-acrobat", "orchard-housing"} - catalogue


def pair(survivor: dict, member: dict, capability: str):
    systems = pd.DataFrame([survivor, member])
    profile = fit_profiles(systems)
    ok, why = fits(profile.iloc[[1]], profile.iloc[[0]], capability=[capability])
    return bool(ok[0]), str(why[0])


def system(product_id, capability, users=100.0, cost=100_000.0, name=None):
    return {"product_id": product_id, "capability_code": capability, "users": users, "annual_cost": cost,
            "product_name": name or product_id}


@pytest.mark.parametrize(("survivor", "member", "capability", "expected"), [
    # The review's cases: an observations tool does not replace an acute EPR, nor radio switching command and
    # control, nor a benefits portal the revenues system, nor medicine cabinets the pharmacy system.
    (system("nervecentre", "NHS-EPR", 3_064, 200_500, "Nervecentre EPR"),
     system("oracle-health-millennium", "NHS-EPR", 5_624, 4_430_000), "NHS-EPR", "does a different job"),
    (system("unlisted:dxt3", "POL-CAD", 187, 129_500, "DXT3"), system("storm", "POL-CAD", 379, 419_500),
     "POL-CAD", "does a different job"),
    (system("unlisted:citizenaccess@necsoftwaresolutions", "LG-REVBEN", 15, 22_100, "Citizen Access"),
     system("civica-openrevenues", "LG-REVBEN", 53, 127_000), "LG-REVBEN", "does a different job"),
    (system("unlisted:omnicell", "NHS-PHARMACY", 60, 7_900, "Omnicell"),
     system("jac-pharmacy", "NHS-PHARMACY", 185, 177_500), "NHS-PHARMACY", "does a different job"),
    # A point solution does not replace a platform; an unlisted product does not replace a known platform.
    (system("unlisted:spendmanagement", "CORP-FIN", 500, 50_000, "Spend"), system("unit4-erp", "CORP-FIN", 50),
     "CORP-FIN", "which a point solution does not replace"),
    (system("mystery", "CORP-FIN", 500, 50_000), system("unit4-erp", "CORP-FIN", 50), "CORP-FIN",
     "which a product of unknown kind does not replace"),
    # NHS-only products take no council systems.
    (system("nhs-esr", "CORP-HR", 8_000, 75_000, "ESR"), system("itrent", "CORP-HR", 28, 60_000), "CORP-HR",
     "is a general system and ESR a nhs one"),
    # Scale: more users and over five times the cost is a bigger kind of system.
    (system("itrent", "CORP-HR", 28, 20_000, "iTrent"), system("resourcelink", "CORP-HR", 800, 400_000),
     "CORP-HR", "is bigger than iTrent"),
    # Users not known (a contracts list has none): the cost alone shows the scale, when the survivor's is known.
    (system("emis-web", "NHS-GP", np.nan, 7_800, "EMIS Web"), system("systmone", "NHS-GP", np.nan, 402_000),
     "NHS-GP", "is bigger than EMIS Web: over 5 times its cost (users not known for both"),
    (system("emis-web", "NHS-GP", 50, 7_800, "EMIS Web"), system("systmone", "NHS-GP", np.nan, 38_000), "NHS-GP",
     ""),
    (system("emis-web", "NHS-GP", np.nan, np.nan, "EMIS Web"), system("systmone", "NHS-GP", np.nan, 402_000),
     "NHS-GP", ""),
    # Fits: the same job, kind and sector at scale; an ERP taking HR; the same product always.
    (system("oracle-health-millennium", "NHS-EPR", 5_600, 4_400_000), system("nervecentre", "NHS-EPR", 3_000),
     "NHS-EPR", "does a different job"),
    (system("oracle-ebs", "CORP-FIN", 4_664, 669_500), system("itrent", "CORP-HR", 600, 80_000), "CORP-HR", ""),
    (system("capita-academy", "LG-REVBEN", 40, 85_000), system("civica-openrevenues", "LG-REVBEN", 60, 120_000),
     "LG-REVBEN", ""),
    (system("mystery", "CAP", 10, 1_000), system("mystery", "CAP", 5, 1_000_000), "CAP", ""),
    # ... but a small instance does not take a much bigger one of its own product (rule 4).
    (system("irs", "FIRE-IRS", 2_072, 47_018, "IRS"), system("irs", "FIRE-IRS", 2_698, 466_091), "FIRE-IRS",
     "is bigger than IRS"),
])
def test_fit_rules(survivor, member, capability, expected):
    ok, why = pair(survivor, member, capability)
    assert ok == (expected == "")
    assert expected in why


def brute_force_fits(survivor: dict, member: dict, capability: str, classes: pd.DataFrame) -> bool:
    """The four rules read straight from their words, one pair at a time."""
    table = classes.set_index("product_id")
    unknown_users = (np.isnan(member["users"]) or np.isnan(survivor["users"])) and not np.isnan(survivor["annual_cost"])
    bigger = ((member["users"] > survivor["users"] or unknown_users)
              and member["annual_cost"] > 5 * np.nan_to_num(survivor["annual_cost"]) and member["annual_cost"] > 0)
    if member["product_id"] == survivor["product_id"]:
        return not bigger

    def jobs(s):
        return tuple(table.at[s["product_id"], "jobs"]) if s["product_id"] in table.index else (s["capability_code"],)

    def klass(s):
        return table.at[s["product_id"], "product_class"] if s["product_id"] in table.index else None

    def sector(s):
        if s["product_id"] in table.index and table.at[s["product_id"], "sector"]:
            return table.at[s["product_id"], "sector"]
        return {"NHS": "nhs", "POL": "police", "FIRE": "fire"}.get(s["capability_code"].split("-")[0], "")

    member_jobs = jobs(member)
    job = capability if capability in member_jobs else member_jobs[0]
    if job not in jobs(survivor):
        return False
    order = {c: i for i, c in enumerate(PRODUCT_CLASSES)}
    if klass(member) is not None:
        if klass(survivor) is None and klass(member) == "platform":
            return False
        if klass(survivor) is not None and order[klass(survivor)] < order[klass(member)]:
            return False
    restricted = {"nhs", "police", "fire"}
    if (sector(member) in restricted or sector(survivor) in restricted) and sector(member) != sector(survivor):
        return False
    return not bigger


def test_fits_agrees_with_the_rules_read_one_pair_at_a_time():
    rng = np.random.default_rng(7)
    classes = load_product_classes()
    products = ["oracle-health-millennium", "nervecentre", "rio", "systmone", "unit4-erp", "itrent", "nhs-esr",
                "unlisted:omnicell", "jac-pharmacy", "storm", "unlisted:dxt3", "mystery", "other", "firmstep",
                "dynamics-365-customer-service", "microsoft-365", "zoom"]
    capabilities = ["NHS-EPR", "CORP-FIN", "CORP-HR", "NHS-PHARMACY", "POL-CAD", "CORP-CRM", "XC-VIDEO", "CAP"]
    n = 400
    systems = pd.DataFrame({
        "product_id": rng.choice(products, 2 * n), "capability_code": rng.choice(capabilities, 2 * n),
        "users": np.where(rng.random(2 * n) < 0.15, np.nan, rng.integers(1, 5_000, 2 * n)),
        "annual_cost": np.where(rng.random(2 * n) < 0.1, np.nan, rng.integers(0, 2_000_000, 2 * n))})
    profile = fit_profiles(systems)
    option_capability = systems["capability_code"].to_numpy()[:n]
    ok, _ = fits(profile.iloc[n:], profile.iloc[:n], capability=option_capability)
    expected = [brute_force_fits(systems.iloc[i].to_dict(), systems.iloc[n + i].to_dict(), option_capability[i],
                                 classes) for i in range(n)]
    assert ok.tolist() == expected
    assert 0 < sum(expected) < n
    # By position, on the profiles as a table or coded once (fit_codes) for many calls: the same answers.
    member, survivor = np.arange(n, 2 * n), np.arange(n)
    for explain in (True, False):
        by_table = fits_by_position(profile, member, survivor, capability=option_capability, explain=explain)
        coded = fit_codes(profile)
        for _ in range(2):
            by_codes = fits_by_position(coded, member, survivor, capability=option_capability, explain=explain)
            assert by_codes[0].tolist() == by_table[0].tolist() == expected
            assert (by_codes[1] is None and by_table[1] is None) or by_codes[1].tolist() == by_table[1].tolist()


def test_a_bad_product_classes_file_is_one_line(tmp_path: Path):
    bad = tmp_path / "classes.csv"
    bad.write_text("product_id,product_class,jobs,sector,source\nx,huge,CORP-FIN,,me\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"classes.csv, row 2, column 'product_class'"):
        load_product_classes(bad)
    bad.write_text("product_id,product_class,jobs,sector,source\nx,platform,NOPE,,me\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"row 2, column 'jobs': 'NOPE' is not a capability code"):
        load_product_classes(bad)


def test_cost_parts_add_up_to_the_annual_cost():
    systems = pd.DataFrame({"annual_cost": [100.0, 50.0, None], "licence_cost": [30.0, 80.0, 10.0],
                            "staff_cost": [20.0, 20.0, None]})
    parts = costing_module.cost_parts(systems)
    assert parts.sum(axis=1).tolist() == pytest.approx([100.0, 50.0, 0.0])
    assert parts.loc[1, "licence"] == pytest.approx(80 * 50 / 100)  # scaled down to the stated annual cost
    assert parts.loc[0, "other"] == pytest.approx(50.0)


def test_survivor_cost_after_by_hand():
    a = load_assumptions()
    parts = pd.DataFrame({"licence": [1_000.0], "support": [400.0], "hosting": [200.0], "staff": [300.0],
                          "other": [100.0]})
    after = costing_module.survivor_cost_after(parts, own_users=[50.0], received=[25.0], assumptions=a)
    assert after.iloc[0].tolist() == pytest.approx([1_000 * (1 + 0.5 * 0.9), 400 * 1.25, 200 * 1.25, 300 * 1.25,
                                                    100 * 1.5 ** 0.8])
