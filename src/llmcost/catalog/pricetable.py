"""The catalog as a flat price table for a warehouse (`catalog export`): one row per model x
stretch x currency x weekday x piece of the day x prompt band, each with the rates that bill a
request there.

The bitemporal rule is resolved once, for one catalog version: a model's valid time is cut at
every entry bound (and its retirement), and each stretch carries the entry that wins there
(`pricegrid.entries_by_bound`). Inside a stretch, each day is cut at every window edge and the
prompt axis at every tier threshold, and each piece's rates come from `engine.select_rates`
at a representative instant and prompt, so the table cannot disagree with the engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from llmcost.catalog.entities import PriceEntry, RateSet
from llmcost.catalog.lookup import Catalog
from llmcost.engine import select_rates
from llmcost.usage.pricegrid import MONDAY, NO_LIMIT, day_pieces, entries_by_bound, filled


@dataclass(frozen=True, slots=True)
class PriceRow:
    """Rates per 1M tokens billing a request of `model` in service tier `tier` when all of
    these hold: `valid_from <= t < valid_until` (None: open), the UTC weekday of t is
    `weekday` (0 = Monday), its time of day is in `[day_from_us, day_until_us)`, and its
    prompt is in `(prompt_above, prompt_upto]`. A missing cache rate is already the input
    rate."""

    model: str
    provider: str
    tier: str
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


def price_rows(
    catalog: Catalog, known: date | None = None, keys: set[str] | None = None
) -> list[PriceRow]:
    """Every row of the price table as known on `known` (None: the newest catalog); with
    `keys`, of those offerings only (`ModelInfo.key`)."""
    rows: list[PriceRow] = []
    for info in catalog.models():
        if keys is not None and info.key not in keys:
            continue
        for start, end, billed in stretches(catalog, info.id, known):
            for tier, entry in billed.items():
                for currency in entry.rates:
                    rows.extend(
                        _entry_rows(info.id, info.provider, tier, start, end, entry, currency)
                    )
    return rows


def stretches(
    catalog: Catalog, model_id: str, known: date | None
) -> list[tuple[datetime, datetime | None, dict[str, PriceEntry]]]:
    """`[start, end)` stretches of valid time with the entry that wins in each, as each
    service tier bills it (neighbours billed alike joined); `end` None is open-ended.
    Nothing after the retirement."""
    by_bound = entries_by_bound(catalog, model_id, known)
    ends = [start for start, _ in by_bound[1:]] + [None]
    result: list[tuple[datetime, datetime | None, dict[str, PriceEntry]]] = []
    for (start, entry), end in zip(by_bound, ends, strict=True):
        if entry is None:
            continue
        billed = {t: catalog.priced_entry(model_id, start, known, t) for t in entry.service_tiers}
        if result and result[-1][2] == billed and result[-1][1] == start:
            result[-1] = (result[-1][0], end, billed)
        else:
            result.append((start, end, billed))
    return result


def _entry_rows(
    model_id: str,
    provider: str,
    tier: str,
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
            for day_from, day_until in day_pieces(entry):
                at = MONDAY + timedelta(days=weekday, microseconds=day_from)
                rates, applied = select_rates(entry, currency, at, Decimal(above + 1))
                rows.append(
                    _row(
                        model_id,
                        provider,
                        tier,
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


def _row(model_id, provider, tier, start, end, entry, currency, rates: RateSet, applied,
         weekday, day_from, day_until, above, upto) -> PriceRow:  # fmt: skip
    rates = filled(rates)
    return PriceRow(
        model=model_id,
        provider=provider,
        tier=tier,
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
        cache_read_mtok=rates.cache_read_mtok,
        cache_write_mtok=rates.cache_write_mtok,
        cache_write_1h_mtok=rates.cache_write_1h_mtok,
        output_mtok=rates.output_mtok,
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
