"""Push delivery against a push service on loopback: what arrives is decrypted as a browser
would, its VAPID token checked; gone devices are deleted, failures retried with backoff."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

import aiohttp
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from slotapp.core.push import BASE_DELAY, MAX_ATTEMPTS, TTL, PushKind
from slotapp.core.webpush_subscription import parse_subscription
from slotapp.models import PushOutbox, PushSubscription, User
from slotapp.services import push, push_devices
from slotapp.services.push_worker import PushWorker, Sender, run
from slotapp.services.vapid import VapidKeys, keys_from
from tests import aio
from tests.conftest import NOW, free_port
from tests.pushservice import BrowserKeys, PushService, vapid_claims_of
from tests.services.helpers import make_user

T = TypeVar("T")


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def service() -> Iterator[PushService]:
    svc = PushService().start()
    yield svc
    svc.stop()


@pytest.fixture
def keys(tmp_path: Path) -> VapidKeys:
    return keys_from({"SLOTAPP_VAPID_SUBJECT": "mailto:ops@example.com"}, tmp_path, "")


def _device(session: Session, user: User, service: PushService, name: str) -> BrowserKeys:
    browser = BrowserKeys()
    sub = parse_subscription(browser.subscription(service.endpoint(name)), allow_loopback_http=True)
    assert user.id is not None
    push_devices.subscribe(
        session=session, user_id=user.id, keys=sub, label="Chrome on Android", now=NOW
    )
    session.commit()
    return browser


def _notify(session: Session, user: User, line: str = "New enquiry: Anna, website chat") -> int:
    assert user.id is not None
    queued = push.notify_users(
        session=session,
        user_ids=[user.id],
        kind=PushKind.ENQUIRY_NEW,
        line=line,
        url="/conversations/7",
        now=NOW,
    )
    session.commit()
    return queued


def _with_worker(
    engine: Engine, keys: VapidKeys, clock: Clock, body: Callable[[PushWorker], Awaitable[T]]
) -> T:
    async def main() -> T:
        async with aiohttp.ClientSession() as http:
            worker = PushWorker(engine=engine, sender=Sender(http, keys, clock), clock=clock)
            return await body(worker)

    return aio.run(main())


async def _pass(worker: PushWorker) -> int:
    claimed = await worker.step()
    await worker.drain()
    return claimed


def _outbox(engine: Engine) -> list[PushOutbox]:
    with Session(engine) as session:
        return list(session.exec(select(PushOutbox).order_by(PushOutbox.id)).all())


def test_browser_decrypts_the_one_line_and_vapid_token_names_the_push_service(
    engine: Engine, session: Session, service: PushService, keys: VapidKeys
) -> None:
    agent = make_user(session, "Dan Agent", role="agent")
    browser = _device(session, agent, service, "dan-phone")
    assert _notify(session, agent) == 1

    clock = Clock(NOW)
    assert _with_worker(engine, keys, clock, _pass) == 1

    (got,) = service.wait_for(1)
    assert got.path == "/push/dan-phone"
    assert got.headers["content-encoding"] == "aes128gcm"
    assert got.headers["ttl"] == str(int(TTL.total_seconds()))
    assert got.headers["urgency"] == "high"
    payload = json.loads(browser.decrypt(got.body))
    assert payload == {
        "title": "slotapp",
        "body": "New enquiry: Anna, website chat",
        "url": "/conversations/7",
        "kind": "enquiry_new",
    }
    claims = vapid_claims_of(got.headers["authorization"], public_key=keys.public_key)
    assert claims["aud"] == service.url  # the push service's origin, not ours
    assert claims["sub"] == "mailto:ops@example.com"
    assert NOW.timestamp() < claims["exp"] <= (NOW + timedelta(hours=24)).timestamp()
    (row,) = _outbox(engine)
    assert (row.status, row.sent_at, row.attempts) == ("sent", NOW, 1)
    with Session(engine) as fresh:
        device = fresh.exec(select(PushSubscription)).one()
        assert device.last_sent_at == NOW


def test_one_request_per_device_sent_together_and_nothing_twice(
    engine: Engine, session: Session, service: PushService, keys: VapidKeys
) -> None:
    owner = make_user(session, "Olga Owner")
    phones = [_device(session, owner, service, f"phone-{i}") for i in range(3)]
    _notify(session, owner)

    async def twice(worker: PushWorker) -> list[int]:
        return [await _pass(worker), await _pass(worker)]

    assert _with_worker(engine, keys, Clock(NOW), twice) == [3, 0]
    got = service.wait_for(3)
    assert sorted(r.path for r in got) == [f"/push/phone-{i}" for i in range(3)]
    for i, browser in enumerate(phones):
        (mine,) = service.to(f"phone-{i}")
        assert json.loads(browser.decrypt(mine.body))["body"].startswith("New enquiry")
    # One VAPID token for the push service, reused for every device on it.
    assert len({r.headers["authorization"] for r in got}) == 1


@pytest.mark.parametrize("status", [404, 410])
def test_gone_subscription_is_deleted_with_what_was_queued_for_it(
    engine: Engine,
    session: Session,
    service: PushService,
    keys: VapidKeys,
    status: int,
) -> None:
    owner = make_user(session, "Olga Owner")
    _device(session, owner, service, "old-laptop")
    _device(session, owner, service, "phone")
    service.answer("old-laptop", status)
    _notify(session, owner)

    _with_worker(engine, keys, Clock(NOW), _pass)

    assert owner.id is not None
    with Session(engine) as fresh:
        left = [d.label for d in push_devices.devices(session=fresh, user_id=owner.id)]
        assert left == ["Chrome on Android"]
        assert fresh.exec(select(PushSubscription.endpoint)).all() == [service.endpoint("phone")]
    assert [r.status for r in _outbox(engine)] == ["sent"]


def test_server_errors_are_retried_with_backoff_then_delivered(
    engine: Engine, session: Session, service: PushService, keys: VapidKeys
) -> None:
    owner = make_user(session, "Olga Owner")
    browser = _device(session, owner, service, "phone")
    service.answer("phone", 500, 503)
    _notify(session, owner, "Cancelled: Anna Gast, Tue 24 Nov 10:00")
    clock = Clock(NOW)

    async def until_sent(worker: PushWorker) -> list[tuple[str, int, timedelta]]:
        seen = []
        for _ in range(3):
            await _pass(worker)
            (row,) = _outbox(engine)
            seen.append((row.status, row.attempts, row.next_attempt_at - clock.now))
            assert await _pass(worker) == 0  # not due again before its time
            clock.now = row.next_attempt_at
        return seen

    seen = _with_worker(engine, keys, clock, until_sent)

    assert seen == [
        ("pending", 1, BASE_DELAY),
        ("pending", 2, 2 * BASE_DELAY),
        ("sent", 3, timedelta(0)),
    ]
    assert len(service.to("phone")) == 3
    (row,) = _outbox(engine)
    assert "503" in row.last_error
    last = service.to("phone")[-1]
    assert (
        json.loads(browser.decrypt(last.body))["body"] == "Cancelled: Anna Gast, Tue 24 Nov 10:00"
    )


def test_retry_after_of_a_throttling_push_service_is_honoured(
    engine: Engine, session: Session, service: PushService, keys: VapidKeys
) -> None:
    owner = make_user(session, "Olga Owner")
    _device(session, owner, service, "phone")
    service.answer("phone", 429, headers={"Retry-After": "120"})
    _notify(session, owner)

    _with_worker(engine, keys, Clock(NOW), _pass)

    (row,) = _outbox(engine)
    assert (row.status, row.next_attempt_at) == ("pending", NOW + timedelta(seconds=120))


def test_unreachable_push_service_is_retried_and_given_up_after_max_attempts(
    engine: Engine, session: Session, keys: VapidKeys
) -> None:
    owner = make_user(session, "Olga Owner")
    closed = PushService(port=free_port())  # never started: nothing listens there
    _device(session, owner, closed, "phone")
    _notify(session, owner)
    clock = Clock(NOW)

    async def every_attempt(worker: PushWorker) -> list[str]:
        states = []
        for _ in range(MAX_ATTEMPTS):
            await _pass(worker)
            (row,) = _outbox(engine)
            states.append(row.status)
            clock.now = row.next_attempt_at
        return states

    states = _with_worker(engine, keys, clock, every_attempt)

    assert states == ["pending"] * (MAX_ATTEMPTS - 1) + ["failed"]
    (row,) = _outbox(engine)
    assert row.attempts == MAX_ATTEMPTS and row.last_error.startswith("no answer")


def test_a_message_older_than_its_ttl_is_given_up_instead_of_retried(
    engine: Engine, session: Session, service: PushService, keys: VapidKeys
) -> None:
    owner = make_user(session, "Olga Owner")
    _device(session, owner, service, "phone")
    _notify(session, owner)
    service.answer("phone", 500)

    _with_worker(engine, keys, Clock(NOW + TTL + timedelta(minutes=1)), _pass)

    (row,) = _outbox(engine)
    assert (row.status, row.attempts) == ("failed", 1)


def test_rejected_message_is_given_up_and_the_device_kept(
    engine: Engine, session: Session, service: PushService, keys: VapidKeys
) -> None:
    owner = make_user(session, "Olga Owner")
    _device(session, owner, service, "phone")
    service.answer("phone", 403)  # e.g. the device subscribed with another VAPID key
    _notify(session, owner)

    _with_worker(engine, keys, Clock(NOW), _pass)

    (row,) = _outbox(engine)
    assert (row.status, row.attempts) == ("failed", 1) and row.last_error.startswith("403")
    with Session(engine) as fresh:
        assert len(fresh.exec(select(PushSubscription)).all()) == 1


def test_a_worker_that_died_while_sending_gives_its_claims_back(
    engine: Engine, session: Session, service: PushService, keys: VapidKeys
) -> None:
    owner = make_user(session, "Olga Owner")
    _device(session, owner, service, "phone")
    _notify(session, owner)
    with Session(engine) as fresh:
        row = fresh.exec(select(PushOutbox)).one()
        row.status, row.next_attempt_at = "sending", NOW - timedelta(minutes=3)
        fresh.add(row)
        fresh.commit()

    _with_worker(engine, keys, Clock(NOW), _pass)

    (row,) = _outbox(engine)
    assert (row.status, row.attempts) == ("sent", 2)


def test_commit_wakes_the_worker_at_once_instead_of_at_its_poll(
    engine: Engine, session: Session, service: PushService, keys: VapidKeys
) -> None:
    """A booking committed in a thread (as a request handler does) is sent within moments."""
    owner = make_user(session, "Olga Owner")
    _device(session, owner, service, "phone")

    def book_in_a_thread() -> None:
        with Session(engine) as other:
            _notify(other, owner)

    async def main(worker: PushWorker) -> float:
        wakeup = push.WAKEUP.bind()
        loop_task = asyncio.create_task(run(worker, wakeup, poll=60.0))
        try:
            await asyncio.sleep(0.2)  # the loop is idle, waiting out its 60 s poll
            started = time.monotonic()
            thread = threading.Thread(target=book_in_a_thread)
            thread.start()
            await asyncio.to_thread(service.wait_for, 1, 5.0)
            thread.join()
            return time.monotonic() - started
        finally:
            loop_task.cancel()
            push.WAKEUP.unbind(wakeup)

    seconds = _with_worker(engine, keys, Clock(NOW), main)
    assert seconds < 2.0


def test_rolled_back_notifications_never_leave(
    engine: Engine, session: Session, service: PushService, keys: VapidKeys
) -> None:
    owner = make_user(session, "Olga Owner")
    _device(session, owner, service, "phone")
    assert owner.id is not None
    push.notify_users(
        session=session,
        user_ids=[owner.id],
        kind=PushKind.BOOKING_NEW,
        line="New booking",
        url="/meetings/1",
        now=NOW,
    )
    session.rollback()

    assert _with_worker(engine, keys, Clock(NOW), _pass) == 0
    assert service.received == []


def test_this_processs_worker_is_handed_its_rows_claimed_so_no_other_poll_sends_them(
    engine: Engine, session: Session, service: PushService
) -> None:
    owner = make_user(session, "Olga Owner")
    _device(session, owner, service, "phone")

    async def main() -> tuple[list[str], list[int], list[int]]:
        wakeup = push.WAKEUP.bind()
        try:
            _notify(session, owner)  # commits: handed over
            statuses = [r.status for r in _outbox(engine)]
            handed = [job.id for job in push.WAKEUP.take()]
            assert owner.id is not None
            push.notify_users(
                session=session,
                user_ids=[owner.id],
                kind=PushKind.KPI_OVERDUE,
                line="Reply overdue: Anna",
                url="/conversations/7",
                now=NOW,
            )
            session.rollback()
            return statuses, handed, [job.id for job in push.WAKEUP.take()]
        finally:
            push.WAKEUP.unbind(wakeup)

    statuses, handed, after_rollback = aio.run(main())

    assert statuses == ["sending"]  # a worker elsewhere polling the table leaves it alone
    assert handed == [r.id for r in _outbox(engine)]
    assert after_rollback == []
