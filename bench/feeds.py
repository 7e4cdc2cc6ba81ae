"""Benchmark: shared-link slots with connected calendars, and reading those calendars.

Run from the repository root: `python -m bench.feeds`. Eleven people on one shared link (the
owner and 10 colleagues), each with a connected calendar of 2,000 events (single events over
three years, ended and ongoing weekly and daily series with EXDATEs and moved occurrences,
all-day, free and cancelled events). The calendars are served by a local HTTP server and read
through the real refresh path; slots are then computed through the real service path
(`link_slots`: database reads plus the engine) for 60 days across both autumn clock changes.
Prints a Markdown table of medians and checks that the service path offers exactly the slots
the engine computes from the parsed calendars directly.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import threading
import time as clock
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session, SQLModel

import slotapp.models  # noqa: F401  (registers the tables)
from slotapp.core.availability import Busy, HostSchedule, available_slots
from slotapp.core.feeds import FeedBusyTimes
from slotapp.db import make_engine
from slotapp.models import LinkKind, User
from slotapp.services import feeds, links
from slotapp.services.schedules import link_hosts, link_slots, rules_from
from slotapp.services.slot_settings import load_settings

# Europe leaves summer time on 25 October, New York on 1 November: both inside the window.
NOW = datetime(2026, 10, 5, 6, 0, tzinfo=UTC)
WINDOW_END = NOW + timedelta(days=60)
# A European team: one shared working day, so that a common free time can exist at all.
ZONES = (
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Vienna",
    "Europe/Amsterdam",
    "Europe/Brussels",
    "Europe/Stockholm",
    "Europe/Warsaw",
    "Europe/Prague",
    "Europe/London",
)
EVENTS = 2_000
SLOT_RUNS = 25
TARGET_MS = 50.0


def make_calendar(rng: random.Random, tz_name: str) -> bytes:
    """2,000 VEVENTs in the person's zone, written as a calendar app would."""
    tz = ZoneInfo(tz_name)
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//feeds//EN"]
    stamp = "DTSTAMP:20260901T000000Z"

    def local(dt: datetime) -> str:
        return f"TZID={tz_name}:{dt.astimezone(tz):%Y%m%dT%H%M%S}"

    def at(day: datetime, hour: int, minute: int) -> datetime:
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)

    count = 0
    # Ended series (weekly meetings of earlier projects) and a few ongoing ones, each with
    # an EXDATE and a moved occurrence.
    for n in range(160):
        ongoing = n < 6
        first = NOW - timedelta(days=rng.randrange(60, 700))
        start = at(first, rng.randrange(8, 17), rng.choice((0, 30)))
        end = start + timedelta(minutes=rng.choice((15, 30, 45, 60)))
        uid = f"series-{n}@bench"
        rule = "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR" if n % 6 == 1 else "FREQ=WEEKLY"
        until = "" if ongoing else f";UNTIL={(first + timedelta(days=120)):%Y%m%dT000000Z}"
        excluded = start + timedelta(days=7 * rng.randrange(1, 10))
        lines += ["BEGIN:VEVENT", f"UID:{uid}", stamp, f"DTSTART;{local(start)}"]
        lines += [f"DTEND;{local(end)}", f"RRULE:{rule}{until}", f"EXDATE;{local(excluded)}"]
        lines += [f"SUMMARY:Series {n}", "END:VEVENT"]
        moved_from = start + timedelta(days=7 * rng.randrange(1, 10) + 7 * 20 * ongoing)
        moved_to = moved_from + timedelta(days=1, hours=rng.choice((-2, 1, 3)))
        lines += ["BEGIN:VEVENT", f"UID:{uid}", stamp, f"RECURRENCE-ID;{local(moved_from)}"]
        lines += [f"DTSTART;{local(moved_to)}", f"DTEND;{local(moved_to + (end - start))}"]
        lines += ["END:VEVENT"]
        count += 2
    # Single events over three years, mostly past; some all-day, some free, some cancelled.
    while count < EVENTS:
        day = NOW + timedelta(days=rng.randrange(-1000, 120))
        lines += ["BEGIN:VEVENT", f"UID:single-{count}@bench", stamp, f"SUMMARY:Event {count}"]
        kind = rng.random()
        if kind < 0.04:
            lines += [f"DTSTART;VALUE=DATE:{day:%Y%m%d}", "TRANSP:TRANSPARENT"]
        elif kind < 0.05:
            lines += [f"DTSTART;VALUE=DATE:{day:%Y%m%d}"]
        else:
            start = at(day, rng.randrange(7, 20), rng.choice((0, 15, 30, 45)))
            end = start + timedelta(minutes=rng.choice((15, 30, 45, 60, 90)))
            lines += [f"DTSTART;{local(start)}", f"DTEND;{local(end)}"]
            if kind > 0.97:
                lines.append("STATUS:CANCELLED")
        lines.append("END:VEVENT")
        count += 1
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def serve(files: dict[str, bytes]) -> ThreadingHTTPServer:
    """The calendars on a loopback HTTP server (stopped by the caller)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            body = files.get(self.path, b"")
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    return httpd


def median_ms(run: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median wall and CPU time of `run` in milliseconds after one warm-up call.

    CPU time shows the code's own cost on a machine that other processes keep busy.
    """
    run()
    wall, cpu = [], []
    for _ in range(repeats):
        started, started_cpu = clock.perf_counter(), clock.process_time()
        run()
        wall.append(clock.perf_counter() - started)
        cpu.append(clock.process_time() - started_cpu)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


def main() -> int:
    """Builds the data, runs every measurement and prints the table; 1 if over target."""
    rng = random.Random(20261005)
    calendars = {f"/cal-{i}.ics": make_calendar(rng, tz) for i, tz in enumerate(ZONES)}
    limits = feeds.FetchConfig().limits
    parsed: dict[str, FeedBusyTimes] = {}
    parse_wall, parse_cpu = [], []
    for (path, data), tz in zip(calendars.items(), ZONES, strict=True):
        started, started_cpu = clock.perf_counter(), clock.process_time()
        parsed[path] = feeds.busy_from_feed(data, tz, NOW, limits)
        parse_wall.append(clock.perf_counter() - started)
        parse_cpu.append(clock.process_time() - started_cpu)
    occurrences = statistics.median(p.event_count for p in parsed.values())
    in_window = statistics.median(
        sum(1 for i in p.busy if i.start < WINDOW_END) for p in parsed.values()
    )

    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        SQLModel.metadata.create_all(engine)
        httpd = serve(calendars)
        try:
            with Session(engine, expire_on_commit=False) as session:
                users = [
                    User(email=f"p{i}@bench.example", name=f"Person {i}", time_zone=tz)
                    for i, tz in enumerate(ZONES)
                ]
                session.add_all(users)
                session.flush()
                for user, path in zip(users, calendars, strict=True):
                    url = f"http://127.0.0.1:{httpd.server_address[1]}{path}"
                    feeds.connect_feed(
                        session=session, user_id=user.id or 0, url=url, name=path, now=NOW
                    )
                link, _ = links.create_link(
                    session=session,
                    owner_id=users[0].id or 0,
                    kind=LinkKind.SHARED,
                    secret=b"b" * 32,
                    now=NOW,
                    member_ids=[u.id or 0 for u in users[1:]],
                )
                session.commit()
            config = feeds.FetchConfig(allow_local=True)
            started = clock.perf_counter()
            results = feeds.refresh_due(engine=engine, now=NOW, config=config)
            refresh_ms = (clock.perf_counter() - started) * 1000 / len(calendars)
            assert [r.outcome for r in results] == ["updated"] * len(calendars), results
        finally:
            httpd.shutdown()
            httpd.server_close()

        with Session(engine) as session:

            def service() -> list[datetime]:
                return link_slots(session=session, link=link, start=NOW, end=WINDOW_END, now=NOW)

            hosts = link_hosts(session=session, link=link)
            rules = rules_from(load_settings(session=session, user_id=link.owner_id))
            schedules = []
            for uid, path, tz in zip(hosts, calendars, ZONES, strict=True):
                weekly = load_settings(session=session, user_id=uid).weekly
                busy = [Busy(s, e) for s, e in parsed[path].busy]
                schedules.append(HostSchedule(tz, weekly, {}, busy))

            def engine_only() -> list[datetime]:
                return available_slots(
                    schedules, rules, window_start=NOW, window_end=WINDOW_END, now=NOW
                )

            slots = service()
            assert slots == engine_only(), "the service path and the engine differ"
            service_ms = median_ms(service, SLOT_RUNS)
            engine_ms = median_ms(engine_only, SLOT_RUNS)
        engine.dispose()

    people = len(calendars)
    print(f"{people} people on one shared link, {EVENTS:,} events per calendar, 60 days.")
    print()
    parse_ms = statistics.median(parse_wall) * 1000, statistics.median(parse_cpu) * 1000
    print("| step | median ms (wall) | median ms (CPU) | note |")
    print("| --- | ---: | ---: | --- |")
    print(
        f"| parse + expand one calendar | {parse_ms[0]:.0f} | {parse_ms[1]:.0f} | {EVENTS:,} "
        f"VEVENTs, {occurrences:.0f} busy occurrences in the {feeds.HORIZON.days}-day horizon |"
    )
    print(
        f"| refresh one calendar (HTTP + parse + store) | {refresh_ms:.0f} | | loopback server, "
        "mean of all |"
    )
    print(
        f"| slots of the shared link (service) | {service_ms[0]:.1f} | {service_ms[1]:.1f} | "
        f"database + engine, {in_window:.0f} busy intervals per person in the window, "
        f"{len(slots)} slots |"
    )
    print(
        f"| slots of the shared link (engine only) | {engine_ms[0]:.1f} | {engine_ms[1]:.1f} | "
        "same input, in memory |"
    )
    print()
    met = service_ms[0] < TARGET_MS
    verdict = "met" if met else "MISSED"
    print(
        f"Target: slots under {TARGET_MS:.0f} ms median (wall), feed reading excluded: {verdict}."
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
