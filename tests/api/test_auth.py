"""Password login and logout over HTTP (`api.auth`): the HttpOnly cookie and its guards."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from slotapp.api.auth import auth_routes
from slotapp.api.v1 import build_api
from slotapp.clock import utcnow
from slotapp.core.tokens import hash_token
from slotapp.core.web_session import LOGIN_EMAIL_COOKIE, SESSION_COOKIE, email_from_cookies
from slotapp.models import AuthSession
from slotapp.services import accounts
from slotapp.settings import get_settings
from tests.aio import run

ORIGIN = "http://127.0.0.1:3000"  # the pages' public address (settings.base_url)
BACKEND = "http://127.0.0.1:8000"  # where the form posts in dev
EMAIL, PASSWORD = "bob@example.com", "correct horse battery"


@pytest.fixture
def api(engine: Engine) -> Any:
    with Session(engine) as s:
        accounts.create_user(session=s, email=EMAIL, name="Bob", password=PASSWORD)
        s.commit()
    settings = replace(get_settings(), base_url=ORIGIN)
    return build_api(
        routes=auth_routes(engine_factory=lambda: engine, settings_factory=lambda: settings),
        engine_factory=lambda: engine,
    )


def post(
    api: Any, path: str, *, data: Any = None, cookie: str = "", **headers: str
) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=api)
        async with httpx.AsyncClient(transport=transport, base_url=BACKEND) as client:
            if cookie:
                headers["cookie"] = f"{SESSION_COOKIE}={cookie}"
            return await client.post(path, data=data, headers=headers)

    return run(go())


def login(
    api: Any, password: str = PASSWORD, next_path: str = "/calendar", **kw: Any
) -> httpx.Response:
    kw.setdefault("origin", ORIGIN)
    return post(
        api, "/auth/login", data={"email": EMAIL, "password": password, "next": next_path}, **kw
    )


def set_cookie(response: httpx.Response) -> str:
    return next(c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE))


def live_sessions(engine: Engine) -> list[AuthSession]:
    with Session(engine) as s:
        rows = s.exec(select(AuthSession)).all()
    return [r for r in rows if r.revoked_at is None]


def error_of(response: httpx.Response) -> tuple[str, str]:
    url = urlsplit(response.headers["location"])
    query = parse_qs(url.query)
    return f"{url.scheme}://{url.netloc}{url.path}", query["error"][0]


def test_login_sets_an_httponly_lax_cookie_and_goes_on_to_next(api: Any, engine: Engine) -> None:
    response = login(api)
    assert response.status_code == 303
    assert response.headers["location"] == ORIGIN + "/calendar"
    assert response.headers["cache-control"] == "no-store"
    cookie = set_cookie(response)
    attributes = {p.strip().lower() for p in cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax", "path=/"} <= attributes
    assert "secure" not in attributes  # plain http here
    token = cookie.split(";")[0].split("=", 1)[1]
    [row] = live_sessions(engine)
    assert row.token_hash == hash_token(token)
    with Session(engine) as s:
        user = accounts.resolve_session(session=s, token=token, now=utcnow())
    assert user is not None and user.email == EMAIL


def test_a_wrong_password_goes_back_to_the_form_with_the_error_and_no_cookie(
    api: Any, engine: Engine
) -> None:
    response = login(api, password="not-the-password")
    assert response.status_code == 303
    assert error_of(response) == (ORIGIN + "/login", "credentials")
    assert parse_qs(urlsplit(response.headers["location"]).query)["next"] == ["/calendar"]
    assert SESSION_COOKIE + "=" not in response.headers.get("set-cookie", "")
    assert live_sessions(engine) == []
    # The form gets the email back from a short HttpOnly cookie, not from the URL.
    assert EMAIL not in response.headers["location"]
    [kept] = response.headers.get_list("set-cookie")
    assert kept.startswith(f"{LOGIN_EMAIL_COOKIE}=bob%40example.com;")
    assert {"httponly", "max-age=120", "path=/", "samesite=lax"} <= {
        p.strip().lower() for p in kept.split(";")[1:]
    }
    assert email_from_cookies(kept.split(";")[0]) == EMAIL
    # A successful login drops it.
    dropped = [c for c in login(api).headers.get_list("set-cookie") if LOGIN_EMAIL_COOKIE in c]
    assert len(dropped) == 1 and "max-age=0" in dropped[0].lower()


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example", "/\t/evil.example"])
def test_next_never_leaves_the_site(api: Any, target: str) -> None:
    assert login(api, next_path=target).headers["location"] == ORIGIN + "/"


def test_a_login_posted_from_another_site_is_refused(api: Any, engine: Engine) -> None:
    response = login(api, origin="https://evil.example")
    assert error_of(response) == (ORIGIN + "/login", "origin")
    assert "set-cookie" not in response.headers
    assert live_sessions(engine) == []


def test_a_login_without_origin_counts_the_referer_and_else_is_refused(api: Any) -> None:
    assert (
        login(api, origin="", referer=ORIGIN + "/login").headers["location"].endswith("/calendar")
    )
    assert error_of(login(api, origin=""))[1] == "origin"


def test_an_earlier_session_of_the_browser_is_ended_at_login(api: Any, engine: Engine) -> None:
    first = set_cookie(login(api)).split(";")[0].split("=", 1)[1]
    login(api, cookie=first)
    [row] = live_sessions(engine)
    assert row.token_hash != hash_token(first)


def test_bad_form_bodies_answer_with_the_login_page_never_a_500(api: Any, engine: Engine) -> None:
    too_big = login(api, password="x" * 20_000)
    assert too_big.status_code == 303 and error_of(too_big)[1] == "failed"
    long_field = login(api, password="x" * 3000)
    assert long_field.status_code == 303 and error_of(long_field)[1] == "failed"
    junk = post(
        api, "/auth/login", data=None, origin=ORIGIN, **{"content-type": "application/json"}
    )
    assert junk.status_code == 303 and error_of(junk)[1] == "credentials"
    assert live_sessions(engine) == []


def test_logout_ends_the_session_and_clears_the_cookie(api: Any, engine: Engine) -> None:
    token = set_cookie(login(api)).split(";")[0].split("=", 1)[1]
    response = post(api, "/auth/logout", cookie=token, origin=ORIGIN)
    assert response.status_code == 303
    assert response.headers["location"] == ORIGIN + "/login"
    cleared = set_cookie(response).lower()
    assert 'slotapp_session=""' in cleared and "max-age=0" in cleared and "httponly" in cleared
    assert live_sessions(engine) == []


def test_logout_from_another_site_is_refused_and_the_session_lives(
    api: Any, engine: Engine
) -> None:
    token = set_cookie(login(api)).split(";")[0].split("=", 1)[1]
    response = post(api, "/auth/logout", cookie=token, origin="https://evil.example")
    assert response.status_code == 403
    assert "set-cookie" not in response.headers
    assert len(live_sessions(engine)) == 1


def test_the_cookie_is_secure_on_an_https_site(engine: Engine) -> None:
    with Session(engine) as s:
        accounts.create_user(session=s, email=EMAIL, name="Bob", password=PASSWORD)
        s.commit()
    settings = replace(get_settings(), base_url="https://slots.example.com")
    api = build_api(
        routes=auth_routes(engine_factory=lambda: engine, settings_factory=lambda: settings)
    )
    response = login(api, origin="https://slots.example.com")
    assert response.headers["location"] == "https://slots.example.com/calendar"
    assert "secure" in {p.strip().lower() for p in set_cookie(response).split(";")}


def test_get_is_not_a_login(api: Any) -> None:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=api)
        async with httpx.AsyncClient(transport=transport, base_url=BACKEND) as client:
            return await client.get("/auth/login", params={"email": EMAIL, "password": PASSWORD})

    assert run(go()).status_code == 405


def test_the_browser_goes_back_to_the_address_it_posted_from(api: Any) -> None:
    """The same server reached at another address (here the backend's own, as a LAN phone
    would): the browser stays on it, where its cookie was set."""
    response = login(api, origin=BACKEND)
    assert response.headers["location"] == BACKEND + "/calendar"
    assert error_of(login(api, password="wrong", origin=BACKEND)) == (
        BACKEND + "/login",
        "credentials",
    )
