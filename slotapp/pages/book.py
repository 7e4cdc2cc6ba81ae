"""The guest booking page `/book/<token>`: pick a day, a time, give name and email, book."""

from __future__ import annotations

import reflex as rx

from slotapp import routes
from slotapp.components.layout import public_page
from slotapp.components.ui import BUTTON, BUTTON_SECONDARY, CARD, INPUT, field
from slotapp.state.guest import GuestState

DAY = (
    "flex-none w-16 min-h-16 rounded-xl border text-center px-1 py-2 text-sm font-medium "
    "focus:outline-none focus-visible:ring-4 focus-visible:ring-indigo-300 "
)
TIME = (
    "min-h-12 rounded-xl border font-semibold text-base focus:outline-none "
    "focus-visible:ring-4 focus-visible:ring-indigo-300 "
)


def _day(day: rx.Var) -> rx.Component:
    selected = GuestState.selected_day == day["day"]
    empty = day["count"] == "0"
    return rx.el.button(
        day["label"],
        on_click=GuestState.pick_day(day["day"]),
        disabled=empty,
        type="button",
        aria_pressed=rx.cond(selected, "true", "false"),
        class_name=rx.cond(
            selected,
            DAY + "bg-indigo-600 text-white border-indigo-600",
            rx.cond(
                empty,
                DAY + "bg-slate-100 text-slate-400 border-slate-200",
                DAY + "bg-white text-slate-800 border-indigo-300",
            ),
        ),
    )


def _time(slot: rx.Var) -> rx.Component:
    selected = GuestState.selected_start == slot["iso"]
    return rx.el.button(
        slot["label"],
        on_click=GuestState.pick_time(slot["iso"]),
        type="button",
        aria_pressed=rx.cond(selected, "true", "false"),
        class_name=rx.cond(
            selected,
            TIME + "bg-indigo-600 text-white border-indigo-600",
            TIME + "bg-white text-indigo-700 border-indigo-300",
        ),
    )


def _picker() -> rx.Component:
    return rx.fragment(
        rx.el.section(
            rx.el.h1(
                "Book a meeting with ", GuestState.owner_name, class_name="text-2xl font-bold"
            ),
            rx.el.p(GuestState.length_minutes, " minutes", class_name="text-slate-600"),
            rx.el.form(
                field(
                    "Times shown in",
                    rx.el.input(
                        name="tz",
                        default_value=GuestState.guest_tz,
                        key=GuestState.guest_tz,
                        class_name=INPUT,
                        id="guest-tz",
                        auto_complete="off",
                    ),
                    error=GuestState.tz_error,
                ),
                on_submit=GuestState.zone_from_form,
            ),
            class_name=CARD + " space-y-3",
        ),
        rx.el.section(
            rx.el.h2("Pick a day", class_name="font-semibold"),
            rx.el.div(
                rx.foreach(GuestState.days, _day),
                class_name="flex gap-2 overflow-x-auto pb-2 -mx-1 px-1",
                role="group",
                aria_label="Days",
            ),
            rx.el.h2("Pick a time", class_name="font-semibold"),
            rx.cond(
                GuestState.times.length() > 0,
                rx.el.div(
                    rx.foreach(GuestState.times, _time),
                    class_name="grid grid-cols-3 gap-2",
                    role="group",
                    aria_label="Times",
                ),
                rx.el.p(
                    # No day has a time at all (the owner sees the same warning on the link).
                    rx.cond(
                        GuestState.selected_day == "",
                        rx.el.span(
                            "No times available in the coming ",
                            GuestState.days.length() - 1,
                            " days.",
                        ),
                        "No free times on this day.",
                    ),
                    class_name="text-slate-500",
                    id="no-times",
                ),
            ),
            class_name=CARD + " space-y-3",
        ),
        rx.cond(
            (GuestState.form_error_field == "start") & (GuestState.form_error != ""),
            rx.el.p(
                GuestState.form_error,
                role="alert",
                class_name="rounded-xl bg-amber-50 border border-amber-300 p-3 text-amber-900",
            ),
        ),
        rx.cond(GuestState.selected_start != "", _form()),
    )


def _form() -> rx.Component:
    return rx.el.form(
        rx.el.h2("Your details", class_name="font-semibold"),
        field(
            "Name",
            rx.el.input(
                name="name", required=True, auto_complete="name", class_name=INPUT, id="guest-name"
            ),
        ),
        field(
            "Email",
            rx.el.input(
                name="email",
                type="email",
                required=True,
                auto_complete="email",
                class_name=INPUT,
                id="guest-email",
            ),
        ),
        field(
            "Note (optional)",
            rx.el.textarea(name="note", rows=3, class_name=INPUT + " py-2", id="guest-note"),
        ),
        rx.cond(
            (GuestState.form_error != "") & (GuestState.form_error_field != "start"),
            rx.el.p(GuestState.form_error, role="alert", class_name="text-red-700 text-sm"),
        ),
        rx.el.button(
            rx.cond(GuestState.pending, "Booking…", "Book"),
            type="submit",
            disabled=GuestState.pending,
            class_name=BUTTON + " w-full",
            id="book-submit",
        ),
        on_submit=GuestState.confirm,
        class_name=CARD + " space-y-4",
    )


def _confirmation() -> rx.Component:
    return rx.el.section(
        rx.el.h1("You're booked", class_name="text-2xl font-bold text-emerald-700"),
        rx.cond(
            GuestState.confirmed["test"] != "",
            rx.el.p("Test meeting: nobody was emailed.", class_name="text-amber-700"),
        ),
        rx.el.p(GuestState.confirmed["title"], class_name="font-semibold"),
        rx.el.p(GuestState.confirmed["when"], id="confirmed-when"),
        rx.el.p(GuestState.confirmed["time"], id="confirmed-time"),
        rx.el.p(
            "A confirmation is on its way to ",
            GuestState.confirmed["email"],
            ".",
            class_name="text-slate-600",
        ),
        rx.el.button(
            "Add to calendar (.ics)",
            on_click=GuestState.download_ics,
            type="button",
            class_name=BUTTON_SECONDARY + " w-full",
            id="download-ics",
        ),
        class_name=CARD + " space-y-2",
        id="confirmation",
    )


def _inactive() -> rx.Component:
    return rx.el.section(
        rx.el.h1("Link not available", class_name="text-2xl font-bold"),
        rx.el.p(GuestState.link_error, role="alert", class_name="text-slate-700"),
        class_name=CARD + " space-y-2",
        id="inactive",
    )


@rx.page(
    route=routes.BOOK,
    title="Book a meeting · slotapp",
    description="Pick a free time and book a meeting.",
    on_load=GuestState.start,
)
def book() -> rx.Component:
    """Guest page: no login, only the link's public facts."""
    return public_page(
        rx.cond(
            GuestState.link_error != "",
            _inactive(),
            rx.cond(
                GuestState.confirmed.length() > 0,
                _confirmation(),
                rx.cond(
                    GuestState.loaded,
                    _picker(),
                    rx.el.p("Loading free times…", class_name="text-slate-500"),
                ),
            ),
        ),
    )
