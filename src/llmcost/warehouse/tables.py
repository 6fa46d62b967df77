"""The two tables the warehouse expression joins usage to, as plain rows (no Ibis here, so
`catalog export` stays as light as it was).

**prices**: one row per offering x service tier x currency x stretch of valid time x piece
of the UTC week x prompt band, the bitemporal winner already resolved for one catalog
version (`catalog.pricetable.price_rows`, the rows `catalog export` has always written).
Everything a row is matched by is an integer an engine cannot read two ways:

- `valid_from_s` / `valid_until_s`: epoch seconds, `[from, until)`; open-ended is `OPEN`;
- `week_from_s` / `week_until_s`: UTC second of the week, `[from, until)`, Monday 00:00 = 0.
  A record's is `(epoch_seconds + 259200) % 604800` (1970-01-01 was a Thursday): no
  weekday function (engines number weekdays differently) and no session time zone;
- `prompt_above` (exclusive) / `prompt_upto` (inclusive): the prompt band, `OPEN` above;
- the rates as whole numbers: the rate per 1M tokens times 10^12 (`*_e12`), so a token
  count times a rate is the cost times 10^18, an integer every engine multiplies exactly.

The catalog version is a column (`catalog_version`), so a table can hold several.

**names**: every name a log may carry that `Catalog.resolve` takes as written (ids,
aliases, `provider/model` spellings, folded spellings), with the offering it means.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from llmcost.catalog.lookup import Catalog
from llmcost.catalog.pricetable import price_rows
from llmcost.errors import LlmcostError
from llmcost.usage.pricegrid import NO_LIMIT, micros, name_tables

OPEN = NO_LIMIT  # 2^62: past any instant, second or prompt (a BIGINT everywhere)
WEEK_S = 604_800
WEEK_SHIFT_S = 259_200  # epoch 0 is a Thursday: +3 days makes Monday 00:00 second 0
RATE_SCALE = 12  # rates per 1M tokens carry at most 12 decimal places (the catalog schema)
COST_SCALE = 18  # so tokens x rate_e12 is the cost x 10^18

RATES = ("input", "cache_read", "cache_write", "cache_write_1h", "output")

PRICE_COLUMNS = {
    "catalog_version": "string",
    "model": "string",
    "provider": "string",
    "tier": "string",
    "currency": "string",
    "valid_from_s": "int64",
    "valid_until_s": "int64",
    "week_from_s": "int64",
    "week_until_s": "int64",
    "prompt_above": "int64",
    "prompt_upto": "int64",
    **{f"{r}_e12": "int64" for r in RATES},
    "context_window": "int64",
    "max_output": "int64",
    "kind": "string",
    "window": "string",
}
NAME_COLUMNS = {"name": "string", "model": "string", "provider": "string"}


def _seconds(us: int, what: str) -> int:
    if us % 1_000_000:
        raise LlmcostError(f"{what} is not a whole second: the warehouse table counts seconds")
    return us // 1_000_000


def _scaled(rate: Decimal) -> int:
    scaled = rate.scaleb(RATE_SCALE)
    if scaled != scaled.to_integral_value():
        raise LlmcostError(f"rate {rate} has more than {RATE_SCALE} decimal places")
    return int(scaled)


def price_table(
    catalog: Catalog, known: date | None = None, keys: set[str] | None = None
) -> list[dict[str, object]]:
    """The prices table's rows (`PRICE_COLUMNS`) for the catalog as known on `known`; with
    `keys`, of those offerings only."""
    version = catalog.version_for(known).isoformat()
    limits = {(i.id, i.provider): (i.model.context_window, i.model.max_output)
              for i in catalog.models()}  # fmt: skip
    rows = []
    for r in price_rows(catalog, known, keys):
        context, output = limits[(r.model, r.provider)]
        start = _seconds(micros(r.valid_from), f"{r.model}'s price bound {r.valid_from}")
        end = OPEN if r.valid_until is None else _seconds(micros(r.valid_until), r.model)
        day_from = _seconds(r.day_from_us, f"{r.model}'s window edge")
        day_until = _seconds(r.day_until_us, f"{r.model}'s window edge")
        rows.append({
            "catalog_version": version,
            "model": r.model,
            "provider": r.provider,
            "tier": r.tier,
            "currency": r.currency,
            "valid_from_s": start,
            "valid_until_s": end,
            "week_from_s": r.weekday * 86_400 + day_from,
            "week_until_s": r.weekday * 86_400 + day_until,
            "prompt_above": r.prompt_above,
            "prompt_upto": r.prompt_upto,
            **{f"{k}_e12": _scaled(getattr(r, f"{k}_mtok")) for k in RATES},
            "context_window": OPEN if context is None else context,
            "max_output": OPEN if output is None else output,
            "kind": r.kind,
            "window": r.window,
        })  # fmt: skip
    return rows


def name_table(catalog: Catalog) -> list[dict[str, object]]:
    """The names table's rows (`NAME_COLUMNS`): each name as written and folded."""
    infos = catalog.models()
    written, folded = name_tables(catalog, {info.key: no for no, info in enumerate(infos)})
    rows: dict[str, dict[str, object]] = {}
    for name, no in [*written.items(), *folded.items()]:
        rows.setdefault(name, {"name": name, "model": infos[no].id, "provider": infos[no].provider})
    return sorted(rows.values(), key=lambda r: r["name"])
