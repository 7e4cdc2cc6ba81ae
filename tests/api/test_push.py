"""The push routes: the VAPID public key, and a browser renewing or dropping its subscription."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from slotapp.api.push import push_routes
from slotapp.core.webpush_subscription import parse_subscription
from slotapp.models import PushSubscription
from slotapp.services import push_devices
from tests.conftest import NOW
from tests.pushservice import BrowserKeys
from tests.services.helpers import make_user

KEY = "BPublicKeyOfTheServer"


@pytest.fixture
def client(engine: Engine) -> TestClient:
    routes = push_routes(
        engine_factory=lambda: engine, public_key_factory=lambda: KEY, local_site=lambda: False
    )
    return TestClient(Starlette(routes=routes))


@pytest.fixture
def old(session: Session) -> dict:  # type: ignore[type-arg]
    """A subscription Dan's phone made earlier."""
    dan = make_user(session, "Dan Agent", role="agent")
    sub = BrowserKeys().subscription("https://push.example.net/send/old")
    assert dan.id is not None
    push_devices.subscribe(
        session=session, user_id=dan.id, keys=parse_subscription(sub), label="Phone", now=NOW
    )
    session.commit()
    return sub


def _endpoints(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return list(session.exec(select(PushSubscription.endpoint)).all())


def test_the_public_key_is_served_for_subscribing(client: TestClient) -> None:
    res = client.get("/api/push/key")
    assert res.status_code == 200
    assert res.json() == {"publicKey": KEY}


def test_the_service_worker_swaps_a_renewed_subscription(
    client: TestClient,
    engine: Engine,
    old: dict,  # type: ignore[type-arg]
) -> None:
    new = BrowserKeys().subscription("https://push.example.net/send/new")
    res = client.post("/api/push/resubscribe", json={"old": old, "new": new})
    assert res.status_code == 204
    assert _endpoints(engine) == ["https://push.example.net/send/new"]


def test_without_the_old_secret_nothing_changes(
    client: TestClient,
    engine: Engine,
    old: dict,  # type: ignore[type-arg]
) -> None:
    stranger = BrowserKeys().subscription(old["endpoint"])  # same endpoint, other secret
    new = BrowserKeys().subscription("https://push.example.net/send/attacker")
    res = client.post("/api/push/resubscribe", json={"old": stranger, "new": new})
    assert res.status_code == 404
    res = client.post("/api/push/unsubscribe", json=stranger)
    assert res.status_code == 404
    assert _endpoints(engine) == [old["endpoint"]]


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[]",
        b'{"old": {"endpoint": "x"}}',
        b'{"old": {"endpoint": "x", "keys": {"auth": "y"}}, "new": {"endpoint": "http://a/"}}',
        b"{" + b" " * 9000 + b"}",
    ],
)
def test_malformed_requests_are_refused(
    client: TestClient,
    engine: Engine,
    old: dict,
    body: bytes,  # type: ignore[type-arg]
) -> None:
    res = client.post("/api/push/resubscribe", content=body)
    assert res.status_code == 422
    assert _endpoints(engine) == [old["endpoint"]]


def test_a_browser_logging_out_drops_its_own_subscription(
    client: TestClient,
    engine: Engine,
    old: dict,  # type: ignore[type-arg]
) -> None:
    res = client.post("/api/push/unsubscribe", json=old)
    assert res.status_code == 204
    assert _endpoints(engine) == []
    assert client.post("/api/push/unsubscribe", json=old).status_code == 404
