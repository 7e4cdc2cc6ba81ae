"""Emails about a change to a booked meeting, each with the .ics that updates calendars."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlmodel import Session

from slotapp.core.ics import build_ics, ics_filename
from slotapp.core.wallclock import zone
from slotapp.models import Meeting, User
from slotapp.services.mailer import Attachment, queue_email
from slotapp.services.notifications import colleague_attendees, meeting_event


def _ics(
    session: Session, meeting: Meeting, organizer: User, method: str, now: datetime
) -> Attachment:
    colleagues = colleague_attendees(session=session, meeting=meeting, owner=organizer)
    event = meeting_event(meeting, organizer, colleagues=colleagues)
    data = build_ics(event, method=method, now=now)
    return Attachment(
        ics_filename(meeting.title, meeting.start_at), f"text/calendar; method={method}", data
    )


def _send(
    session: Session,
    meeting: Meeting,
    recipients: Sequence[tuple[str, str, str]],  # (email, greeting name, time zone)
    subject: str,
    body: Callable[[str], str],  # given the reader's time zone
    attachment: Attachment,
    now: datetime,
) -> None:
    if meeting.is_test:
        return
    for email, name, time_zone in recipients:
        queue_email(
            session=session,
            to=email,
            subject=subject,
            body_text=f"Hello {name},\n\n{body(time_zone)}",
            attachments=[attachment],
            meeting_id=meeting.id,
            now=now,
        )


def describe(start: datetime, end: datetime, time_zone: str) -> str:
    """'Monday 23 November 2026, 10:00-10:30 (Europe/Berlin)' in the reader's zone."""
    tz = zone(time_zone)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    return f"{local_start:%A %d %B %Y, %H:%M}-{local_end:%H:%M} ({time_zone})"


def _when(meeting: Meeting) -> Callable[[str], str]:
    return lambda tz: describe(meeting.start_at, meeting.end_at, tz)


def guest_of(meeting: Meeting) -> tuple[str, str, str]:
    """The external guest as a recipient."""
    return (meeting.guest_email, meeting.guest_name, meeting.guest_time_zone)


def colleague(user: User) -> tuple[str, str, str]:
    """A user taking part, as a recipient."""
    return (user.email, user.name, user.time_zone)


def meeting_declined(
    *,
    session: Session,
    meeting: Meeting,
    organizer: User,
    recipients: Sequence[tuple[str, str, str]],
    reason: str,
    now: datetime,
) -> None:
    """Tell the guest (and attendees) the meeting will not take place; CANCEL removes it."""
    at = _when(meeting)
    _send(
        session,
        meeting,
        recipients,
        f"Declined: {meeting.title}",
        lambda tz: (
            f"{organizer.name} declined the meeting planned for\n{at(tz)}.\n"
            + (f"\nTheir message:\n{reason}\n" if reason else "")
            + "\nThe attached file removes it from your calendar.\n"
        ),
        _ics(session, meeting, organizer, "CANCEL", now),
        now,
    )


def meeting_rescheduled(
    *,
    session: Session,
    meeting: Meeting,
    organizer: User,
    recipients: Sequence[tuple[str, str, str]],
    old_start: datetime,
    old_end: datetime,
    now: datetime,
) -> None:
    """Tell everyone the new time, with the updated .ics (same UID, higher SEQUENCE)."""
    at = _when(meeting)

    def was(tz: str) -> str:
        return describe(old_start, old_end, tz)

    _send(
        session,
        meeting,
        recipients,
        f"New time: {meeting.title}",
        lambda tz: (
            f"your meeting with {organizer.name} has moved to\n{at(tz)}\n(it was {was(tz)}).\n\n"
            "The attached file updates it in your calendar.\n"
        ),
        _ics(session, meeting, organizer, "REQUEST", now),
        now,
    )


def meeting_updated(
    *,
    session: Session,
    meeting: Meeting,
    organizer: User,
    recipients: Sequence[tuple[str, str, str]],
    what: str,
    now: datetime,
) -> None:
    """Tell people of a change of name, place or video link, or that they were added."""
    at = _when(meeting)
    _send(
        session,
        meeting,
        recipients,
        f"Updated: {meeting.title}",
        lambda tz: (
            f"{what}\n\n{at(tz)}\n"
            + (f"Location: {meeting.location}\n" if meeting.location else "")
            + (f"Video: {meeting.video_url}\n" if meeting.video_url else "")
            + "\nThe attached file updates it in your calendar.\n"
        ),
        _ics(session, meeting, organizer, "REQUEST", now),
        now,
    )
