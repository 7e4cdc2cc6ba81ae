"""A booked meeting seen and changed by its people: details, edits, decline, reschedule.

Every change runs in one serialized transaction that also queues the emails it causes, so a
change and its notice are stored together or not at all. The database's no-overlap guard
(see models.meetings) settles races; the checks here only name the person who is busy.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col, select

from slotapp.core.meetings import (
    Actor,
    NotAllowed,
    check_edit,
    check_reschedule,
    clean_location,
    clean_title,
    may_view,
    video_room_url,
)
from slotapp.db import lost_race, serialized
from slotapp.models import Meeting, MeetingParticipant, MeetingStatus, User
from slotapp.services import meeting_mail, push
from slotapp.services.meeting_detail import (
    MeetingDetail,
    MeetingNotFound,
    detail_of,
    facts_of,
    load_meeting,
    users_by_id,
)
from slotapp.settings import get_settings


class Busy(Exception):
    """Someone taking part already has a meeting at that time."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Changed:
    """A change made: the meeting now, and the users whose calendars show it."""

    detail: MeetingDetail
    user_ids: tuple[int, ...]


def _busy_names(
    session: Session, user_ids: Sequence[int], start: datetime, end: datetime, meeting_id: int
) -> list[str]:
    """Names of those with another blocking meeting overlapping [start, end)."""
    rows = session.exec(
        select(MeetingParticipant.user_id)
        .where(col(MeetingParticipant.user_id).in_(list(user_ids)))
        .where(col(MeetingParticipant.blocks).is_(True))
        .where(MeetingParticipant.meeting_id != meeting_id)
        .where(col(MeetingParticipant.start_at) < end)
        .where(col(MeetingParticipant.end_at) > start)
    ).all()
    users = users_by_id(session, list(rows))
    return sorted(u.name for u in users.values())


def _busy_message(names: list[str]) -> str:
    who = " and ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + " and " + names[-1]
    verb = "has" if len(names) == 1 else "have"
    return f"{who} already {verb} a meeting at that time."


def _recipients(
    session: Session,
    meeting: Meeting,
    parts: Sequence[MeetingParticipant],
    *,
    only: Sequence[int] | None = None,
) -> list[tuple[str, str, str]]:
    """The guest and every attendee other than the organizer (or just `only`)."""
    ids = [p.user_id for p in parts if p.user_id != meeting.organizer_id]
    users = users_by_id(session, ids if only is None else list(only))
    result = [] if only is not None else [meeting_mail.guest_of(meeting)]
    return result + [meeting_mail.colleague(u) for u in users.values()]


def _organizer(session: Session, meeting: Meeting) -> User:
    organizer = session.get(User, meeting.organizer_id) if meeting.organizer_id else None
    if organizer is None:
        raise NotAllowed("This meeting has no organizer any more; it cannot be changed.")
    return organizer


@contextmanager
def _change(engine: Engine) -> Iterator[Session]:
    """A serialized session whose overlap refusals (a lost race) become Busy."""
    try:
        with Session(serialized(engine), expire_on_commit=False) as session:
            yield session
    except IntegrityError as exc:
        raise Busy("Someone taking part already has a meeting at that time.") from exc
    except OperationalError as exc:
        if lost_race(exc):
            raise Busy("Someone taking part already has a meeting at that time.") from exc
        raise


def update_meeting(
    *,
    engine: Engine,
    meeting_id: int,
    actor: Actor,
    title: str,
    location: str,
    video: bool,
    attendee_ids: Sequence[int],
    now: datetime,
) -> Changed:
    """Rename, set the place and video room, and set the colleagues added as attendees.

    Hosts stay; attendees not in `attendee_ids` are removed. A new attendee must be free.
    Raises MeetingNotFound, NotAllowed, InvalidInput or Busy; nothing changes when raised.
    """
    title, location = clean_title(title), clean_location(location)
    with _change(engine) as session:
        meeting, parts = load_meeting(session, meeting_id)
        facts = facts_of(meeting, parts)
        if not may_view(actor, facts):
            raise MeetingNotFound(meeting_id)
        check_edit(actor, facts, now=now)
        organizer = _organizer(session, meeting)
        hosts = {p.user_id for p in parts if p.is_host}
        wanted = set(attendee_ids) - hosts
        known = users_by_id(session, list(wanted))
        if missing := wanted - {uid for uid, u in known.items() if u.is_active}:
            raise NotAllowed(f"No active colleague with id {sorted(missing)[0]}.")
        current = {p.user_id: p for p in parts if not p.is_host}
        added = sorted(wanted - current.keys())
        if added and (
            names := _busy_names(session, added, meeting.start_at, meeting.end_at, meeting_id)
        ):
            raise Busy(_busy_message(names))
        for uid in current.keys() - wanted:
            session.delete(current[uid])
        for uid in added:
            session.add(
                MeetingParticipant(
                    meeting_id=meeting_id,
                    user_id=uid,
                    is_host=False,
                    start_at=meeting.start_at,
                    end_at=meeting.end_at,
                    blocks=True,
                )
            )
        before = (meeting.title, meeting.location, meeting.video_url)
        if video and not meeting.video_url:
            room = secrets.token_urlsafe(12)
            meeting.video_url = video_room_url(get_settings().video_base_url, room)
        elif not video:
            meeting.video_url = ""
        meeting.title, meeting.location = title, location
        details_changed = before != (meeting.title, meeting.location, meeting.video_url)
        removed = current.keys() - wanted
        if details_changed or added or removed:
            meeting.sequence += 1
            meeting.updated_at = now
        session.add(meeting)
        session.flush()
        parts_now = [p for p in parts if p.user_id not in removed]
        if details_changed:
            meeting_mail.meeting_updated(
                session=session,
                meeting=meeting,
                organizer=organizer,
                recipients=_recipients(session, meeting, parts_now),
                what=f'{organizer.name} updated the meeting "{meeting.title}".',
                now=now,
            )
        if added:
            meeting_mail.meeting_updated(
                session=session,
                meeting=meeting,
                organizer=organizer,
                recipients=_recipients(session, meeting, parts_now, only=added),
                what=f'{organizer.name} added you to "{meeting.title}" with {meeting.guest_name}.',
                now=now,
            )
        session.commit()
        meeting, parts = load_meeting(session, meeting_id)
        everyone = tuple(sorted({p.user_id for p in parts} | set(current)))
        return Changed(detail_of(session, meeting, parts, actor, now), everyone)


def decline_meeting(
    *, engine: Engine, meeting_id: int, actor: Actor, reason: str = "", now: datetime
) -> Changed:
    """Cancel the meeting: its time is free again, the guest and attendees are emailed."""
    reason = (reason or "").strip()[:1000]
    with _change(engine) as session:
        meeting, parts = load_meeting(session, meeting_id)
        facts = facts_of(meeting, parts)
        if not may_view(actor, facts):
            raise MeetingNotFound(meeting_id)
        check_edit(actor, facts, now=now)
        organizer = _organizer(session, meeting)
        meeting.status = MeetingStatus.DECLINED.value
        meeting.sequence += 1
        meeting.updated_at = now
        for part in parts:
            part.blocks = False
            session.add(part)
        session.add(meeting)
        session.flush()
        meeting_mail.meeting_declined(
            session=session,
            meeting=meeting,
            organizer=organizer,
            recipients=_recipients(session, meeting, parts),
            reason=reason,
            now=now,
        )
        push.meeting_cancelled(
            session=session,
            meeting=meeting,
            user_ids=[organizer.id, *(p.user_id for p in parts)],
            actor_id=actor.user_id,
            now=now,
        )
        session.commit()
        return Changed(
            detail_of(session, meeting, parts, actor, now), tuple(sorted(p.user_id for p in parts))
        )


def reschedule_meeting(
    *, engine: Engine, meeting_id: int, actor: Actor, new_start: datetime, now: datetime
) -> Changed:
    """Move the meeting (admins only), keeping its length; everyone gets the updated .ics.

    An admin may move it outside the hosts' open hours (they decide), but never onto another
    meeting of anyone taking part: that is refused by name, and by the database in a race.
    """
    with _change(engine) as session:
        meeting, parts = load_meeting(session, meeting_id)
        facts = facts_of(meeting, parts)
        if not may_view(actor, facts):
            raise MeetingNotFound(meeting_id)
        start = check_reschedule(actor, facts, new_start, now=now)
        organizer = _organizer(session, meeting)
        end = start + (meeting.end_at - meeting.start_at)
        ids = [p.user_id for p in parts if p.blocks]
        if names := _busy_names(session, ids, start, end, meeting_id):
            raise Busy(_busy_message(names))
        old_start, old_end = meeting.start_at, meeting.end_at
        meeting.start_at, meeting.end_at = start, end
        meeting.sequence += 1
        meeting.updated_at = now
        for part in parts:
            part.start_at, part.end_at = start, end
            session.add(part)
        session.add(meeting)
        session.flush()
        meeting_mail.meeting_rescheduled(
            session=session,
            meeting=meeting,
            organizer=organizer,
            recipients=_recipients(session, meeting, parts)
            + ([meeting_mail.colleague(organizer)] if organizer.id != actor.user_id else []),
            old_start=old_start,
            old_end=old_end,
            now=now,
        )
        session.commit()
        return Changed(
            detail_of(session, meeting, parts, actor, now), tuple(sorted(p.user_id for p in parts))
        )
