"""`catalog export`: the flat price table as CSV, JSON or Parquet, for warehouse joins.

Columns: model, provider, currency, valid_from, valid_until (empty: open), published, kind,
window, weekday (0 = Monday, UTC), day_from / day_until (time of day, `HH:MM:SS`, until
exclusive, `24:00:00` = midnight), prompt_above / prompt_upto (the prompt band, exclusive /
inclusive), then the rates per 1M tokens, as exact decimal strings, and the service tier
(`standard`, `batch`, ...) they bill.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

from llmcost.catalog.lookup import Catalog
from llmcost.catalog.pricetable import PriceRow, price_rows
from llmcost.money import plain
from llmcost.timeparse import iso
from llmcost.usage.pricegrid import NO_LIMIT

COLUMNS = (
    "model", "provider", "currency", "valid_from", "valid_until", "published", "kind",
    "window", "weekday", "day_from", "day_until", "prompt_above", "prompt_upto",
    "input_mtok", "cache_read_mtok", "cache_write_mtok", "cache_write_1h_mtok",
    "output_mtok", "tier",
)  # fmt: skip


def _clock(micros: int) -> str:
    seconds = micros // 1_000_000
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def as_record(row: PriceRow) -> dict[str, object]:
    return {
        "model": row.model,
        "provider": row.provider,
        "tier": row.tier,
        "currency": row.currency,
        "valid_from": iso(row.valid_from),
        "valid_until": iso(row.valid_until) if row.valid_until else None,
        "published": row.published.isoformat(),
        "kind": row.kind,
        "window": row.window,
        "weekday": row.weekday,
        "day_from": _clock(row.day_from_us),
        "day_until": _clock(row.day_until_us),
        "prompt_above": row.prompt_above,
        "prompt_upto": None if row.prompt_upto == NO_LIMIT else row.prompt_upto,
        "input_mtok": plain(row.input_mtok),
        "cache_read_mtok": plain(row.cache_read_mtok),
        "cache_write_mtok": plain(row.cache_write_mtok),
        "cache_write_1h_mtok": plain(row.cache_write_1h_mtok),
        "output_mtok": plain(row.output_mtok),
    }


def export_table(catalog: Catalog, known: date | None, fmt: str, output: str | None,
                 table: str = "prices") -> str | None:  # fmt: skip
    """The table as text (csv, json), or written to `output`; returns None when written.
    `table`: `prices` (the rows above), `warehouse` or `names` (`warehouse.tables`)."""
    if table != "prices":
        return _warehouse_table(catalog, known, fmt, output, table)
    records = [as_record(r) for r in price_rows(catalog, known)]
    if fmt == "parquet":
        _parquet(records, Path(output))
        return None
    if fmt == "json":
        doc = {"catalog_version": catalog.version_for(known).isoformat(), "rows": records}
        text = json.dumps(doc, indent=2) + "\n"
    else:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)
        text = out.getvalue()
    if output is None:
        return text
    Path(output).write_text(text)
    return None


def _parquet(records: list[dict[str, object]], path: Path) -> None:
    """Via DuckDB: rates as DECIMAL(19, 12), exact for every rate the catalog schema allows
    (at most 1,000,000, at most 12 decimal places)."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute("CREATE TABLE t (" + ", ".join(f'"{c}" VARCHAR' for c in COLUMNS) + ")")
        con.executemany(
            "INSERT INTO t VALUES (" + ", ".join("?" * len(COLUMNS)) + ")",
            [[None if r[c] is None else str(r[c]) for c in COLUMNS] for r in records],
        )
        rates = [c for c in COLUMNS if c.endswith("_mtok")]
        casts = ", ".join(
            f'"{c}"::DECIMAL(19, 12) AS "{c}"' if c in rates
            else f'"{c}"::TIMESTAMPTZ AS "{c}"' if c.startswith("valid_")
            else f'"{c}"::BIGINT AS "{c}"' if c in ("weekday", "prompt_above", "prompt_upto")
            else f'"{c}"::DATE AS "{c}"' if c == "published"
            else f'"{c}"'
            for c in COLUMNS
        )  # fmt: skip
        target = str(path).replace("'", "''")
        con.execute(f"COPY (SELECT {casts} FROM t) TO '{target}' (FORMAT parquet)")
    finally:
        con.close()


def _warehouse_table(catalog, known, fmt: str, output: str | None, table: str) -> str | None:
    """The warehouse expression's prices table or its names table (`warehouse.tables`):
    whole numbers as BIGINT in Parquet, as JSON numbers, as CSV digits."""
    from llmcost.warehouse.tables import NAME_COLUMNS, PRICE_COLUMNS, name_table, price_table

    columns = PRICE_COLUMNS if table == "warehouse" else NAME_COLUMNS
    rows = price_table(catalog, known) if table == "warehouse" else name_table(catalog)
    if fmt == "parquet":
        _typed_parquet(rows, columns, Path(output))
        return None
    if fmt == "json":
        doc = {"catalog_version": catalog.version_for(known).isoformat(), "rows": rows}
        text = json.dumps(doc, indent=2) + "\n"
    else:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        text = out.getvalue()
    if output is None:
        return text
    Path(output).write_text(text)
    return None


def _typed_parquet(rows: list[dict], columns: dict[str, str], path: Path) -> None:
    """Via DuckDB, from a CSV written first (an INSERT per row takes ~40 s for the market
    catalog's 44,000 rows): whole numbers as BIGINT, names as VARCHAR."""
    import tempfile

    import duckdb

    kinds = {"string": "VARCHAR", "int64": "BIGINT"}
    with tempfile.TemporaryDirectory(prefix="llmcost-export-") as scratch:
        staged = Path(scratch) / "rows.csv"
        with staged.open("w", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        spec = "{" + ", ".join(f"'{c}': '{kinds[k]}'" for c, k in columns.items()) + "}"
        con = duckdb.connect()
        try:
            source = str(staged).replace("'", "''")
            target = str(path).replace("'", "''")
            con.execute(
                f"COPY (SELECT * FROM read_csv('{source}', header=true, columns={spec}, "
                f"quote='\"', escape='\"', auto_detect=false)) TO '{target}' (FORMAT parquet)"
            )
        finally:
            con.close()
