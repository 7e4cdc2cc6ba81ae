"""One channel's settings page `/channels/[id]`: every switch in one form, saved at once."""

from __future__ import annotations

import reflex as rx
from reflex.event import EventSpec

from slotapp.core.validation import InvalidInput, is_whole_number
from slotapp.db import get_engine, serialized, session_scope
from slotapp.services import channel_admin, channel_settings_form, channels
from slotapp.state.auth import AuthState
from slotapp.state.channel_queue import ChannelQueueState

SECTIONS = (
    ("general", "General"),
    ("queue", "Queue"),
    ("clients", "Clients"),
    ("hours", "Hours"),
    ("auto", "Automatic"),
    ("quality", "Quality"),
    ("kpi", "KPI"),
    ("canned", "Canned"),
    ("sources", "Sources"),
)
# Where a refused field is, so the page shows that section with the message.
_SECTION_OF = {
    "name": "general",
    "chat_title": "general",
    "queue": "queue",
    "distribution": "queue",
    "idle_minutes": "queue",
    "limit": "queue",
    "limit_exclude": "queue",
    "agent_info": "queue",
    "time_zone": "hours",
    "weekly": "hours",
    "weekends": "hours",
    "holidays": "hours",
    "unanswered_minutes": "auto",
    "close_delay_minutes": "auto",
    "client_timeout_minutes": "auto",
    "language": "auto",
    "faqs": "quality",
    "kpi": "kpi",
    "kpi_initial_minutes": "kpi",
    "kpi_next_minutes": "kpi",
    "kpi_notify_user_id": "kpi",
}


def channel_id_from(path: str) -> int | None:
    """The id in `/channels/<id>`, or None."""
    tail = path.rstrip("/").rsplit("/", 1)[-1]
    return int(tail) if is_whole_number(tail) else None


class ChannelState(rx.State):
    """The form's initial values, the FAQ rows, and the last refusal."""

    allowed: bool = False
    loaded: bool = False
    found: bool = False
    channel_id: int = 0
    heading: str = ""
    section: str = "general"
    form: dict[str, str] = {}
    faqs: list[dict[str, str]] = []
    colleagues: list[dict[str, str]] = []
    errors: dict[str, str] = {}
    message: str = ""
    # Bumped on load and save: the form remounts with the stored values as its defaults.
    version: int = 0
    _faq_serial: int = 0

    @rx.event
    async def load(self) -> None:
        """On load: admins see the channel's settings; others the notice."""
        user = (await self.get_state(AuthState))._current_user()
        self.allowed = user is not None and user.is_admin
        self.errors, self.message, self.section = {}, "", "general"
        channel_id = channel_id_from(str(self.router.url.path))
        self.found, self.heading = False, ""
        if self.allowed and channel_id is not None:
            await self._read(channel_id)
        self.loaded = True

    async def _read(self, channel_id: int) -> None:
        queue = await self.get_state(ChannelQueueState)
        with session_scope() as session:
            try:
                channel = channels.get_channel(session=session, channel_id=channel_id)
            except InvalidInput:
                return
            settings = channels.settings_of(channel)
            people = channel_admin.people(session=session)
            queue._fill(
                channel_admin.queue_items(session=session, channel_id=channel_id),
                people,
                channel_admin.departments(session=session),
            )
        self.found, self.channel_id, self.heading = True, channel_id, channel.name
        self.form = {
            **channel_settings_form.form_of(settings),
            "name": channel.name,
            "chat_title": channel.chat_title,
            "active": "on" if channel.active else "",
        }
        self.colleagues = [{"id": str(p.id), "name": p.name} for p in people]
        self.faqs = [self._faq(f.question, f.answer) for f in settings.faqs]
        self.version += 1

    def _faq(self, question: str, answer: str) -> dict[str, str]:
        self._faq_serial += 1
        return {"key": str(self._faq_serial), "question": question, "answer": answer}

    @rx.var
    def refusal(self) -> str:
        """The message of the refused field, repeated beside the Save button."""
        return next(iter(self.errors.values()), "")

    @rx.event
    def show(self, section: str) -> None:
        """Switch to another section (the form keeps what was typed in the others)."""
        self.section = section

    @rx.event
    def add_faq(self) -> None:
        """An empty question/answer pair at the end."""
        self.faqs = [*self.faqs, self._faq("", "")]

    @rx.event
    def set_faq(self, index: int, part: str, text: str) -> None:
        """Keep what was typed in a FAQ row (on leaving its input)."""
        self.faqs = [
            {**f, part: text} if i == index and part in ("question", "answer") else f
            for i, f in enumerate(self.faqs)
        ]

    @rx.event
    def remove_faq(self, index: int) -> None:
        """Drop a FAQ row."""
        self.faqs = [f for i, f in enumerate(self.faqs) if i != index]

    @rx.event
    async def save(self, data: dict[str, str]):  # type: ignore[no-untyped-def]
        """Save everything at once; a refusal is shown next to its field and saves nothing."""
        user = (await self.get_state(AuthState))._current_user()
        if user is None or not user.is_admin or not self.found:
            return None
        queue = await self.get_state(ChannelQueueState)
        try:
            with session_scope(serialized(get_engine())) as session:
                channel = channel_admin.save_channel(
                    session=session,
                    channel_id=self.channel_id,
                    form=data,
                    faqs=self.faqs,
                    queue=queue.items(),
                )
                name = channel.name
        except InvalidInput as exc:
            self.errors = {exc.field: exc.message}
            self.message = ""
            self.section = _section_of(exc.field)
            return _reveal(exc.field)
        self.errors, self.message = {}, f"Saved {name}."
        await self._read(self.channel_id)
        return None


def _reveal(field: str) -> EventSpec:
    """Scroll the refused input (or, for a group, its message) to the middle of the screen."""
    script = (
        "setTimeout(() => (document.getElementById('f-{0}') || "
        "document.getElementById('error-{0}'))?.scrollIntoView({{block: 'center'}}), 50)"
    )
    return rx.call_script(script.format(field))


def _section_of(field: str) -> str:
    if field.startswith("hours-"):
        return "hours"
    return _SECTION_OF.get(field, "general")
