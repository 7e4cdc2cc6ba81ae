"""Password hashing with Argon2id (argon2-cffi) and the password policy."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 8
MAX_LENGTH = 1024  # Argon2 hashes anything, but unbounded input invites abuse.

_hasher = PasswordHasher()


class PasswordPolicyError(ValueError):
    """A new password that does not meet the policy."""


def check_policy(password: str) -> None:
    """Raise PasswordPolicyError with a message a user can act on."""
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError(f"Password must be at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise PasswordPolicyError(f"Password must be at most {MAX_LENGTH} characters.")


def hash_password(password: str) -> str:
    """An Argon2id hash of `password` (salted; the parameters travel inside the hash)."""
    check_policy(password)
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether `password` matches `password_hash`; False for a missing or malformed hash."""
    if not password_hash or len(password) > MAX_LENGTH:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError, UnicodeError):
        return False  # UnicodeError: half a surrogate pair cannot be encoded, so never matches


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than the current ones."""
    return _hasher.check_needs_rehash(password_hash)


# A hash to verify against when the user does not exist, so that a login attempt for an
# unknown email takes as long as one for a known email (no account enumeration by timing).
DUMMY_HASH = _hasher.hash("slotapp-timing-equaliser")
