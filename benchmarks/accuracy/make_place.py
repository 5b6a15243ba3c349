"""A generated place in the way organisations really write their returns, and matching's accuracy on it.

Issue 9's bar: on a place where some files have no product column (the product is in the system name,
with the qualifiers people add), with aliases, typing errors and department suffixes, product pairwise
F1 ≥ 0.95 and capability F1 ≥ 0.90.

The place: 14 organisations of 60 systems each, drawn from one pool of 110 catalogue products and 20
products the catalogue lacks (``make_labelled.UNKNOWN_PRODUCTS``), so that each product recurs across
organisations. Five of the fourteen files have **no product column**: the system name is the product
as the organisation spells it (a name or alias, sometimes a version, 5% with a typing error), and 60%
of names carry a qualifier (``- Adults``, ``- Children's Services``, ``(Finance)``, ``for Schools``,
``Custody``, ``- test``, ``live``, a year, a site); their vendor cell is filled half the time and their
capability cell 40% of the time. The other nine files have a product cell written as
``make_labelled`` writes one (names, aliases, former names, versions, editions, vendor prefixes, 13%
typing errors), a vendor cell, a capability cell 60% of the time and a system named after the
capability. Truth: the catalogue product (``unknown:<name>`` for the others) and its capability.

Run ``PYTHONPATH=. python benchmarks/accuracy/make_place.py`` (seed fixed; about 10 s).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_labelled import (  # noqa: E402
    UNKNOWN_PRODUCTS, Reference, _capability_text, _product_text, _typo, _vendor_text)
from score import pair_score  # noqa: E402

from estate.matching import match_systems  # noqa: E402

SEED = 20261207
ORGANISATIONS = 14
SYSTEMS = 60
NAME_ONLY = 5
SUFFIXES = [" - Adults", " - Children's Services", " (Finance)", " for Schools", " Custody", " - test", " live",
            " 2023", " - Town Hall", " (Revenues)", " - Live", " - HQ", " (Test)"]


def make_place(seed: int = SEED) -> pd.DataFrame:
    """The place's systems with their truth columns ``true_product`` and ``true_capability``."""
    rng = random.Random(seed)
    ref = Reference.load()
    usable = [p for p in ref.products if p["capability"] in ref.capabilities]
    pool = [("catalogue", p) for p in rng.sample(usable, 110)]
    pool += [("unknown", dict(product_id=f"unknown:{name}", product=name, vendor=vendor, aliases=[],
                              capability=code)) for name, vendor, code in rng.sample(UNKNOWN_PRODUCTS, 20)]
    rows = []
    for o in range(ORGANISATIONS):
        organisation = f"Council {o + 1:02d}"
        name_only = o < NAME_ONLY
        for s, (kind, product) in enumerate(rng.sample(pool, SYSTEMS)):
            code = product["capability"]
            if kind == "catalogue":
                spelling = _product_text(rng, ref, product, light=name_only)
            else:
                spelling = product["product"]
                if rng.random() < 0.1:
                    spelling = _typo(rng, spelling)
            vendor = product["vendor"]
            if name_only:
                system = spelling + (rng.choice(SUFFIXES) if rng.random() < 0.6 else "")
                product_cell = None
                vendor_cell = (_vendor_text(rng, ref, vendor) if kind == "catalogue" else vendor) \
                    if rng.random() < 0.5 else ""
                capability_cell = _capability_text(rng, ref, code, clean=True) if rng.random() < 0.4 else ""
            else:
                system = ref.capabilities[code]["name"]
                product_cell = spelling
                vendor_cell = _vendor_text(rng, ref, vendor) if kind == "catalogue" else vendor
                capability_cell = _capability_text(rng, ref, code) if rng.random() < 0.6 else ""
            rows.append(dict(system_key=f"{organisation}/{s + 1}", organisation=organisation, system=system,
                             product=product_cell, vendor=vendor_cell or None, capability=capability_cell or None,
                             true_product=product["product_id"], true_capability=code,
                             name_only=name_only))
    return pd.DataFrame(rows)


def main() -> None:
    place = make_place()
    matched = match_systems(place.drop(columns=["true_product", "true_capability", "name_only"]))
    first = matched[matched["split_from"].isna() | (matched["system_key"] == matched["split_from"])]
    truth = place.set_index("system_key").loc[first["system_key"]]
    product = pair_score(first["product_id"].reset_index(drop=True), truth["true_product"].reset_index(drop=True))
    capability = pair_score(first["capability_code"].reset_index(drop=True),
                            truth["true_capability"].reset_index(drop=True))
    print(f"systems {len(place)}, parts after splitting {len(matched)}")
    for name, s in (("product", product), ("capability", capability)):
        print(f"{name}: P {s.precision:.4f} R {s.recall:.4f} F1 {s.f1:.4f} "
              f"(pairs {s.predicted_pairs} / {s.true_pairs})")
    named = first["system_key"].map(place.set_index("system_key")["name_only"]).to_numpy()
    for label, mask in (("name-only files", named), ("files with a product column", ~named)):
        sub = first[mask]
        t = truth[mask]
        p = pair_score(sub["product_id"].reset_index(drop=True), t["true_product"].reset_index(drop=True))
        c = pair_score(sub["capability_code"].reset_index(drop=True), t["true_capability"].reset_index(drop=True))
        print(f"  {label}: product F1 {p.f1:.4f} (P {p.precision:.3f} R {p.recall:.3f}); capability F1 {c.f1:.4f}; "
              f"no product {int(sub['product_id'].isna().sum())} of {len(sub)}")


if __name__ == "__main__":
    main()
