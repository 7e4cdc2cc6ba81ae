"""Availability engine: bookable slot starts for one or more hosts.

Pure: no clock, no I/O; `now` is a parameter. Internally everything is converted to UTC
once, free time is computed with sorted-interval algebra, and only the final slot grid is
walked, so the cost grows with the number of ranges and busy items, not with minutes.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from slotapp.core.availability_input import PreparedHost, check_instant, check_rules, prepare
from slotapp.core.intervals import Interval, clip, intersect, merge, subtract
from slotapp.core.wallclock import (
    AvailabilityError,
    align_unit,
    align_up,
    day_to_utc,
    local_to_utc,
    steady_offset,
    zone,
)

__all__ = [
    "AvailabilityError",
    "Busy",
    "HostSchedule",
    "Ranges",
    "SlotRules",
    "available_slots",
    "group_by_local_date",
    "zone",
]

Ranges = tuple[tuple[time, time], ...]
"""Local wall-clock ranges within one day; each start < end. `time.max` as an end means the
end of the day (the next local midnight), since `time` cannot express 24:00."""


@dataclass(frozen=True)
class Busy:
    """Time a host is already taken.

    Attributes:
        start: Aware start.
        end: Aware end, >= start.
        before: The item's own before-buffer (meetings booked through slotapp).
        after: The item's own after-buffer.
        status: "confirmed", "declined" or "cancelled" (anything else is rejected); only
            confirmed items block or count toward the daily limit.
        is_meeting: True for slotapp meetings, which count toward the daily limit.

    A zero-length item blocks only through its buffers: intervals are half-open.
    """

    start: datetime
    end: datetime
    before: timedelta = timedelta(0)
    after: timedelta = timedelta(0)
    status: str = "confirmed"
    is_meeting: bool = False


@dataclass(frozen=True)
class HostSchedule:
    """A host's (person's or room's) working hours and busy times.

    Attributes:
        time_zone: IANA zone of the working hours.
        weekly: Weekday (0=Monday..6=Sunday) to ranges; a missing weekday is not worked.
        overrides: A local date's own ranges, replacing the weekday's; empty = day off.
        busy: Busy items in any order and any zone.
    """

    time_zone: str
    weekly: Mapping[int, Ranges]
    overrides: Mapping[date, Ranges] = field(default_factory=dict)
    busy: Sequence[Busy] = ()


@dataclass(frozen=True)
class SlotRules:
    """How slots are cut from free time.

    Attributes:
        length: Meeting length, > 0.
        step: Distance between consecutive starts, > 0; defaults to the length.
        min_notice: Slots start no earlier than now + min_notice.
        buffer_before: Free time required before the meeting.
        buffer_after: Free time required after the meeting.
        booking_window_days: Slots start no later than now + this many 24-hour days.
        daily_limit: Max existing slotapp meetings per host and local day; a host that has
            reached it on a local date offers no slots starting on that date.
    """

    length: timedelta
    step: timedelta | None = None
    min_notice: timedelta = timedelta(0)
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)
    booking_window_days: int | None = None
    daily_limit: int | None = None


def available_slots(
    hosts: Sequence[HostSchedule],
    rules: SlotRules,
    *,
    window_start: datetime,
    window_end: datetime,
    now: datetime,
) -> list[datetime]:
    """Bookable slot starts common to all hosts.

    A start s is offered when every host works and is free (buffers included) during
    [s, s + length), window_start <= s, s + length <= window_end,
    now + min_notice <= s <= now + booking_window_days, no host has reached its daily
    limit on s's local date, and s lies on the step grid of its free range, whose first
    start is rounded up on the owner's (hosts[0]) wall clock.

    Args:
        hosts: The owner first, then colleagues or rooms that must all be free.
        rules: Slot length, step, notice, buffers, booking window and daily limit.
        window_start: Aware start of the search window.
        window_end: Aware end of the search window.
        now: Aware current instant.

    Returns:
        Sorted, unique slot starts in UTC.

    Raises:
        AvailabilityError: For invalid input, naming the field.
    """
    check_rules(rules)
    window_start = check_instant("window", window_start)
    window_end = check_instant("window", window_end)
    now = check_instant("now", now)
    if window_end <= window_start:
        raise AvailabilityError(
            "window", f"window_end {window_end} must be after window_start {window_start}"
        )
    if not hosts:
        raise AvailabilityError("hosts", "at least one host is required")
    prepared = [prepare(host, rules) for host in hosts]
    if rules.daily_limit == 0:
        return []

    length = rules.length
    lo = max(window_start, now + rules.min_notice)
    last_start = window_end - length
    if rules.booking_window_days is not None:
        last_start = min(last_start, now + timedelta(days=rules.booking_window_days))
    hi = last_start + length
    if last_start < lo:
        return []

    free: list[Interval] | None = None
    for host in prepared:
        mine = subtract(_working_time(host, lo, hi), host.blocked)
        free = mine if free is None else intersect(free, mine)
        if not free:
            return []
    assert free is not None

    slots = _grid(free, prepared[0], rules)
    for host in prepared:
        if host.full_dates and slots:
            slots = _drop_full_days(slots, host)
    return slots


def group_by_local_date(slots: Iterable[datetime], time_zone: str) -> dict[date, list[datetime]]:
    """Groups slot starts by their local date in a zone.

    Args:
        slots: Aware datetimes.
        time_zone: IANA zone defining the dates.

    Returns:
        Local date to its sorted slots (unchanged aware values), ordered by date.

    Raises:
        AvailabilityError: "time_zone" for an unknown zone, "slots" for naive datetimes.
    """
    tz = zone(time_zone)
    groups: dict[date, list[datetime]] = {}
    for slot in sorted(check_instant("slots", s) for s in slots):
        groups.setdefault(slot.astimezone(tz).date(), []).append(slot)
    # Local dates can step backwards when a zone falls back across midnight.
    return dict(sorted(groups.items()))


def _working_time(host: PreparedHost, lo: datetime, hi: datetime) -> list[Interval]:
    """The host's working ranges as UTC intervals, clipped to [lo, hi)."""
    tz = host.tz
    one_day = timedelta(days=1)
    # A day early and late: where a zone falls back across midnight, a local date's hours
    # can reach past the instants that display that date.
    day = lo.astimezone(tz).date() - one_day
    last = hi.astimezone(tz).date() + one_day
    spans: list[Interval] = []
    while day <= last:
        ranges = host.overrides.get(day)
        if ranges is None:
            ranges = host.weekly.get(day.weekday(), ())
        if ranges:
            spans.extend(day_to_utc(day, ranges, tz))
        day += one_day
    return clip(merge(spans), lo, hi)


def _grid(free: list[Interval], owner: PreparedHost, rules: SlotRules) -> list[datetime]:
    """Aligned slot starts within the free ranges, one per owner wall-clock time."""
    length = rules.length
    step = rules.step if rules.step is not None else length
    unit = align_unit(step)
    tz = owner.tz
    out: list[datetime] = []
    # After a fall-back the same wall times recur; guests must see each only once. Walls
    # are kept as UTC-tagged datetimes shifted by the offset, which is cheap to compute.
    seen: set[datetime] = set()
    for start, end in free:
        slot = align_up(start, tz, unit)
        last = end - length
        if slot > last:
            continue
        offset = steady_offset(slot, last, tz)
        while slot <= last:
            wall = slot.astimezone(tz).replace(tzinfo=UTC) if offset is None else slot + offset
            if wall not in seen:
                seen.add(wall)
                out.append(slot)
            slot += step
    return out


def _drop_full_days(slots: list[datetime], host: PreparedHost) -> list[datetime]:
    """Slots whose start is not on a local date where the host reached its daily limit."""
    first = slots[0].astimezone(host.tz).date()
    final = slots[-1].astimezone(host.tz).date()
    days = merge(
        (local_to_utc(d, time(0), host.tz), local_to_utc(d + timedelta(days=1), time(0), host.tz))
        for d in host.full_dates
        if first <= d <= final
    )
    starts = [d.start for d in days]
    out = []
    for slot in slots:
        i = bisect_right(starts, slot) - 1
        if i < 0 or slot >= days[i].end:
            out.append(slot)
    return out
