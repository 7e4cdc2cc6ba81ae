"""Rows every booking writes: the hosts of the new meeting and the use of its link."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlmodel import Session

from slotapp.models import Meeting, MeetingParticipant, ShareLink


def add_hosts(session: Session, meeting: Meeting, user_ids: Iterable[int]) -> None:
    """A blocking host row per user, with the meeting's times (the overlap guards read them).

    The meeting must be flushed already (it needs its id).
    """
    assert meeting.id is not None
    for uid in user_ids:
        session.add(
            MeetingParticipant(
                meeting_id=meeting.id,
                user_id=uid,
                is_host=True,
                start_at=meeting.start_at,
                end_at=meeting.end_at,
                blocks=True,
            )
        )


def count_use(session: Session, link: ShareLink, now: datetime) -> None:
    """One more booking made through `link`, now."""
    link.use_count += 1
    link.last_used_at = now
    session.add(link)
