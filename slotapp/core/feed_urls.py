"""The addresses of external calendar feeds: which may be fetched, and how they are shown.

Pure: strings in, strings (or a yes/no) out; the fetcher resolves names and asks
`address_allowed` about each address before connecting.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit, urlunsplit

from slotapp.core.validation import InvalidInput

MAX_URL_LENGTH = 2000


def normalise_feed_url(raw: str) -> str:
    """The address to fetch: http(s) only; webcal:// (and webcals://) become https://.

    Raises:
        InvalidInput: field "url", with a message saying what to fix.
    """
    text = (raw or "").strip()
    if not text:
        raise InvalidInput("url", "Paste the calendar's address (it starts with https://).")
    if len(text) > MAX_URL_LENGTH:
        raise InvalidInput("url", f"The address is longer than {MAX_URL_LENGTH} characters.")
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme in ("webcal", "webcals"):
        scheme = "https"
    if scheme not in ("http", "https"):
        raise InvalidInput("url", "The address must start with https://, http:// or webcal://.")
    if not parts.hostname:
        raise InvalidInput("url", "The address has no server name.")
    if any(c.isspace() for c in text):
        raise InvalidInput("url", "The address must not contain spaces.")
    return urlunsplit((scheme, parts.netloc, parts.path or "/", parts.query, ""))


def display_url(url: str) -> str:
    """The address with its secret part hidden, e.g. ``calendar.google.com/…``."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    return f"{host}/…" if parts.path.strip("/") or parts.query else host


def address_allowed(address: str) -> bool:
    """Whether the server may fetch from this IP address.

    Loopback, link-local (cloud metadata services), multicast, reserved and unspecified
    addresses are refused; private networks are allowed, for self-hosted calendars.
    """
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved or ip.is_unspecified
    )
