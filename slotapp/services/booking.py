"""Booking a slot through a link: one transaction that no race can double-book.

SQLite: the transaction takes the write lock at BEGIN (`serialized`), so two bookings run one
after the other and the second sees the first's meeting; a trigger refuses overlapping rows as
a last line of defence. PostgreSQL: the link row is locked and an exclusion constraint over
(user, time range) refuses the loser of any race.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, select

from slotapp.core.availability import SlotRules, available_slots
from slotapp.core.validation import (
    InvalidInput,
    known_time_zone,
    normalise_email,
    required_text,
    unstorable,
    utc_instant,
)
from slotapp.core.wallclock import align_unit, align_up, zone
from slotapp.db import is_retryable, serialized
from slotapp.models import Meeting, MeetingStatus, ShareLink, User
from slotapp.services import push
from slotapp.services.links import BOOKING_KINDS, resolve_link
from slotapp.services.meeting_rows import add_hosts, count_use
from slotapp.services.notifications import meeting_booked
from slotapp.services.schedules import host_schedules, link_hosts, rules_from
from slotapp.services.slot_settings import load_settings

SLOT_TAKEN = "That time was just taken. Please pick another."
# How often a booking runs again after a PostgreSQL deadlock (see db.is_retryable).
RETRIES = 3


class SlotTaken(Exception):
    """The chosen start is not (or no longer) bookable."""

    def __init__(self, message: str = SLOT_TAKEN) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class BookingRequest:
    """What a guest submits."""

    token: str
    start: datetime
    guest_name: str
    guest_email: str
    guest_time_zone: str
    note: str = ""
    booking_key: str | None = None  # same key twice (a double click) books once
    is_test: bool = False  # the owner's own test from "what will my contacts see"


@dataclass(frozen=True)
class Booked:
    """The booked meeting as the confirmation view shows it."""

    meeting_id: int
    start: datetime
    end: datetime
    title: str
    owner_name: str
    owner_email: str
    guest_name: str
    guest_email: str
    guest_time_zone: str
    is_test: bool
    repeated: bool  # True when this request's key had already booked
    host_ids: tuple[int, ...] = ()  # whose calendars show it (empty for a repeat)


def _clean(request: BookingRequest) -> BookingRequest:
    note = (request.note or "").strip()[:2000]
    if why := unstorable(note):
        raise InvalidInput("note", f"The note {why}.")
    return BookingRequest(
        token=request.token,
        start=utc_instant(request.start),
        guest_name=required_text(
            request.guest_name, field="name", label="your name", max_length=120
        ),
        guest_email=normalise_email(request.guest_email),
        guest_time_zone=known_time_zone(request.guest_time_zone),
        note=note,
        booking_key=(request.booking_key or None),
        is_test=request.is_test,
    )


def _booked(
    meeting: Meeting, owner: User, *, repeated: bool, host_ids: tuple[int, ...] = ()
) -> Booked:
    assert meeting.id is not None
    return Booked(
        meeting_id=meeting.id,
        start=meeting.start_at,
        end=meeting.end_at,
        title=meeting.title,
        owner_name=owner.name,
        owner_email=owner.email,
        guest_name=meeting.guest_name,
        guest_email=meeting.guest_email,
        guest_time_zone=meeting.guest_time_zone,
        is_test=meeting.is_test,
        repeated=repeated,
        host_ids=host_ids,
    )


def _repeat_of(session: Session, key: str | None) -> Booked | None:
    if not key:
        return None
    meeting = session.exec(select(Meeting).where(Meeting.booking_key == key)).first()
    if meeting is None or meeting.source_link_id is None:
        return None
    link = session.get(ShareLink, meeting.source_link_id)
    owner = session.get(User, link.owner_id) if link else None
    return _booked(meeting, owner, repeated=True) if owner else None


def _check_bookable(
    session: Session,
    owner: User,
    hosts: list[int],
    rules: SlotRules,
    start: datetime,
    now: datetime,
) -> None:
    """Raise SlotTaken unless `start` is one of the slots the link offers."""
    step = rules.step or rules.length
    if align_up(start, zone(owner.time_zone), align_unit(step)) != start:
        raise SlotTaken("That time is not one of the offered times. Please pick another.")
    end = start + rules.length
    schedules = host_schedules(session=session, user_ids=hosts, start=start, end=end)
    # A window of exactly the meeting: the engine offers `start` iff every rule allows it.
    if available_slots(schedules, rules, window_start=start, window_end=end, now=now) != [start]:
        raise SlotTaken()


def book(*, engine: Engine, request: BookingRequest, now: datetime) -> Booked:
    """Book `request.start` through the link, or refuse with a clear reason.

    Raises:
        InvalidInput: bad guest details (nothing stored).
        LinkError: the link is revoked, expired or used up (nothing stored).
        SlotTaken: the time is not free (any more); nothing stored.
    """
    request = _clean(request)
    for attempt in range(RETRIES):
        try:
            return _book_once(engine, request, now)
        except OperationalError as exc:
            # A deadlock inside the overlap guard: run again, and the second run sees the
            # winner's meeting (SlotTaken) or books when the two did not really overlap.
            if not is_retryable(exc) or attempt == RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _book_once(engine: Engine, request: BookingRequest, now: datetime) -> Booked:
    try:
        with Session(serialized(engine), expire_on_commit=False) as session:
            repeat = _repeat_of(session, request.booking_key)
            if repeat is not None:
                return repeat
            link = resolve_link(
                session=session, token=request.token, now=now, lock=True, kinds=BOOKING_KINDS
            )
            owner = session.get(User, link.owner_id)
            assert owner is not None and link.id is not None
            settings = load_settings(session=session, user_id=link.owner_id)
            rules = rules_from(settings)
            hosts = link_hosts(session=session, link=link)
            _check_bookable(session, owner, hosts, rules, request.start, now)
            meeting = Meeting(
                title=f"{request.guest_name} and {owner.name}",
                start_at=request.start,
                end_at=request.start + rules.length,
                status=MeetingStatus.CONFIRMED.value,
                guest_name=request.guest_name,
                guest_email=request.guest_email,
                guest_time_zone=request.guest_time_zone,
                note=request.note,
                source_link_id=link.id,
                buffer_before_minutes=settings.buffer_before_minutes,
                buffer_after_minutes=settings.buffer_after_minutes,
                is_test=request.is_test,
                organizer_id=owner.id,
                booking_key=request.booking_key,
                created_at=now,
                updated_at=now,
            )
            session.add(meeting)
            session.flush()
            assert meeting.id is not None
            add_hosts(session, meeting, hosts)
            count_use(session, link, now)
            session.flush()
            meeting_booked(session=session, meeting=meeting, owner=owner, now=now)
            push.meeting_booked(session=session, meeting=meeting, host_ids=hosts, now=now)
            session.commit()
            return _booked(meeting, owner, repeated=False, host_ids=tuple(hosts))
    except IntegrityError as exc:
        # Lost a race the database settled: the same key (double click) or an overlap.
        with Session(engine, expire_on_commit=False) as session:
            repeat = _repeat_of(session, request.booking_key)
        if repeat is not None:
            return repeat
        raise SlotTaken() from exc
    except OperationalError as exc:
        if "overlap" in str(exc):  # SQLite's trigger
            raise SlotTaken() from exc
        raise
