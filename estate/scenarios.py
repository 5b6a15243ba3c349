"""Scenarios: the same estate planned under named sets of assumption overrides, side by side.

A scenario is a TOML or YAML file naming any subset of the assumptions (as an
``--assumptions`` file does), laid over the base plan's assumptions; its name
is the file's stem (``cautious.toml`` is ``cautious``). Each scenario is
planned in full (options, portfolio, schedule, sensitivity) from the same
inventory, and :func:`compare_scenarios` sets their headline figures and
recommended options beside the base plan's; the plan workbook shows them on a
``Scenarios`` sheet (``estate plan ... --scenario cautious.toml --scenario
ambitious.toml``).

Examples
--------
>>> import pathlib, tempfile
>>> from estate.plan import make_plan
>>> from estate.examples import two_councils
>>> base = make_plan(two_councils())
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "cautious.toml").write_text("discount_rate = 0.06\\nbias_mitigation = 0.4\\n")
>>> plans = plan_scenarios(base, [folder / "cautious.toml"])
>>> table = compare_scenarios(base, plans)
>>> table["scenario"].tolist(), bool(table.loc[1, "npv"] < table.loc[0, "npv"])
(['base', 'cautious'], True)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import pandas as pd

from estate.errors import ParameterError

if TYPE_CHECKING:
    from estate.assumptions import Assumptions
    from estate.plan import Plan

__all__ = ["SCENARIO_COLUMNS", "compare_scenarios", "plan_scenarios", "scenario_assumptions"]

SCENARIO_COLUMNS = ("scenario", "overrides", "recommended_options", "annual_saving", "one_off_cost", "npv",
                    "payback_years", "npv_p10", "npv_p50", "npv_p90", "probability_positive", "last_start",
                    "options", "added", "dropped")
"""Columns of :func:`compare_scenarios`."""


def scenario_assumptions(path: str | Path, base: Assumptions) -> tuple[str, Assumptions]:
    """A scenario's name (the file's stem) and the base assumptions with the file's values laid over them.

    Raises
    ------
    ParameterError
        As :func:`estate.assumptions.load_assumptions` for a bad file or value.
    """
    from estate.assumptions import load_assumptions

    file = Path(path)
    given = load_assumptions(file)
    overrides = {name: getattr(given, name) for name in given.sources}
    return file.stem, replace(base, **overrides, sources=MappingProxyType({**base.sources, **given.sources}))


def plan_scenarios(plan: Plan, paths: Iterable[str | Path], *, mapping: Any = None,
                   constraints: Any = None, partner_budgets: Any = None) -> dict[str, Plan]:
    """Plan the same inventory under each scenario file.

    Parameters
    ----------
    plan : Plan
        The base plan (its inventory and assumptions).
    paths : iterable of path
        Scenario files (TOML or YAML); their stems must differ and not be ``base``.
    mapping, constraints, partner_budgets
        As for :func:`estate.plan.make_plan`; without ``partner_budgets``,
        the base plan's (:attr:`estate.plan.Plan.partner_budgets`).

    Returns
    -------
    dict of str to Plan
        By scenario name, in the order given.
    """
    from estate.plan import make_plan

    plans: dict[str, Plan] = {}
    if partner_budgets is None and plan.partner_budgets:
        partner_budgets = dict(plan.partner_budgets)
    for path in paths:
        name, assumptions = scenario_assumptions(path, plan.assumptions)
        if name == "base" or name in plans:
            raise ParameterError(f"{Path(path).name}: scenario names come from file names and must differ from "
                                 f"each other and from 'base'; {name!r} is taken.")
        plans[name] = make_plan(plan.inventory, assumptions=assumptions, mapping=mapping, constraints=constraints,
                                 partner_budgets=partner_budgets, fit_overrides=plan.fit_overrides)
    return plans


def _overrides(base: Assumptions, other: Assumptions) -> str:
    changed = [f"{name} = {value}" for name, value in other.to_dict().items() if value != getattr(base, name)]
    return "; ".join(changed) if changed else "none"


def compare_scenarios(base: Plan, plans: Mapping[str, Plan]) -> pd.DataFrame:
    """Headline figures and recommended options of the base plan and each scenario, one row each.

    Returns
    -------
    DataFrame
        Columns :data:`SCENARIO_COLUMNS`: the overrides, the count of
        recommended options, the recommended annual saving, one-off cost,
        NPV, payback, the Monte Carlo NPV P10/P50/P90 and probability NPV >
        0, the financial year the last option starts, the recommended
        options, and those added and dropped against the base plan.
    """
    from estate.appraisal import fy_label

    rows = []
    chosen_base = set(base.recommended)
    for name, plan in (("base", base), *plans.items()):
        head = plan.headline()
        sens = plan.sensitivity().simulation.summary()
        chosen = set(plan.recommended)
        starts = plan.options.options.loc[plan.options.options["option_id"].isin(chosen), "start_year"]
        last = fy_label(int(starts.max()), first_month=plan.assumptions.first_month) if len(starts) else ""
        rows.append({
            "scenario": name, "overrides": _overrides(base.assumptions, plan.assumptions),
            "recommended_options": int(head["Recommended options"]),
            "annual_saving": head["Recommended annual saving"], "one_off_cost": head["One-off cost"],
            "npv": head["NPV"], "payback_years": head["Payback years"],
            "npv_p10": sens["NPV P10"], "npv_p50": sens["NPV P50"], "npv_p90": sens["NPV P90"],
            "probability_positive": sens["Probability NPV > 0"], "last_start": last,
            "options": "; ".join(sorted(chosen)),
            "added": "; ".join(sorted(chosen - chosen_base)), "dropped": "; ".join(sorted(chosen_base - chosen)),
        })
    return pd.DataFrame(rows, columns=list(SCENARIO_COLUMNS))
