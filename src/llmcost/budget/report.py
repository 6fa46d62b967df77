"""The `budget check` report (table, JSON, Markdown) and the findings CI formats annotate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from llmcost.budget.results import (
    BREACHES,
    BudgetChecked,
    BudgetFailed,
    BudgetMove,
    BudgetResult,
    exit_code,
)
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


def _money(result: BudgetChecked, amount) -> str:
    return show_money(amount, result.budget.currency) if amount is not None else "-"


def _when(result: BudgetChecked) -> str:
    if result.budget.period == "day":
        return result.start.date().isoformat()
    return result.start.strftime("%Y-%m")


def findings(result: BudgetResult) -> list[Finding]:
    """What CI should say about a budget: its status, each look-ahead breach, drift."""
    name = result.name or result.file
    if isinstance(result, BudgetFailed):
        return [Finding("error", result.file, result.line, f"budget {name}", result.error)]
    limit_line = result.line
    summary = (
        f"{name}: {_money(result, result.cost)} of {_money(result, result.budget.limit)} in "
        f"{_when(result)} ({show(result.share, 'ratio')})"
    )
    out = []
    if result.current == "over":
        out.append(Finding("error", result.file, limit_line, f"budget {name} over",
                           summary + ": over the limit"))  # fmt: skip
    elif result.current == "warn":
        out.append(Finding("warning", result.file, limit_line, f"budget {name} near",
                           summary + ": near the limit"))  # fmt: skip
    out.extend(_breaches(result, name))
    drift = _drift(result, name)
    if drift is not None:
        out.append(drift)
    if not out:
        out.append(Finding("notice", result.file, limit_line, f"budget {name}", summary))
    return out


def _breaches(result: BudgetChecked, name: str) -> list[Finding]:
    """A finding for each look-ahead that goes over or cannot be priced."""
    level = "error" if result.strict and result.status == "over" else "warning"
    out = []
    for ahead in result.lookahead:
        if ahead.status not in BREACHES:
            continue
        what = "; ".join(ahead.changes)
        then = (
            f"cannot be priced after it: {ahead.error}"
            if ahead.status == "error"
            else f"a {result.budget.period} from then costs {_money(result, ahead.cost)}, over the "
            f"limit {_money(result, result.budget.limit)}"
        )
        out.append(
            Finding(level, result.file, ahead.line, f"budget {name} after {_day(ahead.at)}",
                    f"{name}: on {show_instant(ahead.at)} {what}; {then}")
        )  # fmt: skip
    return out


def _drift(result: BudgetChecked, name: str) -> Finding | None:
    """A notice when the newest catalog prices a pinned budget otherwise."""
    d = result.drift
    if d is None or d.cost == result.cost:
        return None
    then = _money(result, d.cost) if d.cost is not None else f"error: {d.error}"
    return Finding(
        "notice", result.file, result.budget.lines.get("catalog"), f"budget {name} drift",
        f"{name}: pinned to catalog {result.version}; the newest catalog {d.version} gives "
        f"{then} ({d.status})",
    )  # fmt: skip


def _day(at: datetime) -> str:
    return at.date().isoformat()


def budget_report(
    results: Sequence[BudgetResult], *, version: date, at: datetime, until, horizon: int
) -> Report:
    rows = [_row(r) for r in results]
    docs = [_document(r) for r in results]
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


def _row(r: BudgetResult) -> dict:
    if isinstance(r, BudgetFailed):
        limit = (r.budget.limit, r.budget.currency) if r.budget is not None else None
        return {
            "status": "ERROR", "name": r.name or "-", "file": r.file, "period": "-",
            "cost": None, "limit": limit, "share": None, "catalog": "-", "note": r.error,
        }  # fmt: skip
    breaches = [a for a in r.lookahead if a.status in BREACHES]
    return {
        "status": r.status.upper(),
        "name": r.name,
        "file": r.file,
        "period": _when(r),
        "cost": (r.cost, r.budget.currency),
        "limit": (r.budget.limit, r.budget.currency),
        "share": r.share,
        "catalog": r.version.isoformat() + (" (pinned)" if r.pinned else ""),
        "note": "; ".join(f"{_day(a.at)}: {'; '.join(a.changes)}" for a in breaches),
    }


def _document(r: BudgetResult) -> dict:
    if isinstance(r, BudgetFailed):
        budget = r.budget
        return {
            "file": r.file,
            "name": r.name,
            "limit": budget.limit if budget is not None else None,
            "currency": budget.currency if budget is not None else None,
            "cost": None,
            "cost_min": None,
            "share": None,
            "status": r.status,
            "period": None,
            "catalog_version": None,
            "pinned": budget is not None and budget.pinned,
            "error": r.error,
            "line": r.line,
            "workloads": [],
            "lookahead": [],
            "drift": None,
        }
    return {
        "file": r.file,
        "name": r.name,
        "limit": r.budget.limit,
        "currency": r.budget.currency,
        "cost": r.cost,
        "cost_min": r.cost_min,
        "share": r.share,
        "status": r.status,
        "period": {"from": r.start, "until": r.end},
        "catalog_version": r.version,
        "pinned": r.pinned,
        "error": None,
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


def budget_diff_report(moves: Sequence[BudgetMove]) -> Report:
    rows = []
    for m in moves:
        budget = m.new.budget
        rows.append(
            {
                "file": m.file,
                "name": m.new.name,
                "limit": budget.limit if budget is not None else None,
                "old_cost": _cost(m.old),
                "new_cost": _cost(m.new),
                "change": m.change,
                "old_status": m.old.status,
                "new_status": m.new.status,
                "error": _error(m.new) or _error(m.old),
                "_cur": budget.currency if budget is not None else "USD",
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


def _cost(result: BudgetResult) -> Decimal | None:
    return result.cost if isinstance(result, BudgetChecked) else None


def _error(result: BudgetResult) -> str | None:
    return result.error if isinstance(result, BudgetFailed) else None
