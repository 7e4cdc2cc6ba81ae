"""The guest booking page: load free times in the guest's zone, book one."""

from __future__ import annotations

import uuid
from datetime import datetime

import reflex as rx
from reflex.istate.data import RouterData

from slotapp.clock import utcnow
from slotapp.core.ics import ics_filename
from slotapp.core.slot_days import day_strip, day_times
from slotapp.core.validation import InvalidInput
from slotapp.core.wallclock import zone
from slotapp.db import get_engine, session_scope
from slotapp.services import booking, guest_view
from slotapp.services.links import LinkError
from slotapp.services.notifications import meeting_ics
from slotapp.services.rate_limit import get_limiter
from slotapp.state.auth import AuthState
from slotapp.state.live import notify_calendars

DETECT_ZONE = "Intl.DateTimeFormat().resolvedOptions().timeZone"


async def booking_refused(router: RouterData, token: str) -> str:
    """Count a booking attempt against the per-address and per-link limits (the socket's peer
    and X-Forwarded-For, as the HTTP middleware reads them): "" or what the guest reads."""
    raw = router.headers.raw_headers
    peer = raw.get("asgi-scope-client") or router.session.client_ip
    forwarded = raw.get("x-forwarded-for", "")
    limiter = get_limiter()
    return await limiter.booking_refusal(peer=peer, forwarded_for=[forwarded], token=token)


class GuestState(rx.State):
    """Public page state: never holds another user's data beyond the link's public facts."""

    owner_name: str = ""
    length_minutes: int = 0
    link_error: str = ""
    loaded: bool = False
    guest_tz: str = ""
    tz_error: str = ""
    days: list[dict[str, str]] = []
    selected_day: str = ""
    times: list[dict[str, str]] = []
    selected_start: str = ""
    form_error: str = ""
    form_error_field: str = ""
    pending: bool = False
    booking_key: str = ""
    confirmed: dict[str, str] = {}
    _slots: dict[str, list[str]] = {}
    _meeting_id: int = 0
    _owner_id: int = 0

    @rx.var
    def token(self) -> str:
        """The link token from the URL."""
        return str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]

    @rx.event
    def start(self):  # type: ignore[no-untyped-def]
        """On load: ask the browser for its time zone, then load the free times."""
        self.confirmed = {}
        self.selected_start = ""
        self.form_error = ""
        self.booking_key = uuid.uuid4().hex
        return rx.call_script(DETECT_ZONE, callback=GuestState.use_zone)

    @rx.event
    def use_zone(self, name: str) -> None:
        """Show times in `name` (detected in the browser)."""
        self._apply_zone(name)

    def _apply_zone(self, name: str) -> None:
        """Show times in `name`; an unknown zone keeps the current one and says why."""
        try:
            zone(name)
        except ValueError:
            self.tz_error = f"Unknown time zone '{name}'."
            if not self.guest_tz:
                self.guest_tz = "UTC"
            else:
                return
        else:
            self.tz_error = ""
            self.guest_tz = name
        self.refresh()

    @rx.event
    def zone_from_form(self, form: dict[str, str]) -> None:
        """The guest typed another time zone."""
        self._apply_zone(form.get("tz", "").strip())

    def refresh(self) -> None:
        """Reload the free times (after load, a zone change, or a taken slot)."""
        try:
            with session_scope() as session:
                view = guest_view.guest_view(
                    session=session, token=self.token, guest_time_zone=self.guest_tz, now=utcnow()
                )
        except LinkError as exc:
            self.link_error, self.loaded = exc.message, True
            return
        except InvalidInput as exc:
            self.tz_error = exc.message
            return
        self.link_error = ""
        self.owner_name, self.length_minutes = view.owner_name, view.length_minutes
        self._owner_id = view.owner_id
        strip = day_strip(((d.day, d.label, d.starts) for d in view.days), self.selected_day)
        self.days, self._slots, self.selected_day = strip
        self._fill_times()
        self.loaded = True

    def _fill_times(self) -> None:
        self.times, self.selected_start = day_times(
            self._slots, self.selected_day, self.selected_start, self.guest_tz
        )

    @rx.event
    def pick_day(self, day: str) -> None:
        """Show the free times of `day`."""
        self.selected_day = day
        self._fill_times()

    @rx.event
    def pick_time(self, iso: str) -> None:
        """Choose a start; the form appears."""
        self.selected_start = iso
        self.form_error = ""

    @rx.event
    async def confirm(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        """Book the chosen time; a repeated click carries the same key and books once."""
        if self.pending or not self.selected_start:
            return
        if refusal := await booking_refused(self.router, self.token):
            self.form_error, self.form_error_field = refusal, ""
            return
        self.pending = True
        # The owner trying their own link ("what will my contacts see") makes a test meeting.
        user = (await self.get_state(AuthState))._current_user()
        is_owner_test = user is not None and user.id == self._owner_id
        request = booking.BookingRequest(
            token=self.token,
            start=datetime.fromisoformat(self.selected_start),
            guest_name=form.get("name", ""),
            guest_email=form.get("email", ""),
            guest_time_zone=self.guest_tz,
            note=form.get("note", ""),
            booking_key=self.booking_key,
            is_test=is_owner_test,
        )
        try:
            booked = booking.book(engine=get_engine(), request=request, now=utcnow())
        except InvalidInput as exc:
            self.form_error, self.form_error_field = exc.message, exc.field
        except LinkError as exc:
            self.link_error = exc.message
        except booking.SlotTaken as exc:
            self.form_error, self.form_error_field = exc.message, "start"
            self.booking_key = uuid.uuid4().hex
            self.refresh()
        else:
            notify_calendars(booked.host_ids)
            tz = zone(self.guest_tz)
            start, end = booked.start.astimezone(tz), booked.end.astimezone(tz)
            self._meeting_id = booked.meeting_id
            self.confirmed = {
                "title": booked.title,
                "when": f"{start:%A %d %B %Y}",
                "time": f"{start:%H:%M}–{end:%H:%M} ({self.guest_tz})",
                "email": booked.guest_email,
                "test": "yes" if booked.is_test else "",
            }
        self.pending = False

    @rx.event
    def download_ics(self):  # type: ignore[no-untyped-def]
        """The booked meeting as an .ics file (only the meeting this browser booked)."""
        if not self._meeting_id:
            return None
        with session_scope() as session:
            data, meeting = meeting_ics(session=session, meeting_id=self._meeting_id, now=utcnow())
        return rx.download(data=data, filename=ics_filename(meeting.title, meeting.start_at))
