"""Booking through a link: rules, refusals, idempotency and races (SQLite, two threads)."""

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from slotapp.core.validation import InvalidInput
from slotapp.models import EmailOutbox, Meeting, MeetingParticipant, ShareLink
from slotapp.services import links
from slotapp.services.booking import BookingRequest, SlotTaken, book
from slotapp.services.schedules import link_slots
from tests.conftest import NOW
from tests.services.helpers import SECRET, LinkKind, make_user, open_slots

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN)  # NOW is Saturday 2026-11-21


def _request(token: str, start: datetime = MONDAY_10, **kw: object) -> BookingRequest:
    base = {
        "token": token,
        "start": start,
        "guest_name": "Gina Guest",
        "guest_email": "gina@example.org",
        "guest_time_zone": "America/New_York",
    }
    return BookingRequest(**{**base, **kw})  # type: ignore[arg-type]


@pytest.fixture
def token(session: Session) -> str:
    return open_slots(session, make_user(session), NOW)


@pytest.fixture
def one_time(session: Session) -> str:
    owner = make_user(session)
    assert owner.id is not None
    _, made = links.create_link(
        session=session, owner_id=owner.id, kind=LinkKind.ONE_TIME, secret=SECRET, now=NOW
    )
    session.commit()
    return made


def test_booking_creates_meeting_blocks_slot_and_queues_emails(
    engine: Engine, session: Session, token: str
) -> None:
    booked = book(engine=engine, request=_request(token, note="About the offer"), now=NOW)
    assert booked.start == MONDAY_10 and booked.end == MONDAY_10 + timedelta(minutes=30)
    assert booked.start.tzinfo is not None and not booked.repeated
    meeting = session.get(Meeting, booked.meeting_id)
    assert (
        meeting is not None and meeting.status == "confirmed" and meeting.note == "About the offer"
    )
    assert session.exec(select(MeetingParticipant)).one().blocks
    link = session.exec(select(ShareLink)).one()
    assert link.use_count == 1 and link.last_used_at == NOW
    assert {m.to_addr for m in session.exec(select(EmailOutbox)).all()} == {
        "gina@example.org",
        "olga@example.com",
    }
    day = (datetime(2026, 11, 23, tzinfo=BERLIN), datetime(2026, 11, 24, tzinfo=BERLIN))
    slots = link_slots(session=session, link=link, start=day[0], end=day[1], now=NOW)
    assert MONDAY_10 not in slots and MONDAY_10 + timedelta(minutes=30) in slots


def test_same_slot_twice_is_refused_and_nothing_stored(
    engine: Engine, session: Session, token: str
) -> None:
    book(engine=engine, request=_request(token), now=NOW)
    with pytest.raises(SlotTaken, match="just taken"):
        book(engine=engine, request=_request(token, guest_email="other@example.org"), now=NOW)
    assert len(session.exec(select(Meeting)).all()) == 1


def test_double_click_with_one_key_books_once(engine: Engine, session: Session, token: str) -> None:
    first = book(engine=engine, request=_request(token, booking_key="k-1"), now=NOW)
    again = book(engine=engine, request=_request(token, booking_key="k-1"), now=NOW)
    assert again.meeting_id == first.meeting_id and again.repeated
    assert len(session.exec(select(Meeting)).all()) == 1


@pytest.mark.parametrize(
    ("start", "why"),
    [
        (MONDAY_10 + timedelta(minutes=7), "not one of the offered"),
        (datetime(2026, 11, 22, 10, tzinfo=BERLIN), "just taken"),  # Sunday: not working
        (datetime(2026, 11, 21, 13, 30, tzinfo=UTC), "just taken"),  # inside minimum notice
        (datetime(2027, 3, 1, 10, tzinfo=BERLIN), "just taken"),  # past the 60-day window
    ],
    ids=["unaligned", "off-hours", "too-soon", "too-far"],
)
def test_times_that_are_not_offered_are_refused(
    engine: Engine, session: Session, token: str, start: datetime, why: str
) -> None:
    with pytest.raises(SlotTaken, match=why):
        book(engine=engine, request=_request(token, start=start), now=NOW)
    assert session.exec(select(Meeting)).all() == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("guest_email", "not-an-email"), ("guest_time_zone", "Moon/Base"), ("guest_name", " ")],
)
def test_bad_guest_details_are_refused(
    engine: Engine, session: Session, token: str, field: str, value: str
) -> None:
    with pytest.raises(InvalidInput):
        book(engine=engine, request=_request(token, **{field: value}), now=NOW)
    assert session.exec(select(Meeting)).all() == []


def test_revoked_link_books_nothing(engine: Engine, session: Session, token: str) -> None:
    link = session.exec(select(ShareLink)).one()
    links.revoke_all(session=session, owner_id=link.owner_id, now=NOW)
    session.commit()
    with pytest.raises(links.LinkError, match="no longer active"):
        book(engine=engine, request=_request(token), now=NOW)
    assert session.exec(select(Meeting)).all() == []


def test_test_meetings_are_marked_and_email_nobody(
    engine: Engine, session: Session, token: str
) -> None:
    booked = book(engine=engine, request=_request(token, is_test=True), now=NOW)
    assert booked.is_test
    assert session.exec(select(EmailOutbox)).all() == []


def test_one_time_link_dies_after_first_booking(engine: Engine, one_time: str) -> None:
    token = one_time
    book(engine=engine, request=_request(token), now=NOW)
    with pytest.raises(links.LinkError, match="already been used, please contact Olga Owner"):
        book(engine=engine, request=_request(token, start=MONDAY_10 + timedelta(hours=2)), now=NOW)


def _race(engine: Engine, requests: list[BookingRequest]) -> list[object]:
    barrier = threading.Barrier(len(requests))
    results: list[object] = [None] * len(requests)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = book(engine=engine, request=requests[i], now=NOW)
        except Exception as exc:  # noqa: BLE001 - the outcome is what we assert
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(requests))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


@pytest.mark.parametrize("attempt", range(5))
def test_two_guests_at_once_get_one_meeting_and_one_clear_refusal(
    engine: Engine, session: Session, token: str, attempt: int
) -> None:
    results = _race(engine, [_request(token, guest_email=f"g{i}@example.org") for i in range(2)])
    refused = [r for r in results if isinstance(r, SlotTaken)]
    assert len(refused) == 1, results
    assert len(session.exec(select(Meeting)).all()) == 1


def test_one_time_link_raced_by_two_guests_books_once(
    engine: Engine, session: Session, one_time: str
) -> None:
    token = one_time
    starts = [MONDAY_10, MONDAY_10 + timedelta(hours=3)]  # different slots, one link use
    results = _race(engine, [_request(token, start=s) for s in starts])
    assert sum(isinstance(r, links.LinkError) for r in results) == 1, results
    assert len(session.exec(select(Meeting)).all()) == 1


def test_database_refuses_overlapping_blocking_rows_on_its_own(
    session: Session, token: str
) -> None:
    """The last line of defence holds even for code that skips the booking service."""
    from sqlalchemy.exc import DatabaseError

    owner_id = session.exec(select(ShareLink)).one().owner_id
    for i, minutes in enumerate((0, 15)):
        m = Meeting(
            start_at=MONDAY_10 + timedelta(minutes=minutes),
            end_at=MONDAY_10 + timedelta(minutes=minutes + 30),
        )
        session.add(m)
        session.flush()
        assert m.id is not None
        session.add(
            MeetingParticipant(
                meeting_id=m.id, user_id=owner_id, start_at=m.start_at, end_at=m.end_at
            )
        )
        if i == 0:
            session.flush()
    with pytest.raises(DatabaseError, match="overlap"):
        session.flush()


def test_an_invitation_token_cannot_book_on_the_booking_page(
    engine: Engine, session: Session
) -> None:
    owner = make_user(session)
    assert owner.id is not None
    _, invitation = links.create_link(
        session=session, owner_id=owner.id, kind=LinkKind.INVITATION, secret=SECRET, now=NOW
    )
    session.commit()
    with pytest.raises(links.LinkError) as caught:
        book(engine=engine, request=_request(invitation), now=NOW)
    assert caught.value.code == "inactive"
    assert session.exec(select(Meeting)).all() == []
