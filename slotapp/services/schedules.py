"""Turn stored settings and meetings into the availability engine's inputs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from slotapp.core.availability import Busy, HostSchedule, SlotRules, available_slots
from slotapp.core.slot_settings import SlotSettings
from slotapp.models import FeedBusy, Meeting, MeetingParticipant, ShareLink, User
from slotapp.services.links import member_ids
from slotapp.services.slot_settings import load_settings

# Busy items are fetched this far beyond the window: their buffers may reach into it.
MARGIN = timedelta(days=1)


def rules_from(settings: SlotSettings) -> SlotRules:
    """The engine's rules from an owner's settings."""
    return SlotRules(
        length=settings.length,
        step=timedelta(minutes=settings.step_minutes) if settings.step_minutes else None,
        min_notice=timedelta(minutes=settings.min_notice_minutes),
        buffer_before=timedelta(minutes=settings.buffer_before_minutes),
        buffer_after=timedelta(minutes=settings.buffer_after_minutes),
        booking_window_days=settings.booking_window_days,
        daily_limit=settings.daily_limit,
    )


def busy_times(
    *, session: Session, user_ids: Sequence[int], start: datetime, end: datetime
) -> dict[int, list[Busy]]:
    """Busy items of each user overlapping [start - margin, end + margin).

    Blocking meetings (with their buffers) and the busy times of connected calendars.
    """
    rows = session.exec(
        select(MeetingParticipant, Meeting)
        .join(Meeting, col(Meeting.id) == col(MeetingParticipant.meeting_id))
        .where(col(MeetingParticipant.user_id).in_(list(user_ids)))
        .where(col(MeetingParticipant.blocks).is_(True))
        .where(col(MeetingParticipant.start_at) < end + MARGIN)
        .where(col(MeetingParticipant.end_at) > start - MARGIN)
    ).all()
    busy: dict[int, list[Busy]] = {uid: [] for uid in user_ids}
    for part, meeting in rows:
        busy[part.user_id].append(
            Busy(
                start=part.start_at,
                end=part.end_at,
                before=timedelta(minutes=meeting.buffer_before_minutes),
                after=timedelta(minutes=meeting.buffer_after_minutes),
                status=meeting.status,
                is_meeting=True,
            )
        )
    # Connected calendars (already expanded, in UTC): busy, but not meetings for daily limits.
    # Thousands of rows for a shared link: a Core query skips the ORM's per-row work.
    feed_busy = FeedBusy.__table__  # type: ignore[attr-defined]
    feed_rows = session.connection().execute(
        sa_select(feed_busy.c.user_id, feed_busy.c.start_at, feed_busy.c.end_at)
        .where(feed_busy.c.user_id.in_(list(user_ids)))
        .where(feed_busy.c.start_at < end + MARGIN)
        .where(feed_busy.c.end_at > start - MARGIN)
    )
    for user_id, busy_start, busy_end in feed_rows:
        busy[user_id].append(Busy(start=busy_start, end=busy_end))
    return busy


def host_schedules(
    *, session: Session, user_ids: Sequence[int], start: datetime, end: datetime
) -> list[HostSchedule]:
    """One schedule per user, in the given order (the first is the owner)."""
    busy = busy_times(session=session, user_ids=user_ids, start=start, end=end)
    schedules = []
    for uid in user_ids:
        user = session.get(User, uid)
        assert user is not None
        settings = load_settings(session=session, user_id=uid)
        schedules.append(
            HostSchedule(
                time_zone=user.time_zone,
                weekly=settings.weekly,
                overrides=settings.overrides,
                busy=busy[uid],
            )
        )
    return schedules


def link_hosts(*, session: Session, link: ShareLink) -> list[int]:
    """The owner first, then the colleagues whose time the link also needs."""
    return [link.owner_id, *member_ids(session=session, link=link)]


def link_slots(
    *, session: Session, link: ShareLink, start: datetime, end: datetime, now: datetime
) -> list[datetime]:
    """Bookable starts (UTC) of a link between `start` and `end`."""
    hosts = link_hosts(session=session, link=link)
    rules = rules_from(load_settings(session=session, user_id=link.owner_id))
    schedules = host_schedules(session=session, user_ids=hosts, start=start, end=end)
    return available_slots(schedules, rules, window_start=start, window_end=end, now=now)
