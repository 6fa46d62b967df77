"""The `compare` report."""

from __future__ import annotations

from llmcost.comparison import Comparison
from llmcost.money import plain, ratio
from llmcost.render import Column, Report
from llmcost.timeparse import show_instant


def compare_report(result: Comparison) -> Report:
    top = max(row.cost.total for row in result.rows)
    rows, docs = [], []
    for row in result.rows:
        cost, cur = row.cost, result.currency
        rows.append(
            {
                "model": row.model.id,
                "currency": cur,
                "total": (cost.total, cur),
                "per_request": (row.per_request, cur) if row.per_request is not None else None,
                "input": (cost.input, cur),
                "cache_read": (cost.cache_read, cur),
                "cache_write": (cost.cache_write, cur),
                "output": (cost.output, cur),
                "multiple": row.multiple,
                "savings": row.savings,
                "applied": ", ".join(cost.applied),
                "bar": ratio(cost.total, top) if top else 0,
            }
        )
        docs.append(
            {
                "model": row.model.id,
                "provider": row.model.provider,
                "currency": cur,
                "total": cost.total,
                "per_request": row.per_request,
                "input": cost.input,
                "cache_read": cost.cache_read,
                "cache_write": cost.cache_write,
                "output": cost.output,
                "multiple_of_cheapest": row.multiple,
                "savings_vs_baseline": row.savings,
                "applied": list(cost.applied),
            }
        )
    w = result.workload
    columns = [
        Column("model", "Model"),
        Column("currency", "Currency", csv_only=True),
        Column("total", "Total", "money"),
        Column("per_request", "/request", "money"),
        Column("input", "Input", "money"),
        Column("cache_read", "Cached", "money", hide_when_empty=True),
        Column("cache_write", "Writes", "money", hide_when_empty=True),
        Column("output", "Output", "money"),
        Column("multiple", "xCheapest", "multiple"),
    ]
    if result.baseline:
        columns.append(Column("savings", "Saves", "ratio"))
    columns += [Column("applied", "Rates"), Column("bar", "", "bar")]
    if result.until is None:
        when = f"at {show_instant(result.at)}"
    else:
        when = f"over {show_instant(result.at)} .. {show_instant(result.until)}"
    if result.traffic is not None:
        when += f", traffic {result.traffic.label}"
    title = (
        f"{w.requests:,} requests x ({plain(w.input)} in, {plain(w.cached)} cached, "
        f"{plain(w.output)} out) "
        f"{when}, catalog {result.version.isoformat()}"
        + (f"; savings vs {result.baseline}" if result.baseline else "")
    )
    document = {
        "catalog_version": result.version,
        "at": result.at if result.until is None else None,
        "period": {"from": result.at, "until": result.until} if result.until else None,
        "traffic": result.traffic.as_dict() if result.traffic is not None else None,
        "currency": result.currency,
        "workload": w.as_dict(),
        "baseline": result.baseline,
        "cheapest": result.rows[0].model.id,
        "rows": docs,
        "skipped": [{"model": m, "reason": why} for m, why in result.skipped],
    }
    return Report(title=title, columns=columns, rows=rows, document=document)
