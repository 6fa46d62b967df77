"""The catalog as `bill` looks prices up in DuckDB: a dense grid addressed by arithmetic.

A record's price row is found in three steps, each a handful of integer comparisons:

1. its model's *stretch*: how many of the model's price bounds (`Catalog.bounds`: entry edges,
   release, retirement) are at or before its instant. Inside a stretch one entry wins;
2. its *piece* of the day: how many of the stretch's cuts (its window edges, microseconds
   since 00:00 UTC) are at or before its time of day, and its UTC weekday when the stretch
   has windows (a window may keep to some weekdays);
3. its *band*: how many of the stretch's tier thresholds its prompt is above.

The row is then `base + (weekday * day_pieces + piece) * bands + band` (weekday 0 when the
stretch has no windows). A row holds rates for each service tier its stretch sells (the cuts
and thresholds are those of every tier), each from `engine.select_rates` at the piece's first
instant and the band's first prompt on the entry as `Catalog.priced_entry` bills that tier, so
the grid cannot disagree with the engine. Rates never enter DuckDB: it sums token counts per
row and tier, and the sums are priced here, exactly.
"""

from __future__ import annotations

import itertools
import weakref
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from llmcost.catalog.entities import PriceEntry, RateSet
from llmcost.catalog.lookup import Catalog, names_of
from llmcost.catalog.names import fold
from llmcost.engine import select_rates
from llmcost.errors import LlmcostError
from llmcost.money import EXACT, per_million

DAY_US = 86_400_000_000
NO_LIMIT = 2**62  # no upper bound: above any prompt, instant or time of day (all BIGINT)
MONDAY = datetime(2024, 1, 1, tzinfo=UTC)  # any Monday: a weekday's rates are read on it
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
TIERS = ("standard", "batch")  # tier numbers 0 and 1, whatever the catalog sells


def micros(at: datetime) -> int:
    """Microseconds since the Unix epoch (UTC)."""
    delta = at.astimezone(UTC) - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def entries_by_bound(
    catalog: Catalog, model_id: str, known: date | None
) -> list[tuple[datetime, PriceEntry | None]]:
    """Each of the model's price bounds (`Catalog.bounds`) with the entry that wins from it
    to the next bound: None before its release, in a gap, and from its retirement on."""
    retired = catalog.info(model_id).model.retired
    return [
        (start, None if retired is not None and start >= retired
         else catalog.entry_at(model_id, start, known))
        for start in catalog.bounds(model_id, known)
    ]  # fmt: skip


def billed_entries(
    catalog: Catalog, model_id: str, start: datetime, known: date | None, currency: str
) -> dict[str, PriceEntry]:
    """The entry winning from bound `start` as each service tier it sells bills it (with any
    discount), where it has rates in `currency`."""
    entry = catalog.entry_at(model_id, start, known)
    if entry is None:
        return {}
    billed = {
        tier: catalog.priced_entry(model_id, start, known, tier) for tier in entry.service_tiers
    }
    return {t: e for t, e in billed.items() if e is not None and currency in e.rates}


def day_cuts(entry: PriceEntry) -> tuple[int, ...]:
    """Every window edge inside a UTC day, microseconds since midnight (none without
    windows). The edges are the same every weekday; which window applies may not be."""
    cuts = {
        _micros_of_day(moment)
        for window in entry.windows
        for hours in window.hour_ranges()
        for moment in (hours.start, hours.end)
    }
    return tuple(sorted(c for c in cuts if 0 < c < DAY_US))


def day_pieces(entry: PriceEntry) -> list[tuple[int, int]]:
    """The UTC day cut at every window edge: `[from, until)` in microseconds."""
    return list(itertools.pairwise((0, *day_cuts(entry), DAY_US)))


def _micros_of_day(moment: time) -> int:
    seconds = (moment.hour * 60 + moment.minute) * 60 + moment.second
    return seconds * 1_000_000 + moment.microsecond


def filled(rates: RateSet) -> RateSet:
    """`rates` with a missing cache rate set to the input rate (how such tokens are billed)."""
    return rates._replace(**{
        name: rates.input_mtok
        for name in ("cache_read_mtok", "cache_write_mtok", "cache_write_1h_mtok")
        if getattr(rates, name) is None
    })  # fmt: skip


@dataclass(frozen=True, slots=True)
class GridRow:
    """The rates billing one piece of the day (and weekday) and one prompt band of one
    stretch, by service tier: `filled`, so a missing cache rate is the input rate."""

    model_id: str
    provider: str
    rates: dict[str, RateSet]

    def cost(self, tokens: dict[str, int], tier: str) -> tuple[Decimal, ...]:
        """(input, cache read, cache write, output) of summed token counts in `tier`,
        exactly: costs are linear in the counts, so pricing a sum is pricing each record."""
        r = self.rates[tier]  # a record in a tier its stretch does not sell is rejected

        def price(count: int, rate: Decimal) -> Decimal:
            return per_million(Decimal(count), rate)

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
    """Stretch `index` of model `model_no` (from its `index`-th bound to the next): its rows
    start at `base`; `cuts` are its day cuts; `weekly`: it has windows, so its rows are kept
    per UTC weekday (a window may keep to some weekdays); `thresholds` its tier thresholds;
    `tiers`: the service tiers it sells."""

    model_no: int
    index: int
    base: int
    cuts: tuple[int, ...]
    weekly: bool
    thresholds: tuple[int, ...]
    tiers: frozenset[str]

    @property
    def batch(self) -> bool:
        return "batch" in self.tiers


@dataclass(frozen=True)
class PriceGrid:
    """The grid for one catalog version and currency: per model (`model_no`, the position in
    `models`) its provider and bounds; the names a log may use; the stretches with a price;
    the rows. `bill` writes all but the rows into its query (`query.grid_ctes`)."""

    models: tuple[str, ...]
    providers: tuple[str, ...]
    bounds: tuple[tuple[int, ...], ...]  # model_no -> its bounds, microseconds since the epoch
    names: dict[str, int]  # ids and aliases as written -> model_no
    normalized: dict[str, int]  # normalized names -> model_no
    stretches: tuple[Stretch, ...]
    rows: tuple[GridRow, ...]
    tiers: tuple[str, ...] = TIERS  # by number: a record's tier number indexes this
    provider_spellings: tuple[str, ...] = ()  # folded provider names and aliases
    # model_no -> (context window, max output): a record's prompt or output past them is a
    # workload the model cannot take, rejected rather than priced
    limits: tuple[tuple[int, int], ...] = ()

    @property
    def max_bounds(self) -> int:
        return max((len(b) for b in self.bounds), default=0)

    @property
    def max_cuts(self) -> int:
        return max((len(s.cuts) for s in self.stretches), default=0)

    @property
    def max_thresholds(self) -> int:
        return max((len(s.thresholds) for s in self.stretches), default=0)


def name_tables(catalog: Catalog, number: dict[str, int]) -> tuple[dict[str, int], dict[str, int]]:
    """Every name `Catalog.resolve` takes without passing over a prefix, as written and
    folded, with the model number it resolves to: each offering's names, bare and under each
    spelling of its provider. An ambiguous name is left out (unknown to `bill`, which then
    words the error as `resolve` does); `query` passes over unknown prefixes as `resolve`."""
    written: dict[str, int] = {}
    folded: dict[str, int] = {}
    spellings: dict[str, list[str]] = {}
    for name, provider in catalog.provider_spellings():
        spellings.setdefault(provider, []).append(name)
    for info in catalog.models():
        own = names_of(info)
        candidates = [*own, *(f"{p}/{n}" for p in spellings.get(info.provider, ()) for n in own)]
        for name in candidates:
            key = fold(name)
            if key in folded:
                continue
            try:
                no = number[catalog.resolve(name).key]
            except LlmcostError:
                continue
            folded[key] = no
            if name in own:
                written.setdefault(name, no)
    return written, folded


_GRIDS: weakref.WeakKeyDictionary[Catalog, dict] = weakref.WeakKeyDictionary()


def price_grid(catalog: Catalog, known: date | None, currency: str) -> PriceGrid:
    """`catalog`'s grid (`grid_of`), made once per catalog, version and currency: a catalog
    is immutable, and the market catalog's grid takes a large part of a second to make, which
    a process billing several times (the tests, the Python API) need not pay again."""
    grids = _GRIDS.setdefault(catalog, {})
    grid = grids.get((known, currency))
    if grid is None:
        grid = grids[(known, currency)] = grid_of(catalog, known, currency)
    return grid


def grid_of(catalog: Catalog, known: date | None, currency: str) -> PriceGrid:
    """The grid of `catalog` as known on `known` (None: the newest), in `currency`: a
    stretch whose entry has no rates in it has no price, like a gap."""
    models, providers, bounds, stretches, limits = [], [], [], [], []
    tiers: set[str] = set()
    rows: list[GridRow] = []
    infos = catalog.models()
    names, normalized = name_tables(catalog, {info.key: no for no, info in enumerate(infos)})
    for model_no, info in enumerate(infos):
        models.append(info.id)
        providers.append(info.provider)
        limits.append((info.model.context_window, info.model.max_output))
        by_bound = entries_by_bound(catalog, info.id, known)
        bounds.append(tuple(micros(start) for start, _ in by_bound))
        for index, (start, entry) in enumerate(by_bound, start=1):
            billed = {} if entry is None else billed_entries(catalog, info.id, start, known,
                                                             currency)  # fmt: skip
            if "standard" not in billed:
                continue
            tiers.update(billed)
            cuts = tuple(sorted({c for e in billed.values() for c in day_cuts(e)}))
            weekly = any(e.windows for e in billed.values())
            thresholds = tuple(sorted({t.above_input_tokens for e in billed.values()
                                       for t in e.tiers}))  # fmt: skip
            stretches.append(Stretch(model_no, index, len(rows), cuts, weekly, thresholds,
                                     frozenset(billed)))  # fmt: skip
            for weekday in range(7 if weekly else 1):
                for piece_start in (0, *cuts):
                    at = MONDAY + timedelta(days=weekday, microseconds=piece_start)
                    for above in (-1, *thresholds):
                        rates = {t: filled(select_rates(e, currency, at, Decimal(above + 1))[0])
                                 for t, e in billed.items()}  # fmt: skip
                        rows.append(GridRow(info.id, info.provider, rates))
    order = (*TIERS, *sorted(tiers - set(TIERS)))
    return PriceGrid(tuple(models), tuple(providers), tuple(bounds), names, normalized,
                     tuple(stretches), tuple(rows), order,
                     tuple(sorted(name for name, _ in catalog.provider_spellings())),
                     tuple(limits))  # fmt: skip
