from datetime import timedelta

import pytest
from sqlmodel import Session, select

from slotapp.core.validation import InvalidInput
from slotapp.models import AuthSession, AvailabilitySettings, User
from slotapp.services import accounts
from tests.conftest import NOW


def _user(session: Session, email: str = "ada@example.com", password: str = "s3cret-pass") -> User:
    user = accounts.create_user(
        session=session, email=email, name="Ada", password=password, time_zone="Europe/Berlin"
    )
    session.commit()
    return user


def test_create_user_stores_argon2_hash_and_default_settings(session: Session) -> None:
    user = _user(session, email="Ada@Example.com")
    assert user.email == "ada@example.com"
    assert user.password_hash and user.password_hash.startswith("$argon2id$")
    assert "s3cret-pass" not in user.password_hash
    settings = session.get(AvailabilitySettings, user.id)
    assert settings is not None and settings.open_slots_enabled is False
    assert settings.weekly_hours["0"] == [["09:00", "17:00"]]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"time_zone": "Nowhere/Land"}, "time_zone"),
        ({"role": "superuser"}, "role"),
        ({"name": "  "}, "name"),
    ],
    ids=["bad-email", "bad-zone", "bad-role", "blank-name"],
)
def test_create_user_refuses_bad_input_and_stores_nothing(
    session: Session, kwargs: dict[str, str], field: str
) -> None:
    args = {"email": "x@example.com", "name": "X", "password": "long-enough", **kwargs}
    with pytest.raises(InvalidInput) as err:
        accounts.create_user(session=session, **args)  # type: ignore[arg-type]
    assert err.value.field == field
    session.rollback()
    assert session.exec(select(User)).all() == []


def test_duplicate_email_is_refused(session: Session) -> None:
    _user(session)
    with pytest.raises(InvalidInput, match="already exists"):
        accounts.create_user(session=session, email="ADA@example.com", name="B", password="x" * 9)


@pytest.mark.parametrize(
    ("email", "password"),
    [("ada@example.com", "wrong-pass"), ("nobody@example.com", "s3cret-pass"), ("bad", "x")],
    ids=["wrong-password", "unknown-email", "malformed-email"],
)
def test_failed_logins_all_say_the_same(session: Session, email: str, password: str) -> None:
    _user(session)
    with pytest.raises(InvalidInput) as err:
        accounts.authenticate(session=session, email=email, password=password)
    assert err.value.message == accounts.LOGIN_FAILED


def test_inactive_user_cannot_log_in_and_loses_sessions(session: Session) -> None:
    user = _user(session)
    token = accounts.start_session(session=session, user=user, now=NOW, days=30)
    user.is_active = False
    session.add(user)
    session.commit()
    with pytest.raises(InvalidInput):
        accounts.authenticate(session=session, email="ada@example.com", password="s3cret-pass")
    assert accounts.resolve_session(session=session, token=token, now=NOW) is None


def test_session_round_trip_expiry_and_logout(session: Session) -> None:
    user = _user(session)
    logged = accounts.authenticate(session=session, email="ADA@example.com", password="s3cret-pass")
    token = accounts.start_session(session=session, user=logged, now=NOW, days=30)
    session.commit()
    stored = session.exec(select(AuthSession)).one()
    assert stored.token_hash != token  # only the hash is stored
    current = accounts.resolve_session(session=session, token=token, now=NOW + timedelta(days=29))
    assert current is not None and current.id == user.id and current.email == "ada@example.com"
    assert (
        accounts.resolve_session(session=session, token=token, now=NOW + timedelta(days=30)) is None
    )
    assert accounts.resolve_session(session=session, token="forged", now=NOW) is None
    assert accounts.resolve_session(session=session, token="", now=NOW) is None
    accounts.end_session(session=session, token=token, now=NOW)
    session.commit()
    assert accounts.resolve_session(session=session, token=token, now=NOW) is None


def test_password_change_logs_out_other_sessions_only(session: Session) -> None:
    user = _user(session)
    assert user.id is not None
    here = accounts.start_session(session=session, user=user, now=NOW, days=30)
    elsewhere = accounts.start_session(session=session, user=user, now=NOW, days=30)
    with pytest.raises(InvalidInput) as err:
        accounts.change_password(
            session=session,
            user_id=user.id,
            current="nope-nope",
            new="new-pass-123",
            keep_token=here,
            now=NOW,
        )
    assert err.value.field == "current_password"
    accounts.change_password(
        session=session,
        user_id=user.id,
        current="s3cret-pass",
        new="new-pass-123",
        keep_token=here,
        now=NOW,
    )
    session.commit()
    assert accounts.resolve_session(session=session, token=here, now=NOW) is not None
    assert accounts.resolve_session(session=session, token=elsewhere, now=NOW) is None
    accounts.authenticate(session=session, email="ada@example.com", password="new-pass-123")
