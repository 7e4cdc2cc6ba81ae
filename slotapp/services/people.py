"""The people of the company, as admins manage them: roles, access, new local accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from slotapp.core.meetings import NotAllowed
from slotapp.core.passwords import PasswordPolicyError
from slotapp.core.people import AccountChange, check_change
from slotapp.core.validation import InvalidInput
from slotapp.models import AuthSession, User
from slotapp.models.accounts import Role
from slotapp.services.accounts import create_user


@dataclass(frozen=True)
class Person:
    """One row of the People page."""

    id: int
    name: str
    email: str
    role: str
    department: str
    is_active: bool
    signs_in_with_password: bool


def list_people(*, session: Session) -> list[Person]:
    """Everybody with an account, active first, then by name."""
    rows = session.exec(
        select(User).order_by(col(User.is_active).desc(), func.lower(User.name), col(User.id))
    ).all()
    return [
        Person(
            id=u.id or 0,
            name=u.name,
            email=u.email,
            role=u.role,
            department=u.department,
            is_active=u.is_active,
            signs_in_with_password=u.password_hash is not None,
        )
        for u in rows
    ]


def _active_admins(session: Session) -> int:
    query = select(func.count()).select_from(User).where(User.role == Role.ADMIN.value)
    return int(session.exec(query.where(col(User.is_active).is_(True))).one())


def _change(
    session: Session, *, actor_id: int, user_id: int, role: str | None, active: bool | None
) -> User:
    actor = session.get(User, actor_id)
    # Lock the target (FOR UPDATE on PostgreSQL) so two admins demoting the last two admins
    # at once are serialised; SQLite's writer lock does the same when we write.
    target = session.exec(select(User).where(User.id == user_id).with_for_update()).first()
    if actor is None or not actor.is_active:
        raise NotAllowed("Only admins manage people.")
    if target is None:
        raise InvalidInput("user", "No such person.")
    check_change(
        AccountChange(
            actor_id=actor_id,
            actor_is_admin=actor.role == Role.ADMIN.value,
            target_id=user_id,
            target_role=target.role,
            target_active=target.is_active,
            new_role=target.role if role is None else role,
            new_active=target.is_active if active is None else active,
        ),
        active_admins=_active_admins(session),
    )
    if role is not None:
        target.role = role
    if active is not None:
        target.is_active = active
    session.add(target)
    return target


def set_role(*, session: Session, actor_id: int, user_id: int, role: str) -> User:
    """Give a person another role (admins only; never the last admin's).

    Raises:
        NotAllowed: the actor is not an admin, or demotes themself.
        InvalidInput: unknown person or role, or no active admin would be left.
    """
    user = _change(session, actor_id=actor_id, user_id=user_id, role=role, active=None)
    session.commit()
    return user


def set_active(
    *, session: Session, actor_id: int, user_id: int, active: bool, now: datetime
) -> User:
    """Switch a person's access on or off; off also ends every session they have.

    Their links stop working at once (links of a deactivated owner are dead) and their
    meetings stay on the calendars of the other participants.

    Raises:
        NotAllowed: the actor is not an admin, or switches themself off.
        InvalidInput: unknown person, or no active admin would be left.
    """
    user = _change(session, actor_id=actor_id, user_id=user_id, role=None, active=active)
    if not active:
        session.exec(  # type: ignore[call-overload]
            update(AuthSession)
            .where(col(AuthSession.user_id) == user_id)
            .where(col(AuthSession.revoked_at).is_(None))
            .values(revoked_at=now)
        )
    session.commit()
    return user


def add_person(
    *,
    session: Session,
    actor_id: int,
    name: str,
    email: str,
    role: str,
    department: str,
    password: str,
) -> User:
    """Create a local account with a first password the person changes on /account.

    Raises:
        NotAllowed: the actor is not an admin.
        InvalidInput: a bad name, email, role or password, or the email is taken.
    """
    actor = session.get(User, actor_id)
    if actor is None or not actor.is_active or actor.role != Role.ADMIN.value:
        raise NotAllowed("Only admins manage people.")
    try:
        user = create_user(
            session=session,
            email=email,
            name=name,
            password=password,
            role=role,
            time_zone=actor.time_zone,
            department=department[:120],
        )
    except InvalidInput:
        session.rollback()
        raise
    except PasswordPolicyError as exc:
        session.rollback()
        raise InvalidInput("password", str(exc)) from exc
    session.commit()
    return user
