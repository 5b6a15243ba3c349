"""Shared services across successors: the service charge (docs/reorganisation.md's worked example)."""

from __future__ import annotations

import pandas as pd
import pytest

from estate.shared_services import service_charges


def test_worked_example_of_the_service_charge():
    partners = pd.DataFrame({"option_id": ["SP-1"] * 4 + ["SP-2"] * 2,
                             "organisation": ["Buyer", "Host A", "Host B", "Police", "X", "Y"],
                             "role": ["buyer", "host", "host", "none", "host", "host"],
                             "cost_share": [0.40, 0.35, 0.25, 0.0, 0.5, 0.5]})
    charges = service_charges(partners, pd.Series({"SP-1": 400_000.0, "SP-2": 1e6}), charge=0.1)
    # By hand: 0.1 x 0.40 x 400,000 = 16,000 paid; 16,000 x 0.35/0.60 and x 0.25/0.60 received; no buyer, no charge.
    assert charges.tolist() == pytest.approx([-16_000.0, 9_333.333333, 6_666.666667, 0.0, 0.0, 0.0])
    factor = sum(1 / 1.035 ** t for t in range(1, 10))  # start in t = 1, horizon 10 years
    assert factor == pytest.approx(7.607687, abs=1e-6)
    assert (charges[:3] * factor).round(2).tolist() == [-121_722.98, 71_005.07, 50_717.91]
    assert 6_000 / 1.035 ** 4 == pytest.approx(5_228.65, abs=0.005)  # the renewal's present value


def test_hosts_with_no_weight_share_the_charge_equally():
    partners = pd.DataFrame({"option_id": ["SP-1"] * 3, "organisation": ["B", "H1", "H2"],
                             "role": ["buyer", "host", "host"], "cost_share": [1.0, 0.0, 0.0]})
    charges = service_charges(partners, pd.Series({"SP-1": 100.0}), charge=0.2)
    assert charges.tolist() == pytest.approx([-20.0, 10.0, 10.0])
