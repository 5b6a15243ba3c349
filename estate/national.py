"""National services: products one central body runs for every organisation, already shared.

ESR (NHS payroll), NHSmail, the Police National Computer, the fire service's
Incident Recording System, GOV.UK Pay: each organisation's inventory lists
them, often with a cost (a recharge or a local support contract), but there
is nothing to consolidate or buy together: one body already runs one system
for everybody, under one national contract. An option built on them (``4
organisations share ESR``, ``buy NHSmail together``) is one a partnership
board would laugh at, and retiring one onto a local product (a trust's own
Microsoft 365 in place of NHSmail) is a national decision, not a local
saving. So :func:`estate.options.generate_options` builds no option that
shares, buys together or retires a system whose product is listed here (a
user's fit override still can retire one): it stays, and its cost stays in the
run cost. An organisation may still retire its own local tool onto the
national service it uses (a rationalisation with it as the survivor), and
closing a site still moves one listed there.

The list is ``estate/data/national_services.csv``: ``product_id`` (a
catalogue or product-classes id), ``run_by`` (the central body) and
``source``.

Examples
--------
>>> import pandas as pd
>>> is_national(pd.Series(["nhs-esr", "itrent", None, "pnc"])).tolist()
[True, False, False, True]
>>> run_by(pd.Series(["nhs-esr", "itrent"])).tolist()
['NHS Business Services Authority', '']
>>> load_national_services().set_index("product_id").at["nhsmail", "run_by"]
'NHS England'
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from estate.columns import each_distinct
from estate.errors import ParameterError

__all__ = ["is_national", "load_national_services", "run_by"]

_COLUMNS = ("product_id", "run_by", "source")


def load_national_services() -> pd.DataFrame:
    """The packaged list of national services: ``product_id``, ``run_by``, ``source``.

    Raises
    ------
    ParameterError
        One line naming the file, row and column of a blank or repeated id,
        or a blank ``run_by``. (That each id is a catalogue or product-classes
        id is checked by the tests, not on every run.)
    """
    return _packaged().copy()


@functools.lru_cache(maxsize=1)
def _packaged() -> pd.DataFrame:
    with resources.as_file(resources.files("estate") / "data" / "national_services.csv") as packaged:
        return _load(Path(packaged))


def _load(path: Path) -> pd.DataFrame:
    name = path.name
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in _COLUMNS if c not in frame.columns]
    if missing:
        raise ParameterError(f"{name}: the national services lack column {missing[0]!r}")
    frame = frame.loc[:, list(_COLUMNS)].apply(lambda column: column.str.strip())
    for row, (product, body) in enumerate(zip(frame["product_id"], frame["run_by"], strict=True), start=2):
        if not product:
            raise ParameterError(f"{name}, row {row}, column 'product_id': blank")
        if not body:
            raise ParameterError(f"{name}, row {row}, column 'run_by': blank")
    repeated = frame["product_id"][frame["product_id"].duplicated()]
    if len(repeated):
        raise ParameterError(f"{name}, row {int(repeated.index[0]) + 2}, column 'product_id': "
                             f"{repeated.iloc[0]!r} is listed twice")
    return frame.reset_index(drop=True)


def is_national(product_ids: pd.Series) -> np.ndarray:
    """Whether each system's product (its ``product_id``; blank for none) is a national service."""
    return run_by(product_ids) != ""


def run_by(product_ids: pd.Series) -> np.ndarray:
    """The body that runs each system's product as a national service, ``""`` for any other product."""
    bodies = _bodies()
    return each_distinct(product_ids, lambda product: bodies.get(product, "") if isinstance(product, str) else "")


@functools.lru_cache(maxsize=1)
def _bodies() -> dict[str, str]:
    table = _packaged()
    return dict(zip(table["product_id"], table["run_by"], strict=True))
