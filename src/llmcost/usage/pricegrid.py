"""The catalog as `bill` looks prices up in DuckDB: a dense grid addressed by arithmetic.

A record's price row is found in three steps, each a handful of integer comparisons:

1. its model's *stretch*: how many of the model's price bounds (`Catalog.bounds`: entry edges,
   release, retirement) are at or before its instant. Inside a stretch one entry wins;
2. its *piece* of the day: how many of the stretch's cuts (its window edges, microseconds
   since 00:00 UTC) are at or before its time of day, and its UTC weekday when the stretch
   has windows (a window may keep to some weekdays);
3. its *band*: how many of the stretch's tier thresholds its prompt is above.

The row is then `base + (weekday * day_pieces + piece) * bands + band` (weekday 0 when the
stretch has no windows). Each row's rates come from
`engine.select_rates` at the piece's first instant and the band's first prompt, so the grid
cannot disagree with the engine. Rates never enter DuckDB: it sums token counts per row, and
the sums are priced here, exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from llmcost.catalog.entities import PriceEntry, RateSet
from llmcost.catalog.lookup import Catalog
from llmcost.catalog.names import normalize
from llmcost.engine import select_rates
from llmcost.money import EXACT
from llmcost.usage.pricetable import day_pieces

_MONDAY = datetime(2024, 1, 1, tzinfo=UTC)  # any Monday: the week's pieces are priced on it
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MILLION = Decimal(1_000_000)


def micros(at: datetime) -> int:
    """Microseconds since the Unix epoch (UTC)."""
    delta = at.astimezone(UTC) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


@dataclass(frozen=True, slots=True)
class GridRow:
    """The rates billing one piece of the week and one prompt band of one stretch. A missing
    cache rate is already the input rate; `batch_multiplier` None: no batch price."""

    model_id: str
    provider: str
    rates: RateSet
    applied: tuple[str, ...]
    batch_multiplier: Decimal | None

    def cost(self, tokens: dict[str, int], batch: bool) -> tuple[Decimal, ...]:
        """(input, cache read, cache write, output) of summed token counts, exactly."""
        r = self.rates
        scale = self.batch_multiplier if batch else Decimal(1)
        assert scale is not None  # a batch record without a batch price is rejected

        def price(count: int, rate: Decimal) -> Decimal:
            return EXACT.divide(
                EXACT.multiply(EXACT.multiply(Decimal(count), rate), scale), MILLION
            )

        uncached = tokens["input"] - tokens["cached"] - tokens["cache_write"]
        uncached -= tokens["cache_write_1h"]
        return (
            price(uncached, r.input_mtok),
            price(tokens["cached"], r.cache_read_mtok),
            EXACT.add(
                price(tokens["cache_write"], r.cache_write_mtok),
                price(tokens["cache_write_1h"], r.cache_write_1h_mtok),
            ),
            price(tokens["output"], r.output_mtok),
        )


@dataclass(frozen=True, slots=True)
class Stretch:
    """Stretch `index` of model `model_no`: `base` is its first grid row, `cuts` its day
    cuts, `weekly` whether its rows differ by weekday, `thresholds` its tier thresholds."""

    model_no: int
    index: int
    base: int
    cuts: tuple[int, ...]
    weekly: bool
    thresholds: tuple[int, ...]
    batch: bool


@dataclass(frozen=True)
class PriceGrid:
    models: tuple[str, ...]  # model_no -> model id
    providers: tuple[str, ...]
    bounds: tuple[tuple[int, ...], ...]  # model_no -> its bounds, microseconds since the epoch
    names: dict[str, int]  # ids and aliases as written -> model_no
    normalized: dict[str, int]  # normalized names -> model_no
    stretches: tuple[Stretch, ...]
    rows: tuple[GridRow, ...]

    @property
    def max_bounds(self) -> int:
        return max((len(b) for b in self.bounds), default=0)

    @property
    def max_cuts(self) -> int:
        return max((len(s.cuts) for s in self.stretches), default=0)

    @property
    def max_thresholds(self) -> int:
        return max((len(s.thresholds) for s in self.stretches), default=0)


def price_grid(catalog: Catalog, known: date | None, currency: str) -> PriceGrid:
    models, providers, bounds, stretches = [], [], [], []
    rows: list[GridRow] = []
    names: dict[str, int] = {}
    normalized: dict[str, int] = {}
    for model_no, info in enumerate(catalog.models()):
        models.append(info.id)
        providers.append(info.provider)
        for name in (info.id, *info.model.aliases):
            names.setdefault(name, model_no)
            normalized.setdefault(normalize(name), model_no)
        edges = catalog.bounds(info.id, known)
        bounds.append(tuple(micros(b) for b in edges))
        retired = info.model.retired
        for index, start in enumerate(edges, start=1):
            entry = (
                None
                if retired is not None and start >= retired
                else (catalog.entry_at(info.id, start, known))
            )
            if entry is None or currency not in entry.rates:
                continue
            cuts = _day_cuts(entry)
            weekly = bool(entry.windows)
            thresholds = tuple(sorted({t.above_input_tokens for t in entry.tiers}))
            batch = entry.batch_multiplier is not None
            stretches.append(Stretch(model_no, index, len(rows), cuts, weekly, thresholds, batch))
            for weekday in range(7 if weekly else 1):
                for piece_start in (0, *cuts):
                    at = _MONDAY + timedelta(days=weekday, microseconds=piece_start)
                    for above in (-1, *thresholds):
                        rates, applied = select_rates(entry, currency, at, Decimal(above + 1))
                        rows.append(_row(info.id, info.provider, entry, rates, applied))
    return PriceGrid(
        tuple(models),
        tuple(providers),
        tuple(bounds),
        names,
        normalized,
        tuple(stretches),
        tuple(rows),
    )


def _day_cuts(entry: PriceEntry) -> tuple[int, ...]:
    """Every window edge of a UTC day, microseconds since midnight (none without windows).
    The edges are the same every weekday; which window applies may not be."""
    return tuple(start for start, _ in day_pieces(entry, 0) if start)


def _row(model_id: str, provider: str, entry: PriceEntry, rates: RateSet,
         applied: tuple[str, ...]) -> GridRow:  # fmt: skip
    def rate(value: Decimal | None) -> Decimal:
        return rates.input_mtok if value is None else value

    filled = RateSet(
        input_mtok=rates.input_mtok,
        output_mtok=rates.output_mtok,
        cache_read_mtok=rate(rates.cache_read_mtok),
        cache_write_mtok=rate(rates.cache_write_mtok),
        cache_write_1h_mtok=rate(rates.cache_write_1h_mtok),
    )
    return GridRow(model_id, provider, filled, applied, entry.batch_multiplier)
