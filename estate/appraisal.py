"""Money and time: financial years, discounting, NPV, payback and optimism bias.

This module is the arithmetic every figure in a plan rests on. Options, the
portfolio and the workbook all call it, and the workbook rebuilds each figure
with plain Excel formulas, so every rule here is one a spreadsheet can state
in a cell (the formulas are given in each function's Notes and in
``docs/appraisal.md``).

Conventions
-----------
Financial years
    A financial year (FY) starts on the first day of ``first_month`` (April,
    ``4``, by default) and is named by the calendar year it starts in: the FY
    from 1 April 2027 to 31 March 2028 is ``2027``, labelled ``"2027/28"``.
    With ``first_month=1`` financial years are calendar years, labelled
    ``"2027"``.
Appraisal years
    An appraisal of ``horizon_years`` = H years runs over the financial years
    ``first_year``, ..., ``first_year + H - 1``, numbered t = 0, ..., H - 1.
    Year 0 is the first year and is **not** discounted.
Discounting
    DF_t = 1 / (1 + r)^t and NPV = sum over t = 0..H-1 of (savings_t - costs_t)
    x DF_t, with r = 3.5% a year by default (HM Treasury Green Book). Excel's
    ``NPV()`` discounts its first value, so the workbook writes
    ``=net_0 + NPV(rate, net_1:net_H-1)`` or ``=SUMPRODUCT(net, DF)``.
Money
    Real prices in the plan's one currency. Savings and costs are positive
    amounts; net = savings - costs. Rates and optimism bias are fractions
    (``0.035``, ``0.4``), never percentages.
Payback
    Undiscounted, in years from the start of year 0, with flows accruing
    evenly through each year: the earliest time from which the cumulative net
    cash flow never falls below zero again. See :func:`payback_years`.
Pro-rating
    A part year counts by days: the fraction of FY y covered by ``[start,
    end)`` is the number of days of the interval inside the FY over the FY's
    days (365, or 366 when it holds a 29 February). See :func:`year_fraction`.

Examples
--------
>>> from datetime import date
>>> financial_year(date(2027, 5, 15)), fy_label(2027)
(2027, '2027/28')
>>> round(npv([-100.0, 60.0, 60.0], rate=0.035), 2)
13.98
>>> round(payback_years([-100.0, 60.0, 60.0]), 4)
2.6667
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from numbers import Integral, Real
from typing import Any, TypeAlias, TypeVar

import numpy as np
import pandas as pd

from estate.errors import ParameterError

__all__ = [
    "Appraisal",
    "CASH_FLOW_COLUMNS",
    "DISCOUNT_RATE",
    "HORIZON_YEARS",
    "LONG_DISCOUNT_RATE",
    "OPTIMISM_BIAS_EQUIPMENT_DEVELOPMENT_CAPEX",
    "OPTIMISM_BIAS_EQUIPMENT_DEVELOPMENT_DURATION",
    "OPTIMISM_BIAS_OUTSOURCING",
    "OPTIMISM_BIAS_SOURCE",
    "OPTIMISM_BIAS_STANDARD_BUILDINGS_CAPEX",
    "OPTIMISM_BIAS_STANDARD_BUILDINGS_DURATION",
    "SWITCH_YEAR",
    "annual_saving_profile",
    "apply_optimism_bias",
    "appraise_flows",
    "discount_factors",
    "discounted_payback_years",
    "financial_year",
    "financial_years",
    "fy_end",
    "fy_label",
    "fy_start",
    "npv",
    "option_cash_flows",
    "payback_years",
    "payback_years_by_row",
    "year_fraction",
    "year_fractions",
]

DateLike: TypeAlias = "date | datetime | pd.Timestamp | np.datetime64 | str"
"""A calendar day: ``datetime.date``, ``datetime.datetime``, ``pandas.Timestamp``,
``numpy.datetime64`` or an ISO ``"YYYY-MM-DD"`` string (times of day are dropped)."""

DISCOUNT_RATE = 0.035
"""Green Book social time preference rate for years 0-30: 3.5% a year (real)."""

LONG_DISCOUNT_RATE = 0.03
"""Green Book social time preference rate for years 31-75: 3.0% a year (real)."""

SWITCH_YEAR = 30
"""Last year discounted at :data:`DISCOUNT_RATE` in the Green Book schedule."""

HORIZON_YEARS = 10
"""Default appraisal period in years (the Green Book's working assumption)."""

OPTIMISM_BIAS_SOURCE = (
    "HM Treasury, The Green Book supplementary guidance: optimism bias (2013), "
    "table of upper bounds, from Mott MacDonald, Review of Large Public "
    "Procurement in the UK (2002)"
)
"""Where the optimism bias reference values come from."""

OPTIMISM_BIAS_EQUIPMENT_DEVELOPMENT_CAPEX = 2.00
"""Upper bound of optimism bias for equipment/development projects, capital
expenditure: 200%. Source: :data:`OPTIMISM_BIAS_SOURCE`."""

OPTIMISM_BIAS_EQUIPMENT_DEVELOPMENT_DURATION = 0.54
"""Upper bound of optimism bias for equipment/development projects, works
duration: 54%. Source: :data:`OPTIMISM_BIAS_SOURCE`."""

OPTIMISM_BIAS_OUTSOURCING = 0.41
"""Upper bound of optimism bias for outsourcing projects, capital and operating
expenditure: 41%. Source: :data:`OPTIMISM_BIAS_SOURCE`."""

OPTIMISM_BIAS_STANDARD_BUILDINGS_CAPEX = 0.24
"""Upper bound of optimism bias for standard buildings, capital expenditure:
24%. Source: :data:`OPTIMISM_BIAS_SOURCE`."""

OPTIMISM_BIAS_STANDARD_BUILDINGS_DURATION = 0.04
"""Upper bound of optimism bias for standard buildings, works duration: 4%.
Source: :data:`OPTIMISM_BIAS_SOURCE`."""

CASH_FLOW_COLUMNS = (
    "year",
    "label",
    "t",
    "savings",
    "costs",
    "net",
    "discount_factor",
    "present_value",
    "cumulative_net",
)
"""Columns of the frame :func:`option_cash_flows` returns, in order."""

_MIN_YEAR = 1
_MAX_YEAR = 9998  # the FY after it must still start on a valid date
_MAX_HORIZON = 1000

_T = TypeVar("_T")


# --------------------------------------------------------------------------- #
# Parameter validation: one message form for every parameter.
# --------------------------------------------------------------------------- #


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _fail(name: str, func: str, requirement: str, value: object) -> ParameterError:
    return ParameterError(f"The {name!r} parameter of {func} must be {requirement}. Got {_shown(value)} instead.")


def _is_int(value: object) -> bool:
    return isinstance(value, Integral) and not isinstance(value, (bool, np.bool_))


def _check_int(value: object, name: str, func: str, *, low: int, high: int) -> int:
    if not _is_int(value) or not low <= int(value) <= high:  # type: ignore[call-overload]
        raise _fail(name, func, f"an int in [{low}, {high}]", value)
    return int(value)  # type: ignore[call-overload]


def _check_float(
    value: object, name: str, func: str, *, low: float = 0.0, high: float | None = None
) -> float:
    requirement = f"a float in [{low:g}, {high:g}]" if high is not None else f"a float >= {low:g}"
    if not isinstance(value, Real) or isinstance(value, (bool, np.bool_)):
        raise _fail(name, func, requirement, value)
    number = float(value)
    if not math.isfinite(number) or number < low or (high is not None and number > high):
        raise _fail(name, func, requirement, value)
    return number


def _check_amount(value: object, name: str, func: str) -> float:
    if not isinstance(value, Real) or isinstance(value, (bool, np.bool_)) or not math.isfinite(float(value)):
        raise _fail(name, func, "a finite amount", value)
    return float(value)


def _check_month(value: object, func: str) -> int:
    return _check_int(value, "first_month", func, low=1, high=12)


def _check_year(value: object, name: str, func: str) -> int:
    return _check_int(value, name, func, low=_MIN_YEAR, high=_MAX_YEAR)


def _check_flows(values: object, name: str, func: str) -> np.ndarray:
    requirement = "a one-dimensional sequence of finite floats with at least one value"
    try:
        array = np.array(values, dtype=float)  # a copy: the input is never touched
    except (TypeError, ValueError):
        raise _fail(name, func, requirement, values) from None
    if array.ndim != 1 or array.size == 0 or not np.isfinite(array).all():
        raise _fail(name, func, requirement, values)
    return array


def _check_rates(
    func: str, rate: object, long_rate: object, switch_year: object
) -> tuple[float, float | None, int]:
    checked_rate = _check_float(rate, "rate", func, low=0.0, high=1.0)
    checked_long = None if long_rate is None else _check_float(long_rate, "long_rate", func, low=0.0, high=1.0)
    checked_switch = _check_int(switch_year, "switch_year", func, low=0, high=_MAX_HORIZON)
    return checked_rate, checked_long, checked_switch


# --------------------------------------------------------------------------- #
# Dates
# --------------------------------------------------------------------------- #

_DATE_REQUIREMENT = "a date (datetime.date, pandas.Timestamp, numpy.datetime64 or an ISO 'YYYY-MM-DD' string)"


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, np.datetime64) and bool(np.isnat(value))


def _to_date(value: object, name: str, func: str, *, allow_missing: bool = False) -> date | None:
    if _is_missing(value):
        if allow_missing:
            return None
        raise _fail(name, func, _DATE_REQUIREMENT, value)
    if isinstance(value, datetime):  # pandas.Timestamp included
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value).date()
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _fail(name, func, _DATE_REQUIREMENT, value)


def _to_days(values: object, name: str, func: str) -> np.ndarray:
    """Any date or array of dates as ``datetime64[D]`` (missing values as NaT)."""
    if values is None:
        return np.array("NaT", dtype="datetime64[D]")
    if isinstance(values, (pd.Series, pd.Index)):
        values = values.to_numpy()
    array = np.asarray(values)
    if array.dtype.kind == "M":
        return array.astype("datetime64[D]")
    if array.dtype.kind in "OUSf":
        days = [_to_date(item, name, func, allow_missing=True) for item in array.ravel().tolist()]
        out = np.array(
            [np.datetime64("NaT", "D") if day is None else np.datetime64(day, "D") for day in days],
            dtype="datetime64[D]",
        )
        return out.reshape(array.shape)
    raise _fail(name, func, "a date or an array of dates", values)


def _fy_start_days(years: np.ndarray, first_month: int) -> np.ndarray:
    months = (years.astype(np.int64) - 1970) * 12 + (first_month - 1)
    return months.astype("datetime64[M]").astype("datetime64[D]")


def financial_year(value: DateLike, *, first_month: int = 4) -> int:
    """The financial year a day falls in, named by the calendar year it starts in.

    Parameters
    ----------
    value : date-like
        The day: ``datetime.date``, ``datetime.datetime``, ``pandas.Timestamp``,
        ``numpy.datetime64`` or an ISO ``"YYYY-MM-DD"`` string.
    first_month : int, default=4
        The month financial years start in (1 to 12); April by default.

    Returns
    -------
    int
        The calendar year in which that financial year starts.

    Raises
    ------
    ParameterError
        If ``value`` is missing or not a date, or ``first_month`` is not 1 to 12.

    See Also
    --------
    financial_years : The same over an array, Series or DatetimeIndex.

    Notes
    -----
    FY = year if month >= first_month else year - 1. In Excel:
    ``=YEAR(d) - (MONTH(d) < first_month)``.

    Examples
    --------
    >>> from datetime import date
    >>> financial_year(date(2027, 5, 15))
    2027
    >>> financial_year(date(2028, 2, 15))
    2027
    >>> financial_year("2028-02-15", first_month=1)
    2028
    """
    month = _check_month(first_month, "financial_year")
    day = _to_date(value, "value", "financial_year")
    assert day is not None
    return day.year if day.month >= month else day.year - 1


def financial_years(dates: Any, *, first_month: int = 4) -> np.ndarray:
    """The financial year of each of many days, vectorised.

    Parameters
    ----------
    dates : array-like of date-like, pandas.Series or pandas.DatetimeIndex
        The days. Missing values (``NaT``, ``None``, ``NaN``) are allowed.
    first_month : int, default=4
        The month financial years start in (1 to 12).

    Returns
    -------
    numpy.ndarray of int64
        The same shape as ``dates``: the calendar year in which each day's
        financial year starts, and **-1 where the day is missing** (no
        financial year starts in year -1, so ``result >= 0`` is the mask of
        known years).

    Raises
    ------
    ParameterError
        If an element is neither a date nor missing, or ``first_month`` is
        not 1 to 12.

    See Also
    --------
    financial_year : One day.

    Examples
    --------
    >>> import pandas as pd
    >>> financial_years(pd.to_datetime(["2027-05-15", "2028-02-15", None]))
    array([2027, 2027,   -1])
    """
    month = _check_month(first_month, "financial_years")
    days = _to_days(dates, "dates", "financial_years")
    missing = np.isnat(days)
    months = np.where(missing, np.datetime64(0, "D"), days).astype("datetime64[M]").astype(np.int64)
    year = months // 12 + 1970
    fy = np.where(months % 12 + 1 >= month, year, year - 1)
    return np.where(missing, -1, fy).astype(np.int64)


def fy_label(start_year: int, *, first_month: int = 4) -> str:
    """The label of a financial year, such as ``"2027/28"``.

    Parameters
    ----------
    start_year : int
        The calendar year in which the financial year starts.
    first_month : int, default=4
        The month financial years start in. With ``1`` (calendar years) the
        label is the year alone.

    Returns
    -------
    str
        ``"YYYY/yy"``: the start year and the last two digits of the next.

    Examples
    --------
    >>> fy_label(2027)
    '2027/28'
    >>> fy_label(2099)
    '2099/00'
    >>> fy_label(2027, first_month=1)
    '2027'
    """
    year = _check_year(start_year, "start_year", "fy_label")
    month = _check_month(first_month, "fy_label")
    if month == 1:
        return f"{year}"
    return f"{year}/{(year + 1) % 100:02d}"


def fy_start(start_year: int, *, first_month: int = 4) -> date:
    """The first day of a financial year.

    Parameters
    ----------
    start_year : int
        The calendar year in which the financial year starts.
    first_month : int, default=4
        The month financial years start in.

    Returns
    -------
    datetime.date

    Examples
    --------
    >>> fy_start(2027)
    datetime.date(2027, 4, 1)
    """
    year = _check_year(start_year, "start_year", "fy_start")
    return date(year, _check_month(first_month, "fy_start"), 1)


def fy_end(start_year: int, *, first_month: int = 4) -> date:
    """The last day of a financial year (inclusive).

    Parameters
    ----------
    start_year : int
        The calendar year in which the financial year starts.
    first_month : int, default=4
        The month financial years start in.

    Returns
    -------
    datetime.date
        The day before the next financial year starts.

    Examples
    --------
    >>> fy_end(2027)
    datetime.date(2028, 3, 31)
    >>> fy_end(2027, first_month=1)
    datetime.date(2027, 12, 31)
    """
    year = _check_year(start_year, "start_year", "fy_end")
    month = _check_month(first_month, "fy_end")
    return date(year + 1, month, 1) - timedelta(days=1)


def year_fraction(start: DateLike, end: DateLike | None, fy: int, *, first_month: int = 4) -> float:
    """The fraction of financial year ``fy`` covered by the days ``[start, end)``.

    Used to pro-rate a part year: a saving that starts on 1 October 2027 earns
    ``year_fraction(date(2027, 10, 1), None, 2027)`` of a year's saving in
    2027/28.

    Parameters
    ----------
    start : date-like
        First day of the interval (included).
    end : date-like or None
        Day after the last day of the interval (excluded); ``None`` for an
        interval with no end.
    fy : int
        The financial year, by the calendar year it starts in.
    first_month : int, default=4
        The month financial years start in.

    Returns
    -------
    float
        In [0, 1].

    Raises
    ------
    ParameterError
        If a date is not a date, ``end`` is before ``start``, or ``fy`` or
        ``first_month`` is out of range.

    See Also
    --------
    year_fractions : The same over arrays.

    Notes
    -----
    With S = first day of the FY and E = first day of the next FY,

        fraction = max(0, min(end, E) - max(start, S)) / (E - S)

    counted in days; E - S is 365, or 366 when the FY holds a 29 February. In
    Excel, with S and E as ``DATE(fy, first_month, 1)`` and
    ``DATE(fy + 1, first_month, 1)``:
    ``=MAX(0, MIN(end, E) - MAX(start, S)) / (E - S)``.

    Examples
    --------
    >>> from datetime import date
    >>> year_fraction(date(2027, 10, 1), None, 2027)  # 183 of 366 days
    0.5
    >>> year_fraction(date(2027, 4, 1), date(2027, 5, 1), 2027)  # 30 of 366 days
    0.08196721311475409
    >>> year_fraction(date(2027, 10, 1), None, 2026)
    0.0
    """
    func = "year_fraction"
    year = _check_year(fy, "fy", func)
    month = _check_month(first_month, func)
    first = _to_date(start, "start", func)
    last = _to_date(end, "end", func, allow_missing=True)
    assert first is not None
    if last is not None and last < first:
        raise _fail("end", func, f"on or after start ({first.isoformat()})", end)
    lower = date(year, month, 1)
    upper = date(year + 1, month, 1)
    finish = upper if last is None else min(last, upper)
    return max(0, (finish - max(first, lower)).days) / (upper - lower).days


def year_fractions(starts: Any, ends: Any, fys: Any, *, first_month: int = 4) -> np.ndarray:
    """The fraction of each financial year covered by each interval, vectorised.

    The arguments broadcast against each other like numpy arrays, so one
    interval can be pro-rated over many years or many intervals over one year.

    Parameters
    ----------
    starts : date-like or array-like of date-like
        First days (included). A missing start gives NaN.
    ends : date-like, array-like of date-like or None
        Days after the last days (excluded). A missing end (``None``,
        ``NaT``) means the interval has no end.
    fys : int or array-like of int
        Financial years, by the calendar year they start in.
    first_month : int, default=4
        The month financial years start in.

    Returns
    -------
    numpy.ndarray of float64
        The broadcast shape; each value in [0, 1] or NaN.

    Raises
    ------
    ParameterError
        If the shapes do not broadcast, an end is before its start, or a year
        or ``first_month`` is out of range.

    See Also
    --------
    year_fraction : One interval and one year, with the formula.

    Examples
    --------
    >>> from datetime import date
    >>> year_fractions(date(2027, 10, 1), None, [2026, 2027, 2028])
    array([0. , 0.5, 1. ])
    """
    func = "year_fractions"
    month = _check_month(first_month, func)
    first = _to_days(starts, "starts", func)
    last = _to_days(ends, "ends", func)
    years = np.asarray(fys)
    if years.dtype.kind not in "iu" or years.size and (years.min() < _MIN_YEAR or years.max() > _MAX_YEAR):
        raise _fail("fys", func, f"an int or array of ints in [{_MIN_YEAR}, {_MAX_YEAR}]", fys)
    try:
        first, last, broadcast = np.broadcast_arrays(first, last, years)
    except ValueError:
        raise _fail("ends", func, "broadcastable with 'starts' and 'fys'", ends) from None
    no_start = np.isnat(first)
    no_end = np.isnat(last)
    if np.any(~no_start & ~no_end & (last < first)):
        raise _fail("ends", func, "on or after the matching starts", ends)
    # Each year's bounds from the years as given (often one row of a horizon), then broadcast.
    lower = np.broadcast_to(_fy_start_days(years, month), broadcast.shape)
    upper = np.broadcast_to(_fy_start_days(years + 1, month), broadcast.shape)
    begin = np.where(no_start, lower, np.maximum(np.where(no_start, lower, first), lower))
    finish = np.where(no_end, upper, np.minimum(np.where(no_end, upper, last), upper))
    days = np.maximum((finish - begin).astype(np.int64), 0)
    fractions = days / (upper - lower).astype(np.int64)
    return np.where(no_start, np.nan, fractions)


# --------------------------------------------------------------------------- #
# Discounting, NPV and payback
# --------------------------------------------------------------------------- #


def _discount_factors(horizon: int, rate: float, long_rate: float | None, switch_year: int) -> np.ndarray:
    t = np.arange(horizon)
    if long_rate is None:
        return 1.0 / (1.0 + rate) ** t
    short_years = np.minimum(t, switch_year)
    long_years = np.maximum(t - switch_year, 0)
    return 1.0 / ((1.0 + rate) ** short_years * (1.0 + long_rate) ** long_years)


def discount_factors(
    horizon_years: int,
    *,
    rate: float = DISCOUNT_RATE,
    long_rate: float | None = None,
    switch_year: int = SWITCH_YEAR,
) -> np.ndarray:
    """The discount factor of each appraisal year t = 0, ..., H - 1.

    Parameters
    ----------
    horizon_years : int
        H, the number of appraisal years (at least 1).
    rate : float, default=0.035
        The discount rate a year, a fraction in [0, 1].
    long_rate : float or None, default=None
        If given, the rate for the years after ``switch_year`` (the Green Book
        uses 0.03, :data:`LONG_DISCOUNT_RATE`, from year 31).
    switch_year : int, default=30
        The last year discounted at ``rate`` when ``long_rate`` is given.

    Returns
    -------
    numpy.ndarray of float64
        H factors; the first is 1 (year 0 is not discounted).

    Raises
    ------
    ParameterError
        If a parameter is out of range.

    Notes
    -----
    DF_t = 1 / (1 + r)^t. With a long rate r_L and switch year s, for t > s:

        DF_t = 1 / ((1 + r)^s x (1 + r_L)^(t - s))

    In Excel: ``=1/(1+rate)^t``, or with the schedule
    ``=1/((1+rate)^MIN(t,s)*(1+long_rate)^MAX(t-s,0))``.

    Examples
    --------
    >>> discount_factors(3).round(6)
    array([1.      , 0.966184, 0.933511])
    >>> df = discount_factors(33, long_rate=0.03)
    >>> bool(abs(df[31] - df[30] / 1.03) < 1e-15)
    True
    """
    func = "discount_factors"
    horizon = _check_int(horizon_years, "horizon_years", func, low=1, high=_MAX_HORIZON)
    checked = _check_rates(func, rate, long_rate, switch_year)
    return _discount_factors(horizon, *checked)


def npv(
    net: Any,
    *,
    rate: float = DISCOUNT_RATE,
    long_rate: float | None = None,
    switch_year: int = SWITCH_YEAR,
) -> float:
    """Net present value of a yearly net cash flow whose first year is undiscounted.

    Parameters
    ----------
    net : array-like of float
        net_t = savings_t - costs_t for t = 0, ..., H - 1.
    rate : float, default=0.035
        The discount rate a year, a fraction in [0, 1].
    long_rate : float or None, default=None
        Rate for the years after ``switch_year``; see :func:`discount_factors`.
    switch_year : int, default=30
        The last year discounted at ``rate`` when ``long_rate`` is given.

    Returns
    -------
    float

    Raises
    ------
    ParameterError
        If ``net`` is empty or not finite numbers, or a rate is out of range.

    Notes
    -----
    NPV = sum over t = 0..H-1 of net_t / (1 + r)^t. Year 0 is not discounted.
    ``numpy_financial.npv(r, net)`` follows the same convention; Excel's
    ``NPV(r, ...)`` does not (it discounts its first value), so in Excel write
    ``=net_0 + NPV(r, net_1:net_H-1)`` or ``=SUMPRODUCT(net, DF)``.

    Examples
    --------
    >>> npv([-100.0, 110.0], rate=0.1)
    0.0
    >>> npv([1.0, 2.0, 3.0], rate=0.0)
    6.0
    """
    func = "npv"
    flows = _check_flows(net, "net", func)
    checked = _check_rates(func, rate, long_rate, switch_year)
    return float(np.sum(flows * _discount_factors(flows.size, *checked)))


def _payback(flows: np.ndarray) -> float:
    cumulative = np.cumsum(flows)
    if cumulative[-1] < 0:
        return math.nan
    before = np.concatenate(([0.0], cumulative[:-1]))
    crossings = np.flatnonzero((before < 0) & (cumulative >= 0))
    if crossings.size == 0:
        return 0.0
    k = int(crossings[-1])
    return float(k + min(1.0, -before[k] / flows[k]))


def payback_years(net: Any) -> float:
    """Undiscounted payback: years from the start of year 0 until the option is in credit for good.

    Parameters
    ----------
    net : array-like of float
        net_t = savings_t - costs_t for t = 0, ..., H - 1.

    Returns
    -------
    float
        In [0, H]; ``0.0`` if the cumulative net cash flow is never negative;
        NaN if it is negative at the end of the horizon (no payback within it).

    Raises
    ------
    ParameterError
        If ``net`` is empty or not finite numbers.

    See Also
    --------
    discounted_payback_years : The same on discounted flows.

    Notes
    -----
    Year t runs from time t to time t + 1 and its flow accrues evenly through
    it. Let C_t = net_0 + ... + net_t be the cumulative at the end of year t,
    with C_-1 = 0. Then:

    * if C_(H-1) < 0, payback is NaN;
    * if C_t >= 0 for every t, payback is 0;
    * otherwise let k be the **last** year whose cumulative crosses from
      negative to non-negative (C_(k-1) < 0 <= C_k), and

          payback = k + (-C_(k-1)) / net_k.

    Taking the last crossing means that from the payback on the option is in
    credit at every year end: payback is the earliest time from which the
    cumulative, interpolated linearly within each year, never falls below
    zero again. In Excel, with a helper column
    ``=IF(AND(C_prev<0, C>=0), t + (-C_prev)/net, "")``, payback is
    ``=IF(C_last<0, NA(), IF(MIN(C)>=0, 0, MAX(helper)))`` (crossings grow with
    t, so the last is the largest).

    Examples
    --------
    >>> payback_years([-100.0, 40.0, 40.0, 40.0])  # cumulative -100, -60, -20, +20
    3.5
    >>> payback_years([-100.0, 60.0, 60.0, -50.0, 60.0])  # -100, -40, 20, -30, 30: the last crossing
    4.5
    >>> payback_years([10.0, 10.0])
    0.0
    >>> payback_years([-100.0, 40.0])
    nan
    """
    return _payback(_check_flows(net, "net", "payback_years"))


def payback_years_by_row(net: Any) -> np.ndarray:
    """:func:`payback_years` of each row of a 2-D array (one option a row, one year a column), at once.

    The same arithmetic as :func:`payback_years` (cumulative sums along each
    row, the last crossing, the same division), so the same floats: for the
    tens of thousands of candidate options of a large estate.

    Examples
    --------
    >>> payback_years_by_row([[-100.0, 40.0, 40.0, 40.0], [10.0, 10.0, 10.0, 10.0], [-100.0, 40.0, 0.0, 0.0]])
    array([3.5, 0. , nan])
    """
    flows = np.asarray(net, dtype=float)
    if flows.ndim != 2 or not flows.shape[1] or not np.isfinite(flows).all():
        return np.array([payback_years(row) for row in flows], dtype=float)  # its checks, and its errors
    cumulative = np.cumsum(flows, axis=1)
    before = np.concatenate([np.zeros((len(flows), 1)), cumulative[:, :-1]], axis=1)
    crossing = (before < 0) & (cumulative >= 0)
    last = flows.shape[1] - 1 - np.argmax(crossing[:, ::-1], axis=1)  # the last crossing (if any)
    rows = np.arange(len(flows))
    with np.errstate(all="ignore"):  # rows without a crossing divide too; their result is not used
        part = np.minimum(1.0, -before[rows, last] / flows[rows, last])
    out = np.where(crossing.any(axis=1), last + part, 0.0)
    return np.where(cumulative[:, -1] < 0, np.nan, out)


def discounted_payback_years(
    net: Any,
    *,
    rate: float = DISCOUNT_RATE,
    long_rate: float | None = None,
    switch_year: int = SWITCH_YEAR,
) -> float:
    """Discounted payback: :func:`payback_years` applied to the present values.

    Parameters
    ----------
    net : array-like of float
        net_t = savings_t - costs_t for t = 0, ..., H - 1.
    rate : float, default=0.035
        The discount rate a year, a fraction in [0, 1].
    long_rate : float or None, default=None
        Rate for the years after ``switch_year``; see :func:`discount_factors`.
    switch_year : int, default=30
        The last year discounted at ``rate`` when ``long_rate`` is given.

    Returns
    -------
    float
        In [0, H], 0.0 or NaN as for :func:`payback_years`.

    Notes
    -----
    With PV_t = net_t x DF_t and D_t = PV_0 + ... + PV_t, the rule of
    :func:`payback_years` with D in place of C: payback = k + (-D_(k-1)) / PV_k.

    Examples
    --------
    >>> round(discounted_payback_years([-100.0, 60.0, 60.0], rate=0.035), 4)
    2.7504
    """
    func = "discounted_payback_years"
    flows = _check_flows(net, "net", func)
    checked = _check_rates(func, rate, long_rate, switch_year)
    return _payback(flows * _discount_factors(flows.size, *checked))


# --------------------------------------------------------------------------- #
# Optimism bias
# --------------------------------------------------------------------------- #


def _scale(values: _T, factor: float, name: str, func: str) -> _T:
    if isinstance(values, (pd.Series, pd.DataFrame)):
        return values * factor  # type: ignore[return-value]
    if isinstance(values, Mapping):
        scaled = {}
        for key, amount in values.items():
            scaled[key] = _check_amount(amount, name, func) * factor
        return scaled  # type: ignore[return-value]
    try:
        array = np.asarray(values, dtype=float) * factor
    except (TypeError, ValueError):
        raise _fail(name, func, "an amount, an array of amounts or a mapping of year to amount", values) from None
    return float(array) if array.ndim == 0 else array  # type: ignore[return-value]


def apply_optimism_bias(
    one_off_costs: Any,
    savings: Any,
    *,
    cost_uplift: float,
    saving_reduction: float,
    mitigation: float = 0.0,
) -> tuple[Any, Any]:
    """Raise one-off costs and reduce savings by stated optimism bias.

    Parameters
    ----------
    one_off_costs : float, array-like, pandas.Series or Mapping
        One-off costs (a mapping is read as year to amount).
    savings : float, array-like, pandas.Series or Mapping
        Savings.
    cost_uplift : float
        Optimism bias on one-off costs, a fraction >= 0 (``0.4`` is 40%).
        Green Book upper bounds are module constants, such as
        :data:`OPTIMISM_BIAS_EQUIPMENT_DEVELOPMENT_CAPEX` (2.00) and
        :data:`OPTIMISM_BIAS_OUTSOURCING` (0.41); the value a plan uses is
        stated on its Assumptions sheet.
    saving_reduction : float
        Optimism bias on savings, a fraction in [0, 1].
    mitigation : float, default=0.0
        The share of the bias removed by evidence and risk management, in
        [0, 1]; it applies to both.

    Returns
    -------
    costs, savings
        Each the same kind as given (float for a number, numpy array for a
        sequence, Series for a Series, dict for a mapping), scaled; the inputs
        are not changed.

    Raises
    ------
    ParameterError
        If a bias or the mitigation is out of range, or an amount is not a number.

    Notes
    -----
    costs' = costs x (1 + cost_uplift x (1 - mitigation))

    savings' = savings x (1 - saving_reduction x (1 - mitigation))

    Examples
    --------
    >>> apply_optimism_bias(100_000.0, 40_000.0, cost_uplift=0.4,
    ...                     saving_reduction=0.2, mitigation=0.25)
    (130000.0, 34000.0)
    >>> apply_optimism_bias({2027: 50_000.0}, [60_000.0, 60_000.0],
    ...                     cost_uplift=0.4, saving_reduction=0.2, mitigation=0.25)
    ({2027: 65000.0}, array([51000., 51000.]))
    """
    func = "apply_optimism_bias"
    uplift = _check_float(cost_uplift, "cost_uplift", func, low=0.0)
    reduction = _check_float(saving_reduction, "saving_reduction", func, low=0.0, high=1.0)
    mitigated = _check_float(mitigation, "mitigation", func, low=0.0, high=1.0)
    cost_factor = 1.0 + uplift * (1.0 - mitigated)
    saving_factor = 1.0 - reduction * (1.0 - mitigated)
    return (
        _scale(one_off_costs, cost_factor, "one_off_costs", func),
        _scale(savings, saving_factor, "savings", func),
    )


# --------------------------------------------------------------------------- #
# One option's cash flows and appraisal
# --------------------------------------------------------------------------- #


def annual_saving_profile(
    annual_saving: float,
    *,
    start: DateLike,
    first_year: int,
    horizon_years: int = HORIZON_YEARS,
    first_month: int = 4,
) -> np.ndarray:
    """The saving in each appraisal year from a yearly saving that starts on a day.

    Parameters
    ----------
    annual_saving : float
        The saving in a full year (negative for an extra cost).
    start : date-like
        The first day the saving is earned, such as the day after a contract
        ends.
    first_year : int
        The financial year of appraisal year 0.
    horizon_years : int, default=10
        H, the number of appraisal years.
    first_month : int, default=4
        The month financial years start in.

    Returns
    -------
    numpy.ndarray of float64
        H amounts: 0 in years before ``start``, pro-rated by days in the year
        ``start`` falls in, the full ``annual_saving`` afterwards.

    Notes
    -----
    saving_t = annual_saving x year_fraction(start, no end, first_year + t).
    A ``start`` before year 0 gives the full saving in every year.

    Examples
    --------
    >>> from datetime import date
    >>> annual_saving_profile(60_000.0, start=date(2027, 10, 1),
    ...                       first_year=2027, horizon_years=3)
    array([30000., 60000., 60000.])
    """
    func = "annual_saving_profile"
    amount = _check_amount(annual_saving, "annual_saving", func)
    year = _check_year(first_year, "first_year", func)
    horizon = _check_int(horizon_years, "horizon_years", func, low=1, high=_MAX_HORIZON)
    month = _check_month(first_month, func)
    day = _to_date(start, "start", func)
    years = year + np.arange(horizon)
    if years[-1] > _MAX_YEAR:
        raise _fail("horizon_years", func, f"such that the last year is at most {_MAX_YEAR}", horizon_years)
    return amount * year_fractions(np.datetime64(day, "D"), None, years, first_month=month)


def _by_year(amounts: object, name: str, func: str, first_year: int, horizon: int) -> np.ndarray:
    if isinstance(amounts, pd.Series):
        items = list(amounts.items())
    elif isinstance(amounts, Mapping):
        items = list(amounts.items())
    else:
        raise _fail(name, func, "a mapping of financial year (int) to amount", amounts)
    out = np.zeros(horizon)
    for year, amount in items:
        if not _is_int(year):
            raise _fail(name, func, "a mapping whose keys are financial years (int)", year)
        if year < first_year:
            raise _fail(
                name, func, f"a mapping with no year before first_year {first_year} ({fy_label(first_year)})", year
            )
        number = _check_amount(amount, f"{name}[{year}]", func)
        if year < first_year + horizon:  # years beyond the horizon are outside the appraisal
            out[int(year) - first_year] += number
    return out


def option_cash_flows(
    *,
    first_year: int,
    horizon_years: int = HORIZON_YEARS,
    rate: float = DISCOUNT_RATE,
    one_off_by_year: Mapping[int, float],
    savings_by_year: Mapping[int, float],
    first_month: int = 4,
    long_rate: float | None = None,
    switch_year: int = SWITCH_YEAR,
) -> pd.DataFrame:
    """The yearly cash flows of one option over the appraisal period.

    Parameters
    ----------
    first_year : int
        The financial year of appraisal year 0 (by the calendar year it starts).
    horizon_years : int, default=10
        H, the number of appraisal years.
    rate : float, default=0.035
        The discount rate a year.
    one_off_by_year : Mapping[int, float] or pandas.Series
        One-off costs by financial year (positive amounts).
    savings_by_year : Mapping[int, float] or pandas.Series
        Savings by financial year (negative for an extra running cost).
    first_month : int, default=4
        The month financial years start in (used for the labels).
    long_rate : float or None, default=None
        Rate for the years after ``switch_year``; see :func:`discount_factors`.
    switch_year : int, default=30
        The last year discounted at ``rate`` when ``long_rate`` is given.

    Returns
    -------
    pandas.DataFrame
        One row an appraisal year, with the columns of
        :data:`CASH_FLOW_COLUMNS`: ``year`` (FY start year), ``label``
        (``"2027/28"``), ``t``, ``savings``, ``costs``, ``net``,
        ``discount_factor``, ``present_value`` and ``cumulative_net``.

    Raises
    ------
    ParameterError
        If an amount falls in a year before ``first_year``, a key is not a
        year, an amount is not a finite number, or a parameter is out of range.
        Amounts in years after the horizon are ignored.

    Notes
    -----
    net_t = savings_t - costs_t; present_value_t = net_t x DF_t;
    cumulative_net_t = net_0 + ... + net_t. The sum of ``present_value`` is the
    NPV.

    Examples
    --------
    >>> flows = option_cash_flows(first_year=2027, horizon_years=3,
    ...                           one_off_by_year={2027: 100.0},
    ...                           savings_by_year={2028: 60.0, 2029: 60.0, 2031: 60.0})
    >>> flows[["label", "net", "cumulative_net"]]
         label    net  cumulative_net
    0  2027/28 -100.0          -100.0
    1  2028/29   60.0           -40.0
    2  2029/30   60.0            20.0
    """
    func = "option_cash_flows"
    year = _check_year(first_year, "first_year", func)
    horizon = _check_int(horizon_years, "horizon_years", func, low=1, high=_MAX_HORIZON)
    month = _check_month(first_month, func)
    checked = _check_rates(func, rate, long_rate, switch_year)
    costs = _by_year(one_off_by_year, "one_off_by_year", func, year, horizon)
    savings = _by_year(savings_by_year, "savings_by_year", func, year, horizon)
    t = np.arange(horizon, dtype=np.int64)
    years = year + t
    factors = _discount_factors(horizon, *checked)
    net = savings - costs
    return pd.DataFrame(
        {
            "year": years,
            "label": [fy_label(int(y), first_month=month) if y <= _MAX_YEAR else str(y) for y in years],
            "t": t,
            "savings": savings,
            "costs": costs,
            "net": net,
            "discount_factor": factors,
            "present_value": net * factors,
            "cumulative_net": np.cumsum(net),
        },
        columns=list(CASH_FLOW_COLUMNS),
    )


@dataclass(frozen=True)
class Appraisal:
    """The Green Book measures of one option's cash flows.

    Attributes
    ----------
    npv : float
        Net present value: sum of (savings_t - costs_t) x DF_t.
    payback_years : float
        Undiscounted payback from the start of year 0 (see
        :func:`payback_years`); NaN if never within the horizon.
    discounted_payback_years : float
        The same on present values.
    total_savings, total_costs : float
        Undiscounted sums over the horizon.
    pv_savings, pv_costs : float
        Present values: sum of savings_t x DF_t, sum of costs_t x DF_t.
    switching_value_savings : float
        The fall in savings, as a fraction, that brings the NPV to zero:
        npv / pv_savings (negative when savings must rise; NaN when
        pv_savings is 0).
    switching_value_costs : float
        The rise in costs, as a fraction, that brings the NPV to zero:
        npv / pv_costs (negative when costs must fall; NaN when pv_costs is 0).
    """

    npv: float
    payback_years: float
    discounted_payback_years: float
    total_savings: float
    total_costs: float
    pv_savings: float
    pv_costs: float
    switching_value_savings: float
    switching_value_costs: float

    @property
    def switching_values(self) -> dict[str, float]:
        """Both switching values: ``{"savings": fall, "costs": rise}``, as fractions."""
        return {"savings": self.switching_value_savings, "costs": self.switching_value_costs}

    def to_frame(self) -> pd.DataFrame:
        """The measures as a one-row DataFrame, one column a measure.

        Examples
        --------
        >>> flows = option_cash_flows(first_year=2027, horizon_years=2,
        ...                           one_off_by_year={2027: 100.0}, savings_by_year={2028: 207.0})
        >>> appraise_flows(flows).to_frame()[["npv", "payback_years"]]
             npv  payback_years
        0  100.0       1.483092
        """
        return pd.DataFrame([asdict(self)])


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator != 0 else math.nan


def appraise_flows(flows: pd.DataFrame) -> Appraisal:
    """NPV, paybacks, totals and switching values of one option's cash flows.

    Parameters
    ----------
    flows : pandas.DataFrame
        As :func:`option_cash_flows` returns: one row an appraisal year, with
        at least the columns ``t`` (0, 1, ..., H - 1 in order), ``savings``,
        ``costs`` and ``discount_factor``. ``net``, ``present_value`` and
        ``cumulative_net`` are recomputed from these, not read.

    Returns
    -------
    Appraisal

    Raises
    ------
    ParameterError
        If a column is missing, ``t`` is not 0, 1, ..., H - 1, or a value is
        not a finite number.

    Notes
    -----
    npv = sum (savings_t - costs_t) x DF_t; pv_savings = sum savings_t x DF_t;
    pv_costs = sum costs_t x DF_t; switching values npv / pv_savings and
    npv / pv_costs.

    Examples
    --------
    >>> flows = option_cash_flows(first_year=2027, horizon_years=3,
    ...                           one_off_by_year={2027: 100.0},
    ...                           savings_by_year={2028: 60.0, 2029: 60.0})
    >>> result = appraise_flows(flows)
    >>> round(result.npv, 2), round(result.payback_years, 4)
    (13.98, 2.6667)
    >>> round(result.switching_values["savings"], 4)
    0.1227
    """
    func = "appraise_flows"
    required = ["t", "savings", "costs", "discount_factor"]
    if not isinstance(flows, pd.DataFrame) or any(column not in flows.columns for column in required):
        shown = list(flows.columns) if isinstance(flows, pd.DataFrame) else flows
        raise _fail("flows", func, "a DataFrame with columns 't', 'savings', 'costs' and 'discount_factor'", shown)
    if len(flows) == 0:
        raise _fail("flows", func, "a DataFrame with at least one year", "an empty DataFrame")
    t = flows["t"].to_numpy()
    if t.dtype.kind not in "iu" or not np.array_equal(t, np.arange(len(flows))):
        raise _fail("flows", func, "a DataFrame whose 't' column is 0, 1, ..., H - 1 in order", t.tolist())
    savings = _check_flows(flows["savings"].to_numpy(), "flows", func)
    costs = _check_flows(flows["costs"].to_numpy(), "flows", func)
    factors = _check_flows(flows["discount_factor"].to_numpy(), "flows", func)
    net = savings - costs
    present = net * factors
    total_npv = float(np.sum(present))
    pv_savings = float(np.sum(savings * factors))
    pv_costs = float(np.sum(costs * factors))
    return Appraisal(
        npv=total_npv,
        payback_years=_payback(net),
        discounted_payback_years=_payback(present),
        total_savings=float(np.sum(savings)),
        total_costs=float(np.sum(costs)),
        pv_savings=pv_savings,
        pv_costs=pv_costs,
        switching_value_savings=_ratio(total_npv, pv_savings),
        switching_value_costs=_ratio(total_npv, pv_costs),
    )
