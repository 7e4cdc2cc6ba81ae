"""Text a guest or visitor typed is shown back as text: in emails (plain text, one-line
subjects, no injected headers), in calendar files (exactly one event, the name a value, no
injected properties), and in the chat widget (textContent, never HTML).
"""

from __future__ import annotations

import email
import email.policy
import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from icalendar import Calendar
from sqlmodel import Session, col, select

from slotapp.api.chat import WIDGET_JS
from slotapp.core.ics import IcsEvent, Person, build_ics
from slotapp.core.meetings import Actor
from slotapp.core.validation import InvalidInput, required_text
from slotapp.models import Channel, EmailOutbox, Invitation, User
from slotapp.services import (
    chat_transcript,
    conversations,
    invitation_activity,
    invitation_booking,
    invitation_view,
    invitations,
)
from slotapp.services.booking import BookingRequest, book
from slotapp.services.mailer import build_message
from tests.fuzz.hostile import FORMS, IMG, NASTY, SCRIPT
from tests.fuzz.world import NOW, OWNER, SECRET, World, build_world, invitation_draft

INJECTION = "x\r\nATTENDEE:mailto:evil@example.org\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nX-INJ:1"
HEADERS = {"from", "to", "subject", "date", "message-id", "mime-version", "content-type",
           "content-transfer-encoding"}  # fmt: skip
EVENT_PROPERTIES = {
    "UID", "SEQUENCE", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "STATUS", "DESCRIPTION",
    "LOCATION", "URL", "ORGANIZER", "ATTENDEE", "CLASS",
}  # fmt: skip


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built = build_world(Path(tmp_path_factory.mktemp("fuzz-escaping")))
    yield built
    built.engine.dispose()


def _mails(world: World, to: str) -> list[email.message.EmailMessage]:
    with Session(world.engine) as session:
        rows = session.exec(
            select(EmailOutbox).where(EmailOutbox.to_addr == to).order_by(col(EmailOutbox.id))
        ).all()
    assert rows, f"no mail to {to}"
    raw = [build_message(r, "slotapp <noreply@example.com>").as_bytes() for r in rows]
    return [email.message_from_bytes(b, policy=email.policy.default) for b in raw]  # type: ignore[misc]


def _one_event(data: bytes) -> Calendar:
    """The calendar's only VEVENT, parsed by the real parser without complaint."""
    calendar = Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    assert len(events) == 1, data.decode()
    event = events[0]
    assert not event.errors, event.errors
    assert set(event.keys()) <= EVENT_PROPERTIES, set(event.keys()) - EVENT_PROPERTIES
    return event


def _shown_as_text(message: email.message.EmailMessage, typed: str) -> None:
    """Plain text shows `typed` as it is; an HTML part (none today) only escaped."""
    assert set(message.keys()) >= {"From", "To", "Subject"}
    assert {k.lower() for k in message} <= HEADERS, message.keys()
    assert "\n" not in str(message["Subject"])
    for part in message.walk():
        if part.get_content_type() == "text/html":
            body = part.get_content()
            assert typed not in body and html.escape(typed) in body


@pytest.mark.parametrize("name", [SCRIPT, IMG])
def test_booking_mails_and_calendar_show_a_hostile_name_as_text(world: World, name: str) -> None:
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC) + timedelta(hours=[SCRIPT, IMG].index(name))
    guest = f"guest{[SCRIPT, IMG].index(name)}@example.org"
    request = BookingRequest(
        token=world.link_token,
        start=start,
        guest_name=name,
        guest_email=guest,
        guest_time_zone="UTC",
        note=INJECTION,
    )
    booked = book(engine=world.engine, request=request, now=NOW)
    for message in _mails(world, guest) + _mails(world, OWNER)[-1:]:
        _shown_as_text(message, name)
        text = next(p for p in message.walk() if p.get_content_type() == "text/plain")
        assert name in text.get_content()
        ics = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
        event = _one_event(ics.get_content().encode())
        assert str(event["SUMMARY"]) == booked.title == f"{name} and Ben Colleague"
        assert str(event["DESCRIPTION"]) == INJECTION.replace("\r\n", "\n")
        attendees = (
            event["ATTENDEE"] if isinstance(event["ATTENDEE"], list) else [event["ATTENDEE"]]
        )
        assert [str(a) for a in attendees] == [f"mailto:{guest}"]
        assert attendees[0].params["CN"] == name


@FORMS
@given(
    name=st.one_of(st.sampled_from(NASTY), st.text(max_size=200)),
    note=st.one_of(st.just(INJECTION), st.text(max_size=200)),
)
def test_calendar_file_holds_one_event_whatever_the_text(name: str, note: str) -> None:
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    ics = build_ics(
        IcsEvent(
            uid="meeting-1@slotapp",
            sequence=0,
            start=start,
            end=start + timedelta(minutes=30),
            summary=f"{name} and Ben",
            organizer=Person("Ben Colleague", "ben@example.com"),
            attendees=(Person(name, "gina@example.org"),),
            time_zone="Europe/Berlin",
            description=note,
            location=name,
        ),
        method="REQUEST",
        now=NOW,
    )
    event = _one_event(ics)
    assert str(event["ATTENDEE"]) == "mailto:gina@example.org"
    assert str(event["ORGANIZER"]) == "mailto:ben@example.com"
    # The text comes back as typed, less control characters and with line ends as LF.
    controls = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

    def plain(text: str) -> str:
        return controls.sub("", text).replace("\r\n", "\n").replace("\r", "\n")

    assert str(event["SUMMARY"]) == plain(f"{name} and Ben")
    assert event["ATTENDEE"].params["CN"] == plain(name)


def test_invitation_mails_show_a_hostile_participant_as_text(world: World) -> None:
    with Session(world.engine) as session:
        owner_id = session.exec(select(User.id).where(User.email == OWNER)).one()
        links = invitations.create_invitation(
            session=session,
            inviter_id=owner_id,
            draft=invitation_draft(
                owner_id,
                participant_name=IMG,
                participant_email="pia@example.org",
                description=INJECTION,
                subject=SCRIPT,
            ),
            secret=SECRET,
            now=NOW,
        )
        invitation = session.exec(
            select(Invitation).where(Invitation.participant_name == IMG)
        ).one()
        assert invitation.id is not None
        invitation_activity.send_invitation_email(
            session=session,
            actor=Actor(user_id=owner_id, is_admin=False),
            invitation_id=invitation.id,
            secret=SECRET,
            now=NOW,
        )
        session.commit()
    invite = _mails(world, "pia@example.org")[0]
    _shown_as_text(invite, IMG)
    assert f"Hello {IMG}," in invite.get_content()
    token = links.url.rsplit("/", 1)[1]
    with Session(world.engine) as session:
        page = invitation_view.invitation_page(session=session, token=token, now=NOW)
    invitation_booking.book_invitation(
        engine=world.engine, token=token, start=page.slots[0], now=NOW
    )
    for message in _mails(world, "pia@example.org")[1:] + _mails(world, OWNER)[-1:]:
        _shown_as_text(message, IMG)
        ics = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
        event = _one_event(ics.get_content().encode())
        assert SCRIPT in str(event["SUMMARY"])


def test_chat_transcript_mail_shows_messages_as_text(world: World) -> None:
    with Session(world.engine, expire_on_commit=False) as session:
        conversation, _ = conversations.open_conversation(
            session=session, source_key=world.widget_key, visitor_id="escape", now=NOW
        )
        conversations.give_consent(session=session, conversation=conversation, now=NOW)
        for text in (SCRIPT, IMG, "Subject: x\r\nBcc: evil@example.org"):
            conversations.client_message(
                session=session, conversation=conversation, text=text, now=NOW
            )
        channel = session.get(Channel, conversation.channel_id)
        assert channel is not None
        chat_transcript.email_log(
            session=session,
            conversation=conversation,
            channel=channel,
            email="visitor@example.org",
            now=NOW,
        )
        session.commit()
    (message,) = _mails(world, "visitor@example.org")
    for typed in (SCRIPT, IMG):
        _shown_as_text(message, typed)
        assert typed in message.get_content()
    assert message["Bcc"] is None


def test_widget_sets_message_text_with_text_content_only() -> None:
    source = WIDGET_JS.read_text(encoding="utf-8")
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", source, flags=re.S)  # comments may say "innerHTML"
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                 "new Function", "DOMParser", "createContextualFragment", "srcdoc"):  # fmt: skip
        assert sink not in code, sink
    # The one element builder maps `text` to textContent, and messages go through it.
    assert 'if (name === "text") node.textContent = props.text;' in code
    assert 'el("div", { text: m.text })' in code and 'el("div", { text: m.name }' in code
    # Other props are assigned as DOM properties, never from server data named like HTML sinks.
    assert not re.search(r"\{[^}]*\b(innerHTML|outerHTML|href|src)\s*:", code)


@pytest.mark.parametrize("name", ["Gina\x0bGuest", "Gina\x00Guest", "Gina\x1fGuest"])
def test_control_character_in_a_name_keeps_the_attendee(name: str) -> None:
    # Found by fuzzing: a CN with a control character made parsers drop the ATTENDEE line.
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    event = IcsEvent(
        uid="meeting-2@slotapp",
        sequence=0,
        start=start,
        end=start + timedelta(minutes=30),
        summary=name,
        organizer=Person("Ben Colleague", "ben@example.com"),
        attendees=(Person(name, "gina@example.org"),),
        time_zone="UTC",
    )
    parsed = _one_event(build_ics(event, method="REQUEST", now=NOW))
    assert parsed["ATTENDEE"].params["CN"] == "GinaGuest"


@pytest.mark.parametrize("name", ["Gina\r\nBcc: evil@example.org", "Gina\x00", "Gi\ud800na"])
def test_a_name_is_one_line_of_plain_text(name: str) -> None:
    with pytest.raises(InvalidInput):
        required_text(name, field="name", label="your name", max_length=120)
