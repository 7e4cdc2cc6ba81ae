"""Single sign-on routes: `GET /auth/sso/login?next=/path` sends the browser to the identity
provider; `GET /auth/sso/callback` comes back, opens a session like a password login and goes
on to `next`. Every failure lands on the login page with a message, never a stack trace.

The flow's state, nonce and PKCE verifier wait in a signed, HttpOnly cookie scoped to
/auth/sso for ten minutes (`core.sso.seal_flow`) rather than in a server-side session: no
session middleware for the whole app, no rows to clean up, and any worker that shares the
server's key (SLOTAPP_SECRET_KEY) can finish a login that another one started.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from slotapp import routes
from slotapp.api.auth import set_session_cookie
from slotapp.clock import utcnow
from slotapp.core.sso import (
    CALLBACK_PATH,
    FLOW_COOKIE,
    FLOW_SECONDS,
    LOGIN_PATH,
    Identity,
    SsoConfig,
    SsoError,
    login_path,
    next_path,
    open_flow,
    seal_flow,
)
from slotapp.core.web_session import SESSION_COOKIE
from slotapp.db import get_engine, serialized, session_scope
from slotapp.services import sso
from slotapp.services.keys import secret_key
from slotapp.settings import Settings, get_settings

log = logging.getLogger(__name__)
__all__ = ["SESSION_COOKIE", "default_callback_url", "sso_routes"]

FLOW_COOKIE_PATH = "/auth/sso"


def default_callback_url() -> str:
    """The redirect URI to register: `<SLOTAPP_BASE_URL>/auth/sso/callback` in production
    (one port), the backend's own address in dev (where API routes answer)."""
    path = routes.backend_url(CALLBACK_PATH)
    return path if path.startswith(("http://", "https://")) else get_settings().base_url + path


def sso_routes(
    *,
    engine_factory: Callable[[], Engine] = get_engine,
    settings_factory: Callable[[], Settings] = get_settings,
    secret_factory: Callable[[], bytes] = secret_key,
    clock: Callable[[], datetime] = utcnow,
    callback_url_factory: Callable[[], str] = default_callback_url,
) -> list[Route]:
    """The two SSO routes (tests pass their own database, settings, clock and callback URL)."""

    def to_login(settings: Settings, code: str, target: str) -> Response:
        return _no_store(RedirectResponse(settings.base_url + login_path(code, target), 302))

    def config_of(settings: Settings) -> SsoConfig:
        try:
            config = sso.configured(settings)
        except ValueError:
            log.exception("SSO: bad configuration")
            raise SsoError("not_configured") from None
        if config is None:
            raise SsoError("not_configured")
        return config

    async def start(request: Request) -> Response:
        settings = settings_factory()
        target = next_path(request.query_params.get("next"))
        try:
            url, flow = await sso.begin(
                config_of(settings),
                redirect_uri=callback_url_factory(),
                next_path=target,
                now=clock().timestamp(),
            )
        except SsoError as exc:
            return to_login(settings, exc.code, target)
        except Exception:
            log.exception("SSO: login start failed")
            return to_login(settings, "failed", target)
        response = _no_store(RedirectResponse(url, 302))
        response.set_cookie(
            FLOW_COOKIE,
            seal_flow(flow, secret=secret_factory()),
            max_age=FLOW_SECONDS,
            path=FLOW_COOKIE_PATH,
            httponly=True,
            samesite="lax",  # sent on the provider's top-level redirect back to us
            secure=settings.base_url.startswith("https://"),
        )
        return response

    def open_session(identity: Identity, config: SsoConfig, previous: str) -> str:
        with session_scope(serialized(engine_factory())) as session:
            return sso.sign_in(
                session=session,
                identity=identity,
                default_role=config.default_role,
                now=clock(),
                days=settings_factory().session_days,
                previous_token=previous,
            )

    async def callback(request: Request) -> Response:
        settings = settings_factory()
        target = routes.HOME
        try:
            config = config_of(settings)
            flow = open_flow(
                request.cookies.get(FLOW_COOKIE), secret=secret_factory(), now=clock().timestamp()
            )
            target = next_path(flow.next_path)
            identity = await sso.finish(
                config,
                flow=flow,
                params=dict(request.query_params),
                redirect_uri=callback_url_factory(),
            )
            previous = request.cookies.get(SESSION_COOKIE, "")
            token = await run_in_threadpool(open_session, identity, config, previous)
        except SsoError as exc:
            response = to_login(settings, exc.code, target)
        except Exception:
            log.exception("SSO: callback failed")
            response = to_login(settings, "failed", target)
        else:
            response = _no_store(RedirectResponse(settings.base_url + target, 302))
            # The password login's cookie (HttpOnly; tests/api/test_sso.py compares them).
            set_session_cookie(response, token, settings)
        # One use only: a replayed callback finds no flow.
        response.delete_cookie(FLOW_COOKIE, path=FLOW_COOKIE_PATH)
        return response

    return [
        Route(LOGIN_PATH, start, methods=["GET"], name="sso_login"),
        Route(CALLBACK_PATH, callback, methods=["GET"], name="sso_callback"),
    ]


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response
