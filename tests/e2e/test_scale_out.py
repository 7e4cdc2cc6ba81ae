"""Live updates cross workers: two production servers, one PostgreSQL, one Redis.

Server A (the production build) serves the browser; server B (a second, independent
process: backend only, its own memory) handles the event. A new booking made through B's
JSON API shows on the owner's calendar open on A, and an enquiry a visitor starts through
B's chat API shows in the agent's inbox open on A, both without reload. What joins them is
only what a real deployment shares: the database (the registry of watching tabs) and
Redis (Reflex's states, token ownership and the pub/sub that carries the update).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bench.cluster import cluster
from slotapp.clock import utcnow
from slotapp.db import make_engine, serialized
from slotapp.models import Channel, ChatMessage, Conversation, LiveWatcher, User
from slotapp.services import agent_chat, channels, links
from slotapp.services.keys import load_or_create_secret
from tests.pg_server import PostgresServer
from tests.redis_server import RedisServer

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]
ROOT = Path(__file__).resolve().parents[2]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}
LIVE_TIMEOUT_MS = 15_000


@dataclass(frozen=True)
class Pair:
    """Two independent servers on one database and one Redis."""

    a: str  # the browser's server (pages)
    b: str  # the server that handles the event (backend only)
    engine: Engine
    data_dir: Path


@pytest.fixture(scope="module")
def pair(
    postgres_server: PostgresServer,
    redis_server: RedisServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Pair]:
    work = tmp_path_factory.mktemp("scale-out")
    db_url = postgres_server.url(postgres_server.fresh_database())
    data = work / "data"  # one secret key for both, as servers behind one proxy share it
    data.mkdir()
    env = {**os.environ, "DATABASE_URL": db_url, "SLOTAPP_DATA_DIR": str(data)}
    setup = [sys.executable, "-m", "slotapp.cli", "setup"]  # migrate + demo accounts
    subprocess.run(setup, cwd=ROOT, env=env, check=True, capture_output=True)
    redis_server.flush()
    extra = {"SLOTAPP_DATA_DIR": str(data), "SLOTAPP_RATE_LIMITS": "off"}
    common: dict[str, Any] = {
        "workers": 1,
        "db_url": db_url,
        "redis_url": redis_server.url(),
        "env_extra": extra,
    }
    (work / "a").mkdir()
    (work / "b").mkdir()
    engine = make_engine(db_url)
    try:
        with (
            cluster(**common, workdir=work / "a", log=work / "a.log") as a,
            cluster(**common, workdir=work / "b", log=work / "b.log", build=False) as b,
        ):
            assert a.proc.pid != b.proc.pid
            yield Pair(a.url, b.url, engine, data)
    finally:
        engine.dispose()


def _login(browser: Any, url: str, who: str, path: str) -> Any:
    page = browser.new_context(**PHONE).new_page()
    page.goto(url + path, wait_until="domcontentloaded")
    page.wait_for_url("**/login**", timeout=60_000)
    page.fill("#email", f"{who}@example.com")
    page.fill("#password", f"demo-{who}-pass")
    page.click("#login-submit")
    return page


def _user(session: Session, email: str) -> User:
    return session.exec(select(User).where(User.email == email)).one()


def _watching(engine: Engine, topic: str) -> int:
    with Session(engine) as session:
        return len(session.exec(select(LiveWatcher).where(LiveWatcher.topic == topic)).all())


def test_booking_made_on_server_b_shows_on_the_calendar_open_on_server_a(
    pair: Pair, browser: Any, artifacts: Path
) -> None:
    with Session(pair.engine, expire_on_commit=False) as session:
        ben = _user(session, "ben@example.com")
        assert ben.id is not None
        secret = load_or_create_secret(pair.data_dir / "secret.key")  # the servers' own key
        token = links.set_open_slots(
            session=session, owner_id=ben.id, enabled=True, secret=secret, now=utcnow()
        )
        session.commit()
    assert token is not None

    owner = _login(browser, pair.a, "ben", "/calendar")
    owner.locator("#calendar-refreshed").wait_for(state="attached", timeout=60_000)
    owner.wait_for_function("Number(document.querySelector('#calendar-refreshed').textContent) > 0")
    assert _watching(pair.engine, f"calendar:{ben.id}") >= 1  # A's tab is in the registry
    owner.evaluate("window.sameDocument = true")  # gone if the page reloads

    api = f"{pair.b}/api/v1/links/{token}"
    slots = httpx.get(f"{api}/slots", params={"tz": "Europe/Berlin"}, timeout=30)
    assert slots.status_code == 200, slots.text
    start = slots.json()["slots"][0]["start"]
    sent = time.monotonic()
    booked = httpx.post(
        f"{api}/bookings",
        json={
            "start": start,
            "name": "Gina Crossworker",
            "email": "gina.cross@example.org",
            "time_zone": "Europe/Berlin",
        },
        timeout=30,
    )
    assert booked.status_code == 201, booked.text

    # No reload: B found A's tab in the registry and reached its state through Redis.
    owner.locator("#agenda").filter(has_text="Gina Crossworker").wait_for(timeout=LIVE_TIMEOUT_MS)
    print(f"booking on B -> calendar on A: {time.monotonic() - sent:.2f} s")
    assert owner.evaluate("window.sameDocument === true")
    owner.screenshot(path=str(artifacts / "scale-out-calendar-390x844.png"), full_page=True)


def _desk(engine: Engine) -> str:
    """The demo channel: in queue order, Dan available, Ben away; returns the widget key."""
    with Session(serialized(engine), expire_on_commit=False) as session:
        channel = session.exec(select(Channel).where(Channel.name == "Website support")).one()
        assert channel.id is not None
        wanted = {"distribution": "in_order", "contact_form": False, "kpi_initial_minutes": None}
        channels.update_channel(
            session=session,
            channel_id=channel.id,
            name=channel.name,
            chat_title=channel.chat_title,
            active=True,
            settings={**channel.settings, **wanted},
        )
        now = utcnow()
        agent_chat.set_presence(
            session=session, user=_user(session, "ben@example.com"), now=now, online=False
        )
        agent_chat.set_presence(
            session=session,
            user=_user(session, "dan@example.com"),
            now=now,
            online=True,
            clocked_in=True,
        )
        source = channels.widget_source(session=session, channel_id=channel.id)
        assert source is not None
        session.commit()
        return source.key


def test_enquiry_started_on_server_b_shows_in_the_inbox_open_on_server_a(
    pair: Pair, browser: Any, artifacts: Path
) -> None:
    key = _desk(pair.engine)
    dan = _login(browser, pair.a, "dan", "/inbox")
    dan.locator("#presence-online").wait_for(timeout=60_000)
    dan.wait_for_function("Number(document.querySelector('#inbox-refreshed').textContent) > 0")
    with Session(pair.engine) as session:
        dan_id = _user(session, "dan@example.com").id
    assert _watching(pair.engine, f"inbox:{dan_id}") >= 1
    dan.click("#tab-queue")  # where an enquiry offered to Dan shows
    dan.locator("#tab-queue[aria-selected=true]").wait_for(timeout=15_000)
    dan.evaluate("window.sameDocument = true")

    chat = f"{pair.b}/api/chat/v1"
    sent = time.monotonic()
    opened = httpx.post(
        f"{chat}/widget/{key}/conversations", json={"visitor_id": "visitor-x"}, timeout=30
    )
    assert opened.status_code in (200, 201), opened.text
    headers = {"X-Chat-Key": opened.json()["client_key"]}
    posted = httpx.post(
        f"{chat}/conversation/messages",
        json={"text": "Do you deliver on Sundays?"},
        headers=headers,
        timeout=30,
    )
    assert posted.status_code in (200, 201), posted.text
    with Session(pair.engine) as session:
        message = session.get(ChatMessage, posted.json()["id"])
        assert message is not None
        conversation = session.get(Conversation, message.conversation_id)
        assert conversation is not None and conversation.assigned_to == dan_id  # offered to Dan

    row = dan.locator("#inbox-rows li").filter(has_text="Do you deliver on Sundays?")
    row.wait_for(timeout=LIVE_TIMEOUT_MS)
    print(f"enquiry on B -> inbox on A: {time.monotonic() - sent:.2f} s")
    assert dan.evaluate("window.sameDocument === true")
    dan.screenshot(path=str(artifacts / "scale-out-inbox-390x844.png"), full_page=True)
