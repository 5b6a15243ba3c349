"""A return that keeps the collection template's worked examples plans only its real rows."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from estate.plan import make_plan
from estate.reading import read_inventory
from estate.schema import TABLES
from estate.template import write_template
from estate.template_examples import EXAMPLE_NOTE, find_example_rows


def fill(path: Path, rows: list[dict[str, object]]) -> Path:
    """Add rows under the template's examples on the Systems sheet, keeping the examples."""
    book = openpyxl.load_workbook(path)
    ws = book["Systems"]
    headers = [c.value for c in ws[1]]
    for k, row in enumerate(rows):
        for header, value in row.items():
            ws.cell(4 + k, headers.index(header) + 1, value)
    book.save(path)
    return path


REAL = {"organisation": "Eden District Council", "system": "Revenues", "vendor": "Civica",
        "product": "Civica OpenRevenues", "capability": "Revenues and benefits", "users": 40, "annual_cost": 85_000}


def test_a_filled_template_keeping_its_examples_plans_only_the_real_row(tmp_path: Path) -> None:
    path = fill(write_template(tmp_path / "eden-district-council.xlsx"), [REAL])
    plan = make_plan(path)
    assert plan.matched["system"].tolist() == ["Revenues"]
    assert plan.matched["source_row"].tolist() == [4]
    # By hand: the one real system's cost; no example site (£80,000 + £250,000) nor example system counted.
    head = plan.headline()
    assert head["Systems"] == 1 and head["Organisations"] == 1
    assert head["Annual run cost"] == pytest.approx(85_000.0)
    assert plan.inventory.sites.empty and plan.inventory.organisations.empty
    # Every example row is accounted for, by sheet and row, as a note.
    notes = plan.issues()[plan.issues()["problem"] == EXAMPLE_NOTE]
    assert len(notes) == 10 and set(notes["severity"]) == {"info"}
    assert sorted(notes.loc[notes["sheet"] == "Systems", "source_row"]) == [2, 3]


def test_an_edited_example_is_data(tmp_path: Path) -> None:
    path = write_template(tmp_path / "carlisle.xlsx")
    book = openpyxl.load_workbook(path)
    ws = book["Systems"]
    headers = [c.value for c in ws[1]]
    ws.cell(2, headers.index("users") + 1, 121)  # someone's real figure in the first example row
    book.save(path)
    inventory = read_inventory(path)
    assert inventory.systems["source_row"].tolist() == [2]
    assert inventory.systems["users"].tolist() == [121.0]


@pytest.mark.parametrize("key", sorted(TABLES))
def test_each_tables_examples_are_recognised_and_nothing_else(key: str) -> None:
    table = TABLES[key]
    examples = [{f.name: f.example[k] for f in table.fields} for k in (0, 1)]
    frame = pd.DataFrame([*examples, {f.name: None for f in table.fields}])
    from estate.values import parse_column

    parsed = pd.DataFrame({f.name: parse_column(frame[f.name].astype(object), f).values for f in table.fields})
    assert find_example_rows(parsed, table).tolist() == [True, True, False]
    # The organisation aside, a changed value makes it data.
    for f in table.fields:
        if f.name == "organisation" or f.example[0] in ("", None):
            continue
        changed = parsed.copy()
        changed.loc[0, f.name] = None
        assert not find_example_rows(changed, table).iloc[0], f.name


def test_a_short_example_alone_is_real_data() -> None:
    # The Organisations examples are real facts (Allerdale's successor and vesting date): a real return stating
    # them is read; only beside its twin, as the template leaves them, is a short example skipped.
    table = TABLES["organisations"]
    from estate.values import parse_column

    rows = pd.DataFrame([{f.name: f.example[k] for f in table.fields} for k in (0, 1)])
    parsed = pd.DataFrame({f.name: parse_column(rows[f.name].astype(object), f).values for f in table.fields})
    parsed["source_file"], parsed["source_sheet"] = ["a.xlsx", "b.xlsx"], "Organisations"
    assert find_example_rows(parsed, table).tolist() == [False, False]
    parsed["source_file"] = "a.xlsx"
    assert find_example_rows(parsed, table).tolist() == [True, True]
    systems = TABLES["systems"]  # a long, fictional example is recognised alone
    one = pd.DataFrame([{f.name: f.example[0] for f in systems.fields}])
    one = pd.DataFrame({f.name: parse_column(one[f.name].astype(object), f).values for f in systems.fields})
    assert find_example_rows(one, systems).tolist() == [True]
