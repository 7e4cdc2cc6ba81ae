"""Printable share cards: `/api/qr/{token}/card.png|.svg`, their QR read by a real reader."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import pytest
from PIL import Image
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from slotapp.api.qr import qr_routes
from slotapp.core.qr_card import card_png, card_svg
from slotapp.services import accounts, links
from tests.conftest import NOW
from tests.core.test_qr import decode_png, decode_svg
from tests.services.helpers import SECRET, LinkKind

BASE = "http://slot.example"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def client(engine: Engine) -> TestClient:
    app = Starlette(routes=qr_routes(engine_factory=lambda: engine, base_url_factory=lambda: BASE))
    return TestClient(app)


@pytest.fixture
def token(session: Session) -> str:
    owner = accounts.create_user(
        session=session, email="zoe@example.com", name="Zoë O'Brien <&>", password=None
    )
    assert owner.id is not None
    _, made = links.create_link(
        session=session, owner_id=owner.id, kind=LinkKind.ONE_TIME, secret=SECRET, now=NOW
    )
    session.commit()
    return made


def _texts(svg: bytes) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_card_png_holds_the_booking_url_and_prints_at_300_dpi(
    client: TestClient, token: str
) -> None:
    res = client.get(f"/api/qr/{token}/card.png")
    assert res.status_code == 200
    assert res.headers["content-type"] == "image/png"
    assert res.headers["content-disposition"] == 'inline; filename="slotapp-card.png"'
    assert decode_png(res.content) == f"{BASE}/book/{token}"
    with Image.open(io.BytesIO(res.content)) as img:
        assert img.size == (1200, 1700)
        assert tuple(round(v) for v in img.info["dpi"]) == (300, 300)


def test_card_svg_holds_the_url_the_owners_name_and_the_length(
    client: TestClient, token: str
) -> None:
    res = client.get(f"/api/qr/{token}/card.svg")
    assert res.status_code == 200
    assert res.headers["content-type"].startswith("image/svg+xml")
    assert decode_svg(res.content) == f"{BASE}/book/{token}"
    texts = _texts(res.content)  # well-formed XML although the name holds < & > and '
    assert "Zoë O'Brien <&>" in texts and "30-minute meeting" in texts


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_card_download_1_makes_an_attachment(client: TestClient, token: str, fmt: str) -> None:
    res = client.get(f"/api/qr/{token}/card.{fmt}", params={"download": "1"})
    assert res.headers["content-disposition"] == f'attachment; filename="slotapp-card.{fmt}"'


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_no_card_for_a_revoked_link(
    client: TestClient, session: Session, token: str, fmt: str
) -> None:
    link = links.resolve_link(session=session, token=token, now=NOW)
    links.revoke_all(session=session, owner_id=link.owner_id, now=NOW)
    session.commit()
    res = client.get(f"/api/qr/{token}/card.{fmt}")
    assert res.status_code == 404
    assert res.json() == {"error": "inactive", "detail": links.INACTIVE}


def test_unknown_token_has_no_card(client: TestClient) -> None:
    assert client.get("/api/qr/nope/card.png").status_code == 404


def test_a_long_name_shrinks_to_fit_and_the_code_still_reads() -> None:
    name = "Maximiliane Alexandra von Hohenzollern-Sigmaringen"
    url = f"{BASE}/book/" + "x" * 43
    svg = card_svg(owner_name=name, length_minutes=45, url=url)
    sizes = {t.text: float(t.get("font-size", "0")) for t in ET.fromstring(svg).iter(f"{SVG}text")}
    assert sizes[name] * len(name) * 0.55 <= 600 - 80  # within the card's margins
    assert decode_svg(svg) == url
    assert decode_png(card_png(owner_name=name, length_minutes=45, url=url)) == url


def test_card_refuses_an_empty_url() -> None:
    with pytest.raises(ValueError):
        card_png(owner_name="A", length_minutes=30, url="")
    with pytest.raises(ValueError):
        card_svg(owner_name="A", length_minutes=30, url="")
