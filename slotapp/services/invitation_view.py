"""The participant's page of an invitation: its free times, or the meeting it was booked for.

Also the look-ups booking shares (services.invitation_booking): the invitation behind a
token, the booked meeting as the participant sees it, and the other free times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from slotapp.core.invitations import display_zone
from slotapp.core.tokens import hash_token
from slotapp.models import (
    Invitation,
    InvitationStatus,
    LinkKind,
    Meeting,
    MeetingParticipant,
    MeetingResource,
    Resource,
    ShareLink,
    User,
)
from slotapp.services.invitation_slots import stored_slots
from slotapp.services.links import INACTIVE, LinkError, resolve_link

__all__ = [
    "WITHDRAWN",
    "InvitationBooked",
    "InvitationPage",
    "booked_view",
    "by_token",
    "invitation_page",
    "other_times",
    "zone_for",
]

WITHDRAWN = "This invitation was withdrawn. Please contact the person who sent it."


@dataclass(frozen=True)
class InvitationBooked:
    """The booked meeting as the confirmation view (and "already booked") shows it."""

    invitation_id: int
    meeting_id: int
    start: datetime
    end: datetime
    title: str
    time_zone: str  # the zone to show times in
    inviter_name: str
    inviter_email: str
    participant_name: str
    participant_email: str
    meeting_type: str
    location: str
    video_url: str
    conferencing: str
    members: tuple[str, ...]
    resources: tuple[str, ...]
    notify_user_ids: tuple[int, ...]  # whose calendars and activity pages changed


@dataclass(frozen=True)
class InvitationPage:
    """What the participant's page shows: free times, or the booked meeting."""

    status: str  # "open" or "booked"
    subject: str
    inviter_name: str
    participant_name: str
    duration_minutes: int
    meeting_type: str
    location: str
    description: str  # empty when hidden from the participant
    time_zone: str
    slots: tuple[datetime, ...]
    booked: InvitationBooked | None = None


def by_token(session: Session, token: str) -> tuple[ShareLink, Invitation]:
    """The invitation behind a token, whatever its state.

    Raises:
        LinkError: no such invitation.
    """
    link = session.exec(
        select(ShareLink)
        .where(ShareLink.token_hash == hash_token(token or ""))
        .where(ShareLink.kind == LinkKind.INVITATION.value)
    ).first()
    invitation = (
        session.exec(select(Invitation).where(Invitation.link_id == link.id)).first()
        if link is not None
        else None
    )
    if link is None or invitation is None:
        raise LinkError("inactive", INACTIVE)
    return link, invitation


def booked_view(
    session: Session, invitation: Invitation, participant_zone: str | None
) -> InvitationBooked:
    """The booked meeting of `invitation`, in the zone the participant sees times in."""
    meeting = session.get(Meeting, invitation.meeting_id)
    inviter = session.get(User, invitation.inviter_id)
    assert meeting is not None and meeting.id is not None and inviter is not None
    assert invitation.id is not None
    members = session.exec(
        select(User.id, User.name)
        .join(MeetingParticipant, col(MeetingParticipant.user_id) == col(User.id))
        .where(MeetingParticipant.meeting_id == meeting.id)
        .order_by(col(User.name))
    ).all()
    resources = session.exec(
        select(Resource.name)
        .join(MeetingResource, col(MeetingResource.resource_id) == col(Resource.id))
        .where(MeetingResource.meeting_id == meeting.id)
        .order_by(col(Resource.name))
    ).all()
    return InvitationBooked(
        invitation_id=invitation.id,
        meeting_id=meeting.id,
        start=meeting.start_at,
        end=meeting.end_at,
        title=meeting.title,
        time_zone=zone_for(invitation, participant_zone or meeting.guest_time_zone),
        inviter_name=inviter.name,
        inviter_email=inviter.email,
        participant_name=invitation.participant_name,
        participant_email=invitation.participant_email,
        meeting_type=invitation.meeting_type,
        location=meeting.location,
        video_url=meeting.video_url,
        conferencing=invitation.conferencing,
        members=tuple(name for _, name in members),
        resources=tuple(resources),
        notify_user_ids=tuple(
            sorted({invitation.inviter_id, *(uid for uid, _ in members if uid is not None)})
        ),
    )


def zone_for(invitation: Invitation, participant_zone: str | None) -> str:
    """The zone to show the participant times in."""
    return display_zone(
        show_in_participant_zone=invitation.show_in_participant_zone,
        invitation_zone=invitation.time_zone,
        participant_zone=participant_zone,
    )


def invitation_page(
    *, session: Session, token: str, now: datetime, participant_time_zone: str | None = None
) -> InvitationPage:
    """What the participant sees behind their link: the free times, or the booked meeting.

    Raises:
        LinkError: unknown or withdrawn invitation, or a deactivated inviter.
    """
    link, invitation = by_token(session, token)
    inviter = session.get(User, invitation.inviter_id)
    assert inviter is not None
    booked = None
    slots: list[datetime] = []
    if invitation.status == InvitationStatus.BOOKED.value:
        booked = booked_view(session, invitation, participant_time_zone)
    elif invitation.status == InvitationStatus.CANCELLED.value:
        raise LinkError("inactive", WITHDRAWN)
    else:
        resolve_link(session=session, token=token, now=now)
        slots = stored_slots(session, invitation, now)
    return InvitationPage(
        status=InvitationStatus.BOOKED.value if booked else InvitationStatus.OPEN.value,
        subject=invitation.subject,
        inviter_name=inviter.name,
        participant_name=invitation.participant_name,
        duration_minutes=invitation.duration_minutes,
        meeting_type=invitation.meeting_type,
        location=invitation.location,
        description="" if invitation.hide_description else invitation.description,
        time_zone=zone_for(invitation, participant_time_zone),
        slots=tuple(slots),
        booked=booked,
    )


def other_times(engine: Engine, token: str, now: datetime) -> tuple[list[datetime], str]:
    """The invitation's free times (in a fresh session) and its zone, after a lost race."""
    with Session(engine, expire_on_commit=False) as session:
        _, invitation = by_token(session, token)
        return stored_slots(session, invitation, now), invitation.time_zone
