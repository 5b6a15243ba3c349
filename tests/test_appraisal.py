"""Tests of estate.appraisal: financial years, discounting, payback, optimism bias.

Oracle tests compare with numpy-financial; the hand-worked examples are those of
docs/appraisal.md, figure for figure; Hypothesis checks the properties.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import numpy_financial as npf
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import estate.appraisal as appraisal
from estate.appraisal import (
    CASH_FLOW_COLUMNS,
    Appraisal,
    annual_saving_profile,
    appraise_flows,
    apply_optimism_bias,
    discount_factors,
    discounted_payback_years,
    financial_year,
    financial_years,
    fy_end,
    fy_label,
    fy_start,
    npv,
    option_cash_flows,
    payback_years,
    payback_years_by_row,
    year_fraction,
    year_fractions,
)
from estate.errors import EstateError, ParameterError

DOC = Path(__file__).resolve().parent.parent / "docs" / "appraisal.md"

amounts = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
flows_strategy = st.lists(amounts, min_size=1, max_size=40)
rates = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
days = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))
months = st.integers(min_value=1, max_value=12)


def close(a: float, b: float, scale: float = 1.0) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9 * max(1.0, scale))


# --------------------------------------------------------------------------- #
# Module surface
# --------------------------------------------------------------------------- #


def test_all_is_sorted_and_exported():
    assert list(appraisal.__all__) == sorted(appraisal.__all__)
    for name in appraisal.__all__:
        assert hasattr(appraisal, name)


def test_reference_constants():
    assert appraisal.DISCOUNT_RATE == 0.035
    assert appraisal.LONG_DISCOUNT_RATE == 0.03
    assert appraisal.SWITCH_YEAR == 30
    assert appraisal.HORIZON_YEARS == 10
    assert appraisal.OPTIMISM_BIAS_EQUIPMENT_DEVELOPMENT_CAPEX == 2.00
    assert appraisal.OPTIMISM_BIAS_EQUIPMENT_DEVELOPMENT_DURATION == 0.54
    assert appraisal.OPTIMISM_BIAS_OUTSOURCING == 0.41
    assert appraisal.OPTIMISM_BIAS_STANDARD_BUILDINGS_CAPEX == 0.24
    assert "Green Book" in appraisal.OPTIMISM_BIAS_SOURCE


# --------------------------------------------------------------------------- #
# Financial years
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    ("day", "first_month", "expected"),
    [
        (date(2027, 5, 15), 4, 2027),
        (date(2028, 2, 15), 4, 2027),
        (date(2027, 4, 1), 4, 2027),
        (date(2027, 3, 31), 4, 2026),
        (date(2027, 12, 31), 1, 2027),
        (date(2027, 1, 1), 1, 2027),
        (date(2027, 6, 30), 7, 2026),
        (datetime(2027, 4, 1, 23, 59), 4, 2027),
        (pd.Timestamp("2028-02-15"), 4, 2027),
        (np.datetime64("2028-02-15"), 4, 2027),
        ("2028-02-15", 4, 2027),
    ],
)
def test_financial_year(day, first_month, expected):
    assert financial_year(day, first_month=first_month) == expected


def test_financial_years_vectorised_with_missing():
    dates = pd.Series(pd.to_datetime(["2027-05-15", None, "2028-02-15", "2028-04-01"]))
    result = financial_years(dates)
    assert result.dtype == np.int64
    assert result.tolist() == [2027, -1, 2027, 2028]
    index = pd.DatetimeIndex(["2027-01-31", "2027-07-01"])
    assert financial_years(index, first_month=7).tolist() == [2026, 2027]
    assert financial_years([date(2027, 5, 1), None, "2027-03-01"]).tolist() == [2027, -1, 2026]
    assert financial_years(np.array([], dtype="datetime64[ns]")).tolist() == []


def test_financial_years_does_not_mutate():
    dates = pd.Series(pd.to_datetime(["2027-05-15", None]))
    before = dates.copy()
    financial_years(dates)
    pd.testing.assert_series_equal(dates, before)


@given(day=days, first_month=months)
def test_financial_years_agrees_with_scalar(day, first_month):
    assert financial_years([day], first_month=first_month)[0] == financial_year(day, first_month=first_month)
    fy = financial_year(day, first_month=first_month)
    assert fy_start(fy, first_month=first_month) <= day <= fy_end(fy, first_month=first_month)


def test_labels_and_bounds():
    assert fy_label(2027) == "2027/28"
    assert fy_label(2099) == "2099/00"
    assert fy_label(2009) == "2009/10"
    assert fy_label(2027, first_month=1) == "2027"
    assert fy_start(2027) == date(2027, 4, 1)
    assert fy_end(2027) == date(2028, 3, 31)
    assert fy_start(2027, first_month=1) == date(2027, 1, 1)
    assert fy_end(2027, first_month=1) == date(2027, 12, 31)
    assert fy_end(2027, first_month=3) == date(2028, 2, 29)


# --------------------------------------------------------------------------- #
# Pro-rating
# --------------------------------------------------------------------------- #


def test_year_fraction_examples():
    # 2027/28 holds 29 Feb 2028: 366 days; 1 Oct 2027 to 31 Mar 2028 is 183 of them.
    assert year_fraction(date(2027, 10, 1), None, 2027) == 0.5
    assert year_fraction(date(2027, 4, 1), date(2027, 10, 1), 2027) == 0.5
    assert year_fraction(date(2026, 10, 1), None, 2026) == 182 / 365
    assert year_fraction(date(2020, 1, 1), None, 2027) == 1.0
    assert year_fraction(date(2030, 1, 1), None, 2027) == 0.0
    assert year_fraction(date(2020, 1, 1), date(2027, 4, 1), 2027) == 0.0  # end is excluded
    assert year_fraction(date(2027, 5, 1), date(2027, 5, 1), 2027) == 0.0
    assert year_fraction(date(2027, 7, 1), None, 2027, first_month=7) == 1.0


def test_year_fractions_broadcasts():
    result = year_fractions(date(2027, 10, 1), None, [2026, 2027, 2028])
    assert result.tolist() == [0.0, 0.5, 1.0]
    starts = pd.Series(pd.to_datetime(["2027-10-01", None, "2027-04-01"]))
    ends = [None, None, "2027-10-01"]
    result = year_fractions(starts, ends, 2027)
    assert result[0] == 0.5 and math.isnan(result[1]) and result[2] == 0.5
    grid = year_fractions(np.array(["2027-10-01", "2028-04-01"], dtype="datetime64[D]")[:, None], None,
                          np.array([2027, 2028])[None, :])
    assert grid.tolist() == [[0.5, 1.0], [0.0, 1.0]]


@given(start=days, length=st.integers(min_value=0, max_value=4000), first_month=months)
def test_year_fractions_agree_with_scalar_and_count_days(start, length, first_month):
    end = start + timedelta(days=length)
    first = financial_year(start, first_month=first_month)
    last = financial_year(end, first_month=first_month)
    years = np.arange(first - 1, last + 2)
    fractions = year_fractions(start, end, years, first_month=first_month)
    for year, fraction in zip(years.tolist(), fractions.tolist()):
        assert fraction == year_fraction(start, end, year, first_month=first_month)
        assert 0.0 <= fraction <= 1.0
    lengths = [(fy_end(y, first_month=first_month) - fy_start(y, first_month=first_month)).days + 1
               for y in years.tolist()]
    assert round(float(np.sum(fractions * lengths))) == length


@given(
    fy=st.integers(min_value=1990, max_value=2100),
    first_month=months,
    cuts=st.lists(st.integers(min_value=1, max_value=364), max_size=12, unique=True),
)
def test_fractions_of_consecutive_periods_sum_to_one(fy, first_month, cuts):
    start = fy_start(fy, first_month=first_month)
    after = fy_end(fy, first_month=first_month) + timedelta(days=1)
    bounds = [start] + [start + timedelta(days=c) for c in sorted(cuts)] + [after]
    total = sum(year_fraction(a, b, fy, first_month=first_month) for a, b in zip(bounds, bounds[1:]))
    assert math.isclose(total, 1.0, rel_tol=1e-12)
    vectorised = year_fractions(bounds[:-1], bounds[1:], fy, first_month=first_month)
    assert math.isclose(float(vectorised.sum()), 1.0, rel_tol=1e-12)


def test_annual_saving_profile():
    profile = annual_saving_profile(60_000.0, start=date(2027, 10, 1), first_year=2027, horizon_years=5)
    assert profile.tolist() == [30_000.0, 60_000.0, 60_000.0, 60_000.0, 60_000.0]
    later = annual_saving_profile(60_000.0, start=date(2028, 10, 1), first_year=2027, horizon_years=3)
    assert later.tolist() == [0.0, 60_000.0 * 182 / 365, 60_000.0]
    before = annual_saving_profile(10.0, start="2020-01-01", first_year=2027, horizon_years=2)
    assert before.tolist() == [10.0, 10.0]
    assert annual_saving_profile(10.0, start=date(2040, 1, 1), first_year=2027, horizon_years=2).tolist() == [0, 0]


# --------------------------------------------------------------------------- #
# Discounting and NPV
# --------------------------------------------------------------------------- #


def test_numpy_financial_npv_leaves_first_value_undiscounted():
    # Verified here, not assumed: npf.npv(r, values) = sum values[t] / (1 + r)**t with t starting
    # at 0, so its first value is NOT discounted -- the same convention as estate (and unlike
    # Excel's NPV(), which discounts its first value by one period).
    assert npf.npv(0.1, [100.0]) == 100.0
    assert math.isclose(npf.npv(0.1, [-100.0, 110.0]), 0.0, abs_tol=1e-9)
    assert math.isclose(npf.npv(0.1, [0.0, 110.0]), 100.0)


@given(net=flows_strategy, rate=rates)
def test_npv_matches_numpy_financial(net, rate):
    scale = sum(abs(x) for x in net)
    assert close(npv(net, rate=rate), float(npf.npv(rate, net)), scale)


@given(net=flows_strategy)
def test_npv_at_rate_zero_is_the_plain_sum(net):
    assert close(npv(net, rate=0.0), math.fsum(net), sum(abs(x) for x in net))


@given(
    outlay=st.floats(min_value=1.0, max_value=1e6),
    later=st.lists(st.floats(min_value=0.0, max_value=1e6), min_size=1, max_size=30),
    r1=rates,
    r2=rates,
)
def test_npv_decreases_with_rate_for_outlay_then_returns(outlay, later, r1, r2):
    # A negative year 0 (undiscounted) and non-negative later years: NPV is non-increasing in r.
    low, high = sorted((r1, r2))
    net = [-outlay, *later]
    scale = outlay + sum(later)
    assert npv(net, rate=high) <= npv(net, rate=low) + 1e-9 * scale


@given(
    negatives=st.lists(st.floats(min_value=-1e6, max_value=0.0), min_size=1, max_size=10),
    positives=st.lists(st.floats(min_value=0.0, max_value=1e6), min_size=1, max_size=20),
    r1=rates,
    r2=rates,
)
def test_npv_of_negative_then_positive_flow(negatives, positives, r1, r2):
    # With negatives spread over several years, NPV itself need not fall everywhere (e.g. 0, -100, 1
    # rises with r), but NPV x (1 + r)^m, m = number of negative years, is non-increasing; so NPV is
    # decreasing wherever it is positive and, once negative, stays negative at higher rates.
    low, high = sorted((r1, r2))
    net = [*negatives, *positives]
    m = len(negatives)
    scale = sum(abs(x) for x in net) * 2.0**m
    assert npv(net, rate=high) * (1 + high) ** m <= npv(net, rate=low) * (1 + low) ** m + 1e-9 * scale
    if npv(net, rate=low) >= 0:
        assert npv(net, rate=high) <= npv(net, rate=low) + 1e-9 * scale
    if npv(net, rate=low) < -1e-9 * scale:
        assert npv(net, rate=high) < 0


def test_discount_factors_and_green_book_schedule():
    assert discount_factors(1).tolist() == [1.0]
    df = discount_factors(10)
    assert df[0] == 1.0
    assert np.allclose(df, 1 / 1.035 ** np.arange(10), rtol=1e-15)
    schedule = discount_factors(76, long_rate=0.03)
    assert np.array_equal(schedule[:31], discount_factors(31))
    assert math.isclose(schedule[30], 1 / 1.035**30, rel_tol=1e-14)
    assert math.isclose(schedule[31], 1 / (1.035**30 * 1.03), rel_tol=1e-14)
    assert math.isclose(schedule[75], 1 / (1.035**30 * 1.03**45), rel_tol=1e-14)
    assert np.all(np.diff(schedule) < 0)
    assert np.allclose(discount_factors(40, long_rate=0.035), discount_factors(40), rtol=1e-14)
    switched = discount_factors(5, long_rate=0.0, switch_year=2)
    assert np.allclose(switched, [1, 1 / 1.035, 1 / 1.035**2, 1 / 1.035**2, 1 / 1.035**2])


def test_npv_with_long_rate_uses_the_schedule():
    net = np.full(40, 100.0)
    expected = float(np.sum(net * discount_factors(40, long_rate=0.03)))
    assert npv(net, long_rate=0.03) == expected
    assert npv(net, long_rate=0.03) > npv(net)


def test_functions_do_not_mutate_inputs():
    net = np.array([-100.0, 60.0, 60.0])
    listed = [-100.0, 60.0, 60.0]
    npv(net), payback_years(net), discounted_payback_years(listed)
    assert net.tolist() == listed == [-100.0, 60.0, 60.0]
    costs = pd.Series([10.0, 20.0])
    savings = {2027: 5.0}
    apply_optimism_bias(costs, savings, cost_uplift=0.4, saving_reduction=0.1)
    assert costs.tolist() == [10.0, 20.0] and savings == {2027: 5.0}


# --------------------------------------------------------------------------- #
# Payback
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    ("net", "expected"),
    [
        ([-100.0, 40.0, 40.0, 40.0], 3.5),
        ([-60.0, 40.0, 40.0], 2.5),  # -60, -20, 20
        ([-100.0, 100.0], 2.0),  # cumulative reaches exactly 0 at the end of year 1
        ([0.0, 0.0], 0.0),
        ([10.0, -5.0, 1.0], 0.0),  # never negative
        ([-100.0, 40.0], math.nan),
        ([-100.0, 60.0, 60.0, -50.0, 60.0], 4.5),  # last crossing from negative: -100,-40,20,-30,30
        ([50.0, -80.0, 60.0], 2.5),  # 50, -30, 30
    ],
)
def test_payback_cases(net, expected):
    result = payback_years(net)
    if math.isnan(expected):
        assert math.isnan(result)
    else:
        assert result == expected


def _cumulative_at(net: list[float], x: float) -> float:
    """The cumulative net at time x, flows accruing evenly within each year."""
    k = min(int(math.floor(x)), len(net) - 1)
    return math.fsum(net[:k]) + (x - k) * net[k]


@given(net=flows_strategy)
def test_payback_properties(net):
    horizon = len(net)
    result = payback_years(net)
    cumulative = np.cumsum(net)
    scale = sum(abs(x) for x in net)
    negative_ends = np.flatnonzero(cumulative < 0)
    if cumulative[-1] < 0:
        assert math.isnan(result)
        return
    assert 0.0 <= result <= horizon
    if negative_ends.size == 0:
        assert result == 0.0
        return
    # Independent oracle: the year after the last year end in deficit is the crossing year k; payback
    # lies in it, the interpolated cumulative is zero there, and every later year end is in credit.
    k = int(negative_ends[-1]) + 1
    assert k <= result <= k + 1
    assert np.all(cumulative[k:] >= 0)
    assert abs(_cumulative_at(net, result)) <= 1e-9 * max(1.0, scale)


@given(net=flows_strategy, rate=rates)
def test_discounted_payback_is_payback_of_present_values(net, rate):
    result = discounted_payback_years(net, rate=rate)
    expected = payback_years(np.asarray(net) * discount_factors(len(net), rate=rate))
    assert (math.isnan(result) and math.isnan(expected)) or result == expected
    assert math.isnan(result) or 0.0 <= result <= len(net)


@given(outlay=st.floats(min_value=1.0, max_value=1e6),
       later=st.lists(st.floats(min_value=0.0, max_value=1e6), min_size=1, max_size=20), rate=rates)
def test_discounted_payback_is_no_sooner_for_a_conventional_flow(outlay, later, rate):
    net = [-outlay, *later]
    plain, discounted = payback_years(net), discounted_payback_years(net, rate=rate)
    if not math.isnan(discounted):
        assert plain <= discounted + 1e-9


# --------------------------------------------------------------------------- #
# Optimism bias
# --------------------------------------------------------------------------- #


def test_optimism_bias_formulas_and_types():
    costs, savings = apply_optimism_bias(100.0, 100.0, cost_uplift=0.4, saving_reduction=0.2, mitigation=0.25)
    assert (costs, savings) == (130.0, 85.0)
    assert isinstance(costs, float)
    costs, savings = apply_optimism_bias([1.0, 2.0], pd.Series([10.0]), cost_uplift=2.0, saving_reduction=1.0)
    assert isinstance(costs, np.ndarray) and costs.tolist() == [3.0, 6.0]
    assert isinstance(savings, pd.Series) and savings.tolist() == [0.0]
    costs, savings = apply_optimism_bias({2027: 50.0}, {2028: 60.0}, cost_uplift=0.0, saving_reduction=0.0)
    assert costs == {2027: 50.0} and savings == {2028: 60.0}
    full = apply_optimism_bias(100.0, 100.0, cost_uplift=0.41, saving_reduction=0.5, mitigation=1.0)
    assert full == (100.0, 100.0)


@given(uplift=st.floats(min_value=0, max_value=3), reduction=st.floats(min_value=0, max_value=1),
       mitigation=st.floats(min_value=0, max_value=1), amount=st.floats(min_value=0, max_value=1e7))
def test_optimism_bias_never_flatters(uplift, reduction, mitigation, amount):
    costs, savings = apply_optimism_bias(amount, amount, cost_uplift=uplift, saving_reduction=reduction,
                                         mitigation=mitigation)
    assert costs >= amount and 0.0 <= savings <= amount


# --------------------------------------------------------------------------- #
# Cash flows and appraisal
# --------------------------------------------------------------------------- #


def test_option_cash_flows_shape_and_columns():
    flows = option_cash_flows(first_year=2027, horizon_years=3, one_off_by_year={2027: 100.0},
                              savings_by_year={2028: 60.0, 2029: 60.0, 2030: 999.0})
    assert tuple(flows.columns) == CASH_FLOW_COLUMNS
    assert flows["year"].tolist() == [2027, 2028, 2029]
    assert flows["label"].tolist() == ["2027/28", "2028/29", "2029/30"]
    assert flows["t"].tolist() == [0, 1, 2]
    assert flows["savings"].tolist() == [0.0, 60.0, 60.0]  # 2030 is after the horizon: ignored
    assert flows["costs"].tolist() == [100.0, 0.0, 0.0]
    assert flows["net"].tolist() == [-100.0, 60.0, 60.0]
    assert flows["cumulative_net"].tolist() == [-100.0, -40.0, 20.0]
    assert np.allclose(flows["present_value"], flows["net"] * flows["discount_factor"])
    assert math.isclose(flows["present_value"].sum(), npv([-100.0, 60.0, 60.0]))
    calendar = option_cash_flows(first_year=2027, horizon_years=1, one_off_by_year={}, savings_by_year={},
                                 first_month=1)
    assert calendar["label"].tolist() == ["2027"]


def test_option_cash_flows_rejects_years_before_first_year():
    with pytest.raises(ParameterError, match=r"The 'savings_by_year' parameter of option_cash_flows .* 2026"):
        option_cash_flows(first_year=2027, one_off_by_year={}, savings_by_year={2026: 1.0})
    with pytest.raises(ParameterError, match="one_off_by_year"):
        option_cash_flows(first_year=2027, one_off_by_year={"2027/28": 1.0}, savings_by_year={})
    with pytest.raises(ParameterError, match="one_off_by_year"):
        option_cash_flows(first_year=2027, one_off_by_year={2027: float("nan")}, savings_by_year={})


def test_option_cash_flows_accepts_series_and_keeps_inputs():
    savings = pd.Series({2027: 1.0, 2028: 2.0})
    costs = {2027: 5.0}
    flows = option_cash_flows(first_year=2027, horizon_years=2, one_off_by_year=costs, savings_by_year=savings)
    assert flows["net"].tolist() == [-4.0, 2.0]
    assert costs == {2027: 5.0} and savings.tolist() == [1.0, 2.0]


def test_appraise_flows_switching_values_flip_the_npv():
    flows = option_cash_flows(first_year=2027, horizon_years=6, one_off_by_year={2027: 500.0, 2028: 100.0},
                              savings_by_year={y: 200.0 for y in range(2027, 2033)})
    result = appraise_flows(flows)
    assert isinstance(result, Appraisal)
    fallen = flows.assign(savings=flows["savings"] * (1 - result.switching_value_savings))
    risen = flows.assign(costs=flows["costs"] * (1 + result.switching_value_costs))
    assert abs(appraise_flows(fallen).npv) < 1e-9
    assert abs(appraise_flows(risen).npv) < 1e-9
    assert result.switching_values == {"savings": result.switching_value_savings,
                                       "costs": result.switching_value_costs}
    frame = result.to_frame()
    assert len(frame) == 1 and frame.loc[0, "npv"] == result.npv


def test_appraise_flows_undefined_switching_values_are_nan():
    flows = option_cash_flows(first_year=2027, horizon_years=2, one_off_by_year={}, savings_by_year={2027: 10.0})
    result = appraise_flows(flows)
    assert math.isnan(result.switching_value_costs) and result.payback_years == 0.0
    nothing = appraise_flows(option_cash_flows(first_year=2027, horizon_years=2, one_off_by_year={},
                                               savings_by_year={}))
    assert math.isnan(nothing.switching_value_savings) and nothing.npv == 0.0


def test_appraisal_is_frozen():
    result = appraise_flows(option_cash_flows(first_year=2027, horizon_years=1, one_off_by_year={},
                                              savings_by_year={}))
    with pytest.raises(AttributeError):
        result.npv = 1.0  # type: ignore[misc]


def test_appraise_flows_rejects_bad_frames():
    with pytest.raises(ParameterError, match="must be a DataFrame with columns"):
        appraise_flows(pd.DataFrame({"t": [0]}))
    flows = option_cash_flows(first_year=2027, horizon_years=3, one_off_by_year={}, savings_by_year={})
    with pytest.raises(ParameterError, match="'t' column is 0, 1"):
        appraise_flows(flows.iloc[::-1])
    with pytest.raises(ParameterError, match="at least one year"):
        appraise_flows(flows.iloc[:0])


# --------------------------------------------------------------------------- #
# Parameter validation: one message form
# --------------------------------------------------------------------------- #


def test_message_form_exact():
    with pytest.raises(ParameterError) as caught:
        npv([1.0], rate=8)
    assert str(caught.value) == "The 'rate' parameter of npv must be a float in [0, 1]. Got 8 instead."
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, EstateError)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: financial_year(date(2027, 1, 1), first_month=13),
         "The 'first_month' parameter of financial_year must be an int in [1, 12]. Got 13 instead."),
        (lambda: financial_year(None), "The 'value' parameter of financial_year must be a date"),
        (lambda: financial_year("31/03/2027"), "The 'value' parameter of financial_year must be a date"),
        (lambda: financial_years(["2027-01-01", "soon"]), "The 'dates' parameter of financial_years"),
        (lambda: fy_label(2027.0), "The 'start_year' parameter of fy_label must be an int in [1, 9998]."),
        (lambda: fy_label(True), "The 'start_year' parameter of fy_label must be an int"),
        (lambda: year_fraction(date(2027, 5, 1), date(2027, 4, 1), 2027),
         "The 'end' parameter of year_fraction must be on or after start (2027-05-01)."),
        (lambda: year_fractions(["2027-05-01"], ["2027-04-01"], 2027), "The 'ends' parameter of year_fractions"),
        (lambda: year_fractions("2027-05-01", None, 2027.5), "The 'fys' parameter of year_fractions"),
        (lambda: discount_factors(0), "The 'horizon_years' parameter of discount_factors must be an int"),
        (lambda: discount_factors(5, long_rate=-0.01),
         "The 'long_rate' parameter of discount_factors must be a float in [0, 1]. Got -0.01 instead."),
        (lambda: npv([], rate=0.035), "The 'net' parameter of npv must be a one-dimensional sequence"),
        (lambda: npv([1.0, float("nan")]), "The 'net' parameter of npv"),
        (lambda: npv([[1.0]]), "The 'net' parameter of npv"),
        (lambda: payback_years(["a"]), "The 'net' parameter of payback_years"),
        (lambda: npv([1.0], rate=float("nan")), "The 'rate' parameter of npv must be a float in [0, 1]."),
        (lambda: npv([1.0], rate="0.035"), "Got '0.035' instead."),
        (lambda: apply_optimism_bias(1.0, 1.0, cost_uplift=-0.1, saving_reduction=0.0),
         "The 'cost_uplift' parameter of apply_optimism_bias must be a float >= 0. Got -0.1 instead."),
        (lambda: apply_optimism_bias(1.0, 1.0, cost_uplift=0.1, saving_reduction=1.5),
         "The 'saving_reduction' parameter of apply_optimism_bias must be a float in [0, 1]."),
        (lambda: apply_optimism_bias(1.0, 1.0, cost_uplift=0.1, saving_reduction=0.1, mitigation=2),
         "The 'mitigation' parameter of apply_optimism_bias must be a float in [0, 1]. Got 2 instead."),
        (lambda: apply_optimism_bias("x", 1.0, cost_uplift=0.1, saving_reduction=0.1),
         "The 'one_off_costs' parameter of apply_optimism_bias"),
        (lambda: option_cash_flows(first_year=2027, one_off_by_year=[1.0], savings_by_year={}),
         "The 'one_off_by_year' parameter of option_cash_flows must be a mapping"),
        (lambda: annual_saving_profile(1.0, start=None, first_year=2027),
         "The 'start' parameter of annual_saving_profile must be a date"),
    ],
)
def test_parameter_errors(call, message):
    with pytest.raises(ParameterError) as caught:
        call()
    assert str(caught.value).startswith(message) or message in str(caught.value)
    assert str(caught.value).startswith("The '")


# --------------------------------------------------------------------------- #
# The hand-worked examples of docs/appraisal.md
# --------------------------------------------------------------------------- #


def _doc() -> str:
    return DOC.read_text(encoding="utf-8")


def test_example_a():
    flows = option_cash_flows(first_year=2027, horizon_years=10, rate=0.035,
                              one_off_by_year={2027: 100_000},
                              savings_by_year={y: 40_000 for y in range(2028, 2037)})
    result = appraise_flows(flows)
    assert flows["label"].tolist()[0] == "2027/28" and flows["label"].tolist()[-1] == "2036/37"
    assert flows["discount_factor"].round(9).tolist() == [
        1.0, 0.966183575, 0.933510700, 0.901942706, 0.871442228,
        0.841973167, 0.813500644, 0.785990961, 0.759411556, 0.733730972,
    ]
    assert flows["present_value"].round(2).tolist() == [
        -100_000.00, 38_647.34, 37_340.43, 36_077.71, 34_857.69,
        33_678.93, 32_540.03, 31_439.64, 30_376.46, 29_349.24,
    ]
    assert flows["present_value"].cumsum().round(2).tolist() == [
        -100_000.00, -61_352.66, -24_012.23, 12_065.48, 46_923.17,
        80_602.10, 113_142.12, 144_581.76, 174_958.22, 204_307.46,
    ]
    assert flows["cumulative_net"].tolist() == [
        -100_000, -60_000, -20_000, 20_000, 60_000, 100_000, 140_000, 180_000, 220_000, 260_000,
    ]
    assert round(float(flows["discount_factor"][1:].sum()), 9) == 7.607686509
    assert round(result.pv_savings, 2) == 304_307.46
    assert result.pv_costs == 100_000.0
    assert round(result.npv, 2) == 204_307.46
    assert round(float(flows["present_value"].round(2).sum()), 2) == 204_307.47  # the penny of rounding
    # Excel's NPV() discounts its first argument: the workbook's "first + NPV(rate, rest)".
    assert round(-100_000 + float(npf.npv(0.035, [0.0] + [40_000.0] * 9)), 2) == 204_307.46
    assert result.payback_years == 3.5
    assert round(result.discounted_payback_years, 4) == 3.6656
    assert result.total_savings == 360_000.0 and result.total_costs == 100_000.0
    assert round(result.switching_value_savings, 4) == 0.6714
    assert round(result.switching_value_costs, 4) == 2.0431
    doc = _doc()
    for figure in ("204,307.46", "304,307.46", "7.607686509", "3.5 years", "3.6656", "0.6714", "2.0431",
                   "204,307.47"):
        assert figure in doc, figure


def _example_b(start: date, one_off: float):
    saving = annual_saving_profile(60_000, start=start, first_year=2027, horizon_years=5)
    costs, savings = apply_optimism_bias({2027: one_off}, saving, cost_uplift=0.4, saving_reduction=0.2,
                                         mitigation=0.25)
    flows = option_cash_flows(first_year=2027, horizon_years=5, rate=0.035, one_off_by_year=costs,
                              savings_by_year=dict(zip(range(2027, 2032), savings.tolist())))
    return saving, costs, savings, flows, appraise_flows(flows)


def test_example_b_pro_rating():
    assert (fy_end(2027) - fy_start(2027)).days + 1 == 366
    assert (fy_end(2027) - date(2027, 10, 1)).days + 1 == 183
    # The contract ends on 30 September 2027 (paid to the end of that day): saving from 1 October.
    assert year_fraction(date(2027, 9, 30) + timedelta(days=1), None, 2027) == 183 / 366 == 0.5


def test_example_b_wait_for_contract_end():
    saving, costs, savings, flows, result = _example_b(date(2027, 10, 1), 50_000.0)
    assert saving.tolist() == [30_000.0, 60_000.0, 60_000.0, 60_000.0, 60_000.0]
    assert costs == {2027: 65_000.0}
    assert savings.tolist() == [25_500.0, 51_000.0, 51_000.0, 51_000.0, 51_000.0]
    assert flows["net"].tolist() == [-39_500.0, 51_000.0, 51_000.0, 51_000.0, 51_000.0]
    assert flows["cumulative_net"].tolist() == [-39_500.0, 11_500.0, 62_500.0, 113_500.0, 164_500.0]
    assert flows["present_value"].round(2).tolist() == [-39_500.00, 49_275.36, 47_609.05, 45_999.08, 44_443.55]
    assert flows["present_value"].cumsum().round(2).tolist() == [
        -39_500.00, 9_775.36, 57_384.41, 103_383.49, 147_827.04]
    assert round(float(flows["discount_factor"][1:].sum()), 9) == 3.673079209
    assert round(result.pv_savings, 2) == 212_827.04 and result.pv_costs == 65_000.0
    assert round(result.npv, 2) == 147_827.04
    assert result.total_savings == 229_500.0 and result.total_costs == 65_000.0
    assert result.payback_years == 1 + 39_500 / 51_000
    assert round(result.payback_years, 4) == 1.7745
    assert round(result.discounted_payback_years, 4) == 1.8016
    assert round(result.switching_value_savings, 4) == 0.6946
    assert round(result.switching_value_costs, 4) == 2.2743


def test_example_b_exit_early():
    saving, costs, savings, flows, result = _example_b(date(2027, 4, 1), 50_000.0 + 30_000.0)
    assert saving.tolist() == [60_000.0] * 5
    assert costs == {2027: 104_000.0}
    assert savings.tolist() == [51_000.0] * 5
    assert flows["cumulative_net"].tolist() == [-53_000.0, -2_000.0, 49_000.0, 100_000.0, 151_000.0]
    assert flows["present_value"].cumsum().round(2).tolist() == [
        -53_000.00, -3_724.64, 43_884.41, 89_883.49, 134_327.04]
    assert round(result.pv_savings, 2) == 238_327.04 and result.pv_costs == 104_000.0
    assert round(result.npv, 2) == 134_327.04
    assert result.total_savings == 255_000.0 and result.total_costs == 104_000.0
    assert round(result.payback_years, 4) == 2.0392
    assert round(result.discounted_payback_years, 4) == 2.0782
    assert round(result.switching_value_savings, 4) == 0.5636
    assert round(result.switching_value_costs, 4) == 1.2916


def test_example_b_choice_and_doc():
    wait = _example_b(date(2027, 10, 1), 50_000.0)[-1]
    early = _example_b(date(2027, 4, 1), 80_000.0)[-1]
    assert round(wait.npv - early.npv, 2) == 13_500.00 == 39_000 - 25_500
    doc = _doc()
    for figure in ("183 / 366 = 0.5", "147,827.04", "134,327.04", "212,827.04", "238,327.04", "3.673079209",
                   "1.7745", "2.0392", "1.8016", "2.0782", "0.6946", "2.2743", "0.5636", "1.2916", "13,500"):
        assert figure in doc, figure


def test_doc_payback_illustration():
    # docs/appraisal.md: "-100, 60, 60, -50, 60 ... pays back at 4 + 30/60 = 4.5, not at 2.67".
    assert payback_years([-100.0, 60.0, 60.0, -50.0, 60.0]) == 4.5
    assert "4 + 30/60 = 4.5" in _doc()


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 5).flatmap(lambda n: st.integers(1, 7).flatmap(lambda h: st.lists(
    st.lists(st.sampled_from([-100.0, -50.0, -1e-9, -0.0, 0.0, 1e-9, 25.0, 30.0, 60.0, 100.0]), min_size=h, max_size=h),
    min_size=n, max_size=n))))
def test_payback_years_by_row_is_payback_years_of_each_row(rows):
    expected = [payback_years(row) for row in rows]
    got = payback_years_by_row(np.array(rows, dtype=float).reshape(len(rows), -1 if rows else 1))
    np.testing.assert_array_equal(got, np.array(expected, dtype=float))


@given(st.lists(st.lists(amounts, min_size=6, max_size=6), min_size=1, max_size=8))
def test_payback_years_by_row_on_any_flows(rows):
    got = payback_years_by_row(np.array(rows, dtype=float))
    np.testing.assert_array_equal(got, np.array([payback_years(row) for row in rows], dtype=float))
