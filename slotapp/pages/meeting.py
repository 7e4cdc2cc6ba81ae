"""Meeting detail: name, place, attendees and video room; decline; admins move it."""

from __future__ import annotations

import reflex as rx

from slotapp import routes
from slotapp.components.layout import private_page
from slotapp.components.ui import BUTTON, BUTTON_SECONDARY, CARD, INPUT, field
from slotapp.state.auth import AuthState
from slotapp.state.meeting import MeetingState

ROUTE = "/meetings/[meeting_id]"
DANGER = (
    "inline-flex items-center justify-center min-h-12 px-5 rounded-xl font-semibold "
    "bg-red-600 text-white hover:bg-red-700 focus:outline-none focus-visible:ring-4 "
    "focus-visible:ring-red-300"
)


def _error(name: str) -> rx.Var:
    return rx.cond(MeetingState.error_field == name, MeetingState.error, "")


def _facts() -> rx.Component:
    return rx.el.section(
        rx.el.h1(
            MeetingState.title, class_name="text-2xl font-bold break-words", id="meeting-title"
        ),
        rx.el.p(MeetingState.when, class_name="text-slate-700"),
        rx.el.p(MeetingState.time, class_name="font-semibold", id="meeting-time"),
        rx.cond(
            MeetingState.status != "confirmed",
            rx.el.p(
                "Declined: this meeting will not take place.",
                class_name="text-red-700 font-semibold",
                id="meeting-status",
            ),
        ),
        rx.cond(
            MeetingState.is_test,
            rx.el.p("Test meeting: nobody was emailed.", class_name="text-amber-700"),
        ),
        rx.el.dl(
            rx.el.dt("Guest", class_name="text-sm text-slate-500"),
            rx.el.dd(MeetingState.guest, class_name="break-all"),
            rx.el.dt("Guest's time zone", class_name="text-sm text-slate-500 mt-2"),
            rx.el.dd(MeetingState.guest_zone),
            rx.el.dt("Organizer", class_name="text-sm text-slate-500 mt-2"),
            rx.el.dd(MeetingState.organizer),
            rx.el.dt("People", class_name="text-sm text-slate-500 mt-2"),
            rx.el.dd(
                rx.el.ul(
                    rx.foreach(
                        MeetingState.attendees,
                        lambda a: rx.el.li(a["name"], " (", a["role"], ")"),
                    ),
                    id="meeting-people",
                )
            ),
            rx.cond(
                MeetingState.location != "",
                rx.fragment(
                    rx.el.dt("Location", class_name="text-sm text-slate-500 mt-2"),
                    rx.el.dd(MeetingState.location, class_name="break-words"),
                ),
            ),
            rx.cond(
                MeetingState.video_url != "",
                rx.fragment(
                    rx.el.dt("Video", class_name="text-sm text-slate-500 mt-2"),
                    rx.el.dd(
                        rx.el.a(
                            MeetingState.video_url,
                            href=MeetingState.video_url,
                            target="_blank",
                            rel="noopener",
                            class_name="text-indigo-700 underline break-all",
                            id="meeting-video",
                        )
                    ),
                ),
            ),
            rx.cond(
                MeetingState.note != "",
                rx.fragment(
                    rx.el.dt("Note from the guest", class_name="text-sm text-slate-500 mt-2"),
                    rx.el.dd(MeetingState.note, class_name="whitespace-pre-wrap break-words"),
                ),
            ),
        ),
        class_name=CARD + " space-y-1",
    )


def _option(option: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.label(
            rx.el.input(
                type="checkbox",
                checked=MeetingState.chosen.contains(option["id"]),
                on_change=lambda _: MeetingState.toggle_attendee(option["id"]),
                class_name="w-5 h-5",
            ),
            rx.el.span(option["name"]),
            rx.el.span(option["department"], class_name="text-sm text-slate-500"),
            class_name="flex items-center gap-3 min-h-12",
        ),
    )


def _edit() -> rx.Component:
    return rx.el.form(
        rx.el.h2("Details", class_name="text-lg font-semibold"),
        field(
            "Name",
            rx.el.input(
                name="title",
                default_value=MeetingState.title,
                class_name=INPUT,
                id="edit-title",
                key=MeetingState.title,
            ),
            error=_error("title"),
        ),
        field(
            "Location",
            rx.el.input(
                name="location",
                default_value=MeetingState.location,
                class_name=INPUT,
                placeholder="Address or room",
                id="edit-location",
                key=MeetingState.location,
            ),
            error=_error("location"),
        ),
        rx.el.label(
            rx.el.input(
                type="checkbox",
                checked=MeetingState.video_on,
                on_change=lambda _: MeetingState.toggle_video(),
                class_name="w-5 h-5",
            ),
            rx.el.span("Video meeting room (link made on save)"),
            class_name="flex items-center gap-3 min-h-12",
        ),
        rx.el.fieldset(
            rx.el.legend("Colleagues attending", class_name="text-sm font-medium text-slate-700"),
            rx.el.input(
                placeholder="Search by name",
                value=MeetingState.colleague_query,
                on_change=MeetingState.search,
                class_name=INPUT + " mt-1",
                aria_label="Search colleagues",
            ),
            rx.el.ul(rx.foreach(MeetingState.options, _option), class_name="mt-1"),
            rx.cond(
                MeetingState.error_field == "attendees",
                rx.el.p(MeetingState.error, class_name="text-sm text-red-700", role="alert"),
            ),
        ),
        rx.el.button("Save", type="submit", class_name=BUTTON + " w-full", id="save-meeting"),
        on_submit=MeetingState.save,
        class_name=CARD + " space-y-4",
    )


def _decline() -> rx.Component:
    return rx.el.section(
        rx.cond(
            MeetingState.confirm_decline,
            rx.el.form(
                rx.el.h2("Decline this meeting?", class_name="text-lg font-semibold"),
                rx.el.p(
                    "The guest gets an email and the time is free to book again.",
                    class_name="text-slate-600",
                ),
                field(
                    "Message to the guest (optional)",
                    rx.el.textarea(
                        name="reason", class_name=INPUT + " py-2", rows=3, id="decline-reason"
                    ),
                    error=_error("decline"),
                ),
                rx.el.div(
                    rx.el.button(
                        "Decline meeting",
                        type="submit",
                        class_name=DANGER + " flex-1",
                        id="decline-confirm",
                    ),
                    rx.el.button(
                        "Keep it",
                        type="button",
                        on_click=MeetingState.ask_decline(False),
                        class_name=BUTTON_SECONDARY + " flex-1",
                    ),
                    class_name="flex gap-2",
                ),
                on_submit=MeetingState.decline,
                class_name="space-y-3",
            ),
            rx.el.button(
                "Decline",
                type="button",
                on_click=MeetingState.ask_decline(True),
                class_name=BUTTON_SECONDARY + " w-full text-red-700",
                id="decline",
            ),
        ),
        class_name=CARD,
    )


def _reschedule() -> rx.Component:
    return rx.el.form(
        rx.el.h2("Move (admin)", class_name="text-lg font-semibold"),
        rx.el.div(
            field(
                "Date",
                rx.el.input(
                    type="date",
                    name="date",
                    default_value=MeetingState.new_date,
                    key=MeetingState.new_date,
                    class_name=INPUT,
                    id="move-date",
                ),
            ),
            field(
                "Time",
                rx.el.input(
                    type="time",
                    name="time",
                    default_value=MeetingState.new_time,
                    step=300,
                    key=MeetingState.new_time,
                    class_name=INPUT,
                    id="move-time",
                ),
            ),
            class_name="grid grid-cols-1 min-[380px]:grid-cols-2 gap-3",
        ),
        rx.el.p(
            "In ",
            MeetingState.my_zone,
            ". The guest gets the new time by email.",
            class_name="text-sm text-slate-500",
        ),
        rx.cond(
            MeetingState.error_field == "reschedule",
            rx.el.p(MeetingState.error, class_name="text-sm text-red-700", role="alert"),
        ),
        rx.el.button("Move meeting", type="submit", class_name=BUTTON + " w-full", id="move"),
        on_submit=MeetingState.reschedule,
        class_name=CARD + " space-y-3",
    )


@rx.page(
    route=ROUTE,
    title="Meeting · slotapp",
    on_load=[AuthState.require_login, MeetingState.load],
)
def meeting() -> rx.Component:
    """One meeting."""
    return private_page(
        rx.el.a(
            "‹ Calendar",
            href=routes.CALENDAR,
            class_name="inline-flex min-h-12 items-center text-indigo-700",
        ),
        rx.cond(
            MeetingState.found,
            rx.fragment(
                _facts(),
                rx.cond(
                    MeetingState.message != "",
                    rx.el.p(
                        MeetingState.message,
                        class_name="text-green-800 font-semibold",
                        role="status",
                        id="meeting-message",
                    ),
                ),
                rx.cond(MeetingState.may_edit, _edit()),
                rx.cond(MeetingState.may_reschedule, _reschedule()),
                rx.cond(MeetingState.may_edit, _decline()),
            ),
            rx.cond(
                MeetingState.loaded,
                rx.el.p("There is no such meeting, or it is not one of yours.", class_name=CARD),
            ),
        ),
    )
