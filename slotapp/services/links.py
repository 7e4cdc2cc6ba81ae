"""Share links: make, find by token, revoke; open slots on/off."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select, update

from slotapp.core.tokens import hash_token, link_token, new_salt
from slotapp.models import AvailabilitySettings, LinkKind, ShareLink, ShareLinkMember, User


class LinkError(Exception):
    """A token that does not lead to a bookable link; `code` for APIs, message for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


INACTIVE = "This link is no longer active. Please ask its owner for a new one."


def create_link(
    *,
    session: Session,
    owner_id: int,
    kind: LinkKind,
    secret: bytes,
    now: datetime,
    title: str = "",
    member_ids: Sequence[int] = (),
    max_uses: int | None = None,
    expires_at: datetime | None = None,
) -> tuple[ShareLink, str]:
    """A new link and its token (the token is shown to the owner; only its hash is stored)."""
    salt = new_salt()
    link = ShareLink(
        kind=kind.value,
        owner_id=owner_id,
        title=title,
        created_at=now,
        max_uses=1 if kind is LinkKind.ONE_TIME else max_uses,
        expires_at=expires_at,
        salt=salt,
        token_hash=f"pending-{salt}",
    )
    session.add(link)
    session.flush()
    assert link.id is not None
    token = link_token(secret, link.id, salt)
    link.token_hash = hash_token(token)
    for member_id in dict.fromkeys(member_ids):
        if member_id != owner_id:
            session.add(ShareLinkMember(link_id=link.id, user_id=member_id))
    session.flush()
    return link, token


def token_for(link: ShareLink, secret: bytes) -> str:
    """The token of an existing link, derived again from the secret."""
    assert link.id is not None
    return link_token(secret, link.id, link.salt)


# Links a guest books through on the booking page (an invitation has its own page).
BOOKING_KINDS = frozenset({LinkKind.OPEN.value, LinkKind.SHARED.value, LinkKind.ONE_TIME.value})


def resolve_link(
    *,
    session: Session,
    token: str,
    now: datetime,
    lock: bool = False,
    kinds: frozenset[str] | None = None,
) -> ShareLink:
    """The active link behind `token`.

    Args:
        lock: take a row lock (PostgreSQL) so concurrent bookings of a one-time link queue up.
        kinds: accept only these kinds; any other is reported as an inactive link.

    Raises:
        LinkError: unknown, revoked, expired or used-up link; the owner deactivated.
    """
    query = select(ShareLink).where(ShareLink.token_hash == hash_token(token or ""))
    link = session.exec(query.with_for_update() if lock else query).first()
    if (
        link is None
        or link.revoked_at is not None
        or (kinds is not None and link.kind not in kinds)
    ):
        raise LinkError("inactive", INACTIVE)
    if link.expires_at is not None and link.expires_at <= now:
        raise LinkError("expired", "This link has expired. Please ask its owner for a new one.")
    owner = session.get(User, link.owner_id)
    if owner is None or not owner.is_active:
        raise LinkError("inactive", INACTIVE)
    if link.max_uses is not None and link.use_count >= link.max_uses:
        raise LinkError(
            "used",
            f"This link has already been used, please contact {owner.name} ({owner.email}).",
        )
    return link


def member_ids(*, session: Session, link: ShareLink) -> list[int]:
    """Colleagues on a shared link (not the owner)."""
    rows = session.exec(select(ShareLinkMember.user_id).where(ShareLinkMember.link_id == link.id))
    return sorted(rows.all())


def revoke_all(*, session: Session, owner_id: int, now: datetime) -> int:
    """Revoke every live link of a user; returns how many were live."""
    result = session.exec(
        update(ShareLink)
        .where(col(ShareLink.owner_id) == owner_id)
        .where(col(ShareLink.revoked_at).is_(None))
        .values(revoked_at=now)
    )
    return int(result.rowcount or 0)


def open_link(*, session: Session, owner_id: int) -> ShareLink | None:
    """The user's live open-slots link, if open slots are on."""
    return session.exec(
        select(ShareLink)
        .where(ShareLink.owner_id == owner_id)
        .where(ShareLink.kind == LinkKind.OPEN.value)
        .where(col(ShareLink.revoked_at).is_(None))
        .order_by(col(ShareLink.id).desc())
    ).first()


def set_open_slots(
    *, session: Session, owner_id: int, enabled: bool, secret: bytes, now: datetime
) -> str | None:
    """Switch open slots on (returns the link's token) or off (every link closes at once)."""
    settings = session.get(AvailabilitySettings, owner_id)
    if settings is None:
        settings = AvailabilitySettings(user_id=owner_id)
    settings.open_slots_enabled = enabled
    settings.updated_at = now
    session.add(settings)
    if not enabled:
        revoke_all(session=session, owner_id=owner_id, now=now)
        session.flush()
        return None
    link = open_link(session=session, owner_id=owner_id)
    if link is None:
        link, token = create_link(
            session=session, owner_id=owner_id, kind=LinkKind.OPEN, secret=secret, now=now
        )
        return token
    session.flush()
    return token_for(link, secret)
