"""llmcost: exact, date-aware costs of LLM API usage.

The library API, in the order a caller uses it:

    from llmcost import load_catalog, Workload, cost_at, cost_over
    catalog = load_catalog()                       # the shipped, validated catalog
    model = catalog.resolve("claude-opus-4.7")     # forgiving names
    w = Workload(input=2000, cached=1500, output=400, requests=10_000)
    cost_at(catalog, model.id, w, at=instant("2026-05-01"))   # a CostBreakdown, in Decimal

Names are imported lazily so that `import llmcost` stays cheap for the CLI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_catalog": "llmcost.catalog.load",
    "Catalog": "llmcost.catalog.lookup",
    "Workload": "llmcost.engine",
    "CostBreakdown": "llmcost.engine",
    "cost_at": "llmcost.engine",
    "cost_over": "llmcost.engine",
    "cost_with_rates": "llmcost.engine",
    "instant": "llmcost.timeparse",
    "month_period": "llmcost.timeparse",
    "LlmcostError": "llmcost.errors",
    "parse_mix": "llmcost.mix",
    "simulate_mix": "llmcost.mix",
}

__all__ = [
    "Catalog",
    "CostBreakdown",
    "LlmcostError",
    "Workload",
    "cost_at",
    "cost_over",
    "cost_with_rates",
    "instant",
    "load_catalog",
    "month_period",
    "parse_mix",
    "simulate_mix",
]

if TYPE_CHECKING:
    from llmcost.catalog.load import load_catalog
    from llmcost.catalog.lookup import Catalog
    from llmcost.engine import CostBreakdown, Workload, cost_at, cost_over, cost_with_rates
    from llmcost.errors import LlmcostError
    from llmcost.mix import parse_mix, simulate_mix
    from llmcost.timeparse import instant, month_period


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'llmcost' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
