"""Budgets as code: the library behind `llmcost budget check`.

A budget is a limit on what its workloads (models or mixes) cost in one period (a calendar
month, or a UTC day). `check_budget` prices it as the catalog knows it, looks ahead at the
valid-time changes already scheduled in the catalog (a promo ending, a retirement, new peak
pricing) and, for a budget pinned to a catalog version, says what the newest catalog would
change. A mix is priced at its exact maximum over the splits its ranges admit: a budget
holds whatever the routing does.

Pure: no clock, no printing; the file is read in `budgetfile`. Every pricing error becomes a
result with status `error` (a check fails closed), never an exception.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import MAXYEAR, UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from llmcost.catalog.diff import terms
from llmcost.catalog.lookup import Catalog
from llmcost.errors import InputError, LlmcostError
from llmcost.mix import MixSpec, Tokens
from llmcost.money import EXACT, exact_sum, ratio, to_decimal
from llmcost.timeparse import show_instant
from llmcost.traffic import TrafficProfile

STATUSES = ("ok", "warn", "over", "error")
DAY = timedelta(days=1)
_INSTANT = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class Part:
    """One workload of a budget: a model or a mix, its requests per month or per day."""

    label: str
    model: str | None
    mix: MixSpec | None
    tokens: Tokens
    requests: Decimal
    per: str  # "month" | "day"
    tier: str  # the service tier ("standard", "batch", ...)
    field: str  # "workloads[0]"
    where: str  # "budget.toml:7", the line of its model (or its table)
    traffic: TrafficProfile | None = None  # when its requests come (else its mix file's)

    @property
    def profile(self) -> TrafficProfile | None:
        """The profile its requests follow: its own, else its mix's."""
        if self.traffic is not None or self.mix is None:
            return self.traffic
        return self.mix.traffic


@dataclass(frozen=True)
class Budget:
    file: str
    name: str
    limit: Decimal
    currency: str
    period: str  # "month" | "day"
    warn_at: Decimal
    catalog: date | None  # the pinned version
    parts: tuple[Part, ...]
    lines: Mapping[str, int | None] = field(default_factory=dict)  # "limit", "catalog", "name"


# -- results --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PartCost:
    label: str
    model: str  # the model id, or the mix's model ids joined by "+"
    cost_min: Decimal
    cost_max: Decimal
    line: int | None
    traffic: str | None = None  # the profile its requests follow, e.g. office-hours@UTC


@dataclass(frozen=True, slots=True)
class Lookahead:
    """A scheduled change in the horizon and the budget's cost over one period after it."""

    at: datetime
    changes: tuple[str, ...]  # "deepseek-v4-pro: promo ends, list price"
    start: datetime
    end: datetime
    cost: Decimal | None
    status: str  # ok | warn | over | error (it cannot be priced after the change)
    error: str | None
    line: int | None


@dataclass(frozen=True, slots=True)
class Drift:
    """What the newest catalog would make of a pinned budget."""

    version: date
    cost: Decimal | None
    status: str
    error: str | None


@dataclass(frozen=True)
class BudgetResult:
    file: str
    status: str  # ok | warn | over | error
    name: str | None = None
    limit: Decimal | None = None
    currency: str | None = None
    period: str | None = None
    start: datetime | None = None  # the priced period (the most expensive day of a month)
    end: datetime | None = None
    cost: Decimal | None = None  # the maximum over a mix's splits
    cost_min: Decimal | None = None
    share: Decimal | None = None  # cost / limit
    version: date | None = None
    pinned: bool = False
    parts: tuple[PartCost, ...] = ()
    lookahead: tuple[Lookahead, ...] = ()
    drift: Drift | None = None
    breach: Lookahead | None = None  # the first look-ahead that goes over or cannot be priced
    strict: bool = False
    error: str | None = None  # the one-line error of an `error` status
    line: int | None = None  # where the error or the limit is
    limit_line: int | None = None
    catalog_line: int | None = None
    current: str | None = None  # the status of the period's cost alone, before look-ahead


def exit_code(results: Sequence[BudgetResult]) -> int:
    """2 if any budget is invalid, else 1 if any is over, else 0: a check fails closed."""
    statuses = {r.status for r in results}
    return 2 if "error" in statuses else 1 if "over" in statuses else 0


def status_of(cost: Decimal, limit: Decimal, warn_at: Decimal) -> str:
    if cost > limit:
        return "over"
    return "warn" if cost >= EXACT.multiply(limit, warn_at) else "ok"


# -- periods ----------------------------------------------------------------------------------


def month_of(at: datetime) -> tuple[datetime, datetime]:
    start = datetime(at.year, at.month, 1, tzinfo=UTC)
    return start, add_month(start)


def add_month(at: datetime) -> datetime:
    """The same day and time a calendar month later (the last day if that month is shorter)."""
    year, month = (at.year + 1, 1) if at.month == 12 else (at.year, at.month + 1)
    if year > MAXYEAR:
        raise _past_the_end(at)
    last = monthrange(year, month)[1]
    return at.replace(year=year, month=month, day=min(at.day, last))


def plus(at: datetime, delta: timedelta) -> datetime:
    """`at + delta`, or an error a user can read when that is past the year 9999."""
    try:
        return at + delta
    except OverflowError:
        raise _past_the_end(at) from None


def _past_the_end(at: datetime) -> InputError:
    return InputError(
        f"the period from {show_instant(at)} ends after the year 9999, the last llmcost prices",
        hint="check an earlier --at or --month",
    )


def horizon_end(at: datetime, days: int) -> datetime:
    """The end of the look-ahead: `days` after `at`, or the last instant there is (nothing is
    scheduled after the year 9999)."""
    last = datetime(MAXYEAR, 12, 31, tzinfo=UTC)  # a day short of the end: room to step past
    try:
        return min(at + timedelta(days=days), last)
    except OverflowError:
        return last


def periods(period: str, at: datetime, until: datetime | None) -> list[tuple[datetime, datetime]]:
    """The periods a check prices. With `until` (a `--month`), a month budget prices that
    month and a day budget every day of it (the most expensive counts); else the calendar
    month, or the UTC day, that contains `at`."""
    if until is not None:
        if period == "month":
            return [(at, until)]
        days = (until - at) // DAY
        return [(at + i * DAY, at + (i + 1) * DAY) for i in range(days)]
    if period == "month":
        return [month_of(at)]
    start = datetime(at.year, at.month, at.day, tzinfo=UTC)
    return [(start, plus(start, DAY))]


def after(period: str, at: datetime) -> tuple[datetime, datetime]:
    """One whole period starting at `at`: what a budget costs once a change is in force."""
    return (at, add_month(at)) if period == "month" else (at, plus(at, DAY))


def requests_in(part: Part, start: datetime, end: datetime) -> Decimal:
    """A part's requests in `[start, end)`. Per day is per average day: with a traffic
    profile a Monday may hold more than a Sunday (`TrafficProfile.days`)."""
    if part.per == "month":
        return part.requests
    profile = part.profile
    if profile is not None:
        return to_decimal(Fraction(part.requests) * profile.days(start, end))
    return to_decimal(
        Fraction(part.requests) * Fraction((end - start) // _INSTANT, DAY // _INSTANT)
    )


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
    before = catalog.entry_at(model_id, at - _INSTANT, known)
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
            for at in catalog.change_points(model_id, start, end + _INSTANT, known):
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
    base = dict(
        file=budget.file, name=budget.name, limit=budget.limit, currency=budget.currency,
        period=budget.period, pinned=budget.catalog is not None, strict=strict,
        limit_line=budget.lines.get("limit"), catalog_line=budget.lines.get("catalog"),
    )  # fmt: skip
    effective = budget.catalog if budget.catalog is not None else known
    try:
        version = _version(catalog, budget, effective)
        low, high, (start, end), parts = price_budget(
            catalog, budget, periods(budget.period, at, until), effective
        )
    except LlmcostError as exc:
        return BudgetResult(status="error", error=exc.one_line(), line=_where_line(exc), **base)
    status = current = status_of(high, budget.limit, budget.warn_at)
    ahead = _look_ahead(catalog, budget, at, horizon_days, effective)
    if budget.period == "day":
        ahead = sorted(
            ahead + _heavier_days(catalog, budget, at, horizon_days, effective, high, ahead),
            key=lambda a: a.at,
        )
    breach = next((a for a in ahead if a.status in ("over", "error")), None)
    if breach is not None and status != "over":
        status = "over" if strict else "warn"
    drift = _drift(catalog, budget, at, until) if budget.catalog is not None else None
    return BudgetResult(
        status=status, start=start, end=end, cost=high, cost_min=low,
        share=ratio(high, budget.limit), version=version,
        parts=parts, lookahead=tuple(ahead), drift=drift, breach=breach,
        line=budget.lines.get("limit"), current=current, **base,
    )  # fmt: skip


def _version(catalog: Catalog, budget: Budget, known: date | None) -> date:
    try:
        return catalog.version_for(known)
    except LlmcostError as exc:
        if budget.catalog is None:
            raise
        raise type(exc)(
            f"catalog: {exc.message}", where=_at(budget, "catalog"), hint=exc.hint
        ) from None


def _at(budget: Budget, key: str) -> str:
    line = budget.lines.get(key)
    return f"{budget.file}:{line}" if line is not None else budget.file


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


def _drift(catalog: Catalog, budget: Budget, at, until) -> Drift:
    try:
        _, high, _, _ = price_budget(catalog, budget, periods(budget.period, at, until), None)
    except LlmcostError as exc:
        return Drift(catalog.newest, None, "error", exc.one_line())
    return Drift(catalog.newest, high, status_of(high, budget.limit, budget.warn_at), None)


# -- many files -------------------------------------------------------------------------------


def check_files(catalog: Catalog, paths: Sequence[str | Path], **options) -> list[BudgetResult]:
    """Every budget file checked; one that cannot be read or priced is an `error` result, so
    one bad file never hides the others' results."""
    from llmcost.budgetfile import load_budget

    results = []
    for path in paths:
        try:
            budget = load_budget(path)
        except LlmcostError as exc:
            results.append(
                BudgetResult(file=str(path), status="error", error=exc.one_line(),
                             line=_where_line(exc))
            )  # fmt: skip
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


@dataclass(frozen=True, slots=True)
class BudgetMove:
    """A budget priced under two catalog versions (its pin set aside)."""

    file: str
    old: BudgetResult
    new: BudgetResult

    @property
    def change(self) -> Decimal | None:
        if self.old.cost is None or self.new.cost is None:
            return None
        return EXACT.subtract(self.new.cost, self.old.cost)


def diff_budgets(
    catalog: Catalog, paths: Sequence[str | Path], old: date, new: date, *, at, until=None
) -> list[BudgetMove]:
    """How a catalog change moves each budget: each priced as known on `old` and on `new`."""
    from llmcost.budgetfile import load_budget

    moves = []
    for path in paths:
        try:
            budget = replace(load_budget(path), catalog=None)
        except LlmcostError as exc:
            error = BudgetResult(file=str(path), status="error", error=exc.one_line())
            moves.append(BudgetMove(str(path), error, error))
            continue
        results = [
            check_budget(catalog, budget, at=at, until=until, known=k, horizon_days=0)
            for k in (old, new)
        ]
        moves.append(BudgetMove(str(path), *results))
    return moves
