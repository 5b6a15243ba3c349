"""``generate_options`` alone on the 100,000-system benchmark, timed in a fresh process, with its results dumped.

Issue 12, build point 5 (the options part of the plan). The inputs are built as
:func:`estate.plan.make_plan` builds them: ``read_inventory(combined.csv)`` (the CSV of
``bench_risk.py``), ``match_systems``, ``find_overlaps`` (``as_of`` the plan's first day,
``under_used_below`` the assumptions' threshold) and ``successor_groups``; default assumptions dated
as ``make_plan`` dates them; no fit overrides. They are built once and pickled (``--prepare``), so
that each timing is ``generate_options`` alone, in a fresh process (``--worker``), wall by
``time.perf_counter``, CPU by ``time.process_time``. ``--dump DIR`` writes every table of the result
(each frame of the :class:`~estate.options.Options` object) as a pickle, and ``--compare A B``
checks two dumps are identical with ``pandas.testing.assert_frame_equal`` (a speed-up must not
change a value, a dtype or an order)::

    python benchmarks/bench_options.py --prepare                      # about 20 s; /tmp/ebr_options/inputs.pkl
    nice -n 10 python benchmarks/bench_options.py --repeat 3          # timings, each in a fresh process
    python benchmarks/bench_options.py --dump /tmp/ebr_options/before
    python benchmarks/bench_options.py --compare /tmp/ebr_options/before /tmp/ebr_options/after
    python benchmarks/bench_options.py --profile                      # cProfile, the 25 costliest functions

Other inputs for the identity checks: ``--source`` (an inventory file or folder, such as
``inventories/cumbria``), ``--assumptions FILE.toml``, ``--fit-overrides FILE.csv``, each pickled to
its own ``--inputs`` file by ``--prepare``.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import time
from dataclasses import fields
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_CSV = Path("/tmp/ebr_risk/combined.csv")
DEFAULT_DIR = Path("/tmp/ebr_options")


def prepare(source: Path, inputs: Path, assumptions_file: Path | None = None,
            fit_overrides: Path | None = None) -> None:
    """Build ``generate_options``'s arguments as ``make_plan`` does, and pickle them."""
    import pandas as pd

    from estate.assumptions import load_assumptions
    from estate.matching import match_systems
    from estate.overlaps import find_overlaps
    from estate.plan import _dated
    from estate.reading import read_inventory
    from estate.reorganisation import successor_groups

    assumptions = _dated(load_assumptions(assumptions_file))
    inventory = read_inventory(source, header_map=None, keep_going=False, currency=assumptions.currency,
                               first_month=assumptions.first_month)
    matched = match_systems(inventory.systems, mapping=None)
    as_of = pd.Timestamp(year=assumptions.first_year, month=assumptions.first_month, day=1)
    overlaps = find_overlaps(matched, inventory, as_of=as_of, under_used_below=assumptions.under_used_site_threshold)
    arguments = {"matched": matched, "inventory": inventory,  # the assumptions are rebuilt (not picklable)
                 "groups": successor_groups(inventory.organisations, overlaps.partner_groups),
                 "interfaces": overlaps.integration_blast_radius, "sites": overlaps.site_overlaps,
                 "fit_overrides": None, "assumptions_file": assumptions_file}
    if fit_overrides is not None:
        from estate.fit_overrides import read_fit_overrides

        arguments["fit_overrides"] = read_fit_overrides(fit_overrides)
    inputs.parent.mkdir(parents=True, exist_ok=True)
    with inputs.open("wb") as file:
        pickle.dump(arguments, file, protocol=pickle.HIGHEST_PROTOCOL)
    print(f"{len(matched):,} systems; inputs in {inputs}")


def _load(inputs: Path) -> dict:
    from estate.assumptions import load_assumptions
    from estate.plan import _dated

    with inputs.open("rb") as file:
        arguments = pickle.load(file)
    assumptions = _dated(load_assumptions(arguments.pop("assumptions_file", None)))
    return {**arguments, "assumptions": assumptions}


def worker(inputs: Path, dump: Path | None) -> dict:
    from estate.options import generate_options

    arguments = _load(inputs)
    wall, cpu = time.perf_counter(), time.process_time()
    options = generate_options(arguments.pop("matched"), **arguments)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if dump is not None:
        dump.mkdir(parents=True, exist_ok=True)
        for f in fields(options):
            value = getattr(options, f.name)
            if f.name != "assumptions":
                value.to_pickle(dump / f"{f.name}.pkl")
    kinds = options.options["type"].value_counts().sort_index().to_dict()
    return {"wall_s": wall, "cpu_s": cpu, "options": len(options.options), "effects": len(options.effects),
            "kinds": kinds}


def compare(before: Path, after: Path) -> None:
    import pandas as pd
    from pandas.testing import assert_frame_equal

    names = sorted(p.name for p in before.glob("*.pkl"))
    if not names or names != sorted(p.name for p in after.glob("*.pkl")):
        sys.exit(f"the dumps hold different tables: {names} against {sorted(p.name for p in after.glob('*.pkl'))}")
    for name in names:
        left, right = pd.read_pickle(before / name), pd.read_pickle(after / name)
        assert_frame_equal(left, right, check_exact=True)
        print(f"{name}: {left.shape[0]:,} rows x {left.shape[1]} columns identical")


def run(inputs: Path, dump: Path | None = None) -> dict:
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(HERE.parent)}
    command = [sys.executable, __file__, "--worker", str(inputs)] + (["--dump", str(dump)] if dump else [])
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        sys.exit(f"the worker failed (exit {done.returncode}):\n{done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_CSV, help="an inventory file or folder")
    parser.add_argument("--assumptions", type=Path, help="a TOML of assumptions (default: the packaged ones)")
    parser.add_argument("--fit-overrides", type=Path, help="a fit overrides CSV")
    parser.add_argument("--inputs", type=Path, default=DEFAULT_DIR / "inputs.pkl")
    parser.add_argument("--prepare", action="store_true", help="build and pickle the inputs")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--dump", type=Path, help="write every table of the result here")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    parser.add_argument("--profile", action="store_true", help="cProfile one run in this process")
    parser.add_argument("--worker", type=Path, metavar="INPUTS")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.dump)))
        return
    if args.compare:
        compare(*args.compare)
        return
    if args.prepare or not args.inputs.exists():
        prepare(args.source, args.inputs, args.assumptions, args.fit_overrides)
        if args.prepare:
            return
    if args.profile:
        import cProfile
        import pstats

        from estate.options import generate_options

        arguments = _load(args.inputs)
        profiler = cProfile.Profile()
        profiler.runcall(generate_options, arguments.pop("matched"), **arguments)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        return
    if args.dump:
        result = run(args.inputs, args.dump)
        print(f"dumped to {args.dump}: {result['options']:,} options, {result['effects']:,} effects")
        return
    for _ in range(args.repeat):
        load = Path("/proc/loadavg").read_text().split()[:3]
        result = run(args.inputs)
        after = Path("/proc/loadavg").read_text().split()[:3]
        print(f"generate_options: {result['wall_s']:.2f} s wall, {result['cpu_s']:.2f} s CPU; "
              f"{result['options']:,} options ({', '.join(f'{n:,} {k}' for k, n in result['kinds'].items())}), "
              f"{result['effects']:,} effects; load {' '.join(load)} -> {' '.join(after)}", flush=True)


if __name__ == "__main__":
    main()
