"""The widget's chat API (`/api/chat/v1`) over a test database: config, a visitor's
conversation with an agent, long-polls, forms, CORS, and every refusal as a problem."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from slotapp.models import ChatStatus, EmailOutbox, Lead
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
    open_chat,
    problem,
    write,
)
from tests.services.chat_helpers import Desk, make_desk

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def told() -> Told:
    return Told()


@pytest.fixture
def bus() -> ChatBus:
    return ChatBus()


@pytest.fixture
def app(engine: Engine, clock: Clock, told: Told, bus: ChatBus) -> FastAPI:
    return make_app(engine, clock, told, bus)


def desk_with(session: Session, **settings: Any) -> Desk:
    return make_desk(session, NOW, agents=1, distribution="in_order", **settings)


def retitle(session: Session, desk: Desk, title: str, active: bool = True) -> None:
    channel = channels.get_channel(session=session, channel_id=desk.channel_id)
    channels.update_channel(
        session=session,
        channel_id=desk.channel_id,
        name=channel.name,
        chat_title=title,
        active=active,
        settings=channel.settings,
    )
    session.commit()


async def test_config_gives_title_consent_forms_and_whether_open_now(
    app: FastAPI, session: Session, clock: Clock
) -> None:
    desk = desk_with(
        session, consent_required=True, consent_text="OK to store?", hours_enabled=True
    )
    async with client(app) as http:
        res = await http.get(f"{BASE}/widget/{desk.widget_key}/config")
        assert res.status_code == 200, res.text
        body = res.json()
        assert body["title"] == "Support"  # no chat title: the channel's name
        assert body["consent_required"] and body["consent_text"] == "OK to store?"
        assert body["contact_form"] is False and body["agent_info"] == "profile"
        assert body["open_now"] is True and body["log_by_email"] is True
        retitle(session, desk, "Ask us anything")
        clock.now = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)  # Saturday: closed
        body = (await http.get(f"{BASE}/widget/{desk.widget_key}/config")).json()
        assert body["title"] == "Ask us anything" and body["open_now"] is False


async def test_unknown_key_is_404_and_switched_off_channel_is_410(
    app: FastAPI, session: Session
) -> None:
    desk = desk_with(session)
    async with client(app) as http:
        problem(await http.get(f"{BASE}/widget/nope/config"), 404, "chat-not-found")
        key = await open_chat(http, desk.widget_key)
        retitle(session, desk, "", active=False)
        body = problem(
            await http.get(f"{BASE}/widget/{desk.widget_key}/config"), 410, "chat-unavailable"
        )
        assert "not available" in body["detail"]
        problem(await write(http, key, "Hello?"), 410, "chat-unavailable")
        res = await http.get(f"{BASE}/conversation", headers={"X-Chat-Key": "wrong-key"})
        problem(res, 404, "conversation-not-found")
        problem(await http.get(f"{BASE}/conversation"), 404, "conversation-not-found")


async def test_visitor_and_agent_round_trip_with_long_poll(
    app: FastAPI, session: Session, engine: Engine, told: Told, bus: ChatBus
) -> None:
    desk = desk_with(session, greeting="Hi! How can we help?")
    async with client(app) as http:
        key = await open_chat(http, desk.widget_key)
        headers = {"X-Chat-Key": key}
        res = await write(http, key, "Do you ship to Norway?", "m-1")
        assert res.status_code == 201 and res.json()["client_msg_id"] == "m-1"
        # The agents' inboxes were told, and the agent can read it.
        assert {"inbox:all", f"inbox:{desk.agents[0].id}"} <= told.topics()
        first = (await http.get(f"{BASE}/conversation", headers=headers)).json()
        assert [(m["author"], m["text"]) for m in first["messages"]] == [
            ("client", "Do you ship to Norway?"),
            ("system", "Hi! How can we help?"),
        ]
        assert first["messages"][0]["id"] == res.json()["id"]
        assert first["status"] == "offered" and first["agent_name"] is None
        last, state = first["messages"][-1]["id"], first["state"]
        conversation = latest_conversation(engine)
        assert conversation.id is not None

        # The visitor waits; the agent answers in this process and wakes the long-poll.
        async def agent_answers() -> None:
            await asyncio.sleep(0.3)
            change = await asyncio.to_thread(
                as_agent, engine, desk.agents[0].id or 0, conversation.id or 0, "reply",
                text="Yes, in 3 days.", now=NOW,
            )  # fmt: skip
            bus.wake_topics(change.topics)

        loop = asyncio.get_running_loop()
        started = loop.time()
        poll = http.get(
            f"{BASE}/conversation/events", params={"after": last, "state": state}, headers=headers
        )
        res, _ = await asyncio.gather(poll, agent_answers())
        assert loop.time() - started < 2.0  # not the 5 s timeout
        events = res.json()
        assert [(m["author"], m["text"], m["name"]) for m in events["messages"]] == [
            ("agent", "Yes, in 3 days.", "Agent0 Smith")
        ]
        assert events["status"] == "active" and events["agent_name"] == "Agent0 Smith"

        # A reply stored by another process wakes nobody here: the re-read finds it.
        last, state = events["messages"][-1]["id"], events["state"]

        async def other_process_answers() -> None:
            await asyncio.sleep(0.3)
            await asyncio.to_thread(
                as_agent, engine, desk.agents[0].id or 0, conversation.id or 0, "reply",
                text="Anything else?", now=NOW,
            )  # fmt: skip

        started = loop.time()
        poll = http.get(
            f"{BASE}/conversation/events", params={"after": last, "state": state}, headers=headers
        )
        res, _ = await asyncio.gather(poll, other_process_answers())
        assert loop.time() - started < 2.0
        assert [m["text"] for m in res.json()["messages"]] == ["Anything else?"]

        # Nothing new: the poll waits out `wait` and answers empty.
        res = await http.get(
            f"{BASE}/conversation/events",
            params={
                "after": res.json()["messages"][-1]["id"],
                "state": res.json()["state"],
                "wait": 0.5,
            },
            headers=headers,
        )
        assert res.status_code == 200 and res.json()["messages"] == []
        assert bus.waiting() == 0


async def test_resent_message_is_stored_once_and_conversation_resumes(
    app: FastAPI, session: Session
) -> None:
    desk = desk_with(session)
    async with client(app) as http:
        key = await open_chat(http, desk.widget_key)
        first = await write(http, key, "Once", "same-id")
        again = await write(http, key, "Once", "same-id")
        assert first.json()["id"] == again.json()["id"]
        log = (await http.get(f"{BASE}/conversation", headers={"X-Chat-Key": key})).json()
        assert [m["text"] for m in log["messages"] if m["author"] == "client"] == ["Once"]
        res = await http.post(
            f"{BASE}/widget/{desk.widget_key}/conversations",
            json={"visitor_id": "v-1", "client_key": key},
        )
        assert res.status_code == 200 and res.json()["client_key"] == key
        assert res.json()["conversation"]["messages"][0]["text"] == "Once"


@pytest.mark.parametrize(("mode", "shown"), [("channel", "Team Support"), ("hidden", None)])
async def test_agent_info_channel_entry_and_hidden(
    app: FastAPI, session: Session, engine: Engine, mode: str, shown: str | None
) -> None:
    desk = desk_with(session, agent_info=mode, agent_display_name="Team Support")
    async with client(app) as http:
        key = await open_chat(http, desk.widget_key)
        await write(http, key, "Hi")
        conversation = latest_conversation(engine)
        agent_id = desk.agents[0].id or 0
        as_agent(engine, agent_id, conversation.id or 0, "reply", text="Hello", now=NOW)
        body = (await http.get(f"{BASE}/conversation", headers={"X-Chat-Key": key})).json()
        assert body["agent_name"] == shown
        assert body["messages"][-1]["name"] == shown
        cfg = (await http.get(f"{BASE}/widget/{desk.widget_key}/config")).json()
        assert cfg["agent_info"] == mode


async def test_typing_both_ways(
    app: FastAPI, session: Session, engine: Engine, clock: Clock, told: Told
) -> None:
    desk = desk_with(session)
    async with client(app) as http:
        key = await open_chat(http, desk.widget_key)
        headers = {"X-Chat-Key": key}
        await write(http, key, "Hi")
        conversation = latest_conversation(engine)
        told.calls.clear()
        assert (await http.post(f"{BASE}/conversation/typing", headers=headers)).status_code == 204
        assert told.calls == [[f"chat:{conversation.id}"]]
        assert latest_conversation(engine).client_typing_at == NOW
        await http.post(f"{BASE}/conversation/typing", headers=headers)  # within 2 s: not stored
        assert len(told.calls) == 1

        state = (await http.get(f"{BASE}/conversation", headers=headers)).json()
        assert state["agent_typing"] is False
        as_agent(engine, desk.agents[0].id or 0, conversation.id or 0, "typing", now=NOW)
        res = await http.get(
            f"{BASE}/conversation/events",
            params={"after": state["messages"][-1]["id"], "state": state["state"]},
            headers=headers,
        )
        assert res.json()["agent_typing"] is True and res.json()["messages"] == []
        clock.now = NOW + timedelta(seconds=7)  # the flag fades
        body = (await http.get(f"{BASE}/conversation", headers=headers)).json()
        assert body["agent_typing"] is False


async def test_consent_is_required_before_writing(app: FastAPI, session: Session) -> None:
    desk = desk_with(session, consent_required=True)
    async with client(app) as http:
        key = await open_chat(http, desk.widget_key)
        problem(await write(http, key, "Hello"), 409, "consent-required", "consent")
        res = await http.post(f"{BASE}/conversation/consent", headers={"X-Chat-Key": key})
        assert res.status_code == 204
        assert (await write(http, key, "Hello")).status_code == 201
        body = (await http.get(f"{BASE}/conversation", headers={"X-Chat-Key": key})).json()
        assert body["consent_required"] and body["consent_given"]


async def test_contact_form_makes_a_lead(app: FastAPI, session: Session, engine: Engine) -> None:
    desk = desk_with(session, contact_form=True, auto_lead=True)
    async with client(app) as http:
        key = await open_chat(http, desk.widget_key)
        headers = {"X-Chat-Key": key}
        await write(http, key, "Call me back please")
        body = (await http.get(f"{BASE}/conversation", headers=headers)).json()
        assert any(m["extra"].get("form") == "contact" for m in body["messages"])
        assert body["contact_given"] is False
        res = await http.post(
            f"{BASE}/conversation/contact",
            json={"name": "Gina Guest", "email": "gina@example.org", "phone": ""},
            headers=headers,
        )
        assert res.status_code == 204, res.text
        assert (await http.get(f"{BASE}/conversation", headers=headers)).json()["contact_given"]
        session.rollback()  # a new read transaction sees the API's commits
        leads = session.exec(select(Lead)).all()
        assert len(leads) == 1 and leads[0].conversation_id == latest_conversation(engine).id
        bad = await http.post(
            f"{BASE}/conversation/contact", json={"email": "nope"}, headers=headers
        )
        problem(bad, 422, "invalid-input", "email")


async def test_rating_after_the_agent_closes(
    app: FastAPI, session: Session, engine: Engine
) -> None:
    desk = desk_with(session, rating=True, close_on_rating=True, close_delay_minutes=10)
    async with client(app) as http:
        key = await open_chat(http, desk.widget_key)
        headers = {"X-Chat-Key": key}
        await write(http, key, "Help")
        conversation = latest_conversation(engine)
        agent_id = desk.agents[0].id or 0
        too_early = await http.post(
            f"{BASE}/conversation/rating", json={"rating": 5}, headers=headers
        )
        problem(too_early, 422, "invalid-input", "rating")
        as_agent(engine, agent_id, conversation.id or 0, "reply", text="Fixed.", now=NOW)
        as_agent(engine, agent_id, conversation.id or 0, "close", now=NOW)
        body = (await http.get(f"{BASE}/conversation", headers=headers)).json()
        assert body["status"] == "closing" and body["can_rate"]
        assert body["messages"][-1]["extra"]["form"] == "rating"
        bad = await http.post(f"{BASE}/conversation/rating", json={"rating": 9}, headers=headers)
        problem(bad, 422, "invalid-input", "rating")
        res = await http.post(
            f"{BASE}/conversation/rating", json={"rating": 5, "comment": "Quick!"}, headers=headers
        )
        assert res.status_code == 204, res.text
        stored = latest_conversation(engine)
        assert stored.rating == 5 and stored.rating_comment == "Quick!"
        assert stored.status == ChatStatus.CLOSED.value  # closed on rating
        body = (await http.get(f"{BASE}/conversation", headers=headers)).json()
        assert body["can_rate"] is False and body["rating"] == 5
        problem(await write(http, key, "Hello again"), 409, "conversation-closed")
        # A closed conversation's key no longer resumes it: a new one opens.
        res = await http.post(
            f"{BASE}/widget/{desk.widget_key}/conversations",
            json={"visitor_id": "v-1", "client_key": key},
        )
        assert res.status_code == 201 and res.json()["client_key"] != key


async def test_log_by_email_in_the_channel_language(app: FastAPI, session: Session) -> None:
    desk = desk_with(session, language="de", greeting="Hallo!")
    async with client(app) as http:
        key = await open_chat(http, desk.widget_key)
        headers = {"X-Chat-Key": key}
        await write(http, key, "Wie lange dauert der Versand?")
        res = await http.post(
            f"{BASE}/conversation/log-email", json={"email": "Gina@Example.org"}, headers=headers
        )
        assert res.status_code == 202, res.text
        session.rollback()  # a new read transaction sees the API's commits
        mail = session.exec(select(EmailOutbox)).one()
        assert mail.to_addr == "gina@example.org"
        assert mail.subject == "Ihr Gespräch mit Support"
        assert "Sie: Wie lange dauert der Versand?" in mail.body_text
        assert "Support: Hallo!" in mail.body_text
        body = (await http.get(f"{BASE}/conversation", headers=headers)).json()
        assert body["messages"][-1]["extra"] == {"auto": "log_email"}
        for _ in range(2):
            await http.post(
                f"{BASE}/conversation/log-email", json={"email": "g@example.org"}, headers=headers
            )
        again = await http.post(
            f"{BASE}/conversation/log-email", json={"email": "g@example.org"}, headers=headers
        )
        problem(again, 422, "invalid-input", "email")  # three per conversation
        session.rollback()
        assert len(session.exec(select(EmailOutbox)).all()) == 3


async def test_log_by_email_refused_when_the_channel_keeps_no_log(
    app: FastAPI, session: Session
) -> None:
    desk = desk_with(session, log_by_email=False)
    async with client(app) as http:
        key = await open_chat(http, desk.widget_key)
        res = await http.post(
            f"{BASE}/conversation/log-email",
            json={"email": "g@example.org"},
            headers={"X-Chat-Key": key},
        )
        problem(res, 422, "invalid-input", "email")
        cfg = (await http.get(f"{BASE}/widget/{desk.widget_key}/config")).json()
        assert cfg["log_by_email"] is False


async def test_cors_is_open_to_any_site_without_credentials(app: FastAPI, session: Session) -> None:
    desk = desk_with(session)
    origin = {"Origin": "https://shop.example"}
    async with client(app) as http:
        res = await http.options(
            f"{BASE}/conversation/messages",
            headers={
                **origin,
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type,x-chat-key",
            },
        )
        assert res.status_code == 200
        assert res.headers["access-control-allow-origin"] == "*"
        assert "x-chat-key" in res.headers["access-control-allow-headers"].lower()
        assert "POST" in res.headers["access-control-allow-methods"]
        assert "access-control-allow-credentials" not in res.headers
        res = await http.get(f"{BASE}/widget/{desk.widget_key}/config", headers=origin)
        assert res.headers["access-control-allow-origin"] == "*"
        res = await http.get(f"{BASE}/conversation", headers={**origin, "X-Chat-Key": "x"})
        assert res.status_code == 404 and res.headers["access-control-allow-origin"] == "*"
        # Only the chat API is open: the booking API is not.
        res = await http.get("/api/v1/nothing", headers=origin)
        assert "access-control-allow-origin" not in res.headers


async def test_malformed_requests_are_problems_never_500(app: FastAPI, session: Session) -> None:
    desk = desk_with(session)
    async with client(app) as http:
        key = await open_chat(http, desk.widget_key)
        headers = {"X-Chat-Key": key}
        problem(await write(http, key, "   "), 422, "invalid-input", "text")
        problem(await write(http, key, "x" * 4001), 422, "invalid-input", "text")
        bad_id = await http.post(
            f"{BASE}/conversation/messages",
            json={"text": "hi", "client_msg_id": "<b>"},
            headers=headers,
        )
        problem(bad_id, 422, "invalid-input", "client_msg_id")
        res = await http.post(
            f"{BASE}/conversation/messages",
            content=b"{not json",
            headers={**headers, "Content-Type": "application/json"},
        )
        problem(res, 422, "invalid-input")
        res = await http.post(f"{BASE}/conversation/messages", json=["a"], headers=headers)
        problem(res, 422, "invalid-input")
        big = await http.post(
            f"{BASE}/conversation/messages", json={"text": "x" * 20000}, headers=headers
        )
        problem(big, 413, "about:blank")

        async def chunks() -> Any:  # a streamed body announces no length
            for _ in range(40):
                yield b" " * 1000

        streamed = await http.post(
            f"{BASE}/conversation/messages", content=chunks(), headers=headers
        )
        problem(streamed, 413, "about:blank")
        res = await http.get(f"{BASE}/conversation/events", params={"after": -1}, headers=headers)
        problem(res, 422, "invalid-input", "after")
        problem(await http.get(f"{BASE}/no/such/path"), 404, "about:blank")
        problem(await http.delete(f"{BASE}/conversation", headers=headers), 405, "about:blank")
        res = await http.post(
            f"{BASE}/widget/{desk.widget_key}/conversations", json={"visitor_id": 5}
        )
        problem(res, 422, "invalid-input", "visitor_id")


async def test_widget_script_and_openapi_are_served(app: FastAPI) -> None:
    async with client(app) as http:
        res = await http.get(f"{BASE}/widget.js")
        assert res.status_code == 200
        assert res.headers["content-type"].startswith("text/javascript")
        assert "data-channel" in res.text and "eval(" not in res.text
        paths = (await http.get(f"{BASE}/openapi.json")).json()["paths"]
        assert "/conversation/events" in paths and "/sources/{key}/messages" in paths


async def test_an_unexpected_failure_is_still_a_problem_with_cors(
    engine: Engine, clock: Clock, told: Told, bus: ChatBus
) -> None:
    def broken() -> Engine:
        raise RuntimeError("database away")

    app = make_app(engine, clock, told, bus)
    app_broken = make_app(engine, clock, told, bus, engine_factory=broken)
    async with client(app_broken) as http:
        res = await http.get(f"{BASE}/widget/any/config", headers={"Origin": "https://a.example"})
        problem(res, 500, "about:blank")
        assert res.headers["access-control-allow-origin"] == "*"
    async with client(app) as http:  # the healthy app is unaffected
        problem(await http.get(f"{BASE}/widget/any/config"), 404, "chat-not-found")
