"""Partners' one-off budgets: reading them, and the schedule keeping them (issue #12, build point 1)."""

from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner

from estate.budgets import check_partner_budgets, read_partner_budgets
from estate.cli import main
from estate.errors import InputFileError, ParameterError
from estate.examples import two_councils
from estate.plan import make_plan

# two_councils(): one option, SP-001 (Eden and Carlisle move to one revenues system). Its one-off costs,
# by hand from the costing (Assumptions defaults, first year 2027): 70,000 in the year it starts (assessment,
# procurement, engagement, after bias) and 161,700 the year after; Carlisle bears 60% of them (cost_share).
# It naturally starts in 2028 (its migration runs up to the contract ends), so at its natural start
# Carlisle spends 0.6 x 70,000 = 42,000 in 2028 and 0.6 x 161,700 = 97,020 in 2029.
CARLISLE_2028 = 0.6 * 70_000


@pytest.fixture(scope="module")
def unbudgeted():
    return make_plan(two_councils())


def start(plan, option="SP-001"):
    row = plan.schedule.table.set_index("option_id").loc[option]
    return int(row["start_year"]), str(row["reason"]), str(row["detail"])


def test_the_hand_figures_hold(unbudgeted):
    s = unbudgeted.schedule
    i = s.option_ids.index("SP-001")
    assert s.costs[i, 0, 1] == pytest.approx(70_000)
    assert s.costs[i, 0, 2] == pytest.approx(161_700)
    shares = unbudgeted.options.partner_shares.set_index(["option_id", "organisation"])["cost_share"]
    assert shares[("SP-001", "Carlisle")] == pytest.approx(0.6)
    assert start(unbudgeted)[:2] == (2028, "contract end")


def test_a_budget_that_does_not_bind_changes_nothing(unbudgeted):
    plan = make_plan(two_councils(), partner_budgets={("Carlisle", 2028): CARLISLE_2028})
    assert start(plan)[:2] == (2028, "contract end")
    assert plan.portfolio.objective == pytest.approx(unbudgeted.portfolio.objective)


def test_a_binding_budget_delays_the_option_a_year(unbudgeted):
    # A pound short of Carlisle's 42,000 in 2028: the option starts in 2029, when it spends nothing in 2028.
    plan = make_plan(two_councils(), partner_budgets={("Carlisle", 2028): CARLISLE_2028 - 1})
    year, reason, detail = start(plan)
    assert (year, reason) == (2029, "budget")
    assert "Carlisle" in detail and "41,999" in detail and "2028" in detail
    # Delay moves the flows a year later: NPV is that of delay 1 (computed in the schedule, checked below).
    i = plan.schedule.option_ids.index("SP-001")
    assert plan.portfolio.objective == pytest.approx(plan.schedule.npv[i, 1])
    assert plan.portfolio.objective < unbudgeted.portfolio.objective
    # The same flows discounted by hand: the savings and costs a year later.
    s, a = plan.schedule, plan.assumptions
    flows = s.savings[i, 1] - s.costs[i, 1]
    assert sum(f / (1 + a.discount_rate) ** t for t, f in enumerate(flows)) == pytest.approx(s.npv[i, 1])
    assert s.costs[i, 1, 1] == 0 and s.costs[i, 1, 2] == pytest.approx(70_000)


def test_budgets_on_two_years_delay_it_two():
    # Nothing for Carlisle in 2028 or 2029: starting 2029 would spend 42,000 in 2029, so it starts in 2030.
    plan = make_plan(two_councils(), partner_budgets={("Carlisle", 2028): 0.0, ("Carlisle", 2029): 0.0})
    assert start(plan)[:2] == (2030, "budget")


def test_eden_budget_counts_only_its_share():
    # Eden bears 40%: 28,000 in 2028. A budget of 30,000 does not bind; 27,999 does.
    assert start(make_plan(two_councils(), partner_budgets={("Eden", 2028): 30_000}))[:2] == (2028, "contract end")
    assert start(make_plan(two_councils(), partner_budgets={("Eden", 2028): 27_999}))[:2] == (2029, "budget")


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_reading_a_budget_file(tmp_path):
    path = write(tmp_path / "b.csv", "Organisation, Year, Budget\nEden,2028,\"£30,000\"\nCarlisle,2027,0\n")
    assert read_partner_budgets(path, ["Eden", "Carlisle"]) == {("Carlisle", 2027): 0.0, ("Eden", 2028): 30_000.0}


@pytest.mark.parametrize(("text", "message"), [
    ("organisation,year,budget\nEden,2028,-5\n", "b.csv: row 2: budget '-5' is negative"),
    ("organisation,year,budget\nEden,2028,1\nEden,2029,lots\n", "b.csv: row 3: budget 'lots' is not a number"),
    ("organisation,year,budget\nEden,2028,1\nWestmorland,2028,1\n",
     "b.csv: row 3: organisation 'Westmorland' is not in the inventory (known: Carlisle, Eden)"),
    ("organisation,year,budget\nEden,2028.5,1\n", "b.csv: row 2: year '2028.5' is not a whole financial year"),
    ("organisation,year,budget\n,2028,1\n", "b.csv: row 2: organisation is blank"),
    ("organisation,year,budget\nEden,2028,1\nEden,2028,2\n", "b.csv: row 3: organisation 'Eden' and year '2028'"),
    ("organisation,budget\nEden,1\n", "b.csv: needs the columns organisation, year, budget; missing year"),
])
def test_bad_budget_files_are_one_line_naming_the_row(tmp_path, text, message):
    with pytest.raises(InputFileError) as caught:
        read_partner_budgets(write(tmp_path / "b.csv", text), ["Eden", "Carlisle"])
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_bad_budgets_given_in_python_are_refused():
    with pytest.raises(ParameterError, match="'Kent' is not in the inventory"):
        make_plan(two_councils(), partner_budgets={("Kent", 2028): 1.0})
    with pytest.raises(ParameterError, match="not a number >= 0"):
        check_partner_budgets({("Eden", 2028): -1.0}, ["Eden"])


INVENTORY = ("Organisation,System,Product,Capability,Users,Annual cost\n"
             "Eden,Revenues,Capita Academy,Revenues and benefits,40,185000\n"
             "Carlisle,Revenues,Civica OpenRevenues,Revenues and benefits,60,220000\n")


def test_the_cli_takes_a_budget_file(tmp_path):
    inventory = write(tmp_path / "estate.csv", INVENTORY)
    budgets = write(tmp_path / "budgets.csv", f"organisation,year,budget\nCarlisle,2028,{CARLISLE_2028 - 1}\n")
    out = tmp_path / "plan.xlsx"
    free = make_plan(inventory)
    assert start(free)[:2] == (2028, "contract end")  # the file plans as two_councils() does
    result = CliRunner().invoke(main, ["plan", str(inventory), "--out", str(out), "--budgets", str(budgets)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out, read_only=True)  # read-only keeps the file open until closed
    rows = [[c for c in row] for row in book["Options"].iter_rows(values_only=True)]
    book.close()
    header = next(r for r in rows if "Start set by" in r)
    reasons = [r[header.index("Start set by")] for r in rows[rows.index(header) + 1:] if r[0] == "SP-001"]
    assert reasons and str(reasons[0]).startswith("budget: Carlisle's one-off budget")


def test_the_cli_refuses_a_bad_budget_file_in_one_line(tmp_path):
    inventory = write(tmp_path / "estate.csv", INVENTORY)
    budgets = write(tmp_path / "budgets.csv", "organisation,year,budget\nCarlisle,2028,-1\n")
    result = CliRunner().invoke(main, ["plan", str(inventory), "--out", str(tmp_path / "p.xlsx"),
                                       "--budgets", str(budgets)])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == ["estate: error: budgets.csv: row 2: budget '-1' is negative"]


def budget_rows(path):
    """The rows of the Assumptions sheet's partner budget block: (parameter, value, unit, source) and data types."""
    sheet = openpyxl.load_workbook(path)["Assumptions"]
    rows = []
    for row in sheet.iter_rows():
        if isinstance(row[0].value, str) and row[0].value.startswith("Partner budget: "):
            rows.append(([c.value for c in row[:4]], [c.data_type for c in row[:4]]))
    return rows


def test_budgets_are_kept_on_the_plan_written_on_assumptions_and_survive_a_replan(tmp_path):
    inventory = write(tmp_path / "estate.csv", INVENTORY)
    budgets = write(tmp_path / "budgets.csv", f"organisation,year,budget\nCarlisle,2028,{CARLISLE_2028 - 1}\n")
    out = tmp_path / "plan.xlsx"
    result = CliRunner().invoke(main, ["plan", str(inventory), "--out", str(out), "--budgets", str(budgets)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    first = make_plan(inventory, partner_budgets=budgets)
    assert first.partner_budgets == {("Carlisle", 2028): CARLISLE_2028 - 1}
    assert first.partner_budgets_source == "--budgets budgets.csv"
    assert budget_rows(out) == [(["Partner budget: Carlisle 2028", CARLISLE_2028 - 1, "GBP", "--budgets budgets.csv"],
                                 ["s", "n", "s", "s"])]
    # Re-plan from the workbook's Assumptions: the budget is read back, and the schedule is the same.
    again = make_plan(inventory, assumptions=out)
    assert again.partner_budgets == first.partner_budgets
    assert again.partner_budgets_source == "--budgets budgets.csv"
    assert start(again)[:2] == (2029, "budget")
    columns = ["option_id", "start_year", "delay", "reason", "detail"]
    assert again.schedule.table[columns].to_dict("list") == first.schedule.table[columns].to_dict("list")
    assert again.portfolio.objective == pytest.approx(first.portfolio.objective)
    # The start reason names the budget's row on Assumptions; the re-plan's workbook writes the budget again.
    assert start(again)[2].endswith("(Assumptions: Partner budget: Carlisle 2028)")
    replanned = tmp_path / "again.xlsx"
    result = CliRunner().invoke(main, ["plan", str(inventory), "--out", str(replanned), "--assumptions", str(out)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert budget_rows(replanned) == budget_rows(out)
    book = openpyxl.load_workbook(replanned, read_only=True)
    roadmap = [v for row in book["Roadmap"].iter_rows(values_only=True) for v in row]
    book.close()
    assert any(isinstance(v, str) and v.startswith("budget: Carlisle's one-off budget of 41,999")
               and "Partner budget: Carlisle 2028" in v for v in roadmap)


def test_explicit_budgets_win_over_the_workbooks(tmp_path):
    inventory = write(tmp_path / "estate.csv", INVENTORY)
    out = make_plan(inventory, partner_budgets={("Carlisle", 2028): CARLISLE_2028 - 1}).write(tmp_path / "p.xlsx")
    plan = make_plan(inventory, assumptions=out, partner_budgets={("Eden", 2029): 1e9})
    assert plan.partner_budgets == {("Eden", 2029): 1e9}
    assert start(plan)[:2] == (2028, "contract end")
    assert budget_rows(plan.write(tmp_path / "q.xlsx"))[0][0][:2] == ["Partner budget: Eden 2029", 1e9]
    # No budgets anywhere: no block, and a re-plan from that workbook has none.
    bare = make_plan(inventory).write(tmp_path / "bare.xlsx")
    assert budget_rows(bare) == []
    assert make_plan(inventory, assumptions=bare).partner_budgets == {}


def test_a_text_cell_in_the_budget_block_stays_text(tmp_path):
    # The Source names the file: "--budgets =1+2.csv" begins with "-" and holds "=": it is written as text.
    inventory = write(tmp_path / "estate.csv", INVENTORY)
    budgets = write(tmp_path / "=1+2.csv", "organisation,year,budget\nEden,2030,5\n")
    out = make_plan(inventory, partner_budgets=budgets).write(tmp_path / "plan.xlsx")
    assert budget_rows(out) == [(["Partner budget: Eden 2030", 5, "GBP", "--budgets =1+2.csv"],
                                 ["s", "n", "s", "s"])]
    assert make_plan(inventory, assumptions=out).partner_budgets_source == "--budgets =1+2.csv"


def test_a_bad_budget_row_on_the_sheet_names_its_cell(tmp_path):
    inventory = write(tmp_path / "estate.csv", INVENTORY)
    out = make_plan(inventory, partner_budgets={("Eden", 2029): 10.0}).write(tmp_path / "p.xlsx")
    book = openpyxl.load_workbook(out)
    sheet = book["Assumptions"]
    cell = next(row[1] for row in sheet.iter_rows() if row[0].value == "Partner budget: Eden 2029")
    cell.value = "lots"
    book.save(out)
    with pytest.raises(ParameterError, match=rf"p.xlsx, sheet 'Assumptions', cell {cell.coordinate} "
                                             r"\(Partner budget: Eden 2029\): the budget 'lots' is not a number"):
        make_plan(inventory, assumptions=out)
