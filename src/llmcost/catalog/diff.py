"""What changed between two catalog versions: stretches of valid time whose rates differ."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from llmcost.catalog.entities import PriceEntry
from llmcost.catalog.lookup import Catalog


@dataclass(frozen=True, slots=True)
class Change:
    """Over `[start, end)` (end None: open-ended) `model` was priced by `old` and now by `new`
    (either may be None: no price)."""

    model: str
    start: datetime
    end: datetime | None
    old: PriceEntry | None
    new: PriceEntry | None


@dataclass(frozen=True)
class CatalogDiff:
    old_version: date
    new_version: date
    changes: tuple[Change, ...]


def terms(entry: PriceEntry | None, currency: str | None = None) -> tuple | None:
    """What a price charges (in `currency`, or in every currency), leaving out its notes,
    sources and times."""
    if entry is None:
        return None
    rates = entry.rates if currency is None else entry.rates.get(currency)
    return (rates, entry.tiers, entry.windows, entry.variants)


def diff_versions(catalog: Catalog, old: date, new: date) -> CatalogDiff:
    old_version, new_version = catalog.version_for(old), catalog.version_for(new)
    changes: list[Change] = []
    for info in catalog.models():
        model_id = info.id
        ordered = catalog.bounds(model_id)
        for index, start in enumerate(ordered):
            end = ordered[index + 1] if index + 1 < len(ordered) else None
            before = catalog.entry_at(model_id, start, old_version)
            after = catalog.entry_at(model_id, start, new_version)
            if terms(before) == terms(after):
                continue
            last = changes[-1] if changes else None
            if (
                last is not None
                and last.model == model_id
                and last.end == start
                and last.old is before
                and last.new is after
            ):
                changes[-1] = Change(model_id, last.start, end, before, after)
            else:
                changes.append(Change(model_id, start, end, before, after))
    return CatalogDiff(old_version, new_version, tuple(changes))
