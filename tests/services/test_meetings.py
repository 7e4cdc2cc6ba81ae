"""A booked meeting changed by its people: edit, attendees, video room, decline, reschedule."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import vobject
from icalendar import Calendar
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from slotapp.core.meetings import Actor, NotAllowed
from slotapp.core.validation import InvalidInput
from slotapp.models import EmailOutbox, Meeting, MeetingParticipant, ShareLink, User
from slotapp.services.booking import Booked, BookingRequest, book
from slotapp.services.mailer import build_message
from slotapp.services.meeting_detail import MeetingNotFound, meeting_detail
from slotapp.services.meetings import (
    Busy,
    decline_meeting,
    reschedule_meeting,
    update_meeting,
)
from slotapp.services.schedules import link_slots
from slotapp.services.sharing import find_colleagues
from tests.conftest import NOW
from tests.services.helpers import make_user, open_slots

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN)


class People:
    def __init__(self, session: Session) -> None:
        self.owner = make_user(session, "Olga Owner")
        self.colleague = make_user(session, "Carl Colleague", tz="America/New_York")
        self.other = make_user(session, "Sam Stranger")
        self.admin = make_user(session, "Ada Admin", role="admin")
        self.token = open_slots(session, self.owner, NOW)

    def actor(self, user: User) -> Actor:
        assert user.id is not None
        return Actor(user.id, user.role == "admin")


@pytest.fixture
def people(session: Session) -> People:
    return People(session)


def _book(
    engine: Engine,
    people: People,
    start: datetime,
    name: str = "Hugo Second",
    email: str = "hugo@example.org",
    tz: str = "Europe/Berlin",
    **kw: bool,
) -> Booked:
    request = BookingRequest(
        token=people.token,
        start=start,
        guest_name=name,
        guest_email=email,
        guest_time_zone=tz,
        **kw,
    )
    return book(engine=engine, request=request, now=NOW)


@pytest.fixture
def meeting_id(engine: Engine, people: People) -> int:
    return _book(
        engine, people, MONDAY_10, "Gina Guest", "gina@example.org", "America/New_York"
    ).meeting_id


def _mails(session: Session, subject_start: str) -> list[EmailOutbox]:
    session.rollback()  # end the read snapshot: see the other sessions
    return [
        m
        for m in session.exec(select(EmailOutbox).order_by(col(EmailOutbox.id))).all()
        if m.subject.startswith(subject_start)
    ]


def _ics_of(mail: EmailOutbox) -> Calendar:
    message = build_message(mail, "slotapp@example.com")
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    data = part.get_payload(decode=True)
    vobject.readOne(data.decode(), validate=True)  # an independent reader accepts it
    return Calendar.from_ical(data)


def test_detail_shows_the_meeting_to_its_people_only(
    session: Session, people: People, meeting_id: int
) -> None:
    detail = meeting_detail(
        session=session, meeting_id=meeting_id, actor=people.actor(people.owner), now=NOW
    )
    assert detail.title == "Gina Guest and Olga Owner"
    assert detail.organizer_name == "Olga Owner" and detail.may_edit
    assert not detail.may_reschedule
    assert [a.name for a in detail.attendees] == ["Olga Owner"]
    as_admin = meeting_detail(
        session=session, meeting_id=meeting_id, actor=people.actor(people.admin), now=NOW
    )
    assert as_admin.may_edit and as_admin.may_reschedule
    with pytest.raises(MeetingNotFound):
        meeting_detail(
            session=session, meeting_id=meeting_id, actor=people.actor(people.other), now=NOW
        )
    with pytest.raises(MeetingNotFound):
        meeting_detail(session=session, meeting_id=9999, actor=people.actor(people.admin), now=NOW)


def test_rename_locate_video_and_add_a_colleague(
    engine: Engine, session: Session, people: People, meeting_id: int
) -> None:
    assert people.colleague.id is not None
    changed = update_meeting(
        engine=engine,
        meeting_id=meeting_id,
        actor=people.actor(people.owner),
        title="Offer review",
        location="Room 2, Main St 1",
        video=True,
        attendee_ids=[people.colleague.id],
        now=NOW,
    )
    detail = changed.detail
    assert (detail.title, detail.location, detail.sequence) == (
        "Offer review",
        "Room 2, Main St 1",
        1,
    )
    assert detail.video_url.startswith("https://meet.jit.si/slotapp-")
    assert len(detail.video_url) > len("https://meet.jit.si/slotapp-") + 12
    assert [(a.name, a.is_host) for a in detail.attendees] == [
        ("Olga Owner", True),
        ("Carl Colleague", False),
    ]
    assert set(changed.user_ids) == {people.owner.id, people.colleague.id}
    # The colleague's time is now taken.
    part = session.exec(
        select(MeetingParticipant).where(MeetingParticipant.user_id == people.colleague.id)
    ).one()
    assert part.blocks and part.start_at == MONDAY_10
    # The guest is told of the change, the colleague is invited; both with the new .ics.
    updates = _mails(session, "Updated: Offer review")
    assert sorted(m.to_addr for m in updates) == ["carl@example.com", "gina@example.org"]
    event = _ics_of(updates[0]).walk("VEVENT")[0]
    assert int(event["SEQUENCE"]) == 1 and str(event["LOCATION"]) == "Room 2, Main St 1"
    assert str(event["UID"]) == f"meeting-{meeting_id}@slotapp"
    # The same video room is kept when saved again; switching it off removes it.
    again = update_meeting(
        engine=engine,
        meeting_id=meeting_id,
        actor=people.actor(people.owner),
        title="Offer review",
        location="Room 2, Main St 1",
        video=True,
        attendee_ids=[people.colleague.id],
        now=NOW,
    )
    assert again.detail.video_url == detail.video_url and again.detail.sequence == 1
    off = update_meeting(
        engine=engine,
        meeting_id=meeting_id,
        actor=people.actor(people.owner),
        title="Offer review",
        location="",
        video=False,
        attendee_ids=[],
        now=NOW,
    )
    assert off.detail.video_url == "" and [a.name for a in off.detail.attendees] == ["Olga Owner"]
    assert off.detail.sequence == 2


def test_host_cannot_change_date_attendee_cannot_edit(
    engine: Engine, people: People, meeting_id: int
) -> None:
    with pytest.raises(NotAllowed, match="Only an admin"):
        reschedule_meeting(
            engine=engine,
            meeting_id=meeting_id,
            actor=people.actor(people.owner),
            new_start=MONDAY_10 + timedelta(hours=2),
            now=NOW,
        )
    with pytest.raises(MeetingNotFound):
        decline_meeting(
            engine=engine, meeting_id=meeting_id, actor=people.actor(people.other), now=NOW
        )


def test_bad_edits_change_nothing(
    engine: Engine, session: Session, people: People, meeting_id: int
) -> None:
    with pytest.raises(InvalidInput) as caught:
        update_meeting(
            engine=engine,
            meeting_id=meeting_id,
            actor=people.actor(people.owner),
            title="  ",
            location="",
            video=True,
            attendee_ids=[],
            now=NOW,
        )
    assert caught.value.field == "title"
    with pytest.raises(NotAllowed, match="No active colleague"):
        update_meeting(
            engine=engine,
            meeting_id=meeting_id,
            actor=people.actor(people.owner),
            title="x",
            location="",
            video=True,
            attendee_ids=[424242],
            now=NOW,
        )
    session.rollback()  # end the read snapshot: see the other sessions
    meeting = session.get(Meeting, meeting_id)
    assert meeting is not None and meeting.video_url == "" and meeting.sequence == 0


def test_a_busy_colleague_is_named_and_not_added(
    engine: Engine, session: Session, people: People, meeting_id: int
) -> None:
    # Give the colleague a meeting overlapping Olga's directly.
    assert people.colleague.id is not None
    other = Meeting(
        title="Busy",
        start_at=MONDAY_10 + timedelta(minutes=15),
        end_at=MONDAY_10 + timedelta(minutes=45),
        organizer_id=people.colleague.id,
    )
    session.add(other)
    session.flush()
    assert other.id is not None
    session.add(
        MeetingParticipant(
            meeting_id=other.id,
            user_id=people.colleague.id,
            start_at=other.start_at,
            end_at=other.end_at,
        )
    )
    session.commit()
    with pytest.raises(Busy, match="Carl Colleague already has a meeting"):
        update_meeting(
            engine=engine,
            meeting_id=meeting_id,
            actor=people.actor(people.owner),
            title="Renamed",
            location="",
            video=False,
            attendee_ids=[people.colleague.id],
            now=NOW,
        )
    session.rollback()  # end the read snapshot: see the other sessions
    meeting = session.get(Meeting, meeting_id)
    assert meeting is not None and meeting.title != "Renamed"


def test_decline_frees_the_slot_and_emails_a_cancel(
    engine: Engine, session: Session, people: People, meeting_id: int
) -> None:
    link = session.exec(select(ShareLink)).one()
    day = (datetime(2026, 11, 23, tzinfo=BERLIN), datetime(2026, 11, 24, tzinfo=BERLIN))
    assert MONDAY_10 not in link_slots(
        session=session, link=link, start=day[0], end=day[1], now=NOW
    )
    changed = decline_meeting(
        engine=engine,
        meeting_id=meeting_id,
        actor=people.actor(people.owner),
        reason="I am ill, sorry.",
        now=NOW,
    )
    assert changed.detail.status == "declined" and changed.detail.sequence == 1
    assert not changed.detail.may_edit
    session.rollback()  # end the read snapshot: see the other sessions
    assert MONDAY_10 in link_slots(session=session, link=link, start=day[0], end=day[1], now=NOW)
    (mail,) = _mails(session, "Declined:")
    assert mail.to_addr == "gina@example.org" and "I am ill, sorry." in mail.body_text
    assert "Monday 23 November 2026, 04:00-04:30 (America/New_York)" in mail.body_text
    calendar = _ics_of(mail)
    assert str(calendar["METHOD"]) == "CANCEL"
    event = calendar.walk("VEVENT")[0]
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 1
    with pytest.raises(NotAllowed, match="declined"):
        decline_meeting(
            engine=engine, meeting_id=meeting_id, actor=people.actor(people.owner), now=NOW
        )
    # Another guest can now book the freed time.
    rebooked = _book(engine, people, MONDAY_10)
    assert rebooked.meeting_id != meeting_id


def test_admin_reschedules_with_updated_ics(
    engine: Engine, session: Session, people: People, meeting_id: int
) -> None:
    new_start = datetime(2026, 11, 24, 15, 0, tzinfo=BERLIN)
    changed = reschedule_meeting(
        engine=engine,
        meeting_id=meeting_id,
        actor=people.actor(people.admin),
        new_start=new_start,
        now=NOW,
    )
    assert changed.detail.start == new_start
    assert changed.detail.end == new_start + timedelta(minutes=30)
    assert changed.detail.sequence == 1
    session.rollback()  # end the read snapshot: see the other sessions
    part = session.exec(select(MeetingParticipant)).one()
    assert (part.start_at, part.end_at) == (changed.detail.start, changed.detail.end)
    mails = _mails(session, "New time:")
    assert sorted(m.to_addr for m in mails) == ["gina@example.org", "olga@example.com"]
    guest_mail = next(m for m in mails if m.to_addr == "gina@example.org")
    assert "Tuesday 24 November 2026, 09:00-09:30 (America/New_York)" in guest_mail.body_text
    assert (
        "(it was Monday 23 November 2026, 04:00-04:30 (America/New_York))" in guest_mail.body_text
    )
    calendar = _ics_of(guest_mail)
    event = calendar.walk("VEVENT")[0]
    assert str(calendar["METHOD"]) == "REQUEST"
    assert int(event["SEQUENCE"]) == 1 and str(event["UID"]) == f"meeting-{meeting_id}@slotapp"
    assert event.decoded("DTSTART") == new_start
    # The old time is free again, the new one taken.
    link = session.exec(select(ShareLink)).one()
    week = link_slots(
        session=session,
        link=link,
        start=datetime(2026, 11, 23, tzinfo=BERLIN),
        end=datetime(2026, 11, 25, tzinfo=BERLIN),
        now=NOW,
    )
    assert MONDAY_10 in week and new_start not in week


def test_reschedule_onto_a_meeting_is_refused(
    engine: Engine, session: Session, people: People, meeting_id: int
) -> None:
    later = _book(engine, people, MONDAY_10 + timedelta(hours=3))
    with pytest.raises(Busy, match="Olga Owner already has a meeting"):
        reschedule_meeting(
            engine=engine,
            meeting_id=meeting_id,
            actor=people.actor(people.admin),
            new_start=later.start + timedelta(minutes=10),
            now=NOW,
        )
    session.rollback()  # end the read snapshot: see the other sessions
    meeting = session.get(Meeting, meeting_id)
    assert meeting is not None and meeting.start_at == MONDAY_10 and meeting.sequence == 0


def test_two_admins_moving_two_meetings_onto_one_time_one_wins(
    engine: Engine, session: Session, people: People, meeting_id: int
) -> None:
    second = _book(engine, people, MONDAY_10 + timedelta(hours=3)).meeting_id
    target = datetime(2026, 11, 25, 11, 0, tzinfo=BERLIN)
    results: list[str] = []
    barrier = threading.Barrier(2)

    def move(mid: int) -> None:
        barrier.wait()
        try:
            reschedule_meeting(
                engine=engine,
                meeting_id=mid,
                actor=people.actor(people.admin),
                new_start=target,
                now=NOW,
            )
            results.append("moved")
        except Busy:
            results.append("busy")

    threads = [threading.Thread(target=move, args=(mid,)) for mid in (meeting_id, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["busy", "moved"]
    session.rollback()  # end the read snapshot: see the other sessions
    starts = [m.start_at for m in session.exec(select(Meeting)).all()]
    assert starts.count(target) == 1


def test_test_meetings_email_nobody(engine: Engine, session: Session, people: People) -> None:
    booked = _book(engine, people, MONDAY_10, "Olga Owner", "olga@example.com", is_test=True)
    decline_meeting(
        engine=engine, meeting_id=booked.meeting_id, actor=people.actor(people.owner), now=NOW
    )
    assert session.exec(select(EmailOutbox)).all() == []


def test_colleague_search(session: Session, people: People) -> None:
    assert people.owner.id is not None
    found = find_colleagues(session=session, query="car", exclude=[people.owner.id])
    assert [c.name for c in found] == ["Carl Colleague"]
    everyone = [c.name for c in find_colleagues(session=session, exclude=[people.owner.id])]
    assert everyone == ["Ada Admin", "Carl Colleague", "Sam Stranger"]
