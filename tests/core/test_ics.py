"""Every file built here is read back by two independent parsers: vobject and icalendar."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from slotapp.core.ics import IcsEvent, Person, build_ics, ics_filename

NOW = datetime(2026, 10, 20, 9, 15, tzinfo=UTC)
NY = ZoneInfo("America/New_York")
HOST = Person("Ann Host", "ann@example.com")
GUEST = Person("Bob Guest", "bob@example.org")


def _event(**changes: Any) -> IcsEvent:
    base = IcsEvent(
        uid="meeting-42@slotapp",
        sequence=0,
        start=datetime(2026, 11, 23, 10, 0, tzinfo=NY),
        end=datetime(2026, 11, 23, 10, 30, tzinfo=NY),
        summary="Intro call",
        organizer=HOST,
        attendees=(HOST, GUEST),
        time_zone="America/New_York",
    )
    return dataclasses.replace(base, **changes)


def _parse(data: bytes) -> tuple[Any, icalendar.Event, icalendar.Calendar]:
    """(vobject calendar, icalendar VEVENT, icalendar calendar); vobject validates strictly."""
    assert data.endswith(b"\r\n") and b"\r\n" in data
    vcal = vobject.readOne(data.decode("utf-8"), validate=True)
    cal = icalendar.Calendar.from_ical(data)
    events = cal.walk("VEVENT")
    assert len(events) == 1 and len(vcal.vevent_list) == 1
    return vcal, events[0], cal


def _build(method: str = "REQUEST", **changes: Any) -> tuple[Any, icalendar.Event, Any]:
    return _parse(build_ics(_event(**changes), method=method, now=NOW))


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL", "PUBLISH"])
def test_calendar_header_and_method(method: str) -> None:
    vcal, _, cal = _build(method)
    assert str(cal["PRODID"]) == "-//slotapp//slotapp//EN"
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["CALSCALE"]) == "GREGORIAN"
    assert str(cal["METHOD"]) == method
    assert vcal.method.value == method
    assert vcal.prodid.value == "-//slotapp//slotapp//EN"


@pytest.mark.parametrize("sequence", [0, 1, 7])
def test_uid_is_stable_and_sequence_is_written(sequence: int) -> None:
    vcal, ev, _ = _build(sequence=sequence)
    assert str(ev["UID"]) == vcal.vevent.uid.value == "meeting-42@slotapp"
    assert int(ev["SEQUENCE"]) == int(vcal.vevent.sequence.value) == sequence


def test_dtstamp_is_now_in_utc() -> None:
    now_in_berlin = NOW.astimezone(ZoneInfo("Europe/Berlin"))
    data = build_ics(_event(), method="REQUEST", now=now_in_berlin)
    vcal, ev, _ = _parse(data)
    assert b"DTSTAMP:20261020T091500Z" in data
    assert ev["DTSTAMP"].dt == vcal.vevent.dtstamp.value == NOW


@pytest.mark.parametrize(
    ("method", "status", "expected"),
    [
        ("REQUEST", "CONFIRMED", "CONFIRMED"),
        ("PUBLISH", "CONFIRMED", "CONFIRMED"),
        ("CANCEL", "CONFIRMED", "CANCELLED"),
        ("CANCEL", "CANCELLED", "CANCELLED"),
        ("PUBLISH", "CANCELLED", "CANCELLED"),
    ],
)
def test_status(method: str, status: str, expected: str) -> None:
    vcal, ev, _ = _build(method, status=status, sequence=3)
    assert str(ev["STATUS"]) == vcal.vevent.status.value == expected


def test_organizer_and_attendees() -> None:
    vcal, ev, _ = _build()
    assert str(ev["ORGANIZER"]) == "mailto:ann@example.com"
    assert ev["ORGANIZER"].params["CN"] == "Ann Host"
    attendees = {str(a): a.params for a in ev["ATTENDEE"]}
    assert set(attendees) == {"mailto:ann@example.com", "mailto:bob@example.org"}
    assert attendees["mailto:ann@example.com"]["PARTSTAT"] == "ACCEPTED"
    guest = attendees["mailto:bob@example.org"]
    assert guest["CN"] == "Bob Guest"
    assert guest["ROLE"] == "REQ-PARTICIPANT"
    assert guest["PARTSTAT"] == "NEEDS-ACTION"
    assert guest["RSVP"] == "FALSE"
    assert vcal.vevent.organizer.value == "mailto:ann@example.com"
    assert {a.value for a in vcal.vevent.attendee_list} == set(attendees)


NY_CHANGE_DAY = [  # 2026-11-01: clocks go back at 02:00 EDT, so 01:00-02:00 happens twice
    datetime(2026, 11, 1, 0, 30, tzinfo=NY),  # EDT, before the change
    datetime(2026, 11, 1, 1, 30, tzinfo=NY),  # first 01:30 (EDT, -04:00)
    datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NY),  # second 01:30 (EST, -05:00)
    datetime(2026, 11, 1, 3, 0, tzinfo=NY),  # EST, after the change
]


@pytest.mark.parametrize(
    ("zone", "start"),
    [("America/New_York", s) for s in NY_CHANGE_DAY]
    + [
        ("Asia/Kolkata", datetime(2026, 11, 1, 9, 0, tzinfo=ZoneInfo("Asia/Kolkata"))),
        # given in UTC, written in the owner's zone
        ("Asia/Kolkata", datetime(2026, 11, 1, 3, 30, tzinfo=UTC)),
        ("America/New_York", datetime(2026, 3, 8, 7, 0, tzinfo=UTC)),  # 03:00 EDT, spring
    ],
    ids=[
        "ny-0030",
        "ny-0130-first",
        "ny-0130-second",
        "ny-0300",
        "kolkata",
        "kolkata-utc",
        "ny-spring",
    ],
)
def test_dtstart_is_the_intended_instant_in_the_owners_zone(zone: str, start: datetime) -> None:
    end = start + timedelta(minutes=45)
    data = build_ics(_event(start=start, end=end, time_zone=zone), method="REQUEST", now=NOW)
    vcal, ev, cal = _parse(data)
    for value, expected in (
        (ev["DTSTART"].dt, start),
        (ev["DTEND"].dt, end),
        # vobject takes the offsets from the file's own VTIMEZONE, not from a zone database
        (vcal.vevent.dtstart.value, start),
        (vcal.vevent.dtend.value, end),
    ):
        # compare in UTC: PEP 495 makes a fold=1 time unequal to every other zone's times
        assert value.astimezone(UTC) == expected.astimezone(UTC)
    if start.astimezone(NY).fold == 0 or zone != "America/New_York":
        assert ev["DTSTART"].params["TZID"] == zone
        assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == [zone]
    else:
        # the repeated hour's second pass can only be written exactly in UTC
        assert b"DTSTART:20261101T063000Z" in data


def test_kolkata_writes_local_wall_time_with_vtimezone() -> None:
    kolkata = ZoneInfo("Asia/Kolkata")
    start = datetime(2026, 11, 1, 9, 0, tzinfo=kolkata)
    data = build_ics(
        _event(start=start, end=start + timedelta(hours=1), time_zone="Asia/Kolkata"),
        method="REQUEST",
        now=NOW,
    )
    assert b"DTSTART;TZID=Asia/Kolkata:20261101T090000" in data
    assert b"TZOFFSETTO:+0530" in data
    assert data.count(b"BEGIN:VTIMEZONE") == 1


def test_description_location_and_url() -> None:
    url = "https://meet.example.com/abc?x=1&y=2"
    vcal, ev, _ = _build(description="Bring the numbers.", location="Room 4", url=url)
    assert str(ev["LOCATION"]) == vcal.vevent.location.value == "Room 4"
    assert str(ev["URL"]) == vcal.vevent.url.value == url
    description = str(ev["DESCRIPTION"])
    assert description == vcal.vevent.description.value
    assert description.startswith("Bring the numbers.") and url in description


def test_url_alone_becomes_the_description_and_empty_fields_are_left_out() -> None:
    vcal, ev, _ = _build(url="https://meet.example.com/x")
    assert str(ev["DESCRIPTION"]) == "https://meet.example.com/x"
    _, bare, _ = _build()
    assert "DESCRIPTION" not in bare and "LOCATION" not in bare and "URL" not in bare


def test_url_already_in_description_is_not_repeated() -> None:
    url = "https://meet.example.com/x"
    _, ev, _ = _build(description=f"Join at {url}", url=url)
    assert str(ev["DESCRIPTION"]) == f"Join at {url}"


SPECIAL = 'Zoë Ñúñez, Jr.; "quoted" \\ back\nsecond line — ✓ 日本語 ' + "é" * 60


def test_special_characters_round_trip() -> None:
    zoe = Person("Zoë Ñúñez, Jr; Ltd", "zoe@example.com")
    organizer = Person("Ørsted; Åse, CEO", "aase@example.com")
    vcal, ev, _ = _build(
        summary=SPECIAL,
        description=SPECIAL,
        location="Café, 1st floor; room 2\nback door",
        organizer=organizer,
        attendees=(organizer, zoe),
    )
    assert str(ev["SUMMARY"]) == vcal.vevent.summary.value == SPECIAL
    assert str(ev["DESCRIPTION"]) == vcal.vevent.description.value == SPECIAL
    assert str(ev["LOCATION"]) == vcal.vevent.location.value == "Café, 1st floor; room 2\nback door"
    assert ev["ORGANIZER"].params["CN"] == organizer.name
    assert vcal.vevent.organizer.params["CN"] == [organizer.name]
    names = {a.params["CN"] for a in ev["ATTENDEE"]}
    assert names == {organizer.name, zoe.name}
    assert {a.params["CN"][0] for a in vcal.vevent.attendee_list} == names


def test_no_attendees_is_still_valid() -> None:
    _, ev, _ = _build("PUBLISH", attendees=())
    assert "ATTENDEE" not in ev


NAIVE = datetime(2026, 11, 23, 10, 0)


@pytest.mark.parametrize(
    ("changes", "method", "now", "match"),
    [
        ({"start": NAIVE}, "REQUEST", NOW, "aware"),
        ({"end": NAIVE + timedelta(hours=1)}, "REQUEST", NOW, "aware"),
        ({}, "REQUEST", datetime(2026, 10, 20, 9, 15), "aware"),
        ({"end": datetime(2026, 11, 23, 10, 0, tzinfo=NY)}, "REQUEST", NOW, "not after"),
        ({"end": datetime(2026, 11, 23, 9, 0, tzinfo=NY)}, "REQUEST", NOW, "not after"),
        ({"time_zone": "Nowhere/Land"}, "REQUEST", NOW, "time zone"),
        ({"time_zone": ""}, "REQUEST", NOW, "time zone"),
        ({"time_zone": "../etc/passwd"}, "REQUEST", NOW, "time zone"),
        ({}, "REPLY", NOW, "method"),
        ({"status": "TENTATIVE"}, "REQUEST", NOW, "status"),
        ({"sequence": -1}, "REQUEST", NOW, "sequence"),
        ({"uid": ""}, "REQUEST", NOW, "uid"),
    ],
    ids=[
        "naive-start",
        "naive-end",
        "naive-now",
        "end-equals-start",
        "end-before-start",
        "unknown-zone",
        "empty-zone",
        "path-zone",
        "bad-method",
        "bad-status",
        "negative-sequence",
        "empty-uid",
    ],
)
def test_bad_input_raises_value_error(
    changes: dict[str, Any], method: str, now: datetime, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        build_ics(_event(**changes), method=method, now=now)


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        ("Meeting", "meeting-2026-11-23.ics"),
        ("", "meeting-2026-11-23.ics"),
        ("Zoë / Ñúñez: ../../etc", "zoe-nunez-etc-2026-11-23.ics"),
        ("日本語", "meeting-2026-11-23.ics"),
        ("x" * 100, "x" * 40 + "-2026-11-23.ics"),
    ],
)
def test_ics_filename_is_safe(summary: str, expected: str) -> None:
    name = ics_filename(summary, datetime(2026, 11, 23, 23, 30, tzinfo=NY))
    assert name == expected
    assert name.isascii() and "/" not in name and "\\" not in name and not name.startswith(".")
