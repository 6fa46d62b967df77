"""Does llmcost bill LiteLLM's imported prices exactly as LiteLLM's own cost code does?

Imports LiteLLM's price map with `llmcost.catalog.importers.litellm`, then prices a grid of
requests (prompt sizes on both sides of every usual threshold, cache hits and writes,
reasoning tokens, peak and off-peak instants) in every service tier each offering sells, with
llmcost's engine and with LiteLLM's `generic_cost_per_token` / `batch_cost_calculator`, and
lists every request where the two differ by more than LiteLLM's float noise.

Needs `litellm` (the version whose map is imported) beside llmcost; not part of the tests:

    pip install litellm==1.110.2 && python bench/litellm_agreement.py [PATH]

PATH defaults to the map inside the installed litellm. The known difference: a 1-hour cache
write on a model LiteLLM gives no 1-hour rate (LiteLLM bills the 5-minute rate, llmcost the
input rate; see `litellm_rates.rate_set`), so `--with-1h-writes` is off by default.
"""

from __future__ import annotations

import collections
import os
import sys
import tempfile
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

USAGES = [  # prompt, cache hits, 5-minute writes, output, reasoning
    (1000, 0, 0, 500, 0), (1000, 300, 0, 200, 0), (1000, 200, 100, 50, 30),
    (32000, 100, 0, 10, 0), (32001, 100, 0, 10, 0), (256000, 0, 0, 10, 0), (256001, 0, 0, 10, 0),
    (128000, 0, 0, 10, 0), (128001, 1000, 0, 10, 0), (199999, 0, 0, 10, 0),
    (200000, 5000, 0, 10, 0), (200001, 5000, 0, 10, 5), (250000, 50000, 1000, 100, 0),
    (272000, 0, 0, 1, 0), (272001, 100, 0, 1, 0), (300000, 100000, 20000, 1000, 500),
    (600000, 1000, 0, 100, 0),
]  # fmt: skip
TIMES = [  # Monday 02:30 and 12:00, Sunday 21:00, Friday 17:00 (UTC), before most retirements
    datetime(2025, 12, 8, 2, 30, tzinfo=UTC), datetime(2025, 12, 8, 12, 0, tzinfo=UTC),
    datetime(2025, 12, 7, 21, 0, tzinfo=UTC), datetime(2025, 12, 12, 17, 0, tzinfo=UTC),
]  # fmt: skip


def main(path: Path, with_1h: bool) -> int:
    import json

    from litellm.cost_calculator import batch_cost_calculator
    from litellm.litellm_core_utils.llm_cost_calc.utils import generic_cost_per_token
    from litellm.types.utils import (
        CacheCreationTokenDetails,
        CompletionTokensDetailsWrapper,
        PromptTokensDetailsWrapper,
        Usage,
    )

    from llmcost.catalog.importers import litellm, write
    from llmcost.catalog.load import load_catalog
    from llmcost.engine import Workload, cost_at
    from llmcost.errors import LlmcostError

    data = path.read_bytes()
    raw = json.loads(data)
    imported = litellm.convert(data, published=date.today(), source=str(path))
    directory = Path(tempfile.mkdtemp())
    write(imported, directory, header=litellm.NOTICE)
    catalog = load_catalog(directory)
    offering_of = _offerings_by_key(imported, litellm, raw)
    compared, differ, examples = 0, collections.Counter(), {}
    for key, entry in raw.items():
        okey = offering_of.get(key)
        if okey is None:
            continue
        info = catalog.info(okey)
        entry_prices = info.model.prices[0]
        for tier in ("standard", *entry_prices.variants):
            for prompt, hits, writes, output, reasoning in USAGES:
                if prompt > info.model.context_window:
                    continue
                hour = writes // 2 if with_1h else 0
                for at in TIMES if entry_prices.windows else TIMES[:1]:
                    workload = Workload(
                        input=Decimal(prompt), cached=Decimal(hits),
                        cache_write=Decimal(writes - hour), cache_write_1h=Decimal(hour),
                        output=Decimal(output), reasoning=Decimal(reasoning), tier=tier,
                    )  # fmt: skip
                    try:
                        cost = cost_at(catalog, okey, workload, at)
                    except LlmcostError:
                        continue  # retired by then
                    ours = cost.input + cost.cache_read + cost.cache_write + cost.output
                    details = PromptTokensDetailsWrapper(
                        cached_tokens=hits or None,
                        cache_creation_tokens=writes or None,
                        cache_creation_token_details=CacheCreationTokenDetails(
                            ephemeral_5m_input_tokens=writes - hour, ephemeral_1h_input_tokens=hour
                        )
                        if hour
                        else None,
                    )
                    usage = Usage(
                        prompt_tokens=prompt, completion_tokens=output,
                        total_tokens=prompt + output, prompt_tokens_details=details,
                        completion_tokens_details=CompletionTokensDetailsWrapper(
                            reasoning_tokens=reasoning
                        ) if reasoning else None,
                    )  # fmt: skip
                    provider = entry["litellm_provider"]
                    if tier == "batch":
                        parts = batch_cost_calculator(
                            usage=usage, model=key, custom_llm_provider=provider, model_info=entry
                        )
                    else:
                        parts = generic_cost_per_token(
                            model=key, usage=usage, custom_llm_provider=provider,
                            service_tier=None if tier == "standard" else tier,
                            model_info=entry, current_time=at,
                        )  # fmt: skip
                    theirs = sum(parts)
                    compared += 1
                    if abs(theirs - float(ours)) > 1e-9 * max(1.0, abs(theirs)):
                        differ[f"{provider} {tier}"] += 1
                        examples.setdefault(f"{provider} {tier}", (key, prompt, str(ours), theirs))
    print(f"{compared} requests compared, {sum(differ.values())} differ")
    for what, count in differ.most_common():
        print(f"  {count:5} {what}: e.g. {examples[what]}")
    return 1 if differ else 0


def _offerings_by_key(imported, litellm, raw: dict) -> dict[str, str]:
    """Each imported LiteLLM key -> the offering it names (its id, key or an alias) at the
    key's own provider."""
    names = {}
    for provider, doc in imported.files.items():
        for model in doc["models"]:
            okey = model["id"] if "maker" not in model else f"{provider}/{model['id']}"
            for name in {model["id"], okey, *model.get("aliases", [])}:
                names[(provider, name)] = okey
    return {
        key: names[found]
        for key, entry in raw.items()
        if isinstance(entry, dict)
        and isinstance(entry.get("litellm_provider"), str)
        and (found := (litellm.provider_of(entry["litellm_provider"])[0], key)) in names
    }


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if args:
        source = Path(args[0])
    else:
        import importlib.resources

        source = Path(
            str(
                importlib.resources.files("litellm") / "model_prices_and_context_window_backup.json"
            )
        )
    sys.exit(main(source, with_1h="--with-1h-writes" in sys.argv))
