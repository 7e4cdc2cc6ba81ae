"""One channel's settings `/channels/[id]` (admins): sections as tabs, one Save for the form."""

from __future__ import annotations

import reflex as rx

from slotapp.components.channel_editors import SMALL, quality, queue
from slotapp.components.channel_fields import HINT, TEXTAREA
from slotapp.components.channel_form import automatic, clients, general, hours, kpi
from slotapp.components.layout import private_page
from slotapp.components.ui import BUTTON, CARD, INPUT, WARNING, field, segmented, spinner
from slotapp.state.auth import AuthState
from slotapp.state.channel import SECTIONS
from slotapp.state.channel import ChannelState as S
from slotapp.state.channel_sources import ChannelSourcesState as C

ROUTE = "/channels/[id]"
TAB = "min-h-12 px-2 rounded-lg text-sm font-semibold "
ROW = "py-3 space-y-1 border-b border-slate-100 last:border-0"


def _tabs() -> rx.Component:
    return segmented(
        SECTIONS,
        selected=S.section,
        on_pick=S.show,
        id_prefix="tab-",
        tabs=True,
        label="Settings sections",
        class_name="grid grid-cols-3 gap-1 p-1 rounded-xl bg-slate-100",
        on_class=TAB + "bg-white text-indigo-700 shadow",
        off_class=TAB + "text-slate-600",
    )


def _settings_form() -> rx.Component:
    return rx.el.form(
        general(),
        queue(),
        clients(),
        hours(),
        automatic(),
        quality(),
        kpi(),
        rx.el.div(
            rx.cond(
                S.errors.length() > 0,
                rx.el.p("Not saved: ", S.refusal, class_name="text-sm text-red-700"),
            ),
            rx.el.button("Save", type="submit", class_name=BUTTON + " w-full", id="save"),
            class_name=rx.cond(
                (S.section == "canned") | (S.section == "sources"),
                "hidden",
                "sticky bottom-0 bg-slate-50/95 py-3 space-y-1",
            ),
        ),
        on_submit=S.save,
        key=S.version,
        class_name="space-y-4",
    )


def _canned_row(row: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.div(
            rx.el.p(row["shortcut"], class_name="font-mono font-semibold"),
            rx.el.button(
                "Delete",
                on_click=C.delete_canned(row["id"]),
                type="button",
                class_name=SMALL + " text-red-700",
            ),
            class_name="flex items-center justify-between gap-2",
        ),
        rx.el.p(row["text"], class_name="text-sm text-slate-700 break-words whitespace-pre-wrap"),
        class_name=ROW,
    )


def _canned() -> rx.Component:
    return rx.el.section(
        rx.el.h2("Canned responses", class_name="text-lg font-semibold"),
        rx.el.p(
            "Agents type the shortcut in a reply to insert the text; adding a shortcut again "
            "replaces its text.",
            class_name=HINT,
        ),
        rx.el.ul(rx.foreach(C.canned, _canned_row), id="canned"),
        rx.el.form(
            field(
                "Shortcut",
                rx.el.input(name="shortcut", placeholder="/hours", class_name=INPUT, id="c-short"),
                error=C.canned_errors.get("shortcut", ""),
            ),
            field(
                "Text",
                rx.el.textarea(name="text", rows=3, class_name=TEXTAREA, id="c-text"),
                error=C.canned_errors.get("text", ""),
            ),
            rx.el.button("Add", type="submit", class_name=BUTTON + " w-full", id="c-add"),
            on_submit=C.add_canned,
            key=C.canned_version,
            class_name="space-y-3 pt-2",
        ),
        class_name=rx.cond(S.section == "canned", CARD + " space-y-3", "hidden"),
        role="tabpanel",
        id="section-canned",
    )


def _webhook(row: rx.Var) -> rx.Component:
    here = row["here"] != ""
    return rx.el.li(
        rx.el.p(row["name"], class_name="font-semibold break-words"),
        rx.el.p("Posts to ", row["url"], class_name="text-sm text-slate-600 break-all"),
        rx.el.div(
            rx.el.span(row["where"], class_name="text-sm"),
            rx.el.button(
                rx.cond(here, "Disconnect", "Connect"),
                on_click=rx.cond(here, C.disconnect(row["id"]), C.connect(row["id"])),
                type="button",
                class_name=SMALL,
            ),
            class_name="flex items-center justify-between gap-2",
        ),
        rx.cond(
            (C.refused_id == row["id"]) & (C.source_error != ""),
            rx.el.p(C.source_error, role="alert", class_name=WARNING),
        ),
        class_name=ROW,
    )


def _sources() -> rx.Component:
    return rx.el.section(
        rx.el.h2("Chat widget", class_name="text-lg font-semibold"),
        rx.el.p("Paste this into your website's pages, before </body>:", class_name=HINT),
        rx.el.pre(
            C.snippet,
            class_name="text-xs bg-slate-100 rounded-xl p-3 whitespace-pre-wrap break-all",
            id="snippet",
        ),
        rx.el.button(
            rx.cond(C.copied, "Copied", "Copy"),
            on_click=[rx.set_clipboard(C.snippet), C.mark_copied],
            type="button",
            class_name=SMALL + " w-full",
            id="copy-snippet",
        ),
        rx.el.h2("Webhook sources", class_name="text-lg font-semibold pt-4"),
        rx.el.p("For messengers and forms that post JSON with a secret.", class_name=HINT),
        rx.cond(
            (C.refused_id == "") & (C.source_error != ""),
            rx.el.p(C.source_error, role="alert", class_name=WARNING),
        ),
        rx.cond(
            C.source_message != "",
            rx.el.p(C.source_message, role="status", class_name="text-emerald-700"),
        ),
        rx.cond(
            C.new_secret != "",
            rx.el.div(
                rx.el.p("Secret (shown only now, copy it):", class_name="font-semibold"),
                rx.el.p(C.new_secret, class_name="font-mono break-all", id="new-secret"),
                rx.el.p(
                    "Send it in the X-Source-Secret header of each post.",
                    class_name="text-sm",
                ),
                rx.el.button(
                    "Copy secret",
                    on_click=rx.set_clipboard(C.new_secret),
                    type="button",
                    class_name=SMALL + " w-full",
                ),
                class_name=WARNING + " space-y-1",
            ),
        ),
        rx.el.ul(rx.foreach(C.webhooks, _webhook), id="webhooks"),
        rx.el.form(
            field(
                "New webhook source",
                rx.el.input(name="name", placeholder="e.g. Contact form", class_name=INPUT),
            ),
            rx.el.button("Create and connect", type="submit", class_name=SMALL + " w-full"),
            on_submit=C.create_webhook,
            reset_on_submit=True,
            class_name="space-y-2 pt-2",
        ),
        class_name=rx.cond(S.section == "sources", CARD + " space-y-3", "hidden"),
        role="tabpanel",
        id="section-sources",
    )


def _admin() -> rx.Component:
    return rx.cond(
        S.found,
        rx.fragment(
            _tabs(),
            rx.cond(
                S.message != "", rx.el.p(S.message, role="status", class_name="text-emerald-700")
            ),
            _settings_form(),
            _canned(),
            _sources(),
        ),
        rx.cond(
            S.loaded,
            rx.el.p("This channel does not exist.", class_name=CARD, id="not-found"),
            spinner(),
        ),
    )


@rx.page(
    route=ROUTE,
    title="Channel settings · slotapp",
    on_load=[AuthState.require_login, S.load, C.load],
)
def channel() -> rx.Component:
    """Admins set every switch of one channel."""
    return private_page(
        rx.el.a(
            "← Channels",
            href="/channels",
            class_name="inline-flex min-h-12 items-center text-indigo-700",
        ),
        rx.el.h1(S.heading, class_name="text-2xl font-bold break-words"),
        rx.cond(
            S.allowed,
            _admin(),
            rx.cond(
                S.loaded,
                rx.el.p("Only admins can manage channels.", class_name=CARD, id="not-admin"),
                spinner(),
            ),
        ),
    )
