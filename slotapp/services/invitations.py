"""Invitations, the inviter's side: count slots live, create and send, copy links, follow up.

The participant's page and booking are in services.invitation_booking, the emails in
services.invitation_mail, the loading of schedules for the engine in services.invitation_slots.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, col, select

from slotapp.core.invitation_form import (
    CleanInvitation,
    InvitationDraft,
    InvitationInvalid,
    clean_draft,
    start_param,
)
from slotapp.core.invitations import frame_window, no_slots_reason, suggest_slots
from slotapp.core.meetings import Actor, NotAllowed
from slotapp.core.validation import InvalidInput
from slotapp.models import (
    Invitation,
    InvitationMember,
    InvitationPool,
    InvitationResource,
    InvitationStatus,
    LinkKind,
    Meeting,
    ShareLink,
    User,
)

# The participant's side, importable from here as well.
from slotapp.services.invitation_booking import (
    AlreadyBooked,
    InvitationBooked,
    InvitationPage,
    SlotUnavailable,
    book_invitation,
    invitation_page,
)
from slotapp.services.invitation_mail import invitation_email_text
from slotapp.services.invitation_slots import SlotInputs, free_slots, load_inputs, stored_slots
from slotapp.services.links import create_link, token_for
from slotapp.services.mailer import queue_email
from slotapp.services.meeting_mail import describe
from slotapp.settings import get_settings

__all__ = [
    "Activity",
    "AlreadyBooked",
    "BookedRow",
    "InvitationBooked",
    "InvitationInvalid",
    "InvitationLinks",
    "InvitationPage",
    "NoSlots",
    "NotAllowed",
    "OpenRow",
    "PromotedLink",
    "SlotCount",
    "SlotUnavailable",
    "activity",
    "book_invitation",
    "cancel_invitation",
    "count_slots",
    "create_invitation",
    "invitation_links",
    "invitation_page",
    "invitation_path",
    "resend_invitation",
    "send_invitation_email",
]


# --- results -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotCount:
    """The live counter of the form: how many starts, or why none (a field error or a reason)."""

    count: int
    reason: str = ""
    errors: dict[str, str] | None = None
    starts: tuple[datetime, ...] = ()  # the free starts, to choose promoted ones from


@dataclass(frozen=True)
class PromotedLink:
    """A one-click link that books `start` directly."""

    start: datetime
    url: str


@dataclass(frozen=True)
class InvitationLinks:
    """What "Copy meeting links" copies: the single link and the promoted ones."""

    invitation_id: int
    url: str
    promoted: tuple[PromotedLink, ...]
    time_zone: str  # the invitation's zone, to label the promoted times


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


class NoSlots(Exception):
    """An invitation with no bookable time; `message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- the form ----------------------------------------------------------------------------


def count_slots(*, session: Session, draft: InvitationDraft, now: datetime) -> SlotCount:
    """The live counter: how many starts the draft offers, or why none.

    Read only; a few queries per member, room and pool plus the engine, so it can run on
    every edit of the form.
    """
    try:
        clean = clean_draft(draft, now=now)
        inputs = load_inputs(
            session, clean.frame, clean.member_ids, clean.resource_ids, clean.pool_ids
        )
    except InvitationInvalid as exc:
        first = next(iter(exc.errors.values()), "")
        return SlotCount(0, first, exc.errors)
    except InvalidInput as exc:
        return SlotCount(0, exc.message, {exc.field: exc.message})
    slots = free_slots(inputs, clean.frame, clean.length, now)
    if slots:
        return SlotCount(len(slots), starts=tuple(slots))
    return SlotCount(0, _reason(inputs, clean, now))


def _reason(inputs: SlotInputs, clean: CleanInvitation, now: datetime) -> str:
    return no_slots_reason(
        clean.frame,
        clean.length,
        members=inputs.members,
        rooms=inputs.rooms,
        pools=inputs.pools,
        now=now,
    )


def invitation_path(token: str, start: datetime | None = None) -> str:
    """The participant's page; with `start`, the one-click link that books that start."""
    path = f"/invite/{token}"
    return f"{path}?start={start_param(start)}" if start is not None else path


def _base(base_url: str | None) -> str:
    return (base_url or get_settings().base_url).rstrip("/")


def create_invitation(
    *,
    session: Session,
    inviter_id: int,
    draft: InvitationDraft,
    secret: bytes,
    now: datetime,
    base_url: str | None = None,
) -> InvitationLinks:
    """Store the invitation and its single-use link; the links to send or copy.

    With `draft.promote`, the chosen `promoted_starts` (each must be free) or else up to
    `promote_count` suggested starts become one-click links.

    Raises:
        InvitationInvalid: per-field errors (nothing stored).
        NoSlots: no time is free; its message says why (nothing stored).
    """
    clean = clean_draft(draft, now=now)
    try:
        inputs = load_inputs(
            session, clean.frame, clean.member_ids, clean.resource_ids, clean.pool_ids
        )
    except InvalidInput as exc:
        raise InvitationInvalid({exc.field: exc.message}) from exc
    slots = free_slots(inputs, clean.frame, clean.length, now)
    if not slots:
        raise NoSlots(_reason(inputs, clean, now))
    promoted: list[datetime] = []
    if clean.promote:
        free = set(slots)
        if taken := [s for s in clean.promoted_starts if s not in free]:
            when = describe(taken[0], taken[0] + clean.length, clean.frame.time_zone)
            raise InvitationInvalid({"promoted_starts": f"{when} is not free. Pick another time."})
        promoted = list(clean.promoted_starts) or suggest_slots(
            slots, clean.frame.time_zone, clean.promote_count
        )
    link, _ = create_link(
        session=session,
        owner_id=inviter_id,
        kind=LinkKind.INVITATION,
        secret=secret,
        now=now,
        title=clean.subject,
        max_uses=1,
        expires_at=frame_window(clean.frame)[1],  # no use after the time frame
    )
    invitation = Invitation(
        inviter_id=inviter_id,
        link_id=link.id,
        participant_name=clean.participant_name,
        participant_email=clean.participant_email,
        subject=clean.subject,
        duration_minutes=int(clean.length.total_seconds()) // 60,
        description=clean.description,
        hide_description=clean.hide_description,
        conferencing=clean.conferencing,
        generate_video=clean.generate_video,
        meeting_type=clean.meeting_type,
        location=clean.location,
        date_from=clean.frame.date_from,
        date_to=clean.frame.date_to,
        daily_from=clean.frame.day_start,
        daily_to=clean.frame.day_end,
        time_zone=clean.frame.time_zone,
        show_in_participant_zone=clean.show_in_participant_zone,
        title_template=clean.title_template,
        is_private=clean.is_private,
        add_to_calendar=clean.add_to_calendar,
        send_confirmation=clean.send_confirmation,
        promoted_starts=[s.astimezone(UTC).isoformat() for s in promoted],
        status=InvitationStatus.OPEN.value,
        created_at=now,
    )
    session.add(invitation)
    session.flush()
    assert invitation.id is not None
    for uid in clean.member_ids:
        session.add(InvitationMember(invitation_id=invitation.id, user_id=uid))
    for rid in clean.resource_ids:
        session.add(InvitationResource(invitation_id=invitation.id, resource_id=rid))
    for pid in clean.pool_ids:
        session.add(InvitationPool(invitation_id=invitation.id, pool_id=pid))
    session.flush()
    return _links(invitation, link, secret, base_url)


def _promoted(invitation: Invitation) -> list[datetime]:
    return [datetime.fromisoformat(s).astimezone(UTC) for s in invitation.promoted_starts]


def _links(
    invitation: Invitation, link: ShareLink, secret: bytes, base_url: str | None
) -> InvitationLinks:
    assert invitation.id is not None
    token = token_for(link, secret)
    base = _base(base_url)
    return InvitationLinks(
        invitation_id=invitation.id,
        url=base + invitation_path(token),
        promoted=tuple(
            PromotedLink(s, base + invitation_path(token, s)) for s in _promoted(invitation)
        ),
        time_zone=invitation.time_zone,
    )


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
    return _links(invitation, link, secret, base_url)


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


# --- following up ------------------------------------------------------------------------


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
