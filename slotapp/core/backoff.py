"""When to retry a failed email: exponential backoff with a cap."""

from __future__ import annotations

from datetime import timedelta

MAX_ATTEMPTS = 8
"""After this many failed attempts a message is marked failed and no longer retried."""

BASE_DELAY = timedelta(minutes=1)
MAX_DELAY = timedelta(hours=1)


def retry_delay(attempts: int) -> timedelta:
    """How long to wait before the next try: 1, 2, 4, 8 ... minutes, at most one hour.

    Args:
        attempts: Failed attempts so far (1 after the first failure).

    Returns:
        The delay before the next attempt.

    Raises:
        ValueError: `attempts` is below 1.
    """
    if attempts < 1:
        raise ValueError(f"attempts must be >= 1, got {attempts}")
    # Cap the exponent first so a huge count cannot build a huge integer.
    return min(BASE_DELAY * (1 << min(attempts - 1, 16)), MAX_DELAY)
