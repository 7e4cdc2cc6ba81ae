"""A channel's canned responses and sources (widget snippet, webhooks): saved on each action."""

from __future__ import annotations

import reflex as rx

from slotapp.clock import utcnow
from slotapp.core.validation import InvalidInput
from slotapp.db import get_engine, serialized, session_scope
from slotapp.services import channel_admin, channels
from slotapp.settings import get_settings
from slotapp.state.auth import AuthState
from slotapp.state.channel import channel_id_from


class ChannelSourcesState(rx.State):
    """Canned responses, the widget snippet and every webhook source as seen from here."""

    canned: list[dict[str, str]] = []
    canned_errors: dict[str, str] = {}
    canned_version: int = 0
    snippet: str = ""
    copied: bool = False
    webhooks: list[dict[str, str]] = []
    source_error: str = ""
    # The webhook row a refusal belongs to ("" for the new-source form).
    refused_id: str = ""
    source_message: str = ""
    # A new webhook's secret, shown once until the page is left or another is made.
    new_secret: str = ""
    _channel_id: int = 0

    async def _admin(self) -> bool:
        user = (await self.get_state(AuthState))._current_user()
        return user is not None and user.is_admin and self._channel_id > 0

    @rx.event
    async def load(self) -> None:
        """On load: the lists of this channel (nothing for non-admins)."""
        self._channel_id = channel_id_from(str(self.router.url.path)) or 0
        self.canned_errors, self.source_error, self.source_message = {}, "", ""
        self.refused_id = ""
        self.new_secret = ""
        self.copied = False
        if await self._admin():
            self._read()

    def _read(self) -> None:
        with session_scope() as session:
            rows = channels.canned_of(session=session, channel_id=self._channel_id)
            widget = channels.widget_source(session=session, channel_id=self._channel_id)
            hooks = channel_admin.webhook_rows(session=session, channel_id=self._channel_id)
        self.canned = [{"id": str(r.id), "shortcut": r.shortcut, "text": r.text} for r in rows]
        base = get_settings().base_url
        self.snippet = channel_admin.widget_snippet(base, widget)
        self.webhooks = [
            {
                "id": str(h.id),
                "name": h.name,
                "key": h.key,
                "url": channel_admin.webhook_url(base, h.key),
                "where": "Connected here"
                if h.here
                else (f"Connected to {h.elsewhere}" if h.elsewhere else "Not connected"),
                "here": "1" if h.here else "",
            }
            for h in hooks
        ]

    @rx.event
    def mark_copied(self) -> None:
        """Say the snippet is on the clipboard."""
        self.copied = True

    @rx.event
    async def add_canned(self, data: dict[str, str]) -> None:
        """Add (or replace) the canned response for a shortcut."""
        if not await self._admin():
            return
        try:
            with session_scope(serialized(get_engine())) as session:
                channels.save_canned(
                    session=session,
                    channel_id=self._channel_id,
                    shortcut=data.get("shortcut", ""),
                    text=data.get("text", ""),
                )
        except InvalidInput as exc:
            self.canned_errors = {exc.field: exc.message}
            return
        self.canned_errors = {}
        self.canned_version += 1
        self._read()

    @rx.event
    async def delete_canned(self, canned_id: str) -> None:
        """Remove a canned response."""
        if not await self._admin():
            return
        with session_scope(serialized(get_engine())) as session:
            channels.delete_canned(session=session, canned_id=int(canned_id))
        self._read()

    @rx.event
    async def create_webhook(self, data: dict[str, str]) -> None:
        """A new webhook source, connected here; its secret is shown this once."""
        if not await self._admin():
            return
        try:
            with session_scope(serialized(get_engine())) as session:
                source, secret = channels.create_webhook_source(
                    session=session, name=data.get("name", ""), now=utcnow()
                )
                assert source.id is not None
                channels.connect_source(
                    session=session, source_id=source.id, channel_id=self._channel_id
                )
        except InvalidInput as exc:
            self.source_error, self.source_message, self.refused_id = exc.message, "", ""
            return
        self.new_secret = secret
        self.source_error, self.source_message = "", f"Created {data.get('name', '').strip()}."
        self._read()

    @rx.event
    async def connect(self, source_id: str) -> None:
        """Connect a webhook source here; one in use by another channel is refused."""
        await self._change(source_id, connect=True)

    @rx.event
    async def disconnect(self, source_id: str) -> None:
        """Free a webhook source from this channel."""
        await self._change(source_id, connect=False)

    async def _change(self, source_id: str, *, connect: bool) -> None:
        if not await self._admin():
            return
        try:
            with session_scope(serialized(get_engine())) as session:
                if connect:
                    channels.connect_source(
                        session=session, source_id=int(source_id), channel_id=self._channel_id
                    )
                else:
                    channel_admin.disconnect_here(
                        session=session, source_id=int(source_id), channel_id=self._channel_id
                    )
        except InvalidInput as exc:
            self.source_error, self.source_message, self.refused_id = exc.message, "", source_id
            return
        self.source_error = ""
        self.source_message = "Connected." if connect else "Disconnected."
        self._read()
