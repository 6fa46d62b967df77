"""`llmcost simulate`: a traffic mix across models, its exact cost bounds and its savings."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Annotated

import typer

from llmcost.cli.options import (
    REPORT_FORMATS,
    AtOpt,
    BatchOpt,
    CachedOpt,
    CacheWrite1hOpt,
    CacheWriteOpt,
    CatalogOpt,
    CurrencyOpt,
    ForceOpt,
    HitRateOpt,
    InputOpt,
    LimitOpt,
    MonthOpt,
    OutputOpt,
    PricingOpt,
    ReportFormatOpt,
    RequestsOpt,
    SaveBudgetOpt,
    TierOpt,
    TrafficOpt,
    check_currency,
    check_format,
    check_limit,
    default_tier,
    emit,
    open_catalog,
    service_tier,
    token_flags,
    traffic_for,
    warn,
    warn_if_stale,
    when,
    write_budget,
)
from llmcost.errors import InputError


def simulate(
    mix: Annotated[
        str | None,
        typer.Option(
            "--mix",
            "-m",
            help="model=share,... with a share a percent (60) or a range (60-70).",
        ),
    ] = None,
    mix_file: Annotated[
        str | None,
        typer.Option("--mix-file", help="A mix file (TOML), slices may carry their own workload."),
    ] = None,
    input: InputOpt = None,
    output: OutputOpt = None,
    cached: CachedOpt = None,
    cache_hit_rate: HitRateOpt = None,
    cache_write: CacheWriteOpt = None,
    cache_write_1h: CacheWrite1hOpt = None,
    requests: RequestsOpt = None,
    at: AtOpt = None,
    month: MonthOpt = None,
    traffic: TrafficOpt = None,
    baseline: Annotated[
        list[str] | None,
        typer.Option("--baseline", help="Also compare with all traffic on this model (repeat)."),
    ] = None,
    sweep: Annotated[
        str | None,
        typer.Option(
            "--sweep",
            help="PARAM=START:STOP:STEP for cache-hit-rate (0:0.9:0.1), input, output "
            "(100:2k:100) or share:<model> (percent, 0:50:5).",
        ),
    ] = None,
    save_mix: Annotated[
        str | None,
        typer.Option("--save-mix", help="Write the mix (with its workload) to this TOML file."),
    ] = None,
    batch: BatchOpt = False,
    tier: TierOpt = None,
    currency: CurrencyOpt = None,
    catalog: CatalogOpt = None,
    pricing: PricingOpt = None,
    format: ReportFormatOpt = "table",
    save_budget: SaveBudgetOpt = None,
    limit: LimitOpt = None,
    force: ForceOpt = False,
) -> None:
    """Price a traffic mix across models, with exact bounds and savings.

    Each slice's share, requests and cost, the mix's exact minimum and maximum over every
    split the ranges admit, and savings against all traffic on one model. Example:
    llmcost simulate --mix deepseek-v4-flash=60-70,claude-opus-4-7=15-20,gpt-5.5=10-15,
    deepseek-v4-pro=5 --input 2k --cached 1.5k --output 400 --requests 1M --month 2026-05
    """
    from llmcost.mix import parse_mix, simulate_mix
    from llmcost.mixfile import load_mix
    from llmcost.reports.simulate import simulate_report
    from llmcost.sweep import parse_sweep, sweep_mix

    fmt = check_format(format, REPORT_FORMATS)
    check_limit(limit, save_budget)
    cur = check_currency(currency)
    if (mix is None) == (mix_file is None):
        raise InputError("give one of --mix and --mix-file", hint="e.g. --mix gpt-5.5=100")
    spec = parse_mix(mix) if mix is not None else load_mix(mix_file)
    tokens = tokens_from_flags(
        input=input,
        output=output,
        cached=cached,
        cache_hit_rate=cache_hit_rate,
        cache_write=cache_write,
        cache_write_1h=cache_write_1h,
    )
    total = _requests(requests)
    swept = parse_sweep(sweep) if sweep is not None else None
    start, end = when(at, month)
    profile = traffic_for(traffic, end)
    if profile is None and spec.traffic is not None and end is None:
        raise InputError(
            f"traffic: {spec.traffic.label} spreads requests over a period, but without "
            "--month they are priced at one instant (--at)",
            where=spec.source,
            hint="give --month YYYY-MM",
        )
    choice = open_catalog(catalog, cur, pricing)
    warn_if_stale(choice, end or start)
    options = dict(
        default=tokens,
        requests=total,
        tier=service_tier(tier, batch) or spec.tier or default_tier(),
        at=start,
        until=end,
        known=choice.known,
        currency=cur,
        baselines=baseline or (),
        traffic=profile,
    )
    result = simulate_mix(choice.catalog, spec, **options)
    sweep_result = sweep_mix(choice.catalog, spec, swept, **options) if swept else None
    if save_mix is not None:
        saved = replace(spec, traffic=result.traffic)
        _save(
            saved,
            [s.model.id for s in result.slices],
            tokens,
            total,
            options["tier"],
            save_mix,
            force,
        )
    if save_budget is not None:
        _save_budget(spec, result, tokens, total, save_budget, limit, cur, choice, force)
    narrowed = [
        s.model.id
        for s in result.slices
        if (s.share_min, s.share_max) != (s.given_min, s.given_max)
    ]
    if narrowed:
        warn("share ranges narrowed by the other slices: " + ", ".join(narrowed))
    report = simulate_report(result, sweep_result)
    if fmt == "html":
        from llmcost.reports.html.figures import mix_ranges, sweep_ranges

        charts = [mix_ranges(result)] + ([sweep_ranges(result, sweep_result)] if swept else [])
        report = replace(report, charts=charts)
    emit(report, fmt)


def tokens_from_flags(**flags: str | None):
    """The workload flags as far as they are given: with a mix file every one is optional,
    and what is given overrides the file's default workload."""
    from llmcost.mix import Tokens

    return Tokens(**token_flags(**flags))


def _requests(text: str | None) -> Decimal | None:
    from llmcost.units import parse_count

    return parse_count(text, field="--requests") if text is not None else None


def _save(spec, model_ids, tokens, requests, tier: str | None, path: str, force: bool) -> None:
    """The mix as run: models by their ids, the command line's workload and requests folded
    into the file's."""
    from llmcost.files import write_atomic
    from llmcost.mixfile import dump_mix

    saved = replace(
        spec,
        slices=tuple(replace(s, model=m) for s, m in zip(spec.slices, model_ids, strict=True)),
        tokens=tokens.over(spec.tokens),
        requests=requests if requests is not None else spec.requests,
        tier=tier or spec.tier,
    )
    write_atomic(path, dump_mix(saved), force=force)  # never half a file, never unasked
    warn(f"mix written to {path}")


def _save_budget(spec, result, tokens, requests, path, limit, currency, choice, force) -> None:
    """The mix as run (models by id, slices with their own workloads), the command line's
    workload as its default and its requests as requests per month."""
    from llmcost.mixfile import slice_table

    total = requests if requests is not None else spec.requests
    if total is None:
        raise InputError("--save-budget needs --requests (per month)", hint="e.g. --requests 1M")
    slices = [
        slice_table(s, info.model.id) for s, info in zip(spec.slices, result.slices, strict=True)
    ]
    table = {**tokens.over(spec.tokens).given(), "slices": slices, "requests_per_month": total}
    if result.slices[0].workload.tier != "standard":
        table["tier"] = result.slices[0].workload.tier
    if result.traffic is not None:
        from llmcost.mixfile import traffic_value

        table["traffic"] = traffic_value(result.traffic)
    write_budget(path, limit, currency, choice, table, force=force)
