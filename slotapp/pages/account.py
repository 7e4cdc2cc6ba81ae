"""Account `/account`: the signed-in user's facts and a password change."""

from __future__ import annotations

import reflex as rx

from slotapp.components.layout import private_page
from slotapp.components.ui import BUTTON, CARD, INPUT, field
from slotapp.state.account import AccountState as S
from slotapp.state.auth import AuthState


def _password_input(name: str, element_id: str, complete: str) -> rx.Component:
    return rx.el.input(
        name=name, type="password", class_name=INPUT, id=element_id, auto_complete=complete
    )


def _password_form() -> rx.Component:
    return rx.el.form(
        rx.el.h2("Change password", class_name="text-lg font-semibold"),
        field(
            "Current password",
            _password_input("current", "pw-current", "current-password"),
            error=S.errors.get("current_password", ""),
        ),
        field(
            "New password",
            _password_input("new", "pw-new", "new-password"),
            error=S.errors.get("new_password", ""),
            hint="At least 8 characters.",
        ),
        field(
            "New password again",
            _password_input("repeat", "pw-repeat", "new-password"),
            error=S.errors.get("repeat", ""),
        ),
        rx.el.button("Change password", type="submit", class_name=BUTTON, id="pw-save"),
        on_submit=S.change_password,
        key=S.form_key,
        class_name=CARD + " space-y-3",
    )


@rx.page(route="/account", title="Account · slotapp", on_load=[AuthState.require_login, S.load])
def account() -> rx.Component:
    """The signed-in user's own account."""
    return private_page(
        rx.el.h1("Account", class_name="text-2xl font-bold"),
        rx.el.section(
            rx.el.p(AuthState.user_name, class_name="font-semibold"),
            rx.el.p(AuthState.user_email, class_name="text-slate-600 break-all"),
            rx.el.p(
                "Role: ",
                AuthState.user_role,
                rx.cond(S.department != "", " · " + S.department, ""),
                class_name="text-sm text-slate-600",
            ),
            class_name=CARD + " space-y-1",
        ),
        rx.cond(S.message != "", rx.el.p(S.message, role="status", class_name="text-emerald-700")),
        rx.cond(
            S.has_password,
            _password_form(),
            rx.el.p(
                "You sign in with your company account; its password is managed there.",
                class_name=CARD,
            ),
        ),
    )
