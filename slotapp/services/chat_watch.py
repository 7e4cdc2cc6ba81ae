"""Notice changes made by other processes to conversations that visitors are long-polling.

A change made in this process wakes its long-polls through `chat_bus`; one made by another
worker process (an agent's reply there, its timer loop) does not. So each process runs one
watcher that, every second, reads a cheap version of every conversation a long-poll waits on
(one query for all of them) and wakes those whose version moved since that long-poll read
it. The cost is one query per second per process, however many visitors wait.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from slotapp.models import ChatMessage, Conversation
from slotapp.services.chat_visitor import TYPING_FOR  # the version moves when the flag fades

log = logging.getLogger(__name__)


def versions(*, session: Session, conversation_ids: Sequence[int], now: datetime) -> dict[int, str]:
    """A short fingerprint per conversation of what the visitor sees: its last message id,
    status, agent, typing flag (at `now`), consent, contact and rating."""
    if not conversation_ids:
        return {}
    table = Conversation.__table__.c  # type: ignore[attr-defined]
    last = (
        sa_select(func.max(ChatMessage.__table__.c.id))  # type: ignore[attr-defined]
        .where(ChatMessage.__table__.c.conversation_id == table.id)  # type: ignore[attr-defined]
        .scalar_subquery()
    )
    query = sa_select(
        table.id,
        last,
        table.status,
        table.assigned_to,
        table.agent_typing_at,
        table.consent_at,
        table.visitor_name,
        table.visitor_email,
        table.visitor_phone,
        table.rating,
        table.rated_agent_id,
    ).where(table.id.in_(list(conversation_ids)))
    rows = session.execute(query).all()
    found = {}
    for cid, *fields in rows:
        typing_at = fields[3]
        fields[3] = typing_at is not None and now - typing_at < TYPING_FOR
        found[cid] = hashlib.sha256(repr(fields).encode()).hexdigest()[:16]
    return found


class ChatWatch:
    """Wakes waiting long-polls when their conversation's version moves (see module doc)."""

    def __init__(
        self,
        engine_factory: Callable[[], Engine],
        clock: Callable[[], datetime],
        interval: float = 1.0,
    ) -> None:
        self.engine_factory = engine_factory
        self.clock = clock
        self.interval = interval
        self._waiting: dict[asyncio.Future[None], tuple[int, str]] = {}
        self._task: asyncio.Task[None] | None = None

    def version(self, conversation_id: int) -> str:
        """The conversation's version now (call from a worker thread)."""
        with Session(self.engine_factory()) as session:
            found = versions(session=session, conversation_ids=[conversation_id], now=self.clock())
        return found.get(conversation_id, "")

    def watch(self, conversation_id: int, version: str, future: asyncio.Future[None]) -> None:
        """Resolve `future` once the conversation's version differs from `version`."""
        self._waiting[future] = (conversation_id, version)
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done() or self._task.get_loop() is not loop:
            self._task = loop.create_task(self._run())

    def forget(self, future: asyncio.Future[None]) -> None:
        """Stop watching for `future` (its long-poll has answered)."""
        self._waiting.pop(future, None)

    async def _run(self) -> None:
        while self._waiting:
            await asyncio.sleep(self.interval)
            wanted = sorted({cid for cid, _ in self._waiting.values()})
            if not wanted:
                continue
            try:
                current = await asyncio.to_thread(self._versions, wanted)
            except Exception:  # the next round tries again; long-polls still time out
                log.exception("chat watch: reading versions failed")
                continue
            for future, (cid, seen) in list(self._waiting.items()):
                if current.get(cid, "") != seen and not future.done():
                    future.set_result(None)

    def _versions(self, conversation_ids: list[int]) -> dict[int, str]:
        with Session(self.engine_factory()) as session:
            return versions(session=session, conversation_ids=conversation_ids, now=self.clock())
