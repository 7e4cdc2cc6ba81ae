"""Builders shared by service tests."""

from __future__ import annotations

from sqlmodel import Session

from slotapp.models import LinkKind, User
from slotapp.services import accounts, links

SECRET = b"s" * 32


def make_user(
    session: Session, name: str = "Olga Owner", tz: str = "Europe/Berlin", role: str = "employee"
) -> User:
    user = accounts.create_user(
        session=session,
        email=f"{name.split()[0].lower()}@example.com",
        name=name,
        password="owner-pass-1",
        role=role,
        time_zone=tz,
    )
    session.commit()
    return user


def open_slots(session: Session, user: User, now) -> str:  # type: ignore[no-untyped-def]
    assert user.id is not None
    token = links.set_open_slots(
        session=session, owner_id=user.id, enabled=True, secret=SECRET, now=now
    )
    session.commit()
    assert token is not None
    return token


__all__ = ["SECRET", "LinkKind", "make_user", "open_slots"]
