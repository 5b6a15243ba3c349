"""Tests of estate.roadmap: events dated by contract ends and notice periods."""

from __future__ import annotations

import pandas as pd

from estate.roadmap import EVENT_COLUMNS, build_roadmap

T = pd.Timestamp


def test_events_and_grid_for_early_exit_contract_end_and_recontract():
    options = pd.DataFrame({"option_id": ["JP-001", "SP-001", "SP-002"], "start_year": [2027, 2027, 2027],
                            "end_year": [2029, 2029, 2027]})
    effects = pd.DataFrame({
        "option_id": ["SP-001", "SP-001", "SP-001", "JP-001", "SP-002"],
        "system_key": ["A/1", "B/1", "C/1", "D/1", "E/1"],
        "organisation": ["A", "B", "C", "D", "E"],
        "effect": ["survive", "retire", "retire", "recontract", "retire"],
        "path": ["", "early exit", "at contract end", "", "at contract end"],
        "retire_date": [pd.NaT, T("2028-04-01"), T("2029-09-30"), pd.NaT, T("2028-01-31")],
        "natural_end": [pd.NaT, T("2031-03-31"), T("2029-09-30"), T("2029-03-31"), T("2028-01-31")],
    })
    road = build_roadmap(options, effects, ["SP-001", "JP-001"], notice_months=pd.Series({"C/1": 12, "B/1": 6}),
                         first_year=2027, horizon_years=4)
    ev = road.events
    assert list(ev.columns) == list(EVENT_COLUMNS)
    assert "SP-002" not in set(ev["option_id"])  # not recommended
    sp = ev[ev["option_id"] == "SP-001"]
    assert sp["event"].tolist() == ["start", "early exit", "retire", "serve notice", "contract end", "retire"]
    # C/1 must be given notice 12 months before 30 Sep 2029: by 30 Sep 2028, in FY 2028/29.
    notice = sp[sp["event"] == "serve notice"].iloc[0]
    assert (notice["system_key"], notice["date"], notice["label"]) == ("C/1", T("2028-09-30"), "2028/29")
    # The early exit of B/1 pays to leave before its 2031 end: no notice event for it.
    assert not ((sp["system_key"] == "B/1") & (sp["event"] == "serve notice")).any()
    jp = ev[ev["option_id"] == "JP-001"]
    assert jp["event"].tolist() == ["start", "re-contract"] and jp["label"].tolist() == ["2027/28", "2028/29"]
    grid = road.by_year.set_index("option_id")
    assert grid.loc["SP-001", ["2027/28", "2028/29", "2029/30", "2030/31"]].tolist() == [
        "Start", "Retire 1", "Retire 1", ""]
    assert grid.loc["JP-001", ["2027/28", "2028/29", "2029/30"]].tolist() == ["Start", "Re-contract 1", ""]
