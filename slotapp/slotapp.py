"""The Reflex app: pages register themselves on import; API routes mount beside them."""

import reflex as rx
from starlette.applications import Starlette

from slotapp import models  # noqa: F401  (registers the tables for migrations)
from slotapp.api.qr import qr_routes
from slotapp.pages import book, calendar, home, login, slots  # noqa: F401
from slotapp.services.mail_worker import deliver_forever

app = rx.App(
    head_components=[
        rx.el.meta(name="theme-color", content="#4338ca"),
    ],
    api_transformer=Starlette(routes=qr_routes()),
)
app.register_lifespan_task(deliver_forever)
