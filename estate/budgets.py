"""Partners' one-off budgets: the most each organisation may spend on the plan in a year.

A partner guards its own budget. A budget file is a CSV with one row per
organisation and financial year::

    organisation,year,budget
    Eden,2026,150000
    Carlisle,2027,400000

``year`` is the financial year by the year it starts (2026 is 2026-27, as
everywhere in estate); ``budget`` is the most one-off cost that organisation
may bear in that year, counting its cost share of each option's spend that
year (:attr:`estate.schedule.ScheduleInputs.cost_shares`). Years and
organisations not named are not limited. The schedule
(:func:`estate.schedule.schedule_portfolio`) keeps every budget; an option
held back by one says ``budget`` as its start reason, naming the budget's
row on the plan's ``Assumptions`` sheet.

The plan keeps them (:attr:`estate.plan.Plan.partner_budgets`) and writes
them on its ``Assumptions`` sheet, one row a budget named by
:func:`budget_label` (``Partner budget: Eden 2026``), so that a re-plan
from that workbook (``--assumptions plan.xlsx``) keeps them; budgets given
explicitly (``--budgets FILE``) replace the sheet's.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "budgets.csv").write_text("organisation,year,budget\\nEden,2026,150000\\n")
>>> read_partner_budgets(folder / "budgets.csv")
{('Eden', 2026): 150000.0}
>>> check_partner_budgets({("Eden", 2026): 1.0}, ["Eden", "Carlisle"])
{('Eden', 2026): 1.0}
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from estate.errors import InputFileError, ParameterError

__all__ = ["BUDGET_COLUMNS", "BUDGET_LABEL", "budget_label", "check_partner_budgets", "parse_budget_label",
           "read_partner_budgets"]

BUDGET_COLUMNS = ("organisation", "year", "budget")
"""Columns of a partner budget file."""

BUDGET_LABEL = "Partner budget: "
"""How the name of a partner budget's row on the ``Assumptions`` sheet begins."""


def budget_label(organisation: str, year: int) -> str:
    """The ``Assumptions`` sheet's parameter name of a partner's budget for a financial year.

    Examples
    --------
    >>> budget_label("Eden", 2026)
    'Partner budget: Eden 2026'
    """
    return f"{BUDGET_LABEL}{organisation} {int(year)}"


def parse_budget_label(text: object) -> tuple[str, int] | None:
    """The (organisation, year) a :func:`budget_label` names; None for any other text.

    The year is the last word, so an organisation's name may hold spaces and digits.

    Examples
    --------
    >>> parse_budget_label("Partner budget: District 9 Council 2027")
    ('District 9 Council', 2027)
    >>> parse_budget_label("discount_rate") is None
    True
    """
    if not isinstance(text, str) or not text.startswith(BUDGET_LABEL):
        return None
    organisation, _, year = text[len(BUDGET_LABEL):].strip().rpartition(" ")
    if not organisation.strip() or not year.isdigit():
        return None
    return organisation.strip(), int(year)


def read_partner_budgets(path: str | Path, organisations: Iterable[str] | None = None,
                         ) -> dict[tuple[str, int], float]:
    """Read a partner budget CSV (``organisation,year,budget``).

    Parameters
    ----------
    path : str or Path
        The CSV file.
    organisations : iterable of str, optional
        The inventory's organisations; a row naming another is refused.

    Returns
    -------
    dict of (str, int) to float
        The budget of each (organisation, financial year).

    Raises
    ------
    InputFileError
        The file cannot be read, lacks a column, or a row has a blank
        organisation, a year that is not a whole number, a budget that is not
        a number >= 0, names an organisation not in ``organisations``, or
        repeats an (organisation, year) already given; the message names the
        file and row.
    """
    from estate.safety import read_text_csv

    path = Path(path)
    table = read_text_csv(path, "a CSV budget file")
    missing = [c for c in BUDGET_COLUMNS if c not in table.columns]
    if missing:
        raise InputFileError(path, f"needs the columns {', '.join(BUDGET_COLUMNS)}; missing {', '.join(missing)}")
    table = table[list(BUDGET_COLUMNS)].apply(lambda column: column.str.strip())
    row = pd.Series(range(2, len(table) + 2), index=table.index)  # the file's line: 1 is the header
    year = pd.to_numeric(table["year"], errors="coerce")
    budget = pd.to_numeric(table["budget"].str.replace(",", "", regex=False).str.lstrip("£"), errors="coerce")
    known = None if organisations is None else sorted({str(o) for o in organisations})
    unknown = (pd.Series(False, index=table.index) if known is None
               else ~table["organisation"].isin(known) & (table["organisation"] != ""))
    problems = [
        (table["organisation"] == "", "organisation is blank"),
        (unknown, "organisation {organisation!r} is not in the inventory"
                  + ("" if not known else " (known: " + ", ".join(known[:5]).replace("{", "{{").replace("}", "}}")
                                          + (", ..." if len(known) > 5 else "") + ")")),
        (year.isna() | (year % 1 != 0), "year {year!r} is not a whole financial year"),
        (budget.isna() | ~budget.abs().lt(math.inf), "budget {budget!r} is not a number"),
        (budget < 0, "budget {budget!r} is negative"),
        (table.duplicated(["organisation", "year"]), "organisation {organisation!r} and year {year!r} are given "
                                                     "twice"),
    ]
    for bad, message in problems:
        if bad.any():
            first = bad.to_numpy().argmax()
            values = table.iloc[first].to_dict()
            raise InputFileError(path, f"row {row.iloc[first]}: " + message.format(**values))
    return {(str(o), int(y)): float(b) for o, y, b in
            sorted(zip(table["organisation"], year.astype(int), budget, strict=True))}


def check_partner_budgets(budgets: Mapping[tuple[str, int], float], organisations: Iterable[str], *,
                          source: str | Path | None = None) -> dict[tuple[str, int], float]:
    """Refuse budgets naming an organisation not in the inventory, or a bad amount.

    Parameters
    ----------
    budgets : mapping of (str, int) to float
        The budget of each (organisation, financial year).
    organisations : iterable of str
        The organisations of the inventory.
    source : str or Path, optional
        The file the budgets came from, named in the error.

    Returns
    -------
    dict of (str, int) to float
        The budgets, sorted.

    Raises
    ------
    ParameterError or InputFileError
        (the latter when ``source`` is given) naming the first offending
        organisation.
    """
    known = {str(o) for o in organisations}

    def refuse(problem: str) -> None:
        if source is not None:
            raise InputFileError(source, problem)
        raise ParameterError(f"partner budgets: {problem}")

    checked: dict[tuple[str, int], float] = {}
    for key in sorted(budgets, key=str):
        if not (isinstance(key, tuple) and len(key) == 2):
            refuse(f"each key must be (organisation, year), not {key!r}")
        organisation, year = key
        amount = budgets[key]
        if str(organisation) not in known:
            refuse(f"organisation {str(organisation)!r} is not in the inventory "
                   f"(known: {', '.join(sorted(known)[:5])}{', ...' if len(known) > 5 else ''})")
        try:
            value = float(amount)
        except (TypeError, ValueError):
            value = math.nan
        if not math.isfinite(value) or value < 0:
            refuse(f"budget {amount!r} for {organisation!r} in {year} is not a number >= 0")
        if isinstance(year, bool) or not float(year).is_integer():
            refuse(f"year {year!r} for {organisation!r} is not a whole financial year")
        checked[(str(organisation), int(year))] = value
    return dict(sorted(checked.items()))
