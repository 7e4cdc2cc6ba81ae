"""Builders for Open Channels service tests: a channel with a queue and agents, a client."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from slotapp.models import ChatMessage, Conversation, User
from slotapp.services import agent_chat, channels, conversations
from slotapp.services.channels import QueueItem
from tests.services.helpers import make_user


@dataclass
class Desk:
    """A channel, its widget key and its agents (in queue order)."""

    channel_id: int
    widget_key: str
    agents: list[User]


def make_desk(
    session: Session,
    now: datetime,
    *,
    agents: int = 3,
    online: bool = True,
    **settings: Any,
) -> Desk:
    people = [
        make_user(session, f"Agent{i} Smith", role="agent", tz="Europe/Berlin")
        for i in range(agents)
    ]
    channel = channels.create_channel(session=session, name="Support", now=now)
    assert channel.id is not None
    base = {**channel.settings, "greeting": "", "contact_form": False, **settings}
    channels.update_channel(
        session=session,
        channel_id=channel.id,
        name="Support",
        chat_title="",
        active=True,
        settings=base,
    )
    channels.set_queue(
        session=session,
        channel_id=channel.id,
        items=[QueueItem(user_id=p.id) for p in people],
    )
    for person in people:
        if online:
            agent_chat.set_presence(session=session, user=person, now=now, online=True)
    source = channels.widget_source(session=session, channel_id=channel.id)
    assert source is not None
    session.commit()
    return Desk(channel.id, source.key, people)


def client_writes(
    session: Session, desk: Desk, text: str, now: datetime, visitor: str = "visitor-1"
) -> tuple[Conversation, str]:
    """A new visitor opens the widget and writes; returns the conversation and its key."""
    conversation, key = conversations.open_conversation(
        session=session, source_key=desk.widget_key, visitor_id=visitor, now=now
    )
    conversations.client_message(session=session, conversation=conversation, text=text, now=now)
    session.commit()
    return conversation, key


def log(session: Session, conversation: Conversation) -> list[tuple[str, str]]:
    rows = session.exec(
        select(ChatMessage)
        .where(ChatMessage.conversation_id == conversation.id)
        .order_by(ChatMessage.id)  # type: ignore[arg-type]
    )
    return [(m.author, m.text) for m in rows]
