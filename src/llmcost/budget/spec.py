"""What a budget is, as `check_budget` prices it: pure values, read from a file by `schema`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from llmcost.mix import MixSpec, Tokens
from llmcost.traffic import TrafficProfile


@dataclass(frozen=True, slots=True)
class Part:
    """One workload of a budget: a model or a mix, its requests per month or per day."""

    label: str
    model: str | None
    mix: MixSpec | None
    tokens: Tokens
    requests: Decimal
    per: str  # "month" | "day"
    tier: str  # the service tier ("standard", "batch", ...)
    field: str  # "workloads[0]"
    where: str  # "budget.toml:7", the line of its model (or its table)
    traffic: TrafficProfile | None = None  # when its requests come (else its mix file's)

    @property
    def profile(self) -> TrafficProfile | None:
        """The profile its requests follow: its own, else its mix's."""
        if self.traffic is not None or self.mix is None:
            return self.traffic
        return self.mix.traffic


@dataclass(frozen=True)
class Budget:
    file: str
    name: str
    limit: Decimal
    currency: str
    period: str  # "month" | "day"
    warn_at: Decimal
    catalog: date | None  # the pinned version
    parts: tuple[Part, ...]
    lines: Mapping[str, int | None] = field(default_factory=dict)  # "limit", "catalog", "name"

    @property
    def pinned(self) -> bool:
        return self.catalog is not None

    def at(self, key: str) -> str:
        """`file:line` of a top-level key (`limit`, `catalog`), or the file."""
        line = self.lines.get(key)
        return f"{self.file}:{line}" if line is not None else self.file
