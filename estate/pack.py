"""The board pack: a short PDF of the plan a partnership board reads in ten minutes.

:func:`write_pack` lays a :class:`~estate.plan.Plan` out as a few A4
landscape pages drawn with matplotlib (no office suite needed), in the order
a board asks its questions:

1. **The headline**: organisations, systems, run cost, the recommended
   saving, one-off cost, NPV and payback, and how the counts reconcile with
   the inventories; beside it the savings waterfall.
2. **The options worth most**: the recommended options with the largest NPV
   (as many as a page holds, at most eight), each with what it does, its
   figures and its rationale.
3. **Each partner's position**: run cost today, saving, one-off cost, NPV,
   the fair transfer and where that leaves it.
4. **The roadmap**: when each recommended option starts, migrates and
   retires (the Gantt chart).
5. **The risks**: the switching values (how far savings, costs, delay or the
   discount rate may move before NPV is zero), the Monte Carlo P10, P50 and
   P90 (:mod:`estate.sensitivity`) and the tornado.
6. **The data caveats**: the issues still to fix in the inventories, the
   defaults the costing used where the inventories were silent, and the
   assumptions the figures rest on.

The words come from :mod:`estate.narrative`, the same as the workbook's. Text
from the inventories is drawn as plain text (never as mathtext). The file is
written to a temporary file in the same folder and renamed into place
(:func:`estate.outputs.atomic_write`), so an interrupted or failed write leaves
any older pack intact.

Examples
--------
>>> import tempfile, pathlib
>>> from estate.plan import make_plan
>>> from estate.examples import two_councils
>>> out = write_pack(make_plan(two_councils()), pathlib.Path(tempfile.mkdtemp()) / "pack.pdf")
>>> out.read_bytes()[:5]
b'%PDF-'
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from estate.errors import ParameterError
from estate.narrative import counts_in_words, default_kinds, drawn_at, money_text, option_sentence, option_words

if TYPE_CHECKING:
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.figure import Figure

    from estate.plan import Plan

__all__ = ["PACK_PAGES", "write_pack"]

PACK_PAGES = ("The headline", "The options worth most", "Each partner's position", "The roadmap", "The risks",
              "The data caveats")
"""The pack's sections, in order (a long section continues on more pages)."""

_PAGE_SIZE = (11.69, 8.27)  # A4 landscape, inches
_TOP_OPTIONS = 8
_PARTNER_ROWS = 24
_ISSUE_ROWS = 12
_BOTTOM = 0.06  # the footer's band
_NAVY = "#1F3864"
_GREY = "#595959"


# --------------------------------------------------------------------------- #
# Drawing helpers
# --------------------------------------------------------------------------- #


class _Page:
    """One A4 landscape page: a title band, then text written downwards from ``y``."""

    def __init__(self, pdf: PdfPages, title: str, subtitle: str, number: int) -> None:
        from matplotlib.figure import Figure

        self.pdf = pdf
        self.fig: Figure = Figure(figsize=_PAGE_SIZE)
        self.fig.text(0.04, 0.95, title, fontsize=18, fontweight="bold", color=_NAVY, va="top", parse_math=False)
        if subtitle:
            self.fig.text(0.04, 0.905, subtitle, fontsize=9, color=_GREY, va="top", style="italic",
                          parse_math=False)
        self.fig.text(0.96, 0.02, f"Consolidation plan, page {number}", fontsize=7, color=_GREY, ha="right",
                      parse_math=False)
        self.y = 0.86

    def lines(self, text: str, *, x: float = 0.04, right: float = 0.96, size: float = 9.5,
              bold: bool = False) -> list[str]:
        """``text`` wrapped to the width between ``x`` and ``right`` at this type size."""
        room_pt = (right - x) * _PAGE_SIZE[0] * 72
        per_char = size * (0.66 if bold else 0.58)  # DejaVu Sans, a little generous
        return textwrap.wrap(text, width=max(20, int(room_pt / per_char))) or [""]

    def height(self, n_lines: int, size: float = 9.5, gap: float = 0.006) -> float:
        return size / 72 / _PAGE_SIZE[1] * 1.35 * n_lines + gap

    def fits(self, needed: float) -> bool:
        return self.y - needed >= _BOTTOM

    def text(self, text: str, *, x: float = 0.04, right: float = 0.96, size: float = 9.5, bold: bool = False,
             colour: str = "black", gap: float = 0.006) -> None:
        """Wrapped text between ``x`` and ``right``, from the current height down."""
        lines = self.lines(text, x=x, right=right, size=size, bold=bold)
        self.fig.text(x, self.y, "\n".join(lines), fontsize=size, fontweight="bold" if bold else "normal",
                      color=colour, va="top", parse_math=False, linespacing=1.35)
        self.y -= self.height(len(lines), size, gap)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]], columns: Sequence[float], *,
              right: Sequence[bool], size: float = 8.5, x0: float = 0.04, x1: float = 0.96) -> None:
        """A plain table: column left edges as fractions of ``x0..x1``, numbers aligned right."""
        line = size / 72 / _PAGE_SIZE[1] * 1.5
        edges = [x0 + (x1 - x0) * c for c in (*columns, 1.0)]
        self.fig.patches.append(_band(self.fig, x0, self.y - line * 0.85, x1 - x0, line))
        for k, head in enumerate(header):
            self._cell(head, edges[k], edges[k + 1], right[k], size, bold=True, colour="white")
        self.y -= line
        for n, row in enumerate(rows):
            if n % 2:
                self.fig.patches.append(_band(self.fig, x0, self.y - line * 0.85, x1 - x0, line, "#F2F2F2"))
            for k, value in enumerate(row):
                self._cell(value, edges[k], edges[k + 1], right[k], size)
            self.y -= line
        self.y -= 0.01

    def _cell(self, value: str, left: float, right_edge: float, right: bool, size: float, *, bold: bool = False,
              colour: str = "black") -> None:
        room = max(4, int((right_edge - left) * _PAGE_SIZE[0] * 72 / (size * 0.55)) - 1)
        text = value if len(value) <= room else value[:room - 1] + "…"
        self.fig.text(right_edge - 0.004 if right else left + 0.003, self.y, text, fontsize=size,
                      ha="right" if right else "left", va="top", color=colour,
                      fontweight="bold" if bold else "normal", parse_math=False)

    def axes(self, rect: tuple[float, float, float, float]) -> Any:
        return self.fig.add_axes(rect)

    def save(self) -> None:
        self.pdf.savefig(self.fig)


def _band(fig: Figure, x: float, y: float, width: float, height: float, colour: str = _NAVY) -> Any:
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), width, height, transform=fig.transFigure, facecolor=colour, edgecolor="none",
                     zorder=-1)


def _chart(page: _Page, rect: tuple[float, float, float, float], draw: Any, plan: Plan, **kwargs: Any) -> None:
    """Draw one of :mod:`estate.charts` into ``rect`` of the page."""
    ax = page.axes(rect)
    draw(plan, ax=ax, **kwargs)


def _assumed(assumptions: Any) -> str:
    """The assumptions the figures (and charts) were drawn at, as a sentence."""
    return "The figures rest on the assumptions: " + drawn_at(assumptions).split(": ", 1)[1].split(". A picture")[0] \
        + "."


# --------------------------------------------------------------------------- #
# The pages
# --------------------------------------------------------------------------- #


def _headline_page(pdf: PdfPages, plan: Plan, number: int, subtitle: str) -> int:
    from estate.charts import plot_savings_waterfall

    a = plan.assumptions
    c = a.currency
    head = plan.headline()
    page = _Page(pdf, "The headline", subtitle, number)
    payback = head["Payback years"]
    share = head["Saving as share of run cost"]
    scope = head["Saving as share of run cost in scope"]
    rows = [
        ("Organisations", f"{int(head['Organisations']):,}"),
        ("Systems", f"{int(head['Systems']):,}"),
        ("Annual run cost today", money_text(head["Annual run cost"], c)),
        ("Recommended options", f"{int(head['Recommended options']):,}"),
        ("Recommended annual saving", money_text(head["Recommended annual saving"], c)),
        ("Saving as share of run cost", f"{share:.1%}" if np.isfinite(share) else "n/a"),
        ("... of the run cost in scope", f"{scope:.1%} of {money_text(head['Run cost in scope'], c)}"
         if np.isfinite(scope) else "n/a"),
        ("One-off cost", money_text(head["One-off cost"], c)),
        (f"NPV over {a.horizon_years} years at {a.discount_rate:.1%}", money_text(head["NPV"], c)),
        ("Payback", f"{payback:.1f} years" if np.isfinite(payback) else "not within the appraisal period"),
    ]
    page.table(["Figure", "Value"], rows, [0.0, 0.55], right=[False, True], size=10, x1=0.46)
    page.text(counts_in_words(plan.inventory, plan.matched, currency=c), right=0.46, size=8.5)
    status = getattr(plan.portfolio, "status", "")
    page.text(f"The portfolio was chosen by an exact optimisation (status: {status}): the set of options with the "
              "highest total NPV that retires each system at most once and keeps every partner within the rules on "
              "the Assumptions sheet.", right=0.46, size=8.5, colour=_GREY)
    page.text(_assumed(a), right=0.46, size=8.5, colour=_GREY)
    _chart(page, (0.55, 0.10, 0.41, 0.64), plot_savings_waterfall, plan)
    page.save()
    return number + 1


def _options_page(pdf: PdfPages, plan: Plan, number: int, subtitle: str) -> int:
    c = plan.assumptions.currency
    table = plan.options_table()
    chosen = table[table["recommended"]].sort_values(["npv", "option_id"], ascending=[False, True], kind="stable")
    words = option_words(plan, chosen)
    page = _Page(pdf, "The options worth most", subtitle, number)
    if not len(chosen):
        page.text("No option is recommended: no combination of options has a positive NPV under these "
                  "assumptions.")
    else:
        total = chosen["npv"].sum()
        top = chosen.head(_TOP_OPTIONS)
        page.text(f"{len(chosen):,} options are recommended, worth an NPV of {money_text(total, c)} together. The "
                  "ones worth most, largest NPV first (every option is on the workbook's Options sheet):", size=9.5)
        shown = 0
        for row in top.itertuples():
            record = pd.Series({"option": row.option_id, "description": words.loc[row.Index, "description"],
                                "annual_saving": row.annual_saving, "one_off": row.one_off_cost, "npv": row.npv,
                                "payback": row.payback_years, "rationale": row.rationale})
            head, _, rest = option_sentence(record, c).partition(": ")
            needed = (page.height(len(page.lines(head, bold=True)), 9.5, 0.002)
                      + page.height(len(page.lines(rest, x=0.06, size=8.5)), 8.5, 0.012))
            if not page.fits(needed + 0.03):  # one page: the rest are on the workbook's Options sheet
                page.text(f"The other {len(chosen) - shown:,} recommended options are on the workbook's Options "
                          "sheet.", size=8.5, colour=_GREY)
                break
            page.text(head, bold=True, size=9.5, gap=0.002)
            page.text(rest, x=0.06, size=8.5, gap=0.012)
            shown += 1
    page.save()
    return number + 1


def _partners_pages(pdf: PdfPages, plan: Plan, number: int, subtitle: str) -> int:
    c = plan.assumptions.currency
    p = plan.partners.partners.sort_values(["npv_after_transfer", "organisation"], ascending=[False, True],
                                           kind="stable")
    header = ["Organisation", "Run cost today", "Annual saving", "One-off cost", "NPV", "Transfer",
              "After transfer", "Position"]
    rows = [[str(r.organisation), money_text(r.run_cost_today, c), money_text(r.annual_saving, c),
             money_text(r.one_off_cost, c), money_text(r.npv, c), money_text(r.transfer, c),
             money_text(r.npv_after_transfer, c), str(r.position)] for r in p.itertuples()]
    losers = int((p["npv"] < 0).sum())
    intro = (f"How the recommended options share out between the {len(p):,} partners (allocation rule: "
             f"{plan.assumptions.allocation_rule}). " + (
                 f"{losers} partner{'s' if losers != 1 else ''} would lose before transfers; the transfers, paid by "
                 "the gainers in proportion to their NPV, bring each up to zero." if losers else
                 "Every partner gains without transfers."))
    for k, start in enumerate(range(0, max(len(rows), 1), _PARTNER_ROWS)):
        page = _Page(pdf, "Each partner's position" + (" (continued)" if k else ""), subtitle, number)
        if not k:
            page.text(intro, size=9.5)
        page.table(header, rows[start:start + _PARTNER_ROWS], [0.0, 0.28, 0.39, 0.49, 0.58, 0.67, 0.76, 0.86],
                   right=[False, True, True, True, True, True, True, False])
        if len(rows) <= _PARTNER_ROWS and page.y > 0.45:  # room below the table: each partner's gain as a chart
            from estate.charts import plot_partner_gains

            _chart(page, (0.30, 0.08, 0.62, page.y - 0.18), plot_partner_gains, plan)
        page.save()
        number += 1
    return number


def _roadmap_page(pdf: PdfPages, plan: Plan, number: int, subtitle: str) -> int:
    from estate.charts import plot_roadmap_gantt

    page = _Page(pdf, "The roadmap", subtitle, number)
    grid = plan.roadmap.by_year
    if len(grid):
        starts = grid["start"].value_counts().sort_index()
        page.text("Options starting each year: " + "; ".join(f"{year}: {n}" for year, n in starts.items())
                  + f". The last ends in {grid['end'].max()}. Dated events are on the workbook's Roadmap events "
                  "sheet.", size=9.5)
        _chart(page, (0.27, 0.14, 0.69, page.y - 0.24), plot_roadmap_gantt, plan, top=25)
    else:
        page.text("No option is recommended, so nothing is scheduled.")
    page.save()
    return number + 1


def _risks_page(pdf: PdfPages, plan: Plan, number: int, subtitle: str) -> int:
    from estate.charts import plot_tornado

    c = plan.assumptions.currency
    page = _Page(pdf, "The risks", subtitle, number)
    sensitivity = plan.sensitivity()
    values = {str(v): float(x) for v, x in zip(sensitivity.table["variable"], sensitivity.table["switching_value"],
                                               strict=True)}

    def share(name: str) -> str:
        value = values.get(name, float("nan"))
        return f"{value:.0%}" if np.isfinite(value) else "no value brings NPV to zero"

    delay = values.get("Delay", float("nan"))
    rate = values.get("Discount rate", float("nan"))
    rows = [
        ["Annual savings may fall by", share("Annual savings")],
        ["One-off costs may rise by", share("One-off costs")],
        ["Every saving may start later by", f"{delay:.1f} years" if np.isfinite(delay) else "any delay"],
        ["The discount rate may rise by", f"{rate * 100:.1f} percentage points" if np.isfinite(rate) else "any amount"],
    ]
    page.text("Before the recommended options' NPV falls to zero, each on its own:", size=9.5, bold=True)
    page.table(["Switching value", ""], rows, [0.0, 0.58], right=[False, True], x1=0.46)
    mc = [[name, money_text(values[name], c)] for name in ("NPV P10", "NPV P50", "NPV P90") if name in values]
    if "Probability NPV > 0" in values:
        mc.append(["Probability NPV > 0", f"{values['Probability NPV > 0']:.0%}"])
    meaning = sensitivity.table.loc[sensitivity.table["variable"] == "NPV P50", "meaning"]
    page.text("A Monte Carlo simulation over the uncertain assumptions:", size=9.5, bold=True)
    page.table(["", "NPV"], mc, [0.0, 0.62], right=[False, True], x1=0.46)
    if len(meaning):
        page.text(str(meaning.iloc[0]), right=0.46, size=8, colour=_GREY)
    weakest = sensitivity.options.sort_values(["p_positive", "option_id"], kind="stable").head(5)
    if len(weakest):
        page.text("Recommended options least sure to pay: " + "; ".join(
            f"{r.option_id} ({r.p_positive:.0%} chance of a positive NPV)" for r in weakest.itertuples()) + ".",
            right=0.46, size=8.5)
    _chart(page, (0.66, 0.12, 0.30, 0.62), plot_tornado, plan)
    page.save()
    return number + 1


def _caveats_page(pdf: PdfPages, plan: Plan, number: int, subtitle: str) -> int:
    from estate.inventory import SEVERITIES

    a = plan.assumptions
    issues = plan.issues(defaults=False)
    problems = issues[issues["severity"].isin(("error", "warning"))]
    rank = problems["severity"].map({s: i for i, s in enumerate(SEVERITIES)})
    problems = problems.assign(_rank=rank).sort_values(["_rank", "source_file", "source_row"], kind="stable")
    page = _Page(pdf, "The data caveats", subtitle, number)
    page.text(f"{len(problems):,} issue{'s' if len(problems) != 1 else ''} in the inventories to fix "
              f"({int((problems['severity'] == 'error').sum()):,} rows not loaded), "
              f"{int((issues['severity'] == 'info').sum()):,} notes of what was skipped or assumed. "
              "Every one is on the workbook's Data issues sheet.", size=9.5)
    if len(problems):
        rows = [[str(r.source_file), "" if pd.isna(r.source_row) else str(int(r.source_row)), str(r.column),
                 str(r.severity), str(r.problem), str(r.value)] for r in problems.head(_ISSUE_ROWS).itertuples()]
        page.table(["File", "Row", "Column", "Severity", "Problem", "Value"], rows,
                   [0.0, 0.22, 0.26, 0.36, 0.43, 0.85], right=[False, True, False, False, False, False], size=7.5)
        if len(problems) > _ISSUE_ROWS:
            page.text(f"... and {len(problems) - _ISSUE_ROWS:,} more.", size=8, colour=_GREY)
    kinds = default_kinds(plan.options.defaults_used)
    if len(kinds):
        page.text("Where the inventories were silent, the costing used a default (each on the workbook's "
                  "Defaults used sheet):", size=9.5, bold=True)
        page.table(["Systems", "Organisations", "Default"],
                   [[f"{r.count:,}", f"{r.organisations:,}", f"{r.column}: {r.note}"] for r in kinds.itertuples()],
                   [0.0, 0.07, 0.17], right=[True, True, False], size=7.5)
    page.text(_assumed(a) + f" Prices are real, in {a.currency}. Edit the assumptions on the workbook's Assumptions "
              "sheet (the figures follow) or plan again with it to revisit the choice of options.", size=8.5,
              colour=_GREY)
    page.save()
    return number + 1


# --------------------------------------------------------------------------- #
# The public function
# --------------------------------------------------------------------------- #


def write_pack(plan: Plan, path: str | Path) -> Path:
    """Write the board pack: a short PDF of the plan.

    Parameters
    ----------
    plan : Plan
        From :func:`estate.plan.make_plan`.
    path : str or Path
        The ``.pdf`` file to write (replaced if it exists, only once the new
        one is complete).

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    ParameterError
        If ``plan`` is not a Plan or ``path`` not a ``.pdf`` name.
    OutputFileError
        If the folder is missing, read-only or full (a ``ParameterError``
        and an ``OSError``); any older file at ``path`` is left as it was
        (:func:`estate.outputs.atomic_write`).

    Notes
    -----
    The sections are :data:`PACK_PAGES`, a page each; the partners' table
    continues on more pages past 24 partners. The same plan gives the same pages (the
    file carries no creation date).
    """
    from matplotlib.backends.backend_pdf import PdfPages

    from estate.appraisal import fy_label
    from estate.outputs import atomic_write
    from estate.plan import Plan

    if not isinstance(plan, Plan):
        raise ParameterError("The 'plan' parameter of write_pack must be a Plan (see estate.plan.make_plan). "
                             f"Got {type(plan).__name__} instead.")
    if not isinstance(path, (str, Path)) or Path(path).suffix.lower() != ".pdf":
        raise ParameterError(f"The 'path' parameter of write_pack must be a .pdf file name. Got {path!r} instead.")
    path = Path(path)
    a = plan.assumptions
    last = fy_label(a.first_year + a.horizon_years - 1, first_month=a.first_month)
    subtitle = (f"{int(plan.headline()['Organisations']):,} organisations; appraisal years "
                f"{fy_label(a.first_year, first_month=a.first_month)} to {last}; real prices in {a.currency}. "
                "Written by estate.")
    with atomic_write(path) as temporary, PdfPages(temporary, metadata={
            "Title": "Consolidation plan: board pack", "Creator": "estate", "CreationDate": None}) as pdf:
        number = 1
        for section in (_headline_page, _options_page, _partners_pages, _roadmap_page, _risks_page,
                        _caveats_page):
            number = section(pdf, plan, number, subtitle)
    return path
