"""The sections of a channel's settings form without lists: general, clients, hours,
automatic actions and KPI (the queue and FAQ editors are in `channel_editors`)."""

from __future__ import annotations

import reflex as rx

from slotapp.components.channel_fields import (
    HINT,
    LEGEND,
    check,
    error,
    minutes,
    section,
    text,
)
from slotapp.components.ui import INPUT, field
from slotapp.core.channel_settings import DAY_NAMES
from slotapp.services.channel_settings_form import COMMON_ZONES
from slotapp.state.channel import ChannelState as S

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def general() -> rx.Component:
    """Name, chat title, on/off."""
    return section(
        "general",
        "General",
        text("name", "Name", auto_complete="off"),
        text(
            "chat_title",
            "Chat title",
            hint="Shown instead of the name in the chat widget's header; empty: the name.",
        ),
        check("active", "Active", "Off: the widget and webhooks take no new enquiries."),
    )


def clients() -> rx.Component:
    """Client recognition and leads."""
    return section(
        "clients",
        "Client recognition",
        check(
            "tracker",
            "Chat tracker",
            "Recognise returning clients by email, phone or the widget's cookie; "
            "all their dialogs join one profile.",
        ),
        check(
            "auto_lead",
            "Create leads automatically",
            "As soon as the client has left an email or phone number.",
        ),
        check(
            "transfer_makes_responsible",
            "Transfer makes the new agent responsible",
            "For a lead created from this chat, when an agent transfers it.",
        ),
    )


def hours() -> rx.Component:
    """Working hours: zone, weekly hours, weekends, holidays, off-hours reply."""
    return section(
        "hours",
        "Working hours",
        check("hours_enabled", "Use working hours", "Off: the channel is always open."),
        text(
            "time_zone",
            "Time zone",
            hint="Any IANA name, e.g. Europe/Berlin.",
            list="zones",
            auto_complete="off",
        ),
        rx.el.datalist(*[rx.el.option(value=z) for z in COMMON_ZONES], id="zones"),
        rx.el.fieldset(
            rx.el.legend("Weekly hours", class_name=LEGEND),
            *[
                rx.el.label(
                    rx.el.span(day, class_name="block text-sm text-slate-700"),
                    rx.el.input(
                        name=f"hours-{i}",
                        default_value=S.form[f"hours-{i}"],
                        placeholder="closed",
                        class_name=INPUT,
                        id=f"f-hours-{i}",
                        auto_complete="off",
                    ),
                    error(f"hours-{i}"),
                    class_name="block",
                )
                for i, day in enumerate(WEEKDAYS)
            ],
            rx.el.p(
                "Like 09:00-13:00, 14:00-18:00; empty means closed.",
                class_name=HINT,
            ),
            error("weekly"),
            class_name="space-y-2",
        ),
        rx.el.fieldset(
            rx.el.legend("Weekends (closed all day)", class_name=LEGEND),
            rx.el.div(
                *[check(f"weekend-{d}", DAY_NAMES[d]) for d in range(7)],
                class_name="grid grid-cols-3 gap-x-2",
            ),
            error("weekends"),
        ),
        text(
            "holidays",
            "Holidays",
            hint="Dates like 2026-12-25, separated by commas or new lines.",
            area=True,
        ),
        text(
            "off_hours_reply",
            "Off-hours auto-reply",
            hint="Sent when a client writes outside working hours or no agent is available.",
            area=True,
        ),
    )


def automatic() -> rx.Component:
    """Consent, greeting, contact form, unanswered, closing, timeout, log, language."""
    return section(
        "auto",
        "Automatic actions",
        check("consent_required", "Ask for consent before chatting"),
        text("consent_text", "Consent notice", area=True),
        text("greeting", "Greeting", hint="Sent after the client's first message.", area=True),
        check("contact_form", "Contact form in the chat", "Asks for name, email and phone."),
        minutes(
            "unanswered_minutes",
            "Mark as unanswered after (minutes)",
            "Empty: never. When no agent has answered in this time.",
        ),
        text(
            "unanswered_reply",
            "Auto-reply when unanswered",
            hint="Empty: mark it only, send nothing.",
            area=True,
        ),
        text("close_message", "Closing message", area=True),
        minutes(
            "close_delay_minutes",
            "Delay before full close (minutes)",
            "0: close at once. Until then the client can still write.",
        ),
        minutes(
            "client_timeout_minutes",
            "Conversation timeout (minutes)",
            "Empty: never. Closes when the client does not answer in this time.",
        ),
        text(
            "timeout_message",
            "Timeout message",
            hint="Empty: close silently.",
            area=True,
        ),
        check("save_log", "Save the message log"),
        check("log_by_email", "The client may ask for the log by email"),
        field(
            "Language of client emails",
            rx.el.select(
                *[
                    rx.el.option(label, value=code)
                    for code, label in (
                        ("en", "English"),
                        ("de", "Deutsch"),
                        ("fr", "Français"),
                        ("es", "Español"),
                    )
                ],
                name="language",
                default_value=S.form["language"],
                class_name=INPUT,
                id="f-language",
            ),
            error=S.errors.get("language", ""),
        ),
    )


def kpi() -> rx.Component:
    """Response-time limits and who hears about a late answer."""
    return section(
        "kpi",
        "Response-time KPI",
        minutes("kpi_initial_minutes", "First answer within (minutes)", "Empty: no limit."),
        minutes("kpi_next_minutes", "Later answers within (minutes)", "Empty: no limit."),
        error("kpi"),
        field(
            "Notify",
            rx.el.select(
                rx.el.option("Nobody", value=""),
                rx.foreach(S.colleagues, lambda c: rx.el.option(c["name"], value=c["id"])),
                name="kpi_notify_user_id",
                default_value=S.form["kpi_notify_user_id"],
                class_name=INPUT,
                id="f-kpi_notify_user_id",
            ),
            error=S.errors.get("kpi_notify_user_id", ""),
        ),
        text("kpi_template", "Message", area=True),
        rx.el.p(
            rx.el.code("#OPERATOR#"),
            " becomes the agent's name; ",
            rx.el.code("#DIALOG#"),
            " a link to the conversation.",
            class_name=HINT,
        ),
    )
