"""Inline SVG for the HTML reports: stacked bars, range bars and budget gauges.

No script and no external resource: each shape carries its exact amount in `data-value` and a
`<title>` (the browser's tooltip) with the amount as shown and as computed. Every text from a
user (a model name, a file name, a budget's name) goes through `esc`. Amounts become
coordinates here and only here; a coordinate is geometry, not money, so floats are fine.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from decimal import Decimal
from html import escape

from llmcost.money import exact_sum, plain
from llmcost.render import show, show_money
from llmcost.reports.html.figures import Gauges, RangeBars, StackedBars

WIDTH = 960
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#b07aa1",
    "#76b7b2",
    "#edc948",
    "#ff9da7",
    "#9c755f",
    "#e15759",
)
OTHER = "#bab0ac"
ROLES = {"mix": "#4e79a7", "baseline": "#9c9c9c", "point": "#4e79a7"}
STATUS = {"ok": "#59a14f", "warn": "#d4a017", "over": "#e15759", "error": "#9c9c9c"}
_LABEL_CHARS = 34  # a longer label is cut in the chart, whole in its tooltip and the table
# (an error message runs across the plot: about 6.5 px a character at 12 px)
_CHAR_PX = 7.0  # a generous width of a character at 12 px, for fitting a value label


# C0 and C1 controls but tab, line feed, form feed and carriage return, and DEL: not allowed
# in an HTML page (a raw NUL in a user name would be written into it as is)
_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def esc(text: object) -> str:
    """Text or an attribute value, safe in HTML and inline SVG; a control character that HTML
    does not allow becomes U+FFFD, visibly."""
    return escape(_CONTROLS.sub("\ufffd", str(text)), quote=True)


def isolate(text: object) -> str:
    """A user's text between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE: the text as
    `<bdi>` marks it, also where no tag may go (an SVG `<text>`, a tooltip). A right-to-left
    override in a name then reorders the name only, never llmcost's text around it."""
    return f"\u2068{text}\u2069"


def colour(index: int, name: str) -> str:
    return OTHER if name.startswith("other (") else PALETTE[index % len(PALETTE)]


def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _fraction(value: Decimal, top: Decimal) -> float:
    return float(value / top) if top else 0.0


def ticks(top: Decimal, count: int = 5) -> list[Decimal]:
    """Round axis steps from zero to at least `top`: 1, 2 or 5 times a power of ten."""
    if top <= 0:
        return [Decimal(0), Decimal(1)]
    raw = top / count
    magnitude = Decimal(1).scaleb(raw.adjusted())
    step = next(magnitude * m for m in (1, 2, 5, 10) if magnitude * m >= raw)
    steps = math.ceil(top / step)
    return [(step * i).normalize() for i in range(steps + 1)]


def _cut(label: str, most: int = _LABEL_CHARS) -> str:
    return label if len(label) <= most else label[: most - 1] + "…"


def _name(label: str) -> str:
    """A user's name as a chart label: cut, and isolated."""
    return isolate(_cut(label))


def _svg(name: str, title: str, height: float, body: Iterable[str], **data: object) -> str:
    extra = "".join(f' data-{k.replace("_", "-")}="{esc(v)}"' for k, v in data.items())
    return (
        f'<svg class="chart" data-chart="{esc(name)}"{extra} role="img" '
        f'viewBox="0 0 {WIDTH} {_n(height)}" width="100%" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{esc(title)}</title>{''.join(body)}</svg>"
    )


def _axis_line(x1, y1, x2, y2, cls: str = "grid") -> str:
    return f'<line class="{cls}" x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}"/>'


def _text(x, y, text: str, anchor: str = "start", cls: str = "label", room: float = 0) -> str:
    """A text at (x, y); with `room`, the width it may take: a longer one is squeezed into it
    (`textLength`) rather than clipped at the chart's edge."""
    fit = ""
    if room and len(text) * _CHAR_PX > room:
        fit = f' textLength="{_n(room)}" lengthAdjust="spacingAndGlyphs"'
    return (
        f'<text class="{cls}" x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}"{fit}>'
        f"{esc(text)}</text>"
    )


def _rect(x, y, w, h, cls: str, fill: str, value: Decimal | None, tip: str, **data) -> str:
    extra = "".join(f' data-{k}="{esc(v)}"' for k, v in data.items())
    shown = "" if value is None else f' data-value="{plain(value)}"'
    return (
        f'<rect class="{cls}" x="{_n(x)}" y="{_n(y)}" width="{_n(max(w, 0))}" '
        f'height="{_n(max(h, 0))}" fill="{fill}"{shown}{extra}><title>{esc(tip)}</title></rect>'
    )


def _exact(amount: Decimal, currency: str) -> str:
    """An amount as shown, and as computed when rounding changed it."""
    shown = show_money(amount, currency)
    digits = re.sub(r"[^0-9.]", "", shown)
    return shown if Decimal(digits) == abs(amount) else f"{shown} (exact {plain(amount)})"


# -- cost per day, stacked --------------------------------------------------------------------


def stacked_bars(chart: StackedBars) -> str:
    left, right, top_pad, bottom, height = 84, 12, 12, 40, 320
    plot_w, plot_h = WIDTH - left - right, height - top_pad - bottom
    days = len(chart.categories)
    sums = [exact_sum(s.values[i] for s in chart.series) for i in range(days)]
    axis = ticks(max(sums, default=Decimal(0)))
    top = axis[-1]
    body = []
    for tick in axis:
        y = top_pad + plot_h * (1 - _fraction(tick, top))
        body.append(_axis_line(left, y, WIDTH - right, y))
        body.append(_text(left - 6, y + 4, show_money(tick, chart.currency), "end", "tick"))
    slot = plot_w / max(days, 1)
    gap = slot * 0.15 if slot > 4 else 0
    every = max(1, math.ceil(days / (plot_w / 64)))  # a day label every 64 px at most
    for i, day in enumerate(chart.categories):
        if i % every == 0:
            x = left + slot * (i + 0.5)
            body.append(
                _text(x, height - bottom + 16, day if i == 0 else day[5:], "middle", "tick")
            )
    for index, series in enumerate(chart.series):
        fill = colour(index, series.name)
        rects = []
        for i, value in enumerate(series.values):
            if not value:
                continue
            below = exact_sum(s.values[i] for s in chart.series[:index])
            y = top_pad + plot_h * (1 - _fraction(below + value, top))
            h = plot_h * _fraction(value, top)
            tip = f"{chart.categories[i]} · {isolate(series.name)}: {_exact(value, chart.currency)}"
            rects.append(
                _rect(
                    left + slot * i + gap / 2,
                    y,
                    slot - gap,
                    h,
                    "bar",
                    fill,
                    value,
                    tip,
                    category=chart.categories[i],
                )
            )
        body.append(
            f'<g class="series" data-series="{esc(series.name)}" data-bars="{len(rects)}">'
            + "".join(rects)
            + "</g>"
        )
    body.append(_axis_line(left, top_pad + plot_h, WIDTH - right, top_pad + plot_h, "axis"))
    if not days:
        body.append(_text(WIDTH / 2, height / 2, "no priced records", "middle"))
    return _svg(chart.name, chart.title, height, body, series=len(chart.series), days=days)


# -- ranges -----------------------------------------------------------------------------------


def range_bars(chart: RangeBars) -> str:
    left, right, row, top_pad, bottom = 240, 210, 30, 8, 28
    plot_w = WIDTH - left - right
    height = top_pad + row * len(chart.spans) + bottom
    axis = ticks(max((s.high for s in chart.spans if s.high is not None), default=Decimal(0)))
    top = axis[-1]
    body = []
    for tick in axis:
        x = left + plot_w * _fraction(tick, top)
        body.append(_axis_line(x, top_pad, x, height - bottom))
        body.append(
            _text(x, height - bottom + 16, show_money(tick, chart.currency), "middle", "tick")
        )
    for i, span in enumerate(chart.spans):
        y = top_pad + row * i + 5
        parts = [_text(left - 8, y + 14, _name(span.label), "end")]
        if span.low is None or span.high is None:  # no cost at this point: no bar
            words = "no cost" + (f"; {span.note}" if span.note else "")
            parts.append(_text(left + 6, y + 14, words, "start", "value", WIDTH - left - 8))
            body.append(
                f'<g class="span" data-role="{esc(span.role)}" data-low="" data-high="">'
                f"<title>{esc(isolate(span.label))}</title>" + "".join(parts) + "</g>"
            )
            continue
        parts += _span_bars(span, left, y, row - 10, plot_w, top, chart.currency)
        body.append(
            f'<g class="span" data-role="{esc(span.role)}" data-low="{plain(span.low)}" '
            f'data-high="{plain(span.high)}"><title>{esc(isolate(span.label))}</title>'
            + "".join(parts)
            + "</g>"
        )
    body.append(_axis_line(left, top_pad, left, height - bottom, "axis"))
    return _svg(chart.name, chart.title, height, body, spans=len(chart.spans))


def _span_bars(span, left: float, y: float, h: float, plot_w: float, top, currency) -> list:
    fill = ROLES.get(span.role, ROLES["point"])
    low_x = plot_w * _fraction(span.low, top)
    high_x = plot_w * _fraction(span.high, top)
    low, high = show_money(span.low, currency), show_money(span.high, currency)
    shown = low if span.low == span.high else f"{low} to {high}"
    label = isolate(span.label)
    parts = [
        _rect(left, y, low_x, h, "bar", fill, span.low, f"{label}: {_exact(span.low, currency)}")
    ]
    if span.high != span.low:
        tip = f"{label}: up to {_exact(span.high, currency)}"
        parts.append(_rect(left + low_x, y, high_x - low_x, h, "range", fill, span.high, tip))
    words = shown + (f"; {span.note}" if span.note else "")
    x = left + high_x + 6
    parts.append(_text(x, y + 14, words, "start", "value", WIDTH - x - 2))
    return parts


# -- budgets ----------------------------------------------------------------------------------


def gauges(chart: Gauges) -> str:
    left, right, row, top_pad, bottom = 200, 270, 34, 8, 28
    plot_w = WIDTH - left - right
    height = top_pad + row * len(chart.gauges) + bottom
    shares = [Decimal(1)]
    for g in chart.gauges:
        if g.cost is not None and g.limit:
            shares += [g.cost / g.limit, *(m.cost / g.limit for m in g.marks)]
    axis = ticks(max(shares) * 100, 4)
    top = axis[-1]
    body = []
    for tick in axis:
        x = left + plot_w * _fraction(tick, top)
        body.append(_axis_line(x, top_pad, x, height - bottom))
        body.append(_text(x, height - bottom + 16, f"{plain(tick)}%", "middle", "tick"))
    for i, g in enumerate(chart.gauges):
        body.append(_gauge(g, left, top_pad + row * i + 6, plot_w, row - 12, top))
    limit_x = left + plot_w * _fraction(Decimal(100), top)
    body.append(_axis_line(limit_x, top_pad, limit_x, height - bottom, "limit"))
    body.append(_axis_line(left, top_pad, left, height - bottom, "axis"))
    return _svg(chart.name, chart.title, height, body, budgets=len(chart.gauges))


def _gauge(g, left: float, y: float, plot_w: float, h: float, top: Decimal) -> str:
    parts = [_text(left - 8, y + h / 2 + 4, _name(g.label), "end")]
    if g.cost is None or not g.limit:
        words = f"error: {g.error}" if g.error else "not priced"
        shown = f"error: {isolate(_cut(g.error, int(plot_w / 6.5) - 7))}" if g.error else words
        parts.append(_text(left + 6, y + h / 2 + 4, shown, "start", "value error"))
    else:
        used = g.cost * 100 / g.limit
        cost, limit = show_money(g.cost, g.currency), show_money(g.limit, g.currency)
        parts.append(
            _rect(
                left,
                y,
                plot_w * _fraction(used, top),
                h,
                "bar",
                STATUS[g.status],
                g.cost,
                f"{isolate(g.label)}: {_exact(g.cost, g.currency)} of {limit}",
            )
        )
        for m in g.marks:
            x = left + plot_w * _fraction(m.cost * 100 / g.limit, top)
            d = f"M{_n(x)} {_n(y - 3)}l6 {_n(h / 2 + 3)}-6 {_n(h / 2 + 3)}-6 {_n(-h / 2 - 3)}z"
            tip = f"after {m.label}: a period costs {_exact(m.cost, g.currency)} ({m.status})"
            parts.append(
                f'<path class="mark" data-status="{esc(m.status)}" data-value="{plain(m.cost)}" '
                f'd="{d}" fill="{STATUS.get(m.status, STATUS["error"])}"><title>{esc(tip)}</title>'
                "</path>"
            )
        used_text = f", {show(g.share, 'ratio')}" if g.share is not None else ""
        words = f"{cost} of {limit}{used_text}: {g.status.upper()}"
        x = left + plot_w + 8
        parts.append(_text(x, y + h / 2 + 4, words, "start", "value", WIDTH - x - 2))
    return (
        f'<g class="gauge" data-status="{esc(g.status)}" data-marks="{len(g.marks)}">'
        f"<title>{esc(isolate(g.label))}</title>" + "".join(parts) + "</g>"
    )
