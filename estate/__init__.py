"""estate: plan the consolidation of technology estates across organisations.

Read each organisation's inventory, match products and capabilities, find
overlaps, cost and appraise options, choose a portfolio and share it fairly
between partners. ``import estate`` is fast: heavy modules load on first use.
"""

from __future__ import annotations

from estate.errors import EstateError, InputFileError, ParameterError, SolverError
from estate.inventory import Inventory

__all__ = ["EstateError", "InputFileError", "Inventory", "ParameterError", "SolverError", "__version__"]

__version__ = "0.1.0"
