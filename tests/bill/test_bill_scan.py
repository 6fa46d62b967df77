"""The compiled scanner (`usage/scan.py`, `_scan.c`) prices clean logs alone and otherwise
gives up: its bill always equals DuckDB's readers' (`reader="duckdb"`, `reader="lines"`), and
every clean record the generator makes is priced by it, not handed on. A crash of the C code
would end this test run."""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
import re

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmcost.usage import query, scan
from llmcost.usage.bill import bill
from tests.bill.test_bill_readers import odd_line, records

needs_scanner = pytest.mark.skipif(not scan.available(), reason="LLMCOST_PURE is set")


def test_the_compiled_scanner_is_built():
    """`pip install` builds it where a C compiler is at hand (CI's is): a missing one would
    leave every test here skipped and `bill` slow, silently."""
    assert scan.available() or os.environ.get("LLMCOST_PURE"), (
        "llmcost.usage._scan is missing: install with a C compiler, or set LLMCOST_PURE=1"
    )


@pytest.fixture
def scanned(monkeypatch):
    """The files the scanner priced (True) or gave up on (False), in order."""
    seen: list[bool] = []
    real = scan.Scanner.file

    def spy(self, path, tell=None):
        rows = real(self, path, tell)
        seen.append(rows is not None)
        return rows

    monkeypatch.setattr(scan.Scanner, "file", spy)
    return seen


def _three(catalog, paths, **kwargs):
    """The bill by each reader; all equal."""
    auto = bill(catalog, paths, **kwargs)
    assert auto == bill(catalog, paths, reader="duckdb", **kwargs)
    assert auto == bill(catalog, paths, reader="lines", **kwargs)
    return auto


@needs_scanner
@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    lines=st.lists(records(), min_size=1, max_size=15),
    group_by=st.sampled_from([(), ("model", "day", "shape"), ("provider", "month"), ("team",)]),
    window=st.sampled_from([(None, None), ("2026-02-01", None), (None, "2026-03-15T12:00:00Z")]),
)
def test_every_clean_record_is_priced_by_the_scanner_as_by_duckdb(
    bill_catalog, tmp_path, scanned, lines, group_by, window
):
    from llmcost.timeparse import instant

    for i, record in enumerate(lines):
        record.pop("user")
        if i % 3:
            record["team"] = ["core", "labs", 'José "\\/\t🙂'][i % 3]
    path = tmp_path / "log.jsonl"
    # json.dumps escapes "José" as "Jos\\u00e9" unless told not to: both are read
    path.write_text("".join(json.dumps(r, ensure_ascii=i % 2 == 0) + "\n"
                            for i, r in enumerate(lines)))  # fmt: skip
    since, until = (None if w is None else instant(w) for w in window)
    scanned.clear()
    result = _three(bill_catalog, [path], group_by=group_by, since=since, until=until)
    assert scanned[0] == (result.rejected == 0), result.rejections[:1]


@needs_scanner
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    lines=st.lists(records().map(json.dumps), min_size=1, max_size=10),
    odd=odd_line(),
    where=st.integers(0, 10),
)
def test_an_odd_line_anywhere_gives_the_same_bill(bill_catalog, tmp_path, lines, odd, where):
    lines.insert(min(where, len(lines)), odd)
    path = tmp_path / "log.jsonl"
    path.write_text("".join(line + "\n" for line in lines))
    _three(bill_catalog, [path], group_by=("user",))


CLEAN = '{"model": "beta-large", "timestamp": 1767225600, "input": 1000, "output": 10}'
HOSTILE = [
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "note": "\xff"}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "note": "\xc0\xaf"}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "note": "\xed\xa0\x80"}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "note": "\\ud800"}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "note": "\\udc00\\ud800"}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "note": "\\ud83d\\ude00"}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "note": "a\\u0000b"}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "note": "tab\there"}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "note": "\\x"}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "p": 1e400}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "p": -1e-400}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "p": 1' + b"0" * 400 + b"}",
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "p": -0.5E+3}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "p": 01}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "p": NaN}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "p": Infinity}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "p": [1, 2,]}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "p": .5}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "p": tru}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "p": nulll}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5}{"model": "beta-large"}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5} x',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "a": "b\x00"}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "d": '
    + b'{"a": ' * 200
    + b"1"
    + b"}" * 200
    + b"}",
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "d": '
    + b"[" * 300
    + b"]" * 300
    + b"}",
    b'{"mod\\u0065l": "beta-large", "timestamp": 1767225600, "input": 5}',
    b'{"model": "beta-large", "timestamp": 1767225600, "inp\\u0075t": 5, "output": 1}',
    b'{"MODEL": "beta-large", "model": "beta-large", "timestamp": 1767225600, "input": 5}',
    b'{"model": "beta-large", "Timestamp": 1767225600, "input": 5}',
    b'{"model": "beta-large", "timestamp": 1767225600, "Input": 5, "output": 3}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "\xc3\xafnput": 3}',
    b'{"model": "beta-l\\u0061rge", "timestamp": 1767225600, "input": 5}',
    b'{"model": "beta-large", "timestamp": "2026-01-10T00:00:00\\u005a", "input": 5}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": "5\\u0030"}',
    b'{"model": "beta-large", "timestamp": 1767225600, "usage": null, "input": 5}',
    b'{"model": "beta-large", "timestamp": 1767225600, "usage": [], "input": 5}',
    b'{"model": "beta-large", "timestamp": 1767225600, "usage": "x", "input": 5}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": "[1]", "output": 5}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": "{", "output": 5}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": [1], "output": 5}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "output": {"a": 1}}',
    b'{"model": "beta-large", "timestamp": 1767225600, "output": 5, "input": null}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "batch": "Yes"}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "batch": 1}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "batch": 1.0}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "batch": "y\\u0065s"}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "batch": "maybe"}',
    b'{"model": null, "modelVersion": "beta-large", "timestamp": 1767225600, "input": 5}',
    b'{"model": 5, "timestamp": 1767225600, "input": 5}',
    b'{"model": " beta-large\\t", "timestamp": 1767225600, "input": 5}',
    b'{"model": "\xe2\x80\x83beta-large", "timestamp": 1767225600, "input": 5}',
    b'{"model": "beta-large", "timestamp": null, "created": 1767225600, "input": 5}',
    b'{"model": "beta-large", "timestamp": "1767225600", "created": "x", "input": 5}',
    b'{"model": "beta-large", "timestamp": 1767225600.0, "input": 5}',
    b'{"model": "beta-large", "timestamp": "2026-01-10T00:00:00+0100", "input": 5}',
    b'{"model": "beta-large", "timestamp": "2026-01-10T24:00:00Z", "input": 5}',
    b'{"model": "beta-large", "timestamp": "2026-01-10T10:00:60Z", "input": 5}',
    b'{"model": "beta-large", "timestamp": "2026-01-10T10:00:00.1234567Z", "input": 5}',
    b'{"model": "beta-large", "timestamp": "2026-01-10T10:00Z", "input": 5}',
    b'{"model": "beta-large", "timestamp": "2026-01-10Z", "input": 5}',
    b'{"model": "beta-large", "timestamp": "2026-01-10T10:00:00+18:01", "input": 5}',
    b'{"model": "beta-large", "timestamp": "2026-01-10T10:00:00-18:00", "input": 5}',
    b'{"model": "beta-large", "timestamp": "+2026-01-10", "input": 5}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 999999999999999999, '
    b'"output": 999999999999999999}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 1000000000000000000}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "cached": 6}',
    b'{"model": "beta-large", "timestamp": 1767225600, "usage": {"input_tokens": 5, '
    b'"cache_creation_input_tokens": 3, "cache_creation": {"ephemeral_1h_input_tokens": 4}}}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "usage": {"x": 1}}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "usage": {"output_tokens": 1}}',
    b'  {"model": "beta-large", "timestamp": 1767225600, "input": 5}\t ',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5}\r',
    b'\xef\xbb\xbf{"model": "beta-large", "timestamp": 1767225600, "input": 5}',
    b'{"model":"beta-large","timestamp":1767225600,"input":5,"output":0}',
    b'{"model": "beta-large", "timestamp": 1767225600, "input": 5, "": 1, "\\"": 2}',
    b"\x0c",
    b"\t",
    b"",
    b"[]",
    b"{",
    b'{"model": "beta-large"',
]


@needs_scanner
@pytest.mark.parametrize("line", HOSTILE)
@pytest.mark.parametrize("group_by", [(), ("note", "batch")])
def test_hostile_lines_give_the_same_bill_by_every_reader(bill_catalog, tmp_path, line,
                                                         group_by):  # fmt: skip
    path = tmp_path / "log.jsonl"
    path.write_bytes(CLEAN.encode() + b"\n" + line + b"\n" + CLEAN.encode() + b"\n")
    _three(bill_catalog, [path], group_by=group_by)


@needs_scanner
def test_common_spellings_are_priced_by_the_scanner(bill_catalog, tmp_path, scanned):
    """What the fuzzing found the scanner gave up on, in logs as written: CRLF line ends,
    Go's and .NET's 9 and 7 decimals, +0100 and +01 offsets, hh:mm, a number as a group
    value, a name with an escaped slash (PHP's json_encode)."""
    counts = '"input": 5, "output": 1'
    lines = [
        f'{{"model": "beta-large", "timestamp": "2026-01-10T10:00:00.123456789Z", {counts}, '
        '"user": 42}',
        f'{{"model": "beta-large", "timestamp": "2026-01-10T10:00:00.1234567+0100", {counts}, '
        '"user": "ann"}',
        f'{{"model": "beta-large", "timestamp": "2026-01-10T10:00+01", {counts}, "user": 7}}',
        f'{{"model": "acme\\/alpha-pro", "timestamp": 1767225600, {counts}, "user": 7}}',
        f'{{"model": "beta-l\\u0061rge", "timestamp": 1767225600, {counts}, "user": 7}}',
    ]
    path = tmp_path / "log.jsonl"
    path.write_bytes("".join(line + "\r\n" for line in lines).encode())
    result = _three(bill_catalog, [path], group_by=("user", "model"))
    assert scanned[0] is True
    assert result.priced == 5
    assert [g.keys["user"] for g in result.groups] == ["42", "7", "7", "ann"]


@needs_scanner
def test_a_sum_past_64_bits_is_left_to_duckdb(bill_catalog, write_log, scanned, monkeypatch):
    # no model's context window takes such prompts: lift the limits to reach the sum
    from llmcost.usage import bill as bill_module

    grid_of = bill_module.price_grid
    monkeypatch.setattr(bill_module, "price_grid", lambda *a: dataclasses.replace(
        grid_of(*a), limits=tuple((10**18, 10**18) for _ in grid_of(*a).limits)))  # fmt: skip
    big = {"model": "beta-large", "timestamp": 1767225600, "input": 10**18 - 1, "output": 1}
    path = write_log([big] * 12)
    result = _three(bill_catalog, [path])
    assert scanned[0] is False
    assert result.tokens["input"] == 12 * (10**18 - 1)


@needs_scanner
def test_names_the_grid_does_not_hold_as_written_are_looked_up_once(bill_catalog, write_log,
                                                                    scanned):  # fmt: skip
    names = ["alpha-flash", "Alpha_Flash", "acme/alpha-pro", " beta-large ", "beta-large-1.0"]
    path = write_log([{"model": n, "timestamp": 1767225600 + i, "input": 100, "output": 1}
                      for i, n in enumerate(names * 40)])  # fmt: skip
    result = _three(bill_catalog, [path], group_by=("model",))
    assert scanned[0] is True
    assert result.priced == 200


@needs_scanner
@pytest.mark.parametrize("chunk", [1, 7, 64, 1 << 20])
def test_chunks_of_any_size_give_the_same_bill(bill_catalog, write_log, scanned, monkeypatch,
                                               chunk):  # fmt: skip
    """Lines straddle chunks, chunks go to threads in any order: the sums do not care."""
    monkeypatch.setattr(scan, "CHUNK", chunk)
    lines = [{"model": "beta-large", "timestamp": 1767225600 + 3600 * i, "input": 1000 + i,
              "output": i, "team": f"t{i % 7}"} for i in range(300)]  # fmt: skip
    for name in ("log.jsonl", "log.jsonl.gz"):
        path = write_log(lines, name)
        scanned.clear()
        result = _three(bill_catalog, [path], group_by=("team", "day"))
        assert scanned[0] is True
        assert result.priced == 300


@needs_scanner
def test_a_last_line_without_lf_and_blank_lines_are_read(bill_catalog, tmp_path, scanned):
    path = tmp_path / "log.jsonl"
    path.write_text(f"\n  \n{CLEAN}\n\t\n{CLEAN}")
    result = _three(bill_catalog, [path])
    assert scanned[0] is True
    assert (result.records, result.priced) == (2, 2)


@needs_scanner
def test_a_damaged_gzip_is_left_to_duckdb(bill_catalog, tmp_path, scanned):
    path = tmp_path / "log.jsonl.gz"
    path.write_bytes(gzip.compress((CLEAN + "\n").encode() * 1000)[:-20])
    with pytest.raises(Exception) as duck:
        bill(bill_catalog, [path], reader="duckdb")
    with pytest.raises(type(duck.value)) as auto:
        bill(bill_catalog, [path])
    assert str(auto.value) == str(duck.value)
    assert scanned == [False]


# -- instants: wherever the scanner reads one, DuckDB's SQL reads the same -----------------

texts = st.builds(
    lambda y, mo, d, sep, h, mi, s, frac, off: (
        f"{y:04d}-{mo:02d}-{d:02d}"
        + ("" if sep is None else f"{sep}{h:02d}:{mi:02d}" + ("" if s is None else f":{s:02d}"))
        + frac + off
    ),
    st.integers(1960, 2110), st.integers(0, 13), st.integers(0, 32),
    st.sampled_from([None, "T", "t", " ", "x"]), st.integers(0, 25), st.integers(0, 61),
    st.one_of(st.none(), st.integers(0, 61)),
    st.sampled_from(["", ".5", ".123456", ".1234567", ".999999999", ".1234567891", ".", ".05"]),
    st.sampled_from(["", "Z", "z", "+05:30", "-03:00", "+18:00", "-18:00", "+18:30", "+05:60",
                     "+0530", "+05", "-1800", "+1801", "+99:99", "Z ", " Z", "+5", "+05:3"]),
)  # fmt: skip


def _duckdb_instant(con, text: str, is_number: bool):
    """What `query.records_sql` makes of a timestamp's text: microseconds, or NULL."""
    sql = f"""SELECT CASE
      WHEN regexp_full_match(t, '{query.TS_SECONDS}') THEN t::BIGINT * 1000000
      WHEN regexp_full_match(t, '{query.TS_NUMBER}')
        THEN (t::DECIMAL(18, 6) * 1000000::DECIMAL(38, 0))::BIGINT
      WHEN regexp_full_match(t, '{query.TS_ISO}') THEN epoch_us(TRY_CAST(upper(t) AS TIMESTAMPTZ))
    END FROM (SELECT ? AS t)"""
    [(us,)] = con.execute(sql, [text]).fetchall()
    return us if us is not None and 0 <= us < query.US_UNTIL else None


@pytest.fixture(scope="module")
def duck():
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    return con


@needs_scanner
@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(text=st.one_of(texts, st.integers(0, 10**13).map(str)))
def test_the_scanner_reads_an_instant_as_duckdb_or_not_at_all(duck, text):
    from llmcost.usage import _scan

    con = duck
    ours = _scan.instant(text.encode(), False)
    theirs = _duckdb_instant(con, text, False)
    if ours is not None:
        assert 0 <= ours < query.US_UNTIL or theirs is None
        if 0 <= ours < query.US_UNTIL:
            assert ours == theirs, text
    common = r"\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}(:?\d{2})?)?)?"
    if theirs is not None and re.fullmatch(common, text):
        assert ours == theirs, f"{text}: the scanner should read this common form"


# -- what two helpers' fuzzing found: files the scanner priced and DuckDB would not read ------


def _same_outcome(catalog, path):
    """Every reader gives the same bill, or fails with the same words."""
    outcomes = []
    for reader in ("auto", "duckdb", "lines"):
        try:
            outcomes.append(bill(catalog, [path], reader=reader))
        except Exception as exc:  # the CLI turns these into exit 2
            outcomes.append((type(exc), str(exc)))
    assert outcomes[0] == outcomes[1] == outcomes[2]
    return outcomes[0]


LINE = (CLEAN + "\n").encode()


def _flagged(flag: int) -> bytes:
    """LINE gzipped with header flag `flag` set (and what the flag says is there)."""
    import struct
    import zlib

    body = zlib.compressobj(9, zlib.DEFLATED, -15)
    data = body.compress(LINE) + body.flush()
    extra = {0x08: b"log.jsonl\0", 0x10: b"a comment\0"}.get(flag, b"")
    head = b"\x1f\x8b\x08" + bytes([flag]) + b"\0\0\0\0\0\xff" + extra
    if flag & 0x02:
        head += struct.pack("<H", zlib.crc32(head) & 0xFFFF)
    return head + data + struct.pack("<II", zlib.crc32(LINE), len(LINE))


def _damaged(at: int) -> bytes:
    """LINE x 3 gzipped, with the trailer's byte at `at` changed."""
    data = bytearray(gzip.compress(LINE * 3))
    data[at] ^= 0xFF
    return bytes(data)


@needs_scanner
@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("empty.jsonl.gz", b""),  # Python's gzip reads it as empty; DuckDB refuses it
        ("pad.jsonl.gz", gzip.compress(LINE) + b"\0" * 16),  # trailing NULs: the same
        ("junk.jsonl.gz", gzip.compress(LINE) + b"junk"),
        ("two.jsonl.gz", gzip.compress(LINE) + gzip.compress(LINE * 3)),  # two members
        ("cut.jsonl.gz", gzip.compress(LINE * 50)[:-9]),
        ("log.jsonl.zst", LINE),  # DuckDB takes .zst for zstd
        ("log.jsonl.ZST", LINE),
        ("log.jsonl.gz.tmp", LINE),  # ... and reads a name ending .tmp as the name before it
        ("log.jsonl.tmp", LINE),
        ("gzip.jsonl", gzip.compress(LINE)),
        # header flags DuckDB refuses (FTEXT, FHCRC, FCOMMENT); FNAME it reads
        *((f"flag{flag}.jsonl.gz", _flagged(flag)) for flag in (0x01, 0x02, 0x10, 0x08)),
        ("crc.jsonl.gz", _damaged(-8)),  # DuckDB does not check the CRC or the length:
        ("size.jsonl.gz", _damaged(-4)),  # a damaged file was priced by its JSON reader
    ],
)
def test_compressed_or_oddly_named_files_are_read_as_duckdb_reads_them(bill_catalog, tmp_path,
                                                                        name, data):  # fmt: skip
    path = tmp_path / name
    path.write_bytes(data)
    _same_outcome(bill_catalog, path)


@needs_scanner
@pytest.mark.parametrize(("fields", "by_scanner"), [(40, True), (64, True), (140, False)])
def test_many_group_fields(bill_catalog, write_log, scanned, fields, by_scanner):
    """20 group fields raised a ValueError (the scanner then took 32 keys in one object)."""
    keys = tuple(f"k{i}" for i in range(fields))
    path = write_log([{**json.loads(CLEAN), "k3": "x", "k7": 7}])
    result = _three(bill_catalog, [path], group_by=keys)
    assert scanned[0:1] == ([True] if by_scanner else [])
    assert result.priced == 1


@needs_scanner
def test_a_line_past_16_mib_is_left_to_duckdb(bill_catalog, tmp_path, scanned):
    """DuckDB's JSON reader takes objects up to 16 MiB and its line reader lines up to 32 MiB
    (a longer one is rejected): the scanner gave lines up to ~40 MiB a price."""
    pad = "x" * (33 << 20)
    path = tmp_path / "long.jsonl"
    path.write_text(CLEAN + "\n" + CLEAN[:-1] + f', "pad": "{pad}"}}\n')
    result = _same_outcome(bill_catalog, path)
    assert scanned[0] is False
    assert (result.priced, result.rejected) == (1, 1)


def test_a_key_given_twice_after_a_form_feed_is_rejected_by_the_line_reader(bill_catalog,
                                                                             tmp_path):  # fmt: skip
    """The line reader looked for repeated keys in the untrimmed line, where `json_keys`
    failed on the form feed: the record was priced with its first `input`."""
    path = tmp_path / "log.jsonl"
    path.write_bytes(b"\x0b" + CLEAN.replace('"output"', '"input": 5, "output"').encode() + b"\n")
    result = _same_outcome(bill_catalog, path)
    assert (result.priced, result.rejected) == (0, 1)
    assert result.rejections[0].reason.startswith("duplicate key: input")


def test_an_instant_given_twice_is_rejected_even_outside_the_window(bill_catalog, tmp_path):
    """A record outside --since/--until is skipped whatever else it holds, but not when its
    instant is in doubt: a second `timestamp` might be inside the window."""
    from llmcost.timeparse import instant

    path = tmp_path / "log.jsonl"
    path.write_text(
        '{"model": "beta-large", "timestamp": 1767225600, "timestamp": 1780000000, "input": 5}\n'
        '{"model": "beta-large", "timestamp": 1767225600, "input": 5, "input": 7}\n'
    )
    result = bill(bill_catalog, [path], since=instant("2026-03-01"))
    assert bill(bill_catalog, [path], since=instant("2026-03-01"), reader="lines") == result
    assert (result.priced, result.skipped, result.rejected) == (0, 1, 1)
    assert result.rejections[0].line == 1
    assert result.rejections[0].reason.startswith("duplicate key: timestamp")
