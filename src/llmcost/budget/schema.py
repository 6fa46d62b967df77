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
    traffic = "office-hours@Europe/Berlin"  # optional: when the requests come (as in a mix file)

Every error names the file, the line and the field (`llmcost.tomlfile`).
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, model_validator

from llmcost.budget.spec import Budget, Part
from llmcost.catalog.entities import STANDARD
from llmcost.errors import InputError
from llmcost.filefields import Number, count_field, tomlable
from llmcost.mixfile import (
    TRAFFIC,
    MixFile,
    SliceTable,
    TokenTable,
    TrafficTable,
    file_tier,
    load_mix,
)
from llmcost.tomlfile import SourceLines, field_name, read_toml, schema_error, where


class WorkloadTable(TokenTable):
    """One workload: a model or a mix, a number of requests and per-request tokens (the
    defaults of a mix's slices)."""

    name: str | None = Field(default=None, min_length=1, description="A label for reports.")
    model: str | None = Field(
        default=None, min_length=1, description="The model (or give slices, or mix_file)."
    )
    slices: list[SliceTable] | None = Field(
        default=None, min_length=1, description="A mix: each model's share of the traffic."
    )
    mix_file: str | None = Field(
        default=None, min_length=1, description="A mix file, relative to this budget file."
    )
    requests_per_month: Number | None = count_field("Requests in a calendar month (month budgets).")
    requests_per_day: Number | None = count_field("Requests in a UTC day.")
    batch: StrictBool = Field(default=False, description="Price every request at batch rates.")
    tier: str | None = Field(
        default=None, min_length=1, description="The service tier: standard, batch, flex, ..."
    )
    traffic: TrafficTable | None = TRAFFIC  # overrides a mix file's

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

    name: str = Field(min_length=1, description="The budget's name in reports.")
    limit: Number = Field(
        gt=0, le=10**15, decimal_places=12, allow_inf_nan=False,
        description="The most the workloads may cost in one period, in currency.",
    )  # fmt: skip
    currency: str = Field(
        default="USD", pattern=r"^[A-Z]{3}$", description="ISO 4217 code: USD, or CNY."
    )
    period: Literal["month", "day"] = Field(
        default="month", description="A calendar month or a UTC day."
    )
    warn_at: Number = Field(
        default=Decimal("0.8"), gt=0, le=1, allow_inf_nan=False,
        description="Warn from this share of the limit (0 to 1).",
    )  # fmt: skip
    catalog: date | None = Field(
        default=None, description="Pin the catalog version: the prices as known on this day."
    )
    workloads: list[WorkloadTable] = Field(
        min_length=1, description="What the budget pays for: one table per workload."
    )


# -- the JSON Schema ----------------------------------------------------------------------------

# pydantic's constraint names, where its JSON Schema leaves them, and the standard keywords
_STANDARD = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum"}
_SHARE_TEXT = r"^\s*[0-9]*\.?[0-9]+\s*%?\s*(-\s*[0-9]*\.?[0-9]+\s*%?\s*)?$"
_PERCENT = {"type": "number", "minimum": 0, "maximum": 100}


def json_schema() -> dict:
    """The budget file's JSON Schema in standard keywords only (draft 2020-12), so an editor
    refuses what `budget validate` refuses: pydantic's own output keeps `ge`, `le` and
    `decimal_places` (which validators ignore), offers a string for every number (a quoted
    number is refused), and leaves out the rules its validators check in code (one of model,
    slices and mix_file; cached or cache_hit_rate). Only what no schema can say is left to
    `budget validate`: the models and mixes against the catalog, 12 decimal places."""
    document = _standard(BudgetFile.model_json_schema())
    defs = document["$defs"]
    hits = {"not": {"required": ["cached", "cache_hit_rate"]}}
    for name in ("SliceTable", "WorkloadTable"):
        defs[name].update(hits)
    slice_ = defs["SliceTable"]
    slice_["properties"]["share"] = {
        "description": slice_["properties"]["share"]["description"],
        "oneOf": [_PERCENT, {"type": "string", "pattern": _SHARE_TEXT}],
    }
    for key in ("share_min", "share_max"):
        slice_["properties"][key].update(_PERCENT)
    either_range = {"anyOf": [{"required": ["share_min"]}, {"required": ["share_max"]}]}
    slice_["oneOf"] = [
        {"required": ["share"], "not": either_range},
        {"required": ["share_min", "share_max"], "not": {"required": ["share"]}},
    ]
    defs["WorkloadTable"]["allOf"] = [
        {"oneOf": [{"required": [key]} for key in ("model", "slices", "mix_file")]},
        {"oneOf": [{"required": [key]} for key in ("requests_per_month", "requests_per_day")]},
    ]
    document["if"] = {"properties": {"period": {"const": "day"}}, "required": ["period"]}
    document["then"] = {
        "properties": {"workloads": {"items": {"not": {"required": ["requests_per_month"]}}}}
    }
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "llmcost budget"
    return document


def _standard(node):
    """pydantic's schema node in standard keywords: a number is a number (no string branch, no
    null: TOML has none), its constraints renamed; `decimal_places` dropped."""
    if isinstance(node, list):
        return [_standard(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _standard(value) for key, value in node.items()}
    branches = node.get("anyOf")
    if branches is not None:
        kept = [b for b in branches if b not in ({"type": "null"}, {"type": "string"})]
        if len(kept) == 1 and len(kept) < len(branches) and "$ref" not in kept[0]:
            node.pop("anyOf")
            node = {**kept[0], **node}
            if node.get("default", 0) is None:
                node.pop("default")
    for old, new in _STANDARD.items():
        if old in node:
            node[new] = node.pop(old)
    node.pop("decimal_places", None)
    if node.get("type") == "number" and isinstance(node.get("default"), str):
        node["default"] = float(node["default"])  # pydantic writes a Decimal default as text
    if isinstance(node.get("minimum"), float) and node["minimum"].is_integer():
        node["minimum"] = int(node["minimum"])
    return node


# -- reading --------------------------------------------------------------------------------


def read_budget_file(path: str | Path) -> tuple[BudgetFile, SourceLines]:
    """A budget file validated against the schema; every error names file:line: field."""
    raw, lines = read_toml(path)
    if "slices" in raw and "workloads" not in raw and "limit" not in raw:
        raise InputError(
            "this is a mix file, not a budget",
            where=str(path),
            hint="keep mix files out of budgets/*.toml (e.g. in budgets/mixes/) and name them "
            "from a budget with mix_file",
        )
    try:
        return BudgetFile.model_validate(raw), lines
    except ValidationError as exc:
        problem = schema_error(exc, raw, str(path), lines, schema="'llmcost budget schema'")
        if not exc.errors()[0]["loc"]:
            problem.hint = "'llmcost budget init' writes a starter budget"
        raise problem from None


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
            mix = MixFile(slices=table.slices).to_spec(Path(file), lines, prefix=(*loc,))
            mix = replace(mix, source=f"{at}: {field_name(loc)}.slices")
        elif table.mix_file is not None:
            mix_path = Path(file).parent / table.mix_file
            if not os.path.lexists(mix_path):
                raise InputError(
                    f"{field_name(loc)}.mix_file: no such file {str(mix_path)!r}",
                    where=where(file, lines.line((*loc, "mix_file"))),
                    hint="a mix_file path is relative to the budget file",
                )
            try:
                mix = load_mix(mix_path)
            except InputError as exc:  # point at this budget's line; quote the mix file's error
                raise InputError(
                    f"{field_name(loc)}.mix_file: {exc.one_line()}",
                    where=where(file, lines.line((*loc, "mix_file"))),
                ) from None
        tokens = TokenTable(**table.model_dump(include=set(TokenTable.model_fields))).tokens()
        tier_at = f"{where(file, lines.line((*loc, 'tier')))}: {field_name(loc)}.tier"
        tier = file_tier(table.batch, table.tier, where=tier_at)
        label = table.name or table.model or f"mix {index + 1}"
        model_line = lines.line((*loc, "model"))
        traffic = table.traffic.profile() if table.traffic is not None else None
        parts.append(
            Part(label, table.model, mix, tokens, requests, per, tier or STANDARD, field_name(loc),
                 where(file, model_line), traffic)
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
    return tomli_w.dumps(tomlable(doc))


def write_new(path: str | Path, text: str, *, force: bool = False) -> None:
    """Write a budget file whole (atomically); an existing one only with `force`."""
    from llmcost.files import write_atomic

    write_atomic(path, text, force=force)
