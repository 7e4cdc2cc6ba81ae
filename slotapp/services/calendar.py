"""A user's meetings for the Calendar page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from slotapp.models import Meeting, MeetingParticipant


@dataclass(frozen=True)
class AgendaItem:
    """One meeting as the agenda lists it."""

    meeting_id: int
    title: str
    start: datetime
    end: datetime
    guest_name: str
    guest_email: str
    status: str
    is_test: bool


def agenda(*, session: Session, user_id: int, start: datetime, end: datetime) -> list[AgendaItem]:
    """Meetings the user takes part in that end after `start` and begin before `end`."""
    rows = session.exec(
        select(Meeting)
        .join(MeetingParticipant, col(MeetingParticipant.meeting_id) == col(Meeting.id))
        .where(MeetingParticipant.user_id == user_id)
        .where(col(Meeting.end_at) > start)
        .where(col(Meeting.start_at) < end)
        .order_by(col(Meeting.start_at))
    ).all()
    return [
        AgendaItem(
            m.id or 0,
            m.title,
            m.start_at,
            m.end_at,
            m.guest_name,
            m.guest_email,
            m.status,
            m.is_test,
        )
        for m in rows
    ]
