"""The shared context of the chat API's routes: database, clock, live updates, wake-ups.

The routes are `async`: they hand database work to threads and answer on the event loop.
Writes go to a writer pool of their own, one thread on SQLite (which takes one writer at a
time anyway): a burst of visitors then queues in order instead of dozens of threads sleeping
in SQLite's busy handler and holding the thread pool that reads and long-polls need.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from anyio import to_thread
from sqlalchemy.engine import Engine
from sqlmodel import Session

from slotapp.clock import utcnow
from slotapp.db import get_engine, serialized, session_scope
from slotapp.services.chat_bus import ChatBus
from slotapp.services.chat_bus import bus as process_bus
from slotapp.services.chat_visitor import source_exists
from slotapp.services.chat_watch import ChatWatch
from slotapp.services.conversations import Change
from slotapp.services.keys import secret_key

POLL_SECONDS = 25.0
RECHECK_SECONDS = 1.0
WRITERS_ELSEWHERE = 8  # writer threads on PostgreSQL, which takes concurrent writers
log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class ChatContext:
    """What the chat routes share: the database, the clock, and whom to tell of changes.

    Attributes:
        engine_factory: The database engine, asked for on each request (tests pass theirs).
        clock: The current instant.
        on_chat: Told the live topics of each change, on the event loop
            (`state.live.notify`: agents' inbox tabs refresh); must not raise.
        secret_factory: The server secret that webhook chats' keys derive from.
        bus: Wakes the long-polls of this process.
        poll_seconds: The longest a long-poll waits.
        recheck_seconds: How often the watcher looks for changes made by other processes
            to the conversations long-polls wait on (those wake nobody here).
    """

    engine_factory: Callable[[], Engine] = get_engine
    clock: Callable[[], datetime] = utcnow
    on_chat: Callable[[Iterable[str]], None] | None = None
    secret_factory: Callable[[], bytes] = secret_key
    bus: ChatBus = process_bus
    poll_seconds: float = POLL_SECONDS
    recheck_seconds: float = RECHECK_SECONDS
    watch: ChatWatch = field(init=False, repr=False, compare=False)
    _writers: list[ThreadPoolExecutor] = field(
        init=False, repr=False, compare=False, default_factory=list
    )

    def __post_init__(self) -> None:
        watch = ChatWatch(self.engine_factory, self.clock, self.recheck_seconds)
        object.__setattr__(self, "watch", watch)  # frozen: set once, here

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads."""
        with session_scope(self.engine_factory()) as session:
            yield session

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A session that takes SQLite's write lock at BEGIN and commits at the end."""
        with session_scope(serialized(self.engine_factory())) as session:
            yield session

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(*args)` (database reads) in a worker thread."""
        return await to_thread.run_sync(functools.partial(fn, *args))

    async def write(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn(*args)` (a write transaction) on the writer pool."""
        if not self._writers:
            sqlite = self.engine_factory().dialect.name == "sqlite"
            pool = ThreadPoolExecutor(1 if sqlite else WRITERS_ELSEWHERE, "chat-writer")
            self._writers.append(pool)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._writers[0], functools.partial(fn, *args))

    def tell(self, change: Change) -> None:
        """After the commit, on the event loop: wake long-polls, refresh agents' tabs."""
        if change.conversation.id is not None:
            self.bus.wake([change.conversation.id])
        if self.on_chat is not None and change.topics:
            try:
                self.on_chat(sorted(change.topics))
            except Exception:  # a live refresh is a courtesy; the change is stored
                log.exception("chat: on_chat failed")

    def source_known(self, key: str) -> Callable[[], bool]:
        """Asks whether a source key exists (404 versus 410 when it is unavailable)."""

        def check() -> bool:
            with self.reading() as session:
                return source_exists(session=session, source_key=key)

        return check
