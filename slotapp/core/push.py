"""Web push notifications: what they say, who may switch them off, how delivery reacts.

Pure rules, no I/O: the kinds of notification, the one-line payload, the push service's
answers (RFC 8030) turned into sent / gone / retry / failed, the backoff between attempts and
the VAPID claims (RFC 8292). Services store, queue and send; this module only decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

TITLE = "slotapp"
MAX_LINE = 140  # a lock screen shows about two lines; one line of ours must fit
MAX_URL = 500


class PushKind(StrEnum):
    """What happened; each user can switch every kind on or off (on by default)."""

    ENQUIRY_NEW = "enquiry_new"  # assigned to them, or waiting in their queue
    ENQUIRY_FORWARDED = "enquiry_forwarded"
    KPI_OVERDUE = "kpi_overdue"
    BOOKING_NEW = "booking_new"
    BOOKING_CANCELLED = "booking_cancelled"
    INVITATION_BOOKED = "invitation_booked"


@dataclass(frozen=True)
class KindInfo:
    """How a kind reads on the settings page."""

    label: str
    description: str
    group: str


ENQUIRIES, MEETINGS = "Enquiries", "Meetings"
KINDS: dict[PushKind, KindInfo] = {
    PushKind.ENQUIRY_NEW: KindInfo(
        "New enquiry", "An enquiry is assigned to you or waits in your queue.", ENQUIRIES
    ),
    PushKind.ENQUIRY_FORWARDED: KindInfo(
        "Forwarded to you", "A colleague forwards a conversation to you.", ENQUIRIES
    ),
    PushKind.KPI_OVERDUE: KindInfo(
        "Reply overdue", "An enquiry has waited longer than the response target.", ENQUIRIES
    ),
    PushKind.BOOKING_NEW: KindInfo("New booking", "Someone books a meeting with you.", MEETINGS),
    PushKind.BOOKING_CANCELLED: KindInfo(
        "Cancellation", "A meeting you take part in is cancelled.", MEETINGS
    ),
    PushKind.INVITATION_BOOKED: KindInfo(
        "Invitation booked", "Someone you invited picks a time.", MEETINGS
    ),
}
# Enquiries go to agents (and admins, who also answer chats); meetings to anyone with a calendar.
_ENQUIRY_ROLES = frozenset({"agent", "admin"})


def kinds_for_role(role: str) -> tuple[PushKind, ...]:
    """The kinds a user of `role` can receive, in the order the settings page lists them."""
    return tuple(
        kind for kind, info in KINDS.items() if info.group == MEETINGS or role in _ENQUIRY_ROLES
    )


def one_line(text: str, limit: int = MAX_LINE) -> str:
    """`text` on one line (whitespace collapsed), cut to `limit` characters with an ellipsis."""
    line = " ".join((text or "").split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def site_path(url: str) -> str:
    """`url` if it is a path on this site (what a tap may open); ValueError otherwise.

    Absolute and protocol-relative URLs are refused: a notification never sends anyone away.
    """
    if (
        not url.startswith("/")
        or url.startswith("//")
        or "\\" in url
        or len(url) > MAX_URL
        or any(ord(c) < 0x20 or c == "\x7f" for c in url)
    ):
        raise ValueError(f"not a path on this site: {url!r}")
    return url


def push_payload(*, kind: PushKind, line: str, url: str) -> dict[str, str]:
    """The whole notification: the app's name, one line, where a tap goes, and the kind.

    Nothing else goes in: the push service and the lock screen see no more than this line.

    Raises:
        ValueError: `line` is empty or `url` is not a path on this site.
    """
    body = one_line(line)
    if not body:
        raise ValueError("a notification needs a line of text")
    return {"title": TITLE, "body": body, "url": site_path(url), "kind": PushKind(kind).value}


def _when(start: datetime, tz: ZoneInfo) -> str:
    local = start.astimezone(tz)
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def booking_line(guest: str, start: datetime, tz: ZoneInfo) -> str:
    """'New booking: Anna Gast, Tue 24 Nov 10:00' in the reader's zone."""
    return one_line(f"New booking: {guest}, {_when(start, tz)}")


def cancelled_line(guest: str, start: datetime, tz: ZoneInfo) -> str:
    """'Cancelled: Anna Gast, Tue 24 Nov 10:00' in the reader's zone."""
    return one_line(f"Cancelled: {guest}, {_when(start, tz)}")


def invitation_line(participant: str, start: datetime, tz: ZoneInfo) -> str:
    """'Invitation booked: Anna Gast, Tue 24 Nov 10:00' in the reader's zone."""
    return one_line(f"Invitation booked: {participant}, {_when(start, tz)}")


# --- delivery -----------------------------------------------------------------------------


class Outcome(StrEnum):
    """What a push service's answer means for the message and the subscription."""

    SENT = "sent"
    GONE = "gone"  # the subscription expired or was revoked: delete it
    RETRY = "retry"  # try again later
    FAILED = "failed"  # this message will never be accepted: give up on it


_RETRY_STATUSES = frozenset({408, 425, 429})


def classify(status: int | None) -> Outcome:
    """The meaning of an HTTP status from a push service; None means no answer (network).

    404 and 410 are RFC 8030's "no such subscription"; 429 and 5xx are temporary. Other 4xx
    (bad VAPID signature, payload too large) will not change on a retry.
    """
    if status is None or status in _RETRY_STATUSES or status >= 500:
        return Outcome.RETRY
    if 200 <= status < 300:
        return Outcome.SENT
    if status in (404, 410):
        return Outcome.GONE
    return Outcome.FAILED


MAX_ATTEMPTS = 6
"""Attempts before a message is given up (about 10 minutes of retries, see retry_delay)."""
BASE_DELAY = timedelta(seconds=10)
MAX_DELAY = timedelta(minutes=30)
MAX_RETRY_AFTER = timedelta(hours=1)
TTL = timedelta(hours=12)
"""How long a push service keeps a message for an offline device, and how long we try."""


def retry_delay(attempts: int, retry_after: timedelta | None = None) -> timedelta:
    """The wait before the next attempt: 10 s, 20 s, 40 s ... at most 30 minutes.

    Args:
        attempts: Failed attempts so far (1 after the first failure).
        retry_after: The push service's Retry-After, honoured up to an hour.

    Raises:
        ValueError: `attempts` is below 1.
    """
    if attempts < 1:
        raise ValueError(f"attempts must be >= 1, got {attempts}")
    backoff = min(BASE_DELAY * (1 << min(attempts - 1, 16)), MAX_DELAY)
    if retry_after is not None and retry_after > timedelta(0):
        return max(backoff, min(retry_after, MAX_RETRY_AFTER))
    return backoff


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """A Retry-After header (seconds or an HTTP date) as a delay; None when absent or bad."""
    text = (value or "").strip()
    if text.isascii() and text.isdigit():
        return timedelta(seconds=int(text[:9]))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(when - now, timedelta(0))


def expired(created_at: datetime, now: datetime) -> bool:
    """Whether a queued message is too old to be worth showing."""
    return now - created_at > TTL


def urgency(kind: PushKind) -> str:
    """RFC 8030 Urgency: enquiries wake a phone at once, meeting news may wait for a moment."""
    return "high" if KINDS[kind].group == ENQUIRIES else "normal"


# --- VAPID (RFC 8292) -------------------------------------------------------------------------

VAPID_LIFETIME = timedelta(hours=12)  # a push service refuses tokens valid beyond 24 hours
_SUBJECT = re.compile(r"^(mailto:[^@\s]+@[^@\s]+|https://[^\s/]+(/\S*)?)$")


def audience(endpoint: str) -> str:
    """The origin of a push service endpoint, the JWT's `aud` (scheme://host[:port])."""
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not a push endpoint: {endpoint!r}")
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"


def vapid_claims(*, endpoint: str, subject: str, now: datetime) -> dict[str, str | int]:
    """The JWT claims for requests to this endpoint's push service."""
    return {
        "aud": audience(endpoint),
        "exp": int((now + VAPID_LIFETIME).timestamp()),
        "sub": subject,
    }


def vapid_subject(configured: str, base_url: str) -> str:
    """Who push services may contact about our traffic: a mailto: or https: URI.

    The configured one when given; else the site's https address; else a mailto: at its host.

    Raises:
        ValueError: the configured subject is neither mailto: nor https:.
    """
    configured = configured.strip()
    if configured:
        if not _SUBJECT.match(configured):
            raise ValueError(f"VAPID subject must be mailto: or https:, got {configured!r}")
        return configured
    parts = urlsplit(base_url)
    if parts.scheme == "https" and parts.hostname:
        return f"https://{parts.hostname}"
    return f"mailto:webpush@{parts.hostname or 'localhost'}"
