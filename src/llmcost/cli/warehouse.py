"""`llmcost warehouse`: the pricing expression as a warehouse's SQL."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(
    help="Price usage where it lives: the pricing expression as a warehouse's SQL.",
    no_args_is_help=True,
)


@app.command("sql")
def sql(
    dialect: Annotated[
        str,
        typer.Option("--dialect", help="bigquery, snowflake, trino, clickhouse or postgres."),
    ],
    usage_table: Annotated[
        str, typer.Option("--usage-table", help="Usage with canonical columns.")
    ] = "usage",
    prices_table: Annotated[
        str, typer.Option("--prices-table", help="catalog export --table warehouse.")
    ] = "llmcost_prices",
    names_table: Annotated[
        str, typer.Option("--names-table", help="catalog export --table names.")
    ] = "llmcost_names",
    currency: Annotated[str, typer.Option("--currency", help="USD or CNY.")] = "USD",
) -> None:
    """Print the SELECT that prices every usage row (costs x 10^18, exact integers).

    Example: llmcost warehouse sql --dialect bigquery --usage-table proj.logs.usage
    --prices-table proj.logs.llmcost_prices
    """
    from llmcost.errors import InputError
    from llmcost.warehouse.sql import DIALECTS, compile_sql

    if dialect not in DIALECTS:
        raise InputError(f"--dialect {dialect!r} is not one llmcost writes",
                         hint=", ".join(DIALECTS))  # fmt: skip
    try:
        import ibis  # noqa: F401
    except ImportError:
        raise InputError("warehouse sql needs Ibis", hint='pip install "llmcost[spark]"') from None
    typer.echo(compile_sql(dialect, usage_table, prices_table, names_table, currency.upper()),
               nl=False)  # fmt: skip
