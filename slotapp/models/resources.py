"""Bookable resources (rooms, equipment), pools of interchangeable ones, and their bookings."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import DDL, JSON, Column, Index, Table, event
from sqlmodel import Field, SQLModel

from slotapp.clock import utcnow
from slotapp.models.availability import DEFAULT_WEEKLY_HOURS
from slotapp.models.types import UTCDateTime


class ResourceKind(StrEnum):
    """What a resource is; rooms are what invitations offer by name."""

    ROOM = "room"
    EQUIPMENT = "equipment"
    OTHER = "other"


class Resource(SQLModel, table=True):
    """A room or other resource with its own hours; managed by admins."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, index=True)
    kind: str = Field(default=ResourceKind.ROOM.value, max_length=16)
    time_zone: str = Field(default="UTC", max_length=64)
    # Same shape as AvailabilitySettings.weekly_hours: {"0": [["09:00", "17:00"]], ...}.
    weekly_hours: dict[str, Any] = Field(
        default_factory=lambda: {k: [list(r) for r in v] for k, v in DEFAULT_WEEKLY_HOURS.items()},
        sa_column=Column(JSON, nullable=False),
    )
    is_active: bool = Field(default=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class ResourcePool(SQLModel, table=True):
    """A named group of resources of which any one free resource will do."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120, unique=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class ResourcePoolMember(SQLModel, table=True):
    """A resource in a pool."""

    pool_id: int = Field(foreign_key="resourcepool.id", primary_key=True, ondelete="CASCADE")
    resource_id: int = Field(foreign_key="resource.id", primary_key=True, ondelete="CASCADE")


class MeetingResource(SQLModel, table=True):
    """A resource a meeting holds.

    Start, end and `blocks` are copied from the meeting, as for MeetingParticipant, so that the
    database refuses two blocking bookings of one resource over overlapping times.
    """

    __table_args__ = (Index("ix_meetingresource_resource_time", "resource_id", "start_at"),)

    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True, ondelete="CASCADE")
    resource_id: int = Field(foreign_key="resource.id", primary_key=True, ondelete="CASCADE")
    start_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    end_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    blocks: bool = Field(default=True)


RESOURCE_NO_OVERLAP_SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS resource_no_overlap_{op.lower()}
BEFORE {op} ON meetingresource
WHEN NEW.blocks AND EXISTS (
    SELECT 1 FROM meetingresource r
    WHERE r.resource_id = NEW.resource_id AND r.blocks AND r.meeting_id != NEW.meeting_id
      AND r.start_at < NEW.end_at AND r.end_at > NEW.start_at)
BEGIN SELECT RAISE(ABORT, 'meeting overlap'); END"""
    for op in ("INSERT", "UPDATE")
]
RESOURCE_NO_OVERLAP_POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE meetingresource ADD CONSTRAINT resource_no_overlap "
    "EXCLUDE USING gist (resource_id WITH =, tstzrange(start_at, end_at) WITH &&) WHERE (blocks)",
]

_bookings: Table = MeetingResource.__table__  # type: ignore[attr-defined]
for _dialect, _statements in (
    ("sqlite", RESOURCE_NO_OVERLAP_SQLITE),
    ("postgresql", RESOURCE_NO_OVERLAP_POSTGRES),
):
    for _statement in _statements:
        event.listen(_bookings, "after_create", DDL(_statement).execute_if(dialect=_dialect))  # type: ignore[no-untyped-call]
