"""How each sheet of the plan workbook reads on screen and prints: the one home of those rules.

A board reads the plan on paper (or as a PDF) as often as on screen. Every
table of :mod:`estate.workbook` goes through :func:`set_up_page`, which takes
its rules from :data:`PAGES` by sheet name (a numbered continuation such as
``Systems 2`` follows ``Systems``; a sheet not listed follows
:data:`DEFAULT_PAGE`):

* **order**: the columns a reader needs first (``lead``) come first, in that
  order, then every other column in the order the writer lists them
  (:func:`arrange`). A column added to a table later lands in the detail
  without any change here;
* **panes**: the header row and the first ``frozen_columns`` columns stay in
  view;
* **print**: landscape, one page wide (as many pages tall as it takes), the
  header row repeated on every page, and a print area over the table (up to
  the column ``print_through`` when the columns after it are working detail a
  board does not print), with the sheet's name and the page number in the
  footer.

Examples
--------
>>> arrange(("a", "b", "c", "d"), lead=("c", "a"))
('c', 'a', 'b', 'd')
>>> page_for("Systems 2") == page_for("Systems")
True
>>> page_for("A sheet added later").landscape
True
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xlsxwriter.worksheet import Worksheet

__all__ = ["DEFAULT_PAGE", "PAGES", "Page", "arrange", "page_for", "set_up_page"]

_A4 = 9
_FOOTER = "&L&A&RPage &P of &N"


@dataclass(frozen=True)
class Page:
    """How one sheet reads and prints.

    Attributes
    ----------
    lead : tuple of str
        Column keys shown first, in this order (those the table has).
    frozen_columns : int
        Columns kept in view when scrolling right (with the header row).
    print_through : str, optional
        The last column key in the print area; every column when None (or
        when the table has no such column).
    landscape, fit_width, repeat_header : bool
        Print setup: orientation, one page wide, header row on every page.
    """

    lead: tuple[str, ...] = ()
    frozen_columns: int = 1
    print_through: str | None = None
    landscape: bool = True
    fit_width: bool = True
    repeat_header: bool = True


DEFAULT_PAGE = Page()
"""Any sheet not in :data:`PAGES` (a sheet another part of estate adds) prints this way."""

OPTION_LEAD = ("option", "description", "recommended", "annual_saving", "one_off", "npv", "payback", "start")
"""The decision first (CONTRACT §4: Option, Recommended, Annual saving, One-off cost and NPV in the first eight)."""

PAGES: dict[str, Page] = {
    "Options": Page(lead=OPTION_LEAD, frozen_columns=2, print_through="type"),
    "Partners": Page(frozen_columns=1, print_through="position"),
    "Roadmap": Page(frozen_columns=2),
    "Roadmap events": Page(frozen_columns=2),
    "Cash flows": Page(frozen_columns=2),
    "Systems": Page(frozen_columns=4, print_through="fate"),
    "Sites": Page(frozen_columns=2),
    "Overlaps": Page(frozen_columns=2),
    "Data issues": Page(frozen_columns=1),
    "Defaults used": Page(frozen_columns=2),
    "Assumptions": Page(frozen_columns=1),
    "Option systems": Page(frozen_columns=2),
    "Partner shares": Page(frozen_columns=2),
    "Years": Page(frozen_columns=1),
}
"""The rules of each sheet, by name."""

_CONTINUATION = re.compile(r"^(?P<base>.+) (?P<n>[0-9]+)$")


def page_for(sheet: str) -> Page:
    """The rules of ``sheet`` (``Systems 2`` follows ``Systems``)."""
    if sheet in PAGES:
        return PAGES[sheet]
    match = _CONTINUATION.match(sheet)
    if match and match["base"] in PAGES:
        return PAGES[match["base"]]
    return DEFAULT_PAGE


def arrange(keys: Sequence[str], lead: Sequence[str]) -> tuple[str, ...]:
    """``keys`` with those in ``lead`` first (in ``lead``'s order), the rest in their own order."""
    present = set(keys)
    first = tuple(key for key in lead if key in present)
    return first + tuple(key for key in keys if key not in set(first))


def set_up_page(ws: Worksheet, page: Page, *, header_row: int, last_row: int, last_col: int,
                print_last_col: int | None = None, frozen_columns: int | None = None,
                first_row: int = 0) -> None:
    """Freeze panes and set up printing of a table on ``ws`` (XlsxWriter).

    ``header_row``..``last_row`` and ``0..last_col`` are 0-based; the print
    area runs from ``first_row`` (titles above the table print too) to the
    table's last row, and to ``print_last_col`` when given.
    """
    ws.freeze_panes(header_row + 1, page.frozen_columns if frozen_columns is None else frozen_columns)
    set_up_print(ws, page, repeat_rows=(header_row, header_row) if page.repeat_header else None,
                 area=(first_row, 0, max(last_row, header_row), last_col if print_last_col is None else print_last_col))


def set_up_print(ws: Worksheet, page: Page, *, repeat_rows: tuple[int, int] | None,
                 area: tuple[int, int, int, int] | None, **_: Any) -> None:
    """Orientation, paper, fit to width, repeated rows, print area and footer."""
    if page.landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_paper(_A4)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    if page.fit_width:
        ws.fit_to_pages(1, 0)
    if repeat_rows is not None:
        ws.repeat_rows(*repeat_rows)
    if area is not None:
        ws.print_area(*area)
    ws.set_footer(_FOOTER)
