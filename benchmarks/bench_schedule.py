"""Choosing and phasing the portfolio at 100,000 systems: the schedule step of ``make_plan`` alone.

Issue 12, build point 5. ``make_plan`` spends most of its time before the schedule (reading,
matching, overlaps, options), so this benchmark builds what the schedule step needs once, as
``make_plan`` does (read -> match -> graph -> overlaps -> ``generate_options`` ->
``plan_reorganisation``), and pickles it (``--prepare``, about a minute). Each measurement then runs
in a fresh process (``--worker``) and times, wall clock by ``time.perf_counter``:

* ``inputs``: :func:`estate.schedule.schedule_inputs`;
* ``solve``: :func:`estate.schedule.schedule_portfolio` (the model, HiGHS, the reasons);
* ``apply``: :func:`estate.schedule.apply_schedule`;

and writes the answer (chosen options, their starts, the objective, the solver's status) to
``--answer FILE`` (JSON) so that two versions can be compared for the same answer.

The data is ``combined.csv`` of ``bench_reading.generate`` (100,000 rows, 300 organisations), as
``bench_risk.py`` uses it. Run from the repository root, with ``nice -n 10``::

    python benchmarks/bench_schedule.py --prepare           # once (or after the options change)
    python benchmarks/bench_schedule.py --repeat 3 --answer /tmp/answer.json
    python benchmarks/bench_schedule.py --profile           # cProfile of one run, top 30 by cumulative time
    python benchmarks/bench_schedule.py --source inventories/cumbria --cache /tmp/cumbria.pkl --answer c.json
"""

from __future__ import annotations

import argparse
import copyreg
import json
import os
import pickle
import subprocess
import sys
import time
import types
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def read_only(mapping: dict) -> types.MappingProxyType:
    """A read-only view of ``mapping`` (how the pickled ``Assumptions.sources`` is rebuilt)."""
    return types.MappingProxyType(mapping)


def _pickle_read_only() -> None:
    """Let pickle store ``Assumptions.sources`` (a read-only mapping, which it refuses by default)."""
    import bench_schedule  # this script by its module name, so that a pickle can be read from anywhere

    copyreg.pickle(types.MappingProxyType, lambda mapping: (bench_schedule.read_only, (dict(mapping),)))


def prepare(csv: Path, cache: Path) -> None:
    """Everything ``make_plan`` has when it starts ``Choosing and phasing the portfolio``, pickled."""
    import pandas as pd

    from estate.assumptions import load_assumptions
    from estate.graph import build_graph
    from estate.matching import match_systems
    from estate.options import generate_options
    from estate.overlaps import find_overlaps
    from estate.plan import _dated
    from estate.reading import read_inventory
    from estate.reorganisation import plan_reorganisation, successor_groups

    start = time.perf_counter()
    assumptions = _dated(load_assumptions())
    inventory = read_inventory(csv, currency=assumptions.currency, first_month=assumptions.first_month)
    matched = match_systems(inventory.systems)
    build_graph(matched, inventory=inventory)  # as make_plan does (the options do not use it)
    as_of = pd.Timestamp(year=assumptions.first_year, month=assumptions.first_month, day=1)
    overlaps = find_overlaps(matched, inventory, as_of=as_of,
                             under_used_below=assumptions.under_used_site_threshold)
    options = generate_options(matched, assumptions=assumptions, inventory=inventory,
                               groups=successor_groups(inventory.organisations, overlaps.partner_groups),
                               interfaces=overlaps.integration_blast_radius, sites=overlaps.site_overlaps)
    options, reorganisation = plan_reorganisation(options, matched, inventory.organisations, assumptions)
    sites = matched[["system_key", "site_key"]] if "site_key" in matched else None
    state = {"assumptions": assumptions, "options": options, "reorganisation": reorganisation, "sites": sites}
    _pickle_read_only()
    cache.write_bytes(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))
    print(f"prepared {len(options.options):,} candidate options in {time.perf_counter() - start:.1f} s -> {cache}")


def worker(cache: Path, profile: bool) -> dict:
    """Time the schedule step as ``make_plan`` runs it, on the pickled state."""
    from estate.portfolio import PortfolioConstraints
    from estate.schedule import apply_schedule, schedule_inputs, schedule_portfolio

    state = pickle.loads(cache.read_bytes())
    a, options, reorganisation, sites = (state[k] for k in ("assumptions", "options", "reorganisation", "sites"))
    earliest = dict(zip(reorganisation.earliest["option_id"], reorganisation.earliest["earliest_year"], strict=True))
    why = dict(zip(reorganisation.earliest["option_id"], reorganisation.earliest["reason"], strict=True))
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    t0 = time.perf_counter()
    inputs = schedule_inputs(options, a, sites=sites, earliest_start=earliest, earliest_reason=why)
    t1 = time.perf_counter()
    schedule = schedule_portfolio(inputs, a, constraints=PortfolioConstraints(), require_optimal=False)
    t2 = time.perf_counter()
    applied = apply_schedule(options, schedule, a)
    t3 = time.perf_counter()
    if profiler is not None:
        import io
        import pstats

        profiler.disable()
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(60)
        print(text.getvalue(), file=sys.stderr)
    table = schedule.table
    chosen = applied.options.loc[applied.options["option_id"].isin(schedule.portfolio.chosen)]
    return {"options": len(inputs.option_ids), "recommended": len(table), "status": schedule.portfolio.status,
            "objective": schedule.portfolio.objective,
            "starts": {str(o): int(s) for o, s in zip(table["option_id"], table["start"], strict=True)},
            "reasons": {str(o): str(r) for o, r in zip(table["option_id"], table["reason"], strict=True)},
            "npv": {str(o): round(float(v), 6) for o, v in zip(chosen["option_id"], chosen["npv"], strict=True)},
            "inputs_s": t1 - t0, "solve_s": t2 - t1, "apply_s": t3 - t2, "step_s": t3 - t0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/tmp/ebr_risk"))
    parser.add_argument("--prepare", action="store_true", help="build and pickle the schedule step's inputs")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--answer", type=Path, help="write the last run's answer (JSON) here")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--source", type=Path, help="another inventory (file or folder) instead of combined.csv")
    parser.add_argument("--cache", type=Path, help="where the prepared state is pickled "
                        "(default DATA/schedule_state.pkl)")
    parser.add_argument("--worker", type=Path, metavar="CACHE")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.profile)))
        return
    csv, cache = args.source or args.data / "combined.csv", args.cache or args.data / "schedule_state.pkl"
    if args.prepare or not cache.exists():
        if not csv.exists():
            import bench_reading

            args.data.mkdir(parents=True, exist_ok=True)
            bench_reading.generate(args.data, n_rows=100_000, n_files=300)
        prepare(csv, cache)
        if args.prepare:
            return
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(HERE.parent)}
    for _ in range(args.repeat):
        load = Path("/proc/loadavg").read_text().split()[:3]
        command = [sys.executable, __file__, "--worker", str(cache)] + (["--profile"] if args.profile else [])
        done = subprocess.run(command, capture_output=True, text=True, env=env)
        if done.returncode != 0:
            sys.exit(f"the worker failed (exit {done.returncode}):\n{done.stderr.strip()}")
        if args.profile:
            print(done.stderr)
        result = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"load {' '.join(load)}: {result['options']:,} candidates, {result['recommended']} recommended, "
              f"{result['status']}, objective {result['objective']:,.2f}; schedule_inputs {result['inputs_s']:.2f} s, "
              f"schedule_portfolio {result['solve_s']:.2f} s, apply_schedule {result['apply_s']:.2f} s, "
              f"step {result['step_s']:.2f} s", flush=True)
        if args.answer:
            args.answer.write_text(json.dumps({k: result[k] for k in ("options", "recommended", "status", "objective",
                                                                         "starts", "reasons", "npv")}, indent=1))


if __name__ == "__main__":
    main()
