"""Password login and logout as plain HTTP form posts, so the session cookie can be HttpOnly.

- `POST /auth/login` (form: email, password, next): a 303 to the safe `next` with the session
  cookie set; a wrong password goes back to `/login?next=...&error=credentials`.
- `POST /auth/logout`: ends this browser's session and clears the cookie; a 303 to `/login`.

Both refuse a post from another site (`core.web_session.posting_page`: Origin, else
Referer) on top of the cookie's SameSite=Lax, so no other page can log a visitor in to an
account of its choosing or out. Redirects go back to the origin of the page that posted (in dev
the form posts to the backend's port and the pages live on Vite's), else the public base URL.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from slotapp import routes
from slotapp.clock import utcnow
from slotapp.core.sso import next_path
from slotapp.core.validation import InvalidInput
from slotapp.core.web_session import (
    LOGIN_EMAIL_COOKIE,
    LOGIN_EMAIL_SECONDS,
    LOGIN_POST_PATH,
    LOGOUT_POST_PATH,
    MAX_FIELD,
    SESSION_COOKIE,
    cookie_options,
    login_error_path,
    posting_page,
    remembered_email,
)
from slotapp.db import get_engine, session_scope
from slotapp.services import accounts
from slotapp.settings import Settings, get_settings

log = logging.getLogger(__name__)
SEE_OTHER = 303
MAX_BODY = 16 * 1024  # an email, a password and a `next`, urlencoded, with room to spare


def set_session_cookie(response: Response, token: str, settings: Settings) -> None:
    """Put the session token on `response` (the password login's and SSO's cookie)."""
    options = cookie_options(base_url=settings.base_url, days=settings.session_days)
    response.set_cookie(SESSION_COOKIE, token, **options)  # type: ignore[arg-type]


def clear_session_cookie(response: Response, settings: Settings) -> None:
    """Remove the session cookie (same path and attributes, so the browser drops it)."""
    options = cookie_options(base_url=settings.base_url, days=0)
    response.delete_cookie(
        SESSION_COOKIE,
        path=options["path"],
        secure=options["secure"],
        httponly=True,
        samesite="lax",
    )


def auth_routes(
    *,
    engine_factory: Callable[[], Engine] = get_engine,
    settings_factory: Callable[[], Settings] = get_settings,
    clock: Callable[[], datetime] = utcnow,
) -> list[Route]:
    """The login and logout routes (tests pass their own database, settings and clock)."""

    def go(to: str, path: str) -> Response:
        response = RedirectResponse(to + path, SEE_OTHER)
        response.headers["Cache-Control"] = "no-store"
        return response

    def our_page(request: Request, settings: Settings) -> str:
        """The origin of our page the form was on ("" when another site posted it)."""
        return posting_page(
            origin=request.headers.get("origin", ""),
            referer=request.headers.get("referer", ""),
            host=request.headers.get("host", ""),
            base_url=settings.base_url,
        )

    def open_session(email: str, password: str, previous: str) -> str:
        now = clock()
        with session_scope(engine_factory()) as session:
            user = accounts.authenticate(session=session, email=email, password=password)
            accounts.end_session(session=session, token=previous, now=now)
            return accounts.start_session(
                session=session, user=user, now=now, days=settings_factory().session_days
            )

    def close_session(token: str) -> None:
        with session_scope(engine_factory()) as session:
            accounts.end_session(session=session, token=token, now=clock())

    async def login(request: Request) -> Response:
        settings = settings_factory()
        target, email, page = routes.HOME, "", settings.base_url
        try:
            if int(request.headers.get("content-length") or 0) > MAX_BODY:
                raise ValueError("login form too large")
            form = await request.form(max_files=0, max_fields=10, max_part_size=MAX_FIELD)
            target = next_path(_text(form.get("next")) or routes.HOME)
            page = our_page(request, settings)
            if not page:
                return go(settings.base_url, login_error_path("origin", target))
            email, password = _text(form.get("email")), _text(form.get("password"))
            if len(email) > MAX_FIELD or len(password) > MAX_FIELD:
                raise InvalidInput("email", "too long")
            previous = request.cookies.get(SESSION_COOKIE, "")
            token = await run_in_threadpool(open_session, email, password, previous)
        except InvalidInput:
            refused = go(page, login_error_path("credentials", target))
            _remember_email(refused, email, settings)
            return refused
        except (ValueError, HTTPException) as exc:  # an oversized or malformed form
            log.warning("login form refused: %s", exc)
            return go(settings.base_url, login_error_path("failed", target))
        except Exception:
            log.exception("login failed")
            return go(page, login_error_path("failed", target))
        response = go(page, target)
        set_session_cookie(response, token, settings)
        response.delete_cookie(LOGIN_EMAIL_COOKIE, path="/")
        return response

    async def logout(request: Request) -> Response:
        settings = settings_factory()
        page = our_page(request, settings)
        if not page:
            return Response("Refused: the form came from another site.", 403)
        token = request.cookies.get(SESSION_COOKIE, "")
        try:
            await run_in_threadpool(close_session, token)
        except Exception:
            log.exception("logout: ending the session failed")  # the cookie still goes
        response = go(page, routes.LOGIN)
        clear_session_cookie(response, settings)
        return response

    return [
        Route(LOGIN_POST_PATH, login, methods=["POST"], name="password_login"),
        Route(LOGOUT_POST_PATH, logout, methods=["POST"], name="logout"),
    ]


def _remember_email(response: Response, email: str, settings: Settings) -> None:
    response.set_cookie(
        LOGIN_EMAIL_COOKIE,
        remembered_email(email),
        max_age=LOGIN_EMAIL_SECONDS,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.base_url.lower().startswith("https://"),
    )


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""
