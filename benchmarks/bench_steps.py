"""Time the pipeline steps of ``estate plan`` one by one, and dump their outputs to compare before/after.

Issue 12, build point 5 (the pipeline's share of the 100,000-system plan). In a fresh process
(``PYTHONHASHSEED=0``) on ``combined.csv`` of ``bench_risk.py``:

* ``--steps quick`` (default): ``read_inventory`` of the CSV, ``match_systems``, ``build_graph`` and
  ``find_overlaps``, called as ``make_plan`` calls them, each timed (wall, ``time.perf_counter``);
* ``--steps full``: the whole ``make_plan(csv)``, with ``read_inventory``, ``match_systems``,
  ``build_graph``, ``find_overlaps``, ``plan_reorganisation``, ``share_portfolio`` and
  ``build_roadmap`` wrapped to time them and keep what they return, then ``plan.sensitivity()``.
  The steps of the other lanes (options, schedule) run but are not timed here.

Each step's wall time (``time.perf_counter``) and CPU time (``time.process_time``, steadier when
the cores are shared) are printed, with ``/proc/loadavg`` before and after.

``--dump FILE`` pickles every output flattened to named frames, series and scalars (the inventory's
tables and data issues, the matched frame, the graph's node and edge counts and every node's and
edge's attributes as frames, every overlaps frame, the reorganisation, partner shares, roadmap and
sensitivity). ``--compare A B`` checks two dumps are identical, each frame with
``pandas.testing.assert_frame_equal`` (dtypes, index and column order included), and lists any
difference. Run with ``nice -n 10``::

    python benchmarks/bench_steps.py [--csv /tmp/ebr_risk/combined.csv] [--steps quick|full] [--dump out.pkl]
    python benchmarks/bench_steps.py --compare before.pkl after.pkl
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def flatten(obj: Any, name: str, out: dict[str, Any], depth: int = 0) -> None:
    """Every frame, series, array and scalar reachable from ``obj``, named by its path."""
    import networkx as nx
    import numpy as np
    import pandas as pd

    if depth > 6:
        out[name] = repr(obj)
    elif isinstance(obj, (pd.DataFrame, pd.Series, pd.Index)):
        out[name] = obj
    elif isinstance(obj, np.ndarray):
        out[name] = obj
    elif isinstance(obj, nx.Graph):
        out[f"{name}.type"] = type(obj).__name__
        out[f"{name}.graph"] = repr(sorted(obj.graph.items(), key=lambda kv: str(kv[0])))
        out[f"{name}.number_of_nodes"] = obj.number_of_nodes()
        out[f"{name}.number_of_edges"] = obj.number_of_edges()
        nodes = pd.DataFrame([{"__node__": n, **d} for n, d in obj.nodes(data=True)])
        out[f"{name}.nodes"] = nodes
        if obj.is_multigraph():
            edges = [{"__u__": u, "__v__": v, "__key__": k, **d} for u, v, k, d in obj.edges(keys=True, data=True)]
        else:
            edges = [{"__u__": u, "__v__": v, **d} for u, v, d in obj.edges(data=True)]
        out[f"{name}.edges"] = pd.DataFrame(edges)
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for field in dataclasses.fields(obj):
            flatten(getattr(obj, field.name), f"{name}.{field.name}", out, depth + 1)
    elif isinstance(obj, dict) or hasattr(obj, "items") and hasattr(obj, "keys"):
        for key in sorted(obj.keys(), key=str):
            flatten(obj[key], f"{name}[{key!r}]", out, depth + 1)
    elif isinstance(obj, (list, tuple)):
        if all(isinstance(v, (str, int, float, bool, type(None), frozenset)) for v in obj):
            out[name] = repr(type(obj)(sorted(v) if isinstance(v, frozenset) else v for v in obj))
        else:
            for i, value in enumerate(obj):
                flatten(value, f"{name}[{i}]", out, depth + 1)
    elif isinstance(obj, (str, int, float, bool, type(None), np.generic, pd.Timestamp)):
        out[name] = obj
    elif hasattr(obj, "__dict__"):
        for key in sorted(vars(obj)):
            if not key.startswith("_"):
                flatten(getattr(obj, key), f"{name}.{key}", out, depth + 1)
    else:
        out[name] = repr(obj)


def worker(csv: Path, steps: str, dump: Path | None) -> dict:
    import estate.graph
    import estate.matching
    import estate.overlaps
    import estate.reading
    import estate.reorganisation
    import estate.roadmap
    import estate.sharing

    times: dict[str, float] = {}
    cpu: dict[str, float] = {}
    kept: dict[str, Any] = {}

    def timed(module: Any, attr: str, label: str) -> None:
        inner = getattr(module, attr)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            t0, c0 = time.perf_counter(), time.process_time()
            result = inner(*args, **kwargs)
            times[label] = times.get(label, 0.0) + time.perf_counter() - t0
            cpu[label] = cpu.get(label, 0.0) + time.process_time() - c0
            kept[label] = result
            return result

        setattr(module, attr, wrapper)

    timed(estate.reading, "read_inventory", "read_inventory")
    timed(estate.matching, "match_systems", "match_systems")
    timed(estate.graph, "build_graph", "build_graph")
    timed(estate.overlaps, "find_overlaps", "find_overlaps")
    if steps == "quick":
        from estate.assumptions import load_assumptions

        a = load_assumptions()
        import pandas as pd

        inventory = estate.reading.read_inventory(csv, currency=a.currency, first_month=a.first_month)
        matched = estate.matching.match_systems(inventory.systems)
        estate.graph.build_graph(matched, inventory=inventory)
        as_of = pd.Timestamp(year=a.first_year, month=a.first_month, day=1)
        estate.overlaps.find_overlaps(matched, inventory, as_of=as_of, under_used_below=a.under_used_site_threshold)
    else:
        timed(estate.reorganisation, "plan_reorganisation", "plan_reorganisation")
        timed(estate.sharing, "share_portfolio", "share_portfolio")
        timed(estate.roadmap, "build_roadmap", "build_roadmap")
        from estate.plan import make_plan

        t0, c0 = time.perf_counter(), time.process_time()
        plan = make_plan(csv)
        times["make_plan (all)"] = time.perf_counter() - t0
        cpu["make_plan (all)"] = time.process_time() - c0
        t0, c0 = time.perf_counter(), time.process_time()
        kept["sensitivity"] = plan.sensitivity()
        times["sensitivity"] = time.perf_counter() - t0
        cpu["sensitivity"] = time.process_time() - c0
    if dump:
        flat: dict[str, Any] = {}
        for label, value in kept.items():
            flatten(value, label, flat)
        with open(dump, "wb") as handle:
            pickle.dump(flat, handle)
    return {label: [times[label], cpu[label]] for label in times}


def compare(a_path: Path, b_path: Path) -> int:
    import numpy as np
    import pandas as pd

    with open(a_path, "rb") as handle:
        a = pickle.load(handle)
    with open(b_path, "rb") as handle:
        b = pickle.load(handle)
    bad = 0
    for name in sorted(set(a) | set(b)):
        if name not in a or name not in b:
            print(f"only in {'B' if name not in a else 'A'}: {name}")
            bad += 1
            continue
        x, y = a[name], b[name]
        try:
            if isinstance(x, pd.DataFrame):
                pd.testing.assert_frame_equal(x, y, check_exact=True)
            elif isinstance(x, pd.Series):
                pd.testing.assert_series_equal(x, y, check_exact=True)
            elif isinstance(x, pd.Index):
                pd.testing.assert_index_equal(x, y, exact=True)
            elif isinstance(x, np.ndarray):
                np.testing.assert_array_equal(x, y, strict=True)
            elif not (x == y or (x != x and y != y)):
                raise AssertionError(f"{x!r} != {y!r}")
        except AssertionError as error:
            print(f"DIFFERENT {name}: {str(error).strip()[:600]}")
            bad += 1
    print(f"{len(set(a) | set(b))} outputs compared, {bad} different")
    return 1 if bad else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=Path("/tmp/ebr_risk/combined.csv"))
    parser.add_argument("--steps", choices=("quick", "full"), default="quick")
    parser.add_argument("--dump", type=Path)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--worker", action="store_true")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"))
    args = parser.parse_args()
    if args.compare:
        sys.exit(compare(*args.compare))
    if args.worker:
        print(json.dumps(worker(args.csv, args.steps, args.dump)))
        return
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": str(HERE.parent), "MPLBACKEND": "Agg"}
    for _ in range(args.repeat):
        load = Path("/proc/loadavg").read_text().split()[:3]
        command = [sys.executable, __file__, "--worker", "--csv", str(args.csv), "--steps", args.steps]
        if args.dump:
            command += ["--dump", str(args.dump)]
        done = subprocess.run(command, capture_output=True, text=True, env=env)
        if done.returncode != 0:
            sys.exit(f"the worker failed (exit {done.returncode}):\n{done.stderr.strip()}")
        times = json.loads(done.stdout.strip().splitlines()[-1])
        after = Path("/proc/loadavg").read_text().split()[:3]
        print(f"load before {' '.join(load)}, after {' '.join(after)}")
        ours = [0.0, 0.0]
        print(f"  {'step':<22} {'wall':>8} {'CPU':>8}")
        for label, (wall, cpu) in times.items():
            print(f"  {label:<22} {wall:6.2f} s {cpu:6.2f} s")
            if label != "make_plan (all)":
                ours = [ours[0] + wall, ours[1] + cpu]
        print(f"  {'pipeline steps':<22} {ours[0]:6.2f} s {ours[1]:6.2f} s")


if __name__ == "__main__":
    main()
