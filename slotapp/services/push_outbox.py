"""The push outbox's rows: claiming what is due, writing the push service's answers back.

Plain functions on a session of their own (the worker runs them in a thread); each commits.
Claims (pending -> sending) make several worker processes safe: a row goes to one of them.
A claim is a lease of CLAIM_TIMEOUT from `next_attempt_at` (the claim time): the worker sends
only while at least SEND_MARGIN of it is left and gives back (`release`) what it could not
send in time, so another worker takes a row only once its first worker is done with it.
A worker killed after the push service accepted a message but before the answer was written
back leaves it to be sent again after the lease: at-least-once across a crash.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case, delete, update
from sqlmodel import Session, col, select

from slotapp.core.push import MAX_ATTEMPTS, Outcome, expired, retry_delay
from slotapp.models import PushOutbox, PushSubscription

BATCH = 1000
CLAIM_TIMEOUT = timedelta(minutes=2)  # longer than any request may take
# A send starts only with this much of its lease left: a request (15 s at most) and the
# batched write of its answer fit in it, so the answer is stored before the lease runs out.
SEND_MARGIN = timedelta(seconds=45)
KEEP_DONE = timedelta(days=7)
_status, _next_at = col(PushOutbox.status), col(PushOutbox.next_attempt_at)


@dataclass(frozen=True)
class Job:
    """A claimed message and where it goes."""

    id: int
    subscription_id: int
    endpoint: str
    p256dh: str
    auth: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime
    claimed_at: datetime | None = None  # None: claimed when it was queued (created_at)

    def lease_left(self, now: datetime) -> timedelta:
        """How long this worker may still hold the row."""
        return (self.claimed_at or self.created_at) + CLAIM_TIMEOUT - now


@dataclass(frozen=True)
class Result:
    """The push service's answer to one job."""

    job: Job
    outcome: Outcome
    error: str = ""
    retry_after: timedelta | None = None


def claim_due(*, session: Session, now: datetime, limit: int = BATCH) -> list[Job]:
    """Claim due messages (pending -> sending) for this worker; no other worker gets them.

    Messages claimed by a worker that died are given back first. Commits.
    """
    attempts = col(PushOutbox.attempts)
    stale = (_status == "sending", _next_at <= now - CLAIM_TIMEOUT)
    # Reads and writes in separate transactions, each write first in its own: on SQLite a
    # transaction that read before another connection committed cannot write any more. An
    # idle poll only reads.
    any_stale = session.exec(select(PushOutbox.id).where(*stale).limit(1)).first()
    session.commit()
    if any_stale is not None:
        session.exec(
            update(PushOutbox)
            .where(*stale)
            .values(
                status=case((attempts + 1 >= MAX_ATTEMPTS, "failed"), else_="pending"),
                attempts=attempts + 1,
                last_error="delivery interrupted: the worker stopped while sending",
                next_attempt_at=now,
            )
        )
        session.commit()
    due = session.exec(
        select(PushOutbox.id)
        .where(_status == "pending", _next_at <= now)
        .order_by(col(PushOutbox.id))
        .limit(limit)
    ).all()
    session.commit()
    if not due:
        return []
    claimed = session.exec(
        update(PushOutbox)
        .where(col(PushOutbox.id).in_(due), _status == "pending")
        .values(status="sending", next_attempt_at=now)
        .returning(col(PushOutbox.id))
    ).all()
    rows = session.exec(
        select(PushOutbox, PushSubscription)
        .join(PushSubscription, col(PushSubscription.id) == col(PushOutbox.subscription_id))
        .where(col(PushOutbox.id).in_([c[0] for c in claimed]))
        .order_by(col(PushOutbox.id))
    ).all()
    jobs = [
        Job(
            id=m.id,
            subscription_id=s.id,
            endpoint=s.endpoint,
            p256dh=s.p256dh,
            auth=s.auth,
            kind=m.kind,
            payload=dict(m.payload),
            attempts=m.attempts,
            created_at=m.created_at,
            claimed_at=now,
        )
        for m, s in rows
        if m.id is not None and s.id is not None
    ]
    session.commit()
    return jobs


def _retry_state(result: Result, now: datetime) -> dict[str, Any]:
    attempts = result.job.attempts + 1
    gave_up = attempts >= MAX_ATTEMPTS or expired(result.job.created_at, now)
    return {
        "status": "failed" if gave_up else "pending",
        "attempts": attempts,
        "last_error": result.error[:500],
        "next_attempt_at": now if gave_up else now + retry_delay(attempts, result.retry_after),
    }


def record(*, session: Session, results: Sequence[Result], now: datetime) -> None:
    """Write the answers back: sent, retry later, given up, or the device deleted. Commits."""
    by = {o: [r for r in results if r.outcome == o] for o in Outcome}
    if sent := by[Outcome.SENT]:
        session.exec(
            update(PushOutbox)
            .where(col(PushOutbox.id).in_([r.job.id for r in sent]), _status == "sending")
            .values(status="sent", sent_at=now, attempts=col(PushOutbox.attempts) + 1)
        )
        session.exec(
            update(PushSubscription)
            .where(col(PushSubscription.id).in_({r.job.subscription_id for r in sent}))
            .values(last_sent_at=now)
        )
    if gone := sorted({r.job.subscription_id for r in by[Outcome.GONE]}):
        # The foreign key cascades too; deleting the messages first does not rely on it.
        session.exec(delete(PushOutbox).where(col(PushOutbox.subscription_id).in_(gone)))
        session.exec(delete(PushSubscription).where(col(PushSubscription.id).in_(gone)))
    for result in by[Outcome.RETRY] + by[Outcome.FAILED]:
        values = (
            _retry_state(result, now)
            if result.outcome == Outcome.RETRY
            else {
                "status": "failed",
                "attempts": result.job.attempts + 1,
                "last_error": result.error[:500],
            }
        )
        session.exec(
            update(PushOutbox)
            .where(col(PushOutbox.id) == result.job.id, _status == "sending")
            .values(**values)
        )
    session.commit()


def release(*, session: Session, jobs: Sequence[Job], now: datetime) -> None:
    """Give back claimed rows this worker did not send (no attempt counted). Commits."""
    if jobs:
        session.exec(
            update(PushOutbox)
            .where(col(PushOutbox.id).in_([j.id for j in jobs]), _status == "sending")
            .values(status="pending", next_attempt_at=now)
        )
    session.commit()


def prune(*, session: Session, now: datetime) -> int:
    """Delete sent and failed messages older than KEEP_DONE; returns how many. Commits."""
    result = session.exec(
        delete(PushOutbox).where(
            col(PushOutbox.status).in_(["sent", "failed"]),
            col(PushOutbox.created_at) < now - KEEP_DONE,
        )
    )
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)
