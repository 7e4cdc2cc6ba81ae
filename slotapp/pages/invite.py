"""The participant's page `/invite/<token>`: the meeting, its free times, pick and confirm."""

from __future__ import annotations

import reflex as rx

from slotapp.components.layout import public_page
from slotapp.components.ui import BUTTON, BUTTON_SECONDARY, CARD
from slotapp.pages.book import DAY, TIME
from slotapp.state.invite import InviteState as S

NOTICE = "rounded-xl bg-amber-50 border border-amber-300 p-3 text-amber-900"


def _day(day: rx.Var) -> rx.Component:
    selected = S.selected_day == day["day"]
    return rx.el.button(
        day["label"],
        on_click=S.pick_day(day["day"]),
        type="button",
        aria_pressed=rx.cond(selected, "true", "false"),
        class_name=rx.cond(
            selected,
            DAY + "bg-indigo-600 text-white border-indigo-600",
            DAY + "bg-white text-slate-800 border-indigo-300",
        ),
    )


def _time(slot: rx.Var) -> rx.Component:
    selected = S.selected_start == slot["iso"]
    return rx.el.button(
        slot["label"],
        on_click=S.pick_time(slot["iso"]),
        type="button",
        aria_pressed=rx.cond(selected, "true", "false"),
        class_name=rx.cond(
            selected,
            TIME + "bg-indigo-600 text-white border-indigo-600",
            TIME + "bg-white text-indigo-700 border-indigo-300",
        ),
    )


def _about() -> rx.Component:
    return rx.el.section(
        rx.el.p("Hello ", S.participant_name, ",", class_name="text-slate-600"),
        rx.el.h1(S.subject, class_name="text-2xl font-bold", id="invite-subject"),
        rx.el.p(
            "with ",
            S.inviter_name,
            " · ",
            S.duration,
            " minutes · ",
            S.meeting_type,
            class_name="text-slate-700",
        ),
        rx.cond(S.location != "", rx.el.p(S.location, class_name="text-slate-600")),
        rx.cond(
            S.description != "",
            rx.el.p(S.description, class_name="text-slate-700 whitespace-pre-line"),
        ),
        class_name=CARD + " space-y-2",
    )


def _picker() -> rx.Component:
    return rx.fragment(
        _about(),
        rx.cond(S.notice != "", rx.el.p(S.notice, role="alert", class_name=NOTICE, id="notice")),
        rx.el.section(
            rx.el.p("Times shown in ", S.time_zone, class_name="text-sm text-slate-600"),
            rx.cond(
                S.days.length() > 0,
                rx.fragment(
                    rx.el.h2("Pick a day", class_name="font-semibold"),
                    rx.el.div(
                        rx.foreach(S.days, _day),
                        class_name="flex gap-2 overflow-x-auto pb-2 -mx-1 px-1",
                        role="group",
                        aria_label="Days",
                    ),
                    rx.el.h2("Pick a time", class_name="font-semibold"),
                    rx.el.div(
                        rx.foreach(S.times, _time),
                        class_name="grid grid-cols-3 gap-2",
                        role="group",
                        aria_label="Times",
                    ),
                ),
                rx.el.p(
                    "No free times are left. Please contact ",
                    S.inviter_name,
                    ".",
                    class_name="text-slate-500",
                    id="no-times",
                ),
            ),
            class_name=CARD + " space-y-3",
        ),
        rx.cond(
            S.selected_start != "",
            rx.el.button(
                rx.cond(S.pending, "Booking…", "Confirm this time"),
                on_click=S.confirm,
                disabled=S.pending,
                type="button",
                class_name=BUTTON + " w-full",
                id="invite-confirm",
            ),
        ),
    )


def _line(label: str, value: rx.Var) -> rx.Component:
    return rx.cond(
        value != "",
        rx.el.p(rx.el.span(label, class_name="text-slate-500"), value, class_name="break-words"),
    )


def _booked() -> rx.Component:
    return rx.el.section(
        rx.cond(
            S.just_booked,
            rx.el.h1("You're booked", class_name="text-2xl font-bold text-emerald-700"),
            rx.el.h1("This meeting is booked", class_name="text-2xl font-bold"),
        ),
        rx.cond(S.notice != "", rx.el.p(S.notice, role="alert", class_name=NOTICE)),
        rx.el.p(S.booked["title"], class_name="font-semibold"),
        rx.el.p(S.booked["when"], id="confirmed-when"),
        rx.el.p(S.booked["time"], id="confirmed-time"),
        _line("With: ", S.booked["with"]),
        _line("Type: ", S.booked["type"]),
        _line("Where: ", S.booked["where"]),
        _line("Video: ", S.booked["video"]),
        _line("Conferencing: ", S.booked["conferencing"]),
        rx.cond(
            S.just_booked,
            rx.el.p(
                "A confirmation is on its way to ",
                S.booked["email"],
                ".",
                class_name="text-slate-600",
            ),
        ),
        rx.el.button(
            "Add to calendar (.ics)",
            on_click=S.download_ics,
            type="button",
            class_name=BUTTON_SECONDARY + " w-full",
            id="download-ics",
        ),
        class_name=CARD + " space-y-2",
        id="confirmation",
    )


def _inactive() -> rx.Component:
    return rx.el.section(
        rx.el.h1("Invitation not available", class_name="text-2xl font-bold"),
        rx.el.p(S.link_error, role="alert", class_name="text-slate-700"),
        class_name=CARD + " space-y-2",
        id="inactive",
    )


@rx.page(
    route="/invite/[token]",
    title="Your invitation · slotapp",
    description="Pick a time for the meeting you were invited to.",
    on_load=S.start,
)
def invite() -> rx.Component:
    """Public page: no login, only what the invitation shows its participant."""
    return public_page(
        rx.cond(
            S.link_error != "",
            _inactive(),
            rx.cond(
                S.booked.length() > 0,
                _booked(),
                rx.cond(
                    S.loaded,
                    _picker(),
                    rx.el.p("Loading free times…", class_name="text-slate-500"),
                ),
            ),
        ),
    )
