"""Checks on user input that give a clear message and change nothing."""

from __future__ import annotations

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


def required_text(raw: str, *, field: str, label: str, max_length: int) -> str:
    """Stripped text, non-empty and at most `max_length` characters."""
    value = (raw or "").strip()
    if not value:
        raise InvalidInput(field, f"Enter {label}.")
    if len(value) > max_length:
        raise InvalidInput(field, f"{label.capitalize()} must be at most {max_length} characters.")
    return value
