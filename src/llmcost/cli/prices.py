"""`llmcost prices`: the rates in force at an instant, or a model's whole price history."""

from __future__ import annotations

from typing import Annotated

import typer

from llmcost.cli.options import (
    AtOpt,
    CatalogOpt,
    CurrencyOpt,
    FormatOpt,
    PricingOpt,
    TierOpt,
    check_currency,
    check_format,
    default_tier,
    emit,
    open_catalog,
    service_tier,
    warn_if_stale,
)


def prices(
    models: Annotated[
        list[str] | None, typer.Argument(help="Models (default: all priced).")
    ] = None,
    at: AtOpt = None,
    catalog: CatalogOpt = None,
    pricing: PricingOpt = None,
    currency: CurrencyOpt = None,
    history: Annotated[
        bool, typer.Option("--history", help="Every entry of each model, with both times.")
    ] = False,
    tier: TierOpt = None,
    format: FormatOpt = "table",
) -> None:
    """Rates per 1M tokens in force at an instant, or a model's price history.

    Default instant: now. Example: llmcost prices deepseek-v4-pro --at 2026-05-31T15:58Z
    """
    from llmcost.reports.prices import history_report, prices_report
    from llmcost.timeparse import instant

    fmt = check_format(format)
    cur = check_currency(currency)
    choice = open_catalog(catalog, cur, pricing)
    cat = choice.catalog
    infos = [cat.resolve(m) for m in models] if models else None
    if history:
        report = history_report(cat, infos or cat.models(), choice.known, cur)
    else:
        moment = instant("now" if at is None else at)
        warn_if_stale(choice, moment)
        named_tier = service_tier(tier, False) or default_tier()
        report = prices_report(cat, infos, moment, choice.known, cur, named_tier)
    emit(report, fmt)
