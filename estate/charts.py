"""Charts of the overlaps, the estate graph and the plan, drawn with matplotlib.

Conventions
-----------
* Each ``plot_*`` function takes its data and ``ax=None``: given an Axes it
  draws there; without one it makes a figure sized for the content (with a
  constrained layout). It returns the Axes it drew on and never shows or saves
  the figure: call ``ax.figure.savefig(...)``. matplotlib is imported inside
  the functions, so ``import estate`` does not import it.
* Colour-blind safe colours: categories (partner groups, node kinds, the
  vendor chart's bars and line) use the Okabe & Ito palette
  (:data:`OKABE_ITO`); continuous values use matplotlib's ``cividis``,
  designed to read the same with the common colour-vision deficiencies. Node
  kinds also differ by marker shape, so colour is never the only cue.
* Money is shown as ``£9,500`` below £10,000, ``£350k`` below a million and
  ``£1.2m`` above (:func:`format_money`); shares as percentages.
* Labels never collide by construction: long names are cut with an ellipsis
  (``…``), labels along the x axis are rotated, and each chart shows only the
  top *N* items, saying "top N of M" in its title.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import pandas as pd
>>> from estate.overlaps import vendor_spend
>>> matched = pd.DataFrame({"organisation": ["Eden", "Carlisle", "Carlisle"],
...                         "system_key": ["Eden/1", "Carlisle/1", "Carlisle/2"],
...                         "vendor_name": ["Capita", "Capita", "Idox"], "annual_cost": [3e4, 4.5e4, 2.5e4]})
>>> ax = plot_vendor_concentration(vendor_spend(matched))
>>> ax.get_title(loc="left")
'Vendor concentration: the top 2 vendors take 100% of run cost'
>>> format_money(1_234_567)
'£1.2m'
"""

from __future__ import annotations

import functools
import math
import textwrap
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd

from estate.errors import ParameterError
from estate.outputs import atomic_write

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.axes import Axes

    from estate.overlaps import Overlaps

__all__ = ["KIND_STYLES", "OKABE_ITO", "OPTION_TYPE_COLOURS", "PLAN_CHARTS", "format_money",
           "plot_cumulative_cash_flow", "plot_estate_graph", "plot_overlap_heatmap", "plot_partner_affinity",
           "plot_npv_distribution", "plot_partner_gains", "plot_roadmap_gantt", "plot_savings_waterfall",
           "plot_successor_estates", "plot_tornado", "plot_vendor_concentration", "write_charts"]

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
"""The Okabe & Ito colour-blind-safe palette (blue, orange, green, purple, sky, vermillion, yellow, black)."""

KIND_STYLES: dict[str, tuple[str, str]] = {
    "organisation": ("#000000", "s"),
    "system": ("#56B4E9", "o"),
    "product": ("#E69F00", "D"),
    "vendor": ("#D55E00", "^"),
    "capability": ("#009E73", "h"),
    "site": ("#CC79A7", "p"),
    "contract": ("#F0E442", "v"),
}
"""Colour and marker of each node kind in :func:`plot_estate_graph`."""

_GREY = "#999999"
_EMPTY_CELL = "#eeeeee"


# --------------------------------------------------------------------------- helpers


def format_money(value: float, *, currency: str = "£", exact: bool = False) -> str:
    """A compact money label: ``£9,500``, ``£350k``, ``£1.2m``.

    Parameters
    ----------
    value : float
        An amount.
    currency : str, default="£"
        The symbol written before it.
    exact : bool, default=False
        Keep up to two more decimals where they matter (for axis ticks, so
        £1,250,000 reads ``£1.25m`` and not ``£1.2m``).

    Returns
    -------
    str
        Empty for a missing or infinite value.

    Examples
    --------
    >>> [format_money(v) for v in (0, 9_500, 12_345, 350_000, 2_250_000)]
    ['£0', '£9,500', '£12k', '£350k', '£2.2m']
    >>> [format_money(v, exact=True) for v in (1_250_000, 1_500_000, 2_000_000, 12_500)]
    ['£1.25m', '£1.5m', '£2m', '£12.5k']
    """
    if value is None or not math.isfinite(float(value)):
        return ""
    amount = float(value)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)

    def number(x: float, decimals: int) -> str:
        text = f"{x:,.{decimals + 2 if exact else decimals}f}"
        return text.rstrip("0").rstrip(".") if exact and "." in text else text

    if amount >= 1e9:
        text = number(amount / 1e9, 1) + "bn"
    elif amount >= 1e6:
        text = number(amount / 1e6, 1) + "m"
    elif amount >= 1e4:
        text = number(amount / 1e3, 0) + "k"
    else:
        text = number(amount, 0)
    return f"{sign}{currency}{text}"


F = TypeVar("F", bound=Callable[..., Any])


def _plain_text(func: F) -> F:
    """Draw with ``text.parse_math`` off: names from the inputs (``$x$ Council``) are never read as mathtext."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import matplotlib

        with matplotlib.rc_context({"text.parse_math": False}):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _short(text: object, width: int) -> str:
    """``text`` cut to ``width`` characters with an ellipsis."""
    value = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
    return value if len(value) <= width else value[: width - 1].rstrip() + "…"


def _new_axes(figsize: tuple[float, float]) -> Axes:
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _money_axis(axis: Any) -> None:
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda v, _: format_money(v, exact=True)))


def _bad(name: str, func: str, expected: str, got: object) -> ParameterError:
    shown = repr(got) if not isinstance(got, type) else got.__name__
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return ParameterError(f"The {name!r} parameter of {func} must be {expected}. Got {shown} instead.")


def _check_count(value: object, name: str, func: str, low: int = 1) -> int:
    if not isinstance(value, (int, np.integer)) or isinstance(value, (bool, np.bool_)) or value < low:
        raise _bad(name, func, f"an int >= {low}", value)
    return int(value)


def _is_overlaps(value: object) -> bool:
    from estate.overlaps import Overlaps

    return isinstance(value, Overlaps)


def _is_matched(value: object) -> bool:
    return isinstance(value, pd.DataFrame) and "system_key" in value and "organisation" in value


def _title(ax: Axes, title: str, subtitle: str = "") -> None:
    """A bold title on the left and, above the plot, a smaller subtitle wrapped to the Axes' width.

    The subtitle is left out of the layout calculation (a long line must not
    squeeze the plot); the title's padding makes room for it.
    """
    lines: list[str] = []
    if subtitle:
        figure_width = ax.figure.get_figwidth()
        width_inches = max(ax.get_position().width * figure_width, 2.0)
        lines = textwrap.wrap(subtitle, max(int(width_inches * 14), 30))  # about 14 characters an inch at 9 pt
    ax.set_title(title, loc="left", fontsize=12, fontweight="bold", pad=6 + 12 * len(lines))
    if lines:
        text = ax.annotate("\n".join(lines), xy=(0, 1), xycoords="axes fraction", xytext=(0, 4),
                           textcoords="offset points", fontsize=9, color="#444444", va="bottom", ha="left",
                           annotation_clip=False)
        text.set_in_layout(False)


# --------------------------------------------------------------------------- the heatmap


@_plain_text
def plot_overlap_heatmap(overlaps_or_matrix: Overlaps | pd.DataFrame, ax: Axes | None = None, *, top: int = 20,
                         max_organisations: int = 20, annotate: bool | None = None) -> Axes:
    """A heatmap of run cost by capability (rows) and organisation (columns).

    Parameters
    ----------
    overlaps_or_matrix : Overlaps or DataFrame
        An :class:`~estate.overlaps.Overlaps` (rows are its overlapping
        capabilities, in consolidation-score order, and columns use the
        organisations' short names), or a :func:`~estate.overlaps.capability_matrix`
        (rows are the capabilities two or more organisations serve, by total).
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure.
    top : int, default=20
        How many capabilities to show.
    max_organisations : int, default=20
        How many organisations to show at most (those spending most on the
        capabilities shown), in name order.
    annotate : bool, optional
        Whether to write each cell's amount in it; by default when the grid
        has at most 300 cells.

    Returns
    -------
    matplotlib Axes
        With one image (the cells, ``cividis``; empty cells light grey), one
        text a non-empty cell when annotated, and a colour bar in £.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from estate.overlaps import capability_matrix
    >>> matched = pd.DataFrame({"organisation": ["Eden", "Carlisle"], "system_key": ["E/1", "C/1"],
    ...                         "capability_code": ["CORP-FIN"] * 2, "annual_cost": [5e4, 8e4]})
    >>> ax = plot_overlap_heatmap(capability_matrix(matched))
    >>> [t.get_text() for t in ax.texts if t.get_text().startswith("£")]
    ['£80k', '£50k']
    """
    func = "plot_overlap_heatmap"
    top = _check_count(top, "top", func)
    max_organisations = _check_count(max_organisations, "max_organisations", func)
    short: dict[str, str] = {}
    if _is_overlaps(overlaps_or_matrix):
        matrix = overlaps_or_matrix.capability_matrix
        ranked = overlaps_or_matrix.capability_overlaps["capability_code"].tolist()
        total_rows = len(ranked)
        rank = {code: i for i, code in enumerate(ranked[:top])}
        level = matrix.index.get_level_values(0) if len(matrix) else pd.Index([])
        rows = matrix.loc[level.isin(list(rank))]
        rows = rows.iloc[np.argsort([rank[c] for c in rows.index.get_level_values(0)], kind="stable")]
        organisations = overlaps_or_matrix.organisations
        short = dict(zip(organisations["organisation"], organisations["short_name"]))
        ranking = "by consolidation score"
    elif isinstance(overlaps_or_matrix, pd.DataFrame):
        matrix = overlaps_or_matrix
        served = (matrix > 0).sum(axis=1)
        shared = matrix.loc[served >= 2]
        total_rows = len(shared)
        order = shared.sum(axis=1).sort_values(ascending=False, kind="stable")
        rows = shared.loc[order.index[:top]]
        ranking = "by run cost"
    else:
        raise _bad("overlaps_or_matrix", func, "an Overlaps or a capability matrix DataFrame",
                   type(overlaps_or_matrix))
    if len(rows.columns) > max_organisations:
        keep = rows.sum(axis=0).sort_values(ascending=False, kind="stable").index[:max_organisations]
        rows = rows.loc[:, sorted(keep)]
    n_rows, n_cols = rows.shape
    if rows.index.nlevels > 1:
        row_labels = [str(name) for name in rows.index.get_level_values(-1)]
    else:
        row_labels = [str(name) for name in rows.index]
    if ax is None:
        label_inches = 0.075 * max((len(_short(r, 38)) for r in row_labels), default=10)
        ax = _new_axes((max(7.5, 0.6 + label_inches + 0.62 * n_cols + 1.4), max(3.5, 1.9 + 0.36 * n_rows)))
    col_labels = [short.get(c, c) for c in rows.columns]
    shown_orgs = f", {n_cols} of {len(matrix.columns)} organisations" if n_cols < len(matrix.columns) else ""
    _title(ax, "Capability overlaps: annual run cost",
           f"Top {n_rows} of {total_rows} capabilities served by two or more organisations, {ranking}"
           f"{shown_orgs}; grey: no run cost recorded")
    if not n_rows or not n_cols:
        ax.text(0.5, 0.5, "No capability is served by two or more organisations", ha="center", va="center",
                transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    _draw_heatmap(ax, rows.to_numpy(dtype="float64"), row_labels, col_labels,
                  annotate=(n_rows * n_cols <= 300) if annotate is None else bool(annotate))
    return ax


def _draw_heatmap(ax: Axes, values: np.ndarray, row_labels: list[str], col_labels: list[str], *,
                  annotate: bool) -> None:
    import matplotlib as mpl
    from matplotlib.colors import LogNorm, Normalize

    cmap = mpl.colormaps["cividis"].with_extremes(bad=_EMPTY_CELL)
    masked = np.ma.masked_less_equal(values, 0)
    positive = values[values > 0]
    if len(positive) and positive.max() / positive.min() > 100:
        norm: Normalize = LogNorm(vmin=positive.min(), vmax=positive.max())
    else:
        norm = Normalize(vmin=0, vmax=positive.max() if len(positive) else 1)
    image = ax.imshow(masked, cmap=cmap, norm=norm, aspect="auto", interpolation="nearest")
    ax.set_xticks(range(len(col_labels)), [_short(c, 18) for c in col_labels], rotation=45, ha="right",
                  rotation_mode="anchor", fontsize=8)
    ax.set_yticks(range(len(row_labels)), [_short(r, 38) for r in row_labels], fontsize=8)
    ax.set_xticks(np.arange(-0.5, len(col_labels)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(row_labels)), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="minor", length=0)
    ax.tick_params(which="major", length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    colorbar = ax.figure.colorbar(image, ax=ax, shrink=0.8, pad=0.02)
    colorbar.set_label("Annual run cost (£)", fontsize=9)
    _money_axis(colorbar.ax.yaxis)
    colorbar.ax.tick_params(labelsize=8)
    if annotate:
        for (i, j), value in np.ndenumerate(values):
            if value > 0:
                red, green, blue, _ = cmap(norm(value))
                dark = 0.2126 * red + 0.7152 * green + 0.0722 * blue < 0.5
                ax.text(j, i, format_money(value), ha="center", va="center", fontsize=7,
                        color="white" if dark else "black")


# --------------------------------------------------------------------------- partner affinity


@_plain_text
def plot_partner_affinity(matched_or_affinity: Overlaps | pd.DataFrame, ax: Axes | None = None, *,
                          max_partners: int = 25, max_links: int = 60, seed: int = 0) -> Axes:
    """The partners as a network: who shares capability spend with whom, and the natural groups.

    Partners sit on a circle, grouped by their community
    (:func:`~estate.overlaps.partner_groups`); a circle's area is the
    partner's run cost and a link's width the spend the two share
    (:func:`~estate.overlaps.partner_affinity`).

    Parameters
    ----------
    matched_or_affinity : Overlaps or DataFrame
        An :class:`~estate.overlaps.Overlaps`, the matched systems, or a
        :func:`~estate.overlaps.partner_affinity` table (then a circle's area
        is the partner's shared spend, for want of its run cost).
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure.
    max_partners : int, default=25
        How many partners to show at most (those spending most).
    max_links : int, default=60
        How many links to draw at most (those sharing most).
    seed : int, default=0
        The seed of the grouping, when groups are computed here.

    Returns
    -------
    matplotlib Axes
        With one line collection (the links), one scatter a group and one
        text a partner.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> matched = pd.DataFrame({"organisation": ["A", "B", "C"], "system_key": ["A/1", "B/1", "C/1"],
    ...                         "capability_code": ["CORP-FIN"] * 3, "annual_cost": [5e4, 8e4, 2e4]})
    >>> ax = plot_partner_affinity(matched)
    >>> sorted(t.get_text() for t in ax.texts[1:])
    ['A', 'B', 'C']
    """
    from estate import overlaps as ov

    func = "plot_partner_affinity"
    max_partners = _check_count(max_partners, "max_partners", func)
    max_links = _check_count(max_links, "max_links", func, low=0)
    data = matched_or_affinity
    if _is_overlaps(data):
        affinity, groups = data.partner_affinity, data.partner_groups
        summary = data.organisations
        size = dict(zip(summary["organisation"], summary["annual_cost"]))
        label = dict(zip(summary["organisation"], summary["short_name"]))
        size_note = "circle area: annual run cost"
    elif _is_matched(data):
        affinity = ov.partner_affinity(data)
        groups = ov.partner_groups(affinity, seed=seed) if len(affinity) else ov.partner_groups(data, seed=seed)
        summary = ov.organisation_summary(data)
        size = dict(zip(summary["organisation"], summary["annual_cost"]))
        label = {}
        size_note = "circle area: annual run cost"
    elif isinstance(data, pd.DataFrame) and {"organisation_a", "organisation_b", "shared_spend"} <= set(data):
        affinity = data
        groups = ov.partner_groups(affinity, seed=seed)
        spend = pd.concat([affinity.groupby("organisation_a")["shared_spend"].sum(),
                           affinity.groupby("organisation_b")["shared_spend"].sum()]).groupby(level=0).sum()
        size = spend.to_dict()
        label = {}
        size_note = "circle area: spend shared with others"
    else:
        raise _bad("matched_or_affinity", func, "an Overlaps, the matched systems or a partner_affinity table",
                   type(data))
    groups = groups.assign(size=groups["organisation"].map(size).fillna(0.0))
    total = len(groups)
    chosen = groups.sort_values(["size", "organisation"], ascending=[False, True], kind="stable").head(max_partners)
    chosen = chosen.sort_values(["group", "size", "organisation"], ascending=[True, False, True], kind="stable")
    names = chosen["organisation"].tolist()
    links = affinity.loc[affinity["organisation_a"].isin(names) & affinity["organisation_b"].isin(names)
                         & (affinity["shared_spend"] > 0)]
    links = links.sort_values(["shared_spend", "organisation_a", "organisation_b"],
                              ascending=[False, True, True], kind="stable").head(max_links)
    if ax is None:
        ax = _new_axes((8.5, 8.0))
    subtitle = f"{size_note}; line width: shared capability spend (top {len(links)} links)"
    if len(chosen) < total:
        subtitle += f"; {len(chosen)} of {total} partners"
    _title(ax, "Partner affinity: who shares capability spend", subtitle)
    _draw_affinity(ax, chosen, links, label)
    return ax


def _draw_affinity(ax: Axes, chosen: pd.DataFrame, links: pd.DataFrame, label: dict[str, str]) -> None:
    from matplotlib.collections import LineCollection

    n = len(chosen)
    angles = np.pi / 2 - 2 * np.pi * np.arange(n) / max(n, 1)
    position = {name: (math.cos(a), math.sin(a)) for name, a in zip(chosen["organisation"], angles)}
    group_of = dict(zip(chosen["organisation"], chosen["group"]))
    group_numbers = sorted(chosen["group"].unique())
    colour = {g: OKABE_ITO[i % len(OKABE_ITO)] for i, g in enumerate(group_numbers)}
    top = float(links["shared_spend"].max()) if len(links) else 0.0
    segments = [(position[a], position[b]) for a, b in zip(links["organisation_a"], links["organisation_b"])]
    widths = [0.6 + 7.4 * w / top if top > 0 else 1.0 for w in links["shared_spend"]]
    colours = [colour[group_of[a]] if group_of[a] == group_of[b] else _GREY
               for a, b in zip(links["organisation_a"], links["organisation_b"])]
    ax.add_collection(LineCollection(segments, linewidths=widths, colors=colours, alpha=0.45, zorder=1,
                                     capstyle="round"))
    biggest = float(chosen["size"].max()) if n else 0.0
    for number in group_numbers:
        members = chosen.loc[chosen["group"] == number]
        xy = np.array([position[m] for m in members["organisation"]])
        areas = [80 + 1500 * s / biggest if biggest > 0 else 200 for s in members["size"]]
        size_text = f"{len(members)} partner" + ("s" if len(members) != 1 else "")
        ax.scatter(xy[:, 0], xy[:, 1], s=areas, color=colour[number], edgecolors="white", linewidths=1.2,
                   zorder=3, label=f"Group {number} ({size_text})")
    for name, angle in zip(chosen["organisation"], angles):
        x, y = math.cos(angle), math.sin(angle)
        ax.text(1.16 * x, 1.16 * y, _short(label.get(name, name), 24), fontsize=8, zorder=4,
                ha="left" if x > 0.05 else "right" if x < -0.05 else "center",
                va="bottom" if y > 0.05 else "top" if y < -0.05 else "center")
    ax.set_xlim(-1.75, 1.75)
    ax.set_ylim(-1.45, 1.35)
    ax.set_aspect("equal")
    ax.set_axis_off()
    if group_numbers:
        legend = ax.legend(loc="lower center", ncol=min(len(group_numbers), 4), fontsize=8, frameon=False,
                           bbox_to_anchor=(0.5, -0.04), markerscale=0.6, title="Natural groupings (Louvain)",
                           title_fontsize=8)
        for handle in legend.legend_handles:
            handle.set_sizes([60])


# --------------------------------------------------------------------------- vendors


@_plain_text
def plot_vendor_concentration(vendor_spend: Overlaps | pd.DataFrame, ax: Axes | None = None, *,
                              top: int = 15) -> Axes:
    """A Pareto chart of run cost by vendor: bars for the top vendors, a line for the cumulative share.

    Parameters
    ----------
    vendor_spend : DataFrame or Overlaps
        A :func:`~estate.overlaps.vendor_spend` table (or the matched systems,
        or an :class:`~estate.overlaps.Overlaps`).
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure.
    top : int, default=15
        How many vendors to show.

    Returns
    -------
    matplotlib Axes
        The bars' Axes (one bar a vendor, money on the left axis); the
        cumulative share (0–100 %, right axis) is on a twin Axes sharing its
        x axis.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> table = pd.DataFrame({"vendor_name": ["Capita", "Idox"], "annual_cost": [75.0, 25.0],
    ...                       "share": [0.75, 0.25], "cumulative_share": [0.75, 1.0]})
    >>> len(plot_vendor_concentration(table).patches)
    2
    """
    from matplotlib.ticker import PercentFormatter

    from estate import overlaps as ov

    func = "plot_vendor_concentration"
    top = _check_count(top, "top", func)
    if _is_overlaps(vendor_spend):
        table = vendor_spend.vendor_spend
    elif _is_matched(vendor_spend):
        table = ov.vendor_spend(vendor_spend)
    elif isinstance(vendor_spend, pd.DataFrame) and {"vendor_name", "annual_cost"} <= set(vendor_spend):
        table = vendor_spend
    else:
        raise _bad("vendor_spend", func, "a vendor_spend table, the matched systems or an Overlaps",
                   type(vendor_spend))
    table = table.sort_values(["annual_cost", "vendor_name"], ascending=[False, True], kind="stable")
    total = float(table["annual_cost"].sum())
    shares = table["annual_cost"] / total if total > 0 else table["annual_cost"] * 0.0
    cumulative = shares.cumsum()
    hhi = float((shares ** 2).sum())
    shown = table.head(top)
    n = len(shown)
    if ax is None:
        ax = _new_axes((max(7.0, 1.6 + 0.55 * n), 5.0))
    positions = np.arange(n)
    ax.bar(positions, shown["annual_cost"], color=OKABE_ITO[0], width=0.7, label="Annual run cost", zorder=2)
    ax.set_xticks(positions, [_short(v, 22) for v in shown["vendor_name"]], rotation=40, ha="right",
                  rotation_mode="anchor", fontsize=8)
    _money_axis(ax.yaxis)
    ax.set_ylabel("Annual run cost (£)")
    ax.grid(axis="y", color="#dddddd", zorder=0)
    ax.set_axisbelow(True)
    for side in ("top",):
        ax.spines[side].set_visible(False)
    twin = ax.twinx()
    twin.plot(positions, cumulative.head(top).to_numpy(), color=OKABE_ITO[5], marker="o", markersize=4,
              linewidth=2, label="Cumulative share")
    twin.set_ylim(0, 1.05)
    twin.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    twin.set_ylabel("Cumulative share of run cost", color=OKABE_ITO[5])
    twin.tick_params(axis="y", colors=OKABE_ITO[5])
    twin.spines["top"].set_visible(False)
    taken = float(cumulative.iloc[n - 1]) if n else 0.0
    _title(ax, f"Vendor concentration: the top {n} vendors take {taken:.0%} of run cost",
           f"{n} of {len(table)} vendors; HHI {hhi:.3f} ({hhi * 10_000:,.0f} on the 0–10,000 scale)")
    handles = ax.get_legend_handles_labels()[0] + twin.get_legend_handles_labels()[0]
    ax.legend(handles, [h.get_label() for h in handles], loc="center right", fontsize=8, frameon=False)
    return ax


# --------------------------------------------------------------------------- the estate graph


def _estate_subgraph(graph: nx.MultiDiGraph, max_nodes: int) -> tuple[list[Any], str]:
    """The nodes to draw: everything if small, else the costliest systems and their neighbours."""
    if graph.number_of_nodes() <= max_nodes:
        return list(graph.nodes), ""
    systems = [(n, d) for n, d in graph.nodes(data=True) if d.get("kind") == "system"]
    systems.sort(key=lambda item: (-float(item[1].get("annual_cost", 0.0) or 0.0), str(item[0])))
    chosen: dict[Any, None] = {}
    for node, _ in systems:
        around = [node]
        for neighbour in [*graph.predecessors(node), *graph.successors(node)]:
            kind = graph.nodes[neighbour].get("kind")
            if kind == "system":
                continue
            around.append(neighbour)
            if kind == "product":
                around.extend(v for v in graph.successors(neighbour) if graph.nodes[v].get("kind") == "vendor")
        new = [n for n in dict.fromkeys(around) if n not in chosen]
        if len(chosen) + len(new) > max_nodes:
            break
        chosen.update(dict.fromkeys(new))
    if not chosen:  # not even one system fits: the first nodes by kind
        chosen = dict.fromkeys(sorted(graph.nodes, key=str)[:max_nodes])
    return list(chosen), "the costliest systems and what they connect to"


_COLUMNS = {"organisation": 0, "site": 0, "contract": 0, "system": 1, "capability": 2, "product": 3, "vendor": 4}
_COLUMN_TITLES = ("Organisations, sites,\ncontracts", "Systems", "Capabilities", "Products", "Vendors")


def _layered_layout(graph: nx.MultiDiGraph, nodes: list[Any]) -> dict[Any, tuple[float, float]]:
    """Columns by kind (organisation | system | capability | product | vendor); rows ordered to cut crossings.

    Systems are sorted by organisation, capability and name; every other node
    sits at the mean row of the nodes it links to in columns already placed
    (the barycentre heuristic), then each column is spread evenly top to bottom.
    """
    kinds = {n: graph.nodes[n].get("kind", "other") for n in nodes}
    columns: dict[int, list[Any]] = {}
    for node in nodes:
        columns.setdefault(_COLUMNS.get(kinds[node], 5), []).append(node)
    chosen = set(nodes)
    neighbours = {n: [m for m in (*graph.predecessors(n), *graph.successors(n)) if m in chosen and m != n]
                  for n in nodes}

    def label(node: Any) -> str:
        return str(graph.nodes[node].get("label", node))

    def first_of(node: Any, kind: str) -> str:
        return min((label(m) for m in neighbours[node] if kinds[m] == kind), default="")

    row: dict[Any, float] = {}

    def spread(column: list[Any]) -> None:
        for i, node in enumerate(column):
            row[node] = 1 - (i + 0.5) / len(column)

    systems = sorted(columns.get(1, []), key=lambda n: (first_of(n, "organisation"), first_of(n, "capability"),
                                                        label(n), str(n)))
    spread(systems)
    for column in (0, 2, 3, 4, 5):
        members = columns.get(column, [])

        def centre(node: Any) -> float:
            placed = [row[m] for m in neighbours[node] if m in row]
            return -sum(placed) / len(placed) if placed else 0.0

        spread(sorted(members, key=lambda n: (centre(n), label(n), str(n))))
        if not systems and column == 0:
            continue
    return {n: (float(_COLUMNS.get(kinds[n], 5)), row[n]) for n in nodes}


def _arc(start: tuple[float, float], end: tuple[float, float], bulge: float = 0.35, points: int = 16) -> np.ndarray:
    """A quadratic Bézier arc from ``start`` to ``end`` bowing to the left (away from labels), as a polyline."""
    (x0, y0), (x1, y1) = start, end
    control = ((x0 + x1) / 2 - bulge * max(abs(y1 - y0), 0.05) - 0.08, (y0 + y1) / 2)
    t = np.linspace(0, 1, points)[:, None]
    return (1 - t) ** 2 * np.array(start) + 2 * (1 - t) * t * np.array(control) + t ** 2 * np.array(end)


@_plain_text
def plot_estate_graph(graph: nx.MultiDiGraph, ax: Axes | None = None, *, max_nodes: int = 80) -> Axes:
    """A drawing of the estate graph in columns by node kind, coloured and shaped by kind.

    Columns from left to right hold organisations (with sites and contracts),
    systems, capabilities, products and vendors; integrations between systems
    are arcs beside the systems' column. Rows are ordered so that links cross
    as little as a simple heuristic manages, and every node is labelled.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A graph from :func:`estate.graph.build_graph`.
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure.
    max_nodes : int, default=80
        The most nodes to draw. A larger graph is cut to its costliest systems
        with their organisation, products, vendors, capabilities, sites and
        contracts (never a system without them), and the subtitle says so.

    Returns
    -------
    matplotlib Axes
        With one line collection (links and integration arcs), one scatter a
        node kind (and a legend entry each, plus one for integrations when
        any is drawn) and a label a node.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> from estate.graph import build_graph
    >>> matched = pd.DataFrame({"organisation": ["Eden"], "system_key": ["Eden/1"], "system": ["Revs"],
    ...                         "product_id": ["capita-academy"], "vendor_name": ["Capita"]})
    >>> ax = plot_estate_graph(build_graph(matched))
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['organisation (1)', 'system (1)', 'product (1)', 'vendor (1)']
    """
    import networkx as nx
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    func = "plot_estate_graph"
    if not isinstance(graph, nx.Graph):
        raise _bad("graph", func, "a networkx graph from build_graph", type(graph))
    max_nodes = _check_count(max_nodes, "max_nodes", func)
    nodes, how = _estate_subgraph(graph, max_nodes)
    position = _layered_layout(graph, nodes)
    per_column: dict[float, int] = {}
    for x, _ in position.values():
        per_column[x] = per_column.get(x, 0) + 1
    tallest = max(per_column.values(), default=1)
    if ax is None:
        ax = _new_axes((14.0, max(5.0, min(16.0, 1.6 + 0.2 * tallest))))
    subtitle = f"{len(nodes)} of {graph.number_of_nodes()} nodes"
    subtitle += f": {how}" if how else ""
    _title(ax, "Estate graph", subtitle)
    if not nodes:
        ax.set_axis_off()
        return ax
    chosen = set(nodes)
    segments: list[Any] = []
    colours: list[str] = []
    integrations = 0
    seen: set[tuple[Any, Any]] = set()
    for u, v, key in graph.subgraph(nodes).edges(keys=True):
        if (u, v) in seen or u not in chosen or v not in chosen:
            continue
        seen.add((u, v))
        if key == "integrates_with" or position[u][0] == position[v][0]:
            segments.append(_arc(position[u], position[v]))
            colours.append(OKABE_ITO[5] if key == "integrates_with" else _GREY)
            integrations += key == "integrates_with"
        else:
            segments.append(np.array([position[u], position[v]]))
            colours.append(_GREY)
    ax.add_collection(LineCollection(segments, colors=colours, linewidths=0.7, alpha=0.5, zorder=1))
    # Text size so that a column's labels do not overlap (about 0.75 of the row pitch), and labels cut so
    # that they end before the next column (a character is at most about 0.58 of the text size wide).
    width_inches, height_inches = ax.figure.get_size_inches() * ax.get_position().size
    row_points = height_inches * 72 / 1.08 / max(tallest, 1)
    size = float(np.clip(row_points * 0.75, 4.5, 8.0))
    right = max(per_column) + 1.1
    pitch_inches = width_inches / (right + 1.5)
    characters = max(int((pitch_inches - 0.15) * 72 / (0.58 * size)), 8)
    kinds = {n: graph.nodes[n].get("kind", "other") for n in nodes}
    for kind in [*KIND_STYLES, "other"]:
        members = [n for n in nodes if kinds[n] == kind]
        if not members:
            continue
        colour, marker = KIND_STYLES.get(kind, (_GREY, "o"))
        xy = np.array([position[n] for n in members])
        ax.scatter(xy[:, 0], xy[:, 1], s=70 if kind == "organisation" else 36, color=colour, marker=marker,
                   edgecolors="#333333", linewidths=0.5, zorder=3, label=f"{kind} ({len(members)})")
        for node in members:
            x, y = position[node]
            left = x == 0
            ax.annotate(_short(graph.nodes[node].get("label", node[-1] if isinstance(node, tuple) else node),
                               characters),
                        (x, y), xytext=(-6 if left else 6, 0), textcoords="offset points",
                        ha="right" if left else "left", va="center", fontsize=size, zorder=4,
                        fontweight="bold" if kind == "organisation" else "normal",
                        bbox={"boxstyle": "round,pad=0.05", "facecolor": "white", "edgecolor": "none",
                              "alpha": 0.7})
    for x in sorted(per_column):
        title = _COLUMN_TITLES[int(x)] if int(x) < len(_COLUMN_TITLES) else "Other"
        ax.text(x, 1.02, title, ha="center", va="bottom", fontsize=8.5, fontweight="bold", color="#444444")
    ax.set_xlim(-1.5, right)
    ax.set_ylim(-0.01, 1.08)
    ax.set_axis_off()
    handles, labels = ax.get_legend_handles_labels()
    if integrations:
        handles.append(Line2D([], [], color=OKABE_ITO[5], linewidth=1.2))
        labels.append(f"integration ({integrations})")
    ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False,
              title="Node kind", title_fontsize=8)
    return ax


# --------------------------------------------------------------------------- charts of a plan

OPTION_TYPE_COLOURS: dict[str, str] = {
    "shared platform": OKABE_ITO[0],
    "joint procurement": OKABE_ITO[1],
    "rationalisation": OKABE_ITO[2],
    "hosting consolidation": OKABE_ITO[3],
}
"""The colour of each option type in the plan charts (Okabe & Ito: blue, orange, green, purple)."""

PLAN_CHARTS = ("savings_waterfall", "cumulative_cash_flow", "roadmap_gantt", "overlap_heatmap", "partner_gains",
               "tornado", "npv_distribution")
"""The charts :func:`write_charts` draws, by file name (without extension), in order."""

_TOTAL_COLOUR = "#555555"
_CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}
_FORMATS = ("png", "svg", "pdf")


def _is_plan(value: object) -> bool:
    from estate.plan import Plan

    return isinstance(value, Plan)


def _check_plan(value: object, name: str, func: str) -> None:
    if not _is_plan(value):
        raise _bad(name, func, "a Plan from make_plan", type(value))


def _symbol(plan: Any) -> str:
    """The currency symbol of a plan's money: ``£`` for GBP, else the code and a space."""
    code = str(getattr(plan.assumptions, "currency", "GBP") or "GBP")
    return _CURRENCY_SYMBOLS.get(code.upper(), code if len(code) == 1 else code + " ")


def _plan_money_axis(axis: Any, currency: str) -> None:
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(FuncFormatter(lambda v, _: format_money(v, currency=currency, exact=True)))


def _signed(value: float, currency: str) -> str:
    """``+£27k`` or ``−£12k`` (a true minus sign), ``£0`` for nothing."""
    text = format_money(abs(value), currency=currency)
    if abs(value) < 0.5:
        return format_money(0.0, currency=currency)
    return ("+" if value > 0 else "\u2212") + text


def _money_text(value: float, currency: str) -> str:
    """:func:`format_money` with a true minus sign."""
    return format_money(value, currency=currency).replace("-", "\u2212")


def _count(n: int, noun: str) -> str:
    """``1 option``, ``2 options``, ``no options``."""
    return f"{n} {noun}" + ("" if n == 1 else "s") if n else f"no {noun}s"


def _fy_positions(dates: pd.Series, first_year: int, first_month: int) -> np.ndarray:
    """Where dates fall on a time axis counted in years from the start of ``first_year``.

    Year ``t`` runs from ``t`` to ``t + 1``; a date sits at its year plus the
    fraction of the year's days gone before it.
    """
    from estate.appraisal import financial_year, fy_start

    out = np.full(len(dates), np.nan)
    for i, value in enumerate(pd.to_datetime(dates)):
        if pd.isna(value):
            continue
        year = financial_year(value.date(), first_month=first_month)
        start = fy_start(year, first_month=first_month)
        length = (fy_start(year + 1, first_month=first_month) - start).days
        out[i] = year - first_year + (value.date() - start).days / length
    return out


def _option_label(row: Any, width: int) -> str:
    """``SP-031 Finance and ERP``: the id and the capability (or what is done, for a site), cut to ``width``."""
    name = row.capability_name if isinstance(row.capability_name, str) and row.capability_name else ""
    if not name:
        target = row.target_label if isinstance(row.target_label, str) else ""
        name = target.split(";")[0].strip()
        name = name[:1].upper() + name[1:]
    return _short(f"{row.option_id} {name}".strip(), width)


def _time_axis(ax: Axes, labels: list[str], first_year_label: str = "") -> None:
    """Financial-year labels centred in each year of an axis counted in years, with year boundaries marked."""
    n = len(labels)
    ax.set_xticks(np.arange(n) + 0.5, labels, fontsize=8, rotation=0 if n <= 12 else 45,
                  ha="center" if n <= 12 else "right", rotation_mode="anchor")
    ax.set_xticks(np.arange(n + 1), minor=True)
    ax.tick_params(axis="x", which="major", length=0)
    ax.tick_params(axis="x", which="minor", length=4)
    ax.grid(axis="x", which="minor", color="#eeeeee", zorder=0)
    ax.set_xlabel("Financial year" + (f" (year 0 is {first_year_label})" if first_year_label else ""))


@_plain_text
def plot_savings_waterfall(plan: Any, ax: Axes | None = None, *, from_zero: bool = False) -> Axes:
    """A waterfall from today's annual run cost to the run cost once the plan is in place.

    The first bar is the run cost today (every system and hosting site in the inventories);
    then one falling step per option type holds the recommended options'
    steady-state annual saving after optimism bias (their savings in the last
    appraisal year, as on the Summary) summed by type (a type with none
    recommended is a flat step of £0); the last bar is the run cost after
    (today's less the saving).

    Parameters
    ----------
    plan : Plan
        A plan from :func:`estate.plan.make_plan`.
    ax : matplotlib Axes, optional
        Where to draw; by default a new 10 × 6 in figure.
    from_zero : bool, default=False
        Start the money axis at zero. By default it starts just below the
        run cost after, so that steps of a few per cent can be seen, and
        the subtitle says where it starts.

    Returns
    -------
    matplotlib Axes
        With one bar a step (``n_types + 2`` bars: today, one an option type
        of :data:`estate.options.OPTION_TYPES` in that order, after), each
        labelled with its amount, and dotted connectors between them.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> import estate
    >>> from estate.examples import two_councils
    >>> inventory = two_councils()
    >>> ax = plot_savings_waterfall(estate.make_plan(inventory))
    >>> [t.get_text() for t in ax.texts[:6]]
    ['£405k', '−£59k', '£0', '£0', '£0', '£346k']
    """
    from matplotlib.ticker import MaxNLocator

    from estate.options import OPTION_TYPES

    func = "plot_savings_waterfall"
    _check_plan(plan, "plan", func)
    if not isinstance(from_zero, (bool, np.bool_)):
        raise _bad("from_zero", func, "a bool", from_zero)
    currency = _symbol(plan)
    today = float(plan.headline()["Annual run cost"])  # systems and hosting sites
    options = plan.options.options
    chosen = options.loc[options["option_id"].isin(plan.recommended)]
    # The steady-state saving after optimism bias (the Summary's): each option's savings in the last year.
    flows = plan.options.cash_flows
    last = flows.loc[flows["option_id"].isin(plan.recommended) & (flows["t"] == flows["t"].max())]
    sums = last.groupby(last["option_id"].map(chosen.set_index("option_id")["type"]))["savings"].sum()
    counts = chosen.groupby("type")["option_id"].count()
    types = [*OPTION_TYPES, *sorted(set(sums.index) - set(OPTION_TYPES))]
    saving = {kind: float(sums.get(kind, 0.0)) for kind in types}
    total = sum(saving.values())
    after = today - total

    levels = [today]
    for kind in types:
        levels.append(levels[-1] - saving[kind])
    bottoms = [0.0] + [min(a, b) for a, b in zip(levels[:-1], levels[1:])] + [0.0]
    heights = [today] + [abs(saving[kind]) for kind in types] + [after]
    colours = [_TOTAL_COLOUR] + [OPTION_TYPE_COLOURS.get(kind, _GREY) for kind in types] + [_TOTAL_COLOUR]
    positions = np.arange(len(heights))
    if ax is None:
        ax = _new_axes((10.0, 6.0))
    ax.bar(positions, heights, bottom=bottoms, color=colours, width=0.62, zorder=2, edgecolor="white",
           linewidth=0.5)
    ax.hlines(levels, positions[:-1] + 0.31, positions[1:] - 0.31, colors="#777777", linestyles=":",
              linewidth=1, zorder=1)

    high = max(today, after, max(levels))
    low = min(0.0, after)
    if not from_zero and after > 0:
        span = max(abs(total), 0.02 * high)
        floor = min(levels) - 1.2 * span
        ticks = MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]).tick_values(max(floor, 0.0), high)
        candidate = max((t for t in ticks if t <= max(floor, 0.0)), default=0.0)
        low = candidate if candidate > 0.15 * high else 0.0
    room = (high - low) * 0.08
    ax.set_ylim(low, high + room)

    def label(x: float, y: float, text: str, bold: bool = False) -> None:
        ax.annotate(text, (x, y), xytext=(0, 3), textcoords="offset points", ha="center", va="bottom",
                    fontsize=9, fontweight="bold" if bold else "normal", zorder=4)

    label(0, today, _money_text(today, currency), bold=True)
    for i, kind in enumerate(types, start=1):
        label(i, max(levels[i - 1], levels[i]), _signed(-saving[kind], currency))
    label(len(types) + 1, after, _money_text(after, currency), bold=True)

    names = ["Run cost\ntoday"]
    for kind in types:
        count = int(counts.get(kind, 0))
        names.append(textwrap.fill(kind[:1].upper() + kind[1:], 14, break_long_words=False)
                     + "\n" + _count(count, "option"))
    names.append("Run cost\nafter")
    ax.set_xticks(positions, names, fontsize=9)
    ax.tick_params(axis="x", length=0)
    _plan_money_axis(ax.yaxis, currency)
    ax.set_ylabel(f"Annual run cost ({currency.strip()} a year)")
    ax.grid(axis="y", color="#dddddd", zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    share = total / today if today else float("nan")
    falls = "falls" if total >= 0 else "rises"
    title = f"Annual run cost {falls} by {format_money(abs(total), currency=currency)}"
    title += f" ({abs(share):.0%})" if math.isfinite(share) else ""
    verb = "is" if len(chosen) == 1 else "are"
    subtitle = (f"From {_money_text(today, currency)} a year today to {_money_text(after, currency)} once the "
                f"{_count(len(chosen), 'recommended option')} {verb} in place; savings summed by option type")
    if low > 0:
        subtitle += f". The axis starts at {format_money(low, currency=currency, exact=True)}, not zero"
    _title(ax, title, subtitle)
    return ax


@_plain_text
def plot_cumulative_cash_flow(plan_or_flows: Any, ax: Axes | None = None) -> Axes:
    """The portfolio's net cash flow each financial year (bars) and its running total (line), with payback.

    Parameters
    ----------
    plan_or_flows : Plan or DataFrame
        A plan, or its :meth:`~estate.plan.Plan.portfolio_cash_flows` (with
        ``t``, ``label`` and ``net``).
    ax : matplotlib Axes, optional
        Where to draw; by default a new 10 × 6 in figure.

    Returns
    -------
    matplotlib Axes
        With one bar a year (its net: savings less costs; blue when
        positive, vermillion when negative); a line ``"Cumulative net"``;
        the zero line; and, when the portfolio pays back within the
        horizon, a diamond ``"Payback"`` on the zero line and its annotation.

    Notes
    -----
    The time axis counts years from the start of year 0: year ``t`` spans
    ``t`` to ``t + 1`` and its bar sits in the middle. The cumulative is
    drawn at the end of each year (from 0 at the start of year 0) and joined
    by straight lines, so it crosses zero exactly at the payback of
    :func:`estate.appraisal.payback_years` (the last crossing, interpolated
    within the year; see ``docs/appraisal.md``). Flows are undiscounted.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> flows = pd.DataFrame({"t": [0, 1, 2, 3, 4], "label": ["2027/28", "2028/29", "2029/30", "2030/31",
    ...                                                     "2031/32"],
    ...                       "net": [-100_000.0, 40_000.0, 40_000.0, 40_000.0, 40_000.0]})
    >>> ax = plot_cumulative_cash_flow(flows)
    >>> len(ax.patches), ax.get_title(loc="left")
    (5, 'Cash flow: the portfolio pays back in 3.5 years')
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from estate.appraisal import payback_years

    func = "plot_cumulative_cash_flow"
    currency = "£"
    subtitle_tail = ""
    if _is_plan(plan_or_flows):
        plan = plan_or_flows
        flows = plan.portfolio_cash_flows()
        payback = float(plan.headline()["Payback years"])
        currency = _symbol(plan)
        a = plan.assumptions
        subtitle_tail = (f"; NPV {_money_text(float(plan.headline()['NPV']), currency)} at "
                         f"{a.discount_rate:.1%} over {a.horizon_years} years")
    elif isinstance(plan_or_flows, pd.DataFrame) and {"t", "label", "net"} <= set(plan_or_flows):
        flows = plan_or_flows.sort_values("t", kind="stable")
        payback = float(payback_years(flows["net"].to_numpy(dtype=float))) if len(flows) else float("nan")
    else:
        raise _bad("plan_or_flows", func, "a Plan or its portfolio_cash_flows()", type(plan_or_flows))
    net = flows["net"].to_numpy(dtype=float)
    labels = [str(v) for v in flows["label"]]
    n = len(net)
    first_label = labels[0] if n else ""
    cumulative = np.concatenate([[0.0], np.cumsum(net)])
    if ax is None:
        ax = _new_axes((10.0, 6.0))
    colours = [OKABE_ITO[0] if v >= 0 else OKABE_ITO[5] for v in net]
    ax.bar(np.arange(n) + 0.5, net, width=0.7, color=colours, zorder=2, alpha=0.85)
    ax.axhline(0, color="#333333", linewidth=0.8, zorder=1)
    ax.plot(np.arange(n + 1), cumulative, color="#000000", linewidth=2, marker="o", markersize=3.5, zorder=3,
            label="Cumulative net")
    low, high = float(min(cumulative.min(), net.min(initial=0.0))), float(max(cumulative.max(), net.max(initial=0.0)))
    span = (high - low) or 1.0
    ax.set_ylim(low - 0.18 * span, high + 0.12 * span)
    ax.set_xlim(0, max(n, 1))
    _time_axis(ax, labels, first_label)
    _plan_money_axis(ax.yaxis, currency)
    ax.set_ylabel(f"Net cash flow ({currency.strip()}, undiscounted)")
    ax.grid(axis="y", color="#dddddd", zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    bbox = {"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": "#bbbbbb", "alpha": 0.9}
    trough = int(np.argmin(cumulative))
    if cumulative[trough] < 0:
        ax.annotate(f"Most cash out: {_money_text(-cumulative[trough], currency)}\nby the end of "
                    f"{labels[trough - 1]}", (trough, cumulative[trough]), xytext=(12, -6),
                    textcoords="offset points", ha="left", va="top", fontsize=8, bbox=bbox, zorder=5)
    handles = [Patch(color=OKABE_ITO[0], alpha=0.85, label="Net saving in the year"),
               Patch(color=OKABE_ITO[5], alpha=0.85, label="Net cost in the year"),
               Line2D([], [], color="#000000", linewidth=2, marker="o", markersize=3.5, label="Cumulative net")]
    if math.isfinite(payback):
        year = min(int(payback), n - 1)
        ax.plot([payback], [0.0], linestyle="none", marker="D", markersize=9, color=OKABE_ITO[2],
                markeredgecolor="#000000", zorder=4, label="Payback")
        ax.annotate(f"Payback: {payback:.1f} years\n(during {labels[year]})", (payback, 0.0), xytext=(14, -22),
                    textcoords="offset points", ha="left", va="top", fontsize=9, fontweight="bold", bbox=bbox,
                    arrowprops={"arrowstyle": "-", "color": "#333333", "linewidth": 0.8}, zorder=5)
        handles.append(Line2D([], [], linestyle="none", marker="D", markersize=8, color=OKABE_ITO[2],
                              markeredgecolor="#000000", label="Payback"))
        title = f"Cash flow: the portfolio pays back in {payback:.1f} years"
    else:
        title = f"Cash flow: the portfolio does not pay back within {n} years"
    if n:
        ax.annotate(_money_text(cumulative[-1], currency), (n, cumulative[-1]), xytext=(-4, 6),
                    textcoords="offset points", ha="right", va="bottom", fontsize=9, fontweight="bold", zorder=5)
    ax.legend(handles=handles, loc="upper left", fontsize=8, frameon=False)
    _title(ax, title, "Net of savings and costs each year (bars) and the running total (line), undiscounted; "
                      f"payback counted from the start of {first_label}{subtitle_tail}")
    return ax


@_plain_text
def plot_roadmap_gantt(plan: Any, ax: Axes | None = None, *, top: int = 25) -> Axes:
    """The recommended options as bars from their start to their end financial year, with the retirements.

    Parameters
    ----------
    plan : Plan
        A plan from :func:`estate.plan.make_plan`.
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure 10 in wide and as tall as the
        options need.
    top : int, default=25
        How many options to show at most: those with the highest NPV.

    Returns
    -------
    matplotlib Axes
        With one bar a shown option (in the colour of its type, labelled
        ``"SP-031 Finance and ERP"`` on the y axis and with its NPV at its
        end), sorted by start year then NPV (highest first, from the top);
        one scatter of crosses where a system or site is retired (the date of
        the ``retire`` events of :attr:`estate.roadmap.Roadmap.events`, a
        number beside it when several coincide); and a legend of the types.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> import estate
    >>> from estate.examples import two_councils
    >>> inventory = two_councils()
    >>> ax = plot_roadmap_gantt(estate.make_plan(inventory))
    >>> len(ax.patches), [t.get_text() for t in ax.get_yticklabels()]
    (1, ['SP-001 Revenues and benefits'])
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    from matplotlib.transforms import offset_copy

    from estate.appraisal import fy_label
    from estate.options import OPTION_TYPES

    func = "plot_roadmap_gantt"
    _check_plan(plan, "plan", func)
    top = _check_count(top, "top", func)
    a = plan.assumptions
    currency = _symbol(plan)
    table = plan.options_table()
    chosen = table.loc[table["recommended"]]
    shown = chosen.sort_values(["npv", "option_id"], ascending=[False, True], kind="stable").head(top)
    shown = shown.sort_values(["start_year", "npv", "option_id"], ascending=[True, False, True],
                              kind="stable").reset_index(drop=True)
    n = len(shown)
    if ax is None:
        ax = _new_axes((10.0, float(np.clip(2.2 + 0.3 * n, 4.0, 16.0))))
    first = int(a.first_year)
    starts = shown["start_year"].to_numpy(dtype=float) - first
    widths = shown["end_year"].to_numpy(dtype=float) - first + 1 - starts
    colours = [OPTION_TYPE_COLOURS.get(kind, _GREY) for kind in shown["type"]]
    rows = np.arange(n)
    ax.barh(rows, widths, left=starts, height=0.62, color=colours, zorder=2, edgecolor="white", linewidth=0.5)
    ends = starts + widths
    schedule = getattr(plan, "schedule", None)
    reasons = (dict(zip(schedule.table["option_id"], schedule.table["reason"], strict=True))
               if schedule is not None else {})
    for row, end, npv, option in zip(rows, ends, shown["npv"], shown["option_id"]):
        reason = reasons.get(option, "")
        text = _money_text(float(npv), currency) + (f" ({reason})" if reason and reason != "ready" else "")
        ax.annotate(text, (end, row), xytext=(3, 0), textcoords="offset points",
                    ha="left", va="center", fontsize=7, color="#333333")
    events = plan.roadmap.events
    retired = events.loc[events["event"].eq("retire") & events["option_id"].isin(shown["option_id"])]
    row_of = dict(zip(shown["option_id"], rows))
    marks = pd.DataFrame({"row": retired["option_id"].map(row_of).to_numpy(),
                          "x": _fy_positions(retired["date"], first, int(a.first_month))}).dropna()
    # Retirements on one row less than a quarter-year apart share one mark (their counts would overlap).
    marks = marks.sort_values(["row", "x"], kind="stable")
    cluster = (marks["row"].ne(marks["row"].shift()) | marks["x"].diff().gt(0.25)).cumsum()
    marks = marks.groupby(cluster).agg(row=("row", "first"), x=("x", "first"), count=("x", "size"))
    ax.scatter(marks["x"], marks["row"], marker="X", s=42, color="#000000", edgecolors="white", linewidths=0.6,
               zorder=4, label="Retirement")
    for mark in marks.itertuples(index=False):
        if mark.count > 1:
            ax.annotate(str(mark.count), (mark.x, mark.row), xytext=(5, 3), textcoords="offset points", fontsize=7,
                        fontweight="bold", ha="left", va="bottom", zorder=5,
                        bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
    horizon = int(a.horizon_years)
    span = int(max(horizon, math.ceil(float(ends.max())) if n else 0))
    _time_axis(ax, [fy_label(first + t, first_month=int(a.first_month)) for t in range(span)])
    ax.set_xlim(0, span)
    ax.set_yticks(rows, [_option_label(row, 42) for row in shown.itertuples(index=False)], fontsize=8)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(max(n, 1) - 0.5, -0.5)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    present = [kind for kind in (*OPTION_TYPES, *sorted(set(shown["type"]) - set(OPTION_TYPES)))
               if kind in set(shown["type"])]
    handles = [Patch(color=OPTION_TYPE_COLOURS.get(kind, _GREY), label=kind[:1].upper() + kind[1:])
               for kind in present]
    handles.append(Line2D([], [], linestyle="none", marker="X", markersize=7, color="#000000",
                          markeredgecolor="white", label="System or site retired"))
    ax.legend(handles=handles, loc="upper center", ncol=min(len(handles), 3), fontsize=8, frameon=False,
              bbox_to_anchor=(0.5, 0.0), bbox_transform=offset_copy(ax.transAxes, fig=ax.figure, y=-30,
                                                                   units="points"))
    total = len(chosen)
    title = (f"Roadmap: {'the ' if total else ''}{_count(total, 'recommended option')}" if n == total
             else f"Roadmap: the top {n} of {total} recommended options by NPV")
    _title(ax, title, "Each bar runs from the start of an option's first financial year to the end of its last, "
                      "coloured by type, with its NPV at the end and, in brackets, what set a later start (contract "
                      "end, capacity, dependency, budget); crosses mark retirements (a number when several "
                      "fall together). Sorted by start, then NPV")
    return ax


@_plain_text
def plot_partner_gains(plan_or_partners: Any, ax: Axes | None = None, *, top: int = 30) -> Axes:
    """Each partner's NPV from the recommended options, before and after the fair transfers.

    Parameters
    ----------
    plan_or_partners : Plan or DataFrame
        A plan, or a partners table (``plan.partners.partners``, with
        ``organisation``, ``npv`` and ``npv_after_transfer``; ``transfer`` is
        shown when present).
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure 10 in wide and as tall as the
        partners need.
    top : int, default=30
        How many partners to show at most: those with the largest NPV before
        transfers, in either direction.

    Returns
    -------
    matplotlib Axes
        With two bars a partner (NPV before transfers, then after), sorted by
        NPV after transfers (highest at the top), the zero line, the NPV after
        transfers beside each pair and, on the right, the transfer each
        partner receives (+) or pays (−). Partners are named by the short name
        of the inventory's Organisations sheet where it has one.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import pandas as pd
    >>> partners = pd.DataFrame({"organisation": ["Eden District Council", "Carlisle City Council"],
    ...                          "npv": [80_000.0, -10_000.0], "transfer": [-10_000.0, 10_000.0],
    ...                          "npv_after_transfer": [70_000.0, 0.0]})
    >>> ax = plot_partner_gains(partners)
    >>> len(ax.patches), [t.get_text() for t in ax.get_yticklabels()]
    (4, ['Eden District Council', 'Carlisle City Council'])
    """
    from matplotlib.patches import Patch

    func = "plot_partner_gains"
    top = _check_count(top, "top", func)
    currency = "£"
    short: dict[str, str] = {}
    subtitle = ""
    if _is_plan(plan_or_partners):
        plan = plan_or_partners
        table = plan.partners.partners
        currency = _symbol(plan)
        organisations = plan.inventory.organisations
        if "short_name" in organisations:
            for name, nick in zip(organisations["organisation"], organisations["short_name"]):
                if isinstance(nick, str) and nick.strip():
                    short[str(name)] = nick.strip()
        a = plan.assumptions
        subtitle = f"over {a.horizon_years} years at {a.discount_rate:.1%}; "
    elif isinstance(plan_or_partners, pd.DataFrame) and {"organisation", "npv", "npv_after_transfer"} <= set(
            plan_or_partners):
        table = plan_or_partners
    else:
        raise _bad("plan_or_partners", func, "a Plan or its partners table", type(plan_or_partners))
    total = len(table)
    shown = table.assign(_size=table["npv"].abs()).sort_values(["_size", "organisation"], ascending=[False, True],
                                                                kind="stable").head(top)
    shown = shown.sort_values(["npv_after_transfer", "organisation"], ascending=[False, True],
                              kind="stable").reset_index(drop=True)
    n = len(shown)
    if ax is None:
        ax = _new_axes((10.0, float(np.clip(2.0 + 0.42 * n, 4.0, 16.0))))
    rows = np.arange(n)
    before = shown["npv"].to_numpy(dtype=float)
    after = shown["npv_after_transfer"].to_numpy(dtype=float)
    ax.barh(rows - 0.2, before, height=0.38, color=OKABE_ITO[1], zorder=2, label="NPV before transfers")
    ax.barh(rows + 0.2, after, height=0.38, color=OKABE_ITO[0], zorder=2, label="NPV after transfers")
    ax.axvline(0, color="#333333", linewidth=0.8, zorder=3)
    for row, value in zip(rows, after):
        ax.annotate(_money_text(value, currency), (max(value, 0.0), row + 0.2), xytext=(3, 0),
                    textcoords="offset points", ha="left", va="center", fontsize=7, color="#333333")
    for row, value in zip(rows, before):  # a partner that loses before transfers: say by how much
        if value < -0.5:
            ax.annotate(_money_text(value, currency), (value, row - 0.2), xytext=(-3, 0),
                        textcoords="offset points", ha="right", va="center", fontsize=7, color=OKABE_ITO[5])
    low = float(min(before.min(initial=0.0), after.min(initial=0.0)))
    high = float(max(before.max(initial=0.0), after.max(initial=0.0)))
    span = (high - low) or 1.0
    ax.set_xlim(min(low, 0.0) - (0.1 * span if low < 0 else 0.0), high + 0.12 * span)
    ax.set_yticks(rows, [short.get(str(name), _short(name, 28)) for name in shown["organisation"]], fontsize=8)
    ax.tick_params(axis="y", length=0)
    ax.set_ylim(n - 0.5, -0.7)
    _plan_money_axis(ax.xaxis, currency)
    ax.set_xlabel(f"Net present value ({currency.strip()})")
    ax.grid(axis="x", color="#dddddd", zorder=0)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    if "transfer" in shown:
        where = ax.get_yaxis_transform()
        ax.text(1.02, -0.7, "Transfer", transform=where, ha="left", va="bottom", fontsize=8, fontweight="bold",
                clip_on=False)
        for row, value in zip(rows, shown["transfer"].astype(float)):
            ax.text(1.02, row, _signed(value, currency), transform=where, ha="left", va="center", fontsize=8,
                    clip_on=False, color=OKABE_ITO[5] if value < -0.5 else OKABE_ITO[2] if value > 0.5 else "#333333")
    handles = [Patch(color=OKABE_ITO[1], label="NPV before transfers"),
               Patch(color=OKABE_ITO[0], label="NPV after transfers")]
    ax.legend(handles=handles, loc="lower right", fontsize=8, frameon=False)
    gain_before = int((table["npv"] >= -0.5).sum())
    gain_after = int((table["npv_after_transfer"] >= -0.5).sum())
    title = f"Partner gains: {gain_before} of {total} partners gain before transfers, {gain_after} after"
    shown_note = f"; {n} of {total} partners shown (largest NPV)" if n < total else ""
    _title(ax, title, "Each partner's NPV from its share of the recommended options, " + subtitle
           + "transfers (right: + received, \u2212 paid) share the gains so that no partner loses" + shown_note)
    return ax


@_plain_text
def plot_tornado(plan: Any, ax: Axes | None = None) -> Axes:
    """The portfolio's NPV with each uncertain assumption at its low and high, widest swing on top.

    Parameters
    ----------
    plan : Plan
        A plan from :func:`estate.plan.make_plan`; the bars are its
        :meth:`~estate.plan.Plan.sensitivity` tornado.
    ax : matplotlib Axes, optional
        Where to draw; by default a new 10 x 4.5 in figure.

    Returns
    -------
    matplotlib Axes
        Two bars an assumption from the planned NPV (a vertical line): to the
        NPV with the assumption at its low value (orange) and at its high
        value (blue), labelled with the values.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import estate
    >>> from estate.examples import two_councils
    >>> ax = plot_tornado(estate.make_plan(two_councils()))
    >>> len(ax.patches), ax.get_yticklabels()[0].get_text()
    (8, 'Annual savings (multiple)')
    """
    func = "plot_tornado"
    _check_plan(plan, "plan", func)
    currency = _symbol(plan)
    frame = plan.sensitivity().tornado
    base = float(plan.sensitivity().table.set_index("variable").loc["NPV P50", "base"])
    if ax is None:
        ax = _new_axes((10.0, 4.5))
    rows = np.arange(len(frame))
    for column, colour, label in (("npv_low", OKABE_ITO[1], "At its low value"),
                                  ("npv_high", OKABE_ITO[0], "At its high value")):
        values = frame[column].to_numpy(dtype=float)
        ax.barh(rows, values - base, left=base, height=0.6, color=colour, zorder=2, label=label)
    for row in frame.itertuples():
        for value, npv in ((row.low_value, row.npv_low), (row.high_value, row.npv_high)):
            ax.annotate(f"{value:g}", (npv, row.Index), xytext=(3 if npv >= base else -3, 0),
                        textcoords="offset points", ha="left" if npv >= base else "right", va="center", fontsize=8)
    ax.axvline(base, color="#000000", linewidth=1, zorder=3)
    ax.set_yticks(rows, list(frame["variable"]), fontsize=9)
    ax.set_ylim(len(frame) - 0.5, -0.5)
    _plan_money_axis(ax.xaxis, currency)
    ax.set_xlabel("Portfolio NPV")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(fontsize=8, frameon=False, loc="lower left")
    _title(ax, "What moves the NPV most",
           f"The recommended portfolio's NPV (as planned: {_money_text(base, currency)}, the line) with one "
           "assumption at the low or high end of its range on the Assumptions sheet and the others as planned")
    return ax


@_plain_text
def plot_npv_distribution(plan: Any, ax: Axes | None = None) -> Axes:
    """The S-curve: the share of Monte Carlo draws whose portfolio NPV is at most each value, with P10/P50/P90.

    Parameters
    ----------
    plan : Plan
        A plan from :func:`estate.plan.make_plan`; the curve is its
        :meth:`~estate.plan.Plan.sensitivity` simulation.
    ax : matplotlib Axes, optional
        Where to draw; by default a new 10 x 5 in figure.

    Returns
    -------
    matplotlib Axes
        A line ``"Simulated NPV"`` (the empirical cumulative distribution),
        markers at P10, P50 and P90 and a dashed line at the planned NPV.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import estate
    >>> from estate.examples import two_councils
    >>> ax = plot_npv_distribution(estate.make_plan(two_councils()))
    >>> [line.get_label() for line in ax.get_lines()][:2]
    ['Simulated NPV', 'NPV as planned']
    """
    from matplotlib.ticker import PercentFormatter

    func = "plot_npv_distribution"
    _check_plan(plan, "plan", func)
    currency = _symbol(plan)
    sens = plan.sensitivity()
    draws = np.sort(sens.simulation.npv)
    planned = float(sens.table.set_index("variable").loc["NPV P50", "base"])
    if ax is None:
        ax = _new_axes((10.0, 5.0))
    share = (np.arange(draws.size) + 1) / max(draws.size, 1)
    ax.plot(draws, share, color=OKABE_ITO[0], linewidth=2, label="Simulated NPV", zorder=3)
    ax.axvline(planned, color="#555555", linestyle="--", linewidth=1, label="NPV as planned")
    ax.axvline(0, color="#000000", linewidth=0.8)
    for p in (10, 50, 90):
        value = sens.value(f"NPV P{p}")
        ax.plot([value], [p / 100], marker="o", color=OKABE_ITO[5], zorder=4)
        ax.annotate(f"P{p} {_money_text(value, currency)}", (value, p / 100), xytext=(6, -4),
                    textcoords="offset points", fontsize=8, ha="left", va="top")
    _plan_money_axis(ax.xaxis, currency)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylim(0, 1)
    ax.set_xlabel("Portfolio NPV")
    ax.set_ylabel("Share of draws at or below")
    ax.grid(axis="y", color="#eeeeee", zorder=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    chance = sens.value("Probability NPV > 0")
    _title(ax, f"How sure: NPV is positive in {chance:.0%} of {sens.simulation.draws:,} draws",
           "Monte Carlo over the uncertain savings, one-off costs and delays on the Assumptions sheet "
           f"(triangular ranges, correlated; seed {sens.simulation.seed})")
    return ax


def write_charts(plan: Any, folder: str | Path, *, formats: Iterable[str] = ("png", "svg"),
                 dpi: int = 150) -> dict[str, Path]:
    """Draw the plan's charts and save each in every format.

    Writes :data:`PLAN_CHARTS` — ``savings_waterfall``
    (:func:`plot_savings_waterfall`), ``cumulative_cash_flow``
    (:func:`plot_cumulative_cash_flow`), ``roadmap_gantt``
    (:func:`plot_roadmap_gantt`), ``overlap_heatmap``
    (:func:`plot_overlap_heatmap` of ``plan.overlaps``), ``partner_gains``
    (:func:`plot_partner_gains`), ``tornado`` (:func:`plot_tornado`) and
    ``npv_distribution`` (:func:`plot_npv_distribution`, the S-curve), and for a plan with successor
    authorities ``successor_estates`` (:func:`plot_successor_estates`) — as ``folder/<name>.<format>``, each figure
    sized for its content (10 in wide) and closed once saved.

    Parameters
    ----------
    plan : Plan
        A plan from :func:`estate.plan.make_plan`.
    folder : str or Path
        Where to write; made (with its parents) if missing. Files already
        there with the same names are replaced.
    formats : iterable of {"png", "svg", "pdf"}, default=("png", "svg")
        The file formats to write.
    dpi : int, default=150
        The resolution of PNG files, in dots per inch.

    Returns
    -------
    dict of str to Path
        Each chart's name to its PNG file (to embed in the workbook), or to
        its file in the first format given when PNG is not among them.

    Raises
    ------
    ParameterError
        If ``formats`` is empty or names another format, or ``folder``
        cannot be made or written.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import tempfile, pathlib
    >>> import pandas as pd
    >>> import estate
    >>> from estate.examples import two_councils
    >>> inventory = two_councils()
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> written = write_charts(estate.make_plan(inventory), folder, formats=["png"], dpi=30)
    >>> {name: path.name for name, path in written.items()}  # doctest: +NORMALIZE_WHITESPACE
    {'savings_waterfall': 'savings_waterfall.png', 'cumulative_cash_flow': 'cumulative_cash_flow.png',
     'roadmap_gantt': 'roadmap_gantt.png', 'overlap_heatmap': 'overlap_heatmap.png',
     'partner_gains': 'partner_gains.png', 'tornado': 'tornado.png', 'npv_distribution': 'npv_distribution.png'}
    >>> written["roadmap_gantt"].parent == folder
    True
    """
    import matplotlib.pyplot as plt

    func = "write_charts"
    _check_plan(plan, "plan", func)
    if isinstance(formats, str) or not isinstance(formats, Iterable):
        raise _bad("formats", func, f"an iterable of formats from {{{', '.join(map(repr, _FORMATS))}}}", formats)
    chosen_formats = list(dict.fromkeys(str(f).lower().lstrip(".") for f in formats))
    if not chosen_formats or any(f not in _FORMATS for f in chosen_formats):
        raise _bad("formats", func, f"a non-empty iterable of formats from {{{', '.join(map(repr, _FORMATS))}}}",
                   tuple(formats))
    dpi = _check_count(dpi, "dpi", func, low=10)
    if not isinstance(folder, (str, Path)):
        raise _bad("folder", func, "a str or Path", type(folder))
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ParameterError(f"The 'folder' parameter of {func} must be a folder that can be made. "
                             f"Got {str(folder)!r} instead ({exc.strerror or exc}).") from exc
    drawings: dict[str, Callable[[], Axes]] = {
        "savings_waterfall": lambda: plot_savings_waterfall(plan),
        "cumulative_cash_flow": lambda: plot_cumulative_cash_flow(plan),
        "roadmap_gantt": lambda: plot_roadmap_gantt(plan),
        "overlap_heatmap": lambda: plot_overlap_heatmap(plan.overlaps),
        "partner_gains": lambda: plot_partner_gains(plan),
        "tornado": lambda: plot_tornado(plan),
        "npv_distribution": lambda: plot_npv_distribution(plan),
    }
    names = PLAN_CHARTS
    if getattr(plan, "reorganisation", None) is not None and plan.reorganisation.active:
        drawings["successor_estates"] = lambda: plot_successor_estates(plan)
        names = (*PLAN_CHARTS, "successor_estates")
    key = "png" if "png" in chosen_formats else chosen_formats[0]
    written: dict[str, Path] = {}
    import matplotlib

    for name in names:
        with matplotlib.rc_context({"text.parse_math": False}):  # tick labels made while saving too
            ax = drawings[name]()
            figure = ax.figure
            try:
                for number, extension in enumerate(chosen_formats):
                    if number == 1:  # the layout is done: keep it for the other formats instead of redoing it
                        figure.set_layout_engine("none")
                    path = folder / f"{name}.{extension}"
                    with atomic_write(path) as temporary:  # a failed or interrupted save leaves an older chart
                        figure.savefig(temporary, format=extension, dpi=dpi, facecolor="white",
                                       metadata={"Date": None} if extension == "svg" else None)
                    if extension == key:
                        written[name] = path
            finally:
                plt.close(figure)
    return written


@_plain_text
def plot_successor_estates(plan_or_view: Any, ax: Axes | None = None) -> Axes:
    """Each successor authority's estate before and after the plan: run cost a year.

    Parameters
    ----------
    plan_or_view : Plan or DataFrame
        A plan, or its successor view (``plan.successors()``, with
        ``successor``, ``run_cost_today`` and ``run_cost_after``).
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure 10 in wide.

    Returns
    -------
    matplotlib Axes
        Two bars a successor (run cost today, inherited from its
        predecessors; run cost after the recommended options and the
        divisions of divided systems), each labelled with its amount and
        the successor's systems count.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> view = pd.DataFrame({"successor": ["East", "West"], "systems": [10, 12],
    ...                      "run_cost_today": [2e6, 3e6], "run_cost_after": [1.8e6, 2.9e6]})
    >>> plot_successor_estates(view).get_title(loc="left")
    "Each successor's estate: run cost a year before and after the plan"
    """
    func = "plot_successor_estates"
    currency = "GBP"
    if _is_plan(plan_or_view):
        currency = plan_or_view.assumptions.currency
        view = plan_or_view.successors()
    elif isinstance(plan_or_view, pd.DataFrame):
        view = plan_or_view
    else:
        raise _bad("plan_or_view", func, "a Plan or a DataFrame", type(plan_or_view))
    missing = {"successor", "run_cost_today", "run_cost_after"} - set(view.columns)
    if missing:
        raise _bad("plan_or_view", func, "a DataFrame with successor, run_cost_today and run_cost_after",
                   sorted(missing))
    n = max(len(view), 1)
    if ax is None:
        ax = _new_axes((10, 1.6 + 0.9 * n))
    y = np.arange(len(view))
    before = pd.to_numeric(view["run_cost_today"], errors="coerce").fillna(0.0).to_numpy(float)
    after = pd.to_numeric(view["run_cost_after"], errors="coerce").fillna(0.0).to_numpy(float)
    ax.barh(y - 0.2, before, height=0.38, color=OKABE_ITO[4], label="Inherited today")
    ax.barh(y + 0.2, after, height=0.38, color=OKABE_ITO[0], label="After the plan")
    counts = view["systems"].tolist() if "systems" in view else [None] * len(view)
    labels = [_short(name, 34) + (f"\n{int(c)} systems" if c is not None and pd.notna(c) else "")
              for name, c in zip(view["successor"], counts, strict=True)]
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    for row, (b, a) in enumerate(zip(before, after, strict=True)):
        ax.text(b, row - 0.2, " " + _money_text(b, currency), va="center", fontsize=8)
        ax.text(a, row + 0.2, " " + _money_text(a, currency), va="center", fontsize=8)
    _plan_money_axis(ax.xaxis, currency)
    ax.set_xlim(0, max(float(np.max(before, initial=0)), float(np.max(after, initial=0)), 1.0) * 1.2)
    ax.legend(loc="lower right", frameon=False)
    _title(ax, "Each successor's estate: run cost a year before and after the plan",
           "Divided systems shared equally between their successors; organisations with no successor shown apart")
    return ax
