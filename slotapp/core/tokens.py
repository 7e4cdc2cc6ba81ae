"""Secret tokens for sessions and links: the holder keeps the token, storage keeps a hash."""

from __future__ import annotations

import hashlib
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
