"""Demo data for `make run`: loaded once, never overwriting what is there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from sqlmodel import Session, select

from slotapp.clock import utcnow
from slotapp.core.meetings import Actor
from slotapp.models import Channel, Resource, ResourcePool, Role, User
from slotapp.services import channels
from slotapp.services.accounts import create_user
from slotapp.services.resources import ResourceInput, create_pool, create_resource


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    password: str
    role: str
    time_zone: str
    department: str


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "admin@example.com",
        "Ada Admin",
        "demo-admin-pass",
        Role.ADMIN.value,
        "Europe/Berlin",
        "Management",
    ),
    DemoAccount(
        "ben@example.com",
        "Ben Colleague",
        "demo-ben-pass",
        Role.EMPLOYEE.value,
        "Europe/Berlin",
        "Sales",
    ),
    DemoAccount(
        "chloe@example.com",
        "Chloe Colleague",
        "demo-chloe-pass",
        Role.EMPLOYEE.value,
        "America/New_York",
        "Sales",
    ),
    DemoAccount(
        "dan@example.com",
        "Dan Agent",
        "demo-dan-pass",
        Role.AGENT.value,
        "Europe/Berlin",
        "Support",
    ),
)


_ROOM_HOURS = dict.fromkeys(range(5), ((time(8), time(18)),))
DEMO_ROOMS: tuple[ResourceInput, ...] = (
    ResourceInput("Room 2.01 Harbour", time_zone="Europe/Berlin", weekly=_ROOM_HOURS),
    ResourceInput("Room 2.02 Garden", time_zone="Europe/Berlin", weekly=_ROOM_HOURS),
    ResourceInput("Room 2.03 Library", time_zone="Europe/Berlin", weekly=_ROOM_HOURS),
)
DEMO_POOLS: dict[str, tuple[str, ...]] = {
    "Floor 2 rooms": ("Room 2.01 Harbour", "Room 2.02 Garden", "Room 2.03 Library"),
}


def _load_rooms(session: Session) -> None:
    """The demo rooms and pools that are missing (an existing one, even changed, is kept)."""
    admin = Actor(user_id=0, is_admin=True)
    rooms = {r.name: r.id for r in session.exec(select(Resource)).all()}
    for room in DEMO_ROOMS:
        if room.name not in rooms:
            rooms[room.name] = create_resource(
                session=session, actor=admin, data=room, now=utcnow()
            ).id
    pools = set(session.exec(select(ResourcePool.name)).all())
    for name, members in DEMO_POOLS.items():
        if name not in pools:
            ids = [rid for m in members if (rid := rooms.get(m)) is not None]
            create_pool(session=session, actor=admin, name=name, resource_ids=ids, now=utcnow())


DEMO_CHANNEL = "Website support"
DEMO_CANNED = {
    "/hours": "We answer Monday to Friday, 09:00 to 18:00 (Berlin time).",
    "/thanks": "Thank you for your patience, I am looking into it now.",
}
DEMO_FAQ = (
    {"question": "What are your opening hours?", "answer": DEMO_CANNED["/hours"]},
    {"question": "How do I book a meeting?", "answer": "Ask us here and we send you a link."},
)


def _load_channel(session: Session) -> None:
    """A support channel whose queue is the Support department, then Ben (once)."""
    if session.exec(select(Channel).where(Channel.name == DEMO_CHANNEL)).first() is not None:
        return
    now = utcnow()
    channel = channels.create_channel(session=session, name=DEMO_CHANNEL, now=now)
    assert channel.id is not None
    ben = session.exec(select(User).where(User.email == "ben@example.com")).first()
    channels.update_channel(
        session=session,
        channel_id=channel.id,
        name=DEMO_CHANNEL,
        chat_title="Questions? We're here",
        active=True,
        settings={**channel.settings, "faqs": list(DEMO_FAQ), "kpi_initial_minutes": 5},
    )
    queue = [channels.QueueItem(department="Support")]
    if ben is not None:
        queue.append(channels.QueueItem(user_id=ben.id))
    channels.set_queue(session=session, channel_id=channel.id, items=queue)
    for shortcut, text in DEMO_CANNED.items():
        channels.save_canned(session=session, channel_id=channel.id, shortcut=shortcut, text=text)


def load_demo_data(*, session: Session) -> list[DemoAccount]:
    """Create the demo accounts that are missing; returns those created.

    Safe to run on every start: an existing account (even with a changed password) is kept.
    """
    existing = set(session.exec(select(User.email)).all())
    created = []
    for account in DEMO_ACCOUNTS:
        if account.email in existing:
            continue
        create_user(
            session=session,
            email=account.email,
            name=account.name,
            password=account.password,
            role=account.role,
            time_zone=account.time_zone,
            department=account.department,
        )
        created.append(account)
    _load_rooms(session)
    _load_channel(session)
    return created
