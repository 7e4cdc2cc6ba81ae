"""The Account page: who I am, how I sign in, and changing my password."""

from __future__ import annotations

import reflex as rx

from slotapp.clock import utcnow
from slotapp.core.validation import InvalidInput
from slotapp.db import session_scope
from slotapp.models import User
from slotapp.services import accounts
from slotapp.state.auth import AuthState


class AccountState(rx.State):
    """The facts shown and the password form's outcome."""

    has_password: bool = False
    department: str = ""
    errors: dict[str, str] = {}
    message: str = ""
    form_key: int = 0

    @rx.event
    async def load(self) -> None:
        """On load: read the signed-in user's facts."""
        user = (await self.get_state(AuthState))._current_user()
        self.errors, self.message = {}, ""
        if user is None:
            return
        with session_scope() as session:
            row = session.get(User, user.id)
            self.has_password = bool(row and row.password_hash)
            self.department = row.department if row else ""

    @rx.event
    async def change_password(self, form: dict[str, str]) -> None:
        """Set a new password; every other signed-in browser of this account is signed out."""
        auth = await self.get_state(AuthState)
        user = auth._current_user()
        if user is None:
            return
        if form.get("new", "") != form.get("repeat", ""):
            self.errors, self.message = {"repeat": "The two new passwords differ."}, ""
            return
        try:
            with session_scope() as session:
                accounts.change_password(
                    session=session,
                    user_id=user.id,
                    current=form.get("current", ""),
                    new=form.get("new", ""),
                    keep_token=auth.session_token,
                    now=utcnow(),
                )
        except InvalidInput as exc:
            self.errors, self.message = {exc.field: exc.message}, ""
            return
        self.errors = {}
        self.message = "Password changed. Other browsers signed in to this account are signed out."
        self.form_key += 1  # a fresh, empty form
