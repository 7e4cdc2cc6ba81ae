"""The chat widget in Chromium on a shop page of another origin (strict CSP, hostile CSS),
against the chat API served by uvicorn (no Reflex build needed): a visitor writes, an agent's
reply and typing arrive live, the log survives a reload, contact form, rating, log by email."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from slotapp.api.chat import chat_routes
from slotapp.api.chat_context import ChatContext
from slotapp.api.v1 import build_api
from slotapp.clock import utcnow
from slotapp.models import EmailOutbox, Lead
from slotapp.services.chat_bus import bus
from tests.api.chat_client import as_agent, latest_conversation
from tests.services.chat_helpers import make_desk
from tests.widget_host import serve_asgi, widget_host

pytestmark = pytest.mark.e2e
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _agent(engine: Engine, agent_id: int, what: str, **kw: Any) -> None:
    conversation = latest_conversation(engine)
    change = as_agent(engine, agent_id, conversation.id or 0, what, now=utcnow(), **kw)
    bus.wake_topics(change.topics)  # as the inbox does after its commit


def _no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_widget_on_another_origin_round_trip(
    engine: Engine, session: Session, browser: Any, artifacts: Path
) -> None:
    desk = make_desk(
        session,
        utcnow(),
        agents=1,
        distribution="in_order",
        greeting="Hello! How can we help?",
        contact_form=True,
        close_delay_minutes=0,
    )
    agent_id = desk.agents[0].id or 0
    api = build_api(routes=chat_routes(context=ChatContext(engine_factory=lambda: engine)))
    with serve_asgi(api) as origin, widget_host(origin, desk.widget_key) as shop:
        context = browser.new_context(**PHONE)
        page = context.new_page()
        violations: list[str] = []
        page.on(
            "console",
            lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
        )
        page.goto(shop)
        launcher = page.locator("#slotapp-chat-open")
        launcher.wait_for()
        box = launcher.bounding_box()
        assert box is not None and box["width"] >= 48 and box["height"] >= 48
        assert "Support" in (launcher.get_attribute("aria-label") or "")
        page.screenshot(path=str(artifacts / "chat-widget-closed-390x844.png"))

        launcher.click()
        panel = page.locator("#slotapp-chat-panel")
        panel.wait_for()
        assert panel.bounding_box() == {"x": 0, "y": 0, "width": 390, "height": 844}
        page.fill("#slotapp-chat-text", "Do you ship to Norway?")
        page.press("#slotapp-chat-text", "Enter")
        log = page.locator("#slotapp-chat-log")
        log.get_by_text("Hello! How can we help?").wait_for(timeout=10_000)
        assert log.get_by_text("Do you ship to Norway?").count() == 1

        _agent(engine, agent_id, "typing")
        page.locator("#slotapp-chat-typing").get_by_text("is typing").wait_for(timeout=5_000)
        _agent(engine, agent_id, "reply", text="Yes, in 3 days. <b>bold?</b>")
        log.get_by_text("Yes, in 3 days. <b>bold?</b>").wait_for(timeout=5_000)  # text, not HTML
        assert page.locator("#slotapp-chat-log b").count() == 0
        page.locator("#slotapp-chat-title").get_by_text("Support").wait_for()
        assert _no_sideways_scroll(page)
        page.screenshot(path=str(artifacts / "chat-widget-open-390x844.png"))

        # The contact form the channel asked for.
        forms = page.locator("#slotapp-chat-forms")
        forms.locator("input[type=email]").fill("gina@example.org")
        forms.get_by_role("button").click()
        forms.locator("input[type=email]").wait_for(state="detached", timeout=5_000)
        session.rollback()
        assert len(session.exec(select(Lead)).all()) == 1

        # A reload keeps the conversation.
        page.reload()
        page.locator("#slotapp-chat-open").click()
        log.get_by_text("Yes, in 3 days. <b>bold?</b>").wait_for(timeout=5_000)
        assert log.get_by_text("Do you ship to Norway?").count() == 1

        # Closed: the rating form, then email me the log.
        _agent(engine, agent_id, "close")
        forms.get_by_role("button", name="5 stars").click(timeout=5_000)
        page.screenshot(path=str(artifacts / "chat-widget-rating-390x844.png"))
        forms.get_by_role("button", name="Send").click()
        page.locator("#slotapp-chat-notice").get_by_text("Thank you").wait_for(timeout=5_000)
        assert latest_conversation(engine).rating == 5
        page.locator("#slotapp-chat-footer summary").click()
        page.fill("#slotapp-chat-footer input[type=email]", "gina@example.org")
        page.locator("#slotapp-chat-footer").get_by_role("button", name="Send").click()
        log.get_by_text("The conversation log was sent to gina@example.org.").wait_for(
            timeout=5_000
        )
        session.rollback()
        assert session.exec(select(EmailOutbox.to_addr)).all() == ["gina@example.org"]

        # Escape closes the panel and gives focus back to the button.
        page.keyboard.press("Escape")
        panel.wait_for(state="hidden")
        assert violations == []
        context.close()

        desktop = browser.new_context(viewport={"width": 1280, "height": 800})
        page = desktop.new_page()
        page.goto(shop)
        page.locator("#slotapp-chat-open").click()
        page.locator("#slotapp-chat-panel").wait_for()
        box = page.locator("#slotapp-chat-panel").bounding_box()
        assert box is not None and box["width"] < 400
        page.screenshot(path=str(artifacts / "chat-widget-1280x800.png"))
        desktop.close()


def test_widget_asks_consent_first_and_says_when_away(
    engine: Engine, session: Session, browser: Any, artifacts: Path
) -> None:
    desk = make_desk(
        session,
        utcnow(),
        agents=1,
        consent_required=True,
        consent_text="We store your messages to answer you.",
        hours_enabled=True,
        weekly={},  # never open: the off-hours notice shows
        off_hours_reply="We are away until Monday.",
        language="de",
        greeting="",
    )
    api = build_api(routes=chat_routes(context=ChatContext(engine_factory=lambda: engine)))
    with serve_asgi(api) as origin, widget_host(origin, desk.widget_key) as shop:
        context = browser.new_context(**PHONE)
        page = context.new_page()
        page.goto(shop)
        page.locator("#slotapp-chat-open").click()
        page.locator("#slotapp-chat-notice").get_by_text("We are away until Monday.").wait_for()
        forms = page.locator("#slotapp-chat-forms")
        forms.get_by_text("We store your messages to answer you.").wait_for()
        assert page.locator("#slotapp-chat-text").is_disabled()
        assert page.locator("#slotapp-chat-text").get_attribute("placeholder") == (
            "Nachricht schreiben"
        )
        page.screenshot(path=str(artifacts / "chat-widget-consent-390x844.png"))
        forms.get_by_role("button", name="Ich stimme zu").click()
        expect(page.locator("#slotapp-chat-text")).to_be_enabled()
        page.fill("#slotapp-chat-text", "Hallo?")
        page.press("#slotapp-chat-text", "Enter")
        page.locator("#slotapp-chat-log").get_by_text("Hallo?").wait_for()
        page.locator("#slotapp-chat-log").get_by_text("We are away until Monday.").wait_for()
        assert latest_conversation(engine).consent_at is not None
        context.close()
