"""Form controls of a channel's settings: plain named inputs, submitted together.

Every input is uncontrolled (its default comes from `ChannelState.form`); the form remounts
when the stored values change, and keeps what was typed when a save is refused.
"""

from __future__ import annotations

import reflex as rx

from slotapp.components.ui import CARD, INPUT, field
from slotapp.state.channel import ChannelState as S

CHECK_ROW = "flex items-start gap-3 min-h-12 py-2 text-base cursor-pointer"
CHECKBOX = "w-6 h-6 mt-0.5 accent-indigo-600 flex-none"
HINT = "block text-sm text-slate-500"
LEGEND = "text-sm font-medium text-slate-700 mb-1"
TEXTAREA = INPUT + " py-3"


def error(name: str) -> rx.Component:
    """The refusal of `name`, if any, as an alert."""
    message = S.errors.get(name, "")
    return rx.cond(
        message != "",
        rx.el.p(message, class_name="text-sm text-red-700", role="alert", id=f"error-{name}"),
    )


def text(name: str, label: str, *, hint: str = "", area: bool = False, **props) -> rx.Component:  # type: ignore[no-untyped-def]
    """A labelled text input (or textarea) named `name`, with its refusal under it."""
    tag = rx.el.textarea if area else rx.el.input
    control = tag(
        name=name,
        default_value=S.form[name],
        class_name=TEXTAREA if area else INPUT,
        id=f"f-{name}",
        **({"rows": 3} if area else {}),
        **props,
    )
    return field(label, control, error=S.errors.get(name, ""), hint=hint)


def minutes(name: str, label: str, hint: str) -> rx.Component:
    """A whole-minutes input; bounds are checked on save, so the message is ours."""
    return text(name, label, hint=hint, input_mode="numeric", auto_complete="off")


def check(name: str, label: str, hint: str = "") -> rx.Component:
    """A checkbox named `name` ("on" when ticked) with an optional explanation."""
    return rx.el.label(
        rx.el.input(
            type="checkbox",
            name=name,
            default_checked=S.form[name] != "",
            class_name=CHECKBOX,
            id=f"f-{name}",
        ),
        rx.el.span(
            rx.el.span(label, class_name="block"),
            rx.el.span(hint, class_name=HINT) if hint else rx.fragment(),
        ),
        class_name=CHECK_ROW,
    )


def choice(name: str, legend: str, options: tuple[tuple[str, str, str], ...]) -> rx.Component:
    """Radio buttons named `name`: (value, label, explanation) each."""
    return rx.el.fieldset(
        rx.el.legend(legend, class_name=LEGEND),
        *[
            rx.el.label(
                rx.el.input(
                    type="radio",
                    name=name,
                    value=value,
                    default_checked=S.form[name] == value,
                    class_name=CHECKBOX,
                    id=f"f-{name}-{value}",
                ),
                rx.el.span(
                    rx.el.span(label, class_name="block font-medium"),
                    rx.el.span(about, class_name=HINT),
                ),
                class_name=CHECK_ROW,
            )
            for value, label, about in options
        ],
        error(name),
    )


def section(key: str, title: str, *children: rx.Component) -> rx.Component:
    """A panel shown while its tab is chosen; hidden ones stay in the form (and are saved)."""
    return rx.el.div(
        rx.el.h2(title, class_name="text-lg font-semibold"),
        *children,
        class_name=rx.cond(S.section == key, CARD + " space-y-4", "hidden"),
        role="tabpanel",
        id=f"section-{key}",
    )
