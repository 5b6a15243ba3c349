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

from estate.columns import map_distinct
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
    "reduced_model",
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
    # Each distinct (saving start, years held) is moved and pro-rated once, then spread to its rows.
    days = starts.to_numpy().astype("datetime64[D]").astype(np.int64)
    low = int(row_held.min()) if len(row_held) else 0
    base = int(row_held.max()) - low + 1 if len(row_held) else 1
    codes, distinct = pd.factorize(days * base + (row_held - low))
    first_days = pd.DatetimeIndex((distinct // base).astype("datetime64[D]"))
    distinct_held = distinct % base + low
    owner = col[rows]
    delayed = np.zeros((n, w, h))
    for d in range(w):
        moved = np.empty(len(distinct), dtype="datetime64[D]")
        for k in np.unique(distinct_held):
            at = distinct_held == k
            moved[at] = (first_days[at] + pd.DateOffset(years=int(d + k))).to_numpy().astype("datetime64[D]")
        fractions = year_fractions(moved[:, None], None, years[None, :], first_month=a.first_month)[codes]
        for t in range(h):  # summed row by row in order, as np.add.at would
            delayed[:, d, t] = np.bincount(owner, weights=amounts * fractions[:, t], minlength=n)

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
    site_rows = effects["system_key"].astype(str).str.startswith("site:").to_numpy(dtype=bool)
    migrating = effects.loc[effects["effect"].isin(("retire", "move")).to_numpy() & kinds.ne(
        "joint procurement").to_numpy() & ~site_rows, ["option_id", "organisation"]].drop_duplicates()
    after = _dependencies(effects, sites, migration_years(a), site_rows)
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
    first_change = change.groupby(keys, sort=True).min()  # one row an option, by sorted id
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


def _dependencies(effects: pd.DataFrame, sites: pd.DataFrame | None, lag: int,
                  site_rows: Any = None) -> pd.DataFrame:
    """``option_id`` starts at least ``lag`` years after ``after``: survivors moved or re-contracted, sites.

    ``site_rows`` marks the effects whose ``system_key`` is a site's (``site:...``), when already known.
    """
    parts = []
    relies = effects.loc[effects["effect"].isin(("survive",)), ["option_id", "system_key"]]
    for effect, years in (("move", lag), ("recontract", 0)):
        provider = effects.loc[effects["effect"].eq(effect), ["option_id", "system_key"]].rename(
            columns={"option_id": "after"})
        pairs = relies.merge(provider, on="system_key")
        parts.append(pairs.assign(lag=years)[["option_id", "after", "lag"]])
    if sites is not None and len(sites):
        site_rows = effects["system_key"].astype(str).str.startswith("site:") if site_rows is None else site_rows
        retire = effects["effect"].eq("retire").to_numpy()
        closing = effects.loc[retire & np.asarray(site_rows, dtype=bool), ["option_id", "system_key"]]
        closing = closing.assign(site_key=closing["system_key"].astype(str).str[len("site:"):])[
            ["option_id", "site_key"]]
        # Only the systems hosted on a site some option closes can hold its closure back.
        hosted = sites.loc[sites["site_key"].notna(), ["system_key", "site_key"]].astype(str)
        hosted = hosted.loc[hosted["site_key"].isin(closing["site_key"])]
        candidates = effects.loc[retire, ["option_id", "system_key"]]
        candidates = candidates.loc[candidates["system_key"].astype(str).isin(hosted["system_key"])].astype(str)
        retiring = candidates.merge(hosted, on="system_key").rename(columns={"option_id": "after"})[
            ["after", "site_key"]]
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


def _solve(objective: np.ndarray, matrix: Any, lower: np.ndarray, upper: np.ndarray, time_limit: float,
           gap: float) -> Any:
    """HiGHS on a reduced model whose rows all count options: without its presolve first.

    Such a model (retire-once, survivors, one start, capacity, dependencies:
    every coefficient 1, as with the default rules) is a set-packing model on
    which HiGHS's presolve spends seconds building and merging its clique
    table and gains nothing (at 100,000 systems: about 1 s without it, 4-9 s
    with it, far more under load). It is solved without presolve first, given
    half of ``time_limit``; if that run does not settle it (proven optimal or
    infeasible), it is solved again with presolve in the time left and the
    better answer is kept. Either way HiGHS proves the optimum the same way:
    the answer is exact.
    """
    import time

    from scipy.optimize import Bounds, LinearConstraint, milp

    def run(presolve: bool, seconds: float) -> Any:
        return milp(-objective, integrality=np.ones(len(objective)), bounds=Bounds(0.0, 1.0),
                    constraints=LinearConstraint(matrix, lower, upper) if matrix.shape[0] else None,
                    options={"time_limit": seconds, "mip_rel_gap": gap, "presolve": presolve})

    start = time.perf_counter()
    quick = run(False, 0.5 * time_limit)
    left = time_limit - (time.perf_counter() - start)
    if int(quick.status) in (0, 2) or left <= 0:
        return quick
    full = run(True, left)
    if int(full.status) in (0, 2) or quick.x is None:
        return full
    if full.x is not None and -full.fun > -quick.fun:
        return full
    return quick


def _worthless(objective: np.ndarray, upper: np.ndarray, rules: PortfolioConstraints,
               partner_budget_by_year: Mapping[tuple[str, int], float] | None, room: pd.DataFrame | None,
               index: pd.Index) -> np.ndarray:
    """The options left out before the model is built: worth less than nothing at every start it may take.

    The first rule of :func:`reduced_model`, applied early, where it is known
    to hold without building the rows: when no budget, partner budget or
    partner minimum NPV is given, no partner opts out, no system is kept and
    no destination's room can bind, every row of the model only counts
    options (coefficient 1 under an upper bound), so dropping such an option
    from any schedule breaks no rule and is worth more. Returns a mask over
    the options (none when any of those rules is given: the model is then
    built and solved whole, as it always was).
    """
    worthless = np.zeros(objective.shape[0], dtype=bool)
    if (rules.opt_out or rules.keep_systems or rules.budget_by_year or partner_budget_by_year
            or rules.min_partner_npv is not None):
        return worthless
    if room is not None and len(room):  # a destination the closures could overfill: a room row, not counting
        racks = pd.to_numeric(room["racks"], errors="coerce")
        free = pd.to_numeric(room["free"], errors="coerce")
        by = room["destination"].astype(str)
        if not (racks.groupby(by).sum() <= free.groupby(by).min()).all():
            return worthless
    return np.all((objective < 0) | (upper <= 0), axis=1)


def _dependency_rows(b: np.ndarray, a: np.ndarray, lag: np.ndarray, starts: np.ndarray,
                     h: int) -> tuple[np.ndarray, np.ndarray, int]:
    """The rows "B starts at least ``lag`` years after A": (row, column) of each 1, and the number of rows.

    For each pair and each year y from B's natural start to the horizon's
    last year, one row :math:`[s_B \\le y] + [s_A > y - lag] \\le 1` over the
    columns ``o * W + d`` (``starts`` is (n, W): the start year of each
    option and delay); a year in which A cannot start that late is left
    out. Rows are numbered by pair, then year; within a row, B's columns
    come first.

    Examples
    --------
    B (option 1) after A (option 0), lag 1, two delays, horizon 3:

    >>> rows, cols, r = _dependency_rows(np.array([1]), np.array([0]), np.array([1]), np.array([[0, 1], [0, 1]]), 3)
    >>> r, rows.tolist(), cols.tolist()
    (2, [0, 0, 0, 1, 1, 1], [2, 0, 1, 2, 3, 1])
    """
    b, a, lag = (np.asarray(v, dtype=np.int64) for v in (b, a, lag))
    w = starts.shape[1]
    years = np.arange(h)
    # (pair, year): a row when y is at or after B's natural start and A can still start after y - lag.
    valid = (years[None, :] >= starts[b, :1]) & (starts[a, -1:] > years[None, :] - lag[:, None])
    pair, year = np.nonzero(valid)  # row order: by pair, then by year
    r = len(pair)
    row = np.arange(r)
    early = starts[b[pair]] <= year[:, None]  # (row, d): B starts by y
    late = starts[a[pair]] > (year - lag[pair])[:, None]  # (row, d): A starts after y - lag
    # Each row's entries: B's columns, then A's (the order the rows were always written in).
    delay = np.arange(w)
    cols = np.concatenate([(b[pair][:, None] * w + delay)[early], (a[pair][:, None] * w + delay)[late]])
    rows = np.concatenate([np.broadcast_to(row[:, None], early.shape)[early],
                           np.broadcast_to(row[:, None], late.shape)[late]])
    order = np.argsort(rows, kind="stable")
    return rows[order], cols[order], r


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
    room = inputs.room
    worthless = _worthless(npv - _TIE * np.arange(w)[None, :], upper, rules, partner_budget_by_year, room, index)
    if worthless.any():  # left out of the model altogether (they could only be left out of it later)
        out = pd.Index(np.asarray(ids, dtype=object)[worthless])
        dropped = effects["option_id"].astype(str).isin(out)
        gone_members = members["option_id"].astype(str).isin(out) if members is not None else None
        gone_room = room["option_id"].astype(str).isin(out) if room is not None else None
        # Their rows are checked as the model's own are (selection_model's checks), then left out.
        selection_model(pd.DataFrame({"option_id": out, "npv": npv[worthless, 0]}), effects.loc[dropped],
                        partners=members.loc[gone_members] if members is not None else None,
                        room=room.loc[gone_room] if room is not None else None, constraints=rules)
        effects = effects.loc[~dropped]
        members = members.loc[~gone_members] if members is not None else None
        room = room.loc[~gone_room] if room is not None else None
    modelled = np.flatnonzero(~worthless)
    base = selection_model(pd.DataFrame({"option_id": [ids[o] for o in modelled], "npv": npv[modelled, 0]}),
                           effects, partners=members, room=room, constraints=rules)
    order = pd.Index([str(i) for i in base.option_ids]).get_indexer([ids[o] for o in modelled])
    upper[worthless] = 0.0
    upper[modelled[base.upper[order] == 0]] = 0.0
    columns = (modelled[:, None] * w + np.arange(w)[None, :]).ravel()
    spread = sparse.csr_array((np.ones(len(columns)), (np.repeat(order, w), columns)),
                              shape=(len(base.option_ids), m))
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
    # A pair with an option left out of the model: its rows would hold one option only, and bind nothing.
    pairs = pairs.loc[~worthless[pairs["a"].to_numpy()] & ~worthless[pairs["b"].to_numpy()]].reset_index(drop=True)
    if len(pairs):
        rows, cols, r = _dependency_rows(pairs["b"].to_numpy(), pairs["a"].to_numpy(), pairs["lag"].to_numpy(),
                                         starts, h)
        block("dependency", rows, cols, 1.0, -np.inf, 1.0, r)

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
    # The columns no optimal schedule uses, and the rows no schedule can break, are left out of what the
    # solver is given (reduced_model); its answer is put back in the full model's columns and checked there.
    # That is done when every row only counts options (every coefficient 1, upper bounds only: the default
    # rules). A model with budgets, partners' minimum NPVs or room rows is a knapsack, on which HiGHS's own
    # presolve pays and its search varies from one model to another however alike: it gets the full model,
    # with presolve, as it always did.
    counting = all(np.all(sparse.csr_array(c.A).data == 1.0) and not np.any(np.isfinite(np.asarray(c.lb)))
                   for _, c in blocks)
    if counting:
        kept, matrix, row_lb, row_ub = reduced_model(objective, upper.ravel(), [c for _, c in blocks], w)
    else:
        kept = np.arange(m)
    if len(kept):
        if counting:
            result = _solve(objective[kept], matrix, row_lb, row_ub, rules.time_limit_seconds, rules.mip_rel_gap)
        else:
            result = milp(-objective, integrality=np.ones(m), bounds=Bounds(np.zeros(m), upper.ravel()),
                          constraints=[c for _, c in blocks] or None,
                          options={"time_limit": rules.time_limit_seconds, "mip_rel_gap": rules.mip_rel_gap,
                                   "presolve": True})
        status = _MILP_STATUS.get(int(result.status), "error")
        message = str(result.message)
        gap = getattr(result, "mip_gap", None)
        gap = float(gap) if gap is not None and np.isfinite(gap) else math.nan
        solution = None
        if result.x is not None:
            solution = np.zeros(m)
            solution[kept] = np.asarray(result.x, dtype=float)
    else:  # every column is worth less than nothing, or fixed out: choosing none is optimal if it breaks no rule
        feasible = all(np.all(np.asarray(c.lb) <= 0) and np.all(np.asarray(c.ub) >= 0) for _, c in blocks)
        status, gap = ("optimal", 0.0) if feasible else ("infeasible", math.nan)
        message = ("no option is worth choosing at any start" if feasible
                   else "choosing no option breaks a rule, and no option could help meet it")
        solution = np.zeros(m) if feasible else None
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


def reduced_model(objective: np.ndarray, upper: np.ndarray, constraints: Sequence[Any],
                  w: int) -> tuple[np.ndarray, Any, np.ndarray, np.ndarray]:
    """The columns an optimal schedule may use, and the rows that can still bind on them.

    Columns are ``o * w + d`` (option ``o`` starting with delay ``d``); the
    model must hold, among ``constraints``, each option's ``one start`` row
    (at most one of its columns). Two kinds of column are in no optimal
    answer, and are left out:

    * **worth less than nothing, and safe to drop**: a column whose
      objective is below 0, and whose every coefficient only uses up room
      (non-negative in a row with an upper bound, non-positive in a row with
      a lower bound). Dropping it from any feasible answer keeps it feasible
      and is worth more, so no optimal answer holds it. An option another
      relies on is kept when it counts toward a minimum (a partner's
      minimum NPV) or eases a budget (a negative cost);
    * **a dominated start**: a column (o, d') when another start (o, d) of
      the same option is worth more and, row by row, uses no more room
      (coefficient no greater in every row with an upper bound, no smaller in
      every row with a lower bound). Moving the option from d' to d keeps any
      answer feasible and is worth more.

    Columns whose upper bound is 0 are left out too. Each answer of the
    reduced model is an answer of the full one, and the optimal answers of
    the two are the same. Of the rows, over the columns kept, those that no
    choice of at most one start an option can break (their largest and
    smallest activity within their bounds), or that have no column left,
    are left out, except the one-start rows of options with two columns or
    more, on which that argument rests.

    Parameters
    ----------
    objective : numpy.ndarray
        Value of each column (to maximise).
    upper : numpy.ndarray
        Each column's upper bound (0: fixed out).
    constraints : sequence of scipy.optimize.LinearConstraint
        Rows ``lb <= A @ x <= ub`` over all the columns.
    w : int
        Columns an option (start slots).

    Returns
    -------
    kept : numpy.ndarray
        The columns kept (sorted positions).
    matrix : scipy.sparse.csr_array
        The rows kept, over the columns kept.
    lower, upper : numpy.ndarray
        Their bounds.

    Examples
    --------
    Two options with two starts each; one start a row ("one start"), and a
    row that option 0 at delay 0 and option 1 share. Option 1 is worth less
    than nothing at either start; option 0's later start uses no room and is
    worth more, so its first start is dominated:

    >>> import numpy as np
    >>> from scipy.optimize import LinearConstraint
    >>> one_start = LinearConstraint(np.array([[1.0, 1.0, 0.0, 0.0], [0.0, 0.0, 1.0, 1.0]]), -np.inf, 1.0)
    >>> shared = LinearConstraint(np.array([[1.0, 0.0, 1.0, 1.0]]), -np.inf, 1.0)
    >>> kept, matrix, lower, upper = reduced_model(np.array([5.0, 6.0, -1.0, -2.0]), np.ones(4),
    ...                                            [one_start, shared], 2)
    >>> kept.tolist(), matrix.shape
    ([1], (0, 1))
    """
    from scipy import sparse

    objective = np.asarray(objective, dtype=float)
    m = len(objective)
    n = m // w
    live = np.asarray(upper, dtype=float) > 0
    if not constraints:
        kept = np.flatnonzero(live & (objective >= 0))
        return kept, sparse.csr_array((0, len(kept))), np.zeros(0), np.zeros(0)
    stacked = sparse.vstack([sparse.csr_array(c.A) for c in constraints]).tocoo()
    lb = np.concatenate([np.broadcast_to(np.asarray(c.lb, dtype=float), (c.A.shape[0],)) for c in constraints])
    ub = np.concatenate([np.broadcast_to(np.asarray(c.ub, dtype=float), (c.A.shape[0],)) for c in constraints])
    row, col, value = stacked.row.astype(np.int64), stacked.col.astype(np.int64), stacked.data
    at = value != 0
    row, col, value = row[at], col[at], value[at]
    rows = len(lb)
    capped, floored = np.isfinite(ub), np.isfinite(lb)

    # Worth less than nothing, and dropping it never breaks a row.
    unsafe = np.zeros(m, dtype=bool)
    unsafe[col[((value < 0) & capped[row]) | ((value > 0) & floored[row])]] = True
    out = ~live | ((objective < 0) & ~unsafe)

    # The rest rests on each option's one-start row: a row of 1s over all its w columns, at most 1.
    option, delay = col // w, col % w
    key, group = np.unique(row * n + option, return_inverse=True)
    options_in_row = np.bincount(key // n, minlength=rows)
    columns_in_row = np.bincount(row, minlength=rows)
    ones_in_row = np.bincount(row, weights=(value == 1.0), minlength=rows)
    one_start = (options_in_row == 1) & (columns_in_row == w) & (ones_in_row == w) & (ub == 1) & ~floored
    covered = np.zeros(n, dtype=bool)
    covered[option[one_start[row]]] = True
    if not covered.all():
        kept = np.flatnonzero(~out)
        rest = sparse.csr_array((value, (row, col)), shape=(rows, m))[:, kept]
        return kept, sparse.csr_array(rest), lb, ub

    # Dominated starts: for each option and row, its coefficients by delay side by side.
    coefficient = np.zeros((len(key), w))
    coefficient[group, delay] = value
    group_row, group_option = key // n, key % n
    values, alive = objective.reshape(n, w), live.reshape(n, w)
    # uses[g, d, e]: in group g's row, start d uses more room than start e (so d cannot stand in for e);
    # only groups whose coefficients differ from start to start can say so.
    varies = np.flatnonzero(coefficient.max(axis=1) != coefficient.min(axis=1))
    ahead, behind = coefficient[varies, :, None], coefficient[varies, None, :]
    uses = ((capped[group_row[varies]][:, None, None] & (ahead > behind))
            | (floored[group_row[varies]][:, None, None] & (ahead < behind))).reshape(len(varies), w * w)
    blocked = np.zeros((n, w * w), dtype=bool)
    for pair in range(w * w):
        blocked[group_option[varies[uses[:, pair]]], pair] = True
    blocked = blocked.reshape(n, w, w)
    better = alive[:, :, None] & alive[:, None, :] & (values[:, :, None] > values[:, None, :])
    out |= (better & ~blocked).any(axis=1).ravel()  # start e of an option: some start d beats it
    out[_copies(row, col, value, objective, live, one_start, capped, floored, lb, ub, w) * w
        + np.arange(w)[:, None]] = True
    kept = np.flatnonzero(~out)

    # Over the kept columns, a row's activity lies between the sums, over its options, of each one's
    # smallest and largest coefficient (or 0: not chosen). A row within its bounds at both is left out.
    at = ~out[col]
    usable = np.where((~out).reshape(n, w)[group_option], coefficient, 0.0)  # (row, option) by kept start
    high = np.bincount(group_row, weights=np.maximum(usable.max(axis=1), 0.0), minlength=rows)
    low = np.bincount(group_row, weights=np.minimum(usable.min(axis=1), 0.0), minlength=rows)
    left = np.bincount(row[at], minlength=rows)
    needed = (((high > ub) | (low < lb)) & ~one_start) | (one_start & (left >= 2))
    chosen = np.flatnonzero(needed)
    position = np.full(m, -1, dtype=np.int64)
    position[kept] = np.arange(len(kept))
    renumber = np.full(rows, -1, dtype=np.int64)
    renumber[chosen] = np.arange(len(chosen))
    at &= needed[row]
    matrix = sparse.csr_array((value[at], (renumber[row[at]], position[col[at]])), shape=(len(chosen), len(kept)))
    return kept, matrix, lb[chosen], ub[chosen]


def _copies(row: np.ndarray, col: np.ndarray, value: np.ndarray, objective: np.ndarray, live: np.ndarray,
            one_start: np.ndarray, capped: np.ndarray, floored: np.ndarray, lb: np.ndarray, ub: np.ndarray,
            w: int) -> np.ndarray:
    """The options that are exact copies of an earlier one that excludes them: no answer needs them.

    An option o' is a copy of an earlier option o (by position) when, start by
    start, they are worth the same and have the same upper bound; in each row
    holding both (one-start rows aside) they have the same coefficients; the
    rows holding only o' pair off with the rows holding only o, each pair
    alike in its bounds, in the option's own coefficients and in every other
    entry (as two options' "after the same option" rows are); and they
    cannot both be chosen (a shared row with no negative coefficient and no
    lower bound is broken by two of their least coefficients in it). Any
    answer with o' at a start is then as good, and as feasible, with o at
    that start instead: each row's activity becomes its twin's. So o' is
    left out and, of two options alike in everything, the earlier is the one
    recommended. Returns the positions of the copies as a 1-row array.
    """
    from scipy import sparse

    n = len(objective) // w
    none = np.zeros((1, 0), dtype=np.int64)
    # Candidates: first the same values and upper bounds start by start (cheap, and rare)...
    frame = pd.DataFrame(objective.reshape(n, w), columns=[f"v{d}" for d in range(w)]).assign(
        **{f"u{d}": live.reshape(n, w)[:, d] for d in range(w)})
    twins = frame.duplicated(keep=False).to_numpy()
    at = ~one_start[row] & twins[col // w]
    row, col, value = row[at], col[at], value[at]
    if not len(row):
        return none
    option, slot = col // w, col % w
    # ... then the same (start, coefficient) entries, rows aside: a sum of whole numbers drawn from each
    # entry (exact in any order, so options alike sum alike; the few others alike by chance are told
    # apart below).
    drawn = np.round(np.sin(value * 12.9898 + slot * 78.233 + 0.5) * 2.0**20)
    frame = frame.assign(fingerprint=np.bincount(option, weights=drawn, minlength=n),
                         entries=np.bincount(option, minlength=n))
    frame = frame.loc[twins & (frame["entries"] > 0).to_numpy()]
    alike = frame.groupby(list(frame.columns), sort=False).ngroup().to_numpy()
    first = pd.Series(frame.index.to_numpy()).groupby(alike).transform("min").to_numpy()
    pairs = [(int(c), int(o)) for c, o in zip(frame.index.to_numpy(), first, strict=True) if c != o]
    if not pairs:
        return none
    by_row = sparse.csr_array((value, (row, col)), shape=(len(ub), n * w))
    by_col = by_row.tocsc()
    clean = np.bincount(row[value < 0], minlength=len(ub)) == 0  # rows with no negative coefficient

    def entries(o: int) -> dict[int, tuple]:
        """Row -> the option's (start, coefficient) entries in it."""
        found: dict[int, list] = {}
        for d in range(w):
            j = o * w + d
            for r, v in zip(by_col.indices[by_col.indptr[j]:by_col.indptr[j + 1]].tolist(),
                            by_col.data[by_col.indptr[j]:by_col.indptr[j + 1]].tolist(), strict=True):
                found.setdefault(r, []).append((d, v))
        return {r: tuple(sorted(v)) for r, v in found.items()}

    def twin(r: int, o: int, own: tuple) -> tuple:
        """A row as seen from option o: its bounds, o's entries, and every other entry."""
        cols = by_row.indices[by_row.indptr[r]:by_row.indptr[r + 1]]
        vals = by_row.data[by_row.indptr[r]:by_row.indptr[r + 1]]
        other = cols // w != o
        return (float(lb[r]), float(ub[r]), own, tuple(cols[other].tolist()), tuple(vals[other].tolist()))

    copies = []
    for copy, original in pairs:
        mine, theirs = entries(copy), entries(original)
        shared = sorted(set(mine) & set(theirs))
        if any(mine[r] != theirs[r] for r in shared):
            continue
        if sorted(twin(r, copy, mine[r]) for r in mine if r not in theirs) != sorted(
                twin(r, original, theirs[r]) for r in theirs if r not in mine):
            continue
        usable = int(live.reshape(n, w)[original].sum())
        for r in shared:
            least = [v for d, v in theirs[r] if live[original * w + d]]
            if (len(least) == usable and clean[r] and capped[r] and not floored[r] and min(least) > 0
                    and 2 * min(least) > ub[r]):
                copies.append(copy)
                break
    return np.asarray(copies, dtype=np.int64)[None, :]


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
    effects["delay_years"] = np.nan_to_num(map_distinct(effects["option_id"], delay), nan=0.0).astype(np.int64)
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
