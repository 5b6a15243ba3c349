"""estate: plan the consolidation of technology estates across organisations.

Read each organisation's inventory, match products and capabilities, find
overlaps, cost and appraise options, choose a portfolio and share it fairly
between partners.

``import estate`` is fast: the pipeline's modules load on first use, and
matplotlib only when a chart is drawn.

Examples
--------
>>> import estate
>>> sorted(estate.__all__)[:4]
['EstateError', 'InputFileError', 'Inventory', 'ParameterError']
"""

from __future__ import annotations

import importlib
from typing import Any

from estate.errors import EstateError, InputFileError, ParameterError, SolverError
from estate.inventory import Inventory

__version__ = "0.1.0"

_LAZY = {
    "read_inventory": "estate.reading",
    "match_systems": "estate.matching",
    "review_table": "estate.matching",
    "build_graph": "estate.graph",
    "write_graph": "estate.graph",
    "find_overlaps": "estate.overlaps",
    "load_assumptions": "estate.assumptions",
    "generate_options": "estate.options",
    "select_portfolio": "estate.portfolio",
    "share_portfolio": "estate.sharing",
    "build_roadmap": "estate.roadmap",
    "make_plan": "estate.plan",
    "Plan": "estate.plan",
    "write_plan": "estate.workbook",
    "write_pack": "estate.pack",
    "write_template": "estate.template",
}

__all__ = sorted(["EstateError", "InputFileError", "Inventory", "ParameterError", "SolverError", "__version__",
                  *_LAZY])


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'estate' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
