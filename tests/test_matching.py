"""Tests of estate.matching: products, vendors and capabilities with a confidence."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from estate import matching
from estate.errors import InputFileError, ParameterError
from estate.matching import (
    CAPABILITY_METHODS,
    MATCH_COLUMNS,
    PRODUCT_METHODS,
    match_systems,
    read_mapping,
    review_table,
    split_products,
)

ROOT = Path(__file__).resolve().parents[1]
ACCURACY = ROOT / "benchmarks" / "accuracy"


def _systems(*rows: dict) -> pd.DataFrame:
    """A systems frame from row dicts, with keys and the usual columns."""
    records = []
    for i, row in enumerate(rows):
        record = {"system_key": f"Org/{i + 1}", "organisation": "Org", "system": f"System {i + 1}",
                  "vendor": None, "product": None, "capability": None}
        record.update(row)
        records.append(record)
    return pd.DataFrame.from_records(records)


def _one(**row: object) -> pd.Series:
    matched = match_systems(_systems(row))
    assert len(matched) == 1
    return matched.iloc[0]


# --------------------------------------------------------------------------- API and contract


def test_public_api_is_sorted():
    assert matching.__all__ == sorted(matching.__all__)
    for name in matching.__all__:
        assert hasattr(matching, name)


def test_the_garbage_collector_is_left_as_it_was():
    import gc

    systems = _systems({"product": "iTrent"})
    was = gc.isenabled()
    try:
        gc.enable()
        match_systems(systems)
        assert gc.isenabled()
        with pytest.raises(ParameterError):
            match_systems(systems, mapping=pd.DataFrame({"product": ["iTrent"]}))
        assert gc.isenabled()
        gc.disable()
        match_systems(systems)
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()


def test_added_columns_methods_and_confidences():
    matched = match_systems(_systems(
        {"product": "Idox Uniform"}, {"product": "Grantify"}, {"product": "bespoke"}, {"product": "N/A"},
        {"product": "Uniformm Planning"}, {"product": "Uniform", "capability": "Planning"}))
    assert list(matched.columns[-len(MATCH_COLUMNS):]) == list(MATCH_COLUMNS)
    assert set(matched["product_method"]) <= set(PRODUCT_METHODS)
    assert set(matched["capability_method"]) <= set(CAPABILITY_METHODS)
    for column in ("product_confidence", "capability_confidence", "match_confidence"):
        assert matched[column].between(0, 1).all()
    expected = np.minimum(matched["product_confidence"], matched["capability_confidence"])
    assert np.allclose(matched["match_confidence"], expected)


def test_input_is_not_changed():
    systems = _systems({"product": "Teams; Zoom", "annual_cost": 100.0}, {"product": "iTrent"})
    before = systems.copy(deep=True)
    match_systems(systems)
    pd.testing.assert_frame_equal(systems, before)


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (pd.DataFrame({"product": ["iTrent"]}), "system_key"),
        (pd.DataFrame({"system_key": ["a", "a"], "product": ["iTrent", "SIMS"]}), "unique"),
    ],
)
def test_system_keys_are_required_and_unique(frame, message):
    with pytest.raises(ParameterError, match=message):
        match_systems(frame)


@pytest.mark.parametrize("value", [1.5, -0.1, "high", True])
def test_fuzzy_threshold_is_checked(value):
    with pytest.raises(ParameterError, match="'fuzzy_threshold' parameter of match_systems"):
        match_systems(_systems({"product": "iTrent"}), fuzzy_threshold=value)


def test_not_a_dataframe():
    with pytest.raises(ParameterError, match="must be a DataFrame"):
        match_systems([{"system_key": "a"}])  # type: ignore[arg-type]


def test_empty_input():
    matched = match_systems(_systems().reindex(columns=["system_key", "product"]))
    assert matched.empty
    assert "product_id" in matched.columns


# --------------------------------------------------------------------------- normalising and exact aliases


@pytest.mark.parametrize(
    ("text", "product_id"),
    [
        ("Idox Uniform 10.2", "idox-uniform"),
        ("Uniform v7", "idox-uniform"),
        ("UNIFORM Release 5", "idox-uniform"),
        ("uniform (v10.2)", "idox-uniform"),
        ("Uniform Cloud", "idox-uniform"),
        ("Uniform - Idox", "idox-uniform"),
        ("Uniform (Idox)", "idox-uniform"),
        ("Mosaic Milestone 4", "mosaic"),
        ("Agresso Business World 2019", "unit4-erp"),
        ("Unit4 Business World", "unit4-erp"),
        ("Business World", "unit4-erp"),
        ("MS Teams", "microsoft-teams"),
        ("Microsoft Teams", "microsoft-teams"),
        ("civica-tranman-version-6", "tranman"),
        ("Oracle R12", "oracle-ebs"),
        ("Sage 200", "sage-200"),
        ("Docman 7", "docman"),
        ("Ivanti Endpoint Manager 2021", "ivanti-endpoint-manager"),
        ("Content Guru storm 10.2.1", "content-guru-storm"),
        ("GoogleDrive2021", "google-workspace"),
        ("Esri ArcGIS Pro", "arcgis"),
    ],
)
def test_exact_alias_after_normalising(text, product_id):
    row = _one(product=text)
    assert (row["product_id"], row["product_method"], row["product_confidence"]) == (product_id, "exact alias", 1.0)


@pytest.mark.parametrize(
    ("text", "product_id"),
    [
        ("SharePoint Online", "sharepoint-online"),
        ("SharePoint", "sharepoint-online"),
        ("SharePoint 2019", "sharepoint-server"),
        ("Exchange Online", "exchange-online"),
        ("Exchange", "exchange-server"),
        ("MS Exchange Online", "exchange-online"),
    ],
)
def test_an_edition_the_catalogue_names_is_kept(text, product_id):
    assert _one(product=text)["product_id"] == product_id


@pytest.mark.parametrize(
    ("product", "vendor", "product_id"),
    [
        ("Athena", "K2 Medical Systems", "k2-athena"),
        ("Athena", None, "athena"),
        ("Vision", "INPS", "vision-gp"),
        ("Vision", "Capita", "capita-vision"),
        ("Symphony", "Aligned Assets", "aligned-assets-symphony"),
        ("Storm", "Content Guru", "content-guru-storm"),
    ],
)
def test_vendor_cell_disambiguates(product, vendor, product_id):
    assert _one(product=product, vendor=vendor)["product_id"] == product_id


def test_vendor_that_contradicts_the_catalogue_lowers_confidence():
    row = _one(product="Uniform", vendor="Capita")
    assert (row["product_id"], row["product_confidence"], row["vendor_name"]) == ("idox-uniform", 0.9, "Idox")
    assert _one(product="Uniform", vendor="Softcat")["product_confidence"] == 1.0  # a reseller


@pytest.mark.parametrize(
    ("vendor", "expected"),
    [("Northgate", "NEC Software Solutions"), ("Agresso", "Unit4"), ("Cerner Ltd", "Oracle Health"),
     ("Firmstep", "Granicus"), ("Acme Widgets Ltd", "Acme Widgets Ltd")],
)
def test_vendor_names_are_current(vendor, expected):
    assert _one(product="Tellurium Casework", vendor=vendor)["vendor_name"] == expected


def test_brackets_after_a_vendor_name_must_be_its_product():
    matched = match_systems(_systems({"product": "Arcus Global (Salesforce)"}, {"product": "Idox (Uniform)"},
                                     {"product": "Finance (Agresso)"}, {"product": "Lorenzo (iSoft)"}))
    assert pd.isna(matched.loc[0, "product_id"]) and matched.loc[0, "vendor_name"] == "Arcus Global"
    assert matched["product_id"].tolist()[1:] == ["idox-uniform", "unit4-erp", "lorenzo"]


def test_vendor_comes_from_the_catalogue_product():
    row = _one(product="Northgate M3")
    assert (row["product_id"], row["product_name"], row["vendor_name"]) == (
        "nec-assure", "Assure", "NEC Software Solutions")


# --------------------------------------------------------------------------- fuzzy, unlisted, in-house, none


@pytest.mark.parametrize(
    ("text", "product_id"),
    [("SytsmOne", "systmone"), ("Liquidlogic Chidlren's Social Care", "liquidlogic-lcs"), ("TOPdsk", "topdesk")],
)
def test_typing_errors_match_fuzzily(text, product_id):
    row = _one(product=text)
    assert (row["product_id"], row["product_method"]) == (product_id, "fuzzy")
    assert 0.7 <= row["product_confidence"] < 0.9


@pytest.mark.parametrize(
    "text",
    ["Jaud",  # too short for a fuzzy match
     "Sage 300",  # only a digit differs from Sage 200
     "Synapse", "Horizon", "Vision",  # names the catalogue shares between products
     "Confirmit", "Uniformity", "Synergi Life", "Alto Parking"],  # other products
)
def test_unknown_products_are_never_forced_onto_the_catalogue(text):
    row = _one(product=text)
    assert row["product_method"] == "unlisted"
    assert row["product_id"].startswith("unlisted:")
    assert row["product_confidence"] == 0.3


def test_fuzzy_refuses_a_vendor_that_contradicts():
    assert _one(product="SytsmOne", vendor="Microsoft")["product_method"] == "unlisted"


def _custom_reference(tmp_path: Path) -> dict:
    caps = tmp_path / "caps.csv"
    caps.write_text("code,name,parent,sector,synonyms,description\nX,Things,,all,,\n", encoding="utf-8")
    vendors = tmp_path / "vendors.csv"
    vendors.write_text("vendor,aliases,former_names,acquired_by,country,notes\nAcme,,,,GB,\n", encoding="utf-8")
    catalogue = tmp_path / "catalogue.csv"
    catalogue.write_text("product_id,product,vendor,aliases,capability,notes\n"
                         "alphabet,Alphabetic Ledger,Acme,,X,\nalphabot,Alphabotic Ledger,Acme,,X,\n",
                         encoding="utf-8")
    return {"catalogue": catalogue, "vendors": vendors, "capabilities": caps}


def test_fuzzy_needs_a_margin_over_the_second_product(tmp_path):
    reference = _custom_reference(tmp_path)
    matched = match_systems(_systems({"product": "Alphabetic Ledgr"}, {"product": "Alphabatic Ledger"}),
                            **reference)
    assert matched["product_id"].tolist() == ["alphabet", "unlisted:alphabaticledger"]


def test_reference_data_as_frames(tmp_path):
    from estate.reference import load_capabilities, load_catalogue, load_vendors

    paths = _custom_reference(tmp_path)
    frames = {"capabilities": load_capabilities(paths["capabilities"]), "vendors": load_vendors(paths["vendors"]),
              "catalogue": load_catalogue(paths["catalogue"], capabilities=paths["capabilities"],
                                          vendors=paths["vendors"])}
    row = match_systems(_systems({"product": "Alphabetic Ledger v2"}), **frames).iloc[0]
    assert (row["product_id"], row["vendor_name"], row["capability_code"]) == ("alphabet", "Acme", "X")


def test_the_same_unknown_product_groups_across_organisations():
    matched = match_systems(_systems(
        {"organisation": "A", "product": "Grantify 3", "vendor": "Acme Digital"},
        {"organisation": "B", "product": "GRANTIFY v4.1"},
        {"organisation": "C", "product": "Acme Digital Grantify", "vendor": "Acme Digital Ltd"},
        {"organisation": "D", "product": "Grantify system"}))
    assert set(matched["product_id"]) == {"unlisted:grantify"}
    assert set(matched["product_name"]) == {"Acme Digital Grantify"}  # the most common spelling; ties by text


def test_an_unknown_name_two_vendors_share_is_two_products():
    # Taking the vendor off leaves "corporate" in both: one product bought by both would be a wrong merge.
    rows = _systems(
        {"organisation": "A", "product": "Vodafone Corporate", "vendor": "Vodafone"},
        {"organisation": "B", "product": "BT Corporate", "vendor": "BT"},
        {"organisation": "C", "product": "Corporate"},
        {"organisation": "D", "product": "Vodafone Corporate", "vendor": "Vodafone UK Ltd"})
    for order in ([0, 1, 2, 3], [3, 2, 1, 0]):
        matched = match_systems(rows.iloc[order]).set_index("organisation")
        assert matched.loc[["A", "B", "C", "D"], "product_id"].tolist() == [
            "unlisted:corporate@vodafone", "unlisted:corporate@bt", "unlisted:corporate", "unlisted:corporate@vodafone"]
        assert matched.loc[["A", "B", "C"], "product_name"].tolist() == ["Vodafone Corporate", "BT Corporate",
                                                                          "Corporate"]


def test_in_house_systems_are_never_grouped():
    matched = match_systems(_systems({"product": "In-house"}, {"product": "Bespoke Access database"},
                                     {"product": None, "vendor": "Internally developed"},
                                     {"product": None, "vendor": "Generic or In House EPR Provider", "system": "EPR"},
                                     {"product": "own build"}))
    assert (matched["product_method"] == "in-house").all()
    assert matched["product_id"].tolist() == [f"in-house:Org/{i}" for i in range(1, 6)]
    assert matched["product_confidence"].eq(1.0).all()


@pytest.mark.parametrize("text", ["N/A", "n/a", "various", "TBC", "unknown", "none", "-", "", None])
def test_placeholders_are_no_product(text):
    row = _one(product=text, system="Finance")
    assert pd.isna(row["product_id"])
    assert (row["product_method"], row["product_confidence"]) == ("no product", 0.0)


def test_blank_product_reads_the_system_name():
    matched = match_systems(_systems({"product": None, "system": "SystmOne"},
                                     {"product": "N/A", "system": "Payroll"},
                                     {"product": None, "system": "Connect", "capability": "Intranet"}))
    first, second, third = (matched.iloc[i] for i in range(3))
    assert (first["product_id"], first["product_method"], first["product_confidence"]) == ("systmone", "exact alias", 0.8)
    assert first["matched_text"] == "SystmOne"
    assert pd.isna(second["product_id"]) and second["capability_code"] == "CORP-HR"
    assert pd.isna(third["product_id"])  # NEC Connect is police records, not an intranet


def test_a_vendor_or_a_capability_in_the_product_cell_is_no_product():
    vendor_only = _one(product="Capita plc", system="Revenues")
    assert pd.isna(vendor_only["product_id"]) and vendor_only["vendor_name"] == "Capita"
    generic = _one(product="Finance System")
    assert pd.isna(generic["product_id"])
    assert (generic["capability_code"], generic["capability_method"]) == ("CORP-FIN", "from the input's capability text")


# --------------------------------------------------------------------------- splitting


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("Microsoft Teams; Mitel MiVoice", ["Microsoft Teams", "Mitel MiVoice"]),
        ("Grantify\nZoom", ["Grantify", "Zoom"]),
        ("EMIS and SystmOne", ["EMIS", "SystmOne"]),
        ("Microsoft Copilot; ChatGPT", ["Microsoft Copilot", "ChatGPT"]),
        ("commvault / Citrix XenDesktop", ["commvault", "Citrix XenDesktop"]),
        ("Civica W2, v5", ["Civica W2, v5"]),
        ("Capita Academy, Revenues", ["Capita Academy, Revenues"]),
        ("Civica Pay / Paris", ["Civica Pay / Paris"]),
        ("Veeam Backup & Replication", ["Veeam Backup & Replication"]),
        ("Agresso / Unit4 Business World", ["Agresso / Unit4 Business World"]),
        ("SystmOne; n/a", ["SystmOne"]),
        ("", []),
    ],
)
def test_split_products(text, parts):
    assert split_products(text) == parts


def test_a_split_row_keeps_its_source_and_shares_its_costs():
    systems = _systems({"product": "Microsoft Teams; Mitel MiVoice; Zoom", "users": 300.0, "annual_cost": 90_000.0,
                        "licence_cost": 60_000.0, "source_file": "eden.xlsx", "source_row": 7},
                       {"product": "Capita Academy, Revenues", "users": 40.0, "annual_cost": 10.0,
                        "licence_cost": 5.0, "source_file": "eden.xlsx", "source_row": 8})
    matched = match_systems(systems)
    assert matched["system_key"].tolist() == ["Org/1", "Org/1~2", "Org/1~3", "Org/2"]
    assert matched["split_from"].tolist()[:3] == ["Org/1"] * 3 and pd.isna(matched["split_from"].iloc[3])
    assert matched["product"].tolist() == ["Microsoft Teams", "Mitel MiVoice", "Zoom", "Capita Academy, Revenues"]
    assert matched["product_id"].tolist() == ["microsoft-teams", "mivoice-business", "zoom", "capita-academy"]
    assert matched["source_row"].tolist() == [7, 7, 7, 8]
    assert matched["users"].tolist() == [300.0, 300.0, 300.0, 40.0]
    assert matched["annual_cost"].tolist() == [30_000.0] * 3 + [10.0]
    assert matched["annual_cost"].sum() == systems["annual_cost"].sum()
    assert matched["licence_cost"].sum() == systems["licence_cost"].sum()
    # the known product; the rest is not a product, and is said so (issue 9: nothing dropped in silence)
    assert matched.loc[3, "product_confidence"] == 1.0
    assert matched.loc[3, "match_note"] == "'Revenues' is a capability, not a product"
    assert matched["match_note"].iloc[:3].isna().all()


def test_parts_naming_one_product_are_one_system():
    matched = match_systems(_systems({"product": "Agresso; Unit4 Business World", "annual_cost": 10.0}))
    assert len(matched) == 1 and matched.loc[0, "annual_cost"] == 10.0
    assert pd.isna(matched.loc[0, "split_from"])


# --------------------------------------------------------------------------- capabilities


def test_capability_text_wins_when_exact():
    row = _one(product="Unit4 Business World", capability="HR & Payroll")
    assert (row["capability_code"], row["capability_method"], row["capability_confidence"]) == (
        "CORP-HR", "from the input's capability text", 1.0)


def test_council_function_is_read_as_the_capability_serving_it():
    assert _one(product="Grantify", capability="Finance")["capability_code"] == "CORP-FIN"  # ESD-116


def test_capability_inferred_from_the_product():
    row = _one(product="iTrent v10")
    assert (row["capability_code"], row["capability_name"], row["capability_method"]) == (
        "CORP-HR", "HR and payroll", "inferred from the product")
    assert row["capability_confidence"] == 0.8
    fuzzy = _one(product="SytsmOne")
    assert fuzzy["capability_confidence"] == pytest.approx(0.8 * fuzzy["product_confidence"], abs=1e-4)


def test_capability_typo_and_free_text():
    typo = _one(product="Grantify", capability="Finanace")
    assert (typo["capability_code"], typo["capability_method"]) == ("CORP-FIN", "from the input's capability text")
    assert typo["capability_confidence"] < 1.0
    assert _one(product="Grantify", capability="HR/Payroll")["capability_code"] == "CORP-HR"
    assert _one(product="Grantify", capability="Document Mgmt")["capability_code"] == "CORP-DOCS"
    assert _one(product="Grantify", capability="ESD-170")["capability_code"] == "ESD-170"


@pytest.mark.parametrize(("text", "wrong"), [
    # Real capability cells of the sample trusts (inventories/cumbria), once read as a typing error of another
    # capability's name: each differs from it by two letters, but in a word the capabilities use themselves.
    ("Cardiology", "NHS-RIS"),  # radiology
    ("Patient Services", "XC-HYBRIDMAIL"),  # print services
    ("Costing", "CORP-HOSTING"),  # hosting
    ("Clinical Communications", "XC-RADIO"),  # critical communications
])
def test_a_known_word_is_not_a_typing_error_of_another(text, wrong):
    row = _one(product="Grantify", capability=text)
    assert row["capability_code"] != wrong


def test_a_typing_error_in_a_capability_is_still_read():
    # "Revenus" and "Benfits" are no capability's words: typing errors, read as Revenues and benefits.
    row = _one(product="Grantify", capability="Revenus and Benfits")
    assert (row["capability_code"], row["capability_method"]) == ("LG-REVBEN", "from the input's capability text")
    assert row["capability_confidence"] < 1.0
    # A nurse call or clinical communications platform is nurse call, not emergency services radio.
    assert _one(product="Grantify", capability="Clinical Communications")["capability_code"] == "NHS-NURSECALL"
    assert _one(product="Grantify", capability="Patient-level costing (PLICS)")["capability_code"] == "NHS-COSTING"
    # A product named after what it does stays a product ("PLICS" is no capability synonym: the sample trusts'
    # "Civica PLICS" would have been read as a supplier and a capability, no product).
    civica = _one(product="Civica PLICS", capability="Costing")
    assert (civica["product_name"], civica["product_method"]) == ("Civica PLICS", "unlisted")


def test_the_more_specific_of_related_capabilities_is_kept():
    row = _one(product="Liquidlogic LCS", capability="Health and social care")
    assert row["capability_code"] == "ESD-152"
    row = _one(product="Mosaic", capability="Adult social care")
    assert (row["capability_code"], row["capability_method"]) == ("ESD-148", "from the input's capability text")


def test_in_a_split_cell_each_product_keeps_its_own_capability():
    matched = match_systems(_systems({"product": "Microsoft Teams; Mitel MiVoice", "capability": "Telephony"}))
    assert matched["capability_code"].tolist() == ["XC-COLLAB", "XC-TELEPHONY"]


def test_unmatched_capability():
    row = _one(product="Grantify", capability="Miscellaneous stuff")
    assert pd.isna(row["capability_code"])
    assert (row["capability_method"], row["capability_confidence"], row["match_confidence"]) == ("unmatched", 0.0, 0.0)


# --------------------------------------------------------------------------- mapping files


def test_review_and_mapping_round_trip(tmp_path):
    systems = _systems({"product": "Grantify 3", "capability": "grants"},
                       {"product": "Grantify 3", "organisation": "Other", "system_key": "Other/1"},
                       {"product": "Paris / Civica Pay", "capability": "payments"},
                       {"product": "Uniformm Planning"},
                       {"product": "iTrent", "capability": "HR"})
    matched = match_systems(systems)
    # "Paris / Civica Pay" is a catalogue alias of Civica Pay (Paris is its old name): catalogue names win
    assert matched.loc[2, ["product_id", "product_confidence"]].tolist() == ["civica-pay", 1.0]
    review = review_table(matched)
    assert list(review.columns[:4]) == ["raw_text", "product", "vendor", "capability"]
    assert review["raw_text"].tolist() == ["Grantify 3", "Uniformm Planning"]
    assert review.loc[0, "systems"] == 2 and review.loc[0, "organisations"] == 2
    assert review.loc[0, "product"] == "Grantify 3" and review.loc[0, "suggested_product_id"] == "unlisted:grantify"
    edited = pd.concat([review, pd.DataFrame({"raw_text": ["Paris / Civica Pay"], "product": ["Civica Pay"]})],
                       ignore_index=True)
    edited.loc[edited["raw_text"] == "Uniformm Planning", "product"] = "Idox Uniform"
    edited.loc[edited["raw_text"] == "Grantify 3", ["product", "vendor", "capability"]] = [
        "Grantify", "Acme Digital", "ESD-5"]
    path = tmp_path / "review.csv"
    edited.to_csv(path, index=False)
    mapping = read_mapping(path)
    assert mapping[["raw_text", "product"]].values.tolist() == [
        ["Grantify 3", "Grantify"], ["Uniformm Planning", "Idox Uniform"], ["Paris / Civica Pay", "Civica Pay"]]
    again = match_systems(systems, mapping=path)
    assert again.loc[2, ["product_id", "product_method", "product_confidence"]].tolist() == [
        "civica-pay", "user override", 1.0]
    assert again.loc[3, ["product_id", "product_method", "capability_code"]].tolist() == [
        "idox-uniform", "user override", "ESD-170"]
    grantify = again[again["product"] == "Grantify 3"]
    assert set(grantify["product_id"]) == {"unlisted:grantify"}
    assert set(grantify["product_name"]) == {"Grantify"}
    assert set(grantify["vendor_name"]) == {"Acme Digital"}
    assert set(grantify["product_method"]) == {"user override"}
    assert set(grantify["capability_method"]) == {"user override"}
    assert len(again) == len(systems)
    assert review_table(again).empty  # every doubtful row is now confirmed
    pd.testing.assert_frame_equal(again, match_systems(systems, mapping=mapping))  # a DataFrame works the same


def test_mapping_by_system_name_and_from_excel(tmp_path):
    path = tmp_path / "mapping.xlsx"
    pd.DataFrame({"raw_text": ["Planning portal", "SystmOne"], "product": ["Idox Uniform", "in-house"],
                  "vendor": ["", ""], "capability": ["", "ESD-170"]}).to_excel(path, sheet_name="Mapping", index=False)
    systems = _systems({"product": None, "system": "Planning Portal"}, {"product": "SystmOne"})
    matched = match_systems(systems, mapping=path)
    assert matched.loc[0, "product_id"] == "idox-uniform"
    assert matched.loc[0, "product_method"] == "user override"
    assert matched.loc[1, "product_id"] == "in-house:Org/2"
    assert matched.loc[1, "capability_code"] == "ESD-170"


def test_mapping_with_only_a_capability_leaves_the_product_automatic(tmp_path):
    mapping = pd.DataFrame({"raw_text": ["iTrent"], "product": [""], "vendor": [""], "capability": ["Recruitment"]})
    row = match_systems(_systems({"product": "iTrent"}), mapping=mapping).iloc[0]
    assert (row["product_id"], row["product_method"]) == ("itrent", "exact alias")
    assert (row["capability_code"], row["capability_method"]) == ("CORP-RECRUIT", "user override")


def test_mapping_without_a_product_keeps_automatic_matching_everywhere():
    mapping = pd.DataFrame({"raw_text": ["SytsmOne", "Teams; Zoom", "Planning portal", "Grantify"],
                            "product": ["", "", "", "unlisted:Grant Tool"], "vendor": ["", "", "Idox", ""],
                            "capability": ["NHS-EPR", "Video conferencing", "ESD-170", ""]})
    matched = match_systems(_systems({"product": "SytsmOne"}, {"product": "Teams; Zoom"},
                                     {"product": None, "system": "Planning Portal"}, {"product": "Grantify"}),
                            mapping=mapping)
    assert matched["product_id"].tolist()[:3] == ["systmone", "microsoft-teams", "zoom"]
    assert matched["product_method"].tolist()[:3] == ["fuzzy", "exact alias", "exact alias"]
    assert matched["capability_code"].tolist()[:4] == ["NHS-EPR", "XC-VIDEO", "XC-VIDEO", "ESD-170"]
    planning = matched.iloc[3]
    assert pd.isna(planning["product_id"]) and planning["vendor_name"] == "Idox"
    assert planning["capability_method"] == "user override"
    assert matched.iloc[4][["product_id", "product_name"]].tolist() == ["unlisted:granttool", "Grant Tool"]


def test_mapping_errors_name_file_row_and_column(tmp_path):
    missing = tmp_path / "missing_column.csv"
    missing.write_text("text_as_typed,product\nA,B\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"missing_column\.csv: row 1: no 'raw_text' column"):
        read_mapping(missing)
    blank = tmp_path / "blank.csv"
    blank.write_text("raw_text,product,vendor,capability\nA,Uniform,,\n,Teams,,\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"^blank\.csv, row 3, column 'raw_text': "):
        read_mapping(blank)
    clash = tmp_path / "clash.csv"
    clash.write_text("raw_text,product\nGrantify,A\nGRANTIFY,B\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"clash\.csv, row 3, column 'raw_text': .* row 2"):
        read_mapping(clash)
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("raw_text,product,vendor,capability\nGrantify,,,Juggling\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"unknown\.csv, row 2, column 'capability': 'Juggling'"):
        match_systems(_systems({"product": "Grantify"}), mapping=unknown)
    with pytest.raises(InputFileError, match="nowhere.csv"):
        read_mapping(tmp_path / "nowhere.csv")
    not_sheet = tmp_path / "notes.txt"
    not_sheet.write_text("hello", encoding="utf-8")
    with pytest.raises(InputFileError, match="notes.txt"):
        read_mapping(not_sheet)
    for error in (missing, blank):
        assert "\n" not in str(pytest.raises(Exception, read_mapping, error).value)


def test_review_table_checks_its_input():
    with pytest.raises(ParameterError, match="matched_text"):
        review_table(pd.DataFrame({"system_key": ["a"]}))
    with pytest.raises(ParameterError, match="'below' parameter of review_table"):
        review_table(match_systems(_systems({"product": "iTrent"})), below=2)
    empty = review_table(match_systems(_systems({"product": "iTrent", "capability": "HR"})))
    assert empty.empty and list(empty.columns[:4]) == ["raw_text", "product", "vendor", "capability"]


# --------------------------------------------------------------------------- integration and properties


def test_matches_an_inventory_read_from_files(tmp_path):
    from estate import reading

    (tmp_path / "eden.csv").write_text(
        "Organisation: Eden District Council\n\nApplication,Supplier,Product,Annual cost,Users\n"
        "Revenues,Northgate,iWorld v3,£85k,40\nComms,,Microsoft Teams; Mitel MiVoice,£30k,300\n", encoding="utf-8")
    systems = reading.read_inventory([tmp_path]).systems
    matched = match_systems(systems)
    assert matched["product_id"].tolist() == ["microsoft-teams", "mivoice-business", "nec-revenues-benefits"]
    assert matched["source_row"].tolist() == [5, 5, 4]
    assert matched["annual_cost"].sum() == systems["annual_cost"].sum()


def _labelled() -> pd.DataFrame:
    return pd.read_csv(ACCURACY / "labelled.csv", dtype=str, keep_default_na=False)


def test_accuracy_goals_hold_on_a_slice_of_the_labelled_set():
    sys.path.insert(0, str(ACCURACY))
    try:
        from score import score
    finally:
        sys.path.remove(str(ACCURACY))
    report, _ = score(_labelled().iloc[:800])
    assert report.product.precision >= 0.97
    assert report.product.f1 >= 0.95
    assert report.capability.f1 >= 0.90


@functools.cache
def _sample() -> pd.DataFrame:
    """Every 37th labelled row: all kinds of cells, small enough to match many times."""
    labelled = _labelled().iloc[::37].reset_index(drop=True)
    return pd.DataFrame({"system_key": labelled["row_id"], "organisation": labelled["organisation"],
                         "system": labelled["system"], "vendor": labelled["raw_vendor"],
                         "product": labelled["raw_product"], "capability": labelled["raw_capability"],
                         "annual_cost": np.arange(len(labelled), dtype=float)})


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False))
def test_matches_do_not_depend_on_row_order(random):
    sample = _sample()
    order = list(range(len(sample)))
    random.shuffle(order)
    expected = match_systems(sample).sort_values("system_key").reset_index(drop=True)
    shuffled = match_systems(sample.iloc[order]).sort_values("system_key").reset_index(drop=True)
    pd.testing.assert_frame_equal(shuffled, expected)
