"""The admins' channel list `/channels`: create, switch on/off, delete (after a confirmation)."""

from __future__ import annotations

import reflex as rx

from slotapp.clock import utcnow
from slotapp.core.validation import InvalidInput
from slotapp.db import get_engine, serialized, session_scope
from slotapp.services import channels
from slotapp.state.auth import AuthState


class ChannelsState(rx.State):
    """The channels as shown, the new-channel error and the one awaiting delete confirmation."""

    allowed: bool = False
    rows: list[dict[str, str]] = []
    error: str = ""
    message: str = ""
    confirm_id: str = ""
    version: int = 0

    async def _admin(self) -> bool:
        user = (await self.get_state(AuthState))._current_user()
        return user is not None and user.is_admin

    @rx.event
    async def load(self) -> None:
        """On load: admins see the channels; others the notice."""
        self.allowed = await self._admin()
        self.error, self.message, self.confirm_id = "", "", ""
        if self.allowed:
            self._read()

    def _read(self) -> None:
        with session_scope() as session:
            rows = channels.list_channels(session=session)
        self.rows = [
            {
                "id": str(c.id),
                "name": c.name,
                "title": c.chat_title,
                "active": "1" if c.active else "",
                "href": f"/channels/{c.id}",
            }
            for c in rows
        ]

    @rx.event
    async def create(self, data: dict[str, str]):  # type: ignore[no-untyped-def]
        """Make a channel and open its settings."""
        if not await self._admin():
            return None
        try:
            with session_scope(serialized(get_engine())) as session:
                channel = channels.create_channel(
                    session=session, name=data.get("name", ""), now=utcnow()
                )
                channel_id = channel.id
        except InvalidInput as exc:
            self.error = exc.message
            return None
        self.error = ""
        self.version += 1
        return rx.redirect(f"/channels/{channel_id}")

    @rx.event
    async def set_active(self, channel_id: str, active: bool) -> None:
        """Switch a channel on (enquiries are taken) or off."""
        if not await self._admin():
            return
        try:
            with session_scope(serialized(get_engine())) as session:
                channel = channels.get_channel(session=session, channel_id=int(channel_id))
                channels.update_channel(
                    session=session,
                    channel_id=int(channel_id),
                    name=channel.name,
                    chat_title=channel.chat_title,
                    active=active,
                    settings=channel.settings,
                )
                name = channel.name
        except InvalidInput as exc:
            self.message = exc.message
        else:
            self.message = f"{name} is {'on' if active else 'off'}."
        self._read()

    @rx.event
    def ask_delete(self, channel_id: str) -> None:
        """Ask before deleting (empty id: never mind)."""
        self.confirm_id = channel_id

    @rx.event
    async def delete(self, channel_id: str) -> None:
        """Delete the channel: its widget goes, webhook sources become free."""
        if not await self._admin():
            return
        try:
            with session_scope(serialized(get_engine())) as session:
                name = channels.get_channel(session=session, channel_id=int(channel_id)).name
                channels.delete_channel(session=session, channel_id=int(channel_id))
        except InvalidInput as exc:
            self.message = exc.message
        else:
            self.message = f"Deleted {name}."
        self.confirm_id = ""
        self._read()
