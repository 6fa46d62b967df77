"""Budgets as code: pricing a budget, the library behind `llmcost budget check`.

A budget is a limit on what its workloads (models or mixes) cost in one period (a calendar
month, or a UTC day). `check_budget` prices it as the catalog knows it, looks ahead at the
valid-time changes already scheduled in the catalog (a promo ending, a retirement, new peak
pricing) and, for a budget pinned to a catalog version, says what the newest catalog would
change. A mix is priced at its exact maximum over the splits its ranges admit: a budget
holds whatever the routing does.

Pure: no clock, no printing; files are read by `llmcost.budget.schema`. Every pricing error
becomes a `BudgetFailed` (a check fails closed), never an exception.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import MAXYEAR, UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from llmcost.budget.periods import DAY, INSTANT, after, horizon_end, periods, requests_in
from llmcost.budget.results import (
    BREACHES,
    BudgetChecked,
    BudgetFailed,
    BudgetMove,
    BudgetResult,
    Drift,
    Lookahead,
    PartCost,
    status_of,
)
from llmcost.budget.schema import load_budget
from llmcost.budget.spec import Budget, Part
from llmcost.catalog.diff import terms
from llmcost.catalog.lookup import Catalog
from llmcost.errors import LlmcostError
from llmcost.money import exact_sum, ratio

# -- pricing ----------------------------------------------------------------------------------


def price_part(
    catalog: Catalog, part: Part, start: datetime, end: datetime, known, currency: str
) -> tuple[Decimal, Decimal, str]:
    """(min, max, model ids) of one workload over `[start, end)`; errors name its line."""
    from llmcost.engine import price_one
    from llmcost.mix import simulate_mix

    requests = requests_in(part, start, end)
    try:
        if part.mix is not None:
            result = simulate_mix(
                catalog, part.mix, default=part.tokens, requests=requests, tier=part.tier,
                at=start, until=end,
                known=known, currency=currency, traffic=part.traffic,
            )  # fmt: skip
            models = "+".join(s.model.id for s in result.slices)
            return result.cost_min, result.cost_max, models
        info = catalog.resolve(part.model)
        workload = part.tokens.workload(requests, part.tier, f"{part.where}: {part.field}")
        cost = price_one(
            catalog, info.id, workload, start, end, known, currency, part.traffic
        ).total
        return cost, cost, info.id
    except LlmcostError as exc:
        if exc.where is not None:
            raise
        field_ = f"{part.field}.model" if part.model is not None else part.field
        raise type(exc)(f"{field_}: {exc.message}", where=part.where, hint=exc.hint) from None


def price_budget(
    catalog: Catalog, budget: Budget, windows, known
) -> tuple[Decimal, Decimal, tuple[datetime, datetime], tuple[PartCost, ...]]:
    """The budget's cost in the most expensive of `windows` (by maximum), with its parts."""
    best = None
    for start, end in windows:
        parts = []
        for part in budget.parts:
            low, high, models = price_part(catalog, part, start, end, known, budget.currency)
            traffic = part.profile.label if part.profile is not None else None
            parts.append(PartCost(part.label, models, low, high, _line(part.where), traffic))
        high = exact_sum(p.cost_max for p in parts)
        if best is None or high > best[1]:
            low = exact_sum(p.cost_min for p in parts)
            best = (low, high, (start, end), tuple(parts))
    return best


def _line(where: str) -> int | None:
    head, _, tail = where.rpartition(":")
    return int(tail) if head and tail.isdigit() else None


# -- scheduled changes ------------------------------------------------------------------------


def describe_change(catalog: Catalog, model_id: str, at: datetime, known, currency: str):
    """What changes for `model_id` at `at`, in words; None if its rates stay the same."""
    model = catalog.info(model_id).model
    if model.retired == at:
        successor = f" (successor {model.successor})" if model.successor else ""
        return f"{model_id}: retired{successor}"
    before = catalog.entry_at(model_id, at - INSTANT, known)
    now = catalog.entry_at(model_id, at, known)
    if terms(before, currency) == terms(now, currency):
        return None
    if now is None:
        return f"{model_id}: {before.kind} price ends, no price after"
    if before is None:
        return f"{model_id}: {now.kind} price starts"
    if before.kind == "promo" and now.kind != "promo":
        return f"{model_id}: promo ends, {now.kind} price"
    if now.windows and not before.windows:
        return f"{model_id}: peak/off-peak pricing starts"
    return f"{model_id}: new {now.kind} price"


def scheduled_changes(
    catalog: Catalog, budget: Budget, start: datetime, end: datetime, known
) -> dict[datetime, list[tuple[str, int | None]]]:
    """Instants in `(start, end]` where a rate the budget pays changes, with the changes."""
    found: dict[datetime, list[tuple[str, int | None]]] = {}
    for part in budget.parts:
        names = [s.model for s in part.mix.slices] if part.mix is not None else [part.model]
        for name in names:
            model_id = catalog.resolve(name).id
            for at in catalog.change_points(model_id, start, end + INSTANT, known):
                text = describe_change(catalog, model_id, at, known, budget.currency)
                if text is not None and text not in [t for t, _ in found.get(at, [])]:
                    found.setdefault(at, []).append((text, _line(part.where)))
    return dict(sorted(found.items()))


# -- the check --------------------------------------------------------------------------------


def check_budget(
    catalog: Catalog,
    budget: Budget,
    *,
    at: datetime,
    until: datetime | None = None,
    known: date | None = None,
    horizon_days: int = 30,
    strict: bool = False,
) -> BudgetResult:
    """Price `budget` at `at` (its calendar month or day), or over the month `[at, until)`.

    `known` is the catalog version a budget without a pinned one is priced with. Look-ahead:
    the scheduled changes in the `horizon_days` after `at`, each with one period's cost after
    it; one that would go over (or cannot be priced, a retirement) makes an `ok` budget `warn`
    (`strict`: `over`)."""
    effective = budget.catalog if budget.catalog is not None else known
    try:
        version = _version(catalog, budget, effective)
        low, high, (start, end), parts = price_budget(
            catalog, budget, periods(budget.period, at, until), effective
        )
    except LlmcostError as exc:
        return BudgetFailed(budget.file, exc.one_line(), _where_line(exc), budget)
    status = current = status_of(high, budget.limit, budget.warn_at)
    ahead = _look_ahead(catalog, budget, at, horizon_days, effective)
    if budget.period == "day":
        ahead = sorted(
            ahead + _heavier_days(catalog, budget, at, horizon_days, effective, high, ahead),
            key=lambda a: a.at,
        )
    if status != "over" and any(a.status in BREACHES for a in ahead):
        status = "over" if strict else "warn"
    return BudgetChecked(
        budget=budget, status=status, current=current, start=start, end=end, cost=high,
        cost_min=low, share=ratio(high, budget.limit), version=version, parts=parts,
        lookahead=tuple(ahead), drift=_drift(catalog, budget, at, until), strict=strict,
    )  # fmt: skip


def _version(catalog: Catalog, budget: Budget, known: date | None) -> date:
    try:
        return catalog.version_for(known)
    except LlmcostError as exc:
        if budget.catalog is None:
            raise
        raise type(exc)(
            f"catalog: {exc.message}", where=budget.at("catalog"), hint=exc.hint
        ) from None


def _where_line(exc: LlmcostError) -> int | None:
    if exc.where is None:
        return None
    head = exc.where.split(": ", 1)[0]
    return _line(head)


def _look_ahead(catalog, budget, at, horizon_days, known) -> list[Lookahead]:
    if horizon_days <= 0:
        return []
    found = scheduled_changes(catalog, budget, at, horizon_end(at, horizon_days), known)
    ahead = []
    for instant, changes in found.items():
        start, end = instant, instant  # until the period after it is known
        line = changes[0][1]
        try:
            start, end = after(budget.period, instant)
            _, high, _, _ = price_budget(catalog, budget, [(start, end)], known)
        except LlmcostError as exc:
            ahead.append(
                Lookahead(instant, tuple(t for t, _ in changes), start, end, None, "error",
                          exc.one_line(), line)
            )  # fmt: skip
            continue
        status = status_of(high, budget.limit, budget.warn_at)
        ahead.append(
            Lookahead(instant, tuple(t for t, _ in changes), start, end, high, status, None, line)
        )
    return ahead


WEEK = 7
# the last day whose end llmcost can write down (9999-12-31 ends at the year 10000)
_LAST_DAY = datetime(MAXYEAR, 12, 30, tzinfo=UTC)


def _heavier_days(catalog, budget, at, horizon_days, known, checked: Decimal, ahead) -> list:
    """A day budget must hold on every day, not only the one it is checked on: a peak window
    on weekdays makes Monday cost more than Sunday, and no scheduled change says so. The week
    after the checked day, and the week after each scheduled change, are priced day by day
    within the horizon; the most expensive day of each, where it costs more than the day it
    starts from, is a look-ahead of its own."""
    if horizon_days <= 0:
        return []
    end = horizon_end(at, horizon_days)
    today = datetime(at.year, at.month, at.day, tzinfo=UTC)
    # each week is measured against the day it starts from: the checked day, or the day after
    # a change (whose own look-ahead already reports that day's cost)
    starts = [(today, checked), *((a.start, a.cost) for a in ahead if a.status != "error")]
    found: dict[datetime, Lookahead] = {}
    for first, usual in starts:
        first = datetime(first.year, first.month, first.day, tzinfo=UTC)
        last = min(end, _LAST_DAY)
        days = [d for d in (first + i * DAY for i in range(WEEK) if i <= (last - first).days)
                if today < d <= last]  # fmt: skip
        try:
            costs = [(price_budget(catalog, budget, [(d, d + DAY)], known)[1], d) for d in days]
        except LlmcostError:
            continue  # a day that cannot be priced lies after a change already reported
        if not costs:
            continue
        cost, day = max(costs, key=lambda pair: (pair[0], -pair[1].toordinal()))
        if cost > usual and day not in found:
            status = status_of(cost, budget.limit, budget.warn_at)
            label = f"{WEEKDAY_NAMES[day.weekday()]}: the dearest day of the week ahead"
            found[day] = Lookahead(day, (label,), day, day + DAY, cost, status, None,
                                   budget.lines.get("limit"))  # fmt: skip
    return list(found.values())


WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _drift(catalog: Catalog, budget: Budget, at, until) -> Drift | None:
    """What the newest catalog makes of a pinned budget (None for one that is not pinned)."""
    if not budget.pinned:
        return None
    try:
        _, high, _, _ = price_budget(catalog, budget, periods(budget.period, at, until), None)
    except LlmcostError as exc:
        return Drift(catalog.newest, None, "error", exc.one_line())
    return Drift(catalog.newest, high, status_of(high, budget.limit, budget.warn_at), None)


# -- many files -------------------------------------------------------------------------------


def check_files(catalog: Catalog, paths: Sequence[str | Path], **options) -> list[BudgetResult]:
    """Every budget file checked; one that cannot be read or priced is an `error` result, so
    one bad file never hides the others' results."""
    results = []
    for path in paths:
        try:
            budget = load_budget(path)
        except LlmcostError as exc:
            results.append(BudgetFailed(str(path), exc.one_line(), _where_line(exc)))
            continue
        results.append(check_budget(catalog, budget, **options))
    return results


def validate_budget(catalog: Catalog, budget: Budget) -> None:
    """What can be known of a budget without pricing it: its models exist and have prices in
    its currency (and in its service tier), its mixes can sum to 100%, its
    workloads are complete and its pinned version exists. Raises on the first problem,
    naming file:line: field."""
    from llmcost.engine import check_fits
    from llmcost.errors import NotPriced
    from llmcost.mix import resolve_slices

    if budget.catalog is not None:
        _version(catalog, budget, budget.catalog)
    for part in budget.parts:
        try:
            if part.mix is not None:
                infos, loads = resolve_slices(
                    catalog, part.mix, part.tokens, part.requests, part.tier
                )
            else:
                infos = [catalog.resolve(part.model)]
                loads = [
                    part.tokens.workload(part.requests, part.tier, f"{part.where}: {part.field}")
                ]
            for info, load in zip(infos, loads, strict=True):
                check_fits(catalog, info.id, load)  # a request the model cannot take
                entries = catalog.entries(info.id, budget.catalog)
                if not any(budget.currency in e.rates for e in entries):
                    raise NotPriced(f"{info.id} has no {budget.currency} price at all")
                if all(e.for_tier(part.tier) is None for e in entries):
                    raise NotPriced(
                        f"{info.id} has no {part.tier} price",
                        hint="set another tier (or batch = false)",
                    )
        except LlmcostError as exc:
            if exc.where is not None:
                raise
            raise type(exc)(
                f"{part.field}.model: {exc.message}", where=part.where, hint=exc.hint
            ) from None


def diff_budgets(
    catalog: Catalog, paths: Sequence[str | Path], old: date, new: date, *, at, until=None
) -> list[BudgetMove]:
    """How a catalog change moves each budget: each priced as known on `old` and on `new`."""
    moves = []
    for path in paths:
        try:
            budget = replace(load_budget(path), catalog=None)
        except LlmcostError as exc:
            error = BudgetFailed(str(path), exc.one_line(), _where_line(exc))
            moves.append(BudgetMove(str(path), error, error))
            continue
        results = [
            check_budget(catalog, budget, at=at, until=until, known=k, horizon_days=0)
            for k in (old, new)
        ]
        moves.append(BudgetMove(str(path), *results))
    return moves
