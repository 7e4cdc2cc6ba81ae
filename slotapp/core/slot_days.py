"""Free slot starts the way a guest picks them: a strip of local days, then one day's times.

Pure: plain dicts of strings that the pages' states show as they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import NamedTuple

from slotapp.core.availability import group_by_local_date
from slotapp.core.wallclock import zone

DAY_LABEL = "%a %d %b"  # "Mon 23 Nov"
TIME_LABEL = "%H:%M"


class DayStrip(NamedTuple):
    """The day buttons, each day's starts, and the day to show."""

    days: list[dict[str, str]]
    """One entry per day, in order: {"day": ISO date, "label": DAY_LABEL, "count": "3"}."""
    slots: dict[str, list[str]]
    """ISO date to its starts as ISO datetimes."""
    selected_day: str
    """The day picked before if it still has times, else the first day with times, else ""."""


def local_days(slots: Iterable[datetime], time_zone: str) -> list[tuple[str, str, list[datetime]]]:
    """Slot starts grouped by their local date in a zone, as (ISO date, label, starts).

    Only dates with at least one start are listed, in date order.

    Raises:
        AvailabilityError: for an unknown zone or naive datetimes.
    """
    by_day = group_by_local_date(slots, time_zone)
    return [(day.isoformat(), f"{day:{DAY_LABEL}}", starts) for day, starts in by_day.items()]


def day_strip(days: Iterable[tuple[str, str, Sequence[datetime]]], selected_day: str) -> DayStrip:
    """The day strip for (ISO date, label, starts) triples; a day may have no starts.

    Args:
        days: The days in display order.
        selected_day: The ISO date picked so far ("" for none).
    """
    entries: list[dict[str, str]] = []
    slots: dict[str, list[str]] = {}
    for day, label, starts in days:
        entries.append({"day": day, "label": label, "count": str(len(starts))})
        slots[day] = [s.isoformat() for s in starts]
    if not slots.get(selected_day):
        selected_day = next((day for day, starts in slots.items() if starts), "")
    return DayStrip(entries, slots, selected_day)


def day_times(
    slots: Mapping[str, Sequence[str]], day: str, selected_start: str, time_zone: str
) -> tuple[list[dict[str, str]], str]:
    """The time buttons of one day, and the picked start if it is still one of them.

    Args:
        slots: ISO date to its starts as ISO datetimes (`DayStrip.slots`).
        day: The ISO date shown.
        selected_start: The ISO start picked so far ("" for none).
        time_zone: IANA zone of the labels.

    Returns:
        [{"iso": start, "label": TIME_LABEL}, ...] and the picked start or "".
    """
    tz = zone(time_zone)
    starts = slots.get(day, [])
    times = [
        {"iso": iso, "label": f"{datetime.fromisoformat(iso).astimezone(tz):{TIME_LABEL}}"}
        for iso in starts
    ]
    return times, selected_start if selected_start in starts else ""
