"""Multi-product cells on a real inventory: the GP practices' systems column of NHS England's list.

``GP_GPAD_SYSTEMS`` of ``shared/data/nhs-gp-practice-system-supplier/icb_gp_suppliers_2025-12.csv``
(OGL v3; see that folder's PROVENANCE.md) lists each practice's GP systems as their suppliers write
them: ``EMIS``, ``TPP``, ``MEDICUS``, and two in one cell, ``EMIS/EVERGREENLIFE``, ``TPP/EVERGREENLIFE``,
``EMIS/TPP``. Each practice is an organisation and the cell its product cell. The truth is read off
the cell by hand: ``EMIS`` is EMIS Web, ``TPP`` SystmOne, ``MEDICUS`` Medicus, ``EVERGREENLIFE`` the
Evergreen Life patient app; a cell with ``/`` names two products.

Issue 9's bar on such an inventory: at least 90% of the cells that list several products split into
the right number of products; at most 5% of product mentions lost or left merged; each product used
by five or more organisations found across them with F ≥ 0.90 (pairwise, over the organisations that
use it).

Run ``PYTHONPATH=. python benchmarks/accuracy/bench_gp_systems.py [path to the CSV]``. The file is not
in the repository (it is 279 KB of public data kept with the project's shared data).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from estate.matching import match_systems

DEFAULT = Path("/work/shared/data/nhs-gp-practice-system-supplier/icb_gp_suppliers_2025-12.csv")
TRUTH = {"EMIS": "emis", "TPP": "systmone", "MEDICUS": "medicus", "EVERGREENLIFE": "evergreen"}


def main(path: Path = DEFAULT) -> None:
    data = pd.read_csv(path, dtype=str)
    systems = pd.DataFrame({"system_key": data["GP_ODS_CODE"], "organisation": data["GP_ODS_CODE"],
                            "system": "GP systems", "product": data["GP_GPAD_SYSTEMS"]})
    matched = match_systems(systems)
    matched["row"] = matched["system_key"].str.split("~").str[0]
    truth = systems.set_index("system_key")["product"].str.split("/")
    true_parts = truth.str.len()
    found = matched.groupby("row")["product_id"].apply(lambda ids: ids.dropna().nunique())
    multi = true_parts[true_parts > 1].index
    right = (found.reindex(multi) == true_parts.reindex(multi)).mean()
    lost = (true_parts - found.reindex(true_parts.index).fillna(0)).clip(lower=0).sum() / true_parts.sum()
    print(f"practices {len(systems):,}; cells listing several products {len(multi):,}; "
          f"split into the right number {right:.1%}; mentions lost or merged {lost:.2%}")
    # each product used by 5+ organisations: which organisations use it, truth vs prediction
    exploded = truth.explode().map(TRUTH)
    true_users = exploded.reset_index().groupby("product")["system_key"].apply(set)
    for product, users in true_users.items():
        if len(users) < 5:
            continue
        # the predicted product most of its users got
        rows = matched[matched["row"].isin(users)]
        best, best_f = None, 0.0
        for predicted, group in rows.groupby("product_id"):
            got = set(group["row"])
            all_with = set(matched.loc[matched["product_id"] == predicted, "row"])
            precision = len(got & users) / len(all_with)
            recall = len(got & users) / len(users)
            f = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            if f > best_f:
                best, best_f = predicted, f
        print(f"  {product}: {len(users):,} organisations; found as {best} with F {best_f:.3f}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
