"""The admin's People page: everybody's role and access, and new local accounts."""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx
from sqlmodel import Session

from slotapp.clock import utcnow
from slotapp.core.meetings import NotAllowed
from slotapp.core.validation import InvalidInput, is_whole_number
from slotapp.db import session_scope
from slotapp.services import people
from slotapp.state.auth import AuthState

BLANK = {"name": "", "email": "", "role": "employee", "department": ""}


class PeopleState(rx.State):
    """The list as shown, and the "Add person" form."""

    allowed: bool = False
    rows: list[dict[str, str]] = []
    adding: bool = False
    form: dict[str, str] = BLANK
    errors: dict[str, str] = {}
    message: str = ""
    error: str = ""

    async def _admin_id(self) -> int | None:
        user = (await self.get_state(AuthState))._current_user()
        return user.id if user and user.is_admin else None

    @rx.event
    async def load(self) -> None:
        """On load: admins see everybody; others the notice."""
        self.allowed = await self._admin_id() is not None
        self.message = self.error = ""
        self.adding = False
        self.rows = []
        if self.allowed:
            self._read()

    def _read(self) -> None:
        with session_scope() as session:
            found = people.list_people(session=session)
        self.rows = [
            {
                "id": str(p.id),
                "name": p.name,
                "email": p.email,
                "role": p.role,
                "department": p.department,
                "active": "1" if p.is_active else "",
                "sign_in": "Password" if p.signs_in_with_password else "Company sign-in",
            }
            for p in found
        ]

    def _say(self, ok: str = "", error: str = "") -> None:
        self.message, self.error = ok, error

    async def _change(self, user_id: str, change: Callable[[Session, int, int], str]) -> None:
        """Run one admin change of a person; say what happened or why it was refused."""
        actor = await self._admin_id()
        if actor is None or not is_whole_number(user_id):
            self._say(error="Only admins manage people.")
            return
        try:
            with session_scope() as session:
                self._say(ok=change(session, actor, int(user_id)))
        except (NotAllowed, InvalidInput) as exc:
            self._say(error=exc.message)
        self._read()

    @rx.event
    async def set_role(self, user_id: str, role: str) -> None:
        """Give a person another role; refusals are said and nothing changes."""

        def change(session: Session, actor: int, target: int) -> str:
            user = people.set_role(session=session, actor_id=actor, user_id=target, role=role)
            return f"{user.name} is now {user.role}."

        await self._change(user_id, change)

    @rx.event
    async def set_active(self, user_id: str, active: bool) -> None:
        """Switch a person's access on or off (off signs them out everywhere)."""

        def change(session: Session, actor: int, target: int) -> str:
            user = people.set_active(
                session=session, actor_id=actor, user_id=target, active=active, now=utcnow()
            )
            done = "can sign in again" if active else "is switched off and signed out"
            return f"{user.name} {done}."

        await self._change(user_id, change)

    @rx.event
    def open_form(self) -> None:
        """Show the empty "Add person" form."""
        self.form, self.errors, self.adding = dict(BLANK), {}, True

    @rx.event
    def close_form(self) -> None:
        """Leave the form without saving."""
        self.adding = False

    @rx.event
    async def add(self, data: dict[str, str]) -> None:
        """Create a local account; a refused value is shown at its field, nothing is saved."""
        self.form = {k: data.get(k, "") for k in BLANK}
        actor = await self._admin_id()
        if actor is None:
            self._say(error="Only admins manage people.")
            return
        try:
            with session_scope() as session:
                user = people.add_person(
                    session=session,
                    actor_id=actor,
                    name=data.get("name", ""),
                    email=data.get("email", ""),
                    role=data.get("role", ""),
                    department=data.get("department", ""),
                    password=data.get("password", ""),
                )
                self._say(ok=f"{user.name} can now sign in as {user.email}.")
        except InvalidInput as exc:
            self.errors = {exc.field: exc.message}
            return
        except NotAllowed as exc:
            self._say(error=exc.message)
            return
        self.adding, self.errors = False, {}
        self._read()
