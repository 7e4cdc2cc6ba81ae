"""Webhook sources of the chat API: an integration posts its clients' messages with the
source's secret and polls for the agents' replies."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from slotapp.models import ChatMessage, ChatStatus, Conversation
from slotapp.services import channels
from slotapp.services.chat_bus import ChatBus
from tests.api.chat_client import (
    BASE,
    NOW,
    Clock,
    Told,
    as_agent,
    client,
    latest_conversation,
    make_app,
    problem,
)
from tests.services.chat_helpers import Desk, make_desk

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def told() -> Told:
    return Told()


@pytest.fixture
def app(engine: Engine, told: Told) -> FastAPI:
    return make_app(engine, Clock(), told, ChatBus())


def webhook(session: Session, desk: Desk) -> tuple[str, str]:
    source, secret = channels.create_webhook_source(session=session, name="Messenger", now=NOW)
    channels.connect_source(session=session, source_id=source.id or 0, channel_id=desk.channel_id)
    session.commit()
    return source.key, secret


async def test_messages_land_once_per_message_id_and_replies_can_be_fetched(
    app: FastAPI, session: Session, engine: Engine, told: Told
) -> None:
    desk = make_desk(session, NOW, agents=1, distribution="in_order", greeting="Hello!")
    key, secret = webhook(session, desk)
    url, auth = f"{BASE}/sources/{key}/messages", {"X-Source-Secret": secret}
    body = {"chat_id": "tg-42", "text": "Is the shop open on Sunday?", "message_id": "tg-m-1"}
    async with client(app) as http:
        res = await http.post(
            url, json={**body, "name": "Tom", "email": "tom@example.org"}, headers=auth
        )
        assert res.status_code == 201, res.text
        assert res.json() == {"stored": True, "status": "offered"}
        assert f"inbox:{desk.agents[0].id}" in told.topics()
        again = await http.post(url, json=body, headers=auth)
        assert again.status_code == 200 and again.json()["stored"] is False
        second = await http.post(
            url, json={**body, "message_id": "tg-m-2", "text": "Hello?"}, headers=auth
        )
        assert second.status_code == 201
        conversation = latest_conversation(engine)
        assert (
            conversation.visitor_email == "tom@example.org" and conversation.visitor_name == "Tom"
        )
        texts = session.exec(
            select(ChatMessage.text).where(
                ChatMessage.conversation_id == conversation.id, ChatMessage.author == "client"
            )
        ).all()
        assert texts == ["Is the shop open on Sunday?", "Hello?"]
        assert len(session.exec(select(Conversation)).all()) == 1  # one per chat id

        agent = desk.agents[0].id or 0
        as_agent(engine, agent, conversation.id or 0, "reply", text="Yes, 10 to 4.", now=NOW)
        replies_url = f"{BASE}/sources/{key}/chats/tg-42/messages"
        res = await http.get(replies_url, headers=auth)
        assert res.status_code == 200, res.text
        got = res.json()
        assert got["status"] == "active"
        assert [(m["author"], m["text"]) for m in got["messages"]] == [
            ("system", "Hello!"),
            ("agent", "Yes, 10 to 4."),
        ]
        last = got["messages"][-1]["id"]
        assert (await http.get(replies_url, params={"after": last}, headers=auth)).json()[
            "messages"
        ] == []
        other = await http.get(f"{BASE}/sources/{key}/chats/other/messages", headers=auth)
        assert other.json() == {"status": None, "messages": []}

        # Once fully closed, the chat's next message opens a new conversation.
        as_agent(engine, agent, conversation.id or 0, "close", now=NOW)
        assert latest_conversation(engine).status == ChatStatus.CLOSED.value
        res = await http.post(
            url, json={**body, "message_id": "tg-m-3", "text": "Me again"}, headers=auth
        )
        assert res.status_code == 201
        newer = latest_conversation(engine)
        assert newer.id != conversation.id and newer.contact_id == conversation.contact_id
        assert (await http.post(url, json=body, headers=auth)).json()["stored"] is False


async def test_wrong_or_missing_secret_and_unknown_source(app: FastAPI, session: Session) -> None:
    desk = make_desk(session, NOW, agents=1)
    key, secret = webhook(session, desk)
    body = {"chat_id": "c1", "text": "Hi"}
    async with client(app) as http:
        url = f"{BASE}/sources/{key}/messages"
        problem(
            await http.post(url, json=body, headers={"X-Source-Secret": secret + "x"}),
            401,
            "wrong-secret",
        )
        problem(await http.post(url, json=body), 401, "wrong-secret")
        problem(await http.get(f"{BASE}/sources/{key}/chats/c1/messages"), 401, "wrong-secret")
        res = await http.post(
            f"{BASE}/sources/nope/messages", json=body, headers={"X-Source-Secret": secret}
        )
        problem(res, 404, "source-not-found")
        # The widget's key is no webhook source, whatever the secret.
        res = await http.post(
            f"{BASE}/sources/{desk.widget_key}/messages", json=body, headers={"X-Source-Secret": ""}
        )
        problem(res, 404, "source-not-found")
        res = await http.post(
            url, json={"chat_id": "", "text": "Hi"}, headers={"X-Source-Secret": secret}
        )
        problem(res, 422, "invalid-input", "chat_id")
        assert session.exec(select(Conversation)).all() == []


async def test_disconnected_source_is_gone_and_consent_travels_with_the_message(
    app: FastAPI, session: Session
) -> None:
    desk = make_desk(session, NOW, agents=1, consent_required=True)
    key, secret = webhook(session, desk)
    url, auth = f"{BASE}/sources/{key}/messages", {"X-Source-Secret": secret}
    async with client(app) as http:
        res = await http.post(url, json={"chat_id": "c1", "text": "Hi"}, headers=auth)
        problem(res, 409, "consent-required", "consent")
        res = await http.post(
            url, json={"chat_id": "c1", "text": "Hi", "consent": True}, headers=auth
        )
        assert res.status_code == 201, res.text
        source = next(s for s in channels.sources(session=session) if s.key == key)
        channels.disconnect_source(session=session, source_id=source.id or 0)
        session.commit()
        res = await http.post(url, json={"chat_id": "c1", "text": "Hi"}, headers=auth)
        problem(res, 410, "chat-unavailable")
