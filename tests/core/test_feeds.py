"""Busy time from iCalendar feeds: recurrences, exceptions, zones, all-day, limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
import vobject

from slotapp.core.feed_tokens import (
    subscription_token,
    subscription_token_matches,
    subscription_user_id,
)
from slotapp.core.feed_urls import address_allowed, display_url, normalise_feed_url
from slotapp.core.feeds import FeedError, FeedLimits, busy_from_ics
from slotapp.core.ics import FeedEntry, IcsEvent, Person, build_feed_ics
from slotapp.core.intervals import Interval
from slotapp.core.validation import InvalidInput

START = datetime(2026, 1, 1, tzinfo=UTC)
END = datetime(2027, 1, 1, tzinfo=UTC)


def ics(*events: str, header: str = "") -> bytes:
    """A calendar around VEVENT bodies given as newline-separated lines."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//feeds//EN"]
    lines += [line.strip() for line in header.strip().splitlines() if line.strip()]
    for number, body in enumerate(events):
        lines += ["BEGIN:VEVENT", "DTSTAMP:20260101T000000Z"]
        if "UID:" not in body:  # a series and its overrides share the UID they bring
            lines.append(f"UID:event-{number}@test")
        lines += [line.strip() for line in body.strip().splitlines() if line.strip()]
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def busy(
    data: bytes,
    tz: str = "Europe/Berlin",
    start: datetime = START,
    end: datetime = END,
    limits: FeedLimits | None = None,
) -> list[tuple[datetime, datetime]]:
    result = busy_from_ics(data, time_zone=tz, start=start, end=end, limits=limits or FeedLimits())
    return [(i.start, i.end) for i in result.busy]


# --- times and zones -----------------------------------------------------------------


def test_utc_event_is_busy_as_written() -> None:
    data = ics("DTSTART:20261124T100000Z\nDTEND:20261124T110000Z")
    assert busy(data) == [(utc(2026, 11, 24, 10), utc(2026, 11, 24, 11))]


def test_tzid_event_is_converted_with_its_own_zone_not_the_users() -> None:
    data = ics(
        "DTSTART;TZID=America/New_York:20261124T100000\nDTEND;TZID=America/New_York:20261124T103000"
    )
    for user_zone in ("Europe/Berlin", "Asia/Tokyo"):
        assert busy(data, user_zone) == [(utc(2026, 11, 24, 15), utc(2026, 11, 24, 15, 30))]


def test_outlook_custom_vtimezone_and_windows_zone_names_are_understood() -> None:
    vtimezone = """
        BEGIN:VTIMEZONE
        TZID:Customized Time Zone
        BEGIN:STANDARD
        DTSTART:16010101T030000
        TZOFFSETFROM:+0200
        TZOFFSETTO:+0100
        RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10
        END:STANDARD
        BEGIN:DAYLIGHT
        DTSTART:16010101T020000
        TZOFFSETFROM:+0100
        TZOFFSETTO:+0200
        RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3
        END:DAYLIGHT
        END:VTIMEZONE
    """
    data = ics(
        "DTSTART;TZID=Customized Time Zone:20260701T100000\n"
        "DTEND;TZID=Customized Time Zone:20260701T110000",
        "DTSTART;TZID=W. Europe Standard Time:20261124T100000\n"
        "DTEND;TZID=W. Europe Standard Time:20261124T110000",
        header=vtimezone,
    )
    assert busy(data, "America/New_York") == [
        (utc(2026, 7, 1, 8), utc(2026, 7, 1, 9)),  # CEST
        (utc(2026, 11, 24, 9), utc(2026, 11, 24, 10)),  # CET
    ]


def test_floating_time_is_the_users_wall_clock() -> None:
    data = ics("DTSTART:20261124T100000\nDTEND:20261124T110000")
    assert busy(data, "Europe/Berlin") == [(utc(2026, 11, 24, 9), utc(2026, 11, 24, 10))]
    assert busy(data, "America/New_York") == [(utc(2026, 11, 24, 15), utc(2026, 11, 24, 16))]


def test_floating_time_follows_x_wr_timezone_when_the_calendar_names_one() -> None:
    data = ics("DTSTART:20261124T100000\nDTEND:20261124T110000", header="X-WR-TIMEZONE:Asia/Tokyo")
    assert busy(data, "Europe/Berlin") == [(utc(2026, 11, 24, 1), utc(2026, 11, 24, 2))]


def test_floating_time_in_the_spring_forward_gap_starts_at_the_transition() -> None:
    # 02:00-03:00 does not exist in Berlin on 2026-03-29: clocks jump from 02:00 to 03:00.
    data = ics("DTSTART:20260329T023000\nDTEND:20260329T040000")
    assert busy(data) == [(utc(2026, 3, 29, 1), utc(2026, 3, 29, 2))]


def test_duration_instead_of_dtend() -> None:
    data = ics("DTSTART:20261124T100000Z\nDURATION:PT1H30M")
    assert busy(data) == [(utc(2026, 11, 24, 10), utc(2026, 11, 24, 11, 30))]


def test_timed_event_without_end_blocks_nothing() -> None:
    # RFC 5545 3.6.1: a DATE-TIME start without DTEND or DURATION ends when it starts.
    data = ics("DTSTART:20261124T100000Z")
    result = busy_from_ics(data, time_zone="UTC", start=START, end=END)
    assert result.busy == () and result.event_count == 0


# --- all-day events -------------------------------------------------------------------


def test_all_day_event_blocks_the_whole_day_in_the_users_zone() -> None:
    data = ics("DTSTART;VALUE=DATE:20261124\nDTEND;VALUE=DATE:20261125")
    assert busy(data, "Europe/Berlin") == [(utc(2026, 11, 23, 23), utc(2026, 11, 24, 23))]
    assert busy(data, "America/New_York") == [(utc(2026, 11, 24, 5), utc(2026, 11, 25, 5))]


def test_all_day_event_without_end_is_one_day_and_multi_day_spans_all_days() -> None:
    one = ics("DTSTART;VALUE=DATE:20261124")
    three = ics("DTSTART;VALUE=DATE:20261124\nDTEND;VALUE=DATE:20261127")
    assert busy(one, "UTC") == [(utc(2026, 11, 24), utc(2026, 11, 25))]
    assert busy(three, "UTC") == [(utc(2026, 11, 24), utc(2026, 11, 27))]


def test_all_day_event_on_the_short_day_of_spring_forward_lasts_23_hours() -> None:
    data = ics("DTSTART;VALUE=DATE:20260329\nDTEND;VALUE=DATE:20260330")
    [(start, end)] = busy(data, "Europe/Berlin")
    assert (start, end) == (utc(2026, 3, 28, 23), utc(2026, 3, 29, 22))
    assert end - start == timedelta(hours=23)


# --- what does not block --------------------------------------------------------------


def test_transparent_and_cancelled_events_block_nothing() -> None:
    data = ics(
        "DTSTART:20261124T100000Z\nDTEND:20261124T110000Z\nTRANSP:TRANSPARENT",
        "DTSTART:20261124T120000Z\nDTEND:20261124T130000Z\nSTATUS:CANCELLED",
        "DTSTART:20261124T140000Z\nDTEND:20261124T150000Z\nTRANSP:OPAQUE\nSTATUS:CONFIRMED",
        "DTSTART;VALUE=DATE:20261125\nTRANSP:TRANSPARENT",  # a birthday, marked free
    )
    assert busy(data) == [(utc(2026, 11, 24, 14), utc(2026, 11, 24, 15))]


def test_cancelled_occurrence_of_a_series_blocks_nothing() -> None:
    series = (
        "UID:standup@test\nDTSTART:20261102T090000Z\nDTEND:20261102T091500Z\n"
        "RRULE:FREQ=DAILY;COUNT=3"
    )
    cancelled = (
        "UID:standup@test\nRECURRENCE-ID:20261103T090000Z\n"
        "DTSTART:20261103T090000Z\nDTEND:20261103T091500Z\nSTATUS:CANCELLED"
    )
    assert busy(ics(series, cancelled)) == [
        (utc(2026, 11, 2, 9), utc(2026, 11, 2, 9, 15)),
        (utc(2026, 11, 4, 9), utc(2026, 11, 4, 9, 15)),
    ]


# --- recurrences across daylight saving -----------------------------------------------


def _series(uid: str, *lines: str) -> str:
    return "\n".join([f"UID:{uid}", *lines])


def test_issue_weekly_exdate_and_override_across_new_york_fall_back() -> None:
    """Weekly Monday 09:00 New York across 2026-11-01, when clocks go back (EDT -> EST).

    The 26 Oct occurrence (EDT) is moved to Tuesday 3 Nov 11:00 (EST); 2 Nov is excluded.
    """
    tz = "TZID=America/New_York"
    series = _series(
        "weekly-ny@test",
        f"DTSTART;{tz}:20261019T090000",
        f"DTEND;{tz}:20261019T100000",
        "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=5",
        f"EXDATE;{tz}:20261102T090000",
    )
    moved = _series(
        "weekly-ny@test",
        f"RECURRENCE-ID;{tz}:20261026T090000",
        f"DTSTART;{tz}:20261103T110000",
        f"DTEND;{tz}:20261103T120000",
    )
    result = busy_from_ics(ics(series, moved), time_zone="Europe/Berlin", start=START, end=END)
    assert [(i.start, i.end) for i in result.busy] == [
        (utc(2026, 10, 19, 13), utc(2026, 10, 19, 14)),  # EDT: 09:00 is 13:00 UTC
        (utc(2026, 11, 3, 16), utc(2026, 11, 3, 17)),  # the moved one, EST
        (utc(2026, 11, 9, 14), utc(2026, 11, 9, 15)),  # EST: 09:00 is 14:00 UTC
        (utc(2026, 11, 16, 14), utc(2026, 11, 16, 15)),
    ]
    assert result.event_count == 4


def test_issue_weekly_exdate_and_override_across_berlin_spring_forward() -> None:
    """Weekly Thursday 09:00 Berlin across 2026-03-29, when clocks go forward (CET -> CEST).

    The 26 Mar occurrence (CET) moves to Tuesday 7 Apr 14:00 (CEST); 2 Apr is excluded.
    """
    tz = "TZID=Europe/Berlin"
    series = _series(
        "weekly-berlin@test",
        f"DTSTART;{tz}:20260319T090000",
        f"DTEND;{tz}:20260319T100000",
        "RRULE:FREQ=WEEKLY;UNTIL=20260416T070000Z",
        f"EXDATE;{tz}:20260402T090000",
    )
    moved = _series(
        "weekly-berlin@test",
        f"RECURRENCE-ID;{tz}:20260326T090000",
        f"DTSTART;{tz}:20260407T140000",
        f"DTEND;{tz}:20260407T150000",
    )
    assert busy(ics(series, moved), "America/New_York") == [
        (utc(2026, 3, 19, 8), utc(2026, 3, 19, 9)),  # CET: 09:00 is 08:00 UTC
        (utc(2026, 4, 7, 12), utc(2026, 4, 7, 13)),  # the moved one, CEST
        (utc(2026, 4, 9, 7), utc(2026, 4, 9, 8)),  # CEST: 09:00 is 07:00 UTC
        (utc(2026, 4, 16, 7), utc(2026, 4, 16, 8)),  # UNTIL is inclusive
    ]


def test_floating_weekly_series_keeps_its_wall_time_across_the_change() -> None:
    series = _series(
        "floating@test", "DTSTART:20261026T090000", "DTEND:20261026T093000", "RRULE:FREQ=WEEKLY"
    )
    window = (utc(2026, 10, 26), utc(2026, 11, 10))
    assert busy(ics(series), "America/New_York", *window) == [
        (utc(2026, 10, 26, 13), utc(2026, 10, 26, 13, 30)),
        (utc(2026, 11, 2, 14), utc(2026, 11, 2, 14, 30)),
        (utc(2026, 11, 9, 14), utc(2026, 11, 9, 14, 30)),
    ]


# --- the window -----------------------------------------------------------------------


def test_window_clips_and_overlapping_events_merge_but_all_are_counted() -> None:
    data = ics(
        "DTSTART:20261124T090000Z\nDTEND:20261124T110000Z",
        "DTSTART:20261124T100000Z\nDTEND:20261124T120000Z",
        "DTSTART:20261124T120000Z\nDTEND:20261124T123000Z",  # touches: merged too
        "DTSTART:20261125T090000Z\nDTEND:20261125T100000Z",  # outside
        "DTSTART:20261123T230000Z\nDTEND:20261124T010000Z",  # clipped at the start
    )
    result = busy_from_ics(
        data, time_zone="UTC", start=utc(2026, 11, 24), end=utc(2026, 11, 24, 23)
    )
    assert result.busy == (
        Interval(utc(2026, 11, 24), utc(2026, 11, 24, 1)),
        Interval(utc(2026, 11, 24, 9), utc(2026, 11, 24, 12, 30)),
    )
    assert result.event_count == 4


def test_naive_or_empty_window_is_refused() -> None:
    data = ics("DTSTART:20261124T090000Z\nDTEND:20261124T100000Z")
    with pytest.raises(ValueError, match="aware"):
        busy_from_ics(data, time_zone="UTC", start=datetime(2026, 1, 1), end=END)
    with pytest.raises(ValueError, match="not after"):
        busy_from_ics(data, time_zone="UTC", start=END, end=START)


# --- bad files and limits -------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<!DOCTYPE html><html><body>Sign in</body></html>",
        b'{"error": "not found"}',
        b"\xff\xfe\x00garbage",
        b"BEGIN:VCALENDAR\r\nthis is not a content line\r\nEND:VCALENDAR\r\n",
        b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:20261124T090000Z\r\n",  # cut off
    ],
)
def test_not_a_calendar_is_invalid(data: bytes) -> None:
    with pytest.raises(FeedError) as err:
        busy_from_ics(data, time_zone="UTC", start=START, end=END)
    assert err.value.code == "invalid"


def test_byte_order_mark_and_an_empty_calendar_are_fine() -> None:
    data = b"\xef\xbb\xbf" + ics()
    assert busy_from_ics(data, time_zone="UTC", start=START, end=END).busy == ()


def test_broken_series_is_skipped_and_the_rest_is_read() -> None:
    data = ics(
        "DTSTART:20261124T090000Z\nDTEND:20261124T100000Z\nRRULE:FREQ=SOMETIMES",
        "SUMMARY:no start at all",
        "DTSTART:20261125T090000Z\nDTEND:20261125T100000Z",
    )
    assert busy(data) == [(utc(2026, 11, 25, 9), utc(2026, 11, 25, 10))]


def test_too_large_is_refused_before_parsing() -> None:
    data = ics("DTSTART:20261124T090000Z\nDTEND:20261124T100000Z")
    with pytest.raises(FeedError) as err:
        busy(data, limits=FeedLimits(max_bytes=len(data) - 1))
    assert err.value.code == "too_large"
    assert "larger than" in err.value.message
    assert busy(data, limits=FeedLimits(max_bytes=len(data)))


def test_too_many_events_is_refused() -> None:
    one = "DTSTART:20261124T090000Z\nDTEND:20261124T100000Z"
    with pytest.raises(FeedError) as err:
        busy(ics(one, one, one), limits=FeedLimits(max_events=2))
    assert err.value.code == "too_many_events"
    assert "3 events" in err.value.message


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=SECONDLY",
        "FREQ=MINUTELY;INTERVAL=5",
        "FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11;BYMINUTE=0,10,20,30,40,50",
    ],
)
def test_rule_that_repeats_too_often_is_refused_without_expanding_it(rule: str) -> None:
    data = ics(f"DTSTART:20260101T000000Z\nDTEND:20260101T000001Z\nRRULE:{rule}")
    with pytest.raises(FeedError) as err:
        busy(data, limits=FeedLimits(max_occurrences=20_000))
    assert err.value.code == "too_many_events"


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=HOURLY",
        "FREQ=DAILY",
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        "FREQ=MONTHLY;BYDAY=MO,FR",
        "FREQ=MONTHLY;BYMONTHDAY=1,15",
        "FREQ=YEARLY;BYMONTH=1,6",
        "FREQ=YEARLY;BYDAY=20MO",
        "FREQ=DAILY;BYHOUR=9,13;BYMINUTE=0,30",
        "FREQ=MINUTELY;INTERVAL=60",
    ],
)
def test_occurrence_estimate_is_never_below_the_real_count(rule: str) -> None:
    data = ics(f"DTSTART:20260101T090000Z\nDTEND:20260101T091000Z\nRRULE:{rule}")
    real = busy_from_ics(data, time_zone="UTC", start=START, end=END).event_count
    assert real > 0
    with pytest.raises(FeedError):
        busy(data, limits=FeedLimits(max_occurrences=real - 1))


def test_count_limits_the_estimate() -> None:
    data = ics("DTSTART:20260101T000000Z\nDTEND:20260101T000001Z\nRRULE:FREQ=SECONDLY;COUNT=3")
    assert len(busy(data, limits=FeedLimits(max_occurrences=10))) == 1  # touching: merged


# --- feed addresses -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://calendar.google.com/calendar/ical/x/basic.ics", None),
        ("  http://cloud.example/remote.php/dav/public-calendars/abc?export  ", None),
        ("webcal://p12-caldav.icloud.com/published/2/abc", "https://p12-caldav.icloud.com/published/2/abc"),
        ("WEBCALS://outlook.example/owa/calendar/a/b/reachcalendar.ics", "https://outlook.example/owa/calendar/a/b/reachcalendar.ics"),
        ("https://cal.example", "https://cal.example/"),
        ("https://cal.example/x.ics#frag", "https://cal.example/x.ics"),
    ],
)  # fmt: skip
def test_feed_url_is_normalised(raw: str, expected: str | None) -> None:
    assert normalise_feed_url(raw) == (expected or raw.strip())


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Paste"),
        ("ftp://cal.example/x.ics", "must start with"),
        ("file:///etc/passwd", "must start with"),
        ("javascript:alert(1)", "must start with"),
        ("calendar.google.com/x.ics", "must start with"),
        ("https:///x.ics", "no server"),
        ("https://cal.example/my calendar.ics", "spaces"),
        ("https://cal.example/" + "x" * 2000, "longer than"),
    ],
)
def test_bad_feed_url_is_refused(raw: str, message: str) -> None:
    with pytest.raises(InvalidInput) as err:
        normalise_feed_url(raw)
    assert err.value.field == "url" and message in err.value.message


def test_display_url_hides_the_secret_part() -> None:
    assert display_url("https://calendar.google.com/calendar/ical/secret/basic.ics") == (
        "calendar.google.com/…"
    )
    assert display_url("https://cal.example/") == "cal.example"
    assert display_url("https://cal.example/?token=secret") == "cal.example/…"


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("93.184.215.14", True),
        ("10.1.2.3", True),  # a self-hosted Nextcloud in the office network
        ("192.168.1.20", True),
        ("2a00:1450:4001:80b::200e", True),
        ("127.0.0.1", False),
        ("::1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("fe80::1%eth0", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::ffff:127.0.0.1", False),
        ("not an address", False),
    ],
)
def test_address_allowed(address: str, allowed: bool) -> None:
    assert address_allowed(address) is allowed


# --- subscription tokens --------------------------------------------------------------


def test_subscription_token_is_stable_per_salt_and_names_its_user() -> None:
    secret = b"k" * 32
    token = subscription_token(secret, 42, "salt-a")
    assert token == subscription_token(secret, 42, "salt-a")
    assert token.startswith("42.") and "/" not in token and "=" not in token
    assert subscription_user_id(token) == 42
    assert subscription_token_matches(token, secret, 42, "salt-a")
    assert not subscription_token_matches(token, secret, 42, "salt-b")  # revoked
    assert not subscription_token_matches(token, b"x" * 32, 42, "salt-a")
    assert subscription_token(secret, 43, "salt-a").split(".")[1] != token.split(".")[1]


@pytest.mark.parametrize("token", ["", "42", "42.", ".abc", "x1.abc", "٤٢.abc", "9" * 19 + ".a"])
def test_malformed_subscription_token_names_no_user(token: str) -> None:
    assert subscription_user_id(token) is None


# --- the subscription calendar (core/ics.py's feed builder) -----------------------------


def test_feed_calendar_lists_zones_first_and_asks_for_hourly_refresh() -> None:
    host, guest = Person("Ann Host", "ann@example.com"), Person("Bob", "bob@example.org")
    entries = [
        FeedEntry(
            IcsEvent(
                uid=f"meeting-{n}@slotapp",
                sequence=n,
                start=utc(2026, 10, 26, 13) + timedelta(weeks=n),
                end=utc(2026, 10, 26, 14) + timedelta(weeks=n),
                summary="Call",
                organizer=host,
                attendees=(guest,),
                time_zone="America/New_York",
                status=status,
            ),
            changed_at=utc(2026, 10, 1, 8),
        )
        for n, status in enumerate(("CONFIRMED", "CANCELLED"))
    ]
    data = build_feed_ics(entries, name="slotapp · Ann", time_zone="Europe/Berlin", now=START)
    vobject.readOne(data.decode(), validate=True)
    cal = icalendar.Calendar.from_ical(data)
    names = [c.name for c in cal.subcomponents]
    assert names == ["VTIMEZONE", "VTIMEZONE", "VEVENT", "VEVENT"]
    assert {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")} == {
        "Europe/Berlin",
        "America/New_York",
    }
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in data
    assert b"X-PUBLISHED-TTL:PT1H\r\n" in data
    assert b"METHOD" not in data
    assert b"DTSTAMP:20261001T080000Z" in data  # the meeting's last change, not the request
    assert [str(e["STATUS"]) for e in cal.walk("VEVENT")] == ["CONFIRMED", "CANCELLED"]
