"""The `bill --invoice` report: llmcost's cost beside the invoice's, per day x model."""

from __future__ import annotations

from llmcost.money import EXACT
from llmcost.render import Column, Report, show_money
from llmcost.usage.invoice import CAUSES, Comparison, Reconciliation


def invoice_report(
    result: Reconciliation, *, version, invoice_file: str, files, bill_counts: dict, exit_code: int
) -> Report:
    cur = result.currency
    rows = [_row(r, cur) for r in result.rows]
    rows.append(
        {
            "day": "total",
            "llmcost": (result.llmcost, cur),
            "invoice": (result.invoice, cur),
            "difference": (EXACT.subtract(result.invoice, result.llmcost), cur),
            # a money cell, not text: CSV carries it exact, as every other amount
            "unexplained": (result.unexplained, cur),
            "currency": cur,
        }
    )
    columns = [
        Column("day", "Day"),
        Column("model", "Model"),
        Column("currency", "Currency", csv_only=True),
        Column("llmcost", "llmcost", "money"),
        Column("invoice", "Invoice", "money"),
        Column("difference", "Difference", "money"),
        Column("status", "Status"),
        Column("unexplained", "Unexplained", "money", hide_when_empty=True),
        Column("explanation", "Explained by"),
    ]
    over = result.over_tolerance
    document = {
        "catalog_version": version,
        "invoice": invoice_file,
        "files": list(files),
        "currency": cur,
        "tolerance": result.tolerance,
        "bill": bill_counts,
        "logs_span": _span(result.logs_span),
        "invoice_span": _span(result.invoice_span),
        "unattributed_rejections": result.unattributed_rejections,
        "lines": [_doc(r) for r in result.rows],
        "left_out": {
            "providers": list(result.other_providers),
            "lines": result.other_lines,
            "llmcost": result.other_cost,
        },
        "totals": {
            "llmcost": result.llmcost,
            "invoice": result.invoice,
            "difference": EXACT.subtract(result.invoice, result.llmcost),
            "unexplained": result.unexplained,
            "outside": result.outside,
        },
        "over_tolerance": len(over),
        "overlap": result.overlap,
        "exit_code": exit_code,
    }
    title = (
        f"Invoice {invoice_file} against the bill, catalog {version.isoformat()}: "
        f"llmcost {show_money(result.llmcost, cur)}, invoice {show_money(result.invoice, cur)}"
    )
    return Report(
        title=title, columns=columns, rows=rows, document=document, notes=[notes_line(result)]
    )


def notes_line(result: Reconciliation) -> str:
    counts: dict[str, int] = {}
    for row in result.rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    text = ", ".join(
        f"{s} {counts[s]}"
        for s in ("match", "rounding", "explained", "unexplained", "outside")
        if s in counts
    )
    text = f"{len(result.rows)} day x model lines: {text}"
    if result.other_lines:
        text += (
            f"; left out: {result.other_lines} line(s) of {', '.join(result.other_providers)} "
            f"({show_money(result.other_cost, result.currency)}), a provider the invoice "
            "does not bill"
        )
    if result.over_tolerance:
        text += (
            f"; {len(result.over_tolerance)} unexplained over the tolerance of "
            f"{show_money(result.tolerance, result.currency)}"
        )
    return text


def _span(span):
    return None if span is None else {"from": span[0], "to": span[1]}


def explanation(row: Comparison) -> str:
    parts = []
    for cause in row.causes:
        if cause == "rejected":
            parts.append(f"{row.rejected:,} record(s) rejected")
        elif cause == "tier":
            parts.append(f"{row.tier_records:,} record(s) at tier {'/'.join(row.tiers)}")
        else:
            parts.append(CAUSES[cause])
    if row.status == "rounding":
        parts.append("the invoice's rounding to cents")
    if row.unresolved:
        parts.append(f"a name the catalog lacks ({row.unresolved})")
    return "; ".join(parts)


def printable(name: str) -> str:
    """A name as written, or escaped as Python writes it (`a\\nb`) where it holds a line break
    or another control character, as error lines quote names: a row stays one line. JSON
    carries the name as it is."""
    return name if name.isprintable() else repr(name)[1:-1]


def _row(row: Comparison, cur: str) -> dict:
    return {
        "day": row.day.isoformat(),
        "model": printable(row.model),
        "currency": cur,
        "llmcost": (row.llmcost, cur),
        "invoice": (row.invoice, cur),
        "difference": (row.difference, cur),
        "status": row.status,
        "unexplained": (row.difference, cur) if row.status == "unexplained" else None,
        "explanation": explanation(row) or None,
    }


def _doc(row: Comparison) -> dict:
    return {
        "day": row.day,
        "model": row.model,
        "invoice_names": list(row.invoice_names),
        "invoice_lines": list(row.invoice_lines),
        "llmcost": row.llmcost,
        "invoice": row.invoice,
        "difference": row.difference,
        "status": row.status,
        "explained_by": list(row.causes),
        "rejected_records": row.rejected,
        "tier_records": row.tier_records,
        "tiers": list(row.tiers),
        "unresolved": row.unresolved,
    }
