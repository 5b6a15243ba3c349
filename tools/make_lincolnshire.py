"""Generate the test place ``tests/data/lincolnshire/``: one NHS integrated care system's returns as sent.

The place is ILLUSTRATIVE. The organisations are real (the five NHS bodies of
the Lincolnshire integrated care system: the acute trust, the mental-health
trust, the community trust, the region's ambulance trust and the integrated
care board) and so are the products and suppliers, named as NHS bodies name
them (see the place's README.md for the public sources); the asset lists,
users, costs and dates are INVENTED.

Nothing here is generated from estate's catalogue: every row is written by
hand, in the layout and with the habits of the team that would send it. Most
NHS bodies keep an Information Asset Register for the Data Security and
Protection Toolkit (``Asset ID``, ``Information Asset``, ``IAO``, ``IAA``,
``Contains PID``, ``Business critical``, ``DPIA``: information-governance
columns that are not estate's), others an application catalogue or a finance
contracts list. EPRs and their modules are separate rows; national services
(ESR, NHSmail) sit beside local ones; products are named only in the asset name
(``Medway PAS (System C)``), in a ``Supplier / Product`` cell or in a contract
description; costs read ``£12k + VAT``, ``NHSE funded``, ``incl. in EPR``;
dates ``31/03/2027 (ext +1+1)``, ``via NHS SBS framework``, Excel serials.

Run ``python tools/make_lincolnshire.py [OUTDIR]``; the output is deterministic.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font

ROOT = Path(__file__).resolve().parents[1]
FIXED_TIME = dt.datetime(2026, 11, 27, 10, 30, 0)
BOLD = Font(bold=True)
D = dt.datetime

ULHT = "United Lincolnshire Hospitals NHS Trust"
LPFT = "Lincolnshire Partnership NHS Foundation Trust"
LCHS = "Lincolnshire Community Health Services NHS Trust"
EMAS = "East Midlands Ambulance Service NHS Trust"
ICB = "NHS Lincolnshire Integrated Care Board"


def _workbook() -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "estate test-place generator"
    wb.properties.lastModifiedBy = "estate test-place generator"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    return wb


def _bold(ws, row: int) -> None:
    for cell in ws[row]:
        cell.font = BOLD


def figure(text: object) -> float:
    """The amount a finance lead adds for a cost cell: text that names no amount adds nothing.

    ``£12k + VAT`` is 12,000 (the registers' costs are ex VAT), ``c. 5,000`` is 5,000, ``NHSE funded``,
    ``incl. in EPR``, ``TBC`` and ``-`` are 0.
    """
    if text is None:
        return 0.0
    if isinstance(text, (int, float)):
        return float(text)
    s = str(text).lower().replace("£", "").replace(",", "").replace("+ vat", "").replace("ex vat", "")
    s = s.replace("c.", "").replace("approx", "").replace("p.a.", "").strip()
    scale = {"k": 1_000, "m": 1_000_000}.get(s[-1:], 1)
    try:
        return float(s[:-1] if scale > 1 else s) * scale
    except ValueError:
        return 0.0


# --- United Lincolnshire Hospitals NHS Trust: the DSPT Information Asset Register ------------------------------
# A "Guidance" sheet first, the register on "IAR", a hidden "Lists" sheet; the trust's name alone in A1, a title,
# an owner note and a blank row above the header on row 5; a Supplier column but no product column: the product
# is in the asset's name ("Medway PAS (System C)"); EPR modules as separate rows; national services; a row pasted
# twice; a "Total" row; a comment in a cell.

ULHT_ROWS = (  # asset id, information asset, description, IAO, IAA, supplier, hosting, contains PID,
    #            business critical, DPIA, contract end, annual cost, no. of users, comments
    ("IA-001", "Medway PAS (System C)", "Patient administration: referrals, outpatients, inpatients, waiting lists",
     "Chief Operating Officer", "Head of Patient Access", "System C", "On-premise", "Y", "Y", "Complete",
     "31/03/2027 (ext +1+1)", "£612,000", 3400, "To be replaced by Epic (go-live 2027)"),
    ("IA-002", "Medway Maternity (System C)", "Maternity records (EPR module)", "Director of Midwifery",
     "Digital Midwife", "System C", "On-premise", "Y", "Y", "Complete", "31/03/2027 (ext +1+1)", "incl. in EPR", 450,
     None),
    ("IA-003", "Epic EPR", "Trust-wide EPR programme (in implementation)", "Chief Digital Information Officer",
     "EPR Programme Manager", "Epic Systems", "Supplier hosted", "Y", "Y", "In progress", D(2034, 3, 31), "TBC",
     "Trust-wide", "Business case approved 2025; costs held in the programme"),
    ("IA-004", "Nervecentre eObs", "Electronic observations and NEWS2", "Chief Nurse", "Nursing IT Lead",
     "Nervecentre Software", "On-premise", "Y", "Y", "Complete", D(2027, 9, 30), "£148,500", "all clinical staff",
     None),
    ("IA-005", "Nervecentre Patient Flow", "Bed management and electronic whiteboards", "Chief Operating Officer",
     "Site Operations Manager", "Nervecentre Software", "On-premise", "Y", "Y", "Complete", D(2027, 9, 30),
     "incl. in eObs", 900, None),
    ("IA-006", "WinPath (Clinisys)", "Pathology LIMS: blood sciences, microbiology, cellular pathology",
     "Clinical Director Pathology", "Pathology IT Manager", "Clinisys", "On-premise", "Y", "Y", "Complete",
     "Mar-28", "£236,000", 260, None),
    ("IA-007", "ICE Order Comms", "Pathology and radiology requesting and results", "Medical Director",
     "Pathology IT Manager", "Clinisys", "On-premise", "Y", "Y", "Complete", "Mar-28", "£54k + VAT", 4200, None),
    ("IA-008", "Sectra PACS", "Radiology images (IDS7)", "Clinical Director Radiology", "PACS Manager", "Sectra",
     "Supplier hosted", "Y", "Y", "Complete", D(2029, 6, 30), "£318,000.00", 1500, "Part of the East Midlands "
     "Imaging Network"),
    ("IA-009", "CRIS", "Radiology information system", "Clinical Director Radiology", "PACS Manager", "Magentus",
     "On-premise", "Y", "Y", "Complete", D(2026, 12, 31), "£61,200", 350, None),
    ("IA-010", "EPMA (JAC)", "Electronic prescribing and medicines administration", "Chief Pharmacist",
     "EPMA Lead Pharmacist", "WellSky", "On-premise", "Y", "Y", "Complete", "31/03/2027", "£97,000", "approx 3,000",
     None),
    ("IA-011", "Pharmacy stock control", "Ascribe Pharmacy: dispensary, stock, aseptics", "Chief Pharmacist",
     "Pharmacy Systems Manager", "Optum", "On-premise", "N", "Y", "Not required", "31/03/2027", "£28,400", 120, None),
    ("IA-012", "Symphony EDIS", "Emergency department system (Lincoln, Pilgrim)", "Clinical Director Urgent Care",
     "ED Systems Lead", "Optum (formerly EMIS Health)", "On-premise", "Y", "Y", "Complete", "Mar-27", "£82,000",
     600, None),
    ("IA-013", "Bluespier Theatres", "Theatre scheduling and records", "Clinical Director Surgery",
     "Theatres Manager", "Bluespier", "On-premise", "Y", "Y", "Complete", D(2027, 6, 30), "£44,750", 380, None),
    ("IA-014", "BadgerNet Neonatal (Clevermed)", "Neonatal unit records", "Clinical Director Children",
     "Neonatal Matron", "Clevermed", "Supplier hosted", "Y", "Y", "Complete", "rolling", "£9,600", 70,
     "Regional neonatal network contract"),
    ("IA-015", "Digital dictation (Medisec)", "Dictation and speech recognition for clinic letters",
     "Medical Director", "Medical Secretaries Manager", "Magentus", "On-premise", "Y", "N", "Complete",
     D(2027, 1, 31), "£39,900", 800, None),
    ("IA-016", "3M Medicode", "Clinical coding encoder", "Director of Finance", "Head of Clinical Coding", "Solventum",
     "On-premise", "Y", "N", "Not required", "31/03/2027", "c. 18,000", 45, None),
    ("IA-017", "Somerset Cancer Register", "Cancer MDT and tracking", "Cancer Lead", "Cancer Services Manager",
     "Somerset NHS FT", "Supplier hosted", "Y", "Y", "Complete", "-", "-", 150, "Free of charge to NHS bodies"),
    ("IA-018", "Concentric digital consent", "Patients' consent to treatment", "Medical Director",
     "Clinical Safety Officer", "Concentric Health", "Cloud", "Y", "N", "Complete", D(2027, 10, 31), "£26,000", 900,
     None),
    ("IA-019", "BloodTrack (Haemonetics)", "Blood fridge and transfusion tracking", "Clinical Director Pathology",
     "Transfusion Practitioner", "Haemonetics", "On-premise", "Y", "Y", "Complete", "31/03/2028", "£22,300", 1200,
     None),
    ("IA-020", "Evolve EDM", "Scanned health records", "Director of Finance", "Health Records Manager",
     "IMMJ Systems", "On-premise", "Y", "Y", "Complete", "31/03/2027 (ext +1+1)", "£71,000", "Trust-wide", None),
    ("IA-021", "DrDoctor", "Patient portal, appointment letters and reminders", "Chief Operating Officer",
     "Outpatient Transformation Lead", "DrDoctor", "Cloud", "Y", "N", "Complete", D(2027, 3, 31), "£12k + VAT",
     "patients", "NHSE funded year 1"),
    ("IA-022", "HealthRoster", "Nursing and AHP e-rostering", "Chief Nurse", "E-Rostering Manager", "RLDatix",
     "Supplier hosted", "N", "Y", "Complete", D(2028, 3, 31), "£131,000", 7500, None),
    ("IA-023", "SafeCare", "Safe staffing acuity", "Chief Nurse", "E-Rostering Manager", "RLDatix",
     "Supplier hosted", "N", "N", "Complete", D(2028, 3, 31), "incl. in HealthRoster", 400, None),
    ("IA-024", "Patchwork", "Medical staff bank", "Medical Director", "Medical Workforce Manager",
     "Patchwork Health", "Cloud", "N", "N", "Complete", "Mar-27", "£35,000", 900, None),
    ("IA-025", "ESR", "HR and payroll (national)", "Director of People", "ESR Manager", "NHS Business Services Authority",
     "N3/HSCN", "Y", "Y", "National", "-", "NHSE funded", "all staff", "National service"),
    ("IA-026", "NHSmail", "Email and calendar (national)", "Chief Digital Information Officer", "Local Administrator",
     "NHS England", "Cloud", "Y", "Y", "National", "-", "NHSE funded", "all staff", None),
    ("IA-027", "Datix (DCIQ)", "Incidents, risks, complaints, claims", "Director of Nursing", "Patient Safety Manager",
     "RLDatix", "Cloud", "Y", "Y", "Complete", D(2027, 4, 30), "£58,200", "Trust-wide", None),
    ("IA-028", "Power BI", "Performance dashboards", "Director of Finance", "Head of Business Intelligence",
     "Microsoft", "Cloud", "N", "N", "Complete", "30/06/2027", "£24,900", 350, None),
    ("IA-029", "Data warehouse (SQL Server)", "Data warehouse and SUS submissions", "Director of Finance",
     "Head of Business Intelligence", "Microsoft", "On-premise", "Y", "Y", "Complete", "30/06/2027", "incl. in EA",
     25, None),
    ("IA-030", "Patient Level Costing (Civica)", "PLICS and service line reporting", "Director of Finance",
     "Head of Costing", "Civica", "Cloud", "Y", "N", "Complete", D(2027, 3, 31), "£42,000", 12, None),
    ("IA-031", "Finance ledger", "Oracle E-Business Suite via NHS SBS", "Director of Finance",
     "Financial Systems Manager", "NHS Shared Business Services", "Supplier hosted", "N", "Y", "Not required",
     "via NHS SBS framework", "£210,000", 260, None),
    ("IA-032", "Microsoft 365", "Office, Teams, SharePoint, OneDrive (NHS tenant)", "Chief Digital Information Officer",
     "Head of Infrastructure", "Microsoft", "Cloud", "Y", "Y", "Complete", "30/06/2027", "£480k", "all staff",
     "NHSmail shared tenant"),
    ("IA-033", "IT service desk", "ServiceNow ITSM", "Chief Digital Information Officer", "Service Desk Manager",
     "ServiceNow", "Cloud", "N", "Y", "Complete", D(2028, 1, 31), "£67,000", 90, None),
    ("IA-034", "Backup", "Veeam Backup & Replication", "Chief Digital Information Officer",
     "Head of Infrastructure", "Veeam Software", "On-premise", "Y", "Y", "Not required", D(2027, 11, 30), "£31,500",
     6, None),
    ("IA-035", "Server virtualisation", "VMware vSphere (Lincoln and Pilgrim data centres)",
     "Chief Digital Information Officer", "Head of Infrastructure", "Broadcom", "On-premise", "N", "Y",
     "Not required", D(2026, 10, 31), "£88,000", 6, "Broadcom renewal increase"),
    ("IA-036", "Telephony", "Mitel MiVoice Business and switchboard", "Chief Digital Information Officer",
     "Telecoms Manager", "Mitel", "On-premise", "N", "Y", "Not required", "31/12/2026", "£54,000", "Trust-wide",
     None),
    ("IA-037", "Wi-Fi", "Aruba wireless network", "Chief Digital Information Officer", "Network Manager",
     "HPE Aruba", "On-premise", "N", "Y", "Not required", "31/03/2028", "£46,000", "Trust-wide", None),
    ("IA-038", "SystmOne (Therapies)", "SystmOne unit for MSK physiotherapy and dietetics", "Director of AHPs",
     "Therapy Services Manager", "TPP", "Supplier hosted", "Y", "N", "Complete", "31/03/2027", "£19,750", 140, None),
    ("IA-039", "Lincolnshire Care Portal", "Shared care record (view)", "Chief Digital Information Officer",
     "Interoperability Lead", "Graphnet Health", "Supplier hosted", "Y", "N", "ICB DPIA", "-", "ICB funded",
     "all clinical staff", "Contract held by the ICB"),
    ("IA-040", "e-Referral Service", "NHS e-RS", "Chief Operating Officer", "Head of Patient Access", "NHS England",
     "N3/HSCN", "Y", "Y", "National", "-", "-", 300, None),
    ("IA-041", "Datix (DCIQ)", "Incidents, risks, complaints, claims", "Director of Nursing", "Patient Safety Manager",
     "RLDatix", "Cloud", "Y", "Y", "Complete", D(2027, 4, 30), "£58,200", "Trust-wide", None),  # pasted twice
)


def ulht(out: Path) -> None:
    wb = _workbook()
    guide = wb.create_sheet("Guidance")
    for line in ("Information Asset Register - guidance for Information Asset Owners",
                 "Record every information asset that holds personal or business-critical data.",
                 "Contains PID: Y/N. Business critical: Y if a loss would stop a clinical service.",
                 "Annual cost: recurring revenue cost to the Trust, ex VAT. Leave blank if unknown.",
                 "Return to the Information Governance team by 31 October."):
        guide.append([line])
    ws = wb.create_sheet("IAR")
    ws.append([ULHT])
    ws["A1"].font = BOLD
    ws.append(["Information Asset Register 2026/27 (DSPT 1.3.1 evidence)"])
    ws.append(["SIRO: Director of Finance & Digital. Reviewed by the IG Group 14/10/2026. OFFICIAL-SENSITIVE"])
    ws.append([])
    ws.append(["Asset ID", "Information Asset", "Description", "IAO", "IAA", "Supplier", "Hosting", "Contains PID",
               "Business critical", "DPIA", "Contract end", "Annual cost", "No. of users", "Comments"])
    _bold(ws, 5)
    for i, row in enumerate(ULHT_ROWS):
        ws.append(list(row))
        if i in (15, 27):  # blank spacer rows where the IG team inserted and cleared lines
            ws.append([])
    ws.append([])
    ws.append([None, "Total", None, None, None, None, None, None, None, None, None,
               sum(figure(r[11]) for r in ULHT_ROWS), None, None])
    _bold(ws, ws.max_row)
    ws["L6"].comment = Comment("Includes Medway Maternity and Medway ED modules", "IG Team")
    lists = wb.create_sheet("Lists")
    for value in ("On-premise", "Supplier hosted", "Cloud", "N3/HSCN"):
        lists.append([value])
    lists.sheet_state = "hidden"
    wb.save(out / "ULHT IAR 2026-27 v3.xlsx")


# --- Lincolnshire Partnership NHS Foundation Trust: the digital team's application catalogue -------------------
# One sheet, a merged title naming the trust inside a longer line, a review line; the header on row 3;
# "Supplier / Product" in one column, several products in one cell ("TPP SystmOne / Access RiO"); a Status column
# (Live / Being replaced / Decommissioning); users "approx 300", "Trust-wide"; costs "12,500.00", "c. 5,000".

LPFT_ROWS = (  # ref, application, supplier / product, purpose, directorate, licensed users, cost, renewal, hosted,
    #            status, notes
    ("APP01", "RiO", "The Access Group / RiO", "Mental health EPR", "Trust-wide", 2100, "£384,000",
     "31/03/2028", "Supplier hosted", "Live", "Formerly Servelec"),
    ("APP02", "RiO Mental Health Act module", "The Access Group / RiO MHA", "MHA detentions and tribunals",
     "Trust-wide", 60, "incl. in EPR", "31/03/2028", "Supplier hosted", "Live", None),
    ("APP03", "Community and CAMHS records", "TPP SystmOne / Access RiO", "CAMHS and learning disability records",
     "Specialist Services", 320, "£46,500", "31/03/2027", "Supplier hosted", "Being replaced",
     "CAMHS moving from SystmOne to RiO in 2027"),
    ("APP04", "Talking Therapies", "Mayden / iaptus", "NHS Talking Therapies case management", "Adult Community",
     "approx 300", "£71,000", "30/09/2027", "Cloud", "Live", None),
    ("APP05", "EPMA", "WellSky / JAC ePMA", "Inpatient electronic prescribing", "Adult Inpatients", 450,
     "£38,750", "31/03/2027", "On premise", "Live", None),
    ("APP06", "Pharmacy", "Optum / Ascribe", "Pharmacy stock and dispensing", "Pharmacy", 25, "c. 9,000",
     "31/03/2027", "On premise", "Live", None),
    ("APP07", "Incident reporting", "Ulysses / Safeguard", "Incidents, risks and complaints", "Nursing & Quality",
     "Trust-wide", "£32,400", "31/01/2028", "Cloud", "Live", None),
    ("APP08", "E-Rostering", "RLDatix / HealthRoster", "Ward and team rosters", "People", 2400, "£64,000",
     "31/03/2028", "Supplier hosted", "Live", None),
    ("APP09", "Medic rostering", "RLDatix / Medic On Duty", "Junior doctor rotas", "Medical", 140, "£11,200",
     "31/03/2028", "Supplier hosted", "Live", None),
    ("APP10", "ESR", "IBM / ESR", "HR and payroll", "People", "all staff", "-", "-", "N3/HSCN", "Live",
     "National service"),
    ("APP11", "TRAC", "Trac Systems / TRAC Jobs", "Recruitment", "People", 80, "£8,900", "Mar-27", "Cloud", "Live",
     None),
    ("APP12", "Email", "NHS England / NHSmail", "Email", "Digital", "all staff", "-", "-", "Cloud", "Live",
     "National service"),
    ("APP13", "Microsoft 365", "Microsoft / M365 E3", "Office, Teams, SharePoint", "Digital", "all staff",
     "£210,000.00", "30/06/2027", "Cloud", "Live", None),
    ("APP14", "Video consultations", "Attend Anywhere", "Video appointments", "Trust-wide", 900, "NHSE funded",
     "31/03/2027", "Cloud", "Live", None),
    ("APP15", "Patient messaging", "Accurx", "SMS to patients", "Trust-wide", 1200, "£14,000", "31/03/2027",
     "Cloud", "Live", None),
    ("APP16", "Business intelligence", "Microsoft / Power BI", "Dashboards", "Finance & Performance", 180, "£9,600",
     "30/06/2027", "Cloud", "Live", None),
    ("APP17", "Data warehouse", "Microsoft / SQL Server", "Reporting warehouse and MHSDS submissions",
     "Finance & Performance", 12, "incl. in EA", "30/06/2027", "On premise", "Live", None),
    ("APP18", "Finance", "NHS SBS / Oracle", "Ledger, payables, receivables", "Finance & Performance", 70,
     "£96,000", "via NHS SBS framework", "Supplier hosted", "Live", None),
    ("APP19", "Costing", "Civica / Costmaster", "Patient-level costing (PLICS)", "Finance & Performance", 6,
     "12,500.00", "31/03/2027", "Cloud", "Live", None),
    ("APP20", "Service desk", "Ivanti / Ivanti Service Manager", "IT and estates helpdesk", "Digital", 45,
     "£18,300", "31/08/2027", "Cloud", "Live", None),
    ("APP21", "Endpoint protection", "Sophos / Intercept X", "Anti-malware", "Digital", "all staff", "£12,900",
     "31/01/2027", "Cloud", "Live", None),
    ("APP22", "Backup", "Veeam / Backup & Replication", "Server backup", "Digital", 4, "c. 5,000", "30/11/2027",
     "On premise", "Live", None),
    ("APP23", "Virtual servers", "VMware / vSphere", "Server virtualisation", "Digital", 4, "£21,000",
     "31/10/2026", "On premise", "Being replaced", "Moving to Azure"),
    ("APP24", "Cloud hosting", "Microsoft / Azure", "Cloud infrastructure", "Digital", 8, "£48,000", "30/06/2027",
     "Cloud", "Live", None),
    ("APP25", "Telephony", "Microsoft / Teams Phone", "Telephony", "Digital", "all staff", "incl. in M365",
     "30/06/2027", "Cloud", "Live", None),
    ("APP26", "Old telephony", "Avaya / Aura", "Telephony (legacy sites)", "Digital", 300, "£7,400", "31/12/2026",
     "On premise", "Decommissioning", None),
    ("APP27", "Secure email", "Egress / Protect", "Encrypted email to non-NHS partners", "Digital", "Trust-wide",
     "£6,800", "31/05/2027", "Cloud", "Live", None),
    ("APP28", "Document management", "Microsoft / SharePoint Online", "Policies and corporate records",
     "Corporate", "all staff", "incl. in M365", "30/06/2027", "Cloud", "Live", None),
    ("APP29", "Board papers", "Convene", "Board and committee papers", "Corporate", 40, "£5,400", "30/09/2027",
     "Cloud", "Live", None),
    ("APP30", "Learning management", "Kallidus / Learn", "Statutory and mandatory training", "People",
     "all staff", "£27,500", "31/03/2028", "Cloud", "Live", None),
    ("APP31", "Occupational health", "Civica / Cority", "OH referrals and immunisations", "People", 15,
     "£7,700", "Mar-27", "Cloud", "Live", "Cority (was Civica e-OPAS)"),
    ("APP32", "Freedom of information", "Civica / iCasework", "FOI and SARs", "Corporate", 12, "£6,100",
     "31/03/2027", "Cloud", "Live", None),
    ("APP33", "Shared care record", "Graphnet / CareCentric", "Lincolnshire Care Portal", "Trust-wide",
     "Trust-wide", "ICB funded", "-", "Supplier hosted", "Live", "Contract held by the ICB"),
    ("APP34", "Dictation", "Lexacom", "Digital dictation", "Medical", 110, "£4,950", "31/03/2027", "Cloud", "Live",
     None),
    ("APP35", "Clinical coding", "Solventum / 3M Medicode", "Coding of inpatient episodes", "Medical", 4,
     "£3,200", "31/03/2027", "On premise", "Live", None),
    ("APP36", "Physical health observations", "Nervecentre / eObs", "NEWS2 on inpatient wards", "Adult Inpatients",
     300, "£29,000", "30/09/2027", "Supplier hosted", "Live", None),
)


def lpft(out: Path) -> None:
    wb = _workbook()
    ws = wb.create_sheet("Application Catalogue")
    ws["A1"] = f"{LPFT} \u2013 Digital Application Catalogue"
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells("A1:K1")
    ws["A2"] = "Last reviewed: September 2026 | Owner: Head of Digital Services | Costs ex VAT"
    ws.append(["Ref", "Application", "Supplier / Product", "Purpose", "Directorate", "Licensed users",
               "Cost p.a. (£)", "Renewal date", "Hosted", "Status", "Notes"])
    _bold(ws, 3)
    for row in LPFT_ROWS:
        ws.append(list(row))
        ws.cell(ws.max_row, 8).alignment = Alignment(horizontal="right")
    ws["C6"].comment = Comment("Both records in use until the CAMHS migration completes", "Digital Services")
    ws.freeze_panes = "C4"
    wb.save(out / "LPFT Digital Application Catalogue.xlsx")


# --- Lincolnshire Community Health Services NHS Trust: finance's contracts register, saved as CSV by Excel ------
# Comma-delimited, Windows-1252 (the pound sign and an en dash are single bytes), CRLF; two title lines above the
# header; no system column: the contract title and the description say what it is; SystmOne units as separate
# contracts; values "£12k + VAT", "12,500.00", "NHSE funded"; "Extension Options" beside the end date; a
# duplicated line, blank lines, a totals line.

LCHS_ROWS = (  # contract ref, supplier, contract title, description, category, start, end, extension options,
    #            annual value, budget holder, route to market
    ("LCHS-IT-001", "TPP", "SystmOne Community", "SystmOne unit: district nursing, community matrons, therapies",
     "Clinical system", "01/04/2019", "31/03/2027", "+1+1", "£402,000", "Chief Nursing Officer",
     "via NHS SBS framework"),
    ("LCHS-IT-002", "TPP", "SystmOne Urgent Care", "SystmOne unit: urgent treatment centres (Louth, Skegness, "
     "Gainsborough, Spalding)", "Clinical system", "01/04/2019", "31/03/2027", "+1+1", "incl. in IT-001",
     "Director of Operations", "via NHS SBS framework"),
    ("LCHS-IT-003", "TPP", "SystmOne Child Health", "SystmOne unit: 0-19 children's services, immunisations",
     "Clinical system", "01/04/2019", "31/03/2027", "+1+1", "£38,000", "Director of Operations",
     "via NHS SBS framework"),
    ("LCHS-IT-004", "OneAdvanced", "Adastra", "Clinical assessment service and GP out of hours", "Clinical system",
     "01/10/2021", "30/09/2026", "None", "£86,500", "Director of Operations", "Direct award"),
    ("LCHS-IT-005", "RLDatix", "Allocate HealthRoster", "E-rostering for community teams", "Workforce",
     "01/04/2022", "31/03/2027", "+2", "£58k + VAT", "Director of People", "Crown Commercial Service RM6181"),
    ("LCHS-IT-006", "RLDatix", "Datix Cloud IQ", "Incidents and risk", "Governance", "01/05/2023", "30/04/2028",
     "None", "£24,600", "Chief Nursing Officer", "G-Cloud 13"),
    ("LCHS-IT-007", "NHS Business Services Authority", "ESR", "HR and payroll (national)", "Workforce",
     "-", "-", "-", "NHSE funded", "Director of People", "National"),
    ("LCHS-IT-008", "Microsoft", "Microsoft 365 E5", "Productivity suite (NHSmail tenant)", "Infrastructure",
     "01/07/2024", "30/06/2027", "None", "£156,000.00", "Director of Finance", "Crown Commercial Service"),
    ("LCHS-IT-009", "Accurx", "Accurx Plus", "Patient messaging and video", "Clinical system", "01/04/2025",
     "31/03/2027", "+1", "£12,500.00", "Director of Operations", "Direct award"),
    ("LCHS-IT-010", "Lexacom", "Lexacom Echo", "Dictation for community clinics", "Clinical system", "01/06/2024",
     "31/05/2027", "None", "c. 5,000", "Medical Director", "Direct award"),
    ("LCHS-IT-011", "Optum", "EMIS Web (prison healthcare)", "EMIS Web at HMP Lincoln (health in justice)",
     "Clinical system", "01/04/2023", "31/03/2026", "Expired \u2013 rolling", "£7,800", "Director of Operations",
     "NHSE funded licences"),
    ("LCHS-IT-012", "Ivanti", "Ivanti Neurons ITSM", "IT service desk", "Infrastructure", "01/09/2022",
     "31/08/2027", "None", "£19,900", "Head of Digital", "G-Cloud 12"),
    ("LCHS-IT-013", "Sophos", "Sophos Central Intercept X", "Endpoint protection", "Infrastructure",
     "01/02/2024", "31/01/2027", "+1", "£8,600", "Head of Digital", "Reseller (Softcat)"),
    ("LCHS-IT-014", "Veeam Software", "Veeam Backup for Microsoft 365", "Backup of email and OneDrive",
     "Infrastructure", "01/12/2024", "30/11/2027", "None", "£4,300", "Head of Digital", "Reseller (Softcat)"),
    ("LCHS-IT-015", "Microsoft", "Azure", "Cloud hosting (after data centre exit)", "Infrastructure", "01/07/2024",
     "30/06/2027", "None", "£72,000", "Head of Digital", "Crown Commercial Service"),
    ("LCHS-IT-016", "Mitel", "MiVoice Business", "Telephony and single point of access", "Infrastructure",
     "01/01/2020", "31/12/2026", "+1", "£22,400", "Head of Digital", "Direct award"),
    ("LCHS-IT-017", "Mitel", "MiContact Center", "Single point of access contact centre", "Infrastructure",
     "01/01/2020", "31/12/2026", "+1", "£9,900", "Director of Operations", "Direct award"),
    ("LCHS-IT-018", "Microsoft", "Power BI Pro", "Reporting", "Business intelligence", "01/07/2024", "30/06/2027",
     "None", "£3,800", "Director of Finance", "Crown Commercial Service"),
    ("LCHS-IT-019", "NHS Shared Business Services", "Financial services (Oracle)", "Ledger and payables",
     "Finance", "01/04/2018", "via NHS SBS framework", "-", "£118,000", "Director of Finance", "NHS SBS"),
    ("LCHS-IT-020", "Civica", "Civica e-OPAS", "Occupational health", "Workforce", "01/04/2021", "Mar-27",
     "None", "£6,200", "Director of People", "Direct award"),
    ("LCHS-IT-021", "Kallidus", "Kallidus Learn", "Statutory training", "Workforce", "01/04/2023", "31/03/2028",
     "None", "£16,400", "Director of People", "G-Cloud 13"),
    ("LCHS-IT-022", "TPP", "Airmid", "Patient app for SystmOne", "Clinical system", "01/04/2025", "31/03/2027",
     "+1", "TBC", "Director of Operations", "via NHS SBS framework"),
    ("LCHS-IT-023", "Graphnet Health", "CareCentric (Lincolnshire Care Portal)", "Shared care record",
     "Clinical system", "-", "-", "-", "ICB funded", "Head of Digital", "ICB contract"),
    ("LCHS-IT-024", "Egress", "Egress Protect", "Secure email", "Infrastructure", "01/06/2024", "31/05/2027",
     "None", "£3,100", "Head of Digital", "Reseller (Softcat)"),
    ("LCHS-IT-025", "Docobo", "DOC@HOME", "Remote monitoring (virtual wards)", "Clinical system", "01/11/2023",
     "31/10/2026", "+1", "£44,000", "Chief Nursing Officer", "NHSE virtual wards funding"),
    ("LCHS-IT-026", "Tunstall", "Tunstall Telehealth", "Remote monitoring (heart failure)", "Clinical system",
     "01/04/2020", "31/03/2027", "None", "£15,500", "Chief Nursing Officer", "Direct award"),
    ("LCHS-IT-027", "Cisco", "Meraki", "Network and Wi-Fi across clinics", "Infrastructure", "01/04/2022",
     "31/03/2027", "+2", "£31,000", "Head of Digital", "Reseller (Softcat)"),
    ("LCHS-IT-028", "Mimecast", "Mimecast", "Email archiving (legacy)", "Infrastructure", "01/08/2021",
     "31/07/2026", "None", "£2,700", "Head of Digital", "Reseller (Softcat)"),
    ("LCHS-IT-029", "Trac Systems", "TRAC", "Recruitment", "Workforce", "01/04/2024", "31/03/2027", "+1",
     "£7,900", "Director of People", "Direct award"),
    ("LCHS-IT-030", "Civica", "Civica Costmaster", "Patient-level costing", "Finance", "01/04/2022", "31/03/2027",
     "None", "£11,000", "Director of Finance", "HealthTrust Europe"),
)


def lchs(out: Path) -> None:
    def quote(value: str) -> str:
        return f'"{value}"' if ("," in value or '"' in value) else value

    header = ["Contract Ref", "Supplier", "Contract Title", "Description", "Category", "Start Date", "End Date",
              "Extension Options", "Annual Value (\u00a3)", "Budget Holder", "Route to Market"]
    lines = [f"{LCHS}" + "," * (len(header) - 1),
             "IT & Digital contracts register \u2013 as at 30/11/2026 (Finance & Procurement)"
             + "," * (len(header) - 1),
             "," * (len(header) - 1),
             ",".join(header)]
    for i, row in enumerate(LCHS_ROWS):
        lines.append(",".join(quote(v) for v in row))
        if i == 7:  # the Microsoft line pasted twice
            lines.append(",".join(quote(v) for v in row))
        if i in (11, 21):
            lines.append("," * (len(header) - 1))
    total = sum(figure(r[8]) for r in LCHS_ROWS) + figure(LCHS_ROWS[7][8])
    lines.append("," * (len(header) - 1))
    lines.append(",,TOTAL,,,,,," + quote(f"\u00a3{total:,.2f}") + ",,")
    (out / "LCHS_IT_contracts_register_Nov26.csv").write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))


# --- East Midlands Ambulance Service NHS Trust: the IM&T applications register --------------------------------
# A "Change log" sheet first, the register on "Applications"; the header over two rows: single headings merged down,
# and the groups "Supplier" (Company, Product) and "Costs (£ p.a.)" (Licence, Support, Hosting) merged across; Excel
# dates and bare Excel serials; users "approx 300", "all staff"; Cat 1-3 criticality; comments.

EMAS_ROWS = (  # app no, application, function, company, product, licence, support, hosting, users, contract end,
    #            criticality, hosting, notes
    (1, "Computer aided dispatch", "999 call handling and dispatch (EOC)", "Cleric Computer Services", "Cleric CAD",
     412000, 96000, None, 650, D(2029, 3, 31), "Cat 1", "On premise", "Nottingham and Lincoln EOCs"),
    (2, "Triage", "999 call triage", "Priority Dispatch", "ProQA (MPDS)", 118000, None, None, 420, 46843, "Cat 1",
     "On premise", None),
    (3, "NHS Pathways", "111 and clinical assessment triage", "NHS England", "NHS Pathways", "NHSE funded", None,
     None, 120, None, "Cat 1", "N3/HSCN", "National"),
    (4, "ePCR", "Electronic patient care record", "Medusa Medical Technologies", "Siren ePCR", 265000, 48000,
     31000, "all frontline staff", D(2028, 6, 30), "Cat 1", "Cloud", None),
    (5, "Clinical assessment", "Clinical hub hear and treat", "OneAdvanced", "Adastra", 74000, None, None, 160,
     D(2027, 3, 31), "Cat 1", "Supplier hosted", "Shared with LCHS CAS?"),
    (6, "Mobile data terminals", "Vehicle MDTs", "Terrafix", "Terrafix MDT", 188000, 42000, None, 560,
     D(2027, 9, 30), "Cat 1", "On premise", None),
    (7, "Vehicle telematics", "Vehicle tracking", "Trakm8", "Trakm8 telematics", "£36k + VAT", None, None, 560,
     "Mar-28", "Cat 2", "Cloud", None),
    (8, "Fleet workshop", "Vehicle servicing and parts", "Civica", "Tranman", 21500, None, None, 45,
     D(2027, 3, 31), "Cat 2", "On premise", None),
    (9, "Rostering", "Shift rostering for operational staff", "Kirona", "GRS (Global Rostering System)", 96500,
     None, None, "approx 4,000", D(2027, 3, 31), "Cat 1", "Supplier hosted", None),
    (10, "Staff bank", "Bank shifts", "Patchwork Health", "Patchwork", 18000, None, None, 350, "rolling",
     "Cat 3", "Cloud", None),
    (11, "ESR", "HR and payroll", "IBM", "ESR", "-", None, None, "all staff", None, "Cat 1", "N3/HSCN",
     "National service"),
    (12, "Email", "Email", "NHS England", "NHSmail", "-", None, None, "all staff", None, "Cat 1", "Cloud", None),
    (13, "Office and collaboration", "Office, Teams", "Microsoft", "Microsoft 365 E3", "£305,000", None, None,
     "all staff", D(2027, 6, 30), "Cat 1", "Cloud", None),
    (14, "Incident reporting", "Incidents, complaints, risk", "RLDatix", "Datix Cloud IQ", 41000, None, None,
     "all staff", D(2027, 8, 31), "Cat 2", "Cloud", None),
    (15, "Clinical audit", "ePCR audit and quality dashboards", "Microsoft", "Power BI", 12000, None, None, 220,
     D(2027, 6, 30), "Cat 3", "Cloud", None),
    (16, "Data warehouse", "Ambulance data set (AmbSYS) reporting", "Microsoft", "SQL Server", "incl. in EA", None,
     None, 15, D(2027, 6, 30), "Cat 2", "On premise", None),
    (17, "Finance", "General ledger", "Unit4", "Business World", 88000, 17500, None, 120, 46477, "Cat 2",
     "Supplier hosted", None),
    (18, "Procurement", "E-tendering", "Atamis", "Atamis", 14500, None, None, 12, D(2027, 3, 31), "Cat 3",
     "Cloud", None),
    (19, "IT service desk", "IT and estates requests", "TOPdesk", "TOPdesk", 23800, None, None, 40,
     D(2027, 3, 31), "Cat 2", "Cloud", None),
    (20, "Telephony", "EOC and admin telephony", "Avaya", "Avaya Aura", 126000, 38000, None, "all staff",
     D(2026, 12, 31), "Cat 1", "On premise", "Replacement procurement under way"),
    (21, "Call recording", "Voice recording for 999 calls", "NICE", "NICE Inform", 33000, None, None, 650,
     D(2026, 12, 31), "Cat 1", "On premise", None),
    (22, "Radio", "Airwave radio (national)", "Motorola Solutions", "Airwave", "NHSE funded", None, None, 3000,
     None, "Cat 1", "N3/HSCN", "ESMCP"),
    (23, "Backup", "Server backup", "Veeam Software", "Veeam Backup & Replication", 19500, None, None, 5,
     D(2027, 10, 31), "Cat 2", "On premise", None),
    (24, "Virtualisation", "Server virtualisation", "VMware", "vSphere", 57000, None, None, 5, D(2026, 10, 31),
     "Cat 1", "On premise", None),
    (25, "Endpoint security", "Anti-malware and EDR", "Microsoft", "Defender for Endpoint", "incl. in M365", None,
     None, "all staff", D(2027, 6, 30), "Cat 2", "Cloud", None),
    (26, "Learning", "Statutory and mandatory training", "Kallidus", "Kallidus Learn", 22000, None, None,
     "all staff", D(2027, 3, 31), "Cat 3", "Cloud", None),
    (27, "Recruitment", "Vacancies and onboarding", "Trac Systems", "TRAC", 12800, None, None, 70,
     D(2027, 3, 31), "Cat 3", "Cloud", None),
    (28, "Medicines management", "Controlled drugs tracking on vehicles", "Omnicell", "Omnicell CD Manager",
     "c. 9,000", None, None, 300, "TBC", "Cat 2", "Cloud", None),
    (29, "Document management", "Policies and corporate records", "Microsoft", "SharePoint Online",
     "incl. in M365", None, None, "all staff", D(2027, 6, 30), "Cat 3", "Cloud", None),
    (30, "Occupational health", "OH case management", "Cority", "Cority OH", 8200, None, None, 10,
     D(2027, 3, 31), "Cat 3", "Cloud", None),
)


def emas(out: Path) -> None:
    wb = _workbook()
    log = wb.create_sheet("Change log")
    log.append(["Version", "Date", "Author", "Change"])
    log.append(["0.9", D(2026, 6, 1), "IM&T Architecture", "First draft for the ICS estate review"])
    log.append(["1.0", D(2026, 10, 12), "IM&T Architecture", "Costs confirmed with Finance"])
    ws = wb.create_sheet("Applications")
    ws.append([EMAS])
    ws["A1"].font = BOLD
    ws.append(["IM&T Applications Register (for the Lincolnshire ICS estate review)"])
    ws.append([])
    top = ["App No", "Application", "Function", "Supplier", None, "Costs (\u00a3 p.a.)", None, None, "Users",
           "Contract End", "Criticality", "Hosting", "Notes"]
    sub = [None, None, None, "Company", "Product", "Licence", "Support", "Hosting", None, None, None, None, None]
    ws.append(top)
    ws.append(sub)
    for col in ("A", "B", "C", "I", "J", "K", "L", "M"):
        ws.merge_cells(f"{col}4:{col}5")
    ws.merge_cells("D4:E4")
    ws.merge_cells("F4:H4")
    _bold(ws, 4)
    _bold(ws, 5)
    for row in EMAS_ROWS:
        ws.append(list(row))
    ws["E7"].comment = Comment("MPDS v13.3; licence per call-taker position", "IM&T")
    ws["J9"].comment = Comment("Azure hosting recharged by Medusa", "Finance")
    wb.save(out / "EMAS Applications Register.xlsx")


# --- NHS Lincolnshire Integrated Care Board: the IG team's asset register --------------------------------------
# A cover sheet, a version-control sheet, the register on the third sheet, a "Data Flows" sheet after it (the DSPT
# flow map, not systems) and a hidden lookups sheet; IG columns that are not estate's (lawful basis, Article 9
# condition, retention, risk rating); "Supplier / Product" in one column; primary care's systems held for the
# practices ("TPP SystmOne (79 practices)", "NHSE funded"); paper and shared-drive assets, which are no systems.

ICB_ROWS = (  # asset ref, asset name, asset type, supplier / product, description, IAO, IAA, directorate,
    #           location / hosting, personal data?, special category?, lawful basis, condition, retention,
    #           DPIA ref, risk rating, contract end, annual cost, users
    ("LICB-IA-01", "GP clinical system (79 practices)", "Software", "TPP / SystmOne",
     "GP practices' clinical records (GP IT Futures)", "Director of Primary Care", "Primary Care IT Lead",
     "Primary Care", "Supplier hosted", "Yes", "Yes", "6(1)(e)", "9(2)(h)", "Life of patient + 10 years", "DPIA-031",
     "Medium", "31/03/2027 (ext +1+1)", "NHSE funded", 2100),
    ("LICB-IA-02", "GP clinical system (2 practices)", "Software", "Optum / EMIS Web",
     "GP practices' clinical records", "Director of Primary Care", "Primary Care IT Lead", "Primary Care",
     "Supplier hosted", "Yes", "Yes", "6(1)(e)", "9(2)(h)", "Life of patient + 10 years", "DPIA-031", "Medium",
     "31/03/2027 (ext +1+1)", "NHSE funded", 60),
    ("LICB-IA-03", "Docman 10", "Software", "Docman / Docman 10", "GP document workflow", "Director of Primary Care",
     "Primary Care IT Lead", "Primary Care", "Cloud", "Yes", "Yes", "6(1)(e)", "9(2)(h)", "As GP record",
     "DPIA-034", "Low", "Mar-27", "£96,000", 1400),
    ("LICB-IA-04", "Online consultation", "Software", "eConsult Health / eConsult", "Practices' online consultations",
     "Director of Primary Care", "Primary Care IT Lead", "Primary Care", "Cloud", "Yes", "Yes", "6(1)(e)",
     "9(2)(h)", "As GP record", "DPIA-036", "Low", "31/03/2027", "£142k + VAT", "patients"),
    ("LICB-IA-05", "Accurx", "Software", "Accurx / Accurx Plus", "Patient messaging for practices",
     "Director of Primary Care", "Primary Care IT Lead", "Primary Care", "Cloud", "Yes", "Yes", "6(1)(e)",
     "9(2)(h)", "As GP record", "DPIA-037", "Low", "31/03/2027", "NHSE funded", 1800),
    ("LICB-IA-06", "Eclipse Live", "Software", "Prescribing Services Ltd / Eclipse Live",
     "Medicines optimisation and patient safety alerts", "Chief Pharmacist", "Medicines Optimisation Lead",
     "Medicines Optimisation", "Supplier hosted", "Yes", "Yes", "6(1)(e)", "9(2)(h)", "8 years", "DPIA-022",
     "Medium", "30/09/2027", "£38,000", 120),
    ("LICB-IA-07", "OptimiseRx", "Software", "Optum / OptimiseRx", "Prescribing decision support in GP systems",
     "Chief Pharmacist", "Medicines Optimisation Lead", "Medicines Optimisation", "Cloud", "No", "No", "n/a",
     "n/a", "n/a", "DPIA-023", "Low", "31/03/2027", "£61,500", "all practices"),
    ("LICB-IA-08", "Lincolnshire Care Portal", "Software", "Graphnet Health / CareCentric",
     "Shared care record for the ICS", "Chief Digital Officer", "Interoperability Lead", "Digital", "Supplier hosted",
     "Yes", "Yes", "6(1)(e)", "9(2)(h)", "As source systems", "DPIA-001", "High", 47208, "£512,000", 6500),
    ("LICB-IA-09", "Population health management", "Software", "Optum / Population Health",
     "Risk stratification (PHM)", "Director of Strategy", "PHM Analyst", "Strategy", "Cloud", "Yes", "Yes",
     "6(1)(e)", "9(2)(h)", "3 years", "DPIA-008", "High", "31/03/2028", "£230,000", 90),
    ("LICB-IA-10", "Continuing healthcare", "Software", "Broadcare / Broadcare", "CHC assessments and packages",
     "Chief Nurse", "CHC Manager", "Nursing", "Supplier hosted", "Yes", "Yes", "6(1)(e)", "9(2)(h)", "8 years",
     "DPIA-012", "Medium", "31/03/2027", "£44,600", 85),
    ("LICB-IA-11", "Complaints and PALS", "Software", "Ulysses / Safeguard", "Complaints, PALS and MP letters",
     "Chief Nurse", "Patient Experience Manager", "Nursing", "Cloud", "Yes", "Yes", "6(1)(e)", "9(2)(h)",
     "10 years", "DPIA-014", "Medium", "31/01/2028", "£18,200", 25),
    ("LICB-IA-12", "Incident reporting", "Software", "RLDatix / Datix Cloud IQ", "Incidents and serious incidents",
     "Chief Nurse", "Patient Safety Specialist", "Nursing", "Cloud", "Yes", "Yes", "6(1)(e)", "9(2)(h)", "10 years",
     "DPIA-015", "Medium", "31/03/2027", "£16,900", 60),
    ("LICB-IA-13", "Finance", "Software", "NHS SBS / Oracle (ISFE2)", "Ledger, payables (Integrated Single "
     "Financial Environment)", "Chief Finance Officer", "Financial Systems Manager", "Finance", "Supplier hosted",
     "No", "No", "n/a", "n/a", "6 years", "n/a", "Low", "via NHS SBS framework", "NHSE funded", 140),
    ("LICB-IA-14", "ESR", "Software", "IBM / ESR", "HR and payroll", "Director of People", "ESR Lead", "People",
     "N3/HSCN", "Yes", "Yes", "6(1)(b)", "9(2)(b)", "Until age 75", "National", "Low", "-", "-", "all staff"),
    ("LICB-IA-15", "NHSmail", "Software", "NHS England / NHSmail", "Email", "Chief Digital Officer",
     "Local Administrator", "Digital", "Cloud", "Yes", "No", "6(1)(e)", "n/a", "As policy", "National", "Low", "-",
     "-", "all staff"),
    ("LICB-IA-16", "Microsoft 365", "Software", "Microsoft / Microsoft 365 E3", "Office, Teams, SharePoint",
     "Chief Digital Officer", "Digital Services Manager", "Digital", "Cloud", "Yes", "No", "6(1)(e)", "n/a",
     "As policy", "DPIA-002", "Low", "30/06/2027", "£118,000", "all staff"),
    ("LICB-IA-17", "Business intelligence", "Software", "Microsoft / Power BI", "Dashboards for commissioners",
     "Director of Strategy", "Head of BI", "Strategy", "Cloud", "No", "No", "n/a", "n/a", "n/a", "n/a", "Low",
     "30/06/2027", "£14,400", 160),
    ("LICB-IA-18", "Data warehouse (DSCRO feeds)", "Software", "Microsoft / SQL Server",
     "Pseudonymised SUS, ECDS, CSDS data", "Director of Strategy", "Head of BI", "Strategy", "On-premise", "Yes",
     "Yes", "6(1)(e)", "9(2)(h)", "5 years", "DPIA-009", "High", "30/06/2027", "incl. in EA", 20),
    ("LICB-IA-19", "Contract management", "Software", "Atamis / Atamis", "Procurement and contracts",
     "Chief Finance Officer", "Head of Procurement", "Finance", "Cloud", "No", "No", "n/a", "n/a", "6 years", "n/a",
     "Low", "31/03/2027", "£9,800", 15),
    ("LICB-IA-20", "FOI and SARs", "Software", "Civica / iCasework", "Requests under FOIA and UK GDPR",
     "Director of Corporate Affairs", "FOI Officer", "Corporate", "Cloud", "Yes", "No", "6(1)(c)", "n/a", "3 years",
     "DPIA-016", "Low", "31/03/2027", "£5,900", 6),
    ("LICB-IA-21", "Board papers", "Software", "Convene / Convene", "Board and committee papers",
     "Director of Corporate Affairs", "Board Secretary", "Corporate", "Cloud", "No", "No", "n/a", "n/a",
     "Permanent", "n/a", "Low", "30/09/2027", "£4,800", 30),
    ("LICB-IA-22", "E-learning", "Software", "Health Education England / e-LfH", "Statutory and mandatory training",
     "Director of People", "L&D Lead", "People", "Cloud", "Yes", "No", "6(1)(b)", "n/a", "Employment + 6 years",
     "National", "Low", "-", "-", "all staff"),
    ("LICB-IA-23", "Service desk", "Software", "Ivanti / Ivanti Service Manager",
     "IT service desk (hosted by the CSU)", "Chief Digital Officer", "Digital Services Manager", "Digital",
     "Supplier hosted", "No", "No", "n/a", "n/a", "n/a", "n/a", "Low", "31/03/2027", "incl. in CSU SLA", 300),
    ("LICB-IA-24", "Personnel files", "Paper", "-", "Paper HR files (pre-2019), Lincoln office",
     "Director of People", "HR Advisor", "People", "On-premise", "Yes", "Yes", "6(1)(b)", "9(2)(b)",
     "Until age 75", "n/a", "Medium", "-", "-", 4),
    ("LICB-IA-25", "Commissioning shared drive", "Shared drive", "-", "Network folders (S:\\Commissioning)",
     "Director of Strategy", "Digital Services Manager", "Strategy", "On-premise", "Yes", "No", "6(1)(e)", "n/a",
     "As policy", "n/a", "Medium", "-", "-", 200),
)

ICB_FLOWS = (
    ("DF-01", "LICB-IA-08", ULHT, ICB, "Inpatient and ED encounters", "HL7 over HSCN", "6(1)(e) / 9(2)(h)"),
    ("DF-02", "LICB-IA-08", LCHS, ICB, "Community contacts", "HL7 over HSCN", "6(1)(e) / 9(2)(h)"),
    ("DF-03", "LICB-IA-18", "NHS England (DSCRO)", ICB, "Pseudonymised SUS", "SFTP", "6(1)(e) / 9(2)(h)"),
    ("DF-04", "LICB-IA-09", ICB, "Optum", "Linked pseudonymised data", "SFTP", "6(1)(e) / 9(2)(h)"),
)


def icb(out: Path) -> None:
    wb = _workbook()
    cover = wb.create_sheet("Cover")
    cover.append([ICB])
    cover.append(["Information Asset Register and Data Flow Map"])
    cover.append(["Classification: OFFICIAL"])
    cover.append(["Owner: Senior Information Risk Owner (Chief Finance Officer)"])
    version = wb.create_sheet("Version Control")
    version.append(["Version", "Date", "Reviewer", "Summary"])
    version.append(["3.2", D(2026, 3, 20), "IG Manager", "Annual review for DSPT"])
    version.append(["3.3", D(2026, 11, 2), "IG Manager", "Primary care assets added"])
    ws = wb.create_sheet("Asset Register")
    ws.append(["Asset Register"])
    ws["A1"].font = BOLD
    ws.append(["One row per information asset (software, paper, shared drives). Costs are revenue, ex VAT."])
    ws.append([])
    ws.append(["Asset Ref", "Asset Name", "Asset Type", "Supplier / Product", "Description", "IAO", "IAA",
               "Directorate", "Location / Hosting", "Personal data?", "Special category?", "Lawful basis (Art 6)",
               "Condition (Art 9)", "Retention", "DPIA ref", "Risk rating", "Contract end", "Annual cost",
               "Users"])
    _bold(ws, 4)
    for row in ICB_ROWS:
        ws.append(list(row))
    ws["D8"].comment = Comment("Funded by NHS England's GP IT programme; ICB holds the call-off", "Primary Care")
    flows = wb.create_sheet("Data Flows")
    flows.append(["Flow ID", "Asset Ref", "Sending organisation", "Receiving organisation", "Data",
                  "Transfer method", "Lawful basis"])
    _bold(flows, 1)
    for row in ICB_FLOWS:
        flows.append(list(row))
    lookups = wb.create_sheet("Lookups")
    for value in ("Software", "Paper", "Shared drive", "Hardware"):
        lookups.append([value])
    lookups.sheet_state = "hidden"
    wb.save(out / "NHS Lincolnshire ICB - Information Asset Register.xlsx")


def organisations(out: Path) -> None:
    """The consultant's list of the five bodies (the one file not sent by an IT or IG team)."""
    rows = ["Organisation,Sector,Short name",
            f"{ULHT},NHS acute trust,ULHT",
            f"{LPFT},NHS mental health trust,LPFT",
            f"{LCHS},NHS community trust,LCHS",
            f"{EMAS},NHS ambulance trust,EMAS",
            f"{ICB},NHS integrated care board,Lincolnshire ICB"]
    (out / "organisations.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    organisations(out)
    ulht(out)
    lpft(out)
    lchs(out)
    emas(out)
    icb(out)


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests" / "data" / "lincolnshire")
