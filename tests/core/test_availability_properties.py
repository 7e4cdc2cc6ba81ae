"""Property tests of the availability engine against independent brute-force oracles.

The oracles define a working range's bounds as "the first instant at which the local clock
shows at least that wall time on that date" (found by scanning minutes), independent of
the engine's offset arithmetic, and check busy overlap pairwise.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from slotapp.core.availability import Busy, HostSchedule, SlotRules, available_slots

MIN = timedelta(minutes=1)
# Zones with 60- and 30-minute DST shifts, both hemispheres, and odd fixed offsets.
ZONES = (
    "UTC",
    "America/New_York",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "America/Sao_Paulo",
    "Pacific/Chatham",
    "Europe/London",
)
# Zones whose wall clock never repeats or jumps, for the grid-stability properties.
FIXED_ZONES = ("UTC", "Asia/Kolkata", "Asia/Kathmandu", "Asia/Tokyo")
# Windows start near 2026 DST changes (US, EU, Lord Howe, Chatham) and one quiet week.
ANCHORS = tuple(
    date(2026, m, d)
    for m, d in ((3, 7), (3, 28), (4, 4), (6, 1), (9, 26), (10, 3), (10, 24), (10, 31))
)
SETTINGS = settings(max_examples=150, deadline=None)


@dataclass(frozen=True)
class Scenario:
    hosts: list[HostSchedule]
    rules: SlotRules
    window_start: datetime
    window_end: datetime
    now: datetime

    def run(self, hosts: list[HostSchedule] | None = None) -> list[datetime]:
        return available_slots(
            self.hosts if hosts is None else hosts,
            self.rules,
            window_start=self.window_start,
            window_end=self.window_end,
            now=self.now,
        )


def minutes(lo: int, hi: int) -> st.SearchStrategy[timedelta]:
    return st.integers(lo, hi).map(lambda m: m * MIN)


@st.composite
def day_ranges(draw: st.DrawFn) -> tuple[tuple[time, time], ...]:
    if draw(st.integers(0, 3)) == 0:
        return ((time(0), time.max),)  # round the clock, to reach across midnight and DST
    out = []
    for _ in range(draw(st.integers(0, 2))):
        start = draw(st.integers(0, 1439))
        end = draw(st.integers(start + 1, 1440))
        end_time = time.max if end == 1440 else time(end // 60, end % 60)
        out.append((time(start // 60, start % 60), end_time))
    return tuple(out)


@st.composite
def busy_items(draw: st.DrawFn, around: datetime, span: int) -> Busy:
    start = around + draw(minutes(-600, span + 600))
    meeting = draw(st.booleans())
    return Busy(
        start=start.astimezone(ZoneInfo(draw(st.sampled_from(ZONES)))),
        end=start + draw(minutes(0, 240)),
        before=draw(minutes(0, 30)) if meeting else timedelta(0),
        after=draw(minutes(0, 30)) if meeting else timedelta(0),
        status=draw(
            st.sampled_from(("confirmed", "confirmed", "confirmed", "declined", "cancelled"))
        ),
        is_meeting=meeting,
    )


@st.composite
def scenarios(draw: st.DrawFn, fixed_grid: bool = False) -> Scenario:
    anchor = datetime.combine(draw(st.sampled_from(ANCHORS)), time(0), tzinfo=UTC)
    window_start = anchor + draw(minutes(0, 2 * 1440))
    span = draw(st.integers(60, 3 * 1440))
    hosts: list[HostSchedule] = []
    for i in range(draw(st.sampled_from((1, 1, 2, 3)))):
        if i == 0:
            tz = draw(st.sampled_from(FIXED_ZONES if fixed_grid else ZONES))
        elif draw(st.booleans()):
            tz = hosts[0].time_zone  # colleagues often share the owner's zone
        else:
            tz = draw(st.sampled_from(ZONES))
        weekly = {d: draw(day_ranges()) for d in range(7) if draw(st.integers(0, 5))}
        local_day = window_start.astimezone(ZoneInfo(tz)).date()
        overrides = {
            local_day + timedelta(days=draw(st.integers(0, 3))): draw(day_ranges())
            for _ in range(draw(st.integers(0, 2)))
        }
        busy = draw(st.lists(busy_items(window_start, span), max_size=8))
        hosts.append(HostSchedule(tz, weekly, overrides, tuple(busy)))
    # On a fixed grid the step equals its own alignment unit, so every start is a grid point.
    step = draw(
        st.sampled_from((5, 10, 15, 20, 30, 60))
        if fixed_grid
        else st.one_of(st.none(), st.sampled_from((1, 1, 2, 3)), st.integers(1, 120))
    )
    rules = SlotRules(
        length=draw(minutes(5, 180)),
        step=None if step is None else step * MIN,
        min_notice=draw(minutes(0, 600)),
        buffer_before=draw(minutes(0, 30)),
        buffer_after=draw(minutes(0, 30)),
        booking_window_days=draw(st.one_of(st.none(), st.integers(0, 3))),
        daily_limit=draw(st.sampled_from((None, None, 1, 2, 3))),
    )
    if fixed_grid and step is None:
        rules = replace(rules, step=rules.length)
    now = window_start + draw(minutes(-2 * 1440, 180))
    return Scenario(hosts, rules, window_start, window_start + span * MIN, now)


def first_instant(day: date, wall: time, tz: ZoneInfo) -> datetime:
    """The first instant at which tz's clock shows at least `wall` on `day` (time.max = 24:00)."""
    if wall == time.max:
        day, wall = day + timedelta(days=1), time(0)
    target = datetime.combine(day, wall)
    local = datetime.combine(day, wall, tzinfo=tz)
    x = min(local.astimezone(UTC), local.replace(fold=1).astimezone(UTC)) - MIN
    while x.astimezone(tz).replace(tzinfo=None) < target:
        x += MIN
    return x


def working_union(
    host: HostSchedule, lo: datetime, hi: datetime
) -> list[tuple[datetime, datetime]]:
    tz = ZoneInfo(host.time_zone)
    spans = []
    day = lo.astimezone(tz).date() - timedelta(days=1)
    while day <= hi.astimezone(tz).date() + timedelta(days=1):
        ranges = (
            host.overrides[day] if day in host.overrides else host.weekly.get(day.weekday(), ())
        )
        spans += [(first_instant(day, a, tz), first_instant(day, b, tz)) for a, b in ranges]
        day += timedelta(days=1)
    merged: list[tuple[datetime, datetime]] = []
    for a, b in sorted(s for s in spans if s[0] < s[1]):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def blocks(host: HostSchedule, rules: SlotRules) -> list[tuple[datetime, datetime]]:
    return [
        (b.start - rules.buffer_after - b.before, b.end + rules.buffer_before + b.after)
        for b in host.busy
        if b.status == "confirmed"
    ]


def full_days(host: HostSchedule, rules: SlotRules) -> set[date]:
    if rules.daily_limit is None:
        return set()
    tz = ZoneInfo(host.time_zone)
    days = [
        b.start.astimezone(tz).date() for b in host.busy if b.is_meeting and b.status == "confirmed"
    ]
    return {d for d in days if days.count(d) >= rules.daily_limit}


def oracle(
    sc: Scenario,
) -> list[
    tuple[list[tuple[datetime, datetime]], list[tuple[datetime, datetime]], set[date], ZoneInfo]
]:
    """Per host: working union, blocks, full days and zone, computed once."""
    return [
        (
            working_union(h, sc.window_start, sc.window_end),
            blocks(h, sc.rules),
            full_days(h, sc.rules),
            ZoneInfo(h.time_zone),
        )
        for h in sc.hosts
    ]


def bookable(
    sc: Scenario,
    start: datetime,
    hosts: list[
        tuple[list[tuple[datetime, datetime]], list[tuple[datetime, datetime]], set[date], ZoneInfo]
    ],
) -> bool:
    """Brute-force: may `start` be offered, ignoring the alignment grid?"""
    rules, end = sc.rules, start + sc.rules.length
    if start < max(sc.window_start, sc.now + rules.min_notice) or end > sc.window_end:
        return False
    if rules.booking_window_days is not None and start > sc.now + timedelta(
        days=rules.booking_window_days
    ):
        return False
    for union, blocked, full, tz in hosts:
        if not any(a <= start and end <= b for a, b in union):
            return False
        if any(a < b and start < b and a < end for a, b in blocked):
            return False
        if start.astimezone(tz).date() in full:
            return False
    return True


@SETTINGS
@given(scenarios())
def test_slots_avoid_busy_and_respect_bounds(sc: Scenario) -> None:
    """(1) no slot overlaps blocking busy time (buffers included) and limits hold."""
    for start in sc.run():
        end = start + sc.rules.length
        assert start >= sc.window_start and end <= sc.window_end
        assert start >= sc.now + sc.rules.min_notice
        if sc.rules.booking_window_days is not None:
            assert start <= sc.now + timedelta(days=sc.rules.booking_window_days)
        for h in sc.hosts:
            for a, b in blocks(h, sc.rules):
                assert not (a < b and start < b and a < end), (start, h.time_zone, a, b)
            assert start.astimezone(ZoneInfo(h.time_zone)).date() not in full_days(h, sc.rules)


@SETTINGS
@given(scenarios())
def test_slots_lie_within_every_hosts_working_time(sc: Scenario) -> None:
    """(2) each slot is wholly inside a working range of every host."""
    slots = sc.run()
    for h in sc.hosts:
        union = working_union(h, sc.window_start, sc.window_end)
        for start in slots:
            end = start + sc.rules.length
            assert any(a <= start and end <= b for a, b in union), (start, h.time_zone)


@SETTINGS
@given(scenarios(fixed_grid=True), st.data())
def test_extra_busy_never_adds_a_slot(sc: Scenario, data: st.DataObject) -> None:
    """(3) more busy time gives a subset.

    Only on a fixed grid: with e.g. a 90-minute step (30-minute alignment) a busy item can
    legitimately move a free range's start to a new 30-minute phase, and after a fall-back
    removing a wall time's first occurrence lets its second one through.
    """
    before = sc.run()
    extra = data.draw(busy_items(sc.window_start, int((sc.window_end - sc.window_start) / MIN)))
    who = data.draw(st.integers(0, len(sc.hosts) - 1))
    hosts = list(sc.hosts)
    hosts[who] = replace(hosts[who], busy=(*hosts[who].busy, extra))
    assert set(sc.run(hosts)) <= set(before)


@SETTINGS
@given(scenarios())
def test_output_sorted_unique_utc(sc: Scenario) -> None:
    """(4) sorted, unique, UTC."""
    slots = sc.run()
    assert slots == sorted(set(slots))
    assert all(s.tzinfo is UTC for s in slots)


@settings(max_examples=100, deadline=None)
@given(scenarios(fixed_grid=True))
def test_fixed_grid_matches_brute_force(sc: Scenario) -> None:
    """On a fixed grid the engine offers exactly the bookable grid points."""
    tz = ZoneInfo(sc.hosts[0].time_zone)
    unit = sc.rules.step or sc.rules.length
    local = sc.window_start.astimezone(tz)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    point = (midnight + -(-(local - midnight) // unit) * unit).astimezone(UTC)
    expected = []
    hosts = oracle(sc)
    while point + sc.rules.length <= sc.window_end:
        if bookable(sc, point, hosts):
            expected.append(point)
        point += unit
    assert sc.run() == expected
