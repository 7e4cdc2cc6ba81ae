"""Response-time KPIs of the inbox: per conversation and per agent, with ratings."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlmodel import Session, col, select

from slotapp.core.kpi import Author, ChatEvent, format_duration, per_agent, response_times
from slotapp.models import ChatMessage, Conversation, User


@dataclass(frozen=True)
class Kpi:
    """One conversation's response times, formatted ("—" when there is none)."""

    initial: str
    total: str
    average: str
    maximum: str


@dataclass(frozen=True)
class AgentRow:
    """One agent's KPIs and ratings over a period."""

    user_id: int
    name: str
    answers: int
    average: str
    maximum: str
    initial: str
    client_rating: str  # "4.5 (2)" or "—"
    supervisor_rating: str


def events_of(session: Session, ids: Sequence[int | None]) -> dict[int, list[ChatEvent]]:
    """Each conversation's messages as KPI events."""
    events: dict[int, list[ChatEvent]] = defaultdict(list)
    rows = session.exec(
        select(
            ChatMessage.conversation_id,
            ChatMessage.created_at,
            ChatMessage.author,
            ChatMessage.agent_id,
        )
        .where(col(ChatMessage.conversation_id).in_([i for i in ids if i is not None]))
        .order_by(col(ChatMessage.id))
    )
    for conversation_id, at, author, agent_id in rows:
        events[conversation_id].append(ChatEvent(at, cast(Author, author), agent_id))
    return events


def _duration(value: timedelta | None) -> str:
    return "—" if value is None else format_duration(value)


def kpi_of(events: Sequence[ChatEvent]) -> Kpi:
    """The formatted response times of one conversation's messages."""
    times = response_times(events)
    return Kpi(*(_duration(t) for t in (times.initial, times.total, times.average, times.maximum)))


def _rating(values: list[int]) -> str:
    return f"{sum(values) / len(values):.1f} ({len(values)})" if values else "—"


def agent_summary(*, session: Session, since: datetime) -> list[AgentRow]:
    """Per agent, over conversations started since `since`: KPIs and average ratings."""
    found = session.exec(select(Conversation).where(col(Conversation.created_at) >= since)).all()
    kpis = per_agent(events_of(session, [c.id for c in found]))
    client: dict[int, list[int]] = defaultdict(list)
    supervisor: dict[int, list[int]] = defaultdict(list)
    for c in found:
        agent = c.rated_agent_id or c.assigned_to
        if agent is not None and c.rating is not None:
            client[agent].append(c.rating)
        if agent is not None and c.supervisor_rating is not None:
            supervisor[agent].append(c.supervisor_rating)
    ids = sorted({*kpis, *client, *supervisor})
    names = dict(session.exec(select(User.id, User.name).where(col(User.id).in_(ids))).all())
    result = []
    for uid in ids:
        k = kpis.get(uid)
        result.append(
            AgentRow(
                user_id=uid,
                name=names.get(uid, "?"),
                answers=k.answers if k else 0,
                average=_duration(k.average if k else None),
                maximum=_duration(k.maximum if k else None),
                initial=_duration(k.average_initial if k else None),
                client_rating=_rating(client[uid]),
                supervisor_rating=_rating(supervisor[uid]),
            )
        )
    return sorted(result, key=lambda r: r.name.casefold())
