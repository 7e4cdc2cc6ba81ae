"""Who may change a meeting, and what a valid change is."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from slotapp.core.meetings import (
    Actor,
    MeetingFacts,
    NotAllowed,
    check_edit,
    check_reschedule,
    clean_location,
    clean_title,
    may_view,
    parse_wall_time,
    video_room_url,
)
from slotapp.core.validation import InvalidInput

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
MEETING = MeetingFacts(
    organizer_id=1,
    participant_ids=frozenset({1, 2}),
    start=NOW + timedelta(days=1),
    end=NOW + timedelta(days=1, minutes=30),
    active=True,
)
OWNER, COLLEAGUE, STRANGER = Actor(1, False), Actor(2, False), Actor(3, False)
ADMIN = Actor(9, True)


@pytest.mark.parametrize(
    ("actor", "expected"),
    [(OWNER, True), (COLLEAGUE, True), (ADMIN, True), (STRANGER, False)],
    ids=["organizer", "participant", "admin", "stranger"],
)
def test_who_sees_a_meeting(actor: Actor, expected: bool) -> None:
    assert may_view(actor, MEETING) is expected


@pytest.mark.parametrize("actor", [OWNER, ADMIN], ids=["organizer", "admin"])
def test_organizer_and_admin_may_edit(actor: Actor) -> None:
    check_edit(actor, MEETING, now=NOW)


@pytest.mark.parametrize("actor", [COLLEAGUE, STRANGER], ids=["attendee", "stranger"])
def test_others_may_not_edit(actor: Actor) -> None:
    with pytest.raises(NotAllowed, match="organizer or an admin"):
        check_edit(actor, MEETING, now=NOW)


def test_declined_and_past_meetings_are_frozen() -> None:
    declined = MeetingFacts(**{**MEETING.__dict__, "active": False})
    with pytest.raises(NotAllowed, match="declined"):
        check_edit(OWNER, declined, now=NOW)
    with pytest.raises(NotAllowed, match="over"):
        check_edit(OWNER, MEETING, now=MEETING.end)


def test_only_admins_reschedule() -> None:
    new = NOW + timedelta(days=2)
    with pytest.raises(NotAllowed, match="Only an admin"):
        check_reschedule(OWNER, MEETING, new, now=NOW)
    assert check_reschedule(ADMIN, MEETING, new, now=NOW) == new


@pytest.mark.parametrize(
    ("start", "message"),
    [
        (datetime(2026, 11, 25, 10, 0), "time zone"),
        (NOW - timedelta(hours=1), "future"),
        (NOW + timedelta(days=2, minutes=7), "5-minute"),
        (MEETING.start, "current time"),
    ],
    ids=["naive", "past", "off-grid", "unchanged"],
)
def test_reschedule_refuses(start: datetime, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        check_reschedule(ADMIN, MEETING, start, now=NOW)
    assert caught.value.field == "start"


def test_reschedule_accepts_a_half_hour_zone() -> None:
    # 10:30 in Kolkata is 05:00 UTC: on the grid whatever the zone's offset.
    start = datetime(2026, 11, 25, 10, 30, tzinfo=ZoneInfo("Asia/Kolkata"))
    assert check_reschedule(ADMIN, MEETING, start, now=NOW) == start


def test_title_and_location() -> None:
    assert clean_title("  Kick-off ") == "Kick-off"
    with pytest.raises(InvalidInput) as caught:
        clean_title("   ")
    assert caught.value.field == "title"
    with pytest.raises(InvalidInput, match="at most 200"):
        clean_title("x" * 201)
    assert clean_location("") == ""
    with pytest.raises(InvalidInput) as caught:
        clean_location("x" * 301)
    assert caught.value.field == "location"


def test_video_room_url() -> None:
    assert video_room_url("https://meet.jit.si/", "a1_B-2") == "https://meet.jit.si/slotapp-a1_B-2"
    with pytest.raises(ValueError, match="URL-safe"):
        video_room_url("https://meet.jit.si", "../admin")


@pytest.mark.parametrize(
    ("day", "clock", "expected_utc"),
    [
        ("2026-11-25", "14:30", datetime(2026, 11, 25, 13, 30, tzinfo=UTC)),
        ("2026-03-29", "03:00", datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),  # just after the jump
        ("2026-10-25", "03:00", datetime(2026, 10, 25, 2, 0, tzinfo=UTC)),  # just after fall-back
    ],
)
def test_parse_wall_time(day: str, clock: str, expected_utc: datetime) -> None:
    assert parse_wall_time(day, clock, ZoneInfo("Europe/Berlin")) == expected_utc


@pytest.mark.parametrize(
    ("day", "clock", "message"),
    [
        ("2026-03-29", "02:30", "skipped or repeated"),  # spring-forward gap in Berlin
        ("2026-10-25", "02:30", "skipped or repeated"),  # fall-back: happens twice
        ("2026-02-30", "10:00", "Enter a date"),
        ("", "10:00", "Enter a date"),
        ("2026-11-25", "10:00+01:00", "without a zone"),
    ],
    ids=["gap", "repeat", "bad-date", "empty", "zoned"],
)
def test_parse_wall_time_refuses(day: str, clock: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        parse_wall_time(day, clock, ZoneInfo("Europe/Berlin"))
