"""Issue 3: a dead link's guest page answered 200; now 404 (unknown) or 410 (gone), same page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.types import Receive, Scope, Send

from slotapp.api.link_status import LinkStatusMiddleware
from slotapp.core.invitation_form import InvitationDraft
from slotapp.core.meetings import Actor
from slotapp.models import User
from slotapp.services import invitation_activity, invitation_booking, invitations, links
from tests import aio
from tests.conftest import NOW
from tests.services.helpers import SECRET, LinkKind, make_user, open_slots

PAGE = b"<html><body>the page, its own message</body></html>"
LIVE_HEADERS = [(b"content-type", b"text/html"), (b"cache-control", b"public, max-age=60")]


async def frontend(scope: Scope, receive: Receive, send: Send) -> None:
    """The inner app, like the static frontend: 200 with the page, 304 to a conditional GET."""
    assert scope["type"] == "http"
    headers = [*LIVE_HEADERS, (b"etag", b'"page-1"')]
    if (b"if-none-match", b'"page-1"') in scope["headers"]:
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    if scope["query_string"] == b"moved":
        headers = [(b"location", b"/elsewhere")]
        await send({"type": "http.response.start", "status": 307, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else PAGE})


def fetch(
    app: LinkStatusMiddleware,
    path: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.request(method, path, headers=headers)

    return aio.run(go())


def request(
    engine: Engine, path: str, method: str = "GET", headers: dict[str, str] | None = None
) -> httpx.Response:
    """`path` through the middleware on `engine` at NOW, the frontend behind it."""
    app = LinkStatusMiddleware(frontend, engine_factory=lambda: engine, clock=lambda: NOW)
    return fetch(app, path, method, headers)


@pytest.fixture
def owner(session: Session) -> User:
    return make_user(session)


def _link(session: Session, owner: User, kind: LinkKind, **kw: Any) -> tuple[Any, str]:
    assert owner.id is not None
    link, token = links.create_link(
        session=session, owner_id=owner.id, kind=kind, secret=SECRET, now=NOW, **kw
    )
    session.commit()
    return link, token


def assert_live(res: httpx.Response) -> None:
    assert res.status_code == 200
    assert res.headers["cache-control"] == "public, max-age=60"


def assert_dead(res: httpx.Response, status: int) -> None:
    assert res.status_code == status
    assert res.headers["cache-control"] == "no-store"
    assert res.content == PAGE  # the page itself tells the visitor what happened


# --- booking links -------------------------------------------------------------------------


def test_a_live_link_page_is_left_untouched(engine: Engine, session: Session, owner: User) -> None:
    token = open_slots(session, owner, NOW)
    res = request(engine, f"/book/{token}")
    assert_live(res)
    assert res.content == PAGE


def test_an_unknown_token_answers_404_with_the_page(engine: Engine) -> None:
    assert_dead(request(engine, "/book/never-issued"), 404)


def test_a_revoked_link_answers_410_with_the_page(
    engine: Engine, session: Session, owner: User
) -> None:
    token = open_slots(session, owner, NOW)
    assert owner.id is not None
    links.set_open_slots(session=session, owner_id=owner.id, enabled=False, secret=SECRET, now=NOW)
    session.commit()
    assert_dead(request(engine, f"/book/{token}"), 410)


def test_an_expired_link_answers_410(engine: Engine, session: Session, owner: User) -> None:
    _, token = _link(session, owner, LinkKind.SHARED, expires_at=NOW - timedelta(minutes=1))
    assert_dead(request(engine, f"/book/{token}"), 410)


def test_a_used_one_time_link_answers_410(engine: Engine, session: Session, owner: User) -> None:
    link, token = _link(session, owner, LinkKind.ONE_TIME)
    assert_live(request(engine, f"/book/{token}"))
    link.use_count = 1
    session.add(link)
    session.commit()
    assert_dead(request(engine, f"/book/{token}"), 410)


def test_a_deactivated_owners_link_answers_410(
    engine: Engine, session: Session, owner: User
) -> None:
    token = open_slots(session, owner, NOW)
    owner.is_active = False
    session.add(owner)
    session.commit()
    assert_dead(request(engine, f"/book/{token}"), 410)


def test_a_trailing_slash_is_the_same_page(engine: Engine, session: Session, owner: User) -> None:
    assert_dead(request(engine, "/book/never-issued/"), 404)
    assert_live(request(engine, f"/book/{open_slots(session, owner, NOW)}/"))


def test_head_gets_the_same_status_without_a_body(engine: Engine) -> None:
    res = request(engine, "/book/never-issued", method="HEAD")
    assert res.status_code == 404
    assert res.headers["cache-control"] == "no-store"
    assert res.content == b""


def test_a_page_cached_while_live_is_sent_whole_once_dead(
    engine: Engine, session: Session, owner: User
) -> None:
    token = open_slots(session, owner, NOW)
    etag = {"if-none-match": '"page-1"'}
    assert request(engine, f"/book/{token}", headers=etag).status_code == 304  # still live
    assert owner.id is not None
    links.set_open_slots(session=session, owner_id=owner.id, enabled=False, secret=SECRET, now=NOW)
    session.commit()
    assert_dead(request(engine, f"/book/{token}", headers=etag), 410)


def test_a_dead_links_redirect_stays_a_redirect(engine: Engine) -> None:
    res = request(engine, "/book/never-issued?moved")
    assert res.status_code == 307
    assert "no-store" not in res.headers.get("cache-control", "")


# --- other requests ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/book", "/book/", "/book/a/b", "/books/never-issued", "/api/qr/never-issued.png"]
)
def test_other_paths_are_untouched(engine: Engine, path: str) -> None:
    assert_live(request(engine, path))


def test_other_methods_are_untouched(engine: Engine) -> None:
    assert_live(request(engine, "/book/never-issued", method="POST"))


def test_non_http_scopes_pass_through(engine: Engine) -> None:
    seen: list[str] = []

    async def inner(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    app = LinkStatusMiddleware(inner, engine_factory=lambda: engine, clock=lambda: NOW)

    async def nothing() -> Any:
        return {}

    async def ignore(message: Any) -> None:
        return None

    for scope in ({"type": "lifespan"}, {"type": "websocket", "path": "/book/x", "headers": []}):
        aio.run(app(scope, nothing, ignore))
    assert seen == ["lifespan", "websocket"]


def test_a_failing_lookup_leaves_the_page_at_200(caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> Engine:
        raise RuntimeError("database down")

    app = LinkStatusMiddleware(frontend, engine_factory=broken, clock=lambda: NOW)
    res = fetch(app, "/book/secret-token")
    assert_live(res)
    assert res.content == PAGE
    assert "link status lookup failed" in caplog.text
    assert "secret-token" not in caplog.text  # tokens are secrets: never logged


# --- invitations ---------------------------------------------------------------------------


def _invite(session: Session, owner: User) -> tuple[int, str]:
    assert owner.id is not None
    draft = InvitationDraft(
        participant_name="Pia Participant",
        participant_email="pia@example.org",
        subject="Contract review",
        duration_minutes=60,
        member_ids=(owner.id,),
        date_from="2026-11-23",
        date_to="2026-11-23",
        daily_from="10:00",
        daily_to="12:00",
        time_zone="Europe/Berlin",
    )
    made = invitations.create_invitation(
        session=session, inviter_id=owner.id, draft=draft, secret=SECRET, now=NOW, base_url="x"
    )
    session.commit()
    return made.invitation_id, made.url.rsplit("/", 1)[1]


def test_an_open_invitation_page_is_left_untouched(
    engine: Engine, session: Session, owner: User
) -> None:
    _, token = _invite(session, owner)
    assert_live(request(engine, f"/invite/{token}"))


def test_an_unknown_invitation_answers_404(engine: Engine) -> None:
    assert_dead(request(engine, "/invite/never-issued"), 404)


def test_a_withdrawn_invitation_answers_410(engine: Engine, session: Session, owner: User) -> None:
    invitation_id, token = _invite(session, owner)
    assert owner.id is not None
    invitation_activity.cancel_invitation(
        session=session,
        actor=Actor(owner.id, False),
        invitation_id=invitation_id,
        now=NOW,
    )
    session.commit()
    assert_dead(request(engine, f"/invite/{token}"), 410)


def test_a_booked_invitation_still_shows_its_meeting_with_200(
    engine: Engine, session: Session, owner: User
) -> None:
    _, token = _invite(session, owner)
    start = NOW.replace(day=23, hour=10)  # 11:00 in Berlin, inside the frame
    invitation_booking.book_invitation(engine=engine, token=token, start=start, now=NOW)
    assert_live(request(engine, f"/invite/{token}"))


def test_an_invitation_past_its_time_frame_answers_410(
    engine: Engine, session: Session, owner: User
) -> None:
    _, token = _invite(session, owner)
    later = NOW + timedelta(days=30)
    app = LinkStatusMiddleware(frontend, engine_factory=lambda: engine, clock=lambda: later)
    assert_dead(fetch(app, f"/invite/{token}"), 410)
