"""Routing with the database: who may take an enquiry now, and recording the offer.

`core.routing` decides; this module reads the queue, each agent's presence and open
enquiries, applies the decision to the conversation and keeps its forward deadline. Routing
of one channel is serialised (a row lock on PostgreSQL, SQLite's write lock otherwise) so two
enquiries arriving together cannot both take an agent's last free place.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlmodel import Session, col, or_, select

from slotapp.core.channel_settings import ChannelSettings
from slotapp.core.routing import Agent, Decision, Load, QueueEntry, QueueRules, expand_queue, route
from slotapp.models import (
    AgentPresence,
    Channel,
    ChannelQueueEntry,
    ChatStatus,
    Contact,
    Conversation,
    User,
)
from slotapp.services import chat_timer_rows

# Enquiries that count toward an agent's limit: offered to them alone, active, closing.
HELD = (ChatStatus.OFFERED.value, ChatStatus.ACTIVE.value, ChatStatus.CLOSING.value)


def rules_of(settings: ChannelSettings) -> QueueRules:
    """The routing part of a channel's settings."""
    return QueueRules(
        distribution=settings.distribution,  # type: ignore[arg-type]
        check_online=settings.check_online,
        limit=settings.limit,
        exclude=frozenset(Load(x) for x in settings.limit_exclude),
        idle=timedelta(minutes=settings.idle_minutes),
    )


def queue_user_ids(*, session: Session, channel_id: int) -> tuple[int, ...]:
    """The channel's agents in queue order, departments expanded to their active members."""
    entries = session.exec(
        select(ChannelQueueEntry)
        .where(ChannelQueueEntry.channel_id == channel_id)
        .order_by(col(ChannelQueueEntry.position))
    ).all()
    wanted = {e.department for e in entries if e.department}
    departments: dict[str, list[int]] = defaultdict(list)
    if wanted:
        rows = session.exec(
            select(User.id, User.department)
            .where(col(User.department).in_(wanted), col(User.is_active))
            .order_by(col(User.name), col(User.id))
        )
        for user_id, department in rows:
            assert user_id is not None
            departments[department].append(user_id)
    return expand_queue(
        [
            QueueEntry(user_id=e.user_id)
            if e.user_id is not None
            else QueueEntry(department=e.department or "")
            for e in entries
        ],
        departments,
    )


def agents(
    *, session: Session, user_ids: Iterable[int], skip_conversation: int | None = None
) -> dict[int, Agent]:
    """Routing's view of these users: presence, dismissal and their held enquiries' loads."""
    ids = list(dict.fromkeys(user_ids))
    if not ids:
        return {}
    users = {u.id: u for u in session.exec(select(User).where(col(User.id).in_(ids)))}
    presence = {
        p.user_id: p
        for p in session.exec(select(AgentPresence).where(col(AgentPresence.user_id).in_(ids)))
    }
    loads: dict[int, list[Load]] = defaultdict(list)
    held = session.exec(
        select(Conversation.assigned_to, Conversation.load, Conversation.status).where(
            col(Conversation.assigned_to).in_(ids),
            col(Conversation.status).in_(HELD),
            col(Conversation.id) != (skip_conversation or -1),
        )
    )
    for user_id, load, status in held:
        assert user_id is not None
        loads[user_id].append(Load.CLOSING if status == ChatStatus.CLOSING.value else Load(load))
    result = {}
    for user_id in ids:
        user, seen = users.get(user_id), presence.get(user_id)
        if user is None:
            continue
        result[user_id] = Agent(
            user_id=user_id,
            online=bool(seen and seen.online),
            clocked_in=bool(seen and seen.clocked_in),
            on_leave=bool(seen and seen.on_leave),
            dismissed=not user.is_active,
            loads=tuple(loads[user_id]),
            last_assigned_at=seen.last_assigned_at if seen else None,
        )
    return result


def lock_channel(*, session: Session, channel_id: int) -> None:
    """Serialise routing of this channel until the transaction ends (PostgreSQL row lock)."""
    session.exec(select(Channel.id).where(Channel.id == channel_id).with_for_update()).first()


def decide(
    *,
    session: Session,
    conversation: Conversation,
    settings: ChannelSettings,
    now: datetime,
    forwarding_from: int | None = None,
) -> Decision:
    """Route `conversation` now (and record it); `forwarding_from` is the agent it passes."""
    lock_channel(session=session, channel_id=conversation.channel_id)
    rules = rules_of(settings)
    order = queue_user_ids(session=session, channel_id=conversation.channel_id)
    responsible_id = _responsible(session, conversation)
    known = agents(
        session=session,
        user_ids=[*order, *([responsible_id] if responsible_id else [])],
        skip_conversation=conversation.id,
    )
    queue = [known[i] for i in order if i in known]
    responsible = known.get(responsible_id) if responsible_id else None
    tried = frozenset(conversation.tried)
    if forwarding_from is not None:
        tried |= {forwarding_from}
    decision = route(
        queue, rules, now=now, tried=tried, responsible=responsible, holder=forwarding_from
    )
    apply(session=session, conversation=conversation, decision=decision, now=now)
    return decision


def apply(
    *, session: Session, conversation: Conversation, decision: Decision, now: datetime
) -> None:
    """Record the decision on the conversation, its forward timer and the agent's stamp."""
    conversation.tried = sorted(decision.tried)
    conversation.offered_to = list(decision.offer_to)
    conversation.offer_deadline = decision.deadline
    if not decision.offer_to:
        conversation.status = ChatStatus.WAITING.value
        conversation.assigned_to = None
    elif decision.deadline is None:  # to everybody: nobody holds it until one answers
        conversation.status = ChatStatus.OFFERED.value
        conversation.assigned_to = None
    else:
        conversation.status = ChatStatus.OFFERED.value
        conversation.assigned_to = decision.offer_to[0]
        presence = session.get(AgentPresence, decision.offer_to[0]) or AgentPresence(
            user_id=decision.offer_to[0]
        )
        presence.last_assigned_at = now
        session.add(presence)
    conversation.updated_at = now
    session.add(conversation)
    session.flush()
    assert conversation.id is not None
    chat_timer_rows.set_timer(
        session=session, conversation_id=conversation.id, kind="forward", due=decision.deadline
    )


def _responsible(session: Session, conversation: Conversation) -> int | None:
    if conversation.contact_id is None:
        return None
    contact = session.get(Contact, conversation.contact_id)
    return contact.responsible_id if contact else None


def channels_holding(*, session: Session, user_id: int) -> list[int]:
    """Ids of the channels whose queue holds this user (directly or by department)."""
    user = session.get(User, user_id)
    if user is None:
        return []
    clauses = [col(ChannelQueueEntry.user_id) == user_id]
    if user.department:
        clauses.append(col(ChannelQueueEntry.department) == user.department)
    rows = session.exec(select(ChannelQueueEntry.channel_id).where(or_(*clauses)).distinct())
    return sorted(set(rows))
