"""The whole job in one call: from inventories and assumptions to a plan.

:func:`make_plan` runs the pipeline the package is laid out as — read the
inventories, match products and capabilities, find overlaps, generate and
cost options, choose the portfolio, share it between partners and lay out
the roadmap — and returns a :class:`Plan` holding every intermediate result
as DataFrames (and the estate graph, built when first asked for), so a
notebook can look at any step and the workbook writer can lay out every
figure.

Examples
--------
>>> import estate
>>> plan = estate.make_plan("inventories/cumbria")                # doctest: +SKIP
>>> plan.headline()["Recommended annual saving"]                  # doctest: +SKIP
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from estate._collector import collector_paused
from estate.assumptions import Assumptions, load_assumptions
from estate.errors import ParameterError, SolverError
from estate.inventory import ISSUE_COLUMNS, Inventory

if TYPE_CHECKING:
    import networkx as nx

    from estate.options import Options
    from estate.overlaps import Overlaps
    from estate.portfolio import Portfolio, PortfolioConstraints
    from estate.reorganisation import Reorganisation
    from estate.roadmap import Roadmap
    from estate.schedule import Schedule
    from estate.sensitivity import Sensitivity
    from estate.sharing import PartnerShares

__all__ = ["CURRENCY_SYMBOLS", "FATES", "Plan", "make_plan", "money_text", "payback_text", "run_cost_in_scope",
           "run_cost_today", "uncosted_findings"]

CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}
"""The symbol written before an amount in these currencies; others are written after it as their code."""

FATES = ("Retire", "Survivor", "Re-contract", "Split", "Keep")
"""What happens to a system under the plan (CONTRACT §4)."""

_FATE_OF_EFFECT = {"retire": "Retire", "survive": "Survivor", "recontract": "Re-contract", "move": "Keep"}

Progress = Callable[[str], None]
"""Called with the name of each step as it starts (the CLI shows it)."""


@dataclass(frozen=True)
class Plan:
    """A consolidation plan and everything it was made from.

    Attributes
    ----------
    inventory : Inventory
        What was read.
    matched : DataFrame
        The systems after matching (multi-product rows split), with product,
        vendor and capability and their confidences.
    graph : networkx.MultiDiGraph
        The estate graph (:mod:`estate.graph`), built from ``matched`` and
        ``inventory`` when first asked for: no figure of the plan needs it, and
        at 100,000 systems it takes a second or more.
    overlaps : Overlaps
        Where organisations duplicate each other (:mod:`estate.overlaps`).
    assumptions : Assumptions
        Every parameter used.
    options : Options
        Every candidate option, costed and appraised (:mod:`estate.options`).
    portfolio : Portfolio
        The recommended options and the solver's status (:mod:`estate.portfolio`).
    partners : PartnerShares
        What each partner pays and saves, and fair transfers (:mod:`estate.sharing`).
    roadmap : Roadmap
        When each recommended option starts and ends (:mod:`estate.roadmap`).
    reorganisation : Reorganisation or None
        Successors, the options dropped at their boundaries and the divided
        systems' ways of division (:mod:`estate.reorganisation`).
    schedule : Schedule or None
        When each recommended option starts and what set it (:mod:`estate.schedule`).
    fit_overrides : DataFrame or None
        The user's fit overrides the plan was made with (:mod:`estate.fit_overrides`).
    partner_budgets : dict of (str, int) to float
        The most one-off cost each partner may bear in a financial year, as
        the schedule kept them (:mod:`estate.budgets`); empty when none were
        given. The workbook writes them on ``Assumptions``, so a re-plan from
        it keeps them.
    partner_budgets_source : str
        Where they came from (``--budgets budgets.csv``), for the sheet's Source column.
    """

    inventory: Inventory
    matched: pd.DataFrame
    overlaps: Overlaps
    assumptions: Assumptions
    options: Options
    portfolio: Portfolio
    partners: PartnerShares
    roadmap: Roadmap
    reorganisation: Reorganisation | None = None
    schedule: Schedule | None = None
    fit_overrides: pd.DataFrame | None = None
    partner_budgets: Mapping[tuple[str, int], float] = field(default_factory=dict)
    partner_budgets_source: str = ""
    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)  # fresh on replace()

    @property
    def graph(self) -> nx.MultiDiGraph:
        """The estate graph: :func:`estate.graph.build_graph` of ``matched`` and ``inventory``, built on first use."""
        if "graph" not in self._cache:
            from estate.graph import build_graph

            self._cache["graph"] = build_graph(self.matched, inventory=self.inventory)
        return self._cache["graph"]

    def _summary(self) -> list[tuple[str, str]]:
        from estate.narrative import money_text

        head = self.headline()
        c = self.assumptions.currency
        return [("organisations", f"{head['Organisations']:,}"), ("systems", f"{head['Systems']:,}"),
                ("options", f"{len(self.options.options):,}"), ("recommended", f"{head['Recommended options']:,}"),
                ("annual_saving", money_text(head["Recommended annual saving"], c)),
                ("one_off_cost", money_text(head["One-off cost"], c)), ("npv", money_text(head["NPV"], c)),
                ("status", str(getattr(self.portfolio, "status", "")))]

    def __repr__(self) -> str:
        from estate._display import text

        return text("Plan", self._summary())

    def _repr_html_(self) -> str:
        from estate._display import html

        table = self.options_table()
        chosen = table.loc[table["recommended"], ["option_id", "type", "capability_name", "annual_saving",
                                                  "one_off_cost", "npv"]]
        return html("Plan", self._summary(), chosen, "Recommended options")

    @property
    def recommended(self) -> tuple[str, ...]:
        """The option ids of the portfolio, sorted."""
        return tuple(self.portfolio.chosen)

    def options_table(self) -> pd.DataFrame:
        """Every option with a ``recommended`` flag, recommended first then by NPV."""
        table = self.options.options.assign(recommended=self.options.options["option_id"].isin(self.recommended))
        return table.sort_values(["recommended", "npv", "option_id"], ascending=[False, False, True],
                                 kind="stable").reset_index(drop=True)

    def portfolio_cash_flows(self) -> pd.DataFrame:
        """The recommended options' cash flows added up by year."""
        flows = self.options.cash_flows
        chosen = flows[flows["option_id"].isin(self.recommended)]
        years = flows.drop_duplicates("t").sort_values("t")[["t", "year", "label", "discount_factor"]]
        sums = chosen.groupby("t")[["savings", "costs"]].sum()
        out = years.set_index("t").join(sums).fillna({"savings": 0.0, "costs": 0.0}).reset_index()
        out["net"] = out["savings"] - out["costs"]
        out["present_value"] = out["net"] * out["discount_factor"]
        out["cumulative_net"] = out["net"].cumsum()
        return out

    def systems_table(self) -> pd.DataFrame:
        """Every system with the option(s) that touch it and its fate under the plan."""
        effects = self.options.effects
        mine = effects[effects["option_id"].isin(self.recommended)]
        rank = {fate: i for i, fate in enumerate(FATES)}
        ranks = mine["effect"].map(_FATE_OF_EFFECT).map(rank).to_numpy(dtype=float)
        # Systems and options as integer codes (strings are slow to sort and align at 100,000 systems).
        system, keys = pd.factorize(mine["system_key"])
        option, ids = pd.factorize(mine["option_id"])
        ids = np.asarray(ids, dtype=object)
        known = (system >= 0) & (option >= 0)
        best = pd.Series(ranks[known]).groupby(system[known]).min().reindex(range(len(keys)))
        # Each system's options, sorted and joined: most systems have one, so only the others are joined.
        order = np.empty(len(ids), dtype=np.intp)
        order[np.argsort(ids, kind="stable")] = np.arange(len(ids))  # each option's place in text order
        pairs = pd.DataFrame({"system": system[known], "option": option[known]}).drop_duplicates()
        pairs = pairs.iloc[np.lexsort((order[pairs["option"].to_numpy()], pairs["system"].to_numpy()))]
        several = pairs["system"].duplicated(keep=False).to_numpy()
        text = np.full(len(keys), None, dtype=object)
        one = pairs[~several]
        text[one["system"].to_numpy()] = ids[one["option"].to_numpy()]
        if several.any():
            many = pairs[several]
            joined = pd.Series(ids[many["option"].to_numpy()]).groupby(many["system"].to_numpy()).agg("; ".join)
            text[joined.index.to_numpy()] = joined.to_numpy()
        per_system = pd.DataFrame({"option": text, "_rank": best.to_numpy()}, index=pd.Index(keys, name="system_key"))
        systems = self.matched.join(per_system, on="system_key")
        systems["fate"] = systems["_rank"].map(dict(enumerate(FATES))).fillna("Keep")
        systems["option"] = systems["option"].fillna("")
        if self.reorganisation is not None:  # a divided system is split (or retired part by part), never kept
            divided = systems["system_key"].map(self.reorganisation.fates())
            systems["fate"] = systems["fate"].where(systems["fate"].ne("Keep") | divided.isna(), divided)
        return systems.drop(columns="_rank")

    def vesting(self) -> pd.DataFrame:
        """The contract decisions due before a vesting date still ahead (the ``Vesting`` sheet).

        See :func:`estate.reorganisation.vesting_decisions`.
        """
        from estate.reorganisation import vesting_decisions

        if "vesting" not in self._cache:
            effects = self.options.effects
            mine = effects[effects["option_id"].isin(self.recommended) & effects["effect"].eq("retire")]
            retiring = mine.groupby("system_key")["option_id"].agg(lambda s: "; ".join(sorted(set(s))))
            a = self.assumptions
            self._cache["vesting"] = vesting_decisions(
                self.matched, self.inventory.organisations,
                as_of=pd.Timestamp(a.decisions_date),
                default_notice_months=a.default_notice_months, contracts=self.inventory.contracts,
                options_of_system=retiring,
                divided=None if self.reorganisation is None else self.reorganisation.divisions,
                first_month=a.first_month, jointly=a.predecessors_act_jointly == "yes")
        return self._cache["vesting"]

    def successors(self) -> pd.DataFrame:
        """Each successor authority's inheritance and plan (the ``Successors`` sheet).

        See :func:`estate.reorganisation.successor_view`; the rows add up to
        the ``Partners`` sheet's run cost, saving, one-off cost and NPV.
        """
        from estate.reorganisation import Reorganisation, successor_view

        reorg = self.reorganisation or Reorganisation.none(self.matched)
        return successor_view(self.matched, self.inventory.organisations, self.partners.partners,
                              reorg.successors, reorg.divisions, sites=self.inventory.sites,
                              contracts=self.inventory.contracts)

    def issues(self, *, defaults: bool = True) -> pd.DataFrame:
        """The inventory's data issues, matching's (:func:`estate.matching.match_issues`), expired contracts
        before vesting and, unless ``defaults=False``, one row for every default the costing applied."""
        from estate.matching import match_issues
        from estate.narrative import default_text
        from estate.reorganisation import expired_contract_issues

        used = self.options.defaults_used
        issues = self.inventory.issues
        found = match_issues(self.matched)  # parts of product cells not read as products; systems with none
        if len(found):
            issues = pd.concat([issues, found], ignore_index=True)
        expired = expired_contract_issues(self.vesting(), self.matched)
        if len(expired):
            issues = pd.concat([issues, expired], ignore_index=True)
        if defaults and len(used):
            currency = self.assumptions.currency
            d = used
            rows = pd.DataFrame({
                "source_file": d.get("source_file", ""),
                "sheet": d.get("source_sheet", ""),
                "source_row": pd.array(d.get("source_row", pd.Series(dtype="Int64")), dtype="Int64"),
                "column": d["column"],
                "severity": "info",
                "problem": "default used in costing: " + d["note"].astype(str),
                "value": [default_text(c, v, currency) for c, v in zip(d["column"], d["default"], strict=True)],
            })
            issues = pd.concat([issues, rows[list(ISSUE_COLUMNS)]], ignore_index=True)
        return issues.reset_index(drop=True)

    def sensitivity(self) -> Sensitivity:
        """Switching values, tornado and Monte Carlo of the recommended options (:mod:`estate.sensitivity`).

        Computed once a plan and kept: the simulation is seeded, so it is the same every time.
        """
        if "sensitivity" not in self._cache:
            from estate.sensitivity import plan_sensitivity

            self._cache["sensitivity"] = plan_sensitivity(self)
        return self._cache["sensitivity"]

    def write(self, path: str | Path, **kwargs: Any) -> Path:
        """Write the plan workbook: :func:`estate.workbook.write_plan` (``charts=``, ``created=``)."""
        from estate.workbook import write_plan

        return write_plan(self, path, **kwargs)

    def write_pack(self, path: str | Path) -> Path:
        """Write the board pack, a short PDF of the plan: :func:`estate.pack.write_pack`."""
        from estate.pack import write_pack

        return write_pack(self, path)

    def headline(self) -> dict[str, float | int]:
        """The Summary figures, on one basis: after the optimism-bias adjustment.

        ``Recommended annual saving`` is the steady-state saving after the
        optimism-bias reduction: the recommended options' ``savings`` in the
        last year of the appraisal (CONTRACT §4). ``One-off cost`` is after the
        optimism-bias uplift. ``Annual saving before optimism bias`` is the
        options' full-year saving before that reduction, labelled so.
        ``Run cost in scope`` is :func:`run_cost_in_scope` of the candidate
        options, and ``Saving as share of run cost in scope`` the saving over
        it (the share DOMAIN.md's 5-20% band reads).
        ``Saving as share of run cost`` is NaN when no run cost is known and
        ``Payback years`` NaN when the plan does not pay back within the
        appraisal period (0 means within the first year): :meth:`headline_text`
        words them for people. Counts (organisations, systems, recommended
        options) are ints.
        """
        from estate.appraisal import payback_years

        chosen = self.options.options[self.options.options["option_id"].isin(self.recommended)]
        flows = self.portfolio_cash_flows()
        run_cost = float(run_cost_today(self.matched, self.inventory.sites).sum())
        in_scope = run_cost_in_scope(self.options.effects)
        saving = float(flows["savings"].iloc[-1]) if len(flows) else 0.0
        # Doing the minimum: every contract renewed as it falls due, today's run cost each year, discounted.
        a = self.assumptions
        bau = run_cost * float((1.0 / (1.0 + a.discount_rate) ** np.arange(a.horizon_years)).sum())
        return {
            "Organisations": int(self.matched["organisation"].nunique()),
            "Systems": len(self.matched),
            "Annual run cost": run_cost,
            "Recommended options": len(chosen),
            "Recommended annual saving": saving,
            "Saving as share of run cost": saving / run_cost if run_cost else float("nan"),
            "Run cost in scope": in_scope,
            "Saving as share of run cost in scope": saving / in_scope if in_scope else float("nan"),
            "Annual saving before optimism bias": float(chosen["annual_saving"].sum()),
            "Cashable saving before optimism bias": float(chosen["cashable_saving"].sum()),
            "Non-cashable saving before optimism bias": float(chosen["non_cashable_saving"].sum()),
            "One-off cost": float(chosen["one_off_cost"].sum()),
            "NPV": float(chosen["npv"].sum()),
            # No option recommended: nothing to pay back (not "within the first year").
            "Payback years": float(payback_years(flows["net"].to_numpy())) if len(flows) and len(chosen)
            else float("nan"),
            "Business as usual: run cost over the appraisal (PV)": bau,
            "Recommended plan: run cost and one-off costs (PV)": bau - float(chosen["npv"].sum()),
        }

    @property
    def has_costs(self) -> bool:
        """Whether any system or site has a run cost: without one, no option is costed or appraised."""
        return bool(run_cost_today(self.matched, self.inventory.sites).abs().sum() > 0)

    def headline_text(self) -> list[tuple[str, str]]:
        """The headline figures as people read them, in the plan's currency; never ``nan``.

        Examples
        --------
        >>> plan = make_plan("inventories/cumbria")                 # doctest: +SKIP
        >>> dict(plan.headline_text())["Payback"]                    # doctest: +SKIP
        '2.4 years'
        """
        head = self.headline()
        a = self.assumptions
        money = lambda value: money_text(value, a.currency)  # noqa: E731
        if not self.has_costs:
            costed = "not costed: no annual costs were given"
            return [
                ("Organisations", f"{head['Organisations']:,.0f}"),
                ("Systems", f"{head['Systems']:,.0f}"),
                ("Annual run cost", "not known: no annual costs were given"),
                ("Recommended options", f"{head['Recommended options']:,.0f}"),
                ("Recommended annual saving", costed),
                ("One-off cost", costed),
                ("NPV", costed),
                ("Payback", costed),
            ]
        share = head["Saving as share of run cost"]
        scope_share = head["Saving as share of run cost in scope"]
        return [
            ("Organisations", f"{head['Organisations']:,.0f}"),
            ("Systems", f"{head['Systems']:,.0f}"),
            ("Annual run cost", money(head["Annual run cost"])),
            ("Recommended options", f"{head['Recommended options']:,.0f}"),
            ("Recommended annual saving", f"{money(head['Recommended annual saving'])} after optimism bias"
                                          + (f" ({share:.1%} of run cost)" if share == share else "")),
            ("Run cost in scope", f"{money(head['Run cost in scope'])} a year (the saving is {scope_share:.1%} of it)"
             if scope_share == scope_share else "none: no option is costed"),
            ("Before optimism bias", f"{money(head['Annual saving before optimism bias'])} a year, of which "
                                     f"{money(head['Cashable saving before optimism bias'])} cashable"),
            ("One-off cost", f"{money(head['One-off cost'])} after optimism bias"),
            ("NPV", f"{money(head['NPV'])} over {a.horizon_years} years at {a.discount_rate:.1%}"),
            ("Payback", payback_text(head["Payback years"]) if len(self.recommended) else "no option recommended"),
            ("Against business as usual", f"{money(head['Recommended plan: run cost and one-off costs (PV)'])} "
                                          f"against {money(head['Business as usual: run cost over the appraisal (PV)'])}"
                                          f" (present values, {a.price_base_year}/{(a.price_base_year + 1) % 100:02d} "
                                          f"prices)"),
        ]


def uncosted_findings(plan: Plan, limit: int = 10) -> list[str]:
    """What a plan without costs says: why nothing is appraised, then the overlaps and joint purchases found.

    Without a run cost no option has a saving, and appraising options on the
    illustrative one-off costs alone would only show losses; so the plan says
    so and lists what it found (at most ``limit`` lines of each kind).
    """
    lines = ["No annual costs were given (no licence, support, hosting, staff or annual cost for any system or "
             "site), so no option is costed or appraised: one-off costs alone are illustrative. Add run costs to "
             "the inventories to cost the plan. What the inventories show:"]
    overlaps = plan.overlaps.capability_overlaps
    if len(overlaps):
        top = overlaps.sort_values(["organisations", "capability_code"], ascending=[False, True], kind="stable")
        for row in top.head(limit).itertuples():
            name = row.capability_name if isinstance(row.capability_name, str) else row.capability_code
            lines.append(f"Overlap: {name} is run by {row.organisations} organisations ({row.organisation_names}) "
                         f"in {row.systems} systems.")
    shared = plan.overlaps.shared_products
    if len(shared):
        top = shared.sort_values(["organisations", "product_id"], ascending=[False, True], kind="stable")
        for row in top.head(limit).itertuples():
            name = row.product_name if isinstance(row.product_name, str) else row.product_id
            lines.append(f"Joint procurement opportunity: {name} is bought separately by {row.organisations} "
                         f"organisations ({row.organisation_names}).")
    if len(lines) == 1:
        lines.append("No capability or product is shared by two or more organisations.")
    return lines


def money_text(value: float, currency: str) -> str:
    """A whole amount of money in the plan's currency: ``£1,234``, ``-€50``, ``1,000 CHF``.

    Examples
    --------
    >>> money_text(1234.4, "GBP"), money_text(-50, "EUR"), money_text(1000, "CHF")
    ('£1,234', '-€50', '1,000 CHF')
    """
    symbol = CURRENCY_SYMBOLS.get(str(currency).upper())
    sign = "-" if value < 0 and round(abs(value)) else ""
    return f"{sign}{symbol}{abs(value):,.0f}" if symbol else f"{sign}{abs(value):,.0f} {currency}"


def payback_text(years: float) -> str:
    """Payback in words: ``within the first year`` for 0, never ``0.0`` or ``nan``.

    Examples
    --------
    >>> payback_text(0.0), payback_text(2.345), payback_text(float("nan"))
    ('within the first year', '2.3 years', 'not within the appraisal period')
    """
    if years != years:
        return "not within the appraisal period"
    if years <= 0:
        return "within the first year"
    return f"{years:.1f} years"


def run_cost_today(matched: pd.DataFrame, sites: pd.DataFrame | None = None) -> pd.Series:
    """Each organisation's annual run cost today: its systems' annual costs plus its hosting sites' running costs.

    Sites count because hosting consolidation saves their running costs: a
    saving's share of the run cost is then a share of a base that holds it.

    Examples
    --------
    >>> systems = pd.DataFrame({"organisation": ["A", "A", "B"], "annual_cost": [10.0, 5.0, 7.0]})
    >>> sites = pd.DataFrame({"organisation": ["B", "C"], "annual_cost": [3.0, None]})
    >>> run_cost_today(systems, sites).to_dict()
    {'A': 15.0, 'B': 10.0, 'C': 0.0}
    """
    given = matched["annual_cost"] if "annual_cost" in matched else pd.Series(np.nan, index=matched.index)
    costs = pd.to_numeric(given, errors="coerce").groupby(matched["organisation"]).sum()
    if sites is not None and len(sites) and {"organisation", "annual_cost"} <= set(sites.columns):
        site_costs = pd.to_numeric(sites["annual_cost"], errors="coerce").groupby(sites["organisation"]).sum()
        costs = costs.add(site_costs, fill_value=0.0)
    return costs.rename("run_cost_today")


IN_SCOPE_EFFECTS = ("retire", "survive", "recontract")
"""What an option does to a system that puts the system's run cost in scope (a move does not change its cost)."""


def run_cost_in_scope(effects: pd.DataFrame) -> float:
    """The run cost in scope: what the costed candidate options could change, each system counted once.

    The annual cost of every system that at least one candidate option
    retires, keeps as a survivor or re-contracts, plus the running cost of
    every hosting site a candidate closure would close (its pseudo system
    ``site:<key>``). Systems only moved to another site are out of scope: the
    move does not change their cost. A system in several options counts once.
    See ``docs/costing.md`` ("The run cost in scope").

    Parameters
    ----------
    effects : DataFrame
        :attr:`estate.options.Options.effects`: ``system_key``, ``effect``,
        ``annual_cost``.

    Examples
    --------
    >>> effects = pd.DataFrame({
    ...     "option_id": ["SP-001", "SP-001", "SP-002", "SP-002", "HC-001", "HC-001"],
    ...     "system_key": ["A/x", "B/x", "A/x", "C/x", "D/y", "site:D/dc"],
    ...     "effect": ["survive", "retire", "retire", "survive", "move", "retire"],
    ...     "annual_cost": [100.0, 50.0, 100.0, 30.0, 70.0, 20.0]})
    >>> run_cost_in_scope(effects)   # A, B, C once each and the site; D only moves
    200.0
    """
    touched = effects.loc[effects["effect"].isin(IN_SCOPE_EFFECTS), ["system_key", "annual_cost"]]
    costs = pd.to_numeric(touched.drop_duplicates("system_key")["annual_cost"], errors="coerce")
    return float(costs.sum())


def _noop(step: str) -> None:
    return None


@collector_paused()
def make_plan(
    source: Inventory | str | Path | Iterable[str | Path],
    *,
    assumptions: Assumptions | str | Path | None = None,
    mapping: pd.DataFrame | str | Path | None = None,
    constraints: PortfolioConstraints | None = None,
    partner_budgets: Mapping[tuple[str, int], float] | str | Path | None = None,
    fit_overrides: pd.DataFrame | str | Path | None = None,
    header_map: Any = None,
    keep_going: bool = False,
    max_bytes: int | None = None,
    progress: Progress | None = None,
) -> Plan:
    """Read, match, analyse, cost, choose, share and schedule: the whole plan.

    Parameters
    ----------
    source : Inventory, path or iterable of paths
        An inventory already read, or files and folders to read with
        :func:`estate.reading.read_inventory`.
    assumptions : Assumptions or path, optional
        The assumptions (a TOML or YAML file, or an earlier plan's
        workbook); the packaged defaults when omitted.
    mapping : DataFrame or path, optional
        The user's product/vendor/capability mapping (see
        :func:`estate.matching.read_mapping`).
    constraints : PortfolioConstraints, optional
        Budgets, kept systems, opt-outs, minimum partner NPV.
    partner_budgets : mapping of (organisation, year) to float, or path, optional
        Most one-off cost each partner may bear in a financial year (its cost
        share of the options' spend that year), or a CSV of
        ``organisation,year,budget`` (:mod:`estate.budgets`). The schedule
        keeps them; an option they hold back starts for reason ``budget``.
        When omitted and ``assumptions`` is an earlier plan's workbook, the
        budgets on its ``Assumptions`` sheet are kept; given, they replace them.
    fit_overrides : DataFrame or path, optional
        The user's word on the fit test: a CSV (or DataFrame) of
        ``retired,survivor,decision,reason`` (:mod:`estate.fit_overrides`),
        or an earlier plan workbook's ``Fit overrides`` sheet. When omitted
        and ``assumptions`` is an earlier plan workbook, that workbook's
        overrides are kept.
    header_map, keep_going, max_bytes
        Passed to :func:`estate.reading.read_inventory`.
    progress : callable, optional
        Called with the name of each step as it starts.

    Returns
    -------
    Plan

    Notes
    -----
    Python's cyclic garbage collector is paused while the plan is made
    (:mod:`estate._collector`), and left as it was afterwards.
    """
    from estate.matching import match_systems
    from estate.options import generate_options
    from estate.overlaps import find_overlaps
    from estate.portfolio import PortfolioConstraints
    from estate.reorganisation import plan_reorganisation, successor_groups
    from estate.schedule import apply_schedule, schedule_inputs, schedule_portfolio
    from estate.roadmap import build_roadmap
    from estate.sharing import share_portfolio

    source = _check_source(source)
    if assumptions is not None and not isinstance(assumptions, (Assumptions, str, os.PathLike)):
        raise ParameterError("The 'assumptions' parameter of make_plan must be an Assumptions (see "
                             "estate.load_assumptions), a path to a TOML, YAML or plan workbook, or None. "
                             f"Got {type(assumptions).__name__} instead.")
    if progress is not None and not callable(progress):
        raise ParameterError(f"The 'progress' parameter of make_plan must be callable or None. "
                             f"Got {type(progress).__name__} instead.")
    step = progress or _noop
    assumption_source = assumptions
    budgets_source, budgets_file = _budgets_source(partner_budgets), None
    if not isinstance(assumptions, Assumptions):
        if partner_budgets is None and assumptions is not None and Path(assumptions).suffix.lower() in (
                ".xlsx", ".xlsm"):
            from estate.workbook import read_partner_budgets_sheet

            sheet_budgets, budgets_source = read_partner_budgets_sheet(assumptions)
            partner_budgets = sheet_budgets or None
            budgets_file = Path(assumptions)
        assumptions = _load_assumptions(assumptions)
    assumptions = _dated(assumptions)
    if isinstance(source, Inventory):
        inventory = source
    else:
        from estate.reading import read_inventory

        step("Reading inventories")
        kwargs: dict[str, Any] = {"header_map": header_map, "keep_going": keep_going,
                                  "currency": assumptions.currency, "first_month": assumptions.first_month}
        if max_bytes is not None:
            kwargs["max_bytes"] = max_bytes
        inventory = read_inventory(source, **kwargs)
    if inventory.systems.empty:
        raise ParameterError("no systems were read: nothing to plan")
    budgets = _partner_budgets(partner_budgets, inventory, source=budgets_file)
    overrides = _fit_overrides(fit_overrides, assumption_source)

    step("Matching products and capabilities")
    matched = match_systems(inventory.systems, mapping=mapping)
    step("Finding overlaps")
    as_of = pd.Timestamp(year=assumptions.first_year, month=assumptions.first_month, day=1)
    overlaps = find_overlaps(matched, inventory, as_of=as_of,
                             under_used_below=assumptions.under_used_site_threshold)
    step("Generating and costing options")
    options = generate_options(matched, assumptions=assumptions, inventory=inventory,
                               groups=successor_groups(inventory.organisations, overlaps.partner_groups),
                               interfaces=overlaps.integration_blast_radius,
                               sites=overlaps.site_overlaps, fit_overrides=overrides)
    options, reorganisation = plan_reorganisation(options, matched, inventory.organisations, assumptions)
    step("Choosing and phasing the portfolio")
    sites = matched[["system_key", "site_key"]] if "site_key" in matched else None
    earliest = dict(zip(reorganisation.earliest["option_id"], reorganisation.earliest["earliest_year"], strict=True))
    why = dict(zip(reorganisation.earliest["option_id"], reorganisation.earliest["reason"], strict=True))
    inputs = schedule_inputs(options, assumptions, sites=sites, earliest_start=earliest, earliest_reason=why)
    schedule = schedule_portfolio(inputs, assumptions,
                                  constraints=constraints or PortfolioConstraints(),
                                  partner_budget_by_year=budgets or None, require_optimal=False)
    portfolio = schedule.portfolio
    if portfolio.status not in ("optimal", "within gap", "time limit") or not math.isfinite(portfolio.objective):
        # Stopped at its time limit, the best schedule found is kept (Summary says so); anything else is refused.
        raise SolverError(f"No schedule found ({portfolio.status}): {portfolio.message}")
    options = apply_schedule(options, schedule, assumptions)
    if len(reorganisation.service_partners):  # a shared service across successors: its charge and its terms
        from dataclasses import replace

        from estate.shared_services import apply_service_charges, service_terms

        starts = pd.Series(inputs.natural_start, index=list(inputs.option_ids), dtype=np.int64)
        starts = starts.add(pd.Series(schedule.delays(), dtype=np.int64), fill_value=0).astype(np.int64)
        options = apply_service_charges(options, reorganisation.service_partners, starts, assumptions)
        reorganisation = replace(reorganisation, services=service_terms(
            options, reorganisation.service_partners, starts, assumptions))
    step("Sharing between partners and laying out the roadmap")
    partners = share_portfolio(options.partner_shares, portfolio.chosen,
                               run_cost_today=run_cost_today(matched, inventory.sites))
    # The notice each retired system was costed with (its own, or the default the options used).
    notice = options.effects.drop_duplicates("system_key").set_index("system_key")["notice_months"]
    roadmap = build_roadmap(options.options, options.effects, portfolio.chosen, notice_months=notice,
                            first_year=assumptions.first_year, horizon_years=assumptions.horizon_years,
                            first_month=assumptions.first_month)
    return Plan(inventory=inventory, matched=matched, overlaps=overlaps, assumptions=assumptions,
                options=options, portfolio=portfolio, partners=partners, roadmap=roadmap,
                reorganisation=reorganisation, schedule=schedule, fit_overrides=overrides,
                partner_budgets=budgets,
                partner_budgets_source=budgets_source if budgets else "")


def _budgets_source(budgets: Any) -> str:
    """Where partner budgets came from, in words for the Assumptions sheet's Source column."""
    if isinstance(budgets, (str, os.PathLike)):
        return f"--budgets {Path(budgets).name}"
    return "make_plan(partner_budgets=...)" if budgets is not None else ""


def _partner_budgets(budgets: Mapping[tuple[str, int], float] | str | Path | None,
                     inventory: Inventory, *, source: Path | None = None) -> dict[tuple[str, int], float]:
    """The partners' budgets, read and checked against the inventory's organisations."""
    from estate.budgets import check_partner_budgets, read_partner_budgets

    if budgets is None:
        return {}
    organisations = set(inventory.systems["organisation"].dropna().astype(str))
    organisations |= set(inventory.organisations["organisation"].dropna().astype(str))
    if isinstance(budgets, (str, Path)):
        return read_partner_budgets(budgets, organisations)
    return check_partner_budgets(budgets, organisations, source=source)


def _fit_overrides(overrides: pd.DataFrame | str | Path | None, assumptions: Any) -> pd.DataFrame | None:
    """The fit overrides given, or those of the earlier plan workbook the assumptions come from."""
    from estate.fit_overrides import check_fit_overrides, read_fit_overrides

    if overrides is None:
        if isinstance(assumptions, (str, os.PathLike)) and Path(assumptions).suffix.lower() in (".xlsx", ".xlsm"):
            kept = read_fit_overrides(assumptions)
            return kept if len(kept) else None
        return None
    if isinstance(overrides, (str, os.PathLike)):
        return read_fit_overrides(overrides)
    return check_fit_overrides(overrides)


def _dated(assumptions: Assumptions) -> Assumptions:
    """The assumptions with ``decisions_as_of`` set: today's date when it is blank, so that the plan records it."""
    if assumptions.decisions_as_of is not None:
        return assumptions
    from dataclasses import replace
    from types import MappingProxyType

    sources = dict(assumptions.sources)
    sources["decisions_as_of"] = "the date the plan was made (decisions_as_of was blank)"
    return replace(assumptions, decisions_as_of=assumptions.decisions_date, sources=MappingProxyType(sources))


def _check_source(source: Any) -> Any:
    """``make_plan``'s source must be paths or an Inventory: say so, naming the argument, for anything else.

    Examples
    --------
    >>> _check_source(pd.DataFrame({"system": ["Payroll"]}))
    Traceback (most recent call last):
    ...
    estate.errors.ParameterError: The 'source' parameter of make_plan must be an Inventory (see estate.read_inventory) or paths: a file, a folder, or a list of them. Got DataFrame instead.
    """
    wanted = ("an Inventory (see estate.read_inventory) or paths: a file, a folder, or a list of them")
    if isinstance(source, (Inventory, str, os.PathLike)):
        return source
    if isinstance(source, (pd.DataFrame, pd.Series, bytes, Mapping)) or not isinstance(source, Iterable):
        raise ParameterError(f"The 'source' parameter of make_plan must be {wanted}. "
                             f"Got {type(source).__name__} instead.")
    items = list(source)
    bad = next((item for item in items if not isinstance(item, (str, os.PathLike))), None)
    if bad is not None or not items:
        got = f"a list holding {type(bad).__name__}" if bad is not None else "an empty list"
        raise ParameterError(f"The 'source' parameter of make_plan must be {wanted}. Got {got} instead.")
    return items


def _load_assumptions(source: str | Path | None) -> Assumptions:
    if source is None:
        return load_assumptions()
    path = Path(source)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from estate.workbook import read_assumptions_sheet

        return read_assumptions_sheet(path)
    return load_assumptions(path)
