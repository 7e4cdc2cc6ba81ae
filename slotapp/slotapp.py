"""The Reflex app: pages register themselves on import."""

import reflex as rx

from slotapp import models  # noqa: F401  (registers the tables for migrations)
from slotapp.pages import home, login  # noqa: F401

app = rx.App(
    head_components=[
        rx.el.meta(name="theme-color", content="#4338ca"),
    ],
)
