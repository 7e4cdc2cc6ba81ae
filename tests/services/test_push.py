"""Who gets a push: devices, switches per kind, and the meeting events that queue them."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from slotapp.core.meetings import Actor
from slotapp.core.push import PushKind
from slotapp.core.validation import InvalidInput
from slotapp.core.webpush_subscription import SubscriptionKeys, parse_subscription
from slotapp.models import PushOutbox, PushSubscription, User
from slotapp.services import push, push_devices
from slotapp.services.booking import BookingRequest, book
from slotapp.services.meetings import decline_meeting
from tests.conftest import NOW
from tests.pushservice import BrowserKeys
from tests.services.helpers import make_user, open_slots
from tests.services.test_invitations import World, create
from tests.services.test_invitations import book as book_invitation
from tests.services.test_invitations import world as world  # noqa: F401  (fixture)

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY_10 = datetime(2026, 11, 23, 10, 0, tzinfo=BERLIN)


def _keys(name: str) -> SubscriptionKeys:
    sub = BrowserKeys().subscription(f"https://push.example.net/send/{name}")
    return parse_subscription(sub)


def _subscribe(session: Session, user: User, name: str) -> PushSubscription:
    assert user.id is not None
    row = push_devices.subscribe(
        session=session, user_id=user.id, keys=_keys(name), label="Chrome on Android", now=NOW
    )
    session.commit()
    return row


def _queued(session: Session) -> list[tuple[str, str, dict[str, str]]]:
    """(endpoint name, kind, payload) of every queued push, oldest first."""
    session.rollback()  # see what other sessions committed
    rows = session.exec(
        select(PushOutbox, PushSubscription)
        .join(PushSubscription, col(PushSubscription.id) == col(PushOutbox.subscription_id))
        .order_by(col(PushOutbox.id))
    ).all()
    return [(s.endpoint.rsplit("/", 1)[1], m.kind, m.payload) for m, s in rows]


def _notify(session: Session, users: list[User], kind: PushKind = PushKind.ENQUIRY_NEW) -> int:
    return push.notify_users(
        session=session,
        user_ids=[u.id for u in users if u.id is not None],
        kind=kind,
        line="New enquiry: Anna",
        url="/conversations/3",
        now=NOW,
    )


def test_one_push_per_device_of_each_user_with_only_the_line_in_it(session: Session) -> None:
    dan = make_user(session, "Dan Agent", role="agent")
    eve = make_user(session, "Eve Agent", role="agent")
    nobody = make_user(session, "Nia Nodevice", role="agent")
    _subscribe(session, dan, "dan-phone")
    _subscribe(session, dan, "dan-laptop")
    _subscribe(session, eve, "eve-phone")

    assert _notify(session, [dan, eve, nobody, dan]) == 3
    session.commit()

    queued = _queued(session)
    assert sorted(name for name, _, _ in queued) == ["dan-laptop", "dan-phone", "eve-phone"]
    for _, kind, payload in queued:
        assert kind == "enquiry_new"
        assert payload == {
            "title": "slotapp",
            "body": "New enquiry: Anna",
            "url": "/conversations/3",
            "kind": "enquiry_new",
        }


def test_notify_joins_the_callers_transaction(engine: Engine, session: Session) -> None:
    dan = make_user(session, "Dan Agent", role="agent")
    _subscribe(session, dan, "dan-phone")

    assert _notify(session, [dan]) == 1
    with Session(engine) as other:
        assert other.exec(select(PushOutbox)).all() == []  # not committed by notify_users
    session.rollback()
    assert _queued(session) == []


def test_a_switched_off_kind_is_not_queued_and_others_still_are(session: Session) -> None:
    dan = make_user(session, "Dan Agent", role="agent")
    eve = make_user(session, "Eve Agent", role="agent")
    _subscribe(session, dan, "dan-phone")
    _subscribe(session, eve, "eve-phone")
    assert dan.id is not None
    push_devices.set_preference(
        session=session, user_id=dan.id, kind=PushKind.ENQUIRY_NEW, enabled=False
    )
    session.commit()

    assert _notify(session, [dan, eve]) == 1
    assert _notify(session, [dan, eve], PushKind.ENQUIRY_FORWARDED) == 2
    session.commit()
    assert [(n, k) for n, k, _ in _queued(session)] == [
        ("eve-phone", "enquiry_new"),
        ("dan-phone", "enquiry_forwarded"),
        ("eve-phone", "enquiry_forwarded"),
    ]
    prefs = push_devices.preferences(session=session, user_id=dan.id)
    assert prefs[PushKind.ENQUIRY_NEW] is False
    assert all(on for kind, on in prefs.items() if kind != PushKind.ENQUIRY_NEW)


def test_deactivated_users_get_nothing(session: Session) -> None:
    dan = make_user(session, "Dan Agent", role="agent")
    _subscribe(session, dan, "dan-phone")
    dan.is_active = False
    session.add(dan)
    session.commit()
    assert _notify(session, [dan]) == 0


@pytest.mark.parametrize(
    ("line", "url"),
    [("", "/x"), ("   ", "/x"), ("ok", "https://evil.example/"), ("ok", "//evil.example")],
)
def test_an_empty_line_or_a_foreign_url_is_refused(session: Session, line: str, url: str) -> None:
    with pytest.raises(ValueError):
        push.notify_users(
            session=session, user_ids=[1], kind=PushKind.KPI_OVERDUE, line=line, url=url, now=NOW
        )


def test_a_browser_used_by_another_user_now_notifies_only_them(session: Session) -> None:
    dan = make_user(session, "Dan Agent", role="agent")
    eve = make_user(session, "Eve Agent", role="agent")
    keys = _keys("shared-pc")
    assert dan.id is not None and eve.id is not None
    push_devices.subscribe(
        session=session, user_id=dan.id, keys=keys, label="Firefox on Linux", now=NOW
    )
    push_devices.subscribe(
        session=session, user_id=eve.id, keys=keys, label="Firefox on Linux", now=NOW
    )
    session.commit()

    assert push_devices.devices(session=session, user_id=dan.id) == []
    (device,) = push_devices.devices(session=session, user_id=eve.id)
    assert (device.label, device.endpoint) == ("Firefox on Linux", keys.endpoint)
    assert _notify(session, [dan]) == 0


def test_an_address_without_its_secret_cannot_take_anothers_device(session: Session) -> None:
    dan = make_user(session, "Dan Agent", role="agent")
    eve = make_user(session, "Eve Agent", role="agent")
    row = _subscribe(session, dan, "dan-phone")
    copied = SubscriptionKeys(row.endpoint, _keys("other").p256dh, _keys("other").auth)
    assert eve.id is not None and dan.id is not None
    with pytest.raises(InvalidInput):
        push_devices.subscribe(session=session, user_id=eve.id, keys=copied, label="x", now=NOW)
    session.rollback()
    assert [d.endpoint for d in push_devices.devices(session=session, user_id=dan.id)] == [
        row.endpoint
    ]


def test_a_user_removes_only_their_own_devices(session: Session) -> None:
    dan = make_user(session, "Dan Agent", role="agent")
    eve = make_user(session, "Eve Agent", role="agent")
    phone = _subscribe(session, dan, "dan-phone")
    _subscribe(session, dan, "dan-laptop")
    assert dan.id is not None and eve.id is not None and phone.id is not None
    _notify(session, [dan])
    session.commit()

    assert push_devices.remove_device(session=session, user_id=eve.id, device_id=phone.id) is False
    assert push_devices.remove_device(session=session, user_id=dan.id, device_id=phone.id) is True
    session.commit()
    assert [
        d.endpoint.rsplit("/", 1)[1] for d in push_devices.devices(session=session, user_id=dan.id)
    ] == ["dan-laptop"]
    assert [n for n, _, _ in _queued(session)] == ["dan-laptop"]  # its queue went with it
    assert push_devices.remove_endpoint(
        session=session, user_id=dan.id, endpoint=_keys("dan-laptop").endpoint
    )


def test_a_renewed_subscription_replaces_the_old_one_only_with_its_secret(
    session: Session,
) -> None:
    dan = make_user(session, "Dan Agent", role="agent")
    old = _subscribe(session, dan, "old")
    new = _keys("new")

    assert not push_devices.resubscribe(
        session=session, old_endpoint=old.endpoint, old_auth="A" * 22, keys=new, now=NOW
    )
    assert push_devices.resubscribe(
        session=session, old_endpoint=old.endpoint, old_auth=old.auth, keys=new, now=NOW
    )
    session.commit()
    assert dan.id is not None
    (device,) = push_devices.devices(session=session, user_id=dan.id)
    assert device.endpoint == new.endpoint


# --- meeting events -----------------------------------------------------------------------


def _booking(engine: Engine, token: str, start: datetime, *, is_test: bool = False) -> int:
    request = BookingRequest(
        token=token,
        start=start,
        guest_name="Gina Guest",
        guest_email="gina@example.org",
        guest_time_zone="America/New_York",
        is_test=is_test,
    )
    return book(engine=engine, request=request, now=NOW).meeting_id


def test_a_booking_tells_the_owner_in_their_zone_in_the_same_transaction(
    engine: Engine, session: Session
) -> None:
    owner = make_user(session, "Olga Owner", tz="Europe/Berlin")
    token = open_slots(session, owner, NOW)
    _subscribe(session, owner, "olga-phone")

    meeting_id = _booking(engine, token, MONDAY_10)

    ((name, kind, payload),) = _queued(session)
    assert (name, kind) == ("olga-phone", "booking_new")
    assert payload["body"] == "New booking: Gina Guest, Mon 23 Nov 10:00"
    assert payload["url"] == f"/meetings/{meeting_id}"


def test_the_owners_own_test_booking_notifies_nobody(engine: Engine, session: Session) -> None:
    owner = make_user(session, "Olga Owner")
    token = open_slots(session, owner, NOW)
    _subscribe(session, owner, "olga-phone")
    _booking(engine, token, MONDAY_10, is_test=True)
    assert _queued(session) == []


def test_a_declined_meeting_tells_its_people_but_not_who_declined(
    engine: Engine, session: Session
) -> None:
    owner = make_user(session, "Olga Owner")
    admin = make_user(session, "Ada Admin", role="admin", tz="America/New_York")
    token = open_slots(session, owner, NOW)
    _subscribe(session, owner, "olga-phone")
    _subscribe(session, admin, "ada-phone")
    by_admin = _booking(engine, token, MONDAY_10)
    by_owner = _booking(engine, token, MONDAY_10 + timedelta(hours=1))
    assert admin.id is not None and owner.id is not None

    decline_meeting(engine=engine, meeting_id=by_admin, actor=Actor(admin.id, True), now=NOW)
    decline_meeting(engine=engine, meeting_id=by_owner, actor=Actor(owner.id, False), now=NOW)

    cancelled = [
        (n, p["body"], p["url"]) for n, k, p in _queued(session) if k == "booking_cancelled"
    ]
    assert cancelled == [
        ("olga-phone", "Cancelled: Gina Guest, Mon 23 Nov 10:00", f"/meetings/{by_admin}")
    ]


def test_a_booked_invitation_tells_the_inviter_and_the_team(
    engine: Engine,
    session: Session,
    world: World,  # noqa: F811
) -> None:
    inviter = session.get(User, world.inviter.user_id)
    colleague = session.get(User, world.colleague_id)
    assert inviter is not None and colleague is not None
    _subscribe(session, inviter, "olga-phone")
    _subscribe(session, colleague, "carl-phone")
    links = create(session, world)

    booked = book_invitation(engine, links, datetime(2026, 11, 23, 10, tzinfo=BERLIN))

    got = sorted((n, k, p["body"], p["url"]) for n, k, p in _queued(session))
    line = "Invitation booked: Pia Participant, Mon 23 Nov 10:00"
    url = f"/meetings/{booked.meeting_id}"
    assert got == [
        ("carl-phone", "invitation_booked", line, url),
        ("olga-phone", "invitation_booked", line, url),
    ]


def test_a_browser_subscription_is_stored_with_a_device_name_from_its_user_agent(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from slotapp.settings import get_settings

    dan = make_user(session, "Dan Agent", role="agent")
    assert dan.id is not None
    ua = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36"
    local = BrowserKeys().subscription("http://127.0.0.1:9/push/dev")
    monkeypatch.setenv("SLOTAPP_BASE_URL", "https://slot.example")
    get_settings.cache_clear()
    try:
        with pytest.raises(InvalidInput):  # a public site never posts to this machine
            push_devices.subscribe_browser(
                session=session, user_id=dan.id, subscription=local, user_agent=ua, now=NOW
            )
        endpoint = push_devices.subscribe_browser(
            session=session,
            user_id=dan.id,
            subscription=BrowserKeys().subscription("https://fcm.googleapis.com/fcm/send/x"),
            user_agent=ua,
            now=NOW,
        )
    finally:
        get_settings.cache_clear()
    (device,) = push_devices.devices(session=session, user_id=dan.id)
    assert (device.endpoint, device.label) == (endpoint, "Chrome on Android")
