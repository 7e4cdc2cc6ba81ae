"""The agents' inbox in Chromium at 390x844 with the real widget on a shop page of a second
loopback origin: a visitor's enquiry reaches two agents' inboxes live (agent Dan, supervisor
Ada), Dan's answer shows in Ada's list and in the visitor's widget without reload, and an
enquiry Dan leaves unanswered moves on to Ben after the idle time."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select, update

from slotapp.clock import utcnow
from slotapp.db import make_engine, serialized
from slotapp.models import Channel, ChatMessage, ChatTimer, Conversation, User
from slotapp.services import agent_chat, channels
from tests.conftest import RunningApp
from tests.widget_host import widget_host

pytestmark = pytest.mark.e2e
IDLE = 5  # minutes; the test moves the deadline instead of waiting
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}


def _user(session: Session, email: str) -> User:
    return session.exec(select(User).where(User.email == email)).one()


def _setup(engine: Engine) -> str:
    """The demo channel: in queue order, a short idle time, Dan and Ben away."""
    with Session(serialized(engine), expire_on_commit=False) as session:
        channel = session.exec(select(Channel).where(Channel.name == "Website support")).one()
        assert channel.id is not None
        wanted = {"distribution": "in_order", "idle_minutes": IDLE, "contact_form": False}
        channels.update_channel(
            session=session,
            channel_id=channel.id,
            name=channel.name,
            chat_title=channel.chat_title,
            active=True,
            settings={**channel.settings, **wanted, "kpi_initial_minutes": None},
        )
        for email in ("dan@example.com", "ben@example.com"):
            agent_chat.set_presence(
                session=session, user=_user(session, email), now=utcnow(), online=False
            )
        source = channels.widget_source(session=session, channel_id=channel.id)
        assert source is not None
        session.commit()
        return source.key


def _client_writes(app: RunningApp, engine: Engine, key: str, visitor: str, text: str) -> int:
    """A visitor opens the widget and writes, through the widget's API (as the widget does)."""
    base = f"{app.api_url}/api/chat/v1"
    opened = httpx.post(f"{base}/widget/{key}/conversations", json={"visitor_id": visitor})
    opened.raise_for_status()
    headers = {"X-Chat-Key": opened.json()["client_key"]}
    posted = httpx.post(f"{base}/conversation/messages", json={"text": text}, headers=headers)
    posted.raise_for_status()
    with Session(engine) as session:
        message = session.get(ChatMessage, posted.json()["id"])
        assert message is not None
        return message.conversation_id


def _widget_writes(browser: Any, shop: str, engine: Engine, text: str) -> tuple[Any, int]:
    """A visitor on the shop page opens the chat widget and writes; returns page and dialog."""
    page = browser.new_context(**PHONE).new_page()
    page.goto(shop)
    page.locator("#slotapp-chat-open").click(timeout=30_000)
    page.fill("#slotapp-chat-text", text)
    page.press("#slotapp-chat-text", "Enter")
    page.locator("#slotapp-chat-log").get_by_text(text).wait_for(timeout=15_000)
    deadline = time.monotonic() + 15  # the widget shows the message before the server has it
    while True:
        with Session(engine) as session:
            stored = session.exec(select(ChatMessage).where(ChatMessage.text == text)).first()
        if stored is not None or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert stored is not None, "the widget's message never reached the server"
    return page, stored.conversation_id


def _login(browser: Any, app: RunningApp, who: str) -> Any:
    page = browser.new_context(**PHONE).new_page()
    page.goto(app.url + "/inbox", wait_until="domcontentloaded")
    page.wait_for_url("**/login**", timeout=60_000)
    page.fill("#email", f"{who}@example.com")
    page.fill("#password", f"demo-{who}-pass")
    page.click("#login-submit")
    page.locator("#presence-online").wait_for(timeout=60_000)
    page.wait_for_function("Number(document.querySelector('#inbox-refreshed').textContent) > 0")
    return page


def _row(page: Any, conversation_id: int) -> Any:
    return page.locator(f"#inbox-rows li[data-conversation='{conversation_id}']")


def test_enquiries_reach_inboxes_live_answer_shows_elsewhere_and_forward_after_idle(
    app_server: RunningApp, browser: Any, artifacts: Path
) -> None:
    engine = make_engine(app_server.db_url)
    key = _setup(engine)
    with widget_host(app_server.api_url, key) as shop:
        _inbox_round_trip(app_server, engine, key, shop, browser, artifacts)
    engine.dispose()


def _inbox_round_trip(
    app_server: RunningApp, engine: Engine, key: str, shop: str, browser: Any, artifacts: Path
) -> None:
    visitor, first = _widget_writes(browser, shop, engine, "Do you ship to Norway?")

    dan = _login(browser, app_server, "dan")
    ada = _login(browser, app_server, "admin")
    ada.click("#tab-all")
    _row(ada, first).filter(has_text="Waiting in queue").wait_for(timeout=15_000)

    # Dan comes online: the waiting enquiry is handed to him, both inboxes update live.
    dan.click("#presence-online")
    _row(dan, first).wait_for(timeout=15_000)
    _row(ada, first).filter(has_text="New").wait_for(timeout=15_000)
    assert dan.get_attribute("#tab-queue", "aria-selected") == "true"

    # A second visitor writes while both inboxes are open.
    second = _client_writes(app_server, engine, key, "visitor-b", "Is anyone there?")
    _row(dan, second).filter(has_text="Is anyone there?").wait_for(timeout=15_000)
    dan.screenshot(path=str(artifacts / "inbox-390x844.png"), full_page=True)
    assert dan.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # Dan answers the first; the supervisor's list and open conversation show it live.
    watching = ada.context.new_page()
    watching.goto(f"{app_server.url}/inbox/{first}")
    watching.locator("#chat-log").filter(has_text="Do you ship to Norway?").wait_for(timeout=30_000)
    _row(dan, first).locator("a").click()
    dan.locator("#composer").wait_for(timeout=30_000)
    dan.fill("#composer", "Yes, we ship to Norway.")
    dan.click("#send")
    dan.locator("#chat-log li[data-author=agent]").filter(has_text="Norway").wait_for()
    _row(ada, first).filter(has_text="Active").wait_for(timeout=15_000)
    watching.locator("#chat-log li[data-author=agent]").filter(has_text="Norway").wait_for()
    assert watching.inner_text("#chat-status") == "Active"
    assert "Agent: Yes, we ship to Norway." in _row(ada, first).inner_text()
    # The visitor's widget, on the other origin, shows the answer without reload.
    visitor.locator("#slotapp-chat-log").get_by_text("Yes, we ship to Norway.").wait_for(
        timeout=15_000
    )
    dan.screenshot(path=str(artifacts / "conversation-390x844.png"), full_page=True)
    assert dan.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # Dan leaves the second unanswered: after the idle time it goes on to Ben.
    queue = dan.context.new_page()
    queue.goto(app_server.url + "/inbox")
    queue.locator("#tab-queue").click(timeout=30_000)
    _row(queue, second).wait_for(timeout=30_000)
    with Session(serialized(engine), expire_on_commit=False) as session:
        ben = _user(session, "ben@example.com")
        agent_chat.set_presence(session=session, user=ben, now=utcnow(), online=True)
        session.commit()
    # Instead of waiting the idle time, the deadline is moved to now: the app's own timer
    # loop forwards it and refreshes the open tabs.
    with Session(engine) as session:
        session.exec(  # type: ignore[call-overload]
            update(ChatTimer)
            .where(ChatTimer.conversation_id == second, ChatTimer.kind == "forward")
            .values(due_at=utcnow())
        )
        session.commit()
    _row(queue, second).wait_for(state="detached", timeout=15_000)
    with Session(engine) as session:
        forwarded = session.get(Conversation, second)
        assert forwarded is not None
        assert forwarded.assigned_to == ben.id
