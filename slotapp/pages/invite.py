"""The participant's page `/invite/<token>`: the meeting, its free times, pick and confirm."""

from __future__ import annotations

import reflex as rx

from slotapp.components.layout import public_page
from slotapp.components.slot_picker import (
    book_button,
    booked_lines,
    confirmation_sent,
    ics_button,
    inactive,
    slot_picker,
)
from slotapp.components.ui import CARD
from slotapp.state.invite import InviteState as S

NOTICE = "rounded-xl bg-amber-50 border border-amber-300 p-3 text-amber-900"


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
                slot_picker(
                    days=S.days,
                    selected_day=S.selected_day,
                    pick_day=S.pick_day,
                    times=S.times,
                    selected_start=S.selected_start,
                    pick_time=S.pick_time,
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
            book_button(
                "Confirm this time",
                S.pending,
                on_click=S.confirm,
                type="button",
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
        booked_lines(S.booked),
        _line("With: ", S.booked["with"]),
        _line("Type: ", S.booked["type"]),
        _line("Where: ", S.booked["where"]),
        _line("Video: ", S.booked["video"]),
        _line("Conferencing: ", S.booked["conferencing"]),
        rx.cond(S.just_booked, confirmation_sent(S.booked["email"])),
        ics_button(S.download_ics),
        class_name=CARD + " space-y-2",
        id="confirmation",
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
            inactive("Invitation not available", S.link_error),
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
