"""The run-cost model of a consolidation, by cost kind (TBM cost pools).

A system's annual cost is split into the kinds the inventory gives:
``licence`` (software licences and subscriptions), ``support`` (maintenance
and supplier support), ``hosting`` (hardware, hosting, data centre),
``staff`` (internal staff time) and ``other`` (the part of the annual cost no
kind was given for; all of it when only an annual cost was given). When the
kinds add up to more than the stated annual cost they are scaled down to it
(the reader reports the difference).

After a consolidation the survivor serves its own users U_S and the users R it
receives (each organisation's users counted once per capability:
:func:`estate.options.received_users`). Its run cost grows, kind by kind
(docs/costing.md states each rule and its source):

* licence: L × (1 + (R / U_S) × (1 − licence_volume_discount)): the added
  users are bought at the survivor's own unit price, less a volume tier;
* support, hosting and staff: K × (f + (1 − f) × (U_S + R) / U_S), with a
  fixed share f of each (``support_fixed_share``, ``hosting_fixed_share``,
  ``staff_fixed_share``) and the rest in proportion to users;
* other: O × ((U_S + R) / U_S) ^ scale_elasticity, the undivided cost's
  less-than-proportional growth.

There is no cap on the saving: it is what the retired systems cost less what
the survivor's cost grows by. Where the survivor runs cheaper a user than the
systems it retires, part of the saving is that its rates reach the users it
takes on; :func:`rates_note` says so in the option's rationale, with both
costs a user, for a reviewer to check (a licence tier or a deal of its own may
not extend). Staff time released is **non-cashable**
(HM Treasury and LGA practice: it is cash only if posts go), unless
``staff_saving_cashable`` says a share of it is: the saving is reported as
cashable and non-cashable.

Examples
--------
>>> import pandas as pd
>>> from estate.assumptions import load_assumptions
>>> a = load_assumptions()
>>> parts = cost_parts(pd.DataFrame({"annual_cost": [100_000.0], "licence_cost": [60_000.0],
...                                  "staff_cost": [30_000.0]}))
>>> parts.round(0).to_dict("records")
[{'licence': 60000.0, 'support': 0.0, 'hosting': 0.0, 'staff': 30000.0, 'other': 10000.0}]
>>> after = survivor_cost_after(parts, own_users=[100.0], received=[50.0], assumptions=a)
>>> after.round(0).to_dict("records")
[{'licence': 87000.0, 'support': 0.0, 'hosting': 0.0, 'staff': 37500.0, 'other': 13832.0}]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from estate.assumptions import Assumptions

__all__ = ["COST_KINDS", "EPR_JOBS", "ERP_JOBS", "REPLACEMENT_CLASSES", "cost_parts", "non_cashable_share",
           "rates_note", "replacement_class", "replacement_per_user", "survivor_cost_after"]

EPR_JOBS = frozenset({"NHS-EPR", "NHS-MHEPR", "NHS-COMMEPR"})
"""Jobs whose platforms are a trust's patient record: replacing one is an EPR programme. (A GP practice's
clinical system moves under the national GP IT framework, practice by practice: a platform, not an EPR
programme.)"""

ERP_JOBS = frozenset({"CORP-FIN", "CORP-HR", "CORP-PROC"})
"""Jobs whose platforms are ERPs (finance, HR and payroll, procurement)."""

REPLACEMENT_CLASSES = ("EPR platform", "ERP platform", "platform", "")
"""What retiring a system is, for its one-off replacement programme cost (blank: a point solution or module)."""

COST_KINDS = ("licence", "support", "hosting", "staff", "other")
"""The kinds of run cost, in order: the first four as the inventory gives them, ``other`` the rest."""

_GIVEN = {"licence": "licence_cost", "support": "support_cost", "hosting": "hosting_cost", "staff": "staff_cost"}


def cost_parts(systems: pd.DataFrame, annual_cost: str = "annual_cost") -> pd.DataFrame:
    """Each system's annual cost by kind (:data:`COST_KINDS`), adding up to its annual cost.

    Parameters
    ----------
    systems : DataFrame
        ``annual_cost`` (missing is 0) and, where given, ``licence_cost``,
        ``support_cost``, ``hosting_cost`` and ``staff_cost``.
    annual_cost : str, default="annual_cost"
        The column holding the annual cost.

    Returns
    -------
    DataFrame
        Indexed like ``systems``; the kinds given, scaled down to the annual
        cost when they add up to more, and ``other`` the remainder.
    """
    total = pd.to_numeric(systems[annual_cost], errors="coerce").fillna(0.0).clip(lower=0.0).to_numpy(float) \
        if annual_cost in systems else np.zeros(len(systems))
    given = np.column_stack([
        pd.to_numeric(systems[column], errors="coerce").fillna(0.0).clip(lower=0.0).to_numpy(float)
        if column in systems else np.zeros(len(systems))
        for column in _GIVEN.values()
    ]) if len(systems) else np.zeros((0, len(_GIVEN)))
    summed = given.sum(axis=1)
    scale = np.where(summed > total, np.divide(total, summed, out=np.zeros_like(total), where=summed > 0), 1.0)
    given = given * scale[:, None]
    other = np.maximum(total - given.sum(axis=1), 0.0)
    return pd.DataFrame(np.column_stack([given, other]), columns=list(COST_KINDS), index=systems.index)


def survivor_cost_after(parts: pd.DataFrame, *, own_users: Sequence[float] | np.ndarray,
                        received: Sequence[float] | np.ndarray, assumptions: Assumptions) -> pd.DataFrame:
    """The survivor's run cost by kind once it serves ``received`` more users (see the module's rules).

    Parameters
    ----------
    parts : DataFrame
        The survivor's :func:`cost_parts`, one row a survivor.
    own_users, received : array-like
        Its own users U_S (at least 1) and the users R it takes on.
    assumptions : Assumptions
        ``licence_volume_discount``, ``support_fixed_share``,
        ``hosting_fixed_share``, ``staff_fixed_share``, ``scale_elasticity``.
    """
    a = assumptions
    u = np.maximum(np.asarray(own_users, dtype=float), 1.0)
    r = np.maximum(np.asarray(received, dtype=float), 0.0)
    ratio = (u + r) / u

    def partly_fixed(fixed: float) -> np.ndarray:
        return fixed + (1.0 - fixed) * ratio

    out = pd.DataFrame({
        "licence": parts["licence"].to_numpy(float) * (1.0 + (r / u) * (1.0 - a.licence_volume_discount)),
        "support": parts["support"].to_numpy(float) * partly_fixed(a.support_fixed_share),
        "hosting": parts["hosting"].to_numpy(float) * partly_fixed(a.hosting_fixed_share),
        "staff": parts["staff"].to_numpy(float) * partly_fixed(a.staff_fixed_share),
        "other": parts["other"].to_numpy(float) * ratio ** a.scale_elasticity,
    }, index=parts.index)
    return out


def replacement_class(product_class: pd.Series, job: pd.Series) -> pd.Series:
    """``EPR platform``, ``ERP platform``, ``platform`` or blank for each retired system.

    Examples
    --------
    >>> replacement_class(pd.Series(["platform", "platform", "platform", "module", None]),
    ...                   pd.Series(["NHS-EPR", "CORP-HR", "ESD-38", "NHS-EPR", "CORP-FIN"])).tolist()
    ['EPR platform', 'ERP platform', 'platform', '', '']
    """
    platform = product_class.eq("platform").to_numpy()
    epr = job.isin(EPR_JOBS).to_numpy()
    erp = job.isin(ERP_JOBS).to_numpy()
    return pd.Series(np.select([platform & epr, platform & erp, platform], REPLACEMENT_CLASSES[:3], ""),
                     index=product_class.index, dtype=object)


def replacement_per_user(kind: pd.Series, assumptions: Assumptions) -> np.ndarray:
    """The one-off replacement programme cost a user of a retired system, by its :func:`replacement_class`.

    An EPR or ERP replacement is a programme costed from published business
    cases (``epr_replacement_per_user``, ``erp_replacement_per_user``, with
    their sources on the Assumptions sheet); another platform costs
    ``platform_replacement_per_user``; a point solution or module moves for
    the per-system defaults alone (0 here).
    """
    a = assumptions
    rates = {"EPR platform": a.epr_replacement_per_user, "ERP platform": a.erp_replacement_per_user,
             "platform": a.platform_replacement_per_user}
    return kind.map(rates).fillna(0.0).to_numpy(float)


def non_cashable_share(assumptions: Assumptions) -> float:
    """The share of a staff saving that is non-cashable: 1 − ``staff_saving_cashable``.

    Examples
    --------
    >>> from estate.assumptions import load_assumptions
    >>> non_cashable_share(load_assumptions())
    1.0
    """
    return 1.0 - assumptions.staff_saving_cashable


def rates_note(members: pd.DataFrame, received: pd.Series, currency: str = "GBP") -> pd.Series:
    """The sentence an option's rationale gains when its survivor runs cheaper a user than what it retires.

    The saving then rests partly on the survivor's rates (kind by kind,
    :func:`survivor_cost_after`) reaching the users it takes on: a reviewer
    should check that they do (its price may be a licence tier, or a deal,
    of its own). A cost a user is a system's annual cost over its users,
    where both are given; the systems retired are compared by their costs
    and users added up.

    Parameters
    ----------
    members : DataFrame
        One row a system of an option: ``cand`` (the option), ``effect``
        (``survive`` for its survivor, ``retire``), ``annual_cost`` and
        ``users``.
    received : Series
        The users each option's survivor takes on, by ``cand``.
    currency : str, default="GBP"
        The plan's currency.

    Returns
    -------
    Series
        By ``cand`` (those of ``received``): the sentence, with a leading
        space, or ``""``.

    Examples
    --------
    >>> members = pd.DataFrame({"cand": [0, 0, 0, 1, 1],
    ...                         "effect": ["survive", "retire", "retire", "survive", "retire"],
    ...                         "annual_cost": [56_000.0, 149_000.0, 72_000.0, 90_000.0, 10_000.0],
    ...                         "users": [638.0, 388.0, 230.0, 60.0, 40.0]})
    >>> notes = rates_note(members, pd.Series([618.0, 40.0], index=[0, 1]))
    >>> print(notes[0].strip())  # 56,000 / 638; 72,000 / 230 and 149,000 / 388; 221,000 / 618
    ... # doctest: +NORMALIZE_WHITESPACE
    Cost a user a year: £88 on the survivor against £313 to £384 on the systems it retires
    (£358 together); the saving assumes its rates reach the 618 users it takes on.
    >>> notes[1]
    ''
    """
    from estate.plan import money_text

    cost = pd.to_numeric(members["annual_cost"], errors="coerce").to_numpy(float)
    users = pd.to_numeric(members["users"], errors="coerce").to_numpy(float)
    known = (cost > 0) & (users > 0)
    survive = members["effect"].eq("survive").to_numpy(bool)
    cand = members["cand"].to_numpy()
    frame = pd.DataFrame({"cand": cand[known], "survive": survive[known], "cost": cost[known], "users": users[known]})
    frame["rate"] = frame["cost"] / frame["users"]
    own = frame.loc[frame["survive"]].groupby("cand")[["cost", "users"]].sum()
    retired = frame.loc[~frame["survive"]].groupby("cand").agg(cost=("cost", "sum"), users=("users", "sum"),
                                                               low=("rate", "min"), high=("rate", "max"),
                                                               n=("rate", "size"))
    table = pd.DataFrame({"own": own["cost"] / own["users"], "theirs": retired["cost"] / retired["users"]})
    table = table.join(retired[["low", "high", "n"]]).reindex(received.index)
    out = pd.Series("", index=received.index, dtype=object)
    cheaper = (table["own"] < table["theirs"]).to_numpy(bool)
    if not cheaper.any():
        return out

    def money(value: float) -> str:
        return money_text(value, currency)

    words = []
    for own_rate, theirs, low, high, n, taken in zip(
            *(table.loc[cheaper, c].tolist() for c in ("own", "theirs", "low", "high", "n")),
            received.loc[cheaper].tolist(), strict=True):
        if n == 1:
            retired_words = f"{money(theirs)} on the system it retires"
        else:
            spread = money(low) if money(low) == money(high) else f"{money(low)} to {money(high)}"
            retired_words = f"{spread} on the systems it retires ({money(theirs)} together)"
        words.append(f" Cost a user a year: {money(own_rate)} on the survivor against {retired_words}; the saving "
                     f"assumes its rates reach the {taken:,.0f} users it takes on.")
    out.loc[cheaper] = words
    return out
