"""The `budget check` report (table, JSON, Markdown) and the findings CI formats annotate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from llmcost.budget import BudgetResult, exit_code
from llmcost.render import Column, Report, show, show_money
from llmcost.timeparse import show_instant


@dataclass(frozen=True, slots=True)
class Finding:
    """One message about one budget, with the line of the file it points at."""

    level: str  # error | warning | notice
    file: str
    line: int | None
    title: str
    text: str


def _money(result: BudgetResult, amount) -> str:
    return show_money(amount, result.currency or "USD") if amount is not None else "-"


def _when(result: BudgetResult) -> str:
    if result.start is None:
        return "-"
    if result.period == "day":
        return result.start.date().isoformat()
    return result.start.strftime("%Y-%m")


def findings(result: BudgetResult) -> list[Finding]:
    """What CI should say about a budget: its status, each look-ahead breach, drift."""
    name = result.name or result.file
    out = []
    if result.status == "error":
        return [Finding("error", result.file, result.line, f"budget {name}", result.error or "")]
    cost, limit = _money(result, result.cost), _money(result, result.limit)
    share = show(result.share, "ratio")
    summary = f"{name}: {cost} of {limit} in {_when(result)} ({share})"
    if result.current == "over":
        out.append(Finding("error", result.file, result.limit_line, f"budget {name} over",
                           summary + ": over the limit"))  # fmt: skip
    elif result.current == "warn":
        out.append(Finding("warning", result.file, result.limit_line, f"budget {name} near",
                           summary + ": near the limit"))  # fmt: skip
    for ahead in result.lookahead:
        if ahead.status not in ("over", "error"):
            continue
        level = "error" if result.strict and result.status == "over" else "warning"
        what = "; ".join(ahead.changes)
        then = (
            f"cannot be priced after it: {ahead.error}"
            if ahead.status == "error"
            else f"a {result.period} from then costs {_money(result, ahead.cost)}, over the "
            f"limit {limit}"
        )
        out.append(
            Finding(level, result.file, ahead.line, f"budget {name} after {_day(ahead.at)}",
                    f"{name}: on {show_instant(ahead.at)} {what}; {then}")
        )  # fmt: skip
    if result.drift is not None and result.drift.cost != result.cost:
        d = result.drift
        then = _money(result, d.cost) if d.cost is not None else f"error: {d.error}"
        out.append(
            Finding("notice", result.file, result.catalog_line, f"budget {name} drift",
                    f"{name}: pinned to catalog {result.version}; the newest catalog "
                    f"{d.version} gives {then} ({d.status})")
        )  # fmt: skip
    if not out:
        out.append(Finding("notice", result.file, result.limit_line, f"budget {name}", summary))
    return out


def _day(at: datetime) -> str:
    return at.date().isoformat()


def budget_report(
    results: Sequence[BudgetResult], *, version: date, at: datetime, until, horizon: int
) -> Report:
    rows, docs = [], []
    for r in results:
        cur = r.currency or "USD"
        ahead = [a for a in r.lookahead if a.status in ("over", "error")]
        rows.append(
            {
                "status": r.status.upper(),
                "name": r.name or "-",
                "file": r.file,
                "period": _when(r),
                "cost": (r.cost, cur) if r.cost is not None else None,
                "limit": (r.limit, cur) if r.limit is not None else None,
                "share": r.share,
                "catalog": (r.version.isoformat() + (" (pinned)" if r.pinned else ""))
                if r.version
                else "-",
                "note": r.error
                or "; ".join(f"{_day(a.at)}: {'; '.join(a.changes)}" for a in ahead),
            }
        )
        docs.append(_document(r))
    when = (
        f"at {show_instant(at)}"
        if until is None
        else f"in {show_instant(at)} .. {show_instant(until)}"
    )
    notes = [
        f.text for r in results for f in findings(r) if f.level != "notice" or "drift" in f.title
    ]
    return Report(
        title=f"Budgets {when}, catalog {version.isoformat()}, look-ahead {horizon} days",
        columns=[
            Column("status", "Status"),
            Column("name", "Budget"),
            Column("file", "File"),
            Column("period", "Period"),
            Column("cost", "Cost", "money"),
            Column("limit", "Limit", "money"),
            Column("share", "Used", "ratio"),
            Column("catalog", "Catalog"),
            Column("note", "Look-ahead / error"),
        ],
        rows=rows,
        document={
            "catalog_version": version,
            "at": at if until is None else None,
            "period": {"from": at, "until": until} if until is not None else None,
            "horizon_days": horizon,
            "budgets": docs,
            "exit_code": exit_code(results),
        },
        notes=notes,
    )


def _document(r: BudgetResult) -> dict:
    return {
        "file": r.file,
        "name": r.name,
        "limit": r.limit,
        "currency": r.currency,
        "cost": r.cost,
        "cost_min": r.cost_min,
        "share": r.share,
        "status": r.status,
        "period": {"from": r.start, "until": r.end} if r.start else None,
        "catalog_version": r.version,
        "pinned": r.pinned,
        "error": r.error,
        "line": r.line,
        "workloads": [
            {
                "name": p.label,
                "model": p.model,
                "cost_min": p.cost_min,
                "cost_max": p.cost_max,
                "traffic": p.traffic,
            }
            for p in r.parts
        ],
        "lookahead": [
            {
                "at": a.at,
                "changes": list(a.changes),
                "period": {"from": a.start, "until": a.end},
                "cost": a.cost,
                "status": a.status,
                "error": a.error,
            }
            for a in r.lookahead
        ],
        "drift": {
            "catalog_version": r.drift.version,
            "cost": r.drift.cost,
            "status": r.drift.status,
            "error": r.drift.error,
        }
        if r.drift
        else None,
    }


def budget_diff_report(moves: Sequence) -> Report:
    rows = []
    for m in moves:
        cur = m.new.currency or "USD"
        rows.append(
            {
                "file": m.file,
                "name": m.new.name,
                "limit": m.new.limit,
                "old_cost": m.old.cost,
                "new_cost": m.new.cost,
                "change": m.change,
                "old_status": m.old.status,
                "new_status": m.new.status,
                "error": m.new.error or m.old.error,
                "_cur": cur,
            }
        )
    money = ("limit", "old_cost", "new_cost", "change")
    shown = [{k: ((v, r["_cur"]) if k in money and v is not None else v) for k, v in r.items()}
             for r in rows]  # fmt: skip
    return Report(
        title="How the catalog change moves each budget",
        columns=[
            Column("name", "Budget"),
            Column("file", "File"),
            Column("limit", "Limit", "money"),
            Column("old_cost", "Old cost", "money"),
            Column("new_cost", "New cost", "money"),
            Column("change", "Change", "money"),
            Column("old_status", "Old"),
            Column("new_status", "New"),
            Column("error", "Error", hide_when_empty=True),
        ],
        rows=shown,
        document=[{k: v for k, v in r.items() if k != "_cur"} for r in rows],
    )
