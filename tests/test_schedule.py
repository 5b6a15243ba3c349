"""Phasing (estate.schedule): the which-and-when MILP against brute force, capacity and dependency rules,
and the sample place's phased plan recalculated by LibreOffice.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import numpy_financial as npf
import pandas as pd
import pytest

from estate.assumptions import load_assumptions
from estate.plan import make_plan
from estate.schedule import ScheduleInputs, migration_years, schedule_portfolio

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "inventories" / "cumbria"


# --------------------------------------------------------------------------- #
# Brute force on small cases
# --------------------------------------------------------------------------- #


def later(values: list[float], d: int) -> list[float]:
    """Amounts moved d years later, written out: year t gets what year t - d had."""
    return [values[t - d] if t - d >= 0 else 0.0 for t in range(len(values))]


def random_case(rng: np.random.Generator, n: int, h: int):
    ids = [f"O{i}" for i in range(n)]
    natural = rng.integers(0, 3, n).tolist()
    savings = [[0.0 if t <= natural[i] else float(rng.integers(10, 60)) for t in range(h)] for i in range(n)]
    costs = [[float(rng.integers(20, 80)) if t == natural[i] else 0.0 for t in range(h)] for i in range(n)]
    start_costs = rng.integers(0, 10, n).astype(float).tolist()
    organisations = ["X", "Y"]
    migrating = pd.DataFrame([(o, p) for o in ids for p in organisations if rng.random() < 0.6],
                             columns=["option_id", "organisation"])
    systems = [f"s{k}" for k in range(9)]
    effects = []
    for o in ids:
        for s in rng.choice(systems, size=2, replace=False):
            effects.append((o, s, str(rng.choice(["retire", "survive", "recontract", "move"], p=[.5, .3, .1, .1])),
                            "X"))
    effects = pd.DataFrame(effects, columns=["option_id", "system_key", "effect", "organisation"])
    effects = effects.drop_duplicates(["option_id", "system_key"])
    after = pd.DataFrame([(ids[b], ids[a], int(rng.integers(0, 2))) for a, b in itertools.permutations(range(n), 2)
                          if rng.random() < 0.15], columns=["option_id", "after", "lag"])
    after = after.drop_duplicates(["option_id", "after"])
    return ScheduleInputs(option_ids=ids, natural_start=natural, savings=savings, system_costs=costs,
                          start_costs=start_costs, migrating=migrating, effects=effects, after=after)


def brute_force(inputs: ScheduleInputs, a) -> float:
    """Best NPV over every choice of (not chosen | delay 0..W-1) for each option, checking each rule by hand."""
    n, w, h = len(inputs.option_ids), a.start_window_years, a.horizon_years
    span = migration_years(a)
    ids = list(inputs.option_ids)
    value = {}
    for o in range(n):
        for d in range(w):
            s = later(list(inputs.savings[o]), d)
            c = later(list(inputs.system_costs[o]), d)
            start = inputs.natural_start[o] + d
            if start < h:
                c[start] += inputs.start_costs[o]
            value[o, d] = npf.npv(a.discount_rate, np.array(s) - np.array(c))
    effects = inputs.effects
    best = 0.0
    for choice in itertools.product([None, *range(w)], repeat=n):
        chosen = {ids[o]: d for o, d in enumerate(choice) if d is not None}
        start = {o: inputs.natural_start[ids.index(o)] + d for o, d in chosen.items()}
        if any(d > 0 and start[o] >= h for o, d in chosen.items()):
            continue
        mine = effects[effects["option_id"].isin(chosen)]
        counts = mine.groupby(["system_key", "effect"]).size()
        if any(counts.get((s, e), 0) > 1 for s in mine["system_key"] for e in ("retire", "survive", "recontract",
                                                                               "move")):
            continue
        retired = set(mine.loc[mine["effect"] == "retire", "system_key"])
        kept = mine[mine["effect"] != "retire"]
        if any(row.system_key in retired for row in kept.itertuples()):
            continue
        ok = True
        for organisation in (None, "X", "Y"):
            rows = inputs.migrating if organisation is None else inputs.migrating[
                inputs.migrating["organisation"] == organisation]
            movers = set(rows["option_id"]) & set(chosen)
            limit = a.migrations_at_once if organisation is None else a.migrations_per_organisation
            for t in range(h):
                if limit and sum(start[o] <= t < start[o] + span for o in movers) > limit:
                    ok = False
        for row in inputs.after.itertuples():
            if row.option_id in chosen and row.after in chosen and start[row.option_id] < start[row.after] + row.lag:
                ok = False
        if ok:
            best = max(best, sum(value[ids.index(o), d] for o, d in chosen.items()))
    return best


@pytest.mark.parametrize("seed", range(16))
def test_schedule_is_as_good_as_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = load_assumptions(horizon_years=6, start_window_years=3, migrations_per_organisation=1,
                         migrations_at_once=2, migration_months=int(rng.choice([12, 18])), discount_rate=0.05)
    inputs = random_case(rng, 5, 6)
    result = schedule_portfolio(inputs, a)
    assert result.portfolio.is_optimal
    assert result.portfolio.objective == pytest.approx(brute_force(inputs, a), abs=1e-6)


def test_delay_moves_savings_and_costs_later() -> None:
    a = load_assumptions(horizon_years=5, start_window_years=3, migrations_per_organisation=1)
    inputs = ScheduleInputs(option_ids=["A", "B"], natural_start=[0, 0],
                            savings=[[0, 100, 100, 100, 100], [0, 90, 90, 90, 90]],
                            system_costs=[[150, 0, 0, 0, 0], [150, 0, 0, 0, 0]], start_costs=[10, 10],
                            migrating=pd.DataFrame({"option_id": ["A", "B"], "organisation": ["X", "X"]}))
    result = schedule_portfolio(inputs, a)
    table = result.table.set_index("option_id")
    assert table.loc["A", "delay"] == 0 and table.loc["B", "delay"] == 1
    assert table.loc["B", "reason"] == "capacity" and "X already runs 1" in table.loc["B", "detail"]
    expected = npf.npv(a.discount_rate, [-160, 100, 100, 100, 100]) + npf.npv(a.discount_rate, [0, -160, 90, 90, 90])
    assert result.portfolio.objective == pytest.approx(expected)


def test_an_option_waits_for_the_one_it_relies_on() -> None:
    """B's survivor is moved by A: B starts once A's migration is done, though capacity would allow both."""
    a = load_assumptions(horizon_years=5, start_window_years=3, migrations_per_organisation=0, migrations_at_once=0)
    effects = pd.DataFrame({"option_id": ["A", "B", "B"], "system_key": ["s", "s", "t"],
                            "effect": ["move", "survive", "retire"], "organisation": ["X", "X", "X"]})
    inputs = ScheduleInputs(option_ids=["A", "B"], natural_start=[0, 0],
                            savings=[[0, 50, 50, 50, 50], [0, 80, 80, 80, 80]],
                            system_costs=[[40, 0, 0, 0, 0], [60, 0, 0, 0, 0]], start_costs=[0, 0],
                            migrating=pd.DataFrame({"option_id": ["A", "B"], "organisation": ["X", "X"]}),
                            effects=effects, after=pd.DataFrame({"option_id": ["B"], "after": ["A"], "lag": [1]}))
    table = schedule_portfolio(inputs, a).table.set_index("option_id")
    assert table.loc["A", "start"] == 0 and table.loc["B", "start"] == 1
    assert table.loc["B", "reason"] == "dependency"


def test_a_budget_delays_spending() -> None:
    from estate.portfolio import PortfolioConstraints

    a = load_assumptions(horizon_years=5, start_window_years=3, migrations_per_organisation=0, migrations_at_once=0)
    inputs = ScheduleInputs(option_ids=["A", "B"], natural_start=[0, 0],
                            savings=[[0, 100, 100, 100, 100], [0, 90, 90, 90, 90]],
                            system_costs=[[150, 0, 0, 0, 0], [150, 0, 0, 0, 0]], start_costs=[0, 0],
                            migrating=pd.DataFrame({"option_id": ["A"], "organisation": ["X"]}))
    result = schedule_portfolio(inputs, a, constraints=PortfolioConstraints(budget_by_year={2027: 200.0}))
    table = result.table.set_index("option_id")
    assert sorted(table["delay"]) == [0, 1] and table.loc["B", "reason"] == "budget"


# --------------------------------------------------------------------------- #
# The sample place
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def sample():
    return make_plan(SAMPLE)


def test_sample_starts_over_three_years_within_capacity(sample) -> None:
    a = sample.assumptions
    table = sample.schedule.table
    assert set(table["option_id"]) == set(sample.recommended)
    assert table["start_year"].nunique() >= 3
    starts = sample.options.options.set_index("option_id").loc[list(sample.recommended), "start_year"]
    assert (starts.to_numpy() == table.set_index("option_id").loc[list(sample.recommended), "start_year"]).all()
    # Count migrations by hand from the effects: options retiring or moving an organisation's systems.
    effects = sample.options.effects
    kinds = sample.options.options.set_index("option_id")["type"]
    moving = effects[effects["option_id"].isin(sample.recommended) & effects["effect"].isin(["retire", "move"])
                     & ~effects["system_key"].str.startswith("site:")
                     & effects["option_id"].map(kinds).ne("joint procurement")]
    span = migration_years(a)
    running = []
    for option, organisation in moving[["option_id", "organisation"]].drop_duplicates().itertuples(index=False):
        for k in range(span):
            running.append((organisation, int(starts[option]) + k, option))
    frame = pd.DataFrame(running, columns=["organisation", "year", "option"])
    assert frame.groupby(["organisation", "year"])["option"].nunique().max() <= a.migrations_per_organisation
    assert frame.groupby("year")["option"].nunique().max() <= a.migrations_at_once


def test_scheduled_options_carry_the_scheduled_flows(sample) -> None:
    flows = sample.options.cash_flows
    chosen = sample.options.options.set_index("option_id").loc[list(sample.recommended)]
    for option, row in chosen.iterrows():
        mine = flows[flows["option_id"] == option].sort_values("t")
        assert row["npv"] == pytest.approx(npf.npv(sample.assumptions.discount_rate, mine["net"].to_numpy()))
    assert sample.portfolio.objective == pytest.approx(chosen["npv"].sum())
    assert sample.headline()["NPV"] == pytest.approx(chosen["npv"].sum())


def test_unphased_flows_equal_the_costed_options() -> None:
    """start_window_years = 1 and no capacity limits: each option starts at its natural start, no delay."""
    plan = make_plan(SAMPLE, assumptions=load_assumptions(start_window_years=1, migrations_per_organisation=0,
                                                          migrations_at_once=0))
    assert (plan.schedule.table["delay"] == 0).all()


def test_a_phased_workbook_recalculates_to_the_stored_values(tmp_path: Path) -> None:
    """The workbook's formulas rebuild delayed options' flows (dates moved, start-year costs) as the library does."""
    from test_workbook import differences, formula_cells, recalculate, write_inventory

    # bias_mitigation 0.8 (the default before issue 10) recommends enough of this small estate's options for one
    # migration at a time to delay some.
    plan = make_plan(write_inventory(tmp_path / "inventory"),
                     assumptions=load_assumptions(migrations_per_organisation=1, migrations_at_once=1,
                                                  bias_mitigation=0.8))
    assert (plan.schedule.table["delay"] > 0).any()
    written = plan.write(tmp_path / "phased.xlsx")
    (out,) = recalculate([written], tmp_path / "recalculated", tmp_path / "profile")
    formulas = formula_cells(written)
    gaps = differences(formulas, written, out)
    worst = max(gaps, key=gaps.__getitem__)
    assert gaps[worst] <= 0.01, (worst, formulas[worst], gaps[worst])


# --------------------------------------------------------------------------- #
# At the time limit: the greedy fill of the same model
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("seed", range(8))
def test_greedy_fill_is_feasible_and_no_better_than_brute_force(seed: int) -> None:
    """A random 0/1 packing model: the greedy answer keeps every row, and brute force is never worse."""
    from scipy.optimize import LinearConstraint

    from estate.schedule import greedy_fill

    rng = np.random.default_rng(seed)
    m = 8
    objective = rng.integers(-5, 20, m).astype(float)
    packing = rng.integers(0, 2, (4, m)).astype(float)
    relies = np.zeros((1, m))
    relies[0, 0], relies[0, 1] = 1.0, -1.0  # column 0 only with column 1: x0 - x1 <= 0
    rows = [LinearConstraint(packing, -np.inf, 1.0), LinearConstraint(relies, -np.inf, 0.0)]
    x = greedy_fill(objective, np.ones(m), rows)
    assert x is not None
    for c in rows:
        assert np.all(c.A @ x <= c.ub + 1e-9)
    best = max(objective @ np.array(bits) for bits in itertools.product([0.0, 1.0], repeat=m)
               if all(np.all(c.A @ np.array(bits) <= c.ub + 1e-9) for c in rows))
    assert objective @ x <= best + 1e-9
    assert objective @ x > 0  # it takes something worth having whenever a column fits alone


def test_greedy_fill_honours_a_rule_met_by_a_later_column() -> None:
    """x0 needs x1 (x1 - x0 >= 0), x0 is worth more: the second pass takes x0 after x1."""
    from scipy.optimize import LinearConstraint

    from estate.schedule import greedy_fill

    rows = [LinearConstraint(np.array([[-1.0, 1.0]]), 0.0, np.inf)]
    assert greedy_fill(np.array([10.0, 1.0]), np.ones(2), rows).tolist() == [1.0, 1.0]
    assert greedy_fill(np.array([10.0, 1.0]), np.array([1.0, 0.0]), rows).tolist() == [0.0, 0.0]
    minimum = [LinearConstraint(np.array([[1.0, 1.0]]), 3.0, np.inf)]  # a minimum it cannot reach
    assert greedy_fill(np.array([10.0, 1.0]), np.ones(2), minimum) is None


def test_a_schedule_stopped_at_its_time_limit_is_still_a_plan() -> None:
    """With no time to solve, the schedule is the greedy fill: feasible, said so, and no better than optimal."""
    from estate.portfolio import PortfolioConstraints

    rng = np.random.default_rng(3)
    a = load_assumptions(horizon_years=6, start_window_years=3, migrations_per_organisation=1,
                         migrations_at_once=2, migration_months=12, discount_rate=0.05)
    inputs = random_case(rng, 5, 6)
    rushed = schedule_portfolio(inputs, a, constraints=PortfolioConstraints(time_limit_seconds=1e-9),
                                require_optimal=False)
    assert rushed.portfolio.status == "time limit"
    assert "greedy fill" in rushed.portfolio.message
    assert 0 < rushed.portfolio.objective <= brute_force(inputs, a) + 1e-6
    with pytest.raises(Exception, match="not proven optimal"):
        schedule_portfolio(inputs, a, constraints=PortfolioConstraints(time_limit_seconds=1e-9))


def test_make_plan_keeps_the_best_schedule_found_at_its_time_limit(tmp_path: Path) -> None:
    """A plan whose solver runs out of time is still made, and its status says so (it is not an error)."""
    from estate.portfolio import PortfolioConstraints

    inventory = tmp_path / "inventory.csv"
    inventory.write_text(
        "organisation,system,product,capability,users,annual_cost,contract_end\n"
        "North,HR,iTrent,HR,300,120000,31/03/2028\n"
        "South,HR,iTrent,HR,250,110000,31/03/2028\n"
        "South,People,Selima,HR,40,60000,31/03/2028\n"
        # Three migrations in South, which runs two at once: a capacity row the solver must keep (without
        # one, every row of the model is left out before the solve and HiGHS proves the optimum at once).
        "South,Ledger,Unit4 ERP,Finance,250,90000,31/03/2028\n"
        "South,Books,Sage 200,Finance,40,50000,31/03/2028\n"
        "South,Cases,Dynamics 365,CRM,250,80000,31/03/2028\n"
        "South,Contacts,Salesforce,CRM,40,70000,31/03/2028\n", encoding="utf-8")
    full = make_plan(inventory)
    rushed = make_plan(inventory, constraints=PortfolioConstraints(time_limit_seconds=1e-9))
    assert full.portfolio.status == "optimal"
    assert rushed.portfolio.status == "time limit"
    assert rushed.portfolio.objective <= full.portfolio.objective + 1e-6
    assert rushed.portfolio.objective > 0


# --------------------------------------------------------------------------- #
# What is left out of the model before it is solved (reduced_model)
# --------------------------------------------------------------------------- #


def best_choice(objective: np.ndarray, rows: list, n: int, w: int, columns: np.ndarray | None = None):
    """Brute force: the best of every choice of (no start | one start) an option, by the rows given.

    Returns the best value and the set of feasible choices (as 0/1 vectors over all n * w columns).
    """
    allowed = set(range(n * w)) if columns is None else set(columns.tolist())
    best, feasible = -np.inf, []
    for choice in itertools.product([None, *range(w)], repeat=n):
        x = np.zeros(n * w)
        for o, d in enumerate(choice):
            if d is not None:
                x[o * w + d] = 1.0
        if any(x[j] and j not in allowed for j in range(n * w)):
            continue
        if all(np.all(c.A @ x <= np.asarray(c.ub) + 1e-9) and np.all(c.A @ x >= np.asarray(c.lb) - 1e-9)
               for c in rows):
            feasible.append(x)
            best = max(best, float(objective @ x))
    return best, feasible


def random_model(rng: np.random.Generator, n: int, w: int):
    """A model over n options with w starts each: one-start rows, packing rows, rows with negative
    coefficients, rows with a lower bound, and option n - 1 a copy of option 0 that excludes it."""
    from scipy.optimize import LinearConstraint

    m = n * w
    objective = rng.integers(-12, 20, m).astype(float)
    objective[rng.random(m) < 0.2] = objective[0]  # equal values, so that dominance and copies are tested
    one_start = np.zeros((n, m))
    for o in range(n):
        one_start[o, o * w:(o + 1) * w] = 1.0
    rows = [LinearConstraint(one_start, -np.inf, 1.0)]
    packing = rng.integers(0, 3, (3, m)) * (rng.random((3, m)) < 0.5)
    rows.append(LinearConstraint(packing.astype(float), -np.inf, rng.integers(1, 4, 3).astype(float)))
    if rng.random() < 0.5:  # a budget with a negative cost (a refund): it eases the row
        mixed = rng.integers(-1, 3, (1, m)) * (rng.random((1, m)) < 0.6)
        rows.append(LinearConstraint(mixed.astype(float), -np.inf, float(rng.integers(0, 3))))
    if rng.random() < 0.5:  # a minimum (a partner's minimum NPV): an option worth nothing may help meet it
        gains = rng.integers(-2, 4, (1, m)) * (rng.random((1, m)) < 0.6)
        rows.append(LinearConstraint(gains.astype(float), float(rng.integers(-1, 3)), np.inf))
    # Option n - 1: a copy of option 0 (same values, same coefficients), the two exclusive (a shared row).
    objective[(n - 1) * w:] = objective[:w]
    for c in rows[1:]:
        c.A[:, (n - 1) * w:] = c.A[:, :w]
    exclusive = np.zeros((1, m))
    exclusive[0, :w] = exclusive[0, (n - 1) * w:] = 1.0
    rows.append(LinearConstraint(exclusive, -np.inf, 1.0))
    return objective, rows


@pytest.mark.parametrize("seed", range(40))
def test_the_reduced_model_has_the_same_optimum_as_brute_force(seed: int) -> None:
    """Brute force over the full model and over what reduced_model keeps: the same best value; every
    answer of the reduced model keeps every row of the full one; and something is left out."""
    from scipy.optimize import LinearConstraint

    from estate.schedule import reduced_model

    rng = np.random.default_rng(seed)
    n, w = 4, 3
    objective, rows = random_model(rng, n, w)
    upper = np.ones(n * w)
    upper[rng.random(n * w) < 0.1] = 0.0
    full_rows = rows + [LinearConstraint(np.eye(n * w), -np.inf, upper)]  # the upper bounds as rows
    best, _ = best_choice(objective, full_rows, n, w)
    kept, matrix, lower, upper_rows = reduced_model(objective, upper, rows, w)
    # The reduced model over its own columns, written back over all n * w columns.
    spread = np.zeros((matrix.shape[0], n * w))
    spread[:, kept] = matrix.toarray()
    reduced = [LinearConstraint(spread, lower, upper_rows)] if matrix.shape[0] else []
    value, answers = best_choice(objective, reduced + [rows[0]], n, w, columns=kept)
    assert value == best if not np.isfinite(best) else value == pytest.approx(best)
    for x in answers:  # each answer of the reduced model is an answer of the full one
        assert all(np.all(c.A @ x <= np.asarray(c.ub) + 1e-9) and np.all(c.A @ x >= np.asarray(c.lb) - 1e-9)
                   for c in full_rows)
    assert len(kept) < n * w


def test_an_option_worth_nothing_is_kept_where_it_helps_a_row() -> None:
    """Below zero but easing a budget (a negative coefficient) or counting toward a minimum: kept."""
    from scipy.optimize import LinearConstraint

    from estate.schedule import reduced_model

    one_start = LinearConstraint(np.eye(3), -np.inf, 1.0)  # w = 1: three options, one start each
    objective = np.array([-5.0, -5.0, 8.0])
    packing = LinearConstraint(np.array([[1.0, 1.0, 1.0]]), -np.inf, 2.0)
    kept, *_ = reduced_model(objective, np.ones(3), [one_start, packing], 1)
    assert kept.tolist() == [2]
    refund = LinearConstraint(np.array([[-1.0, 0.0, 1.0]]), -np.inf, 0.0)  # option 2 fits only beside option 0
    kept, *_ = reduced_model(objective, np.ones(3), [one_start, refund], 1)
    assert kept.tolist() == [0, 2]
    minimum = LinearConstraint(np.array([[0.0, 2.0, 1.0]]), 3.0, np.inf)  # option 1 is needed for the minimum
    kept, *_ = reduced_model(objective, np.ones(3), [one_start, minimum], 1)
    assert kept.tolist() == [1, 2]


def test_a_later_start_is_left_out_only_when_an_earlier_one_uses_no_more_room() -> None:
    """Option 0's start 1 is worth less than start 0: left out, unless start 0 uses more of some row."""
    from scipy.optimize import LinearConstraint

    from estate.schedule import reduced_model

    one_start = LinearConstraint(np.array([[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]]), -np.inf, 1.0)
    objective = np.array([9.0, 7.0, 4.0, 3.0])
    same = LinearConstraint(np.array([[1.0, 1.0, 1.0, 1.0]]), -np.inf, 1.0)
    kept, *_ = reduced_model(objective, np.ones(4), [one_start, same], 2)
    assert kept.tolist() == [0, 2]
    capacity = LinearConstraint(np.array([[1.0, 0.0, 1.0, 0.0]]), -np.inf, 1.0)  # year 0: start 0 of each
    kept, *_ = reduced_model(objective, np.ones(4), [one_start, capacity], 2)
    assert kept.tolist() == [0, 1, 2, 3]


def test_of_two_options_alike_in_everything_the_first_is_kept() -> None:
    """Copies that exclude each other: the later one is left out; copies that may both be chosen: kept."""
    from scipy.optimize import LinearConstraint

    from estate.schedule import reduced_model

    one_start = LinearConstraint(np.eye(3), -np.inf, 1.0)
    objective = np.array([6.0, 6.0, 2.0])
    retire_once = LinearConstraint(np.array([[1.0, 1.0, 0.0]]), -np.inf, 1.0)
    capacity = LinearConstraint(np.array([[1.0, 1.0, 1.0]]), -np.inf, 2.0)
    kept, *_ = reduced_model(objective, np.ones(3), [one_start, retire_once, capacity], 1)
    assert kept.tolist() == [0, 2]
    kept, *_ = reduced_model(objective, np.ones(3), [one_start, capacity], 1)
    assert kept.tolist() == [0, 1, 2]
    # Each after the same option (a row of its own, "twins"): still copies.
    after = LinearConstraint(np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]]), -np.inf, 1.0)
    kept, *_ = reduced_model(objective, np.ones(3), [one_start, retire_once, after], 1)
    assert kept.tolist() == [0, 2]


def test_dependency_rows_are_those_written_out_by_hand() -> None:
    """The vectorised rows "B after A" against a loop over pairs and years, on random starts."""
    from estate.schedule import _dependency_rows

    rng = np.random.default_rng(7)
    n, w, h = 6, 3, 7
    natural = rng.integers(0, 5, n)
    starts = natural[:, None] + np.arange(w)[None, :]
    pairs = [(b, a_, int(rng.integers(0, 3))) for b in range(n) for a_ in range(n) if b != a_ and rng.random() < 0.4]
    expected_rows, expected_cols, r = [], [], 0
    for b, a_, lag in pairs:
        for y in range(int(starts[b, 0]), h):
            early = [d for d in range(w) if starts[b, d] <= y]
            late = [d for d in range(w) if starts[a_, d] > y - lag]
            if early and late:
                expected_rows += [r] * (len(early) + len(late))
                expected_cols += [b * w + d for d in early] + [a_ * w + d for d in late]
                r += 1
    b, a_, lag = (np.array([p[i] for p in pairs]) for i in range(3))
    rows, cols, count = _dependency_rows(b, a_, lag, starts, h)
    assert count == r and rows.tolist() == expected_rows and cols.tolist() == expected_cols


@pytest.mark.parametrize("seed", range(8))
def test_a_costly_schedule_with_copies_is_as_good_as_brute_force(seed: int, monkeypatch) -> None:
    """Options mostly worth less than nothing, one a copy of another: the schedule still matches brute force,
    with the options worth less than nothing at every start left out before the model is built."""
    import estate.portfolio

    modelled = []
    selection_model = estate.portfolio.selection_model

    def spy(options, *args, **kwargs):
        modelled.append(len(options))
        return selection_model(options, *args, **kwargs)

    monkeypatch.setattr(estate.portfolio, "selection_model", spy)
    rng = np.random.default_rng(100 + seed)
    a = load_assumptions(horizon_years=6, start_window_years=3, migrations_per_organisation=1,
                         migrations_at_once=2, migration_months=12, discount_rate=0.05)
    inputs = random_case(rng, 5, 6)
    costs = [[c * 2.5 for c in row] for row in inputs.system_costs]
    ids = list(inputs.option_ids)
    # O4 becomes a copy of O0: the same flows, organisations and effects (so they retire the same systems).
    natural = list(inputs.natural_start)
    natural[4] = natural[0]
    savings = [list(r) for r in inputs.savings]
    savings[4], costs[4] = list(savings[0]), list(costs[0])
    start_costs = list(inputs.start_costs)
    start_costs[4] = start_costs[0]
    effects = inputs.effects[inputs.effects["option_id"] != "O4"]
    effects = pd.concat([effects, effects[effects["option_id"] == "O0"].assign(option_id="O4")], ignore_index=True)
    migrating = inputs.migrating[inputs.migrating["option_id"] != "O4"]
    migrating = pd.concat([migrating, migrating[migrating["option_id"] == "O0"].assign(option_id="O4")],
                          ignore_index=True)
    after = inputs.after[(inputs.after["option_id"] != "O4") & (inputs.after["after"] != "O4")]
    after = pd.concat([after, after[after["option_id"] == "O0"].assign(option_id="O4"),
                       after[after["after"] == "O0"].assign(after="O4")], ignore_index=True)
    case = ScheduleInputs(option_ids=ids, natural_start=natural, savings=savings, system_costs=costs,
                          start_costs=start_costs, migrating=migrating, effects=effects, after=after)
    result = schedule_portfolio(case, a)
    assert result.portfolio.is_optimal
    assert result.portfolio.objective == pytest.approx(brute_force(case, a), abs=1e-6)
    assert "O4" not in result.portfolio.chosen  # of the two copies, the first is the one recommended
    npv_any = np.array([[npf.npv(a.discount_rate, np.array(later(savings[o], d)) - np.array(
        [c + (start_costs[o] if t == natural[o] + d else 0.0) for t, c in enumerate(later(costs[o], d))]))
        for d in range(3)] for o in range(5)])
    kept = int((npv_any >= -1e-6).any(axis=1).sum())
    # The screen left the others out of the model, after checking their rows (a model of them alone).
    assert modelled == ([5 - kept] if kept < 5 else []) + [kept]


def test_an_option_worth_nothing_that_eases_a_budget_is_not_left_out() -> None:
    """A is worth less than nothing but refunds 100 in 2027, which B needs to fit the year's budget of 100:
    the best portfolio is both (the screen must not drop A when a budget is given)."""
    from estate.portfolio import PortfolioConstraints

    a = load_assumptions(horizon_years=5, start_window_years=1, migrations_per_organisation=0, migrations_at_once=0)
    inputs = ScheduleInputs(option_ids=["A", "B"], natural_start=[0, 0],
                            savings=[[0, 0, 0, 0, 0], [0, 60, 60, 60, 60]],
                            system_costs=[[-100, 0, 0, 0, 120], [150, 0, 0, 0, 0]], start_costs=[0, 0],
                            migrating=pd.DataFrame({"option_id": ["B"], "organisation": ["X"]}))
    value_a = npf.npv(a.discount_rate, [100, 0, 0, 0, -120])
    value_b = npf.npv(a.discount_rate, [-150, 60, 60, 60, 60])
    assert value_a < 0 < value_a + value_b
    result = schedule_portfolio(inputs, a, constraints=PortfolioConstraints(budget_by_year={2027: 100.0}))
    assert result.portfolio.chosen == ("A", "B")
    assert result.portfolio.objective == pytest.approx(value_a + value_b)
    alone = schedule_portfolio(inputs, a)  # no budget: A is left out, B alone
    assert alone.portfolio.chosen == ("B",)


@pytest.mark.parametrize(("table", "message"), [
    ("effects", "has effect 'retyre'"),
    ("room", "room"),
])
def test_an_option_worth_nothing_is_checked_like_the_others(table: str, message: str) -> None:
    """A is worth less than nothing at every start, so the model leaves it out; its rows in the tables given
    are still checked as every option's are (an effect that is not one, a room that is not a number)."""
    from estate.errors import ParameterError

    a = load_assumptions(horizon_years=5, start_window_years=2, migrations_per_organisation=0, migrations_at_once=0)
    effects = pd.DataFrame({"option_id": ["A", "B"], "system_key": ["s", "t"], "effect": ["retire", "retire"]})
    room = None
    if table == "effects":
        effects.loc[0, "effect"] = "retyre"
    else:
        room = pd.DataFrame({"option_id": ["A"], "destination": ["DC"], "racks": ["two"], "free": [4.0]})
    inputs = ScheduleInputs(option_ids=["A", "B"], natural_start=[0, 0],
                            savings=[[0, 0, 0, 0, 0], [0, 60, 60, 60, 60]],
                            system_costs=[[50, 0, 0, 0, 0], [150, 0, 0, 0, 0]], start_costs=[0, 0],
                            migrating=pd.DataFrame({"option_id": ["B"], "organisation": ["X"]}),
                            effects=effects, room=room)
    with pytest.raises(ParameterError, match=message):
        schedule_portfolio(inputs, a)
