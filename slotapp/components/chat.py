"""Pieces of the conversation view: message bubbles, the client's typing, the composer."""

from __future__ import annotations

import reflex as rx

from slotapp.components.ui import BUTTON, CARD, INPUT
from slotapp.state.conversation import ConversationState as S

BUBBLE = "max-w-[85%] rounded-2xl px-3 py-2 whitespace-pre-wrap break-words "
CHIP = (
    "inline-flex items-center min-h-12 px-3 rounded-full border border-slate-300 bg-white "
    "text-sm font-semibold text-slate-700 hover:bg-slate-50"
)
# "typing…" fades out by itself 5 s after the last typing post: the server need not send an
# update when the client stops, and a new post re-mounts the element (its key changes).
TYPING_FADE = (
    "@keyframes slotapp-typing{0%,80%{opacity:1}100%{opacity:0;visibility:hidden}}"
    ".slotapp-typing{animation:slotapp-typing 5s forwards}"
)


def _meta(message: rx.Var) -> rx.Component:
    return rx.el.span(
        message["who"],
        rx.cond(message["who"] != "", " · ", ""),
        message["at"],
        class_name="block text-xs opacity-75 mb-0.5",
    )


def bubble(message: rx.Var) -> rx.Component:
    """One message: the client's on the left, the agents' on the right, bot and system apart.

    Text only: Reflex renders it as text, so markup a client types is shown, never run.
    """
    return rx.match(
        message["author"],
        (
            "agent",
            rx.el.li(
                rx.el.div(
                    _meta(message), message["text"], class_name=BUBBLE + "bg-indigo-600 text-white"
                ),
                class_name="flex justify-end",
                custom_attrs={"data-author": "agent"},
            ),
        ),
        (
            "system",
            rx.el.li(
                rx.el.p(
                    message["text"],
                    " · ",
                    message["at"],
                    class_name="text-xs text-slate-500 text-center px-6 break-words",
                ),
                custom_attrs={"data-author": "system"},
            ),
        ),
        rx.el.li(
            rx.el.div(
                _meta(message),
                message["text"],
                class_name=rx.cond(
                    message["author"] == "bot",
                    BUBBLE + "bg-sky-50 border border-sky-200 text-slate-900",
                    BUBBLE + "bg-white border border-slate-200 text-slate-900",
                ),
            ),
            class_name="flex justify-start",
            custom_attrs={"data-author": message["author"]},
        ),
    )


def log() -> rx.Component:
    """The messages, newest at the bottom; it opens scrolled to the end (column-reverse)."""
    return rx.el.ol(
        rx.el.li(
            rx.cond(
                S.typing,
                rx.el.p(
                    S.client,
                    " is typing…",
                    key=S.typing_key,
                    class_name="slotapp-typing text-sm text-slate-500 italic",
                    id="client-typing",
                ),
            ),
            class_name="min-h-5",
            aria_live="polite",
        ),
        rx.foreach(S.messages, bubble),
        class_name="flex flex-col-reverse gap-2 overflow-y-auto overscroll-contain "
        "max-h-[55vh] min-h-[30vh] p-3 rounded-2xl bg-slate-100",
        id="chat-log",
        aria_label="Messages",
    )


def canned_chips() -> rx.Component:
    """Canned responses: a tap puts the text into the composer."""
    return rx.cond(
        S.canned.length() > 0,
        rx.el.div(
            rx.foreach(
                S.canned,
                lambda c: rx.el.button(
                    c["shortcut"],
                    on_click=S.insert_canned(c["text"]),
                    type="button",
                    title=c["text"],
                    class_name=CHIP,
                ),
            ),
            class_name="flex flex-wrap gap-2",
            role="group",
            aria_label="Canned responses",
            id="canned",
        ),
    )


def composer() -> rx.Component:
    """The reply box; typing is debounced so each pause posts "agent is typing" at most
    every few seconds, and Send also takes the enquiry."""
    return rx.el.div(
        canned_chips(),
        rx.el.label(
            rx.el.span("Reply", class_name="sr-only"),
            rx.debounce_input(
                rx.el.textarea(
                    value=S.draft,
                    on_change=S.set_draft,
                    rows=3,
                    placeholder="Write a reply, or a /shortcut",
                    class_name=INPUT + " py-3 resize-y",
                    id="composer",
                ),
                debounce_timeout=300,
            ),
            class_name="block",
        ),
        rx.el.button(
            "Send", on_click=S.send, type="button", class_name=BUTTON + " w-full", id="send"
        ),
        class_name="space-y-2",
    )


def _list(title: str, rows: rx.Var, item, empty: str) -> rx.Component:  # type: ignore[no-untyped-def]
    return rx.el.div(
        rx.el.h3(title, class_name="text-sm font-semibold text-slate-700"),
        rx.cond(
            rows.length() > 0,
            rx.el.ul(rx.foreach(rows, item)),
            rx.el.p(empty, class_name="text-sm text-slate-500"),
        ),
    )


def profile_panel() -> rx.Component:
    """The client's contact details, earlier dialogs, leads and meetings booked via chat."""
    return rx.el.details(
        rx.el.summary(
            "Client profile", class_name="cursor-pointer min-h-12 flex items-center font-semibold"
        ),
        rx.el.dl(
            rx.el.dt("Name", class_name="text-sm text-slate-500"),
            rx.el.dd(rx.cond(S.profile["name"] != "", S.profile["name"], "—")),
            rx.el.dt("Email", class_name="text-sm text-slate-500"),
            rx.el.dd(
                rx.cond(S.profile["email"] != "", S.profile["email"], "—"), class_name="break-all"
            ),
            rx.el.dt("Phone", class_name="text-sm text-slate-500"),
            rx.el.dd(rx.cond(S.profile["phone"] != "", S.profile["phone"], "—")),
            class_name="space-y-0.5",
        ),
        _list(
            "Dialogs",
            S.dialogs,
            lambda d: rx.el.li(
                rx.el.a(
                    d["when"],
                    " · ",
                    d["status"],
                    href=d["href"],
                    class_name="flex items-center min-h-12 text-indigo-700",
                )
            ),
            "None yet.",
        ),
        _list(
            "Leads",
            S.leads,
            lambda x: rx.el.li(x["title"], " · ", x["source"], class_name="text-sm py-1"),
            "No leads.",
        ),
        _list(
            "Meetings booked through chat links",
            S.meetings,
            lambda m: rx.el.li(m["title"], " · ", m["when"], class_name="text-sm py-1"),
            "None yet.",
        ),
        class_name=CARD + " space-y-3",
        id="client-profile",
    )


def typing_style() -> rx.Component:
    """The fade-out of "typing…" (a few bytes of CSS, no script)."""
    return rx.el.style(TYPING_FADE)
