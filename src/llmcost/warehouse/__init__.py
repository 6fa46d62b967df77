"""Pricing usage where it lives: one Ibis expression that DuckDB and Spark run and that
compiles to a warehouse's SQL (docs/warehouse.md). Importing this package imports nothing
of Ibis or Spark; `price` does, when called."""

from __future__ import annotations

from typing import Any


def price(usage_table: Any, catalog: Any = None, **options: Any) -> Any:
    """`usage_table` (an Ibis table with canonical columns) with its price: see
    `llmcost.warehouse.expr.price` for the options and the columns it adds."""
    from llmcost.warehouse.expr import price as priced

    return priced(usage_table, catalog, **options)


__all__ = ["price"]
