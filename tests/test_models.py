"""The schema: aware datetimes in and out, and migrations equal to the models."""

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import StatementError
from sqlmodel import Session, SQLModel, select

from slotapp.db import make_engine
from slotapp.models import Meeting
from tests.conftest import ROOT


@pytest.mark.parametrize(
    "start",
    [
        datetime(2026, 3, 29, 1, 30, tzinfo=ZoneInfo("Europe/Berlin")),
        datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=ZoneInfo("America/New_York")),
        datetime(2026, 6, 1, 9, 0, tzinfo=timezone(timedelta(hours=5, minutes=30))),
    ],
    ids=["berlin-before-spring", "new-york-second-1-30", "plus-0530"],
)
def test_datetimes_are_stored_utc_and_read_back_aware(session: Session, start: datetime) -> None:
    session.add(Meeting(start_at=start, end_at=start + timedelta(minutes=30)))
    session.commit()
    session.expunge_all()
    meeting = session.exec(select(Meeting)).one()
    assert meeting.start_at.tzinfo is not None and meeting.start_at.utcoffset() == timedelta(0)
    # The same instant (compare in UTC: PEP 495 makes fold=1 unequal across zones).
    assert meeting.start_at == start.astimezone(UTC)


def test_naive_datetimes_are_refused(session: Session) -> None:
    session.add(Meeting(start_at=datetime(2026, 1, 1, 9), end_at=datetime(2026, 1, 1, 10)))  # noqa: DTZ001
    with pytest.raises(StatementError, match="naive datetime refused"):
        session.commit()


def test_migrations_build_exactly_the_models(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from alembic.config import Config

    from alembic import command
    from slotapp.settings import get_settings

    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        command.upgrade(Config(str(ROOT / "alembic.ini")), "head")
    finally:
        get_settings.cache_clear()
    engine = make_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == [], (
        f"models changed without a migration (run `reflex db makemigrations`): {diff}"
    )
