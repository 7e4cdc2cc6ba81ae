"""Run a coroutine to completion from a test, even when the test thread has a running loop.

Playwright's sync API (the browser tests) leaves an event loop running on the main thread
for the rest of the session, and `asyncio.run` refuses to start inside it; a thread of its
own gives every coroutine a fresh loop, in any test order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(coro)` on a thread of its own; returns its result or raises its error."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()
