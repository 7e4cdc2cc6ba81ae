"""A user's push devices and switches: subscribe from a tap, list, remove, per-kind on/off.

A browser's subscription is stored per user and device (its endpoint is unique); the service
worker, which has no login, proves a subscription is its own with the subscription's secret.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete
from sqlmodel import Session, col, select

from slotapp.core.push import PushKind, one_line
from slotapp.core.validation import InvalidInput
from slotapp.core.webpush_subscription import (
    SubscriptionKeys,
    device_label,
    is_loopback,
    parse_subscription,
)
from slotapp.models import PushPreference, PushSubscription
from slotapp.settings import get_settings

__all__ = [
    "Device",
    "devices",
    "loopback_push_allowed",
    "preferences",
    "remove_device",
    "remove_endpoint",
    "resubscribe",
    "set_preference",
    "subscribe",
    "subscribe_browser",
    "unsubscribe",
]


# --- devices --------------------------------------------------------------------------------


def loopback_push_allowed() -> bool:
    """Whether a push endpoint on this machine over http is acceptable: only for a site on
    this machine itself (development and tests, with a push service on loopback)."""
    return is_loopback(urlsplit(get_settings().base_url).hostname)


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

    Raises:
        InvalidInput: the endpoint is another user's, with another secret.
    """
    row = session.exec(
        select(PushSubscription).where(PushSubscription.endpoint == keys.endpoint)
    ).first()
    if row is None:
        row = PushSubscription(
            user_id=user_id, endpoint=keys.endpoint, p256dh="", auth="", created_at=now
        )
    elif row.user_id != user_id:
        # The same browser keeps its keys: an address alone (without its secret) must not
        # take another person's notifications away.
        if not hmac.compare_digest(row.auth.encode(), keys.auth.encode()):
            raise InvalidInput("endpoint", "This push address belongs to another browser.")
        row.user_id, row.created_at, row.last_sent_at = user_id, now, None
    row.p256dh, row.auth, row.label = keys.p256dh, keys.auth, one_line(label, 80)
    session.add(row)
    session.flush()
    return row


def _proven(session: Session, endpoint: str, auth: str) -> PushSubscription | None:
    """The subscription with this endpoint, if `auth` is its secret (the browser's proof)."""
    row = session.exec(
        select(PushSubscription).where(PushSubscription.endpoint == endpoint)
    ).first()
    if row is None or not hmac.compare_digest(row.auth.encode(), auth.rstrip("=").encode()):
        return None
    return row


def subscribe_browser(
    *, session: Session, user_id: int, subscription: Any, user_agent: str, now: datetime
) -> str:
    """Check and store what the browser's `PushSubscription.toJSON()` gave; its endpoint.

    Raises:
        InvalidInput: a malformed subscription, or another user's endpoint (see subscribe).
    """
    keys = parse_subscription(subscription, allow_loopback_http=loopback_push_allowed())
    label = device_label(user_agent)
    subscribe(session=session, user_id=user_id, keys=keys, label=label, now=now)
    return keys.endpoint


def resubscribe(
    *, session: Session, old_endpoint: str, old_auth: str, keys: SubscriptionKeys, now: datetime
) -> bool:
    """Swap a subscription the browser renewed (`pushsubscriptionchange`) for its new one.

    The service worker has no login; knowing the old subscription's secret proves it is the
    same browser. Returns False (nothing changed) when the old one is unknown or the secret
    does not match.
    """
    row = _proven(session, old_endpoint, old_auth)
    if row is None:
        return False
    if keys.endpoint != old_endpoint:
        session.execute(
            delete(PushSubscription).where(col(PushSubscription.endpoint) == keys.endpoint)
        )
    row.endpoint, row.p256dh, row.auth = keys.endpoint, keys.p256dh, keys.auth
    session.add(row)
    session.flush()
    return True


def unsubscribe(*, session: Session, endpoint: str, auth: str) -> bool:
    """A browser forgets its own subscription (logging out); proven by its secret as above."""
    row = _proven(session, endpoint, auth)
    if row is not None:
        session.delete(row)
        session.flush()
    return row is not None


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
