"""The agents' inbox: tabs Mine / Queue / All, presence switches and KPIs, live."""

from __future__ import annotations

from datetime import timedelta

import reflex as rx

from slotapp.clock import utcnow
from slotapp.core.validation import InvalidInput
from slotapp.db import get_engine, serialized, session_scope
from slotapp.models import User
from slotapp.services import inbox, inbox_kpi
from slotapp.services.chat_bus import bus
from slotapp.services.inbox import Row, Tab
from slotapp.state.auth import AuthState
from slotapp.state.live import notify, reloads, watch

SUMMARY_DAYS = 30


def _row(row: Row) -> dict[str, str]:
    kpi = row.kpi
    return {
        "id": str(row.id),
        "href": f"/inbox/{row.id}",
        "client": row.client,
        "channel": row.channel,
        "preview": row.preview,
        "status": row.status,
        "status_key": row.status_key,
        "waiting": row.waiting,
        "kpi": (
            f"First {kpi.initial} · Total {kpi.total} · Avg {kpi.average} · Max {kpi.maximum}"
            if kpi
            else ""
        ),
    }


@reloads("inbox")
class InboxState(rx.State):
    """The chosen tab's rows, already formatted, and the agent's presence."""

    tab: str = ""  # "" until the first load picks one
    rows: list[dict[str, str]] = []
    counts: dict[str, int] = {}
    agents: list[dict[str, str]] = []
    supervisor: bool = False
    online: bool = False
    clocked_in: bool = False
    kpi: bool = False
    loaded: bool = False
    message: str = ""
    refreshed: int = 0

    @rx.event
    async def load(self) -> None:
        """On load, after the login check: watch this agent's inbox (and all, supervisors)."""
        user = (await self.get_state(AuthState))._current_user()
        if user is None:
            return
        watch(self, f"inbox:{user.id}")
        if user.is_admin:
            watch(self, "inbox:all")
        self.message = ""
        await self.reload()

    async def reload(self) -> None:
        """Read the tab again (also called by live updates)."""
        current = (await self.get_state(AuthState))._current_user()
        if current is None:
            self.rows = []
            return
        now = utcnow()
        with session_scope() as session:
            user = session.get(User, current.id)
            assert user is not None
            self.supervisor = current.is_admin
            self.counts = inbox.counts(session=session, user=user)
            tab = self._tab()
            rows = inbox.rows(session=session, user=user, tab=tab, now=now, kpi=self.kpi)
            here = inbox.presence(session=session, user_id=current.id)
            agents = (
                inbox_kpi.agent_summary(session=session, since=now - timedelta(days=SUMMARY_DAYS))
                if tab is Tab.ALL and self.kpi
                else []
            )
        self.tab = tab.value
        self.rows = [_row(r) for r in rows]
        self.online, self.clocked_in = here.online, here.clocked_in
        self.agents = [
            {
                "name": a.name,
                "answers": str(a.answers),
                "times": f"Avg {a.average} · Max {a.maximum} · First {a.initial}",
                "ratings": f"Client {a.client_rating} · Supervisor {a.supervisor_rating}",
            }
            for a in agents
        ]
        self.loaded = True
        self.refreshed += 1

    def _tab(self) -> Tab:
        """The chosen tab (All only for supervisors)."""
        if not self.tab:  # the first tab with something open, Mine first
            shown = [Tab.MINE, Tab.QUEUE, Tab.ALL] if self.supervisor else [Tab.MINE, Tab.QUEUE]
            return next((t for t in shown if self.counts.get(t.value)), Tab.MINE)
        if self.tab == Tab.ALL.value and not self.supervisor:
            return Tab.MINE
        return Tab(self.tab)

    @rx.event
    async def show(self, tab: str) -> None:
        """Switch tabs."""
        self.tab = tab if tab in {t.value for t in Tab} else "mine"
        await self.reload()

    @rx.event
    async def toggle_kpi(self) -> None:
        """Show or hide the response-time columns (and, under All, the per-agent summary)."""
        self.kpi = not self.kpi
        await self.reload()

    async def _presence(
        self, *, online: bool | None = None, clocked_in: bool | None = None
    ) -> None:
        current = (await self.get_state(AuthState))._current_user()
        if current is None:
            return
        try:
            with session_scope(serialized(get_engine())) as session:
                user = session.get(User, current.id)
                assert user is not None
                changed = inbox.set_presence(
                    session=session, user=user, now=utcnow(), online=online, clocked_in=clocked_in
                )
        except InvalidInput as exc:
            self.message = exc.message
            return
        notify(changed)
        bus.wake_topics(changed)
        await self.reload()

    @rx.event
    async def set_online(self, online: bool) -> None:
        """Online or away: coming online may hand this agent waiting enquiries."""
        await self._presence(online=online)

    @rx.event
    async def set_clocked_in(self, clocked_in: bool) -> None:
        """Clock in or out of the working day."""
        await self._presence(clocked_in=clocked_in)
