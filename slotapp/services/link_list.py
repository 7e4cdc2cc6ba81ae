"""The owner's list of links: each link's state, colleagues and warning, in the chosen order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from slotapp.core.sharing import LinksSort, LinkState, link_state, order_links, parse_sort
from slotapp.models import LinkKind, ShareLink, ShareLinkMember, User
from slotapp.services.links import token_for
from slotapp.services.sharing import link_warning


@dataclass(frozen=True)
class LinkRow:
    """One line of the owner's links list."""

    id: int
    kind: LinkKind
    token: str  # "" unless the link is active: dead links are not shared again
    members: tuple[str, ...]  # colleagues' names, the owner not included
    created_at: datetime
    use_count: int  # bookings made through the link
    last_used_at: datetime | None
    expires_at: datetime | None
    max_uses: int | None
    state: LinkState
    warning: str  # "" or "No times available in the coming N days."


def _member_names(session: Session, link_ids: list[int]) -> dict[int, list[str]]:
    rows = session.exec(
        select(ShareLinkMember.link_id, User.name)
        .join(User, col(User.id) == col(ShareLinkMember.user_id))
        .where(col(ShareLinkMember.link_id).in_(link_ids))
        .order_by(func.lower(User.name))
    ).all()
    names: dict[int, list[str]] = {i: [] for i in link_ids}
    for link_id, name in rows:
        names[link_id].append(name)
    return names


def list_links(
    *,
    session: Session,
    owner_id: int,
    secret: bytes,
    now: datetime,
    sort: LinksSort | None = None,
) -> list[LinkRow]:
    """Every link the user made, in the given order or else the one stored on their account."""
    if sort is None:
        sort = stored_sort(session=session, user_id=owner_id)
    links = session.exec(select(ShareLink).where(ShareLink.owner_id == owner_id)).all()
    ids = [link.id for link in links if link.id is not None]
    names = _member_names(session, ids)
    rows = []
    for link in links:
        assert link.id is not None
        state = link_state(
            revoked_at=link.revoked_at,
            expires_at=link.expires_at,
            max_uses=link.max_uses,
            use_count=link.use_count,
            now=now,
        )
        live = state is LinkState.ACTIVE
        rows.append(
            LinkRow(
                id=link.id,
                kind=LinkKind(link.kind),
                token=token_for(link, secret) if live else "",
                members=tuple(names[link.id]),
                created_at=link.created_at,
                use_count=link.use_count,
                last_used_at=link.last_used_at,
                expires_at=link.expires_at,
                max_uses=link.max_uses,
                state=state,
                warning=link_warning(session=session, link=link, now=now) if live else "",
            )
        )
    return order_links(rows, sort)


def stored_sort(*, session: Session, user_id: int) -> LinksSort:
    """How the user last chose to sort their links."""
    user = session.get(User, user_id)
    assert user is not None
    return parse_sort(user.links_sort)


def set_links_sort(*, session: Session, user_id: int, sort: str) -> LinksSort:
    """Remember how the user wants the list sorted; an unknown name means the default."""
    chosen = parse_sort(sort)
    user = session.get(User, user_id)
    assert user is not None
    user.links_sort = chosen.value
    session.add(user)
    session.flush()
    return chosen
