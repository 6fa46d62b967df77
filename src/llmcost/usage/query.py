"""The SQL that checks, places and sums usage records, whichever reader they come from.

`records_sql` turns rows of field texts (`shapes`: one VARCHAR per field a line may carry)
into one row per (status, price-grid row, batch flag, group) with the summed token counts:
each record is checked, normalised to the canonical counts and placed in the price grid
(`pricegrid`) by integer comparisons. The cheap question, "is this record fine?", is asked of
every record; the words of a rejection only of the rejected ones, and only with `detail`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from llmcost.catalog import names
from llmcost.usage import rules, shapes
from llmcost.usage.pricegrid import DAY_US, NO_LIMIT, PriceGrid, micros

PRICED, SKIPPED, REJECTED, DUPLICATE = 0, 1, 2, 3  # the status column
STATUS = {PRICED: "priced", SKIPPED: "skipped", REJECTED: "rejected", DUPLICATE: "duplicate"}
ABORTED = "llmcost: a record is rejected"

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
FIRST_YEAR, LAST_YEAR = 1970, 2099
US_UNTIL = 4_102_444_800_000_000  # 2100-01-01 UTC in microseconds

BATCH_TRUE = "('true', '1', 'yes')"
BATCH_WORDS = "('true', '1', 'yes', 'false', '0', 'no')"
STANDARD_WORDS = "(" + ", ".join(f"'{w}'" for w in names.STANDARD_WORDS) + ")"


def grid_ctes(grid: PriceGrid) -> str:
    """The price grid's tables, which `load_grid` stored on the connection: `names` (ids
    and aliases as written) and `norm_names` (normalised) -> model number and its bounds
    `b<i>`; `stretch` (model number, stretch index) -> grid base, day cuts `c<i>`, thresholds
    `t<i>`; `limits` (model number) -> its id, context window and maximum output."""
    return """names AS (SELECT * FROM grid_names),
norm_names AS (SELECT * FROM grid_norm_names),
stretch AS (SELECT * FROM grid_stretch),
limits AS (SELECT * FROM grid_limits)"""


LIMIT_COLUMNS = {
    "model_no": "BIGINT",
    "model_id": "VARCHAR",
    "context_window": "BIGINT",
    "max_output": "BIGINT",
}


def load_grid(con, grid: PriceGrid) -> None:
    """Store the price grid's tables on `con` for `grid_ctes`. They are passed as bound
    lists, not written into the SQL: DuckDB parses a `VALUES` list of the full market
    catalog's ~60,000 names in seconds, and binds the same lists in milliseconds."""
    k, w, b = _widths(grid)

    def padded(values: Sequence[int], width: int) -> list[int]:
        return [*values, *[NO_LIMIT] * (width - len(values))]

    def names(table: dict[str, int]) -> dict[str, tuple[str, list]]:
        rows = [(name, no, grid.providers[no], *padded(grid.bounds[no], k))
                for name, no in table.items()]  # fmt: skip
        columns = {"name": "VARCHAR", "model_no": "BIGINT", "provider": "VARCHAR"}
        columns |= {f"b{i}": "BIGINT" for i in range(k)}
        return _columns(columns, rows)

    stretch_rows = [
        (s.model_no, s.index, s.base, _mask(grid, s.tiers), len(s.thresholds) + 1,
         len(s.cuts) + 1 if s.weekly else 0, *padded(s.cuts, w), *padded(s.thresholds, b))
        for s in grid.stretches
    ]  # fmt: skip
    limit_rows = [(no, grid.models[no], *limits) for no, limits in enumerate(grid.limits)]
    stretch = ["model_no", "idx", "base", "tier_mask", "bands", "day_mult"]
    stretch += [f"c{i}" for i in range(w)] + [f"t{i}" for i in range(b)]
    tables = {
        "grid_names": names(grid.names),
        "grid_norm_names": names(grid.normalized),
        "grid_stretch": _columns(dict.fromkeys(stretch, "BIGINT"), stretch_rows),
        "grid_limits": _columns(LIMIT_COLUMNS, limit_rows),
    }
    for table, columns in tables.items():
        select = ", ".join(
            f"unnest(${i}::{kind}[]) AS {name}"
            for i, (name, (kind, _)) in enumerate(columns.items(), start=1)
        )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT {select}",
            [values for _, values in columns.values()],
        )


def _columns(types: dict[str, str], rows: list[tuple]) -> dict[str, tuple[str, list]]:
    """Rows as one (type, values) list per column."""
    values = [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in types]
    pairs = zip(types.items(), values, strict=True)
    return {name: (kind, column) for (name, kind), column in pairs}


def _mask(grid: PriceGrid, tiers) -> int:
    """The tiers a stretch sells as bits, by the grid's tier numbers."""
    return sum(1 << no for no, tier in enumerate(grid.tiers) if tier in tiers)


def tier_sql(grid: PriceGrid) -> str:
    """SQL: a record's tier number in `grid.tiers` from its `service_tier` word and batch
    flag: -1 for a word no catalog tier is, -2 when the word and flag disagree, -3 when
    `service_tier` and `usage.service_tier` name different tiers."""
    listed = ", ".join(_literal(t) for t in grid.tiers)
    return f"""CASE
      WHEN {_tier_kind("openai_tier")} <> {_tier_kind("anthropic_tier")} THEN -3
      WHEN tier_word IS NULL OR tier_word IN {STANDARD_WORDS}
        THEN CASE WHEN coalesce(batch_word IN {BATCH_TRUE}, false) THEN 1 ELSE 0 END
      WHEN coalesce(batch_word IN {BATCH_TRUE}, false) AND tier_word <> 'batch' THEN -2
      ELSE coalesce(list_position([{listed}], tier_word) - 1, -1)
    END"""


def _tier_word(expr: str) -> str:
    """SQL: a record's tier field as a word, trimmed as `names.tier_name` strips a --tier
    (every white space Python knows) and in lower case."""
    return f"lower(trim({expr}, {_SPACE}))"


def _tier_kind(word: str) -> str:
    """SQL: a tier word with the standard tier's many words as one, to compare two fields."""
    return f"CASE WHEN {word} IN {STANDARD_WORDS} THEN 'standard' ELSE {word} END"


def _widths(grid: PriceGrid) -> tuple[int, int, int]:
    """How many bound, cut and threshold columns the grid tables have (at least one)."""
    return max(grid.max_bounds, 1), max(grid.max_cuts, 1), max(grid.max_thresholds, 1)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def normalize_sql(expr: str) -> str:
    """SQL: a model name as `norm_names` keys it (`catalog.names.fold`: lower case, each
    path part trimmed, `._ ` -> `-`)."""
    spaces = _SPACE[1:-1]
    joined = f"regexp_replace(trim({expr}, {_SPACE}), '[{spaces}]*/[{spaces}]*', '/', 'g')"
    # Python lowers İ to i + a combining dot, DuckDB to a plain i (`gamma_aİ` would be gamma)
    dotted = f"replace({joined}, '\u0130', 'i\u0307')"
    return f"translate(lower({dotted}), '._ ', '---')"


def head_sql(expr: str) -> str:
    """SQL: the first path part of a folded name (`openrouter/deepseek/x` -> `openrouter`),
    '' when it has none."""
    return f"CASE WHEN contains({expr}, '/') THEN split_part({expr}, '/', 1) ELSE '' END"


def rest_sql(expr: str) -> str:
    """SQL: a folded name without its first path part."""
    return f"substr({expr}, strpos({expr}, '/') + 1)"


# Every character Python's str.strip() takes for whitespace, as catalog names are read there.
_SPACE = "'" + "".join(chr(c) for c in range(0x3001) if chr(c).isspace()) + "'"


# The joins that find a record's model, in order: as written, folded, then with one, two, ...
# unknown leading path parts passed over (`names.MAX_UNKNOWN_PREFIXES`).
_JOINS = ("x", "y", *(f"p{i}" for i in range(1, names.MAX_UNKNOWN_PREFIXES + 1)))


def _model_no(grid: PriceGrid) -> str:
    """SQL: the model number of `c.model_text` over `_name_joins`: as written, else folded,
    else with unknown leading path parts passed over, as `Catalog.resolve` does (a name under
    a provider's own prefix is that provider's or unknown)."""
    return _first("model_no")


def _first(column: str) -> str:
    """SQL: `column` of the first of `_JOINS` that found the name."""
    return "coalesce(" + ", ".join(f"{j}.{column}" for j in _JOINS) + ")"


def _name_joins(grid: PriceGrid) -> str:
    """A join per way of finding the name, each tried only where those before it found
    nothing; the n-th prefix join needs each of the first n path parts to be non-empty and
    no provider's spelling."""
    providers = ", ".join(_literal(p) for p in sorted(grid.provider_spellings)) or "NULL"
    name = normalize_sql("c.model_text")
    joins = [
        "LEFT JOIN names x ON x.name = c.model_text",
        f"LEFT JOIN norm_names y ON x.model_no IS NULL AND y.name = {name}",
    ]
    unknown: list[str] = []
    for alias in _JOINS[2:]:
        unknown.append(f"{head_sql(name)} NOT IN ('', {providers})")
        name = rest_sql(name)
        missed = " AND ".join(f"{j}.model_no IS NULL" for j in _JOINS[: _JOINS.index(alias)])
        joins.append(
            f"LEFT JOIN norm_names {alias} ON {missed}\n    AND {' AND '.join(unknown)}"
            f" AND {alias}.name = {name}"
        )
    return "\n  ".join(joins)


def model_numbers_sql(grid: PriceGrid, names: Sequence[str]) -> str:
    """`SELECT` of (name, model number or NULL) for each of `names`, as `records_sql` finds
    them (the compiled scanner asks of names the grid does not hold as written)."""
    rows = ", ".join(f"({_literal(n)})" for n in names) or "(NULL)"
    return f"""WITH {grid_ctes(grid)}
SELECT c.model_text, {_model_no(grid)}
FROM (VALUES {rows}) c(model_text)
{_name_joins(grid)}"""


def shaped_ctes(sources: Sequence[str]) -> str:
    """The CTEs `src` (the readers' rows), `shaped` (the usage records among them) and
    `fields` (with each record's `shape`, by number in `rules.SHAPES`)."""
    f = shapes.column
    canonical = ", ".join(
        f"CASE WHEN left({f(c)}, 1) IN ('[', '{{') THEN NULL ELSE {f(c)} END AS {f(c)}"
        for c in shapes.LENIENT
    )
    return f"""src AS ({" UNION ALL ".join(sources)}),
shaped AS (
  -- a logged Responses body has `output` (and a request `input`) as arrays: those are not
  -- the canonical counts of the same name; lines that are not usage are not records
  SELECT * REPLACE ({canonical}) FROM src WHERE NOT ({shapes.not_record()})
),
fields AS (
  SELECT *, {shapes.SHAPE} AS shape FROM shaped
)"""


def ids_sql(source: str) -> str:
    """The request ids (`rules.Shape.request_id`) of the records of one reader's rows."""
    return f"""WITH {shaped_ctes([source])}
SELECT id FROM (SELECT {shapes.id_sql()} AS id FROM fields) WHERE id IS NOT NULL"""


# the columns `checked` keeps outside `detail` (besides the group fields)
_CARRIED = ("file_no", "dup_key", "model_text", "shape", "id_text", "o_session", "o_project",
            "o_key", "o_cost")  # fmt: skip


def _outside_sql(since: datetime | None, until: datetime | None) -> str:
    """SQL over `us`: the instant is outside [since, until)."""
    bounds = []
    if since is not None:
        bounds.append(f"us >= {micros(since)}")
    if until is not None:
        bounds.append(f"us < {micros(until)}")
    return f"NOT ({' AND '.join(bounds)})" if bounds else "false"


def _groups_sql(record_keys: Sequence[str], by_day: bool, by_shape: bool, day_us: int = DAY_US,
                canonical: Sequence[str] = ()) -> list[str]:  # fmt: skip
    """The group columns (`records_sql`) of priced records."""
    priced = f"status = {PRICED}"
    day = [f"CASE WHEN {priced} THEN us // {day_us} END AS g_day"] if by_day else []
    shape = [f"CASE WHEN {priced} THEN shape END AS g_shape"] if by_shape else []
    shape += [f"CASE WHEN {priced} THEN o_{name} END AS g_{name}" for name in canonical]
    keys = [f"CASE WHEN {priced} THEN {shapes.column(key)} END AS g_{i}"
            for i, key in enumerate(record_keys)]  # fmt: skip
    return [*day, *shape, *keys]


def _detail_sql(grid: PriceGrid) -> str:
    """The columns of a record's row with `detail` (`records_sql`)."""
    rejected = f"status = {REJECTED}"
    return f""",
  CASE WHEN {rejected} THEN line_no END AS r_line,
  CASE WHEN {rejected} AND line_no IS NULL THEN hash(line) END AS r_hash,
  CASE WHEN {rejected} AND line_no IS NULL THEN md5_number(line) END AS r_md5,
  CASE WHEN {rejected} THEN {_reason_sql(grid)} END AS r_reason,
  CASE WHEN {rejected} THEN model_text END AS r_model,
  CASE WHEN {rejected} THEN model_no END AS r_model_no,
  CASE WHEN {rejected} THEN us END AS r_us,
  CASE WHEN {rejected} THEN counts_ok AND NOT conflict END AS r_counted,
  file_no AS d_file,
  id_text AS d_id"""


def records_sql(
    grid: PriceGrid,
    sources: Sequence[str],
    *,
    record_keys: Sequence[str],
    by_day: bool,
    by_shape: bool,
    since: datetime | None,
    until: datetime | None,
    detail: bool,
    dedupe: bool = False,
    at: datetime | None = None,
    day_us: int = DAY_US,
    canonical: Sequence[str] = (),
) -> str:
    """`SELECT` of the sums: `status` (`STATUS`), grid row `pid` and `tier_no` (of priced
    records), the group (`g_day`: UTC buckets of `day_us` since the epoch, whole days unless
    a zone's days are asked for (`zones`); `g_shape`; `g_<name>`: each of `canonical`, the
    optional canonical fields `session`, `project`, `key`; `g_<i>`: the i-th of
    `record_keys`; all of priced records), `records`, the sums `t_<kind>` (`TOKEN_KINDS`:
    of priced records), then `r_file`. With `detail`, one row per record, not summed
    (`sums_sql` sums them), and a rejected one carries its number (`r_line`, or a digest
    `r_hash`/`r_md5` of its text), the words of its reason (`r_reason`), its model (`r_model`,
    `r_model_no`) and instant (`r_us`): grouping a million rejected lines would only hold
    them all in a hash table, where a table of rows can go to disk. `sources` are
    `SELECT`s of file_no, line_no, line, bad_json, dup_key and every field's text
    (`shapes.column`). Without `detail`, the query stops with an error naming `ABORTED` at the
    first rejected record: its caller reads the file line by line instead.

    With `dedupe` (and `detail`), records with the same id (`id`, Gemini's `responseId`) are
    one response logged more than once: one copy keeps its status and the others are
    `DUPLICATE`, unless the copies differ in what is billed (model, instant, counts, batch,
    group values), when every copy is rejected. Records without an id are never merged.
    `d_id` carries each record's id."""
    k, w, b = _widths(grid)
    outside = _outside_sql(since, until)
    at_text = None if at is None else at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    priced = f"status = {PRICED}"
    groups = _groups_sql(record_keys, by_day, by_shape, day_us, canonical)
    rejected = f"status = {REJECTED}"
    detail_cols = _detail_sql(grid) if detail else ""
    sums = ",\n  ".join(
        (f"n_{kind}" if detail else f"sum(n_{kind})") + f" AS t_{kind}" for kind in shapes.CANONICAL
    )
    carry = "*" if detail else ", ".join([*_CARRIED, *map(shapes.column, record_keys)])
    # error() on a value of the row, so it cannot be folded into a constant
    abort = f"\nWHERE status <> {REJECTED} OR error('{ABORTED} ' || file_no)"
    return f"""
WITH {grid_ctes(grid)},
{shaped_ctes(sources)},
named AS (
  SELECT *,
    {shapes.model_sql()} AS model_text, {shapes.instant_sql(at_text)} AS ts_text,
    {shapes.id_sql()} AS id_text,
    {shapes.batch_sql()} AS batch_text, lower(batch_text) AS batch_word,
    {_tier_word(shapes.tier_fields(0))} AS openai_tier,
    {_tier_word(shapes.tier_fields(1))} AS anthropic_tier,
    coalesce(openai_tier, anthropic_tier) AS tier_word,
    {shapes.optional_sql("session")} AS o_session,
    {shapes.optional_sql("project")} AS o_project,
    {shapes.optional_sql("key")} AS o_key,
    {shapes.optional_sql("cost")} AS o_cost
  FROM fields
),
counted AS (
  SELECT *, {shapes.count_values()},
    {shapes.any_bad_count()} AS bad_count,
    CASE WHEN regexp_full_match(ts_text, '{TS_SECONDS}') THEN ts_text::BIGINT * 1000000
         WHEN regexp_full_match(ts_text, '{TS_NUMBER}')
           THEN (ts_text::DECIMAL(18, 6) * 1000000::DECIMAL(38, 0))::BIGINT
         WHEN regexp_full_match(ts_text, '{TS_ISO}')
           THEN epoch_us(TRY_CAST(upper(ts_text) AS TIMESTAMPTZ))  -- RFC 3339 allows t, z
    END AS us0
  FROM named
),
checked AS (
  -- every check that needs no catalog; then, outside `detail`, only the columns still
  -- needed, so that the joins below carry a few columns, not every field
  SELECT {carry}, {shapes.normalized_columns()},
    CASE WHEN us0 >= 0 AND us0 < {US_UNTIL} THEN us0 END AS us,
    {shapes.count_issue()} AS count_issue,
    {tier_sql(grid)} AS tier_no,
    NOT bad_json AND dup_key IS NULL AND model_text IS NOT NULL AND us0 >= 0
      AND us0 < {US_UNTIL} AND NOT bad_count
      AND (batch_word IS NULL OR batch_word IN {BATCH_WORDS}) AND tier_no >= 0
      AND shape IS NOT NULL
      AND NOT ({shapes.ambiguous()}) AS parsed
  FROM counted
),
normal AS (
  SELECT c.*,
    {_model_no(grid)} AS model_no,
    {" + ".join(f"(us >= {_first(f'b{i}')})::INTEGER" for i in range(k))}
      AS stretch_idx,
    parsed AND count_issue IS NULL AND n_cache_write >= 0
      AND n_cached + n_cache_write + n_cache_write_1h <= n_input AS counts_ok
  FROM checked c
  {_name_joins(grid)}
),
placed AS (
  SELECT n.*, s.base IS NOT NULL AS has_price,
    tier_no >= 0 AND (s.tier_mask >> tier_no) & 1 = 1 AS tier_ok,
    s.base + (((us // {DAY_US} + 3) % 7) * s.day_mult
              + {" + ".join(f"(us % {DAY_US} >= s.c{i})::INTEGER" for i in range(w))}) * s.bands
      + {" + ".join(f"(n_input > s.t{i})::INTEGER" for i in range(b))} AS pid,
    counts_ok AND n.model_no IS NOT NULL AND n_input <= coalesce(l.context_window, {NO_LIMIT})
      AND n_output <= coalesce(l.max_output, {NO_LIMIT}) AS fine,
    l.model_id AS limits_model, l.context_window, l.max_output
  FROM normal n
  LEFT JOIN stretch s ON s.model_no = n.model_no AND s.idx = n.stretch_idx
  LEFT JOIN limits l ON l.model_no = n.model_no
),
statused AS (
  -- outside the window: skipped whatever else the record holds, unless its instant itself
  -- is in doubt (a timestamp key given twice: which one is outside?)
  SELECT *, CASE WHEN us IS NOT NULL AND {outside}
                   AND coalesce(dup_key NOT IN ('timestamp', 'created', 'created_at'), true)
                   THEN {SKIPPED}
                 WHEN fine AND has_price AND tier_ok THEN {PRICED}
                 ELSE {REJECTED} END AS status
  FROM placed
),
deduped AS ({_deduped(record_keys, canonical) if dedupe and detail else _NOT_DEDUPED})
SELECT status,
  CASE WHEN {priced} THEN pid END AS pid,
  CASE WHEN {priced} THEN tier_no END AS tier_no{"".join(f",{chr(10)}  {g}" for g in groups)},
  {"1" if detail else "count(*)"} AS records,
  {sums},
  CASE WHEN {rejected} THEN file_no END AS r_file{detail_cols}
FROM deduped{"" if detail else abort}{"" if detail else chr(10) + "GROUP BY ALL"}
"""


_NOT_DEDUPED = "SELECT *, false AS conflict FROM statused"


def _deduped(record_keys: Sequence[str], canonical: Sequence[str] = ()) -> str:
    """SQL over `statused`: the copies of one id as `records_sql` says (`dedupe`)."""
    own = [str(no) for no, s in enumerate(rules.SHAPES) if s.instant_per_copy]
    us = f"CASE WHEN shape IN ({', '.join(own)}) THEN NULL ELSE us END" if own else "us"
    billed = ", ".join(["status", "model_text", us, "tier_no",
                        *(f"n_{k}" for k in shapes.CANONICAL),
                        *(f"o_{name}" for name in canonical),
                        *(shapes.column(k) for k in record_keys)])  # fmt: skip
    return f"""
  SELECT * REPLACE (CASE WHEN id_text IS NULL THEN status
                         WHEN conflict THEN {REJECTED}
                         WHEN copy_no > 1 THEN {DUPLICATE}
                         ELSE status END AS status)
  FROM (SELECT *, row_number() OVER (PARTITION BY id_text ORDER BY us) AS copy_no,
          id_text IS NOT NULL AND min(billed) OVER w <> max(billed) OVER w AS conflict
        FROM (SELECT *, hash({billed}) AS billed FROM statused)
        WINDOW w AS (PARTITION BY id_text))"""


def duplicates_sql(table: str) -> str:
    """The ids billed once for several copies in `table` (`records_sql(detail=True, dedupe=
    True)` rows), with how many copies were left out, most first."""
    return f"""SELECT d_id, count(*) FROM {table} WHERE status = {DUPLICATE}
GROUP BY d_id ORDER BY count(*) DESC, d_id"""


def sums_sql(table: str, groups: int) -> str:
    """The sums of `records_sql(detail=True)` rows in `table` that are not rejected, in the
    columns of `records_sql(detail=False)`."""
    cols = ", ".join(["status", "pid", "tier_no", *(f"#{4 + i}" for i in range(groups))])
    kinds = ", ".join(f"sum(t_{kind})" for kind in shapes.CANONICAL)
    return f"""SELECT {cols}, sum(records)::BIGINT, {kinds}
FROM {table} WHERE status <> {REJECTED}
GROUP BY ALL"""


def unpriced_sql(table: str) -> str:
    """The token sums, by kind, of the rejected records in `table` (`records_sql(detail=True)`
    rows) whose counts could be read and agree with each other: what the bill leaves out."""
    kinds = ", ".join(f"coalesce(sum(t_{kind}), 0)" for kind in shapes.CANONICAL)
    return f"SELECT {kinds} FROM {table} WHERE status = {REJECTED} AND r_counted"


def _reason_sql(grid: PriceGrid) -> str:
    """SQL: why a rejected record is rejected, in the order its fields are checked."""
    f = shapes.column
    gemini = " OR ".join(f(p) + " IS NOT NULL" for p in shapes.COUNT_FIELDS if "Metadata" in p)
    return f"""CASE
      WHEN bad_json THEN 'not JSON'
      WHEN dup_key IS NOT NULL
        THEN 'duplicate key: ' || dup_key || ' is given twice; which value counts is unclear'
      WHEN model_text IS NULL AND line IS NOT NULL AND NOT starts_with(ltrim(line), '{{')
        THEN 'not a JSON object'
      WHEN model_text IS NULL THEN 'no model'
      WHEN ts_text IS NULL THEN 'no timestamp (' || {shapes.instant_names()} || ')'
      WHEN us IS NULL THEN 'timestamp: ' || ts_text || CASE
        WHEN regexp_full_match(ts_text, '{TS_MILLIS}')
          THEN ' as Unix seconds is past {LAST_YEAR}: it looks like milliseconds; give seconds'
        WHEN us0 IS NOT NULL
          THEN ' is out of range: instants must fall in {FIRST_YEAR}-{LAST_YEAR} UTC'
        WHEN regexp_full_match(ts_text, '{TS_ISO_ANY_OFFSET}')
          THEN ' has an invalid UTC offset: +HH:MM within +-18:00, minutes under 60'
        ELSE ' is not an ISO 8601 instant or Unix seconds' END
      WHEN bad_count THEN {shapes.bad_count_reason()}
      WHEN batch_word IS NOT NULL AND batch_word NOT IN {BATCH_WORDS}
        THEN {shapes.batch_name()} || ': ' || batch_text || ' is not true or false'
      WHEN tier_no = -3 THEN {shapes.tier_names(0)} || ' is ' || openai_tier || ' but '
        || {shapes.tier_names(1)} || ' is ' || anthropic_tier
        || ': which tier was billed is unclear'
      WHEN tier_no = -2 THEN 'batch is true but service_tier is ' || tier_word
      WHEN tier_no = -1
        THEN 'service_tier: ' || tier_word || ' is not a service tier the catalog prices'
      WHEN shape IS NULL THEN 'no usage (usage, usageMetadata or input/output fields)'
      WHEN {shapes.ambiguous()}
        THEN 'ambiguous: both ' || (CASE WHEN {gemini} THEN 'usageMetadata' ELSE 'usage' END)
          || ' and top-level counts (input, cached, cache_write, cache_write_1h, output); '
          || 'keep one'
      WHEN count_issue IS NOT NULL THEN count_issue
      WHEN model_no IS NULL THEN 'unknown model'
      WHEN n_cache_write < 0 THEN 'usage.cache_creation: the 1-hour writes exceed '
        || 'cache_creation_input_tokens'
      WHEN n_cached + n_cache_write + n_cache_write_1h > n_input
        THEN 'cache hits and writes (' || (n_cached + n_cache_write + n_cache_write_1h)
          || ') exceed the prompt (' || n_input || ')'
      WHEN n_input > context_window
        THEN 'a prompt of ' || n_input || ' tokens is past ' || limits_model
          || '''s context window of ' || context_window || ' tokens'
      WHEN n_output > max_output
        THEN 'an output of ' || n_output || ' tokens is past ' || limits_model
          || '''s max output of ' || max_output || ' tokens'
      WHEN NOT has_price THEN 'no price'
      WHEN conflict THEN 'id ' || id_text || ' is logged more than once with different '
        || 'counts, model or instant: which copy to bill is unclear'
      ELSE 'no ' || [{", ".join(_literal(t) for t in grid.tiers)}][tier_no + 1] || ' price'
    END"""
