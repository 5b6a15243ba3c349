"""Charts of the overlaps and of the estate graph, drawn with matplotlib.

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

import math
import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from estate.errors import ParameterError

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.axes import Axes

    from estate.overlaps import Overlaps

__all__ = ["KIND_STYLES", "OKABE_ITO", "format_money", "plot_estate_graph", "plot_overlap_heatmap",
           "plot_partner_affinity", "plot_vendor_concentration"]

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
