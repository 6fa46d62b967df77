"""Mixes: parsing, hand-computed bounds on the fixture catalog, and the exact bounds checked
against brute force. Fixture rates (USD per 1M) at 2026-01-10: alpha-flash 1 in / 0.1 cached /
2 out; alpha-pro 4 in / 8 out (no cache-read rate); beta-large 10 in / 1 cached / 50 out."""

from __future__ import annotations

import itertools
from decimal import Decimal as D
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from llmcost.engine import Workload, cost_at
from llmcost.errors import InputError, UnknownModel
from llmcost.mix import (
    Tokens,
    admissible_range,
    bounds,
    parse_mix,
    parse_share,
    ratio_bounds,
    simulate_mix,
)
from llmcost.mixfile import dump_mix, load_mix
from llmcost.sweep import parse_sweep, sweep_mix
from llmcost.timeparse import instant

AT = instant("2026-01-10")
TOKENS = Tokens(input=D(1000), output=D(100))


def run(catalog, text, **kwargs):
    kwargs.setdefault("default", TOKENS)
    kwargs.setdefault("requests", D(1000))
    kwargs.setdefault("at", AT)
    return simulate_mix(catalog, parse_mix(text), **kwargs)


# -- parsing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [("60", (D(60), D(60))), ("60-70", (D(60), D(70))), (" 60% - 70% ", (D(60), D(70))),
     ("12.5", (D("12.5"), D("12.5"))), ("0-100", (D(0), D(100)))],
)  # fmt: skip
def test_parse_share(text, expected):
    assert parse_share(text, where="--mix") == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [("abc", "not a number"), ("-5", "negative"), ("70-60", "minimum is over the maximum"),
     ("150", "over 100%"), ("", "not a percent"), ("5-x", "not a number"), ("nan", "not a number")],
)  # fmt: skip
def test_parse_share_errors(text, message):
    with pytest.raises(InputError, match=message):
        parse_share(text, where="--mix")


def test_parse_mix_spec():
    spec = parse_mix(
        "deepseek-v4-flash=60-70, claude-opus-4-7=15-20,gpt-5.5=10-15,deepseek-v4-pro=5"
    )
    assert [(s.model, s.share_min, s.share_max) for s in spec.slices] == [
        ("deepseek-v4-flash", 60, 70),
        ("claude-opus-4-7", 15, 20),
        ("gpt-5.5", 10, 15),
        ("deepseek-v4-pro", 5, 5),
    ]


@pytest.mark.parametrize(
    ("text", "message"), [("", "empty"), (" , ", "empty"), ("gpt-5.5", "not model=share"),
                          ("=50", "not model=share"), ("a=-1", "negative")]
)  # fmt: skip
def test_parse_mix_errors(text, message):
    with pytest.raises(InputError, match=message):
        parse_mix(text)


# -- hand-computed ------------------------------------------------------------------------------


def test_hand_computed_range_mix(fixture_catalog):
    # all traffic: alpha-flash 1M in x $1 + 100k out x $2 = 1.2; beta-large 10 + 5 = 15
    r = run(fixture_catalog, "alpha-flash=50-70,beta-large=30-50")
    assert (r.cost_min, r.cost_max) == (D("5.34"), D("8.1"))  # 0.7*1.2+0.3*15, 0.5*1.2+0.5*15
    assert r.split_min == (70, 30) and r.split_max == (50, 50)
    flash, large = r.slices
    assert (flash.cost_min, flash.cost_max) == (D("0.6"), D("0.84"))
    assert (large.requests_min, large.requests_max) == (300, 500)
    by_model = {b.model.id: b for b in r.baselines}
    assert list(by_model) == ["alpha-flash", "beta-large"]
    large_base = by_model["beta-large"]
    assert large_base.cost == 15
    assert (large_base.savings_min, large_base.savings_max) == (D("6.9"), D("9.66"))
    assert (large_base.savings_fraction_min, large_base.savings_fraction_max) == (
        D("0.4600"),
        D("0.6440"),
    )
    flash_base = by_model["alpha-flash"]
    assert (flash_base.savings_min, flash_base.savings_max) == (D("-6.9"), D("-4.14"))
    assert flash_base.savings_fraction_min == D("-5.7500")


def test_fixed_three_way_mix_and_extra_baseline(fixture_catalog):
    # alpha-pro has no cache-read rate: hits are billed as input, 4 + 0.8 = 4.8
    r = run(
        fixture_catalog, "alpha-fast=20,alpha-pro=30,beta-large-1.0=50", baselines=["alpha-pro"]
    )
    assert r.cost_min == r.cost_max == D("0.24") + D("1.44") + D("7.5")
    assert [b.model.id for b in r.baselines] == ["alpha-flash", "alpha-pro", "beta-large"]


def test_baseline_outside_the_mix(fixture_catalog):
    r = run(fixture_catalog, "alpha-flash=100", baselines=["beta-large"])
    base = r.baselines[-1]
    assert base.model.id == "beta-large" and base.cost == 15
    assert base.savings_min == base.savings_max == D("13.8")
    assert base.savings_fraction_min == D("0.9200")


def test_admissible_ranges_are_narrowed():
    lows, highs = [D(60), D(10)], [D(95), D(30)]
    assert admissible_range(lows, highs, 0) == (70, 90)
    assert admissible_range(lows, highs, 1) == (10, 30)


def test_per_slice_workloads_make_the_baseline_a_range(fixture_catalog, tmp_path):
    mix = tmp_path / "mix.toml"
    mix.write_text(
        "requests = 1000\n[workload]\ninput = 1000\noutput = 100\n"
        '[[slices]]\nmodel = "alpha-flash"\nshare = "40-60"\n'
        '[[slices]]\nmodel = "beta-large"\nshare_min = 40\nshare_max = 60\ninput = 2000\n'
    )
    r = simulate_mix(fixture_catalog, load_mix(mix), at=AT)
    # beta-large slice: 2M in x $10 + 100k out x $50 = 25 for all traffic; flash slice 1.2
    assert (r.cost_min, r.cost_max) == (D("0.72") + D("10"), D("0.48") + D("15"))
    large = next(b for b in r.baselines if b.model.id == "beta-large")
    # on beta-large, the flash slice's requests cost 15 for all traffic, its own slice 25
    assert large.cost is None
    assert (large.cost_min, large.cost_max) == (D("19"), D("21"))
    assert (large.savings_min, large.savings_max) == (D("5.52"), D("8.28"))  # 13.8 x 40-60%


def test_workload_precedence(fixture_catalog, tmp_path):
    mix = tmp_path / "mix.toml"
    mix.write_text(
        "[workload]\ninput = 1000\ncache_hit_rate = 0.5\noutput = 100\n"
        '[[slices]]\nmodel = "alpha-flash"\nshare = 50\n'
        '[[slices]]\nmodel = "beta-large"\nshare = 50\ninput = 2000\ncached = 100\n'
    )
    flags = Tokens(output=D(10))
    r = simulate_mix(fixture_catalog, load_mix(mix), default=flags, at=AT)
    flash, large = (s.workload for s in r.slices)
    assert (flash.input, flash.cached, flash.output) == (1000, 500, 10)
    assert (large.input, large.cached, large.output) == (2000, 100, 10)
    assert flash.requests == 1


# -- errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [("alpha-flash=60,beta-large=50", "minimums already sum to 110%"),
     ("alpha-flash=10-20,beta-large=30", "maximums sum to only 50%"),
     ("alpha-flash=50,alpha-fast=50", "in the mix twice"),
     ("alpha-flash=50,Alpha.Flash=50", "in the mix twice")],
)  # fmt: skip
def test_impossible_mixes(fixture_catalog, text, message):
    with pytest.raises(InputError, match=message):
        run(fixture_catalog, text)


def test_unknown_model_names_the_slice(fixture_catalog):
    with pytest.raises(UnknownModel, match="unknown model") as info:
        run(fixture_catalog, "alpha-flash=50,alpha-flsh=50")
    assert "slice 2" in info.value.one_line() and "alpha-flash" in info.value.one_line()


def test_missing_workload(fixture_catalog):
    with pytest.raises(InputError, match="no input tokens"):
        run(fixture_catalog, "alpha-flash=100", default=Tokens(output=D(1)))


# -- files --------------------------------------------------------------------------------------


def test_dump_and_load_round_trip(tmp_path):
    spec = load_mix_text(
        tmp_path,
        'requests = 5\n[workload]\ninput = 1000\noutput = 2.5\n[[slices]]\nmodel = "a"\n'
        'share = "10-90"\ncache_hit_rate = 0.25\n[[slices]]\nmodel = "b"\nshare = 90\n',
    )
    again = tmp_path / "again.toml"
    again.write_text(dump_mix(spec))
    back = load_mix(again)
    assert back.slices == tuple(s.__class__(**{**_fields(s), "where": b.where})
                                for s, b in zip(spec.slices, back.slices, strict=True))  # fmt: skip
    assert back.tokens == spec.tokens and back.requests == 5


def _fields(s):
    return {name: getattr(s, name) for name in s.__slots__}


def load_mix_text(tmp_path, text):
    path = tmp_path / "mix.toml"
    path.write_text(text)
    return load_mix(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [("slices = [", "invalid TOML"),
     ("slices = []", "slices: List should have at least 1 item"),
     ("[[slices]]\nmodel = 'a'\nshare = 5\ncolour = 1", ":4: slices[0].colour: unknown key"),
     ("[[slices]]\nmodel = 'a'", "give share, or both share_min and share_max"),
     ("[[slices]]\nmodel = 'a'\nshare = 5\nshare_min = 1", "not both"),
     ("[[slices]]\nmodel = 'a'\nshare_min = 9\nshare_max = 1", ":1: slices[0] (a): share range"),
     ("[[slices]]\nmodel = 'a'\nshare = -1", "negative"),
     ("[[slices]]\nmodel = 'a'\nshare = 'x'", "not a number"),
     ("[[slices]]\nmodel = 'a'\nshare = 5\ninput = -3", "slices[0].input"),
     ("[[slices]]\nmodel = 'a'\nshare = 5\ncached = 1\ncache_hit_rate = 0.1", "not both"),
     ("[workload]\ncache_hit_rate = 2\n[[slices]]\nmodel = 'a'\nshare = 5", "cache_hit_rate"),
     ("requests = 'many'\n[[slices]]\nmodel = 'a'\nshare = 5", "requests"),
     ("", "slices: required")],
)  # fmt: skip
def test_mix_file_errors(tmp_path, text, message):
    with pytest.raises(InputError) as info:
        load_mix_text(tmp_path, text)
    line = info.value.one_line()
    assert message in line and str(tmp_path / "mix.toml") in line


def test_slice_errors_name_the_line(fixture_catalog, tmp_path):
    spec = load_mix_text(
        tmp_path,
        "# a comment\n[workload]\ninput = 10\noutput = 1\n\n"
        "[[slices]]\nmodel = 'alpha-flash'\nshare = 50\n\n[[slices]]\nmodel = 'nope'\nshare = 50\n",
    )
    with pytest.raises(UnknownModel) as info:
        simulate_mix(fixture_catalog, spec, at=AT)
    assert f"{tmp_path / 'mix.toml'}:10: slices[1] (nope)" in info.value.one_line()


# -- sweeps -------------------------------------------------------------------------------------


def test_parse_sweep():
    assert parse_sweep("cache-hit-rate=0:90%:30%").values == (0, D("0.3"), D("0.6"), D("0.9"))
    assert parse_sweep("output=1k:2k:500").values == (1000, 1500, 2000)
    s = parse_sweep("share:alpha-pro=0:10:4")
    assert (s.param, s.model, s.values) == ("share", "alpha-pro", (0, 4, 8))


@pytest.mark.parametrize(
    ("text", "message"),
    [("output", "not PARAM=START:STOP:STEP"), ("speed=1:2:1", "cannot sweep"),
     ("output=2:1:1", "below START"), ("output=1:2:0", "not positive"),
     ("output=0:1M:1", "more than 1000"), ("share:=0:1:1", "names no model"),
     ("share:a=90:110:10", "over 100%"), ("cache-hit-rate=0:2:1", "between 0 and 1")],
)  # fmt: skip
def test_parse_sweep_errors(text, message):
    with pytest.raises(InputError, match=message):
        parse_sweep(text)


def test_sweeps_on_the_fixture(fixture_catalog):
    spec = parse_mix("alpha-flash=50-70,beta-large=30-50")
    common = dict(default=TOKENS, requests=D(1000), at=AT)
    out = sweep_mix(fixture_catalog, spec, parse_sweep("output=0:100:100"), **common)
    assert [p.result.cost_max for p in out.points] == [D("5.5"), D("8.1")]  # 0.5+5, 0.6+7.5
    hits = sweep_mix(fixture_catalog, spec, parse_sweep("cache-hit-rate=0:1:1"), **common)
    # all hits: alpha-flash 0.1 + 0.2 = 0.3, beta-large 1 + 5 = 6
    assert hits.points[1].result.cost_min == D("0.21") + D("1.8")
    longer = sweep_mix(fixture_catalog, spec, parse_sweep("input=2000:2000:1"), **common)
    assert longer.points[0].result.cost_min == D("0.7") * D("2.2") + D("0.3") * 25
    share = sweep_mix(fixture_catalog, spec, parse_sweep("share:beta-large=20:40:10"), **common)
    assert share.points[0].result is None and "no split" in share.points[0].reason
    assert share.points[2].result.cost_min == share.points[2].result.cost_max == D("0.72") + 6
    with pytest.raises(InputError, match="not in the mix"):
        sweep_mix(fixture_catalog, spec, parse_sweep("share:alpha-pro=0:1:1"), **common)


# -- properties: exact bounds --------------------------------------------------------------------


@st.composite
def small_mixes(draw, width=8):
    """2-4 slices with integer share ranges of width <= `width` that admit a split."""
    n = draw(st.integers(2, 4))
    lows = [D(draw(st.integers(0, 100 // n))) for _ in range(n)]
    highs = [low + draw(st.integers(0, width)) for low in lows]
    highs[-1] = max(highs[-1], D(100) - sum(highs[:-1]))  # make 100 reachable
    assume(sum(lows) <= 100 <= sum(highs) and highs[-1] - lows[-1] <= 100)
    weights = [Fraction(draw(st.integers(-50, 500)), draw(st.integers(1, 7))) for _ in range(n)]
    return lows, highs, weights


def brute_force(lows, highs, fn):
    """Every integer split admitted by the ranges, evaluated."""
    values = []
    ranges = [range(int(lo), int(hi) + 1) for lo, hi in zip(lows, highs, strict=True)]
    for head in itertools.product(*ranges[:-1]):
        last = 100 - sum(head)
        if lows[-1] <= last <= highs[-1]:
            values.append(fn([D(x) for x in (*head, last)]))
    return values


def linear(split, weights):
    return sum(Fraction(s) * w for s, w in zip(split, weights, strict=True)) / 100


@settings(max_examples=150, deadline=None)
@given(small_mixes())
def test_bounds_equal_brute_force(mix):
    lows, highs, weights = mix
    low, high, at_low, at_high = bounds(lows, highs, weights)
    values = brute_force(lows, highs, lambda s: linear(s, weights))
    assert low == min(values) and high == max(values)
    assert low <= high
    assert linear(at_low, weights) == low and linear(at_high, weights) == high
    assert sum(at_low) == sum(at_high) == 100


@settings(max_examples=100, deadline=None)
@given(small_mixes(), st.lists(st.integers(1, 400), min_size=4, max_size=4))
def test_ratio_bounds_equal_brute_force(mix, base):
    lows, highs, weights = mix
    bottom = [Fraction(b) for b in base[: len(lows)]]
    found = ratio_bounds(lows, highs, weights, bottom)
    values = brute_force(lows, highs, lambda s: linear(s, weights) / linear(s, bottom))
    assert found == (min(values), max(values))


@settings(max_examples=100, deadline=None)
@given(small_mixes(), st.integers(0, 3), st.integers(0, 10), st.integers(0, 10))
def test_widening_a_range_never_narrows_the_bounds(mix, index, down, up):
    lows, highs, weights = mix
    index %= len(lows)
    wide_lows, wide_highs = list(lows), list(highs)
    wide_lows[index] = max(D(0), lows[index] - down)
    wide_highs[index] = min(D(100), highs[index] + up)
    low, high, _, _ = bounds(lows, highs, weights)
    wide_low, wide_high, _, _ = bounds(wide_lows, wide_highs, weights)
    assert wide_low <= low and wide_high >= high


MODELS = ("alpha-flash", "alpha-pro", "beta-large")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 100), min_size=3, max_size=3),
    st.integers(0, 5000),
    st.integers(0, 100),
    st.integers(0, 2000),
    st.integers(1, 10**6),
)
def test_fixed_shares_cost_the_weighted_sum(fixture_catalog, raw, prompt, hit_pct, output, n):
    assume(sum(raw) > 0)
    shares = [D(x) * 100 / sum(raw) for x in raw]
    shares = [s.quantize(D("0.01")) for s in shares]
    shares[-1] = 100 - sum(shares[:-1])
    assume(shares[-1] >= 0)
    cached = D(prompt * hit_pct) / 100
    tokens = Tokens(input=D(prompt), cached=cached, output=D(output))
    text = ",".join(f"{m}={s}" for m, s in zip(MODELS, shares, strict=True))
    r = run(fixture_catalog, text, default=tokens, requests=D(n))
    w = Workload(input=D(prompt), cached=cached, output=D(output), requests=D(n))
    expected = sum(
        (
            s / 100 * cost_at(fixture_catalog, m, w, AT).total
            for m, s in zip(MODELS, shares, strict=True)
        ),
        D(0),
    )
    assert r.cost_min == r.cost_max == expected
    assert r.cost_min >= 0
    for b in r.baselines:  # savings consistent with both costs
        assert b.savings_min == b.savings_max == b.cost - r.cost_min


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 50), st.integers(0, 50), st.integers(0, 40), st.integers(1, 3000))
def test_savings_consistent_with_both_costs(fixture_catalog, a, b, c, prompt):
    text = f"alpha-flash={a}-{a + 50},alpha-pro={b}-{b + 50},beta-large={c}"
    assume(a + b + c <= 100)
    tokens = Tokens(input=D(prompt), output=D(prompt // 3))
    r = run(fixture_catalog, text, default=tokens)
    assert r.cost_min <= r.cost_max
    for base in r.baselines:
        assert base.cost is not None
        assert base.savings_min == base.cost - r.cost_max
        assert base.savings_max == base.cost - r.cost_min
        if base.cost:
            exact_low = Fraction(base.cost - r.cost_max) / Fraction(base.cost)
            assert abs(Fraction(base.savings_fraction_min) - exact_low) <= Fraction(1, 20000)
            assert base.savings_fraction_min <= base.savings_fraction_max
