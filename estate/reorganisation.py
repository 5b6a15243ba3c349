"""Reorganisation: successor authorities, vesting day, divided and shared systems.

Local government reorganisation abolishes councils and hands their services
to new *successor* authorities on a *vesting date*. The inventory says so in
optional columns (CONTRACT §2): an organisation's ``successor`` (several,
``;``-separated, when it is divided between successors) and ``vesting_date``;
a system's own ``successor`` (overriding its organisation's), the
organisations it is ``shared_with`` and its ``data_partitioning``
(``segmented`` or ``monolithic``).

This module is the one home of what follows from them:

* :func:`check_reorganisation` — the data issues of those columns (a system
  successor that is not one of its organisation's, two vesting dates for one
  successor, a sharer that is not an organisation);
* :func:`system_successors` — each system's successor authorities, and
  whether it is *divided* between several (a divided predecessor's system
  with no successor of its own, or an instance shared by organisations going
  to different successors);
* :func:`cross_successor_options` — the options that would span two
  successor authorities, which a plan does not recommend unless the
  assumption ``shared_service_across_successors`` is ``"yes"``;
* :func:`vesting_decisions` — the contract decisions the outgoing councils
  must take before a vesting date still ahead (the plan's ``Vesting`` sheet);
* :func:`divisions` — the ways to divide each divided system (partition,
  host for the other successors then migrate, move each part onto each
  successor's platform), each costed, the cheapest chosen;
* :func:`successor_view` — what each successor inherits and gets from the
  plan, with the same sums as the predecessors' view.

Every figure comes from the inventory and the
:class:`~estate.assumptions.Assumptions`; ``docs/reorganisation.md`` states
each formula with a worked example that the tests check.

Examples
--------
>>> import pandas as pd
>>> organisations = pd.DataFrame({
...     "organisation": ["County", "Eden", "Carlisle"],
...     "successor": ["West; East", "East", "West"],
...     "vesting_date": pd.to_datetime(["2028-04-01"] * 3)})
>>> systems = pd.DataFrame({
...     "system_key": ["County/ASC", "County/HWY", "Eden/REV"],
...     "organisation": ["County", "County", "Eden"],
...     "successor": [None, "West", None], "shared_with": [None, None, "Carlisle"]})
>>> system_successors(systems, organisations)[["system_key", "successors", "divided"]]
   system_key  successors  divided
0  County/ASC  East; West     True
1  County/HWY        West    False
2    Eden/REV  East; West     True
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from estate.inventory import ISSUE_COLUMNS, empty_issues
from estate.schema import normalise_header

__all__ = [
    "DIVISION_COLUMNS",
    "DIVISION_METHODS",
    "SUCCESSOR_COLUMNS",
    "VESTING_COLUMNS",
    "check_reorganisation",
    "cross_successor_options",
    "divisions",
    "organisation_successors",
    "split_names",
    "successor_view",
    "system_successors",
    "vesting_decisions",
]

_LIST = re.compile(r"\s*(?:;|\n|\|)\s*")

VESTING_COLUMNS = ("organisation", "system", "system_key", "successors", "vesting_date", "contract_end",
                   "notice_by", "status", "decision")
"""Columns of :func:`vesting_decisions`."""

DIVISION_METHODS = ("partition", "host then migrate", "move each part")
"""The ways to divide a system between successors."""

DIVISION_COLUMNS = ("system_key", "organisation", "system", "capability_code", "successors", "host", "parts",
                    "data_partitioning", "annual_cost", "exit_cost", "method", "available", "one_off_cost",
                    "annual_change", "years_charged", "present_cost", "chosen", "fate")
"""Columns of :func:`divisions`: one row a divided system and method."""

SUCCESSOR_COLUMNS = ("successor", "predecessors", "vesting_date", "systems", "divided_systems", "contracts",
                     "run_cost_today", "annual_saving", "one_off_cost", "npv", "division_one_off",
                     "division_annual_change", "run_cost_after")
"""Columns of :func:`successor_view`."""


def split_names(value: object) -> list[str]:
    """The names in a ``;``-separated cell, trimmed, blanks dropped.

    Examples
    --------
    >>> split_names(" Cumberland Council ;Westmorland and Furness Council; ")
    ['Cumberland Council', 'Westmorland and Furness Council']
    >>> split_names(None)
    []
    """
    if not isinstance(value, str):
        return []
    return [part for part in (p.strip() for p in _LIST.split(value)) if part]


def _column(frame: pd.DataFrame | None, name: str) -> pd.Series:
    if frame is None or name not in frame:
        return pd.Series([None] * (0 if frame is None else len(frame)), index=None if frame is None else frame.index,
                         dtype=object)
    return frame[name]


def _canonical_successors(organisations: pd.DataFrame | None) -> dict[str, str]:
    """Normalised successor name to one spelling (the first in sorted order)."""
    names = sorted({n for cell in _column(organisations, "successor") for n in split_names(cell)})
    out: dict[str, str] = {}
    for name in names:
        out.setdefault(normalise_header(name), name)
    return out


def organisation_successors(organisations: pd.DataFrame | None) -> pd.DataFrame:
    """One row an organisation and successor: ``organisation``, ``successor``, ``vesting_date``, ``order``.

    ``order`` is the successor's place in its organisation's list (0 first).
    Organisations without a successor have no row.

    Examples
    --------
    >>> orgs = pd.DataFrame({"organisation": ["County", "Eden"], "successor": ["West; East", "East"]})
    >>> organisation_successors(orgs)[["organisation", "successor", "order"]].values.tolist()
    [['County', 'West', 0], ['County', 'East', 1], ['Eden', 'East', 0]]
    """
    columns = ["organisation", "successor", "vesting_date", "order"]
    if organisations is None or not len(organisations) or "successor" not in organisations:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    canonical = _canonical_successors(organisations)
    rows = []
    vesting = _column(organisations, "vesting_date")
    for org, cell, day in zip(organisations["organisation"], organisations["successor"], vesting, strict=True):
        if not isinstance(org, str):
            continue
        for order, name in enumerate(dict.fromkeys(canonical[normalise_header(n)] for n in split_names(cell))):
            rows.append((org, name, day, order))
    out = pd.DataFrame(rows, columns=columns)
    out["vesting_date"] = pd.to_datetime(out["vesting_date"])
    return out.drop_duplicates(["organisation", "successor"]).reset_index(drop=True)


def _issues(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    if not rows:
        return empty_issues()
    out = pd.DataFrame(rows, columns=list(ISSUE_COLUMNS))
    out["source_row"] = pd.array(out["source_row"], dtype="Int64")
    return out


def _org_names(organisations: pd.DataFrame | None, systems: pd.DataFrame | None) -> dict[str, str]:
    """Normalised organisation name or short name to the organisation."""
    names: dict[str, str] = {}
    for frame in (systems, organisations):
        for org in _column(frame, "organisation"):
            if isinstance(org, str):
                names.setdefault(normalise_header(org), org)
    for org, short in zip(_column(organisations, "organisation"), _column(organisations, "short_name"), strict=True):
        if isinstance(org, str) and isinstance(short, str):
            names.setdefault(normalise_header(short), org)
    return names


def check_reorganisation(organisations: pd.DataFrame | None, systems: pd.DataFrame | None) -> pd.DataFrame:
    """The data issues of the reorganisation columns, as rows of :data:`~estate.inventory.ISSUE_COLUMNS`.

    * a system ``successor`` that is not one of its organisation's successors
      (``warning``: the system's own successor is still used);
    * one successor given two or more vesting dates (``warning`` on each
      organisation row naming it);
    * a ``shared_with`` name that is no organisation of the inventory
      (``warning``: that name is ignored).

    A vesting date in the past is valid and is not reported.

    Examples
    --------
    >>> orgs = pd.DataFrame({"source_file": "o.csv", "source_sheet": "", "source_row": [2, 3],
    ...                      "organisation": ["County", "Eden"], "successor": ["West; East", "East"],
    ...                      "vesting_date": pd.to_datetime(["2028-04-01", "2027-04-01"])})
    >>> systems = pd.DataFrame({"source_file": "s.csv", "source_sheet": "", "source_row": [2],
    ...                         "organisation": ["Eden"], "system": ["Revenues"], "successor": ["West"],
    ...                         "shared_with": ["Nowhere"]})
    >>> for row in check_reorganisation(orgs, systems)[["source_row", "column", "problem"]].values.tolist():
    ...     print(row)
    [2, 'vesting_date', 'successor East is given 2 vesting dates: 01/04/2027, 01/04/2028']
    [3, 'vesting_date', 'successor East is given 2 vesting dates: 01/04/2027, 01/04/2028']
    [2, 'successor', "system successor West is not one of its organisation's successors (East)"]
    [2, 'shared_with', 'shared with an organisation that is not in the inventory: Nowhere']
    """
    rows: list[tuple[Any, ...]] = []
    links = organisation_successors(organisations)
    canonical = _canonical_successors(organisations)
    if organisations is not None and len(links) and "vesting_date" in organisations:
        dated = links.dropna(subset=["vesting_date"])
        dates = dated.groupby("successor")["vesting_date"].agg(lambda s: sorted(set(s)))
        clashing = dates[dates.map(len) > 1]
        for successor, days in clashing.items():
            shown = ", ".join(d.strftime("%d/%m/%Y") for d in days)
            orgs = set(dated.loc[dated["successor"] == successor, "organisation"])
            for r in organisations.loc[organisations["organisation"].isin(orgs)].itertuples():
                rows.append((r.source_file, r.source_sheet, r.source_row, "vesting_date", "warning",
                             f"successor {successor} is given {len(days)} vesting dates: {shown}",
                             r.vesting_date.strftime("%Y-%m-%d") if pd.notna(r.vesting_date) else ""))
    if systems is not None and len(systems):
        by_org = links.groupby("organisation")["successor"].agg(list).to_dict() if len(links) else {}
        known = _org_names(organisations, systems)
        if "successor" in systems:
            given = systems.loc[systems["successor"].map(lambda v: bool(split_names(v)))]
            for r in given.itertuples():
                mine = by_org.get(r.organisation, [])
                for name in split_names(r.successor):
                    name = canonical.get(normalise_header(name), name)
                    if name not in mine:
                        theirs = f" ({'; '.join(mine)})" if mine else " (it has none)"
                        rows.append((r.source_file, r.source_sheet, r.source_row, "successor", "warning",
                                     f"system successor {name} is not one of its organisation's successors{theirs}",
                                     r.successor))
        if "shared_with" in systems:
            sharing = systems.loc[systems["shared_with"].map(lambda v: bool(split_names(v)))]
            for r in sharing.itertuples():
                unknown = [n for n in split_names(r.shared_with) if normalise_header(n) not in known]
                if unknown:
                    rows.append((r.source_file, r.source_sheet, r.source_row, "shared_with", "warning",
                                 "shared with an organisation that is not in the inventory: " + "; ".join(unknown),
                                 r.shared_with))
    return _issues(rows)


def system_successors(systems: pd.DataFrame, organisations: pd.DataFrame | None) -> pd.DataFrame:
    """Each system's successor authorities and whether it is divided between several.

    A system goes to its own ``successor`` when given, else to its
    organisation's successor(s); an instance ``shared_with`` other
    organisations also goes to theirs. It is *divided* when that makes two or
    more successors (a divided predecessor's system with no successor of its
    own; a shared service whose sharers go different ways), and *shared* when
    sharers are named.

    Parameters
    ----------
    systems : DataFrame
        ``system_key``, ``organisation`` and, optionally, ``successor`` and
        ``shared_with``.
    organisations : DataFrame or None
        ``organisation``, ``successor`` and optionally ``short_name``.

    Returns
    -------
    DataFrame
        ``system_key``, ``organisation``, ``successors`` (``; ``-joined,
        sorted; ``""`` for none), ``n_successors``, ``host`` (the successor
        that keeps the instance: the system's own, else the first its
        organisation names), ``divided``, ``shared``, ``sharers``, in the
        systems' order.
    """
    links = organisation_successors(organisations)
    canonical = _canonical_successors(organisations)
    by_org: dict[str, list[str]] = (links.sort_values(["organisation", "order"]).groupby("organisation")["successor"]
                                    .agg(list).to_dict() if len(links) else {})
    known = _org_names(organisations, systems)
    own_cells = _column(systems, "successor").tolist()
    shared_cells = _column(systems, "shared_with").tolist()
    records = []
    for key, org, own_cell, shared_cell in zip(systems["system_key"], systems["organisation"], own_cells,
                                               shared_cells, strict=True):
        own = [canonical.get(normalise_header(n), n) for n in split_names(own_cell)]
        base = own or by_org.get(org, [])
        sharers = [known[normalise_header(n)] for n in split_names(shared_cell) if normalise_header(n) in known]
        sharers = [s for s in dict.fromkeys(sharers) if s != org]
        names = set(base)
        for sharer in sharers:
            names.update(by_org.get(sharer, []))
        records.append((key, org, "; ".join(sorted(names)), len(names), base[0] if base else "",
                        len(names) > 1, bool(sharers), "; ".join(sorted(sharers))))
    return pd.DataFrame.from_records(records, columns=["system_key", "organisation", "successors", "n_successors",
                                                       "host", "divided", "shared", "sharers"])


def cross_successor_options(effects: pd.DataFrame, successors: pd.DataFrame,
                            organisations: pd.DataFrame | None) -> pd.Series:
    """The successor authorities each option spans, for the options that span two or more.

    A system counts with its successors (:func:`system_successors`); a row of
    ``effects`` that is no system (a hosting site) counts with its
    organisation's. Organisations with no successor (a police force, an NHS
    trust) bind no option.

    Returns
    -------
    Series
        Indexed by ``option_id`` (sorted), the successors ``; ``-joined.

    Examples
    --------
    >>> orgs = pd.DataFrame({"organisation": ["A", "B", "C"], "successor": ["North", "North", "South"]})
    >>> systems = pd.DataFrame({"system_key": ["A/x", "B/x", "C/x"], "organisation": ["A", "B", "C"]})
    >>> effects = pd.DataFrame({"option_id": ["SP-1", "SP-1", "SP-2", "SP-2"],
    ...                         "system_key": ["A/x", "B/x", "A/x", "C/x"], "organisation": ["A", "B", "A", "C"]})
    >>> cross_successor_options(effects, system_successors(systems, orgs), orgs).to_dict()
    {'SP-2': 'North; South'}
    """
    if not len(effects):
        return pd.Series(dtype=object, name="successors")
    links = organisation_successors(organisations)
    by_org = links.groupby("organisation")["successor"].agg(lambda s: "; ".join(sorted(s))) if len(links) else {}
    by_system = successors.set_index("system_key")["successors"] if len(successors) else pd.Series(dtype=object)
    names = effects["system_key"].map(by_system)
    names = names.where(names.notna(), effects["organisation"].map(by_org)).fillna("")
    long = pd.DataFrame({"option_id": effects["option_id"].to_numpy(), "successor": names.map(split_names)})
    long = long.explode("successor").dropna().drop_duplicates()
    counts = long.groupby("option_id")["successor"].agg(lambda s: "; ".join(sorted(s)))
    counts = counts[counts.str.contains(";", regex=False)]
    return counts.sort_index().rename("successors")
