"""Rules for changing a booked meeting: who may do what, and what a valid change is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from slotapp.core.validation import InvalidInput, required_text

TITLE_MAX = 200
LOCATION_MAX = 300
# Times an admin may move a meeting to: on this grid, like the times guests are offered.
RESCHEDULE_GRID = timedelta(minutes=5)


@dataclass(frozen=True)
class Actor:
    """Who asks for a change."""

    user_id: int
    is_admin: bool


@dataclass(frozen=True)
class MeetingFacts:
    """What the rules need to know about a meeting."""

    organizer_id: int | None
    participant_ids: frozenset[int]
    start: datetime
    end: datetime
    active: bool  # confirmed (not declined or cancelled)


class NotAllowed(Exception):
    """The actor may not do this to this meeting."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def may_view(actor: Actor, meeting: MeetingFacts) -> bool:
    """Admins, the organizer and every participant see the meeting."""
    return (
        actor.is_admin
        or actor.user_id == meeting.organizer_id
        or actor.user_id in meeting.participant_ids
    )


def may_edit(actor: Actor, meeting: MeetingFacts) -> bool:
    """Admins and the organizer change name, place, attendees and video link, and decline."""
    return actor.is_admin or actor.user_id == meeting.organizer_id


def check_edit(actor: Actor, meeting: MeetingFacts, *, now: datetime) -> None:
    """Raise NotAllowed unless `actor` may change `meeting` now."""
    if not may_edit(actor, meeting):
        raise NotAllowed("Only the meeting's organizer or an admin can change it.")
    if not meeting.active:
        raise NotAllowed("This meeting was declined; it can no longer be changed.")
    if meeting.end <= now:
        raise NotAllowed("This meeting is over; it can no longer be changed.")


def check_reschedule(
    actor: Actor, meeting: MeetingFacts, new_start: datetime, *, now: datetime
) -> datetime:
    """The new start, if an admin may move the meeting there; else NotAllowed/InvalidInput."""
    if not actor.is_admin:
        raise NotAllowed("Only an admin can change the date and time of a meeting.")
    check_edit(actor, meeting, now=now)
    if new_start.tzinfo is None or new_start.utcoffset() is None:
        raise InvalidInput("start", "The new time must include its time zone.")
    if new_start <= now:
        raise InvalidInput("start", "Pick a time in the future.")
    grid = int(RESCHEDULE_GRID.total_seconds())
    if int(new_start.timestamp()) % grid or new_start.microsecond:
        raise InvalidInput("start", "Pick a time on a 5-minute mark.")
    if new_start == meeting.start:
        raise InvalidInput("start", "That is the meeting's current time.")
    return new_start


def clean_title(raw: str) -> str:
    """A meeting's name: required, at most TITLE_MAX characters."""
    return required_text(raw, field="title", label="a name for the meeting", max_length=TITLE_MAX)


def clean_location(raw: str) -> str:
    """A place or address; may be empty."""
    value = (raw or "").strip()
    if len(value) > LOCATION_MAX:
        raise InvalidInput("location", f"The location must be at most {LOCATION_MAX} characters.")
    return value


def video_room_url(base_url: str, room: str) -> str:
    """A meeting room on a Jitsi-style server: one path segment per room.

    `room` must be unguessable (the service passes a random token); anyone holding the URL
    can join, as with every such server.
    """
    if not room or not room.replace("-", "").replace("_", "").isalnum():
        raise ValueError(f"room must be a URL-safe token, got {room!r}")
    return f"{base_url.rstrip('/')}/slotapp-{room}"


def parse_wall_time(date_text: str, time_text: str, tz: ZoneInfo) -> datetime:
    """'2026-11-25' and '14:30' on `tz`'s clock as an aware datetime.

    A wall time that a clock change skips or repeats is refused rather than guessed.
    """
    try:
        wall = datetime.fromisoformat(f"{date_text.strip()}T{time_text.strip()}")
    except ValueError as exc:
        raise InvalidInput("start", "Enter a date and a time.") from exc
    if wall.tzinfo is not None:
        raise InvalidInput("start", "Enter the time without a zone.")
    first, second = wall.replace(tzinfo=tz, fold=0), wall.replace(tzinfo=tz, fold=1)
    if first.utcoffset() != second.utcoffset():
        raise InvalidInput(
            "start", f"{wall:%H:%M} is skipped or repeated by a clock change that day."
        )
    return first
