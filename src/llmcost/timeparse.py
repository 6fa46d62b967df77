"""Instants, days and months as users type them. Everything is UTC inside llmcost."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from llmcost.errors import InputError

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_OFFSET = re.compile(r"[T t][0-9:.]+[+-](?P<h>\d{2}):?(?P<m>\d{2})?$")


_END_OF_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})[Tt ]24:00(?::00(?:\.0+)?)?(?=$|[Zz+-])")


def instant(text: str | datetime | date, *, field: str = "--at") -> datetime:
    """`2026-05-31` (UTC midnight), `2026-05-31T15:58Z`, `2026-05-31T23:58+08:00`, or `now`.
    A date-time without an offset is taken as UTC. `T24:00` is the end of its day, i.e. the
    next day's midnight (ISO 8601; usage logs write it too): one grammar for every command.
    A `datetime` or `date` (from the Python API) is taken as it is."""
    if isinstance(text, datetime | date):
        return utc(text)
    if not isinstance(text, str):
        raise InputError(
            f"{field}: {text!r} is not a date or an instant",
            hint="give a str like 2026-05-31T15:58Z, a datetime or a date",
        )
    value = text.strip()
    if value.lower() == "now":
        return datetime.now(UTC)
    end_of_day = _END_OF_DAY.match(value)
    if end_of_day:
        return _next_midnight(end_of_day, value, text, field)
    offset = _OFFSET.search(value) if len(value) > 10 else None
    if offset and (
        int(offset["m"] or 0) >= 60 or int(offset["h"]) * 60 + int(offset["m"] or 0) > 18 * 60
    ):
        raise InputError(
            f"{field}: {text!r} has an invalid UTC offset",
            hint="an offset is +HH:MM within +-18:00, minutes under 60",
        )
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime(day.year, day.month, day.day, tzinfo=UTC)
        parsed = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise InputError(
            f"{field}: {text!r} is not a date or an ISO 8601 instant",
            hint="use e.g. 2026-05-31 or 2026-05-31T15:58:00Z",
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        raise InputError(f"{field}: {text!r} is out of range", hint="use a year 1..9999") from None


def _next_midnight(match: re.Match, value: str, text: str, field: str) -> datetime:
    """`YYYY-MM-DDT24:00[offset]`: 00:00 of the next day, in that offset."""
    midnight = instant(value[: match.end(1)] + "T00:00" + value[match.end() :], field=field)
    try:
        return midnight + timedelta(days=1)
    except OverflowError:
        raise InputError(f"{field}: {text!r} is out of range", hint="use a year 1..9999") from None


def day(text: str, *, field: str) -> date:
    if not isinstance(text, str):
        raise InputError(f"{field}: {text!r} is not a date", hint="give a str like 2026-05-03")
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"{field}: {text!r} is not a date", hint="use YYYY-MM-DD") from None


def month_period(text: str, *, field: str = "--month") -> tuple[datetime, datetime]:
    """`2026-05` -> [2026-05-01T00:00Z, 2026-06-01T00:00Z)."""
    if not isinstance(text, str):
        raise InputError(f"{field}: {text!r} is not a month", hint="give a str like '2026-05'")
    match = _MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise InputError(f"{field}: {text!r} is not a month", hint="use YYYY-MM, e.g. 2026-05")
    year, month = int(match.group(1)), int(match.group(2))
    try:
        start = datetime(year, month, 1, tzinfo=UTC)
        end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=UTC)
    except ValueError:
        raise InputError(f"{field}: {text!r} is out of range", hint="use e.g. 2026-05") from None
    return start, end


def days_between(start: datetime, end: datetime) -> list[date]:
    """Every UTC day that `[start, end)` touches."""
    first = start.date()
    count = (end - timedelta(microseconds=1)).date().toordinal() - first.toordinal() + 1
    return [first + timedelta(days=i) for i in range(max(count, 0))]


def utc(at: datetime | date | str) -> datetime:
    """Any instant in UTC; a datetime without an offset is taken as UTC, like the CLI does. The
    Python API takes what the CLI takes: a date is its UTC midnight, a str is parsed as `--at`."""
    if isinstance(at, datetime):
        if at.tzinfo is None:
            return at.replace(tzinfo=UTC)
        try:
            return at.astimezone(UTC)
        except OverflowError:
            raise InputError(f"{at.isoformat()} is out of range in UTC") from None
    if isinstance(at, date):
        return datetime(at.year, at.month, at.day, tzinfo=UTC)
    return instant(at, field="instant")


_DISPLAY = {"zone": UTC, "name": "UTC"}  # where reports show instants (JSON: always UTC)


def set_display_zone(name: str) -> None:
    """Show instants in tables and messages in the IANA zone `name` (the config's
    `timezone`); JSON and CSV keep UTC."""
    if name == "UTC":
        _DISPLAY.update(zone=UTC, name="UTC")
        return
    from llmcost.config import zone

    _DISPLAY.update(zone=zone(name), name=name)


def display_zone_name() -> str:
    return _DISPLAY["name"]


def show_instant(at: datetime) -> str:
    """An instant as reports print it: `2026-05-31 15:59 UTC` (or in the display zone)."""
    at = at.astimezone(_DISPLAY["zone"])
    text = f"{at.year:04d}-{at.month:02d}-{at.day:02d} {at.hour:02d}:{at.minute:02d}"
    if at.second or at.microsecond:  # (strftime's %Y drops the zeros of year 1)
        text += f":{at.second:02d}"
    return f"{text} {_DISPLAY['name']}"


def iso(at: datetime) -> str:
    """An instant as JSON carries it: `2026-05-31T15:59:00Z`."""
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")
