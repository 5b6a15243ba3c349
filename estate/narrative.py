"""The plan in words a board reads: one home for the sentences of the workbook and the PDF pack.

The library's tables speak in keys (``Org/CI00031``, ``unlisted:terrafixmdt``,
``site:Org/Data Centre``); a partnership board reads names. This module turns
a :class:`~estate.plan.Plan`'s tables into the words both the plan workbook
(:mod:`estate.workbook`) and the PDF board pack (:mod:`estate.pack`) show:

* :func:`option_words`: each option's readable ``target`` and a one-line
  ``description`` of what it does;
* :func:`option_sentence`: an option's figures and rationale as a sentence;
* :func:`default_kinds`: the defaults the costing used, one row a kind with
  its count (the detail stays in ``Plan.options.defaults_used``);
* :func:`live_and_replan`: which assumptions move the workbook's figures when
  edited, and which need a re-plan;
* :func:`drawn_at`: the assumptions a chart was drawn at;
* :func:`counts_in_words`: how the rows ``validate`` read become the systems
  and run cost ``plan`` reports (rows split, sites added, examples skipped);
* :func:`money_text`: an amount in the plan's currency.

Examples
--------
>>> money_text(-1234.5, "GBP"), money_text(1200, "EUR"), money_text(5, "CHF")
('-£1,234', '€1,200', '5 CHF')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from estate.assumptions import Assumptions
    from estate.plan import Plan

__all__ = ["counts_in_words", "default_kinds", "default_text", "drawn_at", "live_and_replan", "money_text",
           "option_sentence", "option_words"]

_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}


def money_text(value: float, currency: str = "GBP") -> str:
    """``£1,234`` (whole units, a leading minus sign), ``1,234 CHF`` without a symbol, ``n/a`` for no number.

    :func:`estate.plan.money_text` for a number.
    """
    from estate.plan import money_text as plan_money

    if value is None or not np.isfinite(float(value)):
        return "n/a"
    return plan_money(float(value), currency)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def counts_in_words(inventory: Any, matched: pd.DataFrame | None = None, *, currency: str = "GBP") -> str:
    """How the rows read become the plan's systems and run cost, in words.

    ``validate`` counts the system rows read and their annual cost; ``plan``
    counts systems after a row that lists several products has become one
    system a product, and its run cost adds the hosting sites' running
    costs. This says which is which, so the two reconcile.

    Parameters
    ----------
    inventory : Inventory
        As read.
    matched : DataFrame, optional
        The plan's systems (``Plan.matched``); without it (``validate``), the
        splitting is described rather than counted.
    currency : str, default="GBP"

    Examples
    --------
    >>> from estate.examples import two_councils
    >>> from estate.matching import match_systems
    >>> inventory = two_councils()
    >>> counts_in_words(inventory, match_systems(inventory.systems))[:44]
    '2 system rows read, no row split: 2 systems.'
    """
    from estate.template_examples import EXAMPLE_NOTE

    systems = inventory.systems
    rows = len(systems)
    parts = [f"{_plural(rows, 'system row')} read"]
    issues = inventory.issues
    examples = int(((issues["problem"] == EXAMPLE_NOTE) & (issues["sheet"].str.casefold() == "systems")).sum()) \
        if len(issues) else 0
    if examples:
        parts[0] += f" ({_plural(examples, 'template example row')} skipped)"
    if matched is None:
        parts[0] += ("; the plan counts one system a product where a row lists several, so it may count more "
                     "systems")
    else:
        where = ["source_file", "source_sheet", "source_row"]
        per_row = matched.groupby(where, dropna=False).size() if len(matched) else pd.Series(dtype=int)
        split = per_row[per_row > 1]
        if len(split):
            parts[0] += (f", {_plural(len(split), 'row')} listing several products split into "
                         f"{int(split.sum()):,}: {_plural(len(matched), 'system')}")
        else:
            parts[0] += f", no row split: {_plural(len(matched), 'system')}"
    cost = float(pd.to_numeric(systems["annual_cost"], errors="coerce").sum()) if rows else 0.0
    sites = inventory.sites
    site_cost = float(pd.to_numeric(sites["annual_cost"], errors="coerce").sum()) if len(sites) else 0.0
    text = f"{parts[0]}. Run cost: {money_text(cost, currency)} a year on systems"
    if len(sites):
        text += (f" plus {money_text(site_cost, currency)} on {_plural(len(sites), 'hosting site')} = "
                 f"{money_text(cost + site_cost, currency)}, the plan's annual run cost.")
    else:
        text += ", the plan's annual run cost."
    return text


def option_words(plan: Plan, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """A readable target and a one-line description of each option.

    Parameters
    ----------
    plan : Plan
    table : DataFrame, optional
        The options (``plan.options_table()`` by default).

    Returns
    -------
    DataFrame
        Indexed like ``table``: ``target`` (a system as ``System (Product),
        Organisation``, a product by its name, a site as ``Site,
        Organisation``; never an internal key) and ``description``.

    Examples
    --------
    >>> from estate.plan import make_plan
    >>> from estate.examples import two_councils
    >>> plan = make_plan(two_councils())
    >>> words = option_words(plan)
    >>> bool(words["target"].str.contains("/").any())
    False
    >>> words["description"].iloc[0].startswith("Carlisle and Eden share Revenues")
    True
    """
    t = plan.options_table() if table is None else table
    label = t["target_label"].where(t["target_label"].map(lambda v: isinstance(v, str) and v != ""), t["target"])
    sites = plan.inventory.sites
    site_names: dict[str, str] = {}
    if len(sites) and "site_key" in sites:
        names = sites["site"].where(sites["site"].notna(), sites["site_key"]).astype(str)
        owners = sites["organisation"].fillna("").astype(str) if "organisation" in sites else ""
        site_names = dict(zip(sites["site_key"].astype(str), (names + np.where(owners != "", ", " + owners, "")),
                              strict=True))
    systems = plan.matched.drop_duplicates("system_key").set_index("system_key")
    is_system = t["target"].isin(systems.index)
    short = pd.Series(label, index=t.index)
    if is_system.any():
        chosen = systems.loc[t.loc[is_system, "target"]]
        product = chosen["product_name"].where(chosen["product_name"].notna(), chosen.get("product"))
        name = chosen["system"].where(chosen["system"].notna(), chosen.index.to_series())
        short.loc[is_system] = np.where(product.notna() & (product.astype(str) != name.astype(str)),
                                        name.astype(str) + " (" + product.astype(str) + ")", name.astype(str))
    target = label.where(~t["type"].eq("hosting consolidation"), t["target"].astype(str).map(site_names))
    target = target.where(target.notna(), label)
    capability = t["capability_name"].where(t["capability_name"].notna(), t["capability_code"])
    partners = t["partners"].fillna("").astype(str).str.split("; ")
    descriptions = []
    for kind, cap, who, what, n_retired, lead, action in zip(
            t["type"], capability, partners, short, t["n_retired"], t["lead_organisation"], label, strict=True):
        cap_text = f" for {cap}" if isinstance(cap, str) and cap else ""
        if kind == "shared platform":
            names = [p for p in who if p]
            group = (f"{names[0]} and {names[1]}" if len(names) == 2 else f"{len(names)} organisations")
            descriptions.append(f"{group} share {what}{cap_text}")
        elif kind == "rationalisation":
            others = int(n_retired) if pd.notna(n_retired) else 0
            descriptions.append(f"{_text(lead)} keeps {what}{cap_text}; retires {others} other"
                                + ("" if others == 1 else "s"))
        elif kind == "joint procurement":
            descriptions.append(f"{len([p for p in who if p])} organisations buy {what} together")
        elif kind == "hosting consolidation":
            text = str(action)
            descriptions.append(text[:1].upper() + text[1:])
        else:
            descriptions.append(f"{str(kind).capitalize()}: {action}")
    return pd.DataFrame({"target": target.astype(str), "description": descriptions}, index=t.index)


def option_sentence(row: Any, currency: str = "GBP") -> str:
    """An option's figures and rationale in one sentence.

    ``row`` has ``option``, ``description``, ``annual_saving``, ``one_off``,
    ``npv``, ``payback`` and ``rationale`` (attributes, as from
    ``DataFrame.itertuples``).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> option_sentence(SimpleNamespace(option="SP-1", description="Two councils share X", annual_saving=1e5,
    ...                                 one_off=2e5, npv=5.5e5, payback=2.25, rationale="Why."))[:72]
    'SP-1, Two councils share X: saves £100,000 a year for a one-off £200,000'
    """
    from estate.plan import payback_text

    payback = ("does not pay back within the appraisal period" if pd.isna(row.payback)
               else f"pays back {payback_text(row.payback)}" if row.payback <= 0
               else f"pays back in {payback_text(row.payback)}")
    return (f"{row.option}, {row.description}: saves {money_text(row.annual_saving, currency)} a year for a one-off "
            f"{money_text(row.one_off, currency)}; NPV {money_text(row.npv, currency)}; {payback}. {row.rationale}")


def default_text(column: str, value: object, currency: str = "GBP") -> str:
    """A default the costing used, as a board reads it: money, a date or months, never a raw float.

    Examples
    --------
    >>> default_text("exit_cost", 18863.013698630137), default_text("notice_months", 6)
    ('£18,863', '6 months')
    >>> default_text("contract_end", pd.Timestamp("2029-03-31"))
    '31/03/2029'
    """
    if value is None or (isinstance(value, float) and not np.isfinite(value)) or value is pd.NaT:
        return ""
    if isinstance(value, (pd.Timestamp, np.datetime64)) or hasattr(value, "strftime"):
        return pd.Timestamp(value).strftime("%d/%m/%Y")
    if isinstance(value, (int, float, np.integer, np.floating)):
        if column.endswith("_months"):
            return f"{float(value):g} months"
        if column.endswith("_cost") or column.endswith("cost"):
            return money_text(float(value), currency)
        return f"{float(value):g}"
    return str(value)


def default_kinds(defaults: pd.DataFrame) -> pd.DataFrame:
    """The defaults the costing used, one row a kind: ``column``, ``note``, ``count``, ``organisations``.

    Sorted by count (most first), then column and note.

    Examples
    --------
    >>> d = pd.DataFrame({"column": ["exit_cost", "exit_cost", "notice_months"], "note": ["a", "a", "b"],
    ...                   "organisation": ["X", "Y", "X"]})
    >>> default_kinds(d).to_dict("list")
    {'column': ['exit_cost', 'notice_months'], 'note': ['a', 'b'], 'count': [2, 1], 'organisations': [2, 1]}
    """
    if not len(defaults):
        return pd.DataFrame({"column": pd.Series(dtype=object), "note": pd.Series(dtype=object),
                             "count": pd.Series(dtype=int), "organisations": pd.Series(dtype=int)})
    grouped = defaults.groupby(["column", "note"], sort=True)
    out = pd.DataFrame({"count": grouped.size(), "organisations": grouped["organisation"].nunique()}).reset_index()
    out = out.sort_values(["count", "column", "note"], ascending=[False, True, True], kind="stable")
    return out.astype({"count": int, "organisations": int}).reset_index(drop=True)


def live_and_replan(assumptions: Assumptions, used: set[str] | frozenset[str]) -> tuple[str, str]:
    """Two sentences: the assumptions edited live (``used`` by the formulas) and those that need a re-plan.

    Examples
    --------
    >>> from estate.assumptions import load_assumptions
    >>> live, replan = live_and_replan(load_assumptions(), {"discount_rate", "cost_bias"})
    >>> live
    'Edited live on Assumptions (every figure follows): discount_rate, cost_bias.'
    >>> replan.split(": ")[0]
    'Need a re-plan (estate plan ... --assumptions this workbook)'

    """
    names = [str(name) for name in assumptions.to_frame()["Parameter"]]
    live = [name for name in names if name in used]
    fixed = [name for name in names if name not in used]
    return (f"Edited live on Assumptions (every figure follows): {', '.join(live) or 'none'}.",
            f"Need a re-plan (estate plan ... --assumptions this workbook): the other {len(fixed)} "
            f"({', '.join(fixed[:4])}{', ...' if len(fixed) > 4 else ''}; blank under 'In formulas' on "
            "Assumptions), which shape the decisions themselves; so do the choice of options, the Systems fates, "
            "the Roadmap and the charts.")


def drawn_at(assumptions: Assumptions) -> str:
    """The assumptions a chart was drawn at, in one line.

    Examples
    --------
    >>> from estate.assumptions import load_assumptions
    >>> drawn_at(load_assumptions())[:74]
    "Drawn at the plan's assumptions: discount rate 3.5%, 10 years from 2027/28"
    """
    from estate.appraisal import fy_label

    a = assumptions
    start = fy_label(a.first_year, first_month=a.first_month)
    return (f"Drawn at the plan's assumptions: discount rate {a.discount_rate:.1%}, {a.horizon_years} years from "
            f"{start}, optimism bias +{a.cost_bias * (1 - a.bias_mitigation):.0%} "
            f"on one-off costs and -{a.saving_bias * (1 - a.bias_mitigation):.0%} on savings. A picture: it does "
            "not follow edits to Assumptions (plan again to redraw it).")
