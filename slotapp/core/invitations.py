"""Invitations: the three-step form's checks, the time frame, slots with rooms and pools.

Pure: plain values in and out, `now` is a parameter. A time frame is treated as one more
schedule (the same daily hours on every day between two dates, in the invitation's zone), so
the availability engine does all interval work; a resource pool ("any one free room") is the
union, over its resources, of the starts at which that resource is free.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from slotapp.core.availability import HostSchedule, SlotRules, available_slots, group_by_local_date
from slotapp.core.slot_settings import parse_time
from slotapp.core.validation import InvalidInput, known_time_zone, normalise_email, required_text
from slotapp.core.wallclock import local_to_utc, zone

DEFAULT_TITLE_TEMPLATE = "{subject} with {participant}"
TITLE_FIELDS = ("subject", "participant", "inviter", "type")
DURATION_LIMITS = (5, 8 * 60)
FRAME_MAX_DAYS = 120
PROMOTED_MAX = 5
_PLACEHOLDER = re.compile(r"\{(\w*)\}")


class MeetingType(StrEnum):
    """How the meeting takes place."""

    IN_PERSON = "in_person"
    PHONE = "phone"
    VIDEO = "video"


MEETING_TYPE_LABELS = {
    MeetingType.IN_PERSON.value: "In person",
    MeetingType.PHONE.value: "Phone",
    MeetingType.VIDEO.value: "Video",
}

# Which form fields each step of the three-step form shows (its errors are shown there).
STEP_FIELDS: dict[int, tuple[str, ...]] = {
    1: ("participant_name", "participant_email"),
    2: ("subject", "duration_minutes", "member_ids", "meeting_type", "title_template"),
    3: ("date_from", "date_to", "daily_from", "daily_to", "time_zone"),
}


@dataclass(frozen=True)
class InvitationDraft:
    """The form as typed: dates as ISO text ("2026-11-23"), hours as "09:00" ("24:00" ok)."""

    participant_name: str = ""
    participant_email: str = ""
    subject: str = ""
    duration_minutes: int = 30
    member_ids: tuple[int, ...] = ()
    description: str = ""
    hide_description: bool = False
    conferencing: str = ""
    generate_video: bool = False
    meeting_type: str = MeetingType.VIDEO.value
    location: str = ""
    resource_ids: tuple[int, ...] = ()
    pool_ids: tuple[int, ...] = ()
    date_from: str = ""
    date_to: str = ""
    daily_from: str = "09:00"
    daily_to: str = "17:00"
    time_zone: str = "UTC"
    show_in_participant_zone: bool = True
    title_template: str = DEFAULT_TITLE_TEMPLATE
    is_private: bool = False
    add_to_calendar: bool = True
    send_confirmation: bool = True
    promote: bool = False  # "Promote specific time slots"
    promoted_starts: tuple[datetime, ...] = ()  # chosen ones; empty = suggest
    promote_count: int = 3


@dataclass(frozen=True)
class TimeFrame:
    """Daily hours on every day from `date_from` to `date_to` (inclusive) in `time_zone`.

    `day_end` of `time.max` means midnight at the end of the day.
    """

    date_from: date
    date_to: date
    day_start: time
    day_end: time
    time_zone: str


@dataclass(frozen=True)
class CleanInvitation:
    """A draft that passed every check, in typed form."""

    participant_name: str
    participant_email: str
    subject: str
    length: timedelta
    member_ids: tuple[int, ...]
    description: str
    hide_description: bool
    conferencing: str
    generate_video: bool
    meeting_type: str
    location: str
    resource_ids: tuple[int, ...]
    pool_ids: tuple[int, ...]
    frame: TimeFrame
    show_in_participant_zone: bool
    title_template: str
    is_private: bool
    add_to_calendar: bool
    send_confirmation: bool
    promote: bool
    promoted_starts: tuple[datetime, ...]
    promote_count: int


@dataclass(frozen=True)
class Bookable:
    """A resource that may be chosen: its id, its name (for a stable choice) and its time."""

    id: int
    name: str
    schedule: HostSchedule


class InvitationInvalid(ValueError):
    """A refused draft; `errors` maps each form field to its message."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = dict(errors)


def parse_day_time(text: str, *, end: bool = False) -> time:
    """'09:30' -> time(9, 30); as an end, '24:00' -> time.max (the end of the day)."""
    if end and text.strip() in {"24:00", "00:00"}:
        return time.max
    return parse_time(text)


def _parse_date(text: str, field: str) -> date:
    try:
        return date.fromisoformat((text or "").strip())
    except ValueError as exc:
        raise InvalidInput(field, "Enter a date like 2026-11-23.") from exc


def check_draft(
    draft: InvitationDraft, *, now: datetime, step: int | None = None
) -> dict[str, str]:
    """Every problem of the draft (or of one step), keyed by form field; {} when all is well.

    Args:
        draft: The form's values.
        now: Aware current instant; the frame may not end before today in its zone.
        step: 1, 2 or 3 to check only that step's fields; None for all.
    """
    try:
        clean_draft(draft, now=now)
    except InvitationInvalid as exc:
        errors = exc.errors
    else:
        return {}
    if step is None:
        return errors
    fields = STEP_FIELDS.get(step, ())
    return {k: v for k, v in errors.items() if k in fields}


def clean_draft(draft: InvitationDraft, *, now: datetime) -> CleanInvitation:
    """The checked, typed invitation.

    Raises:
        InvitationInvalid: with one message per offending field.
    """
    errors: dict[str, str] = {}
    name = email = subject = ""
    try:
        name = required_text(
            draft.participant_name, field="participant_name", label="a name", max_length=120
        )
    except InvalidInput as exc:
        errors[exc.field] = exc.message
    try:
        email = normalise_email(draft.participant_email, field="participant_email")
    except InvalidInput as exc:
        errors[exc.field] = exc.message
    try:
        subject = required_text(draft.subject, field="subject", label="a subject", max_length=200)
    except InvalidInput as exc:
        errors[exc.field] = exc.message
    low, high = DURATION_LIMITS
    if not low <= draft.duration_minutes <= high:
        errors["duration_minutes"] = f"The duration must be between {low} and {high} minutes."
    if not draft.member_ids:
        errors["member_ids"] = "Add at least one team member."
    if draft.meeting_type not in MEETING_TYPE_LABELS:
        errors["meeting_type"] = "Choose in person, phone or video."
    if problem := template_problem(draft.title_template):
        errors["title_template"] = problem
    if len(draft.description) > 4000:
        errors["description"] = "The description must be at most 4000 characters."
    if len(draft.conferencing) > 1000:
        errors["conferencing"] = "The conferencing information must be at most 1000 characters."
    if len(draft.location.strip()) > 300:
        errors["location"] = "The location must be at most 300 characters."
    if not 1 <= draft.promote_count <= PROMOTED_MAX:
        errors["promote_count"] = f"Promote between 1 and {PROMOTED_MAX} time slots."
    if len(draft.promoted_starts) > PROMOTED_MAX:
        errors["promoted_starts"] = f"Promote at most {PROMOTED_MAX} time slots."
    if any(s.tzinfo is None or s.utcoffset() is None for s in draft.promoted_starts):
        errors["promoted_starts"] = "Promoted times must include their time zone."
    frame = _clean_frame(draft, now, errors)
    if errors or frame is None:
        raise InvitationInvalid(errors)
    return CleanInvitation(
        participant_name=name,
        participant_email=email,
        subject=subject,
        length=timedelta(minutes=draft.duration_minutes),
        member_ids=tuple(dict.fromkeys(draft.member_ids)),
        description=draft.description.strip(),
        hide_description=draft.hide_description,
        conferencing=draft.conferencing.strip(),
        generate_video=draft.generate_video,
        meeting_type=draft.meeting_type,
        location=draft.location.strip(),
        resource_ids=tuple(dict.fromkeys(draft.resource_ids)),
        pool_ids=tuple(dict.fromkeys(draft.pool_ids)),
        frame=frame,
        show_in_participant_zone=draft.show_in_participant_zone,
        title_template=draft.title_template.strip() or DEFAULT_TITLE_TEMPLATE,
        is_private=draft.is_private,
        add_to_calendar=draft.add_to_calendar,
        send_confirmation=draft.send_confirmation,
        promote=draft.promote,
        promoted_starts=tuple(sorted({s.astimezone(UTC) for s in draft.promoted_starts})),
        promote_count=draft.promote_count,
    )


def _clean_frame(draft: InvitationDraft, now: datetime, errors: dict[str, str]) -> TimeFrame | None:
    """The time frame, or None after recording what is wrong with it in `errors`."""
    tz_name = first = last = start = end = None
    try:
        tz_name = known_time_zone(draft.time_zone)
    except InvalidInput as exc:
        errors[exc.field] = exc.message
    for field in ("date_from", "date_to"):
        try:
            value = _parse_date(getattr(draft, field), field)
        except InvalidInput as exc:
            errors[exc.field] = exc.message
            continue
        if field == "date_from":
            first = value
        else:
            last = value
    try:
        start = parse_day_time(draft.daily_from)
    except ValueError as exc:
        errors["daily_from"] = str(exc)
    try:
        end = parse_day_time(draft.daily_to, end=True)
    except ValueError as exc:
        errors["daily_to"] = str(exc)
    if start is not None and end is not None and end <= start:
        errors["daily_to"] = "The daily end must be after the daily start."
    elif start is not None and end is not None and "duration_minutes" not in errors:
        span = _minutes(start, end)
        if span < draft.duration_minutes:
            errors["daily_to"] = (
                f"A {draft.duration_minutes}-minute meeting does not fit in the daily hours."
            )
    if first is not None and last is not None:
        if last < first:
            errors["date_to"] = "The end date must not be before the start date."
        elif (last - first).days >= FRAME_MAX_DAYS:
            errors["date_to"] = f"The time frame can span at most {FRAME_MAX_DAYS} days."
        elif tz_name is not None and last < now.astimezone(zone(tz_name)).date():
            errors["date_to"] = "The time frame is in the past."
    if tz_name is None or first is None or last is None or start is None or end is None:
        return None
    return TimeFrame(first, last, start, end, tz_name)


def _minutes(a: time, b: time) -> int:
    end = 24 * 60 if b == time.max else b.hour * 60 + b.minute
    return end - (a.hour * 60 + a.minute)


def frame_schedule(frame: TimeFrame) -> HostSchedule:
    """The frame's daily hours, every day of the week, as a schedule in the frame's zone."""
    return HostSchedule(
        time_zone=frame.time_zone,
        weekly={day: ((frame.day_start, frame.day_end),) for day in range(7)},
    )


def frame_window(frame: TimeFrame) -> tuple[datetime, datetime]:
    """From midnight starting `date_from` to midnight ending `date_to`, in UTC."""
    tz = zone(frame.time_zone)
    return (
        local_to_utc(frame.date_from, time(0), tz),
        local_to_utc(frame.date_to + timedelta(days=1), time(0), tz),
    )


def slot_rules(length: timedelta) -> SlotRules:
    """Starts every 30 minutes (15 for short meetings) on the invitation zone's clock.

    The step is one of the engine's alignment units, so every start lies on one fixed wall
    grid and starts computed for different sets of hosts can be compared (pools below).
    """
    step = timedelta(minutes=30) if length >= timedelta(minutes=30) else timedelta(minutes=15)
    return SlotRules(length=length, step=step)


def _slots(
    frame: TimeFrame,
    length: timedelta,
    hosts: Sequence[HostSchedule],
    now: datetime,
    within: tuple[datetime, datetime] | None = None,
) -> list[datetime]:
    start, end = frame_window(frame)
    if within is not None:
        start, end = max(start, within[0]), min(end, within[1])
        if end - start < length:
            return []
    return available_slots(
        [frame_schedule(frame), *hosts],
        slot_rules(length),
        window_start=start,
        window_end=end,
        now=now,
    )


def invitation_slots(
    frame: TimeFrame,
    length: timedelta,
    *,
    members: Sequence[HostSchedule],
    rooms: Sequence[HostSchedule] = (),
    pools: Sequence[Sequence[Bookable]] = (),
    now: datetime,
    within: tuple[datetime, datetime] | None = None,
) -> list[datetime]:
    """Starts (UTC) at which every member and room is free and each pool has a free resource.

    Args:
        frame: When the participant may pick a time.
        length: The meeting's duration.
        members: The team members' schedules.
        rooms: Resources the meeting needs, each of them.
        pools: For each pool its resources; any one free resource of a pool will do.
        now: Aware current instant; no start before it.
        within: Only look inside this part of the frame (a booking re-checks its start
            with exactly [start, start + length)).

    Returns:
        Sorted, unique starts.
    """
    slots = _slots(frame, length, [*members, *rooms], now, within)
    for pool in pools:
        if not slots:
            break
        free_somewhere: set[datetime] = set()
        for resource in pool:
            free_somewhere.update(_slots(frame, length, [resource.schedule], now, within))
        slots = [s for s in slots if s in free_somewhere]
    return slots


def choose_resource(
    frame: TimeFrame, length: timedelta, pool: Sequence[Bookable], start: datetime, now: datetime
) -> Bookable | None:
    """The first resource of the pool (by name, then id) free at `start`, or None."""
    meeting = (start, start + length)
    for resource in sorted(pool, key=lambda r: (r.name.casefold(), r.id)):
        if _slots(frame, length, [resource.schedule], now, meeting) == [start]:
            return resource
    return None


def no_slots_reason(
    frame: TimeFrame,
    length: timedelta,
    *,
    members: Mapping[str, HostSchedule],
    rooms: Mapping[str, HostSchedule] = {},  # noqa: B006 - read only
    pools: Mapping[str, Sequence[Bookable]] = {},  # noqa: B006 - read only
    now: datetime,
) -> str:
    """Why no slot is offered, naming the first person, room or pool that leaves none.

    Args:
        members, rooms: By display name; pools: by name, with their resources.
    """
    if not _slots(frame, length, [], now):
        return "No time in the frame fits the meeting: widen the dates or the daily hours."
    hosts: list[HostSchedule] = []
    for label, group in (("team member", members), ("room", rooms)):
        for name, schedule in group.items():
            hosts.append(schedule)
            if not _slots(frame, length, hosts, now):
                return f"No time in the frame when the {label} {name} is free as well."
    base = invitation_slots(frame, length, members=[], rooms=hosts, now=now)
    for name, pool in pools.items():
        if not pool:
            return f"The resource pool {name} has no active resources."
        base = invitation_slots(frame, length, members=[], rooms=hosts, pools=[pool], now=now)
        if not base:
            return f"No time in the frame when a resource of the pool {name} is free as well."
    return "No time in the frame when everyone and everything is free."


def start_param(start: datetime) -> str:
    """A start as it appears in a one-click link: '20261123T090000Z'."""
    return start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def parse_start_param(text: str) -> datetime:
    """The start of a one-click link (or any ISO-8601 time with a zone), in UTC.

    Raises:
        InvalidInput: "start" when the text is not a time with a zone.
    """
    raw = (text or "").strip()
    try:
        value = datetime.strptime(raw, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        try:
            value = datetime.fromisoformat(raw)
        except ValueError as exc:
            raise InvalidInput("start", "That is not a valid time.") from exc
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidInput("start", "The time must include its time zone.")
    return value.astimezone(UTC)


def template_problem(template: str) -> str | None:
    """What is wrong with a title template (unknown placeholder, too long), or None."""
    if len(template) > 200:
        return "The title template must be at most 200 characters."
    unknown = sorted({m.group(1) for m in _PLACEHOLDER.finditer(template)} - set(TITLE_FIELDS))
    if unknown:
        known = ", ".join("{" + f + "}" for f in TITLE_FIELDS)
        return f"Unknown placeholder {{{unknown[0]}}}; use {known}."
    return None


def render_title(template: str, values: Mapping[str, str]) -> str:
    """The meeting title: each known {placeholder} replaced once, in one pass.

    Values are inserted verbatim, so braces in a subject or name are never read as
    placeholders; an unknown placeholder stays as written. Falls back to the subject when
    the result is blank; at most 200 characters, on one line.
    """

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        return values[key] if key in TITLE_FIELDS and key in values else match.group(0)

    title = " ".join(_PLACEHOLDER.sub(fill, template or DEFAULT_TITLE_TEMPLATE).split())
    return (title or " ".join(values.get("subject", "").split()) or "Meeting")[:200]


def suggest_slots(slots: Sequence[datetime], time_zone: str, limit: int) -> list[datetime]:
    """Up to `limit` starts spread over the days (and within a day) in a zone.

    With at least `limit` days, one start per day on days spread evenly over the frame;
    otherwise every day gets its share, spread from morning to evening.
    """
    days = list(group_by_local_date(slots, time_zone).values())
    if limit <= 0 or not days:
        return []
    if len(days) >= limit:
        chosen = [days[i] for i in _spread(len(days), limit)]
        # Alternate mornings and middays, so the participant sees different times of day.
        return sorted(day[0] if i % 2 == 0 else day[len(day) // 2] for i, day in enumerate(chosen))
    per_day = -(-limit // len(days))
    rounds: list[list[datetime]] = [[day[i] for i in _spread(len(day), per_day)] for day in days]
    out: list[datetime] = []
    for k in range(per_day):
        for day_picks in rounds:
            if k < len(day_picks) and len(out) < limit:
                out.append(day_picks[k])
    return sorted(out)


def _spread(n: int, k: int) -> list[int]:
    """Up to k distinct indices of 0..n-1 spread evenly, first and last included."""
    if n <= 0:
        return []
    if k >= n:
        return list(range(n))
    if k <= 1:
        return [0]
    return sorted({round(i * (n - 1) / (k - 1)) for i in range(k)})


def display_zone(
    *, show_in_participant_zone: bool, invitation_zone: str, participant_zone: str | None
) -> str:
    """The zone the participant sees times in."""
    if show_in_participant_zone and participant_zone:
        try:
            return known_time_zone(participant_zone)
        except InvalidInput:
            return invitation_zone
    return invitation_zone
