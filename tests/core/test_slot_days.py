"""The guest's day strip and time buttons, in the guest's zone, across a DST change."""

from __future__ import annotations

from datetime import UTC, datetime

from slotapp.core.slot_days import day_strip, day_times, local_days


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


# Berlin springs forward on Sunday 29 March 2026: 01:00 UTC is 03:00 CEST.
SLOTS = [utc(28, 22, 30), utc(29, 0, 30), utc(29, 1, 0), utc(30, 8)]


def test_days_are_local_dates_with_times() -> None:
    days = local_days(SLOTS, "Europe/Berlin")
    assert [(d, label, len(s)) for d, label, s in days] == [
        ("2026-03-28", "Sat 28 Mar", 1),  # 23:30 CET
        ("2026-03-29", "Sun 29 Mar", 2),  # 01:30 CET and 03:00 CEST
        ("2026-03-30", "Mon 30 Mar", 1),
    ]


def test_strip_keeps_a_still_valid_choice_else_the_first_day_with_times() -> None:
    days = local_days(SLOTS, "Europe/Berlin")
    assert day_strip(days, "2026-03-29").selected_day == "2026-03-29"
    assert day_strip(days, "2026-04-01").selected_day == "2026-03-28"
    empty = [("2026-03-27", "Fri 27 Mar", []), *days]
    strip = day_strip(empty, "2026-03-27")
    assert strip.selected_day == "2026-03-28"
    assert strip.days[0] == {"day": "2026-03-27", "label": "Fri 27 Mar", "count": "0"}
    assert day_strip([], "").selected_day == ""


def test_times_are_labelled_on_the_wall_clock() -> None:
    strip = day_strip(local_days(SLOTS, "Europe/Berlin"), "")
    times, picked = day_times(strip.slots, "2026-03-29", utc(29, 1).isoformat(), "Europe/Berlin")
    assert [t["label"] for t in times] == ["01:30", "03:00"]
    assert picked == utc(29, 1).isoformat()
    _, gone = day_times(strip.slots, "2026-03-30", utc(29, 1).isoformat(), "Europe/Berlin")
    assert gone == ""
