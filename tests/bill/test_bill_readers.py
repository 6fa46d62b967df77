"""The two readers agree: DuckDB's parallel JSON reader (`readers.fast_source`), which prices
a file only when it reads it whole and rejects nothing, gives the same bill as reading every
line on its own (`readers.line_source`), for every shape and every odd value a line may hold.
If the fast reader ever took a line the line reader rejects, the totals would differ here."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmcost.usage.bill import bill

MODELS = ["alpha-flash", "alpha-fast", "Alpha_Flash", "acme/alpha-pro", "alpha-pro", "beta-large",
          "beta-large-1.0", "alpha-old", "alpha-legacy"]  # fmt: skip
instants = st.integers(1767225600, 1777593600)  # 2026-01-01 .. 2026-05-01 UTC
ODD_COUNTS = ["12", " 12", "0x10", 1.5, 2.0, 1e3, True, False, -3, None, "abc", 10**19, [1],
              {"a": 1}, "", "007", "1e3", 10**18 - 1, 10**18]  # fmt: skip
ODD_INSTANTS = ["2026-01-10T00:00:00+99:99", 1767225600000, "1767225600", "1767225600.25",
                True, None, "2026-01-10", "2026-01-10 05:00:00-03:30", "yesterday",
                4102444800]  # fmt: skip
ODD_LINES = ["null", "[1]", "{}", "12", '"x"', "not json {",
             '{"model": "alpha-flash", "model": "beta-large", "timestamp": 1767225600, "input": 5}',
             '{"model": "alpha-flash", "timestamp": 1767225600, "usage": {"prompt_tokens": 5, '
             '"prompt_tokens": 7, "completion_tokens": 1}}',
             '{"model": "alpha-flash", "timestamp": 1767225600, "input": 5,}',
             '{"model": "alpha-flash", "timestamp": 1767225600, "usage": 5}']  # fmt: skip


def iso(seconds: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


@st.composite
def records(draw):
    """A line as a provider or gateway logs it, in one of the six shapes."""
    prompt = draw(st.integers(0, 400_000))
    cached = draw(st.integers(0, prompt))
    write = draw(st.integers(0, prompt - cached))
    write_1h = draw(st.integers(0, prompt - cached - write))
    output = draw(st.integers(0, 50_000))
    model = draw(st.sampled_from(MODELS))
    at = draw(instants)
    when = draw(st.sampled_from([{"timestamp": at}, {"timestamp": iso(at)}, {"created": at},
                                 {"created_at": at}, {"timestamp": str(at)}]))  # fmt: skip
    shape = draw(st.integers(0, 5))
    # the checks of counts against each other: a total, reasoning or thoughts, most agreeing
    skew = draw(st.sampled_from([0, 0, 0, 0, 1]))
    checks = draw(st.booleans())
    reasoning = draw(st.integers(0, output + skew))
    if shape == 0:
        body = {"input": prompt, "cached": cached, "cache_write": write,
                "cache_write_1h": write_1h, "output": output}  # fmt: skip
    elif shape == 1:
        body = {"usage": {"prompt_tokens": prompt, "completion_tokens": output,
                          "prompt_tokens_details": {"cached_tokens": cached}}}  # fmt: skip
        if checks:
            body["usage"]["total_tokens"] = prompt + output + skew
            body["usage"]["completion_tokens_details"] = {"reasoning_tokens": reasoning}
    elif shape == 2:
        body = {"usage": {"input_tokens": prompt, "output_tokens": output,
                          "input_tokens_details": {"cached_tokens": cached}},
                "output": [{"type": "message"}]}  # fmt: skip
        if checks:
            body["usage"]["total_tokens"] = prompt + output + skew
            body["usage"]["output_tokens_details"] = {"reasoning_tokens": reasoning}
    elif shape == 3:
        body = {"usage": {"input_tokens": prompt - cached - write - write_1h,
                          "cache_read_input_tokens": cached,
                          "cache_creation_input_tokens": write + write_1h + skew * checks,
                          "cache_creation": {"ephemeral_5m_input_tokens": write,
                                             "ephemeral_1h_input_tokens": write_1h},
                          "output_tokens": output}}  # fmt: skip
    elif shape == 4:
        body = {"usage": {"prompt_tokens": prompt, "prompt_cache_hit_tokens": cached,
                          "prompt_cache_miss_tokens": prompt - cached + skew * checks,
                          "completion_tokens": output}}  # fmt: skip
        if checks:
            body["usage"]["total_tokens"] = prompt + output
    else:
        body = {"usageMetadata": {"promptTokenCount": prompt, "cachedContentTokenCount": cached,
                                  "candidatesTokenCount": output}}  # fmt: skip
        if checks:
            body["usageMetadata"]["thoughtsTokenCount"] = reasoning
            body["usageMetadata"]["totalTokenCount"] = prompt + output + reasoning + skew
            if not output and draw(st.booleans()):  # the API leaves out a count of 0
                del body["usageMetadata"]["candidatesTokenCount"]
    if draw(st.integers(0, 15)) == 0:  # a count its shape requires, missing
        usage = body.get("usage", body.get("usageMetadata", body))
        required = ("output", "completion_tokens", "output_tokens", "promptTokenCount")
        for name in required:
            usage.pop(name, None)
    key = "modelVersion" if shape == 5 and draw(st.booleans()) else "model"
    record = {key: model, **when, **body, "user": draw(st.sampled_from(["ann", "bob", 7]))}
    if draw(st.booleans()):
        record["batch"] = draw(st.sampled_from([True, False, "yes", "0", "FALSE"]))
    return record


def _set(record: dict, path: list[str], value) -> dict:
    node = record
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value
    return record


@st.composite
def odd_line(draw) -> str:
    """One line with a value llmcost must not take at face value, or a line not a record."""
    record = draw(records())
    kind = draw(st.integers(0, 3))
    if kind == 0:
        skip = ("model", "modelVersion", "user", "timestamp", "created", "created_at", "batch")
        counts = [p for p in _paths(record) if p[0] not in skip]
        path = draw(st.sampled_from(counts))
        return json.dumps(_set(record, path, draw(st.sampled_from(ODD_COUNTS))))
    if kind == 1:
        for key in ("timestamp", "created", "created_at"):
            record.pop(key, None)
        return json.dumps({**record, "timestamp": draw(st.sampled_from(ODD_INSTANTS))})
    if kind == 2:
        key = "modelVersion" if "modelVersion" in record else "model"
        return json.dumps({**record, key: draw(st.sampled_from([{"id": 1}, 5, None, "gpt-9"]))})
    return draw(st.sampled_from(ODD_LINES))


def _paths(node: dict, prefix: tuple = ()) -> list[list[str]]:
    out = []
    for key, value in node.items():
        if isinstance(value, dict):
            out += _paths(value, (*prefix, key))
        elif not isinstance(value, list):
            out.append([*prefix, key])
    return out


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(records().map(json.dumps), min_size=1, max_size=12),
    odd=st.one_of(st.none(), odd_line()),
    where=st.integers(0, 12),
    group_by=st.sampled_from([(), ("user",), ("model", "day", "shape"), ("provider", "month")]),
    blank=st.booleans(),
)
def test_fast_reader_equals_line_reader(bill_catalog, tmp_path, lines, odd, where, group_by,
                                        blank):  # fmt: skip
    if odd is not None:
        lines.insert(min(where, len(lines)), odd)
    if blank:
        lines.insert(len(lines) // 2, "   ")
    path = tmp_path / "log.jsonl"
    path.write_text("".join(line + "\n" for line in lines))
    fast = bill(bill_catalog, [path], group_by=group_by)
    slow = bill(bill_catalog, [path], group_by=group_by, reader="lines")
    assert fast == slow


@pytest.mark.parametrize("name", ["clean.jsonl", "clean.jsonl.gz", "clean.ndjson", "clean"])
def test_fast_reader_prices_a_clean_file_and_agrees_to_the_last_decimal(bill_catalog, tmp_path,
                                                                        name):  # fmt: skip
    """A file with nothing to reject is priced by the fast reader alone (no second pass),
    gzipped or not, whatever its name."""
    import gzip

    import llmcost.usage.readers as readers

    lines = [{"model": "beta-large", "timestamp": 1767225600 + i * 3607, "input": 1000 + i,
              "cached": i, "output": 7 * i, "user": f"u{i % 3}"} for i in range(500)]  # fmt: skip
    path = tmp_path / name
    text = "".join(json.dumps(r) + "\n" for r in lines).encode()
    path.write_bytes(gzip.compress(text) if name.endswith(".gz") else text)
    calls = []
    real = readers.line_source

    def spy(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    readers.line_source = spy
    try:
        fast = bill(bill_catalog, [path], group_by=["user"])
        assert calls == []
        slow = bill(bill_catalog, [path], group_by=["user"], reader="lines")
        assert calls
    finally:
        readers.line_source = real
    assert fast == slow
    assert fast.priced == 500


def test_duplicate_keys_are_rejected_not_priced_with_either_value(bill_catalog, write_log):
    ok = {"model": "alpha-flash", "timestamp": "2026-01-10T00:00:00Z", "input": 1000,
          "output": 100}  # fmt: skip
    path = write_log([
        ok,
        '{"model": "alpha-flash", "timestamp": "2026-01-10T00:00:00Z", "usage": '
        '{"prompt_tokens": 5, "completion_tokens": 1, "prompt_tokens": 900000}}',
        '{"model": "alpha-flash", "model": "beta-large", "timestamp": 1767225600, "input": 5}',
    ])  # fmt: skip
    result = bill(bill_catalog, [path])
    assert (result.priced, result.rejected) == (1, 2)
    assert [(r.line, r.reason.split(" is")[0]) for r in result.rejections] == [
        (2, "duplicate key: usage.prompt_tokens"),
        (3, "duplicate key: model"),
    ]


def test_one_query_for_many_files_and_the_bad_ones_alone_line_by_line(bill_catalog, tmp_path):
    """Clean files are priced together by the fast reader; a file with a rejected record and
    one with a malformed line are set aside and read line by line, with their lines right."""
    import llmcost.usage.readers as readers

    def log(name: str, extra: list[str]) -> str:
        records = [json.dumps({"model": "beta-large", "timestamp": 1767225600 + i * 3600,
                               "input": 100 + i, "output": i}) for i in range(20)]  # fmt: skip
        path = tmp_path / name
        path.write_text("\n".join(records[:10] + extra + records[10:]) + "\n")
        return str(path)

    files = [log("a.jsonl", []), log("b.jsonl", ['{"model": "nope", "timestamp": 1767225600, '
             '"input": 1}']), log("c.jsonl", []), log("d.jsonl", ["{broken"]),
             log("e.jsonl", [])]  # fmt: skip
    read = []
    real = readers.line_source

    def spy(con, file_no, *args, **kwargs):
        read.append(file_no)
        return real(con, file_no, *args, **kwargs)

    readers.line_source = spy
    try:
        fast = bill(bill_catalog, files)
    finally:
        readers.line_source = real
    assert sorted(set(read)) == [1, 3]
    slow = bill(bill_catalog, files, reader="lines")
    assert fast == slow
    assert (fast.priced, fast.rejected) == (100, 2)
    assert [(r.file[-7:], r.line) for r in fast.rejections] == [("b.jsonl", 11), ("d.jsonl", 11)]


def test_a_key_given_twice_after_the_first_rejection_is_still_rejected(bill_catalog, write_log):
    """The fast reader stops at the first rejected record (line 1 here), before the key given
    twice on line 3: the line reader must look for it all the same."""
    dup = ('{"model": "beta-large", "timestamp": 1767225600, "usage": {"prompt_tokens": 2000, '
           '"prompt_tokens": 1, "completion_tokens": 400}}')  # fmt: skip
    other = '{"model": "beta-large", "timestamp": 1767225600, "Input": 5, "input": 7, "output": 1}'
    path = write_log(
        ['{"model": "nope", "timestamp": 1767225600, "input": 1, "output": 1}', other, dup, "xx"]
    )
    result = bill(bill_catalog, [path])
    assert (result.priced, result.rejected) == (1, 3)
    assert [r.reason.split(" is given")[0].split(" '")[0] for r in result.rejections] == [
        "unknown model", "duplicate key: usage.prompt_tokens", "not JSON"]  # fmt: skip
    assert [r.line for r in result.rejections] == [1, 3, 4]


G = ('{"model": "beta-large", "timestamp": 1767225600, "usage": {"prompt_tokens": 2000, '
     '"completion_tokens": 400}}')  # fmt: skip


@pytest.mark.parametrize(
    ("text", "priced", "rejected_lines"),
    [
        (f"{G}\n\t\n", 1, []),  # a line of JSON whitespace is blank for both readers
        (f"{G}\n\t\n\f\n\v\nBAD\n", 1, [5]),
        (G.replace(", ", ",\r ", 1) + "\n", 1, []),  # a CR between tokens is whitespace
        (G.replace(", ", ",\r ", 1) + "\nBAD\n", 1, [2]),
        (f"{G}\r{G}\nBAD\n", 0, [1, 2]),  # two values on one line, not two lines
        (f"{G}\r\n{G}\r\nBAD\r\n", 2, [3]),
        (f"{G}\r\n{G}\r", 2, []),
    ],
)
def test_lines_break_at_lf_only_and_blank_lines_are_skipped_by_both_readers(
    bill_catalog, tmp_path, text, priced, rejected_lines
):
    """QA finds: DuckDB's line reader broke lines at a lone CR and took a tab-only line for a
    record, where its JSON reader (and JSON Lines) do neither."""
    for name in ("log.jsonl", "log.jsonl.gz"):
        import gzip

        path = tmp_path / name
        data = text.encode()
        path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
        fast = bill(bill_catalog, [path])
        slow = bill(bill_catalog, [path], reader="lines")
        assert fast == slow
        assert fast.priced == priced
        assert [r.line for r in fast.rejections] == rejected_lines


@pytest.mark.parametrize(
    "data",
    [
        b"\x0c" + G.encode() + b"\n",  # a form feed or vertical tab around the object: DuckDB's
        G.encode() + b"\x0b\n",  # JSON reader trims it, so the line reader does too
        b" \x0c\t" + G.encode() + b" \x0b\n",
        b"\xef\xbb\xbf",  # a file of only a BOM has no line (it stopped every file with it)
        b"\xef\xbb\xbf" + G.encode() + b"\n" + b'{"model": "nope", "timestamp": 1, "input": 1}\n',
    ],
)
def test_the_readers_agree_on_what_a_sixth_qa_pass_found(bill_catalog, tmp_path, data):
    path = tmp_path / "log.jsonl"
    path.write_bytes(data)
    fast = bill(bill_catalog, [path])
    assert fast == bill(bill_catalog, [path], reader="lines")
    assert fast.priced == (0 if data == b"\xef\xbb\xbf" else 1)
