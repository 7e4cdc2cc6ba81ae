"""The admin's rooms page: resources (name, kind, zone, weekly hours) and pools of them."""

from __future__ import annotations

from collections.abc import Mapping

import reflex as rx

from slotapp.clock import utcnow
from slotapp.core.availability import Ranges
from slotapp.core.meetings import Actor, NotAllowed
from slotapp.core.slot_settings import day_text, parse_day_text
from slotapp.core.validation import InvalidInput
from slotapp.db import session_scope
from slotapp.models import ResourceKind
from slotapp.services import resources
from slotapp.services.resources import ResourceInput
from slotapp.state.auth import AuthState

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
KINDS = [k.value for k in ResourceKind]


def _blank() -> dict[str, str]:
    return {"id": "", "name": "", "kind": "room", "time_zone": "Europe/Berlin", "active": "1"}


def _week_summary(weekly: Mapping[int, Ranges]) -> str:
    """'Mon–Fri 09:00-17:00; Sat 10:00-14:00': runs of days with the same hours."""
    parts: list[str] = []
    day = 0
    while day < 7:
        text, last = day_text(weekly.get(day, ())), day
        while last + 1 < 7 and day_text(weekly.get(last + 1, ())) == text:
            last += 1
        if text:
            days = WEEKDAYS[day] if last == day else f"{WEEKDAYS[day]}–{WEEKDAYS[last]}"
            parts.append(f"{days} {text}")
        day = last + 1
    return "; ".join(parts) or "No hours (never offered)"


class RoomsState(rx.State):
    """The lists as shown, and one resource form and one pool form."""

    allowed: bool = False
    items: list[dict[str, str]] = []
    pools: list[dict[str, str]] = []
    form: dict[str, str] = _blank()
    hours: list[str] = ["09:00-17:00"] * 5 + ["", ""]
    editing: bool = False
    errors: dict[str, str] = {}
    pool_form: dict[str, str] = {"id": "", "name": ""}
    pool_members: list[str] = []
    pool_editing: bool = False
    pool_error: str = ""
    message: str = ""

    async def _actor(self) -> Actor | None:
        user = (await self.get_state(AuthState))._current_user()
        return Actor(user.id, user.is_admin) if user and user.is_admin else None

    @rx.event
    async def load(self) -> None:
        """On load: admins see the lists; others the notice."""
        self.allowed = await self._actor() is not None
        self.editing = self.pool_editing = False
        self.message = ""
        if self.allowed:
            self._read()

    def _read(self) -> None:
        with session_scope() as session:
            rows = resources.list_resources(session=session, include_inactive=True)
            pools = resources.list_pools(session=session)
        self.items = [
            {
                "id": str(r.id),
                "name": r.name,
                "kind": r.kind,
                "time_zone": r.time_zone,
                "active": "1" if r.is_active else "",
                "hours": _week_summary(r.weekly),
            }
            for r in rows
        ]
        self.pools = [
            {
                "id": str(p.id),
                "name": p.name,
                "members": ", ".join(r.name for r in p.resources) or "No resources",
                "member_ids": ",".join(str(r.id) for r in p.resources),
            }
            for p in pools
        ]

    @rx.event
    def new(self) -> None:
        """An empty resource form."""
        self.form, self.hours = _blank(), ["09:00-17:00"] * 5 + ["", ""]
        self.errors, self.editing = {}, True

    @rx.event
    async def edit(self, resource_id: str) -> None:
        """The form filled with a resource."""
        if await self._actor() is None:
            return
        with session_scope() as session:
            views = resources.list_resources(session=session, include_inactive=True)
        row = next((r for r in views if str(r.id) == resource_id), None)
        if row is None:
            return
        self.form = {
            "id": resource_id,
            "name": row.name,
            "kind": row.kind,
            "time_zone": row.time_zone,
            "active": "1" if row.is_active else "",
        }
        self.hours = [day_text(row.weekly.get(d, ())) for d in range(7)]
        self.errors, self.editing = {}, True

    @rx.event
    def close(self) -> None:
        """Leave the form without saving."""
        self.editing = self.pool_editing = False

    @rx.event
    async def save(self, data: dict[str, str]) -> None:
        """Create or change the resource; errors appear next to their fields."""
        actor = await self._actor()
        if actor is None:
            return
        errors, weekly = {}, {}
        for day in range(7):
            text = data.get(f"hours-{day}", "")
            try:
                weekly[day] = parse_day_text(text)
            except ValueError as exc:
                errors[f"hours-{day}"] = str(exc)
        self.hours = [data.get(f"hours-{d}", "") for d in range(7)]
        if errors:
            self.errors = errors
            return
        entry = ResourceInput(
            name=data.get("name", ""),
            kind=data.get("kind", "room"),
            time_zone=data.get("time_zone", ""),
            weekly=weekly,
            is_active=data.get("active") == "on",
        )
        try:
            with session_scope() as session:
                if self.form["id"]:
                    resources.update_resource(
                        session=session, actor=actor, resource_id=int(self.form["id"]), data=entry
                    )
                else:
                    resources.create_resource(
                        session=session, actor=actor, data=entry, now=utcnow()
                    )
        except InvalidInput as exc:
            self.errors = {exc.field: exc.message}
            return
        except NotAllowed as exc:
            self.message = exc.message
            return
        self.errors, self.editing, self.message = {}, False, f"Saved {entry.name.strip()}."
        self._read()

    @rx.event
    async def set_active(self, resource_id: str, active: bool) -> None:
        """Deactivate (never offered again) or reactivate a resource."""
        actor = await self._actor()
        if actor is None:
            return
        with session_scope() as session:
            views = resources.list_resources(session=session, include_inactive=True)
            row = next((r for r in views if str(r.id) == resource_id), None)
            if row is None:
                return
            data = ResourceInput(row.name, row.kind, row.time_zone, row.weekly, active)
            resources.update_resource(session=session, actor=actor, resource_id=row.id, data=data)
        self.message = f"{row.name} is {'active' if active else 'deactivated'}."
        self._read()

    @rx.event
    def new_pool(self) -> None:
        """An empty pool form."""
        self.pool_form, self.pool_members = {"id": "", "name": ""}, []
        self.pool_error, self.pool_editing = "", True

    @rx.event
    def edit_pool(self, pool_id: str) -> None:
        """The pool form filled with a pool."""
        pool = next((p for p in self.pools if p["id"] == pool_id), None)
        if pool is None:
            return
        self.pool_form = {"id": pool_id, "name": pool["name"]}
        self.pool_members = [m for m in pool["member_ids"].split(",") if m]
        self.pool_error, self.pool_editing = "", True

    @rx.event
    def toggle_member(self, resource_id: str) -> None:
        """Put a resource in the pool or take it out."""
        if resource_id in self.pool_members:
            self.pool_members = [m for m in self.pool_members if m != resource_id]
        else:
            self.pool_members = [*self.pool_members, resource_id]

    @rx.event
    async def save_pool(self, data: dict[str, str]) -> None:
        """Create or change the pool."""
        actor = await self._actor()
        if actor is None:
            return
        ids = [int(m) for m in self.pool_members]
        try:
            with session_scope() as session:
                if self.pool_form["id"]:
                    resources.update_pool(
                        session=session,
                        actor=actor,
                        pool_id=int(self.pool_form["id"]),
                        name=data.get("name", ""),
                        resource_ids=ids,
                    )
                else:
                    resources.create_pool(
                        session=session,
                        actor=actor,
                        name=data.get("name", ""),
                        resource_ids=ids,
                        now=utcnow(),
                    )
        except InvalidInput as exc:
            self.pool_error = exc.message
            return
        self.pool_editing, self.pool_error = False, ""
        self.message = f"Saved pool {data.get('name', '').strip()}."
        self._read()

    @rx.event
    async def delete_pool(self, pool_id: str) -> None:
        """Delete a pool (its resources stay)."""
        actor = await self._actor()
        if actor is None:
            return
        with session_scope() as session:
            resources.delete_pool(session=session, actor=actor, pool_id=int(pool_id))
        self.pool_editing = False
        self._read()
