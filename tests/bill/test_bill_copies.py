"""Claude Code writes an assistant message once per content block: the same message id and
request id on several lines, billed once. Files holding such copies are priced by DuckDB's
JSON reader with the copies merged, and read line by line only when a record is rejected
(copies that disagree included): either way the bill is the line reader's, to the digit."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from llmcost.catalog.load import load_catalog
from llmcost.usage import bill as bill_module
from llmcost.usage.bill import bill

LOGS = Path(__file__).resolve().parent.parent / "fixtures" / "logs"
MESSAGE = json.loads((LOGS / "claude-code.jsonl").read_text().splitlines()[2])
# $3 / $0.30 / $3.75 / $15 per 1M: 4*3 + 13,874*0.3 + 1,254*3.75 + 120*15
# = 12 + 4,162.2 + 4,702.5 + 1,800 = 10,676.7 per 1M = $0.0106767 a message
ONE = Decimal("0.0106767")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(LOGS / "pricing")


def message(no: int, at: str = "2026-01-12T09:15:05.402Z", **usage) -> str:
    """A Claude Code line of message `no` (its id and request id) at `at`."""
    record = json.loads(json.dumps(MESSAGE))
    record["message"]["id"] = f"msg_{no}"
    record["requestId"] = f"req_{no}"
    record["timestamp"] = at
    record["message"]["usage"].update(usage)
    return json.dumps(record)


@pytest.fixture
def line_reads(monkeypatch):
    """The files each line-by-line reading took, in order."""
    seen: list[list[int]] = []
    real = bill_module._line_by_line

    def spy(con, grid, paths, read, files, *args):
        seen.append(sorted(files))
        return real(con, grid, paths, read, files, *args)

    monkeypatch.setattr(bill_module, "_line_by_line", spy)
    return seen


def both(catalog, paths, line_reads, **kwargs):
    """The bill of `paths`, the same by the line reader; and the files auto read line by line."""
    auto = bill(catalog, paths, **kwargs)
    by_auto = list(line_reads)
    assert auto == bill(catalog, paths, reader="lines", **kwargs)
    return auto, by_auto


def test_copies_are_merged_without_reading_line_by_line(catalog, tmp_path, line_reads):
    # message 1 three times, its first copy on the 12th, the others past midnight; message 2
    # once: two messages billed, two copies left out; the earliest copy's day is billed
    log = tmp_path / "session.jsonl"
    log.write_text("\n".join([
        message(1, "2026-01-13T00:00:01.000Z"), message(1, "2026-01-12T23:59:59.000Z"),
        message(2, "2026-01-13T08:00:00.000Z"), message(1, "2026-01-13T00:00:02.000Z"),
    ]) + "\n")  # fmt: skip
    result, by_auto = both(catalog, [log], line_reads, group_by=["day"])
    assert by_auto == []
    assert (result.records, result.priced, result.duplicates, result.rejected) == (4, 2, 2, 0)
    assert result.duplicate_ids == (("msg_1\x1freq_1", 2),)
    assert result.total.total == 2 * ONE
    days = {g.keys["day"]: g.cost.total for g in result.groups}
    assert days == {"2026-01-12": ONE, "2026-01-13": ONE}


def test_copies_across_two_files(catalog, tmp_path, line_reads):
    a = tmp_path / "a.jsonl"
    b = tmp_path / "b.jsonl"
    a.write_text(message(1) + "\n" + message(2) + "\n")
    b.write_text(message(2) + "\n" + message(3) + "\n" + message(1) + "\n")
    result, by_auto = both(catalog, [a, b], line_reads, group_by=["session", "week"])
    assert by_auto == []
    assert (result.records, result.priced, result.duplicates) == (5, 3, 2)
    assert result.duplicate_ids == (("msg_1\x1freq_1", 1), ("msg_2\x1freq_2", 1))
    assert result.total.total == 3 * ONE


@pytest.mark.parametrize(
    "second",
    [
        message(1, output_tokens=121),  # the counts disagree: both copies rejected
        message(1, "2027-06-01T00:00:00.000Z"),  # one copy outside --until: in doubt
        '{"message": {"id": "msg_9", "model": "claude-nowhere-9", "usage": {"input_tokens": 1}},'
        ' "requestId": "req_9", "timestamp": "2026-01-12T09:15:05.402Z"}',  # unknown model
        "{not json",
    ],
)
def test_a_rejection_among_copies_reads_the_files_line_by_line(catalog, tmp_path, line_reads,
                                                              second):  # fmt: skip
    log = tmp_path / "session.jsonl"
    log.write_text("\n".join([message(1), message(2), second, message(2)]) + "\n")
    until = datetime(2027, 1, 1, tzinfo=UTC)
    result, by_auto = both(catalog, [log], line_reads, until=until)
    assert by_auto[-1] == [0]  # the copies' file, read line by line after all
    assert result.rejected >= 1
    assert result.duplicates == 1  # message 2's copy
    assert result.rejections and all(r.line for r in result.rejections)
