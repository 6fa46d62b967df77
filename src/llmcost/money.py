"""Exact arithmetic on money. No float ever touches a price or a cost.

Products of decimals are exact in `EXACT` (it raises rather than rounds). A period spreads
requests over time, which can make a cost a repeating decimal (a third of a month); those are
summed as `Fraction`s and turned into a `Decimal` once, exact when the value terminates and
otherwise rounded half-even at `REPEATING_PLACES`, far below any currency's smallest unit.
"""

from __future__ import annotations

from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
)
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fractions import Fraction

EXACT = Context(
    prec=200,
    rounding=ROUND_HALF_EVEN,
    traps=[InvalidOperation, Inexact, DivisionByZero, Overflow],
)
MILLION = Decimal(1_000_000)
REPEATING_PLACES = 20
ZERO = Decimal(0)
ONE = Decimal(1)


def per_million(tokens: Decimal, rate_mtok: Decimal) -> Decimal:
    """The exact cost of `tokens` at a price per 1M tokens."""
    return EXACT.divide(EXACT.multiply(tokens, rate_mtok), MILLION)


def exact_sum(values) -> Decimal:
    """A sum of amounts, exact (the default 28-digit context would round large totals)."""
    total = ZERO
    for value in values:
        total = EXACT.add(total, value)
    return total


def to_decimal(value: Fraction) -> Decimal:
    """A Fraction as a Decimal: exact if it terminates, else rounded at REPEATING_PLACES."""
    try:
        return EXACT.divide(Decimal(value.numerator), Decimal(value.denominator))
    except Inexact:
        rounded = round(value * 10**REPEATING_PLACES)  # Fraction rounds half to even
        return Decimal(rounded).scaleb(-REPEATING_PLACES, EXACT)


def plain(value: Decimal) -> str:
    """A decimal as JSON and CSV carry it: exact, never in exponent notation."""
    if value == 0:
        return "0"
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


RATIO_PLACES = Decimal("0.0001")


def ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    """A ratio of two amounts (a multiple, a saving as a fraction) to four decimal places, as
    reports give them (`0.6612` is 66.12%); `None` when the denominator is zero."""
    if denominator == 0:
        return None
    return quotient(numerator, denominator).quantize(RATIO_PLACES, rounding=ROUND_HALF_EVEN)


def divide(amount: Decimal, count: Decimal) -> Decimal | None:
    """An amount shared over a count (a cost per request), exact where it terminates."""
    if count == 0:
        return None
    return quotient(amount, count)


def quotient(numerator: Decimal, denominator: Decimal) -> Decimal:
    """`to_decimal(Fraction(numerator) / Fraction(denominator))`, the same Decimal to the last
    digit and exponent, without Fractions: they cost microseconds a step, and a report of
    every offering divides thousands of times. The denominator is not zero.

    Where the quotient terminates, the Fraction route divides the reduced numerator by the
    reduced denominator: the exact value with no trailing zeros, and exponent 0 if whole."""
    try:
        exact = EXACT.divide(numerator, denominator)
    except Inexact:
        a, b = numerator.as_integer_ratio()
        c, d = denominator.as_integer_ratio()
        top, bottom = a * d, b * c
        if bottom < 0:
            top, bottom = -top, -bottom
        whole, rest = divmod(top * 10**REPEATING_PLACES, bottom)
        if 2 * rest > bottom or (2 * rest == bottom and whole % 2):  # half to even
            whole += 1
        return Decimal(whole).scaleb(-REPEATING_PLACES, EXACT)
    if not exact:
        return ZERO  # a Fraction has no negative zero
    if exact == exact.to_integral_value():
        return exact.quantize(ONE, context=EXACT)
    return exact.normalize(EXACT)
