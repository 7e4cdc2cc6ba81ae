"""Busy time read from an external iCalendar feed.

Pure: bytes in, UTC intervals out; the caller fetches the file and supplies the window and
the user's zone. How events become busy time:

- Events marked free (TRANSP:TRANSPARENT) and cancelled events (STATUS:CANCELLED) block
  nothing; neither does a single cancelled occurrence of a series.
- All-day events (DATE values) block whole days in the *user's* zone, from local midnight of
  the first day to local midnight after the last: a day off is the user's day, wherever the
  calendar was made. (Most calendars mark birthdays and holidays free; those are skipped.)
- Floating times (no TZID, no Z) are wall-clock times in the user's zone, unless the calendar
  names its zone in X-WR-TIMEZONE (Google does), which recurring-ical-events then applies.
- Wall times in a daylight-saving gap or fold resolve as in the availability engine.
- A series that cannot be read (a broken RRULE, an end before its start) is skipped and the
  rest of the calendar is used; a file that is not a calendar at all is an error.

Feed addresses are checked in slotapp.core.feed_urls; the token of a user's own .ics
subscription address is in slotapp.core.feed_tokens.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from slotapp.core.intervals import Interval, merge
from slotapp.core.wallclock import local_to_utc, zone

_DAY = timedelta(days=1)


class FeedError(ValueError):
    """A calendar file that cannot be used; `code` for programs, the message for people.

    Codes: "too_large", "too_many_events", "invalid".
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class FeedLimits:
    """What one calendar may cost to read.

    Attributes:
        max_bytes: Size of the file.
        max_events: VEVENT components in the file (series, single events and overrides).
        max_occurrences: Occurrences the window may hold, estimated from the rules *before*
            expanding them, so that a rule repeating every second is refused at once.
    """

    max_bytes: int = 5 * 1024 * 1024
    max_events: int = 20_000
    max_occurrences: int = 100_000


@dataclass(frozen=True)
class FeedBusyTimes:
    """What a calendar says about the user's time.

    Attributes:
        busy: Sorted, disjoint UTC intervals within the window.
        event_count: Busy occurrences in the window, before overlapping ones were merged.
    """

    busy: tuple[Interval, ...]
    event_count: int


def busy_from_ics(
    data: bytes,
    *,
    time_zone: str,
    start: datetime,
    end: datetime,
    limits: FeedLimits = FeedLimits(),
) -> FeedBusyTimes:
    """The busy time an iCalendar file shows within [start, end).

    Args:
        data: The file as fetched.
        time_zone: The user's IANA zone (for all-day and floating times).
        start: Aware start of the window.
        end: Aware end of the window.
        limits: Size limits; exceeding one is an error, never a partial result.

    Returns:
        Busy intervals (recurrences expanded) and the number of busy occurrences.

    Raises:
        FeedError: the file is too large, holds too many events, or is not a calendar.
        ValueError: a naive or empty window, or an unknown time zone.
    """
    if start.utcoffset() is None or end.utcoffset() is None:
        raise ValueError("the window must be given as aware datetimes")
    if end <= start:
        raise ValueError(f"window end {end} is not after its start {start}")
    tz = zone(time_zone)
    if len(data) > limits.max_bytes:
        raise FeedError("too_large", f"The calendar is larger than {_megabytes(limits.max_bytes)}.")
    calendar = _parse(data)
    events = calendar.walk("VEVENT")
    if len(events) > limits.max_events:
        raise FeedError(
            "too_many_events",
            f"The calendar has {len(events):,} events; at most {limits.max_events:,} are read.",
        )
    # Floating and all-day times are compared loosely by the library: ask a day wider
    # either side and clip exactly once each occurrence is in UTC.
    lo, hi = start.astimezone(UTC) - _DAY, end.astimezone(UTC) + _DAY
    days = math.ceil((hi - lo) / _DAY)
    estimate = sum(_occurrence_bound(event, days) for event in events)
    if estimate > limits.max_occurrences:
        raise FeedError(
            "too_many_events",
            "The calendar repeats events too often to read "
            f"(up to {estimate:,} occurrences in {days} days).",
        )
    try:
        query = recurring_ical_events.of(calendar, skip_bad_series=True)
        occurrences = query.between(lo, hi)
    except Exception as exc:  # third-party parser on untrusted input: any failure is "invalid"
        raise FeedError("invalid", f"The calendar could not be read: {exc}") from exc
    window_start, window_end = start.astimezone(UTC), end.astimezone(UTC)
    spans: list[tuple[datetime, datetime]] = []
    for occurrence in occurrences:
        if not _blocks(occurrence):
            continue
        span = _utc_span(occurrence, tz)
        if span is None:
            continue
        begin, finish = max(span[0], window_start), min(span[1], window_end)
        if begin < finish:
            spans.append((begin, finish))
    return FeedBusyTimes(tuple(merge(spans)), len(spans))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def _parse(data: bytes) -> icalendar.Calendar:
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:15].upper()
    if not head.startswith(b"BEGIN:VCALENDAR"):
        raise FeedError("invalid", "The address did not return a calendar (iCalendar) file.")
    try:
        calendar = icalendar.Calendar.from_ical(data)
    except Exception as exc:  # third-party parser on untrusted input: any failure is "invalid"
        raise FeedError("invalid", f"The calendar file is damaged: {exc}") from exc
    if not isinstance(calendar, icalendar.Calendar):
        raise FeedError("invalid", "The address did not return a calendar (iCalendar) file.")
    # An event without a start cannot be placed; recurring-ical-events would fail on it.
    calendar.subcomponents = [
        c for c in calendar.subcomponents if c.name != "VEVENT" or "DTSTART" in c
    ]
    return calendar


def _blocks(event: icalendar.Component) -> bool:
    transparency = str(event.get("TRANSP", "OPAQUE")).upper()
    status = str(event.get("STATUS", "CONFIRMED")).upper()
    return transparency != "TRANSPARENT" and status != "CANCELLED"


def _utc_span(event: icalendar.Component, tz: ZoneInfo) -> tuple[datetime, datetime] | None:
    """The occurrence's [start, end) in UTC; None when it has no usable start."""
    start_prop = event.get("DTSTART")
    if start_prop is None:
        return None
    start = start_prop.dt
    end_prop = event.get("DTEND")
    end = end_prop.dt if end_prop is not None else start
    if not isinstance(start, datetime):  # a DATE: all day, in the user's zone
        last = end if isinstance(end, date) and not isinstance(end, datetime) else start
        if last <= start:
            last = start + _DAY
        return local_to_utc(start, time(0), tz), local_to_utc(last, time(0), tz)
    if not isinstance(end, datetime):
        end = start
    return _instant(start, tz), _instant(end, tz)


def _instant(value: datetime, tz: ZoneInfo) -> datetime:
    if value.utcoffset() is None:  # floating: the user's wall clock
        return local_to_utc(value.date(), value.time().replace(tzinfo=None), tz)
    return value.astimezone(UTC)


# --- refusing runaway rules before expanding them --------------------------------------

_SUB_DAILY_SECONDS = {"HOURLY": 3600, "MINUTELY": 60, "SECONDLY": 1}
_PERIOD_DAYS = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 28, "YEARLY": 365}


def _occurrence_bound(event: icalendar.Component, days: int) -> int:
    """An upper bound of the event's occurrences in a window of `days` days."""
    total = 1  # the event itself, or an override of one occurrence
    for rule in _as_list(event.get("RRULE")):
        total += _rule_bound(rule, days)
    for dates in _as_list(event.get("RDATE")):
        total += len(getattr(dates, "dts", ()))
    return total


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _rule_bound(rule: Any, days: int) -> int:
    try:
        freq = str(rule.get("FREQ", [""])[0]).upper()
        interval = max(int(rule.get("INTERVAL", [1])[0]), 1)
        count = int(rule["COUNT"][0]) if "COUNT" in rule else None
        sizes = {key: len(rule.get(key, ())) for key in _BY_PARTS}
    except Exception:  # an unreadable rule: the library skips that series
        return 0
    bound = _starts_bound(freq, interval, sizes, days)
    return bound if count is None else min(bound, count)


_BY_PARTS = ("BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO")


def _starts_bound(freq: str, interval: int, sizes: dict[str, int], days: int) -> int:
    """Starts a rule can make in `days` days: dates times the wall times on each date."""
    if freq in _SUB_DAILY_SECONDS:
        per_day = math.ceil(86400 / (_SUB_DAILY_SECONDS[freq] * interval))
        if freq == "HOURLY":
            per_day *= max(sizes["BYMINUTE"], 1) * max(sizes["BYSECOND"], 1)
        elif freq == "MINUTELY":
            per_day *= max(sizes["BYSECOND"], 1)
        return (days + 1) * per_day
    if freq not in _PERIOD_DAYS:
        return days + 1
    per_date = max(sizes["BYHOUR"], 1) * max(sizes["BYMINUTE"], 1) * max(sizes["BYSECOND"], 1)
    if freq == "DAILY":
        per_period = 1
    elif freq == "WEEKLY":
        per_period = max(sizes["BYDAY"], 1)
    elif freq == "MONTHLY":
        per_period = sizes["BYMONTHDAY"] or 5 * sizes["BYDAY"] or 1
    else:  # YEARLY: a day list may pick any date, so only the plain rule gets a tight bound
        picks = sizes["BYDAY"] + sizes["BYMONTHDAY"] + sizes["BYYEARDAY"] + sizes["BYWEEKNO"]
        per_period = days + 1 if picks else 12
    periods = days // (_PERIOD_DAYS[freq] * interval) + 2
    return min(days + 1, periods * per_period) * per_date
