"""Shared services across successor authorities: who hosts, who buys, the service charge and the end date.

When the assumption ``shared_service_across_successors`` is ``"yes"``, an
option whose systems go to two or more successor authorities is kept as a
``shared service`` (:func:`estate.reorganisation.apply_boundaries`): the
survivor's successor *hosts* the platform and the other successors *buy*
the service from it under an agreement. This module is the one home of the
money that follows:

* **Roles** (:func:`service_partners`): each partner of such an option is a
  ``host`` (it goes to the host successor, wholly or in part), a ``buyer``
  (it goes to other successors) or ``none`` (no successor: a police force,
  an NHS trust, which buys nothing from anyone).
* **Service charge**: each buyer pays the host, every year of the
  agreement, ``shared_service_charge`` times its share of the platform's run
  cost (its cost share of the option's run cost after); the hosts receive
  the buyers' total, split between them by their own cost shares. The charge
  is a transfer between public bodies: it nets to zero over an option's
  partners, so the option's and the portfolio's figures do not move, but each
  partner's annual saving and NPV do (the ``Partners`` sheet, and each
  successor's view).
* **End date** (:func:`service_terms`): the agreement starts on the first day
  of the option's start year and runs ``shared_service_years``; it ends the
  day before that many years later.
* **After the end date: the buyers re-contract.** Each buyer successor
  renews the agreement with the host for a further term, at the same charge,
  so the charge runs on to the end of the appraisal. Renewing costs
  ``vendor_management_per_contract`` a buyer successor (letting a contract),
  after optimism bias, in the financial year after the end date
  (:func:`add_renewals`: a cost of the option, in its cash flows, when it
  falls inside the appraisal). Why not migrate: moving the buyers off the
  platform would undo the consolidation whose saving made the option worth
  recommending; a system the successors must separate is a divided system,
  costed by :func:`estate.reorganisation.divisions` (``host then migrate``).

``docs/reorganisation.md`` states each formula with a worked example that
the tests check; the workbook writes them as live formulas (the ``Shared
services`` sheet and the service columns of ``Partner shares``).

Examples
--------
>>> import pandas as pd
>>> partners = pd.DataFrame({"option_id": ["SS-1"] * 3, "organisation": ["Ayton", "Beeton", "Ceeton"],
...                          "role": ["host", "host", "buyer"], "cost_share": [0.5, 0.3, 0.2]})
>>> service_charges(partners, pd.Series({"SS-1": 100_000.0}), charge=0.1).round(2).tolist()
[1250.0, 750.0, -2000.0]
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["SERVICE_COLUMNS", "SERVICE_PARTNER_COLUMNS", "add_renewals", "apply_service_charges",
           "service_charges", "service_partners", "service_terms"]

SHARED_SERVICE = "shared service"
"""The option type of a shared service across successors."""

SERVICE_PARTNER_COLUMNS = ("option_id", "organisation", "successors", "host", "role")
"""Columns of :func:`service_partners`."""

SERVICE_COLUMNS = ("option_id", "host", "buyers", "host_organisations", "buyer_organisations", "n_buyers",
                   "start_year", "end_date", "renewal_year", "renewal_cost_before_bias", "renewal_cost",
                   "service_charge", "after_end")
"""Columns of :func:`service_terms`: one row a shared-service option."""


def _names(value: object) -> list[str]:
    from estate.reorganisation import split_names

    return split_names(value)


def service_partners(options: Any, successors: pd.DataFrame, organisations: pd.DataFrame | None) -> pd.DataFrame:
    """Each partner of each shared-service option, its successors and its role (``host``, ``buyer``, ``none``).

    The host is the successor of the option's surviving system (its
    ``host`` in :func:`estate.reorganisation.system_successors`). A partner
    is a ``host`` when it goes to the host successor (a divided county among
    others), a ``buyer`` when it goes to other successors, ``none`` when it
    goes to none (its systems' successors count only for an organisation
    that names none), or when the option has no surviving platform (a joint procurement
    across successors: each keeps its own system under the joint contract,
    nobody hosts, and no charge is due).

    Returns
    -------
    DataFrame
        Columns :data:`SERVICE_PARTNER_COLUMNS`, sorted by option and organisation.
    """
    from estate.reorganisation import organisation_successors

    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in SERVICE_PARTNER_COLUMNS})
    table = options.options
    ids = table.loc[table["type"].eq(SHARED_SERVICE), "option_id"]
    if not len(ids):
        return empty
    effects = options.effects.loc[options.effects["option_id"].isin(ids)]
    links = organisation_successors(organisations)
    by_org = links.groupby("organisation")["successor"].agg(list).to_dict() if len(links) else {}
    by_system = successors.set_index("system_key")
    # A partner is on the side of its own successors (a district sharing an instance with a council of the
    # other successor still buys); its systems' successors only when the organisation names none.
    names = effects["organisation"].map(lambda o: by_org.get(o, []))
    names = names.where(names.map(len) > 0, effects["system_key"].map(by_system["successors"]).map(_names))
    long = pd.DataFrame({"option_id": effects["option_id"].to_numpy(),
                         "organisation": effects["organisation"].to_numpy(), "successor": names.to_numpy()})
    survivors = effects.loc[effects["effect"].eq("survive")].drop_duplicates("option_id")
    host = survivors.set_index("option_id")["system_key"].map(by_system["host"])
    host = host.reindex(ids.to_numpy()).fillna("")  # a joint procurement has no platform: nobody hosts
    out = (long.explode("successor").dropna().groupby(["option_id", "organisation"], sort=True)["successor"]
           .agg(lambda s: "; ".join(sorted(set(s)))))
    out = out.reindex(long[["option_id", "organisation"]].drop_duplicates()
                      .set_index(["option_id", "organisation"]).index.sort_values()).fillna("").reset_index()
    out["host"] = out["option_id"].map(host).fillna("")
    mine = [h != "" and h in _names(s) for s, h in zip(out["successor"], out["host"], strict=True)]
    hosted = out["host"].ne("").to_numpy()  # no survivor and no lead successor: nobody hosts, nobody buys
    out["role"] = np.select([np.array(mine, dtype=bool), out["successor"].ne("").to_numpy() & hosted],
                            ["host", "buyer"], "none")
    out = out.rename(columns={"successor": "successors"})
    return out.loc[:, list(SERVICE_PARTNER_COLUMNS)].reset_index(drop=True)


def service_charges(partners: pd.DataFrame, run_cost_after: pd.Series, *, charge: float) -> pd.Series:
    """Each partner's yearly service charge: received (positive) by hosts, paid (negative) by buyers.

    A buyer pays ``charge`` x its cost share x the option's run cost after;
    the hosts receive the buyers' total, each by its cost share over the
    hosts' (equally when their shares are all zero). The charges of an option
    add up to zero.

    Parameters
    ----------
    partners : DataFrame
        ``option_id``, ``role``, ``cost_share``.
    run_cost_after : Series
        The option's run cost after, by option id.
    charge : float
        The assumption ``shared_service_charge``.

    Returns
    -------
    Series
        Aligned with ``partners``.
    """
    if not len(partners):
        return pd.Series(dtype=float)
    after = partners["option_id"].map(run_cost_after).astype(float).fillna(0.0)
    w = partners["cost_share"].astype(float).fillna(0.0)
    buyer, host = partners["role"].eq("buyer"), partners["role"].eq("host")
    paid = (charge * w * after).where(buyer, 0.0)
    total_paid = paid.groupby(partners["option_id"]).transform("sum")
    host_w = w.where(host, 0.0).groupby(partners["option_id"]).transform("sum")
    hosts = host.astype(float).groupby(partners["option_id"]).transform("sum")
    part = np.where(host_w > 0, w / host_w.where(host_w > 0, 1.0), 1.0 / hosts.where(hosts > 0, 1.0))
    received = (total_paid * part).where(host, 0.0)
    return (received - paid).astype(float)


def _shared_ids(options: Any) -> pd.Series:
    table = options.options
    return table.loc[table["type"].eq(SHARED_SERVICE), "option_id"]


def _n_buyers(partners: pd.DataFrame) -> pd.Series:
    """The buyer successors of each option (successors of its buyers other than the host), counted."""
    buyers = partners.loc[partners["role"].eq("buyer")]
    if not len(buyers):
        return pd.Series(dtype=np.int64)
    long = buyers.assign(successor=buyers["successors"].map(_names)).explode("successor")
    long = long.loc[long["successor"].ne(long["host"])]
    return long.groupby("option_id")["successor"].nunique().astype(np.int64)


def add_renewals(options: Any, partners: pd.DataFrame, assumptions: Any) -> Any:
    """Each shared service's renewal at its end date, added to its costs, cash flows, NPV and partner shares.

    The renewal costs ``vendor_management_per_contract`` a buyer successor
    (before optimism bias; category ``vendor_management``), in the financial
    year ``shared_service_years`` after the option's natural start
    (:func:`estate.schedule.natural_starts`): the schedule moves it with the
    option. A renewal past the appraisal's last year is not counted.

    Returns
    -------
    estate.options.Options
    """
    from estate.appraisal import payback_years
    from estate.schedule import natural_starts

    a = assumptions
    ids = _shared_ids(options)
    n_buyers = _n_buyers(partners).reindex(ids).fillna(0).astype(np.int64)
    if not len(ids) or not (n_buyers > 0).any():
        return options
    h = int(a.horizon_years)
    natural = natural_starts(options.effects.loc[options.effects["option_id"].isin(ids)], a)
    t = (natural.reindex(ids).fillna(0).astype(np.int64) + int(a.shared_service_years)).to_numpy()
    before = (a.vendor_management_per_contract * n_buyers).to_numpy(dtype=float)
    keep = (t < h) & (before > 0)
    if not keep.any():
        return options
    added = pd.DataFrame({"option_id": ids.to_numpy()[keep], "t": t[keep], "before": before[keep]})
    added["amount"] = added["before"] * a.cost_factor

    flows = options.cash_flows.copy()
    extra = flows.merge(added[["option_id", "t", "amount"]], on=["option_id", "t"], how="left")["amount"]
    flows["costs"] = flows["costs"] + extra.fillna(0.0).to_numpy()
    flows["net"] = flows["savings"] - flows["costs"]
    flows["present_value"] = flows["net"] * flows["discount_factor"]
    flows["cumulative_net"] = flows.groupby("option_id", sort=False)["net"].cumsum()
    factor = flows.drop_duplicates("t").set_index("t")["discount_factor"]
    added["pv"] = added["amount"] * added["t"].map(factor).to_numpy()

    table = options.options.copy()
    by = added.set_index("option_id")
    mine = table["option_id"].isin(by.index)
    table.loc[mine, "one_off_cost"] = table.loc[mine, "one_off_cost"] + table.loc[mine, "option_id"].map(by["amount"])
    table.loc[mine, "pv_costs"] = table.loc[mine, "pv_costs"] + table.loc[mine, "option_id"].map(by["pv"])
    table.loc[mine, "npv"] = table.loc[mine, "npv"] - table.loc[mine, "option_id"].map(by["pv"])
    nets = flows.loc[flows["option_id"].isin(by.index)].sort_values(["option_id", "t"]).groupby("option_id")["net"]
    paybacks = nets.agg(lambda s: payback_years(s.to_numpy()))
    table.loc[mine, "payback_years"] = table.loc[mine, "option_id"].map(paybacks).astype(float)
    table["meets_minimum_npv"] = table["npv"] >= a.minimum_option_npv

    year = a.first_year + added["t"]
    by_year = pd.concat([options.one_off_by_year, pd.DataFrame({"option_id": added["option_id"], "year": year,
                                                                 "amount": added["amount"]})], ignore_index=True)
    by_year = by_year.groupby(["option_id", "year"], as_index=False)["amount"].sum()
    breakdown = options.one_off_breakdown
    extra_rows = pd.DataFrame({"option_id": added["option_id"], "category": "vendor_management",
                               "amount_before_bias": added["before"], "amount": added["amount"]})
    order = {c: i for i, c in enumerate(breakdown["category"].drop_duplicates())}
    breakdown = (pd.concat([breakdown, extra_rows], ignore_index=True)
                 .groupby(["option_id", "category"], as_index=False, sort=False)[["amount_before_bias", "amount"]].sum())
    breakdown = breakdown.assign(_o=breakdown["category"].map(order).fillna(len(order))).sort_values(
        ["option_id", "_o"], kind="stable").drop(columns="_o").reset_index(drop=True)

    shares = options.partner_shares.copy()
    pick = shares["option_id"].isin(by.index)
    shares.loc[pick, "one_off_cost"] = shares.loc[pick, "cost_share"] * shares.loc[pick, "option_id"].map(
        table.set_index("option_id")["one_off_cost"])
    shares.loc[pick, "npv"] = shares.loc[pick, "npv"] - shares.loc[pick, "cost_share"] * shares.loc[
        pick, "option_id"].map(by["pv"])
    return replace(options, options=table, cash_flows=flows, one_off_by_year=by_year, one_off_breakdown=breakdown,
                   partner_shares=shares)


def service_terms(options: Any, partners: pd.DataFrame, start_index: pd.Series, assumptions: Any) -> pd.DataFrame:
    """The agreement of each shared-service option: host, buyers, start, end date, renewal and charge.

    Parameters
    ----------
    options : estate.options.Options
        After :func:`estate.schedule.apply_schedule`.
    partners : DataFrame
        :func:`service_partners`.
    start_index : Series
        Each option's start, a year index from year 0 (its natural start,
        held to vesting, plus its delay when recommended): where
        :func:`add_renewals`' cost lands less ``shared_service_years``.
    assumptions : estate.assumptions.Assumptions

    Returns
    -------
    DataFrame
        Columns :data:`SERVICE_COLUMNS`: ``end_date`` = the first day of the
        start year plus ``shared_service_years``, less a day;
        ``renewal_year`` the year after it; ``renewal_cost`` after bias,
        0 past the appraisal; ``service_charge`` the buyers' yearly total.
    """
    from estate.appraisal import fy_label, fy_start

    a = assumptions
    ids = _shared_ids(options)
    if not len(ids) or not len(partners):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in SERVICE_COLUMNS})
    p = partners.loc[partners["option_id"].isin(ids)]
    host = p.groupby("option_id")["host"].first()

    def orgs(role: str) -> pd.Series:
        return p.loc[p["role"].eq(role)].groupby("option_id")["organisation"].agg(lambda s: "; ".join(sorted(s)))

    buyers = p.loc[p["role"].eq("buyer")].assign(successor=lambda f: f["successors"].map(_names)).explode("successor")
    buyers = buyers.loc[buyers["successor"].ne(buyers["host"])]
    buyer_names = buyers.groupby("option_id")["successor"].agg(lambda s: "; ".join(sorted(set(s))))
    out = pd.DataFrame({"option_id": ids.to_numpy()})
    out["host"] = out["option_id"].map(host).fillna("")
    out["buyers"] = out["option_id"].map(buyer_names).fillna("")
    out["host_organisations"] = out["option_id"].map(orgs("host")).fillna("")
    out["buyer_organisations"] = out["option_id"].map(orgs("buyer")).fillna("")
    out["n_buyers"] = out["option_id"].map(_n_buyers(p)).fillna(0).astype(np.int64)
    y = int(a.shared_service_years)
    start = a.first_year + start_index.reindex(out["option_id"]).fillna(0).astype(np.int64).to_numpy()
    out["start_year"] = start
    out["end_date"] = [pd.Timestamp(fy_start(int(s) + y, first_month=a.first_month)) - pd.Timedelta(days=1)
                       for s in start]
    out["renewal_year"] = start + y
    out["renewal_cost_before_bias"] = a.vendor_management_per_contract * out["n_buyers"].astype(float)
    inside = out["renewal_year"] < a.first_year + int(a.horizon_years)
    out["renewal_cost"] = np.where(inside, out["renewal_cost_before_bias"] * a.cost_factor, 0.0)
    shares = options.partner_shares
    charges = shares.loc[shares["option_id"].isin(ids)]
    if "service_charge" in charges:
        paid = -charges["service_charge"].clip(upper=0.0)
        out["service_charge"] = out["option_id"].map(paid.groupby(charges["option_id"]).sum()).fillna(0.0)
    else:
        out["service_charge"] = 0.0
    out["after_end"] = [
        (f"{b or 'the buyers'} re-contract with {h} for a further term at the same charge "
         f"(renewal {'in ' + fy_label(int(r), first_month=a.first_month) if i else 'after the appraisal'}); "
         "the charge runs on to the end of the appraisal") if n else "no buyer: nothing to renew"
        for b, h, r, i, n in zip(out["buyers"], out["host"], out["renewal_year"], inside, out["n_buyers"],
                                 strict=True)]
    return out.loc[:, list(SERVICE_COLUMNS)]


def apply_service_charges(options: Any, partners: pd.DataFrame, start_index: pd.Series, assumptions: Any) -> Any:
    """The options with each shared service's charge in its partners' annual saving and NPV, and its terms stated.

    Each partner share of a shared-service option gains ``service_role``,
    ``service_charge`` (:func:`service_charges`; yearly, received positive)
    and ``pv_service_charge`` (the charge times the discount factors of the
    years from the option's start to the end of the appraisal: the charge
    runs through the agreement and its renewal); its ``annual_saving`` and
    ``npv`` include them. Other rows get 0. The option's rationale states the
    host, the buyers, the end date, the charge and what follows the end date.

    Returns
    -------
    estate.options.Options
    """
    from estate.appraisal import fy_label

    a = assumptions
    shares = options.partner_shares.copy()
    for column in ("service_charge", "pv_service_charge"):
        shares[column] = 0.0
    shares["service_role"] = ""
    ids = _shared_ids(options)
    if not len(ids) or not len(partners):
        return replace(options, partner_shares=shares)
    pick = shares["option_id"].isin(ids)
    role = partners.set_index(["option_id", "organisation"])["role"]
    keys = pd.MultiIndex.from_frame(shares.loc[pick, ["option_id", "organisation"]])
    shares.loc[pick, "service_role"] = role.reindex(keys).fillna("none").to_numpy()
    after = options.options.set_index("option_id")["run_cost_after"]
    charge = service_charges(shares.loc[pick].assign(role=shares.loc[pick, "service_role"]), after,
                             charge=a.shared_service_charge)
    flows = options.cash_flows
    start = a.first_year + start_index.reindex(ids).fillna(0).astype(np.int64)
    later = flows.loc[flows["option_id"].isin(ids)]
    later = later.loc[later["year"].to_numpy() >= later["option_id"].map(start).to_numpy()]
    factor = later.groupby("option_id")["discount_factor"].sum()
    shares.loc[pick, "service_charge"] = charge.to_numpy()
    shares.loc[pick, "pv_service_charge"] = (charge * shares.loc[pick, "option_id"].map(factor).fillna(0.0)).to_numpy()
    shares["annual_saving"] = shares["annual_saving"] + shares["service_charge"]
    shares["npv"] = shares["npv"] + shares["pv_service_charge"]
    out = replace(options, partner_shares=shares)
    terms = service_terms(out, partners, start_index, a)
    table = options.options.copy()
    notes = terms.set_index("option_id")
    mine = table["option_id"].isin(notes.index)

    def note(option: str) -> str:
        r = notes.loc[option]
        if not r["n_buyers"]:
            return ""
        return (f" Agreement from {fy_label(int(r['start_year']), first_month=a.first_month)} to "
                f"{r['end_date']:%d/%m/%Y}: {r['buyer_organisations']} ({r['buyers']}) pay {r['host']} a service "
                f"charge of {r['service_charge']:,.0f} a year ({a.shared_service_charge:.0%} of their share of the "
                f"run cost after); after the end date {r['after_end']}.")

    table.loc[mine, "rationale"] = table.loc[mine, "rationale"] + table.loc[mine, "option_id"].map(note)
    return replace(out, options=table)
