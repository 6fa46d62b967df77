"""The `prices` report: rates in force at an instant, and a model's price history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal

from llmcost.catalog.entities import STANDARD, PriceEntry, RateSet
from llmcost.catalog.lookup import Catalog, ModelInfo
from llmcost.engine import select_rates
from llmcost.render import Column, Report
from llmcost.timeparse import show_instant

RATE_COLUMNS = [
    Column("input", "Input", "rate"),
    Column("cache_read", "Cached", "rate"),
    Column("cache_write", "Write 5m", "rate", hide_when_empty=True),
    Column("cache_write_1h", "Write 1h", "rate", hide_when_empty=True),
    Column("cache_write_12h", "Write 12h", "rate", hide_when_empty=True),
    Column("output", "Output", "rate"),
    Column("output_reasoning", "Reasoning", "rate", hide_when_empty=True),
    Column("web_search_per_1k", "Search /1k", "rate", hide_when_empty=True),
    Column("request_per_1k", "Request /1k", "rate", hide_when_empty=True),
]


def rate_fields(rates: RateSet) -> dict[str, Decimal | None]:
    return {
        "input": rates.input_mtok,
        "cache_read": rates.cache_read_mtok,
        "cache_write": rates.cache_write_mtok,
        "cache_write_1h": rates.cache_write_1h_mtok,
        "cache_write_12h": rates.cache_write_12h_mtok,
        "output": rates.output_mtok,
        "output_reasoning": rates.output_reasoning_mtok,
        "web_search_per_1k": rates.web_search_kcount,
        "request_per_1k": rates.request_kcount,
    }


def service_tier_fields(entry: PriceEntry, currency: str) -> dict[str, dict]:
    """Each service tier an entry sells besides standard: its multiplier, or its rates (with
    their tiers and windows)."""
    out = {}
    for name, variant in entry.variants.items():
        if variant.multiplier is not None:
            out[name] = {"multiplier": variant.multiplier}
            continue
        out[name] = {
            "multiplier": None,
            **rate_fields(variant.rates[currency]),
            "tiers": [
                {"above_input_tokens": t.above_input_tokens, **rate_fields(t.rates[currency])}
                for t in variant.tiers
            ],
        }
    return out


def batch_multiplier(entry: PriceEntry) -> Decimal | None:
    """The batch tier as one multiplier, where it is one (the older contract's key)."""
    batch = entry.variants.get("batch")
    return batch.multiplier if batch is not None else None


def _extras(entry: PriceEntry, currency: str) -> dict:
    return {
        "tiers": [
            {"above_input_tokens": t.above_input_tokens, **rate_fields(t.rates[currency])}
            for t in entry.tiers
        ],
        "windows": [
            {
                "name": w.name,
                "hours_utc": w.hours_utc,
                "weekdays": w.weekdays,
                **rate_fields(w.rates[currency]),
            }
            for w in entry.windows
        ],
        "batch_multiplier": batch_multiplier(entry),
        "service_tiers": service_tier_fields(entry, currency),
        "discount": entry.discount.off if entry.discount is not None else None,
        "layer": entry.layer,
        "published": entry.published,
        "source": entry.source,
        "confidence": entry.confidence,
        "note": entry.note,
    }


def _terms(entry: PriceEntry, currency: str) -> str:
    """Tiers, windows and batch in a few words for the table."""
    parts = []
    for tier in entry.tiers:
        r = tier.rates[currency]
        parts.append(
            f"prompt >{tier.above_input_tokens // 1000}K: "
            f"{r.input_mtok}/{r.cache_read_mtok or '-'}/{r.output_mtok}"
        )
    for window in entry.windows:
        days = "" if len(window.weekdays) == 7 else " " + ",".join(window.weekdays)
        parts.append(f"{window.name} {' '.join(window.hours_utc)} UTC{days}")
    for name, variant in entry.variants.items():
        parts.append(f"{name} x{variant.multiplier}" if variant.multiplier else name)
    if entry.layer != "shipped":
        parts.append(entry.layer)
    return "; ".join(parts)


def in_force(
    catalog: Catalog, model_id: str, entry: PriceEntry, at: datetime, known: date | None
) -> tuple[datetime, datetime | None]:
    """When `entry` starts and stops being the one that prices `model_id`, around `at`. An
    entry's own valid time is not that: a later-published entry (a promo, a new list price)
    or a retirement takes over inside it, and an open-ended entry ends there. `None`: nothing
    the catalog knows ends it."""
    points = catalog.bounds(model_id, known)
    retired = catalog.info(model_id).model.retired
    since, until = entry.valid_from, None
    for point in points:
        if point <= at:
            if point > since and catalog.entry_at(model_id, point, known) is entry:
                before = catalog.entry_at(model_id, point - _INSTANT, known)
                since = point if before is not entry else since
        elif catalog.entry_at(model_id, point, known) is not entry or point == retired:
            until = point
            break
    return since, until


_INSTANT = timedelta(microseconds=1)


def prices_report(
    catalog: Catalog,
    models: Sequence[ModelInfo] | None,
    at: datetime,
    known: date | None,
    currency: str,
    tier: str = STANDARD,
) -> Report:
    """Each offering's rates in force at `at` (peak or off-peak as at that instant), in
    service tier `tier`."""
    priced = models if models is not None else catalog.available(at, known, currency, tier)
    infos = list(priced)
    rows, docs = [], []
    for info in infos:
        entry = catalog.price_at(info.id, at, known, currency, tier)
        rates, applied = select_rates(entry, currency, at, Decimal(0))
        fields = rate_fields(rates)
        since, until = in_force(catalog, info.id, entry, at, known)
        rows.append(
            {
                "model": info.id,
                "provider": info.provider,
                "currency": currency,
                **fields,
                "kind": " ".join(applied),
                "valid_from": since,
                "valid_until": until,
                "terms": _terms(entry, currency),
            }
        )
        docs.append(
            {
                "model": info.id,
                "name": info.model.name,
                "provider": info.provider,
                "currency": currency,
                **fields,
                "kind": entry.kind,
                "tier": tier,
                "applied": list(applied),
                "valid_from": since,
                "valid_until": until,
                **_extras(entry, currency),
            }
        )
    version = catalog.version_for(known)
    return Report(
        title=f"Prices per 1M tokens ({currency}"
        + ("" if tier == STANDARD else f", {tier} tier")
        + f") at {show_instant(at)}, catalog {version.isoformat()}",
        columns=[
            Column("model", "Model"),
            Column("provider", "Provider"),
            *RATE_COLUMNS,
            Column("kind", "Kind"),
            Column("valid_from", "Since (UTC)", "instant"),
            Column("valid_until", "Until (UTC)", "instant"),
            Column("terms", "Tiers, windows, batch"),
        ],
        rows=rows,
        document={"catalog_version": version, "at": at, "tier": tier, "models": docs},
        notes=[] if rows else [f"No model has a {currency} price at {show_instant(at)}."],
    )


def history_report(
    catalog: Catalog, models: Sequence[ModelInfo], known: date | None, currency: str
) -> Report:
    """Every entry of each model as known on `known`, with both of its times."""
    rows, docs = [], []
    for info in models:
        for entry in catalog.entries(info.id, known):
            rates = entry.rates.get(currency)
            fields = rate_fields(rates) if rates else dict.fromkeys(c.key for c in RATE_COLUMNS)
            row = {
                "model": info.id,
                "provider": info.provider,
                "currency": currency if rates else None,
                **fields,
                "kind": entry.kind,
                "valid_from": entry.valid_from,
                "valid_until": entry.valid_until,
                "published": entry.published,
                "terms": _terms(entry, currency) if rates else "",
                "source": ", ".join(entry.source),
            }
            rows.append(row)
            docs.append({**row, **(_extras(entry, currency) if rates else {})})
    version = catalog.version_for(known)
    return Report(
        title=f"Price history ({currency}), catalog {version.isoformat()}",
        columns=[
            Column("model", "Model"),
            Column("published", "Published"),
            Column("valid_from", "Valid from (UTC)", "instant"),
            Column("valid_until", "Valid until (UTC)", "instant"),
            Column("kind", "Kind"),
            *RATE_COLUMNS,
            Column("terms", "Tiers, windows, batch"),
            Column("source", "Source"),
        ],
        rows=rows,
        document={"catalog_version": version, "currency": currency, "entries": docs},
    )
