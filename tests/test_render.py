"""`llmcost.render`: one report in each format (table, JSON, CSV, Markdown), every expected
text written out by hand, and the rules of how a value looks (money rounded for people only,
exact decimal strings in JSON and CSV, a cell never run as a formula or read as markup).

The report: two rows; a money column in USD and CNY, a rate, a count, a ratio, an instant, a
bar; a column hidden when empty (`spare`) and one for CSV only (`id`).
"""

from __future__ import annotations

import io
import sys
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from llmcost.render import Column, Report, render, show, show_money

REPORT = Report(
    title="Two models",
    columns=[
        Column("model", "Model"),
        Column("at", "At (UTC)", "instant"),
        Column("cost", "Cost", "money"),
        Column("rate", "Input", "rate"),
        Column("requests", "Requests", "count"),
        Column("share", "Share", "ratio"),
        Column("spare", "Spare", "money", hide_when_empty=True),
        Column("id", "Id", csv_only=True),
        Column("bar", "", "bar"),
    ],
    rows=[
        {
            "model": "alpha",
            "at": datetime(2026, 5, 31, 15, 59, tzinfo=UTC),
            "cost": (Decimal("1234.5"), "USD"),
            "rate": Decimal("0.10"),
            "requests": Decimal(1_000_000),
            "share": Decimal("0.6612"),
            "spare": None,
            "id": "a-1",
            "bar": Decimal("0.5"),
        },
        {
            "model": "=beta|x",
            "at": None,
            "cost": (Decimal("0.0012345"), "CNY"),
            "rate": None,
            "requests": 1500,
            "share": Decimal(1),
            "spare": (Decimal(0), "USD"),
            "id": "b-2",
            "bar": Decimal(1),
        },
    ],
    document={
        "catalog_version": date(2026, 1, 1),
        "at": datetime(2026, 1, 10, 12, tzinfo=UTC),
        "rows": [{"model": "alpha", "cost": Decimal("1234.50"), "share": None}],
    },
    notes=["A note."],
)


@pytest.fixture(autouse=True)
def plain_terminal(monkeypatch):
    """Not a terminal (no colour), 100 columns."""
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.delenv("NO_COLOR", raising=False)


def test_table():
    assert render(REPORT, "table") == (
        "Two models\n"
        "\n"
        " Model     At (UTC)                Cost   Input    Requests     Share\n"
        " " + "─" * 83 + "\n"
        " alpha     2026-05-31 15:59   $1,234.50     0.1   1,000,000    66.12%   ██████\n"
        " =beta|x   -                  ¥0.001234       -       1,500   100.00%   ████████████\n"
        "\n"
        "A note.\n"
    )


def test_a_narrow_table_drops_the_bar_first_and_never_cuts_a_figure(monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    text = render(REPORT, "table")
    assert "█" not in text
    assert " alpha     2026-05-31 15:59   $1,234.50     0.1   1,000,000    66.12%\n" in text


def test_markdown():
    assert render(REPORT, "markdown") == (
        "**Two models**\n"
        "\n"
        "| Model | At (UTC) | Cost | Input | Requests | Share |  |\n"
        "|---|---|---:|---:|---:|---:|---|\n"
        "| alpha | 2026-05-31 15:59 | $1,234.50 | 0.1 | 1,000,000 | 66.12% | ██████ |\n"
        "| =beta\\|x | - | ¥0.001234 | - | 1,500 | 100.00% | ████████████ |\n"
        "\n"
        "_A note._\n"
    )


def test_csv_is_exact_keeps_every_column_but_the_bar_and_defuses_formulas():
    assert render(REPORT, "csv") == (
        "model,at,cost,rate,requests,share,spare,id\n"
        "alpha,2026-05-31T15:59:00Z,1234.5,0.1,1000000,0.6612,,a-1\n"
        "'=beta|x,,0.0012345,,1500,1,0,b-2\n"
    )


def test_csv_quotes_a_whole_row_with_a_carriage_return():
    report = Report("", [Column("a", "A"), Column("b", "B")], [{"a": "x\ry", "b": "-1"}], {})
    assert render(report, "csv") == 'a,b\n"x\ry","\'-1"\n'


def test_json_carries_the_document_with_exact_decimal_strings():
    assert render(REPORT, "json") == (
        "{\n"
        '  "catalog_version": "2026-01-01",\n'
        '  "at": "2026-01-10T12:00:00Z",\n'
        '  "rows": [\n'
        "    {\n"
        '      "model": "alpha",\n'
        '      "cost": "1234.5",\n'
        '      "share": null\n'
        "    }\n"
        "  ]\n"
        "}\n"
    )


def test_json_writes_a_long_list_one_item_a_line():
    items = [{"line": i, "why": 'say "x"'} for i in range(1001)]
    text = render(Report("", [], [], {"records": 2, "rejected": items}), "json")
    lines = text.splitlines()
    assert lines[:3] == ["{", '  "records": 2,', '  "rejected": [']
    assert lines[3] == '    {"line": 0, "why": "say \\"x\\""},'
    assert lines[1003] == '    {"line": 1000, "why": "say \\"x\\""}'
    assert lines[1004:] == ["  ]", "}"]


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        ("0", "USD", "$0.00"),
        ("1", "EUR", "€1.00"),
        ("1", "GBP", "GBP 1.00"),
        ("-2.5", "USD", "-$2.50"),
        ("1234567.891", "USD", "$1,234,567.89"),
        ("0.125", "USD", "$0.125"),  # below one unit: four significant figures
        ("0.5", "USD", "$0.50"),  # but never fewer than two places
        ("0.00012345", "USD", "$0.0001234"),  # half to even
        ("0.00012355", "USD", "$0.0001236"),
    ],
)
def test_money_for_people(amount, currency, shown):
    assert show_money(Decimal(amount), currency) == shown


def test_other_kinds():
    assert show(None, "money") == "-"
    assert show(Decimal("0.00125"), "ratio") == "0.12%"  # half to even
    assert show(Decimal("2.345"), "multiple") == "x2.34"
    assert show(Decimal("2.5"), "count") == "2.5"
    assert show(Decimal("0.01"), "bar") == "█"  # anything above zero shows
    assert show(Decimal(0), "bar") == ""


def test_a_cell_is_text_not_markup():
    report = Report("[b]t", [Column("a", "A")], [{"a": "[bold]x[/]"}], {})
    assert render(report, "table").splitlines()[0] == "[b]t"
    assert " [bold]x[/]" in render(report, "table")
