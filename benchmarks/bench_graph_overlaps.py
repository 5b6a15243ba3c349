"""Benchmark the estate graph and the overlap analysis on large synthetic estates.

Builds a synthetic matched-systems frame (the shape :func:`estate.matching.match_systems`
returns) and an inventory with organisations, sites, contracts and integrations, then
times :func:`estate.graph.build_graph` and :func:`estate.overlaps.find_overlaps`
(charts are not drawn). Each size runs in a fresh process, so its peak memory
(the process's maximum resident set size, which includes the synthetic inputs and
Python itself) is its own.

The synthetic estate: organisations of uneven size; capabilities from the packaged
taxonomy with a long-tailed popularity; 2 to 14 products a capability (a few
popular ones), about one vendor for every three products; 8% of systems with no
product, 4% in-house, 6% unlisted; run cost log-normal (median about £22k a year);
contract ends spread over 2025-2032 (12% unknown); a third of systems at one of
their organisation's two sites, 3% at another organisation's; a contract for 30%
of systems; 1.5 integrations a system, 10% of them to another organisation.

Run from the repository root::

    python benchmarks/bench_graph_overlaps.py                   # 100,000 and 1,000,000 systems
    python benchmarks/bench_graph_overlaps.py --systems 100000  # one size
    python benchmarks/bench_graph_overlaps.py --organisations 3000 --systems 1000000

Times are wall-clock (``time.perf_counter``), with the process's CPU time beside them
(``time.process_time``: on a machine shared with other work the wall-clock time is
longer, and the one-minute load average is recorded); nothing is asserted about them.
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

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from estate import Inventory  # noqa: E402
from estate.reference import load_capabilities  # noqa: E402


def generate(n_systems: int, n_organisations: int, *, seed: int = 2027) -> tuple[pd.DataFrame, Inventory]:
    """A synthetic matched-systems frame and the inventory it came from."""
    rng = np.random.default_rng(seed)
    taxonomy = load_capabilities()
    codes = taxonomy.loc[taxonomy["parent"] != "", "code"].to_numpy(dtype=object)
    names = dict(zip(taxonomy["code"], taxonomy["name"]))
    organisations = np.array([f"Organisation {i:04d}" for i in range(n_organisations)], dtype=object)
    weight = rng.pareto(1.5, n_organisations) + 1
    org = organisations[rng.choice(n_organisations, n_systems, p=weight / weight.sum())]
    popularity = 1 / np.arange(1, len(codes) + 1) ** 0.8
    capability = codes[rng.choice(len(codes), n_systems, p=popularity / popularity.sum())]
    products_per_capability = rng.integers(2, 15, len(codes))
    product_index = {code: i for i, code in enumerate(codes)}
    cap_number = pd.Series(capability).map(product_index).to_numpy()
    choice = np.floor(rng.pareto(1.2, n_systems)).astype(int) % products_per_capability[cap_number]
    product_number = cap_number * 20 + choice
    product_id = pd.Series(product_number).map(lambda n: f"product-{n:05d}").to_numpy(dtype=object)
    vendor_name = pd.Series(product_number // 3).map(lambda n: f"Vendor {n:04d}").to_numpy(dtype=object)
    n = np.arange(n_systems)
    system_key = org + "/SYS-" + pd.Series(n).astype(str).to_numpy(dtype=object)
    kind = rng.random(n_systems)
    product_id = np.where(kind < 0.08, None, product_id)
    product_id = np.where((kind >= 0.08) & (kind < 0.12), "in-house:" + system_key, product_id)
    unlisted = (kind >= 0.12) & (kind < 0.18)
    product_id = np.where(unlisted, "unlisted:Local product " + pd.Series(product_number % 500).astype(str)
                          .to_numpy(dtype=object), product_id)
    vendor_name = np.where(kind < 0.12, None, vendor_name)
    product_name = pd.Series(product_id).str.replace("product-", "Product ", regex=False).to_numpy(dtype=object)
    cost = np.round(rng.lognormal(10.0, 1.2, n_systems), 2)
    end = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 8 * 365, n_systems), unit="D")
    contract_end = pd.Series(end).where(rng.random(n_systems) > 0.12)
    site_roll = rng.random(n_systems)
    own_site = org + "/" + np.where(rng.random(n_systems) < 0.7, "Main data centre", "Server room")
    other = organisations[rng.integers(0, n_organisations, n_systems)] + "/Main data centre"
    site_key = np.where(site_roll < 0.30, own_site, np.where(site_roll < 0.33, other, None))
    matched = pd.DataFrame({
        "source_file": org + ".xlsx", "source_sheet": "Systems", "source_row": n % 5000 + 2,
        "organisation": org, "system": "System " + pd.Series(n % 997).astype(str).to_numpy(dtype=object),
        "system_key": system_key, "product_id": product_id, "product_name": product_name,
        "vendor_name": vendor_name, "capability_code": capability,
        "capability_name": pd.Series(capability).map(names).to_numpy(dtype=object),
        "annual_cost": cost, "users": np.round(rng.lognormal(4, 1.3, n_systems)), "contract_end": contract_end,
        "site_key": site_key, "match_confidence": np.round(rng.uniform(0.5, 1, n_systems), 3),
        "product_confidence": np.round(rng.uniform(0.5, 1, n_systems), 3), "product_method": "alias",
        "capability_confidence": np.round(rng.uniform(0.5, 1, n_systems), 3), "capability_method": "catalogue",
        "lifecycle": "live", "criticality": "high",
    })
    sites = pd.DataFrame({
        "organisation": np.repeat(organisations, 2),
        "site": np.tile(["Main data centre", "Server room"], n_organisations),
        "site_type": np.tile(["data centre", "server room"], n_organisations),
        "annual_cost": np.round(rng.lognormal(11, 0.8, 2 * n_organisations), 0),
        "racks": rng.integers(1, 40, 2 * n_organisations).astype(float),
        "utilisation": np.round(rng.uniform(0.1, 0.95, 2 * n_organisations), 2),
    })
    sites["site_key"] = sites["organisation"] + "/" + sites["site"]
    covered = rng.random(n_systems) < 0.30
    contracts = pd.DataFrame({
        "source_file": org[covered] + ".xlsx", "source_sheet": "Contracts", "source_row": n[covered] % 5000 + 2,
        "organisation": org[covered], "contract_id": "CON-" + pd.Series(n[covered]).astype(str).to_numpy(dtype=object),
        "system": system_key[covered], "supplier": vendor_name[covered], "annual_value": cost[covered],
        "contract_end": contract_end[covered].to_numpy(), "system_key": system_key[covered]})
    n_flows = int(1.5 * n_systems)
    source = rng.integers(0, n_systems, n_flows)
    near = np.clip(source + rng.integers(-40, 40, n_flows), 0, n_systems - 1)  # mostly the same organisation
    order = np.argsort(org, kind="stable")
    target = np.where(rng.random(n_flows) < 0.10, rng.integers(0, n_systems, n_flows), order[near])
    source = order[source]
    integrations = pd.DataFrame({"organisation": org[source], "source": system_key[source],
                                 "target": system_key[target], "source_key": system_key[source],
                                 "target_key": system_key[target], "listed_in": "Integrations"})
    organisations_frame = pd.DataFrame({"organisation": organisations,
                                        "short_name": [f"Org {i}" for i in range(n_organisations)],
                                        "sector": "district council"})
    return matched, Inventory(organisations=organisations_frame, sites=sites, contracts=contracts,
                              integrations=integrations)


def peak_megabytes() -> float:
    """The process's maximum resident set size so far, in MB (ru_maxrss is in kB on Linux)."""
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1e6


def run_one(n_systems: int, n_organisations: int) -> dict:
    """Generate, build the graph and find the overlaps once, in this process."""
    from estate.graph import build_graph
    from estate.overlaps import find_overlaps

    start = time.perf_counter()
    matched, inventory = generate(n_systems, n_organisations)
    generated = time.perf_counter() - start
    after_inputs = peak_megabytes()
    start, cpu = time.perf_counter(), time.process_time()
    graph = build_graph(matched, inventory=inventory)
    graph_seconds, graph_cpu = time.perf_counter() - start, time.process_time() - cpu
    nodes, edges = graph.number_of_nodes(), graph.number_of_edges()
    after_graph = peak_megabytes()
    start, cpu = time.perf_counter(), time.process_time()
    overlaps = find_overlaps(matched, inventory, as_of="2026-04-01")
    overlaps_seconds, overlaps_cpu = time.perf_counter() - start, time.process_time() - cpu
    return {
        "systems": n_systems, "organisations": n_organisations, "generate_s": round(generated, 2),
        "graph_s": round(graph_seconds, 2), "overlaps_s": round(overlaps_seconds, 2),
        "total_s": round(graph_seconds + overlaps_seconds, 2), "graph_cpu_s": round(graph_cpu, 2),
        "overlaps_cpu_s": round(overlaps_cpu, 2), "total_cpu_s": round(graph_cpu + overlaps_cpu, 2),
        "load_average": round(os.getloadavg()[0], 2), "nodes": nodes, "edges": edges,
        "capability_overlaps": len(overlaps.capability_overlaps), "shared_products": len(overlaps.shared_products),
        "partner_pairs": len(overlaps.partner_affinity), "groups": int(overlaps.partner_groups["group"].max()),
        "peak_inputs_mb": round(after_inputs), "peak_graph_mb": round(after_graph), "peak_mb": round(peak_megabytes()),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--organisations", type=int, default=300)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        sys.stdout.write(json.dumps(run_one(args.systems[0], args.organisations)) + "\n")
        return
    sys.stdout.write(f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs\n")
    header = (f"{'systems':>10} {'orgs':>5} {'graph s':>8} {'overlaps s':>10} {'total s':>8} {'total CPU s':>11} "
              f"{'nodes':>10} {'edges':>10} {'peak MB':>8}")
    sys.stdout.write(header + "\n")
    for n in args.systems:
        done = subprocess.run([sys.executable, __file__, "--worker", "--systems", str(n), "--organisations",
                               str(args.organisations)], capture_output=True, text=True, check=True)
        row = json.loads(done.stdout.strip().splitlines()[-1])
        sys.stdout.write(f"{row['systems']:>10,} {row['organisations']:>5} {row['graph_s']:>8.2f} "
                         f"{row['overlaps_s']:>10.2f} {row['total_s']:>8.2f} {row['total_cpu_s']:>11.2f} "
                         f"{row['nodes']:>10,} {row['edges']:>10,} "
                         f"{row['peak_mb']:>8,}\n")
        sys.stdout.write("    " + json.dumps(row) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
