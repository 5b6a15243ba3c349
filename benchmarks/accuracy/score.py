"""Score estate's matching against a labelled set: pairwise precision, recall and F1.

A *unit* is one product of one labelled row (a row listing two products is two
units). Two units are a pair in the truth when they share a true group, and
a pair in the prediction when they share a predicted group; a unit with no
group (no product, in-house, unmatched capability) pairs with nothing.

* precision = true pairs predicted / pairs predicted
* recall    = true pairs predicted / true pairs
* F1        = 2 P R / (P + R)

Pairs are counted from the contingency table of (predicted, true) labels, so
scoring 1,000,000 units takes a second, not the age of all pairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from estate.matching import match_systems

LABELLED = Path(__file__).resolve().parent / "labelled.csv"


@dataclass(frozen=True)
class PairScore:
    """Pairwise precision, recall and F1 of a grouping."""

    precision: float
    recall: float
    f1: float
    predicted_pairs: int
    true_pairs: int


@dataclass(frozen=True)
class AccuracyReport:
    """Product and capability grouping scores of one run."""

    product: PairScore
    capability: PairScore
    units: int

    def to_frame(self) -> pd.DataFrame:
        rows = {"product": self.product, "capability": self.capability}
        return pd.DataFrame({name: [s.precision, s.recall, s.f1, s.predicted_pairs, s.true_pairs]
                             for name, s in rows.items()},
                            index=["precision", "recall", "f1", "predicted_pairs", "true_pairs"]).T


def _pairs(counts: np.ndarray) -> int:
    counts = counts.astype(np.int64)
    return int((counts * (counts - 1) // 2).sum())


def pair_score(predicted: pd.Series, truth: pd.Series) -> PairScore:
    """Pairwise scores of two labellings of the same units (missing labels pair with nothing)."""
    predicted = predicted.reset_index(drop=True).astype(object)
    truth = truth.reset_index(drop=True).astype(object)
    singleton = [f"\0{i}" for i in range(len(predicted))]
    predicted = predicted.where(predicted.notna(), pd.Series(singleton, dtype=object))
    truth = truth.where(truth.notna(), pd.Series(singleton, dtype=object))
    both = pd.DataFrame({"p": predicted, "t": truth})
    together = _pairs(both.value_counts().to_numpy())
    predicted_pairs = _pairs(predicted.value_counts().to_numpy())
    true_pairs = _pairs(truth.value_counts().to_numpy())
    precision = together / predicted_pairs if predicted_pairs else 1.0
    recall = together / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairScore(precision, recall, f1, predicted_pairs, true_pairs)


def units(labelled: pd.DataFrame, matched: pd.DataFrame) -> pd.DataFrame:
    """One row a true part: its true and predicted product group and capability."""
    truth = labelled[["row_id", "true_product_group", "true_capability_code"]].copy()
    truth["group"] = truth["true_product_group"].str.split(";")
    truth["code"] = truth["true_capability_code"].str.split(";")
    truth = truth.explode(["group", "code"])
    truth["part"] = truth.groupby("row_id").cumcount()
    truth["group"] = truth["group"].where(~truth["group"].str.startswith("single:"), None)
    predicted = matched[["system_key", "product_id", "capability_code"]].copy()
    predicted["row_id"] = predicted["system_key"].str.split("~").str[0]
    predicted["part"] = predicted.groupby("row_id").cumcount()
    merged = truth.merge(predicted, on=["row_id", "part"], how="left")
    return merged[["row_id", "part", "group", "code", "product_id", "capability_code"]]


def score(labelled: pd.DataFrame, **options: object) -> tuple[AccuracyReport, pd.DataFrame]:
    """Match the labelled rows and score the product and capability groupings."""
    systems = pd.DataFrame({
        "system_key": labelled["row_id"],
        "organisation": labelled["organisation"],
        "system": labelled["system"],
        "vendor": labelled["raw_vendor"],
        "product": labelled["raw_product"],
        "capability": labelled["raw_capability"],
    })
    matched = match_systems(systems, **options)
    table = units(labelled, matched)
    report = AccuracyReport(pair_score(table["product_id"], table["group"]),
                            pair_score(table["capability_code"], table["code"]), len(table))
    return report, table


def read_labelled(path: Path = LABELLED) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)
