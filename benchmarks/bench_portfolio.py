"""Benchmark portfolio selection on a large synthetic estate.

Generates candidate options with the structure the options step produces:
organisations grouped in regions, systems by capability, and options that
consolidate systems of one capability within a region (a shared platform across
organisations, or rationalisation within one). Each option retires 1-6 systems
and keeps one survivor (which survives, is re-contracted jointly or is moved),
so many options compete for the same systems. One-off costs fall in the first
three years; each year's budget is a share of what the options that pay would
spend that year; every partner must gain a non-negative NPV share.

Run from the repository root::

    python benchmarks/bench_portfolio.py                       # 5,000 options, 300 organisations, 20,000 systems
    python benchmarks/bench_portfolio.py --budget-share 0.35 0.5 1.0 none
    python benchmarks/bench_portfolio.py --gap 1e-5            # stop within 0.001% of the bound

Times are wall-clock (``time.perf_counter``); nothing is asserted about them.
HiGHS 1.12 (bundled with scipy 1.17) may write a stray debug line,
``HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();``,
to standard output; filter it with ``| grep -v tmpSolver``.
``build`` is validating the inputs and building the sparse constraint matrix;
``solve`` is HiGHS plus the check of its answer.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from estate.portfolio import PortfolioConstraints, _build_model, _solve_model  # noqa: E402

YEARS = (2027, 2028, 2029)


def generate(
    *,
    n_options: int = 5_000,
    n_organisations: int = 300,
    n_systems: int = 20_000,
    n_capabilities: int = 60,
    n_regions: int = 30,
    budget_share: float | None = 0.35,
    seed: int = 2027,
) -> dict[str, pd.DataFrame]:
    """The inputs of ``select_portfolio`` for one synthetic estate, and the budgets (``budget_by_year``)."""
    rng = np.random.default_rng(seed)
    organisation = rng.integers(0, n_organisations, n_systems)
    capability = rng.integers(0, n_capabilities, n_systems)
    run_cost = rng.lognormal(mean=11.0, sigma=1.0, size=n_systems)  # median about £60k a year
    cell = capability * n_regions + organisation % n_regions  # one capability in one region
    cells = pd.Series(np.arange(n_systems)).groupby(cell).indices
    cell_ids = np.array(sorted(k for k, members in cells.items() if len(members) >= 2))
    system_key = np.array([f"S{i:06d}" for i in range(n_systems)])

    effect_rows, share_rows, cost_rows, npv_rows = [], [], [], []
    for o in range(n_options):
        option_id = f"OPT{o:05d}"
        members = cells[rng.choice(cell_ids)]
        touched = rng.choice(members, size=min(len(members), int(rng.integers(2, 8))), replace=False)
        survivor, retired = touched[0], touched[1:]
        keep_effect = rng.choice(["survive", "recontract", "move"], p=[0.7, 0.2, 0.1])
        effect_rows.append((option_id, system_key[survivor], keep_effect))
        effect_rows.extend((option_id, system_key[s], "retire") for s in retired)
        saved = run_cost[retired].sum()
        one_off = float(rng.uniform(0.8, 3.5) * saved)
        npv = float(8.0 * rng.uniform(0.5, 0.9) * saved - one_off)  # about ten years of savings at 3.5%
        npv_rows.append((option_id, npv))
        start = int(rng.integers(0, len(YEARS)))
        span = YEARS[start : start + int(rng.integers(1, 3))]
        cost_rows.extend((option_id, year, one_off / len(span)) for year in span)
        # The organisations that retire systems gain; the survivor's organisation carries part of the cost.
        gain = (npv + 0.3 * one_off) / len(retired)
        share_rows.extend((option_id, f"ORG{org:03d}", gain) for org in organisation[retired])
        share_rows.append((option_id, f"ORG{organisation[survivor]:03d}", -0.3 * one_off))

    options = pd.DataFrame(npv_rows, columns=["option_id", "npv"])
    one_off_by_year = pd.DataFrame(cost_rows, columns=["option_id", "year", "amount"])
    paying = one_off_by_year[one_off_by_year["option_id"].isin(options.loc[options["npv"] > 0, "option_id"])]
    budgets = {} if budget_share is None else (paying.groupby("year")["amount"].sum() * budget_share).round(-3)
    return {
        "options": options,
        "effects": pd.DataFrame(effect_rows, columns=["option_id", "system_key", "effect"]),
        "one_off_by_year": one_off_by_year,
        "partner_npv": pd.DataFrame(share_rows, columns=["option_id", "organisation", "npv"]),
        "budget_by_year": {int(year): float(limit) for year, limit in dict(budgets).items()},
    }


def run(*, seed: int, budget_share: float | None, gap: float, time_limit: float, **sizes: int) -> dict[str, object]:
    """Generate, build and solve one instance; return its figures."""
    data = generate(seed=seed, budget_share=budget_share, **sizes)
    constraints = PortfolioConstraints(
        budget_by_year=data.pop("budget_by_year"), min_partner_npv=0.0, time_limit_seconds=time_limit, mip_rel_gap=gap
    )
    start = time.perf_counter()
    model = _build_model(data.pop("options"), data.pop("effects"), constraints=constraints, **data)
    built = time.perf_counter()
    portfolio = _solve_model(model)
    solved = time.perf_counter()
    return {
        "seed": seed,
        "budget_share": "none" if budget_share is None else budget_share,
        "options": len(model.option_ids),
        "rows": sum(family.A.shape[0] for _, family in model.families),
        "nonzeros": sum(family.A.nnz for _, family in model.families),
        "build_s": round(built - start, 2),
        "solve_s": round(solved - built, 2),
        "status": portfolio.status,
        "gap": f"{portfolio.gap:.1e}",
        "chosen": len(portfolio.chosen),
        "npv_m": round(portfolio.objective / 1e6, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--options", type=int, default=5_000)
    parser.add_argument("--organisations", type=int, default=300)
    parser.add_argument("--systems", type=int, default=20_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[2027, 2028, 2029])
    parser.add_argument("--budget-share", nargs="+", default=["0.35"], help="shares of demand, or 'none'")
    parser.add_argument("--gap", type=float, default=0.0, help="mip_rel_gap (0 proves optimality)")
    parser.add_argument("--time-limit", type=float, default=120.0)
    args = parser.parse_args(argv)
    import scipy

    sizes = {"n_options": args.options, "n_organisations": args.organisations, "n_systems": args.systems}
    shares = [None if share == "none" else float(share) for share in args.budget_share]
    rows = [
        run(seed=seed, budget_share=share, gap=args.gap, time_limit=args.time_limit, **sizes)
        for share in shares
        for seed in args.seeds
    ]
    versions = (
        f"python {platform.python_version()}, scipy {scipy.__version__}, numpy {np.__version__}, "
        f"pandas {pd.__version__}, {os.cpu_count()} cores"
    )
    print(f"{versions}; mip_rel_gap={args.gap}")
    print(pd.DataFrame(rows).to_string(index=False))


if __name__ == "__main__":
    main()
