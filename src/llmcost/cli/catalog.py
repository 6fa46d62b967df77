"""`llmcost catalog`: validate price files, list catalog versions, diff two versions."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import typer

from llmcost.cli.options import FormatOpt, check_format, emit
from llmcost.errors import InputError

app = typer.Typer(help="Validate the price catalog, list its versions, diff or export them.")


@app.command("validate")
def validate(
    path: Annotated[
        str | None, typer.Argument(help="A price file or directory (default: shipped).")
    ] = None,
    format: FormatOpt = "table",
) -> None:
    """Check price files against the schema and the catalog rules.

    Exit 2 on the first error, naming the file, the model and the field.
    """
    from llmcost.catalog.load import load_catalog
    from llmcost.reports.catalog import validate_report

    fmt = check_format(format)
    emit(validate_report(load_catalog(path)), fmt)


@app.command("versions")
def versions(
    catalog: Annotated[
        str | None, typer.Option("--catalog", help="A path to price files (default: shipped).")
    ] = None,
    format: FormatOpt = "table",
) -> None:
    """Each catalog version (a day prices were published) and what it changed."""
    from llmcost.catalog.load import load_catalog
    from llmcost.reports.catalog import versions_report

    fmt = check_format(format)
    emit(versions_report(load_catalog(catalog)), fmt)


@app.command("diff")
def diff(
    old: Annotated[str, typer.Argument(help="The older catalog version (a day).")],
    new: Annotated[str, typer.Argument(help="The newer catalog version (a day).")],
    catalog: Annotated[
        str | None, typer.Option("--catalog", help="A path to price files (default: shipped).")
    ] = None,
    budget: Annotated[
        list[str] | None,
        typer.Option("--budget", help="Also price this budget file under OLD and NEW (repeat)."),
    ] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="With --budget: the instant (its month or day).")
    ] = None,
    month: Annotated[str | None, typer.Option("--month", help="With --budget: YYYY-MM.")] = None,
    format: FormatOpt = "table",
) -> None:
    """The rate changes between two catalog versions, and what they do to budgets.

    For every stretch of time whose price differs, the old and the new rates. Example:
    llmcost catalog diff 2026-05-03 2026-06-01 --budget budgets/pro.toml --month 2026-06
    """
    from llmcost.catalog.diff import diff_versions
    from llmcost.catalog.load import load_catalog
    from llmcost.reports.catalog import diff_report
    from llmcost.timeparse import day

    fmt = check_format(format)
    cat = load_catalog(catalog)
    old_day, new_day = day(old, field="OLD"), day(new, field="NEW")
    report = diff_report(diff_versions(cat, old_day, new_day))
    if not budget:
        emit(report, fmt)
        return
    from llmcost.budget import diff_budgets
    from llmcost.cli.options import when
    from llmcost.reports.budget import budget_diff_report

    start, end = when(at, month)
    moves = diff_budgets(cat, budget, old_day, new_day, at=start, until=end)
    moved = budget_diff_report(moves)
    if fmt == "json":
        emit(replace(report, document={**report.document, "budgets": moved.document}), fmt)
    else:
        emit(report, fmt)
        emit(moved, fmt)
    failed = [m for m in moves if "error" in (m.old.status, m.new.status)]
    if failed:  # a budget that cannot be priced never passes, here as in `budget check`
        first = failed[0].new if failed[0].new.status == "error" else failed[0].old
        raise InputError(
            f"{len(failed)} budget(s) could not be priced; first: {first.error}",
            hint="run 'llmcost budget validate' on them",
        )


@app.command("export")
def export(
    catalog: Annotated[
        str | None,
        typer.Option("--catalog", help="Catalog version (a day) or a path to price files."),
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="csv, json or parquet.")] = "csv",
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="File to write (required for parquet).")
    ] = None,
) -> None:
    """The catalog as a flat price table, to join to usage logs in a warehouse.

    One row per model x stretch of valid time x currency x weekday piece x prompt band, the
    bitemporal winner already resolved. Example: llmcost catalog export -f parquet -o p.parquet
    """
    import os
    from pathlib import Path

    from llmcost.cli.options import open_catalog
    from llmcost.usage.export import export_table

    fmt = check_format(format, ("csv", "json", "parquet"))
    if fmt == "parquet" and output is None:
        raise InputError("--format parquet needs --output FILE")
    if output is not None:
        folder = Path(output).resolve().parent
        if not folder.is_dir() or not os.access(folder, os.W_OK) or Path(output).is_dir():
            raise InputError(f"--output: cannot write {output!r}", hint="check the folder exists")
    choice = open_catalog(catalog)
    text = export_table(choice.catalog, choice.known, fmt, output)
    if text is not None:
        typer.echo(text, nl=False)
