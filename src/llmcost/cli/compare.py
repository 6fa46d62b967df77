"""`llmcost compare`: one workload priced on several models, cheapest first."""

from __future__ import annotations

from typing import Annotated

import typer

from llmcost.cli.options import (
    AtOpt,
    BatchOpt,
    CachedOpt,
    CacheWrite1hOpt,
    CacheWrite12hOpt,
    CacheWriteOpt,
    CatalogOpt,
    CurrencyOpt,
    ForceOpt,
    FormatOpt,
    HitRateOpt,
    InputOpt,
    LimitOpt,
    MonthOpt,
    OutputOpt,
    PricingOpt,
    ReasoningOpt,
    RequestsOpt,
    SaveBudgetOpt,
    TierOpt,
    TrafficOpt,
    WebSearchesOpt,
    check_currency,
    check_format,
    check_limit,
    default_tier,
    emit,
    open_catalog,
    service_tier,
    traffic_for,
    warn,
    warn_if_stale,
    when,
    workload_from_flags,
    write_budget,
)
from llmcost.errors import InputError
from llmcost.kinds import TOKEN_KINDS


def compare(
    models: Annotated[
        list[str] | None, typer.Argument(help="Models (default: every model priced then).")
    ] = None,
    input: InputOpt = ...,
    output: OutputOpt = ...,
    cached: CachedOpt = None,
    cache_hit_rate: HitRateOpt = None,
    cache_write: CacheWriteOpt = None,
    cache_write_1h: CacheWrite1hOpt = None,
    cache_write_12h: CacheWrite12hOpt = None,
    reasoning: ReasoningOpt = None,
    web_searches: WebSearchesOpt = None,
    requests: RequestsOpt = "1",
    at: AtOpt = None,
    month: MonthOpt = None,
    traffic: TrafficOpt = None,
    baseline: Annotated[
        str | None, typer.Option("--baseline", help="Show savings against this model.")
    ] = None,
    batch: BatchOpt = False,
    tier: TierOpt = None,
    currency: CurrencyOpt = None,
    catalog: CatalogOpt = None,
    pricing: PricingOpt = None,
    format: FormatOpt = "table",
    save_budget: SaveBudgetOpt = None,
    limit: LimitOpt = None,
    force: ForceOpt = False,
) -> None:
    """Price one workload on several models, cheapest first.

    Example: llmcost compare --input 2k --cached 1.5k --output 400 --requests 1M --month 2026-05
    """
    from llmcost.comparison import compare_models
    from llmcost.reports.compare import compare_report

    fmt = check_format(format)
    check_limit(limit, save_budget)
    cur = check_currency(currency)
    workload = workload_from_flags(
        input=input,
        output=output,
        cached=cached,
        cache_hit_rate=cache_hit_rate,
        cache_write=cache_write,
        cache_write_1h=cache_write_1h,
        cache_write_12h=cache_write_12h,
        reasoning=reasoning,
        web_searches=web_searches,
        requests=requests,
        tier=service_tier(tier, batch) or default_tier(),
    )
    start, end = when(at, month)
    profile = traffic_for(traffic, end)
    choice = open_catalog(catalog, cur, pricing)
    warn_if_stale(choice, end or start)
    cat = choice.catalog
    result = compare_models(
        cat,
        [cat.resolve(m) for m in models] if models else None,
        workload,
        at=start,
        until=end,
        known=choice.known,
        currency=cur,
        baseline=cat.resolve(baseline) if baseline else None,
        traffic=profile,
    )
    if result.skipped:
        warn(
            f"{len(result.skipped)} model(s) left out: "
            + "; ".join(why for _, why in result.skipped)  # each reason names its model
        )
    if save_budget is not None:
        _save_budget(save_budget, limit, result, choice, force)
    emit(compare_report(result), fmt)


def _save_budget(path: str, limit: str | None, result, choice, force: bool) -> None:
    """The one model compared, its workload with --requests as requests per month."""
    if len(result.rows) != 1:
        raise InputError("--save-budget needs exactly one model", hint="name one model")
    w = result.workload
    table = {k: v for k, v in w.as_dict().items() if k in TOKEN_KINDS and v}
    if w.tier != "standard":
        table["tier"] = w.tier
    table.update(model=result.rows[0].model.id, requests_per_month=w.requests)
    if result.traffic is not None:
        from llmcost.mixfile import traffic_value

        table["traffic"] = traffic_value(result.traffic)
    write_budget(path, limit, result.currency, choice, table, force=force)
