"""The inventory: what was read from the organisations' spreadsheets.

An :class:`Inventory` holds one DataFrame per table of :mod:`estate.schema`
(``organisations``, ``systems``, ``contracts``, ``integrations``, ``sites``)
and one of data issues. It is what :func:`estate.read_inventory` returns and
what every later step reads; nothing later changes it.

Conventions
-----------
* Every table row carries where it came from: ``source_file`` (the file name,
  without folders), ``source_sheet`` (the sheet; ``""`` for a CSV) and
  ``source_row`` (the row number a spreadsheet application shows; in a CSV its
  line number).
* Columns are the canonical names of the schema, parsed to their kind (money,
  counts and months as ``float64``, dates as ``datetime64[ns]``), followed by
  any columns the reader could not map, named ``extra: <header as written>``.
* ``systems`` also has ``system_key``, unique across the inventory and the same
  whatever the order of rows or files: the organisation and the system's id (or
  its name), with ``#2``, ``#3``... for repeats.
* ``issues`` has the columns of :data:`ISSUE_COLUMNS`. Severity is one of
  :data:`SEVERITIES`: ``error`` means the row could not be loaded at all and is
  not in its table (it is reported here instead, so every data row is in
  exactly one place); ``warning`` means a value was unreadable or doubtful and
  the row was kept; ``info`` records what the reader skipped or assumed (title,
  note and totals rows, header mappings).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from estate.schema import TABLES

__all__ = ["DERIVED_COLUMNS", "ISSUE_COLUMNS", "Inventory", "SEVERITIES", "SOURCE_COLUMNS", "empty_issues", "empty_table"]

SOURCE_COLUMNS = ("source_file", "source_sheet", "source_row")
"""Where a row came from: first columns of every table."""

ISSUE_COLUMNS = ("source_file", "sheet", "source_row", "column", "severity", "problem", "value")
"""Columns of :attr:`Inventory.issues`."""

SEVERITIES = ("error", "warning", "info")
DERIVED_COLUMNS = {
    "systems": ("system_key", "site_key"),
    "contracts": ("system_key",),
    "integrations": ("source_key", "target_key", "listed_in"),
    "sites": ("site_key",),
}
"""Columns the reader adds to each table after the schema's: the keys that link tables."""
"""Data issue severities, worst first."""

_KIND_DTYPES = {
    "money": "float64",
    "count": "float64",
    "months": "float64",
    "percent": "float64",
    "date": "datetime64[ns]",
}


def empty_table(key: str) -> pd.DataFrame:
    """An empty DataFrame with the columns and dtypes of table ``key``.

    Examples
    --------
    >>> list(empty_table("sites").columns)[:5]
    ['source_file', 'source_sheet', 'source_row', 'organisation', 'site']
    """
    table = TABLES[key]
    columns: dict[str, pd.Series] = {
        "source_file": pd.Series(dtype="object"),
        "source_sheet": pd.Series(dtype="object"),
        "source_row": pd.Series(dtype="int64"),
    }
    for column in table.fields:
        columns[column.name] = pd.Series(dtype=_KIND_DTYPES.get(column.kind, "object"))
    for name in DERIVED_COLUMNS.get(key, ()):
        columns[name] = pd.Series(dtype="object")
    return pd.DataFrame(columns)


def empty_issues() -> pd.DataFrame:
    """An empty issues DataFrame."""
    frame = pd.DataFrame({c: pd.Series(dtype="object") for c in ISSUE_COLUMNS})
    frame["source_row"] = frame["source_row"].astype("Int64")
    return frame


def dtype_for(kind: str) -> str:
    """The pandas dtype a parsed column of ``kind`` has."""
    return _KIND_DTYPES.get(kind, "object")


@dataclass(frozen=True)
class Inventory:
    """Everything read from a set of inventory files.

    Attributes
    ----------
    organisations, systems, contracts, integrations, sites : DataFrame
        One row a data row read, with the columns of :mod:`estate.schema`.
    issues : DataFrame
        Data issues, with the columns of :data:`ISSUE_COLUMNS`.
    files : tuple of str
        The files read, by name, sorted.
    """

    organisations: pd.DataFrame = field(default_factory=lambda: empty_table("organisations"))
    systems: pd.DataFrame = field(default_factory=lambda: empty_table("systems"))
    contracts: pd.DataFrame = field(default_factory=lambda: empty_table("contracts"))
    integrations: pd.DataFrame = field(default_factory=lambda: empty_table("integrations"))
    sites: pd.DataFrame = field(default_factory=lambda: empty_table("sites"))
    issues: pd.DataFrame = field(default_factory=empty_issues)
    files: tuple[str, ...] = ()

    def table(self, key: str) -> pd.DataFrame:
        """The table called ``key`` (one of :data:`estate.schema.TABLES`)."""
        if key not in TABLES:
            raise KeyError(f"no inventory table {key!r}; choose from {', '.join(TABLES)}")
        return getattr(self, key)

    @property
    def has_problems(self) -> bool:
        """Whether any issue is a warning or an error."""
        return bool(self.issues["severity"].isin(("error", "warning")).any())

    def summary(self) -> pd.DataFrame:
        """Systems, annual cost, users and issues per organisation.

        Returns
        -------
        DataFrame
            Indexed by organisation, sorted by name, with columns ``systems``,
            ``annual_cost``, ``users``, ``errors``, ``warnings``.
        """
        systems = self.systems
        by_org = systems.groupby("organisation", dropna=False).agg(
            systems=("system", "size"), annual_cost=("annual_cost", "sum"), users=("users", "sum")
        )
        # Issues belong to an organisation through the file they came from.
        file_org = systems.drop_duplicates("source_file").set_index("source_file")["organisation"]
        issues = self.issues.assign(organisation=self.issues["source_file"].map(file_org))
        counts = (
            issues[issues["severity"].isin(("error", "warning"))]
            .pivot_table(index="organisation", columns="severity", values="problem", aggfunc="size", fill_value=0)
            .reindex(columns=["error", "warning"], fill_value=0)
            .rename(columns={"error": "errors", "warning": "warnings"})
        )
        out = by_org.join(counts, how="outer").fillna({"systems": 0, "errors": 0, "warnings": 0})
        for column in ("systems", "errors", "warnings"):
            out[column] = out[column].astype("int64")
        out.index.name = "organisation"
        return out.sort_index()
