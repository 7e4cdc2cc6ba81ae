"""Security headers on every kind of response, through the ASGI stack as `rx.App` builds it:
the API app with every route group, a static "build" mounted like Reflex's frontend, the
dead-link middleware, and the security headers outermost."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.responses import Response
from starlette.routing import Route
from starlette.staticfiles import StaticFiles

from slotapp.api.auth import auth_routes
from slotapp.api.chat import chat_routes
from slotapp.api.chat_context import ChatContext
from slotapp.api.feeds import feed_routes, subscription_path
from slotapp.api.link_status import LinkStatusMiddleware
from slotapp.api.qr import qr_routes
from slotapp.api.security_headers import SecurityHeadersMiddleware, read_pages
from slotapp.api.sso import sso_routes
from slotapp.api.v1 import build_api
from slotapp.core.security_headers import script_hash
from slotapp.services import feed_subscription
from slotapp.settings import get_settings
from tests.aio import run
from tests.conftest import NOW
from tests.services.helpers import SECRET, make_user, open_slots

BASE = "http://127.0.0.1:3000"
THEME = "document.documentElement.classList.add('light');"
ROUTE_MODULE = 'import "/assets/login.js";'
PAGE = f"""<!DOCTYPE html><html><head><script>{THEME}</script>
<script defer src="/pwa.js"></script></head><body><p>Log in</p>
<script type="module" async>{ROUTE_MODULE}</script></body></html>"""
APP_ONLY = ("content-security-policy", "x-frame-options", "cross-origin-opener-policy")


@pytest.fixture
def build(tmp_path: Path) -> Path:
    """A production build's folder: one page with two inline scripts."""
    (tmp_path / "login").mkdir()
    (tmp_path / "login" / "index.html").write_text(PAGE)
    return tmp_path


def own_csp(_request: Any) -> Response:
    return Response("x", headers={"Content-Security-Policy": "default-src 'none'"})


def make_app(engine: Engine, build: Path, base_url: str = BASE, **settings: Any) -> Any:
    config = replace(get_settings(), base_url=base_url, **settings)
    engines = {"engine_factory": lambda: engine}
    api = build_api(
        routes=[
            *qr_routes(**engines, base_url_factory=lambda: base_url),
            *feed_routes(**engines, secret_factory=lambda: SECRET),
            *sso_routes(**engines, settings_factory=lambda: config),
            *auth_routes(**engines, settings_factory=lambda: config),
            *chat_routes(context=ChatContext(**engines)),
            Route("/own-csp", own_csp),
        ],
        **engines,
    )
    api.mount("/", StaticFiles(directory=build, html=True))  # like Reflex's frontend mount
    inner = LinkStatusMiddleware(api, clock=lambda: NOW, **engines)
    return SecurityHeadersMiddleware(
        inner, settings_factory=lambda: config, pages=lambda: read_pages(build)
    )


def get(app: Any, path: str, method: str = "GET", **headers: str) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
            return await client.request(method, path, headers=headers)

    return run(go())


@pytest.fixture
def app(engine: Engine, build: Path) -> Iterator[Any]:
    yield make_app(engine, build)


def assert_common(response: httpx.Response) -> None:
    assert response.headers.get_list("x-content-type-options") == ["nosniff"]
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "strict-transport-security" not in response.headers  # http


def assert_app_headers(response: httpx.Response) -> str:
    assert_common(response)
    [csp] = response.headers.get_list("content-security-policy")
    assert "frame-ancestors 'self'" in csp
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert response.headers["cross-origin-opener-policy"] == "same-origin"
    assert "camera=()" in response.headers["permissions-policy"]
    return csp


def test_a_page_allows_exactly_the_inline_scripts_of_the_build(app: Any) -> None:
    response = get(app, "/login/")
    assert response.status_code == 200 and "Log in" in response.text
    csp = assert_app_headers(response)
    script_src = next(d for d in csp.split("; ") if d.startswith("script-src "))
    sources = script_src.split()[1:]
    assert sources[:2] == ["'self'", "'unsafe-eval'"]
    assert set(sources[2:]) == {script_hash(THEME), script_hash(ROUTE_MODULE)}  # not pwa.js
    assert "'unsafe-inline'" not in script_src
    assert f"connect-src 'self' {BASE} ws://127.0.0.1:3000" in csp


def test_the_booking_api_and_its_errors_carry_the_headers(app: Any) -> None:
    assert_app_headers(get(app, "/api/v1/openapi.json"))
    missing = get(app, "/api/v1/links/no-such-token/slots")
    assert missing.status_code == 404
    assert_app_headers(missing)
    assert_app_headers(get(app, "/no-such-page"))


def test_the_widget_script_may_be_embedded_by_any_site(app: Any) -> None:
    response = get(app, "/api/chat/v1/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert_common(response)
    # The route's own headers, once each.
    assert response.headers.get_list("cross-origin-resource-policy") == ["cross-origin"]
    assert response.headers.get_list("cache-control") == ["public, max-age=300"]
    for name in APP_ONLY:
        assert name not in response.headers


def test_the_chat_api_stays_open_to_other_sites(app: Any) -> None:
    preflight = get(
        app,
        "/api/chat/v1/widget/some-key/conversations",
        "OPTIONS",
        origin="https://shop.example",
        **{
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert preflight.headers["cross-origin-resource-policy"] == "cross-origin"
    unknown = get(
        app, "/api/chat/v1/widget/no-such-key/conversations", origin="https://shop.example"
    )
    assert unknown.headers["access-control-allow-origin"] == "*"
    for name in APP_ONLY:
        assert name not in unknown.headers


def test_qr_images_keep_their_cache_control(app: Any, session: Session) -> None:
    token = open_slots(session, make_user(session), NOW)
    response = get(app, f"/api/qr/{token}.png")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert response.headers.get_list("cache-control") == ["private, max-age=300"]
    assert_app_headers(response)


def test_the_calendar_feed_keeps_its_cache_control(app: Any, session: Session) -> None:
    user = make_user(session)
    assert user.id is not None
    token = feed_subscription.enable_subscription(session=session, user_id=user.id, secret=SECRET)
    session.commit()
    response = get(app, subscription_path(token))
    assert response.status_code == 200
    assert response.headers.get_list("cache-control") == ["private, max-age=300"]
    assert_app_headers(response)


def test_sso_and_login_redirects_keep_no_store(app: Any) -> None:
    sso = get(app, "/auth/sso/login?next=/calendar")  # not configured: back to the login page
    assert sso.status_code == 302 and "/login?" in sso.headers["location"]
    assert sso.headers.get_list("cache-control") == ["no-store"]
    assert_app_headers(sso)
    login = get(app, "/auth/login", "POST", origin="https://evil.example")
    assert login.status_code == 303 and login.headers.get_list("cache-control") == ["no-store"]
    assert_app_headers(login)


def test_a_routes_own_policy_is_kept(app: Any) -> None:
    response = get(app, "/own-csp")
    assert response.headers.get_list("content-security-policy") == ["default-src 'none'"]


def test_hsts_and_the_identity_provider_on_an_https_site(engine: Engine, build: Path) -> None:
    app = make_app(
        engine, build, base_url="https://slots.example.com", oidc_issuer="https://id.example.com/r"
    )
    response = get(app, "/login/")
    assert response.headers["strict-transport-security"] == "max-age=31536000"
    csp = response.headers["content-security-policy"]
    assert "form-action 'self' https://slots.example.com https://id.example.com;" in csp
    assert "connect-src 'self' https://slots.example.com wss://slots.example.com;" in csp
    widget = get(app, "/api/chat/v1/widget.js")
    assert widget.headers["strict-transport-security"] == "max-age=31536000"


def test_the_build_is_read_once_it_exists(tmp_path: Path) -> None:
    reads: list[int] = []

    def pages() -> list[str]:
        reads.append(1)
        return read_pages(tmp_path)

    async def ok(scope: Any, receive: Any, send: Any) -> None:
        await Response("ok")(scope, receive, send)

    now = [0.0]
    app = SecurityHeadersMiddleware(
        ok,
        settings_factory=lambda: replace(get_settings(), base_url=BASE),
        pages=pages,
        clock=lambda: now[0],
    )
    before = get(app, "/").headers["content-security-policy"]
    assert "sha256" not in before  # no build yet (dev): looked for again a little later
    (tmp_path / "index.html").write_text(PAGE)
    assert get(app, "/").headers["content-security-policy"] == before  # not on every request
    assert len(reads) == 1
    now[0] += 5.0
    after = get(app, "/").headers["content-security-policy"]
    assert script_hash(THEME) in after
    get(app, "/")
    assert len(reads) == 2


def test_websockets_and_lifespan_pass_through_untouched() -> None:
    seen: list[str] = []

    async def inner(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["type"])
        await send({"type": "websocket.accept", "headers": []})

    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    async def receive() -> Any:
        return {}

    app = SecurityHeadersMiddleware(inner, pages=lambda: [])
    run(app({"type": "websocket", "path": "/_event", "headers": []}, receive, send))
    assert seen == ["websocket"] and sent == [{"type": "websocket.accept", "headers": []}]
