"""Request and response bodies of the chat API (`/api/chat/v1`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from slotapp.core.validation import unstorable
from slotapp.services.chat_sources import ChatReplies
from slotapp.services.chat_visitor import ShownMessage, Snapshot, WidgetConfig
from slotapp.services.conversations import MAX_TEXT


class In(BaseModel):
    """A request body: unknown members are ignored; text that cannot be stored is refused."""

    model_config = ConfigDict(extra="ignore")

    @field_validator("*")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        # JSON may carry "\u0000" (PostgreSQL refuses it) or a lone "\ud800".
        if isinstance(value, str) and (why := unstorable(value)):
            raise ValueError(f"Text {why}.")
        return value


class OpenIn(In):
    visitor_id: str = Field(
        default="", max_length=128, description="The browser's long-lived visitor id."
    )
    client_key: str | None = Field(
        default=None, max_length=128, description="The key of a conversation to resume."
    )


class MessageIn(In):
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    client_msg_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="The widget's id for this message: a resend is stored once.",
    )


class ContactIn(In):
    name: str = Field(default="", max_length=120)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=32)


class RatingIn(In):
    rating: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=1000)


class EmailIn(In):
    email: str = Field(min_length=3, max_length=254)


class SourceMessageIn(In):
    chat_id: str = Field(min_length=1, max_length=128)
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    message_id: str | None = Field(default=None, min_length=1, max_length=64)
    name: str = Field(default="", max_length=120)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=32)
    consent: bool = Field(
        default=False, description="The client accepted the channel's consent notice."
    )


class ConfigOut(BaseModel):
    title: str
    consent_required: bool
    consent_text: str
    contact_form: bool
    agent_info: str
    open_now: bool
    off_hours_reply: str
    language: str
    rating: bool
    log_by_email: bool


class MessageOut(BaseModel):
    id: int
    author: str = Field(description="client, agent, bot or system.")
    text: str
    name: str | None = Field(description="Who wrote it, when the channel shows it.")
    at: datetime
    client_msg_id: str | None
    extra: dict[str, Any] = Field(description='e.g. {"form": "contact"} or {"form": "rating"}.')


class ConversationOut(BaseModel):
    status: str
    agent_name: str | None
    agent_typing: bool
    consent_required: bool
    consent_given: bool
    contact_given: bool
    can_rate: bool
    rating: int | None
    log_by_email: bool
    messages: list[MessageOut]
    more: bool = Field(description="More messages follow: ask again after the last one.")
    state: str = Field(description="Pass back as `state` to the events long-poll.")


class OpenedOut(BaseModel):
    client_key: str = Field(description="Send as the X-Chat-Key header from now on.")
    conversation: ConversationOut


class PostedOut(BaseModel):
    id: int | None = Field(description="The stored message (None if it was not stored).")
    client_msg_id: str | None


class RepliesOut(BaseModel):
    status: str | None
    messages: list[MessageOut]


class SourcePostedOut(BaseModel):
    stored: bool
    status: str


def config_out(config: WidgetConfig) -> ConfigOut:
    return ConfigOut(**vars(config))


def message_out(message: ShownMessage) -> MessageOut:
    return MessageOut(**vars(message))


def conversation_out(snap: Snapshot) -> ConversationOut:
    data = vars(snap).copy()
    data["messages"] = [message_out(m) for m in snap.messages]
    return ConversationOut(**data)


def replies_out(replies: ChatReplies) -> RepliesOut:
    return RepliesOut(status=replies.status, messages=[message_out(m) for m in replies.messages])
