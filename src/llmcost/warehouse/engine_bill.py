"""`llmcost bill --engine duckdb|spark`: the same bill, computed where the records are read.

The records are read by the engine (`records`), checked as `bill` checks them, priced by the
warehouse expression (`expr.price`), de-duplicated by response id, and summed there; only
the sums, the rejected records and the ids logged twice come back to Python, which words
the rejections as `bill` does and turns the sums (costs times 10^18, whole numbers) into
`Decimal`s. A rejected record is named by its file and, as no engine numbers lines, line 0.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import NamedTuple

from llmcost.catalog.lookup import Catalog
from llmcost.engine import CostBreakdown
from llmcost.errors import InputError, LlmcostError
from llmcost.money import EXACT, exact_sum
from llmcost.usage.pricegrid import micros, price_grid
from llmcost.warehouse import records as rec
from llmcost.warehouse.expr import COSTS
from llmcost.warehouse.tables import COST_SCALE, NAME_COLUMNS, PRICE_COLUMNS, price_table

ENGINES = ("duckdb", "spark")
GROUP_KEYS = ("model", "provider", "day", "month", "currency")
PRICED, SKIPPED, REJECTED, DUPLICATE = "priced", "skipped", "rejected", "duplicate"
_SCHEME = ("://", "s3a:", "hdfs:", "gs:", "abfs")


def check_group_keys(keys: Sequence[str]) -> None:
    for key in keys:
        if key not in GROUP_KEYS:
            raise InputError(
                f"--group-by {key}: --engine groups by {', '.join(GROUP_KEYS)} only",
                hint="group by a record field with the default engine (drop --engine)",
            )


def _local(path: str) -> bool:
    return not any(mark in path for mark in _SCHEME)


def read(eng, paths: Sequence[str]):
    """The records of `paths` as an Ibis table of texts (`records.FIELDS`) and `_file`,
    the path as given."""
    import ibis

    by_kind: dict[str, list[str]] = {"json": [], "parquet": []}
    for path in paths:
        by_kind[rec.kind_of(path)].append(path)
    read_kind = _duck if eng.name == "duckdb" else _spark
    parts = [read_kind(eng, kind, group) for kind, group in by_kind.items() if group]
    table = parts[0] if len(parts) == 1 else ibis.union(*parts)
    return table


def _literal_list(paths: Sequence[str]) -> str:
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


def _duck(eng, kind: str, paths: Sequence[str]):
    if kind == "json":
        columns = "{" + ", ".join(f"'{f}': 'VARCHAR'" for f in rec.FIELDS) + "}"
        sql = (
            f"SELECT * EXCLUDE (filename), filename AS _file FROM read_json("
            f"{_literal_list(paths)}, columns={columns}, format='newline_delimited', "
            "filename=true, maximum_object_size=33554432)"
        )
        return eng.view(sql)
    sql = (
        f"SELECT * EXCLUDE (filename), filename AS _file FROM read_parquet("
        f"{_literal_list(paths)}, filename=true, union_by_name=true)"
    )
    return _texts(eng.view(sql))


def _spark(eng, kind: str, paths: Sequence[str]):
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType

    session = eng.session
    uris = {_uri(p): p for p in paths}
    if kind == "json":
        schema = StructType(
            [StructField(f, StringType()) for f in rec.FIELDS]
            + [StructField("_corrupt", StringType())]
        )
        df = (session.read.schema(schema).option("mode", "PERMISSIVE")
              .option("columnNameOfCorruptRecord", "_corrupt").json(list(paths)))  # fmt: skip
        df = df.withColumn("_file", F.input_file_name())
        df = df.cache()
        if df.filter(df["_corrupt"].isNotNull()).limit(1).count():
            df.unpersist()
            raise InputError(
                "a line of " + ", ".join(paths) + " is not a JSON object",
                hint="--engine reads well-formed JSON Lines; the default engine (drop --engine) "
                "rejects such lines one by one",
            )
        df = df.drop("_corrupt")
    else:
        df = session.read.option("mergeSchema", "true").parquet(*paths)
        df = df.withColumn("_file", F.input_file_name())
    mapping = F.create_map(*[x for uri, p in uris.items() for x in (F.lit(uri), F.lit(p))])
    df = df.withColumn("_file", F.coalesce(mapping[df["_file"]], df["_file"]))
    table = eng.dataframe(df)
    return table if kind == "json" else _texts(table)


def _uri(path: str) -> str:
    if _local(path):
        return Path(os.path.abspath(path)).as_uri()
    return path


def _texts(table):
    """A Parquet table's canonical columns as the texts JSON gives (absent: NULL); a
    TIMESTAMP column as its epoch seconds."""
    import ibis

    cols = {}
    for field in rec.FIELDS:
        if field not in table.columns:
            cols[field] = ibis.null("string")
        elif table[field].type().is_timestamp():
            cols[field] = table[field].epoch_seconds().floor().cast("int64").cast("string")
        else:
            cols[field] = table[field].cast("string")
    return table.select(**cols, _file=table._file)


def checked(raw, tiers: Sequence[str]):
    """`raw` with each record's parsed values and `pre`: why it is rejected before any
    name or price is looked at (bill's words and order), or NULL."""
    import ibis

    t = raw
    obj = {c: ibis.ifelse(t[c].left(1).isin(["[", "{"]), ibis.null("string"), t[c])
           for c in rec.COUNTS}  # fmt: skip
    t = t.mutate(**obj)
    ts_text = ibis.coalesce(t.timestamp, t.created, t.created_at)
    t = t.mutate(_ts=ts_text)
    seconds, frac = rec.parse_instant(t._ts)
    t = t.mutate(_s0=seconds, _f0=frac)
    ok_time = rec.in_range(t._s0, t._f0)
    count_ok = {c: rec.full(t[c], "^[0-9]{1,18}$") for c in rec.COUNTS}
    bad_count = ibis.cases(
        *[(t[c].notnull() & ~count_ok[c], f"{c}: " + t[c] + " is not a non-negative whole "
           "number of at most 18 digits") for c in rec.COUNTS],
        else_=ibis.null("string"),
    )  # fmt: skip
    batch_word = t.batch.lower()
    batch_true = batch_word.isin(list(rec.BATCH_TRUE)).fill_null(False)
    tier_word = t.service_tier.strip().lower()
    from llmcost.catalog.names import STANDARD_WORDS

    standard = tier_word.isnull() | tier_word.isin(list(STANDARD_WORDS))
    tier = ibis.cases(
        (standard, ibis.ifelse(batch_true, "batch", "standard")),
        (batch_true & (tier_word != "batch"), ibis.null("string")),
        else_=tier_word,
    )
    pre = ibis.cases(
        (t.model.isnull(), "no model"),
        (t._ts.isnull(), "no timestamp (timestamp, created or created_at)"),
        (~ok_time.fill_null(False), rec.instant_reason(t._ts, t._s0)),
        (bad_count.notnull(), bad_count),
        (batch_word.notnull() & ~batch_word.isin(list(rec.BATCH_WORDS)),
         "batch: " + t.batch + " is not true or false"),
        (batch_true & ~standard & (tier_word != "batch"),
         "batch is true but service_tier is " + tier_word),
        (~standard & ~tier_word.isin(list(tiers)),
         "service_tier: " + tier_word + " is not a service tier the catalog prices"),
        (t.input.isnull(), "no usage (usage, usageMetadata or input/output fields)"),
        (t.output.isnull(),
         "output is missing: a count llmcost cannot find is not taken as 0"),
        else_=ibis.null("string"),
    )  # fmt: skip
    fine = pre.isnull()
    counts = {
        c: ibis.ifelse(
            fine | count_ok[c].fill_null(False), t[c].try_cast("int64"), ibis.null("int64")
        )
        for c in rec.COUNTS
    }
    return t.mutate(
        _pre=pre,
        _us=ibis.ifelse(ok_time.fill_null(False), t._s0 * 1_000_000 + t._f0, ibis.null("int64")),
        timestamp=ibis.ifelse(ok_time.fill_null(False), t._s0, ibis.null("int64")),
        tier=tier,
        _id=t.id.nullif(""),
        **counts,
    )


def bill_on_engine(
    catalog: Catalog,
    files: Sequence[str],
    *,
    engine: str,
    known: date | None = None,
    currency: str = "USD",
    since: datetime | None = None,
    until: datetime | None = None,
    group_by: Sequence[str] = (),
    session=None,
):
    """`usage.bill.bill` on `engine`: the same `Bill` for canonical records."""

    from llmcost.usage.bill import Bill, Rejection, _check_readable

    keys = tuple(group_by)
    check_group_keys(keys)
    for name in files:
        rec.kind_of(name)
        if _local(name):
            _check_readable(Path(name))
    grid = price_grid(catalog, known, currency)
    out = _on_engine(catalog, files, engine, session, grid, known, currency, since, until, keys)
    counts = {PRICED: 0, SKIPPED: 0, REJECTED: len(out.rejected), DUPLICATE: 0}
    for row in out.sums:
        counts[row["status"]] += int(row["records"])
    group_totals = _group_totals(out.sums, keys, currency)
    reasons = _Words(catalog, known, currency, grid, out.unknown)
    rejections = sorted(Rejection(r["_file"], 0, reasons(r)) for r in out.rejected)
    total = CostBreakdown(
        currency,
        *(exact_sum(getattr(g.cost, k) for g in group_totals)
          for k in ("input", "cache_read", "cache_write", "output")),
    )  # fmt: skip
    return Bill(
        version=catalog.version_for(known),
        currency=currency,
        files=tuple(str(f) for f in files),
        group_by=keys,
        since=since,
        until=until,
        records=sum(counts.values()),
        priced=counts[PRICED],
        rejected=counts[REJECTED],
        skipped=counts[SKIPPED],
        duplicates=counts[DUPLICATE],
        total=total,
        tokens={k: sum(g.tokens[k] for g in group_totals) for k in rec.COUNTS},
        groups=group_totals,
        rejections=tuple(rejections),
        duplicate_ids=tuple((str(i), int(n)) for i, n in out.duplicates),
        unpriced_tokens={k: int(out.unpriced[f"u_{k}"] or 0) for k in rec.COUNTS},
    )


class _EngineRows(NamedTuple):
    """What the engine computed: the sums by status and group, the rejected records, the
    unpriced tokens, the duplicated ids, and the logged names no offering carries."""

    sums: list[dict]
    rejected: list[dict]
    unpriced: dict
    duplicates: list[tuple]
    unknown: set[str]


def _on_engine(catalog, files, engine, session, grid, known, currency, since, until,
               keys) -> _EngineRows:  # fmt: skip
    """Price `files` on `engine`; an engine's own error is one line, never a traceback."""
    from llmcost.warehouse.engines import engine_named

    eng = engine_named(engine, session)
    try:
        raw = read(eng, list(files))
        provider = raw.filter(raw.usage.notnull() | raw.usageMetadata.notnull()).limit(1)
        if eng.rows(provider.select("_file")):
            raise InputError(
                "a record carries a provider's usage (usage or usageMetadata)",
                hint="--engine reads canonical records (input, cached, cache_write, "
                "cache_write_1h, output); bill provider logs with the default engine "
                "(drop --engine)",
            )
        t = checked(raw, grid.tiers)
        logged = eng.rows(t.select(name=t.model).filter(t.model.notnull()).distinct())
        names_rows, unknown = _names(catalog, [r["name"] for r in logged])
        keys_used = {catalog.resolve(r["name"]).key for r in names_rows}
        prices = eng.memtable(price_table(catalog, known, keys_used), PRICE_COLUMNS)
        names = eng.memtable(names_rows, NAME_COLUMNS)
        from llmcost.warehouse.expr import price

        p = price(t, prices=prices, names=names, currency=currency, fold_names=False)
        p = eng.materialize(_statused(p, since, until).select(*_KEPT))
        return _EngineRows(
            eng.rows(_sums(p, keys)),
            eng.rows(_rejected(p)),
            eng.rows(_unpriced(p))[0],
            [(r["_id"], r["n"]) for r in eng.rows(_duplicates(p))],
            unknown,
        )
    except LlmcostError:
        raise
    except Exception as exc:
        if os.environ.get("LLMCOST_DEBUG"):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(
            f"--engine {engine} could not read {', '.join(files)}: {first[:300]}",
            hint="--engine reads well-formed JSON Lines and Parquet of canonical records; "
            "the default engine (drop --engine) rejects bad lines one by one",
        ) from None
    finally:
        eng.close()


def _group_totals(sums: list[dict], keys: tuple[str, ...], currency: str) -> tuple:
    """The priced sums as `GroupTotal`s by `keys`, costs scaled back exactly."""
    from llmcost.usage.bill import GroupTotal

    groups: dict[tuple, list] = {}
    scale = Decimal(10) ** -COST_SCALE
    for row in sums:
        if row["status"] != PRICED:
            continue
        day = None if row.get("day_s") is None else _day(int(row["day_s"]))
        month = None if day is None else day[:7]
        values = {"model": row["priced_model"], "provider": row["priced_provider"],
                  "day": day, "month": month, "currency": currency}  # fmt: skip
        key = tuple(values[k] for k in keys)
        slot = groups.setdefault(key, [0, dict.fromkeys(rec.COUNTS, 0), [Decimal(0)] * 4])
        slot[0] += int(row["records"])
        for kind in rec.COUNTS:
            slot[1][kind] += int(row[f"t_{kind}"])
        costs = [EXACT.multiply(Decimal(int(row[c])), scale) for c in COSTS]
        slot[2] = [EXACT.add(a, b) for a, b in zip(slot[2], costs, strict=True)]
    return tuple(
        GroupTotal(dict(zip(keys, key, strict=True)), n, tokens, CostBreakdown(currency, *costs))
        for key, (n, tokens, costs) in sorted(groups.items(), key=lambda kv: _order(kv[0]))
    )


_KEPT = ("status", "_status0", "_conflict", "_file", "_pre", "model", "_us", "timestamp", "tier",
         "_id", *rec.COUNTS, "priced_model", "priced_provider", *COSTS)  # fmt: skip


def _names(catalog: Catalog, logged: list[str]) -> tuple[list[dict], set[str]]:
    """The names table of the names a log carries, each resolved as `bill` resolves it."""
    rows, unknown = [], set()
    for name in logged:
        try:
            info = catalog.resolve(name)
        except LlmcostError:
            unknown.add(name)
            continue
        rows.append({"name": name, "model": info.id, "provider": info.provider})
    return rows, unknown


def _statused(p, since, until):
    """Each record's status as `bill` gives it: skipped outside [since, until) (its instant
    read), else priced when a price bills it, else rejected; then one copy of each id billed
    and the others duplicates, unless the copies differ in what is billed (all rejected)."""
    import ibis

    outside = ibis.literal(False)
    if since is not None:
        outside = outside | (p._us < micros(since))
    if until is not None:
        outside = outside | (p._us >= micros(until))
    status0 = ibis.cases(
        (p._us.notnull() & outside, SKIPPED),
        (p._pre.isnull() & p.cost_e18.notnull(), PRICED),
        else_=REJECTED,
    )
    p = p.mutate(_status0=status0)
    # only records with an id take part in the window: all those without one would be one
    # partition (NULL), sorted on one core
    ided = p.filter(p._id.notnull())
    billed = [ided._status0, ided.model, ided._us, ided.tier, *(ided[c] for c in rec.COUNTS)]
    w = ibis.window(group_by=ided._id)
    conflict = ibis.literal(False)
    for col in billed:
        filled = col.fill_null(-1 if col.type().is_integer() else "\x00")
        conflict = conflict | (filled.min().over(w) != filled.max().over(w))
    copy_no = ibis.row_number().over(group_by=ided._id, order_by=[ided._file, ided._us])
    ided = ided.mutate(_conflict=conflict, _copy=copy_no)
    loose = p.filter(p._id.isnull()).mutate(
        _conflict=ibis.literal(False), _copy=ibis.literal(0, type="int64")
    )
    p = ibis.union(ided, loose.select(*ided.columns))
    status = ibis.cases(
        (p._id.isnull(), p._status0),
        (p._conflict, REJECTED),
        (p._copy > 0, DUPLICATE),
        else_=p._status0,
    )
    return p.mutate(status=status)


def _sums(p, keys):
    import ibis
    import ibis.expr.datatypes as dt

    big = dt.Decimal(38, 0)
    p = p.filter(p.status != REJECTED)
    by = [p.status, p.priced_model, p.priced_provider]
    priced = p.status == PRICED
    if "day" in keys or "month" in keys:
        by.append(ibis.ifelse(priced, p.timestamp - p.timestamp % 86_400, None).name("day_s"))
    aggs = {"records": p.count()}
    for kind in rec.COUNTS:
        aggs[f"t_{kind}"] = ibis.ifelse(priced, p[kind].fill_null(0), 0).cast(big).sum()
    for c in COSTS:
        aggs[c] = ibis.ifelse(priced, p[c], 0).cast(big).sum()
    return p.group_by(by).aggregate(**aggs)


def _rejected(p):
    r = p.filter(p.status == REJECTED)
    return r.select(
        "_file", "_pre", "model", "_us", "tier", "priced_model", "_conflict", "_id",
        *rec.COUNTS,
    )  # fmt: skip


def _unpriced(p):
    import ibis
    import ibis.expr.datatypes as dt

    r = p.filter(
        (p.status == REJECTED)
        & p._pre.isnull()
        & ~p._conflict
        & (p.cached.fill_null(0) + p.cache_write.fill_null(0) + p.cache_write_1h.fill_null(0)
           <= p.input)
    )  # fmt: skip
    return r.aggregate(
        **{f"u_{k}": r[k].fill_null(0).cast(dt.Decimal(38, 0)).sum() for k in rec.COUNTS},
        _n=r.count(),
    ).select(*(ibis._[f"u_{k}"] for k in rec.COUNTS))


def _duplicates(p):
    d = p.filter(p.status == DUPLICATE)
    d = d.group_by(d._id).aggregate(n=d.count())
    return d.order_by([d.n.desc(), d._id])


class _Words:
    """A rejected record's reason in `bill`'s words, in `bill`'s order of checks."""

    def __init__(self, catalog, known, currency, grid, unknown: set[str]):
        from llmcost.usage.bill import _Reasons

        self.catalog = catalog
        self.unknown = unknown
        self.reasons = _Reasons(catalog, known, currency, grid)

    def __call__(self, r: dict) -> str:
        if r["_pre"] is not None:
            return r["_pre"]
        model = r["model"]
        us = None if r["_us"] is None else int(r["_us"])
        if model in self.unknown:
            return self.reasons("unknown model", model, None, us)
        info = self.catalog.resolve(model)
        n = {k: int(r[k] or 0) for k in rec.COUNTS}
        parts = n["cached"] + n["cache_write"] + n["cache_write_1h"]
        if parts > n["input"]:
            return f"cache hits and writes ({parts}) exceed the prompt ({n['input']})"
        window, most = info.model.context_window, info.model.max_output
        if window is not None and n["input"] > window:
            return (f"a prompt of {n['input']} tokens is past {info.id}'s context window of "
                    f"{window} tokens")  # fmt: skip
        if most is not None and n["output"] > most:
            return (f"an output of {n['output']} tokens is past {info.id}'s max output of "
                    f"{most} tokens")  # fmt: skip
        words = self.reasons("no price", model, info.id, us)
        if words != "no price" and not r["_conflict"]:
            return words
        if r["_conflict"]:
            return (f"id {r['_id']} is logged more than once with different counts, model "
                    "or instant: which copy to bill is unclear")  # fmt: skip
        return self.reasons(f"no {r['tier']} price", model, info.id, us)


def _day(day_start_s: int) -> str:
    return (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=day_start_s)).date().isoformat()


def _order(key: tuple) -> tuple:
    return tuple((v is None, "" if v is None else v) for v in key)
