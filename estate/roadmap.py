"""The roadmap: when each recommended option starts, migrates and retires, by financial year.

:func:`build_roadmap` turns the recommended options and what they do to each
system (their *effects*) into dated events, driven by the contract events
behind them:

``start``
    The option begins (the first day of its first financial year).
``serve notice``
    The last day to give notice so that a system's contract ends when planned
    (its natural end less its notice period).
``contract end``
    A system's contract ends (the end used for planning, after any rolling
    renewal).
``early exit``
    A system leaves its contract before the end, paying its exit cost.
``retire``
    A system's running cost stops; its work has moved to the survivor.
``re-contract``, ``move``
    A system goes onto the joint contract at its next renewal, or moves site.

Events are sorted by date, option and system, so the same plan always gives
the same roadmap.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from estate.appraisal import financial_years, fy_label, fy_start
from estate.columns import map_distinct

__all__ = ["EVENT_COLUMNS", "Roadmap", "build_roadmap"]

EVENT_COLUMNS = ("option_id", "date", "year", "label", "event", "system_key", "organisation", "detail")
"""Columns of :attr:`Roadmap.events`."""


@dataclass(frozen=True)
class Roadmap:
    """Dated events, and a grid of options by financial year.

    Attributes
    ----------
    events : DataFrame
        Columns :data:`EVENT_COLUMNS`.
    by_year : DataFrame
        One row a recommended option (``option_id``, ``start``, ``end``), and
        one column a financial year label, holding what happens that year
        (``Start``, ``Migrate``, ``Retire 2``, ``Re-contract 3``, ...); a
        joint procurement, which moves nobody, shows only its re-contracts.
    """

    events: pd.DataFrame
    by_year: pd.DataFrame

    def _summary(self) -> list[tuple[str, str]]:
        grid = self.by_year
        span = (f"{grid['start'].min()} to {grid['end'].max()}" if len(grid) and "start" in grid and "end" in grid
                else "none")
        return [("options", f"{len(grid):,}"), ("years", span), ("events", f"{len(self.events):,}")]

    def __repr__(self) -> str:
        from estate._display import text

        return text("Roadmap", self._summary())

    def _repr_html_(self) -> str:
        from estate._display import html

        return html("Roadmap", self._summary(), self.by_year, "Options by financial year")

    def to_frame(self) -> pd.DataFrame:
        """The options-by-year grid."""
        return self.by_year.copy()


def build_roadmap(options: pd.DataFrame, effects: pd.DataFrame, chosen: Iterable[str], *,
                  notice_months: pd.Series | None = None, first_year: int, horizon_years: int = 10,
                  first_month: int = 4) -> Roadmap:
    """Date every step of the recommended options.

    Parameters
    ----------
    options : DataFrame
        With ``option_id``, ``start_year`` and ``end_year``.
    effects : DataFrame
        With ``option_id``, ``system_key``, ``organisation``, ``effect``,
        ``path``, ``retire_date`` and ``natural_end``.
    chosen : iterable of str
        The recommended option ids.
    notice_months : Series, optional
        Each system's notice period in months, indexed by ``system_key``.
    first_year : int
        The first appraisal financial year.
    horizon_years : int, default=10
        The appraisal period; the grid has one column a year.
    first_month : int, default=4
        First month of the financial year.

    Returns
    -------
    Roadmap

    Examples
    --------
    >>> options = pd.DataFrame({"option_id": ["SP-001"], "start_year": [2027], "end_year": [2028]})
    >>> effects = pd.DataFrame({
    ...     "option_id": ["SP-001", "SP-001"], "system_key": ["Eden/Fin", "Carlisle/Fin"],
    ...     "organisation": ["Eden", "Carlisle"], "effect": ["retire", "survive"],
    ...     "path": ["at contract end", ""], "retire_date": [pd.Timestamp("2028-06-30"), pd.NaT],
    ...     "natural_end": [pd.Timestamp("2028-06-30"), pd.NaT]})
    >>> road = build_roadmap(options, effects, ["SP-001"], notice_months=pd.Series({"Eden/Fin": 6}),
    ...                      first_year=2027, horizon_years=3)
    >>> road.events[["label", "event", "system_key"]].to_string(index=False)
    '  label        event system_key\\n2027/28        start           \\n2027/28 serve notice   Eden/Fin\\n2028/29 contract end   Eden/Fin\\n2028/29       retire   Eden/Fin'
    >>> road.by_year.to_dict("records")[0]
    {'option_id': 'SP-001', 'start': '2027/28', 'end': '2028/29', '2027/28': 'Start', '2028/29': 'Retire 1', '2029/30': ''}
    """
    chosen = sorted(set(chosen))
    picked = options[options["option_id"].isin(chosen)].sort_values("option_id")
    touched = effects[effects["option_id"].isin(chosen)].copy()
    rows: list[pd.DataFrame] = []

    starts = picked.assign(date=[pd.Timestamp(fy_start(int(y), first_month=first_month))
                                 for y in picked["start_year"]])
    rows.append(starts.assign(event="start", system_key="", organisation="", detail="option begins")[
        ["option_id", "date", "event", "system_key", "organisation", "detail"]])

    retired = touched[touched["effect"].eq("retire")]
    early = retired["path"].eq("early exit")
    notice = (notice_months.reindex(retired["system_key"]).to_numpy(dtype=float)
              if notice_months is not None else np.full(len(retired), np.nan))
    natural = pd.to_datetime(retired["natural_end"])
    # Each distinct notice period at once (a date offset in months is the same calendar step for every day).
    served = pd.Series(pd.NaT, index=natural.index, dtype=natural.dtype)
    detail = np.full(len(notice), "", dtype=object)
    for m in np.unique(notice[~np.isnan(notice)]).tolist():
        same = notice == m
        detail[same] = f"{int(m)} months before the contract ends"
        known = same & natural.notna().to_numpy()
        if known.any():
            served[known] = natural[known] - pd.DateOffset(months=int(m))
    serve = retired.assign(date=served, event="serve notice", detail=detail.tolist())
    rows.append(serve[~early & serve["date"].notna()])
    rows.append(retired[~early].assign(date=natural[~early], event="contract end", detail="contract ends"))
    rows.append(retired[early].assign(date=pd.to_datetime(retired.loc[early, "retire_date"]), event="early exit",
                                      detail="leaves the contract early, paying its exit cost"))
    rows.append(retired.assign(date=pd.to_datetime(retired["retire_date"]), event="retire",
                               detail="running cost stops; work moves to the survivor"))
    for effect, event, detail in (("recontract", "re-contract", "joins the joint contract at renewal"),
                                  ("move", "move", "moves off its site")):
        part = touched[touched["effect"].eq(effect)]
        date = pd.to_datetime(part["natural_end"] if effect == "recontract" else part["retire_date"])
        rows.append(part.assign(date=date, event=event, detail=detail))

    columns = ["option_id", "date", "event", "system_key", "organisation", "detail"]
    events = pd.concat([r[columns] for r in rows if len(r)], ignore_index=True) if any(len(r) for r in rows) \
        else pd.DataFrame(columns=columns)
    events = events[events["date"].notna()].copy()
    events["date"] = pd.to_datetime(events["date"])
    order = {"start": 0, "serve notice": 1, "contract end": 2, "early exit": 3, "re-contract": 4, "move": 5,
             "retire": 6}
    events["year"] = financial_years(events["date"], first_month=first_month)
    years_seen, year_codes = np.unique(events["year"].to_numpy(), return_inverse=True)
    year_labels = np.array([fy_label(int(y), first_month=first_month) for y in years_seen.tolist()] + [""],
                           dtype=object)[:len(years_seen)]
    events["label"] = year_labels[year_codes].tolist()
    events = events.assign(_order=map_distinct(events["event"], order)).sort_values(
        ["option_id", "date", "_order", "system_key"], kind="stable").drop(columns="_order")
    events = events.loc[:, list(EVENT_COLUMNS)].reset_index(drop=True)

    years = range(first_year, first_year + horizon_years)
    labels = [fy_label(y, first_month=first_month) for y in years]
    grid = []
    # Systems retiring and re-contracting by option and year, counted once for every option.
    counted = events.loc[events["event"].isin(["retire", "re-contract"]), ["option_id", "event", "year"]]
    counts: dict[tuple[str, str], dict[int, int]] = {}
    for (option, event, year), size in counted.groupby(["option_id", "event", "year"]).size().items():
        counts.setdefault((option, event), {})[year] = size
    for row in picked.itertuples():
        cells = {}
        retiring = counts.get((row.option_id, "retire"), {})
        joining = counts.get((row.option_id, "re-contract"), {})
        migrating = len(retiring) > 0  # a joint procurement moves nobody: its years only re-contract
        for year, label in zip(years, labels, strict=True):
            steps = []
            if year in retiring:
                steps.append(f"retire {retiring[year]}")
            if year in joining:
                steps.append(f"re-contract {joining[year]}")
            if year == row.start_year:
                steps.insert(0, "start")
            elif not steps and migrating and row.start_year < year <= row.end_year:
                steps.append("migrate")
            text = "; ".join(steps)
            cells[label] = text[:1].upper() + text[1:]
        grid.append({"option_id": row.option_id, "start": fy_label(int(row.start_year), first_month=first_month),
                     "end": fy_label(int(row.end_year), first_month=first_month), **cells})
    by_year = pd.DataFrame(grid, columns=["option_id", "start", "end", *labels])
    return Roadmap(events, by_year)
