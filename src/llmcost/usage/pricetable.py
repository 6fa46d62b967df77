"""The catalog as a flat price table: one row per model x stretch x currency x weekday piece
x prompt band, each with the rates that bill a request there.

The bitemporal rule is resolved here, once, for one catalog version: a model's valid time is
cut at every entry bound (and its retirement), and each stretch carries the entry that wins
there (`Catalog.entry_at`). Inside a stretch, the week is cut at every window edge and the
prompt axis at every tier threshold, and each piece's rates come from `engine.select_rates`
at a representative instant and prompt, so the table cannot disagree with the engine.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from llmcost.catalog.entities import PriceEntry, RateSet
from llmcost.catalog.lookup import Catalog
from llmcost.engine import select_rates

DAY_US = 86_400_000_000
NO_LIMIT = 2**62  # "no upper bound" on a prompt band (prompts are BIGINT)
_MONDAY = datetime(2024, 1, 1, tzinfo=UTC)  # any Monday: a representative day for a weekday


@dataclass(frozen=True, slots=True)
class PriceRow:
    """Rates per 1M tokens billing a request of `model` when all of these hold:
    `valid_from <= t < valid_until` (None: open), the UTC weekday of t is `weekday`
    (0 = Monday), its time of day is in `[day_from_us, day_until_us)`, and its prompt is in
    `(prompt_above, prompt_upto]`. A missing cache rate is already the input rate."""

    model: str
    provider: str
    valid_from: datetime
    valid_until: datetime | None
    published: date
    kind: str
    window: str
    weekday: int
    day_from_us: int
    day_until_us: int
    prompt_above: int
    prompt_upto: int
    currency: str
    input_mtok: Decimal
    cache_read_mtok: Decimal
    cache_write_mtok: Decimal
    cache_write_1h_mtok: Decimal
    output_mtok: Decimal
    batch_multiplier: Decimal | None


def price_rows(catalog: Catalog, known: date | None = None) -> list[PriceRow]:
    """Every row of the price table as known on `known` (None: the newest catalog)."""
    rows: list[PriceRow] = []
    for info in catalog.models():
        for start, end, entry in stretches(catalog, info.id, known):
            for currency in entry.rates:
                rows.extend(_entry_rows(info.id, info.provider, start, end, entry, currency))
    return rows


def stretches(
    catalog: Catalog, model_id: str, known: date | None
) -> list[tuple[datetime, datetime | None, PriceEntry]]:
    """`[start, end)` stretches of valid time with the entry that wins in each; `end` None is
    open-ended. Nothing after the model's retirement."""
    model = catalog.info(model_id).model
    bounds: list[datetime | None] = [*catalog.bounds(model_id, known), None]
    result: list[tuple[datetime, datetime | None, PriceEntry]] = []
    for start, end in itertools.pairwise(bounds):
        assert start is not None
        if model.retired is not None and start >= model.retired:
            break
        entry = catalog.entry_at(model_id, start, known)
        if entry is None:
            continue
        if result and result[-1][2] is entry and result[-1][1] == start:
            result[-1] = (result[-1][0], end, entry)
        else:
            result.append((start, end, entry))
    return result


def _entry_rows(
    model_id: str,
    provider: str,
    start: datetime,
    end: datetime | None,
    entry: PriceEntry,
    currency: str,
) -> list[PriceRow]:
    thresholds = sorted({t.above_input_tokens for t in entry.tiers})
    bands = list(zip([-1, *thresholds], [*thresholds, NO_LIMIT], strict=True))
    rows = []
    for weekday in range(7):
        for above, upto in bands:
            for day_from, day_until in day_pieces(entry, weekday):
                at = _MONDAY + timedelta(days=weekday, microseconds=day_from)
                rates, applied = select_rates(entry, currency, at, Decimal(above + 1))
                rows.append(
                    _row(
                        model_id,
                        provider,
                        start,
                        end,
                        entry,
                        currency,
                        rates,
                        applied,
                        weekday,
                        day_from,
                        day_until,
                        above,
                        upto,
                    )
                )
    return _merge(rows)


def day_pieces(entry: PriceEntry, weekday: int) -> list[tuple[int, int]]:
    """The UTC day cut at every window edge, in microseconds since midnight."""
    cuts = {0, DAY_US}
    for window in entry.windows:
        for hours in window.hour_ranges():
            for moment in (hours.start, hours.end):
                cuts.add(_micros_of_day(moment))
    edges = sorted(c for c in cuts if 0 <= c <= DAY_US)
    return list(itertools.pairwise(edges))


def _micros_of_day(moment: time) -> int:
    return ((moment.hour * 60 + moment.minute) * 60 + moment.second) * 1_000_000 + (
        moment.microsecond
    )


def _row(model_id, provider, start, end, entry, currency, rates: RateSet, applied, weekday,
         day_from, day_until, above, upto) -> PriceRow:  # fmt: skip
    def rate(value: Decimal | None) -> Decimal:
        return rates.input_mtok if value is None else value

    return PriceRow(
        model=model_id,
        provider=provider,
        valid_from=start,
        valid_until=end,
        published=entry.published,
        kind=entry.kind,
        window=", ".join(applied[1:]) or "-",
        weekday=weekday,
        day_from_us=day_from,
        day_until_us=day_until,
        prompt_above=above,
        prompt_upto=upto,
        currency=currency,
        input_mtok=rates.input_mtok,
        cache_read_mtok=rate(rates.cache_read_mtok),
        cache_write_mtok=rate(rates.cache_write_mtok),
        cache_write_1h_mtok=rate(rates.cache_write_1h_mtok),
        output_mtok=rates.output_mtok,
        batch_multiplier=entry.batch_multiplier,
    )


def _merge(rows: list[PriceRow]) -> list[PriceRow]:
    """Join neighbouring pieces of one day that bill alike, so the table stays small."""
    merged: list[PriceRow] = []
    for row in rows:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and prev.weekday == row.weekday
            and prev.prompt_above == row.prompt_above
            and prev.day_until_us == row.day_from_us
            and _same_rates(prev, row)
        ):
            merged[-1] = _replace_until(prev, row.day_until_us)
        else:
            merged.append(row)
    return merged


def _same_rates(a: PriceRow, b: PriceRow) -> bool:
    keys = ("window", "input_mtok", "cache_read_mtok", "cache_write_mtok",
            "cache_write_1h_mtok", "output_mtok")  # fmt: skip
    return all(getattr(a, k) == getattr(b, k) for k in keys)


def _replace_until(row: PriceRow, day_until_us: int) -> PriceRow:
    from dataclasses import replace

    return replace(row, day_until_us=day_until_us)
