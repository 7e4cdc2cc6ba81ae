"""New invitation `/invitations/new`: who, meeting details, time frame, then send or copy."""

from __future__ import annotations

import reflex as rx

from slotapp.components.layout import private_page
from slotapp.components.ui import BUTTON, BUTTON_SECONDARY, CARD, INPUT, field
from slotapp.core.invitations import PROMOTED_MAX, TITLE_FIELDS
from slotapp.state.auth import AuthState
from slotapp.state.invitation_new import InvitationNewState as S

STEPS = ("Who", "Details", "Time", "Send")
CHECK_ROW = "flex items-center gap-3 min-h-12 text-base cursor-pointer"
CHECKBOX = "w-6 h-6 accent-indigo-600 flex-none"
CHIP = (
    "inline-flex items-center gap-1 min-h-12 pl-4 pr-2 rounded-full bg-indigo-50 "
    "text-indigo-800 border border-indigo-200 text-sm font-medium"
)


def _text(name: str, label: str, *, kind: str = "text", hint: str = "", **props) -> rx.Component:  # type: ignore[no-untyped-def]
    return field(
        label,
        rx.debounce_input(
            rx.el.input(
                value=S.values[name],
                on_change=lambda v: S.set_value(name, v),
                type=kind,
                class_name=INPUT,
                id=f"inv-{name}",
                **props,
            ),
            debounce_timeout=300,
        ),
        error=S.errors.get(name, ""),
        hint=hint,
    )


def _switch(flag: str, label: str) -> rx.Component:
    on = S.flags[flag]
    return rx.el.button(
        rx.el.span(label, class_name="text-base text-left"),
        rx.el.span(
            rx.el.span(
                class_name=rx.cond(
                    on,
                    "block w-6 h-6 rounded-full bg-white shadow translate-x-6 transition",
                    "block w-6 h-6 rounded-full bg-white shadow transition",
                )
            ),
            class_name=rx.cond(
                on,
                "flex flex-none items-center w-14 h-8 p-1 rounded-full bg-indigo-600",
                "flex flex-none items-center w-14 h-8 p-1 rounded-full bg-slate-300",
            ),
        ),
        role="switch",
        aria_checked=rx.cond(on, "true", "false"),
        on_click=S.set_flag(flag, ~on),
        type="button",
        id=f"inv-{flag}",
        class_name="flex items-center justify-between gap-3 w-full min-h-12",
    )


def _steps() -> rx.Component:
    return rx.el.ol(
        *[
            rx.el.li(
                rx.el.span(str(i), class_name="font-bold"),
                rx.el.span(label, class_name="text-xs"),
                class_name=rx.cond(
                    S.step == i,
                    "flex flex-col items-center flex-1 py-1 rounded-lg bg-indigo-600 text-white",
                    "flex flex-col items-center flex-1 py-1 rounded-lg bg-white text-slate-600",
                ),
                aria_current=rx.cond(S.step == i, "step", ""),
            )
            for i, label in enumerate(STEPS, start=1)
        ],
        class_name="flex gap-1",
        aria_label="Steps",
    )


def _counter() -> rx.Component:
    return rx.cond(
        S.slot_count > 0,
        rx.el.p(
            rx.el.span(S.slot_count, id="slot-count", class_name="font-bold"),
            " time slots available",
            class_name="rounded-xl bg-emerald-50 border border-emerald-300 p-3 text-emerald-900",
            aria_live="polite",
        ),
        rx.el.p(
            rx.el.span("No time slots available", class_name="font-bold"),
            rx.el.br(),
            S.slot_reason,
            class_name="rounded-xl bg-amber-50 border border-amber-300 p-3 text-amber-900",
            aria_live="polite",
            id="no-slots",
        ),
    )


def _nav(back: int, next_: int) -> rx.Component:
    first = (
        rx.el.button("Back", on_click=S.go(back), type="button", class_name=BUTTON_SECONDARY)
        if back
        else rx.el.a("Cancel", href="/activity", class_name=BUTTON_SECONDARY)
    )
    return rx.el.div(
        first,
        rx.el.button("Next", on_click=S.go(next_), type="button", class_name=BUTTON, id="next"),
        class_name="grid grid-cols-2 gap-2",
    )


def _who() -> rx.Component:
    return rx.el.section(
        rx.el.h2("Who is invited?", class_name="text-lg font-semibold"),
        _text("participant_name", "Name", auto_complete="off"),
        _text("participant_email", "Email", kind="email", auto_complete="off"),
        _nav(0, 2),
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


def _details() -> rx.Component:
    return rx.el.section(
        rx.el.h2("Meeting details", class_name="text-lg font-semibold"),
        _text("subject", "Subject", auto_complete="off"),
        _text("duration_minutes", "Duration (minutes)", kind="number", min=5, step=5),
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
        _switch("hide_description", "Hide the description from the participant"),
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
        _text("conferencing", "Conferencing information (optional)"),
        _switch("generate_video", "Generate a video link"),
        _text("location", "Location (optional)"),
        _choices("room", S.room_options, S.resource_ids, "Rooms (each one is needed)"),
        _choices("pool", S.pool_options, S.pool_ids, "Resource pools (any one free resource)"),
        _nav(1, 3),
        class_name=CARD + " space-y-4",
    )


def _frame() -> rx.Component:
    return rx.el.section(
        rx.el.h2("Time frame", class_name="text-lg font-semibold"),
        rx.el.div(
            _text("date_from", "From", kind="date"),
            _text("date_to", "To", kind="date"),
            class_name="grid grid-cols-2 gap-2",
        ),
        rx.el.div(
            _text("daily_from", "Daily from", kind="time"),
            _text("daily_to", "Daily to", kind="time"),
            class_name="grid grid-cols-2 gap-2",
        ),
        _text("time_zone", "Time zone", hint="An IANA name such as Europe/Berlin."),
        _nav(2, 4),
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
            _switch("show_in_participant_zone", "Show times in the participant's time zone"),
            _text(
                "title_template",
                "Calendar event title",
                hint="Placeholders: " + ", ".join("{" + f + "}" for f in TITLE_FIELDS),
            ),
            _switch("is_private", "Private calendar event"),
            class_name="space-y-3 pt-2",
        ),
    )


def _send() -> rx.Component:
    return rx.el.section(
        rx.el.h2("Send", class_name="text-lg font-semibold"),
        _promote(),
        _switch("add_to_calendar", "Add to calendar event"),
        _switch("send_confirmation", "Send confirmation email"),
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


def _created() -> rx.Component:
    return rx.el.section(
        rx.el.h2("Invitation created", class_name="text-lg font-semibold text-emerald-700"),
        rx.el.p(
            "Send it to ",
            S.values["participant_email"],
            " or copy the links.",
            class_name="text-slate-600",
        ),
        rx.el.ul(
            rx.foreach(
                S.promoted_links,
                lambda p: rx.el.li(
                    rx.el.span(p["label"], class_name="font-medium"),
                    rx.el.span(p["url"], class_name="block text-xs text-slate-500 break-all"),
                    class_name="py-1",
                ),
            ),
            rx.el.li(
                rx.el.span("Pick any free time", class_name="font-medium"),
                rx.el.span(
                    S.link_url, class_name="block text-xs text-slate-500 break-all", id="inv-url"
                ),
                class_name="py-1",
            ),
            class_name="divide-y divide-slate-100",
            id="inv-links",
        ),
        rx.el.button(
            rx.cond(S.sent_to != "", "Email sent", "Send via email"),
            on_click=S.send_email,
            disabled=S.sent_to != "",
            type="button",
            class_name=BUTTON + " w-full",
            id="send-email",
        ),
        rx.cond(
            S.sent_to != "",
            rx.el.p("Email on its way to ", S.sent_to, ".", class_name="text-emerald-700"),
        ),
        rx.el.button(
            "Copy meeting links",
            on_click=[rx.set_clipboard(S.links_text), S.mark_copied],
            type="button",
            class_name=BUTTON_SECONDARY + " w-full",
            id="copy-links",
        ),
        rx.cond(
            S.copied,
            rx.el.p("Copied to the clipboard.", class_name="text-emerald-700", id="copied"),
        ),
        rx.cond(S.message != "", rx.el.p(S.message, role="alert", class_name="text-red-700")),
        rx.el.a("Go to Activity", href="/activity", class_name=BUTTON_SECONDARY + " w-full"),
        class_name=CARD + " space-y-3",
        id="created",
    )


@rx.page(
    route="/invitations/new",
    title="New invitation · slotapp",
    on_load=[AuthState.require_login, S.load],
)
def invitation_new() -> rx.Component:
    """The three-step form on a phone, then sending."""
    return private_page(
        rx.el.h1("New invitation", class_name="text-2xl font-bold"),
        rx.cond(
            S.created,
            _created(),
            rx.fragment(
                _steps(),
                _counter(),
                rx.match(
                    S.step,
                    (1, _who()),
                    (2, _details()),
                    (3, _frame()),
                    _send(),
                ),
            ),
        ),
    )
