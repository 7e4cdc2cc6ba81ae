"""Open slots: the switch, the link to share (copy, QR, preview) and the slot settings."""

from __future__ import annotations

import reflex as rx

from slotapp import routes
from slotapp.components.layout import private_page
from slotapp.components.ui import BUTTON, BUTTON_SECONDARY, CARD, INPUT, field
from slotapp.pages.links import LINKS
from slotapp.state.auth import AuthState
from slotapp.state.open_slots import OpenSlotsState, QrState


def _switch() -> rx.Component:
    return rx.el.button(
        rx.el.span("Open slots", class_name="text-lg font-semibold"),
        rx.el.span(
            rx.el.span(
                class_name=rx.cond(
                    OpenSlotsState.enabled,
                    "block w-6 h-6 rounded-full bg-white shadow translate-x-6 transition",
                    "block w-6 h-6 rounded-full bg-white shadow transition",
                )
            ),
            class_name=rx.cond(
                OpenSlotsState.enabled,
                "flex items-center w-14 h-8 p-1 rounded-full bg-emerald-600",
                "flex items-center w-14 h-8 p-1 rounded-full bg-slate-300",
            ),
        ),
        role="switch",
        aria_checked=rx.cond(OpenSlotsState.enabled, "true", "false"),
        on_click=OpenSlotsState.switch(~OpenSlotsState.enabled),
        type="button",
        id="open-slots-switch",
        class_name="flex items-center justify-between w-full min-h-12",
    )


def _link() -> rx.Component:
    return rx.el.div(
        rx.el.input(
            value=OpenSlotsState.link_url,
            read_only=True,
            class_name=INPUT,
            id="link-url",
            aria_label="Your booking link",
        ),
        rx.el.div(
            rx.el.button(
                "Copy link",
                on_click=[rx.set_clipboard(OpenSlotsState.link_url), OpenSlotsState.mark_copied],
                type="button",
                class_name=BUTTON,
                id="copy-link",
            ),
            rx.el.button(
                "QR code",
                on_click=OpenSlotsState.toggle_qr,
                type="button",
                class_name=BUTTON_SECONDARY,
                id="show-qr",
            ),
            class_name="grid grid-cols-2 gap-2",
        ),
        rx.cond(
            OpenSlotsState.copied,
            rx.el.p("Link copied.", role="status", class_name="text-emerald-700", id="copied"),
        ),
        rx.cond(
            OpenSlotsState.show_qr,
            rx.el.div(
                rx.el.img(
                    src=QrState.qr_src,
                    alt="QR code of your booking link",
                    class_name="w-64 h-64 mx-auto",
                    id="qr-image",
                ),
                rx.el.a("Download PNG", href=QrState.qr_png, class_name=BUTTON_SECONDARY),
                class_name="space-y-2 text-center",
            ),
        ),
        rx.el.a(
            "What will my contacts see",
            href=OpenSlotsState.link_url,
            target="_blank",
            class_name="block text-indigo-700 underline min-h-12 pt-3",
            id="preview-link",
        ),
    )


def _sharing() -> rx.Component:
    return rx.el.section(
        rx.el.div(
            rx.el.div(
                rx.el.h2("Shared slots", class_name="text-lg font-semibold"),
                rx.el.p(
                    "Times when you and your colleagues are all free, and one-time links.",
                    class_name="text-sm text-slate-600",
                ),
            ),
            rx.el.a(
                "+",
                href=LINKS + "?new=shared",
                aria_label="New shared-slots link with colleagues",
                class_name=BUTTON + " flex-none w-12 px-0 text-2xl",
                id="slots-new-shared",
            ),
            class_name="flex items-center justify-between gap-3",
        ),
        rx.el.a(
            "All my links",
            href=LINKS,
            class_name="block text-indigo-700 underline min-h-12 pt-3",
            id="slots-all-links",
        ),
        class_name=CARD + " space-y-2",
    )


def _number(name: str, label: str, hint: str = "") -> rx.Component:
    return field(
        label,
        rx.el.input(
            name=name,
            default_value=OpenSlotsState.numbers[name],
            key=OpenSlotsState.numbers[name],
            inputmode="numeric",
            class_name=INPUT,
            id=name,
        ),
        error=OpenSlotsState.errors[name].to(str),
        hint=hint,
    )


def _weekday(row: rx.Var) -> rx.Component:
    return field(
        row["name"].to(str),
        rx.el.input(
            name="hours-" + row["day"].to(str),
            default_value=row["value"].to(str),
            key=row["value"].to(str),
            placeholder="day off",
            class_name=INPUT,
            id="hours-" + row["day"].to(str),
        ),
        error=row["error"].to(str),
    )


def _settings() -> rx.Component:
    return rx.el.form(
        rx.el.h2("When you take meetings", class_name="text-lg font-semibold"),
        rx.el.p(
            "Hours per weekday, e.g. 09:00-12:00, 13:00-17:00. Empty means a day off.",
            class_name="text-sm text-slate-600",
        ),
        rx.foreach(OpenSlotsState.weekday_rows, _weekday),
        _number("length_minutes", "Meeting length (minutes)"),
        rx.el.details(
            rx.el.summary("More", class_name="min-h-12 pt-3 font-semibold cursor-pointer"),
            rx.el.div(
                _number("step_minutes", "Start times every (minutes)", "Empty: the length."),
                _number("min_notice_minutes", "Minimum notice (minutes)"),
                _number("booking_window_days", "Bookable up to (days ahead)"),
                _number("buffer_before_minutes", "Buffer before (minutes)"),
                _number("buffer_after_minutes", "Buffer after (minutes)"),
                _number("daily_limit", "Most meetings per day", "Empty: no limit."),
                field(
                    "Days off",
                    rx.el.input(
                        name="days_off",
                        default_value=OpenSlotsState.days_off,
                        key=OpenSlotsState.days_off,
                        placeholder="2026-12-24, 2026-12-31",
                        class_name=INPUT,
                        id="days_off",
                    ),
                    error=OpenSlotsState.errors["days_off"].to(str),
                ),
                class_name="space-y-4",
            ),
        ),
        rx.el.button("Save", type="submit", class_name=BUTTON + " w-full", id="save-settings"),
        rx.cond(
            OpenSlotsState.saved,
            rx.el.p(
                "Saved. Your link uses these settings now.",
                role="status",
                class_name="text-emerald-700",
            ),
        ),
        on_submit=OpenSlotsState.save,
        class_name=CARD + " space-y-4",
    )


@rx.page(
    route=routes.SLOTS,
    title="Open slots · slotapp",
    on_load=[AuthState.require_login, OpenSlotsState.load],
)
def slots() -> rx.Component:
    """The owner's phone flow: switch on, share the link, set the hours."""
    return private_page(
        rx.el.section(
            _switch(), rx.cond(OpenSlotsState.enabled, _link()), class_name=CARD + " space-y-4"
        ),
        _sharing(),
        _settings(),
    )
