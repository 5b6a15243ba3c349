"""Options: the consolidations a plan could make, each costed and appraised.

:func:`generate_options` reads the matched systems (one row a system, with its
product and capability) and proposes four kinds of option, each with a
plain-language rationale:

``shared platform`` (``SP-001``...)
    For a capability run in two or more organisations: one system survives and
    every other system of that capability in a group of organisations retires
    onto it. Each plausible survivor (per product, the system of that product
    with the most users; not end-of-life, not being replaced, not in-house) is
    tried with each group: all the organisations that run the capability, each
    natural grouping (``groups``) and each set of organisations sharing a
    successor authority, cut down to those running it, of two or more. Two
    groups proposing exactly the same move give one option, the earlier id.
``joint procurement`` (``JP-001``...)
    The same product family (what one contract buys, ``product_family``: the
    Microsoft 365 family covers Teams, SharePoint Online and the Copilot
    add-on) in two or more organisations: every partner re-contracts at its
    next contract end under one joint contract for a volume discount; nobody
    migrates. An organisation's many rows of one family (departmental
    instances, use cases) are one licence base and one contract: the contract
    is managed once an organisation, the discount applies to each row's own
    licence and support (so nothing is counted twice), and users are never
    added up across them.
``rationalisation`` (``RW-001``...)
    One organisation runs two or more different products for one capability:
    each plausible one is tried as the survivor of the others.
``hosting consolidation`` (``HC-001``...)
    A site used less than the threshold: its systems move to the same
    organisation's busiest site that is not itself under-used or full, or to
    the cloud, and the site closes.

A system serving several capabilities (``capability_codes``,
:mod:`estate.coverage`) is a candidate survivor in each, and a survivor that
is a candidate in two or more gets one combined option a group for all of
them (``capability_code`` ``"CORP-FIN;CORP-HR"``), its run cost once in the
base. It retires only onto a survivor that fits it in every capability it
serves; otherwise it stays, and the rationale says which part would move
and why it stays. Since it moves whole, an option retiring it names the
other jobs that move with it in ``capability_name`` (``"Video conferencing
(with Collaboration and office productivity, Intranet)"``).

Every figure is rebuilt by hand, or by spreadsheet formulas, from the rows of
:attr:`Options.effects` and the :class:`~estate.assumptions.Assumptions`: the
model is linear and each formula is stated in ``docs/costing.md``, with a
worked example that the tests check. A survivor takes only the systems it can
take on like for like (:mod:`estate.fit`); its run cost after grows kind by
kind with the users R it receives, each organisation's users counted once
(:mod:`estate.costing`; no cap). In short, for an option whose survivor has
annual cost S and U_S users and whose retired systems s have cost c_s and
users u_s::

    run_cost_after = survivor_cost_after(S by kind, U_S, R)   (estate.costing)
    uplift_s       = (run_cost_after - S) x u_s / sum of retired users
    net_saving_s   = c_s - uplift_s
    savings_y      = saving_factor x sum_s net_saving_s x year_fraction(R_s, no end, y)

where R_s, the day system s stops costing, is the day after its contract end
(rolled forward to a date notice can still be given for, and no earlier than
the end of migration) or, if worth more, the end of migration at the price of
its exit cost. One-off costs fall in year 0 (per option and partner) and in
the financial year each system retires, and carry the optimism-bias uplift.
Cash flows, NPV and payback come from :mod:`estate.appraisal`.

Examples
--------
>>> import pandas as pd
>>> from estate.assumptions import load_assumptions
>>> matched = pd.DataFrame({
...     "system_key": ["Eden/REV", "Carlisle/REV"],
...     "organisation": ["Eden", "Carlisle"],
...     "capability_code": ["LG-REVBEN", "LG-REVBEN"],
...     "capability_name": ["Revenues and benefits"] * 2,
...     "product_id": ["capita-academy", "civica-openrevenues"],
...     "product_name": ["Academy", "OpenRevenues"],
...     "users": [40.0, 60.0], "annual_cost": [85_000.0, 120_000.0],
...     "contract_end": pd.to_datetime(["2029-09-30", "2030-03-31"]),
...     "exit_cost": [30_000.0, None], "notice_months": [6.0, 6.0],
... })
>>> options = generate_options(matched, assumptions=load_assumptions())
>>> options.options[["option_id", "target", "systems_retired"]]
  option_id        target systems_retired
0    SP-001  Carlisle/REV        Eden/REV
1    SP-002      Eden/REV    Carlisle/REV
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np
import pandas as pd

from estate.appraisal import (
    CASH_FLOW_COLUMNS,
    apply_optimism_bias,
    discount_factors,
    financial_years,
    fy_start,
    option_cash_flows,
    payback_years_by_row,
    year_fractions,
)
from estate.assumptions import Assumptions
from estate.costing import (
    COST_KINDS,
    cost_parts,
    non_cashable_share,
    rates_note,
    replacement_class,
    replacement_per_user,
    survivor_cost_after,
)
from estate.columns import each_distinct, map_distinct, text_order
from estate.coverage import CAPABILITY_SEPARATOR, capability_names, codes_of, join_codes, served_capabilities
from estate.errors import ParameterError
from estate.fit import SITE_BOUND_JOBS, FitCodes, fit_codes, fit_profiles, fit_reason, fits_by_position
from estate.national import run_by

__all__ = [
    "DEFAULTS_USED_COLUMNS",
    "EFFECT_COLUMNS",
    "ONE_OFF_CATEGORIES",
    "OPTION_COLUMNS",
    "OPTION_TYPES",
    "OVERRIDE_USE_COLUMNS",
    "Options",
    "PARTNER_SHARE_COLUMNS",
    "PATHS",
    "ROOM_COLUMNS",
    "generate_options",
]

OPTION_TYPES = {
    "shared platform": "SP",
    "joint procurement": "JP",
    "rationalisation": "RW",
    "hosting consolidation": "HC",
}
"""Each kind of option and the prefix of its ids."""

ONE_OFF_CATEGORIES = (
    "assessment_planning",
    "joint_procurement",
    "stakeholder_engagement",
    "parallel_running",
    "vendor_management",
    "training",
    "integration_rework",
    "data_migration",
    "replacement_programme",
    "contract_exit",
    "hosting_move",
    "site_exit",
)
"""Kinds of one-off cost (Federal Application Rationalization Playbook 6.3.1-6.3.7, plus migration and exit)."""

PATHS = ("at contract end", "early exit", "site closure")
"""How a system (or site) is retired or re-contracted."""

OPTION_COLUMNS = (
    "option_id", "type", "capability_code", "capability_name", "target", "target_label", "lead_organisation",
    "partners", "n_partners", "systems_retired", "n_retired", "run_cost_before", "run_cost_after",
    "annual_saving", "cashable_saving", "non_cashable_saving", "received_users", "one_off_cost", "pv_savings",
    "pv_costs", "npv", "payback_years", "start_year", "end_year",
    "meets_minimum_npv", "rationale",
)
"""Columns of :attr:`Options.options`."""

EFFECT_COLUMNS = (
    "option_id", "system_key", "organisation", "effect", "users", "annual_cost", "uplift", "net_saving",
    "contract_end", "notice_months", "natural_end", "exit_cost", "path", "retire_date", "saving_start",
    "exit_cost_paid", "npv_contract_end", "npv_early_exit", "interfaces", "destination", "cost_licence",
    "cost_support", "cost_hosting", "cost_staff", "cost_other", "replacement_class",
)
"""Columns of :attr:`Options.effects`."""

PARTNER_SHARE_COLUMNS = (
    "option_id", "organisation", "run_cost_before", "run_cost_after", "annual_saving", "saving_share",
    "cost_share", "one_off_cost", "npv",
)
"""Columns of :attr:`Options.partner_shares`."""

OVERRIDE_USE_COLUMNS = ("option_id", "system_key", "survivor_key", "decision", "source_row")
"""Columns of :attr:`Options.fit_overrides_used`."""

ROOM_COLUMNS = ("option_id", "destination", "racks", "free")
"""Columns of :attr:`Options.room`."""

DEFAULTS_USED_COLUMNS = (
    "system_key", "organisation", "source_file", "source_sheet", "source_row", "column", "default", "note",
)
"""Columns of :attr:`Options.defaults_used`."""

_NOT_SURVIVOR_LIFECYCLES = frozenset({"end-of-life", "being replaced"})
_NO_PRODUCT = re.compile(
    r"^\s*(in[\s_-]*house|bespoke|home[\s_-]*grown|internal(ly)?([\s_-]*(developed|built))?|custom[\s_-]*built"
    r"|none|n/?a|unknown|no[\s_-]*product)\b",
    re.IGNORECASE,
)
_LIST_SPLIT = r"\s*(?:;|\n|\|)\s*"
_ONE_DAY = np.timedelta64(1, "D")
_DAYS_A_YEAR = 365.0
_SITE_PREFIX = "site:"
_CLOUD = "cloud"
_FORBIDDEN = "may not go onto it by the user's override: "

# Which defaulted columns matter for a system, by what the option does to it.
_DEFAULTS_BY_EFFECT = {
    "survive": ("users", "annual_cost"),
    "retire": ("users", "annual_cost", "contract_end", "notice_months", "exit_cost"),
    "recontract": ("users", "annual_cost", "contract_end", "notice_months"),
    "move": (),
}


@dataclass(frozen=True, eq=False)
class Options:
    """Candidate options, what they do to each system, and their appraisal.

    Attributes
    ----------
    options : DataFrame
        One row an option, columns :data:`OPTION_COLUMNS`, sorted by
        ``option_id``. Money is a year's amount (run costs, saving) or a total
        over the horizon (one-off cost, after optimism bias); ``npv`` and
        ``payback_years`` come from :func:`estate.appraisal.appraise_flows`.
    effects : DataFrame
        One row an option and system it touches, columns
        :data:`EFFECT_COLUMNS`: ``effect`` is ``retire``, ``survive``,
        ``recontract`` or ``move``; a hosting consolidation retires the pseudo
        system ``site:<site_key>``. ``path`` says how it is retired;
        ``npv_contract_end`` and ``npv_early_exit`` are the NPVs of its own
        flows on each path.
    cash_flows : DataFrame
        ``option_id`` and the columns of
        :data:`estate.appraisal.CASH_FLOW_COLUMNS`, one row an option and year.
    one_off_by_year : DataFrame
        ``option_id``, ``year``, ``amount`` (after optimism bias), non-zero
        years within the horizon.
    one_off_breakdown : DataFrame
        ``option_id``, ``category`` (:data:`ONE_OFF_CATEGORIES`),
        ``amount_before_bias``, ``amount``: totals within the horizon.
    partner_shares : DataFrame
        One row an option and partner, columns :data:`PARTNER_SHARE_COLUMNS`;
        the partners' ``npv`` add up to the option's.
    defaults_used : DataFrame
        Every assumed value of a system an option touches, columns
        :data:`DEFAULTS_USED_COLUMNS`, to report as data issues.
    assumptions : Assumptions
        The assumptions the options were costed with.
    room : DataFrame
        Columns :data:`ROOM_COLUMNS`, one row a hosting consolidation whose
        destination's room is measured: the racks it moves there (racks x
        utilisation of the closing site) and the racks free there (racks x
        (1 - utilisation)). The portfolio keeps the racks moved into each
        destination within its room (:func:`estate.portfolio.select_portfolio`).
    fit_overrides_used : DataFrame
        Columns :data:`OVERRIDE_USE_COLUMNS`: where the user's fit overrides
        (:mod:`estate.fit_overrides`) changed what an option does: a system
        retired onto a survivor the fit rules refused (``allow``), or left
        running though the rules let it go (``forbid``).
    """

    options: pd.DataFrame
    effects: pd.DataFrame
    cash_flows: pd.DataFrame
    one_off_by_year: pd.DataFrame
    one_off_breakdown: pd.DataFrame
    partner_shares: pd.DataFrame
    defaults_used: pd.DataFrame
    assumptions: Assumptions = field(repr=False)
    room: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({c: pd.Series(dtype=object if c in (
        "option_id", "destination") else float) for c in ROOM_COLUMNS}), repr=False)
    fit_overrides_used: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {c: pd.Series(dtype=object) for c in OVERRIDE_USE_COLUMNS}), repr=False)

    def _summary(self) -> list[tuple[str, str]]:
        from estate._display import count

        kinds = self.options["type"].value_counts().sort_index() if len(self.options) else pd.Series(dtype=int)
        return [("options", f"{len(self.options):,}"),
                ("types", "; ".join(f"{n:,} {kind}" for kind, n in kinds.items()) or "none"),
                ("effects", count(len(self.effects), "system effect")),
                ("defaults used", f"{len(self.defaults_used):,}")]

    def __repr__(self) -> str:
        from estate._display import text

        return text("Options", self._summary())

    def _repr_html_(self) -> str:
        from estate._display import html

        return html("Options", self._summary(), self.options, "Options")

    def to_frame(self) -> pd.DataFrame:
        """The options, one row each (a copy of :attr:`options`).

        Examples
        --------
        >>> import pandas as pd
        >>> from estate.assumptions import load_assumptions
        >>> generate_options(pd.DataFrame({"system_key": ["a/x"], "organisation": ["a"]}),
        ...                  assumptions=load_assumptions()).to_frame().shape
        (0, 26)
        """
        return self.options.copy()

    @property
    def partner_npv(self) -> pd.DataFrame:
        """``option_id``, ``organisation``, ``npv``: the input :func:`estate.portfolio.select_portfolio` takes."""
        return self.partner_shares.loc[:, ["option_id", "organisation", "npv"]].copy()


# --------------------------------------------------------------------------- #
# Validation and preparation of the systems
# --------------------------------------------------------------------------- #


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _fail(name: str, requirement: str, value: object) -> ParameterError:
    return ParameterError(
        f"The {name!r} parameter of generate_options must be {requirement}. Got {_shown(value)} instead."
    )


def _text(series: pd.Series) -> pd.Series:
    """Text with blanks as None (object dtype)."""
    values = series.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):  # text and blanks only
        return pd.Series(each_distinct(values, lambda v: (v.strip() or None) if isinstance(v, str) else None),
                         index=series.index, dtype=object)
    # .map gives float64 when no value is text (a blank column): keep it object, so merges on it work.
    out = series.astype(object).map(lambda v: v.strip() if isinstance(v, str) else v).astype(object)
    return out.where(out.notna() & out.ne(""), None).astype(object)


def _number(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series(np.nan, index=frame.index, dtype=float)
    return pd.to_numeric(frame[column], errors="coerce").astype(float)


def _column(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series(None, index=frame.index, dtype=object)
    return _text(frame[column])


def _days(values: Any) -> np.ndarray:
    return pd.to_datetime(pd.Series(values), errors="coerce").to_numpy().astype("datetime64[D]")


def _add_years(days: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Each day moved on by a whole number of years (29 February to 28 February), like Excel's EDATE(d, 12k)."""
    calendar_year = days.astype("datetime64[Y]")
    month = days.astype("datetime64[M]")
    day_index = (days - month.astype("datetime64[D]")).astype(np.int64)
    month_index = (month - calendar_year.astype("datetime64[M]")).astype(np.int64)
    new_month = (calendar_year + years).astype("datetime64[M]") + month_index
    length = ((new_month + 1).astype("datetime64[D]") - new_month.astype("datetime64[D]")).astype(np.int64)
    return new_month.astype("datetime64[D]") + np.minimum(day_index, length - 1)


def _roll_forward(end: np.ndarray, threshold: np.ndarray) -> np.ndarray:
    """``end`` plus the fewest whole years (0 or more) that bring it on or after ``threshold``."""
    years = np.maximum(
        0,
        threshold.astype("datetime64[Y]").astype(np.int64) - end.astype("datetime64[Y]").astype(np.int64) - 1,
    )
    rolled = _add_years(end, years)
    while True:
        short = rolled < threshold
        if not short.any():
            return rolled
        years = years + short.astype(np.int64)
        rolled = _add_years(end, years)


def _has_product(product_id: pd.Series, product_name: pd.Series) -> pd.Series:
    def no_product(value: object) -> bool:
        return isinstance(value, str) and bool(_NO_PRODUCT.match(value))

    def each(series: pd.Series) -> pd.Series:  # once a distinct name (text and blanks here)
        return pd.Series(each_distinct(series.to_numpy(dtype=object), no_product).astype(bool), index=series.index)

    return product_id.notna() & ~each(product_id) & ~each(product_name)


def _interface_counts(interfaces: Any) -> pd.Series:
    """Interfaces (fan-in plus fan-out) by system_key."""
    if interfaces is None:
        return pd.Series(dtype=float)
    if isinstance(interfaces, pd.DataFrame):
        if "system_key" not in interfaces:
            raise _fail("interfaces", "a DataFrame with 'system_key' and 'fan_in' and 'fan_out' (or 'total')",
                        list(interfaces.columns))
        if "fan_in" in interfaces or "fan_out" in interfaces:
            counts = _number(interfaces, "fan_in").fillna(0.0) + _number(interfaces, "fan_out").fillna(0.0)
        elif "total" in interfaces:
            counts = _number(interfaces, "total")
        else:
            raise _fail("interfaces", "a DataFrame with 'system_key' and 'fan_in' and 'fan_out' (or 'total')",
                        list(interfaces.columns))
        series = pd.Series(counts.to_numpy(), index=interfaces["system_key"].astype(str).to_numpy())
    elif isinstance(interfaces, pd.Series):
        series = pd.to_numeric(interfaces, errors="coerce").astype(float)
        series.index = series.index.astype(str)
    elif isinstance(interfaces, Mapping):
        series = pd.Series({str(k): v for k, v in interfaces.items()}, dtype=object)
        series = pd.to_numeric(series, errors="coerce").astype(float)
    else:
        raise _fail("interfaces", "a DataFrame, a Series or a mapping of system_key to a count, or None",
                    type(interfaces).__name__)
    if series.index.is_unique:  # one count a system (integration_blast_radius): the sum of one is itself
        return (series.astype(float).fillna(0.0) + 0.0).clip(lower=0.0)  # + 0.0: -0.0 sums to 0.0
    return series.groupby(level=0).sum().clip(lower=0.0)


@dataclass(frozen=True)
class _Dates:
    """The plan's fixed dates as numpy days."""

    start: np.datetime64
    earliest: np.datetime64  # E: the first day a system may be retired
    default_end: np.datetime64
    years: np.ndarray  # appraisal financial years
    factors: np.ndarray  # DF_t


def _dates(a: Assumptions) -> _Dates:
    start = np.datetime64(fy_start(a.first_year, first_month=a.first_month), "D")
    start_month = start.astype("datetime64[M]")
    return _Dates(
        start=start,
        earliest=(start_month + a.migration_months).astype("datetime64[D]"),
        default_end=(start_month + a.default_contract_months).astype("datetime64[D]") - _ONE_DAY,
        years=a.first_year + np.arange(a.horizon_years, dtype=np.int64),
        factors=discount_factors(a.horizon_years, rate=a.discount_rate),
    )


def _prepare(matched: pd.DataFrame, a: Assumptions, d: _Dates, inventory: Any, interfaces: Any) -> pd.DataFrame:
    """One row a system with every input the cost model needs, defaults applied and flagged."""
    m = matched.sort_values("system_key", kind="stable").reset_index(drop=True)
    s = pd.DataFrame({
        "system_key": m["system_key"].astype(str).to_numpy(),
        "organisation": m["organisation"].astype(str).to_numpy(),
    })
    for column in ("system", "capability_code", "capability_name", "product_id", "product_name", "product_family",
                   "lifecycle", "site_key", "source_file", "source_sheet", "capability_codes"):
        s[column] = _column(m, column).to_numpy()
    # Every capability a system serves, its primary first (estate.coverage); one code when none is listed.
    s["capability_codes"] = s["capability_codes"].where(s["capability_codes"].notna(), s["capability_code"])
    s["source_row"] = pd.array(_number(m, "source_row").to_numpy(), dtype="Int64") if "source_row" in m \
        else pd.array([pd.NA] * len(m), dtype="Int64")
    for column in ("users", "annual_cost", "licence_cost", "support_cost", "hosting_cost", "staff_cost", "exit_cost",
                   "notice_months"):
        s[column + "_given"] = _number(m, column).to_numpy()
    end_given = _days(m["contract_end"]) if "contract_end" in m else np.full(len(m), "NaT", dtype="datetime64[D]")

    # Missing contract terms may be given on the Contracts sheet (several contracts: the latest end,
    # the longest notice, the exit costs added).
    contracts = getattr(inventory, "contracts", None)
    if isinstance(contracts, pd.DataFrame) and len(contracts) and "system_key" in contracts:
        linked = contracts.loc[contracts["system_key"].notna()]
        by_key = linked.groupby(linked["system_key"].astype(str))
        if "contract_end" in linked:
            latest = by_key["contract_end"].max()
            from_contracts = _days(s["system_key"].map(latest))
            end_given = np.where(np.isnat(end_given), from_contracts, end_given)
        if "notice_months" in linked:
            notice = by_key["notice_months"].max()
            s["notice_months_given"] = s["notice_months_given"].fillna(s["system_key"].map(notice).astype(float))
        if "exit_cost" in linked:
            exit_sum = by_key["exit_cost"].sum(min_count=1)
            s["exit_cost_given"] = s["exit_cost_given"].fillna(s["system_key"].map(exit_sum).astype(float))
    s["contract_end_given"] = pd.to_datetime(end_given)

    users_missing = s["users_given"].isna() | (s["users_given"] < 1)  # 0 (or a fraction) users is no count
    s["users"] = s["users_given"].where(~users_missing, float(a.default_users))
    s["annual_cost"] = s["annual_cost_given"].fillna(0.0)
    breakdown = s["licence_cost_given"].notna() | s["support_cost_given"].notna()
    s["discount_base"] = np.where(
        breakdown, s["licence_cost_given"].fillna(0.0) + s["support_cost_given"].fillna(0.0), s["annual_cost"]
    )
    notice = np.ceil(s["notice_months_given"].fillna(float(a.default_notice_months))).astype(np.int64)
    s["notice_months"] = notice
    end = np.where(np.isnat(end_given), d.default_end, end_given)
    s["contract_end"] = pd.to_datetime(end)
    notice_by = (d.start.astype("datetime64[M]") + notice.to_numpy()).astype("datetime64[D]")
    threshold = np.maximum(notice_by, d.earliest - _ONE_DAY)
    natural = _roll_forward(end, threshold)
    s["natural_end"] = pd.to_datetime(natural)
    remaining_years = np.maximum((natural + _ONE_DAY - d.earliest).astype(np.int64), 0) / _DAYS_A_YEAR
    s["can_exit_early"] = natural + _ONE_DAY > d.earliest
    s["exit_cost"] = s["exit_cost_given"].fillna(
        pd.Series(a.default_exit_fraction * s["annual_cost"].to_numpy() * remaining_years)
    )
    counts = _interface_counts(interfaces)
    s["interfaces"] = s["system_key"].map(counts).fillna(0.0).astype(float)

    s["has_product"] = _has_product(s["product_id"], s["product_name"])
    lifecycle = pd.Series(each_distinct(s["lifecycle"].to_numpy(dtype=object),
                                     lambda v: v.lower() if isinstance(v, str) else None), index=s.index)
    s["plausible_survivor"] = s["has_product"] & ~lifecycle.isin(_NOT_SURVIVOR_LIFECYCLES)
    s["product_key"] = s["product_id"].where(s["has_product"], "system:" + s["system_key"])
    # What one contract buys (a suite and its modules): joint procurement groups by it (issue 9).
    s["family_key"] = s["product_family"].where(s["has_product"] & s["product_family"].notna(), s["product_key"])
    s["missing_users"] = users_missing
    s["missing_cost"] = s["annual_cost_given"].isna()
    s["missing_end"] = np.isnat(end_given)
    s["missing_notice"] = s["notice_months_given"].isna()
    s["missing_exit"] = s["exit_cost_given"].isna()
    profile = fit_profiles(s.assign(product_id=s["product_id"].where(s["has_product"], None)))
    for column in ("product_label", "product_class", "rank", "jobs", "sector"):
        s["fit_" + column] = profile[column].to_numpy()
    return s


# --------------------------------------------------------------------------- #
# Generators: candidates and the systems they touch
# --------------------------------------------------------------------------- #


def _survivors(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Per ``by`` and product, the plausible system with the most users (ties by key).

    Plausible: it has a product and is not end-of-life or being replaced. (Which
    systems it can take, and how many users, :func:`_find_members`
    decides.) ``frame`` has ``key_order``, the system's position in the order of
    ``system_key`` (:func:`_by_capability`): sorting by it sorts by key, on
    integers.
    """
    plausible = frame.loc[frame["plausible_survivor"]]
    keys = plausible.loc[:, list(dict.fromkeys(["users", "key_order", *by, "product_key"]))].set_axis(
        np.arange(len(plausible)))
    ordered = keys.sort_values(["users", "key_order"], ascending=[False, True], kind="stable")
    chosen = ordered.drop_duplicates([*by, "product_key"]).sort_values([*by, "key_order"], kind="stable")
    return plausible.iloc[chosen.index.to_numpy()]


def _labels(frame: pd.DataFrame) -> list[str]:
    """Each row's system as people read it: ``"name (product), organisation"`` (the key without a name, no
    product bracket without a product), column by column."""
    system, key, product_name, product_id, org = (frame[c].astype(object).tolist() for c in (
        "system", "system_key", "product_name", "product_id", "organisation"))
    out = []
    for name, k, p_name, p_id, o in zip(system, key, product_name, product_id, org, strict=True):
        product = p_name if isinstance(p_name, str) else p_id
        name = name if isinstance(name, str) else k
        out.append(f"{name} ({product}), {o}" if isinstance(product, str) else f"{name}, {o}")
    return out


def _join(names: Iterable[str]) -> str:
    return "; ".join(sorted(names))


def _joined_by(cand: np.ndarray, names: np.ndarray, n: int) -> list[str]:
    """For each candidate 0..n-1, its distinct names sorted and '; '-joined (one pass, no group lambdas).

    The names (text) are numbered once in sorted order, so that the (candidate, name) pairs sort as integers.
    """
    codes, distinct = pd.factorize(np.asarray(names, dtype=object))
    values = distinct.tolist() if isinstance(distinct, pd.Index) else list(distinct)
    if not all(v.__class__ is str for v in values) or (codes < 0).any():
        lists: list[list[str]] = [[] for _ in range(n)]
        for c, name in sorted(set(zip(cand.tolist(), names.tolist(), strict=True))):
            lists[c].append(name)
        return ["; ".join(names_) for names_ in lists]
    order = text_order(values)
    ordered = np.asarray(values, dtype=object)[order]
    rank = np.empty(len(values), dtype=np.int64)
    rank[order] = np.arange(len(values))
    pairs = np.unique(np.asarray(cand, dtype=np.int64) * max(len(values), 1) + rank[codes])
    by, name = np.divmod(pairs, max(len(values), 1))
    bounds = np.searchsorted(by, np.arange(n + 1)).tolist()
    text = ordered[name].tolist()
    return ["; ".join(text[bounds[c]:bounds[c + 1]]) for c in range(n)]


def _groupings(groups: Any, inventory: Any) -> list[tuple[str, frozenset[str]]]:
    """Natural groupings and successor authorities as (basis, organisations)."""
    out: list[tuple[str, frozenset[str]]] = []
    if isinstance(groups, pd.DataFrame):  # estate.overlaps.partner_groups: organisation, group
        if not {"organisation", "group"} <= set(groups.columns):
            raise _fail("groups", "a DataFrame with columns 'organisation' and 'group', or sets of organisations",
                        list(groups.columns))
        groups = [set(block["organisation"].astype(str))
                  for _, block in groups.groupby("group", sort=True)]
    if groups is not None:
        if isinstance(groups, str) or not isinstance(groups, Iterable):
            raise _fail("groups", "an iterable of sets of organisations, or None", groups)
        for group in groups:
            if isinstance(group, str) or not isinstance(group, Collection):
                raise _fail("groups", "an iterable of sets of organisations, or None", group)
            out.append(("a natural grouping", frozenset(str(o) for o in group)))
    organisations = getattr(inventory, "organisations", None)
    if isinstance(organisations, pd.DataFrame) and {"organisation", "successor"} <= set(organisations.columns):
        rows = organisations.loc[organisations["successor"].notna(), ["organisation", "successor"]]
        successors = rows.assign(successor=rows["successor"].astype(str).str.split(_LIST_SPLIT, regex=True))
        successors = successors.explode("successor")
        successors["successor"] = successors["successor"].str.strip()
        successors = successors.loc[successors["successor"].ne("")]
        for name, block in successors.groupby("successor", sort=True):
            out.append((f"successor authority {name}", frozenset(block["organisation"].astype(str))))
    return out


def _groups_for(orgs: frozenset[str], groupings: list[tuple[str, frozenset[str]]]) -> list[tuple[tuple[str, ...], str]]:
    found: dict[frozenset[str], list[str]] = {orgs: ["all the organisations that run it"]}
    for basis, group in groupings:
        common = group & orgs
        if len(common) >= 2 and basis not in found.setdefault(frozenset(common), []):
            found[frozenset(common)].append(basis)
    return sorted((tuple(sorted(g)), "; ".join(b)) for g, b in found.items())


_PROFILE = ("product_label", "product_class", "rank", "jobs", "sector")
_SURVIVE, _RETIRE, _LEFT_OUT = 0, 1, 2
_EFFECTS = np.array(["survive", "retire", "left out"], dtype=object)


@dataclass(frozen=True, eq=False)
class _Coded:
    """The systems coded as integers once, for the millions of (candidate, system) pairs of the consolidations.

    A system is its position in ``systems`` (sorted by ``system_key``, so position order is key order);
    organisations and capabilities are their positions in sorted indexes (so code order is name order).
    """

    keys: np.ndarray  # system_key by position
    key_index: pd.Index
    organisation: np.ndarray  # each system's organisation code
    organisations: pd.Index
    capabilities: pd.Index  # every capability code served, sorted
    served_row: np.ndarray  # one entry a system and capability it serves, by (row, position)
    served_capability: np.ndarray
    served_position: np.ndarray
    served_start: np.ndarray  # system i's entries: served_start[i]:served_start[i + 1]
    lookup_key: np.ndarray  # capability x n_organisations + organisation of each entry, sorted (then by row)
    lookup_row: np.ndarray
    profiles: pd.DataFrame  # estate.fit profile of each system
    fit: FitCodes  # the profiles coded once for estate.fit.fits_by_position
    names: pd.Series  # capability code -> name (estate.coverage.capability_names)
    users: np.ndarray
    cost_given: np.ndarray  # a run cost is given
    product: np.ndarray  # each system's product code (the fit profile's product_id), -1 for none
    run_by: np.ndarray  # who runs its product as a national service (estate.national), "" for none
    national: np.ndarray  # whether it does (run_by is not "")


def _code_systems(systems: pd.DataFrame) -> _Coded:
    served = served_capabilities(systems)
    organisations = pd.Index(sorted(pd.unique(systems["organisation"].astype(str).to_numpy(object))), dtype=object)
    organisation = organisations.get_indexer(systems["organisation"].astype(str).to_numpy(object))
    codes = served["capability_code"].to_numpy(object)
    capabilities = pd.Index(sorted(set(codes.tolist())), dtype=object)
    row = served["row"].to_numpy(np.int64)
    capability = capabilities.get_indexer(codes).astype(np.int64)
    key = capability * max(len(organisations), 1) + organisation[row]
    order = np.lexsort((row, key))
    profiles = systems.loc[:, ["product_id", "users", "annual_cost", *(f"fit_{c}" for c in _PROFILE)]]
    profiles = profiles.rename(columns={f"fit_{c}": c for c in _PROFILE}).reset_index(drop=True)
    profiles["product_id"] = profiles["product_id"].where(systems["has_product"].to_numpy(), None)
    keys = systems["system_key"].to_numpy(object)
    # The fit rules judge scale on the users and costs given, not on defaults (estate.fit rule 4).
    fit = fit_codes(profiles.assign(users=profiles["users"].where(~systems["missing_users"].to_numpy(bool)),
                                    annual_cost=profiles["annual_cost"].where(systems["cost_given"].to_numpy(bool)
                                                                              if "cost_given" in systems
                                                                              else ~systems["missing_cost"].to_numpy(bool))))
    return _Coded(
        keys=keys, key_index=pd.Index(keys, dtype=object), organisation=organisation, organisations=organisations,
        capabilities=capabilities, served_row=row, served_capability=capability,
        served_position=served["position"].to_numpy(np.int64),
        served_start=np.searchsorted(row, np.arange(len(systems) + 1)), lookup_key=key[order],
        lookup_row=row[order], profiles=profiles, fit=fit, names=capability_names(systems, served=served),
        users=systems["users"].to_numpy(float), cost_given=~systems["missing_cost"].to_numpy(bool),
        product=fit.product_code.astype(np.int64),
        run_by=(bodies := run_by(systems["product_id"])),
        national=bodies != "",
    )


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``starts[i], starts[i] + 1, ..., starts[i] + counts[i] - 1`` for each i, one after another."""
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    if not total:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(counts)
    offsets = np.repeat(np.asarray(starts, dtype=np.int64) - (ends - counts), counts)
    return np.arange(total, dtype=np.int64) + offsets


def _by_capability(systems: pd.DataFrame, coded: _Coded) -> pd.DataFrame:
    """The systems once for each capability they serve (``capability_code`` that one, named).

    ``key_order`` is the system's rank in the order of ``system_key`` (unique): its position in ``systems``,
    which :func:`_prepare` sorts by key.
    """
    columns = ["system_key", "organisation", "system", "capability_code", "capability_name", "product_id",
               "product_name", "product_key", "users", "plausible_survivor"]  # what the generators read
    out = systems.iloc[coded.served_row, [systems.columns.get_loc(c) for c in columns]].reset_index(drop=True)
    keys = systems["system_key"]
    rank = np.arange(len(systems)) if keys.is_monotonic_increasing else pd.factorize(keys, sort=True)[0]
    out["key_order"] = rank[coded.served_row]
    out["capability_code"] = coded.capabilities.to_numpy(object)[coded.served_capability]
    out["capability_name"] = out["capability_code"].map(coded.names).astype(object)
    return out


@dataclass(frozen=True, eq=False)
class _Members:
    """What :func:`_find_members` finds, one entry a candidate and system, by (cand, order, system_key)."""

    cand: np.ndarray
    row: np.ndarray  # the system
    target: np.ndarray  # the survivor
    capability: np.ndarray  # the code the system joins under (option_capability)
    effect: np.ndarray  # _SURVIVE, _RETIRE or _LEFT_OUT
    reason: np.ndarray  # object: why a system is left out ("" otherwise)
    override: np.ndarray  # object: an allowing override's reason ("" otherwise)

    def take(self, mask: np.ndarray) -> _Members:
        return _Members(*(getattr(self, f.name)[mask] for f in fields(self)))


def _find_members(candidates: pd.DataFrame, coded: _Coded, a: Assumptions, *,
                  overrides: pd.DataFrame | None = None, explain: bool = True) -> _Members:
    """The systems of each candidate's capabilities in its group, and whether its survivor takes them.

    The survivor survives; every other system serving one of the
    candidate's capabilities (``capabilities``, else ``capability_code``) in
    the group's organisations retires if the survivor fits it (same job,
    kind, sector and scale: :mod:`estate.fit`) in *every* capability it
    serves: a system serving several (an ERP) moves whole or not at all.
    The rest keep running: they are members too, with effect "left out" and the reason.
    A member's capability is the one it joins under: the first of the
    candidate's that it serves. ``overrides``
    (:func:`estate.fit_overrides.resolve_fit_overrides`) allow or forbid
    pairs whatever the rules say; ``override`` holds an allowing row's
    reason. With ``explain`` False the fit rules' reasons are not put in
    words (millions of pairs at scale): ``reason`` is blank where they
    refuse. Everything is in integer codes of ``coded``
    (:func:`_code_systems`); :func:`_members_frame` puts it in words.
    """
    cand_of = candidates["cand"].to_numpy(np.int64)
    capabilities = _candidate_capabilities(candidates)
    groups = [list(g) for g in candidates["group"].to_numpy(object).tolist()]
    n_caps = np.array([len(c) for c in capabilities], dtype=np.int64)
    n_orgs = np.array([len(g) for g in groups], dtype=np.int64)
    cap_code = coded.capabilities.get_indexer(pd.Index([c for cs in capabilities for c in cs], dtype=object))
    org_code = coded.organisations.get_indexer(pd.Index([str(o) for g in groups for o in g], dtype=object))
    # Every (candidate, its k-th capability, an organisation of its group), then the systems serving that
    # capability in that organisation.
    cap_candidate = np.repeat(np.arange(len(candidates)), n_caps)
    cap_order = np.arange(len(cap_code)) - np.repeat(np.cumsum(n_caps) - n_caps, n_caps)
    slot = np.repeat(np.arange(len(cap_code)), n_orgs[cap_candidate])
    org_at = _ranges((np.cumsum(n_orgs) - n_orgs)[cap_candidate], n_orgs[cap_candidate])
    cap_of_slot, org_of_slot = cap_code[slot], org_code[org_at]
    key = cap_of_slot.astype(np.int64) * max(len(coded.organisations), 1) + org_of_slot
    valid = (cap_of_slot >= 0) & (org_of_slot >= 0)
    low = np.searchsorted(coded.lookup_key, key, side="left")
    count = np.where(valid, np.searchsorted(coded.lookup_key, key, side="right") - low, 0)
    found = _ranges(low, count)
    slot = np.repeat(slot, count)
    row = coded.lookup_row[found]
    candidate = cap_candidate[slot]
    cand, order, capability = cand_of[candidate], cap_order[slot], cap_code[slot]
    # Each system once a candidate, under the candidate's first capability it serves; by (cand, order, key).
    # (cand, order, row) is unique, so any sort of it is the one order; the first of a (cand, row) is then
    # the one of the smallest order.
    n_rows, n_order = max(len(coded.keys), 1), int(n_caps.max()) + 1 if len(n_caps) else 1
    first = np.argsort((cand * n_order + order) * n_rows + row)
    if n_order > 2:  # a candidate of several capabilities: a system serving two of them is found twice
        first = first[~pd.Series(cand[first] * n_rows + row[first]).duplicated().to_numpy()]
    cand, row, candidate, capability = cand[first], row[first], candidate[first], capability[first]
    target = coded.key_index.get_indexer(candidates["target"].astype(str).to_numpy(object))[candidate]

    fits_all, reason = _fit_members(coded, a, row, target, capability, explain=explain)
    survive = row == target
    # A national service is one system for everybody already: it is not retired onto a local one.
    national = coded.national[row] & ~survive
    if national.any():
        reason = reason.astype(object)
        reason[national] = "is a national service, run by " + coded.run_by[row[national]] + " for everybody"
    ok = fits_all & ~national
    allowed = np.zeros(len(row), dtype=bool)
    told = np.full(len(row), "", dtype=object)
    if overrides is not None and len(overrides):
        said = pd.Index(coded.key_index.get_indexer(overrides["system_key"].astype(str).to_numpy(object))
                        * np.int64(len(coded.keys) + 1)
                        + coded.key_index.get_indexer(overrides["target"].astype(str).to_numpy(object)))
        at = said.get_indexer(row * np.int64(len(coded.keys) + 1) + target)
        hit = at >= 0
        decision = np.full(len(row), None, dtype=object)
        decision[hit] = overrides["decision"].to_numpy(object)[at[hit]]
        told[hit] = overrides["reason"].fillna("").astype(str).to_numpy(object)[at[hit]]
        forbid = decision == "forbid"
        allowed = (decision == "allow") & ~ok
        reason = np.where(forbid & ok, _FORBIDDEN + told.astype(str), reason)  # the rules' reason, if they refuse
        ok = (ok | allowed) & ~forbid
    effect = np.where(survive, _SURVIVE, np.where(ok, _RETIRE, _LEFT_OUT))
    reason = np.where(survive | ok, "", reason).astype(object)
    override = np.where(allowed & ~survive, told, "").astype(object)
    return _Members(cand=cand, row=row, target=target, capability=capability, effect=effect, reason=reason,
                    override=override)


def _fit_members(coded: _Coded, a: Assumptions, row: np.ndarray, target: np.ndarray, capability: np.ndarray, *,
                 explain: bool) -> tuple[np.ndarray, np.ndarray]:
    """Whether each survivor (``target``) fits each member (``row``, joining under ``capability``) in every
    capability the member serves, and, with ``explain``, why not ("" otherwise, and without ``explain``)."""
    starts = coded.served_start[row]
    served_n = coded.served_start[row + 1] - starts
    entry = _ranges(starts, served_n)
    member = np.repeat(np.arange(len(row)), served_n)
    pair_capability = coded.served_capability[entry]
    ok, why = fits_by_position(coded.fit, row[member], target[member],
                               capability=pd.Categorical.from_codes(pair_capability, categories=coded.capabilities),
                               max_cost_ratio=a.fit_max_cost_ratio, explain=explain)
    own = pair_capability == capability[member]
    fails_own = np.zeros(len(row), dtype=bool)
    fails_own[member[own & ~ok]] = True
    fails_other = np.zeros(len(row), dtype=bool)
    fails_other[member[~own & ~ok]] = True
    reason = np.full(len(row), "", dtype=object)
    if explain and why is not None:
        at = own & ~ok
        reason[member[at]] = why[at]
    # Only the job rule depends on the capability: a member failing in none of the option's capabilities but
    # in another it serves is a multi-capability system that would have to move whole.
    other = np.flatnonzero(fails_other & ~fails_own)
    if explain and len(other):
        failing = ~own & ~ok & ~fails_own[member]
        names = coded.names.to_dict()
        codes = coded.capabilities.to_numpy(object)
        lacking: dict[int, list[str]] = {}
        for m, c in zip(member[failing].tolist(), pair_capability[failing].tolist(), strict=True):
            lacking.setdefault(m, []).append(str(names.get(codes[c], codes[c])))
        labels = coded.profiles["product_label"].to_numpy(object)[target[other]]
        for i, label in zip(other.tolist(), labels, strict=True):
            reason[i] = (f"stays: it also runs {_and(lacking[i])}, which {str(label)} does not, so its work moves "
                         "only with them")
    return ~(fails_own | fails_other), reason


def _surely_too_big(candidates: pd.DataFrame, coded: _Coded, a: Assumptions) -> np.ndarray:
    """The candidates whose survivor certainly takes more than ``max_survivor_scale`` times its own users.

    Found without pairing the survivor with every member (millions of pairs for a shared platform across
    hundreds of organisations): a system of the survivor's own product with no more users than it always
    fits it (rules 1 to 3 hold for one product; rule 4 needs more users), so in each other organisation
    of the group the largest such system is retired, and the users received (:func:`received_users`: each
    organisation's largest retired count, added up) are at least the sum of these. Where that sum alone
    breaks the scale rule, :func:`_worth_appraising` would drop the candidate whatever the other members
    do. Candidates of several capabilities are not bounded here (False).
    """
    n = len(candidates)
    single = ~candidates["capabilities"].map(lambda c: isinstance(c, list)).to_numpy(dtype=bool) \
        if "capabilities" in candidates else np.ones(n, dtype=bool)
    target = coded.key_index.get_indexer(candidates["target"].astype(str).to_numpy(object))
    capability = coded.capabilities.get_indexer(pd.Index(candidates["capability_code"].to_numpy(object)))
    product = np.where(target >= 0, coded.product[target], -1)
    own = np.where(target >= 0, coded.users[target], np.nan)
    eligible = single & (target >= 0) & (capability >= 0) & (product >= 0) & (own > 0)
    if not eligible.any():
        return np.zeros(n, dtype=bool)
    # Every system by (capability, product, organisation) block and users, users as their rank among all counts.
    entry_product = coded.product[coded.served_row]
    at = entry_product >= 0
    n_products, n_orgs = int(coded.product.max()) + 1, max(len(coded.organisations), 1)
    counts = np.unique(coded.users)
    block = ((coded.served_capability[at] * n_products + entry_product[at]) * n_orgs
             + coded.organisation[coded.served_row[at]])
    users = coded.users[coded.served_row[at]]
    composite = block * len(counts) + np.searchsorted(counts, users)
    order = np.argsort(composite, kind="stable")
    composite, users = composite[order], users[order]
    # Each eligible candidate and organisation of its group but the survivor's own: its largest such system.
    chosen = np.flatnonzero(eligible)
    groups = [list(g) for g in candidates["group"].iloc[chosen]]
    org = coded.organisations.get_indexer(pd.Index([str(o) for g in groups for o in g], dtype=object))
    slot = np.repeat(chosen, [len(g) for g in groups])
    use = (org >= 0) & (org != coded.organisation[target[slot]])
    slot, org = slot[use], org[use]
    wanted = ((capability[slot] * n_products + product[slot]) * n_orgs + org)
    found = np.searchsorted(composite, wanted * len(counts) + np.searchsorted(counts, own[slot]), side="right") - 1
    hit = (found >= 0) & (composite[np.maximum(found, 0)] // len(counts) == wanted)
    bound = np.bincount(slot, weights=np.where(hit, users[np.maximum(found, 0)], 0.0), minlength=n)
    scale = a.max_survivor_scale * own
    with np.errstate(invalid="ignore"):
        return eligible & (own + bound > scale + 1e-9 * np.abs(scale) + 1e-6)


def _members_frame(found: _Members, coded: _Coded) -> pd.DataFrame:
    """:func:`_find_members`' members as a frame: ``cand``, ``system_key``, ``effect``, ``reason``, ``override``,
    ``option_capability``."""
    return pd.DataFrame({
        "cand": found.cand, "system_key": coded.keys[found.row], "effect": _EFFECTS[found.effect],
        "reason": found.reason, "override": found.override,
        "option_capability": coded.capabilities.to_numpy(object)[found.capability],
    })


def _candidate_capabilities(candidates: pd.DataFrame) -> list[list[str]]:
    """Each candidate's capabilities: its ``capabilities`` list where given, else its one ``capability_code``."""
    single = [[c] if isinstance(c, str) else [] for c in candidates["capability_code"].to_numpy(object).tolist()]
    if "capabilities" not in candidates:
        return single
    listed = candidates["capabilities"].to_numpy(object).tolist()
    return [list(c) if isinstance(c, (list, tuple)) and len(c) else s for c, s in zip(listed, single, strict=True)]


def _and(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def received_users(members: pd.DataFrame, systems: pd.DataFrame) -> pd.Series:
    """Users a survivor takes on, by ``cand``: each organisation's users counted once per capability.

    An organisation's retired systems of one capability serve largely the same
    staff, so its users are the largest of their counts, not their sum. (The
    survivor's own organisation's retired systems count too: they may serve
    other staff than the survivor does, as another practice or department.)
    A system serving several capabilities is counted once, under the
    capability it joins the option by (``option_capability`` when given).
    """
    m = members.merge(systems.loc[:, ["system_key", "organisation", "users"]], on="system_key")
    retired = m.loc[m["effect"] == "retire"]
    by = ["cand", "organisation"] + (["option_capability"] if "option_capability" in retired else [])
    by_org = retired.groupby(by)["users"].max()
    return by_org.groupby(level="cand").sum().rename("received")


def _shared_platforms(systems: pd.DataFrame, groupings: list[tuple[str, frozenset[str]]]) -> pd.DataFrame:
    # Site-bound infrastructure moves between organisations only as a hosting consolidation (fit.SITE_BOUND_JOBS).
    capable = systems.loc[systems["capability_code"].notna() & ~systems["capability_code"].isin(SITE_BOUND_JOBS)]
    org_count = capable.groupby("capability_code")["organisation"].nunique()
    capable = capable.loc[capable["capability_code"].isin(org_count.index[org_count >= 2])]
    groups = []  # (capability_code, group number, organisation): every group of every capability
    bases: dict[tuple[str, int], tuple[tuple[str, ...], str]] = {}
    for code, orgs in capable.groupby("capability_code", sort=True)["organisation"].agg(frozenset).items():
        for number, (group, basis) in enumerate(_groups_for(orgs, groupings)):
            bases[(code, number)] = (group, basis)
            groups.extend((code, number, org) for org in group)
    rows = pd.DataFrame(groups, columns=["capability_code", "group_number", "organisation"])
    members = rows.merge(capable.loc[capable["plausible_survivor"]], on=["capability_code", "organisation"])
    survivors = _survivors(members, ["capability_code", "group_number"])
    records = []
    rows = survivors.loc[:, ["capability_code", "group_number", "capability_name", "system_key", "product_name",
                             "product_id", "organisation"]].itertuples()
    for row, label in zip(rows, _labels(survivors), strict=True):
        code = row.capability_code
        group, basis = bases[(code, row.group_number)]
        capability = row.capability_name if isinstance(row.capability_name, str) else code
        product = row.product_name if isinstance(row.product_name, str) else row.product_id
        records.append({
            "type": "shared platform", "capability_code": code, "capability_name": row.capability_name,
            "target": row.system_key, "target_label": label, "lead_organisation": row.organisation,
            "group": list(group), "sort_key": (code, row.system_key, group),
            "rationale": (
                f"{len(group)} organisations ({_join(group)}) each run {capability}. Move them onto "
                f"{label}, the most-used {product} system among them. Grouping: {basis}."
            ),
        })
    return pd.DataFrame.from_records(records)


def _rationalisations(systems: pd.DataFrame) -> pd.DataFrame:
    capable = systems.loc[systems["capability_code"].notna()]
    by = capable.groupby(["organisation", "capability_code"])["product_key"]
    capable = capable.assign(in_block=by.transform("size"), products_in_block=by.transform("nunique"))
    capable = capable.loc[capable["products_in_block"] >= 2]
    survivors = _survivors(capable, ["organisation", "capability_code"])
    if not len(survivors):
        return pd.DataFrame()
    # Column by column in plain Python values: tens of thousands of rows at scale.
    codes, names, in_block, products, keys, orgs = (
        survivors[c].astype(object).tolist() for c in ("capability_code", "capability_name", "in_block",
                                                        "products_in_block", "system_key", "organisation"))
    labels = _labels(survivors)
    return pd.DataFrame({
        "type": ["rationalisation"] * len(keys), "capability_code": codes, "capability_name": names,
        "target": keys, "target_label": labels, "lead_organisation": orgs, "group": [[org] for org in orgs],
        "sort_key": [(code, key, (org,)) for code, key, org in zip(codes, keys, orgs, strict=True)],
        "rationale": [
            f"{org} runs {int(n)} systems of {products_in} different products for "
            f"{name if isinstance(name, str) else code}. Keep {label}."
            for org, n, products_in, name, code, label in zip(orgs, in_block, products, names, codes, labels,
                                                              strict=True)],
    })


def _combined(candidates: pd.DataFrame, systems: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    """Add one combined candidate for each survivor that is a candidate in two or more capabilities.

    A survivor serving several capabilities (an ERP) takes its finance and HR
    joiners in one option with one base (its run cost counted once), so the
    portfolio, which lets a system survive in one recommended option only,
    need not choose one capability for it. One combined candidate a group
    the survivor's candidates use; ``capabilities`` lists its capabilities
    in the survivor's order. (:func:`_worth_appraising` keeps it only when it
    retires systems of two or more of them.)
    """
    if not len(candidates):
        return candidates
    candidates = candidates.assign(capabilities=None)
    # The targets of two or more distinct capabilities (groupby-nunique, on integer codes).
    target, targets = pd.factorize(candidates["target"])
    capability, capabilities = pd.factorize(candidates["capability_code"])
    width = len(capabilities) + 1
    valid = (target >= 0) & (capability >= 0)
    count = np.bincount(np.unique(target[valid] * width + capability[valid]) // width, minlength=len(targets))
    several = candidates.loc[candidates["target"].isin(np.asarray(targets, dtype=object)[count >= 2])]
    if not len(several):
        return candidates
    table = systems.set_index("system_key")
    records = []
    for target, block in several.groupby("target", sort=True):
        order = {c: i for i, c in enumerate(codes_of(table.at[target, "capability_codes"]))}
        codes = sorted(set(block["capability_code"]), key=lambda c: (order.get(c, len(order)), c))
        label = block["target_label"].iloc[0]
        row = block.iloc[0]
        for group in sorted({tuple(g) for g in block["group"]}):
            capability_names = [str(names.get(c, c)) for c in codes]
            kind = row["type"]
            text = (f"{label} runs {_and(capability_names)}: move the systems doing any of these jobs in "
                    f"{_join(group)} onto it in one option, its run cost counted once.") if kind == "shared platform" \
                else (f"{row['lead_organisation']} runs {_and(capability_names)} on {label}: move its other systems "
                      "doing these jobs onto it in one option, its run cost counted once.")
            records.append({
                "type": kind, "capability_code": join_codes(codes), "capability_name": "; ".join(capability_names),
                "target": target, "target_label": label, "lead_organisation": row["lead_organisation"],
                "group": list(group), "sort_key": (join_codes(codes), target, group), "rationale": text,
                "capabilities": codes,
            })
    return pd.concat([candidates, pd.DataFrame.from_records(records)], ignore_index=True)


def _joint_procurements(systems: pd.DataFrame, a: Assumptions) -> tuple[pd.DataFrame, pd.DataFrame]:
    # By product family: Teams in one council and SharePoint Online in another are one Microsoft 365 contract.
    products = systems.loc[systems["has_product"], ["system_key", "organisation", "family_key", "product_id",
                                                    "product_name", "annual_cost", "capability_code",
                                                    "capability_name"]].rename(columns={"family_key": "product_key"})
    # A family is named by its own product when some partner runs it, else by its products' names
    # ("Microsoft SharePoint Online, Microsoft Teams").
    own = products.loc[products["product_id"] == products["product_key"]].groupby("product_key")["product_name"].first()
    listed = products.groupby("product_key")["product_name"].agg(lambda n: ", ".join(sorted(set(n.dropna()))))
    products = products.assign(product_name=products["product_key"].map(own).fillna(
        products["product_key"].map(listed)).replace("", np.nan).fillna(products["product_name"]))
    org_count = products.groupby("product_key")["organisation"].nunique()
    products = products.loc[products["product_key"].isin(org_count.index[org_count >= 2])]
    spend = products.groupby(["product_key", "organisation"], as_index=False)["annual_cost"].sum()
    lead = spend.sort_values(["product_key", "annual_cost", "organisation"], ascending=[True, False, True],
                             kind="stable").drop_duplicates("product_key").set_index("product_key")["organisation"]
    by_product = products.groupby("product_key", sort=True)
    summary = pd.DataFrame({
        "orgs": by_product["organisation"].agg(lambda o: sorted(set(o))),
        "n_systems": by_product.size(),
        "product": by_product["product_name"].first(),
        "capability_code": by_product["capability_code"].agg(_first),
        "capability_name": by_product["capability_name"].agg(_first),
    })
    records = []
    for key, row in zip(summary.index, summary.itertuples(), strict=True):
        product = row.product if isinstance(row.product, str) else key
        records.append({
            "type": "joint procurement", "capability_code": row.capability_code,
            "capability_name": row.capability_name, "target": key, "target_label": product,
            "lead_organisation": lead[key], "group": row.orgs, "sort_key": (key,),
            "rationale": (
                f"{len(row.orgs)} organisations ({_join(row.orgs)}) run {product} in {row.n_systems} systems. "
                f"Buy it together as each contract comes up, for an assumed {a.volume_discount:.0%} volume "
                f"discount on licence and support; nobody migrates."
            ),
        })
    return pd.DataFrame.from_records(records), products.loc[:, ["product_key", "system_key"]]


def _worth_appraising(shared: pd.DataFrame, rationalised: pd.DataFrame, joint: pd.DataFrame,
                      hosting: pd.DataFrame, systems: pd.DataFrame, joint_members: pd.DataFrame,
                      a: Assumptions, overrides: pd.DataFrame | None = None, *,
                      coded: _Coded) -> tuple[Any, ...]:
    """Keep the candidates worth appraising, and say in each consolidation's rationale why its survivor fits.

    Returns the four frames kept, then the members of the kept shared platforms and rationalisations
    (:func:`_find_members`, every member, those left out too; ``cand`` each candidate's position among
    the kept ones), which :func:`generate_options` costs rather than finding them again.

    Dropped: a consolidation whose survivor fits none of the other systems
    (:mod:`estate.fit`) or would take more than ``max_survivor_scale`` times
    its own users; and a candidate none of whose systems (or whose site) has
    a run cost given: it saves nothing by construction and would be
    appraised on the illustrative one-off costs alone, a certain loss that
    says nothing about the estate (the plan reports the overlaps it found
    instead).
    """
    names = systems.set_index("system_key")
    listed = systems["capability_codes"]
    listed = listed.loc[listed.str.contains(";", regex=False).fillna(False).to_numpy(bool)]
    several = {k: codes_of(v) for k, v in zip(systems["system_key"].to_numpy(object)[listed.index.to_numpy()],
                                              listed.to_numpy(object))}
    jobs_by_row = systems["fit_jobs"].to_numpy(object)
    system_names = systems["system"].to_numpy(object)
    # The name and organisation of each system serving several capabilities, for the rationales.
    several_rows = coded.key_index.get_indexer(pd.Index(list(several), dtype=object))
    several_name = {k: name if isinstance(name, str) else k
                    for k, name in zip(several, system_names[several_rows].tolist(), strict=True)}
    several_org = dict(zip(several, systems["organisation"].to_numpy(object)[several_rows].tolist(), strict=True))
    product = systems["product_name"].where(systems["product_name"].map(lambda v: isinstance(v, str)),
                                            systems["product_id"]).to_numpy(object)
    out, members = [], []
    for frame in (shared, rationalised):
        if not len(frame):
            out.append(frame)
            members.append(None)
            continue
        n = len(frame)
        numbered = frame.assign(cand=np.arange(n))
        # Screened in integer codes (millions of pairs at scale), every fit rule's reason left unsaid, after
        # the candidates certainly too big for their survivor (the user's overrides may forbid any pair).
        # (A rationalisation's group is its survivor's organisation alone: nothing to bound.)
        too_big = _surely_too_big(numbered, coded, a) if frame is shared and (overrides is None or not len(
            overrides)) else np.zeros(n, dtype=bool)
        found = _find_members(numbered.loc[~too_big], coded, a, overrides=overrides, explain=False)
        inside, retire = found.effect != _LEFT_OUT, found.effect == _RETIRE
        costed = np.bincount(found.cand[inside], weights=coded.cost_given[found.row[inside]], minlength=n) > 0
        n_retired = np.bincount(found.cand[retire], minlength=n)
        surviving = found.effect == _SURVIVE
        survivor_row = np.full(n, -1, dtype=np.int64)
        survivor_row[found.cand[surviving]] = found.row[surviving]
        own_users = np.where(survivor_row >= 0, coded.users[survivor_row], np.nan)
        # Users received (received_users): each organisation's largest count a capability, added up in the
        # order of organisation and capability names, as received_users adds them.
        by_org = pd.DataFrame({"cand": found.cand[retire], "organisation": coded.organisation[found.row[retire]],
                               "capability": found.capability[retire], "users": coded.users[found.row[retire]]}
                              ).groupby(["cand", "organisation", "capability"])["users"].max()
        taken = by_org.groupby(level="cand").sum().reindex(np.arange(n)).fillna(0.0).to_numpy()
        with np.errstate(invalid="ignore"):
            in_scale = (survivor_row >= 0) & (own_users + taken <= a.max_survivor_scale * own_users)
        # A combined candidate (estate.coverage) is kept only when it moves systems of two or more capabilities.
        combined = numbered["capabilities"].map(lambda c: isinstance(c, list)).to_numpy(dtype=bool) \
            if "capabilities" in numbered else np.zeros(n, dtype=bool)
        width = max(len(coded.capabilities), 1)
        spans = np.bincount(np.unique(found.cand[retire] * width + found.capability[retire]) // width, minlength=n)
        keep = costed & (n_retired > 0) & in_scale & (~combined | (spans >= 2)) & ~too_big
        # From here on, the kept candidates only, as frames.
        found = found.take(keep[found.cand])
        members.append(replace(found, cand=(np.cumsum(keep) - 1)[found.cand]))
        retiring = _members_frame(found.take(found.effect == _RETIRE), coded)
        retiring_rows = found.row[found.effect == _RETIRE]
        survivor = pd.Series(coded.keys[survivor_row[keep]], index=np.flatnonzero(keep))
        taken = pd.Series(taken[keep], index=survivor.index)
        kept = numbered.loc[keep]
        text = []
        # Each kept candidate's retired systems, in order (the members come by candidate).
        cands, keys = retiring["cand"].to_numpy(), retiring["system_key"].to_numpy(object)
        starts = np.flatnonzero(np.r_[True, cands[1:] != cands[:-1]]) if len(cands) else np.zeros(0, np.int64)
        ends = np.r_[starts[1:], len(cands)].astype(np.int64)
        retired_by = {c: keys[i:j].tolist() for c, i, j in zip(cands[starts].tolist(), starts.tolist(), ends.tolist())}
        joined_under = dict(zip(zip(retiring["cand"].tolist(), retiring["system_key"].tolist()),
                                retiring["option_capability"].tolist()))
        capability_names = coded.names
        # Plain lookups, not pandas indexing, in the loop below over candidates (tens of thousands at scale).
        survivor_of, taken_of = survivor.to_dict(), taken.to_dict()
        wanted = pd.Index(survivor_of.values()).unique()
        profile_of = dict(zip(wanted, names.loc[wanted, ["users", *(f"fit_{c}" for c in _PROFILE)]].astype(object)
                              .itertuples(index=False, name=None), strict=True))
        jobs_of = dict(zip(keys.tolist(), jobs_by_row[retiring_rows].tolist()))
        # The reasons of the systems left out, put in words for the kept candidates only, and only for the
        # three of each candidate the rationale shows (it counts the rest): the rules' reason, unless the
        # user's override forbade the pair (found.reason says so already).
        left = found.take(found.effect == _LEFT_OUT)
        n_left = np.bincount(left.cand, minlength=n)
        first_three = np.zeros(len(left.cand), dtype=bool)
        if len(left.cand):
            begins = np.flatnonzero(np.r_[True, left.cand[1:] != left.cand[:-1]])
            rank = np.arange(len(left.cand)) - np.repeat(begins, np.diff(np.r_[begins, len(left.cand)]))
            first_three = rank < 3
        left = left.take(first_three)
        why = left.reason.copy()
        unsaid = why == ""
        if unsaid.any():
            why[unsaid] = _fit_members(coded, a, left.row[unsaid], left.target[unsaid], left.capability[unsaid],
                                       explain=True)[1]
        left_keys = coded.keys[left.row]
        left_of: dict[int, list[tuple[str, str]]] = {}
        for cand, k, reason in zip(left.cand.tolist(), left_keys.tolist(), why.tolist(), strict=True):
            left_of.setdefault(cand, []).append((k, reason))
        system_of = dict(zip(left_keys.tolist(), system_names[left.row].tolist()))
        wanted_rows = coded.key_index.get_indexer(wanted.to_numpy(object))
        label_of = {k: str(p) if isinstance(p, str) else k
                    for k, p in zip(wanted.tolist(), product[wanted_rows].tolist(), strict=True)}
        told = retiring.loc[retiring["override"] != ""]
        told_by: dict[int, list[tuple[str, str]]] = {}
        for cand, k, why in zip(told["cand"].tolist(), told["system_key"].tolist(), told["override"].tolist(),
                                strict=True):
            told_by.setdefault(cand, []).append((k, why))
        for cand, rationale in zip(kept["cand"].tolist(), kept["rationale"].tolist(), strict=True):
            mine = retired_by.get(cand, [])
            forced = told_by.get(cand, [])
            key = survivor_of[cand]
            forced_keys = {k for k, _ in forced}
            natural = [k for k in mine if k not in forced_keys]
            left = left_of.get(cand, [])
            jobs = [jobs_of[k] for k in natural]
            under = [joined_under[(cand, k)] for k in natural]
            done = [c if c in j else (j[0] if j else c) for j, c in zip(jobs, under, strict=True)]
            profile = dict(zip(["users", *_PROFILE], profile_of[key], strict=True))
            line = (f"{rationale} Retire {len(mine)} system{'s' if len(mine) != 1 else ''} "
                    f"{'doing the same job ' if not len(forced) else ''}onto it.")
            if natural:
                line += f" {fit_reason(profile, done, float(taken_of[cand]))}"
            if len(forced):
                line += "".join(
                    f" {names.at[k, 'system'] if isinstance(names.at[k, 'system'], str) else k} "
                    f"({names.at[k, 'organisation']}) fits by the user's override: {why.rstrip('.')}."
                    for k, why in forced)
            every = [joined_under[(cand, k)] for k in mine]
            moving = sorted(set(every))
            if len(moving) > 1:
                line += " Moving: " + "; ".join(
                    f"{capability_names.get(c, c)} ({every.count(c)} system{'s' if every.count(c) != 1 else ''})"
                    for c in moving) + "."
            whole = [(k, several[k]) for k in mine if k in several]
            if whole:
                line += " " + " ".join(
                    f"{several_name[k]} ({several_org[k]}) also runs "
                    f"{_and([str(capability_names.get(c, c)) for c in codes if c != joined_under[(cand, k)]])}: "
                    f"{label_of[key]} takes each, so all of it moves." for k, codes in whole[:3])
            if left:  # the first three, and how many in all
                shown = "; ".join(f"{system_of[k] if isinstance(system_of[k], str) else k} "
                                  f"({k.split('/', 1)[0]}) {why}" for k, why in left)
                more = f"; and {n_left[cand] - 3} more" if n_left[cand] > 3 else ""
                line += f" Left running, as {label_of[key]} cannot take them: {shown}{more}."
            text.append(line)
        out.append(kept.assign(rationale=text).drop(columns="cand").reset_index(drop=True))
    if len(joint):
        rows = coded.key_index.get_indexer(joint_members["system_key"].astype(str).to_numpy(object))
        costed = pd.Series(coded.cost_given[rows]).groupby(joint_members["product_key"].to_numpy(object)).any()
        joint = joint.loc[joint["target"].map(costed).fillna(False).to_numpy(dtype=bool)].reset_index(drop=True)
    if len(hosting):
        hosting = hosting.loc[hosting["site_cost_given"].notna().to_numpy()].reset_index(drop=True)
    return out[0], out[1], joint, hosting, members[0], members[1]


def _first(values: pd.Series) -> object:
    """The most common value (the first in order among ties), or None."""
    counts = values.dropna().value_counts()
    if not len(counts):
        return None
    return min(counts.index[counts == counts.iloc[0]])


def _site_table(sites: Any, inventory: Any) -> pd.DataFrame | None:
    table = sites if sites is not None else getattr(inventory, "sites", None)
    if table is None:
        return None
    if not isinstance(table, pd.DataFrame) or "site_key" not in table:
        raise _fail("sites", "a DataFrame with a 'site_key' column, or None",
                    list(table.columns) if isinstance(table, pd.DataFrame) else type(table).__name__)
    return table


def _hosting_consolidations(systems: pd.DataFrame, site_table: pd.DataFrame | None,
                            a: Assumptions) -> tuple[pd.DataFrame, pd.DataFrame]:
    empty = pd.DataFrame(), pd.DataFrame(columns=["site_key", "system_key", "destination"])
    if site_table is None or not len(site_table):
        return empty
    sites = pd.DataFrame({
        "site_key": site_table["site_key"].astype(str).to_numpy(),
        "organisation": _column(site_table, "organisation").to_numpy(),
        "site": _column(site_table, "site").to_numpy(),
        "utilisation": _number(site_table, "utilisation").to_numpy(),
        "racks": _number(site_table, "racks").to_numpy(),
        "site_cost_given": _number(site_table, "annual_cost").to_numpy(),
        "site_exit_given": _number(site_table, "exit_cost").to_numpy(),
        "source_file": _column(site_table, "source_file").to_numpy(),
        "source_sheet": _column(site_table, "source_sheet").to_numpy(),
        "source_row": _number(site_table, "source_row").to_numpy(),
    }).drop_duplicates("site_key").sort_values("site_key", kind="stable").reset_index(drop=True)
    under = sites["utilisation"] < a.under_used_site_threshold
    flag_column = next((c for c in ("under_used", "is_under_used") if c in site_table), None)
    if flag_column is not None:
        flags = site_table.assign(site_key=site_table["site_key"].astype(str)).drop_duplicates("site_key")
        flag = sites["site_key"].map(flags.set_index("site_key")[flag_column].map(lambda v: v is True or v == 1))
        under = under.where(sites["utilisation"].notna(), flag.fillna(False).astype(bool))
    hosted = systems.loc[systems["site_key"].notna(), ["site_key", "system_key", "organisation"]]
    # A site with no organisation given belongs to the organisation with most systems on it.
    owners = hosted.groupby("site_key")["organisation"].agg(_first)
    sites["organisation"] = sites["organisation"].where(sites["organisation"].notna(),
                                                        sites["site_key"].map(owners))
    candidates = sites.loc[under & sites["site_key"].isin(hosted["site_key"])]
    healthy = sites.loc[(sites["utilisation"] >= a.under_used_site_threshold) & (sites["utilisation"] < 1.0)]
    healthy = healthy.sort_values(["utilisation", "site_key"], ascending=[False, True])
    # Room: racks free at a destination (racks x (1 - utilisation)) against racks in use at the closing
    # site (racks x utilisation); unknown when either site's racks or utilisation is not given.
    healthy = healthy.assign(free=healthy["racks"] * (1.0 - healthy["utilisation"]))
    need = candidates["racks"] * candidates["utilisation"]
    # Each destination with room is a candidate of its own (the portfolio chooses one a site, and keeps the
    # racks moved into a destination within its room: estate.portfolio's destination_room rule).
    reach = {row.site_key: (needed, healthy.loc[(healthy["organisation"] == row.organisation)
                                                & ~(healthy["free"] < needed - 1e-9)])
             for row, needed in zip(candidates.itertuples(), need.to_numpy())}
    records = []
    for row, needed in zip(candidates.itertuples(), need.to_numpy()):
        options = healthy.loc[healthy["organisation"] == row.organisation]
        room = ~(options["free"] < needed - 1e-9).to_numpy()  # NaN on either side: room not measured
        full = [f"{k} has {f:g} racks free for the {needed:g} in use" for k, f in
                zip(options["site_key"].to_numpy()[~room], options["free"].to_numpy()[~room])]
        n = int((hosted["site_key"] == row.site_key).sum())
        name = row.site if isinstance(row.site, str) else row.site_key
        used = f"{row.utilisation:.0%} used" if pd.notna(row.utilisation) else "flagged as under-used"
        no_room = f" Not {'; not '.join(full)}: no room." if full else ""
        roomy = options.loc[room]
        places = list(zip(roomy["site_key"], roomy["free"])) if len(roomy) else [(_CLOUD, np.nan)]
        for destination, free in places:
            shared = sorted(k for k, (_, reachable) in reach.items()
                            if k != row.site_key and destination in set(reachable["site_key"]))
            sharing = ""
            if shared and pd.notna(free) and pd.notna(needed):
                sharing = (f" {destination}'s {free:g} free racks are also offered to the closure of "
                           f"{_join(shared)}: the plan moves no more racks there than fit.")
            records.append({
                "type": "hosting consolidation", "capability_code": None, "capability_name": None,
                "target": row.site_key, "target_label": f"close {name}; move its systems to {destination}",
                "lead_organisation": row.organisation, "group": [row.organisation],
                "sort_key": (row.site_key, destination),
                "destination": destination, "site_cost_given": row.site_cost_given,
                "site_exit_given": row.site_exit_given, "site_source": (row.source_file, row.source_sheet,
                                                                        row.source_row),
                "racks_needed": float(needed), "destination_free": float(free),
                "rationale": (
                    f"{name} is {used} (under {a.under_used_site_threshold:.0%}). Move its {n} systems to "
                    f"{destination} and close it; they add {a.hosting_destination_share:.0%} of its running cost "
                    f"there (hosting_destination_share).{no_room}{sharing}"
                ),
            })
    moves = hosted.loc[:, ["site_key", "system_key"]].merge(candidates.loc[:, ["site_key"]], on="site_key")
    return pd.DataFrame.from_records(records), moves


# --------------------------------------------------------------------------- #
# The cost model
# --------------------------------------------------------------------------- #


def _year_index(days: np.ndarray, a: Assumptions) -> np.ndarray:
    """Appraisal year t of each day (may lie past the horizon)."""
    return financial_years(days, first_month=a.first_month) - a.first_year


def _pv_of_saving(net: np.ndarray, start: np.ndarray, d: _Dates, a: Assumptions) -> np.ndarray:
    """PV of ``net`` a year from each start day to the end of the horizon, before bias."""
    fractions = year_fractions(start[:, None], None, d.years[None, :], first_month=a.first_month)
    return net * (fractions @ d.factors)


def _pv_of_cost(amount: np.ndarray, day: np.ndarray, d: _Dates, a: Assumptions) -> np.ndarray:
    t = _year_index(day, a)
    inside = (t >= 0) & (t < a.horizon_years)
    return np.where(inside, amount * d.factors[np.clip(t, 0, a.horizon_years - 1)], 0.0)


def _cost_rows(cand: np.ndarray, day: np.ndarray, amounts: Mapping[str, np.ndarray], a: Assumptions) -> pd.DataFrame:
    year = financial_years(day, first_month=a.first_month)
    parts = [pd.DataFrame({"cand": cand, "year": year, "category": category, "amount": np.asarray(amount, float)})
             for category, amount in amounts.items()]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["cand", "year", "category",
                                                                                   "amount"])


def _cost_consolidations(members: pd.DataFrame, systems: pd.DataFrame, a: Assumptions,
                         d: _Dates) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Effects, option totals and one-off rows of shared platforms and rationalisations."""
    m = members.merge(systems, on="system_key", how="left")
    survive = m["effect"] == "survive"
    retire = ~survive
    under = m["option_capability"] if "option_capability" in m else m["capability_code"]
    job = pd.Series([c if c in j else (j[0] if j else c) for j, c in zip(m["fit_jobs"], under, strict=True)],
                    index=m.index, dtype=object)
    m["replacement_class"] = replacement_class(m["fit_product_class"], job).where(retire, "")
    parts = cost_parts(m.rename(columns={f"{k}_cost_given": f"{k}_cost" for k in ("licence", "support", "hosting",
                                                                                  "staff")}))
    for kind in COST_KINDS:
        m[f"cost_{kind}"] = parts[kind].to_numpy()
    per = pd.DataFrame({
        "survivor_cost": m["annual_cost"].where(survive, 0.0).groupby(m["cand"]).sum(),
        "survivor_users": m["users"].where(survive, 0.0).groupby(m["cand"]).sum(),
        "retired_cost": m["annual_cost"].where(retire, 0.0).groupby(m["cand"]).sum(),
        "retired_users": m["users"].where(retire, 0.0).groupby(m["cand"]).sum(),
        "retired_staff": parts["staff"].where(retire, 0.0).groupby(m["cand"]).sum(),
    })
    per["received_users"] = received_users(members, systems).reindex(per.index).fillna(0.0)
    per["rates_note"] = rates_note(m, per["received_users"], a.currency)
    own_parts = parts.where(survive, 0.0).groupby(m["cand"]).sum().reindex(per.index)
    after = survivor_cost_after(own_parts, own_users=per["survivor_users"], received=per["received_users"],
                                assumptions=a)
    for kind in COST_KINDS:
        per[f"survivor_{kind}"] = own_parts[kind]
    per["run_cost_before"] = per["survivor_cost"] + per["retired_cost"]
    per["run_cost_after"] = after.sum(axis=1)
    per["annual_saving"] = per["run_cost_before"] - per["run_cost_after"]
    # Staff time released (the retired systems' staff cost less the survivor's staff growth) is non-cashable.
    per["non_cashable_saving"] = non_cashable_share(a) * (per["retired_staff"] - (after["staff"]
                                                                                   - own_parts["staff"]))
    per["cashable_saving"] = per["annual_saving"] - per["non_cashable_saving"]
    growth = (per["run_cost_after"] - per["survivor_cost"]).reindex(m["cand"]).to_numpy()
    retired_users = per["retired_users"].reindex(m["cand"]).to_numpy()
    m["uplift"] = np.where(survive, growth, growth * m["users"].to_numpy() / retired_users)
    m["net_saving"] = np.where(survive, 0.0, m["annual_cost"] - m["uplift"])

    # The two retirement paths of each retired system, valued on its own flows.
    n = len(m)
    natural = m["natural_end"].to_numpy().astype("datetime64[D]")
    end_day = natural + _ONE_DAY
    early_day = np.full(n, d.earliest)
    base = {
        "parallel_running": m["annual_cost"].to_numpy() * a.double_running_months / 12.0,
        "vendor_management": np.full(n, a.vendor_management_per_contract),
        "training": m["users"].to_numpy() * a.training_per_user,
        "integration_rework": m["interfaces"].to_numpy() * a.integration_rework_per_interface,
        "data_migration": np.full(n, a.data_migration_per_system),
        # An EPR, ERP or other platform retired is a programme scaled by its users (published figures).
        "replacement_programme": m["users"].to_numpy() * replacement_per_user(m["replacement_class"], a),
    }
    one_off = sum(base.values())
    net = m["net_saving"].to_numpy()
    pv_end = _pv_of_saving(net, end_day, d, a)
    pv_early = _pv_of_saving(net, early_day, d, a)
    exit_cost = m["exit_cost"].to_numpy()
    npv_end = a.saving_factor * pv_end - a.cost_factor * _pv_of_cost(one_off, end_day, d, a)
    npv_early = a.saving_factor * pv_early - a.cost_factor * _pv_of_cost(one_off + exit_cost, early_day, d, a)
    can_exit = m["can_exit_early"].to_numpy(dtype=bool)
    npv_early = np.where(can_exit, npv_early, np.nan)
    early = can_exit & (npv_early > npv_end)
    retire_day = np.where(early, early_day, end_day)
    m["path"] = np.where(survive, None, np.where(early, "early exit", "at contract end"))
    m["retire_date"] = pd.to_datetime(np.where(survive, np.datetime64("NaT"), retire_day))
    m["saving_start"] = m["retire_date"]
    m["exit_cost_paid"] = np.where(survive, 0.0, np.where(early, exit_cost, 0.0))
    m["npv_contract_end"] = np.where(survive, np.nan, npv_end)
    m["npv_early_exit"] = np.where(survive, np.nan, npv_early)
    m["destination"] = None

    keep = retire.to_numpy()
    amounts = {k: v[keep] for k, v in base.items()}
    amounts["contract_exit"] = m["exit_cost_paid"].to_numpy()[keep]
    costs = _cost_rows(m["cand"].to_numpy()[keep], retire_day[keep], amounts, a)
    return m, per, costs


def _cost_joint_procurements(members: pd.DataFrame, systems: pd.DataFrame, a: Assumptions,
                             d: _Dates) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    m = members.merge(systems, on="system_key", how="left")
    m["uplift"] = 0.0
    m["net_saving"] = a.volume_discount * m["discount_base"]
    start = m["natural_end"].to_numpy().astype("datetime64[D]") + _ONE_DAY
    # One licence base and one contract an organisation, however many rows of the product it lists
    # (departmental instances, use cases): the contract is managed once (issue 9). The discount base
    # is each row's own licence and support, so nothing is counted twice; users are never summed here.
    first_of_org = ~m.duplicated(["cand", "organisation"]).to_numpy()
    one_off = np.where(first_of_org, a.vendor_management_per_contract, 0.0)
    pv = _pv_of_saving(m["net_saving"].to_numpy(), start, d, a)
    m["path"] = "at contract end"
    m["retire_date"] = pd.NaT
    m["saving_start"] = pd.to_datetime(start)
    m["exit_cost_paid"] = 0.0
    m["npv_contract_end"] = a.saving_factor * pv - a.cost_factor * _pv_of_cost(one_off, start, d, a)
    m["npv_early_exit"] = np.nan
    m["destination"] = None
    per = pd.DataFrame({
        "run_cost_before": m.groupby("cand")["annual_cost"].sum(),
        "annual_saving": m.groupby("cand")["net_saving"].sum(),
    })
    per["run_cost_after"] = per["run_cost_before"] - per["annual_saving"]
    costs = _cost_rows(m["cand"].to_numpy(), start, {"vendor_management": one_off}, a)
    return m, per, costs


def _cost_hosting(candidates: pd.DataFrame, moves: pd.DataFrame, systems: pd.DataFrame, a: Assumptions,
                  d: _Dates) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    moved = moves.merge(candidates.loc[:, ["cand", "target", "destination"]], left_on="site_key",
                        right_on="target").drop(columns=["site_key", "target"])
    moved = moved.merge(systems, on="system_key", how="left")
    moved = moved.assign(effect="move", uplift=0.0, net_saving=0.0, path=None, retire_date=pd.NaT,
                         saving_start=pd.NaT, exit_cost_paid=0.0, npv_contract_end=np.nan, npv_early_exit=np.nan)
    site_cost = candidates["site_cost_given"].fillna(0.0).to_numpy()
    site_exit = candidates["site_exit_given"].fillna(a.default_site_exit_cost).to_numpy()
    saving = site_cost * (1.0 - a.hosting_destination_share)  # the destination's added running cost is kept
    day = np.full(len(candidates), d.earliest)
    n_moved = moved.groupby("cand").size().reindex(candidates["cand"]).fillna(0).to_numpy()
    moving = n_moved * a.hosting_move_per_system
    sites = pd.DataFrame({
        "cand": candidates["cand"].to_numpy(),
        "system_key": _SITE_PREFIX + candidates["target"].astype(str).to_numpy(),
        "organisation": candidates["lead_organisation"].to_numpy(),
        "effect": "retire", "users": 0.0, "annual_cost": site_cost, "uplift": 0.0, "net_saving": saving,
        "contract_end": pd.NaT, "notice_months": np.nan, "natural_end": pd.NaT, "exit_cost": site_exit,
        "path": "site closure", "retire_date": pd.to_datetime(day), "saving_start": pd.to_datetime(day),
        "exit_cost_paid": site_exit, "interfaces": 0.0, "destination": None,
        "npv_contract_end": np.nan, "npv_early_exit": np.nan,
    })
    m = pd.concat([moved, sites], ignore_index=True)
    per = pd.DataFrame({"run_cost_before": site_cost, "run_cost_after": site_cost - saving, "annual_saving": saving},
                       index=pd.Index(candidates["cand"].to_numpy(), name="cand"))
    costs = _cost_rows(candidates["cand"].to_numpy(), day, {"hosting_move": moving, "site_exit": site_exit}, a)
    return m, per, costs


def _overrides_used(everyone: pd.DataFrame, candidates: pd.DataFrame,
                    overrides: pd.DataFrame | None) -> pd.DataFrame | None:
    """:attr:`Options.fit_overrides_used`: the members whose fate an override decided against the rules."""
    if overrides is None or not len(overrides):
        return None
    members = everyone.assign(option_id=candidates.set_index("cand").loc[everyone["cand"], "option_id"].to_numpy(),
                              survivor_key=candidates.set_index("cand").loc[everyone["cand"], "target"].to_numpy())
    forbidden = members["reason"].str.startswith(_FORBIDDEN)
    decided = members.loc[(members["override"] != "") | forbidden].assign(
        decision=np.where(forbidden.loc[(members["override"] != "") | forbidden], "forbid", "allow"))
    decided = decided.merge(overrides.loc[:, ["system_key", "target", "source_row"]],
                            left_on=["system_key", "survivor_key"], right_on=["system_key", "target"])
    return decided.loc[:, list(OVERRIDE_USE_COLUMNS)].sort_values(["option_id", "system_key"], kind="stable") \
        .reset_index(drop=True)


def _room(candidates: pd.DataFrame) -> pd.DataFrame:
    """:attr:`Options.room`: each closure whose destination's free racks and racks moved are both known."""
    if "racks_needed" not in candidates:
        return Options.__dataclass_fields__["room"].default_factory()  # type: ignore[misc]
    closing = candidates.loc[candidates["type"] == "hosting consolidation"]
    room = pd.DataFrame({"option_id": closing["option_id"].astype(object).to_numpy(),
                         "destination": closing["destination"].astype(object).to_numpy(),
                         "racks": pd.to_numeric(closing["racks_needed"], errors="coerce").to_numpy(float),
                         "free": pd.to_numeric(closing["destination_free"], errors="coerce").to_numpy(float)})
    measured = np.isfinite(room["racks"]) & np.isfinite(room["free"]) & room["destination"].ne(_CLOUD)
    return room.loc[measured].sort_values("option_id", kind="stable").reset_index(drop=True)


def _weights(partners: pd.DataFrame, rule: str) -> pd.Series:
    """Each partner's share of an option's shared costs under the allocation rule."""
    count = partners.groupby("cand")["organisation"].transform("size").astype(float)
    equal = 1.0 / count
    if rule == "equal":
        return equal
    basis = partners["users"] if rule == "users" else partners["run_cost_before"]
    total = basis.groupby(partners["cand"]).transform("sum")
    return (basis / total.where(total > 0)).where(total > 0, equal)


# --------------------------------------------------------------------------- #
# The entry point
# --------------------------------------------------------------------------- #


def _empty(columns: Iterable[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def _defaults_used(effects: pd.DataFrame, systems: pd.DataFrame, hosting: pd.DataFrame,
                   a: Assumptions) -> pd.DataFrame:
    # Which systems need each column's value: those an option touches in a way that reads it (by position).
    touched = pd.Index(systems["system_key"]).get_indexer(effects["system_key"].to_numpy(object))
    effect = effects["effect"].to_numpy(object)
    notes = {
        "users": ("missing_users", "users",
                  f"no users given (or fewer than 1): assumed default_users = {a.default_users}"),
        "annual_cost": ("missing_cost", "annual_cost",
                        "no annual cost given: counted as 0, so retiring it saves nothing"),
        "contract_end": ("missing_end", "contract_end",
                         f"no contract end given: assumed to renew; next end is the plan start + "
                         f"default_contract_months = {a.default_contract_months} months, less a day"),
        "notice_months": ("missing_notice", "notice_months",
                          f"no notice period given: assumed default_notice_months = {a.default_notice_months}"),
        "exit_cost": ("missing_exit", "exit_cost",
                      f"no exit cost given: default_exit_fraction = {a.default_exit_fraction:g} of the annual "
                      f"cost for each year from the early retirement to the contract end"),
    }
    parts = []
    for column, (flag, value_column, note) in notes.items():
        reads = np.isin(effect, [e for e, columns in _DEFAULTS_BY_EFFECT.items() if column in columns]) \
            & (touched >= 0)
        needed = np.zeros(len(systems), dtype=bool)
        needed[touched[reads]] = True
        flagged = systems.loc[systems[flag].to_numpy(dtype=bool) & needed,
                              ["system_key", "organisation", "source_file", "source_sheet", "source_row", value_column]]
        flagged = flagged.rename(columns={value_column: "default"}).assign(column=column, note=note)
        flagged["default"] = flagged["default"].astype(object)
        parts.append(flagged)
    # Each row's system by its position in systems, which _prepare sorts by (unique) key: key order.
    positions = np.concatenate([part.index.to_numpy(np.int64) for part in parts])
    by_position = isinstance(systems.index, pd.RangeIndex) and systems.index.start == 0 \
        and systems.index.step == 1 and systems["system_key"].is_monotonic_increasing
    rows = pd.concat(parts, ignore_index=True)
    if len(hosting):
        site_rows = []
        for row in hosting.itertuples():
            file, sheet, source_row = row.site_source
            key = _SITE_PREFIX + str(row.target)
            common = {"system_key": key, "organisation": row.lead_organisation, "source_file": file,
                      "source_sheet": sheet, "source_row": source_row}
            if pd.isna(row.site_cost_given):
                site_rows.append({**common, "column": "annual_cost", "default": 0.0,
                                  "note": "no site annual cost given: counted as 0, so closing it saves nothing"})
            if pd.isna(row.site_exit_given):
                site_rows.append({**common, "column": "exit_cost", "default": float(a.default_site_exit_cost),
                                  "note": f"no site exit cost given: assumed default_site_exit_cost = "
                                          f"{a.default_site_exit_cost:,.0f}"})
        if site_rows:
            rows = pd.concat([rows, pd.DataFrame(site_rows)], ignore_index=True)
            by_position = False  # a site's key sorts among the systems' keys
    if not len(rows):
        return _empty(DEFAULTS_USED_COLUMNS)
    rows["source_row"] = pd.array(pd.to_numeric(rows["source_row"], errors="coerce"), dtype="Int64")
    order = {c: i for i, c in enumerate(notes)}
    if by_position:  # (key, column) is unique: sorted on integers, the order sort_values gives
        rows = rows.iloc[np.lexsort((map_distinct(rows["column"], order), positions))]
    else:
        rows = rows.assign(_order=map_distinct(rows["column"], order)).sort_values(["system_key", "_order"],
                                                                                 kind="stable")
    return rows.loc[:, list(DEFAULTS_USED_COLUMNS)].reset_index(drop=True)


def _copies(options: pd.DataFrame, members: pd.DataFrame, names: pd.Series) -> np.ndarray:
    """Which options are exact copies of an earlier one (in id order), whose rationale then says so.

    Two groupings of the organisations (a successor authority and a natural
    grouping, say) can propose the same move: the same type and survivor,
    doing the same to the same systems, so with the same figures. So can two
    capabilities of systems that serve both (three trusts' Microsoft 365
    tenancies, each serving email, intranet and collaboration, moved whole
    onto a fourth's, under each capability). Such an option is listed once,
    under its earlier id; ``options``' kept rationale gains a sentence
    counting the other groupings and naming the other capabilities
    (``names``: code to name). Options are compared by type, survivor,
    figures (to the penny) and a hash of their effects (system, effect,
    path, destination), then the few that match by the effects themselves.
    """
    n = len(options)
    copy = np.zeros(n, dtype=bool)
    if n < 2 or not len(members):
        return copy
    what = ["system_key", "effect", "path", "destination"]
    row_hash = pd.util.hash_pandas_object(members[what].astype(object), index=False).to_numpy()
    cand = members["cand"].to_numpy()
    total = np.zeros(n, dtype=np.uint64)
    np.add.at(total, cand, row_hash)  # wraps modulo 2**64, the same whatever the row order
    count = np.bincount(cand, minlength=n)
    key = pd.DataFrame({
        **{c: options[c].to_numpy(object) for c in ("type", "target", "target_label")},
        **{c: options[c].to_numpy(float).round(2) for c in ("annual_saving", "one_off_cost", "npv")},
        "count": count, "hash": total})
    maybe = np.flatnonzero(key.duplicated(keep=False).to_numpy())
    if not len(maybe):
        return copy
    of = members.loc[np.isin(cand, maybe), ["cand", *what]].astype(object)
    of = of.where(of.notna(), None)
    effects = {c: tuple(sorted(b[what].itertuples(index=False, name=None), key=repr)) for c, b in of.groupby("cand")}
    first: dict[tuple, int] = {}
    others: dict[int, list[int]] = {}
    for i in maybe.tolist():  # candidate (id) order: the earlier is kept
        sign = (*key.iloc[i, :-2].tolist(), effects.get(i, ()))
        if sign in first:
            copy[i] = True
            others.setdefault(first[sign], []).append(i)
        else:
            first[sign] = i
    rationale = options["rationale"].to_numpy(object)
    capability = options["capability_code"].fillna("").to_numpy(object)  # a site closure has none
    for i, same in others.items():
        k = sum(capability[j] == capability[i] for j in same)
        if k:
            rationale[i] += (f" The same move arises from {k} other grouping{'s' if k > 1 else ''} of the "
                             "organisations; it is listed once.")
        under = sorted({", ".join(str(names.get(c, c)) for c in codes_of(capability[j]))
                        for j in same if capability[j] != capability[i]})
        if under:
            rationale[i] += f" It is also the option for {_and(under)}, listed once."
    options["rationale"] = rationale
    return copy


def _moving_label(options: pd.DataFrame, retired: pd.DataFrame, systems: pd.DataFrame,
                  names: pd.Series) -> np.ndarray:
    """Each option's capability name, naming too the jobs that move with the systems it retires whole.

    A system serving several capabilities retires whole (all of it moves, or
    it stays), so an option grouped by one of them (Microsoft 365 tenancies
    moved onto one as "Video conferencing") moves the others too: its name
    says so, ``"Video conferencing (with Collaboration and office
    productivity, Intranet)"``, the other jobs in the order the retired
    systems list them. Codes and the option's own names are unchanged.
    """
    label = options["capability_name"].to_numpy(object).copy()
    served = retired["system_key"].map(systems.set_index("system_key")["capability_codes"])  # keys are unique
    several = served.notna() & served.astype(str).str.contains(CAPABILITY_SEPARATOR, regex=False)
    if not several.any():
        return label
    rows = retired.loc[several, "cand"].to_numpy()  # an option's row is its candidate's number
    own = options["capability_code"].to_numpy(object)
    extra: dict[int, list[str]] = {}
    for row, listed in zip(rows.tolist(), served[several].tolist(), strict=True):  # the few multi-job systems
        mine = set(codes_of(own[row]))
        more = extra.setdefault(row, [])
        more.extend(c for c in codes_of(listed) if c not in mine and c not in more)
    for row, more in extra.items():
        if more and isinstance(label[row], str):
            label[row] = f"{label[row]} (with {', '.join(str(names.get(c, c)) for c in more)})"
    return label


def generate_options(
    matched: pd.DataFrame,
    *,
    assumptions: Assumptions,
    inventory: Any = None,
    groups: pd.DataFrame | Iterable[Collection[str]] | None = None,
    interfaces: pd.DataFrame | pd.Series | Mapping[str, float] | None = None,
    sites: pd.DataFrame | None = None,
    fit_overrides: pd.DataFrame | None = None,
) -> Options:
    """Propose, cost and appraise every candidate option.

    Parameters
    ----------
    matched : DataFrame
        One row a system, as the matching step returns it: ``system_key``
        (unique) and ``organisation`` are required; the cost model reads, when
        present, ``system``, ``capability_code``, ``capability_name``,
        ``product_id``, ``product_name``, ``users``, ``annual_cost``,
        ``licence_cost``, ``support_cost``, ``contract_end``, ``exit_cost``,
        ``notice_months``, ``lifecycle``, ``site_key``, ``source_file``,
        ``source_sheet`` and ``source_row``. A missing ``product_id`` (or one
        naming no product, such as ``in-house``) marks an in-house system.
    assumptions : Assumptions
        From :func:`estate.assumptions.load_assumptions`.
    inventory : Inventory, optional
        Read for ``organisations.successor`` (successor authorities; several
        separated by ``;``), ``contracts`` (contract end, notice and exit cost
        of systems whose row lacks them) and ``sites`` when ``sites`` is None.
    groups : DataFrame or iterable of sets of str, optional
        Natural groupings of organisations: the frame
        :func:`estate.overlaps.partner_groups` returns (``organisation``,
        ``group``), or sets of organisation names.
    interfaces : DataFrame, Series or mapping, optional
        Interfaces per ``system_key``: a DataFrame with ``fan_in`` and
        ``fan_out`` (their sum is used) or ``total``, as
        :func:`estate.overlaps.integration_blast_radius` returns, or a
        mapping of key to count. Unknown counts are 0.
    sites : DataFrame, optional
        One row a site: ``site_key``, ``organisation``, ``site``,
        ``annual_cost``, ``utilisation`` (a fraction), ``exit_cost`` and
        optionally ``under_used`` or ``is_under_used`` (used where
        utilisation is missing), as :func:`estate.overlaps.site_overlaps`
        returns. Without it, ``inventory.sites`` is used.
    fit_overrides : DataFrame, optional
        The user's word on the fit test, columns ``retired``, ``survivor``,
        ``decision`` (``allow`` or ``forbid``) and ``reason``
        (:mod:`estate.fit_overrides`): an allowed pair is consolidated though
        the fit rules refuse it, a forbidden one never is.

    Returns
    -------
    Options

    Raises
    ------
    ParameterError
        If ``matched`` lacks ``system_key`` or ``organisation`` or repeats a
        key, or another argument has the wrong type.

    Notes
    -----
    See ``docs/costing.md`` for every formula and a worked example. The
    model, per option:

    * run_cost_before = sum of the annual costs of the systems it touches;
      run_cost_after = the survivor's cost by kind grown with the users it
      receives (:func:`estate.costing.survivor_cost_after`); annual_saving =
      run_cost_before - run_cost_after, never more than the retired systems'
      cost; the staff-time part of it is non-cashable.
    * Each retired system s retires on R_s: the day after its natural end
      N_s (its contract end rolled forward whole years until notice can still
      be given after the start and N_s + 1 day >= E, the start plus
      ``migration_months``), or on E paying its exit cost, whichever gives its
      own flows the higher NPV.
    * savings_y = saving_factor x sum_s (c_s - uplift_s) x year_fraction(R_s, no end, y);
      one-off costs (in year 0, or the year of R_s) x cost_factor.

    Examples
    --------
    >>> import pandas as pd
    >>> from estate.assumptions import load_assumptions
    >>> matched = pd.DataFrame({
    ...     "system_key": ["A/fin", "B/fin"], "organisation": ["A", "B"],
    ...     "capability_code": ["CORP-FIN"] * 2, "product_id": ["unit4-erp"] * 2,
    ...     "users": [100.0, 50.0], "annual_cost": [200_000.0, 120_000.0],
    ...     "licence_cost": [150_000.0, 80_000.0], "support_cost": [20_000.0, 10_000.0],
    ... })
    >>> result = generate_options(matched, assumptions=load_assumptions())
    >>> result.options[["option_id", "type", "annual_saving", "n_retired"]].round(0)
      option_id               type  annual_saving  n_retired
    0    JP-001  joint procurement        20800.0          0
    1    SP-001    shared platform        36005.0          1
    """
    if not isinstance(assumptions, Assumptions):
        raise _fail("assumptions", "an Assumptions (see estate.assumptions.load_assumptions)",
                    type(assumptions).__name__)
    if not isinstance(matched, pd.DataFrame) or not {"system_key", "organisation"} <= set(matched.columns):
        shown = list(matched.columns) if isinstance(matched, pd.DataFrame) else type(matched).__name__
        raise _fail("matched", "a DataFrame with columns 'system_key' and 'organisation'", shown)
    if matched["system_key"].isna().any() or matched["organisation"].isna().any():
        raise _fail("matched", "a DataFrame with a system_key and an organisation in every row",
                    "a row with a missing value")
    repeated = matched["system_key"].astype(str)
    repeated = repeated[repeated.duplicated()]
    if len(repeated):
        raise _fail("matched", "a DataFrame with unique 'system_key' values", f"{repeated.iloc[0]!r} twice")
    if sites is not None and not isinstance(sites, pd.DataFrame):
        raise _fail("sites", "a DataFrame with a 'site_key' column, or None", type(sites).__name__)

    a = assumptions
    d = _dates(a)
    systems = _prepare(matched, a, d, inventory, interfaces)
    groupings = _groupings(groups, inventory)
    overrides = None
    if fit_overrides is not None:
        from estate.fit_overrides import check_fit_overrides, resolve_fit_overrides

        overrides = resolve_fit_overrides(check_fit_overrides(fit_overrides), systems)

    # 1. Candidates, sorted and numbered within each type. A system serving several capabilities is a
    # candidate survivor in each, and in one combined option for all of them (estate.coverage).
    coded = _code_systems(systems)
    by_capability = _by_capability(systems, coded)
    shared = _combined(_shared_platforms(by_capability, groupings), systems, coded.names)
    # A national service (ESR, NHSmail, the Police National Computer) is run by one body for everybody already:
    # other organisations do not move onto an organisation's use of it, nor buy it together (estate.national);
    # an organisation may still retire its own local tools onto it (a rationalisation).
    if len(shared):
        survivor = coded.key_index.get_indexer(shared["target"].astype(str).to_numpy(object))
        shared = shared.loc[~coded.national[survivor]].reset_index(drop=True)
    joint, joint_members = _joint_procurements(systems.loc[~coded.national], a)
    rationalised = _combined(_rationalisations(by_capability), systems, coded.names)
    hosting, moves = _hosting_consolidations(systems, _site_table(sites, inventory), a)
    shared, rationalised, joint, hosting, shared_members, rationalised_members = _worth_appraising(
        shared, rationalised, joint, hosting, systems, joint_members, a, overrides, coded=coded)
    numbered = []
    found_parts = []  # the consolidations' members, their candidates renumbered as below
    for frame, kind, found in ((shared, "shared platform", shared_members), (joint, "joint procurement", None),
                               (rationalised, "rationalisation", rationalised_members),
                               (hosting, "hosting consolidation", None)):
        if not len(frame):
            continue
        keys = frame["sort_key"].tolist()
        order = sorted(range(len(frame)), key=keys.__getitem__)
        frame = frame.iloc[order]
        width = max(3, len(str(len(frame))))
        ids = [f"{OPTION_TYPES[kind]}-{i:0{width}d}" for i in range(1, len(frame) + 1)]
        if found is not None:
            now = np.empty(len(order), dtype=np.int64)
            now[order] = np.arange(len(order)) + sum(len(part) for part in numbered)
            found_parts.append(replace(found, cand=now[found.cand]))
        numbered.append(frame.assign(option_id=ids).reset_index(drop=True))
    if not numbered:
        return _no_options(a)
    candidates = pd.concat(numbered, ignore_index=True)
    candidates["cand"] = np.arange(len(candidates))

    # 2. Members and the cost model of each type.
    effects_parts, totals_parts, cost_parts = [], [], []
    used = None
    consolidating = candidates.loc[candidates["type"].isin(["shared platform", "rationalisation"])]
    if len(consolidating):
        # The members _worth_appraising found (explain=False: the reasons of the systems left running are in
        # the rationales already), by candidate as _members_frame gives them: each candidate's members
        # in their order (by capability, then system), the candidates in their new order.
        found = _Members(*(np.concatenate([getattr(part, f.name) for part in found_parts]) for f in fields(_Members)))
        everyone = _members_frame(found.take(np.argsort(found.cand, kind="stable")), coded)
        used = _overrides_used(everyone, candidates, overrides)
        parts = _cost_consolidations(everyone.loc[everyone["effect"] != "left out"]
                                     .drop(columns=["reason", "override"]).reset_index(drop=True), systems, a, d)
        effects_parts.append(parts[0])
        totals_parts.append(parts[1])
        cost_parts.append(parts[2])
    buying = candidates.loc[candidates["type"] == "joint procurement"]
    if len(buying):
        members = joint_members.merge(buying.loc[:, ["cand", "target"]], left_on="product_key", right_on="target")
        members = members.loc[:, ["cand", "system_key"]].assign(effect="recontract")
        parts = _cost_joint_procurements(members, systems, a, d)
        effects_parts.append(parts[0])
        totals_parts.append(parts[1])
        cost_parts.append(parts[2])
    closing = candidates.loc[candidates["type"] == "hosting consolidation"]
    if len(closing):
        parts = _cost_hosting(closing, moves, systems, a, d)
        effects_parts.append(parts[0])
        totals_parts.append(parts[1])
        cost_parts.append(parts[2])
    members = pd.concat(effects_parts, ignore_index=True)
    members["replacement_class"] = members["replacement_class"].fillna("") if "replacement_class" in members \
        else ""
    for kind in COST_KINDS:
        if f"cost_{kind}" not in members:
            members[f"cost_{kind}"] = np.nan
    totals = pd.concat(totals_parts).reindex(columns=["run_cost_before", "run_cost_after", "annual_saving",
                                                      "cashable_saving", "non_cashable_saving", "received_users",
                                                      "rates_note"])
    totals["rates_note"] = totals["rates_note"].astype(object).where(totals["rates_note"].notna(), "")
    # A joint contract's discount and a closed site's running cost are cash.
    totals["non_cashable_saving"] = totals["non_cashable_saving"].fillna(0.0)
    totals["cashable_saving"] = totals["cashable_saving"].fillna(totals["annual_saving"])
    totals = totals.reindex(candidates["cand"])

    # 3. Option-level one-off costs in year 0.
    partners = members.loc[:, ["cand", "organisation"]].drop_duplicates()
    n_partners = partners.groupby("cand").size().reindex(candidates["cand"]).fillna(0).to_numpy()
    consolidation = candidates["type"].isin(["shared platform", "rationalisation"]).to_numpy()
    procurement = (candidates["type"] == "joint procurement").to_numpy()
    year0_costs = _cost_rows(candidates["cand"].to_numpy(), np.full(len(candidates), d.start), {
        "assessment_planning": np.where(consolidation, a.assessment_planning_per_option, 0.0),
        "joint_procurement": np.where(procurement, a.joint_procurement_cost, 0.0),
        "stakeholder_engagement": np.where(consolidation | procurement,
                                           a.stakeholder_engagement_per_partner * n_partners, 0.0),
    }, a)
    costs = pd.concat([year0_costs, *cost_parts], ignore_index=True)
    last_year = a.first_year + a.horizon_years - 1
    costs = costs.loc[(costs["year"] <= last_year) & (costs["amount"] != 0)]

    # 4. Savings and one-off costs by year, optimism bias, cash flows and appraisal: the arithmetic of
    # estate.appraisal.option_cash_flows and appraise_flows, done for every option at once.
    n, horizon = len(candidates), a.horizon_years
    saving_rows = members.loc[members["net_saving"].fillna(0.0) != 0]
    starts = saving_rows["saving_start"].to_numpy().astype("datetime64[D]")
    fractions = year_fractions(starts[:, None], None, d.years[None, :], first_month=a.first_month)
    raw_savings = np.zeros((n, horizon))
    np.add.at(raw_savings, saving_rows["cand"].to_numpy(),
              saving_rows["net_saving"].to_numpy()[:, None] * fractions)
    raw_costs = np.zeros((n, horizon))
    np.add.at(raw_costs, (costs["cand"].to_numpy(), costs["year"].to_numpy() - a.first_year),
              costs["amount"].to_numpy())
    biased_costs, biased_savings = apply_optimism_bias(
        raw_costs, raw_savings, cost_uplift=a.cost_bias, saving_reduction=a.saving_bias,
        mitigation=a.bias_mitigation,
    )
    years = option_cash_flows(first_year=a.first_year, horizon_years=horizon, rate=a.discount_rate,
                              one_off_by_year={}, savings_by_year={}, first_month=a.first_month)
    net = biased_savings - biased_costs
    present = net * d.factors
    measured = pd.DataFrame({
        "one_off_cost": biased_costs.sum(axis=1),
        "pv_savings": (biased_savings * d.factors).sum(axis=1),
        "pv_costs": (biased_costs * d.factors).sum(axis=1),
        "npv": present.sum(axis=1),
        "payback_years": payback_years_by_row(net),
    })
    cash_flows = pd.DataFrame({
        "option_id": np.repeat(candidates["option_id"].to_numpy(), horizon),
        **{c: np.tile(years[c].to_numpy(), n) for c in ("year", "label", "t")},
        "savings": biased_savings.ravel(),
        "costs": biased_costs.ravel(),
        "net": net.ravel(),
        "discount_factor": np.tile(years["discount_factor"].to_numpy(), n),
        "present_value": present.ravel(),
        "cumulative_net": np.cumsum(net, axis=1).ravel(),
    })

    # 5. The option table.
    ids = candidates["option_id"]
    members["option_id"] = ids.to_numpy()[members["cand"].to_numpy()]
    retired = members.loc[members["effect"] == "retire"]
    change = members["retire_date"].where(members["effect"] == "retire", members["saving_start"])
    last_change = change.groupby(members["cand"]).max().reindex(candidates["cand"])
    end_year = financial_years(last_change.to_numpy(), first_month=a.first_month)
    options = pd.DataFrame({
        "option_id": ids.to_numpy(),
        "type": candidates["type"].to_numpy(),
        "capability_code": candidates["capability_code"].to_numpy(),
        "capability_name": candidates["capability_name"].to_numpy(),
        "target": candidates["target"].to_numpy(),
        "target_label": candidates["target_label"].to_numpy(),
        "lead_organisation": candidates["lead_organisation"].to_numpy(),
        "partners": _joined_by(partners["cand"].to_numpy(), partners["organisation"].to_numpy(), len(candidates)),
        "n_partners": n_partners.astype(np.int64),
        "systems_retired": _joined_by(retired["cand"].to_numpy(), retired["system_key"].to_numpy(), len(candidates)),
        "n_retired": retired.groupby("cand").size().reindex(candidates["cand"]).fillna(0).astype(np.int64)
        .to_numpy(),
        "run_cost_before": totals["run_cost_before"].to_numpy(),
        "run_cost_after": totals["run_cost_after"].to_numpy(),
        "annual_saving": totals["annual_saving"].to_numpy(),
        "cashable_saving": totals["cashable_saving"].to_numpy(),
        "received_users": totals["received_users"].fillna(0.0).to_numpy(),
        "non_cashable_saving": totals["non_cashable_saving"].to_numpy(),
        **{c: measured[c].to_numpy() for c in measured},
        "start_year": np.full(len(candidates), a.first_year, dtype=np.int64),
        "end_year": np.where(end_year >= 0, end_year, a.first_year).astype(np.int64),
        "rationale": candidates["rationale"].to_numpy() + totals["rates_note"].to_numpy(object),
    })
    options["meets_minimum_npv"] = options["npv"] >= a.minimum_option_npv
    options["capability_name"] = _moving_label(options, retired, systems, coded.names)
    options = options.loc[:, list(OPTION_COLUMNS)]
    copy = _copies(options, members, coded.names)  # the same move twice: listed once, under the earlier id

    # 6. Partner shares.
    shares = _partner_shares(members, totals, candidates, measured, a)

    # 7. Tidy outputs, sorted by stable keys.
    effects = members.loc[:, list(EFFECT_COLUMNS)].sort_values(["option_id", "system_key"], kind="stable")
    costs = costs.assign(option_id=ids.to_numpy()[costs["cand"].to_numpy()])
    by_year = costs.groupby(["option_id", "year"], as_index=False)["amount"].sum()
    by_year["amount"] = by_year["amount"] * a.cost_factor
    breakdown = costs.groupby(["option_id", "category"], as_index=False)["amount"].sum()
    breakdown = breakdown.rename(columns={"amount": "amount_before_bias"})
    breakdown["amount"] = breakdown["amount_before_bias"] * a.cost_factor
    order = {c: i for i, c in enumerate(ONE_OFF_CATEGORIES)}
    breakdown = breakdown.assign(_order=map_distinct(breakdown["category"], order)).sort_values(["option_id", "_order"])
    room = _room(candidates)
    defaults_used = _defaults_used(members, systems, closing, a)  # a copy touches the same systems
    if copy.any():
        dropped = set(options.loc[copy, "option_id"])
        options, effects, cash_flows, by_year, breakdown, shares, room = (
            frame.loc[~frame["option_id"].isin(dropped)]
            for frame in (options, effects, cash_flows, by_year, breakdown, shares, room))
        shares = shares.reset_index(drop=True)
        room = room.reset_index(drop=True)
    return Options(
        options=options.sort_values("option_id", kind="stable").reset_index(drop=True),
        effects=effects.reset_index(drop=True),
        cash_flows=cash_flows.sort_values(["option_id", "t"], kind="stable").reset_index(drop=True),
        one_off_by_year=by_year.loc[:, ["option_id", "year", "amount"]].reset_index(drop=True),
        one_off_breakdown=breakdown.loc[:, ["option_id", "category", "amount_before_bias", "amount"]]
        .reset_index(drop=True),
        partner_shares=shares,
        defaults_used=defaults_used,
        assumptions=a,
        room=room,
        **({"fit_overrides_used": used} if used is not None else {}),
    )


def _partner_shares(members: pd.DataFrame, totals: pd.DataFrame, candidates: pd.DataFrame,
                    measured: pd.DataFrame, a: Assumptions) -> pd.DataFrame:
    """Each partner's run cost, saving, shares of saving and cost, one-off cost and NPV."""
    kind = candidates["type"].to_numpy()[members["cand"].to_numpy()]
    keyed = members.assign(
        _users=members["users"].astype(float),
        _before=members["annual_cost"].astype(float),
        _saving=members["net_saving"].astype(float),
    )
    # A moved system's run cost does not change; the site's cost is its owner's.
    keyed.loc[keyed["effect"] == "move", "_before"] = 0.0
    keyed.loc[keyed["system_key"].str.startswith(_SITE_PREFIX), "_users"] = 0.0
    partners = keyed.groupby(["cand", "organisation"], as_index=False).agg(
        users=("_users", "sum"), run_cost_before=("_before", "sum"), own_saving=("_saving", "sum"))
    weight = _weights(partners, a.allocation_rule)
    shared = np.isin(kind, ["shared platform", "rationalisation"])
    shared_cands = set(members["cand"].to_numpy()[shared].tolist())
    is_shared = partners["cand"].isin(shared_cands)
    after_total = totals["run_cost_after"].reindex(partners["cand"]).to_numpy()
    partners["run_cost_after"] = np.where(is_shared, after_total * weight,
                                          partners["run_cost_before"] - partners["own_saving"])
    partners["annual_saving"] = partners["run_cost_before"] - partners["run_cost_after"]
    saving_total = totals["annual_saving"].reindex(partners["cand"]).to_numpy()
    nonzero = saving_total != 0
    partners["saving_share"] = np.where(nonzero, partners["annual_saving"] / np.where(nonzero, saving_total, 1.0),
                                        weight)
    partners["cost_share"] = weight
    pick = partners["cand"].to_numpy()
    partners["one_off_cost"] = partners["cost_share"] * measured["one_off_cost"].to_numpy()[pick]
    partners["npv"] = (partners["saving_share"] * measured["pv_savings"].to_numpy()[pick]
                       - partners["cost_share"] * measured["pv_costs"].to_numpy()[pick])
    partners["option_id"] = candidates["option_id"].to_numpy()[pick]
    return partners.loc[:, list(PARTNER_SHARE_COLUMNS)].sort_values(
        ["option_id", "organisation"], kind="stable").reset_index(drop=True)


def _no_options(a: Assumptions) -> Options:
    options = _empty(OPTION_COLUMNS)
    return Options(
        options=options,
        effects=_empty(EFFECT_COLUMNS),
        cash_flows=_empty(("option_id", *CASH_FLOW_COLUMNS)),
        one_off_by_year=_empty(("option_id", "year", "amount")),
        one_off_breakdown=_empty(("option_id", "category", "amount_before_bias", "amount")),
        partner_shares=_empty(PARTNER_SHARE_COLUMNS),
        defaults_used=_empty(DEFAULTS_USED_COLUMNS),
        assumptions=a,
    )
