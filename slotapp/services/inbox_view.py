"""One conversation as an agent sees it: the log, what they may do, the client's profile;
and the one-tap booking link an agent sends from it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from slotapp import routes
from slotapp.core.validation import InvalidInput
from slotapp.core.wallclock import zone
from slotapp.models import (
    Channel,
    ChatBookingLink,
    ChatMessage,
    ChatStatus,
    Conversation,
    LinkKind,
    User,
)
from slotapp.services import agent_chat, crm
from slotapp.services.channels import canned_of
from slotapp.services.chat_log import messages_after
from slotapp.services.conversations import Change
from slotapp.services.inbox import client_name, status_label
from slotapp.services.sharing import common_times_warning, find_colleagues, make_link

TYPING_FOR = timedelta(seconds=5)
LOG_LIMIT = 500
CLOSED = (ChatStatus.CLOSING.value, ChatStatus.CLOSED.value)


@dataclass(frozen=True)
class Bubble:
    """One message: author kind (client/agent/bot/system), who, text, local time."""

    id: int
    author: str
    who: str
    text: str
    at: str


@dataclass(frozen=True)
class ClientProfile:
    """The client's contact details and history, formatted."""

    name: str
    email: str
    phone: str
    dialogs: list[tuple[int, str, str]]  # id, started, status
    leads: list[tuple[str, str]]  # title, source
    meetings: list[tuple[str, str]]  # title, when


@dataclass(frozen=True)
class View:
    """A conversation for one agent: header, log, flags for the buttons, profile."""

    id: int
    client: str
    channel: str
    status: str
    status_key: str
    is_open: bool
    can_take: bool  # nobody holds it (or it is offered to them): they may take it
    can_reply: bool
    can_manage: bool  # theirs (or a supervisor's): wait, transfer, close
    typing: bool
    typing_key: str
    messages: list[Bubble]
    canned: list[tuple[str, str]]
    colleagues: list[tuple[int, str]]
    rating: str
    supervisor_rating: int
    profile: ClientProfile


def _bubbles(session: Session, conversation: Conversation, tz_name: str) -> list[Bubble]:
    assert conversation.id is not None
    log = messages_after(session=session, conversation_id=conversation.id, limit=LOG_LIMIT)
    agent_ids = {m.agent_id for m in log if m.agent_id is not None}
    names = dict(session.exec(select(User.id, User.name).where(col(User.id).in_(agent_ids))).all())
    tz, client = zone(tz_name), client_name(conversation)
    who = {"client": client, "bot": "Bot", "system": ""}
    return [
        Bubble(
            id=m.id or 0,
            author=m.author,
            who=names.get(m.agent_id, "Agent") if m.author == "agent" else who.get(m.author, ""),
            text=m.text,
            at=f"{m.created_at.astimezone(tz):%H:%M}",
        )
        for m in log
    ]


def _profile(session: Session, conversation: Conversation, tz_name: str) -> ClientProfile:
    found = crm.profile(session=session, conversation=conversation)
    tz, contact = zone(tz_name), found.contact
    return ClientProfile(
        name=(contact.name if contact else "") or conversation.visitor_name,
        email=(contact.email if contact else "") or conversation.visitor_email,
        phone=(contact.phone if contact else "") or conversation.visitor_phone,
        dialogs=[
            (c.id or 0, f"{c.created_at.astimezone(tz):%d %b %Y}", status_label(c))
            for c in found.conversations
        ],
        leads=[(lead.title, lead.source) for lead in found.leads],
        meetings=[
            (m.title or "Meeting", f"{m.start_at.astimezone(tz):%a %d %b %Y, %H:%M}")
            for m in found.meetings
        ],
    )


def view(*, session: Session, user: User, conversation_id: int, now: datetime) -> View:
    """The conversation as `user` may see it.

    Raises:
        InvalidInput: it does not exist or is not theirs to see (nothing of it is returned).
    """
    c = agent_chat.get_for(session=session, user=user, conversation_id=conversation_id)
    assert c.id is not None and user.id is not None
    boss = agent_chat.is_supervisor(user)
    is_open = c.status not in CLOSED
    free = c.assigned_to is None or (c.assigned_to == user.id and c.status != "active")
    typing = c.client_typing_at is not None and now - c.client_typing_at <= TYPING_FOR
    channel = session.get(Channel, c.channel_id)
    return View(
        id=c.id,
        client=client_name(c),
        channel=channel.name if channel else "",
        status=status_label(c),
        status_key=c.status,
        is_open=is_open,
        can_take=is_open and (free or (boss and c.assigned_to != user.id)),
        can_reply=is_open and (c.assigned_to in (None, user.id) or boss),
        can_manage=is_open and (c.assigned_to == user.id or boss),
        typing=typing,
        typing_key=c.client_typing_at.isoformat() if typing and c.client_typing_at else "",
        messages=_bubbles(session, c, user.time_zone),
        canned=[(r.shortcut, r.text) for r in canned_of(session=session, channel_id=c.channel_id)],
        colleagues=[
            (p.id, p.name) for p in find_colleagues(session=session, exclude=[user.id], limit=100)
        ],
        rating=f"{c.rating} of 5" if c.rating else "",
        supervisor_rating=c.supervisor_rating or 0,
        profile=_profile(session, c, user.time_zone),
    )


NO_TIMES = "You have no open times to offer: {warning} Set your hours under Open slots."


def send_booking_link(
    *,
    session: Session,
    user: User,
    conversation: Conversation,
    secret: bytes,
    base_url: str,
    now: datetime,
) -> Change:
    """Make a one-time link to the agent's own open slots and send it as their message.

    The link is recorded on the conversation, so a booking made through it shows on the
    client's profile.

    Raises:
        InvalidInput: the agent has no free time to offer, or may not answer this enquiry.
    """
    assert user.id is not None and conversation.id is not None
    warning = common_times_warning(session=session, owner_id=user.id, colleague_ids=(), now=now)
    if warning:
        raise InvalidInput("booking", NO_TIMES.format(warning=warning))
    link, token = make_link(
        session=session, owner_id=user.id, kind=LinkKind.ONE_TIME, secret=secret, now=now
    )
    assert link.id is not None
    session.add(ChatBookingLink(conversation_id=conversation.id, link_id=link.id))
    url = base_url.rstrip("/") + routes.booking_path(token)
    change = agent_chat.reply(
        session=session,
        user=user,
        conversation=conversation,
        text=f"Pick a time for a meeting with me: {url}",
        now=now,
    )
    sent = session.exec(
        select(ChatMessage)
        .where(ChatMessage.conversation_id == conversation.id, ChatMessage.agent_id == user.id)
        .order_by(col(ChatMessage.id).desc())
    ).first()
    if sent is not None:  # marked, so the widget can show it as a button
        sent.extra = {**sent.extra, "booking_url": url}
        session.add(sent)
    return change
