"""The bundled sample place, inventories/cumbria: deterministic, up to date, and read as documented."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from estate.reading import read_inventory
from places import contents as file_contents
from places import load_tool

ROOT = Path(__file__).resolve().parents[1]
PLACE = ROOT / "inventories" / "cumbria"
GENERATOR = ROOT / "tools" / "make_cumbria.py"


make_cumbria = load_tool(GENERATOR)


def contents(folder: Path) -> dict[str, object]:
    """Every file's content as values: workbook cells (and state) sheet by sheet, CSV and Markdown as bytes."""
    return file_contents(folder, (".csv", ".md"))


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> dict[str, object]:
    folder = tmp_path_factory.mktemp("cumbria")
    make_cumbria.generate(folder)
    return contents(folder)


@pytest.fixture(scope="module")
def inventory():
    return read_inventory([PLACE])


def test_generator_is_deterministic(fresh, tmp_path):
    make_cumbria.generate(tmp_path)
    assert contents(tmp_path) == fresh


def test_committed_files_equal_a_fresh_generation(fresh):
    committed = contents(PLACE)
    assert sorted(committed) == sorted(fresh), "regenerate with: python tools/make_cumbria.py"
    for name in fresh:
        assert committed[name] == fresh[name], f"{name} is stale: python tools/make_cumbria.py"


def test_csv_is_windows_1252_with_pound_signs():
    raw = (PLACE / "copeland-bc-systems.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "£" in raw.decode("cp1252")


def test_thirteen_organisations_each_with_40_to_150_systems(inventory):
    counts = inventory.systems.groupby("organisation").size()
    assert set(counts.index) == {o.name for o in make_cumbria.ORGS}
    assert set(inventory.organisations["organisation"]) == set(counts.index)
    assert counts.between(40, 150).all(), counts.to_dict()


def test_every_workbook_says_it_is_illustrative():
    for path in PLACE.glob("*.xlsx"):
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            top = " ".join(str(v) for row in ws.iter_rows(max_row=4, values_only=True) for v in row if v)
            assert "ILLUSTRATIVE" in top, f"{path.name} / {ws.title}"
    assert "ILLUSTRATIVE" in (PLACE / "copeland-bc-systems.csv").read_bytes().decode("cp1252").splitlines()[0]
    assert "not real" in (PLACE / "README.md").read_text(encoding="utf-8")


def test_warnings_and_errors_are_exactly_the_deliberate_ones(inventory):
    issues = inventory.issues
    bad = issues[issues["severity"].isin(["warning", "error"])]
    found = {(r.source_file, int(r.source_row), r.column) for r in bad.itertuples()}
    assert found == set(make_cumbria.EXPECTED_ISSUES)
    assert not (issues["severity"] == "error").any()


def test_deliberate_problems_are_documented():
    readme = (PLACE / "README.md").read_text(encoding="utf-8")
    for problem in make_cumbria.DELIBERATE:
        assert f"`{problem['file']}`" in readme
        assert f"| {problem['row']} |" in readme


def test_reorganisation_successors(inventory):
    orgs = inventory.organisations.set_index("organisation")
    assert orgs.loc["Carlisle City Council", "successor"] == "Cumberland Council"
    assert orgs.loc["Eden District Council", "successor"] == "Westmorland and Furness Council"
    assert orgs.loc["Cumbria County Council", "successor"] == "Cumberland Council; Westmorland and Furness Council"
    assert orgs.loc["Cumbria Fire and Rescue Service", "successor"] == "Westmorland and Furness Council"
    assert pd.isna(orgs.loc["Cumbria Constabulary", "successor"])
    assert orgs.loc["Allerdale Borough Council", "vesting_date"] == pd.Timestamp("2023-04-01")
