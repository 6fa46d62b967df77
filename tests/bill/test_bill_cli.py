"""`llmcost bill` and `llmcost catalog export` through the CLI, and examples/usage/ run as a
user would. Hand-computed totals (USD per 1M tokens, shipped catalog at 2026-05-01):

- openai-chat: gpt-5.5 500 x 5 + 1500 x 0.5 + 400 x 30 = 0.01525
- openai-responses: gpt-5.4-mini 1000 x 0.75 + 1000 x 0.075 + 400 x 4.5 = 0.002625
- anthropic: opus 4.7 100 x 5 + 1000 x 0.5 + 100 x 6.25 + 200 x 10 + 50 x 25 = 0.004875
- deepseek: v4-flash 51 x 0.14 + 512 x 0.0028 + 100 x 0.28 = 36.5736 per 1M = 0.0000365736
- gemini: 3.1 pro 1106 x 2 + (778 + 1089) x 12 = 0.024616
- canonical: v4-pro at 2026-05-31 15:58, 1M input x 0.435 = 0.435
- canonical.csv: haiku 4.5 batch (10000 x 1 + 1000 x 5) x 0.5 = 0.0075
"""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

from typer.testing import CliRunner

from llmcost.cli.app import app

BILL_PRICING = Path(__file__).resolve().parent.parent / "fixtures" / "pricing"

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "usage"
EXPECTED = {
    "openai-chat.jsonl": "0.01525",
    "openai-responses.jsonl": "0.002625",
    "anthropic.jsonl": "0.004875",
    "deepseek.jsonl": "0.0000365736",
    "gemini.jsonl": "0.024616",
    "canonical.jsonl": "0.435",
    "canonical.csv": "0.0075",
}
runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args), env={"COLUMNS": "200", "NO_COLOR": "1"})


def test_examples_usage_each_file():
    assert sorted(p.name for p in EXAMPLES.iterdir()) == sorted(EXPECTED)
    for name, total in EXPECTED.items():
        result = run("bill", str(EXAMPLES / name), "--format", "json", "--strict")
        assert result.exit_code == 0, (name, result.stderr)
        doc = json.loads(result.stdout)
        assert doc["totals"] == {"USD": total}, name
        assert (doc["records"], doc["priced"], doc["rejected"]) == (1, 1, 0)


def test_examples_all_grouped_by_user():
    files = [str(EXAMPLES / n) for n in EXPECTED]
    result = run("bill", *files, "--group-by", "user", "--format", "json")
    doc = json.loads(result.stdout)
    assert D(doc["totals"]["USD"]) == sum(D(v) for v in EXPECTED.values())
    assert [g["user"] for g in doc["groups"]] == ["ann", "bob"]
    assert set(doc) >= {"catalog_version", "records", "priced", "rejected", "totals", "groups",
                        "rejections"}  # fmt: skip


def test_table_csv_markdown_and_summary(tmp_path):
    log = tmp_path / "u.jsonl"
    log.write_text(
        '{"model": "alpha-flash", "timestamp": "2026-01-10", "input": 1000, "output": 100,'
        ' "user": "=cmd()"}\nnot json\n'
    )
    pricing = str(BILL_PRICING)
    table = run("bill", str(log), "--catalog", pricing)
    assert table.exit_code == 1  # a record was rejected
    assert "records 2 = priced 1 + rejected 1" in table.stdout
    assert "u.jsonl:2: not JSON" in table.stderr
    csv = run("bill", str(log), "--catalog", pricing, "-g", "user", "-f", "csv")
    assert "'=cmd()" in csv.stdout  # no cell starts a formula
    assert "records 2 = priced 1 + rejected 1" in csv.stderr
    md = run("bill", str(log), "--catalog", pricing, "-f", "markdown")
    assert "| 1 |" in md.stdout.replace("  ", " ")
    strict = run("bill", str(log), "--catalog", pricing, "--strict")
    assert strict.exit_code == 2 and "1 record(s) rejected" in strict.stderr


def test_bad_options_one_line(tmp_path):
    log = tmp_path / "u.jsonl"
    log.write_text("")
    assert run("bill", str(log), "-g", "a b").exit_code == 2
    missing = run("bill", str(tmp_path / "missing.jsonl"))
    assert missing.exit_code == 2 and "no such file" in missing.stderr
    empty = run("bill", str(log), "-f", "json")
    assert empty.exit_code == 0 and json.loads(empty.stdout)["records"] == 0


def test_catalog_export_csv_json_parquet(tmp_path):
    csv = run("catalog", "export", "--catalog", str(BILL_PRICING))
    assert csv.exit_code == 0
    header, *rows = csv.stdout.splitlines()
    assert header.startswith("model,provider,currency,valid_from,valid_until,published")
    peak = [r for r in rows if r.startswith("alpha-flash,alpha,USD,2026-03-01") and ",peak," in r]
    assert len(peak) == 5  # Mon-Fri
    doc = json.loads(run("catalog", "export", "-f", "json", "--catalog", str(BILL_PRICING)).stdout)
    assert {r["model"] for r in doc["rows"]} == {"alpha-flash", "alpha-pro", "alpha-old",
                                                 "beta-large"}  # fmt: skip
    out = tmp_path / "p.parquet"
    result = run("catalog", "export", "-f", "parquet", "-o", str(out), "--catalog",
                 str(BILL_PRICING))  # fmt: skip
    assert result.exit_code == 0 and out.stat().st_size > 0
    assert run("catalog", "export", "-f", "parquet").exit_code == 2


def test_the_progress_bar_draws_on_stderr_never_stdout(monkeypatch, capsys):
    """On a terminal the bar is drawn while DuckDB works, on stderr: stdout carries only the
    result (it drew on stdout, into a redirected JSON file's terminal, before)."""
    from llmcost.cli.bill import _progress_bar

    monkeypatch.setenv("FORCE_COLOR", "1")  # rich then takes both streams for terminals
    monkeypatch.setenv("TERM", "xterm-256color")
    done = _progress_bar(lambda: 42.0)
    import time

    time.sleep(0.3)
    done()
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "pricing" in captured.err
