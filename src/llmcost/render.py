"""Rendering reports as table, JSON, CSV, Markdown or HTML (`reports.html`). Rendering never
computes a cost.

A command builds a `Report`: typed columns, rows of raw values (Decimal, str, datetime), and
the JSON document of its contract. This module only decides how each kind of value looks:
money is rounded here and nowhere else; JSON and CSV carry exact decimal strings.
"""

from __future__ import annotations

import functools
import io
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Any, Literal

from llmcost.money import plain
from llmcost.timeparse import display_zone_name, iso, show_instant

Kind = Literal["text", "money", "rate", "count", "ratio", "multiple", "bar", "instant"]
FORMATS = ("table", "json", "csv", "markdown")
DISPLAY = Context(prec=100, rounding=ROUND_HALF_EVEN)  # rounding for display only
SYMBOLS = {"USD": "$", "CNY": "¥", "EUR": "€"}
_BAR_WIDTH = 12
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    header: str
    kind: Kind = "text"
    align_right: bool = False
    hide_when_empty: bool = False  # tables and Markdown drop it when no row has a non-zero value
    csv_only: bool = False  # said once in a table's title, but every CSV row needs it


@dataclass(frozen=True)
class Report:
    """What a command shows. `document` is the JSON contract; `rows` feed the other formats.
    A money cell is `(amount, currency)` so the table can print the right symbol."""

    title: str
    columns: Sequence[Column]
    rows: Sequence[dict[str, Any]]
    document: dict[str, Any]
    notes: Sequence[str] = field(default=())
    charts: Sequence[Any] = field(default=())  # drawn by `--format html` (`reports.html.figures`)
    # a closing row of the table and Markdown (the totals of grouped rows), never in CSV, JSON
    # or HTML: their rows are data to sum
    total_row: dict[str, Any] | None = None


# -- one place that decides how a value looks -------------------------------------------------


@functools.lru_cache(maxsize=8192)  # a report of every offering shows few distinct amounts
def show_money(amount: Decimal, currency: str = "USD") -> str:
    """Money for people: cents from one unit up, four significant figures below it. It
    depends on the amount's value only (never its exponent), so equal amounts share a line."""
    symbol = SYMBOLS.get(currency, currency + " ")
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    if amount == 0:
        text = "0.00"
    elif amount >= 1:
        text = f"{DISPLAY.quantize(amount, _CENT):,}"
    else:
        places = max(2, 3 - amount.adjusted())  # four significant figures
        step = _STEPS.get(places) or Decimal(1).scaleb(-places)
        whole, _, fraction = format(DISPLAY.quantize(amount, step), "f").partition(".")
        text = f"{whole}.{fraction.rstrip('0'):0<2}"  # at least two places, never more zeros
    return f"{sign}{symbol}{text}"


_CENT = Decimal("0.01")
_STEPS = {places: Decimal(1).scaleb(-places) for places in range(2, 30)}


def show(value: Any, kind: Kind) -> str:
    if value is None:
        return "-"
    if kind == "money":
        amount, currency = value
        return show_money(amount, currency)
    if kind == "rate":
        return plain(value)
    if kind == "count":
        return f"{value:,}" if isinstance(value, int) else _count(value)
    if kind == "ratio":
        return f"{(value * 100).quantize(Decimal('0.01'), ROUND_HALF_EVEN)}%"
    if kind == "multiple":
        return f"x{value.quantize(_CENT, ROUND_HALF_EVEN)}"
    if kind == "bar":
        filled = int((Decimal(value) * _BAR_WIDTH).to_integral_value(ROUND_HALF_EVEN))
        return "█" * max(filled, 1 if value > 0 else 0)
    if kind == "instant":  # headers of instant columns say "(UTC)" (or the display zone)
        if not isinstance(value, datetime):
            return str(value)
        return show_instant(value).removesuffix(" " + display_zone_name())
    return str(value)


def _count(value: Decimal) -> str:
    whole = value == value.to_integral_value()
    return f"{int(value):,}" if whole else plain(value)


def exact(value: Any) -> Any:
    """A value as JSON and CSV carry it: decimals as exact strings, instants in ISO 8601."""
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], Decimal):
        return plain(value[0])
    return value


# -- formats -----------------------------------------------------------------------------------


def render(report: Report, fmt: str) -> str:
    if fmt == "html":
        from llmcost.reports.html import page

        return page(report)
    if fmt == "json":
        return _json(report.document)
    if fmt == "csv":
        return _csv(report)
    if report.total_row is not None:
        report = replace(report, rows=[*report.rows, report.total_row])
    if fmt == "markdown":
        return _markdown(report)
    return _table(report)


LONG_LIST = 1000  # a top-level list longer than this is written one compact item per line


def _json(document: dict) -> str:
    """The document indented by 2, but a long top-level list (a bill's rejections) one item
    per line: Python's JSON encoder gives up its C speed-ups when it indents (4 s for 241k
    rejections, 0.4 s so)."""
    import json

    indented = json.JSONEncoder(default=exact, indent=2, ensure_ascii=False)
    compact = json.JSONEncoder(default=exact, ensure_ascii=False)
    long = {k for k, v in document.items() if isinstance(v, list) and len(v) > LONG_LIST}
    if not long:
        return indented.encode(document) + "\n"
    parts = []
    for key, value in document.items():
        if key in long:
            text = f"[\n    {_one_per_line(compact, value)}\n  ]"
        else:
            text = indented.encode(value).replace("\n", "\n  ")
        parts.append(f"  {compact.encode(key)}: {text}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def _one_per_line(compact, items: list) -> str:
    """`items` encoded compactly, one a line. Flat objects that all start with the same key
    are encoded in one call and split where `}, {"key": ` stands: a quote inside a string is
    escaped, so that text only ever stands between two items."""
    first = {next(iter(item), None) if isinstance(item, dict) else None for item in items}
    flat = all(
        isinstance(item, dict) and not any(isinstance(v, dict | list) for v in item.values())
        for item in items
    )
    if not flat or len(first) != 1 or None in first:
        return ",\n    ".join(compact.encode(item) for item in items)
    key = compact.encode(first.pop())
    return compact.encode(items)[1:-1].replace("}, {" + key + ": ", "},\n    {" + key + ": ")


def _csv(report: Report) -> str:
    import csv

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    # minimal quoting looks only for the line terminator's "\n": a row with a CR in a cell is
    # quoted whole, or a reader would split it there (and the rest could start a formula)
    quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    columns = [c for c in report.columns if c.kind != "bar"]
    writer.writerow([c.key for c in columns])
    for row in report.rows:
        cells = [_csv_cell(row.get(c.key)) for c in columns]
        (quoted if any("\r" in cell for cell in cells) else writer).writerow(cells)
    return out.getvalue()


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(exact(value))
    if isinstance(value, str) and text.startswith(_FORMULA_START):
        return "'" + text  # a spreadsheet must not run a cell as a formula
    return text


def _shown(report: Report) -> list[Column]:
    """The columns a person sees: all but those marked `hide_when_empty` that are empty."""
    return [
        c
        for c in report.columns
        if not c.csv_only
        and (not c.hide_when_empty or any(_nonzero(row.get(c.key)) for row in report.rows))
    ]


def _nonzero(value: Any) -> bool:
    if isinstance(value, tuple):
        value = value[0]
    return value is not None and value != 0


def _markdown(report: Report) -> str:
    columns = _shown(report)
    lines = [f"**{report.title}**", ""] if report.title else []
    lines.append("| " + " | ".join(_header(c) for c in columns) + " |")
    lines.append("|" + "|".join("---:" if _right(c) else "---" for c in columns) + "|")
    for row in report.rows:
        cells = [_markdown_cell(show(row.get(c.key), c.kind)) for c in columns]
        lines.append("| " + " | ".join(cells) + " |")
    lines.extend(["", *(f"_{note}_" for note in report.notes)] if report.notes else [])
    return "\n".join(lines) + "\n"


def _markdown_cell(text: str) -> str:
    """A table cell on one line: `|` escaped, a line break written as `<br>`."""
    return re.sub(r"\r\n|\r|\n", "<br>", text.replace("|", "\\|"))


def _right(column: Column) -> bool:
    return column.align_right or column.kind in ("money", "rate", "count", "ratio", "multiple")


def _table(report: Report) -> str:
    width = _width()
    columns = _shown(report)
    cells = _cells(report.rows, columns)
    colour = _colour()
    # laid out as rich would print it, without importing rich (not on Windows' consoles, nor
    # on a dumb terminal, where rich has rules of its own)
    if os.name != "nt" and not (colour and _dumb()):
        text = _plain_table(report, columns, cells, width, colour)
        if text is not None:
            return text
    from rich.console import Console

    table = _rich_table(report.title, columns, cells)
    if _needed(table, width) > width and any(c.kind == "bar" for c in columns):
        # the bar only restates the totals: it goes first when the terminal is narrow
        keep = [i for i, c in enumerate(columns) if c.kind != "bar"]
        columns = [columns[i] for i in keep]
        cells = [[line[i] for i in keep] for line in cells]
        table = _rich_table(report.title, columns, cells)
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        # never crop a figure: a table wider than the terminal is printed whole
        width=max(width, _needed(table, width)),
        force_terminal=_colour(),
        no_color=not _colour(),
        highlight=False,
        emoji=False,
    )
    console.print(table)
    for note in report.notes:
        console.print(note, markup=False)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines()) + "\n"


_SHOWN_ONCE = ("money", "multiple", "ratio", "bar")  # shown by value: equal values, one text


def _cells(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> list[list[str]]:
    """Each row's cells as shown, worked out a column at a time: a report of every offering
    has 30,000 cells, and most of its amounts, multiples and bars repeat."""
    by_column = []
    for column in columns:
        key, kind = column.key, column.kind
        if kind in _SHOWN_ONCE:
            memo: dict[Any, str] = {}
            texts = []
            for row in rows:
                value = row.get(key)
                text = memo.get(value)
                if text is None:
                    text = memo[value] = show(value, kind)
                texts.append(text)
        else:
            texts = [show(row.get(key), kind) for row in rows]
        by_column.append(texts)
    if not by_column:
        return [[] for _ in rows]
    return [list(line) for line in zip(*by_column, strict=True)]


def _plain_table(
    report: Report, columns: list[Column], cells: list[list[str]], width: int, colour=False
):
    """`_table`'s output laid out by `plaintable` (the same bytes), or None where rich must
    draw it."""
    from llmcost import plaintable

    specs = _specs(columns, cells)
    if _plain_needed(specs, cells, width) > width and any(c.kind == "bar" for c in columns):
        keep = [i for i, c in enumerate(columns) if c.kind != "bar"]
        specs = [specs[i] for i in keep]
        cells = [[line[i] for i in keep] for line in cells]
    console_width = max(width, _plain_needed(specs, cells, width))
    return plaintable.layout(report.title, specs, cells, report.notes, console_width, colour)


def _plain_needed(specs, cells: list[list[str]], width: int) -> int:
    """`_needed` for the plain layout."""
    from llmcost import plaintable

    generous = sum(spec.min_width + 3 for spec in specs) + 2
    if generous <= width:
        return min(generous, width)
    return plaintable.needed(specs, cells)


def _header(column: Column) -> str:
    """A column's header; an instant column names the zone its cells are shown in."""
    if column.kind != "instant":
        return column.header
    return column.header.replace("(UTC)", f"({display_zone_name()})")


def _specs(columns: Sequence[Column], cells: list[list[str]]):
    """Each column's header, alignment, narrowest width and whether its cells may wrap."""
    from llmcost.plaintable import Column as Spec

    specs = []
    for index, column in enumerate(columns):
        longest = max((len(line[index]) for line in cells), default=0)
        # prose (cells with spaces) may wrap; names, paths and figures stay whole
        free_text = (
            column.kind == "text"
            and column.key not in ("kind", "applied")
            and any(" " in line[index] for line in cells)
        )
        # figures and names are never cut or wrapped; only prose columns wrap
        floor = min(longest, 24) if free_text else max(longest, len(column.header))
        style = "36" if column.kind == "bar" else None  # cyan, as `_rich_table` has it
        specs.append(Spec(_header(column), _right(column), floor, free_text, style))
    return specs


def _rich_table(title: str, columns: Sequence[Column], cells: list[list[str]]):
    from rich import box
    from rich.table import Table
    from rich.text import Text

    # cells and title as plain Text: a value from a log ("[/]", "[bold]x") is not markup
    table = Table(
        title=Text(title) if title else None,
        title_justify="left",
        header_style="bold",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for column, spec in zip(columns, _specs(columns, cells), strict=True):
        table.add_column(
            spec.header,
            justify="right" if spec.right else "left",
            min_width=spec.min_width,
            no_wrap=not spec.wraps,
            overflow="fold",  # a long word (a path) folds onto the next line, never "…"
            style="cyan" if column.kind == "bar" else None,
        )
    for line in cells:
        table.add_row(*(Text(cell) for cell in line))
    return table


def _needed(table, width: int) -> int:
    """The narrowest width at which `table` shows every cell whole. A generous sum of the
    columns' minimum widths answers quickly when the table fits; near the edge rich measures
    it exactly (a few milliseconds)."""
    generous = sum((column.min_width or 0) + 3 for column in table.columns) + 2
    if generous <= width:
        return min(generous, width)
    from rich.console import Console
    from rich.measure import Measurement

    console = Console(width=10_000, file=io.StringIO())
    return Measurement.get(console, console.options, table).minimum


# the choices the table makes, for the other renderers (`reports.html`)
shown_columns, column_header, right_aligned = _shown, _header, _right


def _dumb() -> bool:
    """A terminal rich treats as dumb (no colour codes, 80 columns whatever it is told)."""
    return os.environ.get("TERM", "").lower() in ("dumb", "unknown")  # rich's own test


def _colour() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _width() -> int:
    if sys.stdout.isatty():
        return os.get_terminal_size().columns
    return int(os.environ.get("COLUMNS", "200"))
