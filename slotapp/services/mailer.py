"""Email: every message is stored in the outbox first, then delivered over SMTP separately.

Queuing joins the caller's transaction, so a booking and its emails commit (or vanish)
together; delivery runs later in a worker and never blocks the action that queued the mail.
"""

from __future__ import annotations

import base64
import email.message
import email.utils
import smtplib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import case
from sqlmodel import Session, col, select, update

from slotapp.core.backoff import MAX_ATTEMPTS, retry_delay
from slotapp.models import EmailOutbox
from slotapp.services.smtp import SmtpConfig, connect, hang_up

__all__ = ["Attachment", "DeliveryReport", "SmtpConfig", "deliver_due", "queue_email"]

CLAIM_TIMEOUT = timedelta(minutes=10)
_NO_SYNC = {"synchronize_session": False}  # callers reload rows; see deliver_due's finally
_status = col(EmailOutbox.status)
_next_at = col(EmailOutbox.next_attempt_at)


@dataclass(frozen=True)
class Attachment:
    """A file attached to an email."""

    filename: str
    content_type: str  # e.g. "text/calendar; method=REQUEST"
    data: bytes


@dataclass(frozen=True)
class DeliveryReport:
    """What one `deliver_due` run did."""

    sent: int
    retried: int
    failed: int


def queue_email(
    *,
    session: Session,
    to: str,
    subject: str,
    body_text: str,
    now: datetime,
    attachments: Sequence[Attachment] = (),
    meeting_id: int | None = None,
) -> EmailOutbox:
    """Store a pending message; it is sent by a later `deliver_due`.

    Flushes but does not commit: the caller's transaction commits the message together with
    whatever caused it, or rolls both back.

    Raises:
        ValueError: `to` is not a single plausible address.
    """
    to = to.strip()
    if "@" not in to or len(to) > 254 or any(c in to for c in "\r\n,;<>"):
        raise ValueError(f"not a single email address: {to!r}")
    row = EmailOutbox(
        to_addr=to,
        subject=" ".join(subject.split())[:300],  # a header: one line
        body_text=body_text,
        attachments=[
            {
                "filename": a.filename,
                "content_type": a.content_type,
                "data_b64": base64.b64encode(a.data).decode("ascii"),
            }
            for a in attachments
        ],
        status="pending",
        next_attempt_at=now,
        meeting_id=meeting_id,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def build_message(row: EmailOutbox, mail_from: str) -> email.message.EmailMessage:
    """The MIME message for an outbox row.

    Returns:
        text/plain body plus each attachment with its stored content type and parameters
        (so an invitation is ``text/calendar; method=REQUEST``).

    Raises:
        ValueError: an attachment's stored data is not valid base64 (binascii.Error).
        KeyError: an attachment entry lacks a field.
    """
    msg = email.message.EmailMessage()
    msg["From"] = mail_from
    msg["To"] = row.to_addr
    msg["Subject"] = row.subject
    msg["Date"] = email.utils.format_datetime(row.created_at)
    # Stable across retries, so a receiver can drop a duplicate of an uncertain delivery.
    domain = email.utils.parseaddr(mail_from)[1].rpartition("@")[2] or "slotapp.localhost"
    msg["Message-ID"] = f"<outbox-{row.id}-{int(row.created_at.timestamp())}@{domain}>"
    msg.set_content(row.body_text)
    for item in row.attachments:
        probe = email.message.Message()
        probe["Content-Type"] = item["content_type"]
        params: dict[str, Any] = dict(probe.get_params()[1:])  # type: ignore[index]
        if probe.get_content_maintype() == "text":
            params.setdefault("charset", "utf-8")
        msg.add_attachment(
            base64.b64decode(item["data_b64"], validate=True),
            maintype=probe.get_content_maintype(),
            subtype=probe.get_content_subtype(),
            filename=item["filename"],
            params=params,
        )
    return msg


def _update(session: Session, *where: Any, **values: Any) -> int:
    """One UPDATE of outbox rows in its own short transaction; the number of rows changed."""
    result = session.exec(
        update(EmailOutbox).where(*where).values(**values).execution_options(**_NO_SYNC)
    )
    session.commit()
    return result.rowcount


def _requeue_stale_claims(session: Session, now: datetime) -> None:
    """Give back messages claimed by a worker that died (claim older than CLAIM_TIMEOUT)."""
    attempts = col(EmailOutbox.attempts)
    _update(
        session,
        _status == "sending",
        _next_at <= now - CLAIM_TIMEOUT,
        status=case((attempts + 1 >= MAX_ATTEMPTS, "failed"), else_="pending"),
        attempts=attempts + 1,
        last_error="delivery interrupted: the worker stopped while sending",
        next_attempt_at=now,
    )


def _failure(attempts: int, exc: Exception, now: datetime, *, permanent: bool) -> dict[str, Any]:
    """The new state of a message after a failed attempt."""
    attempts += 1
    gave_up = permanent or attempts >= MAX_ATTEMPTS
    return {
        "status": "failed" if gave_up else "pending",
        "attempts": attempts,
        "last_error": (str(exc) or type(exc).__name__)[:1000],
        "next_attempt_at": now if gave_up else now + retry_delay(attempts),
    }


def deliver_due(
    *, session: Session, config: SmtpConfig | None, now: datetime, limit: int = 50
) -> DeliveryReport:
    """Send due pending messages, oldest first, over one SMTP connection.

    Safe to run in several workers at once: each message is claimed (pending -> sending, a
    compare-and-set UPDATE) before it is sent, so no message goes out twice. The claim is a
    lease stamped with the time it was taken (`now` plus the time this run has taken so far,
    so a long run never leaves claims that look older than they are); another worker gives
    it back only after CLAIM_TIMEOUT. A worker that dies after the server accepted a message
    but before marking it sent leaves it to be sent again after the lease: at-least-once
    across a crash, exactly once otherwise (the stable Message-ID lets receivers drop the
    duplicate). A failed attempt is retried later
    (`retry_delay`) and marked failed after MAX_ATTEMPTS; a recipient the server refuses
    fails at once. When the server cannot be reached, the run stops after the first message
    so the others keep their attempts. Commits after every step; use a session of its own.

    Args:
        session: A session used only for delivery (it is committed repeatedly).
        config: The SMTP server, or None to keep everything in the outbox.
        now: The current instant.
        limit: At most this many messages per run.

    Returns:
        How many messages were sent, scheduled for a retry, and given up on.
    """
    if config is None:
        return DeliveryReport(sent=0, retried=0, failed=0)
    session.commit()  # each step below must start its own transaction (SQLite WAL locking)
    _requeue_stale_claims(session, now)
    due = session.exec(
        select(EmailOutbox.id)
        .where(_status == "pending", _next_at <= now)
        .order_by(col(EmailOutbox.created_at), col(EmailOutbox.id))
        .limit(limit)
    ).all()
    session.commit()
    envelope_from = email.utils.parseaddr(config.mail_from)[1]
    counts = {"sent": 0, "pending": 0, "failed": 0}
    smtp: smtplib.SMTP | None = None
    started = time.monotonic()
    try:
        for message_id in due:
            this = col(EmailOutbox.id) == message_id
            # Claim it (the claim time goes in next_attempt_at); 0 rows: another worker has it.
            claimed_at = now + timedelta(seconds=time.monotonic() - started)
            if not _update(
                session,
                this,
                _status == "pending",
                _next_at <= now,
                status="sending",
                next_attempt_at=claimed_at,
            ):
                continue
            row = session.get(EmailOutbox, message_id, populate_existing=True)
            assert row is not None  # claimed rows are never deleted by delivery
            attempts, to_addr = row.attempts, row.to_addr
            try:
                message = build_message(row, config.mail_from)
            except (ValueError, KeyError, TypeError) as exc:  # binascii.Error is a ValueError
                message, outcome = None, _failure(attempts, exc, now, permanent=True)
            session.commit()  # end the read before the slow send; the next write starts fresh
            unreachable = False
            if message is not None:
                try:
                    if smtp is None:
                        unreachable = True
                        smtp = connect(config)
                        unreachable = False
                    smtp.send_message(message, from_addr=envelope_from, to_addrs=[to_addr])
                    outcome = {"status": "sent", "sent_at": now}
                except smtplib.SMTPRecipientsRefused as exc:
                    outcome = _failure(attempts, exc, now, permanent=True)
                except (smtplib.SMTPException, OSError, ValueError) as exc:
                    hang_up(smtp)
                    smtp = None
                    outcome = _failure(attempts, exc, now, permanent=False)
            _update(session, this, _status == "sending", **outcome)
            counts[outcome["status"]] += 1
            if unreachable:
                break  # the server cannot be reached: leave the rest for the next run
    finally:
        hang_up(smtp)
        session.expire_all()  # rows were changed with UPDATE statements; reload on access
    return DeliveryReport(sent=counts["sent"], retried=counts["pending"], failed=counts["failed"])


def outbox_messages(*, session: Session, limit: int = 100) -> list[EmailOutbox]:
    """The newest messages first, for the admin Outbox page."""
    return list(
        session.exec(
            select(EmailOutbox)
            .order_by(col(EmailOutbox.created_at).desc(), col(EmailOutbox.id).desc())
            .limit(limit)
        ).all()
    )
