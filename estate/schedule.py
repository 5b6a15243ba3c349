"""Phasing: choose *when* each option starts in the same optimisation that chooses *which*.

Without phasing every option starts on the plan's first day, and a partnership
would be asked to run dozens of migrations at once. Here each candidate option
``o`` may start in its *natural* year ``n_o`` or be delayed ``d = 0, 1, ...,
W - 1`` whole years (``W`` = ``start_window_years``), and one binary variable
``x[o, d]`` an option and delay replaces the single ``x[o]`` of
:mod:`estate.portfolio`.

The natural start
-----------------
An option's systems are retired on the dates its costing chose (at contract
end, or early with an exit cost); its migration has to run in the
``migration_months`` before the first of them. So the natural start is the
financial year of the first retirement (or re-contract) less
``migration_months``, and never before year 0 (or before an earliest start the
caller gives, such as a successor authority's vesting day). An option whose
contracts end years ahead thus waits for them: *contract end* sets its start.

A delay of ``d`` years moves every date of the option ``d`` years later: its
retirements, savings, one-off costs (each in its financial year plus ``d``),
and the year-0 costs of assessment, procurement and engagement, which fall in
the year it starts. Savings pushed past the horizon are lost, so a delay costs
NPV, and the value of each ``x[o, d]`` is the NPV of those delayed flows.

The model
---------
.. math::

    \\max \\sum_{o,d} \\mathrm{npv}_{o,d}\\, x_{o,d}

subject to

* the timing-free rules of :func:`estate.portfolio.selection_model` (retire each
  system at most once, never retire what another keeps, one joint contract and
  one move a system, one survivor role a system), applied to
  :math:`X_o = \\sum_d x_{o,d}`;
* ``one_start``: :math:`\\sum_d x_{o,d} \\le 1`;
* ``organisation_capacity``: for each organisation *p* and year *t*, the
  options migrating systems of *p* (retiring or moving them) in year *t*, that
  is starting in ``t - D + 1 .. t`` with ``D = ceil(migration_months / 12)``,
  number at most ``migrations_per_organisation``;
* ``partnership_capacity``: the same over all organisations, at most
  ``migrations_at_once``;
* ``dependency``: an option relying on a system (as its survivor, or keeping
  it) that another option moves or re-contracts starts no earlier than that
  option's migration ends (re-contract: than it starts); a site closes no
  earlier than the migrations of the systems hosted on it that other options
  retire end. With ``s = n + d`` the start year, "B after A" is, for each
  year *y*: :math:`[s_B \\le y] + [s_A > y - D] \\le 1`;
* ``budget`` and ``partner_budget``: the one-off spend of each budgeted year,
  for the portfolio and for each partner (its cost share), within budget;
* ``partner_minimum_npv``: each partner's share of the scheduled NPVs at
  least its minimum.

A capacity of 0 means no limit. The solver is HiGHS (``scipy.optimize.milp``),
asked for proven optimality as :func:`estate.portfolio.select_portfolio` is.

What set each start
-------------------
For each recommended option :attr:`Schedule.table` says why it starts when
it does: ``ready`` (year 0, nothing held it), ``contract end`` (its natural
start is later: it waits for its contracts), ``vesting`` (an earliest start
given by the caller), or, for a delayed option, what stops it one year
earlier: ``capacity`` (an organisation or the partnership is full that year),
``dependency`` (an option it relies on is not done yet) or ``budget``; a delay
none of these explains is ``value`` (the portfolio is worth more that way).

Examples
--------
Three migrations in one organisation, which runs one at a time: the one saving most goes first:

>>> import pandas as pd
>>> from estate.assumptions import load_assumptions
>>> a = load_assumptions(migrations_per_organisation=1, horizon_years=4, start_window_years=3)
>>> inputs = ScheduleInputs(
...     option_ids=["A", "B", "C"], natural_start=[0, 0, 0],
...     savings=[[0, 60, 60, 60], [0, 50, 50, 50], [0, 40, 40, 40]], system_costs=[[20, 0, 0, 0]] * 3,
...     start_costs=[0, 0, 0], migrating=pd.DataFrame({"option_id": ["A", "B", "C"], "organisation": ["X"] * 3}))
>>> result = schedule_portfolio(inputs, a)
>>> result.table[["option_id", "start", "delay", "reason"]].to_dict("list")
{'option_id': ['A', 'B', 'C'], 'start': [0, 1, 2], 'delay': [0, 1, 2], 'reason': ['ready', 'capacity', 'capacity']}
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from estate.errors import ParameterError, SolverError

if TYPE_CHECKING:
    from estate.assumptions import Assumptions
    from estate.options import Options
    from estate.portfolio import Portfolio, PortfolioConstraints

__all__ = [
    "REASONS",
    "SCHEDULE_COLUMNS",
    "Schedule",
    "ScheduleInputs",
    "apply_schedule",
    "natural_starts",
    "schedule_inputs",
    "greedy_fill",
    "schedule_portfolio",
]

REASONS = ("ready", "contract end", "vesting", "capacity", "dependency", "budget", "value")
"""What can set an option's start (see the module documentation)."""

SCHEDULE_COLUMNS = ("option_id", "natural_start", "start", "delay", "start_year", "reason", "detail")
"""Columns of :attr:`Schedule.table`: years as indexes from year 0 (``start_year`` as a financial year)."""

_YEAR0_CATEGORIES = ("assessment_planning", "joint_procurement", "stakeholder_engagement")
_MILP_STATUS = {0: "optimal", 1: "time limit", 2: "infeasible", 3: "unbounded", 4: "error"}
_TIE = 1e-6  # money units a year of delay from the natural start: breaks ties towards it
_TOLERANCE = 1e-6


# --------------------------------------------------------------------------- #
# Inputs
# --------------------------------------------------------------------------- #


@dataclass
class ScheduleInputs:
    """What the schedule needs of each candidate option, by appraisal year t = 0..H-1.

    Attributes
    ----------
    option_ids : sequence of str
    natural_start : sequence of int
        The year (index from year 0) each option starts in when nothing holds it.
    savings : array (n, H)
        Savings as planned (after optimism bias) with no delay.
    system_costs : array (n, H)
        One-off costs tied to the systems' dates (after bias), with no delay.
    start_costs : sequence of float
        One-off costs of the year the option starts in (assessment,
        procurement, engagement; after bias).
    migrating : DataFrame
        ``option_id``, ``organisation``: the organisations whose systems an
        option migrates (retires or moves); they use delivery capacity.
    delayed_savings : array (n, W, H), optional
        Savings with each delay d (by default the savings moved d whole years).
    cost_shares : DataFrame, optional
        ``option_id``, ``organisation``, ``saving_share``, ``cost_share``:
        for partner budgets and minimum partner NPVs.
    after : DataFrame, optional
        ``option_id``, ``after``, ``lag``: the option starts at least ``lag``
        years after ``after`` starts, when both are chosen.
    effects : DataFrame, optional
        ``option_id``, ``system_key``, ``effect`` (and ``organisation``), for
        the timing-free rules; none when omitted.
    earliest : sequence of int, optional
        The first year (index from year 0) each option may start in.
    held : sequence of int, optional
        The whole years each option's costed dates were moved later to reach
        its earliest start (already in ``savings`` and ``system_costs``);
        :func:`apply_schedule` moves its dates by them too.
    room : DataFrame, optional
        ``option_id``, ``destination``, ``racks``, ``free``: the hosting
        closures' racks moved into each destination and its free racks
        (:attr:`estate.options.Options.room`); the chosen closures fit.
    earliest_reasons : sequence of str, optional
        Why each option may not start earlier than its earliest start (the
        detail of the start reason ``vesting``; a generic one when blank).
    """

    option_ids: Sequence[str]
    natural_start: Sequence[int]
    savings: Any
    system_costs: Any
    start_costs: Sequence[float]
    migrating: pd.DataFrame
    delayed_savings: Any = None
    cost_shares: pd.DataFrame | None = None
    after: pd.DataFrame | None = None
    effects: pd.DataFrame | None = None
    earliest: Sequence[int] | None = None
    held: Sequence[int] | None = None
    room: pd.DataFrame | None = None
    earliest_reasons: Sequence[str] | None = None


def _shift(values: np.ndarray, d: int) -> np.ndarray:
    """Move amounts ``d`` years later along the last axis; what passes the horizon is lost."""
    out = np.zeros_like(values)
    if d < values.shape[-1]:
        out[..., d:] = values[..., : values.shape[-1] - d]
    return out


def schedule_inputs(options: Options, assumptions: Assumptions, *,
                    earliest_start: Mapping[str, int] | None = None, sites: pd.DataFrame | None = None,
                    earliest_reason: Mapping[str, str] | None = None) -> ScheduleInputs:
    """The inputs of :func:`schedule_portfolio` from costed options.

    Parameters
    ----------
    options : Options
        From :func:`estate.options.generate_options` (every option starting in year 0).
    assumptions : Assumptions
    earliest_start : mapping of option id to financial year, optional
        The first financial year an option may start in (a reorganisation's
        vesting year: :func:`estate.reorganisation.earliest_starts`). An
        option whose natural start is earlier is *held*: all its dates,
        savings and costs move the difference in whole years later, so its
        flows and NPV are those of starting then.
    sites : DataFrame, optional
        ``system_key``, ``site_key`` of the systems: a site's closure waits for
        the options retiring systems hosted on it.
    earliest_reason : mapping of option id to str, optional
        The rule behind each earliest start, in words
        (:func:`estate.reorganisation.start_rule`): the start reason's detail.
    """
    from estate.appraisal import financial_years, year_fractions

    a = assumptions
    h, w = int(a.horizon_years), int(a.start_window_years)
    table = options.options.sort_values("option_id", kind="stable").reset_index(drop=True)
    ids = table["option_id"].astype(str).tolist()
    index = pd.Index(ids)
    n = len(ids)
    effects = options.effects
    col = index.get_indexer(effects["option_id"].astype(str))

    natural = natural_starts(effects, a).reindex(ids).fillna(0).to_numpy(dtype=np.int64)
    earliest = np.zeros(n, dtype=np.int64)
    if earliest_start:
        for option, year in earliest_start.items():
            if option in index:
                earliest[index.get_loc(option)] = max(0, int(year) - a.first_year)
    costed = natural
    natural = np.minimum(np.maximum(natural, earliest), h - 1)
    held = natural - costed  # whole years an earliest start moves the option's costed dates

    # Savings by year for each delay: each system's saving start moved d whole years.
    years = a.first_year + np.arange(h)
    rows = effects["net_saving"].fillna(0.0).to_numpy() != 0
    rows &= pd.to_datetime(effects["saving_start"]).notna().to_numpy()
    starts = pd.DatetimeIndex(pd.to_datetime(effects["saving_start"])[rows])
    amounts = effects["net_saving"].to_numpy(dtype=float)[rows] * a.saving_factor
    row_held = held[col[rows]]
    delayed = np.zeros((n, w, h))
    for d in range(w):
        moved = np.empty(len(starts), dtype="datetime64[D]")
        for k in np.unique(row_held):
            at = row_held == k
            moved[at] = (starts[at] + pd.DateOffset(years=int(d + k))).to_numpy().astype("datetime64[D]")
        fractions = year_fractions(moved[:, None], None, years[None, :], first_month=a.first_month)
        np.add.at(delayed[:, d, :], col[rows], amounts[:, None] * fractions)

    # One-off costs: those of the start year, and those tied to the systems' dates.
    breakdown = options.one_off_breakdown
    start_costs = (breakdown.loc[breakdown["category"].isin(_YEAR0_CATEGORIES)].groupby("option_id")["amount"].sum()
                   .reindex(ids).fillna(0.0).to_numpy(dtype=float))
    by_year = options.one_off_by_year
    costs = np.zeros((n, h))
    t = by_year["year"].to_numpy(dtype=np.int64) - a.first_year
    inside = (t >= 0) & (t < h)
    np.add.at(costs, (index.get_indexer(by_year["option_id"].astype(str))[inside], t[inside]),
              by_year["amount"].to_numpy(dtype=float)[inside])
    costs[:, 0] -= start_costs
    costs[np.abs(costs) < 1e-9] = 0.0
    for k in np.unique(held[held > 0]):
        costs[held == k] = _shift(costs[held == k], int(k))

    kinds = effects["option_id"].map(table.set_index("option_id")["type"])
    migrating = effects.loc[effects["effect"].isin(("retire", "move")) & kinds.ne("joint procurement")
                            & ~effects["system_key"].astype(str).str.startswith("site:"),
                            ["option_id", "organisation"]].drop_duplicates()
    after = _dependencies(effects, sites, migration_years(a))
    shares = options.partner_shares.loc[:, ["option_id", "organisation", "saving_share", "cost_share"]]
    return ScheduleInputs(option_ids=ids, natural_start=natural.tolist(), savings=delayed[:, 0, :],
                          system_costs=costs, start_costs=start_costs.tolist(), migrating=migrating,
                          delayed_savings=delayed, cost_shares=shares, after=after,
                          effects=effects.loc[:, ["option_id", "system_key", "effect", "organisation"]],
                          earliest=earliest.tolist(), held=held.tolist(), room=options.room,
                          earliest_reasons=[(earliest_reason or {}).get(i, "") for i in ids])


def natural_starts(effects: pd.DataFrame, assumptions: Assumptions) -> pd.Series:
    """Each option's natural start, a year index from year 0: its first change less the migration.

    The financial year of the option's first retirement (or re-contract)
    less ``migration_months``, never before year 0 nor after the horizon's
    last year.

    Returns
    -------
    Series
        ``option_id`` (text) → year index (int).

    Examples
    --------
    >>> from estate.assumptions import load_assumptions
    >>> effects = pd.DataFrame({"option_id": ["A", "A", "B"], "effect": ["retire", "retire", "recontract"],
    ...                         "retire_date": pd.to_datetime(["2030-04-01", "2029-06-30", None]),
    ...                         "saving_start": pd.to_datetime(["2030-04-01", "2029-06-30", "2027-04-01"])})
    >>> natural_starts(effects, load_assumptions()).to_dict()
    {'A': 1, 'B': 0}
    """
    from estate.appraisal import financial_years

    a = assumptions
    keys = effects["option_id"].astype(str)
    change = pd.to_datetime(effects["retire_date"]).where(effects["effect"].eq("retire"),
                                                          pd.to_datetime(effects["saving_start"]))
    first_change = change.groupby(keys, sort=True).min().reindex(sorted(set(keys)))
    first_fy = financial_years((first_change - pd.DateOffset(months=int(a.migration_months))).to_numpy(),
                               first_month=a.first_month)
    natural = np.where(first_fy >= 0, np.maximum(first_fy - a.first_year, 0), 0).astype(np.int64)
    return pd.Series(np.minimum(natural, int(a.horizon_years) - 1), index=first_change.index, dtype=np.int64)


def migration_years(assumptions: Assumptions) -> int:
    """D: the financial years a migration occupies, ``ceil(migration_months / 12)``, at least 1.

    Examples
    --------
    >>> from estate.assumptions import load_assumptions
    >>> migration_years(load_assumptions(migration_months=18))
    2
    """
    return max(1, math.ceil(int(assumptions.migration_months) / 12))


def _dependencies(effects: pd.DataFrame, sites: pd.DataFrame | None, lag: int) -> pd.DataFrame:
    """``option_id`` starts at least ``lag`` years after ``after``: survivors moved or re-contracted, sites."""
    parts = []
    relies = effects.loc[effects["effect"].isin(("survive",)), ["option_id", "system_key"]]
    for effect, years in (("move", lag), ("recontract", 0)):
        provider = effects.loc[effects["effect"].eq(effect), ["option_id", "system_key"]].rename(
            columns={"option_id": "after"})
        pairs = relies.merge(provider, on="system_key")
        parts.append(pairs.assign(lag=years)[["option_id", "after", "lag"]])
    if sites is not None and len(sites):
        hosted = sites.loc[sites["site_key"].notna(), ["system_key", "site_key"]].astype(str)
        closing = effects.loc[effects["effect"].eq("retire") & effects["system_key"].astype(str).str.startswith(
            "site:"), ["option_id", "system_key"]]
        closing = closing.assign(site_key=closing["system_key"].astype(str).str[len("site:"):])[
            ["option_id", "site_key"]]
        retiring = effects.loc[effects["effect"].eq("retire"), ["option_id", "system_key"]].astype(str).merge(
            hosted, on="system_key").rename(columns={"option_id": "after"})[["after", "site_key"]]
        pairs = closing.merge(retiring, on="site_key")
        parts.append(pairs.assign(lag=lag)[["option_id", "after", "lag"]])
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["option_id", "after", "lag"])
    frame = frame.loc[frame["option_id"] != frame["after"]].astype({"option_id": str, "after": str})
    frame = frame.groupby(["option_id", "after"], as_index=False)["lag"].max()
    return frame.sort_values(["option_id", "after"]).reset_index(drop=True)


# --------------------------------------------------------------------------- #
# The model
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Schedule:
    """When each recommended option starts, and why.

    Attributes
    ----------
    table : DataFrame
        One row a recommended option, columns :data:`SCHEDULE_COLUMNS`.
    savings, costs : numpy.ndarray
        (n, W, H): every candidate's flows for each delay (after bias).
    npv : numpy.ndarray
        (n, W): their NPVs.
    option_ids : tuple of str
    portfolio : Portfolio
        The chosen options as a :class:`~estate.portfolio.Portfolio`
        (objective = the scheduled NPV).
    """

    table: pd.DataFrame
    savings: np.ndarray = field(repr=False)
    costs: np.ndarray = field(repr=False)
    npv: np.ndarray = field(repr=False)
    option_ids: tuple[str, ...] = field(repr=False)
    portfolio: Portfolio = field(repr=False)
    held: tuple[int, ...] = field(default=(), repr=False)

    def delays(self) -> dict[str, int]:
        """Each recommended option's delay from its natural start, in years."""
        return dict(zip(self.table["option_id"], self.table["delay"].astype(int), strict=True))


def _flows(inputs: ScheduleInputs, w: int, h: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    n = len(inputs.option_ids)
    natural = np.asarray(inputs.natural_start, dtype=np.int64).reshape(n)
    if inputs.delayed_savings is not None:
        savings = np.asarray(inputs.delayed_savings, dtype=float).reshape(n, w, h)
    else:
        base = np.asarray(inputs.savings, dtype=float).reshape(n, h)
        savings = np.stack([_shift(base, d) for d in range(w)], axis=1) if n else np.zeros((0, w, h))
    system = np.asarray(inputs.system_costs, dtype=float).reshape(n, h)
    start_costs = np.asarray(inputs.start_costs, dtype=float).reshape(n)
    costs = np.zeros((n, w, h))
    starts = natural[:, None] + np.arange(w)[None, :]
    for d in range(w):
        costs[:, d, :] = _shift(system, d)
        inside = starts[:, d] < h
        costs[np.flatnonzero(inside), d, starts[inside, d]] += start_costs[inside]
    return savings, costs, natural, starts


def schedule_portfolio(inputs: ScheduleInputs, assumptions: Assumptions, *,
                       constraints: PortfolioConstraints | None = None,
                       partner_budget_by_year: Mapping[tuple[str, int], float] | None = None,
                       require_optimal: bool = True) -> Schedule:
    """Choose which options to do and when each starts, in one MILP.

    Parameters
    ----------
    inputs : ScheduleInputs
        From :func:`schedule_inputs` (or built by hand, as in the tests).
    assumptions : Assumptions
        ``start_window_years``, ``migrations_per_organisation``,
        ``migrations_at_once``, ``migration_months``, the discount rate and
        horizon.
    constraints : PortfolioConstraints, optional
        Kept systems, opt-outs, a budget by financial year for the whole
        portfolio, minimum partner NPVs and the solver's limits.
    partner_budget_by_year : mapping of (organisation, financial year) to float, optional
        Most one-off spend a partner may bear in a year (its cost share of
        each option's spend that year).
    require_optimal : bool, default=True
        Raise :class:`~estate.errors.SolverError` unless proven optimal.

    Returns
    -------
    Schedule
    """
    from scipy import sparse
    from scipy.optimize import Bounds, LinearConstraint, milp

    from estate.portfolio import Portfolio, PortfolioConstraints, selection_model

    a = assumptions
    rules = constraints or PortfolioConstraints()
    h, w, span = int(a.horizon_years), int(a.start_window_years), migration_years(a)
    ids = [str(i) for i in inputs.option_ids]
    n = len(ids)
    index = pd.Index(ids)
    if index.has_duplicates:
        raise ParameterError("schedule_portfolio needs each option once.")
    savings, costs, natural, starts = _flows(inputs, w, h)
    factors = 1.0 / (1.0 + a.discount_rate) ** np.arange(h)
    pv_s, pv_c = savings @ factors, costs @ factors
    npv = pv_s - pv_c
    m = n * w
    upper = np.ones((n, w))
    upper[starts >= h] = 0.0
    upper[:, 0] = 1.0  # an option may always start at its natural start

    # The timing-free rules, each option's column repeated for its delays.
    effects = inputs.effects if inputs.effects is not None else pd.DataFrame(
        {"option_id": pd.Series(dtype=str), "system_key": pd.Series(dtype=str), "effect": pd.Series(dtype=str)})
    members = inputs.cost_shares[["option_id", "organisation"]] if inputs.cost_shares is not None else None
    base = selection_model(pd.DataFrame({"option_id": ids, "npv": npv[:, 0] if n else []}), effects,
                           partners=members, room=inputs.room, constraints=rules)
    order = pd.Index([str(i) for i in base.option_ids]).get_indexer(ids)
    upper[base.upper[order] == 0] = 0.0
    spread = sparse.csr_array((np.ones(m), (np.repeat(order, w), np.arange(m))), shape=(len(base.option_ids), m))
    blocks: list[tuple[str, LinearConstraint]] = [
        (name, LinearConstraint(family.A @ spread, family.lb, family.ub)) for name, family in base.families]

    def block(name: str, row: np.ndarray, col: np.ndarray, values: Any, lower: Any, upper_: Any, rows: int) -> None:
        if rows == 0 or not len(row):
            return
        data = np.broadcast_to(np.asarray(values, dtype=float), row.shape)
        matrix = sparse.csr_array((data, (row.astype(np.int64), col.astype(np.int64))), shape=(rows, m))
        blocks.append((name, LinearConstraint(matrix, np.broadcast_to(np.asarray(lower, dtype=float), rows),
                                              np.broadcast_to(np.asarray(upper_, dtype=float), rows))))

    block("one_start", np.repeat(np.arange(n), w), np.arange(m), 1.0, -np.inf, 1.0, n)

    # Capacity: the options migrating an organisation's systems in each year.
    migrating = inputs.migrating.assign(col=index.get_indexer(inputs.migrating["option_id"].astype(str)))
    migrating = migrating.loc[migrating["col"] >= 0].drop_duplicates(["col", "organisation"])
    organisations = sorted(migrating["organisation"].astype(str).unique())
    occupy = []  # (option, delay, year)
    for d in range(w):
        for k in range(span):
            occupy.append(np.stack([np.arange(n), np.full(n, d), starts[:, d] + k], axis=1))
    occ = np.concatenate(occupy) if occupy else np.zeros((0, 3), dtype=np.int64)
    occ = occ[(occ[:, 2] < h) & (upper[occ[:, 0], occ[:, 1]] > 0)]
    per_org = int(a.migrations_per_organisation)
    if per_org > 0 and len(migrating):
        org_of = pd.Index(organisations).get_indexer(migrating["organisation"].astype(str))
        pairs = pd.DataFrame({"o": migrating["col"].to_numpy(), "p": org_of})
        cells = pairs.merge(pd.DataFrame(occ, columns=["o", "d", "t"]), on="o")
        block("organisation_capacity", cells["p"].to_numpy() * h + cells["t"].to_numpy(),
              cells["o"].to_numpy() * w + cells["d"].to_numpy(), 1.0, -np.inf, per_org, len(organisations) * h)
    together = int(a.migrations_at_once)
    movers = np.zeros(n, dtype=bool)
    movers[migrating["col"].to_numpy()] = True
    if together > 0:
        cells = occ[movers[occ[:, 0]]]
        block("partnership_capacity", cells[:, 2], cells[:, 0] * w + cells[:, 1], 1.0, -np.inf, together, h)

    # Dependencies: B starts at least lag years after A, when both are chosen.
    after = inputs.after if inputs.after is not None else pd.DataFrame(columns=["option_id", "after", "lag"])
    pairs = pd.DataFrame({"b": index.get_indexer(after["option_id"].astype(str)),
                          "a": index.get_indexer(after["after"].astype(str)), "lag": after["lag"].astype(int)})
    pairs = pairs.loc[(pairs["a"] >= 0) & (pairs["b"] >= 0)].reset_index(drop=True)
    if len(pairs):
        rows, cols = [], []
        r = 0
        for b, a_, lag in pairs.itertuples(index=False):
            for y in range(int(starts[b, 0]), h):  # [s_B <= y] + [s_A > y - lag] <= 1
                early_b = np.flatnonzero(starts[b] <= y)
                late_a = np.flatnonzero(starts[a_] > y - lag)
                if not len(early_b) or not len(late_a):
                    continue
                rows += [r] * (len(early_b) + len(late_a))
                cols += list(b * w + early_b) + list(a_ * w + late_a)
                r += 1
        block("dependency", np.array(rows), np.array(cols), 1.0, -np.inf, 1.0, r)

    # Budgets: the portfolio's and each partner's one-off spend in budgeted years.
    if rules.budget_by_year:
        years = sorted(int(y) for y in rules.budget_by_year)
        t_of = np.array(years) - a.first_year
        keep = (t_of >= 0) & (t_of < h)
        o, d, t = np.nonzero(costs[:, :, t_of[keep]])
        block("budget", t, o * w + d, costs[o, d, t_of[keep][t]], -np.inf,
              np.array([rules.budget_by_year[y] for y in np.array(years)[keep]]), int(keep.sum()))
    shares = inputs.cost_shares
    if partner_budget_by_year and shares is not None:
        limits = sorted(partner_budget_by_year.items())
        share = shares.assign(col=index.get_indexer(shares["option_id"].astype(str)))
        rows, cols, values, bounds = [], [], [], []
        for r, ((organisation, year), limit) in enumerate(limits):
            t = int(year) - a.first_year
            mine = share.loc[(share["organisation"] == organisation) & (share["col"] >= 0)]
            bounds.append(float(limit))
            if not 0 <= t < h:
                continue
            for o, part in zip(mine["col"], mine["cost_share"], strict=True):
                for d in range(w):
                    if costs[o, d, t]:
                        rows.append(r)
                        cols.append(o * w + d)
                        values.append(part * costs[o, d, t])
        block("partner_budget", np.array(rows), np.array(cols), np.array(values), -np.inf, np.array(bounds),
              len(limits))
    if rules.min_partner_npv is not None and shares is not None:
        share = shares.assign(col=index.get_indexer(shares["option_id"].astype(str)))
        share = share.loc[share["col"] >= 0]
        minimum = rules.min_partner_npv
        names = sorted(minimum) if isinstance(minimum, Mapping) else sorted(
            set(share["organisation"].astype(str)) - set(rules.opt_out))
        least = np.array([minimum[p] for p in names] if isinstance(minimum, Mapping) else [minimum] * len(names),
                         dtype=float)
        share = share.loc[share["organisation"].isin(names)]
        o = np.repeat(share["col"].to_numpy(), w)
        d = np.tile(np.arange(w), len(share))
        gain = (np.repeat(share["saving_share"].to_numpy(dtype=float), w) * pv_s[o, d]
                - np.repeat(share["cost_share"].to_numpy(dtype=float), w) * pv_c[o, d])
        row = pd.Index(names).get_indexer(np.repeat(share["organisation"].to_numpy(), w))
        block("partner_minimum_npv", row, o * w + d, gain, least, np.inf, len(names))

    # Solve.
    objective = (npv - _TIE * np.arange(w)[None, :]).ravel()
    candidates = pd.DataFrame({"option_id": pd.Series(ids, dtype=object), "npv": npv[:, 0] if n else []})
    if n == 0:
        portfolio = Portfolio((), 0.0, "optimal", True, "no options to choose from", base.excluded, 0.0, candidates)
        return Schedule(_empty_table(), savings, costs, npv, tuple(ids), portfolio, _held(inputs))
    result = milp(-objective, integrality=np.ones(m), bounds=Bounds(np.zeros(m), upper.ravel()),
                  constraints=[c for _, c in blocks] or None,
                  options={"time_limit": rules.time_limit_seconds, "mip_rel_gap": rules.mip_rel_gap,
                           "presolve": True})
    status = _MILP_STATUS.get(int(result.status), "error")
    message = str(result.message)
    gap = getattr(result, "mip_gap", None)
    gap = float(gap) if gap is not None and np.isfinite(gap) else math.nan
    solution = None if result.x is None else np.asarray(result.x, dtype=float)
    if status == "time limit":  # keep the better of the solver's best and a greedy fill of the same model
        greedy = greedy_fill(objective, upper.ravel(), [c for _, c in blocks])
        if greedy is not None and (solution is None or objective @ greedy > objective @ (solution > 0.5) + 1e-6):
            bound = getattr(result, "mip_dual_bound", None)
            bound = -float(bound) if bound is not None and np.isfinite(bound) else math.nan
            value = float(objective @ greedy)
            gap = (bound - value) / abs(bound) if np.isfinite(bound) and bound else math.nan
            solution = greedy
            message = (f"{message} The solver's best was not better than a greedy fill of the same model "
                       f"(options by NPV, each at its best start that breaks no rule), which is used: feasible, "
                       f"not proven optimal" + (f"; within {gap:.1%} of the solver's bound." if np.isfinite(gap)
                                                 else "."))
    if solution is None:
        portfolio = Portfolio((), math.nan, status, False, message, base.excluded, gap, candidates)
        if require_optimal:
            raise SolverError(f"No schedule found ({status}): {message}")
        return Schedule(_empty_table(), savings, costs, npv, tuple(ids), portfolio, _held(inputs))
    x = (solution > 0.5).astype(float)
    broken = [name for name, c in blocks if np.any(c.A @ x > np.asarray(c.ub) + _TOLERANCE * np.maximum(
        1, np.abs(np.asarray(c.ub, dtype=float)))) or np.any(c.A @ x < np.asarray(c.lb) - _TOLERANCE * np.maximum(
            1, np.abs(np.asarray(c.lb, dtype=float))))]
    if broken:
        status, message = "error", f"the solver's answer breaks {', '.join(broken)}; the solver said: {message}"
    elif status == "optimal" and rules.mip_rel_gap > 0 and not gap <= 1e-9:
        status = "within gap"
    if require_optimal and status != "optimal":
        raise SolverError(f"The schedule is not proven optimal ({status}): {message}")
    chosen_o, chosen_d = np.nonzero(x.reshape(n, w))
    value = float(npv[chosen_o, chosen_d].sum())
    portfolio = Portfolio(tuple(sorted(ids[o] for o in chosen_o)), value, status, status == "optimal", message,
                          base.excluded, gap, candidates)
    table = _reasons(inputs, a, chosen_o, chosen_d, natural, starts, costs, blocks, x, w, rules,
                     sorted((partner_budget_by_year or {}).items()))
    return Schedule(table, savings, costs, npv, tuple(ids), portfolio, _held(inputs))


def greedy_fill(objective: np.ndarray, upper: np.ndarray, constraints: Sequence[Any]) -> np.ndarray | None:
    """A feasible 0/1 answer to ``max objective @ x`` under ``constraints``, by filling greedily.

    The columns worth more than nothing are taken best first (ties by
    position) whenever taking one keeps every row within its upper bound and
    moves no row further below its lower bound. Used when the MILP stops at
    its time limit without a better answer: feasible, not proven optimal.
    Returns ``None`` when a row's lower bound is still not met at the end
    (a minimum the greedy fill cannot reach).

    Parameters
    ----------
    objective : numpy.ndarray
        Value of each column (to maximise).
    upper : numpy.ndarray
        Each column's upper bound (0 means the column may not be taken).
    constraints : sequence of scipy.optimize.LinearConstraint
        Rows ``lb <= A @ x <= ub``.

    Returns
    -------
    numpy.ndarray or None

    Examples
    --------
    Two options that retire one system (at most one of them), and a third on its own:

    >>> import numpy as np
    >>> from scipy.optimize import LinearConstraint
    >>> rows = LinearConstraint(np.array([[1.0, 1.0, 0.0]]), -np.inf, 1.0)
    >>> greedy_fill(np.array([5.0, 7.0, 2.0]), np.ones(3), [rows]).tolist()
    [0.0, 1.0, 1.0]
    """
    from scipy import sparse

    m = len(objective)
    x = np.zeros(m)
    if not constraints:
        x[(np.asarray(objective) > 0) & (np.asarray(upper) > 0)] = 1.0
        return x
    matrix = sparse.csc_array(sparse.vstack([sparse.csr_array(c.A) for c in constraints]))
    lb = np.concatenate([np.broadcast_to(np.asarray(c.lb, dtype=float), (c.A.shape[0],)) for c in constraints])
    ub = np.concatenate([np.broadcast_to(np.asarray(c.ub, dtype=float), (c.A.shape[0],)) for c in constraints])
    slack = 1e-9 * np.maximum(1.0, np.abs(np.where(np.isfinite(ub), ub, 0.0)))
    activity = np.zeros(len(ub))
    indptr, indices, data = matrix.indptr, matrix.indices, matrix.data
    wanted = np.flatnonzero((np.asarray(objective) > 0) & (np.asarray(upper) > 0))
    order = wanted[np.argsort(-np.asarray(objective)[wanted], kind="stable")]
    for _ in range(3):  # a column refused for a rule another column later satisfies gets another pass
        taken = False
        for j in order[x[order] == 0]:
            rows, values = indices[indptr[j]:indptr[j + 1]], data[indptr[j]:indptr[j + 1]]
            after = activity[rows] + values
            if np.any(after > ub[rows] + slack[rows]) or np.any((after < lb[rows] - 1e-9) & (values < 0)):
                continue
            activity[rows] = after
            x[j] = 1.0
            taken = True
        if not taken:
            break
    if np.any(activity < lb - 1e-9 * np.maximum(1.0, np.abs(np.where(np.isfinite(lb), lb, 0.0)))):
        return None
    return x


def _held(inputs: ScheduleInputs) -> tuple[int, ...]:
    """The years each option is held to its earliest start (0 for every option when none is)."""
    held = inputs.held if inputs.held is not None else [0] * len(inputs.option_ids)
    return tuple(int(k) for k in held)


def _empty_table() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in SCHEDULE_COLUMNS})


def _reasons(inputs: ScheduleInputs, a: Assumptions, chosen_o: np.ndarray, chosen_d: np.ndarray,
             natural: np.ndarray, starts: np.ndarray, costs: np.ndarray, blocks: list, x: np.ndarray, w: int,
             rules: PortfolioConstraints, partner_limits: Sequence[tuple[tuple[str, int], float]] = (),
             ) -> pd.DataFrame:
    """Why each chosen option starts when it does: try it one year earlier, everything else fixed."""
    ids = [str(i) for i in inputs.option_ids]
    earliest = np.asarray(inputs.earliest if inputs.earliest is not None else np.zeros(len(ids)), dtype=np.int64)
    why = list(inputs.earliest_reasons) if inputs.earliest_reasons is not None else [""] * len(ids)
    named = dict(blocks)
    rows = []
    for o, d in sorted(zip(chosen_o.tolist(), chosen_d.tolist(), strict=True), key=lambda p: ids[p[0]]):
        reason, detail = "ready", ""
        if d == 0:
            if natural[o] > 0 and earliest[o] >= natural[o] and earliest[o] > 0:
                reason, detail = "vesting", why[o] or "may not start before its earliest start"
            elif natural[o] > 0:
                reason, detail = "contract end", "its migration runs up to its systems' contract ends"
        else:
            trial = x.copy()
            trial[o * w + d] = 0.0
            trial[o * w + d - 1] = 1.0
            for name, reason_name in (("organisation_capacity", "capacity"), ("partnership_capacity", "capacity"),
                                      ("dependency", "dependency"), ("budget", "budget"),
                                      ("partner_budget", "budget")):
                c = named.get(name)
                if c is None:
                    continue
                activity = c.A @ trial
                over = np.flatnonzero(activity > np.asarray(c.ub) + 1e-9)
                if len(over):
                    reason = reason_name
                    detail = _detail(name, int(over[0]), inputs, a, rules, partner_limits)
                    break
            else:
                reason, detail = "value", "starting a year earlier is worth less to the portfolio"
        rows.append((ids[o], int(natural[o]), int(starts[o, d]), int(d), int(a.first_year + starts[o, d]), reason,
                     detail))
    return pd.DataFrame(rows, columns=list(SCHEDULE_COLUMNS))


def _detail(name: str, row: int, inputs: ScheduleInputs, a: Assumptions, rules: PortfolioConstraints,
            partner_limits: Sequence[tuple[tuple[str, int], float]] = ()) -> str:
    from estate.appraisal import fy_label

    h = int(a.horizon_years)
    if name == "organisation_capacity":
        organisations = sorted(inputs.migrating["organisation"].astype(str).unique())
        year = fy_label(a.first_year + row % h, first_month=a.first_month)
        return (f"{organisations[row // h]} already runs {a.migrations_per_organisation} migration(s) "
                f"in {year}")
    if name == "partnership_capacity":
        year = fy_label(a.first_year + row, first_month=a.first_month)
        return f"the partnership already runs {a.migrations_at_once} migrations in {year}"
    if name == "dependency":
        return "waits for an option it relies on (a survivor moved or re-contracted, or systems on its site)"
    if name == "partner_budget" and row < len(partner_limits):
        from estate.budgets import budget_label

        (organisation, year), limit = partner_limits[row]
        return (f"{organisation}'s one-off budget of {limit:,.0f} for "
                f"{fy_label(int(year), first_month=a.first_month)} would be exceeded "
                f"(Assumptions: {budget_label(organisation, year)})")
    return "the one-off budget of a year would be exceeded"


# --------------------------------------------------------------------------- #
# Applying a schedule to the options
# --------------------------------------------------------------------------- #


def _note_held_for_room(options: Options, chosen: Sequence[str]) -> Options:
    """The rationale of each closure the chosen closures left no room for says so."""
    from dataclasses import replace

    from estate.portfolio import held_for_room

    held = held_for_room(options.room, chosen)
    if not len(held):
        return options
    opts = options.options.copy()
    note = opts["option_id"].map(held.set_index("option_id")["reason"])
    at = note.notna()
    opts.loc[at, "rationale"] = opts.loc[at, "rationale"] + " Not recommended: " + note[at] + "."
    return replace(options, options=opts)


def apply_schedule(options: Options, schedule: Schedule, assumptions: Assumptions) -> Options:
    """The options with the recommended ones moved to their scheduled starts.

    Each recommended option delayed ``d`` years has its systems' dates
    (retirement, saving start, natural end) moved ``d`` years later and a
    ``delay_years`` of ``d`` in :attr:`Options.effects`; its cash flows,
    one-off costs by year, NPV, payback, ``start_year`` and ``end_year``, and
    its partners' NPVs, are those of the scheduled flows. An option held to
    an earliest start (:attr:`Schedule.held`, recommended or not) moves the
    held years more, with a delay of 0 when not recommended; other options
    not recommended are unchanged.
    """
    from dataclasses import replace

    from estate.appraisal import payback_years

    a = assumptions
    h = int(a.horizon_years)
    ids = list(schedule.option_ids)
    pos = pd.Index(ids)
    table = schedule.table.loc[:, ["option_id", "delay", "start_year"]]
    held = dict(zip(ids, schedule.held or (0,) * len(ids), strict=True))
    waiting = sorted(set(k for k, v in held.items() if v > 0) - set(table["option_id"]))
    if waiting:  # held to its earliest start but not recommended: its flows start then too
        first = options.options.set_index("option_id")["start_year"]
        table = pd.concat([table, pd.DataFrame({"option_id": waiting, "delay": 0, "start_year": [
            int(first.get(k, a.first_year)) + held[k] for k in waiting]})], ignore_index=True)
    options = _note_held_for_room(options, schedule.portfolio.chosen)
    if not len(table):
        return replace(options, effects=options.effects.assign(delay_years=np.int64(0)))
    o = pos.get_indexer(table["option_id"])
    d = table["delay"].to_numpy(dtype=np.int64)
    savings = schedule.savings[o, d]
    costs = schedule.costs[o, d]
    factors = 1.0 / (1.0 + a.discount_rate) ** np.arange(h)
    net = savings - costs
    # The years its dates move: its delay, and the years it was held to its earliest start.
    delay = {k: v + held.get(k, 0) for k, v in zip(table["option_id"], d.tolist(), strict=True)}
    start = dict(zip(table["option_id"], table["start_year"].astype(int).tolist(), strict=True))

    opts = options.options.copy()
    mine = opts["option_id"].isin(table["option_id"])
    row = pd.Index(table["option_id"]).get_indexer(opts.loc[mine, "option_id"])
    opts.loc[mine, "one_off_cost"] = costs.sum(axis=1)[row]
    opts.loc[mine, "pv_savings"] = (savings @ factors)[row]
    opts.loc[mine, "pv_costs"] = (costs @ factors)[row]
    opts.loc[mine, "npv"] = (net @ factors)[row]
    opts.loc[mine, "payback_years"] = np.array([payback_years(r) for r in net])[row]
    opts.loc[mine, "start_year"] = opts.loc[mine, "option_id"].map(start).astype(np.int64)
    moved = opts.loc[mine, "option_id"].map(delay).astype(np.int64)
    opts.loc[mine, "end_year"] = np.maximum(opts.loc[mine, "end_year"] + moved, opts.loc[mine, "start_year"])
    opts["meets_minimum_npv"] = opts["npv"] >= a.minimum_option_npv

    effects = options.effects.copy()
    effects["delay_years"] = effects["option_id"].map(delay).fillna(0).astype(np.int64)
    for k in sorted(set(delay.values()) - {0}):
        rows = effects["delay_years"].eq(k)
        for column in ("retire_date", "saving_start", "natural_end"):
            effects.loc[rows, column] = pd.to_datetime(effects.loc[rows, column]) + pd.DateOffset(years=k)

    flows = options.cash_flows.copy()
    key = flows["option_id"].isin(table["option_id"]).to_numpy()
    r = pd.Index(table["option_id"]).get_indexer(flows.loc[key, "option_id"])
    t = flows.loc[key, "t"].to_numpy(dtype=np.int64)
    flows.loc[key, "savings"] = savings[r, t]
    flows.loc[key, "costs"] = costs[r, t]
    flows["net"] = flows["savings"] - flows["costs"]
    flows["present_value"] = flows["net"] * flows["discount_factor"]
    flows["cumulative_net"] = flows.groupby("option_id", sort=False)["net"].cumsum()

    one_off = options.one_off_by_year
    other = one_off.loc[~one_off["option_id"].isin(table["option_id"])]
    oo, tt = np.nonzero(costs)
    scheduled = pd.DataFrame({"option_id": table["option_id"].to_numpy()[oo], "year": a.first_year + tt,
                              "amount": costs[oo, tt]})
    one_off_by_year = pd.concat([other, scheduled], ignore_index=True).sort_values(["option_id", "year"]) \
        .reset_index(drop=True)

    shares = options.partner_shares.copy()
    pick = shares["option_id"].isin(table["option_id"])
    by_option = opts.set_index("option_id")
    shares.loc[pick, "npv"] = (shares.loc[pick, "saving_share"] * shares.loc[pick, "option_id"].map(
        by_option["pv_savings"]) - shares.loc[pick, "cost_share"] * shares.loc[pick, "option_id"].map(
        by_option["pv_costs"]))
    shares.loc[pick, "one_off_cost"] = shares.loc[pick, "cost_share"] * shares.loc[pick, "option_id"].map(
        by_option["one_off_cost"])
    return replace(options, options=opts, effects=effects, cash_flows=flows, one_off_by_year=one_off_by_year,
                   partner_shares=shares)
