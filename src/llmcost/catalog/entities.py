"""The catalog as the engine uses it: plain frozen dataclasses.

`schema` (pydantic) checks what a human wrote; these are what it becomes. Keeping them apart
lets a validated catalog be cached (see `load`) so a one-shot command does not pay for building
pydantic's validators on every run. They are NamedTuples, not dataclasses, because a
dataclass compiles several methods when its module is imported, and a one-shot command
imports these every time (bench/startup.py).
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import NamedTuple

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class RateSet(NamedTuple):
    """Prices per 1M tokens in one currency; `None`: the provider has no such rate."""

    input_mtok: Decimal
    output_mtok: Decimal
    cache_read_mtok: Decimal | None = None
    cache_write_mtok: Decimal | None = None
    cache_write_1h_mtok: Decimal | None = None


class Tier(NamedTuple):
    above_input_tokens: int
    rates: dict[str, RateSet]


class HourRange(NamedTuple):
    """Hours of the UTC day, start inclusive, end exclusive; an end of 00:00 is midnight."""

    start: time
    end: time

    def contains(self, moment: time) -> bool:
        return self.start <= moment and (self.end == time(0, 0) or moment < self.end)


class Window(NamedTuple):
    name: str
    hours_utc: tuple[str, ...]
    weekdays: tuple[str, ...]
    rates: dict[str, RateSet]
    ranges: tuple[HourRange, ...]

    def hour_ranges(self) -> tuple[HourRange, ...]:
        return self.ranges


class PriceEntry(NamedTuple):
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


class Model(NamedTuple):
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


class Source(NamedTuple):
    title: str
    url: str | None
    seen: str | None


class Provider(NamedTuple):
    provider: str
    name: str
    sources: dict[str, Source]
    models: tuple[Model, ...]
