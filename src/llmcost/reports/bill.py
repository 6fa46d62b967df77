"""The `bill` report: totals per group, by token kind, and every rejection."""

from __future__ import annotations

import math
from decimal import Decimal

from llmcost.money import RATIO_PLACES
from llmcost.render import Column, Report
from llmcost.usage.bill import Bill


def bill_report(result: Bill, exit_code: int = 0) -> Report:
    """`exit_code`: the run's exit status (`usage.bill.exit_code`), carried in the JSON so a
    script that keeps only the document still knows whether the bill is whole."""
    cur = result.currency
    rows, docs = [], []
    for group in result.groups:
        cost = group.cost
        rows.append(
            {
                "status": "priced",
                **group.keys,  # None: shown as "-" in tables, empty in CSV
                "records": group.records,
                "input_tokens": group.tokens["input"],
                "output_tokens": group.tokens["output"],
                "cached_tokens": group.tokens["cached"],
                "cache_write_tokens": group.tokens["cache_write"],
                "cache_write_1h_tokens": group.tokens["cache_write_1h"],
                "currency": cur,
                "input": (cost.input, cur),
                "cache_read": (cost.cache_read, cur),
                "cache_write": (cost.cache_write, cur),
                "output": (cost.output, cur),
                "total": (cost.total, cur),
            }
        )
        docs.append(
            {
                **group.keys,
                "records": group.records,
                "tokens": group.tokens,
                "currency": cur,
                "total": cost.total,
                "input": cost.input,
                "cache_read": cost.cache_read,
                "cache_write": cost.cache_write,
                "output": cost.output,
            }
        )
    rows += _left_out(result)
    columns = [Column(k, k.capitalize()) for k in result.group_by]
    columns += [
        Column("records", "Records", "count"),
        Column("input_tokens", "Prompt tokens", "count"),
        Column("output_tokens", "Output tokens", "count"),
        Column("cached_tokens", "Cached tokens", "count", csv_only=True),
        Column("cache_write_tokens", "Cache-write tokens", "count", csv_only=True),
        Column("cache_write_1h_tokens", "1h cache-write tokens", "count", csv_only=True),
        Column("currency", "Currency", csv_only=True),
        Column("input", "Input", "money"),
        Column("cache_read", "Cache read", "money"),
        Column("cache_write", "Cache write", "money"),
        Column("output", "Output", "money"),
        Column("total", "Total", "money"),
        # shown when some rows are not priced; CSV always has the column
        Column("status", "Status", csv_only=len(rows) == len(result.groups)),
    ]
    t = result.total
    document = {
        "catalog_version": result.version,
        "files": list(result.files),
        "since": result.since,
        "until": result.until,
        "currency": cur,
        "records": result.records,
        "priced": result.priced,
        "rejected": result.rejected,
        "skipped": result.skipped,
        "duplicates": result.duplicates,
        "duplicate_ids": [{"id": i, "copies": n} for i, n in result.duplicate_ids],
        "rejected_share": rejected_share(result),
        "unpriced_tokens": result.unpriced_tokens,
        "exit_code": exit_code,
        "totals": {cur: t.total},
        "breakdown": {
            cur: {
                "input": t.input,
                "cache_read": t.cache_read,
                "cache_write": t.cache_write,
                "output": t.output,
            }
        },
        "tokens": result.tokens,
        "group_by": list(result.group_by),
        "timezone": result.timezone,
        "groups": docs,
        "rejections": [
            {"file": r.file, "line": r.line, "reason": r.reason} for r in result.rejections
        ],
    }
    left_out = f"; {result.rejected:,} rejected, not billed" if result.rejected else ""
    return Report(
        title=f"Bill, catalog {result.version.isoformat()}: total "
        f"{_money(t.total, cur)} for {result.priced:,} priced records{left_out}",
        columns=columns,
        rows=rows,
        document=document,
        notes=[summary_line(result)],
        total_row=_total_row(result),
    )


def _total_row(result: Bill) -> dict | None:
    """The totals of the priced groups, closing a grouped table (the JSON has them as
    `totals`, `breakdown` and `tokens`): none for an ungrouped bill (its one row is the
    total) or one of a single group."""
    if not result.group_by or len(result.groups) < 2:
        return None
    cur, t = result.currency, result.total
    first = result.group_by[0]
    return {
        first: "Total",
        "records": result.priced,
        "input_tokens": result.tokens["input"],
        "output_tokens": result.tokens["output"],
        "input": (t.input, cur),
        "cache_read": (t.cache_read, cur),
        "cache_write": (t.cache_write, cur),
        "output": (t.output, cur),
        "total": (t.total, cur),
    }


def _left_out(result: Bill) -> list[dict]:
    """The rows of records the total leaves out: the copies of responses already billed,
    and the rejected records, with the tokens of those whose counts could be read; no money
    (they are not billed)."""
    rows = []
    if result.duplicates:
        rows.append(
            {"status": "duplicate", "records": result.duplicates, "currency": result.currency}
        )
    if not result.rejected:
        return rows
    tokens = result.unpriced_tokens
    return [
        *rows,
        {
            "status": "rejected",
            "records": result.rejected,
            "input_tokens": tokens["input"],
            "output_tokens": tokens["output"],
            "cached_tokens": tokens["cached"],
            "cache_write_tokens": tokens["cache_write"],
            "cache_write_1h_tokens": tokens["cache_write_1h"],
            "currency": result.currency,
        },
    ]


def rejected_share(result: Bill) -> Decimal:
    """The rejected share to four places as the other ratios (`0.25` is 25%), rounded up:
    any rejection shows."""
    places = math.ceil(result.rejected_share * 10_000)  # exact: a Fraction
    return (Decimal(places) * RATIO_PLACES).quantize(RATIO_PLACES)


def rejected_percent(result: Bill) -> str:
    """The rejected share as people read it (`25.00%`), rounded up: any rejection shows."""
    return f"{(rejected_share(result) * 100).quantize(Decimal('0.01'))}%"


def summary_line(result: Bill) -> str:
    """`records 10 = priced 8 + rejected 2` — printed on every run; then the records outside
    the period and the duplicates; with rejections, their share and the tokens left unpriced."""
    text = f"records {result.records:,} = priced {result.priced:,} + rejected {result.rejected:,}"
    if result.skipped:
        text += f" + outside --since/--until {result.skipped:,}"
    if result.duplicates:
        text += f" + duplicates {result.duplicates:,} (a response logged again: billed once)"
    if result.rejected:
        tokens = ", ".join(f"{kind} {n:,}" for kind, n in result.unpriced_tokens.items() if n)
        text += (
            f"; NOT BILLED: {rejected_percent(result)} of the records rejected, "
            f"unpriced tokens: {tokens or 'none readable'}"
        )
    return text


def _money(amount, currency: str) -> str:
    from llmcost.render import show_money

    return show_money(amount, currency)
