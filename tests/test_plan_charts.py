"""Tests of the charts of a plan (estate.charts): what each draws, its labels, its files, and no warnings."""

from __future__ import annotations

import itertools
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from estate.charts import (  # noqa: E402
    OPTION_TYPE_COLOURS,
    PLAN_CHARTS,
    format_money,
    plot_cumulative_cash_flow,
    plot_npv_distribution,
    plot_partner_gains,
    plot_roadmap_gantt,
    plot_savings_waterfall,
    plot_tornado,
    write_charts,
)
from estate.errors import ParameterError  # noqa: E402
from estate.options import OPTION_TYPES  # noqa: E402
from estate.plan import make_plan  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[1] / "inventories" / "cumbria"


@pytest.fixture(scope="module")
def plan():
    return make_plan(SAMPLE)


@pytest.fixture(scope="module")
def small_plan():
    """Four systems, two overlapping pairs: quick to draw, for the tests of files."""
    import estate

    systems = pd.DataFrame({
        "source_file": ["a.csv"] * 4, "source_sheet": [""] * 4, "source_row": [2, 3, 4, 5],
        "organisation": ["Eden", "Carlisle", "Eden", "Carlisle"],
        "system": ["Revenues", "Revenues", "Finance", "Finance"],
        "product": ["Capita Academy", "Civica OpenRevenues", "Unit4 ERP", "Unit4 ERP"],
        "capability": ["Revenues and benefits"] * 2 + ["Finance and ERP"] * 2, "users": [40.0, 60.0, 20.0, 30.0],
        "annual_cost": [85_000.0, 120_000.0, 50_000.0, 70_000.0],
        "system_key": ["Eden/Revenues", "Carlisle/Revenues", "Eden/Finance", "Carlisle/Finance"]})
    return make_plan(estate.Inventory(systems=systems))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _recommended(plan) -> pd.DataFrame:
    table = plan.options_table()
    return table.loc[table["recommended"]]


def _boxes(artists) -> list:
    return [a.get_window_extent() for a in artists if a.get_visible() and a.get_text()]


def _assert_no_overlap(ax) -> None:
    """No two texts drawn on the Axes overlap, nor two tick labels of one axis."""
    ax.figure.canvas.draw()
    groups = [ax.texts, ax.get_xticklabels(), ax.get_yticklabels()]
    for group in groups:
        boxes = _boxes(group)
        for first, second in itertools.combinations(boxes, 2):
            assert not first.overlaps(second), (first, second)


def _title(ax) -> str:
    return ax.get_title(loc="left")


# --------------------------------------------------------------------------- import

def test_import_estate_does_not_import_matplotlib():
    code = ("import sys, estate, estate.charts, estate.plan\n"
            "assert 'matplotlib' not in sys.modules, sorted(m for m in sys.modules if 'matplotlib' in m)[:3]")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)


# --------------------------------------------------------------------------- the waterfall

def test_waterfall_has_the_start_one_step_a_type_and_the_end(plan):
    ax = plot_savings_waterfall(plan)
    head = plan.headline()
    chosen = _recommended(plan)
    assert _title(ax).startswith("Annual run cost falls by")
    bars = ax.patches
    assert len(bars) == len(OPTION_TYPES) + 2
    assert bars[0].get_height() == pytest.approx(head["Annual run cost"])
    flows = plan.options.cash_flows
    last_year = flows.loc[flows["option_id"].isin(chosen["option_id"]) & (flows["t"] == flows["t"].max())]
    by_type = last_year.merge(chosen[["option_id", "type"]], on="option_id").groupby("type")["savings"].sum()
    for bar, kind in zip(bars[1:-1], OPTION_TYPES):
        assert bar.get_height() == pytest.approx(by_type.get(kind, 0.0))
        assert matplotlib.colors.to_hex(bar.get_facecolor()) == OPTION_TYPE_COLOURS[kind].lower()
    after = head["Annual run cost"] - head["Recommended annual saving"]
    assert bars[-1].get_height() == pytest.approx(after)
    # each step falls from where the one before ended
    assert bars[1].get_y() + bars[1].get_height() == pytest.approx(head["Annual run cost"])
    assert bars[-2].get_y() == pytest.approx(after)
    labels = [t.get_text() for t in ax.texts[:-1]]  # the last is the subtitle
    assert len(labels) == len(bars)
    assert labels[0] == format_money(head["Annual run cost"]) and labels[-1] == format_money(after)
    assert all(label.startswith(("£", "\u2212£", "+£")) for label in labels)
    assert all(t.get_text().startswith("£") for t in ax.get_yticklabels() if t.get_text())
    _assert_no_overlap(ax)


def test_waterfall_axis_says_where_it_starts(plan):
    ax = plot_savings_waterfall(plan)
    low = ax.get_ylim()[0]
    assert 0 < low < plan.headline()["Annual run cost"] - plan.headline()["Recommended annual saving"]
    subtitles = [t.get_text() for t in ax.texts if "axis starts" in t.get_text()]
    assert subtitles and format_money(low, exact=True) in subtitles[0]
    assert plot_savings_waterfall(plan, from_zero=True).get_ylim()[0] == 0


# --------------------------------------------------------------------------- the cash flow

def test_cash_flow_has_a_bar_a_year_and_the_cumulative_crosses_zero_at_payback(plan):
    ax = plot_cumulative_cash_flow(plan)
    flows = plan.portfolio_cash_flows()
    payback = plan.headline()["Payback years"]
    assert len(ax.patches) == len(flows) == plan.assumptions.horizon_years
    assert [p.get_height() for p in ax.patches] == pytest.approx(flows["net"].tolist())
    assert [t.get_text() for t in ax.get_xticklabels()] == flows["label"].tolist()
    lines = {line.get_label(): line for line in ax.lines}
    x, y = lines["Cumulative net"].get_data()
    assert y[0] == 0 and list(y[1:]) == pytest.approx(flows["cumulative_net"].tolist())
    marker_x, marker_y = lines["Payback"].get_data()
    assert marker_x[0] == pytest.approx(payback) and marker_y[0] == 0
    # the line, straight within each year, crosses zero (for the last time) exactly at payback
    k = int(payback)
    assert np.interp(payback, x[k:k + 2], y[k:k + 2]) == pytest.approx(0.0, abs=1e-3)
    assert f"{payback:.1f} years" in _title(ax)
    assert any(t.get_text().startswith("Payback") for t in ax.texts)
    _assert_no_overlap(ax)


def test_cash_flow_without_payback_says_so():
    flows = pd.DataFrame({"t": [0, 1, 2], "label": ["2027/28", "2028/29", "2029/30"],
                          "net": [-300.0, 50.0, 50.0]})
    ax = plot_cumulative_cash_flow(flows)
    assert _title(ax) == "Cash flow: the portfolio does not pay back within 3 years"
    assert "Payback" not in [line.get_label() for line in ax.lines]
    assert len(ax.patches) == 3


# --------------------------------------------------------------------------- the roadmap

def test_gantt_has_one_bar_an_option_up_to_top_sorted_by_start_then_npv(plan):
    chosen = _recommended(plan)
    ax = plot_roadmap_gantt(plan)
    n = min(25, len(chosen))
    assert len(ax.patches) == n
    # The sample recommends fewer options since issue 10 (like-for-like survivors, no cap): all may fit.
    assert _title(ax) == (f"Roadmap: the top {n} of {len(chosen)} recommended options by NPV" if n < len(chosen)
                          else f"Roadmap: the {n} recommended options")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert all(len(label) <= 42 for label in labels)
    ids = [label.split(" ")[0] for label in labels]
    top_ids = set(chosen.nlargest(n, "npv")["option_id"])
    assert set(ids) == top_ids
    shown = chosen.set_index("option_id").loc[ids]
    keys = list(zip(shown["start_year"], -shown["npv"]))
    assert keys == sorted(keys)
    first = plan.assumptions.first_year
    for bar, (_, row) in zip(ax.patches, shown.iterrows()):
        assert bar.get_x() == pytest.approx(row["start_year"] - first)
        assert bar.get_width() == pytest.approx(row["end_year"] - row["start_year"] + 1)
        assert matplotlib.colors.to_hex(bar.get_facecolor()) == OPTION_TYPE_COLOURS[row["type"]].lower()
    events = plan.roadmap.events
    retired = events[(events["event"] == "retire") & events["option_id"].isin(ids)]
    offsets = ax.collections[0].get_offsets()
    # One mark a retirement date, or a quarter-year's cluster of them on one row.
    assert 0 < len(offsets) <= len(retired.drop_duplicates(["option_id", "date"]))
    _assert_no_overlap(ax)


def test_gantt_shows_every_option_when_top_allows(plan):
    chosen = _recommended(plan)
    ax = plot_roadmap_gantt(plan, top=1000)
    assert len(ax.patches) == len(chosen)
    assert _title(ax) == f"Roadmap: the {len(chosen)} recommended options"
    with pytest.raises(ParameterError, match="The 'top' parameter of plot_roadmap_gantt must be an int >= 1"):
        plot_roadmap_gantt(plan, top=0)


def test_gantt_of_an_empty_portfolio(plan):
    empty = replace(plan, portfolio=replace(plan.portfolio, chosen=()))
    ax = plot_roadmap_gantt(empty)
    assert len(ax.patches) == 0 and _title(ax) == "Roadmap: no recommended options"
    assert len(plot_savings_waterfall(empty).patches) == len(OPTION_TYPES) + 2


# --------------------------------------------------------------------------- partners

def test_partner_gains_has_two_bars_a_partner_with_short_names(plan):
    partners = plan.partners.partners
    ax = plot_partner_gains(plan)
    n = len(partners)
    assert len(ax.patches) == 2 * n
    assert _title(ax).startswith("Partner gains:")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    short = dict(zip(plan.inventory.organisations["organisation"], plan.inventory.organisations["short_name"]))
    ordered = partners.sort_values(["npv_after_transfer", "organisation"], ascending=[False, True])
    assert labels == [short[name] for name in ordered["organisation"]]
    before = [p.get_width() for p in ax.patches[:n]]
    after = [p.get_width() for p in ax.patches[n:]]
    assert before == pytest.approx(ordered["npv"].tolist())
    assert after == pytest.approx(ordered["npv_after_transfer"].tolist())
    assert any(line.get_xdata()[0] == 0 for line in ax.lines)  # the zero line
    assert sum(t.get_text().startswith(("+£", "\u2212£", "£0")) for t in ax.texts) >= n  # transfers
    _assert_no_overlap(ax)


def test_partner_gains_from_a_table_cuts_long_names():
    partners = pd.DataFrame({"organisation": ["University Hospitals of Morecambe Bay NHS Foundation Trust", "Eden"],
                             "npv": [50_000.0, -5_000.0], "npv_after_transfer": [45_000.0, 0.0]})
    ax = plot_partner_gains(partners)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0].endswith("…") and len(labels[0]) <= 28 and labels[1] == "Eden"
    assert len(ax.patches) == 4


def test_plan_charts_refuse_what_is_not_a_plan():
    with pytest.raises(ParameterError, match="The 'plan' parameter of plot_savings_waterfall must be a Plan"):
        plot_savings_waterfall(pd.DataFrame())
    with pytest.raises(ParameterError, match="plot_cumulative_cash_flow"):
        plot_cumulative_cash_flow(pd.DataFrame({"x": [1]}))
    with pytest.raises(ParameterError, match="plot_partner_gains"):
        plot_partner_gains("partners")


def test_charts_draw_on_a_given_axes(plan):
    figure, axes = plt.subplots(2, 2, figsize=(16, 12), layout="constrained")
    drawn = [plot_savings_waterfall(plan, axes[0, 0]), plot_cumulative_cash_flow(plan, axes[0, 1]),
             plot_roadmap_gantt(plan, axes[1, 0], top=10), plot_partner_gains(plan, axes[1, 1])]
    assert drawn == list(axes.flat)
    assert all(_title(ax) for ax in drawn)


# --------------------------------------------------------------------------- files

def test_write_charts_writes_png_and_svg_and_closes_its_figures(small_plan, tmp_path):
    before = plt.get_fignums()
    written = write_charts(small_plan, tmp_path / "charts", dpi=60)
    assert plt.get_fignums() == before
    assert list(written) == list(PLAN_CHARTS) == ["savings_waterfall", "cumulative_cash_flow", "roadmap_gantt",
                                                  "overlap_heatmap", "partner_gains", "tornado",
                                                  "npv_distribution"]
    assert all(path.suffix == ".png" and path.parent == tmp_path / "charts" for path in written.values())
    files = sorted(p.name for p in (tmp_path / "charts").iterdir())
    assert files == sorted(f"{name}.{ext}" for name in PLAN_CHARTS for ext in ("png", "svg"))
    for path in (tmp_path / "charts").iterdir():
        assert path.stat().st_size > 1000
    assert all(path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for path in written.values())
    assert b"<svg" in (tmp_path / "charts" / "partner_gains.svg").read_bytes()[:2000]


def test_write_charts_checks_its_parameters(plan, tmp_path):
    with pytest.raises(ParameterError, match="The 'formats' parameter of write_charts"):
        write_charts(plan, tmp_path, formats=("png", "gif"))
    with pytest.raises(ParameterError, match="The 'formats' parameter of write_charts"):
        write_charts(plan, tmp_path, formats=())
    with pytest.raises(ParameterError, match="The 'formats' parameter of write_charts"):
        write_charts(plan, tmp_path, formats="png")
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    with pytest.raises(ParameterError, match="The 'folder' parameter of write_charts"):
        write_charts(plan, blocker / "charts")
    assert list(tmp_path.iterdir()) == [blocker]


def test_tornado_has_two_bars_an_assumption_widest_first(plan):
    ax = plot_tornado(plan)
    frame = plan.sensitivity().tornado
    assert len(ax.patches) == 2 * len(frame)
    assert [t.get_text() for t in ax.get_yticklabels()] == list(frame["variable"])
    base = plan.headline()["NPV"]
    ends = [p.get_x() + p.get_width() for p in ax.patches]
    assert all(p.get_x() == pytest.approx(base) for p in ax.patches)
    assert ends == pytest.approx([*frame["npv_low"], *frame["npv_high"]])
    assert list(frame["swing"]) == sorted(frame["swing"], reverse=True)
    plt.close(ax.figure)


def test_s_curve_is_the_sorted_draws_with_the_percentiles(plan):
    ax = plot_npv_distribution(plan)
    sim = plan.sensitivity().simulation
    line = ax.get_lines()[0]
    assert np.array_equal(line.get_xdata(), np.sort(sim.npv))
    assert line.get_ydata()[-1] == 1.0
    marked = [float(l.get_xdata()[0]) for l in ax.get_lines() if l.get_marker() == "o"]
    assert marked == [sim.percentile(10), sim.percentile(50), sim.percentile(90)]
    plt.close(ax.figure)
