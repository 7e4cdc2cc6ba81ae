"""Admins' Open Channels: create, switch off, delete, settings, queue, sources, canned replies."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, delete, select

from slotapp.core.channel_settings import (
    ChannelSettings,
    SettingsError,
    dump_settings,
    parse_settings,
)
from slotapp.core.tokens import hash_token
from slotapp.core.validation import InvalidInput
from slotapp.models import (
    CannedResponse,
    Channel,
    ChannelQueueEntry,
    ChannelSource,
    SourceKind,
    User,
)

MAX_NAME = 120


@dataclass(frozen=True)
class QueueItem:
    """One place in a queue as the admin edits it: a user id or a department name."""

    user_id: int | None = None
    department: str | None = None


def _name(name: str, field: str = "name") -> str:
    clean = " ".join(name.split())
    if not clean:
        raise InvalidInput(field, "Enter a name.")
    if len(clean) > MAX_NAME:
        raise InvalidInput(field, f"Use at most {MAX_NAME} characters.")
    return clean


def create_channel(*, session: Session, name: str, now: datetime) -> Channel:
    """A new active channel with default settings and its own chat widget source."""
    channel = Channel(name=_name(name), settings=dump_settings(ChannelSettings()), created_at=now)
    session.add(channel)
    session.flush()
    session.add(
        ChannelSource(
            kind=SourceKind.WIDGET.value,
            key=secrets.token_urlsafe(16),
            name="Live chat",
            channel_id=channel.id,
            created_at=now,
        )
    )
    session.flush()
    return channel


def get_channel(*, session: Session, channel_id: int) -> Channel:
    """The channel, or InvalidInput("channel") when it does not exist."""
    channel = session.get(Channel, channel_id)
    if channel is None:
        raise InvalidInput("channel", "This channel does not exist any more.")
    return channel


def settings_of(channel: Channel) -> ChannelSettings:
    """The channel's checked settings (stored ones were checked when saved)."""
    return parse_settings(channel.settings)


def update_channel(
    *,
    session: Session,
    channel_id: int,
    name: str,
    chat_title: str,
    active: bool,
    settings: dict[str, Any],
) -> Channel:
    """Save the channel's name, chat title, switch and settings; bad input changes nothing.

    Raises:
        InvalidInput: an empty name, or a setting `parse_settings` refuses (its field named).
    """
    channel = get_channel(session=session, channel_id=channel_id)
    try:
        checked = parse_settings(settings)
    except SettingsError as exc:
        raise InvalidInput(exc.field, exc.message) from None
    if (
        checked.kpi_notify_user_id is not None
        and session.get(User, checked.kpi_notify_user_id) is None
    ):
        raise InvalidInput("kpi_notify_user_id", "Choose a colleague to notify.")
    channel.name = _name(name)
    channel.chat_title = " ".join(chat_title.split())[:MAX_NAME]
    channel.active = active
    channel.settings = dump_settings(checked)
    session.add(channel)
    session.flush()
    return channel


def delete_channel(*, session: Session, channel_id: int) -> None:
    """Delete the channel; its widget goes with it, webhook sources become free again."""
    channel = get_channel(session=session, channel_id=channel_id)
    session.exec(
        delete(ChannelSource).where(
            col(ChannelSource.channel_id) == channel_id,
            col(ChannelSource.kind) == SourceKind.WIDGET.value,
        )
    )
    session.delete(channel)
    session.flush()


def list_channels(*, session: Session) -> list[Channel]:
    """Every channel, by name."""
    return list(session.exec(select(Channel).order_by(col(Channel.name), col(Channel.id))))


def set_queue(*, session: Session, channel_id: int, items: Sequence[QueueItem]) -> None:
    """Replace the channel's queue with `items`, in order.

    Raises:
        InvalidInput: an unknown user or an empty entry.
    """
    get_channel(session=session, channel_id=channel_id)
    for item in items:
        if item.user_id is None and not (item.department or "").strip():
            raise InvalidInput("queue", "Choose an employee or a department.")
        if item.user_id is not None and session.get(User, item.user_id) is None:
            raise InvalidInput("queue", "That employee does not exist.")
    session.exec(delete(ChannelQueueEntry).where(col(ChannelQueueEntry.channel_id) == channel_id))
    for position, item in enumerate(items):
        session.add(
            ChannelQueueEntry(
                channel_id=channel_id,
                position=position,
                user_id=item.user_id,
                department=None if item.user_id is not None else item.department,
            )
        )
    session.flush()


def queue_of(*, session: Session, channel_id: int) -> list[ChannelQueueEntry]:
    """The channel's queue entries in order."""
    return list(
        session.exec(
            select(ChannelQueueEntry)
            .where(ChannelQueueEntry.channel_id == channel_id)
            .order_by(col(ChannelQueueEntry.position))
        )
    )


def widget_source(*, session: Session, channel_id: int) -> ChannelSource | None:
    """The channel's live chat widget source."""
    return session.exec(
        select(ChannelSource).where(
            ChannelSource.channel_id == channel_id,
            ChannelSource.kind == SourceKind.WIDGET.value,
        )
    ).first()


def create_webhook_source(
    *, session: Session, name: str, now: datetime
) -> tuple[ChannelSource, str]:
    """A new, unconnected webhook source and its secret (shown once, stored hashed)."""
    secret = secrets.token_urlsafe(24)
    source = ChannelSource(
        kind=SourceKind.WEBHOOK.value,
        key=secrets.token_urlsafe(16),
        name=_name(name),
        secret_hash=hash_token(secret),
        created_at=now,
    )
    session.add(source)
    session.flush()
    return source, secret


def connect_source(*, session: Session, source_id: int, channel_id: int) -> ChannelSource:
    """Connect a source to a channel; one already connected elsewhere is refused.

    Raises:
        InvalidInput: unknown source or channel, or the source is in use by another channel.
    """
    channel = get_channel(session=session, channel_id=channel_id)
    source = session.get(ChannelSource, source_id)
    if source is None:
        raise InvalidInput("source", "This source does not exist.")
    if source.channel_id is not None and source.channel_id != channel_id:
        other = session.get(Channel, source.channel_id)
        where = other.name if other else "another channel"
        raise InvalidInput("source", f"This source is already connected to {where}.")
    if source.kind == SourceKind.WIDGET.value and source.channel_id != channel_id:
        raise InvalidInput("source", "A channel has its own chat widget.")
    source.channel_id = channel.id
    session.add(source)
    session.flush()
    return source


def disconnect_source(*, session: Session, source_id: int) -> None:
    """Free a webhook source from its channel (a widget belongs to its channel for good)."""
    source = session.get(ChannelSource, source_id)
    if source is None or source.kind != SourceKind.WEBHOOK.value:
        raise InvalidInput("source", "Only webhook sources can be disconnected.")
    source.channel_id = None
    session.add(source)
    session.flush()


def sources(*, session: Session) -> list[ChannelSource]:
    """Every source, connected or not."""
    return list(session.exec(select(ChannelSource).order_by(col(ChannelSource.id))))


def save_canned(*, session: Session, channel_id: int, shortcut: str, text: str) -> CannedResponse:
    """Add or replace the canned response for `shortcut` ("/hours", letters and digits)."""
    get_channel(session=session, channel_id=channel_id)
    key = "/" + shortcut.strip().lstrip("/").lower()
    if not key[1:].replace("-", "").replace("_", "").isalnum() or len(key) > 40:
        raise InvalidInput("shortcut", "Use letters, digits, - or _ after the slash, e.g. /hours.")
    body = text.strip()
    if not body:
        raise InvalidInput("text", "Enter the response text.")
    if len(body) > 4000:
        raise InvalidInput("text", "Use at most 4000 characters.")
    row = session.exec(
        select(CannedResponse).where(
            CannedResponse.channel_id == channel_id, CannedResponse.shortcut == key
        )
    ).first() or CannedResponse(channel_id=channel_id, shortcut=key, text=body)
    row.text = body
    session.add(row)
    session.flush()
    return row


def canned_of(*, session: Session, channel_id: int) -> list[CannedResponse]:
    """The channel's canned responses by shortcut."""
    return list(
        session.exec(
            select(CannedResponse)
            .where(CannedResponse.channel_id == channel_id)
            .order_by(col(CannedResponse.shortcut))
        )
    )


def delete_canned(*, session: Session, canned_id: int) -> None:
    """Remove one canned response."""
    row = session.get(CannedResponse, canned_id)
    if row is not None:
        session.delete(row)
        session.flush()
