"""The plan workbook as a board reads it: print setup, column order, readable names, Data issues, Summary.

Read back with openpyxl (print setup, panes, formats) and python-calamine
(values) from the plan of the bundled Cumbria sample, the estate a new user
plans first.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

import estate
from estate._pages import OPTION_LEAD, PAGES, arrange, page_for
from estate.inventory import SEVERITIES
from estate.plan import make_plan

ROOT = Path(__file__).resolve().parents[1]
BOARD_SHEETS = ("Summary", "Options", "Partners", "Roadmap")


@pytest.fixture(scope="module")
def plan() -> estate.plan.Plan:
    return make_plan(ROOT / "inventories" / "cumbria")


@pytest.fixture(scope="module")
def charts(plan: estate.plan.Plan, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    pytest.importorskip("matplotlib")
    from estate.charts import write_charts

    return write_charts(plan, tmp_path_factory.mktemp("charts"), formats=("png",))


@pytest.fixture(scope="module")
def path(plan: estate.plan.Plan, charts: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    return plan.write(tmp_path_factory.mktemp("board") / "plan.xlsx", charts=charts)


@pytest.fixture(scope="module")
def book(path: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(path)


@pytest.fixture(scope="module")
def values(path: Path) -> CalamineWorkbook:
    return CalamineWorkbook.from_path(str(path))


def frame(values: CalamineWorkbook, sheet: str) -> pd.DataFrame:
    rows = values.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_arrange_puts_the_lead_first_and_keeps_the_rest_in_order() -> None:
    assert arrange(("a", "b", "c", "d", "e"), ("d", "x", "b")) == ("d", "b", "a", "c", "e")
    assert arrange(("a", "b"), ()) == ("a", "b")
    assert page_for("Data issues 3") is PAGES["Data issues"]
    assert page_for("Vesting").landscape and page_for("Vesting").repeat_header  # a sheet added later prints too


@pytest.mark.parametrize("sheet", BOARD_SHEETS)
def test_board_sheets_print_landscape_one_page_wide_with_headers_repeated(book: openpyxl.Workbook,
                                                                          sheet: str) -> None:
    ws = book[sheet]
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.print_area, sheet
    # A table's header row (the Summary's title row) on every page.
    assert ws.print_title_rows == "$1:$1"


def test_every_sheet_has_a_print_setup(book: openpyxl.Workbook) -> None:
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.fitToWidth == 1, ws.title
        assert ws.print_area, ws.title


def test_print_areas_cover_the_tables(book: openpyxl.Workbook, plan: estate.plan.Plan) -> None:
    # Options prints every option row, from Option to Type (the detail after it is for the screen).
    options = book["Options"]
    headers = [cell.value for cell in options[1]]
    last = headers.index("Type")
    letter = openpyxl.utils.get_column_letter(last + 1)
    assert options.print_area == f"'Options'!$A$1:${letter}${len(plan.options.options) + 1}"
    partners = book["Partners"]
    assert partners.print_area.endswith(f"${len(plan.partners.partners) + 1}")


def test_options_lead_with_the_decision(values: CalamineWorkbook, book: openpyxl.Workbook) -> None:
    header = [str(h) for h in values.get_sheet_by_name("Options").to_python()[0]]
    assert header[:8] == ["Option", "Description", "Recommended", "Annual saving", "One-off cost", "NPV",
                          "Payback years", "Start"]
    assert len(OPTION_LEAD) == 8
    # The bar: these five within the first eight columns.
    assert {"Option", "Recommended", "Annual saving", "One-off cost", "NPV"} <= set(header[:8])
    assert book["Options"].freeze_panes == "C2"  # the header row and Option, Description stay in view


def test_options_show_readable_targets(values: CalamineWorkbook, plan: estate.plan.Plan) -> None:
    options = frame(values, "Options")
    table = plan.options.options.set_index("option_id")
    keys = options["Option"].map(table["target"])
    assert (options["Target key"] == keys).all()
    # No internal key is shown as the target: no organisation/id, no unlisted: prefix, never the key itself.
    assert not options["Target"].str.contains(r"unlisted:|^site:", regex=True).any()
    assert not (options["Target"] == options["Target key"]).loc[keys.str.contains("/")].any()
    hosting = options[options["Type"] == "hosting consolidation"]
    assert len(hosting)
    assert all(t.endswith(", " + lead) for t, lead in zip(hosting["Target"], hosting["Lead organisation"], strict=True))
    assert options["Description"].str.len().gt(10).all()
    system = keys.isin(plan.matched["system_key"]).to_numpy()
    labels = options["Option"].map(table["target_label"])
    assert system.any() and (options.loc[system, "Target"] == labels[system]).all()  # System (Product), Organisation


def test_data_issues_are_worst_first_with_the_defaults_summarised(values: CalamineWorkbook,
                                                                  plan: estate.plan.Plan) -> None:
    issues = frame(values, "Data issues")
    rank = issues["Severity"].map({s: i for i, s in enumerate(SEVERITIES)})
    assert rank.notna().all() and rank.is_monotonic_increasing
    # Every issue of the inventory (and of matching and vesting) is on the sheet, once.
    inventory = plan.issues(defaults=False)
    assert (issues["Sheet"] != "Defaults used").sum() == len(inventory)
    assert sorted(issues.loc[issues["Sheet"] != "Defaults used", "Problem"]) == sorted(inventory["problem"])
    # The 834 defaults are one row a kind, with its count; the detail is on its own sheet.
    defaults = plan.options.defaults_used
    counts = defaults.groupby(["column", "note"]).size()
    summary = issues[issues["Sheet"] == "Defaults used"]
    assert len(summary) == len(counts) == 3
    for (column, note), n in counts.items():
        row = summary[(summary["Column"] == column) & summary["Problem"].str.endswith(note)]
        assert len(row) == 1 and row["Value"].iloc[0] == f"{n:,} systems"
        assert f"for {n:,} systems" in row["Problem"].iloc[0]
    detail = frame(values, "Defaults used")
    assert len(detail) == len(defaults) == counts.sum()
    assert sorted(detail["System key"]) == sorted(defaults["system_key"])


def test_values_read_as_money_and_dates(values: CalamineWorkbook, plan: estate.plan.Plan) -> None:
    detail = frame(values, "Defaults used")
    raw_float = re.compile(r"^-?\d+\.\d{3,}$")
    for sheet in ("Data issues", "Defaults used"):
        shown = frame(values, sheet)
        column = "Value" if sheet == "Data issues" else "Default used"
        text = shown[column].astype(str)
        assert not text.str.match(raw_float).any(), sheet
        assert not text.str.contains("00:00:00").any(), sheet
    exits = detail[detail["Column"] == "exit_cost"]["Default used"]
    assert exits.str.match(r"^£[\d,]+$").all()
    ends = detail[detail["Column"] == "contract_end"]["Default used"]
    assert ends.str.match(r"^\d\d/\d\d/\d{4}$").all()
    # The first exit cost, by hand: £18,863.01... shown to the pound.
    first = plan.options.defaults_used.iloc[0]
    assert first["column"] == "exit_cost" and round(first["default"]) == 18_863
    assert (detail.loc[detail["System key"] == first["system_key"], "Default used"] == "£18,863").any()
    # plan.issues() shows the defaults the same way.
    issues = plan.issues()
    assert not issues["value"].astype(str).str.match(raw_float).any()


def test_summary_reads_on_one_page(book: openpyxl.Workbook, values: CalamineWorkbook,
                                   charts: dict[str, Path]) -> None:
    ws = book["Summary"]
    rows = values.get_sheet_by_name("Summary").to_python(skip_empty_area=False)
    texts = [(r, c, v) for r, row in enumerate(rows) for c, v in enumerate(row) if isinstance(v, str) and v]
    # The options worth most, wrapped across the page in merged cells tall enough for them.
    worth = next(r for r, c, v in texts if v.startswith("The recommended options worth most"))
    sentences = [(r, v) for r, c, v in texts if r > worth and c == 0 and "a year for a one-off" in v]
    assert len(sentences) == 5
    merged = {str(m) for m in ws.merged_cells.ranges}
    for r, sentence in sentences:
        assert f"A{r + 1}:I{r + 1}" in merged
        assert ws.cell(r + 1, 1).alignment.wrap_text
        assert ws.row_dimensions[r + 1].height >= 12 * (len(sentence) // 250 + 1)
    # What is live and what needs a re-plan, beside the headline.
    live = next(v for _, _, v in texts if v.startswith("Edited live on Assumptions"))
    assert "discount_rate" in live.split("Need a re-plan")[0] and "first_year" in live.split("Need a re-plan")[1]
    # The first page ends after the sentences: a page break before the cash flows and before each chart.
    breaks = [b.id for b in ws.row_breaks.brk]
    assert breaks and breaks[0] == sentences[-1][0] + 2
    assert len(breaks) == 1 + len(charts)


def test_charts_cover_no_cell_and_say_their_assumptions(book: openpyxl.Workbook, values: CalamineWorkbook,
                                                         charts: dict[str, Path]) -> None:
    ws = book["Summary"]
    rows = values.get_sheet_by_name("Summary").to_python(skip_empty_area=False)
    captions = [r for r, row in enumerate(rows) if row and isinstance(row[0], str)
                and row[0].startswith("Drawn at the plan's assumptions: discount rate 3.5%")]
    assert len(captions) == len(ws._images) == len(charts) >= 5
    # Each picture sits in column A below its caption, and no cell with a value is under it.
    anchors = sorted(image.anchor._from.row for image in ws._images)
    assert anchors == [r + 1 for r in captions]
    for k, top in enumerate(anchors):
        bottom = captions[k + 1] - 1 if k + 1 < len(captions) else len(rows)
        covered = [v for row in rows[top:bottom] for v in row if v not in ("", None)]
        assert covered == []
