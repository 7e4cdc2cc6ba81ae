"""The settings form of a channel as strings, and back: what the admins' page submits.

`settings_from_form` turns the submitted form into the settings dict
`services.channels.update_channel` checks, refusing what only the form can get wrong (a
weekday's hours text, a date, a non-number, an unknown zone) with `InvalidInput` naming the
input; `form_of` gives the form's initial strings. Pure: no database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, time
from typing import Any

from slotapp.core.channel_settings import EXCLUDABLE, ChannelSettings
from slotapp.core.validation import InvalidInput, is_whole_number, known_time_zone
from slotapp.core.working_hours import HoursError, parse_hours_text

# Offered in the time-zone input's suggestions; any IANA name is accepted.
COMMON_ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Madrid",
    "Europe/Zurich",
    "Europe/Vienna",
    "Europe/Warsaw",
    "Europe/Helsinki",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
)
# Checkboxes of the form: present ("on") when ticked, missing when not.
SWITCHES = (
    "check_online",
    "tracker",
    "auto_lead",
    "transfer_makes_responsible",
    "hours_enabled",
    "consent_required",
    "contact_form",
    "save_log",
    "log_by_email",
    "rating",
    "close_on_rating",
    "bot_first",
)
TEXTS = (
    "distribution",
    "agent_info",
    "agent_display_name",
    "off_hours_reply",
    "consent_text",
    "greeting",
    "unanswered_reply",
    "close_message",
    "timeout_message",
    "language",
    "kpi_template",
)
# Whole numbers; an empty input means "off" (None).
NUMBERS = (
    "limit",
    "unanswered_minutes",
    "close_delay_minutes",
    "client_timeout_minutes",
    "kpi_initial_minutes",
    "kpi_next_minutes",
)


def _hhmm(t: time) -> str:
    return "24:00" if t == time.max else t.strftime("%H:%M")


def weekly_texts(weekly: Mapping[str, Sequence[Sequence[str]]]) -> list[str]:
    """Seven texts, Monday first, like "09:00-13:00, 14:00-18:00" ("" for a closed day)."""
    return [", ".join(f"{a}-{b}" for a, b in weekly.get(str(d), [])) for d in range(7)]


def weekly_from_texts(texts: Sequence[str]) -> dict[str, list[list[str]]]:
    """The settings' weekly hours from seven day texts; closed days are left out.

    Raises:
        InvalidInput: field "hours-<day>" (0 = Monday) for a text that is not ranges.
    """
    weekly: dict[str, list[list[str]]] = {}
    for day, text in enumerate(texts):
        try:
            ranges = parse_hours_text(text, field=f"hours-{day}")
        except HoursError as exc:
            raise InvalidInput(exc.field, exc.message) from None
        if ranges:
            weekly[str(day)] = [[_hhmm(a), _hhmm(b)] for a, b in ranges]
    return weekly


def holidays_from_text(text: str) -> list[str]:
    """Dates like "2026-12-25", separated by commas, spaces or new lines; sorted, no repeats.

    Raises:
        InvalidInput: field "holidays" for something that is not such a date.
    """
    found = set()
    for part in text.replace(",", " ").replace(";", " ").split():
        try:
            found.add(date.fromisoformat(part).isoformat())
        except ValueError:
            raise InvalidInput("holidays", f"Write {part!r} as a date like 2026-12-25.") from None
    return sorted(found)


def _number(form: Mapping[str, str], name: str) -> int | None:
    text = form.get(name, "").strip()
    if not text:
        return None
    if not is_whole_number(text):
        raise InvalidInput(name, "Enter a whole number (or leave it empty).")
    return int(text)


def _faqs(faqs: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    out = []
    for faq in faqs:
        question, answer = faq.get("question", "").strip(), faq.get("answer", "").strip()
        if question and answer:
            out.append({"question": question, "answer": answer})
        elif question or answer:
            raise InvalidInput("faqs", "Give every question an answer (or remove it).")
    return out


def settings_from_form(
    form: Mapping[str, str], faqs: Sequence[Mapping[str, str]] = ()
) -> dict[str, Any]:
    """The settings dict for `update_channel` from the submitted form and the FAQ rows.

    Raises:
        InvalidInput: a bad weekday text, date, number, time zone, idle time or FAQ row.
    """
    data: dict[str, Any] = {name: form.get(name) == "on" for name in SWITCHES}
    data |= {name: form.get(name, "").strip() for name in TEXTS}
    data |= {name: _number(form, name) for name in NUMBERS}
    data["close_delay_minutes"] = data["close_delay_minutes"] or 0
    idle = _number(form, "idle_minutes")
    if idle is None:
        raise InvalidInput("idle_minutes", "Enter between 1 and 720 minutes.")
    data["idle_minutes"] = idle
    data["limit_exclude"] = [x for x in EXCLUDABLE if form.get(f"exclude-{x}") == "on"]
    data["weekends"] = [d for d in range(7) if form.get(f"weekend-{d}") == "on"]
    data["weekly"] = weekly_from_texts([form.get(f"hours-{d}", "") for d in range(7)])
    data["holidays"] = holidays_from_text(form.get("holidays", ""))
    data["time_zone"] = known_time_zone(form.get("time_zone", ""))
    notify = form.get("kpi_notify_user_id", "")
    data["kpi_notify_user_id"] = int(notify) if is_whole_number(notify) else None
    data["faqs"] = _faqs(faqs)
    return data


def form_of(settings: ChannelSettings) -> dict[str, str]:
    """The form's initial strings for `settings` (checkboxes: "on" or "")."""
    form = {name: "on" if getattr(settings, name) else "" for name in SWITCHES}
    form |= {name: str(getattr(settings, name)) for name in TEXTS}
    form |= {
        name: "" if getattr(settings, name) is None else str(getattr(settings, name))
        for name in NUMBERS
    }
    form |= {f"exclude-{x}": "on" if x in settings.limit_exclude else "" for x in EXCLUDABLE}
    form |= {f"weekend-{d}": "on" if d in settings.weekends else "" for d in range(7)}
    form |= {f"hours-{d}": text for d, text in enumerate(weekly_texts(settings.weekly))}
    form["idle_minutes"] = str(settings.idle_minutes)
    form["holidays"] = ", ".join(settings.holidays)
    form["time_zone"] = settings.time_zone
    notify = settings.kpi_notify_user_id
    form["kpi_notify_user_id"] = "" if notify is None else str(notify)
    return form
