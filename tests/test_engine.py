"""Hand-computed costs on the fixture catalog (tests/fixtures/pricing).

Fixture rates, USD per 1M tokens (input / cache_read / cache_write / cache_write_1h / output):

- alpha-flash: 1 / 0.1 / - / - / 2 (CNY 7 / 0.7 / 14); from 2026-03-01 a peak window
  01:00-04:00 UTC Mon-Fri at 2 / 0.2 / 4 (CNY 14 / 1.4 / 28), published 2026-02-20.
- alpha-pro: launch list 4 / - / 8; promo 1 / 2 on [2026-01-15, 2026-02-01 12:00) published
  2026-01-10; list 2 / 4 from 2026-02-01 12:00 published 2026-01-25. No cache-read rate.
- alpha-old: 0.5 / 0.05 / 1; retired 2026-02-01 00:00 UTC, successor alpha-flash.
- beta-large: 10 / 1 / 12.5 / 20 / 50, batch x0.5; prompts over 100,000 tokens: 20 / 2 / 25 / 40
  / 75 for the whole request.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from llmcost.catalog.lookup import Catalog
from llmcost.catalog.schema import ProviderFile, RateSet
from llmcost.engine import Workload, cost_at, cost_over, cost_with_rates
from llmcost.errors import InputError, LlmcostError, NotPriced

M = 1_000_000
TICK = timedelta(microseconds=1)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def parts(cost) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    return (cost.input, cost.cache_read, cost.cache_write, cost.output)


# -- cost_with_rates ---------------------------------------------------------------------------

FULL = RateSet(
    input_mtok=Decimal("10"),
    cache_read_mtok=Decimal("1"),
    cache_write_mtok=Decimal("12.5"),
    cache_write_1h_mtok=Decimal("20"),
    output_mtok=Decimal("50"),
)


def test_uncached_input_is_input_minus_hits_and_writes():
    w = Workload(
        input=10_000, cached=6_000, cache_write=2_000, cache_write_1h=1_000, output=500, requests=3
    )
    assert w.uncached == 1_000  # 10000 - 6000 - 2000 - 1000
    cost = cost_with_rates(w, FULL, "USD")
    # input 1000*3*10/1M = 0.03; reads 6000*3*1/1M = 0.018;
    # writes 2000*3*12.5/1M = 0.075 + 1000*3*20/1M = 0.06 -> 0.135; output 500*3*50/1M = 0.075
    assert parts(cost) == (
        Decimal("0.03"),
        Decimal("0.018"),
        Decimal("0.135"),
        Decimal("0.075"),
    )
    assert cost.total == Decimal("0.258")  # 0.03 + 0.018 + 0.135 + 0.075
    assert cost.currency == "USD"
    assert all(isinstance(v, Decimal) for v in parts(cost))


def test_without_cache_write_rates_writes_are_billed_as_input():
    rates = RateSet(input_mtok=Decimal("1"), cache_read_mtok=Decimal("0.1"), output_mtok=Decimal(2))
    w = Workload(input=M, cached=200_000, cache_write=300_000, cache_write_1h=100_000, output=0)
    cost = cost_with_rates(w, rates, "USD")
    # uncached 1M - 200K - 300K - 100K = 400K at 1 -> 0.4; hits 200K at 0.1 -> 0.02;
    # writes (300K + 100K) at the input rate 1 -> 0.4
    assert parts(cost) == (Decimal("0.4"), Decimal("0.02"), Decimal("0.4"), Decimal(0))
    # the same as if nothing had been written: 800K uncached at 1 -> 0.8, + 0.02
    no_writes = cost_with_rates(Workload(input=M, cached=200_000, output=0), rates, "USD")
    assert cost.total == no_writes.total == Decimal("0.82")


def test_without_a_1h_rate_only_the_1h_writes_fall_back_to_input():
    rates = RateSet(
        input_mtok=Decimal(10), cache_write_mtok=Decimal("12.5"), output_mtok=Decimal(50)
    )
    w = Workload(input=M, cache_write=400_000, cache_write_1h=100_000, output=0)
    # 5m writes 400K at 12.5 -> 5; 1h writes 100K at input 10 -> 1; uncached 500K at 10 -> 5
    cost = cost_with_rates(w, rates, "USD")
    assert cost.cache_write == Decimal(6)
    assert cost.input == Decimal(5)


def test_without_cache_read_rate_hits_are_billed_as_input(fixture_catalog):
    w = Workload(input=M, cached=250_000, output=0)
    cost = cost_at(fixture_catalog, "alpha-pro", w, utc(2026, 1, 5))
    # alpha-pro list 4/8, no cache-read rate: uncached 750K*4/1M = 3; hits 250K*4/1M = 1
    assert cost.input == Decimal(3)
    assert cost.cache_read == Decimal(1)
    assert cost.total == Decimal(4)  # the same as 1M uncached tokens at 4


# -- long-context tiers ------------------------------------------------------------------------


def test_tier_does_not_apply_at_exactly_the_threshold(fixture_catalog):
    w = Workload(input=100_000, output=1_000)
    cost = cost_at(fixture_catalog, "beta-large", w, utc(2026, 2, 1))
    # base rates: 100000*10/1M = 1; 1000*50/1M = 0.05
    assert parts(cost) == (Decimal(1), Decimal(0), Decimal(0), Decimal("0.05"))
    assert cost.total == Decimal("1.05")
    assert not any("tier" in label for label in cost.applied)


def test_tier_prices_the_whole_request_one_token_over(fixture_catalog):
    w = Workload(input=100_001, output=1_000)
    cost = cost_at(fixture_catalog, "beta-large", w, utc(2026, 2, 1))
    # tier rates for every token: 100001*20/1M = 2.00002; 1000*75/1M = 0.075
    assert parts(cost) == (Decimal("2.00002"), Decimal(0), Decimal(0), Decimal("0.075"))
    assert cost.total == Decimal("2.07502")
    assert "prompt over 100K tier" in cost.applied


def test_tier_is_decided_on_the_whole_prompt_including_cached_tokens(fixture_catalog):
    w = Workload(input=100_001, cached=100_000, cache_write=1, output=0)
    cost = cost_at(fixture_catalog, "beta-large", w, utc(2026, 2, 1))
    # uncached 0; hits 100000*2/1M = 0.2 (tier read rate); write 1*25/1M = 0.000025
    assert parts(cost) == (Decimal(0), Decimal("0.2"), Decimal("0.000025"), Decimal(0))


def test_tier_is_decided_per_request_not_on_the_total(fixture_catalog):
    w = Workload(input=60_000, output=0, requests=2)  # 120K in all, 60K per request
    cost = cost_at(fixture_catalog, "beta-large", w, utc(2026, 2, 1))
    assert cost.total == Decimal("1.2")  # 60000*2*10/1M at the base rate, not 2.4 at the tier


# -- batch -------------------------------------------------------------------------------------


def test_batch_multiplier_halves_every_kind(fixture_catalog):
    kwargs = {"input": 100_000, "cached": 20_000, "cache_write_1h": 10_000, "output": 100_000}
    full = cost_at(fixture_catalog, "beta-large", Workload(**kwargs, requests=2), utc(2026, 2, 1))
    batch = cost_at(
        fixture_catalog, "beta-large", Workload(**kwargs, requests=2, tier="batch"), utc(2026, 2, 1)
    )
    # (100K is not over the tier) full: uncached 70K*2*10/1M = 1.4; hits 20K*2*1/1M = 0.04;
    # 1h writes 10K*2*20/1M = 0.4; output 100K*2*50/1M = 10 -> 11.84.
    # Batch: every kind x0.5 -> 0.7 / 0.02 / 0.2 / 5 = 5.92
    assert full.total == Decimal("11.84")
    assert parts(batch) == (Decimal("0.7"), Decimal("0.02"), Decimal("0.2"), Decimal(5))
    assert batch.total == Decimal("5.92")
    assert "batch x0.5" in batch.applied


def test_batch_combines_with_the_tier(fixture_catalog):
    w = Workload(input=200_000, output=0, tier="batch")
    cost = cost_at(fixture_catalog, "beta-large", w, utc(2026, 2, 1))
    assert cost.total == Decimal(2)  # 200000 * 0.5 * 20 / 1M


def test_batch_on_a_model_without_batch_is_not_priced(fixture_catalog):
    w = Workload(input=1_000, output=1_000, tier="batch")
    with pytest.raises(NotPriced) as info:
        cost_at(fixture_catalog, "alpha-pro", w, utc(2026, 1, 5))
    assert "alpha-pro" in info.value.one_line()
    assert "batch" in info.value.one_line()


def test_a_tier_the_offering_does_not_sell_is_not_priced(fixture_catalog):
    with pytest.raises(NotPriced) as info:
        cost_at(fixture_catalog, "beta-large", Workload(input=1, output=1, tier="flex"),
                utc(2026, 2, 1))  # fmt: skip
    assert "no flex price" in info.value.message
    assert "standard, batch" in info.value.one_line()  # what it sells


# -- peak windows ------------------------------------------------------------------------------

ONE_M_EACH = Workload(input=M, output=M)  # off-peak 1 + 2 = 3; peak 2 + 4 = 6


@pytest.mark.parametrize(
    ("at", "expected", "label"),
    [
        # Monday 2026-03-02; the window is [01:00, 04:00) UTC
        (utc(2026, 3, 2, 1) - TICK, Decimal(3), "off-peak"),
        (utc(2026, 3, 2, 1), Decimal(6), "peak"),  # start inclusive
        (utc(2026, 3, 2, 4) - TICK, Decimal(6), "peak"),
        (utc(2026, 3, 2, 4), Decimal(3), "off-peak"),  # end exclusive
        (utc(2026, 3, 6, 2), Decimal(6), "peak"),  # Friday
        (utc(2026, 3, 7, 2), Decimal(3), "off-peak"),  # Saturday: weekdays are mon-fri
        (utc(2026, 3, 8, 2), Decimal(3), "off-peak"),  # Sunday
        (utc(2026, 2, 27, 2), Decimal(3), "list"),  # Friday before the window entry's valid_from
    ],
)
def test_peak_window_boundaries_and_weekdays(fixture_catalog, at, expected, label):
    cost = cost_at(fixture_catalog, "alpha-flash", ONE_M_EACH, at)
    assert cost.total == expected
    assert label in cost.applied


def test_peak_window_unknown_before_its_publication(fixture_catalog):
    # published 2026-02-20: the catalog as known on 2026-02-19 has no window -> 1 + 2
    at = utc(2026, 3, 2, 2)
    assert (
        cost_at(fixture_catalog, "alpha-flash", ONE_M_EACH, at, known=date(2026, 2, 19)).total == 3
    )
    assert (
        cost_at(fixture_catalog, "alpha-flash", ONE_M_EACH, at, known=date(2026, 2, 20)).total == 6
    )


def test_peak_window_is_in_utc_whatever_the_offset_of_the_instant(fixture_catalog):
    # 2026-03-02 10:00 +08:00 == 02:00 UTC Monday: peak, 2 + 4 = 6
    at = datetime(2026, 3, 2, 10, tzinfo=timezone(timedelta(hours=8)))
    assert cost_at(fixture_catalog, "alpha-flash", ONE_M_EACH, at).total == Decimal(6)


def test_period_split_at_window_edges_is_in_utc_whatever_the_offset(fixture_catalog):
    bjt = timezone(timedelta(hours=8))
    # [2026-03-02 08:00+08, 14:00+08) == [00:00, 06:00) UTC Monday, 6 requests (1 per hour):
    # 3 peak hours (01-04) at 6 + 3 off-peak hours at 3 = 27
    w = Workload(input=M, output=M, requests=6)
    start, end = datetime(2026, 3, 2, 8, tzinfo=bjt), datetime(2026, 3, 2, 14, tzinfo=bjt)
    assert cost_over(fixture_catalog, "alpha-flash", w, start, end).cost.total == Decimal(27)


def test_naive_instant_is_not_a_traceback(fixture_catalog):
    try:
        cost = cost_at(fixture_catalog, "alpha-pro", ONE_M_EACH, datetime(2026, 1, 5))
    except LlmcostError:
        return
    assert cost.total == Decimal(12)  # taken as UTC: 4 + 8


def test_cny_rates_including_the_peak_window(fixture_catalog):
    off = cost_at(fixture_catalog, "alpha-flash", ONE_M_EACH, utc(2026, 1, 10), currency="CNY")
    assert off.currency == "CNY"
    assert off.total == Decimal(21)  # 7 + 14
    peak = cost_at(fixture_catalog, "alpha-flash", ONE_M_EACH, utc(2026, 3, 2, 2), currency="CNY")
    assert peak.total == Decimal(42)  # 14 + 28


def test_window_ending_at_midnight_on_one_weekday():
    # a window 22:00-24:00 on Fridays only, at 3 (base 1), built in memory
    released = utc(2026, 1, 1)
    rates = {"USD": {"input_mtok": Decimal(1), "output_mtok": Decimal(1)}}
    night = {"USD": {"input_mtok": Decimal(3), "output_mtok": Decimal(3)}}
    provider = ProviderFile.model_validate(
        {
            "provider": "p",
            "name": "P",
            "sources": {"S": {"title": "t"}},
            "models": [
                {
                    "id": "m",
                    "name": "M",
                    "released": released,
                    "context_window": 10,
                    "max_output": 10,
                    "prices": [
                        {
                            "published": released.date(),
                            "valid_from": released,
                            "kind": "list",
                            "source": ["S"],
                            "rates": rates,
                            "windows": [
                                {
                                    "name": "night",
                                    "hours_utc": ["22:00-24:00"],
                                    "weekdays": ["fri"],
                                    "rates": night,
                                }
                            ],
                        }
                    ],
                }
            ],
        }
    )
    catalog = Catalog([(Path("p.toml"), provider)])
    w = Workload(input=M, output=0)
    assert cost_at(catalog, "m", w, utc(2026, 1, 2, 22) - TICK).total == 1  # Fri 21:59:59.999999
    assert cost_at(catalog, "m", w, utc(2026, 1, 2, 22)).total == 3
    assert cost_at(catalog, "m", w, utc(2026, 1, 3) - TICK).total == 3  # Fri 23:59:59.999999
    assert cost_at(catalog, "m", w, utc(2026, 1, 3)).total == 1  # Sat 00:00
    # Fri 12:00 .. Sat 12:00, 1 request per hour: 10 h at 1 + 2 h at 3 + 12 h at 1 = 28
    day = Workload(input=M, output=0, requests=24)
    period = cost_over(catalog, "m", day, utc(2026, 1, 2, 12), utc(2026, 1, 3, 12))
    assert period.cost.total == 28
    assert [s.requests for s in period.segments] == [10, 2, 12]


# -- periods -----------------------------------------------------------------------------------

PROMO_DAY = (utc(2026, 2, 1), utc(2026, 2, 1, 18))  # the promo ends at 12:00 inside it


def test_period_split_at_promo_end(fixture_catalog):
    w = Workload(input=M, output=M, requests=18)  # 1 request per hour over 18 hours
    result = cost_over(fixture_catalog, "alpha-pro", w, *PROMO_DAY)
    # [00:00, 12:00) promo 1/2: 12 requests -> input 12, output 24
    # [12:00, 18:00) new list 2/4: 6 requests -> input 12, output 24
    assert parts(result.cost) == (Decimal(24), Decimal(0), Decimal(0), Decimal(48))
    assert result.cost.total == Decimal(72)
    assert [(s.start, s.end, s.requests) for s in result.segments] == [
        (utc(2026, 2, 1), utc(2026, 2, 1, 12), Decimal(12)),
        (utc(2026, 2, 1, 12), utc(2026, 2, 1, 18), Decimal(6)),
    ]
    assert [s.cost.total for s in result.segments] == [Decimal(36), Decimal(36)]


def test_period_split_under_an_older_catalog_version(fixture_catalog):
    w = Workload(input=M, output=M, requests=18)
    # known 2026-01-20: the 2/4 list (published 01-25) is unknown; after the promo the launch
    # list 4/8 applies: 12*(1+2) + 6*(4+8) = 36 + 72 = 108
    known_jan20 = cost_over(fixture_catalog, "alpha-pro", w, *PROMO_DAY, known=date(2026, 1, 20))
    assert known_jan20.cost.total == Decimal(108)
    assert known_jan20.cost.input == Decimal(36)  # 12*1 + 6*4
    # known 2026-01-05: not even the promo is known: 18 * (4 + 8) = 216
    known_jan5 = cost_over(fixture_catalog, "alpha-pro", w, *PROMO_DAY, known=date(2026, 1, 5))
    assert known_jan5.cost.total == Decimal(216)


def test_period_split_with_repeating_shares_is_still_exact(fixture_catalog):
    w = Workload(input=3 * M, output=0, requests=1)
    result = cost_over(fixture_catalog, "alpha-pro", w, *PROMO_DAY)
    # 2/3 of a request at the promo: 2/3 * 3 = 2; 1/3 at the new list: 1/3 * 6 = 2
    assert result.cost.total == Decimal(4)
    assert result.cost.input == Decimal(4)
    # shares are repeating decimals, rounded once at 20 places
    assert [s.requests for s in result.segments] == [
        Decimal("0.66666666666666666667"),
        Decimal("0.33333333333333333333"),
    ]


def test_period_over_a_weekday_and_a_weekend_day(fixture_catalog):
    w = Workload(input=M, output=M, requests=24)  # 1 request per hour
    monday = cost_over(fixture_catalog, "alpha-flash", w, utc(2026, 3, 2), utc(2026, 3, 3))
    assert monday.cost.total == Decimal(81)  # 3 peak hours * 6 + 21 hours * 3 = 18 + 63
    assert [s.start.hour for s in monday.segments] == [0, 1, 4]
    saturday = cost_over(fixture_catalog, "alpha-flash", w, utc(2026, 3, 7), utc(2026, 3, 8))
    assert saturday.cost.total == Decimal(72)  # 24 * 3


def test_period_starting_and_ending_inside_the_window(fixture_catalog):
    w = Workload(input=M, output=M, requests=3)  # [02:30, 05:30): 1 request per hour
    result = cost_over(
        fixture_catalog, "alpha-flash", w, utc(2026, 3, 2, 2, 30), utc(2026, 3, 2, 5, 30)
    )
    assert result.cost.total == Decimal("13.5")  # 1.5 h peak * 6 + 1.5 h off-peak * 3 = 9 + 4.5


def test_empty_or_reversed_period_is_input_error(fixture_catalog):
    with pytest.raises(InputError):
        cost_over(fixture_catalog, "alpha-pro", ONE_M_EACH, utc(2026, 2, 1), utc(2026, 2, 1))
    with pytest.raises(InputError):
        cost_over(fixture_catalog, "alpha-pro", ONE_M_EACH, utc(2026, 2, 2), utc(2026, 2, 1))


# -- bitemporal lookups through cost_at --------------------------------------------------------


@pytest.mark.parametrize(
    ("at", "known", "expected"),
    [
        (utc(2026, 1, 14, 23, 59), None, Decimal(12)),  # launch list 4 + 8
        (utc(2026, 1, 15), None, Decimal(3)),  # promo 1 + 2
        (utc(2026, 1, 15), date(2026, 1, 9), Decimal(12)),  # promo not yet published
        (utc(2026, 2, 1, 12) - TICK, None, Decimal(3)),  # last instant of the promo
        (utc(2026, 2, 1, 12), None, Decimal(6)),  # new list 2 + 4
        (utc(2026, 2, 1, 12), date(2026, 1, 24), Decimal(12)),  # new list not yet published
        (utc(2026, 2, 1, 12), date(2026, 1, 25), Decimal(6)),
    ],
)
def test_promo_and_superseding_list(fixture_catalog, at, known, expected):
    assert cost_at(fixture_catalog, "alpha-pro", ONE_M_EACH, at, known=known).total == expected


# -- not priced --------------------------------------------------------------------------------


def test_retired_model_names_its_successor(fixture_catalog):
    w = Workload(input=M, cached=M, output=M)
    last = cost_at(fixture_catalog, "alpha-old", w, utc(2026, 2, 1) - TICK)
    assert last.total == Decimal("1.05")  # hits 1M * 0.05 + output 1M * 1
    with pytest.raises(NotPriced) as info:
        cost_at(fixture_catalog, "alpha-old", w, utc(2026, 2, 1))
    line = info.value.one_line()
    assert "retired" in line
    assert "alpha-flash" in info.value.hint


def test_period_across_retirement_is_not_priced(fixture_catalog):
    with pytest.raises(NotPriced):
        cost_over(fixture_catalog, "alpha-old", ONE_M_EACH, utc(2026, 1, 31), utc(2026, 2, 2))


def test_before_release_is_not_priced(fixture_catalog):
    with pytest.raises(NotPriced) as info:
        cost_at(fixture_catalog, "alpha-flash", ONE_M_EACH, utc(2026, 1, 1) - TICK)
    assert "not released" in info.value.message
    assert cost_at(fixture_catalog, "alpha-flash", ONE_M_EACH, utc(2026, 1, 1)).total == 3


def test_missing_currency_is_not_priced(fixture_catalog):
    with pytest.raises(NotPriced) as info:
        cost_at(fixture_catalog, "alpha-pro", ONE_M_EACH, utc(2026, 1, 5), currency="CNY")
    assert "CNY" in info.value.message
    assert "USD" in info.value.hint
    with pytest.raises(NotPriced):
        cost_at(fixture_catalog, "beta-large", ONE_M_EACH, utc(2026, 2, 1), currency="EUR")


# -- workload validation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"input": -1, "output": 0},
        {"input": 10, "output": -1},
        {"input": 10, "output": 0, "cached": -1},
        {"input": 10, "output": 0, "requests": -1},
        {"input": 10, "output": 0, "cached": 11},  # hits exceed the prompt
        {"input": 10, "output": 0, "cached": 6, "cache_write": 5},  # 6 + 5 > 10
        {"input": 10, "output": 0, "cache_write": 6, "cache_write_1h": 5},
        {"input": Decimal("NaN"), "output": 0},
        {"input": Decimal("Infinity"), "output": 0},
        {"input": 1.5, "output": 0},  # floats never touch money
        {"input": True, "output": 0},
        {"input": "lots", "output": 0},
    ],
)
def test_invalid_workload_is_input_error(kwargs):
    with pytest.raises(InputError):
        Workload(**kwargs)


def test_workload_accepts_int_and_str_as_exact_decimals():
    w = Workload(input="1000.5", output=3, cached=Decimal("0.5"))
    assert w.input == Decimal("1000.5")
    assert isinstance(w.output, Decimal)
    assert w.uncached == Decimal(1000)  # 1000.5 - 0.5
    assert Workload(input=10, output=0, cached=4, cache_write=3, cache_write_1h=3).uncached == 0


def test_many_digit_averages_are_priced_exactly():
    # 27 significant digits times 15 more: far past Python's default 28-digit context
    avg = Decimal("999999999999999.333333333333")  # the largest count, 12 decimal places
    w = Workload(input=avg, output=0, requests=Decimal("999999999999999"))
    # 999999999999999.333333333333 * 999999999999999
    #   = (10^15 - 1)^2 + 0.333333333333 * (10^15 - 1)
    #   = 999999999999998000000000000001 + 333333333332999.666666666667
    #   = 999999999999998333333333333000.666666666667 tokens; * 10 / 1M:
    expected = Decimal("9999999999999983333333333.33000666666666667")
    assert cost_with_rates(w, FULL, "USD").input == expected


def test_counts_past_the_bounds_are_bad_input():
    with pytest.raises(InputError, match="too large"):
        Workload(input=Decimal(10**15 + 1), output=0)
    # a derived average (input x hit rate, a rescaled sweep) may carry up to 40 places
    assert Workload(input=Decimal("0.3333333333333333333333"), output=0).input
    with pytest.raises(InputError, match="40 decimal places"):
        Workload(input=Decimal(1).scaleb(-41), output=0)
