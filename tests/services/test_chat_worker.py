"""The chat timer loop: due deadlines acted on once across workers, failures contained."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from slotapp.models import ChatStatus, ChatTimer, Conversation
from slotapp.services import chat_automation
from slotapp.services.chat_bus import ChatBus
from slotapp.services.chat_timer_rows import timers_of
from slotapp.services.chat_worker import RETRY_AFTER, chat_timers_forever, run_once
from tests import aio
from tests.services.chat_helpers import client_writes, make_desk

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday
DUE = NOW + timedelta(minutes=1)


def test_forwarding_is_acted_on_once_and_both_inboxes_are_told(
    session: Session, engine: Engine
) -> None:
    desk = make_desk(session, NOW, agents=2, distribution="in_order", idle_minutes=1)
    conversation, _ = client_writes(session, desk, "Hello?", NOW)
    first, second = (a.id for a in desk.agents)
    assert conversation.assigned_to == first
    assert run_once(engine=engine, now=NOW).acted == 0  # not due yet
    done = run_once(engine=engine, now=DUE)
    assert (done.acted, done.failed) == (1, 0)
    assert done.conversation_ids == {conversation.id}
    # The agent it left and the agent it went to both refresh.
    assert {f"inbox:{first}", f"inbox:{second}", f"chat:{conversation.id}"} <= done.topics
    session.rollback()
    session.refresh(conversation)
    assert conversation.assigned_to == second
    assert run_once(engine=engine, now=DUE).acted == 0


def test_two_workers_racing_act_on_each_deadline_exactly_once(
    session: Session, engine: Engine
) -> None:
    desk = make_desk(session, NOW, agents=1, distribution="in_order", idle_minutes=1)
    ids = [client_writes(session, desk, f"Hi {i}", NOW, f"v{i}")[0].id for i in range(24)]
    calls: Counter[tuple[int, str]] = Counter()
    lock = threading.Lock()

    def counting(s: Session, timer: ChatTimer, now: datetime) -> None:
        with lock:
            calls[(timer.conversation_id, timer.kind)] += 1
        chat_automation.act(s, timer, now)

    barrier = threading.Barrier(2)
    acted: list[int] = []

    def worker() -> None:
        barrier.wait()
        acted.append(run_once(engine=engine, now=DUE, act=counting).acted)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sum(acted) == len(ids)
    assert set(calls) == {(cid, "forward") for cid in ids}
    assert set(calls.values()) == {1}


def test_a_failing_action_is_postponed_and_does_not_block_the_others(
    session: Session, engine: Engine
) -> None:
    desk = make_desk(session, NOW, agents=1, distribution="in_order", idle_minutes=1)
    broken, _ = client_writes(session, desk, "Broken", NOW, "v1")
    fine, _ = client_writes(session, desk, "Fine", NOW, "v2")

    def flaky(s: Session, timer: ChatTimer, now: datetime) -> None:
        chat_automation.act(s, timer, now)
        if timer.conversation_id == broken.id:
            raise RuntimeError("boom")  # after changing things: they must be undone

    done = run_once(engine=engine, now=DUE, act=flaky)
    assert (done.acted, done.failed) == (1, 1)
    assert done.conversation_ids == {fine.id}
    session.rollback()
    assert (
        timers_of(session=session, conversation_id=broken.id or 0)["forward"] == DUE + RETRY_AFTER
    )
    session.refresh(broken)
    assert broken.status == ChatStatus.OFFERED.value and broken.tried == [desk.agents[0].id]


def test_the_loop_survives_a_broken_pass_wakes_long_polls_and_tells_inboxes(
    session: Session, engine: Engine
) -> None:
    desk = make_desk(session, NOW, agents=1, distribution="in_order", idle_minutes=1)
    conversation, _ = client_writes(session, desk, "Hello?", NOW)
    assert conversation.id is not None
    told: list[list[str]] = []
    factories = iter([RuntimeError("database away")])

    def engine_factory() -> Engine:
        failure = next(factories, None)
        if failure is not None:
            raise failure
        return engine

    async def main() -> None:
        bus = ChatBus()
        woken = bus.listen(conversation.id or 0)
        loop = asyncio.create_task(
            chat_timers_forever(
                on_chat=told.append,
                engine_factory=engine_factory,
                clock=lambda: DUE,
                bus=bus,
                interval=60.0,
            )
        )
        try:
            await asyncio.sleep(0.3)  # the first pass failed; the loop sleeps its 60 s
            assert not woken.done() and told == []
            bus.wake_timers()  # ... unless woken
            await asyncio.wait_for(woken, timeout=10)
            for _ in range(100):
                if told:
                    break
                await asyncio.sleep(0.05)
            assert f"chat:{conversation.id}" in told[0]
            assert not loop.done()
        finally:
            loop.cancel()

    aio.run(main())
    session.rollback()
    assert session.exec(select(Conversation.status)).one() == ChatStatus.OFFERED.value
    assert "forward" in timers_of(session=session, conversation_id=conversation.id)
