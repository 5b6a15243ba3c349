"""Reference data: the capability taxonomy, the vendor list and the product catalogue.

Three CSV files ship inside the package, in ``estate/data`` (their columns and
sources are described in ``estate/data/README.md``):

``capabilities.csv``
    One capability a row: the LGA/ESD council function list (codes ``ESD-<id>``)
    beside cross-cutting (``XC``), corporate (``CORP``), NHS (``NHS``), police
    (``POL``), fire (``FIRE``), housing (``HSG``) and extra council (``LG``)
    capabilities. Each row names its ``parent``; sector roots have none.
``vendors.csv``
    One supplier a row with its aliases, former names and, when it was bought
    and no longer trades under its own name, the vendor that ``acquired_by`` it.
``catalogue.csv``
    One product a row: its current vendor, its aliases and its default
    capability.

Lists inside a cell (``synonyms``, ``aliases``, ``former_names``) are separated
by ``|``. The loaders return them as tuples.

Names are compared after :func:`estate.schema.normalise_header` (lower case,
letters and digits only, ``&`` read as ``and``), so ``"Revs & Bens"`` and
``"revs and bens"`` are one key. A key never points at two entries: the
loaders refuse a file where it would, because matching must not guess.
The only exception is a *name* two capabilities share (the ESD list has two
"Democratic services" and two "Utilites"); such a name is left out of
:func:`capability_lookup` rather than resolved to either.

Every loader takes ``path=None`` for the packaged file, or the path of a CSV
with the same columns (extra columns are kept). A user file is checked like
the packaged one and a problem raises :class:`~estate.errors.ParameterError`
with a one-line message naming the file, the row as a spreadsheet shows it
(the header is row 1) and the column.

Examples
--------
>>> caps = load_capabilities()
>>> caps.loc[caps["code"] == "ESD-3", ["name", "parent"]].values.tolist()
[['Benefits', 'ESD-1']]
>>> capability_lookup()[normalise_header("revs & bens")]
'LG-REVBEN'
>>> alias_lookup()[normalise_header("Agresso")]
'unit4-erp'
>>> vendor_lookup()[normalise_header("Northgate Public Services")]
'NEC Software Solutions'
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import pandas as pd

from estate.errors import ParameterError
from estate.schema import normalise_header

__all__ = [
    "alias_lookup",
    "capability_lookup",
    "load_capabilities",
    "load_catalogue",
    "load_vendors",
    "vendor_lookup",
]

PathLike = str | Path

_CAPABILITY_COLUMNS = ("code", "name", "parent", "sector", "synonyms", "description")
_VENDOR_COLUMNS = ("vendor", "aliases", "former_names", "acquired_by", "country", "notes")
_CATALOGUE_COLUMNS = ("product_id", "product", "vendor", "aliases", "capability", "notes")
_LIST_COLUMNS = {
    "capabilities.csv": ("synonyms",),
    "vendors.csv": ("aliases", "former_names"),
    "catalogue.csv": ("aliases",),
}
_SEPARATOR = "|"
_FIRST_DATA_ROW = 2  # the header is row 1, as a spreadsheet numbers rows


# --------------------------------------------------------------------------- reading


def _problem(file_name: str, row: int | None, column: str, message: str) -> ParameterError:
    """Build the one-line error for a bad reference file."""
    where = f"{file_name}, row {row}" if row is not None else file_name
    return ParameterError(f"{where}, column '{column}': {message}")


def _split(cell: str) -> tuple[str, ...]:
    """Split a ``|``-separated cell into trimmed, non-empty items."""
    return tuple(item.strip() for item in cell.split(_SEPARATOR) if item.strip())


def _read(path: PathLike | None, packaged: str, columns: tuple[str, ...]) -> tuple[pd.DataFrame, str]:
    """Read a reference CSV as text, check its header and split its list cells."""
    if path is None:
        source = resources.files("estate") / "data" / packaged
        file_name = packaged
        opener = source.open("r", encoding="utf-8")
    else:
        file_name = Path(path).name
        try:
            opener = open(path, encoding="utf-8-sig", newline="")
        except OSError as error:
            raise ParameterError(f"{file_name}: cannot be opened ({error.strerror or error}).") from None
    try:
        with opener as handle:
            frame = pd.read_csv(handle, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        message = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise ParameterError(f"{file_name}: not a readable CSV file ({message}).") from None
    frame.columns = [str(column).strip() for column in frame.columns]
    for column in columns:
        if column not in frame.columns:
            expected = ", ".join(columns)
            raise _problem(file_name, 1, column,
                           f"the column is missing; the header must hold {expected}.")
    extra = [column for column in frame.columns if column not in columns]
    frame = frame[list(columns) + extra].copy()
    for column in frame.columns:
        frame[column] = frame[column].map(lambda value: str(value).strip())
    for column in _LIST_COLUMNS[packaged]:
        frame[column] = frame[column].map(_split)
    return frame.reset_index(drop=True), file_name


def _require(frame: pd.DataFrame, file_name: str, column: str) -> None:
    """Refuse an empty cell in a required column."""
    for index, value in frame[column].items():
        if not value:
            raise _problem(file_name, index + _FIRST_DATA_ROW, column,
                           "the cell is empty; every row needs a value here.")


def _require_unique(frame: pd.DataFrame, file_name: str, column: str) -> None:
    """Refuse a value that repeats an earlier row's value in ``column``."""
    first: dict[str, int] = {}
    for index, value in frame[column].items():
        row = index + _FIRST_DATA_ROW
        if value in first:
            raise _problem(file_name, row, column,
                           f"'{value}' repeats row {first[value]}; each value must be unique.")
        first[value] = row


def _claim_keys(
    owners: dict[str, tuple[str, int]],
    names: Iterable[str],
    owner: str,
    *,
    file_name: str,
    row: int,
    column: str,
    kind: str,
) -> None:
    """Record normalised keys for ``owner``, refusing one another row already holds."""
    for name in names:
        key = normalise_header(name)
        if not key:
            continue
        held = owners.get(key)
        if held is not None and held[0] != owner:
            raise _problem(file_name, row, column,
                           f"'{name}' is also a {kind} of '{held[0]}' (row {held[1]}); "
                           "a name may point at one entry only, so remove or reword one.")
        owners[key] = (owner, row)


# --------------------------------------------------------------------------- validation


def _validate_capabilities(frame: pd.DataFrame, file_name: str) -> None:
    """Check codes, parents and synonym uniqueness of a capability table."""
    for column in ("code", "name", "sector"):
        _require(frame, file_name, column)
    _require_unique(frame, file_name, "code")
    codes = set(frame["code"])
    parents = dict(zip(frame["code"], frame["parent"]))
    for index, row in frame.iterrows():
        line = index + _FIRST_DATA_ROW
        if row["parent"] and row["parent"] not in codes:
            raise _problem(file_name, line, "parent",
                           f"'{row['parent']}' is not a code in the file; add that capability "
                           "or leave the parent empty for a sector root.")
        seen = {row["code"]}
        parent = row["parent"]
        while parent:
            if parent in seen:
                raise _problem(file_name, line, "parent",
                               f"the parents of '{row['code']}' loop back on themselves.")
            seen.add(parent)
            parent = parents[parent]
    names: dict[str, set[str]] = {}
    for code, name in zip(frame["code"], frame["name"]):
        names.setdefault(normalise_header(name), set()).add(code)
    owners: dict[str, tuple[str, int]] = {}
    for index, row in frame.iterrows():
        line = index + _FIRST_DATA_ROW
        _claim_keys(owners, (row["code"],), row["code"], file_name=file_name, row=line,
                    column="code", kind="code or synonym")
        _claim_keys(owners, row["synonyms"], row["code"], file_name=file_name, row=line,
                    column="synonyms", kind="code or synonym")
        for synonym in row["synonyms"]:
            other = names.get(normalise_header(synonym), set()) - {row["code"]}
            if other:
                raise _problem(file_name, line, "synonyms",
                               f"'{synonym}' is the name of '{sorted(other)[0]}'; "
                               "a synonym may not repeat another capability's name.")


def _validate_vendors(frame: pd.DataFrame, file_name: str) -> None:
    """Check names, acquisitions and alias uniqueness of a vendor table."""
    _require(frame, file_name, "vendor")
    _require_unique(frame, file_name, "vendor")
    vendors = set(frame["vendor"])
    acquirer = dict(zip(frame["vendor"], frame["acquired_by"]))
    owners: dict[str, tuple[str, int]] = {}
    for index, row in frame.iterrows():
        line = index + _FIRST_DATA_ROW
        if row["acquired_by"]:
            if row["acquired_by"] not in vendors:
                raise _problem(file_name, line, "acquired_by",
                               f"'{row['acquired_by']}' is not a vendor in the file; add a row "
                               "for it or correct the name.")
            seen = {row["vendor"]}
            buyer = row["acquired_by"]
            while buyer:
                if buyer in seen:
                    raise _problem(file_name, line, "acquired_by",
                                   f"the acquisitions of '{row['vendor']}' loop back on themselves.")
                seen.add(buyer)
                buyer = acquirer[buyer]
        for column, names in (("vendor", (row["vendor"],)), ("aliases", row["aliases"]),
                              ("former_names", row["former_names"])):
            _claim_keys(owners, names, row["vendor"], file_name=file_name, row=line,
                        column=column, kind="name, alias or former name")


def _validate_catalogue(
    frame: pd.DataFrame, file_name: str, codes: set[str], vendors: set[str]
) -> None:
    """Check ids, vendors, capabilities and alias uniqueness of a catalogue."""
    for column in ("product_id", "product", "vendor", "capability"):
        _require(frame, file_name, column)
    _require_unique(frame, file_name, "product_id")
    owners: dict[str, tuple[str, int]] = {}
    for index, row in frame.iterrows():
        line = index + _FIRST_DATA_ROW
        if row["vendor"] not in vendors:
            raise _problem(file_name, line, "vendor",
                           f"'{row['vendor']}' is not a vendor in the vendor list; use the "
                           "vendor's name as vendors.csv writes it, or add the vendor.")
        if row["capability"] not in codes:
            raise _problem(file_name, line, "capability",
                           f"'{row['capability']}' is not a capability code; use a code from "
                           "capabilities.csv, or add the capability.")
        for column, names in (("product", (row["product"],)), ("aliases", row["aliases"])):
            _claim_keys(owners, names, row["product_id"], file_name=file_name, row=line,
                        column=column, kind="name or alias")


# --------------------------------------------------------------------------- loaders


def _capabilities(path: PathLike | None) -> pd.DataFrame:
    frame, file_name = _read(path, "capabilities.csv", _CAPABILITY_COLUMNS)
    _validate_capabilities(frame, file_name)
    return frame


def _vendors(path: PathLike | None) -> pd.DataFrame:
    frame, file_name = _read(path, "vendors.csv", _VENDOR_COLUMNS)
    _validate_vendors(frame, file_name)
    return frame


def _catalogue(
    path: PathLike | None, capabilities: PathLike | None, vendors: PathLike | None
) -> pd.DataFrame:
    codes = set(_cached_capabilities()["code"] if capabilities is None
                else _capabilities(capabilities)["code"])
    names = set(_cached_vendors()["vendor"] if vendors is None else _vendors(vendors)["vendor"])
    frame, file_name = _read(path, "catalogue.csv", _CATALOGUE_COLUMNS)
    _validate_catalogue(frame, file_name, codes, names)
    return frame


@functools.lru_cache(maxsize=1)
def _cached_capabilities() -> pd.DataFrame:
    return _capabilities(None)


@functools.lru_cache(maxsize=1)
def _cached_vendors() -> pd.DataFrame:
    return _vendors(None)


@functools.lru_cache(maxsize=1)
def _cached_catalogue() -> pd.DataFrame:
    return _catalogue(None, None, None)


def load_capabilities(path: PathLike | None = None) -> pd.DataFrame:
    """Load the capability taxonomy.

    Parameters
    ----------
    path : str or Path, optional
        A CSV with the columns of the packaged ``capabilities.csv``. By default
        the packaged file is read (once, then served from a cache).

    Returns
    -------
    DataFrame
        Columns ``code``, ``name``, ``parent`` (empty for a sector root),
        ``sector``, ``synonyms`` (a tuple of str) and ``description``, then any
        extra columns of the file. A fresh copy on every call.

    Raises
    ------
    ParameterError
        The file cannot be read, lacks a column, repeats a code, names a
        parent that is not in it, or gives a synonym that belongs to another
        capability.

    Examples
    --------
    >>> caps = load_capabilities()
    >>> caps.loc[caps["parent"] == "", "code"].tolist()
    ['ESD', 'LG', 'XC', 'CORP', 'NHS', 'POL', 'FIRE', 'HSG']
    >>> "council tax" in caps.set_index("code").at["LG-REVBEN", "synonyms"]
    True
    """
    if path is None:
        return _cached_capabilities().copy()
    return _capabilities(path)


def load_vendors(path: PathLike | None = None) -> pd.DataFrame:
    """Load the vendor list.

    Parameters
    ----------
    path : str or Path, optional
        A CSV with the columns of the packaged ``vendors.csv``. By default the
        packaged file is read (once, then served from a cache).

    Returns
    -------
    DataFrame
        Columns ``vendor``, ``aliases`` and ``former_names`` (tuples of str),
        ``acquired_by`` (empty while the vendor trades under its own name),
        ``country`` (ISO 3166 alpha-2) and ``notes``, then any extra columns.
        A fresh copy on every call.

    Raises
    ------
    ParameterError
        The file cannot be read, lacks a column, repeats a vendor, names an
        acquirer that is not in it, or gives one name to two vendors.

    Examples
    --------
    >>> vendors = load_vendors().set_index("vendor")
    >>> vendors.at["Servelec", "acquired_by"]
    'The Access Group'
    >>> "Cerner" in vendors.at["Oracle Health", "former_names"]
    True
    """
    if path is None:
        return _cached_vendors().copy()
    return _vendors(path)


def load_catalogue(
    path: PathLike | None = None,
    *,
    capabilities: PathLike | None = None,
    vendors: PathLike | None = None,
) -> pd.DataFrame:
    """Load the product catalogue.

    Parameters
    ----------
    path : str or Path, optional
        A CSV with the columns of the packaged ``catalogue.csv``. By default
        the packaged file is read (once, then served from a cache).
    capabilities : str or Path, optional
        The capability file the catalogue's ``capability`` codes must come
        from; by default the packaged one.
    vendors : str or Path, optional
        The vendor file the catalogue's ``vendor`` names must come from; by
        default the packaged one.

    Returns
    -------
    DataFrame
        Columns ``product_id``, ``product``, ``vendor`` (the current vendor),
        ``aliases`` (a tuple of str), ``capability`` (the product's default
        capability code) and ``notes``, then any extra columns. A fresh copy
        on every call.

    Raises
    ------
    ParameterError
        The file cannot be read, lacks a column, repeats a product id, names
        an unknown vendor or capability, or gives one alias to two products.

    Examples
    --------
    >>> catalogue = load_catalogue().set_index("product_id")
    >>> catalogue.loc["unit4-erp", ["product", "vendor", "capability"]].tolist()
    ['Unit4 ERP', 'Unit4', 'CORP-FIN']
    >>> catalogue.at["nec-assure", "aliases"][:2]
    ('Northgate M3', 'M3')
    """
    if path is None and capabilities is None and vendors is None:
        return _cached_catalogue().copy()
    return _catalogue(path, capabilities, vendors)


# --------------------------------------------------------------------------- lookups


def _capability_keys(frame: pd.DataFrame) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for code, synonyms in zip(frame["code"], frame["synonyms"]):
        for name in (code, *synonyms):
            lookup[normalise_header(name)] = code
    names: dict[str, set[str]] = {}
    for code, name in zip(frame["code"], frame["name"]):
        names.setdefault(normalise_header(name), set()).add(code)
    for key, codes in names.items():
        if len(codes) == 1 and key:
            lookup.setdefault(key, next(iter(codes)))
    lookup.pop("", None)
    return lookup


def _vendor_keys(frame: pd.DataFrame) -> dict[str, str]:
    acquirer = dict(zip(frame["vendor"], frame["acquired_by"]))

    def current(vendor: str) -> str:
        while acquirer[vendor]:
            vendor = acquirer[vendor]
        return vendor

    lookup: dict[str, str] = {}
    for vendor, aliases, former in zip(frame["vendor"], frame["aliases"], frame["former_names"]):
        for name in (vendor, *aliases, *former):
            lookup[normalise_header(name)] = current(vendor)
    lookup.pop("", None)
    return lookup


def _alias_keys(frame: pd.DataFrame) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for product_id, product, aliases in zip(frame["product_id"], frame["product"], frame["aliases"]):
        for name in (product, *aliases):
            lookup[normalise_header(name)] = product_id
    lookup.pop("", None)
    return lookup


@functools.lru_cache(maxsize=1)
def _cached_capability_keys() -> dict[str, str]:
    return _capability_keys(_cached_capabilities())


@functools.lru_cache(maxsize=1)
def _cached_vendor_keys() -> dict[str, str]:
    return _vendor_keys(_cached_vendors())


@functools.lru_cache(maxsize=1)
def _cached_alias_keys() -> dict[str, str]:
    return _alias_keys(_cached_catalogue())


def capability_lookup(path: PathLike | None = None) -> dict[str, str]:
    """Map each normalised capability code, name and synonym to its code.

    Parameters
    ----------
    path : str or Path, optional
        A capability CSV to use instead of the packaged one.

    Returns
    -------
    dict of str to str
        Keys are :func:`~estate.schema.normalise_header` forms; values are
        capability codes. A name shared by two capabilities is left out.

    Examples
    --------
    >>> lookup = capability_lookup()
    >>> lookup[normalise_header("Revs and Bens")], lookup["esd3"], lookup["pacs"]
    ('LG-REVBEN', 'ESD-3', 'NHS-PACS')
    >>> "democraticservices" in lookup
    False
    """
    if path is None:
        return dict(_cached_capability_keys())
    return _capability_keys(_capabilities(path))


def vendor_lookup(path: PathLike | None = None) -> dict[str, str]:
    """Map each normalised vendor name, alias and former name to the current vendor.

    A vendor bought by another resolves through ``acquired_by`` to the
    vendor that trades today (Lagan to KANA to Verint gives Verint).

    Parameters
    ----------
    path : str or Path, optional
        A vendor CSV to use instead of the packaged one.

    Returns
    -------
    dict of str to str
        Keys are :func:`~estate.schema.normalise_header` forms; values are
        vendor names as ``vendors.csv`` writes them.

    Examples
    --------
    >>> lookup = vendor_lookup()
    >>> lookup[normalise_header("Microsoft UK Ltd")], lookup["cerner"], lookup["lagan"]
    ('Microsoft', 'Oracle Health', 'Verint')
    """
    if path is None:
        return dict(_cached_vendor_keys())
    return _vendor_keys(_vendors(path))


def alias_lookup(
    path: PathLike | None = None,
    *,
    capabilities: PathLike | None = None,
    vendors: PathLike | None = None,
) -> dict[str, str]:
    """Map each normalised product name and alias to its product id.

    Parameters
    ----------
    path : str or Path, optional
        A catalogue CSV to use instead of the packaged one.
    capabilities, vendors : str or Path, optional
        Passed to :func:`load_catalogue` to check a user catalogue against.

    Returns
    -------
    dict of str to str
        Keys are :func:`~estate.schema.normalise_header` forms; values are
        ``product_id`` values of the catalogue.

    Examples
    --------
    >>> lookup = alias_lookup()
    >>> lookup[normalise_header("Unit4 Business World")], lookup["northgatem3"]
    ('unit4-erp', 'nec-assure')
    >>> lookup[normalise_header("Cerner Millennium")]
    'oracle-health-millennium'
    """
    if path is None and capabilities is None and vendors is None:
        return dict(_cached_alias_keys())
    return _alias_keys(_catalogue(path, capabilities, vendors))
