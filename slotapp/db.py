"""Database engine and sessions, shared by services, API routes and states."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import event, make_url
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from slotapp.settings import get_settings


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets foreign keys, WAL and a busy timeout.

    SQLite serialises writers; a busy timeout makes a second writer wait for the first
    instead of failing, which is what the booking transaction relies on.
    """
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # pysqlite's own transaction handling defers BEGIN past reads; take control so
            # a transaction covers its reads too (SQLAlchemy's documented recipe).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            immediate = conn.get_execution_options().get("sqlite_immediate", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


def serialized(engine: Engine) -> Engine:
    """The same engine, but its transactions take SQLite's write lock at BEGIN.

    Check-then-insert sequences (booking a slot) then run one at a time across threads and
    processes; on PostgreSQL the option is ignored and constraints plus row locks do the work.
    """
    return engine.execution_options(sqlite_immediate=True)


# PostgreSQL's "deadlock detected" and "could not serialize": the transaction was rolled back
# and may simply be run again. Two bookings inserting overlapping host rows at once can
# deadlock inside the exclusion constraint's check (each waits for the other's row).
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})


def is_retryable(exc: BaseException) -> bool:
    """Whether a database error means "run the transaction again" (deadlock, serialization)."""
    orig = getattr(exc, "orig", None)
    return getattr(orig, "sqlstate", None) in RETRYABLE_SQLSTATES


def lost_race(exc: BaseException) -> bool:
    """Whether a database error is an overlap guard refusing a row another transaction
    created meanwhile: SQLite's trigger ("overlap") or a PostgreSQL deadlock between the two."""
    return "overlap" in str(exc) or is_retryable(exc)


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    """The application's engine for `DATABASE_URL`."""
    return make_engine(get_settings().database_url)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    engine = engine or get_engine()
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise
