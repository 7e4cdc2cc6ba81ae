"""Notifications: turn them on for this device, choose what to be told, manage devices."""

from __future__ import annotations

import reflex as rx

from slotapp.components.layout import private_page
from slotapp.components.ui import BUTTON, BUTTON_SECONDARY, CARD
from slotapp.state.auth import AuthState
from slotapp.state.notifications import NotificationsState

ROUTE = "/notifications"
MUTED = "text-sm text-slate-600"
DOT = "inline-block shrink-0 w-2.5 h-2.5 rounded-full"
DEVICE_TEXT = (
    ("on", "This device gets notifications."),
    ("off", "Notifications are off on this device."),
    ("working", "Waiting for the browser…"),
    ("blocked", "Notifications are blocked for this site in the browser's settings."),
    (
        "install",
        "On iPhone and iPad, notifications work once slotapp is on the Home Screen: tap "
        "Share, then Add to Home Screen, and open it from there.",
    ),
    ("unsupported", "This browser cannot show notifications."),
)


def _this_device() -> rx.Component:
    state = NotificationsState.device
    return rx.el.section(
        # pwa.js clicks this when the browser has answered (see state.notifications).
        rx.el.button(
            on_click=rx.call_script("slotappPwa.take()", callback=NotificationsState.take_result),
            type="button",
            id="push-report",
            hidden=True,
            tab_index=-1,
            aria_hidden="true",
        ),
        rx.el.h1("Notifications", class_name="text-2xl font-bold"),
        rx.el.p(
            "A notification on your phone when something needs you: one line, and a tap opens it.",
            class_name="text-slate-600",
        ),
        rx.el.p(
            rx.el.span(
                class_name=rx.match(
                    state,
                    ("on", DOT + " bg-green-500"),
                    ("blocked", DOT + " bg-red-500"),
                    DOT + " bg-slate-400",
                ),
                aria_hidden="true",
            ),
            rx.match(state, *DEVICE_TEXT, "Checking this browser…"),
            class_name="font-medium flex items-baseline gap-2",
            id="device-state",
        ),
        rx.match(
            state,
            (
                "off",
                rx.el.button(
                    "Turn on notifications",
                    on_click=NotificationsState.enable,
                    type="button",
                    class_name=BUTTON + " w-full sm:w-auto",
                    id="push-enable",
                ),
            ),
            (
                "on",
                rx.el.button(
                    "Turn off on this device",
                    on_click=NotificationsState.disable,
                    type="button",
                    class_name=BUTTON_SECONDARY + " w-full sm:w-auto",
                    id="push-disable",
                ),
            ),
            rx.fragment(),
        ),
        rx.cond(
            NotificationsState.message != "",
            rx.el.p(NotificationsState.message, class_name="text-sm text-red-700", role="alert"),
        ),
        class_name=CARD + " space-y-3",
    )


def _switch(row: rx.Var) -> rx.Component:
    on = row["on"].to(str) != ""
    return rx.el.li(
        rx.cond(
            row["heading"].to(str) != "",
            rx.el.h3(
                row["heading"],
                class_name="pt-3 text-xs font-semibold uppercase tracking-wide text-slate-500",
            ),
        ),
        rx.el.button(
            rx.el.span(
                rx.el.span(row["label"], class_name="block font-semibold"),
                rx.el.span(row["description"], class_name="block " + MUTED),
                class_name="flex-1 text-left",
            ),
            rx.el.span(
                rx.el.span(
                    class_name=rx.cond(
                        on,
                        "block w-6 h-6 rounded-full bg-white shadow translate-x-5 transition",
                        "block w-6 h-6 rounded-full bg-white shadow transition",
                    )
                ),
                class_name=rx.cond(
                    on,
                    "shrink-0 w-12 h-7 p-0.5 rounded-full bg-indigo-600",
                    "shrink-0 w-12 h-7 p-0.5 rounded-full bg-slate-300",
                ),
                aria_hidden="true",
            ),
            on_click=NotificationsState.toggle(row["kind"].to(str)),
            type="button",
            role="switch",
            aria_checked=rx.cond(on, "true", "false"),
            id="switch-" + row["kind"].to(str),
            class_name="w-full min-h-12 py-3 flex items-center gap-4",
        ),
        class_name="border-b border-slate-100 last:border-0",
    )


def _switches() -> rx.Component:
    return rx.el.section(
        rx.el.h2("What to notify me about", class_name="text-lg font-bold"),
        rx.el.p("These apply to all your devices.", class_name=MUTED),
        rx.el.ul(rx.foreach(NotificationsState.switches, _switch), aria_label="Notify me about"),
        class_name=CARD + " space-y-2",
    )


def _device(row: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.div(
            rx.el.p(
                row["label"],
                rx.cond(
                    row["this"].to(str) != "",
                    rx.el.span(
                        "This device",
                        class_name="ml-2 px-2 rounded-full text-xs font-semibold "
                        "bg-indigo-100 text-indigo-800",
                    ),
                ),
                class_name="font-semibold",
            ),
            rx.el.p(row["added"], class_name=MUTED),
            class_name="flex-1 min-w-0",
        ),
        rx.el.button(
            "Remove",
            on_click=NotificationsState.remove(row["id"].to(str)),
            type="button",
            class_name=BUTTON_SECONDARY + " text-red-700 border-red-300",
            aria_label="Remove " + row["label"].to(str),
        ),
        class_name="flex items-center gap-3 py-3 border-b border-slate-100 last:border-0",
    )


def _devices() -> rx.Component:
    return rx.el.section(
        rx.el.h2("Your devices", class_name="text-lg font-bold"),
        rx.cond(
            NotificationsState.devices.length() > 0,
            rx.el.ul(rx.foreach(NotificationsState.devices, _device), id="push-devices"),
            rx.el.p(
                "No devices yet. Turn notifications on above on each phone or computer you use.",
                class_name=MUTED,
            ),
        ),
        class_name=CARD + " space-y-2",
    )


@rx.page(
    route=ROUTE,
    title="Notifications · slotapp",
    on_load=[AuthState.require_login, NotificationsState.load],
)
def notifications() -> rx.Component:
    """This device, the switches, the device list."""
    return private_page(_this_device(), _switches(), _devices())
