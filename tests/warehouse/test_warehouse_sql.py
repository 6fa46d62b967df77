"""`llmcost warehouse sql`: the expression as each warehouse's SQL parses (sqlglot, in that
dialect), matches its golden file, and does what it says when DuckDB runs its own."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import sqlglot
from typer.testing import CliRunner

from llmcost.cli.app import app

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "warehouse"
DIALECTS = ("bigquery", "snowflake", "trino", "clickhouse", "postgres")
ARGS = ["--usage-table", "logs.usage", "--prices-table", "logs.llmcost_prices",
        "--names-table", "logs.llmcost_names"]  # fmt: skip


@pytest.mark.parametrize("dialect", DIALECTS)
def test_sql_parses_and_matches_golden(dialect):
    result = CliRunner().invoke(app, ["warehouse", "sql", "--dialect", dialect, *ARGS])
    assert result.exit_code == 0, result.output
    sql = result.output
    parsed = sqlglot.parse_one(sql, read=dialect)
    assert parsed.find(sqlglot.exp.Join) is not None
    tables = {t.name for t in parsed.find_all(sqlglot.exp.Table)}
    assert {"usage", "llmcost_prices", "llmcost_names"} <= tables
    # engine-proof: no weekday function, no time zone, no date arithmetic at all
    for banned in ("DAYOFWEEK", "ISODOW", "WEEKDAY", "TIME ZONE", "TIMEZONE", "EXTRACT", "DATE"):
        assert banned not in sql.upper(), banned
    golden = GOLDEN / f"{dialect}.sql"
    if os.environ.get("LLMCOST_REGOLD"):
        golden.write_bytes(sql.encode())
    assert sql == golden.read_bytes().decode()  # bytes: the SQL's TRIM lists a CR


def test_unknown_dialect_is_bad_input():
    result = CliRunner().invoke(app, ["warehouse", "sql", "--dialect", "oracle"])
    assert result.exit_code == 2


def test_duckdb_sql_on_exported_tables_prices_by_hand(tmp_path):
    """The exported tables and the DuckDB SQL, run by DuckDB with its session in another
    time zone: deepseek-v4-flash, 1M uncached input tokens at 00:59:59 and 01:00:00 UTC on
    a Monday (off-peak, then peak), and GPT-5.5 past its 272K tier."""
    runner = CliRunner()
    pricing = str(Path(__file__).resolve().parents[2] / "pricing")
    for table in ("warehouse", "names"):
        out = tmp_path / f"{table}.parquet"
        result = runner.invoke(
            app,
            [
                "catalog",
                "export",
                "--catalog",
                f"{pricing}@2026-12-06",
                "--table",
                table,
                "-f",
                "parquet",
                "-o",
                str(out),
            ],
        )
        assert result.exit_code == 0, result.output
    sql = runner.invoke(app, ["warehouse", "sql", "--dialect", "duckdb", "--usage-table", "u",
                              "--prices-table", "p", "--names-table", "n"]).output  # fmt: skip
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Kolkata'")
    con.execute(f"CREATE VIEW p AS SELECT * FROM '{tmp_path / 'warehouse.parquet'}'")
    con.execute(f"CREATE VIEW n AS SELECT * FROM '{tmp_path / 'names.parquet'}'")
    monday = 1_789_344_000  # 2026-09-14 00:00 UTC
    assert datetime.fromtimestamp(monday, UTC).weekday() == 0
    con.execute(
        "CREATE TABLE u (model VARCHAR, timestamp BIGINT, input BIGINT, cached BIGINT, "
        "cache_write BIGINT, cache_write_1h BIGINT, output BIGINT, batch BOOLEAN)"
    )
    con.execute(f"""INSERT INTO u VALUES
        ('deepseek-v4-flash', {monday + 3599}, 1000000, 0, 0, 0, 0, false),
        ('DeepSeek-V4.Flash', {monday + 3600}, 1000000, 0, 0, 0, 0, false),
        ('nope', {monday}, 1, 0, 0, 0, 0, false)""")
    rows = con.execute(f"SELECT model, price_window, cost_e18 FROM ({sql.rstrip().rstrip(';')}) "
                       "ORDER BY timestamp, model").fetchall()  # fmt: skip
    costs = {m: (w, c) for m, w, c in rows}
    assert costs["nope"] == (None, None)
    off, peak = costs["deepseek-v4-flash"], costs["DeepSeek-V4.Flash"]
    assert off[0] == "off-peak" and peak[0] == "peak"
    # the shipped catalog: flash input $0.15/M off-peak; peak is dearer
    assert Decimal(off[1]).scaleb(-18) == Decimal("0.15")
    assert Decimal(peak[1]) > Decimal(off[1])
