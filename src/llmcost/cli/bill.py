"""`llmcost bill`: price usage logs, each record at its own instant."""

from __future__ import annotations

import os
import sys
from typing import Annotated, NamedTuple

import typer

from llmcost.cli.options import (
    REPORT_FORMATS,
    CatalogOpt,
    CurrencyOpt,
    PricingOpt,
    ReportFormatOpt,
    check_currency,
    check_format,
    emit,
    max_rejected_share,
    open_catalog,
    time_range,
    warn,
)

SHOWN_REJECTIONS = 5


def bill(
    files: Annotated[
        list[str],
        typer.Argument(
            help="Usage logs: JSON Lines (.jsonl, .jsonl.gz), CSV, a JSON array, Parquet, or - "
            "for standard input (docs/logs.md lists the shapes read)."
        ),
    ],
    since: Annotated[
        str | None, typer.Option("--since", help="Only records at or after this instant.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Only records before this instant.")
    ] = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="The instant of records that carry none (an Anthropic batch result file).",
        ),
    ] = None,
    group_by: Annotated[
        str | None,
        typer.Option(
            "--group-by",
            "-g",
            help="Comma-separated: model, provider, day, week, month, shape, session, project, "
            "key, or any record field.",
        ),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(
            "--timezone",
            metavar="ZONE",
            help="The zone of day, week and month groups: an IANA name (Asia/Shanghai) or an "
            "offset (+08:00). Default: the config's timezone, else UTC.",
        ),
    ] = None,
    allow_rejects: Annotated[
        bool,
        typer.Option(
            "--allow-rejects",
            help="Exit 0 even when some records are rejected (still 2 if none is priced).",
        ),
    ] = False,
    max_rejected: Annotated[
        str | None,
        typer.Option(
            "--max-rejected",
            metavar="PERCENT",
            help="Exit 0 when at most this share of the records is rejected (0.5%).",
        ),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 2 (bad input) if any record is rejected.")
    ] = False,
    engine: Annotated[
        str | None,
        typer.Option(
            "--engine",
            help="duckdb or spark: price canonical records (JSON Lines, Parquet) with the "
            'warehouse expression there (pip install "llmcost[spark]").',
        ),
    ] = None,
    currency: CurrencyOpt = None,
    catalog: CatalogOpt = None,
    pricing: PricingOpt = None,
    format: ReportFormatOpt = "table",
    invoice: Annotated[
        str | None, typer.Option("--invoice", help="Compare with an invoice or cost export (CSV).")
    ] = None,
    tolerance: Annotated[
        str | None,
        typer.Option("--tolerance", help="With --invoice: exit 1 on a gap over it (0.01)."),
    ] = None,
) -> None:
    """Price usage logs, each record at the rate in force at its own instant.

    Records as the providers' APIs return them (JSON Lines, gzip, CSV). Example:
    llmcost bill logs/*.jsonl.gz --group-by model,day

    Exit status: 0 every record priced (a response logged twice is billed once); 1 some
    records rejected (listed on stderr and in JSON), unless --allow-rejects or
    --max-rejected allows them; 2 bad input: nothing could be priced (every record
    rejected), an unreadable file, a bad option, or any rejection under --strict.
    """
    from llmcost.errors import InputError
    from llmcost.usage.bill import exit_code
    from llmcost.usage.rollup import roll_up

    if invoice is not None and engine is not None:
        raise InputError("--engine cannot be given with --invoice",
                         hint="--invoice reads the logs with the default engine")  # fmt: skip
    if invoice is not None:  # a comparison with an invoice (docs/invoice.md): cli/invoice.py
        from llmcost.cli.invoice import compare_invoice

        return compare_invoice(files, invoice, tolerance, since=since, until=until,
                               group_by=group_by, allow_rejects=allow_rejects,
                               max_rejected=max_rejected, strict=strict, currency=currency,
                               catalog=catalog, pricing=pricing, format=format)  # fmt: skip
    if tolerance is not None:
        raise InputError("--tolerance is given without --invoice", hint="add --invoice FILE")
    fmt = check_format(format, REPORT_FORMATS)
    most = max_rejected_share(max_rejected) if max_rejected is not None else None
    if strict and (allow_rejects or most is not None):
        raise InputError(
            "--strict cannot be given with --allow-rejects or --max-rejected",
            hint="--strict makes any rejection exit 2; the others let some pass",
        )
    cur = check_currency(currency)
    start, end = time_range(since, until)
    keys = [k.strip() for k in group_by.split(",") if k.strip()] if group_by else []
    choice = open_catalog(catalog, cur, pricing)
    _warn_repeated(files)
    job = _Job(choice, files, cur, start, end, keys, fmt)
    daily = _on_engine(job, engine, at, timezone) if engine else _by_default(job, at, timezone)
    # html: priced by day and by the chart's series too, the table's bill rolled up from it
    result = roll_up(daily, keys) if fmt == "html" else daily
    _tell(result)
    code = exit_code(result, allow_rejects=allow_rejects, max_rejected=most)
    if strict and result.rejected:
        code = 2
    _report(result, daily, keys, code, fmt)
    _exit(result, code, strict)


class _Job(NamedTuple):
    """What every engine is asked to bill."""

    choice: object  # options.open_catalog's choice: the catalog and the version known
    files: list[str]
    currency: str
    since: object
    until: object
    keys: list[str]
    fmt: str

    @property
    def priced_by(self) -> list[str]:
        """The keys to price by: an html bill adds the day and the chart's series."""
        from llmcost.usage.rollup import with_days

        return list(with_days(self.keys)) if self.fmt == "html" else self.keys


def _warn_repeated(files: list[str]) -> None:
    seen: set = set()
    for name in files:
        real = os.path.realpath(name)
        if real in seen:
            warn(
                f"{name} is given more than once: its records with an id are billed once, "
                "those without one each time"
            )
        seen.add(real)


def _by_default(job: _Job, at: str | None, timezone: str | None):
    """The bill of today's path: the compiled scanner and DuckDB (usage/bill.py)."""
    from llmcost.timeparse import instant
    from llmcost.usage.bill import bill as run_bill

    given_at = instant(at, field="--at") if at is not None else None
    return run_bill(
        job.choice.catalog,
        job.files,
        known=job.choice.known,
        currency=job.currency,
        since=job.since,
        until=job.until,
        at=given_at,
        group_by=job.priced_by,
        timezone=_zone(timezone),
        memory_limit=os.environ.get("LLMCOST_MEMORY_LIMIT"),
        progress=_progress_bar if sys.stderr.isatty() else None,
    )


def _on_engine(job: _Job, engine: str, at: str | None, timezone: str | None):
    """The bill of the warehouse expression on `engine` (warehouse/engine_bill.py)."""
    from llmcost.errors import InputError
    from llmcost.warehouse.engine_bill import ENGINES, bill_on_engine

    if at is not None:
        raise InputError("--at is not taken with --engine", hint="bill without --engine")
    from datetime import UTC

    zone = _zone(timezone)  # the flag's, else the config's; None: UTC
    calendar = {"day", "week", "month"} & set(job.keys)
    if zone not in (None, UTC) and (timezone is not None or calendar):
        raise InputError(
            "--engine groups days, weeks and months in UTC only"
            + ("" if timezone is not None else " (the config sets a timezone)"),
            hint="bill without --engine for another zone's calendar",
        )
    if engine not in ENGINES:
        raise InputError(f"--engine {engine!r} is not an engine", hint="duckdb or spark")
    return bill_on_engine(
        job.choice.catalog, job.files, engine=engine, known=job.choice.known,
        currency=job.currency, since=job.since, until=job.until, group_by=job.priced_by,
    )  # fmt: skip


def _tell(result) -> None:
    """On stderr: the first rejections, ids billed once, and group keys no record has."""
    from llmcost.usage.bill import SPECIAL_KEYS

    for rejection in result.rejections[:SHOWN_REJECTIONS]:
        warn(f"rejected {rejection.file}:{rejection.line}: {rejection.reason}")
    if result.rejected > SHOWN_REJECTIONS:
        warn(f"... and {result.rejected - SHOWN_REJECTIONS:,} more (all in --format json)")
    for response, copies in result.duplicate_ids[:SHOWN_REJECTIONS]:
        warn(f"billed once: id {response} is logged {copies + 1} times")
    if len(result.duplicate_ids) > SHOWN_REJECTIONS:
        more = len(result.duplicate_ids) - SHOWN_REJECTIONS
        warn(f"... and {more:,} more ids logged more than once (all in --format json)")
    for key in result.absent_keys:
        near = [k for k in SPECIAL_KEYS if k == key.lower()]
        warn(
            f"--group-by {key}: no priced record has this field; its column is empty"
            + (f" (did you mean {near[0]}?)" if near else "")
        )


def _report(result, daily, keys: list[str], code: int, fmt: str) -> None:
    from llmcost.reports.bill import bill_report, summary_line

    if fmt != "table":
        warn(summary_line(result))
    report = bill_report(result, code)
    if fmt == "html":
        from dataclasses import replace

        from llmcost.reports.html.figures import daily_costs

        report = replace(report, charts=[daily_costs(daily, keys)])
    emit(report, fmt)


def _exit(result, code: int, strict: bool) -> None:
    from llmcost.errors import InputError
    from llmcost.reports.bill import rejected_percent

    if code == 2 and result.rejected:
        raise InputError(
            f"{result.rejected:,} record(s) rejected" + ("" if result.priced else ", none priced"),
            hint="drop --strict" if strict and result.priced else "see the reasons above",
        )
    if code:
        warn(
            f"{result.rejected:,} record(s) rejected ({rejected_percent(result)} of the records "
            "priced or rejected): exit 1 (--allow-rejects or --max-rejected PERCENT to accept)"
        )
        raise typer.Exit(code)


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


def _zone(given: str | None):
    """The zone of the bill's day, week and month groups: --timezone, else the configured
    timezone (LLMCOST_TIMEZONE or the config file's), else UTC."""
    from llmcost.cli.options import settings
    from llmcost.usage.zones import parse_zone

    if given is not None:
        return parse_zone(given)
    configured = settings().timezone
    return parse_zone(configured, where="timezone") if configured else None
