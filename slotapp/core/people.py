"""Who may change whose account: the rules of the admin's People page, without I/O."""

from __future__ import annotations

from dataclasses import dataclass

from slotapp.core.meetings import NotAllowed
from slotapp.core.validation import InvalidInput
from slotapp.models.accounts import Role

ROLES = tuple(r.value for r in Role)
ROLE_LABELS = {
    Role.ADMIN.value: "Admin: everything, including people, rooms and channels",
    Role.EMPLOYEE.value: "Employee: own calendar, links and invitations",
    Role.AGENT.value: "Agent: answers enquiries of the channels whose queue holds them",
}


@dataclass(frozen=True)
class AccountChange:
    """A requested change of one account: its role and whether it may sign in."""

    actor_id: int
    actor_is_admin: bool
    target_id: int
    target_role: str
    target_active: bool
    new_role: str
    new_active: bool


def check_change(change: AccountChange, *, active_admins: int) -> None:
    """Refuse a change that is not the actor's to make or that would lock everybody out.

    Raises:
        NotAllowed: the actor is not an admin, or an admin tries to demote or switch off
            themself (another admin must do that, so nobody loses access by a slip).
        InvalidInput: an unknown role, or the change would leave no active admin.
    """
    if not change.actor_is_admin:
        raise NotAllowed("Only admins manage people.")
    if change.new_role not in ROLES:
        raise InvalidInput("role", f"Unknown role '{change.new_role}'.")
    demoted = change.target_role == Role.ADMIN.value and change.new_role != Role.ADMIN.value
    switched_off = change.target_active and not change.new_active
    if change.actor_id == change.target_id and (demoted or switched_off):
        raise NotAllowed("You cannot remove your own admin access; ask another admin.")
    was_admin = change.target_role == Role.ADMIN.value and change.target_active
    stays_admin = change.new_role == Role.ADMIN.value and change.new_active
    if was_admin and not stays_admin and active_admins <= 1:
        raise InvalidInput("role", "slotapp needs at least one active admin.")
