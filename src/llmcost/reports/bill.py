"""The `bill` report: totals per group, by token kind, and every rejection."""

from __future__ import annotations

from llmcost.render import Column, Report
from llmcost.usage.bill import Bill


def bill_report(result: Bill) -> Report:
    cur = result.currency
    rows, docs = [], []
    for group in result.groups:
        cost = group.cost
        rows.append(
            {
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
        "groups": docs,
        "rejections": [
            {"file": r.file, "line": r.line, "reason": r.reason} for r in result.rejections
        ],
    }
    return Report(
        title=f"Bill, catalog {result.version.isoformat()}: total "
        f"{_money(t.total, cur)} for {result.priced:,} priced records",
        columns=columns,
        rows=rows,
        document=document,
        notes=[summary_line(result)],
    )


def summary_line(result: Bill) -> str:
    """`records 10 = priced 8 + rejected 2` — printed on every run."""
    text = f"records {result.records:,} = priced {result.priced:,} + rejected {result.rejected:,}"
    if result.skipped:
        text += f" + outside --since/--until {result.skipped:,}"
    return text


def _money(amount, currency: str) -> str:
    from llmcost.render import show_money

    return show_money(amount, currency)
