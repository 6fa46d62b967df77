"""The price grid bills every record as the pure engine does (`cost_at`), record by record,
on a catalog of edge cases (tests/fixtures/grid): instants on every bound and window edge and
a microsecond or a second either side, across weekdays, in USD and CNY, under two versions."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from llmcost.catalog.load import load_catalog
from llmcost.engine import KINDS, Workload, cost_at
from llmcost.errors import NotPriced
from llmcost.usage.bill import bill

GRID = Path(__file__).resolve().parent.parent / "fixtures" / "grid"
MODEL = "g-win"


def records(catalog, seed: int) -> list[dict]:
    rnd = random.Random(seed)
    day0 = datetime(2026, 1, 1, tzinfo=UTC)
    edges = list(catalog.bounds(MODEL))
    for day in range(75):
        for hour, minute in [(0, 0), (1, 0), (2, 15), (4, 0), (12, 0), (13, 0), (22, 30),
                             (23, 59)]:  # fmt: skip
            edges.append(day0 + timedelta(days=day, hours=hour, minutes=minute))
    nudges = [timedelta(0), timedelta(microseconds=1), timedelta(microseconds=-1),
              timedelta(seconds=1), timedelta(seconds=-1)]  # fmt: skip
    out = []
    for i in range(1500):
        if rnd.random() < 0.7:
            at = rnd.choice(edges) + rnd.choice(nudges)
        else:
            at = day0 + timedelta(microseconds=rnd.randrange(75 * 86_400 * 10**6))
        prompt = rnd.choice([0, 1, 999, 1000, 1001, 4999, 5000, 5001, rnd.randrange(20_000)])
        cached = rnd.randrange(prompt + 1)
        out.append({"id": str(i), "model": MODEL,
                    "timestamp": at.isoformat().replace("+00:00", "Z"), "input": prompt,
                    "cached": cached, "cache_write": rnd.randrange(prompt - cached + 1),
                    "output": rnd.randrange(3000), "batch": rnd.random() < 0.2})  # fmt: skip
    return out


@pytest.mark.parametrize("seed", [0, 1])
def test_grid_equals_engine_record_by_record(tmp_path, seed):
    catalog = load_catalog(GRID)
    recs = records(catalog, seed)
    path = tmp_path / "log.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in recs))
    for known in (None, date(2026, 1, 15)):
        for currency in ("USD", "CNY"):
            result = bill(catalog, [path], group_by=["id"], known=known, currency=currency)
            got = {g.keys["id"]: g.cost for g in result.groups}
            priced = 0
            for r in recs:
                at = datetime.fromisoformat(r["timestamp"].replace("Z", "+00:00"))
                work = Workload(input=r["input"], cached=r["cached"],
                                cache_write=r["cache_write"], output=r["output"],
                                tier="batch" if r["batch"] else "standard")  # fmt: skip
                try:
                    want = cost_at(catalog, MODEL, work, at, known, currency)
                except NotPriced:
                    assert r["id"] not in got, (r, known, currency)
                    continue
                priced += 1
                have = got[r["id"]]
                assert [getattr(have, k) for k in KINDS] == [getattr(want, k) for k in KINDS], (
                    r, known, currency)  # fmt: skip
            assert result.priced == priced > 100
            assert result.records == len(recs)


def test_the_query_does_not_carry_the_price_grid(shipped_catalog):
    """The grid's tables are bound on the connection (`query.load_grid`), not written into
    the SQL: DuckDB spent 12 s parsing the market catalog's ~60,000 names as a VALUES list.
    The query text is the same whatever the catalog."""
    from llmcost.usage.pricegrid import price_grid
    from llmcost.usage.query import grid_ctes

    grid = price_grid(shipped_catalog, None, "USD")
    small = price_grid(load_catalog(GRID), None, "USD")
    assert grid_ctes(grid) == grid_ctes(small)
    assert "gpt-5.5" not in grid_ctes(grid)


def test_a_catalog_s_grid_is_made_once(shipped_catalog):
    from llmcost.usage.pricegrid import price_grid

    assert price_grid(shipped_catalog, None, "USD") is price_grid(shipped_catalog, None, "USD")
