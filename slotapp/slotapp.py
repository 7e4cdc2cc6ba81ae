"""The Reflex app: pages register themselves on import; API routes mount beside them."""

import reflex as rx

from slotapp import models  # noqa: F401  (registers the tables for migrations)
from slotapp.api.feeds import feed_routes
from slotapp.api.link_status import LinkStatusMiddleware
from slotapp.api.qr import qr_routes
from slotapp.api.v1 import build_api
from slotapp.pages import (  # noqa: F401
    activity,
    book,
    calendar,
    calendars,
    home,
    invitation_new,
    invite,
    links,
    login,
    meeting,
    outbox,
    rooms,
    slots,
)
from slotapp.services.feeds import refresh_forever
from slotapp.services.mail_worker import deliver_forever
from slotapp.state.live import notify_calendars

app = rx.App(
    head_components=[
        rx.el.meta(name="theme-color", content="#4338ca"),
    ],
    # The API mounts the app; the middleware then wraps both (dead links' pages: 404/410).
    api_transformer=[
        build_api(routes=[*qr_routes(), *feed_routes()], on_booked=notify_calendars),
        LinkStatusMiddleware,
    ],
)
app.register_lifespan_task(deliver_forever)
app.register_lifespan_task(refresh_forever)
