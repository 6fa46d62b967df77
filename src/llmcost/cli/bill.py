"""`llmcost bill`: price usage logs, each record at its own instant."""

from __future__ import annotations

import os
import sys
from typing import Annotated

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
    open_catalog,
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
    from llmcost.reports.bill import bill_report, rejected_percent, summary_line
    from llmcost.timeparse import instant
    from llmcost.usage.bill import SPECIAL_KEYS, exit_code
    from llmcost.usage.bill import bill as run_bill
    from llmcost.usage.rollup import roll_up, with_days

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
    most = _share(max_rejected) if max_rejected is not None else None
    if strict and (allow_rejects or most is not None):
        raise InputError(
            "--strict cannot be given with --allow-rejects or --max-rejected",
            hint="--strict makes any rejection exit 2; the others let some pass",
        )
    cur = check_currency(currency)
    start = instant(since, field="--since") if since is not None else None
    end = instant(until, field="--until") if until is not None else None
    if start is not None and end is not None and end <= start:
        raise InputError("--until must be after --since", hint="the range is [since, until)")
    given_at = instant(at, field="--at") if at is not None else None
    keys = [k.strip() for k in group_by.split(",") if k.strip()] if group_by else []
    zone = _zone(timezone)
    choice = open_catalog(catalog, cur, pricing)
    seen: set = set()
    for name in files:
        real = os.path.realpath(name)
        if real in seen:
            warn(
                f"{name} is given more than once: its records with an id are billed once, "
                "those without one each time"
            )
        seen.add(real)
    priced_by = with_days(keys) if fmt == "html" else keys
    if engine is not None:
        from llmcost.warehouse.engine_bill import ENGINES, bill_on_engine

        if at is not None:
            raise InputError("--at is not taken with --engine", hint="bill without --engine")
        if timezone is not None:
            raise InputError("--timezone is not taken with --engine", hint="bill without --engine")
        if engine not in ENGINES:
            raise InputError(f"--engine {engine!r} is not an engine", hint="duckdb or spark")
        result = bill_on_engine(
            choice.catalog, files, engine=engine, known=choice.known, currency=cur,
            since=start, until=end, group_by=priced_by,
        )  # fmt: skip
    else:
        result = run_bill(
            choice.catalog,
            files,
            known=choice.known,
            currency=cur,
            since=start,
            until=end,
            at=given_at,
            group_by=priced_by,
            timezone=zone,
            memory_limit=os.environ.get("LLMCOST_MEMORY_LIMIT"),
            progress=_progress_bar if sys.stderr.isatty() else None,
        )
    # html: priced by day and by the chart's series too, the table's bill rolled up from it
    daily, result = result, (roll_up(result, keys) if fmt == "html" else result)
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
    code = exit_code(result, allow_rejects=allow_rejects, max_rejected=most)
    if strict and result.rejected:
        code = 2
    if fmt != "table":
        warn(summary_line(result))
    report = bill_report(result, code)
    if fmt == "html":
        from dataclasses import replace

        from llmcost.reports.html.figures import daily_costs

        report = replace(report, charts=[daily_costs(daily, keys)])
    emit(report, fmt)
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


def _share(text: str):
    """`--max-rejected`: a percent (`0.5%` or `0.5`) as an exact fraction of 1."""
    from fractions import Fraction

    from llmcost.errors import InputError

    number = text.strip().removesuffix("%").strip()
    try:
        share = Fraction(number) / 100
    except (ValueError, ZeroDivisionError):
        share = None
    if share is None or not 0 <= share <= 1 or not number[:1].isdigit():
        raise InputError(
            f"--max-rejected: {text!r} is not a percent from 0 to 100",
            hint="a share of the records such as 0.5%",
        )
    return share


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
