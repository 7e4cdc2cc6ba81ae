"""The emails of an invitation: the participant's invitation and the booked meeting's mails."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from icalendar import Calendar
from sqlmodel import Session

from slotapp.core.ics import IcsEvent, Person, build_ics, ics_filename
from slotapp.core.invitation_form import MEETING_TYPE_LABELS
from slotapp.models import Invitation, Meeting, User
from slotapp.services.mailer import Attachment, queue_email
from slotapp.services.meeting_mail import describe

if TYPE_CHECKING:
    from slotapp.services.invitations import InvitationLinks


def _details(invitation: Invitation) -> list[str]:
    kind = MEETING_TYPE_LABELS.get(invitation.meeting_type, invitation.meeting_type)
    lines = [f"{invitation.subject} ({invitation.duration_minutes} minutes, {kind.lower()})"]
    if invitation.location:
        lines.append(f"Location: {invitation.location}")
    if invitation.conferencing:
        lines.append(f"Conferencing: {invitation.conferencing}")
    if invitation.description and not invitation.hide_description:
        lines += ["", invitation.description]
    return lines


def invitation_email_text(invitation: Invitation, inviter: User, links: InvitationLinks) -> str:
    """The participant's personalised email; the description is left out when hidden."""
    length = timedelta(minutes=invitation.duration_minutes)
    lines = [
        f"Hello {invitation.participant_name},",
        "",
        f"{inviter.name} invites you to a meeting:",
        *_details(invitation),
        "",
    ]
    if links.promoted:
        lines.append("Click a time to book it at once:")
        for p in links.promoted:
            lines.append(f"- {describe(p.start, p.start + length, invitation.time_zone)}")
            lines.append(f"  {p.url}")
        lines += ["", "None of these suits you? Pick another time:", links.url]
    else:
        lines += ["Pick a time that suits you:", links.url]
    lines += ["", f"The link is for you only and books one meeting with {inviter.name}."]
    return "\n".join(lines) + "\n"


def _private(ics: bytes) -> bytes:
    """The same calendar with CLASS:PRIVATE on its event (calendar event setting "private")."""
    cal = Calendar.from_ical(ics)
    for event in cal.walk("VEVENT"):
        event.add("class", "PRIVATE")
    data: bytes = cal.to_ical()
    return data


def queue_booking_mail(
    session: Session,
    invitation: Invitation,
    meeting: Meeting,
    inviter: User,
    team: Sequence[User],
    now: datetime,
) -> None:
    """The participant's .ics and confirmation (per the two switches); every member's event."""
    people = [Person(u.name, u.email) for u in team if u.id != inviter.id]
    guest = Person(meeting.guest_name, meeting.guest_email)
    attendees = (guest, *people) if invitation.add_to_calendar else tuple(people)
    event = IcsEvent(
        uid=f"meeting-{meeting.id}@slotapp",
        sequence=0,
        start=meeting.start_at,
        end=meeting.end_at,
        summary=meeting.title,
        organizer=Person(inviter.name, inviter.email),
        attendees=attendees,
        time_zone=inviter.time_zone,
        description=meeting.note,
        location=meeting.location,
        url=meeting.video_url,
    )
    ics = build_ics(event, method="REQUEST", now=now)
    if invitation.is_private:
        ics = _private(ics)
    attachment = Attachment(
        ics_filename(meeting.title, meeting.start_at), "text/calendar; method=REQUEST", ics
    )
    when = describe(meeting.start_at, meeting.end_at, meeting.guest_time_zone)
    extra = [
        line
        for line in (
            f"Location: {meeting.location}" if meeting.location else "",
            f"Video: {meeting.video_url}" if meeting.video_url else "",
            f"Conferencing: {invitation.conferencing}" if invitation.conferencing else "",
        )
        if line
    ]
    if invitation.send_confirmation or invitation.add_to_calendar:
        body = [f"Hello {meeting.guest_name},", "", f"your meeting with {inviter.name} is booked:"]
        body += [meeting.title, when, *extra]
        if invitation.add_to_calendar:
            body += ["", "The attached .ics file adds it to your calendar."]
        queue_email(
            session=session,
            to=meeting.guest_email,
            subject=f"Confirmed: {meeting.title}"
            if invitation.send_confirmation
            else f"Invitation: {meeting.title}",
            body_text="\n".join(body) + "\n",
            attachments=[attachment] if invitation.add_to_calendar else [],
            meeting_id=meeting.id,
            now=now,
        )
    for user in {u.id: u for u in (inviter, *team)}.values():
        queue_email(
            session=session,
            to=user.email,
            subject=f"Booked: {meeting.title}",
            body_text=(
                f"{meeting.guest_name} <{meeting.guest_email}> accepted the invitation "
                f"'{invitation.subject}':\n"
                f"{describe(meeting.start_at, meeting.end_at, user.time_zone)}\n"
                + "".join(f"{line}\n" for line in extra)
            ),
            attachments=[attachment],
            meeting_id=meeting.id,
            now=now,
        )
