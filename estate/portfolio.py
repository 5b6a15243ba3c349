"""Selection: choose the portfolio of options worth most, retiring no system twice.

The options step proposes many consolidation options (a shared platform, a
joint procurement, rationalising within one organisation, hosting
consolidation) and many of them compete for the same systems. This module
chooses the set of options, the *portfolio*, with the greatest total net
present value (NPV) that is coherent: no system is retired twice, nothing a
chosen option retires is kept by another, each year's one-off spend stays
within budget and, if asked, every partner comes out ahead.

Data
----
Inputs are tidy DataFrames keyed by domain ids; other columns are ignored.

``options``
    One row an option: ``option_id`` (unique text) and ``npv``.
``effects``
    One row an (``option_id``, ``system_key``, ``effect``): what the option does
    to a system it touches. ``effect`` is one of :data:`EFFECTS`: ``retire``
    (the system goes, its work moves elsewhere), ``survive`` (it takes on
    others' work), ``recontract`` (it is kept under a joint contract) or
    ``move`` (it is re-hosted). An option may not both retire and keep a system.
``one_off_by_year``
    (``option_id``, ``year``, ``amount``): one-off cost in each financial year;
    several rows for the same option and year are added together.
``partner_npv``
    (``option_id``, ``organisation``, ``npv``): each partner's share of an
    option's NPV; repeated rows are added together.
``partners``
    (``option_id``, ``organisation``): who takes part in an option, used for
    opt-outs. When absent it is read from ``partner_npv``.
``room``
    (``option_id``, ``destination``, ``racks``, ``free``): the racks a hosting
    closure moves into a destination and the racks free there
    (:attr:`estate.options.Options.room`).

Model
-----
One binary variable a candidate option, :math:`x_o = 1` if option *o* is in
the portfolio. Writing :math:`R_s` for the options that retire system *s*,
:math:`K_s` for those that keep it (survive, re-contract or move), and
:math:`C_s`, :math:`M_s` for those that re-contract and move it:

.. math::

    \\max \\sum_o \\mathrm{npv}_o x_o \\quad\\text{subject to}

(a) ``retire_at_most_once``: :math:`\\sum_{o \\in R_s} x_o \\le 1` for each
    system *s* with two or more retirers;
(b) ``retired_not_kept``: :math:`\\sum_{o \\in R_s} x_o + x_p \\le 1` for each
    system *s* and each :math:`p \\in K_s` (no option is in both sets);
(c) ``one_recontract_one_move``: :math:`\\sum_{o \\in C_s} x_o \\le 1` and
    :math:`\\sum_{o \\in M_s} x_o \\le 1` for each system *s*: two joint
    contracts (or two moves) of the same system conflict;
(c2) ``survive_at_most_once``: :math:`\\sum_{o \\in S_s} x_o \\le 1` for each
    system *s*, where :math:`S_s` are the options in which *s* survives: two
    options that move different systems onto the same survivor would each
    count the survivor's run cost in their base, so at most one of them is
    chosen (CONTRACT §4: a system is ``Survivor`` in at most one recommended
    option);
(c3) ``destination_room``: :math:`\\sum_{o \\in D_k} \\mathrm{racks}_o x_o \\le \\mathrm{free}_k`
    for each destination *k* whose closures could overfill it, where :math:`D_k`
    are the closures moving into *k*: closures that each fit alone cannot
    together overfill it (and one that does not fit alone is never chosen);
(d) ``budget``: :math:`\\sum_o \\mathrm{oneoff}_{o,y} x_o \\le B_y` for each
    year *y* of :attr:`PortfolioConstraints.budget_by_year`;
(e) bounds: :math:`x_o = 0` for every option that includes an organisation that
    opts out or that retires a system to be kept; these are listed in
    :attr:`Portfolio.excluded` with the reason;
(f) ``partner_minimum_npv``: :math:`\\sum_o \\mathrm{npv}_{o,p} x_o \\ge m_p`
    for each partner *p* (every organisation in ``partner_npv`` that has not
    opted out, or those a mapping names). This family can make the problem
    infeasible.

Rows that cannot bind (a family row with a single option) are left out.
Options with non-positive NPV stay in the model: with family (f) an option
that loses money overall can still be what lifts a constrained partner's share.

Solving and determinism
-----------------------
The model is solved by :func:`scipy.optimize.milp` (HiGHS), asking for proven
optimality by default (``mip_rel_gap=0``). A portfolio is reported as
``"optimal"`` only when HiGHS proves it so and the chosen set passes an
independent check of every constraint. Inputs are sorted by ``option_id`` and
``system_key`` before the model is built, and HiGHS is deterministic, so the
same inputs in any row order give the same model and the same portfolio, even
when several portfolios tie on NPV. (A run stopped by its time limit is the
exception: what HiGHS has found by then depends on the machine.)

Proving optimality is quick when budgets do not bind; tight budgets on every
year make the problem a multi-dimensional knapsack, whose last fraction of a
percent can take HiGHS much longer to prove (see ``benchmarks/``). A positive
``mip_rel_gap`` with ``require_optimal=False`` trades that proof for time.

Examples
--------
Option ``B`` retires ``s2``, which ``A`` keeps, and keeps ``s3``, which ``C``
retires; so ``B`` conflicts with both, and ``A`` with ``C`` is worth more:

>>> import pandas as pd
>>> options = pd.DataFrame({"option_id": ["A", "B", "C"], "npv": [100.0, 120.0, 30.0]})
>>> effects = pd.DataFrame({
...     "option_id": ["A", "A", "B", "B", "C", "C"],
...     "system_key": ["s1", "s2", "s2", "s3", "s3", "s4"],
...     "effect": ["retire", "survive", "retire", "survive", "retire", "survive"],
... })
>>> portfolio = select_portfolio(options, effects)
>>> portfolio.chosen, portfolio.objective, portfolio.status
(('A', 'C'), 130.0, 'optimal')
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from estate.columns import sorted_codes
from estate.errors import ParameterError, SolverError

if TYPE_CHECKING:  # scipy loads on first use, keeping ``import estate`` fast
    from scipy.optimize import LinearConstraint

__all__ = [
    "EFFECTS",
    "EXCLUDED_COLUMNS",
    "KEEP_EFFECTS",
    "STATUSES",
    "Portfolio",
    "PortfolioConstraints",
    "SelectionModel",
    "held_for_room",
    "select_portfolio",
    "selection_model",
]

EFFECTS = ("retire", "survive", "recontract", "move")
"""What an option can do to a system it touches."""

KEEP_EFFECTS = ("survive", "recontract", "move")
"""The effects that keep a system in service."""

STATUSES = ("optimal", "within gap", "time limit", "infeasible", "unbounded", "error")
"""Values of :attr:`Portfolio.status`; only ``"optimal"`` is proven optimal."""

EXCLUDED_COLUMNS = ("option_id", "reason", "detail")
"""Columns of :attr:`Portfolio.excluded`."""

_MILP_STATUS = {0: "optimal", 1: "time limit", 2: "infeasible", 3: "unbounded", 4: "error"}
_FEASIBILITY_TOLERANCE = 1e-6  # relative to the size of the bound, for the check after solving
_PROVEN_GAP = 1e-9  # a relative gap this small, reported with status 0, counts as proven
_SHOWN = 5  # ids quoted in an error message


@dataclass(frozen=True)
class PortfolioConstraints:
    """The rules a portfolio must keep, and how hard to look for it.

    Attributes
    ----------
    budget_by_year : mapping of int to float, default={}
        Most total one-off cost the portfolio may spend in each financial year.
        Years not named are not limited.
    keep_systems : frozenset of str, default=frozenset()
        ``system_key`` of systems that must not be retired; options that would
        retire one are excluded.
    opt_out : frozenset of str, default=frozenset()
        Organisations that take part in no option; options that include one are
        excluded.
    min_partner_npv : float or mapping of str to float, default=None
        Least total NPV share each partner must receive from the portfolio: a
        number applies to every organisation in ``partner_npv`` that has not
        opted out; a mapping applies to the organisations it names. ``None``
        sets no minimum.
    time_limit_seconds : float, default=60.0
        Longest the solver may run.
    mip_rel_gap : float, default=0.0
        Relative gap between the best portfolio found and the solver's bound at
        which it may stop. With the default the answer is proven optimal; with
        a positive gap the answer may be reported as ``"within gap"``, which is
        not optimal.

    Examples
    --------
    >>> PortfolioConstraints(budget_by_year={2027: 5e6}, min_partner_npv=0.0).min_partner_npv
    0.0
    """

    budget_by_year: Mapping[int, float] = field(default_factory=dict)
    keep_systems: frozenset[str] = frozenset()
    opt_out: frozenset[str] = frozenset()
    min_partner_npv: float | Mapping[str, float] | None = None
    time_limit_seconds: float = 60.0
    mip_rel_gap: float = 0.0


@dataclass(frozen=True)
class Portfolio:
    """The options chosen, what they are worth and how sure the solver is.

    Attributes
    ----------
    chosen : tuple of str
        ``option_id`` of the chosen options, sorted.
    objective : float
        Total NPV of the chosen options; NaN when the solver found no portfolio.
    status : {"optimal", "within gap", "time limit", "infeasible", "unbounded", "error"}
        How the solver ended. ``"within gap"`` means it stopped at the
        ``mip_rel_gap`` asked for without proving optimality.
    is_optimal : bool
        Whether ``chosen`` is proven to be an optimal portfolio.
    message : str
        The solver's own message.
    excluded : DataFrame
        Options fixed out before solving, one row an option and reason, with
        columns ``option_id``, ``reason`` (``"opt-out partner"`` or
        ``"retires a kept system"``) and ``detail`` (the organisation or
        system), sorted. Options are never excluded for their NPV.
    gap : float
        The solver's final relative gap between ``objective`` and its bound
        (0 when proven optimal, NaN when unknown).
    candidates : DataFrame
        Every option considered: ``option_id`` and ``npv``, sorted.

    Examples
    --------
    >>> import pandas as pd
    >>> options = pd.DataFrame({"option_id": ["B", "A"], "npv": [5.0, -1.0]})
    >>> effects = pd.DataFrame(columns=["option_id", "system_key", "effect"])
    >>> select_portfolio(options, effects).to_frame()
      option_id  npv  chosen
    0         A -1.0   False
    1         B  5.0    True
    """

    chosen: tuple[str, ...]
    objective: float
    status: str
    is_optimal: bool
    message: str
    excluded: pd.DataFrame = field(compare=False)
    gap: float = math.nan
    candidates: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"option_id": pd.Series(dtype=object), "npv": pd.Series(dtype=float)}),
        compare=False,
        repr=False,
    )

    def to_frame(self) -> pd.DataFrame:
        """Every option considered, with its NPV and whether it is chosen.

        Returns
        -------
        DataFrame
            Columns ``option_id``, ``npv``, ``chosen`` (bool), sorted by
            ``option_id``.
        """
        frame = self.candidates.loc[:, ["option_id", "npv"]].copy()
        frame["chosen"] = frame["option_id"].isin(self.chosen).astype(bool)
        return frame.sort_values("option_id", kind="stable").reset_index(drop=True)


@dataclass(frozen=True)
class _Settings:
    """:class:`PortfolioConstraints` after validation."""

    budget_by_year: dict[int, float]
    keep_systems: frozenset[str]
    opt_out: frozenset[str]
    min_partner_npv: float | dict[str, float] | None
    time_limit_seconds: float
    mip_rel_gap: float


@dataclass(frozen=True, eq=False)
class _Model:
    """The portfolio model, ready for :func:`scipy.optimize.milp`."""

    option_ids: np.ndarray
    npv: np.ndarray
    upper: np.ndarray
    families: tuple[tuple[str, LinearConstraint], ...]
    excluded: pd.DataFrame
    time_limit_seconds: float
    mip_rel_gap: float


def select_portfolio(
    options: pd.DataFrame,
    effects: pd.DataFrame,
    *,
    one_off_by_year: pd.DataFrame | None = None,
    partner_npv: pd.DataFrame | None = None,
    partners: pd.DataFrame | None = None,
    room: pd.DataFrame | None = None,
    constraints: PortfolioConstraints | None = None,
    require_optimal: bool = True,
) -> Portfolio:
    """Choose the options with the greatest total NPV that retire no system twice.

    Parameters
    ----------
    options : DataFrame
        One row an option, with ``option_id`` (unique) and ``npv``.
    effects : DataFrame
        ``option_id``, ``system_key``, ``effect`` (one of :data:`EFFECTS`).
    one_off_by_year : DataFrame, default=None
        ``option_id``, ``year`` (int), ``amount``; needed for budgets.
    partner_npv : DataFrame, default=None
        ``option_id``, ``organisation``, ``npv``; needed for a minimum partner NPV.
    partners : DataFrame, default=None
        ``option_id``, ``organisation``; who is in each option, for opt-outs.
        When ``None`` it is read from ``partner_npv``.
    room : DataFrame, default=None
        ``option_id``, ``destination``, ``racks``, ``free``: the racks each
        hosting closure moves into a destination and the racks free there
        (:attr:`estate.options.Options.room`); the chosen closures moving into
        a destination fit its room. Rows of unknown options are ignored.
    constraints : PortfolioConstraints, default=None
        Budgets, systems to keep, opt-outs, minimum partner NPV and solver
        limits; ``None`` means none of them.
    require_optimal : bool, default=True
        Raise :class:`~estate.errors.SolverError` unless the portfolio is proven
        optimal. With ``False`` the best portfolio found is returned with
        ``is_optimal=False``.

    Returns
    -------
    Portfolio
        The chosen options, their total NPV and the solver's status.

    Raises
    ------
    ParameterError
        When an input lacks a column, has an unknown option or effect, an
        option both retires and keeps a system, or a constraint is malformed.
    SolverError
        When ``require_optimal`` and the solver did not prove an optimum (time
        limit, infeasible minimum partner NPV, stopped within a gap).

    See Also
    --------
    PortfolioConstraints : the rules a portfolio must keep.

    Notes
    -----
    The model, one constraint family a rule, is written out in the module
    documentation (:mod:`estate.portfolio`). No option is dropped for its NPV:
    the solver leaves out options that do not pay.

    Examples
    --------
    Two options retire the same system; a kept system rules out a third:

    >>> import pandas as pd
    >>> options = pd.DataFrame({"option_id": ["X", "Y", "Z"], "npv": [40.0, 25.0, 90.0]})
    >>> effects = pd.DataFrame({
    ...     "option_id": ["X", "X", "Y", "Y", "Z", "Z"],
    ...     "system_key": ["crm-a", "crm-b", "crm-a", "crm-c", "hr-a", "hr-b"],
    ...     "effect": ["retire", "survive", "retire", "survive", "retire", "survive"],
    ... })
    >>> rules = PortfolioConstraints(keep_systems=frozenset({"hr-a"}))
    >>> portfolio = select_portfolio(options, effects, constraints=rules)
    >>> portfolio.chosen, portfolio.objective, portfolio.is_optimal
    (('X',), 40.0, True)
    >>> portfolio.excluded
      option_id                 reason detail
    0         Z  retires a kept system   hr-a
    """
    if not isinstance(require_optimal, (bool, np.bool_)):
        raise ParameterError(_bad("require_optimal", "a bool", require_optimal))
    model = _build_model(
        options,
        effects,
        one_off_by_year=one_off_by_year,
        partner_npv=partner_npv,
        partners=partners,
        room=room,
        constraints=constraints,
    )
    portfolio = _solve_model(model)
    if require_optimal and not portfolio.is_optimal:
        hint = {
            "time limit": "raise time_limit_seconds, or pass require_optimal=False to accept the best found",
            "within gap": "set mip_rel_gap=0, or pass require_optimal=False to accept it",
            "infeasible": "no portfolio meets the constraints; lower min_partner_npv",
        }.get(portfolio.status, "pass require_optimal=False to inspect the result")
        message = " ".join(portfolio.message.split())
        raise SolverError(f"portfolio not proven optimal: status '{portfolio.status}' ({message}); {hint}")
    return portfolio


# --------------------------------------------------------------------------- the model


def _build_model(
    options: pd.DataFrame,
    effects: pd.DataFrame,
    *,
    one_off_by_year: pd.DataFrame | None = None,
    partner_npv: pd.DataFrame | None = None,
    partners: pd.DataFrame | None = None,
    room: pd.DataFrame | None = None,
    constraints: PortfolioConstraints | None = None,
) -> _Model:
    """Validate the inputs and build the model: data, variables, constraint families."""
    settings = _settings(constraints)

    # Data, keyed by domain ids and sorted, so that row order cannot matter.
    candidates = _options_table(options)
    option_ids = candidates["option_id"].to_numpy()
    index = pd.Index(option_ids)
    touches = _effects_table(effects, index)
    retire = touches.loc[touches["effect"] == "retire", ["system_key", "key", "col"]]
    keep = touches.loc[touches["effect"].isin(KEEP_EFFECTS), ["system_key", "key", "effect", "col"]]
    costs = _amounts_table(one_off_by_year, "one_off_by_year", "year", "amount", index)
    shares = _amounts_table(partner_npv, "partner_npv", "organisation", "npv", index)
    members = _partners_table(partners, shares, index)
    _check_needs(settings, costs, shares, members)

    # Variables: one binary x_o an option; (e) excluded options are fixed at 0 by their upper bound.
    n = len(option_ids)
    excluded = _excluded(retire, members, settings, option_ids)
    upper = np.ones(n)
    upper[index.get_indexer(excluded["option_id"].unique())] = 0.0

    # Constraint families, one a rule.
    families = {
        "retire_at_most_once": _retire_at_most_once(retire, n),
        "retired_not_kept": _retired_not_kept(retire, keep, n),
        "one_recontract_one_move": _one_recontract_one_move(keep, n),
        "survive_at_most_once": _survive_at_most_once(keep, n),
        "destination_room": _destination_room(_room_table(room, index), n),
        "budget": _budget(costs, settings.budget_by_year, n),
        "partner_minimum_npv": _partner_minimum_npv(shares, settings, n),
    }
    return _Model(
        option_ids=option_ids,
        npv=candidates["npv"].to_numpy(dtype=float),
        upper=upper,
        families=tuple((name, family) for name, family in families.items() if family is not None),
        excluded=excluded,
        time_limit_seconds=settings.time_limit_seconds,
        mip_rel_gap=settings.mip_rel_gap,
    )


@dataclass(frozen=True, eq=False)
class SelectionModel:
    """The rules a portfolio keeps that do not depend on when options start: one row a rule, one column an option.

    Built by :func:`selection_model` for a model that decides *when* as well as
    *which* (:mod:`estate.schedule`), which adds its own budget, partner and
    timing rows.

    Attributes
    ----------
    option_ids : numpy.ndarray
        The options, sorted: the columns of every family.
    npv : numpy.ndarray
        Their NPVs, as given.
    upper : numpy.ndarray
        1, or 0 for an option fixed out (see ``excluded``).
    families : tuple of (str, scipy.optimize.LinearConstraint)
        Families (a), (b), (c), (c2) and (c3) of the module documentation.
    excluded : DataFrame
        As :attr:`Portfolio.excluded`.
    """

    option_ids: np.ndarray
    npv: np.ndarray
    upper: np.ndarray
    families: tuple[tuple[str, LinearConstraint], ...]
    excluded: pd.DataFrame


def selection_model(options: pd.DataFrame, effects: pd.DataFrame, *, partners: pd.DataFrame | None = None,
                    room: pd.DataFrame | None = None,
                    constraints: PortfolioConstraints | None = None) -> SelectionModel:
    """The timing-free rules of :func:`select_portfolio` as sparse matrices over the options.

    Budgets and minimum partner NPVs are left out (they depend on when each
    option starts); opt-outs and kept systems fix options out as usual.

    Examples
    --------
    >>> import pandas as pd
    >>> options = pd.DataFrame({"option_id": ["A", "B"], "npv": [1.0, 2.0]})
    >>> effects = pd.DataFrame({"option_id": ["A", "B"], "system_key": ["s", "s"], "effect": ["retire", "retire"]})
    >>> model = selection_model(options, effects)
    >>> [name for name, _ in model.families], model.families[0][1].A.toarray().tolist()
    (['retire_at_most_once'], [[1.0, 1.0]])
    """
    rules = constraints or PortfolioConstraints()
    timing_free = PortfolioConstraints(keep_systems=rules.keep_systems, opt_out=rules.opt_out,
                                       time_limit_seconds=rules.time_limit_seconds, mip_rel_gap=rules.mip_rel_gap)
    model = _build_model(options, effects, partners=partners, room=room, constraints=timing_free)
    return SelectionModel(model.option_ids, model.npv, model.upper, model.families, model.excluded)


def _retire_at_most_once(retire: pd.DataFrame, n: int) -> LinearConstraint | None:
    """(a) For each system s: sum of x_o over the options o that retire s <= 1."""
    row, contested = _contested_groups(retire, ["key"])
    return _family(row, retire["col"].to_numpy()[contested], 1.0, -np.inf, 1.0, n)


def _retired_not_kept(retire: pd.DataFrame, keep: pd.DataFrame, n: int) -> LinearConstraint | None:
    """(b) For each system s and each option p keeping s: sum of x_o over retirers o of s, plus x_p, <= 1."""
    keepers = (
        keep.loc[keep["key"].isin(retire["key"]), ["key", "col"]]
        .drop_duplicates()
        .sort_values(["key", "col"])
        .rename(columns={"col": "keeper"})
        .reset_index(drop=True)
    )
    keepers["row"] = np.arange(len(keepers))
    retirers = keepers.merge(retire[["key", "col"]], on="key", how="inner")
    row = np.concatenate([retirers["row"].to_numpy(), keepers["row"].to_numpy()])
    col = np.concatenate([retirers["col"].to_numpy(), keepers["keeper"].to_numpy()])
    return _family(row, col, 1.0, -np.inf, 1.0, n)


def _one_recontract_one_move(keep: pd.DataFrame, n: int) -> LinearConstraint | None:
    """(c) For each system s: at most one chosen option re-contracts s, and at most one moves it."""
    joint = keep[keep["effect"].isin(("recontract", "move"))]
    row, contested = _contested_groups(joint, ["effect", "key"])
    return _family(row, joint["col"].to_numpy()[contested], 1.0, -np.inf, 1.0, n)


def _survive_at_most_once(keep: pd.DataFrame, n: int) -> LinearConstraint | None:
    """(c2) For each system s: at most one chosen option keeps s as the survivor of others' work."""
    surviving = keep[keep["effect"] == "survive"]
    row, contested = _contested_groups(surviving, ["key"])
    return _family(row, surviving["col"].to_numpy()[contested], 1.0, -np.inf, 1.0, n)


def _destination_room(room: pd.DataFrame | None, n: int) -> LinearConstraint | None:
    """(c3) For each destination k that the closures moving into it could overfill: sum of racks_o x_o <= free_k."""
    if room is None or not len(room):
        return None
    free = room.groupby("destination", sort=True)["free"].min()
    demand = room.groupby("destination", sort=True)["racks"].sum()
    tight = free.index[demand > free + 1e-9]
    binding = room.loc[room["destination"].isin(tight)]
    if not len(binding):
        return None
    row = pd.Index(tight).get_indexer(binding["destination"])
    return _family(row, binding["col"].to_numpy(), binding["racks"].to_numpy(dtype=float), -np.inf,
                   free[tight].to_numpy(dtype=float), n, rows=len(tight))


def _room_table(room: pd.DataFrame | None, index: pd.Index) -> pd.DataFrame | None:
    """``room`` with each option's column; rows of options not in ``index`` dropped, sorted by destination."""
    if room is None:
        return None
    table = _columns(room, "room", ["option_id", "destination", "racks", "free"]).copy()
    table["col"] = index.get_indexer(table["option_id"].astype(str))
    table = table.loc[table["col"] >= 0]
    ids = table["option_id"].astype(str)
    table["racks"] = _numbers(table["racks"], "room", "racks", ids)
    table["free"] = _numbers(table["free"], "room", "free", ids)
    table["destination"] = table["destination"].astype(str)
    return table.sort_values(["destination", "col"], kind="stable").reset_index(drop=True)


def _budget(costs: pd.DataFrame | None, budget_by_year: dict[int, float], n: int) -> LinearConstraint | None:
    """(d) For each budgeted year y: sum of one_off_{o,y} x_o <= budget_y."""
    if not budget_by_year or costs is None:
        return None
    years = sorted(budget_by_year)
    spent = costs[costs["year"].isin(years)]
    row = spent["year"].map({year: i for i, year in enumerate(years)}).to_numpy()
    limits = np.array([budget_by_year[year] for year in years], dtype=float)
    return _family(row, spent["col"].to_numpy(), spent["amount"].to_numpy(), -np.inf, limits, n, rows=len(years))


def _partner_minimum_npv(shares: pd.DataFrame | None, settings: _Settings, n: int) -> LinearConstraint | None:
    """(f) For each constrained partner p: sum of npv_{o,p} x_o >= m_p."""
    minimum = settings.min_partner_npv
    if minimum is None or shares is None:
        return None
    if isinstance(minimum, dict):
        organisations = sorted(minimum)
        least = np.array([minimum[name] for name in organisations], dtype=float)
    else:
        organisations = sorted(set(shares["organisation"]) - settings.opt_out)
        least = np.full(len(organisations), minimum)
    if not organisations:
        return None
    gains = shares[shares["organisation"].isin(organisations)]
    row = gains["organisation"].map({name: i for i, name in enumerate(organisations)}).to_numpy()
    return _family(row, gains["col"].to_numpy(), gains["npv"].to_numpy(), least, np.inf, n, rows=len(organisations))


def _contested_groups(frame: pd.DataFrame, by: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Number the groups of ``frame`` by ``by`` that have two or more rows (in sorted order).

    Returns the row number of each member of such a group and the mask of those members.
    """
    group = frame.groupby(by, sort=True).ngroup().to_numpy()
    contested = np.bincount(group, minlength=1)[group] >= 2
    _, row = np.unique(group[contested], return_inverse=True)
    return row.reshape(-1), contested


def _family(
    row: np.ndarray,
    col: np.ndarray,
    values: float | np.ndarray,
    lower: float | np.ndarray,
    upper: float | np.ndarray,
    n: int,
    *,
    rows: int | None = None,
) -> LinearConstraint | None:
    """One constraint family as a sparse block ``lower <= A x <= upper``; ``None`` if it has no rows."""
    from scipy import sparse
    from scipy.optimize import LinearConstraint

    if rows is None:
        rows = int(row.max()) + 1 if len(row) else 0
    if rows == 0:
        return None
    data = np.broadcast_to(np.asarray(values, dtype=float), row.shape)
    matrix = sparse.csr_array((data, (row.astype(np.int64), col.astype(np.int64))), shape=(rows, n))
    lower = np.broadcast_to(np.asarray(lower, dtype=float), rows)
    upper = np.broadcast_to(np.asarray(upper, dtype=float), rows)
    return LinearConstraint(matrix, lower, upper)


def _excluded(
    retire: pd.DataFrame, members: pd.DataFrame | None, settings: _Settings, option_ids: np.ndarray
) -> pd.DataFrame:
    """(e) Options that include an organisation that opts out, or retire a system to be kept."""
    parts = []
    if members is not None and settings.opt_out:
        out = members[members["organisation"].isin(settings.opt_out)]
        parts.append(_reasons(option_ids[out["col"].to_numpy()], "opt-out partner", out["organisation"]))
    if settings.keep_systems:
        kept = retire[retire["system_key"].isin(settings.keep_systems)]
        parts.append(_reasons(option_ids[kept["col"].to_numpy()], "retires a kept system", kept["system_key"]))
    if not any(len(part) for part in parts):
        return pd.DataFrame({column: pd.Series(dtype=object) for column in EXCLUDED_COLUMNS})
    frame = pd.concat([part for part in parts if len(part)], ignore_index=True)
    return frame.drop_duplicates().sort_values(list(EXCLUDED_COLUMNS), kind="stable").reset_index(drop=True)


def _reasons(option_ids: np.ndarray, reason: str, detail: pd.Series) -> pd.DataFrame:
    return pd.DataFrame({"option_id": option_ids, "reason": reason, "detail": detail.to_numpy()}, dtype=object)


def held_for_room(room: pd.DataFrame, chosen: Iterable[str]) -> pd.DataFrame:
    """The closures left out because the chosen closures took their destination's room, and why.

    Parameters
    ----------
    room : DataFrame
        ``option_id``, ``destination``, ``racks``, ``free`` (:attr:`estate.options.Options.room`).
    chosen : iterable of str
        The recommended options.

    Returns
    -------
    DataFrame
        ``option_id``, ``destination``, ``reason``: each closure not chosen
        that fits its destination alone but not beside the chosen ones.

    Examples
    --------
    >>> room = pd.DataFrame({"option_id": ["HC-001", "HC-002"], "destination": ["DC"] * 2,
    ...                      "racks": [4.0, 3.0], "free": [5.0, 5.0]})
    >>> held_for_room(room, ["HC-001"])["reason"].tolist()
    ['held back for room: DC has 5 racks free and HC-001 moves 4 there; this closure needs 3']
    """
    columns = ["option_id", "destination", "reason"]
    if room is None or not len(room):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    picked = set(str(o) for o in chosen)
    table = room.assign(option_id=room["option_id"].astype(str), destination=room["destination"].astype(str))
    is_chosen = table["option_id"].isin(picked)
    taken = table.loc[is_chosen].groupby("destination")
    used = taken["racks"].sum()
    takers = taken["option_id"].agg(lambda ids: ", ".join(sorted(ids)))
    left = table.loc[~is_chosen & table["destination"].isin(used.index)].copy()
    left["used"] = left["destination"].map(used)
    left = left.loc[(left["racks"] <= left["free"] + 1e-9) & (left["used"] + left["racks"] > left["free"] + 1e-9)]
    left["reason"] = ("held back for room: " + left["destination"] + " has " + left["free"].map("{:g}".format)
                      + " racks free and " + left["destination"].map(takers) + " moves "
                      + left["used"].map("{:g}".format) + " there; this closure needs "
                      + left["racks"].map("{:g}".format))
    return left.loc[:, columns].sort_values("option_id", kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- solving


def _solve_model(model: _Model) -> Portfolio:
    """Solve with HiGHS and check the answer; never label an unproven answer optimal."""
    candidates = pd.DataFrame({"option_id": model.option_ids.astype(object), "npv": model.npv})
    n = len(model.option_ids)
    if n == 0:
        return Portfolio((), 0.0, "optimal", True, "no options to choose from", model.excluded, 0.0, candidates)

    from scipy.optimize import Bounds, milp

    result = milp(
        -model.npv,  # milp minimises
        integrality=np.ones(n),
        bounds=Bounds(np.zeros(n), model.upper),
        constraints=[family for _, family in model.families] or None,
        options={"time_limit": model.time_limit_seconds, "mip_rel_gap": model.mip_rel_gap, "presolve": True},
    )
    status = _MILP_STATUS.get(int(result.status), "error")
    message = str(result.message)
    gap = getattr(result, "mip_gap", None)
    gap = float(gap) if gap is not None and np.isfinite(gap) else math.nan
    if result.x is None:
        return Portfolio((), math.nan, status, False, message, model.excluded, gap, candidates)

    is_chosen = np.asarray(result.x) > 0.5
    broken = _broken_families(model, is_chosen.astype(float))
    if broken:
        status, message = "error", f"the solver's answer breaks {', '.join(broken)}; the solver said: {message}"
    elif status == "optimal" and model.mip_rel_gap > 0 and not gap <= _PROVEN_GAP:
        status = "within gap"
    chosen = tuple(str(option_id) for option_id in model.option_ids[is_chosen])
    objective = float(model.npv[is_chosen].sum())
    return Portfolio(chosen, objective, status, status == "optimal", message, model.excluded, gap, candidates)


def _broken_families(model: _Model, x: np.ndarray) -> list[str]:
    """Names of the constraint families (and ``bounds``) that the 0/1 vector ``x`` breaks."""
    broken = ["bounds"] if np.any(x > model.upper) else []
    for name, family in model.families:
        activity = family.A @ x
        lower, upper = np.asarray(family.lb, dtype=float), np.asarray(family.ub, dtype=float)
        slack = _FEASIBILITY_TOLERANCE * np.maximum(1.0, np.abs(np.where(np.isfinite(lower), lower, upper)))
        if np.any(activity < lower - slack) or np.any(activity > upper + slack):
            broken.append(name)
    return broken


# --------------------------------------------------------------------------- validation


def _bad(name: str, expected: str, got: object) -> str:
    """The one form of a bad-parameter message."""
    return f"The '{name}' parameter of select_portfolio must be {expected}. Got {got!r} instead."


def _is_real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _settings(constraints: PortfolioConstraints | None) -> _Settings:
    """Check a :class:`PortfolioConstraints` and normalise its values."""
    if constraints is None:
        constraints = PortfolioConstraints()
    if not isinstance(constraints, PortfolioConstraints):
        raise ParameterError(_bad("constraints", "a PortfolioConstraints or None", constraints))

    budgets = constraints.budget_by_year
    if not isinstance(budgets, Mapping):
        raise ParameterError(_bad("budget_by_year", "a mapping of year to budget", budgets))
    budget_by_year: dict[int, float] = {}
    for year, limit in budgets.items():
        if not isinstance(year, numbers.Integral) or isinstance(year, (bool, np.bool_)):
            raise ParameterError(_bad("budget_by_year", "keyed by int financial years", year))
        if not _is_real(limit) or not math.isfinite(limit) or limit < 0:
            raise ParameterError(_bad("budget_by_year", f"a finite amount >= 0 for year {year}", limit))
        budget_by_year[int(year)] = float(limit)

    minimum = constraints.min_partner_npv
    min_partner_npv: float | dict[str, float] | None
    if minimum is None:
        min_partner_npv = None
    elif _is_real(minimum) and math.isfinite(minimum):
        min_partner_npv = float(minimum)
    elif isinstance(minimum, Mapping):
        min_partner_npv = {}
        for name, value in minimum.items():
            if not _is_real(value) or not math.isfinite(value):
                raise ParameterError(_bad("min_partner_npv", f"a finite number for {name!r}", value))
            min_partner_npv[str(name)] = float(value)
    else:
        expected = "None, a finite number or a mapping of organisation to number"
        raise ParameterError(_bad("min_partner_npv", expected, minimum))

    time_limit = constraints.time_limit_seconds
    if not _is_real(time_limit) or not time_limit > 0:
        raise ParameterError(_bad("time_limit_seconds", "a number > 0", time_limit))
    gap = constraints.mip_rel_gap
    if not _is_real(gap) or not 0 <= gap <= 1:
        raise ParameterError(_bad("mip_rel_gap", "a number in [0, 1]", gap))

    return _Settings(
        budget_by_year=budget_by_year,
        keep_systems=_names("keep_systems", constraints.keep_systems),
        opt_out=_names("opt_out", constraints.opt_out),
        min_partner_npv=min_partner_npv,
        time_limit_seconds=float(time_limit),
        mip_rel_gap=float(gap),
    )


def _check_needs(
    settings: _Settings, costs: pd.DataFrame | None, shares: pd.DataFrame | None, members: pd.DataFrame | None
) -> None:
    """Each constraint has the input it needs, and names only organisations that take part."""
    if settings.budget_by_year and costs is None:
        raise ParameterError("budget_by_year needs one_off_by_year, the one-off cost of each option by year.")
    if settings.min_partner_npv is not None and shares is None:
        raise ParameterError("min_partner_npv needs partner_npv, each partner's share of each option's NPV.")
    if settings.opt_out and members is None:
        raise ParameterError("opt_out needs partners (or partner_npv) to know who is in each option.")
    if isinstance(settings.min_partner_npv, dict) and shares is not None:
        known = set(shares["organisation"]) | (set() if members is None else set(members["organisation"]))
        unknown = sorted(set(settings.min_partner_npv) - known)
        if unknown:
            raise ParameterError(f"min_partner_npv names organisations in no option: {_quote(unknown)}.")


def _names(name: str, values: Iterable[str]) -> frozenset[str]:
    """A set of names, refusing a bare string (which would read as its letters)."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise ParameterError(_bad(name, "a set of names (wrap one name in a set)", values))
    return frozenset(str(value) for value in values)


def _columns(frame: object, name: str, columns: list[str]) -> pd.DataFrame:
    """A copy of ``columns`` of ``frame``, which must be a DataFrame holding them without blanks."""
    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(_bad(name, "a pandas DataFrame", type(frame).__name__))
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ParameterError(f"The '{name}' parameter of select_portfolio lacks column(s) {', '.join(missing)}.")
    table = frame.loc[:, columns].reset_index(drop=True)
    blank = table.isna()
    if blank.any().any():
        empty = ", ".join(table.columns[blank.any()])
        rows = table.loc[blank.any(axis=1), "option_id"].dropna()
        where = f" for {_quote(rows)}" if len(rows) else ""
        raise ParameterError(f"The '{name}' parameter of select_portfolio has blank values in {empty}{where}.")
    return table


def _numbers(values: pd.Series, name: str, column: str, ids: pd.Series) -> pd.Series:
    """``values`` as finite floats, or a :class:`ParameterError` naming the options concerned."""
    numeric = pd.to_numeric(values, errors="coerce").astype(float)
    bad = ~np.isfinite(numeric.to_numpy())
    if bad.any():
        raise ParameterError(
            f"The '{name}' parameter of select_portfolio has a {column} that is not a finite number "
            f"for {_quote(ids[bad])}."
        )
    return numeric


def _quote(ids: Iterable[object]) -> str:
    """The first few distinct ids, quoted, for a message."""
    unique = sorted({str(value) for value in ids})
    shown = ", ".join(repr(value) for value in unique[:_SHOWN])
    return shown + (f" and {len(unique) - _SHOWN} more" if len(unique) > _SHOWN else "")


def _positions(ids: pd.Series, index: pd.Index, name: str) -> np.ndarray:
    """Positions of ``ids`` among the sorted option ids; an unknown id is an error."""
    col = index.get_indexer(ids)
    if (col < 0).any():
        unknown = _quote(ids[col < 0])
        raise ParameterError(f"The '{name}' parameter of select_portfolio names options not in options: {unknown}.")
    return col


def _options_table(options: pd.DataFrame) -> pd.DataFrame:
    """``option_id`` (text, unique) and ``npv`` (finite), sorted by ``option_id``."""
    table = _columns(options, "options", ["option_id", "npv"])
    table["option_id"] = table["option_id"].astype(str)
    repeated = table.loc[table["option_id"].duplicated(keep=False), "option_id"]
    if len(repeated):
        raise ParameterError(f"The 'options' parameter of select_portfolio repeats option_id {_quote(repeated)}.")
    table["npv"] = _numbers(table["npv"], "options", "npv", table["option_id"])
    return table.sort_values("option_id", kind="stable").reset_index(drop=True)


def _effects_table(effects: pd.DataFrame, index: pd.Index) -> pd.DataFrame:
    """``system_key``, ``effect`` and ``col`` (the option's position), unique and sorted.

    ``key`` numbers the systems in the order of their keys, so that the
    families group, sort and join on integers (the same order as on the keys).
    """
    table = _columns(effects, "effects", ["option_id", "system_key", "effect"]).astype(str)
    unknown = table.loc[~table["effect"].isin(EFFECTS), "effect"]
    if len(unknown):
        raise ParameterError(
            f"The 'effects' parameter of select_portfolio has effect {_quote(unknown)}; "
            f"use one of {', '.join(EFFECTS)}."
        )
    table["col"] = _positions(table["option_id"], index, "effects")
    table["key"] = sorted_codes(table["system_key"])
    effect = pd.factorize(table["effect"], sort=True)[0]
    first = ~pd.DataFrame({"c": table["col"], "k": table["key"], "e": effect}).duplicated().to_numpy()
    table, effect = table.loc[first], effect[first]
    order = np.lexsort((table["col"].to_numpy(), effect, table["key"].to_numpy()))  # stable, as sort_values
    table = table.iloc[order].reset_index(drop=True)
    retire = table.loc[table["effect"] == "retire", ["col", "key", "system_key"]]
    keep = table.loc[table["effect"] != "retire", ["col", "key"]]
    both = retire.merge(keep, on=["col", "key"]).drop_duplicates(["col", "key"])[["col", "system_key"]]
    if len(both):
        pairs = _quote(f"{index[col]}/{system}" for col, system in both.itertuples(index=False))
        raise ParameterError(
            f"The 'effects' parameter of select_portfolio has options that both retire and keep a system: {pairs}."
        )
    return table


def _amounts_table(
    frame: pd.DataFrame | None, name: str, key: str, value: str, index: pd.Index
) -> pd.DataFrame | None:
    """``col``, ``key`` and ``value`` with repeated rows added together; ``None`` if ``frame`` is."""
    if frame is None:
        return None
    table = _columns(frame, name, ["option_id", key, value])
    table["option_id"] = table["option_id"].astype(str)
    table[value] = _numbers(table[value], name, value, table["option_id"])
    if key == "year":
        years = pd.to_numeric(table["year"], errors="coerce").astype(float)
        whole = np.isfinite(years) & (years == np.round(years))
        if not whole.all():
            raise ParameterError(
                f"The '{name}' parameter of select_portfolio has a year that is not a whole number "
                f"for {_quote(table.loc[~whole, 'option_id'])}."
            )
        table["year"] = years.astype(np.int64)
    else:
        table[key] = table[key].astype(str)
    table["col"] = _positions(table["option_id"], index, name)
    # Sorting the values first makes the sums of repeated rows independent of row order.
    table = table.sort_values(["col", key, value], kind="stable")
    return table.groupby(["col", key], sort=True, as_index=False)[value].sum()


def _partners_table(
    partners: pd.DataFrame | None, shares: pd.DataFrame | None, index: pd.Index
) -> pd.DataFrame | None:
    """Who is in each option (``col``, ``organisation``): ``partners``, else those in ``partner_npv``."""
    if partners is None:
        return None if shares is None else shares.loc[:, ["col", "organisation"]]
    table = _columns(partners, "partners", ["option_id", "organisation"]).astype(str)
    table["col"] = _positions(table["option_id"], index, "partners")
    table = table.loc[:, ["col", "organisation"]].drop_duplicates()
    return table.sort_values(["col", "organisation"]).reset_index(drop=True)
