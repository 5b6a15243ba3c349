"""The plan workbook: the Excel file a consultant puts in front of a partnership board.

:func:`write_plan` lays a :class:`~estate.plan.Plan` out as an ``.xlsx``
workbook (CONTRACT §4) and :func:`read_assumptions_sheet` reads the
``Assumptions`` sheet of such a workbook back, so that a consultant can edit
the assumptions in Excel and plan again (``estate plan ... --assumptions
plan.xlsx``).

What is a value and what is a formula
-------------------------------------
The decisions the library made are written as **values**: which options
exist, which systems each one retires or keeps, each system's retirement path
and date, its natural contract end, the recommended portfolio. Every figure
that follows from the assumptions is a **live formula** that refers, through a
workbook name per parameter (``discount_rate``, ``cost_factor``...), to the
``Assumptions`` sheet, and each formula cell also stores the figure the
library computed, so that readers that do not recalculate (file previews,
pandas) see the same numbers. The formulas rebuild the cost model of
``docs/costing.md`` and the appraisal of ``docs/appraisal.md`` step by step:

* ``Option systems`` (one row an option and a system it touches): uplift, net
  saving, each one-off cost category (assumption x input), the financial year
  the one-off costs fall in, and the saving of each appraisal year, pro-rated
  by days;
* ``Options``: run cost before and after, annual saving, year-0 costs, one-off
  cost, present values, NPV and payback;
* ``Cash flows`` (one row an option and year): savings and costs after
  optimism bias, net, discount factor, present value, cumulative net and the
  payback crossing;
* ``Partner shares`` and ``Partners``: each partner's weight under the
  allocation rule, its saving, one-off cost and NPV, and the fair transfers;
* ``Summary``: the headline figures, over the recommended options.

Text that came from an input is always written as text: a name beginning
with ``=``, ``+``, ``-`` or ``@`` stays literal. Criteria on organisation
names are matched exactly (``*``, ``?`` and ``~`` are not wildcards).

One private object, the layout, decides every sheet, row and column; formulas
are built from named column lookups into it, never from coordinates written
by hand. They are built a whole column at a time (numpy arrays of text, one
formula a row), and the tables' data rows are streamed into the sheets a
column at a time by :mod:`estate._xlsx`, which writes the same cells
XlsxWriter's ``write_*`` methods write, several times faster.

A sheet holds at most :data:`MAX_SHEET_ROWS` data rows: ``Systems`` and
``Data issues`` continue on numbered sheets (``Systems 2``...); any other sheet
that would be larger is refused with a :class:`~estate.errors.ParameterError`.

Examples
--------
>>> import tempfile, pathlib
>>> import pandas as pd
>>> import estate
>>> from estate.plan import make_plan
>>> from estate.examples import two_councils
>>> inventory = two_councils()
>>> plan = make_plan(inventory)
>>> out = write_plan(plan, pathlib.Path(tempfile.mkdtemp()) / "plan.xlsx")
>>> read_assumptions_sheet(out) == plan.assumptions
True
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from estate._pages import arrange, page_for, set_up_page
from estate._xlsx import Formula, PlanWorkbook, PlanWorksheet, Rows, branches, cat, per_row
from estate.assumptions import Assumptions
from estate.costing import COST_KINDS
from estate.errors import NotASpreadsheetError, ParameterError
from estate.fit_overrides import FIT_OVERRIDE_SHEET
from estate.narrative import default_kinds, default_text, drawn_at, live_and_replan, option_sentence, option_words
from estate.outputs import MARK_PROPERTY, atomic_write, output_error
from estate.plan import CURRENCY_SYMBOLS, uncosted_findings

if TYPE_CHECKING:
    from xlsxwriter.format import Format
    from xlsxwriter.workbook import Workbook

    from estate.plan import Plan

__all__ = ["MAX_SHEET_ROWS", "PARTNER_BUDGETS_TITLE", "REORGANISATION_SHEETS", "SHEETS", "read_assumptions_sheet",
           "read_partner_budgets_sheet", "write_plan"]

MAX_SHEET_ROWS = 1_048_575
"""Most data rows a sheet holds below its header (Excel's 1,048,576 rows less one)."""

SHEETS = ("Summary", "Options", "Cash flows", "Systems", "Overlaps", "Partners", "Roadmap", "Assumptions",
          "Sensitivity", "Vesting", "Data issues")
"""The sheets CONTRACT §4 requires; the workbook has more (helpers), and numbered continuations."""

_CREATED = datetime(2000, 1, 1)
_WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
_FUTURE = "_xlfn."
"""Prefix Excel stores functions newer than 2007 with (MINIFS, MAXIFS): written out in the formulas."""
_MAX_WIDTH = 60
_TOP_OPTIONS = 5
_CONSOLIDATING = ("shared platform", "shared service", "rationalisation")
_REPLACEMENT_RATES = {"EPR platform": "epr_replacement_per_user", "ERP platform": "erp_replacement_per_user",
                      "platform": "platform_replacement_per_user"}
_PLAIN_FRACTIONS = frozenset({"scale_elasticity"})
_DERIVED = ("cost_factor", "saving_factor", "plan_start", "earliest_retirement")
_CHART_WIDTH_PX = 960
_CHART_HEIGHT_PX = 600
_ROW_PX = 20
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp")

# --------------------------------------------------------------------------- #
# The layout: the one authority on sheets, rows and columns
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class _Column:
    key: str
    header: str
    width: float = 14
    style: str = "text"


def _c(key: str, header: str, width: float = 14, style: str = "text") -> _Column:
    return _Column(key, header, width, style)


@dataclass(frozen=True)
class _Table:
    """A block of columns under one header row on one sheet.

    A ``streamed`` table's data rows are handed to the worksheet a column at
    a time (:meth:`estate._xlsx.PlanWorksheet.column`) and must be the last
    rows of their sheet; the others are written cell by cell.
    """

    sheet: str
    columns: tuple[_Column, ...]
    n_rows: int
    header_row: int = 0
    frozen_columns: int | None = None  # None: the sheet's rule in estate._pages
    streamed: bool = True
    first_col: int = 0  # a block placed to the right of another table on its sheet

    def __post_init__(self) -> None:  # the sheet's lead columns first (estate._pages)
        by_key = {column.key: column for column in self.columns}
        order = arrange(tuple(by_key), page_for(self.sheet).lead)
        object.__setattr__(self, "columns", tuple(by_key[key] for key in order))

    @cached_property
    def _index(self) -> dict[str, int]:
        return {column.key: i for i, column in enumerate(self.columns)}

    def col(self, key: str) -> int:
        return self._index[key] + self.first_col

    def has(self, key: str) -> bool:
        return key in self._index

    def row(self, i: int) -> int:
        """The sheet row (0-based) of data row ``i``."""
        return self.header_row + 1 + i

    @property
    def first_row(self) -> int:
        return self.header_row + 1

    @property
    def last_row(self) -> int:
        """The last data row (an empty table spans one blank row, so its ranges stay valid)."""
        return self.header_row + max(self.n_rows, 1)

    @property
    def last_col(self) -> int:
        return self.first_col + len(self.columns) - 1

    @property
    def quoted(self) -> str:
        from xlsxwriter.utility import quote_sheetname

        return quote_sheetname(self.sheet)

    @cached_property
    def _letters(self) -> dict[str, str]:
        from xlsxwriter.utility import xl_col_to_name

        return {column.key: xl_col_to_name(c + self.first_col) for c, column in enumerate(self.columns)}

    def cell(self, key: str, i: int) -> str:
        """A relative reference to a cell of this sheet, for formulas on the same sheet."""
        return f"{self._letters[key]}{self.row(i) + 1}"

    def cells(self, key: str) -> Rows:
        """:meth:`cell` of every data row (:class:`estate._xlsx.Rows`: the column's letter and each row's number)."""
        return Rows((self._letters[key], ""), self.first_row + 1, self.n_rows)

    def at(self, key: str, i: int) -> str:
        """An absolute reference with the sheet name."""
        from xlsxwriter.utility import xl_rowcol_to_cell

        return f"{self.quoted}!{xl_rowcol_to_cell(self.row(i), self.col(key), True, True)}"

    @cached_property
    def _spans(self) -> dict[str, str]:
        from xlsxwriter.utility import xl_range_abs

        return {column.key: f"{self.quoted}!{xl_range_abs(self.first_row, c, self.last_row, c)}"
                for c, column in enumerate(self.columns, start=self.first_col)}

    def span(self, key: str) -> str:
        """The absolute range of a column's data rows, with the sheet name."""
        return self._spans[key]

    def local_span(self, key: str, first: int = 0, last: int | None = None) -> str:
        """An absolute range of a column on the same sheet (rows ``first``..``last`` of the data)."""
        from xlsxwriter.utility import xl_range_abs

        c = self.col(key)
        end = self.last_row if last is None else self.row(last)
        return xl_range_abs(self.row(first), c, end, c)

    def running(self, key: str) -> Formula:
        """From the first data row (absolute) to each row (relative): running totals' ranges."""
        from xlsxwriter.utility import xl_rowcol_to_cell

        return cat(f"{xl_rowcol_to_cell(self.first_row, self.col(key), True, True)}:", self.cells(key))

    def anchor(self, key: str) -> str:
        """Column-absolute, row-relative reference to the first data row (for conditional formats)."""
        from xlsxwriter.utility import xl_rowcol_to_cell

        return xl_rowcol_to_cell(self.first_row, self.col(key), False, True)

    def area(self, first_key: str | None = None, last_key: str | None = None) -> tuple[int, int, int, int]:
        first = 0 if first_key is None else self.col(first_key)
        last = self.last_col if last_key is None else self.col(last_key)
        return self.first_row, first, self.last_row, last


@dataclass(frozen=True)
class _SummaryLayout:
    """Where the Summary sheet's blocks go.

    Page 1 (landscape, one page wide): the title, the headline figures with,
    beside them, what moves when Assumptions is edited; the solver's status;
    the recommended options worth most, in wrapped sentences. A page break,
    then the recommended options' cash flows by year, then each chart on a
    page of its own, below the text, so that no chart covers a cell.
    """

    title_row: int
    subtitle_row: int
    headline: _Table  # label, value
    headline_labels: tuple[str, ...]
    live_first_col: int  # the "what is live" box beside the headline
    status_row: int
    message_row: int
    narrative_title_row: int
    narrative_rows: int
    portfolio: _Table  # the recommended portfolio's cash flows by year
    portfolio_title_row: int
    chart_col: int
    chart_row: int

    def headline_row(self, label: str) -> int:
        return self.headline_labels.index(label)

    @property
    def last_col(self) -> int:
        return self.portfolio.last_col


_MONEY, _INT, _YEARS, _DATE, _PCT, _FACTOR, _NUMBER = "money", "int", "years", "date", "percent", "factor", "number"

_OPTION_COLUMNS = (
    _c("option", "Option", 10), _c("description", "Description", 100), _c("type", "Type", 20),
    _c("capability", "Capability", 30), _c("target", "Target", 40), _c("lead", "Lead organisation", 28),
    _c("partners", "Partners", 40), _c("systems_retired", "Systems retired", 40),
    _c("run_cost_before", "Run cost before", 15, _MONEY), _c("run_cost_after", "Run cost after", 15, _MONEY),
    _c("annual_saving", "Annual saving", 15, _MONEY), _c("one_off", "One-off cost", 15, _MONEY),
    _c("npv", "NPV", 15, _MONEY), _c("payback", "Payback years", 20, _YEARS), _c("start", "Start", 9),
    _c("recommended", "Recommended", 13), _c("end", "End", 9), _c("meets_minimum", "Meets minimum NPV", 12),
    _c("rationale", "Rationale", 80), _c("capability_code", "Capability code", 14),
    _c("target_key", "Target key", 32), _c("n_partners", "Partners count", 10, _INT),
    _c("n_retired", "Systems retired count", 10, _INT), _c("survivor_cost", "Survivor run cost", 15, _MONEY),
    _c("survivor_users", "Survivor users", 10, _INT), _c("retired_users", "Retired users", 10, _INT),
    _c("cashable_saving", "Cashable saving", 15, _MONEY), _c("non_cashable_saving", "Non-cashable saving", 15, _MONEY),
    _c("received_users", "Users received", 10, _INT),
    *(_c(f"survivor_{kind}", f"Survivor {kind} cost", 14, _MONEY) for kind in COST_KINDS),
    _c("retired_staff", "Retired staff cost", 14, _MONEY),
    _c("year0", "Year-0 costs before bias", 15, _MONEY), _c("pv_savings", "PV of savings", 15, _MONEY),
    _c("pv_costs", "PV of costs", 15, _MONEY), _c("start_fy", "Start FY", 8), _c("start_reason", "Start set by", 50),
)
"""Options' columns; estate._pages puts the decision first (Option, Description, Recommended, the money...)."""

_CATEGORIES = (
    ("parallel_running", "Parallel running"), ("vendor_management", "Vendor management"),
    ("training", "Training"), ("integration_rework", "Integration rework"), ("data_migration", "Data migration"),
    ("replacement_programme", "Replacement programme"),
    ("contract_exit", "Contract exit"), ("hosting_move", "Hosting move"), ("site_exit", "Site exit"),
)
"""The one-off cost categories that fall on a system (the others fall on the option, in year 0)."""

_OPTION_SYSTEM_COLUMNS = (
    _c("option", "Option", 10), _c("system_key", "System key", 32), _c("organisation", "Organisation", 28),
    _c("effect", "Effect", 11), _c("path", "Path", 15), _c("destination", "Destination", 20),
    _c("users", "Users", 9, _INT), _c("annual_cost", "Annual cost", 13, _MONEY),
    _c("discount_base", "Licence and support", 13, _MONEY), _c("interfaces", "Interfaces", 9, _INT),
    _c("contract_end", "Contract end", 12, _DATE), _c("notice", "Notice months", 9, _INT),
    _c("natural_end", "Natural end", 12, _DATE), _c("exit_cost", "Exit cost", 13, _MONEY),
    _c("retire_date", "Retire date", 12, _DATE), _c("saving_start", "Saving start", 12, _DATE),
    _c("cost_date", "One-off date", 12, _DATE), _c("cost_fy", "One-off FY", 9),
    _c("uplift", "Uplift", 13, _MONEY), _c("net_saving", "Net saving", 13, _MONEY),
    *(_c(key, header, 13, _MONEY) for key, header in _CATEGORIES),
    _c("one_off", "One-off before bias", 13, _MONEY),
    _c("npv_contract_end", "Own NPV at contract end", 14, _MONEY),
    _c("npv_early_exit", "Own NPV if exit early", 14, _MONEY),
    *(_c(f"cost_{kind}", f"{kind.capitalize()} cost", 13, _MONEY) for kind in COST_KINDS),
    _c("replacement_class", "Replacement class", 14),
)

_CASH_FLOW_COLUMNS = (
    _c("option", "Option", 10), _c("year", "Year", 9), _c("t", "t", 5, _INT), _c("fy", "FY", 7),
    _c("recommended", "Recommended", 12), _c("savings", "Savings", 14, _MONEY), _c("costs", "Costs", 14, _MONEY),
    _c("net", "Net", 14, _MONEY), _c("discount_factor", "Discount factor", 11, _FACTOR),
    _c("present_value", "Present value", 14, _MONEY), _c("pv_savings", "PV of savings", 14, _MONEY),
    _c("pv_costs", "PV of costs", 14, _MONEY), _c("cumulative", "Cumulative net", 14, _MONEY),
    _c("crossing", "Payback crossing", 10, _YEARS),
)

_PARTNER_SHARE_COLUMNS = (
    _c("option", "Option", 10), _c("organisation", "Organisation", 30), _c("type", "Type", 20),
    _c("recommended", "Recommended", 12), _c("users", "Users", 9, _INT),
    _c("run_cost_before", "Run cost before", 14, _MONEY), _c("own_saving", "Own net saving", 14, _MONEY),
    _c("basis", "Allocation basis", 13, _NUMBER), _c("basis_total", "Option allocation basis", 13, _NUMBER),
    _c("n_partners", "Partners in option", 9, _INT), _c("weight", "Weight", 9, _PCT),
    _c("run_cost_after", "Run cost after", 14, _MONEY), _c("annual_saving", "Annual saving", 14, _MONEY),
    _c("saving_share", "Saving share", 9, _PCT), _c("cost_share", "Cost share", 9, _PCT),
    _c("one_off", "One-off cost", 14, _MONEY), _c("npv", "NPV", 14, _MONEY),
    _c("cashable", "Cashable saving", 14, _MONEY),
)

_SERVICE_SHARE_COLUMNS = (
    _c("service_role", "Service role", 10), _c("service_charge", "Service charge a year", 14, _MONEY),
    _c("pv_service_charge", "PV of service charge", 14, _MONEY),
)
"""Partner shares' columns of a shared service across successors (estate.shared_services), when the plan has one."""

_SERVICE_COLUMNS = (
    _c("option", "Option", 10), _c("recommended", "Recommended", 12), _c("host", "Host", 28),
    _c("buyers", "Buyers", 28), _c("host_organisations", "Host organisations", 36),
    _c("buyer_organisations", "Buyer organisations", 36), _c("n_buyers", "Buyer successors", 10, _INT),
    _c("start_fy", "Start FY", 8), _c("end_date", "Agreement end", 12, _DATE), _c("renewal_fy", "Renewal FY", 9),
    _c("renewal_cost", "Renewal cost before bias", 14, _MONEY),
    _c("service_charge", "Service charge a year", 14, _MONEY), _c("after_end", "After the end date", 80),
)
"""The ``Shared services`` sheet: one row a shared service across successors, its agreement and charge."""

_PARTNER_COLUMNS = (
    _c("organisation", "Organisation", 36), _c("run_cost_today", "Run cost today", 15, _MONEY),
    _c("annual_saving", "Annual saving", 15, _MONEY), _c("one_off", "One-off cost", 15, _MONEY),
    _c("npv", "NPV", 15, _MONEY), _c("transfer", "Transfer", 15, _MONEY),
    _c("npv_after", "NPV after transfer", 15, _MONEY), _c("position", "Position", 20),
    _c("options", "Options", 60), _c("cashable", "Cashable saving", 15, _MONEY),
    _c("non_cashable", "Non-cashable saving", 15, _MONEY),
)

_SYSTEM_COLUMNS = (
    _c("source_file", "Source file", 28), _c("source_row", "Source row", 8, _INT),
    _c("organisation", "Organisation", 28), _c("system", "System", 30), _c("vendor", "Vendor", 22),
    _c("product", "Product", 26), _c("capability", "Capability", 30), _c("annual_cost", "Annual cost", 13, _MONEY),
    _c("users", "Users", 9, _INT), _c("contract_end", "Contract end", 12, _DATE),
    _c("match_confidence", "Match confidence", 10, _PCT), _c("option", "Option", 16), _c("fate", "Fate", 11),
    _c("source_sheet", "Source sheet", 18), _c("system_key", "System key", 32),
    _c("capability_code", "Capability code", 14), _c("vendor_given", "Vendor as given", 22),
    _c("product_given", "Product as given", 26), _c("hosting", "Hosting", 14), _c("site", "Site", 22),
    _c("lifecycle", "Lifecycle", 14),
)

_SITE_COLUMNS = (
    _c("organisation", "Organisation", 28), _c("site", "Site", 30), _c("site_type", "Site type", 14),
    _c("annual_cost", "Annual cost", 13, _MONEY), _c("racks", "Racks", 8, _INT),
    _c("utilisation", "Utilisation", 10, _PCT), _c("contract_end", "Contract end", 12, _DATE),
    _c("option", "Option", 12), _c("fate", "Fate", 10), _c("source_file", "Source file", 28),
    _c("source_row", "Source row", 8, _INT), _c("site_key", "Site key", 40),
)

_ISSUE_COLUMNS = (
    _c("source_file", "Source file", 28), _c("sheet", "Sheet", 18), _c("source_row", "Source row", 8, _INT),
    _c("column", "Column", 16), _c("severity", "Severity", 9), _c("problem", "Problem", 100),
    _c("value", "Value", 40),
)

_DEFAULT_COLUMNS = (
    _c("organisation", "Organisation", 28), _c("system", "System", 30), _c("column", "Column", 14),
    _c("default", "Default used", 14), _c("note", "Note", 70), _c("source_file", "Source file", 28),
    _c("sheet", "Sheet", 18), _c("source_row", "Source row", 8, _INT), _c("system_key", "System key", 32),
)
"""The ``Defaults used`` sheet: each default the costing applied (Data issues has one row a kind)."""

_ASSUMPTION_COLUMNS = (
    _c("parameter", "Parameter", 34), _c("value", "Value", 12), _c("unit", "Unit", 24), _c("source", "Source", 50),
    _c("description", "Description", 70), _c("in_formulas", "In formulas", 10),
)

_YEAR_COLUMNS = (
    _c("t", "t", 5, _INT), _c("fy", "FY", 7), _c("year", "Year", 9), _c("first_day", "First day", 12, _DATE),
    _c("next_first_day", "First day of next year", 12, _DATE), _c("days", "Days", 7, _INT),
)

_EVENT_COLUMNS = (
    _c("option", "Option", 10), _c("date", "Date", 12, _DATE), _c("year", "Year", 9), _c("event", "Event", 14),
    _c("system_key", "System key", 34), _c("organisation", "Organisation", 28), _c("detail", "Detail", 50),
)

_PORTFOLIO_COLUMNS = (
    _c("year", "Year", 34), _c("t", "t", 18, _INT), _c("savings", "Savings", 14, _MONEY),
    _c("costs", "Costs", 14, _MONEY), _c("net", "Net", 14, _MONEY),
    _c("discount_factor", "Discount factor", 11, _FACTOR), _c("present_value", "Present value", 14, _MONEY),
    _c("cumulative", "Cumulative net", 14, _MONEY), _c("crossing", "Payback crossing", 10, _YEARS),
)

_SENSITIVITY_COLUMNS = (
    _c("variable", "Variable", 22), _c("switching_value", "Switching value", 15, "general"),
    _c("unit", "Unit", 20), _c("base", "Base", 15, "general"), _c("at_switch", "At the switch", 15, "general"),
    _c("meaning", "Meaning", 70), _c("gap", "", 3),
    _c("t_variable", "Tornado: assumption", 26), _c("t_low_value", "Low", 9, _NUMBER),
    _c("t_high_value", "High", 9, _NUMBER), _c("t_npv_low", "NPV at low", 15, _MONEY),
    _c("t_npv_high", "NPV at high", 15, _MONEY), _c("t_swing", "Swing", 15, _MONEY),
)
_SENSITIVITY_STYLES = {"fraction (fall)": _PCT, "fraction (rise)": _PCT, "fraction a year (rise)": _PCT,
                       "years": _NUMBER, "probability": _PCT}

_OPTION_SENSITIVITY_COLUMNS = (
    _c("option", "Option", 10), _c("npv", "NPV", 14, _MONEY), _c("pv_savings", "PV of savings", 14, _MONEY),
    _c("pv_costs", "PV of costs", 14, _MONEY), _c("savings", "Savings switching value", 12, _PCT),
    _c("costs", "One-off costs switching value", 12, _PCT), _c("delay", "Delay switching value (years)", 12,
                                                                 _NUMBER),
    _c("discount_rate", "Discount rate switching value", 12, _PCT), _c("p10", "NPV P10", 14, _MONEY),
    _c("p50", "NPV P50", 14, _MONEY), _c("p90", "NPV P90", 14, _MONEY),
    _c("p_positive", "Probability NPV > 0", 11, _PCT),
)

_SCENARIO_COLUMNS = (
    _c("scenario", "Scenario", 14), _c("overrides", "Assumptions changed", 50),
    _c("recommended_options", "Recommended options", 11, _INT), _c("annual_saving", "Annual saving", 15, _MONEY),
    _c("one_off_cost", "One-off cost", 15, _MONEY), _c("npv", "NPV", 15, _MONEY),
    _c("payback_years", "Payback years", 10, _YEARS), _c("npv_p10", "NPV P10", 15, _MONEY),
    _c("npv_p50", "NPV P50", 15, _MONEY), _c("npv_p90", "NPV P90", 15, _MONEY),
    _c("probability_positive", "Probability NPV > 0", 11, _PCT), _c("last_start", "Last start", 9),
    _c("options", "Recommended options (ids)", 60), _c("added", "Added against base", 40),
    _c("dropped", "Dropped against base", 40),
)

_HEADLINE_STYLES = {
    "Organisations": _INT, "Systems": _INT, "Annual run cost": _MONEY, "Recommended options": _INT,
    "Recommended annual saving": _MONEY, "Saving as share of run cost": _PCT,
    "Run cost in scope": _MONEY, "Saving as share of run cost in scope": _PCT,
    "Annual saving before optimism bias": _MONEY, "Cashable saving before optimism bias": _MONEY,
    "Non-cashable saving before optimism bias": _MONEY, "One-off cost": _MONEY,
    "NPV": _MONEY, "Payback years": _YEARS,
    "Business as usual: run cost over the appraisal (PV)": _MONEY,
    "Recommended plan: run cost and one-off costs (PV)": _MONEY,
}


@dataclass(frozen=True)
class _Layout:
    """Every sheet and where everything on it goes."""

    order: tuple[str, ...]
    summary: _SummaryLayout
    options: _Table
    option_systems: _Table
    cash_flows: _Table
    partner_shares: _Table
    partners: _Table
    systems: tuple[_Table, ...]
    sites: _Table
    issues: tuple[_Table, ...]
    defaults: _Table
    overlaps: _Table
    roadmap: _Table
    events: _Table
    assumptions: _Table
    derived: _Table
    years: _Table
    sensitivity: _Table
    option_sensitivity: _Table
    services: _Table | None = None


def _parts(base: str, n_rows: int, limit: int) -> list[tuple[str, int]]:
    """Sheet names and row counts of a table continued on numbered sheets."""
    if n_rows <= limit:
        return [(base, n_rows)]
    counts = [limit] * (n_rows // limit) + ([n_rows % limit] if n_rows % limit else [])
    return [(base if i == 0 else f"{base} {i + 1}", count) for i, count in enumerate(counts)]


def _refuse_over_limit(name: str, n_rows: int, limit: int) -> None:
    if n_rows > limit:
        raise ParameterError(f"The plan's {name!r} sheet would hold {n_rows:,} rows, more than the {limit:,} a "
                             f"worksheet holds: the plan is too large for one workbook.")


def _build_layout(tables: _Frames, limit: int) -> _Layout:
    labels = list(tables.years["label"])
    saving_columns = tuple(_c(f"saving_{t}", f"Saving {label}", 12, _MONEY) for t, label in enumerate(labels))
    overlap_columns = tuple(
        _c(key, header, width, style) for key, header, width, style in tables.overlap_columns)
    roadmap_columns = (_c("option", "Option", 10), _c("type", "Type", 20), _c("capability", "Capability", 30),
                       _c("start", "Start", 9), _c("end", "End", 9),
                       *(_c(f"year_{i}", label, 11) for i, label in enumerate(tables.roadmap_labels)),
                       _c("start_reason", "Start set by", 50))
    for name, frame in (("Options", tables.options), ("Option systems", tables.effects),
                        ("Cash flows", tables.cash_flows), ("Partner shares", tables.partner_shares),
                        ("Partners", tables.partners), ("Overlaps", tables.overlaps),
                        ("Roadmap", tables.roadmap), ("Roadmap events", tables.events), ("Sites", tables.sites),
                        ("Defaults used", tables.defaults)):
        _refuse_over_limit(name, len(frame), limit)
    systems = tuple(_Table(sheet, _SYSTEM_COLUMNS, n)
                    for sheet, n in _parts("Systems", len(tables.systems), limit))
    issues = tuple(_Table(sheet, _ISSUE_COLUMNS, n)
                   for sheet, n in _parts("Data issues", len(tables.issues), limit))
    n_assumptions = len(tables.assumptions)
    horizon = len(labels)
    headline_labels = tuple(_HEADLINE_STYLES)
    headline = _Table("Summary", (_c("label", "Figure", 34), _c("value", "Value", 21)), len(headline_labels),
                      header_row=3, streamed=False)
    status_row = headline.row(len(headline_labels)) + 1
    narrative_title_row = status_row + 3
    narrative_rows = max(1, min(_TOP_OPTIONS, len(tables.top_options)))
    portfolio_title_row = narrative_title_row + narrative_rows + 2
    portfolio = _Table("Summary", _PORTFOLIO_COLUMNS, horizon, header_row=portfolio_title_row + 1, streamed=False)
    summary = _SummaryLayout(
        title_row=0, subtitle_row=1, headline=headline, headline_labels=headline_labels, live_first_col=3,
        status_row=status_row, message_row=status_row + 1, narrative_title_row=narrative_title_row,
        narrative_rows=narrative_rows, portfolio=portfolio, portfolio_title_row=portfolio_title_row,
        chart_col=0, chart_row=portfolio.last_row + 3,
    )
    assumptions = _Table("Assumptions", _ASSUMPTION_COLUMNS, n_assumptions, streamed=False)
    derived = _Table("Assumptions", _ASSUMPTION_COLUMNS[:5], len(_DERIVED), header_row=assumptions.last_row + 3,
                     streamed=False)
    order = (
        "Summary", "Options", "Partners", "Roadmap", "Roadmap events", "Cash flows",
        *(t.sheet for t in systems), "Sites", "Overlaps", "Assumptions", "Sensitivity", "Option sensitivity",
        *(t.sheet for t in issues), "Defaults used",
        "Option systems", "Partner shares", "Years",
    )
    return _Layout(
        order=order,
        summary=summary,
        options=_Table("Options", _OPTION_COLUMNS, len(tables.options)),
        option_systems=_Table("Option systems", _OPTION_SYSTEM_COLUMNS + saving_columns, len(tables.effects)),
        cash_flows=_Table("Cash flows", _CASH_FLOW_COLUMNS, len(tables.cash_flows)),
        partner_shares=_Table("Partner shares", _PARTNER_SHARE_COLUMNS + (
            _SERVICE_SHARE_COLUMNS if tables.services is not None else ()), len(tables.partner_shares)),
        partners=_Table("Partners", _PARTNER_COLUMNS[:1] + (
            (_c("successor", "Successor", 40),) if "successor" in tables.partners else ()) + _PARTNER_COLUMNS[1:],
            len(tables.partners), streamed="successor" not in tables.partners),  # successors beside: cell by cell
        systems=systems,
        sites=_Table("Sites", _SITE_COLUMNS, len(tables.sites)),
        issues=issues,
        defaults=_Table("Defaults used", _DEFAULT_COLUMNS, len(tables.defaults)),
        overlaps=_Table("Overlaps", overlap_columns, len(tables.overlaps)),
        roadmap=_Table("Roadmap", roadmap_columns, len(tables.roadmap)),
        events=_Table("Roadmap events", _EVENT_COLUMNS, len(tables.events)),
        assumptions=assumptions,
        derived=derived,
        years=_Table("Years", _YEAR_COLUMNS, horizon),
        sensitivity=_Table("Sensitivity", _SENSITIVITY_COLUMNS, len(tables.sensitivity), streamed=False),
        option_sensitivity=_Table("Option sensitivity", _OPTION_SENSITIVITY_COLUMNS, len(tables.option_sensitivity)),
        services=None if tables.services is None else _Table("Shared services", _SERVICE_COLUMNS,
                                                             len(tables.services), streamed=False),
    )


# --------------------------------------------------------------------------- #
# The data: every value the sheets show, and every figure the formulas store
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class _Frames:
    """The plan's tables, keyed by the layout's column keys."""

    options: pd.DataFrame
    effects: pd.DataFrame
    cash_flows: pd.DataFrame
    partner_shares: pd.DataFrame
    partners: pd.DataFrame
    systems: pd.DataFrame
    sites: pd.DataFrame
    issues: pd.DataFrame
    defaults: pd.DataFrame
    overlaps: pd.DataFrame
    overlap_columns: tuple[tuple[str, str, float, str], ...]
    roadmap: pd.DataFrame
    roadmap_labels: tuple[str, ...]
    events: pd.DataFrame
    assumptions: pd.DataFrame
    years: pd.DataFrame
    portfolio: pd.DataFrame
    headline: dict[str, float]
    top_options: pd.DataFrame
    sensitivity: pd.DataFrame
    option_sensitivity: pd.DataFrame
    services: pd.DataFrame | None = None


def _fy_labels(years: Iterable[Any], first_month: int) -> list[str]:
    """:func:`estate.appraisal.fy_label` of each year, worked out once a distinct year."""
    from estate.appraisal import fy_label

    values = [int(y) for y in years]
    labels = {y: fy_label(y, first_month=first_month) for y in set(values)}
    return [labels[y] for y in values]


def _default_texts(columns: Iterable[str], values: Iterable[object], currency: str) -> list[str]:
    """:func:`estate.narrative.default_text` of each default, worked out once a distinct (column, value)."""
    done: dict[tuple, str] = {}
    out = []
    for column, value in zip(columns, values, strict=True):
        sign = math.copysign(1.0, value) if isinstance(value, float) else 0.0  # -0.0 prints as "-0"
        key = (column, type(value), value, sign)
        try:
            text = done.get(key)
        except TypeError:  # unhashable: not remembered
            text, key = None, None
        if text is None:
            text = default_text(column, value, currency)
            if key is not None:
                done[key] = text
        out.append(text)
    return out


def _text_or(primary: pd.Series, fallback: pd.Series) -> pd.Series:
    return primary.where(primary.notna() & primary.astype(str).str.strip().ne(""), fallback)


def _get(frame: pd.DataFrame, column: str, default: Any = None) -> pd.Series:
    if column in frame:
        return frame[column]
    return pd.Series(default, index=frame.index, dtype=object)


def _numbers(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(_get(frame, column), errors="coerce").astype(float)


def _discount_base(matched: pd.DataFrame) -> pd.Series:
    """What a joint contract discounts, by system key: licence plus support, or the annual cost."""
    licence, support = _numbers(matched, "licence_cost"), _numbers(matched, "support_cost")
    breakdown = licence.notna() | support.notna()
    base = np.where(breakdown, licence.fillna(0.0) + support.fillna(0.0), _numbers(matched, "annual_cost").fillna(0.0))
    return pd.Series(base, index=matched["system_key"].astype(str).to_numpy())


def _start_reasons(plan: Plan) -> pd.Series:
    """``reason: detail`` of each recommended option's start, by option id (empty without a schedule)."""
    schedule = getattr(plan, "schedule", None)
    if schedule is None or not len(schedule.table):
        return pd.Series(dtype=object)
    t = schedule.table
    text = t["reason"].astype(str) + np.where(t["detail"].astype(str).ne(""), ": " + t["detail"].astype(str), "")
    return pd.Series(text.to_numpy(), index=t["option_id"].to_numpy())


def _frames(plan: Plan) -> _Frames:
    from estate.appraisal import fy_start, year_fractions

    a = plan.assumptions
    o = plan.options
    chosen = set(plan.recommended)
    years = pd.DataFrame({"t": np.arange(a.horizon_years), "fy": a.first_year + np.arange(a.horizon_years)})
    years["year"] = _fy_labels(years["fy"], a.first_month)
    years["label"] = years["year"]
    years["first_day"] = [pd.Timestamp(fy_start(int(y), first_month=a.first_month)) for y in years["fy"]]
    years["next_first_day"] = [pd.Timestamp(fy_start(int(y) + 1, first_month=a.first_month)) for y in years["fy"]]
    years["days"] = (years["next_first_day"] - years["first_day"]).dt.days.astype(float)
    earliest = pd.Timestamp(fy_start(a.first_year, first_month=a.first_month)) + pd.DateOffset(
        months=a.migration_months)

    # Options, recommended first, then by NPV; what set each recommended option's start.
    table = plan.options_table()
    reasons = _start_reasons(plan)
    effects = o.effects.copy()
    kind_of = table.set_index("option_id")["type"]
    effects["kind"] = effects["option_id"].map(kind_of)
    consolidating = effects["kind"].isin(_CONSOLIDATING)
    survive, retire = effects["effect"].eq("survive"), effects["effect"].eq("retire")
    site = retire & effects["path"].eq("site closure")
    system_retire = retire & ~site & consolidating
    per_option = pd.DataFrame({  # summed in one grouping (the option ids hashed once, not once a column)
        "survivor_cost": effects["annual_cost"].where(survive, 0.0),
        "survivor_users": effects["users"].where(survive, 0.0),
        "retired_users": effects["users"].where(retire, 0.0),
        **{f"survivor_{kind}": effects[f"cost_{kind}"].where(survive, 0.0).fillna(0.0) for kind in COST_KINDS},
        "retired_staff": effects["cost_staff"].where(retire, 0.0).fillna(0.0),
    }).groupby(effects["option_id"]).sum()
    year0 = o.one_off_breakdown[o.one_off_breakdown["category"].isin(
        ["assessment_planning", "joint_procurement", "stakeholder_engagement"])]
    year0 = year0.groupby("option_id")["amount_before_bias"].sum()
    words = option_words(plan, table)
    options = pd.DataFrame({
        "option": table["option_id"], "description": words["description"], "type": table["type"],
        "capability": _text_or(table["capability_name"], table["capability_code"]),
        "target": words["target"], "lead": table["lead_organisation"], "partners": table["partners"],
        "systems_retired": table["systems_retired"], "run_cost_before": table["run_cost_before"],
        "run_cost_after": table["run_cost_after"], "annual_saving": table["annual_saving"],
        "one_off": table["one_off_cost"], "npv": table["npv"], "payback": table["payback_years"],
        "start": _fy_labels(table["start_year"], a.first_month),
        "recommended": np.where(table["recommended"], "Yes", "No"),
        "end": _fy_labels(table["end_year"], a.first_month),
        "meets_minimum": np.where(table["meets_minimum_npv"], "Yes", "No"),
        "capability_code": table["capability_code"], "target_key": table["target"],
        "n_partners": table["n_partners"], "n_retired": table["n_retired"],
        "year0": table["option_id"].map(year0).fillna(0.0), "pv_savings": table["pv_savings"],
        "pv_costs": table["pv_costs"], "rationale": table["rationale"], "start_fy": table["start_year"],
        "start_reason": table["option_id"].map(reasons).astype(object).fillna(""),
    })
    for column in ("survivor_cost", "survivor_users", "retired_users", "retired_staff",
                   *(f"survivor_{kind}" for kind in COST_KINDS)):
        options[column] = table["option_id"].map(per_option[column]).where(table["type"].isin(_CONSOLIDATING))
    options["received_users"] = table["received_users"].where(table["type"].isin(_CONSOLIDATING))
    options["cashable_saving"] = table["cashable_saving"]
    options["non_cashable_saving"] = table["non_cashable_saving"]

    # Option systems: the per-system inputs and the figures the formulas rebuild.
    kinds = effects["kind"]
    bases = _discount_base(plan.matched)
    recontract, move = effects["effect"].eq("recontract"), effects["effect"].eq("move")
    f = effects
    categories = {key: pd.Series(np.nan, index=f.index) for key, _ in _CATEGORIES}
    categories["parallel_running"] = (f["annual_cost"] * a.double_running_months / 12.0).where(system_retire)
    categories["vendor_management"] = pd.Series(float(a.vendor_management_per_contract), index=f.index).where(
        system_retire | recontract)
    categories["training"] = (f["users"] * a.training_per_user).where(system_retire)
    categories["integration_rework"] = (f["interfaces"] * a.integration_rework_per_interface).where(system_retire)
    categories["data_migration"] = pd.Series(float(a.data_migration_per_system), index=f.index).where(system_retire)
    rates = {"EPR platform": a.epr_replacement_per_user, "ERP platform": a.erp_replacement_per_user,
             "platform": a.platform_replacement_per_user}
    categories["replacement_programme"] = (f["users"] * f["replacement_class"].map(rates)).where(
        system_retire & f["replacement_class"].isin(list(rates)))
    categories["contract_exit"] = f["exit_cost_paid"].where(system_retire)
    categories["hosting_move"] = pd.Series(float(a.hosting_move_per_system), index=f.index).where(move)
    categories["site_exit"] = f["exit_cost_paid"].where(site)
    cost_date = f["retire_date"].where(retire, f["saving_start"].where(recontract))
    delays = _get(f, "delay_years", 0).fillna(0).astype(np.int64)  # a phased option's dates move with it
    moved = pd.Series(earliest, index=f.index)
    for k in sorted(set(delays[move]) - {0}):
        moved[delays.eq(k)] = earliest + pd.DateOffset(years=int(k))
    cost_date = cost_date.where(~move, moved)
    cost_date = pd.to_datetime(cost_date)
    cost_fy = cost_date.dt.year - (cost_date.dt.month < a.first_month)
    starts = pd.to_datetime(f["saving_start"]).to_numpy().astype("datetime64[D]")
    has_start = ~np.isnat(starts)
    fractions = np.zeros((len(f), a.horizon_years))
    if has_start.any():
        fractions[has_start] = year_fractions(starts[has_start][:, None], None, years["fy"].to_numpy()[None, :],
                                              first_month=a.first_month)
    effects_out = pd.DataFrame({
        "option": f["option_id"], "system_key": f["system_key"], "organisation": f["organisation"],
        "effect": f["effect"], "path": f["path"], "destination": f["destination"], "users": f["users"],
        "annual_cost": f["annual_cost"],
        "discount_base": f["system_key"].map(bases).where(recontract),
        "interfaces": f["interfaces"], "contract_end": f["contract_end"], "notice": f["notice_months"],
        "natural_end": f["natural_end"], "exit_cost": f["exit_cost"], "retire_date": f["retire_date"],
        "saving_start": f["saving_start"], "cost_date": cost_date,
        "cost_fy": cost_fy.where(cost_date.notna()),
        "uplift": f["uplift"], "net_saving": f["net_saving"],
        **categories,
        "one_off": pd.DataFrame(categories).sum(axis=1),
        "npv_contract_end": f["npv_contract_end"], "npv_early_exit": f["npv_early_exit"],
        **{f"cost_{kind}": f[f"cost_{kind}"].where(consolidating) for kind in COST_KINDS},
        "replacement_class": f["replacement_class"].where(system_retire, ""),
        "kind": kinds, "site": site, "system_retire": system_retire,
    })
    for t in range(a.horizon_years):
        effects_out[f"saving_{t}"] = np.where(has_start, f["net_saving"].fillna(0.0).to_numpy() * fractions[:, t],
                                              np.nan)
    effects_out = effects_out.reset_index(drop=True)

    # Cash flows.
    flows = o.cash_flows.reset_index(drop=True)
    previous = flows["cumulative_net"] - flows["net"]
    crossing = np.where((previous < 0) & (flows["cumulative_net"] >= 0),
                        flows["t"] + (-previous) / flows["net"].where(flows["net"] != 0), np.nan)
    cash_flows = pd.DataFrame({
        "option": flows["option_id"], "year": flows["label"], "t": flows["t"], "fy": flows["year"],
        "recommended": np.where(flows["option_id"].isin(chosen), "Yes", "No"),
        "savings": flows["savings"], "costs": flows["costs"], "net": flows["net"],
        "discount_factor": flows["discount_factor"], "present_value": flows["present_value"],
        "pv_savings": flows["savings"] * flows["discount_factor"],
        "pv_costs": flows["costs"] * flows["discount_factor"], "cumulative": flows["cumulative_net"],
        "crossing": crossing,
    })

    # Partner shares and partners.
    shares = o.partner_shares.reset_index(drop=True)
    keyed = effects.assign(_before=effects["annual_cost"].where(~move, 0.0))
    grouped = keyed.groupby(["option_id", "organisation"])
    users = grouped["users"].sum()
    own = grouped["net_saving"].sum()
    index = pd.MultiIndex.from_frame(shares[["option_id", "organisation"]])
    share_users = users.reindex(index).to_numpy()
    if a.allocation_rule == "users":
        basis = share_users
    elif a.allocation_rule == "spend":
        basis = shares["run_cost_before"].to_numpy()
    else:
        basis = np.ones(len(shares))
    basis = pd.Series(basis, index=shares.index, dtype=float)
    partner_shares = pd.DataFrame({
        "option": shares["option_id"], "organisation": shares["organisation"],
        "type": shares["option_id"].map(kind_of),
        "recommended": np.where(shares["option_id"].isin(chosen), "Yes", "No"),
        "users": share_users, "run_cost_before": shares["run_cost_before"], "own_saving": own.reindex(index)
        .to_numpy(), "basis": basis, "basis_total": basis.groupby(shares["option_id"]).transform("sum"),
        "n_partners": shares.groupby("option_id")["organisation"].transform("size").astype(float),
        "weight": shares["cost_share"], "run_cost_after": shares["run_cost_after"],
        "annual_saving": shares["annual_saving"], "saving_share": shares["saving_share"],
        "cost_share": shares["cost_share"], "one_off": shares["one_off_cost"], "npv": shares["npv"],
        # Each partner's part of the option's cashable saving, by its saving share (before bias), and the
        # service charge of a shared service across successors (cash received, or paid when negative).
        "cashable": shares["saving_share"] * shares["option_id"].map(
            o.options.set_index("option_id")["cashable_saving"]).fillna(0.0) + _numbers(shares, "service_charge")
        .fillna(0.0),
        "service_role": _get(shares, "service_role", ""), "service_charge": _numbers(shares, "service_charge"),
        "pv_service_charge": _numbers(shares, "pv_service_charge"),
    })
    services = _services_frame(plan, chosen)
    p = plan.partners.partners.reset_index(drop=True)
    chosen_shares = partner_shares.loc[partner_shares["recommended"] == "Yes"]
    cashable = chosen_shares.groupby("organisation")["cashable"].sum()
    saving = chosen_shares.groupby("organisation")["annual_saving"].sum()
    partners = pd.DataFrame({
        "organisation": p["organisation"], "run_cost_today": p["run_cost_today"].fillna(0.0),
        "annual_saving": p["annual_saving"], "one_off": p["one_off_cost"], "npv": p["npv"],
        "transfer": p["transfer"], "npv_after": p["npv_after_transfer"], "position": p["position"],
        "options": p["options"],
        "cashable": p["organisation"].map(cashable).fillna(0.0),
        "non_cashable": p["organisation"].map(saving).fillna(0.0) - p["organisation"].map(cashable).fillna(0.0),
    })
    if plan.reorganisation is not None and plan.reorganisation.active:  # each predecessor's successor(s)
        from estate.reorganisation import successor_of

        partners["successor"] = successor_of(partners["organisation"], plan.inventory.organisations)

    # Systems and data issues: values.
    s = plan.systems_table().reset_index(drop=True)
    systems = pd.DataFrame({
        "source_file": _get(s, "source_file"), "source_row": _get(s, "source_row"),
        "organisation": _get(s, "organisation"), "system": _get(s, "system"),
        "vendor": _text_or(_get(s, "vendor_name"), _get(s, "vendor")),
        "product": _text_or(_get(s, "product_name"), _get(s, "product")),
        "capability": _capabilities_served(s),
        "annual_cost": _numbers(s, "annual_cost"), "users": _numbers(s, "users"),
        "contract_end": pd.to_datetime(_get(s, "contract_end"), errors="coerce"),
        "match_confidence": _numbers(s, "match_confidence"), "option": _get(s, "option"),
        "fate": _get(s, "fate"), "source_sheet": _get(s, "source_sheet"), "system_key": _get(s, "system_key"),
        "capability_code": _get(s, "capability_code"), "vendor_given": _get(s, "vendor"),
        "product_given": _get(s, "product"), "hosting": _get(s, "hosting"), "site": _get(s, "site"),
        "lifecycle": _get(s, "lifecycle"),
    })
    # Sites: values; a site a recommended option closes is retired.
    site_table = plan.inventory.sites.reset_index(drop=True)
    site_keys = "site:" + _get(site_table, "site_key").astype(str)
    closing = o.effects[o.effects["path"].eq("site closure") & o.effects["option_id"].isin(chosen)]
    closed_by = closing.sort_values("option_id").groupby("system_key")["option_id"].agg("; ".join)
    site_option = site_keys.map(closed_by)
    sites = pd.DataFrame({
        "organisation": _get(site_table, "organisation"), "site": _get(site_table, "site"),
        "site_type": _get(site_table, "site_type"), "annual_cost": _numbers(site_table, "annual_cost"),
        "racks": _numbers(site_table, "racks"), "utilisation": _numbers(site_table, "utilisation"),
        "contract_end": pd.to_datetime(_get(site_table, "contract_end"), errors="coerce"),
        "option": site_option.fillna(""), "fate": np.where(site_option.notna(), "Close", "Keep"),
        "source_file": _get(site_table, "source_file"), "source_row": _get(site_table, "source_row"),
        "site_key": _get(site_table, "site_key"),
    })

    issues, defaults = _issue_frames(plan, systems)

    # Overlaps: capability by organisation.
    matrix = getattr(plan.overlaps, "capability_matrix", None)
    if not isinstance(matrix, pd.DataFrame):
        matrix = pd.DataFrame()
    flat = matrix.reset_index() if len(matrix.index.names) > 1 or matrix.index.name else matrix.copy()
    overlap_columns: list[tuple[str, str, float, str]] = []
    names = {"capability_code": ("Capability code", 14.0, "text"), "capability_name": ("Capability", 34.0, "text")}
    columns: dict[str, np.ndarray] = {}
    for i, column in enumerate(flat.columns):
        header, width, style = names.get(str(column), (str(column), 14.0, _MONEY))
        if str(column) not in names and not pd.api.types.is_numeric_dtype(flat[column]):
            style = "text"
        key = f"c{i}"
        overlap_columns.append((key, header, width, style))
        columns[key] = flat[column].to_numpy()
    overlaps = pd.DataFrame(columns, index=flat.index)  # built at once: one column an organisation
    numeric = [key for key, _, _, style in overlap_columns if style == _MONEY]
    if numeric:
        values = overlaps[numeric].astype(float)
        overlaps = overlaps.assign(organisations=(values > 0).sum(axis=1).astype(float), total=values.sum(axis=1))
        overlap_columns += [("organisations", "Organisations", 13.0, _INT), ("total", "Total", 14.0, _MONEY)]

    # Roadmap.
    grid = plan.roadmap.by_year.reset_index(drop=True)
    roadmap_labels = tuple(str(c) for c in grid.columns if c not in ("option_id", "start", "end"))
    roadmap = pd.DataFrame({
        "option": grid["option_id"] if "option_id" in grid else pd.Series(dtype=object),
        "type": _get(grid, "option_id").map(kind_of),
        "capability": _get(grid, "option_id").map(options.set_index("option")["capability"]),
        "start": _get(grid, "start"), "end": _get(grid, "end"),
        **{f"year_{i}": grid[label] for i, label in enumerate(roadmap_labels)},
        "start_reason": _get(grid, "option_id").map(reasons).astype(object).fillna(""),
    })
    ev = plan.roadmap.events.reset_index(drop=True)
    events = pd.DataFrame({"option": _get(ev, "option_id"), "date": pd.to_datetime(_get(ev, "date")),
                           "year": _get(ev, "label"), "event": _get(ev, "event"),
                           "system_key": _get(ev, "system_key"), "organisation": _get(ev, "organisation"),
                           "detail": _get(ev, "detail")})

    # Sensitivity: the portfolio's switching values and simulation, the tornado beside them.
    sens = plan.sensitivity()
    tornado = sens.tornado.add_prefix("t_")
    sensitivity = pd.concat([sens.table.reset_index(drop=True), tornado], axis=1)
    option_sensitivity = sens.options.rename(columns={"option_id": "option"})

    recommended = options[options["recommended"] == "Yes"].sort_values(["npv", "option"], ascending=[False, True],
                                                                         kind="stable")
    return _Frames(
        options=options.reset_index(drop=True), effects=effects_out, cash_flows=cash_flows,
        partner_shares=partner_shares, partners=partners, systems=systems, sites=sites, issues=issues,
        defaults=defaults, overlaps=overlaps,
        overlap_columns=tuple(overlap_columns), roadmap=roadmap, roadmap_labels=roadmap_labels, events=events,
        assumptions=a.to_frame(), years=years, portfolio=plan.portfolio_cash_flows(), headline=plan.headline(),
        top_options=recommended.head(_TOP_OPTIONS), sensitivity=sensitivity,
        option_sensitivity=option_sensitivity, services=services,
    )


def _services_frame(plan: Plan, chosen: set[str]) -> pd.DataFrame | None:
    """The ``Shared services`` rows (estate.shared_services.service_terms), or None when the plan has none."""
    reorg = plan.reorganisation
    terms = None if reorg is None else reorg.services
    if terms is None or not len(terms) or "host" not in terms:
        return None
    a = plan.assumptions
    return pd.DataFrame({
        "option": terms["option_id"], "recommended": np.where(terms["option_id"].isin(chosen), "Yes", "No"),
        "host": terms["host"], "buyers": terms["buyers"], "host_organisations": terms["host_organisations"],
        "buyer_organisations": terms["buyer_organisations"], "n_buyers": terms["n_buyers"].astype(float),
        "start_fy": terms["start_year"], "end_date": pd.to_datetime(terms["end_date"]),
        "renewal_fy": terms["renewal_year"], "renewal_cost": terms["renewal_cost_before_bias"],
        "service_charge": terms["service_charge"], "after_end": terms["after_end"],
        "start_label": _fy_labels(terms["start_year"], a.first_month),
    }).reset_index(drop=True)


def _issue_frames(plan: Plan, systems: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``Data issues`` (the inventory's, worst first, and one row a kind of default) and ``Defaults used``."""
    from estate.inventory import SEVERITIES

    inventory = plan.issues(defaults=False).reset_index(drop=True)
    rank = inventory["severity"].map({s: i for i, s in enumerate(SEVERITIES)}).fillna(len(SEVERITIES))
    inventory = inventory.iloc[np.argsort(rank.to_numpy(), kind="stable")].reset_index(drop=True)
    d = plan.options.defaults_used.reset_index(drop=True)
    kinds = default_kinds(d)
    summary = pd.DataFrame({
        "source_file": "", "sheet": "Defaults used", "source_row": pd.array([pd.NA] * len(kinds), dtype="Int64"),
        "column": kinds["column"], "severity": "info",
        "problem": [f"default used in costing for {n:,} system{'s' if n != 1 else ''} of {k:,} organisation"
                    f"{'s' if k != 1 else ''} (each on the 'Defaults used' sheet): {note}"
                    for n, k, note in zip(kinds["count"], kinds["organisations"], kinds["note"], strict=True)],
        "value": [f"{n:,} system{'s' if n != 1 else ''}" for n in kinds["count"]],
    })
    issues = pd.concat([inventory.loc[:, list(summary.columns)], summary], ignore_index=True) if len(summary) \
        else inventory
    issues = pd.DataFrame({key: _get(issues, key) for key in
                           ("source_file", "sheet", "source_row", "column", "severity", "problem", "value")})
    names = systems.drop_duplicates("system_key").set_index("system_key")["system"]
    currency = plan.assumptions.currency
    defaults = pd.DataFrame({
        "organisation": _get(d, "organisation"), "system": _get(d, "system_key").map(names),
        "column": _get(d, "column"),
        "default": _default_texts(_get(d, "column").tolist(), _get(d, "default").tolist(), currency),
        "note": _get(d, "note"), "source_file": _get(d, "source_file"), "sheet": _get(d, "source_sheet"),
        "source_row": _get(d, "source_row"), "system_key": _get(d, "system_key"),
    })
    defaults = defaults.sort_values(["organisation", "source_file", "sheet", "source_row", "column"],
                                    kind="stable", na_position="last").reset_index(drop=True)
    return issues.reset_index(drop=True), defaults


# --------------------------------------------------------------------------- #
# Cells
# --------------------------------------------------------------------------- #


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, (float, np.floating)):
        return not math.isfinite(float(value))
    return False


def _put(ws: PlanWorksheet, row: int, col: int, value: object, fmt: Format | None) -> None:
    """Write one value by its type: text always as text, never as a formula."""
    if _missing(value):
        if fmt is not None:
            ws.write_blank(row, col, None, fmt)
    elif isinstance(value, str):
        ws.write_string(row, col, value, fmt)
    elif isinstance(value, (bool, np.bool_)):
        ws.write_string(row, col, "Yes" if value else "No", fmt)
    elif isinstance(value, (pd.Timestamp, datetime, date, np.datetime64)):
        stamp = pd.Timestamp(value)
        ws.write_datetime(row, col, stamp.to_pydatetime().replace(tzinfo=None), fmt)
    elif isinstance(value, (int, float, np.integer, np.floating)):
        ws.write_number(row, col, float(value), fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def _stored(value: object) -> float | str:
    """The value a formula cell stores: a number, or "" for a blank result."""
    if isinstance(value, str):
        return value
    if _missing(value):
        return ""
    return float(value)  # type: ignore[arg-type]


class _Styles:
    """The workbook's cell formats, by style name."""

    def __init__(self, wb: Workbook, currency: str) -> None:
        symbol = CURRENCY_SYMBOLS.get(currency)
        money = (f"{symbol}#,##0;[Red]-{symbol}#,##0" if symbol
                 else f'#,##0 "{currency}";[Red]-#,##0 "{currency}"')
        spec = {
            "text": {}, _MONEY: {"num_format": money}, _INT: {"num_format": "#,##0"},
            _NUMBER: {"num_format": "#,##0.00"}, _YEARS: {"num_format": '[=0]"within the first year";0.0'}, _DATE: {"num_format": "dd/mm/yyyy"},
            _PCT: {"num_format": "0.0%"}, _FACTOR: {"num_format": "0.000000"}, "general": {"num_format": "General"},
        }
        self._formats = {name: wb.add_format(props) for name, props in spec.items()}
        self._formats["formula_text"] = self._formats["text"]
        self.header = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#1F3864",
                                     "font_color": "#FFFFFF", "border": 1})
        self.title = wb.add_format({"bold": True, "font_size": 16})
        self.subtitle = wb.add_format({"italic": True, "font_color": "#595959"})
        self.section = wb.add_format({"bold": True, "font_size": 12})
        self.label = wb.add_format({"bold": True})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top", "font_size": 9})
        self.box = wb.add_format({"text_wrap": True, "valign": "top", "font_size": 9, "border": 1,
                                  "bg_color": "#F2F2F2"})
        self.good = wb.add_format({"font_color": "#006100", "bg_color": "#C6EFCE"})
        self.bad = wb.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE"})
        self.warn = wb.add_format({"font_color": "#9C5700", "bg_color": "#FFEB9C"})
        self.highlight = wb.add_format({"bg_color": "#E2EFDA"})
        self.start = wb.add_format({"bg_color": "#DDEBF7"})
        self.migrate = wb.add_format({"bg_color": "#F2F2F2"})
        self.retire = wb.add_format({"bg_color": "#FCE4D6"})

    def __getitem__(self, name: str) -> Format:
        return self._formats[name]


class _Names:
    """Workbook names of assumptions, recording which ones the formulas use."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def __call__(self, name: str) -> str:
        self.used.add(name)
        return name

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        return self(name)


def _exact(cell: Formula) -> Formula:
    """A SUMIFS criterion matching the text of ``cell`` exactly: no operators, no wildcards."""
    return cat('"="&SUBSTITUTE(SUBSTITUTE(SUBSTITUTE(', cell, ',"~","~~"),"*","~*"),"?","~?")')


def _sumifs(total: Formula, *pairs: tuple[str, Formula]) -> Formula:
    return cat("SUMIFS(", total, *(piece for r, c in pairs for piece in (",", r, ",", c)), ")")


def _plus(*terms: Formula) -> Formula:
    return cat(*(piece for k, term in enumerate(terms) for piece in (("+", term) if k else (term,))))


def _width(column: _Column, values: pd.Series | None) -> float:
    if column.style != "text" or values is None or not len(values):
        return max(column.width, min(len(column.header) * 0.9, 18))
    sample = values.head(500).dropna().astype(str)
    longest = int(sample.str.len().max()) if len(sample) else 0
    cap = max(_MAX_WIDTH, column.width)  # a column declared wide (a description, a problem) may be that wide
    return float(min(cap, max(len(column.header) * 0.9, min(longest + 2, column.width * 1.5), 8)))


def _prepare_sheet(ws: PlanWorksheet, table: _Table, styles: _Styles, frame: pd.DataFrame | None,
                   *, filter_: bool = True) -> None:
    """Headers, widths, frozen header row and autofilter of a table."""
    _write_headers(ws, table, styles, frame)
    page = page_for(table.sheet)
    through = page.print_through
    set_up_page(ws, page, header_row=table.header_row, last_row=table.last_row, last_col=table.last_col,
                print_last_col=table.col(through) if through and table.has(through) else None,
                frozen_columns=table.frozen_columns)
    if filter_:
        ws.autofilter(table.header_row, 0, table.last_row, table.last_col)


def _write_headers(ws: PlanWorksheet, table: _Table, styles: _Styles, frame: pd.DataFrame | None) -> None:
    """A table's header row and column widths."""
    for column in table.columns:
        j = table.col(column.key)
        ws.write_string(table.header_row, j, column.header, styles.header)
        values = frame[column.key] if frame is not None and column.key in frame else None
        ws.set_column(j, j, _width(column, values))
    ws.set_row(table.header_row, 32)


def _write_values(ws: PlanWorksheet, table: _Table, frame: pd.DataFrame, styles: _Styles,
                  keys: Iterable[str] | None = None) -> None:
    """Write the value columns of a table (formula columns are written by their sheet)."""
    wanted = [c for c in table.columns if c.key in frame and (keys is None or c.key in keys)]
    for column in wanted:
        j = table.col(column.key)
        fmt = styles[column.style] if column.style != "text" else None
        if table.streamed:
            ws.column(table.first_row, j, frame[column.key], fmt)
            continue
        for i, value in enumerate(frame[column.key].tolist()):
            _put(ws, table.row(i), j, value, fmt)


def _write_formulas(ws: PlanWorksheet, table: _Table, key: str, frame: pd.DataFrame, styles: _Styles,
                    build: Callable[[], Formula]) -> None:
    """Write one formula column: ``build()`` gives the formulas (None in a row: write the value there).

    The values of column ``key`` of ``frame`` are what the formulas store.
    """
    if not table.n_rows:
        return
    j = table.col(key)
    column = table.columns[j - table.first_col]
    fmt = styles[column.style] if column.style != "text" else None
    values = frame[key] if key in frame else pd.Series(None, index=frame.index, dtype=object)
    formulas = build()
    if table.streamed:
        ws.column(table.first_row, j, values, fmt, formulas)
        return
    formulas = per_row(formulas)
    for i, value in enumerate(values.tolist()):
        formula = formulas if isinstance(formulas, str) else formulas[i]
        if formula is None:
            _put(ws, table.row(i), j, value, fmt)
        else:
            ws.write_formula(table.row(i), j, "=" + formula, fmt, _stored(value))


# --------------------------------------------------------------------------- #
# Sheets
# --------------------------------------------------------------------------- #


def _write_years(ws: PlanWorksheet, L: _Layout, d: _Frames, styles: _Styles) -> None:
    y = L.years
    _prepare_sheet(ws, y, styles, d.years, filter_=False)
    _write_values(ws, y, d.years, styles, ["t", "fy", "year", "first_day", "next_first_day"])
    _write_formulas(ws, y, "days", d.years, styles, lambda: cat(y.cells("next_first_day"), "-", y.cells("first_day")))


def _write_option_systems(ws: PlanWorksheet, L: _Layout, d: _Frames, styles: _Styles, n: _Names) -> None:
    s, opt, y = L.option_systems, L.options, L.years
    e = d.effects
    rows = len(e)
    _prepare_sheet(ws, s, styles, e)
    _write_values(ws, s, e, styles, ["option", "system_key", "organisation", "effect", "path", "destination", "users",
                                     "annual_cost", "discount_base", "interfaces", "contract_end", "notice",
                                     "natural_end", "exit_cost", "retire_date", "saving_start", "cost_date",
                                     "npv_contract_end", "npv_early_exit", *(f"cost_{k}" for k in COST_KINDS),
                                     "replacement_class"])
    effect = e["effect"].to_numpy()
    consolidating = e["kind"].isin(_CONSOLIDATING).to_numpy()
    site, system_retire = e["site"].to_numpy(dtype=bool), e["system_retire"].to_numpy(dtype=bool)
    recontract, move, survive = effect == "recontract", effect == "move", effect == "survive"

    def lookup(key: str) -> Formula:
        return _sumifs(opt.span(key), (opt.span("option"), s.cells("option")))

    def replacement_rate() -> Formula:  # the assumption of each retired platform's replacement class
        names = e["replacement_class"].map(_REPLACEMENT_RATES)
        for name in sorted(set(names.dropna())):
            n(name)
        return names.fillna("0").to_numpy(dtype=object)

    def growth() -> Formula:
        return cat("(", lookup("run_cost_after"), "-", lookup("survivor_cost"), ")")

    _write_formulas(ws, s, "uplift", e, styles, lambda: branches(
        rows, (consolidating & survive, growth),
        (consolidating, lambda: cat(growth(), "*", s.cells("users"), "/", lookup("retired_users")))))
    _write_formulas(ws, s, "net_saving", e, styles, lambda: branches(
        rows, (system_retire, lambda: cat(s.cells("annual_cost"), "-", s.cells("uplift"))),
        (recontract, lambda: cat(n.volume_discount, "*", s.cells("discount_base"))),
        (site, lambda: cat(s.cells("annual_cost"), "*(1-", n.hosting_destination_share, ")"))))
    category_formulas: dict[str, tuple[np.ndarray, Callable[[], Formula]]] = {
        "parallel_running": (system_retire, lambda: cat(s.cells("annual_cost"), "*", n.double_running_months, "/12")),
        "vendor_management": (system_retire | recontract, lambda: n.vendor_management_per_contract),
        "training": (system_retire, lambda: cat(s.cells("users"), "*", n.training_per_user)),
        "integration_rework": (system_retire, lambda: cat(s.cells("interfaces"), "*",
                                                           n.integration_rework_per_interface)),
        "data_migration": (system_retire, lambda: n.data_migration_per_system),
        "replacement_programme": (system_retire & e["replacement_class"].isin(_REPLACEMENT_RATES).to_numpy(),
                                  lambda: cat(s.cells("users"), "*", replacement_rate())),
        "contract_exit": (system_retire, lambda: cat("IF(", s.cells("path"), '="early exit",', s.cells("exit_cost"),
                                                     ",0)")),
        "hosting_move": (move, lambda: n.hosting_move_per_system),
        "site_exit": (site, lambda: s.cells("exit_cost")),
    }
    for key, (mask, build) in category_formulas.items():
        _write_formulas(ws, s, key, e, styles, lambda mask=mask, build=build: branches(rows, (mask, build)))
    first, last = _CATEGORIES[0][0], _CATEGORIES[-1][0]
    _write_formulas(ws, s, "one_off", e, styles, lambda: cat("SUM(", s.cells(first), ":", s.cells(last), ")"))
    _write_formulas(ws, s, "cost_fy", e, styles, lambda: branches(rows, (e["cost_date"].notna(), lambda: cat(
        "YEAR(", s.cells("cost_date"), ")-(MONTH(", s.cells("cost_date"), ")<", n.first_month, ")"))))
    has_start = e["saving_start"].notna().to_numpy()
    for t in range(y.n_rows):
        start, end = y.at("first_day", t), y.at("next_first_day", t)
        _write_formulas(ws, s, f"saving_{t}", e, styles, lambda start=start, end=end: branches(rows, (
            has_start, lambda: cat(s.cells("net_saving"), f"*MAX(0,{end}-MAX(", s.cells("saving_start"),
                                   f",{start}))/({end}-{start})"))))


def _recommended_formula(L: _Layout, table: _Table) -> Formula:
    opt = L.options
    return cat(f"IF(COUNTIFS({opt.span('option')},", table.cells("option"), f',{opt.span("recommended")},"Yes")>0,'
               '"Yes","No")')


def _write_cash_flows(ws: PlanWorksheet, L: _Layout, d: _Frames, styles: _Styles, n: _Names) -> None:
    c, s, opt = L.cash_flows, L.option_systems, L.options
    f = d.cash_flows
    _prepare_sheet(ws, c, styles, f)
    _write_values(ws, c, f, styles, ["option", "year", "t", "fy"])
    ts = f["t"].astype(int).to_numpy()
    _write_formulas(ws, c, "recommended", f, styles, lambda: _recommended_formula(L, c))

    def savings() -> Formula:  # each row sums the Option systems column of its own appraisal year
        return branches(len(f), *((ts == t, lambda t=t: cat(n.saving_factor, "*", _sumifs(
            s.span(f"saving_{t}"), (s.span("option"), c.cells("option"))))) for t in range(L.years.n_rows)))

    def costs() -> Formula:
        systems = _sumifs(s.span("one_off"), (s.span("option"), c.cells("option")), (s.span("cost_fy"), c.cells("fy")))
        # The option's own costs (assessment, procurement, engagement) fall in the year it starts.
        start = _sumifs(opt.span("year0"), (opt.span("option"), c.cells("option")), (opt.span("start_fy"), c.cells("fy")))
        if L.services is not None:  # a shared service's renewal, in the year after its agreement ends
            ss = L.services
            renewal = _sumifs(ss.span("renewal_cost"), (ss.span("option"), c.cells("option")),
                              (ss.span("renewal_fy"), c.cells("fy")))
            return cat(n.cost_factor, "*(", systems, "+", start, "+", renewal, ")")
        return cat(n.cost_factor, "*(", systems, "+", start, ")")

    _write_formulas(ws, c, "savings", f, styles, savings)
    _write_formulas(ws, c, "costs", f, styles, costs)
    _write_formulas(ws, c, "net", f, styles, lambda: cat(c.cells("savings"), "-", c.cells("costs")))
    _write_formulas(ws, c, "discount_factor", f, styles, lambda: cat("1/(1+", n.discount_rate, ")^", c.cells("t")))
    _write_formulas(ws, c, "present_value", f, styles, lambda: cat(c.cells("net"), "*", c.cells("discount_factor")))
    _write_formulas(ws, c, "pv_savings", f, styles, lambda: cat(c.cells("savings"), "*", c.cells("discount_factor")))
    _write_formulas(ws, c, "pv_costs", f, styles, lambda: cat(c.cells("costs"), "*", c.cells("discount_factor")))
    _write_formulas(ws, c, "cumulative", f, styles, lambda: _sumifs(
        c.span("net"), (c.span("option"), c.cells("option")), (c.span("t"), cat('"<="&', c.cells("t")))))
    _write_formulas(ws, c, "crossing", f, styles, lambda: _crossing(c))
    _money_sign(ws, c, "net", styles)


def _crossing(table: _Table) -> Formula:
    """Payback crossing of a year: t + (-C_prev)/net where the cumulative turns non-negative, else ""."""
    cum, net, t = table.cells("cumulative"), table.cells("net"), table.cells("t")
    return cat("IF(AND(", cum, "-", net, "<0,", cum, ">=0),", t, "+(", net, "-", cum, ")/", net, ',"")')


def _money_sign(ws: PlanWorksheet, table: _Table, key: str, styles: _Styles) -> None:
    """Green when non-negative, red when negative."""
    if not table.n_rows:
        return
    area = (table.first_row, table.col(key), table.last_row, table.col(key))
    ws.conditional_format(*area, {"type": "cell", "criteria": "<", "value": 0, "format": styles.bad})
    ws.conditional_format(*area, {"type": "cell", "criteria": ">=", "value": 0, "format": styles.good})


def _write_options(ws: PlanWorksheet, L: _Layout, d: _Frames, styles: _Styles, n: _Names) -> None:
    opt, s, c = L.options, L.option_systems, L.cash_flows
    f = d.options
    rows = len(f)
    _prepare_sheet(ws, opt, styles, f)
    _write_values(ws, opt, f, styles, ["option", "description", "type", "capability", "target", "lead", "partners",
                                       "systems_retired", "start", "recommended", "end", "capability_code",
                                       "target_key", "n_partners", "n_retired", "rationale", "start_fy",
                                       "start_reason", "received_users"])
    kinds = f["type"].to_numpy()
    consolidating = f["type"].isin(_CONSOLIDATING).to_numpy()

    def over_systems(key: str, effect: str) -> Formula:
        return _sumifs(s.span(key), (s.span("option"), opt.cells("option")), (s.span("effect"), f'"{effect}"'))

    def over_flows(key: str) -> Formula:
        return _sumifs(c.span(key), (c.span("option"), opt.cells("option")))

    _write_formulas(ws, opt, "run_cost_before", f, styles, lambda: over_systems("annual_cost", "<>move"))
    _write_formulas(ws, opt, "survivor_cost", f, styles,
                    lambda: branches(rows, (consolidating, lambda: over_systems("annual_cost", "survive"))))
    _write_formulas(ws, opt, "survivor_users", f, styles,
                    lambda: branches(rows, (consolidating, lambda: over_systems("users", "survive"))))
    _write_formulas(ws, opt, "retired_users", f, styles,
                    lambda: branches(rows, (consolidating, lambda: over_systems("users", "retire"))))

    for kind in COST_KINDS:
        _write_formulas(ws, opt, f"survivor_{kind}", f, styles, lambda kind=kind: branches(
            rows, (consolidating, lambda: over_systems(f"cost_{kind}", "survive"))))
    _write_formulas(ws, opt, "retired_staff", f, styles,
                    lambda: branches(rows, (consolidating, lambda: over_systems("cost_staff", "retire"))))

    def scaled() -> Formula:  # estate.costing.survivor_cost_after, kind by kind
        su, ru = cat("MAX(", opt.cells("survivor_users"), ",1)"), opt.cells("received_users")
        ratio = cat("((", su, "+", ru, ")/", su, ")")

        def partly_fixed(kind: str, share: str) -> Formula:
            return cat(opt.cells(f"survivor_{kind}"), "*(", n(share), "+(1-", n(share), ")*", ratio, ")")

        return cat(opt.cells("survivor_licence"), "*(1+", ru, "/", su, "*(1-", n.licence_volume_discount, "))+",
                   partly_fixed("support", "support_fixed_share"), "+",
                   partly_fixed("hosting", "hosting_fixed_share"), "+",
                   partly_fixed("staff", "staff_fixed_share"), "+",
                   opt.cells("survivor_other"), "*", ratio, "^", n.scale_elasticity)

    def reduced() -> Formula:
        return cat(opt.cells("run_cost_before"), "-",
                   _sumifs(s.span("net_saving"), (s.span("option"), opt.cells("option"))))

    def partners() -> Formula:
        return cat("+", n.stakeholder_engagement_per_partner, "*", opt.cells("n_partners"))

    _write_formulas(ws, opt, "run_cost_after", f, styles,
                    lambda: branches(rows, (consolidating, scaled), (True, reduced)))
    _write_formulas(ws, opt, "annual_saving", f, styles,
                    lambda: cat(opt.cells("run_cost_before"), "-", opt.cells("run_cost_after")))

    def non_cashable() -> Formula:  # staff time released, less the survivor's staff growth
        su = cat("MAX(", opt.cells("survivor_users"), ",1)")
        return cat("(1-", n.staff_saving_cashable, ")*(", opt.cells("retired_staff"), "-",
                   opt.cells("survivor_staff"), "*(1-", n.staff_fixed_share, ")*", opt.cells("received_users"),
                   "/", su, ")")

    _write_formulas(ws, opt, "non_cashable_saving", f, styles,
                    lambda: branches(rows, (consolidating, non_cashable), (True, lambda: "0")))
    _write_formulas(ws, opt, "cashable_saving", f, styles,
                    lambda: cat(opt.cells("annual_saving"), "-", opt.cells("non_cashable_saving")))
    _write_formulas(ws, opt, "year0", f, styles, lambda: branches(
        rows, (consolidating, lambda: cat(n.assessment_planning_per_option, partners())),
        (kinds == "joint procurement", lambda: cat(n.joint_procurement_cost, partners()))))
    _write_formulas(ws, opt, "one_off", f, styles, lambda: over_flows("costs"))
    _write_formulas(ws, opt, "pv_savings", f, styles, lambda: over_flows("pv_savings"))
    _write_formulas(ws, opt, "pv_costs", f, styles, lambda: over_flows("pv_costs"))
    _write_formulas(ws, opt, "npv", f, styles, lambda: over_flows("present_value"))

    def payback() -> Formula:
        key, option = c.span("option"), opt.cells("option")
        return cat("IF(", over_flows("net"), f'<0,"",IF({_FUTURE}MINIFS({c.span("cumulative")},{key},', option,
                   f")>=0,0,{_FUTURE}MAXIFS({c.span('crossing')},{key},", option, ")))")

    _write_formulas(ws, opt, "payback", f, styles, payback)
    _write_formulas(ws, opt, "meets_minimum", f, styles,
                    lambda: cat("IF(", opt.cells("npv"), ">=", n.minimum_option_npv, ',"Yes","No")'))
    _money_sign(ws, opt, "npv", styles)
    if opt.n_rows:
        ws.conditional_format(*opt.area(), {"type": "formula", "criteria": f'={opt.anchor("recommended")}="Yes"',
                                            "format": styles.highlight})


def _write_partner_shares(ws: PlanWorksheet, L: _Layout, d: _Frames, styles: _Styles, n: _Names) -> None:
    p, s, opt = L.partner_shares, L.option_systems, L.options
    f = d.partner_shares
    rows = len(f)
    _prepare_sheet(ws, p, styles, f)
    _write_values(ws, p, f, styles, ["option", "organisation", "type"])
    consolidating = f["type"].isin(_CONSOLIDATING).to_numpy()

    def mine(key: str, *more: tuple[str, str]) -> Formula:
        return _sumifs(s.span(key), (s.span("option"), p.cells("option")),
                       (s.span("organisation"), _exact(p.cells("organisation"))), *more)

    def option(key: str) -> Formula:
        return _sumifs(opt.span(key), (opt.span("option"), p.cells("option")))

    _write_formulas(ws, p, "recommended", f, styles, lambda: _recommended_formula(L, p))
    _write_formulas(ws, p, "users", f, styles, lambda: mine("users"))
    _write_formulas(ws, p, "run_cost_before", f, styles, lambda: mine("annual_cost", (s.span("effect"), '"<>move"')))
    _write_formulas(ws, p, "own_saving", f, styles, lambda: mine("net_saving"))
    _write_formulas(ws, p, "basis", f, styles, lambda: cat(
        f'IF({n.allocation_rule}="users",', p.cells("users"), f',IF({n.allocation_rule}="spend",',
        p.cells("run_cost_before"), ",1))"))
    _write_formulas(ws, p, "basis_total", f, styles,
                    lambda: _sumifs(p.span("basis"), (p.span("option"), p.cells("option"))))
    _write_formulas(ws, p, "n_partners", f, styles, lambda: cat(f"COUNTIF({p.span('option')},", p.cells("option"), ")"))
    _write_formulas(ws, p, "weight", f, styles, lambda: cat(
        "IF(", p.cells("basis_total"), ">0,", p.cells("basis"), "/", p.cells("basis_total"), ",1/",
        p.cells("n_partners"), ")"))
    _write_formulas(ws, p, "run_cost_after", f, styles, lambda: branches(
        rows, (consolidating, lambda: cat(p.cells("weight"), "*", option("run_cost_after"))),
        (True, lambda: cat(p.cells("run_cost_before"), "-", p.cells("own_saving")))))
    served = L.services is not None  # a shared service across successors: its charge moves partners' figures
    charge = ("+", p.cells("service_charge")) if served else ()
    _write_formulas(ws, p, "annual_saving", f, styles,
                    lambda: cat(p.cells("run_cost_before"), "-", p.cells("run_cost_after"), *charge))
    _write_formulas(ws, p, "saving_share", f, styles, lambda: cat(
        "IF(", option("annual_saving"), "<>0,(", p.cells("run_cost_before"), "-", p.cells("run_cost_after"), ")/",
        option("annual_saving"), ",", p.cells("weight"), ")"))
    _write_formulas(ws, p, "cost_share", f, styles, lambda: p.cells("weight"))
    _write_formulas(ws, p, "cashable", f, styles,
                    lambda: cat(p.cells("saving_share"), "*", option("cashable_saving"), *charge))
    _write_formulas(ws, p, "one_off", f, styles, lambda: cat(p.cells("cost_share"), "*", option("one_off")))
    _write_formulas(ws, p, "npv", f, styles, lambda: cat(
        p.cells("saving_share"), "*", option("pv_savings"), "-", p.cells("cost_share"), "*", option("pv_costs"),
        *(("+", p.cells("pv_service_charge")) if served else ())))
    if served:
        _write_service_charges(ws, L, f, styles, n)
    _money_sign(ws, p, "npv", styles)


def _write_service_charges(ws: PlanWorksheet, L: _Layout, f: pd.DataFrame, styles: _Styles, n: _Names) -> None:
    """Partner shares' service charge (estate.shared_services.service_charges) and its present value."""
    p, opt, cf, ss = L.partner_shares, L.options, L.cash_flows, L.services
    assert ss is not None
    rows = len(f)
    _write_values(ws, p, f, styles, ["service_role"])
    role = f["service_role"].to_numpy()

    def weights(who: str) -> Formula:
        return _sumifs(p.span("weight"), (p.span("option"), p.cells("option")), (p.span("service_role"), f'"{who}"'))

    after = _sumifs(opt.span("run_cost_after"), (opt.span("option"), p.cells("option")))

    def received() -> Formula:
        hosts = cat(f"COUNTIFS({p.span('option')},", p.cells("option"), f",{p.span('service_role')},\"host\")")
        return cat(n.shared_service_charge, "*", weights("buyer"), "*", after, "*IF(", weights("host"), ">0,",
                   p.cells("weight"), "/", weights("host"), ",1/", hosts, ")")

    _write_formulas(ws, p, "service_charge", f, styles, lambda: branches(
        rows, (role == "buyer", lambda: cat("-", n.shared_service_charge, "*", p.cells("weight"), "*", after)),
        (role == "host", received)))
    start = _sumifs(ss.span("start_fy"), (ss.span("option"), p.cells("option")))
    _write_formulas(ws, p, "pv_service_charge", f, styles, lambda: branches(
        rows, (np.isin(role, ["buyer", "host"]), lambda: cat(p.cells("service_charge"), "*", _sumifs(
            cf.span("discount_factor"), (cf.span("option"), p.cells("option")), (cf.span("fy"), cat('">="&', start)))))))


def _write_services(ws: PlanWorksheet, L: _Layout, d: _Frames, styles: _Styles, n: _Names) -> None:
    """Each shared service across successors: its agreement, renewal cost and charge (estate.shared_services)."""
    t, ps = L.services, L.partner_shares
    assert t is not None and d.services is not None
    f = d.services
    _prepare_sheet(ws, t, styles, f)
    _write_values(ws, t, f, styles, ["option", "host", "buyers", "host_organisations", "buyer_organisations",
                                     "n_buyers", "start_fy", "end_date", "renewal_fy", "after_end"])
    _write_formulas(ws, t, "recommended", f, styles, lambda: _recommended_formula(L, t))
    _write_formulas(ws, t, "renewal_cost", f, styles,
                    lambda: cat(n.vendor_management_per_contract, "*", t.cells("n_buyers")))
    _write_formulas(ws, t, "service_charge", f, styles, lambda: cat("-", _sumifs(
        ps.span("service_charge"), (ps.span("option"), t.cells("option")), (ps.span("service_role"), '"buyer"'))))


def _write_partners(ws: PlanWorksheet, L: _Layout, d: _Frames, styles: _Styles) -> None:
    pt, ps = L.partners, L.partner_shares
    f = d.partners
    _prepare_sheet(ws, pt, styles, f)
    _write_values(ws, pt, f, styles, ["organisation", "successor", "options"])
    organisation = _exact(pt.cells("organisation"))

    def recommended(key: str) -> Formula:
        return _sumifs(ps.span(key), (ps.span("organisation"), organisation), (ps.span("recommended"), '"Yes"'))

    _write_formulas(ws, pt, "run_cost_today", f, styles, lambda: _plus(*(
        _sumifs(part.span("annual_cost"), (part.span("organisation"), organisation))
        for part in (*L.systems, L.sites))))
    _write_formulas(ws, pt, "annual_saving", f, styles, lambda: recommended("annual_saving"))
    _write_formulas(ws, pt, "one_off", f, styles, lambda: recommended("one_off"))
    _write_formulas(ws, pt, "npv", f, styles, lambda: recommended("npv"))
    _write_formulas(ws, pt, "cashable", f, styles, lambda: recommended("cashable"))
    _write_formulas(ws, pt, "non_cashable", f, styles,
                    lambda: cat(pt.cells("annual_saving"), "-", pt.cells("cashable")))
    npvs = pt.span("npv")
    losses, gains = f'(-SUMIF({npvs},"<0"))', f'SUMIF({npvs},">0")'

    def transfer() -> Formula:
        npv = pt.cells("npv")
        return cat(f"IF(OR({losses}<=0,{gains}<=0),0,IF(", npv, "<0,-", npv, f"*MIN(1,{gains}/{losses}),IF(", npv,
                   f">0,-MIN({losses},{gains})*", npv, f"/{gains},0)))")

    _write_formulas(ws, pt, "transfer", f, styles, transfer)
    _write_formulas(ws, pt, "npv_after", f, styles, lambda: cat(pt.cells("npv"), "+", pt.cells("transfer")))
    _write_formulas(ws, pt, "position", f, styles, lambda: cat(
        f'IF(COUNTIFS({ps.span("organisation")},', organisation, f',{ps.span("recommended")},'
        '"Yes")=0,"no part",IF(', pt.cells("npv"), '<0,"loses before transfer","gains"))'))
    _money_sign(ws, pt, "npv", styles)
    _money_sign(ws, pt, "npv_after", styles)


def _write_summary(ws: PlanWorksheet, L: _Layout, d: _Frames, plan: Plan, styles: _Styles, n: _Names,
                   charts: Sequence[tuple[str, Path]]) -> None:
    S, opt, pt, cf = L.summary, L.options, L.partners, L.cash_flows
    h, pf = S.headline, S.portfolio
    a = plan.assumptions
    years = d.years["year"].tolist()
    ws.write_string(S.title_row, h.col("label"), "Consolidation plan", styles.title)
    ws.write_string(S.subtitle_row, h.col("label"), (
        f"Appraisal years {years[0]} to {years[-1]}; real prices in {a.currency}. Savings and one-off costs are "
        f"after the optimism-bias adjustment unless labelled otherwise; the annual saving is the last year's. "
        f"Figures are live formulas over the other sheets and the Assumptions sheet." if years
        else "No appraisal years."), styles.subtitle)
    ws.write_string(S.subtitle_row + 1, h.col("label"), (
        f"Basis: {a.price_base_year}/{(a.price_base_year + 1) % 100:02d} prices, real terms; indexation: "
        f"{a.indexation}; VAT: {a.vat_basis}. Compared with doing the minimum (business as usual: every contract "
        f"renewed as it falls due, today's run cost each year)."), styles.subtitle)
    for j, column in enumerate(pf.columns):
        ws.set_column(j, j, column.width)
    ws.write_string(h.header_row, h.col("label"), "Figure", styles.header)
    ws.write_string(h.header_row, h.col("value"), "Value", styles.header)
    value_cell = {label: h.cell("value", S.headline_row(label)) for label in S.headline_labels}

    def total(key: str, parts: Sequence[_Table], function: str = "SUM") -> str:
        return "+".join(f"{function}({part.span(key)})" for part in parts)

    last = pf.n_rows - 1
    formulas = {
        "Organisations": f"COUNTA({pt.span('organisation')})",
        "Systems": total("system_key", L.systems, "COUNTA"),
        "Annual run cost": total("annual_cost", (*L.systems, L.sites)),
        "Recommended options": f'COUNTIF({opt.span("recommended")},"Yes")',
        # The steady-state saving after optimism bias: the recommended options' savings in the last year.
        "Recommended annual saving": pf.cell("savings", last) if pf.n_rows else "0",
        "Annual saving before optimism bias": f'SUMIFS({opt.span("annual_saving")},{opt.span("recommended")},"Yes")',
        "Cashable saving before optimism bias":
            f'SUMIFS({opt.span("cashable_saving")},{opt.span("recommended")},"Yes")',
        "Non-cashable saving before optimism bias":
            f'SUMIFS({opt.span("non_cashable_saving")},{opt.span("recommended")},"Yes")',
        # Doing the minimum: today's run cost every year (contracts renewed as they fall due), discounted.
        "Business as usual: run cost over the appraisal (PV)":
            f'{value_cell["Annual run cost"]}*SUM({pf.local_span("discount_factor")})' if pf.n_rows else "0",
        "Recommended plan: run cost and one-off costs (PV)":
            f'{value_cell["Business as usual: run cost over the appraisal (PV)"]}-{value_cell["NPV"]}',
        "Saving as share of run cost": (
            f'IF({value_cell["Annual run cost"]}>0,'
            f'{value_cell["Recommended annual saving"]}/{value_cell["Annual run cost"]},"")'),
        # The run cost the candidate options could change (estate.plan.run_cost_in_scope): a figure of the
        # options generated, written as a value (a re-plan regenerates them); the share follows the saving live.
        "Saving as share of run cost in scope": (
            f'IF({value_cell["Run cost in scope"]}>0,'
            f'{value_cell["Recommended annual saving"]}/{value_cell["Run cost in scope"]},"")'),
        "One-off cost": f'SUMIFS({opt.span("one_off")},{opt.span("recommended")},"Yes")',
        "NPV": f'SUMIFS({opt.span("npv")},{opt.span("recommended")},"Yes")',
        # No options at all: no cash flows, so no payback (as the library says).
        "Payback years": (f'IF(COUNTIF({opt.span("recommended")},"Yes")=0,"",IF({pf.cell("cumulative", last)}<0,"",'
                          f'IF(MIN({pf.local_span("cumulative")})>=0,0,MAX({pf.local_span("crossing")}))))')
        if pf.n_rows else '""',
    }
    for label in S.headline_labels:
        i = S.headline_row(label)
        ws.write_string(h.row(i), h.col("label"), label, styles.label)
        if label not in formulas:  # a figure of the options generated, not of the sheets: its value
            ws.write_number(h.row(i), h.col("value"), float(np.nan_to_num(d.headline.get(label, 0.0))),
                            styles[_HEADLINE_STYLES[label]])
            continue
        ws.write_formula(h.row(i), h.col("value"), "=" + formulas[label], styles[_HEADLINE_STYLES[label]],
                         _stored(d.headline.get(label)))
    status = plan.portfolio
    ws.write_string(S.status_row, h.col("label"), "Solver status", styles.label)
    ws.write_string(S.status_row, h.col("value"), str(getattr(status, "status", "")))
    ws.write_string(S.message_row, h.col("label"), "Solver message", styles.label)
    ws.write_string(S.message_row, h.col("value"), str(getattr(status, "message", "")))

    ws.write_string(S.portfolio_title_row, h.col("label"), "Recommended options together: cash flows by year",
                    styles.section)
    for j, column in enumerate(pf.columns):
        ws.write_string(pf.header_row, j, column.header, styles.header)
    ws.set_row(pf.header_row, 32)
    flows = d.portfolio.reset_index(drop=True)
    if not len(flows):  # no options: every year is zero
        flows = d.years.assign(savings=0.0, costs=0.0, net=0.0, present_value=0.0, cumulative_net=0.0,
                               discount_factor=1 / (1 + a.discount_rate) ** d.years["t"])
    block = pd.DataFrame({"year": flows["label"], "t": flows["t"], "savings": flows["savings"],
                          "costs": flows["costs"], "net": flows["net"], "discount_factor": flows["discount_factor"],
                          "present_value": flows["present_value"], "cumulative": flows["cumulative_net"]})
    previous = block["cumulative"] - block["net"]
    block["crossing"] = np.where((previous < 0) & (block["cumulative"] >= 0),
                                 block["t"] + (-previous) / block["net"].where(block["net"] != 0), np.nan)
    _write_values(ws, pf, block, styles, ["year", "t"])

    def chosen(key: str) -> Formula:
        return _sumifs(cf.span(key), (cf.span("t"), pf.cells("t")), (cf.span("recommended"), '"Yes"'))

    _write_formulas(ws, pf, "savings", block, styles, lambda: chosen("savings"))
    _write_formulas(ws, pf, "costs", block, styles, lambda: chosen("costs"))
    _write_formulas(ws, pf, "net", block, styles, lambda: cat(pf.cells("savings"), "-", pf.cells("costs")))
    _write_formulas(ws, pf, "discount_factor", block, styles,
                    lambda: cat("1/(1+", n.discount_rate, ")^", pf.cells("t")))
    _write_formulas(ws, pf, "present_value", block, styles,
                    lambda: cat(pf.cells("net"), "*", pf.cells("discount_factor")))
    _write_formulas(ws, pf, "cumulative", block, styles, lambda: cat("SUM(", pf.running("net"), ")"))
    _write_formulas(ws, pf, "crossing", block, styles, lambda: _crossing(pf))

    ws.write_string(S.narrative_title_row, h.col("label"), "The recommended options worth most (as planned)",
                    styles.section)
    sentences = [option_sentence(row, a.currency) for row in d.top_options.head(S.narrative_rows).itertuples()]
    if not plan.has_costs:  # no costs: what was found, in one block
        sentences = ["\n".join(uncosted_findings(plan))]
    for k, sentence in enumerate(sentences or ["No option is recommended."]):
        row = S.narrative_title_row + 1 + k
        ws.merge_range(row, 0, row, S.last_col, sentence, styles.wrap)
        ws.set_row(row, _text_height(sentence, _summary_width(pf)))
    ws.set_row(S.title_row, 24)
    _insert_charts(ws, S, charts, styles, drawn_at(a))
    ws.activate()


def _summary_width(table: _Table) -> float:
    """The width of the Summary's text blocks, in characters of the default font."""
    return float(sum(column.width for column in table.columns))


def _text_height(text: str, width_chars: float, *, points_per_line: float = 12.0) -> float:
    """A row height (points) that shows ``text`` wrapped in 9-point type across ``width_chars`` columns."""
    per_line = max(20, int(width_chars * 1.3))  # 9-point characters are narrower than the column unit
    lines = sum(max(1, math.ceil(len(part) / per_line)) for part in text.split("\n"))
    return lines * points_per_line + 4


def _write_live_note(ws: PlanWorksheet, L: _Layout, plan: Plan, styles: _Styles, used: set[str]) -> None:
    """Beside the headline: which assumptions the figures follow live, and which need a re-plan."""
    S = L.summary
    h, first, last = S.headline, S.live_first_col, S.last_col
    live, replan = live_and_replan(plan.assumptions, used)
    ws.merge_range(h.header_row, first, h.header_row, last, "Editing the assumptions", styles.header)
    text = (f"{live}\n{replan}\nThe charts are pictures drawn at the plan's assumptions: they do not follow "
            "edits.")
    ws.merge_range(h.first_row, first, h.last_row, last, text, styles.box)
    width = sum(column.width for column in S.portfolio.columns[first:last + 1])
    needed = _text_height(text, width, points_per_line=11.5) + 6
    per_row = max(15.0, needed / h.n_rows)
    for i in range(h.n_rows):  # the headline rows grow so that the box shows all of it
        ws.set_row(h.row(i), per_row)


def _png_size(path: Path) -> tuple[float, float] | None:
    """A PNG's size as XlsxWriter places it: pixels at 96 dpi (it scales an image by 96 / its own dpi)."""
    with path.open("rb") as stream:
        head = stream.read(4096)
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", head[16:24])
    at = head.find(b"pHYs")
    x_dpi = y_dpi = 96.0
    if at > 0 and len(head) >= at + 13:
        x_ppm, y_ppm, unit = struct.unpack(">IIB", head[at + 4:at + 13])
        if unit == 1 and x_ppm and y_ppm:  # pixels per metre
            x_dpi, y_dpi = x_ppm * 0.0254, y_ppm * 0.0254
    return width * 96.0 / x_dpi, height * 96.0 / y_dpi


def _insert_charts(ws: PlanWorksheet, S: _SummaryLayout, charts: Sequence[tuple[str, Path]], styles: _Styles,
                   caption: str) -> None:
    """Each chart on a printed page of its own, below the tables (covering no cell), with what it was drawn at."""
    row = S.chart_row
    breaks = [S.portfolio_title_row]
    for title, path in charts:
        breaks.append(row)
        ws.write_string(row, S.chart_col, title, styles.section)
        ws.merge_range(row + 1, S.chart_col, row + 1, S.last_col, caption, styles.wrap)
        ws.set_row(row + 1, _text_height(caption, _summary_width(S.portfolio)))
        size = _png_size(path)
        scale = min(1.0, _CHART_WIDTH_PX / size[0], _CHART_HEIGHT_PX / size[1]) if size else 1.0
        height = (size[1] if size else 480) * scale
        ws.insert_image(row + 2, S.chart_col, str(path), {"x_scale": scale, "y_scale": scale,
                                                          "object_position": 1})
        row += 3 + math.ceil(height / _ROW_PX)
    from estate._pages import Page, set_up_print

    ws.set_h_pagebreaks(breaks)
    # The title row heads every printed page (CONTRACT §4: header rows repeated on the board's sheets).
    set_up_print(ws, Page(), repeat_rows=(S.title_row, S.title_row),
                 area=(0, 0, max(row, S.portfolio.last_row), S.last_col))


def _write_parts(wb_sheets: Mapping[str, PlanWorksheet], parts: Sequence[_Table], frame: pd.DataFrame,
                 styles: _Styles) -> Iterator[tuple[PlanWorksheet, _Table]]:
    """Write ``frame`` as values across its numbered sheets (``Systems``, ``Systems 2``...), yielding each."""
    start = 0
    for part in parts:
        chunk = frame.iloc[start:start + part.n_rows].reset_index(drop=True)
        start += part.n_rows
        ws = wb_sheets[part.sheet]
        _prepare_sheet(ws, part, styles, chunk)
        _write_values(ws, part, chunk, styles)
        yield ws, part


def _write_systems(wb_sheets: Mapping[str, PlanWorksheet], L: _Layout, d: _Frames, styles: _Styles) -> None:
    for ws, part in _write_parts(wb_sheets, L.systems, d.systems, styles):
        if part.n_rows:
            ws.conditional_format(*part.area("fate", "fate"), {"type": "cell", "criteria": "==",
                                                               "value": '"Retire"', "format": styles.retire})


def _write_sites(ws: PlanWorksheet, L: _Layout, d: _Frames, styles: _Styles) -> None:
    t = L.sites
    _prepare_sheet(ws, t, styles, d.sites)
    _write_values(ws, t, d.sites, styles)
    if t.n_rows:
        ws.conditional_format(*t.area("fate", "fate"), {"type": "cell", "criteria": "==", "value": '"Close"',
                                                        "format": styles.retire})


def _capabilities_served(s: pd.DataFrame) -> pd.Series:
    """The Systems sheet's Capability: every capability a system serves, by name, ``"; "``-joined
    (:func:`estate.coverage.capability_labels`); else the matched capability's name, else the cell."""
    one = _text_or(_get(s, "capability_name"), _get(s, "capability"))
    if "capability_codes" not in s:
        return one
    from estate.coverage import capability_labels

    several = s["capability_codes"].astype(str).str.contains(";", regex=False).to_numpy()
    if not several.any():
        return one
    out = one.copy()
    codes = s.loc[several, "capability_codes"]  # the labels follow from the codes alone: made once a combination
    distinct = s.loc[several].drop_duplicates("capability_codes")
    labels = pd.Series(capability_labels(distinct).to_numpy(object), index=distinct["capability_codes"].to_numpy())
    out[several] = codes.map(labels).to_numpy(object)
    return out


def _write_issues(wb_sheets: Mapping[str, PlanWorksheet], L: _Layout, d: _Frames, styles: _Styles) -> None:
    for ws, part in _write_parts(wb_sheets, L.issues, d.issues, styles):
        if part.n_rows:
            area = part.area("severity", "severity")
            ws.conditional_format(*area, {"type": "cell", "criteria": "==", "value": '"error"',
                                          "format": styles.bad})
            ws.conditional_format(*area, {"type": "cell", "criteria": "==", "value": '"warning"',
                                          "format": styles.warn})


def _write_defaults(ws: PlanWorksheet, L: _Layout, d: _Frames, styles: _Styles) -> None:
    _prepare_sheet(ws, L.defaults, styles, d.defaults)
    _write_values(ws, L.defaults, d.defaults, styles)


def _write_overlaps(ws: PlanWorksheet, L: _Layout, d: _Frames, styles: _Styles) -> None:
    t = L.overlaps
    _prepare_sheet(ws, t, styles, d.overlaps)
    _write_values(ws, t, d.overlaps, styles)
    money = [c.key for c in t.columns if c.style == _MONEY and c.key != "total"]
    if t.n_rows and money:
        ws.conditional_format(t.first_row, t.col(money[0]), t.last_row, t.col(money[-1]), {
            "type": "2_color_scale", "min_color": "#FFFFFF", "max_color": "#F4B084"})


def _write_roadmap(ws: PlanWorksheet, events_ws: PlanWorksheet, L: _Layout, d: _Frames, styles: _Styles) -> None:
    t, e = L.roadmap, L.events
    _prepare_sheet(ws, t, styles, d.roadmap)
    _write_values(ws, t, d.roadmap, styles)
    years = [c.key for c in t.columns if c.key.startswith("year_")]
    if t.n_rows and years:
        area = (t.first_row, t.col(years[0]), t.last_row, t.col(years[-1]))
        for text, fmt in (("Start", styles.start), ("Retire", styles.retire), ("retire", styles.retire),
                          ("Migrate", styles.migrate)):
            ws.conditional_format(*area, {"type": "text", "criteria": "containing", "value": text, "format": fmt})
    _prepare_sheet(events_ws, e, styles, d.events)
    _write_values(events_ws, e, d.events, styles)


def _write_sensitivity(ws: PlanWorksheet, L: _Layout, d: _Frames, styles: _Styles, n: _Names,
                       currency: str) -> None:
    """Switching values of the portfolio (live where a formula can say it), the simulation, the tornado."""
    t, cf, pf = L.sensitivity, L.cash_flows, L.summary.portfolio
    f = d.sensitivity
    _prepare_sheet(ws, t, styles, f, filter_=False)
    _write_values(ws, t, f, styles, ["meaning", "t_variable", "t_low_value", "t_high_value", "t_npv_low",
                                     "t_npv_high", "t_swing"])

    def chosen(key: str) -> str:
        return f'SUMIFS({cf.span(key)},{cf.span("recommended")},"Yes")'

    npv, pv_s, pv_c = chosen("present_value"), chosen("pv_savings"), chosen("pv_costs")
    irr = f"IRR({pf.span('net')})"
    live = {
        "Annual savings": (f'IF({pv_s}<>0,({npv})/({pv_s}),"")', pv_s, "{base}*(1-{value})"),
        "One-off costs": (f'IF({pv_c}<>0,({npv})/({pv_c}),"")', pv_c, "{base}*(1+{value})"),
        "Discount rate": (f'IFERROR({irr}-{n.discount_rate},"")', n.discount_rate, f'IFERROR({irr},"")'),
    }
    for i, row in enumerate(f.itertuples()):
        if not isinstance(row.variable, str):
            continue
        unit_style = _SENSITIVITY_STYLES.get(row.unit, _MONEY if row.unit == currency else "general")
        base_style = _MONEY if row.variable in ("Annual savings", "One-off costs") or row.unit == currency else (
            unit_style)
        value_cell, base_cell = t.cell("switching_value", i), t.cell("base", i)
        ws.write_string(t.row(i), t.col("variable"), row.variable)
        ws.write_string(t.row(i), t.col("unit"), row.unit)
        if row.variable in live:
            formula, base, at = live[row.variable]
            ws.write_formula(t.row(i), t.col("switching_value"), "=" + formula, styles[unit_style],
                             _stored(row.switching_value))
            ws.write_formula(t.row(i), t.col("base"), "=" + base, styles[base_style], _stored(row.base))
            ws.write_formula(t.row(i), t.col("at_switch"), "=" + at.format(base=base_cell, value=value_cell),
                             styles[base_style], _stored(row.at_switch))
        else:
            _put(ws, t.row(i), t.col("switching_value"), row.switching_value, styles[unit_style])
            if row.unit == currency:
                ws.write_formula(t.row(i), t.col("base"), "=" + npv, styles[_MONEY], _stored(row.base))
            else:
                _put(ws, t.row(i), t.col("base"), row.base, styles[base_style])
            _put(ws, t.row(i), t.col("at_switch"), row.at_switch, styles[base_style])


def _write_option_sensitivity(ws: PlanWorksheet, L: _Layout, d: _Frames, styles: _Styles) -> None:
    """Each recommended option's switching values (savings and costs live over Options) and simulation."""
    t, opt = L.option_sensitivity, L.options
    f = d.option_sensitivity
    _prepare_sheet(ws, t, styles, f)
    _write_values(ws, t, f, styles, ["option", "delay", "discount_rate", "p10", "p50", "p90", "p_positive"])

    def option(key: str) -> Formula:
        return _sumifs(opt.span(key), (opt.span("option"), t.cells("option")))

    _write_formulas(ws, t, "npv", f, styles, lambda: option("npv"))
    _write_formulas(ws, t, "pv_savings", f, styles, lambda: option("pv_savings"))
    _write_formulas(ws, t, "pv_costs", f, styles, lambda: option("pv_costs"))
    for key, pv in (("savings", "pv_savings"), ("costs", "pv_costs")):
        _write_formulas(ws, t, key, f, styles, lambda pv=pv: cat(
            "IF(", t.cells(pv), "<>0,", t.cells("npv"), "/", t.cells(pv), ',"")'))


def _write_scenarios(ws: PlanWorksheet, frame: pd.DataFrame, styles: _Styles) -> None:
    """The base plan and each scenario side by side: values (each scenario is a plan of its own)."""
    table = _Table("Scenarios", _SCENARIO_COLUMNS, len(frame))
    frame = frame.reset_index(drop=True)
    _prepare_sheet(ws, table, styles, frame)
    _write_values(ws, table, frame, styles)


def _write_assumptions(ws: PlanWorksheet, wb: Workbook, L: _Layout, d: _Frames, plan: Plan, styles: _Styles,
                       n: _Names) -> None:
    t, dv = L.assumptions, L.derived
    a = plan.assumptions
    frame = d.assumptions.rename(columns={"Parameter": "parameter", "Value": "value", "Unit": "unit",
                                          "Source": "source", "Description": "description"})
    frame["in_formulas"] = ["Yes" if name in n.used else "" for name in frame["parameter"]]
    _prepare_sheet(ws, t, styles, frame, filter_=False)
    _write_values(ws, t, frame, styles, ["parameter", "unit", "source", "description", "in_formulas"])
    j = t.col("value")
    for i, (name, value, unit) in enumerate(zip(frame["parameter"], frame["value"], frame["unit"], strict=True)):
        if isinstance(value, str):
            style = "text"
        elif isinstance(value, (date, datetime)):
            style = _DATE
        elif str(unit).startswith("fraction") and name not in _PLAIN_FRACTIONS:
            style = _PCT
        elif str(unit).startswith(a.currency) or str(unit).startswith("GBP"):
            style = _MONEY
        else:
            style = "general"
        _put(ws, t.row(i), j, value, styles[style])
        wb.define_name(name, f"={t.at('value', i)}")
        if name == "allocation_rule":
            from estate.assumptions import ALLOCATION_RULES

            ws.data_validation(t.row(i), j, t.row(i), j, {"validate": "list", "source": list(ALLOCATION_RULES)})
    ws.write_string(dv.header_row - 1, 0, "Derived from the values above (formulas; not read back)", styles.section)
    for k, column in enumerate(dv.columns):
        ws.write_string(dv.header_row, k, column.header, styles.header)
    start = pd.Timestamp(year=a.first_year, month=a.first_month, day=1)
    derived = {
        "cost_factor": ("1+cost_bias*(1-bias_mitigation)", a.cost_factor, "factor", _FACTOR,
                        "Optimism-bias multiplier of one-off costs"),
        "saving_factor": ("1-saving_bias*(1-bias_mitigation)", a.saving_factor, "factor", _FACTOR,
                          "Optimism-bias multiplier of savings"),
        "plan_start": ("DATE(first_year,first_month,1)", start, "date", _DATE,
                       "First day of appraisal year 0: every option starts on it"),
        "earliest_retirement": ("EDATE(plan_start,migration_months)",
                                start + pd.DateOffset(months=a.migration_months), "date", _DATE,
                                "Earliest day a system can be retired (the end of migration)"),
    }
    for i, name in enumerate(_DERIVED):
        formula, value, unit, style, description = derived[name]
        ws.write_string(dv.row(i), dv.col("parameter"), name)
        stored = (value - pd.Timestamp("1899-12-30")).days if isinstance(value, pd.Timestamp) else value
        ws.write_formula(dv.row(i), dv.col("value"), "=" + formula, styles[style], stored)
        ws.write_string(dv.row(i), dv.col("unit"), unit)
        ws.write_string(dv.row(i), dv.col("source"), "derived")
        ws.write_string(dv.row(i), dv.col("description"), description)
        wb.define_name(name, f"={dv.at('value', i)}")
    last = _write_partner_budgets(ws, dv.last_row + 3, plan, styles)
    ws.print_area(0, 0, last, t.last_col)  # the derived values (and partner budgets) print too


PARTNER_BUDGETS_TITLE = ("Partner budgets (most one-off cost each partner may bear in a financial year; "
                         "read back on a re-plan)")
"""The title of the ``Assumptions`` sheet's block of partner budgets (:mod:`estate.budgets`)."""


def _write_partner_budgets(ws: PlanWorksheet, title_row: int, plan: Plan, styles: _Styles) -> int:
    """The plan's partner budgets below the derived values, one row ``Partner budget: <organisation> <year>``.

    Returns the last row written (the row above ``title_row`` when there are none).
    """
    from estate.appraisal import fy_label
    from estate.budgets import budget_label

    budgets = sorted(plan.partner_budgets.items())
    if not budgets:
        return title_row - 3
    a = plan.assumptions
    columns = _ASSUMPTION_COLUMNS[:5]
    ws.write_string(title_row, 0, PARTNER_BUDGETS_TITLE, styles.section)
    for k, column in enumerate(columns):
        ws.write_string(title_row + 1, k, column.header, styles.header)
    source = plan.partner_budgets_source or "partner budgets given to make_plan"
    for i, ((organisation, year), amount) in enumerate(budgets):
        row = title_row + 2 + i
        ws.write_string(row, 0, budget_label(organisation, year))
        ws.write_number(row, 1, float(amount), styles[_MONEY])
        ws.write_string(row, 2, a.currency)
        ws.write_string(row, 3, source)
        year_text = fy_label(int(year), first_month=a.first_month)
        ws.write_string(row, 4, f"Most one-off cost {organisation} may bear in {year_text} (its cost share of the "
                                "options' spend that year); the schedule keeps it")
    return title_row + 1 + len(budgets)



# --------------------------------------------------------------------------- #
# Reorganisation sheets: Vesting, Divided systems, Successors (estate.reorganisation)
# --------------------------------------------------------------------------- #

_VESTING_COLUMNS = (
    _c("organisation", "Organisation", 30), _c("system", "System", 30), _c("contract_end", "Contract end", 12, _DATE),
    _c("notice_by", "Notice by", 12, _DATE), _c("decision", "Decision", 60), _c("status", "Status", 18),
    _c("vesting_date", "Vesting date", 12, _DATE), _c("successors", "Successors", 30),
    _c("options_start", "Options start", 40),
)
_DIVISION_COLUMNS = (
    _c("organisation", "Organisation", 28), _c("system", "System", 28), _c("method", "Method", 18),
    _c("chosen", "Chosen", 8), _c("fate", "Fate", 8), _c("present_cost", "Present cost", 15, _MONEY),
    _c("one_off_cost", "One-off cost", 15, _MONEY), _c("annual_change", "Annual cost change", 15, _MONEY),
    _c("service_charge", "Service charge a year", 15, _MONEY), _c("years_charged", "Agreement years", 10, _INT),
    _c("successors", "Successors", 30), _c("host", "Host", 24), _c("parts", "Parts", 8, _INT),
    _c("data_partitioning", "Data", 12), _c("annual_cost", "Annual cost", 15, _MONEY),
    _c("exit_cost", "Exit cost", 15, _MONEY), _c("available", "Available", 10),
)
_SUCCESSOR_COLUMNS = (
    _c("successor", "Successor", 30), _c("predecessors", "Predecessors", 40),
    _c("vesting_date", "Vesting date", 12, _DATE), _c("systems", "Systems", 10, _INT),
    _c("divided_systems", "Divided systems", 10, _INT), _c("contracts", "Contracts", 10, _INT),
    _c("run_cost_today", "Run cost today", 15, _MONEY), _c("annual_saving", "Annual saving", 15, _MONEY),
    _c("one_off_cost", "One-off cost", 15, _MONEY), _c("npv", "NPV", 15, _MONEY),
    _c("division_one_off", "Division one-off cost", 15, _MONEY),
    _c("division_annual_change", "Division annual cost change", 15, _MONEY),
    _c("run_cost_after", "Run cost after", 15, _MONEY),
)
_FIT_OVERRIDE_COLUMNS = (
    _c("retired", "Retired", 34), _c("survivor", "Survivor", 34), _c("decision", "Decision", 10),
    _c("reason", "Reason", 50), _c("options", "Options it changed", 30), _c("source_file", "Source file", 24),
    _c("source_row", "Source row", 10, _INT),
)


def _write_fit_overrides(ws: PlanWorksheet, plan: Plan, styles: _Styles) -> None:
    """The user's fit overrides the plan was made with, and the options each changed (read back on a re-plan)."""
    frame = plan.fit_overrides.reset_index(drop=True).copy()
    used = plan.options.fit_overrides_used
    changed = used.groupby("source_row")["option_id"].agg(lambda ids: "; ".join(sorted(set(ids))))
    frame["options"] = frame["source_row"].map(changed).fillna("none: the rules already agreed, or no option "
                                                               "brings the pair together")
    t = _Table(FIT_OVERRIDE_SHEET, _FIT_OVERRIDE_COLUMNS, len(frame), streamed=False)
    _prepare_sheet(ws, t, styles, frame)
    _write_values(ws, t, frame, styles)


REORGANISATION_SHEETS = ("Vesting", "Divided systems", "Successors")
"""The reorganisation sheets, written when the inventory names successors (``Vesting`` always)."""


def _reorganisation_sheets(plan: Plan) -> tuple[str, ...]:
    if plan.reorganisation is None or not plan.reorganisation.active:
        return ("Vesting",)
    return REORGANISATION_SHEETS


def _write_vesting(ws: PlanWorksheet, plan: Plan, styles: _Styles) -> None:
    """The contract decisions due before a vesting date still ahead (values: dates and decisions)."""
    frame = plan.vesting()
    t = _Table("Vesting", _VESTING_COLUMNS, len(frame), streamed=False)
    _prepare_sheet(ws, t, styles, frame)
    _write_values(ws, t, frame, styles)
    if t.n_rows:
        ws.conditional_format(*t.area("status", "status"), {"type": "cell", "criteria": "==", "value": '"expired"',
                                                            "format": styles.bad})
    else:
        ws.write_string(t.first_row, 0, "No vesting date is still ahead of the decisions date "
                                        f"({plan.assumptions.decisions_date:%d/%m/%Y}, the assumption decisions_as_of), "
                                        "or no contract decision falls before one.", styles.subtitle)


def _write_divisions(ws: PlanWorksheet, plan: Plan, styles: _Styles, n: _Names) -> None:
    """Each divided system's ways of division, costed by live formulas over the assumptions."""
    frame = plan.reorganisation.divisions.copy()
    host = frame["method"].eq("host then migrate")
    frame["service_charge"] = np.where(
        host, plan.assumptions.shared_service_charge * frame["annual_cost"] * (frame["parts"] - 1) / frame["parts"],
        0.0)
    t = _division_table(plan)
    _prepare_sheet(ws, t, styles, frame)
    _write_values(ws, t, frame, styles, ["organisation", "system", "method", "chosen", "fate", "successors", "host",
                                         "parts", "data_partitioning", "annual_cost", "exit_cost", "available"])
    if not t.n_rows:
        return
    rows = t.n_rows
    method = frame["method"].to_numpy()
    available = frame["available"].to_numpy(bool)
    parts, annual = t.cells("parts"), t.cells("annual_cost")
    factor = cat('IF(', t.cells("data_partitioning"), f'="monolithic",{n.monolithic_data_factor},1)') if (
        rows) else ""

    def pv(years: Formula) -> Formula:
        return cat(f"PV({n.discount_rate},", years, ",-1,0,1)")

    _write_formulas(ws, t, "one_off_cost", frame, styles, lambda: branches(
        rows,
        (method == "partition", lambda: cat("(", parts, f"-1)*({n.partition_one_off_share}*", annual, "*", factor,
                                            f"+{n.data_migration_per_system})*{n.cost_factor}")),
        (method == "host then migrate", lambda: cat("(", parts, f"-1)*({n.partition_one_off_share}*", annual, "*",
                                                    factor, "/", parts, f"+{n.data_migration_per_system})*",
                                                    n.cost_factor)),
        (method == "move each part", lambda: cat(f"({n.partition_one_off_share}*", annual, "*", factor, "+", parts,
                                                 f"*{n.data_migration_per_system})*{n.cost_factor}+",
                                                 t.cells("exit_cost")))))
    _write_formulas(ws, t, "annual_change", frame, styles, lambda: branches(
        rows,
        (method != "move each part", lambda: cat(f"{n.partition_run_cost_uplift}*", annual, "*(", parts, "-1)")),
        (method == "move each part", lambda: cat(f"-{n.divided_move_saving_share}*", annual, f"*{n.saving_factor}"))))
    _write_formulas(ws, t, "years_charged", frame, styles, lambda: branches(
        rows, (method == "host then migrate", lambda: f"MIN({n.shared_service_years},{n.horizon_years})")))
    _write_formulas(ws, t, "service_charge", frame, styles, lambda: branches(
        rows, (method == "host then migrate", lambda: cat(f"{n.shared_service_charge}*", annual, "*(", parts, "-1)/",
                                                          parts))))
    whole = pv(n.horizon_years)
    years = t.cells("years_charged")
    _write_formulas(ws, t, "present_cost", frame, styles, lambda: branches(
        rows,
        (available & (method == "host then migrate"), lambda: cat(
            "IF(", years, f"<{n.horizon_years},", t.cells("one_off_cost"), f"/(1+{n.discount_rate})^", years, ",0)+",
            t.cells("service_charge"), "*", pv(years), "+", t.cells("annual_change"), "*(", whole, "-", pv(years),
            ")")),
        (available, lambda: cat(t.cells("one_off_cost"), "+", t.cells("annual_change"), "*", whole))))
    ws.conditional_format(*t.area("chosen", "chosen"), {"type": "cell", "criteria": "==", "value": '"Yes"',
                                                        "format": styles.highlight})


_SUCCESSOR_SHARE_COLUMNS = (
    _c("successor", "Successor", 30), _c("organisation", "Organisation", 36), _c("share", "Share", 10, _NUMBER),
    _c("run_cost_today", "Run cost today", 15, _MONEY), _c("annual_saving", "Annual saving", 15, _MONEY),
    _c("one_off", "One-off cost", 15, _MONEY), _c("npv", "NPV", 15, _MONEY),
)


def _division_table(plan: Plan) -> _Table:
    return _Table("Divided systems", _DIVISION_COLUMNS, len(plan.reorganisation.divisions), streamed=False)


def _write_successor_shares(ws: PlanWorksheet, L: _Layout, plan: Plan, styles: _Styles) -> _Table:
    """Each successor's share of each predecessor: its ``Partners`` figures times the share (formulas)."""
    from estate.reorganisation import successor_shares

    frame = successor_shares(plan.matched, plan.inventory.organisations, plan.partners.partners,
                             plan.reorganisation.successors, sites=plan.inventory.sites)
    partners = plan.partners.partners.set_index("organisation")
    for key, column in (("annual_saving", "annual_saving"), ("one_off", "one_off_cost"), ("npv", "npv")):
        frame[key] = frame["share"] * frame["organisation"].map(partners[column]).fillna(0.0)
    t = _Table("Successor shares", _SUCCESSOR_SHARE_COLUMNS, len(frame), frozen_columns=2, streamed=False)
    _prepare_sheet(ws, t, styles, frame)
    _write_values(ws, t, frame, styles, ["successor", "organisation", "share", "run_cost_today"])
    pt = L.partners
    for key in ("annual_saving", "one_off", "npv"):
        _write_formulas(ws, t, key, frame, styles, lambda key=key: cat(
            t.cells("share"), "*", _sumifs(pt.span(key), (pt.span("organisation"), _exact(t.cells("organisation"))))))
    return t


def _write_successors(ws: PlanWorksheet, L: _Layout, plan: Plan, styles: _Styles, shares: _Table) -> None:
    """Each successor's inheritance and plan, over ``Successor shares`` and ``Divided systems``.

    The rows add up to the ``Partners`` sheet's run cost today, annual saving,
    one-off cost and NPV.
    """
    frame = plan.successors()
    t = _Table("Successors", _SUCCESSOR_COLUMNS, len(frame), streamed=False)
    _prepare_sheet(ws, t, styles, frame)
    _successor_figures(ws, t, frame, plan, styles, shares)


_PARTNER_SUCCESSOR_HEADERS = {
    "successor": "Successor authority", "predecessors": "Predecessor organisations",
    "vesting_date": "Successor vesting date", "systems": "Systems inherited",
    "divided_systems": "Divided systems inherited", "contracts": "Contracts inherited",
    "run_cost_today": "Inherited run cost", "annual_saving": "Successor annual saving",
    "one_off_cost": "Successor one-off cost", "npv": "Successor NPV",
    "division_one_off": "Divided-system liabilities (one-off)",
    "division_annual_change": "Divided-system annual cost change", "run_cost_after": "Successor run cost after",
}
_PARTNER_SUCCESSOR_COLUMNS = tuple(replace(column, header=_PARTNER_SUCCESSOR_HEADERS[column.key])
                                   for column in _SUCCESSOR_COLUMNS)
"""Each successor's view on ``Partners``, right of the organisations after a blank column: same keys as
``Successors``, headers of their own (the organisations' columns are summed by name)."""

_SUMMED = (("run_cost_today", "run_cost_today"), ("annual_saving", "annual_saving"), ("one_off_cost", "one_off"),
           ("npv", "npv"))
"""The successor columns whose sums equal the organisations' (successor key, Partners key)."""


def _write_partner_successors(ws: PlanWorksheet, L: _Layout, plan: Plan, styles: _Styles, shares: _Table) -> None:
    """Each successor's view on ``Partners``, beside the organisations, and a row checking the same sums.

    The block starts after a blank column; its last row (``Check``) holds,
    under each summed column, the successors' sum less the organisations'
    (0, a live formula), so that the sums are seen to agree and adding it in
    changes no total. The sheet's print area takes the block in.
    """
    pt = L.partners
    frame = plan.successors()
    t = _Table("Partners", _PARTNER_SUCCESSOR_COLUMNS, len(frame), streamed=False, first_col=pt.last_col + 2)
    _write_headers(ws, t, styles, frame)
    ws.set_column(pt.last_col + 1, pt.last_col + 1, 3)
    _successor_figures(ws, t, frame, plan, styles, shares)
    check = t.row(len(frame))
    ws.write_string(check, t.col("successor"), "Check: successors less organisations (0 = the same sums)",
                    styles.subtitle)
    partners = plan.partners.partners
    for key, theirs in _SUMMED:
        mine = frame[key].sum() - partners[dict(run_cost_today="run_cost_today", annual_saving="annual_saving",
                                                one_off="one_off_cost", npv="npv")[theirs]].fillna(0.0).sum()
        ws.write_formula(check, t.col(key), f"=SUM({t.local_span(key)})-SUM({pt.local_span(theirs)})",
                         styles[_MONEY], _stored(float(mine)))
    set_up_page(ws, page_for("Partners"), header_row=pt.header_row, last_row=max(pt.last_row, check),
                last_col=t.last_col, frozen_columns=pt.frozen_columns)


def _successor_figures(ws: PlanWorksheet, t: _Table, frame: pd.DataFrame, plan: Plan, styles: _Styles,
                       shares: _Table) -> None:
    """A successor table's values and live formulas (``Successors``, or its block on ``Partners``)."""
    _write_values(ws, t, frame, styles, ["successor", "predecessors", "vesting_date", "systems", "divided_systems",
                                         "contracts"])
    successor = _exact(t.cells("successor"))
    for key, source in (("run_cost_today", "run_cost_today"), ("annual_saving", "annual_saving"),
                        ("one_off_cost", "one_off"), ("npv", "npv")):
        _write_formulas(ws, t, key, frame, styles, lambda source=source: _sumifs(
            shares.span(source), (shares.span("successor"), successor)))
    dv = _division_table(plan)
    if dv.n_rows:
        def divided(key: str) -> Formula:
            return cat(f'SUMPRODUCT(({dv.span("chosen")}="Yes")*ISNUMBER(FIND("; "&', t.cells("successor"),
                       f'&";","; "&{dv.span("successors")}&";"))*{dv.span(key)}/{dv.span("parts")})')

        _write_formulas(ws, t, "division_one_off", frame, styles, lambda: divided("one_off_cost"))
        _write_formulas(ws, t, "division_annual_change", frame, styles, lambda: divided("annual_change"))
    else:
        _write_values(ws, t, frame, styles, ["division_one_off", "division_annual_change"])
    _write_formulas(ws, t, "run_cost_after", frame, styles, lambda: cat(
        t.cells("run_cost_today"), "-", t.cells("annual_saving"), "+", t.cells("division_annual_change")))


# --------------------------------------------------------------------------- #
# The public functions
# --------------------------------------------------------------------------- #


def _check_charts(charts: Mapping[str, str | Path] | None) -> list[tuple[str, Path]]:
    if charts is None:
        return []
    if not isinstance(charts, Mapping):
        raise ParameterError("The 'charts' parameter of write_plan must be a mapping of titles to image files, or "
                             f"None. Got {type(charts).__name__} instead.")
    out = []
    for title, file in charts.items():
        path = Path(file)
        if not path.is_file() or path.suffix.lower() not in _IMAGE_SUFFIXES:
            raise ParameterError(f"The 'charts' parameter of write_plan must name existing image files "
                                 f"({', '.join(_IMAGE_SUFFIXES)}). Got {str(path)!r} for {title!r} instead.")
        name = str(title)
        if " " not in name:  # a chart's name, such as savings_waterfall
            name = name.replace("_", " ").capitalize()
        out.append((name, path))
    return out


def write_plan(plan: Plan, path: str | Path, *, charts: Mapping[str, str | Path] | None = None,
               created: datetime | None = None, scenarios: pd.DataFrame | None = None) -> Path:
    """Write a plan to an Excel workbook, with live formulas over its assumptions.

    Parameters
    ----------
    plan : Plan
        From :func:`estate.plan.make_plan`.
    path : str or Path
        The ``.xlsx`` file to write (replaced if it exists).
    charts : mapping of str to path, optional
        Images (PNG) to place on the Summary sheet, by title, in order.
    created : datetime, optional
        The creation date stored in the file's properties; a fixed date by
        default, so that the same plan gives the same workbook.
    scenarios : DataFrame, optional
        :func:`estate.scenarios.compare_scenarios`: written as a
        ``Scenarios`` sheet after ``Option sensitivity``.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ParameterError
        If ``path`` is not an ``.xlsx`` name or cannot be written, a chart is
        not a file, or a sheet other than ``Systems`` and ``Data issues``
        would be over :data:`MAX_SHEET_ROWS` rows.

    Notes
    -----
    The sheets, and what on each is a formula, are described in the module
    docstring and in ``docs/workbook.md``. Every formula cell stores the
    value the library computed; a spreadsheet application that recalculates
    gets the same figures to within rounding, and moves them as the
    assumptions are edited. Decisions (which systems an option retires, when,
    and by which path; which options are recommended) do not move: plan again
    with the edited workbook as the assumptions to revisit them.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import pandas as pd
    >>> import estate
    >>> from estate.plan import make_plan
    >>> from estate.examples import two_councils
    >>> inventory = two_councils(eden_system="=Revenues")
    >>> out = write_plan(make_plan(inventory),
    ...                  pathlib.Path(tempfile.mkdtemp()) / "plan.xlsx")
    >>> import openpyxl
    >>> book = openpyxl.load_workbook(out)
    >>> sorted(SHEETS) == sorted(name for name in book.sheetnames if name in SHEETS)
    True
    >>> [cell.value for cell in book["Options"][1][:6]]
    ['Option', 'Description', 'Recommended', 'Annual saving', 'One-off cost', 'NPV']
    >>> book["Options"]["F2"].value.startswith("=SUMIFS(")
    True
    >>> book["Options"].page_setup.orientation, book["Options"].print_title_rows
    ('landscape', '$1:$1')
    """

    from estate.plan import Plan

    if not isinstance(plan, Plan):
        raise ParameterError("The 'plan' parameter of write_plan must be a Plan (see estate.plan.make_plan). "
                             f"Got {type(plan).__name__} instead.")
    if not isinstance(path, (str, Path)) or Path(path).suffix.lower() != ".xlsx":
        raise ParameterError(f"The 'path' parameter of write_plan must be a .xlsx file name. Got {path!r} instead.")
    path = Path(path)
    chart_files = _check_charts(charts)
    data = _frames(plan)
    layout = _build_layout(data, MAX_SHEET_ROWS)
    with atomic_write(path) as temporary:
        _write_book(PlanWorkbook(str(temporary), dict(_WORKBOOK_OPTIONS)), path, plan, data, layout,
                    chart_files, created, scenarios)
    return path


def _write_book(wb: Any, path: Path, plan: Plan, data: _Frames, layout: _Layout, chart_files: list[tuple[str, Path]],
                created: datetime | None, scenarios: pd.DataFrame | None = None) -> None:
    """Fill and close the workbook ``wb`` (written to a temporary file that becomes ``path``)."""
    from xlsxwriter.exceptions import XlsxWriterException

    try:
        wb.set_properties({"title": "Consolidation plan", "subject": "IT estate consolidation plan",
                           "author": "estate", "comments": "Written by estate; figures are live formulas.",
                           "created": created or _CREATED})
        wb.set_custom_property(MARK_PROPERTY, "plan")  # so that estate never reads it back as an inventory
        wb.set_calc_mode("auto")
        styles = _Styles(wb, plan.assumptions.currency)
        order = list(layout.order)
        order[order.index("Roadmap events") + 1:0] = _reorganisation_sheets(plan)
        if "Successors" in order:
            order.append("Successor shares")
        if scenarios is not None:
            order.insert(order.index("Option sensitivity") + 1, "Scenarios")
        if plan.fit_overrides is not None and len(plan.fit_overrides):
            order.insert(order.index("Assumptions") + 1, FIT_OVERRIDE_SHEET)
        if layout.services is not None:
            order.insert(order.index("Vesting") + 1, "Shared services")
        sheets = {name: wb.add_worksheet(name, worksheet_class=PlanWorksheet) for name in order}
        for name in ("Option systems", "Partner shares", "Years", "Roadmap events", "Defaults used"):
            sheets[name].set_tab_color("#A6A6A6")
        for name in ("Summary", "Options", "Partners"):
            sheets[name].set_tab_color("#1F3864")
        names = _Names()
        _write_years(sheets["Years"], layout, data, styles)
        _write_option_systems(sheets["Option systems"], layout, data, styles, names)
        _write_cash_flows(sheets["Cash flows"], layout, data, styles, names)
        _write_options(sheets["Options"], layout, data, styles, names)
        _write_partner_shares(sheets["Partner shares"], layout, data, styles, names)
        _write_partners(sheets["Partners"], layout, data, styles)
        _write_systems(sheets, layout, data, styles)
        _write_sites(sheets["Sites"], layout, data, styles)
        _write_issues(sheets, layout, data, styles)
        _write_defaults(sheets["Defaults used"], layout, data, styles)
        _write_overlaps(sheets["Overlaps"], layout, data, styles)
        _write_roadmap(sheets["Roadmap"], sheets["Roadmap events"], layout, data, styles)
        _write_summary(sheets["Summary"], layout, data, plan, styles, names, chart_files)
        _write_sensitivity(sheets["Sensitivity"], layout, data, styles, names, plan.assumptions.currency)
        _write_option_sensitivity(sheets["Option sensitivity"], layout, data, styles)
        if scenarios is not None:
            _write_scenarios(sheets["Scenarios"], scenarios, styles)
        _write_vesting(sheets["Vesting"], plan, styles)
        if FIT_OVERRIDE_SHEET in sheets:
            _write_fit_overrides(sheets[FIT_OVERRIDE_SHEET], plan, styles)
        if layout.services is not None:
            _write_services(sheets["Shared services"], layout, data, styles, names)
        if "Divided systems" in sheets:
            _write_divisions(sheets["Divided systems"], plan, styles, names)
            shares = _write_successor_shares(sheets["Successor shares"], layout, plan, styles)
            sheets["Successor shares"].set_tab_color("#A6A6A6")
            _write_successors(sheets["Successors"], layout, plan, styles, shares)
            _write_partner_successors(sheets["Partners"], layout, plan, styles, shares)
        if {"cost_factor", "saving_factor"} & names.used:  # the derived factors are formulas of the biases
            names.used.update({"cost_bias", "saving_bias", "bias_mitigation"})
        _write_live_note(sheets["Summary"], layout, plan, styles, names.used)
        _write_assumptions(sheets["Assumptions"], wb, layout, data, plan, styles, names)
    finally:
        try:
            wb.close()
        except OSError as error:
            raise output_error(path, error) from None
        except XlsxWriterException as error:
            raise ParameterError(f"Cannot write the plan workbook {path}: {error}") from None


def _assumptions_rows(path: Path) -> tuple[str, list[list[Any]]] | None:
    """The name and rows of a workbook's ``Assumptions`` sheet (any case), or None when it has none.

    A file no parser can read is refused in one line (:class:`NotASpreadsheetError`).
    """
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as error:  # noqa: BLE001 - any parser failure is the file's fault
        raise NotASpreadsheetError(path, f"cannot be read as a workbook ({type(error).__name__})") from None
    sheet_name = next((name for name in book.sheet_names if name.strip().lower() == "assumptions"), None)
    if sheet_name is None:
        return None
    return sheet_name, book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)


def read_assumptions_sheet(path: str | Path) -> Assumptions:
    """Read the assumptions from the ``Assumptions`` sheet of a plan workbook.

    A consultant edits the values (and sources) on the sheet of an earlier
    plan in Excel, then plans again with that workbook as the assumptions.

    Parameters
    ----------
    path : str or Path
        A workbook written by :func:`write_plan` (or any ``.xlsx`` with an
        ``Assumptions`` sheet whose header row starts ``Parameter``,
        ``Value``).

    Returns
    -------
    Assumptions

    Raises
    ------
    InputFileError
        If the file cannot be read as a workbook (see
        :func:`estate.safety.check_file`).
    ParameterError
        If it has no ``Assumptions`` sheet or header, or a value is invalid.

    Notes
    -----
    The parameter table is read from its header row down to the first row
    with no parameter name; the derived factors below it are formulas and
    are not read back.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import pandas as pd
    >>> import estate
    >>> from estate.plan import make_plan
    >>> from estate.assumptions import load_assumptions
    >>> from estate.examples import two_councils
    >>> inventory = two_councils()
    >>> plan = make_plan(inventory, assumptions=load_assumptions(discount_rate=0.03))
    >>> out = write_plan(plan, pathlib.Path(tempfile.mkdtemp()) / "plan.xlsx")
    >>> read_assumptions_sheet(out).discount_rate
    0.03
    """
    from estate.safety import check_file

    path = Path(path)
    kind = check_file(path)
    if kind == "csv":
        raise NotASpreadsheetError(path, "assumptions are read from the Assumptions sheet of an .xlsx workbook")
    found = _assumptions_rows(path)
    if found is None:
        raise ParameterError(f"{path.name}: no 'Assumptions' sheet to read the assumptions from.")
    sheet_name, rows = found
    header_at = next((i for i, row in enumerate(rows)
                      if row and str(row[0]).strip().lower() == "parameter"), None)
    if header_at is None:
        raise ParameterError(f"{path.name}: the Assumptions sheet has no header row starting 'Parameter'.")
    header = [str(cell).strip() for cell in rows[header_at]]
    records = []
    for row in rows[header_at + 1:]:
        if not row or row[0] is None or str(row[0]).strip() == "":
            break
        records.append(list(row) + [None] * (len(header) - len(row)))
    frame = pd.DataFrame([r[:len(header)] for r in records], columns=header)
    frame = frame.loc[:, [c for c in frame.columns if c]]
    try:
        return Assumptions.from_frame(frame)
    except ParameterError as error:
        raise ParameterError(_where_on_sheet(str(error), path, sheet_name, header, header_at, records)) from None


def read_partner_budgets_sheet(path: str | Path) -> tuple[dict[tuple[str, int], float], str]:
    """The partner budgets on the ``Assumptions`` sheet of a plan workbook, and their source.

    Each row whose parameter is ``Partner budget: <organisation> <year>``
    (:func:`estate.budgets.budget_label`) gives one budget; a workbook
    without such rows gives none.

    Returns
    -------
    dict of (str, int) to float, str
        The budgets, sorted, and the Source of the first of them (the file
        they were first read from).

    Raises
    ------
    ParameterError
        A budget row whose name has no year, whose value is not a number
        >= 0, or that repeats an (organisation, year): naming the cell.
    """
    from xlsxwriter.utility import xl_rowcol_to_cell

    from estate.budgets import BUDGET_LABEL, parse_budget_label
    from estate.safety import check_file

    path = Path(path)
    found = None if check_file(path) == "csv" else _assumptions_rows(path)
    if found is None:
        return {}, ""
    sheet_name, rows = found
    budgets: dict[tuple[str, int], float] = {}
    source = ""
    for i, row in enumerate(rows):
        name = str(row[0]).strip() if row and row[0] is not None else ""
        if not name.startswith(BUDGET_LABEL):
            continue
        where = f"{path.name}, sheet {sheet_name!r}, cell"
        key = parse_budget_label(name)
        if key is None:
            raise ParameterError(f"{where} {xl_rowcol_to_cell(i, 0)}: {name!r} is not "
                                 f"'{BUDGET_LABEL}<organisation> <year>'.")
        value = row[1] if len(row) > 1 else None
        amount = float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else math.nan
        if not math.isfinite(amount) or amount < 0:
            raise ParameterError(f"{where} {xl_rowcol_to_cell(i, 1)} ({name}): the budget {value!r} is not a "
                                 "number >= 0.")
        if key in budgets:
            raise ParameterError(f"{where} {xl_rowcol_to_cell(i, 0)}: {name!r} is given twice.")
        budgets[key] = amount
        if not source and len(row) > 3 and isinstance(row[3], str):
            source = row[3].strip()
    return dict(sorted(budgets.items())), source


def _where_on_sheet(message: str, path: Path, sheet: str, header: list[str], header_at: int,
                    records: list[list[object]]) -> str:
    """``message`` prefixed with the cell of the Assumptions sheet it is about (the value, or the name)."""
    from xlsxwriter.utility import xl_rowcol_to_cell

    lowered = [h.lower() for h in header]
    value_col = lowered.index("value") if "value" in lowered else 1
    for j, record in enumerate(records):
        name = str(record[0]).strip()
        if f"'{name}' parameter" in message:
            cell = xl_rowcol_to_cell(header_at + 1 + j, value_col)
        elif f"'{name}'" in message:
            cell = xl_rowcol_to_cell(header_at + 1 + j, 0)
        else:
            continue
        return f"{path.name}, sheet {sheet!r}, cell {cell} ({name}): {message}"
    return f"{path.name}, sheet {sheet!r}: {message}"

