"""External calendars connected by their iCalendar URL, and the busy times read from them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from slotapp.clock import utcnow
from slotapp.models.types import UTCDateTime


class CalendarFeed(SQLModel, table=True):
    """A user's external calendar (Google, Outlook, Nextcloud secret address)."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    name: str = Field(default="", max_length=120)
    url: str = Field(max_length=2000)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    # The last attempt and its outcome; the busy times of the last good fetch are kept.
    last_attempt_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    last_success_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    last_error: str = Field(default="", max_length=500)
    failures: int = Field(default=0)
    next_fetch_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime, index=True))
    # Claimed by one worker while it fetches (exactly-once across workers).
    claimed_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    etag: str = Field(default="", max_length=200)
    event_count: int = Field(default=0)


class FeedBusy(SQLModel, table=True):
    """One busy interval of a connected calendar, recurrences already expanded."""

    __table_args__ = (Index("ix_feedbusy_user_time", "user_id", "start_at"),)

    id: int | None = Field(default=None, primary_key=True)
    feed_id: int = Field(foreign_key="calendarfeed.id", index=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    start_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    end_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))


class LiveWatcher(SQLModel, table=True):
    """A browser tab watching something live (a user's calendar, an inbox).

    Kept in the database, not in process memory, so a worker that handles an event can reach
    tabs connected to any other worker (Reflex relays the update through Redis).
    """

    __table_args__ = (Index("ix_livewatcher_topic", "topic"),)

    client_token: str = Field(primary_key=True, max_length=64)
    topic: str = Field(primary_key=True, max_length=64)  # e.g. "calendar:12"
    state: str = Field(max_length=200)  # the Reflex state's full name to update
    seen_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
