"""`llmcost compare`: one workload priced on several models, cheapest first."""

from __future__ import annotations

from typing import Annotated

import typer

from llmcost.cli.budget import LimitOpt, SaveBudgetOpt
from llmcost.cli.options import (
    AtOpt,
    BatchOpt,
    CachedOpt,
    CacheWrite1hOpt,
    CacheWriteOpt,
    CatalogOpt,
    CurrencyOpt,
    ForceOpt,
    FormatOpt,
    HitRateOpt,
    InputOpt,
    MonthOpt,
    OutputOpt,
    RequestsOpt,
    check_currency,
    check_format,
    emit,
    open_catalog,
    warn,
    when,
    workload_from_flags,
)
from llmcost.errors import InputError


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
    requests: RequestsOpt = "1",
    at: AtOpt = None,
    month: MonthOpt = None,
    baseline: Annotated[
        str | None, typer.Option("--baseline", help="Show savings against this model.")
    ] = None,
    batch: BatchOpt = False,
    currency: CurrencyOpt = "USD",
    catalog: CatalogOpt = None,
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
    if limit is not None and save_budget is None:
        raise InputError("--limit only goes with --save-budget FILE", hint="add --save-budget")
    cur = check_currency(currency)
    workload = workload_from_flags(
        input=input,
        output=output,
        cached=cached,
        cache_hit_rate=cache_hit_rate,
        cache_write=cache_write,
        cache_write_1h=cache_write_1h,
        requests=requests,
        batch=batch,
    )
    start, end = when(at, month)
    choice = open_catalog(catalog, cur)
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
    from llmcost.cli.budget import save_budget

    if len(result.rows) != 1:
        raise InputError("--save-budget needs exactly one model", hint="name one model")
    w = result.workload
    table = {k: v for k, v in w.as_dict().items() if k != "requests"}
    table.update(model=result.rows[0].model.id, requests_per_month=w.requests)
    save_budget(path, limit, result.currency, choice, table, force=force)
