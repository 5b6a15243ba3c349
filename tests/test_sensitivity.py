"""Switching values, the tornado and the Monte Carlo simulation (estate.sensitivity).

Oracles: closed forms (NPV / PV), numpy-financial's npv and irr, delayed cash flows built
year by year and solved by bisection, a per-draw loop over scipy.stats distributions, and
the triangular distribution's own quantiles.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import numpy_financial as npf
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook
from scipy import stats

from estate.assumptions import load_assumptions
from estate.errors import ParameterError
from estate.plan import make_plan
from estate.sensitivity import (
    delayed_pv,
    shifted_pv,
    simulate_npv,
    switching_values,
    tornado,
    triangular_quantile,
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "inventories" / "cumbria"


def delayed_savings(savings: np.ndarray, delay: float) -> np.ndarray:
    """Savings moved ``delay`` years later, built year by year: whole years shift, a part year splits."""
    h = savings.size
    k, f = int(math.floor(delay)), delay - math.floor(delay)
    out = np.zeros(h)
    for t in range(h):
        for shift, weight in ((k, 1.0 - f), (k + 1, f)):
            if t + shift < h:
                out[t + shift] += weight * savings[t]
    return out


def bisect(func, low: float, high: float) -> float:
    for _ in range(200):
        mid = (low + high) / 2
        if (func(mid) > 0) == (func(low) > 0):
            low = mid
        else:
            high = mid
    return (low + high) / 2


# --------------------------------------------------------------------------- #
# Switching values against closed forms
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(("savings", "costs", "rate"), [
    ([0.0] + [40_000.0] * 9, [100_000.0] + [0.0] * 9, 0.035),  # Example A of docs/appraisal.md
    ([25_500.0, 51_000.0, 51_000.0, 51_000.0, 51_000.0], [65_000.0, 0, 0, 0, 0], 0.035),  # Example B, path W
    ([0.0, 0.0, 30.0, 80.0, 80.0, 80.0], [50.0, 70.0, 10.0, 0.0, 0.0, 0.0], 0.05),
])
def test_switching_values_match_closed_forms(savings: list[float], costs: list[float], rate: float) -> None:
    s, c = np.array(savings), np.array(costs)
    values = switching_values(s, c, rate=rate)
    npv = npf.npv(rate, s - c)
    assert values["savings"] == pytest.approx(npv / npf.npv(rate, s), rel=1e-12)
    assert values["costs"] == pytest.approx(npv / npf.npv(rate, c), rel=1e-12)
    # Savings scaled down (costs up) by the switching value leave NPV at zero.
    assert npf.npv(rate, s * (1 - values["savings"]) - c) == pytest.approx(0, abs=1e-6)
    assert npf.npv(rate, s - c * (1 + values["costs"])) == pytest.approx(0, abs=1e-6)
    # Delay: savings built year by year and delayed, solved by bisection.
    delay = bisect(lambda d: npf.npv(rate, delayed_savings(s, d) - c), 0.0, float(s.size))
    assert values["delay"] == pytest.approx(delay, abs=1e-9)
    assert values["discount_rate"] == pytest.approx(npf.irr(s - c) - rate, abs=1e-9)


def test_example_a_switching_values_as_documented() -> None:
    s, c = np.array([0.0] + [40_000.0] * 9), np.array([100_000.0] + [0.0] * 9)
    values = switching_values(s, c, rate=0.035)
    assert round(values["savings"], 4) == 0.6714 and round(values["costs"], 4) == 2.0431
    # By hand: P(5) = 40,000 x (DF_6 + ... + DF_9) = 122,195.00 > 100,000 > P(6) = 40,000 x (DF_7 + DF_8 + DF_9).
    df = 1 / 1.035 ** np.arange(10)
    p5, p6 = 40_000 * df[6:].sum(), 40_000 * df[7:].sum()
    assert values["delay"] == pytest.approx(5 + (p5 - 100_000) / (p5 - p6), abs=1e-12)


def test_no_switch_is_nan() -> None:
    values = switching_values(np.array([10.0, 10.0]), np.array([0.0, 0.0]), rate=0.035)
    assert math.isnan(values["costs"]) and math.isnan(values["delay"]) and math.isnan(values["discount_rate"])
    losing = switching_values(np.array([0.0, 10.0]), np.array([100.0, 0.0]), rate=0.035)
    assert losing["savings"] < 0 and math.isnan(losing["delay"])  # a delay only deepens a loss


def test_shifted_and_delayed_pv() -> None:
    s = np.array([3.0, 5.0, 7.0, 11.0])
    df = 1 / 1.1 ** np.arange(4)
    shifted = shifted_pv(s, df)
    for k in range(5):
        assert shifted[k] == pytest.approx(delayed_savings(s, k) @ df)
    for d in (0.0, 0.25, 1.5, 2.75, 3.9, 4.0):
        assert float(delayed_pv(shifted, d)) == pytest.approx(delayed_savings(s, d) @ df)


# --------------------------------------------------------------------------- #
# Monte Carlo
# --------------------------------------------------------------------------- #


def test_triangular_quantile_matches_scipy() -> None:
    u = np.linspace(0, 1, 101)
    for low, likely, high in ((0.7, 1.0, 1.1), (0.9, 1.0, 1.6), (0.0, 0.0, 1.0), (2.0, 3.0, 3.0)):
        expected = stats.triang.ppf(u, (likely - low) / (high - low), loc=low, scale=high - low)
        assert np.allclose(triangular_quantile(u, low, likely, high), expected)


def test_simulation_is_seeded() -> None:
    a = load_assumptions(monte_carlo_draws=3000)
    s = np.array([[0.0, 50.0, 50.0, 50.0], [0.0, 0.0, 80.0, 80.0]])
    c = np.array([[90.0, 0, 0, 0], [40.0, 60.0, 0, 0]])
    first, again = simulate_npv(s, c, a), simulate_npv(s, c, a)
    assert np.array_equal(first.npv, again.npv)
    pd.testing.assert_frame_equal(first.options, again.options)
    other = simulate_npv(s, c, a, seed=a.monte_carlo_seed + 1)
    assert not np.array_equal(first.npv, other.npv)


def test_draws_match_a_loop_over_scipy_distributions() -> None:
    """Each draw recomputed on its own: copula by hand, scipy's triangular, delayed flows, numpy-financial's npv."""
    a = load_assumptions(monte_carlo_draws=300, common_cause_correlation=0.3, cost_delay_correlation=0.5)
    s = np.array([[0.0, 50.0, 50.0, 50.0, 50.0], [0.0, 0.0, 80.0, 80.0, 80.0], [10.0, 10.0, 10.0, 10.0, 10.0]])
    c = np.array([[90.0, 0, 0, 0, 0], [40.0, 60.0, 0, 0, 0], [5.0, 0, 0, 0, 0]])
    sim = simulate_npv(s, c, a)
    rng = np.random.default_rng(a.monte_carlo_seed)
    common = rng.standard_normal((300, 1, 3))  # one block: 300 draws of 3 options fit in a chunk
    own = rng.standard_normal((300, 3, 3))
    corr = np.array([[1, 0, 0], [0, 1, 0.5], [0, 0.5, 1]])
    chol = np.linalg.cholesky(corr)
    ranges = [(0.7, 1.0, 1.1), (0.9, 1.0, 1.6), (0.0, 0.0, 1.0)]
    for m in range(300):
        total = 0.0
        for o in range(3):
            z = chol @ (math.sqrt(0.3) * common[m, 0] + math.sqrt(0.7) * own[m, o])
            x = [stats.triang.ppf(stats.norm.cdf(z[v]), (lk - lo) / (hi - lo) if hi > lo else 0, loc=lo,
                                  scale=hi - lo) for v, (lo, lk, hi) in enumerate(ranges)]
            total += npf.npv(a.discount_rate, x[0] * delayed_savings(s[o], x[2]) - x[1] * c[o])
        assert sim.npv[m] == pytest.approx(total, rel=1e-9, abs=1e-9)
    assert sim.percentile(10) == pytest.approx(np.sort(sim.npv)[29] + 0.9 * (np.sort(sim.npv)[30] - np.sort(sim.npv)[29]))


def test_percentiles_of_one_option_follow_the_triangular_distribution() -> None:
    """Savings only, no delay: NPV = multiple x PV(savings), whose percentiles are the triangle's quantiles."""
    a = load_assumptions(monte_carlo_draws=200_000, uncertain_delay_high=0.0)
    s = np.array([[0.0, 100.0, 100.0]])
    sim = simulate_npv(s, np.zeros((1, 3)), a)
    pv = npf.npv(a.discount_rate, s[0])
    for p in (10, 50, 90):
        expected = pv * stats.triang.ppf(p / 100, 0.75, loc=0.7, scale=0.4)
        assert sim.percentile(p) == pytest.approx(expected, rel=2e-3)
    assert sim.options.loc[0, "p50"] == pytest.approx(sim.percentile(50))


def test_a_common_cause_widens_the_portfolio_range() -> None:
    s, c = np.tile([0.0, 50.0, 50.0, 50.0], (20, 1)), np.tile([90.0, 0, 0, 0], (20, 1))
    narrow = simulate_npv(s, c, load_assumptions(monte_carlo_draws=4000, common_cause_correlation=0.0))
    wide = simulate_npv(s, c, load_assumptions(monte_carlo_draws=4000, common_cause_correlation=0.9))
    assert wide.npv.std() > 2 * narrow.npv.std()


def test_a_range_out_of_order_is_refused() -> None:
    a = load_assumptions(uncertain_costs_low=1.2)
    with pytest.raises(ParameterError, match="uncertain_costs"):
        simulate_npv(np.ones((1, 2)), np.ones((1, 2)), a)


def test_tornado_ranks_by_swing() -> None:
    a = load_assumptions()
    s, c = np.array([0.0] + [40_000.0] * 9), np.array([100_000.0] + [0.0] * 9)
    frame = tornado(s, c, a)
    assert list(frame["swing"]) == sorted(frame["swing"], reverse=True)
    row = frame.set_index("variable").loc["Annual savings (multiple)"]
    pv = npf.npv(0.035, s)
    assert row["npv_low"] == pytest.approx(0.7 * pv - 100_000) and row["npv_high"] == pytest.approx(1.1 * pv - 100_000)


# --------------------------------------------------------------------------- #
# The plan and its Sensitivity sheet
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def sample():
    return make_plan(SAMPLE)


def test_plan_switching_value_is_npv_over_pv_of_savings(sample) -> None:
    flows = sample.portfolio_cash_flows()
    npv = flows["present_value"].sum()
    pv_savings = (flows["savings"] * flows["discount_factor"]).sum()
    pv_costs = (flows["costs"] * flows["discount_factor"]).sum()
    sens = sample.sensitivity()
    assert sens.value("Annual savings") == pytest.approx(npv / pv_savings, abs=1e-9)
    assert sens.value("One-off costs") == pytest.approx(npv / pv_costs, abs=1e-9)
    assert sens.value("NPV P10") < sens.value("NPV P50") < sens.value("NPV P90")
    assert 0 <= sens.value("Probability NPV > 0") <= 1
    options = sens.options.set_index("option_id")
    table = sample.options.options.set_index("option_id").loc[options.index]
    assert np.allclose(options["savings"], table["npv"] / table["pv_savings"])


def test_sensitivity_sheet_holds_the_contract_rows_and_is_repeatable(sample, tmp_path: Path) -> None:
    first = sample.write(tmp_path / "one.xlsx")
    again = dataclasses.replace(sample).write(tmp_path / "two.xlsx")  # a fresh cache: the sensitivity is worked out again
    sheets = []
    for path in (first, again):
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Sensitivity").to_python()
        sheets.append(rows)
    assert sheets[0] == sheets[1]
    header = sheets[0][0]
    assert header[:2] == ["Variable", "Switching value"]
    values = {row[0]: row[1] for row in sheets[0][1:] if row and row[0]}
    for name in ("Annual savings", "One-off costs", "Delay", "NPV P10", "NPV P50", "NPV P90"):
        assert isinstance(values[name], float), name
    flows = sample.portfolio_cash_flows()
    expected = flows["present_value"].sum() / (flows["savings"] * flows["discount_factor"]).sum()
    assert abs(values["Annual savings"] - expected) <= 0.02
    assert values["NPV P10"] < values["NPV P50"] < values["NPV P90"]


def test_the_worked_example_of_docs_sensitivity() -> None:
    """Every figure of the worked example in docs/sensitivity.md."""
    s, c = np.array([0.0] + [40_000.0] * 9), np.array([100_000.0] + [0.0] * 9)
    df = 1 / 1.035 ** np.arange(10)
    shifted = shifted_pv(s, df)
    assert np.round(shifted[:10], 2).tolist() == [304307.46, 265660.12, 228319.69, 192241.98, 157384.29, 123705.37,
                                                  91165.34, 59725.70, 29349.24, 0.0]
    assert round(npf.irr(s - c), 4) == 0.3776
    z_delay = 0.6 * 0.5 + 0.8 * 1.0
    u = stats.norm.cdf([-1.0, 0.5, z_delay])
    x_s = triangular_quantile(u[0], 0.7, 1.0, 1.1)
    x_c = triangular_quantile(u[1], 0.9, 1.0, 1.6)
    x_d = triangular_quantile(u[2], 0.0, 0.0, 1.0)
    assert (round(float(x_s), 6), round(float(x_c), 6), round(float(x_d), 6)) == (0.837981, 1.24002, 0.631671)
    assert round(float(delayed_pv(shifted, x_d)), 2) == 279895.04
    assert round(float(x_s * delayed_pv(shifted, x_d) - x_c * 100_000), 2) == 110544.62
    summary = simulate_npv(s[None, :], c[None, :], load_assumptions()).summary()
    assert [round(summary[k]) for k in ("NPV P10", "NPV P50", "NPV P90")] == [111985, 157632, 197502]
    frame = tornado(s, c, load_assumptions()).set_index("variable")
    assert round(frame.loc["Annual savings (multiple)", "npv_low"]) == 113015
    assert [round(v) for v in frame["swing"]] == [121723, 70000, 38647, 28083]
