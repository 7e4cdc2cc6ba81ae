"""Open Channels: a channel, its sources, its queue, canned responses and agents' presence.

A channel's many switches (distribution, limits, working hours, automatic messages, KPI
limits, FAQ...) are one JSON document checked by `core.channel_settings`: they are read
together, never queried one by one, and a new switch needs no migration.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from slotapp.clock import utcnow
from slotapp.models.types import UTCDateTime


class SourceKind(StrEnum):
    """Where enquiries come from: the built-in chat widget or a JSON webhook."""

    WIDGET = "widget"
    WEBHOOK = "webhook"


class Channel(SQLModel, table=True):
    """An Open Channel: enquiries from its sources go to its queue."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    # Shown instead of the name in the widget header when set.
    chat_title: str = Field(default="", max_length=120)
    active: bool = Field(default=True)
    settings: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class ChannelSource(SQLModel, table=True):
    """A connection that feeds one channel. `key` names it publicly (the widget's id, the
    webhook's address); a webhook also has a secret, stored only as its hash."""

    __table_args__ = (UniqueConstraint("key", name="uq_channelsource_key"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    key: str = Field(max_length=64)
    name: str = Field(default="", max_length=120)
    # None while disconnected; a source connected to one channel cannot join another.
    channel_id: int | None = Field(
        default=None, foreign_key="channel.id", index=True, ondelete="SET NULL"
    )
    secret_hash: str = Field(default="", max_length=64)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class ChannelQueueEntry(SQLModel, table=True):
    """One place in a channel's queue: a user or a whole department."""

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channel.id", index=True, ondelete="CASCADE")
    position: int
    user_id: int | None = Field(default=None, foreign_key="user.id", ondelete="CASCADE")
    department: str | None = Field(default=None, max_length=120)


class CannedResponse(SQLModel, table=True):
    """A prepared answer an agent inserts by typing its shortcut (e.g. "/hours")."""

    __table_args__ = (
        UniqueConstraint("channel_id", "shortcut", name="uq_cannedresponse_shortcut"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel_id: int = Field(foreign_key="channel.id", index=True, ondelete="CASCADE")
    shortcut: str = Field(max_length=40)
    text: str = Field(max_length=4000)


class AgentPresence(SQLModel, table=True):
    """Whether an agent can take enquiries now: online/away, clocked in, on leave."""

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    online: bool = Field(default=False)
    clocked_in: bool = Field(default=False)
    on_leave: bool = Field(default=False)
    last_assigned_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
