"""iCalendar (RFC 5545/5546) invitations for meetings, built with the `icalendar` library."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar, Event, Timezone, vCalAddress, vDuration, vText

PRODID = "-//slotapp//slotapp//EN"
METHODS = frozenset({"REQUEST", "CANCEL", "PUBLISH"})
STATUSES = frozenset({"CONFIRMED", "CANCELLED"})
# The VTIMEZONE spells out the zone's transitions this far either side of the meeting, so a
# client that ignores its own zone database still shows the right wall-clock time.
_TZ_MARGIN = timedelta(days=366)
# How often a subscribed calendar app should fetch the feed again (RFC 7986 REFRESH-INTERVAL).
FEED_REFRESH = timedelta(hours=1)


@dataclass(frozen=True)
class Person:
    """Someone named in an invitation."""

    name: str
    email: str


@dataclass(frozen=True)
class IcsEvent:
    """One meeting as it goes into a calendar file."""

    uid: str  # stable per meeting, e.g. "meeting-42@slotapp"
    sequence: int  # increases on every change of the meeting (reschedule, decline)
    start: datetime  # aware
    end: datetime  # aware
    summary: str
    organizer: Person
    attendees: tuple[Person, ...]
    time_zone: str  # the owner's IANA zone: DTSTART/DTEND are written in it, with a VTIMEZONE
    description: str = ""
    location: str = ""
    url: str = ""  # video link (also appended to the description)
    status: str = "CONFIRMED"  # or "CANCELLED"


def _require_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {value!r}")


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone: {name!r}") from exc


def _in_zone(instant: datetime, zone: ZoneInfo) -> datetime:
    """`instant` as wall-clock time in `zone`, or in UTC where that would be ambiguous.

    A TZID time that occurs twice (the repeated hour when clocks go back) means its first
    occurrence (RFC 5545 3.3.5), so the second one can only be written exactly in UTC.
    """
    local = instant.astimezone(zone)
    if local.fold == 1 and local.replace(fold=0).utcoffset() != local.utcoffset():
        return instant.astimezone(UTC)
    return local


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text(value: str) -> str:
    """`value` without the control characters RFC 5545 forbids in text and parameters (a
    vertical tab or NUL in a CN makes parsers drop the whole ATTENDEE line); tabs and
    line breaks stay, the library escapes those."""
    return _CONTROL.sub("", value)


def _address(person: Person, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{_text(person.email)}")
    address.params["CN"] = vText(_text(person.name))
    for key, value in params.items():
        address.params[key] = value
    return address


def _description(event: IcsEvent) -> str:
    if event.url and event.url not in event.description:
        return f"{event.description}\n\n{event.url}" if event.description else event.url
    return event.description


def build_ics(event: IcsEvent, *, method: str, now: datetime) -> bytes:
    """An iCalendar file with one VEVENT for `event`, ready to attach or download.

    Args:
        event: The meeting.
        method: "REQUEST" (new or changed meeting), "CANCEL" (declined or cancelled; the
            event gets STATUS:CANCELLED) or "PUBLISH" (a plain download).
        now: The DTSTAMP (written in UTC).

    Returns:
        The calendar as UTF-8 bytes with CRLF line endings.

    Raises:
        ValueError: a naive datetime, end not after start, an unknown time zone, or an
            unknown method, status or negative sequence.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; use one of {sorted(METHODS)}")
    if event.status not in STATUSES:
        raise ValueError(f"unknown status {event.status!r}; use one of {sorted(STATUSES)}")
    if event.sequence < 0:
        raise ValueError(f"sequence must be >= 0, got {event.sequence}")
    if not event.uid:
        raise ValueError("uid must not be empty")
    for name, value in (("start", event.start), ("end", event.end), ("now", now)):
        _require_aware(name, value)
    if event.end <= event.start:
        raise ValueError(f"end {event.end.isoformat()} is not after start {event.start}")
    zone = _zone(event.time_zone)

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)

    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", now.astimezone(UTC))
    vevent.add("dtstart", _in_zone(event.start, zone))
    vevent.add("dtend", _in_zone(event.end, zone))
    vevent.add("summary", _text(event.summary))
    vevent.add("status", "CANCELLED" if method == "CANCEL" else event.status)
    description = _text(_description(event))
    if description:
        vevent.add("description", description)
    if event.location:
        vevent.add("location", _text(event.location))
    if event.url:
        vevent.add("url", event.url)
    vevent.add("organizer", _address(event.organizer))
    organizer_email = event.organizer.email.casefold()
    for person in event.attendees:
        # The organizer's own side has agreed to the meeting; everyone else still has to.
        partstat = "ACCEPTED" if person.email.casefold() == organizer_email else "NEEDS-ACTION"
        vevent.add(
            "attendee",
            _address(person, ROLE="REQ-PARTICIPANT", PARTSTAT=partstat, RSVP="FALSE"),
        )
    cal.add_component(vevent)
    cal.add_missing_timezones(
        first_date=event.start.astimezone(zone).date() - _TZ_MARGIN,
        last_date=event.end.astimezone(zone).date() + _TZ_MARGIN,
    )
    data: bytes = cal.to_ical()
    return data


def ics_filename(summary: str, start: datetime) -> str:
    """A safe download filename such as ``meeting-2026-11-23.ics``.

    Args:
        summary: The meeting title; reduced to lowercase ASCII letters, digits and dashes.
        start: The start; its date (in its own zone) ends the name.

    Returns:
        The filename, never containing path separators or non-ASCII characters.
    """
    ascii_text = unicodedata.normalize("NFKD", summary).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40].rstrip("-")
    return f"{slug or 'meeting'}-{start.date().isoformat()}.ics"


@dataclass(frozen=True)
class FeedEntry:
    """A meeting in a subscribed calendar and when it last changed (its DTSTAMP)."""

    event: IcsEvent
    changed_at: datetime  # aware


def build_feed_ics(
    entries: Sequence[FeedEntry], *, name: str, time_zone: str, now: datetime
) -> bytes:
    """A calendar to subscribe to: many meetings, no METHOD (RFC 5545 3.7.2: not a message).

    Each VEVENT is exactly the one `build_ics` writes (with method PUBLISH), so a meeting
    reads the same in an invitation and in the feed; its DTSTAMP is its last change.

    Args:
        entries: The meetings; cancelled ones keep STATUS:CANCELLED so calendars drop them.
        name: Shown by calendar apps as the calendar's name (X-WR-CALNAME, NAME).
        time_zone: The owner's zone; its VTIMEZONE is always included, so that even an
            empty feed holds the one component RFC 5545 requires.
        now: Centre of the VTIMEZONE's transitions when there are no meetings.

    Returns:
        The calendar as UTF-8 bytes with CRLF line endings.

    Raises:
        ValueError: as `build_ics`, or an unknown time zone.
    """
    _require_aware("now", now)
    zone = _zone(time_zone)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", time_zone)
    cal.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(FEED_REFRESH))
    first = last = now.astimezone(zone).date()
    vevents = []
    for entry in entries:
        single = Calendar.from_ical(build_ics(entry.event, method="PUBLISH", now=entry.changed_at))
        vevents.append(single.walk("VEVENT")[0])
        first = min(first, entry.event.start.astimezone(zone).date())
        last = max(last, entry.event.end.astimezone(zone).date())
    first, last = first - _TZ_MARGIN, last + _TZ_MARGIN
    # VTIMEZONEs first: some clients read a file top to bottom.
    cal.add_component(Timezone.from_tzid(time_zone, first_date=first, last_date=last))
    for vevent in vevents:
        cal.add_component(vevent)
    cal.add_missing_timezones(first_date=first, last_date=last)
    data: bytes = cal.to_ical()
    return data
