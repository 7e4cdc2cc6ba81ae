"""Secret tokens for sessions and links: the holder keeps the token, storage keeps a hash."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

TOKEN_BYTES = 32


def new_token() -> str:
    """A fresh URL-safe token with 256 bits of randomness."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """SHA-256 hex digest of a token.

    A plain hash is right here (unlike passwords): tokens carry full entropy, so a stolen
    table cannot be brute-forced, and a fast hash lets us look the token up by equality.
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def link_token(secret: bytes, link_id: int, salt: str) -> str:
    """The token of a share link, derived from the server's secret.

    The database stores only `hash_token(link_token(...))`, so a copy of the database does not
    reveal working links, yet the owner can be shown their link again ("Copy link") at any time
    by deriving it anew from the secret, which lives outside the database.
    """
    digest = hmac.new(secret, f"link:{link_id}:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def new_salt() -> str:
    """A random per-link salt: a revoked link's successor never gets the same token."""
    return secrets.token_hex(16)
