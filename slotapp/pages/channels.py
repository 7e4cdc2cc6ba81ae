"""Open Channels `/channels` (admins): the channels, an on/off switch each, new, delete."""

from __future__ import annotations

import reflex as rx

from slotapp.components.layout import private_page
from slotapp.components.ui import (
    BUTTON,
    BUTTON_SMALL,
    CARD,
    INPUT,
    WARNING,
    field,
)
from slotapp.state.auth import AuthState
from slotapp.state.channels import ChannelsState as S

SMALL = BUTTON_SMALL
SWITCH = "relative inline-flex flex-none items-center w-14 h-8 rounded-full transition-colors "
KNOB = "absolute top-1 w-6 h-6 rounded-full bg-white shadow transition-all "


def _switch(row: rx.Var) -> rx.Component:
    on = row["active"] != ""
    # The track is 32 px tall; the button around it makes the tap target 48 px.
    return rx.el.button(
        rx.el.span(
            rx.el.span(class_name=rx.cond(on, KNOB + "left-7", KNOB + "left-1")),
            class_name=rx.cond(on, SWITCH + "bg-indigo-600", SWITCH + "bg-slate-300"),
        ),
        on_click=S.set_active(row["id"], ~on),
        type="button",
        role="switch",
        aria_checked=rx.cond(on, "true", "false"),
        aria_label="Active: " + row["name"].to(str),
        class_name="min-h-12 min-w-12 flex items-center justify-center",
        id="active-" + row["id"].to(str),
    )


def _row(row: rx.Var) -> rx.Component:
    asking = S.confirm_id == row["id"]
    return rx.el.li(
        rx.el.div(
            rx.el.a(
                rx.el.span(row["name"], class_name="block font-semibold break-words"),
                rx.el.span(
                    rx.cond(row["active"] != "", "On", "Off"),
                    rx.cond(row["title"] != "", " · “" + row["title"].to(str) + "”", ""),
                    class_name="block text-sm text-slate-600 break-words",
                ),
                href=row["href"],
                class_name="flex-1 min-w-0 min-h-12 py-1 hover:text-indigo-700",
            ),
            _switch(row),
            class_name="flex items-center gap-2",
        ),
        rx.cond(
            asking,
            rx.el.div(
                rx.el.p(
                    "Delete ",
                    row["name"],
                    "? Its conversations are deleted too; webhook sources become free.",
                ),
                rx.el.div(
                    rx.el.button(
                        "Cancel", on_click=S.ask_delete(""), type="button", class_name=SMALL
                    ),
                    rx.el.button(
                        "Delete",
                        on_click=S.delete(row["id"]),
                        type="button",
                        class_name=SMALL + " !bg-red-600 !text-white !border-red-600",
                        id="confirm-delete",
                    ),
                    class_name="grid grid-cols-2 gap-2",
                ),
                class_name=WARNING + " space-y-2",
                role="alertdialog",
            ),
            rx.el.div(
                rx.el.a("Settings", href=row["href"], class_name=SMALL),
                rx.el.button(
                    "Delete",
                    on_click=S.ask_delete(row["id"]),
                    type="button",
                    class_name=SMALL + " text-red-700",
                ),
                class_name="grid grid-cols-2 gap-2",
            ),
        ),
        class_name="py-3 space-y-2 border-b border-slate-100 last:border-0",
    )


def _admin() -> rx.Component:
    return rx.fragment(
        rx.cond(S.message != "", rx.el.p(S.message, role="status", class_name="text-emerald-700")),
        rx.el.section(
            rx.cond(
                S.rows.length() > 0,
                rx.el.ul(rx.foreach(S.rows, _row), id="channels"),
                rx.el.p("No channels yet.", class_name="text-slate-500", id="channels"),
            ),
            class_name=CARD,
        ),
        rx.el.form(
            rx.el.h2("New channel", class_name="text-lg font-semibold"),
            field(
                "Name",
                rx.el.input(
                    name="name",
                    placeholder="e.g. Website support",
                    class_name=INPUT,
                    id="new-channel-name",
                    auto_complete="off",
                ),
                error=S.error,
            ),
            rx.el.button("Create", type="submit", class_name=BUTTON + " w-full", id="create"),
            on_submit=S.create,
            key=S.version,
            class_name=CARD + " space-y-3",
        ),
    )


@rx.page(route="/channels", title="Channels · slotapp", on_load=[AuthState.require_login, S.load])
def channels() -> rx.Component:
    """Admins: the Open Channels."""
    return private_page(
        rx.el.h1("Open Channels", class_name="text-2xl font-bold"),
        rx.cond(
            S.allowed,
            _admin(),
            rx.el.p("Only admins can manage channels.", class_name=CARD, id="not-admin"),
        ),
    )
