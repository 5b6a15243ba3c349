"""A tiny estate for examples and doctests.

:func:`two_councils` is the smallest estate with an overlap: two district
councils each running their own revenues and benefits system. The docstring
examples of the plan, workbook and chart functions run on it.

Examples
--------
>>> inventory = two_councils()
>>> inventory.systems[["organisation", "product", "annual_cost"]].to_dict("list")
{'organisation': ['Eden', 'Carlisle'], 'product': ['Capita Academy', 'Civica OpenRevenues'], \
'annual_cost': [185000.0, 220000.0]}
"""

from __future__ import annotations

import pandas as pd

from estate.inventory import Inventory

__all__ = ["two_councils"]


def two_councils(*, eden_system: str = "Revenues") -> Inventory:
    """Two councils, one revenues and benefits system each.

    Parameters
    ----------
    eden_system : str, default="Revenues"
        The name of Eden's system (to show, say, that a name starting with
        ``=`` stays text).

    Returns
    -------
    Inventory
    """
    systems = pd.DataFrame({
        "source_file": ["a.csv", "b.csv"], "source_sheet": ["", ""], "source_row": [2, 2],
        "organisation": ["Eden", "Carlisle"], "system": [eden_system, "Revenues"],
        "product": ["Capita Academy", "Civica OpenRevenues"],
        "capability": ["Revenues and benefits"] * 2, "users": [40.0, 60.0],
        "annual_cost": [185_000.0, 220_000.0], "system_key": ["Eden/Revenues", "Carlisle/Revenues"]})
    return Inventory(systems=systems)
