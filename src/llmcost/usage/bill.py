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

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from llmcost.catalog.lookup import Catalog
from llmcost.catalog.names import normalize
from llmcost.engine import CostBreakdown
from llmcost.errors import InputError, LlmcostError
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

    keys = tuple(_check_key(k) for k in group_by)
    paths = [Path(f) for f in files]
    for path in paths:
        if not path.is_file():
            raise InputError(f"{path}: no such file")
    rows = [r for r in price_rows(catalog, known) if r.currency == currency]
    rate_scale, mult_scale = _scales(rows)
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        if memory_limit:
            con.execute(f"SET memory_limit = '{_sql_str(memory_limit)}'")
        _load_tables(con, catalog, rows, rate_scale, mult_scale)
        extra = tuple(k for k in keys if k not in SPECIAL_KEYS)
        sources = [_source_sql(con, i, p, extra) for i, p in enumerate(paths)]
        query = _bill_sql(sources, keys, extra, since, until, mult_scale)
        result = _run(con, query, progress)
    except duckdb.Error as exc:
        raise InputError(f"reading the usage logs failed: {str(exc).splitlines()[0]}") from None
    finally:
        con.close()
    return _collect(catalog, known, currency, paths, keys, since, until, result,
                    rate_scale + mult_scale + 6)  # fmt: skip


def _check_key(key: str) -> str:
    key = key.strip()
    if key in SPECIAL_KEYS or _FIELD.match(key):
        return key
    raise InputError(
        f"--group-by: {key!r} is not a field name",
        hint="model, provider, day, month, or a field of the record such as user",
    )


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


def _load_tables(con, catalog: Catalog, rows: list[PriceRow], rate_scale: int, mult_scale: int):
    con.execute(
        """CREATE TABLE prices (model VARCHAR, provider VARCHAR, valid_from TIMESTAMP,
        valid_until TIMESTAMP, weekday INTEGER, day_from BIGINT, day_until BIGINT,
        prompt_above BIGINT, prompt_upto BIGINT, r_input HUGEINT, r_read HUGEINT,
        r_write HUGEINT, r_write_1h HUGEINT, r_output HUGEINT, mult HUGEINT)"""
    )
    values = [
        (
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
        for r in rows
    ]
    if values:
        con.executemany("INSERT INTO prices VALUES (" + ", ".join("?" * 15) + ")", values)
    con.execute("UPDATE prices SET valid_until = 'infinity' WHERE valid_until IS NULL")
    con.execute("CREATE TABLE names (name VARCHAR, model VARCHAR, provider VARCHAR)")
    names = {}
    for info in catalog.models():
        for name in (info.id, *info.model.aliases):
            names.setdefault(normalize(name), (info.id, info.provider))
    con.executemany(
        "INSERT INTO names VALUES (?, ?, ?)", [(n, m, p) for n, (m, p) in names.items()]
    )


def _is_csv(path: Path) -> bool:
    suffixes = [s.lower() for s in path.suffixes]
    return ".csv" in suffixes or ".tsv" in suffixes


def _source_sql(con, file_no: int, path: Path, extra: tuple[str, ...]) -> str:
    """One file as rows of field texts: file_no, line_no, bad_json, not_object, f_*."""
    name = _sql_str(str(path))
    fields = ("model", "timestamp", "created", "batch", *shapes.COUNT_FIELDS, *extra)
    if _is_csv(path):
        reader = f"read_csv('{name}', header = true, all_varchar = true)"
        header = {c[0] for c in con.execute(f"DESCRIBE SELECT * FROM {reader}").fetchall()}
        missing = [c for c in ("model", "input") if c not in header]
        if missing or not header & {"timestamp", "created"}:
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
        return f"""SELECT {file_no} AS file_no, row_number() OVER () + 1 AS line_no,
            false AS bad_json, false AS not_object, {cols} FROM {reader}"""
    structure = _sql_str(shapes.json_structure(extra))
    reader = (
        f"read_csv('{name}', columns = {{'line': 'VARCHAR'}}, delim = '\\x01', quote = '', "
        "escape = '', header = false, auto_detect = false, max_line_size = 16777216, "
        "strict_mode = false, null_padding = true)"
    )
    cols = ",\n".join(f"{shapes.json_text(f)} AS {shapes.column(f)}" for f in dict.fromkeys(fields))
    return f"""SELECT file_no, line_no, j IS NULL AS bad_json,
            NOT starts_with(ltrim(line), '{{') AS not_object, {cols}
        FROM (SELECT {file_no} AS file_no, row_number() OVER () AS line_no, line,
                     try(json_transform(line, '{structure}')) AS j
              FROM {reader})
        WHERE line IS NOT NULL AND trim(line) <> ''"""


TS_NUMBER = r"[0-9]{1,12}(\.[0-9]{1,6})?"
TS_ISO = r"[0-9]{4}-[0-9]{2}-[0-9]{2}([T t][0-9:.]+)?([Zz]|[+-][0-9:]+)?"


def _bill_sql(sources, keys, extra, since, until, mult_scale) -> str:
    f = shapes.column
    ts_text = f"coalesce({f('timestamp')}, {f('created')})"
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
    one = 10**mult_scale
    group_select = "".join(f", CASE WHEN status = 'priced' THEN {g} END AS g{i}"
                           for i, g in enumerate(groups))  # fmt: skip
    group_cols = "".join(f", g{i}" for i in range(len(groups)))
    return f"""
WITH src AS ({" UNION ALL ".join(sources)}),
counted AS (
  SELECT *, {shapes.count_values()},
    CASE WHEN regexp_full_match({ts_text}, '{TS_NUMBER}')
           THEN make_timestamp((({ts_text})::DECIMAL(18, 6) * 1000000::DECIMAL(38, 0))::BIGINT)
         WHEN regexp_full_match({ts_text}, '{TS_ISO}')
           THEN TRY_CAST(TRY_CAST({ts_text} AS TIMESTAMPTZ) AS TIMESTAMP)
    END AS ts,
    {ts_text} AS ts_text
  FROM src
),
shaped AS (SELECT *, {shapes.SHAPE} AS shape FROM counted),
n AS (
  SELECT s.*, {shapes.normalized_columns()},
    names.model AS model_id, names.provider AS provider,
    {batch} IN ('true', '1', 'yes') AS is_batch,
    CASE
      WHEN bad_json THEN 'not JSON'
      WHEN not_object THEN 'not a JSON object'
      WHEN {f("model")} IS NULL THEN 'no model'
      WHEN ts_text IS NULL THEN 'no timestamp (timestamp or created)'
      WHEN ts IS NULL THEN 'timestamp: ' || ts_text
        || ' is not an ISO 8601 instant or Unix seconds'
      WHEN {shapes.bad_count_reason()} IS NOT NULL THEN {shapes.bad_count_reason()}
      WHEN {f("batch")} IS NOT NULL AND {batch} NOT IN ('true', '1', 'yes', 'false', '0', 'no')
        THEN 'batch: ' || {f("batch")} || ' is not true or false'
      WHEN shape IS NULL THEN 'no usage (usage, usageMetadata or input/output fields)'
      WHEN names.model IS NULL THEN 'unknown model'
    END AS reason0
  FROM shaped s
  LEFT JOIN names ON names.name = translate(lower(trim(regexp_extract(
      s.{f("model")}, '[^/]*$'))), '._ ', '---')
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
  SELECT n.*, p.model AS p_model,
    CASE WHEN n.is_batch THEN p.mult ELSE {one} END AS m,
    CASE
      WHEN reason1 IS NOT NULL THEN (CASE WHEN ts IS NOT NULL AND NOT ({in_period})
                                          THEN NULL ELSE reason1 END)
      WHEN NOT ({in_period}) THEN NULL
      WHEN p.model IS NULL THEN 'no price'
      WHEN n.is_batch AND p.mult IS NULL THEN 'no batch price'
    END AS reason,
    p.r_input, p.r_read, p.r_write, p.r_write_1h, p.r_output
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
  CASE WHEN status = 'rejected' THEN file_no END AS r_file,
  CASE WHEN status = 'rejected' THEN line_no END AS r_line,
  CASE WHEN status = 'rejected' THEN reason END AS r_reason,
  CASE WHEN status = 'rejected' THEN {f("model")} END AS r_model,
  CASE WHEN status = 'rejected' THEN model_id END AS r_model_id,
  CASE WHEN status = 'rejected' THEN ts END AS r_ts,
  count(*) AS records,
  sum(CASE WHEN status = 'priced' THEN n_input END)::HUGEINT AS t_input,
  sum(CASE WHEN status = 'priced' THEN n_cached END)::HUGEINT AS t_cached,
  sum(CASE WHEN status = 'priced' THEN n_cache_write END)::HUGEINT AS t_cache_write,
  sum(CASE WHEN status = 'priced' THEN n_cache_write_1h END)::HUGEINT AS t_cache_write_1h,
  sum(CASE WHEN status = 'priced' THEN n_output END)::HUGEINT AS t_output,
  sum(CASE WHEN status = 'priced' THEN (n_input - n_cached - n_cache_write - n_cache_write_1h)
      ::HUGEINT * r_input * m END) AS c_input,
  sum(CASE WHEN status = 'priced' THEN n_cached::HUGEINT * r_read * m END) AS c_read,
  sum(CASE WHEN status = 'priced' THEN (n_cache_write::HUGEINT * r_write
      + n_cache_write_1h::HUGEINT * r_write_1h) * m END) AS c_write,
  sum(CASE WHEN status = 'priced' THEN n_output::HUGEINT * r_output * m END) AS c_output
FROM (SELECT * {group_select} FROM final n)
GROUP BY ALL
ORDER BY status {group_cols}, r_file, r_line
"""


def _naive(at: datetime) -> str:
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def _run(con, query: str, progress):
    if progress is None:
        return con.execute(query).fetchall()
    import threading

    box: dict = {}

    def work():
        try:
            box["rows"] = con.execute(query).fetchall()
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    done = progress(con.query_progress)
    thread.join()
    done()
    if "error" in box:
        raise box["error"]
    return box["rows"]


def _collect(catalog, known, currency, paths, keys, since, until, result, scale) -> Bill:
    n_keys = len(keys)
    counts = {"priced": 0, "rejected": 0, "skipped": 0}
    groups: list[GroupTotal] = []
    rejections: list[Rejection] = []
    for row in result:
        status, gvals = row[0], row[1 : 1 + n_keys]
        r_file, r_line, r_reason, r_model, r_model_id, r_ts, records = row[1 + n_keys : 8 + n_keys]
        tokens_raw, costs_raw = row[8 + n_keys : 13 + n_keys], row[13 + n_keys :]
        counts[status] += records
        if status == "rejected":
            rejections.append(
                Rejection(
                    str(paths[r_file]),
                    r_line,
                    _reason(catalog, known, currency, r_reason, r_model, r_model_id, r_ts),
                )
            )
        elif status == "priced":
            tokens = {k: int(v or 0) for k, v in zip(TOKEN_KINDS, tokens_raw, strict=True)}
            cost = CostBreakdown(
                currency, *(Decimal(int(c or 0)).scaleb(-scale) for c in costs_raw)
            )
            groups.append(GroupTotal(dict(zip(keys, gvals, strict=True)), records, tokens, cost))
    total = CostBreakdown(
        currency,
        *(sum((getattr(g.cost, k) for g in groups), Decimal(0)) for k in COST_KINDS),
    )
    tokens = {k: sum(g.tokens[k] for g in groups) for k in TOKEN_KINDS}
    rejections.sort(key=lambda r: (r.file, r.line))
    return Bill(
        version=catalog.version_for(known),
        currency=currency,
        files=tuple(str(p) for p in paths),
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
    )


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
