"""Single sign-on rules: who an OpenID Connect login is, and the checks around the round trip.

Pure: no HTTP, no database, no clock. `services.sso` talks to the provider, `api.sso` serves the
two routes. The flow's secrets (state, nonce, PKCE verifier) travel in a short-lived cookie
signed with the server's key, so any worker can finish a login that another one started.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from urllib.parse import urlencode

from slotapp.core.validation import InvalidInput, normalise_email
from slotapp.routes import HOME, LOGIN, safe_next

LOGIN_PATH = "/auth/sso/login"
CALLBACK_PATH = "/auth/sso/callback"
FLOW_COOKIE = "slotapp_sso_flow"
# Long enough to type a password and answer a second factor at the provider.
FLOW_SECONDS = 10 * 60
MAX_NAME = 120

# Codes in `/login?sso_error=...`: the login page shows our own text, never one from the URL.
MESSAGES = {
    "cancelled": "Sign-in was cancelled. Try again, or log in with your password.",
    "expired": "The sign-in took too long or was started in another browser. Please try again.",
    "bad_state": "The sign-in answer did not match this browser's request. Please try again.",
    "unverified_email": "Your account's email address is not verified by your company, "
    "so it cannot be used to sign in here. Ask your administrator.",
    "no_email": "Your company account did not share a usable email address, "
    "so we cannot tell who you are. Ask your administrator.",
    "deactivated": "This account has been deactivated. Ask an administrator to reactivate it.",
    "unavailable": "The sign-in service cannot be reached right now. Try again in a moment, "
    "or log in with your password.",
    "provider_error": "The sign-in service refused the request. Please try again.",
    "invalid_token": "The sign-in service's answer could not be verified. Please try again.",
    "not_configured": "Single sign-on is not set up on this site.",
    "failed": "Sign-in failed. Please try again.",
}


class SsoError(Exception):
    """A login that must not go on; `code` is a key of MESSAGES."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code if code in MESSAGES else "failed"


def error_message(code: str) -> str:
    """The login page's text for `code` ("" for none; unknown codes get a generic text)."""
    if not code:
        return ""
    return MESSAGES.get(code, MESSAGES["failed"])


@dataclass(frozen=True)
class SsoConfig:
    """The identity provider this site trusts, and what a first login creates."""

    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    name: str = "company account"
    default_role: str = "employee"

    @property
    def metadata_url(self) -> str:
        return self.issuer + "/.well-known/openid-configuration"

    @property
    def button_label(self) -> str:
        return f"Sign in with {self.name}"


def sso_config(
    *, issuer: str, client_id: str, client_secret: str, name: str, default_role: str
) -> SsoConfig | None:
    """The configuration, or None (SSO off) unless issuer, client id and secret are all set."""
    issuer, client_id, client_secret = issuer.strip(), client_id.strip(), client_secret.strip()
    if not (issuer and client_id and client_secret):
        return None
    return SsoConfig(
        issuer=issuer.rstrip("/"),
        client_id=client_id,
        client_secret=client_secret,
        name=name.strip() or "company account",
        default_role=default_role.strip() or "employee",
    )


def next_path(raw: str | None) -> str:
    """Where to go after login: a path on this site (the login page's rule), else home.

    Also refuses control characters and spaces: browsers drop tabs and newlines from URLs,
    which would turn `/\\t/evil.example` into `//evil.example`.
    """
    target = raw or ""
    if len(target) > 2000 or any(ord(c) <= 0x20 or ord(c) == 0x7F for c in target):
        return HOME
    return safe_next(target)


def login_path(code: str, next_target: str = HOME) -> str:
    """The login page showing the message of `code`, keeping where the user was going."""
    query = {"sso_error": code}
    if next_target != HOME:
        query["next"] = next_target
    return f"{LOGIN}?{urlencode(query)}"


# --- the flow cookie ---------------------------------------------------------------------


@dataclass(frozen=True)
class Flow:
    """One login in progress: what the callback must find again."""

    state: str
    nonce: str
    code_verifier: str
    next_path: str
    expires_at: int  # Unix seconds


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, body: str) -> str:
    return _b64(hmac.new(secret, f"sso-flow:{body}".encode(), hashlib.sha256).digest())


def seal_flow(flow: Flow, *, secret: bytes) -> str:
    """The cookie value for `flow`: its JSON, signed (not secret, but not forgeable)."""
    body = _b64(json.dumps(asdict(flow), separators=(",", ":")).encode())
    return f"{body}.{_mac(secret, body)}"


def open_flow(cookie: str | None, *, secret: bytes, now: float) -> Flow:
    """The flow in a cookie made by `seal_flow`.

    Raises:
        SsoError: "expired" when there is none or it is too old, "bad_state" when forged.
    """
    if not cookie:
        raise SsoError("expired")
    body, _, mac = cookie.partition(".")
    if not hmac.compare_digest(mac.encode(), _mac(secret, body).encode()):
        raise SsoError("bad_state")
    try:
        flow = Flow(**json.loads(_unb64(body)))
    except (ValueError, TypeError) as exc:
        raise SsoError("bad_state") from exc
    if flow.expires_at <= now:
        raise SsoError("expired")
    return flow


def check_callback(flow: Flow, params: Mapping[str, str], *, issuer: str) -> str:
    """The authorization code from the provider's answer, after checking it answers `flow`.

    Raises:
        SsoError: state not this browser's ("bad_state"), the user said no ("cancelled"),
            another refusal ("provider_error"), or an answer from another issuer ("bad_state").
    """
    if not hmac.compare_digest(params.get("state", "").encode(), flow.state.encode()):
        raise SsoError("bad_state")
    error = params.get("error", "")
    if error:
        raise SsoError("cancelled" if error == "access_denied" else "provider_error")
    # RFC 9207: a provider that names itself must be the one we asked (mix-up attacks).
    if "iss" in params and params["iss"].rstrip("/") != issuer.rstrip("/"):
        raise SsoError("bad_state")
    code = params.get("code", "")
    if not code:
        raise SsoError("provider_error")
    return code


# --- who the user is ---------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """A verified email address and the name to give a new account."""

    email: str
    name: str


def _text(claims: Mapping[str, object], key: str) -> str:
    value = claims.get(key)
    return value.strip() if isinstance(value, str) else ""


def display_name(claims: Mapping[str, object], email: str) -> str:
    """`name`, else given and family name, else `preferred_username`, else the email's user."""
    full = " ".join(p for p in (_text(claims, "given_name"), _text(claims, "family_name")) if p)
    for candidate in (_text(claims, "name"), full, _text(claims, "preferred_username")):
        if candidate:
            return candidate[:MAX_NAME]
    return email.split("@")[0][:MAX_NAME]


def identity_from_claims(claims: Mapping[str, object]) -> Identity:
    """The identity behind verified claims (ID token, plus userinfo of the same `sub`).

    Raises:
        SsoError: "no_email" without a valid address, "unverified_email" unless the provider
            says `email_verified` is true (some send the string "true").
    """
    raw = claims.get("email")
    if not isinstance(raw, str) or not raw.strip():
        raise SsoError("no_email")
    verified = claims.get("email_verified")
    if not (verified is True or (isinstance(verified, str) and verified.lower() == "true")):
        raise SsoError("unverified_email")
    try:
        email = normalise_email(raw)
    except InvalidInput as exc:
        raise SsoError("no_email") from exc
    return Identity(email=email, name=display_name(claims, email))
