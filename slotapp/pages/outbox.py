"""Outbox (admins): what slotapp sent or will send, so mail works even without SMTP."""

from __future__ import annotations

import reflex as rx

from slotapp.components.layout import private_page
from slotapp.components.ui import CARD
from slotapp.state.auth import AuthState
from slotapp.state.outbox import OutboxState

ROUTE = "/outbox"
BADGE = {
    "sent": "bg-green-100 text-green-800",
    "pending": "bg-amber-100 text-amber-800",
    "failed": "bg-red-100 text-red-800",
}


def _row(row: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.button(
            rx.el.span(
                rx.el.span(
                    row["status"],
                    class_name=rx.match(
                        row["status"],
                        *[
                            (k, "px-2 rounded-full text-xs font-semibold " + v)
                            for k, v in BADGE.items()
                        ],
                        "px-2 rounded-full text-xs font-semibold bg-slate-100",
                    ),
                ),
                rx.el.span(row["created"], class_name="text-sm text-slate-500"),
                class_name="flex items-center gap-2",
            ),
            rx.el.span(row["subject"], class_name="block font-semibold text-left break-words"),
            rx.el.span(row["to"], class_name="block text-sm text-slate-600 text-left break-all"),
            on_click=OutboxState.toggle(row["id"]),
            type="button",
            class_name="block w-full min-h-12 py-2",
            aria_expanded=OutboxState.open_id == row["id"],
        ),
        rx.cond(
            OutboxState.open_id == row["id"],
            rx.el.div(
                rx.el.pre(row["body"], class_name="whitespace-pre-wrap break-words text-sm"),
                rx.cond(
                    row["files"] != "",
                    rx.el.p("Attached: ", row["files"], class_name="text-sm text-slate-500"),
                ),
                rx.cond(
                    row["error"] != "",
                    rx.el.p(
                        "Last error (",
                        row["attempts"],
                        " attempts): ",
                        row["error"],
                        class_name="text-sm text-red-700 break-words",
                    ),
                ),
                class_name="pb-3 space-y-2",
            ),
        ),
        class_name="border-b border-slate-100 last:border-0",
    )


@rx.page(
    route=ROUTE,
    title="Outbox · slotapp",
    on_load=[AuthState.require_login, OutboxState.load],
)
def outbox() -> rx.Component:
    """Admins: the newest emails first."""
    return private_page(
        rx.el.section(
            rx.el.h1("Outbox", class_name="text-2xl font-bold"),
            rx.cond(
                OutboxState.allowed,
                rx.cond(
                    OutboxState.rows.length() > 0,
                    rx.el.ul(rx.foreach(OutboxState.rows, _row), id="outbox"),
                    rx.el.p("No emails yet.", class_name="text-slate-500"),
                ),
                rx.el.p(
                    "Only admins can see the outbox.", class_name="text-slate-600", role="alert"
                ),
            ),
            class_name=CARD + " space-y-2",
        ),
    )
