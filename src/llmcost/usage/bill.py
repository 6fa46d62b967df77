"""`bill`: price usage logs record by record, each at its own instant, in DuckDB.

The catalog goes into DuckDB as the flat price table of `pricetable` (the bitemporal winner
already resolved for the chosen version); each log line is parsed once, normalised to the
canonical counts (`shapes`), and joined to the one price row whose valid time, weekday piece
and prompt band contain it.

Exactness: every rate is an integer number of `10**-rate_scale` units per 1M tokens and every
batch multiplier an integer number of `10**-mult_scale`; a record's cost per token kind is
`tokens * rate * multiplier`, an integer (HUGEINT: DuckDB raises on overflow, never rounds),
and the sums are turned into `Decimal` once, by a power of ten. Nothing is ever rounded.
"""

from __future__ import annotations

import bisect
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from llmcost.catalog.lookup import Catalog
from llmcost.catalog.names import normalize
from llmcost.engine import CostBreakdown
from llmcost.errors import InputError, LlmcostError
from llmcost.money import EXACT, exact_sum
from llmcost.timeparse import show_instant
from llmcost.usage import shapes
from llmcost.usage.pricetable import PriceRow, price_rows

SPECIAL_KEYS = ("model", "provider", "day", "month", "shape", "currency")
TOKEN_KINDS = ("input", "cached", "cache_write", "cache_write_1h", "output")
COST_KINDS = ("input", "cache_read", "cache_write", "output")
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$")


@dataclass(frozen=True, slots=True)
class Rejection:
    file: str
    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class GroupTotal:
    keys: dict[str, str | None]
    records: int
    tokens: dict[str, int]
    cost: CostBreakdown


@dataclass(frozen=True)
class Bill:
    version: date
    currency: str
    files: tuple[str, ...]
    group_by: tuple[str, ...]
    since: datetime | None
    until: datetime | None
    records: int  # = priced + rejected + skipped
    priced: int
    rejected: int
    skipped: int  # outside --since/--until
    total: CostBreakdown
    tokens: dict[str, int]
    groups: tuple[GroupTotal, ...]
    rejections: tuple[Rejection, ...] = field(default=())
    absent_keys: tuple[str, ...] = ()  # record fields of group_by that no priced record has


def bill(
    catalog: Catalog,
    files: Sequence[str | Path],
    *,
    known: date | None = None,
    currency: str = "USD",
    since: datetime | None = None,
    until: datetime | None = None,
    group_by: Sequence[str] = (),
    memory_limit: str | None = None,
    progress: Callable[[Callable[[], float]], Callable[[], None]] | None = None,
) -> Bill:
    """Price every record of `files` (JSON Lines, optionally gzipped, or CSV).

    `progress`, if given, is called with a function returning DuckDB's progress (0-100) and
    returns a function to call when the query is done (the CLI draws a bar with it)."""
    import duckdb

    keys = _check_clashes(tuple(_check_key(k) for k in group_by))
    paths = [Path(f) for f in files]
    for path in paths:
        if path.is_dir():
            raise InputError(
                f"{path}: is a directory, not a usage log", hint=f"pass its files: {path}/*.jsonl"
            )
        if not path.is_file():
            raise InputError(f"{path}: no such file")
    rows = [r for r in price_rows(catalog, known) if r.currency == currency]
    rate_scale, mult_scale = _scales(rows)
    # A scratch database file rather than memory: under a memory_limit DuckDB can then evict
    # the pass-1 table and spill joins and aggregates there, so a log larger than the
    # memory given to DuckDB still completes.
    scratch = tempfile.TemporaryDirectory(prefix="llmcost-bill-")
    con = duckdb.connect(
        str(Path(scratch.name) / "bill.duckdb"),
        config={"threads": os.cpu_count() or 1, "temp_directory": scratch.name},
    )
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET preserve_insertion_order = false")
        if memory_limit:
            con.execute(f"SET memory_limit = '{_sql_str(memory_limit)}'")
        _load_tables(con, Path(scratch.name), catalog, rows, rate_scale, mult_scale)
        extra = tuple(k for k in keys if k not in SPECIAL_KEYS)
        for numbered in (False, True):
            sources = [_source_sql(con, i, p, extra, numbered) for i, p in enumerate(paths)]
            _run(con, _bill_sql(sources, keys, extra, since, until), progress)
            rejected = con.execute(_rejections_sql(con, paths)).fetchall()
            unread = _reader_rejects(con, paths)
            rejected = _physical_lines(con, paths, rejected, unread)
            [(expected,)] = con.execute(
                "SELECT coalesce(sum(records), 0) FROM agg WHERE status = 'rejected'"
            ).fetchall()
            if len(rejected) == expected:
                break
            # Two different lines with one 192-bit digest (only if made so on purpose):
            # price again with every line numbered as it is read. Slow, never wrong.
            con.execute("DROP TABLE agg")
        groups = con.execute(_groups_sql(keys, mult_scale)).fetchall()
        rejected += [
            (file_no, line, reason, None, None, None)
            for file_no, rows in unread.items()
            for line, reason in rows
        ]
    except duckdb.Error as exc:
        raise InputError(
            f"reading the usage logs failed: {str(exc).splitlines()[0]}",
            where=str(paths[0]) if len(paths) == 1 else None,
            hint="each line must be UTF-8: a JSON object (JSON Lines) or a row of the CSV header",
        ) from None
    finally:
        con.close()
        scratch.cleanup()
    return _collect(catalog, known, currency, paths, keys, since, until, groups, rejected,
                    rate_scale + mult_scale + 6)  # fmt: skip


def _check_key(key: str) -> str:
    key = key.strip()
    if key in SPECIAL_KEYS or _FIELD.match(key):
        return key
    raise InputError(
        f"--group-by: {key!r} is not a field name",
        hint="model, provider, day, month, or a field of the record such as user",
    )


def _check_clashes(keys: tuple[str, ...]) -> tuple[str, ...]:
    """Refuse a record field that llmcost cannot read next to the fields it reads: one that
    differs from another only by case (`Model` and `model`: DuckDB's JSON reader and SQL names
    do not tell them apart) or only by `-` vs `_` (one SQL column)."""
    seen = {p: p for p in (*shapes.OTHER_FIELDS, *shapes.COUNT_FIELDS)}
    for key in keys:
        if key in SPECIAL_KEYS or key in seen:
            continue
        parts = key.split(".")
        for other in seen:
            theirs = other.split(".")
            clash = next(
                (
                    (".".join(parts[: i + 1]), ".".join(theirs[: i + 1]))
                    for i, (a, b) in enumerate(zip(parts, theirs, strict=False))
                    if a != b and a.lower() == b.lower() and parts[:i] == theirs[:i]
                ),
                None,
            )
            if clash is None and shapes.column(key).lower() == shapes.column(other).lower():
                clash = (key, other)
            if clash is None:
                continue
            mine, theirs_ = clash
            builtin = other in shapes.OTHER_FIELDS or other in shapes.COUNT_FIELDS
            raise InputError(
                f"--group-by: {mine!r} clashes with {theirs_!r}"
                + (", which llmcost reads" if builtin else "")
                + ": field names that differ only by case (or - and _) cannot both be read",
                hint=f"group by {other!r}"
                if mine == key and theirs_ == other
                else "rename the field in the logs",
            )
        seen[key] = key
    return keys


def _scales(rows: list[PriceRow]) -> tuple[int, int]:
    """The fewest decimal places that make every rate, and every multiplier, an integer."""

    def places(value: Decimal) -> int:
        return max(0, -value.normalize().as_tuple().exponent)

    rates = [
        places(getattr(r, k))
        for r in rows
        for k in (
            "input_mtok",
            "cache_read_mtok",
            "cache_write_mtok",
            "cache_write_1h_mtok",
            "output_mtok",
        )
    ]
    mults = [places(r.batch_multiplier) for r in rows if r.batch_multiplier is not None]
    return max(rates, default=0), max(mults, default=0)


def _scaled(value: Decimal, scale: int) -> int:
    scaled = value.scaleb(scale)
    assert scaled == scaled.to_integral_value(), (value, scale)
    return int(scaled)


def _sql_str(text: str) -> str:
    return text.replace("'", "''")


def _insert(con, scratch: Path, table: str, values: list[tuple]) -> None:
    """All rows at once, as CSV through DuckDB's reader (executemany costs a round trip per
    row, 0.4 s for the catalog; one INSERT of literals 0.09 s, mostly parsing them)."""
    if not values:
        return
    import csv
    import io

    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    for row in values:
        writer.writerow(["\\N" if v is None else v for v in row])
    types = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = ? ORDER BY ordinal_position",
        [table],
    ).fetchall()
    columns = ", ".join(f"'{name}': '{kind}'" for name, kind in types)
    path = scratch / f"{table}.csv"
    path.write_text(text.getvalue(), encoding="utf-8")
    con.execute(
        f"INSERT INTO {table} SELECT * FROM read_csv('{_sql_str(str(path))}', header = false, "
        f"columns = {{{columns}}}, nullstr = '\\N', auto_detect = false, quote = '\"', "
        "escape = '\"')"
    )
    path.unlink()


def _load_tables(con, scratch: Path, catalog: Catalog, rows: list[PriceRow], rate_scale: int,
                 mult_scale: int):  # fmt: skip
    con.execute(
        """CREATE TABLE prices (pid INTEGER, model VARCHAR, provider VARCHAR,
        valid_from TIMESTAMP, valid_until TIMESTAMP, weekday BIGINT, day_from BIGINT,
        day_until BIGINT, prompt_above BIGINT, prompt_upto BIGINT, r_input HUGEINT,
        r_read HUGEINT, r_write HUGEINT, r_write_1h HUGEINT, r_output HUGEINT, mult HUGEINT)"""
    )
    values = [
        (
            pid,
            r.model,
            r.provider,
            r.valid_from.astimezone(UTC).replace(tzinfo=None),
            r.valid_until.astimezone(UTC).replace(tzinfo=None) if r.valid_until else None,
            r.weekday,
            r.day_from_us,
            r.day_until_us,
            r.prompt_above,
            r.prompt_upto,
            *(
                _scaled(getattr(r, k), rate_scale)
                for k in (
                    "input_mtok",
                    "cache_read_mtok",
                    "cache_write_mtok",
                    "cache_write_1h_mtok",
                    "output_mtok",
                )
            ),
            None if r.batch_multiplier is None else _scaled(r.batch_multiplier, mult_scale),
        )
        for pid, r in enumerate(rows)
    ]
    _insert(con, scratch, "prices", values)
    con.execute("UPDATE prices SET valid_until = 'infinity' WHERE valid_until IS NULL")
    con.execute("CREATE TABLE names (name VARCHAR, model VARCHAR, provider VARCHAR)")
    names = {}
    for info in catalog.models():
        for name in (info.id, *info.model.aliases):
            names.setdefault(normalize(name), (info.id, info.provider))
    _insert(con, scratch, "names", [(n, m, p) for n, (m, p) in names.items()])
    # The ids and aliases as written, resolved by the same SQL normalisation as any other
    # name: most logs spell a model exactly so, and an equi-join on the raw text is cheap.
    raw = {n for info in catalog.models() for n in (info.id, *info.model.aliases)}
    con.execute("CREATE TABLE raw_names (name VARCHAR)")
    _insert(con, scratch, "raw_names", [(n,) for n in sorted(raw)])
    con.execute(
        f"""CREATE TABLE exact_names AS SELECT r.name, n.model, n.provider
        FROM raw_names r JOIN names n ON n.name = {_normalize_sql("r.name")}"""
    )


def _normalize_sql(expr: str) -> str:
    """SQL: a model name as `names` keys it (the last path part, lower case, `._ ` -> `-`)."""
    return f"translate(lower(trim(regexp_extract({expr}, '[^/]*$'))), '._ ', '---')"


def _is_csv(path: Path) -> bool:
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
    (`_physical_lines` puts them back into the count)."""
    return (
        f"read_csv('{_sql_str(str(path))}', columns = {{'line': 'VARCHAR'}}, delim = '\\x01', "
        "quote = '', escape = '', header = false, auto_detect = false, "
        "max_line_size = 16777216, buffer_size = 16777216, strict_mode = false, "
        f"null_padding = true, {_rejects(file_no)})"
    )


def _csv_reader(path: Path, file_no: int | None) -> str:
    rejects = "ignore_errors = true" if file_no is None else _rejects(file_no)
    return f"read_csv('{_sql_str(str(path))}', header = true, all_varchar = true, {rejects})"


def _source_sql(con, file_no: int, path: Path, extra: tuple[str, ...], numbered: bool) -> str:
    """One file as rows of field texts: file_no, line_no, line, bad_json, f_*.

    Unless `numbered`, a JSON line carries no number here (numbering lines as they are read
    runs the whole parse on one thread): a rejected line is kept as a digest of its text,
    and `_rejections_sql` numbers only those. A CSV row is numbered as it is read (CSV is
    not the bulk path)."""
    fields = (*shapes.OTHER_FIELDS, *shapes.COUNT_FIELDS, *extra)
    if _is_csv(path):
        reader = _csv_reader(path, file_no)
        columns = [c[0] for c in con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()]
        header = set(columns)
        missing = [c for c in ("model", "input") if c not in header]
        if missing or not header & {"timestamp", "created", "created_at"}:
            raise InputError(
                f"{path}: CSV without the column(s) " + ", ".join(missing or ["timestamp"]),
                hint="the columns are model, timestamp, input, cached, cache_write, "
                "cache_write_1h, output, batch",
            )
        cols = ",\n".join(
            (f"NULLIF(trim(\"{f}\"), '')" if f in header else "NULL::VARCHAR")
            + f" AS {shapes.column(f)}"
            for f in dict.fromkeys(fields)
        )
        names = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
        return f"""SELECT {file_no} AS file_no, line_no, NULL::VARCHAR AS line,
            false AS bad_json, {cols}
            FROM {reader} WITH ORDINALITY AS t({names}, line_no)"""
    structure = _sql_str(shapes.json_structure(extra))
    cols = ",\n".join(f"{shapes.json_ref(f)} AS {shapes.column(f)}" for f in dict.fromkeys(fields))
    reader = _json_reader(path, file_no)
    if numbered:
        reader += " WITH ORDINALITY AS t(line, line_no)"
    return f"""SELECT {file_no} AS file_no, line_no, line, j IS NULL AS bad_json, {cols}
        FROM (SELECT line, {"line_no" if numbered else "NULL::BIGINT AS line_no"},
                     try(json_transform(line, '{structure}')) AS j
              FROM {reader}
              WHERE line IS NOT NULL AND (starts_with(line, '{{') OR trim(line) <> ''))"""


TS_SECONDS = r"[0-9]{1,12}"  # whole seconds: BIGINT arithmetic, 4x cheaper than DECIMAL
TS_NUMBER = r"[0-9]{1,12}(\.[0-9]{1,6})?"
TS_DATE_TIME = r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T t][0-9:.]+)?"
# A UTC offset: +HH, +HHMM or +HH:MM, within +-18:00 and with minutes under 60 (DuckDB alone
# takes +99:99 as 100 hours 39 minutes, a silently shifted instant).
TS_OFFSET = r"([Zz]|[+-](0[0-9]|1[0-7])(:?[0-5][0-9])?|[+-]18(:?00)?)"
TS_ISO = TS_DATE_TIME + TS_OFFSET + "?"
TS_ISO_ANY_OFFSET = TS_DATE_TIME + r"[+-][0-9:]+"
TS_MILLIS = r"0*[1-9][0-9]{11,}(\.[0-9]*)?"  # 10**11 or more: as seconds, after year 5000
# The instants a record may carry: [1970, 2100) UTC. Unix seconds start at 1970; an instant
# past 2099 is a unit or typing mistake, not a date to price at today's open-ended rates.
TS_FROM, TS_UNTIL = "1970-01-01", "2100-01-01"


def _bill_sql(sources, keys, extra, since, until) -> str:
    """Pass 1, into the table `agg`: per-record pricing, summed per status, group, price row
    and batch flag (priced and skipped), or one row per distinct rejected line."""
    f = shapes.column
    # OpenAI Chat bodies carry `created`, Responses bodies `created_at` (Unix seconds)
    ts_text = f"coalesce({f('timestamp')}, {f('created')}, {f('created_at')})"
    batch = f"lower({f('batch')})"
    key_sql = {
        "model": "n.model_id",
        "provider": "n.provider",
        "day": "strftime(n.ts, '%Y-%m-%d')",
        "month": "strftime(n.ts, '%Y-%m')",
        "shape": "n.shape",
        "currency": "NULL",
    }
    groups = [key_sql.get(k, f"n.{f(k)}") for k in keys]
    bounds = []
    if since is not None:
        bounds.append(f"n.ts >= TIMESTAMP '{_naive(since)}'")
    if until is not None:
        bounds.append(f"n.ts < TIMESTAMP '{_naive(until)}'")
    in_period = " AND ".join(bounds) or "true"
    group_select = "".join(f", CASE WHEN status <> 'rejected' THEN {g} END AS g{i}"
                           for i, g in enumerate(groups))  # fmt: skip
    group_cols = "".join(f", g{i}" for i in range(len(groups)))
    rej = "CASE WHEN status = 'rejected' THEN {} END"
    not_arrays = ", ".join(
        f"CASE WHEN left(ltrim({f(c)}), 1) IN ('[', '{{') THEN NULL ELSE {f(c)} END AS {f(c)}"
        for c in shapes.CANONICAL
    )
    return f"""
CREATE TABLE agg AS
WITH src AS ({" UNION ALL ".join(sources)}),
clean AS (
  -- a logged Responses body has `output` (and a request `input`) as arrays: those are not
  -- the canonical counts of the same name; a Gemini body names its model `modelVersion`
  SELECT * REPLACE ({not_arrays}, coalesce({f("model")}, {f("modelVersion")}) AS {f("model")})
  FROM src
),
counted AS (
  SELECT *, {shapes.count_values()},
    CASE WHEN regexp_full_match({ts_text}, '{TS_SECONDS}')
           THEN make_timestamp({ts_text}::BIGINT * 1000000)
         WHEN regexp_full_match({ts_text}, '{TS_NUMBER}')
           THEN make_timestamp((({ts_text})::DECIMAL(18, 6) * 1000000::DECIMAL(38, 0))::BIGINT)
         WHEN regexp_full_match({ts_text}, '{TS_ISO}')
           THEN TRY_CAST(TRY_CAST({ts_text} AS TIMESTAMPTZ) AS TIMESTAMP)
    END AS ts0,
    {ts_text} AS ts_text
  FROM clean
),
shaped AS (
  SELECT *, {shapes.SHAPE} AS shape, {shapes.bad_count_reason()} AS bad_count,
    CASE WHEN ts0 >= TIMESTAMP '{TS_FROM}' AND ts0 < TIMESTAMP '{TS_UNTIL}' THEN ts0 END AS ts
  FROM counted
),
n AS (
  SELECT s.*, {shapes.normalized_columns()},
    coalesce(x.model, y.model) AS model_id, coalesce(x.provider, y.provider) AS provider,
    {batch} IN ('true', '1', 'yes') AS is_batch,
    CASE
      WHEN bad_json THEN 'not JSON'
      WHEN {f("model")} IS NULL AND line IS NOT NULL AND NOT starts_with(ltrim(line), '{{')
        THEN 'not a JSON object'
      WHEN {f("model")} IS NULL THEN 'no model'
      WHEN ts_text IS NULL THEN 'no timestamp (timestamp, created or created_at)'
      WHEN ts IS NULL THEN 'timestamp: ' || ts_text || CASE
        WHEN regexp_full_match(ts_text, '{TS_MILLIS}')
          THEN ' as Unix seconds is past ' || {int(TS_UNTIL[:4]) - 1}
            || ': it looks like milliseconds; give seconds'
        WHEN ts0 IS NOT NULL THEN ' is out of range: instants must fall in {TS_FROM[:4]}'
          || '-{int(TS_UNTIL[:4]) - 1} UTC'
        WHEN regexp_full_match(ts_text, '{TS_ISO_ANY_OFFSET}')
          THEN ' has an invalid UTC offset: +HH:MM within +-18:00, minutes under 60'
        ELSE ' is not an ISO 8601 instant or Unix seconds' END
      WHEN bad_count IS NOT NULL THEN bad_count
      WHEN {f("batch")} IS NOT NULL AND {batch} NOT IN ('true', '1', 'yes', 'false', '0', 'no')
        THEN 'batch: ' || {f("batch")} || ' is not true or false'
      WHEN shape IS NULL THEN 'no usage (usage, usageMetadata or input/output fields)'
      WHEN shape <> 'canonical' AND ({" OR ".join(f(c) + " IS NOT NULL" for c in shapes.CANONICAL)})
        THEN 'ambiguous: both ' || (CASE WHEN shape = 'gemini' THEN 'usageMetadata'
          ELSE 'usage' END) || ' and top-level counts (input, cached, cache_write, '
          || 'cache_write_1h, output); keep one'
      WHEN x.model IS NULL AND y.model IS NULL THEN 'unknown model'
    END AS reason0
  FROM shaped s
  LEFT JOIN exact_names x ON x.name = s.{f("model")}
  LEFT JOIN names y
    ON y.name = CASE WHEN x.model IS NULL THEN {_normalize_sql("s." + f("model"))} END
),
checked AS (
  SELECT n.*, CASE
      WHEN reason0 IS NOT NULL THEN reason0
      WHEN n_cache_write < 0 THEN 'usage.cache_creation: the 1-hour writes exceed '
        || 'cache_creation_input_tokens'
      WHEN n_cached + n_cache_write + n_cache_write_1h > n_input
        THEN 'cache hits and writes (' || (n_cached + n_cache_write + n_cache_write_1h)
          || ') exceed the prompt (' || n_input || ')'
    END AS reason1,
    isodow(ts) - 1 AS dow,
    epoch_us(ts) - epoch_us(date_trunc('day', ts)) AS tod
  FROM n
),
priced AS (
  SELECT n.*, p.pid,
    CASE
      WHEN reason1 IS NOT NULL THEN (CASE WHEN ts IS NOT NULL AND NOT ({in_period})
                                          THEN NULL ELSE reason1 END)
      WHEN NOT ({in_period}) THEN NULL
      WHEN p.pid IS NULL THEN 'no price'
      WHEN n.is_batch AND p.mult IS NULL THEN 'no batch price'
    END AS reason
  FROM checked n
  LEFT JOIN prices p ON n.reason1 IS NULL AND p.model = n.model_id AND p.weekday = n.dow
    AND n.ts >= p.valid_from AND n.ts < p.valid_until
    AND n.tod >= p.day_from AND n.tod < p.day_until
    AND n.n_input > p.prompt_above AND n.n_input <= p.prompt_upto
),
final AS (
  SELECT *, CASE WHEN reason IS NOT NULL THEN 'rejected'
                 WHEN NOT ({in_period}) THEN 'skipped' ELSE 'priced' END AS status
  FROM priced n
)
SELECT status {group_cols},
  CASE WHEN status = 'priced' THEN pid END AS pid,
  CASE WHEN status = 'priced' THEN is_batch END AS is_batch,
  {rej.format("file_no")} AS r_file,
  {rej.format("line_no")} AS r_line,
  {rej.format("CASE WHEN line_no IS NULL THEN hash(line) END")} AS r_hash,
  {rej.format("CASE WHEN line_no IS NULL THEN md5_number(line) END")} AS r_md5,
  {rej.format("reason")} AS r_reason,
  {rej.format(f("model"))} AS r_model,
  {rej.format("model_id")} AS r_model_id,
  {rej.format("ts")} AS r_ts,
  count(*) AS records,
  sum(CASE WHEN status = 'priced' THEN n_input END) AS t_input,
  sum(CASE WHEN status = 'priced' THEN n_cached END) AS t_cached,
  sum(CASE WHEN status = 'priced' THEN n_cache_write END) AS t_cache_write,
  sum(CASE WHEN status = 'priced' THEN n_cache_write_1h END) AS t_cache_write_1h,
  sum(CASE WHEN status = 'priced' THEN n_output END) AS t_output
FROM (SELECT * {group_select} FROM final n)
GROUP BY ALL
"""


def _groups_sql(keys, mult_scale) -> str:
    """The totals per status and group. Costs are linear in the counts, so each (price row,
    batch) sum of counts is multiplied by its integer rates once: exact, and few products."""
    group_cols = "".join(f", g{i}" for i in range(len(keys)))
    one = 10**mult_scale
    m = f"(CASE WHEN a.is_batch THEN p.mult ELSE {one} END)"

    def t(kind: str) -> str:
        return f"coalesce(a.t_{kind}, 0)::HUGEINT"

    return f"""
SELECT status {group_cols}, sum(records)::BIGINT AS records,
  sum({t("input")})::HUGEINT, sum({t("cached")})::HUGEINT, sum({t("cache_write")})::HUGEINT,
  sum({t("cache_write_1h")})::HUGEINT, sum({t("output")})::HUGEINT,
  sum(({t("input")} - {t("cached")} - {t("cache_write")} - {t("cache_write_1h")})
      * p.r_input * {m})::HUGEINT AS c_input,
  sum({t("cached")} * p.r_read * {m})::HUGEINT AS c_read,
  sum(({t("cache_write")} * p.r_write + {t("cache_write_1h")} * p.r_write_1h) * {m})::HUGEINT,
  sum({t("output")} * p.r_output * {m})::HUGEINT AS c_output
FROM agg a LEFT JOIN prices p ON p.pid = a.pid
WHERE status <> 'rejected'
GROUP BY ALL
ORDER BY status {group_cols}
"""


def _rejections_sql(con, paths: list[Path]) -> str:
    """Pass 2: every rejected record with its line. A rejected JSON line is found again by a
    digest of its text (64-bit hash, then 128-bit MD5) in a scan that only numbers lines (no
    parsing), and only in files with rejections; equal lines are priced alike, so each copy is
    a rejection with its own number. The caller checks the count."""
    cols = "r_reason, r_model, r_model_id, epoch_us(r_ts) AS r_us"  # ints fetch faster
    parts = [f"SELECT r_file, r_line, {cols} FROM agg "
             "WHERE status = 'rejected' AND r_hash IS NULL"]  # fmt: skip
    files = con.execute(
        "SELECT DISTINCT r_file FROM agg WHERE status = 'rejected' AND r_hash IS NOT NULL"
    ).fetchall()
    for (file_no,) in files:
        parts.append(
            f"""SELECT a.r_file, t.line_no AS r_line, {cols}
            FROM (SELECT * FROM agg WHERE status = 'rejected' AND r_file = {file_no}
                  AND r_hash IS NOT NULL) a
            JOIN (SELECT line, line_no
                  FROM {_json_reader(paths[file_no], file_no)}
                       WITH ORDINALITY AS t(line, line_no)
                  WHERE line IS NOT NULL) t
              ON hash(t.line) = a.r_hash
            WHERE md5_number(t.line) = a.r_md5"""
        )
    return " UNION ALL ".join(parts) + " ORDER BY r_file, r_line"


_READER_REASONS = {
    "INVALID ENCODING": "not UTF-8",
    "LINE SIZE OVER MAXIMUM": "a line longer than 16 MiB",
    "UNQUOTED VALUE": "a quote inside an unquoted CSV value",
}


def _reader_rejects(con, paths: list[Path]) -> dict[int, list[tuple[int, str]]]:
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
        csv = _is_csv(path)
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


def _physical_lines(con, paths: list[Path], rejected: list, unread: dict) -> list:
    """The rejected records' numbers (as read, of the rows the reader kept) as physical lines:
    past the lines the reader left out, and for CSV past cells over several lines."""
    by_file: dict[int, list] = {}
    for row in rejected:
        by_file.setdefault(row[0], []).append(row)
    out = []
    for file_no, rows in by_file.items():
        rows.sort(key=lambda r: r[1])
        path = paths[file_no]
        if _is_csv(path):
            starts = _csv_record_lines(con, path, {line for line, _ in unread.get(file_no, ())})
            out += [(r[0], starts[r[1] - 1] if starts else r[1] + 1, *r[2:]) for r in rows]
            continue
        skip = [line for line, _ in unread.get(file_no, ())]
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


def _naive(at: datetime) -> str:
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def _run(con, query: str, progress) -> None:
    if progress is None:
        con.execute(query)
        return
    import threading

    box: dict = {}

    def work():
        try:
            con.execute(query)
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    done = progress(con.query_progress)
    thread.join()
    done()
    if "error" in box:
        raise box["error"]


def _collect(catalog, known, currency, paths, keys, since, until, result, rejected,
             scale) -> Bill:  # fmt: skip
    n_keys = len(keys)
    counts = {"priced": 0, "rejected": len(rejected), "skipped": 0}
    groups: list[GroupTotal] = []
    for row in result:
        status, gvals = row[0], row[1 : 1 + n_keys]
        records = row[1 + n_keys]
        tokens_raw, costs_raw = row[2 + n_keys : 7 + n_keys], row[7 + n_keys :]
        counts[status] += records
        if status == "priced":
            tokens = {k: int(v or 0) for k, v in zip(TOKEN_KINDS, tokens_raw, strict=True)}
            cost = CostBreakdown(
                currency, *(Decimal(int(c or 0)).scaleb(-scale, EXACT) for c in costs_raw)
            )
            groups.append(GroupTotal(dict(zip(keys, gvals, strict=True)), records, tokens, cost))
    reason = _Reasons(catalog, known, currency)
    names = [str(p) for p in paths]
    rejections = [
        Rejection(names[r_file], r_line, reason(r_reason, r_model, r_model_id, r_us))
        for r_file, r_line, r_reason, r_model, r_model_id, r_us in rejected
    ]
    total = CostBreakdown(
        currency,
        *(exact_sum(getattr(g.cost, k) for g in groups) for k in COST_KINDS),
    )
    tokens = {k: sum(g.tokens[k] for g in groups) for k in TOKEN_KINDS}
    rejections.sort(key=lambda r: (r.file, r.line))
    return Bill(
        version=catalog.version_for(known),
        currency=currency,
        files=tuple(names),
        group_by=keys,
        since=since,
        until=until,
        records=sum(counts.values()),
        priced=counts["priced"],
        rejected=counts["rejected"],
        skipped=counts["skipped"],
        total=total,
        tokens=tokens,
        groups=tuple(groups),
        rejections=tuple(rejections),
        absent_keys=tuple(
            k
            for k in dict.fromkeys(keys)
            if k not in SPECIAL_KEYS and groups and all(g.keys[k] is None for g in groups)
        ),
    )


class _Reasons:
    """`_reason`, remembered: a rejection's words depend on its model and on which stretch
    between the model's price bounds its instant falls in, unless they name the instant.
    Instants come as microseconds since the epoch (UTC)."""

    def __init__(self, catalog, known, currency):
        self.args = (catalog, known, currency)
        self.cache: dict = {}
        self.bounds: dict[str, list[int]] = {}

    def _bounds(self, model_id: str) -> list[int]:
        if model_id not in self.bounds:
            catalog, known, _ = self.args
            self.bounds[model_id] = [_micros(p) for p in catalog.bounds(model_id, known)]
        return self.bounds[model_id]

    def __call__(self, reason, model, model_id, us) -> str:
        if reason not in ("unknown model", "no price", "no batch price"):
            return reason  # its own words: no instant to turn into a datetime
        if reason == "unknown model":
            key = (reason, model)
        elif reason == "no price":
            key = (reason, model_id, bisect.bisect_right(self._bounds(model_id), us))
        else:
            return _reason(*self.args, reason, model, model_id, _instant(us))
        if key in self.cache:
            return self.cache[key]
        at = _instant(us)
        text = _reason(*self.args, reason, model, model_id, at)
        if reason == "unknown model" or show_instant(at.replace(tzinfo=UTC)) not in text:
            self.cache[key] = text
        return text


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micros(at: datetime) -> int:
    delta = at.astimezone(UTC) - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _instant(us: int | None) -> datetime | None:
    """A naive UTC datetime (as DuckDB returns a TIMESTAMP) from epoch microseconds."""
    if us is None:
        return None
    return (_EPOCH + timedelta(microseconds=us)).replace(tzinfo=None)


def _reason(catalog, known, currency, reason, model, model_id, ts) -> str:
    """A rejection's reason in the words the rest of llmcost uses (with its hint)."""
    try:
        if reason == "unknown model":
            catalog.resolve(model)
        elif reason in ("no price", "no batch price"):
            at = ts.replace(tzinfo=UTC)
            if reason == "no batch price":
                return f"{model_id}: no batch price is published at {at:%Y-%m-%d %H:%M} UTC"
            catalog.price_at(model_id, at, known, currency)
    except LlmcostError as exc:
        return exc.one_line()
    return reason
