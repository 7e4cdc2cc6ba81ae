"""What people are told about a meeting: emails with .ics files, queued in the outbox."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from slotapp.core.ics import IcsEvent, Person, build_ics, ics_filename
from slotapp.core.wallclock import zone
from slotapp.models import Meeting, ShareLink, User
from slotapp.services.mailer import Attachment, queue_email


def meeting_event(meeting: Meeting, owner: User, *, sequence: int = 0) -> IcsEvent:
    """The calendar event of a meeting, in the owner's time zone."""
    return IcsEvent(
        uid=f"meeting-{meeting.id}@slotapp",
        sequence=sequence,
        start=meeting.start_at,
        end=meeting.end_at,
        summary=meeting.title,
        organizer=Person(owner.name, owner.email),
        attendees=(Person(meeting.guest_name, meeting.guest_email),),
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
    ics = build_ics(meeting_event(meeting, owner), method="REQUEST", now=now)
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
    return build_ics(meeting_event(meeting, owner), method="PUBLISH", now=now), meeting
