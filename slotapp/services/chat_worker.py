"""The loop that acts on due chat deadlines (forwarding, opening hours, unanswered marks,
timeouts, full close, KPI alerts) in the background of every server process.

Each pass runs `chat_timer_rows.run_due`, which takes each due timer in its own locking
transaction, so with several processes every deadline is acted on exactly once. The loop
looks every second (or at once when `chat_bus.bus.wake_timers()` is called), logs failures
and never ends. An action that raises is rolled back and tried again a minute later, so one
broken conversation cannot hold up the others' deadlines.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from slotapp.clock import utcnow
from slotapp.db import get_engine
from slotapp.models import ChatTimer, Conversation
from slotapp.services import chat_automation
from slotapp.services.chat_bus import ChatBus
from slotapp.services.chat_bus import bus as process_bus
from slotapp.services.chat_timer_rows import run_due, set_timer
from slotapp.services.conversations import topics

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 1.0
RETRY_AFTER = timedelta(minutes=1)
Act = Callable[[Session, ChatTimer, datetime], None]


@dataclass
class Pass:
    """What one pass did: timers acted on, failed (postponed), and what to refresh."""

    acted: int = 0
    failed: int = 0
    conversation_ids: set[int] = field(default_factory=set)
    topics: set[str] = field(default_factory=set)


def run_once(
    *, engine: Engine, now: datetime, act: Act = chat_automation.act, batch: int = 200
) -> Pass:
    """Act on the deadlines due at `now`, each once across workers; never raises for one
    failing action (it is logged and postponed by RETRY_AFTER)."""
    result = Pass()

    def guarded(session: Session, timer: ChatTimer, at: datetime) -> None:
        # Who showed it before: a forwarded enquiry must leave the previous agent's inbox.
        before = session.get(Conversation, timer.conversation_id)
        had = {before.assigned_to, *before.offered_to} if before is not None else set()
        try:
            with session.begin_nested():  # a failure undoes the action, not the take
                act(session, timer, at)
        except Exception:
            log.exception(
                "chat timer %s of conversation %s failed", timer.kind, timer.conversation_id
            )
            set_timer(
                session=session,
                conversation_id=timer.conversation_id,
                kind=timer.kind,
                due=at + RETRY_AFTER,
            )
            result.failed += 1
            return
        conversation = session.get(Conversation, timer.conversation_id)
        if conversation is not None:
            result.conversation_ids.add(timer.conversation_id)
            result.topics |= topics(conversation, *had)

    result.acted = run_due(engine=engine, now=now, act=guarded, batch=batch) - result.failed
    return result


async def chat_timers_forever(
    *,
    on_chat: Callable[[Iterable[str]], None] | None = None,
    engine_factory: Callable[[], Engine] = get_engine,
    clock: Callable[[], datetime] = utcnow,
    bus: ChatBus = process_bus,
    interval: float = INTERVAL_SECONDS,
) -> None:
    """Run due chat deadlines every `interval` seconds, for the server's lifespan.

    Args:
        on_chat: Told the live topics of the conversations a pass changed, on the event loop
            (`state.live.notify`), so agents' open inboxes refresh.
        engine_factory, clock, bus, interval: For tests.
    """
    while True:
        try:
            done = await asyncio.to_thread(lambda: run_once(engine=engine_factory(), now=clock()))
            if done.conversation_ids:
                bus.wake(done.conversation_ids)
            if done.topics and on_chat is not None:
                on_chat(sorted(done.topics))
        except Exception:  # a broken pass must not end the loop: the next one retries
            log.exception("chat timer pass failed")
        await bus.sleep_timers(interval)
