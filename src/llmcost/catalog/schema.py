"""The shape of `pricing/<provider>.toml`, validated with pydantic.

Humans edit these files, so every model forbids unknown keys (a typo is an error, not a silently
ignored rate), every rate is a `Decimal` (the TOML is read with `parse_float=Decimal`), and units
live in the names: `input_mtok` is a price per million input tokens.

Rules that span more than one field (overlaps, sources, aliases across files) live in
`llmcost.catalog.load.validate_catalog`, which runs after these models have parsed a file.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from llmcost.catalog.entities import WEEKDAYS

# A price per 1M tokens: no real one is near $1M, none has more than 12 decimal places.
Rate = Annotated[Decimal, Field(ge=0, le=1_000_000, decimal_places=12, allow_inf_nan=False)]
TokenCount = Annotated[int, Field(gt=0)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
_HOURS = re.compile(r"^(\d\d):(\d\d)-(\d\d):(\d\d)$")


def _as_utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


UtcInstant = Annotated[AwareDatetime, AfterValidator(_as_utc)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RateSet(_Strict):
    """Prices per 1M tokens in one currency. `None` means the provider has no such rate:
    cache writes are then billed as input, and cache hits too."""

    input_mtok: Rate
    output_mtok: Rate
    cache_read_mtok: Rate | None = None
    cache_write_mtok: Rate | None = None
    cache_write_1h_mtok: Rate | None = None


class Tier(_Strict):
    """A long-context tier: once a request's whole prompt is over `above_input_tokens`, the
    whole request (every token kind) is billed at these rates."""

    above_input_tokens: TokenCount
    rates: dict[Currency, RateSet]


class HourRange(_Strict):
    """A range of hours of the UTC day, start inclusive, end exclusive, e.g. 01:00-04:00."""

    start: time
    end: time


def _parse_hours(text: str) -> HourRange:
    match = _HOURS.match(text)
    if not match:
        raise ValueError(f"hours {text!r} must look like '01:00-04:00' (UTC)")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h2 == 24 and m2 == 0:
        h2, m2 = 0, 0
    if not (0 <= h1 < 24 and 0 <= m1 < 60 and 0 <= h2 < 24 and 0 <= m2 < 60):
        raise ValueError(f"hours {text!r} are not times of day")
    start, end = time(h1, m1), time(h2, m2)
    if end != time(0, 0) and end <= start:
        raise ValueError(f"hours {text!r} must end after they start, within one UTC day")
    return HourRange(start=start, end=end)


class Window(_Strict):
    """Rates in force during some hours of some weekdays (UTC), e.g. DeepSeek's peak hours.
    Outside every window the entry's own rates apply."""

    name: str = Field(min_length=1)
    hours_utc: list[str] = Field(min_length=1)
    weekdays: list[Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]] = list(WEEKDAYS)
    rates: dict[Currency, RateSet]

    @model_validator(mode="after")
    def _hours_parse(self) -> Window:
        for text in self.hours_utc:
            _parse_hours(text)
        return self

    def hour_ranges(self) -> list[HourRange]:
        return [_parse_hours(text) for text in self.hours_utc]


class PriceEntry(_Strict):
    """One price of one model, with its two times.

    Valid time `[valid_from, valid_until)` says when tokens are billed at it; `published` (the
    knowledge time) says from which catalog version on it is known. A later change is a new
    entry, never an edit, so old catalog versions stay reproducible.
    """

    published: date
    valid_from: UtcInstant
    valid_until: UtcInstant | None = None
    kind: Literal["list", "promo", "erratum"]
    source: list[str] = Field(min_length=1)
    confidence: Literal["high", "medium", "low"] = "high"
    note: str | None = None
    rates: dict[Currency, RateSet] = Field(min_length=1)
    base_name: str | None = None
    batch_multiplier: Annotated[Decimal, Field(gt=0, le=1)] | None = None
    tiers: list[Tier] = []
    windows: list[Window] = []

    @model_validator(mode="after")
    def _consistent(self) -> PriceEntry:
        if self.valid_until is not None and self.valid_until <= self.valid_from:
            raise ValueError("valid_until must be after valid_from")
        currencies = set(self.rates)
        for part in [*self.tiers, *self.windows]:
            if set(part.rates) != currencies:
                raise ValueError(
                    "tiers and windows must give the same currencies as rates "
                    f"({sorted(currencies)})"
                )
        thresholds = [t.above_input_tokens for t in self.tiers]
        if thresholds != sorted(set(thresholds)):
            raise ValueError("tiers must be listed by increasing above_input_tokens, no repeats")
        if self.tiers and self.windows:
            raise ValueError("an entry has either long-context tiers or time windows, not both")
        return self


class Model(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    name: str
    aliases: list[str] = []
    released: UtcInstant
    context_window: TokenCount
    max_output: TokenCount
    retired: UtcInstant | None = None
    successor: str | None = None
    note: str | None = None
    prices: list[PriceEntry] = Field(min_length=1)


class Source(_Strict):
    title: str
    url: str | None = None
    seen: str | None = None


class ProviderFile(_Strict):
    """One `pricing/<provider>.toml`."""

    provider: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str
    sources: dict[str, Source] = Field(min_length=1)
    models: list[Model] = Field(min_length=1)


# -- to the engine's plain values -------------------------------------------------------------


def _rates(rates: dict[str, RateSet]) -> dict:
    from llmcost.catalog import entities as e

    return {cur: e.RateSet(**r.model_dump()) for cur, r in rates.items()}


def to_entities(provider: ProviderFile):
    """The validated file as `llmcost.catalog.entities` values."""
    from llmcost.catalog import entities as e

    def entry(p: PriceEntry) -> e.PriceEntry:
        return e.PriceEntry(
            published=p.published,
            valid_from=p.valid_from,
            valid_until=p.valid_until,
            kind=p.kind,
            source=tuple(p.source),
            confidence=p.confidence,
            note=p.note,
            rates=_rates(p.rates),
            base_name=p.base_name,
            batch_multiplier=p.batch_multiplier,
            tiers=tuple(e.Tier(t.above_input_tokens, _rates(t.rates)) for t in p.tiers),
            windows=tuple(
                e.Window(
                    name=w.name,
                    hours_utc=tuple(w.hours_utc),
                    weekdays=tuple(w.weekdays),
                    rates=_rates(w.rates),
                    ranges=tuple(e.HourRange(h.start, h.end) for h in w.hour_ranges()),
                )
                for w in p.windows
            ),
        )

    return e.Provider(
        provider=provider.provider,
        name=provider.name,
        sources={k: e.Source(v.title, v.url, v.seen) for k, v in provider.sources.items()},
        models=tuple(
            e.Model(
                id=m.id,
                name=m.name,
                aliases=tuple(m.aliases),
                released=m.released,
                context_window=m.context_window,
                max_output=m.max_output,
                retired=m.retired,
                successor=m.successor,
                note=m.note,
                prices=tuple(entry(p) for p in m.prices),
            )
            for m in provider.models
        ),
    )
