"""Users and their login sessions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from slotapp.clock import utcnow
from slotapp.models.types import UTCDateTime


class Role(StrEnum):
    """What a user may do: admins manage everything, employees schedule, agents answer chats."""

    ADMIN = "admin"
    EMPLOYEE = "employee"
    AGENT = "agent"


class User(SQLModel, table=True):
    """A person with an account (guests have none)."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True, unique=True, max_length=254)
    name: str = Field(max_length=120)
    password_hash: str | None = Field(default=None, max_length=255)
    role: str = Field(default=Role.EMPLOYEE.value, max_length=16)
    time_zone: str = Field(default="UTC", max_length=64)
    department: str = Field(default="", max_length=120, index=True)
    is_active: bool = Field(default=True)
    # How the links list is sorted: "uses" (most used first) or "created" (newest first).
    links_sort: str = Field(default="uses", max_length=16)
    # Salt of the private .ics subscription URL of the user's meetings; None when switched off.
    ics_feed_salt: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class AuthSession(SQLModel, table=True):
    """A logged-in browser; the browser holds the token, the table only its hash."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    token_hash: str = Field(index=True, unique=True, max_length=64)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
