"""An Open Channel's working hours, including every kind of daylight-saving day.

2026 changes: Berlin 2026-03-29 (02:00 -> 03:00) and 2026-10-25 (03:00 -> 02:00), both
Sundays; New York 2026-03-08 and 2026-11-01; Santiago skips midnight on 2026-09-06.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from slotapp.core.working_hours import (
    HoursError,
    WorkingHours,
    is_open,
    next_opening,
    parse_hours_text,
)

BERLIN = "Europe/Berlin"
NY = "America/New_York"
END = time.max
NINE_TO_SIX = ((time(9), time(18)),)
OFFICE = WorkingHours(
    BERLIN,
    {d: NINE_TO_SIX for d in range(5)},
    weekends=frozenset({5, 6}),
    holidays=frozenset({date(2026, 12, 24)}),
)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def sundays(tz: str, *ranges: tuple[time, time]) -> WorkingHours:
    """Open only on Sundays, the day every DST change below happens."""
    return WorkingHours(tz, {6: ranges})


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone", "Unknown time zone"),
        ({"time_zone": "../../etc/passwd"}, "time_zone", "Unknown time zone"),
        ({"time_zone": ""}, "time_zone", "Unknown time zone"),
        ({"weekly": {0: ((time(18), time(9)),)}}, "monday", "18:00-09:00 does not end after"),
        ({"weekly": {2: ((time(9), time(9)),)}}, "wednesday", "09:00-09:00 does not end"),
        ({"weekly": {6: ((END, END),)}}, "sunday", "24:00-24:00 does not end"),
        (
            {"weekly": {4: ((time(13), time(18)), (time(9), time(14)))}},
            "friday",
            "09:00-14:00 overlaps 13:00-18:00",
        ),
        (
            {"weekly": {0: ((time(9), time(12)), (time(9), time(12)))}},
            "monday",
            "overlaps",
        ),
        ({"weekly": {7: NINE_TO_SIX}}, "weekly", "Unknown weekday 7"),
        ({"weekly": {-1: NINE_TO_SIX}}, "weekly", "Unknown weekday -1"),
        ({"weekends": frozenset({7})}, "weekends", "0 (Monday) to 6"),
    ],
)
def test_bad_hours_are_refused_with_field_and_message(
    kwargs: dict[str, object], field: str, message: str
) -> None:
    with pytest.raises(HoursError) as caught:
        WorkingHours(**kwargs)  # type: ignore[arg-type]
    assert caught.value.field == field
    assert message in caught.value.message
    assert isinstance(caught.value, ValueError)


def test_touching_ranges_are_sorted_and_accepted() -> None:
    hours = WorkingHours(BERLIN, {0: ((time(13), END), (time(9), time(13)))})
    assert hours.weekly[0] == ((time(9), time(13)), (time(13), END))


def test_weekday_keys_from_json_are_accepted() -> None:
    hours = WorkingHours(BERLIN, {"1": [(time(9), time(10))]})  # type: ignore[dict-item]
    assert hours.weekly == {1: ((time(9), time(10)),)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ()),
        ("closed", ()),
        (" Closed ", ()),
        ("09:00-17:30", ((time(9), time(17, 30)),)),
        ("9-17", ((time(9), time(17)),)),
        ("14:00 - 18:00, 9:00-13:00", ((time(9), time(13)), (time(14), time(18)))),
        ("9:00–13:00; 14:00 to 18:00", ((time(9), time(13)), (time(14), time(18)))),
        ("20:00-24:00\n00:00-01:00", ((time(0), time(1)), (time(20), END))),
        ("00:00-24:00", ((time(0), END),)),
    ],
)
def test_parse_hours_text(text: str, expected: tuple[tuple[time, time], ...]) -> None:
    assert parse_hours_text(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nine to five", "as a range like 09:00-17:30"),
        ("09:00", "as a range like"),
        ("09:00-25:00", "does not exist"),
        ("09:60-10:00", "does not exist"),
        ("24:00-24:00", "does not end after"),
        ("17:00-09:00", "17:00-09:00 does not end after it starts"),
        ("09:00-13:00, 12:00-18:00", "09:00-13:00 overlaps 12:00-18:00"),
        ("closed, 09:00-10:00", "as a range like"),
    ],
)
def test_parse_hours_text_refuses(text: str, message: str) -> None:
    with pytest.raises(HoursError) as caught:
        parse_hours_text(text, field="tuesday")
    assert caught.value.field == "tuesday"
    assert message in caught.value.message


# --- is_open --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "at", "expected"),
    [
        (OFFICE, utc(2026, 11, 23, 8, 0), True),  # Monday 09:00 CET
        (OFFICE, utc(2026, 11, 23, 7, 59), False),  # 08:59
        (OFFICE, utc(2026, 11, 23, 16, 59), True),  # 17:59
        (OFFICE, utc(2026, 11, 23, 17, 0), False),  # 18:00: the end is not included
        (OFFICE, utc(2026, 7, 6, 7, 0), True),  # Monday 09:00 CEST
        (OFFICE, utc(2026, 7, 6, 16, 30), False),  # 18:30 CEST, though 17:30 in winter
        (OFFICE, utc(2026, 11, 21, 10, 0), False),  # Saturday
        (OFFICE, utc(2026, 12, 24, 10, 0), False),  # holiday
        (OFFICE, utc(2026, 12, 23, 16, 59), True),  # the day before the holiday
        (OFFICE, datetime(2026, 11, 23, 18, tzinfo=ZoneInfo("Asia/Tokyo")), True),  # 10:00 CET
        (WorkingHours(BERLIN, enabled=False), utc(2026, 12, 24, 3, 0), True),
        (WorkingHours(BERLIN), utc(2026, 11, 23, 10, 0), False),
    ],
    ids=[
        "opening-minute",
        "before",
        "last-minute",
        "closing-minute",
        "summer-time",
        "summer-closing",
        "weekend",
        "holiday",
        "before-holiday",
        "any-input-zone",
        "disabled-always-open",
        "no-ranges-never-open",
    ],
)
def test_is_open(hours: WorkingHours, at: datetime, expected: bool) -> None:
    assert is_open(hours, at) is expected


def test_holiday_and_weekend_are_local_dates() -> None:
    all_day = WorkingHours(BERLIN, {d: ((time(0), END),) for d in range(7)}, weekends={6})  # type: ignore[arg-type]
    holiday = WorkingHours(BERLIN, all_day.weekly, holidays=frozenset({date(2026, 12, 24)}))
    # 23:30 UTC on the 23rd is already 00:30 on the 24th in Berlin.
    assert not is_open(holiday, utc(2026, 12, 23, 23, 30))
    assert is_open(holiday, utc(2026, 12, 23, 22, 59))
    # 23:00 UTC Saturday is Sunday 00:00 in Berlin.
    assert not is_open(all_day, utc(2026, 11, 21, 23, 0))
    assert is_open(all_day, utc(2026, 11, 21, 22, 59, 59))


def test_midnight_ranges_join_across_days() -> None:
    hours = WorkingHours(BERLIN, {0: ((time(20), END),), 1: ((time(0), time(2)),)})
    for minutes in range(0, 6 * 60):
        at = utc(2026, 11, 23, 19, 0) + timedelta(minutes=minutes)  # Mon 20:00 to Tue 02:00
        assert is_open(hours, at)
    assert not is_open(hours, utc(2026, 11, 24, 1, 0))


@pytest.mark.parametrize(
    ("tz", "ranges", "at", "expected"),
    [
        (BERLIN, ((time(2, 30), time(5)),), utc(2026, 3, 29, 0, 59), False),  # 01:59 CET
        (BERLIN, ((time(2, 30), time(5)),), utc(2026, 3, 29, 1, 0), True),  # 03:00 CEST
        (BERLIN, ((time(2, 30), time(5)),), utc(2026, 3, 29, 2, 59), True),  # 04:59 CEST
        (BERLIN, ((time(2, 30), time(5)),), utc(2026, 3, 29, 3, 0), False),  # 05:00 CEST
        (BERLIN, ((time(2, 15), time(2, 45)),), utc(2026, 10, 25, 0, 30), True),  # 1st pass
        (BERLIN, ((time(2, 15), time(2, 45)),), utc(2026, 10, 25, 0, 50), False),  # 02:50 CEST
        (BERLIN, ((time(2, 15), time(2, 45)),), utc(2026, 10, 25, 1, 30), True),  # 2nd pass
        (BERLIN, ((time(2, 15), time(2, 45)),), utc(2026, 10, 25, 1, 45), False),
        (NY, ((time(1, 30), time(3)),), utc(2026, 3, 8, 6, 59), True),  # 01:59 EST
        (NY, ((time(1, 30), time(3)),), utc(2026, 3, 8, 7, 0), False),  # 03:00 EDT: end
        (NY, ((time(1, 30), time(2, 30)),), utc(2026, 3, 8, 7, 0), False),
        (NY, ((time(1, 0), time(1, 30)),), utc(2026, 11, 1, 6, 15), True),  # 01:15 EST
    ],
)
def test_is_open_on_daylight_saving_sundays(
    tz: str, ranges: tuple[tuple[time, time], ...], at: datetime, expected: bool
) -> None:
    assert is_open(sundays(tz, *ranges), at) is expected


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        is_open(OFFICE, datetime(2026, 11, 23, 9))
    with pytest.raises(ValueError, match="aware"):
        next_opening(OFFICE, datetime(2026, 11, 23, 9))


# --- next_opening -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "after", "expected"),
    [
        (OFFICE, utc(2026, 11, 23, 10, 0), utc(2026, 11, 23, 10, 0)),  # open: now
        (OFFICE, utc(2026, 11, 23, 6, 0), utc(2026, 11, 23, 8, 0)),  # later today
        (OFFICE, utc(2026, 11, 23, 17, 0), utc(2026, 11, 24, 8, 0)),  # tomorrow
        (OFFICE, utc(2026, 11, 20, 18, 0), utc(2026, 11, 23, 8, 0)),  # over the weekend
        (OFFICE, utc(2026, 12, 23, 17, 0), utc(2026, 12, 25, 8, 0)),  # over the holiday
        (OFFICE, utc(2026, 3, 27, 17, 0), utc(2026, 3, 30, 7, 0)),  # weekend into summer
        (OFFICE, utc(2026, 10, 23, 16, 0), utc(2026, 10, 26, 8, 0)),  # weekend into winter
        (WorkingHours(BERLIN, enabled=False), utc(2026, 12, 24, 3), utc(2026, 12, 24, 3)),
        (WorkingHours(BERLIN), utc(2026, 11, 23), None),
        (WorkingHours(BERLIN, {0: NINE_TO_SIX}, weekends=frozenset({0})), utc(2026, 1, 1), None),
    ],
    ids=[
        "open-now",
        "later-today",
        "tomorrow",
        "after-weekend",
        "after-holiday",
        "into-summer-time",
        "into-winter-time",
        "disabled",
        "no-hours",
        "every-open-day-is-weekend",
    ],
)
def test_next_opening(hours: WorkingHours, after: datetime, expected: datetime | None) -> None:
    result = next_opening(hours, after)
    assert result == expected
    if result is not None:
        assert result.tzinfo is UTC


def test_next_opening_converts_any_zone_to_utc() -> None:
    after = datetime(2026, 11, 23, 7, 0, tzinfo=ZoneInfo(NY))  # 13:00 Berlin, open
    assert next_opening(OFFICE, after) == utc(2026, 11, 23, 12, 0)


def test_next_opening_gives_up_after_366_days() -> None:
    once = date(2027, 6, 1)
    hours = WorkingHours(
        BERLIN,
        {d: NINE_TO_SIX for d in range(7)},
        holidays=frozenset(date(2026, 6, 1) + timedelta(days=n) for n in range(365)),
    )
    assert next_opening(hours, utc(2026, 6, 1)) == utc(2027, 6, 1, 7, 0)
    closed_longer = WorkingHours(
        BERLIN, hours.weekly, holidays=hours.holidays | {once + timedelta(days=n) for n in range(3)}
    )
    assert next_opening(closed_longer, utc(2026, 6, 1)) is None


@pytest.mark.parametrize(
    ("tz", "ranges", "after", "expected"),
    [
        # Spring forward in Berlin: 02:00-03:00 does not exist on 2026-03-29.
        (BERLIN, ((time(9), time(17)),), utc(2026, 3, 28, 23), utc(2026, 3, 29, 7)),
        (BERLIN, ((time(2, 30), time(5)),), utc(2026, 3, 28, 23), utc(2026, 3, 29, 1)),
        (BERLIN, ((time(2), time(5)),), utc(2026, 3, 28, 23), utc(2026, 3, 29, 1)),
        (BERLIN, ((time(1, 30), time(2, 30)),), utc(2026, 3, 29, 0, 45), utc(2026, 3, 29, 0, 45)),
        (BERLIN, ((time(1, 30), time(2, 30)),), utc(2026, 3, 29, 1, 0), utc(2026, 4, 4, 23, 30)),
        # Entirely inside the gap: never open that Sunday, next Sunday instead.
        (BERLIN, ((time(2, 10), time(2, 50)),), utc(2026, 3, 28, 23), utc(2026, 4, 5, 0, 10)),
        # Fall back in Berlin: 02:00-03:00 happens twice on 2026-10-25.
        (BERLIN, ((time(9), time(17)),), utc(2026, 10, 24, 23), utc(2026, 10, 25, 8)),
        (BERLIN, ((time(2, 15), time(2, 45)),), utc(2026, 10, 24, 23), utc(2026, 10, 25, 0, 15)),
        (BERLIN, ((time(2, 15), time(2, 45)),), utc(2026, 10, 25, 0, 50), utc(2026, 10, 25, 1, 15)),
        (BERLIN, ((time(2, 15), time(2, 45)),), utc(2026, 10, 25, 1, 50), utc(2026, 11, 1, 1, 15)),
        (BERLIN, ((time(3), time(4)),), utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 2, 0)),
        # New York.
        (NY, ((time(2, 30), time(4)),), utc(2026, 3, 8, 5), utc(2026, 3, 8, 7)),
        (NY, ((time(1, 15), time(1, 45)),), utc(2026, 11, 1, 5, 50), utc(2026, 11, 1, 6, 15)),
        # Santiago skips midnight: Sunday starts at 01:00 (UTC-3) on 2026-09-06.
        (
            "America/Santiago",
            ((time(0), time(8)),),
            utc(2026, 9, 5, 12),
            utc(2026, 9, 6, 4),
        ),
    ],
)
def test_next_opening_on_daylight_saving_sundays(
    tz: str, ranges: tuple[tuple[time, time], ...], after: datetime, expected: datetime
) -> None:
    assert next_opening(sundays(tz, *ranges), after) == expected


@pytest.mark.parametrize(
    ("tz", "day"),
    [
        (BERLIN, date(2026, 3, 29)),
        (BERLIN, date(2026, 10, 25)),
        (NY, date(2026, 3, 8)),
        (NY, date(2026, 11, 1)),
        ("America/Santiago", date(2026, 9, 6)),
        ("America/Santiago", date(2026, 4, 5)),
        ("Australia/Lord_Howe", date(2026, 10, 4)),  # a 30-minute change
        ("Australia/Lord_Howe", date(2026, 4, 5)),
    ],
)
@pytest.mark.parametrize(
    "ranges",
    [
        ((time(0), time(1, 30)), (time(1, 45), time(2, 15)), (time(2, 40), END)),
        ((time(1), time(3)),),
        ((time(0, 30), time(2, 20)), (time(23), END)),
    ],
    ids=["split", "night", "edges"],
)
def test_next_opening_agrees_with_is_open_minute_by_minute(
    tz: str, day: date, ranges: tuple[tuple[time, time], ...]
) -> None:
    hours = WorkingHours(tz, {day.weekday(): ranges})
    start = datetime.combine(day, time(0), tzinfo=ZoneInfo(tz)).astimezone(UTC) - timedelta(hours=3)
    minutes = [start + timedelta(minutes=n) for n in range(30 * 60)]
    opened = [m for m in minutes if is_open(hours, m)]
    assert opened, "the day has some open time"
    for m in minutes[::7]:
        expected = next((o for o in opened if o >= m), None)
        if expected is not None:
            assert next_opening(hours, m) == expected, m
