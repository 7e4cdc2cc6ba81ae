"""Meetings and the users taking part in them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import DDL, Column, Index, Table, event
from sqlmodel import Field, SQLModel

from slotapp.clock import utcnow
from slotapp.models.types import UTCDateTime


class MeetingStatus(StrEnum):
    """Declined and cancelled meetings keep their row but never block time."""

    CONFIRMED = "confirmed"
    DECLINED = "declined"
    CANCELLED = "cancelled"


class Meeting(SQLModel, table=True):
    """A booked meeting with one external guest."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(default="", max_length=200)
    start_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False, index=True))
    end_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    status: str = Field(default=MeetingStatus.CONFIRMED.value, max_length=16, index=True)
    guest_name: str = Field(default="", max_length=120)
    guest_email: str = Field(default="", max_length=254)
    guest_time_zone: str = Field(default="UTC", max_length=64)
    note: str = Field(default="", max_length=2000)
    location: str = Field(default="", max_length=300)
    video_url: str = Field(default="", max_length=500)
    source_link_id: int | None = Field(
        default=None, foreign_key="sharelink.id", ondelete="SET NULL"
    )
    buffer_before_minutes: int = Field(default=0)
    buffer_after_minutes: int = Field(default=0)
    is_test: bool = Field(default=False)
    # The user who owns the meeting: may edit it and decline it; the .ics organizer.
    organizer_id: int | None = Field(
        default=None, foreign_key="user.id", index=True, ondelete="SET NULL"
    )
    # RFC 5545 SEQUENCE: raised on every change the guest is told about (reschedule, decline).
    sequence: int = Field(default=0)
    # The guest's idempotency key: a repeated "Book" with the same key returns the same meeting.
    booking_key: str | None = Field(default=None, max_length=64, unique=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class MeetingParticipant(SQLModel, table=True):
    """A user in a meeting: a host (whose time it takes) or a colleague added as attendee.

    Start, end and `blocks` are copied from the meeting so that the database can refuse
    two blocking rows for one user over overlapping times (see the booking service).
    """

    __table_args__ = (Index("ix_participant_user_time", "user_id", "start_at"),)

    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    is_host: bool = Field(default=True)
    start_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    end_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    blocks: bool = Field(default=True)


# The database itself refuses two blocking rows of one user over overlapping times.
NO_OVERLAP_SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS participant_no_overlap_{op.lower()}
BEFORE {op} ON meetingparticipant
WHEN NEW.blocks AND EXISTS (
    SELECT 1 FROM meetingparticipant p
    WHERE p.user_id = NEW.user_id AND p.blocks AND p.meeting_id != NEW.meeting_id
      AND p.start_at < NEW.end_at AND p.end_at > NEW.start_at)
BEGIN SELECT RAISE(ABORT, 'meeting overlap'); END"""
    for op in ("INSERT", "UPDATE")
]
NO_OVERLAP_POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE meetingparticipant ADD CONSTRAINT participant_no_overlap "
    "EXCLUDE USING gist (user_id WITH =, tstzrange(start_at, end_at) WITH &&) WHERE (blocks)",
]

_participants: Table = MeetingParticipant.__table__  # type: ignore[attr-defined]
for _dialect, _statements in (("sqlite", NO_OVERLAP_SQLITE), ("postgresql", NO_OVERLAP_POSTGRES)):
    for _statement in _statements:
        event.listen(_participants, "after_create", DDL(_statement).execute_if(dialect=_dialect))  # type: ignore[no-untyped-call]
