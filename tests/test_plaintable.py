"""The plain table layout gives the bytes rich prints, or steps aside (returns None).

`render._table` prints a colourless table through `plaintable.layout` where it can and through
rich otherwise; every test here renders the same report both ways and compares.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost import plaintable, render
from llmcost.render import Column, Report


def both(
    report: Report, monkeypatch, width: int, term: str | None = None
) -> tuple[str | None, str]:
    """(the plain layout, or None where it steps aside; rich's table). With `term`, as on a
    colour terminal of that TERM."""
    monkeypatch.setenv("COLUMNS", str(width))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("COLORTERM", raising=False)
    colour = term is not None
    if colour:
        monkeypatch.setenv("TERM", term)
        monkeypatch.setattr(render, "_colour", lambda: True)
    columns = render._shown(report)
    cells = [[render.show(r.get(c.key), c.kind) for c in columns] for r in report.rows]
    plain = (
        None
        if colour and render._dumb()  # `_table` leaves a dumb terminal to rich
        else render._plain_table(report, columns, cells, width, colour)
    )
    monkeypatch.setattr(render, "_plain_table", lambda *args, **kwargs: None)
    return plain, render._table(report)


def test_safe_characters_are_one_cell_wide_in_rich():
    from rich.cells import cell_len

    for char in plaintable._SAFE:
        assert cell_len(char) == 1, repr(char)


COLUMNS = [
    Column("model", "Model"),
    Column("total", "Total", "money"),
    Column("note", "Note"),  # free text: may wrap where it has spaces
    Column("applied", "Rates"),
    Column("kind", "Kind"),
    Column("share", "Share", "ratio", hide_when_empty=True),
    Column("bar", "", "bar"),
]
ALPHABET = st.sampled_from([*"abcXYZ019 -./_:", "  ", "█", "¥"])
TEXT = st.lists(ALPHABET, max_size=40).map("".join)
MONEY = st.decimals(min_value=0, max_value=10**7, places=4).map(lambda d: (d, "USD"))


@st.composite
def reports(draw):
    count = draw(st.integers(1, len(COLUMNS)))
    columns = draw(st.permutations(COLUMNS))[:count]
    rows = []
    for _ in range(draw(st.integers(0, 8))):
        rows.append(
            {
                "model": draw(TEXT),
                "total": draw(MONEY),
                "note": draw(TEXT),
                "applied": draw(TEXT),
                "kind": draw(TEXT),
                "share": draw(st.sampled_from([None, Decimal(0), Decimal("0.25")])),
                "bar": draw(st.sampled_from([Decimal(0), Decimal("0.5"), Decimal(1)])),
            }
        )
    title = draw(st.sampled_from(["", "A title", None])) or draw(TEXT)
    notes = draw(st.lists(TEXT, max_size=2))
    return Report(title=title, columns=columns, rows=rows, document={}, notes=notes)


@settings(max_examples=300, deadline=None)
@given(report=reports(), width=st.sampled_from([20, 40, 60, 80, 200]))
def test_plain_layout_is_rich_layout(report, width):
    with pytest.MonkeyPatch.context() as monkeypatch:
        plain, rich = both(report, monkeypatch, width)
    assert plain is None or plain == rich


@settings(max_examples=200, deadline=None)
@given(
    report=reports(),
    width=st.sampled_from([40, 80, 200]),
    term=st.sampled_from(["xterm", "xterm-256color", "xterm-kitty", "", "dumb"]),
)
def test_colour_layout_is_rich_layout(report, width, term):
    """On a colour terminal: the header bold, the bar cyan, as rich writes the codes."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        plain, rich = both(report, monkeypatch, width, term)
    assert plain is None or plain == rich


def test_colour_codes_by_hand(monkeypatch):
    report = Report(
        title="",
        columns=[Column("model", "Model"), Column("bar", "", "bar")],
        rows=[{"model": "ab", "bar": Decimal(1)}],
        document={},
    )
    plain, rich = both(report, monkeypatch, 80, "xterm-256color")
    assert plain == rich
    bold, cyan, reset = "\x1b[1m", "\x1b[36m", "\x1b[0m"
    assert plain.splitlines()[1] == (
        f" {bold}Model{reset}{bold} {reset} {bold} {reset}{bold}{' ' * 12}{reset}"
    )
    # "ab" left-justified in Model's 5 cells, its right padding, the divider, then the bar
    assert plain.splitlines()[3] == f" ab{' ' * 5}{cyan} {reset}{cyan}{'█' * 12}{reset}"


def test_a_fitting_plain_table_is_laid_out_without_rich(monkeypatch):
    report = Report(
        title="1,000 requests x (2000 in) at 2026-05-01 00:00 UTC, and a title long enough to "
        "wrap at the table's width",
        columns=COLUMNS,
        rows=[
            {"model": "alpha", "total": (Decimal("12.5"), "USD"), "note": "a b", "bar": 1},
            {"model": "beta-large", "total": (Decimal("0.004"), "CNY"), "bar": Decimal("0.1")},
        ],
        document={},
        notes=["a note that is long enough to be folded at forty cells " + "x" * 50],
    )
    plain, rich = both(report, monkeypatch, 40)
    assert plain is not None
    assert plain == rich
    lines = plain.splitlines()
    # by hand: the title wrapped at the table's 43 cells (the console's 40 widened to show
    # every figure), a blank edge, the columns as wide as their widest cells three spaces
    # apart, the bar dropped at this width, the note wrapped at the console's width
    assert lines[:3] == [
        "1,000 requests x (2000 in) at 2026-05-01",
        "00:00 UTC, and a title long enough to wrap",
        "at the table's width",
    ]
    assert lines[3:6] == ["", " Model         Total   Note   Rates   Kind", " " + "─" * 41]
    assert lines[6] == " alpha        $12.50   a b    -       -"
    assert lines[-2:] == ["x" * 43, "x" * 7]


@pytest.mark.parametrize(
    "cell",
    ["tab\there", "line\nbreak", "carriage\rreturn", "wide 名前", "[bold]x", "\x1b[31mred"],
)
def test_what_rich_draws_otherwise_is_left_to_rich(monkeypatch, cell):
    report = Report(title="t", columns=COLUMNS[:1], rows=[{"model": cell}], document={}, notes=())
    plain, rich = both(report, monkeypatch, 80)
    if plain is not None:  # "[bold]x" is a cell, not markup: plain text either way
        assert plain == rich
    else:
        assert rich  # rich printed it


def test_a_table_too_wide_for_its_prose_is_left_to_rich(monkeypatch):
    report = Report(
        title="",
        columns=[Column("model", "Model"), Column("note", "Note")],
        rows=[{"model": "m" * 30, "note": "words " * 20}],
        document={},
    )
    plain, rich = both(report, monkeypatch, 60)
    assert plain is None  # the note wraps: rich's wrapping rules decide
    assert max(len(line) for line in rich.splitlines()) <= 60


def test_wrap_folds_as_rich_does():
    from rich.console import Console
    from rich.text import Text

    for text, width in [
        ("a bb ccc dddd", 5),
        ("averyveryverylongword and more", 7),
        ("  leading spaces then words", 9),
        ("x" * 23, 5),
        ("ab " * 10, 3),
    ]:
        console = Console(width=width, file=None, no_color=True, highlight=False)
        lines = Text(text).wrap(console, width, justify="left", overflow="fold")
        assert plaintable.wrap(text, width) == [line.plain.rstrip() for line in lines]
