"""Invitations, the inviter's side: count slots live, create one and make its links.

Following up (the Activity page, copying the links again, sending, cancelling) is in
services.invitation_activity; the participant's page in services.invitation_view and booking
in services.invitation_booking; the emails in services.invitation_mail; the loading of
schedules for the engine in services.invitation_slots.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session

from slotapp.core.invitation_form import (
    CleanInvitation,
    InvitationDraft,
    InvitationInvalid,
    clean_draft,
    start_param,
)
from slotapp.core.invitations import frame_window, no_slots_reason, suggest_slots
from slotapp.core.validation import InvalidInput
from slotapp.models import (
    Invitation,
    InvitationMember,
    InvitationPool,
    InvitationResource,
    InvitationStatus,
    LinkKind,
    ShareLink,
)
from slotapp.services.invitation_slots import SlotInputs, free_slots, load_inputs
from slotapp.services.links import create_link, token_for
from slotapp.services.meeting_mail import describe
from slotapp.settings import get_settings

__all__ = [
    "InvitationInvalid",
    "InvitationLinks",
    "NoSlots",
    "PromotedLink",
    "SlotCount",
    "count_slots",
    "create_invitation",
    "invitation_path",
    "links_for",
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
    return links_for(invitation, link, secret, base_url)


def _promoted(invitation: Invitation) -> list[datetime]:
    return [datetime.fromisoformat(s).astimezone(UTC) for s in invitation.promoted_starts]


def links_for(
    invitation: Invitation, link: ShareLink, secret: bytes, base_url: str | None
) -> InvitationLinks:
    """The invitation's single link and its promoted one-click links, as full URLs."""
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
