"""Web push for users: their devices, their switches per kind, and queueing a notification.

`notify_users` joins the caller's transaction (as `mailer.queue_email` does): a notification
is stored with whatever caused it, or vanishes with it. Sending happens later in
`services.push_worker`, never in the caller; the commit wakes that worker at once (`wake`), so
a push leaves within milliseconds rather than at the next poll.
"""

from __future__ import annotations

import asyncio
import hmac
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, event, insert
from sqlmodel import Session, col, select

from slotapp.core import push as rules
from slotapp.core.push import PushKind, push_payload
from slotapp.core.wallclock import AvailabilityError, zone
from slotapp.core.webpush_subscription import SubscriptionKeys
from slotapp.models import Meeting, PushOutbox, PushPreference, PushSubscription, User

__all__ = [
    "Device",
    "PushKind",
    "devices",
    "invitation_booked",
    "meeting_booked",
    "meeting_cancelled",
    "notify_users",
    "preferences",
    "remove_device",
    "remove_endpoint",
    "resubscribe",
    "set_preference",
    "subscribe",
    "wake",
]


# --- waking the worker --------------------------------------------------------------------


class Wakeup:
    """The delivery worker's event, settable from any thread of this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._target: tuple[asyncio.AbstractEventLoop, asyncio.Event] | None = None

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

    def set(self) -> None:
        with self._lock:
            target = self._target
        if target is not None and not target[0].is_closed():
            target[0].call_soon_threadsafe(target[1].set)


WAKEUP = Wakeup()


def wake() -> None:
    """Tell this process's push worker that new notifications are committed; never blocks."""
    WAKEUP.set()


def _wake_after_commit(_session: Session) -> None:
    wake()


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

    Joins the caller's transaction: nothing is committed here, and the worker is woken when
    the caller commits. Inactive users and users without devices are skipped.

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
    devices = session.exec(
        select(PushSubscription.id)
        .join(User, col(User.id) == col(PushSubscription.user_id))
        .where(col(PushSubscription.user_id).in_(ids))
        .where(col(User.is_active).is_(True))
        .where(col(PushSubscription.user_id).not_in(switched_off))
        .order_by(col(PushSubscription.id))
    ).all()
    if not devices:
        return 0
    session.execute(
        insert(PushOutbox),
        [
            {
                "subscription_id": device_id,
                "kind": kind.value,
                "payload": payload,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": now,
                "last_error": "",
                "created_at": now,
            }
            for device_id in devices
        ],
    )
    if not event.contains(session, "after_commit", _wake_after_commit):
        event.listen(session, "after_commit", _wake_after_commit)
    return len(devices)


# --- devices --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Device:
    """A subscribed browser as its owner sees it in the list."""

    id: int
    label: str
    endpoint: str  # never shown; tells the page which row is the browser it runs in
    created_at: datetime
    last_sent_at: datetime | None


def subscribe(
    *, session: Session, user_id: int, keys: SubscriptionKeys, label: str, now: datetime
) -> PushSubscription:
    """Store (or refresh) a browser's subscription for `user_id`.

    A browser has one endpoint per site; if it was subscribed for another user before (a
    shared computer), it now belongs to `user_id` only.
    """
    row = session.exec(
        select(PushSubscription).where(PushSubscription.endpoint == keys.endpoint)
    ).first()
    if row is None:
        row = PushSubscription(
            user_id=user_id, endpoint=keys.endpoint, p256dh="", auth="", created_at=now
        )
    elif row.user_id != user_id:
        row.user_id, row.created_at, row.last_sent_at = user_id, now, None
    row.p256dh, row.auth, row.label = keys.p256dh, keys.auth, rules.one_line(label, 80)
    session.add(row)
    session.flush()
    return row


def resubscribe(
    *, session: Session, old_endpoint: str, old_auth: str, keys: SubscriptionKeys, now: datetime
) -> bool:
    """Swap a subscription the browser renewed (`pushsubscriptionchange`) for its new one.

    The service worker has no login; knowing the old subscription's secret proves it is the
    same browser. Returns False (nothing changed) when the old one is unknown or the secret
    does not match.
    """
    row = session.exec(
        select(PushSubscription).where(PushSubscription.endpoint == old_endpoint)
    ).first()
    if row is None or not hmac.compare_digest(row.auth.encode(), old_auth.rstrip("=").encode()):
        return False
    if keys.endpoint != old_endpoint:
        session.execute(
            delete(PushSubscription).where(col(PushSubscription.endpoint) == keys.endpoint)
        )
    row.endpoint, row.p256dh, row.auth = keys.endpoint, keys.p256dh, keys.auth
    session.add(row)
    session.flush()
    return True


def devices(*, session: Session, user_id: int) -> list[Device]:
    """The user's subscribed browsers, newest first."""
    rows = session.exec(
        select(PushSubscription)
        .where(PushSubscription.user_id == user_id)
        .order_by(col(PushSubscription.created_at).desc(), col(PushSubscription.id).desc())
    ).all()
    return [
        Device(r.id, r.label, r.endpoint, r.created_at, r.last_sent_at)
        for r in rows
        if r.id is not None
    ]


def remove_device(*, session: Session, user_id: int, device_id: int) -> bool:
    """Forget one of the user's devices (and what was queued for it); False if not theirs."""
    result = session.execute(
        delete(PushSubscription)
        .where(col(PushSubscription.id) == device_id)
        .where(col(PushSubscription.user_id) == user_id)
    )
    return bool(getattr(result, "rowcount", 0))


def remove_endpoint(*, session: Session, user_id: int, endpoint: str) -> bool:
    """Forget the user's device with this endpoint (the browser turned notifications off)."""
    result = session.execute(
        delete(PushSubscription)
        .where(col(PushSubscription.endpoint) == endpoint)
        .where(col(PushSubscription.user_id) == user_id)
    )
    return bool(getattr(result, "rowcount", 0))


# --- switches -------------------------------------------------------------------------------


def preferences(*, session: Session, user_id: int) -> dict[PushKind, bool]:
    """Every kind with the user's switch (on unless switched off)."""
    stored = {
        p.kind: p.enabled
        for p in session.exec(select(PushPreference).where(PushPreference.user_id == user_id))
    }
    return {kind: stored.get(kind.value, True) for kind in PushKind}


def set_preference(*, session: Session, user_id: int, kind: PushKind, enabled: bool) -> None:
    """Switch one kind on or off for the user."""
    kind = PushKind(kind)
    row = session.get(PushPreference, (user_id, kind.value))
    if row is None:
        row = PushPreference(user_id=user_id, kind=kind.value)
    row.enabled = enabled
    session.add(row)
    session.flush()


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
