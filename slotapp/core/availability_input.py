"""Validation and normalisation of availability-engine input.

Everything is checked before any slot is computed, so a bad field fails the same way no
matter where in the window it would have mattered. Busy items are converted to UTC once
here, which keeps the later interval passes to cheap same-tzinfo comparisons.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from slotapp.core.intervals import Interval, merge
from slotapp.core.wallclock import AvailabilityError, zone

if TYPE_CHECKING:
    from slotapp.core.availability import HostSchedule, Ranges, SlotRules

STATUSES = frozenset({"confirmed", "declined", "cancelled"})
_ZERO = timedelta(0)


@dataclass(frozen=True)
class PreparedHost:
    """A validated host with its busy time already turned into merged UTC blocks.

    Attributes:
        tz: The host's zone.
        weekly: Weekday to ranges.
        overrides: Date to ranges.
        blocked: Sorted, disjoint UTC intervals the host cannot meet in (buffers applied).
        full_dates: Local dates on which the host has reached the daily limit.
    """

    tz: ZoneInfo
    weekly: Mapping[int, Ranges]
    overrides: Mapping[date, Ranges]
    blocked: list[Interval]
    full_dates: frozenset[date]


def check_instant(name: str, value: datetime) -> datetime:
    """Returns `value` in UTC, or raises AvailabilityError(name) if it is not aware."""
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise AvailabilityError(name, f"must be a timezone-aware datetime, got {value!r}")
    return value if value.tzinfo is UTC else value.astimezone(UTC)


def check_rules(rules: SlotRules) -> None:
    """Raises AvailabilityError naming the first invalid rule."""
    _positive("length", rules.length)
    if rules.step is not None:
        _positive("step", rules.step)
    for name in ("min_notice", "buffer_before", "buffer_after"):
        value = getattr(rules, name)
        if not isinstance(value, timedelta) or value < _ZERO:
            raise AvailabilityError(name, f"must be a non-negative timedelta, got {value!r}")
    for name in ("booking_window_days", "daily_limit"):
        count = getattr(rules, name)
        if count is not None and (
            not isinstance(count, int) or isinstance(count, bool) or count < 0
        ):
            raise AvailabilityError(name, f"must be a non-negative integer, got {count!r}")


def prepare(host: HostSchedule, rules: SlotRules) -> PreparedHost:
    """Validates one host and precomputes its blocked intervals and full dates.

    Args:
        host: The schedule to check.
        rules: Supplies the new meeting's buffers and the daily limit.

    Returns:
        The normalised host.

    Raises:
        AvailabilityError: "time_zone", "weekly_hours", "overrides" or "busy".
    """
    tz = zone(host.time_zone)
    for weekday, ranges in host.weekly.items():
        if not isinstance(weekday, int) or not 0 <= weekday <= 6:
            raise AvailabilityError("weekly_hours", f"weekday must be 0..6, got {weekday!r}")
        _check_ranges("weekly_hours", ranges, f"weekday {weekday}")
    for day, ranges in host.overrides.items():
        if not isinstance(day, date) or isinstance(day, datetime):
            raise AvailabilityError("overrides", f"keys must be dates, got {day!r}")
        _check_ranges("overrides", ranges, day.isoformat())

    # A busy item blocks a new start while the new meeting (with its own buffers) would
    # touch the item together with the item's own buffers.
    lead = rules.buffer_after
    trail = rules.buffer_before
    spans: list[tuple[datetime, datetime]] = []
    meeting_starts: list[datetime] = []
    for item in host.busy:
        # Same-tzinfo UTC values skip the offset lookups; they are the common case.
        start, end = item.start, item.end
        if start.tzinfo is not UTC:
            if start.utcoffset() is None:
                raise AvailabilityError("busy", f"start must be aware, got {item!r}")
            start = start.astimezone(UTC)
        if end.tzinfo is not UTC:
            if end.utcoffset() is None:
                raise AvailabilityError("busy", f"end must be aware, got {item!r}")
            end = end.astimezone(UTC)
        if end < start:
            raise AvailabilityError("busy", f"end must not be before start, got {item!r}")
        before, after = item.before, item.after
        if (before or after) and (before < _ZERO or after < _ZERO):
            raise AvailabilityError("busy", f"buffers must be non-negative, got {item!r}")
        status = item.status
        if status != "confirmed":
            if status not in STATUSES:
                raise AvailabilityError("busy", f"unknown status {status!r}")
            continue
        spans.append((start - lead - before, end + trail + after))
        if item.is_meeting:
            meeting_starts.append(start)

    full: frozenset[date] = frozenset()
    if rules.daily_limit is not None:
        per_day: dict[date, int] = {}
        for start in meeting_starts:
            day = start.astimezone(tz).date()
            per_day[day] = per_day.get(day, 0) + 1
        full = frozenset(d for d, n in per_day.items() if n >= rules.daily_limit)
    return PreparedHost(tz, host.weekly, host.overrides, merge(spans), full)


def _positive(name: str, value: timedelta) -> None:
    if not isinstance(value, timedelta) or value <= _ZERO:
        raise AvailabilityError(name, f"must be a positive timedelta, got {value}")


def _check_ranges(name: str, ranges: Ranges, where: str) -> None:
    for pair in ranges:
        if len(pair) != 2:
            raise AvailabilityError(name, f"{where}: ranges must be (start, end) pairs")
        start, end = pair
        if not isinstance(start, time) or not isinstance(end, time):
            raise AvailabilityError(name, f"{where}: range bounds must be times, got {pair!r}")
        if start.tzinfo is not None or end.tzinfo is not None:
            raise AvailabilityError(name, f"{where}: range times must be naive wall times")
        if end <= start:
            raise AvailabilityError(name, f"{where}: range end {end} must be after start {start}")
