"""The browser's login session cookie and the checks around setting it: pure, no I/O.

The cookie is HttpOnly (no script on the page can read it, so an injected one cannot steal
it), SameSite=Lax (not sent on other sites' POSTs, fetches or frames) and Secure when the
site is served over https. Only HTTP endpoints set it (`api.auth`: the login form posts there,
`api.sso`'s callback); the Reflex states read it from the request headers of the page's
websocket, which the browser opens after each page load with the cookie it holds.
"""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie
from typing import TypedDict
from urllib.parse import quote, unquote, urlsplit

from slotapp.routes import HOME, LOGIN

SESSION_COOKIE = "slotapp_session"
# After a refused login the form comes back with the email filled in (not in the URL, where
# logs and history would keep it): a short-lived HttpOnly cookie the login page's state reads.
LOGIN_EMAIL_COOKIE = "slotapp_login_email"
LOGIN_EMAIL_SECONDS = 120
MAX_EMAIL = 254
LOGIN_POST_PATH = "/auth/login"
LOGOUT_POST_PATH = "/auth/logout"
MAX_FIELD = 2000  # longer form fields are refused before any password hashing

# Codes in `/login?error=...`: the page shows our own text, never one from the URL.
LOGIN_ERRORS = {
    "credentials": "Email or password is wrong.",
    "origin": "The login form was sent from another site. Please log in on this page.",
    "failed": "Login failed. Please try again.",
}


class CookieOptions(TypedDict):
    """Keyword arguments of Starlette's `Response.set_cookie` for the session cookie."""

    max_age: int
    path: str
    httponly: bool
    samesite: str
    secure: bool


def cookie_options(*, base_url: str, days: int) -> CookieOptions:
    """The session cookie's attributes: for the whole site, as long as the session lasts."""
    return CookieOptions(
        max_age=days * 24 * 60 * 60,
        path="/",
        httponly=True,
        samesite="lax",
        secure=base_url.lower().startswith("https://"),
    )


def token_from_cookies(header: str) -> str:
    """The session token in a `Cookie` request header ("" when there is none)."""
    return cookie_from_header(header, SESSION_COOKIE)


def cookie_from_header(header: str, name: str) -> str:
    """The value of cookie `name` in a `Cookie` request header ("" when there is none)."""
    cookies: SimpleCookie = SimpleCookie()
    try:
        cookies.load(header or "")
    except CookieError:
        # One malformed cookie from another app on the same host must not log us out.
        return _cookie_by_split(header, name)
    morsel = cookies.get(name)
    return morsel.value if morsel is not None else _cookie_by_split(header, name)


def _cookie_by_split(header: str, name: str) -> str:
    for part in (header or "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value.strip().strip('"')
    return ""


def remembered_email(email: str) -> str:
    """The cookie value that keeps a refused login's email for the form (cookie-safe)."""
    return quote(email.strip()[:MAX_EMAIL], safe="")


def email_from_cookies(header: str) -> str:
    """The email of the last refused login of this browser, for the form ("" when none)."""
    return unquote(cookie_from_header(header, LOGIN_EMAIL_COOKIE))[:MAX_EMAIL]


def is_same_site_post(*, origin: str, referer: str, host: str, base_url: str) -> bool:
    """Whether a browser's POST comes from one of our own pages (login CSRF defence)."""
    return posting_page(origin=origin, referer=referer, host=host, base_url=base_url) != ""


def posting_page(*, origin: str, referer: str, host: str, base_url: str) -> str:
    """The origin of our own page that sent a browser's POST; "" when it is not one of ours.

    Browsers send `Origin` on every POST (`Referer` is the fallback for old ones). It must be
    the public base URL's origin, or name the very host the request was sent to (the same
    server reached at another address, e.g. a phone on the LAN). Neither header: refused.
    The answer is where to send the browser on: in dev the form posts to the backend's port
    and the pages live on another.
    """
    source = origin if origin and origin != "null" else referer
    parts = urlsplit(source or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""
    page = f"{parts.scheme}://{parts.netloc}".lower()
    public = urlsplit(base_url)
    if page == f"{public.scheme}://{public.netloc}".lower():
        return page
    return page if host and parts.netloc.lower() == host.lower() else ""


def login_error_path(code: str, next_target: str = HOME) -> str:
    """The login page showing the message of `code`, keeping where the user was going."""
    known = code if code in LOGIN_ERRORS else "failed"
    return f"{LOGIN}?next={quote(next_target)}&error={known}"


def login_error_message(code: str) -> str:
    """The login page's text for `code` ("" for none; unknown codes get a generic text)."""
    if not code:
        return ""
    return LOGIN_ERRORS.get(code, LOGIN_ERRORS["failed"])
