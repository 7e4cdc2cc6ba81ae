"""The client's side of a conversation: open it, write, consent, leave contact details, rate.

Every function takes the caller's session and does not commit: the caller's transaction
stores the message and everything it triggers (routing, timers, pushes, emails) together, so
nothing acknowledged to the client is lost. Open with `session_scope(serialized(engine))`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from slotapp.core.tokens import hash_token
from slotapp.core.validation import InvalidInput, normalise_email
from slotapp.models import (
    Channel,
    ChannelSource,
    ChatMessage,
    ChatStatus,
    Conversation,
    MessageAuthor,
)
from slotapp.services import chat_automation, crm
from slotapp.services.channels import settings_of
from slotapp.services.chat_log import post
from slotapp.services.chat_timer_rows import clear_timers

MAX_TEXT = 4000
UNAVAILABLE = "This chat is not available right now."


@dataclass
class Change:
    """What a call changed, for live updates: the conversation and the inbox topics."""

    conversation: Conversation
    topics: set[str] = field(default_factory=set)


def topics(conversation: Conversation, *also: int | None) -> set[str]:
    """Live topics that show this conversation: its view, its agents' inboxes, supervisors."""
    users = {conversation.assigned_to, *conversation.offered_to, *also} - {None}
    return {f"chat:{conversation.id}", "inbox:all", *(f"inbox:{u}" for u in users)}


def clean_text(text: str, field_name: str = "text") -> str:
    """A message body, trimmed; empty or overlong text is refused."""
    body = (text or "").strip()
    if not body:
        raise InvalidInput(field_name, "Write a message first.")
    if len(body) > MAX_TEXT:
        raise InvalidInput(field_name, f"Messages are at most {MAX_TEXT} characters.")
    return body


def source_channel(*, session: Session, source_key: str) -> tuple[ChannelSource, Channel]:
    """The source behind a public key and its active channel.

    Raises:
        InvalidInput("source"): unknown, disconnected, or its channel is switched off.
    """
    source = session.exec(select(ChannelSource).where(ChannelSource.key == source_key)).first()
    if source is None or source.channel_id is None:
        raise InvalidInput("source", UNAVAILABLE)
    channel = session.get(Channel, source.channel_id)
    if channel is None or not channel.active:
        raise InvalidInput("source", UNAVAILABLE)
    return source, channel


def open_conversation(
    *,
    session: Session,
    source_key: str,
    visitor_id: str,
    now: datetime,
    client_key: str | None = None,
) -> tuple[Conversation, str]:
    """The client's current conversation (resumed by its key) or a new one, and its key.

    The key is the client's proof of the conversation: the widget keeps it so the log
    survives a reload; only its hash is stored.
    """
    source, channel = source_channel(session=session, source_key=source_key)
    if client_key:
        found = find(session=session, client_key=client_key)
        alive = found is not None and found.status != ChatStatus.CLOSED.value
        if alive and found is not None and found.channel_id == channel.id:
            return found, client_key
    key = secrets.token_urlsafe(24)
    assert channel.id is not None
    conversation = Conversation(
        channel_id=channel.id,
        source_id=source.id,
        client_key_hash=hash_token(key),
        visitor_hash=hash_token(visitor_id) if visitor_id else "",
        status=ChatStatus.WAITING.value,
        language=settings_of(channel).language,
        created_at=now,
        updated_at=now,
    )
    session.add(conversation)
    session.flush()
    return conversation, key


def find(*, session: Session, client_key: str) -> Conversation | None:
    """The conversation a client key opens, or None."""
    return session.exec(
        select(Conversation).where(Conversation.client_key_hash == hash_token(client_key or ""))
    ).first()


def client_message(
    *,
    session: Session,
    conversation: Conversation,
    text: str,
    now: datetime,
    client_msg_id: str | None = None,
) -> Change:
    """Store the client's message and do what follows it (greeting, routing, bot, timers).

    A message resent with the same `client_msg_id` is stored once.

    Raises:
        InvalidInput: empty/overlong text; consent required and not given.
    """
    body = clean_text(text)
    channel = session.get(Channel, conversation.channel_id)
    if channel is None or not channel.active:
        raise InvalidInput("source", UNAVAILABLE)
    settings = settings_of(channel)
    if settings.consent_required and conversation.consent_at is None:
        raise InvalidInput("consent", "Please accept the consent notice before writing.")
    if client_msg_id:
        seen = session.exec(
            select(ChatMessage.id).where(
                ChatMessage.conversation_id == conversation.id,
                ChatMessage.client_msg_id == client_msg_id[:64],
            )
        ).first()
        if seen is not None:
            return Change(conversation)
    first = conversation.first_client_message_at is None
    post(
        session=session,
        conversation=conversation,
        author=MessageAuthor.CLIENT,
        text=body,
        now=now,
        client_msg_id=client_msg_id[:64] if client_msg_id else None,
    )
    if first:
        conversation.first_client_message_at = now
        crm.recognise(
            session=session,
            conversation=conversation,
            visitor_hash=conversation.visitor_hash,
            tracker=settings.tracker,
            now=now,
        )
    previous = conversation.assigned_to
    conversation.last_client_message_at = now
    conversation.client_typing_at = None
    conversation.unanswered_marked_at = None
    conversation.load = "needs_answer"
    conversation.updated_at = now
    session.add(conversation)
    chat_automation.after_client_message(
        session=session,
        conversation=conversation,
        settings=settings,
        text=body,
        first=first,
        now=now,
    )
    return Change(conversation, topics(conversation, previous))


def give_consent(*, session: Session, conversation: Conversation, now: datetime) -> Change:
    """The client accepted the consent notice."""
    conversation.consent_at = conversation.consent_at or now
    session.add(conversation)
    return Change(conversation, {f"chat:{conversation.id}"})


def set_contact(
    *,
    session: Session,
    conversation: Conversation,
    name: str,
    email: str,
    phone: str,
    now: datetime,
) -> Change:
    """The client's contact form: recognise them and, when reachable, make the lead."""
    clean_name = " ".join((name or "").split())[:120]
    clean_email = normalise_email(email) if (email or "").strip() else ""
    clean_phone = "".join(ch for ch in (phone or "") if ch.isdigit() or ch == "+")
    if phone and not 6 <= len(clean_phone) <= 20:
        raise InvalidInput("phone", "Enter a phone number with 6 to 20 digits.")
    if not (clean_name or clean_email or clean_phone):
        raise InvalidInput("name", "Enter your name, email or phone.")
    conversation.visitor_name = clean_name or conversation.visitor_name
    conversation.visitor_email = clean_email or conversation.visitor_email
    conversation.visitor_phone = clean_phone or conversation.visitor_phone
    channel = session.get(Channel, conversation.channel_id)
    settings = settings_of(channel) if channel else None
    contact = crm.recognise(
        session=session,
        conversation=conversation,
        visitor_hash=conversation.visitor_hash,
        tracker=bool(settings and settings.tracker),
        now=now,
    )
    if settings and settings.auto_lead and crm.reachable(contact):
        crm.make_lead(
            session=session,
            conversation=conversation,
            responsible_id=conversation.assigned_to,
            now=now,
        )
    return Change(conversation, topics(conversation))


def rate(
    *, session: Session, conversation: Conversation, rating: int, comment: str, now: datetime
) -> Change:
    """The client rates the agent after the close (1-5); may close the session at once."""
    if conversation.status not in (ChatStatus.CLOSING.value, ChatStatus.CLOSED.value):
        raise InvalidInput("rating", "You can rate once the conversation is closed.")
    if conversation.rated_agent_id is None:
        raise InvalidInput("rating", "No agent answered this conversation.")
    if rating not in range(1, 6):
        raise InvalidInput("rating", "Rate from 1 to 5 stars.")
    conversation.rating = rating
    conversation.rating_comment = (comment or "").strip()[:1000]
    channel = session.get(Channel, conversation.channel_id)
    if channel is not None and settings_of(channel).close_on_rating:
        conversation.status = ChatStatus.CLOSED.value
        assert conversation.id is not None
        clear_timers(session=session, conversation_id=conversation.id)
    conversation.updated_at = now
    session.add(conversation)
    return Change(conversation, topics(conversation))
