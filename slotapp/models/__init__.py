"""SQLModel tables. Importing this package registers every table on SQLModel.metadata."""

from slotapp.models.accounts import AuthSession, Role, User
from slotapp.models.availability import DEFAULT_WEEKLY_HOURS, AvailabilitySettings, DateOverride
from slotapp.models.channels import (
    AgentPresence,
    CannedResponse,
    Channel,
    ChannelQueueEntry,
    ChannelSource,
    SourceKind,
)
from slotapp.models.chats import (
    OPEN_STATUSES,
    ChatBookingLink,
    ChatMessage,
    ChatStatus,
    ChatTimer,
    Contact,
    Conversation,
    Lead,
    MessageAuthor,
)
from slotapp.models.feeds import CalendarFeed, FeedBusy, LiveWatcher
from slotapp.models.invitations import (
    DEFAULT_TITLE_TEMPLATE,
    Invitation,
    InvitationMember,
    InvitationPool,
    InvitationResource,
    InvitationStatus,
    MeetingType,
)
from slotapp.models.links import LinkKind, ShareLink, ShareLinkMember
from slotapp.models.meetings import Meeting, MeetingParticipant, MeetingStatus
from slotapp.models.outbox import EmailOutbox
from slotapp.models.push import PushOutbox, PushPreference, PushSubscription
from slotapp.models.resources import (
    MeetingResource,
    Resource,
    ResourceKind,
    ResourcePool,
    ResourcePoolMember,
)

__all__ = [
    "MessageAuthor",
    "Lead",
    "Conversation",
    "Contact",
    "ChatTimer",
    "ChatStatus",
    "ChatMessage",
    "ChatBookingLink",
    "OPEN_STATUSES",
    "SourceKind",
    "ChannelSource",
    "ChannelQueueEntry",
    "Channel",
    "CannedResponse",
    "AgentPresence",
    "DEFAULT_TITLE_TEMPLATE",
    "DEFAULT_WEEKLY_HOURS",
    "AuthSession",
    "AvailabilitySettings",
    "CalendarFeed",
    "DateOverride",
    "EmailOutbox",
    "FeedBusy",
    "Invitation",
    "InvitationMember",
    "InvitationPool",
    "InvitationResource",
    "InvitationStatus",
    "LinkKind",
    "LiveWatcher",
    "Meeting",
    "MeetingParticipant",
    "MeetingResource",
    "MeetingStatus",
    "MeetingType",
    "PushOutbox",
    "PushPreference",
    "PushSubscription",
    "Resource",
    "ResourceKind",
    "ResourcePool",
    "ResourcePoolMember",
    "Role",
    "ShareLink",
    "ShareLinkMember",
    "User",
]
