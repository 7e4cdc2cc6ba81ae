"""Sharing: find colleagues, make shared and one-time links, and revoke them.

The owner sees on each live link whether a guest would find any time at all, before sharing;
the list of links and its order are in slotapp.services.link_list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, func, select, update
from sqlmodel.sql.expression import SelectOfScalar

from slotapp.core.availability import available_slots
from slotapp.core.sharing import expiry_instant, no_times_warning
from slotapp.core.validation import InvalidInput
from slotapp.core.wallclock import zone
from slotapp.models import LinkKind, ShareLink, User
from slotapp.services.guest_view import MAX_DAYS
from slotapp.services.links import create_link, member_ids, resolve_link
from slotapp.services.schedules import host_schedules, rules_from
from slotapp.services.slot_settings import load_settings

SEARCH_LIMIT = 8
MAX_USES_LIMIT = 10_000
MAX_MEMBERS = 20


@dataclass(frozen=True)
class Colleague:
    """Someone the owner may add to a shared link."""

    id: int
    name: str
    department: str


def _colleagues_query(exclude: Sequence[int]) -> SelectOfScalar[User]:
    return (
        select(User)
        .where(col(User.is_active).is_(True))
        .where(col(User.id).not_in(list(exclude)))
        .order_by(func.lower(User.name), col(User.id))
    )


def _colleague(user: User) -> Colleague:
    assert user.id is not None
    return Colleague(user.id, user.name, user.department)


def find_colleagues(
    *, session: Session, exclude: Sequence[int], query: str = "", limit: int = SEARCH_LIMIT
) -> list[Colleague]:
    """Active users not in `exclude` whose name contains `query` (any case); all for ""."""
    statement = _colleagues_query(exclude)
    if text := query.strip():
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        statement = statement.where(col(User.name).ilike(pattern, escape="\\"))
    return [_colleague(u) for u in session.exec(statement.limit(limit)).all()]


def search_colleagues(
    *, session: Session, owner_id: int, query: str, limit: int = SEARCH_LIMIT
) -> list[Colleague]:
    """Active colleagues whose name contains `query` (any case); nothing for an empty query."""
    if not query.strip():
        return []
    return find_colleagues(session=session, exclude=[owner_id], query=query, limit=limit)


def departments(*, session: Session, owner_id: int) -> list[str]:
    """Departments that have at least one active colleague, alphabetically."""
    rows = session.exec(
        select(User.department)
        .where(col(User.is_active).is_(True))
        .where(col(User.id) != owner_id)
        .where(User.department != "")
        .distinct()
    )
    return sorted(rows.all(), key=str.casefold)


def department_colleagues(*, session: Session, owner_id: int, department: str) -> list[Colleague]:
    """Every active colleague of a department (the owner left out)."""
    rows = session.exec(_colleagues_query([owner_id]).where(User.department == department))
    return [_colleague(u) for u in rows.all()]


def _check_members(session: Session, owner_id: int, ids: Sequence[int]) -> list[int]:
    wanted = [i for i in dict.fromkeys(ids) if i != owner_id]
    if len(wanted) > MAX_MEMBERS:
        raise InvalidInput("members", f"A shared link can have at most {MAX_MEMBERS} colleagues.")
    found = session.exec(
        select(User.id).where(col(User.id).in_(wanted)).where(col(User.is_active).is_(True))
    ).all()
    if len(set(found)) != len(wanted):
        raise InvalidInput("members", "One of the colleagues has no active account any more.")
    return wanted


def _check_limits(
    owner: User, expires_on: date | None, max_uses: int | None, now: datetime
) -> datetime | None:
    if max_uses is not None and not 1 <= max_uses <= MAX_USES_LIMIT:
        raise InvalidInput("max_uses", f"Maximum uses must be between 1 and {MAX_USES_LIMIT}.")
    if expires_on is None:
        return None
    if expires_on < now.astimezone(zone(owner.time_zone)).date():
        raise InvalidInput("expires_on", "The expiry date is in the past.")
    return expiry_instant(expires_on, owner.time_zone)


def make_link(
    *,
    session: Session,
    owner_id: int,
    kind: LinkKind,
    secret: bytes,
    now: datetime,
    colleague_ids: Sequence[int] = (),
    expires_on: date | None = None,
    max_uses: int | None = None,
) -> tuple[ShareLink, str]:
    """A new shared or one-time link and its token.

    Args:
        kind: SHARED (needs at least one colleague) or ONE_TIME (one booking, then "used").
        colleague_ids: colleagues whose free time the link also needs (the owner is ignored).
        expires_on: last day the link works, on the owner's wall clock.
        max_uses: most bookings the link takes; a one-time link always takes one.

    Raises:
        InvalidInput: no colleague for a shared link, an inactive colleague, a past expiry
            date, a maximum outside 1..10000, or a kind this function does not make.
    """
    owner = session.get(User, owner_id)
    assert owner is not None
    if kind not in (LinkKind.SHARED, LinkKind.ONE_TIME):
        raise InvalidInput("kind", "Only shared and one-time links are made here.")
    members = _check_members(session, owner_id, colleague_ids)
    if kind is LinkKind.SHARED and not members:
        raise InvalidInput("members", "Add at least one colleague.")
    expires_at = _check_limits(owner, expires_on, max_uses, now)
    return create_link(
        session=session,
        owner_id=owner_id,
        kind=kind,
        secret=secret,
        now=now,
        member_ids=members,
        max_uses=max_uses,
        expires_at=expires_at,
    )


def common_times_warning(
    *, session: Session, owner_id: int, colleague_ids: Sequence[int], now: datetime
) -> str:
    """The no-times warning when owner and colleagues share no slot in the booking window.

    The window is the one the guest page shows, so owner and guest read the same thing.
    """
    settings = load_settings(session=session, user_id=owner_id)
    days = min(settings.booking_window_days, MAX_DAYS)
    end = now + timedelta(days=days + 1)
    hosts = [owner_id, *(i for i in dict.fromkeys(colleague_ids) if i != owner_id)]
    schedules = host_schedules(session=session, user_ids=hosts, start=now, end=end)
    slots = available_slots(
        schedules, rules_from(settings), window_start=now, window_end=end, now=now
    )
    return "" if slots else no_times_warning(days)


def link_warning(*, session: Session, link: ShareLink, now: datetime) -> str:
    """The no-times warning of an existing link ("" when a guest would find times)."""
    return common_times_warning(
        session=session,
        owner_id=link.owner_id,
        colleague_ids=member_ids(session=session, link=link),
        now=now,
    )


def revoke_link(*, session: Session, owner_id: int, link_id: int, now: datetime) -> bool:
    """Revoke one of the owner's links at once; False if it is not theirs or already revoked."""
    result = session.exec(
        update(ShareLink)
        .where(col(ShareLink.id) == link_id)
        .where(col(ShareLink.owner_id) == owner_id)
        .where(col(ShareLink.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    return bool(result.rowcount)


@dataclass(frozen=True)
class CardFacts:
    """What a printable share card says besides the QR code."""

    owner_name: str
    length_minutes: int


def card_facts(*, session: Session, token: str, now: datetime) -> CardFacts:
    """The owner's name and the meeting length of a live link.

    Raises:
        LinkError: the link cannot be booked (no card for a dead link).
    """
    link = resolve_link(session=session, token=token, now=now)
    owner = session.get(User, link.owner_id)
    assert owner is not None
    settings = load_settings(session=session, user_id=link.owner_id)
    return CardFacts(owner.name, settings.length_minutes)
