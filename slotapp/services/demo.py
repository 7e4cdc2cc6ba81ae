"""Demo data for `make run`: loaded once, never overwriting what is there."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from slotapp.models import Role, User
from slotapp.services.accounts import create_user


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    password: str
    role: str
    time_zone: str
    department: str


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "admin@example.com",
        "Ada Admin",
        "demo-admin-pass",
        Role.ADMIN.value,
        "Europe/Berlin",
        "Management",
    ),
    DemoAccount(
        "ben@example.com",
        "Ben Colleague",
        "demo-ben-pass",
        Role.EMPLOYEE.value,
        "Europe/Berlin",
        "Sales",
    ),
    DemoAccount(
        "chloe@example.com",
        "Chloe Colleague",
        "demo-chloe-pass",
        Role.EMPLOYEE.value,
        "America/New_York",
        "Sales",
    ),
    DemoAccount(
        "dan@example.com",
        "Dan Agent",
        "demo-dan-pass",
        Role.AGENT.value,
        "Europe/Berlin",
        "Support",
    ),
)


def load_demo_data(*, session: Session) -> list[DemoAccount]:
    """Create the demo accounts that are missing; returns those created.

    Safe to run on every start: an existing account (even with a changed password) is kept.
    """
    existing = set(session.exec(select(User.email)).all())
    created = []
    for account in DEMO_ACCOUNTS:
        if account.email in existing:
            continue
        create_user(
            session=session,
            email=account.email,
            name=account.name,
            password=account.password,
            role=account.role,
            time_zone=account.time_zone,
            department=account.department,
        )
        created.append(account)
    return created
