"""Reading and saving an owner's slot settings (weekly hours, rules, days off)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, delete, select

from slotapp.core.slot_settings import (
    SettingsError,
    SlotSettings,
    check_settings,
    format_ranges,
    parse_ranges,
    parse_weekly,
)
from slotapp.models import AvailabilitySettings, DateOverride


def _row(session: Session, user_id: int) -> AvailabilitySettings:
    row = session.get(AvailabilitySettings, user_id)
    if row is None:
        row = AvailabilitySettings(user_id=user_id)
        session.add(row)
        session.flush()
    return row


def load_settings(*, session: Session, user_id: int) -> SlotSettings:
    """The user's settings as plain values."""
    row = _row(session, user_id)
    overrides = session.exec(select(DateOverride).where(DateOverride.user_id == user_id)).all()
    return SlotSettings(
        weekly=parse_weekly(row.weekly_hours),
        overrides={o.day: parse_ranges(o.ranges) for o in overrides},
        length_minutes=row.length_minutes,
        step_minutes=row.step_minutes,
        min_notice_minutes=row.min_notice_minutes,
        booking_window_days=row.booking_window_days,
        buffer_before_minutes=row.buffer_before_minutes,
        buffer_after_minutes=row.buffer_after_minutes,
        daily_limit=row.daily_limit,
    )


def open_slots_enabled(*, session: Session, user_id: int) -> bool:
    """Whether the user's open slots are switched on."""
    return _row(session, user_id).open_slots_enabled


def save_settings(*, session: Session, user_id: int, settings: SlotSettings, now: datetime) -> None:
    """Store valid settings; they apply to the user's live links at once.

    Raises:
        SettingsError: with a message per field; nothing is stored.
    """
    errors = check_settings(settings)
    if errors:
        raise SettingsError(errors)
    row = _row(session, user_id)
    row.weekly_hours = {
        str(day): format_ranges(r) for day, r in sorted(settings.weekly.items()) if r
    }
    row.length_minutes = settings.length_minutes
    row.step_minutes = settings.step_minutes
    row.min_notice_minutes = settings.min_notice_minutes
    row.booking_window_days = settings.booking_window_days
    row.buffer_before_minutes = settings.buffer_before_minutes
    row.buffer_after_minutes = settings.buffer_after_minutes
    row.daily_limit = settings.daily_limit
    row.updated_at = now
    session.add(row)
    session.exec(delete(DateOverride).where(col(DateOverride.user_id) == user_id))
    for day, ranges in sorted(settings.overrides.items()):
        session.add(DateOverride(user_id=user_id, day=day, ranges=format_ranges(ranges)))
    session.flush()
