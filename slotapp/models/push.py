"""Web push: each user's subscribed devices, their switches per kind, and the push outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from slotapp.clock import utcnow
from slotapp.models.types import UTCDateTime


class PushSubscription(SQLModel, table=True):
    """One browser on one device that agreed to show a user's notifications.

    The endpoint identifies the browser profile: when another user subscribes from the same
    browser, the row moves to them (the previous user's notifications must stop there).
    """

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    endpoint: str = Field(max_length=1000, unique=True)
    p256dh: str = Field(max_length=100)  # base64url public key of the browser (RFC 8291)
    auth: str = Field(max_length=40)  # base64url authentication secret
    label: str = Field(default="", max_length=80)  # "Chrome on Android"
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    last_sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class PushPreference(SQLModel, table=True):
    """A user's switch for one kind of notification; no row means on."""

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    kind: str = Field(primary_key=True, max_length=32)
    enabled: bool = Field(default=True)


class PushOutbox(SQLModel, table=True):
    """A notification queued for one device; the payload is only what the device shows.

    status: pending -> sending (claimed by a worker) -> sent | failed. A device that is gone
    (404/410) takes its queued messages with it (ON DELETE CASCADE).
    """

    __table_args__ = (Index("ix_pushoutbox_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="pushsubscription.id", index=True, ondelete="CASCADE")
    kind: str = Field(max_length=32)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", max_length=16)
    attempts: int = Field(default=0)
    next_attempt_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    last_error: str = Field(default="", max_length=500)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
