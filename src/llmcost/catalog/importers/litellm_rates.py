"""LiteLLM's billing rules for one entry of `model_prices_and_context_window.json`, as
llmcost rate sets.

LiteLLM keeps one rate per key and decides at billing time which key applies (litellm 1.110.2,
`litellm_core_utils/llm_cost_calc/utils.py::_get_token_base_cost`, `get_cost_per_unit`,
`apply_off_peak_pricing`, `get_batch_cost_rates`; `cost_calculator.py::batch_cost_calculator`).
Rather than guess what a missing key means, this module replays those rules: the rates
are piecewise constant in the prompt size, changing only at the `_above_{N}k_tokens`
thresholds, so evaluating them once per interval gives llmcost's base rates and long-context
tiers exactly. The rules replayed, per service tier:

- standard and `flex`/`priority`/`ultrafast`/`balanced`: a field without a tier-specific key
  falls back to the standard key (`input_cost_per_token_flex` -> `input_cost_per_token`); above
  a threshold, `<field>_above_N_tokens_<tier>`, else `<field>_above_N_tokens`, else the rate
  below the threshold. An absent cache read or write rate is the input rate (as in llmcost);
  an absent 1h/12h write rate is the 5-minute write rate.
- batch (`*_batches`): only the batch keys' own thresholds count. Output without a batch key
  is the standard flat output halved; a cache read without one is the standard cache read
  (with its thresholds: Google bills batch caching as standard); reasoning is billed as
  output. An entry with batch keys but no `input_cost_per_token_batches` is billed by
  LiteLLM as half of every standard flat rate, ignoring tiers: not modelled.
- off-peak (`off_peak_pricing`): its rates replace the standard ones, in every service tier
  but batch, while one of its windows is open.
- provider rules: Fireworks AI bills cache hits at half the input rate where the model has no
  cache read rate (not in batch).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal

MTOK = Decimal(10) ** 6
PLACES = 12  # llmcost keeps at most 12 decimal places of a rate per 1M tokens
MAX_RATE = Decimal(1_000_000)

FAMILIES = {  # LiteLLM per-token key -> llmcost rate per 1M tokens
    "input_cost_per_token": "input_mtok",
    "output_cost_per_token": "output_mtok",
    "cache_read_input_token_cost": "cache_read_mtok",
    "cache_creation_input_token_cost": "cache_write_mtok",
    "cache_creation_input_token_cost_above_1hr": "cache_write_1h_mtok",
    "cache_creation_input_token_cost_above_12hr": "cache_write_12h_mtok",
    "output_cost_per_reasoning_token": "output_reasoning_mtok",
}
TTL = {  # a long-retention cache write's key family -> llmcost field
    "cache_creation_input_token_cost_above_1hr": "cache_write_1h_mtok",
    "cache_creation_input_token_cost_above_12hr": "cache_write_12h_mtok",
}
# key suffix -> llmcost service tier; LiteLLM's cost code reads exactly these
TIERS = {
    "batches": "batch",
    "flex": "flex",
    "priority": "priority",
    "ultrafast": "ultrafast",
    "balanced": "balanced",
}
# get_cost_per_unit strips the first of these found anywhere in a key, longest first
_STRIPPED = ("_ultrafast", "_priority", "_balanced", "_flex", "_fast", "_auto")
_THRESHOLD_PREFIXES = tuple(
    f"{f}_above_"
    for f in (
        "input_cost_per_token",
        "output_cost_per_token",
        "cache_read_input_token_cost",
        "cache_creation_input_token_cost",
    )
)
_FAMILY = "|".join(sorted(FAMILIES, key=len, reverse=True))
RATE_KEY = re.compile(
    rf"^(?P<family>{_FAMILY})(?:_above_(?P<n>\d+)(?P<k>k?)_tokens)?(?:_(?P<tier>{'|'.join(TIERS)}))?$"
)
INCLUSIVE_PROVIDERS = frozenset({"xai"})  # bill the higher tier once the prompt *reaches* N


class Unrepresentable(Exception):
    """A rate llmcost cannot hold exactly (more than 12 places per 1M tokens, or too large)."""


def threshold_of(key: str) -> int:
    """`..._above_272k_tokens...` -> 272000 (LiteLLM also reads `_above_128_tokens` as 128)."""
    text = key.rsplit("_above_", 1)[1].split("_tokens")[0]
    return int(text[:-1]) * 1000 if text.endswith("k") else int(text)


def _exceeds(prompt: int, threshold: int, inclusive: bool) -> bool:
    return prompt > threshold or (inclusive and prompt == threshold)


def _get(info: Mapping, key: str, default):
    """LiteLLM's `get_cost_per_unit`: the key, else the key without its service-tier suffix."""
    value = info.get(key)
    if value is not None:
        return value
    for suffix in _STRIPPED:
        if suffix in key:
            base = info.get(key.replace(suffix, ""))
            return default if base is None else base
    return default


# -- one service tier at one prompt size -----------------------------------------------------


def service_rates(info: Mapping, suffix: str, prompt: int, inclusive: bool) -> dict:
    """Per-token rates LiteLLM bills for a prompt of `prompt` tokens in service tier `suffix`
    ("" is standard) outside off-peak hours. Cache fields are None where LiteLLM bills the
    input rate; TTL fields None where it bills the 5-minute write rate."""
    sfx = f"_{suffix}" if suffix else ""
    rates = {
        "input_cost_per_token": _get(info, f"input_cost_per_token{sfx}", Decimal(0)),
        "output_cost_per_token": _get(info, f"output_cost_per_token{sfx}", Decimal(0)),
        "cache_creation_input_token_cost": _get(
            info, f"cache_creation_input_token_cost{sfx}", None
        ),
        "cache_read_input_token_cost": _get(info, f"cache_read_input_token_cost{sfx}", None),
    }
    ttl_keys = {family: f"{family}{sfx}" for family in TTL}
    ends = tuple(f"_{s}" for s in TIERS) + _STRIPPED
    keys = [
        k
        for k, v in info.items()
        if v is not None
        and k.startswith(_THRESHOLD_PREFIXES)
        and "_tokens" in k
        and (not k.endswith(ends) or (sfx and k.endswith(sfx)))
    ]
    for key in sorted(keys, key=threshold_of):
        above = key.rsplit("_above_", 1)[1].split("_tokens")[0]
        if not _exceeds(prompt, threshold_of(key), inclusive):
            continue
        for family in rates:
            rates[family] = _get(info, f"{family}_above_{above}_tokens{sfx}", rates[family])
        for family, current in ttl_keys.items():
            tiered = f"{family}_above_{above}_tokens{sfx}"
            ttl_keys[family] = tiered if info.get(tiered) is not None else current
    for family, key in ttl_keys.items():
        rates[family] = _get(info, key, None)
    rates["output_cost_per_reasoning_token"] = _reasoning(info, sfx, rates)
    return rates


def _reasoning(info: Mapping, sfx: str, rates: dict):
    """`_resolve_reasoning_token_cost`: the tier's reasoning key, else its output rate where
    the tier has its own output key, else the standard reasoning rate, else output."""
    own = info.get(f"output_cost_per_reasoning_token{sfx}")
    if own is not None:
        return own
    if sfx and info.get(f"output_cost_per_token{sfx}") is not None:
        return rates["output_cost_per_token"]
    standard = info.get("output_cost_per_reasoning_token")
    return rates["output_cost_per_token"] if standard is None else standard


def batch_rates(info: Mapping, prompt: int, inclusive: bool) -> dict | None:
    """`batch_cost_calculator`'s per-token rates; None where it has no batch input rate."""

    def batch(family: str):
        flat = info.get(f"{family}_batches")
        crossed = [
            threshold_of(k)
            for k, v in info.items()
            if v is not None
            and k.startswith(f"{family}_above_")
            and k.endswith("_tokens_batches")
            and RATE_KEY.match(k)
            and RATE_KEY.match(k)["family"] == family
            and _exceeds(prompt, threshold_of(k), inclusive)
        ]
        if not crossed:
            return flat
        top = max(crossed)
        key = next(
            k
            for k in info
            if k.startswith(f"{family}_above_")
            and k.endswith("_tokens_batches")
            and RATE_KEY.match(k)
            and RATE_KEY.match(k)["family"] == family
            and threshold_of(k) == top
        )
        return info[key]

    batch_input = batch("input_cost_per_token")
    if batch_input is None:
        return None
    output = batch("output_cost_per_token")
    if output is None:
        output = info.get("output_cost_per_token", Decimal(0)) / 2
    cache_read = batch("cache_read_input_token_cost")
    if cache_read is None:
        cache_read = _standard_by_prompt(info, "cache_read_input_token_cost", prompt)
    return {
        "input_cost_per_token": batch_input,
        "output_cost_per_token": output,
        "cache_read_input_token_cost": cache_read,
        "cache_creation_input_token_cost": batch("cache_creation_input_token_cost"),
        **{family: batch(family) for family in TTL},
        "output_cost_per_reasoning_token": output,
    }


def _standard_by_prompt(info: Mapping, family: str, prompt: int):
    """`get_modality_token_cost_key` for a standard key: its highest crossed threshold key."""
    crossed = [
        k
        for k, v in info.items()
        if v is not None
        and k.startswith(f"{family}_above_")
        and k.endswith("_tokens")
        and prompt > threshold_of(k)
    ]
    key = max(crossed, key=threshold_of, default=family)
    return info.get(key)


def off_peak(rates: dict, block: Mapping) -> dict:
    """`apply_off_peak_pricing`: the block's rates replace the ones in force; a missing cache
    rate is the off-peak input rate."""
    out = dict(rates)
    for family in (
        "input_cost_per_token",
        "output_cost_per_token",
        "cache_read_input_token_cost",
        "cache_creation_input_token_cost",
    ):
        if block.get(family) is not None:
            out[family] = block[family]
    if block.get("output_cost_per_reasoning_token") is not None:
        out["output_cost_per_reasoning_token"] = block["output_cost_per_reasoning_token"]
    elif rates["output_cost_per_reasoning_token"] == rates["output_cost_per_token"]:
        out["output_cost_per_reasoning_token"] = out["output_cost_per_token"]
    return out


# litellm.constants.FIREWORKS_AI_DEFAULT_CACHE_READ_RATE_RATIO
FIREWORKS_CACHE_READ = Decimal("0.5")


def provider_defaults(rates: dict, block, provider: str) -> tuple[dict, object]:
    """`apply_provider_cache_read_default`: for `fireworks_ai` (outside batch), a model with
    no cache read rate bills cache hits at half its input rate, off-peak hours included."""
    if provider != "fireworks_ai" or "cache_read_input_token_cost" in rates:
        return rates, block
    read = rates["input_cost_per_token"] * FIREWORKS_CACHE_READ
    rates = {**rates, "cache_read_input_token_cost": read}
    if isinstance(block, Mapping) and "cache_read_input_token_cost" not in block:
        off_input = block.get("input_cost_per_token")
        off_read = read if off_input is None else off_input * FIREWORKS_CACHE_READ
        block = {**block, "cache_read_input_token_cost": off_read}
    return rates, block


# -- as llmcost rate sets ---------------------------------------------------------------------


def per_mtok(value: Decimal, field: str) -> Decimal:
    """A per-token rate as the exact rate per 1M tokens, or `Unrepresentable`."""
    if Decimal(value) > MAX_RATE / MTOK:  # before multiplying: 1e999999 x 1e6 overflows
        raise Unrepresentable(f"{field} = {value} per token is over {MAX_RATE} per 1M tokens")
    rate = (Decimal(value) * MTOK).normalize()
    exponent = rate.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > PLACES:
        raise Unrepresentable(
            f"{field} = {value} per token needs more than {PLACES} decimal places per 1M tokens"
        )
    if rate > MAX_RATE:
        raise Unrepresentable(f"{field} = {value} per token is over {MAX_RATE} per 1M tokens")
    return rate.quantize(Decimal(1)) if exponent > 0 else rate


def rate_set(rates: dict, ttl_families: frozenset[str]) -> dict:
    """LiteLLM's resolved per-token rates as an llmcost `rates.USD` table. A field is left out
    where llmcost's own fallback gives the same rate (cache rates -> input, reasoning ->
    output); 1h/12h writes are written out only for entries that price that retention
    (LiteLLM bills the 5-minute rate for the others, llmcost the input rate)."""
    out = {
        "input_mtok": per_mtok(rates["input_cost_per_token"], "input_cost_per_token"),
        "output_mtok": per_mtok(rates["output_cost_per_token"], "output_cost_per_token"),
    }
    write = rates["cache_creation_input_token_cost"]
    for family in ("cache_read_input_token_cost", "cache_creation_input_token_cost"):
        if rates[family] is not None:
            out[FAMILIES[family]] = per_mtok(rates[family], family)
    for family, field in TTL.items():
        if family in ttl_families:
            value = rates[family]
            if value is None:
                value = rates["input_cost_per_token"] if write is None else write
            out[field] = per_mtok(value, family)
    reasoning = rates["output_cost_per_reasoning_token"]
    if reasoning is not None and reasoning != rates["output_cost_per_token"]:
        out["output_reasoning_mtok"] = per_mtok(reasoning, "output_cost_per_reasoning_token")
    return out


def breakpoints(info: Mapping) -> list[int]:
    """Every prompt size after which some rate may change: N for `> N`, N - 1 for `>= N`."""
    points = set()
    for key, value in info.items():
        match = RATE_KEY.match(key)
        if value is not None and match and match["n"]:
            n = threshold_of(key)
            points.update({n, n - 1} if n > 1 else {n})
    return sorted(points)


def regimes(evaluate, points: list[int]) -> tuple[dict, list[tuple[int, dict]]]:
    """Base rates and long-context tiers of `evaluate(prompt)`: one tier per breakpoint where
    the rates change (a tier prices the whole request once the prompt is over its threshold,
    as LiteLLM does)."""
    base = evaluate(1)
    tiers, previous = [], base
    for point in points:
        current = evaluate(point + 1)
        if current != previous:
            tiers.append((point, current))
            previous = current
    return base, tiers


# -- off-peak windows as llmcost peak windows ----------------------------------------------------

_WEEKDAY_NAMES = {
    "mon": 1, "monday": 1, "tue": 2, "tues": 2, "tuesday": 2, "wed": 3, "wednesday": 3,
    "thu": 4, "thur": 4, "thurs": 4, "thursday": 4, "fri": 5, "friday": 5,
    "sat": 6, "saturday": 6, "sun": 7, "sunday": 7,
}  # fmt: skip
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY = 24 * 60
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d\d)\s*-\s*(\d{1,2}):(\d\d)\s*$")


class Malformed(Exception):
    """A field of the entry is not what LiteLLM documents (field, message)."""


def off_peak_minutes(block: Mapping, offset_minutes: int) -> list[bool]:
    """Which minutes of the UTC week (Monday 00:00 first) the block calls off-peak. Its hours
    are UTC; its weekdays are read on the calendar `offset_minutes` ahead of UTC."""
    week = [False] * (7 * _DAY)
    flat = _hour_list(block.get("hours_utc"), "off_peak_pricing.hours_utc")
    for minute in range(7 * _DAY):
        if any(_inside(r, minute % _DAY) for r in flat):
            week[minute] = True
    rules = block.get("windows", [])
    if not isinstance(rules, list):
        raise Malformed("off_peak_pricing.windows", "must be a list of {hours_utc, weekdays}")
    for index, rule in enumerate(rules):
        where = f"off_peak_pricing.windows[{index}]"
        if not isinstance(rule, Mapping) or set(rule) - {"hours_utc", "weekdays"}:
            raise Malformed(where, "must be a table of hours_utc and weekdays")
        hours = _hour_list(rule.get("hours_utc"), f"{where}.hours_utc")
        days = _weekdays(rule.get("weekdays"), f"{where}.weekdays")
        for minute in range(7 * _DAY):
            local_day = ((minute + offset_minutes) // _DAY) % 7 + 1
            if local_day in days and any(_inside(r, minute % _DAY) for r in hours):
                week[minute] = True
    return week


def _hour_list(value, where: str) -> list[tuple[int, int]]:
    if value is None:
        return []
    texts = [value] if isinstance(value, str) else value
    if not isinstance(texts, list):
        raise Malformed(where, "must be 'HH:MM-HH:MM' or a list of them")
    ranges = []
    for text in texts:
        match = _HOURS.match(text) if isinstance(text, str) else None
        if not match:
            raise Malformed(where, f"{text!r} is not 'HH:MM-HH:MM'")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            raise Malformed(where, f"{text!r} is not a time of day")
        ranges.append((h1 * 60 + m1, h2 * 60 + m2))
    return ranges


def _inside(hours: tuple[int, int], minute: int) -> bool:
    """LiteLLM's window test: start inclusive, end exclusive, may wrap past midnight, and a
    window whose start is its end is the whole day."""
    start, end = hours
    if start < end:
        return start <= minute < end
    return minute >= start or minute < end


def _weekdays(value, where: str) -> set[int]:
    if value is None:
        return set(range(1, 8))
    if not isinstance(value, list):
        raise Malformed(where, "must be a list of weekdays (1 = Monday ... 7 = Sunday)")
    days = set()
    for day in value:
        if isinstance(day, int) and not isinstance(day, bool) and 1 <= day <= 7:
            days.add(day)
        elif isinstance(day, str) and day.strip().lower() in _WEEKDAY_NAMES:
            days.add(_WEEKDAY_NAMES[day.strip().lower()])
        else:
            raise Malformed(where, f"{day!r} is not a weekday (1 = Monday ... 7 = Sunday)")
    return days


def peak_windows(off: list[bool]) -> list[dict]:
    """The complement of the off-peak minutes as llmcost windows: per UTC weekday its peak
    hours, weekdays with the same hours in one window (none where every minute is off-peak)."""
    by_hours: dict[tuple[str, ...], list[str]] = {}
    for day in range(7):
        minutes = off[day * _DAY : (day + 1) * _DAY]
        hours, start = [], None
        for minute, is_off in enumerate([*minutes, True]):
            if not is_off and start is None:
                start = minute
            elif is_off and start is not None:
                hours.append(f"{_clock(start)}-{_clock(minute)}")
                start = None
        if hours:
            by_hours.setdefault(tuple(hours), []).append(WEEKDAYS[day])
    return [{"name": "peak", "hours_utc": list(h), "weekdays": d} for h, d in by_hours.items()]


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def fixed_offset(zone: str | None, since: datetime) -> int | None:
    """The UTC offset of `zone` in minutes if it has been and is scheduled to stay constant
    from `since` for 30 years (checked twice a month); None if it changes (daylight saving)."""
    from zoneinfo import ZoneInfo

    if zone is None or zone.strip().upper() == "UTC":
        return 0
    tz = ZoneInfo(zone.strip())
    offsets = set()
    for year in range(since.year, since.year + 30):
        for month in range(1, 13):
            for day in (1, 15):
                offset = datetime(year, month, day, 12, tzinfo=UTC).astimezone(tz).utcoffset()
                offsets.add(offset)
    if len(offsets) != 1:
        return None
    (offset,) = offsets
    return int(offset.total_seconds()) // 60
