"""HTTP plumbing of the chat API: CORS for any site, body limits, and every error a problem.

Companies embed the widget on their own sites, so any origin may call the chat API. No
cookies are involved (the visitor proves a conversation with its key in `X-Chat-Key`), so an
open CORS policy gives a foreign page nothing it could not get by asking the API directly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from slotapp.api.problems import (
    ProblemError,
    http_problem,
    problem_error_handler,
    problem_media_types,
    problem_response,
    validation_error_handler,
)
from slotapp.core.validation import InvalidInput, is_whole_number
from slotapp.services.chat_sources import SourceDenied, SourceNotFound
from slotapp.services.chat_visitor import ChatNotFound

log = logging.getLogger(__name__)
MAX_BODY = 16 * 1024  # a 4000-character message in JSON, with room to spare
CHAT_HEADERS = ["Content-Type", "X-Chat-Key", "X-Source-Secret"]


class BodyLimit:
    """Refuse request bodies over `max_bytes` with 413, announced or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        announced = dict(scope.get("headers", ())).get(b"content-length", b"")
        too_big = f"Request bodies are at most {self.max_bytes} bytes."
        if is_whole_number(announced) and int(announced) > self.max_bytes:
            await problem_response(http_problem(413, too_big))(scope, receive, send)
            return
        total = 0

        async def limited() -> Message:
            nonlocal total
            message = await receive()
            if message["type"] == "http.request":
                total += len(message.get("body", b""))
                if total > self.max_bytes:
                    raise HTTPException(413, too_big)
            return message

        await self.app(scope, limited, send)


class Guard:
    """An unexpected failure still answers as a problem (and inside CORS, so the widget can
    read it); it is logged with its traceback."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception:
            log.exception("chat API failed on %s", scope.get("path"))
            if scope["type"] == "http" and not started:
                problem = http_problem(500, "Something went wrong; please try again.")
                await problem_response(problem)(scope, receive, send)


async def http_problem_handler(_request: Request, exc: Exception) -> JSONResponse:
    """Every HTTP error of the chat API (404, 405, 413 ...) as a problem."""
    assert isinstance(exc, HTTPException)
    return problem_response(http_problem(exc.status_code, str(exc.detail)), exc.headers)


def install(api: FastAPI) -> None:
    """Problems for every error, the body limit, and CORS open to any origin."""
    api.add_exception_handler(ProblemError, problem_error_handler)
    api.add_exception_handler(RequestValidationError, validation_error_handler)
    api.add_exception_handler(HTTPException, http_problem_handler)
    plain_openapi = api.openapi

    def openapi() -> dict[str, Any]:  # error bodies as they are sent: problem+json
        if api.openapi_schema is None:
            api.openapi_schema = problem_media_types(plain_openapi())
        return api.openapi_schema

    api.openapi = openapi  # type: ignore[method-assign]
    api.add_middleware(Guard)
    api.add_middleware(BodyLimit)
    # Added last, so outermost: even a refused body gets its CORS headers.
    api.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=CHAT_HEADERS,
        max_age=600,
    )


@contextmanager
def problems(source_known: Callable[[], bool] | None = None) -> Iterator[None]:
    """Turn the services' refusals into problems.

    Args:
        source_known: Asked when a source is unavailable: False makes it 404 (no such key)
            instead of 410 (switched off or disconnected).
    """
    try:
        yield
    except ChatNotFound as exc:
        raise ProblemError(
            404,
            "conversation-not-found",
            "Unknown conversation",
            "No conversation has this key; open a new one.",
        ) from exc
    except SourceNotFound as exc:
        raise ProblemError(404, "source-not-found", "Unknown source", "No such source.") from exc
    except SourceDenied as exc:
        raise ProblemError(
            401, "wrong-secret", "Wrong secret", "Send the source's secret in X-Source-Secret."
        ) from exc
    except InvalidInput as exc:
        if exc.field == "source":
            if source_known is not None and not source_known():
                raise ProblemError(
                    404, "chat-not-found", "Unknown chat", "No chat has this key."
                ) from exc
            raise ProblemError(410, "chat-unavailable", "Chat unavailable", exc.message) from exc
        if exc.field == "consent":
            raise ProblemError(
                409, "consent-required", "Consent required", exc.message, "consent"
            ) from exc
        raise ProblemError(422, "invalid-input", "Invalid input", exc.message, exc.field) from exc
    except OperationalError as exc:  # the database stayed locked past its busy timeout
        log.warning("chat API: database busy: %s", exc)
        raise ProblemError(
            503, "busy", "Busy", "The chat is busy right now; please try again."
        ) from exc
