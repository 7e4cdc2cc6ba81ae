"""Issue 8: booking on the guest and invitation pages (over the websocket, not HTTP) is
rate-limited per network and per link, with the page's own error display; nothing is booked."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from reflex.istate.data import RouterData
from reflex.state import State
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

import slotapp.slotapp  # noqa: F401  (registers every state)
from slotapp.clock import utcnow
from slotapp.core.invitation_form import InvitationDraft
from slotapp.db import get_engine
from slotapp.models import Meeting, User
from slotapp.services import invitations
from slotapp.services.rate_limit import get_limiter
from slotapp.settings import get_settings
from slotapp.state.guest import GuestState
from slotapp.state.invite import InviteState
from tests.services.helpers import SECRET, make_user, open_slots

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` on a thread of its own (a browser test may hold this thread's loop),
    with this thread's context (Reflex keeps its registry of states in a context variable)."""
    context = contextvars.copy_context()
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(context.run, asyncio.run, coro).result()


@pytest.fixture
def app_db(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The states' own `get_engine()` on the test database; bookings limited to 1 a minute
    per network and 2 per 10 minutes per link."""
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("SLOTAPP_RATE_LIMIT_BOOKING_IP", "1/1m")
    monkeypatch.setenv("SLOTAPP_RATE_LIMIT_BOOKING_LINK", "2/10m")
    monkeypatch.setenv("SLOTAPP_TRUSTED_PROXIES", "1")
    monkeypatch.delenv("REFLEX_REDIS_URL", raising=False)
    monkeypatch.delenv("SLOTAPP_RATE_LIMITS", raising=False)
    for cache in (get_settings, get_engine, get_limiter):
        cache.cache_clear()
    yield engine
    get_engine().dispose()
    for cache in (get_settings, get_engine, get_limiter):
        cache.cache_clear()


def tab(path: str, client: str) -> State:
    """A browser tab's state tree whose websocket came through our one proxy for `client`."""
    root = State(_reflex_internal_init=True)
    root.router = RouterData.from_router_data(
        {
            "token": f"tab-{client}",
            "pathname": path,
            "asPath": path,
            "headers": {"asgi-scope-client": "10.0.0.2", "x-forwarded-for": f"6.6.6.6, {client}"},
        }
    )
    return root


def meetings(engine: Engine) -> int:
    with Session(engine) as session:
        return len(session.exec(select(Meeting)).all())


async def book_as_guest(token: str, client: str) -> GuestState:
    state = await tab(f"/book/{token}", client).get_state(GuestState)
    assert isinstance(state, GuestState)
    state.guest_tz, state.booking_key = "UTC", f"key-{client}"
    state.refresh()
    state.selected_start = next(s for s in state._slots.values() if s)[0]
    await GuestState.event_handlers["confirm"].fn(
        state, {"name": "Gina Guest", "email": f"{client}@example.org"}
    )
    return state


def test_the_guest_page_refuses_a_second_booking_from_one_network(app_db: Engine) -> None:
    with Session(app_db) as session:
        token = open_slots(session, make_user(session), utcnow())
    first = run(book_as_guest(token, "192.0.2.1"))
    assert first.confirmed and first.form_error == ""
    again = run(book_as_guest(token, "192.0.2.1"))
    assert again.form_error == (
        "Too many booking attempts from your network. Try again in 60 seconds."
    )
    assert not again.confirmed and not again.pending
    assert meetings(app_db) == 1
    assert run(book_as_guest(token, "192.0.2.2")).confirmed  # another network books
    on_link = run(book_as_guest(token, "192.0.2.3"))  # the link's 2 per 10 min are spent
    assert on_link.form_error == (
        "Too many booking attempts on this link. Try again in 300 seconds."
    )
    assert meetings(app_db) == 2


def _invitation(session: Session, owner: User, email: str) -> str:
    assert owner.id is not None
    start = utcnow().date() + timedelta(days=1)
    draft = InvitationDraft(
        participant_name="Pia Participant",
        participant_email=email,
        subject="Contract review",
        duration_minutes=30,
        member_ids=(owner.id,),
        date_from=start.isoformat(),
        date_to=(start + timedelta(days=13)).isoformat(),
        daily_from="00:00",
        daily_to="24:00",
        time_zone="UTC",
    )
    made = invitations.create_invitation(
        session=session, inviter_id=owner.id, draft=draft, secret=SECRET, now=utcnow()
    )
    session.commit()
    return made.url.rsplit("/", 1)[1]


async def book_invitation(token: str, client: str) -> InviteState:
    state = await tab(f"/invite/{token}", client).get_state(InviteState)
    assert isinstance(state, InviteState)
    state.refresh()
    state.selected_start = next(s for s in state._slots.values() if s)[0]
    await InviteState.event_handlers["confirm"].fn(state)
    return state


def test_the_invitation_page_refuses_a_second_booking_from_one_network(app_db: Engine) -> None:
    with Session(app_db) as session:
        owner = make_user(session)
        first_token = _invitation(session, owner, "pia@example.org")
        second_token = _invitation(session, owner, "paul@example.org")
    assert run(book_invitation(first_token, "192.0.2.1")).booked
    refused = run(book_invitation(second_token, "192.0.2.1"))
    assert refused.notice == "Too many booking attempts from your network. Try again in 60 seconds."
    assert not refused.booked and not refused.pending
    assert meetings(app_db) == 1
