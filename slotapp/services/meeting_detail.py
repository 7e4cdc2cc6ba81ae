"""A meeting as the people taking part see it: its details and what the viewer may do."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from slotapp.core.meetings import Actor, MeetingFacts, may_edit, may_view
from slotapp.models import Meeting, MeetingParticipant, MeetingStatus, User


class MeetingNotFound(Exception):
    """No such meeting, or not one this user may see (the two are not told apart)."""


@dataclass(frozen=True)
class Attendee:
    """A user taking part in a meeting."""

    user_id: int
    name: str
    email: str
    is_host: bool


@dataclass(frozen=True)
class MeetingDetail:
    """A meeting as its detail page shows it, with what the viewer may do."""

    id: int
    title: str
    start: datetime
    end: datetime
    status: str
    guest_name: str
    guest_email: str
    guest_time_zone: str
    note: str
    location: str
    video_url: str
    is_test: bool
    sequence: int
    organizer_id: int | None
    organizer_name: str
    attendees: tuple[Attendee, ...]
    may_edit: bool
    may_reschedule: bool


def load_meeting(session: Session, meeting_id: int) -> tuple[Meeting, list[MeetingParticipant]]:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise MeetingNotFound(meeting_id)
    parts = list(
        session.exec(
            select(MeetingParticipant).where(MeetingParticipant.meeting_id == meeting_id)
        ).all()
    )
    return meeting, parts


def facts_of(meeting: Meeting, parts: Sequence[MeetingParticipant]) -> MeetingFacts:
    return MeetingFacts(
        organizer_id=meeting.organizer_id,
        participant_ids=frozenset(p.user_id for p in parts),
        start=meeting.start_at,
        end=meeting.end_at,
        active=meeting.status == MeetingStatus.CONFIRMED.value,
    )


def detail_of(
    session: Session,
    meeting: Meeting,
    parts: Sequence[MeetingParticipant],
    actor: Actor,
    now: datetime,
) -> MeetingDetail:
    facts = facts_of(meeting, parts)
    users = users_by_id(session, [p.user_id for p in parts] + [meeting.organizer_id or 0])
    organizer = users.get(meeting.organizer_id or 0)
    open_to_change = facts.active and meeting.end_at > now
    assert meeting.id is not None
    return MeetingDetail(
        id=meeting.id,
        title=meeting.title,
        start=meeting.start_at,
        end=meeting.end_at,
        status=meeting.status,
        guest_name=meeting.guest_name,
        guest_email=meeting.guest_email,
        guest_time_zone=meeting.guest_time_zone,
        note=meeting.note,
        location=meeting.location,
        video_url=meeting.video_url,
        is_test=meeting.is_test,
        sequence=meeting.sequence,
        organizer_id=meeting.organizer_id,
        organizer_name=organizer.name if organizer else "",
        attendees=tuple(
            Attendee(p.user_id, users[p.user_id].name, users[p.user_id].email, p.is_host)
            for p in sorted(parts, key=lambda p: (not p.is_host, users[p.user_id].name))
            if p.user_id in users
        ),
        may_edit=open_to_change and may_edit(actor, facts),
        may_reschedule=open_to_change and actor.is_admin,
    )


def users_by_id(session: Session, ids: Sequence[int]) -> dict[int, User]:
    rows = session.exec(select(User).where(col(User.id).in_(list(set(ids))))).all()
    return {u.id: u for u in rows if u.id is not None}


def meeting_detail(
    *, session: Session, meeting_id: int, actor: Actor, now: datetime
) -> MeetingDetail:
    """The meeting if `actor` may see it; MeetingNotFound otherwise."""
    meeting, parts = load_meeting(session, meeting_id)
    if not may_view(actor, facts_of(meeting, parts)):
        raise MeetingNotFound(meeting_id)
    return detail_of(session, meeting, parts, actor, now)
