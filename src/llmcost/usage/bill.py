"""`bill`: price usage logs record by record, each at its own instant.

The catalog becomes a price grid (`pricegrid`: the bitemporal winner already resolved for the
chosen version). A JSON Lines file is first read by the compiled scanner (`scan`), which
prices it in one pass or gives up; then by DuckDB's own parallel reader
(`readers.fast_source`), where each record is parsed once, normalised to the canonical counts
(`shapes`), placed in the grid by integer comparisons and its counts summed per grid row
(`query`); a file it cannot read whole, or one with any rejected record, is read again line
by line, so every rejection gets its line and reason.

Exactness: the readers only add whole token counts (the scanner in 64-bit integers, giving up
before an overflow; DuckDB in HUGEINT, which raises on overflow, never rounds); each sum is
priced here with `Decimal` in an exact context. Nothing is rounded.
"""

from __future__ import annotations

import bisect
import errno
import os
import re
import stat
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import NamedTuple

from llmcost.catalog.lookup import Catalog
from llmcost.engine import CostBreakdown
from llmcost.errors import InputError, LlmcostError
from llmcost.kinds import COST_KINDS
from llmcost.money import EXACT, exact_sum
from llmcost.timeparse import show_instant
from llmcost.usage import readers, scan, shapes, zones
from llmcost.usage.pricegrid import DAY_US, EPOCH, PriceGrid, price_grid
from llmcost.usage.query import (
    ABORTED,
    REJECTED,
    STATUS,
    duplicates_sql,
    ids_sql,
    load_grid,
    model_numbers_sql,
    records_sql,
    sums_sql,
    unpriced_sql,
)
from llmcost.usage.readers import sql_str

SPECIAL_KEYS = ("model", "provider", "day", "week", "month", "shape", "currency",
                "session", "project", "key")  # fmt: skip
# the optional canonical fields a shape may declare (`rules.Shape`): not record fields
CANONICAL_KEYS = ("session", "project", "key")
CALENDAR_KEYS = ("day", "week", "month")
TOKEN_KINDS = shapes.CANONICAL  # input, cached, cache_write, cache_write_1h, output
_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*(\.[A-Za-z_][A-Za-z0-9_-]*)*$")


class Rejection(NamedTuple):
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
    records: int  # = priced + rejected + skipped + duplicates
    priced: int
    rejected: int
    skipped: int  # outside --since/--until
    total: CostBreakdown
    tokens: dict[str, int]
    groups: tuple[GroupTotal, ...]
    rejections: tuple[Rejection, ...] = field(default=())
    # the record (or canonical) fields of group_by that no priced record has
    absent_keys: tuple[str, ...] = ()
    duplicates: int = 0  # copies of a response already billed (the same id), left out
    duplicate_ids: tuple[tuple[str, int], ...] = ()  # (id, copies left out), most first
    # the counts of the rejected records that could be read, by kind (`TOKEN_KINDS`)
    unpriced_tokens: dict[str, int] = field(default_factory=lambda: dict.fromkeys(TOKEN_KINDS, 0))
    timezone: str = "UTC"  # the zone of the day, week and month groups (`zones.zone_name`)

    @property
    def rejected_share(self) -> Fraction:
        """Rejected records over those the bill is about (priced or rejected; not the ones
        outside --since/--until): 0 when there are none."""
        considered = self.priced + self.rejected
        return Fraction(self.rejected, considered) if considered else Fraction(0)


def exit_code(result: Bill, *, allow_rejects: bool = False,
              max_rejected: Fraction | None = None) -> int:  # fmt: skip
    """The bill's exit status, a policy a script can rely on: 2 when records were rejected
    and none could be priced (nothing to bill: bad input); 1 when some were rejected, unless
    `allow_rejects`, or their share is at most `max_rejected`; else 0. A run with no records
    at all, or only records outside --since/--until, is 0: nothing was left out."""
    if not result.rejected:
        return 0
    if not result.priced:
        return 2
    if allow_rejects or (max_rejected is not None and result.rejected_share <= max_rejected):
        return 0
    return 1


def bill(
    catalog: Catalog,
    files: Sequence[str | Path],
    *,
    known: date | None = None,
    currency: str = "USD",
    since: datetime | None = None,
    until: datetime | None = None,
    at: datetime | None = None,
    group_by: Sequence[str] = (),
    timezone: tzinfo | None = None,
    memory_limit: str | None = None,
    progress: Callable[[Callable[[], float]], Callable[[], None]] | None = None,
    reader: str = "auto",
) -> Bill:
    """Price every record of `files` (JSON Lines, optionally gzipped, or CSV).

    `progress`, if given, is called with a function returning DuckDB's progress (0-100) and
    returns a function to call when the query is done (the CLI draws a bar with it).
    `reader`: "auto" tries the compiled scanner (`scan`), then DuckDB's JSON reader, then
    reads line by line; "duckdb" starts at DuckDB's reader; "lines" reads every file line by
    line. All give the same bill (the tests compare them).

    A response logged more than once (the same `id`, Gemini's `responseId`, in one file or
    several) is billed once; the other copies are counted as `duplicates` (`duplicate_ids`
    names them). Copies that differ in what is billed are all rejected. Records without an
    id are never merged. `at`: the instant of the records that carry none (a batch result
    file); without it, such a record is rejected, never priced at some other instant.

    `timezone` (default UTC) is the zone whose local dates the day, week (ISO 8601) and month
    groups are: the readers group by UTC buckets within which the local date never changes
    (`zones.bucket_seconds`), each then given its local date here."""
    if reader not in ("auto", "duckdb", "lines"):
        raise ValueError(f"reader: {reader!r}")
    keys = _check_clashes(tuple(_check_key(k) for k in group_by))
    paths = [Path(f) for f in files]
    for path in paths:
        if str(path) != "-":
            _check_readable(path)
    with tempfile.TemporaryDirectory(prefix="llmcost-lines-") as scratch:
        read = [_as_json_lines(p, Path(scratch), i) for i, p in enumerate(paths)]
        return _bill(catalog, paths, read, known, currency, since, until, at, keys,
                     memory_limit, progress, reader, timezone)  # fmt: skip


def _bill(catalog, paths, read, known, currency, since, until, at, keys, memory_limit,
          progress, reader, timezone=None) -> Bill:  # fmt: skip
    """`bill` of `paths`, read from `read` (each a JSON Lines file or CSV)."""
    grid = price_grid(catalog, known, currency)
    extra = tuple(dict.fromkeys(k for k in keys if k not in SPECIAL_KEYS))
    zone = timezone or UTC
    by_day = any(k in CALENDAR_KEYS for k in keys)
    shape = dict(
        record_keys=extra,
        canonical=tuple(k for k in CANONICAL_KEYS if k in keys),
        by_day=by_day,
        day_s=zones.bucket_seconds(zone) if by_day else 0,
        by_shape="shape" in keys,
        since=since,
        until=until,
        at=at,
    )
    run = _price(grid, read, reader, extra, shape, progress, memory_limit, frozenset())
    repeated = scan.repeated(b"".join(run.ids.values()))
    if repeated:
        # a response logged more than once: the files holding its copies are priced again,
        # line by line and together, so that each id is billed once (`query.records_sql`)
        involved = frozenset(i for i, ids in run.ids.items() if _holds_any(ids, repeated))
        run = _price(grid, read, reader, extra, shape, progress, memory_limit, involved)
    result = _collect(catalog, grid, known, currency, paths, keys, shape, run.sums, run.rejected,
                      zone)  # fmt: skip
    return replace(
        result,
        timezone=zones.zone_name(zone),
        unpriced_tokens=dict(zip(TOKEN_KINDS, run.unpriced, strict=True)),
        duplicate_ids=tuple(run.duplicate_ids),
    )


def _as_json_lines(path: Path, scratch: Path, no: int) -> Path:
    """What the readers read for `path`: itself (JSON Lines, gzip, CSV), or a JSON Lines copy
    in `scratch` of standard input (`-`, copied a piece at a time), a Parquet file or a JSON
    array (one element a line: a rejection's "line" is the element's number)."""
    import shutil
    import sys

    import duckdb

    out = scratch / f"in-{no}.jsonl"
    if str(path) == "-":
        with out.open("wb") as copy:
            shutil.copyfileobj(sys.stdin.buffer, copy, 1 << 20)
        return out
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        query = f"SELECT * FROM read_parquet('{sql_str(str(path))}')"
        options = "FORMAT json"
    elif suffix in (".json", ".gz") and _starts_an_array(path):
        query = (f"SELECT json(json) FROM read_json_objects('{sql_str(str(path))}', "
                 "format = 'array', maximum_object_size = 16777216)")  # fmt: skip
        options = "FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\x01'"
    else:
        return path
    try:
        duckdb.connect().execute(f"COPY ({query}) TO '{sql_str(str(out))}' ({options})")
    except duckdb.Error as exc:
        raise InputError(
            f"{path}: cannot be read: {str(exc).splitlines()[0]}",
            hint="a Parquet file, a JSON array of records, or JSON Lines",
        ) from None
    return out


def _starts_an_array(path: Path) -> bool:
    """Whether the file's first character that is not white space is `[`."""
    import gzip

    opener = gzip.open if path.suffix.lower() == ".gz" else open
    try:
        with opener(path, "rb") as f:
            head = f.read(4096).lstrip(b" \t\r\n\xef\xbb\xbf")
    except (OSError, EOFError):
        return False
    return head[:1] == b"["


class _Pass(NamedTuple):
    """What one reading of the logs found: the sums (`query.records_sql` rows), the rejected
    records, the unpriced token sums, each file's id digests (`scan.digests`) and the ids
    billed once for several copies, with the number of copies left out."""

    sums: list[tuple]
    rejected: list[tuple]
    unpriced: list[int]
    ids: dict[int, bytes]
    duplicate_ids: list[tuple[str, int]]


def _holds_any(ids: bytes, digests: set[bytes]) -> bool:
    return any(ids[at : at + 8] in digests for at in range(0, len(ids), 8))


def _price(grid: PriceGrid, paths: list[Path], reader: str, extra, shape: dict, progress,
           memory_limit: str | None, dedupe: frozenset[int]) -> _Pass:  # fmt: skip
    """Read and price every file: by the compiled scanner, DuckDB's JSON reader, or line by
    line; the files of `dedupe` line by line, together, billing each id once."""
    import duckdb

    # A scratch database file rather than memory: under a memory_limit DuckDB can then evict
    # the line reader's table and spill joins and aggregates there, so a log larger than the
    # memory given to DuckDB still completes. Never the working directory.
    scratch = tempfile.TemporaryDirectory(prefix="llmcost-bill-")
    con = duckdb.connect(
        str(Path(scratch.name) / "bill.duckdb"),
        config={"threads": os.cpu_count() or 1, "temp_directory": scratch.name},
    )
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET preserve_insertion_order = false")
        if memory_limit:
            con.execute(f"SET memory_limit = '{sql_str(memory_limit)}'")
        load_grid(con, grid)
        job = _Job(con, grid, paths, extra, shape, progress, Path(scratch.name), memory_limit)
        return _price_all(job, reader, dedupe)
    except OSError as exc:  # a log removed, or made unreadable, while it is read
        raise _unreadable(Path(exc.filename or paths[0]), exc) from None
    except duckdb.Error as exc:
        raise _reading_failed(exc, paths) from None
    finally:
        con.close()
        scratch.cleanup()


class _Job(NamedTuple):
    """What every reading step of one `_price` shares."""

    con: object
    grid: PriceGrid
    paths: list[Path]
    extra: tuple[str, ...]
    shape: dict
    progress: object
    scratch: Path
    memory_limit: str | None


def _reading_failed(exc, paths: list[Path]) -> InputError:
    """The one line for a DuckDB error while reading the logs."""
    import duckdb

    first = str(exc).splitlines()[0]
    if isinstance(exc, duckdb.OutOfMemoryException):
        return InputError(
            f"pricing the usage logs ran out of memory: {first}",
            hint="give DuckDB more with LLMCOST_MEMORY_LIMIT (e.g. 4GB), or bill fewer files",
        )
    if isinstance(exc, duckdb.IOException):
        return InputError(
            f"reading the usage logs failed: {first}",
            hint="a compressed file may be truncated, or not what its name says",
        )
    return InputError(
        f"reading the usage logs failed: {first}",
        where=str(paths[0]) if len(paths) == 1 else None,
        hint="each line must be UTF-8: a JSON object (JSON Lines) or a row of the CSV header",
    )


def _price_all(job: _Job, reader: str, dedupe: frozenset[int]) -> _Pass:
    con, grid, paths, extra, shape, progress, scratch, _ = job
    fast = reader != "lines"
    # file_no -> whether the line reader must look for keys given twice (None: not known)
    slow: dict[int, bool | None] = {
        i: not readers.is_csv(p) for i, p in enumerate(paths) if not fast or readers.is_csv(p)
    }
    slow.update({i: None for i in dedupe if i not in slow})
    ids: dict[int, bytes] = {}
    pending = [i for i in range(len(paths)) if i not in slow]
    # what DuckDB reads: a name it would take for a pattern, as a plain link
    read = [readers.safe_path(p, scratch, i) for i, p in enumerate(paths)]
    sums: list[tuple] = []
    if reader == "auto" and scan.available() and scan.supports(extra) and not shape["canonical"]:
        sums, pending = _compiled(con, grid, paths, pending, extra, shape, progress, ids)
    sums += _fast(con, grid, read, pending, slow, extra, shape, progress)
    _after_fast(job, read, [i for i in pending if i not in slow], ids)
    copies: list[tuple] = []
    if dedupe and fast and not any(readers.is_csv(paths[i]) for i in dedupe):
        deduped = _fast_deduped(job, read, sorted(dedupe))
        if deduped is not None:
            rows, copies = deduped
            sums += rows
            for i in dedupe:
                del slow[i]
    _look_for_duplicate_keys(con, read, slow, extra)
    if not slow:
        return _Pass(sums, [], [0] * len(TOKEN_KINDS), ids, copies)
    rows, rejected, unpriced = _line_by_line(con, grid, paths, read, slow, extra,
                                             {**shape, "dedupe": bool(dedupe)}, progress,
                                             scratch)  # fmt: skip
    for i in slow:
        ids[i] = _digests(con.execute(f"SELECT d_id FROM rows WHERE d_file = {i} "
                                      "AND d_id IS NOT NULL"))  # fmt: skip
    duplicate_ids = con.execute(duplicates_sql("rows")).fetchall() if dedupe and not copies else []
    return _Pass(sums + rows, rejected, list(unpriced), ids, copies or duplicate_ids)


def _fast_deduped(job: _Job, read: list[Path], files: list[int]) -> tuple[list, list] | None:
    """The files of `files`, whose records repeat ids, priced together by DuckDB's JSON reader
    with each id billed once (`records_sql(dedupe=True)`, the SQL the line reader runs): their
    sums and the ids billed once for several copies. None when a line cannot be read or a
    record is rejected (copies that differ included): those files are then read line by line,
    which finds each rejected record's line. Reading every line on its own costs some 100
    times the time and memory of this one query (a 200k-line Claude Code log: 2.6 GB)."""
    import duckdb

    con, grid, _, extra, shape, progress, _, limit = job
    input_errors = (duckdb.InvalidInputException, duckdb.ConversionException,
                    duckdb.IOException, duckdb.OutOfRangeException)  # fmt: skip
    sources = [readers.fast_source(i, read[i], extra) for i in files]
    query = records_sql(grid, sources, detail=True, dedupe=True, **_sql_shape(shape))
    make = f"CREATE OR REPLACE TABLE copies AS {query}"
    try:
        if limit:
            _run(con, make, progress)
        else:
            _bounded(con, make, progress, sum(read[i].stat().st_size for i in files))
    except input_errors:
        return None
    [(rejected,)] = con.execute(f"SELECT count(*) FROM copies WHERE status = {REJECTED}").fetchall()
    if rejected:
        return None
    for i in files:
        if job.paths[i].suffix.lower() == ".gz":
            _intact(job.paths[i], readers.check_gzip, job.paths[i])
    groups = (shape["by_day"] + shape["by_shape"] + len(shape["canonical"])
              + len(shape["record_keys"]))  # fmt: skip
    sums = con.execute(sums_sql("copies", groups)).fetchall()
    copies = con.execute(duplicates_sql("copies")).fetchall()
    con.execute("DROP TABLE copies")
    return sums, copies


# DuckDB's memory for merging copies when none is given (LLMCOST_MEMORY_LIMIT): by default it
# takes most of the machine's, and the window that finds each id's copies holds every field
# of every record. Under a limit it spills to the scratch file, but needs about its logs'
# size again in memory (a 1M-line Claude Code log of 576 MB: fails at 256MB, 1.16 GB peak at
# 1GB, 9 GB unbounded); at least `COPIES_MEMORY`, twice the logs' bytes.
COPIES_MEMORY = 256 << 20


def _bounded(con, query: str, progress, size: int) -> None:
    """Run `query` under twice `size` bytes of memory (at least `COPIES_MEMORY`); again under
    DuckDB's own limit if that is too little."""
    import duckdb

    con.execute(f"SET memory_limit = '{max(COPIES_MEMORY, 2 * size) >> 20}MB'")
    try:
        _run(con, query, progress)
    except duckdb.OutOfMemoryException:
        con.execute("RESET memory_limit")
        _run(con, query, progress)
    finally:
        con.execute("RESET memory_limit")


def _after_fast(job: _Job, read: list[Path], priced: list[int], ids: dict[int, bytes]) -> None:
    """The ids of the files DuckDB's JSON reader priced whole; and a check of those gzipped:
    the reader does not check a gzip's CRC or length, so a damaged file it priced would count
    as it read (the scanner's zlib checked those it priced, and line_ready checks those read
    line by line)."""
    for i in priced:
        ids[i] = _digests(job.con.execute(ids_sql(readers.fast_source(i, read[i], ()))))
        if job.paths[i].suffix.lower() == ".gz":
            _intact(job.paths[i], readers.check_gzip, job.paths[i])


def _look_for_duplicate_keys(con, read: list[Path], slow: dict, extra) -> None:
    """For each file the fast reader stopped at (None in `slow`): is there a key given twice
    after the rejected record? (The line reader then looks for them, line by line.)"""
    import duckdb

    for i, dup in slow.items():
        if dup is None:
            try:
                con.execute(readers.duplicate_keys_sql(i, read[i], extra)).fetchall()
                slow[i] = False
            except duckdb.Error:
                slow[i] = True


def _digests(cursor) -> bytes:
    """The digests (`scan.digests`) of the ids a query gives, fetched a batch at a time so
    that a large log's ids are never all held as text."""
    out = []
    while batch := cursor.fetchmany(100_000):
        out.append(scan.digests([row[0] for row in batch]))
    return b"".join(out)


def _compiled(con, grid: PriceGrid, paths: list[Path], pending: list[int], extra, shape: dict,
              progress, ids: dict[int, bytes]) -> tuple[list[tuple], list[int]]:  # fmt: skip
    """The sums of the files of `pending` the compiled scanner prices whole, and the files
    left for DuckDB; into `ids`, the digests of each priced file's record ids. A model name
    the grid does not hold as written is looked up by the SQL
    the other readers use."""

    def resolve(names: list[str]) -> dict[str, int | None]:
        return dict(con.execute(model_numbers_sql(grid, names)).fetchall())

    scanner = scan.Scanner(grid, extra, by_day=shape["day_s"], by_shape=shape["by_shape"],
                           since=shape["since"], until=shape["until"], resolve=resolve,
                           at=shape.get("at"))  # fmt: skip
    sizes = [paths[i].stat().st_size for i in pending]
    done, tell = [0], [0]

    def percent() -> float:
        return 100 * (done[0] + tell[0]) / max(sum(sizes), 1)

    stop = progress(percent) if progress else None
    sums: list[tuple] = []
    left = []
    try:
        for i, size in zip(pending, sizes, strict=True):
            tell[0] = 0
            rows = scanner.file(paths[i], tell)
            if rows is None:
                left.append(i)
            else:
                sums += rows
                ids[i] = scanner.last_ids
            done[0] += size
    finally:
        if stop:
            stop()
    return sums, left


def _fast(con, grid: PriceGrid, paths: list[Path], pending: list[int], slow: dict,
          extra, shape: dict, progress) -> list[tuple]:  # fmt: skip
    """The sums of the files in `pending` that the fast reader prices whole; the others go into
    `slow` (file_no -> look for keys given twice; None: not known). All files go in one
    query; when it stops (`query.ABORTED` names the file, a reader error its path), that file
    is set aside and the rest tried again, one by one after two such stops."""
    import duckdb

    # about the input: a rejected record (ABORTED), a line it cannot read; anything else
    # (out of memory, an interrupt) is not the file's fault and is raised
    input_errors = (duckdb.InvalidInputException, duckdb.ConversionException,
                    duckdb.IOException, duckdb.OutOfRangeException)  # fmt: skip
    sums: list[tuple] = []
    stops = 0
    while pending:
        batch = pending if stops < 2 else pending[:1]
        sources = [readers.fast_source(i, paths[i], extra) for i in batch]
        try:
            query = records_sql(grid, sources, detail=False, **_sql_shape(shape))
            sums += _run(con, query, progress)
        except input_errors as exc:
            message = str(exc)
            culprits = _culprits(message, batch, paths)
            if not culprits:  # no file named: try them one by one
                stops = 2
                continue
            for i in culprits:  # None: stopped at a rejection; True: at an unreadable line
                slow[i] = None if ABORTED in message else True
            pending = [i for i in pending if i not in culprits]
            stops += 1
            continue
        pending = [i for i in pending if i not in batch]
    return sums


def _culprits(message: str, batch: list[int], paths: list[Path]) -> list[int]:
    """The files of `batch` a fast reader's error is about: the file_no of `query.ABORTED`, or
    the file DuckDB's reader names; every file if there is only one."""
    if len(batch) == 1:
        return batch
    aborted = re.search(re.escape(ABORTED) + r" (\d+)", message)
    if aborted and int(aborted.group(1)) in batch:
        return [int(aborted.group(1))]
    named = re.search(r'in file "(.*?)"', message)
    if named:
        return [i for i in batch if str(paths[i]) == named.group(1)]
    return []


def _line_by_line(con, grid: PriceGrid, paths: list[Path], read: list[Path],
                  files: dict[int, bool], extra, shape: dict, progress,
                  scratch: Path) -> tuple[list, list, list[int]]:  # fmt: skip
    """Price `files` (file_no -> look for duplicate keys) reading every line on its own, and
    find each rejected record's line: its sums, the rejections (file_no, line, reason,
    model text, model number, instant in microseconds) and the unpriced token sums.
    `read`: what DuckDB reads for each of `paths`; a JSON Lines file with a CR is read as a
    copy (`readers.line_ready`)."""
    read = list(read)
    physical: dict[int, int] = {}
    for no in files:
        if not readers.is_csv(read[no]):
            read[no], physical[no] = _intact(paths[no], readers.line_ready, read[no], scratch, no)
    for numbered in (False, True):
        sources = [
            readers.line_source(con, no, read[no], extra, numbered, duplicates=dup)
            for no, dup in files.items()
        ]
        query = records_sql(grid, sources, detail=True, **_sql_shape(shape))
        _run(con, f"CREATE OR REPLACE TABLE rows AS {query}", progress)
        rejected = con.execute(readers.numbered_rejections_sql(con, read)).fetchall()
        unread = readers.reader_rejects(con, read)
        rejected = readers.physical_lines(con, read, rejected, unread)
        [(expected,)] = con.execute(
            f"SELECT count(*) FROM rows WHERE status = {REJECTED}"
        ).fetchall()
        if len(rejected) == expected:
            break
        # Two different lines with one 192-bit digest (only if made so on purpose):
        # price again with every line numbered as it is read. Slow, never wrong.
    for no, lines in physical.items():  # DuckDB's line reader drops a line of 64 MiB or more
        [(seen,)] = con.execute(readers.lines_read_sql(read[no], no)).fetchall()
        seen += len(unread.get(no, ()))
        if seen != lines:
            raise InputError(
                f"{paths[no]}: {lines - seen:,} line(s) could not be read at all",
                hint=f"lines of up to {readers.MAX_LINE >> 20} MiB are read: split longer ones",
            )
    groups = (shape["by_day"] + shape["by_shape"] + len(shape["canonical"])
              + len(shape["record_keys"]))  # fmt: skip
    sums = con.execute(sums_sql("rows", groups)).fetchall()
    [unpriced] = con.execute(unpriced_sql("rows")).fetchall()
    rejected += [
        (file_no, line, reason, None, None, None)
        for file_no, rows in unread.items()
        for line, reason in rows
    ]
    return sums, rejected, list(unpriced)


def _check_readable(path: Path) -> None:
    """Refuse, before anything reads it, a log that is not a regular file one can read: a
    directory, a pipe (opening a FIFO would wait for a writer forever), a device, a socket,
    a missing file, a link loop, a file without read permission."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise _unreadable(path, exc) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(
            f"{path}: is a directory, not a usage log", hint=f"pass its files: {path}/*.jsonl"
        )
    if not stat.S_ISREG(info.st_mode):
        kind = "a pipe" if stat.S_ISFIFO(info.st_mode) else "a device or socket"
        raise InputError(
            f"{path}: not a regular file ({kind})", hint="write the log to a file first"
        )
    try:
        with open(path, "rb"):  # a regular file: opening it never waits
            pass
    except OSError as exc:
        raise _unreadable(path, exc) from None


_OS_REASONS = {
    errno.ENOENT: ("no such file", "check the path"),
    errno.EACCES: ("permission denied", "make it readable (chmod u+r) or bill a copy"),
    errno.EPERM: ("permission denied", "make it readable (chmod u+r) or bill a copy"),
    errno.ELOOP: ("a loop of symbolic links", "point the link at the log itself"),
    errno.ENOTDIR: ("a part of the path is not a directory", "check the path"),
    errno.ENAMETOOLONG: ("the path is too long", "move the log to a shorter path"),
    errno.EISDIR: ("is a directory, not a usage log", "pass its files"),
    errno.EIO: ("an input/output error while reading it", "check the disk or copy the log"),
}


def _unreadable(path: Path, exc: OSError) -> InputError:
    """The one line for an OS error about `path`, in words of its own for each errno."""
    words, hint = _OS_REASONS.get(
        exc.errno or 0, (f"cannot be read: {exc.strerror or exc}", "check the file")
    )
    return InputError(f"{path}: {words}", hint=hint)


def _intact(path: Path, read: Callable, *args):
    """`read(*args)`, where an OSError or EOFError means `path` is damaged (a gzip whose
    CRC, length or end is wrong, or not a gzip at all)."""
    try:
        return read(*args)
    except (OSError, EOFError) as exc:
        raise InputError(
            f"{path}: cannot be read: {exc}",
            hint="a compressed file may be truncated, or not what its name says",
        ) from None


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
    keys = tuple(dict.fromkeys(keys))  # `model,model` is one column
    for key in keys:
        _check_nesting(key, seen, keys)
        if key in SPECIAL_KEYS or key in seen:
            continue
        for other in seen:
            _check_spelling(key, other)
        seen[key] = key
    return keys


def _check_nesting(key: str, seen: dict, keys: tuple[str, ...]) -> None:
    """Refuse a key under a field llmcost reads as a value, or an object it reads into."""
    parts = key.split(".")
    value = next((".".join(parts[:i]) for i in range(1, len(parts))
                  if ".".join(parts[:i]) in seen), None)  # fmt: skip
    if value is not None:
        raise InputError(
            f"--group-by: {key!r} is under {value!r}, which llmcost reads as a value, "
            "not an object",
            hint=f"group by {value}" if value in SPECIAL_KEYS else "check the field's name",
        )
    inner = [p for p in (*seen, *keys) if p.startswith(key + ".")]
    if key not in SPECIAL_KEYS and inner:
        raise InputError(
            f"--group-by: {key!r} is an object whose fields llmcost reads ({inner[0]!r}), "
            "not a value to group by",
            hint=f"group by one of its fields, such as {inner[0]}",
        )


def _case_clash(key: str, other: str) -> tuple[str, str] | None:
    """The first parts of two paths that differ only by case, or two paths that are one SQL
    column (`-` vs `_`, case), or None."""
    parts, theirs = key.split("."), other.split(".")
    for i, (a, b) in enumerate(zip(parts, theirs, strict=False)):
        if a != b and a.lower() == b.lower() and parts[:i] == theirs[:i]:
            return ".".join(parts[: i + 1]), ".".join(theirs[: i + 1])
    if shapes.column(key).lower() == shapes.column(other).lower():
        return key, other
    return None


def _check_spelling(key: str, other: str) -> None:
    clash = _case_clash(key, other)
    if clash is None:
        return
    mine, theirs = clash
    builtin = other in shapes.OTHER_FIELDS or other in shapes.COUNT_FIELDS
    exact = mine == key and theirs == other
    raise InputError(
        f"--group-by: {mine!r} clashes with {theirs!r}"
        + (", which llmcost reads" if builtin else "")
        + ": field names that differ only by case (or - and _) cannot both be read",
        hint=f"group by {other!r}" if exact else "rename the field in the logs",
    )


def _run(con, query: str, progress) -> list[tuple]:
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


def _sql_shape(shape: dict) -> dict:
    """`records_sql`'s arguments from the bill's group and window (`shape`)."""
    sql = {k: v for k, v in shape.items() if k != "day_s"}
    return {**sql, "day_us": shape["day_s"] * 1_000_000 or DAY_US}


class SumRow(NamedTuple):
    """A row of sums from any reader (`query.records_sql`, `scan.Scanner`): its status, grid
    row and tier number (of priced records), the group values asked for (day, shape, record
    fields), how many records and their token sums in `TOKEN_KINDS` order."""

    status: str
    pid: int | None
    tier_no: int | None
    found: dict[str, object]
    records: int
    tokens: dict[str, int]

    @classmethod
    def of(cls, row: tuple, found_keys: tuple[str, ...]) -> SumRow:
        status_code, pid, tier_no, *rest = row
        n = len(found_keys)
        sums = rest[n + 1 : n + 1 + len(TOKEN_KINDS)]
        tokens = {k: int(v or 0) for k, v in zip(TOKEN_KINDS, sums, strict=True)}
        found = dict(zip(found_keys, rest, strict=False))
        return cls(STATUS[status_code], pid, tier_no, found, rest[n], tokens)


class RejectedRow(NamedTuple):
    """A rejected record as the line reader finds it (`bill._line_by_line`)."""

    file_no: int
    line: int
    reason: str
    model: str | None
    model_no: int | None
    us: int | None


def _special_values(row: SumRow, price, currency: str, local: _LocalDates) -> dict[str, object]:
    """The values of the group keys llmcost computes (`SPECIAL_KEYS`) for a priced row."""
    shape = row.found.get("shape")
    return {"model": price.model_id, "provider": price.provider, **local(row.found.get("day")),
            "shape": None if shape is None else shapes.SHAPES[shape], "currency": currency,
            **{name: row.found[name] for name in CANONICAL_KEYS if name in row.found}}  # fmt: skip


def _group_totals(grid: PriceGrid, currency: str, keys, rows: list[SumRow],
                  local: _LocalDates) -> list[GroupTotal]:  # fmt: skip
    """The priced rows summed and priced per group, in the groups' order."""
    totals: dict[tuple, list] = {}  # group key values -> [records, tokens, costs]
    for row in rows:
        if row.status != "priced":
            continue
        price = grid.rows[row.pid]
        values = _special_values(row, price, currency, local)
        key = tuple(values[k] if k in SPECIAL_KEYS else row.found[k] for k in keys)
        slot = totals.setdefault(key, [0, dict.fromkeys(TOKEN_KINDS, 0), [Decimal(0)] * 4])
        slot[0] += row.records
        for kind in TOKEN_KINDS:
            slot[1][kind] += row.tokens[kind]
        costs = price.cost(row.tokens, grid.tiers[int(row.tier_no)])
        slot[2] = [EXACT.add(a, b) for a, b in zip(slot[2], costs, strict=True)]
    ordered = sorted(totals.items(), key=lambda kv: _order(kv[0]))
    return [GroupTotal(dict(zip(keys, key, strict=True)), records, tokens,
                       CostBreakdown(currency, *costs))
            for key, (records, tokens, costs) in ordered]  # fmt: skip


def _absent(key: str, groups: list[GroupTotal]) -> bool:
    """A record (or canonical) field grouped by that no priced record has."""
    return (
        (key not in SPECIAL_KEYS or key in CANONICAL_KEYS)
        and bool(groups)
        and all(g.keys[key] is None for g in groups)
    )


def _rejections(reason, grid: PriceGrid, names: list[str], rejected: list[tuple]) -> list:
    """The rejections in words (`_Reasons`), by file, then line."""
    out = []
    for r in map(RejectedRow._make, rejected):
        model_id = None if r.model_no is None else grid.models[r.model_no]
        out.append(Rejection(names[r.file_no], r.line, reason(r.reason, r.model, model_id, r.us)))
    return sorted(out)


def _collect(catalog, grid: PriceGrid, known, currency, paths, keys, shape: dict,
             sums: list[tuple], rejected: list[tuple], zone: tzinfo = UTC) -> Bill:  # fmt: skip
    """The bill from the sums (`SumRow`) and the rejections (`RejectedRow`)."""
    found_keys = (*(["day"] if shape["by_day"] else []), *(["shape"] if shape["by_shape"] else []),
                  *shape["canonical"], *shape["record_keys"])  # fmt: skip
    local = _LocalDates(shape["day_s"], zone)
    if shape["by_day"] and shape["day_s"] != zones.DAY:
        sums = _by_local_day(sums, len(found_keys), local)
    rows = [SumRow.of(row, found_keys) for row in sums]
    counts = {"priced": 0, "rejected": len(rejected), "skipped": 0, "duplicate": 0}
    for row in rows:
        counts[row.status] += row.records
    groups = _group_totals(grid, currency, keys, rows, local)
    names = [str(p) for p in paths]
    rejections = _rejections(_Reasons(catalog, known, currency, grid), grid, names, rejected)
    total = CostBreakdown(
        currency,
        *(exact_sum(getattr(g.cost, k) for g in groups) for k in COST_KINDS),
    )
    absent = tuple(k for k in dict.fromkeys(keys) if _absent(k, groups))
    return Bill(
        version=catalog.version_for(known),
        currency=currency,
        files=tuple(names),
        group_by=keys,
        since=shape["since"],
        until=shape["until"],
        records=sum(counts.values()),
        priced=counts["priced"],
        rejected=counts["rejected"],
        skipped=counts["skipped"],
        duplicates=counts["duplicate"],
        total=total,
        tokens={k: sum(g.tokens[k] for g in groups) for k in TOKEN_KINDS},
        groups=tuple(groups),
        rejections=tuple(rejections),
        absent_keys=absent,
    )


def _order(key: tuple) -> tuple:
    """Groups in order of their key values, a missing value last."""
    return tuple((v is None, "" if v is None else v) for v in key)


def _by_local_day(sums: list[tuple], groups: int, local: _LocalDates) -> list[tuple]:
    """The rows of sums (`_collect`'s) with each UTC bucket (the first group value) replaced
    by its local date and the rows of one date added up: integers only, so that the buckets of
    a zone (24 a day for most) are priced once a day, not once a bucket."""
    merged: dict[tuple, list] = {}
    counted = slice(3 + groups, 3 + groups + 1 + len(TOKEN_KINDS))  # records, token sums
    for row in sums:
        bucket = row[3]
        key = (*row[:3], None if bucket is None else local.day(bucket), *row[4 : 3 + groups])
        slot = merged.get(key)
        if slot is None:
            merged[key] = [list(row[counted]), row[counted.stop :]]
        else:
            slot[0] = [(a or 0) + (b or 0) for a, b in zip(slot[0], row[counted], strict=True)]
    return [(*key, *numbers, *rest) for key, (numbers, rest) in merged.items()]


class _LocalDates:
    """The day, ISO week and month (text) of a UTC bucket (`zones.bucket_seconds`) in a
    zone, each bucket worked out once."""

    def __init__(self, width: int, zone: tzinfo):
        self.width, self.zone = width, zone
        self.seen: dict[int | date | None, dict[str, str | None]] = {
            None: dict.fromkeys(CALENDAR_KEYS)
        }
        self.days: dict[int, date] = {}

    def day(self, bucket: int) -> date:
        """The local date of a UTC bucket."""
        got = self.days.get(bucket)
        if got is None:
            got = self.days[bucket] = zones.local_date(bucket, self.width, self.zone)
        return got

    def __call__(self, bucket: int | date | None) -> dict[str, str | None]:
        got = self.seen.get(bucket)
        if got is None:
            day = bucket if isinstance(bucket, date) else self.day(bucket)
            got = self.seen[bucket] = {
                "day": day.isoformat(),
                "week": zones.iso_week(day),
                "month": day.isoformat()[:7],
            }
        return got


class _Reasons:
    """`_reason`, remembered: a rejection's words depend on its model and on which stretch
    between the model's price bounds (the grid's) its instant falls in, unless they name the
    instant. Instants come as microseconds since the epoch (UTC)."""

    def __init__(self, catalog, known, currency, grid: PriceGrid):
        self.args = (catalog, known, currency)
        self.cache: dict = {}
        self.bounds = dict(zip(grid.models, grid.bounds, strict=True))

    def __call__(self, reason, model, model_id, us) -> str:
        tier = _tier_of(reason)
        if reason not in ("unknown model", "no price") and tier is None:
            return reason  # its own words: no instant to turn into a datetime
        if reason == "unknown model":
            key = (reason, model)
        elif reason == "no price":
            key = (reason, model_id, bisect.bisect_right(self.bounds[model_id], us))
        else:
            return _reason(*self.args, reason, model, model_id, _instant(us))
        if key in self.cache:
            return self.cache[key]
        at = _instant(us)
        text = _reason(*self.args, reason, model, model_id, at)
        if reason == "unknown model" or show_instant(at.replace(tzinfo=UTC)) not in text:
            self.cache[key] = text
        return text


def _tier_of(reason: str) -> str | None:
    """The tier of a 'no <tier> price' rejection (the SQL's words), else None."""
    if reason.startswith("no ") and reason.endswith(" price") and reason != "no price":
        return reason[3:-6]
    return None


def _instant(us: int | None) -> datetime | None:
    """A naive UTC datetime (as DuckDB returns a TIMESTAMP) from epoch microseconds."""
    if us is None:
        return None
    return (EPOCH + timedelta(microseconds=us)).replace(tzinfo=None)


def _reason(catalog, known, currency, reason, model, model_id, ts) -> str:
    """A rejection's reason in the words the rest of llmcost uses (with its hint)."""
    try:
        if reason == "unknown model":
            catalog.resolve(model)
        elif reason == "no price" or _tier_of(reason):
            at = ts.replace(tzinfo=UTC)
            if _tier_of(reason):
                return f"{model_id}: {reason} is published at {at:%Y-%m-%d %H:%M} UTC"
            catalog.price_at(model_id, at, known, currency)
    except LlmcostError as exc:
        return exc.one_line()
    if reason == "unknown model":  # a spelling llmcost's SQL and Python read apart
        return f"unknown model {model!r}"
    return reason
