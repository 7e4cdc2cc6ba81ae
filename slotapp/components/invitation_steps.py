"""The steps of the new-invitation form: who, meeting details, time frame, send."""

from __future__ import annotations

import reflex as rx

from slotapp.components.invitation_fields import CHECK_ROW, CHECKBOX, step_nav, switch, text_input
from slotapp.components.ui import BUTTON, BUTTON_SECONDARY, CARD, INPUT, field
from slotapp.core.invitations import PROMOTED_MAX, TITLE_FIELDS
from slotapp.state.invitation_new import InvitationNewState as S

CHIP = (
    "inline-flex items-center gap-1 min-h-12 pl-4 pr-2 rounded-full bg-indigo-50 "
    "text-indigo-800 border border-indigo-200 text-sm font-medium"
)


def who_step() -> rx.Component:
    """Step 1: the participant's name and email."""
    return rx.el.section(
        rx.el.h2("Who is invited?", class_name="text-lg font-semibold"),
        text_input("participant_name", "Name", auto_complete="off"),
        text_input("participant_email", "Email", kind="email", auto_complete="off"),
        step_nav(0, 2),
        class_name=CARD + " space-y-4",
    )


def _team() -> rx.Component:
    return rx.el.div(
        rx.el.span("Team members", class_name="block text-sm font-medium text-slate-700"),
        rx.el.ul(
            rx.foreach(
                S.members,
                lambda m: rx.el.li(
                    m["name"],
                    rx.el.button(
                        "×",
                        on_click=S.remove_member(m["id"]),
                        type="button",
                        aria_label="Remove " + m["name"],
                        class_name="w-10 h-10 rounded-full text-xl hover:bg-indigo-100",
                    ),
                    class_name=CHIP,
                ),
            ),
            class_name="flex flex-wrap gap-2",
            id="team",
        ),
        rx.debounce_input(
            rx.el.input(
                value=S.member_query,
                on_change=S.search_members,
                placeholder="Add a colleague by name",
                class_name=INPUT,
                id="member-search",
                auto_complete="off",
                aria_label="Add a colleague by name",
            ),
            debounce_timeout=250,
        ),
        rx.el.ul(
            rx.foreach(
                S.member_results,
                lambda c: rx.el.li(
                    rx.el.button(
                        rx.el.span(c["name"], class_name="font-medium"),
                        rx.el.span(c["department"], class_name="text-sm text-slate-500"),
                        on_click=S.add_member(c["id"], c["name"]),
                        type="button",
                        class_name="flex items-center justify-between w-full min-h-12 px-4 "
                        "text-left hover:bg-slate-50",
                    ),
                    class_name="border-b border-slate-100 last:border-0",
                ),
            ),
            class_name="rounded-xl border border-slate-200 bg-white overflow-hidden empty:hidden",
            id="member-results",
        ),
        rx.cond(
            S.errors.get("member_ids", "") != "",
            rx.el.p(S.errors.get("member_ids", ""), class_name="text-sm text-red-700"),
        ),
        class_name="space-y-2",
    )


def _choices(kind: str, options: rx.Var, chosen: rx.Var, label: str) -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(label, class_name="text-sm font-medium text-slate-700 mb-1"),
        rx.foreach(
            options,
            lambda o: rx.el.label(
                rx.el.input(
                    type="checkbox",
                    checked=chosen.contains(o["id"]),
                    on_change=lambda _: S.toggle_id(kind, o["id"]),
                    class_name=CHECKBOX,
                ),
                o["name"],
                class_name=CHECK_ROW,
            ),
        ),
        rx.cond(options.length() == 0, rx.el.p("None set up yet.", class_name="text-slate-500")),
    )


def details_step() -> rx.Component:
    """Step 2: subject, length, team, description, type, place, rooms and pools."""
    return rx.el.section(
        rx.el.h2("Meeting details", class_name="text-lg font-semibold"),
        text_input("subject", "Subject", auto_complete="off"),
        text_input("duration_minutes", "Duration (minutes)", kind="number", min=5, step=5),
        _team(),
        field(
            "Description",
            rx.debounce_input(
                rx.el.textarea(
                    value=S.values["description"],
                    on_change=lambda v: S.set_value("description", v),
                    rows=3,
                    class_name=INPUT + " py-2",
                    id="inv-description",
                ),
                debounce_timeout=300,
            ),
            error=S.errors.get("description", ""),
        ),
        switch("hide_description", "Hide the description from the participant"),
        field(
            "Meeting type",
            rx.el.select(
                rx.foreach(S.type_options, lambda t: rx.el.option(t[1], value=t[0])),
                value=S.values["meeting_type"],
                on_change=lambda v: S.set_value("meeting_type", v),
                class_name=INPUT,
                id="inv-meeting_type",
            ),
            error=S.errors.get("meeting_type", ""),
        ),
        text_input("conferencing", "Conferencing information (optional)"),
        switch("generate_video", "Generate a video link"),
        text_input("location", "Location (optional)"),
        _choices("room", S.room_options, S.resource_ids, "Rooms (each one is needed)"),
        _choices("pool", S.pool_options, S.pool_ids, "Resource pools (any one free resource)"),
        step_nav(1, 3),
        class_name=CARD + " space-y-4",
    )


def frame_step() -> rx.Component:
    """Step 3: the dates and daily hours the participant can pick from."""
    return rx.el.section(
        rx.el.h2("Time frame", class_name="text-lg font-semibold"),
        rx.el.div(
            text_input("date_from", "From", kind="date"),
            text_input("date_to", "To", kind="date"),
            class_name="grid grid-cols-2 gap-2",
        ),
        rx.el.div(
            text_input("daily_from", "Daily from", kind="time"),
            text_input("daily_to", "Daily to", kind="time"),
            class_name="grid grid-cols-2 gap-2",
        ),
        text_input("time_zone", "Time zone", hint="An IANA name such as Europe/Berlin."),
        step_nav(2, 4),
        class_name=CARD + " space-y-4",
    )


def _promote() -> rx.Component:
    return rx.el.div(
        rx.el.label(
            rx.el.input(
                type="checkbox",
                checked=S.flags["promote"],
                on_change=lambda v: S.set_flag("promote", v),
                class_name=CHECKBOX,
                id="inv-promote",
            ),
            "Promote specific time slots",
            class_name=CHECK_ROW,
        ),
        rx.cond(
            S.flags["promote"],
            rx.el.div(
                field(
                    "How many (at most)",
                    rx.el.select(
                        *[rx.el.option(str(n), value=str(n)) for n in range(1, PROMOTED_MAX + 1)],
                        value=S.values["promote_count"],
                        on_change=lambda v: S.set_value("promote_count", v),
                        class_name=INPUT,
                        id="inv-promote_count",
                    ),
                    error=S.errors.get("promote_count", ""),
                ),
                rx.el.p(
                    "Pick the times, or leave them all unticked to send suggested ones.",
                    class_name="text-sm text-slate-600",
                ),
                rx.foreach(
                    S.suggestions,
                    lambda s: rx.el.label(
                        rx.el.input(
                            type="checkbox",
                            checked=S.promoted.contains(s["iso"]),
                            on_change=lambda _: S.toggle_promoted(s["iso"]),
                            class_name=CHECKBOX,
                        ),
                        s["label"],
                        class_name=CHECK_ROW,
                    ),
                ),
                rx.cond(
                    S.errors.get("promoted_starts", "") != "",
                    rx.el.p(S.errors.get("promoted_starts", ""), class_name="text-sm text-red-700"),
                ),
                class_name="space-y-1 pl-2",
            ),
        ),
    )


def _advanced() -> rx.Component:
    return rx.el.details(
        rx.el.summary(
            "Advanced settings",
            class_name="cursor-pointer min-h-12 flex items-center font-semibold",
            id="advanced",
        ),
        rx.el.div(
            switch("show_in_participant_zone", "Show times in the participant's time zone"),
            text_input(
                "title_template",
                "Calendar event title",
                hint="Placeholders: " + ", ".join("{" + f + "}" for f in TITLE_FIELDS),
            ),
            switch("is_private", "Private calendar event"),
            class_name="space-y-3 pt-2",
        ),
    )


def send_step() -> rx.Component:
    """Step 4: promoted times, calendar and email options, then Create."""
    return rx.el.section(
        rx.el.h2("Send", class_name="text-lg font-semibold"),
        _promote(),
        switch("add_to_calendar", "Add to calendar event"),
        switch("send_confirmation", "Send confirmation email"),
        _advanced(),
        rx.cond(S.message != "", rx.el.p(S.message, role="alert", class_name="text-red-700")),
        rx.el.div(
            rx.el.button("Back", on_click=S.go(3), type="button", class_name=BUTTON_SECONDARY),
            rx.el.button(
                "Create",
                on_click=S.create,
                disabled=S.slot_count == 0,
                type="button",
                class_name=BUTTON,
                id="create",
            ),
            class_name="grid grid-cols-2 gap-2",
        ),
        rx.cond(
            S.slot_count == 0,
            rx.el.p(
                "Create is off: nobody could book a time. ",
                S.slot_reason,
                class_name="text-sm text-amber-800",
            ),
        ),
        class_name=CARD + " space-y-3",
    )
