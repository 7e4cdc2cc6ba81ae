"""Wall-clock helpers for the availability engine: zone lookup, local-to-UTC, alignment.

Kept apart from `availability` so the engine module stays about the scheduling rules; all
daylight-saving subtleties (skipped and repeated wall times) are resolved here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from slotapp.core.intervals import Interval

# Only IANA-shaped names: no absolute paths, no "..", nothing that could reach outside tzdata.
_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]*(?:/[A-Za-z0-9_+\-]+)*")
# Names that exist as files in many tz databases but do not denote a fixed IANA zone.
_NOT_ZONES = frozenset({"localtime", "posixrules", "posix", "right", "Factory"})
_ALIGN_CANDIDATES = (60, 30, 20, 15, 10, 5)
_MINUTE = timedelta(minutes=1)
_SECOND = timedelta(seconds=1)
_DAY = timedelta(days=1)


class AvailabilityError(ValueError):
    """Bad engine input.

    Attributes:
        field: Name of the offending input, e.g. "length", "time_zone", "window".
        message: Human-readable explanation without the field name.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def zone(name: str) -> ZoneInfo:
    """Looks up an IANA time zone.

    Args:
        name: IANA name such as "Europe/Berlin".

    Returns:
        The cached ZoneInfo.

    Raises:
        AvailabilityError: With field "time_zone" for unknown, empty or path-like names.
    """
    if not isinstance(name, str):
        raise AvailabilityError("time_zone", f"time zone must be a string, got {name!r}")
    return _zone(name)


@lru_cache(maxsize=512)
def _zone(name: str) -> ZoneInfo:
    top = name.split("/", 1)[0]
    if not _ZONE_NAME.fullmatch(name) or top in _NOT_ZONES:
        raise AvailabilityError("time_zone", f"unknown time zone {name!r}")
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise AvailabilityError("time_zone", f"unknown time zone {name!r}") from exc


def local_to_utc(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """The UTC instant at which `tz`'s clocks show `wall` on `day`.

    A repeated wall time (fall-back) resolves to its first occurrence. A wall time skipped
    by spring-forward resolves to the transition instant, i.e. the first wall time that
    really happens after it, so a range starting or ending inside the gap never gains
    wall times outside itself. `time.max` means the end of the day (next local midnight).

    Args:
        day: Local date.
        wall: Local wall-clock time, naive.
        tz: Zone of the wall clock.

    Returns:
        An aware datetime in UTC.
    """
    if wall == time.max:
        return local_to_utc(day + timedelta(days=1), time(0), tz)
    local = datetime.combine(day, wall, tzinfo=tz)
    before = local.utcoffset()
    after = local.replace(fold=1).utcoffset()
    assert before is not None and after is not None
    naive = local.replace(tzinfo=None)
    if before >= after:  # unambiguous (equal) or repeated (fold=0 is the first occurrence)
        return (naive - before).replace(tzinfo=UTC)
    # Skipped: the transition lies between the two readings; find it to the second.
    lo = (naive - after).replace(tzinfo=UTC)
    hi = (naive - before).replace(tzinfo=UTC)
    while hi - lo > _SECOND:
        mid = lo + (hi - lo) / 2
        if mid.astimezone(tz).utcoffset() == after:
            hi = mid
        else:
            lo = mid
    # Transitions fall on whole seconds and hi is within a second after one.
    return hi.replace(microsecond=0)


def day_to_utc(day: date, ranges: Iterable[tuple[time, time]], tz: ZoneInfo) -> list[Interval]:
    """Converts one local day's wall-clock ranges to UTC intervals.

    Args:
        day: Local date.
        ranges: (start, end) wall times on that date.
        tz: Zone of the wall clock.

    Returns:
        UTC intervals in the order of `ranges`; see `local_to_utc` for DST rules.
    """
    midnight = datetime.combine(day, time(0), tzinfo=tz).utcoffset()
    next_midnight = datetime.combine(day + _DAY, time(0), tzinfo=tz).utcoffset()
    if midnight != next_midnight:
        return [Interval(local_to_utc(day, a, tz), local_to_utc(day, b, tz)) for a, b in ranges]
    # No zone changes its offset and back within one day, so one offset serves all wall
    # times: a single subtraction per bound instead of the full DST resolution.
    assert midnight is not None
    out = []
    for a, b in ranges:
        start = datetime.combine(day, a, tzinfo=UTC) - midnight
        if b == time.max:
            end = datetime.combine(day + _DAY, time(0), tzinfo=UTC) - midnight
        else:
            end = datetime.combine(day, b, tzinfo=UTC) - midnight
        out.append(Interval(start, end))
    return out


def steady_offset(first: datetime, last: datetime, tz: ZoneInfo) -> timedelta | None:
    """The UTC offset if it is the same throughout [first, last], else None.

    Relies on no zone changing its offset twice within a day, so equal offsets at both
    ends of a span shorter than a day mean no change in between.

    Args:
        first: Aware start.
        last: Aware end, >= first.
        tz: Zone to ask.

    Returns:
        The constant offset, or None when the span is long or contains a change.
    """
    if last - first >= _DAY:
        return None
    offset = first.astimezone(tz).utcoffset()
    return offset if last.astimezone(tz).utcoffset() == offset else None


def align_unit(step: timedelta) -> timedelta:
    """The wall-clock grid that slot starts snap to for a given step.

    Args:
        step: Distance between consecutive slot starts.

    Returns:
        The largest of 60, 30, 20, 15, 10, 5 minutes dividing a whole-minute step, else
        one minute.
    """
    if step % _MINUTE:
        return _MINUTE
    minutes = step // _MINUTE
    for candidate in _ALIGN_CANDIDATES:
        if minutes % candidate == 0:
            return timedelta(minutes=candidate)
    return _MINUTE


def align_up(instant: datetime, tz: ZoneInfo, unit: timedelta) -> datetime:
    """Rounds a UTC instant up to the next multiple of `unit` on `tz`'s wall clock.

    The grid counts from local midnight using the UTC offset in force at `instant`, so
    a +05:30 zone gets 10:30 local rather than a UTC-aligned time.

    Args:
        instant: Aware UTC datetime.
        tz: Zone whose wall clock defines the grid.
        unit: Grid spacing, a whole number of minutes dividing a day.

    Returns:
        The smallest aligned aware UTC datetime >= `instant`.
    """
    offset = instant.astimezone(tz).utcoffset()
    assert offset is not None
    local = instant.replace(tzinfo=None) + offset
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    since = local - midnight
    rounded = midnight + -(-since // unit) * unit
    return (rounded - offset).replace(tzinfo=UTC)
