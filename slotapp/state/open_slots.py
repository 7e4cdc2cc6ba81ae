"""The owner's Open slots page: switch, link, QR, settings."""

from __future__ import annotations

from datetime import date

import reflex as rx

from slotapp import routes
from slotapp.clock import utcnow
from slotapp.core.slot_settings import (
    WEEKDAYS,
    SettingsError,
    SlotSettings,
    day_text,
    parse_day_text,
)
from slotapp.core.validation import is_whole_number
from slotapp.db import session_scope
from slotapp.services import links, slot_settings
from slotapp.services.keys import secret_key
from slotapp.settings import get_settings
from slotapp.state.auth import AuthState

NUMBERS = (
    "length_minutes",
    "step_minutes",
    "min_notice_minutes",
    "booking_window_days",
    "buffer_before_minutes",
    "buffer_after_minutes",
    "daily_limit",
)


class OpenSlotsState(rx.State):
    """Form values are strings as typed; the service decides what is valid."""

    enabled: bool = False
    link_url: str = ""
    token: str = ""
    show_qr: bool = False
    copied: bool = False
    hours: list[str] = [""] * 7
    numbers: dict[str, str] = {}
    days_off: str = ""
    errors: dict[str, str] = {}
    saved: bool = False

    async def _user_id(self) -> int | None:
        user = (await self.get_state(AuthState))._current_user()
        return user.id if user else None

    @rx.event
    async def load(self):  # type: ignore[no-untyped-def]
        """On load, after the login check: read the user's switch, link and settings."""
        uid = await self._user_id()
        if uid is None:
            return
        with session_scope() as session:
            self.enabled = slot_settings.open_slots_enabled(session=session, user_id=uid)
            link = links.open_link(session=session, owner_id=uid) if self.enabled else None
            self._show_link(links.token_for(link, secret_key()) if link else None)
            current = slot_settings.load_settings(session=session, user_id=uid)
        self.hours = [day_text(current.weekly.get(d, ())) for d in range(7)]
        self.numbers = {
            n: "" if getattr(current, n) is None else str(getattr(current, n)) for n in NUMBERS
        }
        self.days_off = ", ".join(
            d.isoformat() for d, r in sorted(current.overrides.items()) if not r
        )
        self.errors, self.saved, self.copied, self.show_qr = {}, False, False, False

    def _show_link(self, token: str | None) -> None:
        self.token = token or ""
        self.link_url = get_settings().base_url + routes.booking_path(token) if token else ""

    @rx.event
    async def switch(self, on: bool) -> None:
        """Switch open slots on (a link appears) or off (every link closes at once).

        The browser sends the state the user asked for, so a tap made before the page
        finished loading cannot flip the switch the wrong way.
        """
        uid = await self._user_id()
        if uid is None:
            return
        with session_scope() as session:
            token = links.set_open_slots(
                session=session,
                owner_id=uid,
                enabled=on,
                secret=secret_key(),
                now=utcnow(),
            )
        self.enabled = token is not None
        self._show_link(token)
        self.copied = self.show_qr = False

    @rx.event
    def mark_copied(self) -> None:
        """The browser copied the link: say so."""
        self.copied = True

    @rx.event
    def toggle_qr(self) -> None:
        """Show or hide the QR code of the link."""
        self.show_qr = not self.show_qr

    @rx.event
    async def save(self, form: dict[str, str]) -> None:
        """Check and store the settings; errors appear next to their fields."""
        uid = await self._user_id()
        if uid is None:
            return
        self.saved = False
        errors: dict[str, str] = {}
        weekly = {}
        for day in range(7):
            text = form.get(f"hours-{day}", "")
            self.hours[day] = text
            try:
                weekly[day] = parse_day_text(text)
            except ValueError as exc:
                errors[f"hours-{day}"] = str(exc)
        values: dict[str, int | None] = {}
        for name in NUMBERS:
            raw = form.get(name, "").strip()
            self.numbers[name] = raw
            if raw == "" and name in ("step_minutes", "daily_limit"):
                values[name] = None
            elif is_whole_number(raw):
                values[name] = int(raw)
            else:
                errors[name] = "Enter a whole number."
        self.days_off = form.get("days_off", "")
        overrides: dict[date, tuple[()]] = {}
        for part in filter(None, (p.strip() for p in self.days_off.split(","))):
            try:
                overrides[date.fromisoformat(part)] = ()
            except ValueError:
                errors["days_off"] = f"'{part}' is not a date like 2026-12-24."
        if not errors:
            try:
                with session_scope() as session:
                    slot_settings.save_settings(
                        session=session,
                        user_id=uid,
                        now=utcnow(),
                        settings=SlotSettings(weekly=weekly, overrides=overrides, **values),  # type: ignore[arg-type]
                    )
            except SettingsError as exc:
                errors = exc.errors
        self.errors = errors
        self.saved = not errors

    @rx.var
    def weekday_rows(self) -> list[dict[str, str]]:
        """One row per weekday for the form."""
        return [
            {
                "day": str(i),
                "name": WEEKDAYS[i],
                "value": self.hours[i] if i < len(self.hours) else "",
                "error": self.errors.get(f"hours-{i}", ""),
            }
            for i in range(7)
        ]


class QrState(OpenSlotsState):
    """The QR image address (the API answers on the backend's address in dev mode)."""

    @rx.var
    def qr_src(self) -> str:
        """SVG QR code of the live link."""
        return routes.backend_url(f"/api/qr/{self.token}.svg") if self.token else ""

    @rx.var
    def qr_png(self) -> str:
        """PNG download of the same QR code."""
        return routes.backend_url(f"/api/qr/{self.token}.png?download=1") if self.token else ""
