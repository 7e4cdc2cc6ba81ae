"""Invitations: count slots live, create and send, book through the single-use link, follow up.

Booking runs like the link booking (see services.booking): one serialized transaction that
re-checks the slot, and database guards against overlapping people and resources.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, col, select

from slotapp.core.availability import HostSchedule
from slotapp.core.ics import IcsEvent, Person, build_ics, ics_filename
from slotapp.core.invitations import (
    MEETING_TYPE_LABELS,
    Bookable,
    CleanInvitation,
    InvitationDraft,
    InvitationInvalid,
    TimeFrame,
    choose_resource,
    clean_draft,
    display_zone,
    frame_window,
    invitation_slots,
    no_slots_reason,
    render_title,
    start_param,
    suggest_slots,
)
from slotapp.core.meetings import Actor, NotAllowed, video_room_url
from slotapp.core.tokens import hash_token
from slotapp.core.validation import InvalidInput
from slotapp.db import serialized
from slotapp.models import (
    Invitation,
    InvitationMember,
    InvitationPool,
    InvitationResource,
    InvitationStatus,
    LinkKind,
    Meeting,
    MeetingParticipant,
    MeetingResource,
    MeetingStatus,
    Resource,
    ResourcePool,
    ShareLink,
    User,
)
from slotapp.services.links import INACTIVE, LinkError, create_link, resolve_link, token_for
from slotapp.services.mailer import Attachment, queue_email
from slotapp.services.meeting_mail import describe
from slotapp.services.resources import pool_resources, resource_schedules
from slotapp.services.schedules import host_schedules
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

WITHDRAWN = "This invitation was withdrawn. Please contact the person who sent it."
SLOT_GONE = "That time was just taken. Please pick one of the other free times."


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


class AlreadyBooked(Exception):
    """The invitation was booked already; `booked` is that meeting."""

    def __init__(self, booked: InvitationBooked) -> None:
        super().__init__(f"This invitation is already booked: {booked.title}")
        self.message = "This invitation is already booked."
        self.booked = booked


class SlotUnavailable(Exception):
    """The chosen time is not free (any more); `other_slots` are the free ones."""

    def __init__(self, message: str, other_slots: Sequence[datetime], time_zone: str) -> None:
        super().__init__(message)
        self.message = message
        self.other_slots = tuple(other_slots)
        self.time_zone = time_zone


# --- inputs of the engine ----------------------------------------------------------------


@dataclass(frozen=True)
class _Inputs:
    members: dict[str, HostSchedule]  # by name, in the order given
    rooms: dict[str, HostSchedule]
    room_ids: tuple[int, ...]
    pools: dict[str, list[Bookable]]


def _load_inputs(
    session: Session,
    frame: TimeFrame,
    member_ids: Sequence[int],
    resource_ids: Sequence[int],
    pool_ids: Sequence[int],
) -> _Inputs:
    """Every member's, room's and pool resource's schedule over the frame.

    Raises:
        InvalidInput: an unknown or deactivated member, room or pool.
    """
    start, end = frame_window(frame)
    users = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(member_ids)))}
    for uid in member_ids:
        if uid not in users or not users[uid].is_active:
            raise InvalidInput("member_ids", "A chosen team member no longer has an account.")
    schedules = host_schedules(session=session, user_ids=member_ids, start=start, end=end)
    members = {users[uid].name: s for uid, s in zip(member_ids, schedules, strict=True)}
    rows = {
        r.id: r for r in session.exec(select(Resource).where(col(Resource.id).in_(resource_ids)))
    }
    for rid in resource_ids:
        if rid not in rows or not rows[rid].is_active:
            raise InvalidInput("resource_ids", "A chosen room is no longer available.")
    pool_rows = {
        p.id: p
        for p in session.exec(select(ResourcePool).where(col(ResourcePool.id).in_(pool_ids)))
    }
    if any(pid not in pool_rows for pid in pool_ids):
        raise InvalidInput("pool_ids", "A chosen resource pool no longer exists.")
    in_pools = pool_resources(session=session, pool_ids=pool_ids)
    pool_member_ids = [r.id for views in in_pools.values() for r in views]
    times = resource_schedules(
        session=session, resource_ids=[*resource_ids, *pool_member_ids], start=start, end=end
    )
    return _Inputs(
        members=members,
        rooms={rows[rid].name: times[rid] for rid in resource_ids},
        room_ids=tuple(resource_ids),
        pools={
            pool_rows[pid].name: [Bookable(r.id, r.name, times[r.id]) for r in in_pools[pid]]
            for pid in pool_ids
        },
    )


def _slots(
    inputs: _Inputs,
    frame: TimeFrame,
    length: timedelta,
    now: datetime,
    within: tuple[datetime, datetime] | None = None,
) -> list[datetime]:
    return invitation_slots(
        frame,
        length,
        members=list(inputs.members.values()),
        rooms=list(inputs.rooms.values()),
        pools=list(inputs.pools.values()),
        now=now,
        within=within,
    )


def _frame(invitation: Invitation) -> TimeFrame:
    return TimeFrame(
        invitation.date_from,
        invitation.date_to,
        invitation.daily_from,
        invitation.daily_to,
        invitation.time_zone,
    )


def _ids(
    session: Session,
    table: type[InvitationMember] | type[InvitationResource] | type[InvitationPool],
    column: str,
    invitation_id: int,
) -> list[int]:
    rows = session.exec(select(table).where(table.invitation_id == invitation_id)).all()
    return sorted(getattr(r, column) for r in rows)


def _stored_inputs(session: Session, invitation: Invitation) -> _Inputs:
    assert invitation.id is not None
    return _load_inputs(
        session,
        _frame(invitation),
        _ids(session, InvitationMember, "user_id", invitation.id),
        _ids(session, InvitationResource, "resource_id", invitation.id),
        _ids(session, InvitationPool, "pool_id", invitation.id),
    )


def _stored_slots(
    session: Session,
    invitation: Invitation,
    now: datetime,
    within: tuple[datetime, datetime] | None = None,
) -> list[datetime]:
    """The invitation's free starts now; none when a member or room is gone."""
    try:
        inputs = _stored_inputs(session, invitation)
    except InvalidInput:
        return []
    length = timedelta(minutes=invitation.duration_minutes)
    return _slots(inputs, _frame(invitation), length, now, within)


# --- the form ----------------------------------------------------------------------------


def count_slots(*, session: Session, draft: InvitationDraft, now: datetime) -> SlotCount:
    """The live counter: how many starts the draft offers, or why none.

    Read only; a few queries per member, room and pool plus the engine, so it can run on
    every edit of the form.
    """
    try:
        clean = clean_draft(draft, now=now)
        inputs = _load_inputs(
            session, clean.frame, clean.member_ids, clean.resource_ids, clean.pool_ids
        )
    except InvitationInvalid as exc:
        first = next(iter(exc.errors.values()), "")
        return SlotCount(0, first, exc.errors)
    except InvalidInput as exc:
        return SlotCount(0, exc.message, {exc.field: exc.message})
    slots = _slots(inputs, clean.frame, clean.length, now)
    if slots:
        return SlotCount(len(slots), starts=tuple(slots))
    return SlotCount(0, _reason(inputs, clean, now))


def _reason(inputs: _Inputs, clean: CleanInvitation, now: datetime) -> str:
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
        inputs = _load_inputs(
            session, clean.frame, clean.member_ids, clean.resource_ids, clean.pool_ids
        )
    except InvalidInput as exc:
        raise InvitationInvalid({exc.field: exc.message}) from exc
    slots = _slots(inputs, clean.frame, clean.length, now)
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


# --- sending -----------------------------------------------------------------------------


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


# --- the participant ---------------------------------------------------------------------


def _by_token(session: Session, token: str) -> tuple[ShareLink, Invitation]:
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


def _booked_view(
    session: Session, invitation: Invitation, participant_zone: str | None
) -> InvitationBooked:
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
        time_zone=_zone_for(invitation, participant_zone or meeting.guest_time_zone),
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


def _zone_for(invitation: Invitation, participant_zone: str | None) -> str:
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
    link, invitation = _by_token(session, token)
    inviter = session.get(User, invitation.inviter_id)
    assert inviter is not None
    booked = None
    slots: list[datetime] = []
    if invitation.status == InvitationStatus.BOOKED.value:
        booked = _booked_view(session, invitation, participant_time_zone)
    elif invitation.status == InvitationStatus.CANCELLED.value:
        raise LinkError("inactive", WITHDRAWN)
    else:
        resolve_link(session=session, token=token, now=now)
        slots = _stored_slots(session, invitation, now)
    return InvitationPage(
        status=InvitationStatus.BOOKED.value if booked else InvitationStatus.OPEN.value,
        subject=invitation.subject,
        inviter_name=inviter.name,
        participant_name=invitation.participant_name,
        duration_minutes=invitation.duration_minutes,
        meeting_type=invitation.meeting_type,
        location=invitation.location,
        description="" if invitation.hide_description else invitation.description,
        time_zone=_zone_for(invitation, participant_time_zone),
        slots=tuple(slots),
        booked=booked,
    )


def _private(ics: bytes) -> bytes:
    """The same calendar with CLASS:PRIVATE on its event (calendar event setting "private")."""
    cal = Calendar.from_ical(ics)
    for event in cal.walk("VEVENT"):
        event.add("class", "PRIVATE")
    data: bytes = cal.to_ical()
    return data


def _meeting_mail(
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


def _other_times(engine: Engine, token: str, now: datetime) -> tuple[list[datetime], str]:
    with Session(engine, expire_on_commit=False) as session:
        _, invitation = _by_token(session, token)
        return _stored_slots(session, invitation, now), invitation.time_zone


def book_invitation(
    *,
    engine: Engine,
    token: str,
    start: datetime,
    now: datetime,
    participant_time_zone: str | None = None,
) -> InvitationBooked:
    """Book `start` through the invitation link (a picked time or a one-click link).

    One serialized transaction: the slot is checked again, each pool's first free resource
    (by name) is taken, the meeting is created with the team as hosts and the resources
    held, the invitation becomes booked and its link used, and the emails are queued.

    Raises:
        AlreadyBooked: the invitation was booked before (carries that meeting).
        SlotUnavailable: the time is not free (any more); carries the other free times.
        LinkError: unknown or withdrawn invitation, or expired link.
        InvalidInput: a start without a time zone.
    """
    if start.tzinfo is None or start.utcoffset() is None:
        raise InvalidInput("start", "The start time must include its time zone.")
    start = start.astimezone(UTC)
    try:
        with Session(serialized(engine), expire_on_commit=False) as session:
            booked = _book(session, token, start, now, participant_time_zone)
            session.commit()
            return booked
    except (IntegrityError, OperationalError) as exc:
        # The database guards refused an overlap another transaction created meanwhile.
        if isinstance(exc, OperationalError) and "overlap" not in str(exc):
            raise
        with Session(engine, expire_on_commit=False) as session:
            _, invitation = _by_token(session, token)
            if invitation.status == InvitationStatus.BOOKED.value:
                raise AlreadyBooked(
                    _booked_view(session, invitation, participant_time_zone)
                ) from exc
        others, zone = _other_times(engine, token, now)
        raise SlotUnavailable(SLOT_GONE, others, zone) from exc


def _book(
    session: Session, token: str, start: datetime, now: datetime, participant_zone: str | None
) -> InvitationBooked:
    link, invitation = _by_token(session, token)
    # Queue behind any booking of this link (PostgreSQL; SQLite is serialized already), then
    # read the invitation again: the booking ahead of us may have taken it.
    session.exec(select(ShareLink.id).where(ShareLink.id == link.id).with_for_update()).first()
    session.refresh(invitation)
    if invitation.status == InvitationStatus.BOOKED.value:
        raise AlreadyBooked(_booked_view(session, invitation, participant_zone))
    if invitation.status == InvitationStatus.CANCELLED.value:
        raise LinkError("inactive", WITHDRAWN)
    resolve_link(session=session, token=token, now=now)
    frame = _frame(invitation)
    length = timedelta(minutes=invitation.duration_minutes)
    try:
        inputs = _stored_inputs(session, invitation)
    except InvalidInput as exc:
        raise SlotUnavailable(exc.message, [], invitation.time_zone) from exc
    if _slots(inputs, frame, length, now, (start, start + length)) != [start]:
        others = _slots(inputs, frame, length, now)
        raise SlotUnavailable(SLOT_GONE, others, invitation.time_zone)
    held = list(inputs.room_ids)
    for pool in inputs.pools.values():
        chosen = choose_resource(frame, length, pool, start, now)
        assert chosen is not None  # the slot check above found one
        held.append(chosen.id)
    inviter = session.get(User, invitation.inviter_id)
    assert inviter is not None and invitation.id is not None
    member_ids = _ids(session, InvitationMember, "user_id", invitation.id)
    team = [u for u in session.exec(select(User).where(col(User.id).in_(member_ids))).all()]
    names = {r.id: r.name for r in session.exec(select(Resource).where(col(Resource.id).in_(held)))}
    kind = MEETING_TYPE_LABELS.get(invitation.meeting_type, invitation.meeting_type)
    title = render_title(
        invitation.title_template,
        {
            "subject": invitation.subject,
            "participant": invitation.participant_name,
            "inviter": inviter.name,
            "type": kind,
        },
    )
    note = [invitation.description] if not invitation.hide_description else []
    note += [invitation.conferencing] if invitation.conferencing else []
    place = ", ".join(p for p in (invitation.location, *(names[r] for r in held)) if p)
    video = ""
    if invitation.generate_video:
        video = video_room_url(get_settings().video_base_url, secrets.token_urlsafe(12))
    meeting = Meeting(
        title=title,
        start_at=start,
        end_at=start + length,
        status=MeetingStatus.CONFIRMED.value,
        guest_name=invitation.participant_name,
        guest_email=invitation.participant_email,
        guest_time_zone=_zone_for(invitation, participant_zone),
        # A hidden description stays on the invitation: whatever is on the meeting may
        # reach the participant later (calendar files of changes).
        note="\n\n".join(n for n in note if n)[:2000],
        location=place[:300],
        video_url=video,
        source_link_id=link.id,
        organizer_id=inviter.id,
        created_at=now,
        updated_at=now,
    )
    session.add(meeting)
    session.flush()
    assert meeting.id is not None
    for uid in member_ids:
        session.add(
            MeetingParticipant(
                meeting_id=meeting.id,
                user_id=uid,
                is_host=True,
                start_at=meeting.start_at,
                end_at=meeting.end_at,
            )
        )
    for rid in held:
        session.add(
            MeetingResource(
                meeting_id=meeting.id,
                resource_id=rid,
                start_at=meeting.start_at,
                end_at=meeting.end_at,
            )
        )
    invitation.status = InvitationStatus.BOOKED.value
    invitation.meeting_id = meeting.id
    link.use_count += 1
    link.last_used_at = now
    session.add_all([invitation, link])
    session.flush()
    _meeting_mail(session, invitation, meeting, inviter, team, now)
    return _booked_view(session, invitation, participant_zone)


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
                slots_available=len(_stored_slots(session, inv, now)),
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
