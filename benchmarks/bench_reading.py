"""Benchmark reading a large inventory: ``estate.reading.read_inventory`` against a naive pandas read.

Generates (deterministically, fixed seed) an inventory of ``--rows`` Systems rows
for ``--files`` organisations, written twice:

* ``xlsx/``: one workbook an organisation (xlsxwriter), no organisation column, the
  file named after the organisation (``eden_district_council.xlsx``). Each file
  varies as collected files do: sheet name, 0-3 title rows above the header
  (some with ``Organisation: <name>``), header wordings drawn from the schema
  synonyms in varied case and with units (``Annual Cost (£)``), columns present
  or not, a cost breakdown or a single annual cost, money partly as numbers and
  partly typed text (``£12,500``, ``12.5k``, ``c. £10k pa``), dates partly real
  Excel dates and partly text (``31/03/2027``, ``Mar 2028``, ``2027/28``),
  blank words (``TBC``, ``n/a``), extra columns (``Business owner``), blank
  rows, totals and note rows, and a few bad values (``lots``, ``#REF!``,
  ``31/02/2027``, rows with no system name or product).
* ``combined.csv``: the same rows in one CSV with an organisation column.

Then measures, each run in a fresh worker process (so peak memory is that of
one read alone), interleaved and repeated ``--repeat`` times:

* ``ours xlsx``    ``read_inventory(xlsx_folder)``: safety checks, header
  detection, parsing, linking and the issues report;
* ``naive xlsx``   ``pandas.read_excel(path, sheet_name=None)`` on every
  workbook, pandas' DEFAULT engine (openpyxl in pandas 3.x; its
  ``Pandas4Warning`` about the coming switch to calamine is silenced, it costs
  nothing), no parsing or validation;
* ``calamine xlsx`` (context only) the same with ``engine="calamine"``, the
  parser ``read_inventory`` itself uses;
* ``ours csv``     ``read_inventory(combined.csv)``;
* ``naive csv``    ``pandas.read_csv(combined.csv)``.

Times are wall-clock (``time.perf_counter``) around the read call only, inside
the worker (interpreter start-up and imports excluded; ``process s`` includes
them); ``cpu s`` is the worker's CPU time (``time.process_time``) over the
same span, steadier than wall time when other jobs share the cores. Peak
memory is the worker's ``getrusage(RUSAGE_SELF).ru_maxrss`` at the end (the
figure the parent would get from ``RUSAGE_CHILDREN`` for that one child): peak
resident set size including the interpreter and the imported libraries;
``RSS imports MB`` is the same measure just before the read.

Run from the repository root::

    python benchmarks/bench_reading.py                         # 100,000 rows, 300 files, 3 repeats
    python benchmarks/bench_reading.py --rows 10000 --files 30 --repeat 1
    python benchmarks/bench_reading.py --keep /tmp/estate-bench   # keep (and reuse) the generated files
    python benchmarks/bench_reading.py --profile pyinstrument     # also profile ours once (or cprofile)

Nothing is asserted about times; the script fails only if a read fails or
``read_inventory`` does not load the rows it should.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEED = 2027
VARIANTS = ("ours_xlsx", "naive_xlsx", "calamine_xlsx", "ours_csv", "naive_csv")
LABELS = {
    "ours_xlsx": "ours xlsx: read_inventory(folder)",
    "naive_xlsx": "naive xlsx: pd.read_excel(p, sheet_name=None) default engine",
    "calamine_xlsx": "  context: pd.read_excel(..., engine='calamine')",
    "ours_csv": "ours csv: read_inventory(combined.csv)",
    "naive_csv": "naive csv: pd.read_csv(combined.csv)",
}

# ----------------------------------------------------------------------------------------------
# The synthetic estate

PLACES = (
    "Allerdale", "Barrow", "Carlisle", "Copeland", "Eden", "South Lakeland", "Cumbria", "Lancaster", "Preston",
    "Wyre", "Fylde", "Chorley", "Pendle", "Burnley", "Hyndburn", "Rossendale", "Ribble Valley", "Blackburn",
    "Blackpool", "Kendal", "Penrith", "Keswick", "Whitehaven", "Workington", "Cockermouth", "Maryport",
    "Ulverston", "Millom", "Appleby", "Alston", "Wigton", "Brampton", "Sedbergh", "Ambleside", "Windermere",
    "Grange", "Dalton", "Silloth", "Egremont", "Kirkby", "Harrogate", "Craven", "Richmondshire", "Hambleton",
    "Ryedale", "Scarborough", "Selby", "Durham", "Darlington", "Hartlepool", "Stockton", "Redcar", "Gateshead",
    "Sunderland", "Northumberland", "Tynedale", "Alnwick", "Berwick", "Blyth", "Wansbeck", "Derwentside",
    "Teesdale", "Wear Valley", "Sedgefield", "Easington", "Chester", "Halton", "Warrington", "Wigan", "Bolton",
)
KINDS = ("District Council", "Borough Council", "City Council", "County Council", "NHS Trust",
         "Fire and Rescue Service", "Constabulary", "Housing Trust")
CAPABILITIES = ("Revenues", "Benefits", "Finance", "Payroll", "HR", "Planning", "Building Control",
                "Waste", "Licensing", "Housing", "CRM", "Document Management", "Social Care", "Education",
                "Highways", "Parking", "Environmental Health", "Electoral Registration", "Land Charges",
                "Asset Management", "Procurement", "GIS", "Intranet", "Email", "Telephony", "Records",
                "Case Management", "Rostering", "Fleet", "Libraries")
PRODUCTS = (
    ("Capita", "Capita Academy"), ("Civica", "Civica OpenRevenues"), ("Northgate", "Northgate iWorld"),
    ("Unit4", "Unit4 Business World"), ("SAP", "SAP S/4HANA"), ("Oracle", "Oracle Fusion"),
    ("MHR", "iTrent"), ("Idox", "Idox Uniform"), ("Bartec", "Bartec Collective"), ("Microsoft", "Dynamics 365"),
    ("Salesforce", "Salesforce Service Cloud"), ("OpenText", "Content Server"), ("Liquidlogic", "LCS"),
    ("Servelec", "Mosaic"), ("Esri", "ArcGIS"), ("Xpress", "Xpress Electoral"), ("Mastek", "EDRMS"),
    ("Niche", "Niche RMS"), ("Systel", "Systel Mobilising"), ("Kirona", "DRS"), ("Tascomi", "Tascomi"),
    ("Agilisys", "Agilisys Digital"), ("NEC", "NEC Housing"), ("Zellis", "ResourceLink"), ("Mitel", "MiCollab"),
)
HOSTINGS = ("on-premises", "On Prem", "Cloud", "SaaS", "Azure", "supplier hosted", "Software as a Service",
            "AWS", "in house server", "Data centre")
SITES = ("Civic Centre server room", "County Hall DC", "Shared data centre", "Town Hall comms room")
LIFECYCLES = ("live", "Live", "In use", "Production", "end of life", "Legacy", "being replaced", "To be replaced")
CRITICALITIES = ("critical", "High", "Medium", "low", "Tier 1", "Tier 2", "P3", "Business critical")
SHEETS = ("Systems", "Applications", "Sheet1", "IT Systems", "Application register", "Inventory", "Apps")

#: Systems fields written, with the header wordings used (a few from the schema synonyms each).
FIELDS = {
    "system": ("System", "System name", "Application", "Application name", "IT system", "Software"),
    "vendor": ("Vendor", "Supplier", "Supplier name", "Provider", "Software supplier"),
    "product": ("Product", "Product name", "Software product", "Package", "Platform"),
    "version": ("Version", "Release", "Version number", "Edition"),
    "capability": ("Capability", "Function", "Service area", "Business function", "Category"),
    "users": ("Users", "No. of users", "Number of users", "User count", "Named users"),
    "licence_cost": ("Licence cost", "License cost", "Licence fee", "Annual licence", "Subscription cost"),
    "support_cost": ("Support cost", "Support and maintenance", "Maintenance cost", "Annual support"),
    "hosting_cost": ("Hosting cost", "Infrastructure cost", "Hosting costs", "Infra cost"),
    "staff_cost": ("Staff cost", "Internal staff cost", "Staffing cost", "People cost"),
    "annual_cost": ("Annual cost", "Total annual cost", "Cost per annum", "Annual spend", "Running cost"),
    "contract_end": ("Contract end", "Contract end date", "Expiry date", "Renewal date", "End of contract"),
    "exit_cost": ("Exit cost", "Termination cost", "Exit fee", "Break cost"),
    "notice_months": ("Notice months", "Notice period", "Months notice", "Termination notice"),
    "hosting": ("Hosting", "Hosting model", "Deployment", "Hosted where"),
    "site": ("Site", "Data centre", "Server room", "Hosting site"),
    "lifecycle": ("Lifecycle", "Status", "Lifecycle status", "Life cycle"),
    "criticality": ("Criticality", "Business criticality", "Priority", "Importance"),
    "integrations": ("Integrations", "Interfaces", "Integrates with", "Dependencies"),
    "system_id": ("System ID", "App ID", "Asset ID", "Reference"),
}
UNITS = {"licence_cost": " (£)", "support_cost": " (£)", "hosting_cost": " (£)", "staff_cost": " (£)",
         "annual_cost": " (£)", "exit_cost": " (£)", "notice_months": " (months)", "contract_end": " (dd/mm/yyyy)"}
PARTS = ("licence_cost", "support_cost", "hosting_cost", "staff_cost")
MONEY = (*PARTS, "annual_cost", "exit_cost")
CSV_HEADER = {
    "organisation": "Organisation", "system": "System name", "vendor": "Supplier", "product": "Product",
    "version": "Version", "capability": "Capability", "users": "No. of users", "licence_cost": "Licence cost",
    "support_cost": "Support cost", "hosting_cost": "Hosting cost", "staff_cost": "Staff cost",
    "annual_cost": "Annual cost (£)", "contract_end": "Contract end date", "exit_cost": "Exit cost",
    "notice_months": "Notice period", "hosting": "Hosting", "site": "Site", "lifecycle": "Status",
    "criticality": "Criticality", "integrations": "Integrations", "system_id": "System ID",
}


def _organisations(n: int, rng: np.random.Generator) -> list[str]:
    names = [f"{p} {k}" for p in PLACES for k in KINDS]
    order = rng.permutation(len(names))
    out = [names[i] for i in order[:n]]
    out += [f"{names[i % len(names)]} {i // len(names) + 1}" for i in range(len(names), n)]
    return out


def _money_text(value: float, rng: np.random.Generator) -> str:
    """A typed amount as people write it."""
    style = rng.integers(0, 6)
    if style == 0:
        return f"£{value:,.0f}"
    if style == 1:
        return f"{value / 1000:.1f}k".replace(".0k", "k")
    if style == 2:
        return f"£{value / 1000:.1f}k"
    if style == 3:
        return f"{value:,.2f}"
    if style == 4:
        return f"c. £{round(value / 1000)}k pa"
    return f"£{value / 1e6:.2f}m" if value >= 1e6 else f"£{value:,.0f} pa"


def _date_text(day: dt.date, rng: np.random.Generator) -> str:
    style = rng.integers(0, 20)
    if style < 12:
        return day.strftime("%d/%m/%Y")
    if style < 16:
        return day.isoformat()
    if style < 19:
        return day.strftime("%b %Y")
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def _file_rows(org: str, n: int, rng: np.random.Generator) -> tuple[dict, list[dict[str, object]]]:
    """One organisation: its file layout and its n Systems rows (raw cells, all fields)."""
    breakdown = rng.random() < 0.4
    optional = [f for f in ("version", "users", "contract_end", "exit_cost", "notice_months", "hosting", "site",
                            "lifecycle", "criticality", "integrations", "system_id") if rng.random() < 0.75]
    costs = list(PARTS) + (["annual_cost"] if rng.random() < 0.8 else []) if breakdown else ["annual_cost"]
    columns = ["system", "vendor", "product", "capability", *costs, *optional]
    if rng.random() < 0.5:  # some reordering, as files are not all laid out like the template
        i, j = rng.choice(len(columns), 2, replace=False)
        columns[i], columns[j] = columns[j], columns[i]
    layout = {
        "columns": columns,
        "extras": [e for e in ("Business owner", "Comments") if rng.random() < 0.4],
        "money_text": float(rng.choice([0.0, 0.2, 0.5, 0.8])),
        "date_text": float(rng.choice([0.0, 0.3, 0.7, 1.0])),
        "sheet": str(rng.choice(SHEETS)),
        "titles": int(rng.choice([0, 0, 1, 2, 3])),
        "label": rng.random() < 0.3,
        "blank_rows": int(rng.choice([0, 0, 1, 3])),
        "totals": rng.random() < 0.3,
        "note": rng.random() < 0.2,
        "headers": {f: _header(f, rng) for f in columns},
    }
    code = "".join(w[0] for w in org.split()).upper()
    names = [f"{CAPABILITIES[k % len(CAPABILITIES)]} {['system', 'platform', 'service', 'app'][k // 30 % 4]}"
             f"{'' if k < 120 else ' ' + str(k // 120 + 1)}" for k in rng.permutation(max(n, 1) * 2)[:n]]
    rows: list[dict[str, object]] = []
    for k in range(n):
        vendor, product = PRODUCTS[int(rng.integers(0, len(PRODUCTS)))]
        parts = {p: float(round(rng.lognormal(9.5, 1.0), -2)) for p in PARTS}
        row: dict[str, object] = {
            "organisation": org, "system": names[k], "vendor": vendor, "product": product,
            "version": f"{rng.integers(1, 12)}.{rng.integers(0, 9)}",
            "capability": CAPABILITIES[int(rng.integers(0, len(CAPABILITIES)))],
            "users": int(rng.integers(1, 2000)), **parts,
            "annual_cost": sum(parts.values()) if breakdown else float(round(rng.lognormal(11.0, 1.0), -2)),
            "contract_end": dt.date(2026, 4, 1) + dt.timedelta(days=int(rng.integers(0, 2200))),
            "exit_cost": float(round(rng.lognormal(9.0, 1.0), -2)) if rng.random() < 0.5 else None,
            "notice_months": int(rng.choice([1, 3, 6, 12])),
            "hosting": str(rng.choice(HOSTINGS)), "site": None,
            "lifecycle": str(rng.choice(LIFECYCLES)), "criticality": str(rng.choice(CRITICALITIES)),
            "integrations": None, "system_id": f"{code}-{k + 1:04d}",
            "Business owner": f"Head of {CAPABILITIES[int(rng.integers(0, len(CAPABILITIES)))]}",
            "Comments": None if rng.random() < 0.7 else "renewal under review",
        }
        if row["hosting"] in ("on-premises", "On Prem", "in house server", "Data centre"):
            row["site"] = str(rng.choice(SITES))
        if k and rng.random() < 0.2:
            row["integrations"] = "; ".join(names[int(i)] for i in rng.choice(k, min(k, int(rng.integers(1, 4))),
                                                                           replace=False))
            if rng.random() < 0.05:
                row["integrations"] += "; Old CRM"  # a reference to nothing
        for field in MONEY:  # typed text instead of numbers, at the file's rate
            if row[field] is not None and rng.random() < layout["money_text"]:
                row[field] = _money_text(float(row[field]), rng)
        if rng.random() < layout["date_text"]:
            row["contract_end"] = _date_text(row["contract_end"], rng)  # type: ignore[arg-type]
        if rng.random() < 0.05:
            row["users"] = str(rng.choice(["1-100", "approx 250", "500+", "TBC", "n/a", "all staff"]))
        roll = rng.random()  # a few bad or blank values
        if roll < 0.01:
            row["annual_cost"] = str(rng.choice(["lots", "#REF!", "12,5", "see contract"]))
        elif roll < 0.02:
            row["contract_end"] = str(rng.choice(["31/02/2027", "rolling", "soon", "13/13/2027"]))
        elif roll < 0.04:
            row[str(rng.choice(["annual_cost", "contract_end", "version"]))] = str(rng.choice(["TBC", "n/a", "-"]))
        elif roll < 0.045:
            row["system"] = None  # named after its product, with a warning
        elif roll < 0.046:
            row["system"] = row["product"] = None  # cannot be loaded: an error issue
        for field in FIELDS:  # the combined CSV holds what the workbook holds
            if field not in columns:
                row[field] = None
        rows.append(row)
    return layout, rows


def _header(field: str, rng: np.random.Generator) -> str:
    text = str(rng.choice(FIELDS[field]))
    style = rng.integers(0, 4)
    if style == 1:
        text = text.upper()
    elif style == 2:
        text = text.title()
    if field in UNITS and rng.random() < 0.4:
        text += UNITS[field]
    return text


def _sheet_rows(org: str, layout: dict, rows: list[dict[str, object]], rng: np.random.Generator) -> list[list]:
    """The cells of one workbook sheet, title rows to notes."""
    titles = [[f"{org} - application inventory"], ["Prepared by ICT, March 2026"], []][: layout["titles"]]
    if layout["label"]:
        titles.insert(0, [f"Organisation: {org}"])
    fields = layout["columns"] + layout["extras"]
    out = [*titles, [layout["headers"].get(f, f) for f in fields]]
    blanks = set(rng.choice(len(rows), layout["blank_rows"], replace=False).tolist()) if rows else set()
    for k, row in enumerate(rows):
        if k in blanks:
            out.append([])
        out.append([row[f] for f in fields])
    if layout["totals"]:
        totals: list[object] = [None] * len(fields)
        totals[fields.index("annual_cost") if "annual_cost" in fields else len(fields) - 1] = sum(
            r["annual_cost"] for r in rows if isinstance(r["annual_cost"], float))
        totals[0] = "Total"
        out.append(totals)
    if layout["note"]:
        out += [[], ["Note: costs exclude VAT"]]
    return out


def generate(folder: Path, *, n_rows: int, n_files: int, seed: int = SEED) -> dict[str, int]:
    """Write ``folder/xlsx/*.xlsx`` and ``folder/combined.csv``; return what a reader should find."""
    import xlsxwriter

    rng = np.random.default_rng(seed)
    xlsx = folder / "xlsx"
    xlsx.mkdir(parents=True, exist_ok=True)
    orgs = _organisations(n_files, rng)
    sizes = [n_rows // n_files + (i < n_rows % n_files) for i in range(n_files)]
    expected = {"rows": n_rows, "loadable": 0, "sheet_rows": 0}
    with open(folder / "combined.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(list(CSV_HEADER.values()))
        for i, (org, size) in enumerate(zip(orgs, sizes, strict=True)):
            file_rng = np.random.default_rng([seed, i])
            layout, rows = _file_rows(org, size, file_rng)
            cells = _sheet_rows(org, layout, rows, file_rng)
            expected["sheet_rows"] += len(cells)
            expected["loadable"] += sum(1 for r in rows if r["system"] is not None or r["product"] is not None)
            name = org.lower().replace(" ", "_") + ".xlsx"
            book = xlsxwriter.Workbook(str(xlsx / name), {"default_date_format": "dd/mm/yyyy"})
            sheet = book.add_worksheet(layout["sheet"])
            for r, values in enumerate(cells):
                if values:
                    sheet.write_row(r, 0, values)
            book.close()
            for row in rows:
                writer.writerow([_csv_cell(row[f]) for f in CSV_HEADER])
    return expected


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        return f"{value:.0f}" if value.is_integer() else repr(value)
    return str(value)


# ----------------------------------------------------------------------------------------------
# Workers: one read in a fresh process


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def worker(variant: str, folder: Path, profile: str | None = None) -> dict[str, object]:
    import pandas as pd

    from estate.reading import read_inventory

    xlsx_files = sorted((folder / "xlsx").glob("*.xlsx"))
    csv_path = folder / "combined.csv"
    before = _maxrss_mb()
    cpu = time.process_time()
    start = time.perf_counter()
    extra: dict[str, object] = {}
    if variant == "ours_xlsx" and profile:
        extra["profile"] = _profile(profile, lambda: read_inventory(folder / "xlsx"), folder)
        inventory = None
    elif variant in ("ours_xlsx", "ours_csv"):
        inventory = read_inventory(folder / "xlsx" if variant == "ours_xlsx" else csv_path)
    elif variant in ("naive_xlsx", "calamine_xlsx"):
        engine = "calamine" if variant == "calamine_xlsx" else None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pd.errors.Pandas4Warning)  # "default engine will change": free
            frames = [pd.read_excel(p, sheet_name=None, engine=engine) for p in xlsx_files]
        extra["rows"] = sum(len(df) for book in frames for df in book.values())
    elif variant == "naive_csv":
        extra["rows"] = len(pd.read_csv(csv_path))
    else:
        raise SystemExit(f"unknown variant {variant}")
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu
    if variant.startswith("ours") and not profile:
        severity = inventory.issues["severity"].value_counts().to_dict()
        extra.update(rows=len(inventory.systems), issues=len(inventory.issues),
                     errors=severity.get("error", 0), warnings=severity.get("warning", 0),
                     infos=severity.get("info", 0), files=len(inventory.files))
    return {"variant": variant, "seconds": seconds, "cpu_seconds": cpu, "rss_imports_mb": before,
            "peak_rss_mb": _maxrss_mb(), **extra}


def _profile(kind: str, call, folder: Path) -> str:
    if kind == "pyinstrument":
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001)
        profiler.start()
        call()
        profiler.stop()
        out = folder / "profile_ours_xlsx.txt"
        out.write_text(profiler.output_text(unicode=False, color=False, show_all=False))
        (folder / "profile_ours_xlsx.html").write_text(profiler.output_html())
        return str(out)
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(call)
    out = folder / "profile_ours_xlsx.prof"
    profiler.dump_stats(out)
    stats = pstats.Stats(str(out))
    total = stats.total_tt
    lines = [f"cProfile total {total:.2f} s (profiled, so slower than the timed runs)",
             "estate.reading functions by cumulative time:"]
    entries = sorted(stats.stats.items(), key=lambda kv: -kv[1][3])
    for (file, line, name), (_, calls, tt, ct, _) in entries:
        if file.endswith(os.path.join("estate", "reading.py")):
            lines.append(f"  {ct:7.2f} s {100 * ct / total:5.1f}%  {name} (line {line}, {calls} calls)")
    lines.append("all functions by own time (top 25):")
    for (file, line, name), (_, calls, tt, ct, _) in sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:25]:
        where = file.replace(str(ROOT) + os.sep, "").split("site-packages" + os.sep)[-1]
        lines.append(f"  {tt:7.2f} s {100 * tt / total:5.1f}%  {name} ({where}:{line}, {calls} calls)")
    text = folder / "profile_ours_xlsx.txt"
    text.write_text("\n".join(lines) + "\n")
    return str(text)


def _run_worker(variant: str, folder: Path, profile: str | None = None) -> dict[str, object]:
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", variant, str(folder)]
    if profile:
        command += ["--profile", profile]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{variant} failed:\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["process_seconds"] = time.perf_counter() - start
    return result


# ----------------------------------------------------------------------------------------------
# Main


def _machine() -> str:
    import pandas as pd
    import python_calamine  # noqa: F401
    from importlib.metadata import version

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return (f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB RAM, {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, pandas {pd.__version__}, numpy {np.__version__}, "
            f"python-calamine {version('python-calamine')}, openpyxl {version('openpyxl')}, "
            f"xlsxwriter {version('xlsxwriter')}")


def _revision() -> str:
    """The commit measured, and whether the reader's files differ from it (read-only git calls)."""
    def git(*args: str) -> str:
        done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False)
        return done.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = git("status", "--porcelain", "--", "estate/reading.py", "estate/values.py", "estate/safety.py",
                "estate/schema.py", "estate/inventory.py")
    return f"estate at {head}" + (" (reader files modified)" if dirty else "")


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="Systems rows in all (default 100,000)")
    parser.add_argument("--files", type=int, default=300, help="organisation workbooks (default 300)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each read; the median is reported")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--keep", type=Path, help="write the files here and keep them (reused if present)")
    parser.add_argument("--only", nargs="+", choices=VARIANTS, default=list(VARIANTS))
    parser.add_argument("--profile", choices=("cprofile", "pyinstrument"),
                        help="also profile ours on the xlsx set once, writing profile_ours_xlsx.* to the folder")
    parser.add_argument("--worker", nargs=2, metavar=("VARIANT", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(args.worker[0], Path(args.worker[1]), args.profile)))
        return

    folder = args.keep or Path(tempfile.mkdtemp(prefix="estate-bench-reading-"))
    stamp = folder / "generated.json"
    wanted = {"rows": args.rows, "files": args.files, "seed": args.seed}
    if stamp.exists() and json.loads(stamp.read_text()).get("params") == wanted:
        expected = json.loads(stamp.read_text())["expected"]
        print(f"reusing {folder}")
    else:
        shutil.rmtree(folder / "xlsx", ignore_errors=True)
        start = time.perf_counter()
        expected = generate(folder, n_rows=args.rows, n_files=args.files, seed=args.seed)
        stamp.write_text(json.dumps({"params": wanted, "expected": expected}))
        print(f"generated {args.rows:,} rows in {args.files} workbooks + combined.csv in {folder} "
              f"({time.perf_counter() - start:.1f} s)")
    size = sum(p.stat().st_size for p in (folder / "xlsx").glob("*.xlsx")) / 2**20
    print(f"xlsx set {size:.1f} MiB, csv {(folder / 'combined.csv').stat().st_size / 2**20:.1f} MiB")
    print(_machine())
    print(_revision(), time.strftime("%Y-%m-%d %H:%M %Z"))

    results: dict[str, list[dict[str, object]]] = {v: [] for v in args.only}
    loads = [_loadavg()]
    for r in range(args.repeat):
        for variant in args.only:  # interleaved, so load changes spread over every variant
            results[variant].append(_run_worker(variant, folder))
            print(f"  run {r + 1} {variant:14} {results[variant][-1]['seconds']:7.2f} s", flush=True)
        loads.append(_loadavg())

    rows = []
    for variant, runs in results.items():
        times = [float(x["seconds"]) for x in runs]
        last = runs[-1]
        rows.append({
            "read": LABELS[variant],
            "median s": round(statistics.median(times), 2),
            "min s": round(min(times), 2),
            "max s": round(max(times), 2),
            "cpu s": round(statistics.median(float(x["cpu_seconds"]) for x in runs), 2),
            "process s": round(statistics.median(float(x["process_seconds"]) for x in runs), 2),
            "peak RSS MB": round(statistics.median(float(x["peak_rss_mb"]) for x in runs)),
            "RSS imports MB": round(statistics.median(float(x["rss_imports_mb"]) for x in runs)),
            "rows": last.get("rows"),
        })
        if variant.startswith("ours"):
            print(f"{variant}: {last['rows']:,} systems from {last['files']} file(s), {last['issues']:,} issues "
                  f"({last['errors']} errors, {last['warnings']} warnings, {last['infos']} info)")
            if last["rows"] != expected["loadable"]:
                raise SystemExit(f"{variant} loaded {last['rows']} rows, expected {expected['loadable']}")
    import pandas as pd

    table = pd.DataFrame(rows)
    print(f"\n{args.rows:,} rows, {args.files} files, median of {args.repeat}; "
          f"load average (1/5/15 min) during runs: {' -> '.join(loads)}")
    print(table.to_string(index=False))
    median = {v: statistics.median(float(x["seconds"]) for x in runs) for v, runs in results.items()}
    cpu = {v: statistics.median(float(x["cpu_seconds"]) for x in runs) for v, runs in results.items()}
    if "ours_xlsx" in median and "naive_xlsx" in median:
        ratios = [float(n["seconds"]) / float(o["seconds"])
                  for o, n in zip(results["ours_xlsx"], results["naive_xlsx"], strict=True)]
        print(f"\nnaive read_excel (default engine) / ours on the xlsx set: "
              f"{median['naive_xlsx'] / median['ours_xlsx']:.2f}x wall (goal >= 2x), "
              f"{cpu['naive_xlsx'] / cpu['ours_xlsx']:.2f}x CPU; per-run wall ratios "
              f"{', '.join(f'{r:.2f}' for r in ratios)}")
    if "ours_xlsx" in median and "calamine_xlsx" in median:
        print(f"read_excel(engine='calamine') / ours on the xlsx set: "
              f"{median['calamine_xlsx'] / median['ours_xlsx']:.2f}x")
    if "ours_csv" in median and "naive_csv" in median:
        print(f"ours / naive read_csv on the csv: {median['ours_csv'] / median['naive_csv']:.1f}x slower")
    if args.profile:
        profiled = _run_worker("ours_xlsx", folder, profile=args.profile)
        print(f"\nprofile ({args.profile}, {profiled['seconds']:.2f} s profiled):")
        print("\n".join(Path(str(profiled["profile"])).read_text().splitlines()[:120]))
    if args.keep is None:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
