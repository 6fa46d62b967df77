"""The manual's warehouse SQL, run as written on `catalog export -f parquet`, gives the totals
`llmcost bill` gives: peak windows, long-context tiers and batch included."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
from typer.testing import CliRunner

from llmcost.cli.app import app
from llmcost.usage.bill import bill

REPO = Path(__file__).resolve().parents[2]
VERSION = "2026-09-10"


def readme_sql() -> str:
    """The ```sql block of the manual that joins usage to the exported price table (whichever
    page of docs/ holds it)."""
    pages = sorted((REPO / "docs").rglob("*.md"))
    blocks = [b for page in pages for b in re.findall(r"```sql\n(.*?)```", page.read_text(), re.S)]
    (sql,) = [block for block in blocks if "JOIN 'prices.parquet'" in block]
    return sql


def records() -> list[dict]:
    """Canonical records across peak edges (DeepSeek after 2026-08-16), GPT-5.5's 272K tier,
    batch, and a cached prompt."""
    start = datetime(2026, 9, 14, 15, 30, tzinfo=UTC)  # a Monday
    out = []
    for i in range(200):
        at = start + timedelta(minutes=37 * i)
        model = ["deepseek-v4-flash", "deepseek-v4-pro", "gpt-5.5", "claude-sonnet-4-6"][i % 4]
        prompt = [1_000, 272_000, 272_001, 150_000][i % 3] + i
        out.append({"model": model, "timestamp": at.isoformat().replace("+00:00", "Z"),
                    "input": prompt, "cached": i * 3, "cache_write": 0, "cache_write_1h": 0,
                    "output": 100 + i, "batch": model == "gpt-5.5" and i % 2 == 0})  # fmt: skip
    return out


def test_readme_warehouse_sql_equals_the_bill(shipped_catalog, tmp_path):
    prices = tmp_path / "prices.parquet"
    result = CliRunner().invoke(
        app, ["catalog", "export", "-f", "parquet", "-o", str(prices), "--catalog", VERSION]
    )
    assert result.exit_code == 0, result.output
    recs = records()
    log = tmp_path / "usage.jsonl"
    log.write_text("".join(json.dumps(r) + "\n" for r in recs))
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        "CREATE TABLE usage AS SELECT model, timestamp::TIMESTAMPTZ::TIMESTAMP AS ts, input, "
        "cached, cache_write, cache_write_1h, output, batch FROM read_json(?)",
        [str(log)],
    )
    sql = readme_sql().replace("'prices.parquet'", f"'{prices}'")
    warehouse = {model: Decimal(per_1m).scaleb(-6)
                 for model, per_1m in con.execute(sql).fetchall()}  # fmt: skip
    known = datetime.fromisoformat(VERSION).date()
    ours = bill(shipped_catalog, [log], known=known, group_by=["model"])
    assert ours.priced == len(recs)
    assert warehouse == {g.keys["model"]: g.cost.total for g in ours.groups}
