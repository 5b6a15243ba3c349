"""National services (estate.national): one body runs them for everybody, so no option shares, buys or retires them."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from estate.assumptions import load_assumptions
from estate.errors import ParameterError
from estate.fit import load_product_classes
from estate.national import _load, is_national, load_national_services
from estate.options import generate_options
from estate.plan import make_plan
from estate.reference import load_catalogue

ROOT = Path(__file__).resolve().parents[1]


def three_trusts() -> pd.DataFrame:
    """Three NHS bodies on ESR; two use GOV.UK Notify, A also a local SMS tool, B only a local one."""
    return pd.DataFrame({
        "system_key": ["A/esr", "B/esr", "C/esr", "A/notify", "A/twilio", "B/esendex", "C/notify"],
        "organisation": ["A", "B", "C", "A", "A", "B", "C"],
        "capability_code": ["CORP-HR"] * 3 + ["XC-MESSAGING"] * 4,
        "product_id": ["nhs-esr", "nhs-esr", "nhs-esr", "govuk-notify", "twilio", "esendex", "govuk-notify"],
        "product_name": ["NHS Electronic Staff Record"] * 3 + ["GOV.UK Notify", "Twilio", "Esendex", "GOV.UK Notify"],
        "users": [3000.0, 2500.0, 4000.0, 60.0, 10.0, 40.0, 50.0],
        "annual_cost": [60_000.0, 50_000.0, 80_000.0, 12_000.0, 9_000.0, 15_000.0, 10_000.0]})


def test_no_option_shares_buys_or_retires_a_national_service():
    # Before, this place got "buy ESR together", "buy GOV.UK Notify together", C's ESR taking A's and B's, and
    # A's use of GOV.UK Notify taking B's Esendex and C's own use of Notify.
    result = generate_options(three_trusts(), assumptions=load_assumptions())
    o = result.options.set_index("option_id")
    assert sorted(o.index) == ["RW-001", "SP-001"]
    assert "joint procurement" not in set(o["type"])
    national = {"A/esr", "B/esr", "C/esr", "A/notify", "C/notify"}
    touched = result.effects.loc[result.effects["system_key"].isin(national)]
    assert set(touched["effect"]) <= {"survive"}
    # An organisation still retires its own local tool onto the national service it uses.
    assert (o.at["RW-001", "target"], o.at["RW-001", "systems_retired"]) == ("A/notify", "A/twilio")
    # Another organisation's local tool goes onto a local survivor, not onto A's use of Notify.
    assert (o.at["SP-001", "target"], o.at["SP-001", "systems_retired"]) == ("A/twilio", "B/esendex")
    assert "C/notify" not in o.at["SP-001", "systems_retired"]


def test_a_national_service_left_running_says_why():
    # A's Twilio, now big enough to take the others, takes B's Esendex; A's and C's use of GOV.UK Notify stay,
    # and the rationale says why.
    matched = three_trusts()
    matched.loc[matched["system_key"] == "A/twilio", "users"] = 400.0
    o = generate_options(matched, assumptions=load_assumptions()).options
    twilio = o.loc[o["target"] == "A/twilio"]
    assert twilio["systems_retired"].tolist() == ["B/esendex"]
    assert ("Left running, as Twilio cannot take them: A/notify (A) is a national service, run by Government "
            "Digital Service for everybody; C/notify (C) is a national service, run by Government Digital Service "
            "for everybody.") in twilio["rationale"].iloc[0]


def test_the_list_names_known_products_run_by_a_body():
    table = load_national_services()
    known = set(load_catalogue()["product_id"]) | set(load_product_classes()["product_id"])
    assert set(table["product_id"]) <= known
    assert table["run_by"].str.len().gt(0).all() and table["source"].str.len().gt(0).all()
    assert {"nhs-esr", "nhsmail", "pnc", "irs", "govuk-pay"} <= set(table["product_id"])
    assert is_national(pd.Series(["nhs-esr", "itrent", None])).tolist() == [True, False, False]


@pytest.mark.parametrize(("text", "message"), [
    ("product_id,run_by,source\n,X,y\n", "national_services.csv, row 2, column 'product_id': blank"),
    ("product_id,run_by,source\nnhs-esr,,y\n", "row 2, column 'run_by': blank"),
    ("product_id,run_by,source\nnhs-esr,X,y\nnhs-esr,X,y\n", "row 3, column 'product_id': 'nhs-esr' is listed twice"),
    ("product_id,source\nnhs-esr,y\n", "lack column 'run_by'"),
])
def test_a_bad_list_is_refused_naming_the_cell(tmp_path, text, message):
    path = tmp_path / "national_services.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParameterError, match=message):
        _load(path)


def test_the_sample_touches_national_services_only_as_survivors_or_site_moves():
    # inventories/cumbria lists ESR, NHSmail, NHS Jobs, the e-Referral Service, GOV.UK Notify and others: before,
    # 11 options shared or bought them (SP-122 "4 organisations share ESR", NPV -£61.6m; JP-083 "buy NHSmail
    # together"). Now none does; three councils' and trusts' own tools still retire onto GOV.UK Notify, and a
    # closed site still moves the two national-service systems listed in it. The headline is unchanged.
    plan = make_plan(ROOT / "inventories" / "cumbria")
    national = set(plan.matched.loc[is_national(plan.matched["product_id"]), "system_key"])
    assert len(national) == 31
    effects = plan.options.effects
    assert effects.loc[effects["system_key"].isin(national), "effect"].value_counts().to_dict() == \
        {"survive": 3, "move": 2}
    # 474 options, NPV £7,067,116: since a capability column that only groups systems is not read as their
    # capabilities and "Capita Academy Recovery" reads as Academy (472 and £7,079,800 before; CHANGELOG).
    assert len(plan.options.options) == 474 and len(plan.recommended) == 22
    assert round(plan.headline()["NPV"]) == 7_067_116
