"""The public API's slot window and idempotency keys (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from slotapp.core.link_api import MAX_WINDOW_DAYS, scoped_booking_key, slot_window
from slotapp.core.validation import InvalidInput

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
FAR_WEST, FAR_EAST = timezone(-timedelta(hours=23, minutes=59)), timezone(timedelta(hours=23))


def window(start: datetime | None, end: datetime | None, days: int = 60) -> tuple[datetime, ...]:
    return slot_window(start, end, now=NOW, booking_window_days=days)


def test_defaults_run_from_now_over_the_booking_window() -> None:
    assert window(None, None) == (NOW, NOW + 60 * DAY)
    assert window(None, None, days=365) == (NOW, NOW + MAX_WINDOW_DAYS * DAY)


def test_an_asked_window_inside_the_horizon_is_kept_and_given_in_utc() -> None:
    start = datetime(2026, 11, 23, 9, 0, tzinfo=FAR_EAST)
    assert window(start, start + DAY) == (start.astimezone(UTC), (start + DAY).astimezone(UTC))
    assert window(start, None) == (start.astimezone(UTC), (start + 60 * DAY).astimezone(UTC))


def test_the_window_is_clipped_to_now_and_the_booking_window() -> None:
    assert window(NOW - 3 * DAY, NOW + DAY) == (NOW, NOW + DAY)
    # The last start is now + 20 days; a day more leaves room for its meeting.
    assert window(NOW + 10 * DAY, NOW + 30 * DAY, days=20) == (NOW + 10 * DAY, NOW + 21 * DAY)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (NOW - 10 * DAY, NOW - 9 * DAY),  # in the past
        (NOW + 100 * DAY, NOW + 101 * DAY),  # beyond the booking window
        (datetime(1, 1, 1, 0, 0, 1, tzinfo=UTC), None),
        (datetime(9999, 12, 31, 23, 0, tzinfo=UTC), None),
        (datetime(9999, 12, 31, 23, 59, tzinfo=FAR_WEST), None),
        (datetime(1, 1, 1, 0, 0, tzinfo=FAR_EAST), datetime(1, 1, 2, tzinfo=FAR_WEST)),
    ],
)
def test_windows_that_can_hold_no_slot_are_empty_not_errors(
    start: datetime, end: datetime | None
) -> None:
    lo, hi = window(start, end)
    assert lo == hi and NOW <= lo <= NOW + 61 * DAY


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        (datetime(2026, 11, 23), None, "start"),
        (None, datetime(2026, 11, 23), "end"),
        (NOW + DAY, NOW + DAY, "end"),
        (NOW + 2 * DAY, NOW + DAY, "end"),
        (NOW, NOW + MAX_WINDOW_DAYS * DAY + timedelta(seconds=1), "end"),
        (datetime(1, 1, 1, tzinfo=UTC), datetime(9999, 12, 31, tzinfo=UTC), "end"),
    ],
)
def test_bad_windows_name_their_field(
    start: datetime | None, end: datetime | None, field: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        window(start, end)
    assert err.value.field == field


def test_a_key_is_scoped_to_its_link() -> None:
    key = scoped_booking_key("token-a", "k" * 20)
    assert key == scoped_booking_key("token-a", "k" * 20) and len(key) == 64
    assert key != scoped_booking_key("token-b", "k" * 20)
    assert "token-a" not in key
