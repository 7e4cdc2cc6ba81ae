"""Run Reflex event handlers in-process, as one browser tab of a given role would.

The tab is a real state tree (`reflex.state.State` and every substate, as the state manager
builds it); the router says which page and tab sent the event, `AuthState.session_token` holds
the role's login cookie. A payload goes through Reflex's own argument conversion first, so a
handler sees exactly what a crafted websocket message could give it.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import reflex as rx
from reflex.istate.data import RouterData
from reflex.state import State
from reflex_base.event import EventSpec
from reflex_base.event.processor.base_state_processor import _prepare_event_payload

from slotapp.core.web_session import SESSION_COOKIE
from slotapp.state import live

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` on a fresh loop in a thread (see tests/aio.py), keeping this thread's
    context variables: Reflex keeps its registry of states in one."""
    context = contextvars.copy_context()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(context.run, asyncio.run, coro).result()


class Tab:
    """One browser tab: its own state tree, page and session cookie."""

    def __init__(self, session_token: str, path: str, client_token: str) -> None:
        self.root = State(_reflex_internal_init=True)
        self.client_token = client_token
        self.session_token = session_token
        self.go(path)

    def go(self, path: str) -> None:
        """Navigate (what the router data of the next events says)."""
        self.root.router = RouterData.from_router_data(
            {
                "token": self.client_token,
                "pathname": path.split("?")[0],
                "asPath": path,
                "headers": {
                    "origin": "http://slotapp.test",
                    "user-agent": "access-test",
                    # The session cookie, as the page's websocket handshake carried it.
                    "cookie": f"other=1; {SESSION_COOKIE}={self.session_token}",
                },
            }
        )

    async def fire(self, cls: type[rx.State], event: str, /, **payload: Any) -> Any:
        """Process one event `cls.event` with `payload`; returns what the handler returned."""
        handler = cls.event_handlers[event]
        state = await self.root.get_state(cls)
        out = handler.fn(state, **_prepare_event_payload(handler, payload))
        if inspect.isawaitable(out):
            out = await out
        elif inspect.isasyncgen(out):
            out = [e async for e in out]
        elif inspect.isgenerator(out):
            out = list(out)
        while live._TASKS:  # live refreshes the handler started (no socket here: none reached)
            await asyncio.gather(*list(live._TASKS))
        return out

    async def state(self, cls: type[rx.State]) -> rx.State:
        """The tab's instance of `cls`."""
        return await self.root.get_state(cls)


def redirect_target(result: Any) -> str | None:
    """Where an `rx.redirect(...)` returned by a handler sends the browser, else None."""
    specs = result if isinstance(result, list | tuple) else [result]
    for spec in specs:
        if isinstance(spec, EventSpec) and spec.handler.fn.__qualname__ == "_redirect":
            for name, value in spec.args:
                if getattr(name, "_js_expr", name) == "path":
                    return str(getattr(value, "_var_value", value))
    return None


def visible(state: rx.State, result: Any = None) -> str:
    """Everything the tab would receive from this state (its vars) plus the handler's result."""
    return repr(state.dict()) + repr(result)
