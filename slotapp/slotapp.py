"""The Reflex app: pages register themselves on import; API routes mount beside them."""

import reflex as rx

from slotapp import models  # noqa: F401  (registers the tables for migrations)
from slotapp.api.auth import auth_routes
from slotapp.api.chat import chat_routes
from slotapp.api.feeds import feed_routes
from slotapp.api.link_status import LinkStatusMiddleware
from slotapp.api.push import push_routes
from slotapp.api.qr import qr_routes
from slotapp.api.rate_limits import RateLimitMiddleware
from slotapp.api.security_headers import SecurityHeadersMiddleware
from slotapp.api.sso import sso_routes
from slotapp.api.v1 import build_api
from slotapp.pages import (  # noqa: F401
    account,
    activity,
    book,
    calendar,
    calendars,
    channel,
    channels,
    conversation,
    home,
    inbox,
    invitation_new,
    invite,
    links,
    login,
    meeting,
    notifications,
    outbox,
    people,
    rooms,
    slots,
)
from slotapp.services.chat_worker import chat_timers_forever
from slotapp.services.feeds import refresh_forever
from slotapp.services.live import prune_forever as prune_watchers_forever
from slotapp.services.mail_worker import deliver_forever
from slotapp.services.push_worker import deliver_forever as deliver_pushes_forever
from slotapp.state.live import notify, notify_calendars

app = rx.App(
    head_components=[
        rx.el.meta(name="theme-color", content="#4338ca"),
        # Installable app (assets/manifest.webmanifest, sw.js) and notifications (pwa.js).
        rx.el.link(rel="manifest", href="/manifest.webmanifest"),
        rx.el.link(rel="apple-touch-icon", href="/icons/apple-touch-icon.png"),
        rx.el.meta(name="apple-mobile-web-app-capable", content="yes"),
        rx.el.script(src="/pwa.js", defer=True),
    ],
    # The API mounts the app; the middleware then wraps both (dead links' pages: 404/410).
    api_transformer=[
        build_api(
            routes=[
                *qr_routes(),
                *feed_routes(),
                *push_routes(),
                *auth_routes(),
                *sso_routes(),
                *chat_routes(on_chat=notify),
            ],
            on_booked=notify_calendars,
        ),
        LinkStatusMiddleware,
        # Before any database lookup: 429 once a client, link or source is over its budget.
        RateLimitMiddleware,
        # Outermost of ours: every response, errors and 404/410 pages included.
        SecurityHeadersMiddleware,
    ],
)
app.register_lifespan_task(deliver_forever)
app.register_lifespan_task(refresh_forever)
app.register_lifespan_task(chat_timers_forever, on_chat=notify)
app.register_lifespan_task(deliver_pushes_forever)
app.register_lifespan_task(prune_watchers_forever)
