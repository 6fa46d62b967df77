"""Options shared by several commands, defined once, and the parsing they need.

Values arrive as strings and are parsed here (not by typer) so that a bad value gets the same
one-line error, with a hint, as any other bad input.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import typer

from llmcost.errors import InputError


def choices(*names: str):
    """Shell completion of an option that takes one of `names` (`--format <TAB>`): the names
    that start with what is typed. The value is still checked by `check_format`."""

    def complete(incomplete: str) -> list[str]:
        return [name for name in names if name.startswith(incomplete)]

    return complete


FORMATS = ("table", "json", "csv", "markdown")
FormatOpt = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        help="Output format: table, json, csv or markdown.",
        autocompletion=choices(*FORMATS),
    ),
]
# reports a person reads as a whole also come as one self-contained HTML page (on stdout)
REPORT_FORMATS = (*FORMATS, "html")
ReportFormatOpt = Annotated[
    str,
    typer.Option(
        "--format",
        "-f",
        help="Output format: table, json, csv, markdown or html (a page).",
        autocompletion=choices(*REPORT_FORMATS),
    ),
]
CatalogOpt = Annotated[
    str | None,
    typer.Option(
        "--catalog",
        help="Catalog version (a day: the catalog as known then), a path to price files, or "
        "PATH@DAY. Default: the newest shipped catalog.",
    ),
]
CurrencyOpt = Annotated[
    str | None,
    typer.Option("--currency", help="USD (default), or CNY where published."),
]
PricingOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--pricing",
        help="Your own prices over the catalog: a price file or a folder of them "
        "(repeatable; also LLMCOST_PRICING and ~/.config/llmcost/pricing/).",
    ),
]
AtOpt = Annotated[
    str | None,
    typer.Option(
        "--at", help="Instant to price at: a date (UTC midnight) or ISO 8601. Default now."
    ),
]
MonthOpt = Annotated[
    str | None,
    typer.Option("--month", help="Spread the requests over a calendar month (YYYY-MM, UTC)."),
]
InputOpt = Annotated[
    str, typer.Option("--input", "-i", help="Prompt tokens per request (whole prompt): 2000, 2k.")
]
OutputOpt = Annotated[
    str, typer.Option("--output", "-o", help="Output tokens per request, reasoning included.")
]
CachedOpt = Annotated[
    str | None, typer.Option("--cached", help="Of the prompt, tokens read from cache (hits).")
]
HitRateOpt = Annotated[
    str | None,
    typer.Option("--cache-hit-rate", help="Share of the prompt read from cache: 0.8 or 80%."),
]
CacheWriteOpt = Annotated[
    str | None, typer.Option("--cache-write", help="Of the prompt, tokens written to cache (5m).")
]
CacheWrite1hOpt = Annotated[
    str | None, typer.Option("--cache-write-1h", help="Of the prompt, tokens written (1 hour).")
]
RequestsOpt = Annotated[str, typer.Option("--requests", "-n", help="Number of requests.")]
BatchOpt = Annotated[bool, typer.Option("--batch", help="Price in the batch tier (--tier batch).")]
TierOpt = Annotated[
    str | None,
    typer.Option(
        "--tier",
        help="Service tier: standard (default), batch, flex, priority, fast... as the "
        "offering sells them.",
    ),
]
ReasoningOpt = Annotated[
    str | None,
    typer.Option("--reasoning", help="Of the output, reasoning tokens (priced apart where so)."),
]
CacheWrite12hOpt = Annotated[
    str | None, typer.Option("--cache-write-12h", help="Of the prompt, tokens written (12 hours).")
]
WebSearchesOpt = Annotated[
    str | None, typer.Option("--web-searches", help="Web searches per request.")
]


def service_tier(tier: str | None, batch: bool) -> str | None:
    """`--tier NAME` or `--batch` (which means `--tier batch`); None when neither is given,
    so a file's tier or the configured default (`default_tier`) applies."""
    from llmcost.catalog.names import tier_name

    named = tier_name(tier) if tier is not None else None
    if batch and named not in (None, "batch"):
        raise InputError(f"--batch and --tier {tier} disagree", hint="give one of them")
    return "batch" if batch else named


TrafficOpt = Annotated[
    str | None,
    typer.Option(
        "--traffic",
        help="When the requests come, with --month: flat (the default), or office-hours "
        "(Mon-Fri 09-18) or business-days (Mon-Fri) in a time zone, e.g. "
        "office-hours@Europe/Berlin.",
    ),
]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="Replace a file that --save-* would write if it exists.")
]


SaveBudgetOpt = Annotated[
    str | None,
    typer.Option(
        "--save-budget",
        help="Write the workload as a budget file (needs --limit; --requests per month).",
    ),
]
LimitOpt = Annotated[
    str | None,
    typer.Option("--limit", help="The monthly limit of the budget --save-budget writes."),
]


def check_limit(limit: str | None, save_budget: str | None) -> None:
    """`--limit` is the limit of the budget `--save-budget` writes: alone it means nothing."""
    if limit is not None and save_budget is None:
        raise InputError("--limit only goes with --save-budget FILE", hint="add --save-budget")


def parse_limit(limit: str | None) -> Decimal:
    """`--limit AMOUNT` for `--save-budget`: a positive amount a budget file can hold."""
    from decimal import InvalidOperation

    if limit is None:
        raise InputError("--save-budget needs --limit AMOUNT", hint="e.g. --limit 500")
    try:
        amount = Decimal(limit.strip().replace("_", ""))
    except InvalidOperation:
        raise InputError(f"--limit: {limit!r} is not an amount", hint="e.g. 500") from None
    if not amount.is_finite() or amount <= 0:
        raise InputError(f"--limit: {limit!r} must be a positive amount")
    if amount > 10**15 or amount.normalize().as_tuple().exponent < -12:
        raise InputError(f"--limit: {limit!r} is out of range", hint="at most 1e15, 12 decimals")
    return amount


def write_budget(
    path: str, limit: str | None, currency: str, choice, workload: dict, *, force: bool = False
) -> None:
    """`--save-budget`: a month budget with one workload (`workload` as WorkloadTable keys),
    pinned to the catalog day given with --catalog, if any (`choice`: the CatalogChoice). A
    budget names no catalog path, and its pin would send it to the shipped catalog: from
    `--catalog PATH[@DAY]` it is written unpinned, with a warning saying how to check it.
    Replaces an existing file only with `force` (--force), atomically."""
    from pathlib import Path

    from llmcost.budget.schema import BudgetFile, WorkloadTable, dump_budget, write_new

    amount = parse_limit(limit)
    given = {k: v for k, v in workload.items() if v is not None and v != 0}
    budget = BudgetFile(
        name=Path(path).stem or "budget",  # "." or "/" has none; the write then says why
        limit=amount,
        currency=currency,
        catalog=None if choice.path else choice.known,
        workloads=[WorkloadTable(**given)],
    )
    write_new(path, dump_budget(budget), force=force)
    typer.echo(f"llmcost: budget written to {path}", err=True)
    if choice.path:
        pin = f"@{choice.known.isoformat()}" if choice.known else ""
        typer.echo(
            f"llmcost: {path} was priced with the catalog in {choice.path}, which a budget file "
            f"cannot name: check it with 'llmcost budget check {path} --catalog "
            f"{choice.path}{pin}'",
            err=True,
        )


def check_format(fmt: str, allowed: tuple[str, ...] = FORMATS) -> str:
    value = fmt.strip().lower()
    if value not in allowed:
        raise InputError(f"--format: {fmt!r} is not one of {', '.join(allowed)}")
    return value


def reset_settings() -> None:
    """Forget the settings read (each command reads them afresh: tests run many in one
    process) and show instants in UTC until a setting says otherwise."""
    from llmcost.timeparse import set_display_zone

    settings.cache_clear()
    set_display_zone("UTC")


@functools.cache
def settings():
    """The config file and environment (`llmcost.config`), read once a command."""
    from llmcost.config import load_settings
    from llmcost.timeparse import set_display_zone

    loaded = load_settings()
    if loaded.timezone is not None:
        set_display_zone(loaded.timezone)
    return loaded


def check_currency(currency: str | None) -> str:
    # not a flag: the environment's (the config file's currency is checked as it is read)
    field = "--currency" if currency is not None else "LLMCOST_CURRENCY"
    if currency is None:
        currency = settings().currency or "USD"
    value = currency.strip().upper()
    if len(value) != 3 or not value.isalpha():
        raise InputError(f"{field}: {currency!r} is not a currency code", hint="USD or CNY")
    return value


@dataclass(frozen=True)
class CatalogChoice:
    """The catalog a command prices with: which one, and as known on which day."""

    catalog: object  # llmcost.catalog.lookup.Catalog, imported lazily
    known: date | None
    path: str | None = None  # price files given with --catalog PATH[@DAY], not the shipped ones

    @property
    def version(self) -> date:
        return self.catalog.version_for(self.known)


def open_catalog(
    value: str | None, currency: str | None = None, pricing: list[str] | None = None
) -> CatalogChoice:
    """`--catalog`: nothing (the newest shipped catalog), a day (the shipped catalog as known
    then), a path to price files, or `PATH@DAY` (those files as known on that day). With
    `currency`, a currency in which the catalog has no price at all is bad input. The layers
    `catalog update` stored go above the shipped catalog (they were computed against it),
    never above a PATH. The user's overlays (`--pricing`, `LLMCOST_PRICING`, the config
    folder) go above all."""
    from llmcost.catalog.load import load_catalog
    from llmcost.config import overlays, updates_root
    from llmcost.timeparse import day

    layers = overlays(pricing or (), settings())
    if value is None:
        catalog = load_catalog(updates=updates_root(), overlays=layers)
        return _with_currency(CatalogChoice(catalog, None), currency)
    text = value.strip()
    path_text, known = text, None
    if _is_day(text):
        path_text = ""
        known = day(text, field="--catalog")
    elif "@" in text and _is_day(text.rsplit("@", 1)[1]):
        path_text, day_text = text.rsplit("@", 1)
        known = day(day_text, field="--catalog")
    if path_text and not _exists(path_text):
        raise InputError(
            f"--catalog: {value!r} is neither a day (YYYY-MM-DD) nor an existing path",
            hint="run 'llmcost catalog versions' to list the versions",
        )
    catalog = load_catalog(
        path_text or None, updates=None if path_text else updates_root(), overlays=layers
    )
    catalog.version_for(known)  # a day before the first version fails clearly here
    return _with_currency(CatalogChoice(catalog, known, path_text or None), currency)


def _exists(path: str) -> bool:
    """Whether `path` names something; an error other than its absence (a symlink loop, no
    permission) is said as what it is, not as "no such path"."""
    import os

    from llmcost.files import os_error

    try:
        os.stat(path)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise os_error(exc, f"--catalog {path}") from None
    except ValueError:  # a NUL byte
        return False
    return True


def _with_currency(choice: CatalogChoice, currency: str | None) -> CatalogChoice:
    """A currency no price in the catalog is given in is a mistake, not an empty report."""
    if currency is not None and currency not in choice.catalog.currencies:
        raise InputError(
            f"--currency: no price in the catalog is in {currency}",
            hint="prices are in " + ", ".join(sorted(choice.catalog.currencies)),
        )
    return choice


def _is_day(text: str) -> bool:
    return len(text) == 10 and text[4] == "-" and text[7] == "-"


def when(at: str | None, month: str | None) -> tuple[datetime, datetime | None]:
    """`--at` or `--month`: an instant, or a period `[start, end)` (then `start` is returned
    with `end`)."""
    from llmcost.timeparse import instant, month_period

    if at is not None and month is not None:
        raise InputError("--at and --month exclude each other", hint="give one of them")
    if month is not None:
        start, end = month_period(month)
        return start, end
    return instant("now" if at is None else at), None


def time_range(since: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    """`--since` and `--until` as the instants of a range `[since, until)`, either open."""
    from llmcost.timeparse import instant

    start = instant(since, field="--since") if since is not None else None
    end = instant(until, field="--until") if until is not None else None
    if start is not None and end is not None and end <= start:
        raise InputError("--until must be after --since", hint="the range is [since, until)")
    return start, end


def traffic_for(text: str | None, until: datetime | None):
    """The traffic profile `text` names, for a period; an instant has no time of day to
    weigh, so a profile at one (`--at`, or no `--month`) is a mistake, not a no-op."""
    if text is None:
        return None
    from llmcost.traffic import parse_traffic

    profile = parse_traffic(text)
    if until is None:
        raise InputError(
            f"--traffic {profile.label}: a traffic profile spreads requests over a period, "
            "but without --month they are priced at one instant (--at)",
            hint="give --month YYYY-MM, or leave out the profile",
        )
    return profile


def token_flags(**flags: str | None) -> dict[str, Decimal]:
    """The token flags that were given (input, output, cached or cache_hit_rate, cache_write,
    cache_write_1h), parsed; the ones not given are left out."""
    from llmcost.units import parse_count, parse_fraction

    if flags.get("cached") is not None and flags.get("cache_hit_rate") is not None:
        raise InputError("--cached and --cache-hit-rate exclude each other", hint="give one")
    values = {}
    for name, text in flags.items():
        if text is None:
            continue
        option = "--" + name.replace("_", "-")
        parse = parse_fraction if name == "cache_hit_rate" else parse_count
        values[name] = parse(text, field=option)
    return values


def workload_from_flags(*, requests: str, tier: str | None, **flags: str | None):
    """The `Workload` the token flags describe (`--input` and `--output` required), in
    service tier `tier` (None: standard)."""
    from llmcost.catalog.entities import STANDARD
    from llmcost.engine import PROMPT_PARTS, Workload
    from llmcost.money import EXACT, exact_sum
    from llmcost.units import parse_count

    values = token_flags(**flags)
    prompt = values["input"]
    rate = values.pop("cache_hit_rate", None)
    if rate is not None:
        values["cached"] = EXACT.multiply(prompt, rate)
    parts = exact_sum(values.get(k, Decimal(0)) for k in PROMPT_PARTS)
    if parts > prompt:
        raise InputError(
            f"--cached/--cache-write ({parts}) exceed --input ({prompt})",
            hint="--input is the whole prompt; cache hits and writes are parts of it",
        )
    count = parse_count(requests, field="--requests")
    if count == 0:  # a $0 answer nobody asked for
        raise InputError("--requests: 0 requests cost nothing", hint="give how many, e.g. 1M")
    return Workload(**values, requests=count, tier=tier or STANDARD)


def default_tier() -> str:
    """The service tier where no flag or file names one: the configured one, or standard."""
    from llmcost.catalog.names import tier_name

    configured = settings().tier
    # the config file's tier is checked as it is read: a bad one here is the environment's
    return tier_name(configured, field="LLMCOST_TIER") if configured else "standard"


STALE_DAYS = 30


def warn_if_stale(choice: CatalogChoice, at: datetime | None = None) -> None:
    """One line on stderr when the newest prices known are more than 30 days older than the
    instant priced or today (whichever is later), unless a version was asked for."""
    from llmcost.timeparse import instant

    if choice.known is not None or choice.path is not None:
        return
    newest = _newest_public(choice.catalog)
    today = instant("now").date()
    then = max(today, at.date()) if at is not None else today
    age = (then - newest).days
    if age > STALE_DAYS:
        warn(
            f"the catalog's newest prices are from {newest.isoformat()}, {age} days before "
            f"{then.isoformat()} (hint: 'llmcost catalog update' fetches the peers' newest "
            "prices; --catalog DAY pins a version)"
        )


def _newest_public(catalog) -> date:
    """The last day the shipped catalog or a `catalog update` published a price: the user's
    overlays (layers named `overlay FILE`) say nothing of how current the public prices are,
    and a negotiated price written today would hide a year-old catalog."""
    return catalog.public_newest or catalog.newest


def emit(report, fmt: str) -> None:
    """Write a report to stdout."""
    from llmcost.render import render

    typer.echo(render(report, fmt), nl=False)


def error_line(exc) -> str:
    """The one line a user's error (an `LlmcostError`) is told in: by the app for the error
    that ends a command, and by a command for each failure it survives."""
    return f"llmcost: error: {exc.one_line()}"


def warn(message: str) -> None:
    """A diagnostic line on stderr (never mixed into results on stdout)."""
    typer.echo(f"llmcost: {message}", err=True)


def max_rejected_share(text: str):
    """`--max-rejected`: a percent (`0.5%` or `0.5`) as an exact fraction of 1."""
    from fractions import Fraction

    number = text.strip().removesuffix("%").strip()
    try:
        share = Fraction(number) / 100
    except (ValueError, ZeroDivisionError):
        share = None
    if share is None or not 0 <= share <= 1 or not number[:1].isdigit():
        raise InputError(
            f"--max-rejected: {text!r} is not a percent from 0 to 100",
            hint="a share of the records such as 0.5%",
        )
    return share
