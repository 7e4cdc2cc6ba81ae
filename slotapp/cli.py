"""Set-up commands used by `make run`: `python -m slotapp.cli migrate|demo|setup`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from alembic.config import Config

from alembic import command
from slotapp.db import session_scope
from slotapp.services.demo import DEMO_ACCOUNTS, load_demo_data

ROOT = Path(__file__).resolve().parent.parent


def migrate() -> None:
    """Bring the database at DATABASE_URL to the newest committed migration."""
    command.upgrade(Config(str(ROOT / "alembic.ini")), "head")


def demo() -> None:
    """Load the demo accounts once and print how to log in."""
    with session_scope() as session:
        created = load_demo_data(session=session)
    print(f"Demo data: {len(created)} account(s) created, {len(DEMO_ACCOUNTS)} in all.")
    print("Demo logins (email / password / role):")
    for account in DEMO_ACCOUNTS:
        print(f"  {account.email:<22} {account.password:<18} {account.role}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="slotapp")
    parser.add_argument("action", choices=["migrate", "demo", "setup"])
    args = parser.parse_args(argv)
    if args.action in ("migrate", "setup"):
        migrate()
    if args.action in ("demo", "setup"):
        demo()
    return 0


if __name__ == "__main__":
    sys.exit(main())
