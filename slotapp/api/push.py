"""Web push routes for browsers and the service worker (no login: see each route).

- `GET /api/push/key`: the VAPID public key, the `applicationServerKey` to subscribe with.
- `POST /api/push/resubscribe`: the service worker swaps a subscription the browser renewed
  (`pushsubscriptionchange`); the old subscription's secret proves it is the same browser.
- `POST /api/push/unsubscribe`: a browser forgets its own subscription (on logout), proven
  the same way. Either answers 204, or 404 for anything unknown or not matching.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy.engine import Engine
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from slotapp.clock import utcnow
from slotapp.core.validation import InvalidInput
from slotapp.core.webpush_subscription import parse_subscription
from slotapp.db import get_engine, session_scope
from slotapp.services import push_devices
from slotapp.services.vapid import vapid_keys

MAX_BODY = 8192


def _public_key() -> str:
    return vapid_keys().public_key


def _old_of(body: Mapping[str, Any]) -> tuple[str, str]:
    old = body.get("old")
    old = old if isinstance(old, Mapping) else {}
    keys = old.get("keys")
    keys = keys if isinstance(keys, Mapping) else {}
    endpoint, auth = old.get("endpoint"), keys.get("auth")
    if not isinstance(endpoint, str) or not isinstance(auth, str):
        raise InvalidInput("old", "The old subscription's endpoint and auth are required.")
    return endpoint, auth


def push_routes(
    *,
    engine_factory: Callable[[], Engine] = get_engine,
    public_key_factory: Callable[[], str] = _public_key,
    local_site: Callable[[], bool] = push_devices.loopback_push_allowed,
) -> list[Route]:
    """The push routes.

    Args:
        engine_factory: the database engine, asked for on each request (tests pass their own).
        public_key_factory: the VAPID public key (base64url).
        local_site: whether loopback http push endpoints are acceptable (development only).

    Returns:
        Routes to mount on the app's Starlette backend.
    """

    def key(request: Request) -> Response:
        return JSONResponse(
            {"publicKey": public_key_factory()}, headers={"Cache-Control": "public, max-age=300"}
        )

    async def read_json(request: Request) -> Mapping[str, Any]:
        raw = await request.body()
        if len(raw) > MAX_BODY:
            raise InvalidInput("body", "Too large.")
        try:
            body = json.loads(raw or b"null")
        except ValueError as exc:
            raise InvalidInput("body", "Send JSON.") from exc
        if not isinstance(body, Mapping):
            raise InvalidInput("body", "Send a JSON object.")
        return body

    def refused(exc: InvalidInput) -> Response:
        return JSONResponse({"error": exc.field, "detail": exc.message}, status_code=422)

    def in_transaction(change: Callable[..., bool], **kwargs: Any) -> bool:
        with session_scope(engine_factory()) as session:
            return change(session=session, **kwargs)

    async def resubscribe(request: Request) -> Response:
        try:
            body = await read_json(request)
            old_endpoint, old_auth = _old_of(body)
            new = parse_subscription(body.get("new"), allow_loopback_http=local_site())
        except InvalidInput as exc:
            return refused(exc)
        swapped = await asyncio.to_thread(
            in_transaction,
            push_devices.resubscribe,
            old_endpoint=old_endpoint,
            old_auth=old_auth,
            keys=new,
            now=utcnow(),
        )
        return Response(status_code=204 if swapped else 404)

    async def unsubscribe(request: Request) -> Response:
        try:
            endpoint, auth = _old_of({"old": await read_json(request)})
        except InvalidInput as exc:
            return refused(exc)
        gone = await asyncio.to_thread(
            in_transaction, push_devices.unsubscribe, endpoint=endpoint, auth=auth
        )
        return Response(status_code=204 if gone else 404)

    return [
        Route("/api/push/key", key, methods=["GET"], name="push_key"),
        Route("/api/push/resubscribe", resubscribe, methods=["POST"], name="push_resubscribe"),
        Route("/api/push/unsubscribe", unsubscribe, methods=["POST"], name="push_unsubscribe"),
    ]
