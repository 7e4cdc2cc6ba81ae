"""Invitations: one named external participant picks a time for a prepared meeting."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from slotapp.clock import utcnow
from slotapp.core.invitations import DEFAULT_TITLE_TEMPLATE, MeetingType
from slotapp.models.types import UTCDateTime

__all__ = [
    "DEFAULT_TITLE_TEMPLATE",
    "Invitation",
    "InvitationMember",
    "InvitationPool",
    "InvitationResource",
    "InvitationStatus",
    "MeetingType",
]


class InvitationStatus(StrEnum):
    """Open until the participant books (booked) or the inviter withdraws it (cancelled)."""

    OPEN = "open"
    BOOKED = "booked"
    CANCELLED = "cancelled"


class Invitation(SQLModel, table=True):
    """A meeting prepared by a user, waiting for its external participant to pick a time."""

    id: int | None = Field(default=None, primary_key=True)
    inviter_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    # The single-use link (kind "invitation") the participant books through.
    link_id: int | None = Field(
        default=None, foreign_key="sharelink.id", index=True, ondelete="SET NULL"
    )
    participant_name: str = Field(max_length=120)
    participant_email: str = Field(max_length=254)
    subject: str = Field(max_length=200)
    duration_minutes: int = Field(default=30)
    description: str = Field(default="", max_length=4000)
    hide_description: bool = Field(default=False)
    conferencing: str = Field(default="", max_length=1000)
    generate_video: bool = Field(default=False)
    meeting_type: str = Field(default=MeetingType.VIDEO.value, max_length=16)
    location: str = Field(default="", max_length=300)
    date_from: date
    date_to: date
    daily_from: time
    daily_to: time  # time.max means the end of the day
    time_zone: str = Field(default="UTC", max_length=64)
    # True: the participant sees times in their browser's zone; False: in `time_zone`.
    show_in_participant_zone: bool = Field(default=True)
    title_template: str = Field(default=DEFAULT_TITLE_TEMPLATE, max_length=200)
    is_private: bool = Field(default=False)
    add_to_calendar: bool = Field(default=True)
    send_confirmation: bool = Field(default=True)
    # Promoted slot starts as ISO-8601 UTC strings, each a one-click booking link.
    promoted_starts: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=InvitationStatus.OPEN.value, max_length=16, index=True)
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", ondelete="SET NULL")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class InvitationMember(SQLModel, table=True):
    """A team member who takes part (and whose free time the invitation requires)."""

    invitation_id: int = Field(foreign_key="invitation.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")


class InvitationResource(SQLModel, table=True):
    """A room (resource) the meeting needs, by name."""

    invitation_id: int = Field(foreign_key="invitation.id", primary_key=True, ondelete="CASCADE")
    resource_id: int = Field(foreign_key="resource.id", primary_key=True, ondelete="CASCADE")


class InvitationPool(SQLModel, table=True):
    """A pool from which any one free resource is held by the meeting."""

    invitation_id: int = Field(foreign_key="invitation.id", primary_key=True, ondelete="CASCADE")
    pool_id: int = Field(foreign_key="resourcepool.id", primary_key=True, ondelete="CASCADE")
