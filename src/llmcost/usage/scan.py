"""The compiled scanner (`_scan.c`): prices a clean JSON Lines file in one pass, or gives up.

DuckDB's JSON reader builds every field of every line as a value, and the SQL then checks and
places each record (`query.records_sql`); most of the time goes there. The scanner does the
same in one compiled pass over the bytes, both cores taking chunks of lines: parse (strict
JSON), check each field llmcost reads, normalise the counts (`shapes`), place the record in the
price grid (`pricegrid`) and add its counts to its row and group.

It only ever prices a file whose every line it reads exactly as the SQL would. Anything else
stops it and `bill` reads the file with DuckDB as before, so every rejection, odd spelling
and edge case keeps the one definition in `query`. It stops at:

- a line that is not one strict JSON object (RFC 8259) of valid UTF-8 between spaces, tabs
  or CRs (a form feed, a vertical tab, a BOM), nesting past 128, a number past 1e300, a line
  past 16 MiB; a gzip DuckDB would not read (a header flag, bytes after the last member, an
  empty file) or a damaged one; a name DuckDB reads as zstd or as the name before `.tmp`;
- in a field llmcost reads: a key written with an escape, in other case or twice; a value of
  a type it does not take; a count not written as digits (at most 18), or with an escape; an
  instant that is not Unix seconds (at most 12 digits) or
  `YYYY-MM-DD[Thh:mm[:ss[.f{1,9}]][Z|+hh|+hhmm|+hh:mm]]`; a group value that is not text,
  true, false, null or a whole number of at most 18 digits; a name or group text with `\u0000`;
- a record the SQL would reject (no model, an unknown model, no usage, ambiguous counts, a
  count its shape requires missing or counts that disagree (`shapes.REQUIRED`, `AGREE`: the
  same tables, passed in), cache counts past the prompt, a prompt past the model's context
  window or an output past its max output, no price, no batch price), or a sum past 2**63.

A model name it was not given is looked up once, by the same SQL (`query.model_numbers_sql`),
and the chunk scanned again. It hands back a 64-bit digest of each record's id (`id`, else
`responseId`; an id that is not plain text or digits stops it), so `bill` can find a response
logged twice (`repeated`) without the ids' text; deciding which copy to bill is the SQL's.
The C code is built by `pip install` where a C compiler is at hand; without it (or with
LLMCOST_PURE=1) `bill` is the same, only slower.
"""

from __future__ import annotations

import mmap
import os
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from llmcost.usage import rules, shapes
from llmcost.usage.pricegrid import PriceGrid, micros
from llmcost.usage.query import PRICED, SKIPPED

try:
    if os.environ.get("LLMCOST_PURE"):
        raise ImportError("LLMCOST_PURE is set")
    from llmcost.usage import _scan
except ImportError:  # built without a compiler, or turned off
    _scan = None

CHUNK = 8 << 20  # bytes of whole lines a thread scans at a time
MAX_LINE = 16 << 20  # the scanner gives up on a longer line (MAX_LINE in _scan.c)


def available() -> bool:
    return _scan is not None


class Scanner:
    """Prices whole files with `_scan` under one grid, group and window. `resolve` maps model
    names the grid does not hold as written to a model number or None (unknown). `by_day`:
    0, or the seconds of the UTC buckets records are grouped by (86400: UTC days; `zones`)."""

    def __init__(self, grid: PriceGrid, record_keys: tuple[str, ...], *, by_day: int,
                 by_shape: bool, since, until,
                 resolve: Callable[[list[str]], dict[str, int | None]], at=None):  # fmt: skip
        assert _scan is not None
        self.resolve = resolve
        self.keys, self.by_day, self.by_shape = record_keys, by_day, by_shape
        self.names: dict[bytes, int] = {n.encode(): no for n, no in grid.names.items()}
        self.tree = _tree(record_keys)
        stretch_at = {(s.model_no, s.index): i for i, s in enumerate(grid.stretches)}
        self.bounds = [list(b) for b in grid.bounds]
        self.stretch_of = [
            [stretch_at.get((m, i), -1) for i in range(len(b) + 1)]
            for m, b in enumerate(grid.bounds)
        ]
        self.stretches = [
            (s.base, s.batch, len(s.thresholds) + 1, len(s.cuts) + 1 if s.weekly else 0,
             list(s.cuts), list(s.thresholds))
            for s in grid.stretches
        ]  # fmt: skip
        self.window = (None if since is None else micros(since),
                       None if until is None else micros(until))  # fmt: skip
        self.limits = [tuple(limit) for limit in grid.limits]
        self.at = None if at is None else micros(at)
        self.config = self._config()
        self.last_ids = b""  # the digests of the ids of the last file priced (`digests`)

    def _config(self):
        nodes, slots, at = self.tree
        groups = [at[k] for k in self.keys]
        return _scan.config(nodes, slots, self.names, self.bounds, self.stretch_of,
                            self.stretches, *self.window, self.by_day, self.by_shape,
                            *_count_checks(), self.limits, rules_config(at), groups,
                            self.at)  # fmt: skip

    def learn(self, names: list[str]) -> None:
        """Look up those of `names` not yet known (None: unknown, -1 to the scanner) and
        rebuild the configuration."""
        new = [n for n in names if n.encode() not in self.names]
        if new:
            for name, no in self.resolve(new).items():
                self.names[name.encode()] = -1 if no is None else no
            self.config = self._config()

    def file(self, path: Path, tell: list[int] | None = None) -> list[tuple] | None:
        """The sums of `path` (rows as `query.records_sql` gives them), or None where the
        scanner stops. `tell[0]` follows the bytes read (for a progress bar)."""
        try:
            return self._file(path, tell)
        except MemoryError:  # DuckDB, which can spill to disk, takes the file
            return None

    def _file(self, path: Path, tell: list[int] | None) -> list[tuple] | None:
        workers = os.cpu_count() or 1
        totals = [0, 0]  # records, skipped
        groups: dict[tuple, list[int]] = {}
        pending: list = []
        ids: list[bytes] = []
        self.last_ids = b""

        def finish() -> bool:
            chunk, done, future = pending.pop(0)
            got = self._result(chunk, future)
            if done is not None:
                done()
            if got is None:
                return False
            totals[0] += got[0]
            totals[1] += got[1]
            _merge(groups, got[2])
            ids.append(got[3])
            return True

        with ThreadPoolExecutor(max_workers=workers) as pool:
            try:
                for piece in _chunks(path, tell):
                    if piece is None:
                        return None
                    chunk, done = piece
                    pending.append((chunk, done, pool.submit(_scan.scan, self.config, chunk)))
                    while len(pending) > 2 * workers or (pending and pending[0][2].done()):
                        if not finish():
                            return None
                while pending:
                    if not finish():
                        return None
            finally:
                for *_, future in pending:
                    future.cancel()
                pending.clear()
        records, skipped = totals
        if records != skipped + sum(v[0] for v in groups.values()):  # never: a bug if so
            return None
        self.last_ids = b"".join(ids)
        return self._rows(groups, skipped)

    def _result(self, chunk, future):
        """A chunk's (records, skipped, groups, id digests), scanned again once after learning
        the model names it asked about; None if the scanner stopped."""
        records, skipped, groups, unknown, stop, ids = future.result()
        if unknown and stop is None:
            self.learn(unknown)
            records, skipped, groups, unknown, stop, ids = _scan.scan(self.config, chunk)
        if stop is not None or unknown:
            return None
        return records, skipped, groups, ids

    def _rows(self, groups: dict[tuple, list[int]], skipped: int) -> list[tuple]:
        empty = [None] * (bool(self.by_day) + self.by_shape + len(self.keys))
        rows = [
            (PRICED, pid, batch, *([day] if self.by_day else []),
             *([shape] if self.by_shape else []), *values, *sums, None)
            for (pid, batch, day, shape, values), sums in groups.items()
        ]  # fmt: skip
        if skipped:
            rows.append((SKIPPED, None, None, *empty, skipped, 0, 0, 0, 0, 0, None))
        return rows


def digests(ids: list[str]) -> bytes:
    """The 8-byte digests of record ids read by DuckDB, as the scanner digests the ids it
    reads, so one set holds every reader's (without the compiled scanner: BLAKE2b)."""
    if _scan is not None:
        return _scan.digests(ids)
    import hashlib

    return b"".join(hashlib.blake2b(i.encode(), digest_size=8).digest() for i in ids)


def repeated(digests: bytes) -> set[bytes]:
    """The digests (`digests`, the scanner's) found more than once in `digests`."""
    if _scan is not None:
        found = _scan.repeated(digests)
    else:
        seen: set[bytes] = set()
        found = b""
        for at in range(0, len(digests), 8):
            one = digests[at : at + 8]
            found += one if one in seen else b""
            seen.add(one)
    return {found[at : at + 8] for at in range(0, len(found), 8)}


def _count_checks() -> tuple[list, list]:
    """The shapes' `Required` and `Agree` rules as `_scan.config` takes them: counts by their
    position in `shapes.COUNT_FIELDS`, the shapes of an agreement as a bit mask."""
    at = {path: i for i, path in enumerate(shapes.COUNT_FIELDS)}
    required = [(no, at[r.path], [at[p] for p in r.instead])
                for no, s in enumerate(rules.SHAPES) for r in s.required]  # fmt: skip
    agree = [(1 << no, at[a.whole], a.relation == ">=", [at[p] for p in a.parts], a.zeros)
             for no, s in enumerate(rules.SHAPES) for a in s.agree]  # fmt: skip
    return required, agree


def rules_config(slot: dict[str, int]) -> tuple:
    """The rules table (`rules.SHAPES`, `NOT_RECORDS`) as `_scan.config` takes it, with each
    field as its slot (`slot`) and each count as its position in `shapes.COUNT_FIELDS`: the
    scanner knows no provider, only these lists."""
    count = {path: i for i, path in enumerate(shapes.COUNT_FIELDS)}

    def formula(c: rules.Count) -> list:
        return [(t.sign, [[count[p] for p in alt] for alt in t.alternatives]) for t in c.terms]

    def shape(s: rules.Shape) -> tuple:
        return ([slot[p] for p in s.detect], [slot[p] for p in s.model],
                [slot[p] for p in s.instant], [slot[p] for p in s.tier],
                [[slot[p] for p in alt] for alt in s.request_id],
                slot[s.batch] if s.batch else -1, s.always_batch,
                [formula(c) for c in s.counts().values()])  # fmt: skip

    def every(attr: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p for s in rules.SHAPES for p in getattr(s, attr)))

    none = rules.Shape("", (), rules.ZERO, rules.ZERO, model=every("model"))  # no shape
    lenient = [p in shapes.LENIENT for p in shapes.COUNT_FIELDS]
    nots = [(slot[n.path], [w.encode() for w in n.words], n.without_usage)
            for n in rules.NOT_RECORDS]  # fmt: skip
    return ([shape(s) for s in (*rules.SHAPES, none)], lenient, nots)


def _merge(into: dict[tuple, list[int]], groups: list[tuple]) -> None:
    for pid, batch, day, shape, values, *sums in groups:
        slot = into.get((pid, batch, day, shape, values))
        if slot is None:
            into[(pid, batch, day, shape, values)] = sums
        else:
            for i, n in enumerate(sums):
                slot[i] += n


def _chunks(path: Path, tell: list[int] | None) -> Iterator[tuple | None]:
    """`path` in pieces of whole lines (the last may lack its LF), each with a function to
    call once it is scanned; None if it cannot be read so (a damaged gzip): the SQL readers
    say why. A plain file is mapped, not copied, and its pages let go as they are scanned
    (so they do not pile up as resident memory); a gzipped one is decompressed a piece at a
    time."""
    if path.name.lower().endswith((".zst", ".tmp")):  # DuckDB: zstd, or the name before .tmp
        yield None
        return
    with path.open("rb") as raw:
        if path.suffix.lower() == ".gz":
            yield from ((chunk, None) if chunk is not None else None
                        for chunk in _gzip_chunks(raw, tell))  # fmt: skip
            return
        size = os.fstat(raw.fileno()).st_size
        if size == 0:
            return
        # not closed here: chunks still being scanned hold it (it goes with the last one)
        mm = mmap.mmap(raw.fileno(), 0, access=mmap.ACCESS_READ)
    view = memoryview(mm)

    def let_go(start: int, end: int) -> Callable[[], None] | None:
        # whole pages only; a page the next chunk still reads is read again: same bytes
        if not hasattr(mmap, "MADV_DONTNEED"):  # Windows: the system keeps what it maps
            return None
        first, last = start - start % mmap.PAGESIZE, end - end % mmap.PAGESIZE
        return lambda: last > first and mm.madvise(mmap.MADV_DONTNEED, first, last - first)

    start = 0
    while start < size:
        cut = mm.find(b"\n", min(start + CHUNK, size) - 1) + 1 or size
        if tell is not None:
            tell[0] = cut
        yield view[start:cut], let_go(start, cut)
        start = cut


# gzip header flags DuckDB reads (FEXTRA, FNAME); FTEXT, FHCRC and FCOMMENT it refuses
_GZIP_FLAGS_READ = 0x04 | 0x08


def _gzip_chunks(raw, tell: list[int] | None) -> Iterator[bytes | None]:
    """A gzipped file's lines, member after member, or None where DuckDB would not read it
    (an empty file, a truncated member, bytes after the last one that are not a member:
    Python's gzip module takes trailing NULs as padding, DuckDB refuses them; a header flag it
    does not take) or where the data is damaged (zlib checks each member's CRC and length)."""
    member, fed, rest, started, head = zlib.decompressobj(31), False, b"", False, b""
    while data := raw.read(CHUNK):
        fed = True
        if tell is not None:
            tell[0] = raw.tell()
        while data:
            if member.eof or not started:  # a member starts here: its header's flags first
                data, head = head + data, b""
                if len(data) < 4:  # cut by the read: wait for the rest of it
                    head = data
                    break
                if data[3] & ~_GZIP_FLAGS_READ:
                    yield None
                    return
                member, started = (member if not started else zlib.decompressobj(31)), True
            try:
                out = member.decompress(data, CHUNK)
            except zlib.error:
                yield None
                return
            data = member.unused_data if member.eof else member.unconsumed_tail
            buf = rest + out if rest else out
            cut = buf.rfind(b"\n") + 1
            if cut:
                yield buf[:cut]
            rest = buf[cut:]
            if len(rest) > MAX_LINE:  # the scanner would give up on it (_scan.c)
                yield None
                return
    if not fed or head or not member.eof:
        yield None
        return
    if rest:
        yield rest


def _tree(record_keys: tuple[str, ...]):
    """The field tree as `_scan.config` takes it: nodes (lists of (key, child node, slot)),
    slots (a count's position in `shapes.COUNT_FIELDS`, else -1) and each path's slot. A
    group field llmcost also reads shares its slot."""
    paths = [(p, -1) for p in shapes.OTHER_FIELDS]
    paths += [(p, i) for i, p in enumerate(shapes.COUNT_FIELDS)]
    paths += [(p, -1) for p in record_keys]
    root: dict = {}
    slots: list[int] = []
    at: dict[str, int] = {}
    for path, count in paths:
        if path in at:
            continue
        node = root
        *parents, name = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ValueError(f"{path}: under a value")
        if name in node:
            raise ValueError(f"{path}: read twice")
        node[name] = at[path] = len(slots)
        slots.append(count)
    nodes: list[list] = []

    def add(node: dict) -> int:
        no = len(nodes)
        nodes.append([])
        nodes[no] = [
            (key.encode(), add(child), -1) if isinstance(child, dict) else (key.encode(), -1, child)
            for key, child in node.items()
        ]
        return no

    add(root)
    return nodes, slots, at


def supports(record_keys: tuple[str, ...]) -> bool:
    """Whether the scanner can read these group fields: none a field llmcost reads, at most
    64, and at most `_scan.MAX_KEYS` keys llmcost reads in any one object."""
    try:
        nodes, slots, _ = _tree(record_keys)
    except ValueError:
        return False
    return (len(record_keys) <= 64 and len(slots) <= 256 and sum(map(len, nodes)) <= 1024
            and all(len(node) <= _scan.MAX_KEYS for node in nodes))  # fmt: skip
