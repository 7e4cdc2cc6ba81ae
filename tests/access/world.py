"""A demo-like database for the access tests: who owns what, and a browser token per role.

Roles of the matrix (`ROLES`):
  admin     Ada, an admin (also the chat supervisor)
  owner     Ben, an employee who owns the link, meeting, invitation, feed and push device
            below, and sits in the Support channel's queue
  employee  Chloe, an employee who owns nothing here and is in no queue
  agent     Dan, an agent in the Support department (so in Support's queue, not Billing's)
  guest     a browser without a login that holds Ben's booking link token
  anon      a browser without a login and without any token
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from slotapp.core.invitation_form import InvitationDraft
from slotapp.db import make_engine
from slotapp.models import (
    CalendarFeed,
    Channel,
    Conversation,
    Invitation,
    LinkKind,
    Meeting,
    PushSubscription,
    Resource,
    ResourcePool,
    User,
)
from slotapp.services import (
    accounts,
    channels,
    conversations,
    feed_subscription,
    invitations,
    links,
    sharing,
)
from slotapp.services.booking import BookingRequest, book
from slotapp.services.demo import load_demo_data
from slotapp.services.guest_view import guest_view

ROLES = ("admin", "owner", "employee", "agent", "guest", "anon")
LOGGED_IN = frozenset({"admin", "owner", "employee", "agent"})
SECRET_TEXT = "access-tests-secret"  # SLOTAPP_SECRET_KEY for the states under test
GUEST_EMAIL = "gina@guest.example"
PARTICIPANT_EMAIL = "paula@participant.example"
SUPPORT_CLIENT = "Sam Support-Client"
BILLING_CLIENT = "Bill Billing-Client"
# Tables that record a browser tab, not data: a refused handler may still not write data.
NOT_DATA = frozenset({"livewatcher"})


@dataclass
class World:
    """Ids and tokens of the demo data (all created before any test runs)."""

    users: dict[str, int] = field(default_factory=dict)  # role -> user id (logged-in roles)
    sessions: dict[str, str] = field(default_factory=dict)  # role -> browser session token
    link_token: str = ""  # Ben's open-slots link (the guest holds it)
    link_id: int = 0
    meeting_id: int = 0  # booked by the guest through Ben's link
    invitation_id: int = 0  # Ben's invitation to Paula
    feed_id: int = 0  # Ben's external calendar
    push_id: int = 0  # Ben's browser for notifications
    support_channel: int = 0
    billing_channel: int = 0
    support_chat: int = 0  # in Support's queue (Ben, Dan)
    billing_chat: int = 0  # in Billing's queue (Eve only)
    resource_id: int = 0
    pool_id: int = 0
    canned_id: int = 0
    eve_id: int = 0  # an agent in Billing's queue only
    one_time_token: str = ""  # Ben's one-time link
    one_time_id: int = 0
    hook_here: int = 0  # a webhook source connected to Support
    hook_free: int = 0  # a webhook source connected nowhere
    alt_start: datetime | None = None  # another free time of Ben's (for rescheduling)
    chat_keys: dict[int, str] = field(default_factory=dict)  # conversation id -> client key
    widget_key: str = ""  # the Support channel's website widget
    ics_token: str = ""  # Ben's private .ics subscription
    hook_key: str = ""  # the webhook source connected to Support, and its secret
    hook_secret: str = ""


def _secret() -> bytes:
    import hashlib

    return hashlib.sha256(SECRET_TEXT.encode()).digest()


def build_world(path: Path, now: datetime) -> World:
    """Create the database file at `path` with every table and the demo data."""
    engine = make_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    world = World()
    with Session(engine, expire_on_commit=False) as s:
        load_demo_data(session=s)
        eve = accounts.create_user(
            session=s,
            email="eve@example.com",
            name="Eve Billing-Agent",
            password=None,
            role="agent",
            department="Billing",
        )
        s.commit()
        by_email = {u.email: u for u in s.exec(select(User)).all()}
        people = {
            "admin": by_email["admin@example.com"],
            "owner": by_email["ben@example.com"],
            "employee": by_email["chloe@example.com"],
            "agent": by_email["dan@example.com"],
        }
        for role, user in people.items():
            assert user.id is not None
            world.users[role] = user.id
            world.sessions[role] = accounts.start_session(session=s, user=user, now=now, days=30)
        assert eve.id is not None
        world.eve_id = eve.id
        world.support_channel = _id(s.exec(select(Channel)).first())
        billing = channels.create_channel(session=s, name="Billing", now=now)
        world.billing_channel = _id(billing)
        channels.set_queue(
            session=s, channel_id=world.billing_channel, items=[channels.QueueItem(user_id=eve.id)]
        )
        world.canned_id = _id(channels.canned_of(session=s, channel_id=world.support_channel)[0])
        world.resource_id = _id(s.exec(select(Resource)).first())
        world.pool_id = _id(s.exec(select(ResourcePool)).first())
        s.commit()
        for client, channel_id in (
            (SUPPORT_CLIENT, world.support_channel),
            (BILLING_CLIENT, world.billing_channel),
        ):
            chat_id, key = _chat(s, channel_id, client, now)
            world.chat_keys[chat_id] = key
        world.support_chat, world.billing_chat = sorted(world.chat_keys)
        widget = channels.widget_source(session=s, channel_id=world.support_channel)
        assert widget is not None
        world.widget_key = widget.key
        owner_id = world.users["owner"]
        token = links.set_open_slots(
            session=s, owner_id=owner_id, enabled=True, secret=_secret(), now=now
        )
        assert token is not None
        world.link_token = token
        world.link_id = _id(links.open_link(session=s, owner_id=owner_id))
        link, world.one_time_token = sharing.make_link(
            session=s, owner_id=owner_id, kind=LinkKind.ONE_TIME, secret=_secret(), now=now
        )
        world.one_time_id = _id(link)
        world.ics_token = feed_subscription.enable_subscription(
            session=s, user_id=owner_id, secret=_secret()
        )
        here, world.hook_secret = channels.create_webhook_source(
            session=s, name="Hook here", now=now
        )
        world.hook_here, world.hook_key = _id(here), here.key
        channels.connect_source(
            session=s, source_id=world.hook_here, channel_id=world.support_channel
        )
        world.hook_free = _id(
            channels.create_webhook_source(session=s, name="Hook free", now=now)[0]
        )
        # A closed loopback port: a refresh fails at once, without the network.
        s.add(CalendarFeed(user_id=owner_id, name="Ben's private", url="http://127.0.0.1:9/b.ics"))
        s.add(
            PushSubscription(
                user_id=owner_id,
                endpoint="https://push.example/ben-phone",
                p256dh="k" * 40,
                auth="a" * 22,
                label="Ben's phone",
            )
        )
        s.commit()
        world.feed_id = _id(s.exec(select(CalendarFeed)).first())
        world.push_id = _id(s.exec(select(PushSubscription)).first())
        world.invitation_id = _invitation(s, owner_id, now)
        start, world.alt_start = _free_starts(s, token, now)
    booked = book(
        engine=engine,
        request=BookingRequest(
            token=world.link_token,
            start=start,
            guest_name="Gina Guest",
            guest_email=GUEST_EMAIL,
            guest_time_zone="Europe/Berlin",
        ),
        now=now,
    )
    world.meeting_id = booked.meeting_id
    with Session(engine) as s:
        assert s.get(Meeting, world.meeting_id) is not None
        assert s.get(Invitation, world.invitation_id) is not None
    engine.dispose()
    return world


def _id(row: object) -> int:
    value = getattr(row, "id", None)
    assert isinstance(value, int), row
    return value


def _chat(s: Session, channel_id: int, client: str, now: datetime) -> tuple[int, str]:
    source = channels.widget_source(session=s, channel_id=channel_id)
    assert source is not None
    chat, key = conversations.open_conversation(
        session=s, source_key=source.key, visitor_id=f"v-{channel_id}", now=now
    )
    chat.visitor_name = client
    chat.visitor_email = f"{client.split()[0].lower()}@client.example"
    conversations.client_message(session=s, conversation=chat, text=f"Hi from {client}", now=now)
    s.commit()
    assert isinstance(chat, Conversation) and chat.id is not None
    return chat.id, key


def _invitation(s: Session, owner_id: int, now: datetime) -> int:
    day = (now + timedelta(days=1)).date()
    draft = InvitationDraft(
        participant_name="Paula Participant",
        participant_email=PARTICIPANT_EMAIL,
        subject="Contract review",
        member_ids=(owner_id,),
        date_from=day.isoformat(),
        date_to=(day + timedelta(days=13)).isoformat(),
        time_zone="Europe/Berlin",
    )
    invitations.create_invitation(
        session=s, inviter_id=owner_id, draft=draft, secret=_secret(), now=now
    )
    s.commit()
    return _id(s.exec(select(Invitation)).first())


def _free_starts(s: Session, token: str, now: datetime) -> tuple[datetime, datetime]:
    """Two free starts of Ben's on different days (book one, move it to the other)."""
    view = guest_view(session=s, token=token, guest_time_zone="Europe/Berlin", now=now)
    days = [day.starts for day in view.days if len(day.starts) > 2]
    assert len(days) >= 2, "Ben has too little free time in the demo data"
    return days[0][0], days[1][2]


def snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every data table, sorted: equal snapshots mean nothing changed."""
    names = sorted(set(inspect(engine).get_table_names()) - NOT_DATA)
    with engine.connect() as conn:
        return {
            name: sorted(
                (tuple(row) for row in conn.execute(text(f'SELECT * FROM "{name}"'))),
                key=repr,
            )
            for name in names
        }


def changed_tables(
    before: dict[str, list[tuple[object, ...]]], after: dict[str, list[tuple[object, ...]]]
) -> list[str]:
    """The tables whose rows differ."""
    return sorted(t for t in set(before) | set(after) if before.get(t) != after.get(t))
