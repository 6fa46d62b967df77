"""Sweeps: a mix priced across the values of one parameter, so a user sees where it stops
paying off. `--sweep PARAM=START:STOP:STEP`, STOP included when a step lands on it:

- `cache-hit-rate=0:0.9:0.1` (or `0%:90%:10%`): every slice's cache hits as that fraction of
  its prompt;
- `input=1k:64k:1k`: every slice's prompt, keeping each slice's hit and cache-write rates;
- `output=100:2k:100`: every slice's output tokens;
- `share:<model>=0:50:5` (percent): that slice's share fixed, the others keeping their ranges;
  a value no split admits gives a point without a result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

from llmcost.catalog.lookup import Catalog
from llmcost.engine import Workload
from llmcost.errors import InputError, TooLarge
from llmcost.mix import (
    HUNDRED,
    MixResult,
    MixSpec,
    Tokens,
    feasible,
    parse_percent,
    resolve_slices,
    simulate_mix,
)
from llmcost.money import to_decimal
from llmcost.traffic import TrafficProfile

SWEEP_PARAMS = ("cache-hit-rate", "input", "output", "share:<model>")


@dataclass(frozen=True, slots=True)
class Sweep:
    """`--sweep PARAM=START:STOP:STEP`: `param` is `cache-hit-rate`, `input`, `output` or
    `share:<model>`; the values run from START to STOP (inclusive) by STEP."""

    param: str
    values: tuple[Decimal, ...]
    model: str | None = None  # for `share:<model>`, the name as written


@dataclass(frozen=True, slots=True)
class SweepPoint:
    value: Decimal
    result: MixResult | None  # None: no split admitted at this value
    reason: str | None = None


@dataclass(frozen=True)
class SweepResult:
    sweep: Sweep
    points: tuple[SweepPoint, ...] = field(default=())


MAX_SWEEP_POINTS = 1000


def parse_sweep(text: str) -> Sweep:
    """`cache-hit-rate=0:0.9:0.1` (or `0%:90%:10%`), `output=100:2k:100`, `input=1k:64k:1k`,
    `share:claude-opus-4-7=0:50:5` (percent)."""
    from llmcost.units import parse_count

    where = "--sweep"
    name, sep, spans = text.partition("=")
    param = name.strip().lower()
    parts = spans.split(":")
    if not sep or len(parts) != 3:
        raise InputError(
            f"{text!r} is not PARAM=START:STOP:STEP",
            where=where,
            hint="e.g. --sweep cache-hit-rate=0:0.9:0.1",
        )
    model = None
    if param.startswith("share:"):
        model = name.strip()[len("share:") :].strip()
        if not model:
            raise InputError("share: names no model", where=where, hint="share:<model>=0:50:5")
        numbers = [parse_percent(p, p, where) for p in parts]
        param = "share"
    elif param == "cache-hit-rate":
        numbers = [_rate(p, where) for p in parts]
    elif param in ("input", "output"):
        numbers = [parse_count(p, field=f"--sweep {param}") for p in parts]
    else:
        raise InputError(
            f"cannot sweep {name.strip()!r}",
            where=where,
            hint="sweep one of " + ", ".join(SWEEP_PARAMS),
        )
    start, stop, step = numbers
    if step <= 0:
        raise InputError(f"the step {parts[2].strip()!r} is not positive", where=where)
    if stop < start:
        raise InputError(f"STOP {parts[1].strip()!r} is below START", where=where)
    if (stop - start) / step >= MAX_SWEEP_POINTS:
        raise InputError(f"more than {MAX_SWEEP_POINTS} values", where=where, hint="a larger step")
    values = []
    value = start
    while value <= stop:
        values.append(value)
        value += step
    if param == "share" and values[-1] > HUNDRED:
        raise InputError("a share over 100%", where=where)
    return Sweep(param, tuple(values), model)


def _rate(text: str, where: str) -> Decimal:
    from llmcost.units import parse_fraction

    return parse_fraction(text, field=where + " cache-hit-rate")


def sweep_mix(
    catalog: Catalog,
    spec: MixSpec,
    sweep: Sweep,
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
) -> SweepResult:
    """The mix priced at each value of one parameter, everything else held.

    `cache-hit-rate` sets every slice's hits to that fraction of its prompt; `input` sets
    every slice's prompt, keeping each slice's hit and cache-write rates; `output` sets every
    slice's output; `share:<model>` fixes that slice's share, the others keeping their ranges
    (a value no split admits gives a point without a result).
    """
    kwargs = dict(
        requests=requests,
        tier=tier,
        at=at,
        until=until,
        known=known,
        currency=currency,
        baselines=baselines,
        traffic=traffic,
    )
    target = catalog.resolve(sweep.model).id if sweep.model else None
    if target is not None and target not in {catalog.resolve(s.model).id for s in spec.slices}:
        raise InputError(f"{sweep.model!r} is not in the mix", where="--sweep")
    infos, workloads = resolve_slices(catalog, spec, default, requests, tier or spec.tier)
    points = []
    for value in sweep.values:
        if sweep.param == "share":
            slices = tuple(
                replace(s, share_min=value, share_max=value) if info.id == target else s
                for s, info in zip(spec.slices, infos, strict=True)
            )
            swept = replace(spec, slices=slices)
            lows = [s.share_min for s in slices]
            highs = [s.share_max for s in slices]
            if not feasible(lows, highs):
                points.append(SweepPoint(value, None, "no split of the others sums to 100%"))
                continue
            points.append(
                SweepPoint(value, simulate_mix(catalog, swept, default=default, **kwargs))
            )
            continue
        slices = tuple(
            replace(s, tokens=_swept_tokens(sweep.param, value, w))
            for s, w in zip(spec.slices, workloads, strict=True)
        )
        swept = replace(spec, slices=slices)
        try:
            points.append(
                SweepPoint(value, simulate_mix(catalog, swept, default=default, **kwargs))
            )
        except TooLarge as exc:  # a point past a model's context window: that point only
            points.append(SweepPoint(value, None, exc.message))
    return SweepResult(sweep, tuple(points))


def _swept_tokens(param: str, value: Decimal, w: Workload) -> Tokens:
    """A slice's resolved workload with one parameter set to `value`."""
    cached, write, write_1h = w.cached, w.cache_write, w.cache_write_1h
    prompt, output = w.input, w.output
    if param == "cache-hit-rate":
        cached = to_decimal(Fraction(prompt) * Fraction(value))
    elif param == "input":
        scale = Fraction(value) / Fraction(prompt) if prompt else Fraction(0)
        cached, write, write_1h = (
            to_decimal(Fraction(x) * scale) for x in (cached, write, write_1h)
        )
        prompt = value
    elif param == "output":
        output = value
    return Tokens(
        input=prompt, cached=cached, cache_write=write, cache_write_1h=write_1h, output=output
    )
