"""Benchmark of the availability engine against a minute-by-minute reference.

Run from the repository root: `python -m bench.engine`. Prints a Markdown table of median
times and asserts that the engine and the reference offer identical slots, so the speed-up
compares equal work.
"""

from __future__ import annotations

import random
import statistics
import time as clock
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, time, timedelta

from slotapp.core.availability import (
    Busy,
    HostSchedule,
    SlotRules,
    available_slots,
    zone,
)

MINUTE = timedelta(minutes=1)
# Spring 2026 has no DST change in any of these zones, so wall-clock hours and absolute
# minutes line up one to one and the simple reference needs no gap/fold handling.
WINDOW_START = datetime(2026, 4, 13, tzinfo=UTC)
WINDOW_END = WINDOW_START + timedelta(days=60)
NOW = WINDOW_START - timedelta(days=1)
ZONES = (
    "Europe/Berlin",
    "Europe/London",
    "Europe/Paris",
    "Europe/Lisbon",
    "Africa/Lagos",
    "Europe/Helsinki",
    "Asia/Kolkata",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Dublin",
)
RULES = SlotRules(
    length=timedelta(minutes=30),
    step=timedelta(minutes=15),
    min_notice=timedelta(hours=4),
    buffer_before=timedelta(minutes=5),
    buffer_after=timedelta(minutes=10),
    booking_window_days=55,
    daily_limit=6,
)
ENGINE_RUNS = 25
REFERENCE_RUNS = 3


def make_host(rng: random.Random, tz_name: str, busy_count: int) -> HostSchedule:
    """Mon-Fri 09:00-17:00 (some days split around lunch) with seeded random busy times."""
    nine_to_five = ((time(9), time(17)),)
    split = ((time(9), time(12)), (time(13), time(17)))
    weekly = {day: split if rng.random() < 0.4 else nine_to_five for day in range(5)}
    total = int((WINDOW_END - WINDOW_START) / MINUTE)
    busy = []
    for _ in range(busy_count):
        start = WINDOW_START + rng.randrange(total) * MINUTE
        end = start + rng.randrange(15, 121) * MINUTE
        status = rng.choices(("confirmed", "declined", "cancelled"), (8, 1, 1))[0]
        busy.append(Busy(start, end, status=status, is_meeting=rng.random() < 0.5))
    rng.shuffle(busy)
    return HostSchedule(tz_name, weekly, {}, tuple(busy))


def reference_slots(hosts: Sequence[HostSchedule], rules: SlotRules) -> list[datetime]:
    """Straightforward per-minute reference: paint free minutes, then walk the grid."""
    length = rules.length // MINUTE
    step = (rules.step or rules.length) // MINUTE
    unit = next((a for a in (60, 30, 20, 15, 10, 5) if step % a == 0), 1)
    lo = max(WINDOW_START, NOW + rules.min_notice)
    last = WINDOW_END - rules.length
    if rules.booking_window_days is not None:
        last = min(last, NOW + timedelta(days=rules.booking_window_days))
    minutes = int((last + rules.length - lo) / MINUTE)
    instants = [lo + i * MINUTE for i in range(minutes)]
    free = [True] * minutes
    for host in hosts:
        tz = zone(host.time_zone)
        for i, instant in enumerate(instants):
            local = instant.astimezone(tz)
            wall = local.time()
            ranges = host.weekly.get(local.weekday(), ())
            if not any(a <= wall < b for a, b in ranges):
                free[i] = False
        for item in host.busy:
            if item.status != "confirmed":
                continue
            first = item.start - rules.buffer_after - item.before
            stop = item.end + rules.buffer_before + item.after
            # Paint every minute whose instant falls in [first, stop).
            begin = max(0, -((lo - first) // MINUTE))
            for i in range(begin, min(minutes, -((lo - stop) // MINUTE))):
                free[i] = False
    owner = zone(hosts[0].time_zone)
    slots = []
    i = 0
    while i < minutes:
        if not free[i] or (i > 0 and free[i - 1]):
            i += 1
            continue
        # Start of a free run: snap to the owner's wall-clock grid, then step.
        local = instants[i].astimezone(owner)
        since = local.hour * 60 + local.minute
        j = i + (-since) % unit
        while j + length <= minutes and all(free[j : j + length]):
            slots.append(instants[j])
            j += step
        i += 1
    return [s for s in slots if not _over_limit(hosts, rules, s)]


def _over_limit(hosts: Sequence[HostSchedule], rules: SlotRules, slot: datetime) -> bool:
    if rules.daily_limit is None:
        return False
    for host in hosts:
        tz = zone(host.time_zone)
        day = slot.astimezone(tz).date()
        count = sum(
            1
            for b in host.busy
            if b.is_meeting and b.status == "confirmed" and b.start.astimezone(tz).date() == day
        )
        if count >= rules.daily_limit:
            return True
    return False


def median_ms(run: Callable[[], object], repeats: int) -> float:
    """Median wall time of `run` in milliseconds after one warm-up call."""
    run()
    times = []
    for _ in range(repeats):
        started = clock.perf_counter()
        run()
        times.append(clock.perf_counter() - started)
    return statistics.median(times) * 1000


def main() -> None:
    """Runs both cases and prints the Markdown table."""
    rng = random.Random(20260413)
    cases: list[tuple[str, list[HostSchedule], SlotRules]] = [
        ("(a) 1 host x 60 days, 500 busy", [make_host(rng, ZONES[0], 500)], RULES),
        (
            "(b) 10 hosts x 60 days, 500 busy each",
            [make_host(rng, name, 500) for name in ZONES],
            RULES,
        ),
        # 500 busy items each leave ten hosts almost no common time; this lighter load
        # checks engine/reference agreement on a result with many slots.
        (
            "(check) 10 hosts x 60 days, 40 busy each",
            [make_host(rng, name, 40) for name in ZONES],
            RULES,
        ),
    ]
    print("| case | engine median ms | reference median ms | speed-up |")
    print("| --- | ---: | ---: | ---: |")
    counts = []
    for label, hosts, rules in cases:

        def engine(hosts: list[HostSchedule] = hosts, rules: SlotRules = rules) -> list[datetime]:
            return available_slots(
                hosts, rules, window_start=WINDOW_START, window_end=WINDOW_END, now=NOW
            )

        def reference(
            hosts: list[HostSchedule] = hosts, rules: SlotRules = rules
        ) -> list[datetime]:
            return reference_slots(hosts, rules)

        got, want = engine(), reference()
        assert got == want, f"{label}: engine and reference differ"
        counts.append(f"{label}: {len(got)} slots")
        fast = median_ms(engine, ENGINE_RUNS)
        slow = median_ms(reference, REFERENCE_RUNS)
        print(f"| {label} | {fast:.2f} | {slow:.0f} | {slow / fast:.0f}x |")
    print()
    print("Identical slot lists (" + "; ".join(counts) + ").")


if __name__ == "__main__":
    main()
