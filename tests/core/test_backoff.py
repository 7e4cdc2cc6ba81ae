from datetime import timedelta

import pytest

from slotapp.core.backoff import MAX_ATTEMPTS, retry_delay


@pytest.mark.parametrize(
    ("attempts", "minutes"),
    [(1, 1), (2, 2), (3, 4), (4, 8), (5, 16), (6, 32), (7, 60), (8, 60), (100, 60), (10**9, 60)],
)
def test_retry_delay_doubles_from_one_minute_and_caps_at_one_hour(
    attempts: int, minutes: int
) -> None:
    assert retry_delay(attempts) == timedelta(minutes=minutes)


def test_retry_delay_never_decreases() -> None:
    delays = [retry_delay(n) for n in range(1, 30)]
    assert delays == sorted(delays)


@pytest.mark.parametrize("attempts", [0, -1])
def test_retry_delay_refuses_counts_below_one(attempts: int) -> None:
    with pytest.raises(ValueError, match="attempts"):
        retry_delay(attempts)


def test_max_attempts_gives_up_after_about_two_hours_of_retries() -> None:
    assert MAX_ATTEMPTS == 8
    total = sum((retry_delay(n) for n in range(1, MAX_ATTEMPTS)), timedelta())
    assert total == timedelta(minutes=1 + 2 + 4 + 8 + 16 + 32 + 60)
