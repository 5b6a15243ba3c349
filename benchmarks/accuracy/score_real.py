"""Score matching on the hand-labelled real names (``real_labelled.csv``), overall and by source.

``real_labelled.csv`` holds 634 rows of names taken from the public data in the project's
``shared/data`` folders (see ``PROVENANCE.md`` here), each labelled by hand: which rows are the same
product (``true_product_group``; ``single:...`` for a row that names no product, or one whose product
is alone in the set) and which capability each product serves (``true_capability_code``; blank where
the taxonomy has none, e.g. developer tools, CAD). Groups are the labeller's own names, not catalogue
ids: the scores are pairwise, so only which rows go together counts.

Run ``python benchmarks/accuracy/score_real.py`` (from the repository root, with ``PYTHONPATH=.``).
Besides pairwise precision, recall and F1 (as ``score.py``), it reports for the rows whose cell lists
several products how many were split into the right number of products, and how many product mentions
were lost (fewer parts than the truth) or merged (a part grouping two true products).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from score import pair_score, read_labelled, score  # noqa: E402

REAL = Path(__file__).resolve().parent / "real_labelled.csv"


def split_report(labelled: pd.DataFrame, table: pd.DataFrame, matched_parts: pd.Series) -> dict[str, float]:
    """Multi-product cells: share split into the right number of parts, share of mentions lost or merged."""
    multi = labelled[labelled["true_product_group"].str.contains(";")]
    if multi.empty:
        return {"cells": 0, "right_count": float("nan"), "lost_or_merged": float("nan")}
    true_parts = multi["true_product_group"].str.count(";") + 1
    predicted = matched_parts.reindex(multi["row_id"]).fillna(0).to_numpy()
    right = (predicted == true_parts.to_numpy()).mean()
    lost = (true_parts.to_numpy() - predicted).clip(min=0).sum()
    return {"cells": len(multi), "right_count": float(right), "lost_or_merged": float(lost / true_parts.sum())}


def main() -> None:
    labelled = read_labelled(REAL)
    report, table = score(labelled)
    print(f"real labelled rows: {len(labelled)}, product units: {report.units}")
    print(report.to_frame().to_string(float_format=lambda v: f"{v:.4f}"))
    table = table.merge(labelled[["row_id", "source", "kind"]], on="row_id")
    rows = []
    for name, part in [*table.groupby("source"), *table.groupby("kind")]:
        product = pair_score(part["product_id"], part["group"])
        capability = pair_score(part["capability_code"], part["code"])
        rows.append({"subset": name, "units": len(part), "product P": product.precision,
                     "product R": product.recall, "product F1": product.f1, "capability P": capability.precision,
                     "capability R": capability.recall, "capability F1": capability.f1})
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.3f}"))
    # how many parts each multi-product row became
    from estate.matching import match_systems

    systems = pd.DataFrame({"system_key": labelled["row_id"], "organisation": labelled["organisation"],
                            "system": labelled["system"], "vendor": labelled["raw_vendor"],
                            "product": labelled["raw_product"], "capability": labelled["raw_capability"]})
    matched = match_systems(systems)
    parts = matched["system_key"].str.split("~").str[0].value_counts()
    found = matched["product_id"].notna().groupby(matched["system_key"].str.split("~").str[0]).sum()
    print("multi-product cells:", split_report(labelled, table, found))
    print("no product:", int(matched["product_id"].isna().sum()), "of", len(matched), "parts;",
          "parts per row max", int(parts.max()))


if __name__ == "__main__":
    main()
