"""The week view's grid: days, hours, overlap lanes and daylight-saving days."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from slotapp.core.week import Entry, build_week, week_bounds, week_start

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def entry(key: str, start: datetime, end: datetime) -> Entry:
    return Entry(key=key, start=start, end=end, title=f"meeting {key}")


@pytest.mark.parametrize(
    ("day", "first_weekday", "expected"),
    [
        (date(2026, 11, 21), 0, date(2026, 11, 16)),  # Saturday -> Monday
        (date(2026, 11, 16), 0, date(2026, 11, 16)),
        (date(2026, 11, 21), 6, date(2026, 11, 15)),  # Sunday-first weeks
        (date(2026, 11, 22), 6, date(2026, 11, 22)),
    ],
)
def test_week_start(day: date, first_weekday: int, expected: date) -> None:
    assert week_start(day, first_weekday=first_weekday) == expected


@pytest.mark.parametrize(
    ("start", "hours"),
    [(date(2026, 3, 23), 167), (date(2026, 10, 19), 169), (date(2026, 11, 16), 168)],
    ids=["spring-forward", "fall-back", "plain"],
)
def test_week_bounds_follow_the_clock(start: date, hours: int) -> None:
    first, last = week_bounds(start, BERLIN)
    assert first == datetime(start.year, start.month, start.day, tzinfo=BERLIN)
    assert (last - first).total_seconds() == hours * 3600


def test_meetings_land_on_their_local_day_and_hour() -> None:
    # 23:30 UTC on Monday is 18:30 on Monday in New York (EST, UTC-5).
    week = build_week(
        date(2026, 11, 16),
        NEW_YORK,
        [
            entry(
                "a",
                datetime(2026, 11, 16, 23, 30, tzinfo=UTC),
                datetime(2026, 11, 17, 0, 0, tzinfo=UTC),
            )
        ],
    )
    assert [len(d.blocks) for d in week.days] == [1, 0, 0, 0, 0, 0, 0]
    block = week.days[0].blocks[0]
    assert block.label == "18:30-19:00"
    assert (week.first_hour, week.last_hour) == (8, 19)  # widened to show it
    assert block.top == pytest.approx(10.5 / 11)
    assert block.height == pytest.approx(0.5 / 11)


def test_a_meeting_over_midnight_is_split() -> None:
    start = datetime(2026, 11, 17, 23, 0, tzinfo=BERLIN)
    end = datetime(2026, 11, 18, 1, 0, tzinfo=BERLIN)
    week = build_week(date(2026, 11, 16), BERLIN, [entry("n", start, end)])
    assert [len(d.blocks) for d in week.days] == [0, 1, 1, 0, 0, 0, 0]
    assert week.last_hour == 24
    assert week.first_hour == 0
    tuesday, wednesday = week.days[1].blocks[0], week.days[2].blocks[0]
    assert tuesday.top + tuesday.height == pytest.approx(1.0)
    assert wednesday.top == 0.0


def test_overlapping_meetings_sit_side_by_side() -> None:
    def at(h: int, m: int = 0) -> datetime:
        return datetime(2026, 11, 16, h, m, tzinfo=BERLIN)

    week = build_week(
        date(2026, 11, 16),
        BERLIN,
        [
            entry("a", at(9), at(10)),
            entry("b", at(9, 30), at(10, 30)),
            entry("c", at(10), at(11)),  # reuses a's lane
            entry("d", at(14), at(15)),  # its own cluster
        ],
    )
    lanes = {b.key: (b.lane, b.lanes) for b in week.days[0].blocks}
    assert lanes == {"a": (0, 2), "b": (1, 2), "c": (0, 2), "d": (0, 1)}


@pytest.mark.parametrize(
    ("day", "wall_start", "wall_end"),
    [(date(2026, 3, 29), (9, 0), (10, 0)), (date(2026, 10, 25), (9, 0), (10, 0))],
    ids=["spring-forward", "fall-back"],
)
def test_dst_days_show_wall_clock_times(
    day: date, wall_start: tuple[int, int], wall_end: tuple[int, int]
) -> None:
    start = datetime(day.year, day.month, day.day, *wall_start, tzinfo=BERLIN)
    end = datetime(day.year, day.month, day.day, *wall_end, tzinfo=BERLIN)
    week = build_week(week_start(day), BERLIN, [entry("x", start, end)])
    block = week.days[6].blocks[0]  # both changes fall on a Sunday
    assert block.label == "09:00-10:00"
    assert block.top == pytest.approx(1 / 10)
    assert block.height == pytest.approx(1 / 10)
