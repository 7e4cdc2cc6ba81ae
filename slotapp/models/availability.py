"""When a user takes meetings: weekly hours, rules and date overrides."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from slotapp.clock import utcnow
from slotapp.models.types import UTCDateTime

# Weekly hours as stored: {"0": [["09:00", "17:00"]], ...}, "0" is Monday.
DEFAULT_WEEKLY_HOURS: dict[str, list[list[str]]] = {
    str(day): [["09:00", "17:00"]] for day in range(5)
}


class AvailabilitySettings(SQLModel, table=True):
    """One row per user: the rules their open-slots links follow."""

    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
    open_slots_enabled: bool = Field(default=False)
    weekly_hours: dict[str, Any] = Field(
        default_factory=lambda: {k: [list(r) for r in v] for k, v in DEFAULT_WEEKLY_HOURS.items()},
        sa_column=Column(JSON, nullable=False),
    )
    length_minutes: int = Field(default=30)
    step_minutes: int | None = Field(default=None)
    min_notice_minutes: int = Field(default=120)
    booking_window_days: int = Field(default=60)
    buffer_before_minutes: int = Field(default=0)
    buffer_after_minutes: int = Field(default=0)
    daily_limit: int | None = Field(default=None)
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class DateOverride(SQLModel, table=True):
    """A local date with its own hours; empty ranges mean a day off."""

    __table_args__ = (UniqueConstraint("user_id", "day", name="uq_dateoverride_user_day"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    day: date
    ranges: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
