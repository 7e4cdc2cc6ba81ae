"""The pieces a guest books with: day strip, time grid, booking button, booked summary.

Shared by the booking page and the invitation page; each takes its state's vars and event
handlers as parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx

from slotapp.components.ui import BUTTON, BUTTON_SECONDARY, CARD

DAY = (
    "flex-none w-16 min-h-16 rounded-xl border text-center px-1 py-2 text-sm font-medium "
    "focus:outline-none focus-visible:ring-4 focus-visible:ring-indigo-300 "
)
TIME = (
    "min-h-12 rounded-xl border font-semibold text-base focus:outline-none "
    "focus-visible:ring-4 focus-visible:ring-indigo-300 "
)
PICKED = "bg-indigo-600 text-white border-indigo-600"

Pick = Callable[[Any], Any]
"""An event handler taking the picked value (`State.pick_day`, `State.pick_time`)."""


def _day(day: rx.Var, selected_day: rx.Var, pick_day: Pick) -> rx.Component:
    selected = selected_day == day["day"]
    empty = day["count"] == "0"
    return rx.el.button(
        day["label"],
        on_click=pick_day(day["day"]),
        disabled=empty,
        type="button",
        aria_pressed=rx.cond(selected, "true", "false"),
        class_name=rx.cond(
            selected,
            DAY + PICKED,
            rx.cond(
                empty,
                DAY + "bg-slate-100 text-slate-400 border-slate-200",
                DAY + "bg-white text-slate-800 border-indigo-300",
            ),
        ),
    )


def _time(slot: rx.Var, selected_start: rx.Var, pick_time: Pick) -> rx.Component:
    selected = selected_start == slot["iso"]
    return rx.el.button(
        slot["label"],
        on_click=pick_time(slot["iso"]),
        type="button",
        aria_pressed=rx.cond(selected, "true", "false"),
        class_name=rx.cond(
            selected,
            TIME + PICKED,
            TIME + "bg-white text-indigo-700 border-indigo-300",
        ),
    )


def slot_picker(
    *,
    days: rx.Var,
    selected_day: rx.Var,
    pick_day: Pick,
    times: rx.Var,
    selected_start: rx.Var,
    pick_time: Pick,
    no_times: rx.Component | None = None,
) -> rx.Component:
    """ "Pick a day" with its strip of day buttons, then "Pick a time" with the day's times.

    Args:
        days: [{"day", "label", "count"}]; a day with count "0" is shown disabled.
        selected_day: The ISO date shown.
        pick_day: Handler taking an ISO date.
        times: [{"iso", "label"}] of the shown day.
        selected_start: The ISO start picked ("" for none).
        pick_time: Handler taking an ISO start.
        no_times: Shown instead of the time grid while `times` is empty (None: the empty grid).
    """
    grid = rx.el.div(
        rx.foreach(times, lambda slot: _time(slot, selected_start, pick_time)),
        class_name="grid grid-cols-3 gap-2",
        role="group",
        aria_label="Times",
    )
    return rx.fragment(
        rx.el.h2("Pick a day", class_name="font-semibold"),
        rx.el.div(
            rx.foreach(days, lambda day: _day(day, selected_day, pick_day)),
            class_name="flex gap-2 overflow-x-auto pb-2 -mx-1 px-1",
            role="group",
            aria_label="Days",
        ),
        rx.el.h2("Pick a time", class_name="font-semibold"),
        grid if no_times is None else rx.cond(times.length() > 0, grid, no_times),
    )


def book_button(label: str, pending: rx.Var, **props: Any) -> rx.Component:
    """The full-width button that books; it says "Booking…" and is off while `pending`."""
    return rx.el.button(
        rx.cond(pending, "Booking…", label),
        disabled=pending,
        class_name=BUTTON + " w-full",
        **props,
    )


def booked_lines(booked: rx.Var) -> rx.Component:
    """A booked meeting's title, day (#confirmed-when) and time (#confirmed-time)."""
    return rx.fragment(
        rx.el.p(booked["title"], class_name="font-semibold"),
        rx.el.p(booked["when"], id="confirmed-when"),
        rx.el.p(booked["time"], id="confirmed-time"),
    )


def confirmation_sent(email: rx.Var) -> rx.Component:
    """Where the confirmation email went."""
    return rx.el.p("A confirmation is on its way to ", email, ".", class_name="text-slate-600")


def ics_button(download: rx.EventHandler) -> rx.Component:
    """Download the booked meeting as an .ics file."""
    return rx.el.button(
        "Add to calendar (.ics)",
        on_click=download,
        type="button",
        class_name=BUTTON_SECONDARY + " w-full",
        id="download-ics",
    )


def inactive(title: str, message: rx.Var) -> rx.Component:
    """The card shown instead of the page when its link cannot be used."""
    return rx.el.section(
        rx.el.h1(title, class_name="text-2xl font-bold"),
        rx.el.p(message, role="alert", class_name="text-slate-700"),
        class_name=CARD + " space-y-2",
        id="inactive",
    )
