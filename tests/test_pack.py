"""The board pack PDF: its pages, what they say, and how it is written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

import estate
from estate.cli import main
from estate.errors import ParameterError
from estate.examples import two_councils
from estate.pack import PACK_PAGES, write_pack

pypdf = pytest.importorskip("pypdf")

SAMPLE = Path(__file__).resolve().parents[1] / "inventories" / "cumbria"


def pages_text(path: Path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(path).pages]


@pytest.fixture(scope="module")
def plan() -> estate.plan.Plan:
    return estate.make_plan(SAMPLE)


@pytest.fixture(scope="module")
def pack(plan: estate.plan.Plan, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    out = tmp_path_factory.mktemp("pack") / "pack.pdf"
    result = CliRunner().invoke(main, ["plan", str(SAMPLE), "--out", str(out.with_suffix(".xlsx")), "--pdf",
                                       str(out)])
    assert result.exit_code == 0, result.output
    assert f"the board pack {out}" in result.output
    return pages_text(out)


def test_a_short_pack_in_the_boards_order(pack: list[str]) -> None:
    assert 6 <= len(pack) <= 10  # ten minutes' reading
    titles = [next(t for t in PACK_PAGES if t in page) for page in pack]
    # Each section once, in order (a long one continues on a page of its own).
    assert list(dict.fromkeys(titles)) == list(PACK_PAGES)
    for k, page in enumerate(pack, start=1):
        assert f"Consolidation plan, page {k}" in page


def test_headline_figures_are_the_plans(pack: list[str], plan: estate.plan.Plan) -> None:
    head = plan.headline()
    first = pack[0]
    for label, key in (("Annual run cost today", "Annual run cost"), ("Recommended annual saving",
                                                                      "Recommended annual saving"),
                       ("One-off cost", "One-off cost")):
        assert f"{label} £{head[key]:,.0f}" in first
    assert f"NPV over 10 years at 3.5% £{head['NPV']:,.0f}" in first
    assert f"Payback {head['Payback years']:.1f} years" in first
    assert (f"... of the run cost in scope {head['Saving as share of run cost in scope']:.1%} of "
            f"£{head['Run cost in scope']:,.0f}") in first
    assert f"{len(plan.inventory.systems):,} system rows read" in first


def test_options_partners_roadmap_risks_and_caveats(pack: list[str], plan: estate.plan.Plan) -> None:
    text = " ".join(pack)
    chosen = plan.options_table()
    best = chosen[chosen["recommended"]].sort_values("npv", ascending=False).iloc[0]
    assert f"{best['option_id']}, " in text and f"NPV £{best['npv']:,.0f}" in text
    for organisation in plan.partners.partners["organisation"]:
        assert organisation[:25] in text  # long names are cut to their column, with an ellipsis
    assert "Roadmap" in pack[[k for k, page in enumerate(pack) if "The roadmap" in page][0]]
    s = plan.sensitivity()
    assert f"Annual savings may fall by {s.value('Annual savings'):.0%}" in text
    assert f"NPV P50 £{s.value('NPV P50'):,.0f}" in text
    issues = plan.issues(defaults=False)
    problems = int(issues["severity"].isin(("error", "warning")).sum())
    assert f"{problems} issues in the inventories to fix" in text
    defaults = plan.options.defaults_used
    exit_defaults = int((defaults["column"] == "exit_cost").sum())
    assert f"{exit_defaults:,}" in pack[-1] and "exit_cost: no exit cost given" in pack[-1]


def test_a_small_plan_and_a_dollar_name(tmp_path: Path) -> None:
    # Text from the inventories is never mathtext: a name with dollar signs is drawn as written.
    plan = estate.make_plan(two_councils(eden_system="$x^2$ Revenues"))
    out = write_pack(plan, tmp_path / "small.pdf")
    text = " ".join(pages_text(out))
    assert "The headline" in text and "The data caveats" in text
    # The same pack from the package and from the plan, byte for byte (no creation date in it).
    assert estate.write_pack(plan, tmp_path / "again.pdf").read_bytes() == out.read_bytes()
    assert plan.write_pack(tmp_path / "third.pdf").read_bytes() == out.read_bytes()


def test_the_write_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = estate.make_plan(two_councils())
    out = tmp_path / "pack.pdf"
    out.write_bytes(b"%PDF- an older pack")

    def broken(*args: object, **kwargs: object) -> int:
        raise OSError(28, "No space left on device")

    import estate.pack as pack_module

    monkeypatch.setattr(pack_module, "_caveats_page", broken)
    with pytest.raises(ParameterError, match="no space left on the disk"):
        write_pack(plan, out)
    assert out.read_bytes() == b"%PDF- an older pack"  # the older file is intact
    assert sorted(os.listdir(tmp_path)) == ["pack.pdf"]  # and no temporary file is left behind
    monkeypatch.undo()
    write_pack(plan, out)
    assert out.read_bytes().startswith(b"%PDF-") and len(pages_text(out)) >= 6


def test_bad_arguments(tmp_path: Path) -> None:
    plan = estate.make_plan(two_councils())
    with pytest.raises(ParameterError, match="'path' parameter of write_pack must be a .pdf"):
        write_pack(plan, tmp_path / "pack.xlsx")
    with pytest.raises(ParameterError, match="'plan' parameter of write_pack must be a Plan"):
        write_pack("plan", tmp_path / "pack.pdf")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="does not exist"):
        write_pack(plan, tmp_path / "missing" / "pack.pdf")
    result = CliRunner().invoke(main, ["plan", str(SAMPLE), "--out", str(tmp_path / "p.xlsx"), "--pdf",
                                       str(tmp_path / "p.txt")])
    assert result.exit_code == 2 and "--pdf must name a .pdf file" in result.output
