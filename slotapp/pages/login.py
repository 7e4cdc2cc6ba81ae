"""The login page.

Its form is a plain HTML form that the browser posts to `POST /auth/login` (`api.auth`),
which sets the HttpOnly session cookie and redirects: no script ever holds the token. It even
works before the page's script has loaded.
"""

from __future__ import annotations

import reflex as rx
from reflex_components_core.el.elements.forms import Form

from slotapp import routes
from slotapp.components.layout import public_page
from slotapp.components.ui import BUTTON, BUTTON_SECONDARY, CARD, INPUT, field
from slotapp.state.auth import AuthState


@rx.page(route=routes.LOGIN, title="Log in · slotapp", on_load=AuthState.redirect_if_logged_in)
def login() -> rx.Component:
    """Email and password; the error says what failed without telling whether an email exists."""
    return public_page(
        rx.el.div(
            rx.el.h1("slotapp", class_name="text-3xl font-bold text-indigo-700"),
            rx.el.p("Log in to manage your slots.", class_name="text-slate-600"),
            class_name="text-center space-y-1",
        ),
        PostForm.create(
            rx.el.input(type="hidden", name="next", value=AuthState.login_next),
            field(
                "Email",
                rx.el.input(
                    name="email",
                    type="email",
                    auto_complete="username",
                    required=True,
                    class_name=INPUT,
                    id="email",
                    # Remounted with the refused login's email once the state has it.
                    key=AuthState.login_email,
                    default_value=AuthState.login_email,
                ),
            ),
            field(
                "Password",
                rx.el.input(
                    name="password",
                    type="password",
                    auto_complete="current-password",
                    required=True,
                    class_name=INPUT,
                    id="password",
                ),
            ),
            rx.cond(
                AuthState.login_error != "",
                rx.el.p(AuthState.login_error, role="alert", class_name="text-red-700 text-sm"),
            ),
            rx.el.button("Log in", type="submit", class_name=BUTTON + " w-full", id="login-submit"),
            action=AuthState.login_action,
            method="post",
            id="login-form",
            class_name=CARD + " space-y-4",
        ),
        rx.cond(AuthState.sso_href != "", sso_button()),
    )


def sso_button() -> rx.Component:
    """Single sign-on: a plain link, since the browser leaves for the identity provider."""
    return rx.el.div(
        rx.el.p("or", class_name="text-center text-sm text-slate-500"),
        rx.el.a(
            AuthState.sso_label,
            href=AuthState.sso_href,
            class_name=BUTTON_SECONDARY + " w-full",
            id="sso-login",
        ),
        class_name="space-y-3",
    )


class PostForm(Form):
    """`<form>` that the browser submits itself (Reflex's form always prevents that)."""

    @classmethod
    def create(cls, *children: rx.Component, **props: object) -> rx.Component:
        """The form element, without Reflex's submit handler."""
        return super(Form, cls).create(*children, **props)
