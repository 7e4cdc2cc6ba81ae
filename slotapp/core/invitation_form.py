"""The three-step invitation form: its fields, per-step checks and the typed result.

Pure: plain values in and out, `now` is a parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from slotapp.core.invitations import (
    DEFAULT_TITLE_TEMPLATE,
    PROMOTED_MAX,
    MeetingType,
    TimeFrame,
    template_problem,
)
from slotapp.core.slot_settings import parse_time
from slotapp.core.validation import (
    InvalidInput,
    known_time_zone,
    normalise_email,
    required_text,
    utc_instant,
)
from slotapp.core.wallclock import zone

DURATION_LIMITS = (5, 8 * 60)
FRAME_MAX_DAYS = 120

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
    return utc_instant(value)
