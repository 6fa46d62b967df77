"""`llmcost bill`'s exit status is a policy a finance script or CI can rely on: 0 every record
priced; 1 some rejected (unless --allow-rejects, or their share is at most --max-rejected);
2 nothing priced at all, or any rejection under --strict. The rejected share and the tokens
left unpriced stand out in every format."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmcost.cli.app import app

BILL_PRICING = Path(__file__).resolve().parent.parent / "fixtures" / "pricing"
T = "2026-01-10T00:00:00Z"
OK = {"model": "alpha-flash", "timestamp": T, "input": 1000, "output": 100}  # $0.0012
UNKNOWN = {"model": "alpha-flsh", "timestamp": T, "input": 300, "output": 7}


def run(*args):
    return CliRunner().invoke(
        app, ["bill", *args, "--catalog", str(BILL_PRICING)], env={"COLUMNS": "200"}
    )


@pytest.fixture
def log(tmp_path):
    def write(*records) -> str:
        path = tmp_path / "u.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records))
        return str(path)

    return write


def test_all_priced_is_0(log):
    result = run(log(OK, OK), "-f", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert (doc["exit_code"], doc["rejected_share"], doc["rejected"]) == (0, "0", 0)
    assert doc["unpriced_tokens"] == dict.fromkeys(
        ("input", "cached", "cache_write", "cache_write_1h", "output"), 0
    )


def test_some_rejected_is_1_with_share_and_unpriced_tokens(log):
    result = run(log(OK, UNKNOWN, OK), "-f", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["exit_code"] == 1
    assert doc["rejected_share"] == "0.3334"  # 1/3, rounded up: a rejection never shows as 0
    assert "33.34% of the records rejected" in result.stderr
    assert doc["unpriced_tokens"]["input"] == 300 and doc["unpriced_tokens"]["output"] == 7
    assert doc["totals"]["USD"] == "0.0024"
    assert "exit 1" in result.stderr


def test_a_tiny_share_never_rounds_to_zero(log):
    records = [OK] * 20_000 + [UNKNOWN]
    doc = json.loads(run(log(*records), "-f", "json").stdout)
    assert doc["rejected_share"] == "0.0001"


def test_allow_rejects_is_0(log):
    result = run(log(OK, UNKNOWN), "--allow-rejects", "-f", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["exit_code"] == 0


@pytest.mark.parametrize(("limit", "code"), [("50%", 0), ("50", 0), ("49.99%", 1), ("0", 1)])
def test_max_rejected_share(log, limit, code):
    # one rejected of two: a share of exactly 50%
    assert run(log(OK, UNKNOWN), "--max-rejected", limit).exit_code == code


@pytest.mark.parametrize("limit", ["-1%", "101%", "x", "1e3", "nan", ""])
def test_max_rejected_must_be_a_percent(log, limit):
    result = run(log(OK), "--max-rejected", limit)
    assert result.exit_code == 2 and "--max-rejected" in result.stderr


def test_nothing_priced_is_2_even_when_allowed(log):
    for extra in ((), ("--allow-rejects",), ("--max-rejected", "100%")):
        result = run(log(UNKNOWN, "x"), "-f", "json", *extra)
        assert result.exit_code == 2, extra
        doc = json.loads(result.stdout)
        assert (doc["exit_code"], doc["rejected_share"], doc["totals"]["USD"]) == (2, "1", "0")
        assert result.stderr.strip().splitlines()[-1].startswith("llmcost: error: 2 record(s)")


def test_empty_or_all_outside_the_period_is_0(log):
    assert run(log(), "-f", "json").exit_code == 0
    assert run(log(OK), "--since", "2026-02-01").exit_code == 0


def test_strict_is_2_on_any_rejection_and_excludes_the_allowances(log):
    assert run(log(OK, UNKNOWN), "--strict").exit_code == 2
    assert run(log(OK), "--strict").exit_code == 0
    both = run(log(OK), "--strict", "--allow-rejects")
    assert both.exit_code == 2 and "cannot be given with" in both.stderr


def test_rejections_stand_out_in_csv_markdown_and_table(log):
    path = log(OK, UNKNOWN)
    rows = list(csv.DictReader(io.StringIO(run(path, "-f", "csv").stdout)))
    assert [(r["status"], r["records"], r["input_tokens"], r["total"]) for r in rows] == [
        ("priced", "1", "1000", "0.0012"),
        ("rejected", "1", "300", ""),
    ]
    for fmt in ("markdown", "table"):
        out = run(path, "-f", fmt).stdout
        assert "1 rejected, not billed" in out
        assert "NOT BILLED: 50.00% of the records rejected, unpriced tokens: input 300" in out
    clean = list(csv.DictReader(io.StringIO(run(log(OK), "-f", "csv").stdout)))
    assert [r["status"] for r in clean] == ["priced"]  # the column is always there
