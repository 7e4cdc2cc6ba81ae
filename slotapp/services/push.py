"""Queueing web push notifications: `notify_users`, and the meeting news that uses it.

`notify_users` joins the caller's transaction (as `mailer.queue_email` does): a notification
is stored with whatever caused it, or vanishes with it. Sending happens later in
`services.push_worker`, never in the caller; the commit hands the rows to the worker of this
process at once, so a push leaves within milliseconds rather than at the next poll. Devices
and switches live in `services.push_devices`.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, event, insert, literal
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from slotapp.core import push as rules
from slotapp.core.push import PushKind, push_payload
from slotapp.core.wallclock import AvailabilityError, zone
from slotapp.models import Meeting, PushOutbox, PushPreference, PushSubscription, User
from slotapp.models.types import UTCDateTime
from slotapp.services.push_outbox import Job

__all__ = [
    "PushKind",
    "invitation_booked",
    "meeting_booked",
    "meeting_cancelled",
    "notify_users",
    "wake",
]


# --- the hand-over to this process's worker -----------------------------------------------


class Wakeup:
    """The delivery worker's event and in-tray, usable from any thread of this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._target: tuple[asyncio.AbstractEventLoop, asyncio.Event] | None = None
        self._tray: list[Job] = []

    @property
    def bound(self) -> bool:
        """Whether a worker runs in this process (it will send what is handed over)."""
        return self._target is not None

    def bind(self) -> asyncio.Event:
        """Called by the worker inside its running loop: `wake()` sets the returned event."""
        wakeup = asyncio.Event()
        with self._lock:
            self._target = (asyncio.get_running_loop(), wakeup)
        return wakeup

    def unbind(self, wakeup: asyncio.Event) -> None:
        """The worker stops: wake() becomes a no-op again."""
        with self._lock:
            if self._target is not None and self._target[1] is wakeup:
                self._target = None

    def set(self, jobs: Sequence[Job] = ()) -> None:
        """Wake the worker, handing it `jobs` (claimed for it already) to send at once."""
        with self._lock:
            target = self._target
            if target is not None:
                self._tray.extend(jobs)
        if target is not None and not target[0].is_closed():
            target[0].call_soon_threadsafe(target[1].set)

    def take(self) -> list[Job]:
        """The worker empties its in-tray."""
        with self._lock:
            jobs, self._tray = self._tray, []
        return jobs


WAKEUP = Wakeup()
_HANDOVER = "slotapp.push.handover"  # Session.info key: jobs for the worker once committed
_COLUMNS = [
    "subscription_id",
    "kind",
    "payload",
    "status",
    "attempts",
    "next_attempt_at",
    "last_error",
    "created_at",
]


def wake() -> None:
    """Tell this process's push worker that new notifications are committed; never blocks."""
    WAKEUP.set()


def _after_commit(session: Session) -> None:
    WAKEUP.set(session.info.pop(_HANDOVER, []))


def _after_rollback(session: Session) -> None:
    # Rolled-back rows never existed: nothing to send (a claim that survived would be
    # recovered by the claim timeout anyway).
    session.info.pop(_HANDOVER, None)


# --- queueing -------------------------------------------------------------------------------


def notify_users(
    *,
    session: Session,
    user_ids: Iterable[int],
    kind: PushKind,
    line: str,
    url: str,
    now: datetime,
) -> int:
    """Queue `line` for every subscribed device of these users who have `kind` switched on.

    Joins the caller's transaction: nothing is committed here. When a push worker runs in
    this process, the rows are stored already claimed for it and handed over on commit, so
    they leave with no further database round trip; otherwise any worker's poll finds them.
    Inactive users and users without devices are skipped.

    Args:
        session: The caller's session; its transaction stores the notifications.
        user_ids: Who should know.
        kind: What happened (each user may have switched it off; on by default).
        line: The one line the notification shows; it is all the payload carries besides
            the app's name, `url` and `kind`.
        url: The path a tap opens, e.g. `/meetings/12`.
        now: The current instant.

    Returns:
        How many notifications were queued (one per device).

    Raises:
        ValueError: an empty line or a `url` that is not a path on this site.
    """
    ids = sorted({int(uid) for uid in user_ids})
    kind = PushKind(kind)
    payload = push_payload(kind=kind, line=line, url=url)
    if not ids:
        return 0
    switched_off = select(PushPreference.user_id).where(
        PushPreference.kind == kind.value, col(PushPreference.enabled).is_(False)
    )
    claimed = WAKEUP.bound
    # One INSERT ... SELECT: the caller's transaction writes before it reads anything here,
    # so on SQLite it cannot be refused for having read before another connection committed.
    devices = (
        sa_select(  # sqlmodel's select is typed for at most four columns
            col(PushSubscription.id),
            literal(kind.value),
            literal(payload, JSON),
            literal("sending" if claimed else "pending"),
            literal(0),
            literal(now, UTCDateTime()),
            literal(""),
            literal(now, UTCDateTime()),
        )
        .join(User, col(User.id) == col(PushSubscription.user_id))
        .where(col(PushSubscription.user_id).in_(ids))
        .where(col(User.is_active).is_(True))
        .where(col(PushSubscription.user_id).not_in(switched_off))
    )
    queued = session.execute(
        insert(PushOutbox)
        .from_select(_COLUMNS, devices)
        .returning(col(PushOutbox.id), col(PushOutbox.subscription_id))
    ).all()
    if not queued:
        return 0
    if claimed:
        keys = {
            sub_id: (endpoint, p256dh, auth)
            for sub_id, endpoint, p256dh, auth in session.execute(
                select(
                    col(PushSubscription.id),
                    col(PushSubscription.endpoint),
                    col(PushSubscription.p256dh),
                    col(PushSubscription.auth),
                ).where(col(PushSubscription.id).in_([sub_id for _, sub_id in queued]))
            ).all()
        }
        session.info.setdefault(_HANDOVER, []).extend(
            Job(row_id, sub_id, *keys[sub_id], kind.value, payload, 0, now)
            for row_id, sub_id in sorted(queued)
        )
    if not event.contains(session, "after_commit", _after_commit):
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_rollback", _after_rollback)
    return len(queued)


# --- meeting news for its people ------------------------------------------------------------


def _tz(name: str) -> ZoneInfo:
    try:
        return zone(name)
    except AvailabilityError:
        return zone("UTC")


def _each(
    session: Session,
    user_ids: Iterable[int],
    kind: PushKind,
    line: Callable[[ZoneInfo], str],
    url: str,
    now: datetime,
) -> int:
    """One notification per user, its line in that user's time zone."""
    ids = sorted(set(user_ids))
    users = session.exec(select(User).where(col(User.id).in_(ids))).all() if ids else []
    return sum(
        notify_users(
            session=session,
            user_ids=[u.id],
            kind=kind,
            line=line(_tz(u.time_zone)),
            url=url,
            now=now,
        )
        for u in users
        if u.id is not None
    )


def _meeting_url(meeting: Meeting) -> str:
    return f"/meetings/{meeting.id}"


def meeting_booked(
    *, session: Session, meeting: Meeting, host_ids: Iterable[int], now: datetime
) -> int:
    """BOOKING_NEW to everyone whose calendar the new meeting lands on (not for tests)."""
    if meeting.is_test:
        return 0
    return _each(
        session,
        host_ids,
        PushKind.BOOKING_NEW,
        lambda tz: rules.booking_line(meeting.guest_name, meeting.start_at, tz),
        _meeting_url(meeting),
        now,
    )


def meeting_cancelled(
    *,
    session: Session,
    meeting: Meeting,
    user_ids: Iterable[int | None],
    actor_id: int | None,
    now: datetime,
) -> int:
    """BOOKING_CANCELLED to the meeting's people (organizer too), except who cancelled it."""
    if meeting.is_test:
        return 0
    return _each(
        session,
        (uid for uid in user_ids if uid is not None and uid != actor_id),
        PushKind.BOOKING_CANCELLED,
        lambda tz: rules.cancelled_line(meeting.guest_name, meeting.start_at, tz),
        _meeting_url(meeting),
        now,
    )


def invitation_booked(
    *, session: Session, meeting: Meeting, user_ids: Iterable[int], now: datetime
) -> int:
    """INVITATION_BOOKED to the inviter and the team once the participant picks a time."""
    return _each(
        session,
        user_ids,
        PushKind.INVITATION_BOOKED,
        lambda tz: rules.invitation_line(meeting.guest_name, meeting.start_at, tz),
        _meeting_url(meeting),
        now,
    )
