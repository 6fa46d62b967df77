"""The warehouse expression prices canonical records as `llmcost bill` does, to the last
digit: on DuckDB and on Spark under a non-UTC session time zone, across DeepSeek's peak
windows, GPT-5.5's long-context tier, batch, promos' ends, duplicates and rejections."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmcost.usage.bill import bill
from llmcost.warehouse.engine_bill import bill_on_engine

KNOWN = date(2026, 12, 6)
# Monday 2026-09-14 00:00 UTC: DeepSeek's peak windows (from 2026-08-16 16:00 UTC) apply
MONDAY = datetime(2026, 9, 14, tzinfo=UTC)
MODELS = ("deepseek-v4-flash", "deepseek-v4-pro", "gpt-5.5", "claude-sonnet-4-6",
          "DeepSeek/DeepSeek-V4.Flash", "not-a-model")  # fmt: skip


def _instant(seconds: int, style: int) -> object:
    at = MONDAY + timedelta(seconds=seconds)
    if style == 0:
        return int(at.timestamp())
    if style == 1:
        return at.strftime("%Y-%m-%dT%H:%M:%SZ")
    shifted = at.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai"))
    return shifted.isoformat()


@st.composite
def record(draw):
    prompt = draw(st.sampled_from([1_000, 271_999, 272_000, 272_001, 900_000, 1_100_000]))
    cached = draw(st.integers(0, 1_200))
    rec = {
        "model": draw(st.sampled_from(MODELS)),
        # around the peak edges: 01:00, 04:00, 06:00, 10:00 UTC on any weekday, and weekends
        "timestamp": _instant(
            draw(st.integers(0, 6)) * 86_400
            + draw(st.sampled_from([3_600, 14_400, 21_600, 36_000]))
            + draw(st.integers(-2, 1)),
            draw(st.integers(0, 2)),
        ),
        "input": prompt,
        "cached": cached,
        "cache_write": draw(st.integers(0, 50)),
        "cache_write_1h": 0,
        "output": draw(st.integers(0, 5_000)),
        "batch": draw(st.booleans()),
    }
    if draw(st.integers(0, 4)) == 0:
        rec["id"] = f"resp-{draw(st.integers(0, 3))}"
    if draw(st.integers(0, 9)) == 0:
        rec["output"] = draw(st.sampled_from(["1.5", None, "-3"]))
    return rec


def _write(tmp_path, records, name="usage.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps({k: v for k, v in r.items() if v is not None}) + "\n"
                            for r in records))  # fmt: skip
    return path


def _same(expected, got) -> None:
    for field in ("records", "priced", "rejected", "skipped", "duplicates", "tokens",
                  "unpriced_tokens", "duplicate_ids", "groups"):  # fmt: skip
        assert getattr(got, field) == getattr(expected, field), field
    assert got.total.total == expected.total.total
    assert sorted(r.reason for r in got.rejections) == sorted(r.reason for r in expected.rejections)


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(records=st.lists(record(), min_size=1, max_size=40))
def test_duckdb_equals_bill(shipped, tmp_path, records):
    path = _write(tmp_path, records)
    expected = bill(shipped, [path], known=KNOWN, group_by=["model", "day"])
    got = bill_on_engine(shipped, [str(path)], engine="duckdb", known=KNOWN,
                         group_by=["model", "day"])  # fmt: skip
    _same(expected, got)


def test_hand_computed_peak_and_off_peak(shipped, tmp_path):
    """deepseek-v4-flash, 1M uncached input tokens: off-peak and peak minutes apart."""
    records = [
        {"model": "deepseek-v4-flash", "timestamp": "2026-09-14T00:59:59Z", "input": 1_000_000,
         "output": 0},
        {"model": "deepseek-v4-flash", "timestamp": "2026-09-14T01:00:00Z", "input": 1_000_000,
         "output": 0},
    ]  # fmt: skip
    path = _write(tmp_path, records)
    got = bill_on_engine(shipped, [str(path)], engine="duckdb", known=KNOWN, group_by=["day"])
    expected = bill(shipped, [path], known=KNOWN, group_by=["day"])
    assert got.priced == 2
    assert got.total.total == expected.total.total
    assert got.total.total > 0


@settings(max_examples=3, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(records=st.lists(record(), min_size=20, max_size=60))
def test_spark_equals_bill_under_another_time_zone(shipped, tmp_path_factory, spark, records):
    """A few Spark runs (one session for the whole test run; each job is slow to start),
    the session's time zone America/Los_Angeles."""
    path = _write(tmp_path_factory.mktemp("spark"), records)
    expected = bill(shipped, [path], known=KNOWN, group_by=["model", "day"])
    got = bill_on_engine(shipped, [str(path)], engine="spark", known=KNOWN,
                         group_by=["model", "day"], session=spark)  # fmt: skip
    _same(expected, got)
    assert spark.conf.get("spark.sql.session.timeZone") == "America/Los_Angeles"


def test_parquet_with_canonical_columns_equals_the_jsonl(shipped, tmp_path):
    """The same records as Parquet (typed columns: BIGINT counts, BOOLEAN batch, the instant
    as text, as epoch seconds, and as a TIMESTAMP WITH TIME ZONE) bill as the JSON Lines."""
    import duckdb

    records = [
        {"model": m, "timestamp": f"2026-09-14T0{h}:59:59Z", "input": 300_000 if b else 1_000,
         "cached": 10, "cache_write": 0, "cache_write_1h": 0, "output": 7, "batch": b}
        for m, b in (("deepseek-v4-flash", False), ("gpt-5.5", True), ("gpt-5.5", False))
        for h in range(3)
    ]  # fmt: skip
    log = _write(tmp_path, records)
    expected = bill(shipped, [log], known=KNOWN, group_by=["model"])
    con = duckdb.connect()
    con.execute("SET TimeZone = 'Asia/Tokyo'")
    for name, ts in (("text", "timestamp"), ("epoch", "epoch(timestamp::TIMESTAMPTZ)::BIGINT"),
                     ("tz", "timestamp::TIMESTAMPTZ")):  # fmt: skip
        out = tmp_path / f"{name}.parquet"
        con.execute(
            f"COPY (SELECT * REPLACE ({ts} AS timestamp) FROM read_json('{log}', "
            f"columns={{model: 'VARCHAR', timestamp: 'VARCHAR', input: 'BIGINT', "
            f"cached: 'BIGINT', cache_write: 'BIGINT', cache_write_1h: 'BIGINT', "
            f"output: 'BIGINT', batch: 'BOOLEAN'}})) TO '{out}' (FORMAT parquet)"
        )
        got = bill_on_engine(shipped, [str(out)], engine="duckdb", known=KNOWN,
                             group_by=["model"])  # fmt: skip
        assert got.priced == expected.priced == 9, name
        assert got.groups == expected.groups, name
