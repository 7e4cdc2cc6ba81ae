"""Every switch of an Open Channel, as one checked value.

`parse_settings` turns the stored (or submitted) JSON into `ChannelSettings`, filling defaults
and refusing bad values with `SettingsError(field, message)`; `dump_settings` is its inverse.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from datetime import date, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from slotapp.core.chat_bot import Faq
from slotapp.core.chat_timers import ChatTimerRules
from slotapp.core.working_hours import WorkingHours

DISTRIBUTIONS = ("evenly", "in_order", "everybody")
EXCLUDABLE = ("replied", "awaiting_client", "closing")
AGENT_INFO = ("profile", "channel", "hidden")
LANGUAGES = ("en", "de", "fr", "es")
MIN_IDLE, MAX_IDLE = 1, 12 * 60  # minutes: 1 minute to 12 hours
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class SettingsError(ValueError):
    """A channel setting that cannot be used; `field` names it for the form."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ChannelSettings:
    """An Open Channel's rules. Durations are minutes; None switches a timer off."""

    # Queue and routing
    distribution: str = "evenly"
    check_online: bool = True
    limit: int | None = None
    limit_exclude: tuple[str, ...] = ()
    idle_minutes: int = 3
    # What the client sees of the agent: their profile, the channel's own entries, nothing.
    agent_info: str = "profile"
    agent_display_name: str = ""
    # Client recognition (the chat tracker) and leads
    tracker: bool = True
    auto_lead: bool = True
    transfer_makes_responsible: bool = True
    # Working hours, in the channel's zone; weekly is {"0": [["09:00", "18:00"]], ...}.
    hours_enabled: bool = False
    time_zone: str = "UTC"
    weekly: dict[str, list[list[str]]] = field(
        default_factory=lambda: {str(d): [["09:00", "18:00"]] for d in range(5)}
    )
    weekends: tuple[int, ...] = (5, 6)
    holidays: tuple[str, ...] = ()
    off_hours_reply: str = (
        "Thank you for writing. We are away right now and will answer as soon as we are back."
    )
    # Automatic actions
    consent_required: bool = False
    consent_text: str = "I agree that my messages and contact details are stored to answer me."
    greeting: str = "Hello! How can we help you?"
    contact_form: bool = True
    unanswered_minutes: int | None = None
    unanswered_reply: str = ""
    close_message: str = "Thank you for contacting us. This conversation is now closed."
    close_delay_minutes: int = 0
    client_timeout_minutes: int | None = None
    timeout_message: str = ""
    save_log: bool = True
    log_by_email: bool = True
    language: str = "en"
    # Quality
    rating: bool = True
    close_on_rating: bool = True
    bot_first: bool = False
    faqs: tuple[Faq, ...] = ()
    # Response-time KPI
    kpi_initial_minutes: int | None = None
    kpi_next_minutes: int | None = None
    kpi_notify_user_id: int | None = None
    kpi_template: str = "#OPERATOR# has not answered #DIALOG# in time."


def _minutes(name: str, value: Any, *, low: int = 0, high: int = 7 * 24 * 60) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise SettingsError(name, "Enter a whole number of minutes.") from None
    if not low <= number <= high:
        raise SettingsError(name, f"Enter between {low} and {high} minutes.")
    return number


def _hhmm(name: str, text: str) -> int:
    try:
        hours, minutes = (int(part) for part in str(text).split(":"))
    except ValueError:
        raise SettingsError(name, f"{text!r} is not a time like 09:00.") from None
    if not (0 <= hours <= 24 and 0 <= minutes < 60) or hours * 60 + minutes > 24 * 60:
        raise SettingsError(name, f"{text!r} is not a time like 09:00.")
    return hours * 60 + minutes


def _check_weekly(weekly: dict[str, list[list[str]]]) -> dict[str, list[list[str]]]:
    clean: dict[str, list[list[str]]] = {}
    for day, ranges in weekly.items():
        if day not in {str(d) for d in range(7)}:
            raise SettingsError("weekly", f"Unknown weekday {day!r}.")
        pairs = [tuple(pair) for pair in ranges if isinstance(pair, list | tuple)]
        if len(pairs) != len(ranges) or any(len(pair) != 2 for pair in pairs):
            raise SettingsError("weekly", f"{DAY_NAMES[int(day)]}: give ranges as start-end.")
        spans = sorted((_hhmm("weekly", a), _hhmm("weekly", b), a, b) for a, b in pairs)
        for start, end, a, b in spans:
            if end <= start:
                raise SettingsError("weekly", f"{DAY_NAMES[int(day)]}: {b} is not after {a}.")
        for (_, end, _, b), (start, _, a, _) in zip(spans, spans[1:], strict=False):
            if start < end:
                raise SettingsError("weekly", f"{DAY_NAMES[int(day)]}: {a} overlaps {b}.")
        clean[day] = [[a, b] for _, _, a, b in spans]
    return clean


def _check_zone(name: str) -> None:
    # "localtime" and file paths load from the server's disk: only IANA names are zones here.
    if name in ("localtime", "posixrules") or name not in available_timezones() | {"UTC"}:
        raise SettingsError("time_zone", f"{name!r} is not a time zone.")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError("time_zone", f"{name!r} is not a time zone.") from None


def _check_holidays(days: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    clean = set()
    for day in days:
        try:
            clean.add(date.fromisoformat(str(day)).isoformat())
        except ValueError:
            raise SettingsError("holidays", f"{day!r} is not a date like 2026-12-25.") from None
    return tuple(sorted(clean))


def parse_settings(raw: dict[str, Any]) -> ChannelSettings:
    """Checked settings from stored or submitted JSON; missing keys take defaults.

    Raises:
        SettingsError: the first bad value, naming its field.
    """
    known = {f.name for f in fields(ChannelSettings)}
    data = {k: v for k, v in raw.items() if k in known}
    s = ChannelSettings(**data)
    if s.distribution not in DISTRIBUTIONS:
        raise SettingsError("distribution", "Choose evenly, in order or to everybody.")
    if s.agent_info not in AGENT_INFO:
        raise SettingsError("agent_info", "Choose profile, channel entries or hidden.")
    if s.language not in LANGUAGES:
        raise SettingsError("language", f"Choose one of {', '.join(LANGUAGES)}.")
    bad = [x for x in s.limit_exclude if x not in EXCLUDABLE]
    if bad:
        raise SettingsError("limit_exclude", f"{bad[0]!r} cannot be excluded from the limit.")
    if s.limit is not None and (not isinstance(s.limit, int) or s.limit < 1):
        raise SettingsError("limit", "The limit is at least 1 enquiry (or no limit).")
    idle = _minutes("idle_minutes", s.idle_minutes, low=MIN_IDLE, high=MAX_IDLE)
    if idle is None:
        raise SettingsError("idle_minutes", f"Enter between {MIN_IDLE} and {MAX_IDLE} minutes.")
    _check_zone(s.time_zone)
    if any(not 0 <= d <= 6 for d in s.weekends):
        raise SettingsError("weekends", "Weekend days are 0 (Monday) to 6 (Sunday).")
    kpi_initial = _minutes("kpi_initial_minutes", s.kpi_initial_minutes, low=1)
    kpi_next = _minutes("kpi_next_minutes", s.kpi_next_minutes, low=1)
    return ChannelSettings(
        **{
            **asdict(s),
            "idle_minutes": idle,
            "weekly": _check_weekly(dict(s.weekly)),
            "limit_exclude": tuple(s.limit_exclude),
            "weekends": tuple(sorted(set(s.weekends))),
            "holidays": _check_holidays(s.holidays),
            "kpi_initial_minutes": kpi_initial,
            "kpi_next_minutes": kpi_next,
            "faqs": tuple(f if isinstance(f, Faq) else Faq(**f) for f in s.faqs),
            "unanswered_minutes": _minutes("unanswered_minutes", s.unanswered_minutes, low=1),
            "close_delay_minutes": _minutes("close_delay_minutes", s.close_delay_minutes) or 0,
            "client_timeout_minutes": _minutes(
                "client_timeout_minutes", s.client_timeout_minutes, low=1
            ),
        }
    )


def dump_settings(settings: ChannelSettings) -> dict[str, Any]:
    """JSON-ready form of `settings` (what the channel row stores)."""
    data = asdict(settings)
    data["limit_exclude"] = list(settings.limit_exclude)
    data["weekends"] = list(settings.weekends)
    data["holidays"] = list(settings.holidays)
    data["faqs"] = [asdict(f) for f in settings.faqs]
    return data


def hours_of(settings: ChannelSettings) -> WorkingHours:
    """The channel's working hours as `core.working_hours` reads them."""
    weekly = {
        int(day): tuple((_clock(a), _clock(b)) for a, b in ranges)
        for day, ranges in settings.weekly.items()
    }
    return WorkingHours(
        time_zone=settings.time_zone,
        weekly=weekly,
        weekends=frozenset(settings.weekends),
        holidays=frozenset(date.fromisoformat(d) for d in settings.holidays),
        enabled=settings.hours_enabled,
    )


def _clock(text: str) -> time:
    hours, minutes = (int(x) for x in text.split(":"))
    return time.max if hours == 24 else time(hours, minutes)


def timer_rules(settings: ChannelSettings) -> ChatTimerRules:
    """The channel's automatic-action delays as `core.chat_timers` reads them."""

    def minutes(value: int | None) -> timedelta | None:
        return timedelta(minutes=value) if value else None

    return ChatTimerRules(
        unanswered_after=minutes(settings.unanswered_minutes),
        close_delay=timedelta(minutes=settings.close_delay_minutes),
        client_timeout=minutes(settings.client_timeout_minutes),
        kpi_initial=minutes(settings.kpi_initial_minutes),
        kpi_next=minutes(settings.kpi_next_minutes),
    )
