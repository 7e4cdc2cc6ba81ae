"""Issue 8: 429 with Retry-After on link pages, the booking API, the widget and webhook sources,
per client address and per link/conversation/source, in memory and shared through Redis."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from starlette.types import ASGIApp, Receive, Scope, Send

from bench.appserver import free_port
from slotapp.api.chat import chat_routes
from slotapp.api.chat_context import ChatContext
from slotapp.api.link_status import LinkStatusMiddleware
from slotapp.api.rate_limits import RateLimitMiddleware
from slotapp.api.v1 import build_api
from slotapp.core import rate_limit as rl
from slotapp.models import ChatMessage, Conversation, Meeting
from slotapp.services.chat_bus import ChatBus
from slotapp.services.rate_limit import Limiter, MemoryStore, RedisStore, Store
from tests.api.chat_client import SERVER_SECRET
from tests.api.test_link_status import PAGE, frontend
from tests.conftest import NOW
from tests.services.chat_helpers import make_desk
from tests.services.helpers import make_user, open_slots

pytestmark = pytest.mark.anyio
MONDAY_10 = "2026-11-23T10:00:00+01:00"  # NOW is Saturday 2026-11-21
CHAT = "/api/chat/v1"
PROBLEM = "application/problem+json"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# Redis answers in well under a millisecond, but a loaded test machine can stall a client
# longer than the production timeout, which would fail open and let extra requests by.
SLOW_MACHINE = 10.0


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["memory", "redis"])
def new_store(request: pytest.FixtureRequest) -> Callable[[], Store]:
    """Stores sharing one budget, as the workers of one deployment do."""
    if request.param == "memory":
        memory = MemoryStore()
        return lambda: memory
    url = request.getfixturevalue("redis_url")
    return lambda: RedisStore(url, timeout=SLOW_MACHINE)


def app_with(engine: Engine, limiter: Limiter) -> ASGIApp:
    """The app as `slotapp.py` stacks it: API + chat, the pages mounted inside, then the
    link-status and rate-limit middlewares."""
    context = ChatContext(
        engine_factory=lambda: engine,
        clock=lambda: NOW,
        secret_factory=lambda: SERVER_SECRET,
        bus=ChatBus(),
    )
    api = build_api(
        routes=chat_routes(context=context), engine_factory=lambda: engine, clock=lambda: NOW
    )
    api.mount("", frontend)  # where Reflex's backend (and in prod its pages) is mounted
    pages = LinkStatusMiddleware(api, engine_factory=lambda: engine, clock=lambda: NOW)
    return RateLimitMiddleware(pages, limiter_factory=lambda: limiter)


def limiter(store: Store, clock: Clock, *, trusted: int = 0, **rules: str) -> Limiter:
    return Limiter(store, rl.parse_rules(rules), clock=clock, trusted_proxies=trusted)


def http(app: ASGIApp, peer: str = "198.51.100.7") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(peer, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://slotapp.test")


def via(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


def assert_problem_429(res: httpx.Response, seconds: int) -> dict[str, Any]:
    assert res.status_code == 429, res.text
    assert res.headers["content-type"] == PROBLEM
    assert res.headers["retry-after"] == str(seconds)
    body: dict[str, Any] = res.json()
    assert body["type"] == "tag:slotapp,2026:problems/rate-limited"
    assert body == {**body, "status": 429, "title": "Too many requests"}
    assert body["detail"] == f"Too many requests; try again in {seconds} seconds."
    return body


@pytest.fixture
def token(session: Session) -> str:
    return open_slots(session, make_user(session), NOW)


# --- link pages ----------------------------------------------------------------------------


async def test_link_pages_answer_429_with_a_page_once_an_address_is_over(
    engine: Engine, new_store: Callable[[], Store], clock: Clock, token: str
) -> None:
    app = app_with(engine, limiter(new_store(), clock, page_ip="3/1m"))
    async with http(app) as bot, http(app, "203.0.113.9") as person:
        for path in (f"/book/{token}", "/invite/never-issued", f"/book/{token}/"):
            assert (await bot.get(path)).status_code in (200, 404)
        res = await bot.get(f"/book/{token}")
        assert res.status_code == 429
        assert res.headers["retry-after"] == "20"
        assert res.headers["content-type"].startswith("text/html")
        assert res.headers["cache-control"] == "no-store"
        assert "Too many requests — try again in 20 seconds." in res.text
        assert (await bot.head(f"/book/{token}")).status_code == 429
        assert (await person.get(f"/book/{token}")).content == PAGE  # others are served
        clock.now += 20
        assert (await bot.get(f"/book/{token}")).content == PAGE


async def test_one_link_is_limited_whoever_asks(
    engine: Engine, new_store: Callable[[], Store], clock: Clock, token: str
) -> None:
    app = app_with(engine, limiter(new_store(), clock, trusted=1, page_link="2/1m"))
    async with http(app, "10.0.0.2") as proxy:
        for client in ("192.0.2.1", "192.0.2.2"):
            assert (await proxy.get(f"/book/{token}", headers=via(client))).status_code == 200
        res = await proxy.get(f"/book/{token}", headers=via("192.0.2.3"))
        assert res.status_code == 429 and res.headers["retry-after"] == "30"
        assert (await proxy.get("/book/another", headers=via("192.0.2.3"))).status_code == 404


async def test_a_forged_forwarded_for_does_not_escape_the_limit(
    engine: Engine, new_store: Callable[[], Store], clock: Clock
) -> None:
    app = app_with(engine, limiter(new_store(), clock, page_ip="2/1m"))  # no trusted proxy
    async with http(app) as bot:
        codes = [
            (await bot.get("/book/x", headers=via(f"192.0.2.{i}"))).status_code for i in range(3)
        ]
    assert codes == [404, 404, 429]


async def test_behind_a_trusted_proxy_each_client_counts_alone(
    engine: Engine, new_store: Callable[[], Store], clock: Clock
) -> None:
    app = app_with(engine, limiter(new_store(), clock, trusted=1, page_ip="1/1m"))
    async with http(app, "10.0.0.2") as proxy:
        first = await proxy.get("/book/x", headers=via("6.6.6.6, 192.0.2.1"))
        other = await proxy.get("/book/x", headers=via("6.6.6.6, 192.0.2.2"))
        again = await proxy.get("/book/x", headers=via("7.7.7.7, 192.0.2.1"))
    assert [first.status_code, other.status_code, again.status_code] == [404, 404, 429]


# --- booking API ---------------------------------------------------------------------------


def _booking(**kw: str) -> dict[str, str]:
    base = {"start": MONDAY_10, "name": "Gina Guest", "email": "gina@example.org"}
    return {**base, "time_zone": "Europe/Berlin", **kw}


def _meetings(engine: Engine) -> int:
    with Session(engine) as fresh:  # a new transaction sees the API's commits
        return len(fresh.exec(select(Meeting)).all())


async def test_the_default_booking_limit_stops_the_eleventh_attempt_a_minute(
    engine: Engine, session: Session, new_store: Callable[[], Store], clock: Clock, token: str
) -> None:
    app = app_with(engine, limiter(new_store(), clock))  # the defaults
    async with http(app) as bot:
        url = f"/api/v1/links/{token}/bookings"
        codes = [(await bot.post(url, json=_booking())).status_code for _ in range(10)]
        assert codes == [201] + [409] * 9  # one booked, then the slot is taken
        res = await bot.post(url, json=_booking(start="2026-11-23T11:00:00+01:00"))
        assert_problem_429(res, 6)  # 10 a minute: the next in 6 s
        assert _meetings(engine) == 1  # the refused attempt booked nothing
        clock.now += 6
        later = await bot.post(url, json=_booking(start="2026-11-23T11:00:00+01:00"))
        assert later.status_code == 201
        assert _meetings(engine) == 2


async def test_bookings_on_one_link_are_limited_across_addresses(
    engine: Engine, session: Session, new_store: Callable[[], Store], clock: Clock, token: str
) -> None:
    app = app_with(engine, limiter(new_store(), clock, trusted=1, booking_link="2/10m"))
    url = f"/api/v1/links/{token}/bookings"
    async with http(app, "10.0.0.2") as proxy:
        for i in range(2):
            res = await proxy.post(url, json=_booking(), headers=via(f"192.0.2.{i}"))
            assert res.status_code in (201, 409)
        assert_problem_429(await proxy.post(url, json=_booking(), headers=via("192.0.2.9")), 300)
        other = await proxy.post("/api/v1/links/other/bookings", json=_booking())
        assert other.status_code == 404  # another link is not limited by this one


# --- chat widget and webhook sources -------------------------------------------------------


async def test_opening_conversations_is_limited_per_address(
    engine: Engine, session: Session, new_store: Callable[[], Store], clock: Clock
) -> None:
    desk = make_desk(session, NOW, agents=1)
    app = app_with(engine, limiter(new_store(), clock, chat_open_ip="2/1m"))
    url = f"{CHAT}/widget/{desk.widget_key}/conversations"
    async with http(app) as bot, http(app, "203.0.113.9") as person:
        for i in range(2):
            assert (await bot.post(url, json={"visitor_id": f"v{i}"})).status_code == 201
        res = await bot.post(url, json={"visitor_id": "v3"}, headers={"Origin": "https://shop"})
        assert_problem_429(res, 30)
        assert res.headers["access-control-allow-origin"] == "*"  # the widget can read it
        assert "retry-after" in res.headers["access-control-expose-headers"].lower()
        assert (await person.post(url, json={"visitor_id": "p"})).status_code == 201
    session.expire_all()
    assert len(session.exec(select(Conversation)).all()) == 3


async def test_widget_messages_are_limited_per_conversation_and_address(
    engine: Engine, session: Session, new_store: Callable[[], Store], clock: Clock
) -> None:
    desk = make_desk(session, NOW, agents=1)
    lim = limiter(new_store(), clock, chat_message_conversation="3/1m", chat_message_ip="5/1m")
    app = app_with(engine, lim)
    url = f"{CHAT}/conversation/messages"
    async with http(app) as bot:
        keys = []
        for visitor in ("a", "b"):
            opened = await bot.post(
                f"{CHAT}/widget/{desk.widget_key}/conversations", json={"visitor_id": visitor}
            )
            keys.append({"X-Chat-Key": opened.json()["client_key"]})
        for i in range(3):
            assert (await bot.post(url, json={"text": f"a{i}"}, headers=keys[0])).status_code == 201
        assert_problem_429(await bot.post(url, json={"text": "a3"}, headers=keys[0]), 20)
        for i in range(2):  # the other conversation may still write: until the address is over
            assert (await bot.post(url, json={"text": f"b{i}"}, headers=keys[1])).status_code == 201
        assert_problem_429(await bot.post(url, json={"text": "b2"}, headers=keys[1]), 12)
    session.expire_all()
    texts = {m.text for m in session.exec(select(ChatMessage)).all()}
    assert {"a0", "a1", "a2", "b0", "b1"} <= texts and not {"a3", "b2"} & texts


async def test_webhook_sources_are_limited_per_source(
    engine: Engine, new_store: Callable[[], Store], clock: Clock
) -> None:
    app = app_with(engine, limiter(new_store(), clock, webhook_source="2/1m"))
    body = {"chat_id": "c1", "text": "hi"}
    async with http(app) as bridge:
        url = f"{CHAT}/sources/src-1/messages"
        codes = [(await bridge.post(url, json=body)).status_code for _ in range(2)]
        assert codes == [404, 404]  # no such source: still counted (guessing is hammering)
        assert_problem_429(await bridge.post(url, json=body), 30)
        other = await bridge.post(f"{CHAT}/sources/src-2/messages", json=body)
        assert other.status_code == 404


# --- what is not counted, switched off, shared, failing open -------------------------------

ALL_TIGHT = {name: "1/1h" for name in rl.DEFAULT_RULES}


async def test_only_what_matters_is_counted(
    engine: Engine, new_store: Callable[[], Store], clock: Clock
) -> None:
    app = app_with(engine, limiter(new_store(), clock, **ALL_TIGHT))
    async with http(app) as client:
        for _ in range(3):
            for path in ("/", "/_next/static/app.js", "/book", "/api/v1/links/x/slots"):
                assert (await client.get(path)).status_code != 429, path
            assert (await client.get(f"{CHAT}/widget.js")).status_code == 200
            preflight = {"Origin": "https://shop", "Access-Control-Request-Method": "POST"}
            res = await client.options(f"{CHAT}/conversation/messages", headers=preflight)
            assert res.status_code == 200
            assert (await client.post("/book/x")).status_code == 200  # the stub page
    seen: list[str] = []

    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    async def nothing() -> Any:
        return {}

    async def ignore(message: Any) -> None:
        return None

    lim = limiter(new_store(), clock, **ALL_TIGHT)
    middleware = RateLimitMiddleware(inner, limiter_factory=lambda: lim)
    socket = {"type": "websocket", "path": "/_event", "headers": [], "client": ("1.2.3.4", 1)}
    for scope in ({"type": "lifespan"}, socket, socket):
        await middleware(scope, nothing, ignore)
    assert seen == ["lifespan", "websocket", "websocket"]


async def test_switched_off_nothing_is_limited(
    engine: Engine, new_store: Callable[[], Store], clock: Clock
) -> None:
    lim = limiter(new_store(), clock, **ALL_TIGHT)
    lim.enabled = False
    async with http(app_with(engine, lim)) as client:
        assert {(await client.get("/book/x")).status_code for _ in range(5)} == {404}


async def test_two_workers_share_one_budget_through_redis(
    engine: Engine, redis_url: str, clock: Clock
) -> None:
    worker_a = app_with(
        engine, limiter(RedisStore(redis_url, timeout=SLOW_MACHINE), clock, page_ip="4/1m")
    )
    worker_b = app_with(
        engine, limiter(RedisStore(redis_url, timeout=SLOW_MACHINE), clock, page_ip="4/1m")
    )
    async with http(worker_a) as a, http(worker_b) as b:
        codes = [(await (a if i % 2 else b).get("/book/x")).status_code for i in range(5)]
    assert codes == [404] * 4 + [429]


async def test_redis_down_lets_requests_through_with_a_warning(
    engine: Engine, session: Session, clock: Clock, token: str, caplog: pytest.LogCaptureFixture
) -> None:
    store = RedisStore(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    app = app_with(engine, limiter(store, clock, **ALL_TIGHT))
    with caplog.at_level(logging.WARNING, logger="slotapp.services.rate_limit"):
        async with http(app) as client:
            assert {(await client.get(f"/book/{token}")).status_code for _ in range(3)} == {200}
            url = f"/api/v1/links/{token}/bookings"
            assert (await client.post(url, json=_booking())).status_code == 201
    assert "fail open" in caplog.text
    assert token not in caplog.text
    assert _meetings(engine) == 1


async def test_password_sign_in_is_limited_per_address(
    engine: Engine, new_store: Callable[[], Store], clock: Clock
) -> None:
    app = app_with(engine, limiter(new_store(), clock))  # the defaults: 30 per 10 minutes
    form = {"email": "ada@example.com", "password": "guess"}
    async with http(app) as bot, http(app, "203.0.113.9") as person:
        codes = [(await bot.post("/auth/login", data=form)).status_code for _ in range(30)]
        assert 429 not in codes
        res = await bot.post("/auth/login", data=form)
        assert res.status_code == 429
        assert res.headers["retry-after"] == "20"
        assert "Too many requests — try again in 20 seconds." in res.text
        assert (await person.post("/auth/login", data=form)).status_code != 429
        clock.now += 20
        assert (await bot.post("/auth/login", data=form)).status_code != 429
