"""Invitations: the time frame, slots with rooms and pools, titles and suggested slots.

Pure: plain values in and out, `now` is a parameter. A time frame is treated as one more
schedule (the same daily hours on every day between two dates, in the invitation's zone), so
the availability engine does all interval work; a resource pool ("any one free room") is the
union, over its resources, of the starts at which that resource is free. The form and its
checks are in core.invitation_form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from slotapp.core.availability import HostSchedule, SlotRules, available_slots, group_by_local_date
from slotapp.core.validation import InvalidInput, known_time_zone
from slotapp.core.wallclock import local_to_utc, zone

DEFAULT_TITLE_TEMPLATE = "{subject} with {participant}"
TITLE_FIELDS = ("subject", "participant", "inviter", "type")
PROMOTED_MAX = 5
_PLACEHOLDER = re.compile(r"\{(\w*)\}")


class MeetingType(StrEnum):
    """How the meeting takes place."""

    IN_PERSON = "in_person"
    PHONE = "phone"
    VIDEO = "video"


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
class Bookable:
    """A resource that may be chosen: its id, its name (for a stable choice) and its time."""

    id: int
    name: str
    schedule: HostSchedule


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
