"""A user's connected calendars: connecting one by its address, listing, disconnecting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, delete, select

from slotapp.core.feed_urls import display_url, normalise_feed_url
from slotapp.core.validation import InvalidInput
from slotapp.models import CalendarFeed, FeedBusy

MAX_FEEDS_PER_USER = 10


@dataclass(frozen=True)
class FeedView:
    """A connected calendar as its owner sees it (the secret address stays hidden)."""

    id: int
    name: str
    address: str
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    last_error: str
    failures: int
    event_count: int

    @property
    def state(self) -> str:
        """ "pending" (never fetched), "ok", or "error" (the last attempt failed)."""
        if self.failures:
            return "error"
        return "ok" if self.last_success_at else "pending"


def connect_feed(
    *, session: Session, user_id: int, url: str, name: str, now: datetime
) -> CalendarFeed:
    """Connect a calendar by its address; it is due for fetching at once.

    Raises:
        InvalidInput: a bad or duplicate address, a name too long, or too many calendars.
    """
    clean = normalise_feed_url(url)
    label = (name or "").strip() or display_url(clean).removesuffix("/…")
    if len(label) > 120:
        raise InvalidInput("name", "The name must be at most 120 characters.")
    urls = session.exec(select(CalendarFeed.url).where(CalendarFeed.user_id == user_id)).all()
    if clean in urls:
        raise InvalidInput("url", "This calendar is already connected.")
    if len(urls) >= MAX_FEEDS_PER_USER:
        raise InvalidInput("url", f"At most {MAX_FEEDS_PER_USER} calendars can be connected.")
    feed = CalendarFeed(user_id=user_id, name=label, url=clean, created_at=now, next_fetch_at=now)
    session.add(feed)
    session.flush()
    return feed


def list_feeds(*, session: Session, user_id: int) -> list[FeedView]:
    """The user's connected calendars, oldest first."""
    feeds = session.exec(
        select(CalendarFeed)
        .where(CalendarFeed.user_id == user_id)
        .order_by(col(CalendarFeed.created_at), col(CalendarFeed.id))
    ).all()
    return [
        FeedView(
            f.id or 0,
            f.name,
            display_url(f.url),
            f.last_success_at,
            f.last_attempt_at,
            f.last_error,
            f.failures,
            f.event_count,
        )
        for f in feeds
    ]


def remove_feed(*, session: Session, user_id: int, feed_id: int) -> bool:
    """Disconnect one of the user's calendars and forget its busy time."""
    feed = session.get(CalendarFeed, feed_id)
    if feed is None or feed.user_id != user_id:
        return False
    session.exec(delete(FeedBusy).where(col(FeedBusy.feed_id) == feed_id))
    session.delete(feed)
    session.flush()
    return True
