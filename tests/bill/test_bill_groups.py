"""`bill --group-by week, session, project, key` and `--timezone`: local days, ISO weeks and
months counted by hand, on the fixture catalog (alpha-flash: $1 input, $2 output per Mtok
outside its weekday 01:00-04:00 UTC peak, so 1000 in + 100 out is $0.0012)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from llmcost.cli.app import app
from llmcost.usage import scan
from llmcost.usage.bill import bill
from llmcost.usage.zones import bucket_seconds, iso_week, parse_zone

PRICING = str(Path(__file__).resolve().parent.parent / "fixtures" / "pricing")
runner = CliRunner()


def record(ts: str, **extra) -> dict:
    return {"model": "alpha-flash", "timestamp": ts, "input": 1000, "output": 100, **extra}


def write(tmp_path: Path, records, name: str = "u.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def run(*args, env=None):
    return runner.invoke(
        app,
        ["bill", *args, "--catalog", PRICING],
        env={"COLUMNS": "200", "NO_COLOR": "1", **(env or {})},
    )


def groups(path: Path, *args, env=None) -> list[tuple]:
    result = run(str(path), "--format", "json", *args, env=env)
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    return [(*(g[k] for k in doc["group_by"]), g["records"], g["total"]) for g in doc["groups"]]


# Sunday 2026-05-31 in UTC; in Shanghai (+08:00, no DST) the last two are Monday 2026-06-01,
# the first day of ISO week 23
SHANGHAI = [record("2026-05-31T15:59:59Z"), record("2026-05-31T16:00:00Z"),
            record("2026-05-31T23:30:00Z")]  # fmt: skip


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        (None, [("2026-05-31", "2026-W22", "2026-05", 3, "0.0036")]),
        ("UTC", [("2026-05-31", "2026-W22", "2026-05", 3, "0.0036")]),
        ("Asia/Shanghai", [("2026-05-31", "2026-W22", "2026-05", 1, "0.0012"),
                           ("2026-06-01", "2026-W23", "2026-06", 2, "0.0024")]),
        ("+08:00", [("2026-05-31", "2026-W22", "2026-05", 1, "0.0012"),
                    ("2026-06-01", "2026-W23", "2026-06", 2, "0.0024")]),
        ("-10:00", [("2026-05-31", "2026-W22", "2026-05", 3, "0.0036")]),
        ("+07:59", [("2026-05-31", "2026-W22", "2026-05", 2, "0.0024"),
                    ("2026-06-01", "2026-W23", "2026-06", 1, "0.0012")]),
    ],
)  # fmt: skip
def test_local_day_week_and_month_in_a_zone(tmp_path, zone, expected):
    path = write(tmp_path, SHANGHAI)
    args = ("--group-by", "day,week,month", *(("--timezone", zone) if zone else ()))
    assert groups(path, *args) == expected


def test_the_configured_timezone_is_the_default_and_the_flag_beats_it(tmp_path):
    path = write(tmp_path, SHANGHAI)
    env = {"LLMCOST_TIMEZONE": "Asia/Shanghai"}
    assert groups(path, "--group-by", "month", env=env) == [
        ("2026-05", 1, "0.0012"),
        ("2026-06", 2, "0.0024"),
    ]
    assert groups(path, "--group-by", "month", "--timezone", "UTC", env=env) == [
        ("2026-05", 3, "0.0036")
    ]


def test_days_across_new_york_daylight_saving_changes(tmp_path):
    """EST (-05:00) until 2026-03-08 07:00Z, EDT (-04:00) until 2026-11-01 06:00Z. Local
    midnight is 05:00Z in winter and 04:00Z in summer. The peak (weekdays 01:00-04:00) is in
    UTC whatever the zone of the groups."""
    path = write(tmp_path, [
        record("2026-03-08T04:59:59Z"),  # Sat 03-07 23:59:59 EST
        record("2026-03-08T05:00:00Z"),  # Sun 03-08 00:00 EST
        record("2026-03-09T03:59:59Z"),  # Sun 03-08 23:59:59 EDT; Mon in UTC: peak, $0.0024
        record("2026-11-01T03:59:59Z"),  # Sat 10-31 23:59:59 EDT
        record("2026-11-01T04:00:00Z"),  # Sun 11-01 00:00 EDT
        record("2026-11-02T04:30:00Z"),  # Sun 11-01 23:30 EST (a 25-hour day)
        record("2026-11-02T05:00:00Z"),  # Mon 11-02 00:00 EST
    ])  # fmt: skip
    assert groups(path, "--group-by", "day", "--timezone", "America/New_York") == [
        ("2026-03-07", 1, "0.0012"),
        ("2026-03-08", 2, "0.0036"),
        ("2026-10-31", 1, "0.0012"),
        ("2026-11-01", 2, "0.0024"),
        ("2026-11-02", 1, "0.0012"),
    ]


def test_a_bad_timezone_is_one_line(tmp_path):
    path = write(tmp_path, SHANGHAI)
    for zone in ("Mars/Olympus", "+25:00", "8"):
        result = run(str(path), "--timezone", zone)
        assert result.exit_code == 2
        [line] = result.stderr.strip().splitlines()
        assert "--timezone" in line and zone in line and "Traceback" not in result.stderr


def test_iso_week_year_is_the_weeks():
    assert iso_week(datetime(2026, 12, 31).date()) == "2026-W53"
    assert iso_week(datetime(2027, 1, 3).date()) == "2026-W53"
    assert iso_week(datetime(2025, 12, 29).date()) == "2026-W01"


@pytest.mark.parametrize(
    ("zone", "width"),
    [("UTC", 86400), ("+08:00", 28800), ("-05:30", 1800), ("America/New_York", 3600),
     ("Asia/Kathmandu", 900)],
)  # fmt: skip
def test_bucket_widths(zone, width):
    """The readers' buckets: a day's divisor shared by every offset and change instant."""
    assert bucket_seconds(parse_zone(zone)) == width


def test_session_and_project_of_a_claude_code_log(tmp_path):
    """Each assistant message once (message id + request id), under its session and cwd."""

    def line(session, cwd, msg, req, ts):
        return {"type": "assistant", "sessionId": session, "cwd": cwd, "requestId": req,
                "timestamp": ts, "message": {"id": msg, "model": "alpha-flash", "usage": {
                    "input_tokens": 1000, "output_tokens": 100}}}  # fmt: skip

    path = write(tmp_path, [
        line("s1", "/src/shop", "m1", "r1", "2026-01-10T00:00:00Z"),
        line("s1", "/src/shop", "m1", "r1", "2026-01-10T00:00:01Z"),  # same message, 2nd block
        line("s1", "/src/shop", "m2", "r2", "2026-01-10T00:01:00Z"),
        line("s2", "/src/blog", "m3", "r3", "2026-01-11T00:00:00Z"),
    ])  # fmt: skip
    assert groups(path, "--group-by", "project,session") == [
        ("/src/blog", "s2", 1, "0.0012"),
        ("/src/shop", "s1", 2, "0.0024"),
    ]


def test_key_of_a_litellm_log_and_absent_elsewhere(tmp_path):
    def spend(key, rid):
        return {"request_id": rid, "api_key": key, "model": "alpha-flash",
                "startTime": "2026-01-05T10:00:00.000+00:00", "prompt_tokens": 1000,
                "completion_tokens": 100, "total_tokens": 1100}  # fmt: skip

    path = write(tmp_path, [spend("k1", "a"), spend("k2", "b"), spend("k1", "c")])
    assert groups(path, "--group-by", "key") == [("k1", 2, "0.0024"), ("k2", 1, "0.0012")]
    other = write(tmp_path, [record("2026-01-10T00:00:00Z")], "plain.jsonl")
    result = run(str(other), "--group-by", "session", "--format", "json")
    assert result.exit_code == 0
    assert "--group-by session: no priced record has this field" in result.stderr


def test_grouped_table_and_markdown_end_with_a_totals_row(tmp_path):
    path = write(tmp_path, SHANGHAI)
    for fmt in ("table", "markdown"):
        result = run(str(path), "--group-by", "day", "--timezone", "+08:00", "--format", fmt)
        assert result.exit_code == 0, result.stderr
        lines = [ln.lstrip("| ") for ln in result.stdout.splitlines()]
        rows = [ln for ln in lines if ln.startswith(("2026-", "Total"))]
        assert "2026-05-31" in rows[0] and "2026-06-01" in rows[1]
        assert rows[2].replace("|", " ").split()[:2] == ["Total", "3"]
        assert "$0.0036" in rows[2]
    csv = run(str(path), "--group-by", "day", "--timezone", "+08:00", "--format", "csv")
    assert "Total" not in csv.stdout and len(csv.stdout.splitlines()) == 3
    doc = json.loads(run(str(path), "-g", "day", "--timezone", "+08:00", "--format", "json").stdout)
    assert doc["timezone"] == "+08:00" and doc["totals"] == {"USD": "0.0036"}


ZONES = ["UTC", "Asia/Shanghai", "America/New_York", "Asia/Kathmandu", "-03:30",
         "Australia/Lord_Howe"]  # fmt: skip
START = datetime(2026, 1, 1, tzinfo=UTC)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    zone=st.sampled_from(ZONES),
    seconds=st.lists(st.integers(0, 365 * 86400 - 1), min_size=1, max_size=30),
    key=st.sampled_from(["day", "week", "month"]),
)
def test_grouping_in_a_zone_sums_to_the_bill_and_every_reader_agrees(
    bill_catalog, tmp_path, zone, seconds, key
):
    """Any zone, any calendar key: the groups add up to the ungrouped bill, the group of each
    record is its local date's (worked out here by `datetime.astimezone`), and the compiled
    scanner, DuckDB's reader and the line reader give the same bill."""
    tz = parse_zone(zone)
    stamps = [START + timedelta(seconds=s) for s in seconds]
    recs = [record(t.strftime("%Y-%m-%dT%H:%M:%SZ"), input=1000 + i, output=100)
            for i, t in enumerate(stamps)]  # fmt: skip
    path = write(tmp_path, recs, "prop.jsonl")
    whole = bill(bill_catalog, [path])
    spy: list[bool] = []
    real = scan.Scanner.file

    def priced_by_scanner(self, p, tell=None):
        rows = real(self, p, tell)
        spy.append(rows is not None)
        return rows

    scan.Scanner.file = priced_by_scanner
    try:
        auto = bill(bill_catalog, [path], group_by=[key], timezone=tz)
    finally:
        scan.Scanner.file = real
    assert spy == ([True] if scan.available() else [])
    assert auto == bill(bill_catalog, [path], group_by=[key], timezone=tz, reader="duckdb")
    assert auto == bill(bill_catalog, [path], group_by=[key], timezone=tz, reader="lines")
    assert auto.total == whole.total and auto.priced == whole.priced == len(recs)
    assert sum((g.cost.total for g in auto.groups), Decimal(0)) == whole.total.total
    local = [t.astimezone(tz).date() for t in stamps]
    label = {"day": lambda d: d.isoformat(), "week": iso_week, "month": lambda d: str(d)[:7]}
    expected: dict[str, int] = {}
    for d in local:
        expected[label[key](d)] = expected.get(label[key](d), 0) + 1
    assert {g.keys[key]: g.records for g in auto.groups} == expected
