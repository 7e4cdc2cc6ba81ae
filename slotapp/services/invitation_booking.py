"""Booking an invitation through its single-use link (a picked time or a one-click link).

Booking runs like the link booking (see services.booking): one serialized transaction that
re-checks the slot, and database guards against overlapping people and resources. The
participant's page is services.invitation_view.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col, select

from slotapp.core.invitation_form import MEETING_TYPE_LABELS
from slotapp.core.invitations import choose_resource, render_title
from slotapp.core.meetings import video_room_url
from slotapp.core.validation import InvalidInput
from slotapp.db import lost_race, serialized
from slotapp.models import (
    InvitationMember,
    InvitationStatus,
    Meeting,
    MeetingResource,
    MeetingStatus,
    Resource,
    ShareLink,
    User,
)
from slotapp.services import push
from slotapp.services.invitation_mail import queue_booking_mail
from slotapp.services.invitation_slots import frame_of, free_slots, linked_ids, stored_inputs
from slotapp.services.invitation_view import (
    WITHDRAWN,
    InvitationBooked,
    booked_view,
    by_token,
    other_times,
    zone_for,
)
from slotapp.services.links import LinkError, resolve_link
from slotapp.services.meeting_rows import add_hosts, count_use
from slotapp.settings import get_settings

__all__ = [
    "AlreadyBooked",
    "SlotUnavailable",
    "book_invitation",
]

SLOT_GONE = "That time was just taken. Please pick one of the other free times."


class AlreadyBooked(Exception):
    """The invitation was booked already; `booked` is that meeting."""

    def __init__(self, booked: InvitationBooked) -> None:
        super().__init__(f"This invitation is already booked: {booked.title}")
        self.message = "This invitation is already booked."
        self.booked = booked


class SlotUnavailable(Exception):
    """The chosen time is not free (any more); `other_slots` are the free ones."""

    def __init__(self, message: str, other_slots: Sequence[datetime], time_zone: str) -> None:
        super().__init__(message)
        self.message = message
        self.other_slots = tuple(other_slots)
        self.time_zone = time_zone


def book_invitation(
    *,
    engine: Engine,
    token: str,
    start: datetime,
    now: datetime,
    participant_time_zone: str | None = None,
) -> InvitationBooked:
    """Book `start` through the invitation link (a picked time or a one-click link).

    One serialized transaction: the slot is checked again, each pool's first free resource
    (by name) is taken, the meeting is created with the team as hosts and the resources
    held, the invitation becomes booked and its link used, and the emails are queued.

    Raises:
        AlreadyBooked: the invitation was booked before (carries that meeting).
        SlotUnavailable: the time is not free (any more); carries the other free times.
        LinkError: unknown or withdrawn invitation, or expired link.
        InvalidInput: a start without a time zone.
    """
    if start.tzinfo is None or start.utcoffset() is None:
        raise InvalidInput("start", "The start time must include its time zone.")
    start = start.astimezone(UTC)
    try:
        with Session(serialized(engine), expire_on_commit=False) as session:
            booked = _book(session, token, start, now, participant_time_zone)
            session.commit()
            return booked
    except (IntegrityError, OperationalError) as exc:
        # The database guards refused an overlap another transaction created meanwhile.
        if isinstance(exc, OperationalError) and not lost_race(exc):
            raise
        with Session(engine, expire_on_commit=False) as session:
            _, invitation = by_token(session, token)
            if invitation.status == InvitationStatus.BOOKED.value:
                raise AlreadyBooked(
                    booked_view(session, invitation, participant_time_zone)
                ) from exc
        others, zone = other_times(engine, token, now)
        raise SlotUnavailable(SLOT_GONE, others, zone) from exc


def _book(
    session: Session, token: str, start: datetime, now: datetime, participant_zone: str | None
) -> InvitationBooked:
    link, invitation = by_token(session, token)
    # Queue behind any booking of this link (PostgreSQL; SQLite is serialized already), then
    # read the invitation again: the booking ahead of us may have taken it.
    session.exec(select(ShareLink.id).where(ShareLink.id == link.id).with_for_update()).first()
    session.refresh(invitation)
    if invitation.status == InvitationStatus.BOOKED.value:
        raise AlreadyBooked(booked_view(session, invitation, participant_zone))
    if invitation.status == InvitationStatus.CANCELLED.value:
        raise LinkError("inactive", WITHDRAWN)
    resolve_link(session=session, token=token, now=now)
    frame = frame_of(invitation)
    length = timedelta(minutes=invitation.duration_minutes)
    try:
        inputs = stored_inputs(session, invitation)
    except InvalidInput as exc:
        raise SlotUnavailable(exc.message, [], invitation.time_zone) from exc
    if free_slots(inputs, frame, length, now, (start, start + length)) != [start]:
        others = free_slots(inputs, frame, length, now)
        raise SlotUnavailable(SLOT_GONE, others, invitation.time_zone)
    held = list(inputs.room_ids)
    for pool in inputs.pools.values():
        chosen = choose_resource(frame, length, pool, start, now)
        assert chosen is not None  # the slot check above found one
        held.append(chosen.id)
    inviter = session.get(User, invitation.inviter_id)
    assert inviter is not None and invitation.id is not None
    member_ids = linked_ids(session, InvitationMember, "user_id", invitation.id)
    team = [u for u in session.exec(select(User).where(col(User.id).in_(member_ids))).all()]
    names = {r.id: r.name for r in session.exec(select(Resource).where(col(Resource.id).in_(held)))}
    kind = MEETING_TYPE_LABELS.get(invitation.meeting_type, invitation.meeting_type)
    title = render_title(
        invitation.title_template,
        {
            "subject": invitation.subject,
            "participant": invitation.participant_name,
            "inviter": inviter.name,
            "type": kind,
        },
    )
    note = [invitation.description] if not invitation.hide_description else []
    note += [invitation.conferencing] if invitation.conferencing else []
    place = ", ".join(p for p in (invitation.location, *(names[r] for r in held)) if p)
    video = ""
    if invitation.generate_video:
        video = video_room_url(get_settings().video_base_url, secrets.token_urlsafe(12))
    meeting = Meeting(
        title=title,
        start_at=start,
        end_at=start + length,
        status=MeetingStatus.CONFIRMED.value,
        guest_name=invitation.participant_name,
        guest_email=invitation.participant_email,
        guest_time_zone=zone_for(invitation, participant_zone),
        # A hidden description stays on the invitation: whatever is on the meeting may
        # reach the participant later (calendar files of changes).
        note="\n\n".join(n for n in note if n)[:2000],
        location=place[:300],
        video_url=video,
        source_link_id=link.id,
        organizer_id=inviter.id,
        created_at=now,
        updated_at=now,
    )
    session.add(meeting)
    session.flush()
    assert meeting.id is not None
    add_hosts(session, meeting, member_ids)
    for rid in held:
        session.add(
            MeetingResource(
                meeting_id=meeting.id,
                resource_id=rid,
                start_at=meeting.start_at,
                end_at=meeting.end_at,
            )
        )
    invitation.status = InvitationStatus.BOOKED.value
    invitation.meeting_id = meeting.id
    session.add(invitation)
    count_use(session, link, now)
    session.flush()
    queue_booking_mail(session, invitation, meeting, inviter, team, now)
    booked = booked_view(session, invitation, participant_zone)
    push.invitation_booked(
        session=session, meeting=meeting, user_ids=booked.notify_user_ids, now=now
    )
    return booked
