"""The outbox and its delivery, against a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import email
import email.message
import email.policy
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import icalendar
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from slotapp.core.backoff import MAX_ATTEMPTS
from slotapp.core.ics import IcsEvent, Person, build_ics
from slotapp.models import EmailOutbox
from slotapp.services.mailer import (
    Attachment,
    DeliveryReport,
    SmtpConfig,
    build_message,
    deliver_due,
    outbox_messages,
    queue_email,
)
from tests.conftest import NOW, free_port

NOTHING = DeliveryReport(sent=0, retried=0, failed=0)


@dataclass
class Recorder:
    """An aiosmtpd handler that keeps what it receives and refuses some recipients."""

    refuse: set[str] = field(default_factory=set)
    received: list[tuple[Any, str, list[str], email.message.EmailMessage]] = field(
        default_factory=list
    )

    async def handle_RCPT(  # noqa: N802 (aiosmtpd's hook name)
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.refuse:
            return "550 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, email.message.EmailMessage)
        self.received.append((session.peer, envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        return [r[3] for r in self.received]


@dataclass
class Server:
    handler: Recorder
    config: SmtpConfig


@contextmanager
def smtp_server(port: int) -> Iterator[Server]:
    handler = Recorder()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield Server(handler, SmtpConfig(host="127.0.0.1", port=port, timeout=5))
    finally:
        controller.stop()


@pytest.fixture
def server() -> Iterator[Server]:
    with smtp_server(free_port()) as srv:
        yield srv


def _queue(session: Session, to: str = "bob@example.org", **kwargs: Any) -> EmailOutbox:
    row = queue_email(
        session=session,
        to=to,
        subject=kwargs.pop("subject", "Your meeting"),
        body_text=kwargs.pop("body_text", "See you there."),
        now=kwargs.pop("now", NOW),
        **kwargs,
    )
    session.commit()
    return row


def _invitation() -> bytes:
    event = IcsEvent(
        uid="meeting-42@slotapp",
        sequence=1,
        start=NOW + timedelta(days=2),
        end=NOW + timedelta(days=2, minutes=30),
        summary="Intro call",
        organizer=Person("Ann Host", "ann@example.com"),
        attendees=(Person("Zoë Ñúñez", "bob@example.org"),),
        time_zone="Europe/Berlin",
    )
    return build_ics(event, method="REQUEST", now=NOW)


def _row(session: Session, row_id: int | None) -> EmailOutbox:
    row = session.get(EmailOutbox, row_id, populate_existing=True)
    assert row is not None
    return row


def test_queued_message_is_delivered_with_its_invitation(session: Session, server: Server) -> None:
    ics = Attachment("meeting.ics", "text/calendar; method=REQUEST", _invitation())
    row = _queue(session, subject="Invitation: Intro call — Zoë", attachments=[ics])
    body = "Hello Zoë,\nyour meeting is booked.\n"
    other = _queue(session, to="carol@example.net", body_text=body)

    report = deliver_due(session=session, config=server.config, now=NOW)

    assert report == DeliveryReport(sent=2, retried=0, failed=0)
    assert len({peer for peer, *_ in server.handler.received}) == 1  # one connection
    _, mail_from, rcpt_tos, msg = server.handler.received[0]
    assert mail_from == "no-reply@slotapp.localhost" and rcpt_tos == ["bob@example.org"]
    assert msg["To"] == "bob@example.org"
    assert msg["Subject"] == "Invitation: Intro call — Zoë"
    plain = msg.get_body(("plain",))
    assert plain is not None and plain.get_content().strip() == "See you there."
    (part,) = list(msg.iter_attachments())
    assert isinstance(part, email.message.EmailMessage)
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "meeting.ics"
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    cal = icalendar.Calendar.from_ical(payload)
    assert str(cal["METHOD"]) == "REQUEST"
    assert str(cal.walk("VEVENT")[0]["UID"]) == "meeting-42@slotapp"

    second = server.handler.messages[1]
    assert second["To"] == "carol@example.net"
    text = second.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert text.replace("\r\n", "\n") == body  # SMTP carries CRLF line ends
    for r in (row, other):
        sent = _row(session, r.id)
        assert (sent.status, sent.sent_at, sent.attempts) == ("sent", NOW, 0)
    # nothing is sent twice
    assert deliver_due(session=session, config=server.config, now=NOW + timedelta(hours=1)) == (
        NOTHING
    )
    assert len(server.handler.received) == 2


def test_queue_email_stores_base64_attachments_and_flushes(session: Session) -> None:
    row = queue_email(
        session=session,
        to=" bob@example.org ",
        subject="Two\nlines",
        body_text="x",
        now=NOW,
        attachments=[Attachment("a.bin", "application/octet-stream", b"\x00\xff")],
        meeting_id=None,
    )
    assert row.id is not None  # flushed
    assert (row.to_addr, row.subject, row.status) == ("bob@example.org", "Two lines", "pending")
    assert row.next_attempt_at == NOW and row.created_at == NOW
    assert row.attachments == [
        {"filename": "a.bin", "content_type": "application/octet-stream", "data_b64": "AP8="}
    ]


@pytest.mark.parametrize("to", ["", "nobody", "a@b.example\r\nBcc: x@y.example", "a@b, c@d"])
def test_queue_email_refuses_bad_addresses(session: Session, to: str) -> None:
    with pytest.raises(ValueError, match="address"):
        queue_email(session=session, to=to, subject="s", body_text="b", now=NOW)


@pytest.mark.parametrize("commit", [False, True], ids=["rolled-back", "committed"])
def test_queue_email_alone_sends_nothing(
    engine: Engine, session: Session, server: Server, commit: bool
) -> None:
    queue_email(session=session, to="bob@example.org", subject="s", body_text="b", now=NOW)
    session.commit() if commit else session.rollback()

    with Session(engine) as fresh:
        rows = fresh.exec(select(EmailOutbox)).all()
        assert [r.status for r in rows] == (["pending"] if commit else [])
    assert server.handler.received == []


def test_unreachable_server_is_retried_after_a_minute_then_delivered(session: Session) -> None:
    port = free_port()  # nothing listens here yet
    config = SmtpConfig(host="127.0.0.1", port=port, timeout=5)
    first, second = _queue(session), _queue(session, to="carol@example.net")

    assert deliver_due(session=session, config=config, now=NOW) == DeliveryReport(0, 1, 0)
    row = _row(session, first.id)
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at == NOW + timedelta(minutes=1)
    assert row.last_error
    # the run stopped at the unreachable server: the other message kept its attempts
    assert _row(session, second.id).attempts == 0

    with smtp_server(port) as srv:
        later = NOW + timedelta(seconds=30)
        assert deliver_due(session=session, config=config, now=later) == DeliveryReport(1, 0, 0)
        assert [m["To"] for m in srv.handler.messages] == ["carol@example.net"]
        due = NOW + timedelta(minutes=1)
        assert deliver_due(session=session, config=config, now=due) == DeliveryReport(1, 0, 0)
        assert [m["To"] for m in srv.handler.messages][-1] == "bob@example.org"
    row = _row(session, first.id)
    assert (row.status, row.attempts, row.sent_at) == ("sent", 1, NOW + timedelta(minutes=1))


def test_message_fails_after_max_attempts(session: Session) -> None:
    config = SmtpConfig(host="127.0.0.1", port=free_port(), timeout=5)
    row_id = _queue(session).id
    now = NOW
    for attempt in range(1, MAX_ATTEMPTS + 1):
        report = deliver_due(session=session, config=config, now=now)
        row = _row(session, row_id)
        assert row.attempts == attempt
        if attempt < MAX_ATTEMPTS:
            assert report == DeliveryReport(0, 1, 0) and row.status == "pending"
            early = row.next_attempt_at - timedelta(seconds=1)
            assert deliver_due(session=session, config=config, now=early) == NOTHING
            now = row.next_attempt_at
    assert report == DeliveryReport(0, 0, 1)
    assert row.status == "failed"
    assert deliver_due(session=session, config=config, now=now + timedelta(days=1)) == NOTHING


def test_refused_recipient_fails_only_that_message(session: Session, server: Server) -> None:
    server.handler.refuse.add("nobody@example.org")
    ids = [_queue(session, to=to).id for to in ("a@example.org", "nobody@example.org", "c@x.io")]

    report = deliver_due(session=session, config=server.config, now=NOW)

    assert report == DeliveryReport(sent=2, retried=0, failed=1)
    statuses = [_row(session, i).status for i in ids]
    assert statuses == ["sent", "failed", "sent"]
    refused = _row(session, ids[1])
    assert "550" in refused.last_error and "no such user" in refused.last_error
    assert [m["To"] for m in server.handler.messages] == ["a@example.org", "c@x.io"]
    assert len({peer for peer, *_ in server.handler.received}) == 1


def test_without_config_mail_stays_in_the_outbox(session: Session, server: Server) -> None:
    row_id = _queue(session).id
    assert deliver_due(session=session, config=None, now=NOW) == NOTHING
    assert _row(session, row_id).status == "pending"
    assert server.handler.received == []


def test_two_workers_send_each_message_exactly_once(engine: Engine, server: Server) -> None:
    with Session(engine) as setup:
        for n in range(12):
            _queue(setup, to=f"guest{n}@example.org")
    barrier = threading.Barrier(2)
    reports: list[DeliveryReport] = []

    def worker() -> None:
        with Session(engine) as own:
            barrier.wait()
            reports.append(deliver_due(session=own, config=server.config, now=NOW))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    received = sorted(m["To"] for m in server.handler.messages)
    assert received == sorted(f"guest{n}@example.org" for n in range(12))
    assert sum(r.sent for r in reports) == 12 and len(reports) == 2


def test_claim_of_a_dead_worker_is_requeued_after_ten_minutes(
    session: Session, server: Server
) -> None:
    stale, fresh = _queue(session), _queue(session, to="carol@example.net")
    for row, claimed_at in ((stale, NOW - timedelta(minutes=11)), (fresh, NOW)):
        row.status, row.next_attempt_at = "sending", claimed_at
        session.add(row)
    session.commit()

    assert deliver_due(session=session, config=server.config, now=NOW) == DeliveryReport(1, 0, 0)

    assert [m["To"] for m in server.handler.messages] == ["bob@example.org"]
    assert (_row(session, stale.id).status, _row(session, stale.id).attempts) == ("sent", 1)
    assert _row(session, fresh.id).status == "sending"  # its worker may still be sending


def test_corrupt_attachment_fails_without_blocking_others(session: Session, server: Server) -> None:
    bad = _queue(session)
    bad.attachments = [{"filename": "x", "content_type": "text/plain", "data_b64": "%%%"}]
    session.add(bad)
    session.commit()
    _queue(session, to="carol@example.net")

    assert deliver_due(session=session, config=server.config, now=NOW) == DeliveryReport(1, 0, 1)
    assert _row(session, bad.id).status == "failed"
    assert [m["To"] for m in server.handler.messages] == ["carol@example.net"]


def test_build_message_keeps_content_types(session: Session) -> None:
    row = _queue(
        session,
        attachments=[
            Attachment("invite.ics", "text/calendar; method=CANCEL", b"BEGIN:VCALENDAR"),
            Attachment("a.pdf", "application/pdf", b"%PDF-1.4"),
        ],
    )
    msg = build_message(row, "Slot App <mail@slots.example>")
    assert msg["From"] == "Slot App <mail@slots.example>"
    assert msg["Message-ID"].endswith("@slots.example>")
    assert msg.get_content_type() == "multipart/mixed"
    ics, pdf = msg.iter_attachments()
    assert (ics.get_content_type(), ics.get_param("method")) == ("text/calendar", "CANCEL")
    assert (ics.get_content_charset(), ics.get_filename()) == ("utf-8", "invite.ics")
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_payload(decode=True) == b"%PDF-1.4"


def test_outbox_messages_newest_first(session: Session) -> None:
    for minutes in (0, 5, 2):
        _queue(session, subject=f"m{minutes}", now=NOW + timedelta(minutes=minutes))
    assert [r.subject for r in outbox_messages(session=session)] == ["m5", "m2", "m0"]
    assert len(outbox_messages(session=session, limit=2)) == 2


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, None),
        ({"SMTP_HOST": "  "}, None),
        ({"SMTP_HOST": "mail.example"}, SmtpConfig("mail.example", 25)),
        (
            {"SMTP_HOST": "mail.example", "SMTP_SECURITY": "STARTTLS"},
            SmtpConfig("mail.example", 587, "starttls"),
        ),
        (
            {"SMTP_HOST": "mail.example", "SMTP_SECURITY": "ssl"},
            SmtpConfig("mail.example", 465, "ssl"),
        ),
        (
            {
                "SMTP_HOST": "mail.example",
                "SMTP_PORT": "2525",
                "SMTP_SECURITY": "starttls",
                "SMTP_USERNAME": "u",
                "SMTP_PASSWORD": "p w",
                "SLOTAPP_MAIL_FROM": "Slots <slots@firm.example>",
            },
            SmtpConfig("mail.example", 2525, "starttls", "u", "p w", "Slots <slots@firm.example>"),
        ),
    ],
)
def test_smtp_config_from_environ(env: dict[str, str], expected: SmtpConfig | None) -> None:
    assert SmtpConfig.from_environ(env) == expected


@pytest.mark.parametrize(
    ("env", "match"),
    [
        ({"SMTP_PORT": "smtp"}, "SMTP_PORT"),
        ({"SMTP_PORT": "0"}, "SMTP_PORT"),
        ({"SMTP_PORT": "70000"}, "SMTP_PORT"),
        ({"SMTP_PORT": "-25"}, "SMTP_PORT"),
        ({"SMTP_SECURITY": "tls"}, "SMTP_SECURITY"),
        ({"SLOTAPP_MAIL_FROM": "slotapp"}, "SLOTAPP_MAIL_FROM"),
    ],
)
def test_smtp_config_from_environ_refuses_bad_values(env: dict[str, str], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        SmtpConfig.from_environ({"SMTP_HOST": "mail.example", **env})
