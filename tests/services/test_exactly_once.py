"""Timers and outboxes act once per deadline across workers, on SQLite and on PostgreSQL.

Each "worker" here has an engine of its own (its own connection pool, as a separate server
process has) and runs the real loop body against real servers on loopback: aiosmtpd for
mail, tests/pushservice.py for web push, an HTTP server for calendar feeds. Claims are
leases: the lease tests run the workers on one shared clock that moves with the wall clock
and shorten the lease to about a second, so "longer than the lease" happens for real.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiosmtpd.controller import Controller
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from slotapp.core.push import PushKind
from slotapp.core.webpush_subscription import parse_subscription
from slotapp.db import make_engine
from slotapp.models import CalendarFeed, Conversation, EmailOutbox, PushOutbox, User
from slotapp.services import feeds, mailer, push, push_devices, push_outbox
from slotapp.services.chat_worker import run_once
from slotapp.services.mailer import SmtpConfig, deliver_due, queue_email
from slotapp.services.push_worker import PushWorker, Sender, run
from slotapp.services.vapid import VapidKeys, keys_from
from tests.conftest import free_port
from tests.pushservice import BrowserKeys, PushService
from tests.services.chat_helpers import client_writes, make_desk
from tests.services.helpers import make_user
from tests.services.test_mailer import Recorder

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday, inside working hours
WORKERS = 4


# --- workers: own engines, started together ----------------------------------------------


@contextmanager
def worker_engines(engine: Engine, n: int = WORKERS) -> Iterator[list[Engine]]:
    """`n` engines on the test's database, as `n` server processes would each have."""
    engines = [make_engine(engine.url.render_as_string(hide_password=False)) for _ in range(n)]
    try:
        yield engines
    finally:
        for e in engines:
            e.dispose()


def race(bodies: list[Callable[[], None]], timeout: float = 60) -> None:
    """Run each body on a thread of its own, all released at once; re-raise any failure."""
    barrier, errors = threading.Barrier(len(bodies)), []

    def main(body: Callable[[], None]) -> None:
        try:
            barrier.wait()
            body()
        except BaseException as exc:  # reported on the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=main, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "a worker hung"
    if errors:
        raise errors[0]


class WallClock:
    """One clock for every worker: NOW plus the wall-clock time since the test started."""

    def __init__(self) -> None:
        self.start = time.monotonic()

    def __call__(self) -> datetime:
        return NOW + timedelta(seconds=time.monotonic() - self.start)


# --- real servers -------------------------------------------------------------------------


@dataclass
class SlowRecorder(Recorder):
    """aiosmtpd handler that takes `delay` seconds to accept each message."""

    delay: float = 0.0
    stall: threading.Event | None = None  # set: hold every DATA until the event is set
    data_started: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.data_started.set()
        if self.stall is not None and not self.stall.is_set():
            while not self.stall.is_set():
                await asyncio.sleep(0.05)
            return "451 aborted"  # its client died waiting: the message was not taken
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


@contextmanager
def smtp(handler: SlowRecorder) -> Iterator[SmtpConfig]:
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpConfig(host="127.0.0.1", port=port, timeout=10)
    finally:
        if handler.stall is not None:
            handler.stall.set()
        controller.stop()


class SlowPushService(PushService):
    """The loopback push service, taking `delay` seconds to answer each request."""

    delay: float = 0.0

    async def _push(self, request: web.Request) -> web.Response:
        await asyncio.sleep(self.delay)
        return await super()._push(request)


@pytest.fixture
def keys(tmp_path: Path) -> VapidKeys:
    return keys_from({"SLOTAPP_VAPID_SUBJECT": "mailto:ops@example.com"}, tmp_path, "")


@dataclass
class Calendars:
    """A calendar server on loopback counting the downloads of each path."""

    port: int = 0
    delay: float = 0.0
    hits: Counter[str] = field(default_factory=Counter)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@contextmanager
def calendar_server(delay: float = 0.0) -> Iterator[Calendars]:
    state = Calendars(delay=delay)
    lock = threading.Lock()
    body = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:x@t\r\n"
        b"DTSTAMP:20261101T000000Z\r\nDTSTART:20261124T080000Z\r\nDTEND:20261124T090000Z\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    )

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            with lock:
                state.hits[self.path] += 1
            time.sleep(state.delay)
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


def _device(session: Session, user: User, service: PushService, name: str) -> None:
    browser = BrowserKeys()
    sub = parse_subscription(browser.subscription(service.endpoint(name)), allow_loopback_http=True)
    assert user.id is not None
    push_devices.subscribe(session=session, user_id=user.id, keys=sub, label="Phone", now=NOW)
    session.commit()


# --- chat deadlines -> mail and push outboxes -> SMTP and the push service -----------------


def test_kpi_alerts_fire_once_and_their_mail_and_push_leave_once_across_four_workers(
    engine: Engine, session: Session, keys: VapidKeys
) -> None:
    """Four workers each run the chat timer pass, then the mail and push deliveries, at once:
    every overdue conversation yields exactly one alert, one email and one push."""
    boss = make_user(session, "Bea Boss", role="admin")
    desk = make_desk(session, NOW, agents=1, kpi_initial_minutes=1, kpi_notify_user_id=boss.id)
    service = PushService().start()
    try:
        _device(session, boss, service, "boss-phone")
        ids = [client_writes(session, desk, f"Hi {i}", NOW, f"v{i}")[0].id for i in range(16)]
        due = NOW + timedelta(minutes=2)
        handler = SlowRecorder()
        with smtp(handler) as config, worker_engines(engine) as engines:

            def worker(own: Engine) -> Callable[[], None]:
                def body() -> None:
                    while run_once(engine=own, now=due).acted:
                        pass
                    with Session(own) as s:
                        while deliver_due(session=s, config=config, now=due, limit=3).sent:
                            pass

                    async def pushes() -> None:
                        async with aiohttp.ClientSession() as http:
                            at = lambda: due  # noqa: E731
                            w = PushWorker(
                                engine=own, sender=Sender(http, keys, at), clock=at, batch=3
                            )
                            while await w.step(handed=[]):
                                await w.drain()
                            await w.drain()

                    asyncio.run(pushes())

                return body

            race([worker(e) for e in engines])

        alerts = [m for m in handler.messages if m["Subject"] == "Response time exceeded"]
        assert len(alerts) == len(ids)
        texts = [str(m.get_body(("plain",)).get_content()) for m in alerts]  # type: ignore[union-attr]
        assert sorted(t.split("/inbox/")[1].split()[0] for t in texts) == sorted(map(str, ids))
        kpi = [r for r in service.received if r.path == "/push/boss-phone"]
        assert len(kpi) == len(ids)  # one push per alert, none twice
        with Session(engine) as fresh:
            convs = fresh.exec(select(Conversation).where(Conversation.id.in_(ids))).all()  # type: ignore[union-attr]
            assert all(c.kpi_alerted_at == due for c in convs)
            rows = fresh.exec(select(EmailOutbox)).all()
            assert [r.status for r in rows] == ["sent"] * len(ids)
            pushes = fresh.exec(select(PushOutbox).where(PushOutbox.kind == "kpi_overdue")).all()
            assert [(p.status, p.attempts) for p in pushes] == [("sent", 1)] * len(ids)
    finally:
        service.stop()


# --- email: leases --------------------------------------------------------------------------


def test_email_claims_are_stamped_when_taken_so_a_slow_pass_never_sends_twice(
    engine: Engine, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: a pass stamped every claim with its start time, so in a pass longer than
    the lease another worker took back (and sent again) the message being sent right then."""
    monkeypatch.setattr(mailer, "CLAIM_TIMEOUT", timedelta(seconds=1))
    for n in range(8):
        queue_email(session=session, to=f"g{n}@example.org", subject="s", body_text="b", now=NOW)
    session.commit()
    clock, handler = WallClock(), SlowRecorder(delay=0.3)
    with smtp(handler) as config, worker_engines(engine, 2) as (one, other):

        def long_pass() -> None:  # one pass of about 8 x 0.3 s, well past the 1 s lease
            with Session(one) as s:
                deliver_due(session=s, config=config, now=clock())

        def poller() -> None:  # a second worker polling all along, with the real time
            with Session(other) as s:
                for _ in range(60):
                    deliver_due(session=s, config=config, now=clock(), limit=1)
                    left = s.exec(select(EmailOutbox).where(EmailOutbox.status != "sent"))
                    if not left.all():
                        return
                    time.sleep(0.05)

        race([long_pass, poller])
    sent = Counter(m["To"] for m in handler.messages)
    assert sent == Counter({f"g{n}@example.org": 1 for n in range(8)})


def test_email_worker_killed_mid_send_releases_its_claim_only_after_the_lease(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    """A worker process SIGKILLed while the SMTP server holds its message: nobody sends the
    message while the lease lasts; after it, one worker sends it once."""
    row = queue_email(session=session, to="zoe@example.org", subject="s", body_text="b", now=NOW)
    session.commit()
    handler = SlowRecorder(stall=threading.Event())
    with smtp(handler) as config:
        script = (
            "import sys\nfrom datetime import datetime\nfrom sqlmodel import Session\n"
            "from slotapp.db import make_engine\n"
            "from slotapp.services.mailer import SmtpConfig, deliver_due\n"
            "with Session(make_engine(sys.argv[1])) as s:\n"
            "    deliver_due(session=s, now=datetime.fromisoformat(sys.argv[2]),\n"
            "                config=SmtpConfig(host='127.0.0.1', port=int(sys.argv[3])))\n"
        )
        url = engine.url.render_as_string(hide_password=False)
        child = subprocess.Popen(
            [sys.executable, "-c", script, url, NOW.isoformat(), str(config.port)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        try:
            assert handler.data_started.wait(30), "the child worker never reached DATA"
        finally:
            os.kill(child.pid, signal.SIGKILL)
            child.wait()
        handler.stall.set()  # type: ignore[union-attr]  # the server answers from now on
        with worker_engines(engine, 1) as (own,), Session(own) as s:
            later = NOW + mailer.CLAIM_TIMEOUT - timedelta(seconds=1)
            assert deliver_due(session=s, config=config, now=later).sent == 0
            after = NOW + mailer.CLAIM_TIMEOUT + timedelta(seconds=1)
            assert deliver_due(session=s, config=config, now=after).sent == 1
            assert deliver_due(session=s, config=config, now=NOW + timedelta(hours=1)).sent == 0
            stored = s.get(EmailOutbox, row.id)
            assert stored is not None and (stored.status, stored.attempts) == ("sent", 1)
    assert [m["To"] for m in handler.messages] == ["zoe@example.org"]


# --- push: leases ---------------------------------------------------------------------------


def test_push_claims_waiting_past_their_lease_are_given_back_not_sent_twice(
    engine: Engine, session: Session, keys: VapidKeys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: a worker claimed a whole batch and sent it a few at a time; what waited
    longer than the lease was taken back by another worker and sent by both."""
    monkeypatch.setattr(push_outbox, "CLAIM_TIMEOUT", timedelta(seconds=2))
    monkeypatch.setattr(push_outbox, "SEND_MARGIN", timedelta(seconds=1.2))
    service = SlowPushService()
    service.delay = 0.3
    service.start()
    try:
        owner = make_user(session, "Olga Owner")
        for n in range(10):
            _device(session, owner, service, f"phone-{n}")
        assert owner.id is not None
        push.notify_users(
            session=session,
            user_ids=[owner.id],
            kind=PushKind.BOOKING_NEW,
            line="New booking",
            url="/meetings/1",
            now=NOW,
        )
        session.commit()
        clock = WallClock()
        with worker_engines(engine, 2) as engines:

            def worker(own: Engine, concurrency: int) -> Callable[[], None]:
                async def main() -> None:
                    async with aiohttp.ClientSession() as http:
                        w = PushWorker(
                            engine=own,
                            sender=Sender(http, keys, clock),
                            clock=clock,
                            concurrency=concurrency,
                            inbox=list,
                        )
                        loop = asyncio.create_task(run(w, asyncio.Event(), poll=0.1))
                        deadline = time.monotonic() + 20
                        while time.monotonic() < deadline and not _all_sent(own):
                            await asyncio.sleep(0.1)
                        loop.cancel()
                        await w.drain()

                return lambda: asyncio.run(main())

            # The first worker sends one at a time; the other polls beside it.
            race([worker(engines[0], 1), worker(engines[1], 1)])
        per_device = Counter(r.path for r in service.received)
        assert per_device == Counter({f"/push/phone-{n}": 1 for n in range(10)})
    finally:
        service.stop()


def _all_sent(engine: Engine) -> bool:
    with Session(engine) as s:
        return all(r.status == "sent" for r in s.exec(select(PushOutbox)).all())


# --- calendar feeds -------------------------------------------------------------------------


def _connect_feeds(session: Session, calendars: Calendars, count: int) -> list[int]:
    ids, users = [], [make_user(session, f"User{n} Person") for n in range(1 + count // 10)]
    for n in range(count):
        user_id = users[n // 10].id  # at most ten calendars each
        assert user_id is not None
        feed = feeds.connect_feed(
            session=session, user_id=user_id, url=calendars.url(f"/{n}.ics"), name="", now=NOW
        )
        session.commit()
        assert feed.id is not None
        ids.append(feed.id)
    return ids


LOCAL = feeds.FetchConfig(timeout=0.5, allow_local=True)


def test_four_workers_with_their_own_connections_fetch_each_feed_once(
    engine: Engine, session: Session
) -> None:
    """Every feed falls due at the same instant (ties in the claim order), taken in small
    batches by four workers: each is downloaded once, none is left behind."""
    with calendar_server(delay=0.02) as calendars, worker_engines(engine) as engines:
        ids = _connect_feeds(session, calendars, 24)
        done: list[int] = []
        lock = threading.Lock()

        def worker(own: Engine) -> Callable[[], None]:
            def body() -> None:
                while batch := feeds.refresh_due(engine=own, now=NOW, config=LOCAL, limit=3):
                    with lock:
                        done.extend(r.feed_id for r in batch)

            return body

        race([worker(e) for e in engines])
    assert sorted(done) == sorted(ids)
    assert calendars.hits == Counter({f"/{n}.ics": 1 for n in range(24)})
    with Session(engine) as s:
        stored = s.exec(select(CalendarFeed)).all()
        assert all(f.claimed_until is None and f.last_success_at == NOW for f in stored)


def test_a_slow_feed_batch_gives_back_what_it_cannot_fetch_within_its_lease(
    engine: Engine, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression: a batch fetched one feed after the other past the claim's end, while
    another worker claimed and fetched the same feeds again."""
    monkeypatch.setattr(feeds, "CLAIM_FOR", timedelta(seconds=2.0))  # budget 2 - 3 x 0.5 s
    with calendar_server(delay=0.3) as calendars, worker_engines(engine, 2) as (one, other):
        ids = _connect_feeds(session, calendars, 10)  # one batch of 10 x 0.3 s: past 2 s
        clock = WallClock()

        def big_batch() -> None:
            feeds.refresh_due(engine=one, now=clock(), config=LOCAL, limit=6)

        def poller() -> None:
            time.sleep(0.1)  # the batch claims first
            for _ in range(80):
                feeds.refresh_due(engine=other, now=clock(), config=LOCAL, limit=1)
                with Session(other) as s:
                    if all(f.last_success_at for f in s.exec(select(CalendarFeed)).all()):
                        return
                time.sleep(0.05)

        race([big_batch, poller])
    assert calendars.hits == Counter({f"/{n}.ics": 1 for n in range(len(ids))})
