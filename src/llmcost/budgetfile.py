"""The budget file schema (`examples/budgets/*.toml`): one budget per file, unknown keys rejected.

    name = "support-bot"
    limit = 400                    # in `currency`, for one `period`
    currency = "USD"               # optional, USD by default
    period = "month"               # or "day"; a calendar month (UTC) by default
    warn_at = 0.8                  # optional: warn from this share of the limit
    catalog = 2026-05-03           # optional: pin the catalog version (a day)

    [[workloads]]
    model = "deepseek-v4-flash"    # or `slices` (a mix, as in a mix file) or `mix_file`
    requests_per_month = 3_000_000 # or requests_per_day
    input = 2000                   # per request, as in `compare`
    cached = 1500                  # or cache_hit_rate = 0.75
    output = 400
    batch = false

tomllib gives no line numbers, so `SourceLines` finds the line of a key or table header in the
text itself: every error names the file, the line and the field.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from llmcost.budget import Budget, Part
from llmcost.errors import InputError
from llmcost.mixfile import MixFile, SliceTable, TokenTable, _tomlable, load_mix

_COUNT = Field(default=None, ge=0, le=10**15, decimal_places=12, allow_inf_nan=False)


class WorkloadTable(TokenTable):
    """One workload: a model or a mix, a number of requests and per-request tokens (the
    defaults of a mix's slices)."""

    name: str | None = Field(default=None, min_length=1)
    model: str | None = Field(default=None, min_length=1)
    slices: list[SliceTable] | None = Field(default=None, min_length=1)
    mix_file: str | None = Field(default=None, min_length=1)
    requests_per_month: Decimal | None = _COUNT
    requests_per_day: Decimal | None = _COUNT
    batch: bool = False

    @model_validator(mode="after")
    def _one_of_each(self):
        given = [k for k in ("model", "slices", "mix_file") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of model, slices (a mix) and mix_file")
        if (self.requests_per_month is None) == (self.requests_per_day is None):
            raise ValueError("give exactly one of requests_per_month and requests_per_day")
        return self


class BudgetFile(BaseModel):
    """A budget file as written. `llmcost budget schema` prints its JSON Schema."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    limit: Decimal = Field(gt=0, le=10**15, decimal_places=12, allow_inf_nan=False)
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    period: Literal["month", "day"] = "month"
    warn_at: Decimal = Field(default=Decimal("0.8"), gt=0, le=1, allow_inf_nan=False)
    catalog: date | None = None
    workloads: list[WorkloadTable] = Field(min_length=1)


# -- where a key is -------------------------------------------------------------------------

_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.\- ]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_\-]+(?:\s*\.\s*[A-Za-z0-9_\-]+)*)\s*=\s*(.*)$")


class SourceLines:
    """Line numbers of keys and tables in a TOML text, by pydantic-style location
    (`("workloads", 1, "model")`). Understands `[table]`, `[[array.of.tables]]`, `key = `
    lines and multi-line arrays of inline tables one per line (as tomli-w writes them)."""

    def __init__(self, text: str):
        self.lines: dict[tuple, int] = {}
        table: tuple = ()
        counts: dict[tuple, int] = {}
        array: tuple | None = None
        index = 0
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            if array is not None:
                if stripped.startswith("]"):
                    array = None
                elif stripped.startswith("{"):
                    self._record((*array, index), number)
                    for key in re.findall(r"[{,]\s*([A-Za-z0-9_\-]+)\s*=", stripped):
                        self._record((*array, index, key), number)
                    index += 1
                continue
            header = _HEADER.match(line)
            if header:
                table = self._header(header.group(1) == "[[", header.group(2), table, counts)
                self._record(table, number)
                continue
            key = _KEY.match(line)
            if key:
                path = (*table, *(p.strip() for p in key.group(1).split(".")))
                self._record(path, number)
                if key.group(2).strip() == "[":
                    array, index = path, 0

    @staticmethod
    def _header(is_array: bool, name: str, table: tuple, counts: dict) -> tuple:
        parts = [p.strip() for p in name.split(".")]
        # a nested array (`[[workloads.slices]]`) belongs to the current element of its parent
        path: tuple = ()
        for part in parts[:-1]:
            path = (*path, part)
            current = table[: len(path) + 1]
            if len(current) > len(path) and isinstance(current[-1], int):
                path = current
        path = (*path, parts[-1])
        if not is_array:
            return path
        counts[path] = counts.get(path, -1) + 1
        return (*path, counts[path])

    def _record(self, path: tuple, number: int) -> None:
        self.lines.setdefault(path, number)

    def line(self, loc: tuple | list) -> int | None:
        """The line of `loc`, else of its nearest enclosing key or table that has one."""
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return None


def field_name(loc: tuple | list) -> str:
    """`("workloads", 1, "model")` as `workloads[1].model`."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def where(file: str, line: int | None) -> str:
    return f"{file}:{line}" if line is not None else file


# -- reading --------------------------------------------------------------------------------


def read_budget_file(path: str | Path) -> tuple[BudgetFile, SourceLines]:
    """A budget file validated against the schema; every error names file:line: field."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", where=file) from None
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", where=file) from None
    try:
        raw = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _line_in_message(str(exc))
        message = getattr(exc, "msg", None) or str(exc)
        raise InputError(f"invalid TOML: {message}", where=where(file, line)) from None
    lines = SourceLines(text)
    try:
        return BudgetFile.model_validate(raw), lines
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = tuple(error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key (see 'llmcost budget schema')"
        elif error["type"] == "missing":
            message = "required"
        hint = "'llmcost budget init' writes a starter budget" if loc == () else None
        raise InputError(
            f"{field_name(loc) or 'file'}: {message}", where=where(file, lines.line(loc)), hint=hint
        ) from None


def _line_in_message(message: str) -> int | None:
    found = re.search(r"line (\d+)", message)
    return int(found.group(1)) if found else None


def load_budget(path: str | Path) -> Budget:
    """A budget file as the pure `Budget` that `check_budget` prices."""
    parsed, lines = read_budget_file(path)
    return to_budget(parsed, lines, str(path))


def to_budget(parsed: BudgetFile, lines: SourceLines, file: str) -> Budget:
    parts = []
    for index, table in enumerate(parsed.workloads):
        loc = ("workloads", index)
        at = where(file, lines.line(loc))
        if parsed.period == "day" and table.requests_per_month is not None:
            raise InputError(
                f"{field_name(loc)}.requests_per_month: a day budget counts requests per day",
                where=where(file, lines.line((*loc, "requests_per_month"))),
                hint="use requests_per_day",
            )
        per = "month" if table.requests_per_month is not None else "day"
        requests = table.requests_per_month if per == "month" else table.requests_per_day
        mix = None
        if table.slices is not None:
            slice_lines = [lines.line((*loc, "slices", i)) or 0 for i in range(len(table.slices))]
            mix = MixFile(slices=table.slices).to_spec(Path(file), slice_lines)
            mix = replace(mix, source=f"{at}: {field_name(loc)}.slices")
        elif table.mix_file is not None:
            mix_path = Path(file).parent / table.mix_file
            if not mix_path.exists():
                raise InputError(
                    f"{field_name(loc)}.mix_file: no such file {str(mix_path)!r}",
                    where=where(file, lines.line((*loc, "mix_file"))),
                    hint="a mix_file path is relative to the budget file",
                )
            mix = load_mix(mix_path)
        tokens = TokenTable(**table.model_dump(include=set(TokenTable.model_fields))).tokens()
        label = table.name or table.model or f"mix {index + 1}"
        model_line = lines.line((*loc, "model"))
        parts.append(
            Part(label, table.model, mix, tokens, requests, per, table.batch, field_name(loc),
                 where(file, model_line))
        )  # fmt: skip
    return Budget(
        file=file,
        name=parsed.name,
        limit=parsed.limit,
        currency=parsed.currency,
        period=parsed.period,
        warn_at=parsed.warn_at,
        catalog=parsed.catalog,
        parts=tuple(parts),
        lines={k: lines.line((k,)) for k in ("name", "limit", "catalog")},
    )


# -- writing --------------------------------------------------------------------------------


def dump_budget(budget: BudgetFile) -> str:
    """The budget as TOML (tomli-w), readable back by `read_budget_file` to an equal value."""
    import tomli_w

    doc = budget.model_dump(exclude_none=True, exclude_defaults=True)
    for key in ("name", "limit"):  # required keys first and always
        doc.setdefault(key, getattr(budget, key))
    doc = {"name": doc.pop("name"), "limit": doc.pop("limit"), **doc}
    doc["workloads"] = [
        w.model_dump(exclude_none=True, exclude_defaults=True) for w in budget.workloads
    ]
    for workload in doc["workloads"]:
        if "slices" in workload:  # a table's keys before its array of slices
            workload["slices"] = workload.pop("slices")
    return tomli_w.dumps(_tomlable(doc))


def write_new(path: str | Path, text: str) -> None:
    """Write a new file; an existing one is never overwritten."""
    try:
        with open(path, "x", encoding="utf-8") as out:
            out.write(text)
    except FileExistsError:
        raise InputError("already exists; not overwriting it", where=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot write: {exc.strerror}", where=str(path)) from None
