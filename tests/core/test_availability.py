"""Availability engine rules, one parametrized table per rule (DST cases live elsewhere)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from slotapp.core.availability import (
    AvailabilityError,
    Busy,
    HostSchedule,
    SlotRules,
    available_slots,
    group_by_local_date,
    zone,
)

MON = date(2026, 6, 1)  # a Monday without DST changes nearby
NY = "America/New_York"
BERLIN = "Europe/Berlin"
KOLKATA = "Asia/Kolkata"
MIN = timedelta(minutes=1)
HALF_HOUR = SlotRules(length=30 * MIN)


def at(tz: str, day: date, hh: int, mm: int = 0) -> datetime:
    """An aware local datetime in zone tz."""
    return datetime.combine(day, time(hh, mm), tzinfo=ZoneInfo(tz))


START = datetime(2026, 6, 1, tzinfo=ZoneInfo(NY))
END = START + timedelta(days=1)


def busy(tz: str, start: str, end: str, day: date = MON, **kw: Any) -> Busy:
    """A Busy from "HH:MM" local strings on `day`."""
    (h1, m1), (h2, m2) = (map(int, start.split(":")), map(int, end.split(":")))
    return Busy(at(tz, day, h1, m1), at(tz, day, h2, m2), **kw)


def host(tz: str = NY, hours: tuple[str, str] = ("09:00", "12:00"), **kw: Any) -> HostSchedule:
    """A host working `hours` every weekday."""
    a, b = (time.fromisoformat(h) for h in hours)
    return HostSchedule(tz, {d: ((a, b),) for d in range(5)}, **kw)


def local_slots(
    hosts: Sequence[HostSchedule],
    rules: SlotRules = HALF_HOUR,
    day: date = MON,
    days: int = 1,
    now: datetime | None = None,
) -> list[str]:
    """Engine output as owner-local "HH:MM" (or "MM-DD HH:MM" for multi-day windows)."""
    tz = ZoneInfo(hosts[0].time_zone)
    start = at(hosts[0].time_zone, day, 0)
    end = at(hosts[0].time_zone, day + timedelta(days=days), 0)
    got = available_slots(
        hosts, rules, window_start=start, window_end=end, now=now or start - timedelta(days=1)
    )
    fmt = "%H:%M" if days == 1 else "%m-%d %H:%M"
    return [s.astimezone(tz).strftime(fmt) for s in got]


@pytest.mark.parametrize(
    ("hosts", "expected"),
    [
        pytest.param([host()], ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"], id="plain"),
        pytest.param(
            [HostSchedule(NY, {1: ((time(9), time(12)),)})],
            [],
            id="weekday-not-worked",
        ),
        pytest.param(
            [HostSchedule(NY, {0: ((time(9), time(10)), (time(11), time(12)))})],
            ["09:00", "09:30", "11:00", "11:30"],
            id="two-ranges",
        ),
        pytest.param(
            [HostSchedule(NY, {0: ((time(9), time(10)), (time(10), time(11)))})],
            ["09:00", "09:30", "10:00", "10:30"],
            id="touching-ranges-merge",
        ),
        pytest.param(
            [host(overrides={MON: ((time(14), time(15)),)})],
            ["14:00", "14:30"],
            id="override-own-ranges",
        ),
        pytest.param([host(overrides={MON: ()})], [], id="override-day-off"),
        pytest.param(
            [host(overrides={MON + timedelta(days=1): ()})],
            ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"],
            id="override-other-day-ignored",
        ),
        pytest.param(
            [HostSchedule(NY, {0: ((time(23), time.max),)})],
            ["23:00", "23:30"],
            id="time-max-is-end-of-day",
        ),
    ],
)
def test_working_hours_and_overrides(hosts: list[HostSchedule], expected: list[str]) -> None:
    assert local_slots(hosts) == expected


@pytest.mark.parametrize(
    ("busy_items", "rules", "expected"),
    [
        pytest.param(
            [busy(NY, "10:00", "11:00")],
            HALF_HOUR,
            ["09:00", "09:30", "11:00", "11:30"],
            id="no-buffers",
        ),
        pytest.param(
            [busy(NY, "10:00", "11:00")],
            replace(HALF_HOUR, buffer_before=15 * MIN),
            ["09:00", "09:30", "11:30"],
            id="buffer-before-pushes-start",
        ),
        pytest.param(
            [busy(NY, "10:00", "11:00")],
            replace(HALF_HOUR, buffer_after=15 * MIN),
            ["09:00", "11:00", "11:30"],
            id="buffer-after-keeps-gap-before-busy",
        ),
        pytest.param(
            [busy(NY, "10:00", "11:00")],
            replace(HALF_HOUR, buffer_before=15 * MIN, buffer_after=15 * MIN),
            ["09:00", "11:30"],
            id="both-buffers",
        ),
        pytest.param(
            [busy(NY, "10:00", "11:00", before=30 * MIN, after=15 * MIN, is_meeting=True)],
            HALF_HOUR,
            ["09:00", "11:30"],
            id="slotapp-meeting-own-buffers",
        ),
        pytest.param(
            [busy(NY, "10:00", "10:30", before=10 * MIN, after=10 * MIN, is_meeting=True)],
            replace(HALF_HOUR, buffer_before=5 * MIN, buffer_after=5 * MIN),
            ["09:00", "11:00", "11:30"],
            id="own-and-new-buffers-add-up",
        ),
        pytest.param(
            [busy(NY, "08:00", "08:50")],
            replace(HALF_HOUR, buffer_before=15 * MIN),
            ["09:30", "10:00", "10:30", "11:00", "11:30"],
            id="buffer-reaches-from-before-hours",
        ),
        pytest.param(
            [busy(NY, "12:10", "13:00")],
            replace(HALF_HOUR, buffer_after=15 * MIN),
            ["09:00", "09:30", "10:00", "10:30", "11:00"],
            id="buffer-reaches-from-after-hours",
        ),
        pytest.param(
            [busy(NY, "10:00", "10:00")],
            HALF_HOUR,
            ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"],
            id="zero-length-busy",
        ),
        pytest.param(
            [busy(BERLIN, "16:00", "17:00")],
            HALF_HOUR,
            ["09:00", "09:30", "11:00", "11:30"],
            id="busy-in-other-zone",
        ),
    ],
)
def test_busy_and_buffers(busy_items: list[Busy], rules: SlotRules, expected: list[str]) -> None:
    assert local_slots([host(busy=tuple(busy_items))], rules) == expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        pytest.param("confirmed", ["09:00", "11:00", "11:30"], id="confirmed-blocks"),
        pytest.param(
            "declined", ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"], id="declined-free"
        ),
        pytest.param(
            "cancelled", ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"], id="cancelled-free"
        ),
    ],
)
def test_declined_and_cancelled_never_block(status: str, expected: list[str]) -> None:
    items = (busy(NY, "09:30", "11:00", status=status, is_meeting=True),)
    assert local_slots([host(busy=items)]) == expected
    # Also never counted toward the daily limit.
    limited = replace(HALF_HOUR, daily_limit=1)
    assert local_slots([host(busy=items)], limited) == ([] if status == "confirmed" else expected)


@pytest.mark.parametrize(
    ("hosts", "expected"),
    [
        pytest.param(
            [host(NY, ("09:00", "17:00")), host(BERLIN, ("09:00", "17:00"))],
            ["09:00", "09:30", "10:00", "10:30"],  # Berlin 15:00-17:00
            id="ny-berlin-overlap",
        ),
        pytest.param(
            [host(BERLIN, ("09:00", "17:00")), host(NY, ("09:00", "17:00"))],
            ["15:00", "15:30", "16:00", "16:30"],
            id="owner-zone-is-berlin",
        ),
        pytest.param(
            [
                host(NY, ("09:00", "17:00")),
                host(BERLIN, ("09:00", "17:00"), busy=(busy(BERLIN, "15:30", "16:00"),)),
            ],
            ["09:00", "10:00", "10:30"],
            id="colleague-busy",
        ),
        pytest.param(
            [
                host(NY, ("09:00", "17:00")),
                host(BERLIN, ("09:00", "17:00")),
                host("Europe/London", ("09:00", "15:30")),
            ],
            ["09:00", "09:30", "10:00"],
            id="three-hosts-room-closes-early",
        ),
        pytest.param(
            [host(NY, ("09:00", "17:00")), host("Asia/Tokyo", ("09:00", "17:00"))],
            [],
            id="no-common-time",
        ),
        pytest.param(
            [host(NY, ("09:00", "17:00")), host(BERLIN, ("09:00", "17:00"), overrides={MON: ()})],
            [],
            id="colleague-day-off",
        ),
    ],
)
def test_collective_hosts(hosts: list[HostSchedule], expected: list[str]) -> None:
    assert local_slots(hosts) == expected


@pytest.mark.parametrize(
    ("now_hm", "notice", "expected"),
    [
        pytest.param(
            (8, 0), 0, ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30"], id="before-hours"
        ),
        pytest.param((9, 10), 0, ["09:30", "10:00", "10:30", "11:00", "11:30"], id="now-rounds-up"),
        pytest.param((9, 10), 60, ["10:30", "11:00", "11:30"], id="one-hour-notice"),
        pytest.param((9, 0), 60, ["10:00", "10:30", "11:00", "11:30"], id="exact-notice-allowed"),
        pytest.param((8, 0), 24 * 60, [], id="notice-past-window"),
    ],
)
def test_min_notice(now_hm: tuple[int, int], notice: int, expected: list[str]) -> None:
    rules = replace(HALF_HOUR, min_notice=notice * MIN)
    assert local_slots([host()], rules, now=at(NY, MON, *now_hm)) == expected


MON_TUE = ["06-01 09:00", "06-01 09:30", "06-01 10:00", "06-01 10:30"] + [
    f"06-02 {h}" for h in ("09:00", "09:30", "10:00", "10:30", "11:00", "11:30")
]


@pytest.mark.parametrize(
    ("window_days", "now_hm", "expected"),
    [
        pytest.param(None, (9, 0), MON_TUE, id="unlimited"),
        pytest.param(1, (9, 0), MON_TUE[:5], id="start-exactly-at-limit-allowed"),
        pytest.param(1, (10, 15), MON_TUE[3:7], id="limit-mid-morning"),
        pytest.param(0, (9, 0), MON_TUE[:1], id="zero-days-only-now"),
        pytest.param(5, (9, 0), MON_TUE, id="limit-beyond-window"),
    ],
)
def test_booking_window(
    window_days: int | None, now_hm: tuple[int, int], expected: list[str]
) -> None:
    # Monday 09:00-11:00 and Tuesday 09:00-12:00; the limit bounds the slot START.
    h = HostSchedule(NY, {0: ((time(9), time(11)),), 1: ((time(9), time(12)),)})
    rules = replace(HALF_HOUR, booking_window_days=window_days)
    assert local_slots([h], rules, days=2, now=at(NY, MON, *now_hm)) == expected


@pytest.mark.parametrize(
    ("limit", "meetings", "expected_days"),
    [
        pytest.param(None, 5, ["06-01", "06-02"], id="no-limit"),
        pytest.param(2, 1, ["06-01", "06-02"], id="below-limit"),
        pytest.param(2, 2, ["06-02"], id="at-limit-day-closed"),
        pytest.param(1, 1, ["06-02"], id="limit-one"),
        pytest.param(0, 0, [], id="limit-zero-no-slots"),
    ],
)
def test_daily_limit(limit: int | None, meetings: int, expected_days: list[str]) -> None:
    items = tuple(
        busy(NY, f"{13 + i}:00", f"{13 + i}:30", is_meeting=True) for i in range(meetings)
    ) + (busy(NY, "15:00", "16:00", MON + timedelta(days=1)),)  # not a slotapp meeting
    rules = replace(HALF_HOUR, daily_limit=limit)
    got = local_slots([host(busy=items)], rules, days=2)
    assert sorted({s[:5] for s in got}) == expected_days


@pytest.mark.parametrize(
    ("meeting_utc", "closed"),
    [
        # 23:30 UTC Monday is 01:30 Tuesday in Berlin: the colleague's Tuesday is full.
        pytest.param(
            datetime(2026, 6, 1, 23, 30, tzinfo=UTC), ["06-02"], id="next-day-in-host-zone"
        ),
        pytest.param(datetime(2026, 6, 1, 12, 0, tzinfo=UTC), ["06-01"], id="same-day"),
    ],
)
def test_daily_limit_uses_each_hosts_zone(meeting_utc: datetime, closed: list[str]) -> None:
    meeting = Busy(meeting_utc, meeting_utc + 30 * MIN, is_meeting=True)
    hosts = [host(NY, ("09:00", "17:00")), host(BERLIN, ("09:00", "17:00"), busy=(meeting,))]
    got = local_slots(hosts, replace(HALF_HOUR, daily_limit=1), days=2)
    assert sorted({"06-01", "06-02"} - {s[:5] for s in got}) == closed


@pytest.mark.parametrize(
    ("meeting_at", "expected"),
    [
        # The closed day ends exactly at local midnight: Tuesday 00:00 is offered again.
        pytest.param((MON, 12), ["06-02 00:00", "06-02 23:30"], id="monday-full"),
        pytest.param(
            (MON + timedelta(days=1), 12), ["06-01 00:00", "06-01 23:30"], id="tuesday-full"
        ),
    ],
)
def test_daily_limit_day_boundaries_are_local_midnights(
    meeting_at: tuple[date, int], expected: list[str]
) -> None:
    day, hour = meeting_at
    item = Busy(at(BERLIN, day, hour), at(BERLIN, day, hour, 30), is_meeting=True)
    edges = ((time(0), time(0, 30)), (time(23, 30), time.max))
    h = HostSchedule(BERLIN, {d: edges for d in range(7)}, busy=(item,))
    assert local_slots([h], replace(HALF_HOUR, daily_limit=1), days=2) == expected


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        pytest.param(45, ["10:15", "11:00", "11:45", "12:30"], id="step-45-aligns-15"),
        pytest.param(50, ["10:10", "11:00", "11:50"], id="step-50-aligns-10"),
        pytest.param(
            7, [f"{m // 60:02d}:{m % 60:02d}" for m in range(607, 751, 7)], id="step-7-aligns-1"
        ),
        pytest.param(90, ["10:30", "12:00"], id="step-90-aligns-30"),
        pytest.param(120, ["11:00"], id="step-120-aligns-60"),
        pytest.param(30, ["10:30", "11:00", "11:30", "12:00", "12:30"], id="step-30-aligns-30"),
    ],
)
def test_alignment(step: int, expected: list[str]) -> None:
    # Free from 10:07 to 13:00; the first start snaps up, later ones advance by the step.
    h = HostSchedule(NY, {0: ((time(9), time(13)),)}, busy=(busy(NY, "09:00", "10:07"),))
    assert local_slots([h], SlotRules(length=30 * MIN, step=step * MIN)) == expected


def test_alignment_non_minute_step_rounds_to_whole_minute() -> None:
    free_from = at(NY, MON, 10, 7) + timedelta(seconds=20)
    h = HostSchedule(NY, {0: ((time(9), time(11)),)}, busy=(Busy(at(NY, MON, 8), free_from),))
    rules = SlotRules(length=30 * MIN, step=timedelta(seconds=90))
    got = available_slots([h], rules, window_start=START, window_end=END, now=START)
    first = at(NY, MON, 10, 8).astimezone(UTC)
    assert got[:3] == [first, first + 90 * timedelta(seconds=1), first + 3 * MIN]


@pytest.mark.parametrize(
    ("tz", "free_from", "expected_utc"),
    [
        pytest.param(
            KOLKATA, "10:07", datetime(2026, 6, 1, 5, 0, tzinfo=UTC), id="kolkata-10:30-local"
        ),
        pytest.param(
            "Asia/Kathmandu",
            "10:07",
            datetime(2026, 6, 1, 4, 45, tzinfo=UTC),
            id="kathmandu-+05:45",
        ),
        pytest.param(NY, "10:07", datetime(2026, 6, 1, 14, 30, tzinfo=UTC), id="new-york"),
    ],
)
def test_alignment_uses_owner_wall_clock(tz: str, free_from: str, expected_utc: datetime) -> None:
    h = HostSchedule(tz, {0: ((time(9), time(13)),)}, busy=(busy(tz, "08:00", free_from),))
    start = at(tz, MON, 0)
    end = start + timedelta(days=1)
    got = available_slots([h], HALF_HOUR, window_start=start, window_end=end, now=start)
    assert got[0] == expected_utc
    assert got[0].tzinfo is UTC


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        pytest.param((time(9), time(9, 31)), ["09:00", "09:01"], id="last-start-ends-at-range-end"),
        pytest.param((time(9), time(9, 30)), ["09:00"], id="exact-fit"),
        pytest.param((time(9), time(9, 29)), [], id="one-minute-short"),
    ],
)
def test_slot_must_fit_in_free_range(hours: tuple[time, time], expected: list[str]) -> None:
    h = HostSchedule(NY, {0: (hours,)})
    assert local_slots([h], SlotRules(length=30 * MIN, step=MIN)) == expected


@pytest.mark.parametrize(
    ("window", "expected"),
    [
        pytest.param(((9, 15), (11, 0)), ["09:30", "10:00", "10:30"], id="window-cuts-both-ends"),
        pytest.param(((10, 0), (10, 45)), ["10:00"], id="slot-must-fit-wholly"),
        pytest.param(((10, 0), (10, 29)), [], id="too-short"),
    ],
)
def test_window_bounds(
    window: tuple[tuple[int, int], tuple[int, int]], expected: list[str]
) -> None:
    (h1, m1), (h2, m2) = window
    got = available_slots(
        [host()],
        HALF_HOUR,
        window_start=at(NY, MON, h1, m1),
        window_end=at(NY, MON, h2, m2),
        now=at(NY, MON, 0),
    )
    assert [s.astimezone(ZoneInfo(NY)).strftime("%H:%M") for s in got] == expected


GOOD = host()


@pytest.mark.parametrize(
    ("hosts", "rules", "kwargs", "field"),
    [
        pytest.param([host("Mars/Olympus")], HALF_HOUR, {}, "time_zone", id="unknown-zone"),
        pytest.param([host("")], HALF_HOUR, {}, "time_zone", id="empty-zone"),
        pytest.param(
            [HostSchedule(NY, {0: ((time(12), time(9)),)})],
            HALF_HOUR,
            {},
            "weekly_hours",
            id="weekly-end-before-start",
        ),
        pytest.param(
            [HostSchedule(NY, {0: ((time(9), time(9)),)})],
            HALF_HOUR,
            {},
            "weekly_hours",
            id="weekly-empty-range",
        ),
        pytest.param(
            [HostSchedule(NY, {7: ()})], HALF_HOUR, {}, "weekly_hours", id="weekday-out-of-range"
        ),
        pytest.param(
            [host(overrides={MON: ((time(10), time(9)),)})],
            HALF_HOUR,
            {},
            "overrides",
            id="override-end-before-start",
        ),
        pytest.param(
            [host(busy=(Busy(at(NY, MON, 10), at(NY, MON, 9)),))],
            HALF_HOUR,
            {},
            "busy",
            id="busy-end-before-start",
        ),
        pytest.param(
            [host(busy=(Busy(datetime(2026, 6, 1, 9), at(NY, MON, 10)),))],
            HALF_HOUR,
            {},
            "busy",
            id="busy-naive",
        ),
        pytest.param(
            [host(busy=(busy(NY, "09:00", "10:00", status="maybe"),))],
            HALF_HOUR,
            {},
            "busy",
            id="busy-status",
        ),
        pytest.param(
            [host(busy=(busy(NY, "09:00", "10:00", after=-MIN),))],
            HALF_HOUR,
            {},
            "busy",
            id="busy-negative-buffer",
        ),
        pytest.param([GOOD], HALF_HOUR, {"window_end": START}, "window", id="window-empty"),
        pytest.param(
            [GOOD], HALF_HOUR, {"window_end": START - MIN}, "window", id="window-reversed"
        ),
        pytest.param(
            [GOOD], HALF_HOUR, {"window_start": datetime(2026, 6, 1)}, "window", id="window-naive"
        ),
        pytest.param([GOOD], HALF_HOUR, {"now": datetime(2026, 6, 1)}, "now", id="now-naive"),
        pytest.param([GOOD], SlotRules(length=timedelta(0)), {}, "length", id="length-zero"),
        pytest.param([GOOD], SlotRules(length=-MIN), {}, "length", id="length-negative"),
        pytest.param([GOOD], SlotRules(length=MIN, step=timedelta(0)), {}, "step", id="step-zero"),
        pytest.param(
            [GOOD], replace(HALF_HOUR, buffer_before=-MIN), {}, "buffer_before", id="buffer-before"
        ),
        pytest.param(
            [GOOD], replace(HALF_HOUR, buffer_after=-MIN), {}, "buffer_after", id="buffer-after"
        ),
        pytest.param(
            [GOOD], replace(HALF_HOUR, min_notice=-MIN), {}, "min_notice", id="min-notice"
        ),
        pytest.param(
            [GOOD],
            replace(HALF_HOUR, booking_window_days=-1),
            {},
            "booking_window_days",
            id="booking-window",
        ),
        pytest.param(
            [GOOD], replace(HALF_HOUR, daily_limit=-1), {}, "daily_limit", id="daily-limit"
        ),
        pytest.param([], HALF_HOUR, {}, "hosts", id="no-hosts"),
        pytest.param(
            [GOOD, host("Nowhere/Land")], HALF_HOUR, {}, "time_zone", id="second-host-validated-too"
        ),
    ],
)
def test_validation_names_field(
    hosts: list[HostSchedule], rules: SlotRules, kwargs: dict[str, datetime], field: str
) -> None:
    args = {"window_start": START, "window_end": END, "now": START, **kwargs}
    with pytest.raises(AvailabilityError) as caught:
        available_slots(hosts, rules, **args)
    assert caught.value.field == field
    assert field in str(caught.value)
    assert len(caught.value.message) > 10


def test_length_message_is_readable() -> None:
    with pytest.raises(AvailabilityError, match=r"length: .*positive.*0:00:00"):
        available_slots(
            [GOOD], SlotRules(length=timedelta(0)), window_start=START, window_end=END, now=START
        )


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("", id="empty"),
        pytest.param("Mars/Olympus", id="unknown"),
        pytest.param("../x", id="relative-path"),
        pytest.param("/etc/localtime", id="absolute-path"),
        pytest.param("localtime", id="localtime"),
        pytest.param("America/../Europe/Berlin", id="dotdot-inside"),
        pytest.param("America", id="directory"),
    ],
)
def test_zone_rejects(name: str) -> None:
    with pytest.raises(AvailabilityError, match="time_zone") as caught:
        zone(name)
    assert caught.value.field == "time_zone"


@pytest.mark.parametrize(
    "name", [NY, KOLKATA, "UTC", "Etc/GMT+5", "America/Argentina/Buenos_Aires"]
)
def test_zone_accepts(name: str) -> None:
    assert zone(name) is ZoneInfo(name)


@pytest.mark.parametrize(
    ("tz", "expected"),
    [
        pytest.param(KOLKATA, [date(2026, 6, 1), date(2026, 6, 2)], id="kolkata-next-day"),
        pytest.param(NY, [date(2026, 6, 1)], id="new-york-same-day"),
        pytest.param("UTC", [date(2026, 6, 1)], id="utc"),
        pytest.param("Pacific/Kiritimati", [date(2026, 6, 2)], id="utc+14"),
    ],
)
def test_group_by_local_date(tz: str, expected: list[date]) -> None:
    late = datetime(2026, 6, 1, 23, 30, tzinfo=UTC)
    early = datetime(2026, 6, 1, 16, 0, tzinfo=UTC)
    groups = group_by_local_date([late, early], tz)
    assert list(groups) == expected
    assert sorted(s for v in groups.values() for s in v) == [early, late]
    assert all(v == sorted(v) for v in groups.values())
    assert all(s.tzinfo is UTC for v in groups.values() for s in v)


def test_group_by_local_date_unknown_zone() -> None:
    with pytest.raises(AvailabilityError) as caught:
        group_by_local_date([], "Not/AZone")
    assert caught.value.field == "time_zone"


def test_output_is_utc_sorted_unique() -> None:
    got = available_slots(
        [host(NY, ("09:00", "17:00"))],
        SlotRules(length=60 * MIN, step=15 * MIN),
        window_start=START,
        window_end=START + timedelta(days=7),
        now=START,
    )
    assert got == sorted(set(got))
    assert all(s.tzinfo is UTC for s in got)
    assert len(got) == 5 * 29
