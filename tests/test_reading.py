"""Tests of estate.reading: layouts, values, links, issues and nothing lost."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from estate.errors import InputFileError, NoHeaderError, ParameterError
from estate.reading import read_header_map, read_inventory
from estate.schema import SYSTEMS


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # text typed by a person, not a formula
    wb.save(path)
    return path


def issues_at(inventory, row: int, column: str | None = None) -> pd.DataFrame:
    issues = inventory.issues
    mask = issues["source_row"].eq(row).fillna(False)
    if column is not None:
        mask &= issues["column"].eq(column)
    return issues[mask]


# ------------------------------------------------------------------------------------------------
# Layouts


def test_csv_with_title_rows_totals_and_notes(tmp_path):
    text = (
        "Eden District Council - IT applications register\n"   # line 1: title
        "Organisation: Eden District Council\n"                 # line 2: labelled cell
        "\n"                                                     # line 3: blank
        "Application Name,Supplier,Annual Cost (£),No. of Users,Contract Expiry\n"  # line 4: header
        "Revenues & Benefits,Capita,\"£85,000\",40,31/03/2027\n"  # line 5
        ",,,,\n"                                                 # line 6: blank
        "Finance,Unit4,120k,55,Mar 2028\n"                       # line 7
        "Total,,205000,95,\n"                                    # line 8: totals
        "Costs exclude VAT and are annual.\n"                    # line 9: note
    )
    path = tmp_path / "eden.csv"
    path.write_text(text, encoding="utf-8")
    inv = read_inventory(path)
    systems = inv.systems.sort_values("source_row")
    assert systems["source_row"].tolist() == [5, 7]
    assert systems["organisation"].unique().tolist() == ["Eden District Council"]
    assert systems["annual_cost"].tolist() == [85000.0, 120000.0]
    assert systems["users"].tolist() == [40.0, 55.0]
    assert systems["contract_end"].tolist() == [pd.Timestamp("2027-03-31"), pd.Timestamp("2028-03-31")]
    assert systems["source_sheet"].tolist() == ["", ""]
    assert issues_at(inv, 8)["problem"].tolist() == ["totals row skipped"]
    assert issues_at(inv, 9)["problem"].tolist() == ["note row skipped"]
    assert not inv.has_problems


def test_xlsx_header_below_titles_extra_columns_and_excel_rows(tmp_path):
    path = write_xlsx(tmp_path / "carlisle-city-council.xlsx", {
        "App Inventory": [
            ["Carlisle City Council ICT"],
            [],
            [None, "System Name", "Vendor", "Licence", "Support", "Comments", "Contract End Date"],
            [None, "Planning", "Idox", 40000, 12000, "moving to cloud", dt.datetime(2027, 6, 30)],
            [None, "Waste", "Bartec", "£8.5k", "1,500", None, "2026/27"],
        ]
    })
    inv = read_inventory(path)
    s = inv.systems.set_index("system")
    assert s.loc["Planning", "source_row"] == 4 and s.loc["Waste", "source_row"] == 5
    assert s.loc["Planning", "organisation"] == "Carlisle City Council"  # from the file name
    assert s.loc["Planning", "annual_cost"] == 52000.0  # 40,000 + 12,000: no stated total
    assert s.loc["Waste", "annual_cost"] == 10000.0  # 8,500 + 1,500
    assert s.loc["Waste", "contract_end"] == pd.Timestamp("2027-03-31")  # FY 2026/27 ends 31 March 2027
    assert s.loc["Planning", "extra: Comments"] == "moving to cloud"
    extra = inv.issues[inv.issues["column"] == "Comments"]
    assert extra["severity"].tolist() == ["info"] and extra["source_row"].tolist() == [3]
    assert set(inv.systems["source_sheet"]) == {"App Inventory"}


def test_combined_file_with_organisation_column(tmp_path):
    path = write_xlsx(tmp_path / "blue-light.xlsx", {
        "Systems": [
            ["Organisation", "System", "Product", "Annual cost"],
            ["Cumbria Constabulary", "RMS", "Niche RMS", 400000],
            ["Cumbria Fire and Rescue Service", "Mobilising", "Systel", 150000],
            ["Cumbria Constabulary", "HR", "iTrent", 90000],
        ]
    })
    inv = read_inventory(path)
    counts = inv.systems.groupby("organisation").size().to_dict()
    assert counts == {"Cumbria Constabulary": 2, "Cumbria Fire and Rescue Service": 1}
    assert inv.summary().loc["Cumbria Constabulary", "annual_cost"] == 490000.0


def test_encodings_cp1252_and_bom(tmp_path):
    body = "System,Annual cost\nCouncil Tax,£12,500\n".replace("£12,500", '"£12,500"')
    (tmp_path / "a.csv").write_bytes(body.encode("cp1252"))
    (tmp_path / "b.csv").write_bytes(body.encode("utf-8-sig"))
    inv = read_inventory(tmp_path)
    assert inv.systems["annual_cost"].tolist() == [12500.0, 12500.0]
    assert sorted(inv.systems["organisation"]) == ["A", "B"]  # file names, title-cased
    assert inv.files == ("a.csv", "b.csv")


def test_csv_source_row_counts_every_line_even_inside_quotes(tmp_path):
    text = 'System,Notes about it\n"Finance","two\nlines"\nPayroll,x\n'
    (tmp_path / "x.csv").write_text(text, encoding="utf-8")
    inv = read_inventory(tmp_path / "x.csv")
    rows = inv.systems.set_index("system")["source_row"].to_dict()
    assert rows == {"Finance": 2, "Payroll": 4}


def test_sheet_per_organisation(tmp_path):
    path = write_xlsx(tmp_path / "districts.xlsx", {
        "Allerdale": [["System", "Vendor"], ["Finance", "Civica"]],
        "Copeland": [["System", "Vendor"], ["Finance", "Unit4"]],
    })
    inv = read_inventory(path)
    assert sorted(inv.systems["organisation"]) == ["Allerdale", "Copeland"]


# ------------------------------------------------------------------------------------------------
# Values and issues


def test_unreadable_value_keeps_the_row_and_names_file_sheet_row_column(tmp_path):
    path = write_xlsx(tmp_path / "copeland.xlsx", {
        "Systems": [["System", "Annual cost", "Contract end", "Users"],
                    ["Planning", "£12,5oo", "31/02/2027", "1-100"]],
    })
    inv = read_inventory(path)
    assert inv.systems["system"].tolist() == ["Planning"]
    assert np.isnan(inv.systems.loc[0, "annual_cost"])
    assert inv.systems.loc[0, "users"] == 51.0  # the band's midpoint, (1 + 100) / 2 rounded half up
    cost = issues_at(inv, 2, "annual_cost").iloc[0]
    assert (cost["source_file"], cost["sheet"], cost["severity"], cost["value"]) == (
        "copeland.xlsx", "Systems", "warning", "£12,5oo")
    assert issues_at(inv, 2, "contract_end")["value"].tolist() == ["31/02/2027"]
    assert issues_at(inv, 2, "users")["severity"].tolist() == ["warning"]
    assert inv.has_problems


def test_row_without_system_or_product_is_an_error_not_a_system(tmp_path):
    path = write_xlsx(tmp_path / "o.xlsx", {
        "Systems": [["System", "Product", "Vendor", "Annual cost"],
                    ["Finance", "Unit4 ERP", "Unit4", 1000],
                    [None, "Idox Uniform", "Idox", 2000],
                    [None, None, "Capita", 3000]],
    })
    inv = read_inventory(path)
    assert sorted(inv.systems["system"]) == ["Finance", "Idox Uniform"]
    assert issues_at(inv, 3, "system")["severity"].tolist() == ["warning"]
    error = issues_at(inv, 4)
    assert error["severity"].tolist() == ["error"] and "not loaded" in error["problem"].iloc[0]


def test_duplicate_rows_are_reported_and_kept(tmp_path):
    path = write_xlsx(tmp_path / "o.xlsx", {
        "Systems": [["System", "Annual cost"], ["Finance", 10], ["Payroll", 5], ["Finance", 10]],
    })
    inv = read_inventory(path)
    assert len(inv.systems) == 3
    assert inv.systems["system_key"].tolist() == ["O/Finance", "O/Finance#2", "O/Payroll"]  # the file o.xlsx
    dup = issues_at(inv, 4)
    assert dup["problem"].tolist() == ["duplicate of row 2: both kept, check it is not counted twice"]


def test_annual_cost_that_disagrees_with_breakdown_is_flagged(tmp_path):
    path = write_xlsx(tmp_path / "o.xlsx", {"Systems": [
        ["System", "Licence cost", "Support cost", "Annual cost"], ["A", 100, 50, 150], ["B", 100, 50, 300]]})
    inv = read_inventory(path)
    assert inv.systems.set_index("system")["annual_cost"].to_dict() == {"A": 150.0, "B": 300.0}
    assert issues_at(inv, 3, "annual_cost")["severity"].tolist() == ["warning"]
    assert issues_at(inv, 2).empty


def test_hosting_that_names_a_site(tmp_path):
    path = write_xlsx(tmp_path / "o.xlsx", {"Systems": [
        ["System", "Hosting"], ["A", "On Prem"], ["B", "Kendal DC"], ["C", "Software as a Service"]]})
    s = read_inventory(path).systems.set_index("system")
    assert s["hosting"].to_dict() == {"A": "on-premises", "B": "named site", "C": "saas"}
    assert s.loc["B", "site"] == "Kendal DC"


# ------------------------------------------------------------------------------------------------
# Links


def test_contracts_integrations_and_sites_link_to_systems(tmp_path):
    path = write_xlsx(tmp_path / "barrow.xlsx", {
        "Systems": [["System ID", "System", "Integrates with", "Site"],
                    ["B-1", "Finance", "Payroll; Ghost", "Town Hall"],
                    ["B-2", "Payroll", None, None]],
        "Contracts": [["Contract ref", "System", "Supplier", "End date"],
                      ["C1", "B-1", "Unit4", "2028-03-31"],
                      ["C2", "payroll", "MHR", "2027-03-31"],
                      ["C3", "B-9", "Nobody", "2027-03-31"]],
        "Integrations": [["From", "To", "Method"], ["Payroll", "Finance", "file"]],
        "Sites": [["Site name", "Annual cost", "Utilisation"], ["Town Hall", 20000, "30%"]],
    })
    inv = read_inventory(path)
    contracts = inv.contracts.set_index("contract_id")["system_key"]
    assert contracts["C1"] == "Barrow/B-1" and contracts["C2"] == "Barrow/B-2" and pd.isna(contracts["C3"])
    assert "refers to system 'B-9'" in issues_at(inv, 4, "system")["problem"].iloc[0]
    edges = set(zip(inv.integrations["source_key"], inv.integrations["target_key"].fillna("-")))
    assert edges == {("Barrow/B-2", "Barrow/B-1"), ("Barrow/B-1", "Barrow/B-2"), ("Barrow/B-1", "-")}
    assert "Ghost" in issues_at(inv, 2, "integrations")["value"].tolist()
    assert inv.systems.set_index("system").loc["Finance", "site_key"] == "Barrow/Town Hall"
    assert inv.sites.loc[0, "utilisation"] == pytest.approx(0.30)


# ------------------------------------------------------------------------------------------------
# Header mapping by the user


def test_header_map_from_a_file_and_as_an_argument(tmp_path):
    path = write_xlsx(tmp_path / "o.xlsx", {"Systems": [["System", "Yearly outlay"], ["A", "£1k"]]})
    plain = read_inventory(path)
    assert plain.systems["annual_cost"].isna().all()
    assert "extra: Yearly outlay" in plain.systems
    mapping = tmp_path / "headers.csv"
    mapping.write_text("header,field\nYearly outlay,systems.annual_cost\n", encoding="utf-8")
    assert read_inventory(path, header_map=mapping).systems["annual_cost"].tolist() == [1000.0]
    assert read_inventory(path, header_map={"Yearly outlay": "annual_cost"}).systems["annual_cost"].tolist() == [
        1000.0]
    assert read_header_map(mapping) == {"Yearly outlay": "systems.annual_cost"}
    with pytest.raises(ParameterError, match="not an inventory column"):
        read_inventory(path, header_map={"Yearly outlay": "colour"})


# ------------------------------------------------------------------------------------------------
# Bad files


def test_no_header_is_a_one_line_error(tmp_path):
    path = write_xlsx(tmp_path / "letter.xlsx", {"Sheet1": [["Dear consultant,"], ["Please find attached."]]})
    with pytest.raises(NoHeaderError) as info:
        read_inventory(path)
    assert str(info.value).startswith("letter.xlsx: ") and "\n" not in str(info.value)


def test_keep_going_loads_the_other_files(tmp_path):
    write_xlsx(tmp_path / "good.xlsx", {"Systems": [["System", "Vendor"], ["A", "B"]]})
    (tmp_path / "bad.xlsx").write_bytes(b"this is not a workbook at all")
    with pytest.raises(InputFileError, match="bad.xlsx"):
        read_inventory(tmp_path)
    inv = read_inventory(tmp_path, keep_going=True)
    assert inv.systems["system"].tolist() == ["A"]
    bad = inv.issues[inv.issues["source_file"] == "bad.xlsx"]
    assert bad["severity"].tolist() == ["error"] and bad["problem"].str.startswith("file not read").all()
    assert inv.files == ("good.xlsx",)


# ------------------------------------------------------------------------------------------------
# Determinism


def test_row_and_file_order_do_not_change_what_is_read(tmp_path):
    rows = [["System", "Vendor", "Annual cost", "Integrates with"]] + [
        [f"S{i}", f"V{i % 3}", 1000 * i, f"S{(i + 1) % 6}"] for i in range(6)] + [["S1", "V1", 1000, "S2"]]
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    write_xlsx(a / "x.xlsx", {"Systems": rows})
    write_xlsx(a / "y.xlsx", {"Systems": rows[:3]})
    shuffled = [rows[0]] + random.Random(4).sample(rows[1:], len(rows) - 1)
    write_xlsx(b / "y.xlsx", {"Systems": [rows[0], rows[2], rows[1]]})
    write_xlsx(b / "x.xlsx", {"Systems": shuffled})

    def content(inv):
        drop = ["source_row"]
        s = inv.systems.drop(columns=drop).reset_index(drop=True)
        i = inv.integrations[["source_key", "target_key"]].sort_values(["source_key", "target_key"])
        return s, i.reset_index(drop=True)

    (s1, i1), (s2, i2) = content(read_inventory(a)), content(read_inventory(b))
    pd.testing.assert_frame_equal(s1, s2)
    pd.testing.assert_frame_equal(i1, i2)


def test_files_read_together_are_read_as_each_alone(tmp_path):
    # Columns are parsed once over all the files: that must give what reading each file alone gives.
    together = tmp_path / "together"
    together.mkdir()
    write_xlsx(together / "alpha.xlsx", {"Systems": [
        ["System", "Vendor", "Annual cost", "Hosting", "Notes"],
        ["Revenues", "Capita", "£12k", "Civic Centre", 3],
        ["Payroll", "Unit4", "lots", "SaaS", 4.5],
        ["Planning", "Idox", "TBC", "", None],
    ]})
    write_xlsx(together / "beta.xlsx", {"Systems": [
        ["Organisation: Beta Council"],
        ["System", "Organisation", "Contract end", "Annual cost", "Notes"],
        ["Finance", "", "31/02/2027", 5000, "keep"],
        ["Revenues", "Beta Council", "2027/28", "-0", None],
        ["Revenues 2", "Beta Council", dt.datetime(2027, 3, 31), "0", "x"],
    ]})
    (together / "gamma.csv").write_text("System,Users,Hosting\nHR,1-100,on premise\nCRM,lots,County DC\n",
                                        encoding="utf-8")
    inv = read_inventory(together)
    alone = [read_inventory(path) for path in sorted(together.iterdir())]

    systems = pd.concat([a.systems for a in alone], ignore_index=True)
    systems = systems.sort_values(["organisation", "system_key"], kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(inv.systems, systems[inv.systems.columns])
    notes = inv.systems.set_index("system")["extra: Notes"]
    assert notes[["Revenues 2", "Finance", "Payroll"]].tolist() == ["x", "keep", 4.5]

    def rows(issues):
        return sorted(issues.astype(str).itertuples(index=False, name=None))

    assert rows(inv.issues) == rows(pd.concat([a.issues for a in alone]))
    assert issues_at(inv, 3, "organisation")["problem"].tolist() == [
        "organisation blank: taken as 'Beta Council' from the file"]
    assert inv.systems.set_index("system").loc["Revenues", "site"].tolist() == ["Civic Centre", np.nan]


def test_row_fingerprint_is_the_hash_of_each_row_as_text():
    # Duplicates and repeated system keys go by a hash of the row as text; floats are converted once per
    # distinct value, which must not merge -0.0 with 0.0 nor change any text.
    from estate.reading import _fingerprint

    frame = pd.DataFrame({
        "source_file": ["a", "b", "c", "d", "e"],
        "system": ["A", "A", None, "B", "B"],
        "annual_cost": [-0.0, 0.0, np.nan, 1e20, 0.1 + 0.2],
        "users": [1.0, 1.0, 2.5, np.nan, 3.0],
        "contract_end": pd.to_datetime(["2027-03-31", None, "2027-03-31", "2030-01-01", None]),
    })
    expected = pd.util.hash_pandas_object(frame.drop(columns="source_file").astype(str), index=False)
    pd.testing.assert_series_equal(_fingerprint(frame), expected)
    assert _fingerprint(frame)[0] != _fingerprint(frame)[1]


# ------------------------------------------------------------------------------------------------
# Nothing lost, nothing invented: a property test over randomly messy layouts

_WORDINGS = {
    "system": ["System", "Application Name", "APP NAME", "system_name"],
    "vendor": ["Vendor", "Supplier", "supplier name"],
    "annual_cost": ["Annual cost", "Annual Cost (£)", "Total annual cost", "cost p.a."],
    "users": ["Users", "No. of Users", "number_of_users"],
}
_COSTS = st.one_of(st.integers(0, 10**7), st.sampled_from(["£12,500", "12.5k", "£1.2m", "TBC", "£12,5oo", "",
                                                           "(1,200)", "lots", "=1+1", "-5"]))
_NAMES = st.text(alphabet="abcdefghij XYZ-&'=+@", min_size=1, max_size=12).filter(lambda s: s.strip() != "")


@st.composite
def messy_sheets(draw):
    columns = draw(st.permutations(list(_WORDINGS)))
    headers = [draw(st.sampled_from(_WORDINGS[c])) for c in columns]
    n = draw(st.integers(1, 25))
    data = []
    for _ in range(n):
        kind = draw(st.sampled_from(["full", "full", "full", "no-name", "name-only"]))
        row = {"system": draw(_NAMES), "vendor": draw(_NAMES), "annual_cost": draw(_COSTS),
               "users": draw(st.one_of(st.integers(0, 5000), st.sampled_from(["1-100", "50,000+", "many"])))}
        if kind == "no-name":
            row["system"] = None
        elif kind == "name-only":
            row = {"system": row["system"]}
        data.append([row.get(c) for c in columns])
    titles = draw(st.integers(0, 3))
    blanks = draw(st.lists(st.integers(0, n), max_size=3))
    totals = draw(st.booleans())
    csv = draw(st.booleans())
    return columns, headers, data, titles, sorted(blanks), totals, csv


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(messy_sheets())
def test_every_data_row_is_in_systems_or_an_error_exactly_once(tmp_path, sheet):
    columns, headers, data, titles, blanks, totals, as_csv = sheet
    rows: list[list[object]] = [[f"Title line {t}"] for t in range(titles)] + [headers]
    data_rows: list[int] = []
    for i, row in enumerate(data):
        if i in blanks:
            rows.append([])
        rows.append(row)
        data_rows.append(len(rows))  # the 1-based row number a spreadsheet shows
    if totals:
        rows.append(["Total"] + [None] * (len(columns) - 1))
    import tempfile

    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    if as_csv:
        import csv as csvlib

        with open(folder / "org.csv", "w", newline="", encoding="utf-8") as fh:
            csvlib.writer(fh).writerows([["" if v is None else v for v in r] for r in rows])
    else:
        write_xlsx(folder / "org.xlsx", {"Systems": rows})
    inv = read_inventory(folder)
    loaded = inv.systems["source_row"].tolist()
    errors = inv.issues.loc[inv.issues["severity"].eq("error"), "source_row"].dropna().astype(int).tolist()
    assert len(loaded) == len(set(loaded)), "a row loaded twice"
    assert not set(loaded) & set(errors), "a row both loaded and refused"
    assert sorted(loaded + errors) == data_rows
    # Nothing invented: each system's name is the one written in its own row (white space tidied).
    written = {row: " ".join(str(r[columns.index("system")]).split()) for row, r in zip(data_rows, data)}
    read = dict(zip(inv.systems["source_row"], inv.systems["system"]))
    assert read == {row: written[row] for row in read}


def test_template_examples_are_skipped_with_a_note(tmp_path):
    from estate.template import write_template
    from estate.template_examples import EXAMPLE_NOTE

    path = write_template(tmp_path / "template.xlsx")
    inv = read_inventory(path)
    assert len(inv.systems) == len(inv.contracts) == len(inv.sites) == len(inv.organisations) == 0
    assert not inv.has_problems, inv.issues.to_string()
    notes = inv.issues[inv.issues["problem"] == EXAMPLE_NOTE]
    # Two example rows on each of the five sheets, each accounted for by its sheet and row.
    assert sorted(zip(notes["sheet"], notes["source_row"], strict=True)) == sorted(
        (sheet, row) for sheet in ("Systems", "Contracts", "Integrations", "Sites", "Organisations") for row in (2, 3))


def test_template_examples_are_valid_data_once_edited(tmp_path):
    from estate.template import write_template

    path = write_template(tmp_path / "template.xlsx")
    book = openpyxl.load_workbook(path)
    edits = {"Systems": ("exit_cost", 1234), "Contracts": ("exit_cost", 1234), "Sites": ("exit_cost", 1234),
             "Integrations": ("frequency", "weekly"), "Organisations": ("employees", 700)}
    for sheet, (header, value) in edits.items():  # an example row with one value changed is data
        ws = book[sheet]
        column = [c.value for c in ws[1]].index(header) + 1
        for row in (2, 3):
            ws.cell(row, column, value)
    book.save(path)
    inv = read_inventory(path)
    assert len(inv.systems) == 2
    assert not inv.has_problems, inv.issues.to_string()
    example = {f.name: f.example[0] for f in SYSTEMS.fields}
    first = inv.systems.sort_values("source_row").iloc[0]
    assert first["system"] == example["system"]
    assert first["annual_cost"] == example["annual_cost"]
    assert first["contract_end"] == pd.Timestamp(example["contract_end"])
    assert len(inv.contracts) == 2 and len(inv.sites) == 2 and len(inv.organisations) == 2


def test_routine_readings_are_notes_not_warnings(tmp_path):
    path = write_xlsx(tmp_path / "o.xlsx", {"Systems": [
        ["System", "Annual cost", "Contract end", "Hosting"],
        ["A", "TBC", "2027/28", "Hosted by supplier"],
    ]})
    inv = read_inventory(path)
    assert not inv.has_problems
    notes = issues_at(inv, 2).set_index("column")
    assert notes.loc["annual_cost", "problem"] == "no value given: left blank"
    assert notes.loc["contract_end", "severity"] == "info"
    assert inv.systems.loc[0, "hosting"] == "cloud"
    assert inv.systems.loc[0, "contract_end"] == pd.Timestamp("2028-03-31")


# ------------------------------------------------------------------------------------------------
# Formulas without saved values


def test_formulas_without_saved_values_are_reported_not_read_as_silent_blanks(tmp_path):
    # openpyxl saves formulas without the values Excel would have calculated: they read as blank.
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Systems"
    ws.append(["Inventory of Eden"])
    ws.append(["Organisation", "System", "Product", "Annual cost", "Users", "Notes"])
    ws.append(["Eden District Council", "Revenues", "Capita Academy", 85000, 40, "ok"])
    ws.append(["Eden District Council", "Finance", "Unit4 ERP", "=D3*2", 10, "=1+1"])
    ws.append(["Eden District Council", "CRM", "Salesforce", 40000, "=E3", None])
    wb.save(tmp_path / "eden.xlsx")
    inventory = read_inventory(tmp_path / "eden.xlsx")
    found = inventory.issues[inventory.issues["problem"].str.contains("formula with no saved value")]
    assert found[["source_row", "column", "severity", "value"]].values.tolist() == [
        [4, "annual_cost", "warning", "D4"], [4, "extra: Notes", "warning", "F4"], [5, "users", "warning", "E5"]]
    assert (found["source_file"] == "eden.xlsx").all() and (found["sheet"] == "Systems").all()
    finance = inventory.systems.set_index("system").loc["Finance"]
    assert pd.isna(finance["annual_cost"]) and finance["users"] == 10


def test_formulas_with_saved_values_and_empty_text_results_are_not_reported(tmp_path):
    import xlsxwriter

    book = xlsxwriter.Workbook(str(tmp_path / "eden.xlsx"))
    ws = book.add_worksheet("Systems")
    ws.write_row(0, 0, ["Organisation", "System", "Product", "Annual cost", "Notes"])
    ws.write_row(1, 0, ["Eden District Council", "Revenues", "Capita Academy"])
    ws.write_formula(1, 3, "=40000*2", None, 80000)
    ws.write_formula(1, 4, '=""', None, "")  # an empty text result, saved as <v></v>
    book.close()
    # XlsxWriter writes the empty result without t="str", as Excel would not: mark it as Excel does.
    import zipfile

    with zipfile.ZipFile(tmp_path / "eden.xlsx") as z:
        parts = {name: z.read(name) for name in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    assert '<c r="E2"><f>""</f><v></v></c>' in sheet
    parts["xl/worksheets/sheet1.xml"] = sheet.replace('<c r="E2">', '<c r="E2" t="str">').encode()
    with zipfile.ZipFile(tmp_path / "excel.xlsx", "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    (tmp_path / "eden.xlsx").unlink()
    inventory = read_inventory(tmp_path)
    assert not inventory.issues["problem"].str.contains("formula").any()
    assert inventory.systems["annual_cost"].tolist() == [80000.0]


# ------------------------------------------------------------------------------------------------
# NHS registers as information-governance and finance teams keep them (tests/data/lincolnshire)


def test_an_information_asset_register_is_read_as_systems(tmp_path):
    # The DSPT asset register: "Information Asset" names the system, on a sheet called "IAR", beside IG columns.
    path = write_xlsx(tmp_path / "trust-iar.xlsx", {"IAR": [
        ["Organisation: Lincoln Trust"],
        ["Asset ID", "Information Asset", "IAO", "Contains PID", "Supplier", "Hosting", "Annual cost",
         "Licensed users"],
        ["IA-01", "Medway PAS (System C)", "COO", "Y", "System C", "On-premise", "£612,000", 3400],
        ["IA-02", "ESR", "Director of People", "Y", "NHSBSA", "N3/HSCN", "NHSE funded", "all staff"],
    ]})
    inv = read_inventory(path)
    systems = inv.systems.set_index("system")
    assert sorted(systems.index) == ["ESR", "Medway PAS (System C)"]
    assert systems.loc["Medway PAS (System C)", "system_id"] == "IA-01"
    assert systems.loc["Medway PAS (System C)", "users"] == 3400  # "Licensed users"
    # "On-premise" (singular, as NHS registers write it) is on the premises, not a site called "On-premise";
    # N3/HSCN is a national network service, off the premises.
    assert systems["hosting"].to_dict() == {"ESR": "cloud", "Medway PAS (System C)": "on-premises"}
    # A cost another body pays is nothing to this organisation, and said so.
    assert systems.loc["ESR", "annual_cost"] == 0
    said = issues_at(inv, 4, "annual_cost")
    assert said["problem"].str.startswith("paid by another body").tolist() == [True]


def test_a_finance_contracts_list_is_read_as_systems(tmp_path):
    text = ("Contract Ref,Supplier,Contract Title,Category,End Date,Annual Value (£)\n"
            "IT-001,TPP,SystmOne Community,Clinical system,31/03/2027,\"£402,000\"\n"
            "IT-002,OneAdvanced,Adastra,Clinical system,30/09/2026,£86.5k\n")
    path = tmp_path / "contracts.csv"
    path.write_text(text, encoding="utf-8")
    systems = read_inventory(path).systems
    assert systems["system"].tolist() == ["Adastra", "SystmOne Community"]
    assert systems["annual_cost"].tolist() == [86500, 402000]


def test_hosting_under_a_cost_group_is_the_hosting_cost(tmp_path):
    # A header over two rows: "Costs (£ p.a.)" over Licence, Support, Hosting; a Hosting column of its own after.
    path = tmp_path / "register.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Applications"
    ws.append(["Application", "Costs (£ p.a.)", None, None, "Hosting"])
    ws.append([None, "Licence", "Support", "Hosting", None])
    ws.append(["ePCR", 265000, 48000, 31000, "Cloud"])
    ws.merge_cells("B1:D1")
    ws.merge_cells("A1:A2")
    ws.merge_cells("E1:E2")
    wb.save(path)
    inv = read_inventory(path)
    row = inv.systems.iloc[0]
    assert (row["licence_cost"], row["support_cost"], row["hosting_cost"]) == (265000, 48000, 31000)
    assert row["annual_cost"] == 344000
    assert row["hosting"] == "cloud"
    assert not inv.issues["problem"].str.contains("repeats a column").any()


def test_a_row_pasted_again_under_a_new_id_is_reported(tmp_path):
    path = write_xlsx(tmp_path / "iar.xlsx", {"Systems": [
        ["Asset ID", "System", "Supplier", "Annual cost"],
        ["IA-027", "Datix (DCIQ)", "RLDatix", 58200],
        ["IA-028", "Power BI", "Microsoft", 24900],
        ["IA-041", "Datix (DCIQ)", "RLDatix", 58200],
    ]})
    inv = read_inventory(path)
    assert len(inv.systems) == 3  # kept: the register may mean two systems
    said = issues_at(inv, 4, "system_id")
    assert said["problem"].tolist() == ["same as row 2 (id IA-027) in every column but its id: both kept, check it "
                                        "is not one system counted twice"]
    assert said["severity"].tolist() == ["warning"]


@pytest.mark.parametrize(("cell", "level"), [("Cat 1", "critical"), ("Category 2", "high"), ("cat 3", "medium")])
def test_business_continuity_categories_are_criticality(cell, level):
    from estate.values import parse_column
    assert parse_column(pd.Series([cell]), SYSTEMS.field("criticality")).values.tolist() == [level]


def test_a_heading_that_joins_two_wordings_of_one_field_is_that_field(tmp_path):
    path = write_xlsx(tmp_path / "icb.xlsx", {"Asset Register": [
        ["Asset Ref", "Asset Name", "Supplier / Product", "Location / Hosting", "Status"],
        ["A-1", "Care Portal", "Graphnet Health / CareCentric", "Supplier hosted", "Live"],
        ["A-2", "Old telephony", "Avaya / Aura", "On-premise", "Decommissioning"],
    ]})
    inv = read_inventory(path)
    systems = inv.systems.set_index("system")
    assert systems["hosting"].to_dict() == {"Care Portal": "cloud", "Old telephony": "on-premises"}
    assert systems["lifecycle"].to_dict() == {"Care Portal": "live", "Old telephony": "end-of-life"}
    assert not inv.issues["problem"].str.contains("Location / Hosting").any()


def test_paper_and_shared_drive_assets_of_an_asset_register_are_reported_not_loaded(tmp_path):
    path = write_xlsx(tmp_path / "icb.xlsx", {"Asset Register": [
        ["Asset Ref", "Asset Name", "Asset Type", "Supplier / Product", "Annual cost"],
        ["A-1", "Incident reporting", "Software", "RLDatix / Datix Cloud IQ", 16900],
        ["A-2", "Personnel files", "Paper", "-", "-"],
        ["A-3", "Commissioning shared drive", "Shared drive", "-", "-"],
        ["A-4", "Servers", "Hardware", "Dell / PowerEdge", 8000],   # hardware is part of the estate: kept
    ]})
    inv = read_inventory(path)
    assert sorted(inv.systems["system"]) == ["Incident reporting", "Servers"]
    said = inv.issues[inv.issues["problem"].str.contains("information asset, not a system")]
    assert said[["source_row", "column", "severity", "value"]].values.tolist() == [
        [3, "Asset Type", "info", "Personnel files"], [4, "Asset Type", "info", "Commissioning shared drive"]]
