"""Checks on user input that give a clear message and change nothing."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from email_validator import EmailNotValidError, validate_email


class InvalidInput(ValueError):
    """Bad input; `field` names the form field, the message says what to fix."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def normalise_email(raw: str, *, field: str = "email") -> str:
    """The address in canonical form (lower-cased); InvalidInput when malformed.

    Deliverability (DNS) is not checked: this machine, and many offices, resolve no MX.
    """
    candidate = (raw or "").strip()
    if not candidate:
        raise InvalidInput(field, "Enter an email address.")
    try:
        result = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidInput(field, f"That email address is not valid: {exc}") from exc
    return str(result.normalized).lower()


_ZONES: frozenset[str] | None = None
# Present in the zone database of many machines but not IANA zone names: "localtime" is
# whatever this server is set to, "posix/" and "right/" are duplicates with other leap rules.
_NOT_ZONES = ("localtime", "posixrules", "Factory")


def known_time_zone(name: str, *, field: str = "time_zone") -> str:
    """`name` if it is an IANA time zone this machine knows; InvalidInput otherwise."""
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    cleaned = (name or "").strip()
    if cleaned in _NOT_ZONES or cleaned.startswith(("posix/", "right/")):
        raise InvalidInput(field, f"Unknown time zone '{cleaned}'.")
    if cleaned == "UTC" or cleaned in _ZONES:
        try:
            ZoneInfo(cleaned)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise InvalidInput(field, f"Unknown time zone '{cleaned}'.") from exc
        return cleaned
    raise InvalidInput(field, f"Unknown time zone '{cleaned}'.")


# Instants outside these years are refused: a few days added or taken away (meeting length,
# buffers, the booking window) must still be a datetime.
EARLIEST_YEAR, LATEST_YEAR = 2, 9998


def utc_instant(value: datetime, *, field: str = "start") -> datetime:
    """`value` in UTC; InvalidInput when it has no zone or lies near the ends of time
    (`datetime(1, 1, 1, tzinfo=+14:00).astimezone(UTC)` would raise OverflowError)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput(field, "The time must include its time zone.")
    try:
        instant = value.astimezone(UTC)
    except OverflowError:
        instant = None
    if instant is None or not EARLIEST_YEAR <= instant.year <= LATEST_YEAR:
        raise InvalidInput(field, "That time is out of range.")
    return instant


def unstorable(text: str) -> str | None:
    """Why `text` cannot be stored as text (a NUL, which PostgreSQL refuses, or half of a
    UTF-16 surrogate pair, which no UTF-8 database takes), or None when it can."""
    if "\x00" in text:
        return "must not contain NUL characters"
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        return "must not contain unpaired surrogate characters"
    return None


def required_text(raw: str, *, field: str, label: str, max_length: int) -> str:
    """Stripped one-line text, non-empty, at most `max_length` characters, no control
    characters (a name ends up in email subjects and calendar files)."""
    value = (raw or "").strip()
    if not value:
        raise InvalidInput(field, f"Enter {label}.")
    if len(value) > max_length:
        raise InvalidInput(field, f"{label.capitalize()} must be at most {max_length} characters.")
    if unstorable(value) or any(unicodedata.category(ch) == "Cc" for ch in value):
        raise InvalidInput(field, f"{label.capitalize()} must be one line of plain text.")
    return value


def is_whole_number(text: str, *, max_digits: int = 18) -> bool:
    """Whether `text` is a plain whole number `int()` takes and a database column holds.

    `str.isdigit()` alone is not enough: it accepts "²" and other digits `int()` refuses,
    and numbers too long for a 64-bit column (or for `int()`, past 4300 digits).
    """
    return 0 < len(text) <= max_digits and text.isascii() and text.isdigit()
