"""The meeting detail page: see a meeting, change it, decline it, or (admins) move it."""

from __future__ import annotations

import reflex as rx

from slotapp.clock import utcnow
from slotapp.core.meetings import Actor, NotAllowed, parse_wall_time
from slotapp.core.validation import InvalidInput, is_whole_number
from slotapp.core.wallclock import zone
from slotapp.db import get_engine, session_scope
from slotapp.services import meetings
from slotapp.services.accounts import CurrentUser
from slotapp.services.meeting_detail import MeetingDetail, MeetingNotFound, meeting_detail
from slotapp.services.sharing import find_colleagues
from slotapp.state.auth import AuthState
from slotapp.state.live import notify_calendars


def _actor(user: CurrentUser) -> Actor:
    return Actor(user.id, user.is_admin)


class MeetingState(rx.State):
    """One meeting, as the signed-in user may see it."""

    found: bool = False
    loaded: bool = False
    title: str = ""
    when: str = ""
    time: str = ""
    status: str = ""
    guest: str = ""
    guest_zone: str = ""
    note: str = ""
    location: str = ""
    video_url: str = ""
    is_test: bool = False
    organizer: str = ""
    attendees: list[dict[str, str]] = []
    may_edit: bool = False
    may_reschedule: bool = False
    video_on: bool = False
    chosen: list[str] = []  # colleague ids added as attendees
    colleague_query: str = ""
    options: list[dict[str, str]] = []
    message: str = ""
    error: str = ""
    error_field: str = ""
    confirm_decline: bool = False
    new_date: str = ""
    new_time: str = ""
    my_zone: str = ""
    _hosts: list[int] = []

    @rx.var
    def meeting_id(self) -> int:
        """The meeting id from the URL (0 when not a number)."""
        tail = str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]
        return int(tail) if is_whole_number(tail) else 0

    async def _user(self) -> CurrentUser | None:
        return (await self.get_state(AuthState))._current_user()

    @rx.event
    async def load(self) -> None:
        """On load, after the login check."""
        self.message = self.error = self.error_field = ""
        self.confirm_decline = False
        self.colleague_query = ""
        user = await self._user()
        if user is None:
            return
        try:
            with session_scope() as session:
                detail = meeting_detail(
                    session=session, meeting_id=self.meeting_id, actor=_actor(user), now=utcnow()
                )
        except MeetingNotFound:
            self.found, self.loaded = False, True
            return
        self._show(detail, user)
        if self.may_edit:
            self._search()

    def _show(self, d: MeetingDetail, user: CurrentUser) -> None:
        tz = zone(user.time_zone)
        start, end = d.start.astimezone(tz), d.end.astimezone(tz)
        self.found, self.loaded = True, True
        self.title, self.location, self.video_url = d.title, d.location, d.video_url
        self.when = f"{start:%A %d %B %Y}"
        self.time = f"{start:%H:%M}–{end:%H:%M} ({user.time_zone})"
        self.status, self.is_test, self.note = d.status, d.is_test, d.note
        self.guest = f"{d.guest_name} <{d.guest_email}>"
        self.guest_zone = d.guest_time_zone
        self.organizer = d.organizer_name
        self.attendees = [
            {"id": str(a.user_id), "name": a.name, "role": "host" if a.is_host else "attendee"}
            for a in d.attendees
        ]
        self._hosts = [a.user_id for a in d.attendees if a.is_host]
        self.chosen = [str(a.user_id) for a in d.attendees if not a.is_host]
        self.may_edit, self.may_reschedule = d.may_edit, d.may_reschedule
        self.video_on = bool(d.video_url)
        self.new_date, self.new_time = f"{start:%Y-%m-%d}", f"{start:%H:%M}"
        self.my_zone = user.time_zone

    def _search(self) -> None:
        with session_scope() as session:
            found = find_colleagues(
                session=session, query=self.colleague_query, exclude=self._hosts, limit=30
            )
        self.options = [
            {"id": str(c.id), "name": c.name, "department": c.department} for c in found
        ]

    @rx.event
    async def search(self, query: str) -> None:
        """Filter the colleagues that can be added (only for whoever may edit the meeting)."""
        user = await self._user()
        if user is None or not self.may_edit:
            self.options = []
            return
        self.colleague_query = query[:60]
        self._search()

    @rx.event
    def toggle_attendee(self, user_id: str) -> None:
        """Tick or untick a colleague (saved with "Save")."""
        if user_id in self.chosen:
            self.chosen = [c for c in self.chosen if c != user_id]
        else:
            self.chosen = [*self.chosen, user_id]

    @rx.event
    def toggle_video(self) -> None:
        """Ask for a video room (made on save) or drop it."""
        self.video_on = not self.video_on

    def _fail(self, field: str, message: str) -> None:
        self.error_field, self.error, self.message = field, message, ""

    @rx.event
    async def save(self, form: dict[str, str]) -> None:
        """Store name, place, video room and attendees."""
        user = await self._user()
        if user is None:
            return
        try:
            changed = meetings.update_meeting(
                engine=get_engine(),
                meeting_id=self.meeting_id,
                actor=_actor(user),
                title=form.get("title", ""),
                location=form.get("location", ""),
                video=self.video_on,
                attendee_ids=[int(c) for c in self.chosen if is_whole_number(c)],
                now=utcnow(),
            )
        except InvalidInput as exc:
            return self._fail(exc.field, exc.message)
        except (NotAllowed, meetings.Busy) as exc:
            return self._fail("attendees", exc.message)
        except MeetingNotFound:
            return self._fail("", "This meeting no longer exists.")
        self._show(changed.detail, user)
        self.error, self.error_field, self.message = "", "", "Saved."
        notify_calendars(changed.user_ids)

    @rx.event
    def ask_decline(self, on: bool) -> None:
        """Show or hide the decline confirmation."""
        self.confirm_decline = on

    @rx.event
    async def decline(self, form: dict[str, str]) -> None:
        """Cancel the meeting; the guest is emailed, the time is free again."""
        user = await self._user()
        if user is None:
            return
        try:
            changed = meetings.decline_meeting(
                engine=get_engine(),
                meeting_id=self.meeting_id,
                actor=_actor(user),
                reason=form.get("reason", ""),
                now=utcnow(),
            )
        except NotAllowed as exc:
            return self._fail("decline", exc.message)
        except MeetingNotFound:
            return self._fail("", "This meeting no longer exists.")
        self._show(changed.detail, user)
        self.confirm_decline = False
        self.error, self.message = "", "Declined. The guest has been told by email."
        notify_calendars(changed.user_ids)

    @rx.event
    async def reschedule(self, form: dict[str, str]) -> None:
        """Admins: move the meeting to a new date and time (in the admin's zone)."""
        user = await self._user()
        if user is None:
            return
        try:
            start = parse_wall_time(
                form.get("date", ""), form.get("time", ""), zone(user.time_zone)
            )
        except InvalidInput as exc:
            return self._fail("reschedule", exc.message)
        try:
            changed = meetings.reschedule_meeting(
                engine=get_engine(),
                meeting_id=self.meeting_id,
                actor=_actor(user),
                new_start=start,
                now=utcnow(),
            )
        except InvalidInput as exc:
            return self._fail("reschedule", exc.message)
        except (NotAllowed, meetings.Busy) as exc:
            return self._fail("reschedule", exc.message)
        except MeetingNotFound:
            return self._fail("", "This meeting no longer exists.")
        self._show(changed.detail, user)
        self.error, self.message = "", "Moved. Everyone has been sent the new time."
        notify_calendars(changed.user_ids)
