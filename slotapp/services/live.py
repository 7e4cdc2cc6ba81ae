"""Who watches what live: browser tabs registered per topic, in the database.

Workers share no memory, so the registry is a table: whichever worker handles a booking finds
every tab watching the owner's calendar, and Reflex delivers the update to the worker holding
that tab's socket (through Redis in scale-out mode).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from slotapp.clock import utcnow
from slotapp.db import session_scope
from slotapp.models import LiveWatcher

log = logging.getLogger(__name__)
# A tab not seen for this long is forgotten even if its socket never said goodbye.
STALE_AFTER = timedelta(days=2)
PRUNE_EVERY_SECONDS = 3600.0


def calendar_topic(user_id: int) -> str:
    """The topic of a user's calendar (changes when their meetings change)."""
    return f"calendar:{user_id}"


def watch(*, session: Session, client_token: str, topic: str, state: str, now: datetime) -> None:
    """Record (or refresh) that the tab `client_token` shows `topic` through `state`."""
    if not client_token:
        return
    row = session.get(LiveWatcher, (client_token, topic))
    if row is None:
        row = LiveWatcher(client_token=client_token, topic=topic, state=state, seen_at=now)
    row.state, row.seen_at = state, now
    session.add(row)
    session.commit()


def watchers(*, session: Session, topics: Sequence[str], now: datetime) -> list[LiveWatcher]:
    """The tabs watching any of `topics`, seen recently."""
    return list(
        session.exec(
            select(LiveWatcher)
            .where(col(LiveWatcher.topic).in_(list(topics)))
            .where(col(LiveWatcher.seen_at) > now - STALE_AFTER)
        ).all()
    )


def forget(*, session: Session, client_tokens: Sequence[str]) -> None:
    """Drop every registration of these tabs (closed, or gone for good)."""
    if client_tokens:
        session.execute(delete(LiveWatcher).where(col(LiveWatcher.client_token).in_(client_tokens)))
        session.commit()


def prune(*, session: Session, now: datetime) -> int:
    """Drop registrations not refreshed within STALE_AFTER; returns how many."""
    result = session.execute(
        delete(LiveWatcher).where(col(LiveWatcher.seen_at) <= now - STALE_AFTER)
    )
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


async def prune_forever() -> None:
    """Drop stale registrations every hour, for the server's lifespan.

    Every worker runs it; a DELETE of rows already gone changes nothing, so it needs no claim.
    """
    while True:
        try:
            await asyncio.to_thread(_prune_now)
        except Exception:  # housekeeping: never end the loop over it
            log.exception("pruning live watchers failed")
        await asyncio.sleep(PRUNE_EVERY_SECONDS)


def _prune_now() -> None:
    with session_scope() as session:
        removed = prune(session=session, now=utcnow())
    if removed:
        log.info("live: forgot %s stale tabs", removed)
