"""A real SQLite database with the demo data, its real keys, and the app over it.

The fuzz tests send hostile input to this app: valid tokens and keys get the requests past
the 404s into the handlers, and `broken_records` says afterwards whether anything was
stored half-way.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, func, select

import slotapp.models  # noqa: F401  (registers the tables)
from slotapp.api.chat import chat_routes
from slotapp.api.chat_context import ChatContext
from slotapp.api.v1 import build_api
from slotapp.core.invitation_form import InvitationDraft
from slotapp.db import make_engine
from slotapp.models import (
    Channel,
    ChatMessage,
    Contact,
    Conversation,
    EmailOutbox,
    Lead,
    Meeting,
    MeetingParticipant,
    User,
)
from slotapp.services import channels, conversations, links
from slotapp.services.chat_bus import ChatBus
from slotapp.services.demo import DEMO_CHANNEL, load_demo_data

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)  # a Saturday; Monday 23 has open slots
SECRET = b"f" * 32
OWNER = "ben@example.com"


@dataclass
class World:
    """The database, the app, and the real secrets a visitor or integration would hold."""

    engine: Engine
    app: FastAPI
    link_token: str
    widget_key: str
    chat_key: str
    source_key: str
    source_secret: str


def build_world(folder: Path) -> World:
    """A fresh SQLite file with the demo data, an open-slots link, a chat and a webhook."""
    engine = make_engine(f"sqlite:///{folder / 'fuzz.db'}")
    SQLModel.metadata.create_all(engine)
    with Session(engine, expire_on_commit=False) as session:
        load_demo_data(session=session)
        owner = session.exec(select(User).where(User.email == OWNER)).one()
        assert owner.id is not None
        token = links.set_open_slots(
            session=session, owner_id=owner.id, enabled=True, secret=SECRET, now=NOW
        )
        channel = session.exec(select(Channel).where(Channel.name == DEMO_CHANNEL)).one()
        assert channel.id is not None and token is not None
        widget = channels.widget_source(session=session, channel_id=channel.id)
        assert widget is not None
        _, chat_key = conversations.open_conversation(
            session=session, source_key=widget.key, visitor_id="fuzz-visitor", now=NOW
        )
        source, secret = channels.create_webhook_source(session=session, name="Bridge", now=NOW)
        assert source.id is not None
        channels.connect_source(session=session, source_id=source.id, channel_id=channel.id)
        session.commit()
    context = ChatContext(
        engine_factory=lambda: engine,
        clock=lambda: NOW,
        secret_factory=lambda: SECRET,
        bus=ChatBus(),
        poll_seconds=0.05,  # the long-poll answers at once; fuzzing must not wait 25 s
        recheck_seconds=0.05,
    )
    app = build_api(
        routes=chat_routes(context=context), engine_factory=lambda: engine, clock=lambda: NOW
    )
    return World(engine, app, token, widget.key, chat_key, source.key, secret)


def row_counts(engine: Engine) -> dict[str, int]:
    """How many rows each table the public routes write to holds."""
    tables = (Meeting, MeetingParticipant, EmailOutbox, Conversation, ChatMessage, Contact, Lead)
    with Session(engine) as session:
        return {t.__name__: session.exec(select(func.count()).select_from(t)).one() for t in tables}


def broken_records(engine: Engine) -> list[str]:
    """Rows that only make sense with others that are missing (a write stopped half-way)."""
    problems: list[str] = []
    with Session(engine) as session:
        for meeting in session.exec(select(Meeting)):
            hosts = session.exec(
                select(func.count()).where(MeetingParticipant.meeting_id == meeting.id)
            ).one()
            mails = session.exec(
                select(func.count()).where(EmailOutbox.meeting_id == meeting.id)
            ).one()
            if hosts == 0:
                problems.append(f"meeting {meeting.id} has no participant")
            if meeting.source_link_id is not None and not meeting.is_test and mails < 2:
                problems.append(f"meeting {meeting.id} has {mails} outbox mails, expected 2+")
            if meeting.end_at <= meeting.start_at:
                problems.append(f"meeting {meeting.id} ends before it starts")
        for conv in session.exec(select(Conversation)):
            # An email or phone left in the contact form makes a contact (crm.recognise).
            if (conv.visitor_email or conv.visitor_phone) and conv.contact_id is None:
                problems.append(f"conversation {conv.id} has an email or phone but no contact")
            if conv.contact_id is not None and session.get(Contact, conv.contact_id) is None:
                problems.append(f"conversation {conv.id} points at a missing contact")
            if session.get(Channel, conv.channel_id) is None:
                problems.append(f"conversation {conv.id} has no channel")
        orphans = session.exec(
            select(func.count()).where(
                col(ChatMessage.conversation_id).not_in(select(Conversation.id))
            )
        ).one()
        if orphans:
            problems.append(f"{orphans} chat messages without their conversation")
        for lead in session.exec(select(Lead)):
            if session.get(Contact, lead.contact_id) is None:
                problems.append(f"lead {lead.id} has no contact")
    return problems


def invitation_draft(owner_id: int, **change: Any) -> InvitationDraft:
    """A valid invitation by `owner_id` for the week after NOW, with `change` applied."""
    base = InvitationDraft(
        participant_name="Pia Participant",
        participant_email="pia@example.org",
        subject="Contract review",
        duration_minutes=30,
        member_ids=(owner_id,),
        date_from="2026-11-30",
        date_to="2026-12-04",
        daily_from="09:00",
        daily_to="17:00",
        time_zone="Europe/Berlin",
    )
    return replace(base, **change)
