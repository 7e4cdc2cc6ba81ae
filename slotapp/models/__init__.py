"""SQLModel tables. Importing this package registers every table on SQLModel.metadata."""

from slotapp.models.accounts import AuthSession, Role, User
from slotapp.models.availability import DEFAULT_WEEKLY_HOURS, AvailabilitySettings, DateOverride
from slotapp.models.feeds import CalendarFeed, FeedBusy, LiveWatcher
from slotapp.models.links import LinkKind, ShareLink, ShareLinkMember
from slotapp.models.meetings import Meeting, MeetingParticipant, MeetingStatus
from slotapp.models.outbox import EmailOutbox

__all__ = [
    "DEFAULT_WEEKLY_HOURS",
    "AuthSession",
    "AvailabilitySettings",
    "CalendarFeed",
    "DateOverride",
    "EmailOutbox",
    "FeedBusy",
    "LinkKind",
    "LiveWatcher",
    "Meeting",
    "MeetingParticipant",
    "MeetingStatus",
    "Role",
    "ShareLink",
    "ShareLinkMember",
    "User",
]
