"""The agent's side of a conversation: who may see it, take, answer, transfer, close, rate.

Like `conversations`, nothing here commits; open the session with `serialized(engine)`.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, update

from slotapp.core.channel_settings import ChannelSettings
from slotapp.core.chat_bot import expand_canned
from slotapp.core.validation import InvalidInput
from slotapp.models import (
    AgentPresence,
    Channel,
    ChatStatus,
    Conversation,
    MessageAuthor,
    Role,
    User,
)
from slotapp.services import chat_automation, chat_routing, crm
from slotapp.services.channels import canned_of, settings_of
from slotapp.services.chat_log import post
from slotapp.services.chat_timer_rows import clear_timers, sync_timers
from slotapp.services.conversations import Change, clean_text, topics

NOT_YOURS = "This conversation is handled by a colleague."


def is_supervisor(user: User) -> bool:
    """Supervisors (admins) see and rate every conversation."""
    return user.role == Role.ADMIN.value


def can_see(*, session: Session, user: User, conversation: Conversation) -> bool:
    """Agents see conversations of channels whose queue holds them, or that they were given."""
    if is_supervisor(user):
        return True
    if user.id in {conversation.assigned_to, *conversation.offered_to}:
        return True
    assert user.id is not None
    return conversation.channel_id in chat_routing.channels_holding(
        session=session, user_id=user.id
    )


def get_for(*, session: Session, user: User, conversation_id: int) -> Conversation:
    """The conversation if `user` may see it.

    Raises:
        InvalidInput("conversation"): no such conversation, or not theirs to see.
    """
    conversation = session.get(Conversation, conversation_id)
    if conversation is None or not can_see(session=session, user=user, conversation=conversation):
        raise InvalidInput("conversation", "This conversation does not exist or is not yours.")
    return conversation


def take(*, session: Session, user: User, conversation: Conversation, now: datetime) -> Change:
    """The agent takes the enquiry: the first of everyone it was offered to wins.

    A single atomic update decides, so two agents tapping at once cannot both take it.

    Raises:
        InvalidInput: it is someone else's, or closed.
    """
    assert user.id is not None and conversation.id is not None
    if conversation.assigned_to == user.id and conversation.status == ChatStatus.ACTIVE.value:
        return Change(conversation)
    if conversation.status in (ChatStatus.CLOSING.value, ChatStatus.CLOSED.value):
        raise InvalidInput("conversation", "This conversation is closed.")
    mine = conversation.assigned_to in (None, user.id)
    if not (mine or is_supervisor(user)):
        raise InvalidInput("conversation", NOT_YOURS)
    before = {conversation.assigned_to, *conversation.offered_to}
    won = session.exec(  # type: ignore[call-overload]
        update(Conversation)
        .where(
            col(Conversation.id) == conversation.id,
            col(Conversation.status) == conversation.status,
            col(Conversation.assigned_to).is_(None)
            if conversation.assigned_to is None
            else col(Conversation.assigned_to) == conversation.assigned_to,
        )
        .values(status=ChatStatus.ACTIVE.value, assigned_to=user.id, offered_to=[user.id])
    ).rowcount
    if won != 1:
        raise InvalidInput("conversation", "A colleague has just taken this conversation.")
    session.refresh(conversation)
    conversation.offer_deadline = None
    conversation.updated_at = now
    session.add(conversation)
    clear_timers(session=session, conversation_id=conversation.id, kinds=("opening",))
    _sync(session, conversation)
    presence = session.get(AgentPresence, user.id) or AgentPresence(user_id=user.id)
    presence.last_assigned_at = now
    session.add(presence)
    return Change(conversation, topics(conversation, *before))


def reply(
    *, session: Session, user: User, conversation: Conversation, text: str, now: datetime
) -> Change:
    """The agent answers (taking the enquiry if it was only offered); canned shortcuts expand.

    Raises:
        InvalidInput: empty text, a closed conversation, or someone else's.
    """
    if conversation.status == ChatStatus.CLOSED.value:
        raise InvalidInput("conversation", "This conversation is closed.")
    change = take(session=session, user=user, conversation=conversation, now=now)
    canned = {
        c.shortcut.lstrip("/"): c.text
        for c in canned_of(session=session, channel_id=conversation.channel_id)
    }
    body = clean_text(expand_canned(text, canned))
    post(
        session=session,
        conversation=conversation,
        author=MessageAuthor.AGENT,
        text=body,
        now=now,
        agent_id=user.id,
    )
    conversation.first_agent_reply_at = conversation.first_agent_reply_at or now
    conversation.last_agent_message_at = now
    conversation.agent_typing_at = None
    conversation.load = "replied"
    conversation.status = ChatStatus.ACTIVE.value
    conversation.updated_at = now
    session.add(conversation)
    _sync(session, conversation)
    return Change(conversation, change.topics | topics(conversation))


def wait_for_client(
    *, session: Session, user: User, conversation: Conversation, now: datetime
) -> Change:
    """Mark the enquiry as waiting for the client's reaction (it may leave the limit)."""
    _own(user, conversation)
    conversation.load = "awaiting_client"
    conversation.updated_at = now
    session.add(conversation)
    _sync(session, conversation)
    return Change(conversation, topics(conversation))


def transfer(
    *,
    session: Session,
    user: User,
    conversation: Conversation,
    to_user_id: int | None,
    now: datetime,
) -> Change:
    """Give the enquiry to a colleague, or back to the queue (`to_user_id` None).

    With "transfer makes responsible" on, the new agent becomes responsible for the lead
    made from this chat.
    """
    _own(user, conversation)
    before = {conversation.assigned_to, *conversation.offered_to}
    settings = _settings(session, conversation)
    assert conversation.id is not None
    if to_user_id is None:
        conversation.tried = [user.id] if user.id is not None else []
        conversation.assigned_to = None
        conversation.status = ChatStatus.WAITING.value
        chat_automation.route(
            session=session, conversation=conversation, settings=settings, now=now
        )
        return Change(conversation, topics(conversation, *before))
    target = session.get(User, to_user_id)
    if target is None or not target.is_active:
        raise InvalidInput("to", "Choose an active colleague.")
    conversation.assigned_to = to_user_id
    conversation.offered_to = [to_user_id]
    conversation.status = ChatStatus.ACTIVE.value
    conversation.offer_deadline = None
    conversation.updated_at = now
    session.add(conversation)
    _sync(session, conversation)
    if settings.transfer_makes_responsible:
        crm.make_responsible(session=session, conversation=conversation, user_id=to_user_id)
    chat_automation.say(
        session,
        conversation,
        f"{user.name} passed this conversation to {target.name}.",
        now,
        auto="transfer",
    )
    chat_automation.push_to(
        session, [to_user_id], "An enquiry was passed to you", conversation, now, forwarded=True
    )
    return Change(conversation, topics(conversation, *before))


def close(
    *,
    session: Session,
    conversation: Conversation,
    by: User | None,
    now: datetime,
    timeout: bool = False,
) -> Change:
    """Close the enquiry: the closing message, the rating form, then the full close after
    the channel's delay (a new client message inside the delay reopens it)."""
    if by is not None:
        _own(by, conversation)
    if conversation.status in (ChatStatus.CLOSING.value, ChatStatus.CLOSED.value):
        return Change(conversation)
    settings = _settings(session, conversation)
    assert conversation.id is not None
    text = settings.timeout_message if timeout else settings.close_message
    chat_automation.say(session, conversation, text, now, auto="close")
    if settings.rating and conversation.assigned_to is not None:
        chat_automation.say(
            session,
            conversation,
            "How did we do? Rate this conversation.",
            now,
            auto="rating",
            form="rating",
        )
    conversation.closed_at = now
    conversation.rated_agent_id = conversation.assigned_to
    delay = settings.close_delay_minutes
    conversation.status = ChatStatus.CLOSING.value if delay else ChatStatus.CLOSED.value
    conversation.updated_at = now
    session.add(conversation)
    clear_timers(session=session, conversation_id=conversation.id)
    _sync(session, conversation)
    return Change(conversation, topics(conversation))


def supervisor_rate(
    *, session: Session, user: User, conversation: Conversation, rating: int
) -> Change:
    """A supervisor's own 1-5 rating of how the agent handled it."""
    if not is_supervisor(user):
        raise InvalidInput("rating", "Only supervisors rate conversations.")
    if rating not in range(1, 6):
        raise InvalidInput("rating", "Rate from 1 to 5.")
    conversation.supervisor_rating = rating
    session.add(conversation)
    return Change(conversation, topics(conversation))


def set_presence(
    *,
    session: Session,
    user: User,
    now: datetime,
    online: bool | None = None,
    clocked_in: bool | None = None,
    on_leave: bool | None = None,
) -> list[Conversation]:
    """Change the agent's presence; becoming available hands them waiting enquiries."""
    assert user.id is not None
    presence = session.get(AgentPresence, user.id) or AgentPresence(user_id=user.id)
    if online is not None:
        presence.online = online
    if clocked_in is not None:
        presence.clocked_in = clocked_in
    if on_leave is not None:
        presence.on_leave = on_leave
    presence.updated_at = now
    session.add(presence)
    session.flush()
    return chat_automation.route_waiting(session=session, user_id=user.id, now=now)


def typing(*, session: Session, conversation: Conversation, agent: bool, now: datetime) -> None:
    """Someone is typing; the other side shows it for a few seconds."""
    if agent:
        conversation.agent_typing_at = now
    else:
        conversation.client_typing_at = now
    session.add(conversation)


def _own(user: User, conversation: Conversation) -> None:
    if conversation.assigned_to != user.id and not is_supervisor(user):
        raise InvalidInput("conversation", NOT_YOURS)


def _settings(session: Session, conversation: Conversation) -> ChannelSettings:
    channel = session.get(Channel, conversation.channel_id)
    assert channel is not None
    return settings_of(channel)


def _sync(session: Session, conversation: Conversation) -> None:
    session.flush()
    sync_timers(
        session=session, conversation=conversation, settings=_settings(session, conversation)
    )
