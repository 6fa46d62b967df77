"""Traffic mixes across models: the library behind `llmcost simulate`.

A mix gives each model a share of the traffic, in percent, fixed (`60`) or a range (`60-70`).
Each slice may carry its own per-request workload (the Opus slice of a real product sends longer
prompts than the Flash slice). The cost of a split `s` is linear in the shares:

    cost(s) = sum_i s_i / 100 * C_i

where `C_i` is the cost of *all* the requests on slice `i`'s model with slice `i`'s workload. Over
the feasible set {min_i <= s_i <= max_i, sum s_i = 100} a linear function is extreme at a vertex,
and the vertex is found greedily: start every slice at its minimum and hand the remainder to the
slices with the smallest (for the minimum) or largest (for the maximum) `C_i` first, each up to
its maximum. Exact, no sampling; `tests/test_mix.py` checks it against brute force.

A baseline is all the traffic on one model: slice `i`'s requests, with slice `i`'s workload, on
the baseline model. When the slices' workloads differ the baseline's cost depends on the split
too; savings are then bounded over the *same* split as the mix (the same requests, routed
differently), and the savings fraction `1 - mix/baseline` by Dinkelbach's method over the same
greedy step, which is exact as well.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from fractions import Fraction

from llmcost.catalog.entities import STANDARD
from llmcost.catalog.lookup import Catalog, ModelInfo
from llmcost.engine import Workload
from llmcost.errors import InputError, LlmcostError, NotPriced
from llmcost.kinds import TOKEN_KINDS
from llmcost.money import EXACT, REPEATING_PLACES, ratio, to_decimal
from llmcost.traffic import TrafficProfile
from llmcost.units import MAX_PLACES

HUNDRED = Decimal(100)
_SHARE = re.compile(r"^\s*([^-\s][^-]*?)\s*(?:-\s*(.+?)\s*)?$")


# -- what a mix is ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Tokens:
    """Per-request token counts, each possibly unset (then taken from a wider default).

    `cache_hit_rate` is the alternative to `cached`: a fraction of this level's `input`.
    """

    input: Decimal | None = None
    cached: Decimal | None = None
    cache_hit_rate: Decimal | None = None
    cache_write: Decimal | None = None
    cache_write_1h: Decimal | None = None
    output: Decimal | None = None

    def over(self, default: Tokens) -> Tokens:
        """These counts, with the unset ones taken from `default`. Cache hits are one field
        given two ways: whichever level names them (as `cached` or a rate) wins whole."""
        merged = {
            name: getattr(self, name) if getattr(self, name) is not None else getattr(default, name)
            for name in TOKEN_KINDS
            if name != "cached"
        }
        hits = self if (self.cached, self.cache_hit_rate) != (None, None) else default
        return Tokens(cached=hits.cached, cache_hit_rate=hits.cache_hit_rate, **merged)

    def given(self) -> dict[str, Decimal]:
        """The counts that are set, as a mix file writes them."""
        values = ((f.name, getattr(self, f.name)) for f in fields(self))
        return {name: value for name, value in values if value is not None}

    def workload(self, requests: Decimal, tier: str, where: str) -> Workload:
        """A complete workload; `input` and `output` must be set by now."""
        for name in ("input", "output"):
            if getattr(self, name) is None:
                raise InputError(
                    f"no {name} tokens per request",
                    where=where,
                    hint=f"give --{name} or set {name} in the mix file",
                )
        cached = self.cached
        if cached is None:
            rate = self.cache_hit_rate
            cached = EXACT.multiply(self.input, rate) if rate is not None else Decimal(0)
        try:
            return Workload(
                input=self.input,
                output=self.output,
                cached=Decimal(cached),
                cache_write=self.cache_write or Decimal(0),
                cache_write_1h=self.cache_write_1h or Decimal(0),
                requests=requests,
                tier=tier,
            )
        except LlmcostError as exc:
            raise InputError(exc.message, where=where, hint=exc.hint) from None


@dataclass(frozen=True, slots=True)
class Slice:
    """A model's share of the traffic, in percent, and its own workload where it has one."""

    model: str  # as the user wrote it; resolved against a catalog by `simulate_mix`
    share_min: Decimal
    share_max: Decimal
    tokens: Tokens = Tokens()
    where: str = "--mix"  # for errors: "--mix" or "mix.toml:12"


@dataclass(frozen=True)
class MixSpec:
    """A mix as written: its slices, a default workload and a number of requests."""

    slices: tuple[Slice, ...]
    tokens: Tokens = Tokens()
    requests: Decimal | None = None
    source: str = "--mix"
    tier: str | None = None  # every request in this service tier (a mix file's `tier`)
    traffic: TrafficProfile | None = None  # when in the week the requests come (`traffic`)


# -- reading a mix ----------------------------------------------------------------------------


def parse_share(text: str, *, where: str) -> tuple[Decimal, Decimal]:
    """`60` or `60-70` (an optional `%` on either number) as (min, max) percent."""
    match = _SHARE.match(text)
    hint = "a share is a percent like 60 or a range like 60-70"
    if text.strip().startswith("-"):
        raise InputError(f"share {text.strip()!r} is negative", where=where, hint=hint)
    if not match:
        raise InputError(
            f"share {text.strip()!r} is not a percent or a range", where=where, hint=hint
        )
    low = parse_percent(match.group(1), text, where)
    high = parse_percent(match.group(2), text, where) if match.group(2) is not None else low
    return check_range(low, high, where=where)


def parse_percent(part: str, text: str, where: str) -> Decimal:
    value = part.strip().removesuffix("%").strip()
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise InputError(
            f"share {text.strip()!r} is not a number",
            where=where,
            hint="a share is a percent like 60 or a range like 60-70",
        ) from None
    if not number.is_finite() or not re.fullmatch(r"[0-9]*\.?[0-9]*", value):
        raise InputError(
            f"share {text.strip()!r} is not a number",
            where=where,
            hint="a share is a percent like 60 or a range like 60-70",
        )
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_PLACES:
        raise InputError(
            f"share {text.strip()!r} has more than {MAX_PLACES} decimal places",
            where=where,
            hint="shares are priced exactly: give at most 12 decimals",
        )
    return number


def check_range(low: Decimal, high: Decimal, *, where: str) -> tuple[Decimal, Decimal]:
    """A share range between 0 and 100 percent with its minimum at most its maximum."""
    for value in (low, high):
        if value < 0:
            raise InputError(f"share {value}% is negative", where=where)
        if value > HUNDRED:
            raise InputError(f"share {value}% is over 100%", where=where)
    if low > high:
        raise InputError(
            f"share range {low}-{high}: the minimum is over the maximum",
            where=where,
            hint=f"write {high}-{low}",
        )
    return low, high


def parse_mix(spec: str) -> MixSpec:
    """`model=share,...`, e.g. `deepseek-v4-flash=60-70,claude-opus-4-7=15-20,gpt-5.5=10-15`."""
    if not isinstance(spec, str):
        raise InputError(f"{spec!r} is not a mix", where="--mix", hint="e.g. 'gpt-5.5=100'")
    slices = []
    for index, part in enumerate(p for p in spec.split(",") if p.strip()):
        where = f"--mix slice {index + 1}"
        name, sep, share = part.partition("=")
        if not sep or not name.strip():
            raise InputError(
                f"{part.strip()!r} is not model=share",
                where=where,
                hint="e.g. --mix deepseek-v4-flash=60-70,gpt-5.5=30-40",
            )
        low, high = parse_share(share, where=f"{where} ({name.strip()})")
        slices.append(Slice(name.strip(), low, high, where=f"{where} ({name.strip()})"))
    if not slices:
        raise InputError("the mix is empty", where="--mix", hint="e.g. --mix gpt-5.5=100")
    return MixSpec(tuple(slices))


# -- results ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SliceResult:
    model: ModelInfo
    given_min: Decimal  # the share range as written, percent
    given_max: Decimal
    share_min: Decimal  # the range the other slices admit (may be narrower), percent
    share_max: Decimal
    requests_min: Decimal
    requests_max: Decimal
    workload: Workload  # per request; `requests` is the whole traffic
    whole: Decimal  # the cost of all the traffic on this slice's model and workload
    cost_min: Decimal
    cost_max: Decimal


@dataclass(frozen=True, slots=True)
class BaselineResult:
    """All the traffic on one model. `cost` is set when it does not depend on the split."""

    model: ModelInfo
    cost_min: Decimal
    cost_max: Decimal
    savings_min: Decimal
    savings_max: Decimal
    savings_fraction_min: Decimal | None  # None when the baseline can cost nothing
    savings_fraction_max: Decimal | None

    @property
    def cost(self) -> Decimal | None:
        return self.cost_min if self.cost_min == self.cost_max else None


@dataclass(frozen=True, slots=True)
class Priced:
    """What a mix is priced at: the instant (or period), the catalog version, the currency and
    the traffic profile its requests follow."""

    at: datetime
    until: datetime | None
    version: date
    currency: str
    traffic: TrafficProfile | None


@dataclass(frozen=True)
class MixResult:
    slices: tuple[SliceResult, ...]
    cost_min: Decimal
    cost_max: Decimal
    split_min: tuple[Decimal, ...]  # a split (percent, slice order) at which the minimum falls
    split_max: tuple[Decimal, ...]
    baselines: tuple[BaselineResult, ...]
    requests: Decimal
    at: datetime
    until: datetime | None
    version: date
    currency: str
    traffic: TrafficProfile | None


# -- the exact bounds -------------------------------------------------------------------------


def feasible(lows: Sequence[Decimal], highs: Sequence[Decimal], total=HUNDRED) -> bool:
    return sum(lows, Decimal(0)) <= total <= sum(highs, Decimal(0))


def extreme_split(
    lows: Sequence[Decimal],
    highs: Sequence[Decimal],
    weights: Sequence[Fraction | Decimal],
    *,
    maximize: bool,
    total: Decimal = HUNDRED,
) -> tuple[Decimal, ...]:
    """The split (summing to `total`, within the ranges) that minimizes (or maximizes)
    `sum s_i * w_i`: every slice at its minimum, the remainder to the best weights first."""
    split = list(lows)
    left = total - sum(lows, Decimal(0))
    order = sorted(range(len(lows)), key=lambda i: (weights[i], i), reverse=maximize)
    for i in order:
        if left <= 0:
            break
        give = min(highs[i] - lows[i], left)
        split[i] += give
        left -= give
    return tuple(split)


def weighted(split: Sequence[Decimal], weights: Sequence[Fraction | Decimal]) -> Fraction:
    """`sum s_i / 100 * w_i`, exactly."""
    return (
        sum((Fraction(s) * Fraction(w) for s, w in zip(split, weights, strict=True)), Fraction(0))
        / 100
    )


def bounds(lows, highs, weights) -> tuple[Fraction, Fraction, tuple, tuple]:
    """(min, max, split at min, split at max) of `sum s_i / 100 * w_i`."""
    low_split = extreme_split(lows, highs, weights, maximize=False)
    high_split = extreme_split(lows, highs, weights, maximize=True)
    return weighted(low_split, weights), weighted(high_split, weights), low_split, high_split


def ratio_bounds(lows, highs, top, bottom) -> tuple[Fraction, Fraction] | None:
    """Exact (min, max) of `sum s_i top_i / sum s_i bottom_i` over the feasible splits, by
    Dinkelbach's method: each step is a linear problem solved by `extreme_split`, and the
    ratio strictly improves until a vertex is optimal. `None` if the bottom can be zero."""
    if bounds(lows, highs, bottom)[0] <= 0:
        return None
    found = []
    for maximize in (False, True):
        split = extreme_split(lows, highs, bottom, maximize=False)
        value = weighted(split, top) / weighted(split, bottom)
        while True:
            mixed = [Fraction(t) - value * Fraction(b) for t, b in zip(top, bottom, strict=True)]
            split = extreme_split(lows, highs, mixed, maximize=maximize)
            better = weighted(split, top) / weighted(split, bottom)
            if better == value or (better < value) == maximize:
                break
            value = better
        found.append(value)
    return found[0], found[1]


def admissible_range(lows, highs, index: int) -> tuple[Decimal, Decimal]:
    """The shares slice `index` can take in some split that sums to 100."""
    others_low = sum(lows, Decimal(0)) - lows[index]
    others_high = sum(highs, Decimal(0)) - highs[index]
    return max(lows[index], HUNDRED - others_high), min(highs[index], HUNDRED - others_low)


def check_mix(spec: MixSpec) -> None:
    """Shares that cannot sum to 100%: an error naming the sums."""
    if not spec.slices:
        raise InputError("the mix is empty", where=spec.source)
    lows = [s.share_min for s in spec.slices]
    highs = [s.share_max for s in spec.slices]
    low_sum, high_sum = sum(lows, Decimal(0)), sum(highs, Decimal(0))
    if low_sum > HUNDRED:
        raise InputError(
            f"the shares cannot sum to 100%: their minimums already sum to {low_sum}%",
            where=spec.source,
            hint="lower some minimums",
        )
    if high_sum < HUNDRED:
        raise InputError(
            f"the shares cannot sum to 100%: their maximums sum to only {high_sum}%",
            where=spec.source,
            hint="raise some maximums",
        )


# -- pricing a mix ----------------------------------------------------------------------------

PriceFn = Callable[[str, Workload], Decimal]


def simulate_mix(
    catalog: Catalog,
    spec: MixSpec,
    *,
    default: Tokens = Tokens(),
    requests: Decimal | None = None,
    tier: str | None = None,
    at: datetime,
    until: datetime | None = None,
    known: date | None = None,
    currency: str = "USD",
    baselines: Sequence[str] = (),
    traffic: TrafficProfile | None = None,
) -> MixResult:
    """Price a mix: per slice, the mix's exact minimum and maximum, and savings against each
    baseline (every model in the mix, then each of `baselines`).

    `default` is the workload of the command line: it overrides the mix file's default
    workload, and a slice's own counts override both. `requests` and `traffic` override the
    file's.
    """
    from llmcost.engine import price_one

    profile = traffic if traffic is not None else spec.traffic

    def price(model_id: str, workload: Workload) -> Decimal:
        try:
            return price_one(catalog, model_id, workload, at, until, known, currency, profile).total
        except NotPriced as exc:  # a slice's model: say which slice (file:line of a mix file)
            if exc.where is None and model_id in slice_at:
                exc.where = slice_at[model_id]
            raise

    infos, workloads = resolve_slices(catalog, spec, default, requests, tier or spec.tier)
    slice_at = {info.id: s.where for s, info in zip(spec.slices, infos, strict=True) if s.where}
    extra = [catalog.resolve(b) for b in baselines]
    priced = Priced(at, until, catalog.version_for(known), currency, profile)
    return price_mix(spec, infos, workloads, price, priced, extra)


def resolve_slices(
    catalog: Catalog,
    spec: MixSpec,
    default: Tokens,
    requests: Decimal | None,
    tier: str | None,
) -> tuple[list[ModelInfo], list[Workload]]:
    """Each slice's model (no model twice) and complete workload."""
    check_mix(spec)
    total = requests if requests is not None else spec.requests
    total = total if total is not None else Decimal(1)
    base = default.over(spec.tokens)
    infos, workloads, seen = [], [], {}
    for s in spec.slices:
        try:
            info = catalog.resolve(s.model)
        except LlmcostError as exc:
            raise type(exc)(exc.message, where=s.where, hint=exc.hint) from None
        if info.id in seen:
            raise InputError(
                f"model {info.id!r} is in the mix twice (as {seen[info.id]!r} and {s.model!r})",
                where=s.where,
                hint="give each model one slice",
            )
        seen[info.id] = s.model
        infos.append(info)
        workloads.append(s.tokens.over(base).workload(total, tier or STANDARD, s.where))
    return infos, workloads


def price_mix(
    spec: MixSpec,
    infos: Sequence[ModelInfo],
    workloads: Sequence[Workload],
    price: PriceFn,
    priced: Priced,
    extra_baselines: Sequence[ModelInfo] = (),
) -> MixResult:
    """The bounds, given a way to price a workload on a model (pure: no catalog, no clock)
    and what that way prices at (`priced`)."""
    lows = [s.share_min for s in spec.slices]
    highs = [s.share_max for s in spec.slices]
    wholes = [price(info.id, w) for info, w in zip(infos, workloads, strict=True)]
    low, high, split_low, split_high = bounds(lows, highs, wholes)
    total = workloads[0].requests
    slices = []
    for i, (s, info, w, whole) in enumerate(
        zip(spec.slices, infos, workloads, wholes, strict=True)
    ):
        share_low, share_high = admissible_range(lows, highs, i)
        slices.append(
            SliceResult(
                model=info,
                given_min=s.share_min,
                given_max=s.share_max,
                share_min=share_low,
                share_max=share_high,
                requests_min=_part(total, share_low),
                requests_max=_part(total, share_high),
                workload=w,
                whole=whole,
                cost_min=_part(whole, share_low),
                cost_max=_part(whole, share_high),
            )
        )
    chosen = list({info.id: info for info in [*infos, *extra_baselines]}.values())
    results = tuple(
        baseline(lows, highs, wholes, [price(b.id, w) for w in workloads], b) for b in chosen
    )
    return MixResult(
        slices=tuple(slices),
        cost_min=settle(low),
        cost_max=settle(high),
        split_min=split_low,
        split_max=split_high,
        baselines=results,
        requests=total,
        at=priced.at,
        until=priced.until,
        version=priced.version,
        currency=priced.currency,
        traffic=priced.traffic,
    )


def baseline(lows, highs, mix_weights, base_weights, info: ModelInfo) -> BaselineResult:
    """Savings of the mix against all traffic on `info`, bounded over the same splits."""
    cost_low, cost_high, _, _ = bounds(lows, highs, base_weights)
    diff = [Fraction(b) - Fraction(m) for b, m in zip(base_weights, mix_weights, strict=True)]
    save_low, save_high, _, _ = bounds(lows, highs, diff)
    fractions = ratio_bounds(lows, highs, diff, base_weights)
    return BaselineResult(
        model=info,
        cost_min=settle(cost_low),
        cost_max=settle(cost_high),
        savings_min=settle(save_low),
        savings_max=settle(save_high),
        savings_fraction_min=_fraction(fractions[0]) if fractions else None,
        savings_fraction_max=_fraction(fractions[1]) if fractions else None,
    )


def _fraction(value: Fraction) -> Decimal | None:
    return ratio(Decimal(value.numerator), Decimal(value.denominator))


def _part(whole: Decimal, percent: Decimal) -> Decimal:
    return settle(Fraction(whole) * Fraction(percent) / 100)


_ROUNDING = Context(prec=200, rounding=ROUND_HALF_EVEN)
_PLACE = Decimal(1).scaleb(-REPEATING_PLACES)


def settle(value: Fraction) -> Decimal:
    """An amount computed from costs as a Decimal. A period's cost can repeat and arrives
    rounded at REPEATING_PLACES; shares of it are rounded there again, so that the digits
    below that place (which that first rounding already made meaningless) do not show."""
    amount = to_decimal(value)
    if amount.as_tuple().exponent < -REPEATING_PLACES:
        amount = _ROUNDING.quantize(amount, _PLACE)
    return amount
