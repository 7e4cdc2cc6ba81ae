"""Home: where a logged-in user lands."""

from __future__ import annotations

import reflex as rx

from slotapp import routes
from slotapp.components.layout import private_page
from slotapp.components.ui import CARD
from slotapp.state.auth import AuthState


@rx.page(route=routes.HOME, title="slotapp", on_load=AuthState.require_login)
def home() -> rx.Component:
    """A greeting with the user's role; later issues add the calendar and open slots here."""
    return private_page(
        rx.el.section(
            rx.el.h1("Hello, ", AuthState.user_name, class_name="text-2xl font-bold"),
            rx.el.p(
                "Signed in as ",
                AuthState.user_email,
                " (",
                AuthState.user_role,
                ")",
                class_name="text-slate-600",
                id="whoami",
            ),
            class_name=CARD + " space-y-2",
        ),
    )
