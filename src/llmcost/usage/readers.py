"""The readers of `bill`: each turns a usage log into rows of field texts for `query`.

- `fast_source`: DuckDB's JSON Lines reader, parsing only the fields llmcost reads, in
  parallel, with no line numbers. It stops at the first line it cannot take (not JSON, not an
  object, a duplicate key, an object where a count should be), so it is used only to price
  files it reads whole and without a rejection.
- `line_source`: every physical line as text, then parsed one by one (`json_transform`), or a
  CSV row: each line's fate is its own, and a rejected line is found again by its number.
  CSV files and JSON Lines files that `fast_source` did not price whole are read so, JSON
  Lines through `line_ready` (lines break at LF only; every line is counted, so none is lost).

DuckDB reads a file name with `*`, `?` or `[` as a pattern: `safe_path` links it first.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from llmcost.errors import InputError
from llmcost.usage import rules, shapes
from llmcost.usage.query import REJECTED

# The longest line either reader takes: DuckDB's JSON reader, given objects of 16 MiB, reads
# lines up to 32 MiB; the line reader is given as much, so it takes every line the other does.
MAX_LINE = 32 * 1024 * 1024

# A line of only these is blank and skipped, as DuckDB's JSON reader skips it; around an
# object, they are trimmed as it trims them (JSON itself takes only space, tab, CR, LF).
_BLANK = "' ' || chr(9) || chr(11) || chr(12) || chr(13)"


def sql_str(text: str) -> str:
    """Text inside a SQL string literal."""
    return text.replace("'", "''")


def _fields(extra: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys((*shapes.OTHER_FIELDS, *shapes.COUNT_FIELDS, *extra)))


def fast_source(file_no: int, path: Path, extra: tuple[str, ...]) -> str:
    """One JSON Lines file (optionally gzipped) as rows of field texts, read by DuckDB's JSON
    reader: file_no, line_no (NULL), line (NULL), bad_json (false), dup_key (NULL), f_*.
    Blank lines are skipped; any line it cannot read fails the whole query."""
    tree = json.loads(shapes.json_structure(extra))

    def sql_type(node) -> str:
        if isinstance(node, str):
            return node
        inner = ", ".join(f'"{key}" {sql_type(child)}' for key, child in node.items())
        return f"STRUCT({inner})"

    columns = ", ".join(f"'{sql_str(k)}': '{sql_str(sql_type(v))}'" for k, v in tree.items())
    cols = ",\n".join(f"{shapes.json_ref(f)} AS {shapes.column(f)}" for f in _fields(extra))
    return f"""SELECT {file_no} AS file_no, NULL::BIGINT AS line_no, NULL::VARCHAR AS line,
        false AS bad_json, NULL::VARCHAR AS dup_key, {cols}
        FROM read_json('{sql_str(str(path))}', format = 'newline_delimited', records = true,
                       columns = {{{columns}}}, maximum_object_size = 16777216) AS j"""


def _duplicate_key(extra: tuple[str, ...]) -> str:
    """SQL over a line's JSON text `json_text`, trimmed as `json_transform` reads it (on the
    untrimmed line, `json_keys` failed at a leading form feed and a key given twice went
    unseen): the first key llmcost reads that appears twice in its object
    (`usage.input_tokens`), or NULL. `json_transform` keeps the first value of a repeated key
    silently and DuckDB's JSON reader stops at it (`fast_source`); a record whose counts are
    ambiguous is rejected instead."""
    tree = json.loads(shapes.json_structure(extra))
    arms = []

    def walk(node: dict, path: str) -> None:
        json_path = "$" + "".join(f'."{part}"' for part in path.split(".")) if path else "$"
        names = ", ".join(f"'{sql_str(key)}'" for key in node)
        keys = (f"list_filter(try(json_keys(json_text, '{sql_str(json_path)}')), "
                f"lambda k: k IN ({names}))")  # fmt: skip
        first = f"list_filter({keys}, lambda k, i: list_position({keys}, k) < i)[1]"
        prefix = f"'{sql_str(path)}.' || " if path else ""
        arms.append(f"WHEN {first} IS NOT NULL THEN {prefix}{first}")
        for key, child in node.items():
            if isinstance(child, dict):
                walk(child, f"{path}.{key}" if path else key)

    walk(tree, "")
    return f"CASE {' '.join(arms)} END"


def duplicate_keys_sql(file_no: int, path: Path, extra: tuple[str, ...]) -> str:
    """A query that fails if `fast_source` meets a key it reads given twice in `path` (or a
    line it cannot read): every field is read, none is checked. Cheaper than looking for the
    keys line by line (`_duplicate_key`), so the line reader does that only where it fails."""
    return f"SELECT count(COLUMNS('f_.*')) FROM ({fast_source(file_no, path, extra)})"


def safe_path(path: Path, scratch: Path, file_no: int) -> Path:
    """A path DuckDB reads as this one file: DuckDB takes `*`, `?` and `[` in a file name as a
    pattern (`log[1].jsonl` would read `log1.jsonl`), so such a name becomes a link in
    `scratch` with a plain name."""
    if not any(ch in str(path) for ch in "*?[{"):
        return path
    kind = ".csv" if is_csv(path) else ".jsonl"
    link = scratch / f"in-{file_no}{kind}{'.gz' if path.suffix.lower() == '.gz' else ''}"
    try:
        link.symlink_to(path.resolve())
    except OSError:  # a file system without links: a copy reads the same
        import shutil

        shutil.copyfile(path, link)
    return link


def check_gzip(path: Path) -> None:
    """Raise (OSError, EOFError) if a gzipped `path` is damaged: DuckDB's JSON reader does not
    check a member's CRC or length, so a damaged file would be priced as it reads."""
    import gzip

    with gzip.open(path, "rb") as f:
        while f.read(1 << 24):
            pass


def line_ready(path: Path, scratch: Path, file_no: int) -> tuple[Path, int]:
    """The JSON Lines file the line reader reads for `path`, and its count of physical lines
    (LF-terminated, and a last line without one). DuckDB's line reader breaks lines at a CR
    as well, where JSON Lines (and DuckDB's JSON reader) break only at LF: a file with a CR is
    read as a plain copy in `scratch` with each CR made a tab (the same whitespace between
    JSON tokens, as invalid as a raw CR inside a string)."""
    import gzip

    opener = gzip.open if path.suffix.lower() == ".gz" else open
    lines, last, has_cr, head = 0, b"\n", False, b""
    with opener(path, "rb") as f:
        while chunk := f.read(1 << 24):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
            has_cr = has_cr or b"\r" in chunk
            head = head or chunk[:4]
    # a last line without LF counts, but not a file of only a BOM: the reader sees no line
    lines += last != b"\n" and head != b"\xef\xbb\xbf"
    if not has_cr:
        return path, lines
    copy = scratch / f"lines-{file_no}.jsonl"
    with opener(path, "rb") as f, copy.open("wb") as out:
        while chunk := f.read(1 << 24):
            out.write(chunk.replace(b"\r", b"\t"))
    return copy, lines


def lines_read_sql(path: Path, file_no: int) -> str:
    """How many physical lines the line reader gave rows for (blank ones too)."""
    return f"SELECT count(*) FROM {_json_reader(path, file_no)}"


def is_csv(path: Path) -> bool:
    suffixes = [s.lower() for s in path.suffixes]
    return ".csv" in suffixes or ".tsv" in suffixes


def _rejects(file_no: int) -> str:
    """read_csv options: a line the reader cannot take (not UTF-8, too long, the wrong number
    of CSV columns) is left out and kept in `rej_<file_no>` with its line (`_reader_rejects`),
    rather than failing the whole file."""
    return (
        f"ignore_errors = true, store_rejects = true, rejects_table = 'rej_{file_no}', "
        f"rejects_scan = 'rejscan_{file_no}'"
    )


def _json_reader(path: Path, file_no: int) -> str:
    """A JSON Lines file as one VARCHAR column `line`, one row per physical line (NULL when
    blank), so line numbers count every line, but for the lines in `rej_<file_no>`
    (`physical_lines` puts them back into the count)."""
    return (
        f"read_csv('{sql_str(str(path))}', columns = {{'line': 'VARCHAR'}}, delim = '\\x01', "
        "quote = '', escape = '', header = false, auto_detect = false, "
        f"max_line_size = {MAX_LINE}, buffer_size = {MAX_LINE}, strict_mode = false, "
        f"null_padding = true, {_rejects(file_no)})"
    )


def _check_header(con, path: Path, fields: tuple[str, ...]) -> None:
    """Refuse a CSV whose header names a column llmcost reads twice (DuckDB would read the
    first and rename the second): which one counts is unclear."""
    import csv

    try:
        with _open_text(path) as f:
            header = next((row for row in _csv_rows(_dialect(con, path), f) if row), [])
    except (csv.Error, OSError, EOFError):
        return  # DuckDB's reader reports it in its own words
    names = [name.strip() for name in header]
    for field in fields:
        alike = [n for n in names if n.lower() == field.lower()]
        if len(alike) > 1:  # DuckDB keeps one and renames the other (`output_1`)
            spelled = "" if set(alike) == {field} else f" ({', '.join(map(repr, alike))})"
            raise InputError(
                f"{path}: the CSV header names the column {field!r} twice{spelled}",
                hint="keep one column of each name",
            )


CSV_COLUMNS = ("model", "timestamp", "input", "cached", "cache_write", "cache_write_1h",
               "output", "batch")  # fmt: skip


def _check_columns(path: Path, columns: list[str], fields: tuple[str, ...]) -> None:
    """Refuse a CSV without a column llmcost must read (model, an instant, input, output):
    every row would lack that count, and a count llmcost cannot find is never taken as 0. The
    error names the header's columns llmcost does not read (`completion_tokens` for
    `output`)."""
    header = set(columns)
    missing = [c for c in ("model", "input", "output") if c not in header]
    if not header & {"timestamp", "created", "created_at"}:
        missing.insert(1, "timestamp")
    # a count under another name (`cached_tokens` for `cached`) would be billed as 0
    counts = [c for c in columns if c not in fields and _looks_like_a_count(c)]
    if counts and not missing:
        raise InputError(
            f"{path}: the CSV column(s) {', '.join(counts)} look like token counts llmcost does "
            "not read: they would be billed as 0",
            hint=f"name the counts {', '.join(shapes.CANONICAL)}",
        )
    if not missing:
        return
    unread = [c for c in columns if c not in fields]
    raise InputError(
        f"{path}: CSV without the column(s) " + ", ".join(missing)
        + (f"; the header has {', '.join(unread[:4])}, which llmcost does not read"
           if unread else ""),
        hint=f"the columns are {', '.join(CSV_COLUMNS)} (in lower case)",
    )  # fmt: skip


_COUNT_WORDS = {p.rsplit(".", 1)[-1].lower() for p in shapes.COUNT_FIELDS} | {
    "cache_read",
    "cache_hit",
    "cache_miss",
    "reasoning",
    "completion",
    "prompt",
}


def _looks_like_a_count(column: str) -> bool:
    """A CSV column named as a provider names a count (`completion_tokens`), or with `token`
    in its name: llmcost reads only the canonical names there."""
    name = column.strip().lower()
    return name in _COUNT_WORDS or "token" in name


def _csv_reader(path: Path, file_no: int | None) -> str:
    rejects = "ignore_errors = true" if file_no is None else _rejects(file_no)
    return f"read_csv('{sql_str(str(path))}', header = true, all_varchar = true, {rejects})"


def line_source(con, file_no: int, path: Path, extra: tuple[str, ...], numbered: bool,
                duplicates: bool = False) -> str:  # fmt: skip
    """One file as rows of field texts: file_no, line_no, line, bad_json, dup_key, f_*.
    `duplicates`: look for keys given twice (`_duplicate_key`; costly, so only in a file
    where `fast_source` met one).

    Unless `numbered`, a JSON line carries no number here (numbering lines as they are read
    runs the whole parse on one thread): a rejected line is kept as a digest of its text,
    and `numbered_rejections_sql` numbers only those. A CSV row is numbered as it is read (CSV is
    not the bulk path)."""
    fields = _fields(extra)
    if is_csv(path) and path.stat().st_size == 0:  # empty input is not an error
        cols = ", ".join(f"NULL::VARCHAR AS {shapes.column(f)}" for f in fields)
        return f"""SELECT {file_no} AS file_no, NULL::BIGINT AS line_no, NULL::VARCHAR AS line,
            false AS bad_json, NULL::VARCHAR AS dup_key, {cols} WHERE false"""
    if is_csv(path):
        # a CSV is the canonical shape: its columns are read by those names only
        read = (*rules.CANONICAL_SHAPE.count_fields(), *rules.CANONICAL_SHAPE.other_fields())
        fields = tuple(dict.fromkeys((*read, *extra)))
        _check_header(con, path, fields)
        reader = _csv_reader(path, file_no)
        columns = [c[0] for c in con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()]
        header = set(columns)
        _check_columns(path, columns, fields)
        cols = ",\n".join(
            (f"NULLIF(trim(\"{f}\"), '')" if f in header and f in fields else "NULL::VARCHAR")
            + f" AS {shapes.column(f)}"
            for f in _fields(extra)
        )
        names = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
        return f"""SELECT {file_no} AS file_no, line_no, NULL::VARCHAR AS line,
            false AS bad_json, NULL::VARCHAR AS dup_key, {cols}
            FROM {reader} WITH ORDINALITY AS t({names}, line_no)"""
    structure = sql_str(shapes.json_structure(extra))
    cols = ",\n".join(f"{shapes.json_ref(f)} AS {shapes.column(f)}" for f in fields)
    dup_key = _duplicate_key(extra) if duplicates else "NULL::VARCHAR"
    reader = _json_reader(path, file_no)
    if numbered:
        reader += " WITH ORDINALITY AS t(line, line_no)"
    return f"""SELECT {file_no} AS file_no, line_no, line, j IS NULL AS bad_json,
        CASE WHEN j IS NOT NULL THEN {dup_key} END AS dup_key, {cols}
        FROM (SELECT line, {"line_no" if numbered else "NULL::BIGINT AS line_no"},
                     trim(line, {_BLANK}) AS json_text,
                     try(json_transform(json_text, '{structure}')) AS j
              FROM {reader}
              WHERE line IS NOT NULL AND (starts_with(line, '{{') OR trim(line, {_BLANK}) <> ''))"""


_READER_REASONS = {
    "INVALID ENCODING": "not UTF-8",
    "LINE SIZE OVER MAXIMUM": "a line longer than 32 MiB",
    "UNQUOTED VALUE": "a quote inside an unquoted CSV value",
}


def reader_rejects(con, paths: list[Path]) -> dict[int, list[tuple[int, str]]]:
    """The lines the reader left out (`_rejects`), per file: (physical line, reason), one per
    line. A JSON Lines reader counts physical lines as DuckDB does; a CSV reader counts
    records, so a CSV line is found from its byte offset instead."""
    tables = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    out: dict[int, list[tuple[int, str]]] = {}
    for file_no, path in enumerate(paths):
        if f"rej_{file_no}" not in tables:
            continue
        rows = con.execute(
            f"""SELECT line, line_byte_position, min(error_type), min(error_message),
                  min(csv_line)
            FROM rej_{file_no} GROUP BY ALL ORDER BY line"""
        ).fetchall()
        if not rows:
            continue
        csv = is_csv(path)
        # A CSV row's offset (and text) may start with the blank lines before it.
        lead = [len(t or "") - len((t or "").lstrip("\r\n")) for *_, t in rows]
        offsets = [r[1] + n for r, n in zip(rows, lead, strict=True)]
        lines = _lines_at(path, offsets) if csv else [r[0] for r in rows]
        dialect = _dialect(con, path) if csv else {}
        seen: dict[int, str] = {}
        for line, (_, _, kind, message, text) in zip(lines, rows, strict=True):
            if kind in ("MISSING COLUMNS", "TOO MANY COLUMNS"):
                reason = _columns_reason(dialect, message, text)
            else:
                reason = _READER_REASONS.get(kind, f"{kind.lower()}: {message}")
            seen.setdefault(line, reason)
        out[file_no] = sorted(seen.items())
    return out


def _columns_reason(dialect: dict, message: str, text: str) -> str:
    expected = re.search(r"Expected Number of Columns: (\d+)", message or "")
    import csv

    try:
        found = str(len(next(iter(_csv_rows(dialect, [(text or "").strip("\r\n")])), [])))
    except csv.Error:
        number = re.search(r"Found: (\d+)", message or "")
        found = number.group(1) if number else "?"
    header = f", the header has {expected.group(1)}" if expected else ""
    return f"wrong number of columns: {found}{header}"


def _csv_rows(dialect: dict, lines):
    """Python's csv reader over `lines` in `dialect` (`_dialect`)."""
    import csv

    return csv.reader(lines, **dialect, strict=False)


def _dialect(con, path: Path) -> dict:
    """The CSV dialect DuckDB finds in `path`, as Python's csv reader's arguments."""
    import csv

    [(delim, quote, escape)] = con.execute(
        "SELECT Delimiter, Quote, Escape FROM sniff_csv(?, header = true, ignore_errors = true)",
        [str(path)],
    ).fetchall()
    empty = "(empty)"
    quote = "" if quote == empty else quote
    escape = "" if escape == empty else escape
    return {
        "delimiter": delim,
        "quotechar": quote or None,
        "quoting": csv.QUOTE_MINIMAL if quote else csv.QUOTE_NONE,
        "doublequote": bool(quote) and escape in ("", quote),
        "escapechar": escape if escape and escape != quote else None,
    }


def _open_text(path: Path):
    import gzip

    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rt", encoding="utf-8", errors="replace", newline="")
    return path.open(encoding="utf-8", errors="replace", newline="")


def _lines_at(path: Path, offsets: list[int]) -> list[int]:
    """The physical line (1-based, counting `\\n`) of each byte offset of `path`."""
    import gzip

    opener = gzip.open if path.suffix.lower() == ".gz" else open
    order = sorted(range(len(offsets)), key=offsets.__getitem__)
    result = [0] * len(offsets)
    seen, lines = 0, 1
    with opener(path, "rb") as f:
        chunk = b""
        for i in order:
            while seen + len(chunk) < offsets[i]:
                lines += chunk.count(b"\n")
                seen += len(chunk)
                chunk = f.read(1 << 20)
                if not chunk:
                    break
            cut = offsets[i] - seen
            lines_here = lines + chunk[:cut].count(b"\n")
            result[i] = lines_here
    return result


def physical_lines(con, paths: list[Path], rejected: list, unread: dict) -> list:
    """The rejected records' numbers (as read, of the rows the reader kept) as physical lines:
    past the lines the reader left out, and for CSV past cells over several lines."""
    by_file: dict[int, list] = {}
    for row in rejected:
        by_file.setdefault(row[0], []).append(row)
    out = []
    for file_no, rows in by_file.items():
        path = paths[file_no]
        if is_csv(path):
            starts = _csv_record_lines(con, path, {line for line, _ in unread.get(file_no, ())})
            out += [(r[0], starts[r[1] - 1] if starts else r[1] + 1, *r[2:]) for r in rows]
            continue
        skip = [line for line, _ in unread.get(file_no, ())]
        if not skip:  # every line was read: the numbers are the physical lines
            out += rows
            continue
        rows.sort(key=lambda r: r[1])
        j = 0
        for r in rows:
            line = r[1] + j
            while j < len(skip) and skip[j] <= line:
                j += 1
                line = r[1] + j
            out.append((r[0], line, *r[2:]))
    return out


def _csv_record_lines(con, path: Path, skip: set[int]) -> list[int] | None:
    """The physical line each CSV row DuckDB read starts on (index: its number - 1), or None
    if Python's csv reader does not see the same rows (then lines are rows + 1)."""
    starts = []
    with _open_text(path) as f:
        reader = _csv_rows(_dialect(con, path), f)
        start = 1
        for row in reader:
            if row and start not in skip:
                starts.append(start)
            start = reader.line_num + 1
    starts = starts[1:]  # the header
    [(rows,)] = con.execute(f"SELECT count(*) FROM {_csv_reader(path, None)}").fetchall()
    return starts if rows == len(starts) else None


def numbered_rejections_sql(con, paths: list[Path]) -> str:
    """Pass 2: every rejected record (in the table `rows`, `query.records_sql(detail=True)`)
    with its line. A rejected JSON line is found again by a digest of its text (64-bit hash,
    then 128-bit MD5) in a scan that only numbers lines (no parsing), and only in files with
    rejections; equal lines are priced alike, so each copy is a rejection with its own number.
    The caller checks the count."""
    cols = "r_reason, r_model, r_model_no, r_us"
    parts = [f"SELECT r_file, r_line, {cols} FROM rows "
             f"WHERE status = {REJECTED} AND r_hash IS NULL"]  # fmt: skip
    files = con.execute(
        f"SELECT DISTINCT r_file FROM rows WHERE status = {REJECTED} AND r_hash IS NOT NULL"
    ).fetchall()
    for (file_no,) in files:
        parts.append(
            f"""SELECT a.r_file, t.line_no AS r_line, {cols}
            FROM (SELECT DISTINCT r_file, r_hash, r_md5, {cols} FROM rows
                  WHERE status = {REJECTED} AND r_file = {file_no} AND r_hash IS NOT NULL) a
            JOIN (SELECT line, line_no
                  FROM {_json_reader(paths[file_no], file_no)}
                       WITH ORDINALITY AS t(line, line_no)
                  WHERE line IS NOT NULL) t
              ON hash(t.line) = a.r_hash
            WHERE md5_number(t.line) = a.r_md5"""
        )
    return " UNION ALL ".join(parts) + " ORDER BY r_file, r_line"
