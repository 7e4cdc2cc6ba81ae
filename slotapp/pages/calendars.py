"""Calendars: connect outside calendars as busy time; subscribe to the slotapp calendar."""

from __future__ import annotations

import reflex as rx

from slotapp.components.layout import private_page
from slotapp.components.ui import BUTTON, BUTTON_SECONDARY, CARD, INPUT, field
from slotapp.state.auth import AuthState
from slotapp.state.calendars import CalendarsState

CALENDARS = "/calendars"
DANGER = BUTTON_SECONDARY + " text-red-700 border-red-300"


def _feed(row: rx.Var) -> rx.Component:
    failed = row["error"].to(str) != ""
    confirming = CalendarsState.confirm_remove == row["id"].to(str)
    return rx.el.li(
        rx.el.p(row["name"], class_name="font-semibold break-words"),
        rx.el.p(row["address"], class_name="text-sm text-slate-500 break-all"),
        rx.el.p(row["status"], class_name="text-sm text-slate-600"),
        rx.cond(
            failed,
            rx.el.p(
                "Last try failed: ", row["error"], class_name="text-sm text-red-700", role="alert"
            ),
        ),
        rx.el.div(
            rx.el.button(
                rx.cond(CalendarsState.pending == row["id"].to(str), "Refreshing…", "Refresh now"),
                on_click=CalendarsState.refresh(row["id"].to(str)),
                disabled=CalendarsState.pending != "",
                type="button",
                class_name=BUTTON_SECONDARY,
            ),
            rx.el.button(
                rx.cond(confirming, "Yes, remove", "Remove"),
                on_click=CalendarsState.remove(row["id"].to(str)),
                type="button",
                class_name=DANGER,
            ),
            class_name="grid grid-cols-2 gap-2",
        ),
        rx.cond(
            confirming,
            rx.el.button(
                "Keep it", on_click=CalendarsState.keep, type="button", class_name=BUTTON_SECONDARY
            ),
        ),
        class_name="py-4 border-b border-slate-100 last:border-0 space-y-2",
    )


def _connected() -> rx.Component:
    return rx.el.section(
        rx.el.h1("Connected calendars", class_name="text-2xl font-bold"),
        rx.el.p(
            "Times that are busy in these calendars are not offered to your guests. Events "
            "marked free and cancelled events are ignored; all-day events block the whole day "
            "in your time zone. Calendars are read again every 30 minutes.",
            class_name="text-sm text-slate-600",
        ),
        rx.cond(
            CalendarsState.feeds.length() > 0,
            rx.el.ul(rx.foreach(CalendarsState.feeds, _feed), id="feeds"),
            rx.el.p("No calendar connected yet.", class_name="text-slate-500"),
        ),
        rx.el.form(
            field(
                "Calendar address (iCal)",
                rx.el.input(
                    name="url",
                    type="url",
                    input_mode="url",
                    auto_complete="off",
                    placeholder="https://…/basic.ics",
                    class_name=INPUT,
                    id="feed-url",
                ),
                error=CalendarsState.errors["url"],
                hint="The secret address in iCal format from Google, Outlook or Nextcloud.",
            ),
            field(
                "Name (optional)",
                rx.el.input(name="name", placeholder="Work", class_name=INPUT, id="feed-name"),
                error=CalendarsState.errors["name"],
            ),
            rx.el.button(
                rx.cond(CalendarsState.pending == "add", "Connecting…", "Connect calendar"),
                type="submit",
                disabled=CalendarsState.pending != "",
                class_name=BUTTON + " w-full",
                id="add-feed",
            ),
            key=CalendarsState.form_key,
            on_submit=CalendarsState.add,
            class_name="space-y-4 pt-2",
        ),
        class_name=CARD + " space-y-4",
    )


def _address() -> rx.Component:
    return rx.el.div(
        rx.el.input(
            value=CalendarsState.subscribe_url,
            read_only=True,
            class_name=INPUT,
            id="subscribe-url",
            aria_label="Your private calendar address",
        ),
        rx.el.div(
            rx.el.button(
                "Copy address",
                on_click=[
                    rx.set_clipboard(CalendarsState.subscribe_url),
                    CalendarsState.mark_copied,
                ],
                type="button",
                class_name=BUTTON,
                id="copy-subscribe-url",
            ),
            rx.el.a(
                "Open in calendar app", href=CalendarsState.webcal_url, class_name=BUTTON_SECONDARY
            ),
            class_name="grid grid-cols-1 sm:grid-cols-2 gap-2",
        ),
        rx.cond(
            CalendarsState.copied,
            rx.el.p("Address copied.", role="status", class_name="text-emerald-700"),
        ),
        rx.cond(
            CalendarsState.confirm_renew,
            rx.el.p(
                "The current address stops working at once; calendars subscribed to it "
                "need the new one.",
                role="alert",
                class_name="text-sm text-amber-800",
            ),
        ),
        rx.el.div(
            rx.el.button(
                rx.cond(CalendarsState.confirm_renew, "Yes, make a new one", "Make a new address"),
                on_click=CalendarsState.subscribe(True),
                type="button",
                class_name=DANGER,
                id="renew-subscribe-url",
            ),
            rx.cond(
                CalendarsState.confirm_renew,
                rx.el.button(
                    "Keep it",
                    on_click=CalendarsState.keep,
                    type="button",
                    class_name=BUTTON_SECONDARY,
                ),
                rx.el.button(
                    "Turn off",
                    on_click=CalendarsState.unsubscribe,
                    type="button",
                    class_name=BUTTON_SECONDARY,
                ),
            ),
            class_name="grid grid-cols-1 sm:grid-cols-2 gap-2",
        ),
        class_name="space-y-3",
    )


def _subscribe() -> rx.Component:
    return rx.el.section(
        rx.el.h2("Subscribe to my slotapp calendar", class_name="text-lg font-semibold"),
        rx.el.p(
            "Your slotapp meetings in Google Calendar, Outlook or your phone: add this private "
            "address as a calendar subscription. Anyone with the address can read your "
            "meetings, so share it with no one.",
            class_name="text-sm text-slate-600",
        ),
        rx.cond(
            CalendarsState.subscribe_url != "",
            _address(),
            rx.el.button(
                "Create my calendar address",
                on_click=CalendarsState.subscribe(False),
                type="button",
                class_name=BUTTON + " w-full",
                id="create-subscribe-url",
            ),
        ),
        class_name=CARD + " space-y-4",
    )


@rx.page(
    route=CALENDARS,
    title="Calendars · slotapp",
    on_load=[AuthState.require_login, CalendarsState.load],
)
def calendars() -> rx.Component:
    """Connected calendars first (they change what guests see), then the subscription."""
    return private_page(_connected(), _subscribe())
