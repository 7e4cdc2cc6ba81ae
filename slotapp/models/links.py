"""Share links: open-slots, shared (several hosts), one-time and invitation links."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from slotapp.clock import utcnow
from slotapp.models.types import UTCDateTime


class LinkKind(StrEnum):
    """What a link offers: the owner's open slots, times shared with colleagues, one booking."""

    OPEN = "open"
    SHARED = "shared"
    ONE_TIME = "one_time"
    INVITATION = "invitation"


class ShareLink(SQLModel, table=True):
    """A bookable link. Only the token's hash is stored; the owner sees the URL once made."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default=LinkKind.OPEN.value, max_length=16)
    token_hash: str = Field(index=True, unique=True, max_length=64)
    # The token is derived from the server secret, the id and this salt (see core.tokens).
    salt: str = Field(default="", max_length=32)
    owner_id: int = Field(foreign_key="user.id", index=True, ondelete="CASCADE")
    title: str = Field(default="", max_length=200)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    use_count: int = Field(default=0)
    last_used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    max_uses: int | None = Field(default=None)


class ShareLinkMember(SQLModel, table=True):
    """A colleague whose free time a shared link also requires."""

    link_id: int = Field(foreign_key="sharelink.id", primary_key=True, ondelete="CASCADE")
    user_id: int = Field(foreign_key="user.id", primary_key=True, ondelete="CASCADE")
