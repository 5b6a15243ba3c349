"""The collection template: the blank workbook sent to each organisation.

:func:`write_template` writes an ``.xlsx`` workbook that an organisation fills in
and sends back for :func:`estate.read_inventory` to read. Everything in it comes
from :mod:`estate.schema`: one sheet a table, headed by the canonical column
names, with the instructions' table of columns, the drop-down lists and the
number formats all generated from the schema's fields.

Layout
------
* ``Instructions`` first: what estate is for, how to fill each sheet, the
  formats of money and dates it accepts, and a table of every column.
* One sheet a table (``Systems``, ``Contracts``, ``Integrations``, ``Sites``,
  ``Organisations``): headers in the first row (bold, frozen, with an
  autofilter and a comment giving the description and unit; required columns
  shaded orange, optional ones blue), then, unless ``example_rows=False``, two
  worked example rows taken from :attr:`estate.schema.Field.example`. The
  examples are valid data, but a return that leaves them as they are does
  not add them to the plan: the reader recognises them
  (:mod:`estate.template_examples`) and skips each with a note.
* A hidden ``Lists`` sheet holding the capability names the capability
  drop-down offers (too many for an inline list).

Data validation covers the first 2,000 rows under each header: drop-downs for
choice fields and for capability, whole numbers for counts, amounts for money,
dates, months from 0 to 120 and percentages. None refuses a value: the
capability list only informs (organisations may use their own words) and the
others warn, because the reader also accepts synonyms such as ``Azure`` for
``cloud`` and text such as ``£12.5k`` or ``Mar 2027``.

Sheet names, the header and data rows and the ``Lists`` columns are decided
by :class:`_Grid` alone, the columns by the schema's field order; the
Instructions sheet is written top to bottom by one function.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.utility import quote_sheetname, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from estate.errors import ParameterError
from estate.outputs import atomic_write
from estate.schema import ORGANISATIONS, SYSTEMS, TABLES, Field, Table

__all__ = ["write_template"]

_CAPABILITY = "capability"
"""The Systems column whose drop-down lists the capability taxonomy."""

_CREATED = datetime(2024, 1, 1)
"""Fixed creation date, so the same call always writes the same bytes."""

_EARLIEST_DATE = datetime(1950, 1, 1)
_LATEST_DATE = datetime(2199, 12, 31)
"""The range date cells are checked against: wide, it only catches typing slips."""

_RULES: dict[str, tuple[str, str, object, object, str]] = {
    "money": ("decimal", ">=", 0, None, "An amount in pounds, such as 12500."),
    "count": ("integer", ">=", 0, None, "A whole number, such as 120."),
    "months": ("decimal", "between", 0, 120, "A number of months from 0 to 120."),
    "percent": ("decimal", "between", 0, 1, "A percentage, such as 35%."),
    "date": ("date", "between", _EARLIEST_DATE, _LATEST_DATE, "A date, such as 31/03/2027."),
}
"""Data validation of each numeric kind: XlsxWriter's validate, criteria, bounds, and a hint."""

_INLINE_LIST_LIMIT = 255
"""Excel's limit on the characters of an inline drop-down list."""

_NUMBER_FORMATS: dict[str, str] = {
    "text": "@",
    "choice": "@",
    "money": "£#,##0",
    "count": "#,##0",
    "date": "dd/mm/yyyy",
    "months": "General",
    "percent": "0%",
}
"""Number format of each field kind's cells."""

_KIND_LABELS: dict[str, str] = {
    "text": "text",
    "choice": "one of a list",
    "money": "amount in £",
    "count": "whole number",
    "date": "date",
    "months": "number of months",
    "percent": "percentage",
}
"""How each field kind is described in the instructions."""

_KIND_WIDTHS: dict[str, int] = {
    "text": 18,
    "choice": 15,
    "money": 13,
    "count": 10,
    "date": 13,
    "months": 10,
    "percent": 10,
}
"""Smallest width of a column of each kind, in characters."""

_MAX_WIDTH = 40
_REQUIRED_COLOUR = "#F8CBAD"
_OPTIONAL_COLOUR = "#DDEBF7"


@dataclass(frozen=True)
class _Grid:
    """The one authority on where things go in the collection workbook.

    Rows and columns are zero-based, as XlsxWriter counts them.
    """

    instructions: str = "Instructions"
    lists: str = "Lists"
    header_row: int = 0
    data_rows: int = 2000
    lists_header_row: int = 0
    capability_list_column: int = 0

    @property
    def first_data_row(self) -> int:
        """The first row under the headers."""
        return self.header_row + 1

    @property
    def last_data_row(self) -> int:
        """The last row data validation covers."""
        return self.first_data_row + self.data_rows - 1

    def data_cells(self, column: int) -> tuple[int, int, int, int]:
        """The validated cells of one column: first row, column, last row, column."""
        return self.first_data_row, column, self.last_data_row, column

    def list_reference(self, column: int, count: int) -> str:
        """An absolute reference to ``count`` values of a column of the Lists sheet."""
        first = xl_rowcol_to_cell(self.lists_header_row + 1, column, row_abs=True, col_abs=True)
        last = xl_rowcol_to_cell(self.lists_header_row + count, column, row_abs=True, col_abs=True)
        return f"={quote_sheetname(self.lists)}!{first}:{last}"


_GRID = _Grid()


@dataclass(frozen=True)
class _Styles:
    """The cell formats of one workbook."""

    title: Format
    heading: Format
    text: Format
    table_header: Format
    wrapped: Format
    required_header: Format
    optional_header: Format
    kinds: dict[str, Format]


def write_template(
    path: str | os.PathLike[str],
    *,
    example_rows: bool = True,
    capabilities: Iterable[str] | None = None,
) -> Path:
    """Write the blank collection workbook to send to organisations.

    Parameters
    ----------
    path : str or path-like
        Where to write it; must end in ``.xlsx``. An existing file is replaced.
    example_rows : bool, default=True
        Whether to fill the first two rows of each sheet with the schema's
        worked examples. They are valid data, for people to overwrite.
    capabilities : iterable of str, default=None
        The capability names the ``capability`` drop-down offers, in order;
        blanks and repeats are dropped. By default the ``name`` column of
        :func:`estate.reference.load_capabilities`.

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ParameterError
        If ``path`` does not end in ``.xlsx``, ``example_rows`` is not a bool
        or ``capabilities`` is not an iterable of strings.
    OutputFileError
        If the file cannot be written (no such folder, no permission, a full
        disk); it is written whole or not at all, so an older file at ``path``
        is left as it was.

    See Also
    --------
    estate.read_inventory : reads the filled-in workbooks back.

    Notes
    -----
    The workbook is written with XlsxWriter with a fixed creation date, so the
    same arguments always give the same bytes.

    Examples
    --------
    >>> import tempfile, pathlib, openpyxl
    >>> from estate.template import write_template
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> path = write_template(folder / "collection.xlsx",
    ...                       capabilities=["Finance", "Revenues and benefits"])
    >>> book = openpyxl.load_workbook(path)
    >>> book.sheetnames
    ['Instructions', 'Systems', 'Contracts', 'Integrations', 'Sites', 'Organisations', 'Lists']
    >>> [cell.value for cell in book["Sites"][1]]
    ['organisation', 'site', 'site_type', 'annual_cost', 'racks', 'utilisation', 'contract_end', 'exit_cost']
    """
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise ParameterError(
            f"The 'path' parameter of write_template must end in '.xlsx'. Got {str(path)!r} instead."
        )
    if not isinstance(example_rows, bool):
        raise ParameterError(
            f"The 'example_rows' parameter of write_template must be a bool. Got {example_rows!r} instead."
        )
    names = _capability_names(capabilities)

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    workbook.set_properties(
        {
            "title": "IT estate collection workbook",
            "subject": "IT systems, contracts, integrations and sites, for consolidation planning",
            "author": "estate",
            "keywords": "estate, IT estate, inventory, consolidation",
            "comments": "Fill in one row a system and send it back. See the Instructions sheet.",
            "created": _CREATED,
        }
    )
    styles = _make_styles(workbook)
    _write_instructions(workbook.add_worksheet(_GRID.instructions), styles, names, example_rows)
    for table in TABLES.values():
        sheet = workbook.add_worksheet(table.sheet)
        _write_table(sheet, table, styles, names, example_rows)
    _write_lists(workbook.add_worksheet(_GRID.lists), styles, names)
    workbook.close()

    with atomic_write(target) as temporary:
        temporary.write_bytes(buffer.getvalue())
    return target


def _capability_names(capabilities: Iterable[str] | None) -> tuple[str, ...]:
    """The capability names for the drop-down, cleaned, in order."""
    if capabilities is None:
        from estate.reference import load_capabilities

        capabilities = load_capabilities()["name"].tolist()
    if isinstance(capabilities, (str, bytes)) or not isinstance(capabilities, Iterable):
        raise ParameterError(
            "The 'capabilities' parameter of write_template must be an iterable of str. "
            f"Got {capabilities!r} instead."
        )
    names: dict[str, None] = {}
    for name in capabilities:
        if not isinstance(name, str):
            raise ParameterError(
                "The 'capabilities' parameter of write_template must be an iterable of str. "
                f"Got an item {name!r} instead."
            )
        if name.strip():
            names[name.strip()] = None
    return tuple(names)


def _make_styles(workbook: xlsxwriter.Workbook) -> _Styles:
    """Create the formats the template uses."""
    header = {"bold": True, "border": 1, "valign": "top"}
    return _Styles(
        title=workbook.add_format({"bold": True, "font_size": 16}),
        heading=workbook.add_format({"bold": True, "font_size": 12}),
        text=workbook.add_format({}),
        table_header=workbook.add_format({**header, "bg_color": "#D9D9D9"}),
        wrapped=workbook.add_format({"text_wrap": True, "valign": "top"}),
        required_header=workbook.add_format({**header, "bg_color": _REQUIRED_COLOUR}),
        optional_header=workbook.add_format({**header, "bg_color": _OPTIONAL_COLOUR}),
        kinds={kind: workbook.add_format({"num_format": fmt}) for kind, fmt in _NUMBER_FORMATS.items()},
    )


# --- Instructions -------------------------------------------------------------------------


def _instruction_lines(capabilities: Sequence[str], example_rows: bool) -> list[tuple[str, str]]:
    """The instructions' prose, as (style, text) lines; ``""`` text is a blank line."""
    choices = _and(dict.fromkeys(f.name for t in TABLES.values() for f in t.fields if f.choice is not None))
    required = _and(t.sheet for t in TABLES.values() if t.required)
    organisation = SYSTEMS.field("organisation").example[0]
    purpose = [
        "Partner organisations are planning together which IT systems could be shared, merged or retired.",
        "Please list every IT system your organisation runs, what it costs and when its contracts end.",
        "estate reads the workbooks back, finds systems that do the same job in several organisations,",
        "and costs and compares the options for bringing them together.",
    ]
    how = [
        f"{required} is the sheet you must fill in; the other sheets add detail where you have it.",
        "One row a system: one running instance of a product in one organisation.",
        "Orange headings are required columns, blue ones optional. Leave a cell blank if you do not know.",
        "Point at a heading to see what the column means and its unit.",
        "One organisation per file: fill in the organisation column, or leave it blank and name the file",
        f"after your organisation (for example '{organisation}.xlsx').",
        "A combined file for several organisations: fill in the organisation column on every row,",
        "spelling each name as on the Organisations sheet.",
        "Several products in one system: list them in the product cell, separated by ';'.",
        f"Drop-down lists give the allowed values of {choices}.",
        "Reorganisation: on the Organisations sheet give each council's successor authority (several, separated",
        "by ';', for a council divided between successors) and the vesting date. On the Systems sheet, successor",
        "says which successor takes a system when that is not simply its council's, shared_with names the other",
        "organisations using the same instance, and data_partitioning whether its data is segmented or monolithic.",
    ]
    if capabilities:
        how.append(f"The capability drop-down offers {len(capabilities)} capabilities; "
                   "type your own words if none fits. A system serving several (an ERP running finance, HR "
                   "and procurement) lists them all, separated by ';': it stays one system with one cost.")
    if example_rows:
        how.append("The first two rows of each sheet are worked examples: overwrite them or delete them "
                   "(left as they are, estate skips them).")
    how.append("Keep the sheet names and headings as they are. You may add columns of your own to the right.")
    formats = [
        "Give every amount in pounds. Costs are annual, except exit costs, which are paid once.",
        "Plain numbers are best (12500); text such as £12,500, 12.5k, £1.2m or 12500.00 GBP is read too.",
        "Dates: a date cell, or text such as 31/03/2027, 2027-03-31, Mar 2027",
        "or a financial year such as 2027/28 (read as its last day).",
        "Counts such as users: whole numbers; a band such as 1-100 or 50,000+ is read with a warning.",
        "Percentages: 35% or 0.35. Notice periods: a number of months.",
        "Cells that do not fit a column's type show a warning; you can keep what you typed.",
    ]
    lines = [
        ("title", "IT estate collection workbook"),
        ("text", "For estate, which plans the consolidation of IT systems across partner organisations."),
    ]
    for heading, texts in (
        ("What this workbook is for", purpose),
        ("How to fill it in", how),
        ("Money, dates and numbers", formats),
    ):
        lines += [("text", ""), ("heading", heading), *(("text", text) for text in texts)]
    return [*lines, ("text", "")]


def _and(words: Iterable[str]) -> str:
    """Words joined as prose: ``a, b and c``."""
    items = list(words)
    return " and ".join(filter(None, [", ".join(items[:-1]), *items[-1:]]))


def _write_instructions(
    sheet: Worksheet, styles: _Styles, capabilities: Sequence[str], example_rows: bool
) -> None:
    """Write the Instructions sheet: prose, then the sheets and columns tables."""
    widths = (16, 22, 10, 16, 12, 60, 36, 26)
    for column, width in enumerate(widths):
        sheet.set_column(column, column, width)
    sheet.hide_gridlines(2)
    sheet.activate()

    row = 0
    for style, text in _instruction_lines(capabilities, example_rows):
        if text:
            sheet.write_string(row, 0, text, getattr(styles, style))
        row += 1

    sheet.write_string(row, 0, "The sheets", styles.heading)
    row += 1
    for column, heading in enumerate(("Sheet", "Required", "One row holds")):
        sheet.write_string(row, column, heading, styles.table_header)
    row += 1
    for table in TABLES.values():
        sheet.write_string(row, 0, table.sheet, styles.wrapped)
        sheet.write_string(row, 1, "yes" if table.required else "no", styles.wrapped)
        sheet.write_string(row, 2, table.description, styles.text)
        row += 1
    row += 1

    sheet.write_string(row, 0, "The columns", styles.heading)
    row += 1
    headings = (
        "Sheet", "Column", "Required", "Type of value", "Unit", "What it holds", "Allowed values", "Example",
    )
    for column, heading in enumerate(headings):
        sheet.write_string(row, column, heading, styles.table_header)
    first_table_row = row
    row += 1
    for table in TABLES.values():
        for field in table.fields:
            values = (
                table.sheet,
                field.name,
                "yes" if field.required else "no",
                _KIND_LABELS[field.kind],
                field.unit,
                field.description,
                _allowed_values(field, capabilities),
                _example_text(field, field.example[0]),
            )
            for column, value in enumerate(values):
                sheet.write_string(row, column, value, styles.wrapped)
            row += 1
    sheet.autofilter(first_table_row, 0, row - 1, len(headings) - 1)


def _allowed_values(field: Field, capabilities: Sequence[str]) -> str:
    """The allowed values of a column, for the instructions."""
    if field.choice is not None:
        return ", ".join(field.choice.canonical)
    if field.name == _CAPABILITY and capabilities:
        return "a capability from the drop-down, or your own words"
    return ""


def _example_text(field: Field, example: object) -> str:
    """An example of a column as it would be displayed."""
    value = _example_value(field, example)
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if field.kind == "money" and isinstance(value, (int, float)):
        return f"£{value:,.0f}"
    if field.kind == "percent" and isinstance(value, float):
        return f"{value:.0%}"
    return str(value)


# --- Table sheets -------------------------------------------------------------------------


def _write_table(
    sheet: Worksheet, table: Table, styles: _Styles, capabilities: Sequence[str], example_rows: bool
) -> None:
    """Write one inventory sheet: headers, examples, formats and validation."""
    sheet.set_comments_author("estate")
    for column, field in enumerate(table.fields):
        sheet.set_column(column, column, _width(field), styles.kinds[field.kind])
        header = styles.required_header if field.required else styles.optional_header
        sheet.write_string(_GRID.header_row, column, field.header, header)
        sheet.write_comment(_GRID.header_row, column, _comment(field), _comment_size(field))
        validation = _organisations_validation(table, field) or _validation(field, capabilities)
        if validation is not None:
            sheet.data_validation(*_GRID.data_cells(column), validation)
        if example_rows:
            for offset, example in enumerate(field.example):
                _write_value(sheet, _GRID.first_data_row + offset, column, field, example, styles)
    sheet.freeze_panes(_GRID.first_data_row, 0)
    sheet.autofilter(_GRID.header_row, 0, _GRID.last_data_row, len(table.fields) - 1)


def _write_value(
    sheet: Worksheet, row: int, column: int, field: Field, example: object, styles: _Styles
) -> None:
    """Write one example value as its kind: dates as dates, amounts as numbers."""
    value = _example_value(field, example)
    style = styles.kinds[field.kind]
    if value is None:
        return
    if isinstance(value, date):
        sheet.write_datetime(row, column, datetime(value.year, value.month, value.day), style)
    elif isinstance(value, (int, float)):
        sheet.write_number(row, column, value, style)
    else:
        sheet.write_string(row, column, str(value), style)


def _example_value(field: Field, example: object) -> object | None:
    """An example converted to what its cell holds, or None for a blank."""
    if example is None or example == "":
        return None
    if field.kind == "date" and isinstance(example, str):
        return date.fromisoformat(example)
    if field.kind == "percent" and isinstance(example, str) and example.endswith("%"):
        return float(example.rstrip("%")) / 100
    return example


def _width(field: Field) -> int:
    """A column width that shows its header, filter button and examples."""
    texts = [field.header, *(_example_text(field, e) for e in field.example)]
    widest = max(len(t) for t in texts) + 3
    return min(max(widest, _KIND_WIDTHS[field.kind]), _MAX_WIDTH)


def _comment(field: Field) -> str:
    """The header comment: what the column means, its unit and allowed values."""
    parts = [field.description]
    if field.unit:
        parts.append(f"Unit: {field.unit}.")
    if field.choice is not None:
        parts.append("Choose: " + ", ".join(field.choice.canonical) + ".")
    parts.append("Required." if field.required else "Optional.")
    return "\n".join(parts)


def _comment_size(field: Field) -> dict[str, Any]:
    """Size a header comment box to its text."""
    text = _comment(field)
    lines = sum(1 + len(line) // 40 for line in text.splitlines())
    return {"width": 280, "height": 20 + 15 * lines}


def _validation(field: Field, capabilities: Sequence[str]) -> dict[str, Any] | None:
    """The data validation of a column, or None for free text."""
    title = field.name[:32]
    if field.choice is not None:
        values = list(field.choice.canonical)
        return {
            "validate": "list",
            "source": _list_source(values),
            "input_title": title,
            "input_message": _limit("Choose one: " + ", ".join(values) + "."),
            "error_type": "warning",
            "error_title": "Not one of the listed values",
            "error_message": _limit(
                "Choose one of: " + ", ".join(values) + ". "
                "Choose Yes (or OK) to keep other words: estate reads common synonyms."
            ),
        }
    if field.name == _CAPABILITY:
        if not capabilities:
            return None
        return {
            "validate": "list",
            "source": _GRID.list_reference(_GRID.capability_list_column, len(capabilities)),
            "input_title": title,
            "input_message": "Choose a capability from the list, or type your own words.",
            "error_type": "information",
            "error_title": "Not in the capability list",
            "error_message": "Your own words are fine: estate matches them to the list. "
                             "Choose OK to keep them.",
        }
    if field.kind not in _RULES:
        return None
    validate, criteria, low, high, hint = _RULES[field.kind]
    rule: dict[str, Any] = {"validate": validate, "criteria": criteria}
    if high is None:
        rule["value"] = low
    else:
        rule["minimum"], rule["maximum"] = low, high
    unit = f" Unit: {field.unit}." if field.unit else ""
    return {
        **rule,
        "input_title": title,
        "input_message": _limit(hint + unit),
        "error_type": "warning",
        "error_title": "Please check this value",
        "error_message": _limit(f"Expected {hint[0].lower()}{hint[1:]} "
                                "Choose Yes (or OK) to keep what you typed."),
    }


_FROM_ORGANISATIONS = {
    ("systems", "successor"): ("successor", "Choose the successor authority that takes this system, from the "
                                            "Organisations sheet, when it is not simply its organisation's."),
    ("systems", "shared_with"): ("organisation", "Choose an organisation from the Organisations sheet; type "
                                                 "several separated by ';'."),
}
"""Reorganisation columns whose drop-down lists the Organisations sheet's names or successors."""


def _organisations_validation(table: Table, field: Field) -> dict[str, Any] | None:
    """A drop-down fed by a column of the Organisations sheet, or None.

    A system's ``successor`` offers the successors listed on the
    Organisations sheet, and ``shared_with`` its organisations; other words
    (several names separated by ``;``) are kept with an information message.
    """
    source = _FROM_ORGANISATIONS.get((table.key, field.name))
    if source is None:
        return None
    column, message = source
    c = ORGANISATIONS.names.index(column)
    first = xl_rowcol_to_cell(_GRID.first_data_row, c, row_abs=True, col_abs=True)
    last = xl_rowcol_to_cell(_GRID.last_data_row, c, row_abs=True, col_abs=True)
    return {
        "validate": "list",
        "source": f"={quote_sheetname(ORGANISATIONS.sheet)}!{first}:{last}",
        "input_title": field.name[:32],
        "input_message": _limit(message),
        "error_type": "information",
        "error_title": "Not on the Organisations sheet",
        "error_message": "Several names separated by ';' are fine. Choose OK to keep what you typed.",
    }


def _list_source(values: Sequence[str]) -> list[str]:
    """An inline drop-down list, checked against Excel's limits."""
    if len(",".join(values)) > _INLINE_LIST_LIMIT or any("," in v for v in values):
        raise ValueError(f"choice list too long or with commas for an inline drop-down: {values!r}")
    return list(values)


def _limit(text: str, size: int = 255) -> str:
    """Cut a validation message to Excel's limit."""
    return text if len(text) <= size else text[: size - 1] + "…"


# --- Lists --------------------------------------------------------------------------------


def _write_lists(sheet: Worksheet, styles: _Styles, capabilities: Sequence[str]) -> None:
    """Write the hidden Lists sheet that long drop-downs refer to."""
    column = _GRID.capability_list_column
    sheet.set_column(column, column, _MAX_WIDTH)
    sheet.write_string(_GRID.lists_header_row, column, _CAPABILITY, styles.table_header)
    for offset, name in enumerate(capabilities, start=1):
        sheet.write_string(_GRID.lists_header_row + offset, column, name)
    sheet.hide()
