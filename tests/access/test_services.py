"""Refusals at the service layer, so that every caller (state, API, worker) gets them.

Each refusal is checked twice: the call is refused (an exception with a clear message, or
nothing returned), and the database is exactly as before (a snapshot of every table).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlmodel import Session

from slotapp.clock import utcnow
from slotapp.core.meetings import Actor, NotAllowed
from slotapp.core.validation import InvalidInput
from slotapp.models import Conversation, User
from slotapp.services import (
    agent_chat,
    feeds,
    inbox,
    inbox_view,
    invitation_activity,
    link_list,
    meetings,
    people,
    push_devices,
    resources,
    sharing,
)
from slotapp.services.guest_view import guest_view
from slotapp.services.inbox import Tab
from slotapp.services.link_api import offered_slots
from slotapp.services.meeting_detail import MeetingNotFound, meeting_detail
from slotapp.services.resources import ResourceInput
from tests.access.conftest import App
from tests.access.world import (
    BILLING_CLIENT,
    GUEST_EMAIL,
    PARTICIPANT_EMAIL,
    SUPPORT_CLIENT,
    _secret,
    changed_tables,
    snapshot,
)


@contextmanager
def unchanged(app: App) -> Iterator[None]:
    """The block may raise; either way no data may have changed."""
    before = snapshot(app.engine)
    try:
        yield
    finally:
        assert not changed_tables(before, snapshot(app.engine))


def _refused(app: App, call: Callable[[Session], Any], *errors: type[Exception]) -> str:
    """Run `call` in a committed transaction; it must raise one of `errors`, changing nothing."""
    with (
        unchanged(app),
        pytest.raises(errors) as caught,
        Session(app.engine, expire_on_commit=False) as s,
    ):
        call(s)
        s.commit()
    message = str(getattr(caught.value, "message", caught.value))
    assert message.strip(), "a refusal says why"
    return message


def _user(s: Session, app: App, role: str) -> User:
    user = s.get(User, app.world.users[role] if role != "eve" else app.world.eve_id)
    assert user is not None
    return user


def _chat(s: Session, chat_id: int) -> Conversation:
    chat = s.get(Conversation, chat_id)
    assert chat is not None
    return chat


# --- chat: the queue decides ---------------------------------------------------------------


def test_agent_lists_only_conversations_of_channels_whose_queue_holds_him(app: App) -> None:
    now = utcnow()
    with Session(app.engine) as s:
        dan = _user(s, app, "agent")
        queued = [r.client for r in inbox.rows(session=s, user=dan, tab=Tab.QUEUE, now=now)]
        assert queued == [SUPPORT_CLIENT]
        assert inbox.counts(session=s, user=dan) == {"queue": 1, "mine": 0}
        with pytest.raises(InvalidInput, match="Only supervisors"):
            inbox.rows(session=s, user=dan, tab=Tab.ALL, now=now)
        ada = _user(s, app, "admin")
        everything = {r.client for r in inbox.rows(session=s, user=ada, tab=Tab.ALL, now=now)}
        assert everything == {SUPPORT_CLIENT, BILLING_CLIENT}
        chloe = _user(s, app, "employee")
        assert inbox.rows(session=s, user=chloe, tab=Tab.QUEUE, now=now) == []


@pytest.mark.parametrize("role", ["agent", "employee"])
@pytest.mark.parametrize("action", ["open", "reply", "take", "transfer", "close", "wait", "rate"])
def test_agent_outside_the_queue_cannot_touch_the_conversation(
    app: App, role: str, action: str
) -> None:
    chat_id, now = app.world.billing_chat, utcnow()

    def act(s: Session) -> None:
        user = _user(s, app, role)
        if action == "open":  # the view, as the page opens it
            inbox_view.view(session=s, user=user, conversation_id=chat_id, now=now)
            return
        chat = agent_chat.get_for(session=s, user=user, conversation_id=chat_id)
        raise AssertionError(f"{role} could open {chat.id}")  # pragma: no cover

    message = _refused(app, act, InvalidInput)
    assert "not yours" in message
    # And with the row in hand (a caller that skipped get_for), acting is refused too.
    direct: dict[str, Callable[[Session, User, Conversation], Any]] = {
        "reply": lambda s, u, c: agent_chat.reply(
            session=s, user=u, conversation=c, text="hi", now=now
        ),
        "transfer": lambda s, u, c: agent_chat.transfer(
            session=s, user=u, conversation=c, to_user_id=u.id, now=now
        ),
        "close": lambda s, u, c: agent_chat.close(session=s, conversation=c, by=u, now=now),
        "wait": lambda s, u, c: agent_chat.wait_for_client(
            session=s, user=u, conversation=c, now=now
        ),
        "rate": lambda s, u, c: agent_chat.supervisor_rate(
            session=s, user=u, conversation=c, rating=5
        ),
    }
    if action in direct:
        # The Billing chat is Eve's: taken by her, then nobody else may act on it.
        with Session(app.engine, expire_on_commit=False) as s:
            agent_chat.take(
                session=s, user=_user(s, app, "eve"), conversation=_chat(s, chat_id), now=now
            )
            s.commit()
        _refused(
            app,
            lambda s: direct[action](s, _user(s, app, role), _chat(s, chat_id)),
            InvalidInput,
        )


def test_take_is_refused_once_a_colleague_has_it(app: App) -> None:
    chat_id, now = app.world.support_chat, utcnow()
    with Session(app.engine, expire_on_commit=False) as s:
        agent_chat.take(
            session=s, user=_user(s, app, "owner"), conversation=_chat(s, chat_id), now=now
        )
        s.commit()
    message = _refused(
        app,
        lambda s: agent_chat.take(
            session=s, user=_user(s, app, "agent"), conversation=_chat(s, chat_id), now=now
        ),
        InvalidInput,
    )
    assert message == agent_chat.NOT_YOURS


@pytest.mark.parametrize("action", ["open", "reply", "transfer", "close", "rate"])
def test_supervisor_may_act_on_any_conversation(app: App, action: str) -> None:
    chat_id, now = app.world.billing_chat, utcnow()
    before = snapshot(app.engine)
    with Session(app.engine, expire_on_commit=False) as s:
        ada = _user(s, app, "admin")
        chat = agent_chat.get_for(session=s, user=ada, conversation_id=chat_id)
        if action == "open":
            assert inbox_view.view(session=s, user=ada, conversation_id=chat_id, now=now).can_take
            return
        if action == "reply":
            agent_chat.reply(session=s, user=ada, conversation=chat, text="Hello", now=now)
        elif action == "transfer":
            agent_chat.transfer(
                session=s, user=ada, conversation=chat, to_user_id=app.world.eve_id, now=now
            )
        elif action == "close":
            agent_chat.close(session=s, conversation=chat, by=ada, now=now)
        else:
            agent_chat.supervisor_rate(session=s, user=ada, conversation=chat, rating=5)
        s.commit()
    assert "conversation" in changed_tables(before, snapshot(app.engine))


# --- admins only ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "employee", "agent"])
def test_only_admins_reschedule(app: App, role: str) -> None:
    w, now = app.world, utcnow()
    assert w.alt_start is not None
    # The organizer is told why; others do not even learn that the meeting exists.
    refusal = (NotAllowed,) if role == "owner" else (MeetingNotFound,)
    with unchanged(app), pytest.raises(refusal):
        meetings.reschedule_meeting(
            engine=app.engine,
            meeting_id=w.meeting_id,
            actor=Actor(w.users[role], False),
            new_start=w.alt_start,
            now=now,
        )
    moved = meetings.reschedule_meeting(
        engine=app.engine,
        meeting_id=w.meeting_id,
        actor=Actor(w.users["admin"], True),
        new_start=w.alt_start,
        now=now,
    )
    assert moved.detail.start == w.alt_start


ROOM = ResourceInput("Room 7", time_zone="Europe/Berlin", weekly={0: ()})


@pytest.mark.parametrize("role", ["owner", "employee", "agent"])
@pytest.mark.parametrize(
    "change",
    ["create_resource", "update_resource", "create_pool", "update_pool", "delete_pool"],
)
def test_only_admins_manage_rooms(app: App, role: str, change: str) -> None:
    w, now = app.world, utcnow()
    actor = Actor(w.users[role], False)
    calls: dict[str, Callable[[Session], Any]] = {
        "create_resource": lambda s: resources.create_resource(
            session=s, actor=actor, data=ROOM, now=now
        ),
        "update_resource": lambda s: resources.update_resource(
            session=s, actor=actor, resource_id=w.resource_id, data=ROOM
        ),
        "create_pool": lambda s: resources.create_pool(
            session=s, actor=actor, name="P", resource_ids=[w.resource_id], now=now
        ),
        "update_pool": lambda s: resources.update_pool(
            session=s, actor=actor, pool_id=w.pool_id, name="P", resource_ids=[]
        ),
        "delete_pool": lambda s: resources.delete_pool(session=s, actor=actor, pool_id=w.pool_id),
    }
    _refused(app, calls[change], NotAllowed)


@pytest.mark.parametrize("role", ["owner", "employee", "agent"])
def test_only_admins_manage_users(app: App, role: str) -> None:
    w = app.world
    actor = w.users[role]
    _refused(
        app,
        lambda s: people.set_role(session=s, actor_id=actor, user_id=actor, role="admin"),
        NotAllowed,
    )
    _refused(
        app,
        lambda s: people.set_active(
            session=s, actor_id=actor, user_id=w.users["admin"], active=False, now=utcnow()
        ),
        NotAllowed,
    )
    _refused(
        app,
        lambda s: people.add_person(
            session=s,
            actor_id=actor,
            name="Mallory",
            email="mallory@example.com",
            role="admin",
            department="",
            password="a-long-password-123",
        ),
        NotAllowed,
    )


# --- one's own links, meetings, invitations, calendars, devices -----------------------------


def test_employee_cannot_read_or_change_anothers_meeting(app: App) -> None:
    w, now = app.world, utcnow()
    chloe = Actor(w.users["employee"], False)
    with Session(app.engine) as s, pytest.raises(MeetingNotFound):
        meeting_detail(session=s, meeting_id=w.meeting_id, actor=chloe, now=now)
    with unchanged(app), pytest.raises((MeetingNotFound, NotAllowed)):
        meetings.update_meeting(
            engine=app.engine,
            meeting_id=w.meeting_id,
            actor=chloe,
            title="Mine now",
            location="",
            video=False,
            attendee_ids=[],
            now=now,
        )
    with unchanged(app), pytest.raises((MeetingNotFound, NotAllowed)):
        meetings.decline_meeting(
            engine=app.engine, meeting_id=w.meeting_id, actor=chloe, reason="", now=now
        )


def test_employee_cannot_touch_anothers_invitation(app: App) -> None:
    w, now = app.world, utcnow()
    chloe = Actor(w.users["employee"], False)
    for call in (
        lambda s: invitation_activity.invitation_links(
            session=s, actor=chloe, invitation_id=w.invitation_id, secret=_secret()
        ),
        lambda s: invitation_activity.resend_invitation(
            session=s, actor=chloe, invitation_id=w.invitation_id, secret=_secret(), now=now
        ),
        lambda s: invitation_activity.cancel_invitation(
            session=s, actor=chloe, invitation_id=w.invitation_id, now=now
        ),
    ):
        _refused(app, call, NotAllowed)
    with Session(app.engine) as s:
        mine = invitation_activity.activity(session=s, user_id=w.users["employee"], now=now)
    assert PARTICIPANT_EMAIL not in repr(mine)


def test_employee_cannot_touch_anothers_links_feeds_or_devices(app: App) -> None:
    w, now = app.world, utcnow()
    chloe = w.users["employee"]
    with unchanged(app), Session(app.engine) as s:
        assert not sharing.revoke_link(session=s, owner_id=chloe, link_id=w.one_time_id, now=now)
        assert not feeds.remove_feed(session=s, user_id=chloe, feed_id=w.feed_id)
        assert not push_devices.remove_device(session=s, user_id=chloe, device_id=w.push_id)
        assert not push_devices.remove_endpoint(
            session=s, user_id=chloe, endpoint="https://push.example/ben-phone"
        )
        shown = repr(link_list.list_links(session=s, owner_id=chloe, secret=_secret(), now=now))
        shown += repr(feeds.list_feeds(session=s, user_id=chloe))
        shown += repr(push_devices.devices(session=s, user_id=chloe))
        s.commit()
    for secret in (w.one_time_token, w.link_token, "Ben's private", "Ben's phone"):
        assert secret not in shown


# --- the guest: the link's public facts ----------------------------------------------------


def test_guest_view_holds_only_public_facts(app: App) -> None:
    w, now = app.world, utcnow()
    with Session(app.engine) as s:
        view = guest_view(session=s, token=w.link_token, guest_time_zone="Europe/Berlin", now=now)
        api = offered_slots(
            session=s, token=w.link_token, start=None, end=None, time_zone="UTC", now=now
        )
    shown = repr(view) + repr(api)
    assert view.owner_name == "Ben Colleague" and view.length_minutes == 30
    assert any(day.starts for day in view.days)
    for secret in (GUEST_EMAIL, "Gina Guest", "ben@example.com", PARTICIPANT_EMAIL, "Chloe"):
        assert secret not in shown, secret
    # Gina's booked time is no longer offered (other bookings show only as missing times).
    with Session(app.engine) as s:
        from slotapp.models import Meeting

        booked = s.get(Meeting, w.meeting_id)
        assert booked is not None
    offered = {start for day in view.days for start in day.starts}
    assert booked.start_at not in offered
