"""Matching on inventories as people send them (issue 9): products from system names, cells that list
several products, no confident wrong matches, and issues charged to the right organisation."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from estate import read_inventory


def test_issues_in_a_combined_file_go_to_each_rows_organisation(tmp_path: Path) -> None:
    path = tmp_path / "combined.csv"
    path.write_text("Organisation,System,Product,Users\n"
                    "Eden,Finance,Unit4 ERP,40\n"
                    "Carlisle,Planning,Idox Uniform,lots\n"
                    "Carlisle,Waste,Bartec Collective,also lots\n", encoding="utf-8")
    inventory = read_inventory(path)
    owners = inventory.issue_organisations()
    users = inventory.issues["column"] == "users"
    assert users.sum() == 2
    assert owners[users].tolist() == ["Carlisle", "Carlisle"]
    summary = inventory.summary()
    assert summary.loc["Eden", "warnings"] == 0  # the file's first organisation is not charged
    assert summary.loc["Carlisle", "warnings"] == 2


def test_line_breaks_in_a_product_cell_survive_reading(tmp_path: Path) -> None:
    path = tmp_path / "eden.csv"
    path.write_text('System,Product\nSecurity,"Microsoft Defender\nSophos  Central"\nHR,"  iTrent "\n',
                    encoding="utf-8")
    systems = read_inventory(path).systems
    products = systems.set_index("system")["product"]
    assert products["Security"] == "Microsoft Defender\nSophos Central"
    assert products["HR"] == "iTrent"


from estate.matching import match_issues, match_systems, no_product_counts, review_table, split_products  # noqa: E402


def _systems(*rows: dict) -> pd.DataFrame:
    records = []
    for i, row in enumerate(rows):
        record = {"system_key": f"Org/{i + 1}", "organisation": "Org", "system": f"System {i + 1}",
                  "vendor": None, "product": None, "capability": None, "source_file": "org.xlsx",
                  "source_sheet": "Systems", "source_row": i + 2}
        record.update(row)
        records.append(record)
    return pd.DataFrame.from_records(records)


# --- build point 1: products from system names (examples from the issue's text) -----------------------------

@pytest.mark.parametrize(("name", "product_id"), [
    ("Microsoft Power BI - Custody", "power-bi"),       # a service after a dash
    ("Idox Uniform v10.5", "idox-uniform"),             # a version
    ("PROCONTRACT - CID", "procontract"),               # a team's initials after a dash
    ("Payroll (iTrent)", "itrent"),                     # the capability outside, the product in brackets
    ("Oracle Fusion - Adults", "oracle-fusion-erp"),    # a department
    ("Mosaic (Finance)", "mosaic"),                     # a department in brackets
    ("Servicenow test", "servicenow-itsm"),             # an environment
    ("Liquidlogic LCS - Children's Services", "liquidlogic-lcs"),
    ("Civica APP live 2023", "civica-app"),             # an environment and a year
    ("Uniform for Schools", "idox-uniform"),            # "for ..."
    ("Liqiudlogic LCS - Adults", "liquidlogic-lcs"),    # typing errors, as in product cells
    ("Agresso Busines World - Finance", "unit4-erp"),
    ("ServiceNwo test", "servicenow-itsm"),
    # from the GSA IT standards list (shared/data/gsa-it-standards)
    ("Cisco Jabber for Mac v14", "cisco-jabber"),          # a platform after "for"
    ("Corel Winzip 24.x for Windows", "winzip"),           # a version with a wildcard, a platform
    ("Autodesk Revit 2021", "autodesk-revit"),
    ("Adobe Acrobat Reader DC 2022 (22.xx or higher)", "adobe-acrobat-reader"),  # Reader is not Acrobat
    ("Microsoft Defender for Office 365 - Town Hall", "defender-office-365"),  # "for Office 365" is the name
    ("SharePoint 2013 - Adults", "sharepoint-server"),     # the version as written before the bare name
])
def test_the_product_is_read_from_the_system_name(name, product_id):
    row = match_systems(_systems({"system": name})).iloc[0]
    assert row["product_id"] == product_id
    assert row["matched_text"] == name


def test_a_system_name_that_names_no_known_product_is_an_unlisted_product_that_groups():
    matched = match_systems(_systems({"system": "Hirewell Recruit"},
                                     {"system": "Hirewell Recruit - Adults", "organisation": "Other",
                                      "system_key": "Other/1"},
                                     {"system": "Frobnicator Pro 2023 (Finance)"}))
    assert matched["product_id"].tolist() == ["unlisted:hirewellrecruit", "unlisted:hirewellrecruit",
                                              "unlisted:frobnicator"]
    assert matched["needs_review"].all()  # a product invented from a name: a person should see it


@pytest.mark.parametrize("name", ["Payroll", "Council Tax Portal", "Staff Intranet", "System 1", "Finance - Adults",
                                  "Customer Records Database"])
def test_a_system_named_after_what_it_does_has_no_product(name):
    assert pd.isna(match_systems(_systems({"system": name})).iloc[0]["product_id"])


def test_systems_with_no_product_are_counted_per_organisation_and_reported():
    matched = match_systems(_systems({"system": "Payroll"}, {"system": "Staff Intranet"}, {"system": "iTrent"},
                                     {"system": "Waste", "organisation": "Eden", "system_key": "Eden/1",
                                      "source_file": "eden.xlsx"}))
    counts = no_product_counts(matched)
    assert counts[["organisation", "no_product", "systems"]].values.tolist() == [["Eden", 1, 1], ["Org", 2, 3]]
    assert counts.loc[1, "examples"] == "Payroll, Staff Intranet"
    issues = match_issues(matched)
    warnings = issues[issues["severity"] == "warning"]
    assert warnings["source_file"].tolist() == ["eden.xlsx", "org.xlsx"]
    assert "2 of 3 systems of Org have no product" in warnings["problem"].iloc[1]
    assert "cannot be a shared platform" in warnings["problem"].iloc[1]


# --- build point 2: cells that list several products --------------------------------------------------------

@pytest.mark.parametrize(("cell", "products"), [
    ("Mosaic, ContrOCC, Tableau, Power BI", ["mosaic", "contrOCC", "tableau", "power-bi"]),
    ("Netcall Liberty, Jadu", ["unlisted:liberty", "jadu-cxm"]),          # an unknown part is kept
    ("Teams / Zoom", ["microsoft-teams", "zoom"]),
    ("Microsoft Defender\nSophos Central", ["defender-endpoint", "sophos-intercept-x"]),
    ("Frobber, Wizzle and Tableau", ["unlisted:frobber", "unlisted:wizzle", "tableau"]),
    ("Oracle Health Millennium", ["oracle-health-millennium"]),         # no separator: one product
    ("Marks & Spencer", ["unlisted:marksandspencer"]),                  # '&' inside an unknown name
    ("Veeam Backup & Replication", ["veeam-backup-replication"]),                   # '&' inside a catalogue name
    ("Civica Pay / Paris", ["civica-pay"]),                             # '/' inside a catalogue name
    ("Microsoft Copilot; ChatGPT", ["microsoft-365-copilot", "chatgpt"]),
    ("Zoom + Tableau", ["zoom", "tableau"]),
])
def test_a_cell_listing_several_products_becomes_one_system_each(cell, products):
    matched = match_systems(_systems({"product": cell}))
    assert matched["product_id"].tolist() == products
    assert matched["source_row"].tolist() == [2] * len(products)


def test_a_suite_with_its_members_in_brackets_is_the_suite_and_the_members_are_reported():
    matched = match_systems(_systems(
        {"product": "Microsoft 365 suite (Teams, SharePoint, Outlook, Word), Adobe Acrobat"}))
    assert matched["product_id"].tolist() == ["microsoft-365", "adobe-acrobat"]
    note = matched.loc[0, "match_note"]
    assert "'Teams', 'SharePoint', 'Outlook'" in note and "read as part of the suite Microsoft 365" in note
    # no suite outside the brackets: the members are the products
    members = match_systems(_systems({"product": "Video calls (Teams, Zoom)"}))
    assert members["product_id"].tolist() == ["microsoft-teams", "zoom"]


@pytest.mark.parametrize(("cell", "product", "said"), [
    ("Civica W2; v5", "civica-w2", "'v5' is a version or edition"),
    ("Capita Academy, Revenues", "capita-academy", "'Revenues' is a capability, not a product"),
    ("SystmOne; n/a", "systmone", "'n/a' is a placeholder"),
    ("Mosaic - Adults", "mosaic", "'Adults' is a qualifier (department, site, environment)"),
    ("Uniform, Idox", "idox-uniform", "'Idox' is a vendor's name"),
])
def test_a_part_that_is_not_a_product_is_reported_with_its_text(cell, product, said):
    matched = match_systems(_systems({"product": cell}))
    assert matched["product_id"].tolist() == [product]
    issues = match_issues(matched)
    assert len(issues) == 1
    assert issues.loc[0, ["source_file", "sheet", "source_row", "column", "severity"]].tolist() == [
        "org.xlsx", "Systems", 2, "product", "info"]
    assert said in issues.loc[0, "problem"]


def test_a_mapping_row_can_map_a_cell_to_several_products():
    mapping = pd.DataFrame({"raw_text": ["Office tools"], "product": ["Microsoft Teams; Zoom"],
                            "vendor": [None], "capability": [None]})
    matched = match_systems(_systems({"product": "Office tools"}), mapping=mapping)
    assert matched["product_id"].tolist() == ["microsoft-teams", "zoom"]
    assert set(matched["product_method"]) == {"user override"}


def test_split_products_keeps_unknown_parts():
    assert split_products("Netcall Liberty, Jadu") == ["Netcall Liberty", "Jadu"]
    assert split_products("Marks & Spencer") == ["Marks & Spencer"]


# --- build point 3: no confident wrong matches ----------------------------------------------------------------

def test_adobe_connect_is_not_nec_connect_and_dragon_professional_is_not_dragon_medical_one():
    matched = match_systems(_systems({"product": "Adobe Connect"}, {"product": "Dragon Professional"},
                                     {"product": "Amazon Connect"}, {"product": "NEC Connect"}))
    assert matched.loc[0, "product_id"] != "nec-connect"
    assert matched.loc[1, "product_id"] == "dragon-professional"
    assert matched.loc[2, "product_id"] != "nec-connect"
    assert matched.loc[3, "product_id"] == "nec-connect"


def test_a_match_that_removed_words_or_used_fuzzy_distance_is_reviewable_whatever_its_confidence():
    matched = match_systems(_systems({"product": "Uniform Cloud"}, {"product": "Idox Uniform 10.2"},
                                     {"product": "Uniformm"}, {"product": "Uniform", "vendor": "Civica"}))
    assert matched["product_id"].tolist() == ["idox-uniform"] * 4
    assert matched["match_confidence"].iloc[0] >= 0.8
    # an edition removed; nothing but the vendor's own name and a version; fuzzy; a contradicting vendor cell
    assert matched["needs_review"].tolist() == [True, False, True, True]
    review = review_table(matched)
    assert set(review["raw_text"]) == {"Uniform Cloud", "Uniformm", "Uniform"}


# --- build points 4 and 5: product families; one organisation, many rows of one product -----------------------

def test_joint_procurement_groups_by_family_and_counts_each_organisations_contract_once():
    from estate.assumptions import load_assumptions
    from estate.options import generate_options

    a = load_assumptions()
    systems = _systems(
        {"system_key": "A/1", "organisation": "A", "product": "Microsoft Teams", "annual_cost": 10_000.0},
        {"system_key": "A/2", "organisation": "A", "product": "SharePoint Online", "annual_cost": 5_000.0},
        {"system_key": "A/3", "organisation": "A", "system": "Microsoft Teams - Adults", "annual_cost": 2_000.0},
        {"system_key": "B/1", "organisation": "B", "product": "MS Teams", "annual_cost": 8_000.0},
        {"system_key": "C/1", "organisation": "C", "product": "OneDrive for Business", "annual_cost": 3_000.0},
        {"system_key": "C/2", "organisation": "C", "product": "Zoom", "annual_cost": 1_000.0})
    systems["contract_end"] = pd.Timestamp("2028-03-31")
    systems["users"] = 100.0
    matched = match_systems(systems)
    # rationalisation still sees the products; joint procurement sees what one contract buys
    assert matched.set_index("system_key").loc[["A/1", "A/2", "C/1", "C/2"], "product_id"].tolist() == [
        "microsoft-teams", "sharepoint-online", "onedrive", "zoom"]
    assert set(matched.loc[matched["system_key"] != "C/2", "product_family"]) == {"microsoft-365"}
    options = generate_options(matched, assumptions=a)
    jp = options.options[options.options["type"] == "joint procurement"]
    assert jp["target"].tolist() == ["microsoft-365"]
    effects = options.effects[options.effects["option_id"] == jp["option_id"].iloc[0]]
    assert sorted(effects["system_key"]) == ["A/1", "A/2", "A/3", "B/1", "C/1"]
    # the saving: the volume discount on each row's own cost (no breakdown given), nothing counted twice
    assert jp["annual_saving"].iloc[0] == pytest.approx(a.volume_discount * 28_000.0)
    # vendor management: one contract an organisation (A lists three rows of the family): 3, not 5
    flows = options.cash_flows[options.cash_flows["option_id"] == jp["option_id"].iloc[0]].set_index("year")
    assert flows.loc[2028, "costs"] == pytest.approx(3 * a.vendor_management_per_contract * a.cost_factor)


def test_family_members_bought_by_different_organisations_are_one_procurement_but_separate_products():
    """Crystal Reports is part of the BusinessObjects BI platform, SAP HCM a component of SAP ECC, Map 3D
    a toolset of an AutoCAD subscription: one contract each, while rationalisation compares products."""
    from estate.assumptions import load_assumptions
    from estate.options import generate_options

    a = load_assumptions()
    systems = _systems(
        {"system_key": "A/1", "organisation": "A", "product": "SAP BusinessObjects", "annual_cost": 6_000.0},
        {"system_key": "A/2", "organisation": "A", "product": "Crystal Reports", "annual_cost": 1_000.0},
        {"system_key": "B/1", "organisation": "B", "system": "SAP Crystal Reports 2020 - Finance",
         "annual_cost": 2_000.0},
        {"system_key": "C/1", "organisation": "C", "product": "SAP HR and Payroll", "annual_cost": 30_000.0},
        {"system_key": "D/1", "organisation": "D", "product": "SAP ECC6", "annual_cost": 50_000.0},
        {"system_key": "E/1", "organisation": "E", "product": "AutoCAD Map 3D 2020", "annual_cost": 700.0},
        {"system_key": "F/1", "organisation": "F", "product": "Autodesk AutoCAD 2022", "annual_cost": 900.0},
        {"system_key": "F/2", "organisation": "F", "product": "Civil 3D", "annual_cost": 800.0})
    systems["contract_end"] = pd.Timestamp("2028-03-31")
    systems["users"] = 10.0
    matched = match_systems(systems).set_index("system_key")
    assert matched["product_id"].to_dict() == {
        "A/1": "sap-businessobjects", "A/2": "crystal-reports", "B/1": "crystal-reports", "C/1": "sap-hcm",
        "D/1": "sap-ecc", "E/1": "autocad-map-3d", "F/1": "autocad", "F/2": "autocad-civil-3d"}
    assert matched["product_family"].to_dict() == {
        "A/1": "sap-businessobjects", "A/2": "sap-businessobjects", "B/1": "sap-businessobjects",
        "C/1": "sap-ecc", "D/1": "sap-ecc", "E/1": "autocad", "F/1": "autocad", "F/2": "autocad-civil-3d"}
    options = generate_options(matched.reset_index(), assumptions=a)
    effects = options.effects.merge(options.options[["option_id", "type", "target"]], on="option_id")
    jp = effects[effects["type"] == "joint procurement"].groupby("target")["system_key"].agg(sorted)
    # C's HR and payroll and D's ERP are one SAP ECC contract; Civil 3D is bought on its own
    assert jp.to_dict() == {"autocad": ["E/1", "F/1"], "sap-businessobjects": ["A/1", "A/2", "B/1"],
                            "sap-ecc": ["C/1", "D/1"]}
    jp_options = options.options[options.options["type"] == "joint procurement"].set_index("target")
    assert jp_options.loc["sap-ecc", "annual_saving"] == pytest.approx(a.volume_discount * 80_000.0)
    # rationalisation still sees two products in A's BI estate and in F's design tools: keep one, retire the
    # other (each alternative survivor is an option), except that a report writer (Crystal Reports, a point
    # solution) does not take the BI platform (BusinessObjects): estate.fit's rule 2
    rw = options.options[options.options["type"] == "rationalisation"]
    assert sorted(zip(rw["lead_organisation"], rw["capability_code"], rw["target"], rw["n_retired"])) == [
        ("A", "XC-BI", "A/1", 1), ("F", "XC-DESIGN", "F/1", 1), ("F", "XC-DESIGN", "F/2", 1)]


# Names as the GSA IT standards list writes them (shared/data/gsa-it-standards), read from the system name alone:
# former names and owners reach today's product; near neighbours stay apart.
@pytest.mark.parametrize(("name", "product_id"), [
    ("Websense", "forcepoint-web-security"),                    # renamed Forcepoint in 2016
    ("Bit9 Security Platform", "carbon-black-app-control"),     # Bit9, Carbon Black, VMware, Broadcom
    ("Google Data Studio", "looker-studio"),                    # renamed Looker Studio in 2022
    ("Fiberlink MaaS360", "maas360"),                           # Fiberlink bought by IBM
    ("Pulse Secure VPN Client v9.x", "ivanti-connect-secure"),      # Juniper, Pulse Secure, Ivanti
    ("JReport Designer 14.x", "logi-report"),
    ("Perceptive Software ImageNow 6.x", "perceptive-content"),
    ("Solarwinds - Orion Platform v2020.X", "solarwinds-platform"),
    ("Autocad Architecture 2020", "autocad-architecture"),
    ("Desigo Flex Client v5.x", "desigo-cc"),
    ("InVision", "invision"),                                   # not Trend's IQVision, one letter away
    ("Adobe Connect 11.x", "adobe-connect"),                    # not NEC Connect
])
def test_products_public_bodies_name_are_read_from_real_system_names(name, product_id):
    matched = match_systems(_systems({"system": name}))
    assert matched["product_id"].tolist() == [product_id]


@pytest.mark.parametrize("name", ["Cyberduck (MacOS) v8.x.x", "Citrix Workspace App", "Vault 1.2.x",
                                  "Command Centre 8.20.x"])
def test_a_platform_client_or_common_word_is_not_read_as_a_catalogue_product(name):
    product = match_systems(_systems({"system": name}))["product_id"].iloc[0]
    assert product is None or pd.isna(product) or product.startswith("unlisted:")


def test_validate_says_how_many_systems_per_organisation_have_no_product(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from estate.cli import main

    path = tmp_path / "eden.csv"
    path.write_text("Organisation,System,Users\nEden,Payroll,40\nEden,Microsoft Power BI - Custody,10\n"
                    "Eden,Council Tax Portal,5\nCarlisle,iTrent,30\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert "Eden: 2 of 3 systems have no product (e.g. Council Tax Portal, Payroll)" in result.output
    assert "cannot be a shared platform" in result.output
    assert "Carlisle:" not in result.output


def test_versions_with_wildcards_group_an_unknown_product_and_a_vendor_word_is_not_cut_off():
    matched = match_systems(_systems({"system": "Angular 10.x"}, {"system": "Angular 13.x"},
                                     {"system": "Anaconda 4.10.x"}, {"system": "Anaconda 2020.11"},
                                     {"system": "Freedom Scientific - Fusion Professional 2022"}))
    ids = matched["product_id"].tolist()
    # Anaconda Distribution is a catalogue product (GSA list); Angular, a framework, is not
    assert ids[0] == ids[1] == "unlisted:angular" and ids[2] == ids[3] == "anaconda"
    assert ids[4] != "oracle-fusion-erp"  # bare "Fusion" is not an alias, and the later piece is not tried alone


def test_bare_eclipse_is_not_olm_eclipse_unless_olm_supplies_it():
    # "Eclipse 2020_03" is the Eclipse IDE in the GSA IT standards list, not OLM's social care system
    matched = match_systems(_systems({"system": "Eclipse 2020_03"}, {"system": "Eclipse Oxygen 4.x"},
                                     {"product": "Eclipse", "vendor": "OLM"}, {"product": "OLM Eclipse"}))
    ids = matched["product_id"].tolist()
    assert "olm-eclipse" not in ids[:2]
    assert ids[2:] == ["olm-eclipse", "olm-eclipse"]


# --- found on the East Lancashire test place (tests/data/east-lancashire) -------------------------------------

@pytest.mark.parametrize(("vendor", "product", "product_id"), [
    ("Synertec", "Prism", "unlisted:prism"),        # hybrid mail, not Capita's library system
    ("Evotix", "Assure", "unlisted:assure"),        # health and safety, not NEC's (Northgate) Assure
    ("3M", "Medicode", "medicode"),                  # 3M is in the product's aliases ("3M Medicode")
    ("Healthcare Software Solutions", "HSS CRIS", "cris"),  # a name of two words is specific enough
    ("Phoenix Software", "Microsoft 365", "microsoft-365"),  # a reseller: the cell names the maker
    ("Capita", "Prism", "capita-prism"),
])
def test_a_supplier_the_vendor_list_lacks_is_not_overruled_by_a_bare_product_name(vendor, product, product_id):
    row = match_systems(_systems({"vendor": vendor, "product": product})).iloc[0]
    assert row["product_id"] == product_id


def test_a_whole_system_name_naming_a_product_and_its_maker_survives_another_capability():
    matched = match_systems(_systems({"system": "Microsoft 365", "capability": "Email, Office, Teams"},
                                     {"system": "Granicus Firmstep", "capability": "CRM and e-forms"},
                                     {"system": "Connect", "capability": "Intranet"}))
    assert matched["product_id"].iloc[0] == "microsoft-365"
    assert matched["product_id"].iloc[1] == "firmstep"
    assert pd.isna(matched["product_id"].iloc[2])  # a bare word is still refused: NEC Connect is no intranet


def test_a_capability_is_not_read_from_a_word_one_first_letter_away():
    matched = match_systems(_systems({"system": "Costing"}, {"system": "Hostng"}))
    assert pd.isna(matched["capability_code"].iloc[0])  # costing is not hosting
    assert matched["capability_code"].iloc[1] == "CORP-HOSTING"  # a typing error still is


def test_the_product_named_under_what_it_does_is_the_product_when_the_supplier_makes_it():
    matched = match_systems(_systems(
        {"system": "Finance", "vendor": "Unit4", "capability": "Business World (Agresso)"},
        {"system": "Servers", "vendor": "VMware", "capability": "vSphere"},
        {"system": "Endpoint protection", "vendor": "Sophos", "capability": "Intercept X"},  # the same product
        {"system": "Finance", "vendor": "Civica", "capability": "Business World (Agresso)"},  # not Civica's
        {"system": "Payroll", "vendor": "MHR", "capability": "Payroll"}))
    assert matched["product_id"].tolist()[:3] == ["unit4-erp", "vsphere", "sophos-intercept-x"]
    assert matched["capability_code"].tolist()[:3] == ["CORP-FIN", "CORP-HOSTING", "CORP-ENDPOINT"]
    assert matched["match_note"].iloc[0].startswith("product read from the capability cell")
    assert pd.isna(matched["product_id"].iloc[3]) and pd.isna(matched["product_id"].iloc[4])
    assert matched["capability_code"].iloc[4] == "CORP-HR"
    said = match_issues(matched)
    said = said[said["problem"].str.startswith("product read from the capability cell")]
    assert said[["source_row", "column", "severity", "value"]].values.tolist() == [
        [2, "capability", "info", "Business World (Agresso)"], [3, "capability", "info", "vSphere"],
        [4, "capability", "info", "Intercept X"]]


# --- NHS registers (tests/data/lincolnshire): a category column, a product's units, a vendor that agrees ---------

def _contracts_register() -> pd.DataFrame:
    """A finance contracts list whose Category groups systems that do different jobs."""
    rows = [("SystmOne Community", "TPP", "Clinical system"), ("Adastra", "OneAdvanced", "Clinical system"),
            ("Airmid", "TPP", "Clinical system"), ("Lexacom Echo", "Lexacom", "Clinical system"),
            ("Tunstall Telehealth", "Tunstall", "Clinical system"), ("MiVoice Business", "Mitel", "Infrastructure"),
            ("Mimecast", "Mimecast", "Infrastructure"), ("Veeam Backup for Microsoft 365", "Veeam", "Infrastructure"),
            ("Azure", "Microsoft", "Infrastructure"), ("Civica Costmaster", "Civica", "Finance")]
    return _systems(*({"system": s, "vendor": v, "capability": c, "source_file": "contracts.csv"} for s, v, c in rows))


def test_a_category_column_that_groups_different_jobs_is_not_read_as_capabilities():
    matched = match_systems(_contracts_register()).set_index("system")
    # Each system's own product and job: not "EPR" for dictation and a patient app, not "hosting" for telephony.
    assert matched.loc["Adastra", ["product_id", "capability_code"]].tolist() == ["adastra", "NHS-ED"]
    assert matched.loc["Airmid", ["product_id", "capability_code"]].tolist() == ["airmid", "NHS-PORTAL"]
    assert matched.loc["Lexacom Echo", "capability_code"] == "NHS-DICTATION"
    assert matched.loc["MiVoice Business", ["product_id", "capability_code"]].tolist() == [
        "mivoice-business", "XC-TELEPHONY"]
    assert matched.loc["Veeam Backup for Microsoft 365", "capability_code"] == "CORP-BACKUP"
    assert matched.loc["Azure", "capability_code"] == "CORP-HOSTING"
    # An unknown product under a grouping has no capability rather than the grouping's ("Finance" for costing).
    assert pd.isna(matched.loc["Tunstall Telehealth", "capability_code"])
    assert pd.isna(matched.loc["Civica Costmaster", "capability_code"])
    issues = match_issues(matched.reset_index())
    grouped = issues[issues["problem"].str.startswith("capability cell read as a grouping")]
    assert len(grouped) == 10 and set(grouped["value"]) == {"Clinical system", "Infrastructure", "Finance"}


def test_a_capability_column_that_says_what_systems_do_is_still_read():
    # The same systems, each with its own job (one of them the user's own view of it): the cells are read.
    rows = [("Adastra", "OneAdvanced", "Out of hours"), ("Airmid", "TPP", "Patient app"),
            ("Lexacom Echo", "Lexacom", "Digital dictation"), ("MiVoice Business", "Mitel", "Telephony"),
            ("Mimecast", "Mimecast", "Email filtering"), ("Microsoft 365", "Microsoft", "Email")]
    matched = match_systems(_systems(*({"system": s, "vendor": v, "capability": c} for s, v, c in rows)))
    assert matched["capability_note"].isna().all()  # no cell taken for a grouping
    assert matched.set_index("system").loc["Microsoft 365", "capability_code"] == "XC-EMAIL"  # the user's word


@pytest.mark.parametrize(("name", "vendor", "product_id"), [
    ("SystmOne Child Health", "TPP", "systmone"),      # a SystmOne unit
    ("SystmOne Community", None, "systmone"),
    ("Accurx Plus", "Accurx", "accurx"),               # an edition of a product named after its maker
    ("Oleeo Recruit", None, "oleeo"),
])
def test_a_product_named_at_the_start_of_a_system_name_is_read(name, vendor, product_id):
    row = match_systems(_systems({"system": name, "vendor": vendor})).iloc[0]
    assert row["product_id"] == product_id and row["needs_review"]


@pytest.mark.parametrize(("name", "column"), [
    ("Spine Mini Service", "system"),    # "Spine" is only an alias of the national NHS Spine
    ("Spine Mini Service", "product"),
    ("Citrix Workspace App", "system"),  # the client; "Citrix" is the maker
    ("Alto Parking", "product"),         # parking, not the library system Alto
])
def test_a_name_that_only_starts_like_a_product_is_not_that_product(name, column):
    product = match_systems(_systems({column: name}))["product_id"].iloc[0]
    assert pd.isna(product) or product.startswith("unlisted:")


def test_a_product_in_the_name_that_the_vendor_cell_confirms_is_kept_against_a_capability_text():
    # "Datix (DCIQ)" from RLDatix used for "Incidents, risks, complaints": the product is Datix whatever the text
    # names; with no vendor to confirm it, a name at odds with its capability text is not taken as the product.
    matched = match_systems(_systems(
        {"system": "Datix (DCIQ)", "vendor": "RLDatix", "capability": "Incidents, risks, complaints, claims"},
        {"system": "Nervecentre eObs", "vendor": "Nervecentre Software",
         "capability": "Electronic observations and NEWS2"},
        {"system": "Connect", "capability": "Staff intranet"}))
    assert matched["product_id"].tolist()[:2] == ["datix", "nervecentre"]
    assert matched["capability_code"].tolist()[1] == "NHS-OBS"  # what it is used for: observations
    assert pd.isna(matched["product_id"].iloc[2])


def test_a_supplier_product_cell_that_lists_two_products_is_two_systems():
    # "TPP SystmOne / Access RiO" in a Supplier / Product column, split at its first '/': the "supplier" is a product.
    cell = "extra: Supplier / Product"  # the cell as the reader kept it
    matched = match_systems(_systems(
        {"system": "CAMHS records", "vendor": "TPP SystmOne", "product": "Access RiO", cell: "TPP SystmOne / Access RiO"},
        {"system": "Finance", "vendor": "Civica", "product": "Cority", cell: "Civica / Cority"},
        {"system": "Portal", "vendor": "Epic", "product": "MyChart", cell: "Epic / MyChart"},
        # a vendor column of its own: the company, whatever its name
        {"system": "Leisure bookings", "vendor": "Legend Club Management", "product": "Legend"}))
    camhs = matched[matched["system"] == "CAMHS records"]
    assert camhs["product_id"].tolist() == ["systmone", "rio"]
    assert camhs["split_from"].notna().all() and camhs["source_row"].nunique() == 1
    assert matched.loc[matched["system"] == "Finance", "product_id"].tolist() == ["cority"]  # a supplier, a product
    assert matched.loc[matched["system"] == "Portal", "product_id"].tolist() == ["epic-mychart"]
    assert len(matched[matched["system"] == "Leisure bookings"]) == 1
    issues = match_issues(matched)
    said = issues[issues["column"] == "vendor"]
    assert said["source_row"].tolist() == [2] and said["problem"].str.startswith("the vendor cell names a product").all()


def test_a_capability_cell_that_starts_with_the_suppliers_product_names_it():
    # An asset register's Description: the product first, then what it is used for.
    matched = match_systems(_systems(
        {"system": "Telephony", "vendor": "Mitel", "capability": "Mitel MiVoice Business and switchboard"},
        {"system": "Pharmacy stock control", "vendor": "Optum",
         "capability": "Ascribe Pharmacy: dispensary, stock, aseptics"},
        # a shared service supplies it: read, as the cell names it with its maker's name (NHS SBS runs Oracle's)
        {"system": "Finance ledger", "vendor": "NHS Shared Business Services",
         "capability": "Oracle E-Business Suite via NHS SBS"},
        # ... but not a product the cell does not name with its maker's: "Pay" is no Civica Pay of the supplier's
        {"system": "Income", "vendor": "Capita", "capability": "Pay portal for residents"}))
    got = matched.set_index("system")
    assert got.loc["Telephony", ["product_id", "capability_code"]].tolist() == ["mivoice-business", "XC-TELEPHONY"]
    assert got.loc["Pharmacy stock control", ["product_id", "capability_code"]].tolist() == [
        "ascribe-pharmacy", "NHS-PHARMACY"]
    assert got.loc["Finance ledger", ["product_id", "capability_code"]].tolist() == ["oracle-ebs", "CORP-FIN"]
    assert got.loc["Income", "product_id"] != "civica-pay"
    assert got.loc["Telephony", "capability"] == "and switchboard"  # what is left of the cell says what it does
