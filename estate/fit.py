"""Like for like: whether a survivor can take on a retired system's work.

A consolidation keeps one system (the survivor) and retires others onto it. A
capability in the taxonomy often lumps different jobs together (an acute EPR
and an observations tool both sit under *Electronic patient record and PAS*),
so sharing a capability is not enough. :func:`fits` applies four rules to each
(survivor, system) pair; a pair that breaks one is not consolidated (the
system keeps running), and :func:`fit_reason` says why a survivor fits.

1. **Same job.** The system's job must be one the survivor does. A product's
   jobs are listed in ``estate/data/product_classes.csv`` (finer capabilities
   of ``capabilities.csv`` where the coarse one lumps jobs together, e.g.
   ``NHS-OBS`` beside ``NHS-EPR``, ``POL-ICCS`` beside ``POL-CAD``), with the
   other capabilities the system serves (``capability_codes``,
   :mod:`estate.coverage`); a system whose product is not listed does the
   jobs of the capabilities it serves. In an
   option for capability C, a system's job is C if its product does C, else
   its product's first job.
2. **Same kind of product.** Products are a ``platform``, a ``module`` or a
   ``point solution``: a survivor must be of the retired system's class or
   larger, and a known platform is replaced only by a known platform.
3. **Sector.** Clinical (``nhs``), ``police`` and ``fire`` systems are
   replaced only by systems of the same sector, and a sector-only product
   (NHSmail, ESR) takes no other sector's systems.
4. **Scale.** A system with more users than the survivor that also costs more
   than ``fit_max_cost_ratio`` times as much is a bigger kind of system than
   the survivor and is not retired onto it. Where either's users are not
   known, the cost alone shows the scale (when the survivor's is known). (The users a survivor takes in all
   are bounded separately by ``max_survivor_scale``.)

Two systems of the same product always pass rules 1 to 3 (rule 4 still applies:
a small instance does not take a much bigger one).

Examples
--------
>>> import pandas as pd
>>> systems = pd.DataFrame({
...     "product_id": ["oracle-health-millennium", "nervecentre", "oracle-health-millennium"],
...     "capability_code": ["NHS-EPR"] * 3,
...     "users": [5600.0, 3000.0, 900.0], "annual_cost": [4.4e6, 2.0e5, 1.1e6]})
>>> profile = fit_profiles(systems)
>>> profile[["product_class", "job", "sector"]].values.tolist()
[['platform', 'NHS-EPR', 'nhs'], ['module', 'NHS-OBS', 'nhs'], ['platform', 'NHS-EPR', 'nhs']]
>>> ok, why = fits(profile.iloc[[1, 2]], profile.iloc[[0, 0]], capability=["NHS-EPR", "NHS-EPR"])
>>> ok.tolist()
[False, True]
>>> str(why[0])
'does a different job (NHS-OBS: not one oracle-health-millennium does)'
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from estate.coverage import codes_of
from estate.errors import ParameterError

__all__ = [
    "FIT_PROFILE_COLUMNS",
    "FitCodes",
    "PRODUCT_CLASSES",
    "RESTRICTED_SECTORS",
    "SITE_BOUND_JOBS",
    "fit_codes",
    "fit_profiles",
    "fit_reason",
    "fits",
    "fits_by_position",
    "load_product_classes",
]

PRODUCT_CLASSES = ("point solution", "module", "platform")
"""Kinds of product, smallest first: a survivor must be of its retired systems' class or larger."""

RESTRICTED_SECTORS = ("nhs", "police", "fire")
"""Sectors whose systems only a system of the same sector replaces (clinical for clinical work)."""

SITE_BOUND_JOBS = ("CORP-HOSTING", "CORP-SERVERSW", "CORP-STORAGE", "CORP-BACKUP", "CORP-NETWORK", "CORP-NETSEC")
"""Infrastructure bound to a site: one organisation's servers, storage, backup, network and firewalls.

Moving them onto another organisation's (its virtualisation cluster, its storage) is a data-centre
move, not a software migration: it needs room, power and network at the destination, which a count of
users cannot show. So no shared platform across organisations is built for these jobs; the hosting
consolidation options (close a site, move its systems to a destination with room, counting the
destination's running cost) are where that move is costed, and joint procurement and rationalisation
inside one organisation still apply.
"""

FIT_PROFILE_COLUMNS = ("product_id", "product_label", "product_class", "rank", "jobs", "job", "sector", "users",
                       "annual_cost")
"""Columns of :func:`fit_profiles`."""

_SECTOR_OF_PREFIX = {"NHS": "nhs", "POL": "police", "FIRE": "fire"}
_COLUMNS = ("product_id", "product_class", "jobs", "sector", "source")


def load_product_classes(path: str | Path | None = None) -> pd.DataFrame:
    """The product classes: ``product_id``, ``product_class``, ``jobs`` (tuple), ``sector``, ``source``.

    Parameters
    ----------
    path : str or Path, optional
        A CSV with the columns of the packaged ``estate/data/product_classes.csv``.

    Raises
    ------
    ParameterError
        One line naming the file, row and column of a bad value: an unknown
        class or sector, a job that is not a capability code, a repeated id.

    Examples
    --------
    >>> classes = load_product_classes().set_index("product_id")
    >>> classes.loc["unlisted:dxt3", ["product_class", "jobs"]].tolist()
    ['point solution', ('POL-ICCS',)]
    """
    if path is None:
        return _packaged().copy()
    return _load(Path(path))


@functools.lru_cache(maxsize=1)
def _packaged() -> pd.DataFrame:
    with resources.as_file(resources.files("estate") / "data" / "product_classes.csv") as packaged:
        return _load(Path(packaged))


def _load(path: Path) -> pd.DataFrame:
    from estate.reference import load_capabilities

    name = path.name
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise ParameterError(f"{name}: cannot read the product classes ({error})") from None
    missing = [c for c in _COLUMNS if c not in frame.columns]
    if missing:
        raise ParameterError(f"{name}: the product classes lack column {missing[0]!r}")
    frame = frame.loc[:, list(_COLUMNS)].apply(lambda column: column.str.strip())
    codes = set(load_capabilities()["code"])
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        if not row.product_id:
            raise ParameterError(f"{name}, row {i}, column 'product_id': blank")
        if row.product_class not in PRODUCT_CLASSES:
            raise ParameterError(f"{name}, row {i}, column 'product_class': {row.product_class!r} is not one of "
                                 f"{', '.join(PRODUCT_CLASSES)}")
        if row.sector and row.sector not in (*RESTRICTED_SECTORS, "council", "housing"):
            raise ParameterError(f"{name}, row {i}, column 'sector': {row.sector!r} is not a known sector")
        jobs = [job.strip() for job in row.jobs.split(";") if job.strip()]
        unknown = [job for job in jobs if job not in codes]
        if not jobs or unknown:
            raise ParameterError(f"{name}, row {i}, column 'jobs': "
                                 + (f"{unknown[0]!r} is not a capability code" if unknown else "blank"))
    repeated = frame["product_id"][frame["product_id"].duplicated()]
    if len(repeated):
        row = int(repeated.index[0]) + 2
        raise ParameterError(f"{name}, row {row}, column 'product_id': {repeated.iloc[0]!r} is listed twice")
    frame["jobs"] = frame["jobs"].map(lambda cell: tuple(j.strip() for j in cell.split(";") if j.strip()))
    return frame.reset_index(drop=True)


def fit_profiles(systems: pd.DataFrame, classes: pd.DataFrame | None = None) -> pd.DataFrame:
    """What the fit rules need of each system, indexed like ``systems``.

    Parameters
    ----------
    systems : DataFrame
        ``product_id`` and ``capability_code``; ``capability_codes``,
        ``users``, ``annual_cost`` and ``product_name`` when present.
    classes : DataFrame, optional
        :func:`load_product_classes` (the packaged file by default).

    Returns
    -------
    DataFrame
        Columns :data:`FIT_PROFILE_COLUMNS`: the product's class and its
        rank in :data:`PRODUCT_CLASSES` (NaN when the product is not listed),
        the jobs it does (the product's listed jobs, then the other
        capabilities the system serves beyond its primary one; when not
        listed, every capability it serves), its job in its own
        capability, and its sector (from the product, else the capability's
        prefix: ``NHS-`` is ``nhs``, ``POL-`` ``police``, ``FIRE-`` ``fire``).
    """
    table = (load_product_classes() if classes is None else classes).set_index("product_id")
    product = systems["product_id"].astype(object).where(systems["product_id"].notna(), None)
    capability = systems["capability_code"].astype(object) if "capability_code" in systems \
        else pd.Series(None, index=systems.index, dtype=object)
    # The product's class, jobs and sector follow from (product, capability, capabilities served): worked out
    # once for each distinct combination (a product is run by many systems), then spread to the systems.
    keys = [product, capability] + ([systems["capability_codes"]] if "capability_codes" in systems else [])
    code = np.zeros(len(systems), dtype=np.int64)
    for column in keys:  # a value that is not text is treated like a blank below, so hashing it so is safe
        codes, uniques = pd.factorize(column.to_numpy(dtype=object))
        code = code * (len(uniques) + 1) + (codes + 1)
    _, first, inverse = np.unique(code, return_index=True, return_inverse=True)
    distinct = _profile_parts(table, *(column.iloc[first].reset_index(drop=True) for column in keys))
    inverse = inverse.reshape(-1)
    parts = {name: values.iloc[inverse].set_axis(systems.index) for name, values in distinct.items()}
    name = systems["product_name"] if "product_name" in systems else product
    label = name.where(name.notna(), product).astype(object)
    out = pd.DataFrame({
        "product_id": product,
        "product_label": label,
        "product_class": parts["product_class"],
        "rank": parts["rank"],
        "jobs": parts["jobs"],
        "job": parts["job"].tolist(),  # a list, as the rule gives it
        "sector": parts["sector"],
        "users": pd.to_numeric(systems["users"], errors="coerce") if "users" in systems else np.nan,
        "annual_cost": pd.to_numeric(systems["annual_cost"], errors="coerce") if "annual_cost" in systems
        else np.nan,
    }, index=systems.index)
    return out


def _profile_parts(table: pd.DataFrame, product: pd.Series, capability: pd.Series,
                   capability_codes: pd.Series | None = None) -> dict[str, pd.Series]:
    """Class, rank, jobs, job and sector of each (product, capability, capabilities) row (see fit_profiles)."""
    listed = product.map(lambda p: p in table.index if isinstance(p, str) else False).astype(bool)
    product_class = product.map(table["product_class"]).where(listed, None)
    own = capability.map(lambda c: (c,) if isinstance(c, str) else ())
    if capability_codes is not None:  # every capability the system serves (estate.coverage)
        served = capability_codes.map(codes_of)
        own = served.where(served.map(len) > 0, own)
        extra = served.map(lambda codes: codes[1:])
        jobs = product.map(table["jobs"]).where(listed, own)
        jobs = pd.Series([j + tuple(c for c in e if c not in j) if is_listed else j
                          for j, e, is_listed in zip(jobs, extra, listed, strict=True)], index=product.index,
                         dtype=object)
    else:
        jobs = product.map(table["jobs"]).where(listed, own)
    prefix = capability.map(lambda c: c.split("-", 1)[0] if isinstance(c, str) else None)
    by_capability = prefix.map(_SECTOR_OF_PREFIX).fillna("")
    given = product.map(table["sector"]).where(listed, "").fillna("")
    # Each as fit_profiles gives it (and so of the dtype pandas gives it there).
    return {
        "product_class": product_class,
        "rank": product_class.map({c: float(i) for i, c in enumerate(PRODUCT_CLASSES)}).astype(float),
        "jobs": jobs,
        "job": pd.Series([_job_in(j, c) for j, c in zip(jobs, capability, strict=True)], index=product.index),
        "sector": given.where(given.ne(""), by_capability),
    }


def _job_in(jobs: tuple[str, ...], capability: object) -> str | None:
    """The job a system does in an option for ``capability``: that capability if it does it, else its first job."""
    if isinstance(capability, str) and capability in jobs:
        return capability
    return jobs[0] if jobs else (capability if isinstance(capability, str) else None)


def fits(member: pd.DataFrame, survivor: pd.DataFrame, *, capability: object,
         max_cost_ratio: float = 5.0, explain: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """Whether each survivor can take on each member's work, and why not.

    Parameters
    ----------
    member, survivor : DataFrame
        Rows of :func:`fit_profiles`, paired by position.
    capability : str or sequence of str
        The option's capability for each pair (a system's job is read in it).
    max_cost_ratio : float, default=5.0
        Rule 4: a member with more users than the survivor and over this many
        times its annual cost is not retired onto it.
    explain : bool, default=True
        Say why each pair fails; with False only ``ok`` is worked out (and
        ``reason`` is None), for millions of pairs of which few are shown.

    Returns
    -------
    ok : ndarray of bool
    reason : ndarray of str, or None
        Empty where ``ok``; else the first rule broken, in words.

    See Also
    --------
    fits_by_position : the same rules for pairs of rows of one table of profiles.
    """
    n = len(member)
    columns = [c for c in _PAIR_COLUMNS if c in member or c in survivor]  # the words need label and class only
    table = pd.concat([member.reindex(columns=columns), survivor.reindex(columns=columns)], ignore_index=True)
    return fits_by_position(table, np.arange(n), n + np.arange(n), capability=capability,
                            max_cost_ratio=max_cost_ratio, explain=explain)


_PAIR_COLUMNS = ("product_id", "product_label", "product_class", "rank", "jobs", "sector", "users", "annual_cost")


@dataclass(frozen=True, eq=False)
class FitCodes:
    """A table of :func:`fit_profiles` coded once for :func:`fits_by_position` (see :func:`fit_codes`).

    Attributes
    ----------
    profiles : DataFrame
        The profiles coded.
    jobs_code, jobs_values : ndarray
        Each row's code among the distinct ``jobs`` tuples, and those tuples.
    product_code : ndarray of int
        Each row's code among the distinct ``product_id`` values (-1 for none).
    rank : ndarray of float
        ``rank``.
    sector : ndarray of object
        ``sector``.
    sector_code : ndarray of int
        Each row's code among the distinct sectors.
    restricted_sector : ndarray of bool
        Whether the row's sector is one of :data:`RESTRICTED_SECTORS`.
    users, annual_cost : ndarray of float
        ``users`` and ``annual_cost``.
    """

    profiles: pd.DataFrame
    jobs_code: np.ndarray
    jobs_values: np.ndarray
    product_code: np.ndarray
    rank: np.ndarray
    sector: np.ndarray
    sector_code: np.ndarray
    restricted_sector: np.ndarray
    users: np.ndarray
    annual_cost: np.ndarray


def fit_codes(profiles: pd.DataFrame) -> FitCodes:
    """Code a table of :func:`fit_profiles` once, for many calls of :func:`fits_by_position` on it.

    Examples
    --------
    >>> systems = pd.DataFrame({"product_id": ["nervecentre", "nervecentre"], "capability_code": ["NHS-EPR"] * 2})
    >>> coded = fit_codes(fit_profiles(systems))
    >>> coded.product_code.tolist(), coded.jobs_code.tolist()
    ([0, 0], [0, 0])
    """
    jobs_code, jobs_values = pd.factorize(profiles["jobs"].to_numpy(object), use_na_sentinel=False)
    sector = profiles["sector"].to_numpy(object)
    return FitCodes(
        profiles=profiles,
        jobs_code=np.asarray(jobs_code, dtype=np.int64),
        jobs_values=np.asarray(jobs_values, dtype=object),
        product_code=pd.factorize(profiles["product_id"].to_numpy(object))[0],  # -1: no product
        rank=profiles["rank"].to_numpy(float),
        sector=sector,
        sector_code=pd.factorize(sector)[0],
        restricted_sector=np.isin(sector, RESTRICTED_SECTORS),
        users=profiles["users"].to_numpy(float),
        annual_cost=profiles["annual_cost"].to_numpy(float),
    )


def fits_by_position(profiles: pd.DataFrame | FitCodes, member: np.ndarray, survivor: np.ndarray, *,
                     capability: object, max_cost_ratio: float = 5.0,
                     explain: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """:func:`fits` for pairs named by their positions in one table of profiles.

    A consolidation pairs each of a few hundred thousand systems with many
    survivors (millions of pairs at scale). Here each system's profile is
    coded once, and a pair costs a few integer look-ups: the rules are worked
    out once for each distinct combination of codes.

    Parameters
    ----------
    profiles : DataFrame or FitCodes
        Rows of :func:`fit_profiles` (``jobs`` a tuple a row), or those rows
        coded once by :func:`fit_codes` (for many calls on one table).
    member, survivor : array of int
        Positions in ``profiles``, paired by position.
    capability : str, sequence of str or Categorical
        The option's capability for each pair.
    max_cost_ratio : float, default=5.0
        As in :func:`fits`.
    explain : bool, default=True
        As in :func:`fits`.

    Returns
    -------
    ok : ndarray of bool
    reason : ndarray of str, or None

    Examples
    --------
    >>> systems = pd.DataFrame({
    ...     "product_id": ["oracle-health-millennium", "nervecentre", "oracle-health-millennium"],
    ...     "capability_code": ["NHS-EPR"] * 3,
    ...     "users": [5600.0, 3000.0, 900.0], "annual_cost": [4.4e6, 2.0e5, 1.1e6]})
    >>> ok, why = fits_by_position(fit_profiles(systems), np.array([1, 2]), np.array([0, 0]), capability="NHS-EPR")
    >>> ok.tolist(), str(why[0])
    ([False, True], 'does a different job (NHS-OBS: not one oracle-health-millennium does)')
    """
    m = np.asarray(member, dtype=np.int64)
    s = np.asarray(survivor, dtype=np.int64)
    n = len(m)
    if isinstance(capability, pd.Categorical):
        cap_code = np.asarray(capability.codes, dtype=np.int64)
        cap_values = np.asarray(capability.categories, dtype=object)
        if (cap_code < 0).any():  # a missing capability: one more code, for None
            cap_code = np.where(cap_code < 0, len(cap_values), cap_code)
            cap_values = np.append(cap_values, None)
    else:
        caps = np.broadcast_to(np.asarray(capability, dtype=object), (n,))
        cap_code, cap_values = pd.factorize(caps, use_na_sentinel=False)
        cap_code, cap_values = np.asarray(cap_code, dtype=np.int64), np.asarray(cap_values, dtype=object)
    coded = profiles if isinstance(profiles, FitCodes) else fit_codes(profiles)
    profiles = coded.profiles
    jobs_code, jobs_values = coded.jobs_code, coded.jobs_values
    # Rule 1's job: each distinct (jobs, capability), then each distinct (job, survivor's jobs), once.
    jobs_of_member = jobs_code[m]
    job, inverse = _each_distinct_code(lambda j, c: _job_in(jobs_values[j], cap_values[c]), jobs_of_member,
                                       cap_code, len(cap_values))
    job_code, job_values = pd.factorize(pd.Series(job, dtype=object), use_na_sentinel=False)
    m_job_values = np.asarray(job_values, dtype=object)
    m_job_code = np.asarray(job_code, dtype=np.int64)[inverse]
    done, inverse = _each_distinct_code(lambda j, js: m_job_values[j] in jobs_values[js], m_job_code,
                                        jobs_code[s], len(jobs_values))
    does_job = np.asarray(done, dtype=bool)[inverse]
    product_code = coded.product_code
    same_product = (product_code[m] == product_code[s]) & (product_code[m] >= 0)
    rank = coded.rank
    m_rank, s_rank = rank[m], rank[s]
    platform = PRODUCT_CLASSES.index("platform")
    smaller = np.where(np.isnan(m_rank), False,
                       np.where(np.isnan(s_rank), m_rank >= platform, s_rank < m_rank))
    sector, sector_code, restricted_sector = coded.sector, coded.sector_code, coded.restricted_sector
    restricted = restricted_sector[m] | restricted_sector[s]
    wrong_sector = restricted & (sector_code[m] != sector_code[s])
    users, cost = coded.users, coded.annual_cost
    m_users, s_users = users[m], users[s]
    m_cost, s_cost = cost[m], cost[s]
    # Users unknown on either side: the cost alone tells the scale (a community trust's £400k EPR is not
    # retired onto a prison's £8k one), when the survivor's cost is known.
    unknown_users = (np.isnan(m_users) | np.isnan(s_users)) & ~np.isnan(s_cost)
    too_big = ((m_users > s_users) | unknown_users) & (m_cost > max_cost_ratio * np.nan_to_num(s_cost)) & (m_cost > 0)
    fail_job = ~same_product & ~does_job
    fail_class = ~same_product & ~fail_job & smaller
    fail_sector = ~same_product & ~fail_job & ~fail_class & wrong_sector
    fail_scale = ~fail_job & ~fail_class & ~fail_sector & too_big  # scale applies to the same product too
    if not explain:
        return ~(fail_job | fail_class | fail_sector | fail_scale), None
    reason = np.full(n, "", dtype=object)

    # The words are built for the pairs that fail only (a few of many at scale), in plain Python, as text
    # columns would: a missing label or job leaves the whole reason missing ("nan" as text).
    def text(values: np.ndarray) -> list[str | None]:
        return [None if gone else str(v) for v, gone in zip(values.tolist(), pd.isna(values).tolist(), strict=True)]

    def labels(at: np.ndarray) -> list[str | None]:
        return text(np.asarray(profiles["product_label"].to_numpy(object)[s[at]], dtype=object))

    def classes(rows: np.ndarray) -> list[str]:
        values = np.asarray(profiles["product_class"].to_numpy(object)[rows], dtype=object)
        return [v if not gone else "product of unknown kind"
                for v, gone in zip(values.tolist(), pd.isna(values).tolist(), strict=True)]

    def sectors(rows: np.ndarray) -> list[str]:
        values = np.asarray(sector[rows], dtype=object)
        return ["general" if gone or v == "" else str(v)
                for v, gone in zip(values.tolist(), pd.isna(values).tolist(), strict=True)]

    def put(at: np.ndarray, words: list[str | None]) -> None:
        reason[at] = [np.nan if w is None else w for w in words]

    if fail_job.any():
        at = np.flatnonzero(fail_job)
        put(at, [None if j is None or label is None else f"does a different job ({j}: not one {label} does)"
                 for j, label in zip(text(np.asarray(m_job_values, dtype=object)[m_job_code[at]]), labels(at),
                                     strict=True)])
    if fail_class.any():
        at = np.flatnonzero(fail_class)
        put(at, [f"is a {mine}, which a {theirs} does not replace"
                 for mine, theirs in zip(classes(m[at]), classes(s[at]), strict=True)])
    if fail_sector.any():
        at = np.flatnonzero(fail_sector)
        put(at, [None if label is None else f"is a {mine} system and {label} a {theirs} one"
                 for mine, label, theirs in zip(sectors(m[at]), labels(at), sectors(s[at]), strict=True)])
    if fail_scale.any():
        at = np.flatnonzero(fail_scale)
        put(at, [None if label is None else f"is bigger than {label}: more users ({mine:,.0f} against "
                 f"{theirs:,.0f}) and over {max_cost_ratio:g} times its cost" if not (np.isnan(mine) or np.isnan(theirs))
                 else None if label is None else f"is bigger than {label}: over {max_cost_ratio:g} times its cost "
                 "(users not known for both, so the cost shows the scale)"
                 for label, mine, theirs in zip(labels(at), users[m[at]].tolist(), users[s[at]].tolist(),
                                                strict=True)])
    return reason == "", reason.astype(str)


def _each_distinct_code(func: Any, left: np.ndarray, right: np.ndarray, n_right: int) -> tuple[list, np.ndarray]:
    """``func(l, r)`` once for each distinct pair of codes (pairs repeat a lot): the results, and each row's
    position among them (a hash of the pairs, no sort)."""
    width = max(n_right, 1)
    key = np.asarray(left, dtype=np.int64) * width + np.asarray(right, dtype=np.int64)
    inverse, distinct = pd.factorize(key)
    return [func(k // width, k % width) for k in np.asarray(distinct).tolist()], np.asarray(inverse, dtype=np.int64)


def fit_reason(survivor: pd.Series | Mapping[str, Any], jobs: list[str], users_taken: float) -> str:
    """Why a survivor fits the systems it takes, in one sentence for an option's rationale.

    ``survivor`` is a row of :func:`fit_profiles` (a Series, or a mapping of the same keys).

    Examples
    --------
    >>> s = pd.Series({"product_label": "Whitespace", "product_class": "platform", "sector": "council",
    ...                "users": 21.0, "jobs": ("ESD-38",)})
    >>> fit_reason(s, ["ESD-38"], 66.0)
    'Why it fits: Whitespace (a platform, council) does the job of every system it takes (ESD-38), each of its class or smaller; it takes 66 users on top of its own 21 (4.1x in all).'
    """
    kind = f"a {survivor['product_class']}" if isinstance(survivor["product_class"], str) else "kind not listed"
    sector = survivor["sector"] if isinstance(survivor["sector"], str) and survivor["sector"] else "any sector"
    own = float(survivor["users"]) if pd.notna(survivor["users"]) else 0.0
    scale = f" ({(own + users_taken) / own:.1f}x in all)" if own > 0 else ""
    taken = (f"it takes {users_taken:,.0f} users on top of its own {own:,.0f}{scale}" if users_taken > 0
             else f"its own {own:,.0f} users already cover the users of the systems it takes")
    return (f"Why it fits: {survivor['product_label']} ({kind}, {sector}) does the job of every system it takes "
            f"({', '.join(sorted(set(jobs)))}), each of its class or smaller; {taken}.")
