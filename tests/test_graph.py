"""Tests of estate.graph: nodes, edges, attributes, determinism and the three file formats."""

from __future__ import annotations

import json
import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from estate import Inventory
from estate.errors import ParameterError
from estate.graph import NODE_KINDS, RELATIONS, build_graph, node_name, read_graph, write_graph

# --------------------------------------------------------------------------- fixtures

MATCHED_COLUMNS = ("organisation", "system_key", "system", "product_id", "product_name", "vendor_name",
                   "capability_code", "capability_name", "annual_cost", "users", "contract_end", "site",
                   "site_key", "product_confidence", "product_method", "capability_confidence",
                   "capability_method", "match_confidence", "split_from")


def make_matched(rows: list[dict]) -> pd.DataFrame:
    """A matched-systems frame as estate.matching returns it, from short dicts (missing keys are NaN)."""
    frame = pd.DataFrame(rows).reindex(columns=list(MATCHED_COLUMNS))
    for name in ("organisation", "system_key", "system", "product_id", "product_name", "vendor_name",
                 "capability_code", "capability_name", "site", "site_key", "product_method", "capability_method",
                 "split_from"):
        frame[name] = frame[name].astype(object)
    frame["system"] = frame["system"].fillna(frame["system_key"].astype(str).str.split("/").str[-1])
    for name in ("annual_cost", "users", "product_confidence", "capability_confidence", "match_confidence"):
        frame[name] = pd.to_numeric(frame[name]).astype("float64")
    frame["contract_end"] = pd.to_datetime(frame["contract_end"])
    return frame


def small_estate() -> tuple[pd.DataFrame, Inventory]:
    matched = make_matched([
        dict(organisation="Eden", system_key="Eden/REV", system="Revenues", product_id="capita-academy",
             product_name="Academy", vendor_name="Capita", capability_code="LG-REVBEN",
             capability_name="Revenues and benefits", annual_cost=85_000, users=40, contract_end="2027-03-31",
             site="Town Hall", product_confidence=0.97, product_method="alias", capability_confidence=0.9,
             capability_method="catalogue", match_confidence=0.9),
        dict(organisation="Eden", system_key="Eden/FIN", system="Finance", product_id="unit4-erp",
             product_name="Unit4 ERP", vendor_name="Unit4", capability_code="CORP-FIN", annual_cost=120_000,
             users=55, site_key="Carlisle/Civic Centre", match_confidence=1.0),
        dict(organisation="Carlisle", system_key="Carlisle/REV", system="R&B", product_id="capita-academy",
             product_name="Academy", vendor_name="Capita", capability_code="LG-REVBEN", annual_cost=110_000,
             users=60, site_key="Carlisle/Civic Centre", contract_end="2028-06-30"),
        dict(organisation="Carlisle", system_key="Carlisle/LIC", system="Licensing", product_id="unlisted:Lalpac",
             product_name="Lalpac", capability_code="ESD-95"),
        dict(organisation="Carlisle", system_key="Carlisle/DB", system="Bespoke DB",
             product_id="in-house:Carlisle/DB", vendor_name=None, annual_cost=np.nan),
        dict(organisation="Carlisle", system_key="Carlisle/MAIL", system="Mail", vendor_name="Microsoft",
             capability_code="XC-EMAIL", annual_cost=20_000),
    ])
    sites = pd.DataFrame({
        "source_file": ["c.xlsx", "c.xlsx"], "source_sheet": ["Sites", "Sites"], "source_row": [2, 3],
        "organisation": ["Carlisle", "Carlisle"], "site": ["Civic Centre", "Old Depot"],
        "site_type": ["server room", "server room"], "annual_cost": [48_000.0, 9_000.0], "racks": [5.0, 1.0],
        "utilisation": [0.6, 0.1], "contract_end": pd.to_datetime([None, "2027-03-31"]),
        "exit_cost": [np.nan, 5_000.0], "site_key": ["Carlisle/Civic Centre", "Carlisle/Old Depot"]})
    contracts = pd.DataFrame({
        "source_file": ["e.xlsx", "e.xlsx", "c.xlsx"], "source_sheet": ["Contracts"] * 3, "source_row": [2, 3, 2],
        "organisation": ["Eden", "Eden", "Carlisle"], "contract_id": ["CON-1", "CON-1", None],
        "system": ["Revenues", "Finance", "R&B"], "supplier": ["Capita", "Capita", "Capita"],
        "annual_value": [80_000.0, 80_000.0, 100_000.0],
        "contract_end": pd.to_datetime(["2027-03-31", "2027-03-31", "2028-06-30"]),
        "system_key": ["Eden/REV", "Eden/FIN", "Carlisle/REV"]})
    integrations = pd.DataFrame({
        "organisation": ["Eden", "Eden", "Eden", "Carlisle", "Carlisle"],
        "source": ["Revenues", "Revenues", "Revenues", "R&B", "R&B"],
        "target": ["Finance", "Finance", "Ghost", "Revenues", "R&B"],
        "source_key": ["Eden/REV", "Eden/REV", "Eden/REV", "Carlisle/REV", "Carlisle/REV"],
        "target_key": ["Eden/FIN", "Eden/FIN", None, "Eden/REV", "Carlisle/REV"],
        "listed_in": ["Integrations", "Systems", "Systems", "Integrations", "Integrations"]})
    organisations = pd.DataFrame({"organisation": ["Eden", "Carlisle", "Copeland"],
                                  "short_name": ["Eden", "Carlisle", "Copeland"],
                                  "sector": ["district", "district", "district"],
                                  "employees": [400.0, 650.0, np.nan],
                                  "vesting_date": pd.to_datetime(["2023-04-01", "2023-04-01", None])})
    return matched, Inventory(organisations=organisations, sites=sites, contracts=contracts,
                              integrations=integrations)


# --------------------------------------------------------------------------- building


def test_nodes_are_keyed_by_kind_with_kind_and_label():
    matched, inventory = small_estate()
    graph = build_graph(matched, inventory=inventory)
    assert isinstance(graph, nx.MultiDiGraph)
    for node, data in graph.nodes(data=True):
        assert isinstance(node, tuple) and len(node) == 2
        assert node[0] in NODE_KINDS and data["kind"] == node[0]
        assert isinstance(data["label"], str) and data["label"]
    kinds = pd.Series([n[0] for n in graph]).value_counts().to_dict()
    assert kinds["organisation"] == 3  # Copeland comes from the Organisations sheet alone
    assert kinds["system"] == 6
    assert kinds["product"] == 4  # academy, unit4, lalpac, in-house
    assert kinds["vendor"] == 3
    assert kinds["site"] == 3  # two listed, one named by a system only
    assert kinds["contract"] == 2  # CON-1 covers two systems


def test_edges_carry_their_relation_as_attribute_and_key():
    matched, inventory = small_estate()
    graph = build_graph(matched, inventory=inventory)
    for u, v, key, data in graph.edges(keys=True, data=True):
        assert data["relation"] == key and key in RELATIONS
    relations = pd.Series([k for *_, k in graph.edges(keys=True)]).value_counts().to_dict()
    assert relations["operates"] == 6
    assert relations["is_instance_of"] == 5
    assert relations["supplied_by"] == 3  # academy→Capita, unit4→Unit4, Mail→Microsoft directly
    assert relations["provides"] == 5
    assert relations["hosted_at"] == 3
    assert relations["under_contract"] == 3
    assert relations["integrates_with"] == 3  # duplicate pair counted, dangling dropped, self-loop kept
    assert graph.has_edge(("system", "Carlisle/MAIL"), ("vendor", "Microsoft"), "supplied_by")


def test_integrations_are_deduplicated_with_a_count():
    matched, inventory = small_estate()
    graph = build_graph(matched, inventory=inventory)
    edge = graph.edges[("system", "Eden/REV"), ("system", "Eden/FIN"), "integrates_with"]
    assert edge["count"] == 2
    assert graph.edges[("system", "Carlisle/REV"), ("system", "Eden/REV"), "integrates_with"]["count"] == 1


def test_node_attributes_hold_numbers_and_iso_dates_and_skip_missing_values():
    matched, inventory = small_estate()
    graph = build_graph(matched, inventory=inventory)
    revenues = graph.nodes["system", "Eden/REV"]
    assert revenues["annual_cost"] == 85_000.0 and revenues["users"] == 40.0
    assert revenues["contract_end"] == "2027-03-31"
    assert revenues["match_confidence"] == 0.9
    assert "split_from" not in revenues  # missing: left out, never NaN
    database = graph.nodes["system", "Carlisle/DB"]
    assert "annual_cost" not in database
    for _, data in graph.nodes(data=True):
        for value in data.values():
            assert value is not None and not (isinstance(value, float) and math.isnan(value))
    site = graph.nodes["site", "Carlisle/Civic Centre"]
    assert site["utilisation"] == 0.6 and site["annual_cost"] == 48_000.0 and site["systems"] == 2
    assert site["is_listed"] is True
    assert graph.nodes["site", "Eden/Town Hall"]["is_listed"] is False
    assert graph.nodes["product", "capita-academy"]["annual_cost"] == 195_000.0
    assert graph.nodes["product", "capita-academy"]["organisations"] == 2
    assert graph.nodes["product", "in-house:Carlisle/DB"]["listing"] == "in-house"
    assert graph.nodes["product", "unlisted:Lalpac"]["listing"] == "unlisted"
    assert graph.nodes["organisation", "Eden"]["vesting_date"] == "2023-04-01"
    assert graph.nodes["organisation", "Copeland"]["systems"] == 0
    assert graph.nodes["contract", "Carlisle/c.xlsx row 2"]["supplier"] == "Capita"
    match = graph.edges[("system", "Eden/REV"), ("product", "capita-academy"), "is_instance_of"]
    assert match == {"relation": "is_instance_of", "confidence": 0.97, "method": "alias"}


def test_capability_labels_and_parents_come_from_the_taxonomy():
    matched, _ = small_estate()
    graph = build_graph(matched)
    assert graph.nodes["capability", "LG-REVBEN"]["label"] == "Revenues and benefits"
    assert graph.nodes["capability", "CORP-FIN"]["label"] == "Finance and ERP"
    assert graph.has_edge(("capability", "CORP-FIN"), ("capability", "CORP"), "part_of")
    assert graph.nodes["capability", "CORP"]["systems"] == 0
    flat = build_graph(matched, capability_parents=False)
    assert ("capability", "CORP") not in flat
    assert not any(k == "part_of" for *_, k in flat.edges(keys=True))


def test_inputs_are_not_mutated_and_row_order_does_not_matter():
    matched, inventory = small_estate()
    before = matched.copy()
    first = build_graph(matched, inventory=inventory)
    pd.testing.assert_frame_equal(matched, before)
    shuffled = matched.sample(frac=1, random_state=3)
    second = build_graph(shuffled, inventory=inventory)
    assert list(first.nodes(data=True)) == list(second.nodes(data=True))
    assert list(first.edges(keys=True, data=True)) == list(second.edges(keys=True, data=True))


def test_bad_input_is_refused_with_one_message_form():
    with pytest.raises(ParameterError, match="must be a pandas DataFrame"):
        build_graph([1, 2])
    with pytest.raises(ParameterError, match="lacks column"):
        build_graph(pd.DataFrame({"organisation": ["Eden"]}))
    with pytest.raises(ParameterError, match="blank values"):
        build_graph(pd.DataFrame({"organisation": ["Eden"], "system_key": [None]}))
    with pytest.raises(ParameterError, match="inventory"):
        build_graph(make_matched([dict(organisation="E", system_key="E/1")]), inventory="x")


def test_empty_matched_frame_gives_an_empty_graph():
    graph = build_graph(make_matched([]))
    assert graph.number_of_nodes() == 0


def test_nodes_and_edges_are_stored_as_networkx_would_store_them():
    # build_graph writes straight into networkx's dicts: the graph must be the one add_nodes_from and
    # add_edge make, with a key met twice, a repeated edge, a pair under two relations, missing ends
    # and a self-loop.
    from estate.graph import _add_edges, _add_nodes

    a, b, p, ghost = ("system", "A"), ("system", "B"), ("product", "P"), ("product", "ghost")
    ours = nx.MultiDiGraph()
    _add_nodes(ours, "system", pd.Series(["A", "B", "A"]),
               pd.DataFrame({"label": ["a", "b", None], "users": [1.0, np.nan, 5.0]}), ("label", "users"))
    provides = [{"relation": "provides", "confidence": 0.5}, {"relation": "provides"},
                {"relation": "provides", "method": "text"}, {"relation": "provides"}]
    _add_edges(ours, "provides", [a, b, a, a], [p, p, p, ghost], [dict(d) for d in provides])
    _add_edges(ours, "integrates_with", [a, b], [a, a])
    _add_edges(ours, "supplied_by", [a], [p])

    theirs = nx.MultiDiGraph()
    theirs.add_nodes_from([(a, {"kind": "system", "label": "a", "users": 1.0}), (b, {"kind": "system", "label": "b"}),
                           (a, {"kind": "system", "users": 5.0})])
    for source, target, data in zip([a, b, a, a], [p, p, p, ghost], provides):
        theirs.add_edge(source, target, "provides", **data)
    for source, target in [(a, a), (b, a)]:
        theirs.add_edge(source, target, "integrates_with", relation="integrates_with")
    theirs.add_edge(a, p, "supplied_by", relation="supplied_by")

    assert list(ours.nodes(data=True)) == list(theirs.nodes(data=True))
    assert list(ours.edges(keys=True, data=True)) == list(theirs.edges(keys=True, data=True))
    assert list(ours.in_edges(keys=True, data=True)) == list(theirs.in_edges(keys=True, data=True))
    assert ours.edges[a, p, "provides"] == {"relation": "provides", "confidence": 0.5, "method": "text"}
    for source, targets in ours._succ.items():
        for target, keyed in targets.items():
            assert ours._pred[target][source] is keyed  # one key dict, seen from both ends, as networkx keeps it


def test_edge_attributes_are_the_same_on_the_fast_path_and_the_general_one():
    from estate.graph import _EDGE_ATTRIBUTES, _edge_records, _records

    frame = pd.DataFrame({"product_confidence": [0.9, 1.0, 0.3],
                          "product_method": ["fuzzy", "exact alias", "unlisted"]})
    general = _records(frame, _EDGE_ATTRIBUTES["is_instance_of"], {"relation": "is_instance_of"})
    assert _edge_records(frame, "is_instance_of") == general
    assert [list(d) for d in _edge_records(frame, "is_instance_of")] == [list(d) for d in general]
    frame.loc[1, "product_confidence"] = np.nan
    assert _edge_records(frame, "is_instance_of")[1] == {"relation": "is_instance_of", "method": "exact alias"}


# --------------------------------------------------------------------------- files


def _comparable(graph: nx.MultiDiGraph) -> tuple[dict, dict]:
    nodes = {node_name(n): dict(d) for n, d in graph.nodes(data=True)}
    edges = {(node_name(u), node_name(v), k): dict(d) for u, v, k, d in graph.edges(keys=True, data=True)}
    return nodes, edges


@pytest.mark.parametrize("suffix", [".graphml", ".gexf", ".json"])
def test_each_format_reads_back_with_the_same_nodes_edges_and_attributes(tmp_path, suffix):
    matched, inventory = small_estate()
    graph = build_graph(matched, inventory=inventory)
    path = write_graph(graph, tmp_path / f"estate{suffix}")
    # With networkx's own readers: node ids are "kind:key" text.
    if suffix == ".graphml":
        raw = nx.read_graphml(path)
    elif suffix == ".gexf":
        raw = nx.read_gexf(path)
    else:
        raw = nx.node_link_graph(json.loads(path.read_text(encoding="utf-8")), edges="edges")
    assert raw.number_of_nodes() == graph.number_of_nodes()
    assert raw.number_of_edges() == graph.number_of_edges()
    assert "system:Eden/REV" in raw and "product:unlisted:Lalpac" in raw
    assert raw.nodes["system:Eden/REV"]["annual_cost"] == 85_000.0
    # With read_graph: tuples again, and every attribute as written.
    back = read_graph(path)
    nodes, edges = _comparable(graph)
    nodes_back, edges_back = _comparable(back)
    assert nodes_back == nodes
    assert edges_back == edges


def test_write_graph_converts_values_the_formats_refuse(tmp_path):
    graph = nx.MultiDiGraph()
    graph.add_node(("system", "a"), kind="system", label="A", when=pd.Timestamp("2027-03-31"),
                   missing=None, nan=float("nan"), inf=float("inf"), count=np.int64(3), flag=np.bool_(True),
                   parts=("x", "y"))
    path = write_graph(graph, tmp_path / "g.json")
    data = read_graph(path).nodes["system", "a"]
    assert data == {"kind": "system", "label": "A", "when": "2027-03-31", "count": 3, "flag": True,
                    "parts": "x; y"}
    assert graph.nodes["system", "a"]["missing"] is None  # the graph itself is not changed


def test_unknown_suffix_is_refused(tmp_path):
    graph = build_graph(make_matched([dict(organisation="E", system_key="E/1")]))
    with pytest.raises(ParameterError, match=r"\.graphml"):
        write_graph(graph, tmp_path / "estate.xml")
    with pytest.raises(ParameterError):
        read_graph(tmp_path / "estate.txt")


def test_a_large_estate_builds_quickly():
    import time

    rng = np.random.default_rng(0)
    n = 20_000
    orgs = np.array([f"Org {i:03d}" for i in range(60)], dtype=object)[rng.integers(0, 60, n)]
    matched = pd.DataFrame({
        "organisation": orgs,
        "system_key": orgs + "/" + pd.Series(np.arange(n)).astype(str).to_numpy(dtype=object),
        "system": "System",
        "product_id": np.array([f"p{i}" for i in range(500)], dtype=object)[rng.integers(0, 500, n)],
        "vendor_name": np.array([f"v{i}" for i in range(80)], dtype=object)[rng.integers(0, 80, n)],
        "capability_code": np.array(["CORP-FIN", "CORP-HR", "XC-EMAIL", "LG-REVBEN"], dtype=object)[
            rng.integers(0, 4, n)],
        "annual_cost": rng.lognormal(10, 1, n),
    })
    start = time.perf_counter()
    graph = build_graph(matched)
    assert time.perf_counter() - start < 10
    assert graph.number_of_edges() >= 3 * n


# --------------------------------------------------------------------------- several capabilities


def test_a_system_serving_several_capabilities_provides_each_its_cost_shared_once():
    # An ERP serving finance and HR (capability_codes, estate.coverage): one provides edge a capability,
    # the primary one marked and carrying the match's confidence; the cost shared in whole pennies with the
    # remainder to the primary capability (1,000.01 -> 500.01 + 500.00), the users not shared.
    matched = make_matched([
        dict(organisation="Eden", system_key="Eden/ERP", capability_code="CORP-FIN", annual_cost=1_000.01,
             users=40, capability_confidence=0.9, capability_method="catalogue"),
        dict(organisation="Carlisle", system_key="Carlisle/HR", capability_code="CORP-HR", annual_cost=300.0,
             users=10),
        dict(organisation="Carlisle", system_key="Carlisle/X", annual_cost=50.0, users=2),
    ])
    matched["capability_codes"] = ["CORP-FIN;CORP-HR", "CORP-HR", "CORP-FIN"]  # no capability_code: none
    G = build_graph(matched, capability_parents=False)
    erp, fin, hr = ("system", "Eden/ERP"), ("capability", "CORP-FIN"), ("capability", "CORP-HR")
    assert G.edges[erp, fin, "provides"] == {"relation": "provides", "confidence": 0.9, "method": "catalogue",
                                             "primary": True}
    assert G.edges[erp, hr, "provides"] == {"relation": "provides", "primary": False}
    assert G.edges[("system", "Carlisle/HR"), hr, "provides"]["primary"] is True
    assert not G.has_edge(("system", "Carlisle/X"), fin)
    assert sum(1 for *_, k in G.edges(keys=True) if k == "provides") == 3
    assert G.nodes[fin]["annual_cost"] == pytest.approx(500.01, abs=1e-9)
    assert G.nodes[hr]["annual_cost"] == pytest.approx(500.00 + 300.0, abs=1e-9)
    assert (G.nodes[fin]["systems"], G.nodes[hr]["systems"]) == (1, 2)
    assert (G.nodes[fin]["organisations"], G.nodes[hr]["organisations"]) == (1, 2)
    assert (G.nodes[fin]["users"], G.nodes[hr]["users"]) == (40, 50)
    # A sum over capabilities counts each system's cost once; the overlaps' capability table agrees.
    total = sum(d.get("annual_cost", 0.0) for _, d in G.nodes(data=True) if d["kind"] == "capability")
    assert total == pytest.approx(1_300.01, abs=1e-9)
    from estate.overlaps import find_overlaps

    hr_row = find_overlaps(matched).capability_overlaps.set_index("capability_code").loc["CORP-HR"]
    assert (hr_row["annual_cost"], hr_row["users"], hr_row["systems"]) == (800.0, 50.0, 2)
