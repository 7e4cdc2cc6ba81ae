"""Rooms and other bookable resources, and pools of them: admin CRUD.

Their busy times and hours for slot search are in slotapp.services.resource_schedules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time

from sqlmodel import Session, col, delete, select

from slotapp.core.availability import Ranges
from slotapp.core.meetings import Actor, NotAllowed
from slotapp.core.slot_settings import format_ranges, parse_weekly, range_errors
from slotapp.core.validation import InvalidInput, known_time_zone, required_text
from slotapp.models import (
    Resource,
    ResourceKind,
    ResourcePool,
    ResourcePoolMember,
)

__all__ = [
    "NotAllowed",
    "PoolView",
    "ResourceInput",
    "ResourceView",
    "create_pool",
    "create_resource",
    "delete_pool",
    "delete_resource",
    "list_pools",
    "list_resources",
    "pool_resources",
    "update_pool",
    "update_resource",
]

_WORKDAY: Ranges = ((time(9), time(17)),)


@dataclass(frozen=True)
class ResourceInput:
    """What an admin enters for a resource; weekly hours as in the slot settings (0 = Monday)."""

    name: str
    kind: str = ResourceKind.ROOM.value
    time_zone: str = "UTC"
    weekly: Mapping[int, Ranges] = field(default_factory=lambda: dict.fromkeys(range(5), _WORKDAY))
    is_active: bool = True


@dataclass(frozen=True)
class ResourceView:
    """A resource as lists and forms show it."""

    id: int
    name: str
    kind: str
    time_zone: str
    weekly: dict[int, Ranges]
    is_active: bool


@dataclass(frozen=True)
class PoolView:
    """A pool and its resources (sorted by name)."""

    id: int
    name: str
    resources: tuple[ResourceView, ...]


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise NotAllowed("Only an admin can manage rooms, resources and resource pools.")


def _view(row: Resource) -> ResourceView:
    assert row.id is not None
    return ResourceView(
        id=row.id,
        name=row.name,
        kind=row.kind,
        time_zone=row.time_zone,
        weekly=parse_weekly(row.weekly_hours),
        is_active=row.is_active,
    )


def _clean(data: ResourceInput) -> ResourceInput:
    name = required_text(data.name, field="name", label="a name", max_length=120)
    if data.kind not in {k.value for k in ResourceKind}:
        raise InvalidInput("kind", f"Unknown kind '{data.kind}'.")
    zone = known_time_zone(data.time_zone)
    for day, ranges in data.weekly.items():
        if not 0 <= day <= 6:
            raise InvalidInput(f"hours-{day}", "Unknown weekday.")
        if problem := range_errors(ranges):
            raise InvalidInput(f"hours-{day}", problem)
    weekly = {day: tuple(r) for day, r in data.weekly.items() if r}
    return ResourceInput(name, data.kind, zone, weekly, data.is_active)


def _fill(row: Resource, data: ResourceInput) -> None:
    row.name, row.kind, row.time_zone, row.is_active = (
        data.name,
        data.kind,
        data.time_zone,
        data.is_active,
    )
    row.weekly_hours = {str(day): format_ranges(r) for day, r in sorted(data.weekly.items())}


def create_resource(
    *, session: Session, actor: Actor, data: ResourceInput, now: datetime
) -> ResourceView:
    """A new resource.

    Raises:
        NotAllowed: the actor is not an admin.
        InvalidInput: a bad name, kind, zone or hours (nothing stored).
    """
    _require_admin(actor)
    row = Resource(created_at=now, name="")
    _fill(row, _clean(data))
    session.add(row)
    session.flush()
    return _view(row)


def _resource(session: Session, resource_id: int) -> Resource:
    row = session.get(Resource, resource_id)
    if row is None:
        raise InvalidInput("resource", "That resource does not exist (any more).")
    return row


def update_resource(
    *, session: Session, actor: Actor, resource_id: int, data: ResourceInput
) -> ResourceView:
    """Change a resource (deactivate it with `is_active=False`: it is then never offered).

    Raises:
        NotAllowed, InvalidInput: as `create_resource`, or an unknown resource.
    """
    _require_admin(actor)
    clean = _clean(data)
    row = _resource(session, resource_id)
    _fill(row, clean)
    session.add(row)
    session.flush()
    return _view(row)


def delete_resource(*, session: Session, actor: Actor, resource_id: int) -> None:
    """Delete a resource, its pool memberships and its bookings (prefer deactivating it)."""
    _require_admin(actor)
    session.delete(_resource(session, resource_id))
    session.flush()


def list_resources(
    *, session: Session, include_inactive: bool = False, kind: str | None = None
) -> list[ResourceView]:
    """Resources by name; for the invitation form (anyone) and the admin page."""
    query = select(Resource).order_by(col(Resource.name), col(Resource.id))
    if not include_inactive:
        query = query.where(col(Resource.is_active).is_(True))
    if kind is not None:
        query = query.where(Resource.kind == kind)
    return [_view(r) for r in session.exec(query).all()]


def _clean_pool(
    session: Session, name: str, resource_ids: Sequence[int], pool_id: int | None
) -> str:
    clean = required_text(name, field="name", label="a name", max_length=120)
    clash = session.exec(select(ResourcePool.id).where(ResourcePool.name == clean)).first()
    if clash is not None and clash != pool_id:
        raise InvalidInput("name", "A pool with that name already exists.")
    known = set(
        session.exec(select(Resource.id).where(col(Resource.id).in_(list(resource_ids)))).all()
    )
    if missing := [r for r in resource_ids if r not in known]:
        raise InvalidInput("resource_ids", f"Unknown resource {missing[0]}.")
    return clean


def _set_members(session: Session, pool_id: int, resource_ids: Sequence[int]) -> None:
    session.exec(delete(ResourcePoolMember).where(col(ResourcePoolMember.pool_id) == pool_id))
    for resource_id in dict.fromkeys(resource_ids):
        session.add(ResourcePoolMember(pool_id=pool_id, resource_id=resource_id))
    session.flush()


def create_pool(
    *, session: Session, actor: Actor, name: str, resource_ids: Sequence[int], now: datetime
) -> PoolView:
    """A new pool of resources of which any one free resource will do.

    Raises:
        NotAllowed: the actor is not an admin.
        InvalidInput: no name, a name in use, or an unknown resource.
    """
    _require_admin(actor)
    clean = _clean_pool(session, name, resource_ids, None)
    pool = ResourcePool(name=clean, created_at=now)
    session.add(pool)
    session.flush()
    assert pool.id is not None
    _set_members(session, pool.id, resource_ids)
    return _pool_view(session, pool)


def update_pool(
    *, session: Session, actor: Actor, pool_id: int, name: str, resource_ids: Sequence[int]
) -> PoolView:
    """Rename a pool and replace its resources."""
    _require_admin(actor)
    pool = session.get(ResourcePool, pool_id)
    if pool is None:
        raise InvalidInput("pool", "That pool does not exist (any more).")
    pool.name = _clean_pool(session, name, resource_ids, pool_id)
    session.add(pool)
    _set_members(session, pool_id, resource_ids)
    return _pool_view(session, pool)


def delete_pool(*, session: Session, actor: Actor, pool_id: int) -> None:
    """Delete a pool (its resources stay)."""
    _require_admin(actor)
    pool = session.get(ResourcePool, pool_id)
    if pool is not None:
        session.delete(pool)
        session.flush()


def pool_resources(
    *, session: Session, pool_ids: Sequence[int], include_inactive: bool = False
) -> dict[int, list[ResourceView]]:
    """Each pool's resources by name (active ones only unless asked)."""
    query = (
        select(ResourcePoolMember.pool_id, Resource)
        .join(Resource, col(Resource.id) == col(ResourcePoolMember.resource_id))
        .where(col(ResourcePoolMember.pool_id).in_(list(pool_ids)))
        .order_by(col(Resource.name), col(Resource.id))
    )
    if not include_inactive:
        query = query.where(col(Resource.is_active).is_(True))
    out: dict[int, list[ResourceView]] = {pid: [] for pid in pool_ids}
    for pool_id, row in session.exec(query).all():
        out[pool_id].append(_view(row))
    return out


def _pool_view(session: Session, pool: ResourcePool) -> PoolView:
    assert pool.id is not None
    members = pool_resources(session=session, pool_ids=[pool.id], include_inactive=True)
    return PoolView(pool.id, pool.name, tuple(members[pool.id]))


def list_pools(*, session: Session) -> list[PoolView]:
    """Every pool with its resources, by name."""
    pools = session.exec(select(ResourcePool).order_by(col(ResourcePool.name))).all()
    ids = [p.id for p in pools if p.id is not None]
    members = pool_resources(session=session, pool_ids=ids, include_inactive=True)
    return [PoolView(p.id, p.name, tuple(members[p.id])) for p in pools if p.id is not None]
