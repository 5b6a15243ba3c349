"""Reading registers as IT teams send them, habits found in tests/data/east-lancashire (tools/make_east_lancashire.py):
subtotal rows however labelled, a header over two rows, a ``Supplier / Product`` column, two columns that both
read as one field, dates with a remark, and an organisation named only in a title or the file's name."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd

from estate.reading import read_inventory, split_vendor_product


def _xlsx(path: Path, rows: list[list[object]], sheet: str = "Sheet1", merges: tuple[str, ...] = ()) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    for merge in merges:
        ws.merge_cells(merge)
    wb.save(path)
    return path


def _problems(inventory, problem: str) -> pd.DataFrame:
    issues = inventory.issues
    return issues[issues["problem"].str.startswith(problem)]


def test_subtotal_rows_labelled_by_what_they_total_are_not_systems(tmp_path):
    # "Total Service Delivery": a label, then figures only; "Total Mobile" with a supplier stays a system.
    path = _xlsx(tmp_path / "fire.xlsx", [
        ["System", "Supplier", "Annual cost"],
        ["Mobilising", "Systel", 185000],
        ["Total Mobile", "Totalmobile", 12000],
        ["Total Service Delivery", None, 197000],
        ["Finance", "Unit4", 62000],
        ["Total ICT", None, "£62,000"],
    ])
    inventory = read_inventory(path)
    assert sorted(inventory.systems["system"]) == ["Finance", "Mobilising", "Total Mobile"]
    assert inventory.systems["annual_cost"].sum() == 185000 + 12000 + 62000
    skipped = _problems(inventory, "totals row skipped")
    assert sorted(skipped["source_row"].tolist()) == [4, 6]


def test_a_subtotal_row_is_found_by_its_sum_whatever_its_label(tmp_path):
    # "Clinical systems: 3" totals the three rows above it (£1.2m + £240k + 'incl.'), after a blank row a new block.
    path = _xlsx(tmp_path / "trust.xlsx", [
        ["Application", "Supplier", "Annual Revenue Cost", "Contract Expiry"],
        ["EPR", "Oracle Health", "£1.2m", "31/03/2027"],
        ["LIMS", "Clinisys", "£240k", "31/03/2028"],
        ["ePMA", "Oracle Health", "incl. in EPR", "31/03/2027"],
        ["Clinical systems: 3", None, 1_440_000, None],
        [],
        ["Ledger", "Oracle", "£160,000", "31/03/2027"],
        ["Rostering", "RLDatix", 115000, "31/03/2028"],
        ["Corporate systems: 2", None, 275000, None],
        ["Costing", None, 28000, None],  # a system named and costed only: the sum above is not its cost
    ])
    inventory = read_inventory(path)
    assert sorted(inventory.systems["system"]) == ["Costing", "EPR", "LIMS", "Ledger", "Rostering", "ePMA"]
    assert inventory.systems["annual_cost"].sum() == 1_200_000 + 240_000 + 160_000 + 115_000 + 28_000
    skipped = _problems(inventory, "subtotal row skipped")
    assert sorted(skipped["source_row"].tolist()) == [5, 9]


def test_a_header_over_two_rows_with_merged_group_cells(tmp_path):
    path = _xlsx(tmp_path / "bwd.xlsx", [
        ["Blackburn with Darwen Borough Council"],
        ["Application", "Supplier", "Contract", None, "Annual cost (£)", None, "Users"],
        [None, None, "Start", "End", "Licence / subscription", "Support & maint.", None],
        ["Finance", "Oracle", dt.datetime(2022, 4, 1), dt.datetime(2029, 3, 31), 210000, None, 240],
        ["Planning", "NEC", dt.datetime(2012, 4, 1), 46477, 54000, 16000, 70],
    ], merges=("A2:A3", "B2:B3", "C2:D2", "E2:F2", "G2:G3"))
    inventory = read_inventory(path)
    systems = inventory.systems.set_index("system")
    assert len(systems) == 2  # the second header row is not a system
    assert systems.loc["Finance", "licence_cost"] == 210000
    assert systems.loc["Planning", "support_cost"] == 16000
    assert systems.loc["Planning", "annual_cost"] == 70000
    assert systems.loc["Planning", "contract_end"] == pd.Timestamp("2027-03-31")  # Excel serial 46477
    assert pd.Timestamp(systems.loc["Finance", "extra: Contract Start"]) == pd.Timestamp("2022-04-01")
    assert systems.loc["Finance", "users"] == 240
    assert not (inventory.issues["severity"] == "error").any()


def test_supplier_and_product_in_one_column_are_both_read(tmp_path):
    path = _xlsx(tmp_path / "burnley.xlsx", [
        ["Ref", "System Name", "Supplier / Product", "Annual Cost"],
        ["1", "Uniform", "Idox / Uniform", 66000],
        ["2", "Revs & Bens", "Capita / Academy Revenues & Benefits", 128000],
        ["3", "Recruitment", "Jobs Go Public", 4000],
    ])
    systems = read_inventory(path).systems.set_index("system")
    assert systems.loc["Uniform", ["vendor", "product"]].tolist() == ["Idox", "Uniform"]
    assert systems.loc["Revs & Bens", ["vendor", "product"]].tolist() == ["Capita", "Academy Revenues & Benefits"]
    assert pd.isna(systems.loc["Recruitment", "vendor"])
    assert systems.loc["Recruitment", "product"] == "Jobs Go Public"
    assert split_vendor_product("Oracle Health - Millennium") == ("Oracle Health", "Millennium")


def test_of_two_columns_read_as_one_field_the_closer_wording_wins(tmp_path):
    # "Service Area" (a department) and "Business Function" both read as capability: the function is it.
    path = _xlsx(tmp_path / "register.xlsx", [
        ["Service Area", "System Name", "Business Function", "Annual Cost"],
        ["Policy & Engagement", "Committee management", "Agendas, minutes, decisions", 5650],
    ])
    inventory = read_inventory(path)
    row = inventory.systems.iloc[0]
    assert row["capability"] == "Agendas, minutes, decisions"
    assert row["extra: Service Area"] == "Policy & Engagement"


def test_more_header_wordings_of_real_registers(tmp_path):
    path = tmp_path / "trust.csv"
    path.write_text("Application;Product / Module;Annual Revenue Cost;Renewal\n"
                    "PACS;Sectra IDS7;£310,000;31/03/2028\n", encoding="utf-8")
    row = read_inventory(path).systems.iloc[0]
    assert row["product"] == "Sectra IDS7"
    assert row["annual_cost"] == 310000
    assert row["contract_end"] == pd.Timestamp("2028-03-31")


def test_a_date_with_a_remark_in_brackets_is_read_and_the_remark_said(tmp_path):
    path = tmp_path / "trust.csv"
    path.write_text("System,Contract end\nEPR,31/03/2027 (ext +1+1)\nPAS,Mar 2028 [to be retendered]\n",
                    encoding="utf-8")
    inventory = read_inventory(path)
    ends = inventory.systems.set_index("system")["contract_end"]
    assert ends["EPR"] == pd.Timestamp("2027-03-31")
    assert ends["PAS"] == pd.Timestamp("2028-03-31")
    notes = inventory.issues[inventory.issues["column"] == "contract_end"].sort_values("source_row")
    assert notes["problem"].tolist() == [
        "date read as 31 Mar 2027; '(ext +1+1)' left out (an option to extend is not assumed taken)",
        "date read as 31 Mar 2028; '[to be retendered]' left out"]


def test_an_organisation_named_alone_in_the_title_is_the_files(tmp_path):
    path = _xlsx(tmp_path / "ict-register-2026.xlsx", [
        ["Burnley Borough Council"],
        ["ICT Application Register 2026/27"],
        [],
        ["System", "Supplier", "Annual cost"],
        ["Uniform", "Idox", 66000],
    ])
    assert read_inventory(path).systems["organisation"].tolist() == ["Burnley Borough Council"]


def test_the_organisations_sheet_settles_names_from_file_names_and_department_columns(tmp_path):
    (tmp_path / "organisations.csv").write_text(
        "Organisation,Short name\nEast Lancashire Hospitals NHS Trust,ELHT\nRossendale Borough Council,Rossendale\n",
        encoding="utf-8")
    # The trust's file names it by its short name only; Rossendale's has a Department column and a title.
    (tmp_path / "ELHT_applications.csv").write_text("Application,Supplier\nEPR,Oracle Health\n", encoding="utf-8")
    (tmp_path / "systems-list.csv").write_bytes(
        ("Rossendale Borough Council \u2013 IT systems list\n;;\nSystem;Department;Users\n"
         "Civica Financials;Finance;30\nMitel MiVoice;ICT;all staff\n").encode("cp1252"))
    inventory = read_inventory(tmp_path)
    by_system = inventory.systems.set_index("system")
    assert by_system.loc["EPR", "organisation"] == "East Lancashire Hospitals NHS Trust"
    assert by_system.loc["Civica Financials", "organisation"] == "Rossendale Borough Council"
    assert by_system.loc["Mitel MiVoice", "organisation"] == "Rossendale Borough Council"
    assert by_system.loc["Mitel MiVoice", "extra: Department"] == "ICT"
    warned = _problems(inventory, "column 'Department' names none of the organisations")
    assert warned["source_file"].tolist() == ["systems-list.csv"]
    # Without the Organisations sheet a Department column still reads as the organisation (as documented).
    (tmp_path / "organisations.csv").unlink()
    assert sorted(read_inventory(tmp_path).systems["organisation"].unique()) == [
        "ELHT applications", "Finance", "ICT"]


def test_a_first_data_row_with_a_stray_cell_is_not_a_second_header_row(tmp_path):
    # "Payroll | MHR | ... | x": text only, one cell under a blank heading, but far from any group.
    path = _xlsx(tmp_path / "stray.xlsx", [
        ["System", "Vendor", None, None, "Annual cost"],
        ["Payroll", "MHR", None, "x", None],
        ["Finance", "Unit4", None, None, 1000],
    ])
    assert sorted(read_inventory(path).systems["system"]) == ["Finance", "Payroll"]
