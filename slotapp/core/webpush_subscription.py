"""A browser's push subscription (`PushSubscription.toJSON()`), checked before it is stored.

What a browser hands over is input like any other: the endpoint is where the server will send
requests, so it must be an https URL of a push service (loopback http only in development);
the keys must be a P-256 public point and a 16-byte secret (RFC 8291).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from slotapp.core.validation import InvalidInput

MAX_ENDPOINT = 1000
_LOOPBACK_NAMES = frozenset({"localhost"})


@dataclass(frozen=True)
class SubscriptionKeys:
    """Where to send and how to encrypt for one browser."""

    endpoint: str
    p256dh: str  # base64url, unpadded: the browser's public key
    auth: str  # base64url, unpadded: the shared authentication secret


def b64url_decode(text: str) -> bytes:
    """Decode base64url with or without padding; ValueError on anything else."""
    if not re.fullmatch(r"[A-Za-z0-9_\-]*={0,2}", text or ""):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4))
    except binascii.Error as exc:
        raise ValueError("not base64url") from exc


def b64url(data: bytes) -> str:
    """Unpadded base64url, as browsers and RFC 8291 write keys."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def is_loopback(host: str | None) -> bool:
    """Whether `host` is this machine (a name or an address)."""
    if not host:
        return False
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _endpoint(raw: Any, *, allow_loopback_http: bool) -> str:
    endpoint = raw.strip() if isinstance(raw, str) else ""
    parts = urlsplit(endpoint)
    if not endpoint or len(endpoint) > MAX_ENDPOINT or not parts.hostname or parts.username:
        raise InvalidInput("endpoint", "The browser sent no usable push address.")
    if parts.scheme == "https":
        return endpoint
    if parts.scheme == "http" and allow_loopback_http and is_loopback(parts.hostname):
        return endpoint
    raise InvalidInput("endpoint", "A push address must be an https URL.")


def parse_subscription(data: Any, *, allow_loopback_http: bool = False) -> SubscriptionKeys:
    """The endpoint and keys of `PushSubscription.toJSON()`, checked.

    Args:
        data: {"endpoint": str, "keys": {"p256dh": str, "auth": str}, ...}.
        allow_loopback_http: accept http://127.0.0.1/... endpoints (a development server
            talking to a push service on the same machine); never for a public site.

    Raises:
        InvalidInput: anything missing or malformed.
    """
    if not isinstance(data, Mapping):
        raise InvalidInput("subscription", "The browser sent no push subscription.")
    endpoint = _endpoint(data.get("endpoint"), allow_loopback_http=allow_loopback_http)
    keys = data.get("keys")
    keys = keys if isinstance(keys, Mapping) else {}
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    try:
        point = b64url_decode(p256dh if isinstance(p256dh, str) else "")
        secret = b64url_decode(auth if isinstance(auth, str) else "")
    except ValueError as exc:
        raise InvalidInput("keys", "The browser's push keys are not readable.") from exc
    if len(point) != 65 or point[0] != 4:
        raise InvalidInput("keys", "The browser's push key is not a P-256 public key.")
    if len(secret) != 16:
        raise InvalidInput("keys", "The browser's push secret must be 16 bytes.")
    return SubscriptionKeys(endpoint=endpoint, p256dh=b64url(point), auth=b64url(secret))


_BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("CrOS", "ChromeOS"),
    ("Mac OS X", "Mac"),
    ("Macintosh", "Mac"),
    ("Linux", "Linux"),
)


def device_label(user_agent: str) -> str:
    """A name a person recognises their device by: 'Chrome on Android', 'Safari on iPhone'."""
    ua = user_agent or ""
    browser = next((name for token, name in _BROWSERS if token in ua), "Browser")
    system = next((name for token, name in _SYSTEMS if token in ua), "")
    return f"{browser} on {system}" if system else browser


def device_status(*, supported: bool, permission: str, subscribed: bool, ios_browser: bool) -> str:
    """What the settings page says about the browser it runs in.

    Returns:
        "on" (this device gets notifications), "off" (it could), "blocked" (the person said
        no: only the browser's site settings can undo that), "install" (an iPhone or iPad
        browser: push works only once the app is on the Home Screen) or "unsupported".
    """
    if not supported:
        return "install" if ios_browser else "unsupported"
    if permission == "denied":
        return "blocked"
    return "on" if subscribed and permission == "granted" else "off"
