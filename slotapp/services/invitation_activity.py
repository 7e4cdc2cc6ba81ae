"""Following up on invitations: the Activity page's listing and its actions.

The listing of open and booked invitations, and what can be done with one afterwards: copy
its links again, send or resend the email, cancel it. Creating one is services.invitations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from slotapp.core.meetings import Actor, NotAllowed
from slotapp.models import Invitation, InvitationStatus, Meeting, ShareLink, User
from slotapp.services.invitation_mail import invitation_email_text
from slotapp.services.invitation_slots import stored_slots
from slotapp.services.invitations import InvitationLinks, links_for
from slotapp.services.mailer import queue_email

__all__ = [
    "Activity",
    "BookedRow",
    "OpenRow",
    "activity",
    "cancel_invitation",
    "invitation_links",
    "resend_invitation",
    "send_invitation_email",
]


@dataclass(frozen=True)
class OpenRow:
    """An open invitation on the Activity page."""

    invitation_id: int
    participant_name: str
    participant_email: str
    subject: str
    created_at: datetime
    sent_at: datetime | None
    slots_available: int


@dataclass(frozen=True)
class BookedRow:
    """A booked invitation's meeting on the Activity page."""

    invitation_id: int
    meeting_id: int
    title: str
    start: datetime
    end: datetime
    participant_name: str
    participant_email: str
    meeting_status: str


@dataclass(frozen=True)
class Activity:
    """The Activity page's two tabs."""

    invitations: tuple[OpenRow, ...]
    meetings: tuple[BookedRow, ...]


# --- the listing ----------------------------------------------------------------------


def activity(*, session: Session, user_id: int, now: datetime) -> Activity:
    """The user's open invitations (newest first) and booked ones' meetings (soonest first)."""
    rows = session.exec(
        select(Invitation)
        .where(Invitation.inviter_id == user_id)
        .where(
            col(Invitation.status).in_([InvitationStatus.OPEN.value, InvitationStatus.BOOKED.value])
        )
        .order_by(col(Invitation.created_at).desc(), col(Invitation.id).desc())
    ).all()
    open_rows: list[OpenRow] = []
    booked_ids = {r.meeting_id: r for r in rows if r.status == InvitationStatus.BOOKED.value}
    for inv in rows:
        if inv.status != InvitationStatus.OPEN.value:
            continue
        assert inv.id is not None
        open_rows.append(
            OpenRow(
                invitation_id=inv.id,
                participant_name=inv.participant_name,
                participant_email=inv.participant_email,
                subject=inv.subject,
                created_at=inv.created_at,
                sent_at=inv.sent_at,
                slots_available=len(stored_slots(session, inv, now)),
            )
        )
    meetings = session.exec(
        select(Meeting)
        .where(col(Meeting.id).in_([m for m in booked_ids if m is not None]))
        .order_by(col(Meeting.start_at))
    ).all()
    booked_rows = []
    for meeting in meetings:
        inv = booked_ids[meeting.id]
        assert inv.id is not None and meeting.id is not None
        booked_rows.append(
            BookedRow(
                invitation_id=inv.id,
                meeting_id=meeting.id,
                title=meeting.title,
                start=meeting.start_at,
                end=meeting.end_at,
                participant_name=inv.participant_name,
                participant_email=inv.participant_email,
                meeting_status=meeting.status,
            )
        )
    return Activity(tuple(open_rows), tuple(booked_rows))


# --- the actions ----------------------------------------------------------------------


def _own(session: Session, actor: Actor, invitation_id: int) -> Invitation:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or not (actor.is_admin or invitation.inviter_id == actor.user_id):
        raise NotAllowed("Only the person who sent an invitation (or an admin) can do that.")
    return invitation


def invitation_links(
    *,
    session: Session,
    actor: Actor,
    invitation_id: int,
    secret: bytes,
    base_url: str | None = None,
) -> InvitationLinks:
    """The links again ("Copy meeting links"), for the inviter or an admin."""
    invitation = _own(session, actor, invitation_id)
    link = session.get(ShareLink, invitation.link_id) if invitation.link_id else None
    if link is None:
        raise NotAllowed("This invitation has no link any more.")
    return links_for(invitation, link, secret, base_url)


def send_invitation_email(
    *,
    session: Session,
    actor: Actor,
    invitation_id: int,
    secret: bytes,
    now: datetime,
    base_url: str | None = None,
) -> InvitationLinks:
    """Queue the invitation email to the participant ("Send via email", and "Resend").

    Raises:
        NotAllowed: not the inviter or an admin, or the invitation is no longer open.
    """
    invitation = _own(session, actor, invitation_id)
    if invitation.status != InvitationStatus.OPEN.value:
        raise NotAllowed("Only an open invitation can be sent.")
    links = invitation_links(
        session=session, actor=actor, invitation_id=invitation_id, secret=secret, base_url=base_url
    )
    inviter = session.get(User, invitation.inviter_id)
    assert inviter is not None
    queue_email(
        session=session,
        to=invitation.participant_email,
        subject=f"{inviter.name} invites you: {invitation.subject}",
        body_text=invitation_email_text(invitation, inviter, links),
        now=now,
    )
    invitation.sent_at = now
    session.add(invitation)
    session.flush()
    return links


resend_invitation = send_invitation_email


def cancel_invitation(*, session: Session, actor: Actor, invitation_id: int, now: datetime) -> None:
    """Withdraw an open invitation: its links stop working at once."""
    invitation = _own(session, actor, invitation_id)
    if invitation.status != InvitationStatus.OPEN.value:
        raise NotAllowed("Only an open invitation can be cancelled.")
    invitation.status = InvitationStatus.CANCELLED.value
    link = session.get(ShareLink, invitation.link_id) if invitation.link_id else None
    if link is not None and link.revoked_at is None:
        link.revoked_at = now
        session.add(link)
    session.add(invitation)
    session.flush()
