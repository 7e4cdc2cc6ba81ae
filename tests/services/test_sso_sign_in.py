"""Single sign-on's first login on the database: parallel first logins make one account."""

import threading

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from slotapp.core.sso import Identity
from slotapp.db import serialized
from slotapp.models import AuthSession, User
from slotapp.services import accounts, sso
from tests.conftest import NOW


def test_parallel_first_logins_make_one_user_and_two_sessions(engine: Engine) -> None:
    identity = Identity(email="new.person@example.com", name="New Person")
    barrier = threading.Barrier(4)
    tokens: list[str] = []
    errors: list[BaseException] = []

    def log_in() -> None:
        try:
            # As the callback does: SQLite takes its write lock at BEGIN (check-then-insert).
            with Session(serialized(engine)) as session:
                barrier.wait()
                token = sso.sign_in(
                    session=session, identity=identity, default_role="agent", now=NOW, days=30
                )
                session.commit()
                tokens.append(token)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=log_in) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    with Session(engine) as session:
        users = session.exec(select(User).where(User.email == identity.email)).all()
        assert len(users) == 1 and users[0].role == "agent"
        assert len(session.exec(select(AuthSession)).all()) == 4
        for token in tokens:
            current = accounts.resolve_session(session=session, token=token, now=NOW)
            assert current is not None and current.id == users[0].id
