"""Open Channels services on a real database: routing, answers, forwarding, closing, timers."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from slotapp.core.validation import InvalidInput
from slotapp.db import serialized
from slotapp.models import ChatStatus, ChatTimer, Contact, Conversation, Lead
from slotapp.services import agent_chat, channels, chat_automation, conversations, crm
from slotapp.services.chat_timer_rows import run_due, timers_of
from tests.services.chat_helpers import client_writes, log, make_desk
from tests.services.helpers import make_user

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday


def test_evenly_offers_to_the_least_loaded_agent_and_forwards_after_idle(
    session: Session, engine: Engine
) -> None:
    desk = make_desk(session, NOW, distribution="evenly", idle_minutes=2)
    first, _ = client_writes(session, desk, "Hello?", NOW, "v1")
    second, _ = client_writes(session, desk, "Anyone?", NOW + timedelta(seconds=1), "v2")
    assert first.status == ChatStatus.OFFERED.value
    assert first.assigned_to == desk.agents[0].id
    assert second.assigned_to == desk.agents[1].id  # agent 0 already holds one
    assert timers_of(session=session, conversation_id=first.id or 0)["forward"] == NOW + timedelta(
        minutes=2
    )

    # Nobody answers: at the deadline the worker forwards it to the next free agent.
    acted = run_due(engine=engine, now=NOW + timedelta(minutes=2), act=chat_automation.act)
    assert acted == 1
    session.rollback()
    session.refresh(first)
    assert first.assigned_to == desk.agents[2].id
    assert set(first.tried) == {desk.agents[0].id, desk.agents[2].id}
    # A second pass at the same time finds nothing left to do: the deadline fired once.
    assert run_due(engine=engine, now=NOW + timedelta(minutes=2), act=chat_automation.act) == 0


def test_answer_takes_the_enquiry_and_clears_forwarding(session: Session, engine: Engine) -> None:
    desk = make_desk(session, NOW, distribution="in_order", client_timeout_minutes=30)
    conversation, _ = client_writes(session, desk, "Do you ship to Norway?", NOW)
    agent = desk.agents[0]
    agent_chat.reply(
        session=session, user=agent, conversation=conversation, text="Yes we do.", now=NOW
    )
    session.commit()
    assert conversation.status == ChatStatus.ACTIVE.value
    assert conversation.load == "replied"
    assert set(timers_of(session=session, conversation_id=conversation.id or 0)) == {
        "client_timeout"
    }
    assert log(session, conversation)[-2:] == [
        ("client", "Do you ship to Norway?"),
        ("agent", "Yes we do."),
    ]
    # Another agent cannot answer it.
    with pytest.raises(InvalidInput):
        agent_chat.reply(
            session=session, user=desk.agents[1], conversation=conversation, text="Hi", now=NOW
        )
    session.rollback()


def test_to_everybody_first_to_answer_takes_it_once(session: Session, engine: Engine) -> None:
    desk = make_desk(session, NOW, distribution="everybody")
    conversation, _ = client_writes(session, desk, "Hi all", NOW)
    assert conversation.offered_to == [a.id for a in desk.agents]
    assert conversation.assigned_to is None
    results: list[str] = []
    barrier = threading.Barrier(3)

    def answer(index: int) -> None:
        with Session(serialized(engine), expire_on_commit=False) as s:
            barrier.wait()
            user = s.get(type(desk.agents[index]), desk.agents[index].id)
            conv = s.get(Conversation, conversation.id)
            assert user is not None and conv is not None
            try:
                agent_chat.reply(session=s, user=user, conversation=conv, text="Mine", now=NOW)
                s.commit()
                results.append("won")
            except InvalidInput:
                s.rollback()
                results.append("lost")

    threads = [threading.Thread(target=answer, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["lost", "lost", "won"]
    session.rollback()
    session.refresh(conversation)
    assert [a for a, _ in log(session, conversation)].count("agent") == 1


def test_nobody_online_waits_with_off_hours_reply_then_goes_to_who_comes_online(
    session: Session,
) -> None:
    desk = make_desk(session, NOW, online=False, off_hours_reply="We are away.")
    conversation, _ = client_writes(session, desk, "Hello", NOW)
    assert conversation.status == ChatStatus.WAITING.value
    assert ("system", "We are away.") in log(session, conversation)
    agent_chat.set_presence(session=session, user=desk.agents[1], now=NOW, online=True)
    session.commit()
    session.refresh(conversation)
    assert conversation.status == ChatStatus.OFFERED.value
    assert conversation.assigned_to == desk.agents[1].id


def test_limit_counts_only_enquiries_not_excluded(session: Session) -> None:
    desk = make_desk(
        session, NOW, agents=1, limit=1, limit_exclude=["replied"], distribution="in_order"
    )
    agent = desk.agents[0]
    first, _ = client_writes(session, desk, "One", NOW, "v1")
    second, _ = client_writes(session, desk, "Two", NOW, "v2")
    assert first.assigned_to == agent.id
    assert second.status == ChatStatus.WAITING.value  # agent at the limit
    # Once the agent has replied, the first one no longer counts: a third can come in.
    agent_chat.reply(session=session, user=agent, conversation=first, text="Hi", now=NOW)
    session.commit()
    third, _ = client_writes(session, desk, "Three", NOW, "v3")
    assert third.assigned_to == agent.id


def test_recognised_client_goes_to_responsible_person_outside_the_queue(
    session: Session,
) -> None:
    desk = make_desk(session, NOW, distribution="in_order")
    boss = make_user(session, "Rita Responsible", role="employee")
    agent_chat.set_presence(session=session, user=boss, now=NOW, online=True)
    conversation, _ = client_writes(session, desk, "Hi", NOW, "returning-visitor")
    conversations.set_contact(
        session=session,
        conversation=conversation,
        name="Carla Client",
        email="carla@example.org",
        phone="",
        now=NOW,
    )
    contact = session.exec(select(Contact)).one()
    contact.responsible_id = boss.id
    session.add(contact)
    session.commit()
    later, _ = client_writes(
        session, desk, "Me again", NOW + timedelta(days=1), "returning-visitor"
    )
    assert later.contact_id == contact.id
    assert later.assigned_to == boss.id


def test_transfer_makes_new_agent_responsible_for_the_lead(session: Session) -> None:
    desk = make_desk(session, NOW, distribution="in_order")
    conversation, _ = client_writes(session, desk, "Price?", NOW)
    a, b = desk.agents[0], desk.agents[1]
    agent_chat.reply(session=session, user=a, conversation=conversation, text="Hi", now=NOW)
    conversations.set_contact(
        session=session,
        conversation=conversation,
        name="Lou",
        email="lou@example.org",
        phone="",
        now=NOW,
    )
    lead = session.exec(select(Lead)).one()
    assert lead.responsible_id == a.id
    agent_chat.transfer(
        session=session, user=a, conversation=conversation, to_user_id=b.id, now=NOW
    )
    session.commit()
    session.refresh(lead)
    assert conversation.assigned_to == b.id
    assert lead.responsible_id == b.id
    assert crm.profile(session=session, conversation=conversation).leads[0].id == lead.id


def test_no_lead_without_a_way_to_reach_the_client(session: Session) -> None:
    desk = make_desk(session, NOW)
    conversation, _ = client_writes(session, desk, "Hi", NOW)
    with pytest.raises(InvalidInput):
        crm.make_lead(session=session, conversation=conversation, responsible_id=None, now=NOW)


def test_close_with_delay_reopens_on_new_message_then_closes_and_takes_rating(
    session: Session, engine: Engine
) -> None:
    desk = make_desk(session, NOW, close_delay_minutes=10, close_on_rating=True)
    conversation, _ = client_writes(session, desk, "Help", NOW)
    agent = desk.agents[0]
    agent_chat.reply(session=session, user=agent, conversation=conversation, text="Done", now=NOW)
    agent_chat.close(session=session, conversation=conversation, by=agent, now=NOW)
    session.commit()
    assert conversation.status == ChatStatus.CLOSING.value
    conversations.client_message(
        session=session, conversation=conversation, text="One more thing", now=NOW
    )
    session.commit()
    assert conversation.status == ChatStatus.ACTIVE.value
    agent_chat.close(session=session, conversation=conversation, by=agent, now=NOW)
    session.commit()
    conversations.rate(
        session=session, conversation=conversation, rating=5, comment="Great", now=NOW
    )
    session.commit()
    assert conversation.status == ChatStatus.CLOSED.value
    assert conversation.rating == 5 and conversation.rated_agent_id == agent.id
    assert session.exec(select(ChatTimer)).all() == []


def test_client_timeout_closes_silently_when_no_message_set(
    session: Session, engine: Engine
) -> None:
    desk = make_desk(session, NOW, client_timeout_minutes=15, timeout_message="", rating=False)
    conversation, _ = client_writes(session, desk, "Hi", NOW)
    agent = desk.agents[0]
    agent_chat.reply(session=session, user=agent, conversation=conversation, text="Hi!", now=NOW)
    session.commit()
    assert run_due(engine=engine, now=NOW + timedelta(minutes=14), act=chat_automation.act) == 0
    assert run_due(engine=engine, now=NOW + timedelta(minutes=15), act=chat_automation.act) == 1
    session.rollback()
    session.refresh(conversation)
    assert conversation.status == ChatStatus.CLOSED.value
    assert log(session, conversation)[-1] == ("agent", "Hi!")


def test_unanswered_mark_and_auto_reply(session: Session, engine: Engine) -> None:
    desk = make_desk(session, NOW, unanswered_minutes=5, unanswered_reply="Still looking.")
    conversation, _ = client_writes(session, desk, "Hello?", NOW)
    run_due(engine=engine, now=NOW + timedelta(minutes=5), act=chat_automation.act)
    session.rollback()
    session.refresh(conversation)
    assert conversation.unanswered_marked_at == NOW + timedelta(minutes=5)
    assert log(session, conversation)[-1] == ("system", "Still looking.")


def test_bot_answers_from_faq_then_hands_over_on_request(session: Session) -> None:
    desk = make_desk(
        session,
        NOW,
        bot_first=True,
        faqs=[{"question": "What are your opening hours?", "answer": "9 to 5, Mon-Fri."}],
    )
    conversation, _ = client_writes(session, desk, "what are your opening hours", NOW)
    assert conversation.status == ChatStatus.BOT.value
    assert log(session, conversation)[-1] == ("bot", "9 to 5, Mon-Fri.")
    conversations.client_message(
        session=session, conversation=conversation, text="I want a human", now=NOW
    )
    session.commit()
    assert conversation.status == ChatStatus.OFFERED.value


def test_resent_client_message_is_stored_once(session: Session) -> None:
    desk = make_desk(session, NOW)
    conversation, _ = conversations.open_conversation(
        session=session, source_key=desk.widget_key, visitor_id="v", now=NOW
    )
    for _ in range(2):
        conversations.client_message(
            session=session, conversation=conversation, text="Once", now=NOW, client_msg_id="m1"
        )
    session.commit()
    assert [t for a, t in log(session, conversation) if a == "client"] == ["Once"]


def test_switched_off_channel_refuses_the_widget(session: Session) -> None:
    desk = make_desk(session, NOW)
    channel = channels.get_channel(session=session, channel_id=desk.channel_id)
    channels.update_channel(
        session=session,
        channel_id=desk.channel_id,
        name=channel.name,
        chat_title="",
        active=False,
        settings=channel.settings,
    )
    session.commit()
    with pytest.raises(InvalidInput):
        conversations.open_conversation(
            session=session, source_key=desk.widget_key, visitor_id="v", now=NOW
        )


def test_off_hours_waits_until_opening(session: Session, engine: Engine) -> None:
    saturday = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
    desk = make_desk(session, saturday, hours_enabled=True, time_zone="Europe/Berlin")
    conversation, _ = client_writes(session, desk, "Weekend question", saturday)
    assert conversation.status == ChatStatus.WAITING.value
    opening = timers_of(session=session, conversation_id=conversation.id or 0)["opening"]
    assert opening == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin
    run_due(engine=engine, now=opening, act=chat_automation.act)
    session.rollback()
    session.refresh(conversation)
    assert conversation.status == ChatStatus.OFFERED.value
