"""What the visitor's widget reads: the channel's widget settings and the conversation as
the client may see it (agent shown per the channel's "agent information" switch).

Read-only; the writes are `services.conversations`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from slotapp.core.channel_settings import ChannelSettings, hours_of
from slotapp.core.validation import InvalidInput
from slotapp.core.working_hours import is_open
from slotapp.models import (
    Channel,
    ChannelSource,
    ChatMessage,
    ChatStatus,
    Conversation,
    MessageAuthor,
    User,
)
from slotapp.services.channels import settings_of
from slotapp.services.chat_log import messages_after
from slotapp.services.conversations import UNAVAILABLE, find, source_channel

# The agent-typing flag shows this long after the agent's last keystroke report.
TYPING_FOR = timedelta(seconds=6)
PAGE = 200
# Statuses in which an agent has joined, so the widget may name them.
JOINED = (ChatStatus.ACTIVE.value, ChatStatus.CLOSING.value, ChatStatus.CLOSED.value)


class ChatNotFound(LookupError):
    """No conversation for this client key."""


@dataclass(frozen=True)
class WidgetConfig:
    """What the widget needs before the visitor writes."""

    title: str
    consent_required: bool
    consent_text: str
    contact_form: bool
    agent_info: str
    open_now: bool
    off_hours_reply: str
    language: str
    rating: bool
    log_by_email: bool


@dataclass(frozen=True)
class ShownMessage:
    """A message as the client sees it; `name` is who wrote it, when the channel shows it."""

    id: int
    author: str
    text: str
    name: str | None
    at: datetime
    client_msg_id: str | None
    extra: dict[str, Any]


@dataclass(frozen=True)
class Snapshot:
    """The conversation for the widget: messages after some id, and its current state.

    `state` fingerprints everything but the messages: a long-poll answers when it differs
    from what the widget last saw, or when there are new messages.
    """

    status: str
    agent_name: str | None
    agent_typing: bool
    consent_required: bool
    consent_given: bool
    contact_given: bool
    can_rate: bool
    rating: int | None
    log_by_email: bool
    messages: list[ShownMessage]
    more: bool
    state: str


def title_of(channel: Channel) -> str:
    """The widget header: the chat title when set, else the channel's name."""
    return channel.chat_title or channel.name


def source_exists(*, session: Session, source_key: str) -> bool:
    """Whether a source with this public key exists at all (connected or not)."""
    row = session.exec(select(ChannelSource.id).where(ChannelSource.key == source_key)).first()
    return row is not None


def widget_config(*, session: Session, source_key: str, now: datetime) -> WidgetConfig:
    """The widget's settings for a source key.

    Raises:
        InvalidInput("source"): unknown or disconnected source, or switched-off channel.
    """
    _, channel = source_channel(session=session, source_key=source_key)
    s = settings_of(channel)
    return WidgetConfig(
        title=title_of(channel),
        consent_required=s.consent_required,
        consent_text=s.consent_text,
        contact_form=s.contact_form,
        agent_info=s.agent_info,
        open_now=is_open(hours_of(s), now),
        off_hours_reply=s.off_hours_reply,
        language=s.language,
        rating=s.rating,
        log_by_email=s.save_log and s.log_by_email,
    )


def visitor_conversation(*, session: Session, client_key: str) -> tuple[Conversation, Channel]:
    """The conversation a client key proves, and its channel.

    Raises:
        ChatNotFound: no such key.
        InvalidInput("source"): the channel is switched off or the source disconnected.
    """
    conversation = find(session=session, client_key=client_key) if client_key else None
    if conversation is None:
        raise ChatNotFound(client_key)
    channel = session.get(Channel, conversation.channel_id)
    source = session.get(ChannelSource, conversation.source_id) if conversation.source_id else None
    if channel is None or not channel.active:
        raise InvalidInput("source", UNAVAILABLE)
    if source is not None and source.channel_id != channel.id:
        raise InvalidInput("source", UNAVAILABLE)
    return conversation, channel


def _name_of(session: Session, user_id: int | None, cache: dict[int, str]) -> str | None:
    if user_id is None:
        return None
    if user_id not in cache:
        user = session.get(User, user_id)
        cache[user_id] = user.name if user else ""
    return cache[user_id] or None


def agent_label(
    session: Session,
    channel: Channel,
    settings: ChannelSettings,
    user_id: int | None,
    cache: dict[int, str],
) -> str | None:
    """How an agent is shown to the client: their name, the channel's entry, or not at all."""
    if settings.agent_info == "hidden":
        return None
    if settings.agent_info == "channel":
        return settings.agent_display_name or title_of(channel)
    return _name_of(session, user_id, cache)


def shown(
    session: Session,
    channel: Channel,
    settings: ChannelSettings,
    rows: list[ChatMessage],
    cache: dict[int, str],
) -> list[ShownMessage]:
    """Messages as the client sees them (a transfer note naming agents only in profile mode)."""
    result = []
    for row in rows:
        extra = dict(row.extra or {})
        if extra.get("auto") == "transfer" and settings.agent_info != "profile":
            continue
        name = None
        if row.author == MessageAuthor.AGENT.value:
            name = agent_label(session, channel, settings, row.agent_id, cache)
        elif row.author == MessageAuthor.BOT.value:
            name = title_of(channel)
        assert row.id is not None
        result.append(
            ShownMessage(
                id=row.id,
                author=row.author,
                text=row.text,
                name=name,
                at=row.created_at,
                client_msg_id=row.client_msg_id,
                extra=extra,
            )
        )
    return result


def snapshot(
    *,
    session: Session,
    conversation: Conversation,
    channel: Channel,
    after: int,
    now: datetime,
) -> Snapshot:
    """The conversation for the widget: messages after `after` and its current state."""
    settings = settings_of(channel)
    assert conversation.id is not None
    cache: dict[int, str] = {}
    rows = messages_after(
        session=session, conversation_id=conversation.id, after_id=after, limit=PAGE
    )
    typing_at = conversation.agent_typing_at
    closed = conversation.status in (ChatStatus.CLOSING.value, ChatStatus.CLOSED.value)
    agent = None
    if conversation.status in JOINED:
        agent = agent_label(session, channel, settings, conversation.assigned_to, cache)
    state: dict[str, Any] = {
        "status": conversation.status,
        "agent_name": agent,
        "agent_typing": bool(typing_at and not closed and now - typing_at < TYPING_FOR),
        "consent_required": settings.consent_required,
        "consent_given": conversation.consent_at is not None,
        "contact_given": bool(
            conversation.visitor_email or conversation.visitor_phone or conversation.visitor_name
        ),
        "can_rate": bool(
            closed
            and settings.rating
            and conversation.rated_agent_id is not None
            and conversation.rating is None
        ),
        "rating": conversation.rating,
        "log_by_email": settings.save_log and settings.log_by_email,
    }
    fingerprint = hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:16]
    return Snapshot(
        **state,
        messages=shown(session, channel, settings, rows, cache),
        more=len(rows) == PAGE,
        state=fingerprint,
    )


def message_id(*, session: Session, conversation_id: int, client_msg_id: str) -> int | None:
    """The id of the message the widget sent as `client_msg_id`, if stored."""
    return session.exec(
        select(ChatMessage.id).where(
            ChatMessage.conversation_id == conversation_id,
            ChatMessage.client_msg_id == client_msg_id,
        )
    ).first()
