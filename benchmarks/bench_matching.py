"""Benchmark estate.matching: accuracy on a labelled set, and speed and memory at scale.

Accuracy
    ``benchmarks/accuracy/labelled.csv`` (written by
    ``benchmarks/accuracy/make_labelled.py``, seed fixed) holds 3,000 messy
    product, vendor and capability cells with the true product group and
    capability code. The scorer (``benchmarks/accuracy/score.py``) matches
    them and reports the *pairwise* precision, recall and F1 of the product
    grouping and of the capability grouping.

Speed
    ``make_inventory`` builds inventories of 100,000 and 1,000,000 systems
    across 300 organisations, each organisation spelling its products its own
    messy way. Each size runs in a fresh process, which times
    :func:`estate.matching.match_systems` (wall and CPU time) and reports the
    process's peak resident memory before and after matching
    (``resource.getrusage``), so the generator's memory is not counted as the
    matcher's.

Run ``python benchmarks/bench_matching.py`` (add ``--sizes 100000`` to skip the
million, ``--accuracy-only`` for the scores alone). Results go to stdout as a
Markdown table; ``benchmarks/README.md`` records a run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "accuracy"))
sys.path.insert(0, str(HERE.parent))


def accuracy() -> str:
    from score import read_labelled, score

    labelled = read_labelled()
    report, table = score(labelled)
    frame = report.to_frame()
    lines = ["| grouping | precision | recall | F1 | predicted pairs | true pairs |",
             "|---|---|---|---|---|---|"]
    for name, row in frame.iterrows():
        lines.append(f"| {name} | {row['precision']:.4f} | {row['recall']:.4f} | {row['f1']:.4f} | "
                     f"{int(row['predicted_pairs']):,} | {int(row['true_pairs']):,} |")
    lines.append(f"\n{len(labelled):,} labelled rows, {report.units:,} products after splitting.")
    return "\n".join(lines)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def worker(size: int, organisations: int) -> dict:
    """Build an inventory of ``size`` systems and time matching it (runs in its own process)."""
    from make_labelled import make_inventory

    from estate.matching import match_systems

    started = time.perf_counter()
    inventory = make_inventory(size, organisations)
    systems = inventory.drop(columns=["true_product_group", "true_capability_code", "kind"])
    del inventory
    generated = time.perf_counter() - started
    before = _peak_mb()
    wall, cpu = time.perf_counter(), time.process_time()
    matched = match_systems(systems)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "systems": size,
        "organisations": organisations,
        "rows_out": len(matched),
        "unique_products": int(systems["product"].nunique()),
        "unique_vendors": int(systems["vendor"].nunique()),
        "generate_s": round(generated, 1),
        "match_wall_s": round(wall, 2),
        "match_cpu_s": round(cpu, 2),
        "peak_before_mb": round(before),
        "peak_after_mb": round(_peak_mb()),
    }


def speed(sizes: list[int], organisations: int) -> str:
    lines = ["| systems | rows out | unique product texts | match wall (s) | match CPU (s) | "
             "peak RSS before / after matching (MB) |", "|---|---|---|---|---|---|"]
    for size in sizes:
        output = subprocess.run([sys.executable, __file__, "--worker", str(size), "--organisations",
                                 str(organisations)], capture_output=True, text=True, check=True)
        result = json.loads(output.stdout.strip().splitlines()[-1])
        lines.append(f"| {result['systems']:,} | {result['rows_out']:,} | {result['unique_products']:,} | "
                     f"{result['match_wall_s']} | {result['match_cpu_s']} | "
                     f"{result['peak_before_mb']:,} / {result['peak_after_mb']:,} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--organisations", type=int, default=300)
    parser.add_argument("--accuracy-only", action="store_true")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.organisations)))
        return
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, load average {load:.1f} at start\n")
    print("## Accuracy\n")
    print(accuracy())
    if not args.accuracy_only:
        print("\n## Speed and memory\n")
        print(speed(args.sizes, args.organisations))


if __name__ == "__main__":
    main()
