"""The busy times and hours of rooms and other resources, as the availability engine reads them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from slotapp.core.availability import Busy, HostSchedule
from slotapp.core.slot_settings import parse_weekly
from slotapp.models import Meeting, MeetingResource, Resource

# Busy items are fetched this far beyond the window: their buffers may reach into it.
MARGIN = timedelta(days=1)


def resource_busy(
    *, session: Session, resource_ids: Sequence[int], start: datetime, end: datetime
) -> dict[int, list[Busy]]:
    """The meetings holding each resource around [start, end), with their buffers."""
    rows = session.exec(
        select(MeetingResource, Meeting)
        .join(Meeting, col(Meeting.id) == col(MeetingResource.meeting_id))
        .where(col(MeetingResource.resource_id).in_(list(resource_ids)))
        .where(col(MeetingResource.blocks).is_(True))
        .where(col(MeetingResource.start_at) < end + MARGIN)
        .where(col(MeetingResource.end_at) > start - MARGIN)
    ).all()
    busy: dict[int, list[Busy]] = {rid: [] for rid in resource_ids}
    for held, meeting in rows:
        busy[held.resource_id].append(
            Busy(
                start=held.start_at,
                end=held.end_at,
                before=timedelta(minutes=meeting.buffer_before_minutes),
                after=timedelta(minutes=meeting.buffer_after_minutes),
                status=meeting.status,
                is_meeting=True,
            )
        )
    return busy


def resource_schedules(
    *, session: Session, resource_ids: Sequence[int], start: datetime, end: datetime
) -> dict[int, HostSchedule]:
    """Each existing resource's hours and bookings as an engine schedule (inactive: no hours)."""
    rows = session.exec(select(Resource).where(col(Resource.id).in_(list(resource_ids)))).all()
    busy = resource_busy(session=session, resource_ids=resource_ids, start=start, end=end)
    out: dict[int, HostSchedule] = {}
    for row in rows:
        assert row.id is not None
        weekly = parse_weekly(row.weekly_hours) if row.is_active else {}
        out[row.id] = HostSchedule(time_zone=row.time_zone, weekly=weekly, busy=busy[row.id])
    return out
