"""Pure rules of the public link API: the window a slot query covers, idempotency keys."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from slotapp.core.validation import InvalidInput

# One query covers at most this span: enough for two months of a date picker, small enough
# that a client cannot make the engine walk a year of slots in one request.
MAX_WINDOW_DAYS = 62


def slot_window(
    start: datetime | None,
    end: datetime | None,
    *,
    now: datetime,
    booking_window_days: int,
) -> tuple[datetime, datetime]:
    """The part of the asked window [start, end) that can hold slots, in UTC.

    Slots start no earlier than now and no later than the booking window allows, so the asked
    window is clipped to that span; what is left may be empty (start == end). Clipping also
    keeps far-off times (year 1 or 9999) away from date arithmetic that would overflow.

    Args:
        start: Aware start, or None for `now`.
        end: Aware end, or None for the booking window (at most MAX_WINDOW_DAYS) after start.
        now: Aware current instant.
        booking_window_days: How far ahead the link's owner takes bookings.

    Returns:
        The window's start and end in UTC, start <= end.

    Raises:
        InvalidInput: a naive time, an end not after the start, or a window longer than
            MAX_WINDOW_DAYS (field "start" or "end").
    """
    for field, value in (("start", start), ("end", end)):
        if value is not None and value.utcoffset() is None:
            raise InvalidInput(field, f"The {field} time must include its time zone.")
    asked = start if start is not None else now
    if end is not None and end <= asked:
        raise InvalidInput("end", "The end must be after the start.")
    if end is not None and end - asked > timedelta(days=MAX_WINDOW_DAYS):
        raise InvalidInput("end", f"A query may span at most {MAX_WINDOW_DAYS} days.")
    # The last start is now + the booking window; a meeting is shorter than a day.
    horizon = now + timedelta(days=booking_window_days + 1)
    lo = min(max(asked, now), horizon)
    if end is None:
        span = timedelta(days=min(booking_window_days, MAX_WINDOW_DAYS))
        end = asked + span if asked < horizon else horizon
    hi = max(lo, min(end, horizon))
    return lo.astimezone(UTC), hi.astimezone(UTC)


def scoped_booking_key(token: str, key: str) -> str:
    """The stored idempotency key of a client's `key` sent to the link `token`.

    Clients choose their keys, so two clients (or a curious one) may send the same key; tying
    it to the link keeps one link's retry from returning a meeting booked through another.
    The digest reveals neither the token nor the key and fits the 64-character column.
    """
    return hashlib.sha256(f"link-api\0{token}\0{key}".encode()).hexdigest()
