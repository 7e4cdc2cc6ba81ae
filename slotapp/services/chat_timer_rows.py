"""Persisted chat deadlines: keep them in step with the conversation, take due ones once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select

from slotapp.core.channel_settings import ChannelSettings, timer_rules
from slotapp.core.chat_timers import ChatFacts, TimerKind, due_timers
from slotapp.db import serialized
from slotapp.models import ChatTimer, Conversation


def set_timer(*, session: Session, conversation_id: int, kind: str, due: datetime | None) -> None:
    """Make `kind` fall due at `due` for the conversation (None clears it)."""
    row = session.exec(
        select(ChatTimer).where(
            ChatTimer.conversation_id == conversation_id, ChatTimer.kind == kind
        )
    ).first()
    if due is None:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        row = ChatTimer(conversation_id=conversation_id, kind=kind, due_at=due)
    row.due_at = due
    session.add(row)


def timer_rows(*, session: Session, conversation_id: int) -> dict[str, ChatTimer]:
    """The conversation's stored timer rows by kind (one query)."""
    rows = session.exec(select(ChatTimer).where(ChatTimer.conversation_id == conversation_id))
    return {row.kind: row for row in rows}


def clear_timers(*, session: Session, conversation_id: int, kinds: tuple[str, ...] = ()) -> None:
    """Clear these kinds (all when empty) for the conversation."""
    query = delete(ChatTimer).where(col(ChatTimer.conversation_id) == conversation_id)
    if kinds:
        query = query.where(col(ChatTimer.kind).in_(kinds))
    session.exec(query)


def timers_of(*, session: Session, conversation_id: int) -> dict[str, datetime]:
    """The conversation's pending deadlines by kind."""
    rows = session.exec(select(ChatTimer).where(ChatTimer.conversation_id == conversation_id))
    return {row.kind: row.due_at for row in rows}


def next_due(*, session: Session) -> datetime | None:
    """The earliest pending deadline, to know how long the scheduler may sleep."""
    row = session.exec(select(ChatTimer).order_by(col(ChatTimer.due_at))).first()
    return row.due_at if row else None


def run_due(
    *,
    engine: Engine,
    now: datetime,
    act: Callable[[Session, ChatTimer, datetime], None],
    batch: int = 200,
) -> int:
    """Act on every deadline due at `now`; returns how many this worker acted on.

    Each timer is handled in its own transaction that locks the row, acts, and deletes it:
    another worker skips a locked row (PostgreSQL SKIP LOCKED) or waits for the write lock and
    then finds it gone (SQLite), so each deadline fires exactly once. A failing action rolls
    back and stays due for the next pass.
    """
    with Session(engine) as session:
        due = session.exec(
            select(ChatTimer.id).where(col(ChatTimer.due_at) <= now).limit(batch)
        ).all()
    done = 0
    for timer_id in due:
        with Session(serialized(engine), expire_on_commit=False) as session:
            timer = session.exec(
                select(ChatTimer)
                .where(ChatTimer.id == timer_id, col(ChatTimer.due_at) <= now)
                .with_for_update(skip_locked=True)
            ).first()
            if timer is None:
                continue
            kind, conversation_id = timer.kind, timer.conversation_id
            session.delete(timer)
            session.flush()
            # The action may set a new timer of the same kind; it starts from a clean slot.
            act(
                session,
                ChatTimer(
                    id=timer_id, conversation_id=conversation_id, kind=kind, due_at=timer.due_at
                ),
                now,
            )
            session.commit()
            done += 1
    return done


def sync_timers(*, session: Session, conversation: Conversation, settings: ChannelSettings) -> None:
    """Store exactly the deadlines that apply to the conversation now (`core.chat_timers`).

    An action that already happened for the client's latest message (the unanswered mark,
    the KPI alert) is not planned again.
    """
    assert conversation.id is not None
    facts = ChatFacts(
        status=conversation.status,  # type: ignore[arg-type]
        offer_deadline=conversation.offer_deadline,
        last_client_message_at=conversation.last_client_message_at,
        last_agent_message_at=conversation.last_agent_message_at,
        first_client_message_at=conversation.first_client_message_at,
        first_agent_reply_at=conversation.first_agent_reply_at,
        closed_at=conversation.closed_at,
    )
    due = due_timers(facts, timer_rules(settings))
    if conversation.unanswered_marked_at is not None:
        due.pop(TimerKind.UNANSWERED, None)
    alerted, last = conversation.kpi_alerted_at, conversation.last_client_message_at
    if alerted is not None and last is not None and alerted >= last:
        due.pop(TimerKind.KPI_INITIAL, None)
        due.pop(TimerKind.KPI_NEXT, None)
    stored = timer_rows(session=session, conversation_id=conversation.id)
    for kind in TimerKind:
        row, want = stored.get(kind.value), due.get(kind)
        if row is not None and want is None:
            session.delete(row)
        elif want is not None and (row is None or row.due_at != want):
            row = row or ChatTimer(conversation_id=conversation.id, kind=kind.value, due_at=want)
            row.due_at = want
            session.add(row)
