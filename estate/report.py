"""The validation report: what was read and what is wrong with it.

:func:`validation_tables` gives the report as DataFrames; the command line
prints it with :func:`print_validation` and writes it with
:func:`write_validation_report` (``.xlsx`` or ``.csv``). Text from the inputs
is always written as text: a value starting with ``=``, ``+``, ``-`` or ``@``
never becomes a formula.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from estate.inventory import Inventory
from estate.outputs import MARK_PROPERTY, atomic_write

__all__ = ["print_validation", "validation_tables", "write_validation_report"]

_ISSUE_HEADERS = {"source_file": "Source file", "sheet": "Sheet", "source_row": "Source row", "column": "Column",
                  "severity": "Severity", "problem": "Problem", "value": "Value"}
_SUMMARY_HEADERS = {"organisation": "Organisation", "systems": "Systems", "annual_cost": "Annual cost",
                    "users": "Users", "errors": "Errors", "warnings": "Warnings"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def validation_tables(inventory: Inventory) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The summary per organisation and the issues, with readable headers.

    Examples
    --------
    >>> from estate import Inventory
    >>> summary, issues = validation_tables(Inventory())
    >>> list(summary.columns)
    ['Organisation', 'Systems', 'Annual cost', 'Users', 'Errors', 'Warnings']
    """
    summary = inventory.summary().reset_index().rename(columns=_SUMMARY_HEADERS)
    issues = inventory.issues.rename(columns=_ISSUE_HEADERS)
    return summary, issues


def _money(value: float) -> str:
    return "" if pd.isna(value) else f"£{value:,.0f}"


def print_validation(inventory: Inventory, *, show: int = 40, console=None) -> None:
    """Print the summary and the first ``show`` issues to the terminal."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    if console is None:
        import sys

        # A terminal sets its own width; piped output (logs, CI) gets room for whole lines.
        console = Console(highlight=False, width=None if sys.stdout.isatty() else 200)
    summary, issues = validation_tables(inventory)
    table = Table(title=f"Inventory: {len(inventory.files)} file(s) read", title_justify="left")
    for header in summary.columns:
        table.add_column(header, justify="left" if header == "Organisation" else "right")
    for row in summary.itertuples(index=False):
        table.add_row(escape(str(row[0])), f"{row[1]:,}", _money(row[2]), "" if pd.isna(row[3]) else f"{row[3]:,.0f}",
                      str(row[4]), str(row[5]))
    if len(summary):
        table.add_row("Total", f"{summary['Systems'].sum():,}", _money(summary["Annual cost"].sum()),
                      f"{summary['Users'].sum():,.0f}", str(summary["Errors"].sum()), str(summary["Warnings"].sum()),
                      style="bold")
    console.print(table)

    counts = issues["Severity"].value_counts()
    problems = issues[issues["Severity"].isin(("error", "warning"))]
    if len(problems) and show:
        listing = Table(title="Data issues to fix", title_justify="left")
        for header in ("Source file", "Sheet", "Source row", "Column", "Severity", "Problem", "Value"):
            listing.add_column(header, overflow="fold")
        ordered = problems.assign(_rank=problems["Severity"].map({"error": 0, "warning": 1})).sort_values(
            ["_rank", "Source file", "Sheet", "Source row"], kind="stable")
        for row in ordered.head(show).itertuples(index=False):
            style = {"error": "red", "warning": "yellow"}.get(row[4], "")
            # Text from the inputs may hold rich markup ("[/]"): escaped, it prints as written.
            listing.add_row(*("" if pd.isna(v) else escape(str(v)) for v in row[:7]), style=style)
        console.print(listing)
        if len(problems) > show:
            console.print(f"... and {len(problems) - show:,} more: write them all with --report FILE.xlsx")
    notes = issues[issues["Severity"].eq("info")]
    if len(notes) and show:
        grouped = notes.groupby("Problem", sort=True).agg(rows=("Problem", "size"), files=("Source file", "nunique"))
        table = Table(title="Notes (what was skipped or assumed)", title_justify="left")
        for header, justify in (("Note", "left"), ("Times", "right"), ("Files", "right")):
            table.add_column(header, justify=justify)
        for problem, row in grouped.sort_values(["rows"], ascending=False, kind="stable").iterrows():
            table.add_row(escape(str(problem)), f"{row['rows']:,}", f"{row['files']:,}", style="dim")
        console.print(table)
    console.print(
        f"{len(summary)} organisations, {len(inventory.systems):,} systems, "
        f"{_money(inventory.systems['annual_cost'].sum())} a year; "
        f"{counts.get('error', 0)} errors, {counts.get('warning', 0)} warnings, {counts.get('info', 0)} notes."
    )
    from estate.narrative import counts_in_words

    console.print(counts_in_words(inventory), markup=False, soft_wrap=True)


def _csv_safe(value: object) -> object:
    """Stop a spreadsheet from reading a text cell of a CSV as a formula."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_validation_report(inventory: Inventory, path: str | Path) -> Path:
    """Write the summary and issues to ``path`` (.xlsx: two sheets; .csv: the issues).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from estate import Inventory
    >>> out = write_validation_report(Inventory(), pathlib.Path(tempfile.mkdtemp()) / "report.csv")
    >>> out.read_text(encoding="utf-8-sig").splitlines()[0]
    'Source file,Sheet,Source row,Column,Severity,Problem,Value'
    """
    path = Path(path)
    summary, issues = validation_tables(inventory)
    if path.suffix.lower() == ".csv":
        with atomic_write(path) as temporary:
            issues.map(_csv_safe).to_csv(temporary, index=False, encoding="utf-8-sig")
        return path
    with atomic_write(path) as temporary:
        _write_report_workbook(summary, issues, temporary)
    return path


def _write_report_workbook(summary: pd.DataFrame, issues: pd.DataFrame, path: Path) -> None:
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with pd.ExcelWriter(path, engine="xlsxwriter", engine_kwargs={"options": options}) as writer:
        writer.book.set_custom_property(MARK_PROPERTY, "report")  # never read back as an inventory
        for name, frame in (("Summary", summary), ("Data issues", issues)):
            frame.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes(1, 0)
            sheet.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)
            for j, column in enumerate(frame.columns):
                width = min(60, max(len(column), *(len(str(v)) for v in frame[column].head(500)))) + 2 \
                    if len(frame) else len(column) + 2
                sheet.set_column(j, j, width)
        money = writer.book.add_format({"num_format": "£#,##0"})
        writer.sheets["Summary"].set_column(2, 2, 16, money)
