"""Rate limits on what a bot would hammer: guest link pages, booking through the JSON API, the
chat widget's conversations and messages, webhook sources, and password sign-in.

A refused request answers 429 with `Retry-After`: an RFC 9457 problem under `/api/`, a small
HTML page for the guest pages. Everything else (static assets, Reflex's `/_event` websocket,
reads of the API) passes uncounted. Bookings made on the guest pages go over the websocket and
are limited in their event handlers (`state.guest`, `state.invite`) with the same rules.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from slotapp.api.problems import TYPE_PREFIX, Problem, problem_response
from slotapp.core import rate_limit as rl
from slotapp.core.rate_limit import Verdict
from slotapp.services.rate_limit import Check, Limiter, get_limiter

PAGE = re.compile(r"^/(?:book|invite)/([^/]+)/?$")
BOOKING = re.compile(r"^/api/v1/links/([^/]+)/bookings/?$")
CHAT = "/api/chat/v1"
CHAT_OPEN = re.compile(rf"^{CHAT}/widget/([^/]+)/conversations/?$")
CHAT_MESSAGE = re.compile(rf"^{CHAT}/conversation/messages/?$")
WEBHOOK = re.compile(rf"^{CHAT}/sources/([^/]+)/messages/?$")
LOGIN = re.compile(r"^/auth/login/?$")


@dataclass(frozen=True)
class Counted:
    """What a request counts against: a per-address rule, (rule, subject) pairs; page or API."""

    per_address: str
    checks: tuple[Check, ...]
    page: bool = False


def counted(method: str, path: str, headers: Sequence[tuple[bytes, bytes]]) -> Counted | None:
    """The buckets a request counts against, or None when it is not limited."""
    if method in ("GET", "HEAD"):
        if found := PAGE.match(path):
            return Counted(rl.PAGE_IP, ((rl.PAGE_LINK, found[1]),), page=True)
        return None
    if method != "POST":
        return None
    if LOGIN.match(path):
        return Counted(rl.LOGIN_IP, (), page=True)
    if found := BOOKING.match(path):
        return Counted(rl.BOOKING_IP, ((rl.BOOKING_LINK, found[1]),))
    if found := CHAT_OPEN.match(path):
        return Counted(rl.CHAT_OPEN_IP, ((rl.CHAT_OPEN_WIDGET, found[1]),))
    if CHAT_MESSAGE.match(path):
        key = _header(headers, b"x-chat-key")
        return Counted(rl.CHAT_MESSAGE_IP, ((rl.CHAT_MESSAGE_CONVERSATION, key),) if key else ())
    if found := WEBHOOK.match(path):
        return Counted(rl.WEBHOOK_IP, ((rl.WEBHOOK_SOURCE, found[1]),))
    return None


def _header(headers: Sequence[tuple[bytes, bytes]], name: bytes) -> str:
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1").strip()
    return ""


def _forwarded_for(headers: Sequence[tuple[bytes, bytes]]) -> list[str]:
    return [v.decode("latin-1") for k, v in headers if k.lower() == b"x-forwarded-for"]


def too_many(verdict: Verdict, *, page: bool, path: str) -> Response:
    """The 429 answer: a plain page for people, a problem for API clients."""
    seconds = verdict.retry_after
    wait = f"{seconds} second" if seconds == 1 else f"{seconds} seconds"
    headers = {"Retry-After": str(seconds), "Cache-Control": "no-store"}
    if page:
        text = html.escape(f"Too many requests — try again in {wait}.")
        body = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Too many requests</title></head><body><h1>Too many requests</h1>"
            f"<p>{text}</p></body></html>"
        )
        return HTMLResponse(body, status_code=429, headers=headers)
    if path.startswith(CHAT + "/"):
        # The widget runs on other sites: without CORS headers it could not read the answer.
        headers["Access-Control-Allow-Origin"] = "*"
        headers["Access-Control-Expose-Headers"] = "Retry-After"
    problem = Problem(
        type=TYPE_PREFIX + "rate-limited",
        title="Too many requests",
        status=429,
        detail=f"Too many requests; try again in {wait}.",
    )
    return problem_response(problem, headers)


class RateLimitMiddleware:
    """Pure ASGI middleware: count limited requests, answer 429 once a budget is spent.

    Give the class itself to `rx.App(api_transformer=[..., LinkStatusMiddleware,
    RateLimitMiddleware, ...])`: after (outside) the link-status lookup, so a refused request
    costs no database work; inside the security headers, so a 429 carries them too.
    """

    def __init__(
        self, app: ASGIApp, *, limiter_factory: Callable[[], Limiter] = get_limiter
    ) -> None:
        self.app = app
        self.limiter_factory = limiter_factory
        limiter_factory()  # a malformed SLOTAPP_RATE_LIMIT_* stops the start, not each request

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limiter = self.limiter_factory()
        what = None
        if scope["type"] == "http" and limiter.enabled:
            what = counted(scope.get("method", ""), scope.get("path", ""), scope["headers"])
        if what is None:
            await self.app(scope, receive, send)
            return
        peer = (scope.get("client") or (None,))[0]
        address = limiter.client(peer, _forwarded_for(scope["headers"]))
        verdict = await limiter.acheck((what.per_address, address), *what.checks)
        if verdict.allowed:
            await self.app(scope, receive, send)
            return
        await too_many(verdict, page=what.page, path=scope["path"])(scope, receive, send)
