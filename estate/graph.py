"""The estate graph: organisations, systems, products, vendors, capabilities, sites and contracts.

:func:`build_graph` derives a :class:`networkx.MultiDiGraph` from the matched
systems (the output of :func:`estate.matching.match_systems`) and, when given,
the inventory they came from. The graph is a view of the inventory, never its
source of truth: build it again whenever the inventory changes.
:func:`write_graph` saves it for Gephi, yEd or Cytoscape and :func:`read_graph`
reads such a file back.

Conventions
-----------
Nodes
    Every node is a tuple ``(kind, key)``; ``kind`` is one of
    :data:`NODE_KINDS` and ``key`` is text:

    ============== ==========================================================
    kind           key
    ============== ==========================================================
    organisation   the organisation's name
    system         ``system_key`` (unique across the inventory)
    product        ``product_id``: a catalogue id, ``unlisted:<name>`` or
                   ``in-house:<system_key>``
    vendor         the vendor's normalised name (``vendor_name``)
    capability     the capability code (``capability_code``)
    site           ``site_key``, or ``<organisation>/<site>`` for a site a
                   system names but no Sites sheet lists
    contract       ``<organisation>/<contract_id>``, or
                   ``<organisation>/<source_file> row <source_row>`` for a
                   contract without an id
    ============== ==========================================================

    Every node has the attributes ``kind`` (the same as its tuple's first
    item) and ``label`` (a name for people), then the numbers that are known
    for it (see :func:`build_graph`). A value that is missing is left out, not
    stored as ``None`` or NaN; dates are ISO text (``"2027-03-31"``); money is
    ``float`` in the plan currency a year.
Edges
    Every edge has a ``relation`` attribute, one of :data:`RELATIONS`, which
    is also its key in the multigraph: there is at most one edge of each
    relation from one node to another, so ``G.edges[u, v, "provides"]``
    addresses it. Edges point from the dependent thing to what it depends on:

    ================ ====================== ===================================
    relation         from → to              from
    ================ ====================== ===================================
    operates         organisation → system  every system row
    is_instance_of   system → product       rows with a ``product_id``
    supplied_by      product → vendor       product rows with a ``vendor_name``
                     system → vendor        rows with a vendor but no product
    provides         system → capability    each capability a system with a
                                            ``capability_code`` serves
                                            (``capability_codes``,
                                            :mod:`estate.coverage`); ``primary``
                                            marks its primary one
    hosted_at        system → site          rows with a site
    under_contract   system → contract      contracts linked to a system
    integrates_with  system → system        integrations whose both ends are
                                            systems of the graph; ``count``
                                            says how many rows named the pair
    part_of          capability → parent    the taxonomy's parents, up to the
                                            sector root
    ================ ====================== ===================================

Files
    :func:`write_graph` turns each node into the text ``"kind:key"`` (so
    ``("system", "Eden/REV-01")`` becomes ``"system:Eden/REV-01"``; the key is
    everything after the first colon) and keeps only attribute values GraphML,
    GEXF and JSON all accept: text, whole numbers, finite floats and booleans.

Examples
--------
>>> import pandas as pd
>>> matched = pd.DataFrame({
...     "organisation": ["Eden", "Carlisle"],
...     "system_key": ["Eden/Revs", "Carlisle/R&B"],
...     "system": ["Revs", "R&B"],
...     "product_id": ["capita-academy", "capita-academy"],
...     "product_name": ["Academy", "Academy"],
...     "vendor_name": ["Capita", "Capita"],
...     "capability_code": ["LG-REVBEN", "LG-REVBEN"],
...     "annual_cost": [85_000.0, 120_000.0],
... })
>>> G = build_graph(matched, capability_parents=False)
>>> sorted(G.predecessors(("product", "capita-academy")))
[('system', 'Carlisle/R&B'), ('system', 'Eden/Revs')]
>>> G.nodes["product", "capita-academy"]["annual_cost"]
205000.0
>>> G.edges[("system", "Eden/Revs"), ("capability", "LG-REVBEN"), "provides"]["relation"]
'provides'
"""

from __future__ import annotations

import datetime as dt
import json
import math
import numbers
import re
from collections.abc import Iterable, Mapping
from itertools import compress, repeat
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from estate._collector import collector_paused
from estate.columns import clean_text, distinct_counts, text_order
from estate.errors import ParameterError
from estate.inventory import Inventory
from estate.outputs import atomic_write

__all__ = ["FORMATS", "NODE_KINDS", "RELATIONS", "build_graph", "node_name", "read_graph", "site_keys",
           "write_graph"]

NODE_KINDS = ("organisation", "system", "product", "vendor", "capability", "site", "contract")
"""The kinds of node, in the order the graph adds them."""

RELATIONS = ("operates", "is_instance_of", "supplied_by", "provides", "hosted_at", "under_contract",
             "integrates_with", "part_of")
"""The ``relation`` of every edge (and its key in the multigraph)."""

FORMATS = {".graphml": "GraphML", ".gexf": "GEXF", ".json": "node-link JSON"}
"""File suffixes :func:`write_graph` and :func:`read_graph` know, and the format each means."""

Node = tuple[str, str]

# Columns of the matched systems copied onto system nodes (when present), in this order.
_SYSTEM_ATTRIBUTES = ("organisation", "source_file", "source_row", "version", "hosting", "lifecycle", "criticality",
                      "users", "annual_cost", "contract_end", "notice_months", "exit_cost", "match_confidence",
                      "split_from")
_SITE_ATTRIBUTES = ("organisation", "site_type", "annual_cost", "racks", "utilisation", "contract_end",
                    "exit_cost")
_CONTRACT_ATTRIBUTES = ("organisation", "contract_id", "supplier", "annual_value", "contract_start",
                        "contract_end", "notice_months", "exit_cost", "extension_options", "source_file",
                        "source_row")
_ORGANISATION_ATTRIBUTES = ("short_name", "sector", "employees", "successor", "vesting_date")
_EDGE_ATTRIBUTES = {
    "is_instance_of": (("product_confidence", "confidence"), ("product_method", "method")),
    "provides": (("capability_confidence", "confidence"), ("capability_method", "method")),
}
_FILE_TYPES = (str, bool, int, float)


# --------------------------------------------------------------------------- helpers


def _bad(name: str, func: str, expected: str, got: object) -> ParameterError:
    shown = repr(got)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return ParameterError(f"The {name!r} parameter of {func} must be {expected}. Got {shown} instead.")


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column, or an all-missing one of the right length when the frame lacks it."""
    if name in frame:
        return frame[name]
    return pd.Series(np.nan, index=frame.index, dtype=object)


def _as_file_value(value: object) -> Any:
    """The value as a file format accepts it (str, int, finite float, bool), or None to leave it out."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, str):
        return value
    if isinstance(value, (dt.date, np.datetime64)):
        stamp = pd.Timestamp(value)
        return None if pd.isna(stamp) else _iso(stamp)
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (list, tuple, set, frozenset)):
        return "; ".join(str(item) for item in value)
    return str(value)


def _iso(stamp: pd.Timestamp) -> str:
    if stamp == stamp.normalize():
        return stamp.strftime("%Y-%m-%d")
    return stamp.isoformat()


def _attribute_values(series: pd.Series) -> pd.Series:
    """A column's values as attributes: dates as ISO text, numbers as they are, and text shared.

    Text (and dates) are made once a distinct value and shared by every node
    that has it ("live" is one string, not one a system), which keeps a large
    graph's memory down.
    """
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return series
    codes, uniques = pd.factorize(series)
    if pd.api.types.is_datetime64_any_dtype(series):
        uniques = uniques.strftime("%Y-%m-%d")  # the distinct dates, not every row's
    shared = np.append(np.asarray(uniques, dtype=object), np.nan)
    return pd.Series(shared[codes], index=series.index, dtype=object)


def _records(frame: pd.DataFrame, columns: Iterable[str | tuple[str, str]], constant: Mapping[str, Any]
             ) -> list[dict[str, Any]]:
    """One attribute dict a row of ``frame``: ``constant`` and the known (not missing) values of ``columns``.

    A column is named as it is in ``frame`` or as ``(column, attribute name)``.
    Rows are taken in groups that have the same columns known, so each dict is
    made in one step with no test for missing values row by row.
    """
    names: list[str] = []
    values: list[pd.Series] = []
    for column in columns:
        source, name = (column, column) if isinstance(column, str) else column
        if source in frame:
            names.append(name)
            values.append(_attribute_values(frame[source]))
    n = len(frame)
    if not names:
        return [dict(constant) for _ in range(n)]
    codes = np.zeros(n, dtype="int64")
    for bit, series in enumerate(values):
        codes |= series.notna().to_numpy().astype("int64") << bit
    patterns = distinct_counts(codes)[0]
    group = np.searchsorted(patterns, codes)
    arrays = [series.to_numpy() for series in values]
    out = np.empty(n, dtype=object)
    for number, pattern in enumerate(patterns.tolist()):
        rows = np.flatnonzero(group == number)
        present = [bit for bit in range(len(names)) if pattern >> bit & 1]
        keys = [*constant, *(names[bit] for bit in present)]
        cells = [[value] * len(rows) for value in constant.values()] + [arrays[bit][rows].tolist() for bit in present]
        made = np.empty(len(rows), dtype=object)
        made[:] = [dict(zip(keys, row)) for row in zip(*cells)] if cells else [{} for _ in range(len(rows))]
        out[rows] = made
    return out.tolist()


def _add_nodes(graph: nx.MultiDiGraph, kind: str, keys: pd.Series, frame: pd.DataFrame,
               columns: Iterable[str]) -> list[Node]:
    """Add a ``kind`` node for each key, in order, with its row's known attributes; return the nodes.

    Written straight into the graph's dicts as ``add_nodes_from`` would write
    them: a new node gets empty successor and predecessor dicts and its row's
    attribute dict; a node met again (rows sharing a key) has its dict updated.
    ``add_nodes_from`` copies each attribute dict twice on the way in; these
    dicts are made for the node and taken as they are.
    """
    nodes = _nodes(kind, keys)
    succ, pred, attributes = graph._succ, graph._pred, graph._node
    for node, data in zip(nodes, _records(frame.reset_index(drop=True), columns, {"kind": kind})):
        known = attributes.get(node)
        if known is None:
            succ[node] = {}
            pred[node] = {}
            attributes[node] = data
        else:
            known.update(data)
    return nodes


def _nodes(kind: str, keys: pd.Series) -> list[Node]:
    return list(zip(repeat(kind), keys.astype(object).tolist()))


def _add_edges(graph: nx.MultiDiGraph, relation: str, sources: Iterable[Node], targets: Iterable[Node],
               attributes: Iterable[dict[str, Any]] | None = None) -> None:
    """Add one ``relation`` edge (keyed by the relation) from each source to its target, with its attributes.

    Written straight into the graph's dicts as ``MultiDiGraph.add_edge(source,
    target, relation, **data)`` would write them, at about half its cost
    (half a million edges for 100,000 systems): a new pair of nodes gets a
    key dict ``{relation: data}`` shared by ``_succ[source]`` and
    ``_pred[target]``; an edge already there has its data updated; an end
    that is not yet a node is added without attributes. Each ``data`` dict
    must be the edge's own (it is stored, not copied); without
    ``attributes`` each edge gets ``{"relation": relation}``. Only for a graph
    being built: unlike ``add_edge`` it leaves networkx's cache of converted
    graphs alone, which is empty until an algorithm has run on the graph.
    """
    succ, pred, nodes = graph._succ, graph._pred, graph._node
    if attributes is None:
        attributes = ({"relation": relation} for _ in repeat(None))
    # Every node has both a successor and a predecessor dict: one look-up each end finds both what
    # the edge needs and whether the end is a node yet.
    for source, target, data in zip(sources, targets, attributes):
        out = succ.get(source)
        if out is None:
            out = succ[source] = {}
            pred[source] = {}
            nodes[source] = {}
        into = pred.get(target)
        if into is None:
            succ[target] = {}
            into = pred[target] = {}
            nodes[target] = {}
        keys = out.get(target)
        if keys is None:
            out[target] = into[source] = {relation: data}
        elif relation in keys:
            keys[relation].update(data)
        else:
            keys[relation] = data


def site_keys(frame: pd.DataFrame) -> pd.Series:
    """The site node key of each row: its ``site_key``, else ``<organisation>/<site>`` when it names a site.

    The overlap analysis keys sites the same way, so that its tables name the graph's site nodes.

    Examples
    --------
    >>> frame = pd.DataFrame({"organisation": ["A", "A", "B"], "site": ["Hall", None, " "],
    ...                       "site_key": [None, "A/dc1", None]})
    >>> site_keys(frame).tolist()
    ['A/Hall', 'A/dc1', nan]
    """
    named = clean_text(_column(frame, "site"))
    keys = clean_text(_column(frame, "site_key"))
    wanted = (keys.isna() & named.notna()).to_numpy()  # text is joined for these rows only: usually few or none
    fallback = _column(frame, "organisation")[wanted].astype(object).astype(str) + "/" + named[wanted].astype(str)
    values = keys.to_numpy(dtype=object, copy=True)
    values[wanted] = fallback.to_numpy(dtype=object)
    return pd.Series(values, index=keys.index, dtype=object)


def _contract_keys(contracts: pd.DataFrame) -> pd.Series:
    org = _column(contracts, "organisation").astype(object).astype(str)
    ident = clean_text(_column(contracts, "contract_id"))
    row = (_column(contracts, "source_file").astype(object).astype(str) + " row "
           + _column(contracts, "source_row").astype(object).astype(str))
    return org + "/" + ident.where(ident.notna(), row).astype(str)


def _sums(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Systems (rows), annual cost and users per value of ``by`` (missing values left out)."""
    keyed = frame.loc[frame[by].notna(), [by, "annual_cost", "users"]]
    grouped = keyed.groupby(by, sort=True)
    out = grouped.agg(annual_cost=("annual_cost", "sum"), users=("users", "sum"))
    out.insert(0, "systems", grouped.size().astype("int64"))
    return out


def _check_frame(frame: object, name: str, func: str, required: tuple[str, ...]) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise _bad(name, func, "a pandas DataFrame", type(frame).__name__)
    missing = [column for column in required if column not in frame]
    if missing:
        raise ParameterError(f"The {name!r} parameter of {func} lacks column(s) {', '.join(missing)}; "
                             "pass the matched systems from estate.matching.match_systems.")
    blank = [column for column in required if frame[column].isna().any()]
    if blank:
        raise ParameterError(f"The {name!r} parameter of {func} has blank values in {', '.join(blank)}; "
                             "every system needs an organisation and a system_key.")
    return frame


# --------------------------------------------------------------------------- building


def build_graph(matched: pd.DataFrame, *, inventory: Inventory | None = None,
                capability_parents: bool = True) -> nx.MultiDiGraph:
    """Build the estate graph from the matched systems.

    Parameters
    ----------
    matched : DataFrame
        One row a system, as :func:`estate.matching.match_systems` returns
        them. ``organisation`` and ``system_key`` are required; ``system``,
        ``product_id``, ``product_name``, ``vendor_name``, ``capability_code``,
        ``capability_name``, ``site_key``, ``site``, costs, dates and match
        confidences are used when present. Rows that share a ``system_key``
        (they should not) make one system node with an edge for each row.
    inventory : Inventory, optional
        The inventory the systems came from. Its ``organisations`` give
        organisation attributes, ``sites`` the site nodes and attributes,
        ``contracts`` the contract nodes and ``integrations`` the
        ``integrates_with`` edges.
    capability_parents : bool, default=True
        Whether to add each capability's ancestors in the taxonomy
        (:func:`estate.reference.load_capabilities`) with ``part_of`` edges.

    Returns
    -------
    networkx.MultiDiGraph
        The graph described in the module docstring. Its node attributes:

        * every node: ``kind``, ``label``;
        * organisation: ``systems``, ``annual_cost``, ``users``, and from the
          inventory ``short_name``, ``sector``, ``employees``, ``successor``,
          ``vesting_date``;
        * system: ``organisation``, ``source_file``, ``source_row``,
          ``version``, ``hosting``, ``lifecycle``, ``criticality``,
          ``users``, ``annual_cost``, ``contract_end``, ``notice_months``,
          ``exit_cost``, ``match_confidence``, ``split_from`` (the product's
          and capability's own confidences are on the edges to them);
        * product, vendor, capability: ``systems``, ``organisations``,
          ``annual_cost``, ``users`` (a system serving several capabilities
          counts under each, its cost shared between them in whole pennies
          as the overlaps share it, its users not); a product also ``vendor`` and
          ``listing`` (``"catalogue"``, ``"unlisted"`` or ``"in-house"``);
          a capability ``sector`` and ``parent``;
        * site: ``organisation``, ``site_type``, ``annual_cost``, ``racks``,
          ``utilisation`` (a fraction), ``contract_end``, ``exit_cost``,
          ``is_listed`` (whether a Sites sheet lists it), ``systems``;
        * contract: ``organisation``, ``contract_id``, ``supplier``,
          ``annual_value``, ``contract_start``, ``contract_end``,
          ``notice_months``, ``exit_cost``.

        ``is_instance_of`` and ``provides`` edges carry the match's
        ``confidence`` and ``method`` when known (a ``provides`` edge only to
        the primary capability, which its ``primary`` attribute marks); ``integrates_with`` edges a
        ``count``. The graph attribute ``name`` is ``"estate"``.

    Raises
    ------
    ParameterError
        ``matched`` is not a DataFrame, lacks ``organisation`` or
        ``system_key``, or has blanks in them.

    See Also
    --------
    write_graph : save the graph as GraphML, GEXF or JSON.
    estate.overlaps.find_overlaps : the tables an overlap analysis needs.

    Notes
    -----
    Nodes and their attributes are added from whole columns (one attribute
    dict a node, made from the rows that have the same attributes known) and
    edges over column pairs, both written straight into the graph's dicts as
    ``add_nodes_from`` and ``add_edge`` would write them, without their
    per-call overhead; Python's cyclic garbage collector is paused while the
    graph is made (it would walk every object each time). 100,000 systems
    with 150,000 integrations (half a million edges) build in under 3
    seconds (``benchmarks/bench_pipeline.py``). Systems are taken in
    ``system_key`` order and other nodes in key order, so the same inputs in
    any row order give the same graph, node and edge order included.

    Examples
    --------
    >>> import pandas as pd
    >>> matched = pd.DataFrame({
    ...     "organisation": ["Eden", "Eden"], "system_key": ["Eden/1", "Eden/2"],
    ...     "system": ["Finance", "Payroll"], "product_id": ["unit4-erp", "unit4-erp"],
    ...     "vendor_name": ["Unit4", "Unit4"], "capability_code": ["CORP-FIN", "CORP-HR"]})
    >>> G = build_graph(matched)
    >>> G.nodes["capability", "CORP-HR"]["label"]
    'HR and payroll'
    >>> sorted(v for _, v, r in G.out_edges(("capability", "CORP-HR"), keys=True))
    [('capability', 'CORP')]
    >>> G.number_of_nodes(), G.number_of_edges()
    (8, 9)
    """
    func = "build_graph"
    _check_frame(matched, "matched", func, ("organisation", "system_key"))
    if inventory is not None and not isinstance(inventory, Inventory):
        raise _bad("inventory", func, "an estate.Inventory or None", type(inventory).__name__)
    if not isinstance(capability_parents, (bool, np.bool_)):
        raise _bad("capability_parents", func, "a bool", capability_parents)

    systems = _prepare_systems(matched)
    with collector_paused():
        return _build(systems, inventory, capability_parents=bool(capability_parents))


def _build(systems: pd.DataFrame, inventory: Inventory | None, *, capability_parents: bool) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph(name="estate")

    # Organisations.
    organisations = _sums(systems, "organisation")
    names = pd.Index(organisations.index.astype(object))
    listed = None
    if inventory is not None and len(inventory.organisations):
        listed = inventory.organisations.dropna(subset=["organisation"]).drop_duplicates(
            "organisation").set_index("organisation")
        names = names.union(pd.Index(listed.index.astype(object))).sort_values()
    organisation_frame = organisations.reindex(names)
    organisation_frame["systems"] = organisation_frame["systems"].fillna(0).astype("int64")
    organisation_frame["label"] = names.to_numpy()
    if listed is not None:
        organisation_frame = organisation_frame.join(listed.reindex(columns=list(_ORGANISATION_ATTRIBUTES)))
    _add_nodes(graph, "organisation", pd.Series(names), organisation_frame,
               ("label", "systems", "annual_cost", "users", *_ORGANISATION_ATTRIBUTES))

    # Systems.
    system_nodes = _add_nodes(graph, "system", systems["system_key"], systems, ("label", *_SYSTEM_ATTRIBUTES))
    _add_edges(graph, "operates", _nodes("organisation", systems["organisation"]), system_nodes)

    # Products and vendors.
    has_product = systems["product_id"].notna().to_numpy()
    products = _sums(systems, "product_id")
    if len(products):
        instances = systems.loc[has_product]  # once: each selection copies every column
        first = instances.drop_duplicates("product_id").set_index("product_id")
        products["organisations"] = instances.groupby("product_id")["organisation"].nunique()
        products["label"] = first["product_name"].where(first["product_name"].notna(),
                                                        first.index.to_series()).reindex(products.index)
        products["vendor"] = first["vendor_name"].reindex(products.index)
        ids = products.index.to_series().astype(str)
        products["listing"] = np.select([ids.str.startswith("unlisted:"), ids.str.startswith("in-house:")],
                                        ["unlisted", "in-house"], "catalogue")
        _add_nodes(graph, "product", products.index.to_series(), products,
                   ("label", "vendor", "listing", "systems", "organisations", "annual_cost", "users"))
        _add_edges(graph, "is_instance_of", compress(system_nodes, has_product),
                   _nodes("product", instances["product_id"]), _edge_records(instances, "is_instance_of"))

    vendors = _sums(systems, "vendor_name")
    if len(vendors):
        vendors["organisations"] = systems.groupby("vendor_name")["organisation"].nunique()
        vendors["label"] = vendors.index.to_numpy()
        _add_nodes(graph, "vendor", vendors.index.to_series(), vendors,
                   ("label", "systems", "organisations", "annual_cost", "users"))
        pairs = (systems.loc[has_product & systems["vendor_name"].notna().to_numpy(), ["product_id", "vendor_name"]]
                 .drop_duplicates().sort_values(["product_id", "vendor_name"]))
        _add_edges(graph, "supplied_by", _nodes("product", pairs["product_id"]),
                   _nodes("vendor", pairs["vendor_name"]))
        direct = ~has_product & systems["vendor_name"].notna().to_numpy()
        _add_edges(graph, "supplied_by", list(compress(system_nodes, direct)),
                   _nodes("vendor", systems.loc[direct, "vendor_name"]))

    # Capabilities: a system provides each capability it serves (estate.coverage), its primary one first.
    served = _served(systems)
    capabilities = _sums(served, "capability_code")
    if len(capabilities):
        capabilities["organisations"] = served.groupby("capability_code")["organisation"].nunique()
        _add_capabilities(graph, served, capabilities, parents=capability_parents)
        records = _edge_records(served, "provides")
        for data, primary in zip(records, served["primary"].tolist()):
            data["primary"] = primary
            if not primary:  # the match's confidence and method are the primary capability's
                data.pop("confidence", None)
                data.pop("method", None)
        _add_edges(graph, "provides", [system_nodes[i] for i in served["row"].tolist()],
                   _nodes("capability", served["capability_code"]), records)

    # Sites.
    site_key = site_keys(systems)
    hosted = site_key.notna().to_numpy()
    site_frame = _site_frame(systems.assign(site_node=site_key), inventory)
    if len(site_frame):
        _add_nodes(graph, "site", site_frame["site_node"], site_frame,
                   ("label", *_SITE_ATTRIBUTES, "is_listed", "systems"))
        _add_edges(graph, "hosted_at", list(compress(system_nodes, hosted)), _nodes("site", site_key[hosted]))

    if inventory is not None:
        system_keys = pd.Index(systems["system_key"].unique()).sort_values()
        _add_contracts(graph, inventory.contracts, system_keys)
        _add_integrations(graph, inventory.integrations, system_keys)
    return graph


def _served(systems: pd.DataFrame) -> pd.DataFrame:
    """The systems with a capability, once for each capability they serve (:func:`estate.coverage.served_capabilities`).

    ``row`` is the system's position, ``primary`` whether the capability is
    its primary one (``capability_code``); a system's ``annual_cost`` is
    shared between its capabilities in whole pennies, the remainder to the
    primary one (:func:`estate.coverage.shared_pennies`, as the overlaps
    share it), so that a sum across capabilities counts it once; its users
    are not shared. Only the primary capability keeps ``capability_name``.
    """
    from estate.coverage import served_capabilities, shared_pennies

    frame = systems.loc[:, ["system_key", "capability_code", "capability_codes"]]
    frame = frame.assign(capability_codes=frame["capability_codes"].where(frame["capability_code"].notna(), None))
    served = served_capabilities(frame)
    rows = served["row"].to_numpy()
    out = systems.iloc[rows].reset_index(drop=True)
    out.insert(0, "row", rows)
    out["capability_code"] = served["capability_code"].to_numpy(object)
    primary = served["position"].to_numpy() == 0
    out["primary"] = primary
    out["capability_name"] = out["capability_name"].where(primary, None)
    if not primary.all():
        cost = out["annual_cost"].to_numpy(dtype=float)
        known = np.isfinite(cost)
        pennies = np.rint(np.where(known, cost, 0.0) * 100).astype("int64")
        out["annual_cost"] = np.where(known, shared_pennies(pennies, served) / 100.0, np.nan)
    return out


def _prepare_systems(matched: pd.DataFrame) -> pd.DataFrame:
    """The columns the graph uses, sorted by system key; nothing of ``matched`` is changed."""
    columns = ["organisation", "system_key", "system", "product_id", "product_name", "vendor_name",
               "capability_code", "capability_codes", "capability_name", "site_key", "site", "product_confidence",
               "product_method",
               "capability_confidence", "capability_method", *_SYSTEM_ATTRIBUTES]
    frame = pd.DataFrame({name: _column(matched, name) for name in dict.fromkeys(columns)})
    frame["organisation"] = frame["organisation"].astype(object)
    frame["system_key"] = frame["system_key"].astype(object)
    for name in ("product_id", "vendor_name", "capability_code", "capability_codes"):
        frame[name] = clean_text(frame[name])
    for name in ("annual_cost", "users"):
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
    frame["label"] = frame["system"].where(frame["system"].notna(), frame["system_key"])
    keys = frame["system_key"].astype(str)
    if keys.is_unique:
        order = text_order(keys.to_numpy(dtype=object))
        return frame.take(order).reset_index(drop=True)
    sort = ["system_key", "product_id", "capability_code"]
    return frame.sort_values(sort, kind="stable", na_position="last").reset_index(drop=True)


def _edge_records(frame: pd.DataFrame, relation: str) -> list[dict[str, Any]]:
    """The attributes of the ``relation`` edge of each row: the relation and the match's confidence and method.

    Usually every row knows both: the dicts are then written out in one
    comprehension, two to three times as fast as :func:`_records`' general
    ``dict(zip(...))`` for three keys (this is 200,000 edges for 100,000
    systems). Otherwise :func:`_records` leaves out what is missing.
    """
    (confidence, confidence_name), (method, method_name) = _EDGE_ATTRIBUTES[relation]
    if confidence in frame and method in frame:
        confidences, methods = _attribute_values(frame[confidence]), _attribute_values(frame[method])
        if confidences.notna().all() and methods.notna().all():
            return [{"relation": relation, confidence_name: c, method_name: m}
                    for c, m in zip(confidences.tolist(), methods.tolist())]
    return _records(frame, _EDGE_ATTRIBUTES[relation], {"relation": relation})


def _add_capabilities(graph: nx.MultiDiGraph, systems: pd.DataFrame, capabilities: pd.DataFrame, *,
                      parents: bool) -> None:
    from estate.reference import load_capabilities

    taxonomy = load_capabilities().set_index("code")
    given = (systems.loc[systems["capability_name"].notna()].drop_duplicates("capability_code")
             .set_index("capability_code")["capability_name"])
    codes = list(capabilities.index)
    if parents:
        # Walk up the taxonomy: a loop over capabilities (a few hundred at most), not over systems.
        seen = set(codes)
        frontier = codes
        while frontier:
            ups = {taxonomy.at[c, "parent"] for c in frontier if c in taxonomy.index} - {""} - seen
            seen |= ups
            frontier = sorted(ups)
        codes = sorted(seen)
    frame = capabilities.reindex(codes)
    frame["systems"] = frame["systems"].fillna(0).astype("int64")
    frame["organisations"] = frame["organisations"].fillna(0).astype("int64")
    index = frame.index.to_series()
    frame["label"] = given.reindex(codes).fillna(taxonomy["name"].reindex(codes)).fillna(index)
    frame["sector"] = taxonomy["sector"].reindex(codes)
    frame["parent"] = taxonomy["parent"].reindex(codes).replace("", np.nan)
    _add_nodes(graph, "capability", index, frame,
               ("label", "sector", "parent", "systems", "organisations", "annual_cost", "users"))
    if parents:
        linked = frame.loc[frame["parent"].notna()]
        _add_edges(graph, "part_of", _nodes("capability", linked.index.to_series()),
                   _nodes("capability", linked["parent"]))


def _site_frame(systems: pd.DataFrame, inventory: Inventory | None) -> pd.DataFrame:
    """One row a site node: listed sites from the inventory and sites systems name that no sheet lists."""
    used = systems.loc[systems["site_node"].notna()]
    counts = used.groupby("site_node")["system_key"].nunique()
    named = used.drop_duplicates("site_node").set_index("site_node")
    frames = []
    if inventory is not None and len(inventory.sites):
        sites = inventory.sites.loc[inventory.sites["site_key"].notna()].drop_duplicates("site_key")
        listed = sites.assign(site_node=sites["site_key"], label=sites["site"], is_listed=True)
        frames.append(listed)
    else:
        listed = pd.DataFrame({"site_node": pd.Series(dtype=object)})
    unlisted = named.index.difference(pd.Index(listed["site_node"]))
    if len(unlisted):
        extra = named.loc[unlisted]
        frames.append(pd.DataFrame({"site_node": unlisted.to_numpy(),
                                    "label": extra["site"].where(extra["site"].notna(),
                                                                 extra.index.to_series()).to_numpy(),
                                    "organisation": extra["organisation"].to_numpy(), "is_listed": False}))
    if not frames:
        return pd.DataFrame()
    frame = pd.concat(frames, ignore_index=True, sort=False) if len(frames) > 1 else frames[0]
    frame = frame.sort_values("site_node", kind="stable").reset_index(drop=True)
    frame["systems"] = counts.reindex(frame["site_node"]).fillna(0).astype("int64").to_numpy()
    return frame


def _add_contracts(graph: nx.MultiDiGraph, contracts: pd.DataFrame, system_keys: pd.Index) -> None:
    if not len(contracts):
        return
    frame = contracts.assign(contract_node=_contract_keys(contracts))
    sort = [c for c in ("contract_node", "source_file", "source_row") if c in frame]
    frame = frame.sort_values(sort, kind="stable")
    first = frame.drop_duplicates("contract_node").reset_index(drop=True)
    ident = clean_text(_column(first, "contract_id"))
    first["label"] = ident.where(ident.notna(), first["contract_node"])
    _add_nodes(graph, "contract", first["contract_node"], first, ("label", *_CONTRACT_ATTRIBUTES))
    linked = frame.loc[_column(frame, "system_key").isin(system_keys)]
    _add_edges(graph, "under_contract", _nodes("system", linked["system_key"]),
               _nodes("contract", linked["contract_node"]))


def _add_integrations(graph: nx.MultiDiGraph, integrations: pd.DataFrame, system_keys: pd.Index) -> None:
    if not len(integrations) or "source_key" not in integrations or "target_key" not in integrations:
        return
    # Positions in the sorted system keys: distinct (source, target) integer pairs come out in key order.
    n = len(system_keys)
    source = system_keys.get_indexer(integrations["source_key"].astype(object).to_numpy())
    target = system_keys.get_indexer(integrations["target_key"].astype(object).to_numpy())
    known = (source >= 0) & (target >= 0)
    pairs, counts = distinct_counts(source[known].astype("int64") * n + target[known])
    keys = np.asarray(system_keys, dtype=object)
    _add_edges(graph, "integrates_with", _nodes("system", pd.Series(keys[pairs // n])),
               _nodes("system", pd.Series(keys[pairs % n])),
               ({"relation": "integrates_with", "count": c} for c in counts.tolist()))


# --------------------------------------------------------------------------- files


def node_name(node: Node) -> str:
    """The text a node is written as in a file: ``"kind:key"``.

    Examples
    --------
    >>> node_name(("product", "unlisted:Acme Widgets"))
    'product:unlisted:Acme Widgets'
    """
    kind, key = node
    return f"{kind}:{key}"


def _node_from_name(name: str) -> Node:
    kind, _, key = str(name).partition(":")
    return (kind, key)


def _file_attributes(data: Mapping[str, Any]) -> dict[str, Any]:
    """The attributes a file can hold; plain str, int, bool and finite float values take the fast path."""
    out = {}
    for name, value in data.items():
        key = name if type(name) is str else str(name)
        kind = type(value)
        if kind is str or kind is int or kind is bool:
            out[key] = value
        elif kind is float:
            if math.isfinite(value):
                out[key] = value
        else:
            converted = _as_file_value(value)
            if converted is not None:
                out[key] = converted
    return out


# Characters XML 1.0 cannot hold (C0 controls but tab and line breaks, lone surrogates, U+FFFE and U+FFFF), and
# lone surrogates, which no UTF-8 file can hold: written as visible escapes instead.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_NOT_UTF8 = re.compile("[\ud800-\udfff]")


def _escaped(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}" if ord(match.group()) < 256 else f"\\u{ord(match.group()):04x}"


def _clean(text: str, xml: bool) -> str:
    """Text a GraphML/GEXF (``xml``) or JSON file can hold: characters it cannot are written as ``\\xNN``."""
    return (_NOT_XML if xml else _NOT_UTF8).sub(_escaped, text)


def _clean_attributes(data: dict[str, Any], xml: bool) -> dict[str, Any]:
    pattern = _NOT_XML if xml else _NOT_UTF8
    if not any(pattern.search(k) or (type(v) is str and pattern.search(v)) for k, v in data.items()):
        return data
    return {_clean(k, xml): _clean(v, xml) if type(v) is str else v for k, v in data.items()}


def _format(path: Path, func: str) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise _bad("path", func, f"a file name ending in {', '.join(FORMATS)}", str(path))
    return suffix


def write_graph(graph: nx.MultiDiGraph, path: str | Path) -> Path:
    """Save the estate graph as GraphML, GEXF or node-link JSON, chosen by the file's suffix.

    Parameters
    ----------
    graph : networkx.MultiDiGraph
        A graph from :func:`build_graph` (any graph whose nodes are
        ``(kind, key)`` tuples).
    path : str or Path
        The file to write: ``.graphml`` (yEd, Cytoscape, Gephi), ``.gexf``
        (Gephi) or ``.json`` (node-link JSON with an ``edges`` list, as
        :func:`networkx.node_link_data` writes it; d3, Cytoscape.js).

    Returns
    -------
    Path
        The file written.

    Raises
    ------
    ParameterError
        The suffix is none of :data:`FORMATS`, or ``graph`` is not a graph.

    Notes
    -----
    Nodes are written as ``"kind:key"`` (:func:`node_name`). Attribute values
    are kept when they are text, whole numbers, finite floats or booleans;
    dates become ISO text, lists ``"; "``-joined text, and missing or
    infinite values are left out. The graph itself is not changed.

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> matched = pd.DataFrame({"organisation": ["Eden"], "system_key": ["Eden/1"], "system": ["Revs"]})
    >>> out = write_graph(build_graph(matched), pathlib.Path(tempfile.mkdtemp()) / "estate.graphml")
    >>> sorted(read_graph(out).nodes)
    [('organisation', 'Eden'), ('system', 'Eden/1')]
    """
    func = "write_graph"
    if not isinstance(graph, nx.Graph):
        raise _bad("graph", func, "a networkx graph", type(graph).__name__)
    path = Path(path)
    suffix = _format(path, func)
    xml = suffix != ".json"
    with collector_paused():
        out = nx.MultiDiGraph() if graph.is_directed() else nx.MultiGraph()
        out.graph.update(_clean_attributes(_file_attributes(graph.graph), xml))
        out.add_nodes_from((_clean(node_name(node), xml), _clean_attributes(_file_attributes(data), xml))
                           for node, data in graph.nodes(data=True))
        if graph.is_multigraph():
            edges = ((u, v, str(k), d) for u, v, k, d in graph.edges(keys=True, data=True))
        else:
            edges = ((u, v, str(d.get("relation", 0)), d) for u, v, d in graph.edges(data=True))
        add = out.add_edge
        for number, (u, v, key, data) in enumerate(edges):
            attributes = _clean_attributes(_file_attributes(data), xml)
            attributes.setdefault("relation", _clean(key, xml))
            # GraphML edge ids must be unique in the file: number the edges (the relation is an attribute).
            add(_clean(node_name(u), xml), _clean(node_name(v), xml), f"e{number}" if xml else _clean(key, xml),
                **attributes)
        with atomic_write(path) as temporary:
            if suffix == ".graphml":
                nx.write_graphml(out, temporary)
            elif suffix == ".gexf":
                nx.write_gexf(out, temporary)
            else:
                text = json.dumps(nx.node_link_data(out, edges="edges"), ensure_ascii=False)
                temporary.write_text(text, encoding="utf-8")
    return path


def read_graph(path: str | Path) -> nx.MultiDiGraph:
    """Read a graph :func:`write_graph` wrote, with ``(kind, key)`` nodes again.

    Parameters
    ----------
    path : str or Path
        A ``.graphml``, ``.gexf`` or ``.json`` file.

    Returns
    -------
    networkx.MultiDiGraph
        Nodes are ``(kind, key)`` tuples and edge keys their ``relation``,
        with the attributes the file holds (GEXF's own edge ``id`` is dropped).

    Raises
    ------
    ParameterError
        The suffix is none of :data:`FORMATS`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import networkx as nx
    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge(("organisation", "Eden"), ("system", "Eden/1"), key="operates", relation="operates")
    >>> H = read_graph(write_graph(G, pathlib.Path(tempfile.mkdtemp()) / "g.json"))
    >>> list(H.edges(keys=True))
    [(('organisation', 'Eden'), ('system', 'Eden/1'), 'operates')]
    """
    path = Path(path)
    suffix = _format(path, "read_graph")
    if suffix == ".graphml":
        raw = nx.read_graphml(path, force_multigraph=True, edge_key_type=str)
    elif suffix == ".gexf":
        raw = nx.read_gexf(path)
    else:
        data = json.loads(path.read_text(encoding="utf-8"))
        raw = nx.node_link_graph(data, directed=True, multigraph=True, edges="edges")
    graph = nx.MultiDiGraph()
    graph.graph.update({k: v for k, v in raw.graph.items() if k not in ("node_default", "edge_default", "mode")})
    graph.add_nodes_from((_node_from_name(n), d) for n, d in raw.nodes(data=True))
    if raw.is_multigraph():
        edges = raw.edges(keys=True, data=True)
    else:
        edges = ((u, v, d.get("relation"), d) for u, v, d in raw.edges(data=True))
    graph.add_edges_from((_node_from_name(u), _node_from_name(v), str(d.get("relation", k)),
                          {a: b for a, b in d.items() if not (suffix == ".gexf" and a == "id")})
                         for u, v, k, d in edges)
    return graph
