"""The cost engine: pure, exact, and told the instant it prices at.

No clock, no files, no printing. A `Workload` is per-request token counts times a number of
requests; `cost_at` prices it at one instant, `cost_over` spreads the requests evenly over a
period and splits the cost exactly at every price change and every peak window inside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import pairwise

from llmcost.catalog.entities import WEEKDAYS, PriceEntry, RateSet, Window
from llmcost.catalog.lookup import Catalog
from llmcost.errors import InputError, NotPriced, TooLarge
from llmcost.money import EXACT, ZERO, per_million, to_decimal
from llmcost.timeparse import days_between, utc
from llmcost.units import DERIVED_PLACES, check_count

KINDS = ("input", "cache_read", "cache_write", "output")


@dataclass(frozen=True, slots=True)
class Workload:
    """Per-request token counts (averages may be fractional) times `requests`.

    `input` is the whole prompt; `cached` (cache hits), `cache_write` (5-minute) and
    `cache_write_1h` are parts of it, so the uncached input is what is left. `output` includes
    reasoning tokens.
    """

    input: Decimal
    output: Decimal
    cached: Decimal = ZERO
    cache_write: Decimal = ZERO
    cache_write_1h: Decimal = ZERO
    requests: Decimal = Decimal(1)
    batch: bool = False

    def __post_init__(self) -> None:
        for name in ("input", "output", "cached", "cache_write", "cache_write_1h", "requests"):
            value = getattr(self, name)
            if not isinstance(value, Decimal):
                value = _as_decimal(value, name)
                object.__setattr__(self, name, value)
            if not value.is_finite() or value < 0:
                raise InputError(f"{name}: must be a non-negative number, got {value}")
            check_count(value, field=name, places=DERIVED_PLACES)
        parts = EXACT.add(EXACT.add(self.cached, self.cache_write), self.cache_write_1h)
        if parts > self.input:
            raise InputError(
                f"cached + cache writes ({parts}) exceed the input ({self.input})",
                hint="input is the whole prompt; cache hits and writes are parts of it",
            )

    @property
    def uncached(self) -> Decimal:
        parts = EXACT.add(EXACT.add(self.cached, self.cache_write), self.cache_write_1h)
        return EXACT.subtract(self.input, parts)

    def as_dict(self) -> dict[str, Decimal | bool]:
        """The workload as reports and files carry it."""
        return {
            "input": self.input,
            "cached": self.cached,
            "cache_write": self.cache_write,
            "cache_write_1h": self.cache_write_1h,
            "output": self.output,
            "requests": self.requests,
            "batch": self.batch,
        }


def _as_decimal(value: object, name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InputError(f"{name}: must be an int, a str or a Decimal, got {type(value).__name__}")
    try:
        return Decimal(value)
    except ArithmeticError:
        raise InputError(f"{name}: {value!r} is not a number") from None


@dataclass(frozen=True, slots=True)
class CostBreakdown:
    """A cost by token kind. `cache_write` holds 5-minute and 1-hour writes together.

    `total` is the sum of the parts; a period cost passes its own, summed exactly before any
    rounding of a repeating decimal, so it may differ from the sum of the rounded parts in the
    last of `money.REPEATING_PLACES` places."""

    currency: str
    input: Decimal
    cache_read: Decimal
    cache_write: Decimal
    output: Decimal
    applied: tuple[str, ...] = ()
    total: Decimal = None  # type: ignore[assignment]  # set in __post_init__

    def __post_init__(self) -> None:
        if self.total is None:
            total = EXACT.add(EXACT.add(self.input, self.cache_read), self.cache_write)
            object.__setattr__(self, "total", EXACT.add(total, self.output))


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of a period with one set of rates."""

    start: datetime
    end: datetime
    requests: Decimal
    cost: CostBreakdown


@dataclass(frozen=True, slots=True)
class PeriodCost:
    """A cost over `[start, end)` and the segments it was split into."""

    start: datetime
    end: datetime
    cost: CostBreakdown
    segments: tuple[Segment, ...] = field(default=())


# -- choosing rates ---------------------------------------------------------------------------


def window_at(entry: PriceEntry, at: datetime) -> Window | None:
    """The time window (e.g. peak hours) of `entry` in force at `at`, if any. Windows are
    in UTC whatever offset `at` carries."""
    at = utc(at)
    weekday = WEEKDAYS[at.weekday()]
    moment = at.time()
    for window in entry.windows:
        if weekday not in window.weekdays:
            continue
        if any(hours.contains(moment) for hours in window.hour_ranges()):
            return window
    return None


def select_rates(
    entry: PriceEntry, currency: str, at: datetime, prompt_tokens: Decimal
) -> tuple[RateSet, tuple[str, ...]]:
    """The rates `entry` bills a request of `prompt_tokens` at `at`, and labels naming why
    (the entry's kind, a long-context tier, a peak window)."""
    labels = [entry.kind]
    rates = entry.rates[currency]
    for tier in entry.tiers:
        if prompt_tokens > tier.above_input_tokens:
            rates = tier.rates[currency]
            label = f"prompt over {_tokens_label(tier.above_input_tokens)} tier"
            labels = [entry.kind, label]
    if entry.windows:
        window = window_at(entry, at)
        if window is not None:
            rates = window.rates[currency]
            labels.append(window.name)
        else:
            labels.append(entry.base_name or "outside " + "/".join(w.name for w in entry.windows))
    return rates, tuple(labels)


def _tokens_label(count: int) -> str:
    return f"{count // 1000}K" if count % 1000 == 0 else str(count)


# -- pricing ----------------------------------------------------------------------------------


def cost_with_rates(
    workload: Workload,
    rates: RateSet,
    currency: str,
    *,
    batch_multiplier: Decimal | None = None,
    applied: tuple[str, ...] = (),
) -> CostBreakdown:
    """The cost of `workload` at fixed rates. Where the provider has no cache-write rate the
    written tokens are billed as input; where it has no cache-read rate, hits are too."""
    w = workload
    read_rate = rates.cache_read_mtok if rates.cache_read_mtok is not None else rates.input_mtok
    write_rate = rates.cache_write_mtok if rates.cache_write_mtok is not None else rates.input_mtok
    write_1h_rate = (
        rates.cache_write_1h_mtok if rates.cache_write_1h_mtok is not None else rates.input_mtok
    )
    scale = w.requests
    if w.batch:
        if batch_multiplier is None:
            raise NotPriced("no batch price is published for this model at this instant")
        scale = EXACT.multiply(scale, batch_multiplier)
        applied = (*applied, f"batch x{batch_multiplier.normalize()}")
    return CostBreakdown(
        currency=currency,
        input=per_million(EXACT.multiply(w.uncached, scale), rates.input_mtok),
        cache_read=per_million(EXACT.multiply(w.cached, scale), read_rate),
        cache_write=EXACT.add(
            per_million(EXACT.multiply(w.cache_write, scale), write_rate),
            per_million(EXACT.multiply(w.cache_write_1h, scale), write_1h_rate),
        ),
        output=per_million(EXACT.multiply(w.output, scale), rates.output_mtok),
        applied=applied,
    )


def check_fits(catalog: Catalog, model_id: str, workload: Workload) -> None:
    """A request the model cannot take has no price: a prompt over its context window, or an
    output over its maximum, is refused (the provider would refuse it), never priced as if it
    fitted. The counts are per request (an average, for a workload). Every command prices a
    workload through `comparison.price_one`, which applies this first; `cost_at` and
    `cost_over` themselves price any counts at the rates (they also price token totals)."""
    model = catalog.info(model_id).model
    if workload.input > model.context_window:
        raise TooLarge(
            f"{model.id}: a prompt of {workload.input.normalize():f} tokens is over its "
            f"context window of {model.context_window}",
            hint="shorten the prompt or choose a model with a larger context window",
        )
    if workload.output > model.max_output:
        raise TooLarge(
            f"{model.id}: an output of {workload.output.normalize():f} tokens is over its "
            f"maximum output of {model.max_output}",
            hint="lower --output or choose a model with a larger maximum output",
        )


def cost_at(
    catalog: Catalog,
    model_id: str,
    workload: Workload,
    at: datetime,
    known: date | None = None,
    currency: str = "USD",
) -> CostBreakdown:
    """All of `workload`'s requests priced at the one instant `at`."""
    at = utc(at)
    entry = catalog.price_at(model_id, at, known, currency)
    rates, applied = select_rates(entry, currency, at, workload.input)
    try:
        return cost_with_rates(
            workload, rates, currency, batch_multiplier=entry.batch_multiplier, applied=applied
        )
    except NotPriced as exc:
        raise NotPriced(
            f"{model_id}: {exc.message}", hint="price it without the batch discount"
        ) from None


def cost_over(
    catalog: Catalog,
    model_id: str,
    workload: Workload,
    start: datetime,
    end: datetime,
    known: date | None = None,
    currency: str = "USD",
) -> PeriodCost:
    """`workload`'s requests spread evenly over `[start, end)`, each stretch of time priced at
    the rates in force in it: the cost is split exactly at every entry change and window edge."""
    start, end = utc(start), utc(end)
    if end <= start:
        raise InputError("the period must end after it starts")
    whole = _micros(end - start)
    bounds = _segment_bounds(catalog, model_id, start, end, known)
    segments = []
    totals = dict.fromkeys(KINDS, Fraction(0))
    unit = replace(workload, requests=Decimal(1))  # one request, priced per stretch
    for seg_start, seg_end in pairwise(bounds):
        share = Fraction(_micros(seg_end - seg_start), whole)
        per_request = cost_at(catalog, model_id, unit, seg_start, known, currency)
        requests = Fraction(workload.requests) * share
        parts = {kind: Fraction(getattr(per_request, kind)) * requests for kind in KINDS}
        for kind in KINDS:
            totals[kind] += parts[kind]
        segments.append(
            Segment(
                start=seg_start,
                end=seg_end,
                requests=to_decimal(requests),
                cost=CostBreakdown(
                    currency, *(to_decimal(parts[k]) for k in KINDS), per_request.applied
                ),
            )
        )
    applied = tuple(dict.fromkeys(label for s in segments for label in s.cost.applied))
    total = CostBreakdown(
        currency,
        *(to_decimal(totals[k]) for k in KINDS),
        applied,
        total=to_decimal(sum(totals.values(), Fraction(0))),
    )
    return PeriodCost(start, end, total, tuple(segments))


def _segment_bounds(
    catalog: Catalog, model_id: str, start: datetime, end: datetime, known: date | None
) -> list[datetime]:
    """`start`, every instant inside the period where rates may change, and `end`."""
    points = {start, end, *catalog.change_points(model_id, start, end, known)}
    for entry in catalog.entries(model_id, known):
        if not entry.windows:
            continue
        lo = max(start, entry.valid_from)
        hi = end if entry.valid_until is None else min(end, entry.valid_until)
        if lo >= hi:
            continue
        for day in days_between(lo, hi):
            for window in entry.windows:
                for hours in window.hour_ranges():
                    for moment in (hours.start, hours.end):
                        edge = datetime.combine(day, moment, tzinfo=UTC)
                        if moment == hours.end and moment.hour == 0 and moment.minute == 0:
                            edge += timedelta(days=1)
                        if start < edge < end:
                            points.add(edge)
    return sorted(points)


def _micros(delta: timedelta) -> int:
    return delta // timedelta(microseconds=1)
