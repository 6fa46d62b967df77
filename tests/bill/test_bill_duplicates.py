"""A response logged more than once (the same `id`, Gemini's `responseId`) is billed once:
in one file or across files, gzipped or not, whichever reader reads it. The copies left out
are counted and named; copies that disagree on what is billed are all rejected; records
without an id are never merged. Clean logs with unique ids stay on the compiled path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from llmcost.cli.app import app
from llmcost.usage import scan
from llmcost.usage.bill import bill
from tests.bill.test_bill_readers import records

BILL_PRICING = Path(__file__).resolve().parent.parent / "fixtures" / "pricing"
T = "2026-01-10T00:00:00Z"
OK = {"model": "alpha-flash", "timestamp": T, "input": 1000, "output": 100}  # $0.0012
USAGE = {"prompt_tokens": 1000, "completion_tokens": 100, "total_tokens": 1100}
CHAT = {"id": "chatcmpl-1", "model": "alpha-flash", "created": 1768003200, "usage": USAGE}
GEMINI = {"responseId": "r-1", "modelVersion": "alpha-flash", "timestamp": T,
          "usageMetadata": {"promptTokenCount": 1000, "candidatesTokenCount": 100}}  # fmt: skip


def _three(catalog, paths, **kwargs):
    auto = bill(catalog, paths, **kwargs)
    assert auto == bill(catalog, paths, reader="duckdb", **kwargs)
    assert auto == bill(catalog, paths, reader="lines", **kwargs)
    return auto


@pytest.mark.parametrize("record", [CHAT, GEMINI, {**OK, "id": 7}])
def test_the_same_response_twice_in_one_file_is_billed_once(bill_catalog, write_log, record):
    result = _three(bill_catalog, [write_log([record, OK, record])])
    assert (result.records, result.priced, result.rejected, result.duplicates) == (3, 2, 0, 1)
    assert str(result.total.total) == "0.0024"
    assert result.duplicate_ids == ((str(record.get("id", record.get("responseId"))), 1),)


def test_the_same_response_in_a_gzip_and_a_plain_file(bill_catalog, write_log):
    plain = write_log([CHAT, {**CHAT, "id": "chatcmpl-2"}], "a.jsonl")
    gzipped = write_log([{**CHAT, "id": "chatcmpl-3"}, CHAT, CHAT], "b.jsonl.gz")
    result = _three(bill_catalog, [plain, gzipped])
    assert (result.records, result.priced, result.duplicates) == (5, 3, 2)
    assert result.duplicate_ids == (("chatcmpl-1", 2),)
    assert str(result.total.total) == "0.0036"


def test_the_same_response_in_a_csv_and_a_jsonl(bill_catalog, write_log, tmp_path):
    csv = tmp_path / "u.csv"
    csv.write_text(f"id,model,timestamp,input,output\nchatcmpl-1,alpha-flash,{T},1000,100\n")
    result = _three(bill_catalog, [csv, write_log([CHAT])])
    assert (result.priced, result.duplicates, str(result.total.total)) == (1, 1, "0.0012")


def test_records_without_an_id_are_never_merged(bill_catalog, write_log):
    result = _three(bill_catalog, [write_log([OK, OK, {**OK, "id": None}])])
    assert (result.priced, result.duplicates, str(result.total.total)) == (3, 0, "0.0036")


def test_copies_that_disagree_are_all_rejected(bill_catalog, write_log):
    other = {**CHAT, "usage": {"prompt_tokens": 1000, "completion_tokens": 101,
                               "total_tokens": 1101}}  # fmt: skip
    result = _three(bill_catalog, [write_log([OK, CHAT, other])])
    assert (result.priced, result.rejected, result.duplicates) == (1, 2, 0)
    assert [r.line for r in result.rejections] == [2, 3]
    assert result.rejections[0].reason == (
        "id chatcmpl-1 is logged more than once with different counts, model or instant: "
        "which copy to bill is unclear"
    )
    assert set(result.unpriced_tokens.values()) == {0}  # which copy is right is unknown


def test_a_rejected_response_logged_twice_is_one_rejection(bill_catalog, write_log):
    bad = {**CHAT, "model": "nope"}
    result = _three(bill_catalog, [write_log([bad, OK, bad])])
    assert (result.priced, result.rejected, result.duplicates) == (1, 1, 1)


def test_a_copy_outside_the_period_is_a_duplicate_too(bill_catalog, write_log):
    from llmcost.timeparse import instant

    result = _three(bill_catalog, [write_log([CHAT, CHAT])], since=instant("2026-02-01"))
    assert (result.skipped, result.duplicates, result.priced) == (1, 1, 0)


@pytest.mark.skipif(not scan.available(), reason="LLMCOST_PURE is set")
def test_unique_ids_stay_on_the_compiled_path(bill_catalog, write_log, monkeypatch):
    seen = []
    real = scan.Scanner.file
    monkeypatch.setattr(scan.Scanner, "file",
                        lambda self, *a: seen.append(real(self, *a)) or seen[-1])  # fmt: skip
    records = [{**CHAT, "id": f"chatcmpl-{i}"} for i in range(50)] + [GEMINI, OK, OK]
    result = bill(bill_catalog, [write_log(records)])
    assert (result.priced, result.duplicates) == (53, 0)
    assert seen == [seen[0]] and seen[0] is not None


def test_the_cli_reports_duplicates_and_exits_0(write_log):
    path = write_log([CHAT, CHAT, OK])
    result = CliRunner().invoke(
        app, ["bill", str(path), str(path), "--catalog", str(BILL_PRICING),
              "-f", "json"], env={"COLUMNS": "200"}
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    # the file given twice: the response with an id is billed once, the record without twice
    assert (doc["records"], doc["priced"], doc["duplicates"]) == (6, 3, 3)
    assert doc["duplicate_ids"] == [{"id": "chatcmpl-1", "copies": 3}]
    assert doc["totals"]["USD"] == "0.0036"
    assert "billed once: id chatcmpl-1 is logged 4 times" in result.stderr
    assert "its records with an id are billed once" in result.stderr


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    lines=st.lists(records(), min_size=1, max_size=10),
    copies=st.lists(st.tuples(st.integers(0, 9), st.booleans()), max_size=4),
)
def test_every_reader_bills_each_id_once(bill_catalog, tmp_path, lines, copies):
    """Against the log with its copies taken out by hand: an exact copy is a duplicate; a
    copy naming another model makes every copy of that id a rejection."""
    for i, record in enumerate(lines):
        record["id"] = f"r{i}"
    log, conflicted, exact = list(lines), set(), []
    for at, same in copies:
        original = lines[at % len(lines)]
        if same:
            log.append(dict(original))
            exact.append(original["id"])
        else:
            # the field the record names its model by (Gemini's modelVersion): a "model"
            # added beside it could name the same model, and be an exact copy after all
            field = "modelVersion" if "modelVersion" in original else "model"
            other = "beta-large" if original.get(field) != "beta-large" else "alpha-flash"
            log.append({**original, field: other})
            conflicted.add(original["id"])
    clean = [r for r in lines if r["id"] not in conflicted]
    path, expected_path = tmp_path / "log.jsonl", tmp_path / "expected.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in log))
    expected_path.write_text("".join(json.dumps(r) + "\n" for r in clean))
    result = _three(bill_catalog, [path])
    expected = bill(bill_catalog, [expected_path])
    assert result.total == expected.total
    assert result.priced == expected.priced
    assert result.skipped == expected.skipped
    assert result.duplicates == sum(i not in conflicted for i in exact)
    assert result.rejected == expected.rejected + sum(r["id"] in conflicted for r in log)
    assert result.records == len(log)


def test_an_empty_id_is_no_id(bill_catalog, write_log):
    blank = {**CHAT, "id": "", "responseId": "r-9"}
    result = _three(bill_catalog, [write_log([blank, blank])])
    assert (result.priced, result.duplicates) == (2, 0)
