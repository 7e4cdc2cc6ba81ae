"""Inbound webhook sources: messengers and forms write to a channel through a JSON API.

The integration names each of its chats by `chat_id`; one open conversation per source and
chat id. Its client key is derived from the server's secret (HMAC of the source key and chat
id), so the integration never holds one, and only its hash is stored, as for the widget. After
a conversation is fully closed, the chat's next message opens a new one.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from slotapp.core.tokens import hash_token
from slotapp.models import (
    Channel,
    ChannelSource,
    ChatMessage,
    ChatStatus,
    Conversation,
    MessageAuthor,
    SourceKind,
)
from slotapp.services import conversations
from slotapp.services.channels import settings_of
from slotapp.services.chat_visitor import ShownMessage, shown
from slotapp.services.conversations import Change

PAGE = 200


class SourceNotFound(LookupError):
    """No webhook source has this key."""


class SourceDenied(PermissionError):
    """The secret does not match the source's."""


@dataclass(frozen=True)
class ChatReplies:
    """What the integration fetches: messages for the client after an id, and the status."""

    status: str | None
    messages: list[ShownMessage]


def chat_key(server_secret: bytes, source_key: str, chat_id: str) -> str:
    """The client key of a webhook chat, derived so it never has to be stored."""
    digest = hmac.new(
        server_secret, f"chat-source:{source_key}:{chat_id}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authenticate(*, session: Session, source_key: str, secret: str) -> ChannelSource:
    """The webhook source if `secret` is its secret (compared in constant time).

    Raises:
        SourceNotFound: no webhook source with this key.
        SourceDenied: a missing or wrong secret.
    """
    source = session.exec(
        select(ChannelSource).where(
            ChannelSource.key == source_key, ChannelSource.kind == SourceKind.WEBHOOK.value
        )
    ).first()
    if source is None:
        raise SourceNotFound(source_key)
    given = hash_token(secret or "")
    if not source.secret_hash or not hmac.compare_digest(given, source.secret_hash):
        raise SourceDenied(source_key)
    return source


def _chats(session: Session, source: ChannelSource, key_hash: str) -> list[Conversation]:
    return list(
        session.exec(
            select(Conversation)
            .where(Conversation.source_id == source.id, Conversation.client_key_hash == key_hash)
            .order_by(col(Conversation.id).desc())
        )
    )


def receive(
    *,
    session: Session,
    source: ChannelSource,
    server_secret: bytes,
    chat_id: str,
    text: str,
    now: datetime,
    message_id: str | None = None,
    name: str = "",
    email: str = "",
    phone: str = "",
    consent: bool = False,
) -> Change:
    """Store the chat's message in its open conversation (opening one when needed).

    A message resent with the same `message_id` is stored once, even across conversations.

    Raises:
        InvalidInput: empty text, bad contact details, consent required and not given, or
            the source is disconnected / its channel switched off (field "source").
    """
    _, channel = conversations.source_channel(session=session, source_key=source.key)
    key = chat_key(server_secret, source.key, chat_id)
    chats = _chats(session, source, hash_token(key))
    if message_id and chats:
        seen = session.exec(
            select(ChatMessage.id).where(
                col(ChatMessage.conversation_id).in_([c.id for c in chats]),
                ChatMessage.client_msg_id == message_id[:64],
            )
        ).first()
        if seen is not None:
            return Change(chats[0])
    conversation = chats[0] if chats else None
    if (
        conversation is None
        or conversation.status == ChatStatus.CLOSED.value
        or conversation.channel_id != channel.id
    ):
        conversation, _ = conversations.open_conversation(
            session=session,
            source_key=source.key,
            visitor_id=f"webhook:{source.key}:{chat_id}",
            now=now,
        )
        conversation.client_key_hash = hash_token(key)
        session.add(conversation)
    topics: set[str] = set()
    if consent and settings_of(channel).consent_required:
        topics |= conversations.give_consent(
            session=session, conversation=conversation, now=now
        ).topics
    if name or email or phone:
        topics |= conversations.set_contact(
            session=session, conversation=conversation, name=name, email=email, phone=phone, now=now
        ).topics
    change = conversations.client_message(
        session=session, conversation=conversation, text=text, now=now, client_msg_id=message_id
    )
    return Change(conversation, change.topics | topics | conversations.topics(conversation))


def replies(
    *,
    session: Session,
    source: ChannelSource,
    server_secret: bytes,
    chat_id: str,
    after: int,
) -> ChatReplies:
    """The messages for the client (agents, bot, channel) after message `after`, oldest first,
    across the chat's conversations, and the status of its latest conversation."""
    chats = _chats(session, source, hash_token(chat_key(server_secret, source.key, chat_id)))
    if not chats:
        return ChatReplies(status=None, messages=[])
    channel = session.get(Channel, chats[0].channel_id)
    if channel is None:
        return ChatReplies(status=chats[0].status, messages=[])
    rows = list(
        session.exec(
            select(ChatMessage)
            .where(
                col(ChatMessage.conversation_id).in_([c.id for c in chats]),
                col(ChatMessage.id) > after,
                ChatMessage.author != MessageAuthor.CLIENT.value,
            )
            .order_by(col(ChatMessage.id))
            .limit(PAGE)
        )
    )
    return ChatReplies(
        status=chats[0].status, messages=shown(session, channel, settings_of(channel), rows, {})
    )
