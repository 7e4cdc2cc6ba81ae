"""Small building blocks styled with Tailwind (no Radix Themes: it costs ~700 KB per page)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import reflex as rx

BUTTON = (
    "inline-flex items-center justify-center min-h-12 px-5 rounded-xl font-semibold "
    "bg-indigo-600 text-white hover:bg-indigo-700 active:bg-indigo-800 "
    "disabled:opacity-50 focus:outline-none focus-visible:ring-4 focus-visible:ring-indigo-300"
)
BUTTON_SECONDARY = (
    "inline-flex items-center justify-center min-h-12 px-5 rounded-xl font-semibold "
    "bg-white text-slate-800 border border-slate-300 hover:bg-slate-50 "
    "focus:outline-none focus-visible:ring-4 focus-visible:ring-indigo-300"
)
INPUT = (
    "block w-full min-h-12 px-4 rounded-xl border border-slate-300 bg-white text-base "
    "text-slate-900 focus:outline-none focus:ring-4 focus:ring-indigo-200 focus:border-indigo-500"
)
CARD = "bg-white rounded-2xl shadow-sm border border-slate-200 p-5"
WARNING = "rounded-xl bg-amber-50 border border-amber-300 p-3 text-amber-900 text-sm"
BUTTON_SMALL = BUTTON_SECONDARY.replace("px-5", "px-3") + " text-sm"


def field(label: str, control: rx.Component, *, error: Any = "", hint: str = "") -> rx.Component:
    """A labelled form control with its error message right under it."""
    return rx.el.label(
        rx.el.span(label, class_name="block text-sm font-medium text-slate-700 mb-1"),
        control,
        rx.cond(
            error != "",
            rx.el.p(error, class_name="mt-1 text-sm text-red-700", role="alert"),
            rx.el.p(hint, class_name="mt-1 text-sm text-slate-500") if hint else rx.fragment(),
        ),
        class_name="block",
    )


def spinner(label: str = "Loading…") -> rx.Component:
    """A quiet placeholder while a private page checks the session."""
    return rx.el.div(
        rx.el.p(label, class_name="text-slate-500"),
        class_name="flex items-center justify-center min-h-[50vh]",
        aria_busy="true",
    )


SEGMENT = "flex-1 min-h-12 px-3 rounded-lg text-sm font-semibold "
SEGMENT_ON = SEGMENT + "bg-white text-indigo-700 shadow"
SEGMENT_OFF = SEGMENT + "text-slate-600"


def segmented(
    options: Sequence[tuple[str, Any]],
    *,
    selected: Any,
    on_pick: Callable[[str], Any],
    id_prefix: str,
    tabs: bool = False,
    label: str = "",
    class_name: str = "flex gap-1 p-1 rounded-xl bg-slate-100",
    on_class: str = SEGMENT_ON,
    off_class: str = SEGMENT_OFF,
) -> rx.Component:
    """A row of buttons of which one is chosen: a toggle group, or tabs with `tabs=True`.

    Args:
        options: (value, text) pairs; text may be a tuple of children. Each button's id is
            `id_prefix + value`.
        selected: Var holding the chosen value.
        on_pick: Event handler taking a value.
        id_prefix: Prefix of the buttons' ids.
        tabs: Role tablist with `aria-selected` tabs instead of a group of `aria-pressed`
            buttons.
        label: The group's aria-label ("" for none).
        class_name: The row's classes.
        on_class: The chosen button's classes.
        off_class: The other buttons' classes.
    """
    state_attr = "aria_selected" if tabs else "aria_pressed"
    buttons = []
    for value, text in options:
        chosen = selected == value
        children = text if isinstance(text, tuple) else (text,)
        props: dict[str, Any] = {state_attr: rx.cond(chosen, "true", "false")}
        if tabs:
            props["role"] = "tab"
        buttons.append(
            rx.el.button(
                *children,
                on_click=on_pick(value),
                type="button",
                class_name=rx.cond(chosen, on_class, off_class),
                id=id_prefix + value,
                **props,
            )
        )
    group: dict[str, Any] = {"role": "tablist" if tabs else "group"}
    if label:
        group["aria_label"] = label
    return rx.el.div(*buttons, class_name=class_name, **group)


def list_card(
    title: str, *, on_add: Any, add_id: str, items: Any, render: Callable[[Any], Any], list_id: str
) -> rx.Component:
    """A card with a heading, an "Add" button beside it, and one list item per row."""
    return rx.el.section(
        rx.el.div(
            rx.el.h2(title, class_name="text-lg font-semibold"),
            rx.el.button("Add", on_click=on_add, type="button", class_name=BUTTON_SMALL, id=add_id),
            class_name="flex items-center justify-between",
        ),
        rx.el.ul(rx.foreach(items, render), id=list_id),
        class_name=CARD + " space-y-2",
    )
