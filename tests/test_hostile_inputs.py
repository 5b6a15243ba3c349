"""Hostile and merely odd inputs: one clear line or a plan, every row accounted for, in seconds."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from estate._cells import scan_workbook
from estate.cli import main
from estate.errors import FileTooLargeError, InputFileError, ParameterError, UnsafeFileError
from estate.reading import MAX_CELL_TEXT, read_header_map, read_inventory


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def workbook(path: Path, rows: list[list[object]], sheet: str = "Systems") -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    book.active.title = sheet
    for row in rows:
        book.active.append(row)
    book.save(path)
    return book


def accounted(inventory, lines) -> None:
    """Every line in ``lines`` is a system's source row or has an issue."""
    rows = set(inventory.systems["source_row"].astype(int)) | set(
        inventory.issues["source_row"].dropna().astype(int))
    missing = sorted(set(lines) - rows)
    assert not missing, f"rows neither loaded nor reported: {missing}"


# --- cells present, not declared -------------------------------------------------------------------


def test_a_stray_cell_at_the_last_cell_is_one_line_in_seconds(tmp_path: Path) -> None:
    path = tmp_path / "stray.xlsx"
    book = workbook(path, [["System", "Vendor", "Annual cost"], ["Payroll", "MHR", 100]])
    book.active["XFD1048576"] = "x"
    book.save(path)
    assert path.stat().st_size < 10_000
    started = time.perf_counter()
    result = run("plan", path, "--out", tmp_path / "plan.xlsx")
    elapsed = time.perf_counter() - started
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2 and len(lines) == 1, result.output
    assert "XFD1048576" in lines[0] and "stray" in lines[0] and "stray.xlsx" in lines[0]
    assert elapsed < 10
    assert not (tmp_path / "plan.xlsx").exists()


def test_a_stray_cell_near_the_data_is_read(tmp_path: Path) -> None:
    path = tmp_path / "near.xlsx"
    book = workbook(path, [["System", "Vendor", "Annual cost"], ["Payroll", "MHR", 100]])
    book.active["Z5000"] = "stray"
    book.save(path)
    inventory = read_inventory(path)
    assert inventory.systems["system"].tolist() == ["Payroll"]
    assert 5000 in set(inventory.issues["source_row"].dropna().astype(int))  # the stray row, reported


def test_the_scan_counts_values_not_styled_empty_cells(tmp_path: Path) -> None:
    path = tmp_path / "styled.xlsx"
    book = workbook(path, [["System", "Vendor"], ["Payroll", "MHR"]])
    book.active["XFD1048576"].number_format = "0.00"  # a formatted, empty cell: no value
    book.save(path)
    assert scan_workbook(path)["Systems"].last_cell == "XFD1048576"  # the fast scan may overestimate...
    sheet = scan_workbook(path, exact=True)["Systems"]  # ...the exact one, used before refusing, does not
    assert (sheet.present, sheet.last_cell) == (4, "B2")
    assert read_inventory(path).systems["system"].tolist() == ["Payroll"]


def test_cells_past_the_budget_are_refused_in_one_line(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "big.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Systems")
    sheet.write_row(0, 0, ["System", "Vendor", "Annual cost", "Users"])
    for r in range(1, 30_001):
        sheet.write_row(r, 0, [f"S{r}", "V", r, r])
    book.close()
    with pytest.raises(FileTooLargeError, match=r"holds 120,004 cells, over the 100,000"):
        read_inventory(path, max_bytes=1024 * 1024)
    assert len(read_inventory(path).systems) == 30_000


def test_hidden_sheets_are_reported_not_read(tmp_path: Path) -> None:
    path = tmp_path / "hidden.xlsx"
    book = workbook(path, [["System", "Vendor"], ["Payroll", "MHR"]])
    old = book.create_sheet("Old copy")
    for row in (["System", "Vendor"], ["Payroll", "Northgate"], ["Finance", "Agresso"]):
        old.append(row)
    old.sheet_state = "hidden"
    notes = book.create_sheet("Lists")
    notes.append(["a list"])
    notes.sheet_state = "veryHidden"
    book.save(path)
    inventory = read_inventory(path)
    assert inventory.systems["vendor"].tolist() == ["MHR"]
    said = inventory.issues.set_index("sheet")
    assert said.loc["Old copy", "severity"] == "warning" and "hidden sheet not read" in said.loc["Old copy", "problem"]
    assert said.loc["Lists", "problem"] == "hidden sheet not read"


# --- CSV ------------------------------------------------------------------------------------------


def csv_rows(n: int = 40) -> list[str]:
    return ["System,Vendor,Annual cost", *(f"Sys{i},V{i},{i * 100}" for i in range(1, n + 1))]


def test_an_unterminated_quote_loses_no_row(tmp_path: Path) -> None:
    rows = csv_rows()
    rows[5] = 'Sys5,"Vendor 5,500'
    path = tmp_path / "quote.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    inventory = read_inventory(path)
    assert len(inventory.systems) == 40
    warned = inventory.issues.loc[inventory.issues["severity"] == "warning"]
    assert warned["source_row"].tolist() == [6] and "never closed" in warned["problem"].iloc[0]
    accounted(inventory, range(2, 42))
    assert inventory.systems["annual_cost"].sum() == sum(i * 100 for i in range(1, 41))


def test_many_unterminated_quotes_are_each_reported(tmp_path: Path) -> None:
    rows = csv_rows()
    for i in range(3, 41, 3):
        rows[i] = f'Sys{i},"V{i},{i * 100}'
    path = tmp_path / "quotes.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    inventory = read_inventory(path)
    assert len(inventory.systems) == 40
    assert (inventory.issues["problem"].str.contains("never closed")).sum() == len(range(3, 41, 3))


def test_a_quoted_line_break_is_still_one_cell(tmp_path: Path) -> None:
    path = tmp_path / "breaks.csv"
    path.write_text('System,Vendor,Annual cost\n"Pay\nroll",MHR,100\nFinance,Unit4,200\n', encoding="utf-8")
    inventory = read_inventory(path)
    assert sorted(inventory.systems["system"].str.replace("\n", " ")) == ["Finance", "Pay roll"]
    assert inventory.systems.set_index("system").loc["Finance", "source_row"] == 4
    assert (inventory.issues["severity"] != "info").sum() == 0


def test_a_200000_character_field_keeps_its_row_and_is_reported(tmp_path: Path) -> None:
    rows = csv_rows(5)
    rows[3] = 'Sys3,"' + "x" * 200_000 + '",300'
    path = tmp_path / "long.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    inventory = read_inventory(path)
    assert len(inventory.systems) == 5
    long = inventory.issues.loc[inventory.issues["problem"].str.contains(f"{MAX_CELL_TEXT:,}")]
    assert long[["source_row", "column"]].values.tolist() == [[4, "vendor"]]
    assert "200,000 characters" in long["problem"].iloc[0]


def test_a_40000_character_name_is_cut_in_the_plan_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text("System,Vendor,Annual cost\n" + "N" * 40_000 + ",MHR,100\nFinance,Unit4,200\n", encoding="utf-8")
    out = tmp_path / "plan.xlsx"
    result = run("plan", path, "--out", out)
    assert result.exit_code == 0, result.output
    issues = pd.read_excel(out, sheet_name="Data issues", engine="openpyxl")
    long = issues.loc[issues["Problem"].str.contains("more than the 32,767", na=False)]
    assert long[["Source row", "Column"]].values.tolist() == [[2, "system"]]
    names = pd.read_excel(out, sheet_name="Systems", engine="openpyxl")["System"]
    assert names.str.len().max() == MAX_CELL_TEXT


def test_one_latin1_byte_in_a_utf8_csv_leaves_the_pounds_readable(tmp_path: Path) -> None:
    lines = ["System,Vendor,Annual cost", *(f'Sys{i},V,"£{i},000"' for i in range(1, 21))]
    data = "\n".join(lines).encode("utf-8") + b'\nCaf\xe9,V,"\xa3300"\n'
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    inventory = read_inventory(path)
    costs = inventory.systems.set_index("system")["annual_cost"]
    assert costs.notna().sum() == 21
    assert costs["Sys20"] == 20_000 and costs["Café"] == 300
    said = inventory.issues.loc[inventory.issues["severity"] == "warning"]
    assert said["source_row"].tolist() == [22] and "not UTF-8" in said["problem"].iloc[0]


def test_a_windows_1252_csv_is_said_to_be(tmp_path: Path) -> None:
    path = tmp_path / "cp.csv"
    path.write_bytes("System,Vendor,Annual cost\nCafé,V,£300\n".encode("cp1252"))
    inventory = read_inventory(path)
    assert inventory.systems["system"].tolist() == ["Café"] and inventory.systems["annual_cost"].tolist() == [300]
    assert "read as Windows-1252" in " ".join(inventory.issues["problem"])


# --- tables, totals, numbers ------------------------------------------------------------------------


def test_systems_named_total_or_sum_are_systems(tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_text("System,Vendor,Annual cost\nTotal Mobile,Total Mobile Ltd,100\nSum Payroll,Sum Ltd,200\n"
                    "Totally Digital,TD,50\nTotal,,350\nGrand total (excl. VAT),,350\nSum of costs,,350\n",
                    encoding="utf-8")
    inventory = read_inventory(path)
    assert sorted(inventory.systems["system"]) == ["Sum Payroll", "Total Mobile", "Totally Digital"]
    skipped = inventory.issues.loc[inventory.issues["problem"] == "totals row skipped", "source_row"].tolist()
    assert skipped == [5, 6, 7]


def test_a_second_table_lower_on_a_sheet_is_recognised_or_reported(tmp_path: Path) -> None:
    path = tmp_path / "two.xlsx"
    workbook(path, [["System", "Vendor", "Annual cost"], ["Payroll", "MHR", 100], ["Finance", "Unit4", 200], [],
                    ["System", "Supplier", "Contract end", "Exit cost"], ["Planning", "Idox", "31/03/2027", 100], [],
                    ["Capability", "Annual cost"], ["Finance", 300]])
    inventory = read_inventory(path)
    assert inventory.systems.set_index("system")["source_row"].to_dict() == {"Finance": 3, "Payroll": 2,
                                                                              "Planning": 6}
    assert inventory.systems.set_index("system").loc["Planning", "exit_cost"] == 100
    issues = inventory.issues.set_index("source_row")
    assert issues.loc[[5], "problem"].str.contains("second table").any()  # beside the note of headings read
    assert issues.loc[[8, 9], "severity"].tolist() == ["warning", "warning"]
    accounted(inventory, [2, 3, 5, 6, 8, 9])


def test_absurd_numbers_are_data_issues_not_infinities(tmp_path: Path) -> None:
    path = tmp_path / "absurd.csv"
    path.write_text("System,Vendor,Annual cost,Users\nA,X,1e308,5\nB,Y,100,1e300\nC,Z,-1e308,3\n", encoding="utf-8")
    inventory = read_inventory(path)
    assert inventory.systems["annual_cost"].sum() == 100
    assert np.isfinite(inventory.systems["users"].fillna(0)).all()
    flagged = inventory.issues.loc[inventory.issues["problem"].str.startswith("implausible")]
    assert sorted(zip(flagged["source_row"].tolist(), flagged["column"])) == [(2, "annual_cost"), (3, "users"),
                                                                               (4, "annual_cost")]
    result = run("plan", path, "--out", tmp_path / "plan.xlsx")
    assert result.exit_code == 0 and "inf" not in result.output, result.output


# --- YAML ---------------------------------------------------------------------------------------------


def nested_aliases(path: Path) -> Path:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    previous = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
        previous = name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_yaml_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    bomb = nested_aliases(tmp_path / "headers.yaml")
    assert bomb.stat().st_size == 342
    started = time.perf_counter()
    with pytest.raises(InputFileError, match="YAML aliases"):
        read_header_map(bomb)
    from estate.assumptions import load_assumptions

    with pytest.raises(ParameterError, match="YAML aliases"):
        load_assumptions(nested_aliases(tmp_path / "assumptions.yaml"))
    assert time.perf_counter() - started < 2


# --- crafted text: no regular expression backtracks --------------------------------------------------

CRAFTED = [" " * 100_000 + "x", "1" * 100_000 + "x", "1," * 50_000 + "x", "£" + "1" * 99_999 + "x",
           "a " * 50_000 + "!", "-" * 100_000 + "x", "Total" + " " * 100_000 + "x", "sub" + " " * 100_000 + "-x",
           "organisation" + " " * 100_000 + "x", "costs" + " " * 100_000 + "x", ";" * 100_000, "(" * 100_000,
           "1." * 50_000 + "x", "/" * 100_000 + "x", "Q1 " * 33_000 + "x", "k" * 100_000, "0" * 99_999 + "m"]


COLUMNS = ["System", "Vendor", "Product", "Capability", "Annual cost", "Users", "Contract end", "Hosting",
           "Integrations", "Notice months"]


@pytest.mark.parametrize("text", CRAFTED, ids=[repr(t[:12]) for t in CRAFTED])
def test_crafted_long_text_is_read_and_matched_in_linear_time(tmp_path: Path, text: str) -> None:
    from estate.matching import match_systems

    path = tmp_path / "crafted.csv"
    frame = pd.DataFrame([[text] * len(COLUMNS), ["Payroll", "MHR", "iTrent", "Payroll", "100", "5", "31/03/2027",
                                                  "cloud", "", "3"]], columns=COLUMNS)
    frame.to_csv(path, index=False)
    started = time.perf_counter()
    inventory = read_inventory(path)
    assert time.perf_counter() - started < 10  # a few tenths of a second; quadratic took minutes
    assert len(inventory.systems) == 2
    # Matching a fifth of it: a quadratic step would take seconds (it did: 15 s at 200,000 characters).
    short = inventory.systems.assign(**{c: inventory.systems[c].map(
        lambda v: v[:20_000] if isinstance(v, str) else v) for c in ("system", "vendor", "product", "capability")})
    started = time.perf_counter()
    match_systems(short)
    assert time.perf_counter() - started < 10


# --- many organisations ---------------------------------------------------------------------------


def _small_organisations(n: int, per: int, capabilities: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    orgs = np.repeat([f"Org {i:05d}" for i in range(n)], per)
    return pd.DataFrame({"organisation": orgs, "system_key": [f"{o}/{i}" for i, o in enumerate(orgs)],
                         "capability_code": rng.choice([f"CAP-{c:03d}" for c in range(capabilities)], size=n * per),
                         "annual_cost": rng.integers(1_000, 100_000, n * per).astype(float)})


def test_partner_affinity_matches_a_brute_force_count() -> None:
    from estate.overlaps import partner_affinity

    matched = _small_organisations(25, 4, 12, seed=3)
    got = partner_affinity(matched).set_index(["organisation_a", "organisation_b"])
    spend = matched.groupby(["organisation", "capability_code"])["annual_cost"].sum()
    totals = matched.groupby("organisation")["annual_cost"].sum()
    expected = {}
    for a in totals.index:
        for b in totals.index:
            if a >= b:
                continue
            common = set(spend[a].index) & set(spend[b].index)
            if common:
                low = sum(min(spend[a][c], spend[b][c]) for c in common)
                both = sum(spend[a][c] + spend[b][c] for c in common)
                expected[(a, b)] = (len(common), low, both, low / (totals[a] + totals[b] - low))
    assert set(got.index) == set(expected)
    for pair, (count, low, both, affinity) in expected.items():
        row = got.loc[pair]
        assert (row["shared_capabilities"], row["shared_spend"], row["combined_spend"]) == (count, low, both)
        assert row["affinity"] == pytest.approx(affinity)


def test_thousands_of_small_organisations_need_no_n_by_n_arrays() -> None:
    import tracemalloc

    from estate.overlaps import partner_affinity

    matched = _small_organisations(3_000, 2, 400, seed=1)
    tracemalloc.start()
    try:
        affinity = partner_affinity(matched)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(affinity) > 10_000
    # The n x n arrays took 329 MB here; the pairs that share a capability take a few MB.
    assert peak < 60 * 1024 * 1024, f"{peak / 1e6:.0f} MB"
