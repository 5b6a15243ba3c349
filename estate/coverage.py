"""Coverage: the capabilities each system serves, when it serves several.

A system may serve several capabilities (an ERP running finance, HR and
procurement; CONTRACT §2). It stays **one system with one cost**. This module
is the one home of that convention; matching, overlaps, options and the
workbook all read it from here.

* :func:`match_systems <estate.matching.match_systems>` keeps every
  capability a system serves in ``capability_codes``: the codes joined by
  ``";"``, the primary one (``capability_code``) first, then the others in
  the cell's order, each once. A cell is split on ``;`` and line breaks
  (:func:`split_capabilities`), and a part whose soft-separated pieces are
  each a capability (``"Finance/HR/Payroll"``) serves each of them.
* **Product-known modules** (:func:`product_modules`): a *platform* whose
  catalogue entry in ``estate/data/product_classes.csv`` lists several jobs
  (Oracle E-Business Suite: finance, HR and procurement) serves those of
  them that every organisation has (taxonomy sector ``all``) too, except a
  job for which the same organisation lists another system (that
  organisation evidently runs the job elsewhere, so the module is not what
  it uses). Matching records them in ``module_codes``.
* :func:`served_capabilities` turns the column into one row a system and
  capability, for the tables that count a system under each capability it
  serves. Overlaps and the estate graph share a system's cost equally
  between its capabilities (:func:`shared_pennies`) so that totals across
  capabilities count it once; options count it once per option (see
  ``docs/costing.md``).

Examples
--------
>>> import pandas as pd
>>> split_capabilities("Finance; HR\\nProcurement")
['Finance', 'HR', 'Procurement']
>>> systems = pd.DataFrame({"system_key": ["C/erp", "C/hr", "C/x"], "organisation": ["C", "C", "C"],
...                         "capability_codes": ["CORP-FIN;CORP-HR", "CORP-HR", None]})
>>> served_capabilities(systems)[["system_key", "capability_code", "position", "share"]]
  system_key capability_code  position  share
0      C/erp        CORP-FIN         0    0.5
1      C/erp         CORP-HR         1    0.5
2       C/hr         CORP-HR         0    1.0
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = [
    "CAPABILITY_SEPARATOR",
    "capability_labels",
    "capability_names",
    "codes_of",
    "join_codes",
    "product_modules",
    "served_capabilities",
    "shared_pennies",
    "split_capabilities",
]

CAPABILITY_SEPARATOR = ";"
"""What joins the codes of ``capability_codes`` (and separates capabilities in a cell)."""

_CELL_SPLIT = re.compile(r"\s*(?:;|\r\n|\r|\n)\s*")


def split_capabilities(text: object) -> list[str]:
    """The parts of a capability cell: split on ``;`` and line breaks, blanks dropped.

    Examples
    --------
    >>> split_capabilities("Finance;  HR ;")
    ['Finance', 'HR']
    >>> split_capabilities(None)
    []
    """
    if not isinstance(text, str):
        return []
    return [part for part in _CELL_SPLIT.split(text.strip()) if part]


def codes_of(value: object) -> tuple[str, ...]:
    """The codes of one ``capability_codes`` value (a ``;``-joined string, a sequence, or missing).

    Examples
    --------
    >>> codes_of("CORP-FIN;CORP-HR;CORP-FIN")
    ('CORP-FIN', 'CORP-HR')
    >>> codes_of(float("nan"))
    ()
    """
    if isinstance(value, str):
        parts: Iterable[object] = value.split(CAPABILITY_SEPARATOR)
    elif isinstance(value, (list, tuple, np.ndarray)):
        parts = value
    else:
        return ()
    return tuple(dict.fromkeys(p.strip() for p in parts if isinstance(p, str) and p.strip()))


def join_codes(codes: Iterable[object]) -> str | None:
    """Codes joined by ``;``, each once, in order; None when there is none.

    Examples
    --------
    >>> join_codes(["CORP-FIN", None, "CORP-HR", "CORP-FIN"])
    'CORP-FIN;CORP-HR'
    """
    kept = codes_of([c for c in codes if isinstance(c, str)])
    return CAPABILITY_SEPARATOR.join(kept) if kept else None


def _codes_column(frame: pd.DataFrame) -> pd.Series:
    """``capability_codes`` where given, else ``capability_code`` (one code or missing)."""
    primary = frame["capability_code"] if "capability_code" in frame else pd.Series(None, index=frame.index,
                                                                                    dtype=object)
    if "capability_codes" not in frame:
        return primary.astype(object)
    codes = frame["capability_codes"].astype(object)
    return codes.where(codes.notna(), primary.astype(object))


def served_capabilities(frame: pd.DataFrame) -> pd.DataFrame:
    """One row a system and capability it serves.

    Parameters
    ----------
    frame : DataFrame
        Matched systems: ``system_key``, and ``capability_codes`` or
        ``capability_code`` (a system with neither serves none).

    Returns
    -------
    DataFrame
        ``row`` (the system's position in ``frame``), ``system_key``,
        ``capability_code``, ``position`` (0 for the primary capability) and
        ``share`` (1 / the number of capabilities the system serves: the
        part of its cost a table by capability gives each, so that the
        system's cost adds up once across capabilities). Systems in
        ``frame``'s order, capabilities in the system's order.
    """
    codes = _codes_column(frame)
    text = codes.where(codes.map(lambda v: isinstance(v, str)), None)
    listed = text.str.contains(CAPABILITY_SEPARATOR, regex=False).fillna(False).astype(bool)
    single = text.notna() & ~listed
    many = text.notna() & ~single
    rows = [pd.DataFrame({"row": np.flatnonzero(single.to_numpy()), "capability_code": text[single].to_numpy(object),
                          "position": 0, "n": 1})]
    if many.any():
        parts = [codes_of(v) for v in text[many]]
        lengths = np.array([len(p) for p in parts], dtype=np.int64)
        rows.append(pd.DataFrame({
            "row": np.repeat(np.flatnonzero(many.to_numpy()), lengths),
            "capability_code": np.array([c for p in parts for c in p], dtype=object),
            "position": np.concatenate([np.arange(n) for n in lengths]) if len(lengths) else [],
            "n": np.repeat(lengths, lengths)}))
    out = pd.concat(rows, ignore_index=True).sort_values(["row", "position"], kind="stable")
    out = out.loc[out["n"] > 0].reset_index(drop=True)
    out["system_key"] = frame["system_key"].astype(str).to_numpy(object)[out["row"].to_numpy()]
    out["share"] = 1.0 / out.pop("n").astype(float)
    return out.loc[:, ["row", "system_key", "capability_code", "position", "share"]].astype(
        {"row": np.int64, "position": np.int64})


def shared_pennies(pennies: np.ndarray, served: pd.DataFrame) -> np.ndarray:
    """Each served row's part of its system's cost: equal whole pennies, the remainder to the primary capability.

    Parameters
    ----------
    pennies : ndarray of int64
        The system's cost in pennies, one value a row of ``served``.
    served : DataFrame
        :func:`served_capabilities`' rows (``position`` and ``share``).

    Returns
    -------
    ndarray of int64
        The parts; a system's parts add up to its cost exactly.

    Examples
    --------
    >>> served = served_capabilities(pd.DataFrame({"system_key": ["erp", "hr"], "capability_codes": ["A;B;C", "B"]}))
    >>> shared_pennies(np.array([1001, 500])[served["row"]], served).tolist()
    [335, 333, 333, 500]
    """
    n = np.rint(1.0 / served["share"].to_numpy(dtype=float)).astype("int64")
    cost = np.asarray(pennies, dtype="int64")
    return cost // n + np.where(served["position"].to_numpy() == 0, cost % n, 0)


def capability_labels(frame: pd.DataFrame, names: pd.Series | None = None) -> pd.Series:
    """Every capability a system serves, by name, ``"; "``-joined (its primary first).

    Parameters
    ----------
    frame : DataFrame
        Matched systems (``capability_codes`` or ``capability_code``, and
        ``capability_name`` when present).
    names : Series, optional
        Code → name; by default the packaged taxonomy's (a code it lacks
        is shown as the code).

    Examples
    --------
    >>> frame = pd.DataFrame({"system_key": ["a", "b"], "capability_codes": ["CORP-FIN;CORP-HR", None],
    ...                       "capability_code": ["CORP-FIN", None]})
    >>> capability_labels(frame).tolist()
    ['Finance and ERP; HR and payroll', None]
    """
    if names is None:
        from estate.reference import load_capabilities

        names = load_capabilities().set_index("code")["name"]
    codes = _codes_column(frame)
    out = pd.Series(None, index=frame.index, dtype=object)
    for value in pd.unique(codes[codes.notna()]):  # one join a distinct combination, not a row
        label = "; ".join(str(names.get(c, c)) for c in codes_of(value))
        out[codes == value] = label or None
    return out.where(out.notna(), None)


def capability_names(frame: pd.DataFrame, codes: Iterable[object] | None = None, *,
                     served: pd.DataFrame | None = None) -> pd.Series:
    """Capability code → name: the name the matching gave, else the taxonomy's, else the code.

    Parameters
    ----------
    frame : DataFrame
        Matched systems: ``capability_code`` (the primary capability) and
        ``capability_name`` (the name the matching gave it), and
        ``capability_codes`` when present.
    codes : iterable of str, optional
        The codes to name, in this order; by default every code the systems
        serve (:func:`served_capabilities`) or name, sorted.
    served : DataFrame, optional
        ``served_capabilities(frame)``, when the caller has it already.

    Returns
    -------
    Series
        Names (object dtype) indexed by code. Where the systems give one code
        several names, the alphabetically first, whatever the row order.

    Examples
    --------
    >>> frame = pd.DataFrame({"system_key": ["a", "b", "c"],
    ...                       "capability_code": ["CORP-FIN", "CORP-HR", "CORP-HR"],
    ...                       "capability_name": [None, "People", "HR (ours)"],
    ...                       "capability_codes": ["CORP-FIN;X-LOCAL", "CORP-HR", "CORP-HR"]})
    >>> capability_names(frame).to_dict()
    {'CORP-FIN': 'Finance and ERP', 'CORP-HR': 'HR (ours)', 'X-LOCAL': 'X-LOCAL'}
    """
    from estate.reference import load_capabilities

    primary = frame["capability_code"] if "capability_code" in frame else pd.Series(None, index=frame.index,
                                                                                    dtype=object)
    named = frame["capability_name"] if "capability_name" in frame else pd.Series(None, index=frame.index,
                                                                                  dtype=object)
    known = (primary.notna() & named.notna()).to_numpy()
    given = pd.Series(named.to_numpy(object)[known], dtype=object).groupby(
        primary.to_numpy(object)[known]).min() if known.any() else pd.Series(dtype=object)
    if codes is None:
        if served is None and "system_key" in frame:
            served = served_capabilities(frame)
        serving = served["capability_code"] if served is not None else _codes_column(frame).map(codes_of).explode()
        codes = sorted(set(serving.dropna()) | set(given.index))
    index = pd.Index(list(codes), dtype=object)
    taxonomy = load_capabilities().set_index("code")["name"]
    out = given.reindex(index).fillna(taxonomy.reindex(index))
    return out.fillna(pd.Series(index, index=index)).astype(object)


def product_modules(frame: pd.DataFrame, classes: pd.DataFrame | None = None) -> pd.Series:
    """The capabilities a platform's catalogue modules add to each system, ``;``-joined (None for none).

    A system whose product is a *platform* listed in ``product_classes.csv``
    with several jobs serves each of those jobs it does not already serve
    that every organisation has (a capability of sector ``all`` in the
    taxonomy: finance, HR, procurement, email, video conferencing...; not a
    GP record or housing management, which an organisation may not do at
    all), unless the same organisation lists another system serving it.

    Parameters
    ----------
    frame : DataFrame
        Matched systems: ``system_key``, ``organisation``, ``product_id`` and
        ``capability_codes`` (or ``capability_code``).
    classes : DataFrame, optional
        :func:`estate.fit.load_product_classes` (the packaged file by default).

    Examples
    --------
    >>> frame = pd.DataFrame({"system_key": ["A/erp", "A/hr", "B/erp"], "organisation": ["A", "A", "B"],
    ...                       "product_id": ["oracle-ebs", "itrent", "oracle-ebs"],
    ...                       "capability_code": ["CORP-FIN", "CORP-HR", "CORP-FIN"]})
    >>> product_modules(frame).tolist()
    ['CORP-PROC', None, 'CORP-HR;CORP-PROC']
    """
    from estate.fit import load_product_classes

    from estate.reference import load_capabilities

    table = load_product_classes() if classes is None else classes
    everyone = frozenset(load_capabilities().query("sector == 'all'")["code"])
    suites = table.loc[(table["product_class"] == "platform") & (table["jobs"].map(len) > 1)]
    suites = suites.assign(jobs=suites["jobs"].map(lambda jobs: tuple(j for j in jobs if j in everyone)))
    out = pd.Series(None, index=frame.index, dtype=object)
    if "product_id" not in frame or not len(suites) or not len(frame):
        return out
    jobs = frame["product_id"].map(suites.set_index("product_id")["jobs"])
    has = jobs.notna().to_numpy()
    if not has.any():
        return out
    served = served_capabilities(frame)
    organisation = frame["organisation"].astype(str).to_numpy(object)
    served["organisation"] = organisation[served["row"].to_numpy()]
    # A job the system serves already is not added, nor one another system of its organisation serves (the
    # system itself does not serve it, so any system serving it in the organisation is another one).
    rows, codes = served["row"].tolist(), served["capability_code"].tolist()
    holders = set(zip(organisation[served["row"].to_numpy()].tolist(), codes, strict=True))
    own = set(zip(rows, codes, strict=True))
    values = out.to_numpy(dtype=object, copy=True)  # filled in place: a pandas scalar set is slow a row
    rows_with = np.flatnonzero(has)
    for row, suite_jobs in zip(rows_with.tolist(), jobs.to_numpy(dtype=object)[rows_with].tolist(), strict=True):
        added = [job for job in suite_jobs if (row, job) not in own and (organisation[row], job) not in holders]
        if added:
            values[row] = CAPABILITY_SEPARATOR.join(added)
    out = pd.Series(values, index=frame.index, dtype=object)
    return out.where(out.notna(), None)
