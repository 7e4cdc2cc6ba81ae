"""What the admins' Open Channels pages read, and saving the settings form with the queue.

`save_channel` saves the channel's settings (converted by `channel_settings_form`) and its
queue in one transaction: a refusal raises before anything is committed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlmodel import Session, col, select

from slotapp.core.validation import InvalidInput
from slotapp.models import Channel, ChannelSource, SourceKind, User
from slotapp.services import channels
from slotapp.services.channel_settings_form import settings_from_form
from slotapp.services.channels import QueueItem

# Where slotapp.api.chat mounts the chat API (its PREFIX; a test keeps them equal).
CHAT_API = "/api/chat/v1"
T = TypeVar("T")


@dataclass(frozen=True)
class Person:
    """A colleague who can be put in a queue or notified."""

    id: int
    name: str
    department: str


def people(*, session: Session) -> list[Person]:
    """Active users by name."""
    rows = session.exec(select(User).where(col(User.is_active)).order_by(col(User.name)))
    return [Person(u.id, u.name, u.department) for u in rows if u.id is not None]


def departments(*, session: Session) -> list[str]:
    """The departments active users belong to, by name."""
    return sorted({p.department for p in people(session=session) if p.department})


def queue_items(*, session: Session, channel_id: int) -> list[QueueItem]:
    """The channel's queue as the form edits it."""
    return [
        QueueItem(user_id=e.user_id, department=e.department)
        for e in channels.queue_of(session=session, channel_id=channel_id)
    ]


def move(items: Sequence[T], index: int, step: int) -> list[T]:
    """`items` with the one at `index` moved `step` places (-1 up, +1 down), kept in bounds."""
    out = list(items)
    target = index + step
    if 0 <= index < len(out) and 0 <= target < len(out):
        out[index], out[target] = out[target], out[index]
    return out


def save_channel(
    *,
    session: Session,
    channel_id: int,
    form: Mapping[str, str],
    faqs: Sequence[Mapping[str, str]],
    queue: Sequence[QueueItem],
) -> Channel:
    """Save the whole settings form and the queue; any refusal raises before a commit.

    Raises:
        InvalidInput: the first bad input, its field named.
    """
    stored = channels.get_channel(session=session, channel_id=channel_id).settings
    # Stored switches the form does not show (yet) keep their values.
    settings = {**stored, **settings_from_form(form, faqs)}
    channel = channels.update_channel(
        session=session,
        channel_id=channel_id,
        name=form.get("name", ""),
        chat_title=form.get("chat_title", ""),
        active=form.get("active") == "on",
        settings=settings,
    )
    channels.set_queue(session=session, channel_id=channel_id, items=queue)
    return channel


@dataclass(frozen=True)
class SourceRow:
    """A webhook source as the channel's Sources section lists it."""

    id: int
    name: str
    key: str
    here: bool
    elsewhere: str  # the other channel's name, "" when free or connected here


def webhook_rows(*, session: Session, channel_id: int) -> list[SourceRow]:
    """Every webhook source, and where it is connected, seen from `channel_id`."""
    names = {c.id: c.name for c in channels.list_channels(session=session)}
    return [
        SourceRow(
            id=s.id,
            name=s.name,
            key=s.key,
            here=s.channel_id == channel_id,
            elsewhere=names.get(s.channel_id, "") if s.channel_id not in (None, channel_id) else "",
        )
        for s in channels.sources(session=session)
        if s.kind == SourceKind.WEBHOOK.value and s.id is not None
    ]


def disconnect_here(*, session: Session, source_id: int, channel_id: int) -> None:
    """Disconnect a webhook source from `channel_id` (not from whichever channel has it now).

    Raises:
        InvalidInput: the source is not connected to this channel (any more).
    """
    source = session.get(ChannelSource, source_id)
    if source is None or source.channel_id != channel_id:
        raise InvalidInput("source", "This source is not connected to this channel.")
    channels.disconnect_source(session=session, source_id=source_id)


def widget_snippet(base_url: str, source: ChannelSource | None) -> str:
    """The script tag a company pastes into its site to show this channel's chat."""
    if source is None:
        return ""
    src = base_url.rstrip("/") + CHAT_API + "/widget.js"
    return f'<script src="{src}" data-channel="{source.key}" async></script>'


def webhook_url(base_url: str, key: str) -> str:
    """Where a webhook source posts its clients' messages (with its secret in a header)."""
    return f"{base_url.rstrip('/')}{CHAT_API}/sources/{key}/messages"
