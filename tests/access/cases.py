"""The role matrix of the event handlers that read or change data.

Each case fires one handler from a tab of each role (after the events in `prep`, from the
same tab) and says, per role, whether data must change (`changes`) and whether the marker,
a fact only the allowed may see, reaches the tab (`sees`). Every other role must leave the
database exactly as it was and must not receive the marker.

`setup` puts into the tab what a stale tab could still hold (for instance an admin's
channel form, left open when the admin logged out and a colleague logged in on that
browser): a refusal must come from the server's check of the current user, not from the
page having been loaded by someone else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import reflex as rx

from slotapp.state.account import AccountState
from slotapp.state.activity import ActivityState
from slotapp.state.calendar import CalendarState
from slotapp.state.calendars import CalendarsState
from slotapp.state.channel import ChannelState
from slotapp.state.channel_sources import ChannelSourcesState
from slotapp.state.channels import ChannelsState
from slotapp.state.conversation import ConversationState
from slotapp.state.guest import GuestState
from slotapp.state.inbox import InboxState
from slotapp.state.invitation_new import InvitationNewState
from slotapp.state.links import LinksState
from slotapp.state.meeting import MeetingState
from slotapp.state.notifications import NotificationsState
from slotapp.state.open_slots import OpenSlotsState
from slotapp.state.outbox import OutboxState
from slotapp.state.people import PeopleState
from slotapp.state.rooms import RoomsState
from tests.access.world import (
    BILLING_CLIENT,
    GUEST_EMAIL,
    LOGGED_IN,
    PARTICIPANT_EMAIL,
    SUPPORT_CLIENT,
    World,
)

Value = Any | Callable[[World, str], Any]  # a value, or one made from the world and role

ADMIN = frozenset({"admin"})
OWNER = frozenset({"owner"})
ADMIN_OWNER = frozenset({"admin", "owner"})
IN_QUEUE = frozenset({"admin", "owner", "agent"})  # Support's queue: Ben, Dan; Ada supervises
NOBODY: frozenset[str] = frozenset()
EVERYONE = frozenset({"admin", "owner", "employee", "agent", "guest", "anon"})


@dataclass(frozen=True)
class Case:
    """One handler fired by every role."""

    cls: type[rx.State]
    name: str
    path: Value = "/"
    payload: Value = None  # dict of arguments
    prep: tuple[tuple[str, Value], ...] = ()
    setup: Callable[[Any, World], None] | None = None
    changes: frozenset[str] = NOBODY
    marker: Value = None
    sees: frozenset[str] = NOBODY
    label: str = ""

    @property
    def key(self) -> str:
        return f"{self.cls.__name__}.{self.name}"

    @property
    def id(self) -> str:
        return self.key + (f"[{self.label}]" if self.label else "")


def value(v: Value, world: World, role: str) -> Any:
    """A case's value for this world and role."""
    return v(world, role) if callable(v) else v


def _meeting(w: World, _r: str) -> str:
    return f"/meetings/{w.meeting_id}"


def _support(w: World, _r: str) -> str:
    return f"/inbox/{w.support_chat}"


def _billing(w: World, _r: str) -> str:
    return f"/inbox/{w.billing_chat}"


def _channel(w: World, _r: str) -> str:
    return f"/channels/{w.support_channel}"


def _own_id(w: World, r: str) -> str:
    return str(w.users.get(r, w.users["owner"]))


def _admin_channel_tab(state: Any, w: World) -> None:
    state.found, state.channel_id = True, w.support_channel


def _admin_sources_tab(state: Any, w: World) -> None:
    state._channel_id = w.support_channel


def _stale_invitation(state: Any, w: World) -> None:
    state._invitation_id = w.invitation_id


def _draft(text: str) -> Callable[[Any, World], None]:
    def setup(state: Any, _w: World) -> None:
        state.draft = text

    return setup


def _can_reply(state: Any, _w: World) -> None:
    state.can_reply = True  # left over from an earlier user of the tab


def _transfer_to_eve(state: Any, w: World) -> None:
    state.transfer_to = str(w.eve_id)


def _valid_draft(state: Any, w: World) -> None:
    """A complete draft with Ben on the team, as a logged-in tab would hold it."""
    from datetime import timedelta

    from slotapp.clock import utcnow

    day = utcnow().date() + timedelta(days=1)
    state.values = {
        "participant_name": "Nina New",
        "participant_email": "nina@new.example",
        "subject": "Kick-off",
        "duration_minutes": "30",
        "meeting_type": "video",
        "date_from": day.isoformat(),
        "date_to": (day + timedelta(days=10)).isoformat(),
        "daily_from": "09:00",
        "daily_to": "17:00",
        "time_zone": "Europe/Berlin",
        "promote_count": "3",
    }
    state.members = [{"id": str(w.users["owner"]), "name": "Ben Colleague"}]


def _one_time_form(state: Any, _w: World) -> None:
    state.form_kind = "one_time"


def _room_pool_form(state: Any, w: World) -> None:
    state.pool_form, state.pool_members = {"id": "", "name": ""}, [str(w.resource_id)]


def _channel_form(w: World, _r: str) -> dict[str, Any]:
    from sqlmodel import Session

    from slotapp.db import get_engine
    from slotapp.models import Channel
    from slotapp.services import channel_settings_form, channels

    with Session(get_engine()) as s:
        channel = s.get(Channel, w.support_channel)
        assert channel is not None
        form = channel_settings_form.form_of(channels.settings_of(channel))
    return {"data": {**form, "name": "Support (renamed)", "chat_title": "Hi", "active": "on"}}


PASSWORDS = {
    "admin": "demo-admin-pass",
    "owner": "demo-ben-pass",
    "employee": "demo-chloe-pass",
    "agent": "demo-dan-pass",
}
ROOM_FORM = {
    "name": "Room 9.99 Attic",
    "kind": "room",
    "time_zone": "Europe/Berlin",
    "hours-0": "09:00-17:00",
    "active": "on",
}
SLOT_FORM = {
    "hours-0": "10:00-12:00",
    "length_minutes": "45",
    "step_minutes": "",
    "min_notice_minutes": "60",
    "booking_window_days": "30",
    "buffer_before_minutes": "0",
    "buffer_after_minutes": "0",
    "daily_limit": "",
}
INVITATION_PREP: tuple[tuple[str, Value], ...] = (
    ("load", {}),
    ("set_value", {"field": "participant_name", "value": "Nina New"}),
    ("set_value", {"field": "participant_email", "value": "nina@new.example"}),
    ("set_value", {"field": "subject", "value": "Kick-off"}),
)

CASES: list[Case] = [
    # --- calendar: each user sees their own meetings ------------------------------------
    Case(CalendarState, "load", "/calendar", marker=GUEST_EMAIL, sees=OWNER),
    Case(CalendarState, "reload", "/calendar", marker=GUEST_EMAIL, sees=OWNER),
    Case(CalendarState, "show", "/calendar", {"view": "week"}, marker="Gina Guest", sees=OWNER),
    Case(CalendarState, "move_week", "/calendar", {"weeks": 0}, marker="Gina Guest", sees=OWNER),
    # --- a meeting: organizer, participants and admins ------------------------------------
    Case(MeetingState, "load", _meeting, marker=GUEST_EMAIL, sees=ADMIN_OWNER),
    Case(
        MeetingState,
        "save",
        _meeting,
        {"form": {"title": "Renamed by someone", "location": ""}},
        prep=(("load", {}),),
        changes=ADMIN_OWNER,
    ),
    Case(
        MeetingState,
        "decline",
        _meeting,
        {"form": {"reason": "No"}},
        prep=(("load", {}),),
        changes=ADMIN_OWNER,
    ),
    Case(
        MeetingState,
        "reschedule",
        _meeting,
        lambda w, _r: {
            "form": {
                "date": w.alt_start.astimezone(_berlin()).date().isoformat(),  # type: ignore[union-attr]
                "time": f"{w.alt_start.astimezone(_berlin()):%H:%M}",  # type: ignore[union-attr]
            }
        },
        prep=(("load", {}),),
        changes=ADMIN,
    ),
    Case(
        MeetingState,
        "search",
        _meeting,
        {"query": "Chloe"},
        prep=(("load", {}),),
        marker="Chloe Colleague",
        sees=ADMIN_OWNER,
    ),
    # --- links: one's own ------------------------------------------------------------------
    Case(LinksState, "load", "/links", marker=lambda w, _r: w.one_time_token, sees=OWNER),
    Case(LinksState, "set_sort", "/links", {"sort": "created"}, changes=LOGGED_IN),
    Case(
        LinksState,
        "revoke",
        "/links",
        lambda w, _r: {"link_id": str(w.one_time_id)},
        changes=OWNER,
    ),
    Case(
        LinksState,
        "search",
        "/links",
        {"query": "Chloe"},
        marker="Chloe Colleague",
        sees=frozenset({"admin", "owner", "agent"}),  # never oneself
    ),
    Case(
        LinksState,
        "add_department",
        "/links",
        {"department": "Sales"},
        marker="Chloe Colleague",
        sees=frozenset({"admin", "owner", "agent"}),
    ),
    Case(LinksState, "create", "/links", {"form": {}}, setup=_one_time_form, changes=LOGGED_IN),
    Case(LinksState, "add", "/links", {"colleague": {"id": "3", "name": "Chloe C."}}),
    Case(LinksState, "remove", "/links", {"colleague_id": "3"}),
    Case(OpenSlotsState, "load", "/slots", marker=lambda w, _r: w.link_token, sees=OWNER),
    Case(OpenSlotsState, "switch", "/slots", {"on": False}, changes=LOGGED_IN),  # one's own
    Case(OpenSlotsState, "save", "/slots", {"form": SLOT_FORM}, changes=LOGGED_IN),
    # --- invitations ---------------------------------------------------------------------------
    Case(ActivityState, "load", "/activity", marker=PARTICIPANT_EMAIL, sees=OWNER),
    Case(ActivityState, "reload", "/activity", marker=PARTICIPANT_EMAIL, sees=OWNER),
    Case(
        ActivityState,
        "copy_links",
        "/activity",
        lambda w, _r: {"invitation_id": str(w.invitation_id)},
        marker="/invite/",
        sees=ADMIN_OWNER,
    ),
    Case(
        ActivityState,
        "resend",
        "/activity",
        lambda w, _r: {"invitation_id": str(w.invitation_id)},
        changes=ADMIN_OWNER,
    ),
    Case(
        ActivityState,
        "cancel",
        "/activity",
        lambda w, _r: {"invitation_id": str(w.invitation_id)},
        changes=ADMIN_OWNER,
    ),
    Case(InvitationNewState, "load", "/invitations/new", marker="Room 2.01", sees=LOGGED_IN),
    Case(
        InvitationNewState,
        "search_members",
        "/invitations/new",
        {"query": "Chloe"},
        marker="Chloe Colleague",
        sees=LOGGED_IN,
    ),
    Case(
        InvitationNewState,
        "set_value",
        "/invitations/new",
        {"field": "daily_from", "value": "08:00"},
        setup=_valid_draft,
        marker="'iso'",  # suggested free times of the team
        sees=LOGGED_IN,
    ),
    Case(
        InvitationNewState,
        "add_member",
        "/invitations/new",
        lambda w, _r: {"member_id": str(w.users["agent"]), "name": "Dan Agent"},
        setup=_valid_draft,
        marker="'iso'",
        sees=LOGGED_IN,
    ),
    Case(
        InvitationNewState,
        "set_flag",
        "/invitations/new",
        {"flag": "is_private", "on": True},
        setup=_valid_draft,
        marker="'iso'",
        sees=LOGGED_IN,
    ),
    Case(
        InvitationNewState,
        "toggle_id",
        "/invitations/new",
        lambda w, _r: {"kind": "room", "item_id": str(w.resource_id)},
        setup=_valid_draft,
        marker="'iso'",
        sees=LOGGED_IN,
    ),
    Case(
        InvitationNewState,
        "remove_member",
        "/invitations/new",
        lambda w, _r: {"member_id": str(w.users["employee"])},
        setup=_valid_draft,
        marker="'iso'",
        sees=LOGGED_IN,
    ),
    Case(
        InvitationNewState,
        "go",
        "/invitations/new",
        {"step": 2},
        setup=_valid_draft,
        marker="'iso'",
        sees=LOGGED_IN,
    ),
    Case(
        InvitationNewState,
        "create",
        "/invitations/new",
        {},
        prep=INVITATION_PREP,
        changes=LOGGED_IN,
    ),
    Case(
        InvitationNewState,
        "send_email",
        "/invitations/new",
        {},
        setup=_stale_invitation,
        changes=ADMIN_OWNER,
        label="another user's invitation",
    ),
    # --- external calendars and the private .ics address ----------------------------------
    Case(CalendarsState, "load", "/calendars", marker="Ben's private", sees=OWNER),
    Case(
        CalendarsState,
        "remove",
        "/calendars",
        lambda w, _r: {"feed_id": str(w.feed_id)},
        prep=(("remove", lambda w, _r: {"feed_id": str(w.feed_id)}),),  # the first tap asks
        changes=OWNER,
    ),
    Case(
        CalendarsState,
        "refresh",
        "/calendars",
        lambda w, _r: {"feed_id": str(w.feed_id)},
        changes=OWNER,  # the failed fetch is recorded on Ben's feed only
    ),
    Case(CalendarsState, "subscribe", "/calendars", {"renew": False}, changes=LOGGED_IN - OWNER),
    Case(CalendarsState, "unsubscribe", "/calendars", {}, changes=OWNER),
    Case(
        CalendarsState,
        "add",
        "/calendars",
        {"form": {"name": "x", "url": "not an address"}},
        label="refused input",
    ),
    # --- notifications ---------------------------------------------------------------------------
    Case(NotificationsState, "load", "/notifications", marker="Ben's phone", sees=OWNER),
    Case(
        NotificationsState,
        "got_status",
        "/notifications",
        {"status": {"supported": True, "permission": "granted"}},
        marker="Ben's phone",
        sees=OWNER,
    ),
    Case(
        NotificationsState,
        "remove",
        "/notifications",
        lambda w, _r: {"device_id": str(w.push_id)},
        changes=OWNER,
    ),
    Case(
        NotificationsState,
        "forget_endpoint",
        "/notifications",
        {"endpoint": "https://push.example/ben-phone"},
        changes=OWNER,
    ),
    Case(
        NotificationsState, "toggle", "/notifications", {"kind": "booking_new"}, changes=LOGGED_IN
    ),
    Case(
        NotificationsState,
        "take_result",
        "/notifications",
        {"result": {"ok": True, "subscription": {"endpoint": "x"}}},
        label="refused input",
    ),
    # --- admin pages ---------------------------------------------------------------------------
    Case(OutboxState, "load", "/outbox", marker=GUEST_EMAIL, sees=ADMIN),
    Case(RoomsState, "load", "/rooms", marker="Room 2.01 Harbour", sees=ADMIN),
    Case(
        RoomsState,
        "edit",
        "/rooms",
        lambda w, _r: {"resource_id": str(w.resource_id)},
        marker="Room 2.01 Harbour",
        sees=ADMIN,
    ),
    Case(RoomsState, "save", "/rooms", {"data": ROOM_FORM}, prep=(("new", {}),), changes=ADMIN),
    Case(
        RoomsState,
        "set_active",
        "/rooms",
        lambda w, _r: {"resource_id": str(w.resource_id), "active": False},
        changes=ADMIN,
    ),
    Case(
        RoomsState,
        "save_pool",
        "/rooms",
        {"data": {"name": "Pool two"}},
        setup=_room_pool_form,
        changes=ADMIN,
    ),
    Case(
        RoomsState,
        "delete_pool",
        "/rooms",
        lambda w, _r: {"pool_id": str(w.pool_id)},
        changes=ADMIN,
    ),
    Case(ChannelsState, "load", "/channels", marker="Billing", sees=ADMIN),
    Case(ChannelsState, "create", "/channels", {"data": {"name": "Sales chat"}}, changes=ADMIN),
    Case(
        ChannelsState,
        "set_active",
        "/channels",
        lambda w, _r: {"channel_id": str(w.support_channel), "active": False},
        changes=ADMIN,
    ),
    Case(
        ChannelsState,
        "delete",
        "/channels",
        lambda w, _r: {"channel_id": str(w.billing_channel)},
        changes=ADMIN,
    ),
    Case(ChannelState, "load", _channel, marker="Questions? We're here", sees=ADMIN),
    Case(ChannelState, "save", _channel, _channel_form, setup=_admin_channel_tab, changes=ADMIN),
    Case(ChannelSourcesState, "load", _channel, marker="Hook here", sees=ADMIN),
    Case(
        ChannelSourcesState,
        "add_canned",
        _channel,
        {"data": {"shortcut": "zz", "text": "Zed"}},
        setup=_admin_sources_tab,
        changes=ADMIN,
    ),
    Case(
        ChannelSourcesState,
        "delete_canned",
        _channel,
        lambda w, _r: {"canned_id": str(w.canned_id)},
        setup=_admin_sources_tab,
        changes=ADMIN,
    ),
    Case(
        ChannelSourcesState,
        "create_webhook",
        _channel,
        {"data": {"name": "New hook"}},
        setup=_admin_sources_tab,
        changes=ADMIN,
    ),
    Case(
        ChannelSourcesState,
        "connect",
        _channel,
        lambda w, _r: {"source_id": str(w.hook_free)},
        setup=_admin_sources_tab,
        changes=ADMIN,
    ),
    Case(
        ChannelSourcesState,
        "disconnect",
        _channel,
        lambda w, _r: {"source_id": str(w.hook_here)},
        setup=_admin_sources_tab,
        changes=ADMIN,
    ),
    Case(PeopleState, "load", "/people", marker="chloe@example.com", sees=ADMIN),
    Case(
        PeopleState,
        "set_role",
        "/people",
        lambda w, _r: {"user_id": str(w.users["employee"]), "role": "agent"},
        changes=ADMIN,
    ),
    Case(
        PeopleState,
        "set_active",
        "/people",
        lambda w, _r: {"user_id": str(w.users["employee"]), "active": False},
        changes=ADMIN,
    ),
    Case(
        PeopleState,
        "add",
        "/people",
        {
            "data": {
                "name": "Nora New",
                "email": "nora@example.com",
                "role": "admin",
                "department": "",
                "password": "a-long-new-password-1",
            }
        },
        changes=ADMIN,
    ),
    Case(AccountState, "load", "/account", marker="Management", sees=ADMIN),
    Case(
        AccountState,
        "change_password",
        "/account",
        lambda _w, r: {
            "form": {
                "current": PASSWORDS.get(r, PASSWORDS["owner"]),
                "new": "a-brand-new-password-7",
                "repeat": "a-brand-new-password-7",
            }
        },
        changes=LOGGED_IN,
    ),
    # --- the inbox: the queue decides who sees what ------------------------------------------
    Case(InboxState, "load", "/inbox", marker=SUPPORT_CLIENT, sees=IN_QUEUE, label="support"),
    Case(InboxState, "load", "/inbox", marker=BILLING_CLIENT, sees=ADMIN, label="billing"),
    Case(InboxState, "reload", "/inbox", marker=SUPPORT_CLIENT, sees=IN_QUEUE),
    Case(
        InboxState,
        "show",
        "/inbox",
        {"tab": "all"},
        prep=(("load", {}),),
        marker=BILLING_CLIENT,
        sees=ADMIN,
    ),
    Case(InboxState, "toggle_kpi", "/inbox", marker=SUPPORT_CLIENT, sees=IN_QUEUE),
    Case(InboxState, "set_online", "/inbox", {"online": True}, changes=LOGGED_IN),
    Case(InboxState, "set_clocked_in", "/inbox", {"clocked_in": True}, changes=LOGGED_IN),
    Case(ConversationState, "load", _support, marker=SUPPORT_CLIENT, sees=IN_QUEUE, label="s"),
    Case(ConversationState, "load", _billing, marker=BILLING_CLIENT, sees=ADMIN, label="b"),
    Case(ConversationState, "reload", _support, marker=SUPPORT_CLIENT, sees=IN_QUEUE),
    Case(ConversationState, "take", _support, changes=IN_QUEUE, label="support"),
    Case(ConversationState, "take", _billing, changes=ADMIN, label="billing"),
    Case(ConversationState, "send", _support, setup=_draft("On it"), changes=IN_QUEUE),
    Case(ConversationState, "send", _billing, setup=_draft("On it"), changes=ADMIN, label="b"),
    Case(
        ConversationState,
        "set_draft",
        _support,
        {"text": "typing"},
        setup=_can_reply,
        changes=IN_QUEUE,
    ),
    Case(
        ConversationState,
        "set_draft",
        _billing,
        {"text": "typing"},
        setup=_can_reply,
        changes=ADMIN,
        label="billing",
    ),
    # Unassigned: only a supervisor may close, transfer or park it (agents must take it first).
    Case(ConversationState, "close", _support, changes=ADMIN),
    Case(ConversationState, "wait_for_client", _support, changes=ADMIN),
    Case(
        ConversationState,
        "transfer",
        _support,
        {"to_queue": False},
        setup=_transfer_to_eve,
        changes=ADMIN,
    ),
    Case(ConversationState, "make_lead", _support, changes=IN_QUEUE),
    Case(ConversationState, "make_lead", _billing, changes=ADMIN, label="billing"),
    Case(ConversationState, "rate", _support, {"rating": 4}, changes=ADMIN),
    Case(ConversationState, "send_booking_link", _support, changes=IN_QUEUE),
    # --- the guest: the link's public facts -------------------------------------------------------
    Case(
        GuestState,
        "use_zone",
        lambda w, _r: f"/book/{w.link_token}",
        {"name": "Europe/Berlin"},
        prep=(("start", {}),),
        marker="Ben Colleague",
        sees=EVERYONE,
    ),
]


def _berlin():  # type: ignore[no-untyped-def]
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Berlin")


def own_id(world: World, role: str) -> str:
    """The role's user id (Ben's for roles without a login)."""
    return _own_id(world, role)
