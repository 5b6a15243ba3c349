"""Pause Python's cyclic garbage collector while a step makes many small objects.

Matching, the graph build and overlap analysis each make hundreds of
thousands of small objects (text forms, node and edge dicts, frames), none of
them cyclic garbage. With the collector running, those objects set off
collections that walk every live object again and again: at 100,000 systems
that is about a tenth of matching's time and twice the graph build's.
:func:`estate.plan.make_plan` pauses it for the whole plan: its steps
together set off some 1,300 collections at 100,000 systems, seven of them
walking the whole heap (0.6-0.9 s in all), and find nothing to free.

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
