"""Controls of the new-invitation form, bound to its state's values, flags and errors."""

from __future__ import annotations

from typing import Any

import reflex as rx

from slotapp.components.ui import BUTTON, BUTTON_SECONDARY, INPUT, field
from slotapp.state.invitation_new import InvitationNewState as S

CHECK_ROW = "flex items-center gap-3 min-h-12 text-base cursor-pointer"
CHECKBOX = "w-6 h-6 accent-indigo-600 flex-none"


def text_input(
    name: str, label: str, *, kind: str = "text", hint: str = "", **props: Any
) -> rx.Component:
    """A text-like input for `S.values[name]`, its error under it."""
    return field(
        label,
        rx.debounce_input(
            rx.el.input(
                value=S.values[name],
                on_change=lambda v: S.set_value(name, v),
                type=kind,
                class_name=INPUT,
                id=f"inv-{name}",
                **props,
            ),
            debounce_timeout=300,
        ),
        error=S.errors.get(name, ""),
        hint=hint,
    )


def switch(flag: str, label: str) -> rx.Component:
    """An on/off switch for `S.flags[flag]`."""
    on = S.flags[flag]
    return rx.el.button(
        rx.el.span(label, class_name="text-base text-left"),
        rx.el.span(
            rx.el.span(
                class_name=rx.cond(
                    on,
                    "block w-6 h-6 rounded-full bg-white shadow translate-x-6 transition",
                    "block w-6 h-6 rounded-full bg-white shadow transition",
                )
            ),
            class_name=rx.cond(
                on,
                "flex flex-none items-center w-14 h-8 p-1 rounded-full bg-indigo-600",
                "flex flex-none items-center w-14 h-8 p-1 rounded-full bg-slate-300",
            ),
        ),
        role="switch",
        aria_checked=rx.cond(on, "true", "false"),
        on_click=S.set_flag(flag, ~on),
        type="button",
        id=f"inv-{flag}",
        class_name="flex items-center justify-between gap-3 w-full min-h-12",
    )


def step_nav(back: int, next_: int) -> rx.Component:
    """Back to step `back` (or Cancel on the first step) and Next to step `next_`."""
    first = (
        rx.el.button("Back", on_click=S.go(back), type="button", class_name=BUTTON_SECONDARY)
        if back
        else rx.el.a("Cancel", href="/activity", class_name=BUTTON_SECONDARY)
    )
    return rx.el.div(
        first,
        rx.el.button("Next", on_click=S.go(next_), type="button", class_name=BUTTON, id="next"),
        class_name="grid grid-cols-2 gap-2",
    )
