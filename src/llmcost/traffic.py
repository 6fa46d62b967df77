"""Traffic profiles: when in the day and the week the requests of a workload arrive.

A `--month` estimate without one spreads the requests evenly over every hour; with one, an
office-hours workload lands in DeepSeek's weekday peak windows and costs what it really costs.

A profile is 24 hourly weights and 7 weekday weights (Monday first), relative and exact, in an
IANA time zone. The request rate at an instant is proportional to the weight of its local
wall-clock hour times the weight of its local weekday: the density is per hour of real time,
keyed by the clock on the wall there. So on a day the clocks go forward the skipped hour gets
no traffic, and on a day they go back the repeated hour gets its weight twice.

Named presets (`flat`, `office-hours`, `business-days`) with a zone (`office-hours@Europe/Berlin`)
are what `--traffic` and a file's `traffic = "..."` take; a file may give its own weights
(`llmcost.mixfile.TrafficTable`). Pure: no clock, no files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

from llmcost.errors import InputError

HOUR = timedelta(hours=1)
_TICK = timedelta(microseconds=1)
_ONE, _NONE = Decimal(1), Decimal(0)
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# name -> (hours, weekdays): the presets a user can name
PRESETS: dict[str, tuple[tuple[Decimal, ...], tuple[Decimal, ...]]] = {
    "flat": ((_ONE,) * 24, (_ONE,) * 7),
    "office-hours": ((_NONE,) * 9 + (_ONE,) * 9 + (_NONE,) * 6, (_ONE,) * 5 + (_NONE,) * 2),
    "business-days": ((_ONE,) * 24, (_ONE,) * 5 + (_NONE,) * 2),
}
PRESET_HELP = "flat, office-hours (Mon-Fri 09:00-18:00) or business-days (Mon-Fri)"


@dataclass(frozen=True, slots=True)
class TrafficProfile:
    """Relative request rates by local hour and weekday in `timezone` (an IANA name).

    `name` is a preset's name, or `custom` for weights a file gives. Validated on creation:
    24 and 7 weights, each finite and non-negative, neither list all zero, a zone that exists.
    """

    timezone: str
    hours: tuple[Decimal, ...]
    weekdays: tuple[Decimal, ...]
    name: str = "custom"

    def __post_init__(self) -> None:
        for field, weights, count in (("hours", self.hours, 24), ("weekdays", self.weekdays, 7)):
            if len(weights) != count:
                raise InputError(f"{field}: give {count} weights, got {len(weights)}")
            for index, weight in enumerate(weights):
                if not isinstance(weight, Decimal) or not weight.is_finite() or weight < 0:
                    raise InputError(
                        f"{field}[{index}]: a weight is a non-negative number, got {weight}"
                    )
            if not any(weights):
                raise InputError(f"{field}: the weights are all zero", hint="no traffic at all?")
        zone_of(self.timezone)

    @property
    def label(self) -> str:
        """How reports name it: `office-hours@Asia/Shanghai`."""
        return f"{self.name}@{self.timezone}"

    def as_dict(self) -> dict[str, object]:
        """The profile as JSON reports carry it (weights as exact decimal strings)."""
        return {
            "name": self.name,
            "timezone": self.timezone,
            "hours": list(self.hours),
            "weekdays": list(self.weekdays),
        }

    def mass(self, start: datetime, end: datetime) -> Fraction:
        """The integral of the rate over `[start, end)`, in weight x microseconds: the
        requests in a stretch are proportional to it. Exact; cached, as every model of a
        comparison asks for the same stretches."""
        return _mass(self, start, end)

    def days(self, start: datetime, end: datetime) -> Fraction:
        """How many average days of traffic `[start, end)` holds: its mass over the mass of
        the week's average day. A flat profile gives the length in days exactly; a Saturday
        under `office-hours` gives 0, a weekday 7/5."""
        day = Fraction(sum(self.hours)) * Fraction(sum(self.weekdays)) / 7
        return self.mass(start, end) / (day * (HOUR // _TICK))


def preset(name: str, timezone: str) -> TrafficProfile:
    hours, weekdays = PRESETS[name]
    return TrafficProfile(timezone, hours, weekdays, name)


def parse_traffic(text: str, *, field: str | None = "--traffic") -> TrafficProfile:
    """`flat`, or a preset with a zone: `office-hours@Europe/Berlin`. A preset other than
    `flat` needs its zone: office hours in UTC are rarely what was meant. Errors start with
    `field` where one is given (a file's schema names the field itself)."""
    where = f"{field}: " if field else ""
    name, _, zone = text.strip().partition("@")
    name, zone = name.strip().lower(), zone.strip()
    if name not in PRESETS:
        raise InputError(
            f"{where}{text!r} is not a traffic profile, name one of {PRESET_HELP}",
            hint="give a time zone after @, e.g. office-hours@Asia/Shanghai",
        )
    if not zone:
        if name != "flat":
            raise InputError(
                f"{where}{name!r} needs a time zone, e.g. {name}@Europe/Berlin",
                hint="office hours are local: add @ and an IANA zone (or @UTC)",
            )
        zone = "UTC"
    try:
        return preset(name, zone)
    except InputError as exc:
        raise InputError(f"{where}{exc.message}", hint=exc.hint) from None


def zone_of(name: str):
    """The `ZoneInfo` of an IANA name; an unknown or malformed one is bad input."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InputError(
            f"timezone: {name!r} is not an IANA time zone",
            hint="e.g. Europe/Berlin, Asia/Shanghai, America/New_York or UTC",
        ) from None


# -- the integral ---------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _mass(profile: TrafficProfile, start: datetime, end: datetime) -> Fraction:
    hours = [Fraction(w) for w in profile.hours]
    weekdays = [Fraction(w) for w in profile.weekdays]
    zone = zone_of(profile.timezone)
    total = Fraction(0)
    at = start
    try:
        while at < end:
            local = at.astimezone(zone)
            edge = min(_next_local_hour(local, zone), end)
            total += hours[local.hour] * weekdays[local.weekday()] * ((edge - at) // _TICK)
            at = edge
    except OverflowError:
        raise InputError(
            f"the period is too close to the end of the calendar for {profile.timezone}"
        ) from None
    return total


def _next_local_hour(local: datetime, zone) -> datetime:
    """The UTC instant after `local` where its wall-clock hour ends: the next whole hour on
    the wall under its UTC offset, or the offset change before it (a DST transition)."""
    offset = local.utcoffset()
    wall = local.replace(minute=0, second=0, microsecond=0, tzinfo=None) + HOUR
    edge = (wall - offset).replace(tzinfo=UTC)
    if (edge - _TICK).astimezone(zone).utcoffset() == offset:
        return edge
    low = local.astimezone(UTC)  # same offset here; the offset differs at edge - 1 tick
    high = edge - _TICK
    while high - low > _TICK:  # the first instant of the new offset, to the microsecond
        middle = low + (high - low) // 2
        if middle.astimezone(zone).utcoffset() == offset:
            low = middle
        else:
            high = middle
    return high
