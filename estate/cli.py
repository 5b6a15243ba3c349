"""The ``estate`` command line: a thin layer over the library.

Every command has ``--help``. A user's mistake (a bad file, a bad option)
gives one line on stderr and no traceback. Exit codes:

* ``0`` success (``validate``: no warnings or errors);
* ``1`` usable, with data issues to look at;
* ``2`` unreadable input or bad usage;
* ``3`` an internal error in estate (a bug: please report it; set
  ``ESTATE_DEBUG=1`` for the traceback).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from estate.errors import EstateError

__all__ = ["main"]

EXIT_OK, EXIT_ISSUES, EXIT_UNREADABLE, EXIT_BUG = 0, 1, 2, 3


class _Group(click.Group):
    """Turns estate's errors into one line and an exit code."""

    def invoke(self, ctx: click.Context) -> object:
        import signal
        import threading

        previous = None
        if threading.current_thread() is threading.main_thread():
            previous = signal.signal(signal.SIGTERM, _terminated)
        try:
            return self._invoke(ctx)
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)

    def _invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except EstateError as exc:
            click.echo(f"estate: error: {exc}", err=True)
            ctx.exit(EXIT_UNREADABLE)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except BrokenPipeError:
            # The reader of our output went away (``estate plan ... | head -1``): not an error. Point stdout at
            # nothing so that Python's final flush does not complain, and stop quietly.
            _silence_stdout()
            ctx.exit(EXIT_OK)
        except KeyboardInterrupt:
            click.echo("estate: interrupted (any file being written was left as it was)", err=True)
            ctx.exit(130)
        except Exception as exc:  # a bug in estate, not the user's fault
            if os.environ.get("ESTATE_DEBUG"):
                raise
            click.echo(f"estate: internal error: {type(exc).__name__}: {exc} "
                       "(please report it; ESTATE_DEBUG=1 shows the traceback)", err=True)
            ctx.exit(EXIT_BUG)
        return None


def _shown(path: Path) -> str:
    """A path as text any terminal can print (a name that is not UTF-8 shows \ufffd)."""
    from estate.outputs import printable

    return printable(str(path))


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real stdout (a test runner): nothing to flush
        pass


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM ends estate like Ctrl-C does, so that a half-written output is removed, not left."""
    raise KeyboardInterrupt


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="estate", prog_name="estate")
def main() -> None:
    """Plan the consolidation of technology estates across several organisations."""


_paths = click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
_keep_going = click.option("--keep-going", is_flag=True, help="Load the other files when one cannot be read.")
_header_map = click.option(
    "--header-map", type=click.Path(path_type=Path, dir_okay=False),
    help="CSV (header,field) or YAML file mapping your own column headers to inventory fields.")
_mapping = click.option(
    "--mapping", type=click.Path(path_type=Path, dir_okay=False),
    help="Your product/vendor/capability mapping (CSV or .xlsx), overriding automatic matches.")
def _megabytes(ctx: click.Context, param: click.Parameter, value: float) -> float:
    """A finite size in MB (a FloatRange lets nan and inf through)."""
    if value != value or value in (float("inf"), float("-inf")):
        raise click.BadParameter(f"{value} is not a size in MB: give a number such as 50")
    return value


_max_size = click.option("--max-size", type=click.FloatRange(min=0, min_open=True), default=50.0,
                         show_default=True, callback=_megabytes, help="Refuse input files larger than this many MB.")


def _refuse_input(out: Path | None, paths: Sequence[Path], option: str = "--out") -> None:
    """Refuse an output naming an input: the input would be overwritten."""
    if out is not None:
        from estate.outputs import check_not_input

        check_not_input(out, paths, option=option)


def _read(paths: Sequence[Path], *, keep_going: bool, header_map: Path | None, max_size: float):
    from estate.reading import read_inventory

    return read_inventory(list(paths), keep_going=keep_going, header_map=header_map,
                          max_bytes=int(max_size * 1024 * 1024))


@main.command()
@click.argument("out", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--no-examples", is_flag=True, help="Leave out the two example rows.")
def template(out: Path, no_examples: bool) -> None:
    """Write the blank collection workbook OUT.xlsx to send to organisations."""
    from estate.template import write_template

    if out.suffix.lower() != ".xlsx":
        raise click.UsageError("the template is an .xlsx workbook: give OUT a .xlsx name")
    path = write_template(out, example_rows=not no_examples)
    click.echo(f"Wrote {_shown(path)}")


@main.command()
@_paths
@click.option("--report", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the summary and every issue to this .xlsx or .csv file.")
@click.option("--show", type=click.IntRange(min=0), default=40, show_default=True,
              help="How many issues to list on screen.")
@_keep_going
@_header_map
@_max_size
def validate(paths: tuple[Path, ...], report: Path | None, show: int, keep_going: bool, header_map: Path | None,
             max_size: float) -> None:
    """Load inventories in PATHS (files or folders) and report what is in them and what is wrong.

    Exit code 0 when clean, 1 when usable with issues, 2 when unreadable.
    """
    from estate.report import print_validation, write_validation_report

    if report is not None and report.suffix.lower() not in (".xlsx", ".csv"):
        raise click.UsageError("--report must name a .xlsx or .csv file")
    _refuse_input(report, paths, "--report")
    inventory = _read(paths, keep_going=keep_going, header_map=header_map, max_size=max_size)
    print_validation(inventory, show=show)
    if not inventory.systems.empty:
        from estate.matching import match_systems, no_product_counts

        for row in no_product_counts(match_systems(inventory.systems)).itertuples():
            click.echo(f"{row.organisation}: {row.no_product:,} of {row.systems:,} systems have no product "
                       f"(e.g. {row.examples}); they cannot be a shared platform until their product is given.")
    if report is not None:
        write_validation_report(inventory, report)
        click.echo(f"Wrote {_shown(report)}")
    if inventory.systems.empty:
        sys.exit(EXIT_UNREADABLE)
    sys.exit(EXIT_ISSUES if inventory.has_problems else EXIT_OK)


@main.command()
@_paths
@click.option("--out", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The estate graph file: .graphml (yEd, Gephi), .gexf (Gephi) or .json (node-link, Cytoscape).")
@_mapping
@_keep_going
@_header_map
@_max_size
def graph(paths: tuple[Path, ...], out: Path, mapping: Path | None, keep_going: bool, header_map: Path | None,
          max_size: float) -> None:
    """Write the estate graph of the inventories in PATHS for Gephi, yEd or Cytoscape."""
    from estate.graph import FORMATS, build_graph, write_graph
    from estate.matching import match_systems

    if out.suffix.lower() not in FORMATS:
        raise click.UsageError(f"--out must end in one of {', '.join(sorted(FORMATS))}")
    _refuse_input(out, paths)
    inventory = _read(paths, keep_going=keep_going, header_map=header_map, max_size=max_size)
    estate_graph = build_graph(match_systems(inventory.systems, mapping=mapping), inventory=inventory)
    write_graph(estate_graph, out)
    click.echo(f"Wrote {_shown(out)}: {estate_graph.number_of_nodes():,} nodes, {estate_graph.number_of_edges():,} edges")


@main.command()
@_paths
@click.option("--out", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The plan workbook to write (.xlsx).")
@click.option("--assumptions", type=click.Path(path_type=Path, dir_okay=False),
              help="Assumptions to plan with: TOML, YAML, or the Assumptions sheet of an earlier plan (.xlsx), "
                   "whose partner budgets are kept too unless --budgets is given.")
@click.option("--charts", type=click.Path(path_type=Path, file_okay=False),
              help="Also write the plan's charts (PNG and SVG) to this folder.")
@click.option("--scenario", "scenario_files", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
              help="A scenario: TOML or YAML assumption overrides, named by its file (repeatable); the plan "
                   "gets a Scenarios sheet comparing them.")
@click.option("--pdf", type=click.Path(path_type=Path, dir_okay=False),
              help="Also write the board pack: a short PDF of the headline, options, partners, roadmap, risks "
                   "and data caveats.")
@click.option("--budgets", type=click.Path(path_type=Path, dir_okay=False),
              help="Partners' one-off budgets: a CSV of organisation,year,budget (the most each organisation may "
                   "spend on the plan in that financial year); the schedule keeps them and the plan writes them "
                   "on Assumptions. Given with --assumptions plan.xlsx, these replace that plan's budgets.")
@click.option("--fit-overrides", "fit_overrides", type=click.Path(path_type=Path, dir_okay=False),
              help="Your word on the fit test: a CSV of retired,survivor,decision,reason (decision allow or "
                   "forbid; names as 'Organisation: System', a system name or a product).")
@_mapping
@_keep_going
@_header_map
@_max_size
def plan(paths: tuple[Path, ...], out: Path, assumptions: Path | None, charts: Path | None,
         scenario_files: tuple[Path, ...], pdf: Path | None, budgets: Path | None, fit_overrides: Path | None,
         mapping: Path | None, keep_going: bool, header_map: Path | None, max_size: float) -> None:
    """Plan the consolidation of the inventories in PATHS and write the plan workbook OUT."""
    from rich.console import Console

    from estate.plan import make_plan

    if out.suffix.lower() != ".xlsx":
        raise click.UsageError("--out must name a .xlsx workbook")
    _refuse_input(out, paths)
    if pdf is not None and pdf.suffix.lower() != ".pdf":
        raise click.UsageError("--pdf must name a .pdf file")
    _refuse_input(pdf, paths, option="--pdf")
    for given in (budgets, fit_overrides):
        if given is not None:
            _refuse_input(out, [given])
            _refuse_input(pdf, [given], option="--pdf")
    console = Console(stderr=True, highlight=False)
    with console.status("Planning...") as status:
        def progress(step: str) -> None:
            status.update(f"{step}...")

        result = make_plan(list(paths), assumptions=assumptions, mapping=mapping, header_map=header_map,
                           partner_budgets=budgets, fit_overrides=fit_overrides, keep_going=keep_going,
                           max_bytes=int(max_size * 1024 * 1024),
                           progress=progress)
        written: dict[str, Path] = {}
        if charts is not None:
            progress("Drawing charts")
            from estate.charts import write_charts

            written = write_charts(result, charts)
        scenarios = None
        if scenario_files:
            from estate.scenarios import compare_scenarios, plan_scenarios

            progress("Planning the scenarios")
            scenarios = compare_scenarios(result, plan_scenarios(result, scenario_files, mapping=mapping,
                                                                 partner_budgets=budgets))
        progress("Writing the workbook")
        result.write(out, charts=written, scenarios=scenarios)
        if pdf is not None:
            progress("Writing the board pack")
            from estate.pack import write_pack

            write_pack(result, pdf)
    _print_headline(result)
    click.echo(f"Wrote {_shown(out)}" + (f" and {len(written)} charts in {_shown(charts)}" if charts is not None else "")
               + (f"; the board pack {_shown(pdf)}" if pdf is not None else ""))


def _print_headline(result) -> None:
    issues = result.issues()
    problems = int(issues["severity"].isin(("error", "warning")).sum())
    rows = [(name, f"{value} ({result.portfolio.status})" if name == "Recommended options" else value)
            for name, value in result.headline_text()]
    rows.append(("Data issues", f"{problems:,} to fix, {len(issues) - problems:,} notes"))
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        click.echo(f"{name:<{width}}  {value}")
    from estate.narrative import counts_in_words

    click.echo(counts_in_words(result.inventory, result.matched, currency=result.assumptions.currency))


if __name__ == "__main__":  # pragma: no cover
    main()
