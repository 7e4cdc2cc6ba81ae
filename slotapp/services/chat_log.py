"""A conversation's message log: append, and read what came after a message."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from slotapp.models import ChatMessage, Conversation, MessageAuthor


def post(
    *,
    session: Session,
    conversation: Conversation,
    author: MessageAuthor,
    text: str,
    now: datetime,
    agent_id: int | None = None,
    client_msg_id: str | None = None,
    extra: dict[str, Any] | None = None,
) -> ChatMessage:
    """Append a message to the log."""
    assert conversation.id is not None
    message = ChatMessage(
        conversation_id=conversation.id,
        author=author.value,
        agent_id=agent_id,
        text=text,
        client_msg_id=client_msg_id,
        extra=extra or {},
        created_at=now,
    )
    session.add(message)
    session.flush()
    return message


def messages_after(
    *, session: Session, conversation_id: int, after_id: int = 0, limit: int = 200
) -> list[ChatMessage]:
    """The log after message `after_id`, oldest first."""
    return list(
        session.exec(
            select(ChatMessage)
            .where(ChatMessage.conversation_id == conversation_id, col(ChatMessage.id) > after_id)
            .order_by(col(ChatMessage.id))
            .limit(limit)
        )
    )
