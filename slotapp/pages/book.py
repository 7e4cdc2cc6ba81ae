"""The guest booking page `/book/<token>`: pick a day, a time, give name and email, book."""

from __future__ import annotations

import reflex as rx

from slotapp import routes
from slotapp.components.layout import public_page
from slotapp.components.slot_picker import (
    book_button,
    booked_lines,
    confirmation_sent,
    ics_button,
    inactive,
    slot_picker,
)
from slotapp.components.ui import CARD, INPUT, field
from slotapp.state.guest import GuestState


def _no_times() -> rx.Component:
    return rx.el.p(
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
            slot_picker(
                days=GuestState.days,
                selected_day=GuestState.selected_day,
                pick_day=GuestState.pick_day,
                times=GuestState.times,
                selected_start=GuestState.selected_start,
                pick_time=GuestState.pick_time,
                no_times=_no_times(),
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
        book_button("Book", GuestState.pending, type="submit", id="book-submit"),
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
        booked_lines(GuestState.confirmed),
        confirmation_sent(GuestState.confirmed["email"]),
        ics_button(GuestState.download_ics),
        class_name=CARD + " space-y-2",
        id="confirmation",
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
            inactive("Link not available", GuestState.link_error),
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
