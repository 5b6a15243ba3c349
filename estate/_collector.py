"""Pause Python's cyclic garbage collector while a step makes many small objects.

Matching, the graph build and overlap analysis each make hundreds of
thousands of small objects (text forms, node and edge dicts, frames), none of
them cyclic garbage. With the collector running, those objects set off
collections that walk every live object again and again: at 100,000 systems
that is about a tenth of matching's time and twice the graph build's.

Examples
--------
>>> import gc
>>> with collector_paused():
...     gc.isenabled()
False
>>> gc.isenabled()
True
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Disable the collector for the block, and enable it again after (even on an error) if it was on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
