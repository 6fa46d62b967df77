"""The zone a bill's days, weeks and months are counted in (`bill --timezone`).

The readers group records by UTC *buckets* of a width that divides every UTC offset the zone
has and every instant its offset changes at (`bucket_seconds`): the local date is then the
same for the whole of a bucket, and each distinct bucket is turned into its local date here,
exactly, by `zoneinfo`. UTC (and +00:00) keep buckets of a whole day; +08:00 has three a
day; America/New_York (offsets of whole hours, changed on the hour) one an hour.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache

from llmcost.errors import InputError

DAY = 86400
_OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})$")
# the instants a record may carry (`query.FIRST_YEAR`..`LAST_YEAR`)
_FROM = int(datetime(1970, 1, 1, tzinfo=UTC).timestamp())
_UNTIL = int(datetime(2100, 1, 1, tzinfo=UTC).timestamp())


def parse_zone(text: str, *, where: str = "--timezone") -> tzinfo:
    """An IANA zone name (`Asia/Shanghai`) or a fixed offset (`+08:00`, `-0530`), or bad input."""
    text = text.strip()
    if text.upper() in ("UTC", "Z"):
        return UTC
    match = _OFFSET.match(text)
    if match:
        sign, hours, minutes = match.groups()
        if int(hours) > 23 or int(minutes) > 59:
            raise InputError(
                f"{text!r} is not a UTC offset", where=where, hint="e.g. +08:00 or -05:30"
            )
        delta = timedelta(hours=int(hours), minutes=int(minutes))
        return timezone(-delta if sign == "-" else delta) if delta else UTC
    from llmcost.config import zone

    try:
        return zone(text, where=where)
    except InputError:
        raise InputError(
            f"{text!r} is not a time zone",
            where=where,
            hint="an IANA name such as Asia/Shanghai, or an offset such as +08:00",
        ) from None


def zone_name(tz: tzinfo) -> str:
    """The name a zone was given by (`Asia/Shanghai`), or its offset (`+08:00`, `UTC`)."""
    key = getattr(tz, "key", None)
    if key:
        return key
    offset = tz.utcoffset(None) or timedelta(0)
    if not offset:
        return "UTC"
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    return f"{sign}{abs(seconds) // 3600:02d}:{abs(seconds) % 3600 // 60:02d}"


@lru_cache(maxsize=16)
def bucket_seconds(tz: tzinfo) -> int:
    """The widest UTC bucket (seconds, dividing a day) within which the local date in `tz`
    never changes, for instants in [1970, 2100): the greatest common divisor of a day, every
    offset of the zone and every instant its offset changes at. The offset is read once a day
    and each change found to the second by bisection (an offset changed and changed back
    within one day would be missed: no zone does that)."""
    width = DAY
    before = _offset(tz, _FROM)
    width = math.gcd(width, before)
    for day in range(_FROM + DAY, _UNTIL + DAY, DAY):
        now = _offset(tz, day)
        if now == before:
            continue
        low, high = day - DAY, day  # offset(low) == before != offset(high)
        while high - low > 1:
            mid = (low + high) // 2
            low, high = (mid, high) if _offset(tz, mid) == before else (low, mid)
        width = math.gcd(width, now, high - _FROM)
        before = now
    return width


def _offset(tz: tzinfo, seconds: int) -> int:
    offset = datetime.fromtimestamp(seconds, tz).utcoffset() or timedelta(0)
    return int(offset.total_seconds())


def local_date(bucket: int, width: int, tz: tzinfo) -> date:
    """The local date in `tz` of UTC bucket `bucket` of `width` seconds (`bucket_seconds`)."""
    if width == DAY and tz is UTC:
        return date(1970, 1, 1) + timedelta(days=bucket)
    return datetime.fromtimestamp(bucket * width, tz).date()


def iso_week(day: date) -> str:
    """The ISO 8601 week of `day`: `2026-W19` (its year is the week's, not always the day's)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
