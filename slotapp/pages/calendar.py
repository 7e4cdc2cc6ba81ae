"""Calendar: the user's meetings as an agenda or a week grid; new bookings appear live."""

from __future__ import annotations

import reflex as rx

from slotapp import routes
from slotapp.components.layout import private_page
from slotapp.components.ui import BUTTON_SECONDARY, CARD, segmented
from slotapp.state.auth import AuthState
from slotapp.state.calendar import BlockView, CalendarState, DayView

TAB = "flex-1 min-h-12 rounded-xl font-semibold text-sm"
TAB_ON = TAB + " bg-indigo-600 text-white"
TAB_OFF = TAB + " bg-white text-slate-700 border border-slate-300"
HOUR_PX = 56  # one hour on the week grid


def _item(item: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.a(
            rx.el.p(item["day"], class_name="text-sm text-slate-500"),
            rx.el.p(item["time"], " · ", item["title"], class_name="font-semibold"),
            rx.el.p(item["guest"], class_name="text-slate-600 text-sm break-all"),
            rx.cond(
                item["status"] != "confirmed",
                rx.el.p(item["status"], class_name="text-red-700 text-sm"),
            ),
            rx.cond(
                item["test"] != "", rx.el.p("test meeting", class_name="text-amber-700 text-sm")
            ),
            href=item["href"],
            class_name="block py-3 min-h-12 hover:bg-slate-50 -mx-2 px-2 rounded-lg",
        ),
        class_name="border-b border-slate-100 last:border-0",
    )


def _tabs() -> rx.Component:
    return segmented(
        [("agenda", "Agenda"), ("week", "Week")],
        selected=CalendarState.view,
        on_pick=CalendarState.show,
        id_prefix="view-",
        label="Calendar view",
        class_name="flex gap-2",
        on_class=TAB_ON,
        off_class=TAB_OFF,
    )


def _agenda() -> rx.Component:
    return rx.cond(
        CalendarState.items.length() > 0,
        rx.el.ul(rx.foreach(CalendarState.items, _item), id="agenda"),
        rx.el.p("No meetings in the next two weeks.", class_name="text-slate-500"),
    )


def _block(block: BlockView) -> rx.Component:
    return rx.el.a(
        rx.el.span(block.label, class_name="block font-semibold"),
        rx.el.span(block.title, class_name="block"),
        href=block.href,
        title=block.label + " " + block.title,
        class_name=rx.cond(
            block.muted,
            "absolute overflow-hidden rounded-md p-0.5 text-[10px] leading-tight "
            "bg-slate-200 text-slate-500 line-through border border-white",
            "absolute overflow-hidden rounded-md p-0.5 text-[10px] leading-tight "
            "bg-indigo-600 text-white border border-white",
        ),
        style={"top": block.top, "height": block.height, "left": block.left, "width": block.width},
    )


def _day(day: DayView) -> rx.Component:
    return rx.el.div(
        rx.el.div(
            rx.el.span(day.weekday, class_name="block text-[11px] text-slate-500"),
            rx.el.span(
                day.day,
                class_name=rx.cond(
                    day.today,
                    "inline-flex w-7 h-7 items-center justify-center rounded-full "
                    "bg-indigo-600 text-white font-semibold",
                    "inline-flex w-7 h-7 items-center justify-center font-semibold",
                ),
            ),
            class_name="h-12 text-center",
        ),
        rx.el.div(
            rx.foreach(day.blocks, _block),
            class_name="relative border-l border-slate-200",
            style={"height": f"calc({HOUR_PX}px * {CalendarState.hours.length()})"},
        ),
        class_name="flex-1 min-w-0",
    )


def _week() -> rx.Component:
    return rx.el.div(
        rx.el.div(
            rx.el.button(
                "‹",
                on_click=CalendarState.move_week(-1),
                class_name=BUTTON_SECONDARY,
                aria_label="Previous week",
                type="button",
                id="week-prev",
            ),
            rx.el.button(
                CalendarState.week_title,
                on_click=CalendarState.move_week(0),
                class_name="flex-1 min-h-12 font-semibold",
                type="button",
                aria_label="Back to this week",
            ),
            rx.el.button(
                "›",
                on_click=CalendarState.move_week(1),
                class_name=BUTTON_SECONDARY,
                aria_label="Next week",
                type="button",
                id="week-next",
            ),
            class_name="flex items-center gap-2",
        ),
        rx.el.div(
            rx.el.div(
                rx.el.div(class_name="h-12"),
                rx.foreach(
                    CalendarState.hours,
                    lambda h: rx.el.div(
                        h,
                        class_name="relative -top-1.5 text-[10px] text-slate-400 text-right pr-1",
                        style={"height": f"{HOUR_PX}px"},
                    ),
                ),
                class_name="w-6 shrink-0",
            ),
            rx.foreach(CalendarState.week, _day),
            class_name="flex mt-2",
            id="week",
            style={
                "backgroundImage": "linear-gradient(to bottom, #e2e8f0 1px, transparent 1px)",
                "backgroundSize": f"100% {HOUR_PX}px",
                "backgroundPosition": "0 48px",
            },
        ),
    )


@rx.page(
    route=routes.CALENDAR,
    title="Calendar · slotapp",
    on_load=[AuthState.require_login, CalendarState.load],
)
def calendar() -> rx.Component:
    """Agenda of the coming two weeks, or a week grid."""
    return private_page(
        rx.el.section(
            rx.el.h1("Calendar", class_name="text-2xl font-bold"),
            _tabs(),
            rx.cond(CalendarState.view == "week", _week(), _agenda()),
            rx.el.p(
                CalendarState.refreshed,
                id="calendar-refreshed",
                class_name="hidden",
                aria_hidden="true",
            ),
            class_name=CARD + " space-y-4",
        ),
    )
