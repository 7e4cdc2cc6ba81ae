"""People `/people` (admins): everybody's role and access, and adding a local account."""

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
from slotapp.core.people import ROLE_LABELS, ROLES
from slotapp.state.auth import AuthState
from slotapp.state.people import PeopleState as S

SMALL = BUTTON_SMALL
SELECT = INPUT + " bg-white"


def _role_select(row: rx.Var) -> rx.Component:
    return rx.el.select(
        *[rx.el.option(r.title(), value=r) for r in ROLES],
        value=row["role"],
        on_change=lambda role: S.set_role(row["id"], role),
        aria_label="Role of " + row["name"].to(str),
        class_name=SELECT,
    )


def _person(row: rx.Var) -> rx.Component:
    active = row["active"] != ""
    return rx.el.li(
        rx.el.p(
            rx.el.span(row["name"], class_name="font-semibold"),
            rx.cond(active, "", " · switched off"),
        ),
        rx.el.p(row["email"], class_name="text-sm text-slate-600 break-all"),
        rx.el.p(
            row["sign_in"],
            rx.cond(row["department"] != "", " · " + row["department"].to(str), ""),
            class_name="text-sm text-slate-600",
        ),
        rx.el.div(
            _role_select(row),
            rx.el.button(
                rx.cond(active, "Switch off", "Switch on"),
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
        data_email=row["email"],
    )


def _form() -> rx.Component:
    return rx.el.form(
        rx.el.h2("Add person", class_name="text-lg font-semibold"),
        field(
            "Name",
            rx.el.input(name="name", default_value=S.form["name"], class_name=INPUT, id="p-name"),
            error=S.errors.get("name", ""),
        ),
        field(
            "Email",
            rx.el.input(
                name="email",
                type="email",
                default_value=S.form["email"],
                class_name=INPUT,
                id="p-email",
            ),
            error=S.errors.get("email", ""),
        ),
        field(
            "Role",
            rx.el.select(
                *[rx.el.option(ROLE_LABELS[r], value=r) for r in ROLES],
                name="role",
                default_value=S.form["role"],
                class_name=SELECT,
                id="p-role",
            ),
            error=S.errors.get("role", ""),
        ),
        field(
            "Department",
            rx.el.input(
                name="department",
                default_value=S.form["department"],
                class_name=INPUT,
                id="p-department",
            ),
            hint="Queues can route to a whole department.",
        ),
        field(
            "First password",
            rx.el.input(
                name="password",
                type="password",
                class_name=INPUT,
                id="p-password",
                auto_complete="new-password",
            ),
            error=S.errors.get("password", ""),
            hint="Tell it to them in person; they change it under Account.",
        ),
        rx.el.div(
            rx.el.button(
                "Close", on_click=S.close_form, type="button", class_name=BUTTON_SECONDARY
            ),
            rx.el.button("Add", type="submit", class_name=BUTTON, id="p-save"),
            class_name="grid grid-cols-2 gap-2",
        ),
        on_submit=S.add,
        class_name=CARD + " space-y-3",
    )


def _admin() -> rx.Component:
    return rx.fragment(
        rx.cond(S.message != "", rx.el.p(S.message, role="status", class_name="text-emerald-700")),
        rx.cond(S.error != "", rx.el.p(S.error, role="alert", class_name="text-red-700")),
        rx.cond(S.adding, _form()),
        list_card(
            "Everybody",
            on_add=S.open_form,
            add_id="add-person",
            items=S.rows,
            render=_person,
            list_id="people",
        ),
    )


@rx.page(route="/people", title="People · slotapp", on_load=[AuthState.require_login, S.load])
def people_page() -> rx.Component:
    """Admins manage who can sign in and with which role."""
    return private_page(
        rx.el.h1("People", class_name="text-2xl font-bold"),
        rx.cond(
            S.allowed,
            _admin(),
            rx.el.p("Only admins can manage people.", class_name=CARD, id="not-admin"),
        ),
    )
