"""Helpers of the tests of the generated test places (inventories/cumbria, tests/data/east-lancashire).

Each place is written by a script in ``tools/``; its tests load that script as a module and compare what
it writes with the files committed.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import openpyxl


def load_tool(path: Path) -> ModuleType:
    """The script at ``path`` (``tools/make_*.py``) as a module, registered under its file name."""
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(path.stem, module)
    spec.loader.exec_module(module)
    return module


def contents(folder: Path, text_suffixes: tuple[str, ...] = (".csv",)) -> dict[str, object]:
    """Every file's content as values: each workbook's cells and state sheet by sheet, text files as bytes."""
    out: dict[str, object] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix == ".xlsx":
            wb = openpyxl.load_workbook(path)
            out[path.name] = {ws.title: ([list(row) for row in ws.iter_rows(values_only=True)], ws.sheet_state)
                              for ws in wb.worksheets}
            wb.close()
        elif path.suffix in text_suffixes:
            out[path.name] = path.read_bytes()
    return out
