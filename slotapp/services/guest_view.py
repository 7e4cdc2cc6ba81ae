"""What a guest sees of a link: public facts and free times, grouped by the guest's day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from slotapp.core.availability import group_by_local_date
from slotapp.core.validation import known_time_zone
from slotapp.core.wallclock import zone
from slotapp.models import User
from slotapp.services.links import BOOKING_KINDS, resolve_link
from slotapp.services.schedules import link_slots
from slotapp.services.slot_settings import load_settings

MAX_DAYS = 60


@dataclass(frozen=True)
class DaySlots:
    """One of the guest's local days and its free starts (UTC)."""

    day: str  # ISO date in the guest's zone
    label: str  # "Mon 23 Nov"
    starts: tuple[datetime, ...]


@dataclass(frozen=True)
class GuestView:
    """Only what a guest may know: the owner's name, the meeting length, the free times."""

    owner_name: str
    owner_id: int
    length_minutes: int
    days: tuple[DaySlots, ...]


def guest_view(*, session: Session, token: str, guest_time_zone: str, now: datetime) -> GuestView:
    """The link's public facts and every free time in its booking window.

    Raises:
        LinkError: the link cannot be booked.
        InvalidInput: unknown guest time zone.
    """
    tz_name = known_time_zone(guest_time_zone)
    link = resolve_link(session=session, token=token, now=now, kinds=BOOKING_KINDS)
    owner = session.get(User, link.owner_id)
    assert owner is not None and owner.id is not None
    settings = load_settings(session=session, user_id=owner.id)
    days_ahead = min(settings.booking_window_days, MAX_DAYS)
    slots = link_slots(
        session=session, link=link, start=now, end=now + timedelta(days=days_ahead + 1), now=now
    )
    tz = zone(tz_name)
    first = now.astimezone(tz).date()
    grouped = group_by_local_date(slots, tz_name)
    days = []
    for offset in range(days_ahead + 1):
        day = first + timedelta(days=offset)
        days.append(DaySlots(day.isoformat(), f"{day:%a %d %b}", tuple(grouped.get(day, []))))
    return GuestView(owner.name, owner.id, settings.length_minutes, tuple(days))
