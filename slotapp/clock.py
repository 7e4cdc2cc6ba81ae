"""The one place the application reads the clock; services take `now` as a parameter."""

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC)
