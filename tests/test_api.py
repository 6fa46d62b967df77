"""The Python API (`llmcost`'s exports) takes what the CLI takes: forgiving model names, dates
as text or `date`, catalog versions as text; odd input is an `LlmcostError`, never a bare
KeyError, AttributeError or TypeError."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

import llmcost
from llmcost import LlmcostError, Workload, cost_at, cost_over, month_period, parse_mix
from llmcost.mix import Tokens, simulate_mix

W = Workload(input=2000, cached=1000, output=500, requests=1000)


def test_cost_at_resolves_names_as_the_cli_does(fixture_catalog):
    exact = cost_at(fixture_catalog, "beta-large", W, datetime(2026, 1, 20, tzinfo=UTC))
    for name in ("Beta-Large-1.0", "beta/beta-large", "beta-large-1-0"):
        assert cost_at(fixture_catalog, name, W, datetime(2026, 1, 20, tzinfo=UTC)) == exact


def test_instants_and_versions_as_text_or_dates(fixture_catalog):
    at = datetime(2026, 1, 20, tzinfo=UTC)
    expected = cost_at(fixture_catalog, "alpha-pro", W, at, date(2026, 1, 5))
    assert cost_at(fixture_catalog, "alpha-pro", W, "2026-01-20", "2026-01-05") == expected
    assert cost_at(fixture_catalog, "alpha-pro", W, date(2026, 1, 20), date(2026, 1, 5)) == expected
    # 1M uncached x $4 + 1M hits billed as input x $4 + 0.5M x $8: the launch price, promo unknown
    assert expected.total == Decimal(12)
    period = cost_over(fixture_catalog, "alpha-flash", W, "2026-01-01", date(2026, 2, 1))
    assert period.cost.total == Decimal("2.1")


@pytest.mark.parametrize(
    "call",
    [
        lambda c: cost_at(c, "no-such-model", W, "2026-01-20"),
        lambda c: cost_at(c, None, W, "2026-01-20"),
        lambda c: cost_at(c, "alpha-flash", W, 20260120),
        lambda c: cost_at(c, "alpha-flash", W, "2026-01-20", known=5),
        lambda c: cost_at(c, "alpha-flash", W, "2026-01-20", known="yesterday"),
        lambda c: c.info("alpha.flash.x"),
        lambda c: c.entries("nope"),
        lambda c: month_period(None),
        lambda c: month_period(202601),
        lambda c: parse_mix(None),
        lambda c: llmcost.instant(None),
        lambda c: simulate_mix(
            c, parse_mix("nope=100"), default=Tokens(input=1, output=1), at="2026-01-20"
        ),
    ],
)
def test_odd_input_is_an_llmcost_error(fixture_catalog, call):
    with pytest.raises(LlmcostError):
        call(fixture_catalog)


def test_info_accepts_an_alias(fixture_catalog):
    assert fixture_catalog.info("alpha-fast").id == "alpha-flash"
