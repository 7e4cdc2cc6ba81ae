"""The admin Outbox page: every email slotapp made, with its delivery state."""

from __future__ import annotations

import reflex as rx

from slotapp.core.wallclock import zone
from slotapp.db import session_scope
from slotapp.services.mailer import outbox_messages
from slotapp.state.auth import AuthState

SHOWN = 200


class OutboxState(rx.State):
    """Newest messages first; only admins get rows."""

    allowed: bool = False
    rows: list[dict[str, str]] = []
    open_id: str = ""

    @rx.event
    async def load(self) -> None:
        """On load, after the login check: admins only."""
        user = (await self.get_state(AuthState))._current_user()
        self.allowed = user is not None and user.is_admin
        if user is None or not self.allowed:
            self.rows = []
            return
        tz = zone(user.time_zone)
        with session_scope() as session:
            messages = outbox_messages(session=session, limit=SHOWN)
        self.rows = [
            {
                "id": str(m.id),
                "to": m.to_addr,
                "subject": m.subject,
                "status": m.status,
                "created": f"{m.created_at.astimezone(tz):%d %b %H:%M}",
                "attempts": str(m.attempts),
                "error": m.last_error,
                "body": m.body_text,
                "files": ", ".join(str(a.get("filename", "")) for a in m.attachments),
            }
            for m in messages
        ]

    @rx.event
    def toggle(self, row_id: str) -> None:
        """Show or hide one message's text."""
        self.open_id = "" if self.open_id == row_id else row_id
