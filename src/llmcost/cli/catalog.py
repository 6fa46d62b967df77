"""`llmcost catalog`: validate price files, list catalog versions, diff two versions, export
the price table, import a peer's data, and update from the peers (the only command that
touches the network)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Annotated

import typer

from llmcost.cli.options import FormatOpt, PricingOpt, check_format, emit, error_line
from llmcost.errors import InputError

app = typer.Typer(
    help="Validate the price catalog, list its versions, diff or export them, import or "
    "update prices from the peers' data."
)


@app.command("validate")
def validate(
    path: Annotated[
        str | None, typer.Argument(help="A price file or directory (default: shipped).")
    ] = None,
    format: FormatOpt = "table",
) -> None:
    """Check price files against the schema and the catalog rules.

    Exit 2 on the first error, naming the file, the model and the field.
    """
    from llmcost.catalog.load import load_catalog
    from llmcost.reports.catalog import validate_report

    fmt = check_format(format)
    emit(validate_report(load_catalog(path, updates=_updates(path))), fmt)


@app.command("versions")
def versions(
    catalog: Annotated[
        str | None, typer.Option("--catalog", help="A path to price files (default: shipped).")
    ] = None,
    format: FormatOpt = "table",
) -> None:
    """Each catalog version (a day prices were published) and what it changed, and the
    layers it is made of (the shipped catalog, each stored update)."""
    from llmcost.catalog.load import load_catalog
    from llmcost.reports.catalog import versions_report

    fmt = check_format(format)
    emit(versions_report(load_catalog(catalog, updates=_updates(catalog))), fmt)


@app.command("diff")
def diff(
    old: Annotated[str, typer.Argument(help="The older catalog version (a day).")],
    new: Annotated[str, typer.Argument(help="The newer catalog version (a day).")],
    catalog: Annotated[
        str | None, typer.Option("--catalog", help="A path to price files (default: shipped).")
    ] = None,
    budget: Annotated[
        list[str] | None,
        typer.Option("--budget", help="Also price this budget file under OLD and NEW (repeat)."),
    ] = None,
    at: Annotated[
        str | None, typer.Option("--at", help="With --budget: the instant (its month or day).")
    ] = None,
    month: Annotated[str | None, typer.Option("--month", help="With --budget: YYYY-MM.")] = None,
    format: FormatOpt = "table",
) -> None:
    """The rate changes between two catalog versions, and what they do to budgets.

    For every stretch of time whose price differs, the old and the new rates. Example:
    llmcost catalog diff 2026-05-03 2026-06-01 --budget budgets/pro.toml --month 2026-06
    """
    from llmcost.catalog.diff import diff_versions
    from llmcost.catalog.load import load_catalog
    from llmcost.reports.catalog import diff_report
    from llmcost.timeparse import day

    fmt = check_format(format)
    cat = load_catalog(catalog, updates=_updates(catalog))
    old_day, new_day = day(old, field="OLD"), day(new, field="NEW")
    report = diff_report(diff_versions(cat, old_day, new_day))
    if not budget:
        emit(report, fmt)
        return
    from llmcost.budget.check import diff_budgets
    from llmcost.budget.report import budget_diff_report
    from llmcost.cli.options import when

    start, end = when(at, month)
    moves = diff_budgets(cat, budget, old_day, new_day, at=start, until=end)
    moved = budget_diff_report(moves)
    if fmt == "json":
        emit(replace(report, document={**report.document, "budgets": moved.document}), fmt)
    else:
        emit(report, fmt)
        emit(moved, fmt)
    failed = [m for m in moves if "error" in (m.old.status, m.new.status)]
    if failed:  # a budget that cannot be priced never passes, here as in `budget check`
        first = failed[0].new if failed[0].new.status == "error" else failed[0].old
        raise InputError(
            f"{len(failed)} budget(s) could not be priced; first: {first.error}",
            hint="run 'llmcost budget validate' on them",
        )


@app.command("export")
def export(
    catalog: Annotated[
        str | None,
        typer.Option("--catalog", help="Catalog version (a day) or a path to price files."),
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="csv, json or parquet.")] = "csv",
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="File to write (required for parquet).")
    ] = None,
    table: Annotated[
        str,
        typer.Option(
            "--table",
            help="prices (one row per weekday piece), warehouse (the table `warehouse sql` "
            "and the Python API join: epoch-second ranges, rates x 10^12) or names (logged "
            "names -> offerings).",
        ),
    ] = "prices",
    pricing: PricingOpt = None,
) -> None:
    """The catalog as a flat price table, to join to usage logs in a warehouse.

    One row per model x stretch of valid time x currency x weekday piece x prompt band, the
    bitemporal winner already resolved. Example: llmcost catalog export -f parquet -o p.parquet
    """
    import os
    from pathlib import Path

    from llmcost.catalog.export import export_table
    from llmcost.cli.options import open_catalog

    fmt = check_format(format, ("csv", "json", "parquet"))
    if table not in ("prices", "warehouse", "names"):
        raise InputError(f"--table {table!r}", hint="prices, warehouse or names")
    if fmt == "parquet" and output is None:
        raise InputError("--format parquet needs --output FILE")
    if output is not None:
        folder = Path(output).resolve().parent
        if not folder.is_dir() or not os.access(folder, os.W_OK) or Path(output).is_dir():
            raise InputError(f"--output: cannot write {output!r}", hint="check the folder exists")
    choice = open_catalog(catalog, None, pricing)
    text = export_table(choice.catalog, choice.known, fmt, output, table=table)
    if text is not None:
        typer.echo(text, nl=False)


def _updates(path: str | None):
    """The stored update layers, which go above the shipped catalog only (see open_catalog)."""
    from llmcost.config import updates_root

    return updates_root() if path is None else None


def _now() -> datetime:
    """The clock, read here and nowhere in the library (tests replace it)."""
    return datetime.now(UTC)


OutputFormatOpt = Annotated[
    str, typer.Option("--format", "-f", help="table (a summary on stderr) or json (on stdout).")
]


@app.command("import")
def import_(
    peer: Annotated[str, typer.Argument(metavar="FORMAT", help="litellm or genai-prices.")],
    file: Annotated[str, typer.Argument(metavar="FILE", help="The peer's published JSON file.")],
    output: Annotated[
        str, typer.Option("--output", "-o", help="Directory to write <provider>.toml files to.")
    ],
    published: Annotated[
        str | None,
        typer.Option(
            "--published", help="Knowledge day of prices the data does not date (default today)."
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite files already there.")] = False,
    format: OutputFormatOpt = "table",
) -> None:
    """A peer's price data (LiteLLM's or genai-prices') as llmcost price files.

    Every key that cannot be mapped is listed with its reason in DIR/UNMAPPED.txt; the files
    pass 'llmcost catalog validate'. Reads no network. Example:
    llmcost catalog import litellm model_prices_and_context_window.json -o pricing/market/litellm
    """
    from pathlib import Path

    from llmcost.catalog import importers
    from llmcost.timeparse import day

    fmt = check_format(format, ("table", "json"))
    _check_peer(peer)
    known = _now().date() if published is None else day(published, field="--published")
    imported = importers.convert(
        peer, importers.read_data(Path(file)), published=known, source=file
    )
    directory = Path(output)
    if not imported.files:
        raise InputError(
            f"{file}: no offering could be mapped ({len(imported.unmapped)} keys not mapped)",
            hint=f"is it {peer}'s file?",
        )
    _check_import(imported, directory)
    header = (
        f"Imported by 'llmcost catalog import {peer}' from {file} on "
        f"{_now().date().isoformat()}; prices the data does not date are published "
        f"{known.isoformat()}."
    )
    paths = importers.write(imported, directory, header=header, force=force)
    _check_import_dir(directory)
    _import_summary(peer, file, directory, known, paths, imported, fmt)


def _check_peer(peer: str) -> None:
    from llmcost.catalog.importers import FORMATS

    if peer not in FORMATS:
        raise InputError(f"FORMAT: unknown format {peer!r}", hint="one of " + ", ".join(FORMATS))


def _check_import(imported, directory) -> None:
    """The converted data must be a valid catalog before anything is written."""
    from llmcost.catalog.load import validate_catalog
    from llmcost.catalog.update import parse_document
    from llmcost.errors import CatalogError

    try:
        files = [
            (directory / f"{pid}.toml", parse_document(str(directory / f"{pid}.toml"), doc))
            for pid, doc in sorted(imported.files.items())
        ]
        validate_catalog(files)
    except CatalogError as exc:
        exc.message = f"the import would not pass 'catalog validate': {exc.message}"
        raise


def _check_import_dir(directory) -> None:
    """The directory as written (with whatever else it holds) loads as a catalog."""
    from llmcost.catalog.load import load_catalog
    from llmcost.errors import CatalogError

    try:
        load_catalog(directory)
    except CatalogError as exc:
        exc.message = f"{directory} does not pass 'catalog validate': {exc.message}"
        raise


def _import_summary(peer, file, directory, known, paths, imported, fmt: str) -> None:
    from llmcost.catalog.importers import UNMAPPED
    from llmcost.cli.options import warn
    from llmcost.render import Report

    unmapped = directory / UNMAPPED
    if fmt == "json":
        document = {
            "format": peer,
            "file": file,
            "output": str(directory),
            "published": known,
            "files": [str(p) for p in paths],
            "providers": len(imported.files),
            "offerings": imported.offerings,
            "unmapped_file": str(unmapped),
            "unmapped": [{"key": k, "reason": r} for k, r in imported.unmapped],
        }
        emit(Report(title="", columns=[], rows=[], document=document), "json")
        return
    warn(
        f"imported {imported.offerings} offerings of {len(imported.files)} providers from "
        f"{file} into {directory}; {len(imported.unmapped)} keys not mapped (listed in {unmapped})"
    )


@app.command("update")
def update(
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source",
            help="FORMAT=URL to fetch (repeat). Default: genai-prices' and LiteLLM's published "
            "data on GitHub.",
        ),
    ] = None,
    timeout: Annotated[
        str, typer.Option("--timeout", help="Seconds to wait for each server.")
    ] = "30",
    format: OutputFormatOpt = "table",
) -> None:
    """Fetch the peers' published prices and store what they teach as a dated layer.

    The only command that touches the network. New offerings are added, published today;
    a known offering gets a new entry (valid from today 00:00 UTC) only where the peer's
    price now differs from the catalog's. Nothing known is rewritten, so '--catalog DAY'
    still gives what was known on any day. Layers live in $XDG_DATA_HOME/llmcost/updates.
    Exit 1 when some sources failed, 2 when none could be fetched.
    """
    from llmcost.catalog import importers
    from llmcost.catalog.load import load_catalog
    from llmcost.catalog.update import fetch, store_update
    from llmcost.config import updates_root
    from llmcost.errors import LlmcostError

    fmt = check_format(format, ("table", "json"))
    sources = _sources(source)
    seconds = _seconds(timeout)
    fetched_at = _now()
    root = updates_root()
    catalog = load_catalog(updates=root)
    fetched, failed = [], []
    for peer, url in sources:
        try:
            data = fetch(url, timeout=seconds)
            imported = importers.convert(peer, data, published=fetched_at.date(), source=url)
            fetched.append((peer, url, imported))
        except LlmcostError as exc:
            typer.echo(error_line(exc), err=True)
            failed.append((peer, url, exc))
    if not fetched:
        raise typer.Exit(2)
    result = store_update(catalog, fetched, fetched_at, root)
    _update_summary(result, failed, fetched_at, fmt)
    if failed:
        raise typer.Exit(1)


def _sources(given: list[str] | None) -> list[tuple[str, str]]:
    """`--source FORMAT=URL`, each checked; none given: the peers' published data."""
    from llmcost.catalog.update import DEFAULT_SOURCES, check_url

    if not given:
        return list(DEFAULT_SOURCES.items())
    sources = []
    for text in given:
        peer, equals, url = text.partition("=")
        if not equals:
            raise InputError(
                f"--source: {text!r} is not FORMAT=URL", hint="e.g. litellm=https://..."
            )
        _check_peer(peer.strip())
        try:
            sources.append((peer.strip(), check_url(url.strip())))
        except InputError as exc:
            raise InputError(f"--source: {exc.message}", hint=exc.hint) from None
    return sources


def _seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds <= 600:
        raise InputError(f"--timeout: {text!r} is not a number of seconds", hint="e.g. 30")
    return seconds


def _update_summary(result, failed, fetched_at: datetime, fmt: str) -> None:
    from llmcost.cli.options import warn
    from llmcost.render import Report

    if fmt == "json":
        parts = [
            {
                "format": p.fmt,
                "url": p.url,
                "added": p.added,
                "changed": p.changed,
                "unchanged": p.unchanged,
                "unmapped": [{"key": k, "reason": r} for k, r in p.unmapped],
                "error": None,
            }
            for p in result.parts
        ]
        parts += [
            {"format": peer, "url": url, "added": [], "changed": [], "unchanged": 0,
             "unmapped": [], "error": exc.one_line()}
            for peer, url, exc in failed
        ]  # fmt: skip
        document = {
            "fetched_at": fetched_at,
            "layer": result.layer,
            "directory": None if result.directory is None else str(result.directory),
            "sources": parts,
        }
        emit(Report(title="", columns=[], rows=[], document=document), "json")
        return
    for p in result.parts:
        listed = (
            f" (listed in {result.directory / p.fmt / 'UNMAPPED.txt'})"
            if result.directory
            else " (--format json lists them)"
        )
        warn(
            f"{p.fmt}: {len(p.added)} offerings added, {len(p.changed)} prices changed, "
            f"{p.unchanged} unchanged; {len(p.unmapped)} keys not mapped{listed}"
        )
    if result.directory is None:
        warn("nothing new: no layer stored")
    else:
        warn(f"stored as update {result.layer} in {result.directory}")
