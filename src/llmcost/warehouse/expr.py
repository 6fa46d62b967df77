"""The pricing expression: usage with canonical columns, priced against the prices table.

Written once with Ibis; DuckDB and Spark run it, and it compiles to the SQL of a warehouse
(`sql.compile_sql`). It is engine-proof by construction (see `tables`): a record is placed by
integer comparisons on its epoch seconds — its stretch of valid time, its UTC second of the
week (`(s + 259200) % 604800`, no weekday function, no session time zone), its prompt band
— and priced by multiplying whole numbers: token counts times rates scaled by 10^12, as
DECIMAL(38, 0), so every engine gives the cost times 10^18 exactly (it raises on overflow,
never rounds). Nothing is divided.

The usage table's canonical columns: `model` (the name as logged), `timestamp` (epoch
seconds, a whole number; a TIMESTAMP column is converted with the engine's epoch function,
floored), `input` (the whole prompt), `cached`, `cache_write`, `cache_write_1h` (parts of
it; NULL is 0), `output` (reasoning included), and `batch` (boolean) or `tier` (a service
tier as the catalog names it; neither: standard). Other columns are carried through.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from llmcost.warehouse.tables import (
    NAME_COLUMNS,
    PRICE_COLUMNS,
    WEEK_S,
    WEEK_SHIFT_S,
    name_table,
    price_table,
)

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from llmcost.catalog.lookup import Catalog

COSTS = ("cost_input_e18", "cost_cache_read_e18", "cost_cache_write_e18", "cost_output_e18")
ADDED = ("priced_model", "priced_provider", "priced_tier", "catalog_version", "price_kind",
         "price_window", *COSTS, "cost_e18")  # fmt: skip


def price(
    usage: ir.Table,
    catalog: Catalog | None = None,
    *,
    known: date | None = None,
    currency: str = "USD",
    prices: ir.Table | None = None,
    names: ir.Table | None = None,
    fold_names: bool = True,
) -> ir.Table:
    """`usage` with its price: every row, and `ADDED` columns — the offering and tier that
    bill it, the catalog version, the price's kind and window, and the costs times 10^18 in
    `currency` by kind (`cost_*_e18`, DECIMAL(38, 0)) and in all (`cost_e18`). A row no
    price bills (an unknown name, before release, after retirement, a tier not sold, a
    prompt past the context window, cache parts above the prompt) has NULL costs.

    `prices` and `names` default to the tables of `catalog` (the shipped one if None) as
    known on `known`, as in-memory tables; give warehouse tables instead (`catalog export
    --table warehouse|names`) to price where the usage lives. With `fold_names`, a name not
    in `names` as written is looked up lower-cased with `.`, `_` and ` ` as `-`."""
    import ibis

    if prices is None or names is None:
        if catalog is None:
            from llmcost.catalog.load import load_catalog

            catalog = load_catalog()
        if prices is None:
            prices = ibis.memtable(price_table(catalog, known), schema=PRICE_COLUMNS)
        if names is None:
            names = ibis.memtable(name_table(catalog), schema=NAME_COLUMNS)
    return _priced(usage, prices, names, currency, fold_names)


def epoch_seconds(column: ir.Value) -> ir.IntegerValue:
    """A `timestamp` column as whole epoch seconds (floored: a price changes on a second)."""
    if column.type().is_timestamp():
        return column.epoch_seconds().floor().cast("int64")
    return column.cast("int64")


def _fold(name: ir.StringValue) -> ir.StringValue:
    return name.strip().lower().replace(".", "-").replace("_", "-").replace(" ", "-")


def _priced(usage, prices, names, currency: str, fold_names: bool):
    import ibis
    import ibis.expr.datatypes as dt

    cols = usage.columns
    zero = ibis.literal(0, type="int64")
    cached = usage.cached.fill_null(0) if "cached" in cols else zero
    write = usage.cache_write.fill_null(0) if "cache_write" in cols else zero
    write_1h = usage.cache_write_1h.fill_null(0) if "cache_write_1h" in cols else zero
    if "tier" in cols:
        tier = usage.tier.fill_null("standard")
    elif "batch" in cols:
        tier = ibis.ifelse(usage.batch.fill_null(False), "batch", "standard")
    else:
        tier = ibis.literal("standard")
    seconds = epoch_seconds(usage.timestamp)
    u = usage.mutate(
        _s=seconds,
        _week=(seconds + WEEK_SHIFT_S) % WEEK_S,
        _tier=tier,
        _cached=cached.cast("int64"),
        _write=write.cast("int64"),
        _write_1h=write_1h.cast("int64"),
    )
    kept = list(u.columns)
    exact = names.select(_name=names.name, _model=names.model, _provider=names.provider)
    j = u.left_join(exact, u.model == exact._name)
    u = j.select(*kept, "_model", "_provider")  # never `drop`: its SQL lists a set
    if fold_names:
        folded = names.select(_fname=names.name, _fmodel=names.model, _fprovider=names.provider)
        j = u.left_join(folded, [u._model.isnull(), _fold(u.model) == folded._fname])
        u = j.select(
            *kept,
            _model=j._model.fill_null(j._fmodel),
            _provider=j._provider.fill_null(j._fprovider),
        ).view()  # its own relation: Ibis would fold the next join into this one's chain
    p = prices.filter(prices.currency == currency)
    p = p.select(**{f"_p_{c}": p[c] for c in p.columns if c != "currency"})
    parts = u._cached + u._write + u._write_1h
    j = u.left_join(
        p,
        [
            u._model == p._p_model,
            u._provider == p._p_provider,
            u._tier == p._p_tier,
            u._s >= p._p_valid_from_s,
            u._s < p._p_valid_until_s,
            u._week >= p._p_week_from_s,
            u._week < p._p_week_until_s,
            u.input > p._p_prompt_above,
            u.input <= p._p_prompt_upto,
            u.input <= p._p_context_window,
            u.output <= p._p_max_output,
            u.output >= 0,
            u._cached >= 0,
            u._write >= 0,
            u._write_1h >= 0,
            parts <= u.input,
        ],
    )
    big = dt.Decimal(38, 0)

    def cost(tokens, rate):
        return (tokens.cast(big) * rate.cast(big)).cast(big)

    costs = {
        "cost_input_e18": cost(j.input - j._cached - j._write - j._write_1h, j._p_input_e12),
        "cost_cache_read_e18": cost(j._cached, j._p_cache_read_e12),
        "cost_cache_write_e18": (
            cost(j._write, j._p_cache_write_e12) + cost(j._write_1h, j._p_cache_write_1h_e12)
        ).cast(big),
        "cost_output_e18": cost(j.output, j._p_output_e12),
    }
    return j.select(
        *cols,
        priced_model=j._p_model,
        priced_provider=j._p_provider,
        priced_tier=j._p_tier,
        catalog_version=j._p_catalog_version,
        price_kind=j._p_kind,
        price_window=j._p_window,
        **costs,
        cost_e18=sum(list(costs.values())[1:], costs["cost_input_e18"]).cast(big),
    )
