"""Calendar feeds: external calendars read as busy time, and each user's own .ics address.

Connected calendars are fetched on a schedule (`refresh_due`, run by `refresh_forever`) and on
demand (`refresh_feed`). A worker first *claims* a feed (a conditional UPDATE of
`claimed_until`), then fetches with no transaction open, then stores the outcome in one
short transaction: on success the feed's busy rows are replaced at once; on failure they are
kept and the error is recorded, with the next try backed off.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx
from sqlalchemy import ColumnElement, insert, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select, update

from slotapp.clock import utcnow
from slotapp.core.backoff import retry_delay
from slotapp.core.feeds import (
    FeedBusyTimes,
    FeedError,
    FeedLimits,
    address_allowed,
    busy_from_ics,
    display_url,
    normalise_feed_url,
)
from slotapp.core.validation import InvalidInput
from slotapp.db import get_engine, serialized, session_scope
from slotapp.models import CalendarFeed, FeedBusy, User

log = logging.getLogger(__name__)

REFRESH_EVERY = timedelta(minutes=30)
# Longer than any fetch can take (timeout, parsing), so a claim never expires mid-fetch; a
# worker that dies leaves a claim that simply runs out.
CLAIM_FOR = timedelta(minutes=5)
# Stored busy time covers [fetch - LOOKBACK, fetch + HORIZON). A "304 Not Modified" keeps it,
# so a full fetch is forced this often to move the window along (HORIZON is far longer than
# the 60 days a guest can see).
FULL_FETCH_EVERY = timedelta(hours=12)
LOOKBACK = timedelta(days=1)
HORIZON = timedelta(days=120)
MAX_FEEDS_PER_USER = 10
BATCH = 20
INTERVAL_SECONDS = 60.0


# --- fetching -------------------------------------------------------------------------


class FetchFailed(Exception):
    """The calendar could not be downloaded; the message is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FetchConfig:
    """How calendars are downloaded.

    Attributes:
        timeout: Seconds for connecting, for each read, and for the whole download.
        limits: Size limits of a calendar file.
        allow_local: Fetch from loopback and link-local addresses too (tests, development);
            off in production so a feed URL cannot reach the server's own services.
    """

    timeout: float = 10.0
    limits: FeedLimits = field(default_factory=FeedLimits)
    allow_local: bool = False

    @classmethod
    def from_environ(cls, env: Mapping[str, str]) -> FetchConfig:
        """Defaults, with SLOTAPP_FEEDS_ALLOW_LOCAL=1 allowing local addresses."""
        return cls(allow_local=env.get("SLOTAPP_FEEDS_ALLOW_LOCAL", "") == "1")


@dataclass(frozen=True)
class Fetched:
    """A download: the body, or None when the server said "304 Not Modified"."""

    body: bytes | None
    etag: str


def make_client(config: FetchConfig) -> httpx.Client:
    """An HTTP client that checks every request's address (redirects included)."""

    def check_address(request: httpx.Request) -> None:
        if config.allow_local:
            return
        try:
            infos = socket.getaddrinfo(request.url.host, request.url.port or 443)
        except OSError:
            return  # httpx reports the failure to resolve in its own words
        # The name is resolved again when connecting; a DNS answer that changes in between
        # (rebinding) is not caught here.
        if any(not address_allowed(str(info[4][0])) for info in infos):
            raise FetchFailed("The calendar's address points to this server's own network.")

    return httpx.Client(
        timeout=config.timeout,
        follow_redirects=True,
        max_redirects=5,
        headers={"User-Agent": "slotapp-calendar-feed", "Accept": "text/calendar, */*;q=0.5"},
        event_hooks={"request": [check_address]},
    )


def fetch_feed(url: str, *, etag: str, config: FetchConfig, client: httpx.Client) -> Fetched:
    """Download a calendar, sending `etag` (if any) as If-None-Match.

    Raises:
        FetchFailed: timeout, unreachable server, an HTTP error status, or a file too large.
    """
    headers = {"If-None-Match": etag} if etag else {}
    too_large = f"The calendar is larger than {config.limits.max_bytes // (1024 * 1024)} MB."
    deadline = time.monotonic() + config.timeout
    try:
        with client.stream("GET", url, headers=headers) as response:
            if response.status_code == 304 and etag:
                return Fetched(None, etag)
            if response.status_code != 200:
                raise FetchFailed(
                    f"The calendar server answered {response.status_code} "
                    f"{response.reason_phrase}.".replace(" .", ".")
                )
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > config.limits.max_bytes:
                raise FetchFailed(too_large)
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > config.limits.max_bytes:
                    raise FetchFailed(too_large)
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout("download too slow")
                chunks.append(chunk)
            return Fetched(b"".join(chunks), response.headers.get("etag", "")[:200])
    except httpx.TimeoutException as exc:
        seconds = f"{config.timeout:g}"
        raise FetchFailed(f"The calendar server did not answer within {seconds} seconds.") from exc
    except httpx.TooManyRedirects as exc:
        raise FetchFailed("The calendar's address redirects too often.") from exc
    except httpx.HTTPError as exc:
        raise FetchFailed(f"The calendar server could not be reached: {exc}.") from exc


# --- refreshing -----------------------------------------------------------------------


@dataclass(frozen=True)
class RefreshResult:
    """What one refresh did: "updated", "not_modified" or "failed" (with the error)."""

    feed_id: int
    outcome: str
    error: str = ""


def _claimable(now: datetime) -> ColumnElement[bool]:
    return or_(col(CalendarFeed.claimed_until).is_(None), col(CalendarFeed.claimed_until) <= now)


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(col(CalendarFeed.next_fetch_at).is_(None), col(CalendarFeed.next_fetch_at) <= now)


def claim_due(*, engine: Engine, now: datetime, limit: int = BATCH) -> list[int]:
    """Claim up to `limit` due feeds for this worker; no other worker gets the same ones."""
    with session_scope(serialized(engine)) as session:
        ids = session.exec(
            select(CalendarFeed.id)
            .where(_due(now), _claimable(now))
            .order_by(col(CalendarFeed.next_fetch_at))
            .limit(limit)
        ).all()
        # A compare-and-set per feed: on PostgreSQL a concurrent claimer waits for the row
        # and then finds the condition false; SQLite serialises the whole transaction.
        return [
            feed_id
            for feed_id in ids
            if feed_id is not None
            and session.exec(
                update(CalendarFeed)
                .where(col(CalendarFeed.id) == feed_id, _due(now), _claimable(now))
                .values(claimed_until=now + CLAIM_FOR)
            ).rowcount
            == 1
        ]


def refresh_due(
    *,
    engine: Engine,
    now: datetime,
    config: FetchConfig | None = None,
    client: httpx.Client | None = None,
    limit: int = BATCH,
) -> list[RefreshResult]:
    """Fetch every due feed this worker manages to claim (several workers may run this)."""
    config = config or FetchConfig()
    claimed = claim_due(engine=engine, now=now, limit=limit)
    if not claimed:
        return []
    with _client(client, config) as http:
        return [r for r in (_refresh(engine, i, now, config, http) for i in claimed) if r]


def refresh_feed(
    *,
    engine: Engine,
    feed_id: int,
    user_id: int,
    now: datetime,
    config: FetchConfig | None = None,
    client: httpx.Client | None = None,
) -> RefreshResult | None:
    """ "Refresh now": fetch one of the user's feeds at once, due or not.

    Returns:
        The result, or None for a feed that is not the user's or is being fetched already.
    """
    config = config or FetchConfig()
    with session_scope(serialized(engine)) as session:
        claimed = session.exec(
            update(CalendarFeed)
            .where(col(CalendarFeed.id) == feed_id, col(CalendarFeed.user_id) == user_id)
            .where(_claimable(now))
            .values(claimed_until=now + CLAIM_FOR)
        ).rowcount
    if claimed != 1:
        return None
    with _client(client, config) as http:
        return _refresh(engine, feed_id, now, config, http)


def _client(
    client: httpx.Client | None, config: FetchConfig
) -> AbstractContextManager[httpx.Client]:
    """The caller's client, left open, or a new one closed after use."""
    return nullcontext(client) if client is not None else make_client(config)


def _refresh(
    engine: Engine, feed_id: int, now: datetime, config: FetchConfig, client: httpx.Client
) -> RefreshResult | None:
    with Session(engine) as session:
        feed = session.get(CalendarFeed, feed_id)
        user = session.get(User, feed.user_id) if feed else None
        if feed is None or user is None:
            return None
        url, time_zone = feed.url, user.time_zone
        fresh = feed.last_success_at is not None and now - feed.last_success_at < FULL_FETCH_EVERY
        etag = feed.etag if fresh else ""
    try:
        fetched = fetch_feed(url, etag=etag, config=config, client=client)
        parsed = None
        if fetched.body is not None:
            parsed = busy_from_feed(fetched.body, time_zone, now, config.limits)
    except (FetchFailed, FeedError) as exc:
        return _record_failure(engine, feed_id, now, exc.message)
    except Exception:  # a bug must cost one feed one attempt, never the worker
        log.exception("calendar feed %s: refresh failed", feed_id)
        return _record_failure(engine, feed_id, now, "The calendar could not be read.")
    with session_scope(serialized(engine)) as session:
        feed = session.get(CalendarFeed, feed_id)
        if feed is None:  # removed while it was being fetched
            return None
        if parsed is not None:
            session.exec(delete(FeedBusy).where(col(FeedBusy.feed_id) == feed_id))
            rows = [
                {"feed_id": feed_id, "user_id": feed.user_id, "start_at": s, "end_at": e}
                for s, e in parsed.busy
            ]
            if rows:
                session.exec(insert(FeedBusy), params=rows)
            feed.event_count = parsed.event_count
        feed.etag = fetched.etag
        feed.last_attempt_at = feed.last_success_at = now
        feed.last_error, feed.failures = "", 0
        feed.next_fetch_at, feed.claimed_until = now + REFRESH_EVERY, None
        session.add(feed)
    return RefreshResult(feed_id, "updated" if parsed is not None else "not_modified")


def busy_from_feed(body: bytes, time_zone: str, now: datetime, limits: FeedLimits) -> FeedBusyTimes:
    """The busy time of a downloaded calendar over the window the service stores."""
    return busy_from_ics(
        body, time_zone=time_zone, start=now - LOOKBACK, end=now + HORIZON, limits=limits
    )


def _record_failure(engine: Engine, feed_id: int, now: datetime, message: str) -> RefreshResult:
    with session_scope(serialized(engine)) as session:
        feed = session.get(CalendarFeed, feed_id)
        if feed is not None:
            feed.failures += 1
            feed.last_error = message[:500]
            feed.last_attempt_at = now
            feed.next_fetch_at = now + retry_delay(feed.failures)
            feed.claimed_until = None
            session.add(feed)
    return RefreshResult(feed_id, "failed", message)


async def refresh_forever() -> None:
    """Refresh due calendars every minute; register as a lifespan task of the app."""
    config = FetchConfig.from_environ(os.environ)
    while True:
        results: list[RefreshResult] = []
        try:
            results = await asyncio.to_thread(
                refresh_due, engine=get_engine(), now=utcnow(), config=config
            )
            failed = sum(r.outcome == "failed" for r in results)
            if results:
                log.info("calendar feeds: %s refreshed, %s failed", len(results) - failed, failed)
        except Exception:  # a broken pass must not end the loop: the next pass retries
            log.exception("calendar feed pass failed")
        if len(results) < BATCH:  # a full batch means more are due: go on at once
            await asyncio.sleep(INTERVAL_SECONDS)


# --- the user's connections -------------------------------------------------------------


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
