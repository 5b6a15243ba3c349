"""Tests of estate.overlaps: hand-worked cases, parameters, and order independence (Hypothesis)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from estate import Inventory
from estate.errors import ParameterError
from estate.overlaps import (
    DEFAULT_SCORE_WEIGHTS,
    OVERLAP_TABLES,
    Overlaps,
    capability_by_organisation,
    capability_matrix,
    capability_overlaps,
    find_overlaps,
    integration_blast_radius,
    internal_duplicates,
    organisation_summary,
    partner_affinity,
    partner_groups,
    shared_products,
    site_overlaps,
    vendor_concentration,
    vendor_spend,
)

# --------------------------------------------------------------------------- fixtures

TEXT_COLUMNS = ("organisation", "system_key", "system", "product_id", "product_name", "vendor_name",
                "capability_code", "capability_name", "site", "site_key", "product_method", "capability_method",
                "split_from")
NUMBER_COLUMNS = ("annual_cost", "users", "product_confidence", "capability_confidence", "match_confidence")


def make_matched(rows: list[dict]) -> pd.DataFrame:
    """A matched-systems frame with the columns estate.matching returns; keys not given are missing."""
    frame = pd.DataFrame(rows).reindex(columns=[*TEXT_COLUMNS, *NUMBER_COLUMNS, "contract_end"])
    for name in TEXT_COLUMNS:
        frame[name] = frame[name].astype(object)
    frame["system"] = frame["system"].fillna(frame["system_key"])
    for name in NUMBER_COLUMNS:
        frame[name] = pd.to_numeric(frame[name]).astype("float64")
    frame["contract_end"] = pd.to_datetime(frame["contract_end"])
    return frame


def scoring_case() -> pd.DataFrame:
    """Capability X in three organisations (worked by hand in the score test) and Y in two."""
    return make_matched([
        dict(organisation="A", system_key="A/1", product_id="p", capability_code="X", annual_cost=100,
             contract_end="2026-12-31", vendor_name="V"),
        dict(organisation="A", system_key="A/2", capability_code="X", annual_cost=50),
        dict(organisation="B", system_key="B/1", product_id="p", capability_code="X", annual_cost=200,
             contract_end="2031-03-31", vendor_name="V"),
        dict(organisation="C", system_key="C/1", product_id="q", capability_code="X", annual_cost=150,
             contract_end="2027-06-30", vendor_name="W"),
        dict(organisation="A", system_key="A/3", product_id="p2", capability_code="Y", annual_cost=300),
        dict(organisation="B", system_key="B/2", product_id="p2", capability_code="Y", annual_cost=300),
        dict(organisation="C", system_key="C/2", product_id="r", capability_code="Z", annual_cost=999),
    ])


# --------------------------------------------------------------------------- capability tables


def test_capability_by_organisation_and_matrix():
    matched = scoring_case()
    long = capability_by_organisation(matched)
    assert list(long.columns) == ["capability_code", "capability_name", "organisation", "systems", "annual_cost",
                                  "users"]
    row = long.loc[(long["capability_code"] == "X") & (long["organisation"] == "A")].iloc[0]
    assert (row["systems"], row["annual_cost"]) == (2, 150.0)
    assert row["capability_name"] == "X"  # not in the taxonomy: the code stands in
    matrix = capability_matrix(matched)
    assert list(matrix.columns) == ["A", "B", "C"] and matrix.columns.name == "organisation"
    assert matrix.loc[("X", "X"), "A"] == 150.0 and matrix.loc[("Z", "Z"), "A"] == 0.0
    assert capability_matrix(matched, value="systems").loc[("X", "X")].tolist() == [2, 1, 1]
    with pytest.raises(ParameterError, match="'value' parameter of capability_matrix must be one of"):
        capability_matrix(matched, value="cost")


def test_capability_names_come_from_the_matching_then_the_taxonomy():
    matched = make_matched([
        dict(organisation="A", system_key="A/1", capability_code="CORP-FIN"),
        dict(organisation="B", system_key="B/1", capability_code="CORP-HR", capability_name="HR (matched name)"),
    ])
    names = capability_by_organisation(matched).set_index("capability_code")["capability_name"].to_dict()
    assert names == {"CORP-FIN": "Finance and ERP", "CORP-HR": "HR (matched name)"}


def test_consolidation_score_by_hand():
    table = capability_overlaps(scoring_case(), as_of="2026-04-01", horizon_years=3)
    assert table["capability_code"].tolist() == ["Y", "X"]  # Z is in one organisation only
    x = table.set_index("capability_code").loc["X"]
    assert x["organisations"] == 3 and x["organisation_names"] == "A; B; C"
    assert x["systems"] == 4
    assert x["products"] == 3  # p, q, and A/2 whose product is unknown
    assert x["main_product_id"] == "p" and x["main_product_share"] == 0.5
    assert x["annual_cost"] == 500.0
    assert x["contracts_ending"] == 2  # A/1 (2026) and C/1 (2027) end before 2029-04-01
    assert x["earliest_contract_end"] == pd.Timestamp("2026-12-31")
    assert x["breadth"] == pytest.approx(2 / 3)
    assert x["commonality"] == pytest.approx(1 - (3 - 1) / (4 - 1))
    assert x["spend"] == 0.0  # ranked below Y (600) among the two overlaps
    assert x["timing"] == pytest.approx(2 / 4)
    assert x["consolidation_score"] == pytest.approx(0.3 * 2 / 3 + 0.2 * 1 / 3 + 0.3 * 0 + 0.2 * 0.5)
    y = table.set_index("capability_code").loc["Y"]
    assert y["consolidation_score"] == pytest.approx(0.3 * 0.5 + 0.2 * 1 + 0.3 * 1 + 0.2 * 0)
    assert ((table["consolidation_score"] >= 0) & (table["consolidation_score"] <= 1)).all()


def test_spend_is_a_rank_with_ties_sharing_it():
    rows = []
    for code, cost in (("K1", 10), ("K2", 10), ("K3", 1_000_000), ("K4", 5)):
        rows += [dict(organisation=o, system_key=f"{o}/{code}", capability_code=code, annual_cost=cost)
                 for o in ("A", "B")]
    spend = capability_overlaps(make_matched(rows), as_of="2026-04-01").set_index("capability_code")["spend"]
    assert spend.to_dict() == {"K3": 1.0, "K1": 0.5, "K2": 0.5, "K4": 0.0}


def test_score_weights_and_horizon_are_parameters():
    spend_only = capability_overlaps(scoring_case(), as_of="2026-04-01", weights={"spend": 1})
    assert (spend_only["consolidation_score"] == spend_only["spend"]).all()
    longer = capability_overlaps(scoring_case(), as_of="2026-04-01", horizon_years=10).set_index("capability_code")
    assert longer.loc["X", "contracts_ending"] == 3
    assert dict(DEFAULT_SCORE_WEIGHTS) == {"breadth": 0.3, "commonality": 0.2, "spend": 0.3, "timing": 0.2}
    with pytest.raises(ParameterError, match="'weights' parameter of capability_overlaps"):
        capability_overlaps(scoring_case(), weights={"size": 1})
    with pytest.raises(ParameterError, match="positive total"):
        capability_overlaps(scoring_case(), weights={"spend": 0})
    with pytest.raises(ParameterError, match="'horizon_years'"):
        capability_overlaps(scoring_case(), horizon_years=-1)
    with pytest.raises(ParameterError, match="'as_of'"):
        capability_overlaps(scoring_case(), as_of="not a date")


# --------------------------------------------------------------------------- products and vendors


def test_shared_products_leave_out_in_house_and_unknown_products():
    matched = make_matched([
        dict(organisation="A", system_key="A/1", product_id="unlisted:Lalpac", product_name="Lalpac",
             contract_end="2027-03-31", annual_cost=10, vendor_name="Lalpac Ltd", capability_code="ESD-95"),
        dict(organisation="B", system_key="B/1", product_id="unlisted:Lalpac", product_name="Lalpac",
             contract_end="2029-03-31", annual_cost=12.5),
        dict(organisation="A", system_key="A/2", product_id="in-house:A/2"),
        dict(organisation="B", system_key="B/2", product_id="in-house:A/2"),
        dict(organisation="A", system_key="A/3"),
        dict(organisation="B", system_key="B/3"),
        dict(organisation="A", system_key="A/4", product_id="idox-uniform"),
        dict(organisation="A", system_key="A/5", product_id="idox-uniform"),
    ])
    table = shared_products(matched)
    assert table["product_id"].tolist() == ["unlisted:Lalpac"]
    row = table.iloc[0]
    assert row["organisation_names"] == "A; B" and row["systems"] == 2 and row["annual_cost"] == 22.5
    assert row["earliest_contract_end"] == pd.Timestamp("2027-03-31")
    assert row["latest_contract_end"] == pd.Timestamp("2029-03-31")
    assert row["vendor_name"] == "Lalpac Ltd" and row["capability_codes"] == "ESD-95"


def test_vendor_spend_shares_and_concentration():
    matched = make_matched([
        dict(organisation="A", system_key="A/1", vendor_name="Capita", annual_cost=500.10),
        dict(organisation="B", system_key="B/1", vendor_name="Capita", annual_cost=99.90),
        dict(organisation="B", system_key="B/2", vendor_name="Idox", annual_cost=300),
        dict(organisation="B", system_key="B/3", vendor_name="Zed", annual_cost=100),
        dict(organisation="B", system_key="B/4", vendor_name="Abc", annual_cost=100),
        dict(organisation="B", system_key="B/5", annual_cost=1_000),  # no vendor: out of the total
    ])
    table = vendor_spend(matched)
    assert table["vendor_name"].tolist() == ["Capita", "Idox", "Abc", "Zed"]  # ties by name
    assert table["annual_cost"].tolist() == [600.0, 300.0, 100.0, 100.0]
    assert table["share"].tolist() == pytest.approx([6 / 11, 3 / 11, 1 / 11, 1 / 11])
    assert table["cumulative_share"].iloc[-1] == pytest.approx(1.0)
    assert table.loc[0, "organisations"] == 2
    expected = (36 + 9 + 1 + 1) / 121
    assert vendor_concentration(matched) == pytest.approx(expected)
    assert vendor_concentration(table) == pytest.approx(expected)
    assert vendor_concentration(make_matched([dict(organisation="A", system_key="A/1")])) == 0.0


# --------------------------------------------------------------------------- sites and duplicates


def site_inventory() -> Inventory:
    sites = pd.DataFrame({
        "organisation": ["County", "County", "City"], "site": ["County DC", "Depot", "Civic"],
        "site_type": ["data centre", "server room", "server room"], "annual_cost": [420_000.0, 20_000.0, 48_000.0],
        "racks": [40.0, 2.0, 5.0], "utilisation": [0.22, np.nan, 0.6],
        "contract_end": pd.to_datetime([None, "2027-03-31", None]), "exit_cost": [150_000.0, 0.0, 25_000.0],
        "site_key": ["County/County DC", "County/Depot", "City/Civic"]})
    return Inventory(sites=sites)


def test_site_overlaps_flags_shared_and_under_used_sites():
    matched = make_matched([
        dict(organisation="County", system_key="County/1", site_key="County/County DC", annual_cost=10),
        dict(organisation="District", system_key="District/1", site_key="County/County DC", annual_cost=5),
        dict(organisation="City", system_key="City/1", site_key="City/Civic"),
        dict(organisation="City", system_key="City/2", site="Basement"),  # listed nowhere
    ])
    table = site_overlaps(matched, site_inventory())
    assert table["site_key"].tolist() == ["City/Basement", "City/Civic", "County/County DC", "County/Depot"]
    rows = table.set_index("site_key")
    assert rows.loc["County/County DC", "is_shared"] and rows.loc["County/County DC", "systems"] == 2
    assert rows.loc["County/County DC", "hosting_organisation_names"] == "County; District"
    assert rows.loc["County/County DC", "hosted_annual_cost"] == 15.0
    assert rows.loc["County/County DC", "is_under_used"]
    assert not rows.loc["City/Civic", "is_under_used"] and not rows.loc["City/Civic", "is_shared"]
    assert not rows.loc["County/Depot", "is_under_used"]  # utilisation unknown
    assert rows.loc["County/Depot", "systems"] == 0
    assert not rows.loc["City/Basement", "is_listed"] and rows.loc["City/Basement", "organisation"] == "City"
    stricter = site_overlaps(matched, site_inventory(), under_used_below=0.7).set_index("site_key")
    assert stricter.loc["City/Civic", "is_under_used"]
    with pytest.raises(ParameterError, match="'under_used_below'"):
        site_overlaps(matched, site_inventory(), under_used_below=50)
    assert len(site_overlaps(matched)) == 3  # without the inventory: only the sites systems name


def test_internal_duplicates_need_two_systems_on_different_products():
    matched = make_matched([
        dict(organisation="A", system_key="A/1", system="Sage", product_id="sage-200", capability_code="CORP-FIN",
             annual_cost=10),
        dict(organisation="A", system_key="A/2", system="Ledger", capability_code="CORP-FIN", annual_cost=5),
        dict(organisation="A", system_key="A/3", system="Mail 1", product_id="exchange-online",
             capability_code="XC-EMAIL"),
        dict(organisation="A", system_key="A/4", system="Mail 2", product_id="exchange-online",
             capability_code="XC-EMAIL"),
        dict(organisation="B", system_key="B/1", product_id="sage-50", capability_code="CORP-FIN"),
    ])
    table = internal_duplicates(matched)
    assert table[["organisation", "capability_code"]].values.tolist() == [["A", "CORP-FIN"]]
    row = table.iloc[0]
    assert row["capability_name"] == "Finance and ERP"
    assert (row["systems"], row["products"], row["annual_cost"]) == (2, 2, 15.0)
    assert row["system_names"] == "Ledger; Sage"
    assert row["product_names"] == "(unknown); sage-200"


# --------------------------------------------------------------------------- partners


def test_partner_affinity_by_hand():
    matched = make_matched([
        dict(organisation="A", system_key="A/1", capability_code="F", annual_cost=100),
        dict(organisation="A", system_key="A/2", capability_code="H", annual_cost=50),
        dict(organisation="A", system_key="A/3", capability_code="Q", annual_cost=30),
        dict(organisation="B", system_key="B/1", capability_code="F", annual_cost=60),
        dict(organisation="B", system_key="B/2", capability_code="H", annual_cost=90),
        dict(organisation="C", system_key="C/1", capability_code="Z", annual_cost=10),
    ])
    table = partner_affinity(matched)
    assert table[["organisation_a", "organisation_b"]].values.tolist() == [["A", "B"]]  # C shares nothing
    row = table.iloc[0]
    assert row["shared_capabilities"] == 2
    assert row["shared_spend"] == 60 + 50
    assert row["combined_spend"] == 100 + 60 + 50 + 90
    assert row["affinity"] == pytest.approx(110 / (180 + 150 - 110))  # Σmin / Σmax over all capabilities


def two_clusters() -> pd.DataFrame:
    rows = []
    for org in ("Acute", "Community", "Mental health"):
        rows += [dict(organisation=org, system_key=f"{org}/epr", capability_code="NHS-EPR", annual_cost=900_000),
                 dict(organisation=org, system_key=f"{org}/lims", capability_code="NHS-LIMS", annual_cost=200_000)]
    for org in ("Carlisle", "Eden", "Allerdale"):
        rows += [dict(organisation=org, system_key=f"{org}/rev", capability_code="LG-REVBEN", annual_cost=100_000),
                 dict(organisation=org, system_key=f"{org}/plan", capability_code="ESD-170", annual_cost=80_000)]
    for org in ("Acute", "Community", "Mental health", "Carlisle", "Eden", "Allerdale"):
        rows.append(dict(organisation=org, system_key=f"{org}/mail", capability_code="XC-EMAIL", annual_cost=5_000))
    rows.append(dict(organisation="Lonely", system_key="Lonely/1", capability_code="FIRE-MOB", annual_cost=1))
    return make_matched(rows)


def test_partner_groups_find_the_natural_groupings_deterministically():
    groups = partner_groups(two_clusters(), seed=0)
    assert list(groups.columns) == ["organisation", "group", "group_size"]
    members = groups.groupby("group")["organisation"].apply(list).to_dict()
    assert members == {1: ["Acute", "Community", "Mental health"], 2: ["Allerdale", "Carlisle", "Eden"],
                       3: ["Lonely"]}
    assert partner_groups(two_clusters(), seed=0).equals(groups)
    by_count = partner_groups(partner_affinity(two_clusters()), weight="shared_capabilities")
    assert set(by_count["organisation"]) == {"Acute", "Community", "Mental health", "Allerdale", "Carlisle", "Eden"}
    with pytest.raises(ParameterError, match="'weight' parameter of partner_groups"):
        partner_groups(two_clusters(), weight="users")
    with pytest.raises(ParameterError, match="'seed'"):
        partner_groups(two_clusters(), seed=1.5)


# --------------------------------------------------------------------------- integrations


def test_integration_blast_radius_counts_distinct_neighbours():
    matched = make_matched([
        dict(organisation="A", system_key="A/crm"), dict(organisation="A", system_key="A/rev"),
        dict(organisation="A", system_key="A/fin"), dict(organisation="B", system_key="B/care"),
        dict(organisation="B", system_key="B/quiet"),
    ])
    flows = pd.DataFrame({
        "source_key": ["A/crm", "A/crm", "A/rev", "A/fin", "A/crm", "A/rev", "A/rev", "A/crm"],
        "target_key": ["A/rev", "A/rev", "A/fin", "A/rev", "B/care", None, "A/rev", "ghost"]})
    table = integration_blast_radius(matched, Inventory(integrations=flows))
    assert table["system_key"].tolist() == ["A/crm", "A/rev", "A/fin", "B/care", "B/quiet"]  # ties by key
    rows = table.set_index("system_key")
    assert rows.loc["A/rev", ["fan_in", "fan_out", "total", "cross_organisation"]].tolist() == [2, 1, 2, 0]
    assert rows.loc["A/crm", ["fan_in", "fan_out", "total", "cross_organisation"]].tolist() == [0, 2, 2, 1]
    assert rows.loc["A/fin", ["fan_in", "fan_out", "total"]].tolist() == [1, 1, 1]  # both ways: one neighbour
    assert rows.loc["B/quiet", "total"] == 0
    assert (integration_blast_radius(matched)["total"] == 0).all()


# --------------------------------------------------------------------------- everything at once


def test_find_overlaps_holds_every_table():
    matched = two_clusters()
    overlaps = find_overlaps(matched, site_inventory(), as_of="2026-04-01")
    assert isinstance(overlaps, Overlaps)
    assert list(overlaps.to_dict()) == list(OVERLAP_TABLES)
    assert overlaps.to_frame() is overlaps.capability_overlaps
    assert overlaps.to_frame("vendor_spend") is overlaps.vendor_spend
    assert overlaps.as_of == pd.Timestamp("2026-04-01") and overlaps.horizon_years == 3
    pd.testing.assert_frame_equal(overlaps.partner_groups, partner_groups(matched))
    pd.testing.assert_frame_equal(overlaps.organisations, organisation_summary(matched))
    with pytest.raises(ParameterError, match="'name'"):
        overlaps.to_frame("nothing")
    with pytest.raises(dataclasses.FrozenInstanceError):
        overlaps.as_of = None  # type: ignore[misc]
    assert "capability_overlaps=" in repr(overlaps)


def test_inputs_are_not_mutated():
    matched = scoring_case()
    before = matched.copy()
    find_overlaps(matched, as_of="2026-04-01")
    pd.testing.assert_frame_equal(matched, before)


def test_the_garbage_collector_is_left_as_it_was():
    import gc

    matched = scoring_case()
    was = gc.isenabled()
    try:
        gc.enable()
        find_overlaps(matched, as_of="2026-04-01")
        assert gc.isenabled()
        with pytest.raises(ParameterError):
            find_overlaps(matched, inventory={"sites": []})
        assert gc.isenabled()
        gc.disable()
        find_overlaps(matched, as_of="2026-04-01")
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()


def test_internal_duplicates_of_systems_with_no_product_known():
    matched = make_matched([dict(organisation="Eden", system_key=f"Eden/{i}", capability_code="CORP-FIN")
                            for i in (1, 2)])
    row = internal_duplicates(matched).iloc[0]
    assert (row["systems"], row["products"], row["product_names"]) == (2, 2, "(unknown)")


def test_empty_and_bad_inputs():
    empty = find_overlaps(make_matched([]), as_of="2026-04-01")
    for name, table in empty.to_dict().items():
        assert len(table) == 0, name
    assert "consolidation_score" in empty.capability_overlaps
    with pytest.raises(ParameterError, match="must be a pandas DataFrame"):
        find_overlaps([1])
    with pytest.raises(ParameterError, match="lacks column"):
        find_overlaps(pd.DataFrame({"organisation": ["A"]}))
    with pytest.raises(ParameterError, match="blank"):
        find_overlaps(pd.DataFrame({"organisation": [None], "system_key": ["A/1"]}))
    with pytest.raises(ParameterError, match="'inventory'"):
        find_overlaps(scoring_case(), inventory={"sites": []})


# --------------------------------------------------------------------------- order does not matter

ORGANISATIONS = ("Allerdale", "Carlisle", "Eden", "NCIC")
CODES = ("CORP-FIN", "CORP-HR", "XC-EMAIL", "LG-REVBEN", "NHS-EPR", None)
PRODUCTS = ("unit4-erp", "itrent", "exchange-online", "capita-academy", "unlisted:Lalpac", "in-house", None)
VENDORS = ("Unit4", "MHR", "Microsoft", "Capita", None)
SITES = ("Carlisle/Civic", "Eden/Town Hall", None)

system_rows = st.lists(
    st.tuples(
        st.sampled_from(ORGANISATIONS), st.sampled_from(CODES), st.sampled_from(PRODUCTS),
        st.sampled_from(VENDORS),
        st.one_of(st.none(), st.floats(min_value=0, max_value=2e6, allow_nan=False).map(lambda v: round(v, 2))),
        st.one_of(st.none(), st.integers(0, 5_000)),
        st.one_of(st.none(), st.dates(min_value=pd.Timestamp("2024-01-01").date(),
                                      max_value=pd.Timestamp("2034-12-31").date())),
        st.sampled_from(SITES),
    ),
    min_size=1, max_size=40,
)


def random_estate(rows: list[tuple], pairs: list[tuple[int, int]]) -> tuple[pd.DataFrame, Inventory]:
    records = []
    for i, (org, code, product, vendor, cost, users, end, site) in enumerate(rows):
        key = f"{org}/{i}"
        records.append(dict(organisation=org, system_key=key, capability_code=code,
                            product_id=f"in-house:{key}" if product == "in-house" else product,
                            vendor_name=vendor, annual_cost=cost, users=users, contract_end=end, site_key=site))
    matched = make_matched(records)
    keys = matched["system_key"].tolist()
    flows = pd.DataFrame({"source_key": [keys[a % len(keys)] for a, _ in pairs],
                          "target_key": [keys[b % len(keys)] for _, b in pairs]})
    return matched, Inventory(integrations=flows, sites=site_inventory().sites)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=system_rows, pairs=st.lists(st.tuples(st.integers(0, 99), st.integers(0, 99)), max_size=30),
       seed=st.integers(0, 2**32 - 1))
def test_overlaps_do_not_change_when_rows_are_shuffled(rows, pairs, seed):
    matched, inventory = random_estate(rows, pairs)
    first = find_overlaps(matched, inventory, as_of="2026-04-01")
    shuffled = matched.sample(frac=1, random_state=seed % 2**32).reset_index(drop=True)
    flows = inventory.integrations.sample(frac=1, random_state=seed % 2**32)
    second = find_overlaps(shuffled, Inventory(integrations=flows, sites=inventory.sites), as_of="2026-04-01")
    for name in OVERLAP_TABLES:
        pd.testing.assert_frame_equal(first.to_frame(name), second.to_frame(name), check_exact=True, obj=name)
    assert first.vendor_concentration == second.vendor_concentration
    scores = first.capability_overlaps["consolidation_score"]
    assert ((scores >= 0) & (scores <= 1)).all()
    assert first.capability_by_organisation["annual_cost"].sum() == pytest.approx(
        matched.loc[matched["capability_code"].notna(), "annual_cost"].sum())
