"""The page frame: a header with the app name and menu, content below, phone-first."""

from __future__ import annotations

import reflex as rx

from slotapp import routes
from slotapp.components.ui import spinner
from slotapp.state.auth import AuthState

NAV = (
    "px-2 min-h-12 inline-flex items-center text-sm whitespace-nowrap "
    "text-slate-700 hover:text-indigo-700"
)


MENU_ITEM = (
    "flex items-center min-h-12 px-4 text-base text-slate-800 hover:bg-slate-50 "
    "border-b border-slate-100 last:border-0"
)
# Pages in the menu; Outbox is added for admins.
MENU = (
    ("Calendar", routes.CALENDAR),
    ("Inbox", "/inbox"),
    ("Open slots", routes.SLOTS),
    ("Shared links", "/links"),
    ("Connected calendars", "/calendars"),
    ("Invitations", "/activity"),
    ("Notifications", "/notifications"),
    ("Account", "/account"),
)


def _menu() -> rx.Component:
    """A native disclosure: works without extra JavaScript and at any width."""
    return rx.el.details(
        rx.el.summary(
            "Menu",
            class_name="list-none cursor-pointer min-h-12 px-3 inline-flex items-center "
            "rounded-xl border border-slate-300 text-sm font-semibold",
            id="menu",
        ),
        rx.el.nav(
            *[rx.el.a(label, href=href, class_name=MENU_ITEM) for label, href in MENU],
            rx.cond(
                AuthState.is_admin,
                rx.fragment(
                    rx.el.a("Outbox", href="/outbox", class_name=MENU_ITEM),
                    rx.el.a("Rooms", href="/rooms", class_name=MENU_ITEM),
                    rx.el.a("Channels", href="/channels", class_name=MENU_ITEM),
                    rx.el.a("People", href="/people", class_name=MENU_ITEM),
                ),
            ),
            # Shown by pwa.js only while the browser offers to install the app.
            rx.el.button(
                "Install app",
                type="button",
                id="install-app",
                class_name=MENU_ITEM.replace("flex ", "hidden ", 1).replace(
                    "text-slate-800", "text-indigo-700 font-semibold"
                )
                + " w-full text-left",
            ),
            rx.el.button(
                "Log out",
                # Caches and this browser's push subscription go first (assets/pwa.js).
                on_click=[rx.call_script("window.slotappPwa?.forget()"), AuthState.logout],
                class_name=MENU_ITEM + " w-full text-left text-red-700",
                type="button",
                id="logout",
            ),
            class_name="absolute right-0 mt-2 w-64 bg-white rounded-xl shadow-lg "
            "border border-slate-200 overflow-hidden",
            aria_label="Main",
        ),
        class_name="relative",
    )


def _header() -> rx.Component:
    return rx.el.header(
        rx.el.div(
            rx.el.nav(
                rx.el.a(
                    "slotapp",
                    href=routes.HOME,
                    class_name="min-h-12 inline-flex items-center text-xl font-bold "
                    "text-indigo-700",
                ),
                rx.el.a("Calendar", href=routes.CALENDAR, class_name=NAV),
                rx.el.a("Open slots", href=routes.SLOTS, class_name=NAV),
                class_name="flex items-center gap-1",
            ),
            rx.el.div(
                rx.el.span(AuthState.user_name, class_name="hidden sm:inline text-slate-600 mr-3"),
                _menu(),
                class_name="flex items-center",
            ),
            class_name="max-w-3xl mx-auto flex items-center justify-between px-3 py-1",
        ),
        class_name="bg-white border-b border-slate-200 sticky top-0 z-10",
    )


def private_page(*children: rx.Component) -> rx.Component:
    """A page only a logged-in user sees; nothing private renders before the check."""
    return rx.el.div(
        rx.cond(
            AuthState.logged_in,
            rx.fragment(
                _header(),
                rx.el.main(*children, class_name="max-w-3xl mx-auto px-4 py-6 space-y-6"),
            ),
            spinner(),
        ),
        class_name="min-h-screen bg-slate-50 text-slate-900",
    )


def public_page(*children: rx.Component) -> rx.Component:
    """A page for anyone (login, guest booking): no header menu, centred column."""
    return rx.el.div(
        rx.el.main(*children, class_name="max-w-md mx-auto px-4 py-8 space-y-6"),
        class_name="min-h-screen bg-slate-50 text-slate-900",
    )
