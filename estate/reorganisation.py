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
* :func:`earliest_starts` — the first year each option of predecessor
  councils may start in: the new authorities' options start from vesting,
  unless the assumption ``predecessors_act_jointly`` is ``"yes"``;
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
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from estate.inventory import ISSUE_COLUMNS, empty_issues
from estate.schema import normalise_header

__all__ = [
    "DIVISION_COLUMNS",
    "DIVISION_METHODS",
    "NO_SUCCESSOR",
    "Reorganisation",
    "SUCCESSOR_COLUMNS",
    "VESTING_COLUMNS",
    "annuity",
    "apply_boundaries",
    "check_reorganisation",
    "cross_successor_options",
    "divisions",
    "earliest_starts",
    "held_years",
    "expired_contract_issues",
    "first_full_year",
    "organisation_successors",
    "plan_reorganisation",
    "split_names",
    "start_rule",
    "successor_groups",
    "successor_of",
    "successor_shares",
    "successor_view",
    "system_successors",
    "vesting_decisions",
]

_LIST = re.compile(r"\s*(?:;|\n|\|)\s*")

VESTING_COLUMNS = ("organisation", "system", "system_key", "successors", "vesting_date", "contract_end",
                   "notice_by", "status", "decision", "options_start")
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


def _listed(column: pd.Series) -> pd.Series:
    """Whether each cell names anything (text other than separators and spaces); blanks are not looked at."""
    out = pd.Series(False, index=column.index)
    text = column[column.notna()]
    if len(text):
        out.loc[text.index] = text.map(lambda v: bool(split_names(v))).astype(bool)
    return out


def _text_map(keys: pd.Series, mapping: Any) -> pd.Series:
    """Each key's text in ``mapping`` (a dict or Series), ``""`` when it has none."""
    lookup = dict(mapping) if not isinstance(mapping, dict) else mapping
    return pd.Series([lookup.get(k, "") for k in keys], index=keys.index, dtype=object)


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
        for org in pd.unique(_column(frame, "organisation").dropna()):
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
            given = systems.loc[_listed(systems["successor"])]
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
            sharing = systems.loc[_listed(systems["shared_with"])]
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
    own_given = _listed(_column(systems, "successor"))
    if not len(links) and not own_given.any():  # no reorganisation: nothing to look up, row by row
        n = len(systems)
        shared = _column(systems, "shared_with")
        sharers = pd.Series("", index=shared.index, dtype=object)
        listed = _listed(shared)
        sharers.loc[listed] = shared[listed].map(lambda v: "; ".join(sorted(split_names(v))))
        return pd.DataFrame({"system_key": systems["system_key"].to_numpy(),
                             "organisation": systems["organisation"].to_numpy(),
                             "successors": np.full(n, "", dtype=object), "n_successors": np.zeros(n, dtype=int),
                             "host": np.full(n, "", dtype=object), "divided": np.zeros(n, dtype=bool),
                             "shared": sharers.ne("").to_numpy(), "sharers": sharers.to_numpy()})
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


def successor_groups(organisations: pd.DataFrame | None, groups: Any = None) -> list[frozenset[str]] | Any:
    """Natural groupings plus, for each successor, the organisations that go wholly to it.

    Options are generated for each grouping (:func:`estate.options.generate_options`'s
    ``groups``); a divided organisation's systems would take every option
    that includes it across a boundary, so each successor's full
    predecessors are also offered as a grouping of their own.

    Parameters
    ----------
    organisations : DataFrame or None
    groups : DataFrame or iterable of sets, optional
        The natural groupings (:func:`estate.overlaps.partner_groups`:
        ``organisation``, ``group``), kept first.

    Returns
    -------
    list of frozenset, or ``groups`` unchanged when no organisation has a
    successor.

    Examples
    --------
    >>> orgs = pd.DataFrame({"organisation": ["County", "A", "B", "C"],
    ...                      "successor": ["North; South", "North", "North", "South"]})
    >>> [sorted(g) for g in successor_groups(orgs)]
    [['A', 'B']]
    """
    links = organisation_successors(organisations)
    if not len(links):
        return groups
    out: list[frozenset[str]] = []
    if isinstance(groups, pd.DataFrame) and {"organisation", "group"} <= set(groups.columns):
        out += [frozenset(block["organisation"].astype(str)) for _, block in groups.groupby("group", sort=True)]
    elif groups is not None:
        out += [frozenset(str(o) for o in group) for group in groups]
    whole = links.loc[~links["organisation"].duplicated(keep=False)]
    for _, block in whole.groupby("successor", sort=True):
        members = frozenset(block["organisation"].astype(str))
        if len(members) >= 2 and members not in out:
            out.append(members)
    return out


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
    names = names.astype(object).where(names.notna(), _text_map(effects["organisation"], dict(by_org)))
    long = pd.DataFrame({"option_id": effects["option_id"].to_numpy(), "successor": names.map(split_names)})
    long = long.explode("successor").dropna().drop_duplicates()
    counts = long.groupby("option_id")["successor"].agg(lambda s: "; ".join(sorted(s)))
    counts = counts[counts.str.contains(";", regex=False)]
    return counts.sort_index().rename("successors")


# --------------------------------------------------------------------------- #
# Boundaries: options stay inside one successor authority
# --------------------------------------------------------------------------- #


def _vesting_ahead(organisations: pd.DataFrame | None, as_of: pd.Timestamp) -> pd.Series:
    """Each organisation's vesting date when it is still ahead of ``as_of`` (organisation → date)."""
    if organisations is None or not len(organisations) or "vesting_date" not in organisations:
        return pd.Series(dtype="datetime64[ns]")
    dates = organisations.dropna(subset=["organisation"]).drop_duplicates("organisation").set_index(
        "organisation")["vesting_date"]
    dates = pd.to_datetime(dates)
    return dates[dates > as_of]


def apply_boundaries(options: Any, matched: pd.DataFrame, organisations: pd.DataFrame | None,
                     assumptions: Any, *, successors: pd.DataFrame | None = None) -> tuple[Any, pd.DataFrame]:
    """Keep options inside one successor authority; keep day-one critical systems through vesting.

    An option spanning two or more successor authorities
    (:func:`cross_successor_options`) is dropped, unless the assumption
    ``shared_service_across_successors`` is ``"yes"``: it then becomes a
    ``shared service`` (the survivor's successor hosts, the others buy the
    service under an agreement of ``shared_service_years``). An option that
    retires a ``critical`` system (on its date once held to vesting,
    :func:`held_years`) within ``vesting_window_months`` of its
    organisation's vesting date, still ahead of the assumption
    ``decisions_as_of`` (the date the plan is made), is dropped.

    Parameters
    ----------
    options : estate.options.Options
    matched : DataFrame
        The matched systems (``system_key``, ``organisation``, the
        reorganisation columns, ``criticality``).
    organisations : DataFrame or None
    assumptions : estate.assumptions.Assumptions

    Returns
    -------
    (Options, DataFrame)
        The options kept, and ``option_id``, ``reason`` of those dropped.
    """
    from dataclasses import replace

    effects = options.effects
    if successors is None:
        successors = system_successors(matched, organisations)
    if not len(successors) or not successors["successors"].ne("").any():
        return options, pd.DataFrame({"option_id": pd.Series(dtype=object), "reason": pd.Series(dtype=object)})
    crossing = cross_successor_options(effects, successors, organisations)
    dropped: list[tuple[str, str]] = []
    allowed = assumptions.shared_service_across_successors == "yes"
    table = options.options
    if len(crossing) and not allowed:
        dropped += [(o, f"spans successor authorities {s} (shared service across successors not allowed)")
                    for o, s in crossing.items()]
    as_of = pd.Timestamp(year=assumptions.first_year, month=assumptions.first_month, day=1)
    ahead = _vesting_ahead(organisations, pd.Timestamp(assumptions.decisions_date))
    if len(ahead) and len(effects) and "criticality" in matched:
        critical = set(matched.loc[matched["criticality"].eq("critical"), "system_key"])
        retiring = effects.loc[effects["effect"].eq("retire") & effects["system_key"].isin(critical)
                               & effects["organisation"].isin(ahead.index)]
        vesting = retiring["organisation"].map(ahead)
        window = pd.DateOffset(months=int(assumptions.vesting_window_months))
        day = pd.to_datetime(retiring["retire_date"])
        held = held_years(effects, organisations, assumptions)
        for years, block in retiring.groupby(retiring["option_id"].map(held).fillna(0).astype(int)):
            if years:  # an option held to vesting retires its systems that many years later
                day.loc[block.index] = day.loc[block.index] + pd.DateOffset(years=years)
        near = retiring.loc[(day >= vesting - window) & (day <= vesting + window)]
        for option_id, block in near.groupby("option_id", sort=True):
            dropped.append((option_id, "retires day-one critical system(s) within "
                            f"{assumptions.vesting_window_months} months of vesting: "
                            + "; ".join(sorted(block["system_key"]))))
    excluded = pd.DataFrame(dropped, columns=["option_id", "reason"]).drop_duplicates("option_id")
    keep = ~table["option_id"].isin(excluded["option_id"])
    if allowed and len(crossing):
        table = table.copy()
        shared = table["option_id"].isin(crossing.index) & keep
        hosts = successors.set_index("system_key")["host"]
        note = table.loc[shared].apply(lambda r: (
            f" Shared service across successors {crossing[r['option_id']]}: " + (
                "one joint contract across them; each keeps its own system, nobody hosts and no service charge "
                "is due." if r["type"] == "joint procurement" else
                f"{hosts.get(r['target'], '') or r['lead_organisation']} hosts and the others buy the service.")),
            axis=1)
        # A joint procurement stays one (each keeps its own system under one contract: nobody hosts); any
        # other option across successors is a shared service, hosted by the survivor's successor.
        table.loc[shared & table["type"].ne("joint procurement"), "type"] = "shared service"
        if shared.any():
            table.loc[shared, "rationale"] = table.loc[shared, "rationale"] + note
    if not len(excluded):
        return (replace(options, options=table) if table is not options.options else options), excluded
    ids = set(excluded["option_id"])

    def kept(frame: pd.DataFrame) -> pd.DataFrame:
        if "option_id" not in frame or not len(frame):
            return frame
        return frame.loc[~frame["option_id"].isin(ids)].reset_index(drop=True)

    effects = kept(options.effects)
    defaults = options.defaults_used
    if len(defaults) and "system_key" in defaults:  # only the defaults of systems an option still touches
        defaults = defaults.loc[defaults["system_key"].isin(effects["system_key"])].reset_index(drop=True)
    out = replace(options, options=kept(table), effects=effects, cash_flows=kept(options.cash_flows),
                  one_off_by_year=kept(options.one_off_by_year), one_off_breakdown=kept(options.one_off_breakdown),
                  partner_shares=kept(options.partner_shares), defaults_used=defaults)
    return out, excluded.sort_values("option_id").reset_index(drop=True)


def earliest_starts(effects: pd.DataFrame, organisations: pd.DataFrame | None, assumptions: Any) -> pd.DataFrame:
    """The first financial year each option of predecessor councils may start in: the one vesting opens.

    The new authorities' options start from vesting: an option touching an
    organisation whose vesting date falls after the plan's first day starts
    no earlier than the first financial year starting on or after that
    vesting date (the latest, when it touches several): the new authority's
    first full financial year (:func:`first_full_year`). A mid-year vesting
    (1 October 2027) thus opens 2028/29, and its months before that year are
    not counted (:func:`start_rule`). With the assumption
    ``predecessors_act_jointly`` ``"yes"`` the predecessors act jointly
    before vesting and every option may start on the plan's first day.

    Parameters
    ----------
    effects : DataFrame
        ``option_id``, ``organisation`` (:attr:`estate.options.Options.effects`).
    organisations : DataFrame or None
        ``organisation``, ``successor``, ``vesting_date``.
    assumptions : estate.assumptions.Assumptions
        ``first_year``, ``first_month``, ``predecessors_act_jointly``.

    Returns
    -------
    DataFrame
        ``option_id``, ``vesting_date``, ``earliest_start`` (the first day of
        its earliest year), ``earliest_year`` (that financial year),
        ``reason`` (:func:`start_rule`: the rule in words, for the
        ``Options`` and ``Roadmap`` start reason), one row an option held
        back, sorted by option.

    Examples
    --------
    >>> from estate.assumptions import load_assumptions
    >>> orgs = pd.DataFrame({"organisation": ["Eden", "Carlisle", "Police"], "successor": ["East", "West", None],
    ...                      "vesting_date": pd.to_datetime(["2028-04-01", "2027-09-30", None])})
    >>> effects = pd.DataFrame({"option_id": ["SP-1", "SP-2", "SP-3"], "organisation": ["Eden", "Carlisle", "Police"]})
    >>> earliest_starts(effects, orgs, load_assumptions())[["option_id", "earliest_year"]].values.tolist()
    [['SP-1', 2028], ['SP-2', 2028]]
    >>> earliest_starts(effects, orgs, load_assumptions(predecessors_act_jointly="yes")).empty
    True
    """
    columns = ["option_id", "vesting_date", "earliest_start", "earliest_year", "reason"]
    empty = pd.DataFrame({"option_id": pd.Series(dtype=object), "vesting_date": pd.Series(dtype="datetime64[ns]"),
                          "earliest_start": pd.Series(dtype="datetime64[ns]"),
                          "earliest_year": pd.Series(dtype=np.int64), "reason": pd.Series(dtype=object)})
    a = assumptions
    if a is None or a.predecessors_act_jointly == "yes" or not len(effects):
        return empty
    links = organisation_successors(organisations)
    if not len(links):
        return empty
    vesting = links.dropna(subset=["vesting_date"]).groupby("organisation")["vesting_date"].max()
    start = pd.Timestamp(year=a.first_year, month=a.first_month, day=1)
    vesting = vesting[vesting > start]
    if not len(vesting):
        return empty
    held = effects.loc[effects["organisation"].isin(vesting.index), ["option_id", "organisation"]]
    if not len(held):
        return empty
    day = held["organisation"].map(vesting)
    out = pd.DataFrame({"option_id": held["option_id"].to_numpy(), "vesting_date": day.to_numpy()})
    out = out.groupby("option_id", sort=True)["vesting_date"].max().reset_index()
    year = first_full_year(out["vesting_date"], a.first_month)
    out["earliest_year"] = year.astype(np.int64)
    out["earliest_start"] = pd.to_datetime(pd.DataFrame({"year": year, "month": a.first_month, "day": 1}))
    out["reason"] = start_rule(out["vesting_date"], a.first_month)
    return out.loc[:, columns]


def first_full_year(vesting: pd.Series, first_month: int = 4) -> pd.Series:
    """The first financial year that begins on or after each vesting date: the new authority's first full year.

    A vesting date on the first day of a financial year opens that year; any
    other date (1 October, 31 March) opens the next one.

    Examples
    --------
    >>> days = pd.Series(pd.to_datetime(["2027-04-01", "2027-10-01", "2028-03-31"]))
    >>> first_full_year(days).tolist()
    [2027, 2028, 2028]
    """
    v = pd.to_datetime(vesting)
    year = v.dt.year - (v.dt.month < first_month).astype(int)
    first_day = pd.to_datetime(pd.DataFrame({"year": year, "month": first_month, "day": 1}))
    return (year + (first_day < v).astype(int)).astype(np.int64)


def start_rule(vesting: pd.Series, first_month: int = 4) -> pd.Series:
    """The start rule, in words, for options held to each vesting date (the ``vesting`` start reason).

    Options of councils being reorganised start in the new authority's
    first full financial year: the one vesting opens when it falls on that
    year's first day, else the next one. The months between a mid-year
    vesting and that year are not counted: no saving, no cost, no
    retirement falls in them (the cash flows move in whole years).

    Examples
    --------
    >>> for text in start_rule(pd.Series(pd.to_datetime(["2028-04-01", "2027-10-01"]))):
    ...     print(text)
    vesting on 01/04/2028, the first day of 2028/29: the new authorities' options start in that year
    vesting on 01/10/2027, mid-year (in 2027/28): the new authorities' options start in their first full financial year, 2028/29; the 183 days from vesting to 01/04/2028 are not counted
    """
    from estate.appraisal import fy_label

    v = pd.to_datetime(vesting)
    year = first_full_year(v, first_month)
    out = []
    for day, y in zip(v, year, strict=True):
        first_day = pd.Timestamp(year=int(y), month=first_month, day=1)
        label = fy_label(int(y), first_month=first_month)
        if day == first_day:
            out.append(f"vesting on {day:%d/%m/%Y}, the first day of {label}: the new authorities' options start "
                       "in that year")
            continue
        days = (first_day - day).days
        gap = f"the {days} day{'s' if days > 1 else ''}"
        during = fy_label(int(y) - 1, first_month=first_month)
        out.append(f"vesting on {day:%d/%m/%Y}, mid-year (in {during}): the new authorities' options start in "
                   f"their first full financial year, {label}; {gap} from vesting to {first_day:%d/%m/%Y} "
                   f"{'are' if days > 1 else 'is'} not counted")
    return pd.Series(out, index=vesting.index, dtype=object)


def held_years(effects: pd.DataFrame, organisations: pd.DataFrame | None, assumptions: Any) -> pd.Series:
    """The whole years each option's costed dates move to reach its earliest start (options held only).

    The earliest start (:func:`earliest_starts`) less the option's natural
    start (:func:`estate.schedule.natural_starts`), as
    :func:`estate.schedule.schedule_inputs` moves them.

    Returns
    -------
    Series
        ``option_id`` → years (int, > 0).
    """
    from estate.schedule import natural_starts

    hold = earliest_starts(effects, organisations, assumptions)
    if not len(hold):
        return pd.Series(dtype=np.int64)
    a = assumptions
    natural = natural_starts(effects, a)
    earliest = (hold.set_index("option_id")["earliest_year"] - a.first_year).clip(upper=int(a.horizon_years) - 1)
    years = (earliest - natural.reindex(earliest.index).fillna(0)).astype(np.int64)
    return years[years > 0]


# --------------------------------------------------------------------------- #
# Vesting day: the contract decisions due before it
# --------------------------------------------------------------------------- #


def _months_before(days: pd.Series, months: pd.Series) -> pd.Series:
    """``days`` less ``months`` calendar months (whole months), one DateOffset per distinct count."""
    out = pd.Series(pd.NaT, index=days.index, dtype="datetime64[ns]")
    for n, index in months.groupby(months).groups.items():
        out.loc[index] = days.loc[index] - pd.DateOffset(months=int(n))
    return out


def vesting_decisions(systems: pd.DataFrame, organisations: pd.DataFrame | None, *, as_of: pd.Timestamp,
                      default_notice_months: int, contracts: pd.DataFrame | None = None,
                      options_of_system: pd.Series | None = None,
                      divided: pd.DataFrame | None = None, first_month: int = 4,
                      jointly: bool = False) -> pd.DataFrame:
    """Every contract decision due before a vesting date still ahead of ``as_of``.

    For each organisation whose vesting date is after ``as_of`` (the
    assumption ``decisions_as_of``: the date the plan is made, not its
    first appraisal year), each of its systems' contracts (the Systems sheet's
    ``contract_end`` and the Contracts sheet's) whose notice falls due
    (``contract_end`` less ``notice_months``, or ``default_notice_months``
    when not given) or whose end falls before vesting, an already expired one
    included.

    Parameters
    ----------
    systems : DataFrame
        ``system_key``, ``organisation``, ``system``, ``contract_end``,
        ``notice_months`` and optionally ``criticality``.
    organisations : DataFrame or None
        ``organisation``, ``successor``, ``vesting_date``.
    as_of : Timestamp
        The day decisions are taken from (``Assumptions.decisions_date``):
        vesting dates on or before it are past, contracts ending before it
        have expired, notice dates before it have passed.
    default_notice_months : int
    contracts : DataFrame, optional
        The Contracts sheet (``system_key``, ``contract_end``,
        ``notice_months``).
    options_of_system : Series, optional
        ``system_key`` → the recommended option(s) that retire it.
    divided : DataFrame, optional
        :func:`divisions` (the chosen method of each divided system).
    first_month : int, default=4
        The first month of a financial year.
    jointly : bool, default=False
        The assumption ``predecessors_act_jointly``.

    Returns
    -------
    DataFrame
        Columns :data:`VESTING_COLUMNS`, by vesting date, organisation,
        notice date and system. ``status`` is ``expired``,
        ``notice passed``, ``ends before vesting`` or
        ``notice due before vesting``. ``options_start`` says from when the
        successor's options run: its first full financial year
        (:func:`first_full_year`), unless the predecessors act jointly.

    Examples
    --------
    >>> orgs = pd.DataFrame({"organisation": ["Eden"], "successor": ["East"],
    ...                      "vesting_date": pd.to_datetime(["2028-04-01"])})
    >>> systems = pd.DataFrame({"system_key": ["Eden/REV", "Eden/HR", "Eden/GIS"],
    ...                         "organisation": "Eden", "system": ["Revenues", "HR", "GIS"],
    ...                         "contract_end": pd.to_datetime(["2028-06-30", "2027-01-31", "2030-03-31"]),
    ...                         "notice_months": [6.0, None, 6.0]})
    >>> v = vesting_decisions(systems, orgs, as_of=pd.Timestamp("2027-04-01"), default_notice_months=6)
    >>> v[["system", "contract_end", "notice_by", "status"]].astype(str).values.tolist()
    [['HR', '2027-01-31', '2026-07-31', 'expired'], ['Revenues', '2028-06-30', '2027-12-30', 'notice due before vesting']]
    """
    ahead = _vesting_ahead(organisations, as_of)
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in VESTING_COLUMNS})
    if not len(ahead) or not len(systems):
        return empty
    mine = systems.loc[systems["organisation"].isin(ahead.index)]
    rows = [mine.loc[:, ["system_key", "organisation", "system", "contract_end", "notice_months"]]]
    if contracts is not None and len(contracts) and "system_key" in contracts:
        linked = contracts.loc[contracts["system_key"].isin(mine["system_key"]), ["system_key", "contract_end",
                                                                                 "notice_months"]]
        linked = linked.merge(mine[["system_key", "organisation", "system"]], on="system_key")
        rows.append(linked)
    rows = [r for r in rows if len(r)]
    if not rows:
        return empty
    found = pd.concat(rows, ignore_index=True)
    found["contract_end"] = pd.to_datetime(found["contract_end"])
    found = found.dropna(subset=["contract_end"]).drop_duplicates(["system_key", "contract_end"])
    if not len(found):
        return empty
    notice = pd.to_numeric(found["notice_months"], errors="coerce").fillna(default_notice_months).round()
    found["notice_by"] = _months_before(found["contract_end"], notice)
    found["vesting_date"] = found["organisation"].map(ahead)
    found = found.loc[(found["notice_by"] < found["vesting_date"]) | (found["contract_end"] < found["vesting_date"])]
    if not len(found):
        return empty
    links = organisation_successors(organisations)
    by_org = links.groupby("organisation")["successor"].agg(lambda s: "; ".join(sorted(s)))
    found["successors"] = _text_map(found["organisation"], by_org)
    found["status"] = np.select(
        [found["contract_end"] < as_of, found["notice_by"] < as_of, found["contract_end"] < found["vesting_date"]],
        ["expired", "notice passed", "ends before vesting"], "notice due before vesting")
    critical = set(systems.loc[systems["criticality"].eq("critical"), "system_key"]) if "criticality" in systems else set()
    found["critical"] = found["system_key"].isin(critical)
    option = (options_of_system if options_of_system is not None else pd.Series(dtype=object))
    found["option"] = _text_map(found["system_key"], option)
    method = (divided.loc[divided["chosen"]].set_index("system_key")["method"]
              if divided is not None and len(divided) else pd.Series(dtype=object))
    found["method"] = _text_map(found["system_key"], method)
    found["decision"] = [_decision(r) for r in found.itertuples()]
    if jointly:
        found["options_start"] = "from the plan's first year: the predecessors act jointly before vesting"
    else:
        from estate.appraisal import fy_label

        year = first_full_year(found["vesting_date"], first_month)
        found["options_start"] = [f"{fy_label(int(y), first_month=first_month)}, the first full financial year "
                                  "from vesting" for y in year]
    found = found.sort_values(["vesting_date", "organisation", "notice_by", "system", "contract_end"], kind="stable")
    return found.loc[:, list(VESTING_COLUMNS)].reset_index(drop=True)


def _decision(r: Any) -> str:
    """The decision the outgoing council must take on one contract."""
    vesting = f"{r.vesting_date:%d/%m/%Y}"
    if r.status == "expired":
        return (f"Expired on {r.contract_end:%d/%m/%Y}: put it on a contract the successor can use before "
                f"vesting ({vesting}); rolling on is a risk, not a renewal")
    if r.method:
        return f"Extend to carry over vesting ({vesting}), then divide it: {r.method}"
    if r.option and r.status == "notice passed":
        return (f"Include in option {r.option}: its notice date ({r.notice_by:%d/%m/%Y}) has passed, so agree the "
                "exit or a short extension with the supplier")
    if r.option:
        return f"Include in option {r.option}: serve notice by {r.notice_by:%d/%m/%Y} to retire it at contract end"
    if r.critical:
        return f"Day-one critical: extend to carry over vesting ({vesting}), under terms the successor can use"
    if r.status == "notice passed":
        return f"Notice date passed: agree a short extension over vesting ({vesting}) or a break with the supplier"
    if r.status == "ends before vesting":
        return f"Ends before vesting ({vesting}): extend to carry over it, or re-procure for the successor"
    return (f"Decide by {r.notice_by:%d/%m/%Y}: extend to carry over vesting ({vesting}), "
            "or serve notice")


def expired_contract_issues(vesting: pd.DataFrame, systems: pd.DataFrame) -> pd.DataFrame:
    """Each expired contract on the vesting list as a ``warning`` data issue on its system's row.

    Returns
    -------
    DataFrame
        Columns :data:`~estate.inventory.ISSUE_COLUMNS`.
    """
    expired = vesting.loc[vesting["status"].eq("expired")] if len(vesting) else vesting
    if not len(expired):
        return empty_issues()
    where = systems.drop_duplicates("system_key").set_index("system_key")
    rows = []
    for r in expired.itertuples():
        src = where.loc[r.system_key] if r.system_key in where.index else None
        rows.append(("" if src is None else src.get("source_file", ""),
                     "" if src is None else src.get("source_sheet", ""),
                     None if src is None else src.get("source_row"), "contract_end", "warning",
                     f"contract already expired (before the decisions date) and before vesting on {r.vesting_date:%d/%m/%Y}: "
                     "not assumed to renew", f"{r.contract_end:%Y-%m-%d}"))
    return _issues(rows)


# --------------------------------------------------------------------------- #
# Divided and shared systems: the ways to divide them, costed
# --------------------------------------------------------------------------- #


def annuity(rate: float, years: float) -> float:
    """Present value of 1 a year for ``years`` years, the first undiscounted: Excel's ``PV(rate,years,-1,0,1)``.

    Examples
    --------
    >>> round(annuity(0.035, 10), 6)
    8.607687
    >>> annuity(0.0, 3)
    3.0
    """
    if years <= 0:
        return 0.0
    if rate == 0:
        return float(years)
    return float((1 - (1 + rate) ** -years) / (1 - 1 / (1 + rate)))


def divisions(matched: pd.DataFrame, successors: pd.DataFrame, assumptions: Any) -> pd.DataFrame:
    """The ways to divide each divided system between its successors, costed; the cheapest chosen.

    For a system of annual cost A divided between k successors, with
    M = ``monolithic_data_factor`` when its data is monolithic (else 1),
    D = ``data_migration_per_system``, the optimism-bias factors cf (costs)
    and sf (savings), r the discount rate, H the horizon and
    PV(n) = :func:`annuity` (r, n):

    ``partition``
        Copy the instance and split data and contract, one copy a successor:
        one-off (k-1)(``partition_one_off_share`` x A x M + D) x cf; the copies
        cost ``partition_run_cost_uplift`` x A x (k-1) a year more.
        Present cost = one-off + annual x PV(H).
    ``host then migrate``
        The host successor runs it for the others under an agreement of
        Y = min(``shared_service_years``, H) years, at a charge of
        ``shared_service_charge`` x A x (k-1)/k a year (a cost of running the
        agreement), then the others migrate their parts to their own copy:
        one-off (k-1)(``partition_one_off_share`` x A x M / k + D) x cf in
        year Y, and the partition's extra run cost from then. Present cost = one-off/(1+r)^Y (0 when Y = H) + charge x PV(Y)
        + annual x (PV(H) - PV(Y)).
    ``move each part``
        Only where every successor already runs another system of its
        capability that can take its part (its users plus the part's, the
        system's users over k, at most ``max_survivor_scale`` times its
        own): each part moves onto it and the system retires. One-off
        (``partition_one_off_share`` x A x M + k x D) x cf + its exit cost; a saving of ``divided_move_saving_share`` x A x sf
        a year (the receiving platforms grow). Present cost = one-off -
        saving x PV(H).

    The method with the lowest present cost is chosen (ties in the order of
    :data:`DIVISION_METHODS`); the system's fate is ``Split``, or ``Retire``
    when every part moves.

    Returns
    -------
    DataFrame
        Columns :data:`DIVISION_COLUMNS`, one row a divided system and method.
    """
    a = assumptions
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in DIVISION_COLUMNS})
    divided = successors.loc[successors["divided"]]
    if not len(divided):
        return empty
    info = matched.drop_duplicates("system_key").set_index("system_key")
    systems = divided.join(info.drop(columns=["organisation"], errors="ignore"), on="system_key")
    annual = pd.to_numeric(systems.get("annual_cost"), errors="coerce").fillna(0.0).to_numpy(float)
    exit_cost = pd.to_numeric(systems.get("exit_cost"), errors="coerce").fillna(0.0).to_numpy(float)
    k = systems["n_successors"].to_numpy(float)
    partitioning = systems.get("data_partitioning", pd.Series(None, index=systems.index)).fillna("segmented")
    m = np.where(partitioning.eq("monolithic"), a.monolithic_data_factor, 1.0)
    d, cf, sf, r, h = a.data_migration_per_system, a.cost_factor, a.saving_factor, a.discount_rate, a.horizon_years
    y = min(a.shared_service_years, h)
    pv_h, pv_y = annuity(r, h), annuity(r, y)
    # The platforms each successor already has: its undivided systems of each capability, the most used
    # first. A part may move onto one only if the platform can take it: its users after (its own plus
    # the part's) at most max_survivor_scale times its own, the options' like-for-like rule.
    def users_of(frame: pd.DataFrame) -> pd.Series:
        users = pd.to_numeric(frame.get("users", pd.Series(None, index=frame.index)), errors="coerce")
        return users.where(users >= 1, a.default_users).fillna(a.default_users)

    whole = successors.loc[~successors["divided"] & successors["successors"].ne(""), ["system_key", "successors"]]
    whole = whole.join(info.reindex(columns=["capability_code", "users"]), on="system_key")
    whole["users"] = users_of(whole)
    biggest = whole.groupby(["successors", "capability_code"])["users"].max().to_dict()
    capability = systems.get("capability_code", pd.Series(None, index=systems.index))
    part_users = (users_of(systems) / systems["n_successors"]).to_numpy(float)
    movable = np.array([
        isinstance(c, str) and all(
            (s, c) in biggest and biggest[(s, c)] + part <= a.max_survivor_scale * biggest[(s, c)]
            for s in split_names(names))
        for names, c, part in zip(systems["successors"], capability, part_users, strict=True)], dtype=bool)
    partition_one_off = (k - 1) * (a.partition_one_off_share * annual * m + d) * cf
    uplift = a.partition_run_cost_uplift * annual * (k - 1)
    host_one_off = (k - 1) * (a.partition_one_off_share * annual * m / k + d) * cf
    charge = a.shared_service_charge * annual * (k - 1) / k
    move_one_off = (a.partition_one_off_share * annual * m + k * d) * cf + exit_cost
    move_saving = -a.divided_move_saving_share * annual * sf
    host_present = (host_one_off / (1 + r) ** y if y < h else 0.0) + charge * pv_y + uplift * (pv_h - pv_y)
    base = pd.DataFrame({
        "system_key": systems["system_key"].to_numpy(), "organisation": systems["organisation"].to_numpy(),
        "system": systems.get("system", systems["system_key"]).to_numpy(),
        "capability_code": capability.to_numpy(), "successors": systems["successors"].to_numpy(),
        "host": systems["host"].to_numpy(), "parts": k.astype(int), "data_partitioning": partitioning.to_numpy(),
        "annual_cost": annual, "exit_cost": exit_cost,
    })
    frames = []
    for method, available, one_off, change, years, present in (
        ("partition", np.ones(len(k), bool), partition_one_off, uplift, 0, partition_one_off + uplift * pv_h),
        ("host then migrate", np.ones(len(k), bool), host_one_off, uplift, y, host_present),
        ("move each part", movable, move_one_off, move_saving, 0, move_one_off + move_saving * pv_h),
    ):
        frames.append(base.assign(method=method, available=available, one_off_cost=one_off, annual_change=change,
                                  years_charged=years, present_cost=np.where(available, present, np.nan)))
    out = pd.concat(frames, ignore_index=True)
    out["_order"] = out["method"].map({m_: i for i, m_ in enumerate(DIVISION_METHODS)})
    ranked = out.loc[out["available"]].sort_values(["system_key", "present_cost", "_order"], kind="stable")
    best = ranked.drop_duplicates("system_key").index
    out["chosen"] = out.index.isin(best)
    out["fate"] = np.where(out["method"].eq("move each part"), "Retire", "Split")
    out = out.sort_values(["organisation", "system_key", "_order"], kind="stable").drop(columns="_order")
    return out.loc[:, list(DIVISION_COLUMNS)].reset_index(drop=True)


# --------------------------------------------------------------------------- #
# Each successor's view
# --------------------------------------------------------------------------- #

NO_SUCCESSOR = "(no successor)"
"""The row of :func:`successor_view` for organisations no successor takes."""


def successor_of(names: pd.Series, organisations: pd.DataFrame | None) -> pd.Series:
    """Each organisation's successor(s) in words: one name, a divided one's names and split, or :data:`NO_SUCCESSOR`.

    Examples
    --------
    >>> orgs = pd.DataFrame({"organisation": ["County", "Eden"], "successor": ["West; East", "East"]})
    >>> successor_of(pd.Series(["County", "Eden", "Police"]), orgs).tolist()
    ['West; East (divided: 1/2 each)', 'East', '(no successor)']
    """
    links = organisation_successors(organisations)
    by_org = (links.sort_values(["organisation", "order"]).groupby("organisation")["successor"].agg(list).to_dict()
              if len(links) else {})

    def words(org: object) -> str:
        mine = by_org.get(org, []) if isinstance(org, str) else []
        if not mine:
            return NO_SUCCESSOR
        if len(mine) == 1:
            return mine[0]
        return f"{'; '.join(mine)} (divided: 1/{len(mine)} each)"

    return pd.Series([words(o) for o in names], index=names.index, dtype=object)


def successor_shares(matched: pd.DataFrame, organisations: pd.DataFrame | None, partners: pd.DataFrame,
                     successors: pd.DataFrame, *, sites: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row a successor and predecessor: the predecessor's run cost it inherits and its share of the plan.

    ``share`` is the fraction of the predecessor's annual saving, one-off cost
    and NPV (the ``Partners`` sheet's) that goes to the successor: 1 for a
    predecessor wholly taken by one, 1/k for one divided between k, 1 in the
    row :data:`NO_SUCCESSOR` for one taken by none. ``run_cost_today`` is what
    the successor inherits of the predecessor's run cost: each system wholly
    to its one successor or shared equally between its successors (a divided
    one), and the predecessor's sites as its ``share``. The workbook's
    ``Successors`` sheet is built from these rows by formulas.

    Returns
    -------
    DataFrame
        ``successor``, ``organisation``, ``share``, ``run_cost_today``,
        sorted by successor then organisation.

    Examples
    --------
    >>> orgs = pd.DataFrame({"organisation": ["County", "Eden"], "successor": ["West; East", "East"]})
    >>> matched = pd.DataFrame({"system_key": ["County/a", "Eden/b"], "organisation": ["County", "Eden"],
    ...                         "annual_cost": [100.0, 30.0]})
    >>> partners = pd.DataFrame({"organisation": ["County", "Eden"]})
    >>> successor_shares(matched, orgs, partners, system_successors(matched, orgs)).values.tolist()
    [['East', 'County', 0.5, 50.0], ['East', 'Eden', 1.0, 30.0], ['West', 'County', 0.5, 50.0]]
    """
    links = organisation_successors(organisations)
    org_succ = links.groupby("organisation")["successor"].agg(list).to_dict() if len(links) else {}

    def lists(names: pd.Series) -> pd.Series:
        return names.map(lambda v: v if isinstance(v, list) and v else [NO_SUCCESSOR])

    per_system = matched.drop_duplicates("system_key")
    by_system = successors.set_index("system_key")["successors"] if len(successors) else pd.Series(dtype=object)
    names = lists(_text_map(per_system["system_key"], by_system).map(split_names))
    parts = [pd.DataFrame({"organisation": per_system["organisation"].to_numpy(), "successor": names.to_numpy(),
                           "run_cost_today": (pd.to_numeric(per_system["annual_cost"], errors="coerce").fillna(0.0)
                                              / names.map(len)).to_numpy()})]
    if sites is not None and len(sites) and {"organisation", "annual_cost"} <= set(sites.columns):
        site_names = lists(sites["organisation"].map(org_succ))
        parts.append(pd.DataFrame({"organisation": sites["organisation"].to_numpy(), "successor": site_names.to_numpy(),
                                   "run_cost_today": (pd.to_numeric(sites["annual_cost"], errors="coerce").fillna(0.0)
                                                      / site_names.map(len)).to_numpy()}))
    orgs = pd.Series(sorted(set(partners["organisation"].dropna())), dtype=object)
    org_names = lists(orgs.map(org_succ))
    parts.append(pd.DataFrame({"organisation": orgs.to_numpy(), "successor": org_names.to_numpy(),
                               "run_cost_today": 0.0}))
    long = pd.concat(parts, ignore_index=True).explode("successor")
    out = long.groupby(["successor", "organisation"], sort=True)["run_cost_today"].sum().reset_index()
    share = org_names.map(lambda names_: 1.0 / len(names_))
    pairs = {(succ, org): w for org, names_, w in zip(orgs, org_names, share, strict=True) for succ in names_}
    out["share"] = [pairs.get((succ, org), 0.0) for succ, org in zip(out["successor"], out["organisation"],
                                                                       strict=True)]
    order = out["successor"].eq(NO_SUCCESSOR)
    out = out.assign(_last=order).sort_values(["_last", "successor", "organisation"], kind="stable")
    return out.loc[:, ["successor", "organisation", "share", "run_cost_today"]].reset_index(drop=True)


def successor_view(matched: pd.DataFrame, organisations: pd.DataFrame | None, partners: pd.DataFrame,
                   successors: pd.DataFrame, division_table: pd.DataFrame, *,
                   sites: pd.DataFrame | None = None, contracts: pd.DataFrame | None = None) -> pd.DataFrame:
    """What each successor authority inherits and what the plan gives it, adding up to the partners' sums.

    A system goes wholly to its one successor; a divided system's figures
    are shared equally between its successors; an organisation's other
    figures (its sites' run cost, its share of the recommended options'
    saving, one-off cost and NPV from ``partners``) are shared equally
    between its organisation's successors. Organisations no successor takes
    make the row :data:`NO_SUCCESSOR`. The rows therefore add up to the
    predecessors' (the ``Partners`` sheet's) run cost today, annual saving,
    one-off cost and NPV.

    Parameters
    ----------
    matched : DataFrame
        ``system_key``, ``organisation``, ``annual_cost``, ``contract_end``.
    organisations : DataFrame or None
    partners : DataFrame
        ``organisation``, ``run_cost_today``, ``annual_saving``,
        ``one_off_cost``, ``npv`` (:class:`estate.sharing.PartnerShares`).
    successors : DataFrame
        :func:`system_successors` of ``matched``.
    division_table : DataFrame
        :func:`divisions`: the chosen method's one-off cost and annual
        change are the divided systems' liabilities, shared equally.
    sites, contracts : DataFrame, optional

    Returns
    -------
    DataFrame
        Columns :data:`SUCCESSOR_COLUMNS`, successors sorted, then
        :data:`NO_SUCCESSOR` when any. ``run_cost_after`` = run cost today -
        annual saving + the divisions' annual change.
    """
    links = organisation_successors(organisations)
    org_succ = links.groupby("organisation")["successor"].agg(list).to_dict() if len(links) else {}

    def spread(keys: pd.Series, names: pd.Series, values: dict[str, pd.Series]) -> pd.DataFrame:
        """Each row's values shared equally between its successors (NO_SUCCESSOR when none)."""
        lists = names.map(lambda s: s if isinstance(s, list) and s else [NO_SUCCESSOR])
        frame = pd.DataFrame({"key": keys.to_numpy(), "successor": lists.to_numpy(),
                              "_share": 1.0 / lists.map(len).to_numpy(),
                              **{c: v.to_numpy() for c, v in values.items()}})
        frame = frame.explode("successor")
        for c in values:
            frame[c] = pd.to_numeric(frame[c], errors="coerce").fillna(0.0) * frame["_share"]
        return frame

    by_system = successors.set_index("system_key")
    per_system = matched.drop_duplicates("system_key")
    system_names = per_system["system_key"].map(by_system["successors"]).map(split_names)
    divided = per_system["system_key"].isin(successors.loc[successors["divided"], "system_key"])
    has_contract = per_system.get("contract_end", pd.Series(pd.NaT, index=per_system.index)).notna()
    if contracts is not None and len(contracts) and "system_key" in contracts:
        has_contract = has_contract | per_system["system_key"].isin(contracts["system_key"])
    systems = spread(per_system["system_key"], system_names, {
        "run_cost_today": per_system["annual_cost"], "systems": (~divided).astype(float),
        "divided_systems": divided.astype(float), "contracts": has_contract.astype(float)})
    systems["systems"] = systems["systems"] / systems["_share"]  # counts are whole in each successor
    systems["divided_systems"] = systems["divided_systems"] / systems["_share"]
    systems["contracts"] = systems["contracts"] / systems["_share"]
    parts = [systems]
    if sites is not None and len(sites) and {"organisation", "annual_cost"} <= set(sites.columns):
        parts.append(spread(sites["organisation"], sites["organisation"].map(org_succ),
                            {"run_cost_today": sites["annual_cost"]}))
    p = partners.loc[:, ["organisation", "annual_saving", "one_off_cost", "npv"]]
    parts.append(spread(p["organisation"], p["organisation"].map(org_succ),
                        {c: p[c] for c in ("annual_saving", "one_off_cost", "npv")}))
    if len(division_table):
        chosen = division_table.loc[division_table["chosen"]]
        parts.append(spread(chosen["system_key"], chosen["successors"].map(split_names),
                            {"division_one_off": chosen["one_off_cost"],
                             "division_annual_change": chosen["annual_change"]}))
    long = pd.concat(parts, ignore_index=True, sort=False)
    figures = ["systems", "divided_systems", "contracts", "run_cost_today", "annual_saving", "one_off_cost", "npv",
               "division_one_off", "division_annual_change"]
    for c in figures:
        if c not in long:
            long[c] = 0.0
    out = long.groupby("successor")[figures].sum(min_count=0).fillna(0.0)
    predecessors = pd.Series({s: "; ".join(sorted(set(links.loc[links["successor"] == s, "organisation"])))
                              for s in out.index})
    if NO_SUCCESSOR in out.index:
        orgs = set(matched["organisation"].dropna()) | set(partners["organisation"])
        predecessors[NO_SUCCESSOR] = "; ".join(sorted(orgs - set(org_succ)))
    vesting = links.dropna(subset=["vesting_date"]).groupby("successor")["vesting_date"].min() if len(links) else {}
    out["predecessors"] = predecessors
    out["vesting_date"] = pd.Series(out.index, index=out.index).map(vesting)
    for c in ("systems", "divided_systems", "contracts"):
        out[c] = out[c].round().astype(int)
    out["run_cost_after"] = out["run_cost_today"] - out["annual_saving"] + out["division_annual_change"]
    order = sorted(s for s in out.index if s != NO_SUCCESSOR) + ([NO_SUCCESSOR] if NO_SUCCESSOR in out.index else [])
    out = out.loc[order].rename_axis("successor").reset_index()
    return out.loc[:, list(SUCCESSOR_COLUMNS)]


# --------------------------------------------------------------------------- #
# The plan's reorganisation step
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class Reorganisation:
    """The reorganisation part of a plan.

    Attributes
    ----------
    successors : DataFrame
        :func:`system_successors` of the matched systems.
    excluded : DataFrame
        ``option_id``, ``reason``: the options dropped at the successors'
        boundaries or for a critical system's retirement around vesting.
    divisions : DataFrame
        :func:`divisions`: each divided system's ways of division.
    earliest : DataFrame
        :func:`earliest_starts`: the options held back to the year vesting
        opens (none when the predecessors act jointly before it).
    service_partners : DataFrame
        :func:`estate.shared_services.service_partners`: each partner of a
        shared service across successors, host or buyer.
    services : DataFrame
        :func:`estate.shared_services.service_terms`: each shared service's
        agreement (host, buyers, end date, renewal, charge), once scheduled.
    """

    successors: pd.DataFrame
    excluded: pd.DataFrame
    divisions: pd.DataFrame
    earliest: pd.DataFrame = field(default_factory=lambda: earliest_starts(pd.DataFrame(), None, None))
    service_partners: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        {c: pd.Series(dtype=object) for c in ("option_id", "organisation", "successors", "host", "role")}))
    services: pd.DataFrame = field(default_factory=lambda: pd.DataFrame({"option_id": pd.Series(dtype=object)}))

    @property
    def active(self) -> bool:
        """Whether any system has a successor authority."""
        return bool(len(self.successors)) and bool(self.successors["successors"].ne("").any())

    def fates(self) -> pd.Series:
        """Each divided system's fate under its chosen division (``Split`` or ``Retire``), by ``system_key``."""
        if not len(self.divisions):
            return pd.Series(dtype=object)
        chosen = self.divisions.loc[self.divisions["chosen"]]
        return chosen.set_index("system_key")["fate"]

    @classmethod
    def none(cls, matched: pd.DataFrame) -> Reorganisation:
        """No reorganisation: no successor, nothing excluded or divided."""
        return cls(successors=system_successors(matched, None),
                   excluded=pd.DataFrame({"option_id": pd.Series(dtype=object), "reason": pd.Series(dtype=object)}),
                   divisions=pd.DataFrame({c: pd.Series(dtype=object) for c in DIVISION_COLUMNS}))


def plan_reorganisation(options: Any, matched: pd.DataFrame, organisations: pd.DataFrame | None,
                        assumptions: Any) -> tuple[Any, Reorganisation]:
    """Apply the successors' boundaries to the options and cost the divided systems.

    Returns
    -------
    (Options, Reorganisation)
        The options :func:`apply_boundaries` keeps (a shared service across
        successors with its renewal cost:
        :func:`estate.shared_services.add_renewals`), and the reorganisation
        (with :func:`earliest_starts` of the options kept, for
        :func:`estate.schedule.schedule_inputs`).
    """
    from estate.shared_services import add_renewals, service_partners

    successors = system_successors(matched, organisations)
    kept, excluded = apply_boundaries(options, matched, organisations, assumptions, successors=successors)
    partners = service_partners(kept, successors, organisations)
    kept = add_renewals(kept, partners, assumptions)
    return kept, Reorganisation(successors=successors, excluded=excluded,
                                divisions=divisions(matched, successors, assumptions),
                                earliest=earliest_starts(kept.effects, organisations, assumptions),
                                service_partners=partners)
