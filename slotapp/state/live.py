"""Live updates to other open tabs: a change refreshes every tab showing it.

The registry of watching tabs is a table (services.live); this module is the Reflex glue that
reaches each tab's state with `app.modify_state`, from whichever worker made the change.
A state that shows something live registers its topic prefix with `@reloads("calendar")`,
records the tab in its on-load with `watch(...)`, and has an `async def reload(self)`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from typing import TypeVar

import reflex as rx
from reflex_base.registry import RegistrationContext  # type: ignore[import-not-found]

from slotapp.clock import utcnow
from slotapp.db import session_scope
from slotapp.services import live

log = logging.getLogger(__name__)
_TASKS: set[asyncio.Task[None]] = set()
_STATES: dict[str, type[rx.State]] = {}
_S = TypeVar("_S", bound=type[rx.State])


def reloads(prefix: str) -> Callable[[_S], _S]:
    """Class decorator: tabs watching topics `prefix:*` are refreshed with this state."""

    def register(cls: _S) -> _S:
        _STATES[prefix] = cls
        return cls

    return register


def watch(state: rx.State, topic: str) -> None:
    """Record that this tab shows `topic` (call from the state's on-load event)."""
    with session_scope() as session:
        live.watch(
            session=session,
            client_token=state.router.session.client_token,
            topic=topic,
            state=state.get_full_name(),
            now=utcnow(),
        )


def _app() -> rx.App:
    try:
        return RegistrationContext.get().app  # type: ignore[no-any-return]
    except LookupError:
        from reflex.utils.prerequisites import get_and_validate_app

        return get_and_validate_app().app


async def _connected(app: rx.App, client_token: str) -> bool:
    """Whether the tab still has a socket on any worker (wraps a private Reflex attribute)."""
    namespace = app.event_namespace
    if namespace is None:
        return False
    return bool(await namespace._token_manager.is_token_connected(client_token))


async def push(topics: Iterable[str]) -> int:
    """Reload the state of every open tab watching these topics; returns tabs reached."""
    app = _app()
    with session_scope() as session:
        rows = live.watchers(session=session, topics=sorted(set(topics)), now=utcnow())
    gone, reached = set(), 0
    for row in rows:
        cls = _STATES.get(row.topic.split(":", 1)[0])
        if cls is None or row.client_token in gone:
            continue
        if not await _connected(app, row.client_token):
            gone.add(row.client_token)
            continue
        async with app.modify_state(rx.BaseStateToken(ident=row.client_token, cls=cls)) as root:
            await (await root.get_state(cls)).reload()  # type: ignore[attr-defined]
            reached += 1
    if gone:
        with session_scope() as session:
            live.forget(session=session, client_tokens=sorted(gone))
    return reached


def notify(topics: Iterable[str]) -> None:
    """Refresh those topics soon, outside the caller's own state lock; never raises."""
    wanted = tuple(topics)

    async def run() -> None:
        try:
            await push(wanted)
        except Exception:  # a live refresh is a courtesy: never break what caused it
            log.exception("live refresh failed for %s", wanted)

    task = asyncio.get_running_loop().create_task(run())
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)


def notify_calendars(user_ids: Iterable[int]) -> None:
    """Refresh the calendars of these users wherever they are open."""
    notify(live.calendar_topic(uid) for uid in user_ids)
