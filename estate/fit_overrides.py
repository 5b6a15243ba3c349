"""The user's word on the fit test: a survivor that may (or may never) take a system's work.

The fit rules (:mod:`estate.fit`) are a reading of product classes, jobs,
sectors and scale; a consultant who knows the systems sometimes knows better
("this council's Spend module already runs its ledger", "never move the
coroner's case files onto the county's platform"). A *fit overrides* file says
so, one row a decision::

    retired,survivor,decision,reason
    Eden District Council: Financials,Spend Manager,allow,Eden's ledger already runs on it since 2024
    Spend Manager,Unit4 ERP,forbid,The spend tool's audit trail is a statutory record

``retired`` and ``survivor`` each name a system, as ``Organisation: System``
or by its system name alone (every organisation's system of that name), or a
product (its catalogue id, such as ``unit4-erp``, or its name): every system of
that product. Names are read ignoring case and repeated spaces. ``decision``
is ``allow`` or ``forbid``; ``reason`` says why, and is required (it is what
the option's rationale and the workbook's ``Fit overrides`` sheet quote).

An **allowed** pair is consolidated even when :func:`estate.fit.fits` says
no: the option retiring the system onto that survivor is generated, and its
rationale says *fits by the user's override: <reason>*. A **forbidden** pair
is never consolidated, even when the rules let it (the system is left
running, and the rationale says why). Where rows disagree on a pair,
``forbid`` wins. An override decides the fit of a pair that an option brings
together (a survivor and a system of the same capability in one group of
organisations); it does not make new groupings, and a survivor still takes at
most ``max_survivor_scale`` times its own users.

Why a file of its own and not more columns of the ``--mapping`` file: the
mapping says what a *row of text* is (``raw_text`` to product, vendor,
capability), one row a name, before anything is grouped; an override says
whether *one system may take another's work*, a relation between two systems
read after matching. Mixing them would give half the mapping's rows two blank
columns and the other half a blank ``raw_text``.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "fit.csv").write_text(
...     "retired,survivor,decision,reason\\nA: Ledger,Spend,allow,runs it already\\n")
>>> read_fit_overrides(folder / "fit.csv")[["retired", "survivor", "decision", "source_row"]].values.tolist()
[['A: Ledger', 'Spend', 'allow', 2]]
>>> systems = pd.DataFrame({"system_key": ["A/1", "B/1"], "organisation": ["A", "B"],
...                         "system": ["Ledger", "Spend"], "product_id": ["unit4-erp", "unlisted:spend"],
...                         "product_name": ["Unit4 ERP", "Spend"]})
>>> resolve_fit_overrides(read_fit_overrides(folder / "fit.csv"), systems)[["system_key", "target", "decision"]]
  system_key target decision
0        A/1    B/1    allow
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from estate.errors import InputFileError, ParameterError

__all__ = [
    "FIT_DECISIONS",
    "FIT_OVERRIDE_COLUMNS",
    "FIT_OVERRIDE_SHEET",
    "check_fit_overrides",
    "read_fit_overrides",
    "resolve_fit_overrides",
]

FIT_OVERRIDE_COLUMNS = ("retired", "survivor", "decision", "reason")
"""Columns of a fit overrides file."""

FIT_DECISIONS = ("allow", "forbid")
"""What an override decides of a (retired, survivor) pair."""

FIT_OVERRIDE_SHEET = "Fit overrides"
"""The plan workbook's sheet of the overrides used, read back by a re-plan from the workbook."""

_HEADERS = {"retired": "Retired", "survivor": "Survivor", "decision": "Decision", "reason": "Reason"}
_SPACES = re.compile(r"\s+")


def _fold(values: pd.Series) -> pd.Series:
    """Names as compared: lower case, spaces collapsed, trimmed."""
    return values.astype(object).map(lambda v: _SPACES.sub(" ", v).strip().casefold() if isinstance(v, str) else "")


def read_fit_overrides(path: str | Path) -> pd.DataFrame:
    """Read a fit overrides CSV, or the ``Fit overrides`` sheet of an earlier plan workbook.

    Parameters
    ----------
    path : str or Path
        A CSV (UTF-8) with the columns :data:`FIT_OVERRIDE_COLUMNS`, or a
        plan workbook (``.xlsx``/``.xlsm``) whose :data:`FIT_OVERRIDE_SHEET`
        sheet lists them (a workbook without that sheet has none).

    Returns
    -------
    DataFrame
        :data:`FIT_OVERRIDE_COLUMNS` plus ``source_file`` and ``source_row``
        (the row a spreadsheet application shows: 2 is the first under the
        header), ``decision`` in lower case.

    Raises
    ------
    InputFileError
        One line naming the file, row and column: a missing column, a blank
        name or reason, or a decision that is not ``allow`` or ``forbid``.
    """
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        table = _read_sheet(path)
    else:
        from estate.safety import read_text_csv

        table = read_text_csv(path, "a CSV of fit overrides")
    table.columns = [str(c).strip().lower() for c in table.columns]
    return _checked(table, path.name, lambda problem: InputFileError(path, problem))


def _read_sheet(path: Path) -> pd.DataFrame:
    from python_calamine import CalamineWorkbook

    if not path.is_file():
        raise InputFileError(path, "no such file")
    try:
        book = CalamineWorkbook.from_path(str(path))
        if FIT_OVERRIDE_SHEET not in book.sheet_names:
            return pd.DataFrame({c: pd.Series(dtype=str) for c in FIT_OVERRIDE_COLUMNS})
        rows = book.get_sheet_by_name(FIT_OVERRIDE_SHEET).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own types for a corrupt file
        raise InputFileError(path, f"cannot be read as a plan workbook ({type(exc).__name__})") from None
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=str) for c in FIT_OVERRIDE_COLUMNS})
    header = [str(c) for c in rows[0]]
    body = [["" if v is None else str(v) for v in row] for row in rows[1:] if any(v not in ("", None) for v in row)]
    return pd.DataFrame(body, columns=header, dtype=object)


def check_fit_overrides(overrides: pd.DataFrame, *, source: str = "fit overrides") -> pd.DataFrame:
    """Check overrides given as a DataFrame (as :func:`read_fit_overrides` checks a file).

    Raises
    ------
    ParameterError
        One line naming ``source``, the row (2 is the first, as in a file)
        and the column.

    Examples
    --------
    >>> check_fit_overrides(pd.DataFrame({"retired": ["X"], "survivor": ["Y"], "decision": ["maybe"],
    ...                                   "reason": ["?"]}))
    Traceback (most recent call last):
    ...
    estate.errors.ParameterError: fit overrides, row 2, column 'decision': 'maybe' is not allow or forbid
    """
    if not isinstance(overrides, pd.DataFrame):
        raise ParameterError(f"The fit overrides must be a DataFrame with columns {', '.join(FIT_OVERRIDE_COLUMNS)}"
                             f" or a path. Got {type(overrides).__name__} instead.")
    table = overrides.rename(columns=lambda c: str(c).strip().lower())
    if "source_row" in table and "source_file" in table:
        return _checked(table, source, ParameterError)
    return _checked(table.astype(object).where(table.notna(), ""), source,
                    lambda problem: ParameterError(f"{source}, {problem}"))


def _checked(table: pd.DataFrame, name: str, fail) -> pd.DataFrame:
    missing = [c for c in FIT_OVERRIDE_COLUMNS if c not in table.columns]
    if missing:
        raise fail(f"needs the columns {', '.join(FIT_OVERRIDE_COLUMNS)}; missing {', '.join(missing)}")
    rows = table["source_row"].astype(int).to_numpy() if "source_row" in table else range(2, len(table) + 2)
    out = table.loc[:, list(FIT_OVERRIDE_COLUMNS)].astype(str).apply(lambda column: column.str.strip())
    out = out.reset_index(drop=True)
    out["decision"] = out["decision"].str.lower()
    out["source_file"] = table["source_file"].astype(str).to_numpy() if "source_file" in table else name
    out["source_row"] = pd.array(list(rows), dtype="int64")
    blank = out.loc[:, list(FIT_OVERRIDE_COLUMNS)].eq("")
    wrong = ~out["decision"].isin(FIT_DECISIONS) & ~blank["decision"]
    for i in range(len(out)):
        for column in FIT_OVERRIDE_COLUMNS:
            if blank.at[i, column]:
                raise fail(f"row {out.at[i, 'source_row']}, column {column!r}: blank")
        if wrong.iat[i]:
            raise fail(f"row {out.at[i, 'source_row']}, column 'decision': {table['decision'].iat[i].strip()!r} "
                       f"is not allow or forbid")
    return out


def resolve_fit_overrides(overrides: pd.DataFrame, systems: pd.DataFrame) -> pd.DataFrame:
    """The (retired system, survivor system) pairs the overrides decide, one row a pair.

    Parameters
    ----------
    overrides : DataFrame
        From :func:`read_fit_overrides` or :func:`check_fit_overrides`.
    systems : DataFrame
        ``system_key``, ``organisation``, ``system``, ``product_id`` and
        ``product_name`` of the systems (the matched inventory).

    Returns
    -------
    DataFrame
        ``system_key`` (retired), ``target`` (survivor), ``decision``,
        ``reason``, ``source_row``: a pair two rows decide takes ``forbid``
        if either forbids it, else the first row's reason. A system is never
        paired with itself.

    Raises
    ------
    InputFileError or ParameterError
        A name that is no system or product of the inventory: one line naming
        the file, row and column.
    """
    columns = ["system_key", "target", "decision", "reason", "source_row"]
    if overrides is None or not len(overrides):
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    names = pd.DataFrame({"system_key": systems["system_key"].astype(str).to_numpy()})
    organisation = _fold(systems["organisation"]).to_numpy()
    system = _fold(systems["system"] if "system" in systems else systems["system_key"]).to_numpy()
    keys = pd.concat([
        pd.DataFrame({"name": organisation + ": " + system, "system_key": names["system_key"]}),
        pd.DataFrame({"name": system, "system_key": names["system_key"]}),
        *[pd.DataFrame({"name": _fold(systems[c]).to_numpy(), "system_key": names["system_key"]})
          for c in ("product_id", "product_name") if c in systems],
    ], ignore_index=True)
    keys = keys.loc[keys["name"].ne("")].drop_duplicates()
    sides = {}
    for side in ("retired", "survivor"):
        named = pd.DataFrame({"i": range(len(overrides)), "name": _fold(overrides[side]).to_numpy()})
        found = named.merge(keys, on="name", how="left")
        unknown = found.loc[found["system_key"].isna()]
        if len(unknown):
            i = int(unknown["i"].iloc[0])
            row = overrides.iloc[i]
            problem = (f"row {row['source_row']}, column {side!r}: {row[side]!r} names no system "
                       f"(Organisation: System, or a system name) or product of the inventory")
            source = str(row["source_file"])
            if source.lower().endswith((".csv", ".xlsx", ".xlsm", ".txt")):
                raise InputFileError(source, problem)
            raise ParameterError(f"{source}, {problem}")
        sides[side] = found.loc[:, ["i", "system_key"]]
    pairs = sides["retired"].merge(sides["survivor"].rename(columns={"system_key": "target"}), on="i")
    pairs = pairs.loc[pairs["system_key"] != pairs["target"]]
    detail = overrides.loc[:, ["decision", "reason", "source_row"]].reset_index(drop=True)
    pairs = pairs.join(detail, on="i")
    # forbid first, then the file's order: the first row of each pair decides it.
    pairs = pairs.assign(_forbid=pairs["decision"].ne("forbid")).sort_values(["_forbid", "i"], kind="stable")
    pairs = pairs.drop_duplicates(["system_key", "target"]).sort_values(["system_key", "target"], kind="stable")
    return pairs.loc[:, columns].reset_index(drop=True)
