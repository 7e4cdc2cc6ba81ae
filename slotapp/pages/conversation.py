"""A conversation `/inbox/[conversation_id]`: log, reply, take, transfer, close, client profile."""

from __future__ import annotations

import reflex as rx

from slotapp.components.chat import composer, log, profile_panel, typing_style
from slotapp.components.layout import private_page
from slotapp.components.ui import BUTTON, BUTTON_SECONDARY, BUTTON_SMALL, CARD, INPUT
from slotapp.state.auth import AuthState
from slotapp.state.conversation import ConversationState as S

SMALL = BUTTON_SMALL
DANGER = BUTTON.replace("bg-indigo-600", "bg-red-600").replace(
    "hover:bg-indigo-700", "hover:bg-red-700"
)


def _header() -> rx.Component:
    return rx.el.div(
        rx.el.a(
            "← Inbox", href="/inbox", class_name="inline-flex items-center min-h-12 text-indigo-700"
        ),
        rx.el.div(
            rx.el.h1(S.client, class_name="text-2xl font-bold break-words", id="chat-client"),
            rx.el.span(
                S.status,
                class_name="shrink-0 px-2 py-0.5 rounded-full text-xs font-semibold bg-slate-200",
                id="chat-status",
            ),
            class_name="flex items-start justify-between gap-2",
        ),
        rx.el.p(S.channel, class_name="text-sm text-slate-600"),
    )


def _messages() -> rx.Component:
    return rx.fragment(
        rx.cond(
            S.error != "",
            rx.el.p(S.error, role="alert", class_name="text-red-700", id="chat-error"),
        ),
        rx.cond(
            S.notice != "",
            rx.el.p(S.notice, role="status", class_name="text-emerald-700", id="chat-notice"),
        ),
    )


def _close() -> rx.Component:
    return rx.cond(
        S.confirm_close,
        rx.el.div(
            rx.el.p(
                "Close this conversation? The client gets the closing message.",
                class_name="text-sm",
            ),
            rx.el.div(
                rx.el.button(
                    "Close it",
                    on_click=S.close,
                    type="button",
                    class_name=DANGER,
                    id="close-confirm",
                ),
                rx.el.button(
                    "Keep open", on_click=S.ask_close(False), type="button", class_name=SMALL
                ),
                class_name="grid grid-cols-2 gap-2",
            ),
            role="alertdialog",
            class_name="col-span-2 rounded-xl bg-red-50 border border-red-200 p-3 space-y-2",
        ),
        rx.el.button(
            "Close…",
            on_click=S.ask_close(True),
            type="button",
            class_name=SMALL + " text-red-700",
            id="close",
        ),
    )


def _transfer() -> rx.Component:
    return rx.el.div(
        rx.el.label(
            rx.el.span(
                "Pass to a colleague", class_name="block text-sm font-medium text-slate-700 mb-1"
            ),
            rx.el.select(
                rx.el.option("Choose…", value=""),
                rx.foreach(S.colleagues, lambda c: rx.el.option(c["name"], value=c["id"])),
                value=S.transfer_to,
                on_change=S.set_transfer_to,
                class_name=INPUT,
                id="transfer-to",
            ),
            class_name="block",
        ),
        rx.el.div(
            rx.el.button(
                "Transfer",
                on_click=S.transfer(False),
                type="button",
                class_name=SMALL,
                id="transfer",
            ),
            rx.el.button(
                "Back to queue",
                on_click=S.transfer(True),
                type="button",
                class_name=SMALL,
                id="to-queue",
            ),
            class_name="grid grid-cols-2 gap-2",
        ),
        class_name="space-y-2",
    )


def _actions() -> rx.Component:
    return rx.el.section(
        rx.el.div(
            rx.cond(
                S.can_take,
                rx.el.button("Take", on_click=S.take, type="button", class_name=SMALL, id="take"),
            ),
            rx.cond(
                S.can_reply,
                rx.el.button(
                    "Send booking link",
                    on_click=S.send_booking_link,
                    type="button",
                    class_name=SMALL,
                    id="booking-link",
                ),
            ),
            rx.cond(
                S.can_manage,
                rx.fragment(
                    rx.el.button(
                        "Waiting for client",
                        on_click=S.wait_for_client,
                        type="button",
                        class_name=SMALL,
                        id="wait",
                    ),
                    _close(),
                ),
            ),
            rx.el.button(
                "Make lead", on_click=S.make_lead, type="button", class_name=SMALL, id="make-lead"
            ),
            class_name="grid grid-cols-2 gap-2",
        ),
        rx.cond(S.can_manage, _transfer()),
        rx.cond(AuthState.is_admin, _supervisor_rating()),
        class_name=CARD + " space-y-3",
        aria_label="Actions",
    )


def _supervisor_rating() -> rx.Component:
    return rx.el.div(
        rx.el.p(
            "Your rating of this conversation", class_name="text-sm font-medium text-slate-700"
        ),
        rx.el.div(
            *[
                rx.el.button(
                    str(n),
                    on_click=S.rate(n),
                    type="button",
                    aria_pressed=rx.cond(S.supervisor_rating == n, "true", "false"),
                    class_name=rx.cond(
                        S.supervisor_rating == n,
                        BUTTON.replace("px-5", "px-0"),
                        SMALL.replace("px-3", "px-0"),
                    ),
                    id=f"rate-{n}",
                )
                for n in range(1, 6)
            ],
            class_name="grid grid-cols-5 gap-2",
            role="group",
            aria_label="Supervisor rating",
        ),
        rx.cond(
            S.rating != "",
            rx.el.p("Client's rating: ", S.rating, class_name="text-sm text-slate-600"),
        ),
    )


def _conversation() -> rx.Component:
    return rx.fragment(
        _header(),
        log(),
        _messages(),
        rx.cond(
            S.can_reply,
            composer(),
            rx.cond(
                S.is_open,
                rx.el.p("A colleague is handling this conversation.", class_name="text-slate-600"),
                rx.el.p("This conversation is closed.", class_name="text-slate-600"),
            ),
        ),
        _actions(),
        profile_panel(),
    )


@rx.page(
    route="/inbox/[conversation_id]",
    title="Conversation · slotapp",
    on_load=[AuthState.require_login, S.load],
)
def conversation_page() -> rx.Component:
    """One enquiry, live: the client's messages and typing appear as they happen."""
    return private_page(
        typing_style(),
        rx.cond(
            S.found,
            _conversation(),
            rx.cond(
                S.loaded,
                rx.el.div(
                    rx.el.p(S.denied, class_name="font-semibold", id="chat-denied"),
                    rx.el.a("Back to the inbox", href="/inbox", class_name=BUTTON_SECONDARY),
                    class_name=CARD + " space-y-3",
                ),
                rx.el.p("Loading…", class_name="text-slate-500"),
            ),
        ),
    )
