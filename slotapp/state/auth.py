"""Who is logged in. Every non-guest page runs `AuthState.require_login` on load.

The session token is an HttpOnly cookie that only HTTP endpoints set and clear (`api.auth`,
`api.sso`): the page's script never sees it. The state reads it from the `Cookie` header of
the page's websocket handshake (`self.router.headers.cookie`, kept on the server by Reflex):
logging in or out ends in a full page load, whose new websocket carries the new cookie.
"""

from __future__ import annotations

import json
from urllib.parse import quote

import reflex as rx

from slotapp import routes
from slotapp.clock import utcnow
from slotapp.core.sso import LOGIN_PATH as SSO_LOGIN_PATH
from slotapp.core.sso import error_message, next_path
from slotapp.core.web_session import (
    LOGIN_POST_PATH,
    LOGOUT_POST_PATH,
    email_from_cookies,
    login_error_message,
    token_from_cookies,
)
from slotapp.db import session_scope
from slotapp.services import accounts, sso
from slotapp.services.accounts import CurrentUser
from slotapp.settings import get_settings


class AuthState(rx.State):
    """The public facts of the browser's user, and what the login form needs."""

    user_name: str = ""
    user_email: str = ""
    user_role: str = ""
    login_error: str = ""
    # The login form posts to the backend (`api.auth`), then goes on to `next`.
    login_action: str = LOGIN_POST_PATH
    login_next: str = routes.HOME
    # The email of a refused login, back in the form (api.auth keeps it in a short cookie).
    login_email: str = ""
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

    @property
    def session_token(self) -> str:
        """This browser's session token, from the cookie its websocket was opened with.

        Read-only and never a state var: the page's script must not see it.
        """
        return token_from_cookies(self.router.headers.cookie)

    def _current_user(self) -> CurrentUser | None:
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
        user = self._current_user()
        self._show(user)
        if user is None:
            return rx.redirect(f"{routes.LOGIN}?next={quote(self.router.url.path)}")
        return None

    @rx.event
    def redirect_if_logged_in(self):  # type: ignore[no-untyped-def]
        """On load of the login page: a logged-in user goes straight home."""
        query = self.router.url.query_parameters
        self.login_error = error_message(query.get("sso_error", "")) or login_error_message(
            query.get("error", "")
        )
        self.login_next = next_path(query.get("next", routes.HOME))
        self.login_email = (
            email_from_cookies(self.router.headers.cookie) if self.login_error else ""
        )
        self.login_action = routes.backend_url(LOGIN_POST_PATH)
        self._offer_sso(self.login_next)
        user = self._current_user()
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
    def logout(self):  # type: ignore[no-untyped-def]
        """End this browser's session, then let `POST /auth/logout` clear the cookie."""
        with session_scope() as session:
            accounts.end_session(session=session, token=self.session_token, now=utcnow())
        self._show(None)
        # A real form post: a full page load (new websocket, no cookie) and an Origin header.
        return rx.call_script(LOGOUT_SCRIPT % json.dumps(routes.backend_url(LOGOUT_POST_PATH)))


LOGOUT_SCRIPT = """(() => {
  const form = document.createElement("form");
  form.method = "post";
  form.action = %s;
  document.body.appendChild(form);
  form.submit();
})()"""
