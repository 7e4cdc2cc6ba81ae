"""An invitation's free starts: its members', rooms' and pools' schedules fed to the engine.

Shared by the inviter's side (services.invitations: the live count and creating;
services.invitation_activity: the Activity page) and the participant's
(services.invitation_view and services.invitation_booking).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from slotapp.core.availability import HostSchedule
from slotapp.core.invitations import Bookable, TimeFrame, frame_window, invitation_slots
from slotapp.core.validation import InvalidInput
from slotapp.models import (
    Invitation,
    InvitationMember,
    InvitationPool,
    InvitationResource,
    Resource,
    ResourcePool,
    User,
)
from slotapp.services.resource_schedules import resource_schedules
from slotapp.services.resources import pool_resources
from slotapp.services.schedules import host_schedules


@dataclass(frozen=True)
class SlotInputs:
    """What the engine needs of an invitation, by display name; `room_ids` in the given order."""

    members: dict[str, HostSchedule]  # by name, in the order given
    rooms: dict[str, HostSchedule]
    room_ids: tuple[int, ...]
    pools: dict[str, list[Bookable]]


def load_inputs(
    session: Session,
    frame: TimeFrame,
    member_ids: Sequence[int],
    resource_ids: Sequence[int],
    pool_ids: Sequence[int],
) -> SlotInputs:
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
    return SlotInputs(
        members=members,
        rooms={rows[rid].name: times[rid] for rid in resource_ids},
        room_ids=tuple(resource_ids),
        pools={
            pool_rows[pid].name: [Bookable(r.id, r.name, times[r.id]) for r in in_pools[pid]]
            for pid in pool_ids
        },
    )


def free_slots(
    inputs: SlotInputs,
    frame: TimeFrame,
    length: timedelta,
    now: datetime,
    within: tuple[datetime, datetime] | None = None,
) -> list[datetime]:
    """The free starts for these inputs (only inside `within`, if given)."""
    return invitation_slots(
        frame,
        length,
        members=list(inputs.members.values()),
        rooms=list(inputs.rooms.values()),
        pools=list(inputs.pools.values()),
        now=now,
        within=within,
    )


def frame_of(invitation: Invitation) -> TimeFrame:
    """The stored invitation's time frame."""
    return TimeFrame(
        invitation.date_from,
        invitation.date_to,
        invitation.daily_from,
        invitation.daily_to,
        invitation.time_zone,
    )


def linked_ids(
    session: Session,
    table: type[InvitationMember] | type[InvitationResource] | type[InvitationPool],
    column: str,
    invitation_id: int,
) -> list[int]:
    """The ids in `column` of the invitation's member, room or pool rows, sorted."""
    rows = session.exec(select(table).where(table.invitation_id == invitation_id)).all()
    return sorted(getattr(r, column) for r in rows)


def stored_inputs(session: Session, invitation: Invitation) -> SlotInputs:
    """The inputs of a stored invitation.

    Raises:
        InvalidInput: a member, room or pool is gone or deactivated.
    """
    assert invitation.id is not None
    return load_inputs(
        session,
        frame_of(invitation),
        linked_ids(session, InvitationMember, "user_id", invitation.id),
        linked_ids(session, InvitationResource, "resource_id", invitation.id),
        linked_ids(session, InvitationPool, "pool_id", invitation.id),
    )


def stored_slots(
    session: Session,
    invitation: Invitation,
    now: datetime,
    within: tuple[datetime, datetime] | None = None,
) -> list[datetime]:
    """The invitation's free starts now; none when a member or room is gone."""
    try:
        inputs = stored_inputs(session, invitation)
    except InvalidInput:
        return []
    length = timedelta(minutes=invitation.duration_minutes)
    return free_slots(inputs, frame_of(invitation), length, now, within)
