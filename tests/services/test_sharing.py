"""Sharing: colleagues, shared and one-time links, the links list, revoking, limits, .ics."""

from __future__ import annotations

import base64
import threading
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from slotapp.core.sharing import LinksSort, LinkState
from slotapp.core.slot_settings import SlotSettings
from slotapp.core.validation import InvalidInput
from slotapp.models import EmailOutbox, Meeting, MeetingParticipant, ShareLink, User
from slotapp.services import guest_view, link_list, links, sharing, slot_settings
from slotapp.services.booking import BookingRequest, book
from slotapp.services.notifications import meeting_ics
from slotapp.services.schedules import link_slots
from tests.conftest import NOW
from tests.services.helpers import SECRET, LinkKind, make_user, open_slots

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = date(2026, 11, 23)  # NOW is Saturday 2026-11-21 12:00 UTC


def at(hour: int, minute: int = 0, day: date = MONDAY) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def _id(user: User) -> int:
    assert user.id is not None
    return user.id


@pytest.fixture
def owner(session: Session) -> User:
    return make_user(session, "Olga Owner")


def _shared(session: Session, owner: User, *colleagues: User, **kw: object) -> str:
    _, token = sharing.make_link(
        session=session,
        owner_id=_id(owner),
        kind=LinkKind.SHARED,
        secret=SECRET,
        now=NOW,
        colleague_ids=[_id(c) for c in colleagues],
        **kw,  # type: ignore[arg-type]
    )
    session.commit()
    return token


def _one_time(session: Session, owner: User) -> str:
    _, token = sharing.make_link(
        session=session, owner_id=_id(owner), kind=LinkKind.ONE_TIME, secret=SECRET, now=NOW
    )
    session.commit()
    return token


def _request(token: str, start: datetime, email: str = "gina@example.org") -> BookingRequest:
    return BookingRequest(
        token=token,
        start=start,
        guest_name="Gina Guest",
        guest_email=email,
        guest_time_zone="Europe/Berlin",
    )


def _busy(session: Session, user: User, start: datetime, end: datetime) -> None:
    meeting = Meeting(start_at=start, end_at=end, title="Busy")
    session.add(meeting)
    session.flush()
    assert meeting.id is not None
    session.add(
        MeetingParticipant(meeting_id=meeting.id, user_id=_id(user), start_at=start, end_at=end)
    )
    session.commit()


# --- finding colleagues -------------------------------------------------------------------


def test_search_finds_active_colleagues_by_part_of_the_name_in_any_case(
    session: Session, owner: User
) -> None:
    make_user(session, "Carl Colleague")
    make_user(session, "Cora Carlsen")
    gone = make_user(session, "Carla Gone")
    gone.is_active = False
    session.add(gone)
    session.commit()
    names = [
        c.name
        for c in sharing.search_colleagues(session=session, owner_id=_id(owner), query="CARL")
    ]
    assert names == ["Carl Colleague", "Cora Carlsen"]
    assert sharing.search_colleagues(session=session, owner_id=_id(owner), query="olga") == []
    assert sharing.search_colleagues(session=session, owner_id=_id(owner), query="  ") == []
    assert sharing.search_colleagues(session=session, owner_id=_id(owner), query="%") == []


def test_a_department_adds_its_active_members_but_never_the_owner(
    session: Session, owner: User
) -> None:
    for name, department in (("Sam Sales", "Sales"), ("Sue Seller", "Sales"), ("Tim Tech", "IT")):
        make_user(session, name).department = department
    owner.department = "Sales"
    inactive = make_user(session, "Sid Sleeping")
    inactive.department, inactive.is_active = "Marketing", False
    session.commit()
    assert sharing.departments(session=session, owner_id=_id(owner)) == ["IT", "Sales"]
    sales = sharing.department_colleagues(session=session, owner_id=_id(owner), department="Sales")
    assert [c.name for c in sales] == ["Sam Sales", "Sue Seller"]


def test_a_shared_link_needs_a_colleague_and_refuses_inactive_ones(
    session: Session, owner: User
) -> None:
    with pytest.raises(InvalidInput, match="at least one colleague"):
        _shared(session, owner)
    with pytest.raises(InvalidInput, match="at least one colleague"):
        _shared(session, owner, owner)  # the owner alone is no shared link
    gone = make_user(session, "Gary Gone")
    gone.is_active = False
    session.commit()
    with pytest.raises(InvalidInput, match="no active account"):
        _shared(session, owner, gone)
    assert session.exec(select(ShareLink)).all() == []


# --- common time only ---------------------------------------------------------------------


def test_shared_link_offers_only_times_when_owner_and_every_colleague_are_free(
    session: Session, owner: User
) -> None:
    new_york = make_user(session, "Nina York", tz="America/New_York")  # 9-17 NY = 15-23 Berlin
    berlin = make_user(session, "Bert Lin")
    _busy(session, berlin, at(15, 30), at(16))
    token = _shared(session, owner, new_york, berlin)
    link = links.resolve_link(session=session, token=token, now=NOW)
    slots = link_slots(
        session=session, link=link, start=at(0), end=at(0) + timedelta(days=1), now=NOW
    )
    assert slots == [at(15), at(16), at(16, 30)]
    warning = sharing.link_warning(session=session, link=link, now=NOW)
    assert warning == ""


def test_a_colleague_with_no_overlapping_hours_gives_the_warning_to_owner_and_guest(
    session: Session, owner: User
) -> None:
    tokyo = make_user(session, "Taro Tokyo", tz="Asia/Tokyo")  # 9-17 Tokyo = 01-09 Berlin
    assert (
        sharing.common_times_warning(
            session=session, owner_id=_id(owner), colleague_ids=[_id(tokyo)], now=NOW
        )
        == "No times available in the coming 60 days."
    )
    token = _shared(session, owner, tokyo)
    (row,) = link_list.list_links(session=session, owner_id=_id(owner), secret=SECRET, now=NOW)
    assert row.warning == "No times available in the coming 60 days."
    view = guest_view.guest_view(session=session, token=token, guest_time_zone="UTC", now=NOW)
    assert len(view.days) == 61 and all(not d.starts for d in view.days)


def test_the_warning_follows_the_owners_booking_window(session: Session, owner: User) -> None:
    slot_settings.save_settings(
        session=session,
        user_id=_id(owner),
        now=NOW,
        settings=SlotSettings(weekly={}, booking_window_days=14),  # no hours at all
    )
    session.commit()
    assert sharing.common_times_warning(
        session=session, owner_id=_id(owner), colleague_ids=[], now=NOW
    ) == ("No times available in the coming 14 days.")


# --- the links list -----------------------------------------------------------------------


def _made(
    session: Session, owner: User, created: timedelta, uses: int, used: timedelta | None
) -> int:
    link, _ = sharing.make_link(
        session=session, owner_id=_id(owner), kind=LinkKind.ONE_TIME, secret=SECRET, now=NOW
    )
    link.created_at, link.use_count, link.max_uses = NOW - created, uses, None
    link.last_used_at = NOW - used if used else None
    session.add(link)
    session.commit()
    assert link.id is not None
    return link.id


def test_links_sort_by_use_then_last_use_or_by_creation_and_the_choice_is_kept(
    engine: Engine, session: Session, owner: User
) -> None:
    a = _made(session, owner, timedelta(days=3), 5, timedelta(hours=1))
    b = _made(session, owner, timedelta(days=2), 5, timedelta(hours=2))
    c = _made(session, owner, timedelta(days=1), 0, None)
    d = _made(session, owner, timedelta(days=4), 1, timedelta(days=5))

    def order(sort: LinksSort | None = None) -> list[int]:
        with Session(engine) as fresh:  # a new session: nothing cached
            rows = link_list.list_links(
                session=fresh, owner_id=_id(owner), secret=SECRET, now=NOW, sort=sort
            )
        return [r.id for r in rows]

    assert order() == [a, b, d, c]  # "uses" is the default
    assert order(LinksSort.CREATED) == [c, b, a, d]
    assert link_list.set_links_sort(session=session, user_id=_id(owner), sort="created") is (
        LinksSort.CREATED
    )
    session.commit()
    assert order() == [c, b, a, d]
    assert link_list.set_links_sort(session=session, user_id=_id(owner), sort="bogus") is (
        LinksSort.USES
    )
    session.commit()
    assert order() == [a, b, d, c]


def test_the_list_shows_members_kind_counts_and_state_of_every_link(
    engine: Engine, session: Session, owner: User
) -> None:
    zoe, adam = make_user(session, "Zoe Zed"), make_user(session, "Adam Alpha")
    _shared(session, owner, zoe, adam)
    open_slots(session, owner, NOW)
    used = _one_time(session, owner)
    book(engine=engine, request=_request(used, at(10)), now=NOW)
    expired = _shared(session, owner, zoe, expires_on=date(2026, 11, 21))
    session.expire_all()
    later = NOW + timedelta(days=1)
    rows = {
        (r.kind, r.state): r
        for r in link_list.list_links(
            session=session, owner_id=_id(owner), secret=SECRET, now=later
        )
    }
    assert set(rows) == {
        (LinkKind.SHARED, LinkState.ACTIVE),
        (LinkKind.OPEN, LinkState.ACTIVE),
        (LinkKind.ONE_TIME, LinkState.USED),
        (LinkKind.SHARED, LinkState.EXPIRED),
    }
    shared = rows[(LinkKind.SHARED, LinkState.ACTIVE)]
    assert shared.members == ("Adam Alpha", "Zoe Zed") and shared.created_at == NOW
    assert shared.token and shared.use_count == 0 and shared.last_used_at is None
    one_time = rows[(LinkKind.ONE_TIME, LinkState.USED)]
    assert one_time.use_count == 1 and one_time.last_used_at == NOW and one_time.token == ""
    assert rows[(LinkKind.SHARED, LinkState.EXPIRED)].token == ""
    assert expired not in {r.token for r in rows.values()}


# --- revoking -----------------------------------------------------------------------------


def test_revoking_one_link_refuses_a_guest_already_on_its_page_and_stores_nothing(
    engine: Engine, session: Session, owner: User
) -> None:
    colleague = make_user(session, "Carl Colleague")
    token = _shared(session, owner, colleague)
    other = _one_time(session, owner)
    # The guest's page loaded while the link was live.
    view = guest_view.guest_view(session=session, token=token, guest_time_zone="UTC", now=NOW)
    start = next(d.starts[0] for d in view.days if d.starts)
    link_id = links.resolve_link(session=session, token=token, now=NOW).id
    assert link_id is not None
    stranger = make_user(session, "Sid Stranger")
    assert not sharing.revoke_link(
        session=session, owner_id=_id(stranger), link_id=link_id, now=NOW
    )
    assert sharing.revoke_link(session=session, owner_id=_id(owner), link_id=link_id, now=NOW)
    session.commit()
    assert not sharing.revoke_link(session=session, owner_id=_id(owner), link_id=link_id, now=NOW)
    session.commit()

    with pytest.raises(links.LinkError) as err:
        book(engine=engine, request=_request(token, start), now=NOW)
    assert err.value.code == "inactive" and "no longer active" in err.value.message
    session.expire_all()
    assert session.exec(select(Meeting)).all() == []
    assert session.exec(select(MeetingParticipant)).all() == []
    assert session.exec(select(EmailOutbox)).all() == []
    assert session.get(ShareLink, link_id).use_count == 0  # type: ignore[union-attr]
    links.resolve_link(session=session, token=other, now=NOW)  # the owner's other link lives on


# --- one-time links -----------------------------------------------------------------------


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
        t.join(60)
    return results


def test_one_time_link_raced_by_eight_guests_books_once_and_tells_the_rest_it_was_used(
    engine: Engine, session: Session, owner: User
) -> None:
    token = _one_time(session, owner)
    starts = [at(9) + timedelta(minutes=30 * i) for i in range(8)]  # eight different times
    results = _race(engine, [_request(token, s, f"g{i}@example.org") for i, s in enumerate(starts)])
    errors = [r for r in results if isinstance(r, links.LinkError)]
    assert len(errors) == 7, results
    for error in errors:
        assert error.code == "used"
        assert error.message.startswith(
            "This link has already been used, please contact Olga Owner"
        )
    assert len(session.exec(select(Meeting)).all()) == 1
    # The guest page says the same on load.
    with pytest.raises(links.LinkError, match="already been used, please contact Olga Owner"):
        guest_view.guest_view(session=session, token=token, guest_time_zone="UTC", now=NOW)


def test_the_owner_can_make_as_many_one_time_links_as_they_like(
    session: Session, owner: User
) -> None:
    tokens = {_one_time(session, owner) for _ in range(5)}
    assert len(tokens) == 5
    rows = link_list.list_links(session=session, owner_id=_id(owner), secret=SECRET, now=NOW)
    assert {(r.kind, r.state, r.max_uses) for r in rows} == {
        (LinkKind.ONE_TIME, LinkState.ACTIVE, 1)
    }


# --- expiry and maximum uses --------------------------------------------------------------


def test_a_link_works_through_its_expiry_day_on_the_owners_clock(
    session: Session, owner: User
) -> None:
    colleague = make_user(session, "Carl Colleague")
    token = _shared(session, owner, colleague, expires_on=date(2026, 12, 24))
    midnight = datetime(2026, 12, 25, tzinfo=BERLIN)
    links.resolve_link(session=session, token=token, now=midnight - timedelta(seconds=1))
    with pytest.raises(links.LinkError) as err:
        links.resolve_link(session=session, token=token, now=midnight)
    assert err.value.code == "expired"
    with pytest.raises(InvalidInput, match="in the past"):
        _shared(session, owner, colleague, expires_on=date(2026, 11, 20))
    _shared(session, owner, colleague, expires_on=date(2026, 11, 21))  # today is fine


def test_a_link_with_max_uses_takes_that_many_bookings_then_says_used(
    engine: Engine, session: Session, owner: User
) -> None:
    colleague = make_user(session, "Carl Colleague")
    token = _shared(session, owner, colleague, max_uses=2)
    book(engine=engine, request=_request(token, at(10)), now=NOW)
    book(engine=engine, request=_request(token, at(11)), now=NOW)
    with pytest.raises(links.LinkError) as err:
        book(engine=engine, request=_request(token, at(12)), now=NOW)
    assert err.value.code == "used"
    assert len(session.exec(select(Meeting)).all()) == 2
    for bad in (0, 10_001):
        with pytest.raises(InvalidInput, match="between 1 and"):
            _shared(session, owner, colleague, max_uses=bad)


def test_one_time_links_always_take_exactly_one_booking(session: Session, owner: User) -> None:
    link, _ = sharing.make_link(
        session=session,
        owner_id=_id(owner),
        kind=LinkKind.ONE_TIME,
        secret=SECRET,
        now=NOW,
        max_uses=5,
    )
    assert link.max_uses == 1


# --- the booked meeting -------------------------------------------------------------------


def _attendees(ics: bytes) -> tuple[str, list[str]]:
    (event,) = Calendar.from_ical(ics).walk("VEVENT")
    attendees = event.get("ATTENDEE")
    attendees = attendees if isinstance(attendees, list) else [attendees]
    return str(event["ORGANIZER"]), sorted(str(a) for a in attendees)


def test_a_shared_booking_lists_every_host_in_every_calendar_and_the_ics(
    engine: Engine, session: Session, owner: User
) -> None:
    carl, nina = make_user(session, "Carl Colleague"), make_user(session, "Nina Nord")
    token = _shared(session, owner, carl, nina)
    booked = book(engine=engine, request=_request(token, at(10)), now=NOW)
    participants = session.exec(
        select(MeetingParticipant).where(MeetingParticipant.meeting_id == booked.meeting_id)
    ).all()
    assert {p.user_id for p in participants} == {_id(owner), _id(carl), _id(nina)}
    assert all(p.is_host and p.blocks for p in participants)

    expected = ["mailto:carl@example.com", "mailto:gina@example.org", "mailto:nina@example.com"]
    to_guest = session.exec(
        select(EmailOutbox).where(EmailOutbox.to_addr == "gina@example.org")
    ).one()
    ics = base64.b64decode(to_guest.attachments[0]["data_b64"])
    assert _attendees(ics) == ("mailto:olga@example.com", expected)
    download, _ = meeting_ics(session=session, meeting_id=booked.meeting_id, now=NOW)
    assert _attendees(download) == ("mailto:olga@example.com", expected)
    # The colleague's slot is taken too: the same time is gone from their own open slots.
    carl_token = open_slots(session, carl, NOW)
    carl_link = links.resolve_link(session=session, token=carl_token, now=NOW)
    carl_slots = link_slots(session=session, link=carl_link, start=at(9), end=at(12), now=NOW)
    assert at(10) not in carl_slots and at(10, 30) in carl_slots


def test_card_facts_give_the_owners_name_and_length_of_live_links_only(
    session: Session, owner: User
) -> None:
    token = _one_time(session, owner)
    facts = sharing.card_facts(session=session, token=token, now=NOW)
    assert facts == sharing.CardFacts("Olga Owner", 30)
    link_id = links.resolve_link(session=session, token=token, now=NOW).id
    assert link_id is not None
    sharing.revoke_link(session=session, owner_id=_id(owner), link_id=link_id, now=NOW)
    session.commit()
    with pytest.raises(links.LinkError):
        sharing.card_facts(session=session, token=token, now=NOW)
