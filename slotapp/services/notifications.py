"""What people are told about a meeting: emails with .ics files, queued in the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from slotapp.core.ics import IcsEvent, Person, build_ics, ics_filename
from slotapp.core.wallclock import zone
from slotapp.models import Meeting, MeetingParticipant, ShareLink, User
from slotapp.services.mailer import Attachment, queue_email


def colleague_attendees(*, session: Session, meeting: Meeting, owner: User) -> tuple[Person, ...]:
    """The meeting's other participants (the colleagues of a shared link), by name."""
    users = session.exec(
        select(User)
        .join(MeetingParticipant, col(MeetingParticipant.user_id) == col(User.id))
        .where(MeetingParticipant.meeting_id == meeting.id)
        .where(col(User.id) != owner.id)
        .order_by(col(User.name))
    ).all()
    return tuple(Person(u.name, u.email) for u in users)


def meeting_event(
    meeting: Meeting,
    owner: User,
    *,
    sequence: int | None = None,
    colleagues: Sequence[Person] = (),
) -> IcsEvent:
    """The calendar event of a meeting, in the owner's time zone.

    Args:
        colleagues: other users taking part (see `colleague_attendees`); they are attendees
            beside the guest, so everyone's calendar shows who else is there.
    """
    return IcsEvent(
        uid=f"meeting-{meeting.id}@slotapp",
        sequence=meeting.sequence if sequence is None else sequence,
        start=meeting.start_at,
        end=meeting.end_at,
        summary=meeting.title,
        organizer=Person(owner.name, owner.email),
        attendees=(Person(meeting.guest_name, meeting.guest_email), *colleagues),
        time_zone=owner.time_zone,
        description=meeting.note,
        location=meeting.location,
        url=meeting.video_url,
        status="CONFIRMED" if meeting.status == "confirmed" else "CANCELLED",
    )


def describe_time(meeting: Meeting, time_zone: str) -> str:
    """'Monday 23 November 2026, 10:00-10:30 (Europe/Berlin)' in the reader's zone."""
    tz = zone(time_zone)
    start, end = meeting.start_at.astimezone(tz), meeting.end_at.astimezone(tz)
    return f"{start:%A %d %B %Y, %H:%M}-{end:%H:%M} ({time_zone})"


def meeting_booked(*, session: Session, meeting: Meeting, owner: User, now: datetime) -> None:
    """Queue the guest's confirmation (with .ics) and the owner's notice; nothing for tests."""
    if meeting.is_test:
        return
    colleagues = colleague_attendees(session=session, meeting=meeting, owner=owner)
    event = meeting_event(meeting, owner, colleagues=colleagues)
    ics = build_ics(event, method="REQUEST", now=now)
    attachment = Attachment(
        ics_filename(meeting.title, meeting.start_at), "text/calendar; method=REQUEST", ics
    )
    queue_email(
        session=session,
        to=meeting.guest_email,
        subject=f"Confirmed: {meeting.title}",
        body_text=(
            f"Hello {meeting.guest_name},\n\n"
            f"your meeting with {owner.name} is booked:\n"
            f"{describe_time(meeting, meeting.guest_time_zone)}\n\n"
            "The attached .ics file adds it to your calendar.\n"
        ),
        attachments=[attachment],
        meeting_id=meeting.id,
        now=now,
    )
    queue_email(
        session=session,
        to=owner.email,
        subject=f"New booking: {meeting.title}",
        body_text=(
            f"{meeting.guest_name} <{meeting.guest_email}> booked "
            f"{describe_time(meeting, owner.time_zone)}.\n"
            + (f"\nNote from the guest:\n{meeting.note}\n" if meeting.note else "")
        ),
        attachments=[attachment],
        meeting_id=meeting.id,
        now=now,
    )


def meeting_ics(*, session: Session, meeting_id: int, now: datetime) -> tuple[bytes, Meeting]:
    """A meeting's .ics for download ("Add to calendar"), in its owner's time zone."""
    meeting = session.get(Meeting, meeting_id)
    assert meeting is not None and meeting.source_link_id is not None
    link = session.get(ShareLink, meeting.source_link_id)
    owner = session.get(User, link.owner_id) if link else None
    assert owner is not None
    colleagues = colleague_attendees(session=session, meeting=meeting, owner=owner)
    event = meeting_event(meeting, owner, colleagues=colleagues)
    return build_ics(event, method="PUBLISH", now=now), meeting
