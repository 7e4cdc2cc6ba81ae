"""The Calendar page: the user's coming meetings as an agenda in their own time zone."""

from __future__ import annotations

from datetime import timedelta

import reflex as rx

from slotapp.clock import utcnow
from slotapp.core.wallclock import zone
from slotapp.db import session_scope
from slotapp.services.calendar import agenda
from slotapp.state.auth import AuthState

DAYS_SHOWN = 14


class CalendarState(rx.State):
    """Agenda rows, already formatted for display."""

    items: list[dict[str, str]] = []

    @rx.event
    async def load(self) -> None:
        """On load, after the login check: today and the coming days."""
        user = (await self.get_state(AuthState)).current_user()
        if user is None:
            return
        tz = zone(user.time_zone)
        now = utcnow()
        day_start = now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
        with session_scope() as session:
            rows = agenda(
                session=session,
                user_id=user.id,
                start=day_start,
                end=now + timedelta(days=DAYS_SHOWN),
            )
        self.items = [
            {
                "id": str(r.meeting_id),
                "day": f"{r.start.astimezone(tz):%A %d %B}",
                "time": f"{r.start.astimezone(tz):%H:%M}–{r.end.astimezone(tz):%H:%M}",
                "title": r.title,
                "guest": f"{r.guest_name} <{r.guest_email}>",
                "status": r.status,
                "test": "test" if r.is_test else "",
            }
            for r in rows
        ]
