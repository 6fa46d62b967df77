"""The cost engine: pure, exact, and told the instant it prices at.

No clock, no files, no printing. A `Workload` is per-request token counts times a number of
requests; `cost_at` prices it at one instant, `cost_over` spreads the requests evenly over a
period and splits the cost exactly at every price change and every peak window inside it. Given a
`TrafficProfile`, `cost_over` spreads them by its density instead (office hours, weekdays).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

from llmcost.catalog.entities import STANDARD, WEEKDAYS, PriceEntry, RateSet, Window
from llmcost.catalog.lookup import Catalog
from llmcost.errors import InputError, NotPriced, TooLarge
from llmcost.kinds import COST_KINDS
from llmcost.money import EXACT, MILLION, ZERO, exact_sum, plain, to_decimal
from llmcost.timeparse import days_between, utc
from llmcost.units import DERIVED_PLACES, check_count

if TYPE_CHECKING:  # a profile and Fractions only where a period is priced
    from fractions import Fraction

    from llmcost.traffic import TrafficProfile

# a cost's parts: the token kinds' costs, then the per-request and per-search fees
KINDS = (*COST_KINDS, "fees")
ONE, THOUSAND = Decimal(1), Decimal(1000)


# a Workload's counts: more than a file's `TOKEN_KINDS` (12-hour cache writes, reasoning,
# searches and requests are priced but not named in mix, budget or log files)
PROMPT_PARTS = ("cached", "cache_write", "cache_write_1h", "cache_write_12h")
COUNTS = ("input", "output", *PROMPT_PARTS, "reasoning", "web_searches", "requests")


@dataclass(frozen=True, slots=True)
class Workload:
    """Per-request token counts (averages may be fractional) times `requests`, in one service
    tier (`standard`: the offering's own rates; `batch`, `flex`, `priority`, ...).

    `input` is the whole prompt; `cached` (cache hits) and the cache writes (5-minute, 1-hour,
    12-hour retention) are parts of it, so the uncached input is what is left. `output`
    includes reasoning tokens; `reasoning` says how many of them were reasoning (billed apart
    where an offering prices them apart). `web_searches` are searches per request.
    """

    input: Decimal
    output: Decimal
    cached: Decimal = ZERO
    cache_write: Decimal = ZERO
    cache_write_1h: Decimal = ZERO
    requests: Decimal = Decimal(1)
    tier: str = STANDARD
    cache_write_12h: Decimal = ZERO
    reasoning: Decimal = ZERO
    web_searches: Decimal = ZERO
    # the prompt less its cache hits and writes, worked out once (every offering priced uses it)
    _uncached: Decimal = field(default=ZERO, init=False, repr=False, compare=False)
    # each count times the requests, worked out when first priced (`scaled_counts`)
    _scaled: tuple[Decimal, ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in COUNTS:
            value = getattr(self, name)
            if not isinstance(value, Decimal):
                value = _as_decimal(value, name)
                object.__setattr__(self, name, value)
            if not value.is_finite() or value < 0:
                raise InputError(f"{name}: must be a non-negative number, got {value}")
            check_count(value, field=name, places=DERIVED_PLACES)
        if not isinstance(self.tier, str) or not self.tier:
            raise InputError(f"tier: must be a service tier name, got {self.tier!r}")
        parts = exact_sum(getattr(self, k) for k in PROMPT_PARTS)
        if parts > self.input:
            raise InputError(
                f"cached + cache writes ({parts}) exceed the input ({self.input})",
                hint="input is the whole prompt; cache hits and writes are parts of it",
            )
        if self.reasoning > self.output:
            raise InputError(
                f"reasoning ({self.reasoning}) exceeds the output ({self.output})",
                hint="output includes reasoning tokens",
            )
        object.__setattr__(self, "_uncached", EXACT.subtract(self.input, parts))

    @property
    def uncached(self) -> Decimal:
        return self._uncached

    @property
    def batch(self) -> bool:
        return self.tier == "batch"

    def as_dict(self) -> dict[str, Decimal | str | bool]:
        """The workload as reports and files carry it."""
        return {
            "input": self.input,
            "cached": self.cached,
            "cache_write": self.cache_write,
            "cache_write_1h": self.cache_write_1h,
            "cache_write_12h": self.cache_write_12h,
            "output": self.output,
            "reasoning": self.reasoning,
            "web_searches": self.web_searches,
            "requests": self.requests,
            "tier": self.tier,
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
    """A cost by token kind. `cache_write` holds the writes of every retention together;
    `output` includes reasoning; `fees` are per-request and per-search fees.

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
    fees: Decimal = ZERO

    def __post_init__(self) -> None:
        if self.total is None:  # the parts summed in the order of KINDS
            add = EXACT.add
            total = add(
                add(
                    add(add(add(ZERO, self.input), self.cache_read), self.cache_write), self.output
                ),
                self.fees,
            )
            object.__setattr__(self, "total", total)


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
    (the entry's kind, the layer above the shipped catalog it came from, a discount, a
    long-context tier, a peak window)."""
    labels = [entry.kind, *provenance(entry)]
    rates = entry.rates[currency]
    over = [t for t in entry.tiers if prompt_tokens > t.above_input_tokens]
    if over:
        rates = over[-1].rates[currency]
        labels.append(f"prompt over {_tokens_label(over[-1].above_input_tokens)} tier")
    if entry.windows:
        window = window_at(entry, at)
        if window is not None:
            rates = window.rates[currency]
            labels.append(window.name)
        else:
            labels.append(entry.base_name or "outside " + "/".join(w.name for w in entry.windows))
    return rates, tuple(labels)


def provenance(entry: PriceEntry) -> list[str]:
    """Where an entry's rates came from, when not the catalog itself: its layer above it
    (`overlay acme.toml`, `update 2026-12-06`) and a discount (`15% off`)."""
    labels = []
    kind, _, where = entry.layer.partition(" ")
    if kind in ("overlay", "update"):
        labels.append(f"{kind} {Path(where).name}")
    if entry.discount is not None:
        labels.append(f"{plain(entry.discount.off * 100)}% off")
    return labels


def _tokens_label(count: int) -> str:
    return f"{count // 1000}K" if count % 1000 == 0 else str(count)


# -- pricing ----------------------------------------------------------------------------------


def cost_with_rates(
    workload: Workload,
    rates: RateSet,
    currency: str,
    *,
    applied: tuple[str, ...] = (),
) -> CostBreakdown:
    """The cost of `workload` at fixed rates. Where the provider has no cache-write rate the
    written tokens are billed as input; where it has no cache-read rate, hits are too; where
    reasoning has no rate of its own it is output. A search with no price is not priced."""
    w = workload
    (uncached, cached, write, write_1h, write_12h, said, reasoning, searches, requests) = (
        w._scaled or scaled_counts(w)
    )
    multiply, divide, add = EXACT.multiply, EXACT.divide, EXACT.add

    def tokens(scaled: Decimal, rate: Decimal) -> Decimal:  # money.per_million, inlined
        return divide(multiply(scaled, rate), MILLION)

    if w.web_searches and rates.web_search_kcount is None:
        raise NotPriced("no web search price is published at this instant")
    input_rate = rates.input_mtok
    writes = add(
        add(
            add(ZERO, tokens(write, _or(rates.cache_write_mtok, input_rate))),
            tokens(write_1h, _or(rates.cache_write_1h_mtok, input_rate)),
        ),
        tokens(write_12h, _or(rates.cache_write_12h_mtok, input_rate)),
    )
    reasoning_rate = _or(rates.output_reasoning_mtok, rates.output_mtok)
    return CostBreakdown(
        currency=currency,
        input=tokens(uncached, input_rate),
        cache_read=tokens(cached, _or(rates.cache_read_mtok, input_rate)),
        cache_write=writes,
        output=add(tokens(said, rates.output_mtok), tokens(reasoning, reasoning_rate)),
        fees=add(
            divide(multiply(searches, rates.web_search_kcount or ZERO), THOUSAND),
            divide(multiply(requests, rates.request_kcount or ZERO), THOUSAND),
        ),
        applied=applied,
    )


def scaled_counts(workload: Workload) -> tuple[Decimal, ...]:
    """The workload's counts times its requests, exactly, in the order `cost_with_rates`
    takes them: the same for every offering priced, so worked out once a workload."""
    w, multiply = workload, EXACT.multiply
    scale = w.requests
    counts = (
        w.uncached,
        w.cached,
        w.cache_write,
        w.cache_write_1h,
        w.cache_write_12h,
        EXACT.subtract(w.output, w.reasoning),  # output not billed as reasoning
        w.reasoning,
        w.web_searches,
        ONE,  # the request itself, for per-request fees
    )
    scaled = tuple(multiply(count, scale) for count in counts)
    object.__setattr__(w, "_scaled", scaled)
    return scaled


def _or(rate: Decimal | None, fallback: Decimal) -> Decimal:
    return fallback if rate is None else rate


def check_fits(catalog: Catalog, model_id: str, workload: Workload) -> None:
    """A request the model cannot take has no price: a prompt over its context window, or an
    output over its maximum, is refused (the provider would refuse it), never priced as if it
    fitted. The counts are per request (an average, for a workload). Every command prices a
    workload through `price_one`, which applies this first; `cost_at` and
    `cost_over` themselves price any counts at the rates (they also price token totals)."""
    info = catalog.info(model_id)
    model = info.model
    if workload.input > model.context_window:
        raise TooLarge(
            f"{info.key}: a prompt of {workload.input.normalize():f} tokens is over its "
            f"context window of {model.context_window}",
            hint="shorten the prompt or choose a model with a larger context window",
        )
    if workload.output > model.max_output:
        raise TooLarge(
            f"{info.key}: an output of {workload.output.normalize():f} tokens is over its "
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
    """All of `workload`'s requests priced at the one instant `at`, in its service tier."""
    at = utc(at)
    info = catalog.info(model_id)
    entry = catalog.price_at(info.key, at, known, currency, workload.tier)
    rates, applied = select_rates(entry, currency, at, workload.input)
    if workload.tier != STANDARD:
        variant = catalog.entry_at(info.key, at, known).variants[workload.tier]
        multiplier = "" if variant.multiplier is None else f" x{plain(variant.multiplier)}"
        applied = (*applied, workload.tier + multiplier)
    try:
        return cost_with_rates(workload, rates, currency, applied=applied)
    except NotPriced as exc:
        raise NotPriced(f"{info.key}: {exc.message}", hint="price it without searches") from None


def price_one(
    catalog: Catalog,
    model_id: str,
    workload: Workload,
    at: datetime,
    until: datetime | None,
    known: date | None,
    currency: str,
    traffic: TrafficProfile | None = None,
) -> CostBreakdown:
    """The workload on one model, as every command prices it (`compare`, mixes, budgets): at
    an instant or spread over `[at, until)` (evenly, or by `traffic`); a request the model
    cannot take (`check_fits`) is refused, not priced. An instant has no time of day to
    weigh: a profile needs a period."""
    check_fits(catalog, model_id, workload)
    if until is None:
        if traffic is not None:
            raise InputError(
                f"traffic profile {traffic.label} needs a period, not an instant",
                hint="price a month with --month, or leave out the profile",
            )
        return cost_at(catalog, model_id, workload, at, known, currency)
    return cost_over(catalog, model_id, workload, at, until, known, currency, traffic).cost


def cost_over(
    catalog: Catalog,
    model_id: str,
    workload: Workload,
    start: datetime,
    end: datetime,
    known: date | None = None,
    currency: str = "USD",
    traffic: TrafficProfile | None = None,
) -> PeriodCost:
    """`workload`'s requests spread over `[start, end)`, each stretch of time priced at the
    rates in force in it: the cost is split exactly at every entry change and window edge.

    The requests are spread evenly, or by `traffic`: a stretch then gets the share of the
    profile's mass over the period that falls in it (its local hours weighed exactly, so the
    stretches need no extra bounds). A flat profile gives exactly the even spread."""
    from fractions import Fraction

    start, end = utc(start), utc(end)
    if end <= start:
        raise InputError("the period must end after it starts")
    stretches = list(pairwise(_segment_bounds(catalog, model_id, start, end, known)))
    shares = _shares(stretches, traffic, workload.requests)
    segments = []
    totals = dict.fromkeys(KINDS, Fraction(0))
    unit = replace(workload, requests=Decimal(1))  # one request, priced per stretch
    for (seg_start, seg_end), share in zip(stretches, shares, strict=True):
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
                    currency,
                    **{k: to_decimal(parts[k]) for k in KINDS},
                    applied=per_request.applied,
                ),
            )
        )
    applied = tuple(dict.fromkeys(label for s in segments for label in s.cost.applied))
    total = CostBreakdown(
        currency,
        **{k: to_decimal(totals[k]) for k in KINDS},
        applied=applied,
        total=to_decimal(sum(totals.values(), Fraction(0))),
    )
    return PeriodCost(start, end, total, tuple(segments))


def _shares(
    stretches: list[tuple[datetime, datetime]],
    traffic: TrafficProfile | None,
    requests: Decimal,
) -> list[Fraction]:
    """Each stretch's share of the period's requests: of its time, or of the profile's mass.
    A profile with no traffic in the period cannot place requests there."""
    from fractions import Fraction

    if traffic is None:
        weights = [Fraction(_micros(b - a)) for a, b in stretches]
    else:
        weights = [traffic.mass(a, b) for a, b in stretches]
    whole = sum(weights, Fraction(0))
    if whole == 0:
        if requests == 0:
            return [Fraction(0)] * len(stretches)
        raise InputError(
            f"traffic profile {traffic.label} has no traffic in "
            f"{stretches[0][0].isoformat()} .. {stretches[-1][1].isoformat()}",
            hint="price a period that contains its hours",
        )
    return [weight / whole for weight in weights]


def _segment_bounds(
    catalog: Catalog, model_id: str, start: datetime, end: datetime, known: date | None
) -> list[datetime]:
    """`start`, every instant inside the period where rates may change, and `end`."""
    points = {start, end, *catalog.change_points(model_id, start, end, known)}
    for entry in catalog.entries(model_id, known):
        windows = window_edges_of(entry)
        if not windows:
            continue
        lo = max(start, entry.valid_from)
        hi = end if entry.valid_until is None else min(end, entry.valid_until)
        if lo >= hi:
            continue
        for day in days_between(lo, hi):
            for window in windows:
                for hours in window.hour_ranges():
                    for moment in (hours.start, hours.end):
                        edge = datetime.combine(day, moment, tzinfo=UTC)
                        if moment == hours.end and moment.hour == 0 and moment.minute == 0:
                            edge += timedelta(days=1)
                        if start < edge < end:
                            points.add(edge)
    return sorted(points)


def window_edges_of(entry: PriceEntry) -> tuple[Window, ...]:
    """The windows of an entry and of its service tiers' own rates."""
    own = [w for v in entry.variants.values() for w in v.windows]
    return (*entry.windows, *own)


def _micros(delta: timedelta) -> int:
    return delta // timedelta(microseconds=1)
