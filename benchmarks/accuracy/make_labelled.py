"""Generate labelled, messy inventory rows for measuring estate's matching.

Each row is one product cell as a person might type it, with the vendor and
capability cells beside it, and the truth: which product group it is (one
group per part for a cell that lists several products) and which capability
code. The messiness imitates real inventories: names and aliases from the
catalogue, versions (``v7``, ``7.2``, ``2019``, ``Release 5``, ``Milestone
4``), editions, vendor prefixes and suffixes, former names (Agresso,
Northgate, Cerner, Firmstep), resellers in the vendor column, typing errors,
changes of case and punctuation, cells that list two products, commas that
are not lists, free-text capabilities, in-house systems, placeholders, blank
product cells with the product in the system name, and products that are NOT
in the catalogue (whose truth is their own group: matching must not merge
them with catalogue products).

Truth conventions
-----------------
``true_product_group``
    the catalogue ``product_id``; ``unknown:<name>`` for a product the
    catalogue lacks; ``single:<row_id>`` for a system with no product or an
    in-house one (never in a group with another row). Several parts are
    separated by ``;``.
``true_capability_code``
    the capability code, one a part, separated by ``;``.

Run ``python benchmarks/accuracy/make_labelled.py`` to rewrite
``benchmarks/accuracy/labelled.csv`` (3,000 rows, seed 20240601). The
functions are also used by ``benchmarks/bench_matching.py`` to build the
100,000 and 1,000,000 system inventories it times.
"""

from __future__ import annotations

import random
import re
import string
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from estate.reference import alias_lookup, load_capabilities, load_catalogue, load_vendors
from estate.schema import normalise_header

HERE = Path(__file__).resolve().parent
LABELLED = HERE / "labelled.csv"
SEED = 20240601
ROWS = 3000

COLUMNS = ["row_id", "organisation", "system", "raw_product", "raw_vendor", "raw_capability",
           "true_product_group", "true_capability_code", "kind"]

# Products the catalogue does not list: (name, vendor, capability code). Invented or real but absent.
UNKNOWN_PRODUCTS = [
    ("Tellurium Casework", "Tellurium Systems", "XC-WORKFLOW"),
    ("Brightwater Grants", "Brightwater Digital", "ESD-5"),
    ("Pinnacle Fleetwise", "Pinnacle Solutions", "CORP-FLEET"),
    ("Harbourmaster Pro", "Quayside Software", "ESD-169"),
    ("CemeteryPlus", "Memoria Systems", "ESD-35"),
    ("Synergi Life", "DNV", "CORP-RISK"),
    ("LicenceLogic", "Civic Apps", "ESD-83"),
    ("GreenSpace Manager", "Arbor Tech", "ESD-36"),
    ("StreetPulse", "Urban Data Co", "ESD-40"),
    ("CarePath Connect", "Meridian Health IT", "NHS-FLOW"),
    ("WardWatch", "Clinitrack", "NHS-OBS"),
    ("PathFinder LIMS", "Labwise", "NHS-LIMS"),
    ("RotaMaster", "Shiftly", "CORP-TIME"),
    ("Custodian", "Blue Lamp Systems", "POL-CUSTODY"),
    ("FireWatch Mobilise", "Beacon Fire Systems", "FIRE-MOB"),
    ("HydrantHub", "Beacon Fire Systems", "FIRE-ASSET"),
    ("TenantTrack", "Homestead Software", "HSG-HM"),
    ("RepairRight", "Homestead Software", "HSG-REPAIRS"),
    ("RentRoll", "Ledgerline", "HSG-RENTS"),
    ("Meridian Finance", "Meridian Business Systems", "CORP-FIN"),
    ("PeoplePoint HR", "PeoplePoint", "CORP-HR"),
    ("TalentDoor", "PeoplePoint", "CORP-RECRUIT"),
    ("Quorum Committee", "Quorum Digital", "ESD-147"),
    ("VoteCount", "Ballot Systems", "ESD-50"),
    ("SchoolBridge", "EduLink Partners", "ESD-137"),
    ("EarlyStart", "EduLink Partners", "ESD-25"),
    ("SendPlanner", "Inclusion Tech", "ESD-29"),
    ("FosterLink", "Family Tech", "ESD-153"),
    ("YouthLine", "Family Tech", "ESD-155"),
    ("ParkSmart Enforcement", "Civic Parking Ltd", "ESD-110"),
    ("PermitPal", "Civic Parking Ltd", "ESD-110"),
    ("BinDay", "Refuse Logic", "ESD-142"),
    ("TradeWaste Online", "Refuse Logic", "ESD-140"),
    ("Gazetteer Pro", "Address Base Systems", "LG-LLPG"),
    ("LandSearch", "Conveyancing Data", "LG-LLC"),
    ("PlanIt Policy", "Strata Planning", "ESD-103"),
    ("BuildSafe", "Strata Planning", "ESD-100"),
    ("EnviroInspect", "Regulator Apps", "ESD-34"),
    ("AirSense", "Regulator Apps", "ESD-37"),
    ("Libris", "Bookwise", "ESD-76"),
    ("ArchiveVault", "Bookwise", "ESD-77"),
    ("Curator360", "Museum Systems", "ESD-78"),
    ("BoxOffice Live", "Stagehand", "ESD-73"),
    ("GymFlow", "Active Leisure IT", "ESD-75"),
    ("Consultr", "Civic Voice", "ESD-48"),
    ("FOI Desk", "Transparency Tools", "ESD-49"),
    ("RegisterEase", "Ceremony Systems", "ESD-54"),
    ("DocuStore", "Filing Co", "CORP-DOCS"),
    ("ContactWise", "Callpoint", "XC-CONTACT"),
    ("NotifyMe", "Alertworks", "XC-MESSAGING"),
    ("SignRight", "Inkless", "XC-ESIG"),
    ("PrintPost Hub", "Mailflow", "XC-HYBRIDMAIL"),
    ("FieldForce Go", "Mobiwork", "XC-MOBILE"),
    ("InsightBoard", "Datalens", "XC-BI"),
    ("DataHarbour", "Datalens", "XC-DWH"),
    ("LinkBridge ESB", "Integrata", "XC-INTEGRATION"),
    ("GuardDog AV", "Secure Kennel", "CORP-ENDPOINT"),
    ("LogSentry", "Secure Kennel", "CORP-SIEM"),
    ("NetWarden", "Secure Kennel", "CORP-NETSEC"),
    ("BackSafe", "Vaultline", "CORP-BACKUP"),
    ("AssetMinder", "Estatewise", "CORP-ASSET"),
    ("ProjectPulse", "Deliverly", "CORP-PPM"),
    ("LearnLoop", "Skillset Digital", "CORP-LMS"),
    ("ClaimIt Expenses", "Spendwise", "CORP-EXPENSES"),
    ("SafeShift", "Lone Guard", "XC-MOBILE"),
    ("EvidenceLocker", "Blue Lamp Systems", "POL-DEMS"),
    ("IntelWeb", "Blue Lamp Systems", "POL-INTEL"),
    ("DutyPlanner", "Blue Lamp Systems", "POL-DUTY"),
    ("MaternityNet", "Obstetrix", "NHS-MATERNITY"),
    ("TheatreFlow", "Surgisoft", "NHS-THEATRES"),
    ("PharmaStock", "Dispensary Data", "NHS-PHARMACY"),
    ("CodeRight", "Clinical Coding Co", "NHS-CODING"),
    ("ReferNet", "Pathways Health", "NHS-ERS"),
    ("MindCare EPR", "Pathways Health", "NHS-MHEPR"),
    ("CommunityCare Plus", "Pathways Health", "NHS-COMMEPR"),
    ("HouseFinder", "Homestead Software", "ESD-156"),
    ("ShelterPoint", "Homestead Software", "ESD-68"),
    ("Grants Hub", "Brightwater Digital", "ESD-5"),
    ("TaxiLicensing Manager", "Civic Apps", "ESD-167"),
    ("MarketTrader", "Civic Apps", "ESD-164"),
    # near misses: close to catalogue names, but other products
    ("Confirmit", "Forsta", "ESD-48"),
    ("Alto Parking", "Alto Mobility", "ESD-110"),
    ("Eclipse Payroll", "Eclipse Software", "CORP-HR"),
    ("Uniformity", "Uniformity Labs", "CORP-PROC"),
    ("Concerto Live", "Concerto Events", "ESD-74"),
    ("Horizons Grants", "Northern Horizons", "ESD-5"),
    ("Synergi Risk", "DNV", "CORP-RISK"),
    ("Trent Valley Lettings", "TVL Software", "ESD-156"),
    ("Prism Analytics", "Prism Data", "XC-BI"),
    ("Mosaic Arts Booking", "Mosaic Venues", "ESD-73"),
]

VERSIONS = [" v7", " V8.1", " 7.2", " 2019", " 2021", " Release 5", " Milestone 4", " (v10.2)", " 10.2.1",
            " SP2", " ver 3", " version 6", " v.2"]
EDITIONS = [" Enterprise", " Cloud", " SaaS", " Hosted", " Professional", " Online"]
FILLERS = [" system", " System", " software", " module", " Suite"]
QUALIFIERS = [", v5", ", Revenues", ", hosted", ", live", ", phase 2", " - main instance"]
PLACEHOLDERS = ["N/A", "n/a", "", "TBC", "Various", "-", "unknown", "None", "tbc"]
IN_HOUSE = ["In-house", "Bespoke", "Internally developed", "Own build", "Bespoke Access database",
            "In house (.NET)", "bespoke system", "Home grown"]
JOINERS = ["; ", " / ", " and ", ", ", "\n", " & ", ";"]
RESELLERS = ["Softcat", "Phoenix Software", "Computacenter", "Bytes Software Services", "CDW"]
KEYBOARD = {c: n for c, n in zip(string.ascii_lowercase, [
    "qwsz", "vghn", "xdfv", "serfcx", "wsdr", "drtgvc", "ftyhbv", "gyujnb", "ujko", "huikmn", "jiolm",
    "kop", "njk", "bhjm", "iklp", "ol", "wa", "edft", "awedxz", "rfgy", "yhji", "cfgb", "qase", "zsdc",
    "tghu", "asx"])}
# Capability texts people write beside the taxonomy's own names and synonyms.
EXTRA_CAPABILITY_TEXT = {
    "CORP-FIN": ["Finance", "Finance System", "Financials", "Corporate Finance", "Finance & Accounting"],
    "CORP-HR": ["HR", "HR/Payroll", "Payroll & HR", "Human Resources", "HR & Payroll"],
    "CORP-FM": ["Facilities"],
    "LG-REVBEN": ["Revs & Bens", "Revenues & Benefits", "Council Tax / NNDR"],
    "ESD-170": ["Planning", "Planning & Development", "Town planning system"],
    "CORP-DOCS": ["EDRMS", "Document Mgmt", "Document management"],
    "XC-TELEPHONY": ["Telephony / UC", "Phones"],
    "NHS-EPR": ["EPR", "PAS/EPR", "Electronic Patient Record"],
    "NHS-GP": ["GP clinical system", "GP System"],
}
# Free text people write that is neither a name nor a synonym in the taxonomy: tests generalisation.
FREE_TEXT = {
    "LG-REVBEN": ["Council Tax & Business Rates", "Revenues/Benefits admin", "Benefits and council tax"],
    "CORP-FIN": ["General ledger & payables", "Finance / ERP", "Accounts and budgets"],
    "CORP-HR": ["People & payroll", "Payroll/HR", "Staff records and pay"],
    "ESD-170": ["Planning & Building Control", "Planning apps", "Development management system"],
    "CORP-DOCS": ["Records & document mgmt", "EDRM", "Document scanning and storage"],
    "XC-EMAIL": ["Email & calendar", "Corporate email"],
    "XC-TELEPHONY": ["Phones & voicemail", "Telephony (VOIP)"],
    "ESD-76": ["Library mgmt", "Libraries"],
    "NHS-EPR": ["Patient admin / EPR", "Hospital EPR"],
    "ESD-142": ["Bins & recycling", "Bin collections"],
    "CORP-ITSM": ["IT helpdesk / ITSM", "Service desk tool"],
    "XC-COLLAB": ["Office productivity tools", "Office apps"],
    "CORP-CRM": ["Customer services CRM", "Customer contact management"],
    "XC-PAY": ["Online payments / PSP", "Card payments & income"],
    "ESD-58": ["Social care case management", "Social services"],
    "XC-WEBCMS": ["Council website", "Web CMS"],
    "XC-BI": ["Reporting & dashboards", "BI / MI"],
    "CORP-FLEET": ["Vehicle fleet", "Fleet & workshop"],
    "ESD-110": ["Parking permits & PCNs", "Car parking"],
    "HSG-HM": ["Housing management / tenancies", "Tenancy mgmt"],
    "HSG-REPAIRS": ["Repairs & maintenance", "Housing repairs"],
    "CORP-TIME": ["Staff rostering", "Time & attendance"],
}

# A suite used for another of its capabilities: the capability cell says which.
ALTERNATIVE_USES = {
    "CORP-FIN": ["CORP-HR", "CORP-PROC"],
    "XC-COLLAB": ["XC-EMAIL", "XC-VIDEO"],
    "CORP-CRM": ["XC-WORKFLOW", "XC-CONTACT"],
    "ESD-170": ["ESD-100", "ESD-34"],
    "ESD-58": ["ESD-148", "ESD-152"],
    "NHS-EPR": ["NHS-EPMA", "NHS-ED"],
    "CORP-DOCS": ["XC-WORKFLOW"],
}
SECTOR_ROOTS = {"ESD", "LG", "XC", "CORP", "NHS", "POL", "FIRE", "HSG"}


@dataclass
class Reference:
    """The packaged reference data, arranged for the generator."""

    products: list[dict]
    capabilities: dict[str, dict]
    vendor_forms: dict[str, list[str]]
    vendor_former: dict[str, list[str]]
    vendor_renamed: dict[str, list[str]]
    aliases: dict[str, str]

    @classmethod
    def load(cls) -> Reference:
        catalogue = load_catalogue()
        vendors = load_vendors()
        caps = load_capabilities()
        acquired: dict[str, list[str]] = {}
        for row in vendors.itertuples():
            if row.acquired_by:
                acquired.setdefault(row.acquired_by, []).append(row.vendor)
        forms, former, renamed = {}, {}, {}
        for row in vendors.itertuples():
            forms[row.vendor] = [row.vendor, *row.aliases]
            former[row.vendor] = [*row.former_names, *acquired.get(row.vendor, [])]
            renamed[row.vendor] = list(row.former_names)
        products = [dict(product_id=r.product_id, product=r.product, vendor=r.vendor, aliases=list(r.aliases),
                         capability=r.capability) for r in catalogue.itertuples()]
        names = caps["name"].str.lower().value_counts()
        served = caps["description"].str.extract(r"Systems serving it across sectors:\s*([A-Z]+-[A-Z0-9]+)")[0]
        capabilities = {r.code: dict(name=r.name, parent=r.parent, synonyms=list(r.synonyms),
                                     served_by=served[i] if isinstance(served[i], str) else None,
                                     shared_name=names[r.name.lower()] > 1)
                        for i, r in enumerate(caps.itertuples())}
        return cls(products, capabilities, forms, former, renamed, alias_lookup())


def _typo(rng: random.Random, text: str) -> str:
    """One typing error inside a word of at least 7 letters (not its first letter)."""
    spots = [m for m in re.finditer(r"[A-Za-z]{7,}", text)]
    if not spots:
        return text
    word = rng.choice(spots)
    i = rng.randrange(word.start() + 1, word.end() - 1)
    kind = rng.choice(["swap", "drop", "double", "near"])
    if kind == "swap":
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    if kind == "drop":
        return text[:i] + text[i + 1:]
    if kind == "double":
        return text[:i] + text[i] + text[i:]
    near = KEYBOARD.get(text[i].lower(), "e")
    return text[:i] + rng.choice(near) + text[i + 1:]


def _case(rng: random.Random, text: str) -> str:
    roll = rng.random()
    if roll < 0.1:
        return text.upper()
    if roll < 0.25:
        return text.lower()
    if roll < 0.3:
        return text.title()
    return text


def _product_text(rng: random.Random, ref: Reference, product: dict, *, light: bool = False) -> str:
    """A messy spelling of a catalogue product that is not another product's alias."""
    for _ in range(20):
        names = [product["product"], *product["aliases"]]
        text = product["product"] if rng.random() < 0.45 else rng.choice(names)
        vendor = product["vendor"]
        if not light and rng.random() < 0.15:
            prefix = rng.choice(ref.vendor_forms[vendor][:3] + ref.vendor_renamed[vendor][:2])
            if not normalise_header(text).startswith(normalise_header(prefix)):
                text = f"{prefix} {text}"
        if rng.random() < 0.25:
            text += rng.choice(VERSIONS)
        if not light and rng.random() < 0.06:
            text += rng.choice(EDITIONS)
        if not light and rng.random() < 0.05:
            text += rng.choice(FILLERS)
        if not light and rng.random() < 0.04:
            text += f" ({rng.choice(ref.vendor_forms[vendor][:2])})"
        if rng.random() < 0.08:
            text = text.replace(" ", "-") if rng.random() < 0.5 else text.replace(" ", "")
        text = _case(rng, text)
        if rng.random() < (0.05 if light else 0.13):
            text = _typo(rng, text)
        owner = ref.aliases.get(normalise_header(text))
        if owner is None or owner == product["product_id"]:
            return text
    return product["product"]


def _vendor_text(rng: random.Random, ref: Reference, vendor: str) -> str:
    roll = rng.random()
    if roll < 0.3:
        return ""
    if roll < 0.34:
        return rng.choice(RESELLERS)
    if roll < 0.5 and ref.vendor_former[vendor]:
        text = rng.choice(ref.vendor_former[vendor])
    elif roll < 0.7:
        text = rng.choice(ref.vendor_forms[vendor])
    else:
        text = vendor
    if rng.random() < 0.1:
        text += " Ltd"
    return _case(rng, text)


def _capability_text(rng: random.Random, ref: Reference, code: str, *, clean: bool = False) -> str:
    cap = ref.capabilities[code]
    options = [cap["name"], *cap["synonyms"], *EXTRA_CAPABILITY_TEXT.get(code, [])]
    text = rng.choice(options)
    if clean:
        return text
    if code in FREE_TEXT and rng.random() < 0.35:
        return _case(rng, rng.choice(FREE_TEXT[code]))
    roll = rng.random()
    if roll < 0.08 and len(cap["synonyms"]) > 1:
        a, b = rng.sample(cap["synonyms"], 2)
        text = f"{a} / {b}"
    elif roll < 0.16:
        text += rng.choice([" system", " System", " software"])
    text = _case(rng, text)
    if rng.random() < 0.08:
        text = _typo(rng, text)
    return text


def _system_name(rng: random.Random, ref: Reference, code: str) -> str:
    cap = ref.capabilities[code]
    return rng.choice([cap["name"], *cap["synonyms"][:3]]).capitalize()


def _catalogue_row(rng: random.Random, ref: Reference, product: dict) -> tuple[str, str, str, str, str, str]:
    code = product["capability"]
    text = _product_text(rng, ref, product)
    vendor = _vendor_text(rng, ref, product["vendor"])
    roll = rng.random()
    if roll < 0.07 and code in ALTERNATIVE_USES:
        code = rng.choice(ALTERNATIVE_USES[code])
        capability = _capability_text(rng, ref, code, clean=True)
    elif roll < 0.12 and ref.capabilities[code]["parent"] not in SECTOR_ROOTS | {""}:
        capability = ref.capabilities[ref.capabilities[code]["parent"]]["name"]
    elif roll < 0.47:
        capability = ""
    else:
        capability = _capability_text(rng, ref, code)
    if rng.random() < 0.01:
        text += rng.choice(QUALIFIERS)
    return _system_name(rng, ref, code), text, vendor, capability, product["product_id"], code


def make_row(rng: random.Random, ref: Reference, row_id: str) -> dict:
    """One labelled row: a random kind of system, messily typed."""
    roll = rng.random()
    if roll < 0.74:
        kind = "catalogue"
        system, product, vendor, capability, group, code = _catalogue_row(rng, ref, rng.choice(ref.products))
    elif roll < 0.79:
        kind = "multi"
        first, second = rng.sample(ref.products, 2)
        while first["vendor"] == second["vendor"] or first["capability"] == second["capability"]:
            first, second = rng.sample(ref.products, 2)
        product = _product_text(rng, ref, first, light=True) + rng.choice(JOINERS) \
            + _product_text(rng, ref, second, light=True)
        vendor = "" if rng.random() < 0.6 else _vendor_text(rng, ref, first["vendor"])
        capability = "" if rng.random() < 0.5 else _capability_text(rng, ref, first["capability"], clean=True)
        system = _system_name(rng, ref, first["capability"])
        group = f"{first['product_id']};{second['product_id']}"
        code = f"{first['capability']};{second['capability']}"
    elif roll < 0.87:
        kind = "unknown"
        name, maker, code = rng.choice(UNKNOWN_PRODUCTS)
        product = name
        if rng.random() < 0.2:
            product = f"{maker} {product}"
        if rng.random() < 0.25:
            product += rng.choice(VERSIONS)
        if rng.random() < 0.05:
            product += rng.choice(FILLERS)
        product = _case(rng, product)
        if rng.random() < 0.04:
            product = _typo(rng, product)
        vendor = "" if rng.random() < 0.3 else _case(rng, maker + (" Ltd" if rng.random() < 0.2 else ""))
        capability = "" if rng.random() < 0.2 else _capability_text(rng, ref, code)
        system = _system_name(rng, ref, code)
        group = "unknown:" + normalise_header(name)
    elif roll < 0.90:
        kind = "in-house"
        code = rng.choice(list(ref.capabilities))
        while ref.capabilities[code]["parent"] in ("", None) or ref.capabilities[code]["shared_name"]:
            code = rng.choice(list(ref.capabilities))
        product = rng.choice(IN_HOUSE)
        vendor = rng.choice(["", "", "In-house", "Internal"])
        capability = _capability_text(rng, ref, code, clean=True)
        code = ref.capabilities[code]["served_by"] or code  # "Human resources" systems are CORP-HR systems
        system = _system_name(rng, ref, code)
        group = f"single:{row_id}"
    elif roll < 0.94:
        kind = "no product"
        code = rng.choice([c for c, cap in ref.capabilities.items() if cap["synonyms"] and not cap["shared_name"]])
        product = rng.choice(PLACEHOLDERS)
        vendor = ""
        cap = ref.capabilities[code]
        system = rng.choice(cap["synonyms"]).capitalize()
        capability = "" if rng.random() < 0.3 else _capability_text(rng, ref, code, clean=True)
        code = ref.capabilities[code]["served_by"] or code
        group = f"single:{row_id}"
    elif roll < 0.97:
        kind = "system name"
        chosen = rng.choice(ref.products)
        code = chosen["capability"]
        product = rng.choice(["", "", "N/A"])
        system = _product_text(rng, ref, chosen, light=True)
        vendor = "" if rng.random() < 0.5 else _vendor_text(rng, ref, chosen["vendor"])
        capability = "" if rng.random() < 0.6 else _capability_text(rng, ref, code, clean=True)
        group = chosen["product_id"]
    else:
        kind = "generic"
        code = rng.choice(["CORP-FIN", "CORP-HR", "CORP-CRM", "XC-EMAIL", "CORP-GIS", "XC-BI", "CORP-ITSM"])
        product = _capability_text(rng, ref, code, clean=True)
        vendor = ""
        capability = ""
        system = _system_name(rng, ref, code)
        group = f"single:{row_id}"
    return dict(row_id=row_id, organisation="", system=system, raw_product=product, raw_vendor=vendor,
                raw_capability=capability, true_product_group=group, true_capability_code=code, kind=kind)


def make_labelled(rows: int = ROWS, seed: int = SEED, organisations: int = 40) -> pd.DataFrame:
    """The labelled set: ``rows`` independent messy rows."""
    rng = random.Random(seed)
    ref = Reference.load()
    records = []
    for i in range(rows):
        record = make_row(rng, ref, f"r{i:05d}")
        record["organisation"] = f"Organisation {rng.randrange(organisations) + 1:03d}"
        records.append(record)
    return pd.DataFrame.from_records(records, columns=COLUMNS)


def make_inventory(systems: int, organisations: int = 300, seed: int = SEED) -> pd.DataFrame:
    """A large inventory for timing: each organisation spells each of its products one way.

    Every organisation draws its own vocabulary of messy rows (about 45% of the
    systems it holds, so that spellings repeat within an organisation as they
    do in real inventories) and its systems are drawn from that vocabulary.
    Returns the columns of an inventory's systems (``system_key``,
    ``organisation``, ``system``, ``vendor``, ``product``, ``capability``,
    ``users``, ``annual_cost``) plus the truth columns.
    """
    rng = random.Random(seed)
    ref = Reference.load()
    per_org = [systems // organisations + (1 if i < systems % organisations else 0) for i in range(organisations)]
    frames = []
    for org, count in enumerate(per_org):
        name = f"Organisation {org + 1:03d}"
        vocabulary = [make_row(rng, ref, f"{name}/v{j}") for j in range(max(1, int(count * 0.45)))]
        picks = [vocabulary[rng.randrange(len(vocabulary))] for _ in range(count)]
        frame = pd.DataFrame.from_records(picks, columns=COLUMNS)
        frame["organisation"] = name
        frame["system_key"] = [f"{name}/{j}" for j in range(count)]
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    numbers = random.Random(seed + 1)
    out = out.rename(columns={"raw_product": "product", "raw_vendor": "vendor", "raw_capability": "capability"})
    out["users"] = [float(numbers.randrange(5, 3000)) for _ in range(len(out))]
    out["annual_cost"] = [float(numbers.randrange(1_000, 500_000)) for _ in range(len(out))]
    for column in ("product", "vendor", "capability"):
        out[column] = out[column].where(out[column] != "", None)
    return out[["system_key", "organisation", "system", "vendor", "product", "capability", "users",
                "annual_cost", "true_product_group", "true_capability_code", "kind"]]


def main() -> None:
    frame = make_labelled()
    frame.to_csv(LABELLED, index=False, encoding="utf-8", lineterminator="\n")


if __name__ == "__main__":
    main()
