"""Every HTTP route of the built app, by role: who gets what, and nothing of anyone else.

The route table is read from the app's own API (`slotapp.slotapp.app`, mounts and included
routers walked), so a new route fails `test_every_route_has_a_rule` until it is classified.
No route answers from the Reflex login cookie except logout: a logged-in browser gets exactly
what a logged-out one gets, and a route's own credential (link token, chat key, webhook
secret, feed token, push secret) decides. Refusals are 4xx, never 500.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.routing import Mount
from starlette.testclient import TestClient

import slotapp.slotapp
from slotapp.core.web_session import SESSION_COOKIE
from tests.access.conftest import App
from tests.access.world import (
    BILLING_CLIENT,
    GUEST_EMAIL,
    PARTICIPANT_EMAIL,
    ROLES,
    SUPPORT_CLIENT,
    World,
    changed_tables,
    snapshot,
)

# What proves the right to each route (method and path as the route table lists them).
ROUTE_RULES: dict[str, str] = {
    "GET /api/v1/openapi.json": "public",
    "GET /api/v1/docs": "public",
    "GET /api/v1/links/{token}/slots": "link token",
    "POST /api/v1/links/{token}/bookings": "link token",
    "* /api/v1/{path:path}": "public (404 problem)",
    "GET /api/qr/{token}.png": "link token",
    "GET /api/qr/{token}.svg": "link token",
    "GET /api/qr/{token}/card.png": "link token",
    "GET /api/qr/{token}/card.svg": "link token",
    "GET /api/calendar/{token}.ics": "feed token",
    "GET /api/push/key": "public",
    "POST /api/push/resubscribe": "push secret",
    "POST /api/push/unsubscribe": "push secret",
    "POST /auth/login": "email and password (same-site form)",
    "POST /auth/logout": "session cookie (same-site form)",
    "GET /auth/sso/login": "public (starts single sign-on)",
    "GET /auth/sso/callback": "identity provider's answer",
    "GET /api/chat/v1/openapi.json": "public",
    "GET /api/chat/v1/docs": "public",
    "GET /api/chat/v1/widget.js": "public",
    "GET /api/chat/v1/widget/{key}/config": "widget key (public)",
    "POST /api/chat/v1/widget/{key}/conversations": "widget key (public)",
    "GET /api/chat/v1/conversation": "chat key",
    "GET /api/chat/v1/conversation/events": "chat key",
    "POST /api/chat/v1/conversation/messages": "chat key",
    "POST /api/chat/v1/conversation/typing": "chat key",
    "POST /api/chat/v1/conversation/consent": "chat key",
    "POST /api/chat/v1/conversation/contact": "chat key",
    "POST /api/chat/v1/conversation/rating": "chat key",
    "POST /api/chat/v1/conversation/log-email": "chat key",
    "POST /api/chat/v1/sources/{key}/messages": "webhook secret",
    "GET /api/chat/v1/sources/{key}/chats/{chat_id}/messages": "webhook secret",
}


def _walk(routes: list[Any], prefix: str = "") -> Iterator[str]:
    for route in routes:
        original = getattr(route, "original_router", None)  # FastAPI's include_router
        if original is not None:
            yield from _walk(list(original.routes), prefix)
            continue
        path = prefix + getattr(route, "path", "")
        if isinstance(route, Mount):
            yield from _walk(list(route.routes), path)
            continue
        methods = set(getattr(route, "methods", None) or ()) - {"HEAD", "OPTIONS"}
        if len(methods) > 2:
            yield f"* {path}"
        else:
            yield from (f"{m} {path}" for m in sorted(methods))


def route_table() -> list[str]:
    """Every method and path the app's API answers (beside the Reflex pages)."""
    api = slotapp.slotapp.app.api_transformer[0]  # type: ignore[index]
    return list(_walk(list(api.routes)))


def test_every_route_has_a_rule() -> None:
    table = route_table()
    assert len(table) >= 30, table
    missing = sorted(set(table) - set(ROUTE_RULES))
    stale = sorted(set(ROUTE_RULES) - set(table))
    assert not missing, f"routes without an access rule in tests/access/test_routes.py: {missing}"
    assert not stale, f"rules for routes that are gone: {stale}"


@dataclass(frozen=True)
class Call:
    """One request; `proof` says whether it carries the route's own credential."""

    method: str
    path: str
    status: int | tuple[int, ...]
    json: Any = None
    headers: tuple[tuple[str, str], ...] = ()
    data: Any = None
    label: str = ""


# Facts no route may hand out (other people's emails, another conversation's client).
NEVER_SHOWN = (GUEST_EMAIL, "Gina Guest", PARTICIPANT_EMAIL, "ben@example.com", BILLING_CLIENT)


def _calls(w: World) -> list[Call]:
    bad = "x" * 43
    booking = {
        "start": w.alt_start.isoformat() if w.alt_start else "",
        "name": "Rita Route",
        "email": "rita@route.example",
        "time_zone": "Europe/Berlin",
    }
    chat = (("X-Chat-Key", w.chat_keys[w.support_chat]),)
    wrong_chat = (("X-Chat-Key", "not-a-key-at-all-000000000000000"),)
    hook = (("X-Source-Secret", w.hook_secret),)
    ben_push_forged = {"endpoint": "https://push.example/ben-phone", "keys": {"auth": "b" * 22}}
    return [
        Call("GET", "/api/v1/openapi.json", 200),
        Call("GET", "/api/v1/docs", 200),
        Call("GET", f"/api/v1/links/{w.link_token}/slots", 200, label="token"),
        Call("GET", f"/api/v1/links/{bad}/slots", 404, label="bad token"),
        Call("POST", f"/api/v1/links/{bad}/bookings", 404, json=booking, label="bad token"),
        Call("POST", f"/api/v1/links/{w.link_token}/bookings", 422, json={}, label="bad body"),
        Call("GET", "/api/v1/nothing/here", 404),
        Call("DELETE", f"/api/v1/links/{w.link_token}/slots", 405),
        Call("GET", f"/api/qr/{w.link_token}.png", 200),
        Call("GET", f"/api/qr/{bad}.png", 404),
        Call("GET", f"/api/qr/{bad}.svg", 404),
        Call("GET", f"/api/qr/{w.link_token}/card.svg", 200),
        Call("GET", f"/api/qr/{bad}/card.png", 404),
        Call("GET", f"/api/qr/{bad}/card.svg", 404),
        Call("GET", f"/api/calendar/{w.ics_token}.ics", 200, label="Ben's feed"),
        Call("GET", f"/api/calendar/{w.ics_token[:-2]}xx.ics", 404, label="forged"),
        Call("GET", f"/api/calendar/{w.users['employee']}.{bad}.ics", 404, label="guessed"),
        Call("GET", "/api/push/key", 200),
        Call("POST", "/api/push/unsubscribe", 422, json={}, label="no proof"),
        Call("POST", "/api/push/unsubscribe", 404, json=ben_push_forged, label="wrong secret"),
        Call("POST", "/api/push/resubscribe", 422, json={"old": ben_push_forged}, label="no new"),
        Call(
            "POST",
            "/auth/login",
            303,
            data={"email": "admin@example.com", "password": "no"},
            headers=(("Origin", "http://slotapp.test"),),
            label="wrong password",
        ),
        Call(
            "POST",
            "/auth/login",
            (303, 403),
            data={"email": "admin@example.com", "password": "demo-admin-pass"},
            headers=(("Origin", "https://evil.example"),),
            label="cross-site",
        ),
        Call(
            "POST",
            "/auth/logout",
            (303, 403),
            headers=(("Origin", "https://evil.example"),),
            label="cross-site",
        ),
        Call("GET", "/auth/sso/login", (302, 303, 404), label="not configured"),
        Call("GET", "/auth/sso/callback?code=x&state=y", (302, 303, 400, 404)),
        Call("GET", "/api/chat/v1/openapi.json", 200),
        Call("GET", "/api/chat/v1/docs", 200),
        Call("GET", "/api/chat/v1/widget.js", 200),
        Call("GET", f"/api/chat/v1/widget/{w.widget_key}/config", 200),
        Call("GET", f"/api/chat/v1/widget/{bad}/config", 404),
        Call(
            "POST", f"/api/chat/v1/widget/{bad}/conversations", 404, json={"visitor_id": "v-route"}
        ),
        Call("GET", "/api/chat/v1/conversation", 200, headers=chat, label="own key"),
        Call("GET", "/api/chat/v1/conversation", 404, headers=wrong_chat, label="wrong key"),
        Call("GET", "/api/chat/v1/conversation", (401, 404, 422), label="no key"),
        Call("GET", "/api/chat/v1/conversation/events", (401, 404, 422), label="no key"),
        Call(
            "POST",
            "/api/chat/v1/conversation/messages",
            404,
            json={"text": "hi"},
            headers=wrong_chat,
        ),
        Call("POST", "/api/chat/v1/conversation/typing", 404, headers=wrong_chat),
        Call("POST", "/api/chat/v1/conversation/consent", 404, headers=wrong_chat),
        Call(
            "POST",
            "/api/chat/v1/conversation/contact",
            (404, 422),
            json={"name": "x"},
            headers=wrong_chat,
        ),
        Call(
            "POST",
            "/api/chat/v1/conversation/rating",
            (404, 422),
            json={"rating": 5},
            headers=wrong_chat,
        ),
        Call(
            "POST",
            "/api/chat/v1/conversation/log-email",
            (404, 422),
            json={"email": "x@y.example"},
            headers=wrong_chat,
        ),
        Call(
            "POST",
            f"/api/chat/v1/sources/{w.hook_key}/messages",
            401,
            json={"chat_id": "c1", "text": "hi"},
            label="no secret",
        ),
        Call("GET", f"/api/chat/v1/sources/{w.hook_key}/chats/c1/messages", 401, label="no secret"),
        Call(
            "GET",
            f"/api/chat/v1/sources/{w.hook_key}/chats/c1/messages",
            200,
            headers=hook,
            label="secret",
        ),
    ]


def _call_ids() -> list[str]:
    from tests.access.world import World as _W

    w = _W(chat_keys={1: "k", 2: "k"}, support_chat=1, billing_chat=2, users={"employee": 3})
    return [f"{c.method} {c.path.split('/', 4)[-1][:30]} {c.label}".strip() for c in _calls(w)]


@pytest.fixture
def client(app: App, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("SLOTAPP_RATE_LIMITS", "off")
    api = slotapp.slotapp.app.api_transformer[0]  # type: ignore[index]
    with TestClient(api, base_url="http://slotapp.test", follow_redirects=False) as c:
        yield c


@pytest.mark.parametrize("index", range(len(_call_ids())), ids=_call_ids())
def test_route_answers_every_role_alike(app: App, client: TestClient, index: int) -> None:
    """The same request from each role: the expected status, the same answer, no one's data.

    Only the request's own credential counts, never the browser's login cookie.
    """
    call = _calls(app.world)[index]
    expected = call.status if isinstance(call.status, tuple) else (call.status,)
    answers: dict[str, tuple[int, bytes]] = {}
    for role in ROLES:
        client.cookies.clear()
        if role in app.world.sessions:
            client.cookies.set(SESSION_COOKIE, app.world.sessions[role])
        before = snapshot(app.engine)
        res = client.request(
            call.method, call.path, json=call.json, data=call.data, headers=dict(call.headers)
        )
        assert res.status_code in expected, (role, res.status_code, res.text[:300])
        if res.status_code >= 400:  # a refusal leaves the data alone
            assert not changed_tables(before, snapshot(app.engine)), role
        body = res.text if "image/png" not in res.headers.get("content-type", "") else ""
        leaked = [s for s in NEVER_SHOWN if s in body]
        if "/api/calendar/" in call.path and res.status_code == 200:  # Ben's own meetings
            leaked = [s for s in leaked if s not in (GUEST_EMAIL, "Gina Guest", "ben@example.com")]
        if call.path.endswith("/openapi.json"):  # the documented examples, not data
            leaked = [s for s in leaked if s != "Gina Guest"]
        assert not leaked, (role, leaked)
        answers[role] = (res.status_code, _stable(body))
    if call.path.startswith("/auth/"):
        return  # login and logout answer per browser by design (see tests/api)
    assert len(set(answers.values())) == 1, {r: a[0] for r, a in answers.items()}


def _stable(body: str) -> bytes:
    """The body without what differs per request (problem instance ids, times)."""
    import re

    body = re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z?", "<now>", body)
    return body.encode()[:2000]


def test_booking_route_books_through_the_token_only(app: App, client: TestClient) -> None:
    w = app.world
    assert w.alt_start is not None
    body = {
        "start": w.alt_start.isoformat(),
        "name": "Rita Route",
        "email": "rita@route.example",
        "time_zone": "Europe/Berlin",
    }
    client.cookies.set(SESSION_COOKIE, w.sessions["admin"])
    res = client.post(f"/api/v1/links/{'y' * 43}/bookings", json=body)
    assert res.status_code == 404  # an admin's cookie is no link
    res = client.post(f"/api/v1/links/{w.link_token}/bookings", json=body)
    assert res.status_code == 201, res.text
    for secret in NEVER_SHOWN:
        assert secret not in res.text


def test_chat_key_shows_only_its_own_conversation(app: App, client: TestClient) -> None:
    w = app.world
    res = client.get(
        "/api/chat/v1/conversation", headers={"X-Chat-Key": w.chat_keys[w.support_chat]}
    )
    assert res.status_code == 200
    assert f"Hi from {SUPPORT_CLIENT}" in res.text
    assert BILLING_CLIENT not in res.text


def test_push_unsubscribe_needs_the_browsers_secret(app: App, client: TestClient) -> None:
    forged = {"endpoint": "https://push.example/ben-phone", "keys": {"auth": "b" * 22}}
    assert client.post("/api/push/unsubscribe", json=forged).status_code == 404
    real = {"endpoint": "https://push.example/ben-phone", "keys": {"auth": "a" * 22}}
    assert client.post("/api/push/unsubscribe", json=real).status_code == 204
