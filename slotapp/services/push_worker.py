"""Delivering queued push notifications in the server's background, with pywebpush.

The loop sleeps until `services.push.wake()` (a commit that queued notifications in this
process) or the next poll (notifications queued by another process), claims what is due,
and sends each message as its own request, many at once, over one HTTP connection pool.
Each answer decides the row: sent; retried with backoff (429, 5xx, no answer); given up (other
4xx, too old); or the device is deleted with everything queued for it (404, 410).
The rows' side (claims, answers written back) is `services.push_outbox`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Sequence
from contextlib import suppress
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from pywebpush import WebPusher, WebPushException
from sqlalchemy.engine import Engine
from sqlmodel import Session

from slotapp.clock import utcnow
from slotapp.core.push import (
    TTL,
    Outcome,
    PushKind,
    classify,
    parse_retry_after,
    urgency,
    vapid_claims,
)
from slotapp.db import get_engine
from slotapp.services import push_outbox
from slotapp.services.push import WAKEUP
from slotapp.services.push_outbox import BATCH, Job, Result, claim_due, prune, record, release
from slotapp.services.vapid import VapidKeys, vapid_keys

log = logging.getLogger(__name__)

POLL_SECONDS = 5.0  # notifications queued by another process wait at most this long
FLUSH_SECONDS = 0.2  # answers are written back in batches this often
CONCURRENCY = 100
START_CHUNK = 10
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=15, connect=5)
VAPID_REUSE = timedelta(hours=1)  # one token per push service, well inside its lifetime


class Sender:
    """Sends one message with pywebpush (RFC 8291 encryption) over a shared aiohttp pool."""

    def __init__(
        self,
        http: aiohttp.ClientSession,
        keys: VapidKeys,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._http, self._keys, self._clock = http, keys, clock
        self._tokens: dict[str, tuple[datetime, dict[str, str]]] = {}

    def _vapid(self, endpoint: str, now: datetime) -> dict[str, str]:
        """The Authorization header for the endpoint's push service, signed once an hour."""
        claims = vapid_claims(endpoint=endpoint, subject=self._keys.subject, now=now)
        aud = str(claims["aud"])
        cached = self._tokens.get(aud)
        if cached is None or now - cached[0] >= VAPID_REUSE:
            cached = (now, dict(self._keys.signer.sign(claims)))
            self._tokens[aud] = cached
        return cached[1]

    async def send(self, job: Job) -> Result:
        """POST the encrypted payload; the answer as a Result (never raises for the network)."""
        now = self._clock()
        info = {"endpoint": job.endpoint, "keys": {"p256dh": job.p256dh, "auth": job.auth}}
        try:
            headers = {**self._vapid(job.endpoint, now), "Urgency": urgency(PushKind(job.kind))}
            response = await WebPusher(info, aiohttp_session=self._http).send_async(
                json.dumps(job.payload, separators=(",", ":")),
                headers,
                ttl=int(TTL.total_seconds()),
                content_encoding="aes128gcm",
                timeout=REQUEST_TIMEOUT,
            )
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return Result(job, Outcome.RETRY, f"no answer: {exc or type(exc).__name__}")
        except (WebPushException, ValueError) as exc:  # unusable keys or endpoint
            return Result(job, Outcome.FAILED, str(exc))
        assert isinstance(response, aiohttp.ClientResponse)
        outcome = classify(response.status)
        if outcome == Outcome.SENT:
            return Result(job, outcome)
        body = (await response.text(errors="replace"))[:200]
        return Result(
            job,
            outcome,
            f"{response.status} {response.reason or ''}: {body}".strip(),
            parse_retry_after(response.headers.get("Retry-After"), now),
        )


class PushWorker:
    """Claims due messages and sends them concurrently; answers are written back in batches."""

    def __init__(
        self,
        *,
        engine: Engine,
        sender: Sender,
        clock: Callable[[], datetime] = utcnow,
        batch: int = BATCH,
        concurrency: int = CONCURRENCY,
        inbox: Callable[[], list[Job]] = WAKEUP.take,
    ) -> None:
        self.engine, self.sender, self.clock, self.batch = engine, sender, clock, batch
        self.inbox = inbox  # jobs `notify_users` claimed for this process and handed over
        self._slots = asyncio.Semaphore(concurrency)
        self._tasks: set[asyncio.Task[None]] = set()
        self._results: list[Result] = []
        self._released: list[Job] = []

    @property
    def busy(self) -> bool:
        """Sends in flight or answers not yet written back."""
        return bool(self._tasks or self._results or self._released)

    def _db(self, fn: Callable[..., Any], **kwargs: Any) -> Any:
        with Session(self.engine, expire_on_commit=False) as session:
            return fn(session=session, now=self.clock(), **kwargs)

    async def start(self, jobs: Sequence[Job]) -> None:
        """Start sending these claimed jobs (at most `concurrency` requests at a time).

        A few at a time with a yield in between: each request is written once its task has
        run, so the first ones leave before the last ones are even encrypted.
        """
        for i, job in enumerate(jobs, 1):
            task = asyncio.create_task(self._send(job))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            if i % START_CHUNK == 0:
                await asyncio.sleep(0)

    async def step(self, handed: Sequence[Job] | None = None, *, look: bool = True) -> int:
        """Send what was handed over; if `look`, claim what else is due in the table and send
        it; write the answers received so far back.

        Args:
            handed: Jobs `notify_users` claimed for this process (default: take the in-tray).
            look: Also claim from the table (rows queued by other processes, retries).

        Returns:
            How many messages were claimed from the table (a full batch: look again).
        """
        await self.start(self.inbox() if handed is None else handed)
        jobs: list[Job] = []
        room = self.batch - len(self._tasks)  # claim no more than can leave within the lease
        if look and room > 0:
            jobs = await asyncio.to_thread(self._db, claim_due, limit=room)
            await self.start(jobs)
        await self.flush()
        return len(jobs)

    async def _send(self, job: Job) -> None:
        async with self._slots:
            if job.lease_left(self.clock()) < push_outbox.SEND_MARGIN:
                # Waited too long for a slot: another worker may take the row once the lease
                # runs out, so give it back now rather than risk sending it twice.
                self._released.append(job)
                return
            try:
                result = await self.sender.send(job)
            except Exception as exc:  # a bug must not leave the row claimed until the timeout
                log.exception("push %s: sending failed", job.id)
                result = Result(job, Outcome.RETRY, f"{type(exc).__name__}: {exc}")
        self._results.append(result)

    async def flush(self) -> None:
        """Write the answers received so far."""
        results, self._results = self._results, []
        released, self._released = self._released, []
        if results:
            await asyncio.to_thread(self._db, record, results=results)
        if released:
            await asyncio.to_thread(self._db, release, jobs=released)

    async def drain(self) -> None:
        """Wait for every send in flight, then write the answers back (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
        await self.flush()


async def run(worker: PushWorker, wakeup: asyncio.Event, poll: float = POLL_SECONDS) -> None:
    """Send what is handed over at once; look in the table when woken without any, and at
    least every `poll` seconds; write answers back every FLUSH_SECONDS while sending."""
    loop = asyncio.get_running_loop()
    next_look, woken = loop.time(), True
    while True:
        wakeup.clear()
        handed = worker.inbox()
        look = (woken and not handed) or loop.time() >= next_look
        claimed = 0
        try:
            claimed = await worker.step(handed, look=look)
        except Exception:  # a broken pass must not end the loop: the next one retries
            log.exception("push delivery pass failed")
        if look:
            next_look = loop.time() + poll
        if claimed >= worker.batch:
            woken = True  # more may be due right now
            continue
        pause = max(0.0, next_look - loop.time())
        try:
            await asyncio.wait_for(
                wakeup.wait(), min(FLUSH_SECONDS, pause) if worker.busy else pause
            )
            woken = True
        except TimeoutError:
            woken = False


async def deliver_forever() -> None:
    """The server's push worker (a Reflex lifespan task); makes the VAPID keys on first start."""
    try:
        keys = await asyncio.to_thread(vapid_keys)
    except ValueError:  # a misconfigured key pair: say so once, keep the server running
        log.exception("push: no VAPID keys, notifications stay queued")
        return
    engine = get_engine()
    wakeup = WAKEUP.bind()
    connector = aiohttp.TCPConnector(limit=CONCURRENCY, ttl_dns_cache=300)
    try:
        async with aiohttp.ClientSession(connector=connector) as http:
            worker = PushWorker(engine=engine, sender=Sender(http, keys))
            pruner = asyncio.create_task(_prune_hourly(engine))
            try:
                await run(worker, wakeup)
            finally:
                pruner.cancel()
                with suppress(Exception):
                    await asyncio.wait_for(worker.drain(), 5)
    finally:
        WAKEUP.unbind(wakeup)


def _prune_once(engine: Engine) -> None:
    with Session(engine) as session:
        prune(session=session, now=utcnow())


async def _prune_hourly(engine: Engine) -> None:
    while True:
        try:
            await asyncio.to_thread(_prune_once, engine)
        except Exception:  # pruning is housekeeping: never end the worker over it
            log.exception("push outbox pruning failed")
        await asyncio.sleep(3600)
