"""`llmcost bill`: price usage logs, each record at its own instant."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from llmcost.cli.options import (
    CatalogOpt,
    CurrencyOpt,
    FormatOpt,
    PricingOpt,
    check_currency,
    check_format,
    emit,
    open_catalog,
    warn,
)

SHOWN_REJECTIONS = 5


def bill(
    files: Annotated[
        list[str], typer.Argument(help="Usage logs: JSON Lines (.jsonl, .jsonl.gz) or CSV.")
    ],
    since: Annotated[
        str | None, typer.Option("--since", help="Only records at or after this instant.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Only records before this instant.")
    ] = None,
    group_by: Annotated[
        str | None,
        typer.Option(
            "--group-by",
            "-g",
            help="Comma-separated: model, provider, day, month, shape, or any record field.",
        ),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 2 if any record is rejected.")
    ] = False,
    currency: CurrencyOpt = None,
    catalog: CatalogOpt = None,
    pricing: PricingOpt = None,
    format: FormatOpt = "table",
) -> None:
    """Price usage logs, each record at the rate in force at its own instant.

    Records as the providers' APIs return them (JSON Lines, gzip, CSV). Example:
    llmcost bill logs/*.jsonl.gz --group-by model,day
    """
    from llmcost.errors import InputError
    from llmcost.reports.bill import bill_report, summary_line
    from llmcost.timeparse import instant
    from llmcost.usage.bill import bill as run_bill

    fmt = check_format(format)
    cur = check_currency(currency)
    start = instant(since, field="--since") if since is not None else None
    end = instant(until, field="--until") if until is not None else None
    if start is not None and end is not None and end <= start:
        raise InputError("--until must be after --since", hint="the range is [since, until)")
    keys = [k.strip() for k in group_by.split(",") if k.strip()] if group_by else []
    choice = open_catalog(catalog, cur, pricing)
    seen: set = set()
    for name in files:
        real = os.path.realpath(name)
        if real in seen:
            warn(f"{name} is given more than once: its records are counted each time")
        seen.add(real)
    result = run_bill(
        choice.catalog,
        files,
        known=choice.known,
        currency=cur,
        since=start,
        until=end,
        group_by=keys,
        memory_limit=os.environ.get("LLMCOST_MEMORY_LIMIT"),
        progress=_progress_bar if sys.stderr.isatty() else None,
    )
    for rejection in result.rejections[:SHOWN_REJECTIONS]:
        warn(f"rejected {rejection.file}:{rejection.line}: {rejection.reason}")
    if result.rejected > SHOWN_REJECTIONS:
        warn(f"... and {result.rejected - SHOWN_REJECTIONS:,} more (all in --format json)")
    for key in result.absent_keys:
        near = [k for k in ("model", "provider", "day", "month", "shape") if k == key.lower()]
        warn(
            f"--group-by {key}: no priced record has this field; its column is empty"
            + (f" (did you mean {near[0]}?)" if near else "")
        )
    if fmt != "table":
        warn(summary_line(result))
    emit(bill_report(result), fmt)
    if strict and result.rejected:
        raise InputError(f"{result.rejected:,} record(s) rejected", hint="drop --strict")


def _progress_bar(progress):
    """A rich bar on stderr while DuckDB works; returns the function that stops it."""
    import threading

    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("pricing"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(), transient=True, console=Console(stderr=True),
    )  # fmt: skip
    task = bar.add_task("bill", total=100)
    stop = threading.Event()

    def poll():
        while not stop.wait(0.1):
            value = progress()
            if value is not None and value >= 0:
                bar.update(task, completed=value)

    bar.start()
    poller = threading.Thread(target=poll, daemon=True)
    poller.start()

    def done():
        stop.set()
        poller.join()
        bar.stop()

    return done
