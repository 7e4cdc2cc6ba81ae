"""Builders for the chat API tests: the app over a test database, a visitor, an agent."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from slotapp.api.chat import chat_routes
from slotapp.api.chat_context import ChatContext
from slotapp.api.v1 import build_api
from slotapp.db import serialized, session_scope
from slotapp.models import Conversation, User
from slotapp.services import agent_chat
from slotapp.services.chat_bus import ChatBus
from slotapp.services.conversations import Change

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday
BASE = "/api/chat/v1"
SERVER_SECRET = b"k" * 32
PROBLEM = "application/problem+json"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Told:
    """What `on_chat` heard: each call's topics, and the loop time of each."""

    calls: list[list[str]] = field(default_factory=list)
    times: list[float] = field(default_factory=list)

    def __call__(self, topics: Iterable[str]) -> None:
        self.calls.append(list(topics))
        self.times.append(asyncio.get_running_loop().time())

    def topics(self) -> set[str]:
        return {t for call in self.calls for t in call}


def make_app(engine: Engine, clock: Clock, told: Told, bus: ChatBus, **kw: Any) -> FastAPI:
    options: dict[str, Any] = {
        "engine_factory": lambda: engine,
        "poll_seconds": 5.0,
        "recheck_seconds": 0.2,
        **kw,
    }
    context = ChatContext(
        clock=clock, on_chat=told, secret_factory=lambda: SERVER_SECRET, bus=bus, **options
    )
    return build_api(
        routes=chat_routes(context=context), engine_factory=lambda: engine, clock=clock
    )


def client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://slotapp.test")


async def open_chat(http: httpx.AsyncClient, widget_key: str, visitor: str = "v-1") -> str:
    res = await http.post(f"{BASE}/widget/{widget_key}/conversations", json={"visitor_id": visitor})
    assert res.status_code == 201, res.text
    key: str = res.json()["client_key"]
    return key


async def write(http: httpx.AsyncClient, key: str, text: str, msg_id: str = "") -> httpx.Response:
    body = {"text": text, **({"client_msg_id": msg_id} if msg_id else {})}
    return await http.post(f"{BASE}/conversation/messages", json=body, headers={"X-Chat-Key": key})


def latest_conversation(engine: Engine) -> Conversation:
    with Session(engine, expire_on_commit=False) as session:
        found = session.exec(select(Conversation).order_by(col(Conversation.id).desc())).first()
    assert found is not None
    return found


def as_agent(engine: Engine, user_id: int, conversation_id: int, what: str, **kw: Any) -> Change:
    """An agent's action (`agent_chat.<what>`) in its own committed transaction."""
    with session_scope(serialized(engine)) as session:
        user = session.get(User, user_id)
        conversation = session.get(Conversation, conversation_id)
        assert user is not None and conversation is not None
        if what == "close":
            return agent_chat.close(session=session, conversation=conversation, by=user, **kw)
        if what == "typing":
            agent_chat.typing(session=session, conversation=conversation, agent=True, **kw)
            return Change(conversation, {f"chat:{conversation_id}"})
        action = getattr(agent_chat, what)
        result: Change = action(session=session, user=user, conversation=conversation, **kw)
        return result


def problem(res: httpx.Response, status: int, kind: str, field: str | None = None) -> Any:
    assert res.status_code == status, res.text
    assert res.headers["content-type"] == PROBLEM
    body = res.json()
    assert body["type"].endswith("/" + kind) or (kind == "about:blank" and body["type"] == kind)
    assert body["status"] == status and body["detail"]
    if field is not None:
        assert body.get("field") == field, body
    return body
