"""Generate the bundled sample place ``inventories/cumbria/``.

The sample is ILLUSTRATIVE. It is modelled on Cumbria and the "Calling Cumbria"
Total Place initiative: thirteen public bodies each sending back an inventory
of their IT systems. The product names are real products that bodies like these
use, but the systems, versions, users, costs, dates and sites are invented. They
are not the organisations' real estates or costs.

The files look like what a consultant receives: each organisation lays its
return out its own way (sheet names, header wordings, column order, money and
dates typed as text or as numbers, title rows, a totals row, a notes row, one
CSV in Windows-1252, one joint file holding two organisations). A handful of
deliberate data problems, listed in :data:`DELIBERATE`, are planted at fixed
cells; everything else reads cleanly.

Run ``python tools/make_cumbria.py [OUTDIR]`` (default ``inventories/cumbria``).
The output is deterministic: a fixed random seed and fixed workbook timestamps.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import openpyxl
from openpyxl.styles import Font

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from estate.schema import CRITICALITY, HOSTING, LIFECYCLE, TABLES, normalise_header  # noqa: E402

SEED = 20240401
FIXED_TIME = dt.datetime(2024, 4, 1, 9, 0, 0)
DISCLAIMER = ("ILLUSTRATIVE SAMPLE for the estate tool: modelled on Cumbria, NOT the organisation's "
              "real systems, suppliers' contracts or costs")

# --------------------------------------------------------------------------------------------------
# The deliberate data problems, one a cell. ``reported`` says whether the reader reports it as a
# warning or error (a 'TBC' cost reads, by design, as a missing value with no issue). The generator
# plants each at the row given here, so this list is the single authority the tests compare with.

DELIBERATE: tuple[dict[str, Any], ...] = (
    dict(file="allerdale-borough-council.xlsx", sheet="Applications", row=9, column="support_cost",
         value="£12,5oo", what="unreadable cost: letter o typed for zeros", reported=True),
    dict(file="barrow-ict-return-v3.xlsx", sheet="App Inventory", row=12, column="system",
         value="", what="no system name, only a product (named after its product)", reported=True),
    dict(file="blue-light-joint-return.xlsx", sheet="Systems", row=52, column="support_cost",
         value=-4500, what="negative cost (a supplier credit typed as a cost)", reported=True),
    dict(file="carlisle-city-council.xlsx", sheet="Systems", row=11, column="annual_cost",
         value=None, what="total annual cost does not equal the sum of its parts", reported=True),
    dict(file="cntw-it-systems.xlsx", sheet="ICT Systems", row=15, column="licence_cost",
         value="see contract", what="unreadable cost: 'see contract'", reported=True),
    dict(file="copeland-bc-systems.csv", sheet="", row=10, column="contract_end",
         value="31/02/2027", what="impossible date: 31 February", reported=True),
    dict(file="cumbria-county-council.xlsx", sheet="IT Systems", row=25, column="",
         value=None, what="exact duplicate of the row above (pasted twice)", reported=True),
    dict(file="eden-dc-systems-return.xlsx", sheet="IT Systems", row=8, column="users",
         value="1-100", what="users given as a band", reported=True),
    dict(file="ncic-application-register-2024.xlsx", sheet="Contracts", row=18, column="system",
         value="NCIC-APP-0999", what="contract for a system id that is not in the inventory", reported=True),
    dict(file="north-west-ambulance-service-nhs-trust.xlsx", sheet="Systems List", row=20, column="contract_end",
         value="Rolling", what="rolling contract: no end date", reported=True),
    dict(file="south-lakeland-district-council.xlsx", sheet="Application Register", row=7, column="integrations",
         value="Anite@Work", what="integration names a system that is not in the inventory", reported=True,
         issue_column="integrations"),
    dict(file="uhmb-application-inventory.xlsx", sheet="Inventory", row=10, column="hosting_cost",
         value="TBC", what="'TBC' cost (read as missing, not reported)", reported=False),
)

EXPECTED_ISSUES: frozenset[tuple[str, int, str]] = frozenset(
    (d["file"], d["row"], d.get("issue_column", d["column"])) for d in DELIBERATE if d["reported"])
"""(file, row, column) of every warning or error ``read_inventory`` should report for the sample."""


# --------------------------------------------------------------------------------------------------
# Organisations

@dataclass(frozen=True)
class Org:
    name: str
    short: str
    sector: str
    kind: str  # county, district, police, fire, acute, mental, ambulance
    employees: int
    n_systems: int
    successor: str = ""
    vesting: dt.datetime | None = None


VESTING = dt.datetime(2023, 4, 1)
CUMBERLAND = "Cumberland Council"
WESTMORLAND = "Westmorland and Furness Council"

ORGS: tuple[Org, ...] = (
    Org("Cumbria County Council", "Cumbria CC", "County council", "county", 5200, 138,
        f"{CUMBERLAND}; {WESTMORLAND}", VESTING),
    Org("Allerdale Borough Council", "Allerdale", "District council", "district", 420, 62, CUMBERLAND, VESTING),
    Org("Barrow-in-Furness Borough Council", "Barrow", "District council", "district", 390, 55, WESTMORLAND, VESTING),
    Org("Carlisle City Council", "Carlisle", "District council (city)", "district", 520, 84, CUMBERLAND, VESTING),
    Org("Copeland Borough Council", "Copeland", "District council", "district", 330, 58, CUMBERLAND, VESTING),
    Org("Eden District Council", "Eden", "District council", "district", 240, 48, WESTMORLAND, VESTING),
    Org("South Lakeland District Council", "South Lakeland", "District council", "district", 460, 76,
        WESTMORLAND, VESTING),
    Org("Cumbria Constabulary", "Constabulary", "Police", "police", 2050, 70),
    Org("Cumbria Fire and Rescue Service", "CFRS", "Fire and rescue", "fire", 640, 45, WESTMORLAND, VESTING),
    Org("North Cumbria Integrated Care NHS Foundation Trust", "NCIC", "NHS foundation trust (acute and community)",
        "acute", 7200, 128),
    Org("University Hospitals of Morecambe Bay NHS Foundation Trust", "UHMBT",
        "NHS foundation trust (acute)", "acute", 6800, 140),
    Org("Cumbria, Northumberland, Tyne and Wear NHS Foundation Trust", "CNTW",
        "NHS foundation trust (mental health and learning disability)", "mental", 7900, 96),
    Org("North West Ambulance Service NHS Trust", "NWAS", "NHS trust (ambulance)", "ambulance", 7400, 52),
)
ORG = {o.name: o for o in ORGS}


# --------------------------------------------------------------------------------------------------
# The catalogue: capabilities, the names organisations give systems, real products in the messy ways
# people write them. cost is the annual run cost range in pounds; users a fraction of employees.

@dataclass(frozen=True)
class Entry:
    key: str
    sectors: tuple[str, ...]
    caps: tuple[str, ...]
    names: tuple[str, ...]
    products: tuple[tuple[str, str, str], ...]  # product, vendor, version
    cost: tuple[float, float]
    users: tuple[float, float]
    crit: str = "medium"
    hosting: tuple[str, ...] = ("onprem", "hosted", "saas")
    core: bool = True
    p: float = 1.0


LG = ("county", "district")
DIS = ("district",)
CTY = ("county",)
NHS = ("acute", "mental", "ambulance")
BLUE = ("police", "fire")
ALL = ("county", "district", "police", "fire", "acute", "mental", "ambulance")


def E(key, sectors, caps, names, products, cost, users, crit="medium", hosting=("onprem", "hosted", "saas"),
      core=True, p=1.0) -> Entry:
    return Entry(key, tuple(sectors), tuple(caps), tuple(names), tuple(products), cost, users, crit,
                 tuple(hosting), core, p)


CATALOGUE: tuple[Entry, ...] = (
    # ---- local government line-of-business
    E("revs", DIS, ("Revs & Bens", "Revenues and Benefits", "Council Tax", "Revenues & Benefits"),
      ("Revenues & Benefits", "Revs and Bens", "Council Tax & NNDR", "Revenues system"),
      (("Capita Academy Revs & Bens", "Capita", "v14"), ("Capita Academy", "Capita One", "14.2"),
       ("Northgate iWorld", "NEC", "5.1"), ("NEC Revenues & Benefits", "NEC Software Solutions", ""),
       ("Civica OpenRevenues", "Civica", "2.3")),
      (80_000, 250_000), (0.06, 0.14), "critical", ("onprem", "hosted")),
    E("benefits_portal", DIS, ("Revs & Bens", "Benefits"), ("Citizen Access portal", "Online benefits forms"),
      (("Capita Citizen Access", "Capita", ""), ("Northgate Citizen Access", "NEC", "")),
      (8_000, 30_000), (0.02, 0.05), "high", ("saas", "hosted"), p=0.7),
    E("finance", DIS + BLUE, ("Finance", "Financial Management", "Finance & Procurement", "Corporate Finance"),
      ("Finance System", "General Ledger", "Financials", "FMS"),
      (("Agresso", "Unit4", "5.7"), ("Unit 4 BW", "Unit4", "Milestone 4"), ("UNIT4 Business World v7", "Unit4", ""),
       ("Unit4 Business World", "Unit 4", "M7"), ("Civica Financials", "Civica", "v8"),
       ("Civica Financials (Integra)", "Civica", "")),
      (45_000, 160_000), (0.05, 0.25), "critical", ("onprem", "hosted")),
    E("hr", LG + BLUE, ("Payroll/HR", "HR & Payroll", "Human Resources", "HR/Payroll", "People Management"),
      ("HR and Payroll", "Payroll", "HR System", "Payroll/HR"),
      (("iTrent", "MHR", "10.24"), ("MHR iTrent", "MHR International", ""), ("ResourceLink", "Zellis", ""),
       ("Northgate ResourceLink", "NGA Human Resources", "5.2"), ("Zellis ResourceLink", "", "")),
      (30_000, 120_000), (0.03, 0.12), "critical", ("onprem", "hosted", "saas")),
    E("planning", DIS, ("Planning & Building Control", "Planning", "Development Management",
                        "Planning and Building Control"),
      ("Planning & Building Control", "Planning system", "DM system"),
      (("Idox Uniform", "Idox", "10.4"), ("Uniform", "IDOX", ""), ("Idox Uniform 10", "Idox plc", ""),
       ("Northgate M3 Planning", "NEC", "M3")),
      (40_000, 120_000), (0.05, 0.12), "high", ("onprem", "hosted")),
    E("planning_portal", DIS, ("Planning", "Development Management"), ("Public Access", "Planning Public Access"),
      (("Idox Public Access", "Idox", ""),), (6_000, 18_000), (0.01, 0.03), "medium", ("onprem", "hosted"), p=0.8),
    E("edrms", LG, ("EDRMS", "Document Management", "Records Management", "Information Management"),
      ("EDRMS", "Document Management", "DMS", "Records system"),
      (("Idox DMS", "Idox", "5.1"), ("SharePoint Online", "Microsoft", ""), ("Civica W2", "Civica", ""),
       ("Idox Information@Work", "Idox", "")),
      (15_000, 60_000), (0.2, 0.6), "high", ("onprem", "saas")),
    E("waste", DIS, ("Waste Management", "Waste & Recycling", "Refuse Collection", "Environmental Services"),
      ("Waste Management", "Bins & Rounds", "Waste system"),
      (("Bartec Collective", "Bartec Auto ID", ""), ("Whitespace", "Whitespace Work Software", ""),
       ("Whitespace Waste", "Whitespace", "v4"), ("Yotta Alloy", "Yotta", "")),
      (20_000, 70_000), (0.02, 0.08), "high", ("saas", "hosted")),
    E("crm", LG, ("CRM", "Customer Services", "Customer Contact", "Customer Relationship Management"),
      ("CRM", "Customer Portal", "MyAccount", "Customer Services CRM", "Self service platform"),
      (("Granicus (Firmstep)", "Granicus", ""), ("Firmstep", "Granicus", ""), ("Jadu CXM", "Jadu", ""),
       ("Netcall Liberty Create", "Netcall", ""), ("Dynamics 365", "Microsoft", ""),
       ("Salesforce", "Salesforce", "")),
      (20_000, 90_000), (0.05, 0.2), "high", ("saas",)),
    E("payments", LG, ("Payments", "Income Management", "Cash Receipting", "Online Payments"),
      ("Payments", "Income Management", "Cash Receipting", "Online payments"),
      (("Civica Pay", "Civica", ""), ("Pay360", "Capita", ""), ("Capita Pay360", "Capita Integrated Payments", ""),
       ("Civica ICON", "Civica", "")),
      (15_000, 60_000), (0.02, 0.08), "critical", ("saas", "hosted")),
    E("gis", LG + ("police", "fire"), ("GIS", "Mapping", "Geographic Information", "Mapping & GIS"),
      ("GIS", "Corporate GIS", "Mapping"),
      (("ArcGIS", "Esri UK", "10.8"), ("Esri ArcGIS Enterprise", "Esri", "11.1"), ("Cadcorp SIS", "Cadcorp", "9"),
       ("ArcGIS Online", "ESRI", "")),
      (8_000, 45_000), (0.02, 0.08), "medium", ("onprem", "saas")),
    E("llpg", LG, ("Gazetteer", "LLPG", "Address Management"), ("LLPG", "Local Land & Property Gazetteer"),
      (("Aligned Assets Symphony", "Aligned Assets", ""), ("Idox LLPG", "Idox", "")),
      (4_000, 14_000), (0.005, 0.02), "medium", ("onprem", "hosted")),
    E("web", LG, ("Website", "Web Content Management", "Website CMS", "Digital"),
      ("Website", "Corporate website", "Web CMS", "Council website"),
      (("Jadu", "Jadu", "CXM"), ("Jadu Continuum", "Jadu", ""), ("Granicus GOSS iCM", "Granicus", ""),
       ("Umbraco", "", "v10")),
      (10_000, 45_000), (0.01, 0.04), "high", ("saas", "hosted")),
    E("electoral", DIS, ("Electoral Registration", "Elections", "Electoral Services"),
      ("Electoral Register", "Elections", "Electoral Management"),
      (("Xpress electoral", "Idox", ""), ("Idox Xpress", "Idox Elections", "5.6"), ("Xpress", "", "")),
      (12_000, 35_000), (0.01, 0.03), "high", ("hosted", "onprem")),
    E("committee", LG, ("Democratic Services", "Committee Management", "Member Services"),
      ("Committee Management", "Democracy", "Committee papers"),
      (("Modern.gov", "Civica", ""), ("ModernGov", "Civica UK", "")),
      (5_000, 15_000), (0.01, 0.04), "medium", ("saas",)),
    E("parking", DIS, ("Parking", "Car Parks", "Parking Enforcement"), ("Parking", "PCN processing", "Car parks"),
      (("Chipside", "Chipside", ""), ("Chipside ChipsideMobile", "Chipside Ltd", "")),
      (10_000, 40_000), (0.01, 0.04), "medium", ("saas",), p=0.8),
    E("housing", DIS, ("Housing", "Housing Management", "Housing Options", "Homelessness"),
      ("Housing", "Housing Register", "Homelessness system", "Housing Options"),
      (("NEC Housing", "NEC", ""), ("Orchard", "Orchard Information Systems", ""), ("Civica CX", "Civica", ""),
       ("Civica CX Housing", "Civica", "")),
      (20_000, 80_000), (0.03, 0.1), "high", ("onprem", "hosted")),
    E("envhealth", DIS, ("Environmental Health", "Licensing", "Regulatory Services", "Public Protection"),
      ("Licensing & Env Health", "Regulatory Services", "Licensing"),
      (("Idox Uniform (Regulatory)", "Idox", ""), ("Civica APP", "Civica", ""), ("Lalpac", "Lalpac", "")),
      (8_000, 40_000), (0.02, 0.06), "medium", ("onprem", "hosted")),
    E("assets_hw", LG, ("Asset Management", "Highways", "Street Scene", "Grounds Maintenance"),
      ("Asset Management", "Highways Asset Management", "Street Scene"),
      (("Confirm", "Brightly (Confirm)", ""), ("Pitney Bowes Confirm", "Brightly", "v21"), ("Yotta Alloy", "Yotta", ""),
       ("Yotta Mayrise", "Yotta", "")),
      (12_000, 60_000), (0.02, 0.06), "medium", ("hosted", "onprem")),
    E("property", LG, ("Property Management", "Estates", "Facilities Management", "Asset Register"),
      ("Property database", "Estates Management", "Property Asset Register"),
      (("Concerto", "Concerto", ""), ("Tech Forge", "Tech Forge", ""), ("Planon", "Planon", "")),
      (8_000, 30_000), (0.005, 0.02), "low", ("saas", "hosted"), p=0.8),
    E("legal", LG, ("Legal Case Management", "Legal Services", "Legal"), ("Legal case management", "Legal"),
      (("Iken", "Iken Business", ""), ("Norwel", "Norwel", "")), (5_000, 20_000), (0.005, 0.02), "medium",
      ("saas", "hosted"), p=0.8),
    # ---- county only
    E("erp_county", CTY, ("Finance/HR/Payroll", "ERP"), ("ERP", "Oracle ERP"),
      (("Oracle E-Business Suite R12", "Oracle", "12.2"),), (450_000, 850_000), (0.6, 0.9), "critical",
      ("onprem",)),
    E("childrens", CTY, ("Children's Social Care", "Children's Services", "Social Care (Children)"),
      ("Children's Social Care", "LCS"), (("Liquidlogic LCS", "Liquidlogic", ""),
                                         ("LiquidLogic Children's System (LCS)", "System C", "")),
      (250_000, 500_000), (0.1, 0.15), "critical", ("onprem", "hosted")),
    E("ehm", CTY, ("Early Help", "Children's Services"), ("Early Help Module", "EHM"),
      (("Liquidlogic EHM", "Liquidlogic", ""),), (60_000, 140_000), (0.03, 0.06), "high", ("onprem", "hosted")),
    E("adults", CTY, ("Adult Social Care", "Adults Social Care", "Social Care (Adults)"),
      ("Adult Social Care", "Mosaic", "Adults case management"),
      (("Mosaic", "Servelec", ""), ("Servelec Mosaic", "Servelec Group", "v3")),
      (250_000, 550_000), (0.12, 0.18), "critical", ("onprem", "hosted")),
    E("controcc", CTY, ("Social Care Finance", "Adult Social Care"), ("ContrOCC", "Care payments"),
      (("ContrOCC", "OLM Systems", ""),), (50_000, 120_000), (0.01, 0.03), "high", ("onprem",)),
    E("education", CTY, ("Education", "Education Management", "Schools"),
      ("Education Management System", "Capita One", "Pupil database"),
      (("Capita One", "Capita", ""), ("Capita ONE Education", "Capita Education", "4.6")),
      (150_000, 350_000), (0.05, 0.1), "critical", ("onprem", "hosted")),
    E("libraries", CTY, ("Libraries", "Library Management"), ("Library Management System", "LMS"),
      (("Spydus", "Civica", "10"), ("Civica Spydus", "Civica", "")), (40_000, 110_000), (0.04, 0.08), "high",
      ("saas", "hosted")),
    E("archives", CTY, ("Archives", "Archive Catalogue"), ("Archive catalogue", "CALM"),
      (("Axiell CALM", "Axiell", ""),), (6_000, 18_000), (0.003, 0.01), "low", ("onprem", "hosted")),
    E("registrars", CTY, ("Registration Services", "Registrars"), ("Registrars booking", "Registration"),
      (("Stopford RON", "Stopford", ""), ("Civica Registrars", "Civica", "")), (8_000, 25_000), (0.005, 0.015),
      "medium", ("saas",)),
    E("trading", CTY, ("Trading Standards", "Public Protection"), ("Trading Standards", "Case management (TS)"),
      (("Idox Uniform (Trading Standards)", "Idox", ""), ("Civica APP (TS)", "Civica", "")), (10_000, 35_000),
      (0.005, 0.015), "medium", ("onprem", "hosted")),
    E("highways_cty", CTY, ("Highways", "Highways Maintenance", "Highways & Transport"),
      ("Highways Asset Management", "Highways works management", "Streetworks"),
      (("Confirm", "Brightly", "v21"), ("Symology Insight", "Symology", ""), ("Yotta Horizons", "Yotta", "")),
      (60_000, 180_000), (0.02, 0.05), "high", ("hosted", "onprem")),
    E("transport", CTY, ("Passenger Transport", "Home to School Transport"), ("School transport", "Transport"),
      (("Trapeze", "Trapeze Group", ""), ("Mobisoft Q", "Mobisoft", "")), (20_000, 60_000), (0.005, 0.02),
      "medium", ("onprem", "saas")),
    E("coroner", CTY, ("Coroner's Service", "Coroners"), ("Coroners case management",),
      (("Civica Coroners", "Civica", ""),), (5_000, 15_000), (0.002, 0.005), "medium", ("hosted",)),
    # ---- corporate (everybody)
    E("m365", ALL, ("Productivity", "Office Productivity", "Collaboration", "Email & Office"),
      ("Microsoft 365", "Office 365", "M365", "O365"),
      (("Microsoft 365", "Microsoft", "E3"), ("MS Office 365", "Microsoft", ""), ("M365", "Microsoft", "E5"),
       ("Microsoft Office 365 E3", "Microsoft", ""), ("Office 365", "", "")),
      (60_000, 200_000), (0.9, 1.0), "critical", ("saas",)),
    E("exchange", ALL, ("Email", "Messaging"), ("Email", "Exchange"),
      (("Exchange", "Microsoft", "2016"), ("Microsoft Exchange Server 2019", "Microsoft", ""),
       ("Exchange Online", "Microsoft", "")),
      (8_000, 40_000), (0.9, 1.0), "critical", ("onprem", "saas"), p=0.8),
    E("sharepoint", ALL, ("Intranet", "Collaboration", "Document Management"), ("Intranet", "SharePoint"),
      (("SharePoint", "Microsoft", "2019"), ("SharePoint Online", "Microsoft", "")), (4_000, 25_000),
      (0.6, 0.95), "medium", ("onprem", "saas")),
    E("servicedesk", ALL, ("IT Service Management", "Service Desk", "ICT Helpdesk", "ITSM"),
      ("Service Desk", "IT Helpdesk", "ITSM tool"),
      (("ServiceNow", "ServiceNow", "Utah"), ("Ivanti Service Manager", "Ivanti", ""), ("TOPdesk", "TOPdesk", ""),
       ("Ivanti", "", "2022.3"), ("Hornbill Service Manager", "Hornbill", "")),
      (8_000, 90_000), (0.01, 0.05), "high", ("saas", "onprem")),
    E("telephony", ALL, ("Telephony", "Unified Communications", "Voice", "Telephony & Contact Centre"),
      ("Telephony", "Phone system", "Telephony / UC"),
      (("Mitel MiVoice", "Mitel", "MX-ONE"), ("Microsoft Teams; Mitel MiVoice", "Microsoft / Mitel", ""),
       ("Avaya", "Avaya", "Aura 8"), ("Avaya IP Office", "Avaya", ""), ("Microsoft Teams Phone", "Microsoft", "")),
      (15_000, 120_000), (0.7, 1.0), "critical", ("onprem", "saas")),
    E("contact_centre", LG + ("acute",), ("Contact Centre", "Customer Contact"),
      ("Contact centre", "Call recording & IVR"),
      (("Netcall Liberty", "Netcall", ""), ("Netcall Liberty Converse", "Netcall", ""),
       ("Avaya Contact Centre", "Avaya", "")),
      (15_000, 70_000), (0.01, 0.05), "high", ("onprem", "hosted"), p=0.8),
    E("backup", ALL, ("Backup", "Backup & Recovery", "Infrastructure"), ("Backup", "Backup and DR"),
      (("Veeam", "Veeam", "12"), ("Veeam Backup & Replication", "Veeam Software", ""), ("Commvault", "Commvault", ""),
       ("Veeam; Commvault", "", "")),
      (8_000, 60_000), (0.001, 0.005), "high", ("onprem",)),
    E("virtualisation", ALL, ("Infrastructure", "Server Virtualisation", "Hosting Platform"),
      ("Virtual servers", "VMware", "Server estate"),
      (("VMware vSphere", "VMware", "7.0"), ("VMware vSphere Enterprise Plus", "Broadcom", "8"),
       ("vSphere", "VMware", "")),
      (15_000, 120_000), (0.001, 0.004), "critical", ("onprem",)),
    E("antivirus", ALL, ("Security", "Cyber Security", "Endpoint Protection", "Anti-Virus"),
      ("Anti-virus", "Endpoint security"),
      (("Sophos", "Sophos", ""), ("Sophos Central Intercept X", "Sophos Ltd", ""),
       ("Microsoft Defender", "Microsoft", "")),
      (5_000, 40_000), (0.9, 1.0), "high", ("saas",)),
    E("email_sec", ALL, ("Email Security", "Security"), ("Email filtering", "Mimecast"),
      (("Mimecast", "Mimecast", ""), ("Mimecast Email Security", "Mimecast Ltd", "")), (4_000, 30_000),
      (0.9, 1.0), "high", ("saas",), p=0.85),
    E("ad", ALL, ("Identity & Access", "Infrastructure", "Directory Services"), ("Active Directory", "AD / Entra ID"),
      (("Active Directory", "Microsoft", "2019"), ("Microsoft Entra ID", "Microsoft", "")), (2_000, 15_000),
      (0.9, 1.0), "critical", ("onprem", "saas")),
    E("citrix", ALL, ("Remote Access", "Infrastructure", "Virtual Desktop"), ("Citrix", "Remote desktop"),
      (("Citrix Virtual Apps and Desktops", "Citrix", "7 LTSR"), ("Citrix XenApp", "Citrix", "7.15")),
      (10_000, 80_000), (0.2, 0.6), "high", ("onprem",), p=0.6),
    E("intune", ALL, ("Device Management", "Endpoint Management"), ("MDM", "Device management"),
      (("Microsoft Intune", "Microsoft", ""), ("MECM (SCCM)", "Microsoft", "2309"),
       ("Ivanti Endpoint Manager", "Ivanti", "")),
      (3_000, 30_000), (0.005, 0.02), "medium", ("saas", "onprem")),
    E("firewall", ALL, ("Network Security", "Networks"), ("Firewalls", "Perimeter security"),
      (("Palo Alto NGFW", "Palo Alto Networks", ""), ("FortiGate", "Fortinet", "7.2"),
       ("Check Point", "Check Point", "")),
      (8_000, 60_000), (0.001, 0.005), "critical", ("onprem",)),
    E("printing", ALL, ("Print Management", "Printing"), ("Print management", "Follow-me printing"),
      (("PaperCut MF", "PaperCut", ""), ("Uniflow", "Canon", "")), (3_000, 20_000), (0.5, 0.9), "low",
      ("onprem",), p=0.8),
    E("bi", ALL, ("Business Intelligence", "Reporting", "Data & Analytics", "Performance Management"),
      ("Reporting", "BI / dashboards", "Data warehouse"),
      (("Power BI", "Microsoft", ""), ("Qlik Sense", "Qlik", ""),
       ("SQL Server Reporting Services", "Microsoft", "2019"),
       ("Tableau", "Salesforce", "")),
      (4_000, 40_000), (0.01, 0.06), "medium", ("saas", "onprem")),
    E("procurement", ALL, ("Procurement", "E-Tendering", "Contract Management"), ("E-tendering", "Contracts register"),
      (("The Chest", "Proactis", ""), ("Proactis", "Proactis", ""), ("Atamis", "Atamis", ""),
       ("In-Tend", "In-Tend", "")),
      (4_000, 25_000), (0.005, 0.02), "medium", ("saas",), p=0.8),
    E("secure_email", ALL, ("Secure Email", "Information Governance"), ("Secure email", "Egress"),
      (("Egress Switch", "Egress", ""), ("Egress Protect", "Egress Software Technologies", "")), (3_000, 15_000),
      (0.1, 0.4), "medium", ("saas",), p=0.7),
    E("risk", ALL, ("Risk Management", "Audit & Risk", "Governance", "Performance"), ("Risk register", "Pentana"),
      (("Pentana Risk", "Ideagen", ""), ("InPhase", "InPhase", ""), ("JCAD", "JC Applications Development", "")),
      (3_000, 15_000), (0.005, 0.02), "low", ("saas",), p=0.7),
    E("foi", ALL, ("Complaints & FOI", "Information Governance", "Complaints"), ("FOI & complaints", "Case tracker"),
      (("Respond", "Aptean", ""), ("iCasework", "Civica", ""), ("Civica Comms", "Civica", "")), (4_000, 18_000),
      (0.01, 0.03), "low", ("saas",), p=0.7),
    E("fleet", LG + BLUE + ("ambulance",), ("Fleet Management", "Transport", "Vehicle Management"),
      ("Fleet management", "Tranman"), (("Tranman", "Civica", ""), ("Civica Tranman", "Civica", "")),
      (6_000, 40_000), (0.005, 0.02), "medium", ("hosted", "onprem"), p=0.7),
    # ---- police
    E("rms", ("police",), ("Records Management", "Crime & Intelligence"), ("RMS", "Niche"),
      (("Niche RMS", "Niche Technology", "5.4"),), (600_000, 1_100_000), (0.7, 0.9), "critical", ("onprem",)),
    E("command", ("police",), ("Command & Control", "Control Room"), ("Command and Control", "STORM"),
      (("Storm command and control", "Sopra Steria", ""), ("STORM", "Sopra Steria", "")), (300_000, 600_000),
      (0.1, 0.2), "critical", ("onprem",)),
    E("iccs", ("police", "fire"), ("Control Room", "Integrated Communications Control"), ("ICCS", "Control room comms"),
      (("Airbus DCS", "Airbus", ""), ("Airbus DXT3", "Airbus", "")), (80_000, 200_000), (0.05, 0.1), "critical",
      ("onprem",)),
    E("connect", ("police",), ("Case & Custody", "Custody", "Case Preparation"), ("Connect", "Custody & Case"),
      (("NEC Connect", "NEC Software Solutions", ""), ("Northgate Connect", "NEC", "")), (150_000, 400_000),
      (0.4, 0.6), "critical", ("onprem", "hosted")),
    E("dems", ("police",), ("Digital Evidence", "Evidence Management"), ("Digital evidence", "DEMS"),
      (("Axon Evidence", "Axon", ""), ("Evidence.com", "Axon Public Safety UK", "")), (120_000, 300_000),
      (0.5, 0.7), "high", ("saas",)),
    E("bwv", ("police",), ("Body Worn Video",), ("Body worn video", "BWV"),
      (("Reveal body-worn video", "Reveal Media", ""), ("Reveal DEMS 360", "Reveal", "")), (60_000, 150_000),
      (0.4, 0.6), "high", ("onprem", "saas")),
    E("holmes", ("police",), ("Major Incident", "Major Crime"), ("HOLMES", "Major incident room"),
      (("Holmes", "Unisys", ""), ("HOLMES 2", "Unisys", "")), (20_000, 60_000), (0.02, 0.05), "high",
      ("hosted",)),
    # ---- fire
    E("mobilising", ("fire",), ("Mobilising", "Fire Control", "Command & Control"),
      ("Mobilising system", "Fire Control"),
      (("Systel mobilising", "Systel", ""), ("Systel Start", "Systel SA", "")), (150_000, 350_000), (0.05, 0.1),
      "critical", ("onprem", "hosted")),
    E("availability", ("fire",), ("Crewing & Availability", "On-call Availability"), ("Gartan", "Availability"),
      (("Gartan availability", "Gartan Technologies", ""), ("Gartan Roster", "Gartan", "")), (25_000, 70_000),
      (0.5, 0.8), "high", ("saas", "hosted")),
    E("cfrmis", ("fire",), ("Community Fire Safety", "Protection & Prevention", "Fire Safety"),
      ("CFRMIS", "Protection & prevention"), (("CFRMIS", "Civica", ""), ("Civica CFRMIS", "Civica", "")),
      (30_000, 80_000), (0.1, 0.25), "high", ("hosted", "onprem")),
    E("irs", ("fire",), ("Incident Recording",), ("IRS", "Incident Recording System"),
      (("IRS", "Home Office", ""), ("Incident Recording System (IRS)", "Home Office", "")), (0, 0), (0.1, 0.3),
      "medium", ("hosted",)),
    E("redkite", ("fire",), ("Asset & Equipment Management", "Training Records"), ("Redkite", "Equipment management"),
      (("Redkite", "Redkite Systems", ""),), (15_000, 40_000), (0.2, 0.5), "medium", ("saas",)),
    E("mdt_fire", ("fire",), ("Mobile Data", "Mobile Data Terminals"), ("MDTs", "Mobile data"),
      (("Terrafix MDT", "Terrafix", ""),), (40_000, 100_000), (0.3, 0.5), "high", ("onprem", "hosted")),
    # ---- NHS common
    E("roster", NHS, ("Rostering", "Workforce", "E-Rostering", "Workforce Management"),
      ("E-Rostering", "HealthRoster", "Rostering"),
      (("Allocate HealthRoster", "Allocate Software", ""), ("HealthRoster", "RLDatix", "11"),
       ("Allocate Health Roster", "Allocate", "")), (80_000, 250_000), (0.5, 0.8), "high", ("saas", "hosted")),
    E("esr", NHS, ("HR & Payroll", "Workforce", "Payroll/HR"), ("ESR", "Electronic Staff Record"),
      (("ESR", "IBM (NHS ESR)", ""), ("Electronic Staff Record", "NHS Business Services Authority", "")),
      (20_000, 60_000), (0.9, 1.0), "critical", ("hosted",)),
    E("incident", NHS + ("police", "fire"), ("Incident Reporting", "Risk Management", "Patient Safety", "Governance"),
      ("Incident reporting", "Risk management system"),
      (("Datix", "RLDatix", "Cloud IQ"), ("DatixWeb", "RLDatix", "14"), ("Ulysses Safeguard", "Ulysses", "")),
      (20_000, 80_000), (0.3, 0.9), "high", ("saas", "onprem")),
    E("nhsfinance", NHS, ("Finance", "Financial Management"), ("Finance ledger", "Oracle Financials"),
      (("Oracle Cloud (SBS)", "NHS Shared Business Services", ""), ("Integra", "Civica", ""),
       ("Civica Integra Financials", "Civica", "")), (80_000, 250_000), (0.03, 0.08), "critical", ("hosted", "saas")),
    E("nhsmail", NHS, ("Email", "Messaging"), ("NHSmail",), (("NHSmail", "NHS England (Accenture)", ""),),
      (0, 0), (0.9, 1.0), "critical", ("hosted",)),
    E("docman", NHS, ("Clinical Correspondence", "Document Management"),
      ("Clinical letters", "Clinical correspondence"),
      (("Docman", "Docman (Advanced)", ""), ("Synertec Prism", "Synertec", "")), (20_000, 90_000), (0.05, 0.2),
      "high", ("hosted", "saas")),
    E("integration_engine", NHS, ("Integration", "Interoperability"), ("Integration engine", "TIE"),
      (("InterSystems HealthShare", "InterSystems", "2022.1"), ("Orion Health Rhapsody", "Orion Health", ""),
       ("InterSystems Ensemble", "InterSystems", "")), (60_000, 200_000), (0.001, 0.003), "critical",
      ("onprem",)),
    E("dictation", ("acute", "mental"), ("Digital Dictation", "Clinical Correspondence"), ("Digital dictation",),
      (("BigHand", "BigHand", ""), ("Lexacom", "Lexacom", ""), ("Dictate IT", "Dictate IT", "")), (20_000, 90_000),
      (0.05, 0.15), "medium", ("saas", "onprem")),
    # ---- acute
    E("epr", ("acute",), ("EPR", "Electronic Patient Record", "Patient Administration", "Clinical Systems"),
      ("EPR", "Electronic Patient Record", "PAS/EPR"),
      (("Cerner Millennium", "Oracle Health", ""), ("Oracle Health (Cerner Millennium)", "Oracle Health", "2018.01"),
       ("Lorenzo", "Dedalus", "R2.x"), ("CareFlow EPR", "System C", "")),
      (1_500_000, 4_500_000), (0.8, 0.95), "critical", ("hosted", "onprem")),
    E("pas", ("acute",), ("Patient Administration", "PAS"), ("PAS", "Patient Administration System"),
      (("Medway PAS", "System C", "5.1"), ("CareFlow PAS (Medway)", "System C Healthcare", "")),
      (200_000, 600_000), (0.2, 0.4), "critical", ("onprem", "hosted"), p=0.6),
    E("pacs", ("acute",), ("PACS", "Radiology Imaging", "Imaging"), ("PACS", "Radiology imaging"),
      (("Sectra PACS", "Sectra", "24.2"), ("Sectra IDS7", "Sectra", "")), (250_000, 650_000), (0.3, 0.6), "critical",
      ("onprem", "hosted")),
    E("ris", ("acute",), ("Radiology Information System", "Radiology"), ("RIS", "CRIS"),
      (("CRIS", "Magentus (HSS)", ""), ("HSS CRIS", "Healthcare Software Solutions", "")), (60_000, 180_000),
      (0.05, 0.12), "high", ("onprem", "hosted")),
    E("lims", ("acute",), ("Pathology", "LIMS", "Laboratory Information Management"), ("LIMS", "Pathology system"),
      (("WinPath", "Clinisys", "5.40"), ("Clinisys WinPath Enterprise", "Clinisys", ""), ("TelePath", "DXC", ""),
       ("TelePath LIMS", "DXC Technology", "")), (180_000, 500_000), (0.05, 0.1), "critical", ("onprem",)),
    E("ordercomms", ("acute",), ("Order Comms", "Results Reporting"), ("Order comms", "ICE"),
      (("ICE", "Clinisys", "6.4"), ("Sunquest ICE", "Clinisys", "")), (40_000, 120_000), (0.3, 0.6), "high",
      ("onprem", "hosted")),
    E("eobs", ("acute",), ("E-Observations", "Clinical Noting", "Patient Flow"), ("eObs", "Nervecentre"),
      (("Nervecentre", "Nervecentre Software", "8"), ("Nerve Centre", "Nervecentre", "")), (150_000, 450_000),
      (0.4, 0.7), "critical", ("hosted",)),
    E("maternity", ("acute",), ("Maternity", "Maternity & Neonatal"), ("Maternity system", "BadgerNet"),
      (("BadgerNet", "Clevermed", ""), ("BadgerNet Maternity", "CleverMed Ltd", "")), (60_000, 150_000),
      (0.04, 0.08), "critical", ("saas",)),
    E("pharmacy", ("acute", "mental"), ("Pharmacy", "Pharmacy Stock Control", "Medicines Management"),
      ("Pharmacy system", "Pharmacy stock control"), (("JAC pharmacy", "JAC Computer Services", ""),
      ("JAC", "JAC", "v6"),
                                   ("Ascribe Pharmacy", "EMIS Health", "")), (30_000, 90_000), (0.01, 0.03),
      "high", ("onprem", "hosted")),
    E("theatres", ("acute",), ("Theatres", "Theatre Management"), ("Theatres system", "Theatre management"),
      (("Bluespier", "Bluespier", ""), ("TheatreMan", "Trisoft", ""), ("ORMIS", "Dedalus", "")), (40_000, 120_000),
      (0.04, 0.1), "high", ("onprem",)),
    E("ed", ("acute",), ("Emergency Department", "ED"), ("ED system", "Symphony"),
      (("EMIS Symphony", "EMIS Health", ""), ("Symphony", "EMIS", "")), (60_000, 160_000), (0.05, 0.1), "critical",
      ("onprem", "hosted"), p=0.7),
    E("community", ("acute", "mental"), ("Community Services", "Community EPR", "Clinical Systems"),
      ("Community system", "Community EPR"), (("TPP SystmOne", "TPP", ""), ("SystmOne", "TPP", ""),
                                         ("EMIS Web", "EMIS Health", "")),
      (150_000, 500_000), (0.2, 0.5), "critical", ("hosted",)),
    E("cancer", ("acute",), ("Cancer Services", "Oncology"), ("Cancer register", "Cancer MDT system"),
      (("Somerset Cancer Register", "Somerset NHS FT", ""), ("Infoflex", "CIMS", "")), (15_000, 50_000),
      (0.01, 0.03), "high", ("onprem",)),
    E("chemo", ("acute",), ("Oncology", "Chemotherapy Prescribing"),
      ("Chemo prescribing", "Chemotherapy e-prescribing"),
      (("ChemoCare", "CIS Oncology", ""), ("iQemo", "iQ HealthTech", "")), (25_000, 70_000), (0.01, 0.02), "high",
      ("onprem",), p=0.8),
    # ---- mental health
    E("rio", ("mental",), ("EPR", "Electronic Patient Record", "Clinical Record"), ("RiO", "Clinical record"),
      (("RiO", "Servelec", "7.4"), ("Servelec RiO", "Servelec Group", "")), (1_200_000, 3_000_000), (0.8, 0.95),
      "critical", ("hosted", "onprem")),
    E("iaptus", ("mental",), ("Talking Therapies", "Psychological Therapies"), ("IAPTus",),
      (("IAPTus", "Mayden", ""),), (40_000, 120_000), (0.03, 0.08), "high", ("saas",)),
    E("paris", ("mental",), ("Community Mental Health", "Clinical Record"), ("PARIS", "Community MH record"),
      (("PARIS", "Civica", ""),), (100_000, 300_000), (0.1, 0.3), "high", ("hosted",), p=0.6),
    # ---- ambulance
    E("cad", ("ambulance",), ("Computer Aided Dispatch", "Emergency Operations"), ("CAD", "Dispatch"),
      (("Cleric CAD", "Cleric", ""), ("Cleric Computer Aided Dispatch", "Cleric Computer Services", "6")),
      (400_000, 1_200_000), (0.1, 0.2), "critical", ("onprem",)),
    E("mdt", ("ambulance",), ("Mobile Data", "Vehicle Mobile Data"), ("MDT", "Mobile data terminals"),
      (("Terrafix", "Terrafix", ""), ("Terrafix MDT", "Terrafix Ltd", "")), (150_000, 450_000), (0.5, 0.7),
      "critical", ("onprem", "hosted")),
    E("epcr", ("ambulance",), ("Electronic Patient Care Record", "Clinical Record"), ("ePR", "ePCR"),
      (("Ortivus MobimedSmart", "Ortivus", ""), ("Terrafix ePCR", "Terrafix", "")), (300_000, 800_000), (0.5, 0.7),
      "critical", ("saas", "hosted")),
    E("adastra", ("ambulance",), ("NHS 111", "Urgent Care", "Clinical Assessment"), ("Adastra", "111 case management"),
      (("Adastra", "Advanced", "3.4"),), (200_000, 500_000), (0.1, 0.2), "critical", ("hosted",)),
    E("pathways", ("ambulance",), ("Triage", "Clinical Triage"), ("NHS Pathways",),
      (("NHS Pathways", "NHS England", ""),), (0, 0), (0.05, 0.1), "critical", ("hosted",)),
    E("grs", ("ambulance",), ("Rostering", "Workforce Management"), ("GRS", "Global Rostering System"),
      (("GRS", "Kronos (UKG)", ""),), (100_000, 250_000), (0.8, 0.95), "high", ("hosted",)),
)


# Small tools: (name, product, vendor, capability, sectors). Cost £2k-£20k, few users.
SMALL_TOOLS: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("Adobe Acrobat Pro", "Adobe Acrobat Pro DC", "Adobe", "Productivity", ALL),
    ("Adobe Creative Cloud", "Adobe Creative Cloud", "Adobe", "Design & Publishing", ALL),
    ("DocuSign", "DocuSign eSignature", "DocuSign", "E-Signature", ALL),
    ("Zoom", "Zoom Meetings", "Zoom", "Collaboration", ALL),
    ("Cisco Webex", "Webex", "Cisco", "Collaboration", ALL),
    ("SurveyMonkey", "SurveyMonkey Enterprise", "Momentive", "Consultation", ALL),
    ("Snap Surveys", "Snap XMP", "Snap Surveys", "Consultation", LG),
    ("Mailchimp", "Mailchimp", "Intuit", "Communications", LG),
    ("GovDelivery", "Granicus govDelivery", "Granicus", "Communications", LG),
    ("Hootsuite", "Hootsuite", "Hootsuite", "Social Media", ALL),
    ("SolarWinds", "SolarWinds NPM", "SolarWinds", "Network Monitoring", ALL),
    ("PRTG", "PRTG Network Monitor", "Paessler", "Network Monitoring", ALL),
    ("Nessus", "Tenable Nessus", "Tenable", "Cyber Security", ALL),
    ("Splunk", "Splunk Enterprise", "Splunk", "Cyber Security", ("county", "police", "acute", "mental", "ambulance")),
    ("LastPass", "LastPass Business", "LastPass", "Cyber Security", ALL),
    ("KnowBe4", "KnowBe4", "KnowBe4", "Cyber Security Training", ALL),
    ("Cisco AnyConnect", "Cisco AnyConnect", "Cisco", "Remote Access", ALL),
    ("Microsoft SQL Server", "SQL Server 2019", "Microsoft", "Database Platform", ALL),
    ("Crystal Reports", "SAP Crystal Reports", "SAP", "Reporting", ALL),
    ("Bankline", "NatWest Bankline", "NatWest", "Banking", ALL),
    ("Bottomline PTX", "Bottomline PTX", "Bottomline", "Banking", ALL),
    ("Experian", "Experian QAS", "Experian", "Data Quality", LG),
    ("NFI", "National Fraud Initiative", "Cabinet Office", "Counter Fraud", LG),
    ("LexisNexis", "Lexis+ UK", "LexisNexis", "Legal Research", ALL),
    ("Kofax Capture", "Kofax Capture", "Kofax", "Scanning", ALL),
    ("Matrix Booking", "Matrix Booking", "Matrix Booking", "Room Booking", ALL),
    ("Learning Pool", "Learning Pool LMS", "Learning Pool", "E-Learning", ALL),
    ("Me Learning", "Me Learning", "Me Learning", "E-Learning", LG),
    ("Smartsheet", "Smartsheet", "Smartsheet", "Project Management", ALL),
    ("Microsoft Project Online", "Project Online", "Microsoft", "Project Management", ALL),
    ("Trello", "Trello", "Atlassian", "Project Management", LG),
    ("Jira", "Jira Software", "Atlassian", "ICT Development", ALL),
    ("Bluebeam", "Bluebeam Revu", "Bluebeam", "Building Control", LG),
    ("AutoCAD", "AutoCAD LT", "Autodesk", "Design & Drawing", LG + BLUE),
    ("OS MasterMap", "OS MasterMap", "Ordnance Survey", "GIS", LG + BLUE),
    ("Parish Online", "Parish Online", "Parish Online", "GIS", LG),
    ("Lotus Notes (archive)", "IBM Notes", "HCL", "Email", LG),
    ("Business Objects", "SAP BusinessObjects", "SAP", "Reporting", LG + NHS),
    ("CCTV management", "Milestone XProtect", "Milestone", "CCTV", LG + BLUE),
    ("Lifeline alarms", "PNC8", "Tunstall", "Telecare", LG),
    ("Pest control bookings", "In-house", "", "Environmental Health", DIS),
    ("Allotments database", "In-house", "", "Parks & Open Spaces", DIS),
    ("Cemeteries & crematorium", "Epitaph", "Gower Consultants", "Bereavement Services", DIS),
    ("Bereavement", "BACAS", "Civica", "Bereavement Services", DIS),
    ("Land charges", "Idox Uniform Land Charges", "Idox", "Land Charges", DIS),
    ("Street naming & numbering", "In-house", "", "Address Management", DIS),
    ("Markets", "Markets database", "", "Markets", DIS),
    ("Grants database", "In-house (Access)", "", "Grants", LG),
    ("Member enquiries", "In-house (SharePoint)", "", "Democratic Services", LG),
    ("Leisure bookings", "Legend", "Legend Club Management", "Leisure", DIS),
    ("Tourist information", "New Mind", "New Mind", "Tourism", DIS),
    ("Flood warning", "In-house", "", "Emergency Planning", LG),
    ("Resilience Direct", "ResilienceDirect", "Cabinet Office", "Emergency Planning", ALL),
    ("Emergency planning", "Resilience Manager", "Ideagen", "Emergency Planning", LG + BLUE),
    ("Health & safety", "SHE Assure", "SHE Software", "Health & Safety", ALL),
    ("Occupational health", "Cority", "Cority", "Occupational Health", ALL),
    ("Recruitment", "Jobs Go Public", "Jobs Go Public", "Recruitment", LG),
    ("Trac recruitment", "Trac", "Trac Systems", "Recruitment", NHS),
    ("NHS Jobs", "NHS Jobs", "NHS Business Services Authority", "Recruitment", NHS),
    ("Expenses", "Selenity Expenses", "Selenity", "Expenses", ALL),
    ("Car parking permits", "Permit Smarti", "Marston Holdings", "Parking", DIS),
    ("Timesheets", "In-house", "", "Workforce", ALL),
    ("Asset tagging", "Snipe-IT", "Grokability", "ICT Asset Management", ALL),
    ("Software licences", "Flexera", "Flexera", "ICT Asset Management", ("county", "police", "acute", "mental")),
    ("Wireless", "Cisco Meraki", "Cisco", "Networks", ALL),
    ("Mobile phones", "Vodafone Corporate", "Vodafone", "Mobile Telephony", ALL),
    ("SMS gateway", "Esendex", "Esendex", "Communications", ALL),
    ("GOV.UK Notify", "GOV.UK Notify", "Government Digital Service", "Communications", ALL),
    ("Planning consultations", "Objective Keystone", "Objective", "Planning Policy", DIS),
    ("Local plan consultation", "Inovem", "Inovem", "Planning Policy", DIS),
    ("Building control portal", "Idox Public Access BC", "Idox", "Building Control", DIS),
    ("Housing benefit fraud", "In-house", "", "Counter Fraud", DIS),
    ("Debt recovery", "Capita Academy Recovery", "Capita", "Revs & Bens", DIS),
    ("Sundry debtors", "Civica Debtors", "Civica", "Finance", LG),
    ("Purchase cards", "Barclaycard Spend Management", "Barclaycard", "Finance", ALL),
    ("Treasury management", "Arlingclose portal", "Arlingclose", "Finance", LG + BLUE),
    ("Budget monitoring", "In-house (Excel/Power BI)", "", "Finance", ALL),
    ("Capital programme", "In-house", "", "Finance", LG),
    ("Insurance claims", "Figtree", "Figtree Systems", "Insurance", LG),
    ("Fuel cards", "Allstar", "FleetCor", "Fleet Management", LG + BLUE + NHS),
    ("Vehicle tracking", "Masternaut", "Michelin Connected Fleet", "Fleet Management", LG + BLUE),
    ("Mobile working", "Kirona", "Kirona", "Mobile Working", LG),
    ("Scheduling", "Kirona DRS", "Kirona", "Repairs", DIS),
    ("Telecare", "Tunstall PNC", "Tunstall", "Telecare", CTY),
    ("Blue Badge", "Blue Badge Digital Service", "Northgate (for DfT)", "Blue Badges", CTY),
    ("Concessionary travel", "Smart ticketing back office", "Civica", "Passenger Transport", CTY),
    ("School admissions", "Capita One Admissions", "Capita", "Education", CTY),
    ("SEN case management", "Capita One SEN", "Capita", "Education", CTY),
    ("Schools finance", "Capita One Finance", "Capita", "Education", CTY),
    ("Youth offending", "ChildView", "CACI", "Youth Justice", CTY),
    ("Fostering portal", "Mosaic portal", "Servelec", "Children's Services", CTY),
    ("Court bundles", "Caselines", "Thomson Reuters", "Legal", CTY + ("police",)),
    ("Public health", "Lillie", "Bizzy Software", "Public Health", CTY),
    ("Sexual health", "Lilie", "IT Copper", "Public Health", CTY),
    ("Smoking cessation", "QuitManager", "Bionical", "Public Health", CTY),
    ("Adult learning", "Unit-e", "Tribal", "Adult Learning", CTY),
    ("Museum collections", "Modes", "Modes Users Association", "Museums", CTY + DIS),
    ("Rights of way", "CAMS", "Exegesis", "Countryside", CTY),
    ("Gritting", "Routemaster", "Exor", "Highways", CTY),
    ("Traffic signals", "RMS", "Siemens Mobility", "Highways", CTY),
    ("Street lighting", "Mayrise Street Lighting", "Yotta", "Highways", CTY),
    ("Streetworks permits", "Symology Insight Permits", "Symology", "Highways", CTY),
    ("Minerals & waste planning", "Idox Uniform (County Planning)", "Idox", "Planning", CTY),
    ("Pension fund", "Altair", "Heywood", "Pensions", CTY),
    ("Election results", "Democracy Counts", "Democracy Counts", "Elections", DIS),
    ("Webcasting", "Public-i Connect", "Public-i", "Democratic Services", LG),
    ("Mobile device fleet", "Jamf Pro", "Jamf", "Device Management", ALL),
    ("Police National Computer", "PNC", "Home Office", "National Systems", ("police",)),
    ("Police National Database", "PND", "Home Office", "National Systems", ("police",)),
    ("ANPR", "National ANPR Service", "Home Office", "ANPR", ("police",)),
    ("Pronto", "Pronto", "Capita", "Mobile Policing", ("police",)),
    ("Duty management", "Crown Duty Management", "Crown", "Workforce", ("police",)),
    ("Origin HR", "Origin", "Chronicle", "HR", ("police",)),
    ("Chronicle", "Chronicle", "Chronicle", "Training Records", ("police", "fire")),
    ("Centurion", "Centurion", "Centurion Systems", "Professional Standards", ("police",)),
    ("Property & exhibits", "SEMS", "Sydney Electronics", "Property Management", ("police",)),
    ("Digital forensics", "Cellebrite UFED", "Cellebrite", "Digital Forensics", ("police",)),
    ("Magnet AXIOM", "Magnet AXIOM", "Magnet Forensics", "Digital Forensics", ("police",)),
    ("Firearms licensing", "NFLMS", "Home Office", "Licensing", ("police",)),
    ("Single Online Home", "Single Online Home", "Police Digital Service", "Public Contact", ("police",)),
    ("Intelligence analysis", "i2 Analyst's Notebook", "IBM / N.Harris", "Intelligence", ("police",)),
    ("Airwave", "Airwave", "Motorola Solutions", "Radio", ("police", "fire", "ambulance")),
    ("Fire safety audits", "CFRMIS Mobile", "Civica", "Protection & Prevention", ("fire",)),
    ("Training records", "PDRPro", "PDR Pro", "Training Records", ("fire",)),
    ("Hydrants", "Hydrant database (in-house)", "", "Operational Risk", ("fire",)),
    ("Risk information", "Resilience Direct (SSRI)", "Cabinet Office", "Operational Risk", ("fire",)),
    ("Fire Service Rota", "FSR", "Fire Service Rota Ltd", "Crewing & Availability", ("fire",)),
    ("Breathing apparatus", "Draeger BA Telemetry", "Draeger", "Operational Equipment", ("fire",)),
    ("Clinical coding", "Medicode", "3M", "Clinical Coding", ("acute",)),
    ("Patient level costing", "Civica PLICS", "Civica", "Costing", NHS),
    ("Patient flow", "TeleTracking", "TeleTracking", "Patient Flow", ("acute",)),
    ("Bed management", "Careflow Connect", "System C", "Patient Flow", ("acute",)),
    ("Audiology", "Auditbase", "Auditdata", "Audiology", ("acute",)),
    ("Ophthalmology", "Medisoft", "Medisoft", "Ophthalmology", ("acute",)),
    ("Endoscopy", "Solus Endoscopy", "Medilogik", "Endoscopy", ("acute",)),
    ("Cardiology", "Tomcat", "Philips", "Cardiology", ("acute",)),
    ("Ultrasound", "ViewPoint", "GE Healthcare", "Imaging", ("acute",)),
    ("Radiotherapy", "Mosaiq", "Elekta", "Oncology", ("acute",)),
    ("Blood tracking", "BloodTrack", "Haemonetics", "Pathology", ("acute",)),
    ("Blood bank", "HaemoBank", "Clinisys", "Pathology", ("acute",)),
    ("Infection control", "ICNet", "Baxter", "Infection Prevention", ("acute",)),
    ("Dietetics", "In-house", "", "Therapies", ("acute",)),
    ("Physio", "Therapy Manager", "Therapy Manager", "Therapies", ("acute", "mental")),
    ("Renal", "Vitaldata", "Vitaldata", "Renal", ("acute",)),
    ("Diabetes", "Diamond", "Hicom", "Diabetes", ("acute",)),
    ("Critical care", "Philips ICCA", "Philips", "Critical Care", ("acute",)),
    ("Neonatal", "BadgerNet Neonatal", "Clevermed", "Maternity & Neonatal", ("acute",)),
    ("Outpatient booking", "DrDoctor", "DrDoctor", "Patient Engagement", ("acute", "mental")),
    ("Patient portal", "Patients Know Best", "Patients Know Best", "Patient Engagement", ("acute", "mental")),
    ("Appointment reminders", "Healthcare Communications", "Healthcare Communications", "Patient Engagement",
     ("acute", "mental")),
    ("E-Referrals", "NHS e-Referral Service", "NHS England", "National Systems", ("acute", "mental")),
    ("Summary Care Record", "SCR", "NHS England", "National Systems", NHS),
    ("Spine", "Spine Mini Service", "NHS England", "National Systems", NHS),
    ("MESH", "MESH client", "NHS England", "National Systems", NHS),
    ("Medical devices", "EBME (e-Quip)", "Delta Systems", "Medical Equipment", ("acute",)),
    ("Estates helpdesk", "Micad", "Micad Systems", "Estates & Facilities", NHS),
    ("Catering", "Saffron", "Saffron", "Facilities", ("acute",)),
    ("Porters", "Pinpoint", "Pinpoint", "Facilities", ("acute",)),
    ("Pneumatic tube", "Swisslog TranspoNet", "Swisslog", "Facilities", ("acute",)),
    ("Nurse call", "Ascom Telligence", "Ascom", "Clinical Communications", ("acute", "mental")),
    ("Medicines cabinets", "Omnicell", "Omnicell", "Pharmacy", ("acute",)),
    ("Quality management", "Q-Pulse", "Ideagen", "Quality", ("acute", "ambulance")),
    ("Clinical audit", "AMaT", "Radar Healthcare", "Clinical Audit", NHS),
    ("Job planning", "Allocate e-Job Plan", "RLDatix", "Workforce", ("acute", "mental")),
    ("Bank staff", "Allocate BankStaff", "RLDatix", "Workforce", NHS),
    ("Employee Online", "Employee Online", "RLDatix", "Workforce", NHS),
    ("Mental Health Act", "MHA module (in-house)", "", "Mental Health Act", ("mental",)),
    ("Outcome measures", "In-house (PROMs)", "", "Clinical Outcomes", ("mental",)),
    ("Safe staffing", "SafeCare", "RLDatix", "Workforce", ("acute", "mental")),
    ("Clinical decision support", "Odyssey", "Odyssey", "Clinical Triage", ("ambulance",)),
    ("Hospital arrival screens", "ATMIST handover", "In-house", "Emergency Operations", ("ambulance",)),
    ("Call recording", "Redbox", "Redbox Recorders", "Emergency Operations", ("ambulance", "police", "fire")),
    ("Directory of Services", "DoS", "NHS England", "Urgent Care", ("ambulance",)),
    ("Make ready", "Make Ready tracker", "", "Fleet Management", ("ambulance",)),
    ("Vehicle telematics", "Siemens Telematics", "Siemens", "Fleet Management", ("ambulance",)),
    ("Defibrillator mapping", "The Circuit", "British Heart Foundation", "Community Resilience", ("ambulance",)),
    ("Patient transport booking", "Cleric PTS", "Cleric", "Patient Transport", ("ambulance",)),
    ("Clinical hub", "Cleric Clinical Hub", "Cleric", "Clinical Assessment", ("ambulance",)),
    ("Training", "Kallidus", "Kallidus", "E-Learning", NHS + BLUE),
    ("Hospital at night", "Nervecentre Hospital at Night", "Nervecentre", "Patient Flow", ("acute",)),
    ("Sepsis screening", "In-house (Nervecentre forms)", "", "Clinical Systems", ("acute",)),
    ("Discharge summaries", "In-house eDischarge", "", "Clinical Correspondence", ("acute",)),
    ("Dental", "R4", "Carestream Dental", "Dental", ("acute",)),
    ("Orthodontics", "Dolphin Imaging", "Patterson Dental", "Dental", ("acute",)),
    ("Sleep studies", "Compumedics Profusion", "Compumedics", "Respiratory", ("acute",)),
    ("Lung function", "Vyaire SentrySuite", "Vyaire", "Respiratory", ("acute",)),
    ("Vascular lab", "CardioVascular Information System", "GE Healthcare", "Cardiology", ("acute",)),
    ("Echo reporting", "Philips IntelliSpace Cardiovascular", "Philips", "Cardiology", ("acute",)),
    ("Mammography screening", "NBSS", "NHS Digital", "Breast Screening", ("acute",)),
    ("AAA screening", "SMaRT", "Northgate (for NHS)", "Screening", ("acute",)),
    ("Diabetic eye screening", "OptoMize", "EMIS Health", "Screening", ("acute",)),
    ("Newborn hearing", "S4H", "NHS England", "Screening", ("acute",)),
    ("Sterile services", "T-DOC", "Getinge", "Decontamination", ("acute",)),
    ("Mortuary", "Mortuary Management (in-house)", "", "Mortuary", ("acute",)),
    ("Chaplaincy", "In-house (Access)", "", "Patient Services", ("acute",)),
    ("Interpreting bookings", "DA Languages portal", "DA Languages", "Patient Services", ("acute", "mental")),
    ("Clinical photography", "Imagebank", "Imagebank", "Medical Illustration", ("acute",)),
    ("Wound management", "Wound Matrix", "Healthy.io", "Tissue Viability", ("acute",)),
    ("Falls monitoring", "In-house", "", "Patient Safety", ("acute",)),
    ("Anticoagulation", "INRstar", "LumiraDx", "Anticoagulation", ("acute",)),
    ("Cytology", "Sunquest CoPath", "Sunquest", "Pathology", ("acute",)),
    ("Microbiology analyser middleware", "Instrument Manager", "Data Innovations", "Pathology", ("acute",)),
    ("Point of care testing", "Cobas IT 1000", "Roche", "Pathology", ("acute",)),
    ("Digital pathology", "Sectra Digital Pathology", "Sectra", "Pathology", ("acute",)),
    ("Waiting list validation", "In-house (SQL)", "", "Performance", ("acute", "mental")),
    ("Data warehouse", "SQL Server data warehouse", "Microsoft", "Business Intelligence", NHS),
    ("Freedom to Speak Up", "In-house", "", "Governance", NHS),
    ("Consent", "Concentric", "Concentric Health", "Clinical Systems", ("acute",)),
    ("Virtual wards", "Doccla", "Doccla", "Virtual Wards", ("acute",)),
    ("Records library", "iFIT", "iFIT", "Health Records", ("acute", "mental")),
    ("Scanning bureau", "Kainos Evolve", "Kainos", "Health Records", ("acute", "mental")),
    ("Virtual visiting", "Attend Anywhere", "NHS England", "Patient Engagement", ("acute", "mental")),
    ("Libraries (county)", "Spydus Mobile", "Civica", "Libraries", CTY),
    ("Library self-service", "Bibliotheca smartserve", "Bibliotheca", "Libraries", CTY),
    ("School meals", "ParentPay", "ParentPay", "Education", CTY),
    ("Free school meals eligibility", "ECS", "Department for Education", "Education", CTY),
    ("Schools HR", "Schools Advisory portal (in-house)", "", "Education", CTY),
    ("Outdoor education bookings", "In-house", "", "Education", CTY),
    ("Foster carer payments", "ContrOCC Payments module", "OLM Systems", "Children's Services", CTY),
    ("Direct payments cards", "Prepaid Financial Services portal", "PFS", "Adult Social Care", CTY),
    ("Care market portal", "Care Cubed", "iESE", "Adult Social Care", CTY),
    ("Brokerage", "Adam Dynamic Purchasing", "Adam HTT", "Adult Social Care", CTY),
    ("Safeguarding training", "Virtual College", "Virtual College", "E-Learning", CTY),
    ("Highways defects app", "Confirm Connect", "Brightly", "Highways", CTY),
    ("Bridges", "BridgeStation", "WDM", "Highways", CTY),
    ("Traffic counts", "Drakewell C2", "Drakewell", "Highways", CTY),
    ("Winter maintenance weather", "Vaisala RoadDSS", "Vaisala", "Highways", CTY),
    ("Flood risk", "Flood Modeller", "Jacobs", "Flood Risk", CTY),
    ("Coroners inquests", "Coroner Case Tracker (in-house)", "", "Coroner's Service", CTY),
    ("Scientific services LIMS", "LabWare", "LabWare", "Trading Standards", CTY),
)


# --------------------------------------------------------------------------------------------------
# Generating each organisation's systems

def _round(value: float, step: int = 50) -> int:
    return int(round(value / step) * step)


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


@dataclass
class System:
    org: str
    system_id: str
    system: str
    vendor: str
    product: str
    version: str
    capability: str
    users: int | None
    licence_cost: int | None
    support_cost: int | None
    hosting_cost: int | None
    staff_cost: int | None
    contract_end: dt.date | None
    notice_months: int | None
    exit_cost: int | None
    hosting: str  # onprem, site, hosted, saas, cloud
    site: str
    lifecycle: str
    criticality: str
    core: bool
    key: str
    integrations: list[str] = field(default_factory=list)  # indexes resolved later (system ids/names)
    comment: str = ""
    owner: str = ""

    @property
    def annual_cost(self) -> int:
        return sum(v or 0 for v in (self.licence_cost, self.support_cost, self.hosting_cost, self.staff_cost))


SIZE_FACTOR = {"county": 2.2, "district": 1.0, "police": 1.6, "fire": 0.8, "acute": 2.0, "mental": 1.7,
               "ambulance": 1.6}
ID_FORMAT = {
    "Cumbria County Council": "CCC-APP-{:04d}",
    "Allerdale Borough Council": "ABC{:03d}",
    "Carlisle City Council": "CAR-{:03d}",
    "Copeland Borough Council": "{:d}",
    "South Lakeland District Council": "SLDC/IT/{:03d}",
    "Cumbria Constabulary": "CC-{:03d}",
    "Cumbria Fire and Rescue Service": "CFRS-{:03d}",
    "North Cumbria Integrated Care NHS Foundation Trust": "NCIC-APP-{:04d}",
    "University Hospitals of Morecambe Bay NHS Foundation Trust": "CI{:05d}",
    "Cumbria, Northumberland, Tyne and Wear NHS Foundation Trust": "CNTW{:04d}",
}
SITES_OF = {
    "Cumbria County Council": ("Cumbria House Data Centre", "County Offices Kendal server room"),
    "Carlisle City Council": ("Civic Centre server room",),
    "North Cumbria Integrated Care NHS Foundation Trust": ("Cumberland Infirmary Data Centre",
                                                           "West Cumberland Hospital server room"),
    "University Hospitals of Morecambe Bay NHS Foundation Trust": ("Royal Lancaster Infirmary Data Centre",
                                                                   "Furness General Hospital Data Centre"),
    "Cumbria Constabulary": ("Carleton Hall Data Centre",),
    "Cumbria Fire and Rescue Service": ("Fire HQ server room",),
}
HOSTED_BY_COUNTY = {"Eden District Council": "Cumbria House Data Centre",
                    "Copeland Borough Council": "Cumbria House Data Centre"}
HUB_KEYS = ("finance", "erp_county", "nhsfinance", "crm", "payments", "gis", "llpg", "edrms", "ad", "m365",
            "revs", "epr", "rio", "pas", "integration_engine", "rms", "command", "cad", "mobilising", "hr", "esr")
COMMENTS = ("Contract extended by 1 year", "Replacement project planned", "Supplier moving product to SaaS",
            "Shared with neighbouring authority", "Under review", "Upgrade due", "Licences reduced last year",
            "Support via framework", "Procured via G-Cloud", "Part of ICT strategy review")
OWNERS = ("Head of Finance", "Revenues Manager", "Planning Manager", "ICT Manager", "Customer Services Manager",
          "Head of HR", "Waste Services Manager", "Democratic Services Manager", "Housing Manager",
          "Environmental Health Manager", "Head of Legal", "Communications Manager")


def _choose(rng: np.random.Generator, items):
    return items[int(rng.integers(len(items)))]


def generate_systems(org: Org, rng: np.random.Generator) -> list[System]:
    """The organisation's systems: its sector's core systems, then small tools up to its size."""
    kind = org.kind
    entries = [e for e in CATALOGUE if kind in e.sectors and rng.random() < e.p]
    tools = [t for t in SMALL_TOOLS if kind in t[4]]
    order = rng.permutation(len(tools))
    n_tools = max(0, org.n_systems - len(entries))
    if n_tools > len(tools):
        raise ValueError(f"{org.name}: {n_tools} small tools wanted, {len(tools)} available")
    picked_tools = [tools[i] for i in sorted(order[:n_tools])]
    systems: list[System] = []
    names: set[str] = set()
    factor = SIZE_FACTOR[kind] if kind != "district" else (org.employees / 450) ** 0.5
    own_sites = SITES_OF.get(org.name, ())
    for entry in entries:
        product, vendor, version = _choose(rng, entry.products)
        cap = _choose(rng, entry.caps)
        name = _choose(rng, entry.names)
        if rng.random() < 0.25:  # people often call a system by its product
            name = product
        if name.lower() in names:
            name = f"{name} ({product.split()[0]})"
        names.add(name.lower())
        lo, hi = entry.cost
        shared = len(entry.sectors) > 1 and lo < 200_000 and entry.key != "revs"
        total = float(rng.uniform(lo, hi)) * (factor if shared else 1.0)
        users = int(max(2, round(org.employees * float(rng.uniform(*entry.users)))))
        systems.append(_make(org, rng, entry.key, name, vendor, product, version, cap, users, total,
                             _choose(rng, entry.hosting), entry.crit, True, own_sites))
    for name, product, vendor, cap, _ in picked_tools:
        if name.lower() in names:
            name = f"{name} ({vendor or 'local'})"
        names.add(name.lower())
        inhouse = product.lower().startswith("in-house") or not vendor
        total = float(rng.uniform(2_000, 20_000))
        users = int(max(1, round(org.employees * float(rng.uniform(0.002, 0.05)))))
        hosting = "onprem" if inhouse else _choose(rng, ("saas", "saas", "hosted", "onprem"))
        crit = _choose(rng, ("low", "low", "medium", "medium", "high"))
        systems.append(_make(org, rng, "tool", name, vendor, product, "", cap, users, total, hosting, crit, False,
                             own_sites, inhouse=inhouse))
    fmt = ID_FORMAT.get(org.name)
    for i, s in enumerate(systems, start=1):
        s.system_id = fmt.format(i if not fmt.endswith("{:d}") else 100 + i) if fmt else ""
    _link_systems(systems, rng)
    return systems


def _make(org: Org, rng: np.random.Generator, key: str, name: str, vendor: str, product: str, version: str,
          cap: str, users: int, total: float, hosting: str, crit: str, core: bool, own_sites: tuple[str, ...],
          inhouse: bool = False) -> System:
    if inhouse:
        staff = _round(total * float(rng.uniform(0.7, 1.0)), 100)
        parts = (None, None, _round(total - staff, 50) or None, staff)
        contract_end = notice = exit_cost = None
    elif total == 0:  # a nationally provided system: no local cost
        parts = (0, 0, 0, _round(float(rng.uniform(1_000, 8_000)), 100))
        contract_end = notice = exit_cost = None
    else:
        hosting_share = 0.0 if hosting == "saas" else float(rng.uniform(0.05, 0.2))
        staff_share = float(rng.uniform(0.05, 0.3)) if core else float(rng.uniform(0.0, 0.15))
        support_share = float(rng.uniform(0.15, 0.3))
        licence_share = max(0.1, 1 - hosting_share - staff_share - support_share)
        shares = np.array([licence_share, support_share, hosting_share, staff_share])
        shares = shares / shares.sum()
        step = 10_000 if total > 1_000_000 else (500 if total > 50_000 else 50)
        parts = tuple(int(_round(total * s, step)) for s in shares)
        year = int(rng.choice([2025, 2026, 2026, 2027, 2027, 2028, 2028, 2029, 2030, 2031, 2032]))
        month = 3 if rng.random() < 0.55 else int(rng.integers(1, 13))
        if year == 2025 and month < 6:
            month = int(rng.integers(6, 13))
        if year == 2032:
            month = min(month, 3)
        contract_end = _month_end(year, month)
        notice = int(rng.choice([3, 6, 6, 12])) if total > 10_000 else int(rng.choice([1, 3, 3]))
        if total > 150_000:
            notice = 12 if rng.random() < 0.7 else 6
        exit_cost = _round(total * float(rng.uniform(0.1, 0.5)), 500) if (total > 40_000 and rng.random() < 0.35) \
            else None
    site = ""
    if hosting == "onprem" and org.name in HOSTED_BY_COUNTY and rng.random() < 0.4:
        hosting, site = "site", HOSTED_BY_COUNTY[org.name]
    elif hosting == "onprem" and own_sites and rng.random() < 0.6:
        hosting, site = "site", own_sites[0] if rng.random() < 0.75 else own_sites[-1]
    r = rng.random()
    lifecycle = "live" if r < 0.86 else ("end-of-life" if r < 0.93 else "being replaced")
    if key == "exchange" and rng.random() < 0.6:
        lifecycle = "being replaced"
    comment = _choose(rng, COMMENTS) if rng.random() < 0.15 else ""
    if lifecycle == "being replaced" and rng.random() < 0.7:
        comment = "Replacement in procurement"
    return System(org.name, "", name, vendor, product, version, cap, users, *parts, contract_end, notice,
                  exit_cost, hosting, site, lifecycle, crit, core, key, [], comment, _choose(rng, OWNERS))


def _link_systems(systems: list[System], rng: np.random.Generator) -> None:
    """Each core system exchanges data with a few hubs (finance, CRM, GIS...); some tools with one."""
    hubs = [i for i, s in enumerate(systems) if s.key in HUB_KEYS]
    for i, s in enumerate(systems):
        others = [h for h in hubs if h != i]
        if not others:
            continue
        if s.core:
            k = int(rng.choice([0, 1, 1, 2, 2, 3]))
        else:
            k = 1 if rng.random() < 0.2 else 0
        k = min(k, len(others))
        if k:
            s.integrations = [int(j) for j in sorted(rng.choice(others, size=k, replace=False))]


# --------------------------------------------------------------------------------------------------
# Writing: a column is (header, field, how to show the value)

class Raw:
    """A cell value written exactly as given (a planted problem)."""

    def __init__(self, value: object) -> None:
        self.value = value


def money_number(v):
    return v


def money_text(v):
    return None if v is None else f"£{v:,.0f}"


def money_short(v):
    """How people type amounts in a hurry: 12.5k, £85k, £1.2m, 950."""
    if v is None:
        return None
    if v >= 1_000_000 and v % 100_000 == 0:
        return f"£{v / 1_000_000:.1f}m"
    if v >= 1_000_000 and v % 10_000 == 0:
        return f"£{v / 1_000_000:.2f}m"
    if v >= 10_000 and v % 1000 == 0:
        return f"£{v // 1000}k"
    if v >= 10_000 and v % 100 == 0:
        return f"{v / 1000:.1f}k"
    return f"£{v:,.0f}" if v >= 1000 else str(v)


def date_excel(d):
    return None if d is None else dt.datetime(d.year, d.month, d.day)


def date_uk(d):
    return None if d is None else d.strftime("%d/%m/%Y")


def date_month(d):
    return None if d is None else d.strftime("%b %Y")


def plain(v):
    return None if v in (None, "") else v


def notice_text(v):
    return None if v is None else f"{v} months"


@dataclass
class Layout:
    file: str
    sheet: str
    org_names: tuple[str, ...]
    columns: tuple[tuple[str, str, Callable], ...]
    titles: tuple[tuple[object, ...], ...]
    hosting_words: dict[str, tuple[str, ...]]
    lifecycle_words: dict[str, tuple[str, ...]]
    crit_words: dict[str, tuple[str, ...]]
    refer_by: str = "id"  # how integrations name other systems: id or name
    version_in_product: float = 0.3
    vendor_blank: float = 0.08
    org_alias: dict[str, str] = field(default_factory=dict)
    totals: bool = False
    notes: tuple[str, ...] = ()


HOST_WORDS_A = {"onprem": ("On-premises", "On Prem", "on-prem"), "hosted": ("Supplier hosted", "Vendor hosted"),
                "saas": ("SaaS", "Cloud SaaS"), "cloud": ("Azure",)}
HOST_WORDS_B = {"onprem": ("On premises", "Internal"), "hosted": ("Hosted", "Managed hosting"),
                "saas": ("Software as a Service", "SaaS"), "cloud": ("Cloud",)}
HOST_WORDS_C = {"onprem": ("Onprem", "Local server"), "hosted": ("Supplier Hosted", "Private cloud"),
                "saas": ("SaaS",), "cloud": ("AWS", "Public cloud")}
LIFE_A = {"live": ("Live",), "end-of-life": ("End of life", "Legacy"), "being replaced": ("Being replaced",)}
LIFE_B = {"live": ("In use", "Active"), "end-of-life": ("Unsupported", "EOL"),
          "being replaced": ("To be replaced", "In procurement")}
LIFE_C = {"live": ("Production", "BAU"), "end-of-life": ("Legacy",), "being replaced": ("Under replacement",)}
CRIT_A = {"critical": ("Critical",), "high": ("High",), "medium": ("Medium",), "low": ("Low",)}
CRIT_B = {"critical": ("Tier 1",), "high": ("Tier 2",), "medium": ("Tier 3",), "low": ("Tier 4",)}
CRIT_C = {"critical": ("Gold", "Business critical"), "high": ("Silver", "Important"), "medium": ("Bronze",),
          "low": ("Low",)}


def _check_words() -> None:
    for words, choice in ((HOST_WORDS_A, HOSTING), (HOST_WORDS_B, HOSTING), (HOST_WORDS_C, HOSTING),
                          (LIFE_A, LIFECYCLE), (LIFE_B, LIFECYCLE), (LIFE_C, LIFECYCLE), (CRIT_A, CRITICALITY),
                          (CRIT_B, CRITICALITY), (CRIT_C, CRITICALITY)):
        lookup = choice.lookup()
        for canonical, wordings in words.items():
            for w in wordings:
                got = lookup.get(normalise_header(w))
                want = {"onprem": "on-premises", "hosted": "cloud", "cloud": "cloud", "saas": "saas"}.get(
                    canonical, canonical)
                if got != want:
                    raise AssertionError(f"{w!r} reads as {got!r}, not {want!r}")


def _title(*texts: str) -> tuple[object, ...]:
    return tuple(texts)


def system_rows(layout: Layout, systems: list[System], rng: np.random.Generator) -> list[list[object]]:
    """The data rows of a Systems sheet, each a list of cell values in the layout's column order."""
    rows = []
    for s in systems:
        peers = [x for x in systems if x.org == s.org]
        cells = []
        product = s.product
        version = s.version
        has_version = any(f == "version" for _, f, _ in layout.columns)
        if version and (not has_version or rng.random() < layout.version_in_product) and version not in product:
            bare = version[0].isalpha() or (len(version) == 4 and version.isdigit())
            product = f"{product} {version}" if bare else f"{product} v{version}"
            version = ""
        vendor = "" if rng.random() < layout.vendor_blank else s.vendor
        if product == "In-house" and rng.random() < 0.35:
            product = "N/A"
        refs = []
        for j in s.integrations:
            peer = peers[j]
            refs.append(peer.system_id if layout.refer_by == "id" and peer.system_id else peer.system)
        if s.hosting == "site":
            hosting = s.site
        else:
            hosting = _choose(rng, layout.hosting_words[s.hosting])
        values = dict(
            organisation=layout.org_alias.get(s.org, s.org), system_id=s.system_id, system=s.system, vendor=vendor,
            product=product, version=version, capability=s.capability, users=s.users,
            licence_cost=s.licence_cost, support_cost=s.support_cost, hosting_cost=s.hosting_cost,
            staff_cost=s.staff_cost, annual_cost=s.annual_cost, contract_end=s.contract_end,
            notice_months=s.notice_months, exit_cost=s.exit_cost, hosting=hosting,
            lifecycle=_choose(rng, layout.lifecycle_words[s.lifecycle]),
            criticality=_choose(rng, layout.crit_words[s.criticality]), integrations="; ".join(refs),
            comment=s.comment, owner=s.owner,
        )
        for _, name, show in layout.columns:
            cells.append(show(values[name]))
        rows.append(cells)
    return rows


# --------------------------------------------------------------------------------------------------
# Workbooks

HEADER_FONT = Font(bold=True)
TITLE_FONT = Font(bold=True, size=13)


def _new_workbook() -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "estate sample generator"
    wb.properties.lastModifiedBy = "estate sample generator"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    return wb


def _check_headers(table_key: str, columns) -> None:
    table = TABLES[table_key]
    for header, name, _ in columns:
        got = table.match_header(header)
        want = None if name in ("comment", "owner") else name
        if got != want:
            raise AssertionError(f"{table_key}: header {header!r} reads as {got!r}, not {want!r}")


def write_sheet(wb: openpyxl.Workbook, sheet: str, titles, headers: list[str], rows: list[list[object]],
                after: list[list[object]] = (), widths: int = 18) -> None:
    ws = wb.create_sheet(sheet)
    for title in titles:
        ws.append(list(title))
        if title and title[0] is not None:
            ws.cell(ws.max_row, 1).font = TITLE_FONT
    ws.append(headers)
    for cell in ws[ws.max_row]:
        cell.font = HEADER_FONT
    for row in rows:
        ws.append([v.value if isinstance(v, Raw) else v for v in row])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "dd/mm/yyyy"
            elif isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool) and abs(cell.value) >= 1000:
                cell.number_format = "#,##0"
    for row in after:
        ws.append(row)
    for i in range(1, len(headers) + 1):
        ws.column_dimensions[openpyxl.utils.get_column_letter(i)].width = widths


def _plant(file: str, sheet: str, first_row: int, columns, rows: list[list[object]]) -> None:
    """Put the deliberate problems of this sheet into its rows (row numbers as a spreadsheet shows)."""
    names = [name for _, name, _ in columns]
    for d in DELIBERATE:
        if d["file"] != file or d["sheet"] != sheet:
            continue
        i = d["row"] - first_row
        if d["column"] == "":  # an exact duplicate of the row above
            rows.insert(i, list(rows[i - 1]))
        elif d["what"].startswith("total annual cost"):
            j = names.index("annual_cost")
            rows[i][j] = Raw(int(rows[i][j]) + 12_000)
        elif d["column"] == "integrations":
            j = names.index("integrations")
            rows[i][j] = Raw("; ".join(v for v in (rows[i][j], d["value"]) if v))
        elif d["column"] == "system" and sheet == "Contracts":
            rows.insert(i, list(rows[i - 1]))
            j = names.index("system")
            rows[i][j] = Raw(d["value"])
            rows[i][0] = Raw(str(rows[i - 1][0]) + "A")
        else:
            j = names.index(d["column"])
            rows[i][j] = Raw(d["value"] if d["value"] != "" else None)


def _totals_row(columns, rows) -> list[object]:
    names = [name for _, name, _ in columns]
    out: list[object] = [None] * len(columns)
    out[names.index("system")] = "Total"
    j = names.index("annual_cost")
    out[j] = sum(r[j] for r in rows if isinstance(r[j], (int, float)))
    return out


# --------------------------------------------------------------------------------------------------
# The returns, one function each


def layouts() -> list[Layout]:
    m, t, s, ex, uk, mon = money_number, money_text, money_short, date_excel, date_uk, date_month
    return [
        Layout("cumbria-county-council.xlsx", "IT Systems", ("Cumbria County Council",), (
            ("System ID", "system_id", plain), ("Application Name", "system", plain), ("Supplier", "vendor", plain),
            ("Product", "product", plain), ("Version", "version", plain), ("Service Area", "capability", plain),
            ("No. of Users", "users", plain), ("Licence Cost", "licence_cost", m),
            ("Support & Maintenance", "support_cost", m), ("Hosting Costs", "hosting_cost", m),
            ("Internal Staff Cost", "staff_cost", m), ("Contract Expiry", "contract_end", ex),
            ("Notice Period (months)", "notice_months", plain), ("Exit Costs", "exit_cost", m),
            ("Hosting Model", "hosting", plain), ("Status", "lifecycle", plain),
            ("Business Criticality", "criticality", plain), ("Interfaces", "integrations", plain),
            ("Comments", "comment", plain)),
            (_title("Cumbria County Council - ICT Application Inventory"), _title(DISCLAIMER), ()),
            HOST_WORDS_A, LIFE_A, CRIT_A),
        Layout("allerdale-borough-council.xlsx", "Applications", ("Allerdale Borough Council",), (
            ("Ref", "system_id", plain), ("System Name", "system", plain), ("Vendor", "vendor", plain),
            ("Product", "product", plain), ("Function", "capability", plain), ("Users", "users", plain),
            ("Licence", "licence_cost", t), ("Support", "support_cost", t), ("Hosting Cost", "hosting_cost", t),
            ("Staff Cost", "staff_cost", t), ("Contract End Date", "contract_end", uk),
            ("Notice", "notice_months", notice_text), ("Hosted where?", "hosting", plain),
            ("Lifecycle", "lifecycle", plain), ("Criticality", "criticality", plain),
            ("Integrates with", "integrations", plain)),
            (_title(f"Allerdale BC application list for Calling Cumbria. {DISCLAIMER}"),),
            HOST_WORDS_B, LIFE_B, CRIT_A, version_in_product=1.0),
        Layout("barrow-ict-return-v3.xlsx", "App Inventory", ("Barrow-in-Furness Borough Council",), (
            ("Application", "system", plain), ("Supplier", "vendor", plain), ("Product", "product", plain),
            ("Category", "capability", plain), ("Number of Users", "users", plain),
            ("Annual Cost (£)", "annual_cost", m), ("Contract Expiry", "contract_end", ex),
            ("Months Notice", "notice_months", plain), ("Hosted", "hosting", plain), ("Status", "lifecycle", plain),
            ("Priority", "criticality", plain)),
            (_title("ICT systems return v3"), _title("Council: Barrow-in-Furness Borough Council"),
             _title(DISCLAIMER), ()),
            HOST_WORDS_C, LIFE_A, CRIT_A, refer_by="name", totals=True),
        Layout("carlisle-city-council.xlsx", "Systems", ("Carlisle City Council",), (
            ("App ID", "system_id", plain), ("System", "system", plain), ("Supplier Name", "vendor", plain),
            ("Product Name", "product", plain), ("Version", "version", plain), ("Business Area", "capability", plain),
            ("User Count", "users", plain), ("Licence Costs", "licence_cost", m), ("Support Costs", "support_cost", m),
            ("Hosting Costs", "hosting_cost", m), ("Staff Cost", "staff_cost", m),
            ("Total Annual Cost", "annual_cost", m), ("End of Contract", "contract_end", mon),
            ("Notice Period", "notice_months", plain), ("Termination Cost", "exit_cost", m),
            ("Hosting", "hosting", plain), ("Lifecycle Status", "lifecycle", plain), ("Tier", "criticality", plain),
            ("Integrations", "integrations", plain)),
            (_title(f"Carlisle City Council - systems inventory. {DISCLAIMER}"), ()),
            HOST_WORDS_A, LIFE_C, CRIT_B, refer_by="name"),
        Layout("copeland-bc-systems.csv", "", ("Copeland Borough Council",), (
            ("ID", "system_id", plain), ("Name", "system", plain), ("Supplier", "vendor", plain),
            ("Product", "product", plain), ("Purpose", "capability", plain), ("No of users", "users", plain),
            ("Annual licence", "licence_cost", t), ("Annual support", "support_cost", t),
            ("Hosting costs", "hosting_cost", t), ("Staff", "staff_cost", t), ("Contract end", "contract_end", uk),
            ("Notice period", "notice_months", plain), ("Where hosted", "hosting", plain),
            ("Status", "lifecycle", plain), ("Importance", "criticality", plain),
            ("Interfaces with", "integrations", plain)),
            (_title(DISCLAIMER), _title("Organisation: Copeland Borough Council"), ()),
            HOST_WORDS_B, LIFE_B, CRIT_A),
        Layout("eden-dc-systems-return.xlsx", "IT Systems", ("Eden District Council",), (
            ("Application Name", "system", plain), ("Supplier", "vendor", plain), ("Product", "product", plain),
            ("Capability", "capability", plain), ("No. of Users", "users", plain),
            ("Annual Cost (£)", "annual_cost", s), ("Contract Expiry", "contract_end", mon),
            ("Notice (months)", "notice_months", plain), ("Hosted where?", "hosting", plain),
            ("Status", "lifecycle", plain), ("Criticality", "criticality", plain), ("Feeds", "integrations", plain)),
            (_title("Organisation: Eden District Council"), _title(DISCLAIMER)),
            HOST_WORDS_C, LIFE_A, CRIT_C, refer_by="name", notes=("Costs exclude VAT",)),
        Layout("south-lakeland-district-council.xlsx", "Application Register", ("South Lakeland District Council",), (
            ("Asset ID", "system_id", plain), ("Software Name", "system", plain), ("Supplier Name", "vendor", plain),
            ("Product", "product", plain), ("Release", "version", plain), ("Business Function", "capability", plain),
            ("Licences", "users", plain), ("Annual Licence", "licence_cost", m),
            ("Annual Maintenance", "support_cost", m), ("Infrastructure Cost", "hosting_cost", m),
            ("FTE Cost", "staff_cost", m), ("Expiry Date", "contract_end", ex),
            ("Termination Notice", "notice_months", plain), ("Early Termination Cost", "exit_cost", m),
            ("Deployment", "hosting", plain), ("Support Status", "lifecycle", plain),
            ("Importance", "criticality", plain), ("Dependencies", "integrations", plain),
            ("Business Owner", "owner", plain)),
            (_title(f"SLDC Application Register (extract). {DISCLAIMER}"),),
            HOST_WORDS_A, LIFE_B, CRIT_A, refer_by="name"),
        Layout("blue-light-joint-return.xlsx", "Systems", ("Cumbria Constabulary", "Cumbria Fire and Rescue Service"), (
            ("Organisation", "organisation", plain), ("System Ref", "system_id", plain),
            ("System Name", "system", plain), ("Supplier", "vendor", plain), ("Product", "product", plain),
            ("Version", "version", plain), ("Capability", "capability", plain), ("Users", "users", plain),
            ("Licence Cost", "licence_cost", m), ("Support Cost", "support_cost", m),
            ("Hosting Cost", "hosting_cost", m), ("Staff Cost", "staff_cost", m),
            ("Contract End", "contract_end", ex), ("Notice Months", "notice_months", plain),
            ("Exit Cost", "exit_cost", m), ("Hosting", "hosting", plain), ("Lifecycle", "lifecycle", plain),
            ("Criticality", "criticality", plain), ("Integrations", "integrations", plain)),
            (_title("Cumbria blue-light partners - joint ICT systems return (police and fire)"), _title(DISCLAIMER)),
            HOST_WORDS_B, LIFE_A, CRIT_A, org_alias={"Cumbria Fire and Rescue Service": "CFRS"}),
        Layout("ncic-application-register-2024.xlsx", "Application Register",
               ("North Cumbria Integrated Care NHS Foundation Trust",), (
            ("App ID", "system_id", plain), ("Application", "system", plain), ("Supplier", "vendor", plain),
            ("Product", "product", plain), ("Version", "version", plain), ("Service Line", "capability", plain),
            ("Named Users", "users", plain), ("Licence Fee", "licence_cost", m),
            ("Support and Maintenance", "support_cost", m), ("Hosting Costs", "hosting_cost", m),
            ("Internal Cost", "staff_cost", m), ("Contract End Date", "contract_end", ex),
            ("Notice Period", "notice_months", plain), ("Exit Fee", "exit_cost", m),
            ("Hosting Location", "hosting", plain), ("Lifecycle Stage", "lifecycle", plain),
            ("Service Tier", "criticality", plain), ("Interfaces With", "integrations", plain)),
            (_title("Trust: North Cumbria Integrated Care NHS Foundation Trust"),
             _title("Application Register 2024"), _title(DISCLAIMER), ()),
            HOST_WORDS_A, LIFE_C, CRIT_B),
        Layout("uhmb-application-inventory.xlsx", "Inventory",
               ("University Hospitals of Morecambe Bay NHS Foundation Trust",), (
            ("CMDB ID", "system_id", plain), ("System Name", "system", plain), ("Vendor", "vendor", plain),
            ("Product", "product", plain), ("Version", "version", plain), ("Category", "capability", plain),
            ("Concurrent Users", "users", plain), ("Licence Cost", "licence_cost", m),
            ("Support Cost", "support_cost", m), ("Hosting Cost", "hosting_cost", m), ("Staff Cost", "staff_cost", m),
            ("Renewal Date", "contract_end", ex), ("Notice Period", "notice_months", plain),
            ("Hosted Where", "hosting", plain), ("Lifecycle Stage", "lifecycle", plain),
            ("Priority", "criticality", plain), ("Interfaces", "integrations", plain)),
            (_title("Organisation: University Hospitals of Morecambe Bay NHS Foundation Trust"), _title(DISCLAIMER)),
            HOST_WORDS_C, LIFE_A, CRIT_C),
        Layout("cntw-it-systems.xlsx", "ICT Systems",
               ("Cumbria, Northumberland, Tyne and Wear NHS Foundation Trust",), (
            ("System Id", "system_id", plain), ("System Name", "system", plain), ("Supplier", "vendor", plain),
            ("Product", "product", plain), ("Function", "capability", plain), ("Users", "users", plain),
            ("Licence Cost", "licence_cost", s), ("Support Cost", "support_cost", s),
            ("Hosting Cost", "hosting_cost", s), ("Staff Cost", "staff_cost", s),
            ("Contract End Date", "contract_end", ex), ("Notice Period", "notice_months", notice_text),
            ("Exit Cost", "exit_cost", s), ("Hosting", "hosting", plain), ("Status", "lifecycle", plain),
            ("Criticality", "criticality", plain), ("Interfaces", "integrations", plain)),
            (_title("Organisation name: Cumbria, Northumberland, Tyne and Wear NHS Foundation Trust"),
             _title(DISCLAIMER)),
            HOST_WORDS_B, LIFE_B, CRIT_A, version_in_product=1.0),
        Layout("north-west-ambulance-service-nhs-trust.xlsx", "Systems List",
               ("North West Ambulance Service NHS Trust",), (
            ("System", "system", plain), ("Supplier", "vendor", plain), ("Product", "product", plain),
            ("Version", "version", plain), ("Business Area", "capability", plain), ("Users", "users", plain),
            ("Annual Running Cost", "annual_cost", m), ("Contract End", "contract_end", ex),
            ("Notice Period", "notice_months", plain), ("Hosting", "hosting", plain),
            ("Lifecycle", "lifecycle", plain), ("Criticality", "criticality", plain),
            ("Interfaces", "integrations", plain)),
            (_title(f"NWAS - ICT systems list. {DISCLAIMER}"),),
            HOST_WORDS_A, LIFE_A, CRIT_B, refer_by="name"),
    ]


def _header_row(layout: Layout) -> int:
    return len(layout.titles) + 1


def generate(outdir: Path) -> list[Path]:
    """Write the sample place into ``outdir``; return the files written."""
    _check_words()
    rng = np.random.default_rng(SEED)
    outdir.mkdir(parents=True, exist_ok=True)
    systems = {org.name: generate_systems(org, rng) for org in ORGS}
    written: list[Path] = []

    written.append(write_organisations(outdir))
    for layout in layouts():
        _check_headers("systems", layout.columns)
        rows: list[list[object]] = []
        for name in layout.org_names:
            rows += system_rows(layout, systems[name], rng)
        first = _header_row(layout) + 1
        _plant(layout.file, layout.sheet, first, layout.columns, rows)
        headers = [h for h, _, _ in layout.columns]
        after: list[list[object]] = []
        if layout.totals:
            after.append(_totals_row(layout.columns, rows))
        for note in layout.notes:
            after += [[], [note]]
        path = outdir / layout.file
        if path.suffix == ".csv":
            write_csv(path, layout.titles, headers, rows, after)
        else:
            wb = _new_workbook()
            write_sheet(wb, layout.sheet, layout.titles, headers, rows, after)
            extra_sheets(wb, layout, systems, rng)
            wb.save(path)
        written.append(path)
    readme = outdir / "README.md"
    readme.write_text(readme_text(systems), encoding="utf-8")
    written.append(readme)
    return written


def write_csv(path: Path, titles, headers, rows, after) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for title in titles:
        writer.writerow(list(title))
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else (v.value if isinstance(v, Raw) else v) for v in row])
    for row in after:
        writer.writerow(row)
    path.write_bytes(buffer.getvalue().encode("cp1252"))


# --------------------------------------------------------------------------------------------------
# Organisations, Contracts, Integrations and Sites sheets

def write_organisations(outdir: Path) -> Path:
    columns = (("Organisation", "organisation"), ("Short Name", "short_name"), ("Sector", "sector"),
               ("Employees", "employees"), ("Successor Authority", "successor"), ("Vesting Date", "vesting_date"))
    for header, name in columns:
        assert TABLES["organisations"].match_header(header) == name, header
    wb = _new_workbook()
    rows = [[o.name, o.short, o.sector, o.employees, o.successor or None, o.vesting] for o in ORGS]
    write_sheet(wb, "Organisations",
                (_title("Calling Cumbria - partner organisations"), _title(DISCLAIMER.replace("the organisation's",
                                                                                       "the organisations'")),
                 _title("Successor authorities: the 2023 local government reorganisation in Cumbria "
                        "(vesting day 1 April 2023)"), ()),
                [h for h, _ in columns], rows, widths=30)
    path = outdir / "organisations.xlsx"
    wb.save(path)
    return path


def extra_sheets(wb, layout: Layout, systems: dict[str, list[System]], rng) -> None:
    file = layout.file
    if file == "cumbria-county-council.xlsx":
        contracts_sheet(wb, "Contracts", layout, systems, rng, by="id", n=22, header=(
            ("Contract Ref", "contract_id"), ("System ID", "system"), ("Supplier", "supplier"),
            ("Annual Contract Value", "annual_value"), ("Start Date", "contract_start"), ("End Date", "contract_end"),
            ("Notice Period", "notice_months"), ("Extension Options", "extension_options")), ref="CCC/ICT/{:03d}")
        county_integrations(wb, systems, rng)
        sites_sheet(wb, "Sites", None, [
            ("Cumbria House Data Centre", "Data centre", 420_000, 40, "22%", None, 150_000),
            ("County Offices Kendal server room", "Server room", 65_000, 6, "45%", None, 20_000),
        ])
    elif file == "carlisle-city-council.xlsx":
        contracts_sheet(wb, "Contract Register", layout, systems, rng, by="name", n=14, header=(
            ("Contract Reference", "contract_id"), ("System Name", "system"), ("Supplier", "supplier"),
            ("Contract Value", "annual_value"), ("Contract Start Date", "contract_start"),
            ("Expiry Date", "contract_end"), ("Notice", "notice_months")), ref="CAR-C-{:03d}", dates="text")
        sites_sheet(wb, "Server Rooms", None, [("Civic Centre server room", "Server room", 48_000, 5, 0.6,
                                               None, 25_000)])
    elif file == "south-lakeland-district-council.xlsx":
        contracts_sheet(wb, "Contracts", layout, systems, rng, by="name", n=12, header=(
            ("Ref", "contract_id"), ("Application", "system"), ("Supplier", "supplier"),
            ("Annual Cost", "annual_value"), ("Start", "contract_start"), ("End", "contract_end"),
            ("Notice Period", "notice_months"), ("Extensions", "extension_options")), ref="SL{:04d}")
    elif file == "blue-light-joint-return.xlsx":
        sites_sheet(wb, "Sites", ("Cumbria Constabulary", "CFRS"), [
            ("Carleton Hall Data Centre", "Data centre", 110_000, 10, "40%", None, 60_000),
            ("Fire HQ server room", "Server room", 30_000, 3, "55%", None, 10_000),
        ])
    elif file == "ncic-application-register-2024.xlsx":
        contracts_sheet(wb, "Contracts", layout, systems, rng, by="id", n=20, header=(
            ("Contract Number", "contract_id"), ("System ID", "system"), ("Supplier", "supplier"),
            ("Annual Value", "annual_value"), ("Start Date", "contract_start"), ("End Date", "contract_end"),
            ("Notice Period", "notice_months"), ("Exit Fee", "exit_cost"), ("Extension Options", "extension_options")),
            ref="NCIC-C{:03d}")
        sites_sheet(wb, "Data Centres", None, [
            ("Cumberland Infirmary Data Centre", "Data centre", 310_000, 24, 0.55, None, 120_000),
            ("West Cumberland Hospital server room", "Server room", 90_000, 8, 0.35, None, 40_000),
        ])
    elif file == "uhmb-application-inventory.xlsx":
        sites_sheet(wb, "Hosting Sites", None, [
            ("Royal Lancaster Infirmary Data Centre", "Data centre", 280_000, 20, 0.62, None, 110_000),
            ("Furness General Hospital Data Centre", "Data centre", 240_000, 18, 0.48, dt.datetime(2029, 3, 31),
             90_000),
        ])


def contracts_sheet(wb, sheet, layout: Layout, systems, rng, *, by: str, n: int, header, ref: str,
                    dates: str = "excel") -> None:
    _check_headers("contracts", [(h, f, None) for h, f in header])
    org = layout.org_names[0]
    candidates = [s for s in systems[org] if s.contract_end is not None and s.core]
    candidates.sort(key=lambda s: -s.annual_cost)
    chosen = sorted(candidates[:n], key=lambda s: s.system_id or s.system)
    rows = []
    for i, s in enumerate(chosen, start=1):
        term = int(rng.choice([3, 4, 5, 7]))
        start = dt.date(s.contract_end.year - term, s.contract_end.month, 1)
        values = dict(contract_id=ref.format(i), system=s.system_id if by == "id" else s.system,
                      supplier=s.vendor or None, annual_value=(s.licence_cost or 0) + (s.support_cost or 0),
                      contract_start=start, contract_end=s.contract_end, notice_months=s.notice_months,
                      exit_cost=s.exit_cost, extension_options=_choose(rng, ("1+1", "2+1", "", "", "2+2")) or None)
        row = []
        for _, name in header:
            v = values[name]
            if isinstance(v, dt.date):
                v = dt.datetime(v.year, v.month, v.day) if dates == "excel" else v.strftime("%d/%m/%Y")
            row.append(v)
        rows.append(row)
    titles = (_title(f"{org} - contracts for ICT systems"), _title(DISCLAIMER), ())
    _plant(layout.file, sheet, len(titles) + 2, tuple((h, f, None) for h, f in header), rows)
    write_sheet(wb, sheet, titles, [h for h, _ in header], rows)


def county_integrations(wb, systems, rng) -> None:
    header = (("From System", "source"), ("To System", "target"), ("Target Organisation", "target_organisation"),
              ("Integration Type", "method"), ("Frequency", "frequency"))
    _check_headers("integrations", [(h, f, None) for h, f in header])
    county = systems["Cumbria County Council"]
    by_key = {s.key: s for s in county}
    flows = []

    def find(org, key):
        return next((s for s in systems[org] if s.key == key), None)

    pairs = [
        ("adults", "North Cumbria Integrated Care NHS Foundation Trust", "community", "HL7 messaging", "Real time"),
        ("adults", "University Hospitals of Morecambe Bay NHS Foundation Trust", "epr", "File transfer", "Daily"),
        ("childrens", "Cumbria Constabulary", "rms", "Secure email (MASH)", "Daily"),
        ("erp_county", "Cumbria Fire and Rescue Service", "hr", "File transfer", "Monthly"),
        ("gis", "Allerdale Borough Council", "gis", "Web service", "Weekly"),
        ("gis", "Eden District Council", "gis", "Web service", "Weekly"),
        ("llpg", "Carlisle City Council", "llpg", "File transfer", "Weekly"),
        ("llpg", "South Lakeland District Council", "llpg", "File transfer", "Weekly"),
        ("education", "Barrow-in-Furness Borough Council", "revs", "File transfer", "Monthly"),
        ("erp_county", "Copeland Borough Council", "finance", "File transfer", "Monthly"),
    ]
    for src_key, org, tgt_key, method, freq in pairs:
        src, tgt = by_key.get(src_key), find(org, tgt_key)
        if src is None or tgt is None:
            continue
        flows.append([src.system_id, tgt.system_id or tgt.system, org, method, freq])
    for s in county:
        for j in s.integrations[:1]:
            if rng.random() < 0.25:
                flows.append([s.system_id, county[j].system_id, None, _choose(rng, ("API", "File transfer",
                                                                                     "Database link")),
                              _choose(rng, ("Real time", "Daily", "Nightly", "Weekly"))])
    write_sheet(wb, "Integrations", (_title("Cumbria County Council - system interfaces, including to partners"),
                                     _title(DISCLAIMER), ()), [h for h, _ in header], flows)


def sites_sheet(wb, sheet, orgs, sites) -> None:
    header = [("Site Name", "site"), ("Type", "site_type"), ("Annual Running Cost", "annual_cost"),
              ("Racks", "racks"), ("Utilisation", "utilisation"), ("Lease End", "contract_end"),
              ("Closure Cost", "exit_cost")]
    rows = [list(s) for s in sites]
    if orgs:
        header = [("Organisation", "organisation")] + header
        rows = [[o] + r for o, r in zip(orgs, rows)]
    _check_headers("sites", [(h, f, None) for h, f in header])
    write_sheet(wb, sheet, (_title("Data centres and server rooms"), _title(DISCLAIMER), ()),
                [h for h, _ in header], rows)


# --------------------------------------------------------------------------------------------------
# README

FILES_TABLE: tuple[tuple[str, str, str], ...] = (
    ("organisations.xlsx", "all 13",
     "sheet `Organisations`: short name, sector, employees, successor authority, vesting date"),
    ("cumbria-county-council.xlsx", "Cumbria County Council",
     "title rows and a blank row above the header; numbers and Excel dates; `Comments` column; `Contracts` "
     "(by system id), `Integrations` (including flows to partners) and `Sites` (a data centre at low utilisation)"),
    ("allerdale-borough-council.xlsx", "Allerdale Borough Council",
     "sheet `Applications`; money typed as text (`£12,500`); dates typed `31/03/2027`; version inside the "
     "product cell; notice typed `6 months`"),
    ("barrow-ict-return-v3.xlsx", "Barrow-in-Furness Borough Council",
     "sheet `App Inventory`; labelled cell `Council: ...` and a blank row above the header; annual cost only; "
     "a totals row at the bottom; no ids"),
    ("carlisle-city-council.xlsx", "Carlisle City Council",
     "a blank row above the header; cost breakdown plus a total column; dates typed `Mar 2027`; "
     "`Contract Register` (by system name) and `Server Rooms`"),
    ("copeland-bc-systems.csv", "Copeland Borough Council",
     "the one CSV, Windows-1252 with `£` signs; labelled line `Organisation: ...`; some systems in the "
     "county's Cumbria House Data Centre"),
    ("eden-dc-systems-return.xlsx", "Eden District Council",
     "labelled cell above the table; annual cost only, typed `12.5k`, `£85k`, `£4,350`; a note row "
     "(`Costs exclude VAT`) below the table"),
    ("south-lakeland-district-council.xlsx", "South Lakeland District Council",
     "sheet `Application Register`; `Business Owner` column (not an inventory column); `Contracts` by "
     "system name"),
    ("blue-light-joint-return.xlsx", "Cumbria Constabulary; Cumbria Fire and Rescue Service",
     "one file, two organisations, an `Organisation` column (fire written by its short name `CFRS`); `Sites`"),
    ("ncic-application-register-2024.xlsx", "North Cumbria Integrated Care NHS FT",
     "labelled cell `Trust: ...`; `Contracts` by system id; `Data Centres`"),
    ("uhmb-application-inventory.xlsx", "University Hospitals of Morecambe Bay NHS FT",
     "sheet `Inventory`; labelled cell `Organisation: ...`; `Hosting Sites`"),
    ("cntw-it-systems.xlsx", "Cumbria, Northumberland, Tyne and Wear NHS FT",
     "labelled cell `Organisation name: ...`; money typed `£1.25m`, `£85k`, `12.5k`; notice typed `6 months`"),
    ("north-west-ambulance-service-nhs-trust.xlsx", "North West Ambulance Service NHS Trust",
     "organisation from the file name; annual cost only"),
)


def readme_text(systems: dict[str, list[System]]) -> str:
    lines = [
        "# Sample place: Cumbria (ILLUSTRATIVE)",
        "",
        "**This is illustrative sample data, not real.** It is modelled on Cumbria and on the *Calling Cumbria*",
        "Total Place initiative, in which thirteen public bodies looked at their services together. The",
        "organisations and the 2023 local government reorganisation are real; the product names are real",
        "products that such bodies commonly use. **The systems, versions, users, costs, contract dates, sites",
        "and integrations are invented.** They are not the organisations' real IT estates, suppliers' prices",
        "or contracts, and must not be quoted as such.",
        "",
        "Generated by `python tools/make_cumbria.py` (deterministic: fixed seed and timestamps). Do not edit",
        "by hand: change the generator and regenerate.",
        "",
        "## Files",
        "",
        "Each organisation returned its inventory in its own layout, as consultants really receive them:",
        "",
        "| file | organisation(s) | layout |",
        "|---|---|---|",
    ]
    lines += [f"| `{f}` | {o} | {how} |" for f, o, how in FILES_TABLE]
    lines += [
        "",
        "Some product cells list several products (`Microsoft Teams; Mitel MiVoice`); in-house systems have",
        "product `In-house`; vendors are sometimes blank; capabilities are in each organisation's own words.",
        "",
        "## Organisations, systems and annual run cost",
        "",
        "| organisation | systems | annual cost (£, as generated) |",
        "|---|---:|---:|",
    ]
    for org in ORGS:
        rows = systems[org.name]
        lines.append(f"| {org.name} | {len(rows)} | {sum(s.annual_cost for s in rows):,.0f} |")
    lines += [
        "",
        "Figures are as generated, before the deliberate problems below: the duplicate row adds a system,",
        "and the unreadable, negative and 'TBC' costs are read as missing. Eden District Council's",
        "and Copeland Borough Council's returns place some systems in the county's Cumbria House Data Centre.",
        "",
        "## Reorganisation: vesting day 1 April 2023",
        "",
        "The structure is the real one. On 1 April 2023 Cumbria County Council and the six districts were",
        "abolished: Allerdale, Carlisle and Copeland, with the county's services in their area, became",
        f"{CUMBERLAND}; Barrow-in-Furness, Eden and South Lakeland, with the county's services in",
        f"theirs, became {WESTMORLAND}. Cumbria Fire and Rescue Service, a county service, went",
        f"to {WESTMORLAND}. The constabulary and the four NHS bodies are not part of the",
        "reorganisation: they have no successor. The Organisations sheet says so: the county names both",
        "successors, so each of its systems is divided between them. In a plan, no recommended option joins",
        "councils of the two successors, each county system is `Split` (or `Retire`, where every part moves",
        "onto a platform each successor already runs), and each successor's inheritance is on the",
        "`Successors` sheet. Vesting is past for a plan from 2027/28: no decision before vesting is due",
        "and the `Vesting` sheet is empty. `inventories/surrey` is a sample whose vesting is still ahead.",
        "",
        "## Deliberate data problems",
        "",
        "Planted on purpose so the reader's data-issues report has something to find. Rows are the row",
        "numbers a spreadsheet application shows (in the CSV, the line number).",
        "",
        "| file | sheet | row | column | problem | reported by the reader |",
        "|---|---|---:|---|---|---|",
    ]
    for d in DELIBERATE:
        lines.append(f"| `{d['file']}` | {d['sheet'] or '(csv)'} | {d['row']} | {d['column'] or '(whole row)'} | "
                     f"{d['what']} | {'warning' if d['reported'] else 'no: read as missing'} |")
    lines += [
        "",
        "Everything else reads cleanly: the only other issues are `info` (title, totals and note rows",
        "skipped, columns that are not inventory columns, sites not listed in a Sites sheet).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    outdir = Path(argv[1]) if len(argv) > 1 else ROOT / "inventories" / "cumbria"
    for path in generate(outdir):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
