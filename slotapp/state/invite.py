"""The participant's invitation page: free times by day, pick and confirm, one-click links."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import reflex as rx

from slotapp.clock import utcnow
from slotapp.core.ics import ics_filename
from slotapp.core.invitation_form import MEETING_TYPE_LABELS, parse_start_param
from slotapp.core.slot_days import day_strip, day_times, local_days
from slotapp.core.validation import InvalidInput
from slotapp.core.wallclock import zone
from slotapp.db import get_engine, session_scope
from slotapp.services import invitation_booking, invitation_view
from slotapp.services.links import LinkError
from slotapp.services.notifications import meeting_ics
from slotapp.state.guest import DETECT_ZONE, booking_refused
from slotapp.state.live import notify, notify_calendars


def _booked_view(booked: invitation_view.InvitationBooked) -> dict[str, str]:
    tz = zone(booked.time_zone)
    start, end = booked.start.astimezone(tz), booked.end.astimezone(tz)
    return {
        "title": booked.title,
        "when": f"{start:%A %d %B %Y}",
        "time": f"{start:%H:%M}–{end:%H:%M} ({booked.time_zone})",
        "with": ", ".join(booked.members) or booked.inviter_name,
        "type": MEETING_TYPE_LABELS.get(booked.meeting_type, booked.meeting_type),
        "where": ", ".join(p for p in (booked.location,) if p),
        "video": booked.video_url,
        "conferencing": booked.conferencing,
        "email": booked.participant_email,
    }


class InviteState(rx.State):
    """Public page state: only what the invitation shows its participant."""

    loaded: bool = False
    link_error: str = ""
    subject: str = ""
    inviter_name: str = ""
    participant_name: str = ""
    duration: int = 0
    meeting_type: str = ""
    location: str = ""
    description: str = ""
    time_zone: str = ""
    days: list[dict[str, str]] = []
    selected_day: str = ""
    times: list[dict[str, str]] = []
    selected_start: str = ""
    notice: str = ""
    pending: bool = False
    booked: dict[str, str] = {}
    just_booked: bool = False
    _browser_zone: str = ""
    _slots: dict[str, list[str]] = {}
    _meeting_id: int = 0

    @rx.var
    def token(self) -> str:
        """The invitation token from the URL."""
        return str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]

    @rx.event
    def start(self):  # type: ignore[no-untyped-def]
        """On load: ask the browser for its zone; the page (or a one-click booking) follows.

        Booking waits for this event, so a mail scanner fetching the HTML never books.
        """
        self.loaded, self.booked, self.notice, self.link_error = False, {}, "", ""
        self.selected_start, self.just_booked, self._meeting_id = "", False, 0
        return rx.call_script(DETECT_ZONE, callback=InviteState.use_zone)

    @rx.event
    async def use_zone(self, name: str) -> None:
        """The browser's zone is known: book the one-click start, or show the free times."""
        self._browser_zone = name if isinstance(name, str) else ""
        one_click = self.router.url.query_parameters.get("start", "")
        if one_click:
            try:
                start = parse_start_param(str(one_click))
            except InvalidInput as exc:
                self.notice = exc.message
            else:
                await self._book(start)
                if self.loaded or self.booked or self.link_error:
                    self.loaded = True
                    return
        self.refresh()

    def refresh(self) -> None:
        """Read the invitation again: its facts and free times, or its booked meeting."""
        try:
            with session_scope() as session:
                page = invitation_view.invitation_page(
                    session=session,
                    token=self.token,
                    now=utcnow(),
                    participant_time_zone=self._browser_zone or None,
                )
        except LinkError as exc:
            self.link_error, self.loaded = exc.message, True
            return
        self.subject, self.inviter_name = page.subject, page.inviter_name
        self.participant_name, self.duration = page.participant_name, page.duration_minutes
        self.meeting_type = MEETING_TYPE_LABELS.get(page.meeting_type, page.meeting_type)
        self.location, self.description = page.location, page.description
        self.time_zone = page.time_zone
        if page.booked is not None:
            self._meeting_id = page.booked.meeting_id
            self.booked = _booked_view(page.booked)
        else:
            self._show_slots(page.slots)
        self.loaded = True

    def _show_slots(self, slots: Sequence[datetime]) -> None:
        strip = day_strip(local_days(slots, self.time_zone), self.selected_day)
        self.days, self._slots, self.selected_day = strip
        self._fill_times()

    def _fill_times(self) -> None:
        self.times, self.selected_start = day_times(
            self._slots, self.selected_day, self.selected_start, self.time_zone
        )

    @rx.event
    def pick_day(self, day: str) -> None:
        """Show the free times of `day`."""
        self.selected_day = day
        self._fill_times()

    @rx.event
    def pick_time(self, iso: str) -> None:
        """Choose a start; the confirm button appears."""
        self.selected_start, self.notice = iso, ""

    @rx.event
    async def confirm(self) -> None:
        """Book the chosen time."""
        if self.pending or not self.selected_start:
            return
        self.pending = True
        await self._book(datetime.fromisoformat(self.selected_start))
        self.pending = False

    async def _book(self, start: datetime) -> None:
        if refusal := await booking_refused(self.router, self.token):
            self.notice = refusal
            return
        try:
            booked = invitation_booking.book_invitation(
                engine=get_engine(),
                token=self.token,
                start=start,
                now=utcnow(),
                participant_time_zone=self._browser_zone or None,
            )
        except invitation_booking.AlreadyBooked as exc:
            self._meeting_id, self.booked = exc.booked.meeting_id, _booked_view(exc.booked)
            self.notice = exc.message
        except invitation_booking.SlotUnavailable as exc:
            self.notice = exc.message
            self.refresh()
        except LinkError as exc:
            self.link_error = exc.message
        except InvalidInput as exc:
            self.notice = exc.message
        else:
            self._meeting_id, self.booked = booked.meeting_id, _booked_view(booked)
            self.just_booked = True
            notify_calendars(booked.notify_user_ids)
            notify([f"activity:{uid}" for uid in booked.notify_user_ids])

    @rx.event
    def download_ics(self):  # type: ignore[no-untyped-def]
        """The booked meeting as an .ics file."""
        if not self._meeting_id:
            return None
        with session_scope() as session:
            data, meeting = meeting_ics(session=session, meeting_id=self._meeting_id, now=utcnow())
        return rx.download(data=data, filename=ics_filename(meeting.title, meeting.start_at))
