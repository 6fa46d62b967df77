"""`llmcost bill` through the CLI on instants and group keys: a bad instant is one rejected
line (file:line:reason), never a crash or a shifted price; group keys that cannot work are
refused up front or named. The fixture catalog: alpha-flash at T costs $0.0012 a record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from llmcost.cli.app import app

PRICING = str(Path(__file__).resolve().parent.parent / "fixtures" / "pricing")
T = "2026-01-10T00:00:00Z"
OK = {"model": "alpha-flash", "timestamp": T, "input": 1000, "output": 100}  # $0.0012
runner = CliRunner()


def run(*args):
    return runner.invoke(
        app, ["bill", *args, "--catalog", PRICING], env={"COLUMNS": "200", "NO_COLOR": "1"}
    )


def jsonl(tmp_path: Path, records) -> Path:
    path = tmp_path / "u.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def bill_json(path: Path, *args):
    """The run and its JSON; some records may be rejected (exit 0 with --allow-rejects)."""
    allow = () if "--strict" in args else ("--allow-rejects",)
    result = run(str(path), "--format", "json", *allow, *args)
    return result, (json.loads(result.stdout) if result.exit_code == 0 else None)


BAD_INSTANTS = [
    ("0001-01-01T00:00:00+05:00", "is out of range: instants must fall in 1970-2099 UTC"),
    ("9999-12-31T23:59:59Z", "is out of range: instants must fall in 1970-2099 UTC"),
    ("2026-01-10T00:00:00+99:99", "has an invalid UTC offset"),
    ("2026-01-10T00:00:00+25:00", "has an invalid UTC offset"),
    ("2026-01-10T00:00:00+18:30", "has an invalid UTC offset"),
    ("2026-01-10T00:00:00-05:60", "has an invalid UTC offset"),
    (253402300800, "as Unix seconds is past 2099: it looks like milliseconds; give seconds"),
    (1768003200000, "as Unix seconds is past 2099: it looks like milliseconds; give seconds"),
    (1768003200000.5, "looks like milliseconds; give seconds"),
]


@pytest.mark.parametrize(("ts", "reason"), BAD_INSTANTS)
def test_bad_instant_is_one_rejected_line(tmp_path, ts, reason):
    path = jsonl(tmp_path, [OK, {**OK, "timestamp": ts}, OK])
    result, doc = bill_json(path)
    assert result.exit_code == 0, result.stderr
    assert (doc["records"], doc["priced"], doc["rejected"]) == (3, 2, 1)
    assert doc["totals"] == {"USD": "0.0024"}
    [rejection] = doc["rejections"]
    assert (rejection["file"], rejection["line"]) == (str(path), 2)
    assert rejection["reason"].startswith(f"timestamp: {ts} ")
    assert reason in rejection["reason"]
    assert f"rejected {path}:2: {rejection['reason']}" in result.stderr
    assert "internal error" not in result.stderr


def test_bad_instant_is_rejected_even_outside_since_until(tmp_path):
    path = jsonl(tmp_path, [OK, {**OK, "timestamp": "0001-01-01T00:00:00+05:00"}])
    _, doc = bill_json(path, "--since", "2026-01-01", "--until", "2026-02-01")
    assert (doc["priced"], doc["rejected"], doc["skipped"]) == (1, 1, 0)


def test_bad_instant_in_csv(tmp_path):
    path = tmp_path / "u.csv"
    path.write_text(
        "model,timestamp,input,output\n"
        f"alpha-flash,{T},1000,100\n"
        "alpha-flash,0001-01-01T00:00:00+05:00,1000,100\n"
        "alpha-flash,2026-01-10T00:00:00+99:99,1000,100\n"
        f"alpha-flash,{T},1000,100\n"
    )
    result, doc = bill_json(path)
    assert result.exit_code == 0, result.stderr
    assert (doc["priced"], doc["rejected"], doc["totals"]) == (2, 2, {"USD": "0.0024"})
    assert [(r["line"], r["reason"].split(" ", 2)[2][:20]) for r in doc["rejections"]] == [
        (3, "is out of range: ins"),
        (4, "has an invalid UTC o"),
    ]


@pytest.mark.parametrize(
    "ts",
    [
        "2026-01-10T05:30:00+05:30",
        "2026-01-10T05:30:00+0530",
        "2026-01-10T05:00:00+05",
        "2026-01-10T18:00:00+18:00",
        "2026-01-09T06:00:00-18:00",
        "2026-01-10T00:00:00-00:00",
        1768003200,
        "1768003200.000",
    ],
)
def test_valid_offsets_and_seconds_price_the_same_instant(tmp_path, ts):
    path = jsonl(tmp_path, [{**OK, "timestamp": ts}])
    result, doc = bill_json(path, "--strict", "--group-by", "day")
    assert result.exit_code == 0, result.stderr
    assert doc["totals"] == {"USD": "0.0012"}
    assert [g["day"] for g in doc["groups"]] == ["2026-01-10"]


@pytest.mark.parametrize(
    ("keys", "error"),
    [
        ("Model", "--group-by: 'Model' clashes with 'model', which llmcost reads"),
        ("TIMESTAMP", "--group-by: 'TIMESTAMP' clashes with 'timestamp', which llmcost reads"),
        ("user,Input", "--group-by: 'Input' clashes with 'input', which llmcost reads"),
        ("Usage.team", "--group-by: 'Usage' clashes with 'usage', which llmcost reads"),
        ("user,User", "--group-by: 'User' clashes with 'user': "),
        ("meta.a,Meta.b", "--group-by: 'Meta' clashes with 'meta': "),
        ("user-id,user_id", "--group-by: 'user_id' clashes with 'user-id': "),
        ("usage", "--group-by: 'usage' is an object whose fields llmcost reads"),
        ("usage.cache_creation", "--group-by: 'usage.cache_creation' is an object whose"),
        ("metadata,metadata.team", "--group-by: 'metadata' is an object whose fields"),
    ],
)
def test_group_by_key_that_clashes_is_refused_up_front(tmp_path, keys, error):
    for path in (jsonl(tmp_path, [OK]), tmp_path / "missing.jsonl"):
        result = run(str(path), "--group-by", keys)
        assert result.exit_code == 2
        [line] = result.stderr.splitlines()
        assert line.startswith(f"llmcost: error: {error}")
        assert "Duplicate keys" not in line and result.stdout == ""


def test_group_by_field_next_to_a_builtin_still_groups(tmp_path):
    records = [{**OK, "user": "ann"}, {**OK, "user": "bob", "Team": "x"}, {**OK, "user": "ann"}]
    result, doc = bill_json(jsonl(tmp_path, records), "--group-by", "user,Team")
    assert result.exit_code == 0, result.stderr
    got = [(g["user"], g["Team"], g["records"], g["total"]) for g in doc["groups"]]
    assert got == [("ann", None, 2, "0.0024"), ("bob", "x", 1, "0.0012")]
    assert "--group-by" not in result.stderr


@pytest.mark.parametrize(("key", "hint"), [("nope", ""), ("Day", " (did you mean day?)")])
def test_group_by_field_no_record_has_is_named_on_stderr(tmp_path, key, hint):
    records = [{**OK, "user": "ann"}, "not json", {**OK, "user": "bob"}]
    path = tmp_path / "u.jsonl"
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records))
    result, doc = bill_json(path, "--group-by", f"user,{key}")
    assert result.exit_code == 0
    warning = f"llmcost: --group-by {key}: no priced record has this field; its column is empty"
    assert warning + hint in result.stderr.splitlines()
    assert [(g["user"], g[key], g["total"]) for g in doc["groups"]] == [
        ("ann", None, "0.0012"),
        ("bob", None, "0.0012"),
    ]
    assert f"{path}:2: not JSON" in result.stderr


def test_group_by_field_only_rejected_records_have_is_named(tmp_path):
    records = [OK, {**OK, "model": "nope", "team": "x"}]
    result, _ = bill_json(jsonl(tmp_path, records), "--group-by", "team")
    assert "--group-by team: no priced record has this field" in result.stderr


@pytest.mark.parametrize(
    ("extra", "word"),
    [
        ({"usage": {"prompt_tokens": 5, "completion_tokens": 1}, "output": 100}, "usage"),
        ({"usage": {"input_tokens": 5, "output_tokens": 1}, "cached": 0}, "usage"),
        ({"usageMetadata": {"promptTokenCount": 5}, "input": 1000}, "usageMetadata"),
        # a provider's count that does not decide the shape is still one (a QA find)
        ({"usage": {"completion_tokens": 400}, "input": 2000}, "usage"),
        ({"usage": {"prompt_tokens_details": {"cached_tokens": 5}}, "input": 2000}, "usage"),
    ],
)
def test_usage_and_top_level_counts_is_ambiguous(tmp_path, extra, word):
    record = {"model": "alpha-flash", "timestamp": T, **extra}
    path = jsonl(tmp_path, [OK, record, OK])
    result, doc = bill_json(path)
    assert result.exit_code == 0
    assert (doc["priced"], doc["rejected"], doc["totals"]) == (2, 1, {"USD": "0.0024"})
    reason = (
        f"ambiguous: both {word} and top-level counts (input, cached, cache_write, "
        "cache_write_1h, output); keep one"
    )
    assert doc["rejections"] == [{"file": str(path), "line": 2, "reason": reason}]
    assert f"rejected {path}:2: {reason}" in result.stderr


def test_group_values_are_shown_as_written_not_as_markup(tmp_path):
    """A value from a log is text: "[/]" crashed the table (exit 3), "[bold]x[/]" lost its
    brackets and could merge with "x" (QA finds)."""
    records = [{**OK, "user": "[/]"}, {**OK, "user": "[bold red]x[/]"}, {**OK, "user": "x"}]
    result = run(str(jsonl(tmp_path, records)), "--group-by", "user")
    assert result.exit_code == 0, result.output
    for value in ("[/]", "[bold red]x[/]"):
        assert value in result.stdout


def test_second_qa_pass_finds(tmp_path):
    """An empty CSV is empty input; a CSV header naming a column twice is refused; a file
    given twice is named; a model name with a trailing newline is named in its rejection; an
    RFC 3339 instant in lower case is read; an absent group key is an empty CSV cell."""
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    result = run(str(empty))
    assert result.exit_code == 0 and "records 0 = priced 0 + rejected 0" in result.stdout
    twice = tmp_path / "twice.csv"
    twice.write_text("model,timestamp,input,output,input\nalpha-flash,2026-01-10,1000,1,5\n")
    result = run(str(twice))
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"llmcost: error: {twice}: the CSV header names the column 'input' twice "
        "(hint: keep one column of each name)"
    ]
    path = jsonl(tmp_path, [{**OK, "model": "nope\n"}, {**OK, "timestamp": "2026-01-10t00:00:00z"},
                            {**OK, "user": "ann"}])  # fmt: skip
    result = run(str(path), str(path), "--format", "csv", "--group-by", "user", "--allow-rejects")
    assert result.exit_code == 0, result.output
    assert f"{path} is given more than once" in result.stderr
    assert "unknown model 'nope\\n'" in result.stderr
    assert result.stdout.splitlines()[1:] == [
        "ann,2,2000,200,0,0,0,USD,0.002,0,0,0.0004,0.0024,priced",
        ",2,2000,200,0,0,0,USD,0.002,0,0,0.0004,0.0024,priced",
        ",2,2000,200,0,0,0,USD,,,,,,rejected",  # unknown model: its tokens, unpriced
    ]


def test_a_model_under_another_provider_is_refused_as_everywhere(tmp_path):
    """`Catalog.resolve` refuses `beta/alpha-flash` (alpha-flash belongs to alpha); bill used
    to price it (a review find). A gateway's prefix, or the model's own provider, is fine."""
    names = ["beta/alpha-flash", "alpha/alpha-flash", "gateway/alpha/alpha-flash",
             "gateway/alpha-flash", "BETA / alpha-flash"]  # fmt: skip
    result, doc = bill_json(jsonl(tmp_path, [{**OK, "model": n} for n in names]))
    assert result.exit_code == 0
    assert (doc["priced"], doc["rejected"]) == (3, 2)
    assert [(r["line"], "belongs to alpha" in r["reason"]) for r in doc["rejections"]] == [
        (1, True), (5, True)]  # fmt: skip


def test_third_qa_pass_finds(tmp_path):
    """A file name with glob characters is that file only (DuckDB read `log1.jsonl` for
    `log[1].jsonl`); one CRLF line among LF lines shifted every later line number; a CSV header
    with `Output` before `output` dropped the output count; Unicode spaces in a model name are
    read as `Catalog.resolve` reads them."""
    (tmp_path / "log1.jsonl").write_text(json.dumps({**OK, "input": 9_000_000}) + "\n")
    odd = tmp_path / "log[1].jsonl"
    odd.write_text(json.dumps(OK) + "\n")
    result, doc = bill_json(odd)
    assert doc["totals"] == {"USD": "0.0012"} and doc["files"] == [str(odd)]
    mixed = tmp_path / "mixed.jsonl"
    bad = json.dumps({**OK, "model": "nope"})
    mixed.write_bytes(f"{bad}\n{json.dumps(OK)}\r\n{bad}\n".encode())
    result, doc = bill_json(mixed)
    assert [r["line"] for r in doc["rejections"]] == [1, 3]
    csv = tmp_path / "case.csv"
    csv.write_text("model,timestamp,input,Output,output\nalpha-flash,2026-01-10,1000,7,100\n")
    result = run(str(csv))
    assert result.exit_code == 2
    assert "the CSV header names the column 'output' twice ('Output', 'output')" in result.stderr
    names = ["alpha\u00a0/alpha-flash", "alpha-flash\u00a0", "beta\u3000/alpha-flash"]
    result, doc = bill_json(jsonl(tmp_path, [{**OK, "model": n} for n in names]))
    assert [r["line"] for r in doc["rejections"]] == [3]


def test_a_line_too_long_is_rejected_or_stops_the_run_never_dropped(tmp_path):
    """DuckDB's line reader dropped a line of 64 MiB or more without a word (a QA find): a line
    over 32 MiB is rejected with its number, and one that cannot be read at all stops the run
    (exit 2) rather than vanish from `records`."""

    def line(pad: int) -> str:
        return json.dumps({**OK, "pad": "x" * pad})

    long = tmp_path / "long.jsonl"
    long.write_text(f"{line(0)}\n{line(40 << 20)}\n{line(0)}\n")
    result, doc = bill_json(long)
    assert (doc["records"], doc["priced"]) == (3, 2)
    assert doc["rejections"] == [{"file": str(long), "line": 2,
                                  "reason": "a line longer than 32 MiB"}]  # fmt: skip
    huge = tmp_path / "huge.jsonl"
    huge.write_text(f"{line(0)}\n{line(70 << 20)}\n{line(0)}\n")
    result = run(str(huge))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"llmcost: error: {huge}: 1 line(s) could not be read at all")


def test_fourth_qa_pass_finds(tmp_path):
    """A damaged or mislabelled .gz is exit 2, one line (was exit 3); a CR in a CSV cell is
    quoted (a reader split the row there, and the rest began with a formula); a line break in a
    Markdown cell stays in its row; a group key under a value is refused up front; a key given
    twice is one column; CSV carries every token kind."""
    import csv as csv_module
    import gzip
    import io

    fake = tmp_path / "plain.jsonl.gz"
    fake.write_text(json.dumps({**OK, "model": "nope"}) + "\n")
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(gzip.compress((json.dumps({**OK, "model": "nope"}) + "\n").encode() * 50)[:40])
    for path in (fake, cut):
        result = run(str(path))
        assert result.exit_code == 2, result.output
        [line] = result.stderr.splitlines()
        assert line.startswith(f"llmcost: error: {path}") and "truncated" in line
    log = jsonl(tmp_path, [{**OK, "user": "bob\r=1+2"}, {**OK, "user": "two\nlines"}])
    result = run(str(log), "-g", "user,user", "-f", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv_module.reader(io.StringIO(result.stdout, newline="")))
    assert [r[0] for r in rows] == ["user", "bob\r=1+2", "two\nlines"]
    assert rows[0][:5] == ["user", "records", "input_tokens", "output_tokens", "cached_tokens"]
    result = run(str(log), "-g", "user", "-f", "markdown")
    assert "| two<br>lines |" in result.stdout
    result = run(str(log), "-g", "model.x")
    assert result.exit_code == 2
    assert "'model.x' is under 'model', which llmcost reads as a value" in result.stderr
