"""Reorganisation: successor columns, their data issues, boundaries, vesting and divided systems."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import estate
from estate.reorganisation import check_reorganisation, system_successors
from estate.template import write_template

ORGANISATIONS = """Organisation,Short name,Successor,Vesting date
Shire County Council,Shire,North Shire Council; South Shire Council,01/04/2028
Northtown District Council,Northtown,North Shire Council,01/04/2028
Southtown District Council,Southtown,South Shire Council,01/04/2028
"""

SYSTEMS = """Organisation,System,Product,Capability,Annual cost,Contract end,Successor,Shared with,Data partitioning
Shire,Adult social care,Liquidlogic Adults,Adult social care,400000,31/03/2029,,,monolithic
Shire,Highways,Confirm,Highways,100000,31/03/2028,North Shire Council,,segmented
Northtown,Revenues,Capita Academy,Revenues and benefits,90000,31/03/2027,,Southtown,
Southtown,Finance,Unit4,Finance,50000,31/03/2030,South Shire Council,,single database
"""


def _place(folder: Path, organisations: str = ORGANISATIONS, systems: str = SYSTEMS) -> Path:
    (folder / "organisations.csv").write_text(organisations, encoding="utf-8")
    (folder / "systems.csv").write_text(systems, encoding="utf-8")
    return folder


def _reorg_issues(inventory: estate.Inventory) -> pd.DataFrame:
    issues = inventory.issues
    return issues[issues["column"].isin(["successor", "shared_with", "vesting_date"])]


def test_columns_are_read(tmp_path):
    inv = estate.read_inventory(_place(tmp_path))
    systems = inv.systems.set_index("system")
    assert systems.loc["Highways", "successor"] == "North Shire Council"
    assert systems.loc["Revenues", "shared_with"] == "Southtown"
    assert systems.loc["Adult social care", "data_partitioning"] == "monolithic"
    assert systems.loc["Finance", "data_partitioning"] == "monolithic"  # 'single database' is a synonym
    assert systems.loc["Highways", "data_partitioning"] == "segmented"
    orgs = inv.organisations.set_index("organisation")
    assert orgs.loc["Shire County Council", "successor"] == "North Shire Council; South Shire Council"
    assert orgs.loc["Shire County Council", "vesting_date"] == pd.Timestamp("2028-04-01")
    assert _reorg_issues(inv).empty  # a clean reorganisation has no data issue


def test_divided_and_shared_systems(tmp_path):
    inv = estate.read_inventory(_place(tmp_path))
    table = system_successors(inv.systems, inv.organisations).set_index("system_key")
    county = "Shire County Council/"
    # The divided county's system with no successor of its own goes to both.
    assert table.loc[county + "Adult social care", "successors"] == "North Shire Council; South Shire Council"
    assert table.loc[county + "Adult social care", "divided"]
    # Its own successor overrides the county's two.
    assert table.loc[county + "Highways", "successors"] == "North Shire Council"
    assert not table.loc[county + "Highways", "divided"]
    # A shared instance between districts going different ways is divided; the sharer's short name is read.
    revenues = table.loc["Northtown District Council/Revenues"]
    assert revenues["divided"] and revenues["shared"]
    assert revenues["sharers"] == "Southtown District Council"
    assert revenues["host"] == "North Shire Council"
    assert not table.loc["Southtown District Council/Finance", "divided"]


def test_system_successor_not_of_its_organisation(tmp_path):
    systems = SYSTEMS.replace("Southtown,Finance,Unit4,Finance,50000,31/03/2030,South Shire Council",
                              "Southtown,Finance,Unit4,Finance,50000,31/03/2030,North Shire Council")
    issues = _reorg_issues(estate.read_inventory(_place(tmp_path, systems=systems)))
    assert len(issues) == 1
    row = issues.iloc[0]
    assert (row["source_file"], row["source_row"], row["column"], row["severity"]) == (
        "systems.csv", 5, "successor", "warning")
    assert "North Shire Council is not one of its organisation's successors (South Shire Council)" in row["problem"]


def test_two_vesting_dates_for_one_successor(tmp_path):
    organisations = ORGANISATIONS.replace("Southtown District Council,Southtown,South Shire Council,01/04/2028",
                                          "Southtown District Council,Southtown,South Shire Council,01/04/2027")
    issues = _reorg_issues(estate.read_inventory(_place(tmp_path, organisations=organisations)))
    # The county and Southtown both name South Shire, with different dates: both rows are reported.
    assert sorted(issues["source_row"].tolist()) == [2, 4]
    assert set(issues["problem"]) == {"successor South Shire Council is given 2 vesting dates: 01/04/2027, 01/04/2028"}
    assert set(issues["column"]) == {"vesting_date"}


def test_sharer_that_is_not_an_organisation(tmp_path):
    systems = SYSTEMS.replace(",Southtown,\n", ",Southtown; Nowhere Council,\n")
    issues = _reorg_issues(estate.read_inventory(_place(tmp_path, systems=systems)))
    assert issues[["source_row", "column", "problem"]].values.tolist() == [
        [4, "shared_with", "shared with an organisation that is not in the inventory: Nowhere Council"]]


def test_past_vesting_date_is_valid(tmp_path):
    organisations = ORGANISATIONS.replace("01/04/2028", "01/04/2023")
    inv = estate.read_inventory(_place(tmp_path, organisations=organisations))
    assert _reorg_issues(inv).empty


def test_check_without_reorganisation_columns():
    systems = pd.DataFrame({"source_file": "a.csv", "source_sheet": "", "source_row": [2],
                            "organisation": ["A"], "system": ["x"]})
    assert check_reorganisation(None, systems).empty
    assert check_reorganisation(pd.DataFrame({"organisation": ["A"]}), systems).empty


def test_template_has_reorganisation_drop_downs(tmp_path):
    path = write_template(tmp_path / "collection.xlsx")
    book = openpyxl.load_workbook(path)
    headers = [c.value for c in book["Systems"][1]]
    for name in ("successor", "shared_with", "data_partitioning"):
        assert name in headers
    organisations = [c.value for c in book["Organisations"][1]]
    assert organisations[:1] == ["organisation"] and "successor" in organisations and "vesting_date" in organisations
    successor_col = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[organisations.index("successor")]

    def source(header: str) -> str:
        letter = openpyxl.utils.get_column_letter(headers.index(header) + 1)
        for dv in book["Systems"].data_validations.dataValidation:
            if any(str(r).startswith(f"{letter}2") for r in dv.sqref.ranges):
                return dv.formula1
        raise AssertionError(header)

    assert source("successor") == f"Organisations!${successor_col}$2:${successor_col}$2001"
    assert source("shared_with") == "Organisations!$A$2:$A$2001"
    assert source("data_partitioning") == '"segmented,monolithic"'
