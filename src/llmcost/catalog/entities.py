"""The catalog's shape, defined once: plain frozen values that the engine uses.

Each class here is both what a price file may say and what it becomes. `schema` builds the
pydantic models that check a human's file from these annotations (a `Spec` carries a field's
bounds and description), and turns a checked file into these values; so a new price field is
one line here plus its tests. They are NamedTuples, not pydantic models or dataclasses, so
that a validated catalog pickles and loads fast (see `load`) and a one-shot command does not
compile methods on import (bench/startup.py).
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Literal, NamedTuple

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
STANDARD = "standard"  # the service tier of an entry's own rates


class Spec(NamedTuple):
    """How `schema` checks a field: bounds, a pattern, a description. `internal` fields are
    set by llmcost (never written in a file); `derived` ones are computed from the others."""

    doc: str = ""
    ge: object = None
    gt: object = None
    le: object = None
    pattern: str | None = None
    places: int | None = None
    min_length: int | None = None
    internal: bool = False
    derived: bool = False


RATE = Spec("price per 1M tokens", ge=0, le=1_000_000, places=12)
SHORT_WRITE = RATE._replace(doc="5-minute (short retention) cache write, per 1M tokens")
REASONING = RATE._replace(doc="reasoning output priced apart from output, per 1M tokens")
FEE = Spec("price per 1,000", ge=0, le=1_000_000, places=12)
COUNT = Spec("a number of tokens", gt=0)
NAME = r"^[A-Za-z0-9@][A-Za-z0-9._:/@+~-]*$"  # `@cf/...`: Cloudflare Workers AI ids
TIER_NAME = r"^[a-z][a-z0-9_-]*$"
PROVIDER = r"^[a-z0-9][a-z0-9_.-]*$"

Rate = Annotated[Decimal, RATE]
Instant = datetime  # an aware instant; the schema converts it to UTC
Currency = str  # keys of a `rates` table: ISO 4217 codes (schema checks the pattern)


class RateSet(NamedTuple):
    """Prices in one currency. `None`: the provider has no such rate — cache hits and writes
    are then billed as input, reasoning as output; a search with no price cannot be priced."""

    input_mtok: Rate
    output_mtok: Rate
    cache_read_mtok: Rate | None = None
    cache_write_mtok: Annotated[
        Decimal | None, RATE._replace(doc="5-minute (short) cache write")
    ] = None
    cache_write_1h_mtok: Rate | None = None
    cache_write_12h_mtok: Rate | None = None
    output_reasoning_mtok: Annotated[
        Decimal | None, RATE._replace(doc="reasoning output priced apart")
    ] = None
    web_search_kcount: Annotated[Decimal | None, FEE] = None
    request_kcount: Annotated[Decimal | None, FEE] = None


RATE_FIELDS = RateSet._fields
# the token rates that fall back to another rate when absent
FALLBACK = {
    "cache_read_mtok": "input_mtok",
    "cache_write_mtok": "input_mtok",
    "cache_write_1h_mtok": "input_mtok",
    "cache_write_12h_mtok": "input_mtok",
    "output_reasoning_mtok": "output_mtok",
}


class Tier(NamedTuple):
    """A long-context tier: once a request's whole prompt is over `above_input_tokens`, the
    whole request (every token kind) is billed at these rates."""

    above_input_tokens: Annotated[int, COUNT]
    rates: dict[Currency, RateSet]


class HourRange(NamedTuple):
    """Hours of the UTC day, start inclusive, end exclusive; an end of 00:00 is midnight."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        return self.start <= moment and (self.end == time(0, 0) or moment < self.end)


class Window(NamedTuple):
    """Rates in force during some hours of some weekdays (UTC), e.g. DeepSeek's peak hours.
    Outside every window the entry's own rates apply."""

    name: Annotated[str, Spec(min_length=1)]
    hours_utc: Annotated[tuple[str, ...], Spec("e.g. '01:00-04:00', UTC", min_length=1)]
    rates: dict[Currency, RateSet]
    weekdays: tuple[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"], ...] = WEEKDAYS
    ranges: Annotated[tuple[HourRange, ...], Spec(derived=True)] = ()

    def hour_ranges(self) -> tuple[HourRange, ...]:
        return self.ranges


class Variant(NamedTuple):
    """A service tier (`batch`, `flex`, `priority`, `fast`, ...): its own rates, tiers and
    windows, or `multiplier`, shorthand for the entry's own ones times that factor."""

    multiplier: Annotated[Decimal | None, Spec("every rate times it", gt=0, le=100, places=12)] = (
        None
    )
    rates: dict[Currency, RateSet] | None = None
    tiers: tuple[Tier, ...] = ()
    windows: tuple[Window, ...] = ()


class PriceEntry(NamedTuple):
    """One price of one offering, with its two times.

    Valid time `[valid_from, valid_until)` says when tokens are billed at it; `published` (the
    knowledge time) says from which catalog version on it is known. A later change is a new
    entry, never an edit, so old catalog versions stay reproducible.
    """

    published: date
    valid_from: Instant
    kind: Literal["list", "promo", "erratum", "negotiated"]
    source: Annotated[tuple[str, ...], Spec(min_length=1)]
    rates: Annotated[dict[Currency, RateSet], Spec(min_length=1)]
    valid_until: Instant | None = None
    confidence: Literal["high", "medium", "low"] = "high"
    note: str | None = None
    base_name: str | None = None
    tiers: tuple[Tier, ...] = ()
    windows: tuple[Window, ...] = ()
    variants: Annotated[dict[str, Variant], Spec("service tiers by name")] = {}  # noqa: RUF012
    layer: Annotated[str, Spec(internal=True)] = "shipped"
    discount: Annotated[Discount | None, Spec(internal=True)] = None  # applied at lookup

    def contains(self, at: datetime) -> bool:
        return self.valid_from <= at and (self.valid_until is None or at < self.valid_until)

    @property
    def service_tiers(self) -> tuple[str, ...]:
        return (STANDARD, *self.variants)

    def for_tier(self, tier: str) -> PriceEntry | None:
        """This entry as billed in service tier `tier` (None: it does not sell that tier)."""
        if tier == STANDARD:
            return self
        variant = self.variants.get(tier)
        if variant is None:
            return None
        if variant.multiplier is not None:
            m = variant.multiplier
            return self._replace(
                rates=scaled(self.rates, m),
                tiers=tuple(t._replace(rates=scaled(t.rates, m)) for t in self.tiers),
                windows=tuple(w._replace(rates=scaled(w.rates, m)) for w in self.windows),
                variants={},
            )
        return self._replace(
            rates=variant.rates, tiers=variant.tiers, windows=variant.windows, variants={}
        )


def scaled(rates: dict[str, RateSet], factor: Decimal) -> dict[str, RateSet]:
    """Every rate of `rates` times `factor`, exactly."""
    from llmcost.money import EXACT

    return {
        currency: RateSet(*(None if r is None else EXACT.multiply(r, factor) for r in rate_set))
        for currency, rate_set in rates.items()
    }


class Model(NamedTuple):
    """An offering: a model as one provider bills it. `maker` (when another provider made
    the model) makes its id `provider/id`; `model` names the maker's id for the same model."""

    id: Annotated[str, Spec("the provider's id for it", pattern=NAME)]
    prices: tuple[PriceEntry, ...] = ()
    name: str | None = None
    maker: Annotated[str | None, Spec(pattern=PROVIDER)] = None
    model: str | None = None
    aliases: tuple[str, ...] = ()
    released: Instant | None = None
    context_window: Annotated[int | None, COUNT] = None
    max_output: Annotated[int | None, COUNT] = None
    retired: Instant | None = None
    successor: str | None = None
    note: str | None = None


class Discount(NamedTuple):
    """A fraction off the rates of one offering, of every offering of a model, or of a whole
    provider, over a valid time and from a publication day, like a price entry."""

    published: date
    valid_from: Instant
    off: Annotated[Decimal, Spec("the fraction off: 0.15 is 15%", gt=0, le=1, places=12)]
    valid_until: Instant | None = None
    provider: str | None = None
    model: str | None = None
    offering: str | None = None
    tiers: Annotated[tuple[str, ...], Spec("service tiers it applies to; none: all")] = ()
    source: tuple[str, ...] = ()
    note: str | None = None
    layer: Annotated[str, Spec(internal=True)] = "shipped"

    def contains(self, at: datetime) -> bool:
        return self.valid_from <= at and (self.valid_until is None or at < self.valid_until)


class Source(NamedTuple):
    title: str
    url: str | None = None
    seen: str | None = None


class Provider(NamedTuple):
    """One price file: a provider's offerings, or (in an overlay) discounts and additions."""

    provider: Annotated[str | None, Spec(pattern=PROVIDER)] = None
    name: str | None = None
    aliases: Annotated[tuple[str, ...], Spec("other spellings of the provider in names")] = ()
    sources: dict[str, Source] = {}  # noqa: RUF012
    models: tuple[Model, ...] = ()
    discounts: tuple[Discount, ...] = ()
