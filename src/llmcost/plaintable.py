"""A plain (colourless) table laid out exactly as `render` has rich lay it out, without rich.

Importing rich's console costs a one-shot command about 20 ms, and rich takes seconds to draw
the every-offering `compare` (4,000 rows). Where a table is plain text in one-cell-wide
characters, fits its console width and wraps nothing, rich's layout reduces to a few rules,
written out here: `layout` gives the same bytes as `render._table` would have rich print (a
property test draws tables and compares the two), or None where one of rich's finer rules
could apply (a cell to wrap, a character of another width, a control code, colour), and the
caller asks rich.

The rules, as rich 13-15 applies them to `render`'s table (box SIMPLE_HEAD, no edge padding,
padding 0 1, title justified left, every cell a `Text`):
- a column is as wide as its widest cell, header included, or its `min_width`, plus its
  padding (one space each side, none at the table's left and right edges);
- the table's minimum width (`needed`) sums each column's narrowest: its longest word or its
  `min_width`; three dividers' and edges' cells, one per column and one more, come on top;
- each row is a space (the box's edge), the cells (left-justified, or right-justified after
  their trailing spaces are dropped) joined by a space; under the header a rule of `─`;
  blank lines (the box's top and bottom) around the header and rows;
- the title, and each note below, word-wrapped as rich wraps text: at the table's width
  (the title) or the console's (notes); a word longer than a line is cut into pieces.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import pairwise

# characters rich draws one cell wide (checked against rich.cells in the tests): printable
# ASCII and the few others llmcost writes itself (a bar, currency symbols)
_SAFE = frozenset(map(chr, range(0x20, 0x7F))) | frozenset("█¥€£")
_WORD = re.compile(r"\s*\S+\s*")
_TOO_WIDE = 5000  # rich measures with a 10,000-cell console; far below it, no rule changes


def plain(text: str) -> bool:
    """Whether rich would draw `text` as it is, one cell per character."""
    return _SAFE.issuperset(text)


class Column:
    """What the layout needs of a column: header, alignment, rich's `min_width`, whether its
    cells may wrap, and the SGR code its cells are drawn in on a colour terminal."""

    __slots__ = ("header", "min_width", "right", "style", "wraps")

    def __init__(
        self, header: str, right: bool, min_width: int, wraps: bool, style: str | None = None
    ):
        self.header = header
        self.right = right
        self.min_width = min_width
        self.wraps = wraps
        self.style = style


BOLD = "1"  # the header's style


def padding(index: int, count: int) -> tuple[int, int]:
    """A column's left and right padding: one space, none at the table's edges."""
    return (0 if index == 0 else 1), (0 if index == count - 1 else 1)


def measure(columns: Sequence[Column], cells: Sequence[Sequence[str]]) -> list[tuple[int, int]]:
    """Each column's narrowest and natural width, padding included, as rich measures it."""
    count = len(columns)
    result = []
    for index, column in enumerate(columns):
        left, right = padding(index, count)
        texts = [column.header, *(line[index] for line in cells)]
        widest = max(len(t) for t in texts)
        longest_word = max((_narrowest(t) for t in texts), default=0)
        floor = column.min_width
        pad = left + right
        result.append((max(longest_word, floor) + pad, max(widest, floor) + pad))
    return result


def _narrowest(text: str) -> int:
    words = text.split()
    return max(map(len, words)) if words else len(text)


def extra_width(count: int) -> int:
    """The cells the box takes: its two edges and a divider between columns."""
    return 2 + count - 1


def needed(columns: Sequence[Column], cells: Sequence[Sequence[str]]) -> int:
    """The narrowest width at which rich shows the table without cutting a no-wrap cell:
    rich's `Measurement.get(...).minimum` of the table."""
    return sum(low for low, _ in measure(columns, cells)) + extra_width(len(columns))


def layout(
    title: str,
    columns: Sequence[Column],
    cells: Sequence[Sequence[str]],
    notes: Sequence[str],
    console_width: int,
    colour: bool = False,
) -> str | None:
    """The table as rich prints it on a console `console_width` wide, each line's trailing
    spaces dropped; None where rich would wrap a cell or draw a character otherwise. In
    `colour` (a terminal with colours), rich draws the header bold and a styled column's
    cells in their style: each of a cell's padding, text and padding between its own SGR
    codes."""
    if not _drawn_as_is(title, columns, cells, notes):
        return None
    count = len(columns)
    extra = extra_width(count)
    by_column = list(zip(*cells, strict=True)) if cells else [()] * count
    pads = [padding(i, count) for i in range(count)]
    widths = _widths(columns, by_column, pads)
    if sum(widths) > min(console_width - extra, _TOO_WIDE):
        return None  # rich would shrink a column and wrap its cells
    lines = wrap(title, sum(widths) + extra) if title else []
    lines.append("")  # the box's top edge: spaces
    shape = _row_shape(columns, widths, pads)
    cuts = [
        (left, width - left - right, right)
        for width, (left, right) in zip(widths, pads, strict=True)
    ]
    header = [c.header.rstrip() if c.right else c.header for c in columns]
    if colour:
        lines.append(_styled_row(header, columns, cuts, [BOLD] * count))
    else:
        lines.append(shape.format(*header).rstrip())
    lines.append(" " + "─" * (sum(widths) + count - 1))
    rows = _justified_rows(columns, cells, by_column)
    styles = [c.style for c in columns]
    if colour and any(styles):
        lines.extend(_styled_row(row, columns, cuts, styles) for row in rows)
    else:
        lines.extend(shape.format(*row).rstrip() for row in rows)
    lines.append("")  # the box's bottom edge
    for note in notes:
        lines.extend(wrap(note, console_width))
    return "\n".join(lines) + "\n"


def _drawn_as_is(title, columns, cells, notes) -> bool:
    """Whether rich would draw every text of the table one cell per character, no markup."""
    if not columns or any("[" in c.header for c in columns):
        return False  # a header is rich markup: "[" may be a tag
    everything = "".join([title, *notes, *(c.header for c in columns), *map("".join, cells)])
    return plain(everything)


def _widths(columns, by_column, pads) -> list[int]:
    """Each column's natural width, padding included (at least one cell)."""
    return [
        max(len(column.header), column.min_width, max(map(len, texts), default=0)) + left + right
        or 1
        for column, texts, (left, right) in zip(columns, by_column, pads, strict=True)
    ]


def _row_shape(columns, widths, pads) -> str:
    """A row's format string: the box's edge, then each cell padded and justified, a space
    between cells."""
    return " " + " ".join(
        " " * left
        + "{:"
        + (">" if column.right else "<")
        + f"{width - left - right}}}"
        + " " * right
        for column, width, (left, right) in zip(columns, widths, pads, strict=True)
    )


def _justified_rows(columns, cells, by_column):
    """The rows to draw: rich drops a right-justified cell's trailing spaces."""
    right = [i for i, column in enumerate(columns) if column.right]
    if not right:
        return cells
    for i in right:
        by_column[i] = [text.rstrip() for text in by_column[i]]
    return zip(*by_column, strict=True)


def _styled_row(texts, columns, cuts, styles) -> str:
    """A row as rich writes it in colour: a styled cell's left padding, justified text and
    right padding each between the style's code and a reset (an empty one left out)."""
    parts = []
    for text, column, (left, inner, right), code in zip(texts, columns, cuts, styles, strict=True):
        body = text.rjust(inner) if column.right else text.ljust(inner)
        if code is None:
            parts.append(" " * left + body + " " * right)
        else:  # a cell with no room for text is one stretch of padding
            pieces = (" " * left, body, " " * right) if inner else (" " * (left + right),)
            parts.append("".join(f"\x1b[{code}m{p}\x1b[0m" for p in pieces if p))
    return (" " + " ".join(parts)).rstrip()


def wrap(text: str, width: int) -> list[str]:
    """`text` (one line) word-wrapped at `width` as rich's `divide_line` folds it, each line
    without trailing spaces."""
    breaks: list[int] = []
    offset = 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group(0)
        length = len(word.rstrip())
        if width - offset >= length:
            offset += len(word)
        elif length > width:  # a word longer than a line is cut into lines
            pieces = [word[i : i + width] for i in range(0, len(word), width)]
            for number, piece in enumerate(pieces):
                if start:
                    breaks.append(start)
                if number == len(pieces) - 1:
                    offset = len(piece)
                else:
                    start += len(piece)
        elif offset and start:
            breaks.append(start)
            offset = len(word)
    bounds = [0, *breaks, len(text)]
    return [text[a:b].rstrip() for a, b in pairwise(bounds)]
