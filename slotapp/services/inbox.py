"""The agents' inbox: its tabs as display-ready rows, and the agent's presence.

Rows are formatted here, so the Reflex state only copies them.
The conversation view lives in `inbox_view`, response-time KPIs in `inbox_kpi`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import Session, and_, col, func, or_, select

from slotapp.core.kpi import format_duration
from slotapp.core.validation import InvalidInput
from slotapp.models import (
    OPEN_STATUSES,
    AgentPresence,
    Channel,
    ChatMessage,
    ChatStatus,
    Conversation,
    User,
)
from slotapp.services import agent_chat, chat_routing
from slotapp.services.conversations import topics
from slotapp.services.inbox_kpi import Kpi, events_of, kpi_of

LIMIT = 100
PREVIEW = 90
STATUS_LABELS = {
    "bot": "Bot answering",
    "waiting": "Waiting in queue",
    "offered": "New",
    "active": "Active",
    "closing": "Closing",
    "closed": "Closed",
}
_OPEN_VALUES = [s.value for s in OPEN_STATUSES]


class Tab(StrEnum):
    """Mine: held by the agent. Queue: offered to them or waiting in their queue. All."""

    MINE = "mine"
    QUEUE = "queue"
    ALL = "all"


@dataclass(frozen=True)
class Row:
    """One line of the inbox."""

    id: int
    client: str
    channel: str
    preview: str
    status: str
    status_key: str
    waiting: str  # "4 min" while the client waits for an answer, else ""
    kpi: Kpi | None


def client_name(conversation: Conversation) -> str:
    """The client's name as given, else "Visitor #<conversation id>"."""
    return conversation.visitor_name or f"Visitor #{conversation.id}"


def status_label(conversation: Conversation) -> str:
    """A short human status; an answered enquiry waiting on the client says so."""
    if conversation.status == "active" and conversation.load == "awaiting_client":
        return "Waiting for client"
    return STATUS_LABELS.get(conversation.status, conversation.status)


def _tab_query(session: Session, user: User, tab: Tab):  # type: ignore[no-untyped-def]
    assert user.id is not None
    query = select(Conversation).where(col(Conversation.first_client_message_at).is_not(None))
    if tab is Tab.MINE:
        held = (ChatStatus.ACTIVE.value, ChatStatus.CLOSING.value, ChatStatus.CLOSED.value)
        return query.where(Conversation.assigned_to == user.id, col(Conversation.status).in_(held))
    if tab is Tab.QUEUE:
        holding = chat_routing.channels_holding(session=session, user_id=user.id)
        offered = col(Conversation.status) == ChatStatus.OFFERED.value
        waiting = and_(
            col(Conversation.status) == ChatStatus.WAITING.value,
            col(Conversation.channel_id).in_(holding),
        )
        return query.where(or_(offered, waiting))
    if not agent_chat.is_supervisor(user):
        raise InvalidInput("tab", "Only supervisors see every conversation.")
    return query


def _queued(session: Session, user: User) -> list[Conversation]:
    # JSON membership (offered_to) is filtered here, portable across databases; open
    # enquiries are few, so they are all read.
    found = session.exec(
        _tab_query(session, user, Tab.QUEUE).order_by(col(Conversation.updated_at).desc())
    ).all()
    return [c for c in found if c.status == "waiting" or user.id in c.offered_to]


def conversations(*, session: Session, user: User, tab: Tab) -> list[Conversation]:
    """The tab's conversations, at most LIMIT: open ones first, then the latest activity."""
    if tab is Tab.QUEUE:
        return _queued(session, user)[:LIMIT]
    query = _tab_query(session, user, tab).order_by(col(Conversation.updated_at).desc())
    is_open = col(Conversation.status).in_(_OPEN_VALUES)
    found = list(session.exec(query.where(is_open).limit(LIMIT)).all())
    if len(found) < LIMIT:
        found += session.exec(query.where(~is_open).limit(LIMIT - len(found))).all()
    return found


def counts(*, session: Session, user: User) -> dict[str, int]:
    """How many open enquiries each tab holds (the All tab only for supervisors)."""
    tabs = [Tab.MINE, Tab.ALL] if agent_chat.is_supervisor(user) else [Tab.MINE]
    result = {Tab.QUEUE.value: len(_queued(session, user))}
    for tab in tabs:
        query = _tab_query(session, user, tab).where(col(Conversation.status).in_(_OPEN_VALUES))
        result[tab.value] = session.exec(select(func.count()).select_from(query.subquery())).one()
    return result


def _previews(session: Session, ids: list[int | None]) -> dict[int, ChatMessage]:
    """The last message of each that someone wrote (automatic notices are left out)."""
    last = (
        select(func.max(ChatMessage.id))
        .where(col(ChatMessage.conversation_id).in_(ids), ChatMessage.author != "system")
        .group_by(col(ChatMessage.conversation_id))
    )
    rows = session.exec(select(ChatMessage).where(col(ChatMessage.id).in_(last)))
    return {m.conversation_id: m for m in rows}


def _preview(message: ChatMessage | None, user_id: int | None) -> str:
    if message is None:
        return ""
    who = {"agent": "Agent: ", "bot": "Bot: "}.get(message.author, "")
    if message.author == "agent" and message.agent_id == user_id:
        who = "You: "
    text = " ".join(message.text.split())
    return who + (text if len(text) <= PREVIEW else text[: PREVIEW - 1] + "…")


def waiting_for(conversation: Conversation, now: datetime) -> str:
    """How long the client has been waiting for an answer ("" when not waiting)."""
    asked, answered = conversation.last_client_message_at, conversation.last_agent_message_at
    waits = conversation.status in ("waiting", "offered", "active")
    if not waits or asked is None or (answered is not None and answered >= asked):
        return ""
    return format_duration(max(now - asked, timedelta(0)))


def rows(*, session: Session, user: User, tab: Tab, now: datetime, kpi: bool = False) -> list[Row]:
    """The tab's rows, formatted; with `kpi`, each with its response times.

    Raises:
        InvalidInput: the All tab asked for by someone who is not a supervisor.
    """
    found = conversations(session=session, user=user, tab=tab)
    ids = [c.id for c in found]
    channels = dict(session.exec(select(Channel.id, Channel.name)).all())
    last = _previews(session, ids)
    events = events_of(session, ids) if kpi else {}
    result = []
    for c in found:
        assert c.id is not None
        result.append(
            Row(
                id=c.id,
                client=client_name(c),
                channel=channels.get(c.channel_id, ""),
                preview=_preview(last.get(c.id), user.id),
                status=status_label(c),
                status_key=c.status,
                waiting=waiting_for(c, now),
                kpi=kpi_of(events.get(c.id, [])) if kpi else None,
            )
        )
    return result


def presence(*, session: Session, user_id: int) -> AgentPresence:
    """The agent's presence (a default, unsaved one when they never set it)."""
    return session.get(AgentPresence, user_id) or AgentPresence(user_id=user_id)


def set_presence(
    *,
    session: Session,
    user: User,
    now: datetime,
    online: bool | None = None,
    clocked_in: bool | None = None,
) -> set[str]:
    """Change presence; returns the live topics to refresh (enquiries it was handed)."""
    handed: Iterable[Conversation] = agent_chat.set_presence(
        session=session, user=user, now=now, online=online, clocked_in=clocked_in
    )
    changed = {f"inbox:{user.id}"}
    for conversation in handed:
        changed |= topics(conversation)
    return changed
