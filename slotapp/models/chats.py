"""Conversations of Open Channels, their messages and timers, and the clients (a small CRM)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from slotapp.clock import utcnow
from slotapp.models.types import UTCDateTime


class ChatStatus(StrEnum):
    """Where an enquiry stands.

    BOT: the channel's bot answers first. WAITING: in the queue, nobody available.
    OFFERED: shown to one agent (or all, "to everybody") who has not answered yet.
    ACTIVE: an agent answers it. CLOSING: closed, inside the delay before it is fully
    closed (a new client message reopens it). CLOSED: fully closed.
    """

    BOT = "bot"
    WAITING = "waiting"
    OFFERED = "offered"
    ACTIVE = "active"
    CLOSING = "closing"
    CLOSED = "closed"


OPEN_STATUSES = (ChatStatus.BOT, ChatStatus.WAITING, ChatStatus.OFFERED, ChatStatus.ACTIVE)


class Contact(SQLModel, table=True):
    """A recognised client; all their conversations join this profile."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(default="", max_length=120)
    email: str = Field(default="", max_length=254, index=True)
    phone: str = Field(default="", max_length=32, index=True)
    # The widget's long-lived visitor id (hashed), so a returning browser is recognised.
    visitor_hash: str = Field(default="", max_length=64, index=True)
    responsible_id: int | None = Field(
        default=None, foreign_key="user.id", index=True, ondelete="SET NULL"
    )
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class Lead(SQLModel, table=True):
    """A sales lead: made only when there is contact information to reach the client."""

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(foreign_key="contact.id", index=True, ondelete="CASCADE")
    conversation_id: int | None = Field(
        default=None, foreign_key="conversation.id", index=True, ondelete="SET NULL"
    )
    channel_id: int | None = Field(
        default=None, foreign_key="channel.id", index=True, ondelete="SET NULL"
    )
    source: str = Field(max_length=120)
    title: str = Field(max_length=200)
    responsible_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class Conversation(SQLModel, table=True):
    """One enquiry: a client's dialog with the channel, from first message to full close."""

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channel.id", index=True, ondelete="CASCADE")
    source_id: int | None = Field(default=None, foreign_key="channelsource.id", ondelete="SET NULL")
    contact_id: int | None = Field(
        default=None, foreign_key="contact.id", index=True, ondelete="SET NULL"
    )
    # Hash of the secret the client's widget (or the webhook's chat id) holds for this dialog.
    client_key_hash: str = Field(max_length=64, index=True)
    # Hash of the widget's long-lived visitor id: recognises a returning browser.
    visitor_hash: str = Field(default="", max_length=64)
    status: str = Field(default=ChatStatus.WAITING.value, max_length=16, index=True)
    # How it counts toward the agent's limit (core.routing.Load), kept with every change.
    load: str = Field(default="needs_answer", max_length=16)
    assigned_to: int | None = Field(
        default=None, foreign_key="user.id", index=True, ondelete="SET NULL"
    )
    # Agents it is offered to (one, or the whole queue "to everybody"), those who let it pass.
    offered_to: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    tried: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    offer_deadline: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    visitor_name: str = Field(default="", max_length=120)
    visitor_email: str = Field(default="", max_length=254)
    visitor_phone: str = Field(default="", max_length=32)
    consent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    first_client_message_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    first_agent_reply_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    last_client_message_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    last_agent_message_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    unanswered_marked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    # When the response-time alert last went out (one alert per late answer).
    kpi_alerted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    client_typing_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    agent_typing_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    rating: int | None = Field(default=None)
    rating_comment: str = Field(default="", max_length=1000)
    supervisor_rating: int | None = Field(default=None)
    rated_agent_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    language: str = Field(default="en", max_length=8)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class MessageAuthor(StrEnum):
    """Who wrote a chat message."""

    CLIENT = "client"
    AGENT = "agent"
    BOT = "bot"
    SYSTEM = "system"


class ChatMessage(SQLModel, table=True):
    """A message in a conversation; `client_msg_id` makes a resent widget message land once."""

    __table_args__ = (
        UniqueConstraint("conversation_id", "client_msg_id", name="uq_chatmessage_client_msg"),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True, ondelete="CASCADE")
    author: str = Field(max_length=8)
    agent_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    text: str = Field(max_length=4000)
    client_msg_id: str | None = Field(default=None, max_length=64)
    # Extra structure for the widget: {"form": "contact"|"consent"|"rating"}, a booking link.
    extra: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class ChatTimer(SQLModel, table=True):
    """A persisted deadline (forward, unanswered, timeout, full close, KPI alert).

    One row per conversation and kind. A worker acts on a due row and deletes it in one
    transaction that locks the row (SKIP LOCKED on PostgreSQL, the write lock on SQLite), so
    each deadline fires once even with several workers, and survives restarts.
    """

    __table_args__ = (UniqueConstraint("conversation_id", "kind", name="uq_chattimer_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=16)
    due_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))


class ChatBookingLink(SQLModel, table=True):
    """A one-time booking link an agent sent from a conversation: its bookings show on the
    client's profile."""

    conversation_id: int = Field(
        foreign_key="conversation.id", primary_key=True, ondelete="CASCADE"
    )
    link_id: int = Field(foreign_key="sharelink.id", primary_key=True, ondelete="CASCADE")
