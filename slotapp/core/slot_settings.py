"""The owner's slot settings as plain values, with the checks a settings form needs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

from slotapp.core.validation import is_whole_number

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
LIMITS = {
    "length_minutes": (5, 8 * 60),
    "step_minutes": (5, 8 * 60),
    "min_notice_minutes": (0, 30 * 24 * 60),
    "booking_window_days": (1, 365),
    "buffer_before_minutes": (0, 240),
    "buffer_after_minutes": (0, 240),
    "daily_limit": (1, 100),
}

Ranges = tuple[tuple[time, time], ...]


@dataclass(frozen=True)
class SlotSettings:
    """What an owner chose: weekly hours (0 = Monday), overrides and the booking rules."""

    weekly: Mapping[int, Ranges]
    overrides: Mapping[date, Ranges] = field(default_factory=dict)
    length_minutes: int = 30
    step_minutes: int | None = None
    min_notice_minutes: int = 120
    booking_window_days: int = 60
    buffer_before_minutes: int = 0
    buffer_after_minutes: int = 0
    daily_limit: int | None = None

    @property
    def length(self) -> timedelta:
        return timedelta(minutes=self.length_minutes)


class SettingsError(ValueError):
    """Refused settings; `errors` maps each form field to its message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


def parse_time(text: str) -> time:
    """'09:30' -> time(9, 30); '24:00' is refused (use 23:59); ValueError otherwise."""
    hours, _, minutes = text.strip().partition(":")
    if not (is_whole_number(hours) and is_whole_number(minutes) and len(minutes) == 2):
        raise ValueError(f"'{text.strip()}' is not a time like 09:30")
    if int(hours) > 23 or int(minutes) > 59:
        raise ValueError(f"'{text.strip()}' is not a time of day (use 00:00 to 23:59)")
    return time(int(hours), int(minutes))


def parse_ranges(raw: Sequence[Sequence[str]]) -> Ranges:
    """Stored [["09:00", "12:00"], ...] to time pairs (not yet checked for order)."""
    return tuple((parse_time(a), parse_time(b)) for a, b in raw)


def format_ranges(ranges: Ranges) -> list[list[str]]:
    """Time pairs to the stored form."""
    return [[a.strftime("%H:%M"), b.strftime("%H:%M")] for a, b in ranges]


def parse_weekly(raw: Mapping[str, Sequence[Sequence[str]]]) -> dict[int, Ranges]:
    """Stored weekly hours {"0": [...]} to {0: ((time, time), ...)}."""
    return {int(day): parse_ranges(ranges) for day, ranges in raw.items() if ranges}


def range_errors(ranges: Ranges) -> str | None:
    """Why a day's ranges are wrong (end not after start, overlap), or None."""
    for start, end in ranges:
        if end <= start:
            return f"End {end:%H:%M} must be after start {start:%H:%M}."
    ordered = sorted(ranges)
    for (_, end), (start, _) in zip(ordered, ordered[1:], strict=False):
        if start < end:
            return f"Ranges overlap: one ends {end:%H:%M}, the next starts {start:%H:%M}."
    return None


def _minutes(a: time, b: time) -> int:
    return (b.hour * 60 + b.minute) - (a.hour * 60 + a.minute)


def check_settings(settings: SlotSettings) -> dict[str, str]:
    """Every problem, keyed by the form field it belongs to ({} when all is well).

    Fields: "hours-<weekday>", "override-<iso date>", and the numeric field names.
    """
    errors: dict[str, str] = {}
    for name, (low, high) in LIMITS.items():
        value: Any = getattr(settings, name)
        if value is None:
            continue
        if not low <= value <= high:
            errors[name] = f"Must be between {low} and {high}."
    for day, ranges in settings.weekly.items():
        if not 0 <= day <= 6:
            errors[f"hours-{day}"] = "Unknown weekday."
        elif problem := range_errors(ranges):
            errors[f"hours-{day}"] = problem
    for day_off, ranges in settings.overrides.items():
        if problem := range_errors(ranges):
            errors[f"override-{day_off.isoformat()}"] = problem
    all_ranges = [r for ranges in settings.weekly.values() for r in ranges]
    if (
        "length_minutes" not in errors
        and all_ranges
        and not any(_minutes(a, b) >= settings.length_minutes for a, b in all_ranges)
    ):
        errors["length_minutes"] = (
            f"A {settings.length_minutes}-minute meeting fits in none of your time ranges."
        )
    return errors


def parse_day_text(text: str) -> Ranges:
    """'09:00-12:00, 13:00-17:00' -> ranges; '' -> (); ValueError with a readable message."""
    ranges = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        start, sep, end = part.replace("–", "-").partition("-")
        if not sep:
            raise ValueError(f"'{part}' is not a range like 09:00-17:00")
        ranges.append((parse_time(start), parse_time(end)))
    return tuple(ranges)


def day_text(ranges: Ranges) -> str:
    """Ranges as the settings form shows them: '09:00-12:00, 13:00-17:00'."""
    return ", ".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in ranges)
