"""`llmcost bill --invoice FILE`: the bill of the logs beside an invoice, line by line.

Called by `cli.bill` when `--invoice` is given; parse, call, render, as every command."""

from __future__ import annotations

import os
from datetime import UTC, datetime, time
from decimal import Decimal

import typer

from llmcost.cli.options import (
    REPORT_FORMATS,
    check_currency,
    check_format,
    emit,
    max_rejected_share,
    open_catalog,
    time_range,
    warn,
)
from llmcost.errors import InputError
from llmcost.money import exact_sum

DEFAULT_TOLERANCE = Decimal("0.01")


def compare_invoice(
    files: list[str],
    invoice: str,
    tolerance: str | None,
    *,
    since,
    until,
    group_by,
    allow_rejects: bool,
    max_rejected,
    strict: bool,
    currency,
    catalog,
    pricing,
    format: str,
) -> None:
    """Exit status: the bill's own (0; 1 records rejected, unless allowed; 2 bad input), and
    1 when a gap no cause explains is larger than `--tolerance`."""
    from llmcost.reports.bill import summary_line
    from llmcost.reports.invoice import invoice_report
    from llmcost.usage import invoice as inv
    from llmcost.usage.bill import bill as run_bill
    from llmcost.usage.bill import exit_code

    fmt = check_format(format, tuple(f for f in REPORT_FORMATS if f != "html"))
    _check_flags(group_by, strict, allow_rejects, max_rejected)
    most = max_rejected_share(max_rejected) if max_rejected is not None else None
    allowed = _tolerance(tolerance)
    cur = check_currency(currency)
    start, end = time_range(since, until)
    bill_of = _read_invoice(invoice, cur)
    choice = open_catalog(catalog, cur, pricing)

    def bill_by(keys):
        return run_bill(choice.catalog, files, known=choice.known, currency=cur, since=start,
                        until=end, group_by=keys,
                        memory_limit=os.environ.get("LLMCOST_MEMORY_LIMIT"))  # fmt: skip

    result = bill_by(("day", "model"))  # at the compiled scanner's speed
    rejected, unplaced = inv.rejected_by_day_model(choice.catalog, result.rejections)

    def compare(groups):
        return inv.reconcile(choice.catalog, groups, bill_of, currency=cur, tolerance=allowed,
                             rejected=rejected, unattributed=unplaced)  # fmt: skip

    compared = compare(result.groups)
    if any(row.status not in ("match", "rounding") for row in compared.rows):
        # a gap to explain: read again by the records' tier fields too, which the compiled
        # scanner does not group by (DuckDB's reader does, about ten times slower)
        result = bill_by(inv.BILL_KEYS)
        compared = compare(result.groups)
    bill_code = exit_code(result, allow_rejects=allow_rejects, max_rejected=most)
    failed = bool(compared.over_tolerance) or not compared.overlap
    code = _exit_status(bill_code, bool(strict and result.rejected), failed)
    warn(summary_line(result))
    counts = {"records": result.records, "priced": result.priced, "rejected": result.rejected}
    emit(
        invoice_report(
            compared,
            version=result.version,
            invoice_file=invoice,
            files=files,
            bill_counts=counts,
            exit_code=code,
        ),
        fmt,
    )
    if unplaced:
        warn(f"{unplaced:,} rejected record(s) could not be placed on a day and model")
    outside = _outside_line(compared, start, end)
    if outside:
        warn(outside)
    if code == 2:
        raise InputError(f"{result.rejected:,} record(s) rejected", hint="see --format json")
    if code:
        why = []
        if not compared.overlap:
            why.append("the invoice shares no day with the logs: nothing was compared")
        if compared.over_tolerance:
            why.append(
                f"{len(compared.over_tolerance)} unexplained gap(s) over the tolerance "
                f"of {allowed} {cur}"
            )
        if result.rejected and bill_code:
            why.append(f"{result.rejected:,} record(s) rejected (--allow-rejects to accept)")
        warn("exit 1: " + "; ".join(why))
        raise typer.Exit(code)


def _outside_line(compared, start, end) -> str | None:
    """The invoice's lines on days the logs do not cover: named, as not compared; with the
    cause when `--since`/`--until` cut those days out."""
    lines = [r for r in compared.rows if r.causes == ("outside_logs",)]
    if not lines:
        return None
    count = sum(len(r.invoice_lines) for r in lines)
    amount = f"{compared.currency} {exact_sum(r.invoice for r in lines)}"
    logs = compared.logs_span
    logs_text = f"the logs ({logs[0]} to {logs[1]})" if logs else "the logs (no priced record)"
    if compared.overlap:
        text = f"{count:,} invoice line(s), {amount}, on days outside {logs_text}: not compared"
    else:
        span = compared.invoice_span
        text = (
            f"the invoice ({span[0]} to {span[1]}) shares no day with {logs_text}: "
            f"its {count:,} line(s), {amount}, are not compared"
        )
    days = {r.day for r in lines}
    cut = [
        flag
        for flag, bound, out in (
            ("--since", start, lambda d, b: d < b.astimezone(UTC).date()),
            ("--until", end, lambda d, b: datetime.combine(d, time(), UTC) >= b),
        )
        if bound is not None and any(out(d, bound) for d in days)
    ]
    if cut:
        text += f" ({' and '.join(cut)} left out the logs of those days)"
    return text


def _check_flags(group_by, strict: bool, allow_rejects: bool, max_rejected) -> None:
    """The bill's flags that make no sense beside an invoice."""
    if group_by:
        raise InputError(
            "--group-by cannot be given with --invoice",
            hint="an invoice is compared by day and model",
        )
    if strict and (allow_rejects or max_rejected is not None):
        raise InputError(
            "--strict cannot be given with --allow-rejects or --max-rejected",
            hint="--strict makes any rejection exit 2; the others let some pass",
        )


def _read_invoice(invoice: str, currency: str):
    """The invoice, in the bill's currency; a line repeated exactly is warned of."""
    from llmcost.usage import invoice as inv

    bill_of = inv.read_invoice(invoice)
    if bill_of.currency is not None and bill_of.currency != currency:
        raise InputError(
            f"the invoice is in {bill_of.currency}, the bill in {currency}",
            where=invoice,
            hint=f"give --currency {bill_of.currency}",
        )
    for line, earlier in bill_of.repeated[:5]:
        warn(f"{invoice}:{line} repeats line {earlier} exactly: both are counted")
    return bill_of


def _exit_status(bill_code: int, strict_rejected: bool, over_tolerance: bool) -> int:
    """The bill's exit status; 2 where `--strict` meets a rejection; else 1 where a gap is
    over the tolerance."""
    code = 2 if strict_rejected else bill_code
    if code != 2 and over_tolerance:
        code = 1
    return code


def _tolerance(text: str | None) -> Decimal:
    if text is None:
        return DEFAULT_TOLERANCE
    from llmcost.usage.invoice import _AMOUNT

    value = text.strip()
    if not _AMOUNT.fullmatch(value) or Decimal(value) < 0:
        raise InputError(
            f"--tolerance: {text!r} is not an amount",
            hint="an amount of the currency, such as 0.01 (the default)",
        )
    return Decimal(value)
