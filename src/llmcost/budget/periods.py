"""The calendar a budget check prices: a calendar month or a UTC day, one whole period after a
scheduled change, and a part's requests in any of them. Every instant is UTC; nothing past the
year 9999 (an error a user can read, never an OverflowError)."""

from __future__ import annotations

from calendar import monthrange
from datetime import MAXYEAR, UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from llmcost.budget.spec import Part
from llmcost.errors import InputError
from llmcost.money import to_decimal
from llmcost.timeparse import show_instant

DAY = timedelta(days=1)
INSTANT = timedelta(microseconds=1)  # the smallest step between two instants


def month_of(at: datetime) -> tuple[datetime, datetime]:
    start = datetime(at.year, at.month, 1, tzinfo=UTC)
    return start, add_month(start)


def add_month(at: datetime) -> datetime:
    """The same day and time a calendar month later (the last day if that month is shorter)."""
    year, month = (at.year + 1, 1) if at.month == 12 else (at.year, at.month + 1)
    if year > MAXYEAR:
        raise _past_the_end(at)
    last = monthrange(year, month)[1]
    return at.replace(year=year, month=month, day=min(at.day, last))


def plus(at: datetime, delta: timedelta) -> datetime:
    """`at + delta`, or an error a user can read when that is past the year 9999."""
    try:
        return at + delta
    except OverflowError:
        raise _past_the_end(at) from None


def _past_the_end(at: datetime) -> InputError:
    return InputError(
        f"the period from {show_instant(at)} ends after the year 9999, the last llmcost prices",
        hint="check an earlier --at or --month",
    )


def horizon_end(at: datetime, days: int) -> datetime:
    """The end of the look-ahead: `days` after `at`, or the last instant there is (nothing is
    scheduled after the year 9999)."""
    last = datetime(MAXYEAR, 12, 31, tzinfo=UTC)  # a day short of the end: room to step past
    try:
        return min(at + timedelta(days=days), last)
    except OverflowError:
        return last


def periods(period: str, at: datetime, until: datetime | None) -> list[tuple[datetime, datetime]]:
    """The periods a check prices. With `until` (a `--month`), a month budget prices that
    month and a day budget every day of it (the most expensive counts); else the calendar
    month, or the UTC day, that contains `at`."""
    if until is not None:
        if period == "month":
            return [(at, until)]
        days = (until - at) // DAY
        return [(at + i * DAY, at + (i + 1) * DAY) for i in range(days)]
    if period == "month":
        return [month_of(at)]
    start = datetime(at.year, at.month, at.day, tzinfo=UTC)
    return [(start, plus(start, DAY))]


def after(period: str, at: datetime) -> tuple[datetime, datetime]:
    """One whole period starting at `at`: what a budget costs once a change is in force."""
    return (at, add_month(at)) if period == "month" else (at, plus(at, DAY))


def requests_in(part: Part, start: datetime, end: datetime) -> Decimal:
    """A part's requests in `[start, end)`. Per day is per average day: with a traffic
    profile a Monday may hold more than a Sunday (`TrafficProfile.days`)."""
    if part.per == "month":
        return part.requests
    profile = part.profile
    if profile is not None:
        return to_decimal(Fraction(part.requests) * profile.days(start, end))
    return to_decimal(Fraction(part.requests) * Fraction((end - start) // INSTANT, DAY // INSTANT))
