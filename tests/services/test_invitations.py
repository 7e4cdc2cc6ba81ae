"""Invitations end to end: pools, zero-slot refusal, one-click links and their races, mail."""

from __future__ import annotations

import email.message
import threading
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import vobject
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from slotapp.core.invitation_form import InvitationDraft, InvitationInvalid
from slotapp.core.meetings import Actor, NotAllowed
from slotapp.models import (
    EmailOutbox,
    Invitation,
    Meeting,
    MeetingParticipant,
    MeetingResource,
    ShareLink,
)
from slotapp.services import invitation_activity, invitation_booking, invitation_view, resources
from slotapp.services import invitations as inv
from slotapp.services.links import LinkError
from slotapp.services.mailer import deliver_due
from slotapp.services.resources import ResourceInput
from tests.conftest import NOW, free_port
from tests.services.helpers import SECRET, make_user
from tests.services.test_mailer import smtp_server
from tests.services.test_resources import hold

BERLIN = ZoneInfo("Europe/Berlin")
BASE = "https://slot.example"


def berlin(hour: int, minute: int = 0, day: int = 23) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=BERLIN)


@dataclass
class World:
    inviter: Actor
    colleague_id: int
    rooms: dict[str, int]
    pool_id: int

    def draft(self, **change: object) -> InvitationDraft:
        base = InvitationDraft(
            participant_name="Pia Participant",
            participant_email="pia@example.org",
            subject="Contract review",
            duration_minutes=60,
            member_ids=(self.inviter.user_id, self.colleague_id),
            description="Secret agenda: the price.",
            date_from="2026-11-23",
            date_to="2026-11-23",
            daily_from="10:00",
            daily_to="12:00",
            time_zone="Europe/Berlin",
            pool_ids=(self.pool_id,),
        )
        return replace(base, **change)  # type: ignore[arg-type]


@pytest.fixture
def world(session: Session) -> World:
    owner = make_user(session, "Olga Owner")
    colleague = make_user(session, "Carl Colleague")
    admin = Actor(user_id=0, is_admin=True)
    rooms = {}
    for name in ("Room C", "Room A", "Room B"):
        rooms[name] = resources.create_resource(
            session=session,
            actor=admin,
            data=ResourceInput(name, time_zone="Europe/Berlin"),
            now=NOW,
        ).id
    pool = resources.create_pool(
        session=session, actor=admin, name="Floor 2", resource_ids=list(rooms.values()), now=NOW
    )
    session.commit()
    assert owner.id is not None and colleague.id is not None
    return World(Actor(owner.id, False), colleague.id, rooms, pool.id)


def create(session: Session, world: World, **change: object) -> inv.InvitationLinks:
    links = inv.create_invitation(
        session=session,
        inviter_id=world.inviter.user_id,
        draft=world.draft(**change),
        secret=SECRET,
        now=NOW,
        base_url=BASE,
    )
    session.commit()
    return links


def token_of(links: inv.InvitationLinks) -> str:
    return links.url.rsplit("/", 1)[1]


def book(
    engine: Engine, links: inv.InvitationLinks, start: datetime
) -> invitation_view.InvitationBooked:
    return invitation_booking.book_invitation(
        engine=engine,
        token=token_of(links),
        start=start,
        now=NOW,
        participant_time_zone="America/New_York",
    )


# --- pools -------------------------------------------------------------------------------


def test_one_free_room_of_three_is_bookable_and_the_meeting_holds_it(
    engine: Engine, session: Session, world: World
) -> None:
    for name in ("Room A", "Room B"):
        hold(session, world.rooms[name], berlin(10), minutes=120)
    counted = inv.count_slots(session=session, draft=world.draft(), now=NOW)
    assert counted.count == 3  # 10:00, 10:30, 11:00 in Room C
    links = create(session, world)
    booked = book(engine, links, berlin(10))
    assert booked.resources == ("Room C",)
    held = session.exec(
        select(MeetingResource).where(MeetingResource.meeting_id == booked.meeting_id)
    ).all()
    assert [h.resource_id for h in held] == [world.rooms["Room C"]]


def test_the_first_free_room_by_name_is_chosen(
    engine: Engine, session: Session, world: World
) -> None:
    booked = book(engine, create(session, world), berlin(10))
    assert booked.resources == ("Room A",)
    assert "Room A" in booked.location


def test_no_free_room_in_the_pool_means_no_slot(session: Session, world: World) -> None:
    for rid in world.rooms.values():
        hold(session, rid, berlin(10), minutes=120)
    counted = inv.count_slots(session=session, draft=world.draft(), now=NOW)
    assert counted.count == 0 and "pool Floor 2" in counted.reason
    with pytest.raises(inv.NoSlots, match="pool Floor 2"):
        create(session, world)
    assert session.exec(select(Invitation)).all() == []


def test_a_room_chosen_by_name_must_itself_be_free(session: Session, world: World) -> None:
    hold(session, world.rooms["Room A"], berlin(10))
    draft = world.draft(pool_ids=(), resource_ids=(world.rooms["Room A"],))
    assert inv.count_slots(session=session, draft=draft, now=NOW).count == 1  # 11:00 only


# --- the form ----------------------------------------------------------------------------


def test_zero_slots_are_refused_with_the_reason(session: Session, world: World) -> None:
    weekend = world.draft(date_from="2026-11-28", date_to="2026-11-29")
    counted = inv.count_slots(session=session, draft=weekend, now=NOW)
    assert counted.count == 0 and "team member" in counted.reason
    with pytest.raises(inv.NoSlots, match="team member"):
        create(session, world, date_from="2026-11-28", date_to="2026-11-29")
    assert session.exec(select(ShareLink)).all() == []


def test_the_counter_reports_field_errors_instead_of_a_number(
    session: Session, world: World
) -> None:
    counted = inv.count_slots(session=session, draft=world.draft(member_ids=()), now=NOW)
    assert counted.count == 0 and counted.errors and "member_ids" in counted.errors
    with pytest.raises(InvitationInvalid):
        create(session, world, member_ids=())


def test_the_counter_follows_the_colleagues_calendar(session: Session, world: World) -> None:
    assert inv.count_slots(session=session, draft=world.draft(), now=NOW).count == 3
    m = Meeting(start_at=berlin(10), end_at=berlin(11))
    session.add(m)
    session.flush()
    assert m.id is not None
    session.add(
        MeetingParticipant(
            meeting_id=m.id, user_id=world.colleague_id, start_at=m.start_at, end_at=m.end_at
        )
    )
    session.commit()
    assert inv.count_slots(session=session, draft=world.draft(), now=NOW).count == 1


def test_an_invitation_link_is_single_use_and_kind_invitation(
    session: Session, world: World
) -> None:
    links = create(session, world)
    link = session.exec(select(ShareLink)).one()
    assert (link.kind, link.max_uses) == ("invitation", 1)
    assert links.url.startswith(f"{BASE}/invite/") and links.promoted == ()


# --- promoted slots ----------------------------------------------------------------------


def test_promoted_slots_are_suggested_and_each_books_at_one_click(
    engine: Engine, session: Session, world: World
) -> None:
    links = create(session, world, promote=True, promote_count=2)
    assert [p.start for p in links.promoted] == [berlin(10), berlin(11)]
    assert all(p.url.startswith(links.url + "?start=") for p in links.promoted)
    from slotapp.core.invitation_form import parse_start_param

    start = parse_start_param(links.promoted[1].url.split("?start=")[1])
    booked = book(engine, links, start)
    assert booked.start == berlin(11)


def test_chosen_promoted_slots_must_be_free(session: Session, world: World) -> None:
    with pytest.raises(InvitationInvalid, match="not free"):
        create(session, world, promote=True, promoted_starts=(berlin(8),))
    links = create(session, world, promote=True, promoted_starts=(berlin(10, 30),))
    assert [p.start for p in links.promoted] == [berlin(10, 30)]


def test_a_taken_promoted_slot_says_so_and_offers_the_other_times(
    engine: Engine, session: Session, world: World
) -> None:
    links = create(session, world, promote=True, promote_count=2)
    m = Meeting(start_at=berlin(10), end_at=berlin(11))
    session.add(m)
    session.flush()
    assert m.id is not None
    session.add(
        MeetingParticipant(
            meeting_id=m.id, user_id=world.colleague_id, start_at=m.start_at, end_at=m.end_at
        )
    )
    session.commit()
    with pytest.raises(invitation_booking.SlotUnavailable) as caught:
        book(engine, links, berlin(10))
    assert "taken" in caught.value.message
    assert caught.value.other_slots == (berlin(11),)


def _race(engine: Engine, token: str, starts: list[datetime]) -> list[object]:
    barrier = threading.Barrier(len(starts))
    results: list[object] = [None] * len(starts)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = invitation_booking.book_invitation(
                engine=engine, token=token, start=starts[i], now=NOW
            )
        except Exception as exc:  # noqa: BLE001 - the outcome is what we assert
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(starts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


@pytest.mark.parametrize("attempt", range(3))
def test_two_promoted_links_clicked_at_once_book_one_meeting(
    engine: Engine, session: Session, world: World, attempt: int
) -> None:
    links = create(session, world, promote=True, promote_count=2)
    results = _race(engine, token_of(links), [p.start for p in links.promoted])
    won = [r for r in results if isinstance(r, invitation_view.InvitationBooked)]
    lost = [r for r in results if isinstance(r, invitation_booking.AlreadyBooked)]
    assert len(won) == 1 and len(lost) == 1, results
    assert lost[0].booked.meeting_id == won[0].meeting_id  # it shows the booked meeting
    assert len(session.exec(select(Meeting)).all()) == 1


def test_two_invitations_racing_for_the_last_room_book_once(
    engine: Engine, session: Session, world: World
) -> None:
    for name in ("Room A", "Room B"):
        hold(session, world.rooms[name], berlin(10), minutes=120)
    first = create(session, world, member_ids=(world.inviter.user_id,))
    second = create(
        session, world, member_ids=(world.colleague_id,), participant_email="q@example.org"
    )
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def run(i: int, links: inv.InvitationLinks) -> None:
        barrier.wait()
        try:
            results[i] = book(engine, links, berlin(10))
        except Exception as exc:  # noqa: BLE001
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, lk)) for i, lk in enumerate((first, second))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sum(isinstance(r, invitation_view.InvitationBooked) for r in results) == 1, results
    refused = [r for r in results if isinstance(r, invitation_booking.SlotUnavailable)]
    assert len(refused) == 1 and berlin(10) not in refused[0].other_slots


# --- from invitation to meeting ----------------------------------------------------------


def test_booking_moves_the_invitation_to_meetings(
    engine: Engine, session: Session, world: World
) -> None:
    links = create(
        session, world, generate_video=True, title_template="{subject}: {participant} & {inviter}"
    )
    invitation_activity.send_invitation_email(
        session=session,
        actor=world.inviter,
        invitation_id=links.invitation_id,
        secret=SECRET,
        now=NOW,
        base_url=BASE,
    )
    session.commit()
    before = invitation_activity.activity(session=session, user_id=world.inviter.user_id, now=NOW)
    assert [(r.invitation_id, r.sent_at, r.slots_available) for r in before.invitations] == [
        (links.invitation_id, NOW, 3)
    ]
    assert before.meetings == ()

    booked = book(engine, links, berlin(11))
    session.rollback()  # end the read transaction (WAL snapshot) opened before the booking

    assert booked.title == "Contract review: Pia Participant & Olga Owner"
    assert booked.time_zone == "America/New_York"  # shown in the participant's zone
    assert booked.video_url.startswith("https://") and booked.members == (
        "Carl Colleague",
        "Olga Owner",
    )
    assert set(booked.notify_user_ids) == {world.inviter.user_id, world.colleague_id}
    meeting = session.get(Meeting, booked.meeting_id, populate_existing=True)
    assert meeting is not None and meeting.organizer_id == world.inviter.user_id
    assert meeting.guest_email == "pia@example.org"
    hosts = session.exec(
        select(MeetingParticipant).where(MeetingParticipant.meeting_id == meeting.id)
    ).all()
    assert sorted(h.user_id for h in hosts) == sorted([world.inviter.user_id, world.colleague_id])
    assert all(h.is_host and h.blocks for h in hosts)
    after = invitation_activity.activity(session=session, user_id=world.inviter.user_id, now=NOW)
    assert after.invitations == ()
    assert [(m.meeting_id, m.start) for m in after.meetings] == [(meeting.id, berlin(11))]
    link = session.exec(select(ShareLink)).one()
    session.refresh(link)
    assert link.use_count == 1
    # Every team member (and the participant) is told, with the calendar event.
    outbox = session.exec(select(EmailOutbox).where(EmailOutbox.meeting_id == meeting.id)).all()
    assert sorted(m.to_addr for m in outbox) == [
        "carl@example.com",
        "olga@example.com",
        "pia@example.org",
    ]
    assert all(m.attachments for m in outbox)


def test_a_second_booking_gets_already_booked_with_the_meeting(
    engine: Engine, session: Session, world: World
) -> None:
    links = create(session, world)
    first = book(engine, links, berlin(10))
    with pytest.raises(invitation_booking.AlreadyBooked) as caught:
        book(engine, links, berlin(11))
    assert caught.value.booked.meeting_id == first.meeting_id
    page = invitation_view.invitation_page(session=session, token=token_of(links), now=NOW)
    assert page.status == "booked" and page.booked is not None and page.booked.start == berlin(10)


def test_the_participant_page_lists_free_times_and_hides_the_description(
    session: Session, world: World
) -> None:
    links = create(session, world, hide_description=True, show_in_participant_zone=False)
    page = invitation_view.invitation_page(
        session=session, token=token_of(links), now=NOW, participant_time_zone="Asia/Tokyo"
    )
    assert page.status == "open" and page.slots == (berlin(10), berlin(10, 30), berlin(11))
    assert page.description == "" and page.time_zone == "Europe/Berlin"


def test_a_cancelled_invitation_books_nothing(
    engine: Engine, session: Session, world: World
) -> None:
    links = create(session, world)
    with pytest.raises(NotAllowed):
        invitation_activity.cancel_invitation(
            session=session,
            actor=Actor(world.colleague_id, False),
            invitation_id=links.invitation_id,
            now=NOW,
        )
    invitation_activity.cancel_invitation(
        session=session, actor=world.inviter, invitation_id=links.invitation_id, now=NOW
    )
    session.commit()
    with pytest.raises(LinkError, match="withdrawn"):
        book(engine, links, berlin(10))
    with pytest.raises(LinkError):
        invitation_view.invitation_page(session=session, token=token_of(links), now=NOW)
    assert (
        invitation_activity.activity(
            session=session, user_id=world.inviter.user_id, now=NOW
        ).invitations
        == ()
    )


@pytest.mark.parametrize(
    ("add_to_calendar", "send_confirmation", "participant_mail"),
    [
        (True, True, "Confirmed"),
        (True, False, "Invitation"),
        (False, True, "Confirmed"),
        (False, False, None),
    ],
)
def test_the_two_confirmation_switches(
    engine: Engine,
    session: Session,
    world: World,
    add_to_calendar: bool,
    send_confirmation: bool,
    participant_mail: str | None,
) -> None:
    links = create(
        session, world, add_to_calendar=add_to_calendar, send_confirmation=send_confirmation
    )
    booked = book(engine, links, berlin(10))
    mails = session.exec(select(EmailOutbox).where(EmailOutbox.to_addr == "pia@example.org")).all()
    if participant_mail is None:
        assert mails == []
        return
    (mail,) = mails
    assert mail.subject.startswith(participant_mail) and booked.title in mail.subject
    assert bool(mail.attachments) is add_to_calendar
    team = session.exec(select(EmailOutbox).where(EmailOutbox.to_addr == "olga@example.com")).one()
    assert (b"pia@example.org" in _ics_of(team)) is add_to_calendar


def _ics_of(row: EmailOutbox) -> bytes:
    import base64

    return base64.b64decode(row.attachments[0]["data_b64"])


@pytest.mark.parametrize("hidden", [True, False])
def test_the_description_is_left_out_of_the_email_when_hidden(
    session: Session, world: World, hidden: bool
) -> None:
    links = create(session, world, hide_description=hidden)
    invitation_activity.send_invitation_email(
        session=session,
        actor=world.inviter,
        invitation_id=links.invitation_id,
        secret=SECRET,
        now=NOW,
        base_url=BASE,
    )
    mail = session.exec(select(EmailOutbox)).one()
    assert ("Secret agenda" in mail.body_text) is not hidden
    assert links.url in mail.body_text and "Hello Pia Participant" in mail.body_text


# --- real email over SMTP ----------------------------------------------------------------


def _plain(msg: email.message.EmailMessage) -> str:
    body = msg.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def test_emails_arrive_with_working_links_and_a_valid_calendar_file(
    engine: Engine, session: Session, world: World
) -> None:
    links = create(
        session, world, hide_description=True, promote=True, promote_count=3, is_private=True
    )
    invitation_activity.send_invitation_email(
        session=session,
        actor=world.inviter,
        invitation_id=links.invitation_id,
        secret=SECRET,
        now=NOW,
        base_url=BASE,
    )
    session.commit()
    with smtp_server(free_port()) as server:
        assert deliver_due(session=session, config=server.config, now=NOW).sent == 1
        (invite,) = server.handler.messages
        text = _plain(invite)
        assert invite["To"] == "pia@example.org" and "Contract review" in invite["Subject"]
        assert "Secret agenda" not in text
        urls = [line.strip() for line in text.splitlines() if line.strip().startswith(BASE)]
        assert urls == [p.url for p in links.promoted] + [links.url]
        # The link in the email is the one that books: click the second promoted one.
        from slotapp.core.invitation_form import parse_start_param

        token = urls[1].split("/invite/")[1].split("?")[0]
        start = parse_start_param(urls[1].split("?start=")[1])
        booked = invitation_booking.book_invitation(
            engine=engine, token=token, start=start, now=NOW
        )
        assert booked.start == links.promoted[1].start

        assert deliver_due(session=session, config=server.config, now=NOW).sent == 3
        confirmation = next(
            m for m in server.handler.messages if m["To"] == "pia@example.org" and m is not invite
        )
        assert "Secret agenda" not in _plain(confirmation)
        (part,) = list(confirmation.iter_attachments())
        assert part.get_content_type() == "text/calendar"
        data = part.get_payload(decode=True)
        assert isinstance(data, bytes)
        vcal = vobject.readOne(data.decode("utf-8"), validate=True)
        vevent = vcal.vevent
        assert vevent.summary.value == booked.title
        assert vevent.dtstart.value == booked.start
        assert vevent.getChildValue("class") == "PRIVATE"
        attendees = {a.value.lower() for a in vevent.attendee_list}
        assert attendees == {"mailto:pia@example.org", "mailto:carl@example.com"}
        assert "Secret agenda" not in data.decode("utf-8")
