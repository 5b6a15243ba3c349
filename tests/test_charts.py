"""Tests of estate.charts on a realistic small estate: titles, artists, units, limits and no warnings."""

from __future__ import annotations

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from estate import Inventory  # noqa: E402
from estate.charts import (  # noqa: E402
    KIND_STYLES,
    OKABE_ITO,
    format_money,
    plot_estate_graph,
    plot_overlap_heatmap,
    plot_partner_affinity,
    plot_vendor_concentration,
)
from estate.errors import ParameterError  # noqa: E402
from estate.graph import build_graph  # noqa: E402
from estate.overlaps import capability_matrix, find_overlaps, partner_affinity, vendor_spend  # noqa: E402
from estate.reference import load_capabilities, load_catalogue  # noqa: E402

# --------------------------------------------------------------------------- a realistic small estate

ORGANISATIONS = {
    "Allerdale": ("Allerdale Borough Council", "district council"),
    "Carlisle": ("Carlisle City Council", "district council"),
    "Eden": ("Eden District Council", "district council"),
    "Cumbria CC": ("Cumbria County Council", "county council"),
    "NCIC": ("North Cumbria Integrated Care NHS Foundation Trust", "NHS foundation trust"),
    "Constabulary": ("Cumbria Constabulary", "police"),
}

# (organisation, system, product id, annual cost £k, users, contract end, site)
SYSTEMS = [
    ("Allerdale", "Revenues and benefits", "capita-academy", 90, 45, "2027-08-31", None),
    ("Allerdale", "Financials", "unit4-erp", 51, 60, "2028-03-31", None),
    ("Allerdale", "HR and payroll", "itrent", 33, 400, "2029-06-30", None),
    ("Allerdale", "Planning", "idox-uniform", 97, 40, "2032-02-29", None),
    ("Allerdale", "Bins and rounds", "bartec-collective", 56, 30, "2029-03-31", None),
    ("Allerdale", "CRM", "dynamics-365-customer-service", 83, 80, "2029-03-31", None),
    ("Allerdale", "Payments", "pay360", 27, 20, "2026-03-31", None),
    ("Allerdale", "Corporate GIS", "arcgis", 26, 25, "2032-01-31", "Cumbria House Data Centre"),
    ("Allerdale", "Elections", "xpress", 30, 8, "2027-11-30", None),
    ("Allerdale", "Democracy", "modern-gov", 14, 15, "2031-03-31", None),
    ("Allerdale", "Email", "exchange-online", 40, 420, "2026-06-30", None),
    ("Carlisle", "Revs and Bens", "capita-academy", 110, 55, "2026-09-30", "Civic Centre server room"),
    ("Carlisle", "Finance", "unit4-erp", 70, 70, "2027-03-31", "Civic Centre server room"),
    ("Carlisle", "Payroll", "selima", 25, 650, "2026-12-31", None),
    ("Carlisle", "Uniform", "idox-uniform", 120, 50, "2028-06-30", "Civic Centre server room"),
    ("Carlisle", "Waste", "whitespace", 45, 35, "2027-03-31", None),
    ("Carlisle", "Customer portal", "jadu-cxm", 60, 90, "2028-03-31", None),
    ("Carlisle", "Income management", "civica-pay", 30, 25, "2029-03-31", None),
    ("Carlisle", "GIS", "arcgis", 30, 30, "2030-03-31", "Civic Centre server room"),
    ("Carlisle", "Electoral register", "xpress", 28, 10, "2026-11-30", None),
    ("Carlisle", "Licensing", "unlisted:Lalpac", 15, 12, None, "Civic Centre server room"),
    ("Carlisle", "Mail", "exchange-server", 20, 650, None, "Civic Centre server room"),
    ("Carlisle", "IT service desk", "topdesk", 18, 20, "2027-06-30", None),
    ("Eden", "Revenues", "civica-openrevenues", 75, 30, "2027-03-31", "Cumbria House Data Centre"),
    ("Eden", "Finance", "civica-financials", 40, 35, "2026-03-31", None),
    ("Eden", "HR", "itrent", 20, 280, "2029-06-30", None),
    ("Eden", "Planning", "tascomi", 40, 25, "2028-09-30", None),
    ("Eden", "Waste", "bartec-collective", 35, 20, "2029-03-31", None),
    ("Eden", "Online forms", "firmstep", 25, 40, "2027-03-31", None),
    ("Eden", "Card payments", "civica-pay", 15, 12, "2029-03-31", None),
    ("Eden", "Elections", "xpress", 20, 6, "2027-11-30", None),
    ("Eden", "Email", "exchange-online", 25, 280, "2026-06-30", None),
    ("Eden", "Committees", "modern-gov", 10, 10, "2031-03-31", None),
    ("Cumbria CC", "Oracle ERP", "oracle-fusion-erp", 420, 900, "2030-03-31", None),
    ("Cumbria CC", "Oracle HCM", "oracle-fusion-hcm", 180, 6_500, "2030-03-31", None),
    ("Cumbria CC", "Children's social care", "liquidlogic-lcs", 350, 900, "2028-03-31", "Cumbria House Data Centre"),
    ("Cumbria CC", "Adults' social care", "liquidlogic-las", 380, 1_100, "2028-03-31", "Cumbria House Data Centre"),
    ("Cumbria CC", "Education management", "capita-one", 210, 450, "2026-08-31", "Cumbria House Data Centre"),
    ("Cumbria CC", "Highways asset management", "confirm", 95, 120, "2027-03-31", None),
    ("Cumbria CC", "Customer service", "salesforce-service-cloud", 160, 300, "2029-03-31", None),
    ("Cumbria CC", "Service desk", "servicenow-itsm", 140, 150, "2028-03-31", None),
    ("Cumbria CC", "GIS", "arcgis", 60, 200, "2030-03-31", "Cumbria House Data Centre"),
    ("Cumbria CC", "Email", "exchange-online", 150, 6_500, "2026-06-30", None),
    ("Cumbria CC", "Reporting", "tableau", 45, 120, "2027-09-30", None),
    ("Cumbria CC", "Legacy reporting", "sap-businessobjects", 30, 60, "2026-09-30", "Cumbria House Data Centre"),
    ("Cumbria CC", "Payments", "pay360", 50, 80, "2026-03-31", None),
    ("Cumbria CC", "Backup", "veeam-backup-replication", 60, 10, "2027-12-31", "Cumbria House Data Centre"),
    ("NCIC", "Electronic patient record", "oracle-health-millennium", 1_800, 6_000, "2031-03-31",
     "Cumberland Infirmary Data Centre"),
    ("NCIC", "Pathology", "winpath", 220, 300, "2027-03-31", "Cumberland Infirmary Data Centre"),
    ("NCIC", "Maternity", "k2-athena", 90, 250, "2028-03-31", "Cumberland Infirmary Data Centre"),
    ("NCIC", "Rostering", "healthroster", 130, 5_000, "2029-03-31", None),
    ("NCIC", "ESR", "nhs-esr", 0, 6_500, None, None),
    ("NCIC", "IT service desk", "servicenow-itsm", 120, 120, "2027-09-30", None),
    ("NCIC", "Telephony", "mivoice-business", 70, 6_000, "2026-12-31", "Cumberland Infirmary Data Centre"),
    ("NCIC", "Backup", "veeam-backup-replication", 80, 12, "2027-06-30", "Cumberland Infirmary Data Centre"),
    ("NCIC", "Shared care record", "carecentric", 150, 2_000, "2028-03-31", None),
    ("Constabulary", "Records management", "niche-rms", 600, 1_200, "2029-03-31", "Carleton Hall Data Centre"),
    ("Constabulary", "Command and control", "storm", 400, 300, "2028-03-31", "Carleton Hall Data Centre"),
    ("Constabulary", "Finance", "unit4-erp", 120, 80, "2027-03-31", "Carleton Hall Data Centre"),
    ("Constabulary", "Service desk", "topdesk", 35, 30, "2026-12-31", None),
    ("Constabulary", "Email", "exchange-server", 60, 1_800, None, "Carleton Hall Data Centre"),
    ("Constabulary", "Backup", "veeam-backup-replication", 30, 6, "2027-12-31", "Carleton Hall Data Centre"),
    ("Constabulary", "GIS", "arcgis", 25, 40, "2030-03-31", "Carleton Hall Data Centre"),
    ("Constabulary", "Business intelligence", "cognos", 40, 90, "2027-03-31", None),
    ("Constabulary", "Telephony", "mivoice-business", 55, 1_800, "2026-12-31", "Carleton Hall Data Centre"),
    ("Constabulary", "Custody", "in-house", 45, 200, None, "Carleton Hall Data Centre"),
]

SITES = [  # (organisation, site, type, annual cost, racks, utilisation)
    ("Carlisle", "Civic Centre server room", "server room", 48_000, 5, 0.60),
    ("Cumbria CC", "Cumbria House Data Centre", "data centre", 420_000, 40, 0.22),
    ("NCIC", "Cumberland Infirmary Data Centre", "data centre", 310_000, 24, 0.55),
    ("Constabulary", "Carleton Hall Data Centre", "data centre", 110_000, 10, 0.40),
    ("Cumbria CC", "County Offices Kendal server room", "server room", 65_000, 6, 0.45),
]

FLOWS = [  # (source organisation, system, target organisation, system)
    ("Allerdale", "Revenues and benefits", "Allerdale", "Financials"),
    ("Allerdale", "CRM", "Allerdale", "Revenues and benefits"),
    ("Allerdale", "Payments", "Allerdale", "Financials"),
    ("Carlisle", "Revs and Bens", "Carlisle", "Finance"),
    ("Carlisle", "Customer portal", "Carlisle", "Revs and Bens"),
    ("Carlisle", "Income management", "Carlisle", "Finance"),
    ("Carlisle", "Customer portal", "Cumbria CC", "Children's social care"),
    ("Cumbria CC", "Customer service", "Cumbria CC", "Children's social care"),
    ("Cumbria CC", "Customer service", "Cumbria CC", "Adults' social care"),
    ("Cumbria CC", "Adults' social care", "Cumbria CC", "Oracle ERP"),
    ("Cumbria CC", "Oracle HCM", "Cumbria CC", "Oracle ERP"),
    ("NCIC", "Electronic patient record", "NCIC", "Pathology"),
    ("NCIC", "Electronic patient record", "NCIC", "Maternity"),
    ("NCIC", "Electronic patient record", "NCIC", "Shared care record"),
    ("Cumbria CC", "Adults' social care", "NCIC", "Shared care record"),
    ("Constabulary", "Command and control", "Constabulary", "Records management"),
    ("Constabulary", "Records management", "Constabulary", "Custody"),
    ("Constabulary", "Records management", "Cumbria CC", "Children's social care"),
]


def realistic_estate() -> tuple[pd.DataFrame, Inventory]:
    """Six Cumbrian bodies and 66 systems with real product names (illustrative costs), matched."""
    catalogue = load_catalogue().set_index("product_id")
    names = load_capabilities().set_index("code")["name"]
    rows = pd.DataFrame(SYSTEMS, columns=["short", "system", "product_id", "cost_k", "users", "contract_end",
                                          "site"])
    rows["organisation"] = rows["short"].map(lambda s: ORGANISATIONS[s][0])
    rows["system_key"] = rows["organisation"] + "/" + rows["system"]
    in_house = rows["product_id"].eq("in-house")
    rows.loc[in_house, "product_id"] = "in-house:" + rows.loc[in_house, "system_key"]
    listed = rows["product_id"].isin(catalogue.index)
    rows["product_name"] = rows["product_id"].map(catalogue["product"])
    rows.loc[rows["product_id"].str.startswith("unlisted:"), "product_name"] = rows["product_id"].str[9:]
    rows.loc[in_house, "product_name"] = rows.loc[in_house, "system"] + " (in-house)"
    rows["vendor_name"] = rows["product_id"].map(catalogue["vendor"])
    rows.loc[rows["product_id"] == "unlisted:Lalpac", "vendor_name"] = "Lalpac"
    rows["capability_code"] = rows["product_id"].map(catalogue["capability"])
    rows.loc[rows["product_id"] == "unlisted:Lalpac", "capability_code"] = "ESD-95"
    rows.loc[in_house, "capability_code"] = "POL-CUSTODY"
    rows["capability_name"] = rows["capability_code"].map(names)
    sites = pd.DataFrame(SITES, columns=["short", "site", "site_type", "annual_cost", "racks", "utilisation"])
    sites["organisation"] = sites["short"].map(lambda s: ORGANISATIONS[s][0])
    sites["site_key"] = sites["organisation"] + "/" + sites["site"]
    site_keys = sites.set_index("site")["site_key"]
    matched = pd.DataFrame({
        "organisation": rows["organisation"], "system_key": rows["system_key"], "system": rows["system"],
        "product_id": rows["product_id"], "product_name": rows["product_name"],
        "vendor_name": rows["vendor_name"], "capability_code": rows["capability_code"],
        "capability_name": rows["capability_name"], "annual_cost": rows["cost_k"].astype("float64") * 1_000,
        "users": rows["users"].astype("float64"), "contract_end": pd.to_datetime(rows["contract_end"]),
        "site": rows["site"], "site_key": rows["site"].map(site_keys),
        "product_confidence": np.where(listed, 0.95, 0.6), "capability_confidence": 0.9,
        "match_confidence": np.where(listed, 0.9, 0.6),
    })
    key_of = dict(zip(zip(rows["short"], rows["system"]), rows["system_key"]))
    flows = pd.DataFrame({
        "organisation": [ORGANISATIONS[a][0] for a, *_ in FLOWS], "source": [s for _, s, _, _ in FLOWS],
        "target": [t for *_, t in FLOWS], "source_key": [key_of[(a, s)] for a, s, _, _ in FLOWS],
        "target_key": [key_of[(b, t)] for _, _, b, t in FLOWS], "listed_in": "Integrations"})
    organisations = pd.DataFrame({"organisation": [v[0] for v in ORGANISATIONS.values()],
                                  "short_name": list(ORGANISATIONS), "sector": [v[1] for v in ORGANISATIONS.values()]})
    inventory = Inventory(organisations=organisations, sites=sites.drop(columns="short"), integrations=flows)
    return matched, inventory


@pytest.fixture(scope="module")
def estate():
    matched, inventory = realistic_estate()
    return matched, inventory, find_overlaps(matched, inventory, as_of="2026-04-01")


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def _all_texts(ax) -> list[str]:
    """The Axes' texts, with wrapped lines joined again."""
    return [" ".join(t.get_text().split()) for t in ax.texts]


# --------------------------------------------------------------------------- the fixture itself


def test_the_realistic_estate_has_overlaps_to_draw(estate):
    matched, _, overlaps = estate
    assert len(matched) == 66 and matched["organisation"].nunique() == 6
    assert matched["capability_code"].notna().all()
    assert len(overlaps.capability_overlaps) >= 10
    assert len(overlaps.shared_products) >= 8
    assert overlaps.site_overlaps["is_shared"].any() and overlaps.site_overlaps["is_under_used"].any()
    assert overlaps.internal_duplicates["capability_code"].tolist() == ["XC-BI"]


# --------------------------------------------------------------------------- each chart


def test_overlap_heatmap(estate):
    _, _, overlaps = estate
    ax = plot_overlap_heatmap(overlaps, top=12)
    assert ax.get_title(loc="left") == "Capability overlaps: annual run cost"
    assert len(ax.images) == 1
    rows, columns = ax.images[0].get_array().shape
    assert (rows, columns) == (12, 6)
    assert [t.get_text() for t in ax.get_xticklabels()][:2] == ["Allerdale", "Carlisle"]  # short names
    first = ax.get_yticklabels()[0].get_text()
    assert first == overlaps.capability_overlaps["capability_name"].iloc[0][:38]
    cells = [t for t in _all_texts(ax) if t.startswith("£")]
    assert len(cells) == int(np.count_nonzero(ax.images[0].get_array().filled(0)))
    assert len(ax.figure.axes) == 2  # the heatmap and its colour bar
    colourbar = ax.figure.axes[1]
    assert colourbar.get_ylabel() == "Annual run cost (£)"
    ax.figure.canvas.draw()
    assert all(t.get_text().startswith("£") for t in colourbar.get_yticklabels() if t.get_text())


def test_overlap_heatmap_from_a_matrix_limits_rows_and_columns():
    matched, _ = realistic_estate()
    ax = plot_overlap_heatmap(capability_matrix(matched), top=5, max_organisations=4, annotate=False)
    assert ax.images[0].get_array().shape == (5, 4)
    assert not [t for t in _all_texts(ax) if t.startswith("£")]
    assert "4 of 6 organisations" in _all_texts(ax)[0]


def test_overlap_heatmap_with_nothing_shared_says_so():
    matched = pd.DataFrame({"organisation": ["A"], "system_key": ["A/1"], "capability_code": ["CORP-FIN"]})
    ax = plot_overlap_heatmap(capability_matrix(matched))
    assert "No capability" in " ".join(_all_texts(ax))


def test_partner_affinity_network(estate):
    _, _, overlaps = estate
    ax = plot_partner_affinity(overlaps)
    assert ax.get_title(loc="left") == "Partner affinity: who shares capability spend"
    groups = overlaps.partner_groups["group"].nunique()
    scatters = [c for c in ax.collections if c.__class__.__name__ == "PathCollection"]
    lines = [c for c in ax.collections if c.__class__.__name__ == "LineCollection"]
    assert len(scatters) == groups and len(lines) == 1
    assert sum(len(s.get_offsets()) for s in scatters) == 6
    links = overlaps.partner_affinity.loc[overlaps.partner_affinity["shared_spend"] > 0]
    assert len(lines[0].get_segments()) == len(links)
    widths = lines[0].get_linewidths()
    assert max(widths) == pytest.approx(8.0)
    labels = _all_texts(ax)[1:]
    assert sorted(labels) == sorted(ORGANISATIONS)
    assert len(ax.get_legend().get_texts()) == groups
    # Circle areas follow run cost: the NHS trust is the largest.
    sizes = {tuple(np.round(o, 6)): s for c in scatters for o, s in zip(c.get_offsets(), c.get_sizes())}
    assert max(sizes.values()) == pytest.approx(80 + 1500)


def test_partner_affinity_from_matched_or_affinity_and_limits(estate):
    matched, _, _ = estate
    ax = plot_partner_affinity(matched, max_partners=3, max_links=2)
    lines = [c for c in ax.collections if c.__class__.__name__ == "LineCollection"]
    assert len(lines[0].get_segments()) <= 2
    assert len(_all_texts(ax)) - 1 == 3
    assert "3 of 6 partners" in _all_texts(ax)[0]
    ax = plot_partner_affinity(partner_affinity(matched))
    assert "spend shared with others" in _all_texts(ax)[0]


def test_vendor_concentration(estate):
    _, _, overlaps = estate
    ax = plot_vendor_concentration(overlaps.vendor_spend, top=10)
    assert len(ax.patches) == 10
    twin = [other for other in ax.figure.axes if other is not ax][0]
    assert len(twin.lines) == 1
    line = twin.lines[0].get_ydata()
    assert np.all(np.diff(line) >= 0) and line[-1] <= 1
    assert line[-1] == pytest.approx(overlaps.vendor_spend["cumulative_share"].iloc[9])
    title = ax.get_title(loc="left")
    assert title.startswith("Vendor concentration: the top 10 vendors take")
    assert f"{len(overlaps.vendor_spend)} vendors" in _all_texts(ax)[0]
    assert "HHI" in _all_texts(ax)[0]
    ax.figure.canvas.draw()
    assert all(t.get_text().startswith("£") for t in ax.get_yticklabels() if t.get_text())
    assert all(t.get_text().endswith("%") for t in twin.get_yticklabels() if t.get_text())
    assert all(len(t.get_text()) <= 22 for t in ax.get_xticklabels())
    assert len(plot_vendor_concentration(overlaps).patches) == 15
    assert len(plot_vendor_concentration(vendor_spend(estate[0]), top=3).patches) == 3


def test_estate_graph_drawing(estate):
    matched, inventory, _ = estate
    graph = build_graph(matched, inventory=inventory, capability_parents=False)
    assert graph.number_of_nodes() > 80
    ax = plot_estate_graph(graph, max_nodes=80)
    scatters = [c for c in ax.collections if c.__class__.__name__ == "PathCollection"]
    drawn = sum(len(s.get_offsets()) for s in scatters)
    assert drawn <= 80
    assert f"{drawn} of {graph.number_of_nodes()} nodes" in _all_texts(ax)[0]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(legend) == len(scatters) + 1  # the node kinds, then the integrations
    assert [text.split(" (")[0] for text in legend] == [
        "organisation", "system", "product", "vendor", "capability", "site", "integration"]
    # Columns by kind: organisations left of systems, left of capabilities, products, vendors.
    columns = {text.split(" (")[0]: set(np.round(s.get_offsets()[:, 0], 6)) for text, s in zip(legend, scatters)}
    assert columns["organisation"] == {0.0} and columns["system"] == {1.0} and columns["vendor"] == {4.0}
    lines = [c for c in ax.collections if c.__class__.__name__ == "LineCollection"]
    assert len(lines) == 1 and len(lines[0].get_segments()) > drawn
    labels = [t for t in ax.texts[1:] if t.get_text() not in ("Systems", "Capabilities", "Products", "Vendors")]
    assert len(labels) == drawn + 1  # every node, and the first column's heading
    whole = plot_estate_graph(graph, max_nodes=500)
    assert sum(len(c.get_offsets()) for c in whole.collections
               if c.__class__.__name__ == "PathCollection") == graph.number_of_nodes()


def test_estate_graph_labels_do_not_overlap(estate):
    matched, inventory, _ = estate
    ax = plot_estate_graph(build_graph(matched, inventory=inventory, capability_parents=False))
    renderer = ax.figure.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts[1:]]
    overlapping = [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if a.overlaps(b)]
    assert not overlapping


# --------------------------------------------------------------------------- conventions


def test_every_chart_draws_on_a_given_axes_and_returns_it(estate):
    matched, inventory, overlaps = estate
    figure, axes = plt.subplots(2, 2, figsize=(16, 12))
    calls = [lambda ax: plot_overlap_heatmap(overlaps, ax=ax), lambda ax: plot_partner_affinity(overlaps, ax=ax),
             lambda ax: plot_vendor_concentration(overlaps, ax=ax),
             lambda ax: plot_estate_graph(build_graph(matched, inventory=inventory), ax=ax, max_nodes=40)]
    for call, ax in zip(calls, axes.flat):
        assert call(ax) is ax
        assert ax.get_title(loc="left")
    assert all(ax.figure is figure for ax in axes.flat)


def test_money_format_and_palette():
    assert format_money(9_999) == "£9,999"
    assert format_money(10_000) == "£10k"
    assert format_money(1_250_000) == "£1.2m"
    assert format_money(-45_000) == "-£45k"
    assert format_money(float("nan")) == ""
    assert len(set(OKABE_ITO)) == 8
    assert len({colour for colour, _ in KIND_STYLES.values()}) == len(KIND_STYLES)
    assert len({marker for _, marker in KIND_STYLES.values()}) == len(KIND_STYLES)


def test_bad_arguments_raise_parameter_errors(estate):
    _, _, overlaps = estate
    with pytest.raises(ParameterError, match="'top' parameter of plot_overlap_heatmap"):
        plot_overlap_heatmap(overlaps, top=0)
    with pytest.raises(ParameterError, match="overlaps_or_matrix"):
        plot_overlap_heatmap([1, 2])
    with pytest.raises(ParameterError, match="vendor_spend"):
        plot_vendor_concentration(pd.DataFrame({"x": [1]}))
    with pytest.raises(ParameterError, match="graph"):
        plot_estate_graph("graph")
    with pytest.raises(ParameterError, match="matched_or_affinity"):
        plot_partner_affinity(42)


def test_importing_estate_does_not_import_matplotlib():
    code = ("import sys, estate, estate.graph, estate.overlaps, estate.charts; "
            "print('matplotlib' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
