"""An Open Channel's working hours: is it open now, and when does it open next.

Hours are wall-clock ranges in the channel's zone, so "09:00-18:00" stays 09:00-18:00
across daylight-saving changes. A range starting in a skipped hour opens at the first
instant that exists after it; a repeated hour is open in both of its passes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from slotapp.core.validation import is_whole_number
from slotapp.core.wallclock import AvailabilityError, zone

Ranges = tuple[tuple[time, time], ...]

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SEARCH_DAYS = 366
_DAY = timedelta(days=1)
_SECOND = timedelta(seconds=1)
# Offsets reach -12 h and +14 h: a day's instants lie within these bounds of its wall clock.
_REACH = timedelta(hours=15)
_RANGE = re.compile(r"(\d{1,2})(?::(\d{2}))?\s*(?:-|–|to)\s*(\d{1,2})(?::(\d{2}))?")


class HoursError(ValueError):
    """Working hours that cannot be used.

    Attributes:
        field: The offending input, e.g. "time_zone", "weekends" or a day such as "monday".
        message: What to fix, for the user.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class WorkingHours:
    """When a channel answers; checked on creation (raises HoursError).

    Attributes:
        time_zone: IANA zone of the wall-clock hours, holidays and weekends.
        weekly: Weekday (0 = Monday) to its (start, end) ranges; `time.max` as an end
            means the end of the day. Days not listed are closed.
        weekends: Weekdays closed all day whatever `weekly` says.
        holidays: Local dates closed all day.
        enabled: False means the channel is always open.
    """

    time_zone: str = "UTC"
    weekly: Mapping[int, Ranges] = field(default_factory=dict)
    weekends: frozenset[int] = frozenset()
    holidays: frozenset[date] = frozenset()
    enabled: bool = True

    def __post_init__(self) -> None:
        try:
            zone(self.time_zone)
        except AvailabilityError:
            raise HoursError("time_zone", f"Unknown time zone {self.time_zone!r}.") from None
        if any(not 0 <= day <= 6 for day in self.weekends):
            raise HoursError("weekends", "Weekend days are 0 (Monday) to 6 (Sunday).")
        weekly = {}
        for key, ranges in self.weekly.items():
            day = int(key) if is_whole_number(str(key)) else -1  # JSON keeps weekdays as "0".."6"
            if not 0 <= day <= 6:
                raise HoursError("weekly", f"Unknown weekday {key!r}; use 0 (Monday) to 6.")
            weekly[day] = check_ranges(tuple(ranges), field=DAY_NAMES[day].lower())
        object.__setattr__(self, "weekly", weekly)


def check_ranges(ranges: Ranges, *, field: str) -> Ranges:
    """The ranges sorted by start, if each ends after it starts and none overlap.

    Raises:
        HoursError: naming `field`, for the first bad range.
    """
    ordered = tuple(sorted(ranges))
    for start, end in ordered:
        if end <= start or start == time.max:
            raise HoursError(field, f"{_text(start, end)} does not end after it starts.")
    for (a, b), (c, d) in zip(ordered, ordered[1:], strict=False):
        if c < b:
            raise HoursError(field, f"{_text(a, b)} overlaps {_text(c, d)}.")
    return ordered


def parse_hours_text(text: str, *, field: str = "hours") -> Ranges:
    """One day's ranges from text like "9:00-13:00, 14:00-18:00"; "24:00" ends the day.

    Ranges are separated by commas, semicolons or new lines; empty text or "closed" means
    no hours.

    Raises:
        HoursError: naming `field`, for text that is not ranges or ranges that are bad.
    """
    parts = [p.strip() for p in re.split(r"[,;\n]", text or "") if p.strip()]
    if [p.lower() for p in parts] == ["closed"]:
        return ()
    ranges = []
    for part in parts:
        match = _RANGE.fullmatch(part)
        if match is None:
            raise HoursError(field, f"Write {part!r} as a range like 09:00-17:30.")
        h1, m1, h2, m2 = match.groups()
        ranges.append((_clock(h1, m1, part, field), _clock(h2, m2, part, field)))
    return check_ranges(tuple(ranges), field=field)


def is_open(hours: WorkingHours, at: datetime) -> bool:
    """Whether the channel is open at the aware instant `at`."""
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    if not hours.enabled:
        return True
    local = at.astimezone(zone(hours.time_zone))
    ranges = _day_ranges(hours, local.date())
    wall = local.time()
    return any(start <= wall and (end == time.max or wall < end) for start, end in ranges)


def next_opening(hours: WorkingHours, after: datetime) -> datetime | None:
    """The first instant at or after `after` at which the channel is open, in UTC.

    Returns `after` itself when open then; None when it does not open within 366 days.
    """
    if after.tzinfo is None:
        raise ValueError("after must be timezone-aware")
    after = after.astimezone(UTC)
    if not hours.enabled:
        return after
    tz = zone(hours.time_zone)
    first_day = after.astimezone(tz).date() - _DAY
    best: datetime | None = None
    for n in range(SEARCH_DAYS + 2):
        day = first_day + n * _DAY
        if best is not None and _wall(day, time(0)) - _REACH > best:
            break  # later days cannot open earlier (checked past a day, for repeated hours)
        for start, end in _open_instants(day, _day_ranges(hours, day), tz):
            if end > after and (best is None or max(start, after) < best):
                best = max(start, after)
    return best


def _day_ranges(hours: WorkingHours, day: date) -> Ranges:
    if day in hours.holidays or day.weekday() in hours.weekends:
        return ()
    return hours.weekly.get(day.weekday(), ())


def _open_instants(day: date, ranges: Ranges, tz: ZoneInfo) -> list[tuple[datetime, datetime]]:
    """UTC intervals whose wall clock in `tz` falls in `ranges` on `day`.

    A wall range maps to [start - offset, end - offset) for each offset in force that day,
    cut to the part of time when that offset really applies.
    """
    if not ranges:
        return []
    lo, hi = _wall(day, time(0)) - _REACH, _wall(day + _DAY, time(0)) + _REACH
    before, after = _offset(lo, tz), _offset(hi, tz)
    change = hi if before == after else _change(lo, hi, tz)
    out = []
    for start, end in ranges:
        a, b = _wall(day, start), _wall(day, end)
        for offset, cut_lo, cut_hi in ((before, lo, change), (after, change, hi)):
            s, e = max(a - offset, cut_lo), min(b - offset, cut_hi)
            if s < e:
                out.append((s, e))
    return out


def _wall(day: date, wall: time) -> datetime:
    """The wall clock as if it were UTC; `time.max` is the next midnight."""
    if wall == time.max:
        return datetime.combine(day + _DAY, time(0), tzinfo=UTC)
    return datetime.combine(day, wall, tzinfo=UTC)


def _offset(instant: datetime, tz: ZoneInfo) -> timedelta:
    offset = instant.astimezone(tz).utcoffset()
    assert offset is not None
    return offset


def _change(lo: datetime, hi: datetime, tz: ZoneInfo) -> datetime:
    """The instant the offset changes between `lo` and `hi` (one change at most)."""
    before = _offset(lo, tz)
    while hi - lo > _SECOND:
        mid = lo + (hi - lo) / 2
        if _offset(mid, tz) == before:
            lo = mid
        else:
            hi = mid
    return hi.replace(microsecond=0)


def _clock(hours: str, minutes: str | None, part: str, field: str) -> time:
    h, m = int(hours), int(minutes or 0)
    if (h, m) == (24, 0):
        return time.max
    if h > 23 or m > 59:
        raise HoursError(field, f"{part!r} has a time that does not exist; use 00:00-24:00.")
    return time(h, m)


def _text(start: time, end: time) -> str:
    def show(t: time) -> str:
        return "24:00" if t == time.max else t.strftime("%H:%M")

    return f"{show(start)}-{show(end)}"
