"""The new-invitation form's text fields and switches, to and from an InvitationDraft.

The form keeps what the user typed as text (so a half-typed number is not lost); these turn
that text into a draft, give a fresh form its defaults, and label times for the form.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from slotapp.core.invitation_form import InvitationDraft
from slotapp.core.wallclock import zone

FRAME_DAYS = 14
SUGGESTED = 10  # suggestions offered to choose the promoted slots from
# Stand-ins while step 1 is empty, so the counter shows the team's free time from the start.
COUNT_STANDINS = {
    "participant_name": "Participant",
    "participant_email": "participant@example.com",
    "subject": "Meeting",
}
TEXT_FIELDS = (
    "participant_name",
    "participant_email",
    "subject",
    "duration_minutes",
    "description",
    "conferencing",
    "meeting_type",
    "location",
    "date_from",
    "date_to",
    "daily_from",
    "daily_to",
    "time_zone",
    "title_template",
    "promote_count",
)
FLAGS = (
    "hide_description",
    "generate_video",
    "show_in_participant_zone",
    "is_private",
    "add_to_calendar",
    "send_confirmation",
    "promote",
)


def when_label(start: datetime, tz_name: str) -> str:
    """A start as the form lists it, e.g. "Mon 02 Mar, 09:30", in zone `tz_name`."""
    local = start.astimezone(zone(tz_name))
    return f"{local:%a %d %b, %H:%M}"


def blank_values(today: date, time_zone: str) -> dict[str, str]:
    """A fresh form's text fields: the next FRAME_DAYS days from `today`, in `time_zone`."""
    return {
        "participant_name": "",
        "participant_email": "",
        "subject": "",
        "duration_minutes": "30",
        "description": "",
        "conferencing": "",
        "meeting_type": "video",
        "location": "",
        "date_from": today.isoformat(),
        "date_to": (today + timedelta(days=FRAME_DAYS - 1)).isoformat(),
        "daily_from": "09:00",
        "daily_to": "17:00",
        "time_zone": time_zone,
        "title_template": InvitationDraft().title_template,
        "promote_count": "3",
    }


def blank_flags() -> dict[str, bool]:
    """A fresh form's switches: the draft's defaults."""
    return {f: getattr(InvitationDraft(), f) for f in FLAGS}


def draft_from_form(
    values: dict[str, str],
    flags: dict[str, bool],
    *,
    member_ids: list[str],
    resource_ids: list[str],
    pool_ids: list[str],
    promoted: list[str],
) -> InvitationDraft:
    """The draft the form's text and switches describe (numbers that do not parse are 0)."""
    try:
        duration = int(values.get("duration_minutes", "") or 0)
    except ValueError:
        duration = 0
    try:
        count = int(values.get("promote_count", "3") or 3)
    except ValueError:
        count = 0
    # Any: mypy cannot match a dict of field names to the draft's typed parameters.
    text: dict[str, Any] = {
        k: values.get(k, "") for k in TEXT_FIELDS if k not in {"duration_minutes", "promote_count"}
    }
    switches: dict[str, Any] = {f: bool(flags.get(f)) for f in FLAGS}
    return InvitationDraft(
        **text,
        duration_minutes=duration,
        promote_count=count,
        member_ids=tuple(int(i) for i in member_ids),
        resource_ids=tuple(int(i) for i in resource_ids),
        pool_ids=tuple(int(i) for i in pool_ids),
        promoted_starts=tuple(datetime.fromisoformat(s) for s in promoted),
        **switches,
    )


def links_text(link_url: str, promoted_links: list[dict[str, str]]) -> str:
    """What "Copy meeting links" puts on the clipboard: promoted times first, then the rest."""
    lines = [f"{p['label']}: {p['url']}" for p in promoted_links]
    if lines:
        lines.append(f"Other times: {link_url}")
        return "\n".join(lines)
    return link_url
