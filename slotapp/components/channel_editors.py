"""The settings sections that hold lists: the queue (with routing rules) and the FAQ bot.

The lists live in state (edited with buttons) and are saved with the rest of the form.
"""

from __future__ import annotations

import reflex as rx

from slotapp.components.channel_fields import (
    HINT,
    LEGEND,
    TEXTAREA,
    check,
    choice,
    error,
    minutes,
    section,
    text,
)
from slotapp.components.ui import BUTTON_SECONDARY, INPUT
from slotapp.core.channel_settings import MAX_IDLE, MIN_IDLE
from slotapp.state.channel import ChannelState as S
from slotapp.state.channel_queue import ChannelQueueState as Q

SMALL = BUTTON_SECONDARY.replace("px-5", "px-3") + " text-sm"
ICON = SMALL + " min-w-12 !px-0"
ROW = "flex items-center gap-2 py-2 border-b border-slate-100 last:border-0"

DISTRIBUTION = (
    ("evenly", "Evenly", "To the agent with the fewest open enquiries."),
    (
        "in_order",
        "Exactly as enqueued",
        "To the first available agent; after the idle time, to the next one.",
    ),
    ("everybody", "To everybody", "Every agent sees it; the first to answer takes it."),
)
IDLE_HINT = f"{MIN_IDLE} to {MAX_IDLE} minutes (12 hours)."
AGENT_INFO = (
    ("profile", "User profile", "The agent's name from their account."),
    ("channel", "Channel's own entries", "The display name below, for every agent."),
    ("hidden", "Hidden", "The client sees no agent details."),
)
EXCLUSIONS = (
    ("replied", "Replied-to enquiries"),
    ("awaiting_client", "Waiting for the client's reaction"),
    ("closing", "Closed enquiries"),
)


def _entry(entry: rx.Var, index: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.el.span(index + 1, ". ", entry["label"], class_name="flex-1 min-w-0 break-words"),
        rx.el.button(
            "↑",
            on_click=Q.up(index),
            type="button",
            class_name=ICON,
            disabled=index == 0,
            aria_label="Move up",
        ),
        rx.el.button(
            "↓",
            on_click=Q.down(index),
            type="button",
            class_name=ICON,
            disabled=index == Q.entries.length() - 1,
            aria_label="Move down",
        ),
        rx.el.button(
            "✕",
            on_click=Q.remove(index),
            type="button",
            class_name=ICON + " text-red-700",
            aria_label="Remove",
        ),
        class_name=ROW,
    )


def _queue_list() -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend("Queue, in order", class_name=LEGEND),
        rx.cond(
            Q.entries.length() > 0,
            rx.el.ol(rx.foreach(Q.entries, _entry), id="queue"),
            rx.el.p("Nobody yet: enquiries wait unassigned.", class_name=HINT, id="queue"),
        ),
        rx.el.div(
            rx.el.select(
                rx.el.option("Employee or department…", value=""),
                rx.foreach(Q.options, lambda o: rx.el.option(o["label"], value=o["value"])),
                value=Q.pick,
                on_change=Q.set_pick,
                class_name=INPUT + " flex-1 min-w-0",
                aria_label="Employee or department to add",
            ),
            rx.el.button("Add", on_click=Q.add, type="button", class_name=SMALL, id="queue-add"),
            class_name="flex gap-2 pt-2",
        ),
        rx.cond(Q.error != "", rx.el.p(Q.error, class_name="text-sm text-red-700", role="alert")),
        error("queue"),
        rx.el.p("Queue changes are kept when you save.", class_name=HINT),
    )


def queue() -> rx.Component:
    """Who gets enquiries, how, and what the client sees of them."""
    return section(
        "queue",
        "Queue",
        _queue_list(),
        choice("distribution", "Distribution", DISTRIBUTION),
        minutes("idle_minutes", "Idle time before forwarding (minutes)", IDLE_HINT),
        check(
            "check_online",
            "Check that an agent is online",
            "Skip agents who are away, not clocked in, on leave or dismissed.",
        ),
        minutes(
            "limit", "Simultaneous enquiries per agent", "Empty: no limit. At least 1 otherwise."
        ),
        rx.el.fieldset(
            rx.el.legend("Not counted toward the limit", class_name=LEGEND),
            *[check(f"exclude-{value}", label) for value, label in EXCLUSIONS],
            error("limit_exclude"),
        ),
        choice("agent_info", "Agent information shown to the client", AGENT_INFO),
        text(
            "agent_display_name",
            "Display name (channel's own entries)",
            hint="E.g. 'Support team'.",
        ),
    )


def _faq(faq: rx.Var, index: rx.Var) -> rx.Component:
    return rx.el.div(
        rx.el.input(
            default_value=faq["question"],
            on_blur=lambda value: S.set_faq(index, "question", value),
            placeholder="Question",
            class_name=INPUT,
            aria_label="Question",
        ),
        rx.el.textarea(
            default_value=faq["answer"],
            on_blur=lambda value: S.set_faq(index, "answer", value),
            placeholder="Answer",
            rows=2,
            class_name=TEXTAREA,
            aria_label="Answer",
        ),
        rx.el.button(
            "Remove",
            on_click=S.remove_faq(index),
            type="button",
            class_name=SMALL + " text-red-700",
        ),
        key=faq["key"],
        class_name="space-y-2 py-3 border-b border-slate-100",
    )


def quality() -> rx.Component:
    """Ratings and the FAQ bot."""
    return section(
        "quality",
        "Quality",
        check("rating", "Let the client rate the conversation"),
        check("close_on_rating", "Close the session when a rating is received"),
        check(
            "bot_first",
            "Chat bot first",
            "The bot answers from the FAQ below and hands over to the queue when it cannot, "
            "or when the client asks for a person.",
        ),
        rx.el.fieldset(
            rx.el.legend("FAQ", class_name=LEGEND),
            rx.foreach(S.faqs, _faq),
            rx.el.button(
                "Add a question",
                on_click=S.add_faq,
                type="button",
                class_name=SMALL + " mt-2",
                id="faq-add",
            ),
            error("faqs"),
        ),
    )
