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
import time
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
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
    busy_from_ics,
)
from slotapp.db import get_engine, serialized, session_scope
from slotapp.models import CalendarFeed, FeedBusy, User

# The facade callers use: downloading and a user's connections live in their own modules.
from slotapp.services.feed_connections import (  # noqa: F401
    MAX_FEEDS_PER_USER,
    FeedView,
    connect_feed,
    list_feeds,
    remove_feed,
)
from slotapp.services.feed_fetch import FetchConfig, FetchFailed, fetch_feed, make_client

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
BATCH = 20
INTERVAL_SECONDS = 60.0


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
    """Claim up to `limit` due feeds for this worker; no other worker gets the same ones.

    One transaction reads and leases them: on PostgreSQL `FOR UPDATE SKIP LOCKED` passes
    over feeds another worker is claiming this instant (no waiting, no deadlock between
    workers taking the same feeds in another order) and the lease then hides them; SQLite
    runs the whole transaction under its write lock (`serialized`).
    """
    with session_scope(serialized(engine)) as session:
        ids = [
            feed_id
            for feed_id in session.exec(
                select(CalendarFeed.id)
                .where(_due(now), _claimable(now))
                .order_by(col(CalendarFeed.next_fetch_at), col(CalendarFeed.id))
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
            if feed_id is not None
        ]
        if ids:
            session.exec(
                update(CalendarFeed)
                .where(col(CalendarFeed.id).in_(ids))
                .values(claimed_until=now + CLAIM_FOR)
            )
        return ids


def _release(engine: Engine, feed_ids: list[int], lease: datetime) -> None:
    """Give back feeds this worker claimed (until `lease`) but will not fetch."""
    with session_scope(serialized(engine)) as session:
        session.exec(
            update(CalendarFeed)
            .where(col(CalendarFeed.id).in_(feed_ids), col(CalendarFeed.claimed_until) == lease)
            .values(claimed_until=None)
        )


def refresh_due(
    *,
    engine: Engine,
    now: datetime,
    config: FetchConfig | None = None,
    client: httpx.Client | None = None,
    limit: int = BATCH,
) -> list[RefreshResult]:
    """Fetch every due feed this worker manages to claim (several workers may run this).

    Fetches one after the other while the lease lasts: a feed whose fetch could outlast the
    lease (the batch was slow) is given back instead, for the next pass or another worker,
    so no feed is fetched by two workers at once.
    """
    config = config or FetchConfig()
    claimed = claim_due(engine=engine, now=now, limit=limit)
    if not claimed:
        return []
    started = time.monotonic()
    budget = (CLAIM_FOR - fetch_time_limit(config)).total_seconds()
    results: list[RefreshResult] = []
    with _client(client, config) as http:
        for n, feed_id in enumerate(claimed):
            if time.monotonic() - started > budget:
                _release(engine, claimed[n:], now + CLAIM_FOR)
                break
            if result := _refresh(engine, feed_id, now, config, http):
                results.append(result)
    return results


def fetch_time_limit(config: FetchConfig) -> timedelta:
    """The longest one fetch may take: connecting, the download deadline, a last read."""
    return timedelta(seconds=3 * config.timeout)


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
