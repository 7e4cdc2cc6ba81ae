"""Connected calendars served by a real HTTP server on loopback, and the subscription feed."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import icalendar
import pytest
import vobject
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from slotapp.api.feeds import feed_routes, subscription_path
from slotapp.core.backoff import retry_delay
from slotapp.core.feeds import FeedLimits, busy_from_ics
from slotapp.core.validation import InvalidInput
from slotapp.models import CalendarFeed, FeedBusy, Meeting, MeetingParticipant, ShareLink, User
from slotapp.services import feed_subscription as subs
from slotapp.services import feeds, links
from slotapp.services.schedules import link_slots
from tests.services.helpers import SECRET, LinkKind, make_user

# Both of this autumn's clock changes lie ahead: Europe on 25 October, New York on 1 November.
NOW = datetime(2026, 10, 15, 12, 0, tzinfo=UTC)
LOCAL = feeds.FetchConfig(timeout=2.0, allow_local=True)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def calendar(*events: str) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//server//EN"]
    for body in events:
        lines += ["BEGIN:VEVENT", "DTSTAMP:20261001T000000Z"]
        lines += [line.strip() for line in body.strip().splitlines()]
        lines.append("END:VEVENT")
    return ("\r\n".join([*lines, "END:VCALENDAR"]) + "\r\n").encode()


NY = "TZID=America/New_York"
# Weekly Monday 09:00-10:00 in New York, five times from 19 October; 2 November excluded;
# the 26 October occurrence moved to Tuesday 27 October 11:00. Seen from Berlin the series
# moves an hour twice: Europe leaves summer time a week before New York does.
WEEKLY_NY = calendar(
    f"""UID:weekly@test
    DTSTART;{NY}:20261019T090000
    DTEND;{NY}:20261019T100000
    RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=5
    EXDATE;{NY}:20261102T090000""",
    f"""UID:weekly@test
    RECURRENCE-ID;{NY}:20261026T090000
    DTSTART;{NY}:20261027T110000
    DTEND;{NY}:20261027T120000""",
)


def one_event(start: str, end: str, uid: str = "one@test") -> bytes:
    return calendar(f"UID:{uid}\nDTSTART:{start}\nDTEND:{end}")


# --- a calendar server on loopback ------------------------------------------------------


@dataclass
class Reply:
    body: bytes = b""
    status: int = 200
    etag: str = ""
    delay: float = 0.0


@dataclass
class CalendarServer:
    port: int = 0
    replies: dict[str, Reply] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def serve(self, path: str, body: bytes = b"", **reply: object) -> str:
        self.replies[path] = Reply(body, **reply)  # type: ignore[arg-type]
        return self.url(path)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def hits(self, path: str) -> int:
        return sum(1 for p, _ in self.requests if p == path)


class _Quiet(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up (timeout tests) is expected


@pytest.fixture
def server() -> Iterator[CalendarServer]:
    state = CalendarServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            state.requests.append((self.path, dict(self.headers.items())))
            reply = state.replies.get(self.path, Reply(b"no such calendar", 404))
            time.sleep(reply.delay)
            if reply.etag and self.headers.get("If-None-Match") == reply.etag:
                self.send_response(304)
                self.send_header("ETag", reply.etag)
                self.end_headers()
                return
            self.send_response(reply.status)
            self.send_header("Content-Type", "text/calendar; charset=utf-8")
            self.send_header("Content-Length", str(len(reply.body)))
            if reply.etag:
                self.send_header("ETag", reply.etag)
            self.end_headers()
            self.wfile.write(reply.body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = _Quiet(("127.0.0.1", 0), Handler)
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


# --- helpers --------------------------------------------------------------------------


@pytest.fixture
def owner(session: Session) -> User:
    return make_user(session, "Olga Owner", tz="Europe/Berlin")


def connect(session: Session, user: User, url: str, name: str = "Work") -> int:
    assert user.id is not None
    feed = feeds.connect_feed(session=session, user_id=user.id, url=url, name=name, now=NOW)
    session.commit()
    assert feed.id is not None
    return feed.id


def feed_row(engine: Engine, feed_id: int) -> CalendarFeed:
    with Session(engine) as s:
        feed = s.get(CalendarFeed, feed_id)
        assert feed is not None
        return feed


def busy_rows(engine: Engine, feed_id: int) -> list[tuple[datetime, datetime]]:
    with Session(engine) as s:
        rows = s.exec(select(FeedBusy).where(FeedBusy.feed_id == feed_id)).all()
        return sorted((r.start_at, r.end_at) for r in rows)


def slots_of(engine: Engine, user: User, *members: User, now: datetime = NOW) -> set[datetime]:
    """Every bookable start of a fresh link of `user` (with `members`), for 60 days."""
    assert user.id is not None
    with Session(engine) as s:
        link, _ = links.create_link(
            session=s,
            owner_id=user.id,
            kind=LinkKind.SHARED if members else LinkKind.OPEN,
            secret=SECRET,
            now=now,
            member_ids=[m.id for m in members if m.id is not None],
        )
        s.commit()
        found = link_slots(session=s, link=link, start=now, end=now + timedelta(days=60), now=now)
        s.delete(s.get(ShareLink, link.id))
        s.commit()
        return set(found)


def half_hours(start: datetime, end: datetime) -> list[datetime]:
    return [
        start + timedelta(minutes=30 * i) for i in range(int((end - start) / timedelta(minutes=30)))
    ]


# --- busy time reaches the availability engine -----------------------------------------


def test_issue_weekly_series_with_exception_across_dst_blocks_slots(
    engine: Engine, session: Session, owner: User, server: CalendarServer
) -> None:
    free_before = slots_of(engine, owner)
    feed_id = connect(session, owner, server.serve("/weekly.ics", WEEKLY_NY))

    results = feeds.refresh_due(engine=engine, now=NOW, config=LOCAL)

    assert results == [feeds.RefreshResult(feed_id, "updated")]
    busy = [
        (utc(2026, 10, 19, 13), utc(2026, 10, 19, 14)),  # New York EDT, Berlin CEST: 15:00
        (utc(2026, 10, 27, 15), utc(2026, 10, 27, 16)),  # moved; EDT vs CET: 16:00 Berlin
        (utc(2026, 11, 9, 14), utc(2026, 11, 9, 15)),  # EST, CET: 15:00 Berlin
        (utc(2026, 11, 16, 14), utc(2026, 11, 16, 15)),
    ]
    assert busy_rows(engine, feed_id) == busy
    free = slots_of(engine, owner)
    for start, end in busy:
        blocked = set(half_hours(start, end))
        assert blocked <= free_before and not blocked & free
    assert free_before - free == {s for span in busy for s in half_hours(*span)}
    assert utc(2026, 10, 26, 13) in free  # the moved occurrence's old time
    assert utc(2026, 11, 2, 14) in free  # the excluded date
    listed = feeds.list_feeds(session=session, user_id=owner.id or 0)
    assert [(f.state, f.event_count, f.last_success_at, f.address) for f in listed] == [
        ("ok", 4, NOW, "127.0.0.1/…")
    ]


def test_colleagues_connected_calendar_blocks_the_shared_link(
    engine: Engine, session: Session, owner: User, server: CalendarServer
) -> None:
    colleague = make_user(session, "Carl Colleague", tz="America/New_York")
    connect(session, colleague, server.serve("/carl.ics", WEEKLY_NY))
    before = slots_of(engine, owner, colleague)
    feeds.refresh_due(engine=engine, now=NOW, config=LOCAL)
    after = slots_of(engine, owner, colleague)
    assert utc(2026, 10, 19, 13) in before and utc(2026, 10, 19, 13) not in after
    assert utc(2026, 10, 19, 13) in slots_of(engine, owner)  # the owner alone is free


def test_transparent_all_day_and_cancelled_events_do_not_block(
    engine: Engine, session: Session, owner: User, server: CalendarServer
) -> None:
    body = calendar(
        "UID:a\nDTSTART;VALUE=DATE:20261020\nTRANSP:TRANSPARENT",  # a birthday
        "UID:b\nDTSTART:20261021T080000Z\nDTEND:20261021T090000Z\nSTATUS:CANCELLED",
        "UID:c\nDTSTART;VALUE=DATE:20261022\nDTEND;VALUE=DATE:20261023",  # a day off
    )
    feed_id = connect(session, owner, server.serve("/mixed.ics", body))
    feeds.refresh_due(engine=engine, now=NOW, config=LOCAL)
    # The day off is the user's (Berlin) day: 22 October 00:00-24:00 CEST.
    assert busy_rows(engine, feed_id) == [(utc(2026, 10, 21, 22), utc(2026, 10, 22, 22))]
    free = slots_of(engine, owner)
    assert utc(2026, 10, 20, 8) in free and utc(2026, 10, 21, 8) in free
    assert not any(utc(2026, 10, 21, 22) <= s < utc(2026, 10, 22, 22) for s in free)


# --- failures keep the last good busy times ----------------------------------------------


def test_failures_are_recorded_and_the_last_good_busy_times_kept(
    engine: Engine, session: Session, owner: User, server: CalendarServer
) -> None:
    good = one_event("20261020T080000Z", "20261020T100000Z")
    url = server.serve("/cal.ics", good)
    feed_id = connect(session, owner, url)
    feeds.refresh_due(engine=engine, now=NOW, config=LOCAL)
    kept = busy_rows(engine, feed_id)
    assert kept == [(utc(2026, 10, 20, 8), utc(2026, 10, 20, 10))]

    later = NOW
    cases = [
        (dict(status=404, body=b"gone"), "The calendar server answered 404 Not Found."),
        (dict(status=500, body=b"oops"), "The calendar server answered 500"),
        (dict(body=b"<html>Please sign in</html>"), "did not return a calendar"),
        (dict(body=b"BEGIN:VCALENDAR\r\nnot a line\r\nEND:VCALENDAR\r\n"), "damaged"),
    ]
    for failures, (reply, message) in enumerate(cases, start=1):
        later = later + timedelta(hours=2)  # past any backoff
        server.serve("/cal.ics", **reply)  # type: ignore[arg-type]
        [result] = feeds.refresh_due(engine=engine, now=later, config=LOCAL)
        assert result.outcome == "failed" and message in result.error
        feed = feed_row(engine, feed_id)
        assert message in feed.last_error
        assert feed.failures == failures
        assert feed.last_attempt_at == later and feed.last_success_at == NOW
        assert feed.next_fetch_at == later + retry_delay(failures)
        assert feed.claimed_until is None
        assert busy_rows(engine, feed_id) == kept
        assert utc(2026, 10, 20, 8) not in slots_of(engine, owner, now=NOW)
    [view] = feeds.list_feeds(session=session, user_id=owner.id or 0)
    assert view.state == "error" and view.last_success_at == NOW

    server.serve("/cal.ics", one_event("20261021T080000Z", "20261021T090000Z"))
    later += timedelta(hours=2)
    assert feeds.refresh_due(engine=engine, now=later, config=LOCAL)[0].outcome == "updated"
    feed = feed_row(engine, feed_id)
    assert (feed.failures, feed.last_error, feed.last_success_at) == (0, "", later)
    assert busy_rows(engine, feed_id) == [(utc(2026, 10, 21, 8), utc(2026, 10, 21, 9))]


def test_timeout_is_recorded(
    engine: Engine, session: Session, owner: User, server: CalendarServer
) -> None:
    feed_id = connect(session, owner, server.serve("/slow.ics", WEEKLY_NY, delay=3.0))
    config = feeds.FetchConfig(timeout=0.3, allow_local=True)
    started = time.monotonic()
    [result] = feeds.refresh_due(engine=engine, now=NOW, config=config)
    assert time.monotonic() - started < 2.5
    assert result.error == "The calendar server did not answer within 0.3 seconds."
    assert feed_row(engine, feed_id).failures == 1


def test_unreachable_server_is_recorded(engine: Engine, session: Session, owner: User) -> None:
    from tests.conftest import free_port

    feed_id = connect(session, owner, f"http://127.0.0.1:{free_port()}/cal.ics")
    [result] = feeds.refresh_due(engine=engine, now=NOW, config=LOCAL)
    assert result.outcome == "failed" and "could not be reached" in result.error
    assert "could not be reached" in feed_row(engine, feed_id).last_error


def test_too_large_calendar_is_refused(
    engine: Engine, session: Session, owner: User, server: CalendarServer
) -> None:
    feed_id = connect(session, owner, server.serve("/big.ics", WEEKLY_NY))
    config = feeds.FetchConfig(allow_local=True, limits=FeedLimits(max_bytes=100))
    [result] = feeds.refresh_due(engine=engine, now=NOW, config=config)
    assert result.outcome == "failed" and "larger than" in result.error
    assert busy_rows(engine, feed_id) == []


def test_local_addresses_are_refused_outside_tests(
    engine: Engine, session: Session, owner: User, server: CalendarServer
) -> None:
    feed_id = connect(session, owner, server.serve("/cal.ics", WEEKLY_NY))
    [result] = feeds.refresh_due(engine=engine, now=NOW, config=feeds.FetchConfig())
    assert result.outcome == "failed" and "own network" in result.error
    assert server.requests == []
    assert feed_row(engine, feed_id).failures == 1


def test_unexpected_error_costs_one_attempt_not_the_worker(
    engine: Engine,
    session: Session,
    owner: User,
    server: CalendarServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feed_id = connect(session, owner, server.serve("/cal.ics", WEEKLY_NY))

    def broken(*args: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(feeds, "busy_from_feed", broken)
    [result] = feeds.refresh_due(engine=engine, now=NOW, config=LOCAL)
    assert result.outcome == "failed" and result.error == "The calendar could not be read."
    assert feed_row(engine, feed_id).claimed_until is None


def test_refresh_forever_refreshes_due_feeds_in_the_background(
    engine: Engine,
    session: Session,
    owner: User,
    server: CalendarServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    feed_id = connect(session, owner, server.serve("/cal.ics", WEEKLY_NY))
    monkeypatch.setenv("SLOTAPP_FEEDS_ALLOW_LOCAL", "1")
    monkeypatch.setattr(feeds, "get_engine", lambda: engine)
    monkeypatch.setattr(feeds, "utcnow", lambda: NOW)
    monkeypatch.setattr(feeds, "INTERVAL_SECONDS", 0.05)

    async def run_briefly() -> None:
        task = asyncio.create_task(feeds.refresh_forever())
        for _ in range(100):
            await asyncio.sleep(0.05)
            if feed_row(engine, feed_id).last_success_at is not None:
                break
        task.cancel()

    # A thread of its own: a session-wide Playwright browser may hold this thread's loop.
    worker = threading.Thread(target=lambda: asyncio.run(run_briefly()))
    worker.start()
    worker.join(timeout=30)
    assert feed_row(engine, feed_id).last_success_at == NOW
    assert server.hits("/cal.ics") == 1  # not due again within the same instant


# --- conditional requests -------------------------------------------------------------


def test_etag_304_keeps_busy_times_and_counts_as_success(
    engine: Engine, session: Session, owner: User, server: CalendarServer
) -> None:
    feed_id = connect(session, owner, server.serve("/cal.ics", WEEKLY_NY, etag='"v1"'))
    feeds.refresh_due(engine=engine, now=NOW, config=LOCAL)
    assert feed_row(engine, feed_id).etag == '"v1"'
    kept = busy_rows(engine, feed_id)

    later = NOW + feeds.REFRESH_EVERY
    assert feeds.refresh_due(engine=engine, now=later, config=LOCAL) == [
        feeds.RefreshResult(feed_id, "not_modified")
    ]
    assert server.requests[-1][1].get("If-None-Match") == '"v1"'
    feed = feed_row(engine, feed_id)
    assert (feed.last_success_at, feed.event_count, feed.failures) == (later, 4, 0)
    assert busy_rows(engine, feed_id) == kept

    # Stored busy time covers a window from the last full read: renew it now and then.
    much_later = later + feeds.FULL_FETCH_EVERY
    feeds.refresh_due(engine=engine, now=much_later, config=LOCAL)
    assert "If-None-Match" not in server.requests[-1][1]
    assert feed_row(engine, feed_id).last_success_at == much_later


def test_feed_is_not_fetched_before_it_is_due(
    engine: Engine, session: Session, owner: User, server: CalendarServer
) -> None:
    connect(session, owner, server.serve("/cal.ics", WEEKLY_NY))
    assert len(feeds.refresh_due(engine=engine, now=NOW, config=LOCAL)) == 1
    assert feeds.refresh_due(engine=engine, now=NOW + timedelta(minutes=29), config=LOCAL) == []
    assert len(feeds.refresh_due(engine=engine, now=NOW + feeds.REFRESH_EVERY, config=LOCAL)) == 1
    assert server.hits("/cal.ics") == 2


# --- several workers ------------------------------------------------------------------


def test_two_workers_fetch_each_due_feed_exactly_once(
    engine: Engine, session: Session, server: CalendarServer
) -> None:
    users = [make_user(session, f"User{i} Person") for i in range(3)]
    owned = [(user, f"/{user.id}-{n}.ics") for user in users for n in range(3)]
    paths = [path for _, path in owned]
    ids = set()
    for user, path in owned:
        body = one_event("20261020T080000Z", "20261020T090000Z", uid=path)
        ids.add(connect(session, user, server.serve(path, body, delay=0.05), name=path))
    barrier = threading.Barrier(2)
    outcomes: list[list[feeds.RefreshResult]] = []

    def worker() -> None:
        barrier.wait()
        mine: list[feeds.RefreshResult] = []
        # Small batches, so that the two workers take turns claiming.
        while batch := feeds.refresh_due(engine=engine, now=NOW, config=LOCAL, limit=2):
            mine += batch
        outcomes.append(mine)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(outcomes) == 2
    done = [r.feed_id for results in outcomes for r in results]
    assert sorted(done) == sorted(ids)  # every feed once, none twice
    assert all(server.hits(path) == 1 for path in paths)
    assert all(r.outcome == "updated" for results in outcomes for r in results)


def test_a_claimed_feed_is_skipped_until_the_claim_runs_out(
    engine: Engine, session: Session, owner: User, server: CalendarServer
) -> None:
    feed_id = connect(session, owner, server.serve("/cal.ics", WEEKLY_NY))
    assert feeds.claim_due(engine=engine, now=NOW) == [feed_id]  # a worker that then died
    assert feeds.refresh_due(engine=engine, now=NOW + timedelta(minutes=1), config=LOCAL) == []
    assert (
        feeds.refresh_feed(
            engine=engine, feed_id=feed_id, user_id=owner.id or 0, now=NOW, config=LOCAL
        )
        is None
    )
    after = NOW + feeds.CLAIM_FOR
    assert [r.outcome for r in feeds.refresh_due(engine=engine, now=after, config=LOCAL)] == [
        "updated"
    ]


# --- refresh now, connect, remove -------------------------------------------------------


def test_refresh_now_fetches_a_feed_that_is_not_due_and_only_the_owners(
    engine: Engine, session: Session, owner: User, server: CalendarServer
) -> None:
    feed_id = connect(session, owner, server.serve("/cal.ics", WEEKLY_NY))
    feeds.refresh_due(engine=engine, now=NOW, config=LOCAL)
    other = make_user(session, "Mallory Other")
    soon = NOW + timedelta(minutes=1)
    assert (
        feeds.refresh_feed(engine=engine, feed_id=feed_id, user_id=other.id or 0, now=soon) is None
    )
    result = feeds.refresh_feed(
        engine=engine, feed_id=feed_id, user_id=owner.id or 0, now=soon, config=LOCAL
    )
    assert result == feeds.RefreshResult(feed_id, "updated")
    assert server.hits("/cal.ics") == 2
    assert feed_row(engine, feed_id).last_success_at == soon


def test_connect_normalises_and_refuses_bad_duplicate_and_too_many(
    session: Session, owner: User
) -> None:
    uid = owner.id or 0
    feed = feeds.connect_feed(
        session=session,
        user_id=uid,
        url=" webcal://calendar.example/secret/basic.ics ",
        name="",
        now=NOW,
    )
    assert feed.url == "https://calendar.example/secret/basic.ics"
    assert feed.name == "calendar.example" and feed.next_fetch_at == NOW
    with pytest.raises(InvalidInput, match="already connected"):
        feeds.connect_feed(
            session=session,
            user_id=uid,
            url="https://calendar.example/secret/basic.ics",
            name="",
            now=NOW,
        )
    with pytest.raises(InvalidInput, match="must start with"):
        feeds.connect_feed(session=session, user_id=uid, url="ftp://x/y", name="", now=NOW)
    for n in range(1, feeds.MAX_FEEDS_PER_USER):
        feeds.connect_feed(
            session=session, user_id=uid, url=f"https://c.example/{n}", name="", now=NOW
        )
    with pytest.raises(InvalidInput, match="At most 10"):
        feeds.connect_feed(
            session=session, user_id=uid, url="https://c.example/last", name="", now=NOW
        )
    [first] = [f for f in feeds.list_feeds(session=session, user_id=uid) if f.id == feed.id]
    assert first.state == "pending" and first.address == "calendar.example/…"


def test_remove_forgets_the_busy_times(
    engine: Engine, session: Session, owner: User, server: CalendarServer
) -> None:
    feed_id = connect(session, owner, server.serve("/cal.ics", WEEKLY_NY))
    feeds.refresh_due(engine=engine, now=NOW, config=LOCAL)
    assert utc(2026, 10, 19, 13) not in slots_of(engine, owner)
    other = make_user(session, "Mallory Other")
    assert not feeds.remove_feed(session=session, user_id=other.id or 0, feed_id=feed_id)
    assert feeds.remove_feed(session=session, user_id=owner.id or 0, feed_id=feed_id)
    session.commit()
    assert busy_rows(engine, feed_id) == []
    assert utc(2026, 10, 19, 13) in slots_of(engine, owner)
    assert feeds.list_feeds(session=session, user_id=owner.id or 0) == []


def test_feed_removed_while_being_fetched_stores_nothing(
    engine: Engine, session: Session, owner: User, server: CalendarServer
) -> None:
    feed_id = connect(session, owner, server.serve("/cal.ics", WEEKLY_NY, delay=0.5))
    worker = threading.Thread(
        target=feeds.refresh_due, kwargs={"engine": engine, "now": NOW, "config": LOCAL}
    )
    worker.start()
    time.sleep(0.2)
    with Session(engine) as s:
        assert feeds.remove_feed(session=s, user_id=owner.id or 0, feed_id=feed_id)
        s.commit()
    worker.join(timeout=10)
    with Session(engine) as s:
        assert s.exec(select(FeedBusy)).all() == []


# --- the subscription address ---------------------------------------------------------


def add_meeting(
    session: Session,
    user: User,
    start: datetime,
    *,
    title: str,
    status: str = "confirmed",
    is_test: bool = False,
) -> Meeting:
    meeting = Meeting(
        title=title,
        start_at=start,
        end_at=start + timedelta(minutes=30),
        status=status,
        guest_name="Gina Guest",
        guest_email="gina@example.org",
        is_test=is_test,
        organizer_id=user.id,
        updated_at=NOW,
        created_at=NOW,
    )
    session.add(meeting)
    session.flush()
    assert meeting.id is not None and user.id is not None
    session.add(
        MeetingParticipant(
            meeting_id=meeting.id,
            user_id=user.id,
            start_at=meeting.start_at,
            end_at=meeting.end_at,
            blocks=status == "confirmed",
        )
    )
    session.commit()
    return meeting


@pytest.fixture
def client(engine: Engine) -> TestClient:
    app = Starlette(
        routes=feed_routes(engine_factory=lambda: engine, secret_factory=lambda: SECRET)
    )
    return TestClient(app)


def test_subscription_serves_the_users_meetings_to_calendar_apps(
    client: TestClient, session: Session, owner: User
) -> None:
    uid = owner.id or 0
    booked = add_meeting(session, owner, utc(2026, 11, 24, 9), title="Intro call")
    cancelled = add_meeting(
        session, owner, utc(2026, 11, 25, 9), title="Dropped", status="cancelled"
    )
    add_meeting(session, owner, utc(2026, 11, 26, 9), title="Owner's test", is_test=True)
    add_meeting(session, owner, utc(2026, 1, 5, 9), title="Long ago")
    other = make_user(session, "Carl Colleague")
    add_meeting(session, other, utc(2026, 11, 24, 11), title="Not mine")
    token = subs.enable_subscription(session=session, user_id=uid, secret=SECRET)
    session.commit()

    res = client.get(subscription_path(token))

    assert res.status_code == 200
    assert res.headers["content-type"] == "text/calendar; charset=utf-8"
    assert res.headers["cache-control"] == "private, max-age=300"
    vcal = vobject.readOne(res.content.decode("utf-8"), validate=True)
    cal = icalendar.Calendar.from_ical(res.content)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {f"meeting-{booked.id}@slotapp", f"meeting-{cancelled.id}@slotapp"}
    assert len(vcal.vevent_list) == 2
    assert str(events[f"meeting-{booked.id}@slotapp"]["STATUS"]) == "CONFIRMED"
    assert str(events[f"meeting-{cancelled.id}@slotapp"]["STATUS"]) == "CANCELLED"
    assert events[f"meeting-{booked.id}@slotapp"].decoded("DTSTART") == utc(2026, 11, 24, 9)
    assert "METHOD" not in cal
    assert str(cal["X-WR-CALNAME"]) == "slotapp · Olga Owner"
    # Read back as a connected calendar, the feed blocks exactly the confirmed meeting.
    busy = busy_from_ics(res.content, time_zone="UTC", start=NOW, end=NOW + timedelta(days=60))
    assert [(i.start, i.end) for i in busy.busy] == [
        (utc(2026, 11, 24, 9), utc(2026, 11, 24, 9, 30))
    ]


def test_subscription_answers_304_to_its_own_etag(
    client: TestClient, session: Session, owner: User
) -> None:
    add_meeting(session, owner, utc(2026, 11, 24, 9), title="Intro call")
    token = subs.enable_subscription(session=session, user_id=owner.id or 0, secret=SECRET)
    session.commit()
    first = client.get(subscription_path(token))
    etag = first.headers["etag"]
    again = client.get(subscription_path(token), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    add_meeting(session, owner, utc(2026, 11, 25, 9), title="Another")
    changed = client.get(subscription_path(token), headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["etag"] != etag


def test_empty_subscription_is_still_a_valid_calendar(
    client: TestClient, session: Session, owner: User
) -> None:
    token = subs.enable_subscription(session=session, user_id=owner.id or 0, secret=SECRET)
    session.commit()
    res = client.get(subscription_path(token))
    assert res.status_code == 200
    vobject.readOne(res.content.decode("utf-8"), validate=True)
    assert icalendar.Calendar.from_ical(res.content).walk("VEVENT") == []


def test_revoked_switched_off_and_unknown_addresses_are_404(
    client: TestClient, session: Session, owner: User
) -> None:
    uid = owner.id or 0
    assert subs.subscription(session=session, user_id=uid, secret=SECRET) is None
    old = subs.enable_subscription(session=session, user_id=uid, secret=SECRET)
    assert subs.enable_subscription(session=session, user_id=uid, secret=SECRET) == old
    session.commit()
    assert client.get(subscription_path(old)).status_code == 200

    new = subs.renew_subscription(session=session, user_id=uid, secret=SECRET)
    session.commit()
    assert new != old and subs.subscription(session=session, user_id=uid, secret=SECRET) == new
    assert client.get(subscription_path(old)).status_code == 404
    assert client.get(subscription_path(new)).status_code == 200

    subs.disable_subscription(session=session, user_id=uid)
    session.commit()
    assert client.get(subscription_path(new)).status_code == 404
    for junk in ("nope", f"{uid}.forged", "999.abc", f"{uid}."):
        assert client.get(subscription_path(junk)).status_code == 404
