"""Options shared by several commands, defined once, and the parsing they need.

Values arrive as strings and are parsed here (not by typer) so that a bad value gets the same
one-line error, with a hint, as any other bad input.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import typer

from llmcost.errors import InputError

FormatOpt = Annotated[
    str, typer.Option("--format", "-f", help="Output format: table, json, csv or markdown.")
]
CatalogOpt = Annotated[
    str | None,
    typer.Option(
        "--catalog",
        help="Catalog version (a day: the catalog as known then), a path to price files, or "
        "PATH@DAY. Default: the newest shipped catalog.",
    ),
]
CurrencyOpt = Annotated[str, typer.Option("--currency", help="USD, or CNY where published.")]
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
BatchOpt = Annotated[bool, typer.Option("--batch", help="Price at the batch discount.")]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="Replace a file that --save-* would write if it exists.")
]


def check_format(fmt: str, allowed: tuple[str, ...] = ("table", "json", "csv", "markdown")) -> str:
    value = fmt.strip().lower()
    if value not in allowed:
        raise InputError(f"--format: {fmt!r} is not one of {', '.join(allowed)}")
    return value


def check_currency(currency: str) -> str:
    value = currency.strip().upper()
    if len(value) != 3 or not value.isalpha():
        raise InputError(f"--currency: {currency!r} is not a currency code", hint="USD or CNY")
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


def open_catalog(value: str | None, currency: str | None = None) -> CatalogChoice:
    """`--catalog`: nothing (the newest shipped catalog), a day (the shipped catalog as known
    then), a path to price files, or `PATH@DAY` (those files as known on that day). With
    `currency`, a currency in which the catalog has no price at all is bad input."""
    from llmcost.catalog.load import load_catalog
    from llmcost.timeparse import day

    if value is None:
        return _with_currency(CatalogChoice(load_catalog(), None), currency)
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
    catalog = load_catalog(path_text or None)
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


CACHE_PARTS = ("cached", "cache_write", "cache_write_1h")


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


def workload_from_flags(*, requests: str, batch: bool, **flags: str | None):
    """The `Workload` the token flags describe (`--input` and `--output` required)."""
    from llmcost.engine import Workload
    from llmcost.money import EXACT, exact_sum
    from llmcost.units import parse_count

    values = token_flags(**flags)
    prompt = values["input"]
    rate = values.pop("cache_hit_rate", None)
    if rate is not None:
        values["cached"] = EXACT.multiply(prompt, rate)
    parts = exact_sum(
        values.get(k, Decimal(0)) for k in ("cached", "cache_write", "cache_write_1h")
    )
    if parts > prompt:
        raise InputError(
            f"--cached/--cache-write ({parts}) exceed --input ({prompt})",
            hint="--input is the whole prompt; cache hits and writes are parts of it",
        )
    count = parse_count(requests, field="--requests")
    if count == 0:  # a $0 answer nobody asked for
        raise InputError("--requests: 0 requests cost nothing", hint="give how many, e.g. 1M")
    return Workload(**values, requests=count, batch=batch)


def emit(report, fmt: str) -> None:
    """Write a report to stdout."""
    from llmcost.render import render

    typer.echo(render(report, fmt), nl=False)


def warn(message: str) -> None:
    """A diagnostic line on stderr (never mixed into results on stdout)."""
    typer.echo(f"llmcost: {message}", err=True)
