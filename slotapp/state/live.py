"""Live updates to other open tabs: a changed calendar refreshes wherever it is shown.

The registry of watching tabs is a table (services.live); this module is the Reflex glue that
reaches each tab's state with `app.modify_state`, from whichever worker made the change.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

import reflex as rx
from reflex_base.registry import RegistrationContext  # type: ignore[import-not-found]

from slotapp.clock import utcnow
from slotapp.db import session_scope
from slotapp.services import live

log = logging.getLogger(__name__)
_TASKS: set[asyncio.Task[None]] = set()


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


async def push_calendars(user_ids: Iterable[int]) -> int:
    """Reload the calendar of every open tab watching these users; returns tabs reached."""
    from slotapp.state.calendar import CalendarState

    app = _app()
    topics = [live.calendar_topic(uid) for uid in set(user_ids)]
    with session_scope() as session:
        rows = live.watchers(session=session, topics=topics, now=utcnow())
    tokens = sorted({row.client_token for row in rows})
    gone, reached = [], 0
    for token in tokens:
        if not await _connected(app, token):
            gone.append(token)
            continue
        async with app.modify_state(rx.BaseStateToken(ident=token, cls=CalendarState)) as root:
            calendar = await root.get_state(CalendarState)
            await calendar.reload()  # type: ignore[operator]
            reached += 1
    if gone:
        with session_scope() as session:
            live.forget(session=session, client_tokens=gone)
    return reached


def notify_calendars(user_ids: Iterable[int]) -> None:
    """Refresh those calendars soon, outside the caller's own state lock; never raises."""
    ids = tuple(user_ids)

    async def run() -> None:
        try:
            await push_calendars(ids)
        except Exception:  # a live refresh is a courtesy: never break the booking
            log.exception("live calendar refresh failed for users %s", ids)

    task = asyncio.get_running_loop().create_task(run())
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)
