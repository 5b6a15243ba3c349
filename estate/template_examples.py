"""The collection template's worked example rows, recognised when a return keeps them.

:func:`estate.template.write_template` fills the first rows of each sheet with
the schema's two worked examples (:attr:`estate.schema.Field.example`), for
people to overwrite. Returns come back with them left in: read as data they
would add a fictional organisation's systems and costs to the plan.
:func:`find_example_rows` recognises them, and the reader skips them with an
``info`` issue (so each is still accounted for, in Data issues).

A row is an example row when every column for which the example gives a value
holds exactly that value (text compared ignoring case, spacing and
punctuation; amounts, counts and dates by value), the organisation aside:
people often fill in their own organisation and leave the rest. A row where
anyone changed any other value is real data and is kept. An example of fewer
than eight values (the Organisations sheet's are real facts: Allerdale's
successor and vesting date) is recognised only when its twin, the template's
other example, is in the same sheet too, so that a real return stating the
same facts is read.

Examples
--------
>>> import pandas as pd
>>> from estate.schema import TABLES
>>> systems = TABLES["systems"]
>>> example = {f.name: f.example[0] for f in systems.fields}
>>> frame = pd.DataFrame([example, {**example, "annual_cost": 91000}])
>>> find_example_rows(frame, systems).tolist()
[True, False]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from estate.schema import Field, Table, normalise_header

__all__ = ["EXAMPLE_NOTE", "find_example_rows"]

EXAMPLE_NOTE = "example row of the collection template: skipped (overwrite or delete the template's examples)"
"""The problem reported for each example row skipped."""

_IGNORED = frozenset({"organisation"})
_ALONE = 8
"""An example row with this many values given is recognised alone; a shorter one only beside its twin."""


def _parsed_example(f: Field, k: int) -> object:
    """Example ``k`` of a field read as the reader reads a cell (``35%`` is 0.35, a date a Timestamp)."""
    from estate.values import parse_column

    value = parse_column(pd.Series([f.example[k]], dtype=object), f).values.iloc[0]
    return None if pd.isna(value) else value


def _matches(column: pd.Series, kind: str, example: object) -> np.ndarray:
    """Which cells of ``column`` hold ``example`` (parsed)."""
    if kind in ("money", "count", "months", "percent"):
        numbers = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
        return np.isclose(numbers, float(example), rtol=1e-12, atol=1e-9)  # type: ignore[arg-type]
    if kind == "date":
        return (pd.to_datetime(column, errors="coerce") == pd.Timestamp(example)).to_numpy()  # type: ignore[arg-type]
    wanted_text = normalise_header(example)
    present = column.notna().to_numpy()
    out = np.zeros(len(column), dtype=bool)
    if present.any():
        out[present] = column[present].astype(str).map(normalise_header).to_numpy() == wanted_text
    return out


def find_example_rows(frame: pd.DataFrame, table: Table) -> pd.Series:
    """Which rows of ``frame`` (a table as read, canonical columns) are the template's example rows.

    Parameters
    ----------
    frame : DataFrame
        Rows of ``table`` with their parsed values.
    table : Table
        From :data:`estate.schema.TABLES`.

    Returns
    -------
    Series of bool
        Indexed like ``frame``.
    """
    found = pd.Series(False, index=frame.index)
    if frame.empty:
        return found
    matches: list[np.ndarray] = []
    sizes: list[int] = []
    for k in (0, 1):
        examples = [(f, _parsed_example(f, k)) for f in table.fields
                    if f.name not in _IGNORED and f.example[k] not in ("", None)]
        # Numbers and dates first (vectorised), text last, on the few rows still matching by then.
        examples = sorted(((f, value) for f, value in examples if value is not None),
                          key=lambda pair: pair[0].kind not in ("money", "count", "months", "percent", "date"))
        match = np.zeros(len(frame), dtype=bool) if len(examples) < 2 else np.ones(len(frame), dtype=bool)
        for f, value in examples:
            rows = np.flatnonzero(match)  # only the rows still matching are compared (few, after a column or two)
            if not len(rows):
                break
            if f.name not in frame:
                match[:] = False
                break
            match[rows] = _matches(frame[f.name].iloc[rows], f.kind, value)
        matches.append(match)
        sizes.append(len(examples))
    # A short example (a few real-world facts, as on Organisations) counts only beside its twin in the same sheet.
    if not (matches[0].any() or matches[1].any()):
        return found
    where = [c for c in ("source_file", "source_sheet") if c in frame]
    sheets = np.full(len(frame), "", dtype=object)
    for column in where:
        sheets = sheets + "\x1f" + frame[column].astype(str).to_numpy(dtype=object)
    for k in (0, 1):
        alone = sizes[k] >= _ALONE
        twin = np.isin(sheets, sheets[matches[1 - k]])
        found |= matches[k] & (alone | twin)
    return found
