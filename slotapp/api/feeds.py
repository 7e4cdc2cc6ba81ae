"""A user's private calendar address: `GET /api/calendar/{token}.ics`, for calendar apps."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.engine import Engine
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from slotapp.clock import utcnow
from slotapp.db import get_engine, session_scope
from slotapp.services.feed_subscription import subscription_calendar
from slotapp.services.keys import secret_key

# Calendar apps poll on their own schedule; a short private cache spares repeated builds.
CACHE_CONTROL = "private, max-age=300"
MEDIA_TYPE = "text/calendar; charset=utf-8"


def subscription_path(token: str) -> str:
    """The path of a user's calendar address (prefix the backend's origin)."""
    return f"/api/calendar/{token}.ics"


def feed_routes(
    *,
    engine_factory: Callable[[], Engine] = get_engine,
    secret_factory: Callable[[], bytes] = secret_key,
) -> list[Route]:
    """The subscription route.

    Args:
        engine_factory: the database engine, asked for on each request (tests pass their own).
        secret_factory: the server secret that subscription tokens derive from.

    Returns:
        Routes to mount on the app's Starlette backend.
    """

    # A plain `def`: Starlette runs it in a thread, so the database and the build don't block.
    def calendar(request: Request) -> Response:
        token = request.path_params["token"]
        with session_scope(engine_factory()) as session:
            feed = subscription_calendar(
                session=session, token=token, secret=secret_factory(), now=utcnow()
            )
        if feed is None:
            # The same answer for unknown, revoked and switched-off addresses.
            return PlainTextResponse("Not found", status_code=404)
        headers = {
            "Cache-Control": CACHE_CONTROL,
            "ETag": feed.etag,
            "Content-Disposition": 'inline; filename="slotapp.ics"',
        }
        if feed.etag in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return Response(feed.body, media_type=MEDIA_TYPE, headers=headers)

    return [Route(subscription_path("{token}"), calendar, methods=["GET"], name="calendar_feed")]
