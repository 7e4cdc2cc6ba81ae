"""In-process wake-ups for visitors' long-polls and the chat timer loop.

A long-poll waits on its conversation; whoever stores something for it in this process (an
API route, the timer loop, an agent's event) calls `wake`, so the answer leaves at once.
Wake-ups do not cross processes: a long-poll also re-reads the database every second, so a
change made by another worker arrives within a second anyway. `wake` may be called from any
thread; waiters may live on any event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterable

CHAT_TOPIC = "chat:"


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class ChatBus:
    """Per-conversation wake-ups (for long-polls) and one wake-up for the timer loop."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: dict[int, set[asyncio.Future[None]]] = {}
        self._timer_waiters: set[asyncio.Future[None]] = set()

    def listen(self, conversation_id: int) -> asyncio.Future[None]:
        """A future that a later `wake(conversation_id)` resolves; `drop` it when done.

        Register before reading the database, so a change made in between is not missed.
        """
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        with self._lock:
            self._waiters.setdefault(conversation_id, set()).add(future)
        return future

    def drop(self, conversation_id: int, future: asyncio.Future[None]) -> None:
        """Forget a future from `listen`."""
        with self._lock:
            waiting = self._waiters.get(conversation_id)
            if waiting is not None:
                waiting.discard(future)
                if not waiting:
                    del self._waiters[conversation_id]

    def waiting(self) -> int:
        """How many long-polls wait right now (for tests and the benchmark)."""
        with self._lock:
            return sum(len(w) for w in self._waiters.values())

    def wake(self, conversation_ids: Iterable[int]) -> None:
        """Resolve every waiter of these conversations; safe from any thread."""
        with self._lock:
            futures = [f for cid in set(conversation_ids) for f in self._waiters.get(cid, ())]
        for future in futures:
            _call_soon(future)

    def wake_topics(self, topics: Iterable[str]) -> None:
        """`wake` the conversations named by live topics ("chat:<id>"); others are ignored."""
        ids = [
            int(topic[len(CHAT_TOPIC) :])
            for topic in topics
            if topic.startswith(CHAT_TOPIC) and topic[len(CHAT_TOPIC) :].isdigit()
        ]
        if ids:
            self.wake(ids)

    async def sleep_timers(self, seconds: float) -> bool:
        """Sleep up to `seconds`; True when `wake_timers` cut it short."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        with self._lock:
            self._timer_waiters.add(future)
        try:
            done, _ = await asyncio.wait({future}, timeout=seconds)
            return bool(done)
        finally:
            with self._lock:
                self._timer_waiters.discard(future)
            future.cancel()

    def wake_timers(self) -> None:
        """Make the timer loop look for due deadlines now (e.g. after a new short timer)."""
        with self._lock:
            futures = list(self._timer_waiters)
        for future in futures:
            _call_soon(future)


def _call_soon(future: asyncio.Future[None]) -> None:
    loop = future.get_loop()
    if loop.is_closed():
        return
    with contextlib.suppress(RuntimeError):  # the loop closed since the check
        loop.call_soon_threadsafe(_resolve, future)


# The process's bus: API routes, the timer loop and agents' events share it.
bus = ChatBus()
