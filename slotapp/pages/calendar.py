"""Calendar: the user's meetings from today on."""

from __future__ import annotations

import reflex as rx

from slotapp import routes
from slotapp.components.layout import private_page
from slotapp.components.ui import CARD
from slotapp.state.auth import AuthState
from slotapp.state.calendar import CalendarState


def _item(item: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.p(item["day"], class_name="text-sm text-slate-500"),
        rx.el.p(item["time"], " · ", item["title"], class_name="font-semibold"),
        rx.el.p(item["guest"], class_name="text-slate-600 text-sm break-all"),
        rx.cond(
            item["status"] != "confirmed",
            rx.el.p(item["status"], class_name="text-red-700 text-sm"),
        ),
        rx.cond(item["test"] != "", rx.el.p("test meeting", class_name="text-amber-700 text-sm")),
        class_name="py-3 border-b border-slate-100 last:border-0",
    )


@rx.page(
    route=routes.CALENDAR,
    title="Calendar · slotapp",
    on_load=[AuthState.require_login, CalendarState.load],
)
def calendar() -> rx.Component:
    """Agenda of the coming two weeks."""
    return private_page(
        rx.el.section(
            rx.el.h1("Calendar", class_name="text-2xl font-bold"),
            rx.cond(
                CalendarState.items.length() > 0,
                rx.el.ul(rx.foreach(CalendarState.items, _item), id="agenda"),
                rx.el.p("No meetings in the next two weeks.", class_name="text-slate-500"),
            ),
            class_name=CARD + " space-y-2",
        ),
    )
