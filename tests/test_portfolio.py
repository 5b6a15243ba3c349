"""Tests of estate.portfolio: hand cases, solver statuses, a brute-force oracle and properties."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import OptimizeResult

from estate.errors import ParameterError, SolverError
from estate.portfolio import EFFECTS, EXCLUDED_COLUMNS, Portfolio, PortfolioConstraints, select_portfolio

# --------------------------------------------------------------------------- helpers


def frame_options(npv: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame({"option_id": list(npv), "npv": [float(v) for v in npv.values()]})


def frame_effects(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["option_id", "system_key", "effect"])


def frame_costs(rows: list[tuple[str, int, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["option_id", "year", "amount"])


def frame_shares(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["option_id", "organisation", "npv"])


def consolidations(*rows: tuple[str, str, str]) -> pd.DataFrame:
    """Effects of options that each retire one system into one survivor: (option, retired, survivor)."""
    return frame_effects([(o, s, e) for o, retired, kept in rows for s, e in ((retired, "retire"), (kept, "survive"))])


NO_EFFECTS = frame_effects([])


def conflict(a: set[tuple[str, str]], b: set[tuple[str, str]]) -> bool:
    """Whether two options' (system, effect) sets clash, straight from the rules in words."""
    for (system, effect), (other_system, other_effect) in itertools.product(a, b):
        if system != other_system:
            continue
        if "retire" in (effect, other_effect):
            return True  # retired twice, or retired by one and kept by the other
        if effect == other_effect and effect in ("recontract", "move"):
            return True  # two joint contracts, or two moves, of one system
        if effect == other_effect == "survive":
            return True  # a survivor of two options would count its run cost in both
    return False


class Instance:
    """A small instance in plain Python, with its own feasibility rule and a brute-force optimum."""

    def __init__(self, npv, effects, costs=(), budgets=None, shares=(), minimum=None, keep=(), opt_out=()):
        self.npv = dict(npv)
        self.effects = list(effects)
        self.costs = list(costs)
        self.budgets = dict(budgets or {})
        self.shares = list(shares)
        self.minimum = minimum
        self.keep = frozenset(keep)
        self.opt_out = frozenset(opt_out)

    def frames(self) -> dict[str, pd.DataFrame]:
        return {
            "options": frame_options(self.npv),
            "effects": frame_effects(self.effects),
            "one_off_by_year": frame_costs(self.costs),
            "partner_npv": frame_shares(self.shares),
        }

    def constraints(self) -> PortfolioConstraints:
        return PortfolioConstraints(
            budget_by_year=self.budgets, keep_systems=self.keep, opt_out=self.opt_out, min_partner_npv=self.minimum
        )

    def solve(self, frames: dict[str, pd.DataFrame] | None = None) -> Portfolio:
        frames = dict(frames or self.frames())
        options, effects = frames.pop("options"), frames.pop("effects")
        return select_portfolio(options, effects, **frames, constraints=self.constraints(), require_optimal=False)

    def touches(self, option: str) -> set[tuple[str, str]]:
        return {(system, effect) for o, system, effect in self.effects if o == option}

    def is_feasible(self, chosen: tuple[str, ...]) -> bool:
        if any(conflict(self.touches(a), self.touches(b)) for a, b in itertools.combinations(chosen, 2)):
            return False
        for option in chosen:
            if any(effect == "retire" and system in self.keep for system, effect in self.touches(option)):
                return False
            if any(o == option and org in self.opt_out for o, org, _ in self.shares):
                return False
        for year, budget in self.budgets.items():
            if sum(a for o, y, a in self.costs if o in chosen and y == year) > budget + 1e-9:
                return False
        if self.minimum is None:
            return True
        if isinstance(self.minimum, dict):
            wanted = self.minimum
        else:
            wanted = {org: self.minimum for _, org, _ in self.shares if org not in self.opt_out}
        gains = {org: sum(v for o, p, v in self.shares if o in chosen and p == org) for org in wanted}
        return all(gains[org] >= least - 1e-9 for org, least in wanted.items())

    def brute_force(self) -> float | None:
        """The best total NPV over every feasible subset, or None if no subset is feasible."""
        ids = sorted(self.npv)
        subsets = itertools.chain.from_iterable(itertools.combinations(ids, k) for k in range(len(ids) + 1))
        values = [sum(self.npv[o] for o in subset) for subset in subsets if self.is_feasible(subset)]
        return max(values) if values else None


def shuffled(frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The rows of ``frame`` in a random order, with a new index."""
    return frame.iloc[rng.permutation(len(frame))].set_axis(rng.permutation(len(frame)) + 100)


# --------------------------------------------------------------------------- hand cases


def test_two_options_onto_one_survivor_are_not_combined():
    # A and B move different systems onto s9: together they would count s9's run cost twice (CONTRACT §4).
    effects = consolidations(("A", "s1", "s9"), ("B", "s2", "s9"), ("C", "s3", "s8"))
    portfolio = select_portfolio(frame_options({"A": 10, "B": 12, "C": 5}), effects)
    assert portfolio.chosen == ("B", "C") and portfolio.objective == 17.0 and portfolio.is_optimal


def test_two_options_retiring_one_system_keep_the_better():
    effects = consolidations(("A", "s1", "s2"), ("B", "s1", "s3"))
    portfolio = select_portfolio(frame_options({"A": 10, "B": 12}), effects)
    assert portfolio.chosen == ("B",)
    assert portfolio.objective == 12.0
    assert portfolio.status == "optimal" and portfolio.is_optimal
    assert portfolio.gap == 0.0


def test_a_system_retired_by_one_option_cannot_survive_in_another():
    # A keeps s2, which B retires; B keeps s3 as a survivor, as C does (so B conflicts with both).
    effects = consolidations(("A", "s1", "s2"), ("B", "s2", "s3"), ("C", "s4", "s3"))
    assert select_portfolio(frame_options({"A": 10, "B": 8, "C": 5}), effects).chosen == ("A", "C")


def test_two_options_may_not_share_a_survivor():
    effects = consolidations(("A", "s1", "hub"), ("B", "s2", "hub"))
    assert select_portfolio(frame_options({"A": 10, "B": 8}), effects).chosen == ("A",)


@pytest.mark.parametrize("effect", ["recontract", "move"])
def test_two_joint_contracts_or_moves_of_one_system_conflict(effect):
    effects = frame_effects([("A", "s1", effect), ("B", "s1", effect), ("C", "s1", "survive")])
    assert select_portfolio(frame_options({"A": 10, "B": 8, "C": 3}), effects).chosen == ("A", "C")


def test_a_recontract_and_a_move_of_one_system_can_both_be_chosen():
    effects = frame_effects([("A", "s1", "recontract"), ("B", "s1", "move")])
    assert select_portfolio(frame_options({"A": 10, "B": 8}), effects).chosen == ("A", "B")


def test_budget_binds_and_repeated_cost_rows_add_up():
    options = frame_options({"A": 10, "B": 7, "C": 6})
    costs = frame_costs([("A", 2027, 60), ("A", 2027, 20), ("B", 2027, 50), ("C", 2027, 40), ("C", 2028, 500)])
    assert select_portfolio(options, NO_EFFECTS, one_off_by_year=costs).chosen == ("A", "B", "C")
    rules = PortfolioConstraints(budget_by_year={2027: 95})
    limited = select_portfolio(options, NO_EFFECTS, one_off_by_year=costs, constraints=rules)
    assert limited.chosen == ("B", "C")  # A costs 80 once its two rows are added: B + C (90) beat A alone
    assert limited.objective == 13.0


def test_a_budget_of_zero_allows_only_options_that_cost_nothing_that_year():
    costs = frame_costs([("A", 2027, 1), ("B", 2028, 5)])
    rules = PortfolioConstraints(budget_by_year={2027: 0})
    portfolio = select_portfolio(frame_options({"A": 10, "B": 7}), NO_EFFECTS, one_off_by_year=costs, constraints=rules)
    assert portfolio.chosen == ("B",)


def test_keep_systems_excludes_options_that_retire_them():
    effects = consolidations(("A", "s1", "s2"), ("B", "s2", "s1"), ("C", "s3", "s4"))
    rules = PortfolioConstraints(keep_systems=frozenset({"s1", "unknown-system"}))
    portfolio = select_portfolio(frame_options({"A": 10, "B": 8, "C": 4}), effects, constraints=rules)
    assert portfolio.chosen == ("B", "C")  # B keeps s1, which is allowed
    assert list(portfolio.excluded.columns) == list(EXCLUDED_COLUMNS)
    assert portfolio.excluded.to_dict("records") == [
        {"option_id": "A", "reason": "retires a kept system", "detail": "s1"}
    ]


def test_opt_out_excludes_options_with_that_partner():
    partners = pd.DataFrame({"option_id": ["A", "A", "B", "C"], "organisation": ["North", "South", "South", "East"]})
    rules = PortfolioConstraints(opt_out=frozenset({"North", "East"}))
    options = frame_options({"A": 10, "B": 8, "C": 4})
    portfolio = select_portfolio(options, NO_EFFECTS, partners=partners, constraints=rules)
    assert portfolio.chosen == ("B",)
    assert portfolio.excluded.to_dict("records") == [
        {"option_id": "A", "reason": "opt-out partner", "detail": "North"},
        {"option_id": "C", "reason": "opt-out partner", "detail": "East"},
    ]


def test_opt_out_reads_partners_from_partner_npv_when_partners_absent():
    shares = frame_shares([("A", "North", 6), ("A", "South", 4), ("B", "South", 8)])
    rules = PortfolioConstraints(opt_out=frozenset({"North"}))
    portfolio = select_portfolio(frame_options({"A": 10, "B": 8}), NO_EFFECTS, partner_npv=shares, constraints=rules)
    assert portfolio.chosen == ("B",)


def test_an_option_excluded_for_two_reasons_is_listed_twice():
    rules = PortfolioConstraints(keep_systems=frozenset({"s1"}), opt_out=frozenset({"North"}))
    portfolio = select_portfolio(
        frame_options({"A": 10}),
        frame_effects([("A", "s1", "retire")]),
        partner_npv=frame_shares([("A", "North", 10)]),
        constraints=rules,
    )
    assert portfolio.chosen == ()
    assert portfolio.excluded["reason"].tolist() == ["opt-out partner", "retires a kept system"]


def test_min_partner_npv_changes_the_answer():
    # A is worth more overall but leaves South worse off; B shares its gain.
    options = frame_options({"A": 10, "B": 8})
    effects = frame_effects([("A", "s1", "retire"), ("B", "s1", "retire")])
    shares = frame_shares([("A", "North", 14), ("A", "South", -4), ("B", "North", 5), ("B", "South", 3)])
    assert select_portfolio(options, effects, partner_npv=shares).chosen == ("A",)
    fair = select_portfolio(options, effects, partner_npv=shares, constraints=PortfolioConstraints(min_partner_npv=0.0))
    assert fair.chosen == ("B",) and fair.is_optimal
    north_only = PortfolioConstraints(min_partner_npv={"North": 10.0})
    assert select_portfolio(options, effects, partner_npv=shares, constraints=north_only).chosen == ("A",)


def test_min_partner_npv_can_call_for_an_option_that_loses_money_overall():
    shares = frame_shares([("A", "North", 10), ("A", "South", 0), ("B", "North", -5), ("B", "South", 3)])
    rules = PortfolioConstraints(min_partner_npv={"South": 1.0})
    portfolio = select_portfolio(frame_options({"A": 10, "B": -2}), NO_EFFECTS, partner_npv=shares, constraints=rules)
    assert portfolio.chosen == ("A", "B")
    assert portfolio.objective == 8.0


def test_min_partner_npv_ignores_organisations_that_opted_out():
    shares = frame_shares([("A", "North", 10), ("B", "South", 8)])
    rules = PortfolioConstraints(opt_out=frozenset({"North"}), min_partner_npv=1.0)
    portfolio = select_portfolio(frame_options({"A": 10, "B": 8}), NO_EFFECTS, partner_npv=shares, constraints=rules)
    assert portfolio.chosen == ("B",)


def test_infeasible_min_partner_npv_raises_or_reports():
    options, shares = frame_options({"A": 10}), frame_shares([("A", "North", 10)])
    rules = PortfolioConstraints(min_partner_npv=50.0)
    with pytest.raises(SolverError, match="status 'infeasible'"):
        select_portfolio(options, NO_EFFECTS, partner_npv=shares, constraints=rules)
    portfolio = select_portfolio(options, NO_EFFECTS, partner_npv=shares, constraints=rules, require_optimal=False)
    assert portfolio.status == "infeasible" and not portfolio.is_optimal
    assert portfolio.chosen == () and math.isnan(portfolio.objective)


def test_options_that_do_not_pay_are_left_out_not_excluded():
    portfolio = select_portfolio(frame_options({"A": 0, "B": -3, "C": 2}), NO_EFFECTS)
    assert portfolio.chosen == ("C",)
    assert portfolio.excluded.empty
    expected = {"option_id": ["A", "B", "C"], "npv": [0.0, -3.0, 2.0], "chosen": [False, False, True]}
    assert portfolio.to_frame().to_dict("list") == expected


def test_no_options_gives_an_empty_optimal_portfolio():
    portfolio = select_portfolio(frame_options({}), NO_EFFECTS)
    assert portfolio.chosen == () and portfolio.objective == 0.0 and portfolio.is_optimal
    assert portfolio.to_frame().empty
    assert list(portfolio.to_frame().columns) == ["option_id", "npv", "chosen"]


def test_inputs_are_not_changed_and_extra_columns_are_ignored():
    options = pd.DataFrame({"option_id": ["B", "A"], "npv": [1.0, 2.0], "type": ["x", "y"]}, index=[7, 3])
    effects = frame_effects([("A", "s1", "retire"), ("B", "s1", "retire"), ("A", "s1", "retire")])
    before = options.copy(), effects.copy()
    assert select_portfolio(options, effects).chosen == ("A",)
    pd.testing.assert_frame_equal(options, before[0])
    pd.testing.assert_frame_equal(effects, before[1])


def test_integer_option_ids_are_read_as_text():
    options = pd.DataFrame({"option_id": [2, 1], "npv": [1.0, 2.0]})
    effects = pd.DataFrame({"option_id": [1, 2], "system_key": ["s", "s"], "effect": ["retire", "retire"]})
    assert select_portfolio(options, effects).chosen == ("1",)


def test_portfolio_is_a_frozen_dataclass_that_compares():
    one = select_portfolio(frame_options({"A": 1}), NO_EFFECTS)
    assert one == select_portfolio(frame_options({"A": 1}), NO_EFFECTS)
    with pytest.raises(AttributeError):
        one.status = "error"  # type: ignore[misc]


# --------------------------------------------------------------------------- solver status


class FakeMilp:
    """Stands in for scipy.optimize.milp, returning a fixed result."""

    def __init__(self, status: int, x: list[float] | None, message: str, gap: float | None = None):
        chosen = None if x is None else np.array(x)
        self.result = OptimizeResult(status=status, x=chosen, message=message, mip_gap=gap, success=status == 0)

    def __call__(self, *args, **kwargs):
        return self.result


def test_a_time_limit_raises_or_returns_the_best_found(monkeypatch):
    options = frame_options({"A": 10, "B": 8})
    monkeypatch.setattr("scipy.optimize.milp", FakeMilp(1, [0.0, 1.0], "Time limit reached.", 0.2))
    with pytest.raises(SolverError, match="status 'time limit'"):
        select_portfolio(options, NO_EFFECTS)
    portfolio = select_portfolio(options, NO_EFFECTS, require_optimal=False)
    assert (portfolio.chosen, portfolio.objective, portfolio.status) == (("B",), 8.0, "time limit")
    assert not portfolio.is_optimal and portfolio.gap == 0.2


def test_a_time_limit_before_any_portfolio_is_found(monkeypatch):
    monkeypatch.setattr("scipy.optimize.milp", FakeMilp(1, None, "Time limit reached."))
    portfolio = select_portfolio(frame_options({"A": 10}), NO_EFFECTS, require_optimal=False)
    assert portfolio.chosen == () and math.isnan(portfolio.objective) and not portfolio.is_optimal


def test_an_answer_stopped_within_a_gap_is_not_called_optimal(monkeypatch):
    monkeypatch.setattr("scipy.optimize.milp", FakeMilp(0, [1.0, 0.0], "Optimal", 0.004))
    options, rules = frame_options({"A": 10, "B": 8}), PortfolioConstraints(mip_rel_gap=0.01)
    with pytest.raises(SolverError, match="within gap"):
        select_portfolio(options, NO_EFFECTS, constraints=rules)
    portfolio = select_portfolio(options, NO_EFFECTS, constraints=rules, require_optimal=False)
    assert portfolio.status == "within gap" and not portfolio.is_optimal


def test_an_answer_that_breaks_a_constraint_is_never_optimal(monkeypatch):
    monkeypatch.setattr("scipy.optimize.milp", FakeMilp(0, [1.0, 1.0], "Optimal", 0.0))
    options, effects = frame_options({"A": 10, "B": 8}), frame_effects([("A", "s1", "retire"), ("B", "s1", "retire")])
    with pytest.raises(SolverError, match="status 'error'"):
        select_portfolio(options, effects)
    portfolio = select_portfolio(options, effects, require_optimal=False)
    assert portfolio.status == "error" and "retire_at_most_once" in portfolio.message


def test_a_solver_error_is_one_line_and_a_runtime_error(monkeypatch):
    monkeypatch.setattr("scipy.optimize.milp", FakeMilp(4, None, "Something\nwent wrong."))
    with pytest.raises(RuntimeError) as caught:
        select_portfolio(frame_options({"A": 1}), NO_EFFECTS)
    assert "\n" not in str(caught.value) and "status 'error'" in str(caught.value)


def test_a_real_time_limit_on_a_hard_instance():
    # A 400-option knapsack with five yearly budgets at half of demand: far from provable in 0.05 s.
    rng = np.random.default_rng(1)
    ids = [f"O{i:03d}" for i in range(400)]
    weights = rng.integers(100, 1000, size=(400, 5)).astype(float)
    options = pd.DataFrame({"option_id": ids, "npv": weights.sum(axis=1) * rng.uniform(0.9, 1.1, 400)})
    costs = frame_costs([(o, 2027 + y, weights[i, y]) for i, o in enumerate(ids) for y in range(5)])
    budgets = {2027 + y: float(weights[:, y].sum() / 2) for y in range(5)}
    rules = PortfolioConstraints(budget_by_year=budgets, time_limit_seconds=0.05)
    with pytest.raises(SolverError, match="time limit"):
        select_portfolio(options, NO_EFFECTS, one_off_by_year=costs, constraints=rules)
    portfolio = select_portfolio(options, NO_EFFECTS, one_off_by_year=costs, constraints=rules, require_optimal=False)
    assert portfolio.status == "time limit" and not portfolio.is_optimal
    spent = costs[costs["option_id"].isin(portfolio.chosen)].groupby("year")["amount"].sum()
    assert all(spent.get(year, 0.0) <= budget + 1e-6 for year, budget in budgets.items())


# --------------------------------------------------------------------------- bad parameters

ONE = frame_options({"A": 1})


def call(options=ONE, effects=NO_EFFECTS, **kwargs):
    """select_portfolio with the given inputs, constraints given as keywords of PortfolioConstraints."""
    names = ("one_off_by_year", "partner_npv", "partners", "require_optimal")
    inputs = {key: kwargs.pop(key) for key in names if key in kwargs}
    constraints = kwargs.pop("constraints", None) or PortfolioConstraints(**kwargs)
    return select_portfolio(options, effects, constraints=constraints, **inputs)


@pytest.mark.parametrize(
    ("arguments", "match"),
    [
        ({"options": pd.DataFrame({"option_id": ["A"]})}, "lacks column"),
        ({"options": [("A", 1.0)]}, "must be a pandas DataFrame"),
        ({"options": pd.concat([ONE, ONE])}, "repeats option_id 'A'"),
        ({"options": frame_options({"A": math.inf})}, "not a finite number for 'A'"),
        ({"options": frame_options({"A": math.nan})}, "blank values in npv for 'A'"),
        ({"effects": frame_effects([("A", "s", "merge")])}, "effect 'merge'"),
        ({"effects": frame_effects([("Z", "s", "retire")])}, "not in options: 'Z'"),
        ({"effects": frame_effects([("A", "s", "retire"), ("A", "s", "move")])}, "retire and keep a system: 'A/s'"),
        ({"effects": frame_effects([("A", None, "retire")])}, "blank values in system_key for 'A'"),
        ({"one_off_by_year": frame_costs([("A", 2027.5, 1)])}, "whole number"),
        ({"budget_by_year": {2027: 1}}, "needs one_off_by_year"),
        ({"min_partner_npv": 0.0}, "needs partner_npv"),
        ({"opt_out": frozenset({"N"})}, "opt_out needs partners"),
        ({"partner_npv": frame_shares([("A", "North", 1)]), "min_partner_npv": {"Nroth": 0}}, "in no option: 'Nroth'"),
        ({"keep_systems": "s1"}, "'keep_systems' parameter"),
        ({"time_limit_seconds": 0}, "'time_limit_seconds'"),
        ({"mip_rel_gap": -0.1}, "'mip_rel_gap'"),
        ({"budget_by_year": {"2027": 1.0}}, "keyed by int"),
        ({"budget_by_year": {2027: -1.0}}, ">= 0"),
        ({"min_partner_npv": "0"}, "'min_partner_npv'"),
        ({"constraints": {"budget_by_year": {}}}, "PortfolioConstraints"),
        ({"require_optimal": "yes"}, "'require_optimal'"),
    ],
)
def test_bad_parameters_raise_parameter_error(arguments, match):
    with pytest.raises(ParameterError, match=match):
        call(**arguments)


# --------------------------------------------------------------------------- properties

SYSTEMS = [f"s{i}" for i in range(8)]
ORGANISATIONS = ["North", "South", "East"]
YEARS = [2027, 2028]
TOUCHES = [("retire",), ("survive",), ("recontract",), ("move",), ("recontract", "move"), ("survive", "move")]


@st.composite
def instances(draw, max_options: int = 10, distinct_npv: bool = False) -> Instance:
    """Up to ``max_options`` options over up to 8 systems, 2 budget years and 3 partners."""
    n = draw(st.integers(0, max_options))
    ids = [f"O{i}" for i in range(n)]
    systems = SYSTEMS[: draw(st.integers(1, len(SYSTEMS)))]
    npv = dict(zip(ids, draw(st.lists(st.integers(-20, 100), min_size=n, max_size=n, unique=distinct_npv))))
    effects = [
        (option, system, effect)
        for option in ids
        for system in draw(st.lists(st.sampled_from(systems), max_size=4, unique=True))
        for effect in draw(st.sampled_from(TOUCHES))
    ]
    costs = [(o, y, draw(st.integers(0, 30))) for o in ids for y in YEARS if draw(st.booleans())]
    budgets = {y: draw(st.integers(0, 60)) for y in YEARS if draw(st.booleans())}
    partners = st.lists(st.sampled_from(ORGANISATIONS), min_size=1, max_size=3, unique=True)
    shares = [(o, org, draw(st.integers(-30, 50))) for o in ids for org in draw(partners)]
    known = sorted({org for _, org, _ in shares}) or ORGANISATIONS
    minimum = draw(
        st.none()
        | st.integers(-20, 10).map(float)
        | st.dictionaries(st.sampled_from(known), st.integers(-20, 15).map(float), max_size=2).filter(
            lambda named: set(named) <= {org for _, org, _ in shares}
        )
    )
    keep = draw(st.frozensets(st.sampled_from(systems), max_size=2))
    opt_out = draw(st.frozensets(st.sampled_from(ORGANISATIONS), max_size=1))
    return Instance(npv, effects, costs, budgets, shares, minimum, keep, opt_out)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_the_objective_equals_the_brute_force_best(instance):
    best = instance.brute_force()
    portfolio = instance.solve()
    if best is None:
        assert portfolio.status == "infeasible" and not portfolio.is_optimal
        return
    assert portfolio.status == "optimal" and portfolio.is_optimal
    assert instance.is_feasible(portfolio.chosen)
    assert portfolio.chosen == tuple(sorted(portfolio.chosen))
    assert portfolio.objective == pytest.approx(best, abs=1e-6)
    assert portfolio.objective == pytest.approx(sum(instance.npv[o] for o in portfolio.chosen), abs=1e-9)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_no_system_is_retired_twice_in_a_larger_portfolio(seed):
    rng = np.random.default_rng(seed)
    ids = [f"O{i:02d}" for i in range(60)]
    rows = [(o, f"s{s}", "retire") for o in ids for s in rng.choice(25, size=rng.integers(1, 4), replace=False)]
    rows += [(o, f"k{rng.integers(0, 5)}", "survive") for o in ids]
    effects = frame_effects(rows)
    portfolio = select_portfolio(frame_options(dict(zip(ids, rng.normal(10, 5, len(ids))))), effects)
    retired = effects[effects["option_id"].isin(portfolio.chosen) & (effects["effect"] == "retire")]
    assert not retired["system_key"].duplicated().any()
    survivors = effects[effects["option_id"].isin(portfolio.chosen) & (effects["effect"] == "survive")]
    assert not survivors["system_key"].duplicated().any()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(max_options=12, distinct_npv=True), st.integers(0, 2**32 - 1))
def test_row_order_does_not_change_the_portfolio(instance, seed):
    rng = np.random.default_rng(seed)
    first = instance.solve()
    second = instance.solve({name: shuffled(frame, rng) for name, frame in instance.frames().items()})
    assert (first.chosen, first.status) == (second.chosen, second.status)
    pd.testing.assert_frame_equal(first.excluded, second.excluded)
    pd.testing.assert_frame_equal(first.to_frame(), second.to_frame())


def test_ties_are_broken_the_same_way_whatever_the_row_order():
    # Eight options of equal NPV in four conflicting pairs, and a budget for three: 32 optima tie.
    ids = [f"T{i}" for i in range(8)]
    options = frame_options(dict.fromkeys(ids, 5.0))
    effects = frame_effects([(o, f"s{i // 2}", "retire") for i, o in enumerate(ids)])
    costs = frame_costs([(o, 2027, 1.0) for o in ids])
    rules = PortfolioConstraints(budget_by_year={2027: 3.0})
    rng = np.random.default_rng(7)
    answers = set()
    for _ in range(10):
        portfolio = select_portfolio(
            shuffled(options, rng), shuffled(effects, rng), one_off_by_year=shuffled(costs, rng), constraints=rules
        )
        assert portfolio.objective == 15.0
        answers.add(portfolio.chosen)
    assert len(answers) == 1


def test_effects_are_the_four_kinds():
    assert set(EFFECTS) == {"retire", "survive", "recontract", "move"}


# --------------------------------------------------------------------------- hosting closures share a destination


def _closures(extra_site: bool) -> tuple:
    """Two under-used rooms of one organisation, 3 racks in use each; DC has 4 racks free (10 at 60%).

    Each closure fits into DC alone (3 <= 4), not both together (6 > 4). With ``extra_site``, Spare (10 racks
    at 55%: 4.5 free) can take one of them.
    """
    from estate.assumptions import load_assumptions
    from estate.options import generate_options

    matched = pd.DataFrame({"system_key": ["E/a", "E/b"], "organisation": ["E", "E"], "system": ["a", "b"],
                            "site_key": ["E/one", "E/two"], "users": [10.0, 10.0], "annual_cost": [1_000.0] * 2})
    keys = ["E/one", "E/two", "E/dc"] + (["E/spare"] if extra_site else [])
    sites = pd.DataFrame({"site_key": keys, "organisation": "E", "site": [k.split("/")[1] for k in keys],
                          "racks": [10.0, 10.0, 10.0, 10.0][: len(keys)],
                          "utilisation": [0.3, 0.3, 0.6, 0.55][: len(keys)],
                          "annual_cost": [50_000.0, 40_000.0, 1.0, 1.0][: len(keys)], "exit_cost": 0.0})
    a = load_assumptions()
    return generate_options(matched, assumptions=a, sites=sites), a


def _best_by_brute_force(options, room_rule: bool) -> tuple[set[str], float]:
    """Every subset: a site closed at most once and, with ``room_rule``, each destination's racks within its room."""
    table = options.options.set_index("option_id")
    site = options.effects.loc[options.effects["effect"] == "retire"].set_index("option_id")["system_key"]
    room = options.room.set_index("option_id")
    best, value = set(), 0.0
    ids = list(table.index)
    for k in range(len(ids) + 1):
        for subset in itertools.combinations(ids, k):
            if len({site[o] for o in subset}) < len(subset):
                continue
            used: dict[str, float] = {}
            for o in subset:
                used[room.at[o, "destination"]] = used.get(room.at[o, "destination"], 0.0) + room.at[o, "racks"]
            if room_rule and any(used[d] > room.loc[room["destination"] == d, "free"].iloc[0] + 1e-9 for d in used):
                continue
            total = float(table.loc[list(subset), "npv"].sum())
            if total > value + 1e-6:
                best, value = set(subset), total
    return best, value


def test_closures_sharing_a_destination_share_its_room():
    from estate.schedule import apply_schedule, schedule_inputs, schedule_portfolio

    options, a = _closures(extra_site=False)
    assert options.options["target_label"].tolist() == ["close one; move its systems to E/dc",
                                                        "close two; move its systems to E/dc"]
    # Racks in use at each room: 10 x 0.3 = 3; free at DC: 10 x (1 - 0.6) = 4.
    assert options.room["racks"].tolist() == pytest.approx([3.0, 3.0])
    assert options.room["free"].tolist() == pytest.approx([4.0, 4.0])
    assert "also offered to the closure of E/two" in options.options.loc[0, "rationale"]
    best, value = _best_by_brute_force(options, room_rule=True)
    assert best == {"HC-001"}  # one closure alone: the one saving more (50,000 against 40,000 a year)
    assert _best_by_brute_force(options, room_rule=False)[0] == {"HC-001", "HC-002"}  # the rule binds
    chosen = select_portfolio(options.options, options.effects, room=options.room)
    assert set(chosen.chosen) == best and chosen.objective == pytest.approx(value)
    assert set(select_portfolio(options.options, options.effects).chosen) == {"HC-001", "HC-002"}
    schedule = schedule_portfolio(schedule_inputs(options, a), a)  # the time-indexed model keeps it too
    assert set(schedule.portfolio.chosen) == best
    scheduled = apply_schedule(options, schedule, a).options.set_index("option_id")
    assert ("Not recommended: held back for room: E/dc has 4 racks free and HC-001 moves 3 there; this closure "
            "needs 3.") in scheduled.at["HC-002", "rationale"]
    assert "held back" not in scheduled.at["HC-001", "rationale"]


def test_a_third_site_with_room_lets_both_closures_go():
    from estate.schedule import schedule_inputs, schedule_portfolio

    options, a = _closures(extra_site=True)
    # Each room may go to DC (4 free) or Spare (10 x 0.45 = 4.5 free): four candidates, two a site.
    assert options.options["target_label"].str.rsplit(" ", n=1).str[-1].tolist() == ["E/dc", "E/spare"] * 2
    best, value = _best_by_brute_force(options, room_rule=True)
    closed = options.effects.loc[options.effects["option_id"].isin(best) & (options.effects["effect"] == "retire")]
    assert sorted(closed["system_key"]) == ["site:E/one", "site:E/two"]  # both close now
    chosen = select_portfolio(options.options, options.effects, room=options.room)
    assert chosen.objective == pytest.approx(value)
    schedule = schedule_portfolio(schedule_inputs(options, a), a)
    assert schedule.portfolio.objective == pytest.approx(value) and len(schedule.portfolio.chosen) == 2
    destinations = options.room.set_index("option_id").loc[list(schedule.portfolio.chosen), "destination"]
    assert sorted(destinations) == ["E/dc", "E/spare"]


def test_room_rows_are_checked():
    options = frame_options({"A": 1.0, "B": 1.0})
    effects = frame_effects([("A", "s1", "retire"), ("B", "s2", "retire")])
    room = pd.DataFrame({"option_id": ["A", "B"], "destination": ["D", "D"], "racks": [1.0, "many"],
                         "free": [1.0, 1.0]})
    with pytest.raises(ParameterError, match="racks that is not a finite number for 'B'"):
        select_portfolio(options, effects, room=room)
    fits = room.assign(racks=[1.0, 0.5], free=[2.0, 2.0])
    assert select_portfolio(options, effects, room=fits).chosen == ("A", "B")
    assert len(select_portfolio(options, effects, room=fits.assign(free=1.2)).chosen) == 1


@given(st.integers(0, 2**32 - 1))
@settings(max_examples=40, deadline=None)
def test_room_portfolios_equal_the_brute_force_best(seed):
    # Up to 8 closures of 4 sites into 3 destinations: each site closes at most once, each destination's racks
    # within its room; the solver's total equals the best feasible subset's.
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 9))
    ids = [f"HC-{i:03d}" for i in range(n)]
    site = {o: f"site:S{rng.integers(0, 4)}" for o in ids}
    destination = {o: f"D{rng.integers(0, 3)}" for o in ids}
    racks = {o: float(rng.integers(1, 6)) for o in ids}
    free = {d: float(rng.integers(1, 9)) for d in ("D0", "D1", "D2")}
    npv = {o: float(rng.normal(10, 6)) for o in ids}
    room = pd.DataFrame({"option_id": ids, "destination": [destination[o] for o in ids],
                         "racks": [racks[o] for o in ids], "free": [free[destination[o]] for o in ids]})
    best = 0.0
    for k in range(n + 1):
        for subset in itertools.combinations(ids, k):
            if len({site[o] for o in subset}) < k:
                continue
            used = {d: sum(racks[o] for o in subset if destination[o] == d) for d in free}
            if any(used[d] > free[d] for d in free):
                continue
            best = max(best, sum(npv[o] for o in subset))
    effects = frame_effects([(o, site[o], "retire") for o in ids])
    portfolio = select_portfolio(frame_options(npv), effects, room=room)
    assert portfolio.objective == pytest.approx(best, abs=1e-6)
    for d in free:  # never overfilled, even by one closure that does not fit alone
        assert sum(racks[o] for o in portfolio.chosen if destination[o] == d) <= free[d]
