"""What the public link API reads: a link's free slots in a window, and why a token fails."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from slotapp.core.link_api import slot_window
from slotapp.core.tokens import hash_token
from slotapp.core.validation import known_time_zone
from slotapp.models import ShareLink, User
from slotapp.services.links import BOOKING_KINDS, resolve_link
from slotapp.services.schedules import link_slots
from slotapp.services.slot_settings import load_settings


@dataclass(frozen=True)
class OfferedSlots:
    """A link's public facts and its free starts (UTC) within one window."""

    owner_name: str
    length_minutes: int
    time_zone: str
    window_start: datetime
    window_end: datetime
    starts: tuple[datetime, ...]


def offered_slots(
    *,
    session: Session,
    token: str,
    start: datetime | None,
    end: datetime | None,
    time_zone: str,
    now: datetime,
) -> OfferedSlots:
    """The starts the link offers in [start, end), computed as for the guest page.

    Args:
        start: Aware window start, or None for now.
        end: Aware window end, or None for the owner's booking window (capped). The window is
            clipped to the times that can hold slots (see `core.link_api.slot_window`).
        time_zone: The zone the caller shows times in (checked here, used by the caller).

    Raises:
        InvalidInput: unknown time zone (field "tz"), a naive or too long window.
        LinkError: the link cannot be booked.
    """
    tz_name = known_time_zone(time_zone, field="tz")
    link = resolve_link(session=session, token=token, now=now, kinds=BOOKING_KINDS)
    owner = session.get(User, link.owner_id)
    assert owner is not None
    settings = load_settings(session=session, user_id=link.owner_id)
    lo, hi = slot_window(start, end, now=now, booking_window_days=settings.booking_window_days)
    starts = link_slots(session=session, link=link, start=lo, end=hi, now=now) if lo < hi else []
    return OfferedSlots(owner.name, settings.length_minutes, tz_name, lo, hi, tuple(starts))


def is_unknown_token(*, session: Session, token: str) -> bool:
    """True when no link, live or not, was ever made with `token`.

    `resolve_link` says "inactive" both for a token never issued and for a revoked link; an
    API answers the first with 404 and the second with 410 (gone).
    """
    found = session.exec(select(ShareLink.id).where(ShareLink.token_hash == hash_token(token)))
    return found.first() is None
