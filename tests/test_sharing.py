"""Tests of estate.sharing: partners add up, and transfers leave nobody worse off."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from estate.sharing import PARTNER_COLUMNS, share_portfolio


def shares_frame():
    return pd.DataFrame({
        "option_id": ["A", "A", "B", "B", "C"],
        "organisation": ["Eden", "Carlisle", "Eden", "Copeland", "Copeland"],
        "annual_saving": [30.0, 10.0, 5.0, 25.0, 100.0],
        "one_off_cost": [20.0, 60.0, 40.0, 10.0, 1.0],
        "npv": [150.0, -20.0, -35.0, 90.0, 400.0],
    })


def test_partner_totals_and_transfers_by_hand():
    result = share_portfolio(shares_frame(), ["A", "B"], run_cost_today=pd.Series(
        {"Eden": 500.0, "Carlisle": 800.0, "Copeland": 300.0, "Allerdale": 250.0}))
    p = result.partners.set_index("organisation")
    assert list(result.partners.columns) == list(PARTNER_COLUMNS)
    # Eden: A 150 + B -35 = 115; Carlisle: -20; Copeland: B 90 (C not chosen).
    assert p["npv"].to_dict() == {"Allerdale": 0.0, "Carlisle": -20.0, "Copeland": 90.0, "Eden": 115.0}
    assert p.loc["Eden", "annual_saving"] == 35.0 and p.loc["Copeland", "one_off_cost"] == 10.0
    # Carlisle is paid 20 by Eden and Copeland in proportion 115 : 90.
    assert p.loc["Carlisle", "transfer"] == 20.0
    assert p.loc["Eden", "transfer"] == pytest.approx(-20 * 115 / 205)
    assert p.loc["Copeland", "transfer"] == pytest.approx(-20 * 90 / 205)
    assert p.loc["Allerdale", "position"] == "no part" and p.loc["Carlisle", "position"] == "loses before transfer"
    assert p.loc["Allerdale", "run_cost_today"] == 250.0
    assert result.losers == ["Carlisle"]


@given(st.lists(st.tuples(st.sampled_from("ABCDE"), st.sampled_from(["p", "q", "r", "s"]),
                          st.floats(-1e6, 1e6), st.floats(0, 1e6)), min_size=1, max_size=30, unique_by=lambda t: t[:2]))
def test_partners_sum_to_the_portfolio_and_transfers_balance(rows):
    frame = pd.DataFrame(rows, columns=["option_id", "organisation", "npv", "annual_saving"]).assign(one_off_cost=1.0)
    chosen = ["A", "C", "E"]
    result = share_portfolio(frame, chosen)
    picked = frame[frame["option_id"].isin(chosen)]
    p = result.partners
    assert p["npv"].sum() == pytest.approx(picked["npv"].sum(), abs=1e-6)
    assert p["annual_saving"].sum() == pytest.approx(picked["annual_saving"].sum(), abs=1e-6)
    assert p["transfer"].sum() == pytest.approx(0.0, abs=1e-6)
    if picked["npv"].sum() >= 0:
        assert (p["npv_after_transfer"] >= -1e-6).all()
    assert np.all((p["transfer"] >= 0) == (p["npv"] <= 0) | (p["transfer"] == 0))


def test_tiny_losses_do_not_overflow():
    frame = pd.DataFrame({"option_id": ["A", "A"], "organisation": ["p", "q"], "npv": [-2.2e-308, 5.0],
                          "annual_saving": [0.0, 1.0], "one_off_cost": [0.0, 0.0]})
    p = share_portfolio(frame, ["A"]).partners.set_index("organisation")
    assert p.loc["p", "npv_after_transfer"] == 0.0 and p["transfer"].sum() == pytest.approx(0.0)
