"""PostgreSQL's own guards: exclusion constraints and row locks settle races between workers.

Each race is forced: both transactions are held at a barrier after their checks passed (or
just before the link lock), so the database, not timing luck, decides who wins. SQLite cannot
run these (its writers are serialized at BEGIN, so the second would wait at the barrier's
other side forever); the same outcomes on SQLite are covered by test_booking.py and friends.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg.errors
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from slotapp.core.invitation_form import InvitationDraft
from slotapp.core.meetings import Actor
from slotapp.models import LinkKind, Meeting, MeetingParticipant, MeetingResource
from slotapp.services import (
    booking,
    invitation_booking,
    invitation_view,
    links,
    meetings,
    resources,
)
from slotapp.services import invitations as inv
from slotapp.services.booking import BookingRequest, SlotTaken, book
from slotapp.services.resources import ResourceInput
from tests.conftest import NOW, backend_names
from tests.pg_server import PostgresServer
from tests.services.helpers import SECRET, make_user, open_slots

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        "postgresql" not in backend_names(),
        reason="SLOTAPP_TEST_BACKENDS does not name postgresql",
    ),
]

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN)  # NOW is Saturday 2026-11-21


@pytest.fixture
def engine(postgres_server: PostgresServer) -> Iterator[Engine]:
    """PostgreSQL only (overrides the conftest fixture that also runs SQLite)."""
    with postgres_server.database() as eng:
        yield eng


def _at_once(*calls: Callable[[], object]) -> list[object]:
    """Run each call on its own thread; their results or exceptions, in order."""
    results: list[object] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            results[i] = calls[i]()
        except Exception as exc:  # noqa: BLE001 - the outcome is what we assert
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _hold_after(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> None:
    """Make `module.name` wait, once it returned, until both threads got that far."""
    barrier = threading.Barrier(2, timeout=20)
    real = getattr(module, name)

    def held(*args: Any, **kw: Any) -> Any:
        result = real(*args, **kw)
        barrier.wait()
        return result

    monkeypatch.setattr(module, name, held)


def _is_exclusion(exc: BaseException) -> bool:
    cause = exc.__cause__
    return isinstance(cause, IntegrityError) and isinstance(
        cause.orig, psycopg.errors.ExclusionViolation
    )


def _request(token: str, start: datetime, email: str) -> BookingRequest:
    return BookingRequest(token, start, "Gina Guest", email, "America/New_York")


# --- the schema that the migrations build ------------------------------------------------


def test_migrations_give_postgresql_the_no_overlap_exclusion_constraints(
    session: Session,
) -> None:
    rows = session.exec(  # type: ignore[call-overload]
        text("SELECT conname FROM pg_constraint WHERE contype = 'x' ORDER BY conname")
    ).all()
    assert [r[0] for r in rows] == ["participant_no_overlap", "resource_no_overlap"]


def test_migrations_build_exactly_the_models_on_postgresql(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == [], f"PostgreSQL schema differs from the models: {diff}"


# --- the constraints themselves ----------------------------------------------------------


def _meeting_with_host(
    session: Session, user_id: int, start: datetime, minutes: int = 30, blocks: bool = True
) -> None:
    meeting = Meeting(start_at=start, end_at=start + timedelta(minutes=minutes))
    session.add(meeting)
    session.flush()
    assert meeting.id is not None
    session.add(
        MeetingParticipant(
            meeting_id=meeting.id,
            user_id=user_id,
            start_at=meeting.start_at,
            end_at=meeting.end_at,
            blocks=blocks,
        )
    )
    session.flush()


def test_overlapping_host_rows_are_an_exclusion_violation(session: Session) -> None:
    user = make_user(session)
    assert user.id is not None
    _meeting_with_host(session, user.id, MONDAY_10)
    _meeting_with_host(session, user.id, MONDAY_10 + timedelta(minutes=30))  # touching is fine
    _meeting_with_host(session, user.id, MONDAY_10, blocks=False)  # declined rows never block
    with pytest.raises(IntegrityError) as caught:
        _meeting_with_host(session, user.id, MONDAY_10 + timedelta(minutes=15))
    assert isinstance(caught.value.orig, psycopg.errors.ExclusionViolation)


def test_moving_a_host_row_onto_another_is_an_exclusion_violation(session: Session) -> None:
    user = make_user(session)
    assert user.id is not None
    _meeting_with_host(session, user.id, MONDAY_10)
    _meeting_with_host(session, user.id, MONDAY_10 + timedelta(hours=2))
    session.commit()
    with pytest.raises(IntegrityError) as caught:
        session.exec(  # type: ignore[call-overload]
            text(
                "UPDATE meetingparticipant SET start_at = start_at - interval '2 hours', "
                "end_at = end_at - interval '2 hours' WHERE start_at > :t"
            ),
            params={"t": MONDAY_10},
        )
    assert isinstance(caught.value.orig, psycopg.errors.ExclusionViolation)


def test_one_room_held_twice_at_once_is_an_exclusion_violation(session: Session) -> None:
    room = resources.create_resource(
        session=session, actor=Actor(0, True), data=ResourceInput("Room A"), now=NOW
    )
    for minutes in (0, 30):
        meeting = Meeting(start_at=MONDAY_10, end_at=MONDAY_10 + timedelta(hours=1))
        session.add(meeting)
        session.flush()
        assert meeting.id is not None
        session.add(
            MeetingResource(
                meeting_id=meeting.id,
                resource_id=room.id,
                start_at=MONDAY_10 + timedelta(minutes=minutes),
                end_at=MONDAY_10 + timedelta(minutes=minutes + 60),
            )
        )
        if minutes == 0:
            session.flush()
    with pytest.raises(IntegrityError) as caught:
        session.flush()
    assert isinstance(caught.value.orig, psycopg.errors.ExclusionViolation)


# --- races that only the database can settle ---------------------------------------------


@pytest.mark.parametrize("attempt", range(3))
def test_one_slot_booked_through_two_links_at_once_gives_one_meeting_and_slot_taken(
    engine: Engine, session: Session, monkeypatch: pytest.MonkeyPatch, attempt: int
) -> None:
    """Two links lock two different rows: only the exclusion constraint stands between them."""
    owner = make_user(session)
    assert owner.id is not None
    first = open_slots(session, owner, NOW)
    _, second = links.create_link(
        session=session, owner_id=owner.id, kind=LinkKind.ONE_TIME, secret=SECRET, now=NOW
    )
    session.commit()
    _hold_after(monkeypatch, booking, "_check_bookable")  # both saw the slot free
    results = _at_once(
        lambda: book(engine=engine, request=_request(first, MONDAY_10, "a@x.org"), now=NOW),
        lambda: book(engine=engine, request=_request(second, MONDAY_10, "b@x.org"), now=NOW),
    )
    won = [r for r in results if isinstance(r, booking.Booked)]
    refused = [r for r in results if isinstance(r, SlotTaken)]
    assert len(won) == 1 and len(refused) == 1, results
    assert refused[0].message == booking.SLOT_TAKEN
    assert _is_exclusion(refused[0]), "the database's exclusion constraint refused it"
    assert len(session.exec(select(Meeting)).all()) == 1  # nothing half-written
    assert len(session.exec(select(MeetingParticipant)).all()) == 1


@pytest.mark.parametrize("attempt", range(3))
def test_one_time_link_booked_twice_at_once_books_once(
    engine: Engine, session: Session, monkeypatch: pytest.MonkeyPatch, attempt: int
) -> None:
    """Different slots, one link: the row lock queues the second, which then finds it used."""
    owner = make_user(session)
    assert owner.id is not None
    _, token = links.create_link(
        session=session, owner_id=owner.id, kind=LinkKind.ONE_TIME, secret=SECRET, now=NOW
    )
    session.commit()
    barrier = threading.Barrier(2, timeout=20)
    real = links.resolve_link  # what booking imported

    def both_then_lock(**kw: Any) -> Any:
        barrier.wait()  # both transactions are open; now both ask for the row lock
        return real(**kw)

    monkeypatch.setattr(booking, "resolve_link", both_then_lock)
    later = MONDAY_10 + timedelta(hours=3)
    results = _at_once(
        lambda: book(engine=engine, request=_request(token, MONDAY_10, "a@x.org"), now=NOW),
        lambda: book(engine=engine, request=_request(token, later, "b@x.org"), now=NOW),
    )
    refused = [r for r in results if isinstance(r, links.LinkError)]
    assert sum(isinstance(r, booking.Booked) for r in results) == 1, results
    assert len(refused) == 1 and refused[0].code == "used", results
    assert len(session.exec(select(Meeting)).all()) == 1


def test_two_reschedules_onto_one_time_at_once_give_one_move_and_busy(
    engine: Engine, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = make_user(session)
    admin = make_user(session, "Ada Admin", role="admin")
    token = open_slots(session, owner, NOW)
    ids = [
        book(engine=engine, request=_request(token, start, f"g{i}@x.org"), now=NOW).meeting_id
        for i, start in enumerate((MONDAY_10, MONDAY_10 + timedelta(hours=3)))
    ]
    assert admin.id is not None
    actor = Actor(admin.id, True)
    target = MONDAY_10 + timedelta(hours=5)
    _hold_after(monkeypatch, meetings, "_busy_names")  # both saw the target free

    def move(meeting_id: int) -> Callable[[], object]:
        return lambda: meetings.reschedule_meeting(
            engine=engine, meeting_id=meeting_id, actor=actor, new_start=target, now=NOW
        )

    results = _at_once(move(ids[0]), move(ids[1]))
    busy = [r for r in results if isinstance(r, meetings.Busy)]
    assert sum(isinstance(r, meetings.Changed) for r in results) == 1, results
    assert len(busy) == 1 and _is_exclusion(busy[0]), results
    starts = sorted(m.start_at for m in session.exec(select(Meeting)).all())
    assert target in starts and len(set(starts)) == 2


def test_two_invitations_taking_the_last_room_at_once_book_once(
    engine: Engine, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Different hosts, one free room: the room's exclusion constraint decides."""
    hosts = [make_user(session, "Olga Owner"), make_user(session, "Carl Colleague")]
    admin = Actor(0, True)
    room = resources.create_resource(
        session=session,
        actor=admin,
        data=ResourceInput("Room A", time_zone="Europe/Berlin"),
        now=NOW,
    )
    pool = resources.create_pool(
        session=session, actor=admin, name="Floor 2", resource_ids=[room.id], now=NOW
    )
    tokens = []
    for i, host in enumerate(hosts):
        assert host.id is not None
        draft = InvitationDraft(
            participant_name="Pia Participant",
            participant_email=f"p{i}@example.org",
            subject="Contract review",
            duration_minutes=60,
            member_ids=(host.id,),
            date_from="2026-11-23",
            date_to="2026-11-23",
            daily_from="10:00",
            daily_to="12:00",
            time_zone="Europe/Berlin",
            pool_ids=(pool.id,),
        )
        made = inv.create_invitation(
            session=session,
            inviter_id=host.id,
            draft=draft,
            secret=SECRET,
            now=NOW,
            base_url="https://slot.example",
        )
        tokens.append(made.url.rsplit("/", 1)[1])
    session.commit()
    _hold_after(monkeypatch, invitation_booking, "choose_resource")  # both chose Room A

    def take(token: str) -> Callable[[], object]:
        return lambda: invitation_booking.book_invitation(
            engine=engine, token=token, start=MONDAY_10, now=NOW
        )

    results = _at_once(take(tokens[0]), take(tokens[1]))
    refused = [r for r in results if isinstance(r, invitation_booking.SlotUnavailable)]
    assert sum(isinstance(r, invitation_view.InvitationBooked) for r in results) == 1, results
    assert len(refused) == 1 and _is_exclusion(refused[0]), results
    assert MONDAY_10 not in refused[0].other_slots
    assert len(session.exec(select(MeetingResource)).all()) == 1


def test_a_real_deadlock_is_recognised_as_retryable(engine: Engine, session: Session) -> None:
    """Two transactions locking two users in opposite order: PostgreSQL kills one with
    "deadlock detected", which booking runs again (`db.is_retryable`, `db.lost_race`)."""
    from sqlalchemy.exc import OperationalError

    from slotapp.db import is_retryable, lost_race

    a, b = make_user(session, name="Ann A"), make_user(session, name="Bob B")
    session.commit()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def lock(first: int, second: int) -> None:
        try:
            with engine.begin() as conn:
                conn.execute(text("UPDATE public.user SET name = name WHERE id = :i"), {"i": first})
                barrier.wait()
                conn.execute(
                    text("UPDATE public.user SET name = name WHERE id = :i"), {"i": second}
                )
        except OperationalError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=lock, args=p) for p in ((a.id, b.id), (b.id, a.id))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(errors) == 1 and "deadlock detected" in str(errors[0])
    assert is_retryable(errors[0]) and lost_race(errors[0])
    assert not is_retryable(OperationalError("SELECT 1", {}, Exception("disk I/O error")))
