"""Who is logged in. Every non-guest page runs `AuthState.require_login` on load."""

from __future__ import annotations

from urllib.parse import quote

import reflex as rx

from slotapp import routes
from slotapp.clock import utcnow
from slotapp.core.sso import LOGIN_PATH as SSO_LOGIN_PATH
from slotapp.core.sso import error_message
from slotapp.core.validation import InvalidInput
from slotapp.db import session_scope
from slotapp.services import accounts, sso
from slotapp.services.accounts import CurrentUser
from slotapp.settings import get_settings

SESSION_COOKIE = "slotapp_session"


class AuthState(rx.State):
    """The browser's session token (a cookie) and the public facts of its user."""

    session_token: str = rx.Cookie(
        "", name=SESSION_COOKIE, path="/", same_site="lax", max_age=60 * 60 * 24 * 30
    )
    user_name: str = ""
    user_email: str = ""
    user_role: str = ""
    login_error: str = ""
    login_pending: bool = False
    # The "Sign in with ..." button; both "" when single sign-on is not configured.
    sso_label: str = ""
    sso_href: str = ""

    @rx.var
    def logged_in(self) -> bool:
        """Whether a user was resolved for this browser."""
        return self.user_email != ""

    @rx.var
    def is_admin(self) -> bool:
        """Whether the user is an admin."""
        return self.user_role == "admin"

    def current_user(self) -> CurrentUser | None:
        """The user behind the cookie, checked against the database on every call."""
        with session_scope() as session:
            return accounts.resolve_session(session=session, token=self.session_token, now=utcnow())

    def _show(self, user: CurrentUser | None) -> None:
        self.user_name = user.name if user else ""
        self.user_email = user.email if user else ""
        self.user_role = user.role if user else ""

    @rx.event
    def require_login(self):  # type: ignore[no-untyped-def]
        """On load of a private page: send a logged-out browser to the login page."""
        user = self.current_user()
        self._show(user)
        if user is None:
            return rx.redirect(f"{routes.LOGIN}?next={quote(self.router.url.path)}")
        return None

    @rx.event
    def redirect_if_logged_in(self):  # type: ignore[no-untyped-def]
        """On load of the login page: a logged-in user goes straight home."""
        query = self.router.url.query_parameters
        self.login_error = error_message(query.get("sso_error", ""))
        self.login_pending = False
        self._offer_sso(routes.safe_next(query.get("next", routes.HOME)))
        user = self.current_user()
        self._show(user)
        if user is not None:
            return rx.redirect(routes.HOME)
        return None

    def _offer_sso(self, next_target: str) -> None:
        try:
            config = sso.configured(get_settings())
        except ValueError:
            config = None  # logged when the route is used; the password form still works
        self.sso_label = config.button_label if config else ""
        start = routes.backend_url(SSO_LOGIN_PATH)
        self.sso_href = f"{start}?next={quote(next_target)}" if config else ""

    @rx.event
    def login(self, form: dict[str, str]):  # type: ignore[no-untyped-def]
        """Check email and password; on success set the session cookie and go on."""
        self.login_pending = False
        try:
            with session_scope() as session:
                user = accounts.authenticate(
                    session=session, email=form.get("email", ""), password=form.get("password", "")
                )
                token = accounts.start_session(
                    session=session, user=user, now=utcnow(), days=get_settings().session_days
                )
        except InvalidInput as exc:
            self.login_error = exc.message
            return None
        self.login_error = ""
        self.session_token = token
        target = self.router.url.query_parameters.get("next", routes.HOME)
        return rx.redirect(routes.safe_next(target))

    @rx.event
    def logout(self):  # type: ignore[no-untyped-def]
        """End this browser's session everywhere it is stored."""
        with session_scope() as session:
            accounts.end_session(session=session, token=self.session_token, now=utcnow())
        self.session_token = ""
        self._show(None)
        return rx.redirect(routes.LOGIN)
