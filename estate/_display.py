"""Compact text and notebook (HTML) displays of estate's result objects.

``Plan``, ``Inventory``, ``Options`` and ``Roadmap`` hold DataFrames of
thousands of rows: their default dataclass repr prints every one. Each
defines ``__repr__`` and ``_repr_html_`` with :func:`text` and :func:`html`
over a few counts (and, in a notebook, the first rows of its main table).

Examples
--------
>>> text("Roadmap", [("options", "2"), ("events", "7")])
'Roadmap(options=2, events=7)'
>>> "<th>options</th><td>2</td>" in html("Roadmap", [("options", "2")])
True
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import pandas as pd

__all__ = ["count", "html", "text"]

_PREVIEW_ROWS = 5


def count(n: int, noun: str) -> str:
    """``1 system``, ``1,071 systems``."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def text(name: str, items: Sequence[tuple[str, str]]) -> str:
    """``Name(key=value, ...)`` on one line."""
    return f"{name}(" + ", ".join(f"{key}={value}" for key, value in items) + ")"


def html(name: str, items: Sequence[tuple[str, str]], preview: pd.DataFrame | None = None,
         caption: str = "") -> str:
    """A small table of the items, and the first rows of ``preview`` (escaped; text stays text)."""
    rows = "".join(f"<tr><th>{escape(str(key))}</th><td>{escape(str(value))}</td></tr>" for key, value in items)
    out = f"<div><strong>{escape(name)}</strong><table>{rows}</table>"
    if preview is not None and len(preview):
        shown = preview.head(_PREVIEW_ROWS)
        out += (f"<p>{escape(caption or 'First rows')} ({min(len(preview), _PREVIEW_ROWS)} of {len(preview):,}):</p>"
                + shown.to_html(escape=True, index=False, max_cols=10))
    return out + "</div>"
