"""Reports of `llmcost catalog`: validate, versions, diff."""

from __future__ import annotations

from llmcost.catalog.diff import CatalogDiff
from llmcost.catalog.entities import PriceEntry
from llmcost.catalog.lookup import Catalog
from llmcost.render import Column, Report
from llmcost.reports.prices import batch_multiplier, rate_fields, service_tier_fields


def _summary(entry: PriceEntry | None, currency: str = "USD") -> str:
    """`0.435 / 0.003625 / 0.87` (input / cache read / output), with windows and tiers."""
    if entry is None:
        return "no price"
    rates = entry.rates.get(currency) or next(iter(entry.rates.values()))
    cur = currency if currency in entry.rates else next(iter(entry.rates))
    text = f"{rates.input_mtok} / {rates.cache_read_mtok or '-'} / {rates.output_mtok} {cur}"
    if entry.windows:
        text += " (" + entry.base_name if entry.base_name else " (base"
        for window in entry.windows:
            w = window.rates[cur]
            text += f"; {window.name} {w.input_mtok} / {w.cache_read_mtok or '-'} / {w.output_mtok}"
        text += ")"
    for tier in entry.tiers:
        t = tier.rates[cur]
        text += f" (>{tier.above_input_tokens}: {t.input_mtok} / {t.output_mtok})"
    return text


def _terms(entry: PriceEntry | None) -> dict | None:
    """An entry's rates for JSON, exact: per currency every rate kind (null where the provider
    has none), its tiers and windows; the batch multiplier. None: no price."""
    if entry is None:
        return None

    def extras(currency: str) -> dict:
        return {
            "tiers": [{"above_input_tokens": t.above_input_tokens, **rate_fields(t.rates[currency])}
                      for t in entry.tiers],
            "windows": [{"name": w.name, "hours_utc": w.hours_utc, "weekdays": w.weekdays,
                         **rate_fields(w.rates[currency])} for w in entry.windows],
        }  # fmt: skip

    return {
        "rates": {cur: {**rate_fields(r), **extras(cur)} for cur, r in entry.rates.items()},
        "batch_multiplier": batch_multiplier(entry),
        "service_tiers": {
            cur: service_tier_fields(entry, cur) for cur in entry.rates if entry.variants
        },
    }


def validate_report(catalog: Catalog) -> Report:
    files = [
        {
            "file": str(path),
            "provider": provider.provider,
            "models": len(provider.models),
            "entries": sum(len(m.prices) for m in provider.models),
        }
        for path, provider in catalog.providers
    ]
    return Report(
        title=f"Catalog valid: newest version {catalog.newest.isoformat()}",
        columns=[
            Column("file", "File"),
            Column("provider", "Provider"),
            Column("models", "Models", "count"),
            Column("entries", "Entries", "count"),
        ],
        rows=files,
        document={
            "valid": True,
            "catalog_version": catalog.newest,
            "versions": len(catalog.versions),
            "files": files,
        },
    )


def versions_report(catalog: Catalog) -> Report:
    rows, docs = [], []
    for version in catalog.versions:
        changes = []
        for info in catalog.models():
            for entry in info.model.prices:
                if entry.published != version:
                    continue
                change = {
                    "version": version,
                    "model": info.id,
                    "kind": entry.kind,
                    "valid_from": entry.valid_from,
                    "valid_until": entry.valid_until,
                    "rates": _summary(entry),
                    "source": ", ".join(entry.source),
                    "note": entry.note or "",
                    "layer": entry.layer,
                }
                rows.append(change)
                changes.append({**change, "terms": _terms(entry)})
        docs.append({"version": version, "changes": changes})
    layers = catalog_layers(catalog)
    return Report(
        title=f"Catalog versions ({len(catalog.versions)}), newest {catalog.newest.isoformat()}",
        columns=[
            Column("version", "Version"),
            Column("model", "Model"),
            Column("kind", "Kind"),
            Column("valid_from", "Valid from (UTC)", "instant"),
            Column("rates", "Input / cached / output per 1M"),
        ],
        rows=rows,
        document={"catalog_version": catalog.newest, "versions": docs, "layers": layers},
        notes=[f"Layers: {', '.join(layer['name'] for layer in layers)}"]
        if len(layers) > 1
        else [],
    )


def catalog_layers(catalog: Catalog) -> list[dict]:
    """The catalog's layers, lowest first: `shipped` (or the PATH given), `update <fetch>`
    for each layer `catalog update` stored, `overlay <path>`."""
    return [
        {
            "name": name,
            "files": [str(path) for path, _ in files],
            "offerings": sum(len(provider.models) for _, provider in files),
        }
        for name, files in catalog.layers
    ]


def diff_report(diff: CatalogDiff) -> Report:
    rows = [
        {
            "model": c.model,
            "valid_from": c.start,
            "valid_until": c.end,
            "old": _summary(c.old),
            "new": _summary(c.new),
            "old_kind": c.old.kind if c.old else None,
            "new_kind": c.new.kind if c.new else None,
        }
        for c in diff.changes
    ]
    old, new = diff.old_version.isoformat(), diff.new_version.isoformat()
    return Report(
        title=f"Rate changes from catalog {old} to {new}",
        columns=[
            Column("model", "Model"),
            Column("valid_from", "From (UTC)", "instant"),
            Column("valid_until", "Until (UTC)", "instant"),
            Column("old", f"As known {old}"),
            Column("new", f"As known {new}"),
        ],
        rows=rows,
        document={
            "old_version": diff.old_version,
            "new_version": diff.new_version,
            "changes": [
                {**row, "old_terms": _terms(c.old), "new_terms": _terms(c.new)}
                for row, c in zip(rows, diff.changes, strict=True)
            ],
        },
        notes=[] if rows else ["No rate changes."],
    )
