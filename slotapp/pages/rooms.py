"""Rooms `/rooms` (admins): rooms and other resources with their hours, and resource pools."""

from __future__ import annotations

import reflex as rx

from slotapp.components.layout import private_page
from slotapp.components.ui import (
    BUTTON,
    BUTTON_SECONDARY,
    BUTTON_SMALL,
    CARD,
    INPUT,
    field,
    list_card,
)
from slotapp.state.auth import AuthState
from slotapp.state.rooms import KINDS, WEEKDAYS
from slotapp.state.rooms import RoomsState as S

SMALL = BUTTON_SMALL
CHECK_ROW = "flex items-center gap-3 min-h-12 text-base cursor-pointer"
CHECKBOX = "w-6 h-6 accent-indigo-600 flex-none"


def _resource(row: rx.Var) -> rx.Component:
    active = row["active"] != ""
    return rx.el.li(
        rx.el.p(
            rx.el.span(row["name"], class_name="font-semibold"),
            " · ",
            row["kind"],
            rx.cond(active, "", " · deactivated"),
        ),
        rx.el.p(row["time_zone"], class_name="text-sm text-slate-600"),
        rx.el.p(row["hours"], class_name="text-sm text-slate-600"),
        rx.el.div(
            rx.el.button("Edit", on_click=S.edit(row["id"]), type="button", class_name=SMALL),
            rx.el.button(
                rx.cond(active, "Deactivate", "Activate"),
                on_click=S.set_active(row["id"], ~active),
                type="button",
                class_name=SMALL,
            ),
            class_name="grid grid-cols-2 gap-2 pt-1",
        ),
        class_name=rx.cond(
            active,
            "py-3 space-y-1 border-b border-slate-100 last:border-0",
            "py-3 space-y-1 border-b border-slate-100 last:border-0 opacity-60",
        ),
    )


def _resource_form() -> rx.Component:
    return rx.el.form(
        rx.el.h2(
            rx.cond(S.form["id"] != "", "Edit resource", "New resource"),
            class_name="text-lg font-semibold",
        ),
        field(
            "Name",
            rx.el.input(
                name="name", default_value=S.form["name"], class_name=INPUT, id="room-name"
            ),
            error=S.errors.get("name", ""),
        ),
        field(
            "Kind",
            rx.el.select(
                *[rx.el.option(k.capitalize(), value=k) for k in KINDS],
                name="kind",
                default_value=S.form["kind"],
                class_name=INPUT,
            ),
            error=S.errors.get("kind", ""),
        ),
        field(
            "Time zone",
            rx.el.input(
                name="time_zone",
                default_value=S.form["time_zone"],
                class_name=INPUT,
                id="room-zone",
            ),
            error=S.errors.get("time_zone", ""),
        ),
        rx.el.fieldset(
            rx.el.legend("Weekly hours", class_name="text-sm font-medium text-slate-700"),
            *[
                rx.el.label(
                    rx.el.span(day, class_name="w-12 flex-none text-sm"),
                    rx.el.input(
                        name=f"hours-{i}",
                        default_value=S.hours[i],
                        placeholder="closed",
                        class_name=INPUT,
                        id=f"room-hours-{i}",
                    ),
                    class_name="flex items-center gap-2",
                )
                for i, day in enumerate(WEEKDAYS)
            ],
            *[
                rx.cond(
                    S.errors.get(f"hours-{i}", "") != "",
                    rx.el.p(
                        WEEKDAYS[i],
                        ": ",
                        S.errors.get(f"hours-{i}", ""),
                        class_name="text-sm text-red-700",
                    ),
                )
                for i in range(7)
            ],
            rx.el.p(
                "Like 09:00-12:00, 13:00-17:00; empty means closed.",
                class_name="text-sm text-slate-500",
            ),
            class_name="space-y-2",
        ),
        rx.el.label(
            rx.el.input(
                type="checkbox",
                name="active",
                default_checked=S.form["active"] != "",
                class_name=CHECKBOX,
            ),
            "Active (offered in invitations)",
            class_name=CHECK_ROW,
        ),
        rx.el.div(
            rx.el.button("Close", on_click=S.close, type="button", class_name=BUTTON_SECONDARY),
            rx.el.button("Save", type="submit", class_name=BUTTON, id="room-save"),
            class_name="grid grid-cols-2 gap-2",
        ),
        on_submit=S.save,
        key=S.form["id"] + S.form["name"],
        class_name=CARD + " space-y-3",
    )


def _pool(row: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.p(row["name"], class_name="font-semibold"),
        rx.el.p(row["members"], class_name="text-sm text-slate-600"),
        rx.el.div(
            rx.el.button("Edit", on_click=S.edit_pool(row["id"]), type="button", class_name=SMALL),
            rx.el.button(
                "Delete",
                on_click=S.delete_pool(row["id"]),
                type="button",
                class_name=SMALL + " text-red-700",
            ),
            class_name="grid grid-cols-2 gap-2 pt-1",
        ),
        class_name="py-3 space-y-1 border-b border-slate-100 last:border-0",
    )


def _pool_form() -> rx.Component:
    return rx.el.form(
        rx.el.h2(
            rx.cond(S.pool_form["id"] != "", "Edit pool", "New pool"),
            class_name="text-lg font-semibold",
        ),
        field(
            "Name",
            rx.el.input(
                name="name", default_value=S.pool_form["name"], class_name=INPUT, id="pool-name"
            ),
            error=S.pool_error,
        ),
        rx.el.fieldset(
            rx.el.legend("Resources (any one free resource will do)", class_name="text-sm"),
            rx.foreach(
                S.items,
                lambda r: rx.el.label(
                    rx.el.input(
                        type="checkbox",
                        checked=S.pool_members.contains(r["id"]),
                        on_change=lambda _: S.toggle_member(r["id"]),
                        class_name=CHECKBOX,
                    ),
                    r["name"],
                    class_name=CHECK_ROW,
                ),
            ),
        ),
        rx.el.div(
            rx.el.button("Close", on_click=S.close, type="button", class_name=BUTTON_SECONDARY),
            rx.el.button("Save", type="submit", class_name=BUTTON, id="pool-save"),
            class_name="grid grid-cols-2 gap-2",
        ),
        on_submit=S.save_pool,
        key=S.pool_form["id"],
        class_name=CARD + " space-y-3",
    )


def _admin() -> rx.Component:
    return rx.fragment(
        rx.cond(
            S.message != "",
            rx.el.p(S.message, role="status", class_name="text-emerald-700"),
        ),
        rx.cond(S.editing, _resource_form()),
        list_card(
            "Rooms and resources",
            on_add=S.new,
            add_id="add-room",
            items=S.items,
            render=_resource,
            list_id="rooms",
        ),
        rx.cond(S.pool_editing, _pool_form()),
        list_card(
            "Resource pools",
            on_add=S.new_pool,
            add_id="add-pool",
            items=S.pools,
            render=_pool,
            list_id="pools",
        ),
    )


@rx.page(route="/rooms", title="Rooms · slotapp", on_load=[AuthState.require_login, S.load])
def rooms() -> rx.Component:
    """Admins manage rooms, resources and pools."""
    return private_page(
        rx.el.h1("Rooms", class_name="text-2xl font-bold"),
        rx.cond(
            S.allowed,
            _admin(),
            rx.el.p("Only admins can manage rooms.", class_name=CARD, id="not-admin"),
        ),
    )
