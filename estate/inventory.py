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

    def _summary(self) -> list[tuple[str, str]]:
        problems = int(self.issues["severity"].isin(("error", "warning")).sum()) if len(self.issues) else 0
        organisations = self.systems["organisation"].nunique() if len(self.systems) else 0
        return [("files", f"{len(self.files):,}"), ("organisations", f"{organisations:,}"),
                ("systems", f"{len(self.systems):,}"), ("contracts", f"{len(self.contracts):,}"),
                ("integrations", f"{len(self.integrations):,}"), ("sites", f"{len(self.sites):,}"),
                ("issues", f"{len(self.issues):,} ({problems:,} to fix)")]

    def __repr__(self) -> str:
        """One line of counts (the tables are attributes).

        Examples
        --------
        >>> Inventory()
        Inventory(files=0, organisations=0, systems=0, contracts=0, integrations=0, sites=0, issues=0 (0 to fix))
        """
        from estate._display import text

        return text("Inventory", self._summary())

    def _repr_html_(self) -> str:
        from estate._display import html

        return html("Inventory", self._summary(), self.systems, "Systems")

    def table(self, key: str) -> pd.DataFrame:
        """The table called ``key`` (one of :data:`estate.schema.TABLES`)."""
        if key not in TABLES:
            raise KeyError(f"no inventory table {key!r}; choose from {', '.join(TABLES)}")
        return getattr(self, key)

    @property
    def has_problems(self) -> bool:
        """Whether any issue is a warning or an error."""
        return bool(self.issues["severity"].isin(("error", "warning")).any())

    def issue_organisations(self) -> pd.Series:
        """The organisation each issue belongs to, aligned with :attr:`issues`.

        An issue belongs to the organisation of the row it is about (a
        Systems, Contracts, Integrations, Sites or Organisations row with the
        same file, sheet and row), so in a combined file with an organisation
        column each row's issues go to that row's organisation. An issue about
        no loaded row (a title row, a row that could not be loaded) goes to the
        file's organisation when the file holds one only; otherwise it is
        missing.

        Examples
        --------
        >>> systems = empty_table("systems").astype(object)
        >>> where = ["source_file", "source_sheet", "source_row", "organisation"]
        >>> systems.loc[0, where] = ["all.csv", "", 2, "Eden"]
        >>> systems.loc[1, where] = ["all.csv", "", 3, "Carlisle"]
        >>> issues = pd.DataFrame({"source_file": ["all.csv", "all.csv"], "sheet": ["", ""], "source_row": [3, 9],
        ...                        "column": ["users", ""], "severity": ["warning", "info"],
        ...                        "problem": ["not a number", "note row"], "value": ["lots", "x"]})
        >>> Inventory(systems=systems, issues=issues).issue_organisations().tolist()
        ['Carlisle', nan]
        """
        issues = self.issues
        frames = []
        for table in (self.systems, self.contracts, self.integrations, self.sites, self.organisations):
            if len(table) and "organisation" in table.columns:
                frames.append(table[["source_file", "source_sheet", "source_row", "organisation"]])
        if not frames or issues.empty:
            return pd.Series([float("nan")] * len(issues), index=issues.index, dtype=object, name="organisation")
        rows = pd.concat(frames, ignore_index=True).dropna(subset=["organisation"])
        rows = rows.astype({"source_file": object, "source_sheet": object}).assign(
            source_row=pd.to_numeric(rows["source_row"], errors="coerce"))
        by_row = rows.drop_duplicates(["source_file", "source_sheet", "source_row"]).set_index(
            ["source_file", "source_sheet", "source_row"])["organisation"]
        keys = pd.MultiIndex.from_arrays([issues["source_file"].astype(object), issues["sheet"].astype(object),
                                          pd.to_numeric(issues["source_row"], errors="coerce")])
        found = pd.Series(by_row.reindex(keys).to_numpy(dtype=object), index=issues.index, dtype=object)
        per_file = rows.groupby("source_file")["organisation"].agg(lambda o: o.iloc[0] if o.nunique() == 1 else None)
        fallback = issues["source_file"].map(per_file)
        out = found.where(found.notna(), fallback).rename("organisation")
        out[out.isna()] = float("nan")
        return out

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
        issues = self.issues.assign(organisation=self.issue_organisations())
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
