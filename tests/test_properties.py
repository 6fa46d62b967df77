"""Properties of the engine and the bitemporal lookup, checked by hypothesis.

Every comparison is exact. Costs are compared as `Fraction`s, so the test's own arithmetic never
rounds. Token counts have at most three decimal places (exactness of many-digit averages is
`test_many_digit_averages_are_priced_exactly` in test_engine.py).

The period-splitting property needs care: `cost_over` spreads requests evenly over time, and a
share of a period is in general a repeating decimal that `to_decimal` rounds at 20 places. So
the periods are whole minutes and the request count is `duration_in_minutes * c`: then every
stretch of time gets `its_minutes * c` requests, a terminating decimal, every cost is exact,
and the whole must equal the sum of the halves with no tolerance at all.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from llmcost.catalog.lookup import Catalog
from llmcost.catalog.schema import ProviderFile
from llmcost.engine import KINDS, Workload, cost_at, cost_over

START = datetime(2026, 1, 1, tzinfo=UTC)  # every fixture model but alpha-old is priced from here
LIVE_MODELS = ["alpha-flash", "alpha-pro", "beta-large"]  # alpha-old retires on 2026-02-01


def fractions(cost) -> tuple[Fraction, ...]:
    return tuple(Fraction(getattr(cost, kind)) for kind in KINDS)


# -- strategies --------------------------------------------------------------------------------

amounts = st.integers(min_value=0, max_value=2_000_000_000).map(lambda n: Decimal(n) / 1000)


@st.composite
def workloads(draw, *, batch: bool = False) -> Workload:
    """Per-request counts up to 2M tokens with up to three decimals; the prompt is split into
    uncached, hits, 5-minute and 1-hour writes."""
    parts = [draw(amounts) for _ in range(4)]
    return Workload(
        input=sum(parts, Decimal(0)),
        cached=parts[1],
        cache_write=parts[2],
        cache_write_1h=parts[3],
        output=draw(amounts),
        requests=Decimal(draw(st.integers(min_value=0, max_value=10**6))),
        tier="batch" if batch else "standard",
    )


instants = st.integers(min_value=0, max_value=100 * 24 * 60).map(
    lambda minutes: START + timedelta(minutes=minutes)
)  # whole minutes over 2026-01-01 .. 2026-04-11: the promo, its end, peak windows, weekends
known_days = st.none() | st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 3, 1))


def with_changes(w: Workload, **changes) -> Workload:
    fields = {
        "input": w.input,
        "output": w.output,
        "cached": w.cached,
        "cache_write": w.cache_write,
        "cache_write_1h": w.cache_write_1h,
        "requests": w.requests,
        "tier": w.tier,
    }
    return Workload(**(fields | changes))


def scaled_tokens(w: Workload, k: int) -> Workload:
    return with_changes(
        w,
        input=w.input * k,
        output=w.output * k,
        cached=w.cached * k,
        cache_write=w.cache_write * k,
        cache_write_1h=w.cache_write_1h * k,
    )


# -- linearity and sums ------------------------------------------------------------------------


@given(
    model=st.sampled_from(LIVE_MODELS),
    w=workloads(),
    at=instants,
    known=known_days,
    k=st.integers(min_value=0, max_value=1000),
)
def test_cost_is_linear_in_requests(fixture_catalog, model, w, at, known, k):
    one = cost_at(fixture_catalog, model, w, at, known)
    many = cost_at(fixture_catalog, model, with_changes(w, requests=w.requests * k), at, known)
    assert fractions(many) == tuple(k * part for part in fractions(one))


@given(
    model=st.sampled_from(["alpha-flash", "alpha-pro"]),
    w=workloads(),
    at=instants,
    k=st.integers(1, 1000),
)
def test_cost_is_linear_in_tokens_without_tiers(fixture_catalog, model, w, at, k):
    # the alpha models have no long-context tier, so scaling every token count scales the cost
    one = cost_at(fixture_catalog, model, w, at)
    many = cost_at(fixture_catalog, model, scaled_tokens(w, k), at)
    assert fractions(many) == tuple(k * part for part in fractions(one))


@given(w=workloads(), at=instants, k=st.integers(1, 1000))
def test_cost_is_linear_in_tokens_within_a_tier(fixture_catalog, w, at, k):
    # scaling keeps a prompt on the same side of beta-large's 100K threshold only if it is
    # already over it (or both stay at/below it); compare within whichever side both land on
    one = cost_at(fixture_catalog, "beta-large", w, at)
    many = cost_at(fixture_catalog, "beta-large", scaled_tokens(w, k), at)
    same_side = (w.input > 100_000) == (w.input * k > 100_000)
    if same_side:
        assert fractions(many) == tuple(k * part for part in fractions(one))
    else:  # crossing into the tier can only make each token dearer
        assert all(m >= k * o for m, o in zip(fractions(many), fractions(one), strict=True))


@given(model=st.sampled_from(LIVE_MODELS), w=workloads(), at=instants, known=known_days)
def test_cost_is_never_negative_and_total_is_the_sum(fixture_catalog, model, w, at, known):
    cost = cost_at(fixture_catalog, model, w, at, known)
    assert all(part >= 0 for part in fractions(cost))
    assert Fraction(cost.total) == sum(fractions(cost))


@given(
    model=st.sampled_from(LIVE_MODELS),
    w=workloads(),
    more=st.integers(min_value=0, max_value=10**6),
    at=instants,
)
def test_requests_add_up(fixture_catalog, model, w, more, at):
    a = cost_at(fixture_catalog, model, w, at)
    b = cost_at(fixture_catalog, model, with_changes(w, requests=Decimal(more)), at)
    both = cost_at(fixture_catalog, model, with_changes(w, requests=w.requests + more), at)
    assert fractions(both) == tuple(x + y for x, y in zip(fractions(a), fractions(b), strict=True))


@given(w=workloads(), at=instants)
def test_batch_is_exactly_half_on_beta_large(fixture_catalog, w, at):
    full = cost_at(fixture_catalog, "beta-large", w, at)
    batch = cost_at(fixture_catalog, "beta-large", with_changes(w, tier="batch"), at)
    assert fractions(batch) == tuple(part / 2 for part in fractions(full))


# -- periods -----------------------------------------------------------------------------------


@st.composite
def split_periods(draw):
    """(start, middle, end, c): whole minutes, start < middle < end, within a week."""
    start = draw(instants)
    minutes = draw(st.integers(min_value=2, max_value=7 * 24 * 60))
    middle = draw(st.integers(min_value=1, max_value=minutes - 1))
    c = Decimal(draw(st.integers(min_value=1, max_value=4000))) / 4  # requests per minute
    return start, start + timedelta(minutes=middle), start + timedelta(minutes=minutes), c


@settings(max_examples=150)
@given(model=st.sampled_from(LIVE_MODELS), w=workloads(), period=split_periods(), known=known_days)
def test_splitting_a_period_anywhere_gives_the_same_total(fixture_catalog, model, w, period, known):
    start, middle, end, per_minute = period

    def minutes(a: datetime, b: datetime) -> int:
        return (b - a) // timedelta(minutes=1)

    def over(a: datetime, b: datetime):
        requests = per_minute * minutes(a, b)  # this stretch's exact share of the requests
        return cost_over(fixture_catalog, model, with_changes(w, requests=requests), a, b, known)

    whole, first, second = over(start, end), over(start, middle), over(middle, end)
    halves = tuple(
        x + y for x, y in zip(fractions(first.cost), fractions(second.cost), strict=True)
    )
    assert fractions(whole.cost) == halves
    # and the whole is the sum of its own segments, which tile the period
    assert sum((Fraction(s.cost.total) for s in whole.segments), Fraction(0)) == Fraction(
        whole.cost.total
    )
    assert whole.segments[0].start == start
    assert whole.segments[-1].end == end
    assert all(a.end == b.start for a, b in zip(whole.segments, whole.segments[1:], strict=False))
    assert sum(s.requests for s in whole.segments) == per_minute * minutes(start, end)


@given(model=st.sampled_from(LIVE_MODELS), w=workloads(), at=instants)
def test_a_period_with_one_rate_costs_what_an_instant_does(fixture_catalog, model, w, at):
    # one minute never straddles a price change in the fixture (all changes are on whole hours)
    period = cost_over(fixture_catalog, model, w, at, at + timedelta(minutes=1))
    assert fractions(period.cost) == fractions(cost_at(fixture_catalog, model, w, at))


# -- the version rule --------------------------------------------------------------------------

RELEASE = datetime(2026, 1, 1, tzinfo=UTC)


def entry(published: date, start: datetime, until: datetime | None, rate: int) -> dict:
    return {
        "published": published,
        "valid_from": start,
        "valid_until": until,
        "kind": "list",
        "source": ["S"],
        "rates": {"USD": {"input_mtok": Decimal(rate), "output_mtok": Decimal(rate)}},
    }


def catalog_of(entries: list[dict]) -> Catalog:
    provider = ProviderFile.model_validate(
        {
            "provider": "p",
            "name": "P",
            "sources": {"S": {"title": "a source"}},
            "models": [
                {
                    "id": "m",
                    "name": "M",
                    "released": RELEASE,
                    "context_window": 1_000_000,
                    "max_output": 1_000,
                    "prices": [{k: v for k, v in e.items() if v is not None} for e in entries],
                }
            ],
        }
    )
    return Catalog([(Path("p.toml"), provider)])


@st.composite
def histories(draw):
    """A launch entry, some later entries, and one entry published after all of them that
    covers the instant `t`; returns (older entries, newest entry, its file position, t)."""
    day0 = RELEASE.date()
    older = [entry(day0, RELEASE, None, 1)]
    for rate in range(2, 2 + draw(st.integers(0, 4))):
        published = day0 + timedelta(days=draw(st.integers(0, 60)))
        start = RELEASE + timedelta(hours=draw(st.integers(0, 90 * 24)))
        hours = draw(st.none() | st.integers(1, 60 * 24))
        until = None if hours is None else start + timedelta(hours=hours)
        older.append(entry(published, start, until, rate))
    last_day = max(e["published"] for e in older)
    published = last_day + timedelta(days=draw(st.integers(1, 30)))
    start = RELEASE + timedelta(hours=draw(st.integers(0, 90 * 24)))
    length = draw(st.integers(1, 60 * 24))
    newest = entry(
        published, start, draw(st.sampled_from([None, start + timedelta(hours=length)])), 100
    )
    t = start + timedelta(minutes=draw(st.integers(0, length * 60 - 1)))
    position = draw(st.integers(0, len(older)))
    return older, newest, position, t


ONE_M_INPUT = Workload(input=1_000_000, output=0)  # costs exactly the winner's input rate


@given(history=histories())
def test_a_later_publication_covering_t_wins(history):
    older, newest, position, t = history
    entries = [*older[:position], newest, *older[position:]]  # anywhere in the file
    catalog = catalog_of(entries)
    # the newest catalog, and any version from its publication on, price t at the new entry
    assert cost_at(catalog, "m", ONE_M_INPUT, t).total == 100
    assert cost_at(catalog, "m", ONE_M_INPUT, t, known=newest["published"]).total == 100
    # a version before its publication ignores it: the same as a catalog without it
    before = newest["published"] - timedelta(days=1)
    without = catalog_of(older)
    assert cost_at(catalog, "m", ONE_M_INPUT, t, known=before) == cost_at(
        without, "m", ONE_M_INPUT, t, known=before
    )
    assert cost_at(catalog, "m", ONE_M_INPUT, t, known=before).total != 100


@given(t=instants)
def test_same_day_tie_goes_to_the_later_entry_in_the_file(t):
    day0 = RELEASE.date()
    catalog = catalog_of([entry(day0, RELEASE, None, 1), entry(day0, RELEASE, None, 2)])
    assert cost_at(catalog, "m", ONE_M_INPUT, t).total == 2


# -- money: dividing amounts -------------------------------------------------------------------

signed_decimals = st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(
    lambda d: abs(d) < Decimal("1e30") and (d == 0 or abs(d) > Decimal("1e-30"))
)


@settings(max_examples=500)
@given(numerator=signed_decimals, denominator=signed_decimals.filter(lambda d: d != 0))
def test_quotient_is_the_fraction_rounded(numerator, denominator):
    """`quotient` (integers) gives the very Decimal the Fraction route gives: the same value,
    digits and exponent, exact where the quotient terminates and rounded at 20 places where
    it repeats."""
    from llmcost.money import quotient, to_decimal

    expected = to_decimal(Fraction(numerator) / Fraction(denominator))
    got = quotient(numerator, denominator)
    assert str(got) == str(expected)


def test_quotient_by_hand():
    from llmcost.money import quotient, ratio

    assert str(quotient(Decimal("0.50"), Decimal(1))) == "0.5"  # reduced, as 1/2
    assert str(quotient(Decimal(1), Decimal(3))) == "0.33333333333333333333"
    assert str(quotient(Decimal(-2), Decimal(3))) == "-0.66666666666666666667"
    # a quotient that terminates is exact, however many places it has
    assert quotient(Decimal(1), Decimal(8) * 10**20) == Decimal("1.25E-21")
    assert ratio(Decimal(2), Decimal(3)) == Decimal("0.6667")
