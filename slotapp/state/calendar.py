"""The Calendar page: the user's meetings as an agenda and as a week, live."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import reflex as rx

from slotapp.clock import utcnow
from slotapp.core.wallclock import zone
from slotapp.core.week import Entry, build_week, week_bounds, week_start
from slotapp.db import session_scope
from slotapp.services import live
from slotapp.services.accounts import CurrentUser
from slotapp.services.calendar import agenda
from slotapp.state.auth import AuthState
from slotapp.state.live import reloads, watch

DAYS_SHOWN = 14


def meeting_path(meeting_id: int | str) -> str:
    """The detail page of a meeting."""
    return f"/meetings/{meeting_id}"


@dataclasses.dataclass
class BlockView:
    """A meeting on the week grid, positioned in CSS percentages."""

    href: str
    title: str
    label: str
    top: str
    height: str
    left: str
    width: str
    muted: bool


@dataclasses.dataclass
class DayView:
    """A column of the week grid."""

    weekday: str
    day: str
    today: bool
    blocks: list[BlockView]


def _pct(value: float) -> str:
    return f"{value * 100:.3f}%"


@reloads("calendar")
class CalendarState(rx.State):
    """Agenda rows and the week grid, already formatted for display."""

    items: list[dict[str, str]] = []
    view: str = "agenda"
    week_offset: int = 0
    week_title: str = ""
    hours: list[str] = []
    week: list[DayView] = []
    refreshed: int = 0  # bumps on every reload (live updates included), for tests and a11y

    @rx.event
    async def load(self) -> None:
        """On load, after the login check: register this tab for live updates, then fill."""
        user = (await self.get_state(AuthState))._current_user()
        if user is None:
            return
        watch(self, live.calendar_topic(user.id))
        self._fill(user)

    async def reload(self) -> None:
        """Read the user's meetings again (also called by live updates from other workers).

        No arguments: Reflex lets a browser call any public method with arguments it
        chooses, so whose calendar to show comes from the session, never from the caller.
        """
        user = (await self.get_state(AuthState))._current_user()
        if user is None:
            self.items, self.week = [], []
            return
        self._fill(user)

    def _fill(self, user: CurrentUser) -> None:
        tz = zone(user.time_zone)
        now = utcnow()
        today = now.astimezone(tz).date()
        first = week_start(today) + timedelta(weeks=self.week_offset)
        week_from, week_to = week_bounds(first, tz)
        day_start = now.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
        with session_scope() as session:
            rows = agenda(
                session=session,
                user_id=user.id,
                start=day_start,
                end=now + timedelta(days=DAYS_SHOWN),
            )
            week_rows = agenda(session=session, user_id=user.id, start=week_from, end=week_to)
        self.items = [
            {
                "href": meeting_path(r.meeting_id),
                "day": f"{r.start.astimezone(tz):%A %d %B}",
                "time": f"{r.start.astimezone(tz):%H:%M}–{r.end.astimezone(tz):%H:%M}",
                "title": r.title,
                "guest": f"{r.guest_name} <{r.guest_email}>",
                "status": r.status,
                "test": "test" if r.is_test else "",
            }
            for r in rows
        ]
        status = {str(r.meeting_id): r.status for r in week_rows}
        grid = build_week(
            first, tz, [Entry(str(r.meeting_id), r.start, r.end, r.title) for r in week_rows]
        )
        self.hours = [f"{h:02d}" for h in range(grid.first_hour, grid.last_hour)]
        self.week = [
            DayView(
                weekday=f"{d.day:%a}",
                day=f"{d.day:%d}",
                today=d.day == today,
                blocks=[
                    BlockView(
                        href=meeting_path(b.key),
                        title=b.title,
                        label=b.label,
                        top=_pct(b.top),
                        height=_pct(b.height),
                        left=_pct(b.lane / b.lanes),
                        width=_pct(1 / b.lanes),
                        muted=status.get(b.key) != "confirmed",
                    )
                    for b in d.blocks
                ],
            )
            for d in grid.days
        ]
        self.week_title = _week_title(first)
        self.refreshed += 1

    @rx.event
    async def show(self, view: str) -> None:
        """Switch between agenda and week."""
        self.view = "week" if view == "week" else "agenda"
        await self.reload()

    @rx.event
    async def move_week(self, weeks: int) -> None:
        """Previous (-1), next (+1) or this week (0)."""
        self.week_offset = 0 if weeks == 0 else self.week_offset + weeks
        await self.reload()


def _week_title(first: date) -> str:
    last = first + timedelta(days=6)
    if first.month == last.month:
        return f"{first:%d}–{last:%d %B %Y}"
    return f"{first:%d %b}–{last:%d %b %Y}"
