"""The catalog as the engine uses it: plain frozen dataclasses.

`schema` (pydantic) checks what a human wrote; these are what it becomes. Keeping them apart
lets a validated catalog be cached (see `load`) so a one-shot command does not pay for building
pydantic's validators on every run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, slots=True)
class RateSet:
    """Prices per 1M tokens in one currency; `None`: the provider has no such rate."""

    input_mtok: Decimal
    output_mtok: Decimal
    cache_read_mtok: Decimal | None = None
    cache_write_mtok: Decimal | None = None
    cache_write_1h_mtok: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Tier:
    above_input_tokens: int
    rates: dict[str, RateSet]


@dataclass(frozen=True, slots=True)
class HourRange:
    """Hours of the UTC day, start inclusive, end exclusive; an end of 00:00 is midnight."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        return self.start <= moment and (self.end == time(0, 0) or moment < self.end)


@dataclass(frozen=True, slots=True)
class Window:
    name: str
    hours_utc: tuple[str, ...]
    weekdays: tuple[str, ...]
    rates: dict[str, RateSet]
    ranges: tuple[HourRange, ...]

    def hour_ranges(self) -> tuple[HourRange, ...]:
        return self.ranges


@dataclass(frozen=True, slots=True)
class PriceEntry:
    published: date
    valid_from: datetime
    valid_until: datetime | None
    kind: str
    source: tuple[str, ...]
    confidence: str
    note: str | None
    rates: dict[str, RateSet]
    base_name: str | None
    batch_multiplier: Decimal | None
    tiers: tuple[Tier, ...]
    windows: tuple[Window, ...]

    def contains(self, at: datetime) -> bool:
        return self.valid_from <= at and (self.valid_until is None or at < self.valid_until)


@dataclass(frozen=True, slots=True)
class Model:
    id: str
    name: str
    aliases: tuple[str, ...]
    released: datetime
    context_window: int
    max_output: int
    retired: datetime | None
    successor: str | None
    note: str | None
    prices: tuple[PriceEntry, ...]


@dataclass(frozen=True, slots=True)
class Source:
    title: str
    url: str | None
    seen: str | None


@dataclass(frozen=True, slots=True)
class Provider:
    provider: str
    name: str
    sources: dict[str, Source]
    models: tuple[Model, ...]
