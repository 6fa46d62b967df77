"""`llmcost budget`: check budget files (for CI), validate them, print their schema, start one."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from llmcost.cli.options import (
    AtOpt,
    CatalogOpt,
    MonthOpt,
    PricingOpt,
    check_format,
    choices,
    emit,
    open_catalog,
    when,
)
from llmcost.errors import InputError

app = typer.Typer(help="Budgets as code: check budget files against their limits (CI).")

CHECK_FORMATS = ("table", "json", "markdown", "html", "github", "junit")
FilesArg = Annotated[list[str], typer.Argument(help="Budget files (TOML), one budget each.")]


@app.command("check")
def check(
    files: FilesArg,
    at: AtOpt = None,
    month: MonthOpt = None,
    catalog: CatalogOpt = None,
    pricing: PricingOpt = None,
    horizon: Annotated[
        int,
        typer.Option(
            "--horizon", help="Look ahead this many days for scheduled price changes (0: off)."
        ),
    ] = 30,
    strict: Annotated[
        bool, typer.Option("--strict", help="A look-ahead that goes over fails the check.")
    ] = False,
    format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="table, json, markdown, html (a page), github or junit.",
            autocompletion=choices(*CHECK_FORMATS),
        ),
    ] = "table",
) -> None:
    """Price each budget for its period (the month, or day, of --at; or --month) and compare
    it with its limit. Exit 0 when all are ok or warn, 1 when any is over, 2 when any file is
    invalid. Example: llmcost budget check budgets/*.toml --month 2026-06 --format github"""
    from llmcost.budget.check import check_files
    from llmcost.budget.report import budget_report
    from llmcost.budget.results import BudgetFailed, exit_code

    fmt = check_format(format, CHECK_FORMATS)
    if horizon < 0:
        raise InputError(f"--horizon: {horizon} is negative", hint="0 turns look-ahead off")
    if horizon > 3650:
        raise InputError(f"--horizon: {horizon} days is over ten years", hint="at most 3650")
    start, end = when(at, month)
    choice = open_catalog(catalog, None, pricing)
    results = check_files(
        choice.catalog, files, at=start, until=end, known=choice.known,
        horizon_days=horizon, strict=strict,
    )  # fmt: skip
    report = budget_report(results, version=choice.version, at=start, until=end, horizon=horizon)
    if fmt in ("github", "junit"):
        from llmcost.budget import ci

        typer.echo(getattr(ci, fmt)(results), nl=False)
        if fmt == "github" and os.environ.get("GITHUB_STEP_SUMMARY"):
            _append_summary(os.environ["GITHUB_STEP_SUMMARY"], report)
    else:
        if fmt == "html":
            from dataclasses import replace

            from llmcost.reports.html.figures import budget_gauges

            report = replace(report, charts=[budget_gauges(results)])
        emit(report, fmt)
    for result in results:
        if isinstance(result, BudgetFailed):
            typer.echo(f"llmcost: error: {result.error}", err=True)
    raise typer.Exit(exit_code(results))


def _append_summary(path: str, report) -> None:
    from llmcost.render import render

    try:
        with open(path, "a", encoding="utf-8") as out:
            out.write(render(report, "markdown") + "\n")
    except OSError as exc:
        from llmcost.files import os_error

        raise os_error(exc, path) from None


@app.command("validate")
def validate(
    files: FilesArg,
    catalog: CatalogOpt = None,
    pricing: PricingOpt = None,
    format: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """Check budget files without pricing them (for pre-commit): the schema, the models,
    the mixes and pinned catalog versions. Exit 2 if any file is invalid, each error on
    stderr with file:line: field."""
    from llmcost.budget.check import validate_budget
    from llmcost.budget.schema import load_budget
    from llmcost.errors import LlmcostError
    from llmcost.render import Column, Report

    fmt = check_format(format, ("table", "json"))
    choice = open_catalog(catalog, None, pricing)
    rows = []
    for file in files:
        try:
            validate_budget(choice.catalog, load_budget(file))
            rows.append({"file": file, "valid": True, "error": None})
        except LlmcostError as exc:
            rows.append({"file": file, "valid": False, "error": exc.one_line()})
            typer.echo(f"llmcost: error: {exc.one_line()}", err=True)
    bad = sum(not r["valid"] for r in rows)
    emit(
        Report(
            title=f"{len(rows) - bad} of {len(rows)} budget files valid",
            columns=[Column("file", "File"), Column("valid", "Valid"), Column("error", "Error")],
            rows=rows,
            document={"catalog_version": choice.version, "files": rows},
        ),
        fmt,
    )
    raise typer.Exit(2 if bad else 0)


@app.command("schema")
def schema() -> None:
    """The budget file's JSON Schema, for editors that autocomplete TOML (e.g. taplo)."""
    import json

    from llmcost.budget.schema import json_schema

    typer.echo(json.dumps(json_schema(), indent=2))


# Where the GitHub Action (action.yml) and the pre-commit hook look for budgets by default.
BUDGETS_GLOB = "budgets/*.toml"


@app.command("init")
def init(
    path: Annotated[
        str,
        typer.Argument(
            help=f"The file to write (default: where the Action looks, {BUDGETS_GLOB})."
        ),
    ] = "budgets/budget.toml",
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
) -> None:
    """Write a starter budget (a support bot on DeepSeek V4 Flash) to edit, by default as
    budgets/budget.toml, where the GitHub Action and the pre-commit hook find it. Never
    overwrites a file unless --force."""
    import contextlib
    from decimal import Decimal
    from pathlib import Path

    from llmcost.budget.schema import BudgetFile, WorkloadTable, dump_budget, write_new

    starter = BudgetFile(
        name="support-bot",
        limit=Decimal(1500),
        workloads=[
            WorkloadTable(
                name="chat",
                model="deepseek-v4-flash",
                requests_per_month=Decimal(3_000_000),
                input=Decimal(2000),
                cached=Decimal(1500),
                output=Decimal(400),
            )
        ],
    )
    header = (
        "# An llmcost budget: 'llmcost budget check FILE' prices it for the month.\n"
        "# Keys: 'llmcost budget schema'. A workload is a model or a mix (slices).\n"
    )
    if path == "budgets/budget.toml":  # the default: its folder may not exist yet
        with contextlib.suppress(OSError):  # else the write says what is wrong
            Path("budgets").mkdir(exist_ok=True)
    write_new(path, header + dump_budget(starter), force=force)
    typer.echo(f"llmcost: wrote {path}", err=True)
    if Path(path).parent.name != "budgets" or Path(path).suffix != ".toml":
        typer.echo(
            f"llmcost: note: the GitHub Action checks {BUDGETS_GLOB} by default; move the file "
            "there or give the Action's 'budgets' input",
            err=True,
        )
