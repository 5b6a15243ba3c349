"""Benchmark the pipeline: matching + graph + overlaps at scale, and ``estate plan`` end to end.

Issue 3, point 7 (step ``pipeline``)
    :func:`estate.matching.match_systems`, :func:`estate.graph.build_graph` and
    :func:`estate.overlaps.find_overlaps` one after the other, on ``--systems``
    raw systems across ``--organisations`` organisations (default 100,000 and
    1,000,000 across 300). Goals: 100,000 in 10 s; 1,000,000 in 2 minutes
    within 8 GB. The raw systems frame is ``make_inventory`` from
    ``benchmarks/accuracy/make_labelled.py``, the generator
    ``bench_matching.py`` uses: messy product, vendor and capability text, each
    organisation spelling its products its own way. To it this script adds,
    with a fixed seed, what the reader would give besides: source file and
    row, contract ends (12% unknown), notice periods, hosting, lifecycle, a
    site for a third of systems, and an inventory with the organisations, two
    sites each, a contract for 30% of systems and 1.5 integrations a system
    (10% across organisations), as ``bench_graph_overlaps.py`` has them, so the
    graph has every kind of node and edge.

Issue 5, point 8 (steps ``floor``, ``plan``, ``cli``)
    On the 100,000-row, 300-workbook xlsx set of ``bench_reading.py`` (reused
    from ``--data``, default ``/tmp/ebr_full``, when it was generated with the
    same rows, files and seed; generated there otherwise):

    * ``plan``  in one process: :func:`estate.plan.make_plan` on the folder
      (each step timed through its ``progress`` callback), then
      ``Plan.write`` (the workbook; no charts, as ``estate plan`` without
      ``--charts``). If ``Plan.write`` does not exist, only ``make_plan`` is
      measured and the row says so.
    * ``cli``   the command itself, ``python -m estate.cli plan FOLDER --out
      plan.xlsx``, timed from outside (interpreter start and imports included).
    * ``floor`` what no implementation can avoid: ``read_inventory(FOLDER)``
      plus writing the systems read as one 100,000-row ``Systems`` sheet (the
      21 columns of the plan's Systems sheet) with openpyxl's write-only mode
      (``Workbook(write_only=True)``). Goal: ``estate plan`` at most 1.5 times
      the floor, within 60 s and 4 GB.

    Each round runs floor, plan and cli once, interleaved (``--repeat``
    rounds; medians reported).

Every measurement runs in a fresh process, started by this script and reaped
with ``os.wait4``, which gives that one child's CPU time (user + system) and
peak resident set size (``ru_maxrss``); inside, the worker times its steps with
``time.perf_counter`` (wall) and ``time.process_time`` (CPU) and reports
``getrusage(RUSAGE_SELF).ru_maxrss`` after each step. Peak RSS therefore
includes Python, the libraries and the synthetic inputs. ``/proc/loadavg`` is
read before and after every measurement: the machine may be shared, and wall
times grow with the load, CPU times much less. Seeds are fixed and workers
run with ``PYTHONHASHSEED=0``: the inputs are the same on every run.

Run from the repository root::

    python benchmarks/bench_pipeline.py                              # everything (about 10 minutes)
    python benchmarks/bench_pipeline.py --only pipeline --systems 100000
    python benchmarks/bench_pipeline.py --only floor plan cli --repeat 3
    python benchmarks/bench_pipeline.py --only plan --charts         # also draw the charts into the workbook

Nothing is asserted about times; the script fails if a step fails or the plan
does not read the rows it should.
"""

from __future__ import annotations

import argparse
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
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "accuracy"))

SEED = 2027
STEPS = ("pipeline", "floor", "plan", "cli")
AS_OF = "2026-04-01"
GOALS = {100_000: (10.0, None), 1_000_000: (120.0, 8.0)}
"""Issue 3 point 7: systems -> (seconds, GB or None)."""
PLAN_GOAL_S, PLAN_GOAL_GB, FLOOR_RATIO = 60.0, 4.0, 1.5
SYSTEMS_COLUMNS = ("source_file", "source_row", "organisation", "system", "vendor", "product", "capability",
                   "annual_cost", "users", "contract_end", "match_confidence", "option", "fate", "source_sheet",
                   "system_key", "capability_code", "vendor_given", "product_given", "hosting", "site", "lifecycle")
"""The columns of the plan workbook's Systems sheet (estate/workbook.py), which the floor writes too."""


# ----------------------------------------------------------------------------------------------
# Measuring


def _loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _peak_mb() -> float:
    """This process's peak resident set size so far, MB (ru_maxrss is kB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Clock:
    """Wall and CPU time of consecutive steps, with the peak RSS after each."""

    def __init__(self) -> None:
        self.steps: list[dict[str, object]] = []
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        self._name: str | None = None

    def start(self, name: str) -> None:
        self.stop()
        self._name, self._wall, self._cpu = name, time.perf_counter(), time.process_time()

    def stop(self) -> None:
        if self._name is not None:
            self.steps.append({"step": self._name, "wall_s": round(time.perf_counter() - self._wall, 3),
                               "cpu_s": round(time.process_time() - self._cpu, 3), "peak_mb": round(_peak_mb())})
        self._name = None

    def total(self, names: tuple[str, ...] | None = None) -> tuple[float, float]:
        chosen = [s for s in self.steps if names is None or s["step"] in names]
        return (round(sum(float(s["wall_s"]) for s in chosen), 3), round(sum(float(s["cpu_s"]) for s in chosen), 3))


def run_child(command: list[str], *, quiet: bool = False) -> dict[str, object]:
    """Run ``command`` in a fresh process; its wall time, CPU time and peak RSS (os.wait4), and its JSON."""
    env = dict(os.environ, PYTHONHASHSEED="0")
    load_before = _loadavg()
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=ROOT)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if child.returncode:
        raise SystemExit(f"{' '.join(command)} failed ({child.returncode}):\n{stdout[-3000:]}\n{stderr[-3000:]}")
    result: dict[str, object] = {}
    if not quiet:
        result = json.loads(stdout.strip().splitlines()[-1])
    result.update(process_wall_s=round(wall, 2), process_cpu_s=round(usage.ru_utime + usage.ru_stime, 2),
                  process_peak_mb=round(usage.ru_maxrss / 1024), load_before=load_before, load_after=_loadavg())
    if quiet:
        result["stdout"] = stdout
    return result


def _worker(step: str, *args: str) -> dict[str, object]:
    return run_child([sys.executable, str(Path(__file__).resolve()), "--worker", step, *args])


# ----------------------------------------------------------------------------------------------
# Issue 3 point 7: matching + graph + overlaps


def raw_estate(n_systems: int, n_organisations: int, seed: int = SEED):
    """Raw systems as the reader gives them (messy text from make_labelled.make_inventory) and an Inventory."""
    import numpy as np
    import pandas as pd
    from make_labelled import make_inventory

    from estate import Inventory

    systems = make_inventory(n_systems, n_organisations).drop(
        columns=["true_product_group", "true_capability_code", "kind"])
    rng = np.random.default_rng(seed)
    n = len(systems)
    org = systems["organisation"].to_numpy(dtype=object)
    organisations = pd.unique(org)
    slug = pd.Series(org).str.lower().str.replace(" ", "_", regex=False).to_numpy(dtype=object)
    systems.insert(0, "source_file", slug + ".xlsx")
    systems.insert(1, "source_sheet", "Systems")
    systems.insert(2, "source_row", systems.groupby("organisation", sort=False).cumcount().to_numpy() + 2)
    end = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 8 * 365, n), unit="D")
    systems["contract_end"] = pd.Series(end).where(rng.random(n) > 0.12).to_numpy()
    systems["notice_months"] = np.where(rng.random(n) < 0.8, rng.choice([3.0, 6.0, 12.0], n), np.nan)
    systems["hosting"] = rng.choice(np.array(["on-premises", "named site", "cloud", "saas"], dtype=object), n)
    systems["lifecycle"] = rng.choice(np.array(["live", "live", "live", "end-of-life", "being replaced"],
                                               dtype=object), n)
    site_names = np.array(["Main data centre", "Server room"], dtype=object)
    site = np.where(rng.random(n) < 1 / 3, site_names[rng.integers(0, 2, n)], None)
    systems["site"] = site
    systems["site_key"] = np.where(pd.notna(site), org + "/" + site.astype(str), None)
    m = len(organisations)
    sites = pd.DataFrame({
        "source_file": "sites.xlsx", "source_sheet": "Sites", "source_row": np.arange(2 * m) + 2,
        "organisation": np.repeat(organisations, 2), "site": np.tile(site_names, m),
        "site_type": np.tile(np.array(["data centre", "server room"], dtype=object), m),
        "annual_cost": np.round(rng.lognormal(11, 0.8, 2 * m), 0), "racks": rng.integers(1, 40, 2 * m).astype(float),
        "utilisation": np.round(rng.uniform(0.1, 0.95, 2 * m), 2)})
    sites["site_key"] = sites["organisation"] + "/" + sites["site"]
    keys = systems["system_key"].to_numpy(dtype=object)
    covered = np.flatnonzero(rng.random(n) < 0.30)
    contracts = pd.DataFrame({
        "source_file": systems["source_file"].to_numpy()[covered], "source_sheet": "Contracts",
        "source_row": np.arange(len(covered)) + 2, "organisation": org[covered],
        "contract_id": "CON-" + pd.Series(covered).astype(str).to_numpy(dtype=object),
        "system": keys[covered], "supplier": systems["vendor"].to_numpy()[covered],
        "annual_value": systems["annual_cost"].to_numpy()[covered],
        "contract_end": systems["contract_end"].to_numpy()[covered], "system_key": keys[covered]})
    n_flows = int(1.5 * n)
    source = rng.integers(0, n, n_flows)
    near = np.clip(source + rng.integers(-40, 40, n_flows), 0, n - 1)  # rows are by organisation: mostly its own
    target = np.where(rng.random(n_flows) < 0.10, rng.integers(0, n, n_flows), near)
    integrations = pd.DataFrame({
        "source_file": systems["source_file"].to_numpy()[source], "source_sheet": "Integrations",
        "source_row": np.arange(n_flows) + 2, "organisation": org[source], "source": keys[source],
        "target": keys[target], "source_key": keys[source], "target_key": keys[target],
        "listed_in": "Integrations"})
    organisations_frame = pd.DataFrame({"organisation": organisations, "sector": "district council",
                                        "short_name": [f"Org {i + 1}" for i in range(m)]})
    inventory = Inventory(organisations=organisations_frame, systems=systems, sites=sites, contracts=contracts,
                          integrations=integrations)
    return systems, inventory


def worker_pipeline(n_systems: int, n_organisations: int) -> dict[str, object]:
    clock = Clock()
    clock.start("import")
    from estate.graph import build_graph
    from estate.matching import match_systems
    from estate.overlaps import find_overlaps

    clock.start("generate")
    systems, inventory = raw_estate(n_systems, n_organisations)
    clock.start("match")
    matched = match_systems(systems)
    clock.start("graph")
    graph = build_graph(matched, inventory=inventory)
    clock.start("overlaps")
    overlaps = find_overlaps(matched, inventory, as_of=AS_OF)
    clock.stop()
    wall, cpu = clock.total(("match", "graph", "overlaps"))
    return {"systems": n_systems, "organisations": n_organisations, "rows_matched": len(matched),
            "distinct_products": int(systems["product"].nunique()), "nodes": graph.number_of_nodes(),
            "edges": graph.number_of_edges(), "capability_overlaps": len(overlaps.capability_overlaps),
            "steps": clock.steps, "wall_s": wall, "cpu_s": cpu, "peak_mb": round(_peak_mb())}


# ----------------------------------------------------------------------------------------------
# Issue 5 point 8: estate plan end to end, and the floor


def dataset(folder: Path, rows: int, files: int) -> tuple[Path, int]:
    """The xlsx folder of bench_reading's set (generated into ``folder`` unless already there) and its loadable rows."""
    import bench_reading

    stamp = folder / "generated.json"
    wanted = {"rows": rows, "files": files, "seed": bench_reading.SEED}
    if stamp.exists() and json.loads(stamp.read_text()).get("params") == wanted and (folder / "xlsx").is_dir():
        return folder / "xlsx", int(json.loads(stamp.read_text())["expected"]["loadable"])
    print(f"generating {rows:,} rows in {files} workbooks into {folder} (bench_reading.generate)...", flush=True)
    shutil.rmtree(folder / "xlsx", ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    expected = bench_reading.generate(folder, n_rows=rows, n_files=files, seed=bench_reading.SEED)
    stamp.write_text(json.dumps({"params": wanted, "expected": expected}))
    return folder / "xlsx", int(expected["loadable"])


def worker_floor(xlsx: Path, out: Path) -> dict[str, object]:
    clock = Clock()
    clock.start("import")
    import pandas as pd
    from openpyxl import Workbook

    from estate.reading import read_inventory

    clock.start("read")
    systems = read_inventory(xlsx).systems
    clock.start("write")
    frame = pd.DataFrame({c: systems[c] if c in systems else None for c in SYSTEMS_COLUMNS})
    # The plan-only columns, filled with stand-ins of the same kind so the sheet has the plan's shape.
    frame["match_confidence"] = 1.0
    frame["option"] = ""
    frame["fate"] = "Keep"
    frame["capability_code"] = systems["capability"]
    frame["vendor_given"], frame["product_given"] = systems["vendor"], systems["product"]
    cells = frame.astype(object).where(frame.notna(), None)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Systems")
    sheet.append(list(SYSTEMS_COLUMNS))
    for row in cells.itertuples(index=False, name=None):
        sheet.append([v.to_pydatetime() if isinstance(v, pd.Timestamp) else v for v in row])
    book.save(out)
    clock.stop()
    wall, cpu = clock.total(("read", "write"))
    return {"rows": len(systems), "steps": clock.steps, "wall_s": wall, "cpu_s": cpu, "peak_mb": round(_peak_mb()),
            "out_mb": round(out.stat().st_size / 2**20, 1)}


def worker_plan(xlsx: Path, out: Path, charts: bool) -> dict[str, object]:
    clock = Clock()
    clock.start("import")
    from estate.plan import Plan, make_plan

    names = {"Reading inventories": "read", "Matching products and capabilities": "match",
             "Building the estate graph": "graph", "Finding overlaps": "overlaps",
             "Generating and costing options": "options", "Choosing the portfolio": "portfolio",
             "Sharing between partners and laying out the roadmap": "share+roadmap"}
    plan = make_plan(xlsx, progress=lambda step: clock.start(names.get(step, step)))
    writes = hasattr(Plan, "write")
    written: dict[str, Path] = {}
    if charts:
        clock.start("charts")
        from estate.charts import write_charts

        written = write_charts(plan, out.parent / "charts")
    if writes:
        clock.start("write")
        plan.write(out, charts=written)
    clock.stop()
    wall, cpu = clock.total(tuple(s["step"] for s in clock.steps if s["step"] != "import"))
    return {"rows": len(plan.inventory.systems), "matched": len(plan.matched), "options": len(plan.options.options),
            "recommended": len(plan.recommended), "wrote": writes, "steps": clock.steps, "wall_s": wall,
            "cpu_s": cpu, "peak_mb": round(_peak_mb()),
            "out_mb": round(out.stat().st_size / 2**20, 1) if writes else None}


# ----------------------------------------------------------------------------------------------
# Reporting


def _machine() -> str:
    from importlib.metadata import version

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    packages = ("pandas", "numpy", "networkx", "rapidfuzz", "scipy", "python-calamine", "openpyxl", "xlsxwriter")
    found = []
    for name in packages:
        try:
            found.append(f"{name} {version(name)}")
        except Exception:  # noqa: BLE001 - a missing package is reported, not fatal
            found.append(f"{name} ?")
    return (f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB RAM, {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, " + ", ".join(found))


def _revision() -> str:
    def git(*args: str) -> str:  # read-only calls
        done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False)
        return done.stdout.rstrip()

    dirty = [line[3:] for line in git("status", "--porcelain", "--", "estate").splitlines()]
    return f"estate at {git('rev-parse', '--short', 'HEAD').strip() or 'unknown'}" + (
        f" with uncommitted changes to {', '.join(dirty)}" if dirty else "")


def _steps(result: dict[str, object], skip: tuple[str, ...] = ("import", "generate")) -> str:
    return ", ".join(f"{s['step']} {float(s['wall_s']):.1f}/{float(s['cpu_s']):.1f}"
                     for s in result["steps"] if s["step"] not in skip)  # type: ignore[union-attr]


def _gb(mb: float) -> str:
    return f"{mb / 1024:.2f}"


def report_pipeline(sizes: list[int], organisations: int, repeat: int) -> None:
    print("\n## Issue 3 point 7: match_systems + build_graph + find_overlaps\n")
    print(f"wall s (CPU s) of each step in one process, the run with the median total of {repeat}; "
          "peak RSS of the whole process (of the inputs alone in brackets)\n")
    print("| systems | orgs | match s (CPU) | graph s (CPU) | overlaps s (CPU) | **total s** | total CPU s | "
          "peak RSS GB (inputs) | goal | load avg before -> after |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
    for n in sizes:
        runs = []
        for _ in range(repeat):
            runs.append(_worker("pipeline", str(n), str(organisations)))
            print(f"<!-- {json.dumps({k: v for k, v in runs[-1].items()})} -->", flush=True)
        r = sorted(runs, key=lambda x: float(x["wall_s"]))[(len(runs) - 1) // 2]
        step = {s["step"]: s for s in r["steps"]}  # type: ignore[union-attr]
        seconds, gigabytes = GOALS.get(n, (None, None))
        peak_gb = float(r["process_peak_mb"]) / 1024
        if seconds is None:
            goal = "-"
        else:
            met = float(r["wall_s"]) <= seconds and (gigabytes is None or peak_gb <= gigabytes)
            goal = (f"≤ {seconds:g} s" + (f", ≤ {gigabytes:g} GB" if gigabytes else "")
                    + (": **met**" if met else ": **missed**"))
        cell = {k: f"{float(step[k]['wall_s']):.2f} ({float(step[k]['cpu_s']):.2f})" for k in ("match", "graph",
                                                                                                "overlaps")}
        print(f"| {n:,} | {organisations} | {cell['match']} | {cell['graph']} | {cell['overlaps']} | "
              f"**{float(r['wall_s']):.2f}** | {float(r['cpu_s']):.2f} | {_gb(float(r['process_peak_mb']))} "
              f"({_gb(float(step['generate']['peak_mb']))}) | {goal} | {r['load_before']} -> {r['load_after']} |",
              flush=True)
        if repeat > 1:
            print(f"<!-- {n:,}: total wall s of the runs {[float(x['wall_s']) for x in runs]}, CPU s "
                  f"{[float(x['cpu_s']) for x in runs]} -->", flush=True)


def report_plan(steps: list[str], data: Path, rows: int, files: int, repeat: int, charts: bool) -> None:
    xlsx, loadable = dataset(data, rows, files)
    size = sum(p.stat().st_size for p in xlsx.glob("*.xlsx")) / 2**20
    print(f"\n## Issue 5 point 8: estate plan end to end on {rows:,} rows in {files} workbooks "
          f"({xlsx}, {size:.1f} MiB)\n", flush=True)
    scratch = Path(tempfile.mkdtemp(prefix="estate-bench-pipeline-"))
    runs: dict[str, list[dict[str, object]]] = {s: [] for s in steps}
    try:
        for r in range(repeat):
            for step in steps:  # interleaved, so a change of load spreads over every step
                out = scratch / f"{step}.xlsx"
                if step == "floor":
                    result = _worker("floor", str(xlsx), str(out))
                elif step == "plan":
                    result = _worker("plan", str(xlsx), str(out), *(["--charts"] if charts else []))
                else:
                    command = [sys.executable, "-m", "estate.cli", "plan", str(xlsx), "--out", str(out)]
                    if charts:
                        command += ["--charts", str(scratch / "charts")]
                    result = run_child(command, quiet=True)
                    result["wall_s"], result["cpu_s"] = result["process_wall_s"], result["process_cpu_s"]
                    result["out_mb"] = round(out.stat().st_size / 2**20, 1) if out.exists() else None
                if step != "cli" and result["rows"] != loadable:
                    raise SystemExit(f"{step} read {result['rows']} systems, expected {loadable}")
                runs[step].append(result)
                out.unlink(missing_ok=True)
                print(f"  round {r + 1} {step:6} {float(result['wall_s']):7.2f} s wall, "
                      f"{float(result['cpu_s']):7.2f} s CPU, load {result['load_before']} -> "
                      f"{result['load_after']}", flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    def med(step: str, key: str) -> float:
        return statistics.median(float(x[key]) for x in runs[step])

    labels = {"floor": "floor: read_inventory + openpyxl write-only Systems sheet",
              "plan": "make_plan + Plan.write (in one process)", "cli": "`estate plan FOLDER --out plan.xlsx`"}
    print(f"\nmedian of {repeat}; 'in-process' excludes interpreter start and imports, 'process' includes them\n")
    print("| measurement | in-process s | CPU s | process s | process CPU s | peak RSS GB | output MB | "
          "load avg before -> after |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for step in steps:
        last = runs[step][-1]
        label = labels[step] + ("" if step != "plan" or last["wrote"] else " (**no Plan.write: make_plan only**)")
        inner = "-" if step == "cli" else f"{med(step, 'wall_s'):.2f}"
        inner_cpu = "-" if step == "cli" else f"{med(step, 'cpu_s'):.2f}"
        loads = "; ".join(f"{x['load_before']} -> {x['load_after']}" for x in runs[step])
        print(f"| {label} | {inner} | {inner_cpu} | {med(step, 'process_wall_s'):.2f} | "
              f"{med(step, 'process_cpu_s'):.2f} | {_gb(med(step, 'process_peak_mb'))} | {last.get('out_mb')} | "
              f"{loads} |")
    for step in ("floor", "plan"):
        for r, result in enumerate(runs.get(step, []), start=1):
            print(f"\n{step} round {r} steps, wall/CPU s: {_steps(result, ('generate',))}")
            print(f"<!-- {json.dumps({k: v for k, v in result.items() if k != 'steps'})} -->")
    if "floor" in runs:
        floor, floor_cpu, floor_process = med("floor", "wall_s"), med("floor", "cpu_s"), med("floor", "process_wall_s")
        print()
        for step in ("plan", "cli"):
            if step not in runs:
                continue
            process = med(step, "process_wall_s")
            line = f"{labels[step]}: process {process / floor_process:.2f}x the floor's process time"
            if step == "plan":
                line += (f", in-process {med(step, 'wall_s') / floor:.2f}x wall and "
                         f"{med(step, 'cpu_s') / floor_cpu:.2f}x CPU")
            print(line + f" (goal ≤ {FLOOR_RATIO}x)")
    for step in ("plan", "cli"):
        if step in runs:
            wall, peak = med(step, "process_wall_s"), med(step, "process_peak_mb") / 1024
            met = wall <= PLAN_GOAL_S and peak <= PLAN_GOAL_GB
            print(f"{step}: {wall:.1f} s, {peak:.2f} GB against ≤ {PLAN_GOAL_S:g} s and ≤ {PLAN_GOAL_GB:g} GB: "
                  f"{'met' if met else 'missed'}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", type=int, nargs="+", default=[100_000, 1_000_000],
                        help="pipeline sizes (default 100,000 and 1,000,000)")
    parser.add_argument("--organisations", type=int, default=300,
                        help="organisations, and workbooks of the xlsx set (default 300)")
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the xlsx set (default 100,000)")
    parser.add_argument("--data", type=Path, default=Path("/tmp/ebr_full"),
                        help="folder of bench_reading's set (xlsx/ and generated.json); generated there if absent")
    parser.add_argument("--only", nargs="+", choices=STEPS, default=list(STEPS), metavar="STEP",
                        help=f"steps to run, of {', '.join(STEPS)}")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of each measurement (medians reported; floor, plan and cli interleaved)")
    parser.add_argument("--charts", action="store_true", help="plan and cli also draw the charts")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        step, *rest = args.worker
        if step == "pipeline":
            result = worker_pipeline(int(rest[0]), int(rest[1]))
        elif step == "floor":
            result = worker_floor(Path(rest[0]), Path(rest[1]))
        else:
            result = worker_plan(Path(rest[0]), Path(rest[1]), charts=args.charts)
        print(json.dumps(result))
        return

    print(_machine())
    print(f"{_revision()}; {time.strftime('%Y-%m-%d %H:%M %Z')}; load average (1/5/15 min) {_loadavg()}",
          flush=True)
    if "pipeline" in args.only:
        report_pipeline(args.systems, args.organisations, args.repeat)
    steps = [s for s in STEPS[1:] if s in args.only]
    if steps:
        report_plan(steps, args.data, args.rows, args.organisations, args.repeat, args.charts)
    print(f"\nload average at the end: {_loadavg()}")


if __name__ == "__main__":
    main()
