"""The People page's rules: only admins change accounts, and never into a locked-out state."""

import pytest

from slotapp.core.meetings import NotAllowed
from slotapp.core.people import AccountChange, check_change
from slotapp.core.validation import InvalidInput


def change(**kw: object) -> AccountChange:
    base: dict[str, object] = {
        "actor_id": 1,
        "actor_is_admin": True,
        "target_id": 2,
        "target_role": "employee",
        "target_active": True,
        "new_role": "employee",
        "new_active": True,
    }
    base.update(kw)
    return AccountChange(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kw", "admins"),
    [
        ({"new_role": "agent"}, 1),
        ({"new_role": "admin"}, 1),
        ({"new_active": False}, 1),
        ({"target_role": "admin", "new_role": "employee"}, 2),
        ({"target_role": "admin", "new_active": False}, 2),
        ({"target_role": "admin", "target_active": False, "new_role": "agent"}, 1),
        ({"target_id": 1, "target_role": "admin", "new_role": "admin"}, 1),
    ],
    ids=[
        "employee-to-agent",
        "promote",
        "switch-off-employee",
        "demote-one-of-two-admins",
        "switch-off-one-of-two-admins",
        "inactive-admin-is-not-counted-on",
        "no-op-on-self",
    ],
)
def test_allowed(kw: dict[str, object], admins: int) -> None:
    check_change(change(**kw), active_admins=admins)


@pytest.mark.parametrize(
    ("kw", "admins", "error", "text"),
    [
        ({"actor_is_admin": False}, 2, NotAllowed, "Only admins"),
        ({"new_role": "root"}, 2, InvalidInput, "Unknown role"),
        ({"target_id": 1, "target_role": "admin", "new_role": "agent"}, 3, NotAllowed, "own"),
        ({"target_id": 1, "target_role": "admin", "new_active": False}, 3, NotAllowed, "own"),
        ({"target_role": "admin", "new_role": "agent"}, 1, InvalidInput, "at least one"),
        ({"target_role": "admin", "new_active": False}, 1, InvalidInput, "at least one"),
    ],
    ids=[
        "not-admin",
        "unknown-role",
        "demote-self",
        "switch-off-self",
        "demote-last-admin",
        "switch-off-last-admin",
    ],
)
def test_refused(kw: dict[str, object], admins: int, error: type[Exception], text: str) -> None:
    with pytest.raises(error, match=text):
        check_change(change(**kw), active_admins=admins)
