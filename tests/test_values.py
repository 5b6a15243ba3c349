"""Tests of estate.values: reading cells as people type them.

Expected values are worked out by hand in the tables below; a comment gives the
sum where there is one.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from estate.errors import ParameterError
from estate.schema import CONTRACTS, CRITICALITY, HOSTING, LIFECYCLE, SITES, SYSTEMS
from estate.values import (
    BLANK_WORDS,
    Parsed,
    is_blank,
    parse_choice,
    parse_column,
    parse_count,
    parse_date,
    parse_money,
    parse_months,
    parse_percent,
    parse_text,
)

NAN = float("nan")


def one(parser, cell, **kwargs) -> tuple[object, object, object]:
    """Parse a single cell; give (value, problem, note) with NaN as None."""
    parsed = parser(pd.Series([cell], dtype=object), **kwargs)
    value, problem, note = parsed.values.iloc[0], parsed.problems.iloc[0], parsed.notes.iloc[0]
    return (
        None if pd.isna(value) else value,
        None if pd.isna(problem) else problem,
        None if pd.isna(note) else note,
    )


def day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


ALL_PARSERS = {
    "money": parse_money,
    "count": parse_count,
    "date": parse_date,
    "months": parse_months,
    "percent": parse_percent,
    "text": parse_text,
    "choice": lambda raw: parse_choice(raw, HOSTING),
}

# ---------------------------------------------------------------------------
# Money
# ---------------------------------------------------------------------------

USD_NOTE = "US dollars taken as plan currency without conversion"
EUR_NOTE = "euros taken as plan currency without conversion"
INCLUDED_NOTE = "included in another cost: read as 0"


@pytest.mark.parametrize(
    ("cell", "expected", "note"),
    [
        (12500, 12500.0, None),
        (12500.5, 12500.5, None),
        (-300.0, -300.0, None),
        ("12500", 12500.0, None),
        ("£12,500", 12500.0, None),
        ("12.5k", 12500.0, None),
        ("12.5K", 12500.0, None),
        ("£1.2m", 1200000.0, None),
        ("1.2M", 1200000.0, None),
        ("1.2 million", 1200000.0, None),
        ("£1.15m", 1150000.0, None),  # exact: 1.15 * 1e6 in floats would be 1149999.9999999998
        ("1.5bn", 1.5e9, None),
        ("$3,000,000", 3000000.0, USD_NOTE),
        ("USD 3m", 3000000.0, USD_NOTE),
        ("12500.00 GBP", 12500.0, None),
        ("GBP 12,500", 12500.0, None),
        ("€5,000", 5000.0, EUR_NOTE),
        ("5,000 EUR", 5000.0, EUR_NOTE),
        ("(1,200)", -1200.0, None),
        ("(£1,200)", -1200.0, None),
        ("-1,200", -1200.0, None),
        ("−£1,200", -1200.0, None),  # a typographic minus sign
        ("c. £12,500", 12500.0, None),
        ("c.12k", 12000.0, None),
        ("circa 12k", 12000.0, None),
        ("approx 12k", 12000.0, None),
        ("approx. 12k", 12000.0, None),
        ("~12k", 12000.0, None),
        ("about £12k", 12000.0, None),
        ("est. 12k", 12000.0, None),
        ("12k pa", 12000.0, None),
        ("12k p.a.", 12000.0, None),
        ("£12k per annum", 12000.0, None),
        ("£12k per year", 12000.0, None),
        ("12k/yr", 12000.0, None),
        ("12k a year", 12000.0, None),
        ("£12,000 +VAT", 12000.0, None),
        ("£12,000 ex VAT", 12000.0, None),
        ("£12,000 inc VAT", 12000.0, None),
        ("c. £12k pa + VAT", 12000.0, None),
        ("£0", 0.0, None),
        ("12 500", 12500.0, None),
        ("1,234,567.89", 1234567.89, None),
        ("£10k-£20k", 15000.0, "range £10k-£20k read as its midpoint 15,000"),  # (10,000 + 20,000) / 2
        ("10,000 - 20,000", 15000.0, "range 10,000 - 20,000 read as its midpoint 15,000"),
        ("10-20k", 15000.0, "range 10-20k read as its midpoint 15,000"),  # the k applies to both ends
        ("£1,000 to £2,001", 1500.5, "range £1,000 to £2,001 read as its midpoint 1,500.5"),
        ("free", 0.0, None),
        ("nil cost", 0.0, None),
        ("no cost", 0.0, None),
        ("£nil", 0.0, None),
        ("included", 0.0, INCLUDED_NOTE),
        ("inc.", 0.0, INCLUDED_NOTE),
        ("Included in Revs & Bens contract", 0.0, INCLUDED_NOTE),
    ],
)
def test_money_reads(cell, expected, note):
    assert one(parse_money, cell) == (expected, None, note)


@pytest.mark.parametrize(
    "cell",
    ["£12,5oo", "lots", "see contract", "12,5", "1,2345", "£", "10%", True, dt.date(2027, 1, 1), float("inf"),
     "(-1,200)", "12.5 k k"],
)
def test_money_problems(cell):
    assert one(parse_money, cell) == (None, "cannot read as money", None)


def test_money_with_two_currencies_is_a_problem():
    assert one(parse_money, "$3m - £4m") == (None, "cannot read as money: more than one currency", None)


def test_money_plan_currency_changes_which_notes_are_given():
    assert one(parse_money, "$3,000", currency="USD") == (3000.0, None, None)
    assert one(parse_money, "£3,000", currency="USD") == (
        3000.0, None, "pounds sterling taken as plan currency without conversion")
    assert one(parse_money, "CHF 3,000", currency="CHF") == (3000.0, None, None)


def test_money_range_in_another_currency_gives_both_notes():
    assert one(parse_money, "$10k-$20k") == (
        15000.0, None, "range $10k-$20k read as its midpoint 15,000; " + USD_NOTE)


@pytest.mark.parametrize("currency", ["gbp", "POUNDS", "", 3])
def test_money_rejects_a_bad_currency(currency):
    with pytest.raises(ParameterError, match="The 'currency' parameter of parse_money"):
        parse_money(pd.Series(["1"], dtype=object), currency=currency)


# ---------------------------------------------------------------------------
# Counts
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected", "note"),
    [
        (1200, 1200.0, None),
        (1200.0, 1200.0, None),
        ("1,200", 1200.0, None),
        ("approx 200", 200.0, None),
        ("c.200", 200.0, None),
        ("~200", 200.0, None),
        ("200 users", 200.0, None),
        ("1.5k", 1500.0, None),
        ("1-100", 51.0, "band 1-100 read as its midpoint 51"),  # 50.5 rounds half up
        ("5,001-10,000", 7501.0, "band 5,001-10,000 read as its midpoint 7,501"),  # 7,500.5 rounds up
        ("10 to 20", 15.0, "band 10 to 20 read as its midpoint 15"),
        ("50,000+", 50000.0, "50,000+ read as its lower bound 50,000"),
        ("50000 +", 50000.0, "50000 + read as its lower bound 50,000"),
        ("over 50,000", 50000.0, "over 50,000 read as its lower bound 50,000"),
        ("more than 50000", 50000.0, "more than 50000 read as its lower bound 50,000"),
        (">50000", 50000.0, ">50000 read as its lower bound 50,000"),
        ("<100", 100.0, "<100 read as its upper bound 100"),
        ("under 100", 100.0, "under 100 read as its upper bound 100"),
        ("up to 100", 100.0, "up to 100 read as its upper bound 100"),
        ("fewer than 100", 100.0, "fewer than 100 read as its upper bound 100"),
        (12.5, 12.5, "not a whole number"),
        ("12.5", 12.5, "not a whole number"),
    ],
)
def test_count_reads(cell, expected, note):
    assert one(parse_count, cell) == (expected, None, note)


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        ("all staff", "not a number of users"),
        ("everyone", "not a number of users"),
        ("whole council", "not a number of users"),
        ("lots", "cannot read as a number"),
        ("a few", "cannot read as a number"),
        (-4, "negative number"),
        ("-5", "negative number"),
        (True, "cannot read as a number"),
        (dt.datetime(2027, 1, 1), "cannot read as a number"),
    ],
)
def test_count_problems(cell, problem):
    assert one(parse_count, cell) == (None, problem, None)


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

FY_NOTE = "financial year read as its last day"


@pytest.mark.parametrize(
    ("cell", "expected", "note"),
    [
        (dt.datetime(2027, 3, 31, 15, 30), "2027-03-31", None),
        (dt.date(2027, 3, 31), "2027-03-31", None),
        (pd.Timestamp("2027-03-31 12:00"), "2027-03-31", None),
        # 2000-01-01 is serial 36,526; 26 years to 2026-01-01 with 7 leap days: +9,497 = 46,023;
        # then January 31 + February 28 + 30 more days of March: +89 = 46,112.
        (46112, "2026-03-31", None),
        (46112.0, "2026-03-31", None),
        (46112.75, "2026-03-31", None),  # 6 pm on that day: normalised to midnight
        ("46112", "2026-03-31", None),
        (36526, "2000-01-01", None),
        ("2027-03-31", "2027-03-31", None),
        ("2027-03-31 00:00:00", "2027-03-31", None),
        ("2027-03-31T00:00:00", "2027-03-31", None),
        ("31/03/2027", "2027-03-31", None),
        ("31-03-2027", "2027-03-31", None),
        ("31.03.2027", "2027-03-31", None),
        ("31/03/27", "2027-03-31", None),
        ("01/04/2027", "2027-04-01", None),  # day first: 1 April, not 4 January
        ("31 March 2027", "2027-03-31", None),
        ("31 Mar 2027", "2027-03-31", None),
        ("31st March 2027", "2027-03-31", None),
        ("31-Mar-27", "2027-03-31", None),
        ("March 31, 2027", "2027-03-31", None),
        ("Mar 2027", "2027-03-31", None),
        ("March 2027", "2027-03-31", None),
        ("03/2027", "2027-03-31", None),
        ("2027-03", "2027-03-31", None),
        ("Feb 2028", "2028-02-29", None),  # a leap year
        ("Feb 2027", "2027-02-28", None),
        ("Dec 2027", "2027-12-31", None),
        ("2027/28", "2028-03-31", FY_NOTE),
        ("2027-28", "2028-03-31", FY_NOTE),
        ("2027/2028", "2028-03-31", FY_NOTE),
        ("FY2027/28", "2028-03-31", FY_NOTE),
        ("FY 27/28", "2028-03-31", FY_NOTE),
        ("2099/00", "2100-03-31", FY_NOTE),  # across a century
        ("2027", "2027-12-31", "year 2027 read as 31 Dec 2027"),
        (2027, "2027-12-31", "year 2027 read as 31 Dec 2027"),
        ("12/31/2027", "2027-12-31", "month-first date 12/31/2027 read as 31 Dec 2027"),
        ("02/29/2028", "2028-02-29", "month-first date 02/29/2028 read as 29 Feb 2028"),
    ],
)
def test_date_reads(cell, expected, note):
    assert one(parse_date, cell) == (day(expected), None, note)


@pytest.mark.parametrize(
    ("first_month", "expected"),
    [(4, "2028-03-31"), (1, "2027-12-31"), (7, "2028-06-30"), (10, "2028-09-30"), (12, "2028-11-30")],
)
def test_financial_year_ends_the_day_before_its_second_year_starts(first_month, expected):
    assert one(parse_date, "2027/28", first_month=first_month) == (day(expected), None, FY_NOTE)


@pytest.mark.parametrize(
    ("cell", "problem"),
    [
        ("31/02/2027", "no such date"),
        ("29/02/2027", "no such date"),
        ("13/13/2027", "no such date"),
        ("2027-02-30", "no such date"),
        ("13/2027", "no such date"),
        ("soon", "cannot read as a date"),
        ("Q3", "cannot read as a date"),
        ("rolling", "no end date (rolling contract)"),
        ("Rolling monthly", "no end date (rolling contract)"),
        ("ongoing", "no end date (rolling contract)"),
        ("evergreen", "no end date (rolling contract)"),
        ("1850-01-01", "year outside 1900 to 2199"),
        ("31/03/2250", "year outside 1900 to 2199"),
        (dt.date(1850, 1, 1), "year outside 1900 to 2199"),
        (2958465, "year outside 1900 to 2199"),  # 31 Dec 9999
        (0, "cannot read as a date"),
        (-5, "cannot read as a date"),
        (3000000, "cannot read as a date"),
        (dt.time(12, 0), "cannot read as a date"),
        (True, "cannot read as a date"),
    ],
)
def test_date_problems(cell, problem):
    assert one(parse_date, cell) == (None, problem, None)


@pytest.mark.parametrize("first_month", [0, 13, 4.0, "4", True])
def test_date_rejects_a_bad_first_month(first_month):
    with pytest.raises(ParameterError, match="The 'first_month' parameter of parse_date"):
        parse_date(pd.Series([], dtype=object), first_month=first_month)


def test_dates_are_nanosecond_datetimes_with_nat():
    parsed = parse_date(pd.Series([46112, None, "soon"], dtype=object))
    assert parsed.values.dtype == np.dtype("datetime64[ns]")
    assert parsed.values.isna().tolist() == [False, True, True]


# ---------------------------------------------------------------------------
# Months and percentages
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected", "note"),
    [
        (6, 6.0, None),
        (1.5, 1.5, None),
        ("6", 6.0, None),
        ("6 months", 6.0, None),
        ("6 mths", 6.0, None),
        ("6m", 6.0, None),
        ("3 month", 3.0, None),
        ("3 months' notice", 3.0, None),
        ("1 year", 12.0, None),
        ("1 yr", 12.0, None),
        ("1.5 years", 18.0, None),
        ("12 months", 12.0, None),
        ("2 years", 24.0, None),
        ("90 days", 2.96, "90 days read as 2.96 months"),  # 90 * 12 / 365 = 2.9589...
        ("1 week", 0.23, "1 week read as 0.23 months"),  # 12 / 52 = 0.2307...
        ("4 weeks", 0.92, "4 weeks read as 0.92 months"),  # 48 / 52 = 0.923...
        (dt.timedelta(days=90), 2.96, "90 days read as 2.96 months"),
        ("none", 0.0, None),
        ("nil", 0.0, None),
        ("0", 0.0, None),
        (0, 0.0, None),
    ],
)
def test_months_reads(cell, expected, note):
    assert one(parse_months, cell) == (expected, None, note)


@pytest.mark.parametrize(
    ("cell", "problem"),
    [("soon", "cannot read as a number of months"), ("6 fortnights", "cannot read as a number of months"),
     (-1, "negative number"), (True, "cannot read as a number of months")],
)
def test_months_problems(cell, problem):
    assert one(parse_months, cell) == (None, problem, None)


@pytest.mark.parametrize(
    ("cell", "expected", "note"),
    [
        ("45%", 0.45, None),
        ("45 %", 0.45, None),
        ("45.5%", 0.455, None),
        ("100%", 1.0, None),
        ("0%", 0.0, None),
        (0.45, 0.45, None),
        ("0.45", 0.45, None),
        (1, 1.0, None),  # 1 is a fraction (all of it), not 1%
        (0, 0.0, None),
        (45, 0.45, "read as a percentage"),
        ("45", 0.45, "read as a percentage"),
        (100, 1.0, "read as a percentage"),
    ],
)
def test_percent_reads(cell, expected, note):
    assert one(parse_percent, cell) == (expected, None, note)


@pytest.mark.parametrize(
    ("cell", "problem"),
    [(150, "percentage outside 0% to 100%"), (-1, "percentage outside 0% to 100%"),
     ("120%", "percentage outside 0% to 100%"), ("-5%", "percentage outside 0% to 100%"),
     ("lots", "cannot read as a percentage"), (True, "cannot read as a percentage")],
)
def test_percent_problems(cell, problem):
    assert one(parse_percent, cell) == (None, problem, None)


# ---------------------------------------------------------------------------
# Text and choices
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("  Civic   Centre\n server room ", "Civic Centre server room"),
        ("Civic\u00a0Centre", "Civic Centre"),
        (7.0, "7"),
        (7, "7"),
        (7.25, "7.25"),
        (12345678901.0, "12345678901"),
        (dt.datetime(2027, 3, 31), "2027-03-31"),
        (dt.datetime(2027, 3, 31, 9, 30), "2027-03-31 09:30:00"),
        (dt.date(2027, 3, 31), "2027-03-31"),
        (dt.time(9, 30), "09:30:00"),
        (True, "TRUE"),
        ("007", "007"),
        ("=SUM(A1)", "=SUM(A1)"),
    ],
)
def test_text_reads(cell, expected):
    assert one(parse_text, cell) == (expected, None, None)


@pytest.mark.parametrize(
    ("choice", "cell", "expected"),
    [
        (HOSTING, "On-Prem", "on-premises"),
        (HOSTING, "  SaaS ", "saas"),
        (HOSTING, "Azure", "cloud"),
        (LIFECYCLE, "End of Life", "end-of-life"),
        (LIFECYCLE, "LIVE", "live"),
        (CRITICALITY, "Tier 1", "critical"),
        (CRITICALITY, 2, "high"),
        (CRITICALITY, 3.0, "medium"),
        (CRITICALITY, "4", "low"),
    ],
)
def test_choice_reads(choice, cell, expected):
    assert one(parse_choice, cell, choice=choice) == (expected, None, None)


def test_choice_problem_lists_the_values():
    assert one(parse_choice, "meh", choice=CRITICALITY) == (
        None, "not one of: critical, high, medium, low", None)
    assert one(parse_choice, "under the stairs", choice=HOSTING) == (
        None, "not one of: on-premises, named site, cloud, saas", None)


# ---------------------------------------------------------------------------
# Blanks, errors, mixed cells, shapes
# ---------------------------------------------------------------------------

BLANK_CELLS = [None, NAN, pd.NA, pd.NaT, "", "   ", "-", "–", "—", "n/a", "na", "N/A", "NA", "none", "None",
               "nil", "null", "NULL", "tbc", "TBC", "tba", "unknown", "Unknown", "not known", "Not  Known",
               "?", "#N/A", " n/a "]


def test_blank_words_constant_holds_the_documented_list():
    assert BLANK_WORDS == {"", "-", "–", "—", "n/a", "na", "none", "nil", "null", "tbc", "tba", "unknown",
                           "not known", "?", "#n/a"}


@pytest.mark.parametrize("kind", sorted(ALL_PARSERS))
def test_blank_cells_are_missing_without_problem_or_note(kind):
    cells = [c for c in BLANK_CELLS if not (kind == "months" and str(c).strip().lower() in {"none", "nil"})]
    parsed = ALL_PARSERS[kind](pd.Series(cells, dtype=object))
    assert parsed.values.isna().all()
    assert parsed.problems.isna().all()
    assert parsed.notes.isna().all()


def test_is_blank():
    raw = pd.Series(BLANK_CELLS + [0, 0.0, "0", "Finance", False, dt.date(2027, 1, 1), "n/a x"], dtype=object)
    expected = [True] * len(BLANK_CELLS) + [False] * 7
    assert is_blank(raw).tolist() == expected
    assert is_blank(pd.Series([1.0, NAN], index=[5, 9])).to_dict() == {5: False, 9: True}


@pytest.mark.parametrize("kind", sorted(ALL_PARSERS))
def test_spreadsheet_errors_are_problems(kind):
    assert one(ALL_PARSERS[kind], "#REF!") == (None, "spreadsheet error #REF!", None)
    assert one(ALL_PARSERS[kind], "#div/0!") == (None, "spreadsheet error #DIV/0!", None)


CALAMINE_CELLS = [None, "", 1.5, 3, True, "text", dt.datetime(2027, 3, 31, 8, 0), dt.date(2027, 3, 31),
                  dt.time(8, 0), dt.timedelta(days=30)]


@pytest.mark.parametrize("kind", sorted(ALL_PARSERS))
def test_every_calamine_cell_type_gives_a_value_or_a_problem(kind):
    parsed = ALL_PARSERS[kind](pd.Series(CALAMINE_CELLS, dtype=object))
    read = parsed.values.notna()
    assert not (read & parsed.problems.notna()).any()  # a problem means no value
    assert not (~read & parsed.notes.notna()).any()  # a note means a value
    assert (read | parsed.problems.notna()).iloc[2:].all()  # every non-blank cell is accounted for


@pytest.mark.parametrize("kind", sorted(ALL_PARSERS))
def test_index_name_and_length_are_kept(kind):
    raw = pd.Series(["1", None, "x", "1"], index=pd.Index([10, 3, 7, 99], name="source_row"), dtype=object,
                    name="cells")
    parsed = ALL_PARSERS[kind](raw)
    for series in (parsed.values, parsed.problems, parsed.notes):
        assert series.index.equals(raw.index)
        assert series.index.name == "source_row"
        assert series.name == "cells"
    assert parsed.values.iloc[0] == parsed.values.iloc[3] or parsed.values.iloc[[0, 3]].isna().all()


@pytest.mark.parametrize("kind", sorted(ALL_PARSERS))
def test_empty_column(kind):
    parsed = ALL_PARSERS[kind](pd.Series([], dtype=object, index=pd.Index([], name="row")))
    expected = {"date": "datetime64[ns]", "text": "object", "choice": "object"}.get(kind, "float64")
    assert len(parsed.values) == 0
    assert parsed.values.dtype == np.dtype(expected)
    assert parsed.problems.dtype == object and parsed.notes.dtype == object
    assert parsed.values.index.name == "row"


@pytest.mark.parametrize("kind", sorted(ALL_PARSERS))
def test_inputs_are_not_changed(kind):
    raw = pd.Series(["£1,200", " 1-100 ", 46112, None, "n/a", dt.date(2027, 1, 1)], dtype=object)
    before = raw.copy()
    ALL_PARSERS[kind](raw)
    pd.testing.assert_series_equal(raw, before)


def test_numeric_dtypes_and_strings_read_alike():
    floats = pd.Series([1200.0, NAN, 3.0], index=list("abc"))
    ints = pd.Series(pd.array([1200, None, 3], dtype="Int64"), index=list("abc"))
    strings = pd.Series(["1200", None, "3"], index=list("abc"), dtype="str")
    for raw in (floats, ints, strings):
        parsed = parse_money(raw)
        assert parsed.values.tolist()[::2] == [1200.0, 3.0]
        assert parsed.values.isna().tolist() == [False, True, False]
        assert parsed.problems.isna().all()


def test_repeated_cells_are_read_alike_and_mapped_back_in_order():
    raw = pd.Series(["£1k", "x", "£1k", None, "x", 5.0, "£1k"], dtype=object)
    parsed = parse_money(raw)
    assert parsed.values.fillna(-1).tolist() == [1000.0, -1, 1000.0, -1, -1, 5.0, 1000.0]
    assert parsed.problems.fillna("").tolist() == ["", "cannot read as money", "", "", "cannot read as money",
                                                   "", ""]


def test_to_frame():
    frame = parse_count(pd.Series(["1-100", "lots"], index=[4, 5], dtype=object)).to_frame()
    assert frame.columns.tolist() == ["value", "problem", "note"]
    assert frame.loc[4, "value"] == 51.0
    assert frame.loc[5, "problem"] == "cannot read as a number"


def test_parsed_is_frozen():
    parsed = parse_text(pd.Series(["a"], dtype=object))
    assert isinstance(parsed, Parsed)
    with pytest.raises(AttributeError):
        parsed.values = None  # type: ignore[misc]


def test_plain_lists_are_accepted():
    assert parse_money(["£1k", None]).values.tolist()[0] == 1000.0


# ---------------------------------------------------------------------------
# parse_column
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "cell", "expected"),
    [
        (SYSTEMS.field("annual_cost"), "£12.5k", 12500.0),
        (SYSTEMS.field("users"), "1-100", 51.0),
        (SYSTEMS.field("contract_end"), "Mar 2027", day("2027-03-31")),
        (SYSTEMS.field("notice_months"), "1 year", 12.0),
        (SITES.field("utilisation"), "35%", 0.35),
        (SYSTEMS.field("hosting"), "Software as a Service", "saas"),
        (SYSTEMS.field("system"), "  Civic  Centre ", "Civic Centre"),
        (CONTRACTS.field("annual_value"), "(1,200)", -1200.0),
    ],
)
def test_parse_column_dispatches_on_kind(field, cell, expected):
    assert parse_column(pd.Series([cell], dtype=object), field).values.iloc[0] == expected


def test_parse_column_passes_settings_on():
    assert parse_column(pd.Series(["2027/28"]), SYSTEMS.field("contract_end"), first_month=1).values.iloc[0] == (
        day("2027-12-31"))
    parsed = parse_column(pd.Series(["$5"]), SYSTEMS.field("annual_cost"), currency="USD")
    assert parsed.values.iloc[0] == 5.0 and parsed.notes.isna().all()


def test_parse_column_refuses_a_choice_field_without_a_list():
    from estate.schema import Field

    with pytest.raises(ParameterError, match="has no choice list"):
        parse_column(pd.Series(["x"]), Field("odd", "choice", "no list"))


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(st.decimals(min_value=0, max_value=10**12, places=2), min_size=1, max_size=40))
def test_money_formatted_as_pounds_reads_back_exactly(amounts):
    pounds = [f"£{a:,.2f}" for a in amounts]
    negatives = [f"(£{a:,.2f})" for a in amounts]
    parsed = parse_money(pd.Series(pounds + negatives, dtype=object))
    assert parsed.values.tolist() == [float(a) for a in amounts] + [-float(a) for a in amounts]
    assert parsed.problems.isna().all() and parsed.notes.isna().all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(min_value=-1e15, max_value=1e15, allow_nan=False), min_size=1, max_size=40))
def test_money_numbers_pass_through(numbers):
    parsed = parse_money(pd.Series(numbers, dtype=object))
    assert parsed.values.tolist() == numbers


@settings(max_examples=60, deadline=None)
@given(st.lists(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2199, 12, 31)), min_size=1,
                max_size=30))
def test_dates_formatted_iso_or_day_first_read_back(days):
    cells = [d.isoformat() for d in days] + [f"{d:%d/%m/%Y}" for d in days] + [f"{d.day} {d:%B %Y}" for d in days]
    parsed = parse_date(pd.Series(cells, dtype=object))
    assert parsed.values.tolist() == [pd.Timestamp(d) for d in days] * 3
    assert parsed.problems.isna().all() and parsed.notes.isna().all()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            # Whole numbers 1900 to 2199 are read as years, so serials start after 2199 (8 Jan 1906).
            st.dates(min_value=dt.date(1906, 1, 9), max_value=dt.date(2199, 12, 31)),
            st.floats(min_value=0, max_value=0.999, allow_nan=False),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_dates_as_excel_serials_read_back(stamps):
    serials = [(d - dt.date(1899, 12, 30)).days + fraction for d, fraction in stamps]
    parsed = parse_date(pd.Series(serials, dtype=object))
    assert parsed.values.tolist() == [pd.Timestamp(d) for d, _ in stamps]
    assert parsed.problems.isna().all()


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=dt.date(1900, 1, 13), max_value=dt.date(2199, 12, 31)).filter(lambda d: d.day > 12))
def test_month_first_dates_read_with_a_note(date):
    text = f"{date:%m/%d/%Y}"
    assert one(parse_date, text) == (
        pd.Timestamp(date), None, f"month-first date {text} read as {date.day} {date:%b %Y}")


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=10**6))
def test_band_reads_as_its_midpoint_rounded_half_up(low, high):
    low, high = min(low, high), max(low, high)
    expected = (low + high + 1) // 2  # half up, in whole numbers
    value, problem, note = one(parse_count, f"{low:,}-{high:,}")
    assert (value, problem) == (expected, None)
    assert note == f"band {low:,}-{high:,} read as its midpoint {expected:,}"


# ---------------------------------------------------------------------------
# Speed
# ---------------------------------------------------------------------------


def test_a_numeric_column_takes_the_fast_path():
    rng = np.random.default_rng(7)
    raw = pd.Series(rng.random(100_000) * 1e6, dtype=object)
    start = time.perf_counter()
    parsed = parse_money(raw)
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0  # milliseconds in practice; generous for a loaded machine
    assert parsed.values.to_numpy().tolist() == raw.tolist()


def test_decimal_cells_are_numbers():
    assert one(parse_money, Decimal("12.50")) == (12.5, None, None)


def test_a_datetime_column_is_normalised_to_midnight():
    stamps = [pd.Timestamp("2027-03-31 15:30"), pd.NaT, pd.Timestamp("1850-01-01"), pd.Timestamp("3000-01-01")]
    raw = pd.Series(stamps, index=[7, 8, 9, 10]).astype("datetime64[us]")
    parsed = parse_date(raw)
    assert parsed.values.dtype == np.dtype("datetime64[ns]")
    assert parsed.values.tolist()[0] == day("2027-03-31")
    assert parsed.values.isna().tolist() == [False, True, True, True]
    assert parsed.problems.fillna("").tolist() == ["", "", "year outside 1900 to 2199", "year outside 1900 to 2199"]
    assert parsed.values.index.tolist() == [7, 8, 9, 10]
    aware = parse_date(pd.Series(pd.to_datetime(["2027-03-31 23:30"]).tz_localize("Europe/London")))
    assert aware.values.tolist() == [day("2027-03-31")]


def test_ticks_are_kept_apart_from_ones_and_zeros():
    raw = pd.Series([1, True, 0, False, 1.0, True], dtype=object)
    assert parse_text(raw).values.tolist() == ["1", "TRUE", "0", "FALSE", "1", "TRUE"]
    assert parse_choice(raw, CRITICALITY).values.fillna("-").tolist() == ["critical", "-", "-", "-", "critical", "-"]
    assert is_blank(raw).tolist() == [False] * 6


@pytest.mark.parametrize("cell", ["NHSE funded", "ICB funded", "NHS England funded", "funded by NHS England",
                                  "centrally funded", "NHSE Funded (GP IT Futures)", "free to NHS bodies"])
def test_a_cost_another_body_pays_reads_as_zero_with_a_note(cell):
    parsed = parse_money(pd.Series([cell]))
    assert parsed.values.tolist() == [0.0]
    assert parsed.notes[0].startswith("paid by another body")


@pytest.mark.parametrize("cell", ["self funded", "part funded", "trust funded"])
def test_a_cost_the_organisation_pays_itself_is_not_read_as_zero(cell):
    parsed = parse_money(pd.Series([cell]))
    assert np.isnan(parsed.values[0]) and parsed.problems[0] == "cannot read as money"
