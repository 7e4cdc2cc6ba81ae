"""A user's slotapp meetings as a private, revocable calendar address (an .ics feed)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from slotapp.core.feed_tokens import (
    subscription_token,
    subscription_token_matches,
    subscription_user_id,
)
from slotapp.core.ics import FeedEntry, build_feed_ics
from slotapp.core.tokens import new_salt
from slotapp.core.validation import InvalidInput
from slotapp.models import Meeting, MeetingParticipant, User
from slotapp.services.notifications import meeting_event

# Meetings this long past are still served, so a calendar keeps recent history.
SUBSCRIPTION_PAST = timedelta(days=90)


def subscription(*, session: Session, user_id: int, secret: bytes) -> str | None:
    """The token of the user's private calendar address, or None while it is off."""
    user = session.get(User, user_id)
    if user is None or user.ics_feed_salt is None:
        return None
    return subscription_token(secret, user_id, user.ics_feed_salt)


def enable_subscription(*, session: Session, user_id: int, secret: bytes) -> str:
    """Switch the address on (keeping the current one if it is on) and return its token."""
    return _set_salt(session, user_id, secret, renew=False)


def renew_subscription(*, session: Session, user_id: int, secret: bytes) -> str:
    """Revoke the address: a new one replaces it, and the old one answers 404 at once."""
    return _set_salt(session, user_id, secret, renew=True)


def disable_subscription(*, session: Session, user_id: int) -> None:
    """Switch the address off."""
    user = session.get(User, user_id)
    if user is not None:
        user.ics_feed_salt = None
        session.add(user)
        session.flush()


def _set_salt(session: Session, user_id: int, secret: bytes, *, renew: bool) -> str:
    user = session.get(User, user_id)
    if user is None:
        raise InvalidInput("user", "Unknown user.")
    if renew or user.ics_feed_salt is None:
        user.ics_feed_salt = new_salt()
        session.add(user)
        session.flush()
    return subscription_token(secret, user_id, user.ics_feed_salt)


@dataclass(frozen=True)
class SubscriptionCalendar:
    """The served file and its entity tag (a hash of the bytes)."""

    body: bytes
    etag: str


def subscription_calendar(
    *, session: Session, token: str, secret: bytes, now: datetime
) -> SubscriptionCalendar | None:
    """The .ics of a user's meetings behind a subscription token; None if unknown or revoked.

    Confirmed meetings that are not tests, from SUBSCRIPTION_PAST ago on; cancelled and
    declined ones come with STATUS:CANCELLED so that a calendar that showed them drops them.
    """
    user_id = subscription_user_id(token)
    user = session.get(User, user_id) if user_id is not None else None
    if user is None or user.id is None or not user.is_active or user.ics_feed_salt is None:
        return None
    if not subscription_token_matches(token, secret, user.id, user.ics_feed_salt):
        return None
    meetings = session.exec(
        select(Meeting)
        .join(MeetingParticipant, col(MeetingParticipant.meeting_id) == col(Meeting.id))
        .where(MeetingParticipant.user_id == user.id)
        .where(col(Meeting.is_test).is_(False))
        .where(col(Meeting.end_at) > now - SUBSCRIPTION_PAST)
        .order_by(col(Meeting.start_at), col(Meeting.id))
    ).all()
    organizers = {user.id: user}
    entries = []
    for meeting in meetings:
        organizer_id = meeting.organizer_id or user.id
        if organizer_id not in organizers:
            organizers[organizer_id] = session.get(User, organizer_id) or user
        event = meeting_event(meeting, organizers[organizer_id], sequence=meeting.sequence)
        entries.append(FeedEntry(event, meeting.updated_at))
    body = build_feed_ics(entries, name=f"slotapp · {user.name}", time_zone=user.time_zone, now=now)
    return SubscriptionCalendar(body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
