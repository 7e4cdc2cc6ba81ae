"""Small building blocks styled with Tailwind (no Radix Themes: it costs ~700 KB per page)."""

from __future__ import annotations

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
