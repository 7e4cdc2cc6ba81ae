"""New invitation `/invitations/new`: who, meeting details, time frame, then send or copy."""

from __future__ import annotations

import reflex as rx

from slotapp.components.invitation_steps import details_step, frame_step, send_step, who_step
from slotapp.components.layout import private_page
from slotapp.components.ui import BUTTON, BUTTON_SECONDARY, CARD
from slotapp.state.auth import AuthState
from slotapp.state.invitation_new import InvitationNewState as S

STEPS = ("Who", "Details", "Time", "Send")


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
                    (1, who_step()),
                    (2, details_step()),
                    (3, frame_step()),
                    send_step(),
                ),
            ),
        ),
    )
