"""Admins manage people on the database: roles, access (ending sessions), new local accounts."""

import pytest
from sqlmodel import Session, select

from slotapp.core.meetings import NotAllowed
from slotapp.core.validation import InvalidInput
from slotapp.models import AuthSession, User
from slotapp.services import accounts, people
from tests.conftest import NOW


def _user(session: Session, email: str, role: str = "employee", name: str = "") -> User:
    user = accounts.create_user(
        session=session,
        email=email,
        name=name or email.split("@")[0].title(),
        password="s3cret-pass",
        role=role,
    )
    session.commit()
    return user


def _rows(session: Session) -> list[tuple[object, ...]]:
    session.expire_all()
    return [
        (u.id, u.role, u.is_active, u.email)
        for u in session.exec(select(User).order_by(User.id)).all()  # type: ignore[arg-type]
    ]


def test_admin_changes_role_and_list_shows_it(session: Session) -> None:
    ada = _user(session, "ada@example.com", "admin", "Ada")
    ben = _user(session, "ben@example.com", name="ben")
    people.set_role(session=session, actor_id=ada.id, user_id=ben.id, role="agent")  # type: ignore[arg-type]
    listed = {p.email: p for p in people.list_people(session=session)}
    assert listed["ben@example.com"].role == "agent"
    assert [p.name for p in people.list_people(session=session)] == ["Ada", "ben"]


def test_switching_off_ends_every_session_and_sign_in(session: Session) -> None:
    ada = _user(session, "ada@example.com", "admin")
    ben = _user(session, "ben@example.com")
    tokens = [accounts.start_session(session=session, user=ben, now=NOW, days=30) for _ in "ab"]
    session.commit()
    people.set_active(session=session, actor_id=ada.id, user_id=ben.id, active=False, now=NOW)  # type: ignore[arg-type]
    assert all(accounts.resolve_session(session=session, token=t, now=NOW) is None for t in tokens)
    revoked = session.exec(select(AuthSession).where(AuthSession.user_id == ben.id)).all()
    assert len(revoked) == 2 and all(r.revoked_at is not None for r in revoked)
    with pytest.raises(InvalidInput):
        accounts.authenticate(session=session, email="ben@example.com", password="s3cret-pass")
    # Back on: the password works again; old sessions stay ended.
    people.set_active(session=session, actor_id=ada.id, user_id=ben.id, active=True, now=NOW)  # type: ignore[arg-type]
    assert accounts.authenticate(session=session, email="ben@example.com", password="s3cret-pass")
    assert accounts.resolve_session(session=session, token=tokens[0], now=NOW) is None


@pytest.mark.parametrize("who", ["employee", "agent", "inactive-admin"])
def test_non_admins_change_nothing(session: Session, who: str) -> None:
    _user(session, "ada@example.com", "admin")
    actor = _user(session, "eve@example.com", "admin" if who == "inactive-admin" else who)
    if who == "inactive-admin":
        actor.is_active = False
        session.add(actor)
        session.commit()
    ben = _user(session, "ben@example.com")
    before = _rows(session)
    with pytest.raises(NotAllowed):
        people.set_role(session=session, actor_id=actor.id, user_id=ben.id, role="admin")  # type: ignore[arg-type]
    with pytest.raises(NotAllowed):
        people.set_active(session=session, actor_id=actor.id, user_id=ben.id, active=False, now=NOW)  # type: ignore[arg-type]
    with pytest.raises(NotAllowed):
        people.add_person(
            session=session,
            actor_id=actor.id,
            name="X",
            email="x@example.com",  # type: ignore[arg-type]
            role="admin",
            department="",
            password="s3cret-pass",
        )
    session.rollback()
    assert _rows(session) == before


def test_last_admin_cannot_be_demoted_or_switched_off(session: Session) -> None:
    ada = _user(session, "ada@example.com", "admin")
    bob = _user(session, "bob@example.com", "admin")
    people.set_active(session=session, actor_id=ada.id, user_id=bob.id, active=False, now=NOW)  # type: ignore[arg-type]
    before = _rows(session)
    with pytest.raises(NotAllowed, match="own"):
        people.set_role(session=session, actor_id=ada.id, user_id=ada.id, role="employee")  # type: ignore[arg-type]
    session.rollback()
    assert _rows(session) == before


def test_add_person_creates_a_local_account_and_refuses_bad_input(session: Session) -> None:
    ada = _user(session, "ada@example.com", "admin")
    made = people.add_person(
        session=session,
        actor_id=ada.id,
        name="Cy",
        email="Cy@Example.com",  # type: ignore[arg-type]
        role="agent",
        department="Support",
        password="first-pass-123",
    )
    assert (made.email, made.role, made.department) == ("cy@example.com", "agent", "Support")
    assert accounts.authenticate(session=session, email="cy@example.com", password="first-pass-123")
    before = _rows(session)
    bad = [
        ({"email": "cy@example.com"}, "email"),
        ({"email": "no-at-sign"}, "email"),
        ({"role": "root"}, "role"),
        ({"name": " "}, "name"),
        ({"password": "short"}, "password"),
    ]
    for kw, field in bad:
        args = {
            "name": "Di",
            "email": "di@example.com",
            "role": "employee",
            "password": "long-enough-1",
        }
        args.update(kw)
        with pytest.raises(InvalidInput) as err:
            people.add_person(session=session, actor_id=ada.id, department="", **args)  # type: ignore[arg-type]
        assert err.value.field == field
        assert _rows(session) == before
