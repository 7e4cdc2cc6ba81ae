"""The mail server and the push service go away while guests book, then come back.

Real bookings (services.booking.book) queue the mails and pushes; a real SMTP server
(aiosmtpd) and a real push service (tests/pushservice.py) on a fixed loopback port are down
(connection refused) and later up again. The delivery functions run with an injected clock
that jumps to each retry time, so no test sleeps. Every message must arrive exactly once.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bench.appserver import free_port
from slotapp.models import EmailOutbox, ShareLink, User
from slotapp.services import booking
from slotapp.services.mailer import DeliveryReport, SmtpConfig, deliver_due
from slotapp.services.push_worker import PushWorker
from slotapp.services.schedules import link_slots
from slotapp.services.vapid import keys_from
from tests.conftest import NOW
from tests.pushservice import BrowserKeys, PushService
from tests.services.helpers import make_user, open_slots
from tests.services.test_mailer import smtp_server
from tests.services.test_push_worker import Clock, _device, _outbox, _pass, _with_worker


def _book(engine: Engine, session: Session, owner: User, count: int, skip: int = 0) -> None:
    """`count` guests book the owner's next free times, as the guest page does."""
    token = open_slots(session, owner, NOW)
    link = session.exec(select(ShareLink).where(ShareLink.owner_id == owner.id)).one()
    starts = link_slots(
        session=session, link=link, start=NOW, end=NOW + timedelta(days=14), now=NOW
    )
    for n, start in enumerate(starts[skip : skip + count], start=skip):
        request = booking.BookingRequest(
            token=token,
            start=start,
            guest_name=f"Guest {n}",
            guest_email=f"guest{n}@example.org",
            guest_time_zone="Europe/Berlin",
        )
        booking.book(engine=engine, request=request, now=NOW)


def _mail(engine: Engine) -> list[EmailOutbox]:
    with Session(engine) as session:
        return list(session.exec(select(EmailOutbox).order_by(col(EmailOutbox.id))).all())


def test_mail_queued_while_smtp_is_down_is_sent_once_when_it_returns(
    engine: Engine, session: Session
) -> None:
    owner = make_user(session, "Olga Owner")
    port = free_port()  # nothing listens here: connection refused
    config = SmtpConfig(host="127.0.0.1", port=port, timeout=5)
    now = NOW

    _book(engine, session, owner, 3)
    for _ in range(3):  # the outage lasts several retries; more guests book meanwhile
        with Session(engine) as s:
            report = deliver_due(session=s, config=config, now=now)
        assert report.sent == 0 and report.retried == 1 and report.failed == 0
        now = min(r.next_attempt_at for r in _mail(engine))
    _book(engine, session, owner, 2, skip=3)
    queued = _mail(engine)
    assert len(queued) == 10 and {r.status for r in queued} == {"pending"}

    with smtp_server(port) as server:
        for _ in range(10):  # each pass sends what is due, the clock moves to the next retry
            with Session(engine) as s:
                deliver_due(session=s, config=config, now=now)
            pending = [r for r in _mail(engine) if r.status == "pending"]
            if not pending:
                break
            now = max(now, min(r.next_attempt_at for r in pending))
        with Session(engine) as s:  # and later passes send nothing again
            later = now + timedelta(days=1)
            assert deliver_due(session=s, config=config, now=later) == DeliveryReport(0, 0, 0)
        arrived = Counter(str(m["Message-ID"]) for m in server.handler.messages)

    rows = _mail(engine)
    assert {r.status for r in rows} == {"sent"}
    assert sorted(arrived.values()) == [1] * len(rows)  # each message exactly once
    assert {m.split("-")[1] for m in arrived} == {f"{r.id}" for r in rows}
    guests = {str(m["To"]) for m in server.handler.messages}
    assert guests >= {f"guest{n}@example.org" for n in range(5)}


def test_pushes_queued_while_the_push_service_is_down_are_sent_once_when_it_returns(
    engine: Engine, session: Session, tmp_path: Path
) -> None:
    owner = make_user(session, "Olga Owner")
    service = PushService(port=free_port())  # not started yet: connection refused
    browser: BrowserKeys = _device(session, owner, service, "phone")
    keys = keys_from({"SLOTAPP_VAPID_SUBJECT": "mailto:ops@example.com"}, tmp_path, "")
    clock = Clock(NOW)
    _book(engine, session, owner, 3)
    assert len(_outbox(engine)) == 3

    async def outage_then_recovery(worker: PushWorker) -> list[str]:
        for _ in range(2):  # two passes while nothing listens
            await _pass(worker)
            rows = _outbox(engine)
            assert {(r.status, r.attempts) for r in rows} == {("pending", rows[0].attempts)}
            assert all(r.last_error.startswith("no answer") for r in rows)
            clock.now = max(r.next_attempt_at for r in rows)
        service.start()  # back, but overloaded at first: one 503, then 201s
        service.answer("phone", 503)
        states = []
        for _ in range(4):
            await _pass(worker)
            rows = _outbox(engine)
            states.append("".join(r.status[0] for r in rows))
            pending = [r.next_attempt_at for r in rows if r.status == "pending"]
            if not pending:
                break
            clock.now = max(clock.now, min(pending))
        clock.now += timedelta(hours=1)
        assert await _pass(worker) == 0  # nothing left to send
        return states

    try:
        states = _with_worker(engine, keys, clock, outage_then_recovery)
    finally:
        service.stop()

    rows = _outbox(engine)
    assert {r.status for r in rows} == {"sent"}, states
    received = service.to("phone")
    assert len(received) == len(rows) + 1  # the one answered 503 came again
    lines = Counter(json.loads(browser.decrypt(r.body))["body"] for r in received)
    assert len(lines) == len(rows) and sorted(lines.values()) == [1, 1, 2]
    assert all(any(f"Guest {n}" in line for line in lines) for n in range(3))
