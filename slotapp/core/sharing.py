"""Share links as their owner sees them: state, list order, expiry day, the no-times warning,
and the limits typed into the new-link form.

Pure: plain values in, plain values out; `now` is a parameter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from enum import StrEnum
from typing import Protocol, TypeVar

from slotapp.core.validation import InvalidInput, is_whole_number
from slotapp.core.wallclock import local_to_utc, zone


class LinkState(StrEnum):
    """Whether a link can still be booked, and if not, why."""

    ACTIVE = "active"
    USED = "used"  # reached its maximum number of bookings (a one-time link after one)
    EXPIRED = "expired"
    REVOKED = "revoked"


class LinksSort(StrEnum):
    """Orders of the links list; the user's choice is stored on their account."""

    USES = "uses"  # most booked first, then most recently used
    CREATED = "created"  # newest first


def link_state(
    *,
    revoked_at: datetime | None,
    expires_at: datetime | None,
    max_uses: int | None,
    use_count: int,
    now: datetime,
) -> LinkState:
    """A link's state; revoking outranks using up, which outranks expiring."""
    if revoked_at is not None:
        return LinkState.REVOKED
    if max_uses is not None and use_count >= max_uses:
        return LinkState.USED
    if expires_at is not None and expires_at <= now:
        return LinkState.EXPIRED
    return LinkState.ACTIVE


def expiry_instant(last_day: date, time_zone: str) -> datetime:
    """The instant a link valid through `last_day` (owner's wall clock) stops working.

    That is the next local midnight, so "expires 2026-12-24" still books on Christmas Eve.
    """
    return local_to_utc(last_day, time.max, zone(time_zone))


def link_limits(form: Mapping[str, str]) -> tuple[date | None, int | None]:
    """The optional expiry day and maximum uses from the new-link form, as typed.

    Raises:
        InvalidInput: field "expires_on" or "max_uses", saying what to type instead.
    """
    raw_day, raw_max = form.get("expires_on", "").strip(), form.get("max_uses", "").strip()
    try:
        expires_on = date.fromisoformat(raw_day) if raw_day else None
    except ValueError as exc:
        raise InvalidInput("expires_on", f"'{raw_day}' is not a date like 2026-12-24.") from exc
    if raw_max and not is_whole_number(raw_max):
        raise InvalidInput("max_uses", "Enter a whole number of bookings.")
    return expires_on, int(raw_max) if raw_max else None


def no_times_warning(days: int) -> str:
    """What owner and guest read when a link offers nothing in its booking window."""
    return f"No times available in the coming {days} days."


class Listed(Protocol):
    """What ordering needs to know of a link."""

    @property
    def id(self) -> int: ...

    @property
    def created_at(self) -> datetime: ...

    @property
    def use_count(self) -> int: ...

    @property
    def last_used_at(self) -> datetime | None: ...


T = TypeVar("T", bound=Listed)


def order_links(links: Sequence[T], sort: LinksSort) -> list[T]:
    """`links` in list order.

    USES: most bookings first; ties by most recent use (never used last), then newest.
    CREATED: newest first. The id breaks any remaining tie, so the order is stable.
    """
    if sort is LinksSort.CREATED:
        return sorted(links, key=lambda k: (k.created_at.timestamp(), k.id), reverse=True)
    return sorted(
        links,
        key=lambda k: (
            -k.use_count,
            -k.last_used_at.timestamp() if k.last_used_at else float("inf"),
            -k.created_at.timestamp(),
            -k.id,
        ),
    )


def parse_sort(raw: str) -> LinksSort:
    """A stored or submitted sort name; anything unknown falls back to the default."""
    try:
        return LinksSort(raw)
    except ValueError:
        return LinksSort.USES
