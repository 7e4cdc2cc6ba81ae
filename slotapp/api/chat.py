"""The public chat API (`/api/chat/v1`): the website widget's visitor side, and webhook sources.

Thin on purpose: the routes (`chat_widget`, `chat_webhook`) parse, call the services, commit,
then `ChatContext.tell` the agents' open tabs (`on_chat(topics)`) and wakes the visitor's
long-poll (`chat_bus`). The OpenAPI document is `/api/chat/v1/openapi.json`; the widget
script is served at `/api/chat/v1/widget.js`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from fastapi import FastAPI, Response
from starlette.routing import BaseRoute, Mount

from slotapp.api.chat_context import ChatContext
from slotapp.api.chat_http import install
from slotapp.api.chat_webhook import add_webhook_routes
from slotapp.api.chat_widget import add_widget_routes

PREFIX = "/api/chat/v1"
WIDGET_JS = Path(__file__).resolve().parent.parent.parent / "assets" / "widget.js"


@lru_cache(maxsize=1)
def widget_script() -> bytes:
    """The embeddable widget (`assets/widget.js`)."""
    return WIDGET_JS.read_bytes()


def chat_api(context: ChatContext | None = None) -> FastAPI:
    """The chat API app (mount it at PREFIX)."""
    ctx = context or ChatContext()
    api = FastAPI(
        title="slotapp chat API",
        version="1",
        description="The website chat widget's API and inbound webhook sources. Errors are "
        "RFC 9457 problem details (`application/problem+json`).",
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
    )
    install(api)

    @api.get("/widget.js", include_in_schema=False)
    async def script() -> Response:
        headers = {
            "Cache-Control": "public, max-age=300",
            "Cross-Origin-Resource-Policy": "cross-origin",
        }
        return Response(
            widget_script(), media_type="text/javascript; charset=utf-8", headers=headers
        )

    add_widget_routes(api, ctx)
    add_webhook_routes(api, ctx)
    return api


def chat_routes(
    *,
    on_chat: Callable[[Iterable[str]], None] | None = None,
    context: ChatContext | None = None,
) -> list[BaseRoute]:
    """The chat API mounted at `/api/chat/v1`, for `build_api(routes=[...])`.

    Args:
        on_chat: Told the live topics of each change (`state.live.notify`).
        context: Everything else (tests pass their engine and clock); its `on_chat` is
            replaced by `on_chat` when given.
    """
    ctx = context or ChatContext()
    if on_chat is not None:
        ctx = replace(ctx, on_chat=on_chat)
    return [Mount(PREFIX, app=chat_api(ctx))]
