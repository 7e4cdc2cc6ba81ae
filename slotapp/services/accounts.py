"""Accounts: create users, log in and out, resolve a browser's session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select, update

from slotapp.core.passwords import DUMMY_HASH, hash_password, needs_rehash, verify_password
from slotapp.core.tokens import hash_token, new_token
from slotapp.core.validation import InvalidInput, known_time_zone, normalise_email, required_text
from slotapp.models import AuthSession, AvailabilitySettings, Role, User

LOGIN_FAILED = "Email or password is wrong."


@dataclass(frozen=True)
class CurrentUser:
    """What the UI may know of the logged-in user (no hash, no secrets)."""

    id: int
    name: str
    email: str
    role: str
    time_zone: str

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN.value


def _public(user: User) -> CurrentUser:
    assert user.id is not None
    return CurrentUser(user.id, user.name, user.email, user.role, user.time_zone)


def create_user(
    *,
    session: Session,
    email: str,
    name: str,
    password: str | None,
    role: str = Role.EMPLOYEE.value,
    time_zone: str = "UTC",
    department: str = "",
) -> User:
    """Create a user with default availability settings.

    Raises:
        InvalidInput: malformed email, unknown role or zone, or an email already in use.
    """
    address = normalise_email(email)
    display_name = required_text(name, field="name", label="a name", max_length=120)
    if role not in {r.value for r in Role}:
        raise InvalidInput("role", f"Unknown role '{role}'.")
    zone = known_time_zone(time_zone)
    if session.exec(select(User.id).where(User.email == address)).first() is not None:
        raise InvalidInput("email", "An account with that email already exists.")
    user = User(
        email=address,
        name=display_name,
        password_hash=hash_password(password) if password is not None else None,
        role=role,
        time_zone=zone,
        department=department.strip(),
    )
    session.add(user)
    session.flush()
    assert user.id is not None
    session.add(AvailabilitySettings(user_id=user.id))
    session.flush()
    return user


def authenticate(*, session: Session, email: str, password: str) -> User:
    """The active user with this email and password.

    Raises:
        InvalidInput: with one message for every failure, so that the reply does not say
            whether the email has an account.
    """
    try:
        address = normalise_email(email)
    except InvalidInput:
        verify_password(DUMMY_HASH, password)
        raise InvalidInput("email", LOGIN_FAILED) from None
    user = session.exec(select(User).where(User.email == address)).first()
    if user is None or not user.is_active or not user.password_hash:
        verify_password(DUMMY_HASH, password)
        raise InvalidInput("email", LOGIN_FAILED)
    if not verify_password(user.password_hash, password):
        raise InvalidInput("email", LOGIN_FAILED)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.add(user)
    return user


def start_session(*, session: Session, user: User, now: datetime, days: int) -> str:
    """Open a login session for `user`; returns the token for the browser (stored hashed)."""
    assert user.id is not None
    token = new_token()
    session.add(
        AuthSession(
            user_id=user.id,
            token_hash=hash_token(token),
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    )
    session.flush()
    return token


def resolve_session(*, session: Session, token: str, now: datetime) -> CurrentUser | None:
    """The user behind a browser's token, or None if unknown, revoked, expired or inactive."""
    if not token:
        return None
    row = session.exec(
        select(AuthSession, User)
        .join(User, col(User.id) == col(AuthSession.user_id))
        .where(AuthSession.token_hash == hash_token(token))
    ).first()
    if row is None:
        return None
    auth, user = row
    if auth.revoked_at is not None or auth.expires_at <= now or not user.is_active:
        return None
    return _public(user)


def end_session(*, session: Session, token: str, now: datetime) -> None:
    """Log a browser out: its token stops working at once."""
    if not token:
        return
    session.exec(
        update(AuthSession)
        .where(col(AuthSession.token_hash) == hash_token(token))
        .where(col(AuthSession.revoked_at).is_(None))
        .values(revoked_at=now)
    )


def change_password(
    *, session: Session, user_id: int, current: str, new: str, keep_token: str, now: datetime
) -> None:
    """Set a new password and log out every other session of this user.

    Raises:
        InvalidInput: the current password is wrong or the new one breaks the policy.
    """
    user = session.get(User, user_id)
    if user is None or not verify_password(user.password_hash, current):
        raise InvalidInput("current_password", "The current password is wrong.")
    try:
        user.password_hash = hash_password(new)
    except ValueError as exc:
        raise InvalidInput("new_password", str(exc)) from exc
    session.add(user)
    session.exec(
        update(AuthSession)
        .where(col(AuthSession.user_id) == user_id)
        .where(col(AuthSession.token_hash) != hash_token(keep_token))
        .where(col(AuthSession.revoked_at).is_(None))
        .values(revoked_at=now)
    )
