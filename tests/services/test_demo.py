from sqlmodel import Session, select

from slotapp.models import User
from slotapp.services import accounts
from slotapp.services.demo import DEMO_ACCOUNTS, load_demo_data


def test_demo_data_loads_once_and_keeps_changes(session: Session) -> None:
    created = load_demo_data(session=session)
    session.commit()
    assert {a.role for a in created} == {"admin", "employee", "agent"}
    assert len([a for a in created if a.role == "employee"]) == 2
    admin = session.exec(select(User).where(User.role == "admin")).one()
    admin.name = "Renamed"
    session.add(admin)
    session.commit()
    assert load_demo_data(session=session) == []
    session.commit()
    assert len(session.exec(select(User)).all()) == len(DEMO_ACCOUNTS)
    assert session.exec(select(User).where(User.role == "admin")).one().name == "Renamed"
    for account in DEMO_ACCOUNTS:
        user = accounts.authenticate(
            session=session, email=account.email, password=account.password
        )
        assert user.role == account.role
