"""`--format html`: a report as one self-contained page, its charts drawn in inline SVG.

The page loads nothing (no script, no font, no stylesheet, no image from anywhere: its Content
Security Policy forbids it too), so it can be mailed, attached to a CI run or opened offline.
It shows the report's charts (`Report.charts`, see `figures`), then the table the other formats
carry, with the same columns and the same rounding (`render.show`); each figure's exact value
is in its cell's `data-value` and tooltip. Everything a user wrote is escaped, isolated
(`<bdi>`: a right-to-left override in a name reorders only the name), and, when long, cut to
a width with the whole text in its tooltip.
"""

from __future__ import annotations

from typing import Any

from llmcost.render import Column, Report, column_header, right_aligned, show, shown_columns
from llmcost.reports.html.figures import Gauges, RangeBars, StackedBars
from llmcost.reports.html.svg import colour, esc, gauges, isolate, range_bars, stacked_bars

# the page may use its own inline styles and nothing else; `default-src 'none'` blocks every
# fetch (scripts, fonts, images, frames, connections), even from an injected tag
POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'"
)

CSS = """
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial,
  sans-serif; color: #1f2328; background: #fff; margin: 0; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 20px 40px; }
h1 { font-size: 18px; font-weight: 600; margin: 0 0 18px; }
h2 { font-size: 15px; font-weight: 600; margin: 0 0 8px; }
figure { margin: 0 0 28px; }
svg.chart { display: block; max-width: 100%; height: auto; font: 12px system-ui, sans-serif; }
svg .grid { stroke: #e6e8eb; } svg .axis { stroke: #8c959f; }
svg .limit { stroke: #cf222e; stroke-width: 2; stroke-dasharray: 6 4; }
svg .tick { fill: #57606a; font-size: 11px; } svg .label { fill: #1f2328; }
svg .value { fill: #1f2328; font-size: 12px; } svg .error { fill: #cf222e; }
svg .range { opacity: 0.45; } svg .mark { stroke: #fff; stroke-width: 1; }
ul.legend { list-style: none; padding: 0; margin: 6px 0 0 84px; display: flex;
  flex-wrap: wrap; gap: 4px 16px; font-size: 12px; color: #57606a; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 5px;
  vertical-align: -1px; border-radius: 2px; }
.table { overflow-x: auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 13px; }
th, td { padding: 4px 10px; border-bottom: 1px solid #e6e8eb; text-align: left;
  white-space: nowrap; }
th { border-bottom: 2px solid #8c959f; font-weight: 600; }
td.num, th.num { text-align: right; }
td.wrap { white-space: normal; min-width: 16em; overflow-wrap: anywhere; }
bdi.cut { display: inline-block; max-width: 32em; overflow: hidden; text-overflow: ellipsis;
  white-space: nowrap; vertical-align: bottom; }
ul.legend bdi.cut { max-width: 24em; }
h1, p.note, footer { overflow-wrap: anywhere; }
p.note { color: #57606a; font-size: 12px; max-width: 90ch; }
footer { color: #8c959f; font-size: 11px; margin-top: 24px; }
"""


def page(report: Report) -> str:
    """The whole HTML document of `report`."""
    from llmcost import __version__

    charts = "".join(_figure(chart) for chart in report.charts)
    notes = "".join(f'<p class="note">{esc(note)}</p>' for note in report.notes)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(POLICY)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="generator" content="llmcost">'
        f"<title>{esc(report.title)}</title><style>{CSS}</style></head>\n"
        f"<body><main><h1>{esc(report.title)}</h1>\n{charts}"
        f'<section class="table">{_table(report)}</section>\n{notes}'
        f"<footer>llmcost {esc(__version__)}: money rounded for display only; hover a figure "
        "for its exact value.</footer></main></body></html>\n"
    )


def _figure(chart: Any) -> str:
    if isinstance(chart, StackedBars):
        svg, legend = stacked_bars(chart), _series_legend(chart)
    elif isinstance(chart, RangeBars):
        svg, legend = (
            range_bars(chart),
            _legend(
                [("#4e79a7", "the mix"), ("#9c9c9c", "all traffic on one model")]
                if chart.name == "simulate-mix"
                else []
            )
            + _legend(
                [],
                "Solid: the minimum over the splits the shares admit; lighter: up to the maximum.",
            ),
        )
    elif isinstance(chart, Gauges):
        svg, legend = (
            gauges(chart),
            _legend(
                [("#59a14f", "ok"), ("#d4a017", "warn"), ("#e15759", "over")],
                "Bar: this period's cost against the limit (dashed line, 100%); diamond: a period "
                "starting at a scheduled price change (look-ahead).",
            ),
        )
    else:
        raise TypeError(f"no HTML for {type(chart).__name__}")
    return (
        f'<figure data-figure="{esc(chart.name)}"><h2>{esc(chart.title)}</h2>'
        f"{svg}{legend}</figure>\n"
    )


def _series_legend(chart: StackedBars) -> str:
    return _legend([(colour(i, s.name), s.name) for i, s in enumerate(chart.series)])


def _legend(items: list[tuple[str, str]], text: str = "") -> str:
    entries = [
        f'<li><span class="swatch" style="background:{fill}"></span>{_user(name)}</li>'
        for fill, name in items
    ]
    if text:
        entries.append(f"<li>{esc(text)}</li>")
    return f'<ul class="legend">{"".join(entries)}</ul>' if entries else ""


def _table(report: Report) -> str:
    columns = [c for c in shown_columns(report) if c.kind != "bar"]
    head = "".join(f'<th scope="col"{_align(c)}>{esc(column_header(c))}</th>' for c in columns)
    body = "".join(
        "<tr>" + "".join(_cell(row.get(c.key), c) for c in columns) + "</tr>" for row in report.rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _align(column: Column) -> str:
    return ' class="num"' if right_aligned(column) else ""


def _cell(value: Any, column: Column) -> str:
    from llmcost.render import exact

    text = show(value, column.kind)
    if column.kind in ("money", "rate", "count", "ratio", "multiple") and value is not None:
        figure = esc(exact(value))
        return f'<td class="num" data-value="{figure}" title="{figure}">{esc(text)}</td>'
    wrap = column.kind == "text" and " " in text and len(text) > 40
    return f"<td{WRAP if wrap else _align(column)}>{_user(text, cut=not wrap)}</td>"


WRAP = ' class="wrap"'
LONG = 40  # characters: a longer name without a space is cut to a width (`bdi.cut`)


def _user(text: str, cut: bool = True) -> str:
    """A user's text in the page: isolated, and a long one cut with the whole in its tooltip."""
    if cut and len(text) > LONG:
        return f'<bdi class="cut" title="{esc(isolate(text))}">{esc(text)}</bdi>'
    return f"<bdi>{esc(text)}</bdi>"
