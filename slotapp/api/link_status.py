"""HTTP statuses for the guest pages of dead links: 404 for an unknown token, 410 for a gone one.

The pages `/book/<token>` and `/invite/<token>` are the app's HTML shell (served in prod by the
backend's static mount, one shell for every token) and say "this link is no longer active" once
their state loads; the HTTP status was 200 whatever the token. This middleware looks the token
up first and, for a dead link, lets the page answer as usual but with the right status, so
crawlers, link checkers and caches see it. The body is never replaced: people still read the
page's own message. In dev the pages come from Vite's port, which this does not see.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from slotapp.clock import utcnow
from slotapp.db import get_engine
from slotapp.services.invitation_view import invitation_page
from slotapp.services.link_api import is_unknown_token
from slotapp.services.links import BOOKING_KINDS, LinkError, resolve_link

log = logging.getLogger(__name__)

NOT_FOUND = 404
GONE = 410
PAGE = re.compile(r"^/(book|invite)/([^/]+)/?$")
# A dead link's page must be fetched whole: a 304 or 206 from a copy cached while the link
# was live would carry the new status but no page.
CONDITIONAL = frozenset({b"if-none-match", b"if-modified-since", b"if-range", b"range"})


def _dead_status(session: Session, token: str) -> int:
    return NOT_FOUND if is_unknown_token(session=session, token=token) else GONE


def booking_status(*, session: Session, token: str, now: datetime) -> int | None:
    """404 or 410 when the booking page of `token` shows a dead link; None when it books."""
    try:
        resolve_link(session=session, token=token, now=now, kinds=BOOKING_KINDS)
    except LinkError:
        return _dead_status(session, token)
    return None


def invitation_status(*, session: Session, token: str, now: datetime) -> int | None:
    """404 or 410 when the invitation page of `token` shows a dead link; None otherwise.

    A booked invitation stays 200: its page shows the booked meeting.
    """
    try:
        invitation_page(session=session, token=token, now=now)
    except LinkError:
        return _dead_status(session, token)
    return None


STATUS_OF = {"book": booking_status, "invite": invitation_status}


class LinkStatusMiddleware:
    """Pure ASGI middleware: dead links' guest pages answer 404/410 with their usual body.

    Give the class itself to `rx.App(api_transformer=[..., LinkStatusMiddleware])`.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        engine_factory: Callable[[], Engine] = get_engine,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.app = app
        self.engine_factory = engine_factory
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = PAGE.match(scope.get("path", "")) if scope["type"] == "http" else None
        if match is None or scope.get("method") not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        page, token = match.groups()
        try:
            status = await run_in_threadpool(self._status, page, token)
        except Exception:
            # The page still tells its visitor the truth; only its status is left at 200.
            log.exception("link status lookup failed for /%s/…", page)
            status = None
        if status is None:
            await self.app(scope, receive, send)
            return
        headers = [(k, v) for k, v in scope["headers"] if k.lower() not in CONDITIONAL]
        await self.app({**scope, "headers": headers}, receive, _with_status(send, status))

    def _status(self, page: str, token: str) -> int | None:
        with Session(self.engine_factory()) as session:
            return STATUS_OF[page](session=session, token=token, now=self.clock())


def _with_status(send: Send, status: int) -> Send:
    """`send`, but a 200 page goes out as `status` and is never stored by a cache."""

    async def send_with_status(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] == 200:
            headers = [
                (k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"
            ]
            headers.append((b"cache-control", b"no-store"))
            message = {**message, "status": status, "headers": headers}
        await send(message)

    return send_with_status
