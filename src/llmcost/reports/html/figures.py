"""What the HTML reports chart, as plain values: the figures a command's report carries
(`Report.charts`) and `svg` draws. Building them only picks and orders values the engine
computed; the one sum here (the series beyond the palette, lumped as "other") is exact.

Money stays `Decimal` here; `svg` turns amounts into coordinates, and shows them (rounded by
`render.show_money`, the exact value in each shape's tooltip and `data-value`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from llmcost.money import exact_sum

if TYPE_CHECKING:
    from llmcost.mix import MixResult
    from llmcost.sweep import SweepResult
    from llmcost.usage.bill import Bill

MOST_SERIES = 9  # the palette's colours; more series lump the smallest as "other"


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: tuple[Decimal, ...]  # one a category


@dataclass(frozen=True, slots=True)
class StackedBars:
    """Amounts per category (a day), stacked by series (a model)."""

    name: str  # the chart's id in the page (`data-chart`)
    title: str
    currency: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]


@dataclass(frozen=True, slots=True)
class Span:
    """One row of a range chart: from `low` to `high` (equal: one amount; None: no cost, as
    at a sweep's point that no split admits)."""

    label: str
    low: Decimal | None
    high: Decimal | None
    role: str  # mix | baseline | point: the row's colour
    note: str = ""


@dataclass(frozen=True, slots=True)
class RangeBars:
    name: str
    title: str
    currency: str
    spans: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class Mark:
    """A look-ahead on a budget's row: the cost of a period after a price change."""

    label: str
    cost: Decimal
    status: str


@dataclass(frozen=True, slots=True)
class Gauge:
    """A budget's row: its cost against its limit, and its look-ahead marks."""

    label: str
    currency: str
    status: str  # ok | warn | over | error
    cost: Decimal | None
    limit: Decimal | None
    share: Decimal | None  # cost / limit, as the table shows it
    marks: tuple[Mark, ...] = ()
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Gauges:
    name: str
    title: str
    gauges: tuple[Gauge, ...] = field(default=())


Chart = StackedBars | RangeBars | Gauges


# -- from results -----------------------------------------------------------------------------


def daily_costs(priced: Bill, group_by: Sequence[str]) -> StackedBars:
    """Cost per day, stacked by the `--group-by` keys (`usage.rollup.chart_keys`), from a
    bill priced by `rollup.with_days(group_by)`: every day from the first to the last priced
    one, a day without records empty."""
    from llmcost.usage.rollup import chart_keys, roll_up

    keys = chart_keys(group_by)
    daily = roll_up(priced, ("day", *keys))
    days = sorted({g.keys["day"] for g in daily.groups if g.keys.get("day")})
    categories = _every_day(days)
    index = {day: i for i, day in enumerate(categories)}
    amounts: dict[str, list[Decimal]] = {}
    for group in daily.groups:
        day = group.keys.get("day")
        if day is None:
            continue
        name = " / ".join("-" if group.keys[k] is None else str(group.keys[k]) for k in keys)
        column = amounts.setdefault(name, [Decimal(0)] * len(categories))
        column[index[day]] = exact_sum([column[index[day]], group.cost.total])
    ranked = sorted(amounts.items(), key=lambda kv: (-exact_sum(kv[1]), kv[0]))
    if len(ranked) > MOST_SERIES:
        rest = ranked[MOST_SERIES - 1 :]
        other = [exact_sum(values) for values in zip(*(v for _, v in rest), strict=True)]
        ranked = [*ranked[: MOST_SERIES - 1], (f"other ({len(rest)})", other)]
    by = ", ".join(keys)
    return StackedBars(
        name="bill-daily",
        title=f"Cost per day (UTC) by {by}",
        currency=daily.currency,
        categories=tuple(categories),
        series=tuple(Series(name, tuple(values)) for name, values in ranked),
    )


def _every_day(days: list[str]) -> list[str]:
    if not days:
        return []
    first, last = date.fromisoformat(days[0]), date.fromisoformat(days[-1])
    return [(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)]


def mix_ranges(result: MixResult) -> RangeBars:
    """The mix's cost range and each baseline's: all traffic on one model."""
    spans = [Span("the mix", result.cost_min, result.cost_max, "mix")]
    for b in result.baselines:
        note = ""
        if b.savings_fraction_min is not None and b.savings_fraction_max is not None:
            note = f"mix saves {_percent(b.savings_fraction_min)}"
            if b.savings_fraction_max != b.savings_fraction_min:
                note += f" to {_percent(b.savings_fraction_max)}"
        spans.append(Span(f"all on {b.model.id}", b.cost_min, b.cost_max, "baseline", note))
    return RangeBars(
        "simulate-mix", "The mix's cost against its baselines", result.currency, tuple(spans)
    )


def sweep_ranges(result: MixResult, sweep: SweepResult) -> RangeBars:
    """The mix's cost range at each point of a sweep (a point that no split admits has no
    cost: no bar, its reason noted)."""
    label = f"share of {sweep.sweep.model} %" if sweep.sweep.param == "share" else sweep.sweep.param
    spans = tuple(
        Span(f"{label} {p.value}", p.result.cost_min, p.result.cost_max, "point")
        if p.result is not None
        else Span(f"{label} {p.value}", None, None, "point", p.reason or "")
        for p in sweep.points
    )
    return RangeBars("simulate-sweep", f"The mix's cost as {label} varies", result.currency, spans)


def budget_gauges(results: Sequence) -> Gauges:
    """Each budget's use of its limit, with the look-aheads that were priced."""
    from llmcost.budget.results import BudgetFailed

    gauges = []
    for r in results:
        if isinstance(r, BudgetFailed):
            budget = r.budget
            currency = budget.currency if budget is not None else "USD"
            limit = budget.limit if budget is not None else None
            gauges.append(
                Gauge(r.name or r.file, currency, r.status, None, limit, None, (), r.error)
            )
            continue
        marks = tuple(
            Mark(a.at.date().isoformat(), a.cost, a.status)
            for a in r.lookahead
            if a.cost is not None
        )
        gauges.append(
            Gauge(
                r.name,
                r.budget.currency,
                r.status,
                r.cost,
                r.budget.limit,
                r.share,
                marks,
            )
        )
    return Gauges("budget-use", "Budget use, with the look-ahead", tuple(gauges))


def _percent(fraction: Decimal) -> str:
    from llmcost.render import show

    return show(fraction, "ratio")
