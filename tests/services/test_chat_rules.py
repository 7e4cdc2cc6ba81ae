"""Open Channels rules end to end on the database, one rule per row or test.

The pure routing table lives in tests/core/test_routing.py; these rows check that the
services feed it the right facts (presence, dismissals, departments, loads) and act on it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from slotapp.core.validation import InvalidInput
from slotapp.models import ChatStatus, Contact, EmailOutbox, PushOutbox, PushSubscription, User
from slotapp.services import agent_chat, channels, chat_automation, conversations
from slotapp.services.channels import QueueItem
from slotapp.services.chat_timer_rows import run_due
from tests.services.chat_helpers import client_writes, log, make_desk
from tests.services.helpers import make_user

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday


def _presence(session: Session, user: User, **values: bool) -> None:
    agent_chat.set_presence(session=session, user=user, now=NOW, **values)
    session.commit()


@pytest.mark.parametrize(
    ("first_agent", "expected"),
    [
        ({"online": False}, 1),  # offline, not clocked in: skipped
        ({"online": False, "clocked_in": True}, 0),  # clocked in counts as available
        ({"on_leave": True}, 1),  # on leave: skipped even when online
        ({}, 0),
    ],
)
def test_online_check_skips_unavailable_agents(
    session: Session, first_agent: dict[str, bool], expected: int
) -> None:
    desk = make_desk(session, NOW, distribution="in_order")
    _presence(session, desk.agents[0], **first_agent)
    conversation, _ = client_writes(session, desk, "Hi", NOW)
    assert conversation.assigned_to == desk.agents[expected].id


def test_without_online_check_offline_agents_are_offered_too(session: Session) -> None:
    desk = make_desk(session, NOW, online=False, distribution="in_order", check_online=False)
    conversation, _ = client_writes(session, desk, "Hi", NOW)
    assert conversation.assigned_to == desk.agents[0].id


def test_dismissed_agent_is_never_offered(session: Session) -> None:
    desk = make_desk(session, NOW, distribution="in_order", check_online=False)
    desk.agents[0].is_active = False
    session.add(desk.agents[0])
    session.commit()
    conversation, _ = client_writes(session, desk, "Hi", NOW)
    assert conversation.assigned_to == desk.agents[1].id


def test_department_in_queue_expands_to_its_members(session: Session) -> None:
    desk = make_desk(session, NOW, agents=0, distribution="in_order")
    nina = make_user(session, "Nina Support", role="agent")
    nina.department = "Support"
    session.add(nina)
    channels.set_queue(
        session=session, channel_id=desk.channel_id, items=[QueueItem(department="Support")]
    )
    _presence(session, nina, online=True)
    conversation, _ = client_writes(session, desk, "Hi", NOW)
    assert conversation.assigned_to == nina.id


@pytest.mark.parametrize(
    ("exclude", "mark", "second_assigned"),
    [
        ([], "replied", False),
        (["replied"], "replied", True),
        (["awaiting_client"], "replied", False),
        (["awaiting_client"], "awaiting_client", True),
        (["closing"], "closing", True),
        ([], "closing", False),
    ],
)
def test_limit_with_each_exclusion(
    session: Session, exclude: list[str], mark: str, second_assigned: bool
) -> None:
    desk = make_desk(
        session,
        NOW,
        agents=1,
        limit=1,
        limit_exclude=exclude,
        close_delay_minutes=30,
        distribution="in_order",
    )
    agent = desk.agents[0]
    first, _ = client_writes(session, desk, "One", NOW, "v1")
    agent_chat.reply(session=session, user=agent, conversation=first, text="Hi", now=NOW)
    if mark == "awaiting_client":
        agent_chat.wait_for_client(session=session, user=agent, conversation=first, now=NOW)
    if mark == "closing":
        agent_chat.close(session=session, conversation=first, by=agent, now=NOW)
    session.commit()
    second, _ = client_writes(session, desk, "Two", NOW, "v2")
    assert (second.assigned_to == agent.id) is second_assigned


def test_unavailable_responsible_person_falls_back_to_the_queue(session: Session) -> None:
    desk = make_desk(session, NOW, distribution="in_order")
    away = make_user(session, "Otto Away", role="employee")
    contact = Contact(email="c@example.org", responsible_id=away.id, visitor_hash="")
    session.add(contact)
    session.commit()
    conversation, _ = conversations.open_conversation(
        session=session, source_key=desk.widget_key, visitor_id="x", now=NOW
    )
    conversation.visitor_email = "c@example.org"
    conversations.client_message(session=session, conversation=conversation, text="Hi", now=NOW)
    session.commit()
    assert conversation.contact_id == contact.id
    assert conversation.assigned_to == desk.agents[0].id


def test_transfer_back_to_queue_offers_it_to_someone_else(session: Session) -> None:
    desk = make_desk(session, NOW, distribution="in_order")
    conversation, _ = client_writes(session, desk, "Hi", NOW)
    first = desk.agents[0]
    agent_chat.reply(session=session, user=first, conversation=conversation, text="Hi", now=NOW)
    agent_chat.transfer(
        session=session, user=first, conversation=conversation, to_user_id=None, now=NOW
    )
    session.commit()
    assert conversation.status == ChatStatus.OFFERED.value
    assert conversation.assigned_to == desk.agents[1].id


def test_canned_shortcut_expands_in_the_reply(session: Session) -> None:
    desk = make_desk(session, NOW)
    channels.save_canned(
        session=session, channel_id=desk.channel_id, shortcut="/hours", text="9 to 5."
    )
    conversation, _ = client_writes(session, desk, "When are you open?", NOW)
    agent_chat.reply(
        session=session, user=desk.agents[0], conversation=conversation, text="/hours", now=NOW
    )
    session.commit()
    assert log(session, conversation)[-1] == ("agent", "9 to 5.")


def test_kpi_alert_tells_the_chosen_employee_once(session: Session, engine: Engine) -> None:
    boss = make_user(session, "Sue Supervisor", role="admin")
    desk = make_desk(
        session,
        NOW,
        kpi_initial_minutes=5,
        idle_minutes=30,
        kpi_notify_user_id=boss.id,
        kpi_template="#OPERATOR# is late on #DIALOG#",
    )
    session.add(
        PushSubscription(user_id=boss.id or 0, endpoint="https://push.test/1", p256dh="k", auth="a")
    )
    session.commit()
    conversation, _ = client_writes(session, desk, "Hello?", NOW)
    assert run_due(engine=engine, now=NOW + timedelta(minutes=5), act=chat_automation.act) == 1
    assert run_due(engine=engine, now=NOW + timedelta(minutes=9), act=chat_automation.act) == 0
    session.rollback()
    mail = session.exec(select(EmailOutbox).where(EmailOutbox.to_addr == boss.email)).one()
    agent = desk.agents[0].name
    assert mail.body_text.startswith(f"{agent} is late on Conversation #{conversation.id}: ")
    assert mail.body_text.endswith(f"/inbox/{conversation.id}")
    pushes = session.exec(select(PushOutbox).where(PushOutbox.kind == "kpi_overdue")).all()
    assert len(pushes) == 1
    assert pushes[0].payload["url"].endswith(f"/inbox/{conversation.id}")


def test_new_enquiry_pushes_the_offered_agent_only(session: Session) -> None:
    desk = make_desk(session, NOW, distribution="in_order")
    for agent in desk.agents:
        session.add(
            PushSubscription(
                user_id=agent.id or 0,
                endpoint=f"https://push.test/{agent.id}",
                p256dh="k",
                auth="a",
            )
        )
    session.commit()
    conversation, _ = client_writes(session, desk, "Hi", NOW)
    rows = session.exec(select(PushOutbox)).all()
    assert [r.kind for r in rows] == ["enquiry_new"]
    subscription = session.get(PushSubscription, rows[0].subscription_id)
    assert subscription is not None and subscription.user_id == desk.agents[0].id
    # The payload carries one line and a link, not the client's message.
    payload: dict[str, Any] = rows[0].payload
    assert "Hi" not in str(payload.values())


def test_consent_required_refuses_messages_until_accepted(session: Session) -> None:
    desk = make_desk(session, NOW, consent_required=True)
    conversation, _ = conversations.open_conversation(
        session=session, source_key=desk.widget_key, visitor_id="v", now=NOW
    )
    with pytest.raises(InvalidInput) as refused:
        conversations.client_message(session=session, conversation=conversation, text="Hi", now=NOW)
    assert refused.value.field == "consent"
    conversations.give_consent(session=session, conversation=conversation, now=NOW)
    conversations.client_message(session=session, conversation=conversation, text="Hi", now=NOW)
    session.commit()
    assert conversation.consent_at == NOW


def test_greeting_and_contact_form_on_first_message_only(session: Session) -> None:
    desk = make_desk(session, NOW, greeting="Welcome!", contact_form=True)
    conversation, _ = client_writes(session, desk, "Hi", NOW)
    conversations.client_message(session=session, conversation=conversation, text="Again", now=NOW)
    session.commit()
    system = [t for a, t in log(session, conversation) if a == "system"]
    assert system[0] == "Welcome!"
    assert len(system) == 2 and "email or phone" in system[1]
