"""Rooms, resources and pools: admin-only management, and their bookings blocking time."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session

from slotapp.core.meetings import Actor, NotAllowed
from slotapp.core.validation import InvalidInput
from slotapp.models import Meeting, MeetingResource, MeetingStatus
from slotapp.services import resource_schedules, resources
from slotapp.services.resources import ResourceInput
from tests.conftest import NOW
from tests.services.helpers import make_user

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN)
ADMIN = Actor(user_id=1, is_admin=True)
EMPLOYEE = Actor(user_id=2, is_admin=False)


def room(session: Session, name: str, tz: str = "Europe/Berlin") -> int:
    view = resources.create_resource(
        session=session, actor=ADMIN, data=ResourceInput(name=name, time_zone=tz), now=NOW
    )
    session.commit()
    return view.id


def hold(
    session: Session,
    resource_id: int,
    start: datetime,
    minutes: int = 60,
    status: str = MeetingStatus.CONFIRMED.value,
) -> Meeting:
    """A meeting holding a resource, written directly (as another booking would)."""
    meeting = Meeting(start_at=start, end_at=start + timedelta(minutes=minutes), status=status)
    session.add(meeting)
    session.flush()
    assert meeting.id is not None
    session.add(
        MeetingResource(
            meeting_id=meeting.id,
            resource_id=resource_id,
            start_at=meeting.start_at,
            end_at=meeting.end_at,
            blocks=status == MeetingStatus.CONFIRMED.value,
        )
    )
    session.commit()
    return meeting


@pytest.mark.parametrize(
    "call",
    [
        lambda s: resources.create_resource(
            session=s, actor=EMPLOYEE, data=ResourceInput(name="R"), now=NOW
        ),
        lambda s: resources.update_resource(
            session=s, actor=EMPLOYEE, resource_id=1, data=ResourceInput(name="R")
        ),
        lambda s: resources.delete_resource(session=s, actor=EMPLOYEE, resource_id=1),
        lambda s: resources.create_pool(
            session=s, actor=EMPLOYEE, name="P", resource_ids=[], now=NOW
        ),
        lambda s: resources.update_pool(
            session=s, actor=EMPLOYEE, pool_id=1, name="P", resource_ids=[]
        ),
        lambda s: resources.delete_pool(session=s, actor=EMPLOYEE, pool_id=1),
    ],
    ids=["create", "update", "delete", "create-pool", "update-pool", "delete-pool"],
)
def test_only_admins_manage_resources(session: Session, call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotAllowed, match="Only an admin"):
        call(session)


def test_admin_creates_lists_updates_and_deactivates_rooms(session: Session) -> None:
    b, a = room(session, "Room B"), room(session, "Room A")
    assert [r.name for r in resources.list_resources(session=session)] == ["Room A", "Room B"]
    hours = {0: ((time(8), time(12)),)}
    view = resources.update_resource(
        session=session,
        actor=ADMIN,
        resource_id=b,
        data=ResourceInput(name="Room B2", time_zone="Europe/London", weekly=hours),
    )
    assert (view.name, view.time_zone, view.weekly) == ("Room B2", "Europe/London", hours)
    resources.update_resource(
        session=session, actor=ADMIN, resource_id=a, data=ResourceInput(name="A", is_active=False)
    )
    assert [r.name for r in resources.list_resources(session=session)] == ["Room B2"]
    assert len(resources.list_resources(session=session, include_inactive=True)) == 2


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (ResourceInput(name=" "), "name"),
        (ResourceInput(name="R", kind="spaceship"), "kind"),
        (ResourceInput(name="R", time_zone="Nowhere/City"), "time_zone"),
        (ResourceInput(name="R", weekly={0: ((time(12), time(9)),)}), "hours-0"),
        (ResourceInput(name="R", weekly={7: ((time(9), time(12)),)}), "hours-7"),
    ],
)
def test_bad_resources_are_refused_with_the_field(
    session: Session, data: ResourceInput, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        resources.create_resource(session=session, actor=ADMIN, data=data, now=NOW)
    assert caught.value.field == field


def test_pools_group_resources_and_names_are_unique(session: Session) -> None:
    ids = [room(session, n) for n in ("Room C", "Room A", "Room B")]
    pool = resources.create_pool(
        session=session, actor=ADMIN, name="Floor 2", resource_ids=ids, now=NOW
    )
    assert [r.name for r in pool.resources] == ["Room A", "Room B", "Room C"]
    with pytest.raises(InvalidInput, match="already exists"):
        resources.create_pool(
            session=session, actor=ADMIN, name="Floor 2", resource_ids=[], now=NOW
        )
    with pytest.raises(InvalidInput, match="Unknown resource"):
        resources.create_pool(session=session, actor=ADMIN, name="X", resource_ids=[999], now=NOW)
    pool = resources.update_pool(
        session=session, actor=ADMIN, pool_id=pool.id, name="Floor 2", resource_ids=ids[:1]
    )
    assert [r.name for r in pool.resources] == ["Room C"]
    assert [p.name for p in resources.list_pools(session=session)] == ["Floor 2"]
    resources.delete_pool(session=session, actor=ADMIN, pool_id=pool.id)
    assert resources.list_pools(session=session) == []
    assert len(resources.list_resources(session=session)) == 3


def test_a_resources_meetings_block_its_availability(session: Session) -> None:
    rid = room(session, "Room A")
    hold(session, rid, MONDAY_10)
    hold(session, rid, MONDAY_10 + timedelta(hours=2), status=MeetingStatus.CANCELLED.value)
    day = (MONDAY_10 - timedelta(hours=10), MONDAY_10 + timedelta(hours=10))
    schedule = resource_schedules.resource_schedules(
        session=session, resource_ids=[rid], start=day[0], end=day[1]
    )[rid]
    assert [(b.start, b.status) for b in schedule.busy] == [(MONDAY_10, "confirmed")]
    assert schedule.time_zone == "Europe/Berlin" and 0 in schedule.weekly


def test_database_refuses_two_meetings_in_one_room_at_once(session: Session) -> None:
    """The last line of defence, like the one for people: a trigger (an exclusion on PG)."""
    rid = room(session, "Room A")
    hold(session, rid, MONDAY_10)
    with pytest.raises(DatabaseError, match="overlap"):
        hold(session, rid, MONDAY_10 + timedelta(minutes=30))
    session.rollback()
    hold(session, rid, MONDAY_10 + timedelta(hours=1))  # touching is fine


def test_an_admin_account_may_create_resources(session: Session) -> None:
    admin = make_user(session, "Ada Admin", role="admin")
    assert admin.id is not None
    actor = Actor(user_id=admin.id, is_admin=admin.role == "admin")
    assert (
        resources.create_resource(
            session=session, actor=actor, data=ResourceInput(name="Van"), now=NOW
        ).kind
        == "room"
    )
