"""The public JSON API (`/api/v1`): free slots and booking through a link, errors as problems."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from sqlalchemy.engine import Engine
from sqlmodel import Session, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from slotapp.api.qr import qr_routes
from slotapp.api.v1 import build_api
from slotapp.core.link_api import MAX_WINDOW_DAYS
from slotapp.models import Meeting, ShareLink
from slotapp.services import links
from slotapp.services.schedules import link_slots
from tests.conftest import NOW
from tests.services.helpers import SECRET, LinkKind, make_user, open_slots

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN)  # NOW is Saturday 2026-11-21
MONDAY = (datetime(2026, 11, 23, tzinfo=BERLIN), datetime(2026, 11, 24, tzinfo=BERLIN))
PROBLEM = "application/problem+json"


@pytest.fixture
def api(engine: Engine) -> FastAPI:
    return build_api(
        routes=qr_routes(engine_factory=lambda: engine, base_url_factory=lambda: "http://t"),
        engine_factory=lambda: engine,
        clock=lambda: NOW,
    )


@pytest.fixture
def client(api: FastAPI) -> TestClient:
    return TestClient(api)


@pytest.fixture
def token(session: Session) -> str:
    return open_slots(session, make_user(session), NOW)


def _body(**kw: Any) -> dict[str, Any]:
    return {
        "start": MONDAY_10.isoformat(),
        "name": "Gina Guest",
        "email": "gina@example.org",
        "time_zone": "America/New_York",
        **kw,
    }


def _book(client: TestClient, token: str, **kw: Any) -> Any:
    return client.post(f"/api/v1/links/{token}/bookings", json=_body(**kw))


def _meetings(session: Session) -> list[Meeting]:
    session.expire_all()
    return list(session.exec(select(Meeting)).all())


def _problem(res: Any, status: int, kind: str, field: str | None = None) -> dict[str, Any]:
    assert res.status_code == status, res.text
    assert res.headers["content-type"] == PROBLEM
    body: dict[str, Any] = res.json()
    assert body["type"].endswith("/" + kind) and body["status"] == status
    assert body["title"] and body["detail"]
    assert body.get("field") == field
    return body


# --- slots --------------------------------------------------------------------------------


def test_slots_are_the_services_slots_with_local_times(
    client: TestClient, session: Session, token: str
) -> None:
    params = {"start": MONDAY[0].isoformat(), "end": MONDAY[1].isoformat(), "tz": "Asia/Tokyo"}
    res = client.get(f"/api/v1/links/{token}/slots", params=params)
    assert res.status_code == 200, res.text
    body = res.json()
    link = session.exec(select(ShareLink)).one()
    expected = link_slots(session=session, link=link, start=MONDAY[0], end=MONDAY[1], now=NOW)
    assert expected and [datetime.fromisoformat(s["start"]) for s in body["slots"]] == expected
    assert body["owner_name"] == "Olga Owner" and body["length_minutes"] == 30
    assert body["time_zone"] == "Asia/Tokyo"
    first = body["slots"][0]
    assert first["start"] == "2026-11-23T08:00:00Z" and first["end"] == "2026-11-23T08:30:00Z"
    assert first["local_start"] == "2026-11-23T17:00:00+09:00"
    assert first["local_end"] == "2026-11-23T17:30:00+09:00"


def test_slots_default_to_now_over_the_booking_window(
    client: TestClient, session: Session, token: str
) -> None:
    body = client.get(f"/api/v1/links/{token}/slots").json()
    end = NOW + timedelta(days=60)  # the default booking window
    assert datetime.fromisoformat(body["start"]) == NOW
    assert datetime.fromisoformat(body["end"]) == end
    assert body["time_zone"] == "UTC"
    link = session.exec(select(ShareLink)).one()
    expected = link_slots(session=session, link=link, start=NOW, end=end, now=NOW)
    assert [datetime.fromisoformat(s["start"]) for s in body["slots"]] == expected


def test_a_booked_slot_is_no_longer_listed(client: TestClient, token: str) -> None:
    assert _book(client, token).status_code == 201
    params = {"start": MONDAY[0].isoformat(), "end": MONDAY[1].isoformat()}
    slots = client.get(f"/api/v1/links/{token}/slots", params=params).json()["slots"]
    starts = [s["start"] for s in slots]
    assert "2026-11-23T09:00:00Z" not in starts and "2026-11-23T09:30:00Z" in starts


def test_window_longer_than_the_limit_is_422(client: TestClient, token: str) -> None:
    start = MONDAY[0]
    end = start + timedelta(days=MAX_WINDOW_DAYS, minutes=1)
    params = {"start": start.isoformat(), "end": end.isoformat()}
    res = client.get(f"/api/v1/links/{token}/slots", params=params)
    _problem(res, 422, "invalid-input", "end")


def test_window_ending_before_it_starts_is_422(client: TestClient, token: str) -> None:
    params = {"start": MONDAY[1].isoformat(), "end": MONDAY[0].isoformat()}
    _problem(client.get(f"/api/v1/links/{token}/slots", params=params), 422, "invalid-input", "end")


def test_naive_window_start_is_422(client: TestClient, token: str) -> None:
    res = client.get(f"/api/v1/links/{token}/slots", params={"start": "2026-11-23T00:00:00"})
    _problem(res, 422, "invalid-input", "start")


def test_unknown_time_zone_for_slots_is_422(client: TestClient, token: str) -> None:
    res = client.get(f"/api/v1/links/{token}/slots", params={"tz": "Mars/Olympus"})
    _problem(res, 422, "invalid-input", "tz")


def test_malformed_query_time_is_a_422_problem(client: TestClient, token: str) -> None:
    res = client.get(f"/api/v1/links/{token}/slots", params={"start": "next tuesday"})
    body = _problem(res, 422, "invalid-input", "start")
    assert body["errors"][0]["field"] == "start"


# --- bookings -----------------------------------------------------------------------------


def test_booking_answers_201_with_the_meeting(
    client: TestClient, session: Session, token: str
) -> None:
    res = _book(client, token, note="About the offer", booking_key=str(uuid.uuid4()))
    assert res.status_code == 201, res.text
    body = res.json()
    (meeting,) = _meetings(session)
    assert body == {
        "id": meeting.id,
        "start": "2026-11-23T09:00:00Z",
        "end": "2026-11-23T09:30:00Z",
        "title": "Gina Guest and Olga Owner",
        "owner_name": "Olga Owner",
        "guest": {
            "name": "Gina Guest",
            "email": "gina@example.org",
            "time_zone": "America/New_York",
        },
    }
    assert meeting.note == "About the offer" and not meeting.is_test


def test_new_meetings_are_announced_to_their_hosts_calendars(
    engine: Engine, session: Session, token: str
) -> None:
    told: list[tuple[int, ...]] = []
    api = build_api(engine_factory=lambda: engine, clock=lambda: NOW, on_booked=told.append)
    client = TestClient(api)
    key = str(uuid.uuid4())
    assert _book(client, token, booking_key=key).status_code == 201
    assert _book(client, token, booking_key=key).status_code == 200  # a repeat: nothing new
    assert _book(client, token, email="other@example.org").status_code == 409
    owner_id = session.exec(select(ShareLink)).one().owner_id
    assert told == [(owner_id,)]


def test_repeated_booking_key_returns_the_same_meeting(
    client: TestClient, session: Session, token: str
) -> None:
    key = str(uuid.uuid4())
    first = _book(client, token, booking_key=key)
    again = _book(client, token, booking_key=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert len(_meetings(session)) == 1


def test_same_booking_key_on_another_link_is_not_that_links_meeting(
    client: TestClient, session: Session, token: str
) -> None:
    other = open_slots(session, make_user(session, "Paul Partner"), NOW)
    key = "same-key-0123456789"
    mine = _book(client, token, booking_key=key)
    theirs = _book(client, other, booking_key=key)
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert theirs.json()["owner_name"] == "Paul Partner"
    assert theirs.json()["id"] != mine.json()["id"]


def test_short_booking_key_is_422(client: TestClient, session: Session, token: str) -> None:
    _problem(_book(client, token, booking_key="1"), 422, "invalid-input", "booking_key")
    assert _meetings(session) == []


def test_taken_slot_is_409_and_nothing_stored(
    client: TestClient, session: Session, token: str
) -> None:
    assert _book(client, token).status_code == 201
    res = _book(client, token, email="other@example.org")
    body = _problem(res, 409, "slot-taken", "start")
    assert "just taken" in body["detail"]
    assert [m.guest_email for m in _meetings(session)] == ["gina@example.org"]


@pytest.mark.parametrize(
    "start",
    [
        MONDAY_10 + timedelta(minutes=7),  # off the slot grid
        datetime(2026, 11, 22, 10, 0, tzinfo=BERLIN),  # a Sunday
        datetime(2026, 11, 23, 16, 45, tzinfo=BERLIN),  # would end after working hours
        datetime(2027, 2, 1, 10, 0, tzinfo=BERLIN),  # a Monday beyond the 60-day window
    ],
)
def test_time_not_offered_is_409(
    client: TestClient, session: Session, token: str, start: datetime
) -> None:
    _problem(_book(client, token, start=start.isoformat()), 409, "slot-taken", "start")
    assert _meetings(session) == []


def test_revoked_link_is_410(client: TestClient, session: Session, token: str) -> None:
    owner_id = links.resolve_link(session=session, token=token, now=NOW).owner_id
    links.revoke_all(session=session, owner_id=owner_id, now=NOW)
    session.commit()
    _problem(_book(client, token), 410, "link-inactive")
    _problem(client.get(f"/api/v1/links/{token}/slots"), 410, "link-inactive")
    assert _meetings(session) == []


def test_used_up_one_time_link_is_410(client: TestClient, session: Session) -> None:
    owner = make_user(session)
    assert owner.id is not None
    _, token = links.create_link(
        session=session, owner_id=owner.id, kind=LinkKind.ONE_TIME, secret=SECRET, now=NOW
    )
    session.commit()
    assert _book(client, token).status_code == 201
    later = (MONDAY_10 + timedelta(hours=1)).isoformat()
    _problem(_book(client, token, start=later), 410, "link-used")
    _problem(client.get(f"/api/v1/links/{token}/slots"), 410, "link-used")
    assert len(_meetings(session)) == 1


def test_expired_link_is_410(client: TestClient, session: Session) -> None:
    owner = make_user(session)
    assert owner.id is not None
    _, token = links.create_link(
        session=session,
        owner_id=owner.id,
        kind=LinkKind.SHARED,
        secret=SECRET,
        now=NOW - timedelta(days=2),
        expires_at=NOW - timedelta(days=1),
    )
    session.commit()
    _problem(client.get(f"/api/v1/links/{token}/slots"), 410, "link-expired")


def test_unknown_token_is_404(client: TestClient, session: Session, token: str) -> None:
    _problem(client.get("/api/v1/links/no-such-token/slots"), 404, "link-not-found")
    _problem(_book(client, "no-such-token"), 404, "link-not-found")
    assert _meetings(session) == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "gina@@example"}, "email"),
        ({"email": ""}, "email"),
        ({"name": "   "}, "name"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"start": "2026-11-23T10:00:00"}, "start"),  # naive: no offset
    ],
)
def test_invalid_guest_input_is_422_with_field_and_nothing_stored(
    client: TestClient, session: Session, token: str, change: dict[str, str], field: str
) -> None:
    _problem(_book(client, token, **change), 422, "invalid-input", field)
    assert _meetings(session) == []


def test_body_validation_errors_are_problems(client: TestClient, token: str) -> None:
    url = f"/api/v1/links/{token}/bookings"
    missing = _problem(
        client.post(url, json={"start": MONDAY_10.isoformat()}), 422, "invalid-input", "name"
    )
    assert {e["field"] for e in missing["errors"]} == {"name", "email", "time_zone"}
    _problem(client.post(url, json=_body(when="soon")), 422, "invalid-input", "when")
    _problem(client.post(url, json=_body(start="soon")), 422, "invalid-input", "start")
    broken = client.post(url, content=b"{", headers={"content-type": "application/json"})
    _problem(broken, 422, "invalid-input", "body")


def test_numbers_are_not_times(client: TestClient, token: str) -> None:
    # Found by schemathesis: pydantic read `start=0.5` as a Unix time, the document says ISO.
    res = client.get(f"/api/v1/links/{token}/slots", params={"start": "0.5"})
    _problem(res, 422, "invalid-input", "start")
    _problem(_book(client, token, start=1795424400), 422, "invalid-input", "start")


@pytest.mark.parametrize("start", ["0001-01-01T00:00:01Z", "9999-12-31T23:00:00-23:00"])
def test_far_off_window_is_empty_not_a_server_error(
    client: TestClient, token: str, start: str
) -> None:
    # Found by schemathesis: year 1 overflowed the busy-time query's margin (500).
    res = client.get(f"/api/v1/links/{token}/slots", params={"start": start})
    assert res.status_code == 200 and res.json()["slots"] == []


def test_body_that_is_not_utf8_is_a_400_problem(client: TestClient, token: str) -> None:
    # Found by schemathesis: FastAPI answered `{"detail": ...}` as application/json.
    res = client.post(
        f"/api/v1/links/{token}/bookings",
        content=b"\xf0!\xfe",
        headers={"content-type": "application/json"},
    )
    assert res.status_code == 400 and res.headers["content-type"] == PROBLEM
    assert res.json()["type"] == "about:blank" and res.json()["title"] == "Bad Request"


def test_unknown_api_path_and_wrong_method_are_problems(client: TestClient, token: str) -> None:
    res = client.get("/api/v1/nothing/here")
    assert res.status_code == 404 and res.headers["content-type"] == PROBLEM
    res = client.delete(f"/api/v1/links/{token}/bookings")
    assert res.status_code == 405 and res.headers["content-type"] == PROBLEM
    assert res.headers["allow"] == "POST"


def test_http_errors_outside_the_api_keep_their_shape(engine: Engine) -> None:
    def refuse(_request: Request) -> Response:
        raise HTTPException(400, "not here")

    api = build_api(routes=[Route("/elsewhere", refuse)], engine_factory=lambda: engine)
    res = TestClient(api).get("/elsewhere")
    assert res.status_code == 400 and res.headers["content-type"] == "application/json"
    assert res.json() == {"detail": "not here"}


# --- the document and the wiring ---------------------------------------------------------


def test_openapi_lists_both_paths_with_problem_errors(client: TestClient) -> None:
    res = client.get("/api/v1/openapi.json")
    assert res.status_code == 200
    paths = res.json()["paths"]
    slots, bookings = "/api/v1/links/{token}/slots", "/api/v1/links/{token}/bookings"
    assert set(paths) == {slots, bookings}
    assert set(paths[slots]) == {"get"} and set(paths[bookings]) == {"post"}
    for status in ("404", "409", "410", "422"):
        assert set(paths[bookings]["post"]["responses"][status]["content"]) == {PROBLEM}
    assert client.get("/api/v1/docs").status_code == 200


def test_qr_routes_are_still_served(client: TestClient, token: str) -> None:
    res = client.get(f"/api/qr/{token}.svg")
    assert res.status_code == 200 and res.headers["content-type"].startswith("image/svg+xml")


def test_the_reflex_app_mounts_this_api() -> None:
    from slotapp.slotapp import app

    transformers = app.api_transformer
    assert isinstance(transformers, list)
    api = transformers[0]  # the API mounts the app; middleware (dead-link statuses) wraps it
    assert isinstance(api, FastAPI)
    paths = {getattr(r, "path", "") for r in api.routes}
    assert {"/api/v1/openapi.json", "/api/qr/{token}.png", "/api/qr/{token}.svg"} <= paths
    assert "/api/v1/links/{token}/bookings" in TestClient(api).get("/api/v1/openapi.json").text


def test_aware_times_in_any_offset_book_the_same_instant(client: TestClient, token: str) -> None:
    start = MONDAY_10.astimezone(UTC).replace(tzinfo=None).isoformat() + "+00:00"
    assert _book(client, token, start=start).json()["start"] == "2026-11-23T09:00:00Z"
