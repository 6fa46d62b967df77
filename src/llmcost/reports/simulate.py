"""The `simulate` report: a mix's slices, its bounds and its baselines; or a sweep of them.

Shares are percents (`"60"` is 60%), as mixes are written; savings fractions are fractions
(`"0.6612"` is 66.12%), as in every llmcost report.
"""

from __future__ import annotations

from typing import Any

from llmcost.kinds import TOKEN_KINDS
from llmcost.mix import BaselineResult, MixResult
from llmcost.money import plain, ratio
from llmcost.render import Column, Report
from llmcost.sweep import SweepResult
from llmcost.timeparse import show_instant


def simulate_report(result: MixResult, sweep: SweepResult | None = None) -> Report:
    document = mix_document(result)
    document["sweep"] = sweep_document(sweep) if sweep is not None else None
    if sweep is not None:
        return _sweep_table(result, sweep, document)
    return _mix_table(result, document)


# -- JSON ---------------------------------------------------------------------------------------


def mix_document(result: MixResult) -> dict[str, Any]:
    models = [s.model.id for s in result.slices]
    return {
        "catalog_version": result.version,
        "at": result.at if result.until is None else None,
        "period": {"from": result.at, "until": result.until} if result.until else None,
        "traffic": result.traffic.as_dict() if result.traffic is not None else None,
        "currency": result.currency,
        "requests": result.requests,
        "mix": [
            {
                "model": s.model.id,
                "provider": s.model.provider,
                "share_min": s.share_min,
                "share_max": s.share_max,
                "given_min": s.given_min,
                "given_max": s.given_max,
                "requests_min": s.requests_min,
                "requests_max": s.requests_max,
                "cost_min": s.cost_min,
                "cost_max": s.cost_max,
                "cost_all_traffic": s.whole,
                "workload": {k: getattr(s.workload, k) for k in TOKEN_KINDS}
                | {"batch": s.workload.batch},
            }
            for s in result.slices
        ],
        "cost_min": result.cost_min,
        "cost_max": result.cost_max,
        "split_at_min": dict(zip(models, result.split_min, strict=True)),
        "split_at_max": dict(zip(models, result.split_max, strict=True)),
        "baselines": [_baseline_doc(b) for b in result.baselines],
    }


def _baseline_doc(b: BaselineResult) -> dict[str, Any]:
    return {
        "model": b.model.id,
        "cost": b.cost,
        "cost_min": b.cost_min,
        "cost_max": b.cost_max,
        "savings_min": b.savings_fraction_min,
        "savings_max": b.savings_fraction_max,
        "savings_amount_min": b.savings_min,
        "savings_amount_max": b.savings_max,
    }


def sweep_document(sweep: SweepResult) -> dict[str, Any]:
    return {
        "param": sweep.sweep.param,
        "model": sweep.sweep.model,
        "points": [
            {
                "value": p.value,
                "cost_min": p.result.cost_min if p.result else None,
                "cost_max": p.result.cost_max if p.result else None,
                "baselines": [_baseline_doc(b) for b in p.result.baselines] if p.result else [],
                "reason": p.reason,
            }
            for p in sweep.points
        ],
    }


# -- tables -------------------------------------------------------------------------------------


def _title(result: MixResult) -> str:
    if result.until is None:
        when = f"at {show_instant(result.at)}"
    else:
        when = f"over {show_instant(result.at)} .. {show_instant(result.until)}"
    if result.traffic is not None:
        when += f", traffic {result.traffic.label}"
    return (
        f"Mix of {len(result.slices)} models, {result.requests:,} requests {when}, "
        f"catalog {result.version.isoformat()}"
    )


def _share_text(low, high) -> str:
    return plain(low) if low == high else f"{plain(low)}-{plain(high)}"


def _workload_text(w) -> str:
    written = w.cache_write + w.cache_write_1h
    writes = f", {plain(written)} written" if written else ""
    return f"{plain(w.input)} in, {plain(w.cached)} cached{writes}, {plain(w.output)} out"


def _mix_table(result: MixResult, document: dict[str, Any]) -> Report:
    cur = result.currency
    top = max([result.cost_max, *(b.cost_max for b in result.baselines)])
    rows: list[dict[str, Any]] = []
    for s in result.slices:
        rows.append(
            {
                "role": "slice",
                "model": s.model.id,
                "share_min": s.share_min,
                "share_max": s.share_max,
                "share": _share_text(s.share_min, s.share_max),
                "requests_min": s.requests_min,
                "requests_max": s.requests_max,
                "cost_min": (s.cost_min, cur),
                "cost_max": (s.cost_max, cur),
                "workload": _workload_text(s.workload),
                "bar": ratio(s.cost_max, top) if top else 0,
            }
        )
    rows.append(
        {
            "role": "mix",
            "model": "(the mix)",
            "share_min": 100,
            "share_max": 100,
            "share": "100",
            "requests_min": result.requests,
            "requests_max": result.requests,
            "cost_min": (result.cost_min, cur),
            "cost_max": (result.cost_max, cur),
            "bar": ratio(result.cost_max, top) if top else 0,
        }
    )
    for b in result.baselines:
        rows.append(
            {
                "role": "baseline",
                "model": b.model.id,
                "share_min": 100,
                "share_max": 100,
                "share": "100",
                "requests_min": result.requests,
                "requests_max": result.requests,
                "cost_min": (b.cost_min, cur),
                "cost_max": (b.cost_max, cur),
                "savings_amount_min": (b.savings_min, cur),
                "savings_amount_max": (b.savings_max, cur),
                "savings_min": b.savings_fraction_min,
                "savings_max": b.savings_fraction_max,
                "bar": ratio(b.cost_max, top) if top else 0,
            }
        )
    columns = [
        Column("role", "Row"),
        Column("model", "Model"),
        Column("share", "Share %", align_right=True),
        Column("requests_min", "Requests min", "count"),
        Column("requests_max", "Requests max", "count"),
        Column("cost_min", "Cost min", "money"),
        Column("cost_max", "Cost max", "money"),
        Column("savings_amount_min", "Mix saves min", "money"),
        Column("savings_amount_max", "Mix saves max", "money"),
        Column("savings_min", "Saves min", "ratio"),
        Column("savings_max", "Saves max", "ratio"),
    ]
    workloads = {_workload_text(s.workload) for s in result.slices}
    if len(workloads) > 1:
        columns.append(Column("workload", "Per request"))
    columns.append(Column("bar", "", "bar"))
    notes = [
        "A baseline is all the traffic on that one model, each request with its slice's "
        "workload; 'Mix saves' is the baseline's cost minus the mix's (negative: the mix costs "
        "more), bounded over every split the share ranges admit."
    ]
    if any(s.share_min != s.given_min or s.share_max != s.given_max for s in result.slices):
        notes.append("Some share ranges are narrower than given: the others' ranges force it.")
    title = _title(result)
    if len(workloads) == 1:
        title += f"; per request {workloads.pop()}"
    return Report(title, columns, rows, document, notes)


def _sweep_table(result: MixResult, sweep: SweepResult, document: dict[str, Any]) -> Report:
    cur = result.currency
    tops = [p.result.cost_max for p in sweep.points if p.result]
    top = max(tops) if tops else 0
    models = [b.model.id for b in result.baselines]
    rows = []
    for p in sweep.points:
        row: dict[str, Any] = {"value": p.value, "note": p.reason or ""}
        if p.result is not None:
            row |= {
                "cost_min": (p.result.cost_min, cur),
                "cost_max": (p.result.cost_max, cur),
                "bar": ratio(p.result.cost_max, top) if top else 0,
            }
            for b in p.result.baselines:
                row[f"{b.model.id}_min"] = b.savings_fraction_min
                row[f"{b.model.id}_max"] = b.savings_fraction_max
        rows.append(row)
    label = f"share:{sweep.sweep.model} %" if sweep.sweep.param == "share" else sweep.sweep.param
    columns = [
        Column("value", label, "rate"),
        Column("cost_min", "Cost min", "money"),
        Column("cost_max", "Cost max", "money"),
    ]
    for model in models:
        columns += [
            Column(f"{model}_min", f"vs {model} min", "ratio"),
            Column(f"{model}_max", "max", "ratio"),
        ]
    if any(p.reason for p in sweep.points):
        columns.append(Column("note", "Note"))
    columns.append(Column("bar", "", "bar"))
    title = f"Sweep of {label}: " + _title(result)
    notes = [
        "'vs X min/max': the mix's savings against all traffic on X, as a fraction of X's "
        "cost, over every admitted split (negative: the mix costs more)."
    ]
    return Report(title, columns, rows, document, notes)
