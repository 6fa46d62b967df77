"""Token counts, shares and rates as users type them: `2000`, `2k`, `1.5M`, `1_000_000`, `80%`."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from llmcost.errors import InputError

# Bounds on what a person can mean: no API request has 10^15 tokens, and no price has more
# than 12 decimal places. Beyond them a value is a typo, and refusing it keeps every product
# exact and every figure printable.
MAX_COUNT = 10**15
MAX_PLACES = 12  # in what a person types
DERIVED_PLACES = 40  # in a count llmcost derives (input x hit rate, a rescaled sweep)

_SUFFIX = {"": 1, "k": 10**3, "m": 10**6, "b": 10**9, "g": 10**9}
# digits with single underscores between them (`1_000_000`, as Python writes them)
_COUNT = re.compile(
    r"^([0-9](?:_?[0-9])*(?:\.[0-9](?:_?[0-9])*)?|\.[0-9](?:_?[0-9])*)\s*([kKmMbBgG]?)$"
)


def parse_count(text: str, *, field: str, whole: bool = False) -> Decimal:
    """A non-negative count with an optional k/M/B suffix, as an exact Decimal.

    Per-request token counts may be averages (`1.5k` output per request); `whole=True` (for a
    number of requests in a usage record, say) rejects fractions.
    """
    value = str(text).strip()
    match = _COUNT.match(value)
    if not match:
        hint = "a count is a non-negative number like 2000, 2k, 1.5M or 1_000_000"
        if value.startswith("-"):
            raise InputError(f"{field}: {value!r} is negative", hint=hint)
        raise InputError(f"{field}: {value!r} is not a count", hint=hint)
    digits = match.group(1).replace("_", "")
    if len(digits) > 40:
        raise InputError(f"{field}: {value!r} is too large", hint=f"at most {MAX_COUNT:.0e}")
    number = Decimal(digits) * _SUFFIX[match.group(2).lower()]
    check_count(number, field=field)
    if whole and number != number.to_integral_value():
        raise InputError(f"{field}: {value!r} is not a whole number")
    if number == number.to_integral_value():
        return Decimal(int(number))
    return number.normalize()


def check_count(number: Decimal, *, field: str, places: int = MAX_PLACES) -> None:
    """A count within what llmcost prices exactly: at most 10^15, at most `places` decimals
    (trailing zeros aside)."""
    if number > MAX_COUNT:
        raise InputError(f"{field}: {number} is too large", hint="at most 1e15 (10^15)")
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        raise InputError(f"{field}: {number} has more than {places} decimal places")


def parse_fraction(text: str, *, field: str) -> Decimal:
    """A rate between 0 and 1, given as `0.8` or `80%`."""
    value = str(text).strip()
    try:
        number = Decimal(value[:-1]) / 100 if value.endswith("%") else Decimal(value)
    except InvalidOperation:
        raise InputError(
            f"{field}: {value!r} is not a number", hint="use e.g. 0.8 or 80%"
        ) from None
    if not number.is_finite() or not 0 <= number <= 1:
        raise InputError(f"{field}: {value!r} is not between 0 and 1 (0% and 100%)")
    check_count(number, field=field)  # at most 12 decimal places
    return number
