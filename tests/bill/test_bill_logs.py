"""The logs people hold, billed from the rules table (`usage/rules.py`): Claude Code session
logs, the batch APIs' result files, LiteLLM spend logs. Fixtures under tests/fixtures/logs/,
priced by the fixture catalog beside them (round rates; batch at half price); every total is
computed by hand in the test's comment."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmcost.catalog.load import load_catalog
from llmcost.cli.app import app
from llmcost.usage import rules, scan
from llmcost.usage.bill import bill

LOGS = Path(__file__).resolve().parent.parent / "fixtures" / "logs"
READERS = ("auto", "duckdb", "lines")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(LOGS / "pricing")


@pytest.mark.parametrize("reader", READERS)
def test_claude_code_bills_each_message_once_and_skips_turns(catalog, reader):
    # message 1 (two content-block lines, one bill): uncached 4, read 13,874, 5m write 1,254,
    # out 120; message 2: uncached 10, read 15,128, 1h write 2,000, out 450. At $3 / $0.30 /
    # $3.75 / $6 / $15 per 1M: 14*3 + 29,002*0.3 + 1,254*3.75 + 2,000*6 + 570*15
    # = 42 + 8,700.6 + 4,702.5 + 12,000 + 8,550 = 33,995.1 per 1M = $0.0339951.
    # The summary and the two user lines are not records.
    result = bill(catalog, [LOGS / "claude-code.jsonl"], reader=reader)
    assert (result.records, result.priced, result.duplicates, result.rejected) == (3, 2, 1, 0)
    assert result.total.total == Decimal("0.0339951")
    assert result.tokens == {"input": 32270, "cached": 29002, "cache_write": 1254,
                             "cache_write_1h": 2000, "output": 570}  # fmt: skip


@pytest.mark.parametrize("reader", READERS)
def test_openai_batch_output_is_priced_at_the_batch_tier(catalog, reader):
    # uncached 800 + 2,000 at $0.25, cached 200 at $0.025, output 800 at $2, all halved:
    # (700 + 5 + 1,600) / 2 = 1,152.5 per 1M = $0.0011525
    result = bill(catalog, [LOGS / "openai-batch-output.jsonl"], reader=reader)
    assert (result.priced, result.rejected) == (2, 0)
    assert result.total.total == Decimal("0.0011525")


def test_anthropic_batch_results_need_an_instant_and_skip_errored_requests(catalog):
    path = LOGS / "anthropic-batch-results.jsonl"
    without = bill(catalog, [path])
    assert (without.records, without.priced, without.rejected) == (2, 0, 2)  # errored: no record
    assert "give the batch's with --at" in without.rejections[0].reason
    # uncached 1,000 + 3,000 at $3, read 500 at $0.30, output 1,200 at $15, halved:
    # (12,000 + 150 + 18,000) / 2 = 15,075 per 1M = $0.015075
    for reader in READERS:
        given = bill(catalog, [path], at=datetime(2026, 3, 1, tzinfo=UTC), reader=reader)
        assert (given.priced, given.rejected) == (2, 0)
        assert given.total.total == Decimal("0.015075")


@pytest.mark.parametrize("reader", READERS)
def test_litellm_spend_logs(catalog, reader):
    # input 5,000 at $0.25 + output 1,100 at $2 = 1,250 + 2,200 per 1M = $0.00345
    result = bill(catalog, [LOGS / "litellm-spend.jsonl"], reader=reader)
    assert (result.priced, result.rejected) == (2, 0)
    assert result.total.total == Decimal("0.00345")


def test_the_cli_takes_at_for_a_batch_file():
    args = ["bill", str(LOGS / "anthropic-batch-results.jsonl"), "--catalog",
            str(LOGS / "pricing"), "-f", "json"]  # fmt: skip
    refused = CliRunner().invoke(app, args)
    assert refused.exit_code == 2
    given = CliRunner().invoke(app, [*args, "--at", "2026-03-01T00:00:00Z"])
    assert given.exit_code == 0, given.output
    assert json.loads(given.stdout)["totals"]["USD"] == "0.015075"


@pytest.mark.skipif(not scan.available(), reason="LLMCOST_PURE is set")
def test_the_compiled_scanner_prices_a_claude_code_log_alone(catalog, tmp_path, monkeypatch):
    """One line per message (no copies): the scanner prices the file whole, to the same
    total as the log with its copy."""
    lines = (LOGS / "claude-code.jsonl").read_text().splitlines()
    path = tmp_path / "session.jsonl"
    path.write_text("\n".join(lines[i] for i in (0, 1, 2, 4, 5)) + "\n")
    seen = []
    real = scan.Scanner.file

    def spy(self, p, tell=None):
        seen.append(real(self, p, tell))
        return seen[-1]

    monkeypatch.setattr(scan.Scanner, "file", spy)
    result = bill(catalog, [path])
    assert seen and seen[0] is not None
    assert (result.records, result.priced) == (2, 2)
    assert result.total.total == Decimal("0.0339951")


def test_every_shape_in_the_table_has_a_name_and_counts():
    assert len(set(rules.NAMES)) == len(rules.SHAPES)
    for shape in rules.SHAPES:
        assert shape.detect and shape.output.terms and shape.input.terms


def test_a_json_array_export_bills_as_its_lines(catalog):
    # the LiteLLM spend log exported as one pretty-printed JSON array: $0.00345 as above
    result = bill(catalog, [LOGS / "litellm-spend-export.json"])
    assert (result.priced, result.rejected) == (2, 0)
    assert result.total.total == Decimal("0.00345")


def test_a_log_on_standard_input():
    log = (LOGS / "claude-code.jsonl").read_text()
    args = ["bill", "-", "--catalog", str(LOGS / "pricing"), "-f", "json"]
    result = CliRunner().invoke(app, args, input=log)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["totals"]["USD"] == "0.0339951"


def test_a_parquet_file(catalog, tmp_path):
    import duckdb

    path = tmp_path / "batch.parquet"
    source = LOGS / "openai-batch-output.jsonl"
    duckdb.connect().execute(
        f"COPY (SELECT * FROM read_json('{source}')) TO '{path}' (FORMAT parquet)"
    )
    result = bill(catalog, [path])
    assert (result.priced, result.rejected) == (2, 0)
    assert result.total.total == Decimal("0.0011525")  # as the JSON Lines it came from
