"""The QR routes of share links, decoded by a real reader."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from slotapp.api.qr import booking_url, qr_routes
from slotapp.clock import utcnow
from slotapp.services import links
from tests.conftest import NOW
from tests.core.test_qr import decode_png, decode_svg
from tests.services.helpers import SECRET, LinkKind, make_user, open_slots

BASE = "http://slot.example"


@pytest.fixture
def client(engine: Engine) -> TestClient:
    app = Starlette(routes=qr_routes(engine_factory=lambda: engine, base_url_factory=lambda: BASE))
    return TestClient(app)


@pytest.fixture
def token(session: Session) -> str:
    return open_slots(session, make_user(session), NOW)


def test_png_holds_the_booking_url(client: TestClient, token: str) -> None:
    res = client.get(f"/api/qr/{token}.png")
    assert res.status_code == 200
    assert res.headers["content-type"] == "image/png"
    assert res.headers["cache-control"] == "private, max-age=300"
    assert res.headers["content-disposition"] == 'inline; filename="slotapp-link.png"'
    assert decode_png(res.content) == f"{BASE}/book/{token}"


def test_svg_holds_the_booking_url(client: TestClient, token: str) -> None:
    res = client.get(f"/api/qr/{token}.svg")
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("image/svg+xml")
    assert res.headers["cache-control"] == "private, max-age=300"
    assert res.headers["content-disposition"] == 'inline; filename="slotapp-link.svg"'
    assert decode_svg(res.content) == f"{BASE}/book/{token}"


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_download_1_makes_an_attachment(client: TestClient, token: str, fmt: str) -> None:
    res = client.get(f"/api/qr/{token}.{fmt}", params={"download": "1"})
    assert res.status_code == 200
    assert res.headers["content-disposition"] == f'attachment; filename="slotapp-link.{fmt}"'


def test_revoked_link_is_404_inactive(client: TestClient, session: Session, token: str) -> None:
    owner_id = links.resolve_link(session=session, token=token, now=NOW).owner_id
    links.revoke_all(session=session, owner_id=owner_id, now=NOW)
    session.commit()
    for fmt in ("png", "svg"):
        res = client.get(f"/api/qr/{token}.{fmt}")
        assert res.status_code == 404
        assert res.headers["content-type"] == "application/json"
        assert res.json() == {"error": "inactive", "detail": links.INACTIVE}


def test_unknown_token_is_404(client: TestClient) -> None:
    res = client.get("/api/qr/no-such-token.png")
    assert res.status_code == 404
    assert res.json()["error"] == "inactive"


def test_expired_link_is_404_expired(client: TestClient, session: Session) -> None:
    owner = make_user(session)
    assert owner.id is not None
    now = utcnow()
    _, token = links.create_link(
        session=session,
        owner_id=owner.id,
        kind=LinkKind.SHARED,
        secret=SECRET,
        now=now - timedelta(days=2),
        expires_at=now - timedelta(days=1),
    )
    session.commit()
    res = client.get(f"/api/qr/{token}.png")
    assert res.status_code == 404
    assert res.json()["error"] == "expired"


def test_booking_url_joins_base_and_token() -> None:
    assert booking_url(BASE, "t0k") == "http://slot.example/book/t0k"
    assert booking_url(BASE + "/", "t0k") == "http://slot.example/book/t0k"
