"""estate plan on 100,000 systems with phasing, sensitivity and Monte Carlo, against the plain I/O floor.

Issue 12, build point 5. The data is ``combined.csv`` of ``bench_reading.generate`` (100,000 rows,
300 organisations; generated into ``--data`` unless there). Each measurement runs in a fresh process
(``--worker``), wall time by ``time.perf_counter``, peak RSS by ``resource.getrusage``:

* ``floor``: ``pandas.read_csv(combined.csv)``, then a 100,000-row, 13-column sheet written with
  openpyxl's write-only mode;
* ``plan``: ``make_plan(combined.csv)`` (each step timed through ``progress``, phasing included),
  ``plan.sensitivity()`` (switching values, tornado, ``monte_carlo_draws`` = 10,000 draws), then
  ``plan.write(out)``.

Goals: the plan within 60 s and 4 GB, and at most 1.5 x the floor. Run with ``nice -n 10``::

    python benchmarks/bench_risk.py [--rows 100000 --files 300 --data /tmp/ebr_risk --repeat 1]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker_floor(csv: Path, out: Path) -> dict:
    start = time.perf_counter()
    import pandas as pd
    from openpyxl import Workbook

    t0 = time.perf_counter()
    frame = pd.read_csv(csv)
    t1 = time.perf_counter()
    cells = frame.iloc[:, :13].astype(object).where(frame.iloc[:, :13].notna(), None)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Systems")
    sheet.append([str(c) for c in cells.columns])
    for row in cells.itertuples(index=False, name=None):
        sheet.append(list(row))
    book.save(out)
    t2 = time.perf_counter()
    return {"rows": len(frame), "read_s": t1 - t0, "write_s": t2 - t1, "wall_s": t2 - t0,
            "with_imports_s": t2 - start, "peak_mb": round(_peak_mb())}


def worker_plan(csv: Path, out: Path) -> dict:
    start = time.perf_counter()
    from estate.plan import make_plan

    steps: list[tuple[str, float]] = []
    last = [time.perf_counter(), ""]

    def progress(step: str) -> None:
        now = time.perf_counter()
        if last[1]:
            steps.append((last[1], now - last[0]))
        last[0], last[1] = now, step

    t0 = time.perf_counter()
    try:
        plan = make_plan(csv, progress=progress)
    except Exception:  # say how far it got, then fail (run() shows this stderr)
        steps.append((f"{last[1]} (failed)", time.perf_counter() - last[0]))
        print("steps: " + "; ".join(f"{step} {seconds:.1f} s" for step, seconds in steps)
              + f"; peak {_peak_mb():.0f} MB", file=sys.stderr)
        raise
    progress("")
    t1 = time.perf_counter()
    sens = plan.sensitivity()
    t2 = time.perf_counter()
    plan.write(out)
    t3 = time.perf_counter()
    steps += [("sensitivity and Monte Carlo", t2 - t1), ("writing the workbook", t3 - t2)]
    delays = plan.schedule.table
    return {"rows": len(plan.matched), "options": len(plan.options.options), "recommended": len(plan.recommended),
            "start_years": int(delays["start_year"].nunique()) if len(delays) else 0,
            "draws": sens.simulation.draws, "solver": plan.portfolio.status, "p10_p50_p90": [sens.value(f"NPV P{p}") for p in (10, 50, 90)],
            "steps": steps, "wall_s": t3 - t0, "with_imports_s": t3 - start, "peak_mb": round(_peak_mb()),
            "out_mb": round(out.stat().st_size / 2**20, 1)}


def run(kind: str, csv: Path, out: Path) -> dict:
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(HERE.parent)}
    done = subprocess.run([sys.executable, __file__, "--worker", kind, str(csv), str(out)],
                          capture_output=True, text=True, env=env)
    if done.returncode != 0:  # show why: the worker's stderr is captured, and would be lost
        sys.exit(f"the {kind} worker failed (exit {done.returncode}):\n{done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--files", type=int, default=300)
    parser.add_argument("--data", type=Path, default=Path("/tmp/ebr_risk"))
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--worker", nargs=3, metavar=("KIND", "CSV", "OUT"))
    args = parser.parse_args()
    if args.worker:
        kind, csv, out = args.worker
        result = (worker_floor if kind == "floor" else worker_plan)(Path(csv), Path(out))
        print(json.dumps(result))
        return
    import bench_reading

    csv = args.data / "combined.csv"
    if not csv.exists():
        args.data.mkdir(parents=True, exist_ok=True)
        bench_reading.generate(args.data, n_rows=args.rows, n_files=args.files)
    for _ in range(args.repeat):
        load = Path("/proc/loadavg").read_text().split()[:3]
        floor = run("floor", csv, args.data / "floor.xlsx")
        print(f"load {' '.join(load)}")
        print(f"floor: read_csv {floor['read_s']:.1f} s + openpyxl write-only {floor['write_s']:.1f} s "
              f"= {floor['wall_s']:.1f} s, {floor['peak_mb']} MB", flush=True)
        plan = run("plan", csv, args.data / "plan.xlsx")
        print(f"plan: {plan['wall_s']:.1f} s, {plan['peak_mb']} MB, {plan['rows']:,} systems, "
              f"{plan['options']:,} options, {plan['recommended']:,} recommended starting over "
              f"{plan['start_years']} financial years (solver: {plan.get('solver', '?')}); {plan['draws']:,} draws, P10/P50/P90 "
              + ", ".join(f"{v:,.0f}" for v in plan["p10_p50_p90"]))
        for step, seconds in plan["steps"]:
            print(f"  {step:<55} {seconds:6.1f} s")
        print(f"ratio plan / floor: {plan['wall_s'] / floor['wall_s']:.2f}")


if __name__ == "__main__":
    main()
