"""Sharing a portfolio fairly between partners.

Each body guards its own budget (the seed article's point), so a plan must show
every partner its own position, not only the total. :func:`share_portfolio`
adds up each partner's share of the recommended options and, where a partner
would lose, works out the transfer between partners that leaves every partner
no worse off.

Allocation rule
---------------
The split of each option between its partners is made when the option is
costed (:mod:`estate.options`), under the ``allocation_rule`` assumption:

* ``users`` (the default): the shared platform's run cost after and the
  option's one-off costs are split by the users each partner brings to it;
* ``spend``: by each partner's run cost before;
* ``equal``: equally between the partners.

A partner's *saving share* is its own annual saving (what it pays before less
its share of what is paid after) over the option's annual saving, and its NPV
is ``saving_share × PV(savings) − cost_share × PV(costs)``. Both shares sum to
one over an option's partners, so the partners' figures add up exactly to the
option's, and over the portfolio to the recommended totals.

Transfers
---------
Where the portfolio leaves partners with a negative NPV, the gainers pay them
that amount in present-value terms, each in proportion to its own NPV:

    transfer_p = −NPV_p                            for a loser (received)
    transfer_p = −L × NPV_p / G                    for a gainer (paid)

where L is the sum of the losers' negative NPVs made positive and G the sum of
the gainers' NPVs. After transfers every partner's NPV is at least zero
provided the portfolio's NPV is (L ≤ G), and the transfers sum to zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["PARTNER_COLUMNS", "PartnerShares", "share_portfolio"]

PARTNER_COLUMNS = ("organisation", "run_cost_today", "annual_saving", "one_off_cost", "npv", "options",
                   "transfer", "npv_after_transfer", "position")
"""Columns of :attr:`PartnerShares.partners`."""


@dataclass(frozen=True)
class PartnerShares:
    """Each partner's position under a portfolio.

    Attributes
    ----------
    partners : DataFrame
        One row an organisation, columns :data:`PARTNER_COLUMNS`: its run
        cost today (all its systems), and its share of the recommended
        options' annual saving, one-off cost and NPV; the transfer it receives
        (positive) or pays (negative); its NPV after transfer; and a plain
        ``position`` ("gains", "loses before transfer", "no part").
    by_option : DataFrame
        The partner shares of the recommended options, one row an option and
        partner.
    """

    partners: pd.DataFrame
    by_option: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The partners table."""
        return self.partners.copy()

    @property
    def losers(self) -> list[str]:
        """Partners whose NPV is negative before transfers."""
        return self.partners.loc[self.partners["npv"] < 0, "organisation"].tolist()


def share_portfolio(partner_shares: pd.DataFrame, chosen: Iterable[str], *,
                    run_cost_today: pd.Series | None = None) -> PartnerShares:
    """Add up each partner's share of the chosen options and the fair transfers.

    Parameters
    ----------
    partner_shares : DataFrame
        One row an option and partner, with ``option_id``, ``organisation``,
        ``annual_saving``, ``one_off_cost`` and ``npv`` (as
        :attr:`estate.options.Options.partner_shares`).
    chosen : iterable of str
        The option ids of the portfolio.
    run_cost_today : Series, optional
        Each organisation's annual run cost today, indexed by organisation;
        every organisation in it gets a row, even one in no option.

    Returns
    -------
    PartnerShares

    Examples
    --------
    >>> shares = pd.DataFrame({
    ...     "option_id": ["SP-001", "SP-001"], "organisation": ["Eden", "Carlisle"],
    ...     "annual_saving": [30_000.0, 10_000.0], "one_off_cost": [20_000.0, 60_000.0],
    ...     "npv": [150_000.0, -20_000.0]})
    >>> result = share_portfolio(shares, ["SP-001"])
    >>> result.partners[["organisation", "npv", "transfer", "npv_after_transfer"]]
      organisation       npv  transfer  npv_after_transfer
    0     Carlisle  -20000.0   20000.0                 0.0
    1         Eden  150000.0  -20000.0            130000.0
    """
    chosen = set(chosen)
    by_option = partner_shares[partner_shares["option_id"].isin(chosen)].sort_values(
        ["option_id", "organisation"], kind="stable").reset_index(drop=True)
    totals = by_option.groupby("organisation", sort=True).agg(
        annual_saving=("annual_saving", "sum"), one_off_cost=("one_off_cost", "sum"), npv=("npv", "sum"),
        options=("option_id", lambda ids: "; ".join(sorted(ids))))
    if run_cost_today is not None:
        index = totals.index.union(pd.Index(run_cost_today.index, name="organisation"))
        totals = totals.reindex(index)
        totals["run_cost_today"] = run_cost_today.reindex(index).astype(float)
    else:
        totals["run_cost_today"] = np.nan
    totals[["annual_saving", "one_off_cost", "npv"]] = totals[["annual_saving", "one_off_cost", "npv"]].fillna(0.0)
    totals["options"] = totals["options"].fillna("")
    totals["transfer"] = _transfers(totals["npv"].to_numpy(dtype=float))
    totals["npv_after_transfer"] = totals["npv"] + totals["transfer"]
    totals["position"] = np.select(
        [totals["options"].eq(""), totals["npv"] < 0], ["no part", "loses before transfer"], "gains")
    partners = totals.reset_index().rename(columns={"index": "organisation"})
    return PartnerShares(partners.loc[:, list(PARTNER_COLUMNS)], by_option)


def _transfers(npv: np.ndarray) -> np.ndarray:
    """Transfers that bring every loser to zero, paid by gainers pro rata to their NPV."""
    losses = -npv[npv < 0].sum()
    gains = npv[npv > 0].sum()
    out = np.zeros_like(npv)
    if losses <= 0 or gains <= 0:
        return out
    covered = 1.0 if losses <= gains else gains / losses  # the share of losses the gains can make good
    out[npv < 0] = -npv[npv < 0] * covered
    out[npv > 0] = -min(losses, gains) * npv[npv > 0] / gains
    return out
