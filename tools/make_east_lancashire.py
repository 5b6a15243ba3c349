"""Generate the test place ``tests/data/east-lancashire/``: five organisations' returns as their IT teams send them.

The place is ILLUSTRATIVE. The organisations are real (three East Lancashire
councils, the county's fire and rescue service, the area's acute NHS trust) and
so are the products and suppliers, taken from public sources (see the place's
README.md); the systems lists, users, costs and dates are INVENTED.

Unlike the bundled samples (``tools/make_cumbria.py``, ``tools/make_surrey.py``),
nothing here is generated from a catalogue: every row is written by hand, in the
layout and with the habits of the team that would send it (title blocks and notes
above the header, a header over two rows with merged cells, the data on a sheet
that is not the first, hidden sheets, subtotal and totals rows, ``Supplier /
Product`` in one column, products only in the system name, several products in a
cell, costs such as ``£12k + VAT`` or ``incl. in ERP``, dates such as ``Mar-27``
or ``31/03/2027 (ext +1+1)``, a ``;``-delimited Windows-1252 CSV, duplicated and
blank rows, comments in cells). It is a test of the reader and the matcher on
input they were not tuned on.

Run ``python tools/make_east_lancashire.py [OUTDIR]``; the output is deterministic.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Font

ROOT = Path(__file__).resolve().parents[1]
FIXED_TIME = dt.datetime(2026, 11, 20, 9, 0, 0)
BOLD = Font(bold=True)


def _workbook() -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "estate test-place generator"
    wb.properties.lastModifiedBy = "estate test-place generator"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    return wb


def _save(wb: openpyxl.Workbook, path: Path) -> None:
    wb.save(path)


# --- Burnley Borough Council -------------------------------------------------------------------------------------
# Data on the second sheet, after a "Read me"; a hidden "Lookups" sheet; a title block and a notes row above the
# header on row 6; "Supplier / Product" in one column; subtotal rows per service area and a grand total.

BURNLEY = (  # service area, rows: (system name, supplier / product, function, users, annual cost, contract end,
    #                              hosting, notes)
    ("Finance & Property", (
        ("Financials", "Civica / Financials", "General ledger, AP, AR", 85, "£42,500.00", "31/03/2027",
         "On-prem", None),
        ("Purchase to Pay", "Civica / Purchasing", "Requisitions and purchase orders", "all staff", "incl. in ERP",
         "31/03/2027", "On-prem", "Module of Financials"),
        ("Civica Pay", "Civica / Pay", "Income management, card payments", 40, "£18k + VAT", "Mar-27", "Cloud",
         None),
        ("Asset register", "CIPFA / Asset Manager", "Fixed asset accounting", 4, "c. 5,000", "rolling", "Cloud",
         None),
        ("Property & estates", "Concerto / Technology Forge", "Property terrier, leases, compliance", 12, "9,750",
         "30/06/2027", "Cloud", None),
        ("e-Tendering", "Proactis / ProContract", "Tenders and contract register", 10, "TBC", "TBC", "Cloud",
         "Shared Lancashire framework"),
        ("Insurance claims", "Figtree Systems / Figtree", "Claims handling", 3, "£6,200", "31/12/2026", "Cloud",
         None),
    )),
    ("Revenues & Benefits", (
        ("Council Tax / NNDR / HB", "Capita / Academy Revenues & Benefits", "Council tax, business rates, benefits",
         95, "£128,000", "31/03/2028", "On-prem", "Liberata partnership"),
        ("R&B document management", "Capita / Information@Work", "Scanning and workflow", 95, "incl. in Academy",
         "31/03/2028", "On-prem", None),
        ("Citizen Access", "Capita / Citizen Access", "Online accounts for residents", "public", "£14,200.00",
         "31/03/2028", "Cloud", None),
        ("Risk based verification", "Xantura / RBV", "Benefit claim risk scoring", 20, "£6k", "Mar-27", "Cloud",
         None),
        ("Searchlight", "DWP / Searchlight", "DWP data checks", 30, "-", None, "Cloud", "Free, DWP"),
    )),
    ("Planning & Environment", (
        ("Uniform", "Idox / Uniform", "Planning, building control, env health, licensing", 110, "£66,000",
         "18/03/2028", "On-prem", "Contracts Finder notice 2018, £166k"),
        ("Public Access", "Idox / Public Access", "Online planning register", "public", "incl. in Uniform",
         "18/03/2028", "On-prem", None),
        ("Idox DMS", "Idox / Document Management", "Planning documents", 110, "£8,400", "18/03/2028", "On-prem",
         None),
        ("Enterprise", "Idox / Enterprise", "Workflow for Uniform", 60, "incl. in Uniform", "18/03/2028", "On-prem",
         None),
        ("GIS", "Esri UK / ArcGIS", "Mapping", 25, "£21,300", "30/09/2027", "On-prem", None),
        ("LLPG", "Aligned Assets / Symphony", "Address gazetteer", 3, "£4,800", "31/03/2027", "On-prem", None),
        ("Land charges", "Idox / Uniform Land Charges", "Local land charges", 4, "incl. in Uniform", "18/03/2028",
         "On-prem", None),
        ("Air quality", "Ricardo / Air Quality Data Management", "Monitoring data", 2, "£2,950", "rolling", "Cloud",
         None),
    )),
    ("Streetscene", (
        ("Waste & recycling", "Bartec / Collective", "Rounds, bins, missed collections", 45, "£38k + VAT", "Mar-27",
         "Cloud", None),
        ("In-cab", "Bartec / In-Cab", "Crew devices", 60, "incl. in Collective", "Mar-27", "Cloud", None),
        ("Fleet management", "Civica / Tranman", "Vehicle maintenance", 6, "£7,200", "31/08/2027", "On-prem", None),
        ("Grounds maintenance", "Brightly / Confirm", "Parks and open spaces assets", 15, "£22,000", "31/03/2029",
         "Cloud", None),
        ("Bereavement services", "Gower / Epilog", "Cemetery and crematorium records", 6, "£3,400", "rolling",
         "On-prem", None),
        ("Parking enforcement", "Imperial / Taranto", "PCN processing", 8, "£11,500", "31/10/2027", "Cloud",
         None),
    )),
    ("People & Development", (
        ("HR & Payroll", "MHR / iTrent", "HR, payroll, self service", 35, "£31,400", "31/03/2027", "Cloud", None),
        ("Learning", "Learning Pool / Learning Pool LMS", "e-learning", "all staff", "£8,950", "30/04/2027", "Cloud",
         "Shared with Chorley and South Ribble"),
        ("Recruitment", "Jobs Go Public", "Vacancies", 10, "£4,000", "rolling", "Cloud", None),
        ("Health & safety", "Evotix / Assure", "Incident reporting", 20, "c. 3,500", "31/03/2027", "Cloud", None),
    )),
    ("Policy & Engagement", (
        ("CRM", "Granicus / Firmstep", "Customer contact, online forms", 70, "£24,600", "31/03/2028", "Cloud", None),
        ("Website", "Jadu / Continuum CMS", "burnley.gov.uk", 15, "£12k + VAT", "31/03/2027", "Cloud", None),
        ("Committee management", "Modern Mindset / Modern.Gov", "Agendas, minutes, decisions", 20, "£5,650",
         "05/07/2027", "Cloud", "Contracts Finder notice 2016"),
        ("Electoral registration", "Xpress / Electoral Management Software", "Register and elections", 8,
         "£13,100", "31/03/2027", "On-prem", None),
        ("Complaints & FOI", "Civica / iCasework", "Complaints, FOI, SAR", 25, "£7,800", "31/03/2027", "Cloud",
         None),
        ("Contact centre", "Netcall / Liberty Contact", "Call queues and recording", 30, "£16,900", "31/03/2028",
         "Cloud", None),
        ("Telephony", "Mitel / MiVoice Business", "Desk phones", "all staff", "£19,000", "31/12/2026", "On-prem",
         None),
        ("Council chamber audio", "VP-VA / Bosch DICENTIS", "Chamber microphones and webcasting", 50, "£2,100",
         "17/01/2029", "On-prem", "Installed 2024"),
    )),
    ("ICT", (
        ("Email & Office", "Microsoft / Microsoft 365 E3", "Email, Teams, Office", "all staff", "£96k + VAT",
         "30/06/2027", "Cloud", "EA via Crown Commercial Service"),
        ("Intune", "Microsoft / Intune", "Mobile device management", "all staff", "incl. in M365", "30/06/2027",
         "Cloud", None),
        ("SharePoint", "Microsoft / SharePoint Online", "Intranet and document storage", "all staff",
         "incl. in M365", "30/06/2027", "Cloud", None),
        ("Service desk", "Ivanti / Service Manager", "ICT incidents and requests", 12, "£9,300", "31/03/2027",
         "On-prem", None),
        ("Backup", "Veeam / Backup & Replication", "Server backup", 5, "£6,750", "30/11/2027", "On-prem", None),
        ("Anti-virus", "Sophos / Central Intercept X", "Endpoint protection", "all staff", "£8,100", "31/01/2027",
         "Cloud", None),
        ("Firewalls", "Fortinet / FortiGate", "Perimeter security", 5, "£5,400", "31/03/2028", "On-prem", None),
        ("Virtual servers", "VMware / vSphere", "Server virtualisation", 5, "£11,200", "31/10/2026", "On-prem",
         "Renewal under review after Broadcom changes"),
        ("Print management", "Canon / uniFLOW", "Follow-me printing", "all staff", "£4,600", "31/03/2027",
         "On-prem", None),
    )),
)


def burnley(out: Path) -> None:
    wb = _workbook()
    readme = wb.create_sheet("Read me")
    for line in ("Burnley Borough Council - ICT Application Register",
                 "This workbook is the council's return for the East Lancashire systems discovery exercise.",
                 "The register is on the sheet 'Application Register'. Costs are annual revenue costs, ex VAT "
                 "unless stated.",
                 "Contact: ICT Services, Town Hall, Manchester Road, Burnley."):
        readme.append([line])
    readme["A1"].font = BOLD
    ws = wb.create_sheet("Application Register")
    ws.append(["Burnley Borough Council"])
    ws.append(["ICT Application Register 2026/27"])
    ws.append(["Notes: costs are annual revenue, ex VAT unless stated; 'incl.' = covered by another line's "
               "contract. Owner column removed before sending."])
    ws.append(["Last updated 14/11/2026 by ICT Services"])
    ws.append([])
    header = ["Ref", "Service Area", "System Name", "Supplier / Product", "Business Function", "No. of Users",
              "Annual Cost", "Contract End", "Hosting", "Notes"]
    ws.append(header)
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    ref = 0
    grand = 0
    for area, rows in BURNLEY:
        subtotal = 0
        for system, supplier_product, function, users, cost, end, hosting, notes in rows:
            ref += 1
            ws.append([f"BBC-{ref:03d}", area, system, supplier_product, function, users, cost, end, hosting,
                       notes])
            subtotal += _figure(cost)
        ws.append([None, f"Subtotal - {area}", None, None, None, None, subtotal, None, None, None])
        for cell in ws[ws.max_row]:
            cell.font = BOLD
        grand += subtotal
    ws.append([])
    ws.append([None, "TOTAL", None, None, None, None, grand, None, None, None])
    ws["D7"].comment = Comment("Civica Financials v21, upgraded Sept 2025", "ICT")
    lookups = wb.create_sheet("Lookups")
    for value in ("On-prem", "Cloud", "Hosted"):
        lookups.append([value])
    lookups.sheet_state = "hidden"
    _save(wb, out / "burnley-bc-ict-application-register-2026.xlsx")


def _figure(text: object) -> int:
    """The number a person reads in a cost cell the register's own subtotal adds (0 for text it cannot add)."""
    if isinstance(text, (int, float)):
        return int(text)
    s = str(text).replace("£", "").replace(",", "").replace("+ VAT", "").replace("c.", "").strip()
    scale = {"k": 1000, "m": 1_000_000}.get(s[-1:], 1)
    try:
        return int(round(float(s[:-1] if scale > 1 else s) * scale))
    except ValueError:
        return 0


# --- Rossendale Borough Council: a ;-delimited CSV saved by Excel in Windows-1252 ------------------------------
# Products only in the system name; a department column; dates Mar-27, rolling, (ext +1+1); a duplicated row,
# blank spacer rows and a totals row.

ROSSENDALE = (  # system; department; used for; users; cost p.a.; renewal; comments
    ("Civica Financials", "Finance", "Ledger, creditors, debtors", "30", "£36,000", "31/03/2027 (ext +1+1)", ""),
    ("Civica Pay", "Finance", "Card and online payments", "12", "£9,800", "Mar-27", ""),
    ("Northgate iWorld / Capita One", "Revenues & Benefits", "Council tax, NNDR, HB",
     "40", "£88,000", "30/09/2027", "iWorld moving to Capita One Revs & Bens in 2027"),
    ("Uniform 10.4 (Idox)", "Planning", "Planning, building control, env health", "28", "£41k", "rolling", ""),
    ("Idox Public Access", "Planning", "Public planning register", "public", "incl.", "rolling", ""),
    ("iTrent", "HR", "HR and payroll", "14", "£17,500", "31/03/2027", "MHR"),
    ("Bartec Collective", "Operations", "Waste rounds and bins", "18", "c. 20,000", "Mar-28", ""),
    ("Confirm (Brightly)", "Operations", "Streetscene assets and inspections", "9", "£12,750", "31/03/2028", ""),
    ("Tranman", "Operations", "Fleet workshop", "4", "£5,100", "Mar-27", "Civica"),
    ("ArcGIS (Esri UK)", "Planning", "GIS", "10", "£9,900", "30/09/2027", ""),
    ("Modern.gov", "Democratic Services", "Committees", "8", "£4,200", "rolling", ""),
    ("Xpress Electoral", "Democratic Services", "Electoral register", "5", "£8,400", "31/03/2027", ""),
    ("Jadu CMS", "Communications", "Website", "6", "£9,000", "31/07/2027", ""),
    ("Granicus Firmstep", "Customer Services", "CRM and e-forms", "22", "£14,500", "31/03/2027", ""),
    ("Netcall Liberty", "Customer Services", "Contact centre telephony", "22", "£9,300", "Mar-27", ""),
    ("Mitel MiVoice", "ICT", "Phones", "all staff", "£7,000", "31/12/2026", ""),
    ("Microsoft 365", "ICT", "Email, Office, Teams", "all staff", "£48,000.00", "30/06/2027",
     "Licence agreement retendered 2020"),
    ("Sophos Central", "ICT", "Anti-virus", "all staff", "£3,900", "31/01/2027", ""),
    ("Veeam Backup", "ICT", "Backups", "3", "£3,200", "30/11/2027", ""),
    ("Cisco UCS M5 blades", "ICT", "Server hardware", "3", "£6,400", "31/03/2026", "Support renewal due"),
    ("SAN storage as a service", "ICT", "Storage", "3", "£18,000", "30/04/2027", "Storage as a Service 2017 ITT"),
    ("VMware vSphere", "ICT", "Virtualisation", "3", "£4,800", "31/10/2026", ""),
    ("ManageEngine ServiceDesk Plus", "ICT", "ICT helpdesk", "4", "£1,950", "rolling", ""),
    ("Springboard footfall counters", "Economic Development", "People counting in town centres", "2", "£2,600",
     "31/12/2026", "2018 ITT"),
    ("Lalpac", "Licensing", "Licensing (taxis, premises)", "4", "£3,300", "31/03/2027", ""),
    ("Abritas", "Housing", "Housing register and allocations", "6", "£8,200", "31/03/2027", ""),
    ("Jontek Jontek Hub", "Housing", "Lifeline / community alarms", "5", "£4,400", "rolling", ""),
    ("Civica APP", "Environmental Health", "Food safety inspections (legacy, read only)", "2", "-", "-",
     "Archive only"),
    ("CCTV - Genetec Security Center", "Community Safety", "Town centre CCTV", "4", "£5,600", "31/03/2028", ""),
    ("Gower Epilog", "Bereavement", "Cemeteries", "2", "£1,800", "rolling", ""),
    ("Learning Pool", "HR", "e-learning", "all staff", "£3,100", "30/04/2027", ""),
    ("Adobe Acrobat Pro", "ICT", "PDF editing", "25", "£4,500", "31/05/2027", ""),
    ("Egress Protect", "ICT", "Secure email", "all staff", "£2,300", "31/08/2027", ""),
    ("Mimecast", "ICT", "Email filtering", "all staff", "£3,750", "31/08/2027", ""),
    ("Proactis ProContract", "Finance", "E-tendering", "5", "TBC", "", "Lancashire framework"),
    ("Capita Citizen Access", "Revenues & Benefits", "Resident self-service", "public", "£6,000", "30/09/2027", ""),
    ("Parking - Chipside", "Operations", "Car park PCNs", "3", "£3,000", "31/03/2027", ""),
    ("Adept Bereavement", "Bereavement", "Crematorium bookings", "2", "£1,200", "rolling", "replacing Epilog?"),
    ("Sage 200", "Leisure Trust", "Leisure trust accounts", "3", "£2,400", "rolling", "Rossendale Leisure Trust"),
    ("Idox Uniform Land Charges", "Planning", "Land charges", "2", "incl.", "rolling", ""),
    ("Civica Pay", "Finance", "Card and online payments", "12", "£9,800", "Mar-27", ""),  # pasted twice
)


def rossendale(out: Path) -> None:
    lines = ["Rossendale Borough Council \u2013 IT systems list (export from the ICT SharePoint list)",
             "Exported 14/11/2026;;;;;;",
             ";;;;;;",
             "System;Department;Used for;Users;Cost p.a.;Renewal;Comments"]
    for i, row in enumerate(ROSSENDALE):
        lines.append(";".join(row))
        if i in (9, 21, 33):
            lines.append(";;;;;;")
    lines.append(";;;;;;")
    lines.append("Total;;;;£483,750;;")
    (out / "Rossendale_Systems_List.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))


# --- Blackburn with Darwen Borough Council (unitary) -------------------------------------------------------------
# A header over two rows with merged group cells; Excel dates and bare Excel serial numbers; several products in a
# cell; users "approx 300", "all staff"; comments in cells.

D = dt.datetime
BWD = (  # application, directorate, supplier, product(s), start, end, licence, support, users, hosting, criticality,
    #      comments
    ("Adults Social Care", "Adults & Prevention", "System C", "Liquidlogic LAS; ContrOCC", D(2019, 4, 1),
     D(2027, 3, 31), 145000, 38000, "approx 300", "Supplier hosted", "Critical", None),
    ("Childrens Social Care", "Children, Education & Families", "System C", "Liquidlogic LCS; EHM",
     D(2019, 4, 1), D(2027, 3, 31), 132000, 35000, "approx 350", "Supplier hosted", "Critical", None),
    ("Education Management", "Children, Education & Families", "Capita / Tribal", "Capita One / SIMS",
     D(2018, 9, 1), 46630, 98000, 21000, 160, "On premise", "High", "SIMS for maintained schools"),
    ("Finance", "Finance & Resources", "Oracle", "Oracle Fusion Cloud ERP", D(2022, 4, 1), D(2029, 3, 31),
     210000, None, 240, "SaaS", "Critical", None),
    ("HR/Payroll", "Finance & Resources", "Oracle", "Oracle Fusion HCM", D(2022, 4, 1), D(2029, 3, 31),
     "incl. in ERP", None, "all staff", "SaaS", "Critical", None),
    ("Revenues & Benefits", "Finance & Resources", "NEC", "Northgate iWorld / Capita One", D(2015, 4, 1),
     D(2027, 9, 30), 176000, 42000, 120, "On premise", "Critical", "Re-procurement 2026/27"),
    ("Income Management", "Finance & Resources", "Civica", "Civica Pay (ICON)", D(2020, 4, 1), 46477, 23500,
     None, 60, "SaaS", "High", None),
    ("Planning", "Growth & Development", "NEC", "M3 / Planning Explorer", D(2012, 4, 1), D(2027, 3, 31), 54000,
     16000, 70, "On premise", "High", None),
    ("Building Control", "Growth & Development", "NEC", "M3", D(2012, 4, 1), D(2027, 3, 31), "incl.", None, 15,
     "On premise", "Medium", "Same M3 instance as Planning"),
    ("Environmental Health & Licensing", "Growth & Development", "NEC", "M3 Public Protection", D(2012, 4, 1),
     D(2027, 3, 31), 18000, None, 35, "On premise", "Medium", None),
    ("Housing Needs", "Growth & Development", "Civica", "Civica Housing (Abritas)", D(2021, 1, 4),
     D(2026, 1, 3), 14750, None, 25, "SaaS", "High", "Expired - extension being agreed"),
    ("Highways Asset Management", "Environment & Operations", "Yotta", "Horizons", D(2021, 6, 1),
     D(2026, 5, 31), 27000, None, 40, "SaaS", "Medium", None),
    ("Street Works", "Environment & Operations", "Symology", "Insight", D(2017, 4, 1), D(2027, 3, 31), 19500,
     None, 12, "Supplier hosted", "High", None),
    ("Waste Services", "Environment & Operations", "Whitespace", "Whitespace Work Software", D(2020, 7, 1),
     D(2027, 6, 30), 31000, None, 55, "SaaS", "High", None),
    ("Fleet", "Environment & Operations", "Civica", "Tranman", D(2016, 4, 1), D(2027, 3, 31), 9400, None, 8,
     "On premise", "Medium", None),
    ("Parking", "Environment & Operations", "Conduent", "Conduent Parking / Chipside", D(2019, 4, 1),
     D(2027, 3, 31), 12600, None, 14, "Supplier hosted", "Medium", None),
    ("Bereavement Services", "Environment & Operations", "Gower", "Epilog", D(2014, 4, 1), "rolling", 3900,
     None, 7, "On premise", "Low", None),
    ("Libraries", "Neighbourhoods", "Civica", "Spydus", D(2018, 4, 1), D(2027, 3, 31), 26800, None, 80,
     "SaaS", "Medium", None),
    ("Leisure Bookings", "Neighbourhoods", "Gladstone", "Gladstone Plus2", D(2017, 4, 1), D(2026, 3, 31), 21000,
     None, 60, "Supplier hosted", "Medium", None),
    ("Registration Services", "Neighbourhoods", "GRO", "RON (Registration Online)", None, None, None, None, 10,
     "SaaS", "High", "Provided by GRO"),
    ("Electoral Registration", "Chief Executive's", "Idox", "Eros", D(2018, 4, 1), D(2027, 3, 31), 18700,
     None, 9, "Supplier hosted", "High", None),
    ("Committee Management", "Chief Executive's", "Civica", "Modern.gov", D(2016, 4, 1), D(2027, 3, 31), 7300,
     None, 25, "SaaS", "Medium", None),
    ("CRM / Customer Portal", "Digital & Customer", "Salesforce", "Salesforce Service Cloud", D(2021, 4, 1),
     D(2027, 3, 31), 68000, None, 140, "SaaS", "High", None),
    ("Website", "Digital & Customer", "Granicus", "GovDelivery / Granicus Website CMS", D(2022, 10, 1),
     D(2027, 9, 30), 24000, None, 20, "SaaS", "Medium", None),
    ("Contact Centre", "Digital & Customer", "Mitel", "MiContact Center", D(2018, 4, 1), D(2026, 12, 31),
     15600, 4200, 85, "On premise", "High", None),
    ("Telephony", "Digital & Customer", "Mitel", "MiVoice Business", D(2018, 4, 1), D(2026, 12, 31), 22000,
     6000, "all staff", "On premise", "High", None),
    ("Microsoft 365", "Digital & Customer", "Microsoft", "Microsoft 365 E5", D(2023, 7, 1), D(2026, 6, 30),
     "£410k", None, "all staff", "SaaS", "Critical", "EA, 3 years"),
    ("Document Management", "Digital & Customer", "Hyland", "OnBase", D(2015, 4, 1), D(2027, 3, 31), 39000,
     None, 400, "On premise", "High", None),
    ("ITSM", "Digital & Customer", "ServiceNow", "ServiceNow ITSM", D(2022, 4, 1), D(2027, 3, 31), 52000, None,
     30, "SaaS", "Medium", None),
    ("Backup", "Digital & Customer", "Rubrik", "Rubrik Security Cloud", D(2023, 4, 1), D(2028, 3, 31), 44000,
     None, 6, "On premise", "High", None),
    ("Endpoint Security", "Digital & Customer", "Microsoft", "Defender for Endpoint", D(2023, 7, 1),
     D(2026, 6, 30), "incl. in M365", None, "all staff", "SaaS", "High", None),
    ("Virtualisation", "Digital & Customer", "Nutanix", "Nutanix AHV", D(2021, 4, 1), D(2026, 3, 31), 36000,
     None, 8, "On premise", "High", None),
    ("GIS", "Digital & Customer", "Esri UK", "ArcGIS Enterprise", D(2019, 4, 1), D(2027, 3, 31), 33500, None,
     45, "On premise", "Medium", None),
    ("Data Warehouse / BI", "Digital & Customer", "Microsoft", "Power BI", D(2023, 7, 1), D(2026, 6, 30),
     "incl. in M365", None, 120, "SaaS", "Medium", None),
    ("Public Health Case Management", "Public Health", "Civica", "Civica CX", D(2022, 4, 1), D(2027, 3, 31),
     17500, None, 30, "SaaS", "Medium", None),
    ("Youth Offending", "Children, Education & Families", "Capita", "Capita One Youth / ChildView", D(2016, 4, 1),
     D(2027, 3, 31), 14200, None, 25, "Supplier hosted", "High", None),
    ("SEND Portal", "Children, Education & Families", "Capita", "Capita One SEND", D(2021, 9, 1), D(2027, 3, 31),
     "incl. in One", None, 40, "Supplier hosted", "Medium", None),
    ("School Admissions", "Children, Education & Families", "Capita", "Capita One Admissions Online",
     D(2018, 9, 1), 46630, "incl. in One", None, 12, "Supplier hosted", "Medium", None),
    ("Early Years Funding", "Children, Education & Families", "Synergy", "Synergy Early Years", D(2020, 4, 1),
     D(2027, 3, 31), 8900, None, 10, "SaaS", "Medium", None),
    ("Case Management (Legal)", "Chief Executive's", "Iken", "Iken Legal Case Management", D(2017, 4, 1),
     D(2027, 3, 31), 12000, None, 30, "On premise", "Medium", None),
    ("Procurement", "Finance & Resources", "Proactis", "ProContract", D(2019, 4, 1), "TBC", 6500, None, 20,
     "SaaS", "Medium", None),
    ("Payroll for schools", "Finance & Resources", "Oracle", "Oracle Fusion HCM", D(2022, 4, 1), D(2029, 3, 31),
     "incl. in ERP", None, "approx 3,000", "SaaS", "High", "Same tenant as HR/Payroll"),
    ("Democratic Services Webcasting", "Chief Executive's", "Public-i", "Connect webcasting", D(2020, 4, 1),
     D(2027, 3, 31), 8200, None, 6, "SaaS", "Low", None),
    ("Trading Standards", "Growth & Development", "NEC", "M3 Public Protection", D(2012, 4, 1), D(2027, 3, 31),
     "incl.", None, 12, "On premise", "Medium", "Same M3 instance"),
    ("Care Finance Portal", "Adults & Prevention", "System C", "ContrOCC", D(2019, 4, 1), D(2027, 3, 31),
     "incl. in LAS", None, 45, "Supplier hosted", "High", "Provider payments"),
)


def blackburn(out: Path) -> None:
    wb = _workbook()
    ws = wb.create_sheet("Application Catalogue")
    ws["A1"] = "Blackburn with Darwen Borough Council"
    ws["A1"].font = BOLD
    ws["A2"] = "Digital & Customer Services - Application Catalogue v0.7 (DRAFT)"
    ws["A3"] = "Costs are annual, £ ex VAT. Blank = not known."
    ws.append(["Ref", "Application", "Directorate", "Supplier", "Product(s)", "Contract", None, "Annual cost (£)",
               None, "Users", "Hosting", "Criticality", "Comments"])
    ws.append([None, None, None, None, None, "Start", "End", "Licence / subscription", "Support & maint.", None,
               None, None, None])
    for col in ("A", "B", "C", "D", "E", "J", "K", "L", "M"):
        ws.merge_cells(f"{col}4:{col}5")
    ws.merge_cells("F4:G4")
    ws.merge_cells("H4:I4")
    for row in ws.iter_rows(min_row=4, max_row=5):
        for cell in row:
            cell.font = BOLD
    for i, row in enumerate(BWD, start=1):
        ws.append([f"APP{i:04d}", *row])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "dd/mm/yyyy"
    ws["E8"].comment = Comment("Capita One for LA; SIMS for schools buying back", "D&CS")
    ws["G12"].comment = Comment("Check with legal - extension?", "D&CS")
    _save(wb, out / "BwD Application Catalogue v0.7.xlsx")


# --- East Lancashire Hospitals NHS Trust: data on a later sheet, after instructions; hidden validation sheet ---

ELHT = (  # app id, application, supplier, product/module, clinical/corporate, care group, hosting, annual revenue
    #       cost, contract expiry, notes
    ("ELHT-001", "Electronic Patient Record", "Oracle Health (Cerner)", "Millennium", "Clinical", "Trust-wide",
     "Supplier hosted", "£1.2m", "31/03/2027 (ext +1+1)", "Go-live 2017; RHO"),
    ("ELHT-002", "PowerChart", "Oracle Health (Cerner)", "Millennium PowerChart", "Clinical", "Trust-wide",
     "Supplier hosted", "incl. in EPR", "31/03/2027 (ext +1+1)", None),
    ("ELHT-003", "FirstNet (ED)", "Oracle Health (Cerner)", "FirstNet", "Clinical", "Urgent & Emergency Care",
     "Supplier hosted", "incl. in EPR", "31/03/2027 (ext +1+1)", None),
    ("ELHT-004", "Maternity", "Oracle Health (Cerner)", "Maternity (Millennium)", "Clinical",
     "Family Care", "Supplier hosted", "incl. in EPR", "31/03/2027 (ext +1+1)", None),
    ("ELHT-005", "PACS", "Sectra", "Sectra IDS7 PACS", "Clinical", "Diagnostic & Clinical Support",
     "On-prem", "£310,000", 46843, "Lancashire & South Cumbria shared"),
    ("ELHT-006", "RIS", "Soliton", "Soliton RIS", "Clinical", "Diagnostic & Clinical Support", "On-prem",
     "£68,500", "Mar-27", None),
    ("ELHT-007", "Pathology LIMS", "Clinisys", "WinPath", "Clinical", "Diagnostic & Clinical Support", "On-prem",
     "£240k", "31/03/2028", "Pathology network"),
    ("ELHT-008", "Blood tracking", "Haemonetics", "BloodTrack", "Clinical", "Diagnostic & Clinical Support",
     "On-prem", "£21,000.00", "30/09/2027", None),
    ("ELHT-009", "Pharmacy stock control", "EMIS Health", "JAC / EMIS Pharmacy", "Clinical",
     "Diagnostic & Clinical Support", "On-prem", "£44,000", "31/03/2027", None),
    ("ELHT-010", "ePMA", "Oracle Health (Cerner)", "Millennium ePrescribing", "Clinical", "Trust-wide",
     "Supplier hosted", "incl. in EPR", "31/03/2027 (ext +1+1)", None),
    ("ELHT-011", "Theatres", "Oracle Health (Cerner)", "SurgiNet", "Clinical", "Surgery", "Supplier hosted",
     "incl. in EPR", "31/03/2027 (ext +1+1)", None),
    ("ELHT-012", "Cardiology", "Philips", "IntelliSpace Cardiovascular", "Clinical", "Medicine",
     "On-prem", "£37,400", 46477, None),
    ("ELHT-013", "Endoscopy reporting", "Medilogik", "Medilogik EMS", "Clinical", "Surgery", "On-prem",
     "£18,900", "31/12/2026", None),
    ("ELHT-014", "Ophthalmology EPR", "Medisoft", "Medisoft Ophthalmology", "Clinical", "Surgery", "Supplier hosted",
     "£26,000", "31/03/2028", None),
    ("ELHT-015", "Renal", "Vitalpulse", "VitalData", "Clinical", "Medicine", "Supplier hosted", "£15,300",
     "31/03/2027", None),
    ("ELHT-016", "Diabetes", "Advanced", "Diamond", "Clinical", "Medicine", "On-prem", "c. 8,000", "rolling",
     None),
    ("ELHT-017", "Cancer MDT", "Infoflex", "Infoflex", "Clinical", "Medicine", "On-prem", "£19,750",
     "31/03/2027", None),
    ("ELHT-018", "Patient flow", "Alcidion", "Miya Flow", "Clinical", "Trust-wide", "Cloud", "£96k", "Mar-28",
     None),
    ("ELHT-019", "Digital dictation", "Nuance", "Dragon Medical One", "Clinical", "Trust-wide", "Cloud",
     "£72,000", "31/03/2027", None),
    ("ELHT-020", "Clinical correspondence", "Synertec", "Prism", "Clinical", "Trust-wide", "Cloud", "£41,000",
     "31/03/2027", "Hybrid mail"),
    ("ELHT-021", "Patient portal", "DrDoctor", "DrDoctor", "Clinical", "Trust-wide", "Cloud", "£135,000",
     "31/03/2027", None),
    ("ELHT-022", "e-Observations", "System C", "CareFlow Vitals", "Clinical", "Trust-wide", "Cloud", "£63,000",
     "31/07/2027", None),
    ("ELHT-023", "Maternity EPR", "Clevermed", "BadgerNet Maternity", "Clinical", "Family Care", "Cloud",
     "£49,500", "31/03/2028", "Replacing Millennium maternity"),
    ("ELHT-024", "Community EPR", "TPP", "SystmOne", "Clinical", "Community & Intermediate Care", "Cloud",
     "£88,000", "31/03/2027", None),
    ("ELHT-025", "Critical care", "Philips", "IntelliSpace Critical Care and Anesthesia", "Clinical",
     "Medicine", "On-prem", "£52,000", "31/03/2026", "Expired - on rolling extension"),
    ("ELHT-026", "Incident reporting", "RLDatix", "Datix Cloud IQ", "Corporate", "Quality & Safety", "Cloud",
     "£34,000", "31/03/2027", None),
    ("ELHT-027", "Rostering", "Allocate (RLDatix)", "HealthRoster", "Corporate", "Workforce", "Cloud",
     "£115,000", "31/03/2028", None),
    ("ELHT-028", "Bank staff", "Allocate (RLDatix)", "BankStaff", "Corporate", "Workforce", "Cloud",
     "incl. in HealthRoster", "31/03/2028", None),
    ("ELHT-029", "ESR", "IBM / NHS Business Services Authority", "Electronic Staff Record", "Corporate",
     "Workforce", "Cloud", "-", None, "National, no local cost"),
    ("ELHT-030", "Finance ledger", "Oracle / SBS", "Oracle e-Business Suite (SBS)", "Corporate", "Finance",
     "Supplier hosted", "£160,000", "31/03/2027", "NHS Shared Business Services"),
    ("ELHT-031", "Costing", "Civica", "Civica Costing (PLICS)", "Corporate", "Finance", "Cloud", "£28,000",
     "Mar-27", None),
    ("ELHT-032", "Procurement catalogue", "Oracle / SBS", "SBS Procurement", "Corporate", "Finance",
     "Supplier hosted", "incl.", "31/03/2027", None),
    ("ELHT-033", "Email & Office", "Microsoft", "NHSmail / Microsoft 365 (N365)", "Corporate", "Trust-wide",
     "Cloud", "£540,000", "30/06/2027", "Central N365 agreement"),
    ("ELHT-034", "Service desk", "Ivanti", "Ivanti Neurons for ITSM", "Corporate", "IM&T", "Cloud",
     "£47,000", "31/03/2027", None),
    ("ELHT-035", "Backup", "Commvault", "Commvault Complete", "Corporate", "IM&T", "On-prem", "£58,000",
     "30/11/2026", None),
    ("ELHT-036", "Virtualisation", "VMware", "vSphere Enterprise Plus", "Corporate", "IM&T", "On-prem",
     "£94,000", "31/10/2026", None),
    ("ELHT-037", "Firewalls", "Palo Alto Networks", "PA-Series NGFW", "Corporate", "IM&T", "On-prem",
     "£61,000", "31/03/2028", None),
    ("ELHT-038", "Clinical integration engine", "InterSystems", "HealthShare / Ensemble", "Corporate", "IM&T",
     "On-prem", "£76,000", "31/03/2027", None),
    ("ELHT-039", "Business intelligence", "Microsoft", "SQL Server / Power BI", "Corporate",
     "Performance & Informatics", "On-prem", "£39,000", "30/06/2027", None),
    ("ELHT-040", "Document management", "Kainos", "Evolve", "Clinical", "Trust-wide", "Cloud", "£121,000",
     "31/03/2028", "Scanned health records"),
    ("ELHT-041", "Estates helpdesk", "MiCAD", "MiCAD Estates", "Corporate", "Estates & Facilities", "Cloud",
     "£14,000", "31/03/2027", None),
    ("ELHT-042", "Patient catering", "Saffron", "Saffron", "Corporate", "Estates & Facilities", "On-prem",
     "£9,500", "rolling", None),
    ("ELHT-043", "Complaints (PALS)", "RLDatix", "Datix Cloud IQ", "Corporate", "Quality & Safety", "Cloud",
     "incl. in Datix", "31/03/2027", None),
    ("ELHT-044", "Learning management", "Kallidus", "Kallidus Learn", "Corporate", "Workforce", "Cloud",
     "£32,000", "31/03/2027", None),
    ("ELHT-045", "Freedom of information", "iCasework", "iCasework", "Corporate", "Corporate Governance", "Cloud",
     "£6,800", "31/03/2027", None),
    ("ELHT-046", "Telephony", "Mitel", "MiVoice Business / MiCollab", "Corporate", "IM&T", "On-prem",
     "£82,000", "31/12/2026", None),
    ("ELHT-047", "Switchboard", "Netcall", "Liberty Switchboard", "Corporate", "IM&T", "On-prem",
     "£23,000", "31/12/2026", None),
    ("ELHT-048", "Anti-virus", "Microsoft", "Defender for Endpoint", "Corporate", "IM&T", "Cloud",
     "incl. in N365", "30/06/2027", None),
    ("ELHT-049", "Clinical coding", "3M", "3M Medicode", "Corporate", "Performance & Informatics", "On-prem",
     "£18,200", "31/03/2027", None),
    ("ELHT-050", "Medical records tracking", "Oracle Health (Cerner)", "Millennium Case Note Tracking",
     "Clinical", "Trust-wide", "Supplier hosted", "incl. in EPR", "31/03/2027 (ext +1+1)", None),
    ("ELHT-051", "Sexual health", "Blithe", "Lilie", "Clinical", "Community & Intermediate Care", "Cloud",
     "£22,000", "31/03/2027", None),
    ("ELHT-052", "Medical devices asset register", "Materials Management", "E-Quip", "Corporate",
     "Estates & Facilities", "On-prem", "£11,400", "TBC", None),
    ("ELHT-053", "Bed management", "Alcidion", "Miya Flow", "Clinical", "Trust-wide", "Cloud",
     "incl. in Patient flow", "Mar-28", None),
)


def elht(out: Path) -> None:
    wb = _workbook()
    info = wb.create_sheet("Instructions")
    for line in ("How to complete this return",
                 "1. One row per application. Include clinical and corporate systems.",
                 "2. 'Annual Revenue Cost' is the recurring cost to the Trust, ex VAT.",
                 "3. Use the drop-down lists for Clinical/Corporate and Hosting."):
        info.append([line])
    ws = wb.create_sheet("Application Portfolio")
    ws.append(["East Lancashire Hospitals NHS Trust"])
    ws["A1"].font = BOLD
    ws.append(["IM&T Application Portfolio - Information Asset Register extract"])
    ws.append(["OFFICIAL-SENSITIVE: COMMERCIAL"])
    ws.append(["Note: costs marked 'incl.' are covered by another line's contract."])
    ws.append([])
    ws.append(["App ID", "Application", "Supplier", "Product / Module", "Clinical / Corporate", "Care Group",
               "Hosting", "Annual Revenue Cost", "Contract Expiry", "Notes"])
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    clinical = [r for r in ELHT if r[4] == "Clinical"]
    corporate = [r for r in ELHT if r[4] == "Corporate"]
    for group, rows in (("Clinical", clinical), ("Corporate", corporate)):
        for row in rows:
            ws.append(list(row))
        ws.append([None, f"{group} systems: {len(rows)}", None, None, None, None, None,
                   sum(_figure(r[7]) for r in rows), None, None])
        for cell in ws[ws.max_row]:
            cell.font = BOLD
        ws.append([])
    ws["D12"].comment = Comment("Contract with Oracle via RHO; module list on request", "IM&T")
    lists = wb.create_sheet("Data Validation")
    for value in ("Clinical", "Corporate"):
        lists.append([value])
    lists.sheet_state = "hidden"
    _save(wb, out / "ELHT_Clinical_and_Corporate_Applications.xlsx")


# --- Lancashire Fire and Rescue Service: a merged title, the first sheet still called "Sheet1", subtotals ---

LFRS = (  # department, rows: (system, supplier, what it does, licences, annual cost, expiry)
    ("Service Delivery", (
        ("Mobilising system", "Systel", "Control room mobilising (North West Fire Control)", 40, "£185,000",
         "31/03/2029"),
        ("MDTs", "Terrafix", "Mobile data terminals on appliances", 85, "£64,000", "31/03/2027"),
        ("Airwave", "Motorola Solutions", "Radio", 320, "£97,500", "31/12/2026"),
        ("CFRMIS", "Civica", "Community fire risk, prevention and protection", 150, "£41,000", "30/09/2027"),
        ("Incident recording", "Home Office", "IRS returns", 20, "-", None),
        ("Availability", "Gartan", "On-call availability and payroll feed", 600, "£38,500", "31/03/2028"),
        ("Station rostering", "Ultima", "FireWatch rostering", 900, "£72,000", "31/03/2027"),
        ("Hydrants", "Brightly", "Confirm - hydrant inspections", 25, "£8,900", "31/03/2028"),
        ("Operational risk info", "Infographics", "Site specific risk information", 200, "£12,000", "31/12/2026"),
        ("Thermal imaging", "MSA", "Camera asset tracking", 60, "c. 2,000", "rolling"),
        ("Breathing apparatus", "Dräger", "BA telemetry and servicing", 120, "£16,800", "31/08/2027"),
        ("Drone", "DJI", "DJI FlightHub", 6, "£3,900", "31/05/2027"),
        ("Resilience Direct", "DLUHC", "Multi-agency information sharing", 30, "-", None),
    )),
    ("Corporate Services", (
        ("Finance", "Unit4", "Business World (Agresso)", 45, "£62,000", "31/03/2027"),
        ("HR & Payroll", "Ultima", "FireWatch HR", 60, "incl. in rostering", "31/03/2027"),
        ("Fleet & equipment", "Redkite", "Asset and equipment management", 70, "£18,500", "Mar-27"),
        ("Procurement", "Proactis", "ProContract e-tendering", 8, "£3,200", "rolling"),
        ("Training records", "Redkite", "Redkite training and competency", 900, "£21,000", "Mar-27"),
        ("Learning platform", "Learning Pool", "e-learning", "all staff", "£9,500", "30/04/2027"),
        ("Health & safety", "SHE Software", "Assure incident reporting", 200, "£14,400", "31/03/2027"),
        ("Estates", "Concerto", "Property and compliance", 10, "£7,900", "30/06/2027"),
        ("Document management", "Microsoft", "SharePoint Online", "all staff", "incl. in M365", "30/06/2027"),
        ("Committee papers", "Civica", "Modern.gov", 15, "£4,700", "31/03/2027"),
        ("Payroll", "MHR", "iTrent payroll", 12, "£24,000", "31/03/2028"),
        ("Occupational health", "Cority", "OH case management", 8, "£9,800", "31/03/2027"),
        ("Pensions", "Local Pensions Partnership", "Firefighters pension admin", 4, "incl.", None),
        ("Expenses", "Selenity", "Expenses claims", "all staff", "£4,100", "31/03/2027"),
    )),
    ("ICT", (
        ("Office 365", "Microsoft", "Microsoft 365 E3 / Teams", "all staff", "£150k + VAT", "30/06/2027"),
        ("Service desk", "TOPdesk", "ICT and estates helpdesk", 25, "£11,000", "31/03/2027"),
        ("Backups", "Veeam", "Veeam Backup & Replication", 4, "£7,300", "30/11/2027"),
        ("Servers", "VMware", "vSphere", 4, "£13,500", "31/10/2026"),
        ("Endpoint protection", "Sophos", "Intercept X", "all staff", "£9,100", "31/01/2027"),
        ("Network", "Cisco", "Meraki SD-WAN", 39, "£33,000", "31/03/2028"),
        ("Phones", "Mitel", "MiVoice Business", 900, "£26,000", "31/12/2026"),
        ("Website", "Jadu", "Jadu CMS", 5, "£10,200", "31/03/2027"),
        ("GIS", "Esri UK", "ArcGIS Online", 30, "£12,800", "30/09/2027"),
        ("Reporting", "Microsoft", "Power BI Pro", 60, "£6,500", "30/06/2027"),
        ("Firewalls", "Fortinet", "FortiGate", 4, "£6,900", "31/03/2028"),
        ("Email security", "Mimecast", "Mimecast Email Security", "all staff", "£5,200", "31/08/2027"),
        ("Mobile devices", "Microsoft", "Intune", 450, "incl. in M365", "30/06/2027"),
        ("Printing", "Xerox", "Managed print", "all staff", "£18,000", "Mar-28"),
    )),
)


def lfrs(out: Path) -> None:
    wb = _workbook()
    ws = wb.create_sheet("Sheet1")
    ws["A1"] = "Lancashire Fire & Rescue Service - Systems"
    ws["A1"].font = BOLD
    ws.merge_cells("A1:F1")
    ws.append([])
    ws.append(["System", "Supplier", "What it does", "Licences", "Annual Cost (£)", "Expiry"])
    for cell in ws[ws.max_row]:
        cell.font = BOLD
    for department, rows in LFRS:
        for row in rows:
            ws.append(list(row))
        ws.append([f"Total {department}", None, None, None, sum(_figure(r[4]) for r in rows), None])
        for cell in ws[ws.max_row]:
            cell.font = BOLD
    _save(wb, out / "LFRS Systems.xlsx")


def organisations(out: Path) -> None:
    """The consultant's list of the five organisations (the one file not sent by an IT team)."""
    rows = ["Organisation,Sector,Short name",
            "Burnley Borough Council,district council,Burnley",
            "Rossendale Borough Council,district council,Rossendale",
            "Blackburn with Darwen Borough Council,unitary council,BwD",
            "Lancashire Fire and Rescue Service,fire and rescue,LFRS",
            "East Lancashire Hospitals NHS Trust,NHS trust,ELHT"]
    (out / "organisations.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    organisations(out)
    burnley(out)
    rossendale(out)
    blackburn(out)
    elht(out)
    lfrs(out)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests" / "data" / "east-lancashire")
