"""DuckDB's totals equal the pure engine's (`engine.cost_at` per record) to the last decimal,
over random records and instants: the promo end, the cache-hit cut, peak edges and tiers."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmcost.engine import KINDS, Workload, cost_at
from llmcost.errors import NotPriced
from llmcost.timeparse import iso
from llmcost.usage.bill import bill

EDGES = [
    datetime(2026, 5, 31, 15, 58, tzinfo=UTC),
    datetime(2026, 5, 31, 15, 59, tzinfo=UTC),
    datetime(2026, 5, 31, 16, 0, tzinfo=UTC),
    datetime(2026, 4, 26, 12, 15, tzinfo=UTC),
    datetime(2026, 7, 24, 15, 59, tzinfo=UTC),
    datetime(2026, 8, 16, 16, 0, tzinfo=UTC),
    datetime(2026, 8, 17, 1, 0, tzinfo=UTC),
    datetime(2026, 8, 17, 4, 0, tzinfo=UTC),
    datetime(2026, 8, 22, 6, 0, tzinfo=UTC),
    datetime(2026, 9, 10, 4, 0, tzinfo=UTC),
    datetime(2026, 3, 13, tzinfo=UTC),
]
MODELS = [
    "deepseek-v4-pro",
    "deepseek-v4-flash",
    "deepseek-chat",
    "gpt-5.5",
    "gpt-5.4-mini",
    "claude-sonnet-4-6",
    "claude-haiku-4-5",
    "gemini-3.1-pro-preview",
    "gemini-3.1-flash-lite",
]

instants = st.one_of(
    st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
    ).map(lambda t: t.replace(microsecond=0)),
    st.builds(
        lambda edge, delta: edge + timedelta(seconds=delta),
        st.sampled_from(EDGES),
        st.integers(-2, 2),
    ),
)


@st.composite
def records(draw):
    prompt = draw(st.sampled_from([0, 1, 999, 200_000, 200_001, 272_000, 272_001, 10**7]))
    prompt = draw(st.one_of(st.just(prompt), st.integers(0, 400_000)))
    cached = draw(st.integers(0, prompt))
    write = draw(st.integers(0, prompt - cached))
    write_1h = draw(st.integers(0, prompt - cached - write))
    return {
        "model": draw(st.sampled_from(MODELS)),
        "timestamp": iso(draw(instants)),
        "input": prompt,
        "cached": cached,
        "cache_write": write,
        "cache_write_1h": write_1h,
        "output": draw(st.integers(0, 100_000)),
        "batch": draw(st.booleans()),
    }


def expected(catalog, recs, known, currency):
    """(records priced, totals by kind, the priced records) by the pure engine."""
    totals = dict.fromkeys(KINDS, Decimal(0))
    priced = []
    for r in recs:
        workload = Workload(
            input=r["input"],
            cached=r["cached"],
            cache_write=r["cache_write"],
            cache_write_1h=r["cache_write_1h"],
            output=r["output"],
            tier="batch" if r["batch"] else "standard",
        )
        at = datetime.fromisoformat(r["timestamp"].replace("Z", "+00:00"))
        model = catalog.resolve(r["model"]).id
        limits = catalog.info(model).model
        if r["input"] > limits.context_window or r["output"] > limits.max_output:
            continue  # a workload the model cannot take: rejected
        try:
            cost = cost_at(catalog, model, workload, at, known, currency)
        except NotPriced:
            continue
        priced.append(r)
        for kind in KINDS:
            totals[kind] += getattr(cost, kind)
    return len(priced), totals, priced


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    recs=st.lists(records(), max_size=40),
    known=st.sampled_from([None, date(2026, 5, 3), date(2026, 4, 26), date(2026, 8, 1)]),
    currency=st.sampled_from(["USD", "USD", "CNY"]),
)
def test_duckdb_equals_pure_engine(shipped_catalog, tmp_path, recs, known, currency):
    """Both readers: the log as drawn (any record not priced sends it to the line reader),
    and its priced records alone (read by the fast reader)."""
    path = tmp_path / "diff.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in recs))
    result = bill(shipped_catalog, [path], known=known, currency=currency)
    priced, totals, priced_recs = expected(shipped_catalog, recs, known, currency)
    assert result.records == len(recs) == result.priced + result.rejected
    assert result.priced == priced
    for kind in KINDS:
        assert getattr(result.total, kind) == totals[kind], kind
    clean = tmp_path / "priced.jsonl"
    clean.write_text("".join(json.dumps(r) + "\n" for r in priced_recs))
    fast = bill(shipped_catalog, [clean], known=known, currency=currency)
    assert (fast.records, fast.priced, fast.rejected) == (priced, priced, 0)
    assert fast.total == result.total
