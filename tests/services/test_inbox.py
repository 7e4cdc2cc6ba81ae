"""The inbox read models: tab contents per role, KPI numbers, the conversation view, access."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from slotapp.core.validation import InvalidInput
from slotapp.models import AvailabilitySettings, ChatBookingLink, ChatMessage, Meeting, User
from slotapp.services import agent_chat, conversations, inbox, inbox_kpi, inbox_view
from slotapp.services.inbox import Tab
from tests.services.chat_helpers import Desk, client_writes, make_desk
from tests.services.helpers import SECRET, make_user

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday, inside the default hours


def _ids(session: Session, user: User, tab: Tab) -> list[int]:
    return [r.id for r in inbox.rows(session=session, user=user, tab=tab, now=NOW)]


def _desk(session: Session, **settings: object) -> tuple[Desk, User, User]:
    desk = make_desk(session, NOW, agents=2, distribution="in_order", **settings)
    boss = make_user(session, "Sue Supervisor", role="admin")
    outsider = make_user(session, "Otto Outside", role="agent")
    return desk, boss, outsider


def test_tabs_hold_mine_queue_and_all_per_role(session: Session) -> None:
    desk, boss, outsider = _desk(session)
    first, second = desk.agents
    offered, _ = client_writes(session, desk, "Hello", NOW, "v1")
    assert offered.assigned_to == first.id  # in order: offered to the first agent alone
    assert _ids(session, first, Tab.QUEUE) == [offered.id]
    assert _ids(session, second, Tab.QUEUE) == []
    assert _ids(session, first, Tab.MINE) == []

    agent_chat.reply(session=session, user=first, conversation=offered, text="Hi!", now=NOW)
    for agent in desk.agents:
        agent_chat.set_presence(session=session, user=agent, now=NOW, online=False)
    session.commit()
    waiting, _ = client_writes(session, desk, "Anyone?", NOW + timedelta(minutes=1), "v2")
    assert waiting.status == "waiting"

    assert _ids(session, first, Tab.MINE) == [offered.id]
    assert _ids(session, first, Tab.QUEUE) == [waiting.id]
    assert _ids(session, second, Tab.QUEUE) == [waiting.id]  # the queue holds both agents
    assert _ids(session, outsider, Tab.QUEUE) == []
    assert set(_ids(session, boss, Tab.ALL)) == {offered.id, waiting.id}
    with pytest.raises(InvalidInput):
        inbox.rows(session=session, user=first, tab=Tab.ALL, now=NOW)
    assert inbox.counts(session=session, user=first) == {"mine": 1, "queue": 1}
    assert inbox.counts(session=session, user=boss) == {"mine": 0, "queue": 0, "all": 2}

    row = inbox.rows(session=session, user=first, tab=Tab.QUEUE, now=NOW + timedelta(minutes=5))
    assert (row[0].client, row[0].channel, row[0].status) == (
        f"Visitor #{waiting.id}",
        "Support",
        "Waiting in queue",
    )
    assert row[0].waiting == "4 min"
    assert row[0].preview == "Anyone?"  # not the automatic "nobody is available" reply
    mine = inbox.rows(session=session, user=first, tab=Tab.MINE, now=NOW)[0]
    assert (mine.preview, mine.status, mine.waiting) == ("You: Hi!", "Active", "")


def test_kpi_columns_and_agent_summary_on_a_known_timeline(session: Session) -> None:
    desk, boss, _ = _desk(session, close_delay_minutes=0)
    agent = desk.agents[0]
    chat, _ = client_writes(session, desk, "Question one", NOW)

    def answer(text: str, seconds: int) -> None:
        at = NOW + timedelta(seconds=seconds)
        agent_chat.reply(session=session, user=agent, conversation=chat, text=text, now=at)

    answer("Answer one", 30)
    conversations.client_message(
        session=session, conversation=chat, text="Question two", now=NOW + timedelta(seconds=60)
    )
    answer("Answer two", 180)
    agent_chat.close(session=session, conversation=chat, by=agent, now=NOW + timedelta(minutes=4))
    conversations.rate(session=session, conversation=chat, rating=4, comment="", now=NOW)
    agent_chat.supervisor_rate(session=session, user=boss, conversation=chat, rating=5)
    session.commit()

    [row] = inbox.rows(session=session, user=agent, tab=Tab.MINE, now=NOW, kpi=True)
    assert row.kpi == inbox_kpi.Kpi(
        initial="30 s", total="2 min 30 s", average="1 min 15 s", maximum="2 min"
    )
    assert row.status == "Closed"
    [summary] = inbox_kpi.agent_summary(session=session, since=NOW - timedelta(days=30))
    assert summary == inbox_kpi.AgentRow(
        user_id=agent.id or 0,
        name=agent.name,
        answers=2,
        average="1 min 15 s",
        maximum="2 min",
        initial="30 s",
        client_rating="4.0 (1)",
        supervisor_rating="5.0 (1)",
    )


def test_conversation_view_is_refused_to_an_agent_outside_the_queue(session: Session) -> None:
    desk, boss, outsider = _desk(session)
    chat, _ = client_writes(session, desk, "My secret order number is 42", NOW)
    assert chat.id is not None
    with pytest.raises(InvalidInput) as refused:
        inbox_view.view(session=session, user=outsider, conversation_id=chat.id, now=NOW)
    assert "42" not in refused.value.message
    with pytest.raises(InvalidInput):
        inbox_view.view(session=session, user=outsider, conversation_id=9999, now=NOW)
    seen = inbox_view.view(session=session, user=boss, conversation_id=chat.id, now=NOW)
    assert [b.text for b in seen.messages] == ["My secret order number is 42"]


def test_view_flags_typing_and_profile(session: Session) -> None:
    desk, _, _ = _desk(session)
    first, second = desk.agents
    chat, _ = client_writes(session, desk, "Hello", NOW)
    assert chat.id is not None
    agent_chat.typing(session=session, conversation=chat, agent=False, now=NOW)
    session.commit()

    mine = inbox_view.view(
        session=session, user=first, conversation_id=chat.id, now=NOW + timedelta(seconds=3)
    )
    assert (mine.can_take, mine.can_reply, mine.can_manage, mine.typing) == (
        True,
        True,
        True,
        True,
    )
    assert mine.messages[0].who == f"Visitor #{chat.id}"
    assert mine.messages[0].at == "11:00"  # Berlin
    assert (second.id, second.name) in mine.colleagues
    later = inbox_view.view(
        session=session, user=first, conversation_id=chat.id, now=NOW + timedelta(seconds=8)
    )
    assert not later.typing
    # The second agent's channel holds them, but the enquiry is offered to the first.
    theirs = inbox_view.view(session=session, user=second, conversation_id=chat.id, now=NOW)
    assert (theirs.can_take, theirs.can_reply, theirs.can_manage) == (False, False, False)
    assert theirs.profile.dialogs == [(chat.id, "23 Nov 2026", "New")]


def test_booking_link_is_sent_and_its_meeting_shows_on_the_profile(session: Session) -> None:
    desk, _, _ = _desk(session)
    agent = desk.agents[0]
    chat, _ = client_writes(session, desk, "Can we meet?", NOW)
    change = inbox_view.send_booking_link(
        session=session,
        user=agent,
        conversation=chat,
        secret=SECRET,
        base_url="https://slots.example/",
        now=NOW,
    )
    session.commit()
    assert f"chat:{chat.id}" in change.topics
    assert chat.status == "active"  # sending it answers (and takes) the enquiry
    sent = session.exec(select(ChatMessage).where(ChatMessage.agent_id == agent.id)).one()
    assert sent.text.startswith("Pick a time for a meeting with me: https://slots.example/book/")
    assert sent.extra["booking_url"] in sent.text
    link = session.exec(select(ChatBookingLink)).one()
    session.add(
        Meeting(
            title="Intro call",
            start_at=NOW + timedelta(days=1),
            end_at=NOW + timedelta(days=1, minutes=30),
            source_link_id=link.link_id,
        )
    )
    session.commit()
    assert chat.id is not None
    seen = inbox_view.view(session=session, user=agent, conversation_id=chat.id, now=NOW)
    assert seen.profile.meetings == [("Intro call", "Tue 24 Nov 2026, 11:00")]


def test_booking_link_refused_when_the_agent_has_no_free_time(session: Session) -> None:
    desk, _, _ = _desk(session)
    agent = desk.agents[0]
    assert agent.id is not None
    hours = session.get(AvailabilitySettings, agent.id) or AvailabilitySettings(user_id=agent.id)
    hours.weekly_hours = {}
    session.add(hours)
    session.commit()
    chat, _ = client_writes(session, desk, "Can we meet?", NOW)
    with pytest.raises(InvalidInput) as refused:
        inbox_view.send_booking_link(
            session=session, user=agent, conversation=chat, secret=SECRET, base_url="", now=NOW
        )
    assert "no open times" in refused.value.message
    session.rollback()
    assert session.exec(select(ChatBookingLink)).all() == []


def test_coming_online_hands_waiting_enquiries_and_names_their_topics(session: Session) -> None:
    desk, _, _ = _desk(session, online=False)
    agent = desk.agents[0]
    for person in desk.agents:
        agent_chat.set_presence(session=session, user=person, now=NOW, online=False)
    chat, _ = client_writes(session, desk, "Hello?", NOW)
    assert chat.status == "waiting"
    changed = inbox.set_presence(session=session, user=agent, now=NOW, online=True)
    session.commit()
    assert {f"chat:{chat.id}", f"inbox:{agent.id}", "inbox:all"} <= changed
    assert inbox.presence(session=session, user_id=agent.id or 0).online
    assert _ids(session, agent, Tab.QUEUE) == [chat.id]
