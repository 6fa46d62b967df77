"""The pricing expression as one warehouse's SQL, over the user's own tables."""

from __future__ import annotations

DIALECTS = ("bigquery", "snowflake", "trino", "clickhouse", "postgres", "duckdb", "pyspark")
USAGE_COLUMNS = {
    "model": "string",
    "timestamp": "int64",  # epoch seconds
    "input": "int64",
    "cached": "int64",
    "cache_write": "int64",
    "cache_write_1h": "int64",
    "output": "int64",
    "batch": "boolean",
}


def compile_sql(dialect: str, usage_table: str, prices_table: str, names_table: str,
                currency: str = "USD") -> str:  # fmt: skip
    """The SELECT that prices every row of `usage_table` (`USAGE_COLUMNS`) with the
    `catalog export --table warehouse` and `--table names` tables."""
    import ibis

    from llmcost.warehouse.expr import price
    from llmcost.warehouse.tables import NAME_COLUMNS, PRICE_COLUMNS

    usage = _table(USAGE_COLUMNS, usage_table)
    prices = _table(PRICE_COLUMNS, prices_table)
    names = _table(NAME_COLUMNS, names_table)
    expr = price(usage, prices=prices, names=names, currency=currency)
    return str(ibis.to_sql(expr, dialect=dialect)).strip() + ";\n"


def _table(schema: dict, dotted: str):
    """An unbound table named `[catalog.][database.]name`, each part quoted on its own."""
    import ibis

    parts = dotted.split(".")
    name = parts[-1]
    catalog = parts[-3] if len(parts) >= 3 else None
    database = parts[-2] if len(parts) >= 2 else None
    return ibis.table(schema, name=name, catalog=catalog, database=database)
