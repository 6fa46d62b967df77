"""The shipped catalog (`pricing/`) checked against shared/reference/pricing-facts.md.

Only this file asserts live prices; a sourced data change should change exactly one test here.
Rates are read back through the engine: a workload of 1M requests with 1 uncached input token,
1 cache hit and 1 output token costs exactly (input, cache_read, output) per 1M tokens.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from llmcost.catalog.load import load_catalog
from llmcost.engine import Workload, cost_at, cost_over
from llmcost.errors import NotPriced
from llmcost.timeparse import month_period

D = Decimal
M = 1_000_000
MAY_3 = date(2026, 5, 3)  # the catalog as known when the seed articles were written


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def rates(catalog, model, at, *, known=None, currency="USD", prompt=2):
    """(input, cache_read, output) per 1M tokens, for requests whose prompt is `prompt` tokens
    (1 uncached, the rest cache hits) and 1 output token, priced 1M times."""
    w = Workload(input=prompt, cached=prompt - 1, output=1, requests=M)
    cost = cost_at(catalog, model, w, at, known=known, currency=currency)
    return (cost.input, cost.cache_read / (prompt - 1), cost.output)


def write_rates(catalog, model, at):
    """(5-minute, 1-hour) cache-write rates per 1M tokens."""
    five = cost_at(catalog, model, Workload(input=1, cache_write=1, output=0, requests=M), at)
    hour = cost_at(catalog, model, Workload(input=1, cache_write_1h=1, output=0, requests=M), at)
    return (five.cache_write, hour.cache_write)


# -- the catalog as a whole --------------------------------------------------------------------


def curated(catalog):
    """The offerings of the hand-curated files (`pricing/*.toml`), not the generated market
    files (`pricing/market/`, checked against the peers' data by tests/test_market.py)."""
    return [info for info in catalog.models() if info.file.parent.name != "market"]


EXPECTED = {
    "deepseek": ["deepseek-v4-flash", "deepseek-v4-pro", "deepseek-chat", "deepseek-reasoner"],
    "openai": [
        "gpt-5.5", "gpt-5.4", "gpt-5.4-mini", "gpt-5.4-nano", "gpt-5.6-sol", "gpt-5.6-terra",
        "gpt-5.6-luna", "gpt-6-astra", "gpt-6-sol", "gpt-6-luna", "gpt-6.1-sol", "gpt-6.1-terra",
        "gpt-6.2-astra", "gpt-6.2-sol",
    ],
    "anthropic": [
        "claude-opus-4-7", "claude-sonnet-4-6", "claude-haiku-4-5", "claude-fable-5",
        "claude-sonnet-5", "claude-opus-5", "claude-fable-5-1", "claude-opus-5-5",
        "claude-sonnet-5-5", "claude-haiku-5-5", "claude-fable-5-2", "claude-mythos-5-2",
    ],
    "google": [
        "gemini-3.1-pro-preview", "gemini-3-flash-preview", "gemini-3.1-flash-lite-preview",
        "gemini-3.1-flash-lite", "gemini-3.5-flash", "gemini-3.5-flash-lite", "gemini-3.6-flash",
        "gemini-3.7-flash", "gemini-3.8-flash", "gemini-4-argon", "gemini-4-carbon",
        "gemini-4-hydrogen", "gemini-4-neon",
    ],
    "x-ai": ["grok-4.5", "grok-4.6", "grok-4.7"],
    "mistral": ["mistral-large-4"],
    "moonshotai": ["kimi-k3"],
    "zai": ["glm-5.2", "glm-5.3", "glm-5.3-flash"],
    "alibaba": ["qwen3.8-max", "qwen3.8-flash"],
    "minimax": ["MiniMax-M3"],
    "aws": [
        "aws/global.anthropic.claude-opus-4-7", "aws/us.anthropic.claude-opus-4-7",
        "aws/global.anthropic.claude-opus-5-5", "aws/us.anthropic.claude-opus-5-5",
    ],
    "google-vertex": ["google-vertex/claude-opus-4-7", "google-vertex/claude-opus-5-5"],
    "azure": ["azure/gpt-5.5", "azure/gpt-6-astra", "azure/gpt-6-sol", "azure/gpt-6-luna"],
    "groq": ["groq/openai/gpt-oss-120b"],
    "together": ["together/openai/gpt-oss-120b"],
    "fireworks": ["fireworks/accounts/fireworks/models/gpt-oss-120b"],
    "openrouter": ["openrouter/deepseek/deepseek-v4-pro", "openrouter/deepseek/deepseek-v4-flash"],
}  # fmt: skip


def test_exactly_the_expected_models(catalog):
    found: dict[str, list[str]] = {}
    for info in curated(catalog):
        found.setdefault(info.provider, []).append(info.id)
    assert {p: sorted(ids) for p, ids in found.items()} == {
        p: sorted(ids) for p, ids in EXPECTED.items()
    }


def test_every_entry_has_sources_from_its_file(catalog):
    for path, provider in catalog.providers:
        for model in provider.models:
            for entry in model.prices:
                assert entry.source, (path.name, model.id)
                for key in entry.source:
                    assert key in provider.sources, (path.name, model.id, key)
                    assert provider.sources[key].title


def test_every_model_is_priced_in_usd_at_its_release_as_known_that_day(catalog):
    # (an imported market offering is known only from its peer's release, not at its own)
    for info in curated(catalog):
        released = info.model.released
        entry = catalog.price_at(info.id, released, known=released.date())
        assert "USD" in entry.rates, info.id
        cost = cost_at(catalog, info.id, Workload(input=1000, output=1000), released)
        assert cost.total > 0, info.id


def test_newest_version(catalog):
    assert catalog.newest == date(2026, 12, 6)


def test_rates_are_decimals(catalog):
    for info in catalog.models():
        for entry in info.model.prices:
            for rate_set in entry.rates.values():
                assert type(rate_set.input_mtok) is Decimal
                assert type(rate_set.output_mtok) is Decimal


# -- DeepSeek V4 Flash -------------------------------------------------------------------------


def test_flash_at_launch(catalog):
    at = utc(2026, 4, 24)
    assert rates(catalog, "deepseek-v4-flash", at) == (D("0.14"), D("0.028"), D("0.28"))
    assert rates(catalog, "deepseek-v4-flash", at, currency="CNY") == (D(1), D("0.2"), D(2))


def test_flash_cache_hit_cut_at_2026_04_26_12_15_utc(catalog):
    before = rates(catalog, "deepseek-v4-flash", utc(2026, 4, 26, 12, 14))
    after = rates(catalog, "deepseek-v4-flash", utc(2026, 4, 26, 12, 15))
    assert before == (D("0.14"), D("0.028"), D("0.28"))
    assert after == (D("0.14"), D("0.0028"), D("0.28"))
    cny = rates(catalog, "deepseek-v4-flash", utc(2026, 4, 26, 12, 15), currency="CNY")
    assert cny == (D(1), D("0.02"), D(2))


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (utc(2026, 8, 16, 15, 59), (D("0.14"), D("0.0028"), D("0.28"))),  # before peak billing
        (utc(2026, 8, 16, 16), (D("0.22"), D("0.007"), D("0.66"))),  # Sun 16:00: off-peak
        (utc(2026, 8, 18, 0, 59), (D("0.22"), D("0.007"), D("0.66"))),  # Tue
        (utc(2026, 8, 18, 1), (D("0.44"), D("0.014"), D("1.32"))),  # peak 01-04
        (utc(2026, 8, 18, 2), (D("0.44"), D("0.014"), D("1.32"))),
        (utc(2026, 8, 18, 4), (D("0.22"), D("0.007"), D("0.66"))),  # end exclusive
        (utc(2026, 8, 18, 5), (D("0.22"), D("0.007"), D("0.66"))),
        (utc(2026, 8, 18, 6), (D("0.44"), D("0.014"), D("1.32"))),  # peak 06-10
        (utc(2026, 8, 18, 9, 59), (D("0.44"), D("0.014"), D("1.32"))),
        (utc(2026, 8, 18, 10), (D("0.22"), D("0.007"), D("0.66"))),
        (utc(2026, 8, 22, 2), (D("0.44"), D("0.014"), D("1.32"))),  # Sat, every day peak still
        (utc(2026, 8, 29, 2), (D("0.22"), D("0.007"), D("0.66"))),  # Sat after 08-23: Mon-Fri
        (utc(2026, 8, 30, 7), (D("0.22"), D("0.007"), D("0.66"))),  # Sun
        (utc(2026, 8, 31, 2), (D("0.44"), D("0.014"), D("1.32"))),  # Mon
        (utc(2026, 9, 10, 3, 59), (D("0.44"), D("0.014"), D("1.32"))),  # Thu, V4 peak
        (utc(2026, 9, 10, 4), (D("0.15"), D("0.003"), D("0.60"))),  # V4.1, off-peak hour
        (utc(2026, 9, 10, 7), (D("0.30"), D("0.006"), D("1.20"))),  # V4.1 peak
        (utc(2026, 9, 12, 7), (D("0.15"), D("0.003"), D("0.60"))),  # Sat: off-peak
    ],
)
def test_flash_peak_and_off_peak(catalog, at, expected):
    assert rates(catalog, "deepseek-v4-flash", at) == expected


def test_flash_peak_in_cny(catalog):
    peak = rates(catalog, "deepseek-v4-flash", utc(2026, 8, 18, 2), currency="CNY")
    off = rates(catalog, "deepseek-v4-flash", utc(2026, 8, 18, 5), currency="CNY")
    assert peak == (D(3), D("0.10"), D(9))
    assert off == (D("1.5"), D("0.05"), D("4.5"))


def test_flash_v4_1_has_no_cny_price(catalog):
    with pytest.raises(NotPriced):
        rates(catalog, "deepseek-v4-flash", utc(2026, 9, 11, 12), currency="CNY")


def test_flash_peak_day_splits_exactly(catalog):
    # Tue 2026-08-18, 24 requests of 1M input tokens (1 per hour): 7 peak hours at 0.44 and
    # 17 off-peak hours at 0.22: 7*0.44 + 17*0.22 = 3.08 + 3.74 = 6.82
    w = Workload(input=M, output=0, requests=24)
    day = cost_over(catalog, "deepseek-v4-flash", w, utc(2026, 8, 18), utc(2026, 8, 19))
    assert day.cost.total == D("6.82")
    # Sat 2026-08-29: Mon-Fri peak only: 24 * 0.22 = 5.28
    sat = cost_over(catalog, "deepseek-v4-flash", w, utc(2026, 8, 29), utc(2026, 8, 30))
    assert sat.cost.total == D("5.28")


def test_flash_office_hours_in_shanghai_over_a_month(catalog):
    # October 2026 (V4.1 Flash rates): 09-18 Beijing time (UTC+8, no DST) is 01-10 UTC, the
    # same weekday; the Mon-Fri peak 01-04 and 06-10 UTC covers 7 of those 9 hours. Per request
    # of 1M in + 1M out: peak 0.30 + 1.20 = 1.50, off-peak 0.15 + 0.60 = 0.75.
    # 9 requests: 7 x 1.50 + 2 x 0.75 = 12
    from llmcost.traffic import parse_traffic

    w = Workload(input=M, output=M, requests=9)
    october = (utc(2026, 10, 1), utc(2026, 11, 1))
    office = parse_traffic("office-hours@Asia/Shanghai")
    shaped = cost_over(catalog, "deepseek-v4-flash", w, *october, traffic=office)
    assert shaped.cost.total == D(12)
    assert (shaped.cost.input, shaped.cost.output) == (D("2.4"), D("9.6"))
    # evenly: 22 weekdays x 7 peak hours = 154 of 744 hours; 9 x (154 x 1.5 + 590 x 0.75) / 744
    even = cost_over(catalog, "deepseek-v4-flash", w, *october)
    assert even.cost.total == D("8.14717741935483870968")  # 6061.5 / 744: 12 is 47% more


# -- DeepSeek V4 Pro ---------------------------------------------------------------------------

LIST = (D("1.74"), D("0.145"), D("3.48"))
PROMO = (D("0.435"), D("0.03625"), D("0.87"))
PROMO_CUT = (D("0.435"), D("0.003625"), D("0.87"))
LIST_CUT = (D("1.74"), D("0.0145"), D("3.48"))


def test_pro_at_launch(catalog):
    assert rates(catalog, "deepseek-v4-pro", utc(2026, 4, 24)) == LIST
    assert rates(catalog, "deepseek-v4-pro", utc(2026, 4, 24), currency="CNY") == (
        D(12),
        D(1),
        D(24),
    )


def test_pro_promo_before_and_after_the_cache_cut(catalog):
    assert rates(catalog, "deepseek-v4-pro", utc(2026, 4, 26)) == PROMO
    assert rates(catalog, "deepseek-v4-pro", utc(2026, 4, 26, 12, 14)) == PROMO
    assert rates(catalog, "deepseek-v4-pro", utc(2026, 4, 26, 12, 15)) == PROMO_CUT
    assert rates(catalog, "deepseek-v4-pro", utc(2026, 4, 26, 12, 15), currency="CNY") == (
        D(3),
        D("0.025"),
        D(6),
    )


def test_pro_promo_unknown_at_launch(catalog):
    # the catalog as known on 2026-04-24 had only the list price
    at = utc(2026, 4, 26)
    assert rates(catalog, "deepseek-v4-pro", at, known=date(2026, 4, 24)) == LIST


def test_pro_at_promo_end_as_known_on_2026_05_03(catalog):
    assert rates(catalog, "deepseek-v4-pro", utc(2026, 5, 31, 15, 58), known=MAY_3) == PROMO_CUT
    assert rates(catalog, "deepseek-v4-pro", utc(2026, 5, 31, 15, 59), known=MAY_3) == LIST_CUT
    assert rates(catalog, "deepseek-v4-pro", utc(2026, 5, 31, 16), known=MAY_3) == LIST_CUT


def test_pro_at_promo_end_as_known_now(catalog):
    assert rates(catalog, "deepseek-v4-pro", utc(2026, 5, 31, 15, 58)) == PROMO_CUT
    assert rates(catalog, "deepseek-v4-pro", utc(2026, 5, 31, 16)) == PROMO_CUT


def test_pro_in_june_by_catalog_version(catalog):
    at = utc(2026, 6, 15)
    assert rates(catalog, "deepseek-v4-pro", at, known=MAY_3) == LIST_CUT
    assert rates(catalog, "deepseek-v4-pro", at, known=date(2026, 5, 21)) == LIST_CUT
    assert rates(catalog, "deepseek-v4-pro", at, known=date(2026, 5, 22)) == PROMO_CUT
    assert rates(catalog, "deepseek-v4-pro", at) == PROMO_CUT


def test_pro_month_of_may_by_catalog_version(catalog):
    start, end = month_period("2026-05")
    w = Workload(input=M, output=0, requests=44_640)  # one request per minute of May (31*1440)
    # known 2026-05-03: promo until 05-31 15:59 = 30*1440 + 959 = 44159 minutes at 0.435,
    # then 481 minutes at the list 1.74: 44159*0.435 + 481*1.74 = 19209.165 + 836.94
    known = cost_over(catalog, "deepseek-v4-pro", w, start, end, known=MAY_3)
    assert known.cost.total == D("20046.105")
    # newest: the quarter price all month: 44640 * 0.435
    assert cost_over(catalog, "deepseek-v4-pro", w, start, end).cost.total == D("19418.4")


def test_pro_month_of_june_by_catalog_version(catalog):
    start, end = month_period("2026-06")
    w = Workload(input=M, output=M, requests=30)
    # 30 * (1.74 + 3.48) = 156.6 as known on 2026-05-03; 30 * (0.435 + 0.87) = 39.15 now
    assert cost_over(catalog, "deepseek-v4-pro", w, start, end, known=MAY_3).cost.total == D(
        "156.6"
    )
    assert cost_over(catalog, "deepseek-v4-pro", w, start, end).cost.total == D("39.15")


@pytest.mark.parametrize(
    ("at", "currency", "expected"),
    [
        (utc(2026, 8, 16, 15, 59), "USD", PROMO_CUT),
        (utc(2026, 8, 18, 2), "USD", (D("1.32"), D("0.044"), D("3.96"))),
        (utc(2026, 8, 18, 5), "USD", (D("0.66"), D("0.022"), D("1.98"))),
        (utc(2026, 8, 18, 2), "CNY", (D(9), D("0.30"), D(27))),
        (utc(2026, 8, 18, 5), "CNY", (D("4.5"), D("0.15"), D("13.5"))),
        (utc(2026, 8, 29, 2), "USD", (D("0.66"), D("0.022"), D("1.98"))),  # Sat after 08-23
        (utc(2026, 10, 5, 8), "USD", (D("1.32"), D("0.044"), D("3.96"))),  # Mon, still own price
    ],
)
def test_pro_peak_and_off_peak(catalog, at, currency, expected):
    assert rates(catalog, "deepseek-v4-pro", at, currency=currency) == expected


# -- the V3.2 names ----------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["deepseek-chat", "deepseek-reasoner"])
def test_v3_2_names_through_their_retirement(catalog, model):
    v32 = (D("0.28"), D("0.028"), D("0.42"))
    assert rates(catalog, model, utc(2026, 4, 23, 23, 59)) == v32
    assert rates(catalog, model, utc(2026, 4, 23, 23, 59), currency="CNY") == (D(2), D("0.2"), D(3))
    assert rates(catalog, model, utc(2026, 4, 24)) == (D("0.14"), D("0.028"), D("0.28"))
    assert rates(catalog, model, utc(2026, 4, 26, 12, 15)) == (D("0.14"), D("0.0028"), D("0.28"))
    assert rates(catalog, model, utc(2026, 7, 24, 15, 58)) == (D("0.14"), D("0.0028"), D("0.28"))
    # the catalog as known before the V4 launch still says V3.2
    assert rates(catalog, model, utc(2026, 5, 1), known=date(2026, 4, 23)) == v32
    with pytest.raises(NotPriced) as info:
        rates(catalog, model, utc(2026, 7, 24, 15, 59))
    assert "deepseek-v4-flash" in info.value.one_line()


# -- OpenAI ------------------------------------------------------------------------------------

AT = utc(2026, 5, 1)


@pytest.mark.parametrize(
    ("model", "base", "tier"),
    [
        ("gpt-5.5", (D(5), D("0.50"), D(30)), (D(10), D(1), D(45))),
        ("gpt-5.4", (D("2.50"), D("0.25"), D(15)), (D(5), D("0.50"), D("22.50"))),
    ],
)
def test_openai_over_272k_tier(catalog, model, base, tier):
    assert rates(catalog, model, AT, prompt=272_000) == base
    assert rates(catalog, model, AT, prompt=272_001) == tier


def test_openai_small_models(catalog):
    assert rates(catalog, "gpt-5.4-mini", AT) == (D("0.75"), D("0.075"), D("4.50"))
    assert rates(catalog, "gpt-5.4-nano", AT) == (D("0.20"), D("0.02"), D("1.25"))


def test_openai_cache_writes_are_billed_as_input(catalog):
    assert write_rates(catalog, "gpt-5.5", AT) == (D(5), D(5))


def test_openai_batch_is_half(catalog):
    w = Workload(input=100_000, output=10_000, tier="batch")
    # (100000 * 5 + 10000 * 30) / 1M = 0.5 + 0.3 = 0.8, x0.5 = 0.4
    assert cost_at(catalog, "gpt-5.5", w, AT).total == D("0.4")


def test_gpt_5_5_not_priced_before_release(catalog):
    with pytest.raises(NotPriced):
        rates(catalog, "gpt-5.5", utc(2026, 4, 23, 23, 59))
    assert catalog.resolve("gpt-5.5-2026-04-23").id == "gpt-5.5"


# -- Anthropic ---------------------------------------------------------------------------------


def test_opus_4_7(catalog):
    assert rates(catalog, "claude-opus-4-7", AT) == (D(5), D("0.50"), D(25))
    assert write_rates(catalog, "claude-opus-4-7", AT) == (D("6.25"), D(10))
    batch = Workload(input=M, output=M, tier="batch")
    assert cost_at(catalog, "claude-opus-4-7", batch, AT).total == D(15)  # 2.50 + 12.50
    assert catalog.resolve("claude-opus-4.7").id == "claude-opus-4-7"


def test_sonnet_4_6_long_context_tier_until_ga(catalog):
    beta = utc(2026, 3, 1)
    assert rates(catalog, "claude-sonnet-4-6", beta, prompt=200_000) == (D(3), D("0.30"), D(15))
    assert rates(catalog, "claude-sonnet-4-6", beta, prompt=200_001) == (
        D(6),
        D("0.60"),
        D("22.50"),
    )
    # 1M GA on 2026-03-13: flat
    ga = utc(2026, 3, 13)
    assert rates(catalog, "claude-sonnet-4-6", ga, prompt=200_001) == (D(3), D("0.30"), D(15))
    assert write_rates(catalog, "claude-sonnet-4-6", ga) == (D("3.75"), D(6))


def test_sonnet_4_6_tier_cache_writes(catalog):
    w = Workload(input=200_001, cache_write=100_000, cache_write_1h=100_000, output=0)
    # over 200K before GA: 100000 * 7.50 / 1M + 100000 * 12 / 1M = 0.75 + 1.2
    assert cost_at(catalog, "claude-sonnet-4-6", w, utc(2026, 3, 1)).cache_write == D("1.95")


def test_haiku_4_5(catalog):
    assert rates(catalog, "claude-haiku-4-5", AT) == (D(1), D("0.10"), D(5))
    assert write_rates(catalog, "claude-haiku-4-5", AT) == (D("1.25"), D(2))
    assert catalog.resolve("claude-haiku-4-5-20251001").id == "claude-haiku-4-5"


# -- Google ------------------------------------------------------------------------------------


def test_gemini_3_1_pro_over_200k_tier(catalog):
    model = "gemini-3.1-pro-preview"
    assert rates(catalog, model, AT, prompt=200_000) == (D(2), D("0.20"), D(12))
    assert rates(catalog, model, AT, prompt=200_001) == (D(4), D("0.40"), D(18))
    assert catalog.resolve("gemini-3.1-pro-preview-customtools").id == model
    assert catalog.resolve("models/gemini-3.1-pro-preview").id == model


def test_gemini_flash_models(catalog):
    assert rates(catalog, "gemini-3-flash-preview", AT) == (D("0.50"), D("0.05"), D(3))
    lite = (D("0.25"), D("0.025"), D("1.50"))
    assert rates(catalog, "gemini-3.1-flash-lite-preview", AT) == lite
    assert rates(catalog, "gemini-3.1-flash-lite", utc(2026, 5, 7)) == lite
    with pytest.raises(NotPriced):
        rates(catalog, "gemini-3.1-flash-lite", utc(2026, 5, 6, 23, 59))


def tier_cost(catalog, model, tier, at, *, known=None):
    """The total for 1M uncached input and 1M output tokens in service tier `tier`, sent as ten
    requests of 100K each, below every long-context threshold."""
    w = Workload(input=100_000, output=100_000, requests=10, tier=tier)
    return cost_at(catalog, model, w, at, known=known).total


# -- fixes (issue 11 item 4) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "fixed", "as_known_before"),
    [
        # 100K prompt (90K hits), 1K out, 1000 requests, batch: 10M uncached, 90M hits, 1M out.
        # Flash: 10 x 0.25 + 90 x 0.05 + 1 x 1.50 = 8.50; before: hits at 0.025 -> 6.25
        ("gemini-3-flash-preview", D("8.5"), D("6.25")),
        # 3.1 Pro: 10 x 1 + 90 x 0.20 + 1 x 6 = 34; before: hits at 0.10 -> 25
        ("gemini-3.1-pro-preview", D(34), D(25)),
    ],
)
def test_gemini_batch_does_not_discount_cache_reads(catalog, model, fixed, as_known_before):
    w = Workload(input=100_000, cached=90_000, output=1_000, requests=1000, tier="batch")
    at = utc(2026, 12, 6)
    assert cost_at(catalog, model, w, at).total == fixed
    assert cost_at(catalog, model, w, at, known=date(2026, 10, 13)).total == as_known_before
    # the erratum runs from release
    assert cost_at(catalog, model, w, utc(2026, 3, 1)).total == fixed


def test_gemini_3_1_pro_batch_over_200k_keeps_cache_reads(catalog):
    # one request of 200,001 tokens, 200,000 of them hits, 1M out in batch:
    # 1 x 2 / 1M + 200000 x 0.40 / 1M + 1M x 9 / 1M = 0.000002 + 0.08 + 9
    w = Workload(input=200_001, cached=200_000, output=M, tier="batch")
    assert cost_at(catalog, "gemini-3.1-pro-preview", w, AT).total == D("9.080002")


def test_gemini_3_1_flash_lite_preview_retired_for_the_ga_model(catalog):
    lite = (D("0.25"), D("0.025"), D("1.50"))
    assert rates(catalog, "gemini-3.1-flash-lite-preview", utc(2026, 5, 24, 23, 59)) == lite
    with pytest.raises(NotPriced) as info:
        rates(catalog, "gemini-3.1-flash-lite-preview", utc(2026, 5, 25))
    assert "gemini-3.1-flash-lite" in info.value.one_line()


def test_gpt_5_4_nano_retires_2027_04_01_for_gpt_6_luna(catalog):
    assert rates(catalog, "gpt-5.4-nano", utc(2027, 3, 31, 23, 59)) == (
        D("0.20"),
        D("0.02"),
        D("1.25"),
    )
    with pytest.raises(NotPriced) as info:
        rates(catalog, "gpt-5.4-nano", utc(2027, 4, 1))
    assert "gpt-6-luna" in info.value.one_line()


def test_gpt_5_4_batch_cache_read_is_the_exact_half(catalog):
    # kept at 0.125 (the page shows a rounded $0.13; see the entry's note): 1M hits in batch,
    # 5 requests of 200K hits (below the 272K tier)
    w = Workload(input=200_001, cached=200_000, output=0, requests=5, tier="batch")
    assert cost_at(catalog, "gpt-5.4", w, AT).cache_read == D("0.125")


def test_deepseek_weekend_rule_known_and_valid_from_beijing_midnight(catalog):
    # Sun 2026-08-23 02:00 UTC (10:00 Beijing, Sunday) is in a peak window. The rule was
    # announced on 2026-08-22 for 00:00 Beijing time on the 23rd (2026-08-22 16:00 UTC).
    sunday = utc(2026, 8, 23, 2)
    off, peak = (D("0.22"), D("0.007"), D("0.66")), (D("0.44"), D("0.014"), D("1.32"))
    assert rates(catalog, "deepseek-v4-flash", sunday, known=date(2026, 8, 22)) == off
    assert rates(catalog, "deepseek-v4-flash", sunday, known=date(2026, 8, 21)) == peak
    entry = catalog.price_at("deepseek-v4-pro", sunday)
    assert entry.valid_from == utc(2026, 8, 22, 16)


def test_deepseek_v4_pro_keeps_its_own_price_after_the_cancelled_retirement(catalog):
    # Mon 2026-09-14 06:00 UTC, after the withdrawn 04:00 UTC rerouting: V4 Pro's peak price
    assert rates(catalog, "deepseek-v4-pro", utc(2026, 9, 14, 6)) == (
        D("1.32"),
        D("0.044"),
        D("3.96"),
    )
    assert catalog.info("deepseek-v4-pro").model.retired is None


def test_deepseek_chinese_holidays_are_not_modelled(catalog):
    # National Day, Thu 2026-10-01 03:00 UTC: DeepSeek bills it off-peak; llmcost charges
    # peak (an upper bound; see pricing/deepseek.toml's header)
    assert rates(catalog, "deepseek-v4-flash", utc(2026, 10, 1, 3)) == (
        D("0.30"),
        D("0.006"),
        D("1.20"),
    )


# -- OpenAI GPT-5.6 / 6 / 6.1 / 6.2 ------------------------------------------------------------


def test_gpt_5_6_sol_price_cut_of_2026_08_21(catalog):
    assert rates(catalog, "gpt-5.6-sol", utc(2026, 8, 20, 23, 59)) == (D(5), D("0.5"), D(30))
    assert rates(catalog, "gpt-5.6-sol", utc(2026, 8, 21)) == (D(4), D("0.4"), D(20))
    assert rates(catalog, "gpt-5.6-sol", utc(2026, 8, 21), known=date(2026, 8, 20)) == (
        D(5),
        D("0.5"),
        D(30),
    )
    assert catalog.resolve("gpt-5.6").id == "gpt-5.6-sol"


def test_gpt_5_6_luna_and_terra_cut_on_2026_07_30(catalog):
    assert rates(catalog, "gpt-5.6-luna", utc(2026, 7, 29, 23, 59)) == (D(1), D("0.1"), D(6))
    assert rates(catalog, "gpt-5.6-luna", utc(2026, 7, 30)) == (D("0.2"), D("0.02"), D("1.2"))
    assert rates(catalog, "gpt-5.6-terra", utc(2026, 7, 30)) == (D(2), D("0.2"), D(12))


def test_gpt_5_6_cache_writes_cost_1_25x_input(catalog):
    # 5-minute (30-minute at OpenAI) write 1.25 x 4 = 5; no 1-hour rate: billed as input, 4
    assert write_rates(catalog, "gpt-5.6-sol", utc(2026, 9, 1)) == (D(5), D(4))


def test_gpt_6_sol_over_272k_tier(catalog):
    at = utc(2026, 10, 1)
    assert rates(catalog, "gpt-6-sol", at, prompt=272_000) == (D(2), D("0.2"), D(10))
    assert rates(catalog, "gpt-6-sol", at, prompt=272_001) == (D(4), D("0.4"), D(15))


@pytest.mark.parametrize(
    ("tier", "expected"),
    [
        ("standard", D(12)),  # 2 + 10
        ("batch", D(6)),
        ("flex", D(6)),
        ("priority", D(24)),
        ("fast", D(24)),
    ],
)
def test_gpt_6_sol_service_tiers(catalog, tier, expected):
    assert tier_cost(catalog, "gpt-6-sol", tier, utc(2026, 10, 20)) == expected


def test_gpt_6_1_sol_cache_reads_are_5_percent(catalog):
    assert rates(catalog, "gpt-6.1-sol", utc(2026, 9, 29)) == (D(2), D("0.1"), D(10))
    with pytest.raises(NotPriced):
        rates(catalog, "gpt-6.1-sol", utc(2026, 9, 28, 23, 59))


def test_gpt_6_1_terra_12_hour_cache_write(catalog):
    w = Workload(input=200_000, cache_write_12h=200_000, output=0, requests=5)  # 1M written
    assert cost_at(catalog, "gpt-6.1-terra", w, utc(2026, 11, 1)).cache_write == D("2.5")


def test_gpt_6_2_ultrafast_triples_then_sextuples_from_2027_03_01_pacific(catalog):
    # 1M in + 1M out at $2 + $10 = 12: 3x = 36 until 2027-03-01 08:00 UTC (midnight PST), 6x after
    assert tier_cost(catalog, "gpt-6.2-sol", "ultrafast", utc(2027, 3, 1, 7, 59)) == D(36)
    assert tier_cost(catalog, "gpt-6.2-sol", "ultrafast", utc(2027, 3, 1, 8)) == D(72)
    # Astra: 8 + 40 = 48, x3 = 144
    assert tier_cost(catalog, "gpt-6.2-astra", "ultrafast", utc(2026, 12, 6)) == D(144)
    with pytest.raises(NotPriced):  # no flex rate is published for GPT-6.2
        tier_cost(catalog, "gpt-6.2-sol", "flex", utc(2026, 12, 6))


# -- Anthropic Claude 5 / 5.5 ------------------------------------------------------------------


def test_sonnet_5_rise_cancelled(catalog):
    launch = date(2026, 6, 30)
    assert rates(catalog, "claude-sonnet-5", utc(2026, 8, 31, 23, 59)) == (D(2), D("0.2"), D(10))
    # as known at launch, $3/$15 from 2026-09-01 00:00 UTC; the rise was cancelled on 08-10
    assert rates(catalog, "claude-sonnet-5", utc(2026, 9, 1), known=launch) == (
        D(3),
        D("0.3"),
        D(15),
    )
    assert rates(catalog, "claude-sonnet-5", utc(2026, 9, 1)) == (D(2), D("0.2"), D(10))


def test_opus_5_5_cache_hits_and_fast_mode(catalog):
    at = utc(2026, 10, 1)
    assert rates(catalog, "claude-opus-5-5", at) == (D(4), D("0.2"), D(20))
    assert write_rates(catalog, "claude-opus-5-5", at) == (D(5), D(8))
    assert tier_cost(catalog, "claude-opus-5-5", "fast", at) == D(48)  # 8 + 40
    assert tier_cost(catalog, "claude-opus-5-5", "batch", at) == D(12)  # 2 + 10


def test_haiku_5_5_over_100k_bills_every_token_at_5x(catalog):
    at = utc(2026, 11, 1)
    assert rates(catalog, "claude-haiku-5-5", at, prompt=100_000) == (
        D("0.1"),
        D("0.01"),
        D("0.5"),
    )
    assert rates(catalog, "claude-haiku-5-5", at, prompt=100_001) == (
        D("0.5"),
        D("0.05"),
        D("2.5"),
    )
    # batch halves the 5x level too: 200,000 in + 1M out = 0.2 x 0.25 + 1.25
    w = Workload(input=200_000, output=M, tier="batch")
    assert cost_at(catalog, "claude-haiku-5-5", w, at).total == D("1.3")


def test_fable_5_2_is_unpriced_before_the_day_it_was_read(catalog):
    assert rates(catalog, "claude-fable-5-2", utc(2026, 12, 6)) == (D(8), D("0.2"), D(40))
    with pytest.raises(NotPriced):
        rates(catalog, "claude-fable-5-2", utc(2026, 12, 5, 23, 59))


# -- Google Gemini 3.5-3.8 Flash, Gemini 4 -----------------------------------------------------


@pytest.mark.parametrize("model", ["gemini-3.6-flash", "gemini-3.7-flash", "gemini-3.8-flash"])
def test_gemini_flash_intro_price_doubles_on_2027_01_01(catalog, model):
    intro, listed = (D("0.75"), D("0.075"), D("3.75")), (D("1.5"), D("0.15"), D("7.5"))
    assert rates(catalog, model, utc(2026, 12, 31, 23, 59)) == intro
    assert rates(catalog, model, utc(2027, 1, 1)) == listed
    # batch halves every rate, cache included, at both levels: 1M in + 1M out
    assert tier_cost(catalog, model, "batch", utc(2027, 1, 1)) == D("4.5")


def test_gemini_3_6_flash_launch_price_then_intro(catalog):
    assert rates(catalog, "gemini-3.6-flash", utc(2026, 7, 21)) == (D("1.5"), D("0.15"), D("7.5"))
    at = utc(2026, 8, 20)
    assert rates(catalog, "gemini-3.6-flash", at, known=date(2026, 8, 13))[0] == D("1.5")
    assert rates(catalog, "gemini-3.6-flash", at)[0] == D("0.75")


def test_gemini_3_5_flash_lite_batch_cache_is_0_02(catalog):
    w = Workload(input=M + 1, cached=M, output=0, tier="batch")
    assert cost_at(catalog, "gemini-3.5-flash-lite", w, utc(2026, 11, 1)).cache_read == D("0.02")


@pytest.mark.parametrize("model", ["gemini-4-argon", "gemini-4-carbon"])
def test_gemini_4_intro_ends_2026_11_30(catalog, model):
    assert rates(catalog, model, utc(2026, 11, 30, 23, 59)) == (D(2), D("0.1"), D(10))
    assert rates(catalog, model, utc(2026, 12, 1)) == (D(4), D("0.2"), D(20))
    assert tier_cost(catalog, model, "priority", utc(2026, 12, 1)) == D("43.2")  # 1.8 x 24


def test_gemini_4_neon_and_hydrogen(catalog):
    with pytest.raises(NotPriced):
        rates(catalog, "gemini-4-neon", utc(2026, 11, 17, 23, 59))
    assert rates(catalog, "gemini-4-neon", utc(2026, 11, 18)) == (D(3), D("0.15"), D(15))
    assert tier_cost(catalog, "gemini-4-hydrogen", "flex", utc(2026, 12, 1)) == D("4.5")


# -- other makers ------------------------------------------------------------------------------


def test_grok_4_7_tier_from_200k_inclusive(catalog):
    at = utc(2026, 10, 1)
    assert rates(catalog, "grok-4.7", at, prompt=199_999) == (D(2), D("0.5"), D(6))
    assert rates(catalog, "grok-4.7", at, prompt=200_000) == (D(4), D(1), D(12))
    assert tier_cost(catalog, "grok-4.7", "priority", at) == D(16)  # 2 x (2 + 6)
    assert catalog.resolve("xai/grok-4.7").id == "grok-4.7"
    assert rates(catalog, "grok-4.5", at) == (D(2), D("0.3"), D(6))


def test_mistral_large_4_promo_list_and_cut(catalog):
    promo, listed, cut = (
        (D("0.68"), D("0.07"), D("2.09")),
        (D("1.36"), D("0.14"), D("4.18")),
        (D("0.7"), D("0.07"), D("2.1")),
    )
    assert rates(catalog, "mistral-large-4", utc(2026, 10, 19, 23, 59)) == promo
    assert rates(catalog, "mistral-large-4", utc(2026, 10, 20)) == listed
    assert rates(catalog, "mistral-large-4", utc(2026, 10, 29)) == cut
    assert rates(catalog, "mistral-large-4", utc(2026, 10, 29), known=date(2026, 10, 28)) == listed
    assert tier_cost(catalog, "mistral-large-4", "batch", utc(2026, 10, 29)) == D("1.4")


def test_kimi_k3_cache_write_rates_from_2026_10_15(catalog):
    assert write_rates(catalog, "kimi-k3", utc(2026, 10, 14, 23, 59)) == (D(3), D(3))
    assert write_rates(catalog, "kimi-k3", utc(2026, 10, 15)) == (D(3), D(6))
    assert catalog.resolve("moonshot/kimi-k3").id == "kimi-k3"


def test_glm_5_3_flash_promo_ends_at_beijing_midnight(catalog):
    assert rates(catalog, "glm-5.3-flash", utc(2026, 9, 9, 15, 59)) == (
        D("0.075"),
        D("0.015"),
        D("0.25"),
    )
    assert rates(catalog, "glm-5.3-flash", utc(2026, 9, 9, 16)) == (D("0.15"), D("0.03"), D("0.5"))


def test_minimax_m3_over_512k(catalog):
    at = utc(2026, 8, 1)
    assert rates(catalog, "minimax-m3", at, prompt=512_000) == (D("0.3"), D("0.06"), D("1.2"))
    assert rates(catalog, "minimax-m3", at, prompt=512_001) == (D("0.6"), D("0.12"), D("2.4"))


def test_qwen_3_8_on_dashscope(catalog):
    assert rates(catalog, "dashscope/qwen3.8-max", utc(2026, 9, 2)) == (D(2), D("0.25"), D(6))


# -- hosts -------------------------------------------------------------------------------------


def test_bedrock_regional_premium_on_opus(catalog):
    at = utc(2026, 10, 1)
    assert rates(catalog, "us.anthropic.claude-opus-4-7", at) == (D("5.5"), D("0.55"), D("27.5"))
    assert rates(catalog, "global.anthropic.claude-opus-4-7", at) == (D(5), D("0.5"), D(25))
    assert write_rates(catalog, "eu.anthropic.claude-opus-5-5", at) == (D("5.5"), D("8.8"))
    # the bare name is still Anthropic's own offering
    assert catalog.resolve("claude-opus-4-7").provider == "anthropic"


def test_vertex_retires_opus_4_7_before_anthropic_does(catalog):
    at = utc(2027, 4, 16)
    with pytest.raises(NotPriced):
        rates(catalog, "vertex_ai/claude-opus-4-7", at)
    assert rates(catalog, "vertex_ai/claude-opus-4-7", utc(2027, 4, 15)) == (D(5), D("0.5"), D(25))
    assert rates(catalog, "claude-opus-4-7", at) == (D(5), D("0.50"), D(25))


def test_azure_gpt_6_sol_retires_2028_03_11(catalog):
    assert rates(catalog, "azure/gpt-6-sol", utc(2028, 3, 10)) == (D(2), D("0.2"), D(10))
    with pytest.raises(NotPriced):
        rates(catalog, "azure/gpt-6-sol", utc(2028, 3, 11))


def test_gpt_oss_120b_hosts(catalog):
    at = utc(2026, 11, 1)
    assert rates(catalog, "groq/openai/gpt-oss-120b", at) == (D("0.15"), D("0.075"), D("0.6"))
    # Groq batch: input and output halved, cache hits at the halved input rate (no stacking)
    w = Workload(input=M + 1, cached=M, output=M, tier="batch")
    assert cost_at(catalog, "groq/openai/gpt-oss-120b", w, at).total == D("0.3750000750")
    # Together publishes no cache-read rate: hits billed as input
    assert rates(catalog, "together_ai/openai/gpt-oss-120b", at) == (D("0.15"), D("0.15"), D("0.6"))
    assert rates(catalog, "fireworks_ai/gpt-oss-120b", at) == (D("0.15"), D("0.015"), D("0.6"))


def test_openrouter_deepseek_v4_pro_dated_prices(catalog):
    model = "openrouter/deepseek/deepseek-v4-pro"
    assert rates(catalog, model, utc(2026, 11, 2, 23, 59)) == (
        D("0.95526"),
        D("0.079605"),
        D("1.91052"),
    )
    assert rates(catalog, model, utc(2026, 11, 3)) == (D("1.416"), D("0.118"), D("2.832"))


def test_gpt_5_5_priority_is_flat_over_272k_and_known_from_2026_10_12(catalog):
    # 300,000 uncached tokens: standard over 272K at 10 -> 3; priority flat 12.50 -> 3.75
    w = Workload(input=300_000, output=0)
    assert cost_at(catalog, "gpt-5.5", w, AT).total == D(3)
    fast = Workload(input=300_000, output=0, tier="priority")
    assert cost_at(catalog, "gpt-5.5", fast, AT).total == D("3.75")
    with pytest.raises(NotPriced):  # as known before GP's verification: no priority tier
        cost_at(catalog, "gpt-5.5", fast, AT, known=date(2026, 10, 11))


def test_gpt_5_4_small_models_service_tiers(catalog):
    assert tier_cost(catalog, "gpt-5.4-nano", "flex", AT) == D("0.725")  # 0.10 + 0.625
    assert tier_cost(catalog, "gpt-5.4-mini", "fast", AT) == D("10.5")  # 1.50 + 9
