"""`llmcost bill --engine duckdb` prints the bill `llmcost bill` prints, and refuses what
it does not read with exit 2 and a hint."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from llmcost.cli.app import app

PRICING = str(Path(__file__).resolve().parents[2] / "pricing")
LINES = [
    {"model": "deepseek-v4-pro", "timestamp": "2026-05-31T15:58:00Z", "input": 1000000,
     "cached": 0, "cache_write": 0, "cache_write_1h": 0, "output": 0, "batch": False,
     "id": "a"},
    {"model": "deepseek-v4-pro", "timestamp": "2026-05-31T15:58:00Z", "input": 1000000,
     "cached": 0, "cache_write": 0, "cache_write_1h": 0, "output": 0, "batch": False,
     "id": "a"},
    {"model": "gpt-5.5", "timestamp": 1777593600, "input": 2000, "cached": 1500, "output": 400},
    {"model": "gpt-9", "timestamp": 1777593600, "input": 2000, "output": 400},
]  # fmt: skip


def _run(*args):
    return CliRunner().invoke(app, ["bill", "--catalog", f"{PRICING}@2026-12-06", *args])


def test_engine_duckdb_prints_the_same_bill(tmp_path):
    log = tmp_path / "usage.jsonl"
    log.write_text("".join(json.dumps(r) + "\n" for r in LINES))
    plain = _run(str(log), "--format", "json", "-g", "model")
    engine = _run(str(log), "--format", "json", "-g", "model", "--engine", "duckdb")
    assert plain.exit_code == engine.exit_code == 1
    a, b = json.loads(plain.stdout), json.loads(engine.stdout)
    for doc in (a, b):
        for r in doc["rejections"]:
            r.pop("line")
    assert a == b
    assert b["duplicates"] == 1 and b["rejected"] == 1


def test_engine_refuses_csv_and_provider_logs(tmp_path):
    csv = tmp_path / "usage.csv"
    csv.write_text("model,timestamp,input,output\ngpt-5.5,1777593600,1,1\n")
    result = _run(str(csv), "--engine", "duckdb")
    assert result.exit_code == 2
    assert "CSV is read by the default engine" in result.stderr
    body = tmp_path / "chat.jsonl"
    body.write_text(
        json.dumps(
            {
                "model": "gpt-5.5",
                "created": 1777593600,
                "usage": {"prompt_tokens": 1, "completion_tokens": 1},
            }
        )
        + "\n"
    )
    result = _run(str(body), "--engine", "duckdb")
    assert result.exit_code == 2
    assert "provider's usage" in result.stderr and "Traceback" not in result.stderr


def test_engine_groups_by_named_keys_only(tmp_path):
    log = tmp_path / "usage.jsonl"
    log.write_text(json.dumps(LINES[2]) + "\n")
    result = _run(str(log), "--engine", "duckdb", "-g", "user")
    assert result.exit_code == 2
    assert "--engine groups by" in result.stderr


def test_warehouse_commands_have_help():
    for command in (["warehouse"], ["warehouse", "sql"], ["bill"], ["catalog", "export"]):
        result = CliRunner().invoke(app, [*command, "--help"])
        assert result.exit_code == 0, command
        assert "Usage" in result.stdout


def test_names_table_maps_logged_spellings_to_offerings():
    result = CliRunner().invoke(
        app, ["catalog", "export", "--catalog", f"{PRICING}@2026-12-06", "--table", "names"]
    )
    assert result.exit_code == 0, result.output
    rows = dict(
        (line.split(",")[0], line.split(",")[1:]) for line in result.stdout.splitlines()[1:]
    )
    assert rows["deepseek-v4-flash"] == ["deepseek-v4-flash", "deepseek"]
    assert rows["deepseek/deepseek-v4-pro"] == ["deepseek-v4-pro", "deepseek"]
    assert rows["openrouter/deepseek/deepseek-v4-pro"] == [
        "openrouter/deepseek/deepseek-v4-pro",
        "openrouter",
    ]
    # `claude-opus-4.7` is found through its fold, which the SQL applies
    assert "claude-opus-4.7" not in rows
    assert rows["claude-opus-4-7"] == ["claude-opus-4-7", "anthropic"]


def test_engine_spark_prints_the_same_bill(tmp_path, spark):
    """`--engine spark` from the command line, in this process: `getOrCreate()` finds the
    test session (local[2], a session time zone that is not UTC), as spark-submit's would."""
    log = tmp_path / "usage.jsonl"
    log.write_text("".join(json.dumps(r) + "\n" for r in LINES))
    plain = _run(str(log), "--format", "json", "-g", "model,day")
    engine = _run(str(log), "--format", "json", "-g", "model,day", "--engine", "spark")
    assert plain.exit_code == engine.exit_code == 1, engine.output
    a, b = json.loads(plain.stdout), json.loads(engine.stdout)
    for doc in (a, b):
        for r in doc["rejections"]:
            r.pop("line")
    assert a == b
    assert spark.conf.get("spark.sql.session.timeZone") == "America/Los_Angeles"


def test_engine_refuses_a_configured_zone_for_calendar_groups(tmp_path):
    """Days grouped in UTC by the engine would silently differ from `bill`'s, which groups
    them in the configured zone: refused, never a different bill."""
    log = tmp_path / "usage.jsonl"
    log.write_text(json.dumps(LINES[2]) + "\n")
    args = ["bill", "--catalog", f"{PRICING}@2026-12-06", str(log), "--engine", "duckdb"]
    zoned = {"LLMCOST_TIMEZONE": "Asia/Shanghai"}
    result = CliRunner().invoke(app, [*args, "-g", "day"], env=zoned)
    assert result.exit_code == 2
    assert "UTC only (the config sets a timezone)" in result.stderr
    assert CliRunner().invoke(app, [*args, "-g", "model"], env=zoned).exit_code == 0
    utc = {"LLMCOST_TIMEZONE": "UTC"}  # the engine's own calendar: taken
    assert CliRunner().invoke(app, [*args, "-g", "day"], env=utc).exit_code == 0
    assert CliRunner().invoke(app, [*args, "-g", "day", "--timezone", "+00:00"]).exit_code == 0
