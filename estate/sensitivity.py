"""How sure is the plan? Switching values, a tornado and a Monte Carlo simulation of NPV.

Everything here works on cash flows by appraisal year (savings and one-off
costs, after optimism bias), for the recommended portfolio and for each
recommended option, so it applies to whatever the plan chose and scheduled.
``docs/sensitivity.md`` works an example by hand.

Switching values
----------------
How far one quantity must move, the others held, to bring NPV to zero:

* **annual savings**: the fall, as a fraction, ``NPV / PV(savings)``;
* **one-off costs**: the rise, as a fraction, ``NPV / PV(costs)``;
* **delay**: the years by which every saving may start later. A delay of
  ``d = k + f`` years (``k`` whole, ``0 <= f < 1``) moves the savings of year
  ``t`` to a mix of years ``t + k`` (weight ``1 - f``) and ``t + k + 1``
  (weight ``f``); savings pushed past the horizon are lost and costs stay
  where they are. The PV of the delayed savings is then
  ``(1 - f) P(k) + f P(k + 1)`` with ``P(k) = sum_t savings_t x DF_(t+k)``,
  linear between whole years, so the switching delay is found exactly;
* **discount rate**: the rise in the rate that brings NPV to zero, that is
  the internal rate of return less the rate used.

A value is NaN where nothing can bring NPV to zero that way (no savings, a
negative NPV that a delay only deepens, flows that never change sign).

Monte Carlo
-----------
Three quantities of each option are uncertain, each with a triangular
distribution on the Assumptions sheet (low, most likely, high): the savings
achieved and the one-off costs, as multiples of those planned, and the delay
to the savings, in years. They are correlated through a Gaussian copula: each
option's three standard normals are ``sqrt(rho) x common + sqrt(1 - rho) x own``
(``rho`` = ``common_cause_correlation``: one programme, one market), and the
cost and delay normals are correlated by ``cost_delay_correlation`` (both
follow from delivery going badly). Each normal ``z`` becomes a draw
``F^-1(Phi(z))`` of its triangular distribution. An option's NPV in a draw is

    savings multiple x PV(savings delayed by the drawn delay) - costs multiple x PV(costs)

and the portfolio's is the sum over its options. The random numbers come from
``numpy.random.default_rng(monte_carlo_seed)``, drawn in a fixed order, so
the same plan and assumptions give the same percentiles.

Examples
--------
One option: 100 of costs now, 60 of savings in each of the next two years, at 10%:

>>> import numpy as np
>>> values = switching_values(np.array([0.0, 60.0, 60.0]), np.array([100.0, 0.0, 0.0]), rate=0.10)
>>> {k: round(v, 4) for k, v in values.items()}
{'savings': 0.0397, 'costs': 0.0413, 'delay': 0.0758, 'discount_rate': 0.0307}
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from estate.errors import ParameterError

if TYPE_CHECKING:
    from estate.assumptions import Assumptions
    from estate.plan import Plan

__all__ = [
    "SENSITIVITY_VARIABLES",
    "Sensitivity",
    "Simulation",
    "break_even_rate",
    "delayed_pv",
    "plan_sensitivity",
    "shifted_pv",
    "simulate_npv",
    "switching_values",
    "tornado",
    "triangular_quantile",
]

SENSITIVITY_VARIABLES = ("Annual savings", "One-off costs", "Delay", "Discount rate")
"""The ``Variable`` of the switching-value rows, in order."""

_CELLS_A_CHUNK = 3_000_000  # normals drawn at once: options x draws x 3
_KEEP_OPTION_DRAWS = 20_000_000  # per-option NPVs kept for their percentiles (floats)


# --------------------------------------------------------------------------- #
# Present values of delayed savings
# --------------------------------------------------------------------------- #


def _factors(horizon: int, rate: float) -> np.ndarray:
    return 1.0 / (1.0 + rate) ** np.arange(horizon, dtype=float)


def shifted_pv(savings: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """``P(k)``: the PV of savings moved ``k`` whole years later, for k = 0..H.

    Parameters
    ----------
    savings : numpy.ndarray
        Savings by appraisal year: shape (H,) or (n, H).
    factors : numpy.ndarray
        Discount factors DF_0..DF_(H-1).

    Returns
    -------
    numpy.ndarray
        Shape (H + 1,) or (n, H + 1): ``P(k) = sum over t + k < H of
        savings_t x DF_(t+k)``; ``P(H) = 0``.

    Examples
    --------
    >>> shifted_pv(np.array([10.0, 20.0]), np.array([1.0, 0.5]))
    array([20.,  5.,  0.])
    """
    s = np.atleast_2d(np.asarray(savings, dtype=float))
    h = s.shape[1]
    out = np.zeros((s.shape[0], h + 1))
    for k in range(h):
        out[:, k] = s[:, : h - k] @ factors[k:]
    return out if np.ndim(savings) > 1 else out[0]


def delayed_pv(shifted: np.ndarray, delay: np.ndarray | float) -> np.ndarray:
    """The PV of savings delayed by ``delay`` years: ``(1 - f) P(k) + f P(k + 1)``.

    Parameters
    ----------
    shifted : numpy.ndarray
        :func:`shifted_pv` of one option (shape (H + 1,)) or of several
        (shape (n, H + 1)).
    delay : float or numpy.ndarray
        Years, >= 0; an array broadcasts against the options (shape (m, n)
        for m draws of n options).

    Examples
    --------
    >>> float(delayed_pv(np.array([20.0, 5.0, 0.0]), 0.5))
    12.5
    """
    p = np.asarray(shifted, dtype=float)
    h = p.shape[-1] - 1
    d = np.clip(np.asarray(delay, dtype=float), 0.0, float(h))
    k = np.minimum(np.floor(d).astype(np.int64), h - 1 if h else 0)
    f = d - k
    if p.ndim == 1:
        return (1.0 - f) * p[k] + f * p[np.minimum(k + 1, h)]
    cols = np.arange(p.shape[0])
    return (1.0 - f) * p[cols, k] + f * p[cols, np.minimum(k + 1, h)]


# --------------------------------------------------------------------------- #
# Switching values
# --------------------------------------------------------------------------- #


def _npv_at(net: np.ndarray, rate: float) -> float:
    return float(np.sum(net / (1.0 + rate) ** np.arange(net.size)))


def break_even_rate(net: np.ndarray, rate: float) -> float:
    """The discount rate nearest above (or, for a negative NPV, below) ``rate`` at which NPV is zero.

    Returns NaN when NPV keeps one sign over (-0.99, 1000).

    Examples
    --------
    >>> round(break_even_rate(np.array([-100.0, 60.0, 60.0]), 0.035), 6)
    0.130662
    """
    from scipy.optimize import brentq

    flows = np.asarray(net, dtype=float)
    if not np.any(flows > 0) or not np.any(flows < 0):
        return math.nan
    base = _npv_at(flows, rate)
    if base == 0:
        return float(rate)
    if base > 0:
        grid = np.concatenate([rate + np.geomspace(1e-4, 1e3, 400)])
    else:
        grid = rate - (rate + 0.99) * np.geomspace(1e-4, 1.0, 200)
    previous = rate
    for r in grid:
        value = _npv_at(flows, float(r))
        if (value < 0) if base > 0 else (value > 0):
            return float(brentq(lambda x: _npv_at(flows, x), min(previous, r), max(previous, r), xtol=1e-12))
        previous = float(r)
    return math.nan


def _delay_switch(shifted: np.ndarray, pv_costs: float) -> float:
    """Years of delay at which the PV of the delayed savings equals the PV of costs."""
    npv = shifted - pv_costs  # NPV after k whole years of delay, k = 0..H (non-increasing for savings >= 0)
    if npv[0] < 0 or not np.any(npv < 0):
        return math.nan
    k = int(np.argmax(npv < 0)) - 1  # last whole delay with NPV >= 0
    if npv[k] == 0:
        return float(k)
    return float(k + npv[k] / (npv[k] - npv[k + 1]))


def switching_values(savings: np.ndarray, costs: np.ndarray, *, rate: float) -> dict[str, float]:
    """The change in each quantity that brings NPV to zero, the others held.

    Parameters
    ----------
    savings, costs : numpy.ndarray
        Savings and one-off costs by appraisal year t = 0..H-1 (after
        optimism bias).
    rate : float
        The discount rate.

    Returns
    -------
    dict
        ``savings`` (fall, fraction), ``costs`` (rise, fraction), ``delay``
        (years) and ``discount_rate`` (rise in the rate, a fraction); NaN
        where no such change exists.

    Examples
    --------
    Example A of ``docs/appraisal.md``: 100,000 now, 40,000 a year from year 1, 10 years at 3.5%:

    >>> s = np.array([0.0] + [40_000.0] * 9); c = np.array([100_000.0] + [0.0] * 9)
    >>> {k: round(v, 4) for k, v in switching_values(s, c, rate=0.035).items()}
    {'savings': 0.6714, 'costs': 2.0431, 'delay': 5.7285, 'discount_rate': 0.3426}
    """
    s = np.asarray(savings, dtype=float)
    c = np.asarray(costs, dtype=float)
    if s.shape != c.shape or s.ndim != 1 or not s.size:
        raise ParameterError("switching_values needs savings and costs of the same length, one a year.")
    factors = _factors(s.size, rate)
    pv_s, pv_c = float(s @ factors), float(c @ factors)
    npv = pv_s - pv_c
    delay = _delay_switch(shifted_pv(s, factors), pv_c) if np.all(s >= 0) else math.nan
    irr = break_even_rate(s - c, rate)
    return {
        "savings": npv / pv_s if pv_s else math.nan,
        "costs": npv / pv_c if pv_c else math.nan,
        "delay": delay,
        "discount_rate": irr - rate if not math.isnan(irr) else math.nan,
    }


# --------------------------------------------------------------------------- #
# Distributions
# --------------------------------------------------------------------------- #


def triangular_quantile(u: np.ndarray, low: float, likely: float, high: float) -> np.ndarray:
    """The inverse CDF of the triangular distribution (low, likely, high) at probabilities ``u``.

    Examples
    --------
    >>> triangular_quantile(np.array([0.0, 0.5, 1.0]), 0.0, 0.0, 1.0).round(4)
    array([0.    , 0.2929, 1.    ])
    """
    u = np.asarray(u, dtype=float)
    width = high - low
    if width <= 0:
        return np.full(u.shape, float(likely))
    cut = (likely - low) / width
    left = low + np.sqrt(u * width * (likely - low))
    right = high - np.sqrt((1.0 - u) * width * (high - likely))
    return np.where(u < cut, left, right)


@dataclass(frozen=True)
class _Range:
    name: str
    low: float
    likely: float
    high: float


def _ranges(a: Assumptions) -> tuple[_Range, _Range, _Range]:
    out = []
    for key in ("savings", "costs", "delay"):
        low, likely, high = (getattr(a, f"uncertain_{key}_{part}") for part in ("low", "likely", "high"))
        if not low <= likely <= high:
            raise ParameterError(f"The uncertain_{key} range must be low <= likely <= high. "
                                 f"Got {low:g}, {likely:g}, {high:g} instead.")
        out.append(_Range(key, low, likely, high))
    return out[0], out[1], out[2]


# --------------------------------------------------------------------------- #
# The simulation
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Simulation:
    """The Monte Carlo distribution of NPV.

    Attributes
    ----------
    npv : numpy.ndarray
        The portfolio's NPV in each draw.
    options : DataFrame
        One row a simulated option: ``option_id``, ``npv`` (as planned),
        ``p10``, ``p50``, ``p90``, ``mean``, ``p_positive`` and ``draws`` (the
        draws its percentiles use).
    seed : int
    draws : int
    """

    npv: np.ndarray = field(repr=False)
    options: pd.DataFrame = field(repr=False)
    seed: int
    draws: int

    def percentile(self, p: float) -> float:
        """The portfolio's NPV percentile ``p`` (0-100; numpy's linear interpolation)."""
        return float(np.percentile(self.npv, p)) if self.npv.size else math.nan

    @property
    def p_positive(self) -> float:
        """The share of draws with a positive portfolio NPV."""
        return float(np.mean(self.npv > 0)) if self.npv.size else math.nan

    def summary(self) -> dict[str, float]:
        """P10, P50, P90, mean and P(NPV > 0) of the portfolio."""
        return {"NPV P10": self.percentile(10), "NPV P50": self.percentile(50), "NPV P90": self.percentile(90),
                "NPV mean": float(self.npv.mean()) if self.npv.size else math.nan,
                "Probability NPV > 0": self.p_positive}


def _correlation(c: float) -> np.ndarray:
    return np.linalg.cholesky(np.array([[1.0, 0.0, 0.0], [0.0, 1.0, c], [0.0, c, 1.0]]))


def simulate_npv(savings: np.ndarray, costs: np.ndarray, assumptions: Assumptions, *,
                 option_ids: Any = None, draws: int | None = None, seed: int | None = None) -> Simulation:
    """Simulate the NPV of options and of their sum.

    Parameters
    ----------
    savings, costs : numpy.ndarray
        Shape (n, H): each option's savings and one-off costs by appraisal
        year, after optimism bias.
    assumptions : Assumptions
        The ranges, correlations, draws, seed and discount rate.
    option_ids : sequence of str, optional
        Names of the n options (``0``, ``1``... by default).
    draws, seed : int, optional
        Override ``monte_carlo_draws`` and ``monte_carlo_seed``.

    Returns
    -------
    Simulation

    Notes
    -----
    Per draw m and option o, with standard normals ``g[m, v]`` (common) and
    ``e[m, o, v]`` (own) for v = savings, costs, delay, drawn in that order
    from ``numpy.random.default_rng(seed)`` in blocks of draws::

        z = (sqrt(rho) g + sqrt(1 - rho) e) @ L.T     L = cholesky([[1,0,0],[0,1,c],[0,c,1]])
        x_v = triangular_quantile(Phi(z_v), low_v, likely_v, high_v)
        npv[m, o] = x_savings x delayed_pv(P_o, x_delay) - x_costs x PV(costs_o)

    Examples
    --------
    >>> from estate.assumptions import load_assumptions
    >>> a = load_assumptions(monte_carlo_draws=2000)
    >>> sim = simulate_npv(np.array([[0.0, 60.0, 60.0]]), np.array([[100.0, 0.0, 0.0]]), a)
    >>> bool(sim.percentile(10) < sim.percentile(50) < sim.percentile(90))
    True
    """
    from scipy.special import ndtr

    a = assumptions
    s = np.atleast_2d(np.asarray(savings, dtype=float))
    c = np.atleast_2d(np.asarray(costs, dtype=float))
    n, h = s.shape
    ids = [str(i) for i in (option_ids if option_ids is not None else range(n))]
    total = int(a.monte_carlo_draws if draws is None else draws)
    seed = int(a.monte_carlo_seed if seed is None else seed)
    sav, cost, delay = _ranges(a)
    factors = _factors(h, a.discount_rate)
    shifted = shifted_pv(s, factors) if n else np.zeros((0, h + 1))
    pv_costs = c @ factors if n else np.zeros(0)
    rho = float(a.common_cause_correlation)
    chol = _correlation(float(a.cost_delay_correlation))
    rng = np.random.default_rng(seed)
    keep = min(total, max(1000, _KEEP_OPTION_DRAWS // max(n, 1))) if n else 0
    kept = np.empty((keep, n))
    portfolio = np.empty(total)
    block = max(1, _CELLS_A_CHUNK // (3 * max(n, 1)))
    done = 0
    while done < total:
        m = min(block, total - done)
        common = rng.standard_normal((m, 1, 3))
        own = rng.standard_normal((m, n, 3))
        z = (math.sqrt(rho) * common + math.sqrt(1.0 - rho) * own) @ chol.T
        u = ndtr(z)
        x_sav = triangular_quantile(u[..., 0], sav.low, sav.likely, sav.high)
        x_cost = triangular_quantile(u[..., 1], cost.low, cost.likely, cost.high)
        x_delay = triangular_quantile(u[..., 2], delay.low, delay.likely, delay.high)
        npv = x_sav * delayed_pv(shifted, x_delay) - x_cost * pv_costs
        portfolio[done:done + m] = npv.sum(axis=1)
        if done < keep:
            take = min(m, keep - done)
            kept[done:done + take] = npv[:take]
        done += m
    base = shifted[:, 0] - pv_costs if n else np.zeros(0)
    if n:
        p10, p50, p90 = np.percentile(kept, [10, 50, 90], axis=0)
        options = pd.DataFrame({"option_id": ids, "npv": base, "p10": p10, "p50": p50, "p90": p90,
                                "mean": kept.mean(axis=0), "p_positive": (kept > 0).mean(axis=0),
                                "draws": keep})
    else:
        options = pd.DataFrame(columns=["option_id", "npv", "p10", "p50", "p90", "mean", "p_positive", "draws"])
    return Simulation(npv=portfolio, options=options, seed=seed, draws=total)


# --------------------------------------------------------------------------- #
# Tornado
# --------------------------------------------------------------------------- #


def tornado(savings: np.ndarray, costs: np.ndarray, assumptions: Assumptions, *,
            rate_step: float = 0.01) -> pd.DataFrame:
    """The portfolio's NPV with each uncertain quantity at its low and its high, the others most likely.

    Parameters
    ----------
    savings, costs : numpy.ndarray
        Shape (n, H) or (H,): savings and one-off costs by year.
    assumptions : Assumptions
    rate_step : float, default=0.01
        The discount rate is moved this far down and up.

    Returns
    -------
    DataFrame
        ``variable``, ``low_value``, ``high_value``, ``npv_low``, ``npv_high``,
        ``swing`` (|npv_high - npv_low|), largest swing first.
    """
    a = assumptions
    s = np.atleast_2d(np.asarray(savings, dtype=float)).sum(axis=0)
    c = np.atleast_2d(np.asarray(costs, dtype=float)).sum(axis=0)
    sav, cost, delay = _ranges(a)

    def npv(x_sav: float, x_cost: float, x_delay: float, rate: float) -> float:
        factors = _factors(s.size, rate)
        return float(x_sav * delayed_pv(shifted_pv(s, factors), x_delay) - x_cost * (c @ factors))

    likely = (sav.likely, cost.likely, delay.likely, a.discount_rate)
    rows = []
    for i, (name, low, high) in enumerate((
            ("Annual savings (multiple)", sav.low, sav.high), ("One-off costs (multiple)", cost.low, cost.high),
            ("Delay (years)", delay.low, delay.high),
            ("Discount rate", max(0.0, a.discount_rate - rate_step), a.discount_rate + rate_step))):
        lo, hi = list(likely), list(likely)
        lo[i], hi[i] = low, high
        rows.append((name, low, high, npv(*lo), npv(*hi)))
    frame = pd.DataFrame(rows, columns=["variable", "low_value", "high_value", "npv_low", "npv_high"])
    frame["swing"] = (frame["npv_high"] - frame["npv_low"]).abs()
    return frame.sort_values(["swing", "variable"], ascending=[False, True], kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------- #
# A plan's sensitivity
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Sensitivity:
    """A plan's switching values, tornado and simulation.

    Attributes
    ----------
    table : DataFrame
        The ``Sensitivity`` sheet: ``variable``, ``switching_value``,
        ``unit``, ``base``, ``at_switch``, ``meaning``: the four switching
        values of the portfolio, then ``NPV P10``, ``NPV P50``, ``NPV P90``,
        ``NPV mean`` and ``Probability NPV > 0``.
    options : DataFrame
        One row a recommended option: ``option_id``, ``npv``, ``pv_savings``,
        ``pv_costs``, ``savings``, ``costs``, ``delay``, ``discount_rate``
        (switching values) and the simulation's ``p10``, ``p50``, ``p90``,
        ``p_positive``.
    tornado : DataFrame
        :func:`tornado` of the portfolio.
    simulation : Simulation
    """

    table: pd.DataFrame
    options: pd.DataFrame
    tornado: pd.DataFrame
    simulation: Simulation = field(repr=False)

    def value(self, variable: str) -> float:
        """The ``switching_value`` of a row by its variable.

        Examples
        --------
        >>> from estate.plan import make_plan
        >>> from estate.examples import two_councils
        >>> plan = make_plan(two_councils())
        >>> s = plan.sensitivity()
        >>> bool(s.value("NPV P10") < s.value("NPV P50") < s.value("NPV P90"))
        True
        """
        row = self.table.loc[self.table["variable"] == variable, "switching_value"]
        if not len(row):
            raise ParameterError(f"No sensitivity row {variable!r}; rows are {', '.join(self.table['variable'])}.")
        return float(row.iloc[0])


def _by_year(flows: pd.DataFrame, ids: list[str], horizon: int, column: str) -> np.ndarray:
    out = np.zeros((len(ids), horizon))
    if not ids:
        return out
    pos = pd.Index(ids).get_indexer(flows["option_id"])
    mine = pos >= 0
    np.add.at(out, (pos[mine], flows["t"].to_numpy()[mine].astype(np.int64)), flows[column].to_numpy()[mine])
    return out


def plan_sensitivity(plan: Plan) -> Sensitivity:
    """Switching values, tornado and Monte Carlo of a plan's recommended options.

    Parameters
    ----------
    plan : Plan

    Returns
    -------
    Sensitivity
    """
    a = plan.assumptions
    ids = sorted(plan.recommended)
    flows = plan.options.cash_flows
    h = int(a.horizon_years)
    savings = _by_year(flows, ids, h, "savings")
    costs = _by_year(flows, ids, h, "costs")
    factors = _factors(h, a.discount_rate)
    total_s, total_c = savings.sum(axis=0), costs.sum(axis=0)
    values = switching_values(total_s, total_c, rate=a.discount_rate)
    pv_s, pv_c = float(total_s @ factors), float(total_c @ factors)
    npv = pv_s - pv_c
    irr = values["discount_rate"] + a.discount_rate
    sim = simulate_npv(savings, costs, a, option_ids=ids)
    summary = sim.summary()
    rows = [
        ("Annual savings", values["savings"], "fraction (fall)", pv_s, pv_s * (1 - values["savings"]),
         "Savings may fall by this share before NPV is zero: NPV / PV(savings)."),
        ("One-off costs", values["costs"], "fraction (rise)", pv_c, pv_c * (1 + values["costs"]),
         "One-off costs may rise by this share before NPV is zero: NPV / PV(costs)."),
        ("Delay", values["delay"], "years", 0.0, values["delay"],
         "Every saving may start this many years later (costs unchanged) before NPV is zero."),
        ("Discount rate", values["discount_rate"], "fraction a year (rise)", a.discount_rate, irr,
         "The discount rate may rise by this much before NPV is zero (the internal rate of return less the rate)."),
    ]
    draws = f"{sim.draws:,} draws, seed {sim.seed}"
    for name in ("NPV P10", "NPV P50", "NPV P90", "NPV mean"):
        rows.append((name, summary[name], a.currency, npv, math.nan,
                     f"Monte Carlo ({draws}) over the uncertain assumptions; NPV as planned in Base."))
    rows.append(("Probability NPV > 0", summary["Probability NPV > 0"], "probability", math.nan, math.nan,
                 f"Share of the Monte Carlo draws ({draws}) with a positive NPV."))
    table = pd.DataFrame(rows, columns=["variable", "switching_value", "unit", "base", "at_switch", "meaning"])

    per = []
    for i, option in enumerate(ids):
        v = switching_values(savings[i], costs[i], rate=a.discount_rate)
        per.append((option, float(savings[i] @ factors - costs[i] @ factors), float(savings[i] @ factors),
                    float(costs[i] @ factors), v["savings"], v["costs"], v["delay"], v["discount_rate"]))
    options = pd.DataFrame(per, columns=["option_id", "npv", "pv_savings", "pv_costs", "savings", "costs", "delay",
                                         "discount_rate"])
    options = options.merge(sim.options[["option_id", "p10", "p50", "p90", "p_positive"]], on="option_id",
                            how="left")
    return Sensitivity(table=table, options=options, tornado=tornado(savings, costs, a), simulation=sim)
