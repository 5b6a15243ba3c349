"""Tests of estate.reference: the packaged reference data and its loaders."""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from estate import reference
from estate.errors import EstateError, ParameterError
from estate.reference import (
    alias_lookup,
    capability_lookup,
    load_capabilities,
    load_catalogue,
    load_vendors,
    vendor_lookup,
)
from estate.schema import normalise_header

DATA = Path(reference.__file__).parent / "data"
# shared/ sits beside the repository (the developers' machines and CI alike).
ESD_SOURCE = next((p for p in (Path(__file__).resolve().parents[2] / "shared" / "data" / "esd-function-taxonomy"
                               / "esd_functions.csv", Path("/work/shared/data/esd-function-taxonomy/esd_functions.csv"))
                   if p.is_file()), Path("shared/data/esd-function-taxonomy/esd_functions.csv"))
SECTOR_ROOTS = {"ESD", "LG", "XC", "CORP", "NHS", "POL", "FIRE", "HSG"}


@pytest.fixture(scope="module")
def capabilities() -> pd.DataFrame:
    return load_capabilities()


@pytest.fixture(scope="module")
def vendors() -> pd.DataFrame:
    return load_vendors()


@pytest.fixture(scope="module")
def catalogue() -> pd.DataFrame:
    return load_catalogue()


def _key(text: str) -> str:
    """Normalise independently of the module: case and punctuation ignored."""
    return re.sub(r"[^0-9a-z]+", "", text.lower().replace("&", " and "))


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _rows(name: str) -> tuple[list[str], list[list[str]]]:
    with (DATA / name).open(newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    return table[0], table[1:]


# --------------------------------------------------------------------------- the files


def test_packaged_files_and_readme_exist():
    for name in ("capabilities.csv", "vendors.csv", "catalogue.csv", "README.md"):
        assert (DATA / name).is_file()


def test_columns(capabilities, vendors, catalogue):
    assert list(capabilities.columns) == ["code", "name", "parent", "sector", "synonyms", "description"]
    assert list(vendors.columns) == ["vendor", "aliases", "former_names", "acquired_by", "country", "notes"]
    assert list(catalogue.columns) == ["product_id", "product", "vendor", "aliases", "capability", "notes", "family"]


def test_list_cells_are_tuples(capabilities, vendors, catalogue):
    assert all(isinstance(value, tuple) for value in capabilities["synonyms"])
    assert all(isinstance(value, tuple) for value in vendors["aliases"])
    assert all(isinstance(value, tuple) for value in vendors["former_names"])
    assert all(isinstance(value, tuple) for value in catalogue["aliases"])


def test_counts(capabilities, vendors, catalogue):
    assert len(catalogue) >= 250
    assert len(vendors) >= 120
    esd = capabilities[capabilities["code"].str.fullmatch(r"ESD-\d+")]
    assert len(esd) == 176
    assert set(esd["code"]) == {f"ESD-{number}" for number in range(1, 177)}
    # The source calls them "24 top-level areas", but its file leaves 13 without a parent.
    assert (esd["parent"] == "ESD").sum() == 13


@pytest.mark.skipif(not ESD_SOURCE.is_file(), reason="the shared ESD source file is not available")
def test_esd_rows_match_the_published_list(capabilities):
    source = pd.read_csv(ESD_SOURCE, dtype=str, keep_default_na=False)
    ours = capabilities.set_index("code")
    for row in source.itertuples():
        code = f"ESD-{row.function_id}"
        assert ours.at[code, "name"] == row.label
        assert ours.at[code, "parent"] == (f"ESD-{row.parent_id}" if row.parent_id else "ESD")


def test_sector_roots(capabilities):
    roots = capabilities[capabilities["parent"] == ""]
    assert set(roots["code"]) == SECTOR_ROOTS
    assert 15 <= (capabilities["parent"] == "XC").sum() <= 25


@pytest.mark.parametrize(
    "code",
    [
        "XC-PAY", "XC-FORMS", "XC-IDAM", "XC-WORKFLOW", "XC-BOOKING", "XC-EMAIL", "XC-MESSAGING",
        "XC-TELEPHONY", "XC-CONTACT", "XC-WEBCMS", "XC-INTRANET", "XC-COLLAB", "XC-INTEGRATION",
        "XC-BI", "XC-DWH",
        "CORP-FIN", "CORP-HR", "CORP-PROC", "CORP-DOCS", "CORP-CRM", "CORP-GIS", "CORP-ITSM",
        "CORP-BACKUP", "CORP-HOSTING", "CORP-NETWORK", "CORP-ENDPOINT", "CORP-SIEM", "CORP-ASSET",
        "CORP-PPM", "CORP-LMS", "CORP-TIME", "CORP-EXPENSES", "CORP-FLEET", "CORP-FM",
        "NHS-EPR", "NHS-GP", "NHS-LIMS", "NHS-PACS", "NHS-RIS", "NHS-ROSTER", "NHS-EPMA",
        "NHS-THEATRES", "NHS-MATERNITY", "NHS-MHEPR", "NHS-COMMEPR", "NHS-DICTATION", "NHS-FLOW",
        "NHS-ORDERCOMMS", "NHS-ED", "NHS-AMBCAD", "NHS-ERS", "NHS-CODING", "NHS-PORTAL",
        "POL-RMS", "POL-CAD", "POL-CUSTODY", "POL-CASE", "POL-INTEL", "POL-DEMS", "POL-BWV",
        "POL-CRIME", "POL-DUTY", "POL-ANPR", "POL-PROPERTY", "POL-FIREARMS",
        "FIRE-MOB", "FIRE-IRS", "FIRE-CFS", "FIRE-PROT", "FIRE-AVAIL", "FIRE-TRAIN", "FIRE-ASSET",
        "HSG-HM", "HSG-REPAIRS", "HSG-RENTS", "LG-REVBEN",
    ],
)
def test_required_capabilities_exist(capabilities, code):
    row = capabilities.set_index("code").loc[code]
    assert row["parent"] == code.split("-")[0]


# --------------------------------------------------------------------------- integrity


def test_capability_codes_unique_and_parents_exist(capabilities):
    assert capabilities["code"].is_unique
    codes = set(capabilities["code"])
    assert set(capabilities["parent"]) - {""} <= codes


def test_capability_tree_has_no_cycles(capabilities):
    parent = dict(zip(capabilities["code"], capabilities["parent"]))
    for code in parent:
        seen = set()
        while code:
            assert code not in seen
            seen.add(code)
            code = parent[code]
        assert seen & SECTOR_ROOTS


def test_catalogue_references_exist(capabilities, vendors, catalogue):
    assert catalogue["product_id"].is_unique
    assert set(catalogue["capability"]) <= set(capabilities["code"])
    assert set(catalogue["vendor"]) <= set(vendors["vendor"])


def test_catalogue_vendor_is_the_current_one(vendors, catalogue):
    bought = set(vendors.loc[vendors["acquired_by"] != "", "vendor"])
    assert not set(catalogue["vendor"]) & bought


def test_acquisitions_resolve_without_cycles(vendors):
    assert vendors["vendor"].is_unique
    buyer = dict(zip(vendors["vendor"], vendors["acquired_by"]))
    assert set(buyer.values()) - {""} <= set(buyer)
    for vendor in buyer:
        seen = set()
        while vendor:
            assert vendor not in seen
            seen.add(vendor)
            vendor = buyer[vendor]


def test_product_ids_are_slugs(catalogue):
    assert catalogue["product_id"].str.fullmatch(r"[0-9a-z]+(-[0-9a-z]+)*", case=False).all()


def test_no_alias_ends_in_a_bracket(vendors, catalogue):
    # normalise_header drops a trailing bracket, so such an alias would lose words.
    names = [a for cell in catalogue["aliases"] for a in cell]
    names += [a for cell in vendors["aliases"] for a in cell]
    names += [a for cell in vendors["former_names"] for a in cell]
    assert not [name for name in names if name.endswith(")") or name.endswith("]")]


# --------------------------------------------------------------------------- ambiguity


def test_no_synonym_points_at_two_capabilities(capabilities):
    owners: dict[str, set[str]] = defaultdict(set)
    names: dict[str, set[str]] = defaultdict(set)
    for row in capabilities.itertuples():
        names[_key(row.name)].add(row.code)
        for synonym in row.synonyms:
            owners[_key(synonym)].add(row.code)
    clashes = {key: codes for key, codes in owners.items() if len(codes | names.get(key, set())) > 1}
    assert clashes == {}


def test_only_known_esd_names_are_shared(capabilities):
    by_name = capabilities.groupby(capabilities["name"].map(_key))["code"].agg(set)
    shared = {key: codes for key, codes in by_name.items() if len(codes) > 1}
    assert shared == {"democraticservices": {"ESD-115", "ESD-146"}, "utilites": {"ESD-41", "ESD-92"}}


def test_no_alias_points_at_two_products(catalogue):
    owners: dict[str, set[str]] = defaultdict(set)
    for row in catalogue.itertuples():
        for name in (row.product, *row.aliases):
            owners[_key(name)].add(row.product_id)
    assert {key: ids for key, ids in owners.items() if len(ids) > 1} == {}


def test_no_alias_points_at_two_vendors(vendors):
    owners: dict[str, set[str]] = defaultdict(set)
    for row in vendors.itertuples():
        for name in (row.vendor, *row.aliases, *row.former_names):
            owners[_key(name)].add(row.vendor)
    assert {key: names for key, names in owners.items() if len(names) > 1} == {}


@pytest.mark.parametrize("word", ["finance", "hr", "payroll", "crm", "email", "website", "erp"])
def test_generic_words_are_not_product_aliases(word):
    assert word not in alias_lookup()


@pytest.mark.parametrize("name", ["vision", "paris", "sunrise", "symphony", "horizon", "synapse"])
def test_names_shared_by_products_are_left_unmatched(name):
    assert name not in alias_lookup()


# --------------------------------------------------------------------------- lookups


@pytest.mark.parametrize(
    ("text", "product_id"),
    [
        ("Agresso", "unit4-erp"),
        ("Unit4 Business World", "unit4-erp"),
        ("U4BW", "unit4-erp"),
        ("Business World On!", "unit4-erp"),
        ("Cerner Millennium", "oracle-health-millennium"),
        ("Northgate M3", "nec-assure"),
        ("Northgate iWorld", "nec-revenues-benefits"),
        ("Capita Academy", "capita-academy"),
        ("Idox Public Access", "idox-uniform"),
        ("Tascomi / SmartAdmin", "tascomi"),
        ("Medway PAS", "careflow-epr"),
        ("iSoft Lorenzo", "lorenzo"),
        ("Allscripts Sunrise", "sunrise-epr"),
        ("TPP SystmOne", "systmone"),
        ("EMIS", "emis-web"),
        ("Servelec RiO", "rio"),
        ("Frameworki", "mosaic"),
        ("Liquidlogic LCS", "liquidlogic-lcs"),
        ("Midland iTrent", "itrent"),
        ("NGA ResourceLink", "resourcelink"),
        ("Firmstep", "firmstep"),
        ("Lagan", "verint-lagan"),
        ("Pitney Bowes Confirm", "confirm"),
        ("O365", "microsoft-365"),
        ("SharePoint Online", "sharepoint-online"),
        ("Mod.gov", "modern-gov"),
        ("Athena", "athena"),
        ("STORM", "storm"),
        ("Lotus Notes", "hcl-notes"),
        ("Azure AD", "entra-id"),
        ("SCCM", "configuration-manager"),
    ],
)
def test_alias_lookup(text, product_id):
    assert alias_lookup()[normalise_header(text)] == product_id


def test_cerner_millennium_is_an_oracle_health_product(catalogue):
    product_id = alias_lookup()[normalise_header("Cerner Millennium")]
    assert catalogue.set_index("product_id").at[product_id, "vendor"] == "Oracle Health"
    assert vendor_lookup()[normalise_header("Cerner Corporation")] == "Oracle Health"


@pytest.mark.parametrize(
    ("text", "vendor"),
    [
        ("Northgate", "NEC Software Solutions"),
        ("Northgate Public Services", "NEC Software Solutions"),
        ("NEC Software Solutions UK Limited", "NEC Software Solutions"),
        ("MS", "Microsoft"),
        ("Microsoft Corporation", "Microsoft"),
        ("Microsoft UK Ltd", "Microsoft"),
        ("Microsoft Ltd", "Microsoft"),
        ("Nuance", "Microsoft"),
        ("Cerner", "Oracle Health"),
        ("Oracle Cerner Corporation", "Oracle Health"),
        ("Agresso", "Unit4"),
        ("Servelec", "The Access Group"),
        ("Corelogic", "The Access Group"),
        ("Firmstep", "Granicus"),
        ("GovDelivery", "Granicus"),
        ("Liquidlogic", "System C"),
        ("Tascomi", "Idox"),
        ("Modern Mindset", "Civica"),
        ("Orchard", "MRI Software"),
        ("EMIS Health", "Optum"),
        ("Lagan", "Verint"),
        ("Innovative Interfaces", "Clarivate"),
        ("LANDesk", "Ivanti"),
        ("Cherwell", "Ivanti"),
        ("Dude Solutions", "Brightly Software"),
        ("Pitney Bowes", "Precisely"),
        ("Capita SIMS", "Education Software Solutions"),
        ("Allocate", "RLDatix"),
        ("Ceridian", "Dayforce"),
        ("Allscripts", "Altera Digital Health"),
        ("CIVICA UK LIMITED", "Civica"),
        ("Idox PLc", "Idox"),
        ("COMPUTACENTER (UK) LIMITED", "Computacenter"),
        ("Insight Direct (Uk) Limited", "Insight"),
        ("8X8 UK LIMITED", "8x8"),
        ("System C Healthcare Ltd", "System C"),
        ("Dedalus Healthcare Ltd", "Dedalus"),
        ("Advanced Health and Care Limited", "OneAdvanced"),
        ("The Phoenix Partnership (Leeds) Ltd", "TPP"),
        ("Phoenix Software Ltd", "Phoenix Software"),
    ],
)
def test_vendor_lookup(text, vendor):
    assert vendor_lookup()[normalise_header(text)] == vendor


@pytest.mark.parametrize(
    "supplier",
    [
        "Oracle Cerner Corporation", "TPP", "The Access Group", "System C Healthcare Ltd",
        "Dedalus Healthcare Ltd", "Altera Digital Health", "Epic Systems Corporation",
        "Advanced Health and Care Limited", "Meditech Group Limited", "Civica UK Limited",
        "Cleric Computer Services Ltd", "Nervecentre Software Ltd", "Alcidion",
        "Medusa Medical Technologies Inc", "IMS Maxims Ltd", "Ortivus UK Ltd", "Fortrus Ltd",
        "CGI UK Ltd", "QuadraMed", "InterSystems", "Cambio Healthcare Systems Ltd",
        "Graphnet Health Ltd",
    ],
)
def test_every_nhs_epr_supplier_name_resolves(supplier):
    # The supplier strings of NHS England's primary EPR list (shared/data/nhs-trust-epr-suppliers).
    assert normalise_header(supplier) in vendor_lookup()


@pytest.mark.parametrize("reseller", ["Softcat", "Phoenix Software", "Computacenter", "Insight", "Bytes Software Services"])
def test_resellers_are_marked(vendors, reseller):
    assert "reseller" in vendors.set_index("vendor").at[reseller, "notes"].lower()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("revs & bens", "LG-REVBEN"),
        ("Revs and Bens", "LG-REVBEN"),
        ("Revenues and benefits", "LG-REVBEN"),
        ("NNDR", "LG-REVBEN"),
        ("Benefits", "ESD-3"),
        ("ESD-3", "ESD-3"),
        ("Children and young people social care", "ESD-152"),
        ("choice based lettings", "ESD-156"),
        ("EDRMS", "CORP-DOCS"),
        ("Service desk", "CORP-ITSM"),
        ("single sign-on", "XC-IDAM"),
        ("PACS", "NHS-PACS"),
        ("e-rostering", "NHS-ROSTER"),
        ("Command and control", "POL-CAD"),
        ("Mobilising", "FIRE-MOB"),
        ("Housing management", "HSG-HM"),
    ],
)
def test_capability_lookup(text, code):
    assert capability_lookup()[normalise_header(text)] == code


def test_shared_capability_names_are_left_out():
    lookup = capability_lookup()
    assert "democraticservices" not in lookup
    assert "utilites" not in lookup


def test_lookup_values_are_valid(capabilities, vendors, catalogue):
    assert set(capability_lookup().values()) <= set(capabilities["code"])
    assert set(alias_lookup().values()) <= set(catalogue["product_id"])
    current = set(vendors.loc[vendors["acquired_by"] == "", "vendor"])
    assert set(vendor_lookup().values()) <= current


def test_every_product_is_reachable_by_its_name(catalogue):
    lookup = alias_lookup()
    for row in catalogue.itertuples():
        assert lookup[normalise_header(row.product)] == row.product_id


# --------------------------------------------------------------------------- the cache


def test_loaders_return_copies():
    first = load_catalogue()
    first.loc[0, "product"] = "changed"
    del first["aliases"]
    again = load_catalogue()
    assert again.loc[0, "product"] != "changed"
    assert "aliases" in again.columns
    caps = load_capabilities()
    caps["code"] = "x"
    assert load_capabilities()["code"].is_unique


def test_lookups_return_copies():
    lookup = alias_lookup()
    lookup["agresso"] = "something else"
    lookup.clear()
    assert alias_lookup()["agresso"] == "unit4-erp"
    vendors = vendor_lookup()
    vendors.clear()
    assert vendor_lookup()["northgate"] == "NEC Software Solutions"


# --------------------------------------------------------------------------- user files


def test_user_files_extend_the_packaged_data(tmp_path):
    header, rows = _rows("capabilities.csv")
    caps = _write(tmp_path / "caps.csv", header, rows + [["XC-BOTS", "Robots", "XC", "all", "robot|robots", ""]])
    header, rows = _rows("vendors.csv")
    vends = _write(tmp_path / "vendors.csv", header, rows + [["Acme Robots", "Acme", "", "", "GB", ""]])
    header, rows = _rows("catalogue.csv")
    cat = _write(tmp_path / "catalogue.csv", header + ["owner"],
                 [row + [""] for row in rows] + [["acme-bot", "AcmeBot", "Acme Robots", "Acme Bot 2", "XC-BOTS", "", "IT"]])
    assert capability_lookup(caps)["robots"] == "XC-BOTS"
    assert vendor_lookup(vends)["acme"] == "Acme Robots"
    loaded = load_catalogue(cat, capabilities=caps, vendors=vends)
    assert "owner" in loaded.columns
    assert alias_lookup(cat, capabilities=caps, vendors=vends)["acmebot2"] == "acme-bot"
    # the packaged cache is untouched
    assert "robots" not in capability_lookup()


def _error(call) -> str:
    with pytest.raises(ParameterError) as caught:
        call()
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_missing_column_names_file_and_column(tmp_path):
    path = _write(tmp_path / "my_caps.csv", ["code", "name", "parent", "sector", "description"],
                  [["A", "Alpha", "", "all", ""]])
    message = _error(lambda: load_capabilities(path))
    assert message.startswith("my_caps.csv, row 1, column 'synonyms':")


def test_unknown_parent_names_row_and_column(tmp_path):
    header = ["code", "name", "parent", "sector", "synonyms", "description"]
    path = _write(tmp_path / "my_caps.csv", header,
                  [["A", "Alpha", "", "all", "", ""], ["B", "Beta", "Z", "all", "", ""]])
    message = _error(lambda: load_capabilities(path))
    assert message.startswith("my_caps.csv, row 3, column 'parent':")
    assert "'Z'" in message


def test_ambiguous_synonym_is_refused(tmp_path):
    header = ["code", "name", "parent", "sector", "synonyms", "description"]
    path = _write(tmp_path / "caps.csv", header,
                  [["A", "Alpha", "", "all", "revs & bens", ""], ["B", "Beta", "", "all", "Revs and Bens", ""]])
    message = _error(lambda: load_capabilities(path))
    assert "row 3, column 'synonyms'" in message and "'A'" in message


def test_duplicate_code_is_refused(tmp_path):
    header = ["code", "name", "parent", "sector", "synonyms", "description"]
    path = _write(tmp_path / "caps.csv", header,
                  [["A", "Alpha", "", "all", "", ""], ["A", "Again", "", "all", "", ""]])
    assert "row 3, column 'code'" in _error(lambda: load_capabilities(path))


def test_unknown_capability_in_catalogue(tmp_path):
    path = _write(tmp_path / "cat.csv", ["product_id", "product", "vendor", "aliases", "capability", "notes"],
                  [["x", "X", "Microsoft", "", "CORP-FIN", ""], ["y", "Y", "Microsoft", "", "NOPE", ""]])
    message = _error(lambda: load_catalogue(path))
    assert message.startswith("cat.csv, row 3, column 'capability':")


def test_unknown_vendor_in_catalogue(tmp_path):
    path = _write(tmp_path / "cat.csv", ["product_id", "product", "vendor", "aliases", "capability", "notes"],
                  [["x", "X", "Nobody Ltd", "", "CORP-FIN", ""]])
    assert _error(lambda: load_catalogue(path)).startswith("cat.csv, row 2, column 'vendor':")


def test_alias_on_two_products_is_refused(tmp_path):
    path = _write(tmp_path / "cat.csv", ["product_id", "product", "vendor", "aliases", "capability", "notes"],
                  [["x", "X", "Microsoft", "Agresso", "CORP-FIN", ""], ["y", "Y", "Unit4", "AGRESSO!", "CORP-FIN", ""]])
    message = _error(lambda: load_catalogue(path))
    assert "row 3, column 'aliases'" in message


def test_vendor_alias_on_two_vendors_and_unknown_buyer(tmp_path):
    header = ["vendor", "aliases", "former_names", "acquired_by", "country", "notes"]
    clash = _write(tmp_path / "v1.csv", header, [["A Ltd", "Acme", "", "", "GB", ""], ["B Ltd", "", "ACME", "", "GB", ""]])
    assert "v1.csv, row 3, column 'former_names'" in _error(lambda: load_vendors(clash))
    buyer = _write(tmp_path / "v2.csv", header, [["A Ltd", "", "", "Nobody", "GB", ""]])
    assert _error(lambda: load_vendors(buyer)).startswith("v2.csv, row 2, column 'acquired_by':")


def test_acquisition_cycle_is_refused(tmp_path):
    header = ["vendor", "aliases", "former_names", "acquired_by", "country", "notes"]
    path = _write(tmp_path / "v.csv", header, [["A", "", "", "B", "", ""], ["B", "", "", "A", "", ""]])
    assert "loop" in _error(lambda: load_vendors(path))


def test_unreadable_files(tmp_path):
    assert "missing.csv" in _error(lambda: load_vendors(tmp_path / "missing.csv"))
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert _error(lambda: load_vendors(empty)).startswith("empty.csv:")


def test_errors_are_catchable_as_value_error(tmp_path):
    path = _write(tmp_path / "v.csv", ["vendor"], [["A"]])
    with pytest.raises(ValueError):
        load_vendors(path)
    with pytest.raises(EstateError):
        load_vendors(path)


def test_public_api_is_sorted():
    assert reference.__all__ == sorted(reference.__all__)


def test_every_product_family_is_a_catalogue_product(catalogue):
    families = catalogue["family"].fillna("")
    named = families[families != ""]
    assert set(named) <= set(catalogue["product_id"])
    # a family's own product belongs to it (Microsoft 365 is the family of Teams and of itself)
    by_id = dict(zip(catalogue["product_id"], families))
    assert all(by_id[f] == f for f in set(named))
    assert by_id["microsoft-teams"] == by_id["sharepoint-online"] == by_id["microsoft-365-copilot-chat"] == "microsoft-365"
    assert by_id["intune"] == by_id["entra-id"] == by_id["defender-endpoint"] == "microsoft-365"
    assert by_id["sap-hcm"] == "sap-ecc" and by_id["crystal-reports"] == "sap-businessobjects"
    assert by_id["autocad-map-3d"] == "autocad" and by_id["capita-prism"] == "capita-alto"
    # bought on their own: separate subscriptions of one vendor are not a family
    assert by_id["jira"] == by_id["confluence"] == by_id["autocad-civil-3d"] == by_id["sap-successfactors"] == ""
