"""The private subscription address of a user's meetings: signing and checking its token.

Pure: the caller supplies the server's secret and the user's current salt.
"""

from __future__ import annotations

import base64
import hashlib
import hmac


def subscription_token(secret: bytes, user_id: int, salt: str) -> str:
    """The token of a user's private .ics address: ``<user id>.<HMAC>``.

    Derived from the server's secret like share-link tokens (nothing secret is stored);
    a new salt makes a new address and the old one stops working.
    """
    digest = hmac.new(secret, f"ics-feed:{user_id}:{salt}".encode(), hashlib.sha256).digest()
    mac = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return f"{user_id}.{mac}"


def subscription_user_id(token: str) -> int | None:
    """The user id a token claims (not yet checked against its HMAC), or None."""
    head, dot, mac = (token or "").partition(".")
    if not dot or not mac or not (head.isascii() and head.isdigit()) or len(head) > 18:
        return None
    return int(head)


def subscription_token_matches(token: str, secret: bytes, user_id: int, salt: str) -> bool:
    """Whether `token` is the user's current token (constant-time comparison)."""
    expected = subscription_token(secret, user_id, salt)
    return hmac.compare_digest(expected.encode(), (token or "").encode())
