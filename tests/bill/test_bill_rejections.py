"""Nothing lost: every record is priced, rejected (with file and line), or outside the
period; rejections are never priced at $0. Also gzip, CSV and grouping."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal as D

import pytest

from llmcost.usage.bill import bill

T = "2026-01-10T00:00:00Z"
OK = {"model": "alpha-flash", "timestamp": T, "input": 1000, "output": 100}  # $0.0012


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("not json {", "not JSON"),
        ("[1, 2]", "not a JSON object"),
        ({"timestamp": T, "input": 1}, "no model"),
        ({"model": "alpha-flash", "input": 1}, "no timestamp"),
        ({"model": "alpha-flash", "timestamp": "yesterday", "input": 1}, "timestamp: yesterday"),
        ({"model": "alpha-flash", "timestamp": T, "input": -5}, "input: -5 is not a non-neg"),
        ({"model": "alpha-flash", "timestamp": T, "input": 2.5}, "input: 2.5 is not"),
        ({"model": "alpha-flash", "timestamp": T, "usage": {"prompt_tokens": "x"}}, "prompt_tok"),
        ({"model": "alpha-flash", "timestamp": T}, "no usage"),
        (
            {"model": "alpha-flsh", "timestamp": T, "input": 1, "output": 0},
            "did you mean 'alpha-flash'",
        ),
        (
            {"model": "alpha-flash", "timestamp": "2025-06-01", "input": 1, "output": 0},
            "not released",
        ),
        ({"model": "alpha-old", "timestamp": "2026-02-01", "input": 1, "output": 0}, "retired"),
        (
            {"model": "alpha-flash", "timestamp": T, "input": 1, "cached": 2, "output": 0},
            "exceed the prompt",
        ),
        (
            {"model": "alpha-flash", "timestamp": T, "input": 1, "batch": True, "output": 0},
            "no batch price",
        ),
        ({"model": "alpha-flash", "timestamp": T, "input": 1, "batch": "maybe"}, "batch: maybe"),
    ],
)
def test_every_rejection_kind(bill_catalog, write_log, line, reason):
    path = write_log([OK, line, OK])
    result = bill(bill_catalog, [path])
    assert (result.records, result.priced, result.rejected) == (3, 2, 1)
    [rejection] = result.rejections
    assert (rejection.file, rejection.line) == (str(path), 2)
    assert reason in rejection.reason
    assert result.total.total == D("0.0024")


def test_usd_only_model_in_cny_is_rejected_not_free(bill_catalog, write_log):
    record = {"model": "alpha-pro", "timestamp": T, "input": 1000, "output": 0}
    result = bill(bill_catalog, [write_log([record])], currency="CNY")
    assert result.rejected == 1 and "no CNY price" in result.rejections[0].reason


def test_empty_input_and_blank_lines(bill_catalog, write_log):
    result = bill(bill_catalog, [write_log([])])
    assert (result.records, result.priced, result.rejected, result.total.total) == (0, 0, 0, 0)
    result = bill(bill_catalog, [write_log(["", OK, "   ", OK])])
    assert (result.records, result.priced) == (2, 2)


def test_line_numbers_count_blank_lines_and_files(bill_catalog, write_log):
    a = write_log([OK, "", "bad"], "a.jsonl")
    b = write_log(["bad", OK], "b.jsonl.gz")
    result = bill(bill_catalog, [a, b])
    assert [(r.file, r.line) for r in result.rejections] == [(str(a), 3), (str(b), 1)]
    assert (result.records, result.priced, result.rejected) == (4, 2, 2)


def test_gzip_equals_plain(bill_catalog, write_log):
    records = [OK, {**OK, "model": "beta-large"}]
    plain = bill(bill_catalog, [write_log(records, "u.jsonl")])
    gz = bill(bill_catalog, [write_log(records, "u.jsonl.gz")])
    assert plain.total == gz.total and gz.priced == 2


def test_since_until_skip_but_count(bill_catalog, write_log):
    records = [OK, {**OK, "timestamp": "2026-02-10T00:00:00Z"}, "garbage"]
    result = bill(
        bill_catalog,
        [write_log(records)],
        since=datetime(2026, 2, 1, tzinfo=UTC),
        until=datetime(2026, 3, 1, tzinfo=UTC),
    )
    assert (result.records, result.priced, result.rejected, result.skipped) == (3, 1, 1, 1)


def test_group_by_builtin_and_record_fields(bill_catalog, write_log):
    records = [
        {**OK, "user": "ann", "meta": {"feature": "chat"}},
        {**OK, "user": "bob", "timestamp": "2026-01-11T05:00:00Z", "meta": {"feature": "chat"}},
        {**OK, "model": "beta-large", "user": "ann"},
    ]
    result = bill(
        bill_catalog, [write_log(records)], group_by=["provider", "user", "day", "meta.feature"]
    )
    got = {tuple(g.keys.values()): (g.records, g.cost.total) for g in result.groups}
    assert got == {
        ("alpha", "ann", "2026-01-10", "chat"): (1, D("0.0012")),
        ("alpha", "bob", "2026-01-11", "chat"): (1, D("0.0012")),
        ("beta", "ann", "2026-01-10", None): (1, D("0.015")),
    }
    assert result.total.total == D("0.0174")


def test_csv_canonical_columns(bill_catalog, tmp_path):
    path = tmp_path / "usage.csv"
    path.write_text(
        "model,timestamp,input,cached,cache_write,cache_write_1h,output,batch,user\n"
        "beta-large,2026-01-10T00:00:00Z,6000,2000,1000,2000,500,false,ann\n"
        "beta-large,1768003200,6000,2000,1000,2000,500,true,bob\n"
        "nope,2026-01-10,1,0,0,0,0,,x\n"
    )
    result = bill(bill_catalog, [path], group_by=["user"])
    assert (result.priced, result.rejected) == (2, 1)
    assert result.rejections[0].line == 4
    totals = {g.keys["user"]: g.cost.total for g in result.groups}
    assert totals == {"ann": D("0.0895"), "bob": D("0.04475")}


def test_line_numbers_fall_back_to_numbering_every_line(bill_catalog, write_log, monkeypatch):
    """If the rejected lines found by digest do not add up (a digest collision), the bill is
    priced again with every line numbered as read: same lines, same totals."""
    import llmcost.usage.readers as readers

    path = write_log([OK, "bad", OK, "", "bad", {**OK, "model": "nope"}])
    fast = bill(bill_catalog, [path])
    real = readers.numbered_rejections_sql
    calls = []

    def lossy(con, paths):
        calls.append(1)
        sql = real(con, paths)
        return sql if len(calls) > 1 else f"SELECT * FROM ({sql}) LIMIT 1"

    monkeypatch.setattr(readers, "numbered_rejections_sql", lossy)
    slow = bill(bill_catalog, [path])
    assert len(calls) == 2
    assert [r.line for r in slow.rejections] == [r.line for r in fast.rejections] == [2, 5, 6]
    assert (slow.records, slow.priced, slow.rejected, slow.total) == (
        fast.records,
        fast.priced,
        fast.rejected,
        fast.total,
    )


CSV_HEADER = "model,timestamp,input,cached,cache_write,cache_write_1h,output,batch,user\n"
CSV_OK = "alpha-flash,2026-01-10T00:00:00Z,1000,0,0,0,100,false,ann\n"  # $0.0012


@pytest.mark.parametrize(
    ("bad", "at", "reason"),
    [
        ("alpha-flash,2026-01-10T00:00:00Z,1000,0,0,0,100\n", 3002, "7, the header has 9"),
        ("alpha-flash,2026-01-10T00:00:00Z,1000,0,0,0,100,false,ann,x,y\n", 3002, "11, the"),
        ("alpha-flash,2026-01-10T00:00:00Z,1000\n", 2, "3, the header has 9"),  # the sniffer's
    ],
)
def test_csv_row_with_the_wrong_number_of_columns_is_rejected_alone(bill_catalog, tmp_path,
                                                                   bad, at, reason):  # fmt: skip
    path = tmp_path / "usage.csv"
    rows = [CSV_OK] * 3000
    rows.insert(at - 2, bad)
    path.write_text(CSV_HEADER + "".join(rows))
    result = bill(bill_catalog, [path])
    assert (result.records, result.priced, result.rejected) == (3001, 3000, 1)
    [rejection] = result.rejections
    assert (rejection.file, rejection.line) == (str(path), at)
    assert rejection.reason == f"wrong number of columns: {reason}" or reason in rejection.reason
    assert result.total.total == D("3.6")


def test_csv_lines_are_physical_lines_past_multiline_cells(bill_catalog, tmp_path):
    path = tmp_path / "usage.csv"
    path.write_text(
        CSV_HEADER
        + CSV_OK.replace("ann", '"ann\nand\nbob"')  # lines 2-4
        + "nope,2026-01-10,1,0,0,0,0,,x\n"  # line 5
        + "\n"  # line 6, blank: not a record
        + "alpha-flash,2026-01-10,1\n"  # line 7
        + CSV_OK  # line 8
    )
    result = bill(bill_catalog, [path])
    assert (result.records, result.priced, result.rejected) == (4, 2, 2)
    assert [(r.file, r.line) for r in result.rejections] == [(str(path), 5), (str(path), 7)]
    assert "unknown model" in result.rejections[0].reason
    assert result.rejections[1].reason == "wrong number of columns: 3, the header has 9"
    assert result.total.total == D("0.0024")


def test_jsonl_lines_not_utf8_are_rejected_alone(bill_catalog, tmp_path):
    ok = (json.dumps(OK) + "\n").encode()
    path = tmp_path / "usage.jsonl"
    path.write_bytes(
        ok + b"\xff\xfe\n" + b"bad\n" + ok + b"\n" + ok.replace(b"alpha", b"alpha\xff") + ok
    )
    result = bill(bill_catalog, [path])
    assert (result.records, result.priced, result.rejected) == (6, 3, 3)
    assert [(r.file, r.line, r.reason) for r in result.rejections] == [
        (str(path), 2, "not UTF-8"),
        (str(path), 3, "not JSON"),
        (str(path), 6, "not UTF-8"),
    ]
    assert result.total.total == D("0.0036")


def test_a_binary_file_is_all_rejected_lines(bill_catalog, tmp_path):
    path = tmp_path / "usage.jsonl"
    path.write_bytes(bytes(range(128, 256)) * 4 + b"\n" + b"\x80\x81\n" * 3)
    result = bill(bill_catalog, [path])
    assert (result.records, result.priced, result.rejected) == (4, 0, 4)
    assert {r.reason for r in result.rejections} == {"not UTF-8"}
    assert [r.line for r in result.rejections] == [1, 2, 3, 4]
    assert result.total.total == 0
