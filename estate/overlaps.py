"""Overlaps: where the partners' estates duplicate each other, and where to start.

Every function here takes the matched systems (the output of
:func:`estate.matching.match_systems`: one row a system, with
``organisation``, ``system_key``, ``product_id``, ``vendor_name``,
``capability_code``... columns) and returns a DataFrame. Nothing is mutated.
:func:`find_overlaps` runs them all and returns an :class:`Overlaps`.

Conventions
-----------
* One row of ``matched`` is one system (a product cell that listed several
  products has been split into one row each). Only ``organisation`` and
  ``system_key`` are required; a missing column reads as all missing.
* A system serving several capabilities (``capability_codes``,
  :mod:`estate.coverage`) is counted under each in the capability tables,
  its cost shared equally between them (in whole pennies, the remainder to
  its primary capability), so that a total across capabilities counts it
  once; its users are not shared.
* A system with no ``capability_code`` is left out of the capability tables,
  one with no ``product_id`` out of the product tables, one with no
  ``vendor_name`` out of the vendor tables. Counting *distinct products*, a
  system whose product is unknown counts as a product of its own (it cannot
  be assumed to be the same as any other).
* ``in-house:<system_key>`` products are bespoke: each is its own product and
  is never *shared*; ``unlisted:<name>`` products are shared when the same
  name recurs.
* Money is summed exactly to the penny (costs are rounded to pennies before
  they are added), so the tables do not depend on the order of the rows; a
  missing cost adds nothing (``unknown_cost_systems`` says how often).
* Tables are sorted by their keys (capability code, product id, organisation,
  site key...), except rankings, which are sorted by the ranked value (highest
  first) and then by key: :func:`capability_overlaps` by
  ``consolidation_score``, :func:`vendor_spend` by ``annual_cost``,
  :func:`integration_blast_radius` by ``total``.
* Names joined into one cell are sorted and separated by ``"; "``.

Examples
--------
>>> import pandas as pd
>>> matched = pd.DataFrame({
...     "organisation": ["Eden", "Carlisle", "Carlisle", "Copeland"],
...     "system_key": ["Eden/1", "Carlisle/1", "Carlisle/2", "Copeland/1"],
...     "system": ["Revs", "R&B", "Benefits portal", "Revenues"],
...     "product_id": ["capita-academy", "capita-academy", "unlisted:Portal", "civica-openrevenues"],
...     "vendor_name": ["Capita", "Capita", None, "Civica"],
...     "capability_code": ["LG-REVBEN"] * 4,
...     "annual_cost": [85_000.0, 120_000.0, 10_000.0, 95_000.0],
... })
>>> overlaps = find_overlaps(matched, as_of="2026-04-01")
>>> overlaps.capability_overlaps[["capability_code", "organisations", "systems", "products", "annual_cost"]]
  capability_code  organisations  systems  products  annual_cost
0       LG-REVBEN              3        4         3     310000.0
>>> overlaps.shared_products[["product_id", "organisations", "annual_cost"]]
       product_id  organisations  annual_cost
0  capita-academy              2     205000.0
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from estate.errors import ParameterError
from estate._collector import collector_paused
from estate.columns import clean_text, distinct_counts, text_order
from estate.graph import site_keys
from estate.inventory import Inventory

__all__ = [
    "DEFAULT_SCORE_WEIGHTS",
    "OVERLAP_TABLES",
    "Overlaps",
    "capability_by_organisation",
    "capability_matrix",
    "capability_overlaps",
    "find_overlaps",
    "integration_blast_radius",
    "internal_duplicates",
    "organisation_summary",
    "partner_affinity",
    "partner_groups",
    "shared_products",
    "site_overlaps",
    "vendor_concentration",
    "vendor_spend",
]

DEFAULT_SCORE_WEIGHTS: Mapping[str, float] = {"breadth": 0.3, "commonality": 0.2, "spend": 0.3, "timing": 0.2}
"""Weights of the four parts of the consolidation score (see :func:`capability_overlaps`). Illustrative."""

OVERLAP_TABLES = ("organisations", "capability_by_organisation", "capability_matrix", "capability_overlaps",
                  "shared_products", "vendor_spend", "site_overlaps", "internal_duplicates", "partner_affinity",
                  "partner_groups", "integration_blast_radius")
"""The tables an :class:`Overlaps` holds, in order."""

MatrixValue = Literal["annual_cost", "systems", "users"]
AffinityWeight = Literal["shared_spend", "shared_capabilities"]
DateLike = str | pd.Timestamp | np.datetime64 | None

_KEYS = ("organisation", "product_id", "vendor_name", "capability_code")
_UNKNOWN = "(unknown)"


# --------------------------------------------------------------------------- parameters and preparation


def _bad(name: str, func: str, expected: str, got: object) -> ParameterError:
    shown = repr(got)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return ParameterError(f"The {name!r} parameter of {func} must be {expected}. Got {shown} instead.")


def _is_real(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def _check_fraction(value: object, name: str, func: str) -> float:
    if not _is_real(value) or not 0 <= float(value) <= 1:  # type: ignore[arg-type]
        raise _bad(name, func, "a number in [0, 1]", value)
    return float(value)  # type: ignore[arg-type]


def _check_horizon(value: object, func: str) -> float:
    if not _is_real(value) or not 0 <= float(value) <= 100 or not math.isfinite(float(value)):  # type: ignore[arg-type]
        raise _bad("horizon_years", func, "a number of years in [0, 100]", value)
    return float(value)  # type: ignore[arg-type]


def _check_as_of(value: object, func: str) -> pd.Timestamp:
    if value is None:
        return pd.Timestamp.today().normalize()
    try:
        stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise _bad("as_of", func, "a date (such as '2026-04-01') or None", value) from None
    if pd.isna(stamp):
        raise _bad("as_of", func, "a date (such as '2026-04-01') or None", value)
    return stamp.tz_localize(None) if stamp.tzinfo is not None else stamp


def _check_weights(weights: object, func: str) -> dict[str, float]:
    if weights is None:
        return dict(DEFAULT_SCORE_WEIGHTS)
    if not isinstance(weights, Mapping):
        raise _bad("weights", func, "a mapping of score part to weight", weights)
    unknown = sorted(set(map(str, weights)) - set(DEFAULT_SCORE_WEIGHTS))
    if unknown:
        raise _bad("weights", func, f"keyed by {', '.join(DEFAULT_SCORE_WEIGHTS)}", unknown[0])
    out = {part: 0.0 for part in DEFAULT_SCORE_WEIGHTS}
    for part, weight in weights.items():
        if not _is_real(weight) or not math.isfinite(float(weight)) or float(weight) < 0:
            raise _bad("weights", func, f"a finite weight >= 0 for {part!r}", weight)
        out[str(part)] = float(weight)
    if sum(out.values()) <= 0:
        raise _bad("weights", func, "weights with a positive total", dict(weights))
    return out


def _check_inventory(inventory: object, func: str) -> Inventory | None:
    if inventory is not None and not isinstance(inventory, Inventory):
        raise _bad("inventory", func, "an estate.Inventory or None", type(inventory).__name__)
    return inventory


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame:
        return frame[name]
    return pd.Series(np.nan, index=frame.index, dtype=object)


def _category(series: pd.Series) -> pd.Series:
    """Text as a categorical whose categories are sorted, so grouping by it gives sorted keys."""
    codes, uniques = pd.factorize(series)
    cleaned = clean_text(pd.Series(uniques, dtype=object))
    categories = pd.Index(cleaned.dropna().unique()).astype(object).sort_values()
    recode = np.append(categories.get_indexer(cleaned.to_numpy(dtype=object)), -1)
    return pd.Series(pd.Categorical.from_codes(recode[codes], categories=categories), index=series.index)


def _prepare(matched: object, func: str) -> pd.DataFrame:
    """The columns the tables use, typed for fast and order-free grouping; ``matched`` is not changed."""
    if not isinstance(matched, pd.DataFrame):
        raise _bad("matched", func, "a pandas DataFrame of matched systems", type(matched).__name__)
    missing = [c for c in ("organisation", "system_key") if c not in matched]
    if missing:
        raise ParameterError(f"The 'matched' parameter of {func} lacks column(s) {', '.join(missing)}; "
                             "pass the matched systems from estate.matching.match_systems.")
    if matched["organisation"].isna().any() or matched["system_key"].isna().any():
        raise ParameterError(f"The 'matched' parameter of {func} has blank organisation or system_key values; "
                             "every system needs both.")
    frame = pd.DataFrame(index=pd.RangeIndex(len(matched)))
    for name in _KEYS:
        frame[name] = _category(_column(matched, name).reset_index(drop=True))
    frame["system_key"] = matched["system_key"].astype(str).to_numpy(dtype=object)
    system = clean_text(_column(matched, "system").reset_index(drop=True))
    frame["system"] = system.where(system.notna(), frame["system_key"])
    for name in ("product_name", "capability_name", "site_key", "site"):
        frame[name] = clean_text(_column(matched, name).reset_index(drop=True))
    cost = pd.to_numeric(_column(matched, "annual_cost"), errors="coerce").to_numpy(dtype="float64")
    users = pd.to_numeric(_column(matched, "users"), errors="coerce").to_numpy(dtype="float64")
    frame["has_cost"] = np.isfinite(cost)
    # Money in whole pennies (and users in hundredths): integer sums do not depend on row order.
    frame["cost_p"] = np.rint(np.where(np.isfinite(cost), cost, 0.0) * 100).astype("int64")
    frame["users_h"] = np.rint(np.where(np.isfinite(users), users, 0.0) * 100).astype("int64")
    frame["contract_end"] = pd.to_datetime(_column(matched, "contract_end").reset_index(drop=True),
                                           errors="coerce")
    frame["capability_codes"] = clean_text(_column(matched, "capability_codes").reset_index(drop=True))
    return frame


def _served_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The systems once for each capability they serve (:mod:`estate.coverage`), for the capability tables.

    A system serving k capabilities appears under each; its cost is shared
    between them in whole pennies (the remainder to its primary capability),
    so a total across capabilities counts it once. Its users are not shared:
    they are the people who use it for each job.
    """
    from estate.coverage import served_capabilities, shared_pennies

    listed = frame["capability_codes"].str.contains(";", regex=False).fillna(False).astype(bool)
    if not listed.any():
        return frame
    served = served_capabilities(frame)
    out = frame.iloc[served["row"].to_numpy()].reset_index(drop=True)
    out["cost_p"] = shared_pennies(out["cost_p"].to_numpy(dtype="int64"), served)
    out["capability_code"] = _category(pd.Series(served["capability_code"].to_numpy(object), dtype=object))
    primary = served["position"].to_numpy() == 0
    out["capability_name"] = out["capability_name"].where(primary, None)
    return out


def _money(pennies: pd.Series | np.ndarray) -> np.ndarray:
    return np.asarray(pennies, dtype="int64") / 100.0


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Categorical key columns back to plain text, and a fresh 0..n-1 index."""
    frame = frame.reset_index(drop=True)
    for name in frame.columns:
        if isinstance(frame[name].dtype, pd.CategoricalDtype):
            frame[name] = frame[name].astype(object)
    return frame


def _sort_codes(series: pd.Series) -> np.ndarray:
    """Integer codes that sort as the values do (categories are already sorted); missing values are -1."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy().astype("int64")
    return pd.factorize(series.astype(object), sort=True)[0].astype("int64")


def _joined(pairs: pd.DataFrame, by: str | list[str], column: str) -> pd.Series:
    """The distinct values of ``column`` for each ``by`` group, sorted and ``"; "``-joined.

    Sorted on integer codes (never on text row by row), then joined once a group.
    """
    by_list = [by] if isinstance(by, str) else by
    value_codes, values = pd.factorize(pairs[column].astype(object), sort=True)
    keys = [_sort_codes(pairs[name]) for name in by_list]
    keep = value_codes >= 0
    for key in keys:
        keep &= key >= 0
    if not keep.any():
        return pd.Series(dtype=object)
    value_codes = value_codes[keep]
    keys = [key[keep] for key in keys]
    order = np.lexsort((value_codes, *reversed(keys)))
    value_codes = value_codes[order]
    keys = [key[order] for key in keys]
    new_group = np.zeros(len(order), dtype=bool)
    new_group[0] = True
    for key in keys:
        new_group[1:] |= key[1:] != key[:-1]
    new_value = new_group.copy()
    new_value[1:] |= value_codes[1:] != value_codes[:-1]
    distinct = np.flatnonzero(new_value)  # one row a distinct (group, value)
    group_of = np.cumsum(new_group)[distinct] - 1
    starts = np.flatnonzero(np.r_[True, group_of[1:] != group_of[:-1]])
    ends = np.r_[starts[1:], len(distinct)]
    labels = np.asarray(values, dtype=object)[value_codes[distinct]]
    # One join a group (groups, not rows): pandas' own agg would build a Series for each group.
    text = ["; ".join(labels[start:end]) for start, end in zip(starts.tolist(), ends.tolist())]
    first_rows = np.flatnonzero(keep)[order][distinct[starts]]
    firsts = pairs[by_list].iloc[first_rows]
    index = pd.Index(firsts[by_list[0]]) if len(by_list) == 1 else pd.MultiIndex.from_frame(firsts)
    return pd.Series(text, index=index, dtype=object)


def _first_names(keys: pd.Series, names: pd.Series) -> pd.Series:
    """For each category of ``keys``, the alphabetically first of its known ``names`` (NaN when none).

    Names are coded in sorted order, so the first name is the smallest code:
    no row-by-row comparison of text.
    """
    categories = keys.cat.categories
    known = keys.notna().to_numpy() & names.notna().to_numpy()
    if not known.any():
        return pd.Series(np.nan, index=categories, dtype=object)
    name_codes, uniques = pd.factorize(names[known].astype(object), sort=True)
    smallest = pd.Series(name_codes).groupby(keys.cat.codes.to_numpy()[known]).min()
    out = pd.Series(np.nan, index=range(len(categories)), dtype=object)
    out[smallest.index] = np.asarray(uniques, dtype=object)[smallest.to_numpy()]
    out.index = categories
    return out


def _capability_names(frame: pd.DataFrame) -> pd.Series:
    """Capability code → name for each category of ``capability_code`` (:func:`estate.coverage.capability_names`)."""
    from estate.coverage import capability_names

    return capability_names(frame, codes=frame["capability_code"].cat.categories)


def _product_names(frame: pd.DataFrame) -> pd.Series:
    """Product id → name (the matching's name, else the id)."""
    ids = frame["product_id"].cat.categories
    return _first_names(frame["product_id"], frame["product_name"]).fillna(pd.Series(ids, index=ids)).astype(object)


def _distinct_products(frame: pd.DataFrame, by: list[str]) -> pd.Series:
    """Distinct known products per group plus one for each system whose product is unknown."""
    known = frame.loc[frame["product_id"].notna()].groupby(by, observed=True)["product_id"].nunique()
    unknown = frame.loc[frame["product_id"].isna()].groupby(by, observed=True).size()
    return known.add(unknown, fill_value=0).astype("int64")


# --------------------------------------------------------------------------- capability tables


def organisation_summary(matched: pd.DataFrame, inventory: Inventory | None = None) -> pd.DataFrame:
    """One row an organisation: its short name, sector, systems, run cost, users and capabilities.

    Parameters
    ----------
    matched : DataFrame
        The matched systems.
    inventory : Inventory, optional
        Gives ``short_name`` and ``sector`` (and organisations with no system).

    Returns
    -------
    DataFrame
        Columns ``organisation``, ``short_name`` (the name itself when none is
        given), ``sector``, ``systems``, ``annual_cost``, ``users``,
        ``capabilities`` (distinct capability codes); sorted by organisation.

    Examples
    --------
    >>> import pandas as pd
    >>> matched = pd.DataFrame({"organisation": ["Eden", "Eden"], "system_key": ["Eden/1", "Eden/2"],
    ...                         "capability_code": ["CORP-FIN", "CORP-HR"], "annual_cost": [10.0, 5.0]})
    >>> organisation_summary(matched)[["organisation", "systems", "annual_cost", "capabilities"]]
      organisation  systems  annual_cost  capabilities
    0         Eden        2         15.0             2
    """
    func = "organisation_summary"
    return _organisation_summary(_prepare(matched, func), _check_inventory(inventory, func))


def _organisation_summary(frame: pd.DataFrame, inventory: Inventory | None,
                          served: pd.DataFrame | None = None) -> pd.DataFrame:
    served = _served_frame(frame) if served is None else served
    grouped = frame.groupby("organisation", observed=True, sort=True)
    out = pd.DataFrame({"systems": grouped.size(), "annual_cost": _money(grouped["cost_p"].sum()),
                        "users": _money(grouped["users_h"].sum()),
                        "capabilities": served.groupby("organisation", observed=True, sort=True)[
                            "capability_code"].nunique()})
    out.index = out.index.astype(object)
    if inventory is not None and len(inventory.organisations):
        listed = (inventory.organisations.dropna(subset=["organisation"]).drop_duplicates("organisation")
                  .set_index("organisation")[["short_name", "sector"]])
        out = out.reindex(out.index.union(listed.index.astype(object)).sort_values()).join(listed)
        out[["systems", "capabilities"]] = out[["systems", "capabilities"]].fillna(0)
        out[["annual_cost", "users"]] = out[["annual_cost", "users"]].fillna(0.0)
    else:
        out["short_name"] = np.nan
        out["sector"] = np.nan
    out["short_name"] = out["short_name"].astype(object).where(out["short_name"].notna(), out.index.to_series())
    out = out.astype({"systems": "int64", "capabilities": "int64"})
    out.index.name = "organisation"
    return _plain(out.reset_index()[["organisation", "short_name", "sector", "systems", "annual_cost", "users",
                                      "capabilities"]])


def _by_capability_organisation(frame: pd.DataFrame, served: pd.DataFrame | None = None) -> pd.DataFrame:
    frame = _served_frame(frame) if served is None else served
    capable = frame.loc[frame["capability_code"].notna()]
    grouped = capable.groupby(["capability_code", "organisation"], observed=True, sort=True)
    out = pd.DataFrame({"systems": grouped.size(), "cost_p": grouped["cost_p"].sum(),
                        "users_h": grouped["users_h"].sum()}).reset_index()
    return out


def capability_by_organisation(matched: pd.DataFrame) -> pd.DataFrame:
    """Systems, run cost and users of each capability in each organisation (long form).

    Parameters
    ----------
    matched : DataFrame
        The matched systems.

    Returns
    -------
    DataFrame
        One row a (capability, organisation) that has at least one system:
        ``capability_code``, ``capability_name``, ``organisation``,
        ``systems``, ``annual_cost``, ``users``; sorted by code and
        organisation.

    Examples
    --------
    >>> import pandas as pd
    >>> matched = pd.DataFrame({"organisation": ["Eden", "Eden", "Carlisle"],
    ...                         "system_key": ["Eden/1", "Eden/2", "Carlisle/1"],
    ...                         "capability_code": ["CORP-FIN", "CORP-FIN", "CORP-FIN"],
    ...                         "annual_cost": [10.0, 5.0, 7.5]})
    >>> capability_by_organisation(matched)
      capability_code  capability_name organisation  systems  annual_cost  users
    0        CORP-FIN  Finance and ERP     Carlisle        1          7.5    0.0
    1        CORP-FIN  Finance and ERP         Eden        2         15.0    0.0
    """
    frame = _prepare(matched, "capability_by_organisation")
    return _capability_long(frame)


def _capability_long(frame: pd.DataFrame, served: pd.DataFrame | None = None) -> pd.DataFrame:
    served = _served_frame(frame) if served is None else served
    long = _by_capability_organisation(frame, served)
    names = _capability_names(served)
    out = pd.DataFrame({
        "capability_code": long["capability_code"].astype(object),
        "capability_name": long["capability_code"].astype(object).map(names),
        "organisation": long["organisation"].astype(object),
        "systems": long["systems"].astype("int64"),
        "annual_cost": _money(long["cost_p"]),
        "users": _money(long["users_h"]),
    })
    return out.reset_index(drop=True)


def capability_matrix(matched: pd.DataFrame, *, value: MatrixValue = "annual_cost") -> pd.DataFrame:
    """Capability × organisation: run cost, systems or users of each capability in each organisation.

    Parameters
    ----------
    matched : DataFrame
        The matched systems.
    value : {"annual_cost", "systems", "users"}, default="annual_cost"
        What each cell holds.

    Returns
    -------
    DataFrame
        Indexed by (``capability_code``, ``capability_name``), one column an
        organisation (sorted; the columns' name is ``organisation``); 0 where
        an organisation has no system for the capability. Rows sorted by code.

    Examples
    --------
    >>> import pandas as pd
    >>> matched = pd.DataFrame({"organisation": ["Eden", "Carlisle", "Carlisle"],
    ...                         "system_key": ["Eden/1", "Carlisle/1", "Carlisle/2"],
    ...                         "capability_code": ["CORP-FIN", "CORP-FIN", "CORP-HR"]})
    >>> capability_matrix(matched, value="systems")  # doctest: +NORMALIZE_WHITESPACE
    organisation                     Carlisle  Eden
    capability_code capability_name
    CORP-FIN        Finance and ERP         1     1
    CORP-HR         HR and payroll          1     0
    """
    func = "capability_matrix"
    if value not in ("annual_cost", "systems", "users"):
        raise _bad("value", func, "one of 'annual_cost', 'systems', 'users'", value)
    return _matrix(_capability_long(_prepare(matched, func)), value)


def _matrix(long: pd.DataFrame, value: str) -> pd.DataFrame:
    if not len(long):
        index = pd.MultiIndex.from_arrays([[], []], names=["capability_code", "capability_name"])
        return pd.DataFrame(index=index, columns=pd.Index([], name="organisation"), dtype="float64")
    out = long.pivot(index=["capability_code", "capability_name"], columns="organisation", values=value)
    out = out.fillna(0).sort_index(axis=0).sort_index(axis=1)
    if value == "systems":
        out = out.astype("int64")
    out.columns.name = "organisation"
    return out


def capability_overlaps(matched: pd.DataFrame, *, as_of: DateLike = None, horizon_years: float = 3,
                        weights: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Capabilities that two or more organisations serve, with a consolidation score.

    Parameters
    ----------
    matched : DataFrame
        The matched systems.
    as_of : date or str, optional
        The date contract ends are counted from; by default today (so the
        ``timing`` part changes with the date; pass a date to fix it).
    horizon_years : float, default=3
        Contracts that end on or before ``as_of`` plus this many years count
        as ending within the horizon (an ended contract counts too).
    weights : mapping, optional
        Weights of the score's parts, keyed by ``"breadth"``,
        ``"commonality"``, ``"spend"`` and ``"timing"``; a part left out
        weighs 0. Default :data:`DEFAULT_SCORE_WEIGHTS` (0.3, 0.2, 0.3, 0.2).

    Returns
    -------
    DataFrame
        One row a capability served in at least two organisations:
        ``capability_code``, ``capability_name``, ``organisations`` (count),
        ``organisation_names``, ``systems``, ``products`` (distinct; an
        unknown product counts once a system), ``main_product_id``,
        ``main_product_name``, ``main_product_share`` (of the systems),
        ``annual_cost``, ``users``, ``unknown_cost_systems``,
        ``contracts_ending`` (systems whose contract ends within the horizon),
        ``earliest_contract_end``, the score's parts ``breadth``,
        ``commonality``, ``spend``, ``timing`` and ``consolidation_score``.
        Sorted by score (highest first), then code.

    Notes
    -----
    For a capability served by :math:`n \\ge 2` organisations with :math:`s`
    systems, :math:`p` distinct products, run cost :math:`A` and :math:`e`
    systems whose contract ends within the horizon:

    * breadth :math:`b = (n - 1) / n`: the share of the organisations that
      would move if all converged on one of them (0.5 for two, 0.8 for five);
    * commonality :math:`c = 1 - (p - 1) / (s - 1)`, clipped to [0, 1]: 1
      when every system runs the same product (a joint contract or a shared
      instance is within reach), 0 when each runs a different one;
    * spend :math:`m = (r - 1) / (k - 1)`, where :math:`r` is the
      capability's rank by run cost :math:`A` among the :math:`k`
      overlapping capabilities (1 the cheapest, ties sharing their mean rank;
      :math:`m = 1` when :math:`k = 1`): how much money is in play. A rank,
      not :math:`A / A_{max}`, so that one very costly overlap (an acute
      trust's patient record) does not flatten every other capability to 0;
    * timing :math:`t = e / s`: the share of systems free to move soon
      without an exit cost (a system with no contract end does not count).

    The score is the weighted mean :math:`(w_b b + w_c c + w_m m + w_t t) /
    (w_b + w_c + w_m + w_t)`, in [0, 1]. It ranks where to look first; it is
    not a saving. The default weights are illustrative.

    Examples
    --------
    Three councils run revenues systems: two on the same product.

    >>> import pandas as pd
    >>> matched = pd.DataFrame({
    ...     "organisation": ["Eden", "Carlisle", "Copeland"],
    ...     "system_key": ["Eden/1", "Carlisle/1", "Copeland/1"],
    ...     "product_id": ["capita-academy", "capita-academy", "civica-openrevenues"],
    ...     "capability_code": ["LG-REVBEN"] * 3,
    ...     "annual_cost": [80_000.0, 120_000.0, 100_000.0],
    ...     "contract_end": pd.to_datetime(["2027-03-31", "2031-03-31", None])})
    >>> row = capability_overlaps(matched, as_of="2026-04-01").iloc[0]
    >>> row[["breadth", "commonality", "spend", "timing"]].astype(float).round(3).tolist()
    [0.667, 0.5, 1.0, 0.333]
    >>> round(float(row["consolidation_score"]), 4)  # 0.3 * 2/3 + 0.2 * 0.5 + 0.3 * 1 + 0.2 * 1/3
    0.6667
    """
    func = "capability_overlaps"
    frame = _prepare(matched, func)
    return _capability_overlaps(frame, as_of=_check_as_of(as_of, func),
                                horizon_years=_check_horizon(horizon_years, func),
                                weights=_check_weights(weights, func))


def _horizon_end(as_of: pd.Timestamp, horizon_years: float) -> pd.Timestamp:
    return as_of + pd.DateOffset(months=int(round(horizon_years * 12)))


def _capability_overlaps(frame: pd.DataFrame, *, as_of: pd.Timestamp, horizon_years: float,
                         weights: dict[str, float], served: pd.DataFrame | None = None) -> pd.DataFrame:
    columns = ["capability_code", "capability_name", "organisations", "organisation_names", "systems", "products",
               "main_product_id", "main_product_name", "main_product_share", "annual_cost", "users",
               "unknown_cost_systems", "contracts_ending", "earliest_contract_end", "breadth", "commonality",
               "spend", "timing", "consolidation_score"]
    frame = _served_frame(frame) if served is None else served
    capable = frame.loc[frame["capability_code"].notna()]
    n_orgs = capable.groupby("capability_code", observed=True)["organisation"].nunique()
    codes = n_orgs.index[n_orgs >= 2]
    if not len(codes):
        return _empty(columns, {"organisations": "int64", "systems": "int64", "products": "int64"})
    rows = capable.loc[capable["capability_code"].isin(codes)]
    by = ["capability_code"]
    grouped = rows.groupby(by, observed=True, sort=True)
    ending = rows["contract_end"].notna() & (rows["contract_end"] <= _horizon_end(as_of, horizon_years))
    out = pd.DataFrame({
        "organisations": grouped["organisation"].nunique(),
        "systems": grouped.size(),
        "products": _distinct_products(rows, by),
        "cost_p": grouped["cost_p"].sum(),
        "users_h": grouped["users_h"].sum(),
        "unknown_cost_systems": (~rows["has_cost"]).groupby(rows["capability_code"], observed=True).sum(),
        "contracts_ending": ending.groupby(rows["capability_code"], observed=True).sum(),
        "earliest_contract_end": grouped["contract_end"].min(),
    })
    out["organisation_names"] = _joined(rows, "capability_code", "organisation")

    # The product most systems run (ties: more spend, then the smaller id).
    known = rows.loc[rows["product_id"].notna()]
    per_product = known.groupby(["capability_code", "product_id"], observed=True).agg(
        n=("system_key", "size"), cost_p=("cost_p", "sum")).reset_index()
    per_product["product_id"] = per_product["product_id"].astype(object)
    main = (per_product.sort_values(["capability_code", "n", "cost_p", "product_id"],
                                    ascending=[True, False, False, True], kind="stable")
            .drop_duplicates("capability_code").set_index("capability_code"))
    main.index = main.index.astype(object)
    out.index = out.index.astype(object)
    out["main_product_id"] = main["product_id"].reindex(out.index)
    out["main_product_name"] = out["main_product_id"].map(_product_names(frame))
    out["main_product_share"] = (main["n"].reindex(out.index).fillna(0) / out["systems"]).astype("float64")

    n = out["organisations"].astype("float64")
    s = out["systems"].astype("float64")
    p = out["products"].astype("float64")
    cost = out["cost_p"].astype("float64")
    out["annual_cost"] = _money(out["cost_p"])
    out["users"] = _money(out["users_h"])
    out["breadth"] = (n - 1) / n
    out["commonality"] = (1 - (p - 1) / (s - 1).where(s > 1, 1)).clip(0, 1)
    k = len(out)
    out["spend"] = (cost.rank(method="average") - 1) / (k - 1) if k > 1 else 1.0
    out["timing"] = out["contracts_ending"] / s
    total = sum(weights.values())
    out["consolidation_score"] = sum(weights[part] * out[part] for part in weights) / total
    out["capability_name"] = out.index.to_series().map(_capability_names(frame))
    out = out.rename_axis("capability_code").reset_index()
    out = out.astype({"organisations": "int64", "systems": "int64", "products": "int64",
                      "unknown_cost_systems": "int64", "contracts_ending": "int64"})
    out = out.sort_values(["consolidation_score", "capability_code"], ascending=[False, True], kind="stable")
    return _plain(out[columns])


def _empty(columns: list[str], dtypes: Mapping[str, str] | None = None) -> pd.DataFrame:
    dtypes = dtypes or {}
    return pd.DataFrame({c: pd.Series(dtype=dtypes.get(c, "object")) for c in columns})


# --------------------------------------------------------------------------- products and vendors


def shared_products(matched: pd.DataFrame) -> pd.DataFrame:
    """Products two or more organisations each buy and run separately.

    Parameters
    ----------
    matched : DataFrame
        The matched systems. In-house products (``in-house:...``) and systems
        with no ``product_id`` are left out; unlisted products
        (``unlisted:<name>``) count.

    Returns
    -------
    DataFrame
        One row a product run in at least two organisations: ``product_id``,
        ``product_name``, ``vendor_name``, ``capability_codes`` (joined),
        ``organisations``, ``organisation_names``, ``systems``,
        ``annual_cost``, ``users``, ``earliest_contract_end``,
        ``latest_contract_end``; sorted by product id. These are the
        candidates for a joint contract or a shared instance.

    Examples
    --------
    >>> import pandas as pd
    >>> matched = pd.DataFrame({"organisation": ["Eden", "Carlisle", "Carlisle"],
    ...                         "system_key": ["Eden/1", "Carlisle/1", "Carlisle/2"],
    ...                         "product_id": ["idox-uniform", "idox-uniform", "in-house:Carlisle/2"],
    ...                         "contract_end": pd.to_datetime(["2027-03-31", "2029-06-30", None])})
    >>> shared_products(matched)[["product_id", "organisation_names", "earliest_contract_end"]]
         product_id organisation_names earliest_contract_end
    0  idox-uniform     Carlisle; Eden            2027-03-31
    """
    return _shared_products(_prepare(matched, "shared_products"))


def _shared_products(frame: pd.DataFrame) -> pd.DataFrame:
    columns = ["product_id", "product_name", "vendor_name", "capability_codes", "organisations",
               "organisation_names", "systems", "annual_cost", "users", "earliest_contract_end",
               "latest_contract_end"]
    ids = frame["product_id"]
    bespoke = pd.Index(ids.cat.categories).str.startswith("in-house:")
    bought = frame.loc[ids.notna() & ~np.append(bespoke, False)[ids.cat.codes.to_numpy()]]
    n_orgs = bought.groupby("product_id", observed=True)["organisation"].nunique()
    keep = n_orgs.index[n_orgs >= 2]
    rows = bought.loc[bought["product_id"].isin(keep)]
    if not len(rows):
        return _empty(columns, {"organisations": "int64", "systems": "int64"})
    grouped = rows.groupby("product_id", observed=True, sort=True)
    out = pd.DataFrame({
        "organisations": grouped["organisation"].nunique(),
        "systems": grouped.size(),
        "annual_cost": _money(grouped["cost_p"].sum()),
        "users": _money(grouped["users_h"].sum()),
        "earliest_contract_end": grouped["contract_end"].min(),
        "latest_contract_end": grouped["contract_end"].max(),
    })
    out["organisation_names"] = _joined(rows, "product_id", "organisation")
    vendors = rows.loc[rows["vendor_name"].notna()]
    out["vendor_name"] = _joined(vendors, "product_id", "vendor_name").reindex(out.index)
    capable = rows.loc[rows["capability_code"].notna()]
    out["capability_codes"] = _joined(capable, "product_id", "capability_code").reindex(out.index)
    out.index = out.index.astype(object)
    out["product_name"] = out.index.to_series().map(_product_names(frame))
    out = out.rename_axis("product_id").reset_index()
    return _plain(out[columns])


def vendor_spend(matched: pd.DataFrame) -> pd.DataFrame:
    """Run cost by vendor, largest first, with each vendor's share and the cumulative share.

    Parameters
    ----------
    matched : DataFrame
        The matched systems; those with no ``vendor_name`` are left out (and
        out of the total the shares are of).

    Returns
    -------
    DataFrame
        ``vendor_name``, ``organisations`` (how many partners buy from it),
        ``systems``, ``products``, ``annual_cost``, ``share`` (of the run
        cost with a known vendor, a fraction), ``cumulative_share``; sorted by
        ``annual_cost`` (highest first), then name.

    See Also
    --------
    vendor_concentration : the Herfindahl–Hirschman index of these shares.

    Examples
    --------
    >>> import pandas as pd
    >>> matched = pd.DataFrame({"organisation": ["Eden", "Carlisle", "Carlisle"],
    ...                         "system_key": ["Eden/1", "Carlisle/1", "Carlisle/2"],
    ...                         "vendor_name": ["Capita", "Capita", "Idox"],
    ...                         "annual_cost": [30.0, 45.0, 25.0]})
    >>> vendor_spend(matched)[["vendor_name", "annual_cost", "share", "cumulative_share"]]
      vendor_name  annual_cost  share  cumulative_share
    0      Capita         75.0   0.75              0.75
    1        Idox         25.0   0.25              1.00
    """
    return _vendor_spend(_prepare(matched, "vendor_spend"))


def _vendor_spend(frame: pd.DataFrame) -> pd.DataFrame:
    columns = ["vendor_name", "organisations", "systems", "products", "annual_cost", "share", "cumulative_share"]
    rows = frame.loc[frame["vendor_name"].notna()]
    if not len(rows):
        return _empty(columns, {"organisations": "int64", "systems": "int64", "products": "int64",
                                "annual_cost": "float64", "share": "float64", "cumulative_share": "float64"})
    grouped = rows.groupby("vendor_name", observed=True, sort=True)
    out = pd.DataFrame({
        "organisations": grouped["organisation"].nunique(),
        "systems": grouped.size(),
        "products": _distinct_products(rows, ["vendor_name"]),
        "cost_p": grouped["cost_p"].sum(),
    })
    out.index = out.index.astype(object)
    out = out.rename_axis("vendor_name").reset_index()
    out = out.sort_values(["cost_p", "vendor_name"], ascending=[False, True], kind="stable")
    total = int(out["cost_p"].sum())
    out["annual_cost"] = _money(out["cost_p"])
    out["share"] = out["cost_p"] / total if total > 0 else 0.0
    out["cumulative_share"] = out["cost_p"].cumsum() / total if total > 0 else 0.0
    return _plain(out[columns].astype({"organisations": "int64", "systems": "int64", "products": "int64"}))


def vendor_concentration(matched: pd.DataFrame) -> float:
    """The Herfindahl–Hirschman index (HHI) of run cost across vendors, as a fraction.

    Parameters
    ----------
    matched : DataFrame
        The matched systems, or a :func:`vendor_spend` table (it has a
        ``share`` column).

    Returns
    -------
    float
        :math:`\\sum_v s_v^2` over vendors' shares :math:`s_v` of the run
        cost with a known vendor: 1 when one vendor takes everything,
        :math:`1/k` for :math:`k` equal vendors, 0 when nothing is known.

    Notes
    -----
    Multiply by 10,000 for the scale competition authorities use: the CMA and
    the US merger guidelines treat an HHI over 1,000–1,500 (0.10–0.15 here) as
    moderately and over 2,000–2,500 (0.20–0.25) as highly concentrated.

    Examples
    --------
    >>> import pandas as pd
    >>> matched = pd.DataFrame({"organisation": ["Eden", "Carlisle"], "system_key": ["Eden/1", "Carlisle/1"],
    ...                         "vendor_name": ["Capita", "Idox"], "annual_cost": [75.0, 25.0]})
    >>> vendor_concentration(matched)
    0.625
    """
    if isinstance(matched, pd.DataFrame) and "share" in matched and "system_key" not in matched:
        shares = matched["share"].to_numpy(dtype="float64")
    else:
        shares = _vendor_spend(_prepare(matched, "vendor_concentration"))["share"].to_numpy(dtype="float64")
    return float(np.sum(shares ** 2)) if len(shares) else 0.0


# --------------------------------------------------------------------------- sites and duplicates


def site_overlaps(matched: pd.DataFrame, inventory: Inventory | None = None, *,
                  under_used_below: float = 0.5) -> pd.DataFrame:
    """Sites with the systems and organisations they host, and whether they are shared or under-used.

    Parameters
    ----------
    matched : DataFrame
        The matched systems; ``site_key`` (or, for a site no Sites sheet
        lists, ``site``) says where each runs.
    inventory : Inventory, optional
        Its ``sites`` give every listed site (hosting systems or not) with its
        type, cost, racks, utilisation and contract end.
    under_used_below : float, default=0.5
        A site whose utilisation is below this fraction is under-used.

    Returns
    -------
    DataFrame
        One row a site: ``site_key`` (``<organisation>/<site>`` for an
        unlisted one), ``site``, ``organisation`` (that runs the site; for an
        unlisted site, the organisation whose systems name it, the first in
        alphabetical order if several do),
        ``site_type``, ``is_listed``, ``systems``, ``hosting_organisations``
        (count), ``hosting_organisation_names``, ``hosted_annual_cost`` (the
        systems' run cost), ``annual_cost`` (the site's own), ``racks``,
        ``utilisation``, ``contract_end``, ``exit_cost``, ``is_shared``
        (it hosts systems of two or more organisations), ``is_under_used``
        (utilisation known and below the threshold); sorted by site key.

    Examples
    --------
    >>> import pandas as pd
    >>> matched = pd.DataFrame({"organisation": ["Eden", "Carlisle"], "system_key": ["Eden/1", "Carlisle/1"],
    ...                         "site_key": ["Carlisle/Civic Centre", "Carlisle/Civic Centre"]})
    >>> site_overlaps(matched)[["site_key", "systems", "hosting_organisations", "is_shared"]]
                    site_key  systems  hosting_organisations  is_shared
    0  Carlisle/Civic Centre        2                      2       True
    """
    func = "site_overlaps"
    return _site_overlaps(_prepare(matched, func), _check_inventory(inventory, func),
                          _check_fraction(under_used_below, "under_used_below", func))


def _site_overlaps(frame: pd.DataFrame, inventory: Inventory | None, under_used_below: float) -> pd.DataFrame:
    columns = ["site_key", "site", "organisation", "site_type", "is_listed", "systems", "hosting_organisations",
               "hosting_organisation_names", "hosted_annual_cost", "annual_cost", "racks", "utilisation",
               "contract_end", "exit_cost", "is_shared", "is_under_used"]
    named = frame["site_key"].notna() | frame["site"].notna()
    used = frame.loc[named, ["organisation", "site_key", "site", "cost_p"]]
    used = used.assign(site_node=site_keys(used.assign(organisation=used["organisation"].astype(object))))
    used = used.assign(site_node=pd.Categorical(used["site_node"]))  # sorted categories: grouping gives key order
    grouped = used.groupby("site_node", observed=True, sort=True)
    hosted = pd.DataFrame({"systems": grouped.size(), "hosted_cost_p": grouped["cost_p"].sum(),
                           "hosting_organisations": grouped["organisation"].nunique()})
    hosted["hosting_organisation_names"] = _joined(used, "site_node", "organisation")
    hosted.index = hosted.index.astype(object)
    # For a site no Sites sheet lists: its organisation and name (the first in alphabetical order).
    first = pd.DataFrame({"site": _first_names(used["site_node"], used["site"]),
                          "organisation": _first_names(used["site_node"], used["organisation"].astype(object))})
    first.index = first.index.astype(object)

    listed_columns = ["site_key", "site", "organisation", "site_type", "annual_cost", "racks", "utilisation",
                      "contract_end", "exit_cost"]
    if inventory is not None and len(inventory.sites):
        sites = inventory.sites.reindex(columns=listed_columns)
        sites = sites.loc[sites["site_key"].notna()].drop_duplicates("site_key").assign(is_listed=True)
    else:
        sites = _empty([*listed_columns, "is_listed"])
    extra_keys = hosted.index.difference(pd.Index(sites["site_key"].astype(object)))
    extra = pd.DataFrame({"site_key": extra_keys.to_numpy(dtype=object),
                          "site": first["site"].reindex(extra_keys).to_numpy(dtype=object),
                          "organisation": first["organisation"].reindex(extra_keys).to_numpy(dtype=object),
                          "is_listed": False})
    parts = [part for part in (sites, extra) if len(part)]
    if not parts:
        return _empty(columns, {"systems": "int64", "hosting_organisations": "int64", "is_listed": "bool",
                                "is_shared": "bool", "is_under_used": "bool"})
    out = pd.concat(parts, ignore_index=True, sort=False) if len(parts) > 1 else parts[0].copy()
    out = out.reindex(columns=[*listed_columns, "is_listed"])
    out = out.sort_values("site_key", kind="stable").reset_index(drop=True)
    keys = out["site_key"].astype(object)
    out["systems"] = hosted["systems"].reindex(keys).fillna(0).astype("int64").to_numpy()
    out["hosting_organisations"] = hosted["hosting_organisations"].reindex(keys).fillna(0).astype("int64").to_numpy()
    out["hosting_organisation_names"] = hosted["hosting_organisation_names"].reindex(keys).fillna("").to_numpy()
    out["hosted_annual_cost"] = _money(hosted["hosted_cost_p"].reindex(keys).fillna(0).astype("int64"))
    utilisation = pd.to_numeric(out["utilisation"], errors="coerce").astype("float64")
    out["utilisation"] = utilisation
    for name in ("annual_cost", "racks", "exit_cost"):
        out[name] = pd.to_numeric(out[name], errors="coerce").astype("float64")
    out["contract_end"] = pd.to_datetime(out["contract_end"], errors="coerce")
    out["is_listed"] = out["is_listed"].astype(bool)
    out["is_shared"] = out["hosting_organisations"] >= 2
    out["is_under_used"] = (utilisation < under_used_below).fillna(False).astype(bool)
    return _plain(out[columns])


def internal_duplicates(matched: pd.DataFrame) -> pd.DataFrame:
    """Capabilities one organisation serves with two or more systems on different products.

    Parameters
    ----------
    matched : DataFrame
        The matched systems.

    Returns
    -------
    DataFrame
        One row an (organisation, capability) with at least two systems and
        two distinct products (an unknown product counts as its own):
        ``organisation``, ``capability_code``, ``capability_name``,
        ``systems``, ``products``, ``system_names``, ``product_names``
        (``(unknown)`` for a system with no product), ``annual_cost``,
        ``users``; sorted by organisation and code. These are the candidates
        for rationalising within one organisation.

    Examples
    --------
    >>> import pandas as pd
    >>> matched = pd.DataFrame({"organisation": ["Eden", "Eden", "Eden"],
    ...                         "system_key": ["Eden/1", "Eden/2", "Eden/3"],
    ...                         "system": ["Sage", "Unit4", "Payroll"],
    ...                         "product_id": ["sage-200", "unit4-erp", "unit4-erp"],
    ...                         "capability_code": ["CORP-FIN", "CORP-FIN", "CORP-HR"]})
    >>> internal_duplicates(matched)[["organisation", "capability_code", "systems", "system_names"]]
      organisation capability_code  systems system_names
    0         Eden        CORP-FIN        2  Sage; Unit4
    """
    return _internal_duplicates(_prepare(matched, "internal_duplicates"))


def _internal_duplicates(frame: pd.DataFrame, served: pd.DataFrame | None = None) -> pd.DataFrame:
    columns = ["organisation", "capability_code", "capability_name", "systems", "products", "system_names",
               "product_names", "annual_cost", "users"]
    by = ["organisation", "capability_code"]
    frame = _served_frame(frame) if served is None else served
    capable = frame.loc[frame["capability_code"].notna()]
    grouped = capable.groupby(by, observed=True, sort=True)
    sizes, distinct = grouped.size(), _distinct_products(capable, by)
    counts = pd.DataFrame({"systems": sizes, "products": distinct})
    counts = counts.loc[(counts["systems"] >= 2) & (counts["products"] >= 2)]
    if not len(counts):
        return _empty(columns, {"systems": "int64", "products": "int64", "annual_cost": "float64",
                                "users": "float64"})
    group = grouped.ngroup().to_numpy()
    wanted = np.zeros(grouped.ngroups, dtype=bool)
    products = distinct.reindex(sizes.index)
    wanted[np.flatnonzero(((sizes >= 2) & (products >= 2)).to_numpy())] = True
    rows = capable.loc[wanted[group]]
    grouped = rows.groupby(by, observed=True, sort=True)
    out = counts.astype("int64")
    out["annual_cost"] = _money(grouped["cost_p"].sum())
    out["users"] = _money(grouped["users_h"].sum())
    out["system_names"] = _joined(rows, by, "system")
    # As object before filling: with no product known at all, map gives float NaNs, which pandas refuses to fill
    # with text.
    names = rows["product_id"].astype(object).map(_product_names(frame)).astype(object).fillna(_UNKNOWN)
    out["product_names"] = _joined(rows.assign(product_label=names), by, "product_label")
    out = out.reset_index()
    out["capability_name"] = out["capability_code"].astype(object).map(_capability_names(frame))
    return _plain(out[columns])


# --------------------------------------------------------------------------- partners


def partner_affinity(matched: pd.DataFrame) -> pd.DataFrame:
    """How much capability spend each pair of organisations shares.

    Parameters
    ----------
    matched : DataFrame
        The matched systems.

    Returns
    -------
    DataFrame
        One row a pair of organisations that serve at least one capability in
        common (``organisation_a`` < ``organisation_b``):
        ``shared_capabilities`` (count), ``shared_spend``, ``combined_spend``
        and ``affinity``; sorted by the pair.

    Notes
    -----
    With :math:`a_c` and :math:`b_c` the two organisations' run costs on
    capability :math:`c` (0 when one has none):

    * ``shared_spend`` :math:`= \\sum_c \\min(a_c, b_c)`: the spend both
      could pool, bounded by the smaller of the two on each capability;
    * ``combined_spend`` :math:`= \\sum_{c: a_c, b_c \\text{ served}} (a_c +
      b_c)`: what both spend on the capabilities they share;
    * ``affinity`` :math:`= \\sum_c \\min(a_c, b_c) / \\sum_c \\max(a_c,
      b_c)`: the weighted Jaccard similarity of their spend profiles, in
      [0, 1] (1 when they spend the same on the same capabilities).

    Examples
    --------
    >>> import pandas as pd
    >>> matched = pd.DataFrame({
    ...     "organisation": ["Eden", "Eden", "Carlisle", "Carlisle"],
    ...     "system_key": ["Eden/1", "Eden/2", "Carlisle/1", "Carlisle/2"],
    ...     "capability_code": ["CORP-FIN", "CORP-HR", "CORP-FIN", "CORP-HR"],
    ...     "annual_cost": [100.0, 50.0, 60.0, 90.0]})
    >>> print(partner_affinity(matched).round(3).to_string())
      organisation_a organisation_b  shared_capabilities  shared_spend  combined_spend  affinity
    0       Carlisle           Eden                    2         110.0           300.0     0.579
    """
    return _partner_affinity(_prepare(matched, "partner_affinity"))


def _partner_affinity(frame: pd.DataFrame, served: pd.DataFrame | None = None) -> pd.DataFrame:
    columns = ["organisation_a", "organisation_b", "shared_capabilities", "shared_spend", "combined_spend",
               "affinity"]
    long = _by_capability_organisation(frame, served)
    organisations = frame["organisation"].cat.categories
    n = len(organisations)
    if n < 2 or not len(long):
        return _empty(columns, {"shared_capabilities": "int64", "shared_spend": "float64",
                                "combined_spend": "float64", "affinity": "float64"})
    org = long["organisation"].cat.codes.to_numpy().astype("int64")
    cost = long["cost_p"].to_numpy(dtype="int64")
    # Only the pairs that share a capability are built (no n x n arrays: 10,000 organisations would need
    # 2.4 GB): one step a capability (a few hundred), each over the pairs of organisations serving it.
    keys, lows, sums = [], [], []
    for positions in long.groupby("capability_code", observed=True).indices.values():
        if len(positions) < 2:
            continue
        o, v = org[positions], cost[positions]
        i, j = np.triu_indices(len(positions), k=1)
        first, second = np.minimum(o[i], o[j]), np.maximum(o[i], o[j])
        keys.append(first * n + second)
        lows.append(np.minimum(v[i], v[j]))
        sums.append(v[i] + v[j])
    totals = np.bincount(org, weights=cost, minlength=n).astype("int64")
    if not keys:
        return _empty(columns, {"shared_capabilities": "int64", "shared_spend": "float64",
                                "combined_spend": "float64", "affinity": "float64"})
    pair, where = np.unique(np.concatenate(keys), return_inverse=True)  # sorted: by a, then b
    count = np.bincount(where, minlength=len(pair)).astype("int64")
    pooled = np.bincount(where, weights=np.concatenate(lows), minlength=len(pair)).round().astype("int64")
    combined = np.bincount(where, weights=np.concatenate(sums), minlength=len(pair)).round().astype("int64")
    a, b = pair // n, pair % n
    union = totals[a] + totals[b] - pooled
    names = np.asarray(organisations, dtype=object)
    out = pd.DataFrame({
        "organisation_a": names[a],
        "organisation_b": names[b],
        "shared_capabilities": count,
        "shared_spend": _money(pooled),
        "combined_spend": _money(combined),
        "affinity": np.divide(pooled, union, out=np.zeros(len(a)), where=union > 0),
    })
    return out[columns]


def partner_groups(matched: pd.DataFrame, *, weight: AffinityWeight = "shared_spend", resolution: float = 1.0,
                   seed: int = 0) -> pd.DataFrame:
    """Natural groupings of partners: communities of the partner affinity network.

    Parameters
    ----------
    matched : DataFrame
        The matched systems, or a :func:`partner_affinity` table.
    weight : {"shared_spend", "shared_capabilities"}, default="shared_spend"
        The affinity column that weighs each pair's link.
    resolution : float, default=1.0
        Louvain's resolution: below 1 favours larger groups, above 1 smaller.
    seed : int, default=0
        The random seed of the Louvain method, so groups are reproducible.

    Returns
    -------
    DataFrame
        ``organisation``, ``group`` (1 for the largest group, then by size and
        first member's name), ``group_size``; sorted by group and
        organisation. An organisation that shares nothing is a group of one.

    Notes
    -----
    The groups are :func:`networkx.community.louvain_communities` of the
    undirected graph whose nodes are the organisations and whose edges carry
    ``weight`` (pairs with weight 0 have no edge). Nodes and edges are added
    in sorted order and the seed is fixed, so the same inputs give the same
    groups.

    Examples
    --------
    >>> import pandas as pd
    >>> matched = pd.DataFrame({
    ...     "organisation": ["A", "B", "C", "D"], "system_key": ["A/1", "B/1", "C/1", "D/1"],
    ...     "capability_code": ["NHS-EPR", "NHS-EPR", "POL-RMS", "POL-RMS"],
    ...     "annual_cost": [900.0, 800.0, 300.0, 200.0]})
    >>> partner_groups(matched)
      organisation  group  group_size
    0            A      1           2
    1            B      1           2
    2            C      2           2
    3            D      2           2
    """
    func = "partner_groups"
    if weight not in ("shared_spend", "shared_capabilities"):
        raise _bad("weight", func, "one of 'shared_spend', 'shared_capabilities'", weight)
    resolution, seed = _check_louvain(resolution, seed, func)
    if isinstance(matched, pd.DataFrame) and "organisation_a" in matched:
        affinity = matched
        organisations = sorted(set(affinity["organisation_a"]) | set(affinity["organisation_b"]))
    else:
        frame = _prepare(matched, func)
        affinity = _partner_affinity(frame)
        organisations = list(frame["organisation"].cat.categories)
    return _groups(affinity, organisations, weight=weight, resolution=resolution, seed=seed)


def _check_louvain(resolution: object, seed: object, func: str) -> tuple[float, int]:
    if not _is_real(resolution) or not float(resolution) > 0:  # type: ignore[arg-type]
        raise _bad("resolution", func, "a number > 0", resolution)
    if not isinstance(seed, numbers.Integral) or isinstance(seed, (bool, np.bool_)):
        raise _bad("seed", func, "an int", seed)
    return float(resolution), int(seed)  # type: ignore[arg-type]


def _groups(affinity: pd.DataFrame, organisations: list[str], *, weight: str, resolution: float,
            seed: int) -> pd.DataFrame:
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(sorted(organisations))
    links = affinity.loc[affinity[weight] > 0].sort_values(["organisation_a", "organisation_b"])
    graph.add_weighted_edges_from(zip(links["organisation_a"].tolist(), links["organisation_b"].tolist(),
                                      links[weight].astype("float64").tolist()), weight="weight")
    if graph.number_of_edges():
        communities = nx.community.louvain_communities(graph, weight="weight", resolution=resolution, seed=seed)
    else:
        communities = [{node} for node in graph]
    ordered = sorted((sorted(map(str, group)) for group in communities), key=lambda g: (-len(g), g[0]))
    rows = [(member, number, len(group)) for number, group in enumerate(ordered, start=1) for member in group]
    out = pd.DataFrame(rows, columns=["organisation", "group", "group_size"])
    return out.astype({"organisation": object, "group": "int64", "group_size": "int64"})


# --------------------------------------------------------------------------- integrations


def integration_blast_radius(matched: pd.DataFrame, inventory: Inventory | None = None) -> pd.DataFrame:
    """How many other systems each system exchanges data with: the rework if it moves.

    Parameters
    ----------
    matched : DataFrame
        The matched systems.
    inventory : Inventory, optional
        Its ``integrations`` (``source_key`` → ``target_key``); without it
        every count is 0. Integrations with an end outside ``matched``, and
        a system's integrations with itself, are left out.

    Returns
    -------
    DataFrame
        One row a system: ``system_key``, ``organisation``, ``system``,
        ``fan_in`` (distinct systems sending it data), ``fan_out`` (distinct
        systems it sends data to), ``total`` (distinct systems either way),
        ``cross_organisation`` (of those, how many belong to another
        organisation); sorted by ``total`` (highest first), then key.

    Examples
    --------
    >>> import pandas as pd
    >>> from estate import Inventory
    >>> matched = pd.DataFrame({"organisation": ["Eden"] * 3, "system_key": ["E/1", "E/2", "E/3"]})
    >>> flows = pd.DataFrame({"source_key": ["E/1", "E/1", "E/2", "E/2"],
    ...                       "target_key": ["E/2", "E/3", "E/1", "E/1"]})
    >>> integration_blast_radius(matched, Inventory(integrations=flows))[["system_key", "fan_in", "fan_out", "total"]]
      system_key  fan_in  fan_out  total
    0        E/1       1        2      2
    1        E/2       1        1      1
    2        E/3       1        0      1
    """
    func = "integration_blast_radius"
    return _blast_radius(_prepare(matched, func), _check_inventory(inventory, func))


def _blast_radius(frame: pd.DataFrame, inventory: Inventory | None) -> pd.DataFrame:
    systems = frame[["system_key", "organisation", "system"]].drop_duplicates("system_key")
    keys = pd.Index(systems["system_key"].to_numpy(dtype=object))
    n = len(keys)
    fan_in = np.zeros(n, dtype="int64")
    fan_out = np.zeros(n, dtype="int64")
    total = np.zeros(n, dtype="int64")
    cross = np.zeros(n, dtype="int64")
    flows = inventory.integrations if inventory is not None else pd.DataFrame()
    if n and len(flows) and {"source_key", "target_key"} <= set(flows.columns):
        # Integer positions of both ends; pairs are then distinct integers, counted with bincount.
        source = keys.get_indexer(flows["source_key"].astype(object).to_numpy())
        target = keys.get_indexer(flows["target_key"].astype(object).to_numpy())
        keep = (source >= 0) & (target >= 0) & (source != target)
        pairs = distinct_counts(source[keep].astype("int64") * n + target[keep])[0]
        source, target = pairs // n, pairs % n
        fan_out = np.bincount(source, minlength=n)
        fan_in = np.bincount(target, minlength=n)
        either = distinct_counts(np.concatenate([source * n + target, target * n + source]))[0]
        one, other = either // n, either % n
        total = np.bincount(one, minlength=n)
        owner = systems["organisation"].cat.codes.to_numpy()
        cross = np.bincount(one[owner[one] != owner[other]], minlength=n)
    out = pd.DataFrame({"system_key": keys.to_numpy(), "organisation": systems["organisation"].astype(object).to_numpy(),
                        "system": systems["system"].to_numpy(dtype=object), "fan_in": fan_in, "fan_out": fan_out,
                        "total": total, "cross_organisation": cross})
    out = out.astype({"fan_in": "int64", "fan_out": "int64", "total": "int64", "cross_organisation": "int64"})
    by_key = out.iloc[text_order(keys.to_numpy())]  # a numpy array: iterating the str column costs 1 µs a row
    out = by_key.iloc[np.argsort(-by_key["total"].to_numpy(), kind="stable")]
    return _plain(out)


# --------------------------------------------------------------------------- everything at once


@dataclass(frozen=True, eq=False)
class Overlaps:
    """Every overlap table of one estate, from :func:`find_overlaps`.

    Attributes
    ----------
    organisations : DataFrame
        :func:`organisation_summary`.
    capability_by_organisation : DataFrame
        :func:`capability_by_organisation`.
    capability_matrix : DataFrame
        :func:`capability_matrix` of run cost.
    capability_overlaps : DataFrame
        :func:`capability_overlaps`.
    shared_products : DataFrame
        :func:`shared_products`.
    vendor_spend : DataFrame
        :func:`vendor_spend`.
    site_overlaps : DataFrame
        :func:`site_overlaps`.
    internal_duplicates : DataFrame
        :func:`internal_duplicates`.
    partner_affinity : DataFrame
        :func:`partner_affinity`.
    partner_groups : DataFrame
        :func:`partner_groups`.
    integration_blast_radius : DataFrame
        :func:`integration_blast_radius`.
    vendor_concentration : float
        :func:`vendor_concentration`, the HHI of vendor spend.
    as_of : Timestamp
        The date contract ends were counted from.
    horizon_years : float
        The horizon of ``contracts_ending``.
    """

    organisations: pd.DataFrame
    capability_by_organisation: pd.DataFrame
    capability_matrix: pd.DataFrame
    capability_overlaps: pd.DataFrame
    shared_products: pd.DataFrame
    vendor_spend: pd.DataFrame
    site_overlaps: pd.DataFrame
    internal_duplicates: pd.DataFrame
    partner_affinity: pd.DataFrame
    partner_groups: pd.DataFrame
    integration_blast_radius: pd.DataFrame
    vendor_concentration: float
    as_of: pd.Timestamp
    horizon_years: float

    def to_dict(self) -> dict[str, pd.DataFrame]:
        """The tables by name, in the order of :data:`OVERLAP_TABLES`."""
        return {name: getattr(self, name) for name in OVERLAP_TABLES}

    def to_frame(self, name: str = "capability_overlaps") -> pd.DataFrame:
        """One table by name (one of :data:`OVERLAP_TABLES`); by default the capability overlaps."""
        if name not in OVERLAP_TABLES:
            raise _bad("name", "Overlaps.to_frame", f"one of {', '.join(OVERLAP_TABLES)}", name)
        return getattr(self, name)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{name}={len(getattr(self, name))}" for name in OVERLAP_TABLES)
        return f"Overlaps({sizes}, vendor_concentration={self.vendor_concentration:.3f})"


def find_overlaps(matched: pd.DataFrame, inventory: Inventory | None = None, *, as_of: DateLike = None,
                  horizon_years: float = 3, weights: Mapping[str, float] | None = None,
                  under_used_below: float = 0.5, seed: int = 0, resolution: float = 1.0) -> Overlaps:
    """Find every overlap in the estate: capabilities, products, vendors, sites, partners and integrations.

    Parameters
    ----------
    matched : DataFrame
        The matched systems.
    inventory : Inventory, optional
        The inventory, for organisations' short names, sites and integrations.
    as_of, horizon_years, weights
        As for :func:`capability_overlaps`.
    under_used_below : float, default=0.5
        As for :func:`site_overlaps`.
    seed, resolution
        As for :func:`partner_groups` (weighted by shared spend).

    Returns
    -------
    Overlaps

    Notes
    -----
    Python's cyclic garbage collector is paused while the tables are made:
    they make many small objects (the Louvain method most of all), none of
    them cyclic garbage, and each collection would walk every live object,
    an estate graph built just before included.

    Examples
    --------
    >>> import pandas as pd
    >>> matched = pd.DataFrame({"organisation": ["Eden", "Carlisle"], "system_key": ["Eden/1", "Carlisle/1"],
    ...                         "product_id": ["idox-uniform"] * 2, "capability_code": ["LG-PLAN"] * 2})
    >>> overlaps = find_overlaps(matched, as_of="2026-04-01")
    >>> overlaps.to_frame()[["capability_code", "organisations"]].values.tolist()
    [['LG-PLAN', 2]]
    >>> sorted(overlaps.to_dict())[:3]
    ['capability_by_organisation', 'capability_matrix', 'capability_overlaps']
    """
    func = "find_overlaps"
    frame = _prepare(matched, func)
    inventory = _check_inventory(inventory, func)
    stamp = _check_as_of(as_of, func)
    horizon = _check_horizon(horizon_years, func)
    score_weights = _check_weights(weights, func)
    threshold = _check_fraction(under_used_below, "under_used_below", func)
    resolution, seed = _check_louvain(resolution, seed, func)
    with collector_paused():
        served = _served_frame(frame)  # once, for every capability table (none of them changes it)
        long = _capability_long(frame, served)
        affinity = _partner_affinity(frame, served)
        spend = _vendor_spend(frame)
        groups = _groups(affinity, list(frame["organisation"].cat.categories), weight="shared_spend",
                         resolution=resolution, seed=seed)
        return Overlaps(
            organisations=_organisation_summary(frame, inventory, served),
            capability_by_organisation=long,
            capability_matrix=_matrix(long, "annual_cost"),
            capability_overlaps=_capability_overlaps(frame, as_of=stamp, horizon_years=horizon,
                                                     weights=score_weights, served=served),
            shared_products=_shared_products(frame),
            vendor_spend=spend,
            site_overlaps=_site_overlaps(frame, inventory, threshold),
            internal_duplicates=_internal_duplicates(frame, served),
            partner_affinity=affinity,
            partner_groups=groups,
            integration_blast_radius=_blast_radius(frame, inventory),
            vendor_concentration=vendor_concentration(spend),
            as_of=stamp,
            horizon_years=horizon,
        )
