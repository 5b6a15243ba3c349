"""Assumptions: every number a plan uses that does not come from an input.

Each parameter has a value, a unit, a source and a description. The defaults
live in the package's data file ``estate/data/assumptions.toml``; values whose
source says *Illustrative* are plausible round figures, not evidence, and a
plan's user should replace them. :func:`load_assumptions` reads the defaults
and lays a user's file (TOML or YAML) and keyword overrides over them;
:meth:`Assumptions.to_frame` gives the plan's ``Assumptions`` sheet and
:meth:`Assumptions.from_frame` reads such a sheet back.

A user file names any subset of parameters, either plainly or as a table::

    discount_rate = 0.03            # TOML; in YAML: discount_rate: 0.03

    [bias_mitigation]
    value = 0.5
    source = "Programme risk workshop, May 2027"

An unknown name, a value of the wrong type or out of range is refused with one
line naming the parameter. Rates, biases and shares are fractions (``0.035``),
never percentages; months and users are whole numbers.

Examples
--------
>>> assumptions = load_assumptions(discount_rate=0.03)
>>> assumptions.discount_rate, assumptions.horizon_years, assumptions.currency
(0.03, 10, 'GBP')
>>> frame = assumptions.to_frame()
>>> frame.loc[frame["Parameter"] == "discount_rate", ["Value", "Source"]].iloc[0].tolist()
[0.03, 'set by the user']
>>> Assumptions.from_frame(frame) == assumptions
True
"""

from __future__ import annotations

import difflib
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from functools import lru_cache
from importlib import resources
from numbers import Integral, Real
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from estate.errors import InputFileError, ParameterError

__all__ = [
    "ALLOCATION_RULES",
    "ASSUMPTION_COLUMNS",
    "Assumptions",
    "load_assumptions",
]

ALLOCATION_RULES = ("users", "spend", "equal")
"""How costs are split between partners: by users on the platform, by run cost before, or equally."""

ASSUMPTION_COLUMNS = ("Parameter", "Value", "Unit", "Source", "Description")
"""Columns of :meth:`Assumptions.to_frame`, in order."""

_PACKAGED = "assumptions.toml"
_USER_SOURCE = "set by the user"
_META_KEYS = ("value", "unit", "source", "description")


@dataclass(frozen=True)
class _Rule:
    """What values a parameter accepts."""

    kind: str  # "text" (a currency code), "note" (free text), "int", "float", "choice", "date"
    low: float | None = None
    high: float | None = None
    choices: tuple[str, ...] = ()

    def requirement(self) -> str:
        if self.kind == "choice":
            return "one of " + ", ".join(repr(c) for c in self.choices)
        if self.kind == "text":
            return "a three-letter currency code such as 'GBP'"
        if self.kind == "date":
            return "a date (YYYY-MM-DD or DD/MM/YYYY), or blank for the date the plan is made"
        if self.kind == "note":
            return "a line of text (at most 500 characters)"
        noun = "an int" if self.kind == "int" else "a float"
        if self.low is not None and self.high is not None:
            return f"{noun} in [{self.low:g}, {self.high:g}]"
        if self.low is not None:
            return f"{noun} >= {self.low:g}"
        return f"{noun} (a finite number)"


_RATE = _Rule("float", 0.0, 1.0)
_MONEY = _Rule("float", 0.0, None)
_RULES: dict[str, _Rule] = {
    "currency": _Rule("text"),
    "first_month": _Rule("int", 1, 12),
    "first_year": _Rule("int", 1900, 9000),
    "horizon_years": _Rule("int", 1, 100),
    "discount_rate": _RATE,
    "price_base_year": _Rule("int", 1900, 9000),
    "vat_basis": _Rule("note"),
    "indexation": _Rule("note"),
    "cost_bias": _Rule("float", 0.0, 10.0),
    "saving_bias": _RATE,
    "bias_mitigation": _RATE,
    "scale_elasticity": _RATE,
    "max_survivor_scale": _Rule("float", 1.0, 1e6),
    "licence_volume_discount": _RATE,
    "support_fixed_share": _RATE,
    "hosting_fixed_share": _RATE,
    "staff_fixed_share": _RATE,
    "staff_saving_cashable": _RATE,
    "fit_max_cost_ratio": _Rule("float", 1.0, 1e6),
    "divided_move_saving_share": _RATE,
    "migration_months": _Rule("int", 0, 240),
    "double_running_months": _Rule("float", 0.0, 120.0),
    "assessment_planning_per_option": _MONEY,
    "stakeholder_engagement_per_partner": _MONEY,
    "data_migration_per_system": _MONEY,
    "epr_replacement_per_user": _MONEY,
    "erp_replacement_per_user": _MONEY,
    "platform_replacement_per_user": _MONEY,
    "training_per_user": _MONEY,
    "integration_rework_per_interface": _MONEY,
    "vendor_management_per_contract": _MONEY,
    "joint_procurement_cost": _MONEY,
    "volume_discount": _RATE,
    "hosting_move_per_system": _MONEY,
    "hosting_destination_share": _RATE,
    "default_site_exit_cost": _MONEY,
    "default_users": _Rule("int", 1, 10_000_000),
    "default_exit_fraction": _RATE,
    "default_notice_months": _Rule("int", 0, 120),
    "default_contract_months": _Rule("int", 1, 240),
    "allocation_rule": _Rule("choice", choices=ALLOCATION_RULES),
    "under_used_site_threshold": _RATE,
    "minimum_option_npv": _Rule("float", None, None),
    "uncertain_savings_low": _Rule("float", 0.0, 10.0),
    "uncertain_savings_likely": _Rule("float", 0.0, 10.0),
    "uncertain_savings_high": _Rule("float", 0.0, 10.0),
    "uncertain_costs_low": _Rule("float", 0.0, 10.0),
    "uncertain_costs_likely": _Rule("float", 0.0, 10.0),
    "uncertain_costs_high": _Rule("float", 0.0, 10.0),
    "uncertain_delay_low": _Rule("float", 0.0, 50.0),
    "uncertain_delay_likely": _Rule("float", 0.0, 50.0),
    "uncertain_delay_high": _Rule("float", 0.0, 50.0),
    "common_cause_correlation": _RATE,
    "cost_delay_correlation": _Rule("float", -0.95, 0.95),
    "monte_carlo_draws": _Rule("int", 1, 1_000_000),
    "monte_carlo_seed": _Rule("int", 0, 2**32 - 1),
    "shared_service_across_successors": _Rule("choice", choices=("no", "yes")),
    "shared_service_years": _Rule("int", 0, 50),
    "shared_service_charge": _RATE,
    "partition_one_off_share": _Rule("float", 0.0, 10.0),
    "partition_run_cost_uplift": _Rule("float", 0.0, 10.0),
    "monolithic_data_factor": _Rule("float", 1.0, 20.0),
    "vesting_window_months": _Rule("int", 0, 60),
    "start_window_years": _Rule("int", 1, 50),
    "migrations_per_organisation": _Rule("int", 0, 10_000),
    "migrations_at_once": _Rule("int", 0, 1_000_000),
    "decisions_as_of": _Rule("date"),
    "predecessors_act_jointly": _Rule("choice", choices=("no", "yes")),
}


@dataclass(frozen=True)
class Assumptions:
    """The parameters of a plan, validated. Build it with :func:`load_assumptions`.

    Every field is required: the defaults live in ``estate/data/assumptions.toml``,
    not here. See that file (or :meth:`to_frame`) for each parameter's unit,
    source and description, and ``docs/costing.md`` for how it is used.

    Attributes
    ----------
    currency : str
        ISO 4217 code of the plan's one currency (``"GBP"``).
    price_base_year : int
        The financial year whose prices every amount is in (real prices).
    vat_basis, indexation : str
        How VAT and price changes are treated, in words, for the Summary.
    first_month : int
        Month financial years start in (4, April).
    first_year : int
        Appraisal year 0, by the calendar year it starts in (2027 is 2027/28);
        every option starts on its first day.
    horizon_years : int
        Appraisal period in years (10).
    discount_rate : float
        Discount rate a year, a fraction (0.035).
    cost_bias, saving_bias, bias_mitigation : float
        Optimism bias on one-off costs (2.00) and on savings (0.41), and the
        share of both removed by mitigation (0.80).
    scale_elasticity : float
        Exponent of the survivor's cost growth with users (0.8).
    max_survivor_scale : float
        Most users a survivor may serve, as a multiple of its own (5).
    licence_volume_discount : float
        Discount on the licences a survivor buys for the users it takes on,
        off its own unit price (0.1).
    support_fixed_share, hosting_fixed_share, staff_fixed_share : float
        The share of a survivor's support, hosting and staff cost that does not
        grow with its users (0.5 each).
    staff_saving_cashable : float
        The share of a staff-time saving that is cash (0: non-cashable unless
        posts go).
    fit_max_cost_ratio : float
        Like for like (:mod:`estate.fit`, rule 4): a system with more users
        than a survivor and over this many times its cost is not retired onto
        it (5).
    divided_move_saving_share : float
        A divided system whose parts each move onto a successor's own
        platform saves this share of its annual cost (0.2;
        :func:`estate.reorganisation.divided_systems`).
    migration_months : int
        Months from an option's start to its earliest retirement (12).
    double_running_months : float
        Months of parallel running before each retirement (3).
    assessment_planning_per_option, stakeholder_engagement_per_partner, data_migration_per_system, \
training_per_user, integration_rework_per_interface, vendor_management_per_contract, joint_procurement_cost, \
hosting_move_per_system, default_site_exit_cost : float
        One-off unit costs in the plan's currency.
    epr_replacement_per_user, erp_replacement_per_user, platform_replacement_per_user : float
        One-off cost of the programme that retires a platform, a user of it:
        a patient-record (EPR) platform, an ERP, another platform
        (:func:`estate.costing.replacement_per_user`).
    volume_discount : float
        Saving a joint procurement buys, a fraction (0.08).
    hosting_destination_share : float
        Running cost a closed site's systems add at their destination, a fraction
        of the closed site's annual cost (0.4, illustrative).
    default_users : int
        Users of a system whose users are missing or fewer than 1 (50).
    default_exit_fraction : float
        Default exit cost as a fraction of the remaining contract value (0.5).
    default_notice_months : int
        Notice period when not given (6).
    default_contract_months : int
        A missing contract end is the plan start plus this many months, less a day (24).
    allocation_rule : {"users", "spend", "equal"}
        How shared costs are split between partners.
    under_used_site_threshold : float
        Utilisation below which a site is under-used (0.5).
    minimum_option_npv : float
        NPV an option must reach to count as worth doing (0).
    uncertain_savings_low, uncertain_savings_likely, uncertain_savings_high : float
        Triangular range of the savings achieved, as a multiple of the
        planned savings (0.7, 1.0, 1.1); see :mod:`estate.sensitivity`.
    uncertain_costs_low, uncertain_costs_likely, uncertain_costs_high : float
        Triangular range of the one-off costs, as a multiple of the planned
        costs (0.9, 1.0, 1.6).
    uncertain_delay_low, uncertain_delay_likely, uncertain_delay_high : float
        Triangular range of the delay to savings, in years (0, 0, 1).
    common_cause_correlation : float
        Correlation of one option's draws with every other's (0.5): the
        share of the uncertainty with a cause common to the partnership.
    cost_delay_correlation : float
        Correlation of an option's cost overrun with its delay (0.6): both
        follow from delivery going badly.
    monte_carlo_draws, monte_carlo_seed : int
        Draws of the simulation (10,000) and the seed that makes it repeatable.
    shared_service_across_successors : {"no", "yes"}
        Whether an option may span successor authorities as a shared service ("no").
    shared_service_years : int
        Length of a hosting agreement between successors (3).
    shared_service_charge : float
        Yearly cost of a hosting agreement, a share of the guests' share of the cost (0.1).
    partition_one_off_share, partition_run_cost_uplift : float
        One-off cost of partitioning a divided system (0.5) and extra run cost of each copy (0.25),
        as shares of its annual cost.
    monolithic_data_factor : float
        Multiplier of data work when data is monolithic (2).
    vesting_window_months : int
        Months either side of vesting in which no critical system is retired (6).
    start_window_years : int
        An option may start in its natural year or up to this many years
        less one later (5); 1 turns phasing off. See :mod:`estate.schedule`.
    migrations_per_organisation, migrations_at_once : int
        Most migrations an organisation (2), and the partnership (6), runs
        at once; 0 sets no limit.
    decisions_as_of : datetime.date or None
        The day the plan's decisions are taken from: a vesting date after it
        is still ahead, a contract ending before it has expired, a notice
        date before it has passed. Blank (None) is the date the plan is made:
        :func:`estate.plan.make_plan` puts today's date in (see
        :attr:`decisions_date`).
    predecessors_act_jointly : {"no", "yes"}
        Whether councils being reorganised act jointly before vesting ("no"):
        when not, the new authorities' options start from vesting
        (:func:`estate.reorganisation.earliest_starts`).
    sources : Mapping[str, str]
        Where a value came from when it is not the packaged default (a user
        file, a keyword, a sheet read back); not compared.
    """

    currency: str
    first_month: int
    first_year: int
    horizon_years: int
    discount_rate: float
    price_base_year: int
    vat_basis: str
    indexation: str
    cost_bias: float
    saving_bias: float
    bias_mitigation: float
    scale_elasticity: float
    max_survivor_scale: float
    licence_volume_discount: float
    support_fixed_share: float
    hosting_fixed_share: float
    staff_fixed_share: float
    staff_saving_cashable: float
    fit_max_cost_ratio: float
    divided_move_saving_share: float
    migration_months: int
    double_running_months: float
    assessment_planning_per_option: float
    stakeholder_engagement_per_partner: float
    data_migration_per_system: float
    epr_replacement_per_user: float
    erp_replacement_per_user: float
    platform_replacement_per_user: float
    training_per_user: float
    integration_rework_per_interface: float
    vendor_management_per_contract: float
    joint_procurement_cost: float
    volume_discount: float
    hosting_move_per_system: float
    hosting_destination_share: float
    default_site_exit_cost: float
    default_users: int
    default_exit_fraction: float
    default_notice_months: int
    default_contract_months: int
    allocation_rule: str
    under_used_site_threshold: float
    minimum_option_npv: float
    uncertain_savings_low: float
    uncertain_savings_likely: float
    uncertain_savings_high: float
    uncertain_costs_low: float
    uncertain_costs_likely: float
    uncertain_costs_high: float
    uncertain_delay_low: float
    uncertain_delay_likely: float
    uncertain_delay_high: float
    common_cause_correlation: float
    cost_delay_correlation: float
    monte_carlo_draws: int
    monte_carlo_seed: int
    shared_service_across_successors: str
    shared_service_years: int
    shared_service_charge: float
    partition_one_off_share: float
    partition_run_cost_uplift: float
    monolithic_data_factor: float
    vesting_window_months: int
    start_window_years: int
    migrations_per_organisation: int
    migrations_at_once: int
    decisions_as_of: date | None
    predecessors_act_jointly: str
    sources: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), compare=False, repr=False)

    @property
    def cost_factor(self) -> float:
        """The optimism-bias multiplier of one-off costs: 1 + cost_bias x (1 - bias_mitigation).

        Examples
        --------
        >>> round(load_assumptions().cost_factor, 10)
        2.0
        """
        return 1.0 + self.cost_bias * (1.0 - self.bias_mitigation)

    @property
    def saving_factor(self) -> float:
        """The optimism-bias multiplier of savings: 1 - saving_bias x (1 - bias_mitigation).

        Examples
        --------
        >>> round(load_assumptions().saving_factor, 10)
        0.795
        """
        return 1.0 - self.saving_bias * (1.0 - self.bias_mitigation)

    @property
    def decisions_date(self) -> date:
        """The day decisions are taken from: ``decisions_as_of``, or today's date when it is blank.

        Examples
        --------
        >>> load_assumptions(decisions_as_of="2026-12-07").decisions_date
        datetime.date(2026, 12, 7)
        >>> load_assumptions().decisions_date == date.today()
        True
        """
        return self.decisions_as_of if self.decisions_as_of is not None else _today()

    def to_dict(self) -> dict[str, Any]:
        """The values by parameter name, in the Assumptions sheet's order.

        Examples
        --------
        >>> list(load_assumptions().to_dict())[:3]
        ['currency', 'first_month', 'first_year']
        """
        return {name: getattr(self, name) for name in _RULES}

    def to_frame(self) -> pd.DataFrame:
        """The Assumptions sheet: one row a parameter in a stable order.

        Returns
        -------
        DataFrame
            Columns ``Parameter``, ``Value``, ``Unit``, ``Source``,
            ``Description`` (:data:`ASSUMPTION_COLUMNS`). ``Value`` holds
            numbers and text (dtype object). ``Source`` is the packaged
            source unless the value was set otherwise.

        Examples
        --------
        >>> frame = load_assumptions().to_frame()
        >>> frame.loc[4, ["Parameter", "Value", "Unit"]].tolist()
        ['discount_rate', 0.035, 'fraction a year']
        >>> bool(frame["Source"].str.contains("Illustrative").sum() > 10)
        True
        """
        meta = _packaged()[1]
        rows = []
        for name, value in self.to_dict().items():
            unit, source, description = meta[name]
            rows.append((name, value, unit, self.sources.get(name, source), description))
        frame = pd.DataFrame(rows, columns=list(ASSUMPTION_COLUMNS))
        frame["Value"] = frame["Value"].astype(object)
        return frame

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> Assumptions:
        """Read assumptions back from an Assumptions sheet, such as an earlier plan's.

        Parameters
        ----------
        frame : DataFrame
            With columns ``Parameter`` and ``Value`` (headers compared
            ignoring case), and optionally ``Source``. Parameters not in the
            frame keep their packaged defaults; a whole-number float
            (``2027.0``, as spreadsheets store numbers) is read as an int.

        Returns
        -------
        Assumptions

        Raises
        ------
        ParameterError
            If a column is missing, a parameter is unknown or repeated, or a
            value is invalid.

        Examples
        --------
        >>> import pandas as pd
        >>> sheet = pd.DataFrame({"Parameter": ["horizon_years", "discount_rate"], "Value": [15.0, "0.03"]})
        >>> a = Assumptions.from_frame(sheet)
        >>> a.horizon_years, a.discount_rate
        (15, 0.03)
        """
        func = "Assumptions.from_frame"
        if not isinstance(frame, pd.DataFrame):
            raise _fail("frame", func, "a DataFrame with columns 'Parameter' and 'Value'", type(frame).__name__)
        columns = {str(c).strip().lower(): c for c in frame.columns}
        if "parameter" not in columns or "value" not in columns:
            raise _fail("frame", func, "a DataFrame with columns 'Parameter' and 'Value'", list(frame.columns))
        names = frame[columns["parameter"]].astype(str).str.strip()
        repeated = names[names.duplicated()]
        if len(repeated):
            raise _fail("frame", func, "a DataFrame naming each parameter once", f"{repeated.iloc[0]!r} twice")
        values = {name: _from_cell(value) for name, value in zip(names, frame[columns["value"]], strict=True)}
        sources: dict[str, str] = {}
        if "source" in columns:
            packaged = _packaged()[1]
            for name, source in zip(names, frame[columns["source"]], strict=True):
                if name in packaged and isinstance(source, str) and source and source != packaged[name][1]:
                    sources[name] = source
        return _build(values, sources, func)


# --------------------------------------------------------------------------- #
# Validation
# --------------------------------------------------------------------------- #


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _fail(name: str, func: str, requirement: str, value: object) -> ParameterError:
    return ParameterError(f"The {name!r} parameter of {func} must be {requirement}. Got {_shown(value)} instead.")


def _unknown(name: object, func: str) -> ParameterError:
    close = difflib.get_close_matches(str(name), list(_RULES), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return ParameterError(f"{func} got an unknown assumption {str(name)!r}{hint}; "
                          f"known assumptions are {', '.join(_RULES)}.")


def _from_cell(value: object) -> object:
    """A spreadsheet cell as a Python value: numbers from numeric text (``3.5%`` is 0.035, ``£12,500`` 12500).

    Examples
    --------
    >>> _from_cell("3.5%"), _from_cell(" £12,500 "), _from_cell("users")
    (0.035, 12500.0, 'users')
    """
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str):
        text = value.strip()
        percent = text.endswith("%")
        digits = text[:-1].strip() if percent else text
        digits = digits.lstrip("£€$").replace(",", "").replace("_", "")
        try:
            number = float(digits)
        except ValueError:
            return text
        return round(number / 100, 12) if percent else number
    return value


def _check(name: str, value: object, func: str) -> object:
    rule = _RULES[name]
    if isinstance(value, np.generic):
        value = value.item()
    if rule.kind == "text":
        if not isinstance(value, str) or len(value.strip()) != 3 or not value.strip().isalpha():
            raise _fail(name, func, rule.requirement(), value)
        return value.strip().upper()
    if rule.kind == "date":
        return _date(name, value, func, rule)
    if rule.kind == "note":
        if not isinstance(value, str) or not value.strip() or len(value.strip()) > 500:
            raise _fail(name, func, rule.requirement(), value)
        return value.strip()
    if rule.kind == "choice":
        if not isinstance(value, str) or value.strip().lower() not in rule.choices:
            raise _fail(name, func, rule.requirement(), value)
        return value.strip().lower()
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(float(value)):
        raise _fail(name, func, rule.requirement(), value)
    number = float(value)
    if (rule.low is not None and number < rule.low) or (rule.high is not None and number > rule.high):
        raise _fail(name, func, rule.requirement(), value)
    if rule.kind == "int":
        if not isinstance(value, Integral) and not number.is_integer():
            raise _fail(name, func, rule.requirement(), value)
        return int(number)
    return number


def _today() -> date:
    """Today's date (one place, so that a test can fix it)."""
    return date.today()


def _date(name: str, value: object, func: str, rule: _Rule) -> date | None:
    """A date parameter: a date, a datetime at midnight, ISO or day/month/year text; blank is None."""
    if value is None or (isinstance(value, str) and not value.strip()) or (
            isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        for parse in (date.fromisoformat, lambda t: datetime.strptime(t, "%d/%m/%Y").date()):
            try:
                return parse(text)
            except ValueError:
                pass
    raise _fail(name, func, rule.requirement(), value)


def _build(values: Mapping[str, object], sources: Mapping[str, str], func: str) -> Assumptions:
    defaults, _ = _packaged()
    merged = dict(defaults)
    for name, value in values.items():
        if name not in _RULES:
            raise _unknown(name, func)
        merged[name] = _check(name, value, func)
    return Assumptions(**merged, sources=MappingProxyType(dict(sources)))


# --------------------------------------------------------------------------- #
# Files
# --------------------------------------------------------------------------- #


@lru_cache(maxsize=1)
def _packaged() -> tuple[dict[str, object], dict[str, tuple[str, str, str]]]:
    """The packaged defaults: values, and (unit, source, description) by name."""
    text = resources.files("estate").joinpath("data", _PACKAGED).read_text(encoding="utf-8")
    data = tomllib.loads(text)
    missing = [name for name in _RULES if name not in data]
    extra = [name for name in data if name not in _RULES]
    if missing or extra:  # a packaging error, caught by the tests
        raise RuntimeError(f"{_PACKAGED} does not match the assumptions of estate: missing {missing}, extra {extra}")
    values = {name: _check(name, data[name]["value"], _PACKAGED) for name in _RULES}
    meta = {name: (str(data[name]["unit"]), str(data[name]["source"]), str(data[name]["description"]))
            for name in _RULES}
    return values, meta


def _read_file(path: Path, func: str) -> dict[str, Any]:
    suffix = path.suffix.lower()
    if suffix not in (".toml", ".yaml", ".yml"):
        raise _fail("path", func, "a .toml, .yaml or .yml file", str(path))
    if not path.is_file():
        raise _fail("path", func, "an existing file", str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ParameterError(f"{path.name}: cannot read the assumptions file ({error.__class__.__name__}).") from None
    try:
        if suffix == ".toml":
            data: object = tomllib.loads(text)
        else:
            from estate.safety import load_yaml  # no aliases: a small file never expands without bound

            data = load_yaml(text, path)
    except InputFileError as error:
        raise ParameterError(str(error)) from None
    except Exception as error:  # noqa: BLE001 - any parse failure is the file's fault
        first = str(error).strip().splitlines()[0] if str(error).strip() else error.__class__.__name__
        raise ParameterError(f"{path.name}: not a valid {suffix[1:].upper()} file: {first}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParameterError(f"{path.name}: an assumptions file must map parameter names to values.")
    return data


def _unpack(name: str, entry: object, file_name: str, func: str) -> tuple[object, str]:
    """A file entry (a value, or a table with value/unit/source/description) as (value, source)."""
    if not isinstance(entry, Mapping):
        return entry, f"user file {file_name}"
    unknown = [key for key in entry if key not in _META_KEYS]
    if unknown:
        raise ParameterError(f"{file_name}: assumption {name!r} has an unknown key {unknown[0]!r}; "
                             f"use {', '.join(_META_KEYS)}.")
    if "value" not in entry:
        raise ParameterError(f"{file_name}: assumption {name!r} has no 'value'.")
    unit = entry.get("unit")
    packaged_unit = _packaged()[1][name][0]
    if unit is not None and str(unit).strip().lower() != packaged_unit.lower():
        raise ParameterError(f"{file_name}: assumption {name!r} must be in {packaged_unit!r}. Got {unit!r} instead.")
    source = entry.get("source")
    return entry["value"], str(source) if source else f"user file {file_name}"


def load_assumptions(path: str | Path | None = None, **overrides: Any) -> Assumptions:
    """The packaged default assumptions, overridden by a user's file and keywords.

    Parameters
    ----------
    path : str or Path, optional
        A ``.toml``, ``.yaml`` or ``.yml`` file naming any subset of the
        parameters, each either as ``name = value`` or as a table with
        ``value`` and optionally ``source`` (shown on the Assumptions sheet),
        ``unit`` (which must be the packaged unit) and ``description``.
    **overrides
        Parameter values that override both the defaults and the file.

    Returns
    -------
    Assumptions

    Raises
    ------
    ParameterError
        If the file cannot be read or parsed, a name is unknown, or a value
        has the wrong type or is out of range; the message is one line and
        names the parameter (and the file).

    Examples
    --------
    >>> a = load_assumptions(horizon_years=15, allocation_rule="spend")
    >>> a.horizon_years, a.allocation_rule, a.sources["horizon_years"]
    (15, 'spend', 'set by the user')
    >>> load_assumptions(discount_rate=3.5)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    estate.errors.ParameterError: The 'discount_rate' parameter of load_assumptions must be a float in [0, 1]. Got...
    >>> load_assumptions(discount=0.03)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    estate.errors.ParameterError: ...unknown assumption 'discount' (did you mean 'discount_rate'?)...
    """
    func = "load_assumptions"
    values: dict[str, object] = {}
    sources: dict[str, str] = {}
    if path is not None:
        if not isinstance(path, (str, Path)):
            raise _fail("path", func, "a path to a .toml, .yaml or .yml file, or None", path)
        file_path = Path(path)
        for name, entry in _read_file(file_path, func).items():
            if name not in _RULES:
                raise ParameterError(f"{file_path.name}: {_unknown(name, func)}")
            value, source = _unpack(name, entry, file_path.name, func)
            try:
                values[name] = _check(name, value, func)
            except ParameterError as error:
                raise ParameterError(f"{file_path.name}: {error}") from None
            sources[name] = source
    for name, value in overrides.items():
        if name not in _RULES:
            raise _unknown(name, func)
        values[name] = value
        sources[name] = _USER_SOURCE
    return _build(values, sources, func)


# The dataclass and the rules must name the same parameters, in the same order.
assert [f.name for f in fields(Assumptions) if f.name != "sources"] == list(_RULES)
