"""`bill --invoice`: a bill set beside an invoice or a provider's cost export, line by line.

The invoice is a CSV of day / model / amount (`read_invoice`: the accepted column names are
`DAY_NAMES`, `MODEL_NAMES`, `AMOUNT_NAMES`, `CURRENCY_NAMES`; other columns are ignored).
Its lines are summed per day x offering, the offering found by the catalog's own name
resolution (`Catalog.resolve`), and set beside the bill's cost of that day x offering
(`reconcile`). Each gap is named where llmcost can know its cause (`CAUSES`); a gap no cause
explains is `unexplained`, and one larger than the tolerance makes the run exit 1.

The gap is invoice minus llmcost: positive when the invoice asks for more than the logs cost.
Everything is `Decimal`, exact; nothing is rounded but what the invoice itself rounded.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from llmcost.catalog.lookup import Catalog
from llmcost.catalog.names import STANDARD_WORDS, fold
from llmcost.errors import InputError, LlmcostError
from llmcost.files import read_bounded
from llmcost.money import EXACT, exact_sum

# The accepted spellings of each column, compared without case or surrounding spaces. They are
# those of the providers' cost exports (`date`, `line_item`, `cost`, `cost_usd`) and of a
# hand-written invoice (`day`, `model`, `description`, `amount`).
DAY_NAMES = ("date", "day")
MODEL_NAMES = ("model", "line_item", "description")
AMOUNT_NAMES = ("amount", "cost", "cost_usd")
CURRENCY_NAMES = ("currency",)
ROLES = {"day": DAY_NAMES, "model": MODEL_NAMES, "amount": AMOUNT_NAMES}

MAX_INVOICE_BYTES = 64 * 1024 * 1024
MAX_INVOICE_LINES = 1_000_000
MAX_FIELD = 1000  # characters of one field
MAX_AMOUNT_DIGITS = 30
HALF_CENT = Decimal("0.005")
# the record fields that name a record's tier (`bill --group-by` reads them as written)
TIER_FIELDS = ("service_tier", "usage.service_tier", "batch")
BILL_KEYS = ("day", "model", *TIER_FIELDS)
MAX_REJECTIONS_READ = 100_000  # rejected lines read back to find their day and model

_AMOUNT = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

CAUSES = {
    "rejected": "records of that day and model were rejected (not priced)",
    "tier": "records billed at a service tier other than standard",
    "outside_logs": "a day outside the logs' span: not compared",
    "outside_invoice": "a day outside the invoice's span: not compared",
}


@dataclass(frozen=True, slots=True)
class InvoiceLine:
    line: int  # its line in the file (the header is line 1)
    day: date
    name: str  # the model as the invoice writes it
    amount: Decimal
    allowance: Decimal  # what rounding the amount as written may account for


@dataclass(frozen=True)
class Invoice:
    file: str
    currency: str | None  # from its currency column or `cost_usd`; None when it says none
    lines: tuple[InvoiceLine, ...]
    repeated: tuple[tuple[int, int], ...] = ()  # (line, the earlier line it repeats exactly)


@dataclass(frozen=True, slots=True)
class Comparison:
    """One day x offering: llmcost's cost, the invoice's, the gap and what explains it."""

    day: date
    model: str  # the offering's catalog key, or the invoice's name when the catalog lacks it
    invoice_names: tuple[str, ...]
    invoice_lines: tuple[int, ...]
    llmcost: Decimal
    invoice: Decimal
    rejected: int  # records of this day and model rejected
    tier_records: int  # records priced at a tier other than standard
    tiers: tuple[str, ...]
    status: str  # match, rounding, explained, unexplained, outside
    causes: tuple[str, ...]
    # an invoice name that found no offering: the closest ones (`Catalog.resolve`'s hint)
    unresolved: str | None = None

    @property
    def difference(self) -> Decimal:
        return EXACT.subtract(self.invoice, self.llmcost)


@dataclass(frozen=True)
class Reconciliation:
    currency: str
    tolerance: Decimal
    rows: tuple[Comparison, ...]
    unattributed_rejections: int  # rejected records whose day or model could not be read
    logs_span: tuple[date, date] | None
    invoice_span: tuple[date, date] | None
    # the bill's day x model lines of providers the invoice does not bill: left out
    other_providers: tuple[str, ...] = ()
    other_lines: int = 0
    other_cost: Decimal = Decimal(0)

    @property
    def llmcost(self) -> Decimal:
        return exact_sum(r.llmcost for r in self.rows)

    @property
    def invoice(self) -> Decimal:
        return exact_sum(r.invoice for r in self.rows)

    @property
    def unexplained(self) -> Decimal:
        return exact_sum(r.difference for r in self.rows if r.status == "unexplained")

    @property
    def outside(self) -> Decimal:
        """The gaps of days only one side covers: not compared, not explained either."""
        return exact_sum(r.difference for r in self.rows if r.status == "outside")

    @property
    def overlap(self) -> bool:
        """Whether the invoice shares a day with the logs: if not, nothing was compared."""
        logs, billed = self.logs_span, self.invoice_span
        return (
            logs is not None
            and billed is not None
            and not (billed[1] < logs[0] or logs[1] < billed[0])
        )

    @property
    def over_tolerance(self) -> tuple[Comparison, ...]:
        return tuple(
            r
            for r in self.rows
            if r.status == "unexplained" and r.difference.copy_abs() > self.tolerance
        )


# -- the invoice -------------------------------------------------------------------------------


def read_invoice(path: str | Path) -> Invoice:
    """The lines of an invoice CSV, or one error naming the file, line and field."""
    file = str(path)
    data = read_bounded(path, limit=MAX_INVOICE_BYTES)
    _check_size(data, file)
    try:
        text = data.decode("utf-8-sig")  # a BOM (as spreadsheets write) is not part of a name
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            f"byte {exc.start + 1} is not UTF-8",
            where=f"{file}:{line}",
            hint="save the export as UTF-8 CSV",
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputError(
            "a NUL byte: not a CSV file", where=f"{file}:{line}", hint="give the invoice as a CSV"
        )
    rows = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(rows, None)
        if header is None or not any(h.strip() for h in header):
            raise InputError("no header row", where=f"{file}:1", hint=_columns_hint())
        columns = _columns(header, file)
        lines, currency, seen, repeated = [], None, {}, []
        for row in rows:
            number = rows.line_num
            if not any(cell.strip() for cell in row):
                continue  # a blank line
            if len(row) != len(header):
                raise InputError(
                    f"{len(row)} fields where the header has {len(header)}",
                    where=f"{file}:{number}",
                    hint="quote a field that holds a comma",
                )
            line, cur = _line(row, columns, file, number)
            if cur is not None:
                if currency is not None and cur != currency:
                    raise InputError(
                        f"currency: {cur} where the lines before are in {currency}",
                        where=f"{file}:{number}",
                        hint="compare one currency at a time: split the invoice",
                    )
                currency = cur
            key = tuple(cell.strip() for cell in row)
            if key in seen:
                repeated.append((number, seen[key]))
            seen.setdefault(key, number)
            lines.append(line)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise InputError(
                f"a field longer than {csv.field_size_limit():,} characters",
                where=f"{file}:{rows.line_num}",
                hint="is this the right file? an invoice's fields are short",
            ) from None
        raise InputError(
            f"not a valid CSV: {exc}",
            where=f"{file}:{rows.line_num}",
            hint="a quote opened and never closed?",
        ) from None
    if not lines:
        raise InputError(
            "no invoice lines under the header",
            where=file,
            hint="export the costs of a period with some usage",
        )
    return Invoice(file, currency, tuple(lines), tuple(repeated))


def _check_size(data: bytes, file: str) -> None:
    """Refuse, before parsing, a gzip file and one of more than `MAX_INVOICE_LINES` lines
    under its header (blank ones included: counting is cheap, parsing a million rows is not)."""
    if data[:2] == b"\x1f\x8b":
        raise InputError(
            "a gzip-compressed file, not a CSV",
            where=file,
            hint=f"decompress it first: gunzip -k {file}",
        )
    lines = data.count(b"\n") + (not data.endswith(b"\n")) - 1
    if lines > MAX_INVOICE_LINES:
        raise InputError(
            f"more than {MAX_INVOICE_LINES:,} lines",
            where=file,
            hint="split the invoice by month",
        )


def _columns_hint() -> str:
    names = [f"{role}: {' or '.join(spellings)}" for role, spellings in ROLES.items()]
    return "; ".join(names) + "; optional currency"


def _columns(header: list[str], file: str) -> dict[str, int]:
    """Each role's column number; `currency` (and `cost_usd`'s implied USD) when present."""
    folded = [h.strip().lower() for h in header]
    found: dict[str, int] = {}
    for role, spellings in (*ROLES.items(), ("currency", CURRENCY_NAMES)):
        where = [i for i, name in enumerate(folded) if name in spellings]
        if len(where) > 1:
            both = " and ".join(header[i].strip() for i in where)
            raise InputError(
                f"columns {both} both give the {role}",
                where=f"{file}:1",
                hint="keep one of them (or rename the other)",
            )
        if where:
            found[role] = where[0]
        elif role != "currency":
            raise InputError(
                f"no {role} column in the header",
                where=f"{file}:1",
                hint=f"name it {' or '.join(spellings)}",
            )
    if folded[found["amount"]] == "cost_usd":
        found["usd"] = found["amount"]
    return found


def _line(row: list[str], columns: dict[str, int], file: str, number: int):
    """One invoice line and its currency (None when the file does not say)."""

    def cell(role: str) -> str:
        text = row[columns[role]].strip()
        if len(text) > MAX_FIELD:
            raise InputError(
                f"{role}: longer than {MAX_FIELD} characters",
                where=f"{file}:{number}",
                hint="is this the right file?",
            )
        return text

    where = f"{file}:{number}"
    day = _day(cell("day"), where)
    name = _model_name(cell("model"), where)
    amount, allowance = _amount(cell("amount"), where)
    currency = None
    if "currency" in columns:
        currency = cell("currency").upper()
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise InputError(
                f"currency: {row[columns['currency']]!r} is not a currency code",
                where=where,
                hint="USD or CNY",
            )
    if "usd" in columns:
        if currency not in (None, "USD"):
            raise InputError(
                f"currency: {currency} in a cost_usd column",
                where=where,
                hint="a cost_usd column holds US dollars",
            )
        currency = "USD"
    return InvoiceLine(number, day, name, amount, allowance), currency


def _day(text: str, where: str) -> date:
    """`2026-01-05`, or an instant (`2026-01-05T00:00:00Z`): the UTC day it falls in."""
    from llmcost.timeparse import instant

    try:
        if _DAY.fullmatch(text):
            return date.fromisoformat(text)
        if _DAY.match(text):
            return instant(text, field="date").astimezone(UTC).date()
    except (ValueError, LlmcostError):
        pass
    raise InputError(
        f"date: {text!r} is not a day",
        where=where,
        hint="a day as YYYY-MM-DD (UTC) or an ISO 8601 instant",
    )


def _model_name(text: str, where: str) -> str:
    """The model of a line: a cost export's `line_item` (`gpt-5.5, input`) names it first."""
    name = text.split(",")[0].strip()
    if not name:
        raise InputError("model: empty", where=where, hint="each line names the model it bills")
    return name


def _amount(text: str, where: str) -> tuple[Decimal, Decimal]:
    """The amount as written, exactly, and what its rounding may account for: half a unit of
    its last written place, at most half a cent (`12.3` and `12` are taken as cents too)."""
    plain = text.removeprefix("$").strip()
    if _AMOUNT.fullmatch(plain) and len(plain.lstrip("+-").replace(".", "")) > MAX_AMOUNT_DIGITS:
        raise InputError(
            f"amount: {text!r} has more than {MAX_AMOUNT_DIGITS} digits",
            where=where,
            hint="no invoice bills that much: is this the right column?",
        )
    if not _AMOUNT.fullmatch(plain):
        raise InputError(
            f"amount: {text!r} is not an amount",
            where=where,
            hint="a plain decimal such as 12.34 (no thousands separator, no exponent)",
        )
    amount = Decimal(plain)
    if amount < 0:
        raise InputError(
            f"amount: {text} is negative",
            where=where,
            hint="a credit or refund is not usage: leave its line out",
        )
    places = len(plain.partition(".")[2])
    return amount, min(HALF_CENT, Decimal(5).scaleb(-places - 1))


# -- the rejected records ----------------------------------------------------------------------


def rejected_by_day_model(catalog: Catalog, rejections: Iterable, limit: int = MAX_REJECTIONS_READ):
    """How many rejected records each (day, model) has, read back from their lines (the bill's
    rejections name file and line only), and how many could not be placed: a line with no
    readable model or instant, a CSV log, more than `limit` rejections. A model the catalog
    resolves is keyed by its offering; another by its name folded (`catalog.names.fold`), as an
    invoice line's unknown model is."""
    by_file: dict[str, set[int]] = defaultdict(set)
    unplaced = 0
    for count, rejection in enumerate(rejections):
        if count >= limit or str(rejection.file).lower().endswith((".csv", ".csv.gz")):
            unplaced += 1
        else:
            by_file[rejection.file].add(rejection.line)
    counts: dict[tuple[date, str], int] = defaultdict(int)
    for file, wanted in by_file.items():
        placed = 0
        for record in _lines(file, wanted):
            key = _day_model(catalog, record)
            if key is not None:
                counts[key] += 1
                placed += 1
        unplaced += len(wanted) - placed
    return dict(counts), unplaced


def _lines(file: str, wanted: set[int]):
    """The text of the lines of `file` numbered in `wanted` (a line of 64 MiB or more is
    not read: the bill could not read it either)."""
    opener = gzip.open if file.lower().endswith(".gz") else open
    last = max(wanted)
    try:
        with opener(file, "rb") as handle:
            for number, raw in enumerate(handle, 1):
                if number > last:
                    break
                if number in wanted and len(raw) < 64 << 20:
                    yield raw
    except (OSError, EOFError):
        return


def _day_model(catalog: Catalog, raw: bytes) -> tuple[date, str] | None:
    from llmcost.timeparse import instant

    try:
        record = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(record, dict):
        return None
    name = record.get("model") or record.get("modelVersion")
    when = next((record[k] for k in ("timestamp", "created_at", "created") if k in record), None)
    if not isinstance(name, str) or when is None or isinstance(when, bool):
        return None
    try:
        if isinstance(when, int | float):
            day = datetime.fromtimestamp(int(when), UTC).date()
        else:
            day = instant(str(when), field="timestamp").astimezone(UTC).date()
    except (ValueError, OverflowError, OSError, LlmcostError):
        return None
    return day, _offering(catalog, name)


def _offering(catalog: Catalog, name: str) -> str:
    try:
        return catalog.resolve(name).key
    except LlmcostError:
        return fold(name)


# -- the comparison ----------------------------------------------------------------------------


def is_standard_tier(keys: dict) -> bool:
    """Whether a bill group (grouped by `TIER_FIELDS` too) was billed at the standard tier."""
    words = [keys.get(k) for k in ("service_tier", "usage.service_tier")]
    if any(w is not None and w.strip().lower() not in STANDARD_WORDS for w in words):
        return False
    batch = keys.get("batch")
    return batch is None or batch.strip().lower() not in ("true", "1", "yes")


def tier_word(keys: dict) -> str:
    words = [keys.get(k) for k in ("service_tier", "usage.service_tier")]
    word = next(
        (
            w.strip().lower()
            for w in words
            if w is not None and w.strip().lower() not in STANDARD_WORDS
        ),
        None,
    )
    return word or "batch"


@dataclass
class _Slot:
    llmcost: Decimal = Decimal(0)
    invoice: Decimal = Decimal(0)
    allowance: Decimal = Decimal(0)
    names: list = field(default_factory=list)
    lines: list = field(default_factory=list)
    tier_records: int = 0
    tier_cost: Decimal = Decimal(0)
    tiers: set = field(default_factory=set)
    known: bool = True
    unresolved: str | None = None


def reconcile(
    catalog: Catalog,
    groups: Iterable,
    invoice: Invoice,
    *,
    currency: str,
    tolerance: Decimal,
    rejected: dict | None = None,
    unattributed: int = 0,
) -> Reconciliation:
    """Set the bill's groups (by `BILL_KEYS`) beside the invoice's lines, per day x offering."""
    slots: dict[tuple[date, str], _Slot] = defaultdict(_Slot)
    logs_days = set()
    for group in groups:
        day = date.fromisoformat(group.keys["day"])
        slot = slots[(day, group.keys["model"])]
        slot.llmcost = EXACT.add(slot.llmcost, group.cost.total)
        logs_days.add(day)
        if not is_standard_tier(group.keys):
            slot.tier_records += group.records
            slot.tier_cost = EXACT.add(slot.tier_cost, group.cost.total)
            slot.tiers.add(tier_word(group.keys))
    rejected = rejected or {}
    logs_days.update(day for day, _ in rejected)
    billed: set[str] = set()  # the providers the invoice bills, of the models llmcost knows
    for line in invoice.lines:
        model, known, why = _invoice_model(catalog, line, invoice.file)
        if known:
            billed.add(catalog.info(model).provider)
        slot = slots[(line.day, model)]
        slot.unresolved = slot.unresolved or why
        slot.invoice = EXACT.add(slot.invoice, line.amount)
        slot.allowance = EXACT.add(slot.allowance, line.allowance)
        slot.known = slot.known and known
        if line.name not in slot.names:
            slot.names.append(line.name)
        slot.lines.append(line.line)
    logs_span = (min(logs_days), max(logs_days)) if logs_days else None
    days = [ln.day for ln in invoice.lines]
    invoice_span = (min(days), max(days))
    rows, others = [], []
    for (day, model), slot in sorted(slots.items(), key=lambda kv: (kv[0][0], kv[0][1])):
        provider = catalog.info(model).provider if slot.known else None
        if not slot.lines and billed and provider not in billed:
            others.append((provider, slot.llmcost))
            continue
        count = rejected.get((day, model), 0)
        status, causes = _explain(slot, day, count, logs_span, invoice_span)
        rows.append(
            Comparison(
                day,
                model,
                tuple(slot.names),
                tuple(slot.lines),
                slot.llmcost,
                slot.invoice,
                count,
                slot.tier_records,
                tuple(sorted(slot.tiers)),
                status,
                causes,
                slot.unresolved,
            )
        )
    return Reconciliation(
        currency, tolerance, tuple(rows), unattributed, logs_span, invoice_span,
        other_providers=tuple(sorted({p for p, _ in others})), other_lines=len(others),
        other_cost=exact_sum(c for _, c in others),
    )  # fmt: skip


def _invoice_model(catalog: Catalog, line: InvoiceLine, file: str):
    """The offering an invoice line bills (its catalog key, known), or its name folded (not
    known: the catalog lacks it) and why, with the closest names. A name several offerings
    carry is bad input."""
    try:
        return catalog.resolve(line.name).key, True, None
    except LlmcostError as exc:
        if "ambiguous" in exc.message:
            raise InputError(f"model: {exc.message}", where=f"{file}:{line.line}",
                             hint=exc.hint) from None  # fmt: skip
        return fold(line.name), False, _closest(catalog, line.name, exc.hint)


def _closest(catalog: Catalog, name: str, hint: str | None) -> str:
    """A hint for a name the catalog lacks: the model its first words name, if they name one
    (`GPT-5.5 input tokens`: the words a line item adds are not parsed, they are guessed
    from no export's documented format), else the catalog's closest names."""
    words = re.split(r"[\s(),]+", name.strip())
    for end in range(len(words) - 1, 0, -1):
        try:
            key = catalog.resolve(" ".join(words[:end])).key
        except LlmcostError:
            continue
        return f"its first words name {key!r}"
    if hint and hint.startswith("did you mean"):
        return hint
    return "no close name: see llmcost prices"


def _explain(slot: _Slot, day: date, rejected: int, logs_span, invoice_span):
    """The status of one day x offering and the causes llmcost can name for its gap.

    A day only one side covers is `outside`: not compared, and not explained either (the
    run fails when no day is shared at all). A name the catalog lacks explains nothing. The
    tier cause explains a gap no larger than the tier records' own cost: what re-billing them
    at standard could change, for tiers at a half to twice the standard rates (batch, flex,
    priority)."""
    gap = EXACT.subtract(slot.invoice, slot.llmcost)
    if gap == 0:
        return "match", ()
    if slot.lines and gap.copy_abs() <= slot.allowance:
        return "rounding", ()
    if slot.lines and (logs_span is None or not logs_span[0] <= day <= logs_span[1]):
        return "outside", ("outside_logs",)
    if not slot.lines and not invoice_span[0] <= day <= invoice_span[1]:
        return "outside", ("outside_invoice",)
    causes = []
    if gap > 0 and rejected:
        causes.append("rejected")
    if slot.tier_records and gap.copy_abs() <= slot.tier_cost:
        causes.append("tier")
    return ("explained" if causes else "unexplained"), tuple(causes)
