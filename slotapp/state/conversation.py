"""One conversation in the agent's inbox: the log, the composer and every action, live."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

import reflex as rx
from sqlmodel import Session

from slotapp.clock import utcnow
from slotapp.core.validation import InvalidInput, is_whole_number
from slotapp.db import get_engine, serialized, session_scope
from slotapp.models import Conversation, User
from slotapp.services import agent_chat, crm, inbox_view
from slotapp.services.chat_bus import bus
from slotapp.services.keys import secret_key
from slotapp.settings import get_settings
from slotapp.state.auth import AuthState
from slotapp.state.live import notify, reloads, watch

Action = Callable[[Session, User, Conversation, datetime], set[str]]
TYPING_EVERY = 2.0  # seconds between two "agent is typing" posts


@reloads("chat")
class ConversationState(rx.State):
    """What the agent sees of one conversation; nothing when they may not see it."""

    found: bool = False
    loaded: bool = False
    denied: str = ""
    client: str = ""
    channel: str = ""
    status: str = ""
    status_key: str = ""
    is_open: bool = False
    can_take: bool = False
    can_reply: bool = False
    can_manage: bool = False
    typing: bool = False
    typing_key: str = ""
    messages: list[dict[str, str]] = []  # newest first: the log is laid out bottom-up
    canned: list[dict[str, str]] = []
    colleagues: list[dict[str, str]] = []
    rating: str = ""
    supervisor_rating: int = 0
    profile: dict[str, str] = {}
    dialogs: list[dict[str, str]] = []
    leads: list[dict[str, str]] = []
    meetings: list[dict[str, str]] = []
    draft: str = ""
    transfer_to: str = ""
    confirm_close: bool = False
    error: str = ""
    notice: str = ""
    _typed_at: float = 0.0

    @rx.var
    def chat_id(self) -> int:
        """The conversation id from the URL (0 when not a number)."""
        tail = str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]
        return int(tail) if is_whole_number(tail) else 0

    @rx.event
    async def load(self) -> None:
        """On load, after the login check: watch this conversation, then fill."""
        user = (await self.get_state(AuthState))._current_user()
        if user is None:
            return
        self.draft = self.error = self.notice = self.transfer_to = ""
        self.confirm_close = False
        await self.reload()
        if self.found:
            watch(self, f"chat:{self.chat_id}")

    async def reload(self) -> None:
        """Read the conversation again (also called by live updates)."""
        current = (await self.get_state(AuthState))._current_user()
        try:
            if current is None:
                raise InvalidInput("conversation", "Log in to see this conversation.")
            with session_scope() as session:
                user = session.get(User, current.id)
                assert user is not None
                view = inbox_view.view(
                    session=session, user=user, conversation_id=self.chat_id, now=utcnow()
                )
        except InvalidInput as exc:
            self._forget(exc.message)
            return
        self._show(view)

    def _forget(self, message: str) -> None:
        self.found, self.loaded, self.denied = False, True, message
        self.messages, self.canned, self.colleagues, self.dialogs = [], [], [], []
        self.leads, self.meetings, self.profile = [], [], {}
        self.client = self.channel = self.status = self.status_key = ""
        self.is_open = self.can_take = self.can_reply = self.can_manage = self.typing = False

    def _show(self, view: inbox_view.View) -> None:
        self.found, self.loaded, self.denied = True, True, ""
        self.client, self.channel = view.client, view.channel
        self.status, self.status_key, self.is_open = view.status, view.status_key, view.is_open
        self.can_take, self.can_reply, self.can_manage = (
            view.can_take,
            view.can_reply,
            view.can_manage,
        )
        self.typing, self.typing_key = view.typing, view.typing_key
        self.messages = [
            {"id": str(b.id), "author": b.author, "who": b.who, "text": b.text, "at": b.at}
            for b in reversed(view.messages)
        ]
        self.canned = [{"shortcut": s, "text": t} for s, t in view.canned]
        self.colleagues = [{"id": str(i), "name": n} for i, n in view.colleagues]
        self.rating, self.supervisor_rating = view.rating, view.supervisor_rating
        p = view.profile
        self.profile = {"name": p.name, "email": p.email, "phone": p.phone}
        self.dialogs = [
            {"id": str(i), "href": f"/inbox/{i}", "when": w, "status": s} for i, w, s in p.dialogs
        ]
        self.leads = [{"title": t, "source": s} for t, s in p.leads]
        self.meetings = [{"title": t, "when": w} for t, w in p.meetings]

    async def _act(self, action: Action, done: str = "") -> bool:
        """Run one service call on this conversation, commit, refresh every tab showing it."""
        current = (await self.get_state(AuthState))._current_user()
        if current is None:
            return False
        self.error = self.notice = ""
        try:
            with session_scope(serialized(get_engine())) as session:
                user = session.get(User, current.id)
                assert user is not None
                conversation = agent_chat.get_for(
                    session=session, user=user, conversation_id=self.chat_id
                )
                changed = action(session, user, conversation, utcnow())
        except InvalidInput as exc:
            self.error = exc.message
            return False
        notify(changed)
        bus.wake_topics(changed)  # the visitor's long-poll answers at once
        self.notice = done
        await self.reload()
        return True

    @rx.event
    async def set_draft(self, text: str) -> None:
        """The composer changed: keep it, and tell the client the agent is typing."""
        self.draft = text
        if (
            not (text.strip() and self.can_reply)
            or time.monotonic() - self._typed_at < TYPING_EVERY
        ):
            return
        self._typed_at = time.monotonic()
        current = (await self.get_state(AuthState))._current_user()
        if current is None:  # `can_reply` may be left over from a user who logged out
            return
        with session_scope(serialized(get_engine())) as session:
            user = session.get(User, current.id)
            assert user is not None
            try:
                conversation = agent_chat.get_for(
                    session=session, user=user, conversation_id=self.chat_id
                )
            except InvalidInput:
                return
            if conversation.assigned_to not in (None, user.id) and not agent_chat.is_supervisor(
                user
            ):
                return
            agent_chat.typing(session=session, conversation=conversation, agent=True, now=utcnow())
        bus.wake([self.chat_id])

    @rx.event
    def insert_canned(self, text: str) -> None:
        """Put a canned response into the composer (after what is already written)."""
        self.draft = f"{self.draft.rstrip()} {text}".strip() if self.draft.strip() else text

    @rx.event
    async def send(self) -> None:
        """Send the draft ("/shortcut" expands); this also takes the enquiry."""
        text = self.draft

        def reply(s: Session, u: User, c: Conversation, now: datetime) -> set[str]:
            return agent_chat.reply(session=s, user=u, conversation=c, text=text, now=now).topics

        if await self._act(reply):
            self.draft = ""

    @rx.event
    async def take(self) -> None:
        """Take the enquiry (the first of everyone it was offered to wins)."""
        await self._act(
            lambda s, u, c, now: agent_chat.take(session=s, user=u, conversation=c, now=now).topics
        )

    @rx.event
    async def wait_for_client(self) -> None:
        """Mark it as waiting for the client's reaction."""
        await self._act(
            lambda s, u, c, now: (
                agent_chat.wait_for_client(session=s, user=u, conversation=c, now=now).topics
            ),
            "Marked as waiting for the client.",
        )

    @rx.event
    def set_transfer_to(self, value: str) -> None:
        """Pick the colleague to pass it to."""
        self.transfer_to = value

    @rx.event
    async def transfer(self, to_queue: bool = False) -> None:
        """Pass it to the chosen colleague, or back to the queue."""
        target = None if to_queue else int(self.transfer_to or 0) or None
        if target is None and not to_queue:
            self.error = "Choose a colleague first."
            return
        await self._act(
            lambda s, u, c, now: (
                agent_chat.transfer(
                    session=s, user=u, conversation=c, to_user_id=target, now=now
                ).topics
            ),
            "Passed back to the queue." if to_queue else "Passed to your colleague.",
        )

    @rx.event
    def ask_close(self, asking: bool) -> None:
        """Show (or hide) the close confirmation."""
        self.confirm_close = asking

    @rx.event
    async def close(self) -> None:
        """Close the enquiry (closing message and rating form go to the client)."""
        self.confirm_close = False
        await self._act(
            lambda s, u, c, now: agent_chat.close(session=s, conversation=c, by=u, now=now).topics,
            "Conversation closed.",
        )

    @rx.event
    async def make_lead(self) -> None:
        """Make a sales lead from this conversation (needs the client's email or phone)."""

        def lead(s: Session, u: User, c: Conversation, now: datetime) -> set[str]:
            crm.make_lead(session=s, conversation=c, responsible_id=u.id, now=now)
            return {f"chat:{c.id}"}

        await self._act(lead, "Lead created.")

    @rx.event
    async def rate(self, rating: int) -> None:
        """A supervisor's own 1-5 rating."""
        await self._act(
            lambda s, u, c, now: (
                agent_chat.supervisor_rate(session=s, user=u, conversation=c, rating=rating).topics
            ),
            "Rating saved.",
        )

    @rx.event
    async def send_booking_link(self) -> None:
        """Send the client a one-time link to the agent's own open slots."""
        await self._act(
            lambda s, u, c, now: (
                inbox_view.send_booking_link(
                    session=s,
                    user=u,
                    conversation=c,
                    secret=secret_key(),
                    base_url=get_settings().base_url,
                    now=now,
                ).topics
            ),
            "Booking link sent.",
        )
