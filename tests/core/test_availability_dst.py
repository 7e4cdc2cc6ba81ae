"""Daylight-saving behaviour: wall-clock hours stay wall-clock hours across every change.

2026 changes: US on 2026-03-08 (02:00 -> 03:00) and 2026-11-01 (02:00 -> 01:00);
EU on 2026-03-29 (02:00 -> 03:00 in Berlin) and 2026-10-25 (03:00 -> 02:00 in Berlin).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from slotapp.core.availability import (
    HostSchedule,
    SlotRules,
    available_slots,
    group_by_local_date,
)

NY = "America/New_York"
BERLIN = "Europe/Berlin"
HALF_HOUR = SlotRules(length=timedelta(minutes=30))


def run(
    tz: str, day: date, hours: tuple[time, time], rules: SlotRules = HALF_HOUR
) -> list[datetime]:
    """Slots for one local day with `hours` on that weekday only."""
    h = HostSchedule(tz, {day.weekday(): (hours,)})
    start = datetime.combine(day, time(0), tzinfo=ZoneInfo(tz))
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(tz))
    return available_slots(
        [h], rules, window_start=start, window_end=end, now=start - timedelta(days=1)
    )


def walls(slots: list[datetime], tz: str) -> list[str]:
    """Local wall clock with UTC offset, e.g. "09:00-0400"."""
    return [s.astimezone(ZoneInfo(tz)).strftime("%H:%M%z") for s in slots]


@pytest.mark.parametrize(
    ("tz", "day", "first_utc", "offset"),
    [
        pytest.param(
            NY,
            date(2026, 3, 2),
            datetime(2026, 3, 2, 14, tzinfo=UTC),
            "-0500",
            id="ny-before-spring",
        ),
        pytest.param(
            NY,
            date(2026, 3, 9),
            datetime(2026, 3, 9, 13, tzinfo=UTC),
            "-0400",
            id="ny-monday-after-spring",
        ),
        pytest.param(
            NY,
            date(2026, 10, 26),
            datetime(2026, 10, 26, 13, tzinfo=UTC),
            "-0400",
            id="ny-before-fall",
        ),
        pytest.param(
            NY,
            date(2026, 11, 2),
            datetime(2026, 11, 2, 14, tzinfo=UTC),
            "-0500",
            id="ny-monday-after-fall",
        ),
        pytest.param(
            BERLIN,
            date(2026, 3, 30),
            datetime(2026, 3, 30, 7, tzinfo=UTC),
            "+0200",
            id="berlin-monday-after-spring",
        ),
        pytest.param(
            BERLIN,
            date(2026, 10, 26),
            datetime(2026, 10, 26, 8, tzinfo=UTC),
            "+0100",
            id="berlin-monday-after-fall",
        ),
    ],
)
def test_monday_nine_to_five_stays_local(
    tz: str, day: date, first_utc: datetime, offset: str
) -> None:
    got = run(tz, day, (time(9), time(17)))
    assert len(got) == 16
    assert got[0] == first_utc
    assert walls(got, tz)[0] == f"09:00{offset}"
    assert walls(got, tz)[-1] == f"16:30{offset}"


@pytest.mark.parametrize(
    ("tz", "day", "expected_utc"),
    [
        pytest.param(
            NY, date(2026, 3, 8), datetime(2026, 3, 8, 17, tzinfo=UTC), id="ny-spring-day"
        ),
        pytest.param(
            NY, date(2026, 11, 1), datetime(2026, 11, 1, 18, tzinfo=UTC), id="ny-fall-day"
        ),
        pytest.param(
            BERLIN, date(2026, 3, 29), datetime(2026, 3, 29, 11, tzinfo=UTC), id="berlin-spring-day"
        ),
        pytest.param(
            BERLIN, date(2026, 10, 25), datetime(2026, 10, 25, 12, tzinfo=UTC), id="berlin-fall-day"
        ),
    ],
)
def test_afternoon_start_on_change_day_is_local(tz: str, day: date, expected_utc: datetime) -> None:
    got = run(tz, day, (time(13), time(14)))
    assert got == [expected_utc, expected_utc + timedelta(minutes=30)]
    assert walls(got, tz)[0].startswith("13:00")


@pytest.mark.parametrize(
    ("tz", "day", "hours", "expected"),
    [
        pytest.param(
            NY,
            date(2026, 3, 8),
            (time(2), time(4)),
            ["03:00-0400", "03:30-0400"],
            id="ny-gap-no-02xx",
        ),
        pytest.param(
            BERLIN,
            date(2026, 3, 29),
            (time(2), time(4)),
            ["03:00+0200", "03:30+0200"],
            id="berlin-gap",
        ),
        pytest.param(
            NY,
            date(2026, 3, 8),
            (time(1), time(2, 30)),
            ["01:00-0500", "01:30-0500"],
            id="range-ending-in-gap",
        ),
        pytest.param(NY, date(2026, 3, 8), (time(2), time(2, 30)), [], id="range-wholly-in-gap"),
        pytest.param(
            NY,
            date(2026, 3, 8),
            (time(0), time(4)),
            ["00:00-0500", "00:30-0500", "01:00-0500", "01:30-0500", "03:00-0400", "03:30-0400"],
            id="range-across-gap",
        ),
    ],
)
def test_spring_forward_skipped_wall_times_yield_no_slot(
    tz: str, day: date, hours: tuple[time, time], expected: list[str]
) -> None:
    assert walls(run(tz, day, hours), tz) == expected


@pytest.mark.parametrize(
    ("tz", "day", "hours", "expected"),
    [
        pytest.param(
            NY,
            date(2026, 11, 1),
            (time(1), time(2)),
            ["01:00-0400", "01:30-0400"],
            id="ny-repeated-hour",
        ),
        pytest.param(
            BERLIN,
            date(2026, 10, 25),
            (time(2), time(3)),
            ["02:00+0200", "02:30+0200"],
            id="berlin-repeated-hour",
        ),
        pytest.param(
            NY,
            date(2026, 11, 1),
            (time(0), time(3)),
            ["00:00-0400", "00:30-0400", "01:00-0400", "01:30-0400", "02:00-0500", "02:30-0500"],
            id="range-across-repeat",
        ),
    ],
)
def test_fall_back_repeated_wall_times_yield_one_slot(
    tz: str, day: date, hours: tuple[time, time], expected: list[str]
) -> None:
    assert walls(run(tz, day, hours), tz) == expected


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        # With a 20-minute step the second pass over 01:xx lands on the same wall times.
        pytest.param(20, ["01:00-0400", "01:20-0400", "01:40-0400"], id="step-20"),
        # With a 45-minute step it lands on new ones (01:15 EST), which are kept.
        pytest.param(45, ["01:00-0400", "01:45-0400", "01:30-0500"], id="step-45-new-walls-kept"),
    ],
)
def test_fall_back_dedupe_only_drops_repeats(step: int, expected: list[str]) -> None:
    rules = SlotRules(length=timedelta(minutes=15), step=timedelta(minutes=step))
    assert walls(run(NY, date(2026, 11, 1), (time(1), time(2)), rules), NY) == expected


def test_collective_between_us_and_eu_changes() -> None:
    # 2026-03-16: New York already on EDT (UTC-4), Berlin still on CET (UTC+1).
    day = date(2026, 3, 16)
    nine_to_five = ((time(9), time(17)),)
    hosts = [HostSchedule(NY, {0: nine_to_five}), HostSchedule(BERLIN, {0: nine_to_five})]
    start = datetime.combine(day, time(0), tzinfo=ZoneInfo(NY))
    got = available_slots(
        hosts,
        SlotRules(length=timedelta(hours=1)),
        window_start=start,
        window_end=start + timedelta(days=1),
        now=start,
    )
    assert walls(got, NY) == ["09:00-0400", "10:00-0400", "11:00-0400"]  # Berlin 14:00-17:00


@pytest.mark.parametrize(
    ("tz", "expected_days"),
    [
        pytest.param(NY, [date(2026, 11, 1)], id="ny"),
        pytest.param("Asia/Kolkata", [date(2026, 11, 1), date(2026, 11, 2)], id="kolkata"),
    ],
)
def test_group_by_local_date_on_change_day(tz: str, expected_days: list[date]) -> None:
    slots = [datetime(2026, 11, 1, 5, tzinfo=UTC), datetime(2026, 11, 1, 23, 30, tzinfo=UTC)]
    assert list(group_by_local_date(slots, tz)) == expected_days


@pytest.mark.parametrize(
    ("tz", "fall_day", "wall"),
    [
        pytest.param(NY, date(2026, 11, 1), "01:", id="ny"),
        pytest.param(BERLIN, date(2026, 10, 25), "02:", id="berlin"),
    ],
)
def test_round_the_clock_for_months_keeps_one_slot_per_wall_time(
    tz: str, fall_day: date, wall: str
) -> None:
    # One free range from March to December spans both changes (equal offsets at its ends).
    h = HostSchedule(tz, {d: ((time(0), time.max),) for d in range(7)})
    start = datetime(2026, 3, 1, tzinfo=ZoneInfo(tz))
    got = available_slots(
        [h],
        SlotRules(length=timedelta(hours=1)),
        window_start=start,
        window_end=start.replace(month=12),
        now=start,
    )
    on_fall_day = group_by_local_date(got, tz)[fall_day]
    assert len(on_fall_day) == 24  # a 25-hour day whose repeated wall hour is offered once
    assert (
        sum(s.astimezone(ZoneInfo(tz)).strftime("%H:").startswith(wall) for s in on_fall_day) == 1
    )
