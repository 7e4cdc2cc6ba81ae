"""What happens on its own: greeting, bot, routing, off-hours reply, and every deadline.

`after_client_message` runs in the transaction that stores a client's message; `act` runs
in the transaction that takes a due timer (see `chat_timer_rows.run_due`). Both only
touch the session; pushes and emails are queued rows, sent later by their workers.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session, select

from slotapp.core.channel_settings import ChannelSettings, hours_of
from slotapp.core.chat_bot import bot_reply
from slotapp.core.kpi import render_alert
from slotapp.core.push import PushKind
from slotapp.core.working_hours import is_open, next_opening
from slotapp.models import (
    Channel,
    ChatMessage,
    ChatStatus,
    ChatTimer,
    Conversation,
    MessageAuthor,
    User,
)
from slotapp.services import chat_routing, push
from slotapp.services.channels import settings_of
from slotapp.services.chat_log import post
from slotapp.services.chat_timer_rows import clear_timers, set_timer, sync_timers
from slotapp.services.mailer import queue_email
from slotapp.settings import get_settings

HANDOVER = "I am passing you to a colleague, one moment please."


def conversation_url(conversation_id: int | None) -> str:
    """Where an agent opens the conversation."""
    return f"{get_settings().base_url.rstrip('/')}/inbox/{conversation_id}"


def say(
    session: Session, conversation: Conversation, text: str, now: datetime, **extra: str
) -> None:
    """A message from the channel (system) unless `text` is empty."""
    if not text:
        return
    post(
        session=session,
        conversation=conversation,
        author=MessageAuthor.SYSTEM,
        text=text,
        now=now,
        extra=dict(extra),
    )


def _said(session: Session, conversation: Conversation, auto: str) -> bool:
    rows = session.exec(
        select(ChatMessage.extra).where(
            ChatMessage.conversation_id == conversation.id,
            ChatMessage.author == MessageAuthor.SYSTEM.value,
        )
    )
    return any(extra.get("auto") == auto for extra in rows)


def after_client_message(
    *,
    session: Session,
    conversation: Conversation,
    settings: ChannelSettings,
    text: str,
    first: bool,
    now: datetime,
) -> None:
    """Greeting and contact form on the first message, the bot, routing, and the timers."""
    assert conversation.id is not None
    if first:
        say(session, conversation, settings.greeting, now, auto="greeting")
        if settings.contact_form and not (conversation.visitor_email or conversation.visitor_phone):
            say(
                session,
                conversation,
                "Leave your name and email or phone so we can get back to you.",
                now,
                auto="contact",
                form="contact",
            )
    if conversation.status == ChatStatus.CLOSING.value:  # the client wrote again: reopen
        conversation.status = ChatStatus.ACTIVE.value
        conversation.closed_at = None
        clear_timers(session=session, conversation_id=conversation.id, kinds=("full_close",))
    if first and settings.bot_first:
        conversation.status = ChatStatus.BOT.value
    if conversation.status == ChatStatus.BOT.value:
        reply = bot_reply(text, settings.faqs)
        if reply.answer is not None and not reply.handover:
            _bot(session, conversation, reply.answer, now)
            return
        _bot(session, conversation, HANDOVER, now)
        conversation.status = ChatStatus.WAITING.value
    if conversation.status == ChatStatus.WAITING.value:
        route(session=session, conversation=conversation, settings=settings, now=now)
    sync_timers(session=session, conversation=conversation, settings=settings)


def _bot(session: Session, conversation: Conversation, text: str, now: datetime) -> None:
    post(session=session, conversation=conversation, author=MessageAuthor.BOT, text=text, now=now)


def route(
    *,
    session: Session,
    conversation: Conversation,
    settings: ChannelSettings,
    now: datetime,
    forwarding_from: int | None = None,
) -> None:
    """Offer the enquiry, or keep it waiting (with the off-hours reply) and tell the queue."""
    assert conversation.id is not None
    hours = hours_of(settings)
    if not is_open(hours, now):
        conversation.status = ChatStatus.WAITING.value
        conversation.assigned_to = None
        conversation.offered_to = []
        set_timer(
            session=session,
            conversation_id=conversation.id,
            kind="opening",
            due=next_opening(hours, now),
        )
        _off_hours(session, conversation, settings, now)
        return
    decision = chat_routing.decide(
        session=session,
        conversation=conversation,
        settings=settings,
        now=now,
        forwarding_from=forwarding_from,
    )
    if decision.offer_to:
        line = "An enquiry was passed to you" if forwarding_from else "New enquiry"
        push_to(
            session, decision.offer_to, line, conversation, now, forwarded=bool(forwarding_from)
        )
        return
    _off_hours(session, conversation, settings, now)


def _off_hours(
    session: Session, conversation: Conversation, settings: ChannelSettings, now: datetime
) -> None:
    if not _said(session, conversation, "off_hours"):
        say(session, conversation, settings.off_hours_reply, now, auto="off_hours")
        queue = chat_routing.queue_user_ids(session=session, channel_id=conversation.channel_id)
        push_to(session, queue, "An enquiry waits in your queue", conversation, now)


def push_to(
    session: Session,
    user_ids: Iterable[int],
    line: str,
    conversation: Conversation,
    now: datetime,
    *,
    forwarded: bool = False,
) -> None:
    """Queue a push to these agents about the conversation (one line, a link to it)."""
    channel = session.get(Channel, conversation.channel_id)
    push.notify_users(
        session=session,
        user_ids=list(user_ids),
        kind=PushKind.ENQUIRY_FORWARDED if forwarded else PushKind.ENQUIRY_NEW,
        line=f"{line} on {channel.name}" if channel else line,
        url=f"/inbox/{conversation.id}",
        now=now,
    )


def route_waiting(*, session: Session, user_id: int, now: datetime) -> list[Conversation]:
    """Someone became available: offer them the waiting enquiries of their channels."""
    changed = []
    for channel_id in chat_routing.channels_holding(session=session, user_id=user_id):
        channel = session.get(Channel, channel_id)
        if channel is None or not channel.active:
            continue
        settings = settings_of(channel)
        waiting = session.exec(
            select(Conversation)
            .where(
                Conversation.channel_id == channel_id,
                Conversation.status == ChatStatus.WAITING.value,
                Conversation.first_client_message_at != None,  # noqa: E711
            )
            .order_by(Conversation.first_client_message_at)  # type: ignore[arg-type]
        ).all()
        for conversation in waiting:
            route(session=session, conversation=conversation, settings=settings, now=now)
            changed.append(conversation)
    return changed


def act(session: Session, timer: ChatTimer, now: datetime) -> None:
    """Do what a due timer stands for (the timer row is already gone)."""
    conversation = session.get(Conversation, timer.conversation_id)
    channel = session.get(Channel, conversation.channel_id) if conversation else None
    if conversation is None or channel is None:
        return
    settings = settings_of(channel)
    status = conversation.status
    if timer.kind == "forward" and status == ChatStatus.OFFERED.value:
        holder = conversation.assigned_to
        route(
            session=session,
            conversation=conversation,
            settings=settings,
            now=now,
            forwarding_from=holder,
        )
    elif timer.kind == "opening" and status == ChatStatus.WAITING.value:
        route(session=session, conversation=conversation, settings=settings, now=now)
    elif timer.kind == "unanswered" and conversation.load == "needs_answer":
        conversation.unanswered_marked_at = now
        say(session, conversation, settings.unanswered_reply, now, auto="unanswered")
    elif timer.kind == "client_timeout" and status == ChatStatus.ACTIVE.value:
        from slotapp.services.agent_chat import close

        close(session=session, conversation=conversation, by=None, now=now, timeout=True)
    elif timer.kind == "full_close" and status == ChatStatus.CLOSING.value:
        conversation.status = ChatStatus.CLOSED.value
    elif timer.kind in ("kpi_initial", "kpi_next") and conversation.load == "needs_answer":
        _kpi_alert(session, conversation, settings, now)
    conversation.updated_at = now
    session.add(conversation)
    session.flush()
    sync_timers(session=session, conversation=conversation, settings=settings)


def _kpi_alert(
    session: Session, conversation: Conversation, settings: ChannelSettings, now: datetime
) -> None:
    target = settings.kpi_notify_user_id
    user = session.get(User, target) if target else None
    conversation.kpi_alerted_at = now
    if user is None:
        return
    agent = session.get(User, conversation.assigned_to) if conversation.assigned_to else None
    text = render_alert(
        settings.kpi_template,
        operator=agent.name if agent else "Nobody",
        dialog_url=conversation_url(conversation.id),
        dialog_title=f"Conversation #{conversation.id}",
    )
    assert user.id is not None
    push.notify_users(
        session=session,
        user_ids=[user.id],
        kind=PushKind.KPI_OVERDUE,
        line="A client waits too long for an answer",
        url=f"/inbox/{conversation.id}",
        now=now,
    )
    queue_email(
        session=session, to=user.email, subject="Response time exceeded", body_text=text, now=now
    )
