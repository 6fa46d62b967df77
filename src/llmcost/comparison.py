"""Comparing models on one workload: the library behind `llmcost compare`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from llmcost.catalog.lookup import Catalog, ModelInfo
from llmcost.engine import CostBreakdown, Workload, price_one
from llmcost.errors import InputError, NotPriced
from llmcost.money import EXACT, divide, ratio

if TYPE_CHECKING:
    from llmcost.traffic import TrafficProfile


@dataclass(frozen=True, slots=True)
class Row:
    model: ModelInfo
    cost: CostBreakdown
    per_request: object  # Decimal | None
    multiple: object  # of the cheapest; Decimal | None
    savings: object  # against the baseline, as a fraction; Decimal | None


@dataclass(frozen=True)
class Comparison:
    rows: tuple[Row, ...]  # cheapest first
    skipped: tuple[tuple[str, str], ...]  # (model id, why) for models left out
    baseline: str | None
    workload: Workload
    at: datetime
    until: datetime | None  # set when the requests are spread over [at, until)
    version: date
    currency: str
    traffic: TrafficProfile | None = None  # how the requests are spread over the period


def compare_models(
    catalog: Catalog,
    models: Sequence[ModelInfo] | None,
    workload: Workload,
    *,
    at: datetime,
    until: datetime | None = None,
    known: date | None = None,
    currency: str = "USD",
    baseline: ModelInfo | None = None,
    traffic: TrafficProfile | None = None,
) -> Comparison:
    """Price `workload` on each model, cheapest first.

    One named model must be priceable (an error says why it is not), and so must the
    baseline. Of several models (named, or every model in the catalog), each that can price
    the workload is compared and the others are listed in `skipped` with why: one that exists
    for only part of the period (released or retired inside it), or that cannot take the
    request (a prompt over its context window). A model is never priced for part of a period:
    the requests are spread over all of it, and pricing only some of them would understate
    the cost.
    """
    chosen = list({m.id: m for m in models}.values()) if models else catalog.models()
    if baseline is not None and baseline.id not in {m.id for m in chosen}:
        chosen.append(baseline)
    costs: list[tuple[ModelInfo, CostBreakdown]] = []
    skipped: list[tuple[str, str]] = []
    for info in chosen:
        try:
            cost = price_one(catalog, info.id, workload, at, until, known, currency, traffic)
            costs.append((info, cost))
        except NotPriced as exc:
            if len(chosen) == 1 or (baseline is not None and info.id == baseline.id):
                raise
            skipped.append((info.id, exc.message))
    if not costs:
        more = f" (and {len(skipped) - 1} more model(s) left out)" if len(skipped) > 1 else ""
        raise InputError(
            f"no model can price this workload: {skipped[0][1]}{more}",
            hint="check --at/--month, --currency, --batch and the token counts",
        )
    costs.sort(key=lambda pair: (pair[1].total, pair[0].id))
    cheapest = costs[0][1].total
    base_total = next((c.total for i, c in costs if baseline and i.id == baseline.id), None)
    rows = tuple(
        Row(
            model=info,
            cost=cost,
            per_request=divide(cost.total, workload.requests),
            multiple=ratio(cost.total, cheapest),
            savings=(
                ratio(EXACT.subtract(base_total, cost.total), base_total)
                if base_total is not None
                else None
            ),
        )
        for info, cost in costs
    )
    return Comparison(
        rows=rows,
        skipped=tuple(skipped),
        baseline=baseline.id if baseline else None,
        workload=workload,
        at=at,
        until=until,
        version=catalog.version_for(known),
        currency=currency,
        traffic=traffic,
    )
